/* ocr_internal.h - shared between the ocr/ sources; not a public header. */
#ifndef DANGAN_OCR_INTERNAL_H
#define DANGAN_OCR_INTERNAL_H

#include <leptonica/allheaders.h>

#include <tesseract/capi.h>

#include "ocr.h"

struct ocr_engine {
    TessBaseAPI *api;
    const ocr_settings *settings;
    char lang[64];
};

/* Decode page n (0-based) of an in-memory scan; NULL on failure with err set. */
PIX *ocr_decode_page(const unsigned char *data, size_t len, int n, dg_err *err);

/* Leptonica reports errors on stderr by default; library code must stay quiet. */
void ocr_quiet_leptonica(void);

/* 1 for CJK ideographs, punctuation and full-width forms. */
int ocr_is_cjk(unsigned cp);

/* Drop spaces between CJK characters, fold other whitespace runs to one
 * space, trim both ends.  Caller frees; NULL when out of memory. */
char *ocr_tidy_text(const char *in);

#endif
