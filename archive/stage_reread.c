/*
 * stage_reread.c - the second reader over each field's box.
 *
 * Tesseract's confidence does not tell a right name from a wrong one; a
 * second, independent reading of the same box does: where the two agree a
 * value is very likely right, where they differ somebody should look.  For
 * every field of the value types configs/trust.conf names (reread.<type>),
 * of records not yet normalized, the box is cut from the original scan and
 * read by the PP-OCRv4 recognizer (ocr_rec2); the reading is stored in
 * field_reading for the normalize stage to weigh.  A page is decoded once
 * and written in one transaction; a reading already stored is not made
 * again, so the stage resumes after a crash.  Without the model the stage
 * does nothing and says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive_internal.h"
#include "ocr.h"

typedef struct rr_field {
    int64_t id;
    ocr_box box;
} rr_field;

typedef struct rr_page {
    int64_t id;
    int index;
    int64_t file_id;
    char *path;
    rr_field *f;
    size_t n;
} rr_page;

static void page_clear(rr_page *p)
{
    free(p->path);
    free(p->f);
    memset(p, 0, sizeof *p);
}

/* The field keys whose value types are re-read, as an SQL list ('name','supervisor'). */
static int key_list(const int types[DG_VT_COUNT], dg_buf *b)
{
    int rc = DG_OK, any = 0;
    for (size_t i = 0; i < dg_nfield_keys && !rc; i++)
        if (types[dg_field_keys[i].vt]) {
            rc = dg_buf_addf(b, "%s'%s'", any ? "," : "", dg_field_keys[i].key);
            any = 1;
        }
    return rc ? rc : any ? DG_OK : DG_ENOTFOUND;
}

static int select_fields(sqlite3 *db, const int types[DG_VT_COUNT], int redo,
                         sqlite3_stmt **st, dg_err *err)
{
    dg_buf sql;
    dg_buf_init(&sql, 0);
    dg_buf_adds(&sql, "SELECT f.id, f.x, f.y, f.w, f.h, p.id, p.page_index, fl.abspath, "
                      "fl.id FROM field f JOIN record r ON r.id = f.record_id "
                      "JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id "
                      "WHERE f.w > 0 AND f.h > 0 AND f.key IN (");
    int rc = key_list(types, &sql);
    if (rc) {
        dg_buf_release(&sql);
        return rc;
    }
    dg_buf_adds(&sql, redo ? ") AND r.state IN ('extracted', 'normalized', 'pending')"
                           : ") AND r.state = 'extracted' AND NOT EXISTS (SELECT 1 FROM "
                             "field_reading fr WHERE fr.field_id = f.id AND fr.reader = 'rec2')");
    rc = dg_buf_adds(&sql, " ORDER BY p.id, f.id");
    rc = rc ? dg_err_set(err, rc, "out of memory") : db_prepare(db, sql.data, st, err);
    dg_buf_release(&sql);
    return rc;
}

/* The next page's fields from st (positioned on its first row); *more = 0 at the end. */
static int next_page(sqlite3_stmt *st, int *have_row, rr_page *p)
{
    memset(p, 0, sizeof *p);
    if (!*have_row)
        return DG_ENOTFOUND;
    p->id = sqlite3_column_int64(st, 5);
    p->index = sqlite3_column_int(st, 6);
    p->path = dg_strdup((const char *)sqlite3_column_text(st, 7));
    p->file_id = sqlite3_column_int64(st, 8);
    if (!p->path)
        return DG_ENOMEM;
    while (*have_row && sqlite3_column_int64(st, 5) == p->id) {
        rr_field *f = arc_grow(p->f, p->n, sizeof *f);
        if (!f)
            return DG_ENOMEM;
        p->f = f;
        f[p->n].id = sqlite3_column_int64(st, 0);
        f[p->n].box = (ocr_box){sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
                                sqlite3_column_int(st, 3), sqlite3_column_int(st, 4)};
        p->n++;
        *have_row = sqlite3_step(st) == SQLITE_ROW;
    }
    return DG_OK;
}

/* The reading's characters, their probabilities and alternatives, as JSON. */
static int detail_json(const ocr_rec2_result *r, dg_buf *b)
{
    int rc = dg_buf_addf(b, "{\"squeeze\":%.2f,\"chars\":[", r->squeeze);
    for (int i = 0; i < r->nchars && !rc; i++) {
        const ocr_rec2_char *c = &r->chars[i];
        rc = dg_buf_adds(b, i ? ",{\"c\":" : "{\"c\":");
        rc = rc ? rc : dg_buf_json_str(b, c->text);
        rc = rc ? rc : dg_buf_addf(b, ",\"p\":%.4f,\"alt\":[", c->prob);
        for (int k = 0; k < OCR_REC2_ALTS && !rc; k++) {
            rc = dg_buf_adds(b, k ? ",[" : "[");
            rc = rc ? rc : dg_buf_json_str(b, c->alt[k].text);
            rc = rc ? rc : dg_buf_addf(b, ",%.4f]", c->alt[k].prob);
        }
        rc = rc ? rc : dg_buf_adds(b, "]}");
    }
    return rc ? rc : dg_buf_adds(b, "]}");
}

static int store(sqlite3 *db, int64_t run_id, const rr_page *p, const ocr_rec2_result *res,
                 dg_err *err)
{
    sqlite3_stmt *st;
    if (db_begin(db, err))
        return DG_EDB;
    if (db_prepare(db, "INSERT INTO field_reading(field_id, reader, text, conf, detail, run_id) "
                       "VALUES (?, 'rec2', ?, ?, ?, ?) ON CONFLICT(field_id, reader) DO UPDATE "
                       "SET text = excluded.text, conf = excluded.conf, "
                       "detail = excluded.detail, run_id = excluded.run_id",
                   &st, err)) {
        db_rollback(db);
        return DG_EDB;
    }
    int rc = DG_OK;
    dg_buf d;
    dg_buf_init(&d, 1 << 20);
    for (size_t i = 0; i < p->n && !rc; i++) {
        dg_buf_reset(&d);
        if (detail_json(&res[i], &d)) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        sqlite3_bind_int64(st, 1, p->f[i].id);
        sqlite3_bind_text(st, 2, res[i].text ? res[i].text : "", -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, res[i].conf);
        sqlite3_bind_text(st, 4, d.data, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, run_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, err, "cannot store reading");
        sqlite3_reset(st);
    }
    dg_buf_release(&d);
    sqlite3_finalize(st);
    rc = rc ? rc : db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}

/* The scan the pages being read come from: read and checked once for all
 * the pages of a multi-page file (they come in page order). */
typedef struct scan {
    int64_t file_id;
    unsigned char *data; /* NULL: gone or changed since ingest */
    size_t len;
} scan;

static void scan_clear(scan *sc)
{
    free(sc->data);
    memset(sc, 0, sizeof *sc);
}

static int scan_for(sqlite3 *db, scan *sc, const rr_page *p, arc_reread_summary *sum)
{
    if (sc->file_id == p->file_id)
        return DG_OK;
    scan_clear(sc);
    sc->file_id = p->file_id;
    dg_err e = {0};
    int rc = arc_read_scan(db, p->file_id, &sc->data, &sc->len, &e);
    if (rc == DG_ENOMEM)
        return rc;
    if (rc) {
        sc->data = NULL; /* its fields fail: not evidence */
        if (!sum->failed_scans++) /* the operator needs to know which scan */
            snprintf(sum->first_failed, sizeof sum->first_failed, "%s", e.msg);
    }
    return DG_OK;
}

/* Read one page's boxes; a scan that is gone or changed fails the page only. */
static int read_page(sqlite3 *db, ocr_rec2 *const r2[2], int64_t run_id, const rr_page *p,
                     scan *sc, arc_reread_summary *sum, dg_err *err)
{
    int rc = scan_for(db, sc, p, sum);
    if (rc)
        return dg_err_set(err, rc, "out of memory reading '%s'", p->path);
    if (!sc->data) {
        sum->failed += (long)p->n;
        return DG_OK;
    }
    ocr_rec2_result *res = calloc(p->n, sizeof *res);
    ocr_box *boxes = malloc(p->n * sizeof *boxes);
    dg_err e = {0};
    for (size_t i = 0; boxes && i < p->n; i++)
        boxes[i] = p->f[i].box;
    rc = res && boxes ? ocr_rec2_read_boxes(r2[0], r2[1], sc->data, sc->len, p->index, boxes,
                                            p->n, res, &e)
                      : DG_ENOMEM;
    free(boxes);
    if (rc == DG_ENOMEM) {
        dg_err_set(err, rc, "out of memory reading page %lld", (long long)p->id);
    } else if (rc) {
        sum->failed += (long)p->n; /* an undecodable page was already failed by OCR */
        rc = DG_OK;
    } else {
        rc = store(db, run_id, p, res, err);
        sum->read += rc ? 0 : (long)p->n;
    }
    for (size_t i = 0; res && i < p->n; i++)
        ocr_rec2_result_free(&res[i]);
    free(res);
    return rc;
}

/* The process's CPU seconds: the second reader runs OpenCV's own thread
 * pool, whose threads a thread clock would miss. */
static double process_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int reread_pages(sqlite3 *db, ocr_rec2 *const r2[2], const int types[DG_VT_COUNT],
                        const arc_reread_opts *o, const arc_progress *prog,
                        arc_reread_summary *sum, dg_err *err)
{
    sqlite3_stmt *st;
    int64_t total = 0;
    int rc = select_fields(db, types, o->redo, &st, err);
    if (rc == DG_ENOTFOUND)
        return DG_OK; /* no type is re-read */
    if (rc)
        return rc;
    /* The whole list is read, and the statement finished, before the first
     * page is written: a write begun while this connection still reads an
     * older snapshot fails at once with "database is locked" (no busy wait
     * helps) as soon as another process wrote in between: of two reread at
     * once, one or both failed so (any other writer in between would do). */
    rr_page *pages = NULL, p;
    size_t npages = 0;
    int have = sqlite3_step(st) == SQLITE_ROW;
    while (!rc && (rc = next_page(st, &have, &p)) == DG_OK) {
        rr_page *v = arc_grow(pages, npages, sizeof *v);
        if (!v) {
            page_clear(&p);
            rc = DG_ENOMEM;
            break;
        }
        pages = v;
        pages[npages++] = p;
        total += (int64_t)p.n;
    }
    sqlite3_finalize(st);
    if (rc == DG_ENOTFOUND)
        rc = DG_OK;
    else if (rc == DG_ENOMEM)
        page_clear(&p);
    scan sc = {0};
    double t0 = process_cpu();
    for (size_t i = 0; i < npages && !rc; i++) {
        sum->pages++;
        sum->fields += (long)pages[i].n;
        rc = read_page(db, r2, sum->run_id, &pages[i], &sc, sum, err);
        arc_progress_report(prog, "reread", sum->fields, (long)total, NULL);
    }
    sum->cpu_read = process_cpu() - t0;
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory");
    for (size_t i = 0; i < npages; i++)
        page_clear(&pages[i]);
    free(pages);
    scan_clear(&sc);
    return rc;
}

int arc_reread(sqlite3 *db, const arc_reread_opts *o, const arc_progress *prog,
               arc_reread_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    int types[DG_VT_COUNT] = {0};
    arc_trust *t = NULL;
    int rc = db_runs_mark_interrupted(db, "reread", err);
    rc = rc ? rc : arc_trust_open(o->config_dir ? o->config_dir : arc_config_dir(), &t, err);
    if (rc)
        return rc;
    if (!t) {
        snprintf(sum->why, sizeof sum->why, "no configs/trust.conf: readings are not weighed");
        return DG_OK;
    }
    arc_trust_reread_types(t, types);
    arc_trust_close(&t);
    char model[4096], dict[4096];
    ocr_rec2 *r2[2] = {NULL, NULL}; /* the narrow model (optional), the wide one */
    dg_err e = {0};
    double t0 = process_cpu();
    if (ocr_rec2_default_paths(ARC_REREAD_NARROW, model, sizeof model, dict, sizeof dict) == 1)
        ocr_rec2_new(model, dict, &r2[0], NULL);
    if (ocr_rec2_default_paths(ARC_REREAD_WIDTH, model, sizeof model, dict, sizeof dict) != 1 ||
        ocr_rec2_new(model, dict, &r2[1], &e)) {
        ocr_rec2_free(&r2[0]);
        snprintf(sum->why, sizeof sum->why, "second reader not available: %.400s",
                 e.msg[0] ? e.msg : "model not found (run tools/fetch-models.sh)");
        return DG_OK;
    }
    sum->available = 1;
    sum->cpu_load = process_cpu() - t0;
    char params[4400];
    snprintf(params, sizeof params,
             "{\"redo\":%d,\"reader\":\"rec2\",\"width\":%d,\"narrow\":%d}", o->redo,
             ARC_REREAD_WIDTH, r2[0] ? ARC_REREAD_NARROW : 0);
    rc = db_run_begin(db, "reread", params, &sum->run_id, err);
    if (!rc) {
        rc = reread_pages(db, r2, types, o, prog, sum, err);
        char counts[256];
        snprintf(counts, sizeof counts,
                 "{\"pages\":%ld,\"fields\":%ld,\"read\":%ld,\"failed\":%ld,"
                 "\"cpu_seconds\":{\"load\":%.3f,\"read\":%.3f}}",
                 sum->pages, sum->fields, sum->read, sum->failed, sum->cpu_load, sum->cpu_read);
        db_run_end(db, sum->run_id, rc ? "failed" : "done", counts, NULL);
    }
    ocr_rec2_free(&r2[0]);
    ocr_rec2_free(&r2[1]);
    return rc;
}
