/*
 * stage_extract.c - the `extract` stage: pages in state 'read' in, records and
 * fields out.  Each page is loaded from the database, classified and read
 * outside any transaction (extract/), then its old extraction is
 * replaced and its new state written in one transaction.  A page that has
 * a record already loaded into the archive is never touched.  Each page is
 * claimed (lease.c) before it is read and its lease freed with its new
 * state, so two extract runs never do the same page.
 */
#include "archive_internal.h"
#include "extract.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct page_ref {
    int64_t id;
    int width, height;
    double skew;
} page_ref;

static int load_queue(sqlite3 *db, int redo, page_ref **out, size_t *n, dg_err *err)
{
    const char *sql =
        redo ? "SELECT p.id, p.width, p.height, coalesce(o.skew_deg, 0) FROM page p "
               "LEFT JOIN ocr_page o ON o.page_id = p.id "
               "WHERE p.state IN ('read', 'extracted', 'unknown_form') ORDER BY p.id"
             : "SELECT p.id, p.width, p.height, coalesce(o.skew_deg, 0) FROM page p "
               "LEFT JOIN ocr_page o ON o.page_id = p.id WHERE p.state = 'read' ORDER BY p.id";
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    size_t alloc = 0;
    *out = NULL;
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            page_ref *p = realloc(*out, alloc * sizeof *p);
            if (!p) {
                sqlite3_finalize(st);
                return dg_err_set(err, DG_ENOMEM, "out of memory");
            }
            *out = p;
        }
        page_ref *r = &(*out)[(*n)++];
        r->id = sqlite3_column_int64(st, 0);
        r->width = sqlite3_column_int(st, 1);
        r->height = sqlite3_column_int(st, 2);
        r->skew = sqlite3_column_double(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot list pages to extract");
}

static ex_box col_box(sqlite3_stmt *st, int first)
{
    ex_box b = {sqlite3_column_int(st, first), sqlite3_column_int(st, first + 1),
                sqlite3_column_int(st, first + 2), sqlite3_column_int(st, first + 3)};
    return b;
}

static int load_page(sqlite3 *db, const page_ref *ref, ex_page **out, dg_err *err)
{
    ex_page *p = *out = ex_page_new(ref->width, ref->height, ref->skew);
    if (!p)
        return dg_err_set(err, DG_ENOMEM, "out of memory loading page %lld", (long long)ref->id);
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id, row_no, col_no, x, y, w, h FROM ocr_cell WHERE page_id = ? "
                       "ORDER BY row_no, col_no", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, ref->id);
    int rc = DG_OK;
    while (rc == DG_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = ex_page_add_cell(p, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
                              sqlite3_column_int(st, 2), col_box(st, 3));
    sqlite3_finalize(st);
    if (rc)
        return dg_err_set(err, DG_ENOMEM, "out of memory loading page %lld", (long long)ref->id);
    /* Fields come from Tesseract's own words: where the second reader's
     * reading of a line was taken (ocr_line.tess, migration 019), the trust
     * stage's re-read of a value by that reader must not agree with it by
     * construction.  Each of those words stands for the line's stored word
     * nearest it (field.words, the boxes review shows). */
    if (db_prepare(db, "WITH t AS (SELECT l.id AS line_id, l.seq AS seq, coalesce(l.cell_id, 0) "
                       "AS cell, j.key AS k, json_extract(j.value, '$.text') AS text, "
                       "json_extract(j.value, '$.conf') AS conf, json_extract(j.value, '$.box[0]') "
                       "AS x, json_extract(j.value, '$.box[1]') AS y, json_extract(j.value, "
                       "'$.box[2]') AS w, json_extract(j.value, '$.box[3]') AS h FROM ocr_line l, "
                       "json_each(l.tess) j WHERE l.page_id = ?1 AND l.tess IS NOT NULL) "
                       "SELECT w.id, w.line_no, coalesce(w.cell_id, l.cell_id, 0), w.text, "
                       "w.conf, w.x, w.y, w.w, w.h, w.word_no FROM ocr_word w "
                       "JOIN ocr_line l ON l.id = w.line_id WHERE w.page_id = ?1 "
                       "AND l.tess IS NULL UNION ALL "
                       "SELECT (SELECT id FROM (SELECT w.id, abs(2 * w.x + w.w - 2 * t.x - t.w) AS d, "
                       "w.word_no AS n FROM ocr_word w WHERE w.line_id = t.line_id) ORDER BY d, n "
                       "LIMIT 1), t.seq, t.cell, t.text, t.conf, t.x, t.y, t.w, t.h, t.k FROM t "
                       "ORDER BY 2, 10", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, ref->id);
    while (rc == DG_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = ex_page_add_word(p, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
                              sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 3),
                              sqlite3_column_double(st, 4), col_box(st, 5));
    sqlite3_finalize(st);
    if (rc == DG_OK)
        rc = ex_page_finish(p);
    return rc ? dg_err_set(err, DG_ENOMEM, "out of memory loading page %lld", (long long)ref->id)
              : DG_OK;
}

/* ---- writing -------------------------------------------------------------------------- */

static void box_json(dg_buf *b, ex_box x)
{
    dg_buf_addf(b, "[%d,%d,%d,%d]", x.x, x.y, x.w, x.h);
}

static char *header_json(const ex_result *r)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_addc(&b, '{');
    int first = 1;
    for (size_t i = 0; r->tpl && i < ex_template_nfields(r->tpl, 1); i++) {
        const ex_value *v = &r->header[i];
        if (!v->raw)
            continue;
        dg_buf_adds(&b, first ? "" : ",");
        first = 0;
        dg_buf_json_str(&b, ex_template_key(r->tpl, 1, i));
        dg_buf_adds(&b, ":{\"raw\":");
        dg_buf_json_str(&b, v->raw);
        dg_buf_adds(&b, ",\"words\":");
        dg_buf_adds(&b, v->words);
        dg_buf_adds(&b, ",\"bbox\":");
        box_json(&b, v->box);
        dg_buf_addf(&b, ",\"confidence\":%.1f}", v->conf_mean);
    }
    dg_buf_addc(&b, '}');
    return dg_buf_detach(&b);
}

static int exec_bind(sqlite3 *db, const char *sql, int64_t id, const char *doing, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, doing);
}

static int clear_page(sqlite3 *db, int64_t page_id, dg_err *err)
{
    if (exec_bind(db, "DELETE FROM field WHERE record_id IN (SELECT id FROM record WHERE "
                      "page_id = ?)", page_id, "cannot clear old fields", err) ||
        exec_bind(db, "DELETE FROM record WHERE page_id = ?", page_id,
                  "cannot clear old records", err) ||
        exec_bind(db, "DELETE FROM page_form WHERE page_id = ?", page_id,
                  "cannot clear old form", err))
        return DG_EDB;
    return DG_OK;
}

static int write_form(sqlite3 *db, int64_t page_id, int64_t run_id, const ex_result *r,
                      dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO page_form(page_id, run_id, template, score, reason, header) "
                       "VALUES (?, ?, ?, ?, ?, ?)", &st, err))
        return DG_EDB;
    char *hdr = header_json(r);
    sqlite3_bind_int64(st, 1, page_id);
    sqlite3_bind_int64(st, 2, run_id);
    if (r->tpl)
        sqlite3_bind_text(st, 3, ex_template_id(r->tpl), -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_double(st, 4, r->score);
    sqlite3_bind_text(st, 5, r->reason[0] ? r->reason : "unknown form", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, hdr ? hdr : "{}", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(hdr);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot store page form");
}

static int write_field(sqlite3_stmt *st, int64_t rec_id, const ex_template *t, size_t i,
                       const ex_value *v)
{
    char rule[160];
    const char *key = ex_template_key(t, 0, i);
    snprintf(rule, sizeof rule, "%s:%s:%s", ex_template_id(t), key,
             v->raw ? v->rule : "not found");
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rec_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v->raw, -1, SQLITE_STATIC); /* NULL raw binds NULL */
    sqlite3_bind_text(st, 4, v->raw, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, v->raw ? "extracted" : "missing", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, v->conf_min);
    sqlite3_bind_double(st, 7, v->conf_mean);
    sqlite3_bind_int(st, 8, v->box.x);
    sqlite3_bind_int(st, 9, v->box.y);
    sqlite3_bind_int(st, 10, v->box.w);
    sqlite3_bind_int(st, 11, v->box.h);
    sqlite3_bind_text(st, 12, v->words ? v->words : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, rule, -1, SQLITE_TRANSIENT);
    return sqlite3_step(st) == SQLITE_DONE ? DG_OK : DG_EDB;
}

static int write_record(sqlite3 *db, sqlite3_stmt *rs, sqlite3_stmt *fs, int64_t page_id,
                        int64_t run_id, const ex_template *t, const ex_record *rec,
                        arc_extract_summary *sum, dg_err *err)
{
    sqlite3_reset(rs);
    sqlite3_bind_int64(rs, 1, page_id);
    sqlite3_bind_int(rs, 2, rec->row_no);
    sqlite3_bind_text(rs, 3, ex_template_id(t), -1, SQLITE_STATIC);
    sqlite3_bind_int64(rs, 4, run_id);
    sqlite3_bind_int(rs, 5, rec->box.x);
    sqlite3_bind_int(rs, 6, rec->box.y);
    sqlite3_bind_int(rs, 7, rec->box.w);
    sqlite3_bind_int(rs, 8, rec->box.h);
    if (sqlite3_step(rs) != SQLITE_DONE)
        return db_fail(db, err, "cannot store record");
    int64_t rec_id = sqlite3_last_insert_rowid(db);
    sum->records++;
    for (size_t i = 0; i < ex_template_nfields(t, 0); i++) {
        const ex_value *v = &rec->values[i];
        if (!v->raw && !ex_template_expected(t, i))
            continue;
        if (write_field(fs, rec_id, t, i, v))
            return db_fail(db, err, "cannot store field");
        sum->fields++;
        sum->missing += v->raw == NULL;
    }
    return DG_OK;
}

static int write_records(sqlite3 *db, int64_t page_id, int64_t run_id, const ex_result *r,
                         arc_extract_summary *sum, dg_err *err)
{
    sqlite3_stmt *rs = NULL, *fs = NULL;
    if (db_prepare(db, "INSERT INTO record(page_id, row_no, template, run_id, x, y, w, h) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &rs, err) ||
        db_prepare(db, "INSERT INTO field(record_id, key, raw, value, state, conf_min, "
                       "conf_mean, x, y, w, h, words, rule) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &fs, err)) {
        sqlite3_finalize(rs);
        return DG_EDB;
    }
    int rc = DG_OK;
    for (size_t i = 0; rc == DG_OK && i < r->nrecords; i++)
        rc = write_record(db, rs, fs, page_id, run_id, r->tpl, &r->records[i], sum, err);
    sqlite3_finalize(rs);
    sqlite3_finalize(fs);
    return rc;
}

/* The page's new state and the end of this run's lease; DG_ECONFLICT when
 * the lease was lost (expired and taken by another run). */
static int set_state(sqlite3 *db, int64_t page_id, int64_t run_id, const char *state,
                     dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE page SET state = ?1, error = NULL, " ARC_LEASE_FREE " WHERE id = "
                       "?2 AND claim_run = ?3", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, page_id);
    sqlite3_bind_int64(st, 3, run_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot set page state");
    return sqlite3_changes(db) == 1 ? DG_OK
                                    : dg_err_set(err, DG_ECONFLICT, "page %lld: lease lost",
                                                 (long long)page_id);
}

static int write_page(sqlite3 *db, int64_t page_id, int64_t run_id, const ex_result *r,
                      arc_extract_summary *sum, dg_err *err)
{
    if (db_begin(db, err))
        return DG_EDB;
    int rc = clear_page(db, page_id, err);
    if (rc == DG_OK)
        rc = write_form(db, page_id, run_id, r, err);
    if (rc == DG_OK && r->tpl)
        rc = write_records(db, page_id, run_id, r, sum, err);
    if (rc == DG_OK)
        rc = set_state(db, page_id, run_id, r->tpl ? "extracted" : "unknown_form", err);
    if (rc == DG_OK)
        rc = db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}

/* ---- the stage ---------------------------------------------------------------------- */

/* Which pages a run may claim (lease.c): still in the state it listed them in. */
static const char claim_read[] = "state = 'read'";
static const char claim_redo[] = "state IN ('read', 'extracted', 'unknown_form')";

static int has_loaded(sqlite3 *db, int64_t page_id)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT 1 FROM record WHERE page_id = ? AND state = 'loaded' LIMIT 1", &st,
                   NULL))
        return 1; /* when in doubt, do not touch */
    sqlite3_bind_int64(st, 1, page_id);
    int r = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return r;
}

static int extract_one(sqlite3 *db, const ex_templates *set, int64_t run_id, const page_ref *ref,
                       arc_extract_summary *sum, dg_err *err)
{
    ex_page *p = NULL;
    ex_result r;
    int rc = load_page(db, ref, &p, err);
    if (rc == DG_OK)
        rc = ex_page_extract(p, set, &r, err);
    if (rc == DG_OK) {
        rc = write_page(db, ref->id, run_id, &r, sum, err);
        if (rc == DG_OK) {
            sum->extracted += r.tpl != NULL;
            sum->unknown += r.tpl == NULL;
        }
        ex_result_release(&r);
    }
    ex_page_free(&p);
    return rc;
}

/* The look-alike classes are the normalizer's: one table of what OCR
 * confuses, edited in one place. */
static int load_templates(const arc_extract_opts *o, ex_templates **set, dg_err *err)
{
    dg_buf dir, look;
    dg_buf_init(&dir, 4096);
    dg_buf_init(&look, 4096);
    dg_buf_addf(&dir, "%s/templates", arc_config_dir());
    dg_buf_addf(&look, "%s/normalize/confusables.tsv", arc_config_dir());
    int rc = !dir.data || !look.data
                 ? dg_err_set(err, DG_ENOMEM, "out of memory")
                 : ex_templates_load_dir(o && o->templates_dir ? o->templates_dir : dir.data,
                                         o ? o->schema_path : NULL, look.data, set, err);
    dg_buf_release(&dir);
    dg_buf_release(&look);
    return rc;
}

static void counts_json(const arc_extract_summary *s, char *out, size_t n)
{
    snprintf(out, n,
             "{\"pages\":%ld,\"extracted\":%ld,\"unknown_form\":%ld,\"skipped_loaded\":%ld,"
             "\"records\":%ld,\"fields\":%ld,\"missing\":%ld}",
             s->pages, s->extracted, s->unknown, s->skipped_loaded, s->records, s->fields,
             s->missing);
    /* only when it happened: the counts of a lone run stay as they were */
    size_t len = strlen(out);
    if (s->skipped_claimed && len > 1 && len + 32 < n)
        snprintf(out + len - 1, n - len + 1, ",\"skipped_claimed\":%ld}", s->skipped_claimed);
}

int arc_extract(sqlite3 *db, const arc_extract_opts *opts, const arc_progress *prog,
                arc_extract_summary *sum, dg_err *err)
{
    arc_extract_summary local;
    if (!sum)
        sum = &local;
    memset(sum, 0, sizeof *sum);
    ex_templates *set;
    if (load_templates(opts, &set, err))
        return err ? err->code : DG_EINPUT;
    page_ref *pages = NULL;
    size_t n = 0;
    int64_t run_id = 0;
    char *params = ex_templates_params(set);
    int rc = params ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
    if (rc == DG_OK)
        rc = db_runs_mark_interrupted(db, "extract", err);
    if (rc == DG_OK)
        rc = load_queue(db, opts && opts->redo, &pages, &n, err);
    if (rc == DG_OK)
        rc = db_run_begin(db, "extract", params, &run_id, err);
    for (size_t i = 0; rc == DG_OK && i < n; i++) {
        arc_progress_report(prog, "extract", (long)i, (long)n, NULL);
        sum->pages++;
        if (has_loaded(db, pages[i].id)) {
            sum->skipped_loaded++;
            continue;
        }
        int got = 0;
        rc = arc_page_claim(db, pages[i].id, run_id, opts && opts->redo ? claim_redo : claim_read,
                            &got, err);
        if (rc == DG_OK && got)
            rc = extract_one(db, set, run_id, &pages[i], sum, err);
        if (rc == DG_ECONFLICT || (rc == DG_OK && !got)) {
            sum->skipped_claimed++;
            rc = DG_OK;
        }
    }
    arc_progress_report(prog, "extract", (long)n, (long)n, NULL);
    if (run_id) {
        char counts[256];
        counts_json(sum, counts, sizeof counts);
        db_run_end(db, run_id, rc ? "failed" : "done", counts, NULL);
    }
    free(params);
    free(pages);
    ex_templates_free(&set);
    return rc;
}
