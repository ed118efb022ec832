/*
 * crop.c - cutting a box (with a margin) out of the original scan page,
 * for reviewers and provenance.
 */
#include <stdio.h>

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
