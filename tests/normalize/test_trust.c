/*
 * test_trust.c - the evidence combination: fitting recovers the weights
 * that made the data, fitted p is calibrated where raw confidence is not,
 * and the verification threshold honours the target error rate.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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

int main(void)
{
    tl_state t = {0};
    test_fit_recovers(&t);
    test_calibration(&t);
    test_threshold(&t);
    return tl_exit_status(&t, "trust");
}
