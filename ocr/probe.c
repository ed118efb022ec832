/*
 * probe.c - format sniffing, header checks and trial decoding of scans, so
 * ingest can set aside bad files before any later stage meets them (the
 * decoders themselves are in decode.c).
 */
#include "ocr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int check_size(int w, int h, int page, dg_err *err)
{
    if (w <= 0 || h <= 0)
        return dg_err_set(err, DG_EINPUT, "page %d has no pixels (%dx%d)", page + 1, w, h);
    if (w > OCR_MAX_SIDE || h > OCR_MAX_SIDE || (long long)w * h > OCR_MAX_PIXELS)
        return dg_err_set(err, DG_EINPUT,
                          "page %d claims %dx%d pixels, over the limit of %d px a side or "
                          "%lld megapixels (refused before decoding)",
                          page + 1, w, h, OCR_MAX_SIDE, OCR_MAX_PIXELS / 1000000);
    return DG_OK;
}

static int tiff_page_count(const unsigned char *data, size_t len, int *n)
{
    /* tiffGetCount wants a FILE*; fmemopen gives one over the bytes. */
    FILE *fp = fmemopen((void *)data, len, "rb");
    if (!fp)
        return DG_ERR;
    l_int32 count = 0;
    int rc = tiffGetCount(fp, &count);
    fclose(fp);
    *n = count;
    return rc == 0 && count > 0 ? DG_OK : DG_ERR;
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

static int probe_page(const char *fmt, const unsigned char *data, size_t len, int n,
                      ocr_page_info *info, dg_err *err)
{
    ocr_source src;
    int depth = 0;
    if (!read_header(fmt, data, len, n, &src, &depth))
        return dg_err_set(err, DG_EINPUT, "cannot read the %s header of page %d", fmt, n + 1);
    if (check_size(src.width, src.height, n, err))
        return DG_EINPUT;
    PIX *pix = ocr_decode_page(data, len, n, err);
    if (!pix)
        return DG_EINPUT;
    info->width = pixGetWidth(pix);
    info->height = pixGetHeight(pix);
    info->depth = depth;
    info->dpi = src.dpi;
    if (info->dpi <= 0)
        info->dpi = pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 0;
    info->dpi_by_size = ocr_page_dpi(info->width, info->height, info->dpi);
    pixDestroy(&pix);
    return DG_OK;
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

int ocr_probe_scan(const unsigned char *data, size_t len, ocr_page_info **pages, int *npages,
                   dg_err *err)
{
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
    int n = 1;
    if (strcmp(fmt, "tiff") == 0 && tiff_page_count(data, len, &n))
        return dg_err_set(err, DG_EINPUT, "cannot read the TIFF directory: corrupt file");
    ocr_page_info *info = calloc((size_t)n, sizeof *info);
    if (!info)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        if (probe_page(fmt, data, len, i, &info[i], err)) {
            free(info);
            return DG_EINPUT;
        }
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
