/*
 * trust_cv - how each rule for the verification threshold does on the
 * training pages themselves, by cross-validation over pages (docs/trust.md).
 *
 *   dangan --db train.db eval --truth DIR --trust-examples ex.tsv
 *   build/bench/trust_cv ex.tsv [target [confidence]]
 *
 * Per value type and rule: the fit (weights and threshold) is made on four
 * fifths of the pages and judged on the fifth it did not see, five times:
 * the held-out values verified and the wrong among them; then the threshold
 * of fits that each leave a different tenth of the pages out (its range is
 * how far the rule swings between similar page sets).  Only the training
 * pages are read: the samples and drawn test pages stay for measuring.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldkeys.h"
#include "normalize.h"

typedef struct set {
    norm_trust_example *ex;
    long *field, *page;
    size_t n;
} set;

enum { RULE_OLD_IN, RULE_OLD_OOF, RULE_COUNT_UCB, RULE_NEW, RULE_NEW_C5, RULE_NEW_C95, NRULES };
static const char *const rule_names[NRULES] = {
    "old: count+1, in-sample p", "old: count+1, out-of-fold p", "count UCB alone, out-of-fold",
    "new: mean(1-p) + guard c",  "new, guard c=0.5",          "new, guard c=0.95",
};

static unsigned mix(long page, unsigned salt)
{
    unsigned x = (unsigned)page * 2654435761u ^ salt;
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    return x ^ (x >> 15);
}

/* the fold arc_trust_fit gives a page (eval_trust.c) */
static int fit_fold(long page)
{
    unsigned long x = (unsigned long)page * 2654435761u;
    x ^= x >> 13;
    return (int)(x % 5);
}

static int by_p_desc(const void *a, const void *b)
{
    double x = ((const norm_trust_scored *)a)->p, y = ((const norm_trust_scored *)b)->p;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The lowest p whose tail's one-sided Clopper-Pearson upper bound (conf) of
 * the error is at most target: the count alone must prove the target. */
static double count_ucb(norm_trust_scored *s, size_t n, double target, double conf)
{
    qsort(s, n, sizeof *s, by_p_desc);
    double best = 1.0;
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        wrong += !s[i].right;
        if (i + 1 < n && s[i + 1].p == s[i].p)
            continue;
        /* upper bound <= target  <=>  P(X <= wrong | n, target) <= 1 - conf */
        if (1 - norm_trust_binom_upper(i + 1, wrong + 1, target) <= 1 - conf)
            best = s[i].p;
    }
    return best;
}

static size_t top(const set *s, const char *use, const double *w, norm_trust_scored *out)
{
    size_t n = 0;
    long last = -1;
    for (size_t i = 0; i < s->n; i++) {
        if (!use[i])
            continue;
        double p = norm_trust_prob(w, s->ex[i].f, NULL);
        if (n && s->field[i] == last) {
            if (p > out[n - 1].p)
                out[n - 1] = (norm_trust_scored){p, s->ex[i].right};
        } else {
            out[n++] = (norm_trust_scored){p, s->ex[i].right};
        }
        last = s->field[i];
    }
    return n;
}

/* The whole fit on the examples in use[]: weights into w, the threshold returned. */
static double fit(const set *s, const char *use, int rule, double target, double conf,
                  double w[NORM_TF_COUNT])
{
    size_t m = 0;
    norm_trust_example *ex = malloc(s->n * sizeof *ex);
    long *fl = malloc(s->n * sizeof *fl);
    int *fo = malloc(s->n * sizeof *fo);
    norm_trust_scored *sc = malloc(s->n * sizeof *sc);
    if (!ex || !fl || !fo || !sc) {
        fprintf(stderr, "trust_cv: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < s->n; i++)
        if (use[i]) {
            ex[m] = s->ex[i];
            fl[m] = s->field[i];
            fo[m++] = fit_fold(s->page[i]);
        }
    memset(w, 0, NORM_TF_COUNT * sizeof *w);
    double th = 1.0;
    size_t k = 0;
    if (norm_trust_fit(ex, m, 1.0, w) == DG_OK) {
        norm_trust_tcfg cfg = {.target = target, .conf = conf, .l2 = 1.0, .nfolds = 5};
        if (rule == RULE_OLD_IN) {
            k = top(s, use, w, sc);
            th = norm_trust_threshold(sc, k, target);
        } else if (rule == RULE_NEW || rule == RULE_NEW_C5 || rule == RULE_NEW_C95) {
            cfg.conf = rule == RULE_NEW ? conf : rule == RULE_NEW_C5 ? 0.5 : 0.95;
            norm_trust_threshold_cv(ex, fl, fo, m, &cfg, &th, sc, &k);
        } else if (norm_trust_crossfit(ex, fl, fo, m, 5, 1.0, sc, &k) == DG_OK) {
            th = rule == RULE_OLD_OOF ? norm_trust_threshold(sc, k, target)
                                      : count_ucb(sc, k, target, conf);
        }
    }
    free(ex);
    free(fl);
    free(fo);
    free(sc);
    return th;
}

static int add(set *s, size_t *cap, const double *f, int right, long field, long page)
{
    if (s->n == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        norm_trust_example *e = realloc(s->ex, *cap * sizeof *e);
        long *fl = e ? realloc(s->field, *cap * sizeof *fl) : NULL;
        if (e)
            s->ex = e;
        if (fl)
            s->field = fl;
        long *pg = fl ? realloc(s->page, *cap * sizeof *pg) : NULL;
        if (!pg)
            return -1;
        s->page = pg;
    }
    memcpy(s->ex[s->n].f, f, sizeof s->ex[s->n].f);
    s->ex[s->n].right = right;
    s->field[s->n] = field;
    s->page[s->n++] = page;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: trust_cv EXAMPLES.tsv [target [confidence]]\n");
        return 2;
    }
    double target = argc > 2 ? atof(argv[2]) : 0.005, conf = argc > 3 ? atof(argv[3]) : 0.8;
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        fprintf(stderr, "trust_cv: cannot read %s\n", argv[1]);
        return 1;
    }
    set sets[DG_VT_COUNT];
    size_t cap[DG_VT_COUNT] = {0};
    memset(sets, 0, sizeof sets);
    char line[4096];
    if (!fgets(line, sizeof line, in)) /* the header */
        return 1;
    while (fgets(line, sizeof line, in)) {
        char *tok = strtok(line, "\t\n");
        int t = tok ? dg_vtype_find(tok) : -1;
        double v[3 + NORM_TF_COUNT];
        int k = 0;
        while (k < 3 + NORM_TF_COUNT && (tok = strtok(NULL, "\t\n")))
            v[k++] = atof(tok);
        if (t < 0 || k != 3 + NORM_TF_COUNT)
            continue;
        if (add(&sets[t], &cap[t], v + 3, v[2] != 0, (long)v[0], (long)v[1])) {
            fprintf(stderr, "trust_cv: out of memory\n");
            return 1;
        }
    }
    fclose(in);
    printf("target %g, confidence %g; held out: 5 folds of pages; swing: 10 fits leaving a "
           "tenth of the pages out\n",
           target, conf);
    long tot_v[NRULES] = {0}, tot_w[NRULES] = {0}, tot_n = 0;
    for (int t = 0; t < DG_VT_COUNT; t++) {
        const set *s = &sets[t];
        if (!s->n)
            continue;
        char *use = malloc(s->n), *held = malloc(s->n);
        norm_trust_scored *sc = malloc(s->n * sizeof *sc);
        if (!use || !held || !sc)
            return 1;
        printf("%s (%zu candidates)\n", dg_vtype_names[t], s->n);
        for (int r = 0; r < NRULES; r++) {
            double w[NORM_TF_COUNT], lo = 1, hi = 0;
            long ver = 0, wrong = 0, n = 0;
            for (int f = 0; f < 5; f++) {
                for (size_t i = 0; i < s->n; i++) {
                    held[i] = mix(s->page[i], 1234) % 5 == (unsigned)f;
                    use[i] = !held[i];
                }
                double th = fit(s, use, r, target, conf, w);
                size_t k = top(s, held, w, sc);
                for (size_t i = 0; i < k; i++) {
                    n++;
                    if (th < 1.0 && sc[i].p >= th) { /* 1: always reviewed */
                        ver++;
                        wrong += !sc[i].right;
                    }
                }
            }
            for (int f = 0; f < 10; f++) {
                for (size_t i = 0; i < s->n; i++)
                    use[i] = mix(s->page[i], 999) % 10 != (unsigned)f;
                double th = fit(s, use, r, target, conf, w);
                lo = fmin(lo, th);
                hi = fmax(hi, th);
            }
            printf("  %-30s held out: verified %4ld of %4ld (%3.0f%%), wrong %2ld (%.2f%%); "
                   "threshold %.3f-%.3f\n",
                   rule_names[r], ver, n, 100.0 * (double)ver / (double)n, wrong,
                   ver ? 100.0 * (double)wrong / (double)ver : 0, lo, hi);
            tot_v[r] += ver;
            tot_w[r] += wrong;
            if (r == 0)
                tot_n += n;
        }
        free(use);
        free(held);
        free(sc);
    }
    printf("all types\n");
    for (int r = 0; r < NRULES; r++)
        printf("  %-30s held out: verified %4ld of %4ld (%3.0f%%), wrong %2ld (%.2f%%)\n",
               rule_names[r], tot_v[r], tot_n, 100.0 * (double)tot_v[r] / (double)tot_n,
               tot_w[r], tot_v[r] ? 100.0 * (double)tot_w[r] / (double)tot_v[r] : 0);
    for (int t = 0; t < DG_VT_COUNT; t++) {
        free(sets[t].ex);
        free(sets[t].field);
        free(sets[t].page);
    }
    return 0;
}
