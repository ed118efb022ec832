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

struct lk_prior {
    double persons;       /* N */
    int64_t max_person;   /* max(person.id) when sampled: whether it is current */
    lkp_map syl, chr;
    double nsur, ngiv;    /* sampled surname / given characters */
    lkp_map table;        /* surname syllable -> share in the bundled table */
    double len[LKP_MAXLEN + 1], nlen;
    /* the sample's criteria: birth and graduation values, and majors as
     * "major US code US major22 US code22" (US = 0x1f), each with its count */
    lkp_map births, grads, majors;
    size_t nrows;
};

#define LKP_US "\x1f"


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

/* Count a criterion value of the sample (NULL or "" counts as ""). */
static int count_value(lkp_map *m, const char *v)
{
    lkp_slot *s = map_get(m, v ? v : "");
    if (!s)
        return DG_ENOMEM;
    s->n[0]++;
    return DG_OK;
}

static const char *col(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? v : "";
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
    p->max_person = maxid;
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
    int64_t last = 0;
    dg_buf m;
    dg_buf_init(&m, 0);
    for (size_t i = 0; i < want && !rc; i++) {
        int64_t from = 1 + (int64_t)((double)i * (double)maxid / (double)want);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, from > last ? from : last + 1);
        if (sqlite3_step(st) != SQLITE_ROW)
            break;
        last = sqlite3_column_int64(st, 0);
        p->nrows++;
        dg_buf_reset(&m);
        dg_buf_addf(&m, "%s" LKP_US "%s" LKP_US "%s" LKP_US "%s", col(st, 4), col(st, 5),
                    col(st, 6), col(st, 7));
        rc = m.data ? DG_OK : DG_ENOMEM;
        rc = rc ? rc : count_value(&p->births, col(st, 2));
        rc = rc ? rc : count_value(&p->grads, col(st, 3));
        rc = rc ? rc : count_value(&p->majors, m.data);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        rc = rc ? rc : name ? count_name(p, nc, name) : DG_OK;
    }
    dg_buf_release(&m);
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
    map_release(&p->births);
    map_release(&p->grads);
    map_release(&p->majors);
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

/* Sampled values in [lo, hi): births or graduations. */
static double share_range(const lkp_map *m, const lk_prior *p, const char *lo, const char *hi)
{
    double hits = 0;
    for (size_t i = 0; i < m->cap; i++) {
        const char *v = m->v[i].key;
        if (v && v[0] && strcmp(v, lo) >= 0 && strcmp(v, hi) < 0)
            hits += m->v[i].n[0];
    }
    return share(p, (size_t)hits);
}

double lk_prior_share_born(const lk_prior *p, const char *lo, const char *hi)
{
    return share_range(&p->births, p, lo, hi);
}

double lk_prior_share_grad(const lk_prior *p, const char *lo, const char *hi)
{
    return share_range(&p->grads, p, lo, hi);
}

/* As crit_major matches: inside the historical or 2022 name, or a code prefix. */
static int major_hits(const char *key, const char *major, size_t n)
{
    char f[4][256];
    const char *at = key;
    for (int i = 0; i < 4; i++) {
        const char *e = strstr(at, LKP_US);
        size_t l = e ? (size_t)(e - at) : strlen(at);
        snprintf(f[i], sizeof f[i], "%.*s", (int)(l < 255 ? l : 255), at);
        at = e ? e + 1 : at + l;
    }
    return strstr(f[0], major) || strstr(f[2], major) ||
           (n && (strncmp(f[1], major, n) == 0 || strncmp(f[3], major, n) == 0));
}

double lk_prior_share_major(const lk_prior *p, const char *major)
{
    double hits = 0;
    size_t n = strlen(major);
    for (size_t i = 0; i < p->majors.cap; i++)
        if (p->majors.v[i].key && major_hits(p->majors.v[i].key, major, n))
            hits += p->majors.v[i].n[0];
    return share(p, (size_t)hits);
}

/* ---- kept in the database (migration 022: lookup_prior) ------------------------ */

/* One text line per entry, fields tab-separated: a version line, then
 *   N persons max_person nsur ngiv nlen nrows      L length count
 *   S syllable n_surname n_given                  C char syllable n_surname n_given
 *   T syllable share (the bundled surname table)  B birth n / G grad n / M key n
 * Values never hold a tab or a newline (names, dates, majors as archived;
 * such a character would be folded to a space). */
#define LKP_FORMAT "dangan-lookup-prior 1"

static void add_clean(dg_buf *b, const char *s)
{
    for (; s && *s; s++)
        dg_buf_addc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int map_dump(dg_buf *b, const lkp_map *m, char tag, int two)
{
    for (size_t i = 0; i < m->cap; i++) {
        const lkp_slot *s = &m->v[i];
        if (!s->key)
            continue;
        dg_buf_addf(b, "%c\t", tag);
        add_clean(b, s->key);
        if (tag == 'C') {
            dg_buf_addc(b, '\t');
            add_clean(b, s->val ? s->val : "");
        }
        dg_buf_addf(b, "\t%.17g", s->n[0]);
        if (two)
            dg_buf_addf(b, "\t%.17g", s->n[1]);
        dg_buf_addc(b, '\n');
    }
    return DG_OK;
}

static int prior_dump(const lk_prior *p, dg_buf *b)
{
    dg_buf_addf(b, LKP_FORMAT "\nN\t%.17g\t%lld\t%.17g\t%.17g\t%.17g\t%zu\n", p->persons,
                (long long)p->max_person, p->nsur, p->ngiv, p->nlen, p->nrows);
    for (int i = 0; i <= LKP_MAXLEN; i++)
        if (p->len[i] > 0)
            dg_buf_addf(b, "L\t%d\t%.17g\n", i, p->len[i]);
    map_dump(b, &p->syl, 'S', 1);
    map_dump(b, &p->chr, 'C', 1);
    map_dump(b, &p->table, 'T', 0);
    map_dump(b, &p->births, 'B', 0);
    map_dump(b, &p->grads, 'G', 0);
    return map_dump(b, &p->majors, 'M', 0) ? DG_ENOMEM : b->data ? DG_OK : DG_ENOMEM;
}

/* One line of prior_dump's text into p; 0 ok, -1 malformed, DG_ENOMEM. */
static int prior_line(lk_prior *p, char *line)
{
    char *f[8];
    int nf = 0;
    for (char *at = line; nf < 8;) {
        f[nf++] = at;
        char *tab = strchr(at, '\t');
        if (!tab)
            break;
        *tab = '\0';
        at = tab + 1;
    }
    lkp_map *m = NULL;
    switch (f[0][0]) {
    case 'N':
        if (nf != 7)
            return -1;
        p->persons = atof(f[1]);
        p->max_person = atoll(f[2]);
        p->nsur = atof(f[3]), p->ngiv = atof(f[4]), p->nlen = atof(f[5]);
        p->nrows = (size_t)atoll(f[6]);
        return 0;
    case 'L': {
        int l = nf == 3 ? atoi(f[1]) : -1;
        if (l < 0 || l > LKP_MAXLEN)
            return -1;
        p->len[l] = atof(f[2]);
        return 0;
    }
    case 'S': m = &p->syl; break;
    case 'C': m = &p->chr; break;
    case 'T': m = &p->table; break;
    case 'B': m = &p->births; break;
    case 'G': m = &p->grads; break;
    case 'M': m = &p->majors; break;
    default: return -1;
    }
    int want = f[0][0] == 'C' ? 5 : f[0][0] == 'S' ? 4 : 3;
    if (nf != want)
        return -1;
    lkp_slot *s = map_get(m, f[1]);
    if (!s)
        return DG_ENOMEM;
    int at = 2;
    if (f[0][0] == 'C' && !(s->val = dg_strdup(f[at++])))
        return DG_ENOMEM;
    s->n[0] = atof(f[at++]);
    if (at < nf)
        s->n[1] = atof(f[at]);
    return 0;
}

/* The newest stored prior when it was made from the archive as it is
 * (max(person.id) unchanged); *out NULL when there is none or it is older. */
static int prior_read(sqlite3 *db, lk_prior **out, dg_err *err)
{
    *out = NULL;
    int64_t maxid = 0;
    int rc = db_query_int(db, "SELECT coalesce(max(id), 0) FROM person", &maxid, err);
    sqlite3_stmt *st = NULL;
    rc = rc ? rc
            : db_prepare(db, "SELECT data FROM lookup_prior WHERE max_person = ?1 "
                             "ORDER BY id DESC LIMIT 1", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, maxid);
    char *text = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        text = dg_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!text)
        return DG_OK;
    lk_prior *p = calloc(1, sizeof *p);
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    int bad = !p || !line || strcmp(line, LKP_FORMAT) != 0;
    while (!bad && (line = strtok_r(NULL, "\n", &save)))
        bad = prior_line(p, line);
    free(text);
    if (bad == DG_ENOMEM || !p) {
        lk_prior_free(&p);
        return dg_err_set(err, DG_ENOMEM, "out of memory reading the lookup prior");
    }
    if (bad || p->max_person != maxid)
        lk_prior_free(&p); /* another format or damaged: made again */
    *out = p;
    return DG_OK;
}

/* Replace the stored prior by p, in its own transaction. */
static int prior_write(sqlite3 *db, const lk_prior *p, dg_err *err)
{
    dg_buf b;
    dg_buf_init(&b, (size_t)64 << 20);
    if (prior_dump(p, &b)) {
        dg_buf_release(&b);
        return dg_err_set(err, DG_ENOMEM, "out of memory writing the lookup prior");
    }
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st = NULL;
    int rc = db_begin(db, err);
    rc = rc ? rc : db_exec(db, "DELETE FROM lookup_prior", err);
    rc = rc ? rc
            : db_prepare(db, "INSERT INTO lookup_prior (built, persons, max_person, data) "
                             "VALUES (?1, ?2, ?3, ?4)", &st, err);
    if (!rc) {
        sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)p->persons);
        sqlite3_bind_int64(st, 3, p->max_person);
        sqlite3_bind_text(st, 4, b.data, (int)b.len, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot store the lookup prior");
        sqlite3_finalize(st);
    }
    rc = rc ? (db_rollback(db), rc) : db_commit(db, err);
    dg_buf_release(&b);
    return rc;
}

int lk_prior_refresh(sqlite3 *db, norm_ctx *nc, const char *config_dir, dg_err *err)
{
    lk_prior *p = NULL;
    int rc = lk_prior_new(db, nc, config_dir, &p, err);
    rc = rc ? rc : prior_write(db, p, err);
    lk_prior_free(&p);
    return rc;
}

int lk_prior_ensure(sqlite3 *db, norm_ctx *nc, const char *config_dir, dg_err *err)
{
    int64_t persons = 0;
    lk_prior *p = NULL;
    int rc = db_query_int(db, "SELECT count(*) FROM (SELECT 1 FROM person LIMIT 1)", &persons,
                          err);
    rc = rc || !persons ? rc : prior_read(db, &p, err);
    if (rc || !persons || p) {
        lk_prior_free(&p);
        return rc;
    }
    return lk_prior_refresh(db, nc, config_dir, err);
}

int lk_prior_get(sqlite3 *db, norm_ctx *nc, const char *config_dir, lk_prior **out, dg_err *err)
{
    int rc = prior_read(db, out, err);
    if (rc || *out)
        return rc;
    rc = lk_prior_new(db, nc, config_dir, out, err);
    /* kept for the next process; a read-only or busy database, or a caller's
     * open transaction (never ours to commit), only costs the next process
     * the same seeks again */
    if (!rc && !sqlite3_db_readonly(db, "main") && sqlite3_get_autocommit(db)) {
        dg_err ignored = {0};
        prior_write(db, *out, &ignored);
    }
    return rc;
}
