/*
 * lookup_internal.h - what lookup.c, export_archive.c and the bench share
 * inside the archive module: the one SELECT list that turns a study record
 * and its person into the canonical field keys, so lookup results and the
 * archive export can never disagree about what a field is called.
 */
#ifndef DANGAN_LOOKUP_INTERNAL_H
#define DANGAN_LOOKUP_INTERNAL_H

#include "archive.h"

/* Columns in arc_field_keys order; alias s = study_record, p = person. */
#define LK_FIELDS_SQL                                                                              \
    "p.name_written, p.sex, p.birth, s.student_no, s.department, s.major_hist, "                  \
    "s.major_code_hist, s.enroll, s.grad, s.degree, s.certificate_no, s.supervisor, "             \
    "s.university, s.code_2022, s.name_2022"

/* Append the fields object from columns first..first+ARC_NFIELDS-1 of st. */
int lk_fields_from_row(sqlite3_stmt *st, int first, dg_buf *out);

#endif
