-- 012: certificates of record (学籍证明, certify/).  One row per certificate
-- issued: the signed payload exactly as printed into the PDF and its QR
-- code, so `dangan verify CODE` can find it from the short code printed on
-- paper, and a registrar can list what was certified for whom.  The issue is
-- also an audit event (kind 'certify'); this table is the register the
-- serial numbers come from.
CREATE TABLE certificate (
    id        INTEGER PRIMARY KEY,
    serial    TEXT NOT NULL UNIQUE,          -- printed serial, e.g. DG-2026-000001
    code      TEXT NOT NULL UNIQUE,          -- printed verification code
    study_id  INTEGER NOT NULL REFERENCES study_record(id),
    issued    TEXT NOT NULL,                 -- UTC, ISO 8601
    who       TEXT NOT NULL,                 -- the operator who issued it
    requester TEXT,                          -- --for (NULL: the alumnus asked)
    purpose   TEXT,
    audience  TEXT NOT NULL,                 -- disclosure profile applied
    lang      TEXT NOT NULL CHECK (lang IN ('zh', 'en', 'both')),
    key_id    TEXT NOT NULL,                 -- the signing key's id (hex)
    payload   TEXT NOT NULL                  -- DGC1.<content>.<signature>
) STRICT;
CREATE INDEX certificate_study ON certificate(study_id);
CREATE TRIGGER certificate_no_update BEFORE UPDATE ON certificate
BEGIN SELECT RAISE(ABORT, 'certificates are never changed'); END;
CREATE TRIGGER certificate_no_delete BEFORE DELETE ON certificate
BEGIN SELECT RAISE(ABORT, 'certificates are never deleted'); END;
