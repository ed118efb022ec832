-- 023: merged shards' own events in a table of their own (shard/merge.c,
-- audit/merged.c, docs/audit.md, docs/scale.md).
--
-- `dangan merge` used to append every event of a shard to the archive's
-- chain again, with its original inside (twice the bytes canonicalized and
-- hashed a merged event).  Now the shard's events are kept here as they were
-- hashed in the shard, and the archive's chain gets one `merge` event with
-- the shard's head and id offsets: the head hash, chained in the archive,
-- vouches for every row here through the shard's own chain, and `audit
-- verify` remaps the rows these events carry by the merge's offsets.  An
-- archive made by merges merged again brings its own rows here too (their
-- merge events are then among its events, here).
CREATE TABLE audit_merged (
    shard     TEXT NOT NULL,     -- the shard's identity: the hash of its first event
    seq       INTEGER NOT NULL,  -- the event's seq in the shard's chain
    at        TEXT NOT NULL,
    who       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,     -- with the shard's ids
    content   TEXT NOT NULL,     -- as hashed in the shard (the shard's ids)
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (shard, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER audit_merged_no_update BEFORE UPDATE ON audit_merged
BEGIN
    SELECT RAISE(ABORT, 'audit_merged is append-only');
END;

CREATE TRIGGER audit_merged_no_delete BEFORE DELETE ON audit_merged
BEGIN
    SELECT RAISE(ABORT, 'audit_merged is append-only');
END;
