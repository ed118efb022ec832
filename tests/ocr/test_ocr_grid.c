/*
 * test_ocr_grid.c - the ruled grid on drawn rule masks: a ruled 3x4 table
 * gives 12 cells with the right boxes (also with the other side's table
 * showing through, or crossed by a fold), a frame ruled between rows
 * only, two tables side by side numbered table by table, a table cut out
 * of its page, and a small cut-out that keeps its character strokes out
 * of the rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"
#include "testlib.h"
#include "testpage.h"

/* A 1600x1200 1-bit page with a ruled table of 3 rows and 4 columns, its
 * top left corner at (x0, y0), cells cw x rh. */
static PIX *ruled_3x4(int x0, int y0, int cw, int rh)
{
    PIX *p = pixCreate(1600, 1200, 1);
    for (int r = 0; p && r <= 3; r++)
        pixRenderLine(p, x0, y0 + r * rh, x0 + 4 * cw, y0 + r * rh, 3, L_SET_PIXELS);
    for (int c = 0; p && c <= 4; c++)
        pixRenderLine(p, x0 + c * cw, y0, x0 + c * cw, y0 + 3 * rh, 3, L_SET_PIXELS);
    return p;
}

/* Cells the grid finds in a rules mask; 0 when there is none or it fails. */
static size_t cell_count(PIX *rules, const ocr_settings *s)
{
    ocr_cell *cells = NULL;
    size_t n = 0;
    if (!rules || ocr_grid_cells(rules, s, &cells, &n) != DG_OK)
        n = 0;
    free(cells);
    return n;
}

static void test_grid(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    int x0 = 200, y0 = 300, cw = 300, rh = 150;
    PIX *p = ruled_3x4(x0, y0, cw, rh);
    pixRasterop(p, 260, 350, 30, 30, PIX_SET, NULL, 0, 0); /* some "text" */
    int nh = 0, nv = 0;
    PIX *rules = ocr_rules_mask(p, NULL, s, 300, &nh, &nv, NULL);
    CHECK(t, rules != NULL);
    ocr_cell *cells = NULL;
    size_t n = 0;
    CHECK(t, rules && ocr_grid_cells(rules, s, &cells, &n) == DG_OK);
    CHECK_INT(t, n, 12);
    for (size_t i = 0; i < n; i++) {
        int ex = x0 + cells[i].col * cw, ey = y0 + cells[i].row * rh;
        CHECK(t, abs(cells[i].box.x - ex) <= 6 && abs(cells[i].box.y - ey) <= 6);
        CHECK(t, abs(cells[i].box.w - cw) <= 10 && abs(cells[i].box.h - rh) <= 10);
    }
    CHECK(t, n == 12 && cells[6].row == 1 && cells[6].col == 2);
    free(cells);
    pixDestroy(&rules);
    pixDestroy(&p);
    ocr_settings_free(&s);
}

/* A frame with rules between its rows only (a ledger printed without
 * column rules): each row would be one cell holding every value of a
 * student; the page has no cells and is read phrase by phrase. */
static void test_rows_only(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *p = pixCreate(1600, 1200, 1);
    for (int r = 0; p && r <= 4; r++)
        pixRenderLine(p, 200, 300 + r * 150, 1400, 300 + r * 150, 3, L_SET_PIXELS);
    for (int c = 0; p && c <= 1; c++)
        pixRenderLine(p, 200 + c * 1200, 300, 200 + c * 1200, 900, 3, L_SET_PIXELS);
    int nh = 0, nv = 0;
    PIX *rules = p ? ocr_rules_mask(p, NULL, s, 300, &nh, &nv, NULL) : NULL;
    CHECK(t, rules && nh == 5 && nv == 2);
    CHECK_INT(t, (int)cell_count(rules, s), 0);
    pixDestroy(&rules);
    pixDestroy(&p);
    ocr_settings_free(&s);
}

/* Two 3x4 tables side by side, the right one half a row lower (the two
 * pages of a bound ledger scanned as one spread): rows are numbered table
 * by table, the left table's three first, each of four cells; numbered
 * across the page, the rows alternated between the two pages. */
static void test_two_tables(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *p = pixCreate(2600, 1200, 1);
    for (int k = 0; p && k < 2; k++) {
        int x0 = 100 + k * 1300, y0 = 300 + k * 75, cw = 280, rh = 150;
        for (int r = 0; r <= 3; r++)
            pixRenderLine(p, x0, y0 + r * rh, x0 + 4 * cw, y0 + r * rh, 3, L_SET_PIXELS);
        for (int c = 0; c <= 4; c++)
            pixRenderLine(p, x0 + c * cw, y0, x0 + c * cw, y0 + 3 * rh, 3, L_SET_PIXELS);
    }
    ocr_cell *cells = NULL;
    size_t n = 0;
    CHECK(t, p && ocr_grid_cells(p, s, &cells, &n) == DG_OK);
    CHECK_INT(t, (int)n, 24);
    int in_row[6] = {0}, wrong_side = 0;
    for (size_t i = 0; i < n; i++) {
        int right = cells[i].box.x > 1300;
        wrong_side += cells[i].row < 0 || cells[i].row > 5 || right != (cells[i].row >= 3);
        if (cells[i].row >= 0 && cells[i].row < 6)
            in_row[cells[i].row]++;
    }
    CHECK_INT(t, wrong_side, 0);
    for (int r = 0; r < 6; r++)
        CHECK_INT(t, in_row[r], 4);
    free(cells);
    pixDestroy(&p);
    ocr_settings_free(&s);
}

/* The 3x4 table with the table of the sheet's other side showing through,
 * offset and far fainter (grey 200 against 30): its lines are erased but
 * make no cells, so the grid keeps its 12.  Without the grey to tell them
 * apart they cut the cells into many more. */
static void test_show_through(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *real = ruled_3x4(200, 300, 300, 150), *back = ruled_3x4(260, 370, 280, 140);
    PIX *bin = real && back ? pixOr(NULL, real, back) : NULL;
    PIX *grey = pixCreate(1600, 1200, 8);
    if (grey && real && back) {
        pixSetAll(grey);
        pixPaintThroughMask(grey, back, 0, 0, 200);
        pixPaintThroughMask(grey, real, 0, 0, 30);
    }
    int nh = 0, nv = 0;
    PIX *folds = NULL, *rules = bin ? ocr_rules_mask(bin, grey, s, 300, &nh, &nv, &folds) : NULL;
    l_int32 faint = 0;
    if (folds)
        pixCountPixels(folds, &faint, NULL);
    CHECK_INT(t, (int)cell_count(rules, s), 12);
    CHECK(t, faint > 1000); /* the other side's lines, to be erased */
    pixDestroy(&rules);
    pixDestroy(&folds);
    rules = bin ? ocr_rules_mask(bin, NULL, s, 300, &nh, &nv, &folds) : NULL;
    CHECK(t, cell_count(rules, s) > 12);
    pixDestroy(&rules);
    pixDestroy(&folds);
    pixDestroy(&grey);
    pixDestroy(&bin);
    pixDestroy(&real);
    pixDestroy(&back);
    ocr_settings_free(&s);
}

/* The same 3x4 table crossed by a fold running down the whole sheet
 * through the middle of column 2 (a crease or folding line, as on scans of
 * folded cards) and by a horizontal one across row 1: the fold lines are
 * returned as folds, not rules, so the grid still has 12 cells and no
 * value is cut in two; both are there to be erased.  So they are when the
 * grey shows them as dark as the rules: one such line a way is a fold (a
 * sheet is seldom folded three times one way). */
static void test_grid_fold(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    int x0 = 200, y0 = 300, cw = 300, rh = 150;
    PIX *p = ruled_3x4(x0, y0, cw, rh);
    pixRenderLine(p, 850, 5, 850, 1195, 2, L_SET_PIXELS);  /* vertical fold */
    pixRenderLine(p, 20, 530, 1580, 530, 2, L_SET_PIXELS); /* horizontal fold */
    PIX *dark = p ? pixConvert1To8(NULL, p, 255, 0) : NULL;
    PIX *greys[] = {NULL, dark};
    for (size_t g = 0; g < sizeof greys / sizeof *greys; g++) {
        int nh = 0, nv = 0;
        PIX *folds = NULL;
        PIX *rules = p ? ocr_rules_mask(p, greys[g], s, 300, &nh, &nv, &folds) : NULL;
        CHECK(t, rules != NULL && folds != NULL);
        CHECK_INT(t, nh, 4);
        CHECK_INT(t, nv, 5);
        l_uint32 on_fold = 0, fold_in_rules = 1;
        if (folds && rules) {
            pixGetPixel(folds, 850, 100, &on_fold);
            pixGetPixel(rules, 850, 400, &fold_in_rules);
        }
        CHECK_INT(t, (int)on_fold, 1);
        CHECK_INT(t, (int)fold_in_rules, 0);
        CHECK_INT(t, cell_count(rules, s), 12);
        pixDestroy(&rules);
        pixDestroy(&folds);
    }
    pixDestroy(&dark);
    pixDestroy(&p);
    ocr_settings_free(&s);
}

/* A ledger cut out of its page: its vertical rules run off the top and
 * bottom edge, so each ends free and reaches beyond every horizontal rule,
 * as folds do.  Five such lines as dark as the rules are the table's
 * rules (12 cells); told by topology alone they were folds and the page
 * had no grid.  (One such line is still a fold: test_grid_fold.) */
static void test_cut_table(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *bin = pixCreate(1600, 1200, 1);
    for (int r = 0; bin && r <= 3; r++)
        pixRenderLine(bin, 200, 300 + r * 150, 1400, 300 + r * 150, 3, L_SET_PIXELS);
    for (int c = 0; bin && c <= 4; c++)
        pixRenderLine(bin, 200 + c * 300, 0, 200 + c * 300, 1199, 3, L_SET_PIXELS);
    PIX *grey = bin ? pixConvert1To8(NULL, bin, 255, 0) : NULL;
    int nh = 0, nv = 0;
    PIX *folds = NULL;
    PIX *rules = grey ? ocr_rules_mask(bin, grey, s, 300, &nh, &nv, &folds) : NULL;
    CHECK_INT(t, nv, 5);
    CHECK_INT(t, cell_count(rules, s), 12);
    pixDestroy(&rules);
    pixDestroy(&folds);
    pixDestroy(&grey);
    pixDestroy(&bin);
    ocr_settings_free(&s);
}

/* A fold that is broken where it enters the table: its piece inside runs
 * from the top rule to the bottom one, crossing two more, so topology
 * alone keeps it as a rule and it splits column 2 in every row.  Faint
 * (grey 200 against rules at 0) and on the straight line of the fold
 * found above and below the table, its pieces are folds, except in row 1,
 * where a real rule runs along it: that piece is as dark as the rules and
 * stays. */
static void test_grid_fold_pieces(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *ruled = ruled_3x4(200, 300, 300, 150);
    pixRenderLine(ruled, 847, 450, 847, 600, 3, L_SET_PIXELS); /* real rule in row 1 */
    PIX *fold = pixCreate(1600, 1200, 1);
    /* leaning 20 px over the sheet, broken just outside the table */
    int ys[][2] = {{5, 280}, {300, 750}, {770, 1195}};
    for (int i = 0; fold && i < 3; i++)
        pixRenderLine(fold, 860 - 20 * (ys[i][0] - 5) / 1190, ys[i][0],
                      860 - 20 * (ys[i][1] - 5) / 1190, ys[i][1], 2, L_SET_PIXELS);
    PIX *grey = pixCreate(1600, 1200, 8);
    if (grey) {
        pixSetAll(grey);
        pixPaintThroughMask(grey, fold, 0, 0, 200);
        pixPaintThroughMask(grey, ruled, 0, 0, 0);
    }
    PIX *bin = grey ? pixThresholdToBinary(grey, 230) : NULL;
    int nh = 0, nv = 0;
    PIX *folds = NULL;
    PIX *rules = bin ? ocr_rules_mask(bin, grey, s, 300, &nh, &nv, &folds) : NULL;
    /* rule pixels on the fold's line in the middle of each row */
    l_int32 row0 = -1, row1 = -1, row2 = -1;
    BOX *b0 = boxCreate(844, 370, 20, 20), *b1 = boxCreate(838, 515, 20, 20),
        *b2 = boxCreate(839, 670, 20, 20);
    if (rules) {
        pixCountPixelsInRect(rules, b0, &row0, NULL);
        pixCountPixelsInRect(rules, b1, &row1, NULL);
        pixCountPixelsInRect(rules, b2, &row2, NULL);
    }
    boxDestroy(&b0);
    boxDestroy(&b1);
    boxDestroy(&b2);
    CHECK_INT(t, row0, 0);
    CHECK(t, row1 >= 40);
    CHECK_INT(t, row2, 0);
    CHECK_INT(t, cell_count(rules, s), 13); /* 12, and row 1's column 2 split by its rule */
    pixDestroy(&rules);
    pixDestroy(&folds);
    /* without the grey the pieces cannot be judged and stay rules */
    rules = bin ? ocr_rules_mask(bin, NULL, s, 300, &nh, &nv, &folds) : NULL;
    CHECK_INT(t, cell_count(rules, s), 15);
    pixDestroy(&rules);
    pixDestroy(&folds);
    pixDestroy(&bin);
    pixDestroy(&grey);
    pixDestroy(&fold);
    pixDestroy(&ruled);
    ocr_settings_free(&s);
}

/* A stroke touching a rule keeps its ink: exactly the rule leaves the
 * binary page, and the grey page Tesseract reads is painted white a pixel
 * beyond that, but not over what the binary page still holds.  Both once
 * took the edge off strokes touching rules (研究方向 read 研充方喇). */
static void test_stroke_by_rule(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *ruled = ruled_3x4(200, 300, 300, 150);
    PIX *pix = pixCreate(1600, 1200, 8);
    if (pix && ruled) {
        pixSetAll(pix);
        pixPaintThroughMask(pix, ruled, 0, 0, 30);
        pixRasterop(pix, 502, 370, 60, 9, PIX_CLR, NULL, 0, 0); /* touches x = 501 */
    }
    ocr_page pg;
    CHECK(t, pix && tp_clean_page(s, &pix, (ocr_source){1600, 1200, 300}, &pg) == DG_OK);
    l_uint32 rule = 0, edge = 255, inside = 255, ink = 0;
    if (pg.bin)
        pixGetPixel(pg.bin, 502, 374, &ink);
    if (pg.grey) {
        pixGetPixel(pg.grey, 500, 420, &rule);
        pixGetPixel(pg.grey, 502, 374, &edge);
        pixGetPixel(pg.grey, 530, 374, &inside);
    }
    CHECK_INT(t, (int)ink, 1);
    CHECK(t, rule > 200);
    CHECK(t, edge < 128);
    CHECK(t, inside < 128);
    ocr_page_release(&pg);
    pixDestroy(&pix);
    pixDestroy(&ruled);
    ocr_settings_free(&s);
}

/* A cut-out two rows tall (1720x330 at 300 dpi): strokes of characters
 * 45 px tall must not be taken for vertical rules (a share of such a
 * small page is shorter than a character), while the cell rules are. */
static void test_small_page_rules(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *p = pixCreate(1720, 330, 1);
    for (int r = 0; r <= 2; r++)
        pixRenderLine(p, 10, 20 + r * 145, 1710, 20 + r * 145, 3, L_SET_PIXELS);
    for (int c = 0; c <= 6; c++)
        pixRenderLine(p, 10 + c * 283, 20, 10 + c * 283, 310, 3, L_SET_PIXELS);
    pixRasterop(p, 150, 70, 4, 45, PIX_SET, NULL, 0, 0); /* a stroke of 1 */
    int nh = 0, nv = 0;
    PIX *rules = ocr_rules_mask(p, NULL, s, 300, &nh, &nv, NULL);
    l_uint32 stroke = 1, rule = 0;
    if (rules) {
        pixGetPixel(rules, 151, 90, &stroke);
        pixGetPixel(rules, 10 + 283, 100, &rule);
    }
    CHECK(t, rules != NULL);
    CHECK_INT(t, (int)stroke, 0);
    CHECK_INT(t, (int)rule, 1);
    pixDestroy(&rules);
    pixDestroy(&p);
    ocr_settings_free(&s);
}

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_grid(&t);
    test_show_through(&t);
    test_two_tables(&t);
    test_rows_only(&t);
    test_grid_fold(&t);
    test_grid_fold_pieces(&t);
    test_cut_table(&t);
    test_stroke_by_rule(&t);
    test_small_page_rules(&t);
    return tl_exit_status(&t, "test_ocr_grid");
}
