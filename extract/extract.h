/*
 * extract.h - field extraction: form templates (configs/templates, one .xml
 * per form, grammar schema/template.rng), classifying a page's OCR against
 * them and reading records and fields from its words.  No database: the
 * extract stage (archive.h, arc_extract) loads the words and stores the
 * records.
 */
#ifndef DANGAN_EXTRACT_H
#define DANGAN_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* ---- templates ----------------------------------------------------------------------- */

typedef struct ex_templates ex_templates;
typedef struct ex_template ex_template;

/*
 * Load every *.xml in dir (sorted by name), each validated against
 * schema_path (NULL: the grammar compiled into the binary), and the
 * classes of characters OCR confuses from lookalikes (the normalizer's
 * configs/normalize/confusables.tsv; NULL: none, every slip costs the
 * same).  A broken file fails the whole load with "FILE:LINE: what is
 * wrong".  On success *out is a set the caller frees with ex_templates_free.
 */
int ex_templates_load_dir(const char *dir, const char *schema_path, const char *lookalikes,
                          ex_templates **out, dg_err *err);
/* Load one file into an existing set (same rules). */
int ex_templates_add_file(ex_templates *set, const char *path, dg_err *err);
ex_templates *ex_templates_new(const char *schema_path);
void ex_templates_free(ex_templates **set);
size_t ex_templates_count(const ex_templates *set);
/* JSON array [{"id":..,"sha256":..}] of the loaded files (caller frees). */
char *ex_templates_params(const ex_templates *set);

const char *ex_template_id(const ex_template *t);
/* Count and keys of the record's fields (header 0) or of the page
 * header's fields (header 1), in template order. */
size_t ex_template_nfields(const ex_template *t, int header);
const char *ex_template_key(const ex_template *t, int header, size_t i);
/* 1 when record field i is stored as 'missing' when not found. */
int ex_template_expected(const ex_template *t, size_t i);

/* ---- a page's OCR in, records out ------------------------------------------------------ */

typedef struct ex_box {
    int x, y, w, h;
} ex_box;

/* One page's words and grid cells, as the OCR stored them. */
typedef struct ex_page ex_page;

/* skew_deg: the OCR's page skew; boxes are deskewed for geometry only.
 * NULL when out of memory. */
ex_page *ex_page_new(int width, int height, double skew_deg);
void ex_page_free(ex_page **p);
int ex_page_add_cell(ex_page *p, int64_t id, int row, int col, ex_box b);
/* Words in reading order (line_no, word_no); cell_id 0 = outside the grid. */
int ex_page_add_word(ex_page *p, int64_t id, int line_no, int64_t cell_id, const char *text,
                     double conf, ex_box b);
/* After the last word and cell, before ex_page_extract. */
int ex_page_finish(ex_page *p);

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
