/*
 * dots.c - dot-matrix print: told by its dots, and read with them joined
 * into strokes.
 */
#include <stdlib.h>

#include "reading.h"

/* Dot-matrix print reads as nonsense at full confidence (91.3 -> 号] .号
 * at 75, 88.9 -> 89 .己): the LSTM has not seen strokes made of dots.  It
 * is told by its ink: the dark cores of the dots are many separate specks
 * that a closing by about one dot pitch joins into a few strokes.  The
 * pitch is taken as 1/100 in (16- and 24-dot fonts printed 3-4 mm high). */
#define DOTTED_MIN_SPECKS 20
#define DOTTED_JOIN_RATIO 4

static int dot_pitch(int dpi)
{
    return dpi / 100 > 2 ? dpi / 100 : 2;
}

/* The darkest part of the ink: under 40% of the way from the darkest grey
 * to the paper, where the gaps between dots are lighter.  NULL when the
 * area is blank (or out of memory). */
static PIX *dot_cores(PIX *grey)
{
    l_uint32 dark = 0, paper = 0;
    if (pixGetRankValue(grey, 1, 0.01f, &dark) || pixGetRankValue(grey, 1, 0.5f, &paper) ||
        paper <= dark + 40)
        return NULL;
    return pixThresholdToBinary(grey, (int)(dark + (paper - dark) * 2 / 5) + 1);
}

int ocr_dotted_print(PIX *grey, PIX *bin, const ocr_page *pg)
{
    PIX *cores = pg->bilevel ? pixClone(bin) : dot_cores(grey);
    l_int32 specks = 0, strokes = 0;
    if (cores)
        pixCountConnComp(cores, 8, &specks);
    int j = dot_pitch(pg->dpi) + 1;
    PIX *joined = specks >= DOTTED_MIN_SPECKS ? pixCloseSafeBrick(NULL, cores, j, j) : NULL;
    if (joined)
        pixCountConnComp(joined, 8, &strokes);
    pixDestroy(&cores);
    pixDestroy(&joined);
    return strokes > 0 && specks >= DOTTED_JOIN_RATIO * strokes;
}

/* 1 when box b of the page holds dot-matrix print. */
static int dotted_at(const ocr_page *pg, const page_src *src, ocr_box b)
{
    PIX *grey = ocr_clip(src->feed, b), *bin = ocr_clip(src->bin, b);
    int dotted = grey && bin && pixGetDepth(grey) > 1 && ocr_dotted_print(grey, bin, pg);
    pixDestroy(&grey);
    pixDestroy(&bin);
    return dotted;
}

/* The crop of dotted print as strokes: the grey blurred by about a third
 * of a dot pitch, the binary closed by one. */
void ocr_smooth_dots(crop_in *ci)
{
    int pitch = dot_pitch(ci->dpi);
    L_KERNEL *k = makeGaussianKernel(pitch, pitch, (float)pitch / 3.0f, 1.0f);
    PIX *grey = k ? pixConvolve(ci->grey, k, 8, 1) : NULL;
    PIX *bin = pixCloseSafeBrick(NULL, ci->bin, pitch + 1, pitch + 1);
    kernelDestroy(&k);
    if (grey && bin) {
        pixDestroy(&ci->grey);
        pixDestroy(&ci->bin);
        ci->grey = grey;
        ci->bin = bin;
    } else {
        pixDestroy(&grey);
        pixDestroy(&bin);
    }
}

/* Area of src where only specks were found, when they are the dots of
 * dot-matrix print: read with the dots a pitch apart joined, so that they
 * place the crop as strokes would. */
int ocr_read_dotted_area(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                         region rg, int block, int split, line_vec *lv, dg_err *err)
{
    ocr_box raw;
    if (!ocr_ink_box(src->bin, area, ocr_min_ink(pg->dpi), &raw) || !dotted_at(pg, src, raw))
        return DG_OK;
    int j = dot_pitch(pg->dpi) + 1;
    page_src at = {ocr_clip(src->feed, area),
                   ocr_clip(src->bin, area),
                   NULL,
                   src->ox + area.x,
                   src->oy + area.y,
                   0,
                   0,
                   NULL};
    ocr_step_push(e, OCR_STEP_DOTS);
    PIX *joined = at.bin ? pixCloseSafeBrick(NULL, at.bin, j, j) : NULL;
    at.loc = joined ? ocr_without_specks(joined, pg->dpi) : NULL;
    int rc = at.feed && at.loc
                 ? ocr_read_area_split(e, pg, &at,
                                       (ocr_box){0, 0, pixGetWidth(at.feed), pixGetHeight(at.feed)},
                                       rg, block, split, lv, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
    ocr_step_pop(e);
    pixDestroy(&joined);
    pixDestroy(&at.feed);
    pixDestroy(&at.bin);
    pixDestroy(&at.loc);
    return rc;
}
