/*
 * catalog_list.c - what `dangan catalog list` shows: the imported editions
 * with their counts and crosswalks, or the disciplines of one edition, as a
 * table or JSON.  Read-only.
 */
#include <sqlite3.h>
#include <string.h>

#include "archive.h"

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

static int list_editions_json(sqlite3_stmt *st, dg_buf *b)
{
    int rc = dg_buf_adds(b, "{\"editions\":[");
    for (int n = 0; !rc && sqlite3_step(st) == SQLITE_ROW; n++) {
        rc = dg_buf_adds(b, n ? ",{\"edition\":" : "{\"edition\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 0));
        rc = rc ? rc : dg_buf_addf(b, ",\"year_from\":%d,\"file\":", sqlite3_column_int(st, 1));
        rc = rc ? rc : dg_buf_json_str(b, col(st, 2));
        rc = rc ? rc : dg_buf_addf(b, ",\"target\":%s,\"sha256\":",
                                   sqlite3_column_int(st, 3) ? "true" : "false");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 4));
        rc = rc ? rc : dg_buf_adds(b, ",\"imported\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 5));
        rc = rc ? rc : dg_buf_addf(b, ",\"disciplines\":%d}", sqlite3_column_int(st, 6));
    }
    return rc ? rc : dg_buf_adds(b, "],\"crosswalks\":[");
}

static int list_crosswalks_json(sqlite3_stmt *st, dg_buf *b)
{
    int rc = DG_OK;
    for (int n = 0; !rc && sqlite3_step(st) == SQLITE_ROW; n++) {
        rc = dg_buf_adds(b, n ? ",{\"from\":" : "{\"from\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 0));
        rc = rc ? rc : dg_buf_adds(b, ",\"to\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 1));
        rc = rc ? rc : dg_buf_addf(b, ",\"rows\":%d,\"unresolved\":%d}",
                                   sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
    }
    return rc ? rc : dg_buf_adds(b, "]}\n");
}

static int list_editions_text(sqlite3_stmt *ed, sqlite3_stmt *xw, dg_buf *b)
{
    int rc = dg_buf_adds(b, "edition  from  disciplines  file\n");
    while (!rc && sqlite3_step(ed) == SQLITE_ROW)
        rc = dg_buf_addf(b, "%-8s %-5d %11d  %s%s\n", col(ed, 0), sqlite3_column_int(ed, 1),
                         sqlite3_column_int(ed, 6), col(ed, 2),
                         sqlite3_column_int(ed, 3) ? "  (target)" : "");
    rc = rc ? rc : dg_buf_adds(b, "\ncrosswalk   rows  unresolved\n");
    while (!rc && sqlite3_step(xw) == SQLITE_ROW)
        rc = dg_buf_addf(b, "%s -> %-5s %5d  %10d\n", col(xw, 0), col(xw, 1),
                         sqlite3_column_int(xw, 2), sqlite3_column_int(xw, 3));
    return rc;
}

static int list_summary(sqlite3 *db, int json, dg_buf *b, dg_err *err)
{
    sqlite3_stmt *ed = NULL, *xw = NULL;
    int rc = db_prepare(db,
                        "SELECT e.edition, e.year_from, e.file, e.target, e.sha256, e.imported, "
                        "(SELECT count(*) FROM discipline d WHERE d.edition = e.edition) "
                        "FROM catalog_edition e ORDER BY e.year_from, e.edition",
                        &ed, err);
    rc = rc ? rc
            : db_prepare(db,
                         "SELECT s.from_edition, s.to_edition, (SELECT count(*) FROM crosswalk c "
                         "WHERE c.from_edition = s.from_edition AND c.to_edition = s.to_edition),"
                         " (SELECT count(*) FROM crosswalk_unresolved u WHERE u.from_edition = "
                         "s.from_edition AND u.to_edition = s.to_edition) "
                         "FROM crosswalk_source s ORDER BY 1, 2",
                         &xw, err);
    if (!rc && json) {
        rc = list_editions_json(ed, b);
        rc = rc ? rc : list_crosswalks_json(xw, b);
    } else if (!rc) {
        rc = list_editions_text(ed, xw, b);
    }
    sqlite3_finalize(ed);
    sqlite3_finalize(xw);
    return rc;
}

static int list_disciplines(sqlite3 *db, const char *edition, int json, dg_buf *b, dg_err *err)
{
    int64_t n = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT count(*) FROM catalog_edition WHERE edition = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, edition, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!n)
        return dg_err_set(err, DG_ENOTFOUND, "no catalog edition '%s' imported", edition);
    if (db_prepare(db, "SELECT code, level, coalesce(parent_code, ''), name, bare_name "
                       "FROM discipline WHERE edition = ? ORDER BY code",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, edition, -1, SQLITE_STATIC);
    int rc = json ? dg_buf_adds(b, "{\"edition\":") : DG_OK;
    rc = rc || !json ? rc : dg_buf_json_str(b, edition);
    rc = rc || !json ? rc : dg_buf_adds(b, ",\"disciplines\":[");
    for (int i = 0; !rc && sqlite3_step(st) == SQLITE_ROW; i++) {
        if (!json) {
            rc = dg_buf_addf(b, "%-7s %-8s %s\n", col(st, 0), col(st, 1), col(st, 3));
            continue;
        }
        rc = dg_buf_adds(b, i ? ",{\"code\":" : "{\"code\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 0));
        rc = rc ? rc : dg_buf_adds(b, ",\"level\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 1));
        rc = rc ? rc : dg_buf_adds(b, ",\"parent_code\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 2));
        rc = rc ? rc : dg_buf_adds(b, ",\"name\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 3));
        rc = rc ? rc : dg_buf_adds(b, ",\"bare_name\":");
        rc = rc ? rc : dg_buf_json_str(b, col(st, 4));
        rc = rc ? rc : dg_buf_addc(b, '}');
    }
    sqlite3_finalize(st);
    return rc || !json ? rc : dg_buf_adds(b, "]}\n");
}

int arc_catalog_list(sqlite3 *db, const char *edition, int json, FILE *out, dg_err *err)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = edition ? list_disciplines(db, edition, json, &b, err)
                     : list_summary(db, json, &b, err);
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory listing catalogs");
    if (!rc && b.len && fwrite(b.data, 1, b.len, out) != b.len)
        rc = dg_err_set(err, DG_ERR, "cannot write the catalog listing");
    dg_buf_release(&b);
    return rc;
}
