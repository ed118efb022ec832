/*
 * fuzz_ocr_settings.c - libFuzzer target for the OCR settings loader
 * (configs/ocr.xml: the safe XML loader, RELAX NG, then the values): any
 * bytes load with limits that hold or are refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_cfgdir.h"
#include "ocr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_tmp_file("ocr_settings", ".xml", data, size);
    if (!path)
        return 0;
    ocr_settings *s = NULL;
    dg_err err = {0};
    if (ocr_settings_load(path, &s, &err) == DG_OK) {
        ocr_limits lim;
        ocr_settings_limits(s, &lim);
        if (!ocr_settings_json(s) || lim.max_pages < 1 || lim.min_side < 1 ||
            lim.max_pixels < 1000000 || lim.max_pixels > OCR_MAX_PIXELS)
            abort();
    } else if (!err.msg[0] || s) {
        abort();
    }
    ocr_settings_free(&s);
    unlink(path);
    return 0;
}
