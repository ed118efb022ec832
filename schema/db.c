/*
 * db.c - database open, migrations, transactions and the run log.
 */
#include "db.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "migrations.h"

#define DB_BUSY_TIMEOUT_MS 30000
/* The migration that creates the audit chain (008_audit.sql), and the one
 * from which users are chained row by row (020_user_rows.sql). */
#define DB_AUDIT_VERSION 8
#define DB_USER_ROWS_VERSION 20

int db_schema_latest(void)
{
    return db_migration_count ? db_migrations[db_migration_count - 1].version : 0;
}

int db_fail(sqlite3 *db, dg_err *err, const char *doing)
{
    return dg_err_set(err, DG_EDB, "%s: %s", doing, db ? sqlite3_errmsg(db) : "no database");
}

int db_exec(sqlite3 *db, const char *sql, dg_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        dg_err_set(err, DG_EDB, "database error: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return DG_EDB;
    }
    return DG_OK;
}

int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, dg_err *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot prepare statement");
    return DG_OK;
}

/* ---- statements kept prepared ------------------------------------------------------- */

enum { DB_CACHE_SLOTS = 64 };

struct db_cache {
    sqlite3 *db;
    size_t n;
    char *sql[DB_CACHE_SLOTS];
    sqlite3_stmt *st[DB_CACHE_SLOTS];
};

int db_cache_new(sqlite3 *db, db_cache **out, dg_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    (*out)->db = db;
    return DG_OK;
}

int db_cache_get(db_cache *c, const char *sql, sqlite3_stmt **st, dg_err *err)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->sql[i], sql) == 0) {
            sqlite3_reset(c->st[i]);
            sqlite3_clear_bindings(c->st[i]);
            *st = c->st[i];
            return DG_OK;
        }
    if (c->n == DB_CACHE_SLOTS)
        return dg_err_set(err, DG_EUSAGE, "more than %d statements in one cache", DB_CACHE_SLOTS);
    if (db_prepare(c->db, sql, st, err))
        return DG_EDB;
    if (!(c->sql[c->n] = dg_strdup(sql))) {
        sqlite3_finalize(*st);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    c->st[c->n++] = *st;
    return DG_OK;
}

void db_cache_free(db_cache **c)
{
    if (!c || !*c)
        return;
    for (size_t i = 0; i < (*c)->n; i++) {
        sqlite3_finalize((*c)->st[i]);
        free((*c)->sql[i]);
    }
    free(*c);
    *c = NULL;
}

int db_query_int(sqlite3 *db, const char *sql, int64_t *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    int rc = sqlite3_step(st);
    int status = DG_OK;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        status = DG_ENOTFOUND;
    else
        status = db_fail(db, err, "query failed");
    sqlite3_finalize(st);
    return status;
}

int db_user_version(sqlite3 *db)
{
    int64_t v = 0;
    if (db_query_int(db, "PRAGMA user_version", &v, NULL))
        return -1;
    return (int)v;
}

int db_begin(sqlite3 *db, dg_err *err)
{
    return db_exec(db, "BEGIN IMMEDIATE", err);
}

int db_commit(sqlite3 *db, dg_err *err)
{
    return db_exec(db, "COMMIT", err);
}

void db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Each migration and its version bump commit together, so a crash mid-way
 * leaves the database at the previous version, never half-migrated.  The
 * version is read again under the write lock: two processes opening a new
 * database at once must not both apply the same migration. */
static int apply_migration(sqlite3 *db, const db_migration *m, dg_err *err)
{
    char pragma[64];
    if (db_begin(db, err))
        return DG_EDB;
    if (db_user_version(db) >= m->version)
        return db_commit(db, err);
    if (db_exec(db, m->sql, err)) {
        db_rollback(db);
        return dg_err_set(err, DG_EDB, "migration %s failed: %s", m->name, err ? err->msg : "");
    }
    /* The chain starts with what the archive already holds, in the same
     * transaction: an upgraded archive verifies from its first open on. */
    if ((m->version == DB_AUDIT_VERSION && audit_adopt(db, err)) ||
        (m->version == DB_USER_ROWS_VERSION && audit_adopt_table(db, "app_user", err))) {
        db_rollback(db);
        return DG_EDB;
    }
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
    if (db_exec(db, pragma, err) || db_commit(db, err)) {
        db_rollback(db);
        return DG_EDB;
    }
    return DG_OK;
}

int db_migrate_to(sqlite3 *db, int target, dg_err *err)
{
    int current = db_user_version(db);
    if (current < 0)
        return db_fail(db, err, "cannot read schema version");
    for (int i = 0; i < db_migration_count; i++) {
        const db_migration *m = &db_migrations[i];
        if (m->version <= current || m->version > target)
            continue;
        if (apply_migration(db, m, err))
            return DG_EDB;
    }
    return DG_OK;
}

static int configure(sqlite3 *db, int readonly, dg_err *err)
{
    sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
    if (db_exec(db, "PRAGMA foreign_keys = ON", err))
        return DG_EDB;
    if (!readonly && db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", err))
        return DG_EDB;
    return DG_OK;
}

/* A new database is created 0600 here, whatever the umask: it holds
 * personal records, and SQLite gives its -wal, -shm and journal the
 * database file's own mode. */
static int create_private(const char *path, dg_err *err)
{
    if (strcmp(path, ":memory:") == 0 || !*path)
        return DG_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        return dg_err_set(err, DG_EDB, "cannot create database '%s': %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return DG_OK;
}

/* The shared-memory file (-shm) a reader of a WAL database needs could not
 * be made or used: a directory that cannot be written (a read-only medium,
 * a restored copy on a read-only mount) or a full disk. */
static int shm_unavailable(int ext)
{
    switch (ext) {
    case SQLITE_READONLY_DIRECTORY:
    case SQLITE_READONLY_CANTINIT:
    case SQLITE_READONLY_CANTLOCK:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR_SHMOPEN:
    case SQLITE_IOERR_SHMSIZE:
    case SQLITE_IOERR_SHMMAP:
    case SQLITE_IOERR_SHMLOCK:
        return 1;
    default:
        return (ext & 0xff) == SQLITE_FULL;
    }
}

/* The file's -wal holds frames (changes not yet copied into the file). */
static int wal_has_content(const char *path)
{
    char wal[4096];
    struct stat st;
    if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) >= sizeof wal)
        return 1; /* cannot tell: assume it does */
    return stat(wal, &st) == 0 && st.st_size > 0;
}

/* path as an SQLite URI with ?immutable=1: no locks, no -wal, no -shm. */
static int open_immutable(const char *path, sqlite3 **out)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_adds(&b, path[0] == '/' ? "file://" : "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            dg_buf_addc(&b, (char)*p);
        else
            dg_buf_addf(&b, "%%%02X", *p);
    }
    dg_buf_adds(&b, "?immutable=1");
    char *uri = dg_buf_detach(&b);
    int rc = uri ? sqlite3_open_v2(uri, out, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
                                                 SQLITE_OPEN_NOMUTEX, NULL)
                 : SQLITE_NOMEM;
    free(uri);
    return rc;
}

/*
 * A read-only open that cannot have the -shm: when the -wal is absent or
 * empty the file alone is the whole database, and nobody can be writing it
 * here (a writer needs the -shm too), so it is read as immutable; a -wal
 * with frames would be missed that way, so that is refused, naming the
 * files.  Returns the schema version read, or -1 with err set.
 */
static int reopen_immutable(const char *path, sqlite3 **db, dg_err *err)
{
    char why[256];
    snprintf(why, sizeof why, "%s", sqlite3_errmsg(*db));
    sqlite3_close(*db);
    *db = NULL;
    if (wal_has_content(path)) {
        dg_err_set(err, DG_EDB,
                   "cannot read database '%s' read-only: its write-ahead log '%s-wal' holds "
                   "changes not yet in the file and its shared-memory file '%s-shm' cannot be "
                   "made there (%s); copy the three files to a writable place and read the copy",
                   path, path, path, why);
        return -1;
    }
    int version = -1;
    if (open_immutable(path, db) == SQLITE_OK)
        version = db_user_version(*db);
    if (version < 0)
        dg_err_set(err, DG_EDB, "cannot open database '%s' read-only: %s (first: %s)", path,
                   *db ? sqlite3_errmsg(*db) : "out of memory", why);
    return version;
}

int db_open(const char *path, int flags, sqlite3 **out, dg_err *err)
{
    sqlite3 *db = NULL;
    int readonly = flags & DB_OPEN_READONLY;
    int oflags = readonly ? SQLITE_OPEN_READONLY
                          : SQLITE_OPEN_READWRITE | ((flags & DB_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
    *out = NULL;
    if (!readonly && (flags & DB_OPEN_CREATE) && create_private(path, err))
        return DG_EDB;
    if (sqlite3_open_v2(path, &db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        dg_err_set(err, DG_EDB, "cannot open database '%s': %s", path,
                   db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return DG_EDB;
    }
    /* The timeout must be in place before the first read: another process
     * may hold the write lock or be checkpointing right now. */
    sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
    int version = db_user_version(db);
    if (version < 0 && readonly && shm_unavailable(sqlite3_extended_errcode(db))) {
        if ((version = reopen_immutable(path, &db, err)) < 0)
            goto fail;
    }
    if (version < 0) {
        dg_err_set(err, DG_EDB, "cannot open database '%s': %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    if (version > db_schema_latest()) {
        dg_err_set(err, DG_EDB,
                   "database '%s' has schema version %d but this dangan (%s) knows only up to "
                   "%d: it was written by a newer dangan; upgrade dangan, the file was not changed",
                   path, version, DANGAN_VERSION, db_schema_latest());
        goto fail;
    }
    if (configure(db, readonly, err))
        goto fail;
    if (version < db_schema_latest()) {
        if (readonly) {
            dg_err_set(err, DG_EDB,
                       "database '%s' has schema version %d and this dangan %d: a read-only "
                       "command does not upgrade it; run a command that writes (such as "
                       "'dangan status') once, or use the dangan that wrote it",
                       path, version, db_schema_latest());
            goto fail;
        }
        if (db_migrate_to(db, db_schema_latest(), err))
            goto fail;
    }
    /* A run whose process is gone is over: say so before anyone waits on
     * its leases (best effort: a busy database must not stop the open). */
    if (!readonly)
        db_runs_reap(db, NULL);
    *out = db;
    return DG_OK;
fail:
    sqlite3_close(db);
    return DG_EDB;
}

void db_close(sqlite3 **db)
{
    if (db && *db) {
        sqlite3_close_v2(*db);
        *db = NULL;
    }
}

/* A run's row as it is now goes into the audit chain (begin: settings;
 * end: status and counts). */
static int run_event(sqlite3 *db, int64_t run_id, const char *phase, dg_err *err)
{
    static const char *const run_table[] = {"run"};
    char extra[48];
    snprintf(extra, sizeof extra, "{\"phase\":\"%s\"}", phase);
    return audit_append_rows(db, NULL, "run", run_table, &run_id, 1, extra, err);
}

/* Commit what a run function began itself, or roll it back on failure. */
static int run_tx_end(sqlite3 *db, int rc, dg_err *err)
{
    if (rc == DG_OK)
        rc = db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}

int db_run_begin(sqlite3 *db, const char *stage, const char *params_json, int64_t *run_id,
                 dg_err *err)
{
    char now[32], hash[65];
    const char *params = params_json ? params_json : "{}";
    dg_now_iso(now);
    dg_sha256_hex(params, strlen(params), hash);
    sqlite3_stmt *st;
    char host[256];
    db_host_name(host, sizeof host);
    if (db_prepare(db, "INSERT INTO run(stage, version, params, params_hash, started, pid, host) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 6, (sqlite3_int64)getpid());
    sqlite3_bind_text(st, 7, host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, DANGAN_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, params, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    int own = sqlite3_get_autocommit(db);
    if (own && db_begin(db, err)) {
        sqlite3_finalize(st);
        return DG_EDB;
    }
    int rc = sqlite3_step(st) == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot record stage run");
    sqlite3_finalize(st);
    if (rc == DG_OK) {
        *run_id = sqlite3_last_insert_rowid(db);
        rc = run_event(db, *run_id, "begin", err);
    }
    return own ? run_tx_end(db, rc, err) : rc;
}

int db_run_end(sqlite3 *db, int64_t run_id, const char *status, const char *counts_json,
               dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE run SET finished = ?, status = ?, counts = ? WHERE id = ?", &st,
                   err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, counts_json ? counts_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, run_id);
    int own = sqlite3_get_autocommit(db);
    if (own && db_begin(db, err)) {
        sqlite3_finalize(st);
        return DG_EDB;
    }
    int rc = sqlite3_step(st) == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot close stage run");
    sqlite3_finalize(st);
    if (rc == DG_OK)
        rc = run_event(db, run_id, "end", err);
    return own ? run_tx_end(db, rc, err) : rc;
}

/* Runs from before migration 009 name no process: the stage's own next
 * run is the only one that can tell they are over. */
int db_runs_mark_interrupted(sqlite3 *db, const char *stage, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE run SET status = 'interrupted' WHERE status = 'running' "
                       "AND stage = ? AND pid IS NULL", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot mark interrupted runs");
}

void db_host_name(char *buf, size_t n)
{
    if (!n)
        return;
    if (gethostname(buf, n) != 0)
        snprintf(buf, n, "unknown");
    buf[n - 1] = '\0';
}

/* Alive unless the kernel says there is no such process (EPERM: it exists,
 * under another user). */
static int pid_alive(int64_t pid)
{
    if (pid <= 0 || pid != (int64_t)(pid_t)pid)
        return 0;
    return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

int db_runs_reap(sqlite3 *db, dg_err *err)
{
    char host[256];
    db_host_name(host, sizeof host);
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id, pid FROM run WHERE status = 'running' AND host = ?1 "
                       "AND pid IS NOT NULL", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, host, -1, SQLITE_TRANSIENT);
    int64_t dead[64];
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < sizeof dead / sizeof *dead)
        if (!pid_alive(sqlite3_column_int64(st, 1)))
            dead[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(db, err, "cannot read stage runs");
    if (!n)
        return DG_OK;
    char now[32];
    dg_now_iso(now);
    if (db_begin(db, err))
        return DG_EDB;
    sqlite3_stmt *up = NULL, *fr = NULL;
    rc = db_prepare(db, "UPDATE run SET status = 'aborted', finished = ?2 WHERE id = ?1 "
                        "AND status = 'running'", &up, err);
    if (!rc)
        rc = db_prepare(db, "UPDATE page SET claim_run = NULL, claim_until = NULL "
                            "WHERE claim_run = ?1", &fr, err);
    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_bind_int64(up, 1, dead[i]);
        sqlite3_bind_text(up, 2, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(fr, 1, dead[i]);
        if (sqlite3_step(up) != SQLITE_DONE || sqlite3_step(fr) != SQLITE_DONE)
            rc = db_fail(db, err, "cannot mark aborted runs");
        sqlite3_reset(up);
        sqlite3_reset(fr);
    }
    sqlite3_finalize(up);
    sqlite3_finalize(fr);
    if (!rc)
        rc = db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}
