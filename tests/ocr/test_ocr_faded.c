/*
 * test_ocr_faded.c - the page as scanned, kept for the faded-ink reading:
 * faint print stays in it while the cleaned grey lifts it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"
#include "testlib.h"
#include "testpage.h"

/* Share of the bars of a text page (as tp_text_page lays them out) of column
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
        int cleaned = pix && tp_clean_page(s, &pix, (ocr_source){1200, 1600, 300}, &pg) == DG_OK;
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

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_scan_grey(&t);
    return tl_exit_status(&t, "test_ocr_faded");
}
