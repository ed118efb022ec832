/*
 * crop.c - cutting a box (with a margin) out of the original scan page,
 * for reviewers and provenance.
 */
#include <stdio.h>

#include "ocr_internal.h"

int ocr_crop_to_png(const unsigned char *data, size_t len, int page_index, ocr_box box,
                    int margin, const char *out_path, dg_err *err)
{
    PIX *page = ocr_decode_page(data, len, page_index, err);
    if (!page)
        return DG_EINPUT;
    int w = pixGetWidth(page), h = pixGetHeight(page);
    int x0 = box.x - margin < 0 ? 0 : box.x - margin;
    int y0 = box.y - margin < 0 ? 0 : box.y - margin;
    int x1 = box.x + box.w + margin > w ? w : box.x + box.w + margin;
    int y1 = box.y + box.h + margin > h ? h : box.y + box.h + margin;
    if (x1 <= x0 || y1 <= y0) {
        pixDestroy(&page);
        return dg_err_set(err, DG_EINPUT, "box %d,%d %dx%d lies outside the %dx%d page", box.x,
                          box.y, box.w, box.h, w, h);
    }
    BOX *b = boxCreate(x0, y0, x1 - x0, y1 - y0);
    PIX *crop = pixClipRectangle(page, b, NULL);
    boxDestroy(&b);
    pixDestroy(&page);
    int rc = crop ? pixWrite(out_path, crop, IFF_PNG) : 1;
    pixDestroy(&crop);
    if (rc)
        return dg_err_set(err, DG_ERR, "cannot write crop to '%s'", out_path);
    return DG_OK;
}
