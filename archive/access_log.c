/*
 * access_log.c - the registrars' audit trail.  Every command that shows
 * archived data about a person appends one row (who, when, what was asked,
 * which study records were shown) to access_log, a table that triggers in
 * migration 005 make append-only, and the same row as an "access" event of
 * the audit chain (audit/audit.h): the log can answer "who looked at this
 * alumnus' record" only if nobody can quietly edit it, and `dangan audit
 * verify` tells when someone dropped the triggers and did.
 */
#include "archive_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

void arc_os_user(char *out, size_t size)
{
    dg_os_user(out, size);
}

int arc_access_log(sqlite3 *db, const char *who, const char *action, const char *query_json,
                   const char *shown_json, dg_err *err)
{
    char user[256], now[32];
    if (!who || !*who) {
        arc_os_user(user, sizeof user);
        who = user;
    }
    if (audit_check_who(who, err))
        return DG_EUSAGE;
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO access_log(at, who, action, query, shown) "
                       "VALUES (?, ?, ?, ?, ?)", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, query_json ? query_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, shown_json ? shown_json : "[]", -1, SQLITE_STATIC);
    /* The row and its event commit together: a log row the chain does not
     * carry is one `audit verify` reports as forged. */
    int own = sqlite3_get_autocommit(db);
    if (own && db_begin(db, err)) {
        sqlite3_finalize(st);
        return DG_EDB;
    }
    int rc = sqlite3_step(st) == SQLITE_DONE ? DG_OK
                                             : db_fail(db, err, "cannot write the access log");
    sqlite3_finalize(st);
    if (rc == DG_OK) {
        static const char *const table[] = {"access_log"};
        int64_t id = sqlite3_last_insert_rowid(db);
        rc = audit_append_rows(db, who, "access", table, &id, 1, NULL, err);
    }
    if (own && rc == DG_OK)
        rc = db_commit(db, err);
    if (own && rc)
        db_rollback(db);
    return rc;
}

void arc_access_entries_release(arc_access_entries *e)
{
    for (size_t i = 0; i < e->n; i++) {
        arc_access_entry *a = &e->v[i];
        free(a->at);
        free(a->who);
        free(a->action);
        free(a->query);
        free(a->shown);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}

static int read_entry(sqlite3_stmt *st, arc_access_entries *out)
{
    arc_access_entry *v = arc_grow(out->v, out->n, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    out->v = v;
    arc_access_entry *a = &v[out->n++];
    a->id = sqlite3_column_int64(st, 0);
    int rc = arc_col_dup0(st, 1, &a->at);
    rc = rc ? rc : arc_col_dup0(st, 2, &a->who);
    rc = rc ? rc : arc_col_dup0(st, 3, &a->action);
    rc = rc ? rc : arc_col_dup0(st, 4, &a->query);
    return rc ? rc : arc_col_dup0(st, 5, &a->shown);
}

int arc_access_log_read(sqlite3 *db, long limit, arc_access_entries *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    /* The newest `limit` rows, oldest first like a log file. */
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT * FROM (SELECT id, at, who, action, query, shown FROM access_log "
                       "ORDER BY id DESC LIMIT ?) ORDER BY id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = read_entry(st, out);
    sqlite3_finalize(st);
    if (rc)
        dg_err_set(err, rc, "out of memory reading the access log");
    else if (step != SQLITE_DONE)
        rc = db_fail(db, err, "cannot read the access log");
    if (rc)
        arc_access_entries_release(out);
    return rc;
}

/* The stored query and shown texts are JSON already: they go out verbatim. */
int arc_access_log_json(const arc_access_entries *e, dg_buf *b)
{
    dg_buf_adds(b, "{\"entries\":[");
    for (size_t i = 0; i < e->n; i++) {
        const arc_access_entry *a = &e->v[i];
        dg_buf_addf(b, "%s{\"id\":%lld,\"at\":", i ? "," : "", (long long)a->id);
        dg_buf_json_str(b, a->at);
        dg_buf_adds(b, ",\"who\":");
        dg_buf_json_str(b, a->who);
        dg_buf_adds(b, ",\"action\":");
        dg_buf_json_str(b, a->action);
        dg_buf_addf(b, ",\"query\":%s,\"shown\":%s}", a->query, a->shown);
    }
    return dg_buf_adds(b, "]}");
}
