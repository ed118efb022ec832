/*
 * test_ocr_decode.c - reading scans: pages decoded 2x smaller (JPEG, colour
 * TIFF strips, interlaced PNG), a tiled TIFF, and scans finer than 400 dpi
 * read at 300 with boxes still on the scan.
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
#include "testpage.h"

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
    PIX *grey = tp_text_page(800, 600), *colour = grey ? pixConvertTo32(grey) : NULL;
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
    PIX *pix = tp_text_page(1200, 1600);
    CHECK(t, tp_clean_page(s, &pix, (ocr_source){1200, 1600, 480}, &pg) == DG_OK);
    CHECK(t, pg.dpi == 300 && pixGetWidth(pg.grey) == 750);
    ocr_box b = ocr_geom_box_to_original(&pg.geom, (ocr_box){75, 150, 75, 30});
    CHECK(t, abs(b.x - 120) <= 1 && abs(b.y - 240) <= 1 && abs(b.w - 120) <= 2 &&
                 abs(b.h - 48) <= 2);
    ocr_page_release(&pg);
    /* a 600 dpi one given decoded at half size, as libjpeg gives it */
    pix = tp_text_page(1200, 1600);
    CHECK(t, tp_clean_page(s, &pix, (ocr_source){2400, 3200, 600}, &pg) == DG_OK);
    CHECK(t, pg.dpi == 300 && pixGetWidth(pg.grey) == 1200);
    b = ocr_geom_box_to_original(&pg.geom, (ocr_box){100, 150, 50, 30});
    CHECK(t, abs(b.x - 200) <= 1 && abs(b.y - 300) <= 1 && abs(b.w - 100) <= 2 &&
                 abs(b.h - 60) <= 2);
    CHECK(t, strstr(pg.log.data, "\"downscale\",\"on\":true,\"from\":600,\"to\":300") != NULL);
    ocr_page_release(&pg);
    ocr_settings_free(&s);
}

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_downscale(&t);
    test_decode_reduced(&t);
    test_tiled_tiff(&t);
    return tl_exit_status(&t, "test_ocr_decode");
}
