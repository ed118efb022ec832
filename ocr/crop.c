/*
 * crop.c - cutting a box (with a margin) out of the original scan page,
 * for reviewers and provenance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"
#include "reading.h"

ocr_box ocr_box_grown(ocr_box b, int mx, int my, int w, int h)
{
    int x0 = b.x - mx < 0 ? 0 : b.x - mx, y0 = b.y - my < 0 ? 0 : b.y - my;
    int x1 = b.x + b.w + mx > w ? w : b.x + b.w + mx;
    int y1 = b.y + b.h + my > h ? h : b.y + b.h + my;
    return (ocr_box){x0, y0, x1 - x0, y1 - y0};
}

int ocr_crop_to_png(const unsigned char *data, size_t len, int page_index, ocr_box box,
                    int margin, const char *out_path, dg_err *err)
{
    PIX *page = ocr_decode_page(data, len, page_index, err);
    if (!page)
        return DG_EINPUT;
    int w = pixGetWidth(page), h = pixGetHeight(page);
    ocr_box cut = ocr_box_grown(box, margin, margin, w, h);
    if (cut.w <= 0 || cut.h <= 0) {
        pixDestroy(&page);
        return dg_err_set(err, DG_EINPUT, "box %d,%d %dx%d lies outside the %dx%d page", box.x,
                          box.y, box.w, box.h, w, h);
    }
    PIX *crop = ocr_clip(page, cut);
    pixDestroy(&page);
    int rc = crop ? pixWrite(out_path, crop, IFF_PNG) : 1;
    pixDestroy(&crop);
    if (rc)
        return dg_err_set(err, DG_ERR, "cannot write crop to '%s'", out_path);
    return DG_OK;
}

/* The page shrunk to at most `width` pixels across (never enlarged), as
 * JPEG: a 2,500 x 3,500 scan is megabytes of PNG, more than a screen
 * shows.  Binary and colour-mapped pages go to grey first, so the area
 * mapping pixScale uses when shrinking keeps thin strokes legible. */
int ocr_page_scaled_jpeg(const unsigned char *data, size_t len, int page_index, int width,
                         unsigned char **jpeg, size_t *jpeg_len, dg_err *err)
{
    *jpeg = NULL;
    *jpeg_len = 0;
    if (width <= 0)
        return dg_err_set(err, DG_EUSAGE, "a scaled page needs a width, not %d", width);
    PIX *page = ocr_decode_page(data, len, page_index, err);
    if (!page)
        return DG_EINPUT;
    PIX *flat = pixGetColormap(page) ? pixRemoveColormap(page, REMOVE_CMAP_BASED_ON_SRC)
                                     : pixClone(page);
    pixDestroy(&page);
    PIX *deep = flat && pixGetDepth(flat) < 8 ? pixConvertTo8(flat, 0)
                : flat && pixGetDepth(flat) == 16 ? pixConvert16To8(flat, L_MS_BYTE)
                                                 : pixClone(flat);
    pixDestroy(&flat);
    PIX *small = NULL;
    if (deep) {
        float s = width < pixGetWidth(deep) ? (float)width / (float)pixGetWidth(deep) : 1.0f;
        small = s < 1.0f ? pixScale(deep, s, s) : pixClone(deep);
    }
    pixDestroy(&deep);
    l_uint8 *buf = NULL;
    size_t n = 0;
    int rc = small ? pixWriteMem(&buf, &n, small, IFF_JFIF_JPEG) : 1;
    pixDestroy(&small);
    if (rc || !buf) {
        lept_free(buf);
        return dg_err_set(err, DG_ERR, "cannot scale page %d to %d pixels as JPEG", page_index + 1,
                          width);
    }
    /* the caller frees with free(): copy out of Leptonica's allocator */
    *jpeg = malloc(n);
    if (!*jpeg) {
        lept_free(buf);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    memcpy(*jpeg, buf, n);
    *jpeg_len = n;
    lept_free(buf);
    return DG_OK;
}
