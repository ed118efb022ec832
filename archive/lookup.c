/*
 * lookup.c - find archived study records however a requester writes the
 * name: simplified or traditional Han, pinyin with or without spaces, or a
 * form an OCR misread put into the archive.  The query's keys come from the
 * same normalizer that made the stored keys (norm_query_keys vs
 * norm_name_keys), so both sides fold the same way.  Candidates come from
 * index lookups in tiers, strongest first:
 *
 *   100 exact simplified name    (person_simplified)
 *    70 same pinyin              (person_pinyin; homophones for Han queries)
 *    50 OCR look-alike key       (person_lookalike; 己/已, 未/末 ...)
 *    30 one character differs    (person_sub1..3 of migration 005)
 *
 * The last tier only runs when nothing closer fits every fact the request
 * gives (or with `wide`): for a two-character name every "张?" is a
 * neighbour, which is noise next to an exact hit that fits, but a name found
 * as written whose dates or major do not fit is likely someone else's.  With --born a neighbour must match the
 * birth criterion (a record without birth is not a neighbour).  Dates are criteria: a record whose
 * archived date contradicts --born/--graduated is left out, a record that
 * has no such date stays in with "not recorded".  The major is only a
 * ranking hint when a name is given.  Every lookup is logged before it
 * returns (access_log.c).  Whether the name was found as asked is plain for
 * Han; for pinyin, which many people share, it is a posterior against "a
 * namesake by sound who is not archived" (lookup_as_asked, lookup_prior.c).
 */
#include "archive.h"
#include "lookup_internal.h"
#include "normalize.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum { LK_DEFAULT_LIMIT = 20, LK_SUB_POSITIONS = 3 };
/* A pinyin request is reported as found "as asked" only when the archived
 * people it matched are this likely (lookup_as_asked) to include the one
 * asked about; below it lookup says "no archived X; nearest:".  Chosen on a
 * fit split of lookup_recall (docs/lookup.md), checked on a held-out one. */
#define LK_AS_ASKED_MIN 0.95
/* A major that matches is worth at most a likelihood ratio of 10, whatever
 * its share of the archive: majors are worded loosely and cluster, and
 * with its full share (1/30 in lookup_recall) a homophone's major matching
 * by chance made 2.5% of pinyin names not archived "as asked" on 100,000
 * persons (docs/lookup.md). */
#define LK_MAJOR_SHARE_MIN 0.1
/* What a request's month is worth against an archived record that has only
 * the year: one month in twelve. */
#define LK_MONTH_OF_YEAR (1.0 / 12)
/* Longest pinyin query whose rotations are tried (a name's pinyin is short). */
enum { LK_ROT_MAX = 48 };

/* Columns every tier query returns, in this order.  Without a major in
 * the request the lean form reads only what the indexes of migration 021
 * carry (person's name keys with name and birth, study_person with grad),
 * so a namesake costs two index steps and no table row: what keeps a
 * common name's thousands of namesakes cheap in a large archive. */
#define LK_TIER_COLS_FULL                                                                          \
    "SELECT s.id, p.name_simplified, p.name_written, p.birth, s.grad, s.major_hist, "            \
    "s.major_code_hist, s.name_2022, s.code_2022 FROM person p "                                  \
    "JOIN study_record s ON s.person_id = p.id "
#define LK_TIER_COLS_LEAN                                                                          \
    "SELECT s.id, p.name_simplified, NULL, p.birth, s.grad, NULL, NULL, NULL, NULL FROM person p " \
    "JOIN study_record s ON s.person_id = p.id "

/* Neighbours: at most this many per position, so a common surname cannot
 * turn one lookup into a table scan.  With --born the birth range is part
 * of the index seek (migration 005), so the cap rarely bites then. */
#define LK_SUB_CAP "1000"
#define LK_SUB_BORN " AND birth >= ?2 AND birth < ?3"

#define LK_SUB1 "length(name_simplified) = length(?1) AND substr(name_simplified, 2) = substr(?1, 2)"
#define LK_SUB2                                                                                    \
    "substr(name_simplified, 1, 1) = substr(?1, 1, 1) AND length(name_simplified) = length(?1) "  \
    "AND substr(name_simplified, 3) = substr(?1, 3)"
#define LK_SUB3                                                                                    \
    "substr(name_simplified, 1, 2) = substr(?1, 1, 2) AND length(name_simplified) = length(?1) "  \
    "AND substr(name_simplified, 4) = substr(?1, 4)"
#define LK_SUB(cols, key, born)                                                                    \
    cols "JOIN (SELECT id FROM person WHERE " key " AND name_simplified <> ?1" born               \
         " LIMIT " LK_SUB_CAP ") n ON n.id = p.id WHERE 1" LK_CRIT_SQL

/* Positions 4 and later (names of four characters and more: 端木晓沄):
 * the first two characters and the length seek person_sub3, the rest is
 * compared on the rows found; ?4 is the 1-based position. */
#define LK_SUBN                                                                                    \
    "substr(name_simplified, 1, 2) = substr(?1, 1, 2) AND length(name_simplified) = length(?1) "  \
    "AND substr(name_simplified, 1, ?4 - 1) = substr(?1, 1, ?4 - 1) "                             \
    "AND substr(name_simplified, ?4 + 1) = substr(?1, ?4 + 1)"
/* [lean][with --born] */
static const char *const subn_sql[2][2] = {
    {LK_SUB(LK_TIER_COLS_FULL, LK_SUBN, ""), LK_SUB(LK_TIER_COLS_FULL, LK_SUBN, LK_SUB_BORN)},
    {LK_SUB(LK_TIER_COLS_LEAN, LK_SUBN, ""), LK_SUB(LK_TIER_COLS_LEAN, LK_SUBN, LK_SUB_BORN)},
};

/* [lean][with --born][position] */
#define LK_SUB_ALL(cols)                                                                           \
    {{LK_SUB(cols, LK_SUB1, ""), LK_SUB(cols, LK_SUB2, ""), LK_SUB(cols, LK_SUB3, "")},           \
     {LK_SUB(cols, LK_SUB1, LK_SUB_BORN), LK_SUB(cols, LK_SUB2, LK_SUB_BORN),                     \
      LK_SUB(cols, LK_SUB3, LK_SUB_BORN)}}
static const char *const sub_sql[2][2][LK_SUB_POSITIONS] = {LK_SUB_ALL(LK_TIER_COLS_FULL),
                                                              LK_SUB_ALL(LK_TIER_COLS_LEAN)};
static const char *const tier_cols[2] = {LK_TIER_COLS_FULL, LK_TIER_COLS_LEAN};

/* The name tiers' statements of one column form (LK_TIER_COLS_*). */
typedef struct lk_tier_stmts {
    sqlite3_stmt *by_simp, *by_pinyin, *by_reading, *by_look;
    sqlite3_stmt *sub[2][LK_SUB_POSITIONS];
    sqlite3_stmt *subn[2]; /* positions 4 and later */
} lk_tier_stmts;

struct arc_lookup {
    sqlite3 *db;
    norm_ctx *nctx;
    sqlite3_stmt *fields;
    lk_tier_stmts tiers[2]; /* [lean]: lean when the request names no major */
    char *config_dir;
    lk_prior *prior; /* built at the first pinyin request that needs it */
    norm_glyphs *glyphs; /* look-alike glyphs (lookup_glyph.c); NULL without the table */
    long rows_read;  /* tier rows the last request read (lk_rows_read) */
    lk_rank *rank;   /* the tiers read in rank order (lookup_rank.c) */
    lk_rank_rest rest; /* what the last request's rank reads left unread */
};

/* ---- session --------------------------------------------------------------- */

void arc_lookup_free(arc_lookup **lk)
{
    if (!lk || !*lk)
        return;
    arc_lookup *l = *lk;
    sqlite3_finalize(l->fields);
    for (int v = 0; v < 2; v++) {
        lk_tier_stmts *t = &l->tiers[v];
        sqlite3_finalize(t->by_simp);
        sqlite3_finalize(t->by_pinyin);
        sqlite3_finalize(t->by_reading);
        sqlite3_finalize(t->by_look);
        for (int i = 0; i < LK_SUB_POSITIONS; i++) {
            sqlite3_finalize(t->sub[0][i]);
            sqlite3_finalize(t->sub[1][i]);
        }
        sqlite3_finalize(t->subn[0]);
        sqlite3_finalize(t->subn[1]);
    }
    norm_ctx_free(&l->nctx);
    lk_prior_free(&l->prior);
    norm_glyphs_free(&l->glyphs);
    lk_rank_free(&l->rank);
    lk_rank_rest_release(&l->rest);
    free(l->config_dir);
    free(l);
    *lk = NULL;
}

int arc_lookup_new(sqlite3 *db, const char *config_dir, arc_lookup **out, dg_err *err)
{
    *out = NULL;
    arc_lookup *l = calloc(1, sizeof *l);
    if (!l)
        return dg_err_set(err, DG_ENOMEM, "out of memory opening lookup");
    l->db = db;
    l->config_dir = dg_strdup(config_dir ? config_dir : arc_config_dir());
    if (!l->config_dir) {
        free(l);
        return dg_err_set(err, DG_ENOMEM, "out of memory opening lookup");
    }
    int rc = norm_ctx_new(config_dir ? config_dir : arc_config_dir(), &l->nctx, err);
    rc = rc ? rc : lk_glyph_load(l->config_dir, &l->glyphs, err);
    /* A lookup reads index pages all over a large archive: mapped, they are
     * read in place instead of copied into the page cache one read() each
     * (a third of a lookup's CPU at 10^6 records).  This connection only. */
    rc = rc ? rc : db_exec(db, "PRAGMA mmap_size = 1073741824", err);
    rc = rc ? rc : lk_fields_prepare(db, "SELECT ", LK_FIELDS_BY_ID, &l->fields, err);
    rc = rc ? rc : lk_rank_new(db, &l->rank, err);
    for (int v = 0; v < 2 && !rc; v++) {
        lk_tier_stmts *t = &l->tiers[v];
        char sql[1024];
        snprintf(sql, sizeof sql, "%sWHERE p.name_simplified = ?1%s", tier_cols[v], LK_CRIT_SQL);
        rc = db_prepare(db, sql, &t->by_simp, err);
        /* ?2: the request's simplified name, whose people the exact tier
         * has already found with a higher score (a duplicate would only be
         * read, joined and dropped: half the rows of a common Han name) */
        snprintf(sql, sizeof sql, "%sWHERE p.pinyin = ?1 AND (?2 IS NULL OR "
                 "p.name_simplified IS NOT ?2)%s", tier_cols[v], LK_CRIT_SQL);
        rc = rc ? rc : db_prepare(db, sql, &t->by_pinyin, err);
        /* the other readings of names with polyphonic characters (person_reading) */
        snprintf(sql, sizeof sql, "%sJOIN person_reading r ON r.person_id = p.id WHERE "
                 "r.pinyin = ?1 AND (?2 IS NULL OR p.name_simplified IS NOT ?2)%s", tier_cols[v],
                 LK_CRIT_SQL);
        rc = rc ? rc : db_prepare(db, sql, &t->by_reading, err);
        snprintf(sql, sizeof sql, "%sWHERE p.lookalike_key = ?1 AND (?2 IS NULL OR "
                 "p.name_simplified IS NOT ?2)%s", tier_cols[v], LK_CRIT_SQL);
        rc = rc ? rc : db_prepare(db, sql, &t->by_look, err);
        for (int i = 0; i < 2 * LK_SUB_POSITIONS && !rc; i++)
            rc = db_prepare(db, sub_sql[v][i / LK_SUB_POSITIONS][i % LK_SUB_POSITIONS],
                            &t->sub[i / LK_SUB_POSITIONS][i % LK_SUB_POSITIONS], err);
        rc = rc ? rc : db_prepare(db, subn_sql[v][0], &t->subn[0], err);
        rc = rc ? rc : db_prepare(db, subn_sql[v][1], &t->subn[1], err);
    }
    if (rc) {
        arc_lookup_free(&l);
        return rc;
    }
    *out = l;
    return DG_OK;
}

/* ---- results ----------------------------------------------------------------- */

static void cand_release(lk_cand *c)
{
    for (size_t i = 0; i < c->nwhy; i++)
        free(c->why[i]);
    c->nwhy = 0;
    free(c->name);
    free(c->born_s);
    free(c->grad_s);
    c->name = c->born_s = c->grad_s = NULL;
}

static void cands_release(lk_cands *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        cand_release(&cs->v[i]);
    free(cs->v);
    memset(cs, 0, sizeof *cs);
}

void arc_lookup_result_release(arc_lookup_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t j = 0; j < r->hits[i].nwhy; j++)
            free(r->hits[i].why[j]);
        free(r->hits[i].why);
        for (int k = 0; k < ARC_NFIELDS; k++)
            free(r->hits[i].fields[k]);
    }
    free(r->hits);
    memset(r, 0, sizeof *r);
}

static int cand_why(lk_cand *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cand_why(lk_cand *c, const char *fmt, ...)
{
    if (c->nwhy >= LK_MAX_WHY)
        return DG_OK; /* reasons beyond the cap add nothing a registrar needs */
    dg_buf b;
    dg_buf_init(&b, 4096);
    va_list ap;
    va_start(ap, fmt);
    int rc = dg_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    char *s = rc ? NULL : dg_buf_detach(&b);
    dg_buf_release(&b);
    if (!s)
        return DG_ENOMEM;
    c->why[c->nwhy++] = s;
    return DG_OK;
}

/* Append "q/a" for every position where query and archived names differ. */
static int name_diff(const char *q, const char *a, dg_buf *out)
{
    size_t i = 0, j = 0, nq = strlen(q), na = strlen(a);
    int rc = DG_OK, n = 0;
    while (i < nq && j < na && !rc) {
        size_t i2 = i, j2 = j;
        dg_utf8_next(q, nq, &i2);
        dg_utf8_next(a, na, &j2);
        if (i2 - i != j2 - j || memcmp(q + i, a + j, i2 - i) != 0) {
            rc = n++ ? dg_buf_adds(out, ", ") : DG_OK;
            rc = rc ? rc : dg_buf_add(out, q + i, i2 - i);
            rc = rc ? rc : dg_buf_addc(out, '/');
            rc = rc ? rc : dg_buf_add(out, a + j, j2 - j);
        }
        i = i2;
        j = j2;
    }
    return rc;
}

/* ---- tiers ---------------------------------------------------------------------- */

static int tier_why(const lk_query *lq, int tier, const char *simp, lk_cand *c)
{
    const char *qs = lq->keys.simplified;
    if (tier == 0)
        return DG_OK; /* criteria-only lookup: the criteria say why */
    if (tier == LK_EXACT) {
        if (lq->raw_name && strcmp(lq->raw_name, qs) != 0)
            return cand_why(c, "exact simplified name (query %s)", lq->raw_name);
        return cand_why(c, "exact simplified name");
    }
    if (tier == LK_PINYIN)
        return qs ? cand_why(c, "same pinyin '%s' (%s)", lq->keys.pinyin, simp)
                  : cand_why(c, "pinyin '%s'", lq->keys.pinyin);
    if (tier == LK_PINYIN_ORDER)
        return cand_why(c, "pinyin in another order ('%s' as %s)", lq->keys.pinyin_spaced,
                        simp ? simp : "");
    dg_buf d;
    dg_buf_init(&d, 4096);
    int rc = name_diff(qs, simp ? simp : "", &d);
    rc = rc ? rc
            : cand_why(c, "%s (%s)", tier == LK_LOOKALIKE ? "look-alike" : "one character differs",
                       d.data ? d.data : "");
    dg_buf_release(&d);
    return rc;
}

/* The reasons of a candidate shown, in the order a registrar reads them:
 * the name tier, then birth, graduation and major as they were judged. */
static int cand_explain(const lk_query *lq, lk_cand *c)
{
    int rc = tier_why(lq, c->tier, c->name, c);
    if (!rc && c->tier == LK_NEIGHBOUR && c->glyph > 0)
        rc = cand_why(c, "look-alike glyphs (%.2f)", c->glyph);
    if (!rc && c->born == LK_C_UNKNOWN)
        rc = cand_why(c, "birth not recorded");
    else if (!rc && c->born == LK_C_MATCH)
        rc = cand_why(c, "born %s", c->born_s ? c->born_s : "");
    else if (!rc && c->born == LK_C_YEAR)
        rc = cand_why(c, "born %s (month not recorded)", c->born_s ? c->born_s : "");
    if (!rc && c->grad == LK_C_UNKNOWN)
        rc = cand_why(c, "graduation not recorded");
    else if (!rc && c->grad == LK_C_MATCH)
        rc = cand_why(c, "graduated %s", c->grad_s ? c->grad_s : "");
    if (!rc && c->major == LK_C_MATCH && c->major_why)
        rc = cand_why(c, "%s", c->major_why);
    return rc;
}

static int cands_push(lk_cands *cs, lk_cand *c)
{
    if (cs->n == cs->alloc) {
        size_t na = cs->alloc ? cs->alloc * 2 : 64;
        lk_cand *v = realloc(cs->v, na * sizeof *v);
        if (!v)
            return DG_ENOMEM;
        cs->v = v;
        cs->alloc = na;
    }
    cs->v[cs->n++] = *c;
    return DG_OK;
}

/* Score one row of a tier query; contradicted rows are dropped. */
static int tier_row(const lk_query *lq, int tier, sqlite3_stmt *st, lk_cands *cs)
{
    lk_cand c = {.study = sqlite3_column_int64(st, 0), .score = tier, .tier = tier};
    const char *simp = lk_coltext(st, 1);
    c.name = dg_strdup(simp ? simp : "");
    int keep = c.name != NULL;
    keep = keep && lk_crit_born(lq, st, &c) && lk_crit_grad(lq, st, &c) &&
           lk_crit_major(lq, st, &c);
    if (!keep || cands_push(cs, &c)) {
        cand_release(&c);
        return DG_OK; /* out of memory surfaces at the next allocation */
    }
    return DG_OK;
}

static int tier_run_at(arc_lookup *lk, const lk_query *lq, int tier, sqlite3_stmt *st,
                       const char *key, int pos, lk_cands *cs, dg_err *err)
{
    if (!key || !*key)
        return DG_OK;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (pos)
        sqlite3_bind_int(st, 4, pos);
    if (tier == LK_NEIGHBOUR && lq->born_lo[0] && sqlite3_bind_parameter_count(st) >= 3) {
        sqlite3_bind_text(st, 2, lq->born_lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, lq->born_hi, -1, SQLITE_STATIC);
    }
    lk_query_bind_criteria(st, lq);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        lk->rows_read++;
        tier_row(lq, tier, st, cs);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(lk->db, err, "cannot look up name");
}

static int tier_run(arc_lookup *lk, const lk_query *lq, int tier, sqlite3_stmt *st,
                    const char *key, lk_cands *cs, dg_err *err)
{
    return tier_run_at(lk, lq, tier, st, key, 0, cs, err);
}

/* The tier statements for this request: lean unless it names a major. */
static const lk_tier_stmts *lk_tiers(const arc_lookup *lk, const lk_query *lq)
{
    return &lk->tiers[lq->major == NULL];
}

/* How many hits the request shows. */
static size_t lk_limit(const lk_query *lq)
{
    return lq->q->limit > 0 ? (size_t)lq->q->limit : LK_DEFAULT_LIMIT;
}

/* ---- tiers in rank order (lookup_rank.c) ----------------------------------- */

/* Without criteria (and without --wide) every namesake of a tier scores
 * the tier and the lowest study ids are shown first: the tier can be read
 * in that order and stop early.  With criteria the filtered reads above. */
static int rank_ok(const lk_query *lq)
{
    return !lq->born_lo[0] && !lq->grad_lo[0] && !lq->major && !lq->q->wide;
}

typedef struct rank_ctx {
    arc_lookup *lk;
    int tier;
    lk_cands *cs;
} rank_ctx;

/* A study record a rank read found: the candidate tier_row makes of a row
 * when the request gives no criteria. */
static int rank_emit(void *vctx, int64_t study, const char *name)
{
    rank_ctx *x = vctx;
    lk_cand c = {.study = study, .score = x->tier, .tier = x->tier, .name = dg_strdup(name)};
    x->lk->rows_read++;
    if (!c.name || cands_push(x->cs, &c)) {
        cand_release(&c);
        return DG_ENOMEM;
    }
    return DG_OK;
}

/* The exact (LK_RANK_SIMPLIFIED) or pinyin tier read in rank order; a
 * pinyin request keeps the count and names of the people left unread for
 * its "as asked" posterior (lookup_as_asked). */
static int rank_tier(arc_lookup *lk, const lk_query *lq, int tier, int index, const char *key,
                     lk_cands *cs, dg_err *err)
{
    rank_ctx x = {lk, tier, cs};
    const char *except = index == LK_RANK_PINYIN ? lq->keys.simplified : NULL;
    lk_rank_rest *rest = lq->keys.simplified ? NULL : &lk->rest;
    int rc = lk_rank_read(lk->rank, index, key, except, lk_limit(lq), rank_emit, &x, rest, err);
    if (rc || index != LK_RANK_PINYIN)
        return rc;
    return lk_rank_readings(lk->rank, key, except, rank_emit, &x, err);
}

/* The pinyin and look-alike tiers, without the people of the exact tier. */
static int tier_run_except(arc_lookup *lk, const lk_query *lq, int tier, sqlite3_stmt *st,
                           const char *key, lk_cands *cs, dg_err *err)
{
    sqlite3_reset(st);
    if (lq->keys.simplified)
        sqlite3_bind_text(st, 2, lq->keys.simplified, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    return tier_run(lk, lq, tier, st, key, cs, err);
}

/* A pinyin key against every archived reading: the one person.pinyin
 * holds and the others of polyphonic characters (长 chang or zhang). */
static int pinyin_run(arc_lookup *lk, const lk_query *lq, int tier, const char *key,
                      lk_cands *cs, dg_err *err)
{
    const lk_tier_stmts *t = lk_tiers(lk, lq);
    /* rotations (LK_PINYIN_ORDER) read whole: a person's other reading may
     * be one rotation and its main another, which only a read row dedupes */
    if (tier == LK_PINYIN && rank_ok(lq))
        return rank_tier(lk, lq, tier, LK_RANK_PINYIN, key, cs, err);
    int rc = tier_run_except(lk, lq, tier, t->by_pinyin, key, cs, err);
    return rc ? rc : tier_run_except(lk, lq, tier, t->by_reading, key, cs, err);
}

/* A pinyin query in another order than the archive's (surname last, as
 * Western forms write it: "Xiaofan Duanmu", "xiao-fan duan mu"): every
 * rotation of the toneless letters is one more equality seek on
 * person_pinyin, which also covers syllables split differently. */
static int pinyin_orders(arc_lookup *lk, const lk_query *lq, lk_cands *cs, dg_err *err)
{
    const char *p = lq->keys.pinyin;
    size_t n = p ? strlen(p) : 0;
    if (n < 2 || n > LK_ROT_MAX)
        return DG_OK;
    char rot[LK_ROT_MAX + 1];
    int rc = DG_OK;
    for (size_t i = 1; i < n && !rc; i++) {
        memcpy(rot, p + i, n - i);
        memcpy(rot + n - i, p, i);
        rot[n] = '\0';
        if (strcmp(rot, p) != 0)
            rc = pinyin_run(lk, lq, LK_PINYIN_ORDER, rot, cs, err);
    }
    return rc;
}

/* The exact tier alone fills the hits shown and no other tier can rank
 * among them: each criterion adds LK_CRIT at most, so with fewer than three
 * a pinyin or look-alike score stays under an exact one.  Reading those
 * tiers (thousands of homophones of a common name) would change nothing. */
static int exact_fills(const lk_query *lq, const lk_cands *cs)
{
    size_t limit = lk_limit(lq);
    int crit = (lq->born_lo[0] != 0) + (lq->grad_lo[0] != 0) + (lq->major != NULL);
    return lq->keys.simplified && !lq->q->wide && cs->n >= limit &&
           LK_PINYIN + crit * LK_CRIT < LK_EXACT;
}

/* Is a candidate found so far consistent with every fact the request gives
 * (its dates and major archived and matching; a birth year where the month
 * was asked counts)?  When none is, a name found as written is likely
 * someone else's: a misread of the person's name is looked for too. */
static int some_fit(const lk_query *lq, const lk_cands *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        const lk_cand *c = &cs->v[i];
        int born = !lq->born_lo[0] || c->born == LK_C_MATCH || c->born == LK_C_YEAR;
        int grad = !lq->grad_lo[0] || c->grad == LK_C_MATCH;
        int major = !lq->major || c->major == LK_C_MATCH;
        if (born && grad && major)
            return 1;
    }
    return 0;
}

/* Neighbours one look-alike glyph away (郝X asked, 部X archived), sought
 * first with an exact seek each: found whatever the cap on a position's
 * neighbours leaves out; ranked by misread_ties like every neighbour. */
typedef struct lk_glyph_seek {
    arc_lookup *lk;
    const lk_query *lq;
    lk_cands *cs;
    dg_err *err;
} lk_glyph_seek;

static int glyph_seek_one(void *user, const char *variant, int pos)
{
    (void)pos;
    lk_glyph_seek *g = user;
    return tier_run(g->lk, g->lq, LK_NEIGHBOUR, lk_tiers(g->lk, g->lq)->by_simp, variant, g->cs,
                    g->err);
}

static int glyph_neighbours(arc_lookup *lk, const lk_query *lq, lk_cands *cs, dg_err *err)
{
    lk_glyph_seek g = {lk, lq, cs, err};
    return lk_glyph_variants(lk->glyphs, lq->keys.simplified, glyph_seek_one, &g);
}

static int name_tiers(arc_lookup *lk, const lk_query *lq, lk_cands *cs, dg_err *err)
{
    const norm_keys *k = &lq->keys;
    const lk_tier_stmts *t = lk_tiers(lk, lq);
    int rc = rank_ok(lq) ? rank_tier(lk, lq, LK_EXACT, LK_RANK_SIMPLIFIED, k->simplified, cs, err)
                         : tier_run(lk, lq, LK_EXACT, t->by_simp, k->simplified, cs, err);
    /* the exact tier alone decides only when one of its people fits every
     * fact given: otherwise a misread neighbour may be the person asked for */
    if (!rc && exact_fills(lq, cs) && some_fit(lq, cs))
        return DG_OK;
    rc = rc ? rc : pinyin_run(lk, lq, LK_PINYIN, k->pinyin, cs, err);
    rc = rc ? rc : tier_run_except(lk, lq, LK_LOOKALIKE, t->by_look, k->lookalike, cs, err);
    if (!rc && !k->simplified && (!some_fit(lq, cs) || lq->q->wide))
        rc = pinyin_orders(lk, lq, cs, err);
    if (rc || !k->simplified || (some_fit(lq, cs) && !lq->q->wide))
        return rc;
    rc = glyph_neighbours(lk, lq, cs, err);
    int born = lq->born_lo[0] != 0;
    for (int i = 0; i < LK_SUB_POSITIONS && !rc; i++)
        rc = tier_run(lk, lq, LK_NEIGHBOUR, t->sub[born][i], k->simplified, cs, err);
    /* one misread at any later position, whatever the name's length */
    int len = 0;
    for (size_t i = 0, n = strlen(k->simplified); i < n; len++)
        dg_utf8_next(k->simplified, n, &i);
    for (int pos = LK_SUB_POSITIONS + 1; pos <= len && !rc; pos++)
        rc = tier_run_at(lk, lq, LK_NEIGHBOUR, t->subn[born], k->simplified, pos, cs, err);
    return rc;
}

/* Without a name the dates and major select; built from fixed fragments. */
static int criteria_only(arc_lookup *lk, const lk_query *lq, lk_cands *cs, dg_err *err)
{
    dg_buf sql;
    dg_buf_init(&sql, 0);
    dg_buf_adds(&sql, LK_TIER_COLS_FULL "WHERE 1");
    if (lq->born_lo[0])
        dg_buf_adds(&sql, " AND p.birth >= ?1 AND p.birth < ?2");
    if (lq->grad_lo[0])
        dg_buf_adds(&sql, " AND s.grad >= ?3 AND s.grad < ?4");
    dg_buf_adds(&sql, " ORDER BY s.id LIMIT 100000");
    sqlite3_stmt *st;
    int rc = db_prepare(lk->db, sql.data, &st, err);
    dg_buf_release(&sql);
    if (rc)
        return rc;
    if (lq->born_lo[0]) {
        sqlite3_bind_text(st, 1, lq->born_lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, lq->born_hi, -1, SQLITE_STATIC);
    }
    if (lq->grad_lo[0]) {
        sqlite3_bind_text(st, 3, lq->grad_lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, lq->grad_hi, -1, SQLITE_STATIC);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        tier_row(lq, 0, st, cs);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(lk->db, err, "cannot look up by date");
}

/* ---- ranking -------------------------------------------------------------------- */

static int prior_get(arc_lookup *lk, dg_err *err)
{
    return lk->prior ? DG_OK : lk_prior_get(lk->db, lk->nctx, lk->config_dir, &lk->prior, err);
}

/* The query's character where it differs from an archived neighbour
 * (first difference), both code points and its 0-based position; 0 when none. */
static int first_diff(const char *q, const char *a, char ch[8], uint32_t cp[2], int *pos)
{
    size_t i = 0, j = 0, nq = strlen(q), na = strlen(a);
    for (int k = 0; i < nq && j < na; k++) {
        size_t i2 = i, j2 = j;
        cp[0] = dg_utf8_next(q, nq, &i2);
        cp[1] = dg_utf8_next(a, na, &j2);
        if ((i2 - i != j2 - j || memcmp(q + i, a + j, i2 - i) != 0) && i2 - i < 8) {
            memcpy(ch, q + i, i2 - i);
            ch[i2 - i] = '\0';
            *pos = k;
            return 1;
        }
        i = i2;
        j = j2;
    }
    return 0;
}

/*
 * Neighbours at the same score (one character differs, the same dates) are
 * told apart by how likely the request's character is as a substitute in
 * that slot: a misread or a mistyped character tends to be a common one
 * (an input method offers the frequent homophone first; OCR of a rare
 * character falls to a frequent shape), so 李玲 asked for is more likely
 * 张玲 with 李 put in for 张 than 李X with 玲 put in for X when 李 is a far
 * commoner surname than 玲 is a given-name character.  Shares come from the
 * archive sample (lookup_prior.c).  An archive's misreads are mostly OCR's,
 * which puts a look-alike for a character far more often than any other:
 * where the two glyphs are alike (configs/normalize/glyphs.tsv) the
 * substitution is that much likelier (lk_glyph_tie), 郝X for 部X first.
 */
static int misread_ties(arc_lookup *lk, const lk_query *lq, lk_cands *cs, dg_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < cs->n; i++)
        n += cs->v[i].tier == LK_NEIGHBOUR;
    if (!n || !lq->keys.simplified)
        return DG_OK;
    int rc = n < 2 ? DG_OK : prior_get(lk, err);
    for (size_t i = 0; i < cs->n && !rc; i++) {
        lk_cand *c = &cs->v[i];
        char ch[8];
        uint32_t cp[2];
        int pos;
        if (c->tier != LK_NEIGHBOUR || !first_diff(lq->keys.simplified, c->name, ch, cp, &pos))
            continue;
        c->glyph = norm_glyphs_score(lk->glyphs, cp[0], cp[1]);
        if (n >= 2)
            c->tie = lk_glyph_tie(lk->glyphs, cp[0], cp[1],
                                  lk_prior_char_share(lk->prior, ch, pos > 0));
    }
    return rc;
}

/* By study id, best score first, so duplicates (a name found by several
 * tiers) sit together with the strongest reason leading. */
static int by_study(const void *a, const void *b)
{
    const lk_cand *x = a, *y = b;
    if (x->study != y->study)
        return x->study < y->study ? -1 : 1;
    return y->score - x->score;
}

static int by_rank(const void *a, const void *b)
{
    const lk_cand *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    if (x->tie != y->tie)
        return x->tie < y->tie ? 1 : -1;
    return x->study < y->study ? -1 : x->study > y->study;
}

static void cands_rank(lk_cands *cs)
{
    if (!cs->n)
        return;
    qsort(cs->v, cs->n, sizeof *cs->v, by_study);
    size_t w = 0;
    for (size_t i = 0; i < cs->n; i++) {
        if (w && cs->v[w - 1].study == cs->v[i].study) {
            cand_release(&cs->v[i]);
            continue;
        }
        cs->v[w++] = cs->v[i];
    }
    cs->n = w;
    qsort(cs->v, cs->n, sizeof *cs->v, by_rank);
}

static int hit_fields(arc_lookup *lk, arc_lookup_hit *h, dg_err *err)
{
    sqlite3_stmt *st = lk->fields;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, h->record);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return db_fail(lk->db, err, "cannot read archived record");
    }
    for (int i = 0; i < ARC_NFIELDS; i++) {
        const char *v = lk_coltext(st, i);
        h->fields[i] = v ? dg_strdup(v) : NULL;
        if (v && !h->fields[i])
            rc = DG_ENOMEM;
    }
    sqlite3_reset(st);
    return rc == DG_ENOMEM ? dg_err_set(err, DG_ENOMEM, "out of memory") : DG_OK;
}

/* ---- as asked? ------------------------------------------------------------------ */

static int pinyin_tier(int tier)
{
    return tier == LK_PINYIN || tier == LK_PINYIN_ORDER;
}

/* What one criterion's state is worth for a candidate, against share, the
 * chance that someone else's record would satisfy it. */
static double crit_weight(unsigned char state, double share)
{
    return state == LK_C_YEAR ? LK_MONTH_OF_YEAR : state == LK_C_UNKNOWN ? share : 1.0;
}

/*
 * A pinyin request: how likely is it that the archived people whose name
 * reads as typed include the one asked about, rather than someone not
 * archived whose name reads the same?  Two hypotheses, even odds before the
 * evidence: the person is one of the N archived (each 1/N, and then the
 * pinyin matches), or is not archived and their name merely reads like
 * that, which happens with P(pinyin); N * P(pinyin) = E, the expected number
 * of archived namesakes by sound (lookup_prior.c).  A date or major the
 * request gives multiplies the second by the share of people it lets
 * through.  Posterior = sum w / (sum w + E * shares).
 */
static int lookup_as_asked(arc_lookup *lk, const lk_query *lq, const lk_cands *cs, double *out,
                           dg_err *err)
{
    *out = 0;
    /* people a rank read left unread count as read rows would: weight 1
     * each (it reads so only without criteria) */
    const lk_rank_rest *rest = &lk->rest;
    size_t n = (size_t)rest->studies;
    for (size_t i = 0; i < cs->n; i++)
        n += pinyin_tier(cs->v[i].tier);
    if (!n)
        return DG_OK;
    int rc = prior_get(lk, err);
    if (rc)
        return rc;
    double pb = lq->born_lo[0] ? lk_prior_share_born(lk->prior, lq->born_lo, lq->born_hi) : 1;
    double pg = lq->grad_lo[0] ? lk_prior_share_grad(lk->prior, lq->grad_lo, lq->grad_hi) : 1;
    double pm = lq->major ? lk_prior_share_major(lk->prior, lq->major) : 1;
    pm = pm < LK_MAJOR_SHARE_MIN ? LK_MAJOR_SHARE_MIN : pm;
    double sum = (double)rest->studies, e = 0;
    for (size_t i = 0; i < rest->nnames; i++) {
        double ec = lk_prior_expected(lk->prior, lk->nctx, rest->names[i]);
        e = ec > e ? ec : e;
    }
    for (size_t i = 0; i < cs->n; i++) {
        const lk_cand *c = &cs->v[i];
        if (!pinyin_tier(c->tier))
            continue;
        sum += crit_weight(c->born, pb) * crit_weight(c->grad, pg) * crit_weight(c->major, pm);
        /* the same reading, whichever archived spelling shows its syllables */
        if (i == 0 || strcmp(c->name, cs->v[i - 1].name) != 0) {
            double ec = lk_prior_expected(lk->prior, lk->nctx, c->name);
            e = ec > e ? ec : e;
        }
    }
    double w0 = e * pb * pg * pm;
    *out = sum / (sum + w0);
    return DG_OK;
}

/* Move the best `limit` candidates into out (their why strings change owner). */
static int take_hits(arc_lookup *lk, const lk_query *lq, lk_cands *cs, size_t limit,
                     arc_lookup_result *out, dg_err *err)
{
    size_t n = cs->n < limit ? cs->n : limit;
    out->hits = calloc(n ? n : 1, sizeof *out->hits);
    if (!out->hits)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    out->alloc = n;
    int rc = DG_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        lk_cand *c = &cs->v[i];
        arc_lookup_hit *h = &out->hits[out->n++];
        h->record = c->study;
        h->score = c->score;
        h->tier = c->tier;
        if (cand_explain(lq, c))
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        h->why = calloc(c->nwhy ? c->nwhy : 1, sizeof *h->why);
        if (!h->why)
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        memcpy(h->why, c->why, c->nwhy * sizeof *h->why);
        h->nwhy = c->nwhy;
        c->nwhy = 0;
        rc = hit_fields(lk, h, err);
    }
    return rc;
}

/* ---- logging -------------------------------------------------------------------- */

static int log_lookup(arc_lookup *lk, const arc_lookup_query *q, const arc_lookup_result *r,
                      dg_err *err)
{
    dg_buf qj, sj;
    dg_buf_init(&qj, 0);
    dg_buf_init(&sj, 0);
    dg_buf_adds(&qj, "{\"name\":");
    dg_buf_json_str(&qj, q->name);
    dg_buf_adds(&qj, ",\"born\":");
    dg_buf_json_str(&qj, q->born);
    dg_buf_adds(&qj, ",\"graduated\":");
    dg_buf_json_str(&qj, q->graduated);
    dg_buf_adds(&qj, ",\"major\":");
    dg_buf_json_str(&qj, q->major);
    arc_disclosure_json(q->disclose, &qj);
    dg_buf_adds(&qj, "}");
    dg_buf_addc(&sj, '[');
    for (size_t i = 0; i < r->n; i++)
        dg_buf_addf(&sj, "%s%lld", i ? "," : "", (long long)r->hits[i].record);
    int rc = dg_buf_addc(&sj, ']');
    if (rc)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory writing the access log");
    rc = rc ? rc : db_begin(lk->db, err);
    if (!rc) {
        rc = arc_access_log(lk->db, q->who, "lookup", qj.data, sj.data, err);
        rc = rc ? (db_rollback(lk->db), rc) : db_commit(lk->db, err);
    }
    dg_buf_release(&qj);
    dg_buf_release(&sj);
    return rc;
}

long lk_rows_read(const arc_lookup *lk)
{
    return lk->rows_read;
}

int arc_lookup_run(arc_lookup *lk, const arc_lookup_query *q, arc_lookup_result *out,
                   dg_err *err)
{
    memset(out, 0, sizeof *out);
    lk->rows_read = 0;
    lk_rank_rest_release(&lk->rest);
    lk_query lq;
    lk_cands cs = {0};
    int rc = lk_query_parse(lk->nctx, q, &lq, err);
    if (!rc)
        rc = lq.raw_name ? name_tiers(lk, &lq, &cs, err) : criteria_only(lk, &lq, &cs, err);
    double as_asked = 0;
    if (!rc && lq.raw_name)
        rc = misread_ties(lk, &lq, &cs, err);
    if (!rc) {
        cands_rank(&cs);
        if (lq.raw_name && !lq.keys.simplified)
            rc = lookup_as_asked(lk, &lq, &cs, &as_asked, err);
    }
    if (!rc) {
        rc = take_hits(lk, &lq, &cs, (size_t)(q->limit > 0 ? q->limit : LK_DEFAULT_LIMIT), out, err);
    }
    /* Withheld values never leave the library: the hits hold only what the
     * audience may see. */
    for (size_t i = 0; !rc && q->disclose && i < out->n; i++)
        for (int k = 0; k < ARC_NFIELDS; k++)
            if (!q->disclose->allow[k]) {
                free(out->hits[i].fields[k]);
                out->hits[i].fields[k] = NULL;
                out->hits[i].withheld[k] = 1;
            }
    /* Found as asked: the name itself (Han), or its pinyin as typed (in
     * either order: "Xiaofan Duanmu" is 端木晓泛's name, Western style) when
     * the sound is rare enough, or the dates confirm it, that the archived
     * homophones are likely the person and not a namesake by sound. */
    for (size_t i = 0; !rc && lq.keys.simplified && i < out->n; i++)
        if (out->hits[i].tier == LK_EXACT)
            out->as_asked = 1;
    if (!rc && lq.raw_name && !lq.keys.simplified)
        out->as_asked = as_asked;
    out->exact = out->as_asked >= LK_AS_ASKED_MIN;
    /* A lookup that showed nothing is logged too: the question itself is
     * what an audit asks about. */
    rc = rc ? rc : log_lookup(lk, q, out, err);
    cands_release(&cs);
    lk_query_release(&lq);
    if (rc)
        arc_lookup_result_release(out);
    return rc;
}
