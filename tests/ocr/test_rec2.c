/*
 * test_rec2.c - the second reader (PP-OCRv4 through OpenCV dnn): crops of
 * names cut from the bundled samples read exactly, in colour, grey and as
 * plain pixels; characters carry probabilities, positions and
 * alternatives; a line wider than the model is squeezed, not refused;
 * missing files give DG_ENOTFOUND naming the file.  Skipped (exit 77) when
 * the model is not installed (tools/fetch-models.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "ocr.h"
#include "rec2.h"
#include "testlib.h"

#define SKIP 77

static const struct {
    const char *file, *text;
} crops[] = {
    {"reg_name.png", "龚国强"},
    {"reg_supervisor.png", "孟红霞（教授）"},
    {"ledger_traditional.png", "崔紅霞"},
    {"ledger_hard.png", "端木红霞"},
};

static PIX *crop(const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/ocr/rec2/%s", TEST_DATA, file);
    return pixRead(path);
}

static void reads_names(tl_state *t, ocr_rec2 *r)
{
    for (size_t i = 0; i < sizeof crops / sizeof *crops; i++) {
        PIX *pix = crop(crops[i].file);
        CHECK(t, pix != NULL);
        if (!pix)
            continue;
        ocr_rec2_result res;
        dg_err err = {0};
        CHECK_INT(t, ocr_rec2_read_pix(r, pix, &res, &err), 0);
        CHECK_STR(t, res.text, crops[i].text);
        CHECK(t, res.conf > 0 && res.conf <= 1);
        CHECK(t, res.squeeze == 1);
        /* The text is its characters in order, each inside the crop. */
        char joined[256] = "";
        int prev_x = -1;
        for (int k = 0; k < res.nchars; k++) {
            const ocr_rec2_char *c = &res.chars[k];
            strncat(joined, c->text, sizeof joined - strlen(joined) - 1);
            CHECK(t, c->prob >= res.conf);
            CHECK(t, c->x > prev_x && c->x < pixGetWidth(pix));
            CHECK(t, c->alt[0].prob <= c->prob && c->alt[1].prob <= c->alt[0].prob);
            CHECK(t, strcmp(c->alt[0].text, c->text) != 0);
            prev_x = c->x;
        }
        CHECK_STR(t, joined, res.text);
        ocr_rec2_result_free(&res);

        /* The same crop as grey, then as plain grey pixels: same text. */
        PIX *grey = pixConvertTo8(pix, 0);
        CHECK_INT(t, ocr_rec2_read_pix(r, grey, &res, &err), 0);
        CHECK_STR(t, res.text, crops[i].text);
        ocr_rec2_result_free(&res);
        int w = pixGetWidth(grey), h = pixGetHeight(grey);
        unsigned char *px = malloc((size_t)w * h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                l_uint32 v;
                pixGetPixel(grey, x, y, &v);
                px[y * w + x] = (unsigned char)v;
            }
        ocr_rec2_image img = {px, w, h, w, 1};
        CHECK_INT(t, ocr_rec2_read(r, &img, &res, &err), 0);
        CHECK_STR(t, res.text, crops[i].text);
        ocr_rec2_result_free(&res);
        free(px);
        pixDestroy(&grey);
        pixDestroy(&pix);
    }
}

/* Three crops side by side: wider than the model, squeezed into it. */
/* Read from the scores before the model's softmax (probabilities computed
 * only where a character is put out) or from the model's output: the same
 * text, probabilities and alternatives. */
static void scores_read_as_output(tl_state *t, ocr_rec2 *r)
{
    CHECK_INT(t, ocr_rec2_scores(r, 1), 1);
    for (size_t i = 0; i < sizeof crops / sizeof *crops; i++) {
        PIX *pix = crop(crops[i].file);
        if (!pix)
            continue;
        ocr_rec2_result a, b;
        dg_err err = {0};
        CHECK_INT(t, ocr_rec2_scores(r, 1), 1);
        CHECK_INT(t, ocr_rec2_read_pix(r, pix, &a, &err), 0);
        CHECK_INT(t, ocr_rec2_scores(r, 0), 0);
        CHECK_INT(t, ocr_rec2_read_pix(r, pix, &b, &err), 0);
        CHECK_STR(t, a.text, b.text);
        CHECK_INT(t, a.nchars, b.nchars);
        for (int k = 0; k < a.nchars && k < b.nchars; k++) {
            CHECK(t, fabs(a.chars[k].prob - b.chars[k].prob) < 1e-5);
            CHECK_INT(t, a.chars[k].x, b.chars[k].x);
            for (int j = 0; j < OCR_REC2_ALTS; j++) {
                CHECK_STR(t, a.chars[k].alt[j].text, b.chars[k].alt[j].text);
                CHECK(t, fabs(a.chars[k].alt[j].prob - b.chars[k].alt[j].prob) < 1e-5);
            }
        }
        ocr_rec2_result_free(&a);
        ocr_rec2_result_free(&b);
        pixDestroy(&pix);
    }
    ocr_rec2_scores(r, 1);
}

static void squeezes_long_lines(tl_state *t, ocr_rec2 *r)
{
    PIX *a = crop("reg_supervisor.png");
    if (!a)
        return;
    int w = pixGetWidth(a), h = pixGetHeight(a);
    PIX *wide = pixCreate(3 * w, h, pixGetDepth(a));
    for (int i = 0; i < 3; i++)
        pixRasterop(wide, i * w, 0, w, h, PIX_SRC, a, 0, 0);
    ocr_rec2_result res;
    dg_err err = {0};
    CHECK_INT(t, ocr_rec2_read_pix(r, wide, &res, &err), 0);
    CHECK(t, res.squeeze > 1);
    CHECK(t, res.text != NULL);
    ocr_rec2_result_free(&res);
    /* Blank paper and a single pixel read as nothing, without error. */
    PIX *blank = pixCreate(200, 40, 8);
    pixSetAll(blank);
    CHECK_INT(t, ocr_rec2_read_pix(r, blank, &res, &err), 0);
    CHECK_STR(t, res.text, "");
    CHECK(t, res.nchars == 0 && res.conf == 0);
    ocr_rec2_result_free(&res);
    PIX *dot = pixCreate(1, 1, 1);
    CHECK_INT(t, ocr_rec2_read_pix(r, dot, &res, &err), 0);
    ocr_rec2_result_free(&res);
    unsigned char px[4] = {0};
    ocr_rec2_image bad = {px, 2, 2, 1, 3};
    CHECK_INT(t, ocr_rec2_read(r, &bad, &res, &err), DG_EUSAGE);
    pixDestroy(&dot);
    pixDestroy(&blank);
    pixDestroy(&wide);
    pixDestroy(&a);
}

/* Page lines (ocr/lines2.c): the second reader's text wins, but a Han
 * character Tesseract read that is outside the dictionary stays, whether
 * the second reader put a look-alike in its place or nothing. */
static void merges_lines(tl_state *t, ocr_rec2 *r)
{
    CHECK(t, ocr_rec2_knows(r, "蕉"));
    CHECK(t, !ocr_rec2_knows(r, "琎"));
    CHECK(t, !ocr_rec2_knows(r, "禚"));
    static const struct {
        const char *tess, *rec2, *want;
    } cases[] = {
        {"美人莱的生长", "美人蕉的生长", "美人蕉的生长"},
        {"导师王琎教授", "导师王进教授", "导师王琎教授"},
        {"导师王琎教授", "导师王教授", "导师王琎教授"},
        {"禚沄 两位", "两位", "禚沄 两位"},
        /* Tesseract's word breaks stay: a ledger row without column rules
         * is told into columns by its words */
        {"图 5 所示", "图5所示。", "图 5 所示。"},
        {"88660 任文波 男 1962.12", "88660任文波男1962.12", "88660 任文波 男 1962.12"},
        {"88660 任交波 男", "88660任文波男1962.12", "88660 任文波 男1962.12"},
        /* a mark's width is the punctuation filter's to measure */
        {"系(所)", "系（所）", "系(所)"},
        {"红霞（教授)", "红霞(教授）", "红霞（教授)"},
        {"", "新读", "新读"},
        {"旧读", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *m = ocr_lines2_merge(r, cases[i].tess, cases[i].rec2);
        CHECK_STR(t, m, cases[i].want);
        free(m);
    }
}

static void missing_files(tl_state *t, const char *model, const char *dict)
{
    ocr_rec2 *r = (ocr_rec2 *)1;
    dg_err err = {0};
    CHECK_INT(t, ocr_rec2_new("/nonexistent/m.onnx", dict, &r, &err), DG_ENOTFOUND);
    CHECK(t, r == NULL);
    CHECK(t, strstr(err.msg, "/nonexistent/m.onnx") != NULL);
    CHECK_INT(t, ocr_rec2_new(model, "/nonexistent/keys.txt", &r, &err), DG_ENOTFOUND);
    CHECK(t, strstr(err.msg, "/nonexistent/keys.txt") != NULL);
    /* A file that is not a model is refused, not crashed on. */
    CHECK(t, ocr_rec2_new(dict, dict, &r, &err) != 0);
    CHECK(t, r == NULL);
    ocr_rec2_free(&r);
}

int main(void)
{
    tl_state t = {0};
    char model[4096], dict[4096];
    if (ocr_rec2_default_paths(320, model, sizeof model, dict, sizeof dict) != 1) {
        printf("SKIP: no %s (tools/fetch-models.sh installs it)\n", model);
        return SKIP;
    }
    if (!ocr_rec2_available()) {
        printf("SKIP: built without OpenCV dnn\n");
        return SKIP;
    }
    ocr_rec2 *r = NULL;
    dg_err err = {0};
    CHECK_INT(&t, ocr_rec2_new(model, dict, &r, &err), 0);
    if (!r) {
        fprintf(stderr, "ocr_rec2_new: %s\n", err.msg);
        return 1;
    }
    CHECK_INT(&t, ocr_rec2_width(r), 320);
    /* PP-OCRv4's 5x5 depthwise convolutions run on dangan's own layer
     * (rec2_dwconv.cpp), OpenCV's own being slow for them. */
    CHECK(&t, ocr_rec2_own_layers(r) > 0);
    reads_names(&t, r);
    scores_read_as_output(&t, r);
    squeezes_long_lines(&t, r);
    merges_lines(&t, r);
    missing_files(&t, model, dict);
    ocr_rec2_free(&r);
    CHECK(&t, r == NULL);
    return tl_exit_status(&t, "ocr.rec2");
}
