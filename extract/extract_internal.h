/*
 * extract_internal.h - internals of field extraction shared by the files
 * of extract/ and their unit tests.  The public entry points are in extract.h; the
 * stage that reads pages from the database (arc_extract) is in archive.h.
 *
 * A template (one .xml per form in configs/templates, grammar schema/template.rng) says how
 * to recognise one kind of form and where each field's value sits relative
 * to its printed label.  arc_extract classifies every OCR'd page against the
 * loaded templates, finds the field values from the OCR words, lines and
 * (when the OCR found a ruled grid) cells, and stores records and fields.
 *
 * This header holds the template model and the fuzzy label matcher.
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

typedef struct ex_template {
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
} ex_template;

const ex_template *ex_templates_get(const ex_templates *set, size_t i);

/* ---- internal: text matching ---------------------------------------------------- */

/* Decode UTF-8 s (len bytes) into cp (at most max); returns the count. */
size_t ex_utf8_decode(const char *s, size_t len, uint32_t *cp, size_t max);
/* Letters, digits and Han characters take part in label matching. */
int ex_cp_significant(uint32_t c);
/* Fold a UTF-8 label (drop spaces and punctuation); 0 ok, -1 too long/empty. */
int ex_label_fold(const char *utf8, ex_label *out);

/*
 * Find label in text[0..n) allowing OCR slips: weighted edit distance on
 * code points where look-alike pairs (入/人, 究/穴, 己/已, 未/末, 日/曰,
 * 土/士 ...) cost less.  Returns the cost of the best match (or a value
 * above the label's tolerance when none) and its span [*start, *end).
 */
double ex_label_find(const ex_label *label, const uint32_t *text, size_t n, size_t *start,
                     size_t *end);
/* Largest cost still accepted as a match of label. */
double ex_label_tolerance(const ex_label *label);

/* ---- internal: one page's model (page.c) -------------------------------------- */

typedef struct ex_box {
    int x, y, w, h;
} ex_box;

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

typedef struct ex_page {
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
} ex_page;

void ex_page_init(ex_page *p, int width, int height, double skew_deg);
void ex_page_release(ex_page *p);
int ex_page_add_cell(ex_page *p, int64_t id, int row, int col, ex_box b);
int ex_page_add_word(ex_page *p, int64_t id, int line_no, int64_t cell_id, const char *text,
                     double conf, ex_box b);
int ex_page_finish(ex_page *p);
/* Stable insertion sort of indices with a context. */
void sort_indices(size_t *a, size_t n, int (*cmp)(const void *, const void *, void *), void *ud);

/* A value found for one field. */
typedef struct ex_value {
    char *raw;      /* NULL: not found */
    char *words;    /* JSON array of word ids */
    ex_box box;     /* original page pixels */
    double conf_min, conf_mean;
    const char *rule; /* static description of the rule that chose it */
} ex_value;

typedef struct ex_record {
    int row_no; /* 0 card, 1-based table row */
    ex_box box;
    ex_value *values; /* one per template field */
} ex_record;

typedef struct ex_result {
    const ex_template *tpl; /* NULL: unknown form */
    double score;
    char reason[160];
    ex_value *header; /* one per template header field */
    ex_record *records;
    size_t nrecords;
} ex_result;

/* Classify the page against every template and extract the best match. */
int ex_page_extract(ex_page *p, const ex_templates *set, ex_result *out, dg_err *err);
void ex_result_release(ex_result *r);

#endif
