/*
 * status.c - what the workspace holds: files, pages by state, quarantine,
 * low-resolution, skewed and failed pages, and (when later stages have run)
 * records, the archive and review counts.  Read into an arc_status;
 * `dangan status` prints it as text, arc_status_json as JSON.
 */
#include <sqlite3.h>
#include <string.h>

#include "archive_internal.h"

/* DA/T 31 expects scans within 3 degrees of straight; OCR measures it. */
#define SKEW_LIMIT_DEG 3.0

static int64_t count_of(sqlite3 *db, const char *sql)
{
    int64_t v = 0;
    db_query_int(db, sql, &v, NULL);
    return v;
}

/* Rows of (name, count) into c. */
static int read_counts(sqlite3 *db, const char *sql, arc_counts *c)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, NULL))
        return DG_EDB;
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        arc_count *v = arc_grow(c->v, c->n, sizeof *v);
        if (!v) {
            rc = DG_ENOMEM;
            break;
        }
        c->v = v;
        v[c->n].n = sqlite3_column_int64(st, 1);
        rc = arc_col_dup(st, 0, &v[c->n++].name);
    }
    sqlite3_finalize(st);
    return rc ? rc : step == SQLITE_DONE ? DG_OK : DG_EDB;
}

static void counts_release(arc_counts *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].name);
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* Rows of (file, page index, a, b) into p; kind says what a and b are. */
enum { PAGE_DPI, PAGE_SKEW, PAGE_ERROR, PAGE_QUARANTINE };

static int read_pages(sqlite3 *db, const char *sql, int kind, arc_status_pages *p)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, NULL))
        return DG_EDB;
    if (kind == PAGE_SKEW)
        sqlite3_bind_double(st, 1, SKEW_LIMIT_DEG);
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        arc_status_page *v = arc_grow(p->v, p->n, sizeof *v);
        if (!v) {
            rc = DG_ENOMEM;
            break;
        }
        p->v = v;
        arc_status_page *e = &v[p->n++];
        rc = arc_col_dup(st, 0, &e->file);
        if (kind == PAGE_QUARANTINE) {
            rc = rc ? rc : arc_col_dup(st, 1, &e->error);
            continue;
        }
        e->page = sqlite3_column_int(st, 1) + 1;
        if (kind == PAGE_DPI) {
            e->dpi = sqlite3_column_int(st, 2);
            e->dpi_by_size = sqlite3_column_int(st, 3);
        } else if (kind == PAGE_SKEW) {
            e->skew_deg = sqlite3_column_double(st, 2);
        } else {
            rc = rc ? rc : arc_col_dup(st, 2, &e->error);
        }
    }
    sqlite3_finalize(st);
    return rc ? rc : step == SQLITE_DONE ? DG_OK : DG_EDB;
}

static void pages_release(arc_status_pages *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].file);
        free(p->v[i].error);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

static void read_totals(sqlite3 *db, arc_status *s)
{
    s->files = count_of(db, "SELECT count(*) FROM file");
    s->aliases = count_of(db, "SELECT count(*) - (SELECT count(*) FROM file) FROM file_path");
    s->pages = count_of(db, "SELECT count(*) FROM page");
    s->low_dpi = count_of(db, "SELECT count(*) FROM page WHERE low_dpi");
    s->quarantined = count_of(db, "SELECT count(*) FROM quarantine");
    s->records = count_of(db, "SELECT count(*) FROM record");
    s->fields_missing = count_of(db, "SELECT count(*) FROM field WHERE state = 'missing'");
    s->unknown_form_pages = count_of(db, "SELECT count(*) FROM page WHERE state = 'unknown_form'");
    s->persons = count_of(db, "SELECT count(*) FROM person");
    s->study_records = count_of(db, "SELECT count(*) FROM study_record");
    s->records_loaded = count_of(db, "SELECT count(*) FROM record WHERE state = 'loaded'");
    s->records_pending = count_of(db, "SELECT count(*) FROM record WHERE state = 'pending'");
    s->review_open = count_of(db, "SELECT count(*) FROM review_item WHERE state = 'open'");
}

int arc_status_read(sqlite3 *db, arc_status *s, dg_err *err)
{
    memset(s, 0, sizeof *s);
    s->skew_limit_deg = SKEW_LIMIT_DEG;
    read_totals(db, s);
    int rc = read_counts(db, "SELECT state, count(*) FROM page GROUP BY state ORDER BY state",
                         &s->page_states);
    rc = rc ? rc
            : read_pages(db, "SELECT f.path, p.page_index, p.dpi, p.dpi_by_size FROM page p "
                             "JOIN file f ON f.id = p.file_id WHERE p.low_dpi ORDER BY p.id",
                         PAGE_DPI, &s->low_dpi_pages);
    rc = rc ? rc
            : read_pages(db, "SELECT path, reason FROM quarantine ORDER BY id", PAGE_QUARANTINE,
                         &s->quarantine);
    rc = rc ? rc
            : read_pages(db, "SELECT f.path, p.page_index, o.skew_deg FROM ocr_page o "
                             "JOIN page p ON p.id = o.page_id JOIN file f ON f.id = p.file_id "
                             "WHERE abs(o.skew_deg) > ?1 ORDER BY p.id",
                         PAGE_SKEW, &s->skewed);
    rc = rc ? rc
            : read_pages(db, "SELECT f.path, p.page_index, p.error FROM page p JOIN file f ON "
                             "f.id = p.file_id WHERE p.state = 'failed' ORDER BY p.id",
                         PAGE_ERROR, &s->failed);
    /* Records by state and pages by recognised form; unknown forms wait for review. */
    rc = rc ? rc
            : read_counts(db, "SELECT state, count(*) FROM record GROUP BY state ORDER BY state",
                          &s->record_states);
    rc = rc ? rc
            : read_counts(db, "SELECT coalesce(template, 'unknown form'), count(*) FROM "
                              "page_form GROUP BY 1 ORDER BY 1",
                          &s->forms);
    /* Stage runs not done: still running, or whose process died (aborted). */
    rc = rc ? rc
            : read_counts(db, "SELECT stage || ' ' || status, count(*) FROM run WHERE status "
                              "IN ('running', 'aborted', 'interrupted') GROUP BY 1 ORDER BY 1",
                          &s->runs);
    /* Pending records grouped by the reason load gave (load_wait). */
    rc = rc ? rc
            : read_counts(db, "SELECT w.reason, count(*) FROM load_wait w JOIN record r ON "
                              "r.id = w.record_id WHERE r.state = 'pending' GROUP BY w.reason "
                              "ORDER BY count(*) DESC, w.reason",
                          &s->pending_reasons);
    if (rc) {
        arc_status_release(s);
        return rc == DG_ENOMEM ? dg_err_set(err, rc, "out of memory reading status")
                               : db_fail(db, err, "cannot read status");
    }
    /* batches the acceptance check flags (arc_qa_report_read names a bad qa.conf) */
    rc = arc_qa_report_read(db, 0, NULL, &s->qa, err);
    if (rc)
        arc_status_release(s);
    return rc;
}

void arc_status_release(arc_status *s)
{
    counts_release(&s->page_states);
    counts_release(&s->record_states);
    counts_release(&s->forms);
    counts_release(&s->pending_reasons);
    counts_release(&s->runs);
    pages_release(&s->low_dpi_pages);
    pages_release(&s->quarantine);
    pages_release(&s->skewed);
    pages_release(&s->failed);
    arc_qa_report_release(&s->qa);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void counts_json(const arc_counts *c, dg_buf *b)
{
    dg_buf_addc(b, '{');
    for (size_t i = 0; i < c->n; i++) {
        dg_buf_adds(b, i ? "," : "");
        dg_buf_json_str(b, c->v[i].name);
        dg_buf_addf(b, ":%lld", (long long)c->v[i].n);
    }
    dg_buf_addc(b, '}');
}

/* {"file":..., then what follows for each kind of page list. */
static void pages_json(const arc_status_pages *p, int kind, dg_buf *b)
{
    for (size_t i = 0; i < p->n; i++) {
        const arc_status_page *e = &p->v[i];
        dg_buf_adds(b, i ? ",{\"file\":" : "{\"file\":");
        dg_buf_json_str(b, e->file);
        if (kind == PAGE_QUARANTINE) {
            dg_buf_adds(b, ",\"reason\":");
            dg_buf_json_str(b, e->error);
            dg_buf_addc(b, '}');
        } else if (kind == PAGE_DPI) {
            dg_buf_addf(b, ",\"page\":%d,\"dpi\":%d,\"recorded_dpi\":%d}", e->page,
                        e->dpi_by_size > 0 ? e->dpi_by_size : e->dpi, e->dpi);
        } else if (kind == PAGE_SKEW) {
            dg_buf_addf(b, ",\"page\":%d,\"skew_deg\":%.2f}", e->page, e->skew_deg);
        } else {
            dg_buf_addf(b, ",\"page\":%d,\"error\":", e->page);
            dg_buf_json_str(b, e->error);
            dg_buf_addc(b, '}');
        }
    }
}

int arc_status_json(const arc_status *s, dg_buf *b)
{
    dg_buf_addf(b, "{\"files\":%lld,\"aliases\":%lld,\"pages_total\":%lld,\"pages\":",
                (long long)s->files, (long long)s->aliases, (long long)s->pages);
    counts_json(&s->page_states, b);
    dg_buf_addf(b, ",\"low_dpi_pages\":%lld,\"quarantined\":%lld,\"quarantine\":[",
                (long long)s->low_dpi, (long long)s->quarantined);
    pages_json(&s->quarantine, PAGE_QUARANTINE, b);
    dg_buf_adds(b, "],\"low_dpi\":[");
    pages_json(&s->low_dpi_pages, PAGE_DPI, b);
    dg_buf_adds(b, "],\"skewed\":[");
    pages_json(&s->skewed, PAGE_SKEW, b);
    dg_buf_adds(b, "],\"failed\":[");
    pages_json(&s->failed, PAGE_ERROR, b);
    dg_buf_adds(b, "],\"extraction\":{\"records\":");
    counts_json(&s->record_states, b);
    dg_buf_adds(b, ",\"forms\":");
    counts_json(&s->forms, b);
    dg_buf_addf(b, ",\"unknown_form_pages\":%lld,\"fields_missing\":%lld}",
                (long long)s->unknown_form_pages, (long long)s->fields_missing);
    dg_buf_addf(b, ",\"archive\":{\"persons\":%lld,\"study_records\":%lld,"
                   "\"records_loaded\":%lld,\"records_pending\":%lld,\"review_open\":%lld,"
                   "\"pending_reasons\":[",
                (long long)s->persons, (long long)s->study_records,
                (long long)s->records_loaded, (long long)s->records_pending,
                (long long)s->review_open);
    for (size_t i = 0; i < s->pending_reasons.n; i++) {
        dg_buf_adds(b, i ? ",{\"reason\":" : "{\"reason\":");
        dg_buf_json_str(b, s->pending_reasons.v[i].name);
        dg_buf_addf(b, ",\"records\":%lld}", (long long)s->pending_reasons.v[i].n);
    }
    dg_buf_adds(b, "]},\"runs\":");
    counts_json(&s->runs, b);
    dg_buf_adds(b, ",\"qa\":");
    arc_qa_report_json(&s->qa, b);
    return dg_buf_addc(b, '}');
}
