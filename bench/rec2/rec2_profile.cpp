/*
 * rec2_profile.cpp - where a forward pass of the second reader's model goes:
 * CPU per pass (one OpenCV thread, random input of the model's width), and
 * OpenCV's per-layer times summed by layer type, each layer's the least of
 * the passes (a loaded machine's wall-clock noise only adds).  docs/ocr.md,
 * "The second reader's forward pass".
 *
 * usage: rec2_profile MODEL.onnx WIDTH [--opencv] [--passes N]
 *   --opencv  OpenCV's own layers only (without rec2_dwconv_register)
 */
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include <opencv2/dnn.hpp>

#include "rec2_dwconv.hpp"

static double cpu_seconds()
{
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: rec2_profile MODEL.onnx WIDTH [--opencv] [--passes N]\n");
        return argc < 3 ? 2 : 0;
    }
    int width = atoi(argv[2]), passes = 15;
    bool own = true;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--opencv"))
            own = false;
        else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
            passes = std::max(1, atoi(argv[++i]));
    }
    try {
        cv::setNumThreads(1);
        if (own)
            rec2_dwconv_register();
        cv::dnn::Net net = cv::dnn::readNetFromONNX(argv[1]);
        int shape[4] = {1, 3, 48, width};
        cv::Mat in(4, shape, CV_32F);
        cv::randu(in, -1.0f, 1.0f);
        net.setInput(in);
        net.forward(); /* sets the layers up */
        std::vector<cv::String> names = net.getLayerNames();
        std::vector<double> least(names.size(), 1e300), times;
        double t0 = cpu_seconds();
        for (int p = 0; p < passes; p++) {
            net.setInput(in);
            net.forward();
            net.getPerfProfile(times);
            for (size_t i = 0; i < names.size() && i < times.size(); i++)
                least[i] = std::min(least[i], times[i]);
        }
        double per_pass = (cpu_seconds() - t0) / passes * 1000;
        std::map<std::string, double> by_type;
        double sum = 0, ms = 1000 / cv::getTickFrequency();
        for (size_t i = 0; i < names.size(); i++) {
            cv::Ptr<cv::dnn::Layer> l = net.getLayer(net.getLayerId(names[i]));
            std::string type = l->type;
            if (type == "Convolution" && !l->blobs.empty() && l->blobs[0].size[1] == 1)
                type += " depthwise " + std::to_string(l->blobs[0].size[2]) + "x" +
                        std::to_string(l->blobs[0].size[3]);
            by_type[type] += least[i] * ms;
            sum += least[i] * ms;
        }
        printf("width %d, %s layers: %.2f ms CPU a pass (%d passes); per-layer least "
               "times sum to %.2f ms\n",
               width, own ? "dangan's depthwise" : "OpenCV's", per_pass, passes, sum);
        for (const auto &kv : by_type)
            if (kv.second >= sum / 100)
                printf("  %-30s %6.2f ms %5.1f%%\n", kv.first.c_str(), kv.second,
                       100 * kv.second / sum);
    } catch (const cv::Exception &e) {
        fprintf(stderr, "rec2_profile: %s\n", e.what());
        return 1;
    }
    return 0;
}
