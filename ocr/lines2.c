/*
 * lines2.c - page lines read again by the second reader (PP-OCRv4, rec2*).
 * Which lines is the settings' choice (<reader2 lines=...> in
 * configs/ocr.xml; measured in docs/reader2.md): none, the lines Tesseract
 * is unsure of, the lines holding Han, or all.  Its reading replaces
 * Tesseract's when it is confident enough, except where Tesseract read a
 * character the second reader's dictionary lacks: that one stays.  Lines
 * of grid cells are left to Tesseract by default: the trust stage reads
 * field values with the second reader as independent evidence, and two
 * readings by one reader would agree by construction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rec2.h"
#include "reading.h"

/* Pieces a long line is cut into fill the model's width up to this share:
 * a cut falls at the faintest column of the piece's last 40%. */
#define PIECE_FILL 0.95
#define CUT_FROM 0.6

/* A reading this much longer than Tesseract's (plus two characters) was
 * cut across more than the line: on a bent or curled page one line's box
 * holds parts of its neighbours, and the second reader reads them all
 * (bench/real: the bent slide photos read worse taking them). */
#define LONGER_READING 1.2

/* Pages whose kept lines' mean Tesseract confidence is under this are left
 * alone (the orientation search's bar for reading a page every way). */
#define LINES2_MIN_PAGE_CONF 40.0

/* The engine's second reader, loaded on first use; NULL when it cannot be
 * (no model files, built without OpenCV dnn): lines stay Tesseract's. */
static ocr_rec2 *reader(ocr_engine *e)
{
    if (e->rec2 || e->rec2_failed)
        return e->rec2;
    char model[4096], dict[4096];
    dg_err err = {0};
    if (ocr_rec2_default_paths(320, model, sizeof model, dict, sizeof dict) != 1 ||
        ocr_rec2_new(model, dict, &e->rec2, &err) != DG_OK) {
        e->rec2 = NULL;
        e->rec2_failed = 1;
    }
    return e->rec2;
}

static int chosen(const ocr_settings *s, const ocr_line *l)
{
    if (!l->text || ocr_empty_text(l->text))
        return 0;
    if (l->cell >= 0 && !s->lines2_cells)
        return 0;
    switch (s->lines2_mode) {
    case OCR_LINES2_ALL:
        return 1;
    case OCR_LINES2_CJK:
        return dg_has_han(l->text);
    case OCR_LINES2_UNSURE:
        return l->conf < s->lines2_below;
    default:
        return 0;
    }
}

/* Ink of column x of an 8 bpp crop: the sum of darkness. */
static long column_ink(PIX *g, int x)
{
    long sum = 0;
    int h = pixGetHeight(g);
    for (int y = 0; y < h; y++) {
        l_uint32 v = 0;
        pixGetPixel(g, x, y, &v);
        sum += 255 - (long)v;
    }
    return sum;
}

/* Append the reading of crop g (8 bpp) to b, cut into pieces the model
 * reads at their own aspect; *psum / *pn gather character probabilities. */
static int read_pieces(ocr_rec2 *r, PIX *g, dg_buf *b, double *psum, int *pn, int *pieces,
                       dg_err *err)
{
    int w = pixGetWidth(g), h = pixGetHeight(g);
    int maxw = (int)(PIECE_FILL * ocr_rec2_width(r) * h / 48.0);
    if (maxw < h)
        maxw = h;
    for (int x0 = 0; x0 < w;) {
        int x1 = w;
        if (w - x0 > maxw) {
            long best = -1;
            for (int x = x0 + (int)(CUT_FROM * maxw); x < x0 + maxw; x++) {
                long ink = column_ink(g, x);
                if (best < 0 || ink < best) {
                    best = ink;
                    x1 = x;
                }
            }
        }
        BOX *bx = boxCreate(x0, 0, x1 - x0, h);
        PIX *piece = bx ? pixClipRectangle(g, bx, NULL) : NULL;
        boxDestroy(&bx);
        if (!piece)
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        ocr_rec2_result res = {0};
        int rc = ocr_rec2_read_pix(r, piece, &res, err);
        pixDestroy(&piece);
        if (rc)
            return rc;
        for (int i = 0; i < res.nchars; i++)
            *psum += res.chars[i].prob;
        *pn += res.nchars;
        ++*pieces;
        rc = dg_buf_adds(b, res.text);
        ocr_rec2_result_free(&res);
        if (rc)
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        x0 = x1;
    }
    return DG_OK;
}

static int space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == 0x3000;
}

/* Code points of s without whitespace; *n receives their count and, when
 * word is given, (*word)[k] the number of the word (whitespace-separated)
 * code point k is in (malloc'd; the caller frees). */
static uint32_t *codepoints_w(const char *s, size_t *n, size_t **word)
{
    size_t len = strlen(s), i = 0, w = 0;
    uint32_t *cp = malloc((len + 1) * sizeof *cp);
    size_t *wd = word ? malloc((len + 1) * sizeof *wd) : NULL;
    *n = 0;
    if (word) {
        *word = wd;
        if (!wd) {
            free(cp);
            return NULL;
        }
    }
    while (cp && i < len) {
        uint32_t c = dg_utf8_next(s, len, &i);
        if (space(c)) {
            w += *n > 0 && wd && wd[*n - 1] == w;
            continue;
        }
        if (wd)
            wd[*n] = w;
        cp[(*n)++] = c;
    }
    return cp;
}

static uint32_t *codepoints(const char *s, size_t *n)
{
    return codepoints_w(s, n, NULL);
}

/* ASCII and its full-width form alike: which width a mark is printed in is
 * for the punctuation filter to measure (filter.c), not for either reader. */
static uint32_t fold_width(uint32_t c)
{
    return c >= 0xFF01 && c <= 0xFF5E ? c - 0xFEE0 : c;
}

static int known(const ocr_rec2 *r, uint32_t c)
{
    char ch[8];
    ch[dg_utf8_put(ch, c)] = '\0';
    return ocr_rec2_knows(r, ch);
}

/* The second reader's text t2 with Tesseract's Han characters put back
 * where they are outside its dictionary (it cannot read those: in their
 * place it reads a look-alike or nothing), aligned by edit distance; and
 * Tesseract's word breaks (t1's spaces) where the alignment puts them:
 * without a rule between its columns, a ledger row is told into columns
 * by its words.  NULL when out of memory. */
char *ocr_lines2_merge(const ocr_rec2 *r, const char *t1, const char *t2)
{
    size_t n1, n2, *wa = NULL;
    uint32_t *a = codepoints_w(t1, &n1, &wa), *b = codepoints(t2, &n2);
    size_t *d = a && b ? malloc((n1 + 1) * (n2 + 1) * sizeof *d) : NULL;
    size_t *revw = d ? malloc((n1 + n2 + 1) * sizeof *revw) : NULL;
    dg_buf out;
    dg_buf_init(&out, 0);
    if (!revw) {
        free(d);
        free(wa);
        free(a);
        free(b);
        return NULL;
    }
#define D(i, j) d[(i) * (n2 + 1) + (j)]
    for (size_t i = 0; i <= n1; i++)
        for (size_t j = 0; j <= n2; j++) {
            if (!i || !j) {
                D(i, j) = i + j;
                continue;
            }
            size_t s = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);
            size_t del = D(i - 1, j) + 1, ins = D(i, j - 1) + 1;
            D(i, j) = s < del ? (s < ins ? s : ins) : (del < ins ? del : ins);
        }
    /* walk back, collecting the merged text reversed */
    uint32_t *rev = malloc((n1 + n2 + 1) * sizeof *rev);
    size_t nr = 0, i = n1, j = n2;
    while (rev && (i || j)) {
        if (i && j && D(i, j) == D(i - 1, j - 1) + (a[i - 1] != b[j - 1])) {
            int keep1 = a[i - 1] != b[j - 1] &&
                        ((ocr_is_cjk(a[i - 1]) && !known(r, a[i - 1])) ||
                         fold_width(a[i - 1]) == fold_width(b[j - 1]));
            revw[nr] = wa[i - 1];
            rev[nr++] = keep1 ? a[i - 1] : b[j - 1];
            i--, j--;
        } else if (i && D(i, j) == D(i - 1, j) + 1) {
            if (ocr_is_cjk(a[i - 1]) && !known(r, a[i - 1])) {
                revw[nr] = wa[i - 1];
                rev[nr++] = a[i - 1];
            }
            i--;
        } else {
            /* a character only the second reader read joins the word of
             * the one before it */
            revw[nr] = i ? wa[i - 1] : 0;
            rev[nr++] = b[j - 1];
            j--;
        }
    }
#undef D
    int rc = rev ? DG_OK : DG_ENOMEM;
    for (size_t k = nr; rc == DG_OK && k > 0; k--) {
        if (k < nr && revw[k - 1] != revw[k])
            rc = dg_buf_addc(&out, ' ');
        if (rc == DG_OK)
            rc = dg_utf8_add(&out, rev[k - 1]);
    }
    free(rev);
    free(revw);
    free(wa);
    free(d);
    free(a);
    free(b);
    if (rc) {
        dg_buf_release(&out);
        return NULL;
    }
    return dg_buf_detach(&out);
}

/* Line l's words replaced by text, a word at each space (their boxes are
 * cut by character count when the page is finished), and its text by
 * line (spaced as Tesseract's line text is); Tesseract's own reading moves
 * to l->tess, which extract reads fields from (ocr.h). */
static int replace_text(ocr_line *l, const char *text, const char *line, float conf)
{
    ocr_line *twin = l->tess ? NULL : malloc(sizeof *twin);
    if (!l->tess && !twin)
        return DG_ENOMEM;
    size_t nw = 0, len = strlen(text);
    for (size_t i = 0; i <= len; i++)
        nw += (i == len || text[i] == ' ') && i > 0 && text[i - 1] != ' ';
    char *tidy = ocr_tidy_text(line);
    ocr_word *w = tidy ? calloc(nw ? nw : 1, sizeof *w) : NULL;
    size_t k = 0;
    for (const char *p = text; w && *p;) {
        size_t span = strcspn(p, " ");
        if (span) {
            w[k].text = strndup(p, span);
            w[k].conf = conf;
            w[k].box = l->box;
            if (!w[k++].text)
                break;
        }
        p += span;
        p += *p == ' ';
    }
    if (!w || k != nw) {
        for (size_t j = 0; w && j < k; j++)
            free(w[j].text);
        free(w);
        free(tidy);
        free(twin);
        return DG_ENOMEM;
    }
    if (twin) {
        *twin = *l;
        l->tess = twin;
    } else {
        for (size_t j = 0; j < l->nwords; j++)
            free(l->words[j].text);
        free(l->words);
        free(l->text);
    }
    l->words = w;
    l->nwords = nw;
    l->text = tidy;
    return DG_OK;
}

/* Line l read by r from img; its text replaced when the reading is
 * confident enough.  *took is set when it was. */
static int read_line(ocr_engine *e, ocr_rec2 *r, PIX *img, ocr_line *l, int *took, int *pieces,
                     dg_err *err)
{
    *took = 0;
    /* a margin as PaddleOCR's detector leaves around a line */
    int my = l->box.h / 8 > 2 ? l->box.h / 8 : 2, mx = l->box.h / 4 > 2 ? l->box.h / 4 : 2;
    int x0 = l->box.x - mx > 0 ? l->box.x - mx : 0, y0 = l->box.y - my > 0 ? l->box.y - my : 0;
    int x1 = l->box.x + l->box.w + mx, y1 = l->box.y + l->box.h + my;
    x1 = x1 < pixGetWidth(img) ? x1 : pixGetWidth(img);
    y1 = y1 < pixGetHeight(img) ? y1 : pixGetHeight(img);
    ocr_box b = {x0, y0, x1 - x0, y1 - y0};
    /* Tesseract's layout reads text turned on its side where it stands (a
     * page photographed sideways) and gives boxes of whole blocks then:
     * no line to cut */
    if (b.w < 4 || b.h < 8 || (l->box.h > l->box.w && ocr_utf8_len(l->text) > 1))
        return DG_OK;
    PIX *crop = ocr_clip(img, b);
    if (!crop)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    dg_buf text;
    dg_buf_init(&text, 0);
    double sum = 0;
    int n = 0;
    int rc = read_pieces(r, crop, &text, &sum, &n, pieces, err);
    pixDestroy(&crop);
    double mean = n ? sum / n : 0;
    size_t n1 = 0, n2 = 0;
    free(codepoints(l->text, &n1));
    free(codepoints(text.data ? text.data : "", &n2));
    if (rc == DG_OK && n && mean >= e->settings->lines2_min_prob &&
        (double)n2 <= LONGER_READING * (double)n1 + 2) {
        /* Tesseract's words carry its word breaks; its text drops them
         * between Han */
        const char *t2 = text.data ? text.data : "";
        char *t1 = l->nwords ? ocr_join_words(l->words, l->nwords) : strdup(l->text);
        char *merged = t1 ? ocr_lines2_merge(r, t1, t2) : NULL;
        char *line = merged ? ocr_lines2_merge(r, l->text, t2) : NULL;
        free(t1);
        rc = line ? replace_text(l, merged, line, (float)(100.0 * mean)) : DG_ENOMEM;
        free(merged);
        free(line);
        if (rc)
            dg_err_set(err, DG_ENOMEM, "out of memory");
        *took = rc == DG_OK;
    }
    dg_buf_release(&text);
    return rc;
}

/* A piece of a line read by the second reader (the model's fixed input,
 * width x 48 pixels) costs about this many times a Tesseract line crop
 * of that size: 55 ms a piece (docs/reader2.md) against 0.5 s a megapixel
 * of crops read by Tesseract (docs/ocr.md, "Budget and timing"). */
#define REC2_WORK 7.0

int ocr_read_lines2(ocr_engine *e, const ocr_page *pg, line_vec *lv, int *nread, int *ntaken,
                    int *npieces, dg_err *err)
{
    *nread = *ntaken = *npieces = 0;
    const ocr_settings *s = e->settings;
    /* a reading this poor is noise, or the page read the wrong way round
     * (the orientation search reads it turned): not worth a second reader
     * (a newspaper photo in vertical print went over the time limit) */
    if (s->lines2_mode == OCR_LINES2_NONE || ocr_mean_conf(lv, 1) < LINES2_MIN_PAGE_CONF)
        return DG_OK;
    size_t any = 0;
    for (size_t i = 0; i < lv->n; i++)
        any += chosen(s, &lv->v[i]) != 0;
    ocr_rec2 *r = any ? reader(e) : NULL;
    if (!r)
        return DG_OK;
    /* every line is cut from the scan's grey as the plain reading sees it:
     * the cleaned grey's background flattening and painted-out specks cost
     * the second reader characters (a drawn blurred note: 6 errors against 12) */
    PIX *plain = ocr_plain_image(pg);
    if (!plain)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int rc = DG_OK;
    for (size_t i = 0; i < lv->n && rc == DG_OK; i++) {
        /* the page's budget of optional work bounds the second reader too */
        if (!chosen(s, &lv->v[i]) || !ocr_may_retry(e, OCR_STEP_READER2))
            continue;
        int took = 0, before = *npieces;
        rc = read_line(e, r, plain, &lv->v[i], &took, npieces, err);
        ocr_charge(e, (double)(*npieces - before) * ocr_rec2_width(r) * 48, REC2_WORK);
        ++*nread;
        *ntaken += took;
        if (rc == DG_OK)
            rc = ocr_check_time(e, err);
    }
    pixDestroy(&plain);
    return rc;
}
