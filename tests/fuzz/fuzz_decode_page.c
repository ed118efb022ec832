/*
 * fuzz_decode_page.c - libFuzzer target for the decoders OCR reads pages
 * with (ocr/decode.c: PNG and TIFF reduced row by row and strip by strip,
 * libtiff's RGBA reader, JPEG scaled by libjpeg, and the quiet JPEG check
 * ingest runs).  As the OCR stage does, a page is decoded only once its
 * header passes the limits.  The first byte picks the reduction (1, 2, 4,
 * 8) and the page (0-3).  Any bytes: a page no larger than its header
 * says, or a refusal with a message; never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int r = 1 << (data[0] & 3), page = (data[0] >> 2) & 3;
    data++;
    size--;
    ocr_limits lim;
    ocr_limits_default(&lim);
    ocr_source src;
    dg_err err = {0};
    if (ocr_page_source(data, size, page, &src) == DG_OK &&
        ocr_limits_check_page(&lim, page, src.width, src.height, NULL) == DG_OK) {
        PIX *pix = ocr_decode_page_reduced(data, size, page, r, &err);
        if (!pix && !err.msg[0])
            abort(); /* a failure must say why */
        if (pix && (pixGetWidth(pix) > src.width || pixGetHeight(pix) > src.height))
            abort(); /* never larger than the header allowed */
        pixDestroy(&pix);
    }
    const char *fmt = ocr_sniff_format(data, size);
    memset(&err, 0, sizeof err);
    if (fmt && strcmp(fmt, "jpeg") == 0 && ocr_jpeg_check(data, size, &err) != DG_OK &&
        !err.msg[0])
        abort();
    return 0;
}
