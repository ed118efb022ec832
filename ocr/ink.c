/*
 * ink.c - measures of ink on a binary image: ink boxes, text bands,
 * stray specks at a line's ends, one text line inside a taller band.
 */
#include <limits.h>
#include <stdlib.h>

#include "reading.h"

/* Cut box b out of a page image; NULL when out of memory. */
PIX *ocr_clip(PIX *pix, ocr_box b)
{
    BOX *bx = boxCreate(b.x, b.y, b.w, b.h);
    PIX *c = bx ? pixClipRectangle(pix, bx, NULL) : NULL;
    boxDestroy(&bx);
    return c;
}

/* Text bands of a 1 bpp region by its row profile: bands at least minh
 * tall, separated by more than mingap blank rows.  Returns their count;
 * the first MAX_BANDS go into y0/y1 (inclusive rows), the tallest band's
 * height into *tallest. */
int ocr_count_bands(PIX *bin, int mingap, int minh, int *y0, int *y1, long *ink, int *tallest)
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
int ocr_ink_box(PIX *bin, ocr_box b, int min_pixels, ocr_box *ink)
{
    PIX *c = ocr_clip(bin, b);
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
void ocr_trim_strays(PIX *bin, ocr_box *ink, int gap)
{
    PIX *c = ocr_clip(bin, *ink);
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
    PIX *c = ocr_clip(loc, area);
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
int ocr_dense_line(PIX *loc, ocr_box ink, int minh, int maxh, ocr_box *line)
{
    PIX *c = ocr_clip(loc, ink);
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
int ocr_min_ink(int dpi)
{
    return dpi / 20 + 4;
}

long ocr_ink_in(PIX *pix, ocr_box b)
{
    PIX *c = b.w > 0 && b.h > 0 ? ocr_clip(pix, b) : NULL;
    l_int32 n = 0;
    if (c)
        pixCountPixels(c, &n, NULL);
    pixDestroy(&c);
    return n;
}

ocr_box ocr_grow_within(ocr_box b, int m, ocr_box lim)
{
    int x0 = b.x - m < lim.x ? lim.x : b.x - m, y0 = b.y - m < lim.y ? lim.y : b.y - m;
    int x1 = b.x + b.w + m > lim.x + lim.w ? lim.x + lim.w : b.x + b.w + m;
    int y1 = b.y + b.h + m > lim.y + lim.h ? lim.y + lim.h : b.y + b.h + m;
    return (ocr_box){x0, y0, x1 - x0, y1 - y0};
}

/* Ink without specks: components under dpi/25 both ways (noise, stain
 * grain, bleed-through dots) dropped; smaller keeps grain that stretches a
 * crop, larger loses dots and thin strokes.  NULL when out of memory. */
PIX *ocr_without_specks(PIX *ink, int dpi)
{
    int min = dpi / 25 > 3 ? dpi / 25 : 3;
    return pixSelectBySize(ink, min, min, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
}
