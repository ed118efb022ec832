/*
 * rec2_dnn.cpp - the second reader's network: PP-OCRv4 recognition through
 * OpenCV dnn, behind the C interface of ocr.h.
 *
 * The only C++ in dangan.  No exception leaves this file: every entry point
 * catches all and turns it into a dg_err.  Pre- and post-processing follow
 * PaddleOCR's own recognizer (resize_norm_img, CTCLabelDecode) so the model
 * reads as it was trained to.
 */
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
#include "ocr.h"
}
#include "rec2_dwconv.hpp"

namespace {

const int kHeight = 48;
const int kStride = 8; /* input columns per CTC time step */

/* The rewritten model only runs at the width it was fixed to; these are
 * tried, after the one its file name says, until one runs. */
const int kWidths[] = {320, 160, 640, 480, 240};

} // namespace

struct ocr_rec2 {
    cv::dnn::Net net;
    std::vector<std::string> chars; /* class i>0 is chars[i - 1]; 0 is blank */
    std::unordered_set<std::string> known; /* the same, to look up */
    int width;
    std::vector<float> blob;
    /* The layer before the model's last softmax, when its output is the
     * scores that softmax turns into probabilities: read there, decode
     * computes a probability only where a character is put out (the
     * softmax over 6,625 classes at every step was 7% of a forward pass). */
    std::string logits;
    bool use_logits;
};

namespace {

bool file_exists(const char *path)
{
    std::ifstream f(path, std::ios::binary);
    return f.good();
}

/* One character a line, as PaddleOCR reads it; the space the model's last
 * class stands for is appended. */
int load_dict(const char *path, std::vector<std::string> &chars, dg_err *err)
{
    std::ifstream f(path, std::ios::binary);
    std::string line;
    while (std::getline(f, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line.size() >= sizeof(((ocr_rec2_char *)0)->text))
            return dg_err_set(err, DG_EINPUT, "%s: line %zu is not one character", path,
                              chars.size() + 1);
        chars.push_back(line);
    }
    if (chars.empty())
        return dg_err_set(err, DG_EINPUT, "%s: empty dictionary", path);
    chars.push_back(" ");
    return 0;
}

int width_from_name(const char *path)
{
    const char *p = strstr(path, "_w");
    return p ? atoi(p + 2) : 0;
}

/* Run the net once on a blank input of width w: succeeds only at the width
 * it was rewritten for.  The first run also sets up its buffers. */
bool runs_at(cv::dnn::Net &net, int w, size_t nclass)
{
    if (w <= 0 || w % kStride)
        return false;
    try {
        int shape[4] = {1, 3, kHeight, w};
        cv::Mat in(4, shape, CV_32F, cv::Scalar(0));
        net.setInput(in);
        cv::Mat out = net.forward();
        return out.dims == 3 && out.size[1] == w / kStride && (size_t)out.size[2] == nclass;
    } catch (const cv::Exception &) {
        return false;
    }
}

/* Softmax over the classes of raw, one time step: what the model's last
 * layer computes. */
void softmax_step(const float *raw, int nclass, std::vector<float> &p)
{
    float m = *std::max_element(raw, raw + nclass), sum = 0;
    p.resize((size_t)nclass);
    for (int k = 0; k < nclass; k++)
        sum += p[(size_t)k] = std::exp(raw[k] - m);
    for (int k = 0; k < nclass; k++)
        p[(size_t)k] /= sum;
}

/* The name of the layer whose output the model's last layer (a softmax over
 * the classes) reads, when softmax_step of it gives the model's output on
 * a test input; "" otherwise (decode then reads the model's output). */
std::string logits_layer(cv::dnn::Net &net, int w)
{
    try {
        std::vector<cv::String> names = net.getLayerNames();
        for (size_t i = names.size(); i-- > 0;) {
            int id = net.getLayerId(names[i]);
            cv::Ptr<cv::dnn::Layer> l = net.getLayer(id);
            if (l->type == "Identity")
                continue;
            std::vector<cv::Ptr<cv::dnn::Layer>> in = net.getLayerInputs(id);
            if (l->type != "Softmax" || in.size() != 1)
                return "";
            int shape[4] = {1, 3, kHeight, w};
            cv::Mat x(4, shape, CV_32F);
            cv::randu(x, -1.0f, 1.0f);
            net.setInput(x);
            cv::Mat prob = net.forward().clone();
            net.setInput(x);
            cv::Mat raw = net.forward(in[0]->name);
            if (raw.dims != 3 || prob.dims != 3 || raw.total() != prob.total())
                return "";
            int steps = prob.size[1], nclass = prob.size[2];
            std::vector<float> p;
            for (int t = 0; t < steps; t++) {
                softmax_step(raw.ptr<float>() + (size_t)t * nclass, nclass, p);
                const float *q = prob.ptr<float>() + (size_t)t * nclass;
                for (int k = 0; k < nclass; k++)
                    if (std::fabs(p[(size_t)k] - q[k]) > 1e-5f)
                        return "";
            }
            return in[0]->name;
        }
    } catch (const cv::Exception &) {
    }
    return "";
}

int load(const char *model_path, const char *dict_path, ocr_rec2 *r, dg_err *err)
{
    if (load_dict(dict_path, r->chars, err))
        return err ? err->code : DG_EINPUT;
    r->known.insert(r->chars.begin(), r->chars.end());
    size_t nclass = r->chars.size() + 1;
    std::vector<int> tries{width_from_name(model_path)};
    tries.insert(tries.end(), std::begin(kWidths), std::end(kWidths));
    for (int w : tries) {
        /* A failed run may leave the net half set up: start afresh. */
        r->net = cv::dnn::readNetFromONNX(model_path);
        if (runs_at(r->net, w, nclass)) {
            r->width = w;
            r->logits = logits_layer(r->net, w);
            r->use_logits = !r->logits.empty();
            return 0;
        }
    }
    return dg_err_set(err, DG_EINPUT,
                      "%s: not a PP-OCRv4 recognition model rewritten for OpenCV "
                      "(tools/rewrite-rec-model.py) with %zu classes",
                      model_path, nclass);
}

/* The crop as 8-bit, 3 channels in the order the model was trained on
 * (PaddleOCR decodes images with OpenCV: B, G, R). */
cv::Mat to_bgr(const ocr_rec2_image *img)
{
    cv::Mat src(img->height, img->width, CV_8UC(img->channels), (void *)img->pixels,
                (size_t)img->stride);
    cv::Mat bgr;
    if (img->channels == 1)
        cv::cvtColor(src, bgr, cv::COLOR_GRAY2BGR);
    else if (img->channels == 3)
        cv::cvtColor(src, bgr, cv::COLOR_RGB2BGR);
    else
        cv::cvtColor(src, bgr, cv::COLOR_RGBA2BGR);
    return bgr;
}

/* Height 48, width by aspect, padded right with 0 (mid grey once
 * normalized), values (x/255 - 0.5)/0.5, planes C,H,W. */
cv::Mat make_input(ocr_rec2 *r, const cv::Mat &bgr, int *used_w, float *squeeze)
{
    double want = std::ceil(kHeight * (double)bgr.cols / bgr.rows);
    int w = (int)std::max(1.0, std::min(want, (double)r->width));
    *used_w = w;
    *squeeze = want > r->width ? (float)(want / r->width) : 1.0f;
    cv::Mat small;
    cv::resize(bgr, small, cv::Size(w, kHeight), 0, 0, cv::INTER_LINEAR);
    r->blob.assign((size_t)3 * kHeight * r->width, 0.0f);
    for (int y = 0; y < kHeight; y++) {
        const unsigned char *row = small.ptr<unsigned char>(y);
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                r->blob[((size_t)c * kHeight + y) * r->width + x] =
                    (row[3 * x + c] / 255.0f - 0.5f) / 0.5f;
    }
    int shape[4] = {1, 3, kHeight, r->width};
    return cv::Mat(4, shape, CV_32F, r->blob.data());
}

void put_text(char *dst, const std::string &s)
{
    memcpy(dst, s.c_str(), s.size() + 1);
}

/* The classes after `best` at one time step, best first. */
void alternatives(const ocr_rec2 *r, const float *p, int nclass, int best, ocr_rec2_char *ch)
{
    std::vector<int> idx;
    for (int k = 0; k < nclass; k++)
        if (k != best)
            idx.push_back(k);
    std::partial_sort(idx.begin(), idx.begin() + OCR_REC2_ALTS, idx.end(),
                      [p](int a, int b) { return p[a] > p[b]; });
    for (int i = 0; i < OCR_REC2_ALTS; i++) {
        int k = idx[(size_t)i];
        put_text(ch->alt[i].text, k == 0 ? std::string() : r->chars[(size_t)k - 1]);
        ch->alt[i].prob = p[k];
    }
}

/* CTC greedy decoding: best class at each step, repeats merged, blanks
 * dropped; a character's probability is that of the first step of its
 * run, as PaddleOCR's decoder takes it.  out holds probabilities, or with raw
 * the scores before the softmax, turned into probabilities where needed. */
void decode(const ocr_rec2 *r, const cv::Mat &out, bool raw, double x_scale,
            ocr_rec2_result *res)
{
    int steps = out.size[1], nclass = out.size[2];
    const float *all = out.ptr<float>();
    std::vector<ocr_rec2_char> chars;
    std::vector<float> prob;
    std::string text;
    int prev = 0;
    for (int t = 0; t < steps; t++) {
        const float *p = all + (size_t)t * nclass;
        int best = (int)(std::max_element(p, p + nclass) - p); /* the same on scores */
        if (best != 0 && best != prev) {
            if (raw) {
                softmax_step(p, nclass, prob);
                p = prob.data();
            }
            ocr_rec2_char ch;
            memset(&ch, 0, sizeof ch);
            put_text(ch.text, r->chars[(size_t)best - 1]);
            ch.prob = p[best];
            ch.x = (int)std::lround((t + 0.5) * kStride * x_scale);
            alternatives(r, p, nclass, best, &ch);
            chars.push_back(ch);
            text += ch.text;
        }
        prev = best;
    }
    res->text = (char *)malloc(text.size() + 1);
    res->chars = (ocr_rec2_char *)malloc(sizeof(ocr_rec2_char) * (chars.size() + 1));
    if (!res->text || !res->chars)
        throw std::bad_alloc();
    memcpy(res->text, text.c_str(), text.size() + 1);
    if (!chars.empty())
        memcpy(res->chars, chars.data(), sizeof(ocr_rec2_char) * chars.size());
    res->nchars = (int)chars.size();
    res->conf = 0;
    for (size_t i = 0; i < chars.size(); i++)
        res->conf = i == 0 ? chars[i].prob : std::min(res->conf, chars[i].prob);
}

} // namespace

extern "C" int ocr_rec2_new(const char *model_path, const char *dict_path, ocr_rec2 **out,
                            dg_err *err)
{
    if (!out || !model_path || !dict_path)
        return dg_err_set(err, DG_EUSAGE, "ocr_rec2_new: NULL argument");
    *out = NULL;
    const char *missing = !file_exists(model_path) ? model_path
                          : !file_exists(dict_path) ? dict_path
                                                    : NULL;
    if (missing)
        return dg_err_set(err, DG_ENOTFOUND,
                          "second reader: %s not found (tools/fetch-models.sh installs it)",
                          missing);
    ocr_rec2 *r = NULL;
    try {
        /* OpenCV would write its own warnings to stderr; dangan's libraries
         * never print. */
        cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
        rec2_dwconv_register(); /* before load's first forward pass makes the layers */
        r = new ocr_rec2();
        int rc = load(model_path, dict_path, r, err);
        if (rc) {
            delete r;
            return rc;
        }
    } catch (const std::bad_alloc &) {
        delete r;
        return dg_err_set(err, DG_ENOMEM, "second reader: out of memory loading %s", model_path);
    } catch (const std::exception &e) {
        delete r;
        return dg_err_set(err, DG_EINPUT, "%s: %s", model_path, e.what());
    } catch (...) {
        delete r;
        return dg_err_set(err, DG_ERR, "%s: unknown failure loading", model_path);
    }
    *out = r;
    return 0;
}

extern "C" void ocr_rec2_free(ocr_rec2 **r)
{
    if (!r || !*r)
        return;
    try {
        delete *r;
    } catch (...) {
    }
    *r = NULL;
}

extern "C" int ocr_rec2_knows(const ocr_rec2 *r, const char *ch)
{
    try {
        return r && ch && r->known.count(ch) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int ocr_rec2_own_layers(const ocr_rec2 *r)
{
    try {
        return r ? rec2_dwconv_count(r->net) : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int ocr_rec2_scores(ocr_rec2 *r, int use)
{
    if (!r)
        return 0;
    r->use_logits = use && !r->logits.empty();
    return r->use_logits;
}

extern "C" int ocr_rec2_width(const ocr_rec2 *r)
{
    return r ? r->width : 0;
}

extern "C" int ocr_rec2_read(ocr_rec2 *r, const ocr_rec2_image *img, ocr_rec2_result *out,
                             dg_err *err)
{
    if (!r || !img || !out || !img->pixels)
        return dg_err_set(err, DG_EUSAGE, "ocr_rec2_read: NULL argument");
    memset(out, 0, sizeof *out);
    out->squeeze = 1;
    if (img->width < 1 || img->height < 1 || img->width > OCR_MAX_SIDE ||
        img->height > OCR_MAX_SIDE ||
        (img->channels != 1 && img->channels != 3 && img->channels != 4) ||
        img->stride < img->width * img->channels)
        return dg_err_set(err, DG_EUSAGE, "ocr_rec2_read: bad image %dx%d, %d channels",
                          img->width, img->height, img->channels);
    try {
        int used_w = 0;
        cv::Mat in = make_input(r, to_bgr(img), &used_w, &out->squeeze);
        r->net.setInput(in);
        bool raw = r->use_logits;
        cv::Mat res = raw ? r->net.forward(r->logits) : r->net.forward();
        if (res.dims != 3 || (size_t)res.size[2] != r->chars.size() + 1)
            return dg_err_set(err, DG_ERR, "second reader: unexpected output shape");
        decode(r, res, raw, (double)img->width / used_w, out);
    } catch (const std::bad_alloc &) {
        ocr_rec2_result_free(out);
        return dg_err_set(err, DG_ENOMEM, "second reader: out of memory");
    } catch (const std::exception &e) {
        ocr_rec2_result_free(out);
        return dg_err_set(err, DG_ERR, "second reader: %s", e.what());
    } catch (...) {
        ocr_rec2_result_free(out);
        return dg_err_set(err, DG_ERR, "second reader: unknown failure");
    }
    return 0;
}
