/*
 * study_rows.c - archived study records one at a time, with the values
 * lookup shows (lk_fields_prepare: one SELECT list for every reader, so an
 * export can never show another value than lookup) and the primary source
 * a reader goes back to.  For the exchange exports (exchange/).
 */
#include "archive_internal.h"
#include "lookup_internal.h"

#include <sqlite3.h>
#include <stdlib.h>

struct arc_study_cursor {
    sqlite3_stmt *st;
};

/* Columns before the fields; min() keeps one row per study record even if
 * a bad load left two primary sources (as export_archive.c does). */
static const char study_head[] =
    "SELECT s.id, s.major_edition, s.loaded, s.load_run, r.id, f.id, f.path, f.sha256, "
    "pg.page_index, r.row_no, ";
enum { STUDY_NHEAD = 10 };
static const char study_tail[] =
    " FROM study_record s "
    "JOIN person p ON p.id = s.person_id "
    "LEFT JOIN record r ON r.id = (SELECT min(record_id) FROM study_source "
    "                              WHERE study_id = s.id AND role = 'primary') "
    "LEFT JOIN page pg ON pg.id = r.page_id LEFT JOIN file f ON f.id = pg.file_id "
    "WHERE ?1 = 0 OR s.id = ?1 ORDER BY s.id";

int arc_study_cursor_new(sqlite3 *db, int64_t study, arc_study_cursor **out, dg_err *err)
{
    *out = NULL;
    arc_study_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int rc = lk_fields_prepare(db, study_head, study_tail, &c->st, err);
    if (rc) {
        free(c);
        return rc;
    }
    sqlite3_bind_int64(c->st, 1, study);
    *out = c;
    return DG_OK;
}

static const char *text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int arc_study_cursor_next(arc_study_cursor *c, arc_study_row *row, dg_err *err)
{
    int rc = sqlite3_step(c->st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return db_fail(sqlite3_db_handle(c->st), err, "cannot read the archive");
    sqlite3_stmt *st = c->st;
    memset(row, 0, sizeof *row);
    row->study = sqlite3_column_int64(st, 0);
    row->major_edition = text(st, 1);
    row->loaded = text(st, 2);
    row->load_run = sqlite3_column_int64(st, 3);
    row->record = sqlite3_column_int64(st, 4);
    row->file_id = sqlite3_column_int64(st, 5);
    row->file = text(st, 6);
    row->sha256 = text(st, 7);
    row->page = sqlite3_column_type(st, 8) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 8) + 1;
    row->row = sqlite3_column_int(st, 9);
    for (int i = 0; i < ARC_NFIELDS; i++)
        row->fields[i] = text(st, STUDY_NHEAD + i);
    return 1;
}

void arc_study_cursor_free(arc_study_cursor **c)
{
    if (!c || !*c)
        return;
    sqlite3_finalize((*c)->st);
    free(*c);
    *c = NULL;
}

int arc_file_read(sqlite3 *db, int64_t file_id, arc_file_info *info, unsigned char **data,
                  size_t *len, dg_err *err)
{
    memset(info, 0, sizeof *info);
    *data = NULL;
    *len = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT path, abspath, sha256, format, size, page_count FROM file "
                       "WHERE id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, file_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        int status = rc == SQLITE_DONE
                         ? dg_err_set(err, DG_ENOTFOUND, "no scan file %lld", (long long)file_id)
                         : db_fail(db, err, "cannot read the file table");
        sqlite3_finalize(st);
        return status;
    }
    info->id = file_id;
    int status = arc_col_dup0(st, 0, &info->path);
    status = status ? status : arc_col_dup0(st, 1, &info->abspath);
    status = status ? status : arc_col_dup0(st, 2, &info->sha256);
    status = status ? status : arc_col_dup0(st, 3, &info->format);
    info->size = sqlite3_column_int64(st, 4);
    info->page_count = sqlite3_column_int(st, 5);
    sqlite3_finalize(st);
    if (status) {
        arc_file_info_release(info);
        return dg_err_set(err, status, "out of memory");
    }
    status = arc_read_scan(db, file_id, data, len, err);
    if (status)
        arc_file_info_release(info);
    return status;
}

void arc_file_info_release(arc_file_info *info)
{
    free(info->path);
    free(info->abspath);
    free(info->sha256);
    free(info->format);
    memset(info, 0, sizeof *info);
}
