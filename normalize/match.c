/*
 * match.c - map a historical discipline name (as read from a record, maybe
 * traditional, misread by OCR, abbreviated or from a pre-1997 catalog) to
 * ranked candidates in the target catalog (2022).  Names are compared on
 * the simplified form with an edit distance where OCR look-alikes cost
 * less; catalog entries are resolved to the target through the crosswalks.
 * Names from catalogs we do not have (1983/1990) come in through the
 * curated historical-name table and go on through the same crosswalks.
 * A wrong automatic decision is worse than a review, so `auto` needs a high
 * score, a clear margin and no caveat (check / split / unresolved row, a
 * curated pre-1997 name): those always leave the choice to a person.
 */
#include "normalize.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#define MAX_HITS 12
#define MAX_ACC 48
#define MAX_KEY 64
#define MAX_EV 8   /* evidence items per candidate */
#define EV_LEN 320 /* one evidence item, display text */

/* A discipline of the target edition reached from some catalog entry. */
typedef struct hit {
    const nz_disc *target;
    char path[512];
    char ev[3][EV_LEN]; /* crosswalk evidence, nev items */
    size_t nev;
    int force_review;
} hit;

typedef struct hits {
    hit h[MAX_HITS];
    size_t n;
    int unresolved;
    char unresolved_why[256];
} hits;

/* A candidate being accumulated, one per target code. */
typedef struct acc {
    const nz_disc *target;
    double score;
    const char *edition; /* edition id or curated set label, owned by the catalog */
    char path[512];
    char ev[MAX_EV][EV_LEN];
    size_t nev;
    int force_review;
    int prof_late; /* professional category that started after the record's year */
    const char *rule_id; /* the operator rule that proposed it, else NULL */
} acc;

typedef struct match_state {
    norm_ctx *ctx;
    const norm_catalog *cat;
    const norm_match_conf *conf;
    const norm_match_input *in;
    nz_u32 q;          /* normalized query name */
    UChar32 qfold[MAX_KEY]; /* q through the look-alike table */
    char *qname;       /* same, UTF-8 */
    const char *code;  /* normalized code or NULL */
    size_t in_force;   /* edition in force for the year */
    int has_year, before_earliest;
    acc a[MAX_ACC];
    size_t na;
    int code_unknown, code_conflict;
} match_state;

/* Paths and evidence are display text: silent truncation at the field size
 * is intended (and -Wformat-truncation cannot see through vsnprintf). */
static void textf(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void textf(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

/* ---- configuration ---- */

static void conf_defaults(norm_match_conf *c)
{
    c->auto_threshold = 0.93;
    c->auto_margin = 0.10;
    c->min_score = 0.45;
    c->confusable_cost = 0.3;
    c->other_edition_factor = 0.88;
    c->before_earliest_factor = 0.97;
    c->code_conflict_factor = 0.6;
    c->max_candidates = 8;
    c->default_context_year = 1999;
}

static int conf_set(norm_match_conf *c, const char *key, double v)
{
    struct {
        const char *k;
        double *p;
    } keys[] = {
        {"auto_threshold", &c->auto_threshold},
        {"auto_margin", &c->auto_margin},
        {"min_score", &c->min_score},
        {"confusable_cost", &c->confusable_cost},
        {"other_edition_factor", &c->other_edition_factor},
        {"before_earliest_factor", &c->before_earliest_factor},
        {"code_conflict_factor", &c->code_conflict_factor},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i].k) == 0) {
            *keys[i].p = v;
            return DG_OK;
        }
    if (strcmp(key, "max_candidates") == 0 && v >= 1 && v <= 64) {
        c->max_candidates = (size_t)v;
        return DG_OK;
    }
    if (strcmp(key, "default_context_year") == 0 && v <= 9999 && v == (int)v) {
        c->default_context_year = (int)v;
        return DG_OK;
    }
    return DG_EINPUT;
}


static int conf_line(void *user, const dg_kv *kv, dg_err *err)
{
    char *end = NULL;
    double v = strtod(kv->value, &end);
    if (*end || conf_set(user, kv->key, v) || v < 0 || isnan(v))
        return dg_kv_fail(kv, err, "bad setting in matcher config");
    return DG_OK;
}

int norm_match_conf_load(const char *path, norm_match_conf *conf, dg_err *err)
{
    conf_defaults(conf);
    if (!path)
        return DG_OK;
    int rc = dg_kv_load(path, 1, NULL, conf_line, conf, err);
    if (rc == DG_ENOTFOUND)
        return dg_err_set(err, DG_ENOTFOUND, "cannot open matcher config '%s'", path);
    return rc;
}

/* ---- name normalization and similarity ---- */

/* Drop spaces, punctuation and notes; "专业" is how forms label a major. */
static char *discipline_clean(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < u.n; i++) {
        UChar32 c = u.c[i];
        if (c == '(' || c == 0xFF08)
            break;
        if (nz_is_space(c) || (u_ispunct(c) && c != 0x3001))
            continue;
        u.c[w++] = c;
    }
    static const UChar32 zhuanye[] = {0x4E13, 0x4E1A}; /* 专业 */
    if (w > 3 && u.c[w - 2] == zhuanye[0] && u.c[w - 1] == zhuanye[1])
        w -= 2;
    char *r = nz_encode(u.c, w);
    free(u.c);
    return r;
}

static char *discipline_normalize(norm_ctx *ctx, const char *raw)
{
    char *n = nz_nfkc(ctx, raw);
    char *c = n ? discipline_clean(n) : NULL;
    char *s = c ? nz_simplify(ctx, c) : NULL;
    free(n);
    free(c);
    return s;
}

/* The two names and their look-alike folds, for the substitution cost. */
typedef struct folded_pair {
    const UChar32 *a, *fa, *b, *fb;
    double confusable_cost;
} folded_pair;

static double folded_cost(const void *user, size_t i, size_t j)
{
    const folded_pair *p = user;
    return p->a[i] == p->b[j] ? 0 : p->fa[i] == p->fb[j] ? p->confusable_cost : 1;
}

/* Fold both sides through the look-alike table once per comparison: the
 * DP then compares keys instead of searching the table per cell. */
static double edit_distance(const match_state *st, const UChar32 *b, size_t nb)
{
    double rows[2 * (MAX_KEY + 1)];
    UChar32 fb[MAX_KEY];
    size_t na = st->q.n > MAX_KEY ? MAX_KEY : st->q.n;
    nb = nb > MAX_KEY ? MAX_KEY : nb;
    for (size_t j = 0; j < nb; j++)
        fb[j] = nz_confusable_key(st->ctx, b[j]);
    folded_pair p = {st->q.c, st->qfold, b, fb, st->conf->confusable_cost};
    return dg_edit_distance(na, nb, folded_cost, &p, rows);
}

static int contains(const UChar32 *h, size_t nh, const UChar32 *n, size_t nn)
{
    for (size_t i = 0; nn && i + nn <= nh; i++)
        if (memcmp(h + i, n, nn * sizeof(UChar32)) == 0)
            return 1;
    return 0;
}

enum { SIM_EXACT, SIM_CONTAIN, SIM_EDIT };

/* Similarity in [0,1]; *kind and *dist say why (phrased only if kept). */
static double name_similarity(const match_state *st, const nz_u32 *key, int *kind, double *dist)
{
    const UChar32 *q = st->q.c, *k = key->c;
    size_t nq = st->q.n, nk = key->n;
    size_t mx = nq > nk ? nq : nk, mn = nq < nk ? nq : nk;
    *kind = SIM_EDIT;
    *dist = 0;
    if (!mx)
        return 0;
    *dist = edit_distance(st, k, nk);
    double sim = 1.0 - *dist / (double)mx;
    if (*dist == 0) {
        *kind = SIM_EXACT;
        return 1.0;
    }
    /* An abbreviation or an older, shorter name is a prefix or part of the
     * catalog name (计算机软件 / 计算机软件与理论): plausible, never certain. */
    if (mn >= 2 && (contains(k, nk, q, nq) || contains(q, nq, k, nk))) {
        double c = 0.55 + 0.35 * (double)mn / (double)mx;
        if (c > sim) {
            *kind = SIM_CONTAIN;
            return c;
        }
    }
    return sim < 0 ? 0 : sim;
}

static void similarity_phrase(const match_state *st, const char *bare, int kind, double dist,
                              char *why, size_t len)
{
    if (kind == SIM_EXACT)
        textf(why, len, "exact normalized name '%s'", bare);
    else if (kind == SIM_CONTAIN)
        textf(why, len, "'%s' and '%s' contain one another", st->qname, bare);
    else
        textf(why, len, "edit distance %.1f to '%s' (look-alike cost %.1f)", dist, bare,
              st->conf->confusable_cost);
}

/* ---- resolving a catalog entry to the target edition ---- */

static void hit_ev(hit *h, const char *ev)
{
    if (ev && ev[0] && h->nev < sizeof h->ev / sizeof h->ev[0])
        textf(h->ev[h->nev++], EV_LEN, "%s", ev);
}

static hit *hit_add(hits *hs, const nz_disc *t, const char *path, const char *ev, int force)
{
    if (hs->n >= MAX_HITS || !t)
        return NULL;
    hit *h = &hs->h[hs->n++];
    memset(h, 0, sizeof *h);
    h->target = t;
    textf(h->path, sizeof h->path, "%s", path);
    hit_ev(h, ev);
    h->force_review = force;
    return h;
}

static const nz_disc *target_first_level(const match_state *st, const char *code)
{
    const nz_edition *t = &st->cat->ed[st->cat->target];
    const nz_disc *d = nz_cat_find(t, code);
    if (d && strcmp(d->level, "second") == 0)
        d = nz_cat_find(t, d->parent);
    return d && strcmp(d->level, "first") == 0 ? d : NULL;
}

static void resolve(const match_state *st, size_t e, const nz_disc *d, const char *prefix,
                    int depth, hits *hs);

static void resolve_rows(const match_state *st, size_t e, size_t to, const nz_disc *d,
                         const char *prefix, int depth, hits *hs)
{
    const norm_catalog *c = st->cat;
    size_t first, n = nz_cat_xrows(c, e, to, d->code, &first);
    for (size_t i = first; i < first + n; i++) {
        const nz_xrow *x = &c->x[i];
        if (strcmp(x->relation, "unresolved") == 0) {
            hs->unresolved = 1;
            textf(hs->unresolved_why, sizeof hs->unresolved_why, "%s:%s %s unresolved in crosswalk %s→%s: %s",
                     c->ed[e].id, d->code, d->bare, c->ed[e].id, c->ed[to].id, x->basis);
            continue;
        }
        char path[512], ev[EV_LEN];
        textf(path, sizeof path, "%s%s:%s %s → ", prefix, c->ed[e].id, d->code, d->bare);
        /* A curated split row is a review even when it is the only row. */
        int split = n > 1 || strcmp(x->relation, "split") == 0;
        int check = strstr(x->basis, "check") != NULL;
        textf(ev, sizeof ev, "crosswalk %s→%s %s (%s)", c->ed[e].id, c->ed[to].id, x->relation,
              x->basis);
        size_t before = hs->n;
        if (to == c->target) {
            const nz_disc *t = target_first_level(st, x->new_code);
            char full[512];
            textf(full, sizeof full, "%s%s:%s %s", path, c->ed[to].id, x->new_code,
                     t ? t->bare : x->new_name);
            hit_add(hs, t, full, ev, check || split);
        } else {
            const nz_disc *mid = nz_cat_find(&c->ed[to], x->new_code);
            if (mid)
                resolve(st, to, mid, path, depth + 1, hs);
            for (size_t j = before; j < hs->n; j++)
                hit_ev(&hs->h[j], ev);
        }
        char why[EV_LEN];
        textf(why, sizeof why, "split: %s:%s has %zu possible successors in %s, a person decides",
              c->ed[e].id, d->code, n, c->ed[to].id);
        for (size_t j = before; j < hs->n; j++)
            if (check || split) {
                hs->h[j].force_review = 1;
                if (split)
                    hit_ev(&hs->h[j], why);
            }
    }
}

/* No crosswalk from this edition: the same code with the same name in the
 * target is the only safe bridge (2011 → 2022 kept most first-levels). */
static void resolve_same_code(const match_state *st, size_t e, const nz_disc *d,
                              const char *prefix, hits *hs)
{
    const nz_disc *t = target_first_level(st, d->code);
    char path[512];
    if (t && strcmp(t->bare, d->bare) == 0) {
        textf(path, sizeof path, "%s%s:%s %s → %s:%s %s", prefix, st->cat->ed[e].id,
                 d->code, d->bare, st->cat->ed[st->cat->target].id, t->code, t->bare);
        hit_add(hs, t, path, "same code and name in target edition", 0);
        return;
    }
    hs->unresolved = 1;
    textf(hs->unresolved_why, sizeof hs->unresolved_why,
             "%s:%s %s has no crosswalk to %s and no same-code same-name entry", st->cat->ed[e].id,
             d->code, d->bare, st->cat->ed[st->cat->target].id);
}

static void resolve(const match_state *st, size_t e, const nz_disc *d, const char *prefix,
                    int depth, hits *hs)
{
    const norm_catalog *c = st->cat;
    if (depth > 3 || strcmp(d->level, "category") == 0)
        return;
    if (e == c->target) {
        const nz_disc *t = target_first_level(st, d->code);
        char path[512];
        textf(path, sizeof path, "%s%s:%s %s", prefix, c->ed[e].id, t ? t->code : d->code,
                 t ? t->bare : d->bare);
        hit_add(hs, t, path, depth ? "" : "name in target edition", 0);
        return;
    }
    if (nz_cat_has_crosswalk(c, e, c->target)) {
        size_t first;
        if (nz_cat_xrows(c, e, c->target, d->code, &first))
            resolve_rows(st, e, c->target, d, prefix, depth, hs);
        else {
            hs->unresolved = 1;
            textf(hs->unresolved_why, sizeof hs->unresolved_why,
                     "%s:%s %s missing from crosswalk %s→%s", c->ed[e].id, d->code, d->bare,
                     c->ed[e].id, c->ed[c->target].id);
        }
        return;
    }
    int any = 0;
    for (size_t to = 0; to < c->ned; to++)
        if (to != e && nz_cat_has_crosswalk(c, e, to)) {
            resolve_rows(st, e, to, d, prefix, depth, hs);
            any = 1;
        }
    if (!any)
        resolve_same_code(st, e, d, prefix, hs);
}

/* ---- accumulating candidates ---- */

static acc *acc_for(match_state *st, const nz_disc *t)
{
    for (size_t i = 0; i < st->na; i++)
        if (st->a[i].target == t)
            return &st->a[i];
    if (st->na == MAX_ACC)
        return NULL;
    acc *a = &st->a[st->na++];
    memset(a, 0, sizeof *a);
    a->target = t;
    a->score = -1;
    return a;
}

static void acc_note(acc *a, const char *note)
{
    if (note && note[0] && a->nev < MAX_EV)
        textf(a->ev[a->nev++], EV_LEN, "%s", note);
}

/*
 * The best-scoring way to a target keeps its path, evidence and caveat
 * (force_review); ways scoring the same add their caveats.  A weaker way is
 * a poorer reading of the name: its caveat (e.g. the split of a first-level
 * reached by a loose match) says nothing about the record.  whys are the
 * match's own reasons (similarity, edition, curated step), NULL-terminated.
 */
static void acc_offer(match_state *st, const hit *h, double score, const char *edition,
                      const char *const *whys, const char *rule_id)
{
    acc *a = acc_for(st, h->target);
    if (!a)
        return;
    if (score == a->score)
        a->force_review |= h->force_review;
    /* An operator rule's candidate replaces the matcher's own way to the
     * same target even at equal score: the rule is what decided it. */
    if (score <= a->score && (!rule_id || a->rule_id))
        return;
    a->force_review = h->force_review || (score == a->score && a->force_review);
    a->score = score;
    a->edition = edition;
    a->rule_id = rule_id;
    textf(a->path, sizeof a->path, "%s", h->path);
    a->nev = 0;
    for (size_t i = 0; whys && whys[i]; i++)
        acc_note(a, whys[i]);
    for (size_t i = 0; i < h->nev; i++)
        acc_note(a, h->ev[i]);
}

static double edition_factor(const match_state *st, size_t e, char *note, size_t len)
{
    const norm_catalog *c = st->cat;
    if (note)
        note[0] = '\0';
    if (!st->has_year)
        return 1.0;
    if (e != st->in_force) {
        if (note)
            textf(note, len, "name from edition %s, not the %s edition in force for %d",
                 c->ed[e].id, c->ed[st->in_force].id, st->in->year);
        return st->conf->other_edition_factor;
    }
    if (st->before_earliest) {
        if (note)
            textf(note, len, "record year %d predates the earliest edition %s, using it",
                 st->in->year, c->ed[e].id);
        return st->conf->before_earliest_factor;
    }
    return 1.0;
}

/* Unresolved old codes whose name is now a whole category (历史学, 艺术学):
 * offer that category's first-levels, low, for the reviewer. */
static void offer_category_split(match_state *st, const nz_disc *old, size_t e)
{
    const nz_edition *t = &st->cat->ed[st->cat->target];
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->d[i].level, "category") || strcmp(t->d[i].bare, old->bare))
            continue;
        for (size_t j = 0; j < t->n; j++) {
            if (strcmp(t->d[j].parent, t->d[i].code) || strcmp(t->d[j].level, "first"))
                continue;
            hit h = {.target = &t->d[j], .force_review = 1, .nev = 1};
            textf(h.path, sizeof h.path, "%s:%s %s → %s:%s %s (split of category %s)",
                     st->cat->ed[e].id, old->code, old->bare, t->id, t->d[j].code,
                     t->d[j].bare, t->d[i].code);
            textf(h.ev[0], EV_LEN, "unresolved: old first-level became category %s %s",
                  t->d[i].code, t->d[i].bare);
            const char *whys[] = {"old name equals a target category", NULL};
            acc_offer(st, &h, 0.5, st->cat->ed[e].id, whys, NULL);
        }
    }
}

static void offer_entry(match_state *st, size_t e, const nz_disc *d)
{
    char why[256], note[256], full[EV_LEN];
    int kind;
    double dist;
    double sim = name_similarity(st, &d->key, &kind, &dist);
    double f = edition_factor(st, e, NULL, 0);
    if (sim * f < st->conf->min_score * 0.9)
        return;
    similarity_phrase(st, d->bare, kind, dist, why, sizeof why);
    edition_factor(st, e, note, sizeof note);
    hits hs = {0};
    resolve(st, e, d, "", 0, &hs);
    textf(full, sizeof full, "%s in %s", why, st->cat->ed[e].id);
    const char *whys[] = {full, note, hs.unresolved ? hs.unresolved_why : NULL, NULL};
    for (size_t i = 0; i < hs.n; i++)
        acc_offer(st, &hs.h[i], sim * f, st->cat->ed[e].id, whys, NULL);
    if (hs.unresolved) {
        offer_category_split(st, d, e);
        for (size_t i = 0; i < st->na; i++)
            if (sim == 1.0) /* the exact name is unresolved: nothing may be auto */
                st->a[i].force_review = 1;
    }
}

/* Score every catalog name sharing at least half of the shorter name's
 * characters with the query. */
static int offer_names(match_state *st)
{
    const norm_catalog *c = st->cat;
    size_t off[64], total = 0;
    if (c->ned > 64)
        return DG_EINPUT;
    for (size_t e = 0; e < c->ned; e++)
        off[e] = total, total += c->ed[e].n;
    unsigned short *shared = calloc(total + 1, sizeof *shared);
    if (!shared)
        return DG_ENOMEM;
    for (size_t i = 0; i < st->q.n; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = st->q.c[j] == st->q.c[i];
        UChar32 key = st->q.c[i];
        size_t lo = 0, hi = c->npost;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (c->post[mid].cp < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; !dup && lo < c->npost && c->post[lo].cp == key; lo++)
            shared[off[c->post[lo].entry >> 16] + (c->post[lo].entry & 0xFFFF)]++;
    }
    for (size_t e = 0; e < c->ned; e++)
        for (size_t i = 0; i < c->ed[e].n; i++) {
            const nz_disc *d = &c->ed[e].d[i];
            size_t mn = d->key.n < st->q.n ? d->key.n : st->q.n;
            /* Look-alike misreads share no character: let them through when
             * the lengths agree (cheap, the DP decides). */
            if ((size_t)shared[off[e] + i] * 2 >= mn && mn)
                offer_entry(st, e, d);
        }
    free(shared);
    return DG_OK;
}

/* ---- curated historical names (names-pre1997.csv) ---- */

/* How many rows of the table carry this name (more than one: a split);
 * their codes, comma-separated, go to codes (several may reach one target,
 * whose path can show only one of them). */
static size_t histname_rows(const norm_catalog *c, const char *name, char *codes, size_t len)
{
    size_t n = 0, used = 0;
    codes[0] = '\0';
    for (size_t i = 0; i < c->nhn; i++)
        if (strcmp(c->hn[i].name, name) == 0) {
            textf(codes + used, len - used, "%s%s", n ? ", " : "", c->hn[i].code);
            used = strlen(codes);
            n++;
        }
    return n;
}

/*
 * A name from a catalog we do not have, mapped by hand to a code of one we
 * do, then on through that edition's crosswalks.  Only the exact name or
 * OCR look-alikes of it count: a partial match says nothing about which
 * old major it was, and the catalog names already offer partial matches.
 * The mapping is curated, not official, so every candidate is a review.
 */
static void offer_histnames(match_state *st)
{
    const norm_catalog *c = st->cat;
    for (size_t i = 0; i < c->nhn; i++) {
        const nz_histname *hn = &c->hn[i];
        /* Exact or look-alike substitutions only: the lengths must agree,
         * which spares the edit distance for almost every row. */
        if (hn->key.n != st->q.n)
            continue;
        int kind;
        double dist;
        double sim = name_similarity(st, &hn->key, &kind, &dist);
        if (kind == SIM_CONTAIN || (kind == SIM_EDIT && dist >= 1.0) || sim <= 0)
            continue;
        const nz_disc *d = nz_cat_find(&c->ed[hn->edition], hn->code);
        if (!d)
            continue; /* checked at load; kept for safety */
        /* The name belongs to the years before the edition it maps into. */
        double f = 1.0;
        char note[256] = "";
        if (st->has_year && st->in->year >= c->ed[hn->edition].from_year) {
            f = st->conf->other_edition_factor;
            textf(note, sizeof note, "%s name on a record of %d, when edition %s was in force",
                  hn->set, st->in->year, c->ed[st->in_force].id);
        }
        char prefix[256], why[EV_LEN], step[EV_LEN], split[EV_LEN] = "";
        textf(prefix, sizeof prefix, "%s:%s (curated %s) → ", hn->set, hn->name, hn->relation);
        similarity_phrase(st, hn->name, kind, dist, why, sizeof why);
        size_t len = strlen(why);
        textf(why + len, sizeof why - len, " in curated %s names", hn->set);
        textf(step, sizeof step, "curated %s→%s %s: %s %s (%s)", hn->set, c->ed[hn->edition].id,
              hn->relation, hn->name, hn->code, hn->basis);
        char codes[128];
        size_t rows = histname_rows(c, hn->name, codes, sizeof codes);
        if (rows > 1)
            textf(split, sizeof split, "split: %s name '%s' has %zu possible %s codes: %s",
                  hn->set, hn->name, rows, c->ed[hn->edition].id, codes);
        const char *whys[] = {why, step, "a person must confirm a mapping of a pre-1997 name",
                              split, note, NULL};
        hits hs = {0};
        resolve(st, hn->edition, d, prefix, 0, &hs);
        for (size_t j = 0; j < hs.n; j++) {
            hs.h[j].force_review = 1;
            acc_offer(st, &hs.h[j], sim * f, hn->set, whys, NULL);
        }
    }
}

/* ---- code evidence ---- */

static void apply_code(match_state *st)
{
    const norm_catalog *c = st->cat;
    hits hs = {0};
    for (size_t e = 0; e < c->ned; e++) {
        const nz_disc *d = nz_cat_find(&c->ed[e], st->code);
        if (d)
            resolve(st, e, d, "", 0, &hs);
    }
    if (!hs.n) {
        st->code_unknown = 1;
        for (size_t i = 0; i < st->na; i++)
            acc_note(&st->a[i], "written code matches no catalog entry");
        return;
    }
    int agree_any = 0;
    for (size_t i = 0; i < st->na; i++) {
        int agree = 0;
        for (size_t j = 0; j < hs.n && !agree; j++)
            agree = hs.h[j].target == st->a[i].target;
        if (agree) {
            acc *a = &st->a[i];
            a->score += (1.0 - a->score) * 0.5;
            char note[64];
            textf(note, sizeof note, "code %s agrees", st->code);
            acc_note(a, note);
            agree_any = 1;
        }
    }
    if (agree_any)
        return;
    /* The name and the code point to different disciplines: show both. */
    st->code_conflict = st->na > 0;
    for (size_t i = 0; i < st->na; i++) {
        st->a[i].score *= st->conf->code_conflict_factor;
        acc_note(&st->a[i], "written code points elsewhere");
    }
    for (size_t j = 0; j < hs.n; j++) {
        char why[128];
        textf(why, sizeof why, "code %s only (name does not match)", st->code);
        const char *whys[] = {why, NULL};
        hs.h[j].force_review = 1;
        /* edition: the earliest, as before (the hits may span editions) */
        acc_offer(st, &hs.h[j], 0.6, c->ed[0].id, whys, NULL);
    }
}

/* ---- operator rules ---- */

static int rule_applies(match_state *st, const norm_match_rule *r)
{
    const norm_match_input *in = st->in;
    if (!r->name || !r->code || nz_check_input(r->name, "rule", NULL))
        return 0;
    char *rn = discipline_normalize(st->ctx, r->name);
    int ok = rn && strcmp(rn, st->qname) == 0;
    free(rn);
    if (ok && (r->year_from || r->year_to))
        ok = in->year && (!r->year_from || in->year >= r->year_from) &&
             (!r->year_to || in->year <= r->year_to);
    if (ok && r->department && r->department[0])
        ok = in->department && strcmp(r->department, in->department) == 0;
    return ok;
}

static void apply_rules(match_state *st)
{
    for (size_t i = 0; i < st->in->nrules; i++) {
        const norm_match_rule *r = &st->in->rules[i];
        if (!rule_applies(st, r))
            continue;
        hit h = {.target = target_first_level(st, r->code)};
        if (!h.target)
            continue;
        textf(h.path, sizeof h.path, "rule %s: %s → %s:%s %s", r->rule_id ? r->rule_id : "?",
                 st->qname, st->cat->ed[st->cat->target].id, h.target->code, h.target->bare);
        char why[256];
        textf(why, sizeof why, "operator rule %s by %s", r->rule_id ? r->rule_id : "?",
                 r->who ? r->who : "?");
        const char *whys[] = {why, NULL};
        /* "" marks a rule without an id: still a rule's candidate */
        acc_offer(st, &h, 1.0, st->cat->ed[st->cat->target].id, whys,
                  r->rule_id ? r->rule_id : "");
    }
}

/* ---- professional-degree categories ---- */

/*
 * A category created after the record's year cannot be what the student
 * studied (金融 on a 1988 record is 0202's 金融学, not the 2010 category
 * 0251).  Its candidate stays listed for the reviewer, but the decision
 * may not rest on it.  Operator rules are a person's decision: untouched.
 */
static void apply_professional(match_state *st)
{
    int year = st->in->year > 0 ? st->in->year : st->conf->default_context_year;
    if (year <= 0)
        return;
    for (size_t i = 0; i < st->na; i++) {
        acc *a = &st->a[i];
        if (a->rule_id || !a->target->prof_from || a->target->prof_from <= year)
            continue;
        a->prof_late = 1;
        a->force_review = 1;
        char note[EV_LEN];
        if (st->in->year > 0)
            textf(note, sizeof note,
                  "professional degree category %s started %d, after this record (%d)",
                  a->target->code, a->target->prof_from, year);
        else
            textf(note, sizeof note,
                  "professional degree category %s started %d, after this record (no year; "
                  "default_context_year %d)",
                  a->target->code, a->target->prof_from, year);
        if (a->nev == MAX_EV) /* the reason it cannot be auto must show */
            a->nev--;
        acc_note(a, note);
    }
}

/* ---- decision and output ---- */

static int acc_cmp(const void *x, const void *y)
{
    const acc *a = x, *b = y;
    if ((a->rule_id != NULL) != (b->rule_id != NULL))
        return a->rule_id ? -1 : 1;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    if (a->prof_late != b->prof_late)
        return a->prof_late ? 1 : -1;
    return strcmp(a->target->code, b->target->code);
}

static norm_decision decide(const match_state *st)
{
    if (!st->na)
        return NORM_REVIEW;
    const acc *best = &st->a[0];
    if (best->rule_id) {
        for (size_t i = 1; i < st->na; i++)
            if (st->a[i].rule_id)
                return NORM_REVIEW; /* two operator rules disagree */
        return NORM_AUTO;
    }
    if (best->force_review || st->code_unknown || st->code_conflict)
        return NORM_REVIEW;
    if (best->score < st->conf->auto_threshold)
        return NORM_REVIEW;
    /* A category that did not exist yet is no real rival to the best one. */
    for (size_t i = 1; i < st->na; i++)
        if (!st->a[i].prof_late)
            return best->score - st->a[i].score < st->conf->auto_margin ? NORM_REVIEW
                                                                         : NORM_AUTO;
    return NORM_AUTO;
}

static int emit(const match_state *st, norm_match_result *m)
{
    size_t n = 0;
    m->candidates = calloc(st->na ? st->na : 1, sizeof *m->candidates);
    if (!m->candidates)
        return DG_ENOMEM;
    m->alloc = st->na;
    for (size_t i = 0; i < st->na && n < st->conf->max_candidates; i++) {
        const acc *a = &st->a[i];
        if (a->score < st->conf->min_score && !a->rule_id)
            continue;
        norm_candidate *c = &m->candidates[n++];
        m->ncandidates = n;
        c->code = dg_strdup(a->target->code);
        c->name = dg_strdup(a->target->bare);
        c->score = a->score > 1 ? 1 : a->score;
        c->edition = dg_strdup(a->edition);
        c->path = dg_strdup(a->path);
        c->force_review = a->force_review;
        c->rule_id = a->rule_id ? dg_strdup(a->rule_id) : NULL;
        c->evidence = calloc(a->nev ? a->nev : 1, sizeof *c->evidence);
        if (!c->code || !c->name || !c->edition || !c->path || !c->evidence ||
            (a->rule_id && !c->rule_id))
            return DG_ENOMEM;
        for (size_t j = 0; j < a->nev; j++) {
            if (!(c->evidence[j] = dg_strdup(a->ev[j])))
                return DG_ENOMEM;
            c->nevidence = j + 1;
        }
    }
    return DG_OK;
}

static int match_prepare(match_state *st, dg_err *err)
{
    const norm_match_input *in = st->in;
    int rc = nz_check_input(in->name, "discipline name", err);
    rc = rc ? rc : (in->code ? nz_check_input(in->code, "discipline code", err) : 0);
    rc = rc ? rc : (in->department ? nz_check_input(in->department, "department", err) : 0);
    if (rc)
        return rc;
    st->qname = discipline_normalize(st->ctx, in->name);
    if (!st->qname || nz_decode(st->qname, &st->q))
        return dg_err_set(err, DG_ENOMEM, "out of memory matching '%s'", in->name);
    for (size_t i = 0; i < st->q.n && i < MAX_KEY; i++)
        st->qfold[i] = nz_confusable_key(st->ctx, st->q.c[i]);
    st->has_year = in->year > 0;
    st->in_force = norm_catalog_edition_for_year(st->cat, in->year, &st->before_earliest);
    return DG_OK;
}

static int match_code(match_state *st, char **code, dg_err *err)
{
    *code = NULL;
    if (!st->in->code || !st->in->code[0])
        return DG_OK;
    norm_result r;
    int rc = norm_code(st->ctx, st->in->code, &r, err);
    if (!rc && r.value && !r.flag)
        *code = dg_strdup(r.value);
    else if (!rc)
        st->code_unknown = 1; /* an unreadable code is a reason to look */
    norm_result_release(&r);
    return rc;
}

int norm_match(norm_ctx *ctx, const norm_catalog *cat, const norm_match_conf *conf,
               const norm_match_input *in, norm_match_result *m, dg_err *err)
{
    memset(m, 0, sizeof *m);
    norm_match_conf defaults;
    if (!conf) {
        conf_defaults(&defaults);
        conf = &defaults;
    }
    match_state *st = calloc(1, sizeof *st);
    if (!st)
        return dg_err_set(err, DG_ENOMEM, "out of memory matching '%s'", in->name);
    *st = (match_state){.ctx = ctx, .cat = cat, .conf = conf, .in = in};
    char *code = NULL;
    int rc = match_prepare(st, err);
    rc = rc ? rc : match_code(st, &code, err);
    st->code = code;
    if (!rc && st->q.n)
        rc = offer_names(st);
    if (!rc && st->q.n)
        offer_histnames(st);
    if (!rc && code)
        apply_code(st);
    if (!rc)
        apply_rules(st);
    if (!rc)
        apply_professional(st);
    if (!rc) {
        qsort(st->a, st->na, sizeof *st->a, acc_cmp);
        m->decision = decide(st);
        if (emit(st, m))
            rc = dg_err_set(err, DG_ENOMEM, "out of memory matching '%s'", in->name);
    } else if (rc == DG_ENOMEM) {
        dg_err_set(err, rc, "out of memory matching '%s'", in->name);
    }
    free(code);
    free(st->qname);
    free(st->q.c);
    free(st);
    if (rc)
        norm_match_result_release(m);
    return rc;
}

void norm_match_result_release(norm_match_result *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->ncandidates; i++) {
        norm_candidate *c = &m->candidates[i];
        free(c->code);
        free(c->name);
        free(c->edition);
        free(c->path);
        for (size_t j = 0; j < c->nevidence; j++)
            free(c->evidence[j]);
        free(c->evidence);
        free(c->rule_id);
    }
    free(m->candidates);
    memset(m, 0, sizeof *m);
}

int norm_match_json(const norm_match_result *m, dg_buf *out)
{
    int rc = dg_buf_adds(out, m->decision == NORM_AUTO ? "{\"decision\":\"auto\",\"candidates\":["
                                                       : "{\"decision\":\"review\",\"candidates\":[");
    for (size_t i = 0; i < m->ncandidates && !rc; i++) {
        const norm_candidate *c = &m->candidates[i];
        rc = dg_buf_adds(out, i ? ",{\"code\":" : "{\"code\":");
        rc = rc ? rc : dg_buf_json_str(out, c->code);
        rc = rc ? rc : dg_buf_adds(out, ",\"name\":");
        rc = rc ? rc : dg_buf_json_str(out, c->name);
        rc = rc ? rc : dg_buf_addf(out, ",\"score\":%.3f,\"edition\":", c->score);
        rc = rc ? rc : dg_buf_json_str(out, c->edition);
        rc = rc ? rc : dg_buf_adds(out, ",\"path\":");
        rc = rc ? rc : dg_buf_json_str(out, c->path);
        rc = rc ? rc : dg_buf_adds(out, ",\"evidence\":[");
        for (size_t j = 0; j < c->nevidence && !rc; j++) {
            rc = j ? dg_buf_addc(out, ',') : DG_OK;
            rc = rc ? rc : dg_buf_json_str(out, c->evidence[j]);
        }
        rc = rc ? rc : dg_buf_adds(out, "]}");
    }
    return rc ? rc : dg_buf_adds(out, "]}");
}
