/*
 * sideways.c - a reading made of text standing on its side.  Tesseract's
 * layout finds and reads lines turned by a quarter where they stand (a
 * page photographed or stored sideways), with a confidence that can pass
 * for upright print, but reads them worse than upright and gives each such
 * line the box of its whole block, taller than wide: no line can be cut
 * from it for a second reading.  Such a page is searched for its
 * orientation like a page read poorly.
 */
#include <string.h>

#include "reading.h"

/* Lines of at least this many characters tell how the text stands. */
#define SIDEWAYS_MIN_CHARS 4

int ocr_result_sideways(const ocr_result *r)
{
    size_t tall = 0, wide = 0;
    for (size_t i = 0; i < r->nlines; i++) {
        const ocr_line *l = &r->lines[i];
        size_t n = l->text ? ocr_utf8_len(l->text) : 0;
        if (n < SIDEWAYS_MIN_CHARS)
            continue;
        /* weighed by characters: a few labels of a chart stand upright
         * beside paragraphs on their side */
        /* boxes are on the page as filed: a reading turned a quarter
         * has its upright lines tall there */
        if ((l->box.h > l->box.w) != (r->orientation % 180 == 90))
            tall += n;
        else
            wide += n;
    }
    return tall > wide;
}

/* A reading of at least this many lines, this share of them one character
 * each, is fragments: a card without rules stored on its side, its short
 * labels and values read as vertical text a character a line (at a
 * confidence of 51-62 that passes for upright print), then kept only where
 * a character stood alone (9 to 21 lines on drawn cards, 80-100% single).
 * Upright cards read as phrases: one line in 24 of a character
 * (bench/drawpages.py --seed 20 hard, docs/ocr.md). */
#define FRAGMENT_MIN_LINES 8
#define FRAGMENT_SHARE 0.6

int ocr_result_fragmentary(const ocr_result *r)
{
    size_t lines = 0, single = 0;
    for (size_t i = 0; i < r->nlines; i++) {
        const char *t = r->lines[i].text;
        size_t len = t ? strlen(t) : 0, n = 0;
        for (size_t j = 0; j < len;) {
            uint32_t c = dg_utf8_next(t, len, &j);
            n += !(c == ' ' || c == '\t' || c == '\n' || c == 0x3000);
        }
        lines += n > 0;
        single += n == 1;
    }
    return lines >= FRAGMENT_MIN_LINES && (double)single >= FRAGMENT_SHARE * (double)lines;
}

size_t ocr_result_chars(const ocr_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nlines; i++)
        n += r->lines[i].text ? ocr_utf8_len(r->lines[i].text) : 0;
    return n;
}

int ocr_api_sideways(TessBaseAPI *api)
{
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return 0;
    size_t tall = 0, wide = 0;
    TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
    do {
        char *t = TessResultIteratorGetUTF8Text(ri, RIL_TEXTLINE);
        size_t n = t ? ocr_utf8_len(t) : 0;
        TessDeleteText(t);
        int x0, y0, x1, y1;
        if (n < SIDEWAYS_MIN_CHARS ||
            !TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &x0, &y0, &x1, &y1))
            continue;
        if (y1 - y0 > x1 - x0)
            tall += n;
        else
            wide += n;
    } while (TessPageIteratorNext(pi, RIL_TEXTLINE));
    TessResultIteratorDelete(ri);
    return tall > wide;
}

size_t ocr_api_chars(TessBaseAPI *api)
{
    char *t = TessBaseAPIGetUTF8Text(api);
    size_t len = t ? strlen(t) : 0, n = 0;
    for (size_t j = 0; j < len;) {
        uint32_t c = dg_utf8_next(t, len, &j);
        n += !(c == ' ' || c == '\t' || c == '\n' || c == 0x3000);
    }
    TessDeleteText(t);
    return n;
}
