/*
 * faded.c - faded print read again from the scan's own grey: a faded line's
 * crop, a faded cell's flattened ink, and a line's faded first or last character.
 */
#include <math.h>
#include <stdlib.h>

#include "reading.h"

/* The speck-free ink that places a crop misses a faded first or last
 * character, which breaks into specks (分析化学 read as 分析化 at 92).  The
 * box grows sideways by a text height at a time, within area, while the
 * full ink in the new strip holds at least `share` of an average
 * character's ink in the box; stain grain beside a value rarely does. */
void ocr_reach_faded_ends(PIX *loc, PIX *raw, ocr_box area, double share, ocr_box *ink)
{
    int h = ink->h;
    long chars = h > 0 ? (ink->w + h / 2) / h : 0;
    long per_char = chars > 0 ? ocr_ink_in(loc, *ink) / chars : 0;
    if (per_char <= 0)
        return;
    for (int side = 0; side < 2; side++)
        for (;;) {
            int x0 = side ? ink->x + ink->w : ink->x - h;
            ocr_box strip = {x0 < area.x ? area.x : x0, ink->y, h, ink->h};
            if (strip.x + strip.w > area.x + area.w)
                strip.w = area.x + area.w - strip.x;
            if (strip.w < h / 3 || ocr_ink_in(raw, strip) < per_char * share)
                break;
            ocr_box got;
            if (!ocr_ink_box(raw, strip, 1, &got))
                break;
            int l = got.x < ink->x ? got.x : ink->x;
            int r = got.x + got.w > ink->x + ink->w ? got.x + got.w : ink->x + ink->w;
            if (r - l == ink->w)
                break;
            ink->x = l;
            ink->w = r - l;
        }
}

/* The background step lifts ink within 40 grey levels of the paper
 * towards it, and faded print comes out light and broken (a faded 工学硕士
 * read 学硕二, 上 or 和).  From the scan's own grey, a 3x3 mean (JPEG grain)
 * stretched so its darkest ink is black and everything lighter than
 * FADED_WHITE_SHARE of the way from the paper to that ink is white, the
 * same crops read 工学硕士.  White much further from the paper turns grain,
 * then the faintest strokes, white. */
#define FADED_PAPER_RANK 0.9f
#define FADED_INK_RANK 0.02f
#define FADED_WHITE_SHARE 0.15
/* A crop is faded when its darkest ink (FADED_INK_RANK) on the cleaned page
 * is lighter than this: black and dark print lies well under it, faded
 * values well over. */
#define FADED_INK_LEVEL 100
/* Under this deskew angle a crop of the scan's grey is only moved, not
 * turned: a 300 px wide crop then leans at most 1.3 px end to end. */
#define FADED_TURN_DEG 0.25

int ocr_faded(const crop_in *ci)
{
    l_uint32 ink = 0;
    return ci->scan_of && !pixGetRankValue(ci->grey, 1, FADED_INK_RANK, &ink) &&
           ink >= FADED_INK_LEVEL;
}

/* Box b of the working page cut from pg's scan_grey, which is not
 * deskewed: b's centre is taken back through the deskew, and the crop
 * turned with the page.  NULL when out of memory. */
static PIX *scan_crop(const ocr_page *pg, ocr_box b)
{
    PIX *sg = pg->scan_grey;
    double sx, sy, s = sin(pg->geom.angle_deg * M_PI / 180.0);
    ocr_geom_point_before_deskew(&pg->geom, b.x + b.w / 2.0, b.y + b.h / 2.0, &sx, &sy);
    int turn = fabs(pg->geom.angle_deg) >= FADED_TURN_DEG;
    int m = turn ? (int)ceil((b.w + b.h) * fabs(s)) + 2 : 0;
    int w = b.w + 2 * m, h = b.h + 2 * m;
    PIX *piece = pixCreate(w, h, 8);
    if (!piece)
        return NULL;
    pixSetAll(piece); /* beyond the page: white */
    pixRasterop(piece, 0, 0, w, h, PIX_SRC, sg, (int)lround(sx - w / 2.0),
                (int)lround(sy - h / 2.0));
    if (!turn)
        return piece;
    PIX *r = pixRotate(piece, (l_float32)(pg->geom.angle_deg * M_PI / 180.0), L_ROTATE_AREA_MAP,
                       L_BRING_IN_WHITE, 0, 0);
    pixDestroy(&piece);
    PIX *out = r ? ocr_clip(r, (ocr_box){m, m, b.w, b.h}) : NULL;
    pixDestroy(&r);
    return out;
}

/* ci's crop of the scan's grey, smoothed and stretched; NULL when out of
 * memory. */
PIX *ocr_faded_crop(const crop_in *ci)
{
    PIX *scan = scan_crop(ci->scan_of, ci->at);
    PIX *out = scan ? pixBlockconvGray(scan, NULL, 1, 1) : NULL;
    pixDestroy(&scan);
    l_uint32 paper = 0, ink = 0;
    if (!out || pixGetRankValue(out, 1, FADED_PAPER_RANK, &paper) ||
        pixGetRankValue(out, 1, FADED_INK_RANK, &ink))
        return out;
    int white = (int)(paper - (paper - (double)ink) * FADED_WHITE_SHARE + 0.5);
    if (white > (int)ink)
        pixGammaTRC(out, out, 1.0f, (int)ink, white);
    return out;
}

/* 1 when src reads the page's own grey (not a lighter print's or a faded
 * cell's copy) and the scan's grey was kept beside it. */
int ocr_reads_scan_grey(const ocr_page *pg, const page_src *src)
{
    return pg->scan_grey && src->feed == pg->grey;
}

/* Faded print the cleaned page lost (ink 15-25 grey levels under the
 * paper, which the background step lifts to white or leaves as a few
 * fragments) is looked for again in the cell on
 * the scan's own grey.  There the paper is flattened by a grey closing
 * (FADED_CELL_CLOSE px at half size: wider than a stroke, so a stain's
 * slow change is background and a stroke is not), and ink is what lies
 * FADED_CELL_DEPTH levels under it: rules (the page's rule mask) are not
 * ink, specks are not text but stay when near it (a date's dot). */
#define FADED_CELL_DEPTH 14
#define FADED_CELL_CLOSE 7
/* Ink of the flattened cell g: t without rules (*loc without specks);
 * 0 when out of memory. */
static int faded_cell_ink(const ocr_page *pg, PIX *g, ocr_box b, PIX **t, PIX **loc)
{
    *t = pixThresholdToBinary(g, 255 - FADED_CELL_DEPTH);
    PIX *rules = *t && pg->rules ? ocr_clip(pg->rules, b) : NULL;
    if (rules) {
        pixDilateBrick(rules, rules, 5, 5);
        pixSubtract(*t, *t, rules);
    }
    pixDestroy(&rules);
    *loc = *t ? ocr_without_specks(*t, pg->dpi) : NULL;
    return *loc != NULL;
}

/* The smallest cell side looked at: Leptonica's flattening needs 7 px, and
 * no line of text is under 16 px (2.7 mm at the least scanner resolution). */
#define FADED_CELL_MIN_SIDE 16

/* Box b of the page as a faded cell's images: `feed` the scan's grey
 * flattened, with what is not ink near the text white and the ink
 * stretched to black; `bin` that ink; `loc` without specks.  1 when made,
 * 0 when the crop cannot be flattened (Leptonica finds no paper in a crop
 * all dark, or one under 7 px), -1 when out of memory. */
static int faded_cell_src(const ocr_page *pg, ocr_box b, page_src *at)
{
    PIX *scan = scan_crop(pg, b);
    PIX *sm = scan ? pixBlockconvGray(scan, NULL, 1, 1) : NULL;
    pixDestroy(&scan);
    if (!sm)
        return -1;
    at->feed = pixBackgroundNormMorph(sm, NULL, 2, FADED_CELL_CLOSE, 255);
    pixDestroy(&sm);
    if (!at->feed)
        return 0;
    PIX *t = NULL;
    if (!faded_cell_ink(pg, at->feed, b, &t, &at->loc)) {
        pixDestroy(&t);
        return -1;
    }
    int k = pg->dpi / 12; /* "near the text": within a twelfth of an inch */
    at->bin = pixDilateBrick(NULL, at->loc, k, k);
    if (at->bin)
        pixAnd(at->bin, at->bin, t);
    pixDestroy(&t);
    PIX *white = at->bin ? pixDilateBrick(NULL, at->bin, 3, 3) : NULL;
    if (!white)
        return -1;
    pixInvert(white, white);
    pixSetMasked(at->feed, white, 255);
    pixDestroy(&white);
    /* the ink's middle grey black, half the depth under the paper white */
    l_float32 mid = 0;
    if (pixGetRankValueMasked(at->feed, at->loc, 0, 0, 1, 0.5f, &mid, NULL) == 0 &&
        mid < 255 - FADED_CELL_DEPTH / 2)
        pixGammaTRC(at->feed, at->feed, 1.0f, (int)mid, 255 - FADED_CELL_DEPTH / 2);
    return 1;
}

/* 1 when the faded ink reaches beyond the ink the cleaned page placed the
 * reading by (was) by more than half a text height: only then can the
 * faded cell read more than the line's own faded reading did. */
static int reaches_beyond(ocr_box was, ocr_box now)
{
    int m = now.h / 2;
    return now.x < was.x - m || now.x + now.w > was.x + was.w + m;
}

/* Area of a cell read again from the scan's grey into lv (nothing when
 * the scan shows no ink there, or no more than the cleaned page did). */
int ocr_read_faded_cell(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                        region rg, int block, line_vec *lv, dg_err *err)
{
    page_src at = {NULL, NULL, NULL, src->ox + area.x, src->oy + area.y, 0, 1, NULL};
    ocr_box whole = {0, 0, area.w, area.h}, was, now;
    int rc = DG_OK;
    if (area.w < FADED_CELL_MIN_SIDE || area.h < FADED_CELL_MIN_SIDE)
        return DG_OK;
    int made = faded_cell_src(pg, (ocr_box){at.ox, at.oy, area.w, area.h}, &at);
    if (made < 0)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else if (!made || !ocr_ink_box(at.loc, whole, ocr_min_ink(pg->dpi), &now))
        ; /* nothing there either */
    else if (!ocr_ink_box(src->loc, area, ocr_min_ink(pg->dpi), &was) ||
             reaches_beyond((ocr_box){was.x - area.x, was.y - area.y, was.w, was.h}, now))
        rc = ocr_read_area_split(e, pg, &at, whole, rg, block, 0, lv, err);
    pixDestroy(&at.feed);
    pixDestroy(&at.bin);
    pixDestroy(&at.loc);
    return rc;
}

/* A cell whose reading may have missed faded print: the cleaned page shows
 * it no ink, or ink that is all lighter than FADED_INK_LEVEL (its darkest
 * tenth: fragments of faded print are light, a dark value's are not). */
int ocr_may_be_faded(const ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                     double conf)
{
    if (!ocr_reads_scan_grey(pg, src) || !e->settings->faded_cells_on)
        return 0;
    if (conf < 0)
        return 1;
    PIX *g = ocr_clip(src->feed, area), *b = ocr_clip(src->bin, area);
    l_float32 ink = 0;
    int faint = g && b && pixGetRankValueMasked(g, b, 0, 0, 1, 0.1f, &ink, NULL) == 0 &&
                ink >= FADED_INK_LEVEL;
    pixDestroy(&g);
    pixDestroy(&b);
    return faint;
}
