/*
 * lookup_query.c - a lookup request as lookup.c searches with it: the name's
 * keys from the same normalizer that made the stored ones, --born and
 * --graduated as index ranges (and bound into the tier reads: LK_CRIT_SQL),
 * the major folded, and a tier row checked against them (lk_crit_*)
 * (lookup_internal.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup_internal.h"

#include <sqlite3.h>

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* [lo, hi) covering every ISO date that starts with prefix: bump the last byte. */
static void prefix_range(const char *prefix, char *lo, char *hi, size_t size)
{
    snprintf(lo, size, "%s", prefix);
    snprintf(hi, size, "%s", prefix);
    hi[strlen(hi) - 1]++;
}

static int parse_born(const char *s, lk_query *lq, dg_err *err)
{
    size_t n = strlen(s);
    char norm[8];
    if (n == 4 && all_digits(s, 4)) {
        snprintf(norm, sizeof norm, "%s", s);
    } else if (n == 7 && all_digits(s, 4) && strchr("-./", s[4]) && all_digits(s + 5, 2) &&
               strncmp(s + 5, "00", 2) != 0 && strncmp(s + 5, "12", 2) <= 0) {
        snprintf(norm, sizeof norm, "%.4s-%.2s", s, s + 5);
    } else {
        return dg_err_set(err, DG_EUSAGE, "--born wants YYYY or YYYY-MM, not '%s'", s);
    }
    prefix_range(norm, lq->born_lo, lq->born_hi, sizeof lq->born_lo);
    return DG_OK;
}

static int parse_grad(const char *s, lk_query *lq, dg_err *err)
{
    if (strlen(s) != 4 || !all_digits(s, 4))
        return dg_err_set(err, DG_EUSAGE, "--graduated wants a year YYYY, not '%s'", s);
    prefix_range(s, lq->grad_lo, lq->grad_hi, sizeof lq->grad_lo);
    return DG_OK;
}

static int parse_major(norm_ctx *nc, const char *s, lk_query *lq, dg_err *err)
{
    norm_result r;
    int rc = norm_text(nc, s, &r, err);
    if (!rc && r.value && *r.value) {
        lq->major = r.value;
        r.value = NULL;
    }
    norm_result_release(&r);
    return rc;
}

static int parse_name(norm_ctx *nc, const char *s, lk_query *lq, dg_err *err)
{
    int rc = norm_query_keys(nc, s, &lq->keys, err);
    if (rc)
        return rc;
    if ((!lq->keys.simplified || !*lq->keys.simplified) && (!lq->keys.pinyin || !*lq->keys.pinyin))
        return dg_err_set(err, DG_EUSAGE, "name '%s' has nothing to search for", s);
    if (lq->keys.simplified && !*lq->keys.simplified) {
        free(lq->keys.simplified);
        lq->keys.simplified = NULL;
    }
    lq->raw_name = s;
    return DG_OK;
}

int lk_query_parse(norm_ctx *nc, const arc_lookup_query *q, lk_query *lq, dg_err *err)
{
    memset(lq, 0, sizeof *lq);
    lq->q = q;
    if (!(q->name && *q->name) && !(q->born && *q->born) && !(q->graduated && *q->graduated))
        return dg_err_set(err, DG_EUSAGE, "lookup needs a name, a birth date or a graduation year");
    int rc = DG_OK;
    if (q->born && *q->born)
        rc = parse_born(q->born, lq, err);
    if (!rc && q->graduated && *q->graduated)
        rc = parse_grad(q->graduated, lq, err);
    if (!rc && q->major && *q->major)
        rc = parse_major(nc, q->major, lq, err);
    if (!rc && q->name && *q->name)
        rc = parse_name(nc, q->name, lq, err);
    return rc;
}

void lk_query_release(lk_query *lq)
{
    norm_keys_release(&lq->keys);
    free(lq->major);
}

/* One criterion's range into :NAMElo / :NAMEhi of a tier statement (NULL
 * when the request does not give it: LK_CRIT_SQL then keeps every row). */
static void crit_bind1(sqlite3_stmt *st, const char *lo_name, const char *hi_name,
                       const char *lo, const char *hi)
{
    int i = sqlite3_bind_parameter_index(st, lo_name), j = sqlite3_bind_parameter_index(st, hi_name);
    if (!lo[0]) {
        sqlite3_bind_null(st, i);
        sqlite3_bind_null(st, j);
        return;
    }
    sqlite3_bind_text(st, i, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, j, hi, -1, SQLITE_STATIC);
}

void lk_query_bind_criteria(sqlite3_stmt *st, const lk_query *lq)
{
    crit_bind1(st, ":blo", ":bhi", lq->born_lo, lq->born_hi);
    crit_bind1(st, ":glo", ":ghi", lq->grad_lo, lq->grad_hi);
}

/* ---- a tier row against the criteria (lookup.c's tier reads) ---------- */

static int in_range(const char *v, const char *lo, const char *hi)
{
    return strcmp(v, lo) >= 0 && strcmp(v, hi) < 0;
}

/* 1 kept (maybe with a bonus), 0 contradicted.  Column 3 is p.birth. */
int lk_crit_born(const lk_query *lq, sqlite3_stmt *st, lk_cand *c)
{
    if (!lq->born_lo[0])
        return 1;
    const char *b = lk_coltext(st, 3);
    if (!b || !*b)
        return c->born = LK_C_UNKNOWN, 1;
    if (in_range(b, lq->born_lo, lq->born_hi)) {
        c->born = LK_C_MATCH;
        c->score += LK_CRIT;
        return c->born_s = dg_strdup(b), 1;
    }
    /* Asked for 1958-03, archive knows only 1958: consistent, weaker. */
    if (strlen(b) == 4 && strncmp(b, lq->born_lo, 4) == 0) {
        c->born = LK_C_YEAR;
        c->score += LK_CRIT / 2;
        return c->born_s = dg_strdup(b), 1;
    }
    return 0;
}

int lk_crit_grad(const lk_query *lq, sqlite3_stmt *st, lk_cand *c)
{
    if (!lq->grad_lo[0])
        return 1;
    const char *g = lk_coltext(st, 4);
    if (!g || !*g)
        return c->grad = LK_C_UNKNOWN, 1;
    if (!in_range(g, lq->grad_lo, lq->grad_hi))
        return 0;
    c->grad = LK_C_MATCH;
    c->score += LK_CRIT;
    return c->grad_s = dg_strdup(g), 1;
}

static int contains(const char *hay, const char *needle)
{
    return hay && needle && *needle && strstr(hay, needle) != NULL;
}

static int code_match(const char *code, const char *q)
{
    return code && *q && strncmp(code, q, strlen(q)) == 0;
}

/* Columns 5-8: major_hist, major_code_hist, name_2022, code_2022.  The
 * major is a hint beside a name (a registrar's wording is loose) and a
 * criterion without one. */
int lk_crit_major(const lk_query *lq, sqlite3_stmt *st, lk_cand *c)
{
    if (!lq->major)
        return 1;
    const char *m = lq->major;
    const char *why = NULL;
    if (contains(lk_coltext(st, 5), m))
        why = "major matches historical name";
    else if (contains(lk_coltext(st, 7), m))
        why = "major matches 2022 name";
    else if (code_match(lk_coltext(st, 6), m) || code_match(lk_coltext(st, 8), m))
        why = "major code matches";
    if (!why)
        return c->major = LK_C_UNKNOWN, lq->raw_name != NULL;
    c->major = LK_C_MATCH;
    c->score += LK_CRIT;
    return c->major_why = why, 1;
}
