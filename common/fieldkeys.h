/*
 * fieldkeys.h - the one table of a record's field keys: which normalizer
 * reads each key, which OCR confidence threshold of configs/review.conf
 * applies to it, which member of the date plausibility check it is, and
 * where the archive keeps it.  The keys the archive keeps come first, in the
 * order lookup results, the archive export and `dangan lookup` show them.
 * Keys not in the table are free text.
 */
#ifndef DANGAN_FIELDKEYS_H
#define DANGAN_FIELDKEYS_H

#include <stddef.h>

/* The normalizer that reads a key. */
typedef enum dg_fk_norm {
    DG_FK_TEXT,      /* free text */
    DG_FK_NAME,      /* a person's name */
    DG_FK_DATE,      /* a date that keeps its day */
    DG_FK_MONTH,     /* a date archived as YYYY-MM */
    DG_FK_SEX,
    DG_FK_ETHNIC,
    DG_FK_POLITICAL,
    DG_FK_DEGREE,
    DG_FK_DURATION,
    DG_FK_CODE,      /* a 4- or 6-digit code */
} dg_fk_norm;

/* Value types: each has its own OCR confidence threshold (configs/review.conf,
 * min_conf.<name>). */
typedef enum dg_fk_vtype {
    DG_VT_NAME, DG_VT_DATE, DG_VT_CODE, DG_VT_ENUM, DG_VT_NUMBER, DG_VT_TEXT, DG_VT_COUNT
} dg_fk_vtype;
extern const char *const dg_vtype_names[DG_VT_COUNT];

/* Where the archive keeps a key. */
typedef enum dg_fk_home { DG_FK_NOWHERE, DG_FK_PERSON, DG_FK_STUDY } dg_fk_home;

/* Where the archived value comes from. */
typedef enum dg_fk_source {
    DG_FK_NONE,    /* not archived */
    DG_FK_FIELD,   /* the field's value, copied by load (and filled from a second source) */
    DG_FK_WRITTEN, /* the name as written on the record */
    DG_FK_DERIVED, /* not a field: the page's university, the matched 2022 discipline */
} dg_fk_source;

typedef struct dg_field_key {
    const char *key;
    dg_fk_norm norm;
    dg_fk_vtype vt;
    const char *date_member; /* norm_record_dates member ("birth" ...), NULL if none */
    dg_fk_source source;
    dg_fk_home home;
    const char *column;      /* column of person or study_record, NULL if not archived */
} dg_field_key;

/* The archived keys are dg_field_keys[0 .. DG_NARCHIVED-1], in output order. */
enum { DG_NARCHIVED = 15 };
extern const dg_field_key dg_field_keys[];
extern const size_t dg_nfield_keys;

/* The table row of key, NULL when key is free text. */
const dg_field_key *dg_field_key_find(const char *key);
/* Position of key among the archived keys, -1 if it is not archived. */
int dg_field_key_index(const char *key);
/* The value type named name ("name", "date" ...), -1 if none (or NULL). */
int dg_vtype_find(const char *name);
/* The key whose date_member is member, NULL if none. */
const char *dg_field_key_of_date(const char *member);

#endif
