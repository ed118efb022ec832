/*
 * recognize.c - running Tesseract on a prepared page image and collecting
 * text lines and words with confidences and boxes in original page pixels.
 */
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "ocr_internal.h"


typedef struct line_vec {
    ocr_line *v;
    size_t n, alloc;
} line_vec;

static ocr_line *line_push(line_vec *lv)
{
    if (lv->n == lv->alloc) {
        size_t na = lv->alloc ? lv->alloc * 2 : 64;
        ocr_line *p = realloc(lv->v, na * sizeof *p);
        if (!p)
            return NULL;
        lv->v = p;
        lv->alloc = na;
    }
    ocr_line *l = &lv->v[lv->n++];
    memset(l, 0, sizeof *l);
    l->cell = -1;
    return l;
}

static int word_push(ocr_line *l, char *text, float conf, ocr_box box)
{
    ocr_word *p = realloc(l->words, (l->nwords + 1) * sizeof *p);
    if (!p)
        return DG_ENOMEM;
    l->words = p;
    p[l->nwords].text = text;
    p[l->nwords].conf = conf < 0 ? 0 : conf > 100 ? 100 : conf;
    p[l->nwords].box = box;
    l->nwords++;
    return DG_OK;
}

static ocr_box iter_box(const TessPageIterator *pi, TessPageIteratorLevel level)
{
    int l = 0, t = 0, r = 0, b = 0;
    TessPageIteratorBoundingBox(pi, level, &l, &t, &r, &b);
    ocr_box box = {l, t, r - l, b - t};
    return box;
}

static char *iter_text(const TessResultIterator *ri, TessPageIteratorLevel level)
{
    char *raw = TessResultIteratorGetUTF8Text(ri, level);
    char *tidy = ocr_tidy_text(raw ? raw : "");
    TessDeleteText(raw);
    return tidy;
}

/* Walk words in reading order, opening a new line at each line start. */
static int collect_lines(TessBaseAPI *api, line_vec *lv, int block_base)
{
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return DG_OK; /* an empty page is not an error */
    const TessPageIterator *pi = TessResultIteratorGetPageIteratorConst(ri);
    int block = block_base;
    ocr_line *cur = NULL;
    int rc = DG_OK;
    do {
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
            block++;
        if (!cur || TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE)) {
            cur = line_push(lv);
            if (!cur) {
                rc = DG_ENOMEM;
                break;
            }
            cur->text = iter_text(ri, RIL_TEXTLINE);
            cur->conf = TessResultIteratorConfidence(ri, RIL_TEXTLINE);
            cur->box = iter_box(pi, RIL_TEXTLINE);
            cur->block_no = block;
        }
        char *w = iter_text(ri, RIL_WORD);
        if (!w || !*w) {
            free(w);
            continue;
        }
        if (word_push(cur, w, TessResultIteratorConfidence(ri, RIL_WORD), iter_box(pi, RIL_WORD))) {
            free(w);
            rc = DG_ENOMEM;
            break;
        }
    } while (TessPageIteratorNext((TessPageIterator *)pi, RIL_WORD));
    TessResultIteratorDelete(ri);
    return rc;
}

int ocr_engine_read(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                    ocr_result **out, dg_err *err)
{
    *out = NULL;
    PIX *pix = ocr_decode_page(data, len, page_index, err);
    if (!pix)
        return DG_EINPUT;
    ocr_result *r = calloc(1, sizeof *r);
    if (!r) {
        pixDestroy(&pix);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    r->width = pixGetWidth(pix);
    r->height = pixGetHeight(pix);
    PIX *grey = pixConvertTo8(pix, 0);
    pixDestroy(&pix);
    TessBaseAPISetImage2(e->api, grey);
    TessBaseAPISetSourceResolution(e->api, 300);
    TessBaseAPISetPageSegMode(e->api, PSM_AUTO);
    line_vec lv = {0};
    int rc = DG_OK;
    if (TessBaseAPIRecognize(e->api, NULL) != 0)
        rc = dg_err_set(err, DG_ERR, "Tesseract failed to recognise page %d", page_index + 1);
    else
        rc = collect_lines(e->api, &lv, -1);
    TessBaseAPIClear(e->api);
    pixDestroy(&grey);
    r->lines = lv.v;
    r->nlines = lv.n;
    double sum = 0;
    for (size_t i = 0; i < lv.n; i++)
        sum += lv.v[i].conf;
    r->mean_conf = lv.n ? sum / (double)lv.n : 0;
    r->cleanup_json = dg_strdup("[]");
    if (rc) {
        ocr_result_free(&r);
        return rc == DG_ENOMEM ? dg_err_set(err, DG_ENOMEM, "out of memory") : rc;
    }
    *out = r;
    return DG_OK;
}
