/*
 * exchange.h - the archive in the forms other systems and people take:
 * METS with PREMIS events and Dublin Core per archived study record, a CSV
 * of the archive for registrars, and a searchable PDF access copy of each
 * scan file (docs/exchange.md).  Reads the database through schema/db.h and
 * archive.h; writes files, never prints.  Exports that show personal data
 * append one row to the access log (who NULL: the OS user).
 */
#ifndef DANGAN_EXCHANGE_H
#define DANGAN_EXCHANGE_H

#include <stdint.h>
#include <stdio.h>

#include "archive.h"
#include "common.h"

/* ---- PREMIS events of a study record ------------------------------------- */

typedef struct ex_event {
    char *id;      /* unique within the record: "ingest-2", "ocr-5", "decision-7" */
    char *type;    /* PREMIS eventType: ingestion, message digest calculation ... */
    int loc_type;  /* 1: type is a term of id.loc.gov's eventType vocabulary */
    char *when;    /* ISO 8601 UTC */
    char *detail;  /* what was done to what */
    char *outcome; /* success, or the decision's result */
    char *note;    /* outcome detail ("" none): the SHA-256, the value decided */
    char *agent;   /* "dangan 0.1.0" or the operator as recorded */
    int person;    /* agent is a person (an operator), else software */
    int64_t file;  /* the scan file the event is about, 0: the record itself */
} ex_event;

typedef struct ex_events {
    ex_event *v; /* oldest first */
    size_t n;
} ex_events;

/*
 * The events behind study record `study`, from the workspace tables: each
 * source file's ingest and its SHA-256 at ingest, the OCR of each source
 * page, each record's extraction, normalization and load, and every review
 * decision on its fields, records or the study (with the operator).  The
 * one place the events are read: a tamper-evident chain can replace the
 * tables here without touching the writers.  Release with ex_events_release.
 */
int ex_events_read(sqlite3 *db, int64_t study, ex_events *out, dg_err *err);
void ex_events_release(ex_events *e);

/* ---- METS ---------------------------------------------------------------- */

/*
 * One study record as a METS 1.12 document (dmdSec with Dublin Core and
 * dangan's own fields, amdSec with PREMIS 3 objects, events and agents,
 * fileSec of the source scans with SHA-256, structMap of the pages) into
 * *xml (caller frees), checked against schema/mets-dangan.rng before it is
 * returned (DG_ERR naming the rule broken: a bug, never the user's input).
 * DG_ENOTFOUND for an unknown study.
 */
int ex_mets_build(sqlite3 *db, int64_t study, char **xml, size_t *len, dg_err *err);

/* The RELAX NG profile the documents are checked against (compiled in). */
extern const char ex_mets_rng[];
extern const size_t ex_mets_rng_len;

/*
 * Write study-<ID>.mets.xml into dir (created 0700 if missing; files 0600)
 * for study record `study` (0: every archived record), counting files in
 * *count (may be NULL), and log the export in the access log (also when it
 * stopped part way: what was written was disclosed).  prog may be NULL.
 */
int ex_export_mets(sqlite3 *db, const char *dir, int64_t study, const char *who,
                   const arc_progress *prog, long *count, dg_err *err);

/* ---- CSV ----------------------------------------------------------------- */

enum { EX_CSV_EXCEL = 1 }; /* UTF-8 BOM, formula-looking cells quoted with ' */

/*
 * The archive as CSV (RFC 4180: CRLF, fields with , " CR LF quoted, quotes
 * doubled): a header of the canonical keys and one row per study record
 * with its current values, 2022 code and name, catalog edition and its
 * sources.  A consistent snapshot; the export is logged with its count.
 */
int ex_export_csv(sqlite3 *db, FILE *out, int flags, const char *who, long *count,
                  dg_err *err);

/* ---- searchable PDF -------------------------------------------------------- */

/*
 * A searchable PDF of scan file `file` at pdf_path (0600): each page the
 * scan image at its recorded size, with the page's OCR words (ocr_word, the
 * text the archive holds) drawn at their boxes under the image, so viewers
 * show the scan and find, select and copy the words.  Pages not OCRed have
 * the image only (*pages_without_text counts them, may be NULL).  The scan
 * must hash as ingested.  DG_ENOTFOUND for an unknown file.
 */
int ex_pdf_write(sqlite3 *db, int64_t file, const char *pdf_path, int *pages_without_text,
                 dg_err *err);

/* Log an export of `count` PDFs (which NULL: --all) in the access log: the
 * scans show the people on them as much as the archive does. */
int ex_pdf_log(sqlite3 *db, const char *who, const char *which, long count, dg_err *err);

/* The files to write into *ids (caller frees): which NULL, every ingested
 * file; else the file with that id, SHA-256, or path it was ingested under
 * (as given or absolute).  DG_ENOTFOUND naming which when none matches. */
int ex_pdf_files(sqlite3 *db, const char *which, int64_t **ids, size_t *n, dg_err *err);

/* ---- files --------------------------------------------------------------- */

/* Make dir (and parents) 0700 if missing; DG_ERR naming it otherwise. */
int ex_mkdir(const char *dir, dg_err *err);
/* Open path for writing, created or truncated, mode 0600 (also when it
 * existed with a wider mode). */
FILE *ex_fopen_private(const char *path, dg_err *err);

#endif
