/*
 * lookup_internal.h - what lookup.c, export_archive.c and the bench share
 * inside the archive module: the one SELECT list that turns a study record
 * and its person into the canonical field keys (read from fieldkeys.h), so lookup results and the
 * archive export can never disagree about what a field is called.
 */
#ifndef DANGAN_LOOKUP_INTERNAL_H
#define DANGAN_LOOKUP_INTERNAL_H

#include "archive.h"

/*
 * Prepare head + the archived keys' columns (dg_field_keys order; alias
 * s = study_record, p = person) + tail.
 */
int lk_fields_prepare(sqlite3 *db, const char *head, const char *tail, sqlite3_stmt **st,
                      dg_err *err);

/* The tail that reads one study record's fields: ?1 is its id. */
#define LK_FIELDS_BY_ID " FROM study_record s JOIN person p ON p.id = s.person_id WHERE s.id = ?1"

/* Append the fields object from columns first..first+ARC_NFIELDS-1 of st. */
int lk_fields_from_row(sqlite3_stmt *st, int first, dg_buf *out);
/* The same with only the keys allow[] lets through (allow NULL: all). */
int lk_fields_from_row_allowed(sqlite3_stmt *st, int first, const unsigned char *allow,
                               dg_buf *out);

/* Append ,"audience":..,"for":..,"purpose":..,"fields":[allowed keys] to a
 * JSON object being built in b (nothing for d NULL): how lookup and export
 * log a disclosure. */
int arc_disclosure_json(const arc_disclosure *d, dg_buf *b);

#endif
