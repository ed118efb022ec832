/*
 * ocr.h - image in, cells / lines / words out.
 *
 * The only door to Leptonica and Tesseract in dangan: no third-party type
 * crosses this header.  Geometry in results is always in the ORIGINAL
 * page's pixel coordinates (before any rotation, deskew or cropping done
 * for recognition), so a box can be cut from the scan as filed.
 *
 * Threading: an ocr_engine belongs to one thread for its life.  Settings
 * are immutable once loaded and may be shared between engines.  Engines
 * of one crew (below) help each other read the cells of their pages.
 */
#ifndef DANGAN_OCR_H
#define DANGAN_OCR_H

#include <stddef.h>

#include "common.h"

/* Refuse images over these before decoding (decompression bombs). */
#define OCR_MAX_SIDE 40000
#define OCR_MAX_PIXELS 500000000LL

/* ---- Probing scans (used by ingest) ------------------------------------ */

/* The lowest resolution scanners use: a recorded one under it (72, 96) is
 * what a camera or a program writes when it knows none. */
#define OCR_LEAST_SCANNER_DPI 150

typedef struct ocr_page_info {
    int width, height;
    int dpi;         /* as recorded in the file; 0 when it records none */
    int dpi_by_size; /* a usual scan resolution at which the page is a standard
                      * sheet (A4, 16K...) when the recorded one makes it none;
                      * else = dpi */
    int depth;       /* bits per pixel as stored */
} ocr_page_info;

/*
 * Name the image format of a byte buffer from its magic bytes: "tiff",
 * "png", "jpeg", or NULL when it is none of the supported ones.
 */
const char *ocr_sniff_format(const unsigned char *data, size_t len);

/*
 * What a scan may claim before anything of it is decoded (configs/ocr.xml
 * <limits>, docs/reliability.md "Limits"): a few hundred bytes can declare
 * gigapixels, thousands of pages, or a page too small to hold a form.
 */
typedef struct ocr_limits {
    int max_pages;        /* pages per file */
    long long max_pixels; /* width x height of one page */
    int min_side;         /* pixels; a page narrower or lower is too small to read */
} ocr_limits;

#define OCR_DEFAULT_MAX_PAGES 1000
#define OCR_DEFAULT_MAX_PIXELS 80000000LL /* an A3 sheet at 600 dpi is 70 MP */
#define OCR_DEFAULT_MIN_SIDE 100

void ocr_limits_default(ocr_limits *lim);

/*
 * Page n's size against lim: DG_OK, or DG_EINPUT with err naming the page,
 * its size and the limit it breaks.
 */
int ocr_limits_check_page(const ocr_limits *lim, int n, int width, int height, dg_err *err);

/*
 * Check a whole scan held in memory from its headers alone, nothing
 * decoded: sniff; refuse a file whose end is missing (PNG IEND, JPEG EOI),
 * a PNG chunk failing its CRC, a TIFF strip or tile past the end of the
 * file; walk a TIFF's directories once; refuse a file over lim's pages
 * and any page over its pixels or under its side (lim NULL: the
 * defaults).  Damage inside the compressed data is found by the OCR stage,
 * which fails the page with the reason.  On success *pages is a malloc'd
 * array of *npages entries (caller frees).  On failure err says what is
 * wrong with the file (the message does not repeat the path; the caller
 * adds it).
 */
int ocr_probe_scan_limited(const unsigned char *data, size_t len, const ocr_limits *lim,
                           ocr_page_info **pages, int *npages, dg_err *err);
/* The same with the default limits. */
int ocr_probe_scan(const unsigned char *data, size_t len, ocr_page_info **pages, int *npages,
                   dg_err *err);

/* ---- Settings ------------------------------------------------------------ */

typedef struct ocr_settings ocr_settings;

/*
 * Load clean-up and recognition settings from an XML file (NULL: built-in
 * defaults).  Caller frees with ocr_settings_free.
 */
int ocr_settings_load(const char *path, ocr_settings **out, dg_err *err);
void ocr_settings_free(ocr_settings **s);
/* The settings as a JSON object, for the run log.  Owned by s. */
const char *ocr_settings_json(const ocr_settings *s);
/* The limits of s (its <limits>, else the defaults). */
void ocr_settings_limits(const ocr_settings *s, ocr_limits *out);

/* ---- Recognition ----------------------------------------------------------- */

typedef struct ocr_box {
    int x, y, w, h;
} ocr_box;

typedef struct ocr_cell {
    int row, col; /* 0-based, reading order */
    ocr_box box;
} ocr_cell;

typedef struct ocr_word {
    char *text;
    float conf; /* 0-100 */
    ocr_box box;
} ocr_word;

typedef struct ocr_line {
    char *text; /* whitespace between Han characters removed */
    float conf; /* 0-100 */
    ocr_box box;
    int block_no;
    int cell; /* index into ocr_result.cells, or -1 outside the grid */
    ocr_word *words;
    size_t nwords;
    /* Tesseract's own reading of the line where the second reader's was
     * taken (<reader2 lines>, ocr/lines2.c), filtered and placed as the
     * line itself (no words when the filters left nothing of it); NULL
     * when text and words are Tesseract's.  Owned by the line.  Fields are
     * extracted from it: the trust stage weighs Tesseract's reading against
     * the second reader's of the field's box, which must stay independent. */
    struct ocr_line *tess;
} ocr_line;

/* The steps a page's time is counted in (ocr_result.timing), in the order
 * they run; every moment of a page's reading is in exactly one of them.
 * Clean-up: seal (grey and seal ink), scale (dpi, negative, scaling),
 * background, deskew, binarize (with border, holes, specks), rules; then
 * grid (cells from the rules), the first reading of cells and phrases,
 * dot-matrix areas, latin (the eng reading of a line without Han), and the
 * optional retries: variants (a line read other ways), faded (faded lines
 * and cells re-read from the scan's grey), lighter (a cell re-read without
 * a lighter print over it); floor (the plain full-page reading where the
 * structured one is thin), reader2 (lines read again by the second reader,
 * <reader2 lines> in configs/ocr.xml), orientation (OSD, the turn probe and every reading of the page
 * turned), finish (order and filters). */
enum {
    OCR_STEP_DECODE,
    OCR_STEP_SEAL,
    OCR_STEP_SCALE,
    OCR_STEP_BACKGROUND,
    OCR_STEP_DESKEW,
    OCR_STEP_BINARIZE,
    OCR_STEP_RULES,
    OCR_STEP_GRID,
    OCR_STEP_CELLS,
    OCR_STEP_PHRASES,
    OCR_STEP_DOTS,
    OCR_STEP_LATIN,
    OCR_STEP_VARIANTS,
    OCR_STEP_FADED,
    OCR_STEP_LIGHTER,
    OCR_STEP_FLOOR,
    OCR_STEP_READER2,
    OCR_STEP_ORIENTATION,
    OCR_STEP_FINISH,
    OCR_NSTEPS
};

/* The step's name as logged ("decode", "seal" ...); NULL out of range. */
const char *ocr_step_name(int step);

/* Where a page's time went.  cpu and wall are summed over the threads that
 * worked on the page (a crew's helpers read some of its cells), so with
 * helpers the steps' wall time can exceed wall_page. */
typedef struct ocr_timing {
    double cpu[OCR_NSTEPS];   /* thread CPU seconds spent in the step */
    double wall[OCR_NSTEPS];  /* seconds spent in it */
    long reads[OCR_NSTEPS];   /* Tesseract recognitions made in it */
    long skipped[OCR_NSTEPS]; /* optional retries the budget left out */
    long won[OCR_NSTEPS];     /* retries whose reading beat the best one so far */
    double wall_page;         /* seconds from the page's start to its result */
    /* megapixels given to Tesseract: first readings, and retries (the
     * budget's measure: a retry's cost grows with the pixels it reads) */
    double first_mpx, retry_mpx;
    double mpx[OCR_NSTEPS]; /* ... by the step they were read in */
    /* the page's budget for optional work and what it spent (work units:
     * a line crop's pixels; docs/ocr.md, "Budget and timing") */
    double pool, spent, first_work, spent_reader2;
} ocr_timing;

/* Sum of cpu[] (or wall[]) over every step. */
double ocr_timing_cpu(const ocr_timing *t);
double ocr_timing_wall(const ocr_timing *t);
/* t's counts added to *sum (a batch's total). */
void ocr_timing_add(ocr_timing *sum, const ocr_timing *t);

typedef struct ocr_result {
    int width, height; /* of the original page */
    double skew_deg;   /* content rotation found, counter-clockwise */
    int orientation;   /* 0, 90, 180, 270 degrees applied before deskew */
    double mean_conf;
    char *cleanup_json; /* JSON array: the clean-up steps and what they measured,
                         * ending with the `times` step (timing below, as JSON) */
    ocr_timing timing;
    ocr_cell *cells;
    size_t ncells;
    ocr_line *lines; /* in reading order */
    size_t nlines;
} ocr_result;

void ocr_result_free(ocr_result **r);

typedef struct ocr_engine ocr_engine;

/*
 * Create an engine for `lang` (e.g. "chi_sim+eng").  Missing language data
 * fails with a message naming the Debian package to install.  `s` must
 * outlive the engine.  Caller frees with ocr_engine_free.
 */
int ocr_engine_new(const char *lang, const ocr_settings *s, ocr_engine **out, dg_err *err);
void ocr_engine_free(ocr_engine **e);

/*
 * Clean and read page `page_index` (0-based) of the scan held in memory.
 * Caller frees *out with ocr_result_free.  A page still being read after
 * the settings' time limit (<budget time-limit>) is stopped, Tesseract
 * included, and fails with DG_EINPUT: "over the page time limit of N s".
 */
int ocr_engine_read(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                    ocr_result **out, dg_err *err);

/*
 * A crew: engines on different threads that share the reading of a page's
 * cells, so that a thread with no page left to start helps the others
 * finish theirs (with two workers, the last page no longer runs alone).
 * The result of a page does not depend on who read which cell.
 */
typedef struct ocr_crew ocr_crew;

/* Caller frees with ocr_crew_free, after every engine of the crew is done. */
int ocr_crew_new(ocr_crew **out, dg_err *err);
void ocr_crew_free(ocr_crew **c);

/* Engine e reads its pages as a member of crew c (NULL: alone). */
void ocr_engine_set_crew(ocr_engine *e, ocr_crew *c);

/*
 * For an engine with no page of its own left: read cells of pages the
 * crew's other engines are reading, and return when none is being read.
 * A failure is reported to the page's reader, which fails the page.
 */
void ocr_crew_help(ocr_crew *c, ocr_engine *e);

/* Versions of the libraries behind this module, as they report themselves
 * at run time ("5.3.0", "leptonica-1.82.0"), written into buf. */
void ocr_tesseract_version(char *buf, size_t n);
void ocr_leptonica_version(char *buf, size_t n);

/*
 * Cut the box (plus margin pixels on each side, clipped to the page) from
 * page `page_index` of the scan and write it as PNG to out_path.
 */
int ocr_crop_to_png(const unsigned char *data, size_t len, int page_index, ocr_box box,
                    int margin, const char *out_path, dg_err *err);
/*
 * Page `page_index` of the scan shrunk to at most `width` pixels across
 * (factor width / page width, never enlarged; height alike, rounded) as
 * JPEG in *jpeg (malloc'd, the caller frees), for showing on a screen.
 */
int ocr_page_scaled_jpeg(const unsigned char *data, size_t len, int page_index, int width,
                         unsigned char **jpeg, size_t *jpeg_len, dg_err *err);

/* ---- Second reader: PaddleOCR PP-OCRv4 recognition (ocr/rec2*.c*) ------
 *
 * Reads one line of text from a crop with PaddleOCR's PP-OCRv4 recognition
 * model, run by OpenCV dnn (see docs/reader2.md).  Its own library,
 * dangan_rec2; built as a stub that always says "not available" when
 * OpenCV dnn is missing.  The model files come from tools/fetch-models.sh;
 * without them ocr_rec2_new fails with DG_ENOTFOUND and nothing else
 * changes.
 *
 * Threading: an ocr_rec2 belongs to one thread at a time (the network keeps
 * its buffers); make one per thread.  Readers do not share state.
 *
 * Width: the model is rewritten for a fixed input width W (height 48), so
 * it reads lines up to W/48 wide for 1 high at their own aspect.  A wider
 * line is squeezed into W (as PaddleOCR itself does past its widest input)
 * and the result's squeeze says by how much: read long lines with a wider
 * model (tools/rewrite-rec-model.py makes any multiple of 8).
 */
typedef struct ocr_rec2 ocr_rec2;

/* Next-best readings at a character's time step, best first. */
#define OCR_REC2_ALTS 4

typedef struct ocr_rec2_alt {
    char text[8]; /* UTF-8, NUL-terminated; "" = the CTC blank (no character) */
    float prob;
} ocr_rec2_alt;

typedef struct ocr_rec2_char {
    char text[8]; /* the character read, UTF-8, NUL-terminated */
    float prob;   /* its probability at the time step that emitted it */
    int x;        /* centre of that time step in the crop's pixels */
    ocr_rec2_alt alt[OCR_REC2_ALTS];
} ocr_rec2_char;

typedef struct ocr_rec2_result {
    char *text;           /* UTF-8, "" when nothing was read; malloc'd */
    float conf;           /* lowest character probability (0 when empty) */
    int nchars;
    ocr_rec2_char *chars; /* nchars entries, malloc'd */
    float squeeze;        /* 1 = read at its own aspect; > 1 = squeezed by it */
} ocr_rec2_result;

/* A crop as plain pixels: rows top to bottom. */
typedef struct ocr_rec2_image {
    const unsigned char *pixels;
    int width, height;
    int stride;   /* bytes from one row to the next */
    int channels; /* 1 grey; 3 R,G,B; 4 R,G,B,A (alpha ignored) */
} ocr_rec2_image;

/*
 * Load the rewritten model (.onnx) and its dictionary (one character a
 * line).  DG_ENOTFOUND, naming the file, when either is missing or the
 * library was built without OpenCV dnn.  Caller frees with ocr_rec2_free.
 */
int ocr_rec2_new(const char *model_path, const char *dict_path, ocr_rec2 **out, dg_err *err);
void ocr_rec2_free(ocr_rec2 **r);
/* The fixed input width the model was rewritten for. */
int ocr_rec2_width(const ocr_rec2 *r);

/* Read img as one line.  Fills *out (free with ocr_rec2_result_free). */
int ocr_rec2_read(ocr_rec2 *r, const ocr_rec2_image *img, ocr_rec2_result *out, dg_err *err);
void ocr_rec2_result_free(ocr_rec2_result *res);

/*
 * Default model files for input width `width` (320; 160 is faster and
 * reads slightly worse): in $DANGAN_MODELS when set, else the source
 * tree's models/, else <prefix>/share/dangan/models; the first folder
 * holding the model wins.  Returns 1 when found, 0 when not (the paths
 * then name the first folder, so ocr_rec2_new's error says where it
 * looked), -1 when a path does not fit its buffer.
 */
int ocr_rec2_default_paths(int width, char *model, size_t model_n, char *dict, size_t dict_n);
/* 1 when the reader is built in and its default model (width 320) is found. */
int ocr_rec2_available(void);
/*
 * Read boxes of page page_index of a scan (the file's bytes): the page is
 * decoded once, each box cut with a margin and read as one line, by
 * `narrow` when the line fits its width at its own aspect, else by `wide`
 * (either may be NULL, not both).
 * out[i] (n entries, free each with ocr_rec2_result_free) holds box i's
 * reading, empty for a box outside the page.  DG_EINPUT when the page
 * cannot be decoded.
 */
int ocr_rec2_read_boxes(ocr_rec2 *narrow, ocr_rec2 *wide, const unsigned char *data, size_t len,
                        int page_index, const ocr_box *boxes, size_t n, ocr_rec2_result *out,
                        dg_err *err);

/* ---- Third reader: Tesseract's tessdata 4.0.0 chi_sim, LSTM only (ocr/tess3.c)
 *
 * A model other than Debian's fast chi_sim (the page reader) and PP-OCRv4
 * (the second reader): on name crops it reads 49% of whole values right
 * (81% of clean unseen ones), and it misreads other characters than they
 * do, so its agreement is evidence of its own (docs/trust.md).  The model
 * comes from tools/fetch-models.sh (models/tessdata-4.0.0/); without it
 * ocr_tess3_new fails with DG_ENOTFOUND and nothing else changes.  Loading
 * costs about 0.3 s: make one per worker and keep it.
 *
 * Threading: an ocr_tess3 belongs to one thread at a time.
 */
typedef struct ocr_tess3 ocr_tess3;

typedef struct ocr_tess3_result {
    char *text; /* UTF-8, whitespace dropped, "" when nothing was read; malloc'd */
    float conf; /* Tesseract's mean word confidence, 0-1 */
} ocr_tess3_result;

/* The tessdata folder holding the model (chi_sim.traineddata): in
 * $DANGAN_MODELS when set, else the source tree's models/, else
 * <prefix>/share/dangan/models, each + "/tessdata-4.0.0"; 1 when found, 0
 * when not (dir then names the first folder), -1 when it does not fit. */
int ocr_tess3_default_dir(char *dir, size_t n);
int ocr_tess3_available(void);
/* Load chi_sim.traineddata from tessdata folder dir.  Caller frees with
 * ocr_tess3_free. */
int ocr_tess3_new(const char *dir, ocr_tess3 **out, dg_err *err);
void ocr_tess3_free(ocr_tess3 **t);
/* Read boxes of page page_index of a scan as ocr_rec2_read_boxes does (the
 * same margin, grey, one line each).  out[i] (free each with
 * ocr_tess3_result_free); DG_EINPUT when the page cannot be decoded. */
int ocr_tess3_read_boxes(ocr_tess3 *t, const unsigned char *data, size_t len, int page_index,
                         const ocr_box *boxes, size_t n, ocr_tess3_result *out, dg_err *err);
void ocr_tess3_result_free(ocr_tess3_result *r);

#endif
