/*
 * test_rec2_dwconv.cpp - the second reader's own depthwise convolution
 * (ocr/rec2_dwconv.cpp) computes what OpenCV's layer computes: single
 * layers of several shapes (kernel, stride, padding, dilation, bias or
 * not), and the whole PP-OCRv4 model on the fixture crops of names, where
 * every time step's best class must be the same and every probability
 * within 1e-4.  OpenCV makes a net's layers at its first forward pass, so
 * everything is run with OpenCV's layers first, then again after
 * rec2_dwconv_register.  The model part is skipped (exit 77) when the model
 * is not installed.
 */
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
#include <leptonica/allheaders.h>

#include "ocr.h"
#include "testlib.h"
}
#include "rec2_dwconv.hpp"

namespace {

struct shape_case {
    int channels, h, w, kh, kw, sh, sw, dh, dw, ph, pw, bias;
};

/* 5x5 as in PP-OCRv4, its (2,1) strides, then what the layer must also get
 * right (OpenCV's own layer, the reference, pads both sides alike). */
const shape_case cases[] = {
    {6, 12, 40, 5, 5, 1, 1, 1, 1, 2, 2, 1}, {6, 12, 40, 5, 5, 2, 1, 1, 1, 2, 2, 1},
    {4, 9, 17, 7, 3, 1, 2, 1, 1, 3, 1, 0},  {3, 11, 13, 5, 5, 1, 1, 2, 2, 4, 4, 1},
    {5, 8, 21, 5, 5, 2, 2, 1, 1, 1, 0, 0},  {2, 6, 6, 1, 5, 1, 1, 1, 1, 0, 2, 1},
};

cv::Mat one_layer(const shape_case &c, const cv::Mat &input)
{
    cv::dnn::LayerParams p;
    p.name = "dw";
    p.type = "Convolution";
    int kernel[2] = {c.kh, c.kw}, stride[2] = {c.sh, c.sw}, dil[2] = {c.dh, c.dw};
    int pads[2] = {c.ph, c.pw};
    p.set("kernel_size", cv::dnn::DictValue::arrayInt(kernel, 2));
    p.set("stride", cv::dnn::DictValue::arrayInt(stride, 2));
    p.set("dilation", cv::dnn::DictValue::arrayInt(dil, 2));
    p.set("pad", cv::dnn::DictValue::arrayInt(pads, 2));
    p.set("group", c.channels);
    p.set("num_output", c.channels);
    p.set("bias_term", c.bias != 0);
    int wshape[4] = {c.channels, 1, c.kh, c.kw};
    cv::Mat w(4, wshape, CV_32F);
    cv::RNG rng(7);
    rng.fill(w, cv::RNG::UNIFORM, -1, 1);
    p.blobs.push_back(w);
    if (c.bias) {
        cv::Mat b(c.channels, 1, CV_32F);
        rng.fill(b, cv::RNG::UNIFORM, -1, 1);
        p.blobs.push_back(b);
    }
    cv::dnn::Net net;
    net.addLayerToPrev(p.name, p.type, p);
    net.setInput(input);
    return net.forward().clone();
}

double max_diff(const cv::Mat &a, const cv::Mat &b)
{
    if (a.dims != b.dims || a.total() != b.total())
        return INFINITY;
    for (int d = 0; d < a.dims; d++)
        if (a.size[d] != b.size[d])
            return INFINITY;
    return cv::norm(a.reshape(1, 1), b.reshape(1, 1), cv::NORM_INF);
}

/* A crop as the model's input: grey to 3 planes, height 48, padded to
 * width w with 0 (the reader's own preprocessing is in rec2_dnn.cpp; only
 * the same input to both nets matters here). */
cv::Mat model_input(const char *file, int width)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/ocr/rec2/%s", TEST_DATA, file);
    PIX *pix = pixRead(path), *grey = pix ? pixConvertTo8(pix, 0) : NULL;
    pixDestroy(&pix);
    if (!grey)
        return cv::Mat();
    cv::Mat src(pixGetHeight(grey), pixGetWidth(grey), CV_8U);
    for (int y = 0; y < src.rows; y++)
        for (int x = 0; x < src.cols; x++)
            src.at<unsigned char>(y, x) = (unsigned char)GET_DATA_BYTE(
                pixGetData(grey) + (size_t)y * pixGetWpl(grey), x);
    pixDestroy(&grey);
    int w = std::min(width, (int)std::ceil(48.0 * src.cols / src.rows));
    cv::Mat small;
    cv::resize(src, small, cv::Size(w, 48));
    int shape[4] = {1, 3, 48, width};
    cv::Mat in(4, shape, CV_32F, cv::Scalar(0));
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < w; x++)
                in.ptr<float>(0, c, y)[x] = (small.at<unsigned char>(y, x) / 255.0f - 0.5f) / 0.5f;
    return in;
}

const char *const crops[] = {"reg_name.png", "reg_supervisor.png", "ledger_traditional.png",
                             "ledger_hard.png"};

/* The model's outputs on the crops, and how many of its layers are ours. */
bool run_model(const char *model, std::vector<cv::Mat> &outs, int *own)
{
    cv::dnn::Net net = cv::dnn::readNetFromONNX(model);
    outs.clear();
    for (const char *c : crops) {
        cv::Mat in = model_input(c, 320);
        if (in.empty())
            return false;
        net.setInput(in);
        outs.push_back(net.forward().clone());
    }
    *own = rec2_dwconv_count(net);
    return true;
}

void compare_model(tl_state *t, const std::vector<cv::Mat> &ref, const std::vector<cv::Mat> &own)
{
    CHECK_INT(t, (int)own.size(), (int)ref.size());
    for (size_t i = 0; i < ref.size() && i < own.size(); i++) {
        CHECK(t, max_diff(ref[i], own[i]) < 1e-4);
        int steps = ref[i].size[1], nclass = ref[i].size[2], same = 0;
        for (int s = 0; s < steps; s++) {
            const float *a = ref[i].ptr<float>() + (size_t)s * nclass;
            const float *b = own[i].ptr<float>() + (size_t)s * nclass;
            same += std::max_element(a, a + nclass) - a == std::max_element(b, b + nclass) - b;
        }
        CHECK_INT(t, same, steps);
    }
}

} // namespace

int main(void)
{
    tl_state t = {0, 0};
    cv::setNumThreads(1);
    cv::RNG rng(1);
    std::vector<cv::Mat> inputs, ref_layers, ref_model;
    for (const shape_case &c : cases) {
        int shape[4] = {2, c.channels, c.h, c.w};
        cv::Mat in(4, shape, CV_32F);
        rng.fill(in, cv::RNG::UNIFORM, -1, 1);
        inputs.push_back(in);
        ref_layers.push_back(one_layer(c, in));
    }
    char model[4096], dict[4096];
    int have_model = ocr_rec2_default_paths(320, model, sizeof model, dict, sizeof dict) == 1;
    int own_before = -1, own_after = -1;
    if (have_model)
        CHECK(&t, run_model(model, ref_model, &own_before));

    rec2_dwconv_register();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cv::Mat out = one_layer(cases[i], inputs[i]);
        double d = max_diff(ref_layers[i], out);
        if (!(d < 1e-5))
            fprintf(stderr, "case %zu: max difference %g\n", i, d);
        CHECK(&t, d < 1e-5);
    }
    if (!have_model) {
        printf("SKIP (model part): no %s (tools/fetch-models.sh installs it)\n", model);
        return tl_exit_status(&t, "ocr.rec2_dwconv") ? 1 : 77;
    }
    std::vector<cv::Mat> own_model;
    CHECK(&t, run_model(model, own_model, &own_after));
    CHECK_INT(&t, own_before, 0);
    CHECK(&t, own_after > 0); /* PP-OCRv4 has eight 5x5 depthwise convolutions */
    compare_model(&t, ref_model, own_model);
    return tl_exit_status(&t, "ocr.rec2_dwconv");
}
