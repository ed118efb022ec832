/*
 * test_ocr_cleanup.c - the clean-up chain on drawn pages: a known skew is
 * found (2 and 7 degrees), a tiled TIFF is decoded, a red disc goes while black text under it stays, a ruled 3x4 table
 * gives 12 cells with the right boxes (also with the other side's table
 * showing through), two tables side by side are numbered table by table, a small cut-out keeps its
 * character strokes out of the rules, boxes map back through deskew and
 * quarter turns onto the original pixels, the settings loader refuses
 * unsafe or invalid files with file:line, scans finer than 400 dpi are
 * read at 300 with boxes still on the scan, a shadow along the spine is
 * flattened with its text kept, a negative is inverted, a torn dark page edge is cleared
 * while text beside it stays, openings and closings by long bricks match
 * Leptonica's to the pixel, and Tesseract's ASCII punctuation is widened
 * next to Han only.
 */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>

#include "ocr_internal.h"
#include "testlib.h"

/* A page of fake text lines: short dark bars, like characters. */
static PIX *text_page(int w, int h)
{
    PIX *p = pixCreate(w, h, 8);
    pixSetAll(p);
    for (int y = 150; y < h - 150; y += 60)
        for (int x = 100; x < w - 140; x += 45)
            pixRasterop(p, x, y, 34, 30, PIX_CLR, NULL, 0, 0);
    return p;
}

/* *pix (taken) cleaned as the scan page src with settings s into *pg, by
 * an engine that has no Tesseract (no step here reads); the chain's status. */
static int clean_page(const ocr_settings *s, PIX **pix, ocr_source src, ocr_page *pg)
{
    ocr_engine e = {0};
    e.settings = s;
    dg_err err = {0};
    return ocr_page_clean(&e, pix, &src, 0, 0, pg, &err);
}

static void test_skew(tl_state *t)
{
    PIX *p = text_page(1200, 1600);
    /* pixRotate turns clockwise for positive angles: -2 deg leaves the
     * content turned 2 deg counter-clockwise. */
    PIX *r = pixRotate(p, (l_float32)(-2.0 * M_PI / 180), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE,
                       0, 0);
    double deg = 0, conf = 0;
    CHECK(t, ocr_find_skew(r, 5.0, &deg, &conf) == DG_OK);
    CHECK(t, fabs(fabs(deg) - 2.0) < 0.3);
    pixDestroy(&p);
    pixDestroy(&r);
}

/* A page laid 7 degrees off on the glass: the skew is searched within the
 * shipped settings' range and found (searched within 5 degrees, it was
 * taken for 4 and the page read as nothing). */
static void test_large_skew(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *p = text_page(1200, 1600);
    PIX *r = pixRotate(p, (l_float32)(7.0 * M_PI / 180), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE,
                       0, 0);
    double deg = 0, conf = 0;
    CHECK(t, s && ocr_find_skew(r, s->deskew_max_deg, &deg, &conf) == DG_OK);
    CHECK(t, fabs(fabs(deg) - 7.0) < 0.3);
    pixDestroy(&p);
    pixDestroy(&r);
    ocr_settings_free(&s);
}

static void test_seal(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *p = pixCreate(400, 400, 32);
    pixSetAllArbitrary(p, 0xf0e8d000); /* yellowed paper */
    pixRasterop(p, 150, 190, 100, 20, PIX_CLR, NULL, 0, 0); /* black text stroke */
    l_uint32 red;
    composeRGBPixel(210, 40, 40, &red);
    for (int y = 100; y < 300; y++)
        for (int x = 100; x < 300; x++)
            if ((x - 200) * (x - 200) + (y - 200) * (y - 200) < 90 * 90 && !(y >= 190 && y < 210 && x >= 150 && x < 250))
                pixSetPixel(p, x, y, red);
    double frac = 0;
    PIX *g = ocr_grey_without_seal(p, s, &frac);
    l_uint32 disc = 0, text = 0;
    pixGetPixel(g, 200, 130, &disc);
    pixGetPixel(g, 200, 200, &text);
    CHECK(t, disc > 200);
    CHECK(t, text < 60);
    CHECK(t, frac > 0.1);
    pixDestroy(&g);
    pixDestroy(&p);
    ocr_settings_free(&s);
}

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
    CHECK(t, pix && clean_page(s, &pix, (ocr_source){1600, 1200, 300}, &pg) == DG_OK);
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

/* Draw a square, transform the page like clean-up does, find the square
 * there, map its box back: it must land on the square drawn. */
static void check_mapping(tl_state *t, int quads, double deg)
{
    int w = 900, h = 1200;
    ocr_box sq = {610, 240, 120, 80};
    PIX *p = pixCreate(w, h, 8);
    pixSetAll(p);
    pixRasterop(p, sq.x, sq.y, sq.w, sq.h, PIX_CLR, NULL, 0, 0);
    ocr_geom g;
    ocr_geom_init(&g, w, h);
    PIX *q = pixRotateOrth(p, quads);
    g.quads = quads;
    PIX *r = pixRotate(q, (l_float32)(deg * M_PI / 180), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0,
                       0);
    g.angle_deg = deg;
    PIX *b = pixConvertTo1(r, 128);
    BOX *fg = NULL;
    pixClipToForeground(b, NULL, &fg);
    l_int32 x, y, bw, bh;
    boxGetGeometry(fg, &x, &y, &bw, &bh);
    /* The found box is the hull of the turned square; its centre maps back
     * onto the square's centre, and the mapped box covers the square. */
    ocr_box back = ocr_geom_box_to_original(&g, (ocr_box){x, y, bw, bh});
    double cx = back.x + back.w / 2.0, cy = back.y + back.h / 2.0;
    CHECK(t, fabs(cx - (sq.x + sq.w / 2.0)) < 3 && fabs(cy - (sq.y + sq.h / 2.0)) < 3);
    CHECK(t, back.x <= sq.x + 2 && back.y <= sq.y + 2 && back.x + back.w >= sq.x + sq.w - 2 &&
                 back.y + back.h >= sq.y + sq.h - 2);
    double px, py, ox, oy;
    ocr_geom_point_to_work(&g, 100, 200, &px, &py);
    ocr_geom_point_to_original(&g, px, py, &ox, &oy);
    CHECK(t, fabs(ox - 100) < 1e-6 && fabs(oy - 200) < 1e-6);
    boxDestroy(&fg);
    pixDestroy(&b);
    pixDestroy(&r);
    pixDestroy(&q);
    pixDestroy(&p);
}

static void test_geom(tl_state *t)
{
    check_mapping(t, 0, 0.0);
    check_mapping(t, 0, 2.5);
    check_mapping(t, 0, -1.5);
    check_mapping(t, 1, 2.0);
    check_mapping(t, 2, -2.0);
    check_mapping(t, 3, 1.0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_settings(tl_state *t)
{
    ocr_settings *s = NULL;
    dg_err e = {0};
    CHECK(t, ocr_settings_load(OCR_CONFIG, &s, &e) == DG_OK);
    CHECK(t, s && strstr(ocr_settings_json(s), "\"deskew\":{\"on\":1") != NULL);
    /* without the configs directory the built-in defaults read the same */
    ocr_settings *d = NULL;
    CHECK(t, ocr_settings_load(NULL, &d, &e) == DG_OK);
    CHECK(t, s && d && strcmp(ocr_settings_json(s), ocr_settings_json(d)) == 0);
    ocr_settings_free(&d);
    ocr_settings_free(&s);
    char dt[] = "/tmp/dangan_ocr_dtd_XXXXXX";
    int fd = mkstemp(dt);
    if (fd >= 0)
        close(fd);
    write_file(dt, "<?xml version=\"1.0\"?>\n<!DOCTYPE ocr [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                   "<ocr version=\"1\"><cleanup/></ocr>\n");
    CHECK(t, ocr_settings_load(dt, &s, &e) == DG_EINPUT);
    CHECK(t, strstr(e.msg, "DOCTYPE") != NULL);
    write_file(dt, "<?xml version=\"1.0\"?>\n<ocr version=\"1\">\n<cleanup>\n"
                   "<deskew enabled=\"maybe\"/>\n</cleanup></ocr>\n");
    CHECK(t, ocr_settings_load(dt, &s, &e) == DG_EINPUT);
    /* the message names the file (libxml2's interleave errors carry no line) */
    CHECK(t, strstr(e.msg, dt) != NULL);
    /* the dpi check, 1-bit softening, text filters, band cut, dot joining
     * and the reading without a lighter print switch off */
    write_file(dt, "<?xml version=\"1.0\"?>\n<ocr version=\"1\"><cleanup>"
                   "<dpi enabled=\"false\"/><soften-bilevel enabled=\"false\"/></cleanup>"
                   "<recognition><filter enabled=\"false\"/><punctuation widen=\"false\"/>"
                   "<bands weak-share=\"0\"/><dot-matrix enabled=\"false\"/>"
                   "<lighter-print enabled=\"false\"/></recognition></ocr>\n");
    CHECK(t, ocr_settings_load(dt, &s, &e) == DG_OK);
    CHECK(t, s && !s->dpi_check_on && !s->soften_bilevel_on && !s->filter_on && !s->widen_on &&
                 s->weak_band == 0 && !s->dots_on && !s->lighter_on);
    CHECK(t, s && strstr(ocr_settings_json(s), "\"filter\":{\"on\":0}") != NULL);
    ocr_settings_free(&s);
    unlink(dt);
}

/* A recorded dpi that fits no sheet is replaced by one that fits one
 * exactly; one that fits (or a page of no standard size) is kept. */
static void test_page_dpi(tl_state *t)
{
    CHECK(t, ocr_page_dpi(1653, 2339, 300) == 200); /* A4 at 200 marked 300 */
    CHECK(t, ocr_page_dpi(2339, 1653, 300) == 200); /* the same, landscape */
    CHECK(t, ocr_page_dpi(2480, 3508, 300) == 300); /* A4 at 300 */
    CHECK(t, ocr_page_dpi(1653, 2339, 200) == 200);
    CHECK(t, ocr_page_dpi(1720, 330, 300) == 300);  /* a cut-out: no sheet */
    CHECK(t, ocr_page_dpi(2480, 3508, 72) == 300);  /* a 72 dpi default */
    /* a 240 dpi A4 card turned 3 degrees on a canvas that grew: no sheet at
     * 240, and ISO B5 at 300 only within 2.3%: kept (it was read at 300) */
    CHECK(t, ocr_page_dpi(2130, 2908, 240) == 240);
    /* a program's 72 dpi that no sheet explains (a photographed page) is
     * read at the default dpi, not at 72 */
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    ocr_source photo = {3000, 4000, 72}, lost = {3000, 4000, 0}, fine = {2480, 3508, 300};
    CHECK(t, s && ocr_source_dpi(s, &photo) == 300 && ocr_source_dpi(s, &lost) == 300 &&
                 ocr_source_dpi(s, &fine) == 300);
    ocr_settings_free(&s);
}

/* size of the image in data decoded `reduction` times smaller, and the
 * grey of the decoded page at (x, y) in *at; *w = -1 when decoding failed. */
static void decoded_bytes_at(const unsigned char *data, size_t len, int reduction, int x, int y,
                             int *w, int *h, int *at)
{
    *w = *h = -1;
    dg_err err = {0};
    PIX *d = data ? ocr_decode_page_reduced(data, len, 0, reduction, &err) : NULL;
    PIX *g = d ? pixConvertTo8(d, 0) : NULL;
    l_uint32 v = 0;
    if (g) {
        *w = pixGetWidth(d);
        *h = pixGetHeight(d);
        pixGetPixel(g, x, y, &v);
        *at = (int)v;
    }
    pixDestroy(&g);
    pixDestroy(&d);
}

/* The same for `pix` written as `format`. */
static void decoded_at(PIX *pix, int format, int reduction, int x, int y, int *w, int *h,
                       int *at)
{
    l_uint8 *data = NULL;
    size_t len = 0;
    *w = *h = -1;
    if (pixWriteMem(&data, &len, pix, format) == 0)
        decoded_bytes_at(data, len, reduction, x, y, w, h, at);
    lept_free(data);
}

typedef struct png_out {
    unsigned char *data;
    size_t len, cap;
} png_out;

static void png_append(png_structp png, png_bytep b, png_size_t n)
{
    png_out *o = png_get_io_ptr(png);
    if (o->len + n > o->cap) {
        size_t cap = (o->len + n) * 2;
        unsigned char *d = realloc(o->data, cap);
        if (!d)
            png_error(png, "out of memory");
        o->data = d;
        o->cap = cap;
    }
    memcpy(o->data + o->len, b, n);
    o->len += n;
}

static void png_flush_none(png_structp png)
{
    (void)png;
}

/* A colour page as an interlaced (Adam7) PNG, which Leptonica cannot
 * write; NULL when it could not be made, else the bytes (caller frees). */
static unsigned char *interlaced_png(PIX *colour, size_t *len)
{
    int w = pixGetWidth(colour), h = pixGetHeight(colour);
    png_out *o = calloc(1, sizeof *o);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *row = malloc((size_t)w * 3);
    volatile int ok = 0;
    if (o && info && row && setjmp(png_jmpbuf(png)) == 0) {
        png_set_write_fn(png, o, png_append, png_flush_none);
        png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                     PNG_INTERLACE_ADAM7, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        int passes = png_set_interlace_handling(png);
        for (int p = 0; p < passes; p++)
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    l_int32 r = 0, g = 0, b = 0;
                    pixGetRGBPixel(colour, x, y, &r, &g, &b);
                    row[3 * x] = (unsigned char)r;
                    row[3 * x + 1] = (unsigned char)g;
                    row[3 * x + 2] = (unsigned char)b;
                }
                png_write_row(png, row);
            }
        png_write_end(png, NULL);
        ok = 1;
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(row);
    unsigned char *data = o && ok ? o->data : NULL;
    if (o && !ok)
        free(o->data);
    *len = data ? o->len : 0;
    free(o);
    return data;
}

static void decoded_size(PIX *pix, int format, int reduction, int *w, int *h)
{
    int at = 0;
    decoded_at(pix, format, reduction, 0, 0, w, h, &at);
}

/* Pages decoded 2x smaller: a JPEG by libjpeg, a colour TIFF strip by
 * strip, a colour or grey PNG row by row, a 1-bit TIFF left whole. */
static void test_decode_reduced(tl_state *t)
{
    PIX *grey = text_page(800, 600), *colour = grey ? pixConvertTo32(grey) : NULL;
    PIX *bits = grey ? pixConvertTo1(grey, 128) : NULL;
    int w = 0, h = 0;
    decoded_size(colour, IFF_JFIF_JPEG, 2, &w, &h);
    CHECK(t, w == 400 && h == 300);
    /* a colour TIFF is reduced strip by strip: the first bar (x 100-133,
     * y 150-179) still there, top side up, and the row gap below it white */
    int bar = 255, gap = 0;
    decoded_at(colour, IFF_TIFF_LZW, 2, 58, 82, &w, &h, &bar);
    CHECK(t, w == 400 && h == 300 && bar < 60);
    decoded_at(colour, IFF_TIFF_LZW, 2, 58, 100, &w, &h, &gap);
    CHECK(t, gap > 200);
    /* so are a colour and a grey PNG, row by row */
    decoded_at(colour, IFF_PNG, 2, 58, 82, &w, &h, &bar);
    CHECK(t, w == 400 && h == 300 && bar < 60);
    decoded_at(colour, IFF_PNG, 2, 58, 100, &w, &h, &gap);
    CHECK(t, gap > 200);
    decoded_at(grey, IFF_PNG, 4, 29, 41, &w, &h, &bar);
    CHECK(t, w == 200 && h == 150 && bar < 60);
    /* and an interlaced PNG, its seven passes put together first */
    size_t ilen = 0;
    unsigned char *inter = colour ? interlaced_png(colour, &ilen) : NULL;
    CHECK(t, inter != NULL);
    decoded_bytes_at(inter, ilen, 2, 58, 82, &w, &h, &bar);
    CHECK(t, w == 400 && h == 300 && bar < 60);
    decoded_bytes_at(inter, ilen, 2, 58, 100, &w, &h, &gap);
    CHECK(t, gap > 200);
    free(inter);
    decoded_size(bits, IFF_TIFF_G4, 2, &w, &h);
    CHECK(t, w == 800 && h == 600);
    /* a PNG whose compressed rows are damaged: refused with a reason (and,
     * under the sanitizers, nothing leaked from libpng's long jump) */
    l_uint8 *png = NULL;
    size_t len = 0;
    dg_err err = {0};
    if (colour && pixWriteMem(&png, &len, colour, IFF_PNG) == 0 && len > 400)
        memset(png + len / 2, 0xA5, 64);
    PIX *bad = png ? ocr_decode_page_reduced(png, len, 0, 2, &err) : NULL;
    CHECK(t, png && !bad && err.msg[0]);
    pixDestroy(&bad);
    lept_free(png);
    pixDestroy(&grey);
    pixDestroy(&colour);
    pixDestroy(&bits);
}

/* A grey TIFF in 64x64 tiles (Leptonica reads strips only; the scan was
 * set aside as corrupt): written with libtiff, dark left half, light right
 * half; decoded through libtiff, every pixel where it was.  Returns the
 * file's bytes (caller frees) in *len, NULL when it could not be made. */
static unsigned char *tiled_tiff(size_t *len)
{
    char path[] = "/tmp/dangan-tiled-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    TIFF *tf = TIFFOpen(path, "w");
    if (tf) {
        TIFFSetField(tf, TIFFTAG_IMAGEWIDTH, 300);
        TIFFSetField(tf, TIFFTAG_IMAGELENGTH, 200);
        TIFFSetField(tf, TIFFTAG_BITSPERSAMPLE, 8);
        TIFFSetField(tf, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tf, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(tf, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(tf, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
        TIFFSetField(tf, TIFFTAG_TILEWIDTH, 64);
        TIFFSetField(tf, TIFFTAG_TILELENGTH, 64);
        unsigned char tile[64 * 64];
        for (int ty = 0; ty < 200; ty += 64)
            for (int tx = 0; tx < 300; tx += 64) {
                for (int i = 0; i < 64 * 64; i++)
                    tile[i] = tx + i % 64 < 150 ? 30 : 220;
                TIFFWriteTile(tf, tile, (uint32_t)tx, (uint32_t)ty, 0, 0);
            }
        TIFFClose(tf);
    }
    FILE *f = fopen(path, "rb");
    unsigned char *data = f ? malloc(1 << 20) : NULL;
    *len = data ? fread(data, 1, 1 << 20, f) : 0;
    if (f)
        fclose(f);
    unlink(path);
    return data;
}

static void test_tiled_tiff(tl_state *t)
{
    size_t len = 0;
    unsigned char *data = tiled_tiff(&len);
    dg_err err = {0};
    PIX *p = data && len ? ocr_decode_page(data, len, 0, &err) : NULL;
    CHECK(t, p && pixGetWidth(p) == 300 && pixGetHeight(p) == 200);
    l_int32 r0 = -1, g0 = -1, b0 = -1, r1 = -1, g1 = -1, b1 = -1;
    if (p) {
        pixGetRGBPixel(p, 10, 10, &r0, &g0, &b0);
        pixGetRGBPixel(p, 290, 190, &r1, &g1, &b1);
    }
    CHECK(t, r0 == 30 && g0 == 30 && b0 == 30);
    CHECK(t, r1 == 220 && g1 == 220 && b1 == 220);
    pixDestroy(&p);
    free(data);
}

/* Scans finer than 400 dpi are read at 300: a JPEG is decoded smaller by a
 * power of two no finer than 300 dpi, the clean-up scales the rest of the
 * way, and boxes still map onto the scan as filed. */
static void test_downscale(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    ocr_source a4_600 = {4960, 7016, 600}, a4_1200 = {9920, 14032, 1200},
               a4_400 = {3307, 4677, 400}, a4_480 = {3968, 5613, 480}, a4_300 = {2480, 3508, 300};
    CHECK(t, ocr_decode_reduction(s, &a4_600) == 2);
    CHECK(t, ocr_decode_reduction(s, &a4_1200) == 4);
    CHECK(t, ocr_decode_reduction(s, &a4_400) == 1);
    CHECK(t, ocr_decode_reduction(s, &a4_480) == 1); /* 240 would be too coarse */
    CHECK(t, ocr_decode_reduction(s, &a4_300) == 1);

    ocr_page pg;
    /* a 480 dpi cut-out, given decoded at full size: scaled to 300 here */
    PIX *pix = text_page(1200, 1600);
    CHECK(t, clean_page(s, &pix, (ocr_source){1200, 1600, 480}, &pg) == DG_OK);
    CHECK(t, pg.dpi == 300 && pixGetWidth(pg.grey) == 750);
    ocr_box b = ocr_geom_box_to_original(&pg.geom, (ocr_box){75, 150, 75, 30});
    CHECK(t, abs(b.x - 120) <= 1 && abs(b.y - 240) <= 1 && abs(b.w - 120) <= 2 &&
                 abs(b.h - 48) <= 2);
    ocr_page_release(&pg);
    /* a 600 dpi one given decoded at half size, as libjpeg gives it */
    pix = text_page(1200, 1600);
    CHECK(t, clean_page(s, &pix, (ocr_source){2400, 3200, 600}, &pg) == DG_OK);
    CHECK(t, pg.dpi == 300 && pixGetWidth(pg.grey) == 1200);
    b = ocr_geom_box_to_original(&pg.geom, (ocr_box){100, 150, 50, 30});
    CHECK(t, abs(b.x - 200) <= 1 && abs(b.y - 300) <= 1 && abs(b.w - 100) <= 2 &&
                 abs(b.h - 60) <= 2);
    CHECK(t, strstr(pg.log.data, "\"downscale\",\"on\":true,\"from\":600,\"to\":300") != NULL);
    ocr_page_release(&pg);
    ocr_settings_free(&s);
}

/* A negative (white print on black, as a microfilm gives) is inverted: its
 * paper comes out white and its print dark; with the step off, the
 * clean-up loses the print. */
static void test_negative(tl_state *t)
{
    for (int on = 1; on >= 0; on--) {
        ocr_settings *s = NULL;
        CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
        s->negative_on = on;
        PIX *pix = text_page(1200, 1600);
        if (pix)
            pixInvert(pix, pix);
        ocr_page pg;
        CHECK(t, pix && clean_page(s, &pix, (ocr_source){1200, 1600, 300}, &pg) == DG_OK);
        l_uint32 paper = 0, text = 255;
        pixGetPixel(pg.grey, 140, 195, &paper);
        pixGetPixel(pg.grey, 150 + 17, 210 + 15, &text);
        if (on)
            CHECK(t, paper > 200 && text < 60);
        else
            CHECK(t, text > 128); /* the print is lost */
        ocr_page_release(&pg);
        ocr_settings_free(&s);
    }
}

/* Paper and text at (x, y) of a page whose left 400 columns lie in a
 * shadow darkening paper to 35% at the edge (a bound ledger's spine),
 * cleaned with flattening over `spread` (0: never). */
static void clean_shadowed(tl_state *t, int spread, l_uint32 *paper, l_uint32 *text,
                           l_uint32 *text_bin, int *flattened)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    s->uneven_spread = spread;
    PIX *pix = text_page(1200, 1600);
    for (int y = 0; y < 1600; y++)
        for (int x = 0; x < 400; x++) {
            l_uint32 v = 0;
            pixGetPixel(pix, x, y, &v);
            pixSetPixel(pix, x, y, (l_uint32)(v * (0.35 + 0.65 * x / 400.0)));
        }
    ocr_page pg;
    CHECK(t, clean_page(s, &pix, (ocr_source){1200, 1600, 300}, &pg) == DG_OK);
    pixGetPixel(pg.grey, 60, 195, paper); /* left of the text, 60 px in */
    pixGetPixel(pg.grey, 150 + 17, 210 + 15, text);
    pixGetPixel(pg.bin, 150 + 17, 210 + 15, text_bin);
    *flattened = strstr(pg.log.data, "\"lighting\",\"on\":true") != NULL;
    ocr_page_release(&pg);
    ocr_settings_free(&s);
}

/* A shadow along the spine leaves paper as dark as ink: the page is
 * flattened by its grey closing first, and the text in the shadow stays. */
static void test_shadow(tl_state *t)
{
    l_uint32 paper = 0, text = 255, bin = 0;
    int flat = 0;
    clean_shadowed(t, 60, &paper, &text, &bin, &flat);
    CHECK(t, flat && paper >= 200 && text < 100 && bin == 1);
    clean_shadowed(t, 0, &paper, &text, &bin, &flat); /* off: the shadow stays */
    CHECK(t, !flat && paper < 150);
}

/* A yellowed sheet (paper at grey 212) scanned under a white lid that shows
 * 100 px around it: the paper is measured where the page's middle is, not
 * at the lid's white; cleaned, the paper is white and the text black.
 * Measured on the whole page, the paper fell under the ink threshold and
 * the page turned to ink (a card turned 3 degrees on a white canvas read
 * at F1 0.08). */
static void test_white_lid(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *sheet = text_page(1200, 1600), *pix = pixCreate(1400, 1800, 8);
    if (sheet && pix) {
        pixSetAll(pix);
        pixMultConstantGray(sheet, 212.0f / 255.0f);
        pixRasterop(pix, 100, 100, 1200, 1600, PIX_SRC, sheet, 0, 0);
    }
    pixDestroy(&sheet);
    ocr_page pg;
    int cleaned = s && pix && clean_page(s, &pix, (ocr_source){1400, 1800, 300}, &pg) == DG_OK;
    CHECK(t, cleaned);
    if (cleaned) {
        const char *m = strstr(pg.log.data, "\"paper_before\":");
        int measured = m ? atoi(m + strlen("\"paper_before\":")) : -1;
        l_uint32 paper = 0, text = 255, paper_bin = 1, text_bin = 0;
        pixGetPixel(pg.grey, 100 + 140, 100 + 160, &paper); /* between two bars */
        pixGetPixel(pg.grey, 100 + 117, 100 + 165, &text);
        pixGetPixel(pg.bin, 100 + 140, 100 + 160, &paper_bin);
        /* a bar's edge: Sauvola leaves solid bars hollow */
        pixGetPixel(pg.bin, 100 + 101, 100 + 165, &text_bin);
        CHECK(t, measured >= 208 && measured <= 216);
        CHECK(t, paper >= 230 && text < 100 && paper_bin == 0 && text_bin == 1);
        ocr_page_release(&pg);
    }
    pixDestroy(&pix);
    ocr_settings_free(&s);
}

/* Share of the bars of a text page (as text_page lays them out) of column
 * parity odd in whose middle grey g is darker than `under`. */
static double bars_darker(PIX *g, int odd, l_uint32 under)
{
    int n = 0, dark = 0;
    for (int y = 150; y < pixGetHeight(g) - 150; y += 60)
        for (int x = 100, col = 0; x < pixGetWidth(g) - 140; x += 45, col++) {
            if ((col & 1) != odd)
                continue;
            l_uint32 v = 255;
            pixGetPixel(g, x + 17, y + 15, &v);
            n++;
            dark += v < under;
        }
    return n ? (double)dark / n : 0;
}

/* A text page on paper 205 whose even columns of bars are black and odd
 * ones faint (165), laid 2 degrees askew. */
static PIX *faint_page(void)
{
    PIX *p = pixCreate(1200, 1600, 8);
    if (!p)
        return NULL;
    pixSetAllArbitrary(p, 205);
    for (int y = 150; y < 1600 - 150; y += 60)
        for (int x = 100, col = 0; x < 1200 - 140; x += 45, col++) {
            BOX *b = boxCreate(x, y, 34, 30);
            pixSetInRectArbitrary(p, b, col & 1 ? 165 : 0);
            boxDestroy(&b);
        }
    PIX *r = pixRotate(p, (l_float32)(2.0 * M_PI / 180), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE,
                       0, 0);
    pixDestroy(&p);
    return r;
}

/* Share of the faint pixels of scan (100-185) that stay so in g. */
static double faint_kept(PIX *scan, PIX *g)
{
    long n = 0, kept = 0;
    for (int y = 0; y < pixGetHeight(scan); y += 3)
        for (int x = 0; x < pixGetWidth(scan); x += 3) {
            l_uint32 v = 255, u = 255;
            pixGetPixel(scan, x, y, &v);
            if (v <= 100 || v >= 185)
                continue;
            pixGetPixel(g, x, y, &u);
            n++;
            kept += u < 185;
        }
    return n ? (double)kept / n : 0;
}

/* The faded-ink reading needs the page as scanned: the background step
 * lifts print within 40 grey levels of the paper to near white.  The
 * scan's grey keeps the faint bars where the scan has them (it is not
 * deskewed: crops are turned one by one), while the deskewed grey has
 * lifted them and kept the black ones.  No copy with <faded-ink> off,
 * nor for a 1-bit scan. */
static void test_scan_grey(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    for (int way = 0; s && way < 3; way++) {
        s->faded_on = way != 1;
        PIX *pix = faint_page(), *scan = pix ? pixClone(pix) : NULL;
        if (pix && way == 2) {
            PIX *b = pixThresholdToBinary(pix, 128);
            pixDestroy(&pix);
            pix = b;
        }
        ocr_page pg;
        int cleaned = pix && clean_page(s, &pix, (ocr_source){1200, 1600, 300}, &pg) == DG_OK;
        CHECK(t, cleaned);
        if (cleaned && way == 0) {
            PIX *g = pg.grey, *sg = pg.scan_grey;
            CHECK(t, fabs(pg.skew_deg - (-2.0)) < 0.3 || fabs(pg.skew_deg - 2.0) < 0.3);
            CHECK(t, sg && pixGetWidth(sg) == pixGetWidth(g) && pixGetHeight(sg) == pixGetHeight(g));
            CHECK(t, sg && faint_kept(scan, sg) > 0.95);
            CHECK(t, bars_darker(g, 1, 185) < 0.1 && bars_darker(g, 0, 60) > 0.9);
        } else if (cleaned) {
            CHECK(t, pg.scan_grey == NULL);
        }
        if (cleaned)
            ocr_page_release(&pg);
        pixDestroy(&pix);
        pixDestroy(&scan);
    }
    ocr_settings_free(&s);
}

/* A ragged dark strip a few pixels in from the right edge (a torn or
 * shadowed sheet edge after deskew), thinner than a scanner band. */
static void test_torn_edge(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    int w = 1653, h = 2339;
    PIX *bin = pixCreate(w, h, 1);
    for (int y = 200; y < 260; y++) /* a text line near the edge */
        for (int x = 1400; x < 1600; x += 40)
            pixRasterop(bin, x, y, 30, 30, PIX_SET, NULL, 0, 0);
    for (int y = 10; y < h - 10; y++) {
        int width = 6 + (y * 7919 % 23); /* 6-28 px, jagged */
        pixRasterop(bin, w - 4 - width, y, width, 1, PIX_SET, NULL, 0, 0);
    }
    long holes = 0, bands = ocr_remove_blobs(bin, s, 200, &holes);
    l_uint32 strip = 1, text = 0;
    pixGetPixel(bin, w - 6, h / 2, &strip);
    pixGetPixel(bin, 1410, 210, &text);
    CHECK(t, bands == 1 && holes == 0);
    CHECK(t, strip == 0 && text == 1);
    pixDestroy(&bin);
    ocr_settings_free(&s);
}

/* Tesseract's line text as dangan stores it: widened (parentheses as the
 * print sets them), then tidied. */
static void check_print(tl_state *t, const char *in, int narrow_parens, const char *want)
{
    char *wide = ocr_widen_punctuation(in, narrow_parens);
    char *got = wide ? ocr_tidy_text(wide) : NULL;
    CHECK(t, got && strcmp(got, want) == 0);
    if (got && strcmp(got, want) != 0)
        fprintf(stderr, "text '%s': got '%s', want '%s'\n", in, got, want);
    free(wide);
    free(got);
}

static void check_text(tl_state *t, const char *in, const char *want)
{
    check_print(t, in, 0, want);
}

/* Bars of every length and thickness, some cut by the image's edges (a
 * fixed recurrence, not rand(), so a failure repeats). */
static PIX *bar_page(void)
{
    PIX *p = pixCreate(520, 430, 1);
    unsigned v = 12345;
    for (int i = 0; i < 1500; i++) {
        v = v * 1103515245u + 12345u;
        int x = (int)(v >> 8) % 580 - 30, y = (int)(v >> 4) % 490 - 30;
        int len = 1 + (int)(v >> 16) % 260, thick = 1 + (int)(v >> 12) % 6;
        if (i % 2)
            pixRasterop(p, x, y, len, thick, PIX_SET, NULL, 0, 0);
        else
            pixRasterop(p, x, y, thick, len, PIX_SET, NULL, 0, 0);
    }
    return p;
}

static int same_pix(PIX *a, PIX *b)
{
    l_int32 same = 0;
    return a && b && pixEqual(a, b, &same) == 0 && same;
}

/* The fast brick opening and closing give Leptonica's brick results to the
 * pixel: openings of every line length 2-260 both ways and of 2-D bricks
 * (lengths that split into a composite and a remainder among them),
 * closings of the sizes clean-up uses. */
static void test_brick_morph(tl_state *t)
{
    PIX *p = bar_page();
    int bad = 0;
    for (int len = 2; len <= 260; len++)
        for (int across = 0; across < 2; across++) {
            int w = across ? len : 1, h = across ? 1 : len;
            PIX *want = pixOpenBrick(NULL, p, w, h), *got = ocr_open_brick(p, w, h);
            bad += !same_pix(want, got);
            pixDestroy(&want);
            pixDestroy(&got);
        }
    CHECK_INT(t, bad, 0); /* line lengths whose fast opening differs */
    int box[][2] = {{61, 9}, {75, 11}, {51, 7}, {60, 9}, {9, 1}, {1, 9}, {5, 5}, {97, 13}};
    for (size_t i = 0; i < sizeof box / sizeof box[0]; i++) {
        int w = box[i][0], h = box[i][1];
        PIX *wo = pixOpenBrick(NULL, p, w, h), *go = ocr_open_brick(p, w, h);
        PIX *wc = pixCloseBrick(NULL, p, w, h), *gc = ocr_close_brick(p, w, h);
        CHECK(t, same_pix(wo, go)); /* opening by box[i] */
        CHECK(t, same_pix(wc, gc)); /* closing by box[i] */
        pixDestroy(&wo);
        pixDestroy(&go);
        pixDestroy(&wc);
        pixDestroy(&gc);
    }
    pixDestroy(&p);
}

static void test_text(tl_state *t)
{
    check_text(t, "系 (所) : 力学系", "系（所）：力学系");
    check_text(t, "制表日期: 1990年7月", "制表日期： 1990年7月");
    check_text(t, "1985:7 (a)", "1985:7 (a)");
    check_text(t, "姓  名", "姓名");
    /* （ read as 〈: the angle bracket a ） closes is the parenthesis */
    check_text(t, "本人简历〈从高中起)", "本人简历（从高中起）");
    check_text(t, "〈书名〉 (注)", "〈书名〉（注）");
    check_text(t, "〈甲〈乙）", "〈甲（乙）");
    /* where the print sets them half width they stay ASCII, other marks
     * are widened as before */
    check_print(t, "系(所): 力学系", 1, "系(所)：力学系");
    check_print(t, "系（所）", 1, "系(所)");
    check_print(t, "本人简历〈从高中起)", 1, "本人简历(从高中起)");
    /* a colon or comma between digits of a bare number is its dot */
    char num[] = "52:05", big[] = "1990,7", mark[] = "1985.7:", word[] = "第1:2页";
    CHECK(t, ocr_bare_number(num) && ocr_number_dots(num) && strcmp(num, "52.05") == 0);
    CHECK(t, ocr_number_dots(big) && strcmp(big, "1990.7") == 0);
    CHECK(t, !ocr_number_dots(mark) && strcmp(mark, "1985.7:") == 0); /* not between digits */
    CHECK(t, !ocr_bare_number(word) && !ocr_bare_number("..") && ocr_bare_number("84 :09"));
    char *plain = ocr_tidy_text("系 (所) :");
    CHECK(t, plain && strcmp(plain, "系 (所) :") == 0); /* tidying alone does not widen */
    free(plain);
    /* words are widened beside their neighbours in the line: extraction
     * builds values from words, and a lone ")" after 教授 was kept ASCII */
    const char *in[] = {"韦", "志勇", "(教授", ")", "S86-7", ":"};
    const char *want[] = {"韦", "志勇", "（教授", "）", "S86-7", ":"};
    ocr_word w[6] = {{0}};
    for (int i = 0; i < 6; i++)
        w[i].text = strdup(in[i]);
    CHECK(t, ocr_widen_words(w, 6, 0) == DG_OK);
    for (int i = 0; i < 6; i++) {
        CHECK(t, w[i].text && strcmp(w[i].text, want[i]) == 0);
        free(w[i].text);
    }
    CHECK(t, ocr_widen_words(NULL, 0, 0) == DG_OK);
    /* no line starts with a colon, and none follows another */
    char seal[] = "：浙江大学研究生院制", twice[] = "经办人： ：万振华", label[] = "系（所）：",
         dotted[] = "1985:7";
    int at[4] = {1, 1, 1, 1}; /* each a line of its own */
    CHECK(t, ocr_strip_stray_colons(seal, &at[0]) && strcmp(seal, "浙江大学研究生院制") == 0);
    CHECK(t, ocr_strip_stray_colons(twice, &at[1]) && strcmp(twice, "经办人： 万振华") == 0);
    CHECK(t, !ocr_strip_stray_colons(label, &at[2]) && strcmp(label, "系（所）：") == 0);
    CHECK(t, !ocr_strip_stray_colons(dotted, &at[3]) && strcmp(dotted, "1985:7") == 0);
    /* marks before a character are specks; before a digit, a split dot */
    char lead[] = "-毕业年月", quote[] = "“所在系", split[] = ".7", han[] = "研字";
    CHECK(t, ocr_trim_marks_before_han(lead) && strcmp(lead, "毕业年月") == 0);
    CHECK(t, ocr_trim_marks_before_han(quote) && strcmp(quote, "所在系") == 0);
    CHECK(t, !ocr_trim_marks_before_han(split) && strcmp(split, ".7") == 0);
    CHECK(t, !ocr_trim_marks_before_han(han) && strcmp(han, "研字") == 0);
    /* marks no record uses: chi_sim's reading of broken strokes */
    char br[] = "[学硕十", id[] = "No.893406", date[] = "1985年7月";
    CHECK(t, ocr_drop_foreign_marks(br) == 1 && strcmp(br, "学硕十") == 0);
    CHECK(t, ocr_drop_foreign_marks(id) == 0 && strcmp(id, "No.893406") == 0);
    CHECK(t, ocr_drop_foreign_marks(date) == 0 && strcmp(date, "1985年7月") == 0);
}

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_skew(&t);
    test_large_skew(&t);
    test_seal(&t);
    test_grid(&t);
    test_show_through(&t);
    test_two_tables(&t);
    test_rows_only(&t);
    test_grid_fold(&t);
    test_grid_fold_pieces(&t);
    test_cut_table(&t);
    test_stroke_by_rule(&t);
    test_small_page_rules(&t);
    test_geom(&t);
    test_settings(&t);
    test_page_dpi(&t);
    test_downscale(&t);
    test_decode_reduced(&t);
    test_tiled_tiff(&t);
    test_shadow(&t);
    test_white_lid(&t);
    test_scan_grey(&t);
    test_negative(&t);
    test_torn_edge(&t);
    test_brick_morph(&t);
    test_text(&t);
    return tl_exit_status(&t, "test_ocr_cleanup");
}
