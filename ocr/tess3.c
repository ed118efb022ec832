/*
 * tess3.c - the third reader: Tesseract with tessdata's 4.0.0 chi_sim model
 * (LSTM only) over field boxes.  A different network from the page
 * reader's (Debian's fast chi_sim) and from PP-OCRv4, so where it reads a
 * name the other two agree on, that is a third independent opinion, and
 * where they disagree it can side with one (docs/trust.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "ocr.h"
#include "ocr_internal.h"
#include "rec2.h"

#define TESS3_SUB "tessdata-4.0.0"
#define TESS3_FILE "chi_sim.traineddata"

struct ocr_tess3 {
    TessBaseAPI *api;
};

int ocr_tess3_default_dir(char *dir, size_t n)
{
    const char *dirs[3];
    int k = ocr_models_dirs(dirs);
    char file[4200];
    for (int i = 0; i < k; i++) {
        int a = snprintf(dir, n, "%s/" TESS3_SUB, dirs[i]);
        if (a < 0 || (size_t)a >= n)
            return -1;
        snprintf(file, sizeof file, "%s/" TESS3_FILE, dir);
        if (access(file, R_OK) == 0)
            return 1;
    }
    int a = snprintf(dir, n, "%s/" TESS3_SUB, dirs[0]);
    return a < 0 || (size_t)a >= n ? -1 : 0;
}

int ocr_tess3_available(void)
{
    char dir[4096];
    return ocr_tess3_default_dir(dir, sizeof dir) == 1;
}

int ocr_tess3_new(const char *dir, ocr_tess3 **out, dg_err *err)
{
    *out = NULL;
    char file[4200];
    snprintf(file, sizeof file, "%s/" TESS3_FILE, dir ? dir : "");
    if (!dir || access(file, R_OK) != 0)
        return dg_err_set(err, DG_ENOTFOUND,
                          "third reader's model '%s' not found (run tools/fetch-models.sh)", file);
    ocr_tess3 *t = calloc(1, sizeof *t);
    if (!t)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int failed = 1;
    t->api = ocr_tess_create_at(dir, "chi_sim", 1, &failed);
    if (!t->api || failed) {
        int nomem = !t->api;
        ocr_tess3_free(&t);
        return nomem ? dg_err_set(err, DG_ENOMEM, "out of memory loading '%s'", file)
                     : dg_err_set(err, DG_EINPUT, "Tesseract cannot load '%s'", file);
    }
    TessBaseAPISetPageSegMode(t->api, PSM_SINGLE_LINE); /* a field box holds one line */
    *out = t;
    return DG_OK;
}

void ocr_tess3_free(ocr_tess3 **t)
{
    if (!t || !*t)
        return;
    if ((*t)->api) {
        TessBaseAPIEnd((*t)->api);
        TessBaseAPIDelete((*t)->api);
    }
    free(*t);
    *t = NULL;
}

void ocr_tess3_result_free(ocr_tess3_result *r)
{
    if (!r)
        return;
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* s without ASCII whitespace (Tesseract spaces out Han characters). */
static char *squeeze(const char *s)
{
    size_t n = s ? strlen(s) : 0, k = 0;
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            o[k++] = s[i];
    o[k] = '\0';
    return o;
}

static int read_box(ocr_tess3 *t, PIX *page, ocr_box b, ocr_tess3_result *out)
{
    int empty;
    PIX *grey = ocr_field_crop(page, b, &empty);
    if (empty) {
        out->text = calloc(1, 1);
        return out->text ? DG_OK : DG_ENOMEM;
    }
    if (!grey)
        return DG_ENOMEM;
    TessBaseAPISetImage2(t->api, grey);
    char *txt = TessBaseAPIGetUTF8Text(t->api);
    int conf = txt ? TessBaseAPIMeanTextConf(t->api) : 0;
    TessBaseAPIClear(t->api);
    pixDestroy(&grey);
    out->text = squeeze(txt ? txt : "");
    TessDeleteText(txt);
    out->conf = out->text && *out->text ? (float)(conf < 0 ? 0 : conf > 100 ? 100 : conf) / 100.f
                                        : 0.f;
    return out->text ? DG_OK : DG_ENOMEM;
}

int ocr_tess3_read_boxes(ocr_tess3 *t, const unsigned char *data, size_t len, int page_index,
                         const ocr_box *boxes, size_t n, ocr_tess3_result *out, dg_err *err)
{
    memset(out, 0, n * sizeof *out);
    ocr_quiet_leptonica();
    PIX *page = ocr_decode_page(data, len, page_index, err);
    if (!page)
        return DG_EINPUT;
    int rc = DG_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = read_box(t, page, boxes[i], &out[i]);
    pixDestroy(&page);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            ocr_tess3_result_free(&out[i]);
        dg_err_set(err, rc, "out of memory reading page %d", page_index);
    }
    return rc;
}
