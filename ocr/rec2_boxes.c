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
#include "reading.h"
#include "rec2.h"

struct Pix *ocr_field_crop(struct Pix *page, ocr_box b, int *empty)
{
    ocr_box cut = ocr_box_grown(b, b.h / 3 + 2, b.h / 5 + 2, pixGetWidth(page),
                                pixGetHeight(page));
    *empty = cut.w < 4 || cut.h < 4; /* outside the page: nothing to read */
    if (*empty)
        return NULL;
    PIX *crop = ocr_clip(page, cut);
    PIX *grey = crop ? pixConvertTo8(crop, 0) : NULL; /* read grey, as trust.conf was fitted */
    pixDestroy(&crop);
    return grey;
}

static int read_box(ocr_rec2 *narrow, ocr_rec2 *wide, PIX *page, ocr_box b,
                    ocr_rec2_result *out, dg_err *err)
{
    int empty;
    PIX *grey = ocr_field_crop(page, b, &empty);
    if (empty) {
        out->text = calloc(1, 1);
        return out->text ? DG_OK : DG_ENOMEM;
    }
    if (!grey)
        return DG_ENOMEM;
    /* the narrower model costs half as much and reads as well when the
     * line fits it at its own aspect (height 48) */
    int fits = narrow && pixGetWidth(grey) * 48 <= ocr_rec2_width(narrow) * pixGetHeight(grey);
    int rc = ocr_rec2_read_pix(fits || !wide ? narrow : wide, grey, out, err);
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
