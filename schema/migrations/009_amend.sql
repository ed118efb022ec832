-- 009: amendments of archived values, and leases on the units a stage works on.
--
-- An amendment is a new version of one archived value (a person or
-- study_record column): the column and provenance.value hold the current
-- version, each amendment row keeps the value it replaced, who, when, why
-- and which review decision (if any) made it.  Version 1 of a value is what
-- load wrote; amendment k of (study or person, key) is version k + 1.
-- Written only by archive/amend.c (arc_amend_apply); never changed.
CREATE TABLE amendment (
    id           INTEGER PRIMARY KEY,
    study_id     INTEGER NOT NULL REFERENCES study_record(id),
    person_id    INTEGER NOT NULL REFERENCES person(id),
    key          TEXT NOT NULL,            -- field key (common/fieldkeys.c)
    column_name  TEXT NOT NULL,            -- 'person.birth', 'study_record.grad' ...
    before       TEXT,                     -- the version replaced (NULL: none)
    after        TEXT,                     -- the new version (NULL: cleared)
    operator     TEXT NOT NULL,
    amended      TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason <> ''),
    decision_id  INTEGER REFERENCES review_decision(id), -- the decision that made it
    field_id     INTEGER REFERENCES field(id),   -- the field the new value was read from
    before_field INTEGER REFERENCES field(id)    -- provenance.field_id before
) STRICT;
CREATE INDEX amendment_study ON amendment(study_id, key, id);
CREATE INDEX amendment_person ON amendment(person_id, key, id);
CREATE TRIGGER amendment_no_update BEFORE UPDATE ON amendment
BEGIN SELECT RAISE(ABORT, 'amendments are never changed: amend again instead'); END;
CREATE TRIGGER amendment_no_delete BEFORE DELETE ON amendment
BEGIN SELECT RAISE(ABORT, 'amendments are never deleted'); END;

-- Which process runs a stage, so the next open can tell a run whose process
-- died (kill -9, power loss) from one still working: such runs become
-- 'aborted' and their leases free.  The CHECK of run.status (001) gains
-- 'aborted' by editing the stored schema, the documented way of loosening a
-- CHECK without rebuilding a table that half the schema references.
ALTER TABLE run ADD COLUMN pid INTEGER;
ALTER TABLE run ADD COLUMN host TEXT;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''failed'', ''interrupted'')',
                                       '''failed'', ''interrupted'', ''aborted'')')
 WHERE type = 'table' AND name = 'run';
PRAGMA writable_schema = RESET;

-- A page's lease: the run that claimed it and until when.  A stage claims a
-- page with one UPDATE ... WHERE unclaimed-or-expired, committed before the
-- work, and frees it in the transaction that stores the result.
ALTER TABLE page ADD COLUMN claim_run INTEGER REFERENCES run(id);
ALTER TABLE page ADD COLUMN claim_until TEXT;
CREATE INDEX run_running ON run(status) WHERE status = 'running';
