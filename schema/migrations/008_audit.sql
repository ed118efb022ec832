-- 008: the tamper-evident history (audit/audit.h, docs/audit.md).
--
-- One append-only hash chain of events: every ingest, stage run, review
-- decision, load, lookup, export and provenance view is a row whose hash
-- covers its canonical content and the hash of the row before, so editing,
-- deleting or reordering a row breaks the chain from there on.  Events
-- about archive rows carry the rows' content, so `dangan audit verify` can
-- tell an archived value no event explains.  When this migration meets an
-- archive that already holds rows, dangan records them as "adopt" events in
-- the same transaction.
CREATE TABLE audit_event (
    seq       INTEGER PRIMARY KEY,         -- 1, 2, 3 ... without gaps
    at        TEXT NOT NULL,               -- UTC ISO 8601
    who       TEXT NOT NULL,               -- operator or OS user
    kind      TEXT NOT NULL,               -- ingest, run, decision, load, link, access ...
    subject   TEXT NOT NULL DEFAULT '',    -- what it is about: "study_record:3", "file:12"
    content   TEXT NOT NULL,               -- canonical JSON object (keys sorted, no spaces)
    prev_hash TEXT NOT NULL,               -- hash of seq - 1 (64 zeros for seq 1)
    hash      TEXT NOT NULL                -- SHA-256(prev_hash || canonical envelope)
) STRICT;
CREATE INDEX audit_event_subject ON audit_event(subject);

-- The chain and the decisions are evidence: the database refuses to edit
-- them.  Dropping a trigger is possible with the sqlite3 shell; `audit
-- verify` checks that each of these is still in place.
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;

CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;

CREATE TRIGGER review_decision_no_update BEFORE UPDATE ON review_decision
BEGIN
    SELECT RAISE(ABORT, 'review_decision is append-only');
END;

CREATE TRIGGER review_decision_no_delete BEFORE DELETE ON review_decision
BEGIN
    SELECT RAISE(ABORT, 'review_decision is append-only');
END;
