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

#include "common.h"

typedef struct ex_templates ex_templates;

/*
 * Load every *.xml in dir (sorted by name), each validated against
 * schema_path (NULL: schema/template.rng next to the configs directory).
 * A broken file fails the whole load with "FILE:LINE: what is wrong".
 * On success *out is a set the caller frees with ex_templates_free.
 */
int ex_templates_load_dir(const char *dir, const char *schema_path, ex_templates **out,
                          dg_err *err);
/* Load one file into an existing set (same rules). */
int ex_templates_add_file(ex_templates *set, const char *path, dg_err *err);
ex_templates *ex_templates_new(const char *schema_path);
void ex_templates_free(ex_templates **set);
size_t ex_templates_count(const ex_templates *set);
/* Id of the i-th template; NULL past the end. */
const char *ex_templates_id(const ex_templates *set, size_t i);
/* JSON array [{"id":..,"sha256":..}] of the loaded files (caller frees). */
char *ex_templates_params(const ex_templates *set);

#endif
