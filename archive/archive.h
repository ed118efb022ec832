/*
 * archive.h - the stage drivers: each reads units in one state from the
 * database, does its work outside any transaction, and writes results with
 * the unit's new state in one transaction, so every stage is resumable and
 * idempotent.  Also the read side: status, exports.
 *
 * All functions take an open database from db_open() (schema/db.h) unless
 * they say they open their own connections (multi-threaded stages take the
 * path).  Library code never prints: progress goes through arc_progress.
 */
#ifndef DANGAN_ARCHIVE_H
#define DANGAN_ARCHIVE_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "db.h"

/* Progress callback: called from the calling thread only. */
typedef struct arc_progress {
    void (*update)(void *ud, const char *stage, long done, long total, const char *item);
    void *ud;
} arc_progress;

void arc_progress_report(const arc_progress *p, const char *stage, long done, long total,
                         const char *item);

/* ---- ingest ------------------------------------------------------------------ */

typedef struct arc_ingest_summary {
    long files_seen;  /* regular files looked at */
    long files_new;   /* new bytes added */
    long aliases;     /* known bytes under a new path */
    long unchanged;   /* known bytes under a known path */
    long pages_new;
    long low_dpi_pages;
    long quarantined; /* set aside this run (new or already known) */
    long skipped;     /* files in directories that are not scans (e.g. .json) */
} arc_ingest_summary;

/*
 * Ingest files and directories (recursively).  Bad files go to quarantine
 * with a reason and the batch goes on; err is only filled for failures that
 * stop the whole run (database, unreadable argument).  Returns DG_OK even
 * when some files were quarantined: check sum->quarantined.
 */
int arc_ingest(sqlite3 *db, const char *const *paths, int npaths, const arc_progress *prog,
               arc_ingest_summary *sum, dg_err *err);

/* ---- ocr --------------------------------------------------------------------- */

typedef struct arc_ocr_opts {
    int jobs;                  /* worker threads; <= 0 means number of cores */
    const char *lang;          /* default "chi_sim+eng" */
    int redo;                  /* re-read pages already read */
    const char *settings_path; /* NULL: configs/ocr.xml if present, else defaults */
} arc_ocr_opts;

typedef struct arc_ocr_summary {
    long pages_read;
    long pages_failed;
    long lines;
    long words;
    long cells;
} arc_ocr_summary;

/*
 * Read every page in state 'new' (all pages with redo) with `jobs` threads,
 * each owning one OCR engine and one connection to db_path.  A page's
 * lines, words and cells are written with its new state in one transaction.
 */
int arc_ocr(const char *db_path, const arc_ocr_opts *opts, const arc_progress *prog,
            arc_ocr_summary *sum, dg_err *err);

/* ---- status and exports --------------------------------------------------------- */

/* Write the workspace status as text or JSON to out. */
int arc_status(sqlite3 *db, int json, FILE *out, dg_err *err);

/* One JSON object per page: file, sha256, page, width, height, dpi, state, text. */
int arc_export_pages(sqlite3 *db, FILE *out, dg_err *err);

/* One page's OCR as "hocr", "alto" or "txt". DG_ENOTFOUND for an unknown page. */
int arc_export_ocr(sqlite3 *db, int64_t page_id, const char *format, FILE *out, dg_err *err);

/* ---- evaluation against truth files (shared/samples/README.md format) ---------- */

/*
 * Page OCR quality: for each truth page matched to an ingested page (by
 * image file name and page index), CER and character-bag F1 of the page
 * text against the truth's full_text (whitespace ignored), per difficulty.
 * Writes a table, or JSON when json is set.
 */
int arc_eval_pages(sqlite3 *db, const char *truth_dir, int json, FILE *out, dg_err *err);

/*
 * Field extraction quality: per field key and per difficulty, the share of
 * truth fields whose extracted raw text equals the truth's printed value
 * (whitespace ignored), and the share of truth records found.
 */
int arc_eval_fields(sqlite3 *db, const char *truth_dir, int json, FILE *out, dg_err *err);

/* Read a whole file into memory (caller frees *data).  Used to re-read scans. */
int arc_read_file(const char *path, unsigned char **data, size_t *len, dg_err *err);

/* Path of the configs directory: $DANGAN_CONFIG_DIR, the source tree's
 * configs/, or the installed share/dangan/configs. */
const char *arc_config_dir(void);

#endif
