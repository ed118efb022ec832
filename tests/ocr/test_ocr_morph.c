/*
 * test_ocr_morph.c - openings and closings by long bricks match
 * Leptonica's to the pixel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"
#include "testlib.h"
#include "testpage.h"

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

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_brick_morph(&t);
    return tl_exit_status(&t, "test_ocr_morph");
}
