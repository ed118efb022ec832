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
    "source_agree", "source_differ", "code_year",
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
