/*
 * export_archive.c - the archive leaving the database as JSON lines: one
 * object per archived study record with the file, page and ledger row of
 * its primary source (so a reader can go back to the paper) and its values
 * under the canonical keys that lookup also uses (lookup_fields.c).  The
 * rows are read in one read transaction, a consistent snapshot even while
 * `dangan load` writes, and the export itself is written to the access log.
 */
#include "archive.h"
#include "lookup_internal.h"

#include <sqlite3.h>

/* A study record should have one primary source; min() keeps the export at
 * one line per record even if a bad load left two. */
static const char export_head[] = "SELECT s.id, f.path, pg.page_index, r.row_no, ";
static const char export_tail[] =
    " FROM study_record s "
    "JOIN person p ON p.id = s.person_id "
    "LEFT JOIN record r ON r.id = (SELECT min(record_id) FROM study_source "
    "                              WHERE study_id = s.id AND role = 'primary') "
    "LEFT JOIN page pg ON pg.id = r.page_id LEFT JOIN file f ON f.id = pg.file_id "
    "ORDER BY s.id";

static int export_line(sqlite3_stmt *st, const arc_disclosure *d, dg_buf *b)
{
    int rc = dg_buf_addf(b, "{\"record\":%lld,\"file\":", (long long)sqlite3_column_int64(st, 0));
    rc = rc ? rc : dg_buf_json_str(b, (const char *)sqlite3_column_text(st, 1));
    if (sqlite3_column_type(st, 2) == SQLITE_NULL)
        rc = rc ? rc : dg_buf_adds(b, ",\"page\":null,\"row\":null");
    else
        rc = rc ? rc : dg_buf_addf(b, ",\"page\":%d,\"row\":%d", sqlite3_column_int(st, 2) + 1,
                                   sqlite3_column_int(st, 3));
    rc = rc ? rc : dg_buf_adds(b, ",\"fields\":");
    rc = rc ? rc : lk_fields_from_row_allowed(st, 4, d ? d->allow : NULL, b);
    return rc ? rc : dg_buf_adds(b, "}\n");
}

static int export_rows(sqlite3 *db, const arc_disclosure *d, FILE *out, long *count,
                       dg_err *err)
{
    sqlite3_stmt *st;
    int prc = lk_fields_prepare(db, export_head, export_tail, &st, err);
    if (prc)
        return prc;
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc, status = DG_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_buf_reset(&b);
        if (export_line(st, d, &b)) {
            status = dg_err_set(err, DG_ENOMEM, "out of memory exporting study record %lld",
                                (long long)sqlite3_column_int64(st, 0));
            break;
        }
        if (fputs(b.data, out) == EOF) {
            status = dg_err_set(err, DG_ERR, "cannot write the export: output error");
            break;
        }
        (*count)++;
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(db, err, "cannot export the archive");
    sqlite3_finalize(st);
    dg_buf_release(&b);
    return status;
}

int arc_export_archive(sqlite3 *db, const char *who, FILE *out, long *count, dg_err *err)
{
    return arc_export_archive_for(db, who, NULL, out, count, err);
}

int arc_export_archive_for(sqlite3 *db, const char *who, const arc_disclosure *d, FILE *out,
                           long *count, dg_err *err)
{
    long n = 0;
    /* Deferred BEGIN: a read snapshot that does not hold the write lock. */
    int rc = db_exec(db, "BEGIN", err);
    if (rc)
        return rc;
    rc = export_rows(db, d, out, &n, err);
    db_exec(db, "COMMIT", NULL);
    if (count)
        *count = n;
    if (rc)
        return rc;
    char shown[64];
    snprintf(shown, sizeof shown, "{\"count\":%ld}", n);
    dg_buf q;
    dg_buf_init(&q, 0);
    if (dg_buf_adds(&q, "{\"what\":\"archive\",\"format\":\"jsonl\"") ||
        arc_disclosure_json(d, &q) || dg_buf_addc(&q, '}')) {
        dg_buf_release(&q);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    rc = db_begin(db, err);
    if (rc) {
        dg_buf_release(&q);
        return rc;
    }
    rc = arc_access_log(db, who, "export", q.data, shown, err);
    dg_buf_release(&q);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}
