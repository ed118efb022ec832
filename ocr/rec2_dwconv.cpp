/*
 * rec2_dwconv.cpp - a depthwise convolution layer for OpenCV dnn, for the
 * second reader's large depthwise kernels.
 *
 * PP-OCRv4's backbone (PPLCNetV3) has 5x5 depthwise convolutions over 240
 * and 480 channels.  OpenCV 4.6 has a fast path for 3x3 depthwise kernels
 * only; a 5x5 one goes through its general convolution, one small matrix
 * product per channel, and took over half of the model's forward pass
 * (docs/ocr.md, "The second reader's depthwise convolutions").  This layer
 * computes the same sums directly, row by row, where the compiler can
 * vectorize them.  It is put in place of OpenCV's own layer, for depthwise
 * convolutions other than 3x3 only, by registering a constructor for the
 * type "Convolution" (OpenCV's layer registry keeps a stack per type, the
 * last registered wins) that builds OpenCV's own layer for everything else.
 */
#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/dnn/all_layers.hpp>
#include <opencv2/dnn/layer.details.hpp>

#include "rec2_dwconv.hpp"

namespace {

using cv::dnn::LayerParams;
using cv::dnn::MatShape;

class DwConv : public cv::dnn::Layer {
  public:
    DwConv(const LayerParams &p, const cv::dnn::BaseConvolutionLayer &ref) : Layer(p)
    {
        type = "DanganDwConv"; /* not "Convolution": no fusion path takes it for OpenCV's */
        kh = (int)ref.kernel_size[0];
        kw = (int)ref.kernel_size[1];
        sh = (int)ref.strides[0];
        sw = (int)ref.strides[1];
        dh = (int)ref.dilations[0];
        dw = (int)ref.dilations[1];
        pt = (int)ref.pads_begin[0];
        pl = (int)ref.pads_begin[1];
        pb = (int)ref.pads_end[0];
        pr = (int)ref.pads_end[1];
        channels = ref.numOutput;
        w.assign(blobs[0].ptr<float>(), blobs[0].ptr<float>() + (size_t)channels * kh * kw);
        bias.assign((size_t)channels, 0.0f);
        if (blobs.size() > 1)
            std::copy(blobs[1].ptr<float>(), blobs[1].ptr<float>() + channels, bias.begin());
    }

    bool getMemoryShapes(const std::vector<MatShape> &inputs, const int, std::vector<MatShape> &outputs,
                         std::vector<MatShape> &) const override
    {
        const MatShape &in = inputs[0];
        CV_Assert(in.size() == 4 && in[1] == channels);
        outputs.assign(1, MatShape{in[0], channels, out_size(in[2], kh, sh, dh, pt + pb),
                                   out_size(in[3], kw, sw, dw, pl + pr)});
        return false;
    }

    void forward(cv::InputArrayOfArrays in_arr, cv::OutputArrayOfArrays out_arr,
                 cv::OutputArrayOfArrays) override
    {
        std::vector<cv::Mat> ins, outs;
        in_arr.getMatVector(ins);
        out_arr.getMatVector(outs);
        const cv::Mat &in = ins[0];
        cv::Mat &out = outs[0];
        CV_Assert(in.type() == CV_32F && in.isContinuous() && out.isContinuous());
        int n = in.size[0], ih = in.size[2], iw = in.size[3];
        int oh = out.size[2], ow = out.size[3];
        const float *src = in.ptr<float>();
        float *dst = out.ptr<float>();
        cv::parallel_for_(cv::Range(0, n * channels), [&](const cv::Range &r) {
            int ph = ih + pt + pb, pw = iw + pl + pr;
            std::vector<float> pad((size_t)ph * pw);
            for (int nc = r.start; nc < r.end; nc++)
                plane(src + (size_t)nc * ih * iw, ih, iw, dst + (size_t)nc * oh * ow, oh, ow,
                      nc % channels, pad.data(), pw);
        });
    }

  private:
    int kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, channels;
    std::vector<float> w, bias;

    static int out_size(int in, int k, int s, int d, int pads)
    {
        return (in + pads - d * (k - 1) - 1) / s + 1;
    }

    /* o[i] += k * p[i]: OpenCV's own SIMD (SSE2 at least on x86-64), so the
     * speed does not hang on the compiler's optimization level. */
    static void row_add(float *o, const float *p, float k, int n)
    {
        int i = 0;
#if CV_SIMD
        const int lanes = cv::v_float32::nlanes;
        cv::v_float32 vk = cv::vx_setall_f32(k);
        for (; i + lanes <= n; i += lanes)
            cv::v_store(o + i, cv::v_fma(vk, cv::vx_load(p + i), cv::vx_load(o + i)));
#endif
        for (; i < n; i++)
            o[i] += k * p[i];
    }

    /* One channel: the input copied into a zero-bordered plane, then each
     * output row summed tap by tap over contiguous (stride 1) input rows. */
    void plane(const float *in, int ih, int iw, float *out, int oh, int ow, int c, float *pad,
               int pw) const
    {
        int ph = ih + pt + pb;
        std::fill(pad, pad + (size_t)ph * pw, 0.0f);
        for (int y = 0; y < ih; y++)
            std::memcpy(pad + (size_t)(y + pt) * pw + pl, in + (size_t)y * iw, sizeof(float) * iw);
        const float *k = w.data() + (size_t)c * kh * kw;
        for (int oy = 0; oy < oh; oy++) {
            float *o = out + (size_t)oy * ow;
            std::fill(o, o + ow, bias[(size_t)c]);
            for (int ky = 0; ky < kh; ky++) {
                const float *row = pad + (size_t)(oy * sh + ky * dh) * pw;
                for (int kx = 0; kx < kw; kx++) {
                    float kv = k[ky * kw + kx];
                    const float *p = row + kx * dw;
                    if (sw == 1)
                        row_add(o, p, kv, ow);
                    else
                        for (int ox = 0; ox < ow; ox++)
                            o[ox] += kv * p[(size_t)ox * sw];
                }
            }
        }
    }
};

/* OpenCV's own convolution, or this file's layer where it is a 2-D
 * depthwise one (one input channel a group, as many outputs as inputs)
 * with explicit padding and a kernel other than 3x3. */
cv::Ptr<cv::dnn::Layer> create_conv(LayerParams &p)
{
    cv::Ptr<cv::dnn::BaseConvolutionLayer> ref = cv::dnn::ConvolutionLayer::create(p);
    int group = p.get<int>("group", 1);
    bool dw = ref && ref->kernel_size.size() == 2 && ref->padMode.empty() &&
              !p.blobs.empty() && p.blobs[0].dims == 4 && p.blobs[0].size[1] == 1 &&
              p.blobs[0].type() == CV_32F && group == ref->numOutput && group > 1 &&
              !(ref->kernel_size[0] == 3 && ref->kernel_size[1] == 3) &&
              (p.blobs.size() < 2 || (int)p.blobs[1].total() == ref->numOutput);
    if (!dw)
        return ref;
    return cv::Ptr<cv::dnn::Layer>(new DwConv(p, *ref));
}

} // namespace

void rec2_dwconv_register(void)
{
    static std::once_flag once;
    std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("Convolution", create_conv); });
}

int rec2_dwconv_count(const cv::dnn::Net &net)
{
    int n = 0;
    for (const std::string &name : net.getLayerNames())
        n += net.getLayer(net.getLayerId(name))->type == "DanganDwConv";
    return n;
}
