/*
 * symbols.c - a reading's symbols measured on the image Tesseract
 * thresholded: the width its parentheses are set in, and a 和 split off a character.
 */
#include <stdlib.h>
#include <string.h>

#include "reading.h"

/* A half-width parenthesis (some cards print 系(所)) and the blank around
 * it take about half a character's width between its neighbours, a
 * full-width （ a whole one, measured between the ink on either side in
 * the parenthesis' own height and in the line's.  Both must say narrow. */
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

/* Ink per column of the image Tesseract thresholded, over rows y0..y1. */
static NUMA *band_columns(PIX *th, int y0, int y1)
{
    PIX *band = ocr_clip(th, (ocr_box){0, y0, pixGetWidth(th), y1 - y0 + 1});
    NUMA *cols = band ? pixCountPixelsByColumn(band) : NULL;
    pixDestroy(&band);
    return cols;
}

/* Rows from the first to the last holding ink in columns x0..x1-1, rows
 * y0..y1 of th. */
static int ink_height(PIX *th, int x0, int x1, int y0, int y1)
{
    PIX *c = ocr_clip(th, (ocr_box){x0, y0, x1 - x0, y1 - y0 + 1});
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
    NUMA *cols;       /* ink per column over the line's rows */
    int y0, y1;       /* its rows in the image read */
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
    double slot = ocr_map_x(rg, before) - ocr_map_x(rg, after);
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

/* Symbol k of line l (its text's code points, spaces not counted) out of
 * its text and its word; a word left empty goes. */
static void drop_symbol(ocr_line *l, size_t k)
{
    drop_code_point(l->text, k);
    for (size_t j = 0; j < l->nwords; j++) {
        size_t n = ocr_utf8_len(l->words[j].text);
        if (k < n) {
            drop_code_point(l->words[j].text, k);
            ocr_remove_words(l, ocr_empty_text);
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
            height =
                TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &x0, &y0, &x1, &y1) ? y1 - y0 : 0;
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

void ocr_measure_symbols(TessBaseAPI *api, const region *rg, line_vec *lv, size_t first)
{
    if (has_text(lv, first, SPLIT_GLYPH))
        drop_split_glyphs(api, lv, first);
    if (has_paren(lv, first))
        measure_parens(api, rg, lv, first);
}
