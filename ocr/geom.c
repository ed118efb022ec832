/*
 * geom.c - the arithmetic behind geom.h.  Coordinates are continuous (a
 * pixel x covers [x, x+1)), so a quarter turn of a W x H image maps x to
 * H - y with no off-by-one, and boxes map by their corners.
 */
#include "geom.h"

#include <math.h>

void ocr_geom_init(ocr_geom *g, int w0, int h0)
{
    g->w0 = w0;
    g->h0 = h0;
    g->scale = 1.0;
    g->quads = 0;
    g->angle_deg = 0.0;
}

static void scaled_size(const ocr_geom *g, double *w, double *h)
{
    *w = floor(g->w0 * g->scale + 0.5);
    *h = floor(g->h0 * g->scale + 0.5);
}

void ocr_geom_work_size(const ocr_geom *g, int *w, int *h)
{
    double sw, sh;
    scaled_size(g, &sw, &sh);
    int odd = g->quads & 1;
    *w = (int)(odd ? sh : sw);
    *h = (int)(odd ? sw : sh);
}

/* Leptonica rotates about (w/2, h/2) with integer division. */
static void centre(const ocr_geom *g, double *cx, double *cy)
{
    int w, h;
    ocr_geom_work_size(g, &w, &h);
    *cx = (double)(w / 2);
    *cy = (double)(h / 2);
}

void ocr_geom_point_before_deskew(const ocr_geom *g, double x, double y, double *rx, double *ry)
{
    double cx, cy;
    centre(g, &cx, &cy);
    /* Undo the clockwise deskew: rotate counter-clockwise (y grows down). */
    double a = g->angle_deg * M_PI / 180.0, c = cos(a), s = sin(a);
    double dx = x - cx, dy = y - cy;
    *rx = cx + dx * c + dy * s;
    *ry = cy - dx * s + dy * c;
}

void ocr_geom_point_to_original(const ocr_geom *g, double x, double y, double *ox, double *oy)
{
    double sw, sh, rx, ry;
    scaled_size(g, &sw, &sh);
    ocr_geom_point_before_deskew(g, x, y, &rx, &ry);
    /* Undo the quarter turns, in the scaled page's frame. */
    double qx = rx, qy = ry;
    switch (g->quads & 3) {
    case 1: qx = ry; qy = sh - rx; break;
    case 2: qx = sw - rx; qy = sh - ry; break;
    case 3: qx = sw - ry; qy = rx; break;
    default: break;
    }
    *ox = qx / g->scale;
    *oy = qy / g->scale;
}

void ocr_geom_point_to_work(const ocr_geom *g, double x, double y, double *wx, double *wy)
{
    double cx, cy, sw, sh;
    centre(g, &cx, &cy);
    scaled_size(g, &sw, &sh);
    double qx = x * g->scale, qy = y * g->scale, rx = qx, ry = qy;
    switch (g->quads & 3) {
    case 1: rx = sh - qy; ry = qx; break;
    case 2: rx = sw - qx; ry = sh - qy; break;
    case 3: rx = qy; ry = sw - qx; break;
    default: break;
    }
    double a = g->angle_deg * M_PI / 180.0, c = cos(a), s = sin(a);
    double dx = rx - cx, dy = ry - cy;
    *wx = cx + dx * c - dy * s;
    *wy = cy + dx * s + dy * c;
}

ocr_box ocr_geom_box_to_original(const ocr_geom *g, ocr_box b)
{
    double xs[4] = {b.x, b.x + b.w, b.x, b.x + b.w};
    double ys[4] = {b.y, b.y, b.y + b.h, b.y + b.h};
    double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
    for (int i = 0; i < 4; i++) {
        double ox, oy;
        ocr_geom_point_to_original(g, xs[i], ys[i], &ox, &oy);
        x0 = fmin(x0, ox);
        y0 = fmin(y0, oy);
        x1 = fmax(x1, ox);
        y1 = fmax(y1, oy);
    }
    int ix0 = (int)floor(x0), iy0 = (int)floor(y0), ix1 = (int)ceil(x1), iy1 = (int)ceil(y1);
    if (ix0 < 0) ix0 = 0;
    if (iy0 < 0) iy0 = 0;
    if (ix1 > g->w0) ix1 = g->w0;
    if (iy1 > g->h0) iy1 = g->h0;
    ocr_box o = {ix0, iy0, ix1 > ix0 ? ix1 - ix0 : 0, iy1 > iy0 ? iy1 - iy0 : 0};
    return o;
}
