/*
 * stage_normalize_rec.h - one record as the normalize stage holds it in
 * memory, shared by stage_normalize.c (loading, normalizing, writing) and
 * stage_weigh.c (weighing each field's readings into p).  Private to the
 * two files.
 */
#ifndef DANGAN_STAGE_NORMALIZE_REC_H
#define DANGAN_STAGE_NORMALIZE_REC_H

#include "archive_internal.h"

typedef struct fld {
    int64_t id;
    char *key, *raw, *state;
    double conf_min;
    dg_fk_vtype vt;
    int keep;              /* settled by an operator: not rewritten */
    const char *new_state; /* static string */
    norm_result r;
    dg_buf flag;
    int matched;
    norm_match_result m;
    char *rec2_text;       /* the second reader's reading of the box, NULL: none */
    double rec2_conf;
    norm_result r2;        /* its normalization */
    char *rec3_text;       /* the third reader's (ocr_tess3), NULL: none */
    double rec3_conf;
    norm_result r3;
    double p;              /* p(right) of the value, < 0: not weighed */
    char *evidence;        /* JSON behind p */
} fld;

/* A value of another record on the same page (the column around a field). */
typedef struct colval {
    int row;
    char *key, *value;
    char *read1, *read2; /* what Tesseract and the second reader read (an operator's value) */
} colval;

typedef struct rec {
    int64_t id;
    int row;
    char *form_raw, *header_dept;
    fld *f;
    size_t n;
    colval *col;
    size_t ncol;
} rec;

fld *arc_nrec_find(rec *r, const char *key);
/* Append text to the field's flags ("; " between). */
int arc_nfld_flag_add(fld *f, const char *text);
/* Flags read "code (detail)": the review queue files them under the first word. */
int arc_nfld_flag_code(fld *f, const char *code, const char *detail);
/* The year of an ISO date's first four digits, 0 when there are none. */
int arc_iso_year(const char *iso);

/* Weigh every field of r not settled by an operator into p (configs/
 * trust.conf), with its other readings, the column around it, the
 * graduate's other source (sources may be NULL) and, for a major, the
 * discipline catalog (cat, may be NULL), and route it by p:
 * stage_weigh.c.  DG_ENOMEM, DG_EDB. */
int arc_weigh_record(rec *r, const arc_trust *t, norm_ctx *ctx, const norm_catalog *cat,
                     arc_sources *sources, dg_err *err);

#endif
