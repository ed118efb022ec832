/*
 * lookup_fields.c - an archived study record as canonical key -> value.
 * The archive stores values in typed columns (person, study_record); users
 * and exports see the same keys the extraction stage uses for fields, plus
 * current_code/current_name for the 2022 catalog discipline.
 */
#include "lookup_internal.h"

#include <sqlite3.h>

const char *const arc_field_keys[ARC_NFIELDS] = {
    "name",      "sex",          "birth_date", "student_no",     "department",
    "major",     "major_code",   "enroll_date", "grad_date",     "degree",
    "certificate_no", "supervisor", "university", "current_code", "current_name",
};

int lk_fields_from_row(sqlite3_stmt *st, int first, dg_buf *out)
{
    int rc = dg_buf_addc(out, '{');
    for (int i = 0; i < ARC_NFIELDS && !rc; i++) {
        rc = i ? dg_buf_addc(out, ',') : DG_OK;
        rc = rc ? rc : dg_buf_json_str(out, arc_field_keys[i]);
        rc = rc ? rc : dg_buf_addc(out, ':');
        rc = rc ? rc : dg_buf_json_str(out, (const char *)sqlite3_column_text(st, first + i));
    }
    return rc ? rc : dg_buf_addc(out, '}');
}
