/*
 * test_ocr_cleanup.c - the clean-up chain on drawn pages: a known skew is
 * found (2 and 7 degrees), a red disc goes while black text under it
 * stays, boxes map back through deskew and quarter turns onto the original
 * pixels, a negative is inverted, a shadow along the spine is flattened
 * with its text kept, a yellowed sheet under a white lid is measured on
 * the sheet, and a torn dark page edge is cleared while text beside it
 * stays.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"
#include "testlib.h"
#include "testpage.h"

static void test_skew(tl_state *t)
{
    PIX *p = tp_text_page(1200, 1600);
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
    PIX *p = tp_text_page(1200, 1600);
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

/* A negative (white print on black, as a microfilm gives) is inverted: its
 * paper comes out white and its print dark; with the step off, the
 * clean-up loses the print. */
static void test_negative(tl_state *t)
{
    for (int on = 1; on >= 0; on--) {
        ocr_settings *s = NULL;
        CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
        s->negative_on = on;
        PIX *pix = tp_text_page(1200, 1600);
        if (pix)
            pixInvert(pix, pix);
        ocr_page pg;
        CHECK(t, pix && tp_clean_page(s, &pix, (ocr_source){1200, 1600, 300}, &pg) == DG_OK);
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
    PIX *pix = tp_text_page(1200, 1600);
    for (int y = 0; y < 1600; y++)
        for (int x = 0; x < 400; x++) {
            l_uint32 v = 0;
            pixGetPixel(pix, x, y, &v);
            pixSetPixel(pix, x, y, (l_uint32)(v * (0.35 + 0.65 * x / 400.0)));
        }
    ocr_page pg;
    CHECK(t, tp_clean_page(s, &pix, (ocr_source){1200, 1600, 300}, &pg) == DG_OK);
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
 * the page turned to ink. */
static void test_white_lid(tl_state *t)
{
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    PIX *sheet = tp_text_page(1200, 1600), *pix = pixCreate(1400, 1800, 8);
    if (sheet && pix) {
        pixSetAll(pix);
        pixMultConstantGray(sheet, 212.0f / 255.0f);
        pixRasterop(pix, 100, 100, 1200, 1600, PIX_SRC, sheet, 0, 0);
    }
    pixDestroy(&sheet);
    ocr_page pg;
    int cleaned = s && pix && tp_clean_page(s, &pix, (ocr_source){1400, 1800, 300}, &pg) == DG_OK;
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

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_skew(&t);
    test_large_skew(&t);
    test_seal(&t);
    test_geom(&t);
    test_shadow(&t);
    test_white_lid(&t);
    test_negative(&t);
    test_torn_edge(&t);
    return tl_exit_status(&t, "test_ocr_cleanup");
}
