/*
 * rec2.h - the second reader on a Leptonica image, for code inside ocr/
 * (ocr.h itself lets no third-party type through).
 */
#ifndef DANGAN_OCR_REC2_H
#define DANGAN_OCR_REC2_H

#include "ocr.h"

struct Pix;

/* Read a crop of any depth (1, 2, 4, 8 with or without colormap, 16, 32
 * bpp) as one line; see ocr_rec2_read. */
int ocr_rec2_read_pix(ocr_rec2 *r, const struct Pix *crop, ocr_rec2_result *out, dg_err *err);

/* A field's box cut from page with the readers' margin (extraction's boxes
 * hug the ink; a recognizer wants some paper around a line), grey.  NULL
 * with *empty when the box is outside the page, NULL alone when out of
 * memory.  Caller destroys. */
struct Pix *ocr_field_crop(struct Pix *page, ocr_box b, int *empty);

/* 1 when character ch (one UTF-8 character, NUL-terminated) is in r's
 * dictionary: the reader can put it out. */
int ocr_rec2_knows(const ocr_rec2 *r, const char *ch);
/* How many of r's layers are dangan's own (rec2_dwconv.cpp: its large
 * depthwise convolutions) instead of OpenCV's; 0 without OpenCV dnn. */
int ocr_rec2_own_layers(const ocr_rec2 *r);

/* 1 when r reads the scores before its model's last softmax and computes
 * probabilities only where a character is put out; use 0 makes it read the
 * model's output as it is (for tests: both must read alike).  Returns the
 * way r reads now. */
int ocr_rec2_scores(ocr_rec2 *r, int use);

/* The folders the readers' models are looked for in, in order: the
 * environment ($DANGAN_MODELS), the source tree this was built from, the
 * installed copy (the settings folder's order).  Returns how many (2-3). */
int ocr_models_dirs(const char *dirs[3]);

/* A line's reading by the second reader (t2) with Tesseract's reading of it
 * (t1) aligned by edit distance: where t1 has a Han character outside r's
 * dictionary (which r cannot put out: it reads a look-alike or nothing
 * there), that character is kept; whitespace dropped (lines2.c).
 * Malloc'd; NULL when out of memory. */
char *ocr_lines2_merge(const ocr_rec2 *r, const char *t1, const char *t2);

#endif
