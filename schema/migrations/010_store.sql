-- 010: the scan store, fixity sweeps.  The store is an optional directory of
-- the scans' bytes named by their SHA-256 (DIR/ab/cd/<sha256>.<format>), so
-- evidence does not depend on where a share was mounted; file.abspath stays
-- as where the bytes came from.  Fixity sweeps re-hash the store and the
-- recorded paths and keep what they found, so an auditor sees when the
-- scans were last checked and what was missing or changed.

-- The workspace's store (at most one row): later runs use it without --store.
CREATE TABLE store_setting (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    dir      TEXT NOT NULL,                -- absolute path of the store
    readonly INTEGER NOT NULL DEFAULT 0,   -- 1: read from it, never write to it
    changed  TEXT NOT NULL
) STRICT;

-- Files whose bytes were put in (or found in) the store, and when.
CREATE TABLE stored_file (
    file_id  INTEGER PRIMARY KEY REFERENCES file(id),
    stored   TEXT NOT NULL,
    run_id   INTEGER REFERENCES run(id)
) STRICT;

-- One check of one copy of a file by a fixity sweep (its run: stage 'fixity',
-- counts in run.counts).  location 'store' is the store object, 'path' a
-- recorded path (file.abspath or an alias's).
CREATE TABLE fixity_event (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES run(id),
    file_id  INTEGER NOT NULL REFERENCES file(id),
    location TEXT NOT NULL CHECK (location IN ('store', 'path')),
    path     TEXT NOT NULL,
    outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'missing', 'changed', 'unreadable')),
    found    TEXT,                         -- SHA-256 found when changed, else NULL
    checked  TEXT NOT NULL
) STRICT;
CREATE INDEX fixity_event_run ON fixity_event(run_id);
CREATE INDEX fixity_event_file ON fixity_event(file_id);
