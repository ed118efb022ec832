/*
 * internal.h - what the normalize/ sources share and nobody else sees: the
 * layout of norm_ctx (ICU handles and config tables), UTF-8 <-> UTF-16/32
 * helpers, table loading and result-building helpers.
 */
#ifndef DANGAN_NORMALIZE_INTERNAL_H
#define DANGAN_NORMALIZE_INTERNAL_H

#include "normalize.h"

#include <stdint.h>
#include <unicode/umachine.h>
#include <unicode/unorm2.h>
#include <unicode/unum.h>
#include <unicode/utrans.h>

/* Inputs beyond this are rejected: no field on a paper form is that long. */
#define NZ_MAX_INPUT 4096

typedef struct nz_cpmap {
    UChar32 from;
    UChar32 to;
} nz_cpmap;

typedef struct nz_pair {
    char *key;
    char *value;
} nz_pair;

typedef struct nz_reading nz_reading; /* readings.c */

struct norm_ctx {
    UTransliterator *hant_hans;
    UTransliterator *han_latin; /* Han-Latin/Names; Latin-ASCII */
    UNumberFormat *spellout;    /* zh spell-out parser for Chinese numerals */
    const UNormalizer2 *nfkc;
    nz_cpmap *variants; /* sorted by from; from == to means "keep" */
    size_t nvariants;
    nz_cpmap *confusables; /* sorted by from; to is the class key */
    size_t nconfusables;
    char **ethnic; /* full names, e.g. 汉族 */
    size_t nethnic;
    nz_pair *political;
    size_t npolitical;
    nz_reading *readings; /* polyphones.tsv, sorted by character */
    size_t nreadings;
    char **compound; /* two-character surnames (names/surnames_wainshine.tsv) */
    size_t ncompound;
};

/* A UTF-32 string. */
typedef struct nz_u32 {
    UChar32 *c;
    size_t n;
} nz_u32;

/* Decode valid UTF-8 (checked before) into cps; caller frees out->c. */
int nz_decode(const char *s, nz_u32 *out);
/* A growing list of owned strings, as the table loaders collect them. */
typedef struct nz_strv {
    char **s;
    size_t n, alloc;
} nz_strv;
/* Appends a copy of str; DG_OK or DG_ENOMEM. */
int nz_strv_push(nz_strv *v, const char *str);
/* Encode n code points as a new UTF-8 string (caller frees), NULL on ENOMEM. */
char *nz_encode(const UChar32 *c, size_t n);
/* 0 if s is valid UTF-8 no longer than NZ_MAX_INPUT, else DG_EINPUT naming what/s. */
int nz_check_input(const char *s, const char *what, dg_err *err);

/* ICU operations on UTF-8, returning a new string (caller frees) or NULL. */
char *nz_nfkc(norm_ctx *ctx, const char *s);
char *nz_translit(UTransliterator *t, const char *s);
/* Hant-Hans plus the variant table, leaving "keep" characters untouched. */
char *nz_simplify(norm_ctx *ctx, const char *s);
/* Chinese numeral (七, 十二, 二十三, 卅一, 一九八五) -> value; -1 if not a numeral. */
long nz_parse_zh_number(norm_ctx *ctx, const UChar32 *c, size_t n);

UChar32 nz_confusable_key(const norm_ctx *ctx, UChar32 c);

/* readings.c: polyphones.tsv and the compound surnames (both optional). */
int nz_readings_load(norm_ctx *c, const char *dir, dg_err *err);
void nz_readings_free(norm_ctx *c);
/* One toneless syllable per character of simp into syl (the first read as
 * a surname), its code points into cps, *nsurname 1 or 2; returns the
 * number of characters, 0 when simp is not one syllable a character (or
 * longer than max), -1 out of memory. */
int nz_name_syllables(norm_ctx *c, const char *simp, char syl[][16], UChar32 *cps, int max,
                      int *nsurname);
/* k->pinyin made from those syllables, and k->alt from every other
 * combination of the polyphonic characters' readings. */
int nz_name_alt_keys(norm_ctx *c, const char *simp, norm_keys *k);
int nz_is_space(UChar32 c);

/* Result building: steps are recorded only when the value changes. */
int nz_result_start(norm_result *r, const char *raw);
/* Replace *cur by next (takes ownership of next); records a step if changed. */
int nz_apply(norm_result *r, char **cur, const char *rule, char *next);
int nz_flag(norm_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a UTF-8 TSV file: cb gets the fields of each non-comment line. */
typedef int (*nz_tsv_cb)(void *arg, char **fields, size_t nfields, const char *path, int line,
                         dg_err *err);
int nz_tsv_read(const char *path, nz_tsv_cb cb, void *arg, dg_err *err);
/* Split a CSV line with "quoted, fields" in place; returns field count. */
size_t nz_csv_split(char *line, char **fields, size_t max);

#endif

/* ---- catalog layout (catalog.c builds it, match.c reads it) ---- */

typedef struct nz_disc {
    char *code, *name, *bare, *level, *parent;
    int professional;
    int prof_from; /* year a professional-degree category started, 0 = not listed */
    nz_u32 key; /* bare name as code points, for the edit distance */
} nz_disc;

typedef struct nz_edition {
    char *id;
    int from_year;
    char *file;
    nz_disc *d; /* sorted by code */
    size_t n, alloc;
} nz_edition;

typedef struct nz_xrow {
    size_t from, to; /* edition indices */
    char *old_code, *old_name, *new_code, *new_name, *relation, *basis;
} nz_xrow;

/* A curated historical name (names-pre1997.csv): name -> code of edition `edition`. */
typedef struct nz_histname {
    char *set, *name, *code, *code_name, *relation, *basis;
    size_t edition; /* edition index of code */
    nz_u32 key;     /* name as code points, for the edit distance */
} nz_histname;

/* One posting of the character index: entry = edition << 16 | discipline. */
typedef struct nz_posting {
    UChar32 cp;
    uint32_t entry;
} nz_posting;

struct norm_catalog {
    nz_edition *ed; /* sorted by from_year */
    size_t ned;
    nz_xrow *x; /* sorted by from, to, old_code */
    size_t nx, xalloc;
    size_t target;
    nz_posting *post; /* sorted by cp */
    size_t npost;
    unsigned char *xw_matrix; /* ned x ned: is there a crosswalk from i to j */
    nz_histname *hn; /* in file order */
    size_t nhn, hnalloc;
    char **files; /* every file the manifest names, relative, first mention order */
    size_t nfiles;
};

const nz_disc *nz_cat_find(const nz_edition *e, const char *code);
/* Rows of the crosswalk from->to for old_code: [*first, *first + count). */
size_t nz_cat_xrows(const norm_catalog *c, size_t from, size_t to, const char *code,
                    size_t *first);
/* Is there any crosswalk from edition `from` to `to`? */
int nz_cat_has_crosswalk(const norm_catalog *c, size_t from, size_t to);
