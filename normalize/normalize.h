/*
 * normalize.h - the public face of dangan's normalizers and discipline
 * matcher.  Raw text as read from a paper record (names, dates, sex,
 * ethnicity, political status, degree, duration, codes, free text) goes in;
 * a normalized value, the list of steps that produced it and, when the
 * value cannot be normalized or looks implausible, a flag reason come out.
 * Nothing is guessed: a doubtful value is flagged, never invented.
 *
 * ICU does the heavy lifting (NFKC, Hant-Hans, Han-Latin/Names, Chinese
 * numeral parsing) but no ICU type appears here.  Every ICU object lives in
 * a norm_ctx, which is per-thread: open one per worker and never share it.
 *
 * Conventions: fallible calls return 0 or a negative DG_* code and fill the
 * optional dg_err with a lowercase message naming the input.  Functions
 * never print and never exit.  `x_new` results are owned by the caller and
 * freed with `x_free`; structs filled by a call are released with
 * `x_release` (the struct itself belongs to the caller).
 */
#ifndef DANGAN_NORMALIZE_H
#define DANGAN_NORMALIZE_H

#include <stddef.h>

#include "common.h"

/* ------------------------------------------------------------------ */
/* Context                                                             */
/* ------------------------------------------------------------------ */

typedef struct norm_ctx norm_ctx;

/*
 * Open a per-thread context: ICU transliterators, the spell-out number
 * parser and the tables under `config_dir/normalize/` (variants.tsv,
 * confusables.tsv, ethnic_groups.tsv, political.tsv).  config_dir is the
 * `configs` root; NULL means the source tree's configs (DANGAN_SOURCE_CONFIG_DIR).
 * On success *out is owned by the caller (norm_ctx_free).
 */
int norm_ctx_new(const char *config_dir, norm_ctx **out, dg_err *err);
void norm_ctx_free(norm_ctx **ctx);

/* ------------------------------------------------------------------ */
/* Results and provenance                                              */
/* ------------------------------------------------------------------ */

/* One rewriting step: which rule fired, and the value before and after. */
typedef struct norm_step {
    char *rule;
    char *before;
    char *after;
} norm_step;

/*
 * What a normalizer produced.  value is NULL when nothing usable could be
 * derived (then flag says why); value and flag may both be set when a value
 * was derived but looks implausible.  detail carries a second field where a
 * normalizer has one (degree: the level code and category, "master;工学"; name: the
 * simplified form as-written before title stripping is in raw).  raw is the
 * input as written.  All strings are owned by the result.
 */
typedef struct norm_result {
    char *raw;
    char *value;
    char *detail;
    char *flag;
    norm_step *steps;
    size_t nsteps;
    size_t alloc_steps;
} norm_result;

/* Free the strings and steps; the struct can be reused afterwards. */
void norm_result_release(norm_result *r);

/*
 * Append the steps as a JSON array
 * [{"rule":"nfkc","before":"...","after":"..."}, ...] to out (provenance).
 */
int norm_steps_json(const norm_result *r, dg_buf *out);

/* Append the whole result as JSON {"raw","value","detail","flag","steps"}. */
int norm_result_json(const norm_result *r, dg_buf *out);

/* ------------------------------------------------------------------ */
/* Field normalizers                                                   */
/* ------------------------------------------------------------------ */
/*
 * Every normalizer: ctx and raw are required, *r is overwritten (call
 * norm_result_release on it afterwards, also after an error).  Returns 0,
 * DG_EINPUT for invalid UTF-8 (the message names the input), DG_ENOMEM.
 * A value that cannot be normalized is NOT an error: it returns 0 with
 * r->flag set.
 */

/* Personal name: NFKC, spaces/punctuation removed, titles (教授, 副教授,
 * 讲师, 研究员 ...) stripped, traditional -> simplified (ICU Hant-Hans then
 * configs/normalize/variants.tsv).  raw keeps the as-written form. */
int norm_name(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);

/* Search keys of a person's name, all lowercase UTF-8, owned by the struct. */
typedef struct norm_keys {
    char *simplified;    /* 张三 */
    char *pinyin_spaced; /* "zhang san" (toneless, Han-Latin/Names) */
    char *pinyin;        /* "zhangsan" */
    char *lookalike;     /* simplified form folded through confusables.tsv */
    /* the name's other readings (polyphonic characters, polyphones.tsv:
     * 张长江 "zhangzhangjiang" beside "zhangchangjiang"), like pinyin */
    char **alt;
    size_t nalt;
} norm_keys;

void norm_keys_release(norm_keys *k);

/* Keys of a name as written on a record (runs norm_name first). */
int norm_name_keys(norm_ctx *ctx, const char *raw, norm_keys *k, dg_err *err);

/*
 * Keys of a user's search query: pinyin with or without spaces (any case,
 * tone marks or digits dropped) or Han in either script.  For a pinyin query
 * only pinyin and pinyin_spaced are set (simplified/lookalike are NULL).
 */
int norm_query_keys(norm_ctx *ctx, const char *query, norm_keys *k, dg_err *err);

/*
 * Does a query match a stored name?  Returns 3 exact simplified form, 2
 * same pinyin, 1 same look-alike key (a one-character OCR misread), 0 no.
 */
int norm_keys_match(const norm_keys *query, const norm_keys *stored);

/*
 * A name in Hanyu Pinyin as Chinese documents in English print it: the
 * surname first in capitals (a compound one as one word), the given name
 * as one word with a capital, tone marks off, ü kept, an apostrophe where
 * a syllable would run into the next (端木晓泛 -> "DUANMU Xiaofan", 吕安
 * -> "LÜ An", 王西安 -> "WANG Xi'an").  Surnames take their surname reading
 * (单 SHAN, 朴 PIAO).  *out NULL (and DG_OK) when the name is not Han
 * characters of one syllable each; caller frees.
 */
int norm_name_romanized(norm_ctx *ctx, const char *name, char **out, dg_err *err);

/* Dates ------------------------------------------------------------- */

typedef struct norm_date_opts {
    /* Year used to resolve two-digit years (85 -> 1985 or 2085): the
     * century giving the year closest to it wins.  0 means 19xx. */
    int context_year;
    /* Keep only YYYY-MM even when a day is written (fields that are
     * months, e.g. enrolment); by default a day gives YYYY-MM-DD, which
     * form dates such as "1989.6.9" need. */
    int drop_day;
} norm_date_opts;

/*
 * Parse 1985年7月, 一九八五年七月, 八五年七月, 1985.7, 85.07, 1985-7,
 * 1989.6.9, full-width digits, year only ... into ISO "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD".  opts may be NULL.  Impossible values (month 13, day 32)
 * and unparseable text are flagged with value NULL.
 */
int norm_date(norm_ctx *ctx, const char *raw, const norm_date_opts *opts, norm_result *r,
              dg_err *err);

/*
 * One problem found by norm_dates_check.  code is stable and is what callers
 * branch on (the message wording may change):
 *   date_out_of_range     a year outside 1900-2010 (fields[0] says which)
 *   grad_before_enroll    graduation before enrolment
 *   degree_before_enroll  degree before enrolment
 *   enroll_before_age16   enrolment less than 16 years after birth
 *   grad_before_age16     graduation less than 16 years after birth
 * fields names the dates concerned by their norm_record_dates member
 * ("birth", "enrol", "graduate", "degree", "form"), NULL when unused.
 * code and fields are static strings; message is owned by the list.
 */
typedef struct norm_flag {
    const char *code;
    const char *fields[2];
    char *message; /* "graduation '1980-07' before enrolment '1982-09'" */
} norm_flag;

#define NORM_FLAG_DATE_OUT_OF_RANGE "date_out_of_range"
#define NORM_FLAG_GRAD_BEFORE_ENROLL "grad_before_enroll"
#define NORM_FLAG_DEGREE_BEFORE_ENROLL "degree_before_enroll"
#define NORM_FLAG_ENROLL_BEFORE_AGE16 "enroll_before_age16"
#define NORM_FLAG_GRAD_BEFORE_AGE16 "grad_before_age16"

/* A list of flags, owned by the struct. */
typedef struct norm_flags {
    norm_flag *items;
    size_t n;
} norm_flags;

void norm_flags_release(norm_flags *f);

/* ISO dates of one record (any may be NULL or empty). */
typedef struct norm_record_dates {
    const char *birth;
    const char *enrol;
    const char *graduate;
    const char *degree;
    const char *form;
} norm_record_dates;

/*
 * Plausibility of a record's dates: graduation before enrolment, enrolment
 * before age 16, years outside 1900-2010, degree before enrolment.  Appends
 * one norm_flag per problem to *out (caller releases).  Returns 0 or DG_ENOMEM.
 */
int norm_dates_check(const norm_record_dates *d, norm_flags *out, dg_err *err);

/* Small fields -------------------------------------------------------- */

/* 男/女 and variants (男性, M, 女生 ...) -> 男 / 女. */
int norm_sex(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);
/* 汉 -> 汉族, traditional forms, the 56 groups of configs/normalize/ethnic_groups.tsv. */
int norm_ethnicity(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);
/* 党员 -> 中共党员, 团员 -> 共青团员, 民盟盟员 ... (configs/normalize/political.tsv). */
int norm_political(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);
/*
 * Degree: value is the canonical Chinese degree, category + level word as a
 * certificate prints it (工学硕士, 理学博士; a bare 硕士 stays 硕士), with
 * spaces and punctuation removed and traditional forms simplified (碩士 ->
 * 硕士).  detail is machine-readable: the level code "doctor", "master" or
 * "bachelor", then ";" and the category when one was written
 * ("master;工学", "doctor").  Blank, —, 未授, 无 ... -> value and detail
 * "none" (no degree awarded).  No level word at the end -> flagged, value
 * NULL; a category that is not all Han (an OCR misread) -> flagged, value
 * kept.
 */
int norm_degree(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);
/* 三年, 3年, 2.5年, 二年半 -> "3", "2.5" (years). */
int norm_duration(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);
/* Code fields: full-width digits, spaces removed, O->0, l/I->1; 4 or 6 digits else flagged. */
int norm_code(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);
/* Free text: NFKC, whitespace collapsed, spaces between Han characters removed. */
int norm_text(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err);

/* ------------------------------------------------------------------ */
/* Discipline catalogs                                                 */
/* ------------------------------------------------------------------ */

typedef struct norm_catalog norm_catalog;

/*
 * Load `dir/editions.tsv` and the CSV files it names (see
 * configs/disciplines/README.md).  On success *out is owned by the caller
 * (norm_catalog_free).  Errors name the file and line.
 */
int norm_catalog_load(const char *dir, norm_catalog **out, dg_err *err);
void norm_catalog_free(norm_catalog **cat);

/* Iteration API (for `dangan catalog import`).  Pointers stay valid while
 * the catalog lives; indices run from 0 to count-1. */
typedef struct norm_edition_info {
    const char *id;   /* "1997" */
    int from_year;    /* year in force from */
    const char *file; /* catalog csv, relative to dir */
    size_t ndisciplines;
} norm_edition_info;

typedef struct norm_discipline_info {
    const char *code;        /* "081202" */
    const char *name;        /* as in the source, notes included */
    const char *bare_name;   /* name cut at the first （ or ( */
    const char *level;       /* "category", "first" or "second" */
    const char *parent_code; /* "" for categories */
    int professional;        /* 2022-style professional degree category */
} norm_discipline_info;

typedef struct norm_crosswalk_info {
    const char *from_edition;
    const char *to_edition;
    const char *old_code;
    const char *old_name;
    const char *new_code; /* "" when unresolved */
    const char *new_name; /* "" when unresolved */
    const char *relation; /* "derived", ... or "unresolved" */
    const char *basis;    /* rule text, or the unresolved reason */
} norm_crosswalk_info;

/*
 * A curated historical name (manifest line `names <set> <edition> <csv>`,
 * e.g. configs/disciplines/names-pre1997.csv): a major name from a catalog
 * we do not have (1983/1990) and the code it became in a catalog we do.
 * Several rows with one name are a split.  Curated knowledge, not an
 * official table: the matcher never decides such a mapping alone.
 */
typedef struct norm_histname_info {
    const char *set;       /* manifest label, e.g. "pre1997" */
    const char *name;      /* historical name, simplified */
    const char *edition;   /* edition the code belongs to, e.g. "1997" */
    const char *code;      /* code in that edition (checked at load) */
    const char *code_name; /* name of the code as the table gives it */
    const char *relation;  /* "renamed" or "split" */
    const char *basis;     /* "curated: <why>" */
} norm_histname_info;

size_t norm_catalog_edition_count(const norm_catalog *cat);
int norm_catalog_edition(const norm_catalog *cat, size_t i, norm_edition_info *out);
int norm_catalog_discipline(const norm_catalog *cat, size_t edition, size_t i,
                            norm_discipline_info *out);
size_t norm_catalog_crosswalk_count(const norm_catalog *cat);
int norm_catalog_crosswalk(const norm_catalog *cat, size_t i, norm_crosswalk_info *out);
size_t norm_catalog_histname_count(const norm_catalog *cat);
int norm_catalog_histname(const norm_catalog *cat, size_t i, norm_histname_info *out);
/*
 * Every file the manifest names, relative to the catalog directory, in the
 * order first named and each once: edition catalogs, crosswalk mapping and
 * unresolved files (the curated splits included) and curated name sets.
 * editions.tsv itself is not listed.  NULL past the end.  For fingerprints.
 */
size_t norm_catalog_file_count(const norm_catalog *cat);
const char *norm_catalog_file(const norm_catalog *cat, size_t i);
/* The edition the matcher maps to (the manifest's `target`, else the latest). */
const char *norm_catalog_target(const norm_catalog *cat);
/*
 * Edition in force for a record year: the latest edition with from_year <=
 * year.  *before_earliest is set to 1 when year predates every edition (the
 * earliest is returned then).  year 0 returns the target edition.  Returns
 * the edition index.
 */
size_t norm_catalog_edition_for_year(const norm_catalog *cat, int year, int *before_earliest);
/*
 * Is name (as norm_text gives it: no spaces between Han characters) a
 * discipline of the record's era?  0: no;
 * 1: the bare name of a discipline of the edition in force in `year`, or,
 * when year predates every edition, a curated historical name (year 0: of
 * any edition); 2: that, and `code` (NULL: none) is one of its codes (the
 * record's own major code names it).  Evidence for the trust model: a
 * misreading of a major is rarely another major of the same catalog.
 */
int norm_catalog_era_name(const norm_catalog *cat, const char *name, int year, const char *code);
/* 1 when category (工学, 工商管理) is a degree category of the catalog: a
 * category of some edition, or a professional-degree category; else 0. */
int norm_catalog_degree_category(const norm_catalog *cat, const char *category);

/* ------------------------------------------------------------------ */
/* Matcher                                                             */
/* ------------------------------------------------------------------ */

/* Thresholds (configs/normalize/matcher.conf). */
typedef struct norm_match_conf {
    double auto_threshold; /* best score must reach this for auto */
    double auto_margin;    /* ... and beat the runner-up by this much */
    double min_score;      /* candidates below are dropped */
    double confusable_cost;/* edit cost of an OCR look-alike substitution */
    double other_edition_factor; /* name found only outside the edition in force */
    double before_earliest_factor; /* record predates every edition */
    double code_conflict_factor;   /* code points elsewhere than the name */
    size_t max_candidates;
    /* Year assumed, when a record has none, for ruling out professional-degree
     * categories that did not exist yet (0 = no check without a year). */
    int default_context_year;
} norm_match_conf;

/* Defaults, then key=value lines of path override them (path may be NULL). */
int norm_match_conf_load(const char *path, norm_match_conf *conf, dg_err *err);

/* An operator's mapping rule (supplied by the database layer). */
typedef struct norm_match_rule {
    const char *name;       /* historical name (normalized like the input) */
    int year_from, year_to; /* 0 = open */
    const char *department; /* NULL or "" = any */
    const char *code;       /* target 4-digit code */
    const char *rule_id;
    const char *who;
} norm_match_rule;

typedef struct norm_match_input {
    const char *name;       /* historical name as read (required) */
    const char *code;       /* optional */
    int year;               /* enrolment or graduation year, 0 unknown */
    const char *department; /* optional */
    const norm_match_rule *rules;
    size_t nrules;
} norm_match_input;

typedef struct norm_candidate {
    char *code;      /* target-edition 4-digit code */
    char *name;      /* bare target name */
    double score;    /* [0,1] */
    char *edition;   /* edition (or curated name set) the historical name was found in */
    char *path;      /* "1997:081202 计算机软件与理论 → 2022:0812 计算机科学与技术" */
    char **evidence; /* nevidence items, each one reason, in the order found */
    size_t nevidence;
    char *rule_id;   /* the operator rule that proposed it (norm_match_rule.rule_id), else NULL */
    int force_review;
} norm_candidate;

typedef enum norm_decision { NORM_REVIEW = 0, NORM_AUTO = 1 } norm_decision;

typedef struct norm_match_result {
    norm_decision decision;
    norm_candidate *candidates; /* best first */
    size_t ncandidates;
    size_t alloc;
} norm_match_result;

void norm_match_result_release(norm_match_result *m);

/*
 * Rank target-edition candidates for a historical discipline name.  conf
 * may be NULL (defaults).  *m is overwritten; release it afterwards.
 * Always `review`: a crosswalk split (relation "split" or several rows for
 * one old code), a "check" or unresolved row, a curated historical name
 * (norm_histname_info), a code that is unknown or points elsewhere.  An
 * operator rule decides `auto` unless two applicable rules disagree; the
 * rule's candidate carries rule_id.  A professional-degree category (the
 * catalog manifest's `professional` list) that started after the record's
 * year (in->year, else conf->default_context_year) is never decided
 * automatically: it stays a candidate with an evidence line saying so, and
 * does not count as a close runner-up against another candidate.
 */
int norm_match(norm_ctx *ctx, const norm_catalog *cat, const norm_match_conf *conf,
               const norm_match_input *in, norm_match_result *m, dg_err *err);

/*
 * {"decision":"auto"|"review","candidates":[{"code","name","score","edition","path","evidence"}]}
 * where evidence is a JSON array of strings.
 */
int norm_match_json(const norm_match_result *m, dg_buf *out);

/* ---- name prior (prior.c) -------------------------------------- */
/*
 * How plausible is a string as a full Chinese personal name?  A prior for
 * the trust model: surname frequency from the bundled Apache-2.0
 * table configs/names/surnames_wainshine.tsv, or from the ChineseNames
 * tables when a site installed them (configs/names/README.md), and a class
 * for each given-name character (GB2312 level through ICU, or the site's
 * given-character counts).  The name is NFKC-folded and traditional forms
 * are simplified first; nothing else is removed, so punctuation, digits
 * and Latin letters inside it count against it.
 */
typedef struct norm_prior norm_prior;

/* A character's class, from most to least name-like. */
typedef enum norm_prior_class {
    NORM_PRIOR_COMMON = 0,  /* GB2312 level 1 (3,755 common characters) */
    NORM_PRIOR_LESS_COMMON, /* GB2312 level 2 (3,008 less common) */
    NORM_PRIOR_RARE,        /* in GBK, not in GB2312 (rare; many still used in names) */
    NORM_PRIOR_HAN_OTHER,   /* Han outside GBK (extension blocks) */
    NORM_PRIOR_SEPARATOR,   /* middle dot of transcribed names (阿依古丽·买买提) */
    NORM_PRIOR_NOT_HAN      /* letter, digit, punctuation, symbol, space */
} norm_prior_class;

#define NORM_PRIOR_MAX_GIVEN 8

/* Per-part provenance of a score; every logp is a natural-log term of the sum. */
typedef struct norm_prior_detail {
    char folded[64];    /* the simplified name that was scored (cut at 63 bytes) */
    char surname[16];   /* surname part as split ("" for an empty name) */
    int compound;       /* surname is two characters (欧阳, 端木 ...) */
    int surname_found;  /* surname is in the table used */
    double surname_count; /* its count in that table, 0 when not found */
    const char *surname_table; /* "wainshine" or "site"; static */
    double surname_logp;
    size_t ngiven;      /* given-name characters (only the first NORM_PRIOR_MAX_GIVEN kept) */
    struct {
        char ch[8];     /* UTF-8 */
        norm_prior_class cls;
        double count;   /* site given-character count, -1 without a site table */
        double logp;
    } given[NORM_PRIOR_MAX_GIVEN];
    double length_logp; /* name length outside 2-3 characters (4 with a compound surname) */
} norm_prior_detail;

/*
 * Load the prior.  config_dir is the configs root (configs/names/ and the
 * normalize tables for folding).  site_dir, when not NULL, is a directory
 * with the ChineseNames tables (surnames.tsv, given_chars.tsv); NULL means
 * $DANGAN_NAME_STATS, else `site_stats` of configs/names/names.conf; a
 * configured directory without the files is ignored (norm_prior_site says
 * what was used).  *out is owned by the caller (norm_prior_free).
 */
int norm_prior_new(const char *config_dir, const char *site_dir, norm_prior **out,
                   dg_err *err);
void norm_prior_free(norm_prior **p);

/* Site directory whose tables were loaded, or NULL (bundled data only). */
const char *norm_prior_site(const norm_prior *p);

/*
 * Log-likelihood-ratio-like plausibility of name_utf8 as a real full name:
 * ln P(part | names) - ln P(part | uniform) summed over surname and given
 * characters, plus a length term.  Around 0 for an ordinary name, a few
 * units lower for a rare surname (部, 芯), far lower with Latin letters,
 * digits or punctuation inside.  d may be NULL.  Invalid UTF-8 or an empty
 * name scores NORM_PRIOR_NONE.  Not thread-safe (shares ICU state).
 */
#define NORM_PRIOR_NONE (-100.0)
double norm_prior_name_logp(const norm_prior *p, const char *name_utf8, norm_prior_detail *d);

/* "common", "less_common", "rare", "han_other", "separator", "not_han". */
const char *norm_prior_class_name(norm_prior_class c);
/* ---- end name prior ---------------------------------------------- */

/* ------------------------------------------------------------------ */
/* Glyph similarity: which characters look alike (glyph.c)             */
/* ------------------------------------------------------------------ */

/*
 * configs/normalize/glyphs.tsv: for each character names use (GB2312 levels
 * 1-2, their traditional forms, the variants and confusables tables), its
 * most similar characters by rendered shape with a score in (0, 1] (mean
 * cosine of blurred ink and stroke-direction maps over the fonts; made
 * offline by bench/glyph_table, provenance in configs/normalize/README.md).
 * A graded measure of how easily OCR reads one for the other (郝/部 0.8x),
 * where confusables.tsv is a yes/no class.  Read-only after loading: one
 * table may be shared by every thread.  Lookup uses it for the cost of a
 * substituted character; it is evidence for anything comparing readings.
 */
typedef struct norm_glyphs norm_glyphs;

typedef struct norm_glyph_nb {
    uint32_t cp;  /* the look-alike's code point */
    double score; /* similarity, 0-1 */
} norm_glyph_nb;

/* `config_dir/normalize/glyphs.tsv` (NULL: the source tree's configs).
 * *out is owned by the caller (norm_glyphs_free).  Errors (DG_EINPUT, also
 * for a missing file) name the file and line. */
int norm_glyphs_new(const char *config_dir, norm_glyphs **out, dg_err *err);
/* The same from any table of that format (a bench's table of other fonts). */
int norm_glyphs_load(const char *path, norm_glyphs **out, dg_err *err);
void norm_glyphs_free(norm_glyphs **g);

/* Characters that have a line in the table (0 for NULL). */
size_t norm_glyphs_count(const norm_glyphs *g);
/* c's look-alikes, most similar first: *out points into g (valid until
 * norm_glyphs_free), returns how many; 0 and NULL when c has none (or g is NULL). */
size_t norm_glyphs_neighbours(const norm_glyphs *g, uint32_t c, const norm_glyph_nb **out);
/* Similarity of a and b: 1 when equal, the table's score when either lists
 * the other, else 0 (not among each other's closest: no evidence of a look-alike). */
double norm_glyphs_score(const norm_glyphs *g, uint32_t a, uint32_t b);
/* The same for two one-character UTF-8 strings; 0 when either is not one character. */
double norm_glyphs_score_utf8(const norm_glyphs *g, const char *a, const char *b);
/* ---- end glyph similarity ---------------------------------------- */

/* ------------------------------------------------------------------ */
/* Trust: one calibrated probability per value (trust.c)               */
/* ------------------------------------------------------------------ */

/*
 * Evidence for one candidate value, each a number the logistic model
 * weighs.  Confidences are 0-1; a reader that did not read the box gives 0
 * and its no_* indicator 1.
 */
enum {
    NORM_TF_BIAS,      /* always 1 */
    NORM_TF_TESS_CONF, /* Tesseract's confidence, when its reading gives this value */
    NORM_TF_REC2_CONF, /* the second reader's confidence, when its reading gives this value */
    NORM_TF_AGREE,     /* 1 when both readers read this value */
    NORM_TF_DISAGREE,  /* 1 when the other reader read another value */
    NORM_TF_NO_REC2,   /* 1 when the second reader did not read the box */
    NORM_TF_PRIOR,     /* plausibility as a name (log-ratio, clipped to [-4, 4]) */
    NORM_TF_INVALID,   /* 1 when the normalizer could not make a value of it */
    NORM_TF_COLUMN,    /* log(1 + other records of the batch with this value) */
    NORM_TF_FLAGGED,   /* 1 when a normalizer or a cross-check flagged it */
    NORM_TF_KEY_RATE,  /* log-odds that a value of this field key is right, from the fit's pages */
    NORM_TF_SOURCE_AGREE,  /* readings of the graduate's other source (card / ledger) giving it */
    NORM_TF_SOURCE_DIFFER, /* 1 when the other source read the key and none of it gives this value */
    NORM_TF_CODE_YEAR, /* a student or certificate number: +1 its year digits are the record's year, -1 another */
    NORM_TF_CATALOG,   /* a major: 1 a discipline of the record's era's catalog, 2 and its code is the record's;
                        * a degree: 1 its category is one of the catalog's */
    NORM_TF_PART,      /* a name: 1 when another reading of it is this name and more (王元 beside 王元永) */
    NORM_TF_AGREE3,    /* 1 when the third reader (Tesseract's 4.0.0 model) read this value */
    NORM_TF_DIFFER3,   /* 1 when the third reader read another value */
    NORM_TF_COUNT
};
extern const char *const norm_trust_feature_names[NORM_TF_COUNT];

/* w . f, with each term in contrib (may be NULL); and its logistic. */
double norm_trust_logit(const double w[NORM_TF_COUNT], const double f[NORM_TF_COUNT],
                        double contrib[NORM_TF_COUNT]);
double norm_trust_prob(const double w[NORM_TF_COUNT], const double f[NORM_TF_COUNT],
                       double contrib[NORM_TF_COUNT]);

/* A labelled example for fitting: features and whether the value was right. */
typedef struct norm_trust_example {
    double f[NORM_TF_COUNT];
    int right;
} norm_trust_example;

/* Fit w (in: the start, e.g. zeros; out: the weights) by L2-regularised
 * logistic regression.  DG_ERR when the examples cannot separate anything. */
int norm_trust_fit(const norm_trust_example *ex, size_t n, double l2, double w[NORM_TF_COUNT]);

/* A value's probability and whether it was right (evaluation). */
typedef struct norm_trust_scored {
    double p;
    int right;
} norm_trust_scored;

/* The lowest p at which the values above it (s sorted in place, most
 * probable first) are wrong at most `target` of the time, counting one
 * extra error; 1.0 when none qualifies. */
double norm_trust_threshold(norm_trust_scored *s, size_t n, double target);

/*
 * The threshold dangan fits with (docs/trust.md): the lowest p such that,
 * over the values at or above it (s sorted in place, most probable first),
 *  - the expected error, mean(1 - p), is at most `target` (every value
 *    weighs in, so one confident misreading moves it by 1/n, not 1);
 *  - the observed errors do not show, at confidence `conf`, that the error
 *    above it exceeds `target` (the one-sided Clopper-Pearson lower bound
 *    of the observed error rate is at most target).
 * 1.0 (nothing verified unseen) when no p qualifies.  Meant for
 * out-of-fold p (norm_trust_crossfit): in-sample p is optimistic.
 */
double norm_trust_threshold_tail(norm_trust_scored *s, size_t n, double target, double conf);

/* P(X >= k) for X ~ Binomial(n, q). */
double norm_trust_binom_upper(size_t n, size_t k, double q);

/*
 * Cross-fitting: ex[] are candidates, grouped by field (field[i], candidates
 * of one field adjacent) and assigned to folds 0..nfolds-1 (fold[i], the
 * same for every candidate of a field; by page, so a page never judges
 * itself).  Each fold's candidates are weighed by a model fitted on the
 * other folds; out[] gets, per field in input order, the out-of-fold p of
 * its most probable candidate and whether that candidate was right
 * (*nout of them; out must hold n).  DG_ERR when a fold's fit fails.
 */
int norm_trust_crossfit(const norm_trust_example *ex, const long *field, const int *fold,
                        size_t n, int nfolds, double l2, norm_trust_scored *out, size_t *nout);

/* A fold's fit needs this many right and this many wrong examples: a model
 * that has seen two misreadings cannot say how probable the next one is. */
#define NORM_TRUST_MIN_EACH 3

/* How the threshold is fitted: the target error, the confidence the
 * observed errors need to overrule the model (norm_trust_threshold_tail),
 * the number of folds and the fit's L2 weight. */
typedef struct norm_trust_tcfg {
    double target, conf, l2;
    int nfolds;
} norm_trust_tcfg;

/*
 * The threshold of one value type (arguments as norm_trust_crossfit):
 * cross-fitted p, then norm_trust_threshold_tail.  *th is 1.0 (every value
 * reviewed) when some fold has fewer than NORM_TRUST_MIN_EACH right or
 * wrong examples or its fit fails; then the return is still DG_OK.  *nout
 * and out (may be NULL) get the out-of-fold scores for reporting.
 */
int norm_trust_threshold_cv(const norm_trust_example *ex, const long *field, const int *fold,
                            size_t n, const norm_trust_tcfg *cfg, double *th,
                            norm_trust_scored *out, size_t *nout);

/* Reliability table: p in ten bins, observed share right, and the expected
 * calibration error (mean |p - right| over bins, weighted by count). */
#define NORM_TRUST_BINS 10
typedef struct norm_trust_bins {
    size_t count[NORM_TRUST_BINS], right[NORM_TRUST_BINS], n;
    double p_sum[NORM_TRUST_BINS];
    double ece;
} norm_trust_bins;
void norm_trust_reliability(const norm_trust_scored *s, size_t n, norm_trust_bins *out);

#endif
