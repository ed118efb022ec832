/*
 * morph.c - binary openings and closings by long bricks, exactly as
 * Leptonica's pixOpenBrick / pixCloseBrick give them, in a fraction of the
 * time.
 *
 * A brick operation makes one rasterop over the image per pixel of the
 * brick's length and height: finding the rules (bricks 70-150 px) and the
 * phrases of a page (61 x 9) took 4% of all OCR time.  Leptonica's
 * composite brick (a brick f1 long, then a comb of f2 teeth f1 apart) costs
 * f1 + f2 and is the same brick when f1 * f2 is its length; Leptonica's own
 * regression test compares them only then, and for other lengths it
 * silently uses a nearby product.  So each side is split into the longest
 * such length c and a short brick of the len - c + 1 left: a dilation or
 * erosion by both in turn is one by the whole (a sum of segments).  That
 * holds for openings (checked to the pixel for every length 2-600 both
 * ways and for 2-D bricks); a closing split so differs from Leptonica's
 * by a pixel here and there (the two bricks' origins do not add up to the
 * whole's when both are even), so a closing is composite only when no
 * remainder is left, and Leptonica's brick otherwise.
 */
#include "ocr_internal.h"

static int composable(int len)
{
    l_int32 f1 = 0, f2 = 0;
    selectComposableSizes(len, &f1, &f2);
    return f1 * f2 == len;
}

/* len as c (composable) + r - 1. */
static void split(int len, int *c, int *r)
{
    *c = len;
    while (*c > 1 && !composable(*c))
        (*c)--;
    *r = len - *c + 1;
}

/* p (in place) dilated or eroded by a w x h brick; NULL on failure. */
static PIX *by_brick(PIX *p, int w, int h, int dilate)
{
    int cw, rw, ch, rh;
    split(w, &cw, &rw);
    split(h, &ch, &rh);
    PIX *(*comp)(PIX *, PIX *, l_int32, l_int32) = dilate ? pixDilateCompBrick : pixErodeCompBrick;
    PIX *(*brick)(PIX *, PIX *, l_int32, l_int32) = dilate ? pixDilateBrick : pixErodeBrick;
    if (p && (cw > 1 || ch > 1))
        p = comp(p, p, cw, ch);
    if (p && (rw > 1 || rh > 1))
        p = brick(p, p, rw, rh);
    return p;
}

static PIX *open_close(PIX *bin, int w, int h, int open)
{
    PIX *p = pixCopy(NULL, bin);
    p = by_brick(p, w, h, !open);
    return by_brick(p, w, h, open);
}

PIX *ocr_open_brick(PIX *bin, int w, int h)
{
    return open_close(bin, w, h, 1);
}

PIX *ocr_close_brick(PIX *bin, int w, int h)
{
    int cw, rw, ch, rh;
    split(w, &cw, &rw);
    split(h, &ch, &rh);
    return rw == 1 && rh == 1 ? open_close(bin, w, h, 0) : pixCloseBrick(NULL, bin, w, h);
}
