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
 * This header holds the template model, the fuzzy label matcher, the
 * page model and what the files reading a page's values share: labels.c
 * (labels found), value.c (a value from its glyphs), card.c and header.c
 * (values by label), ledger.c (values by column) and classify.c (which
 * template, then its values).
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
/* How a form sets a value off from its label (template rules="...", one
 * or more of): ruled cells, an underline after the label, nothing at all.
 * A set of bits; 0: not declared (read as today: ruled, rules perhaps lost). */
enum { EX_RULES_GRID = 1, EX_RULES_UNDERLINE = 2, EX_RULES_NONE = 4 };

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
    int rules; /* EX_RULES_* bits: the field's own, else the template's */
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
    int rules; /* EX_RULES_* bits, 0: not declared */
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
/* The weighted edit distance between label and all of text[0..n). */
double ex_label_cost(const ex_lookalikes *lk, const ex_label *label, const uint32_t *text,
                     size_t n);
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
    int loose; /* found before a colon, past the matcher's tolerance (pairs.c) */
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

/* ---- internal: reading a page's values ------------------------------------------ */

/* Code point and glyph i of run r. */
#define EX_RUN_CP(p, r, i) ((p)->glyphs[(p)->run_glyphs[(r)->g0 + (i)]].cp)
#define EX_RUN_G(p, r, i) (&(p)->glyphs[(p)->run_glyphs[(r)->g0 + (i)]])

/* labels.c: labels found, and the geometry around them */

/* t's labels and stops found in every run of p, into p->matches. */
int ex_find_matches(ex_page *p, const ex_template *t);
/* Appends m to p's matches (grown as needed); DG_ENOMEM. */
int ex_push_match(ex_page *p, ex_match m);
long ex_find_title(const ex_page *p, const ex_template *t, size_t *start, size_t *end);
size_t ex_run_significant(const ex_page *p, const ex_run *r, uint32_t *sig, size_t *pos,
                          size_t max);
/* The lowest-cost match of field (see ex_match.field), NULL if none. */
const ex_match *ex_best_match_for(const ex_page *p, int field);
/* The first match in run at or after glyph from; its start into *start. */
const ex_match *ex_match_at(const ex_page *p, size_t run, size_t from, size_t *start);
size_t ex_value_end(const ex_page *p, size_t ri, size_t from);

/* Deskewed extent of some glyphs of a run (a cell run: its box). */
typedef struct ex_span {
    double x0, x1;
    int y0, y1;
} ex_span;
ex_span ex_glyph_span(const ex_page *p, const ex_run *r, size_t s, size_t e);

/* value.c: a value from the glyphs chosen for it */

/* Glyphs chosen for a value. */
typedef struct ex_gsel {
    size_t *g; /* glyph indices into p->glyphs */
    size_t n, alloc;
} ex_gsel;
int ex_gsel_add(ex_gsel *s, size_t g);
int ex_gsel_run(const ex_page *p, size_t ri, size_t s, size_t e, ex_gsel *out);
/* 1 when s holds a letter, digit, Han character or dash. */
int ex_gsel_significant(const ex_page *p, const ex_gsel *s);
int ex_make_value(const ex_page *p, const ex_field *f, const ex_gsel *s, const char *rule,
                  ex_value *v);
/* Arabic or Chinese numeral. */
int ex_is_numeral(uint32_t c);
int ex_run_has_text(const ex_page *p, const ex_run *r);
/* A new record (row_no) at the end of res, values empty. */
int ex_record_add(ex_result *res, const ex_template *t, int row_no);
/* The record's box: the union of its values' boxes. */
void ex_record_box(ex_record *r, size_t nvals);

/* card.c, header.c: values found by label */

int ex_label_value(const ex_page *p, const ex_template *t, const ex_field *f, int field_id,
                   ex_value *v);
int ex_card_record(const ex_page *p, const ex_template *t, ex_result *res);

/* pairs.c: forms without ruling lines (template or field rules="underline"
 * or "none"), outside any grid cell */

/* 1 when field f is declared to stand on an underline or bare beside its
 * label, so pairs.c's rules apply to it. */
int ex_field_free(const ex_field *f);
/* Labels the OCR garbled beyond ex_label_tolerance but which stand where
 * a label of such a layout stands: just before a colon, at the start of
 * a phrase (逢贯：安徽合肥 is 籍贯).  Only fields with no match yet; added
 * to p->matches.  Run after ex_find_matches. */
int ex_find_pair_labels(ex_page *p, const ex_template *t);
/* 1 when run ri starts as a label：value pair does (a colon after a few
 * characters): on such a form, the next pair, not a value. */
int ex_pair_like(const ex_page *p, long ri);
/* A value that reached the end of its run (glyphs in s) goes on in the
 * next run of its row when that starts right after it (the OCR broke one
 * value in two: 安 | 徽合肥); never past a label. */
int ex_pair_continue(const ex_page *p, size_t ri, ex_gsel *s);
/* The ends of a value (glyphs s) outside any cell trimmed by its field's
 * rules (EX_RULES_* bits; nothing without underline or none): what the OCR
 * read from the underline itself (_, runs of — or 一), and what a garbled
 * colon left in front (/”). */
void ex_pair_trim(const ex_page *p, int rules, ex_gsel *s);
int ex_header_values(const ex_page *p, const ex_template *t, ex_value *vals);

/* ledger.c: values under column headers */

typedef struct ex_column {
    int field;
    double x0, x1;
    double cx;
    int y1; /* bottom of the header label */
} ex_column;

#define EX_MAX_PANELS 4
#define EX_MIN_PANEL_COLUMNS 3

/* A table of its own: its header's columns (sorted by x) and the page's
 * x range it holds.  A two-page spread of a bound ledger has two, side by
 * side, with the same header: read as one, each row took some fields from
 * the left page's student and some from the right's. */
typedef struct ex_panel {
    ex_column cols[64];
    size_t ncols;
    double x0, x1;
} ex_panel;

int ex_header_panels(const ex_page *p, const ex_template *t, ex_panel *pn, size_t *np);
int ex_table_records(const ex_page *p, const ex_template *t, const ex_panel *pn, size_t np,
                     ex_result *res);

/* Stable insertion sort of indices with a context. */
void ex_sort_indices(size_t *a, size_t n, int (*cmp)(const void *, const void *, void *),
                     void *ud);

#endif
