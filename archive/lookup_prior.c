/*
 * lookup_prior.c - how surprising a match is, for lookup's "as asked"
 * decision on pinyin requests (lookup_confidence in lookup.c).  Pinyin has
 * no tones and no characters: "wang wei" matches hundreds of people who are
 * not the one asked about, "duanmu xiaofan" almost surely only that one.
 * What tells them apart is how many archived people would read the same
 * by chance, E = N * P(pinyin), with P from a syllable model:
 *
 *   P = P(length) * P(surname syllable) * prod P(given syllable)
 *
 * fitted on a spread sample of the archive itself (the archive is the
 * population lookup answers for), the surname syllables smoothed towards
 * the bundled surname table (configs/names/surnames_wainshine.tsv) so a
 * small archive still knows that "wang" is common.  The same sample gives
 * the share of people a --born/--graduated/--major criterion lets through,
 * which is how much a matching date is worth as evidence.  Built lazily,
 * once per lookup session, only when a pinyin request needs it.
 */
#include "lookup_internal.h"
#include "normalize.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sample size: enough for syllable shares of about 400 syllables and a
 * birth month (1/550 of a cohort) to within a few percent. */
enum { LKP_SAMPLE = 20000, LKP_MAXLEN = 8 };
/* Pseudo-counts the surname table weighs against the archive sample, and
 * the number of Mandarin syllables (smoothing of unseen given syllables). */
#define LKP_SURNAME_PRIOR_N 200.0
#define LKP_SYLLABLES 420.0

/* A string -> counts map with open addressing (syllables, characters). */
typedef struct lkp_slot {
    char *key;
    char *val;       /* characters: their syllable */
    double n[2];     /* syllables: count as surname [0], as given name [1] */
} lkp_slot;

typedef struct lkp_map {
    lkp_slot *v;
    size_t cap, used;
} lkp_map;

typedef struct lkp_row {
    char birth[16], grad[16];
    char *major, *code, *major22, *code22;
} lkp_row;

struct lk_prior {
    double persons;       /* N */
    lkp_map syl, chr;
    double nsur, ngiv;    /* sampled surname / given characters */
    lkp_map table;        /* surname syllable -> share in the bundled table */
    double len[LKP_MAXLEN + 1], nlen;
    lkp_row *rows;
    size_t nrows;
};

static uint64_t lkp_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void map_release(lkp_map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->v[i].key);
        free(m->v[i].val);
    }
    free(m->v);
    memset(m, 0, sizeof *m);
}

static lkp_slot *map_find(const lkp_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = lkp_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->v[i].key)
            return NULL;
        if (strcmp(m->v[i].key, key) == 0)
            return &m->v[i];
    }
}

/* The slot of key, inserted when missing; NULL out of memory. */
static lkp_slot *map_get(lkp_map *m, const char *key)
{
    lkp_slot *s = map_find(m, key);
    if (s)
        return s;
    if (2 * (m->used + 1) > m->cap) {
        lkp_map g = {.cap = m->cap ? 2 * m->cap : 256};
        g.v = calloc(g.cap, sizeof *g.v);
        if (!g.v)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i].key)
                continue;
            size_t j = lkp_hash(m->v[i].key) & (g.cap - 1);
            while (g.v[j].key)
                j = (j + 1) & (g.cap - 1);
            g.v[j] = m->v[i];
        }
        g.used = m->used;
        free(m->v);
        *m = g;
    }
    size_t i = lkp_hash(key) & (m->cap - 1);
    while (m->v[i].key)
        i = (i + 1) & (m->cap - 1);
    m->v[i].key = dg_strdup(key);
    if (!m->v[i].key)
        return NULL;
    m->used++;
    return &m->v[i];
}

/* The toneless syllable of one character ("" when it has none), cached. */
static const char *char_syllable(lk_prior *p, norm_ctx *nc, const char *ch)
{
    lkp_slot *s = map_get(&p->chr, ch);
    if (!s)
        return "";
    if (!s->val) {
        norm_keys k = {0};
        dg_err err = {0};
        if (norm_query_keys(nc, ch, &k, &err) == DG_OK && k.pinyin)
            s->val = dg_strdup(k.pinyin);
        norm_keys_release(&k);
        if (!s->val)
            s->val = dg_strdup("");
    }
    return s->val ? s->val : "";
}

/* Split a name into characters (UTF-8, at most LKP_MAXLEN). */
static int name_chars(const char *name, char ch[LKP_MAXLEN][8])
{
    size_t n = strlen(name), i = 0;
    int k = 0;
    while (i < n && k < LKP_MAXLEN) {
        size_t j = i;
        dg_utf8_next(name, n, &j);
        if (j - i >= 8)
            break;
        memcpy(ch[k], name + i, j - i);
        ch[k][j - i] = '\0';
        k++;
        i = j;
    }
    return k;
}

static int count_name(lk_prior *p, norm_ctx *nc, const char *name)
{
    char ch[LKP_MAXLEN][8];
    int n = name_chars(name, ch);
    if (!n)
        return DG_OK;
    p->len[n]++;
    p->nlen++;
    for (int i = 0; i < n; i++) {
        const char *syl = char_syllable(p, nc, ch[i]);
        lkp_slot *c = map_find(&p->chr, ch[i]); /* char_syllable made it */
        if (c)
            c->n[i > 0]++;
        if (!*syl)
            continue;
        lkp_slot *s = map_get(&p->syl, syl);
        if (!s)
            return DG_ENOMEM;
        s->n[i > 0]++;
        *(i ? &p->ngiv : &p->nsur) += 1;
    }
    return DG_OK;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return dg_strdup(v ? v : "");
}

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t size)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    snprintf(out, size, "%s", v ? v : "");
}

/* Every k-th person by id, k spreading LKP_SAMPLE seeks over the id range. */
static int sample_archive(lk_prior *p, sqlite3 *db, norm_ctx *nc, dg_err *err)
{
    int64_t maxid = 0, n = 0;
    int rc = db_query_int(db, "SELECT count(*) FROM person", &n, err);
    rc = rc ? rc : db_query_int(db, "SELECT coalesce(max(id), 0) FROM person", &maxid, err);
    if (rc)
        return rc;
    p->persons = (double)n;
    sqlite3_stmt *st;
    rc = db_prepare(db,
                        "SELECT p.id, p.name_simplified, p.birth, s.grad, s.major_hist, "
                        "s.major_code_hist, s.name_2022, s.code_2022 FROM person p "
                        "LEFT JOIN study_record s ON s.person_id = p.id "
                        "WHERE p.id >= ?1 ORDER BY p.id LIMIT 1",
                        &st, err);
    if (rc)
        return rc;
    size_t want = n < LKP_SAMPLE ? (size_t)n : LKP_SAMPLE;
    p->rows = calloc(want ? want : 1, sizeof *p->rows);
    if (!p->rows) {
        sqlite3_finalize(st);
        return dg_err_set(err, DG_ENOMEM, "out of memory sampling the archive");
    }
    int64_t last = 0;
    for (size_t i = 0; i < want && !rc; i++) {
        int64_t from = 1 + (int64_t)((double)i * (double)maxid / (double)want);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, from > last ? from : last + 1);
        if (sqlite3_step(st) != SQLITE_ROW)
            break;
        last = sqlite3_column_int64(st, 0);
        lkp_row *r = &p->rows[p->nrows++];
        copy_col(st, 2, r->birth, sizeof r->birth);
        copy_col(st, 3, r->grad, sizeof r->grad);
        r->major = dup_col(st, 4);
        r->code = dup_col(st, 5);
        r->major22 = dup_col(st, 6);
        r->code22 = dup_col(st, 7);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        rc = name ? count_name(p, nc, name) : DG_OK;
        if (!rc && !(r->major && r->code && r->major22 && r->code22))
            rc = DG_ENOMEM;
    }
    sqlite3_finalize(st);
    return rc ? dg_err_set(err, rc, "out of memory sampling the archive") : DG_OK;
}

/* configs/names/surnames_wainshine.tsv: surname<TAB>count<TAB>source.
 * Only the first character's syllable counts (the model's surname slot). */
static int read_surname_table(lk_prior *p, norm_ctx *nc, const char *config_dir, dg_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/names/surnames_wainshine.tsv", config_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return DG_OK; /* the archive sample alone still works */
    char line[512];
    double total = 0;
    int rc = DG_OK;
    while (fgets(line, sizeof line, f) && !rc) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        double count = atof(tab + 1);
        char ch[LKP_MAXLEN][8];
        if (count <= 0 || name_chars(line, ch) < 1)
            continue; /* the header */
        const char *syl = char_syllable(p, nc, ch[0]);
        if (!*syl)
            continue;
        lkp_slot *s = map_get(&p->table, syl);
        if (!s)
            rc = DG_ENOMEM;
        else
            s->n[0] += count;
        total += count;
    }
    fclose(f);
    for (size_t i = 0; i < p->table.cap && total > 0; i++)
        if (p->table.v[i].key)
            p->table.v[i].n[0] /= total;
    return rc ? dg_err_set(err, rc, "out of memory reading %s", path) : DG_OK;
}

void lk_prior_free(lk_prior **pp)
{
    if (!pp || !*pp)
        return;
    lk_prior *p = *pp;
    map_release(&p->syl);
    map_release(&p->chr);
    map_release(&p->table);
    for (size_t i = 0; i < p->nrows; i++) {
        free(p->rows[i].major);
        free(p->rows[i].code);
        free(p->rows[i].major22);
        free(p->rows[i].code22);
    }
    free(p->rows);
    free(p);
    *pp = NULL;
}

int lk_prior_new(sqlite3 *db, norm_ctx *nc, const char *config_dir, lk_prior **out,
                 dg_err *err)
{
    *out = NULL;
    lk_prior *p = calloc(1, sizeof *p);
    if (!p)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int rc = read_surname_table(p, nc, config_dir, err);
    rc = rc ? rc : sample_archive(p, db, nc, err);
    if (rc) {
        lk_prior_free(&p);
        return rc;
    }
    *out = p;
    return DG_OK;
}

static double sur_share(const lk_prior *p, const char *syl)
{
    const lkp_slot *s = map_find(&p->syl, syl), *t = map_find(&p->table, syl);
    double arch = s ? s->n[0] : 0, table = t ? t->n[0] : 0;
    /* a syllable neither source knows: as rare as one pseudo-observation */
    double num = arch + LKP_SURNAME_PRIOR_N * table;
    return (num > 0 ? num : 0.5) / (p->nsur + LKP_SURNAME_PRIOR_N);
}

static double giv_share(const lk_prior *p, const char *syl)
{
    const lkp_slot *s = map_find(&p->syl, syl);
    return ((s ? s->n[1] : 0) + 0.5) / (p->ngiv + 0.5 * LKP_SYLLABLES);
}

double lk_prior_expected(lk_prior *p, norm_ctx *nc, const char *han)
{
    char ch[LKP_MAXLEN][8];
    int n = name_chars(han, ch);
    if (!n)
        return 0;
    double prob = (p->len[n] + 1) / (p->nlen + LKP_MAXLEN);
    for (int i = 0; i < n; i++) {
        const char *syl = char_syllable(p, nc, ch[i]);
        prob *= !*syl ? 1.0 / LKP_SYLLABLES : i ? giv_share(p, syl) : sur_share(p, syl);
    }
    return p->persons * prob;
}

double lk_prior_char_share(lk_prior *p, const char *ch, int given)
{
    const lkp_slot *s = map_find(&p->chr, ch);
    double n = given ? p->ngiv : p->nsur;
    /* unseen characters: half an observation among some 8,000 in use */
    return ((s ? s->n[given != 0] : 0) + 0.5) / (n + 0.5 * 8000);
}

/* Add-one shares over the sample: never 0, so a criterion never makes the
 * "someone else" alternative impossible. */
static double share(const lk_prior *p, size_t hits)
{
    return ((double)hits + 1) / ((double)p->nrows + 2);
}

/* Sampled values in [lo, hi): births (grad 0) or graduations (grad 1). */
static double share_range(const lk_prior *p, int grad, const char *lo, const char *hi)
{
    size_t hits = 0;
    for (size_t i = 0; i < p->nrows; i++) {
        const char *v = grad ? p->rows[i].grad : p->rows[i].birth;
        hits += v[0] && strcmp(v, lo) >= 0 && strcmp(v, hi) < 0;
    }
    return share(p, hits);
}

double lk_prior_share_born(const lk_prior *p, const char *lo, const char *hi)
{
    return share_range(p, 0, lo, hi);
}

double lk_prior_share_grad(const lk_prior *p, const char *lo, const char *hi)
{
    return share_range(p, 1, lo, hi);
}

double lk_prior_share_major(const lk_prior *p, const char *major)
{
    size_t hits = 0, n = strlen(major);
    for (size_t i = 0; i < p->nrows; i++) {
        const lkp_row *r = &p->rows[i];
        hits += strstr(r->major, major) || strstr(r->major22, major) ||
                (n && (strncmp(r->code, major, n) == 0 || strncmp(r->code22, major, n) == 0));
    }
    return share(p, hits);
}
