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
 *
 * Fields of the types trust.conf names with reread3.<type> (names by
 * default) are also read by the third reader (ocr_tess3: Tesseract's 4.0.0
 * model), reading 'tess3': a third independent opinion where the page
 * reader and the second reader agree on a confusable character, or a
 * casting vote where they differ.  Either reader works without the other.
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
    int need2, need3; /* to be read by the second reader, the third */
} rr_field;

/* The readers of the stage and the value types each reads. */
typedef struct rr_readers {
    ocr_rec2 *r2[2]; /* the second reader's narrow model (optional), its wide one */
    ocr_tess3 *t3;
    int types2[DG_VT_COUNT], types3[DG_VT_COUNT];
} rr_readers;

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
static int key_list(const rr_readers *rd, dg_buf *b)
{
    int rc = DG_OK, any = 0;
    for (size_t i = 0; i < dg_nfield_keys && !rc; i++)
        if ((rd->r2[1] && rd->types2[dg_field_keys[i].vt]) ||
            (rd->t3 && rd->types3[dg_field_keys[i].vt])) {
            rc = dg_buf_addf(b, "%s'%s'", any ? "," : "", dg_field_keys[i].key);
            any = 1;
        }
    return rc ? rc : any ? DG_OK : DG_ENOTFOUND;
}

static int select_fields(sqlite3 *db, const rr_readers *rd, const arc_reread_opts *o,
                         sqlite3_stmt **st, dg_err *err)
{
    dg_buf sql;
    dg_buf_init(&sql, 0);
    dg_buf_adds(&sql, "SELECT f.id, f.x, f.y, f.w, f.h, p.id, p.page_index, fl.abspath, "
                      "fl.id, f.key, EXISTS (SELECT 1 FROM field_reading fr WHERE "
                      "fr.field_id = f.id AND fr.reader = 'rec2'), EXISTS (SELECT 1 FROM "
                      "field_reading fr WHERE fr.field_id = f.id AND fr.reader = 'tess3') "
                      "FROM field f JOIN record r ON r.id = f.record_id "
                      "JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id "
                      "WHERE f.w > 0 AND f.h > 0 AND f.key IN (");
    int rc = key_list(rd, &sql);
    if (rc) {
        dg_buf_release(&sql);
        return rc;
    }
    dg_buf_adds(&sql, o->redo || o->missing
                          ? ") AND r.state IN ('extracted', 'normalized', 'pending')"
                          : ") AND r.state = 'extracted'");
    rc = dg_buf_adds(&sql, " ORDER BY p.id, f.id");
    rc = rc ? dg_err_set(err, rc, "out of memory") : db_prepare(db, sql.data, st, err);
    dg_buf_release(&sql);
    return rc;
}

/* The next page's fields from st (positioned on its first row) that some
 * reader is to read; DG_ENOTFOUND at the end. */
static int next_page(sqlite3_stmt *st, const rr_readers *rd, int redo, int *have_row,
                     rr_page *p)
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
        const dg_field_key *k = dg_field_key_find((const char *)sqlite3_column_text(st, 9));
        int vt = k ? (int)k->vt : DG_VT_TEXT;
        int need2 = rd->r2[1] && rd->types2[vt] && (redo || !sqlite3_column_int(st, 10));
        int need3 = rd->t3 && rd->types3[vt] && (redo || !sqlite3_column_int(st, 11));
        if (!need2 && !need3) {
            *have_row = sqlite3_step(st) == SQLITE_ROW;
            continue;
        }
        rr_field *f = arc_grow(p->f, p->n, sizeof *f);
        if (!f)
            return DG_ENOMEM;
        p->f = f;
        f[p->n].id = sqlite3_column_int64(st, 0);
        f[p->n].box = (ocr_box){sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
                                sqlite3_column_int(st, 3), sqlite3_column_int(st, 4)};
        f[p->n].need2 = need2;
        f[p->n].need3 = need3;
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

static int store(sqlite3 *db, int64_t run_id, const rr_page *p, const ocr_rec2_result *res2,
                 const ocr_tess3_result *res3, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_begin(db, err))
        return DG_EDB;
    if (db_prepare(db, "INSERT INTO field_reading(field_id, reader, text, conf, detail, run_id) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(field_id, reader) DO UPDATE "
                       "SET text = excluded.text, conf = excluded.conf, "
                       "detail = excluded.detail, run_id = excluded.run_id",
                   &st, err)) {
        db_rollback(db);
        return DG_EDB;
    }
    int rc = DG_OK;
    dg_buf d;
    dg_buf_init(&d, 1 << 20);
    for (size_t i = 0; i < 2 * p->n && !rc; i++) {
        size_t k = i / 2;
        int third = (int)(i % 2);
        if (third ? !p->f[k].need3 : !p->f[k].need2)
            continue;
        dg_buf_reset(&d);
        if (third ? dg_buf_adds(&d, "{}") : detail_json(&res2[k], &d)) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        const char *text = third ? res3[k].text : res2[k].text;
        sqlite3_bind_int64(st, 1, p->f[k].id);
        sqlite3_bind_text(st, 2, third ? "tess3" : "rec2", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text ? text : "", -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 4, third ? res3[k].conf : res2[k].conf);
        sqlite3_bind_text(st, 5, d.data, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, run_id);
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

/* The boxes of p's fields that reader 3 (third) or 2 is to read, and
 * where each came from: idx[j] is the field of box j. */
static size_t boxes_for(const rr_page *p, int third, ocr_box *boxes, size_t *idx)
{
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++)
        if (third ? p->f[i].need3 : p->f[i].need2) {
            idx[m] = i;
            boxes[m++] = p->f[i].box;
        }
    return m;
}

/* Read one page's boxes; a scan that is gone or changed fails the page only. */
static int read_page(sqlite3 *db, const rr_readers *rd, int64_t run_id, const rr_page *p,
                     scan *sc, arc_reread_summary *sum, dg_err *err)
{
    int rc = scan_for(db, sc, p, sum);
    if (rc)
        return dg_err_set(err, rc, "out of memory reading '%s'", p->path);
    if (!sc->data) {
        sum->failed += (long)p->n;
        return DG_OK;
    }
    ocr_rec2_result *res2 = calloc(p->n, sizeof *res2), *r2 = calloc(p->n, sizeof *r2);
    ocr_tess3_result *res3 = calloc(p->n, sizeof *res3), *r3 = calloc(p->n, sizeof *r3);
    ocr_box *boxes = malloc(p->n * sizeof *boxes);
    size_t *idx = malloc(p->n * sizeof *idx), m2 = 0, m3 = 0;
    dg_err e = {0};
    rc = res2 && r2 && res3 && r3 && boxes && idx ? DG_OK : DG_ENOMEM;
    if (!rc && (m2 = boxes_for(p, 0, boxes, idx)) > 0) {
        rc = ocr_rec2_read_boxes(rd->r2[0], rd->r2[1], sc->data, sc->len, p->index, boxes, m2,
                                 r2, &e);
        for (size_t j = 0; !rc && j < m2; j++) /* moved, not copied: freed once below */
            res2[idx[j]] = r2[j];
    }
    if (!rc && (m3 = boxes_for(p, 1, boxes, idx)) > 0) {
        rc = ocr_tess3_read_boxes(rd->t3, sc->data, sc->len, p->index, boxes, m3, r3, &e);
        for (size_t j = 0; !rc && j < m3; j++)
            res3[idx[j]] = r3[j];
    }
    if (rc == DG_ENOMEM) {
        dg_err_set(err, rc, "out of memory reading page %lld", (long long)p->id);
    } else if (rc) {
        sum->failed += (long)p->n; /* an undecodable page was already failed by OCR */
        rc = DG_OK;
    } else {
        rc = store(db, run_id, p, res2, res3, err);
        sum->read += rc ? 0 : (long)m2;
        sum->read3 += rc ? 0 : (long)m3;
    }
    for (size_t i = 0; res2 && res3 && i < p->n; i++) {
        ocr_rec2_result_free(&res2[i]);
        ocr_tess3_result_free(&res3[i]);
    }
    free(res2);
    free(r2);
    free(res3);
    free(r3);
    free(boxes);
    free(idx);
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

static int reread_pages(sqlite3 *db, const rr_readers *rd, const arc_reread_opts *o,
                        const arc_progress *prog, arc_reread_summary *sum, dg_err *err)
{
    sqlite3_stmt *st;
    int64_t total = 0;
    int rc = select_fields(db, rd, o, &st, err);
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
    while (!rc && (rc = next_page(st, rd, o->redo, &have, &p)) == DG_OK) {
        if (!p.n) { /* every box of the page read already */
            page_clear(&p);
            continue;
        }
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
        rc = read_page(db, rd, sum->run_id, &pages[i], &sc, sum, err);
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

/* The readers whose models are installed; why says which are not. */
static void readers_open(rr_readers *rd, arc_reread_summary *sum)
{
    char model[4096], dict[4096];
    dg_err e = {0};
    if (ocr_rec2_default_paths(ARC_REREAD_NARROW, model, sizeof model, dict, sizeof dict) == 1)
        ocr_rec2_new(model, dict, &rd->r2[0], NULL);
    if (ocr_rec2_default_paths(ARC_REREAD_WIDTH, model, sizeof model, dict, sizeof dict) != 1 ||
        ocr_rec2_new(model, dict, &rd->r2[1], &e)) {
        ocr_rec2_free(&rd->r2[0]);
        snprintf(sum->why, sizeof sum->why, "second reader not available: %.400s",
                 e.msg[0] ? e.msg : "model not found (run tools/fetch-models.sh)");
    }
    int any3 = 0;
    for (int v = 0; v < DG_VT_COUNT; v++)
        any3 |= rd->types3[v];
    dg_err e3 = {0};
    if (any3 && (ocr_tess3_default_dir(model, sizeof model) != 1 ||
                 ocr_tess3_new(model, &rd->t3, &e3)))
        snprintf(sum->why3, sizeof sum->why3, "third reader not available: %.400s",
                 e3.msg[0] ? e3.msg : "model not found (run tools/fetch-models.sh)");
    sum->available = rd->r2[1] != NULL;
    sum->third = rd->t3 != NULL;
}

static void readers_close(rr_readers *rd)
{
    ocr_rec2_free(&rd->r2[0]);
    ocr_rec2_free(&rd->r2[1]);
    ocr_tess3_free(&rd->t3);
}

int arc_reread(sqlite3 *db, const arc_reread_opts *o, const arc_progress *prog,
               arc_reread_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    rr_readers rd = {0};
    arc_trust *t = NULL;
    int rc = db_runs_mark_interrupted(db, "reread", err);
    rc = rc ? rc : arc_trust_open(o->config_dir ? o->config_dir : arc_config_dir(), &t, err);
    if (rc)
        return rc;
    if (!t) {
        snprintf(sum->why, sizeof sum->why, "no configs/trust.conf: readings are not weighed");
        return DG_OK;
    }
    arc_trust_reread_types(t, rd.types2, rd.types3);
    arc_trust_close(&t);
    double t0 = process_cpu();
    readers_open(&rd, sum);
    sum->cpu_load = process_cpu() - t0;
    if (!rd.r2[1] && !rd.t3) {
        readers_close(&rd);
        return DG_OK;
    }
    char params[4400];
    snprintf(params, sizeof params,
             "{\"redo\":%d,\"missing\":%d,\"reader\":\"rec2\",\"width\":%d,\"narrow\":%d,"
             "\"third\":%s}",
             o->redo, o->missing, ARC_REREAD_WIDTH, rd.r2[0] ? ARC_REREAD_NARROW : 0,
             rd.t3 ? "\"tess3\"" : "null");
    rc = db_run_begin(db, "reread", params, &sum->run_id, err);
    if (!rc) {
        rc = reread_pages(db, &rd, o, prog, sum, err);
        char counts[256];
        snprintf(counts, sizeof counts,
                 "{\"pages\":%ld,\"fields\":%ld,\"read\":%ld,\"read3\":%ld,\"failed\":%ld,"
                 "\"cpu_seconds\":{\"load\":%.3f,\"read\":%.3f}}",
                 sum->pages, sum->fields, sum->read, sum->read3, sum->failed, sum->cpu_load,
                 sum->cpu_read);
        db_run_end(db, sum->run_id, rc ? "failed" : "done", counts, NULL);
    }
    readers_close(&rd);
    return rc;
}
