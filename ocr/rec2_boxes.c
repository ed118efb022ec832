/*
 * rec2_boxes.c - the second reader over boxes of a scan page: the page is
 * decoded once and each box cut from it (with a margin: extraction's boxes
 * hug the ink, and the recognizer wants some paper around a line), turned
 * grey and read as one line.
 */
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

#include "ocr.h"
#include "ocr_internal.h"

static int read_box(ocr_rec2 *narrow, ocr_rec2 *wide, PIX *page, ocr_box b,
                    ocr_rec2_result *out, dg_err *err)
{
    int w = pixGetWidth(page), h = pixGetHeight(page);
    int my = b.h / 5 + 2, mx = b.h / 3 + 2;
    int x0 = b.x - mx < 0 ? 0 : b.x - mx, y0 = b.y - my < 0 ? 0 : b.y - my;
    int x1 = b.x + b.w + mx > w ? w : b.x + b.w + mx;
    int y1 = b.y + b.h + my > h ? h : b.y + b.h + my;
    if (x1 - x0 < 4 || y1 - y0 < 4) { /* outside the page: nothing to read */
        out->text = calloc(1, 1);
        return out->text ? DG_OK : DG_ENOMEM;
    }
    BOX *box = boxCreate(x0, y0, x1 - x0, y1 - y0);
    PIX *crop = box ? pixClipRectangle(page, box, NULL) : NULL;
    boxDestroy(&box);
    PIX *grey = crop ? pixConvertTo8(crop, 0) : NULL;
    pixDestroy(&crop);
    if (!grey)
        return DG_ENOMEM;
    ocr_rec2_image img = {(const unsigned char *)pixGetData(grey), pixGetWidth(grey),
                          pixGetHeight(grey), pixGetWpl(grey) * 4, 1};
    /* Leptonica keeps 8-bit pixels in 32-bit words in native order: bytes
     * of a row are in order only on a big-endian machine, so swap a copy. */
    pixEndianByteSwap(grey);
    /* the narrower model costs half as much and reads as well when the
     * line fits it at its own aspect (height 48) */
    int fits = narrow && img.width * 48 <= ocr_rec2_width(narrow) * img.height;
    int rc = ocr_rec2_read(fits || !wide ? narrow : wide, &img, out, err);
    pixDestroy(&grey);
    return rc;
}

int ocr_rec2_read_boxes(ocr_rec2 *narrow, ocr_rec2 *wide, const unsigned char *data, size_t len,
                        int page_index, const ocr_box *boxes, size_t n, ocr_rec2_result *out,
                        dg_err *err)
{
    memset(out, 0, n * sizeof *out);
    ocr_quiet_leptonica();
    PIX *page = ocr_decode_page(data, len, page_index, err);
    if (!page)
        return DG_EINPUT;
    int rc = DG_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = read_box(narrow, wide, page, boxes[i], &out[i], err);
    pixDestroy(&page);
    if (rc)
        for (size_t i = 0; i < n; i++)
            ocr_rec2_result_free(&out[i]);
    return rc;
}
