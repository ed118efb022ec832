/*
 * page.c - reading a scan's page: decoded, cleaned, its cells and the rest
 * read and put in reading order; read turned when it reads poorly.
 */
#include <stdlib.h>
#include <string.h>

#include "reading.h"

/* Paper is 255 after background normalisation; faded values sit at
 * 200-235 where Sauvola (tuned against stains) drops them.  Nearer the
 * paper, stain and grain come in as ink. */
#define FAINT_GREY 225

/* Ink as the cleaned grey shows it: everything darker than FAINT_GREY,
 * without specks (components under dpi/40 both ways).  NULL when out of
 * memory. */
static PIX *faint_ink(const ocr_page *pg)
{
    PIX *t = pixThresholdToBinary(pg->grey, FAINT_GREY);
    int min = pg->dpi / 40 > 3 ? pg->dpi / 40 : 3;
    PIX *m = t ? pixSelectBySize(t, min, min, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL) : NULL;
    pixDestroy(&t);
    return m;
}

/* Where text is looked for: binary OR faded-grey ink.  Sauvola keeps only
 * fragments of faded values, and a crop cut to the fragments loses the rest
 * of the characters.  Made before any cell is read: helpers of the crew
 * share it read-only.  NULL when out of memory. */
static PIX *page_ink(const ocr_page *pg)
{
    if (pg->bilevel)
        return pixClone(pg->bin);
    PIX *faint = faint_ink(pg);
    if (faint)
        pixOr(faint, faint, pg->bin);
    return faint;
}

/* Reading order: bands by top (within a tolerance), then x, then the
 * line's own position inside its cell. */
static int key_cmp(const line_key *a, const line_key *b, int tol)
{
    if (a->flow != b->flow)
        return a->flow < b->flow ? -1 : 1;
    if (a->side != b->side)
        return a->side < b->side ? -1 : 1;
    if (abs(a->top - b->top) > tol)
        return a->top < b->top ? -1 : 1;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return (a->sub > b->sub) - (a->sub < b->sub);
}

/* Lines top to bottom, a row's left to right; on a two-page spread (ng
 * gutters) the left page's before the right's, each line on the side of
 * its middle. */
static void order_lines(line_vec *lv, int tol, const int *gutter, int ng)
{
    for (size_t i = 0; i < lv->n; i++) {
        int mid = lv->v[i].box.x + lv->v[i].box.w / 2;
        lv->k[i].side = 0;
        while (lv->k[i].side < ng && mid > gutter[lv->k[i].side])
            lv->k[i].side++;
    }
    /* insertion sort: a few hundred lines at most, and it is stable */
    for (size_t i = 1; i < lv->n; i++) {
        ocr_line l = lv->v[i];
        line_key k = lv->k[i];
        size_t j = i;
        while (j > 0 && key_cmp(&lv->k[j - 1], &k, tol) > 0) {
            lv->v[j] = lv->v[j - 1];
            lv->k[j] = lv->k[j - 1];
            j--;
        }
        lv->v[j] = l;
        lv->k[j] = k;
    }
}

static int find_cells(const ocr_page *pg, const ocr_settings *s, ocr_cell **cells, size_t *n,
                      dg_err *err)
{
    *cells = NULL;
    *n = 0;
    if (!pg->rules || !s->cells_on)
        return DG_OK;
    if (ocr_grid_cells(pg->rules, s, cells, n))
        return dg_err_set(err, DG_ENOMEM, "out of memory finding table cells");
    return DG_OK;
}

/* Where the page's ink lies outside the lines read, the plain reading of
 * the page (pv when made already) is made and takes the regions read thin
 * (floor.c); logged as the `floor` step. */
static int floor_pass(ocr_engine *e, ocr_page *pg, int grid, line_vec *lv, line_vec *pv,
                      dg_err *err)
{
    double uncovered = 0;
    int on = e->settings->floor_on && ocr_floor_needed(pg, lv, grid, &uncovered);
    int thin = 0, blocks = 0;
    int rc = !on  ? DG_OK
             : pv ? ocr_floor_merge(lv, pv, &thin, &blocks, err)
                  : ocr_read_floor(e, pg, lv, &thin, &blocks, err);
    dg_buf_addf(&pg->log,
                ",{\"step\":\"floor\",\"on\":%s,\"uncovered\":%.3f,\"blocks\":%d,\"thin\":%d}",
                on ? "true" : "false", uncovered, blocks, thin);
    return rc;
}

/* Lines read again by the second reader (lines2.c); logged as the
 * `reader2` step. */
static int reader2_pass(ocr_engine *e, ocr_page *pg, line_vec *lv, dg_err *err)
{
    int nread = 0, ntaken = 0, npieces = 0;
    int rc = ocr_read_lines2(e, pg, lv, &nread, &ntaken, &npieces, err);
    dg_buf_addf(&pg->log, ",{\"step\":\"reader2\",\"lines\":%d,\"taken\":%d,\"runs\":%d}",
                nread, ntaken, npieces);
    return rc;
}

/* Pages of a spread told apart in reading order, beyond two to spare. */
#define MAX_GUTTERS 3

/* Read the cleaned page pg into r, each stage counted in its step of the
 * page's timing. */
static int read_page(ocr_engine *e, ocr_page *pg, ocr_result *r, dg_err *err)
{
    ocr_step_switch(e, OCR_STEP_GRID);
    ocr_cell *cells = NULL;
    size_t n = 0;
    int rc = find_cells(pg, e->settings, &cells, &n, err);
    /* 1-bit scans place crops by all their ink already */
    page_src src = {e->settings->feed_binary ? pg->bin : pg->grey, NULL, NULL, 0, 0,
                    e->settings->dots_on && !pg->bilevel,          0,    NULL};
    src.bin = rc == DG_OK ? page_ink(pg) : NULL;
    /* On a 1-bit scan small components are broken strokes, not specks
     * (the speckle step has run): dropping them cut values. */
    src.loc = !src.bin      ? NULL
              : pg->bilevel ? pixClone(src.bin)
                            : ocr_without_specks(src.bin, pg->dpi);
    if (rc == DG_OK && !src.loc)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    line_vec lv = {0};
    ocr_step_switch(e, OCR_STEP_CELLS);
    if (rc == DG_OK)
        rc = ocr_read_cells(e, pg, &src, cells, n, &lv, err);
    /* A page with no grid is always read plainly too (floor.c): read so
     * first, its confident lines spare the phrases there their variants. */
    line_vec pv = {0};
    int plain_first = rc == DG_OK && n == 0 && e->settings->floor_on;
    ocr_step_switch(e, OCR_STEP_FLOOR);
    if (plain_first)
        rc = ocr_floor_plain(e, pg, &pv, err);
    ocr_step_switch(e, OCR_STEP_PHRASES);
    if (rc == DG_OK)
        rc = ocr_read_rest(e, pg, &src, cells, n, (int)n, plain_first ? &pv : NULL, &lv, err);
    ocr_step_switch(e, OCR_STEP_FLOOR);
    if (rc == DG_OK)
        rc = floor_pass(e, pg, n > 0, &lv, plain_first ? &pv : NULL, err);
    ocr_vec_free(&pv);
    ocr_step_switch(e, OCR_STEP_FINISH);
    pixDestroy(&src.bin);
    pixDestroy(&src.loc);
    int gutter[MAX_GUTTERS];
    int ng = n ? ocr_grid_gutters(pg->rules, cells, n, gutter, MAX_GUTTERS) : 0;
    order_lines(&lv, pg->dpi / 20, gutter, ng);
    ocr_step_switch(e, OCR_STEP_READER2);
    if (rc == DG_OK)
        rc = reader2_pass(e, pg, &lv, err);
    ocr_step_switch(e, OCR_STEP_FINISH);
    ocr_finish_lines(&lv, e->settings, &pg->geom, r);
    for (size_t i = 0; i < n; i++)
        cells[i].box = ocr_geom_box_to_original(&pg->geom, cells[i].box);
    r->cells = cells;
    r->ncells = n;
    dg_buf_addf(&pg->log, ",{\"step\":\"grid\",\"on\":%s,\"cells\":%zu}",
                e->settings->cells_on ? "true" : "false", n);
    return rc;
}

/* A page whose mean line confidence is below this may be turned. */
#define ORIENT_CHECK_CONF 60.0
/* ... and below this, with no direction from OSD, it is probed every way
 * (probe_turn) and read whole the way the probe prefers. */
#define ORIENT_RETRY_CONF 40.0

/* Clean page *ppix turned by quads quarter turns and read it into *out.
 * The decoded page (35 MB for colour A4 at 300 dpi) is freed by the
 * clean-up as soon as it is grey, not held through recognition. */
static int read_turned(ocr_engine *e, PIX **ppix, const ocr_source *src, int quads,
                       double quads_conf, ocr_result **out, dg_err *err)
{
    ocr_result *r = calloc(1, sizeof *r);
    if (!r) {
        pixDestroy(ppix);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    r->width = src->width;
    r->height = src->height;
    ocr_page pg;
    int rc = ocr_page_clean(e, ppix, src, quads, quads_conf, &pg, err);
    /* Leptonica's clean-up cannot be stopped half way: between steps */
    if (rc == DG_OK)
        rc = ocr_check_time(e, err);
    /* the upright page sets the budget; a turned reading spends from it */
    if (rc == DG_OK)
        ocr_budget_start(e, (double)pixGetWidth(pg.grey) * pixGetHeight(pg.grey));
    if (rc == DG_OK)
        rc = read_page(e, &pg, r, err);
    r->skew_deg = pg.skew_deg;
    r->orientation = pg.orientation;
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_addf(&b, "[%s]", pg.log.data ? pg.log.data : "");
    r->cleanup_json = dg_buf_detach(&b);
    ocr_page_release(&pg);
    if (rc == DG_OK && !r->cleanup_json)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    *out = r;
    return rc;
}

/* OSD on the page's grey g (decoded from src). */
static int r_quads(ocr_engine *e, PIX *g, const ocr_source *src, double *conf)
{
    int dpi = (int)((double)ocr_source_dpi(e->settings, src) * pixGetWidth(g) / src->width);
    return ocr_detect_quads(e, g, dpi, conf);
}

/* *r replaced by the page read turned by `quads` clockwise quarter turns
 * (found by OSD with conf, or 0) when that reads more confidently. */
static void try_turned(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                       const ocr_source *src, int reduction, int quads, double conf, ocr_result **r)
{
    PIX *pix = ocr_decode_page_reduced(data, len, page_index, reduction, NULL);
    ocr_result *t = NULL;
    dg_err terr = {0};
    /* text read on its side loses to text read upright (sideways.c), and
     * fragments to a reading of lines holding more characters */
    int side_r = ocr_result_sideways(*r), frag_r = ocr_result_fragmentary(*r);
    if (pix && read_turned(e, &pix, src, quads, conf, &t, &terr) == DG_OK &&
        (t->mean_conf > (*r)->mean_conf || (side_r && !ocr_result_sideways(t)) ||
         (frag_r && !ocr_result_fragmentary(t) && !ocr_result_sideways(t) &&
          ocr_result_chars(t) > ocr_result_chars(*r)))) {
        ocr_result_free(r);
        *r = t;
    } else {
        ocr_result_free(&t);
    }
    pixDestroy(&pix);
}

/* The probe reads pages finer than this at half size (at 150 dpi a
 * turned form's probe read as confidently upright as turned). */
#define PROBE_MAX_DPI 400
/* ... and only its middle, at most this many inches each way: a plain
 * reading costs by the text it holds (the whole of a newspaper page read
 * four ways cost more than three whole turned readings). */
#define PROBE_INCHES 4

/* The probe of a page OSD gives no direction: the page's middle (binarised,
 * its rules taken out: PSM 3 read a turned form's ruled cells as fragments
 * as confidently one way as another) read plainly (PSM 3) upright and
 * turned each quarter but `skip` (already read); the turn reading more
 * confidently than upright and every other turn, else 0.  A whole turned
 * reading costs a full page (cells, phrases, retries, floor: 4 s on a
 * newspaper photo) where the probe costs about a plain reading; the page
 * is then read turned at most once more, not every way.  *conf receives
 * the chosen turn's probe confidence.  With by_text (a reading made of
 * fragments), turns reading under half the most text count not, and -1
 * is returned when no turn read any. */
static int probe_turn(ocr_engine *e, PIX *g, const ocr_source *src, int skip, int by_text,
                      double *conf)
{
    int dpi = (int)((double)ocr_source_dpi(e->settings, src) * pixGetWidth(g) / src->width);
    dpi = dpi > 0 ? dpi : 300;
    int w = pixGetWidth(g), h = pixGetHeight(g), side = PROBE_INCHES * dpi;
    int cw = w < side ? w : side, ch = h < side ? h : side;
    BOX *b = boxCreate((w - cw) / 2, (h - ch) / 2, cw, ch);
    PIX *mid = b ? pixClipRectangle(g, b, NULL) : NULL;
    boxDestroy(&b);
    PIX *half = !mid ? NULL : dpi > PROBE_MAX_DPI ? pixScaleAreaMap2(mid) : pixClone(mid);
    pixDestroy(&mid);
    dpi = dpi > PROBE_MAX_DPI ? dpi / 2 : dpi;
    PIX *bin =
        half ? pixOtsuThreshOnBackgroundNorm(half, NULL, 50, 50, 100, 50, 255, 2, 2, 0.1f, NULL)
             : NULL;
    pixDestroy(&half);
    PIX *hr = bin ? ocr_open_brick(bin, dpi / 3 | 1, 1) : NULL;
    PIX *vr = bin ? ocr_open_brick(bin, 1, dpi / 3 | 1) : NULL;
    if (hr && vr) {
        pixSubtract(bin, bin, hr);
        pixSubtract(bin, bin, vr);
    }
    pixDestroy(&hr);
    pixDestroy(&vr);
    double c[4] = {-1, -1, -1, -1};
    size_t chars[4] = {0, 0, 0, 0}, most = 0;
    int best = 0;
    for (int k = 0; bin && k < 4; k++) {
        PIX *t = k == skip && k ? NULL : pixRotateOrth(bin, k);
        if (!t)
            continue;
        TessBaseAPISetImage2(e->api, t);
        TessBaseAPISetSourceResolution(e->api, dpi);
        TessBaseAPISetPageSegMode(e->api, PSM_AUTO);
        /* a turn whose lines stand on their side reads the page the wrong
         * way however confident (Tesseract reads Han columns as vertical text) */
        if (ocr_recognize(e, e->api, t, NULL) == DG_OK && !ocr_api_sideways(e->api)) {
            c[k] = TessBaseAPIMeanTextConf(e->api);
            chars[k] = by_text ? ocr_api_chars(e->api) : 0;
            most = chars[k] > most ? chars[k] : most;
        }
        TessBaseAPIClear(e->api);
        pixDestroy(&t);
    }
    pixDestroy(&bin);
    /* A page read as fragments: a turn reading under half the text the
     * best-read turn finds read a few marks confidently by chance (a card
     * on its side: 95 for no character at all the wrong quarter round) */
    for (int k = 0; k < 4; k++)
        if (by_text && 2 * chars[k] < most)
            c[k] = -1;
    for (int k = 0; k < 4; k++)
        best = c[k] > c[best] ? k : best;
    if (by_text && !most)
        return -1;
    *conf = c[best];
    return best;
}

/* The orientation search: OSD, and the page read turned.  All of its time
 * is counted as the `orientation` step, helpers' cells included. */
static void search_orientation(ocr_engine *e, const unsigned char *data, size_t len,
                               int page_index, const ocr_source *src, int reduction,
                               ocr_result **r)
{
    ocr_meter *m = e->clock.m;
    double osd_conf = 0;
    ocr_step_switch(e, OCR_STEP_ORIENTATION);
    __atomic_store_n(&m->turning, 1, __ATOMIC_RELAXED);
    /* Most pages come upright: OSD only runs when the upright reading is
     * poor (the page is decoded again then), and a turned reading
     * replaces it only when it reads better. */
    int side = ocr_result_sideways(*r), frag = ocr_result_fragmentary(*r);
    int poor = e->settings->orientation_on && ((*r)->mean_conf < ORIENT_CHECK_CONF || side || frag);
    PIX *pix = poor ? ocr_decode_page_reduced(data, len, page_index, reduction, NULL) : NULL;
    PIX *g = pix ? pixConvertTo8(pix, 0) : NULL;
    pixDestroy(&pix);
    int q = g ? r_quads(e, g, src, &osd_conf) : 0;
    int tried = q > 0 && osd_conf >= e->settings->orientation_min_conf ? q : 0;
    /* OSD finds no direction on some faded or stained pages turned on their
     * side; a page read this poorly is probed each other way round, and
     * read so when its middle reads clearly better so (a page read upside
     * down can clear the bar of an upright page; photographs and print
     * chi_sim does not know read poorly every way, and the probe spares
     * them three whole readings). */
    if (tried)
        try_turned(e, data, len, page_index, src, reduction, tried, osd_conf, r);
    /* Text on its side (sideways.c) is probed too, and turned only a
     * quarter; so are fragments (a card without rules on its side). */
    int lost = g && poor && ((*r)->mean_conf < ORIENT_RETRY_CONF || side || frag);
    double probe_conf = 0;
    int k = lost ? probe_turn(e, g, src, tried, frag, &probe_conf) : 0;
    pixDestroy(&g);
    if (k > 0 && !(side && k == 2))
        try_turned(e, data, len, page_index, src, reduction, k, probe_conf, r);
    /* fragments where the probe's binarised middle read nothing any way
     * round (faint print on tinted paper): a quarter turn each way, read
     * whole, each kept only if it reads better (two readings at most, on
     * a page read as noise) */
    for (int quads = 1; k < 0 && quads < 4 && ocr_result_fragmentary(*r); quads += 2)
        try_turned(e, data, len, page_index, src, reduction, quads, 0, r);
    __atomic_store_n(&m->turning, 0, __ATOMIC_RELAXED);
    ocr_step_switch(e, OCR_STEP_FINISH);
}

static int scan_page(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                     ocr_result **out, dg_err *err)
{
    ocr_source src;
    if (ocr_page_source(data, len, page_index, &src))
        return dg_err_set(err, DG_EINPUT, "cannot read the header of page %d", page_index + 1);
    /* a file ingested under looser limits, or read with other settings */
    if (ocr_limits_check_page(&e->settings->limits, page_index, src.width, src.height, err))
        return DG_EINPUT;
    int reduction = ocr_decode_reduction(e->settings, &src);
    PIX *pix = ocr_decode_page_reduced(data, len, page_index, reduction, err);
    if (!pix)
        return DG_EINPUT;
    ocr_result *r = NULL;
    int rc = read_turned(e, &pix, &src, 0, 0, &r, err);
    if (rc == DG_OK)
        search_orientation(e, data, len, page_index, &src, reduction, &r);
    /* a turned reading stopped by the time limit was dropped as a failed
     * try: the page still failed */
    if (rc == DG_OK)
        rc = ocr_check_time(e, err);
    if (rc) {
        ocr_result_free(&r);
        return rc;
    }
    *out = r;
    return DG_OK;
}

int ocr_read_scan_page(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                       ocr_result **out, dg_err *err)
{
    ocr_meter m;
    if (ocr_meter_init(&m, e->settings))
        return dg_err_set(err, DG_ERR, "cannot create a lock for the page's timing");
    ocr_clock saved;
    ocr_clock_attach(e, &m, OCR_STEP_DECODE, &saved);
    int rc = scan_page(e, data, len, page_index, out, err);
    ocr_clock_detach(e, &saved);
    m.t.wall_page = ocr_meter_elapsed(&m);
    m.t.pool = (double)m.pool;
    m.t.spent = (double)m.spent;
    m.t.spent_reader2 = (double)m.spent_reader2;
    m.t.first_work = (double)m.first_work;
    if (rc == DG_OK) {
        dg_buf b;
        dg_buf_init(&b, 0);
        /* the clean-up log is a JSON array: its last "]" gives way to the
         * times step */
        size_t n = strlen((*out)->cleanup_json);
        dg_buf_addf(&b, "%.*s%s", (int)(n ? n - 1 : 0), (*out)->cleanup_json, n > 2 ? "," : "");
        ocr_timing_json(&m.t, e->settings, &b);
        dg_buf_adds(&b, "]");
        char *j = dg_buf_detach(&b);
        if (j) {
            free((*out)->cleanup_json);
            (*out)->cleanup_json = j;
        }
        (*out)->timing = m.t;
    }
    ocr_meter_destroy(&m);
    return rc;
}
