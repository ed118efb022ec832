/*
 * fuzz_probe_scan.c - libFuzzer target for the scan checker that ingest
 * runs on every file: any bytes must be accepted with sane page sizes or
 * refused with a message, never crash.
 */
#include "ocr.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocr_page_info *pages = NULL;
    int n = 0;
    dg_err err = {0};
    if (ocr_probe_scan(data, size, &pages, &n, &err) == 0) {
        if (n < 1)
            abort();
        for (int i = 0; i < n; i++)
            if (pages[i].width <= 0 || pages[i].height <= 0 || pages[i].width > OCR_MAX_SIDE ||
                pages[i].height > OCR_MAX_SIDE)
                abort();
    } else if (!err.msg[0] || pages) {
        abort(); /* a refusal must say why and hand back nothing */
    }
    free(pages);
    return 0;
}
