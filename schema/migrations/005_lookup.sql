-- 005: what `dangan lookup` needs to be fast, and the registrars' access log.
--
-- Names are 2-3 Han characters, which FTS5 cannot index usefully (unicode61
-- makes a Han run one token, trigram ignores 1-2 character queries), so
-- lookup uses the precomputed keys of 004 (person_simplified, person_pinyin,
-- person_lookalike) plus the indexes below.

-- One-substitution neighbours: a name misread in one position we have no
-- look-alike class for (张三 read as 张二) still shares everything but that
-- character.  One expression index per position covers names up to 3
-- characters (the length is part of the key so 张三 does not reach 张三丰);
-- lookup.c builds the same expressions.  birth ends each key so that with
-- --born the neighbours of a common "张?" are one range seek, not a scan.
-- The indexes maintain themselves, so `dangan load` needs no extra insert.
CREATE INDEX person_sub1 ON person(length(name_simplified), substr(name_simplified, 2), birth);
CREATE INDEX person_sub2 ON person(substr(name_simplified, 1, 1), length(name_simplified),
                                   substr(name_simplified, 3), birth);
CREATE INDEX person_sub3 ON person(substr(name_simplified, 1, 2), length(name_simplified),
                                   substr(name_simplified, 4), birth);

-- Lookups by date alone (--born / --graduated without --name) are range scans.
CREATE INDEX person_birth ON person(birth);
CREATE INDEX study_grad ON study_record(grad);
-- study_source is walked from the study record to its primary source (export).
CREATE INDEX study_source_study ON study_source(study_id, role);

-- Every lookup (and export / provenance access) leaves a row: who asked,
-- when, what they asked, and which archived study records were shown.
-- Append-only: the triggers below refuse UPDATE and DELETE, so the log is
-- evidence, not a working table.
CREATE TABLE access_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,                 -- UTC ISO 8601
    who    TEXT NOT NULL,                 -- OS user, or --operator
    action TEXT NOT NULL,                 -- lookup, export, provenance, ...
    query  TEXT NOT NULL DEFAULT '{}',    -- JSON: the question as asked
    shown  TEXT NOT NULL DEFAULT '[]'     -- JSON: study record ids shown (or a count)
) STRICT;
CREATE INDEX access_log_at ON access_log(at);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;

CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
