/*
 * geom.h - mapping boxes found on the cleaned page back to the scan as filed.
 *
 * Clean-up turns the original page (w0 x h0) into the working image by, in
 * this order: scaling by `scale`, turning by `quads` clockwise quarter turns
 * (orientation fix), then rotating by `angle_deg` clockwise about the centre
 * with the size kept (deskew, Leptonica's pixRotate convention).  A reviewer
 * needs the box on the original scan, so every box leaves the module through
 * ocr_geom_box_to_original.  Plain arithmetic, no Leptonica: testable alone.
 */
#ifndef DANGAN_OCR_GEOM_H
#define DANGAN_OCR_GEOM_H

#include "ocr.h"

typedef struct ocr_geom {
    int w0, h0;       /* original page */
    double scale;     /* original -> scaled (1 = none) */
    int quads;        /* clockwise quarter turns after scaling, 0..3 */
    double angle_deg; /* clockwise deskew rotation about the centre */
} ocr_geom;

void ocr_geom_init(ocr_geom *g, int w0, int h0);
/* Size of the working image after scale and quarter turns. */
void ocr_geom_work_size(const ocr_geom *g, int *w, int *h);
/* Map a point of the working image back through the deskew alone: where it
 * lies on the page scaled and turned but not yet deskewed. */
void ocr_geom_point_before_deskew(const ocr_geom *g, double x, double y, double *rx, double *ry);
/* Map a point of the working image back to the original page. */
void ocr_geom_point_to_original(const ocr_geom *g, double x, double y, double *ox, double *oy);
/* Map a point of the original page to the working image (the forward way). */
void ocr_geom_point_to_work(const ocr_geom *g, double x, double y, double *wx, double *wy);
/* Axis-aligned box around the mapped corners, clipped to the original page. */
ocr_box ocr_geom_box_to_original(const ocr_geom *g, ocr_box b);

#endif
