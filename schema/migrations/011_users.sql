-- 011: the people who use dangan and what they may do (issue #22).  A user
-- has one role; passwords are kept only as libsodium argon2id strings (salt
-- and cost inside).  Repeated failed logins lock the account for a while.
-- Web sessions are kept by the SHA-256 of their token, so a copy of the
-- database does not hand out live sessions; each has its own CSRF token.
-- (Built here as 008; the integrator renumbers it, planned as 015.)

CREATE TABLE app_user (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL
                 CHECK (role IN ('archivist', 'operator', 'registrar', 'auditor', 'admin')),
    pwhash       TEXT NOT NULL,            -- crypto_pwhash_str (argon2id)
    disabled     INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0, -- failed logins since the last success
    locked_until INTEGER NOT NULL DEFAULT 0, -- unix seconds; 0: not locked
    created      TEXT NOT NULL,
    last_login   TEXT
) STRICT;

CREATE TABLE app_session (
    token_hash TEXT PRIMARY KEY,           -- hex SHA-256 of the cookie's token
    user_id    INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,              -- sent back with every POST
    created    INTEGER NOT NULL,           -- unix seconds
    expires    INTEGER NOT NULL
) STRICT;
CREATE INDEX app_session_user ON app_session(user_id);
