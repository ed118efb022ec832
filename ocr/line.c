/*
 * line.c - reading one crop as lines: the image prepared (gaps collapsed,
 * scaled, padded), read into a line vector, and read again other ways when
 * the reading is doubtful; the most confident reading is kept.
 */
#include <stdlib.h>
#include <string.h>

#include "reading.h"

#define PAD 15 /* white margin added around every crop: Tesseract wants one */

static ocr_line *line_push(line_vec *lv)
{
    if (lv->n == lv->alloc) {
        size_t na = lv->alloc ? lv->alloc * 2 : 64;
        ocr_line *p = realloc(lv->v, na * sizeof *p);
        if (!p)
            return NULL;
        lv->v = p;
        line_key *q = realloc(lv->k, na * sizeof *q);
        if (!q)
            return NULL;
        lv->k = q;
        lv->alloc = na;
    }
    memset(&lv->k[lv->n], 0, sizeof lv->k[0]);
    ocr_line *l = &lv->v[lv->n++];
    memset(l, 0, sizeof *l);
    l->cell = -1;
    return l;
}

void ocr_line_release(ocr_line *l)
{
    for (size_t j = 0; j < l->nwords; j++)
        free(l->words[j].text);
    free(l->words);
    free(l->text);
    if (l->tess) {
        ocr_line_release(l->tess);
        free(l->tess);
    }
}

static int word_push(ocr_line *l, char *text, float conf)
{
    ocr_word *p = realloc(l->words, (l->nwords + 1) * sizeof *p);
    if (!p)
        return DG_ENOMEM;
    l->words = p;
    memset(&p[l->nwords], 0, sizeof *p);
    p[l->nwords].text = text;
    p[l->nwords].conf = conf < 0 ? 0 : conf > 100 ? 100 : conf;
    l->nwords++;
    return DG_OK;
}

static char *iter_text(const TessResultIterator *ri, TessPageIteratorLevel level)
{
    char *raw = TessResultIteratorGetUTF8Text(ri, level);
    char *tidy = ocr_tidy_text(raw ? raw : "");
    TessDeleteText(raw);
    return tidy;
}

/* A point of the padded, scaled, gap-collapsed image back on the page. */
int ocr_map_x(const region *rg, int x)
{
    int c = (int)((x - PAD) / rg->scale + 0.5);
    c = c < 0 ? 0 : c;
    if (rg->xmap && rg->xmap_n > 0)
        c = rg->xmap[c >= rg->xmap_n ? rg->xmap_n - 1 : c];
    return c + rg->ox;
}

static int map_y(const region *rg, int y)
{
    int c = (int)((y - PAD) / rg->scale + 0.5);
    return (c < 0 ? 0 : c) + rg->oy;
}

static int line_open(line_vec *lv, const TessResultIterator *ri, const region *rg, int block,
                     ocr_line **cur)
{
    const TessPageIterator *pi = TessResultIteratorGetPageIteratorConst(ri);
    *cur = line_push(lv);
    if (!*cur)
        return DG_ENOMEM;
    ocr_line *l = *cur;
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &x0, &y0, &x1, &y1);
    int bx0 = ocr_map_x(rg, x0), by0 = map_y(rg, y0), bx1 = ocr_map_x(rg, x1), by1 = map_y(rg, y1);
    l->box = (ocr_box){bx0, by0, bx1 > bx0 ? bx1 - bx0 : 1, by1 > by0 ? by1 - by0 : 1};
    l->text = iter_text(ri, RIL_TEXTLINE);
    l->conf = TessResultIteratorConfidence(ri, RIL_TEXTLINE);
    l->block_no = block;
    l->cell = rg->cell;
    lv->k[lv->n - 1] = rg->key;
    lv->k[lv->n - 1].sub = l->box.y;
    return l->text ? DG_OK : DG_ENOMEM;
}

/* Walk words in reading order, opening a new line at each line start;
 * with per_block, the block number grows by one at each of Tesseract's
 * blocks (its layout's regions, in its reading order). */
static int collect_blocks(TessBaseAPI *api, line_vec *lv, const region *rg, int block,
                          int per_block)
{
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return DG_OK; /* nothing read is not an error */
    const TessPageIterator *pi = TessResultIteratorGetPageIteratorConst(ri);
    ocr_line *cur = NULL;
    int rc = DG_OK;
    block -= per_block != 0;
    do {
        if (per_block && TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
            block++;
        if (!cur || TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
            rc = line_open(lv, ri, rg, block, &cur);
        if (rc)
            break;
        char *w = iter_text(ri, RIL_WORD);
        if (w && *w && word_push(cur, w, TessResultIteratorConfidence(ri, RIL_WORD)) == DG_OK)
            continue;
        rc = w && !*w ? DG_OK : DG_ENOMEM;
        free(w);
        if (rc)
            break;
    } while (TessPageIteratorNext((TessPageIterator *)pi, RIL_WORD));
    TessResultIteratorDelete(ri);
    return rc;
}

static int collect_lines(TessBaseAPI *api, line_vec *lv, const region *rg, int block)
{
    return collect_blocks(api, lv, rg, block, 0);
}

int ocr_empty_text(const char *text)
{
    return !*text;
}

/* The words of l that drop() picks freed and taken out (the text stays). */
void ocr_remove_words(ocr_line *l, int (*drop)(const char *text))
{
    size_t k = 0;
    for (size_t j = 0; j < l->nwords; j++) {
        if (!drop(l->words[j].text))
            l->words[k++] = l->words[j];
        else
            free(l->words[j].text);
    }
    l->nwords = k;
}

/* Read one prepared image (already padded) as lines with api (e's own or
 * its eng engine). */
static int read_image(ocr_engine *e, TessBaseAPI *api, PIX *img, int psm, int dpi,
                      const region *rg, int block, line_vec *lv, dg_err *err)
{
    TessBaseAPISetImage2(api, img);
    TessBaseAPISetSourceResolution(api, dpi);
    TessBaseAPISetPageSegMode(api, (TessPageSegMode)psm);
    size_t n0 = lv->n;
    int rc = ocr_recognize(e, api, img, err);
    if (rc == DG_OK && collect_lines(api, lv, rg, block))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else if (rc == DG_OK)
        ocr_measure_symbols(api, rg, lv, n0);
    TessBaseAPIClear(api);
    return rc;
}

/* Letter-spaced labels (姓　　名, 性　别) confuse the LSTM: blank column
 * runs inside the ink wider than 0.6x the text height are shrunk to 0.25x.
 * Returns the collapsed image (NULL when nothing changes or out of memory)
 * and, per new column, its source column in *xmap (caller frees). */
static PIX *collapse_gaps(PIX *img, PIX *bin, int texth, int **xmap, int *xn)
{
    NUMA *cols = pixCountPixelsByColumn(bin);
    int w = pixGetWidth(img), h = pixGetHeight(img), n = 0;
    int maxgap = texth * 3 / 5, keep = texth / 4 > 2 ? texth / 4 : 2;
    int *src = cols ? malloc((size_t)w * sizeof *src) : NULL;
    for (int x = 0; src && x < w;) {
        l_int32 v = 0;
        numaGetIValue(cols, x, &v);
        int end = x;
        while (!v && end < w) { /* a blank run [x, end) */
            if (++end < w)
                numaGetIValue(cols, end, &v);
        }
        int inner = end > x && x > 0 && end < w, len = end - x;
        int kept = inner && len > maxgap ? keep : len;
        for (int c = 0; c < kept; c++)
            src[n++] = x + c;
        if (end < w)
            src[n++] = end; /* the inked column that ended the run */
        x = end + 1;
    }
    numaDestroy(&cols);
    if (!src || n == w || n < 1) {
        free(src);
        return NULL;
    }
    PIX *out = pixCreate(n, h, pixGetDepth(img));
    for (int i = 0; out && i < n; i++)
        pixRasterop(out, i, 0, 1, h, PIX_SRC, img, src[i], 0);
    if (!out) {
        free(src);
        return NULL;
    }
    *xmap = src;
    *xn = n;
    return out;
}

/* LSTM models read best near these text heights in pixels: chi_sim on Han
 * near a 30-40 px x-height, eng on capitals and digits lower (an ID 45 px
 * tall reads "5867146" at full size, "S867146" at half).  The first Han
 * reading is at 32 px, which alone matched the truth most often (docs/ocr.md,
 * how the cascade was chosen). */
#define TARGET_HAN_H 40.0
#define TARGET_HAN_H_FIRST 32.0
#define TARGET_LATIN_H 28.0

/* Crop -> gap-collapsed, scaled to the target text height, padded. */
static PIX *prepare(PIX *crop, PIX *bincrop, int texth, double target, int collapse, region *rg,
                    int **xmap)
{
    PIX *c = collapse ? collapse_gaps(crop, bincrop, texth, xmap, &rg->xmap_n) : NULL;
    if (!c)
        c = pixClone(crop);
    rg->xmap = *xmap;
    double sc = texth > 0 && target > 0 ? target / texth : 1.0;
    /* target 0: native size */
    double lo = target <= 0 ? 1.0 : 0.4;
    sc = sc < lo ? lo : sc > 3.0 ? 3.0 : sc;
    if (sc > 0.85 && sc < 1.2)
        sc = 1.0;
    PIX *sp = sc != 1.0 && c ? pixScale(c, (l_float32)sc, (l_float32)sc) : pixClone(c);
    pixDestroy(&c);
    rg->scale = sc;
    PIX *p = sp ? pixAddBorder(sp, PAD, pixGetDepth(sp) == 1 ? 0 : 255) : NULL;
    pixDestroy(&sp);
    return p;
}

void ocr_vec_free(line_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        ocr_line_release(&v->v[i]);
    free(v->v);
    free(v->k);
    memset(v, 0, sizeof *v);
}

/* Mean confidence of v's lines with text (only those the page keeps, by
 * ocr_line_floor, when kept_only); -1 when there are none. */
double ocr_mean_conf(const line_vec *v, int kept_only)
{
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i].text && *v->v[i].text &&
            (!kept_only || v->v[i].conf >= ocr_line_floor(&v->v[i]))) {
            sum += v->v[i].conf;
            n++;
        }
    return n ? sum / n : -1;
}

/* Mean line confidence of a reading; -1 when it read nothing. */
double ocr_vec_conf(const line_vec *v)
{
    return ocr_mean_conf(v, 0);
}

static int vec_has_han(const line_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        if (dg_has_han(v->v[i].text))
            return 1;
    return 0;
}

static int vec_has_letters(const line_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        for (const unsigned char *p = (const unsigned char *)v->v[i].text; p && *p; p++)
            if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
                return 1;
    return 0;
}

int ocr_vec_append(line_vec *lv, const ocr_line *l, const line_key *k)
{
    ocr_line *d = line_push(lv);
    if (!d)
        return DG_ENOMEM;
    *d = *l;
    lv->k[lv->n - 1] = *k;
    return DG_OK;
}

int ocr_vec_move(line_vec *dst, line_vec *src)
{
    for (size_t i = 0; i < src->n; i++) {
        ocr_line *l = line_push(dst);
        if (!l)
            return DG_ENOMEM;
        *l = src->v[i];
        dst->k[dst->n - 1] = src->k[i];
    }
    free(src->v);
    free(src->k);
    memset(src, 0, sizeof *src);
    return DG_OK;
}

#define MIXED_SCRIPT_PENALTY 20.0

/* Read img one way; keep the reading when it is more confident than *best.
 * *got (if not NULL) receives this reading's own confidence. */
static int try_variant(ocr_engine *e, TessBaseAPI *api, PIX *img, int psm, int dpi,
                       const region *rg, int block, line_vec *best, double *best_conf,
                       double *got, dg_err *err)
{
    line_vec v = {0};
    int rc = read_image(e, api, img, psm, dpi, rg, block, &v, err);
    double c = ocr_vec_conf(&v);
    /* Han and Latin letters in one reading are noise read both ways
     * (-所业1TN1I可); no value mixes them, so such a reading competes at a
     * discount. */
    if (vec_has_han(&v) && vec_has_letters(&v))
        c -= MIXED_SCRIPT_PENALTY;
    if (got)
        *got = c;
    if (rc == DG_OK && c > *best_conf) {
        if (*best_conf >= 0 || best->n)
            ocr_retry_won(e, -1);
        ocr_vec_free(best);
        *best = v;
        *best_conf = c;
    } else {
        ocr_vec_free(&v);
    }
    return rc;
}

/* A first reading at least this confident is kept by the page outside
 * cells (ocr_line_floor), and may be spared its variants when the plain
 * reading confirms it. */
#define PLAIN_CONFIRMED_CONF 40.0
/* A confident first reading is kept without trying others (speed). */
#define EARLY_CONF 85.0
/* Not a Tesseract mode: PSM 7 on the binary crop instead of the grey one. */
#define PSM_BINARY_LINE 100
/* Not a Tesseract mode: PSM 7 on the grey crop with its dark strokes
 * thickened (3x3 grey erosion).  Faded values print thin, broken strokes
 * (工学硕士 -> [学硕士, 和硕士); thickened they join, and the later variants
 * are often spared. */
#define PSM_THICK_LINE 101
/* Not a Tesseract mode: PSM 7 on the crop of the scan's own grey, smoothed
 * and stretched (ocr_faded_crop). */
#define PSM_FADED_LINE 102

/* Prepare the crop for one target height and read it one way. */
static int try_scaled(ocr_engine *e, TessBaseAPI *api, const crop_in *ci, double target, int psm,
                      region rg, line_vec *best, double *conf, double *got, dg_err *err)
{
    int *xmap = NULL;
    PIX *made = psm == PSM_THICK_LINE   ? pixErodeGray(ci->grey, 3, 3)
                : psm == PSM_FADED_LINE ? ocr_faded_crop(ci)
                                        : NULL;
    PIX *src = psm == PSM_BINARY_LINE ? ci->bin : made ? made : ci->grey;
    psm = psm >= PSM_BINARY_LINE ? PSM_SINGLE_LINE : psm;
    PIX *img = prepare(src, ci->bin, ci->texth, target, 1, &rg, &xmap);
    pixDestroy(&made);
    int rc = img ? try_variant(e, api, img, psm, (int)(ci->dpi * rg.scale), &rg, ci->block, best,
                               conf, got, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
    pixDestroy(&img);
    free(xmap);
    return rc;
}

/* An optional reading of the cascade (a variant, a faded re-read), made
 * when the region's retry budget allows it (ocr_may_retry). */
static int retry_scaled(ocr_engine *e, int step, const crop_in *ci, double target, int psm,
                        const region *rg, line_vec *best, double *conf, dg_err *err)
{
    if (!ocr_may_retry(e, step))
        return DG_OK;
    ocr_retry_begin(e, step);
    int rc = try_scaled(e, e->api, ci, target, psm, *rg, best, conf, NULL, err);
    ocr_retry_end(e);
    return rc;
}

/* One Han character read from ink much narrower than tall: a Han
 * character is about square, a digit is not. */
static int narrow_han(const line_vec *v, PIX *bin)
{
    const char *t = v->n == 1 ? v->v[0].text : NULL;
    size_t len = t ? strlen(t) : 0, i = 0;
    if (!t || !dg_is_han(dg_utf8_next(t, len, &i)) || i != len)
        return 0;
    BOX *fg = NULL;
    pixClipToForeground(bin, NULL, &fg);
    l_int32 w = 0, h = 0;
    if (fg)
        boxGetGeometry(fg, NULL, NULL, &w, &h);
    boxDestroy(&fg);
    return h > 0 && w * 3 < h * 2;
}

static int digits_only(const line_vec *v)
{
    int any = 0;
    for (size_t i = 0; i < v->n; i++)
        for (const char *p = v->v[i].text; p && *p; p++) {
            if (*p < '0' || *p > '9')
                return 0;
            any = 1;
        }
    return any;
}

/* chi_sim reads some lone digits as a Han character (a sequence number 7
 * as 了, 4 as 二): a single character from narrow ink is read by eng too,
 * whose reading wins when it is digits only and more confident. */
static int narrow_digits(ocr_engine *e, const crop_in *ci, const region *rg, line_vec *best,
                         double *conf, dg_err *err)
{
    TessBaseAPI *latin = narrow_han(best, ci->bin) ? ocr_latin_engine(e) : NULL;
    if (!latin || !ocr_may_retry(e, OCR_STEP_VARIANTS))
        return DG_OK;
    line_vec alt = {0};
    double c = -1;
    ocr_retry_begin(e, OCR_STEP_VARIANTS);
    int rc = try_scaled(e, latin, ci, 0, PSM_SINGLE_LINE, *rg, &alt, &c, NULL, err);
    ocr_retry_end(e);
    if (rc == DG_OK && c > *conf && digits_only(&alt)) {
        ocr_retry_won(e, OCR_STEP_VARIANTS);
        ocr_vec_free(best);
        *best = alt;
        *conf = c;
    } else {
        ocr_vec_free(&alt);
    }
    return rc;
}

/* One line of text: PSM 7 on the grey crop at 32 px; when not confident
 * and faded, the crop of the scan's own grey (ocr_faded_crop); when still not
 * confident, the grey with strokes thickened (faded values), then PSM 7 on
 * the binary crop (bold strokes the grey thickens: 名册 -> 和名册;
 * faded values Sauvola keeps sharper), then the grey crop as a block (PSM
 * 6: Tesseract's own line finding leaves out specks above and below the
 * text that PSM 7 reads as characters); then `eng` when what was read holds
 * no Han at all (IDs, numbers).  The most confident reading wins; the order
 * and what was tried and dropped are in docs/ocr.md. */
int ocr_read_line_best(ocr_engine *e, const crop_in *ci, const region *rg, line_vec *lv,
                       dg_err *err)
{
    line_vec best = {0};
    double conf = -1;
    /* Softened twice, the thin strokes of a 1-bit scan are light grey;
     * thickened they read first (else broken nines read as zeros). */
    int first = ci->thinned ? PSM_THICK_LINE : PSM_SINGLE_LINE;
    int second = ci->thinned ? PSM_SINGLE_LINE : PSM_THICK_LINE;
    int rc = try_scaled(e, e->api, ci, TARGET_HAN_H_FIRST, first, *rg, &best, &conf, NULL, err);
    if (rc == DG_OK && conf < FADED_RETRY_CONF && ocr_faded(ci))
        rc = retry_scaled(e, OCR_STEP_FADED, ci, TARGET_HAN_H_FIRST, PSM_FADED_LINE, rg, &best,
                          &conf, err);
    int retry = !ci->one_reading;
    /* a first reading the page's plain reading confirms (a line of running
     * text on a page with no grid), and kept by the page, is not read again */
    if (rc == DG_OK && retry && ci->plain && conf >= PLAIN_CONFIRMED_CONF &&
        ocr_plain_agrees(ci->plain, ci->at, &best))
        retry = 0;
    if (rc == DG_OK && retry && conf < RETRY_CONF && !ci->fed_binary)
        rc = retry_scaled(e, OCR_STEP_VARIANTS, ci, TARGET_HAN_H_FIRST, second, rg, &best, &conf,
                          err);
    if (rc == DG_OK && retry && conf < RETRY_CONF && !ci->fed_binary)
        rc = retry_scaled(e, OCR_STEP_VARIANTS, ci, TARGET_HAN_H, PSM_BINARY_LINE, rg, &best,
                          &conf, err);
    if (rc == DG_OK && retry && conf < RETRY_CONF)
        rc = retry_scaled(e, OCR_STEP_VARIANTS, ci, TARGET_HAN_H, PSM_SINGLE_BLOCK, rg, &best,
                          &conf, err);
    /* Tesseract's line finding sometimes takes a whole clean line for
     * noise (nothing in every mode above); as a raw line (PSM 13), which
     * skips it, the line reads right. */
    if (rc == DG_OK && retry && conf < 0)
        rc = retry_scaled(e, OCR_STEP_VARIANTS, ci, TARGET_HAN_H_FIRST, PSM_RAW_LINE, rg, &best,
                          &conf, err);
    /* chi_sim reads plain numbers (dates, sequence numbers) well: a
     * confident reading without letters is not read again with eng. */
    int sure_digits = conf >= EARLY_CONF && !vec_has_letters(&best);
    TessBaseAPI *latin =
        rc == DG_OK && !vec_has_han(&best) && !sure_digits ? ocr_latin_engine(e) : NULL;
    /* eng on a clean grey crop reads best at the scan's own size, shrunk
     * well below the Latin target only when that reads poorly (an ID eng
     * read 5867146 at full size reads S867146 there).  Whether to shrink
     * depends on how well eng itself read, not on chi_sim.  The first eng
     * reading is the reading of a line without Han, not a retry. */
    double latin_conf = -1;
    if (latin) {
        ocr_step_push(e, OCR_STEP_LATIN);
        rc = try_scaled(e, latin, ci, 0, PSM_SINGLE_LINE, *rg, &best, &conf, &latin_conf, err);
        ocr_step_pop(e);
    }
    if (latin && rc == DG_OK && latin_conf < RETRY_CONF && ocr_may_retry(e, OCR_STEP_VARIANTS)) {
        ocr_retry_begin(e, OCR_STEP_VARIANTS);
        rc = try_scaled(e, latin, ci, TARGET_LATIN_H * 0.7, PSM_SINGLE_LINE, *rg, &best, &conf,
                        NULL, err);
        ocr_retry_end(e);
    }
    if (rc == DG_OK)
        rc = narrow_digits(e, ci, rg, &best, &conf, err);
    if (rc == DG_OK && ocr_vec_move(lv, &best))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    ocr_vec_free(&best);
    return rc;
}

/* Several lines: one block read (PSM 6), at the crop's own scale. */
int ocr_read_block(ocr_engine *e, const crop_in *ci, region rg, line_vec *lv, dg_err *err)
{
    int *xmap = NULL;
    PIX *img = prepare(ci->grey, ci->bin, 0, TARGET_HAN_H, 0, &rg, &xmap);
    int rc = img ? read_image(e, e->api, img, PSM_SINGLE_BLOCK, ci->dpi, &rg, ci->block, lv, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
    pixDestroy(&img);
    free(xmap);
    return rc;
}

/* The whole image read with Tesseract's own page layout (PSM 3), as it is:
 * a white margin added around a photographed page changed which lines the
 * layout found.  The region's offset undoes the margin ocr_map_x takes off
 * (lines within PAD of the left or top edge start at PAD). */
int ocr_read_layout(ocr_engine *e, PIX *img, int dpi, int block0, line_vec *lv, dg_err *err)
{
    region rg = {PAD, PAD, -1, {0}, 1.0, NULL, 0};
    TessBaseAPISetImage2(e->api, img);
    TessBaseAPISetSourceResolution(e->api, dpi);
    TessBaseAPISetPageSegMode(e->api, PSM_AUTO);
    int rc = ocr_recognize(e, e->api, img, err);
    if (rc == DG_OK && collect_blocks(e->api, lv, &rg, block0, 1))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    TessBaseAPIClear(e->api);
    return rc;
}
