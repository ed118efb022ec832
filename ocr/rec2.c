/*
 * rec2.c - the second reader's C side: where its model files are, freeing
 * results, and Leptonica images turned into plain pixels for rec2_dnn.cpp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "ocr.h"
#include "rec2.h"

#define REC2_DICT "ppocr_keys_v1.txt"

void ocr_rec2_result_free(ocr_rec2_result *res)
{
    if (!res)
        return;
    free(res->text);
    free(res->chars);
    memset(res, 0, sizeof *res);
}

static int model_paths(const char *dir, int width, char *model, size_t model_n, char *dict,
                       size_t dict_n)
{
    int a = snprintf(model, model_n, "%s/ppocr_rec_v4_w%d.onnx", dir, width);
    int b = snprintf(dict, dict_n, "%s/" REC2_DICT, dir);
    return a < 0 || (size_t)a >= model_n || b < 0 || (size_t)b >= dict_n ? -1 : 0;
}

/* Same order as the settings folder (arc_config_dir): the environment, the
 * source tree this was built from, then the installed copy. */
int ocr_models_dirs(const char *dirs[3])
{
    const char *env = getenv("DANGAN_MODELS");
    int n = 0;
    if (env && *env)
        dirs[n++] = env;
    dirs[n++] = DANGAN_SOURCE_MODELS_DIR;
    dirs[n++] = DANGAN_INSTALL_MODELS_DIR;
    return n;
}

int ocr_rec2_default_paths(int width, char *model, size_t model_n, char *dict, size_t dict_n)
{
    const char *dirs[3];
    int n = ocr_models_dirs(dirs);
    for (int i = 0; i < n; i++) {
        if (model_paths(dirs[i], width, model, model_n, dict, dict_n))
            return -1;
        if (access(model, R_OK) == 0)
            return 1;
    }
    return model_paths(dirs[0], width, model, model_n, dict, dict_n) ? -1 : 0;
}

int ocr_rec2_available(void)
{
    char model[4096], dict[4096];
    return DANGAN_REC2_BUILT &&
           ocr_rec2_default_paths(320, model, sizeof model, dict, sizeof dict) == 1 &&
           access(dict, R_OK) == 0;
}

int ocr_rec2_read_pix(ocr_rec2 *r, const struct Pix *crop, ocr_rec2_result *out, dg_err *err)
{
    if (!crop)
        return dg_err_set(err, DG_EUSAGE, "ocr_rec2_read_pix: NULL crop");
    PIX *rgb = pixConvertTo32((PIX *)crop);
    if (!rgb)
        return dg_err_set(err, DG_ENOMEM, "second reader: cannot convert the crop to RGB");
    int w = pixGetWidth(rgb), h = pixGetHeight(rgb);
    unsigned char *px = malloc((size_t)w * h * 3);
    if (!px) {
        pixDestroy(&rgb);
        return dg_err_set(err, DG_ENOMEM, "second reader: out of memory");
    }
    for (int y = 0; y < h; y++) {
        const l_uint32 *line = pixGetData(rgb) + (size_t)y * pixGetWpl(rgb);
        unsigned char *o = px + (size_t)y * w * 3;
        for (int x = 0; x < w; x++) {
            l_int32 cr, cg, cb;
            extractRGBValues(line[x], &cr, &cg, &cb);
            o[3 * x] = (unsigned char)cr;
            o[3 * x + 1] = (unsigned char)cg;
            o[3 * x + 2] = (unsigned char)cb;
        }
    }
    pixDestroy(&rgb);
    ocr_rec2_image img = {px, w, h, w * 3, 3};
    int rc = ocr_rec2_read(r, &img, out, err);
    free(px);
    return rc;
}
