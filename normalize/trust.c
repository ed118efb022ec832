/*
 * trust.c - one probability per value, p(right), from its evidence.
 *
 * Each candidate value of a field is described by a few features (how
 * confident each reader was, whether the readers agree, how plausible the
 * value is as a name, whether its normalizer accepted it, whether the column
 * around it agrees).  A logistic model per value kind turns them into p;
 * its weights are fitted on pages with truth (norm_trust_fit) rather than
 * chosen by hand, and the verification threshold of a kind is the lowest p
 * at which the fitted pages' error among values above it stays under the
 * target error rate.  Raw OCR confidence alone is not a probability: the
 * fit is what makes p mean "share right".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

const char *const norm_trust_feature_names[NORM_TF_COUNT] = {
    "bias",    "tess_conf", "rec2_conf", "agree",  "disagree",
    "no_rec2", "prior",     "invalid",   "column", "flagged", "key_rate",
    "source_agree", "source_differ", "code_year", "catalog", "part", "agree3", "differ3",
};

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

double norm_trust_logit(const double w[NORM_TF_COUNT], const double f[NORM_TF_COUNT],
                        double contrib[NORM_TF_COUNT])
{
    double z = 0;
    for (int i = 0; i < NORM_TF_COUNT; i++) {
        double c = w[i] * f[i];
        if (contrib)
            contrib[i] = c;
        z += c;
    }
    return z;
}

double norm_trust_prob(const double w[NORM_TF_COUNT], const double f[NORM_TF_COUNT],
                       double contrib[NORM_TF_COUNT])
{
    return sigmoid(norm_trust_logit(w, f, contrib));
}

/* Solve the symmetric positive definite system A x = b (n x n, row-major)
 * by Cholesky; A is overwritten.  Returns 0, or -1 when A is not positive
 * definite (the caller keeps its previous weights). */
static int solve_spd(double *a, double *b, int n)
{
    for (int j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (int k = 0; k < j; k++)
            d -= a[j * n + k] * a[j * n + k];
        if (d <= 1e-12)
            return -1;
        d = sqrt(d);
        a[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (int k = 0; k < j; k++)
                s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / d;
        }
    }
    for (int i = 0; i < n; i++) { /* L y = b */
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= a[i * n + k] * b[k];
        b[i] = s / a[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) { /* L^T x = y */
        double s = b[i];
        for (int k = i + 1; k < n; k++)
            s -= a[k * n + i] * b[k];
        b[i] = s / a[i * n + i];
    }
    return 0;
}

/*
 * L2-regularised logistic regression by Newton's method (IRLS): a few
 * dozen examples per kind are enough for ten weights, and Newton converges
 * in a handful of steps without a learning rate to tune.  The bias is not
 * shrunk, so a kind with no other evidence still gets its base rate.
 */
int norm_trust_fit(const norm_trust_example *ex, size_t n, double l2, double w[NORM_TF_COUNT])
{
    enum { D = NORM_TF_COUNT };
    if (!ex || !n)
        return DG_EUSAGE;
    double a[D * D], g[D];
    for (int iter = 0; iter < 50; iter++) {
        memset(a, 0, sizeof a);
        memset(g, 0, sizeof g);
        for (size_t e = 0; e < n; e++) {
            double p = norm_trust_prob(w, ex[e].f, NULL);
            double r = p * (1 - p), y = ex[e].right ? 1.0 : 0.0;
            for (int i = 0; i < D; i++) {
                g[i] += (p - y) * ex[e].f[i];
                for (int j = 0; j <= i; j++)
                    a[i * D + j] += r * ex[e].f[i] * ex[e].f[j];
            }
        }
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < i; j++)
                a[j * D + i] = a[i * D + j];
            double reg = i == NORM_TF_BIAS ? 1e-6 : l2;
            a[i * D + i] += reg;
            g[i] += reg * w[i];
        }
        if (solve_spd(a, g, D))
            return DG_ERR;
        double step = 0;
        for (int i = 0; i < D; i++) {
            w[i] -= g[i];
            step = fmax(step, fabs(g[i]));
        }
        if (step < 1e-8)
            break;
    }
    return DG_OK;
}

static int by_p_desc(const void *a, const void *b)
{
    double x = ((const norm_trust_scored *)a)->p, y = ((const norm_trust_scored *)b)->p;
    return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The lowest p whose values, taken from the most probable down, keep the
 * observed error at or under target.  The error is counted with one extra
 * wrong value (a rule of succession), so a handful of values that happen to
 * be all right does not open the gate: with few examples the threshold stays
 * high.  Returns 1.0 (nothing verified unseen) when no prefix qualifies.
 */
double norm_trust_threshold(norm_trust_scored *s, size_t n, double target)
{
    if (!s || !n)
        return 1.0;
    qsort(s, n, sizeof *s, by_p_desc);
    double best = 1.0;
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        wrong += s[i].right ? 0 : 1;
        /* a threshold must not split values of equal p */
        if (i + 1 < n && s[i + 1].p == s[i].p)
            continue;
        double err = (double)(wrong + 1) / (double)(i + 2);
        if (err <= target)
            best = s[i].p;
    }
    return best;
}

void norm_trust_reliability(const norm_trust_scored *s, size_t n, norm_trust_bins *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        int b = (int)(s[i].p * NORM_TRUST_BINS);
        if (b >= NORM_TRUST_BINS)
            b = NORM_TRUST_BINS - 1;
        if (b < 0)
            b = 0;
        out->count[b]++;
        out->right[b] += s[i].right ? 1 : 0;
        out->p_sum[b] += s[i].p;
    }
    double ece = 0;
    for (int b = 0; b < NORM_TRUST_BINS; b++)
        if (out->count[b])
            ece += fabs(out->p_sum[b] - (double)out->right[b]);
    out->n = n;
    out->ece = n ? ece / (double)n : 0;
}

double norm_trust_binom_upper(size_t n, size_t k, double q)
{
    if (k == 0)
        return 1.0;
    if (k > n || q <= 0)
        return 0.0;
    if (q >= 1)
        return 1.0;
    /* 1 - P(X < k), the pmf stepped up in logs so large n does not underflow */
    double lp = (double)n * log1p(-q), lq = log(q) - log1p(-q), below = 0;
    for (size_t j = 0; j < k; j++) {
        below += exp(lp);
        lp += log((double)(n - j)) - log((double)(j + 1)) + lq;
    }
    return below >= 1 ? 0.0 : 1.0 - below;
}

/*
 * Why not count errors alone (norm_trust_threshold): at a target of 0.5%
 * a type's tail holds a few hundred values, so the count moves by a fifth
 * of the target with each wrong value, and two confident misreadings
 * decide where the gate sits.  The model's own p, cross-fitted so that it
 * is not optimistic, predicts the tail's error from every value in it; the
 * count is kept as a check that overrules the prediction only when it
 * contradicts it at confidence conf.  No minimum tail: demanding that the
 * count alone prove 0.5% at 80% takes 322 error-free values, which closed
 * codes and sequence numbers on the training pages, where this rule
 * verified 342 of 449 held-out sequence numbers with no error
 * (docs/trust.md, bench/trust_cv).
 */
double norm_trust_threshold_tail(norm_trust_scored *s, size_t n, double target, double conf)
{
    if (!s || !n || !(target > 0 && target < 1) || !(conf > 0 && conf < 1))
        return 1.0;
    qsort(s, n, sizeof *s, by_p_desc);
    double expected = 0, best = 1.0;
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        expected += 1 - s[i].p;
        wrong += s[i].right ? 0 : 1;
        if (i + 1 < n && s[i + 1].p == s[i].p)
            continue; /* a threshold must not split values of equal p */
        double m = (double)(i + 1);
        /* mean(1 - p) only grows going down the sorted list */
        if (expected / m > target)
            break;
        if (norm_trust_binom_upper(i + 1, wrong, target) < 1 - conf)
            continue; /* the errors seen show more than target: not here */
        best = s[i].p;
    }
    return best;
}

int norm_trust_crossfit(const norm_trust_example *ex, const long *field, const int *fold,
                        size_t n, int nfolds, double l2, norm_trust_scored *out, size_t *nout)
{
    *nout = 0;
    if (!ex || !field || !fold || !out || !n || nfolds < 2)
        return DG_EUSAGE;
    for (size_t i = 0; i < n; i++)
        if (fold[i] < 0 || fold[i] >= nfolds)
            return DG_EUSAGE; /* its value would never be scored */
    norm_trust_example *train = malloc(n * sizeof *train);
    double *p = malloc(n * sizeof *p);
    int rc = train && p ? DG_OK : DG_ENOMEM;
    for (int k = 0; k < nfolds && !rc; k++) {
        size_t m = 0, held = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] != k)
                train[m++] = ex[i];
            else
                held++;
        }
        if (!held)
            continue;
        size_t right = 0;
        for (size_t i = 0; i < m; i++)
            right += train[i].right != 0;
        double w[NORM_TF_COUNT] = {0};
        if (right < NORM_TRUST_MIN_EACH || m - right < NORM_TRUST_MIN_EACH ||
            norm_trust_fit(train, m, l2, w)) {
            rc = DG_ERR;
            break;
        }
        for (size_t i = 0; i < n; i++)
            if (fold[i] == k)
                p[i] = norm_trust_prob(w, ex[i].f, NULL);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (*nout && field[i] == field[i - 1]) {
            if (p[i] > out[*nout - 1].p)
                out[*nout - 1] = (norm_trust_scored){p[i], ex[i].right};
        } else {
            out[(*nout)++] = (norm_trust_scored){p[i], ex[i].right};
        }
    }
    free(train);
    free(p);
    return rc;
}

int norm_trust_threshold_cv(const norm_trust_example *ex, const long *field, const int *fold,
                            size_t n, const norm_trust_tcfg *cfg, double *th,
                            norm_trust_scored *out, size_t *nout)
{
    *th = 1.0;
    size_t k = 0;
    if (nout)
        *nout = 0;
    if (!cfg || !n)
        return DG_EUSAGE;
    norm_trust_scored *sc = out ? out : malloc(n * sizeof *sc);
    if (!sc)
        return DG_ENOMEM;
    int rc = norm_trust_crossfit(ex, field, fold, n, cfg->nfolds, cfg->l2, sc, &k);
    if (rc == DG_ERR) {
        rc = DG_OK; /* too few to fit: the threshold stays 1 */
        k = 0;
    } else if (!rc) {
        *th = norm_trust_threshold_tail(sc, k, cfg->target, cfg->conf);
    }
    if (nout)
        *nout = k;
    if (!out)
        free(sc);
    return rc;
}
