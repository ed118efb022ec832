-- 020: the users in the audit chain row by row (issue #21).  Each change
-- to a user (archive/users.c) appends an event that now carries the row
-- as audit_row_columns shows it (name, role, disabled, created and the
-- SHA-256 of the password hash, never the hash), so `audit verify` finds a
-- role raised, a password swapped or a user added with sqlite3.  The rows
-- already there are adopted by schema/db.c in this migration's transaction.
-- A user is disabled, never deleted: the history names users by id.
CREATE TRIGGER app_user_no_delete BEFORE DELETE ON app_user
BEGIN SELECT RAISE(ABORT, 'users are never deleted: disable them instead'); END;
