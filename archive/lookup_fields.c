/*
 * lookup_fields.c - an archived study record as canonical key -> value.
 * The archive stores values in typed columns (person, study_record); users
 * and exports see the same keys the extraction stage uses for fields, plus
 * current_code/current_name for the 2022 catalog discipline (fieldkeys.h).
 */
#include "lookup_internal.h"

#include <sqlite3.h>

int lk_fields_prepare(sqlite3 *db, const char *head, const char *tail, sqlite3_stmt **st,
                      dg_err *err)
{
    dg_buf sql;
    dg_buf_init(&sql, 0);
    int rc = dg_buf_adds(&sql, head);
    for (int i = 0; i < ARC_NFIELDS && !rc; i++)
        rc = dg_buf_addf(&sql, "%s%c.%s", i ? ", " : "",
                         dg_field_keys[i].home == DG_FK_PERSON ? 'p' : 's',
                         dg_field_keys[i].column);
    rc = rc ? rc : dg_buf_adds(&sql, tail);
    rc = rc ? dg_err_set(err, DG_ENOMEM, "out of memory") : db_prepare(db, sql.data, st, err);
    dg_buf_release(&sql);
    return rc;
}

int lk_fields_from_row(sqlite3_stmt *st, int first, dg_buf *out)
{
    int rc = dg_buf_addc(out, '{');
    for (int i = 0; i < ARC_NFIELDS && !rc; i++) {
        rc = i ? dg_buf_addc(out, ',') : DG_OK;
        rc = rc ? rc : dg_buf_json_str(out, dg_field_keys[i].key);
        rc = rc ? rc : dg_buf_addc(out, ':');
        rc = rc ? rc : dg_buf_json_str(out, (const char *)sqlite3_column_text(st, first + i));
    }
    return rc ? rc : dg_buf_addc(out, '}');
}
