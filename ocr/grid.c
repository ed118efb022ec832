/*
 * grid.c - ruling lines and the table grid.  Rules are found by morphology
 * (opening with long thin bricks), cells are the regions the rules enclose:
 * connected components of the page minus the rules, which copes with the
 * irregular grids of registration forms (merged cells, rows with different
 * column splits) as well as with the regular lattice of a ledger.
 */
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"

static int count_comps(PIX *p)
{
    l_int32 n = 0;
    pixCountConnComp(p, 8, &n);
    return n;
}

/* 1 when point (x, y) lies on one of the lines (within tol). */
static int on_a_line(BOXA *lines, int x, int y, int tol)
{
    for (int i = 0; i < boxaGetCount(lines); i++) {
        l_int32 bx, by, bw, bh;
        boxaGetBoxGeometry(lines, i, &bx, &by, &bw, &bh);
        if (x >= bx - tol && x <= bx + bw + tol && y >= by - tol && y <= by + bh + tol)
            return 1;
    }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Median of a[0..n) (reordered); -1 when n is 0. */
static int median_int(int *a, int n)
{
    if (n == 0)
        return -1;
    qsort(a, (size_t)n, sizeof *a, cmp_int);
    return a[n / 2];
}

/* The darkest grey under the ink of component c (placed at x, y on the
 * page) on its row i (across a vertical line) or column i (along a
 * horizontal one); 256 when it has no ink there. */
static int darkest_across(PIX *c, PIX *grey, int x, int y, int i, int vertical)
{
    int n = vertical ? pixGetWidth(c) : pixGetHeight(c), min = 256;
    for (int k = 0; k < n; k++) {
        int cx = vertical ? k : i, cy = vertical ? i : k;
        l_uint32 on = 0, g = 255;
        pixGetPixel(c, cx, cy, &on);
        if (on && pixGetPixel(grey, x + cx, y + cy, &g) == 0 && (int)g < min)
            min = (int)g;
    }
    return min;
}

/* Appends to dark[*n] the darkest grey across component c (placed at x, y)
 * on each of its rows [from, to) (vertical) or columns (horizontal) that
 * hold ink. */
static void add_darkness(PIX *c, PIX *grey, int x, int y, int from, int to, int vertical,
                         int *dark, int *n)
{
    for (int i = from; i < to; i++) {
        int d = darkest_across(c, grey, x, y, i, vertical);
        if (d < 256)
            dark[(*n)++] = d;
    }
}

/* How dark a line (component c placed at x, y) is: the median over its
 * rows [from, to) (vertical) or columns (horizontal) of the darkest grey
 * across it; -1 when it has no ink there. */
static int line_darkness(PIX *c, PIX *grey, int x, int y, int from, int to, int vertical)
{
    int *dark = malloc((size_t)(to - from > 0 ? to - from : 1) * sizeof *dark), n = 0;
    if (dark)
        add_darkness(c, grey, x, y, from, to, vertical, dark, &n);
    int med = dark ? median_int(dark, n) : -1;
    free(dark);
    return med;
}

/* 1 when a line of darkness `dark` has under `share` of the contrast
 * against white paper that darkness `ref` has. */
static int contrast_below(int dark, int ref, double share)
{
    return dark >= 0 && ref >= 0 && 255 - dark < (255 - ref) * share;
}

/* A line with under half the contrast of the page's rules (their darkness
 * `rule`) against white paper is too faint to be one. */
static int fainter_than_rules(int dark, int rule)
{
    return contrast_below(dark, rule, 0.5);
}

/* What a rule looks like on this page: the median over every column of
 * every horizontal rule of the darkest grey across it; in *strong, the
 * darkest quarter's bound (-1 when there are none). */
static int rule_darkness(PIX *hor, PIX *grey, int *strong)
{
    PIXA *pa = NULL;
    BOXA *ba = pixConnComp(hor, &pa, 8);
    size_t columns = 1;
    for (int i = 0; ba && i < boxaGetCount(ba); i++) {
        l_int32 w = 0;
        boxaGetBoxGeometry(ba, i, NULL, NULL, &w, NULL);
        columns += (size_t)w;
    }
    int *dark = malloc(columns * sizeof *dark), n = 0;
    for (int i = 0; dark && ba && i < boxaGetCount(ba); i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        PIX *c = pixaGetPix(pa, i, L_CLONE);
        if (c)
            add_darkness(c, grey, x, y, 0, w, 0, dark, &n);
        pixDestroy(&c);
    }
    int med = dark ? median_int(dark, n) : -1;
    *strong = dark && n > 0 ? dark[n / 4] : -1; /* sorted by median_int */
    free(dark);
    boxaDestroy(&ba);
    pixaDestroy(&pa);
    return med;
}

#define SHOW_THROUGH_SHARE (1.0 / 3)

/* Lines of `lines` with under a third of the contrast of the page's
 * darkest rules (`strong`) are the rules of the other side showing through
 * thin paper, or of a sheet beneath: taken for rules they cut the page's
 * cells into pieces (a card with its back's table showing through read
 * poorly), so they move to `folds`, erased but left out of the grid.  A
 * page's own rules, thin faint ones included, keep over half the contrast
 * of its darkest; what goes are creases and specks in a line. */
static void move_faint_lines(PIX *lines, PIX *grey, int strong, int vertical, PIX *folds)
{
    PIXA *pa = NULL;
    BOXA *ba = pixConnComp(lines, &pa, 8);
    for (int i = 0; ba && i < boxaGetCount(ba); i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        PIX *c = pixaGetPix(pa, i, L_CLONE);
        int dark = c ? line_darkness(c, grey, x, y, 0, vertical ? h : w, vertical) : -1;
        if (c && contrast_below(dark, strong, SHOW_THROUGH_SHARE)) {
            pixRasterop(folds, x, y, w, h, PIX_SRC | PIX_DST, c, 0, 0);
            pixRasterop(lines, x, y, w, h, PIX_NOT(PIX_SRC) & PIX_DST, c, 0, 0);
        }
        pixDestroy(&c);
    }
    boxaDestroy(&ba);
    pixaDestroy(&pa);
}

#define CUT_TABLE_LINES 3

/* 1 when the line x, y, w, h has both ends off the lines `other` and
 * reaches beyond their extent e. */
static int fold_candidate(BOXA *other, BOX *e, int x, int y, int w, int h, int vertical, int tol)
{
    l_int32 ex = 0, ey = 0, ew = 0, eh = 0;
    if (e)
        boxGetGeometry(e, &ex, &ey, &ew, &eh);
    int beyond = vertical ? y < ey - tol || y + h > ey + eh + tol
                          : x < ex - tol || x + w > ex + ew + tol;
    int free0 = vertical ? !on_a_line(other, x + w / 2, y, tol)
                         : !on_a_line(other, x, y + h / 2, tol);
    int free1 = vertical ? !on_a_line(other, x + w / 2, y + h - 1, tol)
                         : !on_a_line(other, x + w - 1, y + h / 2, tol);
    return free0 && free1 && beyond;
}

/* Lines of `lines` with neither end on a line of `across` that reach
 * beyond all of `across` are folds or creases, not rules: a table's rules
 * end at other rules (corners, T junctions), a fold runs through the table
 * and off it.  As a rule it cut the values it crossed in two (湖北黄冈
 * -> 湖北 | 本网) or added a column.  They move from `lines` to
 * `folds`, to be erased from the page but left out of the grid.  Three or
 * more such lines as dark as the page's rules (grey and rule given) are
 * the rules of a table the scan cuts at both ends, not folds (a ledger cut
 * out of its page lost its whole grid); a sheet is seldom folded three
 * times one way, and a fold that is as dark as faint rules is one
 * line. */
static void move_folds(PIX *lines, PIX *across, int vertical, int tol, PIX *grey, int rule,
                       PIX *folds)
{
    PIXA *pa = NULL;
    BOXA *mine = pixConnComp(lines, &pa, 8), *other = pixConnCompBB(across, 8);
    BOX *ext = NULL;
    if (other)
        boxaGetExtent(other, NULL, NULL, &ext);
    int n = mine && other ? boxaGetCount(mine) : 0, dark_ones = 0;
    /* per line: 0 not a candidate, 1 a faint (or unjudged) one, 2 a dark one */
    int *kind = calloc((size_t)(n ? n : 1), sizeof *kind);
    for (int i = 0; kind && i < n; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(mine, i, &x, &y, &w, &h);
        if (!fold_candidate(other, ext, x, y, w, h, vertical, tol))
            continue;
        PIX *c = grey && rule >= 0 ? pixaGetPix(pa, i, L_CLONE) : NULL;
        int dark = c ? line_darkness(c, grey, x, y, 0, vertical ? h : w, vertical) : -1;
        pixDestroy(&c);
        kind[i] = dark >= 0 && !fainter_than_rules(dark, rule) ? 2 : 1;
        dark_ones += kind[i] == 2;
    }
    for (int i = 0; kind && i < n; i++) {
        if (kind[i] == 0 || (kind[i] == 2 && dark_ones >= CUT_TABLE_LINES))
            continue;
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(mine, i, &x, &y, &w, &h);
        pixRasterop(folds, x, y, w, h, PIX_SRC | PIX_DST, lines, x, y);
        BOX *b = boxaGetBox(mine, i, L_CLONE);
        pixClearInRect(lines, b);
        boxDestroy(&b);
    }
    free(kind);
    boxDestroy(&ext);
    boxaDestroy(&mine);
    boxaDestroy(&other);
    pixaDestroy(&pa);
}

/* A fold found beyond the table, as the straight line it runs along:
 * x at row y is x0 + (y - y0) * slope. */
typedef struct fold_line {
    double x0, y0, slope;
} fold_line;

/* Mean x of the ink of component c (its own mask) on rows [from, to). */
static double mean_x(PIX *c, int from, int to, int *found)
{
    long sum = 0, n = 0;
    int w = pixGetWidth(c);
    for (int y = from; y < to; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 v = 0;
            pixGetPixel(c, x, y, &v);
            if (v) {
                sum += x;
                n++;
            }
        }
    *found = n > 0;
    return n ? (double)sum / n : 0;
}

/* The lines of the vertical folds in `folds` (at most max); returns count. */
static int vertical_fold_lines(PIX *folds, fold_line *out, int max)
{
    PIXA *pa = NULL;
    BOXA *ba = pixConnComp(folds, &pa, 8);
    int n = 0;
    for (int i = 0; ba && i < boxaGetCount(ba) && n < max; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        if (h < 4 * w || h < 40)
            continue;
        PIX *c = pixaGetPix(pa, i, L_CLONE);
        int a = 0, b = 0, band = h / 10;
        double xt = mean_x(c, 0, band, &a), xb = mean_x(c, h - band, h, &b);
        pixDestroy(&c);
        if (a && b) {
            double yt = y + band / 2.0, yb = y + h - band / 2.0;
            out[n++] = (fold_line){x + xt, yt, (xb - xt) / (yb - yt)};
        }
    }
    boxaDestroy(&ba);
    pixaDestroy(&pa);
    return n;
}

static int on_fold_line(const fold_line *f, int nf, int x, int y, int w, int h, int tol)
{
    for (int i = 0; i < nf; i++) {
        double xt = f[i].x0 + (y - f[i].y0) * f[i].slope;
        double xb = f[i].x0 + (y + h - f[i].y0) * f[i].slope;
        double lo = xt < xb ? xt : xb, hi = xt < xb ? xb : xt;
        if (lo >= x - tol && hi <= x + w + tol)
            return 1;
    }
    return 0;
}

#define MAX_FOLD_LINES 8

/* 1 when a horizontal rule crosses row r of the box x..x+w (within tol). */
static int crosses_rule(PIX *hor, int x, int w, int r, int tol)
{
    BOX *row = boxCreate(x - tol, r, w + 2 * tol, 1);
    l_int32 n = 0;
    if (row)
        pixCountPixelsInRect(hor, row, &n, NULL);
    boxDestroy(&row);
    return n > 0;
}

/* Rows [y0, y1) of component c (placed at x, y) move from ver to folds. */
static void move_piece(PIX *ver, PIX *folds, PIX *c, int x, int y, int y0, int y1)
{
    int w = pixGetWidth(c);
    PIX *piece = pixCreate(w, y1 - y0, 1);
    if (!piece)
        return;
    pixRasterop(piece, 0, 0, w, y1 - y0, PIX_SRC, c, 0, y0 - y);
    pixRasterop(folds, x, y0, w, y1 - y0, PIX_PAINT, piece, 0, 0);
    pixRasterop(ver, x, y0, w, y1 - y0, PIX_NOT(PIX_SRC) & PIX_DST, piece, 0, 0);
    pixDestroy(&piece);
}

/* A fold that runs through the table is cut into pieces by the rules it
 * crosses, and each piece, ending on rules like a real one, stayed in the
 * grid (湖北黄冈 -> 湖北 | 本网, 79-0110 -> 79 | )110).  A vertical
 * line on the straight line of a fold found beyond the table is judged
 * piece by piece between the horizontal rules it crosses: a piece fainter
 * than half the page's rule contrast is fold and moves to `folds`.  A real
 * rule the fold runs along keeps its pieces: they are as dark as rules
 * (judging whole lines, such a rule went with the fold). */
static void move_fold_pieces(PIX *ver, PIX *hor, PIX *grey, int rule, int tol, PIX *folds)
{
    fold_line fl[MAX_FOLD_LINES];
    int nf = vertical_fold_lines(folds, fl, MAX_FOLD_LINES);
    if (nf == 0 || rule < 0)
        return;
    PIXA *pa = NULL;
    BOXA *ba = pixConnComp(ver, &pa, 8);
    for (int i = 0; ba && i < boxaGetCount(ba); i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        if (!on_fold_line(fl, nf, x, y, w, h, tol))
            continue;
        PIX *c = pixaGetPix(pa, i, L_CLONE);
        /* a piece runs from one rule crossing to the next; its darkness is
         * taken away from the crossings */
        for (int start = y, r = y; c && r <= y + h; r++) {
            if (r < y + h && !crosses_rule(hor, x, w, r, tol))
                continue;
            int d = r - start > 2 * tol
                        ? line_darkness(c, grey, x, y, start + tol - y, r - tol - y, 1)
                        : -1;
            if (fainter_than_rules(d, rule))
                move_piece(ver, folds, c, x, y, start, r);
            start = r + 1;
        }
        pixDestroy(&c);
    }
    boxaDestroy(&ba);
    pixaDestroy(&pa);
}

PIX *ocr_rules_mask(PIX *bin, PIX *grey, const ocr_settings *s, int dpi, int *nh, int *nv,
                    PIX **folds)
{
    if (folds)
        *folds = NULL;
    int w = pixGetWidth(bin), h = pixGetHeight(bin);
    int lh = (int)(w * s->rule_min_h), lv = (int)(h * s->rule_min_v);
    /* A share of the page is only a length on a whole sheet: on a cut-out
     * (two rows of a card) it falls below the height of a character and
     * strokes are taken for rules and erased.  The floors are what the
     * shares give on an A4 page, as physical lengths (1/2 in, 0.28 in). */
    int fh = dpi / 2, fv = dpi * 28 / 100;
    lh = lh < fh ? fh : lh;
    lv = lv < fv ? fv : lv;
    lh = lh < 20 ? 20 : lh;
    lv = lv < 20 ? 20 : lv;
    /* Close short gaps first: faded or dotted rules break up. */
    PIX *ch = ocr_close_brick(bin, 9, 1);
    PIX *hor = ch ? ocr_open_brick(ch, lh, 1) : NULL;
    PIX *cv = ocr_close_brick(bin, 1, 9);
    PIX *ver = cv ? ocr_open_brick(cv, 1, lv) : NULL;
    pixDestroy(&ch);
    pixDestroy(&cv);
    /* Folds are told from rules only where both directions have lines (a
     * form of underlines alone has no grid either way). */
    if (folds && hor && ver && count_comps(hor) && count_comps(ver)) {
        PIX *h0 = pixCopy(NULL, hor);
        *folds = pixCreateTemplate(bin);
        if (h0 && *folds) {
            int strong = -1, rule = grey ? rule_darkness(hor, grey, &strong) : -1;
            move_folds(hor, ver, 0, dpi / 30, grey, rule, *folds);
            move_folds(ver, h0, 1, dpi / 30, grey, rule, *folds);
            if (grey) {
                move_fold_pieces(ver, hor, grey, rule, dpi / 30, *folds);
                move_faint_lines(hor, grey, strong, 0, *folds);
                move_faint_lines(ver, grey, strong, 1, *folds);
            }
        }
        pixDestroy(&h0);
    }
    *nh = hor ? count_comps(hor) : 0;
    *nv = ver ? count_comps(ver) : 0;
    PIX *m = hor && ver ? pixOr(NULL, hor, ver) : NULL;
    pixDestroy(&hor);
    pixDestroy(&ver);
    if (m && *nh + *nv == 0)
        pixDestroy(&m);
    return m;
}

typedef struct cand {
    ocr_box b;
    int area;
    int keep;
} cand;

static int contains_centre(ocr_box outer, ocr_box in)
{
    int cx = in.x + in.w / 2, cy = in.y + in.h / 2;
    return cx > outer.x && cx < outer.x + outer.w && cy > outer.y && cy < outer.y + outer.h &&
           (in.w < outer.w || in.h < outer.h);
}

static int by_top(const void *a, const void *b)
{
    const ocr_cell *x = a, *y = b;
    return x->box.y != y->box.y ? (x->box.y > y->box.y) - (x->box.y < y->box.y)
                                : (x->box.x > y->box.x) - (x->box.x < y->box.x);
}

static int by_row_col(const void *a, const void *b)
{
    const ocr_cell *x = a, *y = b;
    return x->row != y->row ? x->row - y->row : (x->box.x > y->box.x) - (x->box.x < y->box.x);
}

/* Rows: cells whose tops lie within tol of the row's first top. */
static void assign_rows(ocr_cell *c, size_t n, int tol)
{
    qsort(c, n, sizeof *c, by_top);
    int row = -1, top = 0;
    for (size_t i = 0; i < n; i++) {
        if (row < 0 || c[i].box.y > top + tol) {
            row++;
            top = c[i].box.y;
        }
        c[i].row = row;
    }
    qsort(c, n, sizeof *c, by_row_col);
    for (size_t i = 0; i < n; i++)
        c[i].col = i && c[i - 1].row == c[i].row ? c[i - 1].col + 1 : 0;
}

/* Enclosed regions of the non-rule area: drop what touches the page edge
 * (outside the table), what is too small, and regions that hold another
 * region (the area around a table drawn inside a frame). */
/* Gap between boxes a and b (0 when they touch or overlap), the larger of
 * the horizontal and the vertical one. */
static int box_gap(ocr_box a, ocr_box b)
{
    int gx = a.x > b.x + b.w ? a.x - b.x - b.w : b.x > a.x + a.w ? b.x - a.x - a.w : 0;
    int gy = a.y > b.y + b.h ? a.y - b.y - b.h : b.y > a.y + a.h ? b.y - a.y - a.h : 0;
    return gx > gy ? gx : gy;
}

static ocr_box box_join(ocr_box a, ocr_box b)
{
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (ocr_box){x0, y0, x1 - x0, y1 - y0};
}

/* Tables: the rules' connected pieces joined while any two lie closer
 * than `gap` (a broken rule leaves pieces a few pixels apart; the gutter
 * of a two-page spread is wider than a row).  Their boxes go to t (at
 * most max); returns the count, 0 when out of memory. */
static int find_tables(PIX *rules, int gap, ocr_box *t, int max)
{
    BOXA *ba = pixConnCompBB(rules, 8);
    int n = 0;
    for (int i = 0; ba && i < boxaGetCount(ba); i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        ocr_box b = {x, y, w, h};
        /* join every table this piece comes near, then keep joining */
        for (int k = 0; k < n;)
            if (box_gap(t[k], b) < gap) {
                b = box_join(b, t[k]);
                t[k] = t[--n];
                k = 0;
            } else {
                k++;
            }
        if (n < max)
            t[n++] = b;
    }
    boxaDestroy(&ba);
    return n;
}

/* 1 when a and b share more than half the lower one's rows. */
static int same_rows(ocr_box a, ocr_box b)
{
    int top = a.y > b.y ? a.y : b.y, bottom = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;
    int low = a.h < b.h ? a.h : b.h;
    return bottom - top > low / 2;
}

/* Reading order of tables: top to bottom, side by side left to right. */
static int before(ocr_box a, ocr_box b)
{
    return same_rows(a, b) ? a.x < b.x : a.y < b.y;
}

#define MAX_TABLES 8

/* The tables of a page with these cells, in reading order, into t (at most
 * MAX_TABLES); returns their count, 0 when there are none or out of
 * memory.  Tables are the rules' pieces joined while closer than a typical
 * cell's height. */
static int page_tables(PIX *rules, const ocr_cell *c, size_t n, ocr_box *t)
{
    int *hs = n ? malloc(n * sizeof *hs) : NULL;
    for (size_t i = 0; hs && i < n; i++)
        hs[i] = c[i].box.h;
    int row_h = hs ? median_int(hs, (int)n) : 0;
    free(hs);
    int nt = row_h > 0 ? find_tables(rules, row_h, t, MAX_TABLES) : 0;
    for (int i = 1; i < nt; i++) /* insertion sort: few tables */
        for (int j = i; j > 0 && before(t[j], t[j - 1]); j--) {
            ocr_box x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return nt;
}

/* Rows numbered table by table, in reading order, so that each row of a
 * two-page spread holds cells of one page: numbered across the page, a
 * row of the left page that its deskew left a little slanted was split
 * around a row of the right page.  A page with one table is numbered as
 * a whole. */
static void number_rows(PIX *rules, ocr_cell *c, size_t n, int tol)
{
    ocr_box t[MAX_TABLES];
    int nt = page_tables(rules, c, n, t);
    ocr_cell *tmp = nt > 1 ? malloc(n * sizeof *tmp) : NULL;
    if (!tmp) {
        assign_rows(c, n, tol);
        return;
    }
    size_t out = 0;
    int rows = 0;
    for (int k = 0; k <= nt; k++) { /* k == nt: cells in no table */
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            ocr_box b = c[i].box;
            int home = nt;
            for (int j = 0; j < nt && home == nt; j++)
                if (contains_centre(t[j], b))
                    home = j;
            if (home == k)
                tmp[out + m++] = c[i];
        }
        assign_rows(tmp + out, m, tol);
        for (size_t i = 0; i < m; i++)
            tmp[out + i].row += rows;
        rows = m ? tmp[out + m - 1].row + 1 : rows;
        out += m;
    }
    memcpy(c, tmp, n * sizeof *c);
    free(tmp);
}

static cand *find_regions(PIX *rules, const ocr_settings *s, int *nc)
{
    PIX *grow = pixDilateBrick(NULL, rules, 3, 3);
    PIX *free_area = grow ? pixInvert(NULL, grow) : NULL;
    pixDestroy(&grow);
    if (!free_area)
        return NULL;
    PIXA *pixa = NULL;
    BOXA *boxa = pixConnComp(free_area, &pixa, 4);
    pixDestroy(&free_area);
    int n = boxa ? boxaGetCount(boxa) : 0, w = pixGetWidth(rules), h = pixGetHeight(rules);
    cand *c = calloc((size_t)n + 1, sizeof *c);
    for (int i = 0; c && i < n; i++) {
        l_int32 x, y, bw, bh, cnt = 0;
        boxaGetBoxGeometry(boxa, i, &x, &y, &bw, &bh);
        c[i].b = (ocr_box){x, y, bw, bh};
        int edge = x <= 0 || y <= 0 || x + bw >= w || y + bh >= h;
        if (edge || bw < s->min_cell || bh < s->min_cell)
            continue;
        PIX *p = pixaGetPix(pixa, i, L_CLONE);
        pixCountPixels(p, &cnt, NULL);
        pixDestroy(&p);
        c[i].area = cnt;
        c[i].keep = cnt * 10 >= bw * bh * 6; /* roughly rectangular */
    }
    boxaDestroy(&boxa);
    pixaDestroy(&pixa);
    *nc = n;
    return c;
}

/* Rules that only run between rows (a ledger printed with horizontal rules
 * and a frame) enclose each row as one region: read as one cell, its values
 * came out as one line whose words' boxes, cut by character count, stood
 * under the wrong columns, and extraction found no record.  Such a page has
 * no two cells side by side, and is read phrase by phrase as a page without
 * a grid is (1 when some row holds two cells or more). */
static int side_by_side_cells(const ocr_cell *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].col > 0)
            return 1;
    return 0;
}

int ocr_grid_cells(PIX *rules, const ocr_settings *s, ocr_cell **cells, size_t *ncells)
{
    *cells = NULL;
    *ncells = 0;
    int n = 0;
    cand *c = find_regions(rules, s, &n);
    if (!c)
        return n ? DG_ENOMEM : DG_OK;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n && c[i].keep; j++)
            if (j != i && c[j].keep && contains_centre(c[i].b, c[j].b))
                c[i].keep = 0;
    size_t k = 0;
    int minh = 1 << 30;
    for (int i = 0; i < n; i++)
        if (c[i].keep) {
            c[k++] = c[i];
            minh = c[i].b.h < minh ? c[i].b.h : minh;
        }
    ocr_cell *out = k >= 2 ? calloc(k, sizeof *out) : NULL;
    for (size_t i = 0; out && i < k; i++)
        out[i].box = c[i].b;
    free(c);
    if (!out)
        return k >= 2 ? DG_ENOMEM : DG_OK;
    number_rows(rules, out, k, minh / 2);
    if (!side_by_side_cells(out, k)) {
        free(out);
        return DG_OK;
    }
    *cells = out;
    *ncells = k;
    return DG_OK;
}

/* Side by side: each overlaps the other over more than half the lower's
 * height, and neither is under a third of the other's width or height (a
 * photo box beside a card's table is part of one page). */
static int side_by_side(ocr_box a, ocr_box b)
{
    return same_rows(a, b) && a.w * 3 >= b.w && b.w * 3 >= a.w && a.h * 3 >= b.h &&
           b.h * 3 >= a.h;
}

int ocr_grid_gutters(PIX *rules, const ocr_cell *cells, size_t ncells, int *x, int max)
{
    ocr_box t[MAX_TABLES];
    int nt = page_tables(rules, cells, ncells, t), ng = 0;
    for (int i = 1; i < nt && ng < max; i++) {
        ocr_box l = t[i - 1], r = t[i];
        if (side_by_side(l, r) && l.x + l.w <= r.x)
            x[ng++] = (l.x + l.w + r.x) / 2;
    }
    return ng;
}
