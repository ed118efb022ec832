/*
 * test_ocr_probe.c - format sniffing and the probe's refusals (ocr/probe.c).
 */
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

int main(void)
{
    tl_state t = {0};
    test_sniff(&t);
    test_probe_rejects(&t);
    return tl_exit_status(&t, "test_ocr_probe");
}
