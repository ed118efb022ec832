/*
 * area.c - reading the ink inside an area (a cell's inside or a phrase):
 * its text bands, read as one line, one block or band by band.
 */
#include <stdlib.h>

#include "reading.h"

/* Share of an average character's ink a strip beside a line needs to be
 * taken as its faded end (ocr_reach_faded_ends); stain grain rarely has it. */
#define FADED_END_SHARE 0.15

/* In a cell, the rows from the first to the last strong band (plus margin
 * m), when weak bands lie outside them: *out is area cut to those rows.  A
 * band with less than the share `weak` of the strongest band's ink is
 * stain texture or seal residue beside a value, not a line of it (0.2 in
 * configs/ocr.xml).  Returns 0 when every band is strong. */
static int strong_rows(ocr_box area, ocr_box ink, const int *y0, const int *y1, const long *weight,
                       int n, double weak, int m, ocr_box *out)
{
    long max = 0;
    for (int i = 0; i < n; i++)
        max = weight[i] > max ? weight[i] : max;
    int first = -1, last = -1;
    for (int i = 0; i < n; i++)
        if (weight[i] >= max * weak) {
            first = first < 0 ? i : first;
            last = i;
        }
    if (first < 0 || (first == 0 && last == n - 1))
        return 0;
    /* the margin stops half way to a weak band, which so stays out */
    int top = ink.y + y0[first] - m, bot = ink.y + y1[last] + 1 + m;
    if (first > 0 && top <= ink.y + (y1[first - 1] + y0[first]) / 2)
        top = ink.y + (y1[first - 1] + y0[first]) / 2 + 1;
    if (last < n - 1 && bot > ink.y + (y1[last] + y0[last + 1] + 1) / 2)
        bot = ink.y + (y1[last] + y0[last + 1] + 1) / 2;
    top = top < area.y ? area.y : top;
    bot = bot > area.y + area.h ? area.y + area.h : bot;
    *out = (ocr_box){area.x, top, area.w, bot - top};
    return bot > top;
}

/* Several text bands in one area: each is read as a line of its own (PSM 6
 * on the whole lets a speck row or a seal fragment above a bold title
 * drag the title's reading: 名册 -> 和名册).  A band's area reaches half
 * way to its neighbours, so the crop margin still has room. */
static int read_bands(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                      ocr_box ink, const int *y0, const int *y1, int n, region rg, int block,
                      line_vec *lv, dg_err *err)
{
    int rc = DG_OK;
    for (int i = 0; i < n && rc == DG_OK; i++) {
        int top = i ? ink.y + (y1[i - 1] + y0[i] + 1) / 2 : area.y;
        int bot = i + 1 < n ? ink.y + (y1[i] + y0[i + 1] + 1) / 2 : area.y + area.h;
        ocr_box sub = {area.x, top, area.w, bot - top};
        rc = ocr_read_area_split(e, pg, src, sub, rg, block, 0, lv, err);
    }
    return rc;
}

/* Read the ink inside box `area` (a cell's inside or a text band); split
 * says whether several bands may be read one by one. */
int ocr_read_area_split(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                        region rg, int block, int split, line_vec *lv, dg_err *err)
{
    ocr_box ink;
    if (area.w < 4 || area.h < 4)
        return DG_OK;
    if (!ocr_ink_box(src->loc, area, ocr_min_ink(pg->dpi), &ink))
        return src->dots ? ocr_read_dotted_area(e, pg, src, area, rg, block, split, lv, err)
                         : DG_OK;
    PIX *ib = ocr_clip(src->loc, ink);
    int tallest = 0, y0[MAX_BANDS], y1[MAX_BANDS];
    long weight[MAX_BANDS];
    int bands =
        ib ? ocr_count_bands(ib, pg->dpi / 40 + 1, pg->dpi / 30 + 1, y0, y1, weight, &tallest) : 0;
    pixDestroy(&ib);
    if (bands == 0)
        return DG_OK; /* only specks or rule remnants */
    if (bands > 1 && bands <= MAX_BANDS && split)
        return read_bands(e, pg, src, area, ink, y0, y1, bands, rg, block, lv, err);
    ocr_box strong;
    if (bands > 1 && bands <= MAX_BANDS && e->settings->weak_band > 0 &&
        strong_rows(area, ink, y0, y1, weight, bands, e->settings->weak_band, pg->dpi / 30,
                    &strong))
        return ocr_read_area_split(e, pg, src, strong, rg, block, 0, lv, err);
    int single = bands == 1 && tallest < pg->dpi * 2 / 5;
    if (!single && rg.cell >= 0 &&
        ocr_dense_line(src->loc, ink, pg->dpi / 30 + 1, pg->dpi / 4, &ink)) {
        single = 1;
        tallest = ink.h;
    }
    if (single)
        ocr_trim_strays(src->loc, &ink, tallest);
    if (single && src->loc != src->bin)
        ocr_reach_faded_ends(src->loc, src->bin, area, FADED_END_SHARE, &ink);
    int texth = single ? tallest : 0;
    /* Trimmed to the ink: a whole wide cell often reads as nothing.  The
     * margin keeps faint strokes the binarisation lost at the edges. */
    ocr_box cut = ocr_grow_within(ink, pg->dpi / 30, area);
    crop_in ci = {ocr_clip(src->feed, cut),
                  ocr_clip(src->bin, cut),
                  texth,
                  pg->dpi,
                  block,
                  pixGetDepth(src->feed) == 1,
                  ocr_soften_passes(pg, e->settings) == 2,
                  ocr_reads_scan_grey(pg, src) ? pg : NULL,
                  {cut.x + src->ox, cut.y + src->oy, cut.w, cut.h},
                  src->one_reading,
                  src->plain};
    if (e->settings->dots_on && ci.grey && ci.bin && !ci.fed_binary &&
        ocr_dotted_print(ci.grey, ci.bin, pg))
        ocr_smooth_dots(&ci);
    rg.ox = cut.x + src->ox;
    rg.oy = cut.y + src->oy;
    int rc = DG_OK;
    if (!ci.grey || !ci.bin)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else if (single)
        rc = ocr_read_line_best(e, &ci, &rg, lv, err);
    else
        rc = ocr_read_block(e, &ci, rg, lv, err);
    pixDestroy(&ci.grey);
    pixDestroy(&ci.bin);
    return rc;
}
