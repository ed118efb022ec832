/*
 * rec2_dwconv.hpp - the second reader's own depthwise convolution layer for
 * OpenCV dnn (rec2_dwconv.cpp), C++ only, inside ocr/.
 */
#ifndef DANGAN_OCR_REC2_DWCONV_HPP
#define DANGAN_OCR_REC2_DWCONV_HPP

#include <opencv2/dnn.hpp>

/* Make nets read from now on (their layers are made at their first forward
 * pass) compute 2-D depthwise convolutions other than 3x3 with this
 * layer.  Once per process; thread-safe. */
void rec2_dwconv_register(void);

/* How many of net's layers are this file's (0 for a net set up before
 * rec2_dwconv_register or without such convolutions). */
int rec2_dwconv_count(const cv::dnn::Net &net);

#endif
