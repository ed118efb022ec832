/*
 * status.c - what the workspace holds: files, pages by state, quarantine,
 * low-resolution pages, and (when later stages have run) records and
 * review counts.
 */
#include <sqlite3.h>
#include <string.h>

#include "archive.h"
#include "ocr.h"

typedef struct counts {
    int64_t files, aliases, pages, low_dpi, quarantined;
} counts;

static int64_t count_of(sqlite3 *db, const char *sql)
{
    int64_t v = 0;
    db_query_int(db, sql, &v, NULL);
    return v;
}

static void read_counts(sqlite3 *db, counts *c)
{
    c->files = count_of(db, "SELECT count(*) FROM file");
    c->aliases = count_of(db, "SELECT count(*) - (SELECT count(*) FROM file) FROM file_path");
    c->pages = count_of(db, "SELECT count(*) FROM page");
    c->low_dpi = count_of(db, "SELECT count(*) FROM page WHERE low_dpi");
    c->quarantined = count_of(db, "SELECT count(*) FROM quarantine");
}

/* ---- extraction (issue 4) ------------------------------------------------------------ */

/* Records by state and pages by recognised form; unknown forms wait for review. */
static const char records_by_state_sql[] =
    "SELECT state, count(*) FROM record GROUP BY state ORDER BY state";
static const char forms_sql[] =
    "SELECT coalesce(template, 'unknown form'), count(*) FROM page_form GROUP BY 1 ORDER BY 1";

static void emit_pairs_json(sqlite3 *db, const char *sql, dg_buf *b)
{
    sqlite3_stmt *st;
    dg_buf_addc(b, '{');
    if (db_prepare(db, sql, &st, NULL) == 0) {
        for (int first = 1; sqlite3_step(st) == SQLITE_ROW; first = 0) {
            dg_buf_adds(b, first ? "" : ",");
            dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 0));
            dg_buf_addf(b, ":%lld", (long long)sqlite3_column_int64(st, 1));
        }
        sqlite3_finalize(st);
    }
    dg_buf_addc(b, '}');
}

static void emit_records_json(sqlite3 *db, dg_buf *b)
{
    dg_buf_adds(b, ",\"extraction\":{\"records\":");
    emit_pairs_json(db, records_by_state_sql, b);
    dg_buf_adds(b, ",\"forms\":");
    emit_pairs_json(db, forms_sql, b);
    dg_buf_addf(b, ",\"unknown_form_pages\":%lld,\"fields_missing\":%lld}",
                (long long)count_of(db, "SELECT count(*) FROM page WHERE state = 'unknown_form'"),
                (long long)count_of(db, "SELECT count(*) FROM field WHERE state = 'missing'"));
}

static void emit_records_text(sqlite3 *db, dg_buf *b)
{
    sqlite3_stmt *st;
    dg_buf_addf(b, "extraction:   %lld records (%lld fields not found)\n",
                (long long)count_of(db, "SELECT count(*) FROM record"),
                (long long)count_of(db, "SELECT count(*) FROM field WHERE state = 'missing'"));
    if (db_prepare(db, records_by_state_sql, &st, NULL) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW)
            dg_buf_addf(b, "  %-12s %lld\n", sqlite3_column_text(st, 0),
                        (long long)sqlite3_column_int64(st, 1));
        sqlite3_finalize(st);
    }
    if (db_prepare(db, forms_sql, &st, NULL) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW)
            dg_buf_addf(b, "  form %-20s %lld pages\n", sqlite3_column_text(st, 0),
                        (long long)sqlite3_column_int64(st, 1));
        sqlite3_finalize(st);
    }
}

/* ---- load and review (issue 6) --------------------------------------------------------- */

/* Pending records grouped by the reason load gave (load_wait). */
static const char load_wait_sql[] =
    "SELECT w.reason, count(*) FROM load_wait w JOIN record r ON r.id = w.record_id "
    "WHERE r.state = 'pending' GROUP BY w.reason ORDER BY count(*) DESC, w.reason";

static void emit_load_json(sqlite3 *db, dg_buf *b)
{
    dg_buf_addf(b, ",\"archive\":{\"persons\":%lld,\"study_records\":%lld,"
                   "\"records_loaded\":%lld,\"records_pending\":%lld,\"review_open\":%lld,"
                   "\"pending_reasons\":[",
                (long long)count_of(db, "SELECT count(*) FROM person"),
                (long long)count_of(db, "SELECT count(*) FROM study_record"),
                (long long)count_of(db, "SELECT count(*) FROM record WHERE state = 'loaded'"),
                (long long)count_of(db, "SELECT count(*) FROM record WHERE state = 'pending'"),
                (long long)count_of(db, "SELECT count(*) FROM review_item WHERE state = 'open'"));
    sqlite3_stmt *st;
    if (db_prepare(db, load_wait_sql, &st, NULL) == 0) {
        int first = 1;
        while (sqlite3_step(st) == SQLITE_ROW) {
            dg_buf_adds(b, first ? "{\"reason\":" : ",{\"reason\":");
            first = 0;
            dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 0));
            dg_buf_addf(b, ",\"records\":%lld}", (long long)sqlite3_column_int64(st, 1));
        }
        sqlite3_finalize(st);
    }
    dg_buf_adds(b, "]}");
}

static void emit_load_text(sqlite3 *db, dg_buf *b)
{
    dg_buf_addf(b, "archive:      %lld persons, %lld study records\n",
                (long long)count_of(db, "SELECT count(*) FROM person"),
                (long long)count_of(db, "SELECT count(*) FROM study_record"));
    dg_buf_addf(b, "records:      %lld loaded, %lld pending\n",
                (long long)count_of(db, "SELECT count(*) FROM record WHERE state = 'loaded'"),
                (long long)count_of(db, "SELECT count(*) FROM record WHERE state = 'pending'"));
    sqlite3_stmt *st;
    if (db_prepare(db, load_wait_sql, &st, NULL) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW)
            dg_buf_addf(b, "  waiting (%s): %lld\n", sqlite3_column_text(st, 0),
                        (long long)sqlite3_column_int64(st, 1));
        sqlite3_finalize(st);
    }
    dg_buf_addf(b, "review queue: %lld open (dangan review list)\n",
                (long long)count_of(db, "SELECT count(*) FROM review_item WHERE state = 'open'"));
}

/* DA/T 31 expects scans within 3 degrees of straight; OCR measures it. */
#define SKEW_LIMIT_DEG 3.0
static const char skewed_sql[] =
    "SELECT f.path, p.page_index, o.skew_deg FROM ocr_page o JOIN page p ON p.id = o.page_id "
    "JOIN file f ON f.id = p.file_id WHERE abs(o.skew_deg) > ?1 ORDER BY p.id";
static const char failed_sql[] =
    "SELECT f.path, p.page_index, p.error FROM page p JOIN file f ON f.id = p.file_id "
    "WHERE p.state = 'failed' ORDER BY p.id";

/* "skewed": pages over the skew limit; "failed": pages OCR could not read. */
static void emit_page_issues_json(sqlite3 *db, dg_buf *b)
{
    sqlite3_stmt *st;
    dg_buf_adds(b, ",\"skewed\":[");
    if (db_prepare(db, skewed_sql, &st, NULL) == 0) {
        sqlite3_bind_double(st, 1, SKEW_LIMIT_DEG);
        for (int first = 1; sqlite3_step(st) == SQLITE_ROW; first = 0) {
            dg_buf_adds(b, first ? "{\"file\":" : ",{\"file\":");
            dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 0));
            dg_buf_addf(b, ",\"page\":%d,\"skew_deg\":%.2f}", sqlite3_column_int(st, 1) + 1,
                        sqlite3_column_double(st, 2));
        }
        sqlite3_finalize(st);
    }
    dg_buf_adds(b, "],\"failed\":[");
    if (db_prepare(db, failed_sql, &st, NULL) == 0) {
        for (int first = 1; sqlite3_step(st) == SQLITE_ROW; first = 0) {
            dg_buf_adds(b, first ? "{\"file\":" : ",{\"file\":");
            dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 0));
            dg_buf_addf(b, ",\"page\":%d,\"error\":", sqlite3_column_int(st, 1) + 1);
            dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 2));
            dg_buf_addc(b, '}');
        }
        sqlite3_finalize(st);
    }
    dg_buf_adds(b, "]");
}

static int emit_json(sqlite3 *db, const counts *c, dg_buf *b)
{
    dg_buf_addf(b, "{\"files\":%lld,\"aliases\":%lld,\"pages_total\":%lld,\"pages\":{",
                (long long)c->files, (long long)c->aliases, (long long)c->pages);
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT state, count(*) FROM page GROUP BY state ORDER BY state", &st,
                   NULL))
        return DG_EDB;
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        dg_buf_adds(b, first ? "" : ",");
        first = 0;
        dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 0));
        dg_buf_addf(b, ":%lld", (long long)sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    dg_buf_addf(b, "},\"low_dpi_pages\":%lld,\"quarantined\":%lld,\"quarantine\":[",
                (long long)c->low_dpi, (long long)c->quarantined);
    if (db_prepare(db, "SELECT path, reason FROM quarantine ORDER BY id", &st, NULL))
        return DG_EDB;
    first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        dg_buf_adds(b, first ? "{\"file\":" : ",{\"file\":");
        first = 0;
        dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 0));
        dg_buf_adds(b, ",\"reason\":");
        dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 1));
        dg_buf_addc(b, '}');
    }
    sqlite3_finalize(st);
    dg_buf_adds(b, "],\"low_dpi\":[");
    if (db_prepare(db, "SELECT f.path, p.page_index, CASE WHEN p.dpi_by_size > 0 THEN "
                       "p.dpi_by_size ELSE p.dpi END, p.dpi FROM page p JOIN file f ON "
                       "f.id = p.file_id WHERE p.low_dpi ORDER BY p.id", &st, NULL))
        return DG_EDB;
    first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        dg_buf_adds(b, first ? "{\"file\":" : ",{\"file\":");
        first = 0;
        dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 0));
        dg_buf_addf(b, ",\"page\":%d,\"dpi\":%d,\"recorded_dpi\":%d}",
                    sqlite3_column_int(st, 1) + 1, sqlite3_column_int(st, 2),
                    sqlite3_column_int(st, 3));
    }
    sqlite3_finalize(st);
    dg_buf_adds(b, "]");
    emit_page_issues_json(db, b);
    emit_records_json(db, b);
    emit_load_json(db, b);
    dg_buf_adds(b, "}\n");
    return DG_OK;
}

static void emit_text(sqlite3 *db, const counts *c, dg_buf *b)
{
    dg_buf_addf(b, "files:        %lld (%lld more paths are aliases of the same bytes)\n",
                (long long)c->files, (long long)c->aliases);
    dg_buf_addf(b, "pages:        %lld\n", (long long)c->pages);
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT state, count(*) FROM page GROUP BY state ORDER BY state", &st,
                   NULL) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW)
            dg_buf_addf(b, "  %-12s %lld\n", sqlite3_column_text(st, 0),
                        (long long)sqlite3_column_int64(st, 1));
        sqlite3_finalize(st);
    }
    dg_buf_addf(b, "low-dpi pages (under 300 dpi, DA/T 31): %lld\n", (long long)c->low_dpi);
    if (db_prepare(db, "SELECT f.path, p.page_index, p.dpi, p.dpi_by_size FROM page p JOIN "
                       "file f ON f.id = p.file_id WHERE p.low_dpi ORDER BY p.id", &st,
                   NULL) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            int dpi = sqlite3_column_int(st, 2), by_size = sqlite3_column_int(st, 3);
            if (by_size > 0 && by_size != dpi)
                dg_buf_addf(b, "  warning: %s page %d is %d dpi by its size (the file says %d)\n",
                            sqlite3_column_text(st, 0), sqlite3_column_int(st, 1) + 1, by_size,
                            dpi);
            else if (dpi < OCR_LEAST_SCANNER_DPI)
                dg_buf_addf(b,
                            "  warning: %s page %d has no scanner resolution (the file says %d "
                            "dpi, a program's default: a photograph, or a scan whose resolution "
                            "was lost)\n",
                            sqlite3_column_text(st, 0), sqlite3_column_int(st, 1) + 1, dpi);
            else
                dg_buf_addf(b, "  warning: %s page %d is %d dpi\n", sqlite3_column_text(st, 0),
                            sqlite3_column_int(st, 1) + 1, dpi);
        }
        sqlite3_finalize(st);
    }
    dg_buf_addf(b, "quarantined:  %lld\n", (long long)c->quarantined);
    if (db_prepare(db, "SELECT path, reason FROM quarantine ORDER BY id", &st, NULL) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW)
            dg_buf_addf(b, "  %s: %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
        sqlite3_finalize(st);
    }
    if (db_prepare(db, skewed_sql, &st, NULL) == 0) {
        sqlite3_bind_double(st, 1, SKEW_LIMIT_DEG);
        while (sqlite3_step(st) == SQLITE_ROW)
            dg_buf_addf(b, "  warning: %s page %d was skewed %.1f degrees (DA/T 31 allows %.0f)\n",
                        sqlite3_column_text(st, 0), sqlite3_column_int(st, 1) + 1,
                        sqlite3_column_double(st, 2), SKEW_LIMIT_DEG);
        sqlite3_finalize(st);
    }
    if (db_prepare(db, failed_sql, &st, NULL) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW)
            dg_buf_addf(b, "  failed: %s page %d: %s\n", sqlite3_column_text(st, 0),
                        sqlite3_column_int(st, 1) + 1, sqlite3_column_text(st, 2));
        sqlite3_finalize(st);
    }
    emit_records_text(db, b);
    emit_load_text(db, b);
}

int arc_status(sqlite3 *db, int json, FILE *out, dg_err *err)
{
    counts c;
    dg_buf b;
    read_counts(db, &c);
    dg_buf_init(&b, 0);
    int rc = DG_OK;
    if (json)
        rc = emit_json(db, &c, &b);
    else
        emit_text(db, &c, &b);
    if (rc) {
        dg_buf_release(&b);
        return db_fail(db, err, "cannot read status");
    }
    fputs(b.data ? b.data : "", out);
    dg_buf_release(&b);
    return DG_OK;
}
