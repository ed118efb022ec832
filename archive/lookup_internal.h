/*
 * lookup_internal.h - what lookup.c, export_archive.c and the bench share
 * inside the archive module: the one SELECT list that turns a study record
 * and its person into the canonical field keys (read from fieldkeys.h), so lookup results and the
 * archive export can never disagree about what a field is called.
 */
#ifndef DANGAN_LOOKUP_INTERNAL_H
#define DANGAN_LOOKUP_INTERNAL_H

#include "archive.h"
#include "normalize.h"

#include <sqlite3.h>

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

/*
 * The name prior of lookup's "as asked" decision (lookup_prior.c): a
 * syllable model of the archive's names (a spread sample of it, surname
 * syllables smoothed towards configs/names/surnames_wainshine.tsv) and the
 * share of the sample each date or major criterion lets through.
 */
typedef struct lk_prior lk_prior;
typedef struct norm_ctx norm_ctx;
/* Reads the archive (up to 20,000 seeks) and the surname table; *out owned
 * by the caller (lk_prior_free). */
int lk_prior_new(sqlite3 *db, norm_ctx *nc, const char *config_dir, lk_prior **out,
                 dg_err *err);
void lk_prior_free(lk_prior **p);
/* The prior as the database keeps it (migration 022: lookup_prior), made
 * and kept there first when it is missing or older than the persons
 * (max(person.id) changed).  *out owned by the caller. */
int lk_prior_get(sqlite3 *db, norm_ctx *nc, const char *config_dir, lk_prior **out,
                 dg_err *err);
/* Make the prior from the archive now and keep it (load, after it added
 * or rekeyed persons). */
int lk_prior_refresh(sqlite3 *db, norm_ctx *nc, const char *config_dir, dg_err *err);
/* Make and store the prior when the archive has persons and no prior of its
 * newest person (a load killed before it made one); nothing otherwise. */
int lk_prior_ensure(sqlite3 *db, norm_ctx *nc, const char *config_dir, dg_err *err);
/* How many archived persons are expected to have a name that reads like
 * han (the same toneless pinyin) by chance: N * P(pinyin of han). */
double lk_prior_expected(lk_prior *p, norm_ctx *nc, const char *han);
/* Share of a character among the sample's surnames (given 0: the first
 * character of a name) or given-name characters (given 1), smoothed. */
double lk_prior_char_share(lk_prior *p, const char *ch, int given);
/* Share of archived persons (0 < s < 1) born / graduated in [lo, hi), or
 * whose major matches as crit_major matches it. */
double lk_prior_share_born(const lk_prior *p, const char *lo, const char *hi);
double lk_prior_share_grad(const lk_prior *p, const char *lo, const char *hi);
double lk_prior_share_major(const lk_prior *p, const char *major);
/* Append ,"audience":..,"for":..,"purpose":..,"fields":[allowed keys] to a
 * JSON object being built in b (nothing for d NULL): how lookup and export
 * log a disclosure. */
int arc_disclosure_json(const arc_disclosure *d, dg_buf *b);

/*
 * Look-alike neighbours (lookup_glyph.c) from the glyph-similarity table,
 * configs/normalize/glyphs.tsv (norm_glyphs).  lk_glyph_load: *out NULL
 * (no table, every substitution alike) when config_dir has no table; an
 * unreadable or malformed table is an error.  Owned by the caller.
 */
int lk_glyph_load(const char *config_dir, norm_glyphs **out, dg_err *err);
enum { LK_GLYPH_MAX_LEN = 16 };
typedef int (*lk_glyph_fn)(void *user, const char *variant, int pos);
/* fn(user, name with the character at 0-based pos replaced by one of its
 * close look-alikes, pos) for every position and look-alike, closest
 * first; stops at fn's first nonzero return.  Nothing when g is NULL. */
int lk_glyph_variants(const norm_glyphs *g, const char *name, lk_glyph_fn fn, void *user);
/* P(the archive holds `archived` where `asked` was written | a look-alike
 * misread of `asked`): its score against asked's other look-alikes; 0 when
 * the two are not look-alikes. */
double lk_glyph_misread_p(const norm_glyphs *g, uint32_t asked, uint32_t archived);
/* A neighbour's tie-break: the mixture of an OCR look-alike misread and any
 * substitution (share: the asked character's share in its slot); share
 * alone when g is NULL. */
double lk_glyph_tie(const norm_glyphs *g, uint32_t asked, uint32_t archived, double share);
/* How many rows the tier reads of the last arc_lookup_run handed to C
 * (candidates read before ranking): what a tier that stops early saves,
 * for tests and the bench. */
long lk_rows_read(const arc_lookup *lk);

/*
 * A name tier read in rank order (lookup_rank.c, migration 025), for
 * requests without criteria: the people of key in the order of their
 * lowest study id, each study record handed to emit (study id, archived
 * simplified name), stopping once `need` study ids lower than any unread
 * person's are held.  except: a simplified name left out (NULL: none).
 * rest (NULL: not wanted) adds the study records and the distinct names of
 * the people left unread, from index entries alone.  emit returns DG_OK or
 * DG_ENOMEM.
 */
typedef struct lk_rank lk_rank;
enum { LK_RANK_SIMPLIFIED, LK_RANK_PINYIN };
typedef struct lk_rank_rest {
    long studies; /* study records of the people not read */
    char **names; /* their distinct simplified names */
    size_t nnames;
} lk_rank_rest;
typedef int (*lk_rank_emit)(void *ctx, int64_t study, const char *name);
int lk_rank_new(sqlite3 *db, lk_rank **out, dg_err *err);
void lk_rank_free(lk_rank **r);
int lk_rank_read(lk_rank *r, int index, const char *key, const char *except, size_t need,
                 lk_rank_emit emit, void *ctx, lk_rank_rest *rest, dg_err *err);
/* The other readings (person_reading) of key, of people whose main reading
 * is not key (lk_rank_read has those), all emitted. */
int lk_rank_readings(lk_rank *r, const char *key, const char *except, lk_rank_emit emit,
                     void *ctx, dg_err *err);
void lk_rank_rest_release(lk_rank_rest *rest);

/* The parsed query: keys, criteria as index ranges. */
typedef struct lk_query {
    const arc_lookup_query *q;
    norm_keys keys;
    const char *raw_name;
    char born_lo[16], born_hi[16];
    char grad_lo[8], grad_hi[8];
    char *major; /* NFKC-folded */
} lk_query;

/* The criteria as the tier reads apply them: a row whose archived birth or
 * graduation contradicts the request is left in SQLite (crit_born and
 * crit_grad would drop it), so it costs an index entry, not a join into
 * study_record and a row handed to C.  The same tests as crit_born /
 * crit_grad: missing or empty kept, in [lo, hi) kept, a birth of the
 * asked year alone kept; :blo / :glo NULL when not asked (lk_query_bind_criteria). */
#define LK_CRIT_SQL                                                                                \
    " AND (:blo IS NULL OR p.birth IS NULL OR p.birth = '' OR (p.birth >= :blo AND "             \
    "p.birth < :bhi) OR p.birth = substr(:blo, 1, 4)) AND (:glo IS NULL OR s.grad IS NULL OR "   \
    "s.grad = '' OR (s.grad >= :glo AND s.grad < :ghi))"
/* Binds :blo :bhi :glo :ghi of a statement with LK_CRIT_SQL. */
void lk_query_bind_criteria(sqlite3_stmt *st, const lk_query *lq);

/* Parses q into lq (lq->q = q; the keys and major owned by lq, released
 * by lk_query_release); DG_EUSAGE naming what is wrong with the request. */
int lk_query_parse(norm_ctx *nc, const arc_lookup_query *q, lk_query *lq, dg_err *err);
void lk_query_release(lk_query *lq);

/* Scores of a hit: the name tier that found it, plus LK_CRIT a criterion
 * it meets (lookup.c ranks by them). */
enum { LK_MAX_WHY = 8 };
enum {
    LK_EXACT = 100,
    LK_PINYIN = 70,
    LK_PINYIN_ORDER = 65, /* the pinyin's syllables in another order: "Xiaofan Duanmu" */
    LK_LOOKALIKE = 50,
    LK_NEIGHBOUR = 30,
    LK_CRIT = 10
};

/* A candidate study record while ranking. */
typedef struct lk_cand {
    int64_t study;
    int score;
    int tier; /* the name tier that found it (LK_EXACT ...), 0 criteria only */
    char *name; /* archived simplified name */
    /* each criterion: LK_C_NONE not asked, LK_C_MATCH, LK_C_YEAR (birth year
     * only archived), LK_C_UNKNOWN (not archived, or a major that differs) */
    unsigned char born, grad, major;
    double tie; /* between equal scores, higher first: how likely the misread (neighbours) */
    double glyph; /* neighbours: how alike the differing characters' glyphs are, 0 not look-alikes */
    /* what the reasons name, kept until the candidate is among the hits
     * shown (cand_explain): most candidates of a common name never are */
    char *born_s, *grad_s;
    const char *major_why;
    size_t nwhy;
    char *why[LK_MAX_WHY];
} lk_cand;

typedef struct lk_cands {
    lk_cand *v;
    size_t n, alloc;
} lk_cands;

enum { LK_C_NONE, LK_C_MATCH, LK_C_YEAR, LK_C_UNKNOWN };

/* A row's text column (NULL for NULL). */
static inline const char *lk_coltext(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}
/* A tier row (column 3 p.birth, 4 s.grad, 5-8 the majors) against the
 * request's --born, --graduated and --major (lookup_query.c): 1 kept, with
 * its score and the criterion's state in c, 0 contradicted. */
int lk_crit_born(const lk_query *lq, sqlite3_stmt *st, lk_cand *c);
int lk_crit_grad(const lk_query *lq, sqlite3_stmt *st, lk_cand *c);
int lk_crit_major(const lk_query *lq, sqlite3_stmt *st, lk_cand *c);

#endif
