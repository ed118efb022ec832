/*
 * test_trust.c - the evidence combination: fitting recovers the weights
 * that made the data, fitted p is calibrated where raw confidence is not,
 * and the verification threshold honours the target error rate.
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "testlib.h"

/* A small deterministic generator: tests must not depend on rand(). */
static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/*
 * Synthetic readings shaped like the real failure: Tesseract's confidence
 * is high whether or not the reading is right, while agreement with the
 * second reader and a plausible name carry the signal.
 */
static void make_examples(norm_trust_example *ex, size_t n, uint64_t seed)
{
    static const double truth_w[NORM_TF_COUNT] = {-1.0, 0.3, 2.5, 2.0, -1.5, 0, 0.6, -3.0, 0, 0};
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        double *f = ex[i].f;
        for (int k = 0; k < NORM_TF_COUNT; k++)
            f[k] = 0;
        f[NORM_TF_BIAS] = 1;
        f[NORM_TF_TESS_CONF] = 0.6 + 0.4 * uniform(&s);
        f[NORM_TF_AGREE] = uniform(&s) < 0.6;
        f[NORM_TF_DISAGREE] = !f[NORM_TF_AGREE] && uniform(&s) < 0.7;
        f[NORM_TF_REC2_CONF] = f[NORM_TF_DISAGREE] ? 0 : uniform(&s);
        f[NORM_TF_PRIOR] = 8 * uniform(&s) - 4;
        f[NORM_TF_INVALID] = uniform(&s) < 0.05;
        double p = norm_trust_prob(truth_w, f, NULL);
        ex[i].right = uniform(&s) < p;
    }
}

static void test_fit_recovers(tl_state *t)
{
    enum { N = 20000 };
    norm_trust_example *ex = calloc(N, sizeof *ex);
    make_examples(ex, N, 7);
    double w[NORM_TF_COUNT] = {0};
    CHECK_INT(t, norm_trust_fit(ex, N, 1e-3, w), DG_OK);
    CHECK(t, fabs(w[NORM_TF_AGREE] - 2.0) < 0.3);
    CHECK(t, fabs(w[NORM_TF_DISAGREE] + 1.5) < 0.3);
    CHECK(t, fabs(w[NORM_TF_PRIOR] - 0.6) < 0.1);
    free(ex);
}

/* Fitted p is calibrated on held-out data; raw confidence used as p is not. */
static void test_calibration(tl_state *t)
{
    enum { N = 6000 };
    norm_trust_example *train = calloc(N, sizeof *train), *test = calloc(N, sizeof *test);
    norm_trust_scored *fit = calloc(N, sizeof *fit), *raw = calloc(N, sizeof *raw);
    make_examples(train, N, 11);
    make_examples(test, N, 12);
    double w[NORM_TF_COUNT] = {0};
    CHECK_INT(t, norm_trust_fit(train, N, 1e-2, w), DG_OK);
    for (size_t i = 0; i < N; i++) {
        fit[i].p = norm_trust_prob(w, test[i].f, NULL);
        fit[i].right = raw[i].right = test[i].right;
        raw[i].p = test[i].f[NORM_TF_TESS_CONF];
    }
    norm_trust_bins bf, br;
    norm_trust_reliability(fit, N, &bf);
    norm_trust_reliability(raw, N, &br);
    CHECK(t, bf.ece <= 0.03);
    CHECK(t, br.ece > 0.1);
    /* the verified share at a 1% target is right at least 99% of the time */
    double th = norm_trust_threshold(fit, N, 0.01);
    size_t kept = 0, wrong = 0;
    for (size_t i = 0; i < N; i++)
        if (fit[i].p >= th) {
            kept++;
            wrong += !fit[i].right;
        }
    CHECK(t, kept > N / 10);
    CHECK(t, (double)wrong <= 0.015 * (double)kept);
    free(train);
    free(test);
    free(fit);
    free(raw);
}

static void test_threshold(tl_state *t)
{
    /* Ten right values are not enough evidence for a 1% error rate. */
    norm_trust_scored few[10];
    for (int i = 0; i < 10; i++)
        few[i] = (norm_trust_scored){0.99, 1};
    CHECK(t, norm_trust_threshold(few, 10, 0.01) == 1.0);
    CHECK(t, norm_trust_threshold(few, 10, 0.1) == 0.99);
    /* The gate stops above the first run of errors. */
    norm_trust_scored s[300];
    for (int i = 0; i < 300; i++)
        s[i] = (norm_trust_scored){1.0 - i / 1000.0, i < 250};
    double th = norm_trust_threshold(s, 300, 0.01);
    CHECK(t, th > 0.749 && th < 0.752);
    CHECK(t, norm_trust_threshold(s, 300, 0.001) == 1.0);
    CHECK(t, norm_trust_threshold(NULL, 0, 0.01) == 1.0);
}

/*
 * Calibrated scores shaped like a type's out-of-fold p on the training
 * pages: n values, p falling from 0.9995, each wrong with probability 1 - p.
 */
static void make_scored(norm_trust_scored *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (norm_trust_scored){0.9995 - 0.02 * (double)i / (double)n, 1};
}

/*
 * Two confident misreadings (刘金风 for 刘金凤 at 0.993 on the training
 * pages) must not move the gate far: counting them, the old rule had to
 * climb above them; the expected error of the tail moves by 2/n.
 */
static void test_threshold_stable(tl_state *t)
{
    enum { N = 500 };
    norm_trust_scored a[N + 2], b[N + 2];
    make_scored(a, N);
    for (size_t i = 400; i < N; i += 25)
        a[i].right = 0; /* the errors sit low, where p expects them */
    memcpy(b, a, sizeof a);
    b[N] = (norm_trust_scored){0.9975, 0};
    b[N + 1] = (norm_trust_scored){0.9965, 0};
    double ta = norm_trust_threshold_tail(a, N, 0.005, 0.8);
    double tb = norm_trust_threshold_tail(b, N + 2, 0.005, 0.8);
    CHECK(t, ta < 0.995 && tb < 0.995);
    CHECK(t, fabs(ta - tb) < 0.002);
    /* and the tail under it is as the model says: about 0.5% expected */
    double e = 0;
    size_t m = 0;
    for (size_t i = 0; i < N + 2; i++)
        if (b[i].p >= tb) {
            e += 1 - b[i].p;
            m++;
        }
    CHECK(t, m > 200 && e / (double)m <= 0.005);
}

/*
 * The errors seen overrule the model when they show more than the target:
 * p says 0.1% but one value in fifty was wrong.
 */
static void test_threshold_guard(tl_state *t)
{
    enum { N = 500 };
    norm_trust_scored s[N];
    for (size_t i = 0; i < N; i++)
        s[i] = (norm_trust_scored){0.999 - 1e-6 * (double)i, i % 50 != 7};
    CHECK(t, norm_trust_threshold_tail(s, N, 0.005, 0.8) >= 0.999 - 1e-6 * 60);
    CHECK(t, norm_trust_binom_upper(100, 0, 0.005) == 1.0);
    CHECK(t, fabs(norm_trust_binom_upper(100, 1, 0.005) - (1 - pow(0.995, 100))) < 1e-12);
    CHECK(t, norm_trust_threshold_tail(NULL, 0, 0.005, 0.8) == 1.0);
}

/*
 * Too few misreadings to learn from: 300 values of one type, two of them
 * wrong.  Fitted and scored on the same values, p of the confident ones is
 * near 1 and the old rule opened the gate; out of fold, some fold's fit
 * has seen fewer than three errors, so every value goes to review.
 */
static void test_threshold_too_few(tl_state *t)
{
    enum { N = 300 };
    norm_trust_example ex[N];
    long field[N];
    int fold[N];
    uint64_t r = 3;
    for (size_t i = 0; i < N; i++) {
        memset(&ex[i], 0, sizeof ex[i]);
        ex[i].f[NORM_TF_BIAS] = 1;
        ex[i].f[NORM_TF_TESS_CONF] = 0.5 + 0.5 * uniform(&r);
        ex[i].f[NORM_TF_AGREE] = uniform(&r) < 0.8;
        ex[i].f[NORM_TF_PRIOR] = 4 * ex[i].f[NORM_TF_AGREE];
        ex[i].right = !(i == 10 || i == 200);
        if (!ex[i].right)
            ex[i].f[NORM_TF_TESS_CONF] = 0.5, ex[i].f[NORM_TF_AGREE] = 0, ex[i].f[NORM_TF_PRIOR] = -4;
        field[i] = (long)i;
        fold[i] = (int)(i % 5);
    }
    norm_trust_tcfg cfg = {.target = 0.005, .conf = 0.8, .l2 = 1.0, .nfolds = 5};
    double th = 0;
    size_t n = 1;
    CHECK_INT(t, norm_trust_threshold_cv(ex, field, fold, N, &cfg, &th, NULL, &n), DG_OK);
    CHECK(t, th == 1.0);
    CHECK(t, n == 0);
    /* with enough errors the same call opens the gate */
    for (size_t i = 3; i < N; i += 7) {
        ex[i].right = 0;
        ex[i].f[NORM_TF_TESS_CONF] = 0.5;
        ex[i].f[NORM_TF_AGREE] = 0;
        ex[i].f[NORM_TF_PRIOR] = -4;
    }
    CHECK_INT(t, norm_trust_threshold_cv(ex, field, fold, N, &cfg, &th, NULL, &n), DG_OK);
    CHECK(t, n == N && th < 1.0);
    /* a fold out of range would leave its values unscored */
    norm_trust_scored out[N];
    fold[17] = 5;
    CHECK_INT(t, norm_trust_crossfit(ex, field, fold, N, 5, 1.0, out, &n), DG_EUSAGE);
}

int main(void)
{
    tl_state t = {0};
    test_fit_recovers(&t);
    test_calibration(&t);
    test_threshold(&t);
    test_threshold_stable(&t);
    test_threshold_guard(&t);
    test_threshold_too_few(&t);
    return tl_exit_status(&t, "trust");
}
