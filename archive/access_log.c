/*
 * access_log.c - the registrars' audit trail.  Every command that shows
 * archived data about a person appends one row (who, when, what was asked,
 * which study records were shown) to access_log, a table that triggers in
 * migration 005 make append-only: the log can answer "who looked at this
 * alumnus' record" only if nobody can quietly edit it.
 */
#include "archive_internal.h"

#include <pwd.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void arc_os_user(char *out, size_t size)
{
    /* The password database, not $USER: the environment is the caller's to
     * change, the uid is not. */
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name) {
        snprintf(out, size, "%s", res->pw_name);
        return;
    }
    snprintf(out, size, "uid:%ld", (long)geteuid());
}

int arc_access_log(sqlite3 *db, const char *who, const char *action, const char *query_json,
                   const char *shown_json, dg_err *err)
{
    char user[256], now[32];
    if (!who || !*who) {
        arc_os_user(user, sizeof user);
        who = user;
    }
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
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot write the access log");
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
