/*
 * access_log.c - the registrars' audit trail.  Every command that shows
 * archived data about a person appends one row (who, when, what was asked,
 * which study records were shown) to access_log, a table that triggers in
 * migration 005 make append-only: the log can answer "who looked at this
 * alumnus' record" only if nobody can quietly edit it.
 */
#include "archive.h"

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

static const char *col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

/* The stored query and shown texts are JSON already: they go out verbatim. */
static void entry_json(sqlite3_stmt *st, dg_buf *b)
{
    dg_buf_addf(b, "{\"id\":%lld,\"at\":", (long long)sqlite3_column_int64(st, 0));
    dg_buf_json_str(b, col(st, 1));
    dg_buf_adds(b, ",\"who\":");
    dg_buf_json_str(b, col(st, 2));
    dg_buf_adds(b, ",\"action\":");
    dg_buf_json_str(b, col(st, 3));
    dg_buf_addf(b, ",\"query\":%s,\"shown\":%s}", col(st, 4), col(st, 5));
}

static void entry_text(sqlite3_stmt *st, dg_buf *b)
{
    dg_buf_addf(b, "%-6lld %s  %-12s %-10s %s -> %s\n", (long long)sqlite3_column_int64(st, 0),
                col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5));
}

int arc_access_log_print(sqlite3 *db, int json, long limit, FILE *out, dg_err *err)
{
    /* The newest `limit` rows, printed oldest first like a log file. */
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT * FROM (SELECT id, at, who, action, query, shown FROM access_log "
                       "ORDER BY id DESC LIMIT ?) ORDER BY id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    dg_buf b;
    dg_buf_init(&b, 0);
    if (json)
        fputs("{\"entries\":[", out);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (json) {
            if (n++)
                dg_buf_addc(&b, ',');
            entry_json(st, &b);
        } else {
            entry_text(st, &b);
        }
        fputs(b.data, out);
        dg_buf_reset(&b);
    }
    sqlite3_finalize(st);
    if (json)
        fputs("]}\n", out);
    dg_buf_release(&b);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot read the access log");
}
