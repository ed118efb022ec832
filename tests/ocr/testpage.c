/*
 * testpage.c - pages the OCR unit tests draw and clean up alike.
 */
#include "testpage.h"

PIX *tp_text_page(int w, int h)
{
    PIX *p = pixCreate(w, h, 8);
    pixSetAll(p);
    for (int y = 150; y < h - 150; y += 60)
        for (int x = 100; x < w - 140; x += 45)
            pixRasterop(p, x, y, 34, 30, PIX_CLR, NULL, 0, 0);
    return p;
}

int tp_clean_page(const ocr_settings *s, PIX **pix, ocr_source src, ocr_page *pg)
{
    ocr_engine e = {0};
    e.settings = s;
    dg_err err = {0};
    return ocr_page_clean(&e, pix, &src, 0, 0, pg, &err);
}
