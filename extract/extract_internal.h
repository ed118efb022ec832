/*
 * extract_internal.h - internals of field extraction shared by the files
 * of extract/ and their unit tests; the public API is extract.h.
 *
 * A template says how to recognise one kind of form and where each
 * field's value sits relative to its printed label.  ex_page_extract
 * classifies a page against the loaded templates and finds the field
 * values from the OCR words, lines and (when the OCR found a ruled grid)
 * cells.
 *
 * This header holds the template model, the fuzzy label matcher and the
 * page model.
 */
#ifndef DANGAN_EXTRACT_INTERNAL_H
#define DANGAN_EXTRACT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "extract.h"

/* ---- internal: template model ------------------------------------------------- */

typedef enum { EX_AT_RIGHT, EX_AT_BELOW, EX_AT_AFTER, EX_AT_COLUMN, EX_AT_TITLE_PREFIX } ex_at;
typedef enum { EX_T_NAME, EX_T_DATE, EX_T_CODE, EX_T_ENUM, EX_T_TEXT } ex_type;

#define EX_LABEL_MAX 32 /* code points in one label, after folding */

/* A label folded for matching: spaces and punctuation dropped. */
typedef struct ex_label {
    uint32_t cp[EX_LABEL_MAX];
    int len;
} ex_label;

typedef struct ex_field {
    char *key;
    ex_type type;
    ex_at at;
    int expected;  /* store as 'missing' when not found */
    int max_chars; /* 0 = no limit */
    ex_label *labels;
    size_t nlabels;
    char **enums;
    size_t nenums;
} ex_field;

struct ex_template {
    char *id;
    char *path;
    char sha256[65];
    int table; /* layout="table" */
    double threshold;
    ex_label *titles;
    size_t ntitles;
    ex_label *stops;
    size_t nstops;
    int grid_min_rows, grid_max_rows, grid_min_cols, grid_max_cols; /* 0 = any */
    ex_field *header;
    size_t nheader;
    ex_field *fields;
    size_t nfields;
};

const ex_template *ex_templates_get(const ex_templates *set, size_t i);

/* ---- internal: text matching ---------------------------------------------------- */

/* Decode UTF-8 s (len bytes) into cp (at most max); returns the count. */
size_t ex_utf8_decode(const char *s, size_t len, uint32_t *cp, size_t max);
/* Letters, digits and Han characters take part in label matching. */
int ex_cp_significant(uint32_t c);
/* Fold a UTF-8 label (drop spaces and punctuation); 0 ok, -1 too long/empty. */
int ex_label_fold(const char *utf8, ex_label *out);

/* Classes of characters OCR confuses (configs/normalize/confusables.tsv:
 * one class per line, tab-separated); NULL stands for no classes. */
typedef struct ex_lookalikes ex_lookalikes;
int ex_lookalikes_load(const char *path, ex_lookalikes **out, dg_err *err);
void ex_lookalikes_free(ex_lookalikes **lk);
/* The set's classes (NULL: none were loaded). */
const ex_lookalikes *ex_templates_lookalikes(const ex_templates *set);

/*
 * Find label in text[0..n) allowing OCR slips: weighted edit distance on
 * code points where a substitution within a look-alike class of lk (入/人,
 * 己/已/巳, 未/末 ...) costs less.  Returns the cost of the best match (or a
 * value above the label's tolerance when none) and its span [*start, *end).
 */
double ex_label_find(const ex_lookalikes *lk, const ex_label *label, const uint32_t *text,
                     size_t n, size_t *start, size_t *end);
/* Largest cost still accepted as a match of label. */
double ex_label_tolerance(const ex_label *label);

/* ---- internal: one page's model (page.c) -------------------------------------- */

typedef struct ex_word {
    int64_t id;
    int line_no;
    int64_t cell_id; /* 0 = none */
    double conf;
    ex_box orig; /* original page pixels, as stored */
    ex_box b;    /* deskewed, for geometry */
} ex_word;

typedef struct ex_glyph {
    uint32_t cp;
    size_t word;
    double x0, x1; /* deskewed x range, estimated within the word box */
} ex_glyph;

/* A run: the text of one grid cell, or of one OCR line outside any grid. */
typedef struct ex_run {
    int64_t cell_id;
    int line_no;
    int cell;
    ex_box b;
    size_t g0, ng; /* slice of ex_page.run_glyphs */
} ex_run;

typedef struct ex_cell {
    int64_t id;
    int row, col;
    ex_box orig, b;
} ex_cell;

/* A label (or stop text) found in a run. */
typedef struct ex_match {
    size_t run;
    size_t start, end; /* positions within the run's glyphs */
    int field;         /* index into the template's fields; -1 stop; -2-i header field i */
    int label_len;
    double cost;
} ex_match;

struct ex_page {
    const ex_lookalikes *look; /* the templates' classes, during ex_page_extract */
    int width, height;
    double skew; /* radians */
    double line_h;
    ex_word *words;
    size_t nwords, awords;
    ex_glyph *glyphs;
    size_t nglyphs, aglyphs;
    ex_cell *cells;
    size_t ncells, acells;
    ex_run *runs;
    size_t nruns, aruns;
    size_t *run_glyphs;
    size_t nrun_glyphs, arun_glyphs;
    ex_match *matches;
    size_t nmatches, amatches;
};

/* Stable insertion sort of indices with a context. */
void ex_sort_indices(size_t *a, size_t n, int (*cmp)(const void *, const void *, void *),
                     void *ud);

#endif
