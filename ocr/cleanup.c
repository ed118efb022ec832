/*
 * cleanup.c - the page clean-up chain run before recognition: grey
 * conversion that whitens seal ink by colour, background normalisation,
 * orientation, deskew, binarisation, border / punch-hole / speckle removal
 * and ruling-line removal.  Each step can be switched off in the settings
 * and logs what it measured as one JSON object (ocr_result.cleanup_json).
 * Order matters: deskew comes before the rules are looked for, since
 * rules are found as long horizontal and vertical runs a tilted line lacks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"

static void log_step(ocr_page *pg, const char *step, int on, const char *fmt, double a,
                     double b)
{
    dg_buf_addf(&pg->log, "%s{\"step\":\"%s\",\"on\":%s", pg->log.len ? "," : "", step,
                on ? "true" : "false");
    if (fmt) {
        dg_buf_addc(&pg->log, ',');
        dg_buf_addf(&pg->log, fmt, a, b);
    }
    dg_buf_addc(&pg->log, '}');
}

static int luminance(int r, int g, int b)
{
    return (299 * r + 587 * g + 114 * b + 500) / 1000;
}

/* Seal ink is red or violet: much more red than green; red also beats blue.
 * Black ink under a seal stays dark in every channel, so it survives. */
static int seal_score(int r, int g, int b)
{
    /* red: R-G and R-B both high; violet: R-G high, B close to R.  Blue
     * ballpoint ink (B well above R) is never seal. */
    return r - b > -25 ? r - g : 0;
}

/* Strong-seal mask (1 bpp) of a 32 bpp page. */
static PIX *seal_mask(PIX *pix, int threshold)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    PIX *m = pixCreate(w, h, 1);
    l_uint32 *sd = pixGetData(pix), *md = pixGetData(m);
    int swpl = pixGetWpl(pix), mwpl = pixGetWpl(m);
    for (int y = 0; y < h; y++) {
        l_uint32 *sl = sd + y * swpl, *ml = md + y * mwpl;
        for (int x = 0; x < w; x++) {
            l_int32 r, g, b;
            extractRGBValues(sl[x], &r, &g, &b);
            if (seal_score(r, g, b) > threshold)
                SET_DATA_BIT(ml, x);
        }
    }
    return m;
}

PIX *ocr_grey_without_seal(PIX *pix, const ocr_settings *s, double *seal_frac)
{
    *seal_frac = 0;
    if (pixGetDepth(pix) != 32 || !s->seal_on)
        return pixConvertTo8(pix, 0);
    PIX *strong = seal_mask(pix, s->seal_threshold);
    /* Seal edges are paler: accept a weaker colour difference near strong ink. */
    PIX *near = pixDilateBrick(NULL, strong, 7, 7);
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    PIX *grey = pixCreate(w, h, 8);
    pixCopyResolution(grey, pix);
    l_uint32 *sd = pixGetData(pix), *nd = pixGetData(near), *gd = pixGetData(grey);
    int swpl = pixGetWpl(pix), nwpl = pixGetWpl(near), gwpl = pixGetWpl(grey);
    long n = 0;
    for (int y = 0; y < h; y++) {
        l_uint32 *sl = sd + y * swpl, *nl = nd + y * nwpl, *gl = gd + y * gwpl;
        for (int x = 0; x < w; x++) {
            l_int32 r, g, b;
            extractRGBValues(sl[x], &r, &g, &b);
            int v = luminance(r, g, b);
            if (GET_DATA_BIT(nl, x) && seal_score(r, g, b) > s->seal_edge) {
                /* the brightest channel is the paper showing through the ink */
                v = r > g ? (r > b ? r : b) : (g > b ? g : b);
                n++;
            }
            SET_DATA_BYTE(gl, x, v);
        }
    }
    pixDestroy(&strong);
    pixDestroy(&near);
    *seal_frac = (double)n / ((double)w * h);
    return grey;
}

int ocr_find_skew(PIX *pix, double max_deg, double *deg, double *conf)
{
    PIX *b = pixGetDepth(pix) == 1 ? pixClone(pix) : pixConvertTo1(pix, 160);
    l_float32 a = 0, c = 0;
    int rc = b ? pixFindSkewSweepAndSearch(b, &a, &c, 2, 2, (l_float32)max_deg, 0.5f, 0.01f) : 1;
    pixDestroy(&b);
    *deg = rc ? 0 : a;
    *conf = rc ? 0 : c;
    return rc ? DG_ERR : DG_OK;
}

/* Sauvola's threshold surface is smooth (window statistics), so it is
 * computed on the page reduced 2x (a quarter of the work) and expanded;
 * each pixel is still compared at full resolution, so thin strokes stay.
 * In tiles of about 500 px at half size (the tiles overlap by the window):
 * the mean-square accumulator holds 8 bytes a pixel. */
static PIX *sauvola_half_res(PIX *grey, const ocr_settings *s)
{
    int half = s->sauvola_window / 4 < 2 ? 2 : s->sauvola_window / 4;
    PIX *small = pixScaleAreaMap2(grey), *th = NULL, *bin = NULL;
    int nx = small ? pixGetWidth(small) / 500 + 1 : 1, ny = small ? pixGetHeight(small) / 500 + 1 : 1;
    if (small)
        pixSauvolaBinarizeTiled(small, half, (l_float32)s->sauvola_k, nx, ny, &th, &bin);
    pixDestroy(&small);
    pixDestroy(&bin);
    PIX *big = th ? pixExpandReplicate(th, 2) : NULL;
    pixDestroy(&th);
    PIX *fit = big ? pixResizeToMatch(big, grey, 0, 0) : NULL;
    pixDestroy(&big);
    /* ink where grey < threshold, i.e. threshold - grey (saturating) > 0 */
    PIX *diff = fit ? pixSubtractGray(NULL, fit, grey) : NULL;
    pixDestroy(&fit);
    PIX *out = diff ? pixThresholdToBinary(diff, 1) : NULL;
    pixDestroy(&diff);
    if (out)
        pixInvert(out, out);
    return out;
}

PIX *ocr_binarize(PIX *grey, const ocr_settings *s)
{
    PIX *out = NULL;
    if (!s->binarize_on)
        return pixThresholdToBinary(grey, 160);
    if (s->binarize_sauvola) {
        out = sauvola_half_res(grey, s);
        /* Sauvola wants a page of a few windows at half size; a smaller
         * one (a 150 px slip scanned at 1200 dpi, read at 300) is no
         * memory failure: it is thresholded as with binarisation off */
        int half = s->sauvola_window / 4 < 2 ? 2 : s->sauvola_window / 4;
        int least = 2 * (2 * half + 3);
        if (!out && (pixGetWidth(grey) < least || pixGetHeight(grey) < least))
            out = pixThresholdToBinary(grey, 160);
    } else {
        pixOtsuAdaptiveThreshold(grey, 300, 300, 0, 0, 0.1f, NULL, &out);
    }
    return out;
}

/* Normalise the paper to a flat level so stains and yellowing vanish. */
/* Grey closing of the page reduced 4x with a 9x9 square (36 px, wider
 * than any stroke): the paper's brightness under the text. */
#define LIGHT_REDUCTION 4
#define LIGHT_CLOSING 9
/* Map values under this are no paper (a scanner bed, punch holes). */
#define LIGHT_NOT_PAPER 80

/* Spread of the paper's brightness across the page (2% to 98% of the
 * closing map), and the map for flatten_lighting; -1 when out of memory. */
static int lighting_spread(PIX *grey, PIX **map)
{
    *map = NULL;
    if (pixGetBackgroundGrayMapMorph(grey, NULL, LIGHT_REDUCTION, LIGHT_CLOSING, map) || !*map)
        return -1;
    NUMA *h = pixGetGrayHistogram(*map, 1);
    if (!h)
        return -1;
    for (int v = 0; v < LIGHT_NOT_PAPER; v++)
        numaSetValue(h, v, 0);
    l_float32 lo = 0, hi = 0, total = 0;
    numaGetSum(h, &total);
    if (total > 0) {
        numaHistogramGetValFromRank(h, 0.02f, &lo);
        numaHistogramGetValFromRank(h, 0.98f, &hi);
    }
    numaDestroy(&h);
    return (int)(hi - lo + 0.5f);
}

/* A shadow along a bound ledger's spine or light falling off across the
 * bed leaves paper as dark as ink in places: the tile normalisation below
 * takes everything under the page's paper level less 40 for ink, so it
 * never sees that paper, and the shadowed text read as noise.  Such pages
 * are first divided by the grey closing of the page, which follows the
 * shadow under the text.  Stains are left to the tile normalisation:
 * flattening every page cost faded ones text.  Returns 1 when flattened. */
static int flatten_lighting(ocr_page *pg, const ocr_settings *s)
{
    PIX *map = NULL;
    int spread = s->uneven_spread > 0 ? lighting_spread(pg->grey, &map) : -1;
    int on = spread > s->uneven_spread;
    PIX *inv = on ? pixGetInvBackgroundMap(map, 245, 0, 0) : NULL;
    PIX *flat = inv ? pixApplyInvBackgroundGrayMap(pg->grey, inv, LIGHT_REDUCTION,
                                                   LIGHT_REDUCTION)
                    : NULL;
    if (flat) {
        pixDestroy(&pg->grey);
        pg->grey = flat;
    }
    pixDestroy(&map);
    pixDestroy(&inv);
    log_step(pg, "lighting", flat != NULL, "\"spread\":%.0f", (double)spread, 0);
    return flat != NULL;
}

/* Grey levels by which a page's margins may outshine its middle before
 * they are taken for something other than its paper (well above the few
 * levels plain pages show). */
#define PAPER_MARGIN_GAP 10

/* The paper's brightness: the 90% rank of the page's grey.  A sheet laid
 * askew under a scanner lid whiter than the aged paper, or turned onto a
 * larger white canvas, has margins brighter than any of its paper; the
 * rank was then theirs, the paper fell under the ink threshold, and the
 * page read as noise.  When the page's middle half is darker than that by
 * more than PAPER_MARGIN_GAP, the middle's rank is the paper's. */
static l_uint32 paper_level(PIX *grey)
{
    l_uint32 whole = 0, middle = 0;
    pixGetRankValue(grey, 4, 0.9f, &whole);
    int w = pixGetWidth(grey), h = pixGetHeight(grey);
    BOX *b = boxCreate(w / 4, h / 4, w / 2, h / 2);
    PIX *mid = b ? pixClipRectangle(grey, b, NULL) : NULL;
    boxDestroy(&b);
    if (!mid || pixGetRankValue(mid, 2, 0.9f, &middle))
        middle = whole;
    pixDestroy(&mid);
    return whole > middle + PAPER_MARGIN_GAP ? middle : whole;
}

static void step_background(ocr_page *pg, const ocr_settings *s, int bilevel)
{
    l_uint32 before = paper_level(pg->grey);
    /* A 1-bit scan has no paper tone to flatten: normalising and stretching
     * its 0/255 pixels only smears bold strokes together (名册 -> 和名册). */
    if (!s->background_on || bilevel) {
        log_step(pg, "background", 0, "\"paper\":%.0f", (double)before, 0);
        return;
    }
    l_uint32 paper = before;
    if (flatten_lighting(pg, s))
        paper = paper_level(pg->grey);
    /* Tiles about a character wide, and only pixels well below the paper
     * count as ink: with small tiles or a low ink threshold, faded ink is
     * taken for background and normalised away. */
    int tile = pg->dpi / 6 < 16 ? 16 : pg->dpi / 6;
    int ink = (int)paper - 40 < 60 ? 60 : (int)paper - 40;
    PIX *n = pixBackgroundNorm(pg->grey, NULL, NULL, tile, tile, ink, tile * tile / 4,
                               s->background_level, 2, 1);
    if (n) {
        /* Stretch so the paper is white and faded ink dark again: what
         * clean-up paints white then matches the paper exactly. */
        int top = s->background_level - 12;
        pixGammaTRC(n, n, 1.0f, 40 < top ? 40 : 0, top);
        pixDestroy(&pg->grey);
        pg->grey = n;
    }
    l_uint32 after = 0;
    pixGetRankValue(pg->grey, 4, 0.9f, &after);
    log_step(pg, "background", n != NULL, "\"paper_before\":%.0f,\"paper_after\":%.0f", (double)before,
             (double)after);
}

/* Tesseract's OSD (legacy osd model) on a page at dpi.  The engine is
 * made once per worker and kept for its next poor page (ocr_engine_free
 * ends it) instead of loaded for each: a worker holding it stays well
 * under 250 MB (162 MB on the hard mix: docs/ocr.md, "Budget and
 * timing"). */
static int detect_quads(ocr_engine *e, PIX *page, int dpi, double *conf)
{
    *conf = 0;
    if (e->osd_failed || ocr_check_time(e, NULL))
        return -1; /* past the time limit the page fails after the search */
    if (!e->osd) {
        int failed = 1;
        e->osd = ocr_tess_create("osd", &failed);
        if (failed) {
            if (e->osd)
                TessBaseAPIDelete(e->osd);
            e->osd = NULL;
            e->osd_failed = 1;
            return -1;
        }
        TessBaseAPISetPageSegMode(e->osd, PSM_OSD_ONLY);
    }
    TessBaseAPISetImage2(e->osd, page);
    TessBaseAPISetSourceResolution(e->osd, dpi);
    int deg = 0;
    float oc = 0, sc = 0;
    const char *script = NULL;
    int ok = TessBaseAPIDetectOrientationScript(e->osd, &deg, &oc, &script, &sc);
    TessBaseAPIClear(e->osd);
    if (!ok)
        return -1;
    *conf = oc;
    /* deg is how far the page is turned counter... Tesseract reports the
     * page's rotation; (4 - deg/90) clockwise quarter turns undo it. */
    return (4 - (deg / 90) % 4) % 4;
}

/* OSD is given the grey page and binarises it itself: thresholded at a
 * fixed grey and reduced 2x, a 200 dpi ledger turned on its side gave it
 * too few characters and stayed on its side.  Pages over OSD_MAX_SIDE (finer
 * than an A4 at 300 dpi) are reduced 2x first. */
#define OSD_MAX_SIDE 3600

int ocr_detect_quads(ocr_engine *e, PIX *grey, int dpi, double *conf)
{
    int big = pixGetWidth(grey) > OSD_MAX_SIDE || pixGetHeight(grey) > OSD_MAX_SIDE;
    PIX *g = big ? pixScaleAreaMap2(grey) : pixClone(grey);
    int q = g ? detect_quads(e, g, big ? dpi / 2 : dpi, conf) : -1;
    pixDestroy(&g);
    return q;
}

/* *slot's image replaced by with (which may be NULL: a copy that could not
 * be made is dropped, not left out of step with the page). */
static void replace(PIX **slot, PIX *with)
{
    pixDestroy(slot);
    *slot = with;
}

/* Quarter turns decided by the caller (ocr_engine_read runs OSD only when
 * a first reading is poor: most pages are upright, and OSD costs about
 * 0.25 s a page). */
static void step_orientation(ocr_page *pg, const ocr_settings *s, int quads, double conf)
{
    if (!s->orientation_on) {
        log_step(pg, "orientation", 0, NULL, 0, 0);
        return;
    }
    if (quads > 0) {
        PIX *t = pixRotateOrth(pg->grey, quads);
        if (t) {
            pixDestroy(&pg->grey);
            pg->grey = t;
            pg->geom.quads = quads;
            pg->orientation = quads * 90;
            replace(&pg->scan_grey, pg->scan_grey ? pixRotateOrth(pg->scan_grey, quads) : NULL);
        }
    }
    log_step(pg, "orientation", 1, "\"degrees\":%.0f,\"conf\":%.2f", pg->orientation, conf);
}

static void step_deskew(ocr_page *pg, const ocr_settings *s)
{
    if (!s->deskew_on) {
        log_step(pg, "deskew", 0, NULL, 0, 0);
        return;
    }
    double deg = 0, conf = 0;
    ocr_find_skew(pg->grey, s->deskew_max_deg, &deg, &conf);
    int apply = fabs(deg) >= s->deskew_min_deg && conf >= 1.5;
    if (apply) {
        PIX *r = pixRotate(pg->grey, (l_float32)(deg * M_PI / 180.0), L_ROTATE_AREA_MAP,
                           L_BRING_IN_WHITE, 0, 0);
        if (r) {
            pixDestroy(&pg->grey);
            pg->grey = r;
            pg->geom.angle_deg = deg;
            pg->skew_deg = deg;
        }
    }
    log_step(pg, "deskew", 1, "\"angle_deg\":%.3f,\"conf\":%.2f", deg, conf);
}

/* Clear components of bin that are scanner border bands (touch the edge,
 * dense, thick) or punch holes (solid round blobs of a hole's size). */
long ocr_remove_blobs(PIX *bin, const ocr_settings *s, int dpi, long *holes)
{
    PIXA *pixa = NULL;
    BOXA *boxa = pixConnComp(bin, &pixa, 8);
    int w = pixGetWidth(bin), h = pixGetHeight(bin), n = boxaGetCount(boxa);
    int hole_min = dpi * 15 / 100, hole_max = dpi * 60 / 100, band = (w < h ? w : h) / 50;
    long border = 0;
    *holes = 0;
    for (int i = 0; i < n; i++) {
        l_int32 bx, by, bw, bh, cnt = 0;
        boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
        /* Deskewing brings in white corners, so a band may stop a few
         * pixels short of the edge; a torn or shadowed edge is a long thin
         * strip rather than a thick block. */
        int m = dpi / 25 > 1 ? dpi / 25 : 1;
        int side = bx <= m || bx + bw >= w - 1 - m, end = by <= m || by + bh >= h - 1 - m;
        int edge = side || end;
        int along = (side && bh >= h / 4 && bw <= band * 2) || (end && bw >= w / 4 && bh <= band * 2);
        int thick = (bw < bh ? bw : bh) >= band || along;
        int holeish = bw >= hole_min && bh >= hole_min && bw <= hole_max && bh <= hole_max &&
                      bw * 4 <= bh * 5 && bh * 4 <= bw * 5;
        if (!(edge && thick && s->border_on) && !(holeish && s->holes_on))
            continue;
        PIX *c = pixaGetPix(pixa, i, L_CLONE);
        pixCountPixels(c, &cnt, NULL);
        double fill = (double)cnt / ((double)bw * bh);
        /* a torn edge's strip is ragged: little of its box is ink */
        int kill = (edge && thick && s->border_on && (fill > 0.4 || (along && fill > 0.1))) ||
                   (holeish && s->holes_on && fill > 0.65);
        if (kill) {
            pixRasterop(bin, bx, by, bw, bh, PIX_DST & PIX_NOT(PIX_SRC), c, 0, 0);
            if (edge && thick)
                border++;
            else
                (*holes)++;
        }
        pixDestroy(&c);
    }
    boxaDestroy(&boxa);
    pixaDestroy(&pixa);
    return border;
}

/* Remove small components with nothing near them: dirt, not dot-matrix
 * dots (those sit close together and merge once dilated). */
static long remove_speckle(PIX *bin, int max)
{
    int gap = 2 * max + 1;
    PIX *d = pixDilateBrick(NULL, bin, gap, gap);
    PIX *small = pixSelectBySize(d, max + gap, max + gap, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE,
                                 NULL);
    l_int32 before = 0, after = 0;
    pixCountPixels(bin, &before, NULL);
    if (small)
        pixSubtract(bin, bin, small);
    pixCountPixels(bin, &after, NULL);
    pixDestroy(&d);
    pixDestroy(&small);
    return before - after;
}

static void step_noise(ocr_page *pg, const ocr_settings *s)
{
    long holes = 0, border = 0, specks = 0;
    if (s->border_on || s->holes_on)
        border = ocr_remove_blobs(pg->bin, s, pg->dpi, &holes);
    log_step(pg, "border", s->border_on, "\"bands\":%.0f", (double)border, 0);
    log_step(pg, "punch_holes", s->holes_on, "\"holes\":%.0f", (double)holes, 0);
    if (s->speckle_on)
        specks = remove_speckle(pg->bin, s->speckle_max);
    log_step(pg, "speckle", s->speckle_on, "\"pixels\":%.0f", (double)specks, 0);
}

static void step_rules(ocr_page *pg, const ocr_settings *s)
{
    int nh = 0, nv = 0;
    PIX *folds = NULL;
    if (s->rules_on)
        pg->rules = ocr_rules_mask(pg->bin, pg->grey, s, pg->dpi, &nh, &nv, &folds);
    /* Rules and folds are erased; only rules make the grid. */
    PIX *gone = pg->rules && folds ? pixOr(NULL, pg->rules, folds)
                : pg->rules        ? pixClone(pg->rules)
                                   : NULL;
    /* Exactly the lines leave the binary page: widened by a pixel, they
     * took the edge off strokes touching them; the grey, where rules are
     * anti-aliased, is painted a pixel wider (sync_grey). */
    if (gone)
        pixSubtract(pg->bin, pg->bin, gone);
    pixDestroy(&gone);
    l_int32 nf = 0;
    if (folds)
        pixCountConnComp(folds, 8, &nf);
    pixDestroy(&folds);
    log_step(pg, "rules", s->rules_on, "\"horizontal\":%.0f,\"vertical\":%.0f", nh, nv);
    log_step(pg, "folds", s->rules_on, "\"lines\":%.0f", nf, 0);
}

/* Paint white in the grey image what clean-up took out of the binary one,
 * so Tesseract, which thresholds grey itself, does not see it either.  The
 * paint reaches a pixel further (grey rules are anti-aliased) but not over
 * ink the binary image keeps: strokes touching a rule or crossed by a fold
 * lost their edge to it (研究方向 read 研充方喇, 政治面貌 政治面狗;
 * 登记表, crossed by a fold, 登记去). */
static void sync_grey(ocr_page *pg, PIX *bin_before)
{
    PIX *gone = pixSubtract(NULL, bin_before, pg->bin);
    if (!gone)
        return;
    PIX *wide = pixDilateBrick(NULL, gone, 3, 3);
    if (wide)
        pixSubtract(wide, wide, pg->bin);
    pixPaintThroughMask(pg->grey, wide, 0, 0, 255);
    pixDestroy(&wide);
    pixDestroy(&gone);
}

/* Paper sizes of the forms in these archives (mm, short x long side): A4,
 * A5, A3, ISO and JIS B5, the Chinese 16K and 8K (two sizes each), US letter. */
static const int paper_mm[][2] = {{210, 297}, {148, 210}, {297, 420}, {176, 250}, {182, 257},
                                  {184, 260}, {195, 270}, {260, 368}, {270, 390}, {216, 279}};
static const int scan_dpi[] = {OCR_LEAST_SCANNER_DPI, 200, 240, 300, 400, 600};

/* A page at its recorded dpi is a sheet within this share of each side:
 * scanners crop a few mm, and 4% lets 8K at 150 dpi pass for A4 at 200. */
#define SHEET_FIT 0.025
/* Another dpi replaces the recorded one only when the page is a sheet at it
 * this closely: a mislabelled scan is the sheet to the pixel (an A4 at 200
 * dpi marked 300: within 0.1%), while a card rotated onto a larger canvas
 * is a sheet at some other dpi by chance (a 240 dpi A4 card turned 3
 * degrees is ISO B5 at 300 within 2.3%, and read so reads worse). */
#define SHEET_EXACT 0.01

/* Index of the first sheet in paper_mm that a w x h pixel page at dpi is
 * (each side within `fit`); -1 for none. */
static int paper_of(int w, int h, int dpi, double fit)
{
    double s = (w < h ? w : h) * 25.4 / dpi, l = (w < h ? h : w) * 25.4 / dpi;
    for (size_t i = 0; i < sizeof paper_mm / sizeof paper_mm[0]; i++)
        if (fabs(s / paper_mm[i][0] - 1) < fit && fabs(l / paper_mm[i][1] - 1) < fit)
            return (int)i;
    return -1;
}

/* The resolution recorded in a file can be wrong (a 200 dpi A4 page whose
 * TIFF says 300 makes every dpi-derived length 1.5x too large).  When the
 * recorded value gives no standard sheet but a usual scanner resolution
 * gives one to the pixel (SHEET_EXACT; any sheet when the recorded value
 * is under every scanner's), that one is taken.  ISO sheets share one aspect ratio (A4 at 200
 * dpi is B5 at 240 in pixels), so the sheet decides, in paper_mm's order
 * (A4 first: most record forms are A4), not the nearness to the recorded
 * value. */
int ocr_page_dpi(int w, int h, int recorded)
{
    if (recorded <= 0 || paper_of(w, h, recorded, SHEET_FIT) >= 0)
        return recorded;
    /* under any scanner's resolution (72, 96: a program's default) the
     * recorded value is no measurement, and any sheet will do */
    double fit = recorded < OCR_LEAST_SCANNER_DPI ? SHEET_FIT : SHEET_EXACT;
    int found = recorded, best = 1 << 30;
    for (size_t i = 0; i < sizeof scan_dpi / sizeof scan_dpi[0]; i++) {
        int p = paper_of(w, h, scan_dpi[i], fit);
        if (p >= 0 && p < best) {
            found = scan_dpi[i];
            best = p;
        }
    }
    return found;
}

/* A 1-bit scan at 200 dpi breaks thin strokes into dots and dashes
 * (1965.10 -> 1P65.1O); a 3x3 mean joins them into grey strokes the LSTM
 * reads, on the image read only (the binary page keeps its edges).  At 280
 * dpi and more strokes are wider in pixels and a second pass reads better;
 * at 200 dpi a second pass or a 5x5 mean blurs them away. */
int ocr_soften_passes(const ocr_page *pg, const ocr_settings *s)
{
    return !pg->bilevel || !s->soften_bilevel_on ? 0 : pg->dpi >= 280 ? 2 : 1;
}

static void soften_bilevel(ocr_page *pg, const ocr_settings *s)
{
    for (int pass = 0; pass < ocr_soften_passes(pg, s); pass++) {
        PIX *soft = pixBlockconv(pg->grey, 1, 1);
        if (!soft)
            return; /* out of memory: read the page as softened so far */
        pixDestroy(&pg->grey);
        pg->grey = soft;
    }
}

/* Grey under which the middle of a page is dark: white print on black. */
#define NEGATIVE_MIDDLE 96

/* Negatives (a microfilm scanned as it is, white print on black) are
 * inverted: read as they were, OCR found nothing.  The middle half of the
 * page decides, as a black scanner bed lies around the sheet. */
static void step_negative(ocr_page *pg, const ocr_settings *s)
{
    int w = pixGetWidth(pg->grey), h = pixGetHeight(pg->grey);
    BOX *box = s->negative_on ? boxCreate(w / 4, h / 4, w / 2, h / 2) : NULL;
    PIX *mid = box ? pixClipRectangle(pg->grey, box, NULL) : NULL;
    l_uint32 median = 255;
    if (mid)
        pixGetRankValue(mid, 2, 0.5f, &median);
    boxDestroy(&box);
    pixDestroy(&mid);
    int on = median < NEGATIVE_MIDDLE;
    if (on)
        pixInvert(pg->grey, pg->grey);
    log_step(pg, "negative", on, "\"middle\":%.0f", (double)median, 0);
}

/* pg's grey replaced by `scaled`, f times its size and now at dpi;
 * DG_ENOMEM when scaling failed (NULL). */
static int take_scaled(ocr_page *pg, PIX *scaled, double f, int dpi)
{
    if (!scaled)
        return DG_ENOMEM;
    pixDestroy(&pg->grey);
    pg->grey = scaled;
    pg->geom.scale *= f;
    pg->dpi = dpi;
    return DG_OK;
}

/* Scans under s->upscale_below dpi are read at s->upscale_to: the
 * clean-up's lengths and Tesseract both want characters of a usual size.
 * 1-bit scans are scaled up from a higher resolution: interpolated, their
 * jagged, broken strokes come out smoother and joined, where a grey scan
 * at 200-240 dpi has nothing to gain (docs/ocr.md).  Scaling is the first
 * step the page geometry knows, so boxes still map back to the scan as
 * filed. */
static int step_upscale(ocr_page *pg, const ocr_settings *s)
{
    int w = pixGetWidth(pg->grey), h = pixGetHeight(pg->grey);
    int below = pg->bilevel ? s->upscale_bilevel_below : s->upscale_below;
    double f = pg->dpi > 0 ? (double)s->upscale_to / pg->dpi : 1.0;
    int on = below > 0 && pg->dpi < below && f > 1.0 &&
             (double)w * f * h * f <= (double)OCR_MAX_PIXELS;
    log_step(pg, "upscale", on, "\"from\":%.0f,\"to\":%.0f", (double)pg->dpi,
             on ? (double)s->upscale_to : (double)pg->dpi);
    return on ? take_scaled(pg, pixScale(pg->grey, (l_float32)f, (l_float32)f), f,
                            s->upscale_to)
              : DG_OK;
}

int ocr_source_dpi(const ocr_settings *s, const ocr_source *src)
{
    int given = src->dpi > 0 ? src->dpi : s->dpi_default;
    int dpi = s->dpi_check_on ? ocr_page_dpi(src->width, src->height, given) : given;
    /* a program's default (72, 96) that no sheet explains: a photograph of
     * the page, or a scan whose resolution was lost; read at 72 dpi, its
     * characters would be taken for specks */
    return s->dpi_check_on && dpi < OCR_LEAST_SCANNER_DPI ? s->dpi_default : dpi;
}

/* Scans finer than s->downscale_above dpi (600 dpi preservation masters)
 * are read at s->downscale_to: Tesseract and the clean-up's lengths want
 * characters of a usual size, and a colour A4 page at 600 dpi takes 140 MB
 * decoded.  A JPEG is decoded smaller by libjpeg itself (a power of two no
 * finer than needed); the rest of the way is area-mapped here. */
int ocr_decode_reduction(const ocr_settings *s, const ocr_source *src)
{
    int dpi = ocr_source_dpi(s, src), r = 1;
    if (s->downscale_above <= 0 || dpi <= s->downscale_above)
        return 1;
    while (r < 8 && dpi / (r * 2) >= s->downscale_to)
        r *= 2;
    return r;
}

static int step_downscale(ocr_page *pg, const ocr_settings *s, int src_dpi)
{
    int on = s->downscale_above > 0 && src_dpi > s->downscale_above;
    double f = pg->dpi > 0 ? (double)s->downscale_to / pg->dpi : 1.0;
    log_step(pg, "downscale", on, "\"from\":%.0f,\"to\":%.0f", (double)src_dpi,
             (double)(on ? s->downscale_to : src_dpi));
    /* a JPEG decoded smaller may already be there */
    return on && f < 0.98 ? take_scaled(pg, pixScaleAreaMap(pg->grey, (l_float32)f, (l_float32)f),
                                        f, s->downscale_to)
                          : DG_OK;
}

int ocr_page_clean(ocr_engine *e, PIX **ppix, const ocr_source *src, int quads,
                   double quads_conf, ocr_page *pg, dg_err *err)
{
    const ocr_settings *s = e->settings;
    PIX *pix = *ppix;
    memset(pg, 0, sizeof *pg);
    dg_buf_init(&pg->log, 1 << 16);
    ocr_geom_init(&pg->geom, src->width, src->height);
    /* *ppix may be the page decoded smaller than filed */
    pg->geom.scale = (double)pixGetWidth(pix) / src->width;
    int dpi = ocr_source_dpi(s, src);
    pg->dpi = (int)(dpi * pg->geom.scale + 0.5);
    log_step(pg, "dpi", s->dpi_check_on, "\"recorded\":%.0f,\"used\":%.0f",
             (double)src->dpi, (double)dpi);
    double seal = 0;
    int colour = pixGetDepth(pix) == 32;
    ocr_step_switch(e, OCR_STEP_SEAL);
    pg->bilevel = pixGetDepth(pix) == 1;
    pg->grey = ocr_grey_without_seal(pix, s, &seal);
    /* The decoded page (35 MB for colour A4 at 300 dpi) is not needed
     * past this point and would sit under the clean-up's peak. */
    pixDestroy(ppix);
    if (!pg->grey)
        return dg_err_set(err, DG_ENOMEM, "out of memory converting the page to grey");
    log_step(pg, "seal", s->seal_on && colour, "\"colour\":%.0f,\"seal_share\":%.4f", colour,
             seal);
    ocr_step_switch(e, OCR_STEP_SCALE);
    step_negative(pg, s);
    if (step_downscale(pg, s, dpi))
        return dg_err_set(err, DG_ENOMEM, "out of memory scaling the page down");
    if (step_upscale(pg, s))
        return dg_err_set(err, DG_ENOMEM, "out of memory scaling the page up");
    /* kept before the background step (not deskewed: rotating a page
     * costs 40 ms, the few crops read from it are turned one by one) */
    pg->scan_grey = s->faded_on && !pg->bilevel ? pixCopy(NULL, pg->grey) : NULL;
    ocr_step_switch(e, OCR_STEP_BACKGROUND);
    step_background(pg, s, pg->bilevel);
    ocr_step_switch(e, OCR_STEP_DESKEW);
    step_orientation(pg, s, quads, quads_conf);
    step_deskew(pg, s);
    ocr_step_switch(e, OCR_STEP_BINARIZE);
    pg->bin = ocr_binarize(pg->grey, s);
    if (!pg->bin)
        return dg_err_set(err, DG_ENOMEM, "out of memory binarising the page");
    log_step(pg, "binarize", s->binarize_on, "\"sauvola\":%.0f,\"window\":%.0f",
             s->binarize_sauvola, s->sauvola_window);
    PIX *before = pixCopy(NULL, pg->bin);
    step_noise(pg, s);
    ocr_step_switch(e, OCR_STEP_RULES);
    step_rules(pg, s);
    if (before)
        sync_grey(pg, before);
    pixDestroy(&before);
    soften_bilevel(pg, s);
    if (pg->bilevel)
        log_step(pg, "soften_bilevel", s->soften_bilevel_on, NULL, 0, 0);
    return DG_OK;
}

void ocr_page_release(ocr_page *pg)
{
    pixDestroy(&pg->grey);
    pixDestroy(&pg->bin);
    pixDestroy(&pg->rules);
    pixDestroy(&pg->scan_grey);
    dg_buf_release(&pg->log);
}
