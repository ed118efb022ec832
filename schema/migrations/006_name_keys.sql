-- 006: which name-folding tables the stored person keys were made with.
--
-- person.name_simplified, pinyin and lookalike_key come from the normalizer's
-- tables (configs/normalize/variants.tsv, confusables.tsv).  When an archivist
-- edits them, keys made before would no longer meet a query folded with the
-- new tables; `dangan load` then computes every person's keys again from
-- name_written and records the tables' fingerprint here.
CREATE TABLE name_keys_source (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    sha256  TEXT NOT NULL,                 -- of variants.tsv then confusables.tsv
    updated TEXT NOT NULL                  -- when the keys were last (re)made
) STRICT;
