-- 003: normalization and discipline matching: catalogs and crosswalks (loaded
-- from configs/disciplines by `dangan catalog import`), operator mapping rules,
-- the steps each normalizer applied, and ranked match candidates.

CREATE TABLE catalog_edition (
    edition   TEXT PRIMARY KEY,            -- '1997', '2011', '2022', ...
    year_from INTEGER NOT NULL,            -- first year the edition was in force
    title     TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT '',
    file      TEXT NOT NULL DEFAULT '',    -- catalog csv as named in the manifest
    target    INTEGER NOT NULL DEFAULT 0,  -- 1 for the edition the matcher maps to
    sha256    TEXT NOT NULL DEFAULT '',    -- of the imported file, to skip re-imports
    imported  TEXT NOT NULL
) STRICT;

-- One row per crosswalk (edition pair) imported: the SHA-256 of its rows as
-- loaded (mapping + unresolved files), so an unchanged crosswalk is skipped
-- and a changed one is replaced as a whole.
CREATE TABLE crosswalk_source (
    from_edition TEXT NOT NULL,
    to_edition   TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    imported     TEXT NOT NULL,
    PRIMARY KEY (from_edition, to_edition)
) STRICT;

CREATE TABLE discipline (
    edition     TEXT NOT NULL REFERENCES catalog_edition(edition),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,             -- as in the source, notes included
    bare_name   TEXT NOT NULL,             -- cut at the first （ or (
    level       TEXT NOT NULL,             -- category, first, second
    parent_code TEXT,
    PRIMARY KEY (edition, code)
) STRICT;
CREATE INDEX discipline_name ON discipline(bare_name);

CREATE TABLE crosswalk (
    from_edition TEXT NOT NULL,
    from_code    TEXT NOT NULL,
    from_name    TEXT NOT NULL DEFAULT '',
    to_edition   TEXT NOT NULL,
    to_code      TEXT NOT NULL,
    to_name      TEXT NOT NULL DEFAULT '',
    relation     TEXT NOT NULL,            -- derived, official, split, merge ...
    basis        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (from_edition, from_code, to_edition, to_code)
) STRICT;

CREATE TABLE crosswalk_unresolved (
    from_edition TEXT NOT NULL,
    from_code    TEXT NOT NULL,
    to_edition   TEXT NOT NULL,
    name         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (from_edition, from_code, to_edition)
) STRICT;

-- An operator's settlement: this historical name (optionally within years and
-- a department) means this current code.  Later records map through it.
CREATE TABLE mapping_rule (
    id         INTEGER PRIMARY KEY,
    name_norm  TEXT NOT NULL,              -- normalized historical major name
    year_from  INTEGER,
    year_to    INTEGER,
    department TEXT,
    code       TEXT NOT NULL,              -- target-edition (2022) code
    operator   TEXT NOT NULL,              -- who decided
    decided    TEXT NOT NULL,              -- when (ISO 8601 UTC)
    source_field INTEGER REFERENCES field(id),
    note       TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX mapping_rule_name ON mapping_rule(name_norm) WHERE active;

-- Every normalization step applied to a field value (provenance).
CREATE TABLE field_step (
    field_id INTEGER NOT NULL REFERENCES field(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    rule     TEXT NOT NULL,
    before   TEXT NOT NULL,
    after    TEXT NOT NULL,
    PRIMARY KEY (field_id, seq)
) STRICT;

-- Ranked 2022-catalog candidates for a record's major field.
CREATE TABLE match_candidate (
    field_id INTEGER NOT NULL REFERENCES field(id) ON DELETE CASCADE,
    rank     INTEGER NOT NULL,             -- 1 = best
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    score    REAL NOT NULL,
    edition  TEXT NOT NULL,                -- historical edition the path starts from
    path     TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',   -- JSON
    PRIMARY KEY (field_id, rank)
) STRICT;

ALTER TABLE field ADD COLUMN flag TEXT;            -- why normalization could not settle it
ALTER TABLE field ADD COLUMN value_detail TEXT;    -- normalizer's second part (degree: 工学)
ALTER TABLE field ADD COLUMN norm_run INTEGER REFERENCES run(id);
-- On the major field: the discipline match outcome.
ALTER TABLE field ADD COLUMN match_decision TEXT;  -- auto / review
ALTER TABLE field ADD COLUMN match_code TEXT;      -- chosen 2022 code (auto, picked, or rule)
ALTER TABLE field ADD COLUMN match_name TEXT;
ALTER TABLE field ADD COLUMN match_score REAL;
ALTER TABLE field ADD COLUMN match_rule INTEGER REFERENCES mapping_rule(id);
