/*
 * db.h - opening the dangan database and keeping its schema current.
 *
 * One SQLite file holds the workspace (scans, OCR, records) and the archive.
 * db_open applies the embedded numbered migrations (PRAGMA user_version),
 * turns on WAL, foreign keys and a busy timeout, and refuses a database
 * written by a newer dangan without touching it.  Stage drivers record each
 * run in the `run` table with the settings that shaped its results.
 */
#ifndef DANGAN_DB_H
#define DANGAN_DB_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

enum {
    DB_OPEN_CREATE = 1,   /* create the file if missing */
    DB_OPEN_READONLY = 2, /* no writes, no migrations (fails if outdated); see below */
};

/* Newest schema version this build knows. */
int db_schema_latest(void);

/*
 * Open (and migrate) the database at path.  On success *out is a handle the
 * caller closes with db_close.  A file whose user_version is newer than
 * db_schema_latest() is refused with DG_EDB and left unchanged.
 *
 * DB_OPEN_READONLY (SQLite's read-only open) never writes the file nor its
 * -wal.  SQLite still creates the -wal (empty) and the -shm where it can, as
 * any reader of a WAL database does; where it cannot (a read-only directory
 * or medium, a full disk) a file whose -wal is absent or empty is read as
 * immutable (its -wal would be absent or empty only if no writer is at
 * work), and one whose -wal holds changes is refused with a message naming
 * the files (docs/audit.md, "Verifying read-only").
 */
int db_open(const char *path, int flags, sqlite3 **out, dg_err *err);
void db_close(sqlite3 **db);

/* Apply migrations up to `target` (tests use it to build old databases). */
int db_migrate_to(sqlite3 *db, int target, dg_err *err);
int db_user_version(sqlite3 *db);

/* Transactions: BEGIN IMMEDIATE so writers queue on the busy timeout. */
int db_begin(sqlite3 *db, dg_err *err);
int db_commit(sqlite3 *db, dg_err *err);
void db_rollback(sqlite3 *db);

/* Run one or more SQL statements without results. */
int db_exec(sqlite3 *db, const char *sql, dg_err *err);

/* Prepare a statement; on failure err names the SQL error. */
int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, dg_err *err);

/* Fill err from the handle's last error, prefixed by what we were doing. */
int db_fail(sqlite3 *db, dg_err *err, const char *doing);

/*
 * Statements prepared once and reused (a stage writing many rows with the
 * same few statements: parsing the SQL again costs more than the write).
 * db_cache_get returns the statement for sql, reset and with its bindings
 * cleared; the cache owns it (never finalize it; reset it when done so it
 * holds no lock).  Keyed by the text of sql.  Free with db_cache_free
 * (NULL-safe) before the connection closes.
 */
typedef struct db_cache db_cache;
int db_cache_new(sqlite3 *db, db_cache **out, dg_err *err);
int db_cache_get(db_cache *c, const char *sql, sqlite3_stmt **st, dg_err *err);
void db_cache_free(db_cache **c);

/* Single-value helpers; return DG_OK and fill *out, or DG_ENOTFOUND. */
int db_query_int(sqlite3 *db, const char *sql, int64_t *out, dg_err *err);

/*
 * Stage runs.  db_run_begin inserts a run row (status running) with params
 * (a JSON object, copied) and returns its id; db_run_end closes it with a
 * status ("done", "failed", "interrupted") and counts (JSON object).  The run
 * row names this process (pid, host) so a later open can tell it died.  Each
 * also appends the run row as a "run" event of the audit chain
 * (audit/audit.h), in the caller's transaction or in one of its own.
 */
int db_run_begin(sqlite3 *db, const char *stage, const char *params_json, int64_t *run_id,
                 dg_err *err);
int db_run_end(sqlite3 *db, int64_t run_id, const char *status, const char *counts_json,
               dg_err *err);

/* Runs of `stage` left "running" by a dangan from before migration 009
 * (which names no process) are marked "interrupted". */
int db_runs_mark_interrupted(sqlite3 *db, const char *stage, dg_err *err);

/*
 * Runs still "running" whose process (run.pid on run.host, this host) is
 * gone are marked "aborted" and their page leases freed.  db_open calls it
 * on every read-write open, so a run killed mid-way is shown aborted after
 * the next command.  Runs of other hosts are left alone: their leases end
 * when they expire.
 */
int db_runs_reap(sqlite3 *db, dg_err *err);

/* This host's name as run.host records it ("unknown" if it has none). */
void db_host_name(char *buf, size_t n);

#endif
