/* ocr_internal.h - shared between the ocr/ sources and the ocr unit tests;
 * not a public header (it exposes Leptonica and Tesseract types). */
#ifndef DANGAN_OCR_INTERNAL_H
#define DANGAN_OCR_INTERNAL_H

#include <leptonica/allheaders.h>
#include <pthread.h>

#include <tesseract/capi.h>

#include "common.h"
#include "geom.h"
#include "ocr.h"

/* Effective settings; every step can be switched off (configs/ocr.xml). */
struct ocr_settings {
    int seal_on;
    int seal_threshold;     /* R-G (and R-B for red) difference that marks seal ink */
    int seal_edge;          /* weaker difference accepted next to strong seal ink */
    int background_on;
    int background_level;   /* paper grey after normalisation */
    int uneven_spread;      /* paper varying more than this is flattened first (0: never) */
    int orientation_on;
    double orientation_min_conf;
    int deskew_on;
    double deskew_max_deg;  /* search range; DA/T 31 allows 3 degrees */
    double deskew_min_deg;  /* do not rotate for less than this */
    int binarize_on;
    int binarize_sauvola;   /* 1 Sauvola, 0 Otsu adaptive */
    int sauvola_window;
    double sauvola_k;
    int border_on;
    int speckle_on;
    int speckle_max;        /* isolated components up to this many pixels a side */
    int holes_on;           /* punch holes: solid round blobs */
    int rules_on;
    double rule_min_h;      /* horizontal rule: min length, share of page width */
    double rule_min_v;      /* vertical rule: min length, share of page height */
    int cells_on;           /* recognise cell by cell */
    int cell_inset;         /* pixels kept away from a cell's rules */
    int min_cell;           /* smallest cell side in pixels */
    int feed_binary;        /* give Tesseract the binary image (else cleaned grey) */
    int dpi_default;        /* when the file records none */
    int upscale_below;      /* pages under this dpi are read scaled up (0: never) */
    int upscale_to;         /* ... to this dpi */
    int upscale_bilevel_below; /* the same for 1-bit scans */
    int downscale_above;    /* pages over this dpi are read scaled down (0: never) */
    int downscale_to;       /* ... to this dpi */
    int dpi_check_on;       /* trust the sheet size over a recorded dpi that fits none */
    int soften_bilevel_on;  /* read 1-bit scans from a 3x3 mean */
    int filter_on;          /* drop lines of marks only, speck marks, marks around numbers */
    int negative_on;        /* a page whose middle is dark (microfilm negative) is inverted */
    int widen_on;           /* ASCII punctuation next to Han back to full width */
    double weak_band;       /* cut a cell's bands under this share of the strongest; 0 off */
    int dots_on;            /* read dot-matrix print with its dots joined */
    int lighter_on;         /* read a cell again without a lighter print over it */
    int faded_on;           /* read a faded line again from the scan's own grey */
    int faded_cells_on;     /* ... and a cell that shows no or only faint ink there */
    int floor_on;           /* regions the structured reading reads thin read plainly */
    int lines2_mode;        /* page lines the second reader reads again (OCR_LINES2_*) */
    double lines2_below;    /* OCR_LINES2_UNSURE: lines under this Tesseract confidence */
    double lines2_min_prob; /* its reading is taken from this mean character probability */
    int lines2_cells;       /* grid cells' lines too (else left to the trust stage) */
    ocr_limits limits;      /* what a page may claim (checked again before it is read) */
    int budget_on;          /* optional retries bounded by budget_retries */
    double budget_retries;  /* a region's retries read at most this many times the
                             * pixels of its first reading */
    double budget_page;     /* a page's optional work (retries, the floor's plain
                             * reading, the orientation search, the second reader's
                             * lines) spends at most this many plain readings of the
                             * page (0: no page bound) */
    double time_limit;      /* seconds a page may take (0: no limit) */
    char *json;
};

/* One page's account (meter.c): its timing, shared by the threads of a
 * crew that read its cells (under mu), and its deadline. */
typedef struct ocr_meter {
    pthread_mutex_t mu;
    ocr_timing t;
    double start;    /* CLOCK_MONOTONIC seconds */
    double deadline; /* start + the time limit; 0: none */
    double limit;    /* the limit, for the message */
    int turning;     /* reading the page turned: all of it is orientation */
    int over;        /* the deadline passed (set once, read by every thread) */
    /* The page's budget for optional work, and what it spent, in work
     * units (ocr_work: pixels a line crop read by Tesseract is; a plain
     * reading of the page is weighed by what it costs against that).
     * Integers: a crew's threads add up the cells' in any order, and the
     * sum must come out the same. */
    long long pool; /* 0: no page bound */
    long long spent;
    long long first_work;    /* the first readings' work */
    long long spent_reader2; /* the second reader's lines: counted, not bounded (meter.c) */
} ocr_meter;

/* An engine's place in a page's account: the step it works in (a stack:
 * a retry inside a cell's reading), since when, and what the region it is
 * reading (a cell, a phrase) has read so far, for the retry budget. */
#define OCR_CLOCK_DEPTH 8
typedef struct ocr_clock {
    ocr_meter *m; /* NULL: not reading a page */
    int stack[OCR_CLOCK_DEPTH];
    int depth;
    int retrying; /* inside this many optional retries */
    int cell;     /* a grid cell, read by any thread of a crew: bounded per region only */
    double wall, cpu;
    double first_px, retry_px; /* the current region's pixels read */
} ocr_clock;

/* Which page lines the second reader reads again (lines2.c). */
enum { OCR_LINES2_NONE, OCR_LINES2_UNSURE, OCR_LINES2_CJK, OCR_LINES2_ALL };

struct ocr_engine {
    TessBaseAPI *api;
    TessBaseAPI *osd; /* lazily created for orientation detection */
    TessBaseAPI *latin; /* lazily created `eng`, re-reads cells that look Latin */
    int latin_failed;
    int osd_failed;
    struct ocr_rec2 *rec2; /* lazily loaded second reader (lines2.c) */
    int rec2_failed;
    const ocr_settings *settings;
    ocr_crew *crew; /* NULL: reads alone */
    ETEXT_DESC *monitor; /* cancels a recognition past the page's deadline */
    ocr_clock clock;
    char lang[64];
};

/* ---- timing, retry budget and time limit (meter.c) ------------------------ */

/* A page's account started now, with the settings' time limit. */
int ocr_meter_init(ocr_meter *m, const ocr_settings *s);
void ocr_meter_destroy(ocr_meter *m);
/* Seconds since the page's start. */
double ocr_meter_elapsed(const ocr_meter *m);
/* e starts counting its time in meter m, in `step`; its clock before is
 * kept in *saved, for ocr_clock_detach (a crew's helper joins the page
 * whose cell it reads, and returns to none). */
void ocr_clock_attach(ocr_engine *e, ocr_meter *m, int step, ocr_clock *saved);
void ocr_clock_detach(ocr_engine *e, const ocr_clock *saved);
/* The time since the last change credited to the current step, which
 * becomes `step` (switch) or returns to the one before (push / pop). */
void ocr_step_switch(ocr_engine *e, int step);
void ocr_step_push(ocr_engine *e, int step);
void ocr_step_pop(ocr_engine *e);
/* A new region (a cell, a phrase) is read: its retry budget starts. */
void ocr_region_begin(ocr_engine *e);
/* Whether an optional retry (step VARIANTS, FADED or LIGHTER) may be made:
 * faded and lighter re-reads always (each is made once, on evidence of
 * such print), a variant while the region's retries so far read fewer
 * pixels than the budget allows; a skip is counted.  On yes, push the step
 * with ocr_retry_begin and end it with ocr_retry_end. */
int ocr_may_retry(ocr_engine *e, int step);
void ocr_retry_begin(ocr_engine *e, int step);
/* The page's optional-work budget starts: `plain_px` is the page as its
 * plain reading sees it (the budget is settings' budget_page such
 * readings). */
void ocr_budget_start(ocr_engine *e, double plain_px);
/* A line read by the second reader (`px` of model input weighed `weight`
 * times a line crop's pixel): counted for the page's times step, never
 * bounded by the budget. */
void ocr_charge(ocr_engine *e, double px, double weight);
void ocr_retry_end(ocr_engine *e);
/* A retry's reading replaced the best so far: counted in the `won` of
 * `step`, or (step < 0) of the retry e is in, if any: where retries pay. */
void ocr_retry_won(ocr_engine *e, int step);
/* A Tesseract monitor whose cancel callback watches the meter it is given
 * (ocr_recognize sets it); NULL when out of memory. */
ETEXT_DESC *ocr_monitor_new(void);
/* DG_OK, or DG_EINPUT with the time limit's message when the page's
 * deadline has passed. */
int ocr_check_time(ocr_engine *e, dg_err *err);
/* TessBaseAPIRecognize on api (e's or its eng engine) with the page's
 * deadline watched (Tesseract's cancel callback), its pixels counted:
 * DG_OK, DG_ERR when Tesseract fails, or the time limit's error. */
int ocr_recognize(ocr_engine *e, TessBaseAPI *api, PIX *img, dg_err *err);
/* The timing as the `times` step of the clean-up log (one JSON object),
 * appended to b. */
void ocr_timing_json(const ocr_timing *t, const ocr_settings *s, dg_buf *b);

/* The cells of one page as work for a crew: read(ctx, e, i, err) reads
 * cell i with engine e (on any thread of the crew). */
typedef struct ocr_crew_job {
    struct ocr_crew_job *next; /* in the crew's open list */
    size_t n, claimed, done;
    int stop, rc;
    dg_err err;
    int (*read)(void *ctx, ocr_engine *e, size_t i, dg_err *err);
    void *ctx;
} ocr_crew_job;

/* Read every cell of job with e and whoever of the crew helps; returns when
 * all are read, with the first failure (its message in *err). */
int ocr_crew_run(ocr_crew *c, ocr_engine *e, ocr_crew_job *job, dg_err *err);
/* An engine of the crew starts / ends reading a page. */
void ocr_crew_enter(ocr_crew *c);
void ocr_crew_leave(ocr_crew *c);

/* A cleaned page ready for recognition, and how it relates to the scan. */
typedef struct ocr_page {
    PIX *grey;   /* 8 bpp, deskewed, seal and rules painted white */
    PIX *bin;    /* 1 bpp, same geometry, rules and noise removed */
    PIX *rules;  /* 1 bpp mask of the ruling lines (NULL when off or none) */
    /* 8 bpp, grey as the scan shows it: seal-free, scaled and turned by
     * quarters as grey is, but not background-normalised (which lifts ink
     * within 40 grey levels of the paper towards it) and not deskewed (a
     * box of grey is found on it through geom.angle_deg).  NULL for 1-bit
     * scans or when the faded-ink reading is off. */
    PIX *scan_grey;
    ocr_geom geom;
    int dpi;
    double skew_deg;
    int orientation;
    int bilevel; /* the scan itself is 1 bpp */
    dg_buf log; /* JSON array body of the clean-up steps */
} ocr_page;

/* The `eng` engine for cells whose text looks Latin or numeric; NULL when
 * the primary language already includes eng or eng is not installed. */
TessBaseAPI *ocr_latin_engine(ocr_engine *e);
/* A Tesseract instance initialised for lang (quiet, no inverted re-reads);
 * *failed when Init failed (the instance is still returned, to be asked
 * what is missing, and deleted by the caller).  NULL when out of memory. */
TessBaseAPI *ocr_tess_create(const char *lang, int *failed);
/* The same from the tessdata folder datapath (NULL: the system's), LSTM
 * only when lstm_only (the third reader's model, tess3.c). */
TessBaseAPI *ocr_tess_create_at(const char *datapath, const char *lang, int lstm_only,
                                int *failed);

/* Decode page n (0-based) of an in-memory scan (decode.c); NULL on failure
 * with err set. */
PIX *ocr_decode_page(const unsigned char *data, size_t len, int n, dg_err *err);
/* The same, decoded `reduction` (1, 2, 4 or 8) times smaller: a JPEG by
 * libjpeg's own scaling, which never holds the full-size page; a grey or
 * colour TIFF or PNG halved by area mapping once decoded; a 1-bit page not
 * at all.  The caller compares the PIX's size with the scan's. */
PIX *ocr_decode_page_reduced(const unsigned char *data, size_t len, int n, int reduction,
                             dg_err *err);

/* Every directory of a TIFF in one pass, headers only (decode.c): size,
 * depth and recorded dpi of each page into a malloc'd *out (dpi_by_size
 * left 0); DG_EINPUT when the file declares more than max_pages pages, a
 * directory cannot be read, or a page's strips lie past the end of the
 * file.  A page of no or absurd size is returned for the caller to refuse. */
int ocr_tiff_walk(const unsigned char *data, size_t len, int max_pages, ocr_page_info **out,
                  int *npages, dg_err *err);

/* A JPEG's data decoded at an eighth of its size a row at a time, quietly
 * (decode.c): DG_EINPUT, with the reason, when libjpeg fails or warns
 * (damaged data it would pad with grey). */
int ocr_jpeg_check(const unsigned char *data, size_t len, dg_err *err);

/* A scan page as filed: its size in pixels and its recorded dpi (0: none). */
typedef struct ocr_source {
    int width, height, dpi;
} ocr_source;
/* Size and recorded dpi of page n from the headers alone; DG_EINPUT when
 * they cannot be read. */
int ocr_page_source(const unsigned char *data, size_t len, int n, ocr_source *src);

/* Box b grown by mx, my on each side and clipped to a w x h page (w or h of
 * the result <= 0 when nothing of it is on the page). */
ocr_box ocr_box_grown(ocr_box b, int mx, int my, int w, int h);

/* Leptonica reports errors on stderr by default; library code must stay quiet. */
void ocr_quiet_leptonica(void);

/* 1 for CJK ideographs, punctuation and full-width forms. */
int ocr_is_cjk(unsigned cp);

/* Drop spaces between CJK characters, fold other whitespace runs to one
 * space, trim both ends.  Caller frees; NULL when out of memory. */
char *ocr_tidy_text(const char *in);
/* in with ASCII punctuation (: ; ( ) , ? !) widened where a CJK character
 * or an already widened mark is its nearest neighbour, and an 〈 that a ）
 * closes made （ (caller frees).  With narrow_parens (the print sets its
 * parentheses half width, as some cards print 系(所)) parentheses are
 * ASCII instead, full-width ones too. */
char *ocr_widen_punctuation(const char *in, int narrow_parens);

/* Marks a speck, smudge or rule stub is read as: dots, commas, ticks,
 * quotes and short strokes.  Colons and brackets are not among them: chi_sim
 * often reads a label's "（ ）：" as words of their own.  Returns the byte
 * length of the mark at p, 0 when there is none. */
size_t ocr_mark_at(const char *p);
/* Bytes of the run of marks at the start of text. */
size_t ocr_leading_marks(const char *text);
/* Drops the marks a word starts with when a Han character follows them,
 * in place; 1 when it did. */
int ocr_trim_marks_before_han(char *word);
/* The words' texts joined by single spaces (caller frees; NULL when out of
 * memory). */
char *ocr_join_words(const ocr_word *words, size_t n);
/* The same for the words of one line, each seen beside its neighbours in
 * the line; every words[i].text is replaced.  DG_OK or DG_ENOMEM. */
int ocr_widen_words(ocr_word *words, size_t n, int narrow_parens);
/* A colon closes the label before it (填表单位：): none starts a line of
 * Chinese print, nor follows another.  Such colons (spaces between count
 * as following) are removed from t in place; 1 when any was.  *after_colon
 * says whether what comes before t ends with a colon (1 at a line's start:
 * the words of a line are passed one after another) and, on return,
 * whether t does. */
int ocr_strip_stray_colons(char *t, int *after_colon);
/* ASCII marks no value or label of these forms uses ([ ] { } < > @ # $ * & ~ ^ _ \ | `)
 * removed from s in place; returns how many were. */
size_t ocr_drop_foreign_marks(char *s);

/* 1 when s holds only digits, dots, colons, commas and spaces, a digit
 * among them: a bare number or date as OCR may read it (52:05). */
int ocr_bare_number(const char *s);
/* A colon or comma between two digits becomes a dot, in place: in these
 * records a number or date is printed with dots (52.05), never with a time
 * or thousands.  Returns 1 when s changed. */
int ocr_number_dots(char *s);

/* Number of UTF-8 code points in s. */
size_t ocr_utf8_len(const char *s);

/* ---- clean-up steps (cleanup.c); each returns a new PIX or NULL ---------- */

/* Grey from colour, whitening seal ink found by R-G / R-B differences.
 * *seal_frac receives the share of page pixels taken as seal. */
PIX *ocr_grey_without_seal(PIX *pix, const ocr_settings *s, double *seal_frac);
/* The dpi to use for a w x h page whose file records `recorded`: that
 * value unless it makes no standard sheet but a usual scanner resolution
 * does (then the one nearest the recorded value). */
int ocr_page_dpi(int w, int h, int recorded);
/* Skew of an 8 bpp or 1 bpp page in degrees (counter-clockwise content
 * rotation, which is also the clockwise rotation that corrects it). */
int ocr_find_skew(PIX *pix, double max_deg, double *deg, double *conf);
/* Binarise a background-normalised grey page. */
PIX *ocr_binarize(PIX *grey, const ocr_settings *s);
/* Clear from the 1 bpp page bin the scanner border bands (dense or long
 * ragged strips at the edges) and punch holes, as s switches them on;
 * returns the number of bands, the holes in *holes. */
long ocr_remove_blobs(PIX *bin, const ocr_settings *s, int dpi, long *holes);
/* Run the whole chain on a decoded page of the scan page src (*ppix may
 * be src decoded smaller), turning it by `quads` clockwise quarter turns
 * (found by OSD with quads_conf, logged); fills pg, whose geometry maps
 * back to src's pixels (release with ocr_page_release).  Takes *ppix and
 * frees it as soon as it has been turned into grey. */
int ocr_page_clean(ocr_engine *e, PIX **ppix, const ocr_source *src, int quads,
                   double quads_conf, ocr_page *pg, dg_err *err);
/* The dpi a page of src is taken to have: recorded, else the default, and
 * replaced by the sheet's when the recorded one fits no paper size. */
int ocr_source_dpi(const ocr_settings *s, const ocr_source *src);
/* How many times smaller (1, 2, 4 or 8) to decode a page of src so that
 * it is no finer than the clean-up will read it (downscale settings). */
int ocr_decode_reduction(const ocr_settings *s, const ocr_source *src);
/* Clockwise quarter turns that make a grey page upright (Tesseract OSD),
 * -1 when OSD is unavailable or fails; *conf its confidence. */
int ocr_detect_quads(ocr_engine *e, PIX *grey, int dpi, double *conf);
void ocr_page_release(ocr_page *pg);
/* Passes of the 3x3 mean a 1-bit scan is read through (0: not 1-bit, or
 * softening off; 2 at 280 dpi and more). */
int ocr_soften_passes(const ocr_page *pg, const ocr_settings *s);

/* ---- ruling lines and table grid (grid.c) ------------------------------- */

/* bin (1 bpp) opened or closed by a w x h brick: the image pixOpenBrick or
 * pixCloseBrick gives, faster for long bricks (morph.c).  New PIX owned by
 * the caller; NULL when out of memory. */
PIX *ocr_open_brick(PIX *bin, int w, int h);
PIX *ocr_close_brick(PIX *bin, int w, int h);

/* Mask of horizontal and vertical rules of a 1 bpp page scanned at dpi.
 * When folds is not NULL, lines that are folds or creases rather than rules
 * are left out of the mask and returned in *folds (caller frees; NULL when
 * not looked for).  grey (8 bpp, same size; may be NULL) lets pieces of a
 * fold inside the table be told from rules by their darkness. */
PIX *ocr_rules_mask(PIX *bin, PIX *grey, const ocr_settings *s, int dpi, int *nh, int *nv,
                    PIX **folds);
/* Cells enclosed by the rules, in reading order (row, col), boxes in the
 * mask's coordinates.  *cells is malloc'd (caller frees), may be NULL with 0. */
int ocr_grid_cells(PIX *rules, const ocr_settings *s, ocr_cell **cells, size_t *ncells);
/* The pages of a spread: x of the gutter between each two tables that lie
 * side by side, left to right, into x (at most max); returns the count (0
 * for a page of one table or stacked tables, or out of memory).  Reading
 * order takes one side of a gutter before the other. */
int ocr_grid_gutters(PIX *rules, const ocr_cell *cells, size_t ncells, int *x, int max);

#endif
