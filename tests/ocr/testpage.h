/*
 * testpage.h - pages the OCR unit tests draw and clean up alike
 * (testpage.c).
 */
#ifndef DANGAN_TESTPAGE_H
#define DANGAN_TESTPAGE_H

#include "ocr_internal.h"

/* A page of fake text lines: short dark bars, like characters. */
PIX *tp_text_page(int w, int h);

/* *pix (taken) cleaned as the scan page src with settings s into *pg, by
 * an engine that has no Tesseract (no step here reads); the chain's status. */
int tp_clean_page(const ocr_settings *s, PIX **pix, ocr_source src, ocr_page *pg);

#endif
