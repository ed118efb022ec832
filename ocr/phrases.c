/*
 * phrases.c - the page outside the table (titles, headers, footers, or a
 * page with no grid) found phrase by phrase and read.
 */
#include <stdlib.h>

#include "reading.h"

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

/* Phrases of text: ink without specks (which on noisy pages reach every
 * pixel row and joined a title, a header line and the table's top into one
 * band) closed along the line over gaps up to a quarter inch, so the
 * characters of a phrase join and phrases a wide gap apart (系（所）：化学系
 * ... 第1页 共1页) are read apart.  Boxes under dpi/12 tall (6 pt: rule
 * stubs, dots) or dpi/20 wide are dropped, overlapping ones joined and so are
 * ones on a row less than 2.5 heights apart, the rest sorted top to bottom.
 * NULL when out of memory. */
static BOXA *phrase_boxes(PIX *bin, int dpi)
{
    PIX *big = ocr_without_specks(bin, dpi);
    PIX *closed = big ? ocr_close_brick(big, dpi / 4 | 1, dpi / 25 | 1) : NULL;
    BOXA *all = closed ? pixConnCompBB(closed, 8) : NULL;
    pixDestroy(&big);
    pixDestroy(&closed);
    BOXA *tall =
        all ? boxaSelectBySize(all, 0, dpi / 12, L_SELECT_HEIGHT, L_SELECT_IF_GTE, NULL) : NULL;
    boxaDestroy(&all);
    BOXA *wide =
        tall ? boxaSelectBySize(tall, dpi / 20, 0, L_SELECT_WIDTH, L_SELECT_IF_GTE, NULL) : NULL;
    boxaDestroy(&tall);
    /* A box that overlaps another (a stain's or a seal's ink around a
     * footer) would read the other's text a second time: they are read as
     * one. */
    BOXA *merged = wide ? boxaCombineOverlaps(wide, NULL) : NULL;
    boxaDestroy(&wide);
    wide = merged;
    /* A label and its value a character or two apart (系（所）： 机械系)
     * are one phrase: alone, the short label read as 系所 ）， or 票 ：（ 所 ）
     * and extraction lost the ledger's department.  Much wider joins
     * would take in neighbouring phrases. */
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
int ocr_read_rest(ocr_engine *e, const ocr_page *pg, const page_src *src, const ocr_cell *cells,
                  size_t n, int block0, const line_vec *plain, line_vec *lv, dg_err *err)
{
    PIX *feed = src->feed;
    PIX *bin = pixCopy(NULL, src->bin);
    /* The image read is masked too: a band with ink on both sides of the
     * table (margin stains) has an ink box across it, and its crop read a
     * table row a second time. */
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
     * raw ink places the crop (dropping specks there too lost characters). */
    page_src rest = {fm, bin, bin, 0, 0, 0, 0, plain};
    BOXA *phrases = phrase_boxes(bin, pg->dpi);
    int rc = phrases ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
    ocr_box page = {0, 0, pixGetWidth(bin), pixGetHeight(bin)};
    for (int i = 0; phrases && i < boxaGetCount(phrases) && rc == DG_OK; i++) {
        ocr_box b =
            ocr_grow_within(phrase_reach(phrases, i, pg->dpi / 10, page), pg->dpi / 60 + 1, page);
        region rg = {0, 0, -1, {0, b.y, b.x, 0, 0, 0, 0}, 1.0, NULL, 0};
        rc = ocr_read_area(e, pg, &rest, b, rg, block0 + i, lv, err);
    }
    boxaDestroy(&phrases);
    pixDestroy(&bin);
    pixDestroy(&fm);
    return rc;
}
