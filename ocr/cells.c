/*
 * cells.c - the table's cells, read one by one (alone or with the crew);
 * a doubtful cell is read again under a lighter print or from the scan's grey.
 */
#include <stdlib.h>

#include "reading.h"

/* A lighter print crossing a value (a seal or stamp in a greyscale scan,
 * which no colour test finds; the value read as nothing or noise) is ink
 * far from the crop's darkest: more than LIGHTER_NEAR / 2 px from the ink
 * within LIGHTER_DARK grey levels of its 5th percentile.  It is there when
 * it outweighs that dark ink LIGHTER_RATIO times and covers a square an
 * eighth of an inch on a side: plain cells have far less of such ink. */
#define LIGHTER_DARK 40
#define LIGHTER_NEAR 5
#define LIGHTER_RATIO 4

/* Level below which a crop's darkest ink lies: its p-th percentile ink
 * pixel (grey under 230); -1 when the crop has fewer than `least`. */
static int ink_level(PIX *g, double p, int least)
{
    NUMA *h = pixGetGrayHistogram(g, 1);
    double total = 0, run = 0;
    for (int v = 0; h && v < 230; v++) {
        l_float32 n = 0;
        numaGetFValue(h, v, &n);
        total += n;
    }
    int level = -1;
    for (int v = 0; h && total >= least && v < 230 && level < 0; v++) {
        l_float32 n = 0;
        numaGetFValue(h, v, &n);
        run += n;
        if (run >= total * p)
            level = v;
    }
    numaDestroy(&h);
    return level;
}

/* The ink of crop g far from its darkest ink: a lighter print (a seal or
 * stamp in a greyscale scan, which no colour test finds) crossing a value.
 * *dark receives the dark ink.  NULL when out of memory or no ink. */
static PIX *lighter_ink(PIX *g, int least, PIX **dark)
{
    *dark = NULL;
    int level = ink_level(g, 0.05, least);
    if (level < 0)
        return NULL;
    *dark = pixThresholdToBinary(g, level + LIGHTER_DARK);
    PIX *near = *dark ? pixDilateBrick(NULL, *dark, LIGHTER_NEAR, LIGHTER_NEAR) : NULL;
    PIX *ink = near ? pixThresholdToBinary(g, 230) : NULL;
    if (ink)
        pixSubtract(ink, ink, near);
    pixDestroy(&near);
    return ink;
}

/* A value under a lighter print is placed by its dark ink alone and read
 * with the lighter ink painted white into lv; *done is 0 (and nothing is
 * read) when the area holds no such print. */
static int read_under_lighter_print(ocr_engine *e, const ocr_page *pg, const page_src *src,
                                    ocr_box area, region rg, int block, int split, line_vec *lv,
                                    int *done, dg_err *err)
{
    *done = 0;
    PIX *g = ocr_clip(src->feed, area), *dark = NULL;
    int least = ocr_min_ink(pg->dpi);
    PIX *light = g ? lighter_ink(g, least, &dark) : NULL;
    l_int32 nd = 0, nl = 0;
    if (dark)
        pixCountPixels(dark, &nd, NULL);
    if (light)
        pixCountPixels(light, &nl, NULL);
    int rc = DG_OK;
    int big = (pg->dpi / 8) * (pg->dpi / 8);
    if (light && dark && nl >= nd * LIGHTER_RATIO && nl >= big && nd >= least) {
        page_src at = {pixCopy(NULL, g),
                       pixClone(dark),
                       ocr_without_specks(dark, pg->dpi),
                       src->ox + area.x,
                       src->oy + area.y,
                       0,
                       0,
                       NULL};
        if (at.feed)
            pixSetMasked(at.feed, light, 255);
        rc = at.feed && at.bin && at.loc
                 ? ocr_read_area_split(e, pg, &at,
                                       (ocr_box){0, 0, pixGetWidth(at.feed), pixGetHeight(at.feed)},
                                       rg, block, split, lv, err)
                 : dg_err_set(err, DG_ENOMEM, "out of memory");
        pixDestroy(&at.feed);
        pixDestroy(&at.bin);
        pixDestroy(&at.loc);
        *done = 1;
    }
    pixDestroy(&g);
    pixDestroy(&dark);
    pixDestroy(&light);
    return rc;
}

/* A faded cell's reading is kept only from this confidence on: the scan's
 * grey of an empty cell holds stain and grain that read as 兴, 2 人 with
 * little confidence, real faded values with more. */
#define FADED_CELL_MIN_CONF 50.0

/* In a cell, a first reading under RETRY_CONF may be crossed by a lighter
 * print, and one under FADED_RETRY_CONF may have missed faded print: each
 * is read again that way, and the most confident reading is kept (a faded
 * cell's only from FADED_CELL_MIN_CONF, over the lines the page keeps). */
static int read_cell_area(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                          region rg, int block, line_vec *lv, dg_err *err)
{
    int lighter = e->settings->lighter_on && !pg->bilevel && pixGetDepth(src->feed) == 8;
    line_vec first = {0}, light = {0}, fade = {0};
    int rc = ocr_read_area_split(e, pg, src, area, rg, block, 0, &first, err), done = 0;
    if (rc == DG_OK && lighter && ocr_vec_conf(&first) < RETRY_CONF &&
        ocr_may_retry(e, OCR_STEP_LIGHTER)) {
        ocr_retry_begin(e, OCR_STEP_LIGHTER);
        rc = read_under_lighter_print(e, pg, src, area, rg, block, 0, &light, &done, err);
        ocr_retry_end(e);
    }
    line_vec *keep = done && ocr_vec_conf(&light) > ocr_vec_conf(&first) ? &light : &first;
    double kc = ocr_vec_conf(keep);
    if (rc == DG_OK && kc < FADED_RETRY_CONF &&
        ocr_may_be_faded(e, pg, src, area, ocr_vec_conf(&first)) &&
        ocr_may_retry(e, OCR_STEP_FADED)) {
        ocr_retry_begin(e, OCR_STEP_FADED);
        rc = ocr_read_faded_cell(e, pg, src, area, rg, block, &fade, err);
        ocr_retry_end(e);
    }
    /* a faded reading the page would drop (letters alone under 60) does
     * not replace one it keeps */
    double fc = ocr_mean_conf(&fade, 1);
    if (fc > kc && fc >= FADED_CELL_MIN_CONF)
        keep = &fade;
    if (keep != &first)
        ocr_retry_won(e, keep == &light ? OCR_STEP_LIGHTER : OCR_STEP_FADED);
    if (rc == DG_OK && ocr_vec_move(lv, keep))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    ocr_vec_free(&first);
    ocr_vec_free(&light);
    ocr_vec_free(&fade);
    return rc;
}

/* Inside a cell several bands read better as one block (split, the lines
 * of a card's cell read worse); outside, a band is a title or header line
 * that a speck row above it must not drag into a block. */
int ocr_read_area(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area, region rg,
                  int block, line_vec *lv, dg_err *err)
{
    ocr_region_begin(e);
    return rg.cell < 0 ? ocr_read_area_split(e, pg, src, area, rg, block, 1, lv, err)
                       : read_cell_area(e, pg, src, area, rg, block, lv, err);
}

/* One page's cells as a crew job: each cell's lines go to its own vector,
 * merged in cell order once all are read. */
typedef struct cells_ctx {
    const ocr_page *pg;
    const page_src *src;
    const ocr_cell *cells;
    line_vec *out;
    ocr_meter *meter; /* the page's account, whoever reads the cell */
} cells_ctx;

static int read_cell(void *ctx, ocr_engine *e, size_t i, dg_err *err)
{
    cells_ctx *c = ctx;
    int in = e->settings->cell_inset;
    ocr_box b = c->cells[i].box;
    ocr_box inner = {b.x + in, b.y + in, b.w - 2 * in, b.h - 2 * in};
    region rg = {0, 0, (int)i, {0, b.y, b.x, 0, 0, 0, 0}, 1.0, NULL, 0};
    ocr_clock saved;
    ocr_clock_attach(e, c->meter, OCR_STEP_CELLS, &saved);
    int rc = ocr_read_area(e, c->pg, c->src, inner, rg, (int)i, &c->out[i], err);
    ocr_clock_detach(e, &saved);
    return rc;
}

/* Read the cells alone, or with the engine's crew. */
static int read_cells_with(ocr_engine *e, cells_ctx *ctx, size_t n, dg_err *err)
{
    if (!e->crew) {
        int rc = DG_OK;
        for (size_t i = 0; i < n && rc == DG_OK; i++)
            rc = read_cell(ctx, e, i, err);
        return rc;
    }
    ocr_crew_job job = {.n = n, .read = read_cell, .ctx = ctx};
    return ocr_crew_run(e->crew, e, &job, err);
}

int ocr_read_cells(ocr_engine *e, const ocr_page *pg, const page_src *src, const ocr_cell *cells,
                   size_t n, line_vec *lv, dg_err *err)
{
    cells_ctx ctx = {pg, src, cells, n ? calloc(n, sizeof(line_vec)) : NULL, e->clock.m};
    int rc = n && !ctx.out ? dg_err_set(err, DG_ENOMEM, "out of memory")
                           : read_cells_with(e, &ctx, n, err);
    for (size_t i = 0; i < n && ctx.out; i++) {
        if (rc == DG_OK && ocr_vec_move(lv, &ctx.out[i]))
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
        ocr_vec_free(&ctx.out[i]);
    }
    free(ctx.out);
    return rc;
}
