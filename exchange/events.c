/*
 * events.c - the PREMIS events of an archived study record, read from the
 * workspace tables (runs, files, pages, decisions).  Every query returns the
 * same ten columns, so the events come from one list of statements; when a
 * tamper-evident chain holds these events, this file is the one to switch.
 */
#include "exchange_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The source records of study ?1 with their page and file. */
#define SRC                                                                                    \
    "WITH src AS (SELECT ss.record_id, ss.role, ss.load_run, r.page_id, r.run_id AS ext_run, " \
    "r.template, r.row_no, pg.file_id, pg.page_index FROM study_source ss "                   \
    "JOIN record r ON r.id = ss.record_id JOIN page pg ON pg.id = r.page_id "                  \
    "WHERE ss.study_id = ?1) "
/* The software agent of run alias `r`. */
#define AGENT(r) "'dangan ' || " r ".version"

/* Columns: id, type, loc_type, when, detail, outcome, note, agent, person, file. */
static const char *const event_sql[] = {
    /* ingest, with the SHA-256 computed then */
    SRC "SELECT DISTINCT 'ingest-' || f.id, 'ingestion', 1, f.added, "
        "'scan ' || f.path || ' ingested (' || f.format || ', ' || f.size || ' bytes, ' || "
        "f.page_count || ' page(s))', 'success', '', " AGENT("ru") ", 0, f.id "
        "FROM file f JOIN batch b ON b.id = f.batch_id JOIN run ru ON ru.id = b.run_id "
        "WHERE f.id IN (SELECT file_id FROM src)",
    SRC "SELECT DISTINCT 'fixity-' || f.id, 'message digest calculation', 1, f.added, "
        "'SHA-256 of the scan''s bytes at ingest', 'success', 'SHA-256 ' || f.sha256, "
        AGENT("ru") ", 0, f.id "
        "FROM file f JOIN batch b ON b.id = f.batch_id JOIN run ru ON ru.id = b.run_id "
        "WHERE f.id IN (SELECT file_id FROM src)",
    /* OCR of each source page */
    SRC "SELECT DISTINCT 'ocr-' || o.page_id, 'optical character recognition', 0, "
        "coalesce(ru.finished, ru.started), "
        "'page ' || (s.page_index + 1) || ' read by OCR run ' || ru.id || ' (language ' || "
        "o.lang || ', skew ' || printf('%.2f', o.skew_deg) || ' deg)', ru.status, "
        "'mean word confidence ' || printf('%.1f', o.mean_conf), " AGENT("ru") ", 0, s.file_id "
        "FROM src s JOIN ocr_page o ON o.page_id = s.page_id JOIN run ru ON ru.id = o.run_id",
    /* extraction of each source record */
    SRC "SELECT 'extract-' || s.record_id, 'metadata extraction', 1, "
        "coalesce(ru.finished, ru.started), "
        "'record ' || s.record_id || ' read from page ' || (s.page_index + 1) || "
        "CASE WHEN s.row_no > 0 THEN ' row ' || s.row_no ELSE '' END || "
        "' with template ' || s.template, ru.status, '', " AGENT("ru") ", 0, 0 "
        "FROM src s JOIN run ru ON ru.id = s.ext_run",
    /* normalization: one event per record and normalize run */
    SRC "SELECT 'normalize-' || s.record_id || '-' || ru.id, 'normalization', 1, "
        "coalesce(ru.finished, ru.started), "
        "count(*) || ' value(s) of record ' || s.record_id || ' normalized by run ' || ru.id, "
        "ru.status, '', " AGENT("ru") ", 0, 0 "
        "FROM src s JOIN field fd ON fd.record_id = s.record_id "
        "JOIN run ru ON ru.id = fd.norm_run GROUP BY s.record_id, ru.id",
    /* review decisions on the records' fields, the records, or the study */
    SRC "SELECT 'decision-' || d.id, 'review decision', 0, d.decided, "
        "d.verb || ' on ' || CASE WHEN fd.id IS NOT NULL THEN 'field ' || fd.key || "
        "' of record ' || fd.record_id ELSE i.kind || ' item ' || i.id END || "
        "CASE WHEN d.before_value IS NOT d.after_value THEN ': ' || "
        "coalesce(d.before_value, '(none)') || ' -> ' || coalesce(d.after_value, '(none)') "
        "ELSE '' END, d.item_after, d.note, d.operator, 1, 0 "
        "FROM review_decision d JOIN review_item i ON i.id = d.item_id "
        "LEFT JOIN field fd ON fd.id = i.field_id "
        "WHERE fd.record_id IN (SELECT record_id FROM src) "
        "OR i.record_id IN (SELECT record_id FROM src) OR i.study_id = ?1",
    /* load: each source record joining the archive */
    SRC "SELECT 'load-' || s.record_id, 'accession', 1, "
        "coalesce(ru.finished, ru.started, st.loaded), "
        "'record ' || s.record_id || ' archived as the ' || s.role || ' source of study record ' "
        "|| ?1, coalesce(ru.status, 'done'), '', coalesce(" AGENT("ru") ", 'dangan'), 0, 0 "
        "FROM src s JOIN study_record st ON st.id = ?1 "
        "LEFT JOIN run ru ON ru.id = coalesce(s.load_run, st.load_run)",
};

static int read_events(sqlite3 *db, const char *sql, int64_t study, ex_events *out,
                       dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    int rc, status = DG_OK;
    while (!status && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ex_event *v = ex_grow(out->v, out->n, sizeof *v);
        if (!v) {
            status = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        out->v = v;
        ex_event *e = &v[out->n++];
        status = ex_col_dup(st, 0, &e->id);
        status = status ? status : ex_col_dup(st, 1, &e->type);
        e->loc_type = sqlite3_column_int(st, 2);
        status = status ? status : ex_col_dup(st, 3, &e->when);
        status = status ? status : ex_col_dup(st, 4, &e->detail);
        status = status ? status : ex_col_dup(st, 5, &e->outcome);
        status = status ? status : ex_col_dup(st, 6, &e->note);
        status = status ? status : ex_col_dup(st, 7, &e->agent);
        e->person = sqlite3_column_int(st, 8);
        e->file = sqlite3_column_int64(st, 9);
        if (status)
            dg_err_set(err, status, "out of memory");
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(db, err, "cannot read the events of a study record");
    sqlite3_finalize(st);
    return status;
}

/* Oldest first, stable (insertion: a record has tens of events), so the
 * kinds' order (an ingest before its digest) breaks ties. */
static void sort_by_time(ex_event *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        ex_event e = v[i];
        size_t j = i;
        for (; j > 0 && strcmp(v[j - 1].when, e.when) > 0; j--)
            v[j] = v[j - 1];
        v[j] = e;
    }
}

int ex_events_read(sqlite3 *db, int64_t study, ex_events *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = DG_OK;
    for (size_t i = 0; !rc && i < sizeof event_sql / sizeof *event_sql; i++)
        rc = read_events(db, event_sql[i], study, out, err);
    if (rc) {
        ex_events_release(out);
        return rc;
    }
    sort_by_time(out->v, out->n);
    return DG_OK;
}

void ex_events_release(ex_events *e)
{
    for (size_t i = 0; i < e->n; i++) {
        ex_event *v = &e->v[i];
        free(v->id);
        free(v->type);
        free(v->when);
        free(v->detail);
        free(v->outcome);
        free(v->note);
        free(v->agent);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}
