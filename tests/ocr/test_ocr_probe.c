/*
 * test_ocr_probe.c - format sniffing and the probe's refusals (ocr/probe.c).
 */
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

#include "ocr.h"
#include "testlib.h"

static void test_sniff(tl_state *t)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0};
    static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0};
    static const unsigned char tif_le[] = {'I', 'I', 42, 0, 8, 0};
    static const unsigned char tif_be[] = {'M', 'M', 0, 42, 0, 8};
    static const unsigned char text[] = "hello world, not an image";
    CHECK_STR(t, ocr_sniff_format(png, sizeof png), "png");
    CHECK_STR(t, ocr_sniff_format(jpg, sizeof jpg), "jpeg");
    CHECK_STR(t, ocr_sniff_format(tif_le, sizeof tif_le), "tiff");
    CHECK_STR(t, ocr_sniff_format(tif_be, sizeof tif_be), "tiff");
    CHECK(t, ocr_sniff_format(text, sizeof text) == NULL);
    CHECK(t, ocr_sniff_format(png, 4) == NULL); /* too short to be sure */
    CHECK(t, ocr_sniff_format(NULL, 0) == NULL);
}

static void test_probe_rejects(tl_state *t)
{
    ocr_page_info *pages = NULL;
    int n = -1;
    dg_err err = {0};
    CHECK_INT(t, ocr_probe_scan((const unsigned char *)"", 0, &pages, &n, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "empty") != NULL);
    CHECK(t, pages == NULL && n == 0);
    const char *txt = "this is a text file named .tif";
    CHECK_INT(t, ocr_probe_scan((const unsigned char *)txt, strlen(txt), &pages, &n, &err),
              DG_EINPUT);
    CHECK(t, strstr(err.msg, "unsupported format") != NULL);
}

/* The limits on what a page may claim, message by message. */
static void test_limits_page(tl_state *t)
{
    ocr_limits lim;
    ocr_limits_default(&lim);
    dg_err err = {0};
    CHECK_INT(t, ocr_limits_check_page(&lim, 0, 2480, 3508, &err), DG_OK);
    CHECK_INT(t, ocr_limits_check_page(&lim, 0, 100, 100, &err), DG_OK);
    CHECK_INT(t, ocr_limits_check_page(&lim, 0, 12000, 12000, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "page 1 claims 12000x12000 pixels, over the limit") != NULL);
    CHECK_INT(t, ocr_limits_check_page(&lim, 2, 8, 8, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "page 3 is 8x8 pixels: too small to read") != NULL);
    CHECK_INT(t, ocr_limits_check_page(&lim, 0, 64, 32, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "too small to read") != NULL);
    CHECK_INT(t, ocr_limits_check_page(&lim, 0, 0, 5, &err), DG_EINPUT);
    lim.max_pixels = 1000000;
    CHECK_INT(t, ocr_limits_check_page(&lim, 0, 1001, 1000, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "1 megapixels a page") != NULL);
}

/* A TIFF of n pages of w x h grey pixels, in memory. */
static unsigned char *tiff_pages(int n, int w, int h, size_t *len)
{
    PIXA *pixa = pixaCreate(n);
    for (int i = 0; i < n; i++) {
        PIX *p = pixCreate(w, h, 8);
        pixSetAllArbitrary(p, 200);
        pixSetResolution(p, 300, 300);
        pixaAddPix(pixa, p, L_INSERT);
    }
    l_uint8 *data = NULL;
    pixaWriteMemMultipageTiff(&data, len, pixa);
    pixaDestroy(&pixa);
    return data;
}

/* Pages per file: every directory is walked once, and a file declaring
 * more than the limit is refused without its pages being read. */
static void test_probe_pages(tl_state *t)
{
    size_t len = 0;
    unsigned char *d = tiff_pages(5, 120, 150, &len);
    ocr_limits lim;
    ocr_limits_default(&lim);
    ocr_page_info *pages = NULL;
    int n = 0;
    dg_err err = {0};
    CHECK(t, d != NULL);
    CHECK_INT(t, ocr_probe_scan_limited(d, len, &lim, &pages, &n, &err), DG_OK);
    CHECK_INT(t, n, 5);
    CHECK(t, pages && pages[4].width == 120 && pages[4].height == 150 && pages[4].dpi == 300 &&
                 pages[4].depth == 8);
    free(pages);
    lim.max_pages = 4;
    CHECK_INT(t, ocr_probe_scan_limited(d, len, &lim, &pages, &n, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "declares more than 4 pages") != NULL && pages == NULL && n == 0);
    lim.max_pages = 5;
    lim.min_side = 130;
    CHECK_INT(t, ocr_probe_scan_limited(d, len, &lim, &pages, &n, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "page 1 is 120x150 pixels: too small to read") != NULL);
    lim.min_side = 100;
    lim.max_pixels = 17000; /* 120 x 150 = 18000 */
    CHECK_INT(t, ocr_probe_scan_limited(d, len, &lim, &pages, &n, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "claims 120x150 pixels, over the limit") != NULL);
    lept_free(d);
}

/* A PNG damaged inside its compressed rows is refused by the chunk's CRC,
 * before (and without) any decoding. */
static void test_probe_png_crc(tl_state *t)
{
    PIX *p = pixCreate(300, 200, 8);
    pixSetAllArbitrary(p, 180);
    l_uint8 *d = NULL;
    size_t len = 0;
    pixWriteMemPng(&d, &len, p, 0);
    pixDestroy(&p);
    ocr_page_info *pages = NULL;
    int n = 0;
    dg_err err = {0};
    CHECK(t, d != NULL && len > 80);
    CHECK_INT(t, ocr_probe_scan(d, len, &pages, &n, &err), DG_OK);
    CHECK_INT(t, n, 1);
    free(pages);
    d[len - 20] ^= 0x5a; /* inside the last IDAT */
    CHECK_INT(t, ocr_probe_scan(d, len, &pages, &n, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "fails its CRC check") != NULL);
    lept_free(d);
}

int main(void)
{
    tl_state t = {0};
    test_sniff(&t);
    test_probe_rejects(&t);
    test_limits_page(&t);
    test_probe_pages(&t);
    test_probe_png_crc(&t);
    return tl_exit_status(&t, "test_ocr_probe");
}
