/*
 * rec2_none.c - the second reader when dangan is built without OpenCV dnn:
 * every reader fails to load, so callers fall back as when the model files
 * are missing.
 */
#include "ocr.h"
#include "rec2.h"

int ocr_rec2_new(const char *model_path, const char *dict_path, ocr_rec2 **out, dg_err *err)
{
    if (out)
        *out = NULL;
    return dg_err_set(err, DG_ENOTFOUND,
                      "second reader: dangan was built without OpenCV dnn "
                      "(Debian: libopencv-dnn-dev, libopencv-imgproc-dev)");
}

void ocr_rec2_free(ocr_rec2 **r)
{
    if (r)
        *r = NULL;
}

int ocr_rec2_width(const ocr_rec2 *r)
{
    return 0;
}

int ocr_rec2_own_layers(const ocr_rec2 *r)
{
    return 0;
}

int ocr_rec2_scores(ocr_rec2 *r, int use)
{
    return 0;
}

int ocr_rec2_knows(const ocr_rec2 *r, const char *ch)
{
    return 0;
}

int ocr_rec2_read(ocr_rec2 *r, const ocr_rec2_image *img, ocr_rec2_result *out, dg_err *err)
{
    return dg_err_set(err, DG_EUSAGE, "second reader: not built");
}
