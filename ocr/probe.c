/*
 * probe.c - format sniffing, header and structure checks of scans and the
 * limits on what a header may claim, so ingest can set aside bad files
 * before any later stage meets them, without decoding them (the decoders
 * are in decode.c).
 */
#include "ocr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ocr_internal.h"

void ocr_quiet_leptonica(void)
{
    /* Thread-unsafe in principle, but every caller sets the same value. */
    setMsgSeverity(L_SEVERITY_NONE);
}

const char *ocr_sniff_format(const unsigned char *d, size_t len)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (len >= 8 && memcmp(d, png, 8) == 0)
        return "png";
    if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
        return "jpeg";
    if (len >= 4 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 42 && d[3] == 0) ||
                     (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 42)))
        return "tiff";
    return NULL;
}

void ocr_limits_default(ocr_limits *lim)
{
    *lim = (ocr_limits){OCR_DEFAULT_MAX_PAGES, OCR_DEFAULT_MAX_PIXELS, OCR_DEFAULT_MIN_SIDE};
}

int ocr_limits_check_page(const ocr_limits *lim, int n, int w, int h, dg_err *err)
{
    if (w <= 0 || h <= 0)
        return dg_err_set(err, DG_EINPUT, "page %d has no pixels (%dx%d)", n + 1, w, h);
    if (w > OCR_MAX_SIDE || h > OCR_MAX_SIDE || (long long)w * h > lim->max_pixels)
        return dg_err_set(err, DG_EINPUT,
                          "page %d claims %dx%d pixels, over the limit of %d px a side or "
                          "%lld megapixels a page (refused before decoding)",
                          n + 1, w, h, OCR_MAX_SIDE, lim->max_pixels / 1000000);
    if (w < lim->min_side || h < lim->min_side)
        return dg_err_set(err, DG_EINPUT,
                          "page %d is %dx%d pixels: too small to read (under %d px a side)",
                          n + 1, w, h, lim->min_side);
    return DG_OK;
}

static int read_dpi(const char *fmt, const unsigned char *data, size_t len)
{
    l_int32 xres = 0, yres = 0;
    if (strcmp(fmt, "jpeg") == 0) {
        readResolutionMemJpeg(data, len, &xres, &yres);
    } else if (strcmp(fmt, "png") == 0) {
        FILE *fp = fmemopen((void *)data, len, "rb");
        if (fp) {
            fgetPngResolution(fp, &xres, &yres);
            fclose(fp);
        }
    }
    return xres > 0 ? xres : 0;
}

/* Header fields of page n; 0 when the header cannot be read. */
static int read_header(const char *fmt, const unsigned char *data, size_t len, int n,
                       ocr_source *src, int *depth)
{
    l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
    int ok;
    if (strcmp(fmt, "tiff") == 0)
        ok = readHeaderMemTiff(data, len, n, &w, &h, &bps, &spp, &res, &cmap, &format) == 0;
    else
        ok = pixReadHeaderMem(data, len, &format, &w, &h, &bps, &spp, &cmap) == 0;
    *src = (ocr_source){w, h, strcmp(fmt, "tiff") == 0 ? res : read_dpi(fmt, data, len)};
    *depth = bps * spp;
    return ok;
}

int ocr_page_source(const unsigned char *data, size_t len, int n, ocr_source *src)
{
    const char *fmt = ocr_sniff_format(data, len);
    int depth = 0;
    ocr_quiet_leptonica();
    return fmt && read_header(fmt, data, len, n, src, &depth) && src->width > 0 &&
                   src->height > 0
               ? DG_OK
               : DG_EINPUT;
}

/*
 * A truncated PNG or JPEG is caught by its missing end marker before the
 * decoder sees it: libpng would otherwise print its own complaint on
 * stderr, and libjpeg quietly pads the missing rows with grey.
 */
static int check_complete(const char *fmt, const unsigned char *d, size_t len, dg_err *err)
{
    static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    if (strcmp(fmt, "png") == 0 && (len < 20 || memcmp(d + len - 8, iend, 8) != 0))
        return dg_err_set(err, DG_EINPUT, "truncated PNG: no IEND chunk at the end of the file");
    if (strcmp(fmt, "jpeg") == 0) {
        size_t end = len; /* some writers pad after EOI */
        while (end > 2 && (d[end - 1] == 0 || d[end - 1] == '\n' || d[end - 1] == '\r'))
            end--;
        if (end < 4 || d[end - 2] != 0xff || d[end - 1] != 0xd9)
            return dg_err_set(err, DG_EINPUT,
                              "truncated JPEG: no end-of-image marker at the end of the file");
    }
    return DG_OK;
}

/* Every chunk of a PNG, by its lengths, up to IEND: each must lie inside
 * the file and pass its CRC (damage anywhere in the file, the compressed
 * rows included, without decompressing them).  Byte 8 starts the first. */
static int check_png_chunks(const unsigned char *d, size_t len, dg_err *err)
{
    size_t pos = 8;
    int idat = 0;
    while (pos + 12 <= len) {
        uint32_t n = (uint32_t)d[pos] << 24 | (uint32_t)d[pos + 1] << 16 |
                     (uint32_t)d[pos + 2] << 8 | d[pos + 3];
        const unsigned char *type = d + pos + 4;
        if (n > len - pos - 12)
            return dg_err_set(err, DG_EINPUT,
                              "truncated or corrupt PNG: a chunk at byte %zu runs past the end "
                              "of the file",
                              pos);
        for (int k = 0; k < 4; k++) /* letters only, so a reason can name it */
            if (!((type[k] | 0x20) >= 'a' && (type[k] | 0x20) <= 'z'))
                return dg_err_set(err, DG_EINPUT,
                                  "corrupt PNG: the chunk at byte %zu has no valid type", pos);
        const unsigned char *c = type + 4 + n;
        uint32_t want = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
        if ((uint32_t)crc32(crc32(0L, Z_NULL, 0), type, (uInt)n + 4) != want)
            return dg_err_set(err, DG_EINPUT,
                              "corrupt PNG: the %.4s chunk at byte %zu fails its CRC check "
                              "(damaged data)",
                              (const char *)type, pos);
        idat |= memcmp(type, "IDAT", 4) == 0;
        if (memcmp(type, "IEND", 4) == 0)
            return idat ? DG_OK
                        : dg_err_set(err, DG_EINPUT, "corrupt PNG: no image data (IDAT) chunk");
        pos += 12 + (size_t)n;
    }
    return dg_err_set(err, DG_EINPUT, "truncated or corrupt PNG: the chunks end before IEND");
}

/* Header fields of a PNG's or JPEG's only page. */
static int single_page(const char *fmt, const unsigned char *data, size_t len, ocr_page_info *p,
                       dg_err *err)
{
    ocr_source src;
    int depth = 0;
    if (strcmp(fmt, "png") == 0 && check_png_chunks(data, len, err))
        return DG_EINPUT;
    if (!read_header(fmt, data, len, 0, &src, &depth))
        return dg_err_set(err, DG_EINPUT, "cannot read the %s header: corrupt file", fmt);
    *p = (ocr_page_info){src.width, src.height, src.dpi, 0, depth};
    return DG_OK;
}

int ocr_probe_scan(const unsigned char *data, size_t len, ocr_page_info **pages, int *npages,
                   dg_err *err)
{
    return ocr_probe_scan_limited(data, len, NULL, pages, npages, err);
}

int ocr_probe_scan_limited(const unsigned char *data, size_t len, const ocr_limits *lim,
                           ocr_page_info **pages, int *npages, dg_err *err)
{
    ocr_limits def;
    ocr_limits_default(&def);
    if (!lim)
        lim = &def;
    *pages = NULL;
    *npages = 0;
    if (len == 0)
        return dg_err_set(err, DG_EINPUT, "empty file (zero bytes)");
    const char *fmt = ocr_sniff_format(data, len);
    if (!fmt)
        return dg_err_set(err, DG_EINPUT,
                          "unsupported format: not a TIFF, PNG or JPEG image (by content)");
    if (check_complete(fmt, data, len, err))
        return DG_EINPUT;
    ocr_quiet_leptonica();
    ocr_page_info *info = NULL;
    int n = 1, rc = DG_OK;
    if (strcmp(fmt, "tiff") == 0) {
        rc = ocr_tiff_walk(data, len, lim->max_pages, &info, &n, err);
    } else {
        info = calloc(1, sizeof *info);
        rc = info ? single_page(fmt, data, len, info, err)
                  : dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    for (int i = 0; !rc && i < n; i++) {
        rc = ocr_limits_check_page(lim, i, info[i].width, info[i].height, err);
        info[i].dpi_by_size = ocr_page_dpi(info[i].width, info[i].height, info[i].dpi);
    }
    /* the sizes pass: only now is anything decoded, and only a JPEG, small */
    if (!rc && strcmp(fmt, "jpeg") == 0)
        rc = ocr_jpeg_check(data, len, err);
    if (rc) {
        free(info);
        return rc == DG_ENOMEM ? DG_ENOMEM : DG_EINPUT;
    }
    *pages = info;
    *npages = n;
    return DG_OK;
}

void ocr_leptonica_version(char *buf, size_t n)
{
    char *v = getLeptonicaVersion();
    snprintf(buf, n, "%s", v ? v : "unknown");
    lept_free(v);
}
