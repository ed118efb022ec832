/*
 * catalog_list.c - what `dangan catalog list` shows: the imported editions
 * with their counts and crosswalks, or the disciplines of one edition, read
 * into an arc_catalog_listing (JSON by arc_catalog_listing_json; the table
 * is printed by pipeline/).  Read-only.
 */
#include <sqlite3.h>
#include <string.h>

#include "archive_internal.h"

static int read_editions(sqlite3 *db, arc_catalog_listing *l, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT e.edition, e.year_from, e.file, e.target, e.sha256, e.imported, "
                   "(SELECT count(*) FROM discipline d WHERE d.edition = e.edition) "
                   "FROM catalog_edition e ORDER BY e.year_from, e.edition",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        arc_catalog_edition *v = arc_grow(l->editions, l->neditions, sizeof *v);
        if (!v) {
            rc = DG_ENOMEM;
            break;
        }
        l->editions = v;
        arc_catalog_edition *e = &v[l->neditions++];
        e->year_from = sqlite3_column_int(st, 1);
        e->target = sqlite3_column_int(st, 3) != 0;
        e->disciplines = sqlite3_column_int(st, 6);
        rc = arc_col_dup0(st, 0, &e->edition);
        rc = rc ? rc : arc_col_dup0(st, 2, &e->file);
        rc = rc ? rc : arc_col_dup0(st, 4, &e->sha256);
        rc = rc ? rc : arc_col_dup0(st, 5, &e->imported);
    }
    sqlite3_finalize(st);
    return rc;
}

static int read_crosswalks(sqlite3 *db, arc_catalog_listing *l, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT s.from_edition, s.to_edition, (SELECT count(*) FROM crosswalk c "
                   "WHERE c.from_edition = s.from_edition AND c.to_edition = s.to_edition),"
                   " (SELECT count(*) FROM crosswalk_unresolved u WHERE u.from_edition = "
                   "s.from_edition AND u.to_edition = s.to_edition) "
                   "FROM crosswalk_source s ORDER BY 1, 2",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        arc_catalog_crosswalk *v = arc_grow(l->crosswalks, l->ncrosswalks, sizeof *v);
        if (!v) {
            rc = DG_ENOMEM;
            break;
        }
        l->crosswalks = v;
        arc_catalog_crosswalk *x = &v[l->ncrosswalks++];
        x->rows = sqlite3_column_int(st, 2);
        x->unresolved = sqlite3_column_int(st, 3);
        rc = arc_col_dup0(st, 0, &x->from);
        rc = rc ? rc : arc_col_dup0(st, 1, &x->to);
    }
    sqlite3_finalize(st);
    return rc;
}

static int read_disciplines(sqlite3 *db, arc_catalog_listing *l, dg_err *err)
{
    int64_t n = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT count(*) FROM catalog_edition WHERE edition = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, l->edition, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!n)
        return dg_err_set(err, DG_ENOTFOUND, "no catalog edition '%s' imported", l->edition);
    if (db_prepare(db, "SELECT code, level, coalesce(parent_code, ''), name, bare_name "
                       "FROM discipline WHERE edition = ? ORDER BY code",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, l->edition, -1, SQLITE_STATIC);
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        arc_catalog_discipline *v = arc_grow(l->disciplines, l->ndisciplines, sizeof *v);
        if (!v) {
            rc = DG_ENOMEM;
            break;
        }
        l->disciplines = v;
        arc_catalog_discipline *d = &v[l->ndisciplines++];
        rc = arc_col_dup0(st, 0, &d->code);
        rc = rc ? rc : arc_col_dup0(st, 1, &d->level);
        rc = rc ? rc : arc_col_dup0(st, 2, &d->parent_code);
        rc = rc ? rc : arc_col_dup0(st, 3, &d->name);
        rc = rc ? rc : arc_col_dup0(st, 4, &d->bare_name);
    }
    sqlite3_finalize(st);
    return rc;
}

int arc_catalog_list(sqlite3 *db, const char *edition, arc_catalog_listing *l, dg_err *err)
{
    memset(l, 0, sizeof *l);
    int rc = DG_OK;
    if (edition) {
        l->edition = dg_strdup(edition);
        rc = l->edition ? read_disciplines(db, l, err) : DG_ENOMEM;
    } else {
        rc = read_editions(db, l, err);
        rc = rc ? rc : read_crosswalks(db, l, err);
    }
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory listing catalogs");
    if (rc)
        arc_catalog_listing_release(l);
    return rc;
}

void arc_catalog_listing_release(arc_catalog_listing *l)
{
    for (size_t i = 0; i < l->neditions; i++) {
        arc_catalog_edition *e = &l->editions[i];
        free(e->edition);
        free(e->file);
        free(e->sha256);
        free(e->imported);
    }
    for (size_t i = 0; i < l->ncrosswalks; i++) {
        free(l->crosswalks[i].from);
        free(l->crosswalks[i].to);
    }
    for (size_t i = 0; i < l->ndisciplines; i++) {
        arc_catalog_discipline *d = &l->disciplines[i];
        free(d->code);
        free(d->level);
        free(d->parent_code);
        free(d->name);
        free(d->bare_name);
    }
    free(l->editions);
    free(l->crosswalks);
    free(l->disciplines);
    free(l->edition);
    memset(l, 0, sizeof *l);
}

static int summary_json(const arc_catalog_listing *l, dg_buf *b)
{
    int rc = dg_buf_adds(b, "{\"editions\":[");
    for (size_t i = 0; !rc && i < l->neditions; i++) {
        const arc_catalog_edition *e = &l->editions[i];
        rc = dg_buf_adds(b, i ? ",{\"edition\":" : "{\"edition\":");
        rc = rc ? rc : dg_buf_json_str(b, e->edition);
        rc = rc ? rc : dg_buf_addf(b, ",\"year_from\":%d,\"file\":", e->year_from);
        rc = rc ? rc : dg_buf_json_str(b, e->file);
        rc = rc ? rc : dg_buf_addf(b, ",\"target\":%s,\"sha256\":", e->target ? "true" : "false");
        rc = rc ? rc : dg_buf_json_str(b, e->sha256);
        rc = rc ? rc : dg_buf_adds(b, ",\"imported\":");
        rc = rc ? rc : dg_buf_json_str(b, e->imported);
        rc = rc ? rc : dg_buf_addf(b, ",\"disciplines\":%d}", e->disciplines);
    }
    rc = rc ? rc : dg_buf_adds(b, "],\"crosswalks\":[");
    for (size_t i = 0; !rc && i < l->ncrosswalks; i++) {
        const arc_catalog_crosswalk *x = &l->crosswalks[i];
        rc = dg_buf_adds(b, i ? ",{\"from\":" : "{\"from\":");
        rc = rc ? rc : dg_buf_json_str(b, x->from);
        rc = rc ? rc : dg_buf_adds(b, ",\"to\":");
        rc = rc ? rc : dg_buf_json_str(b, x->to);
        rc = rc ? rc : dg_buf_addf(b, ",\"rows\":%d,\"unresolved\":%d}", x->rows, x->unresolved);
    }
    return rc ? rc : dg_buf_adds(b, "]}");
}

static int disciplines_json(const arc_catalog_listing *l, dg_buf *b)
{
    int rc = dg_buf_adds(b, "{\"edition\":");
    rc = rc ? rc : dg_buf_json_str(b, l->edition);
    rc = rc ? rc : dg_buf_adds(b, ",\"disciplines\":[");
    for (size_t i = 0; !rc && i < l->ndisciplines; i++) {
        const arc_catalog_discipline *d = &l->disciplines[i];
        rc = dg_buf_adds(b, i ? ",{\"code\":" : "{\"code\":");
        rc = rc ? rc : dg_buf_json_str(b, d->code);
        rc = rc ? rc : dg_buf_adds(b, ",\"level\":");
        rc = rc ? rc : dg_buf_json_str(b, d->level);
        rc = rc ? rc : dg_buf_adds(b, ",\"parent_code\":");
        rc = rc ? rc : dg_buf_json_str(b, d->parent_code);
        rc = rc ? rc : dg_buf_adds(b, ",\"name\":");
        rc = rc ? rc : dg_buf_json_str(b, d->name);
        rc = rc ? rc : dg_buf_adds(b, ",\"bare_name\":");
        rc = rc ? rc : dg_buf_json_str(b, d->bare_name);
        rc = rc ? rc : dg_buf_addc(b, '}');
    }
    return rc ? rc : dg_buf_adds(b, "]}");
}

int arc_catalog_listing_json(const arc_catalog_listing *l, dg_buf *out)
{
    return l->edition ? disciplines_json(l, out) : summary_json(l, out);
}
