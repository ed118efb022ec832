/*
 * export_records.c - `dangan export records`: one JSON object per record
 * with its page's provenance (file, sha256, page) and its fields keyed by
 * canonical key.  Built with SQLite's JSON functions so that escaping and
 * ordering are the database's, not hand-rolled.
 */
#include "archive.h"

#include <sqlite3.h>

int arc_export_records(sqlite3 *db, FILE *out, dg_err *err)
{
    static const char sql[] =
        "SELECT json_object("
        " 'file', f.path, 'sha256', f.sha256, 'page', p.page_index + 1,"
        " 'form', r.template, 'row', CASE WHEN r.row_no > 0 THEN r.row_no END,"
        " 'record', r.id,"
        " 'fields', (SELECT json_group_object(x.key, json_object("
        "     'raw', x.raw, 'value', x.value, 'confidence', round(x.conf_mean, 1),"
        "     'bbox', json_array(x.x, x.y, x.w, x.h), 'state', x.state))"
        "   FROM (SELECT * FROM field WHERE record_id = r.id ORDER BY key) x))"
        " FROM record r JOIN page p ON p.id = r.page_id JOIN file f ON f.id = p.file_id"
        " ORDER BY f.path, p.page_index, r.row_no";
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    int rc;
    dg_buf line;
    dg_buf_init(&line, 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* SQLite copies a path's bytes into JSON as they are */
        dg_buf_reset(&line);
        dg_buf_add_utf8(&line, (const char *)sqlite3_column_text(st, 0));
        fputs(line.data ? line.data : "", out);
        fputc('\n', out);
    }
    dg_buf_release(&line);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot export records");
}
