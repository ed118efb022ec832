/*
 * page_view.c - one page with every field's box and state, for the
 * workbench's page view (archive.h, arc_page_view_read): each field with
 * its record, the latest review item on it and the archived study it
 * became, so a click can open either.  Read-only.
 */
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "archive_internal.h"
#include "ocr.h"

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return dg_strdup(s ? s : "");
}

void arc_page_view_release(arc_page_view *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].key);
        free(v->v[i].value);
        free(v->v[i].state);
        free(v->v[i].item_state);
    }
    free(v->v);
    free(v->path);
    free(v->form);
    memset(v, 0, sizeof *v);
}

int arc_record_page(sqlite3 *db, int64_t record, int64_t *page, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT page_id FROM record WHERE id = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, record);
    int found = sqlite3_step(st) == SQLITE_ROW;
    *page = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return found ? DG_OK : dg_err_set(err, DG_ENOTFOUND, "no record %lld", (long long)record);
}

int arc_page_view_read(sqlite3 *db, int64_t page, arc_page_view *v, dg_err *err)
{
    memset(v, 0, sizeof *v);
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT p.file_id, fl.batch_id, p.page_index, p.width, p.height, fl.path, "
                   " coalesce((SELECT pf.template FROM page_form pf WHERE pf.page_id = p.id), ''), "
                   " (SELECT max(q.id) FROM page q WHERE q.id < p.id), "
                   " (SELECT min(q.id) FROM page q WHERE q.id > p.id) "
                   "FROM page p JOIN file fl ON fl.id = p.file_id WHERE p.id = ?",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return dg_err_set(err, DG_ENOTFOUND, "no page %lld", (long long)page);
    }
    v->page = page;
    v->file = sqlite3_column_int64(st, 0);
    v->batch = sqlite3_column_int64(st, 1);
    v->page_index = sqlite3_column_int(st, 2);
    v->width = sqlite3_column_int(st, 3);
    v->height = sqlite3_column_int(st, 4);
    v->path = col_dup(st, 5);
    v->form = col_dup(st, 6);
    v->prev = sqlite3_column_int64(st, 7);
    v->next = sqlite3_column_int64(st, 8);
    sqlite3_finalize(st);
    if (!v->path || !v->form) {
        arc_page_view_release(v);
        return dg_err_set(err, DG_ENOMEM, "out of memory reading page %lld", (long long)page);
    }
    /* the latest item on each field, and the study its value went to
     * (indexes review_item_field, provenance_field: migration 013) */
    if (db_prepare(db,
                   "SELECT f.id, f.record_id, r.row_no, f.key, coalesce(f.value, ''), f.state, "
                   " f.x, f.y, f.w, f.h, f.p, i.id, coalesce(i.state, ''), "
                   " (SELECT pv.study_id FROM provenance pv WHERE pv.field_id = f.id LIMIT 1) "
                   "FROM record r JOIN field f ON f.record_id = r.id "
                   "LEFT JOIN review_item i ON i.id = (SELECT max(j.id) FROM review_item j "
                   "  WHERE j.field_id = f.id) "
                   "WHERE r.page_id = ? ORDER BY r.row_no, r.id, f.y, f.x, f.id",
                   &st, err)) {
        arc_page_view_release(v);
        return DG_EDB;
    }
    sqlite3_bind_int64(st, 1, page);
    int rc = DG_OK, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        arc_pv_field *g = arc_grow(v->v, v->n, sizeof *g);
        if (!g) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory reading page %lld", (long long)page);
            break;
        }
        v->v = g;
        arc_pv_field *f = &g[v->n++];
        memset(f, 0, sizeof *f);
        f->id = sqlite3_column_int64(st, 0);
        f->record = sqlite3_column_int64(st, 1);
        f->row_no = sqlite3_column_int(st, 2);
        f->key = col_dup(st, 3);
        f->value = col_dup(st, 4);
        f->state = col_dup(st, 5);
        f->x = sqlite3_column_int(st, 6);
        f->y = sqlite3_column_int(st, 7);
        f->w = sqlite3_column_int(st, 8);
        f->h = sqlite3_column_int(st, 9);
        f->has_p = sqlite3_column_type(st, 10) != SQLITE_NULL;
        f->p = sqlite3_column_double(st, 10);
        f->item = sqlite3_column_int64(st, 11);
        f->item_state = col_dup(st, 12);
        f->study = sqlite3_column_int64(st, 13);
        if (!f->key || !f->value || !f->state || !f->item_state) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory reading page %lld", (long long)page);
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(db, err, "reading the fields of a page");
    sqlite3_finalize(st);
    if (rc)
        arc_page_view_release(v);
    return rc;
}

static int page_crop(sqlite3 *db, int64_t page, int margin, const char *png, dg_err *err)
{
    (void)margin; /* the whole page */
    return arc_page_crop(db, page, png, err);
}

int arc_page_png(sqlite3 *db, int64_t page, unsigned char **png, size_t *len, dg_err *err)
{
    return arc_crop_to_memory(db, page_crop, page, 0, png, len, err);
}

int arc_page_jpeg(sqlite3 *db, int64_t page, int width, unsigned char **jpeg, size_t *len,
                  dg_err *err)
{
    *jpeg = NULL;
    *len = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT file_id, page_index FROM page WHERE id = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return dg_err_set(err, DG_ENOTFOUND, "no page %lld", (long long)page);
    }
    int64_t file = sqlite3_column_int64(st, 0);
    int index = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    unsigned char *scan;
    size_t n;
    int rc = arc_read_scan(db, file, &scan, &n, err);
    if (rc)
        return rc;
    rc = ocr_page_scaled_jpeg(scan, n, index, width, jpeg, len, err);
    free(scan);
    return rc;
}
