/*
 * fuzz_extract_words.c - libFuzzer target for extraction from OCR words
 * (extract/: classifying a page against the shipped templates, records and
 * fields from words and cells).  The input is read as a page: 4 bytes of
 * size, then items of 11 bytes plus text: kind (even: word, odd: cell),
 * x, y, w, h (2 bytes each), line or row, cell or column, confidence, text
 * length, then that many bytes of text (any bytes: OCR text from a
 * damaged page).  Any page: records or an unknown form, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int u16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ex_templates *set;
    if (!set) {
        dg_err err = {0};
        if (ex_templates_load_dir(DANGAN_SOURCE_CONFIG_DIR "/templates", NULL,
                                  DANGAN_SOURCE_CONFIG_DIR "/normalize/confusables.tsv", &set,
                                  &err))
            abort();
    }
    if (size < 4)
        return 0;
    ex_page *p = ex_page_new(u16(data) % 8000 + 1, u16(data + 2) % 8000 + 1,
                             (double)(int8_t)data[0] / 10.0);
    if (!p)
        return 0;
    size_t i = 4;
    int64_t id = 1;
    while (i + 12 <= size) {
        const uint8_t *q = data + i;
        ex_box b = {u16(q + 1) - 1000, u16(q + 3) - 1000, u16(q + 5), u16(q + 7)};
        size_t tl = q[11];
        if (i + 12 + tl > size)
            break;
        char text[256];
        memcpy(text, q + 12, tl);
        text[tl] = '\0';
        if (q[0] & 1)
            ex_page_add_cell(p, id++, q[9] % 40, q[10] % 20, b);
        else
            ex_page_add_word(p, id++, q[9], q[10] % 8, text, q[0] % 101, b);
        i += 12 + tl;
    }
    ex_result r;
    memset(&r, 0, sizeof r);
    dg_err err = {0};
    if (ex_page_finish(p) == DG_OK) {
        if (ex_page_extract(p, set, &r, &err) != DG_OK && !err.msg[0])
            abort();
        ex_result_release(&r);
    }
    ex_page_free(&p);
    return 0;
}
