/*
 * rec2_bench - the second reader against Tesseract on cut-out field values.
 *
 * usage: rec2_bench CROPS_DIR [--width N] [--lang L] [--models DIR] [--show]
 * CROPS_DIR holds PNG crops and truth.tsv (file, printed, normalized, ...)
 * as bench/rec2/make_crops.py writes them.  Each crop is read alone by the
 * second reader and by Tesseract (--psm 7, one line); prints the share of
 * whole values read exactly (spaces ignored) against the printed and the
 * normalized value, ms a crop, load time, memory, and how the two readers'
 * errors coincide.  Run with OMP_THREAD_LIMIT=1 for Tesseract on one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "ocr.h"
#include "rec2.h"

#define MAX_LINE 4096

typedef struct tally {
    int right, right_norm;
    double ms;
} tally;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Resident memory in MB, from /proc. */
static double rss_mb(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * 4096.0 / (1 << 20);
}

/* s without spaces or line ends, in place. */
static char *squash(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++)
        if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
            *o++ = *p;
    *o = 0;
    return s;
}

static int same(const char *got, const char *want)
{
    char a[MAX_LINE], b[MAX_LINE];
    snprintf(a, sizeof a, "%s", got ? got : "");
    snprintf(b, sizeof b, "%s", want ? want : "");
    return strcmp(squash(a), squash(b)) == 0;
}

static TessBaseAPI *tess_new(const char *lang)
{
    TessBaseAPI *api = TessBaseAPICreate();
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
    if (TessBaseAPIInit3(api, NULL, lang) != 0) {
        TessBaseAPIDelete(api);
        return NULL;
    }
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
    TessBaseAPISetVariable(api, "tessedit_do_invert", "0");
    TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
    return api;
}

static char *tess_read(TessBaseAPI *api, PIX *pix)
{
    TessBaseAPISetImage2(api, pix);
    char *t = TessBaseAPIGetUTF8Text(api);
    char *copy = strdup(t ? t : "");
    TessDeleteText(t);
    return copy;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *lang = "chi_sim", *models = NULL;
    int width = 320, show = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--width") && i + 1 < argc)
            width = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lang") && i + 1 < argc)
            lang = argv[++i];
        else if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--show"))
            show = 1;
        else
            dir = argv[i];
    }
    if (!dir) {
        fprintf(stderr, "usage: rec2_bench CROPS_DIR [--width N] [--lang L] [--models DIR] [--show]\n");
        return 2;
    }
    char model[MAX_LINE], dict[MAX_LINE], path[MAX_LINE], line[MAX_LINE];
    if (models) {
        snprintf(model, sizeof model, "%s/ppocr_rec_v4_w%d.onnx", models, width);
        snprintf(dict, sizeof dict, "%s/ppocr_keys_v1.txt", models);
    } else {
        ocr_rec2_default_paths(width, model, sizeof model, dict, sizeof dict);
    }
    dg_err err = {0};
    double m0 = rss_mb(), t0 = now_ms();
    ocr_rec2 *r = NULL;
    if (ocr_rec2_new(model, dict, &r, &err)) {
        fprintf(stderr, "rec2_bench: %s\n", err.msg);
        return 1;
    }
    double rec2_load = now_ms() - t0, rec2_mem = rss_mb() - m0;
    m0 = rss_mb(), t0 = now_ms();
    TessBaseAPI *api = tess_new(lang);
    if (!api) {
        fprintf(stderr, "rec2_bench: Tesseract cannot load '%s'\n", lang);
        return 1;
    }
    double tess_load = now_ms() - t0, tess_mem = rss_mb() - m0;

    snprintf(path, sizeof path, "%s/truth.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "rec2_bench: cannot open %s\n", path);
        return 1;
    }
    tally rt = {0}, tt = {0};
    int n = 0, agree = 0, agree_right = 0, both_wrong = 0, conf90 = 0, conf90_right = 0,
        squeezed = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *file = strtok(line, "\t"), *printed = strtok(NULL, "\t");
        char *norm = strtok(NULL, "\t");
        if (!file || !printed)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, file);
        PIX *pix = pixRead(path);
        if (!pix) {
            fprintf(stderr, "rec2_bench: cannot read %s\n", path);
            continue;
        }
        ocr_rec2_result res;
        t0 = now_ms();
        if (ocr_rec2_read_pix(r, pix, &res, &err)) {
            fprintf(stderr, "rec2_bench: %s: %s\n", file, err.msg);
            pixDestroy(&pix);
            continue;
        }
        rt.ms += now_ms() - t0;
        t0 = now_ms();
        char *tess = tess_read(api, pix);
        tt.ms += now_ms() - t0;
        int rr = same(res.text, printed), tr = same(tess, printed);
        rt.right += rr;
        tt.right += tr;
        rt.right_norm += same(res.text, norm);
        tt.right_norm += same(tess, norm);
        squeezed += res.squeeze > 1;
        if (res.nchars && res.conf >= 0.9f) {
            conf90++;
            conf90_right += rr;
        }
        if (same(res.text, tess)) {
            agree++;
            agree_right += rr;
        }
        both_wrong += !rr && !tr;
        if (show)
            printf("%s\t%s\t%s %.2f\t%s\n", file, printed, res.text, res.conf, squash(tess));
        n++;
        free(tess);
        ocr_rec2_result_free(&res);
        pixDestroy(&pix);
    }
    fclose(f);
    if (!n) {
        fprintf(stderr, "rec2_bench: no crops\n");
        return 1;
    }
    printf("crops: %d  (second reader at width %d; %d squeezed)\n", n, width, squeezed);
    printf("%-24s %9s %11s %9s %9s %8s\n", "reader", "exact", "normalized", "ms/crop", "load ms",
           "mem MB");
    printf("%-24s %8.1f%% %10.1f%% %9.1f %9.0f %8.0f\n", "PP-OCRv4 (rec2)", 100.0 * rt.right / n,
           100.0 * rt.right_norm / n, rt.ms / n, rec2_load, rec2_mem);
    char tname[64];
    snprintf(tname, sizeof tname, "Tesseract %s psm 7", lang);
    printf("%-24s %8.1f%% %10.1f%% %9.1f %9.0f %8.0f\n", tname, 100.0 * tt.right / n,
           100.0 * tt.right_norm / n, tt.ms / n, tess_load, tess_mem);
    printf("rec2 conf >= 0.9: %d crops, %.1f%% exact\n", conf90,
           conf90 ? 100.0 * conf90_right / conf90 : 0.0);
    printf("readers agree: %d crops, %.1f%% of them exact; both wrong: %d\n", agree,
           agree ? 100.0 * agree_right / agree : 0.0, both_wrong);
    ocr_rec2_free(&r);
    TessBaseAPIEnd(api);
    TessBaseAPIDelete(api);
    return 0;
}
