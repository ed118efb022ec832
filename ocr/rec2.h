/*
 * rec2.h - the second reader on a Leptonica image, for code inside ocr/
 * (ocr.h itself lets no third-party type through).
 */
#ifndef DANGAN_OCR_REC2_H
#define DANGAN_OCR_REC2_H

#include "ocr.h"

struct Pix;

/* Read a crop of any depth (1, 2, 4, 8 with or without colormap, 16, 32
 * bpp) as one line; see ocr_rec2_read. */
int ocr_rec2_read_pix(ocr_rec2 *r, const struct Pix *crop, ocr_rec2_result *out, dg_err *err);

#endif
