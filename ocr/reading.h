/*
 * reading.h - shared by the files that read a cleaned page; not a public
 * header.  Where the page has a table grid, each cell is cut out (inset
 * from its rules, trimmed to its ink) and read alone as one line (PSM 7)
 * or a small block (PSM 6) (cells.c, area.c, line.c); the rest of the page
 * (titles, headers, footers, or a page with no grid at all) is split into
 * phrases (ink without specks, closed along the line) and each read as a
 * line (phrases.c).  Tesseract's own page layout is used only under them,
 * as a floor where they read a page thin (floor.c): on forms it
 * drops label columns.  All boxes leave through geom.c in the original
 * scan's pixels; word boxes are cut from their line box by character
 * count, because chi_sim's own word boxes often miss their characters.
 */
#ifndef DANGAN_OCR_READING_H
#define DANGAN_OCR_READING_H

#include "ocr_internal.h"

typedef struct line_key {
    int side;        /* page of a spread, left to right (order_lines sets it) */
    int top, x, sub; /* band top (cell top for cell lines), x, order inside */
    /* and what reading the line measured for its text filters: */
    int narrow_parens; /* its opening parentheses are set half width */
    /* place of its block in the plain reading's order when the floor took
     * lines of that reading (floor.c), compared first; 0 otherwise */
    int flow;
    int plain; /* a line of the plain reading: kept as Tesseract gave it */
} line_key;

typedef struct line_vec {
    ocr_line *v;
    line_key *k;
    size_t n, alloc;
} line_vec;

/* Where a region read by Tesseract sits on the working page. */
typedef struct region {
    int ox, oy; /* working-page position of the crop's (0,0) */
    int cell;   /* cell index or -1 */
    line_key key;
    double scale;    /* image pixels per crop pixel */
    const int *xmap; /* image column (unscaled, unpadded) -> crop column */
    int xmap_n;
} region;

/* Text bands of one area looked at (ocr_count_bands). */
#define MAX_BANDS 32

/* A reading below this is tried another way (binary crop, block mode,
 * smaller eng scale); above it further variants rarely win and cost time
 * (docs/ocr.md, notes moved from code). */
#define RETRY_CONF 60.0

/* A crop about to be read, before scaling. */
typedef struct crop_in {
    PIX *grey, *bin;
    int texth, dpi, block;
    int fed_binary;          /* grey is the binary crop already */
    int thinned;             /* strokes lightened by softening a 1-bit scan twice */
    const ocr_page *scan_of; /* page whose scan_grey holds the crop, or NULL */
    ocr_box at;              /* the crop's box on the working page */
    int one_reading;         /* prepared already: read one way (and by eng) */
    const struct line_vec *plain; /* the page's plain reading made first, or NULL */
} crop_in;

/* A faded line read under this is read from the scan's grey as well: a
 * higher bar than RETRY_CONF, as faded lines often read wrong with some
 * confidence. */
#define FADED_RETRY_CONF 75.0

/* The images an area is read from: `feed` (the cleaned grey, or the binary
 * page when so configured) is what Tesseract reads, `bin` the ink mask its
 * binary variant reads, `loc` that ink without specks, which places the
 * crop: stain grain and noise around a value otherwise stretch the ink box
 * over the whole cell, and the value is read as a block among specks.
 * Each dot of dot-matrix print is a speck on its own: where `loc` has
 * nothing and `dots` is set, dotted ink is looked for (ocr_read_dotted_area).
 * `one_reading`: the feed is prepared already (a faded cell's), and its
 * lines are read one way, not every way ocr_read_line_best knows.
 * `plain`: the page's plain reading when made before (a page with no
 * grid), whose agreement spares a line its variants. */
typedef struct page_src {
    PIX *feed, *bin, *loc;
    int ox, oy; /* where (0, 0) of these images lies on the page */
    int dots;
    int one_reading;
    const struct line_vec *plain;
} page_src;

/* ---- line vectors and reading one crop (line.c) ---------------------------- */

void ocr_line_release(ocr_line *l);
int ocr_empty_text(const char *text);
/* The words of l that drop() picks freed and taken out (the text stays). */
void ocr_remove_words(ocr_line *l, int (*drop)(const char *text));
void ocr_vec_free(line_vec *v);
/* Mean confidence of v's lines with text (only those the page keeps, by
 * ocr_line_floor, when kept_only); -1 when there are none. */
double ocr_mean_conf(const line_vec *v, int kept_only);
/* Mean line confidence of a reading; -1 when it read nothing. */
double ocr_vec_conf(const line_vec *v);
/* Line l (its text and words now owned by lv) appended with key k.  DG_OK
 * or DG_ENOMEM (l still the caller's). */
int ocr_vec_append(line_vec *lv, const ocr_line *l, const line_key *k);
/* src's lines appended to dst; src is left empty.  DG_OK or DG_ENOMEM. */
int ocr_vec_move(line_vec *dst, line_vec *src);
/* A point of the padded, scaled, gap-collapsed image back on the page. */
int ocr_map_x(const region *rg, int x);
/* One line of text read every way that may read it better; the most
 * confident reading goes into lv. */
int ocr_read_line_best(ocr_engine *e, const crop_in *ci, const region *rg, line_vec *lv,
                       dg_err *err);
/* Several lines: one block read (PSM 6), at the crop's own scale. */
int ocr_read_block(ocr_engine *e, const crop_in *ci, region rg, line_vec *lv, dg_err *err);
/* The whole image (a page) read with Tesseract's own layout (PSM 3), its
 * lines in Tesseract's reading order, each line's block_no the number of
 * its block in that order counted from block0. */
int ocr_read_layout(ocr_engine *e, PIX *img, int dpi, int block0, line_vec *lv, dg_err *err);

/* ---- symbols of a reading (symbols.c) --------------------------------------- */

/* Lines first..lv->n of the reading api just made: a split-off 和 dropped,
 * and the width of opening parentheses measured (line_key.narrow_parens). */
void ocr_measure_symbols(TessBaseAPI *api, const region *rg, line_vec *lv, size_t first);

/* ---- measures of ink (ink.c) ------------------------------------------------ */

/* Cut box b out of a page image; NULL when out of memory. */
PIX *ocr_clip(PIX *pix, ocr_box b);
int ocr_count_bands(PIX *bin, int mingap, int minh, int *y0, int *y1, long *ink, int *tallest);
/* Ink bounding box of b in the binary page; 0 when (nearly) empty. */
int ocr_ink_box(PIX *bin, ocr_box b, int min_pixels, ocr_box *ink);
void ocr_trim_strays(PIX *bin, ocr_box *ink, int gap);
int ocr_dense_line(PIX *loc, ocr_box ink, int minh, int maxh, ocr_box *line);
/* The fewest ink pixels an area needs to be looked at as text. */
int ocr_min_ink(int dpi);
/* Ink pixels of pix in box b. */
long ocr_ink_in(PIX *pix, ocr_box b);
/* b grown by m on each side, within lim. */
ocr_box ocr_grow_within(ocr_box b, int m, ocr_box lim);
PIX *ocr_without_specks(PIX *ink, int dpi);

/* ---- faded print (faded.c) -------------------------------------------------- */

/* 1 when the crop comes from the page's grey and its darkest ink is light. */
int ocr_faded(const crop_in *ci);
PIX *ocr_faded_crop(const crop_in *ci);
void ocr_reach_faded_ends(PIX *loc, PIX *raw, ocr_box area, double share, ocr_box *ink);
int ocr_reads_scan_grey(const ocr_page *pg, const page_src *src);
int ocr_may_be_faded(const ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                     double conf);
int ocr_read_faded_cell(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                        region rg, int block, line_vec *lv, dg_err *err);

/* ---- dot-matrix print (dots.c) ---------------------------------------------- */

/* 1 when the crop (grey and its ink) holds dot-matrix print. */
int ocr_dotted_print(PIX *grey, PIX *bin, const ocr_page *pg);
void ocr_smooth_dots(crop_in *ci);
int ocr_read_dotted_area(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                         region rg, int block, int split, line_vec *lv, dg_err *err);

/* ---- areas, cells, phrases (area.c, cells.c, phrases.c) ------------------- */

/* Read the ink inside box `area` (a cell's inside or a text band); split
 * says whether several bands may be read one by one. */
int ocr_read_area_split(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area,
                        region rg, int block, int split, line_vec *lv, dg_err *err);
int ocr_read_area(ocr_engine *e, const ocr_page *pg, const page_src *src, ocr_box area, region rg,
                  int block, line_vec *lv, dg_err *err);
/* The n cells' lines, in cell order, appended to lv. */
int ocr_read_cells(ocr_engine *e, const ocr_page *pg, const page_src *src, const ocr_cell *cells,
                   size_t n, line_vec *lv, dg_err *err);
/* Everything outside the table area, phrase by phrase; plain (or NULL):
 * the page's plain reading, made first, whose confident lines spare the
 * phrases under them their variants. */
int ocr_read_rest(ocr_engine *e, const ocr_page *pg, const page_src *src, const ocr_cell *cells,
                  size_t n, int block0, const line_vec *plain, line_vec *lv, dg_err *err);

/* ---- the lines a page keeps (filter.c) -------------------------------------- */

float ocr_line_floor(const ocr_line *l);
void ocr_finish_lines(line_vec *lv, const ocr_settings *s, const ocr_geom *g, ocr_result *r);

/* ---- the floor under the structured reading (floor.c) ----------------------- */

/* Whether the plain reading is needed: *uncovered receives the share of the
 * page's binary ink (without specks) outside every line lv keeps; grid: the
 * page has table cells. */
int ocr_floor_needed(const ocr_page *pg, const line_vec *lv, int grid, double *uncovered);
/* The page read plainly (Tesseract's layout, PSM 3); in each of its blocks
 * where lv's lines hold too few of the plain reading's characters, lv's
 * lines there are replaced by the plain lines, and every line of lv is
 * keyed by its block's place in the plain reading's order.  *nthin and
 * *nblocks receive the blocks replaced and looked at. */
int ocr_read_floor(ocr_engine *e, const ocr_page *pg, line_vec *lv, int *nthin, int *nblocks,
                   dg_err *err);
/* ocr_read_floor in two: the plain reading into *pv (the caller frees it),
 * then lv merged with it (pv's lines taken are moved out of it). */
int ocr_floor_plain(ocr_engine *e, const ocr_page *pg, line_vec *pv, dg_err *err);
int ocr_floor_merge(line_vec *lv, line_vec *pv, int *nthin, int *nblocks, dg_err *err);
/* 1 when the plain lines pv holds over box b are confident and hold the
 * characters `got` (a first reading of b) read (PLAIN_SURE_CONF and
 * PLAIN_AGREE in floor.c). */
int ocr_plain_agrees(const line_vec *pv, ocr_box b, const line_vec *got);

/* The page as the plain reading sees it: the scan's grey, deskewed like the
 * page (the cleaned grey for 1-bit scans).  NULL when out of memory. */
PIX *ocr_plain_image(const ocr_page *pg);

/* ---- lines read again by the second reader (lines2.c) ---------------------- */

/* The lines of lv the settings choose (<reader2 lines>) read again by the
 * engine's second reader, its reading taken where confident; nothing
 * changes when the reader cannot be loaded.  *nread, *ntaken, *npieces:
 * lines read, readings taken, model runs. */
int ocr_read_lines2(ocr_engine *e, const ocr_page *pg, line_vec *lv, int *nread, int *ntaken,
                    int *npieces, dg_err *err);

/* 1 when most characters of r stand in lines taller than wide: text on its
 * side, read where it stands by Tesseract's layout (sideways.c). */
int ocr_result_sideways(const ocr_result *r);

/* The same of api's last recognition, by its text lines' boxes as read:
 * the orientation probe's plain reading of a page on its side (a ledger
 * turned 90 degrees, its columns read as vertical text) must not win. */
int ocr_api_sideways(TessBaseAPI *api);

/* Characters (whitespace aside) of api's last recognition (sideways.c). */
size_t ocr_api_chars(TessBaseAPI *api);

/* 1 when r is mostly lines of one character each (sideways.c): a page
 * without rules read the wrong way round, searched for its orientation. */
int ocr_result_fragmentary(const ocr_result *r);

/* Characters of r's lines (spaces included). */
size_t ocr_result_chars(const ocr_result *r);

/* ---- a scan's page (page.c) ------------------------------------------------- */

/* Decode, clean and read page page_index of the scan; the entry point of
 * ocr_engine_read. */
int ocr_read_scan_page(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                       ocr_result **out, dg_err *err);

#endif
