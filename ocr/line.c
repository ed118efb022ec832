/*
 * recognize.c - reading a cleaned page.  Where the page has a table grid,
 * each cell is cut out (inset from its rules, trimmed to its ink) and read
 * alone as one line (PSM 7) or a small block (PSM 6); the rest of the page
 * (titles, headers, footers, or a page with no grid at all) is split into
 * phrases (ink without specks, closed along the line) and each read as a
 * line.  Tesseract's
 * own page layout is not used: on forms it drops label columns.  All boxes
 * leave through geom.c in the original scan's pixels; word boxes are cut
 * from their line box by character count, because chi_sim word boxes are
 * unreliable (PLATFORM.md).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"

#define PAD 15 /* white margin added around every crop: Tesseract wants one */

typedef struct line_key {
    int side;        /* page of a spread, left to right (order_lines sets it) */
    int top, x, sub; /* band top (cell top for cell lines), x, order inside */
    /* and what reading the line measured for its text filters: */
    int narrow_parens; /* its opening parentheses are set half width */
} line_key;

typedef struct line_vec {
    ocr_line *v;
    line_key *k;
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

static void line_release(ocr_line *l)
{
    for (size_t j = 0; j < l->nwords; j++)
        free(l->words[j].text);
    free(l->words);
    free(l->text);
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

/* Where a region read by Tesseract sits on the working page. */
typedef struct region {
    int ox, oy;  /* working-page position of the crop's (0,0) */
    int cell;    /* cell index or -1 */
    line_key key;
    double scale;      /* image pixels per crop pixel */
    const int *xmap;   /* image column (unscaled, unpadded) -> crop column */
    int xmap_n;
} region;

/* A point of the padded, scaled, gap-collapsed image back on the page. */
static int map_x(const region *rg, int x)
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
    int bx0 = map_x(rg, x0), by0 = map_y(rg, y0), bx1 = map_x(rg, x1), by1 = map_y(rg, y1);
    l->box = (ocr_box){bx0, by0, bx1 > bx0 ? bx1 - bx0 : 1, by1 > by0 ? by1 - by0 : 1};
    l->text = iter_text(ri, RIL_TEXTLINE);
    l->conf = TessResultIteratorConfidence(ri, RIL_TEXTLINE);
    l->block_no = block;
    l->cell = rg->cell;
    lv->k[lv->n - 1] = rg->key;
    lv->k[lv->n - 1].sub = l->box.y;
    return l->text ? DG_OK : DG_ENOMEM;
}

/* Walk words in reading order, opening a new line at each line start. */
static int collect_lines(TessBaseAPI *api, line_vec *lv, const region *rg, int block)
{
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return DG_OK; /* nothing read is not an error */
    const TessPageIterator *pi = TessResultIteratorGetPageIteratorConst(ri);
    ocr_line *cur = NULL;
    int rc = DG_OK;
    do {
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

/* A half-width parenthesis (some cards print 系(所)) and the blank around
 * it take about half a character's width between its neighbours, a
 * full-width （ a whole one: measured between the ink on either side, in
 * the parenthesis' own height, the cards' came to 0.53-0.86, full-width
 * ones 1.04-1.94 on the samples; in the line's height 0.49-0.74 against
 * 0.95 and more.  Both must say narrow. */
#define NARROW_PAREN_SLOT 1.0
#define NARROW_PAREN_LINE_SLOT 0.9

/* A column holds ink: more than a speck's few pixels. */
static int col_ink(const NUMA *cols, int x)
{
    l_int32 v = 0;
    numaGetIValue((NUMA *)cols, x, &v);
    return v > 2;
}

/* The ink run of a parenthesis Tesseract placed in columns x0..x1 (the run
 * there, or the first one after x0) into [*run0, *run1), and its slot: the
 * first blank column after the ink before it (*after) to the first ink
 * column after it (*before).  0 when there is no run or no ink on either
 * side. */
static int paren_slot(const NUMA *cols, int x0, int x1, int *run0, int *run1, int *after,
                      int *before)
{
    int n = numaGetCount((NUMA *)cols), x = x0 < 0 ? 0 : x0;
    if (x >= n)
        return 0;
    if (col_ink(cols, x))
        while (x > 0 && col_ink(cols, x - 1))
            x--;
    else
        while (x <= x1 && x < n && !col_ink(cols, x))
            x++;
    if (x > x1 || x >= n)
        return 0;
    int b = x, e = x;
    while (b > 0 && !col_ink(cols, b - 1))
        b--;
    while (e < n && col_ink(cols, e))
        e++;
    *run0 = x;
    *run1 = e;
    while (e < n && !col_ink(cols, e))
        e++;
    *after = b;
    *before = e;
    return b > 0 && e < n;
}

/* Cut box b out of a page image; NULL when out of memory. */
static PIX *clip(PIX *pix, ocr_box b)
{
    BOX *bx = boxCreate(b.x, b.y, b.w, b.h);
    PIX *c = bx ? pixClipRectangle(pix, bx, NULL) : NULL;
    boxDestroy(&bx);
    return c;
}

/* Ink per column of the image Tesseract thresholded, over rows y0..y1. */
static NUMA *band_columns(PIX *th, int y0, int y1)
{
    PIX *band = clip(th, (ocr_box){0, y0, pixGetWidth(th), y1 - y0 + 1});
    NUMA *cols = band ? pixCountPixelsByColumn(band) : NULL;
    pixDestroy(&band);
    return cols;
}

/* Rows from the first to the last holding ink in columns x0..x1-1, rows
 * y0..y1 of th. */
static int ink_height(PIX *th, int x0, int x1, int y0, int y1)
{
    PIX *c = clip(th, (ocr_box){x0, y0, x1 - x0, y1 - y0 + 1});
    BOX *fg = NULL;
    l_int32 h = 0;
    if (c && pixClipToForeground(c, NULL, &fg) == 0 && fg)
        boxGetGeometry(fg, NULL, NULL, NULL, &h);
    boxDestroy(&fg);
    pixDestroy(&c);
    return h;
}

/* One text line of a reading, as measure_parens walks it. */
typedef struct paren_line {
    NUMA *cols;      /* ink per column over the line's rows */
    int y0, y1;      /* its rows in the image read */
    int narrow, wide; /* opening parentheses measured each way */
} paren_line;

/* The parenthesis Tesseract placed at columns x0..x1 of line pl measured,
 * and counted narrow or wide; on the page, since the crop's wide gaps were
 * narrowed for reading. */
static void measure_paren(PIX *th, const region *rg, paren_line *pl, int x0, int x1)
{
    int run0, run1, after, before;
    if (!pl->cols || !paren_slot(pl->cols, x0, x1, &run0, &run1, &after, &before))
        return;
    double slot = map_x(rg, before) - map_x(rg, after);
    double tall = ink_height(th, run0, run1, pl->y0, pl->y1) / rg->scale;
    double line = (pl->y1 - pl->y0) / rg->scale;
    if (tall <= 0 || line <= 0)
        return;
    if (slot < NARROW_PAREN_SLOT * tall && slot < NARROW_PAREN_LINE_SLOT * line)
        pl->narrow++;
    else
        pl->wide++;
}

static void mark_parens(line_vec *lv, size_t first, long idx, const paren_line *pl)
{
    if (idx >= 0 && first + (size_t)idx < lv->n)
        lv->k[first + (size_t)idx].narrow_parens = pl->narrow > 0 && pl->wide == 0;
}

static int opening_paren(const char *sym)
{
    return strcmp(sym, "(") == 0 || strcmp(sym, "（") == 0 || strcmp(sym, "〈") == 0;
}

static int han_symbol(const char *sym)
{
    size_t i = 0, n = strlen(sym);
    return n > 0 && ocr_is_cjk(dg_utf8_next(sym, n, &i)) && i == n && !opening_paren(sym);
}

/* chi_sim reads （ and ( alike, so the width the print sets its
 * parentheses in is measured: lines first..lv->n of the reading just made
 * are marked narrow when each opening parenthesis measured was.  Only one
 * right after a Han character is measured: a speck or mark read before it
 * (系:(所) on a faded page) sits in the blank that tells the widths apart. */
static void measure_parens(TessBaseAPI *api, const region *rg, line_vec *lv, size_t first)
{
    PIX *th = TessBaseAPIGetThresholdedImage(api);
    TessResultIterator *ri = th ? TessBaseAPIGetIterator(api) : NULL;
    const TessPageIterator *pi = ri ? TessResultIteratorGetPageIteratorConst(ri) : NULL;
    paren_line pl = {0};
    long idx = -1; /* the line's place among those the reading made */
    int after_han = 0;
    for (int more = pi != NULL; more;
         more = TessPageIteratorNext((TessPageIterator *)pi, RIL_SYMBOL)) {
        int x0, y0, x1, y1;
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE)) {
            mark_parens(lv, first, idx++, &pl);
            numaDestroy(&pl.cols);
            pl = (paren_line){0};
            if (TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &x0, &pl.y0, &x1, &pl.y1))
                pl.cols = band_columns(th, pl.y0, pl.y1);
            after_han = 0;
        }
        char *sym = TessResultIteratorGetUTF8Text(ri, RIL_SYMBOL);
        if (sym && after_han && opening_paren(sym) &&
            TessPageIteratorBoundingBox(pi, RIL_SYMBOL, &x0, &y0, &x1, &y1))
            measure_paren(th, rg, &pl, x0, x1);
        after_han = sym && han_symbol(sym);
        TessDeleteText(sym);
    }
    mark_parens(lv, first, idx, &pl);
    numaDestroy(&pl.cols);
    TessResultIteratorDelete(ri);
    pixDestroy(&th);
}

/* chi_sim reads some characters' ink as two: a 和 and the character
 * itself (党 of 中共党员 read 中共和党员, 蒋华峰 read 和蒋华峰), the two
 * boxes together no wider than one character.  Two real characters take
 * two character widths.  Widths in line heights. */
#define SPLIT_GLYPH_WIDTH 1.25
#define SPLIT_GLYPH "和"

/* Code point k of s (spaces not counted) removed in place. */
static void drop_code_point(char *s, size_t k)
{
    size_t len = strlen(s);
    for (size_t i = 0, n = 0; i < len;) {
        size_t at = i;
        unsigned cp = dg_utf8_next(s, len, &i);
        if (cp == ' ')
            continue;
        if (n++ == k) {
            memmove(s + at, s + i, len - i + 1);
            return;
        }
    }
}

static int empty_text(const char *text)
{
    return !*text;
}

/* The words of l that drop() picks freed and taken out (the text stays). */
static void remove_words(ocr_line *l, int (*drop)(const char *text))
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

/* Symbol k of line l (its text's code points, spaces not counted) out of
 * its text and its word; a word left empty goes. */
static void drop_symbol(ocr_line *l, size_t k)
{
    drop_code_point(l->text, k);
    for (size_t j = 0; j < l->nwords; j++) {
        size_t n = ocr_utf8_len(l->words[j].text);
        if (k < n) {
            drop_code_point(l->words[j].text, k);
            remove_words(l, empty_text);
            return;
        }
        k -= n;
    }
}

/* Lines first..lv->n of the reading just made lose each SPLIT_GLYPH that
 * with the Han character after it spans under SPLIT_GLYPH_WIDTH line
 * heights. */
static void drop_split_glyphs(TessBaseAPI *api, line_vec *lv, size_t first)
{
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    const TessPageIterator *pi = ri ? TessResultIteratorGetPageIteratorConst(ri) : NULL;
    long idx = -1;
    size_t k = 0, dropped = 0;
    int height = 0, prev_split = 0, prev_x0 = 0;
    for (int more = pi != NULL; more;
         more = TessPageIteratorNext((TessPageIterator *)pi, RIL_SYMBOL)) {
        int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE)) {
            idx++;
            k = dropped = 0;
            prev_split = 0;
            height = TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &x0, &y0, &x1, &y1)
                         ? y1 - y0
                         : 0;
        }
        char *sym = TessResultIteratorGetUTF8Text(ri, RIL_SYMBOL);
        int boxed = sym && *sym && TessPageIteratorBoundingBox(pi, RIL_SYMBOL, &x0, &y0, &x1, &y1);
        if (boxed && prev_split && han_symbol(sym) && x1 - prev_x0 < SPLIT_GLYPH_WIDTH * height &&
            first + (size_t)idx < lv->n)
            drop_symbol(&lv->v[first + (size_t)idx], k - 1 - dropped++);
        prev_split = boxed && strcmp(sym, SPLIT_GLYPH) == 0;
        prev_x0 = x0;
        k += sym && *sym ? ocr_utf8_len(sym) : 0;
        TessDeleteText(sym);
    }
    TessResultIteratorDelete(ri);
}

static int has_text(const line_vec *lv, size_t first, const char *what)
{
    for (size_t i = first; i < lv->n; i++)
        if (strstr(lv->v[i].text, what))
            return 1;
    return 0;
}

static int has_paren(const line_vec *lv, size_t first)
{
    return has_text(lv, first, "(") || has_text(lv, first, "（") || has_text(lv, first, "〈");
}

/* Read one prepared image (already padded) as lines. */
static int read_image(TessBaseAPI *api, PIX *img, int psm, int dpi, const region *rg, int block,
                      line_vec *lv, dg_err *err)
{
    TessBaseAPISetImage2(api, img);
    TessBaseAPISetSourceResolution(api, dpi);
    TessBaseAPISetPageSegMode(api, (TessPageSegMode)psm);
    int rc = DG_OK;
    size_t n0 = lv->n;
    if (TessBaseAPIRecognize(api, NULL) != 0)
        rc = dg_err_set(err, DG_ERR, "Tesseract failed to recognise a region");
    else if (collect_lines(api, lv, rg, block))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else {
        if (has_text(lv, n0, SPLIT_GLYPH))
            drop_split_glyphs(api, lv, n0);
        if (has_paren(lv, n0))
            measure_parens(api, rg, lv, n0);
    }
    TessBaseAPIClear(api);
    return rc;
}

#define MAX_BANDS 32

/* Text bands of a 1 bpp region by its row profile: bands at least minh
 * tall, separated by more than mingap blank rows.  Returns their count;
 * the first MAX_BANDS go into y0/y1 (inclusive rows), the tallest band's
 * height into *tallest. */
static int count_bands(PIX *bin, int mingap, int minh, int *y0, int *y1, long *ink,
                       int *tallest)
{
    NUMA *rows = pixCountPixelsByRow(bin, NULL);
    int n = rows ? numaGetCount(rows) : 0, bands = 0, start = -1, last = -1;
    long sum = 0;
    *tallest = 0;
    for (int y = 0; y <= n; y++) {
        l_int32 v = 0;
        if (y < n)
            numaGetIValue(rows, y, &v);
        int close = start >= 0 && (y == n || (v > 0 && y - last > mingap));
        if (close && last - start + 1 >= minh) {
            if (bands < MAX_BANDS) {
                y0[bands] = start;
                y1[bands] = last;
                ink[bands] = sum;
            }
            bands++;
            *tallest = last - start + 1 > *tallest ? last - start + 1 : *tallest;
        }
        if (close || (v > 0 && start < 0)) {
            start = v > 0 ? y : -1;
            sum = 0;
        }
        if (v > 0)
            last = y;
        sum += v;
    }
    numaDestroy(&rows);
    return bands;
}

/* Ink bounding box of b in the binary page; 0 when (nearly) empty. */
static int ink_box(PIX *bin, ocr_box b, int min_pixels, ocr_box *ink)
{
    PIX *c = clip(bin, b);
    l_int32 cnt = 0;
    if (c)
        pixCountPixels(c, &cnt, NULL);
    BOX *fg = NULL;
    if (cnt >= min_pixels)
        pixClipToForeground(c, NULL, &fg);
    pixDestroy(&c);
    if (!fg)
        return 0;
    l_int32 x, y, w, h;
    boxGetGeometry(fg, &x, &y, &w, &h);
    boxDestroy(&fg);
    *ink = (ocr_box){b.x + x, b.y + y, w, h};
    return 1;
}

/* Pixels of the leading run of column sums cols[from..to) (step +1 or -1)
 * that ends at a blank gap wider than gap; *end gets the first column past
 * the gap.  0 when no such gap exists. */
static long lead_run(const NUMA *cols, int from, int to, int step, int gap, int *end)
{
    long sum = 0;
    int blank = 0;
    for (int x = from; x != to; x += step) {
        l_int32 v = 0;
        numaGetIValue((NUMA *)cols, x, &v);
        if (v == 0 && sum > 0 && ++blank > gap) {
            *end = x;
            return sum;
        }
        if (v > 0)
            blank = 0;
        sum += v;
    }
    return 0;
}

/* Drop stray specks at the ends of a text line's ink box: a small run of
 * ink (under 3% of the line's) cut off by a gap wider than `gap` is dirt,
 * and Tesseract reads it as a quote mark and lets it disturb the line
 * (“南京…和名册).  Repeats while such runs remain. */
static void trim_strays(PIX *bin, ocr_box *ink, int gap)
{
    PIX *c = clip(bin, *ink);
    NUMA *cols = c ? pixCountPixelsByColumn(c) : NULL;
    l_int32 total = 0;
    if (c)
        pixCountPixels(c, &total, NULL);
    pixDestroy(&c);
    int x0 = 0, x1 = cols ? numaGetCount(cols) : 0, end = 0;
    long run;
    while (x1 - x0 > gap && (run = lead_run(cols, x0, x1, 1, gap, &end)) > 0 &&
           run * 100 < 3L * total)
        x0 = end;
    while (x1 - x0 > gap && (run = lead_run(cols, x1 - 1, x0 - 1, -1, gap, &end)) > 0 &&
           run * 100 < 3L * total)
        x1 = end + 1;
    numaDestroy(&cols);
    if (x1 > x0) {
        ink->x += x0;
        ink->w = x1 - x0;
    }
}

/* Share of the busiest row (in strokes crossed) below which a row is not
 * part of a text line. */
#define DENSE_ROW_SHARE 0.3
/* Rows of other ink may reach this share of the busiest row. */
#define SPARSE_ROW_SHARE 0.5

/* Ink runs (strokes crossed) on each row of a 1 bpp image; caller frees. */
static int *row_strokes(PIX *bin, int *n)
{
    int w = pixGetWidth(bin), h = pixGetHeight(bin);
    int *r = calloc((size_t)(h > 0 ? h : 1), sizeof *r);
    for (int y = 0; r && y < h; y++) {
        NUMA *runs = pixGetRunsOnLine(bin, 0, y, w - 1, y);
        /* lengths alternate white, black, white ... starting with white */
        r[y] = runs ? numaGetCount(runs) / 2 : 0;
        numaDestroy(&runs);
    }
    *n = h;
    return r;
}

/* The box of the ink pieces of `area` that lie within the rows of band
 * (give or take m): a rim or rule crossing the line reaches far above or
 * below it and stays out.  0 when no piece does. */
static int line_pieces(PIX *loc, ocr_box area, ocr_box band, int m, ocr_box *out)
{
    PIX *c = clip(loc, area);
    BOXA *parts = c ? pixConnComp(c, NULL, 8) : NULL;
    pixDestroy(&c);
    int n = parts ? boxaGetCount(parts) : 0, x0 = INT_MAX, y0 = INT_MAX, x1 = -1, y1 = -1;
    int top = band.y - area.y - m, bot = band.y - area.y + band.h + m;
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h;
        if (boxaGetBoxGeometry(parts, i, &x, &y, &w, &h) || y < top || y + h > bot)
            continue;
        x0 = x < x0 ? x : x0;
        y0 = y < y0 ? y : y0;
        x1 = x + w > x1 ? x + w : x1;
        y1 = y + h > y1 ? y + h : y1;
    }
    boxaDestroy(&parts);
    if (x1 < 0)
        return 0;
    *out = (ocr_box){area.x + x0, area.y + y0, x1 - x0, y1 - y0};
    return 1;
}

/* One text line inside ink of more than one line's height: a seal's rim
 * or a rule remnant crossing the line joins rows above and below it into
 * one tall band, which was then read as a block (PSM 6) and came back as
 * noise (理学硕士 under a grey seal rim: nothing).  A row of text crosses
 * many strokes, a rim or a rule one or two.  The text line is the run of
 * busy rows around the busiest; no row away from it may come near (a
 * second line of text would).  On success *line boxes the ink pieces
 * that lie within those rows: the rim's pieces crossing the line reach
 * far above and below it and stay out (read with them, 理学硕士 came
 * back as 站"理学硕士：6). */
static int dense_line(PIX *loc, ocr_box ink, int minh, int maxh, ocr_box *line)
{
    PIX *c = clip(loc, ink);
    int n = 0, peak = 0, max = 0;
    int *r = c ? row_strokes(c, &n) : NULL;
    pixDestroy(&c);
    if (!r)
        return 0;
    for (int y = 0; y < n; y++)
        if (r[y] > max) {
            max = r[y];
            peak = y;
        }
    int top = peak, bot = peak;
    while (top > 0 && r[top - 1] >= max * DENSE_ROW_SHARE)
        top--;
    while (bot + 1 < n && r[bot + 1] >= max * DENSE_ROW_SHARE)
        bot++;
    int busy_elsewhere = 0;
    for (int y = 0; y < n; y++)
        busy_elsewhere += (y < top - minh || y > bot + minh) && r[y] >= max * SPARSE_ROW_SHARE;
    int ok = max >= 4 && bot - top + 1 >= minh && bot - top + 1 <= maxh && busy_elsewhere < minh;
    free(r);
    ocr_box band = {ink.x, ink.y + top, ink.w, bot - top + 1};
    ocr_box got;
    if (!ok || !line_pieces(loc, ink, band, minh, &got))
        return 0;
    /* a line of two characters at least: in a vertical label (照 above
     * 片) one character's rows are the busiest */
    if (got.w < 2 * got.h)
        return 0;
    *line = got;
    return 1;
}

/* The fewest ink pixels an area needs to be looked at as text. */
static int min_ink(int dpi)
{
    return dpi / 20 + 4;
}

static long ink_in(PIX *pix, ocr_box b)
{
    PIX *c = b.w > 0 && b.h > 0 ? clip(pix, b) : NULL;
    l_int32 n = 0;
    if (c)
        pixCountPixels(c, &n, NULL);
    pixDestroy(&c);
    return n;
}

/* On the samples 0.15 read best (F1 +0.0012, hard pages only; 0.08 +0.0008,
 * 0.3 +0.0006, 0.6 none). */
#define FADED_END_SHARE 0.15

/* The speck-free ink that places a crop misses a faded first or last
 * character, which breaks into specks (分析化学 read as 分析化 at 92).  The
 * box grows sideways by a text height at a time, within area, while the
 * full ink in the new strip holds at least `share` of an average
 * character's ink in the box; stain grain beside a value rarely does. */
static void reach_faded_ends(PIX *loc, PIX *raw, ocr_box area, double share, ocr_box *ink)
{
    int h = ink->h;
    long chars = h > 0 ? (ink->w + h / 2) / h : 0;
    long per_char = chars > 0 ? ink_in(loc, *ink) / chars : 0;
    if (per_char <= 0)
        return;
    for (int side = 0; side < 2; side++)
        for (;;) {
            int x0 = side ? ink->x + ink->w : ink->x - h;
            ocr_box strip = {x0 < area.x ? area.x : x0, ink->y, h, ink->h};
            if (strip.x + strip.w > area.x + area.w)
                strip.w = area.x + area.w - strip.x;
            if (strip.w < h / 3 || ink_in(raw, strip) < per_char * share)
                break;
            ocr_box got;
            if (!ink_box(raw, strip, 1, &got))
                break;
            int l = got.x < ink->x ? got.x : ink->x;
            int r = got.x + got.w > ink->x + ink->w ? got.x + got.w : ink->x + ink->w;
            if (r - l == ink->w)
                break;
            ink->x = l;
            ink->w = r - l;
        }
}

static ocr_box grow_within(ocr_box b, int m, ocr_box lim)
{
    int x0 = b.x - m < lim.x ? lim.x : b.x - m, y0 = b.y - m < lim.y ? lim.y : b.y - m;
    int x1 = b.x + b.w + m > lim.x + lim.w ? lim.x + lim.w : b.x + b.w + m;
    int y1 = b.y + b.h + m > lim.y + lim.h ? lim.y + lim.h : b.y + b.h + m;
    return (ocr_box){x0, y0, x1 - x0, y1 - y0};
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
 * (PLATFORM.md: a 30-40 px x-height), eng on capitals and digits lower
 * (measured: an ID 45 px tall reads "5867146" at full size, "S867146" at
 * 0.5-0.8).  Scans come at 200-400 dpi.  The first Han reading is at 32 px:
 * with every variant logged on the 1,584 single-line crops of the 16
 * samples, 32 px alone matched the truth more often (1241) than 40 px
 * (1215), native size (1183) or 56 px (1124). */
#define TARGET_HAN_H 40.0
#define TARGET_HAN_H_FIRST 32.0
#define TARGET_LATIN_H 28.0

/* Crop -> gap-collapsed, scaled to the target text height, padded. */
static PIX *prepare(PIX *crop, PIX *bincrop, int texth, double target, int collapse,
                    region *rg, int **xmap)
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

static void vec_free(line_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        line_release(&v->v[i]);
    free(v->v);
    free(v->k);
    memset(v, 0, sizeof *v);
}

/* Mean line confidence of a reading; -1 when it read nothing. */
static float line_floor(const ocr_line *l);

/* Mean confidence of v's lines with text (only those the page keeps, by
 * line_floor, when kept_only); -1 when there are none. */
static double mean_conf(const line_vec *v, int kept_only)
{
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i].text && *v->v[i].text &&
            (!kept_only || v->v[i].conf >= line_floor(&v->v[i]))) {
            sum += v->v[i].conf;
            n++;
        }
    return n ? sum / n : -1;
}

static double vec_conf(const line_vec *v)
{
    return mean_conf(v, 0);
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

static int vec_move(line_vec *dst, line_vec *src)
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
static int try_variant(TessBaseAPI *api, PIX *img, int psm, int dpi, const region *rg, int block,
                       line_vec *best, double *best_conf, double *got, dg_err *err)
{
    line_vec v = {0};
    int rc = read_image(api, img, psm, dpi, rg, block, &v, err);
    double c = vec_conf(&v);
    /* Han and Latin letters in one reading are noise read both ways
     * (-所业1TN1I可); no value mixes them, so such a reading competes at a
     * discount (samples: F1 +0.001, never worse on a page class). */
    if (vec_has_han(&v) && vec_has_letters(&v))
        c -= MIXED_SCRIPT_PENALTY;
    if (got)
        *got = c;
    if (rc == DG_OK && c > *best_conf) {
        vec_free(best);
        *best = v;
        *best_conf = c;
    } else {
        vec_free(&v);
    }
    return rc;
}

/* A confident first reading is kept without trying others (speed). */
#define EARLY_CONF 85.0
/* A reading below this is tried another way (binary crop, block mode,
 * smaller eng scale).  In the variant log, retrying up to 80 or 90 instead
 * of 70 matched no more crops and cost 5-15% more calls; on the samples 65
 * reads as well as 70 (CER 0.178) in 3% less time, 60 loses a little
 * (CER 0.181, F1 -0.001) for 8% less, which keeps --jobs 2 above 1.5x the
 * plain CLI. */
#define RETRY_CONF 60.0
/* Not a Tesseract mode: PSM 7 on the binary crop instead of the grey one. */
#define PSM_BINARY_LINE 100
/* Not a Tesseract mode: PSM 7 on the grey crop with its dark strokes
 * thickened (3x3 grey erosion).  Faded values print thin, broken strokes
 * (工学硕士 -> [学硕士, 和硕士); thickened they join (samples: F1 0.925 ->
 * 0.930, hard pages 0.876 -> 0.886, no slower: it often spares the later
 * variants). */
#define PSM_THICK_LINE 101
/* Not a Tesseract mode: PSM 7 on the crop of the scan's own grey, smoothed
 * and stretched (faded_crop). */
#define PSM_FADED_LINE 102

/* A crop about to be read, before scaling. */
typedef struct crop_in {
    PIX *grey, *bin;
    int texth, dpi, block;
    int fed_binary; /* grey is the binary crop already */
    int thinned;    /* strokes lightened by softening a 1-bit scan twice */
    const ocr_page *scan_of; /* page whose scan_grey holds the crop, or NULL */
    ocr_box at;              /* the crop's box on the working page */
    int one_reading;         /* prepared already: read one way (and by eng) */
} crop_in;

/* The background step lifts ink within 40 grey levels of the paper
 * towards it, and faded print comes out light and broken: s011's faded
 * 工学硕士 read 学硕二, 上 or 和.  From the scan's own grey, a 3x3 mean
 * (JPEG grain) stretched so its darkest ink is black and everything
 * lighter than FADED_WHITE_SHARE of the way from the paper to that ink is
 * white, the same crops read 工学硕士.  Measured on the samples: white at
 * the paper itself gave F1 0.9467, at 0.15 of the way 0.9506, 0.25 0.9498,
 * 0.35 0.9434 (grain, then the faintest strokes, turn white). */
#define FADED_PAPER_RANK 0.9f
#define FADED_INK_RANK 0.02f
#define FADED_WHITE_SHARE 0.15
/* A crop is faded when its darkest ink (FADED_INK_RANK) on the cleaned page
 * is lighter than this: the samples' black and dark print lies under 60,
 * faded values at 140-220. */
#define FADED_INK_LEVEL 100
/* A faded line read under this is read from the scan's grey as well: at 60
 * (where the other variants stop) F1 gained 0.003, at 75 0.005. */
#define FADED_RETRY_CONF 75.0

/* Under this deskew angle a crop of the scan's grey is only moved, not
 * turned: a 300 px wide crop then leans at most 1.3 px end to end. */
#define FADED_TURN_DEG 0.25

static int faded(const crop_in *ci)
{
    l_uint32 ink = 0;
    return ci->scan_of && !pixGetRankValue(ci->grey, 1, FADED_INK_RANK, &ink) &&
           ink >= FADED_INK_LEVEL;
}

/* Box b of the working page cut from pg's scan_grey, which is not
 * deskewed: b's centre is taken back through the deskew, and the crop
 * turned with the page.  NULL when out of memory. */
static PIX *scan_crop(const ocr_page *pg, ocr_box b)
{
    PIX *sg = pg->scan_grey;
    double sx, sy, s = sin(pg->geom.angle_deg * M_PI / 180.0);
    ocr_geom_point_before_deskew(&pg->geom, b.x + b.w / 2.0, b.y + b.h / 2.0, &sx, &sy);
    int turn = fabs(pg->geom.angle_deg) >= FADED_TURN_DEG;
    int m = turn ? (int)ceil((b.w + b.h) * fabs(s)) + 2 : 0;
    int w = b.w + 2 * m, h = b.h + 2 * m;
    PIX *piece = pixCreate(w, h, 8);
    if (!piece)
        return NULL;
    pixSetAll(piece); /* beyond the page: white */
    pixRasterop(piece, 0, 0, w, h, PIX_SRC, sg, (int)lround(sx - w / 2.0),
                (int)lround(sy - h / 2.0));
    if (!turn)
        return piece;
    PIX *r = pixRotate(piece, (l_float32)(pg->geom.angle_deg * M_PI / 180.0), L_ROTATE_AREA_MAP,
                       L_BRING_IN_WHITE, 0, 0);
    pixDestroy(&piece);
    PIX *out = r ? clip(r, (ocr_box){m, m, b.w, b.h}) : NULL;
    pixDestroy(&r);
    return out;
}

/* ci's crop of the scan's grey, smoothed and stretched; NULL when out of
 * memory. */
static PIX *faded_crop(const crop_in *ci)
{
    PIX *scan = scan_crop(ci->scan_of, ci->at);
    PIX *out = scan ? pixBlockconvGray(scan, NULL, 1, 1) : NULL;
    pixDestroy(&scan);
    l_uint32 paper = 0, ink = 0;
    if (!out || pixGetRankValue(out, 1, FADED_PAPER_RANK, &paper) ||
        pixGetRankValue(out, 1, FADED_INK_RANK, &ink))
        return out;
    int white = (int)(paper - (paper - (double)ink) * FADED_WHITE_SHARE + 0.5);
    if (white > (int)ink)
        pixGammaTRC(out, out, 1.0f, (int)ink, white);
    return out;
}

/* Prepare the crop for one target height and read it one way. */
static int try_scaled(TessBaseAPI *api, const crop_in *ci, double target, int psm, region rg,
                      line_vec *best, double *conf, double *got, dg_err *err)
{
    int *xmap = NULL;
    PIX *made = psm == PSM_THICK_LINE ? pixErodeGray(ci->grey, 3, 3)
                : psm == PSM_FADED_LINE ? faded_crop(ci)
                                        : NULL;
    PIX *src = psm == PSM_BINARY_LINE ? ci->bin : made ? made : ci->grey;
    psm = psm >= PSM_BINARY_LINE ? PSM_SINGLE_LINE : psm;
    PIX *img = prepare(src, ci->bin, ci->texth, target, 1, &rg, &xmap);
    pixDestroy(&made);
    int rc = img ? try_variant(api, img, psm, (int)(ci->dpi * rg.scale), &rg, ci->block, best,
                               conf, got, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
    pixDestroy(&img);
    free(xmap);
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
    if (!latin)
        return DG_OK;
    line_vec alt = {0};
    double c = -1;
    int rc = try_scaled(latin, ci, 0, PSM_SINGLE_LINE, *rg, &alt, &c, NULL, err);
    if (rc == DG_OK && c > *conf && digits_only(&alt)) {
        vec_free(best);
        *best = alt;
        *conf = c;
    } else {
        vec_free(&alt);
    }
    return rc;
}

/* One line of text: PSM 7 on the grey crop at 32 px; when not confident
 * and faded, the crop of the scan's own grey (faded_crop); when still not
 * confident, the grey with strokes thickened (faded values), then PSM 7 on
 * the binary crop (bold strokes the grey thickens: 名册 -> 和名册;
 * faded values Sauvola keeps sharper), then the grey crop as a block (PSM
 * 6: Tesseract's own line finding leaves out specks above and below the
 * text that PSM 7 reads as characters); then `eng` when what was read holds
 * no Han at all (IDs, numbers).  The most confident reading wins.  On the
 * 16 samples this order (against the earlier native-size grey, 40 px
 * rescale, binary) took CER 0.238 -> 0.216 for the same time.  Tried and
 * dropped: PSM 10 as a variant (reads whole lines, but lost on hard pages),
 * raw-line PSM 13 (F1 < +0.001 for a fifth more time), voting between
 * variants that agree (no better than confidence). */
static int read_line_best(ocr_engine *e, const crop_in *ci, const region *rg, line_vec *lv,
                          dg_err *err)
{
    line_vec best = {0};
    double conf = -1;
    /* Softened twice, the thin strokes of a 1-bit scan are light grey;
     * thickened they read first (s015 page 1: 1900.7 -> 1990.7). */
    int first = ci->thinned ? PSM_THICK_LINE : PSM_SINGLE_LINE;
    int second = ci->thinned ? PSM_SINGLE_LINE : PSM_THICK_LINE;
    int rc = try_scaled(e->api, ci, TARGET_HAN_H_FIRST, first, *rg, &best, &conf, NULL, err);
    if (rc == DG_OK && conf < FADED_RETRY_CONF && faded(ci))
        rc = try_scaled(e->api, ci, TARGET_HAN_H_FIRST, PSM_FADED_LINE, *rg, &best, &conf, NULL,
                        err);
    int retry = !ci->one_reading;
    if (rc == DG_OK && retry && conf < RETRY_CONF && !ci->fed_binary)
        rc = try_scaled(e->api, ci, TARGET_HAN_H_FIRST, second, *rg, &best, &conf, NULL, err);
    if (rc == DG_OK && retry && conf < RETRY_CONF && !ci->fed_binary)
        rc = try_scaled(e->api, ci, TARGET_HAN_H, PSM_BINARY_LINE, *rg, &best, &conf, NULL, err);
    if (rc == DG_OK && retry && conf < RETRY_CONF)
        rc = try_scaled(e->api, ci, TARGET_HAN_H, PSM_SINGLE_BLOCK, *rg, &best, &conf, NULL, err);
    /* Tesseract's line finding sometimes takes a whole clean line for
     * noise (s004's 朱志勇: nothing in every mode above); as a raw line
     * (PSM 13), which skips it, the line reads right. */
    if (rc == DG_OK && retry && conf < 0)
        rc = try_scaled(e->api, ci, TARGET_HAN_H_FIRST, PSM_RAW_LINE, *rg, &best, &conf, NULL, err);
    /* chi_sim reads plain numbers (dates, sequence numbers) well: a
     * confident reading without letters is not read again with eng. */
    int sure_digits = conf >= EARLY_CONF && !vec_has_letters(&best);
    TessBaseAPI *latin =
        rc == DG_OK && !vec_has_han(&best) && !sure_digits ? ocr_latin_engine(e) : NULL;
    /* eng on a clean grey crop reads best at the scan's own size (S867146
     * at 45 px: 89 native, 62 at 28 px); shrunk well below the Latin target
     * only when that is poor (scale 0.5 reads it at 82, 0.7 as $867146). */
    /* The second eng reading depends on how well eng itself read, not on
     * chi_sim: S867146 read 3867146 at 61 by chi_sim and 5867146 at 12 by
     * eng native is read right only at the smaller scale. */
    double latin_conf = -1;
    if (latin)
        rc = try_scaled(latin, ci, 0, PSM_SINGLE_LINE, *rg, &best, &conf, &latin_conf, err);
    if (latin && rc == DG_OK && latin_conf < RETRY_CONF)
        rc = try_scaled(latin, ci, TARGET_LATIN_H * 0.7, PSM_SINGLE_LINE, *rg, &best, &conf, NULL,
                        err);
    if (rc == DG_OK)
        rc = narrow_digits(e, ci, rg, &best, &conf, err);
    if (rc == DG_OK && vec_move(lv, &best))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    vec_free(&best);
    return rc;
}

/* Several lines: one block read (PSM 6), at the crop's own scale. */
static int read_block(ocr_engine *e, const crop_in *ci, region rg, line_vec *lv, dg_err *err)
{
    int *xmap = NULL;
    PIX *img = prepare(ci->grey, ci->bin, 0, TARGET_HAN_H, 0, &rg, &xmap);
    int rc = img ? read_image(e->api, img, PSM_SINGLE_BLOCK, ci->dpi, &rg, ci->block, lv, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
    pixDestroy(&img);
    free(xmap);
    return rc;
}

/* The images an area is read from: `feed` (the cleaned grey, or the binary
 * page when so configured) is what Tesseract reads, `bin` the ink mask its
 * binary variant reads, `loc` that ink without specks, which places the
 * crop: stain grain and noise around a value otherwise stretch the ink box
 * over the whole cell, and the value is read as a block among specks.
 * Each dot of dot-matrix print is a speck on its own: where `loc` has
 * nothing and `dots` is set, dotted ink is looked for (read_dotted_area).
 * `one_reading`: the feed is prepared already (a faded cell's), and its
 * lines are read one way, not every way read_line_best knows. */
typedef struct page_src {
    PIX *feed, *bin, *loc;
    int ox, oy; /* where (0, 0) of these images lies on the page */
    int dots;
    int one_reading;
} page_src;

static int read_area_split(ocr_engine *e, const ocr_page *pg, const page_src *src,
                           ocr_box area, region rg, int block, int split, line_vec *lv,
                           dg_err *err);
static PIX *without_specks(PIX *ink, int dpi);

/* Dot-matrix print reads as nonsense at full confidence (91.3 -> 号] .号
 * at 75, 88.9 -> 89 .己): the LSTM has not seen strokes made of dots.  It
 * is told by its ink: the dark cores of the dots are many separate specks
 * that a closing by about one dot pitch joins into a few strokes.  The
 * pitch is taken as 1/100 in (16- and 24-dot fonts printed 3-4 mm high). */
#define DOTTED_MIN_SPECKS 20
#define DOTTED_JOIN_RATIO 4

static int dot_pitch(int dpi)
{
    return dpi / 100 > 2 ? dpi / 100 : 2;
}

/* The darkest part of the ink: under 40% of the way from the darkest grey
 * to the paper, where the gaps between dots are lighter.  NULL when the
 * area is blank (or out of memory). */
static PIX *dot_cores(PIX *grey)
{
    l_uint32 dark = 0, paper = 0;
    if (pixGetRankValue(grey, 1, 0.01f, &dark) || pixGetRankValue(grey, 1, 0.5f, &paper) ||
        paper <= dark + 40)
        return NULL;
    return pixThresholdToBinary(grey, (int)(dark + (paper - dark) * 2 / 5) + 1);
}

static int dotted_print(PIX *grey, PIX *bin, const ocr_page *pg)
{
    PIX *cores = pg->bilevel ? pixClone(bin) : dot_cores(grey);
    l_int32 specks = 0, strokes = 0;
    if (cores)
        pixCountConnComp(cores, 8, &specks);
    int j = dot_pitch(pg->dpi) + 1;
    PIX *joined = specks >= DOTTED_MIN_SPECKS ? pixCloseSafeBrick(NULL, cores, j, j) : NULL;
    if (joined)
        pixCountConnComp(joined, 8, &strokes);
    pixDestroy(&cores);
    pixDestroy(&joined);
    return strokes > 0 && specks >= DOTTED_JOIN_RATIO * strokes;
}

/* 1 when box b of the page holds dot-matrix print. */
static int dotted_at(const ocr_page *pg, const page_src *src, ocr_box b)
{
    PIX *grey = clip(src->feed, b), *bin = clip(src->bin, b);
    int dotted = grey && bin && pixGetDepth(grey) > 1 && dotted_print(grey, bin, pg);
    pixDestroy(&grey);
    pixDestroy(&bin);
    return dotted;
}

/* The crop of dotted print as strokes: the grey blurred by about a third
 * of a dot pitch, the binary closed by one. */
static void smooth_dots(crop_in *ci)
{
    int pitch = dot_pitch(ci->dpi);
    L_KERNEL *k = makeGaussianKernel(pitch, pitch, (float)pitch / 3.0f, 1.0f);
    PIX *grey = k ? pixConvolve(ci->grey, k, 8, 1) : NULL;
    PIX *bin = pixCloseSafeBrick(NULL, ci->bin, pitch + 1, pitch + 1);
    kernelDestroy(&k);
    if (grey && bin) {
        pixDestroy(&ci->grey);
        pixDestroy(&ci->bin);
        ci->grey = grey;
        ci->bin = bin;
    } else {
        pixDestroy(&grey);
        pixDestroy(&bin);
    }
}


/* Area of src where only specks were found, when they are the dots of
 * dot-matrix print: read with the dots a pitch apart joined, so that they
 * place the crop as strokes would. */
static int read_dotted_area(ocr_engine *e, const ocr_page *pg, const page_src *src,
                            ocr_box area, region rg, int block, int split, line_vec *lv,
                            dg_err *err)
{
    ocr_box raw;
    if (!ink_box(src->bin, area, min_ink(pg->dpi), &raw) || !dotted_at(pg, src, raw))
        return DG_OK;
    int j = dot_pitch(pg->dpi) + 1;
    page_src at = {clip(src->feed, area), clip(src->bin, area), NULL, src->ox + area.x,
                   src->oy + area.y, 0, 0};
    PIX *joined = at.bin ? pixCloseSafeBrick(NULL, at.bin, j, j) : NULL;
    at.loc = joined ? without_specks(joined, pg->dpi) : NULL;
    int rc = at.feed && at.loc
                 ? read_area_split(e, pg, &at,
                                   (ocr_box){0, 0, pixGetWidth(at.feed), pixGetHeight(at.feed)},
                                   rg, block, split, lv, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
    pixDestroy(&joined);
    pixDestroy(&at.feed);
    pixDestroy(&at.bin);
    pixDestroy(&at.loc);
    return rc;
}

/* A lighter print crossing a value (a seal or stamp in a greyscale scan,
 * which no colour test finds: s009's 毛向阳 and 82.03 read as nothing or
 * 以) is ink far from the crop's darkest: more than LIGHTER_NEAR / 2 px
 * from the ink within LIGHTER_DARK grey levels of its 5th percentile.  It
 * is there when it outweighs that dark ink LIGHTER_RATIO times and covers
 * a square an eighth of an inch on a side.  On the samples such cells
 * measured 5.5-8.5 times, plain cells at most 2.8 times and never 400 px
 * of it at 240 dpi. */
#define LIGHTER_DARK 40
#define LIGHTER_NEAR 5
#define LIGHTER_RATIO 4

/* Level below which a crop's darkest ink lies: its p-th percentile ink
 * pixel (grey under 230); -1 when the crop has fewer than `least`. */
static int ink_level(PIX *g, double p, int least)
{
    NUMA *h = pixGetGrayHistogram(g, 1);
    double total = 0, run = 0;
    for (int v = 0; h && v < 230; v++) {
        l_float32 n = 0;
        numaGetFValue(h, v, &n);
        total += n;
    }
    int level = -1;
    for (int v = 0; h && total >= least && v < 230 && level < 0; v++) {
        l_float32 n = 0;
        numaGetFValue(h, v, &n);
        run += n;
        if (run >= total * p)
            level = v;
    }
    numaDestroy(&h);
    return level;
}

/* The ink of crop g far from its darkest ink: a lighter print (a seal or
 * stamp in a greyscale scan, which no colour test finds) crossing a value.
 * *dark receives the dark ink.  NULL when out of memory or no ink. */
static PIX *lighter_ink(PIX *g, int least, PIX **dark)
{
    *dark = NULL;
    int level = ink_level(g, 0.05, least);
    if (level < 0)
        return NULL;
    *dark = pixThresholdToBinary(g, level + LIGHTER_DARK);
    PIX *near = *dark ? pixDilateBrick(NULL, *dark, LIGHTER_NEAR, LIGHTER_NEAR) : NULL;
    PIX *ink = near ? pixThresholdToBinary(g, 230) : NULL;
    if (ink)
        pixSubtract(ink, ink, near);
    pixDestroy(&near);
    return ink;
}

/* A value under a lighter print is placed by its dark ink alone and read
 * with the lighter ink painted white into lv; *done is 0 (and nothing is
 * read) when the area holds no such print. */
static int read_under_lighter_print(ocr_engine *e, const ocr_page *pg, const page_src *src,
                                    ocr_box area, region rg, int block, int split,
                                    line_vec *lv, int *done, dg_err *err)
{
    *done = 0;
    PIX *g = clip(src->feed, area), *dark = NULL;
    int least = min_ink(pg->dpi);
    PIX *light = g ? lighter_ink(g, least, &dark) : NULL;
    l_int32 nd = 0, nl = 0;
    if (dark)
        pixCountPixels(dark, &nd, NULL);
    if (light)
        pixCountPixels(light, &nl, NULL);
    int rc = DG_OK;
    int big = (pg->dpi / 8) * (pg->dpi / 8);
    if (light && dark && nl >= nd * LIGHTER_RATIO && nl >= big && nd >= least) {
        page_src at = {pixCopy(NULL, g), pixClone(dark), without_specks(dark, pg->dpi),
                       src->ox + area.x, src->oy + area.y, 0, 0};
        if (at.feed)
            pixSetMasked(at.feed, light, 255);
        rc = at.feed && at.bin && at.loc
                 ? read_area_split(e, pg, &at,
                                   (ocr_box){0, 0, pixGetWidth(at.feed), pixGetHeight(at.feed)},
                                   rg, block, split, lv, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
        pixDestroy(&at.feed);
        pixDestroy(&at.bin);
        pixDestroy(&at.loc);
        *done = 1;
    }
    pixDestroy(&g);
    pixDestroy(&dark);
    pixDestroy(&light);
    return rc;
}

/* In a cell, the rows from the first to the last strong band (plus margin
 * m), when weak bands lie outside them: *out is area cut to those rows.  A
 * band with less than the share `weak` of the strongest band's ink is
 * stain texture or seal residue beside a value, not a line of it (0.2 in
 * configs/ocr.xml).  Returns 0 when every band is strong. */
static int strong_rows(ocr_box area, ocr_box ink, const int *y0, const int *y1,
                       const long *weight, int n, double weak, int m, ocr_box *out)
{
    long max = 0;
    for (int i = 0; i < n; i++)
        max = weight[i] > max ? weight[i] : max;
    int first = -1, last = -1;
    for (int i = 0; i < n; i++)
        if (weight[i] >= max * weak) {
            first = first < 0 ? i : first;
            last = i;
        }
    if (first < 0 || (first == 0 && last == n - 1))
        return 0;
    /* the margin stops half way to a weak band, which so stays out */
    int top = ink.y + y0[first] - m, bot = ink.y + y1[last] + 1 + m;
    if (first > 0 && top <= ink.y + (y1[first - 1] + y0[first]) / 2)
        top = ink.y + (y1[first - 1] + y0[first]) / 2 + 1;
    if (last < n - 1 && bot > ink.y + (y1[last] + y0[last + 1] + 1) / 2)
        bot = ink.y + (y1[last] + y0[last + 1] + 1) / 2;
    top = top < area.y ? area.y : top;
    bot = bot > area.y + area.h ? area.y + area.h : bot;
    *out = (ocr_box){area.x, top, area.w, bot - top};
    return bot > top;
}

/* Several text bands in one area: each is read as a line of its own (PSM 6
 * on the whole lets a speck row or a seal fragment above a bold title
 * drag the title's reading: 名册 -> 和名册).  A band's area reaches half
 * way to its neighbours, so the crop margin still has room. */
static int read_bands(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                      ocr_box ink, const int *y0, const int *y1, int n, region rg, int block,
                      line_vec *lv, dg_err *err)
{
    int rc = DG_OK;
    for (int i = 0; i < n && rc == DG_OK; i++) {
        int top = i ? ink.y + (y1[i - 1] + y0[i] + 1) / 2 : area.y;
        int bot = i + 1 < n ? ink.y + (y1[i] + y0[i + 1] + 1) / 2 : area.y + area.h;
        ocr_box sub = {area.x, top, area.w, bot - top};
        rc = read_area_split(e, pg, src, sub, rg, block, 0, lv, err);
    }
    return rc;
}

/* Read the ink inside box `area` (a cell's inside or a text band); split
 * says whether several bands may be read one by one. */
/* 1 when src reads the page's own grey (not a lighter print's or a faded
 * cell's copy) and the scan's grey was kept beside it. */
static int reads_scan_grey(const ocr_page *pg, const page_src *src)
{
    return pg->scan_grey && src->feed == pg->grey;
}

static int read_area_split(ocr_engine *e, const ocr_page *pg, const page_src *src,
                           ocr_box area, region rg, int block, int split, line_vec *lv,
                           dg_err *err)
{
    ocr_box ink;
    if (area.w < 4 || area.h < 4)
        return DG_OK;
    if (!ink_box(src->loc, area, min_ink(pg->dpi), &ink))
        return src->dots ? read_dotted_area(e, pg, src, area, rg, block, split, lv, err) : DG_OK;
    PIX *ib = clip(src->loc, ink);
    int tallest = 0, y0[MAX_BANDS], y1[MAX_BANDS];
    long weight[MAX_BANDS];
    int bands = ib ? count_bands(ib, pg->dpi / 40 + 1, pg->dpi / 30 + 1, y0, y1, weight, &tallest)
                   : 0;
    pixDestroy(&ib);
    if (bands == 0)
        return DG_OK; /* only specks or rule remnants */
    if (bands > 1 && bands <= MAX_BANDS && split)
        return read_bands(e, pg, src, area, ink, y0, y1, bands, rg, block, lv, err);
    ocr_box strong;
    if (bands > 1 && bands <= MAX_BANDS && e->settings->weak_band > 0 &&
        strong_rows(area, ink, y0, y1, weight, bands, e->settings->weak_band, pg->dpi / 30,
                    &strong))
        return read_area_split(e, pg, src, strong, rg, block, 0, lv, err);
    int single = bands == 1 && tallest < pg->dpi * 2 / 5;
    if (!single && rg.cell >= 0 &&
        dense_line(src->loc, ink, pg->dpi / 30 + 1, pg->dpi / 4, &ink)) {
        single = 1;
        tallest = ink.h;
    }
    if (single)
        trim_strays(src->loc, &ink, tallest);
    if (single && src->loc != src->bin)
        reach_faded_ends(src->loc, src->bin, area, FADED_END_SHARE, &ink);
    int texth = single ? tallest : 0;
    /* Trimmed to the ink: a whole wide cell often reads as nothing.  The
     * margin keeps faint strokes the binarisation lost at the edges. */
    ocr_box cut = grow_within(ink, pg->dpi / 30, area);
    crop_in ci = {clip(src->feed, cut), clip(src->bin, cut), texth, pg->dpi, block,
                  pixGetDepth(src->feed) == 1,
                  ocr_soften_passes(pg, e->settings) == 2,
                  reads_scan_grey(pg, src) ? pg : NULL,
                  {cut.x + src->ox, cut.y + src->oy, cut.w, cut.h}, src->one_reading};
    if (e->settings->dots_on && ci.grey && ci.bin && !ci.fed_binary &&
        dotted_print(ci.grey, ci.bin, pg))
        smooth_dots(&ci);
    rg.ox = cut.x + src->ox;
    rg.oy = cut.y + src->oy;
    int rc = DG_OK;
    if (!ci.grey || !ci.bin)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else if (single)
        rc = read_line_best(e, &ci, &rg, lv, err);
    else
        rc = read_block(e, &ci, rg, lv, err);
    pixDestroy(&ci.grey);
    pixDestroy(&ci.bin);
    return rc;
}

/* Faded print the cleaned page lost (s012's 史燕, 1995.3, 理学硕士: ink
 * 15-25 grey levels under the paper, which the background step lifts to
 * white or leaves as a few fragments) is looked for again in the cell on
 * the scan's own grey.  There the paper is flattened by a grey closing
 * (FADED_CELL_CLOSE px at half size: wider than a stroke, so a stain's
 * slow change is background and a stroke is not), and ink is what lies
 * FADED_CELL_DEPTH levels under it: rules (the page's rule mask) are not
 * ink, specks are not text but stay when near it (a date's dot). */
#define FADED_CELL_DEPTH 14
#define FADED_CELL_CLOSE 7
/* A faded cell's reading is kept only from this confidence on: the scan's
 * grey of an empty cell holds stain and grain that read as 兴, 2 人 at
 * 0-40 (samples: a faded 男 read at 42-92, 1993.9 at 70-92). */
#define FADED_CELL_MIN_CONF 50.0

/* Ink of the flattened cell g: t without rules (*loc without specks);
 * 0 when out of memory. */
static int faded_cell_ink(const ocr_page *pg, PIX *g, ocr_box b, PIX **t, PIX **loc)
{
    *t = pixThresholdToBinary(g, 255 - FADED_CELL_DEPTH);
    PIX *rules = *t && pg->rules ? clip(pg->rules, b) : NULL;
    if (rules) {
        pixDilateBrick(rules, rules, 5, 5);
        pixSubtract(*t, *t, rules);
    }
    pixDestroy(&rules);
    *loc = *t ? without_specks(*t, pg->dpi) : NULL;
    return *loc != NULL;
}

/* The smallest cell side looked at: Leptonica's flattening needs 7 px, and
 * no line of text is under 16 px (2.7 mm at the least scanner resolution). */
#define FADED_CELL_MIN_SIDE 16

/* Box b of the page as a faded cell's images: `feed` the scan's grey
 * flattened, with what is not ink near the text white and the ink
 * stretched to black; `bin` that ink; `loc` without specks.  1 when made,
 * 0 when the crop cannot be flattened (Leptonica finds no paper in a crop
 * all dark, or one under 7 px), -1 when out of memory. */
static int faded_cell_src(const ocr_page *pg, ocr_box b, page_src *at)
{
    PIX *scan = scan_crop(pg, b);
    PIX *sm = scan ? pixBlockconvGray(scan, NULL, 1, 1) : NULL;
    pixDestroy(&scan);
    if (!sm)
        return -1;
    at->feed = pixBackgroundNormMorph(sm, NULL, 2, FADED_CELL_CLOSE, 255);
    pixDestroy(&sm);
    if (!at->feed)
        return 0;
    PIX *t = NULL;
    if (!faded_cell_ink(pg, at->feed, b, &t, &at->loc)) {
        pixDestroy(&t);
        return -1;
    }
    int k = pg->dpi / 12; /* "near the text": within a twelfth of an inch */
    at->bin = pixDilateBrick(NULL, at->loc, k, k);
    if (at->bin)
        pixAnd(at->bin, at->bin, t);
    pixDestroy(&t);
    PIX *white = at->bin ? pixDilateBrick(NULL, at->bin, 3, 3) : NULL;
    if (!white)
        return -1;
    pixInvert(white, white);
    pixSetMasked(at->feed, white, 255);
    pixDestroy(&white);
    /* the ink's middle grey black, half the depth under the paper white */
    l_float32 mid = 0;
    if (pixGetRankValueMasked(at->feed, at->loc, 0, 0, 1, 0.5f, &mid, NULL) == 0 &&
        mid < 255 - FADED_CELL_DEPTH / 2)
        pixGammaTRC(at->feed, at->feed, 1.0f, (int)mid, 255 - FADED_CELL_DEPTH / 2);
    return 1;
}

/* 1 when the faded ink reaches beyond the ink the cleaned page placed the
 * reading by (was) by more than half a text height: only then can the
 * faded cell read more than the line's own faded reading did. */
static int reaches_beyond(ocr_box was, ocr_box now)
{
    int m = now.h / 2;
    return now.x < was.x - m || now.x + now.w > was.x + was.w + m;
}

/* Area of a cell read again from the scan's grey into lv (nothing when
 * the scan shows no ink there, or no more than the cleaned page did). */
static int read_faded_cell(ocr_engine *e, const ocr_page *pg, const page_src *src,
                           ocr_box area, region rg, int block, line_vec *lv, dg_err *err)
{
    page_src at = {NULL, NULL, NULL, src->ox + area.x, src->oy + area.y, 0, 1};
    ocr_box whole = {0, 0, area.w, area.h}, was, now;
    int rc = DG_OK;
    if (area.w < FADED_CELL_MIN_SIDE || area.h < FADED_CELL_MIN_SIDE)
        return DG_OK;
    int made = faded_cell_src(pg, (ocr_box){at.ox, at.oy, area.w, area.h}, &at);
    if (made < 0)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else if (!made || !ink_box(at.loc, whole, min_ink(pg->dpi), &now))
        ; /* nothing there either */
    else if (!ink_box(src->loc, area, min_ink(pg->dpi), &was) ||
             reaches_beyond((ocr_box){was.x - area.x, was.y - area.y, was.w, was.h}, now))
        rc = read_area_split(e, pg, &at, whole, rg, block, 0, lv, err);
    pixDestroy(&at.feed);
    pixDestroy(&at.bin);
    pixDestroy(&at.loc);
    return rc;
}

/* A cell whose reading may have missed faded print: the cleaned page shows
 * it no ink, or ink that is all lighter than FADED_INK_LEVEL (its darkest
 * tenth: fragments of faded print are light, a dark value's are not). */
static int may_be_faded(const ocr_engine *e, const ocr_page *pg, const page_src *src,
                        ocr_box area, double conf)
{
    if (!reads_scan_grey(pg, src) || !e->settings->faded_cells_on)
        return 0;
    if (conf < 0)
        return 1;
    PIX *g = clip(src->feed, area), *b = clip(src->bin, area);
    l_float32 ink = 0;
    int faint = g && b && pixGetRankValueMasked(g, b, 0, 0, 1, 0.1f, &ink, NULL) == 0 &&
                ink >= FADED_INK_LEVEL;
    pixDestroy(&g);
    pixDestroy(&b);
    return faint;
}

/* In a cell, a first reading under RETRY_CONF may be crossed by a lighter
 * print, and one under FADED_RETRY_CONF may have missed faded print: each
 * is read again that way, and the most confident reading is kept (a faded
 * cell's only from FADED_CELL_MIN_CONF, over the lines the page keeps). */
static int read_cell_area(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                          region rg, int block, line_vec *lv, dg_err *err)
{
    int lighter = e->settings->lighter_on && !pg->bilevel && pixGetDepth(src->feed) == 8;
    line_vec first = {0}, light = {0}, fade = {0};
    int rc = read_area_split(e, pg, src, area, rg, block, 0, &first, err), done = 0;
    if (rc == DG_OK && lighter && vec_conf(&first) < RETRY_CONF)
        rc = read_under_lighter_print(e, pg, src, area, rg, block, 0, &light, &done, err);
    line_vec *keep = done && vec_conf(&light) > vec_conf(&first) ? &light : &first;
    double kc = vec_conf(keep);
    if (rc == DG_OK && kc < FADED_RETRY_CONF && may_be_faded(e, pg, src, area, vec_conf(&first)))
        rc = read_faded_cell(e, pg, src, area, rg, block, &fade, err);
    /* a faded reading the page would drop (letters alone under 60) does
     * not replace one it keeps */
    double fc = mean_conf(&fade, 1);
    if (fc > kc && fc >= FADED_CELL_MIN_CONF)
        keep = &fade;
    if (rc == DG_OK && vec_move(lv, keep))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    vec_free(&first);
    vec_free(&light);
    vec_free(&fade);
    return rc;
}

/* Inside a cell several bands read better as one block (hard cards: CER
 * 0.56 -> 0.64 when split); outside, a band is a title or header line
 * that a speck row above it must not drag into a block. */
static int read_area(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                     region rg, int block, line_vec *lv, dg_err *err)
{
    return rg.cell < 0 ? read_area_split(e, pg, src, area, rg, block, 1, lv, err)
                       : read_cell_area(e, pg, src, area, rg, block, lv, err);
}

/* Paper is 255 after background normalisation; faded values sit at
 * 200-235 where Sauvola (tuned against stains) drops them.  225 measured
 * best on the samples (235 takes in noise: hard CER 0.518 -> 0.530). */
#define FAINT_GREY 225

/* Ink as the cleaned grey shows it: everything darker than FAINT_GREY,
 * without specks (components under dpi/40 both ways).  NULL when out of
 * memory. */
static PIX *faint_ink(const ocr_page *pg)
{
    PIX *t = pixThresholdToBinary(pg->grey, FAINT_GREY);
    int min = pg->dpi / 40 > 3 ? pg->dpi / 40 : 3;
    PIX *m = t ? pixSelectBySize(t, min, min, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL)
               : NULL;
    pixDestroy(&t);
    return m;
}

/* One page's cells as a crew job: each cell's lines go to its own vector,
 * merged in cell order once all are read. */
typedef struct cells_ctx {
    const ocr_page *pg;
    const page_src *src;
    const ocr_cell *cells;
    line_vec *out;
} cells_ctx;

static int read_cell(void *ctx, ocr_engine *e, size_t i, dg_err *err)
{
    cells_ctx *c = ctx;
    int in = e->settings->cell_inset;
    ocr_box b = c->cells[i].box;
    ocr_box inner = {b.x + in, b.y + in, b.w - 2 * in, b.h - 2 * in};
    region rg = {0, 0, (int)i, {0, b.y, b.x, 0, 0}, 1.0, NULL, 0};
    return read_area(e, c->pg, c->src, inner, rg, (int)i, &c->out[i], err);
}

/* Read the cells alone, or with the engine's crew. */
static int read_cells_with(ocr_engine *e, cells_ctx *ctx, size_t n, dg_err *err)
{
    if (!e->crew) {
        int rc = DG_OK;
        for (size_t i = 0; i < n && rc == DG_OK; i++)
            rc = read_cell(ctx, e, i, err);
        return rc;
    }
    ocr_crew_job job = {.n = n, .read = read_cell, .ctx = ctx};
    return ocr_crew_run(e->crew, e, &job, err);
}

static int read_cells(ocr_engine *e, const ocr_page *pg, const page_src *src,
                      const ocr_cell *cells, size_t n, line_vec *lv, dg_err *err)
{
    cells_ctx ctx = {pg, src, cells, n ? calloc(n, sizeof(line_vec)) : NULL};
    int rc = n && !ctx.out ? dg_err_set(err, DG_ENOMEM, "out of memory")
                           : read_cells_with(e, &ctx, n, err);
    for (size_t i = 0; i < n && ctx.out; i++) {
        if (rc == DG_OK && vec_move(lv, &ctx.out[i]))
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
        vec_free(&ctx.out[i]);
    }
    free(ctx.out);
    return rc;
}

/* Where text is looked for: binary OR faded-grey ink.  Sauvola keeps only
 * fragments of faded values, and a crop cut to the fragments loses the rest
 * of the characters.  Made before any cell is read: helpers of the crew
 * share it read-only.  NULL when out of memory. */
static PIX *page_ink(const ocr_page *pg)
{
    if (pg->bilevel)
        return pixClone(pg->bin);
    PIX *faint = faint_ink(pg);
    if (faint)
        pixOr(faint, faint, pg->bin);
    return faint;
}

/* The table area: the box around all cells. */
static ocr_box table_box(const ocr_cell *cells, size_t n)
{
    int x0 = 1 << 30, y0 = 1 << 30, x1 = 0, y1 = 0;
    for (size_t i = 0; i < n; i++) {
        ocr_box b = cells[i].box;
        x0 = b.x < x0 ? b.x : x0;
        y0 = b.y < y0 ? b.y : y0;
        x1 = b.x + b.w > x1 ? b.x + b.w : x1;
        y1 = b.y + b.h > y1 ? b.y + b.h : y1;
    }
    return n ? (ocr_box){x0, y0, x1 - x0, y1 - y0} : (ocr_box){0, 0, 0, 0};
}

/* Ink without specks: components under dpi/25 both ways (noise, stain
 * grain, bleed-through dots) dropped.  On the samples dpi/25 placed crops
 * best (F1 0.914 -> 0.925; dpi/40 0.922, dpi/18 0.918, dpi/12 0.890).  NULL
 * when out of memory. */
static PIX *without_specks(PIX *ink, int dpi)
{
    int min = dpi / 25 > 3 ? dpi / 25 : 3;
    return pixSelectBySize(ink, min, min, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
}

/* Boxes on one text row (each overlaps the other's middle row) with a gap
 * under `share` of the taller one's height are joined, until none is. */
static void join_near_on_row(BOXA *b, double share)
{
    for (int joined = 1; joined;) {
        joined = 0;
        for (int i = 0; i < boxaGetCount(b) && !joined; i++)
            for (int j = 0; j < boxaGetCount(b) && !joined; j++) {
                l_int32 x0, y0, w0, h0, x1, y1, w1, h1;
                boxaGetBoxGeometry(b, i, &x0, &y0, &w0, &h0);
                boxaGetBoxGeometry(b, j, &x1, &y1, &w1, &h1);
                int h = h0 > h1 ? h0 : h1, gap = x1 - (x0 + w0);
                if (i == j || gap < 0 || gap > share * h || y0 + h0 / 2 < y1 ||
                    y0 + h0 / 2 > y1 + h1 || y1 + h1 / 2 < y0 || y1 + h1 / 2 > y0 + h0)
                    continue;
                int ux = x0, uy = y0 < y1 ? y0 : y1;
                int ur = x1 + w1, ub = y0 + h0 > y1 + h1 ? y0 + h0 : y1 + h1;
                BOX *u = boxCreate(ux, uy, ur - ux, ub - uy);
                if (!u)
                    return;
                boxaReplaceBox(b, i, u);
                boxaRemoveBox(b, j);
                joined = 1;
            }
    }
}

/* Phrases of text: ink without specks (which on hard pages reach every
 * pixel row and joined a title, a header line and the table's top into one
 * band) closed along the line over gaps up to a quarter inch, so the
 * characters of a phrase join and phrases a wide gap apart (系（所）：化学系
 * ... 第1页 共1页) are read apart.  Boxes under dpi/12 tall (6 pt: rule
 * stubs, dots) or dpi/20 wide are dropped, overlapping ones joined and so are
 * ones on a row less than 2.5 heights apart, the rest sorted top to bottom.
 * NULL when out of memory. */
static BOXA *phrase_boxes(PIX *bin, int dpi)
{
    PIX *big = without_specks(bin, dpi);
    PIX *closed = big ? ocr_close_brick(big, dpi / 4 | 1, dpi / 25 | 1) : NULL;
    BOXA *all = closed ? pixConnCompBB(closed, 8) : NULL;
    pixDestroy(&big);
    pixDestroy(&closed);
    BOXA *tall = all ? boxaSelectBySize(all, 0, dpi / 12, L_SELECT_HEIGHT, L_SELECT_IF_GTE,
                                        NULL)
                     : NULL;
    boxaDestroy(&all);
    BOXA *wide = tall ? boxaSelectBySize(tall, dpi / 20, 0, L_SELECT_WIDTH, L_SELECT_IF_GTE, NULL)
                      : NULL;
    boxaDestroy(&tall);
    /* A box that overlaps another (a stain's or a seal's ink around a
     * footer) would read the other's text a second time: they are read as
     * one (a 150 dpi copy of s007 read its footer twice). */
    BOXA *merged = wide ? boxaCombineOverlaps(wide, NULL) : NULL;
    boxaDestroy(&wide);
    wide = merged;
    /* A label and its value a character or two apart (系（所）： 机械系)
     * are one phrase: alone, the short label read as 系所 ）， or 票 ：（ 所 ）
     * and extraction lost the ledger's department.  2.5 heights joined them
     * on 7 of 8 ledger pages at F1 -0.0006 (2.0: 6 of 8, 3.5: F1 -0.0016). */
    if (wide)
        join_near_on_row(wide, 2.5);
    BOXA *sorted = wide ? boxaSort(wide, L_SORT_BY_Y, L_SORT_INCREASING, NULL) : NULL;
    boxaDestroy(&wide);
    return sorted;
}

/* 1 when a and b share rows. */
static int rows_overlap(ocr_box a, ocr_box b)
{
    return a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Phrase i widened by up to `reach` on each side, but at most half way to
 * a neighbouring phrase on the same rows: a colon or full stop after the
 * last character is specks only and is not in the box it ends. */
static ocr_box phrase_reach(BOXA *phrases, int i, int reach, ocr_box page)
{
    l_int32 x, y, w, h;
    boxaGetBoxGeometry(phrases, i, &x, &y, &w, &h);
    ocr_box b = {x, y, w, h};
    int left = x - reach, right = x + w + reach;
    for (int j = 0; j < boxaGetCount(phrases); j++) {
        boxaGetBoxGeometry(phrases, j, &x, &y, &w, &h);
        ocr_box o = {x, y, w, h};
        if (j == i || !rows_overlap(b, o))
            continue;
        if (o.x + o.w <= b.x && (o.x + o.w + b.x) / 2 > left)
            left = (o.x + o.w + b.x) / 2;
        if (o.x >= b.x + b.w && (b.x + b.w + o.x) / 2 < right)
            right = (b.x + b.w + o.x) / 2;
    }
    left = left < page.x ? page.x : left;
    right = right > page.x + page.w ? page.x + page.w : right;
    return (ocr_box){left, b.y, right - left, b.h};
}

/* Everything outside the table area, phrase by phrase. */
static int read_rest(ocr_engine *e, const ocr_page *pg, const page_src *src,
                     const ocr_cell *cells, size_t n, int block0, line_vec *lv, dg_err *err)
{
    PIX *feed = src->feed;
    PIX *bin = pixCopy(NULL, src->bin);
    /* The image read is masked too: a band with ink on both sides of the
     * table (margin stains) has an ink box across it, and its crop read a
     * table row a second time (s010: 入学时间 ... twice). */
    PIX *fm = n ? pixCopy(NULL, feed) : pixClone(feed);
    if (!bin || !fm) {
        pixDestroy(&bin);
        pixDestroy(&fm);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    /* Mask the table grown over its rules, so rule remnants between cells
     * are not read as text. */
    int m = pg->dpi / 25;
    ocr_box t = table_box(cells, n);
    if (n) {
        pixRasterop(bin, t.x - m, t.y - m, t.w + 2 * m, t.h + 2 * m, PIX_CLR, NULL, 0, 0);
        pixRasterop(fm, t.x - m, t.y - m, t.w + 2 * m, t.h + 2 * m,
                    pixGetDepth(fm) == 1 ? PIX_CLR : PIX_SET, NULL, 0, 0);
    }
    /* Phrases are found without specks already; inside a phrase's box the
     * raw ink places the crop (with specks dropped there too: F1 -0.003). */
    page_src rest = {fm, bin, bin, 0, 0, 0, 0};
    BOXA *phrases = phrase_boxes(bin, pg->dpi);
    int rc = phrases ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
    ocr_box page = {0, 0, pixGetWidth(bin), pixGetHeight(bin)};
    for (int i = 0; phrases && i < boxaGetCount(phrases) && rc == DG_OK; i++) {
        ocr_box b = grow_within(phrase_reach(phrases, i, pg->dpi / 10, page), pg->dpi / 60 + 1,
                                page);
        region rg = {0, 0, -1, {0, b.y, b.x, 0, 0}, 1.0, NULL, 0};
        rc = read_area(e, pg, &rest, b, rg, block0 + i, lv, err);
    }
    boxaDestroy(&phrases);
    pixDestroy(&bin);
    pixDestroy(&fm);
    return rc;
}

/* Reading order: bands by top (within a tolerance), then x, then the
 * line's own position inside its cell. */
static int key_cmp(const line_key *a, const line_key *b, int tol)
{
    if (a->side != b->side)
        return a->side < b->side ? -1 : 1;
    if (abs(a->top - b->top) > tol)
        return a->top < b->top ? -1 : 1;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return (a->sub > b->sub) - (a->sub < b->sub);
}

/* Lines top to bottom, a row's left to right; on a two-page spread (ng
 * gutters) the left page's before the right's, each line on the side of
 * its middle. */
static void order_lines(line_vec *lv, int tol, const int *gutter, int ng)
{
    for (size_t i = 0; i < lv->n; i++) {
        int mid = lv->v[i].box.x + lv->v[i].box.w / 2;
        lv->k[i].side = 0;
        while (lv->k[i].side < ng && mid > gutter[lv->k[i].side])
            lv->k[i].side++;
    }
    /* insertion sort: a few hundred lines at most, and it is stable */
    for (size_t i = 1; i < lv->n; i++) {
        ocr_line l = lv->v[i];
        line_key k = lv->k[i];
        size_t j = i;
        while (j > 0 && key_cmp(&lv->k[j - 1], &k, tol) > 0) {
            lv->v[j] = lv->v[j - 1];
            lv->k[j] = lv->k[j - 1];
            j--;
        }
        lv->v[j] = l;
        lv->k[j] = k;
    }
}

/* Word boxes: the line box cut by character count, then mapped. */
static void place_words(ocr_line *l, const ocr_geom *g)
{
    size_t total = 0;
    for (size_t j = 0; j < l->nwords; j++)
        total += ocr_utf8_len(l->words[j].text);
    size_t before = 0;
    for (size_t j = 0; j < l->nwords; j++) {
        size_t len = ocr_utf8_len(l->words[j].text);
        int x0 = l->box.x + (int)((double)l->box.w * before / (total ? total : 1));
        int x1 = l->box.x + (int)((double)l->box.w * (before + len) / (total ? total : 1));
        ocr_box wb = {x0, l->box.y, x1 > x0 ? x1 - x0 : 1, l->box.h};
        l->words[j].box = ocr_geom_box_to_original(g, wb);
        before += len;
    }
    l->box = ocr_geom_box_to_original(g, l->box);
}

static int line_has_han(const ocr_line *l)
{
    return dg_has_han(l->text);
}

/* 1 when the line holds a letter, digit or Han ideograph.  Rule remnants
 * and specks read as "|", "，", "-" with high confidence (46 such lines on
 * the 16 samples) and no record value is punctuation alone. */
static int line_has_word(const ocr_line *l)
{
    const char *text = l->text;
    size_t n = text ? strlen(text) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t c = dg_utf8_next(text, n, &i);
        if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
            dg_is_han(c))
            return 1;
    }
    return 0;
}

/* Outside the cells, a line of one letter or digit and marks is a rule
 * piece or speck the grid did not take in ("| 4", "(1!" beside a table edge
 * beyond the cells); a lone page number goes with it. */
static int lone_mark_outside(const ocr_line *l)
{
    if (l->cell >= 0 || line_has_han(l))
        return 0;
    int alnum = 0;
    for (const char *p = l->text; *p; p++)
        alnum += (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z');
    return alnum < 2;
}

static int speck_like(const char *text)
{
    size_t len = ocr_leading_marks(text);
    return len && !text[len];
}

/* The line's text again from its words, after words were changed. */
static int rebuild_text(ocr_line *l)
{
    char *joined = ocr_join_words(l->words, l->nwords);
    char *tidy = joined ? ocr_tidy_text(joined) : NULL;
    free(joined);
    if (!tidy)
        return DG_ENOMEM;
    free(l->text);
    l->text = tidy;
    return DG_OK;
}

/* Words for which drop() holds leave l, and its text is rebuilt. */
static int drop_words(ocr_line *l, int (*drop)(const char *text))
{
    remove_words(l, drop);
    return rebuild_text(l);
}

/* Specks beside a value read as marks of their own ("1995.3 ..",
 * "1993.9 、"): such a word, in a line that has letters, digits or Han, is
 * dropped and the line's text rebuilt from the rest. */
static int drop_stray_marks(ocr_line *l)
{
    size_t kept = 0;
    for (size_t j = 0; j < l->nwords; j++)
        kept += !speck_like(l->words[j].text);
    return !kept || kept == l->nwords ? DG_OK : drop_words(l, speck_like);
}

/* Specks read as marks at the start of a line, before a character
 * (ocr_trim_marks_before_han): out of its first word and its text alike,
 * so the text keeps Tesseract's spacing (第1页, not 第 1 页 rebuilt from
 * words). */
static int trim_marks_before_han(ocr_line *l)
{
    if (l->nwords && ocr_trim_marks_before_han(l->words[0].text))
        ocr_trim_marks_before_han(l->text);
    return DG_OK;
}

/* A colon closes the label before it (填表单位：): none starts a line of
 * Chinese print, nor follows another.  Such a colon is a speck or a seal's
 * dot read so (：浙江大学研究生院制 under a seal, 经办人： ：万振华) and goes,
 * out of the words and the text alike (the text keeps Tesseract's
 * spacing); 1 when nothing of the line is left. */
static int drop_stray_colons(ocr_line *l)
{
    int changed = 0, after_colon = 1; /* the line's start: as after a colon */
    for (size_t j = 0; j < l->nwords; j++)
        changed |= ocr_strip_stray_colons(l->words[j].text, &after_colon);
    if (!changed)
        return 0;
    remove_words(l, empty_text);
    after_colon = 1;
    ocr_strip_stray_colons(l->text, &after_colon);
    return l->nwords == 0;
}

/* 1 when the text is a number or date: digits, marks, spaces and 年月日
 * only, with at least one digit. */
static int numeric_text(const char *t)
{
    int digits = 0;
    for (const char *p = t; *p;) {
        size_t n = ocr_mark_at(p);
        if (*p >= '0' && *p <= '9')
            digits = 1, n = 1;
        else if (*p == ' ')
            n = 1;
        else if (!n && (!strncmp(p, "年", 3) || !strncmp(p, "月", 3) || !strncmp(p, "日", 3)))
            n = 3;
        if (!n)
            return 0;
        p += n;
    }
    return digits;
}

/* Numbers and dates in a cell neither begin nor end with a mark; specks
 * touching them are read into them ("50.10.", "1978.10,", "-1981.7"). */
static int trim_number_marks(ocr_line *l)
{
    if (l->cell < 0 || !l->nwords || !numeric_text(l->text))
        return DG_OK;
    char *first = l->words[0].text, *last = l->words[l->nwords - 1].text;
    size_t lead = ocr_leading_marks(first), n;
    size_t end = strlen(last), cut = end;
    for (size_t i = 0; i < end;) { /* the last run of marks reaching the end */
        n = ocr_mark_at(last + i);
        if (!n) {
            dg_utf8_next(last, end, &i);
            cut = end;
        } else {
            if (cut == end)
                cut = i;
            i += n;
        }
    }
    if (!lead && cut == end)
        return DG_OK;
    if (lead)
        memmove(first, first + lead, strlen(first + lead) + 1);
    if (cut != end)
        last[cut - (l->nwords == 1 ? lead : 0)] = '\0';
    return drop_words(l, empty_text);
}

/* In a cell holding only a number or date, a colon or comma between two
 * digits is its dot read wrong (52:05, 1957:4, 84:09 for 52.05; samples:
 * F1 +0.0004). */
static int number_dots(ocr_line *l)
{
    if (l->cell < 0 || !ocr_bare_number(l->text))
        return DG_OK;
    int changed = 0;
    for (size_t j = 0; j < l->nwords; j++)
        changed |= ocr_number_dots(l->words[j].text);
    return changed ? rebuild_text(l) : DG_OK;
}

static int line_has_digit(const ocr_line *l)
{
    return l->text && strpbrk(l->text, "0123456789") != NULL;
}

static int line_has_latin(const ocr_line *l)
{
    for (const unsigned char *p = (const unsigned char *)l->text; p && *p; p++)
        if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
            return 1;
    return 0;
}

/* Text in place of *text, widened; 0 on success. */
static int widen_in_place(char **text, int narrow_parens)
{
    char *w = ocr_widen_punctuation(*text, narrow_parens);
    if (!w)
        return DG_ENOMEM;
    free(*text);
    *text = w;
    return DG_OK;
}

static int widen_line(ocr_line *l, int narrow_parens)
{
    int rc = widen_in_place(&l->text, narrow_parens);
    return rc == DG_OK ? ocr_widen_words(l->words, l->nwords, narrow_parens) : rc;
}

/* Marks no record text uses, out of every word; a word left empty goes. */
static int drop_foreign(ocr_line *l)
{
    size_t dropped = 0;
    for (size_t j = 0; j < l->nwords; j++)
        dropped += ocr_drop_foreign_marks(l->words[j].text);
    return dropped ? drop_words(l, empty_text) : DG_OK;
}

/* The settings' text filters on line l; nonzero when l is to be dropped
 * (noise, or out of memory while rewriting it). */
static int filter_line(ocr_line *l, const ocr_settings *s, int narrow_parens)
{
    if (s->filter_on && (drop_foreign(l) || !line_has_word(l) || lone_mark_outside(l) ||
                         drop_stray_marks(l) || trim_marks_before_han(l) || drop_stray_colons(l) ||
                         trim_number_marks(l) || number_dots(l)))
        return 1;
    return s->widen_on && widen_line(l, narrow_parens);
}

/* The least confidence line l is kept at. */
static float line_floor(const ocr_line *l)
{
    /* Rare Han characters (surnames) score 0 even when read right, and
     * noise rarely reads as Han: a cell's Han line is kept on less.  Han
     * mixed with Latin letters is noise read both ways (-所业1TN1I可):
     * record values do not mix them. */
    if (l->cell >= 0 && line_has_han(l) && !line_has_latin(l))
        return 0.0f;
    /* Letters alone, without a digit or Han, are how chi_sim and eng read
     * stain grain and seal residue ("ae", "saps fo", "RES"); no value of
     * these records is Latin words, IDs carry digits. */
    if (line_has_latin(l) && !line_has_han(l) && !line_has_digit(l))
        return 60.0f;
    /* Noise read as text comes back with a very low confidence; a real
     * value in a cell earns some benefit of the doubt. */
    return l->cell >= 0 ? 20.0f : 40.0f;
}

/* Drop lines that read as nothing, map boxes, compute the mean confidence. */
static void finish_lines(line_vec *lv, const ocr_settings *s, const ocr_geom *g, ocr_result *r)
{
    size_t k = 0;
    double sum = 0;
    for (size_t i = 0; i < lv->n; i++) {
        ocr_line *l = &lv->v[i];
        if (!l->text || l->conf < line_floor(l) || filter_line(l, s, lv->k[i].narrow_parens)) {
            line_release(l);
            continue;
        }
        place_words(l, g);
        sum += l->conf;
        lv->v[k++] = *l;
    }
    r->lines = lv->v;
    r->nlines = k;
    r->mean_conf = k ? sum / (double)k : 0;
    free(lv->k);
}

static int find_cells(const ocr_page *pg, const ocr_settings *s, ocr_cell **cells, size_t *n,
                      dg_err *err)
{
    *cells = NULL;
    *n = 0;
    if (!pg->rules || !s->cells_on)
        return DG_OK;
    if (ocr_grid_cells(pg->rules, s, cells, n))
        return dg_err_set(err, DG_ENOMEM, "out of memory finding table cells");
    return DG_OK;
}

/* Pages of a spread told apart in reading order, beyond two to spare. */
#define MAX_GUTTERS 3

static int read_page(ocr_engine *e, ocr_page *pg, ocr_result *r, dg_err *err)
{
    ocr_cell *cells = NULL;
    size_t n = 0;
    int rc = find_cells(pg, e->settings, &cells, &n, err);
    /* 1-bit scans place crops by all their ink already */
    page_src src = {e->settings->feed_binary ? pg->bin : pg->grey, NULL, NULL, 0, 0,
                    e->settings->dots_on && !pg->bilevel, 0};
    src.bin = rc == DG_OK ? page_ink(pg) : NULL;
    /* On a 1-bit scan small components are broken strokes, not specks
     * (the speckle step has run): dropping them cut values (s015 page 2:
     * F1 0.76 -> 0.72). */
    src.loc = !src.bin ? NULL : pg->bilevel ? pixClone(src.bin) : without_specks(src.bin, pg->dpi);
    if (rc == DG_OK && !src.loc)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    line_vec lv = {0};
    if (rc == DG_OK)
        rc = read_cells(e, pg, &src, cells, n, &lv, err);
    if (rc == DG_OK)
        rc = read_rest(e, pg, &src, cells, n, (int)n, &lv, err);
    pixDestroy(&src.bin);
    pixDestroy(&src.loc);
    int gutter[MAX_GUTTERS];
    int ng = n ? ocr_grid_gutters(pg->rules, cells, n, gutter, MAX_GUTTERS) : 0;
    order_lines(&lv, pg->dpi / 20, gutter, ng);
    finish_lines(&lv, e->settings, &pg->geom, r);
    for (size_t i = 0; i < n; i++)
        cells[i].box = ocr_geom_box_to_original(&pg->geom, cells[i].box);
    r->cells = cells;
    r->ncells = n;
    dg_buf_addf(&pg->log, ",{\"step\":\"grid\",\"on\":%s,\"cells\":%zu}",
                e->settings->cells_on ? "true" : "false", n);
    return rc;
}

/* A page whose mean line confidence is below this may be turned. */
#define ORIENT_CHECK_CONF 60.0
/* ... and below this, with no direction from OSD, it is read every way. */
#define ORIENT_RETRY_CONF 40.0

/* Clean page *ppix turned by quads quarter turns and read it into *out.
 * The decoded page (35 MB for colour A4 at 300 dpi) is freed by the
 * clean-up as soon as it is grey, not held through recognition. */
static int read_turned(ocr_engine *e, PIX **ppix, const ocr_source *src, int quads,
                       double quads_conf, ocr_result **out, dg_err *err)
{
    ocr_result *r = calloc(1, sizeof *r);
    if (!r) {
        pixDestroy(ppix);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    r->width = src->width;
    r->height = src->height;
    ocr_page pg;
    int rc = ocr_page_clean(e, ppix, src, quads, quads_conf, &pg, err);
    if (rc == DG_OK)
        rc = read_page(e, &pg, r, err);
    r->skew_deg = pg.skew_deg;
    r->orientation = pg.orientation;
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_addf(&b, "[%s]", pg.log.data ? pg.log.data : "");
    r->cleanup_json = dg_buf_detach(&b);
    ocr_page_release(&pg);
    if (rc == DG_OK && !r->cleanup_json)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    *out = r;
    return rc;
}

/* OSD on the page as scanned (decoded from src), converted to grey. */
static int r_quads(ocr_engine *e, PIX *pix, const ocr_source *src, double *conf)
{
    PIX *g = pixConvertTo8(pix, 0);
    int dpi = (int)((double)ocr_source_dpi(e->settings, src) * pixGetWidth(pix) / src->width);
    int q = g ? ocr_detect_quads(e, g, dpi, conf) : -1;
    pixDestroy(&g);
    return q;
}

/* *r replaced by the page read turned by `quads` clockwise quarter turns
 * (found by OSD with conf, or 0) when that reads more confidently. */
static void try_turned(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                       const ocr_source *src, int reduction, int quads, double conf,
                       ocr_result **r)
{
    PIX *pix = ocr_decode_page_reduced(data, len, page_index, reduction, NULL);
    ocr_result *t = NULL;
    dg_err terr = {0};
    if (pix && read_turned(e, &pix, src, quads, conf, &t, &terr) == DG_OK &&
        t->mean_conf > (*r)->mean_conf) {
        ocr_result_free(r);
        *r = t;
    } else {
        ocr_result_free(&t);
    }
    pixDestroy(&pix);
}

static int read_scan_page(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                          ocr_result **out, dg_err *err)
{
    ocr_source src;
    if (ocr_page_source(data, len, page_index, &src))
        return dg_err_set(err, DG_EINPUT, "cannot read the header of page %d", page_index + 1);
    int reduction = ocr_decode_reduction(e->settings, &src);
    PIX *pix = ocr_decode_page_reduced(data, len, page_index, reduction, err);
    if (!pix)
        return DG_EINPUT;
    ocr_result *r = NULL;
    double osd_conf = 0;
    int rc = read_turned(e, &pix, &src, 0, 0, &r, err);
    if (rc) {
        ocr_result_free(&r);
        return rc;
    }
    /* Most pages come upright: OSD only runs when the upright reading is
     * poor (the page is decoded again then), and a turned reading
     * replaces it only when it reads better. */
    int poor = e->settings->orientation_on && r->mean_conf < ORIENT_CHECK_CONF;
    pix = poor ? ocr_decode_page_reduced(data, len, page_index, reduction, NULL) : NULL;
    int q = pix ? r_quads(e, pix, &src, &osd_conf) : 0;
    pixDestroy(&pix);
    ocr_osd_release(e);
    int tried = q > 0 && osd_conf >= e->settings->orientation_min_conf ? q : 0;
    if (tried)
        try_turned(e, data, len, page_index, &src, reduction, tried, osd_conf, &r);
    /* OSD finds no direction on some faded or stained pages turned on their
     * side (s010, s011 and s012 turned read at F1 0.10-0.23); a page read
     * this poorly (the samples upright: 64 and more) is read each other way
     * round until one reads well: as well as an upright page, not merely
     * above this bar (s011 turned a quarter read upside down at 41 and
     * stopped there, before the way that reads it at 82). */
    int lost = poor && r->mean_conf < ORIENT_RETRY_CONF;
    for (int k = 1; lost && k <= 3 && r->mean_conf < ORIENT_CHECK_CONF; k++)
        if (k != tried)
            try_turned(e, data, len, page_index, &src, reduction, k, 0, &r);
    *out = r;
    return DG_OK;
}

int ocr_engine_read(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                    ocr_result **out, dg_err *err)
{
    *out = NULL;
    if (e->crew)
        ocr_crew_enter(e->crew);
    int rc = read_scan_page(e, data, len, page_index, out, err);
    if (e->crew)
        ocr_crew_leave(e->crew);
    return rc;
}
