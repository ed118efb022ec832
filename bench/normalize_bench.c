/*
 * normalize_bench.c - single-thread throughput of the normalizers and the
 * discipline matcher on 100k synthetic inputs, against a plain byte-compare
 * baseline (the floor any lookup pays).  Target: matching 100k under 10 s.
 * Usage: normalize_bench [configs-dir] [n]; results go to docs/normalize.md.
 */
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const surnames[] = {"张", "王", "李", "趙", "陳", "单", "曾", "歐陽", "孟", "劉"};
static const char *const given[] = {"三", "红霞", "建國", "晓东", "偉", "明（教授）", "丽", "峯"};
static const char *const dates[] = {"1985年7月", "一九八五年七月", "85.07", "1989.6.9", "１９８５．７",
                                    "八五年七月", "1957.4", "1985-7"};
static const char *const disciplines[] = {
    "计算机软件与理论", "計算機軟件與理論", "计算机软件", "固体力学",     "曰语语言文学",
    "有机化字",         "统计学",           "材料学",     "企业管理专业", "物理电子学与光电子学",
};

typedef struct bench {
    const char *what;
    double secs;
    size_t n;
} bench;

static void report(const bench *b, double base)
{
    printf("%-22s %8zu items %8.3f s %10.0f /s  %6.2f us/item  x%.0f baseline\n", b->what, b->n,
           b->secs, (double)b->n / b->secs, 1e6 * b->secs / (double)b->n, b->secs / base);
}

/* The floor: compare each input with every name in a small table. */
static double baseline(size_t n)
{
    volatile size_t hits = 0;
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        const char *q = disciplines[i % 10];
        for (size_t j = 0; j < 10; j++)
            hits += strcmp(q, disciplines[j]) == 0;
    }
    (void)hits;
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *cfg = argc > 1 ? argv[1] : DANGAN_SOURCE_CONFIG_DIR;
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : 100000;
    char dir[1024], conf_path[1024], name[64];
    snprintf(dir, sizeof dir, "%s/disciplines", cfg);
    snprintf(conf_path, sizeof conf_path, "%s/normalize/matcher.conf", cfg);
    norm_ctx *ctx;
    norm_catalog *cat;
    norm_match_conf conf;
    dg_err err = {0};
    double t0 = now();
    if (norm_ctx_new(cfg, &ctx, &err) || norm_catalog_load(dir, &cat, &err) ||
        norm_match_conf_load(conf_path, &conf, &err)) {
        fprintf(stderr, "normalize_bench: %s\n", err.msg);
        return 1;
    }
    printf("setup (icu + tables + catalog): %.3f s\n", now() - t0);
    double base = baseline(n);
    printf("%-22s %8zu items %8.3f s\n", "baseline byte compare", n, base);
    norm_result r;
    norm_keys k;
    norm_match_result m;
    bench b = {"norm_name", 0, n};
    t0 = now();
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s%s", surnames[i % 10], given[(i / 10) % 8]);
        norm_name(ctx, name, &r, NULL);
        norm_result_release(&r);
    }
    b.secs = now() - t0;
    report(&b, base);
    b = (bench){"norm_name_keys", 0, n};
    t0 = now();
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s%s", surnames[i % 10], given[(i / 10) % 8]);
        norm_name_keys(ctx, name, &k, NULL);
        norm_keys_release(&k);
    }
    b.secs = now() - t0;
    report(&b, base);
    b = (bench){"norm_date", 0, n};
    t0 = now();
    for (size_t i = 0; i < n; i++) {
        norm_date(ctx, dates[i % 8], NULL, &r, NULL);
        norm_result_release(&r);
    }
    b.secs = now() - t0;
    report(&b, base);
    b = (bench){"norm_match", 0, n};
    size_t autos = 0;
    t0 = now();
    for (size_t i = 0; i < n; i++) {
        norm_match_input in = {.name = disciplines[i % 10], .year = 1980 + (int)(i % 20)};
        norm_match(ctx, cat, &conf, &in, &m, NULL);
        autos += m.decision == NORM_AUTO;
        norm_match_result_release(&m);
    }
    b.secs = now() - t0;
    report(&b, base);
    printf("match: %zu auto of %zu; target 100k under 10 s: %s\n", autos, n,
           b.secs * 100000.0 / (double)n < 10.0 ? "met" : "MISSED");
    norm_catalog_free(&cat);
    norm_ctx_free(&ctx);
    return 0;
}
