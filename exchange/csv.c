/*
 * csv.c - the archive as CSV for registrars (RFC 4180), one row per study
 * record with the values lookup shows, the 2022 code and name, the catalog
 * edition and where each record came from.  Spreadsheets are where these
 * rows go, so --excel adds the BOM Excel needs to read UTF-8 and keeps a
 * cell that starts like a formula from being run as one.
 */
#include "exchange_internal.h"

#include <stdio.h>

#include "fieldkeys.h"

/* s as one RFC 4180 field, in UTF-8 (ill-formed bytes as U+FFFD): quoted when it holds , " CR or LF (quotes
 * doubled); with EX_CSV_EXCEL a leading = + - @ TAB or CR gets a ' first
 * (OWASP's advice against formula injection). */
static int add_field(dg_buf *b, const char *s, int flags)
{
    dg_buf clean;
    dg_buf_init(&clean, 0);
    if (ex_utf8_clean(s ? s : "", &clean)) {
        dg_buf_release(&clean);
        return DG_ENOMEM;
    }
    s = clean.data;
    int formula = (flags & EX_CSV_EXCEL) && strchr("=+-@\t\r", *s) && *s;
    int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    int rc = quote ? dg_buf_addc(b, '"') : DG_OK;
    if (formula)
        rc = rc ? rc : dg_buf_addc(b, '\'');
    for (const char *p = s; *p && !rc; p++)
        rc = *p == '"' ? dg_buf_adds(b, "\"\"") : dg_buf_addc(b, *p);
    rc = rc ? rc : quote ? dg_buf_addc(b, '"') : DG_OK;
    dg_buf_release(&clean);
    return rc;
}

/* "path p.N[ row R] (primary); ..." of every source of the study. */
static int add_sources(sqlite3_stmt *src, int64_t study, dg_buf *tmp, dg_err *err)
{
    sqlite3_reset(src);
    sqlite3_bind_int64(src, 1, study);
    int rc, status = DG_OK;
    while (!status && (rc = sqlite3_step(src)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(src, 0);
        int page = sqlite3_column_int(src, 1), row = sqlite3_column_int(src, 2);
        status = dg_buf_addf(tmp, "%s%s p.%d", tmp->len ? "; " : "", path ? path : "", page);
        status = status ? status : row > 0 ? dg_buf_addf(tmp, " row %d", row) : DG_OK;
        status = status ? status
                        : dg_buf_addf(tmp, " (%s)", (const char *)sqlite3_column_text(src, 3));
        if (status)
            dg_err_set(err, status, "out of memory");
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(sqlite3_db_handle(src), err, "cannot read the sources of a record");
    return status;
}

static int write_rows(sqlite3 *db, FILE *out, int flags, long *count, dg_err *err)
{
    sqlite3_stmt *src;
    if (db_prepare(db,
                   "SELECT f.path, pg.page_index + 1, r.row_no, ss.role FROM study_source ss "
                   "JOIN record r ON r.id = ss.record_id JOIN page pg ON pg.id = r.page_id "
                   "JOIN file f ON f.id = pg.file_id WHERE ss.study_id = ?1 "
                   "ORDER BY ss.role <> 'primary', r.id",
                   &src, err))
        return DG_EDB;
    arc_study_cursor *c;
    int rc = arc_study_cursor_new(db, 0, &c, err);
    if (rc) {
        sqlite3_finalize(src);
        return rc;
    }
    dg_buf line, tmp;
    dg_buf_init(&line, 0);
    dg_buf_init(&tmp, 0);
    /* The header: the same keys as every other export. */
    rc = (flags & EX_CSV_EXCEL) ? dg_buf_adds(&line, "\xEF\xBB\xBF") : DG_OK;
    rc = rc ? rc : dg_buf_adds(&line, "record");
    for (int i = 0; i < ARC_NFIELDS && !rc; i++)
        rc = dg_buf_addf(&line, ",%s", dg_field_keys[i].key);
    rc = rc ? rc : dg_buf_adds(&line, ",edition,loaded,sources\r\n");
    if (rc)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    arc_study_row row;
    while (!rc) {
        if (line.len && fwrite(line.data, 1, line.len, out) != line.len) {
            rc = dg_err_set(err, DG_ERR, "cannot write the CSV: output error");
            break;
        }
        dg_buf_reset(&line);
        int next = arc_study_cursor_next(c, &row, err);
        if (next <= 0) {
            rc = next;
            break;
        }
        dg_buf_reset(&tmp);
        rc = add_sources(src, row.study, &tmp, err);
        if (rc)
            break;
        int brc = dg_buf_addf(&line, "%lld", (long long)row.study);
        for (int i = 0; i < ARC_NFIELDS && !brc; i++)
            brc = dg_buf_addc(&line, ',') ? DG_ENOMEM : add_field(&line, row.fields[i], flags);
        brc = brc ? brc : dg_buf_addc(&line, ',');
        brc = brc ? brc : add_field(&line, row.major_edition, flags);
        brc = brc ? brc : dg_buf_addc(&line, ',');
        brc = brc ? brc : add_field(&line, row.loaded, flags);
        brc = brc ? brc : dg_buf_addc(&line, ',');
        brc = brc ? brc : add_field(&line, tmp.data, flags);
        brc = brc ? brc : dg_buf_adds(&line, "\r\n");
        if (brc)
            rc = dg_err_set(err, DG_ENOMEM, "out of memory exporting study record %lld",
                            (long long)row.study);
        else
            (*count)++;
    }
    dg_buf_release(&line);
    dg_buf_release(&tmp);
    arc_study_cursor_free(&c);
    sqlite3_finalize(src);
    return rc;
}

int ex_export_csv(sqlite3 *db, FILE *out, int flags, const char *who, long *count,
                  dg_err *err)
{
    long n = 0;
    /* Deferred BEGIN: a read snapshot that does not hold the write lock. */
    int rc = db_exec(db, "BEGIN", err);
    if (rc)
        return rc;
    rc = write_rows(db, out, flags, &n, err);
    db_exec(db, "COMMIT", NULL);
    if (rc == DG_OK && fflush(out) != 0)
        rc = dg_err_set(err, DG_ERR, "cannot write the CSV: output error");
    if (count)
        *count = n;
    if (n == 0 && rc)
        return rc;
    /* Logged even when the output failed part way: rows went out. */
    int lrc = ex_log_export(db, who,
                            (flags & EX_CSV_EXCEL) ? "{\"what\":\"archive\",\"format\":\"csv\","
                                                     "\"excel\":true}"
                                                   : "{\"what\":\"archive\",\"format\":\"csv\"}",
                            n, rc ? NULL : err);
    return rc ? rc : lrc;
}
