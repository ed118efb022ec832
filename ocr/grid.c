/*
 * grid.c - ruling lines and the table grid.  Rules are found by morphology
 * (opening with long thin bricks), cells are the regions the rules enclose:
 * connected components of the page minus the rules, which copes with the
 * irregular grids of registration forms (merged cells, rows with different
 * column splits) as well as with the regular lattice of a ledger.
 */
#include <stdlib.h>

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

/* Lines of `lines` with neither end on a line of `across` that reach
 * beyond all of `across` are folds or creases, not rules: a table's rules
 * end at other rules (corners, T junctions), a fold runs through the table
 * and off it.  As a rule it cut the values it crossed in two (s010: 湖北黄冈
 * -> 湖北 | 本网; s011 had a tenth column).  They move from `lines` to
 * `folds`, to be erased from the page but left out of the grid. */
static void move_folds(PIX *lines, PIX *across, int vertical, int tol, PIX *folds)
{
    BOXA *mine = pixConnCompBB(lines, 8), *other = pixConnCompBB(across, 8);
    l_int32 ex = 0, ey = 0, ew = 0, eh = 0;
    BOX *ext = NULL;
    if (other && boxaGetExtent(other, NULL, NULL, &ext) == 0 && ext)
        boxGetGeometry(ext, &ex, &ey, &ew, &eh);
    boxDestroy(&ext);
    for (int i = 0; mine && other && i < boxaGetCount(mine); i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(mine, i, &x, &y, &w, &h);
        int beyond = vertical ? y < ey - tol || y + h > ey + eh + tol
                              : x < ex - tol || x + w > ex + ew + tol;
        int free0 = vertical ? !on_a_line(other, x + w / 2, y, tol)
                             : !on_a_line(other, x, y + h / 2, tol);
        int free1 = vertical ? !on_a_line(other, x + w / 2, y + h - 1, tol)
                             : !on_a_line(other, x + w - 1, y + h / 2, tol);
        if (free0 && free1 && beyond) {
            pixRasterop(folds, x, y, w, h, PIX_SRC | PIX_DST, lines, x, y);
            BOX *b = boxaGetBox(mine, i, L_CLONE);
            pixClearInRect(lines, b);
            boxDestroy(&b);
        }
    }
    boxaDestroy(&mine);
    boxaDestroy(&other);
}

PIX *ocr_rules_mask(PIX *bin, const ocr_settings *s, int dpi, int *nh, int *nv, PIX **folds)
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
    PIX *ch = pixCloseBrick(NULL, bin, 9, 1);
    PIX *hor = ch ? pixOpenBrick(NULL, ch, lh, 1) : NULL;
    PIX *cv = pixCloseBrick(NULL, bin, 1, 9);
    PIX *ver = cv ? pixOpenBrick(NULL, cv, 1, lv) : NULL;
    pixDestroy(&ch);
    pixDestroy(&cv);
    /* Folds are told from rules only where both directions have lines (a
     * form of underlines alone has no grid either way). */
    if (folds && hor && ver && count_comps(hor) && count_comps(ver)) {
        PIX *h0 = pixCopy(NULL, hor);
        *folds = pixCreateTemplate(bin);
        if (h0 && *folds) {
            move_folds(hor, ver, 0, dpi / 30, *folds);
            move_folds(ver, h0, 1, dpi / 30, *folds);
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
    assign_rows(out, k, minh / 2);
    *cells = out;
    *ncells = k;
    return DG_OK;
}
