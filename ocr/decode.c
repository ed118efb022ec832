/*
 * decode.c - a scan's page (TIFF, PNG or JPEG in memory) decoded for
 * recognition, whole or reduced, without holding more of it than needed.
 */
#include <png.h>
/* jpeglib.h wants stdio.h and stddef.h's types first */
#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "ocr_internal.h"

/* A TIFF in memory, read through libtiff's client I/O. */
typedef struct mem_tiff {
    const unsigned char *data;
    toff_t len, pos;
} mem_tiff;

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n)
{
    mem_tiff *m = h;
    toff_t left = m->pos < m->len ? m->len - m->pos : 0;
    toff_t k = n < 0 ? 0 : (toff_t)n < left ? (toff_t)n : left;
    if (k == 0)
        return 0;
    memcpy(buf, m->data + m->pos, (size_t)k);
    m->pos += k;
    return (tmsize_t)k;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n)
{
    return -1;
}

/* Offsets arrive as toff_t (unsigned): a step back wraps, as libtiff means. */
static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
    mem_tiff *m = h;
    m->pos = (whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->len : 0) + off;
    return m->pos;
}

static int mem_close(thandle_t h)
{
    return 0;
}

static toff_t mem_size(thandle_t h)
{
    return ((mem_tiff *)h)->len;
}

static int mem_map(thandle_t h, void **base, toff_t *size)
{
    return 0;
}

static void mem_unmap(thandle_t h, void *base, toff_t size) {}

/* libtiff's complaints: the caller reports the failure itself. */
static int tiff_quiet(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
    return 1;
}

/* The largest page decoded through libtiff (an A3 sheet at 600 dpi is 70
 * million pixels): 400 MB at 32 bpp. */
#define TIFF_RGBA_MAX_PIXELS 100000000LL

/* libtiff on the bytes of m, at page n; NULL when it cannot open them. */
static TIFF *open_tiff(mem_tiff *m, int n)
{
    TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
    if (!o)
        return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(o, tiff_quiet, NULL);
    TIFFOpenOptionsSetWarningHandlerExtR(o, tiff_quiet, NULL);
    TIFF *t = TIFFClientOpenExt("scan", "rm", m, mem_read, mem_write, mem_seek, mem_close, mem_size,
                                mem_map, mem_unmap, o);
    TIFFOpenOptionsFree(o);
    if (t && !TIFFSetDirectory(t, (tdir_t)n)) {
        TIFFClose(t);
        return NULL;
    }
    return t;
}

/* The recorded resolution of the current directory in dpi, as Leptonica
 * reads it (a missing X taken from Y; centimetres converted); 0: none. */
static int tiff_dpi(TIFF *t)
{
    float xr = 0, yr = 0;
    uint16_t unit = RESUNIT_INCH;
    int fx = TIFFGetField(t, TIFFTAG_XRESOLUTION, &xr), fy = TIFFGetField(t, TIFFTAG_YRESOLUTION, &yr);
    if (!fx && fy)
        xr = yr;
    if ((!fx && !fy) || !(xr > 0 && xr < 1e6))
        return 0;
    TIFFGetFieldDefaulted(t, TIFFTAG_RESOLUTIONUNIT, &unit);
    return (int)((unit == RESUNIT_CENTIMETER ? 2.54 * xr : xr) + 0.5);
}

/* 1 when every strip or tile of the current directory lies inside the file. */
static int tiff_striles_inside(TIFF *t, uint64_t len)
{
    uint32_t n = TIFFIsTiled(t) ? TIFFNumberOfTiles(t) : TIFFNumberOfStrips(t);
    for (uint32_t i = 0; i < n; i++) {
        int err = 0;
        uint64_t off = TIFFGetStrileOffsetWithErr(t, i, &err);
        uint64_t cnt = err ? 0 : TIFFGetStrileByteCountWithErr(t, i, &err);
        if (err || off > len || cnt > len - off)
            return 0;
    }
    return n > 0;
}

int ocr_tiff_walk(const unsigned char *data, size_t len, int max_pages, ocr_page_info **out,
                  int *npages, dg_err *err)
{
    *out = NULL;
    *npages = 0;
    mem_tiff m = {data, len, 0};
    TIFF *t = open_tiff(&m, 0);
    if (!t)
        return dg_err_set(err, DG_EINPUT, "cannot read the TIFF directory: corrupt file");
    ocr_page_info *v = NULL;
    int n = 0, cap = 0, rc = DG_OK;
    /* one pass: libtiff moves from each directory to the next (and stops a
     * chain that loops back); asking for page n from the start each time
     * made a 2,000-page file cost 2,000 x 1,000 directory reads */
    do {
        if (n >= max_pages) {
            rc = dg_err_set(err, DG_EINPUT,
                            "declares more than %d pages, over the limit of %d pages a file "
                            "(refused before decoding)",
                            max_pages, max_pages);
            break;
        }
        uint32_t w = 0, h = 0;
        uint16_t bps = 1, spp = 1;
        TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
        TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
        TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
        TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            ocr_page_info *nv = realloc(v, (size_t)cap * sizeof *nv);
            if (!nv) {
                rc = dg_err_set(err, DG_ENOMEM, "out of memory");
                break;
            }
            v = nv;
        }
        v[n] = (ocr_page_info){(int)(w > INT32_MAX ? INT32_MAX : w),
                               (int)(h > INT32_MAX ? INT32_MAX : h), tiff_dpi(t), 0,
                               (int)bps * spp};
        n++;
        /* sizes first: a refused page says why, whatever its strips */
        if (w == 0 || h == 0 || w > OCR_MAX_SIDE || h > OCR_MAX_SIDE)
            continue;
        if (!tiff_striles_inside(t, len)) {
            rc = dg_err_set(err, DG_EINPUT,
                            "truncated or corrupt TIFF: image data of page %d lies past the end "
                            "of the file",
                            n);
            break;
        }
    } while (TIFFReadDirectory(t));
    TIFFClose(t);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *npages = n;
    return DG_OK;
}

/* One source row of RGBA pixels added into the sums of its reduced row. */
static void add_row(const uint32_t *src, int wout, int r, uint32_t *sums)
{
    for (int x = 0; x < wout * r; x++) {
        uint32_t *s = &sums[(x / r) * 3];
        s[0] += TIFFGetR(src[x]);
        s[1] += TIFFGetG(src[x]);
        s[2] += TIFFGetB(src[x]);
    }
}

/* The sums of r source rows as reduced row y of pix; the sums cleared. */
static void put_row(PIX *pix, int y, int r, uint32_t *sums)
{
    l_uint32 *line = pixGetData(pix) + (size_t)y * pixGetWpl(pix);
    uint32_t n = (uint32_t)(r * r);
    for (int x = 0; x < pixGetWidth(pix); x++) {
        uint32_t *s = &sums[x * 3];
        composeRGBPixel((int)(s[0] / n), (int)(s[1] / n), (int)(s[2] / n), &line[x]);
        s[0] = s[1] = s[2] = 0;
    }
}

/* Page n of a stripped TIFF decoded `r` times smaller (r x r averages),
 * strip by strip through libtiff: the full-size page is never held.  NULL
 * when it is tiled or libtiff cannot read it. */
static PIX *decode_tiff_reduced(const unsigned char *data, size_t len, int n, int r)
{
    mem_tiff m = {data, len, 0};
    TIFF *t = open_tiff(&m, n);
    uint32_t w = 0, h = 0, rps = 0;
    int ok = t && !TIFFIsTiled(t) && TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w) &&
             TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h) && w <= OCR_MAX_SIDE && h <= OCR_MAX_SIDE &&
             TIFFGetFieldDefaulted(t, TIFFTAG_ROWSPERSTRIP, &rps) && w / r > 0 && h / r > 0;
    rps = rps < 1 ? 1 : rps > h ? h : rps;
    ok = ok && (long long)w * rps <= TIFF_RGBA_MAX_PIXELS;
    uint32_t *strip = ok ? malloc((size_t)w * rps * sizeof *strip) : NULL;
    uint32_t *sums = ok ? calloc((size_t)(w / r) * 3, sizeof *sums) : NULL;
    PIX *pix = strip && sums ? pixCreate((int)(w / r), (int)(h / r), 32) : NULL;
    for (uint32_t row = 0; pix && row < h; row += rps) {
        if (!TIFFReadRGBAStrip(t, row, strip)) {
            pixDestroy(&pix);
            break;
        }
        /* libtiff gives a strip bottom row first */
        uint32_t rows = rps < h - row ? rps : h - row;
        for (uint32_t k = 0; k < rows && (row + k) / r < h / r; k++) {
            add_row(strip + (size_t)(rows - 1 - k) * w, (int)(w / r), r, sums);
            if ((row + k) % r == (uint32_t)r - 1)
                put_row(pix, (int)((row + k) / r), r, sums);
        }
    }
    free(strip);
    free(sums);
    if (t)
        TIFFClose(t);
    return pix;
}

/* A PNG in memory, read through libpng's read callback. */
typedef struct mem_png {
    const unsigned char *data;
    size_t len, pos;
} mem_png;

static void png_mem_read(png_structp png, png_bytep out, size_t n)
{
    mem_png *m = png_get_io_ptr(png);
    if (n > m->len - m->pos)
        png_error(png, "truncated");
    memcpy(out, m->data + m->pos, n);
    m->pos += n;
}

/* libpng must not return from its error handler, nor print. */
static void png_fail(png_structp png, png_const_charp msg)
{
    png_longjmp(png, 1);
}

static void png_quiet(png_structp png, png_const_charp msg) {}

/* One source row of 8-bit RGB added into the sums of its reduced row. */
static void add_rgb_row(const unsigned char *src, int wout, int r, uint32_t *sums)
{
    for (int x = 0; x < wout * r; x++) {
        uint32_t *s = &sums[(x / r) * 3];
        s[0] += src[3 * x];
        s[1] += src[3 * x + 1];
        s[2] += src[3 * x + 2];
    }
}

/* A PNG decoded `r` times smaller (r x r averages), through libpng as
 * 8-bit RGB: row by row, so the full-size page is never held (Leptonica
 * holds a 600 dpi colour PNG twice: 320 MB); an interlaced PNG, whose rows
 * arrive in seven passes, is held once as RGB bytes (100 MB at 600 dpi).
 * NULL when libpng cannot read it (*corrupt set: handed on, libpng would
 * only say so again, on stderr) or it is too large. */
static PIX *decode_png_reduced(const unsigned char *data, size_t len, int r, int *corrupt)
{
    mem_png m = {data, len, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_quiet);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    PIX *volatile pix = NULL;
    unsigned char *volatile rows = NULL;
    uint32_t *volatile sums = NULL;
    if (info && setjmp(png_jmpbuf(png)) == 0) {
        png_set_read_fn(png, &m, png_mem_read);
        png_read_info(png, info);
        png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
        png_set_strip_16(png);
        png_set_palette_to_rgb(png);
        png_set_expand_gray_1_2_4_to_8(png);
        png_set_gray_to_rgb(png);
        png_set_strip_alpha(png);
        int passes = png_set_interlace_handling(png);
        png_read_update_info(png, info);
        size_t stride = (size_t)w * 3;
        if (png_get_rowbytes(png, info) == stride && w / r > 0 && h / r > 0 && w <= OCR_MAX_SIDE &&
            h <= OCR_MAX_SIDE) {
            rows = malloc(stride * (passes > 1 ? h : 1));
            sums = calloc((size_t)(w / r) * 3, sizeof *sums);
            pix = rows && sums ? pixCreate((int)(w / r), (int)(h / r), 32) : NULL;
        }
        for (int p = 0; pix && passes > 1 && p < passes; p++)
            for (png_uint_32 y = 0; y < h; y++)
                png_read_row(png, rows + y * stride, NULL);
        for (png_uint_32 y = 0; pix && y < h / r * r; y++) {
            unsigned char *row = rows + (passes > 1 ? y * stride : 0);
            if (passes == 1)
                png_read_row(png, row, NULL);
            add_rgb_row(row, (int)(w / r), r, sums);
            if (y % r == (png_uint_32)r - 1)
                put_row(pix, (int)(y / r), r, sums);
        }
    } else {
        PIX *p = pix;
        pixDestroy(&p);
        pix = NULL;
        *corrupt = info != NULL;
    }
    free(rows);
    free(sums);
    png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
    return pix;
}

/* 1 when libpng reads every row of the PNG: Leptonica's reader lets
 * libpng print its complaint about a damaged file on stderr before it
 * fails, so a PNG goes to it only once this quiet pass has read it. */
static int png_reads(const unsigned char *data, size_t len)
{
    mem_png m = {data, len, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_quiet);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *volatile row = NULL;
    volatile int ok = 0;
    if (info && setjmp(png_jmpbuf(png)) == 0) {
        png_set_read_fn(png, &m, png_mem_read);
        png_read_info(png, info);
        int passes = png_set_interlace_handling(png);
        png_read_update_info(png, info);
        png_uint_32 h = png_get_image_height(png, info);
        row = malloc(png_get_rowbytes(png, info));
        for (int p = 0; row && p < passes; p++)
            for (png_uint_32 y = 0; y < h; y++)
                png_read_row(png, row, NULL);
        if (row)
            png_read_end(png, NULL);
        ok = row != NULL;
    }
    free(row);
    png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
    return ok;
}

/* Page n of a TIFF Leptonica cannot decode (tiled ones: Leptonica reads
 * strips only), through libtiff's RGBA interface, into a 32 bpp page;
 * NULL when libtiff cannot either. */
static PIX *decode_tiff_rgba(const unsigned char *data, size_t len, int n)
{
    mem_tiff m = {data, len, 0};
    TIFF *t = open_tiff(&m, n);
    uint32_t w = 0, h = 0;
    PIX *pix = NULL;
    if (t && TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w) && TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h) &&
        w > 0 && h > 0 && w <= OCR_MAX_SIDE && h <= OCR_MAX_SIDE &&
        (long long)w * h <= TIFF_RGBA_MAX_PIXELS)
        pix = pixCreate((int)w, (int)h, 32);
    /* 32 bpp rows have no padding, so libtiff fills the page in place */
    if (pix && !TIFFReadRGBAImageOriented(t, w, h, pixGetData(pix), ORIENTATION_TOPLEFT, 1))
        pixDestroy(&pix);
    if (t)
        TIFFClose(t);
    l_uint32 *px = pix ? pixGetData(pix) : NULL;
    for (size_t i = 0; px && i < (size_t)w * h; i++) /* libtiff's ABGR to Leptonica's RGBA */
        composeRGBPixel((int)TIFFGetR(px[i]), (int)TIFFGetG(px[i]), (int)TIFFGetB(px[i]), &px[i]);
    return pix;
}

/* 1 when page n of a TIFF has three or more samples a pixel (colour). */
static int tiff_colour(const unsigned char *data, size_t len, int n)
{
    l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
    return readHeaderMemTiff(data, len, n, &w, &h, &bps, &spp, &res, &cmap, &format) == 0 &&
           spp >= 3;
}

/* pix (grey or colour) halved until `reduction` times smaller, each time
 * by 2x2 area mapping; 1-bit pages stay whole (the clean-up makes them
 * grey first).  The full-size page is freed as soon as it is halved, so
 * the clean-up works on a quarter of the pixels (grey TIFFs, interlaced
 * PNGs: the other formats are decoded smaller).  NULL when out of memory. */
static PIX *halve(PIX *pix, int reduction)
{
    int d = pixGetDepth(pix);
    for (int r = reduction; r >= 2 && (d == 8 || d == 32) && !pixGetColormap(pix); r /= 2) {
        PIX *h = pixScaleAreaMap2(pix);
        pixDestroy(&pix);
        if (!h)
            return NULL;
        pix = h;
    }
    return pix;
}

PIX *ocr_decode_page(const unsigned char *data, size_t len, int n, dg_err *err)
{
    return ocr_decode_page_reduced(data, len, n, 1, err);
}

PIX *ocr_decode_page_reduced(const unsigned char *data, size_t len, int n, int reduction,
                             dg_err *err)
{
    const char *fmt = ocr_sniff_format(data, len);
    PIX *pix = NULL;
    ocr_quiet_leptonica();
    if (!fmt) {
        dg_err_set(err, DG_EINPUT, "not a TIFF, PNG or JPEG image");
        return NULL;
    }
    /* the factors libjpeg scales by; the row and strip readers follow */
    int r = reduction == 2 || reduction == 4 || reduction == 8 ? reduction : 1, reduced = 0;
    if (strcmp(fmt, "tiff") == 0) {
        /* A colour page read to be scaled down (a 600 dpi master) is
         * reduced strip by strip: Leptonica holds the whole page twice while
         * it decodes it (360 MB at 600 dpi against 250 a worker). */
        pix = r > 1 && tiff_colour(data, len, n) ? decode_tiff_reduced(data, len, n, r) : NULL;
        reduced = pix != NULL;
        if (!pix)
            pix = pixReadMemTiff(data, len, n);
        if (!pix)
            pix = decode_tiff_rgba(data, len, n);
    } else if (n != 0) {
        dg_err_set(err, DG_EINPUT, "page %d requested from a single-page %s", n + 1, fmt);
        return NULL;
    } else if (strcmp(fmt, "jpeg") == 0) {
        l_int32 nwarn = 0;
        pix = pixReadMemJpeg(data, len, 0, r, &nwarn, 0);
        reduced = 1;
        /* libjpeg pads a truncated stream with grey and only warns. */
        if (pix && nwarn > 0) {
            pixDestroy(&pix);
            dg_err_set(err, DG_EINPUT, "corrupt or truncated JPEG data (%d decoder warnings)",
                       nwarn);
            return NULL;
        }
    } else {
        int bad = 0;
        pix = r > 1 ? decode_png_reduced(data, len, r, &bad) : NULL;
        reduced = pix != NULL;
        if (!pix && !bad && png_reads(data, len))
            pix = pixReadMemPng(data, len);
    }
    if (!pix)
        dg_err_set(err, DG_EINPUT, "cannot decode %s page %d: truncated or corrupt image data", fmt,
                   n + 1);
    else if (!reduced)
        pix = halve(pix, r);
    return pix;
}

/* libjpeg's error manager, quiet: an error jumps back, a warning (damaged
 * data that libjpeg would pad with grey) is counted, nothing is printed. */
typedef struct quiet_jpeg_err {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
    int warnings;
} quiet_jpeg_err;

static void jpeg_fail(j_common_ptr c)
{
    longjmp(((quiet_jpeg_err *)c->err)->back, 1);
}

static void jpeg_note(j_common_ptr c, int level)
{
    if (level < 0)
        ((quiet_jpeg_err *)c->err)->warnings++;
}

static void jpeg_silent(j_common_ptr c) {}

int ocr_jpeg_check(const unsigned char *data, size_t len, dg_err *err)
{
    struct jpeg_decompress_struct cinfo;
    quiet_jpeg_err je;
    JSAMPLE *volatile row = NULL;
    volatile int ok = 0;
    cinfo.err = jpeg_std_error(&je.mgr);
    je.mgr.error_exit = jpeg_fail;
    je.mgr.emit_message = jpeg_note;
    je.mgr.output_message = jpeg_silent;
    je.warnings = 0;
    if (setjmp(je.back) == 0) {
        jpeg_create_decompress(&cinfo);
        jpeg_mem_src(&cinfo, data, (unsigned long)len);
        jpeg_read_header(&cinfo, TRUE);
        /* an eighth of each side: libjpeg skips most of the inverse DCT,
         * yet every coefficient is decoded, so damage anywhere is met */
        cinfo.scale_num = 1;
        cinfo.scale_denom = 8;
        jpeg_start_decompress(&cinfo);
        row = malloc((size_t)cinfo.output_width * (size_t)cinfo.output_components);
        while (row && cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW rows[1] = {row};
            jpeg_read_scanlines(&cinfo, rows, 1);
        }
        if (row)
            jpeg_finish_decompress(&cinfo);
        ok = row != NULL;
    }
    jpeg_destroy_decompress(&cinfo);
    free(row);
    if (!ok)
        return dg_err_set(err, DG_EINPUT, "cannot decode jpeg page 1: corrupt image data");
    if (je.warnings > 0)
        return dg_err_set(err, DG_EINPUT, "corrupt or truncated JPEG data (%d decoder warnings)",
                          je.warnings);
    return DG_OK;
}
