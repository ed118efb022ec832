/*
 * lookup_rank.c - a name tier read in rank order that stops early (issue
 * #24).  Without criteria every namesake of a tier scores the same and
 * lookup shows the lowest study record ids first, so the people are read
 * from person_simplified_rank / person_pinyin_rank (migration 025) in the
 * order of their lowest study id: once `need` study ids below the next
 * person's lowest are held, no unread person can be shown and the read
 * stops.  A person with one study record costs an index entry (its id is
 * in the index); only people with several are joined to study_record.
 * What a pinyin request's "as asked" posterior needs of the people not
 * read (how many study records, which names) is summed from the same
 * index entries, without joins (lk_rank_rest).
 */
#include "lookup_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Study ids held above the current bound: only people with several study
 * records put any there, and ids past `need` of them never matter. */
enum { LKR_EXTRA_MAX = 64 };

struct lk_rank {
    sqlite3 *db;
    sqlite3_stmt *by[2]; /* [LK_RANK_SIMPLIFIED], [LK_RANK_PINYIN] */
    sqlite3_stmt *studies, *readings;
};

#define LKR_COLS "SELECT id, first_study, studies, name_simplified FROM person "
#define LKR_ORDER                                                                                  \
    " = ?1 AND first_study > 0 AND (?2 IS NULL OR name_simplified IS NOT ?2) ORDER BY first_study"

void lk_rank_free(lk_rank **r)
{
    if (!r || !*r)
        return;
    sqlite3_finalize((*r)->by[0]);
    sqlite3_finalize((*r)->by[1]);
    sqlite3_finalize((*r)->studies);
    sqlite3_finalize((*r)->readings);
    free(*r);
    *r = NULL;
}

int lk_rank_new(sqlite3 *db, lk_rank **out, dg_err *err)
{
    *out = NULL;
    lk_rank *r = calloc(1, sizeof *r);
    if (!r)
        return dg_err_set(err, DG_ENOMEM, "out of memory opening lookup");
    r->db = db;
    /* INDEXED BY: the order is what makes the early stop right, so a plan
     * without the index is an error, not a slow answer */
    int rc = db_prepare(db, LKR_COLS "INDEXED BY person_simplified_rank WHERE name_simplified"
                        LKR_ORDER, &r->by[LK_RANK_SIMPLIFIED], err);
    rc = rc ? rc
            : db_prepare(db, LKR_COLS "INDEXED BY person_pinyin_rank WHERE pinyin" LKR_ORDER,
                         &r->by[LK_RANK_PINYIN], err);
    rc = rc ? rc
            : db_prepare(db, "SELECT id FROM study_record WHERE person_id = ?1 ORDER BY id",
                         &r->studies, err);
    /* the other readings (person_reading), but not of people whose main
     * reading is the key: the rank read has them (or counts them) */
    rc = rc ? rc
            : db_prepare(db, "SELECT s.id, p.name_simplified FROM person_reading r JOIN person p "
                             "ON p.id = r.person_id JOIN study_record s ON s.person_id = p.id "
                             "WHERE r.pinyin = ?1 AND (?2 IS NULL OR p.name_simplified IS NOT ?2) "
                             "AND p.pinyin IS NOT ?1",
                         &r->readings, err);
    if (rc) {
        lk_rank_free(&r);
        return rc;
    }
    *out = r;
    return DG_OK;
}

void lk_rank_rest_release(lk_rank_rest *rest)
{
    for (size_t i = 0; i < rest->nnames; i++)
        free(rest->names[i]);
    free(rest->names);
    memset(rest, 0, sizeof *rest);
}

static int rest_add(lk_rank_rest *rest, int64_t studies, const char *name)
{
    rest->studies += studies;
    for (size_t i = 0; i < rest->nnames; i++)
        if (strcmp(rest->names[i], name) == 0)
            return DG_OK;
    char **v = realloc(rest->names, (rest->nnames + 1) * sizeof *v);
    if (!v)
        return DG_ENOMEM;
    rest->names = v;
    if (!(v[rest->nnames] = dg_strdup(name)))
        return DG_ENOMEM;
    rest->nnames++;
    return DG_OK;
}

/* Every study record of a person with several, to emit; those above the
 * person's first go to extra (kept only while they can still count). */
static int person_studies(lk_rank *r, int64_t person, const char *name, lk_rank_emit emit,
                          void *ctx, int64_t *extra, size_t *nextra)
{
    sqlite3_stmt *st = r->studies;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, person);
    int rc = DG_OK, step;
    for (int first = 1; !rc && (step = sqlite3_step(st)) == SQLITE_ROW; first = 0) {
        int64_t id = sqlite3_column_int64(st, 0);
        rc = emit(ctx, id, name);
        if (!first && *nextra < LKR_EXTRA_MAX)
            extra[(*nextra)++] = id;
    }
    sqlite3_reset(st);
    return rc ? rc : step == SQLITE_DONE ? DG_OK : DG_EDB;
}

/* Held study ids below bound: every first read so far (each below the next
 * person's first), and the extras below it. */
static size_t held_below(size_t firsts, const int64_t *extra, size_t nextra, int64_t bound)
{
    size_t n = firsts;
    for (size_t i = 0; i < nextra; i++)
        n += extra[i] < bound;
    return n;
}

/* ?1 the key, ?2 the simplified name left out (NULL: none). */
static void bind_key(sqlite3_stmt *st, const char *key, const char *except)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (except)
        sqlite3_bind_text(st, 2, except, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
}

/* The end of a read: rc from emit (DG_ENOMEM) or a step that failed. */
static int read_end(lk_rank *r, sqlite3_stmt *st, int rc, int step, dg_err *err)
{
    sqlite3_reset(st);
    if (rc == DG_ENOMEM)
        return dg_err_set(err, DG_ENOMEM, "out of memory looking up a name");
    return rc || step != SQLITE_DONE ? db_fail(r->db, err, "cannot look up name") : DG_OK;
}

int lk_rank_read(lk_rank *r, int index, const char *key, const char *except, size_t need,
                 lk_rank_emit emit, void *ctx, lk_rank_rest *rest, dg_err *err)
{
    if (!key || !*key)
        return DG_OK;
    sqlite3_stmt *st = r->by[index];
    bind_key(st, key, except);
    int64_t extra[LKR_EXTRA_MAX];
    size_t firsts = 0, nextra = 0;
    int rc = DG_OK, step, done = 0;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t first = sqlite3_column_int64(st, 1), n = sqlite3_column_int64(st, 2);
        const char *name = (const char *)sqlite3_column_text(st, 3);
        name = name ? name : "";
        done = done || held_below(firsts, extra, nextra, first) >= need;
        if (done && !rest) {
            step = SQLITE_DONE; /* stopped early: no unread person can be shown */
            break;
        }
        if (done) {
            rc = rest_add(rest, n, name);
            continue;
        }
        firsts++;
        rc = n == 1 ? emit(ctx, first, name)
                    : person_studies(r, sqlite3_column_int64(st, 0), name, emit, ctx, extra,
                                     &nextra);
    }
    return read_end(r, st, rc, step, err);
}

int lk_rank_readings(lk_rank *r, const char *key, const char *except, lk_rank_emit emit,
                     void *ctx, dg_err *err)
{
    if (!key || !*key)
        return DG_OK;
    sqlite3_stmt *st = r->readings;
    bind_key(st, key, except);
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        rc = emit(ctx, sqlite3_column_int64(st, 0), name ? name : "");
    }
    return read_end(r, st, rc, step, err);
}
