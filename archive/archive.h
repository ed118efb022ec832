/*
 * archive.h - the dangan library: the stage drivers and the read side.
 *
 * Each stage reads units in one state from the database, does its work
 * outside any transaction, and writes results with the unit's new state in
 * one transaction, so every stage is resumable and idempotent.  The read
 * side (status, review, lookup, provenance, eval, catalog) returns structs
 * or builds JSON into a dg_buf; pipeline/ prints the text tables.  Exports
 * are data streams and write to a FILE*.
 *
 * All functions take an open database from db_open() (schema/db.h) unless
 * they say they open their own connections (multi-threaded stages take the
 * path).  Library code never prints: progress goes through arc_progress.
 * Helpers used only inside archive/ live in archive_internal.h.
 */
#ifndef DANGAN_ARCHIVE_H
#define DANGAN_ARCHIVE_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "fieldkeys.h"
#include "db.h"
#include "ocr.h"

/* Progress callback: called from the calling thread only. */
typedef struct arc_progress {
    void (*update)(void *ud, const char *stage, long done, long total, const char *item);
    void *ud;
} arc_progress;


/* Read a whole file into memory (caller frees *data).  Used to re-read scans. */
int arc_read_file(const char *path, unsigned char **data, size_t *len, dg_err *err);

/* Path of the configs directory: $DANGAN_CONFIG_DIR, the source tree's
 * configs/, or the installed share/dangan/configs. */
const char *arc_config_dir(void);

/* ---- stage: ingest ----------------------------------------------------------- */

typedef struct arc_ingest_summary {
    long files_seen;  /* regular files looked at */
    long files_new;   /* new bytes added */
    long aliases;     /* known bytes under a new path */
    long unchanged;   /* known bytes under a known path */
    long pages_new;
    long low_dpi_pages;
    long quarantined; /* set aside this run (new or already known) */
    long skipped;     /* files in directories that are not scans (e.g. .json) */
    long stored;        /* files put in (or found in) the workspace's store */
    long store_missing; /* a read-only store lacked them: read from their paths */
} arc_ingest_summary;

/*
 * Ingest files and directories (recursively).  Bad files go to quarantine
 * with a reason and the batch goes on; err is only filled for failures that
 * stop the whole run (database, unreadable argument).  Returns DG_OK even
 * when some files were quarantined: check sum->quarantined.
 */
int arc_ingest(sqlite3 *db, const char *const *paths, int npaths, const arc_progress *prog,
               arc_ingest_summary *sum, dg_err *err);

/*
 * The files arc_ingest would read under paths, in its order (depth-first,
 * sorted by name, dot-files and non-scans inside directories skipped); the
 * entries it would set aside (dangling links, loops) are left out.  A path
 * named that cannot be read is DG_EINPUT.  *files (*nfiles strings) is the
 * caller's: free each and the array.
 */
int arc_scan_walk(const char *const *paths, int npaths, char ***files, size_t *nfiles,
                  dg_err *err);

/* ---- stage: ocr -------------------------------------------------------------- */

typedef struct arc_ocr_opts {
    int jobs;                  /* worker threads; <= 0 means number of cores */
    const char *lang;          /* default "chi_sim" (Latin-only cells re-read with eng) */
    int redo;                  /* re-read pages already read (not those of loaded records) */
    int retry_failed;          /* read only the pages in state 'failed' */
    const char *settings_path; /* NULL: configs/ocr.xml if present, else defaults */
    /* When set, called as each page is done, one call at a time, from the
     * worker that read it: the page's file and index, where its time went
     * (NULL when it failed) and why it failed (NULL when read).  Pointers
     * are valid during the call only. */
    void (*on_page)(void *ctx, const char *path, int page_index, const ocr_timing *t,
                    const char *failed);
    void *on_page_ctx;
} arc_ocr_opts;

typedef struct arc_ocr_summary {
    long pages_read;
    long pages_failed;
    long lines;
    long words;
    long cells;
    long skipped_claimed; /* another process claimed (or already read) the page first */
    long skipped_loaded;  /* redo: records of the page are in the archive, not re-read */
    ocr_timing timing; /* the read pages' timings added up */
} arc_ocr_summary;

/*
 * Read every page in state 'new' (retry_failed: in state 'failed'; redo:
 * every page but those with a loaded record) with `jobs` threads, each
 * owning one OCR engine and one connection to db_path.  Each page is
 * claimed first (a lease: page.claim_run, claim_until, one UPDATE committed
 * before the work), so two processes never read the same page; a page's
 * lines, words and cells are written with its new state and the lease's
 * end in one transaction.  Pages of loaded records are never re-read in
 * place: field->word links and provenance point at their words.
 */
int arc_ocr(const char *db_path, const arc_ocr_opts *opts, const arc_progress *prog,
            arc_ocr_summary *sum, dg_err *err);

/* ---- stage: extract ---------------------------------------------------------- */

/* extract/extract.h reads the pages; this is the driver over the database. */

typedef struct arc_extract_opts {
    int redo;                  /* re-extract pages in states extracted/unknown_form */
    const char *templates_dir; /* NULL: <configs>/templates */
    const char *schema_path;   /* NULL: the installed/source schema/template.rng */
} arc_extract_opts;

typedef struct arc_extract_summary {
    long pages;          /* pages looked at */
    long extracted;      /* pages matched to a template */
    long unknown;        /* pages that matched no template */
    long skipped_loaded; /* pages left alone: some record already loaded */
    long skipped_claimed; /* pages another process claimed first (lease.c) */
    long records;
    long fields;
    long missing; /* expected fields not found */
} arc_extract_summary;

/*
 * Extract every page in state 'read' (with redo also 'extracted' and
 * 'unknown_form').  Each page is written in one transaction: its old
 * records and fields are replaced, its page_form row and state set.  Pages
 * with a record in state 'loaded' are skipped and counted.
 */
int arc_extract(sqlite3 *db, const arc_extract_opts *opts, const arc_progress *prog,
                arc_extract_summary *sum, dg_err *err);

/* ---- stage: reread (the second reader over field boxes) --------------------- */

typedef struct arc_reread_opts {
    int redo;               /* read again fields of records not yet loaded */
    int missing;            /* fields of records not yet loaded get the readings they lack */
    const char *config_dir; /* NULL: arc_config_dir() */
} arc_reread_opts;

typedef struct arc_reread_summary {
    int available;    /* 0: the second reader is not installed, why says why */
    char why[512];
    int third;        /* 0: the third reader is not installed (why3), or reads no type */
    char why3[512];
    int64_t run_id;
    long pages, fields, read, failed; /* failed: the scan was gone, changed or undecodable */
    long read3;                       /* boxes the third reader read */
    long failed_scans;                /* scans that could not be read: gone or changed */
    char first_failed[DG_ERR_MSG_MAX]; /* why the first of them could not be, naming it */
    /* CPU seconds of the process (OpenCV's own pool threads included):
     * loading the models, and reading (scans read and decoded, boxes read) */
    double cpu_load, cpu_read;
} arc_reread_summary;

/*
 * Read the box of every field of the value types trust.conf names
 * (reread.<type>; names by default) with the second recognizer, and of
 * reread3.<type> (names by default) with the third (ocr_tess3), for
 * records not yet normalized, into field_reading.  Without trust.conf or
 * a model, that reader does nothing (summary.available / third 0, why /
 * why3 filled) and the stage succeeds.
 */
int arc_reread(sqlite3 *db, const arc_reread_opts *o, const arc_progress *prog,
               arc_reread_summary *sum, dg_err *err);

/* ---- stage: normalize -------------------------------------------------------- */

typedef struct arc_normalize_opts {
    int redo;                /* every record not loaded, not only 'extracted' ones */
    const char *config_dir;  /* NULL: arc_config_dir() */
    const char *catalog_dir; /* NULL: <configs>/disciplines */
    const char *review_conf; /* NULL: <configs>/review.conf (missing file: defaults) */
} arc_normalize_opts;

typedef struct arc_normalize_summary {
    long records;        /* records normalized */
    long fields;
    long auto_fields, review_fields, invalid_fields, missing_fields, kept_fields;
    long match_auto, match_review;
    int catalog_imported; /* the catalog tables were empty and got imported */
    int64_t run_id;
} arc_normalize_summary;

/*
 * The normalize stage: every record in state 'extracted' ('extracted',
 * 'normalized' and 'pending' with redo; never 'loaded') gets its field
 * values normalized, their steps, states and flags, the discipline match
 * of its major, and state 'normalized', in one transaction per record.
 * Fields an operator already settled (state 'verified' or 'rejected') are
 * kept as they are.  Field state contract: see docs/normalize-stage.md.
 */
int arc_normalize(sqlite3 *db, const arc_normalize_opts *opts, const arc_progress *prog,
                  arc_normalize_summary *sum, dg_err *err);

/* normalize/normalize.h types, opaque here: dangan_normalize is private to
 * this library, and callers that use these functions include normalize.h. */
struct norm_ctx;
struct norm_result;

/*
 * Record an operator's mapping rule: the historical major name (normalized
 * here the way the stage normalizes majors), optionally limited to years
 * [year_from, year_to] (0 = open) and a department (NULL/"" = any), means
 * target code `code` (must exist in the imported target edition).  who and
 * the current time are stored; source_field (0 = none) is the field that
 * prompted it.  Later normalize runs and `dangan match` apply it.  ctx is
 * the normalizer to use (NULL: one is opened for the call).
 */
int arc_mapping_rule_add(sqlite3 *db, struct norm_ctx *ctx, const char *name, int year_from,
                         int year_to, const char *department, const char *code, const char *who,
                         int64_t source_field, const char *note, int64_t *id, dg_err *err);

/* Deactivate a rule (kept for provenance).  DG_ENOTFOUND for an unknown id. */
int arc_mapping_rule_deactivate(sqlite3 *db, int64_t id, dg_err *err);

/* ---- stage: load ------------------------------------------------------------- */

typedef struct arc_load_summary {
    long loaded;    /* new study records */
    long linked;    /* records added as a second source of an archived study */
    long pending;   /* records still waiting (see load_wait / dangan status) */
    long conflicts; /* conflict review items raised by this run */
    long rekeyed;   /* persons whose name keys were made again (tables changed) */
} arc_load_summary;

/*
 * Move every 'normalized' or 'pending' record whose required fields
 * (conf_path, NULL: configs/load.conf) are verified into the archive, one
 * transaction per record; link second sources of the same person; raise
 * conflict items where sources disagree.  Loading twice changes nothing.
 * When the name tables (configs/normalize/variants.tsv, confusables.tsv)
 * differ from those the archived persons' keys were made with, every
 * person's keys are made again first, in one transaction.
 */
int arc_load(sqlite3 *db, const char *conf_path, const arc_progress *prog,
             arc_load_summary *sum, dg_err *err);

/* ---- one graduate archived twice (shards merged): relink.c ---------------- */

typedef struct arc_relink_summary {
    long pairs;      /* study records load's rule says are one graduate */
    long linked;     /* of those, made one study record (the later joins the earlier) */
    long conflicts;  /* conflict review items raised (values differ) */
    long waiting;    /* pairs waiting for those items to be decided */
    long kept_apart; /* pairs left as two: the later has amendments or certificates */
} arc_relink_summary;

/*
 * Load's linking rule between archived study records (same simplified name,
 * arc_same_graduate on birth month and student number, never against a
 * rejected conflict or a study with a source on the same page).  upto > 0:
 * each study with id > upto against those with id <= upto (dangan merge:
 * upto is the archive's last study before the shard).  upto 0: the pairs
 * an earlier call raised conflicts on that operators have since decided
 * (arc_load runs it first).  A pair whose values differ gets 'conflict'
 * items (the later study's record against the earlier study) and waits;
 * accepted, the next call links it, rejected, the two stay apart.  Linking
 * moves the later study's sources (role 'linked'), fills missing values
 * with their provenance, and deletes the later study (and its person when
 * it has no other), with one "link" audit event naming what it removed.
 * In the caller's transaction when one is open, else in its own.
 */
int arc_relink(sqlite3 *db, int64_t upto, arc_relink_summary *sum, dg_err *err);

/*
 * *stale = 1 when archived persons' search keys were made with other name
 * tables than configs/normalize holds now (the next `arc_load` makes them
 * again), 0 when they are current or nobody is archived.
 */
int arc_name_keys_stale(sqlite3 *db, int *stale, dg_err *err);

/* ---- stage: run (ingest -> ocr -> extract -> reread -> normalize -> load) ---- */

typedef struct arc_run_opts {
    int jobs;         /* OCR threads, <= 0: cores */
    const char *lang; /* OCR languages, NULL: default */
} arc_run_opts;

typedef struct arc_run_summary {
    arc_ingest_summary ingest;
    arc_ocr_summary ocr;
    long pages;          /* pages in the workspace after the run */
    long pages_failed;   /* pages OCR could not read (this run) */
    long records;        /* records extracted by this run */
    long records_loaded; /* archived study records added by this run */
    long review_open;    /* review items waiting for an operator */
    long quarantined;    /* files set aside among the paths given */
    arc_reread_summary reread; /* the second reader's pass (available 0: why) */
} arc_run_summary;

/*
 * ingest -> ocr -> extract -> normalize -> load on paths, in one call with
 * one progress callback.  Opens its own connections (OCR is threaded).
 * Review items and quarantined files are not errors: read the summary.
 */
int arc_run(const char *db_path, const char *const *paths, int npaths, const arc_run_opts *opts,
            const arc_progress *prog, arc_run_summary *sum, dg_err *err);

/* ---- review, the workbench's queue and page view, QA sampling: review.h ---- */

#include "review.h"

/* ---- lookup and the access log ----------------------------------------------- */

/* Canonical keys of an archived study record: dg_field_keys[0 .. ARC_NFIELDS-1]
 * of fieldkeys.h, in output order. */
enum { ARC_NFIELDS = DG_NARCHIVED };

/*
 * A disclosure: which audience's profile applies (configs/disclosure.conf,
 * read by certify/certify.h cert_profile: archive/ does not parse it), who
 * the data is for and why.  allow[i] says whether dg_field_keys[i] may be
 * shown; a withheld key is left out of the output, never shown as null
 * (null means "not archived").  Logged with the access it goes with.
 */
typedef struct arc_disclosure {
    const char *audience;  /* profile name, for the log */
    const char *requester; /* for whom (NULL: not said) */
    const char *purpose;
    unsigned char allow[ARC_NFIELDS];
} arc_disclosure;

typedef struct arc_lookup_query {
    const char *name;      /* Han in either script, or pinyin with/without spaces */
    const char *born;      /* "YYYY" or "YYYY-MM" */
    const char *graduated; /* "YYYY" */
    const char *major;     /* part of the historical or 2022 name, or a code */
    int limit;             /* results kept, <= 0 means 20 */
    int wide;              /* always add one-substitution neighbours */
    const char *who;       /* for the access log; NULL = OS user */
    const arc_disclosure *disclose; /* NULL: every field (registrar) */
} arc_lookup_query;

typedef struct arc_lookup_hit {
    int64_t record; /* study_record id */
    int score;
    char **why;     /* reasons, strongest first */
    size_t nwhy;
    char *fields[ARC_NFIELDS]; /* values in dg_field_keys order, NULL = not archived */
    unsigned char withheld[ARC_NFIELDS]; /* 1: q->disclose withholds it (fields[k] NULL) */
    int tier; /* what found it: 100 exact name, 70 same pinyin, 65 pinyin in another
                 order, 50 look-alike, 30 one character differs, 0 criteria only */
} arc_lookup_hit;

typedef struct arc_lookup_result {
    arc_lookup_hit *hits; /* best first */
    size_t n;
    size_t alloc;
    int exact; /* a name was asked and a hit is that name (Han), or its pinyin as typed
                  (in either order) and as_asked >= 0.95 */
    double as_asked; /* how likely the hits include the person asked about as named: 1 or 0
                        for a Han name (found as written or not); for pinyin, which cannot
                        tell homophones apart, the posterior against "someone not archived
                        whose name reads the same" (name prior, dates, major: docs/lookup.md) */
} arc_lookup_result;

void arc_lookup_result_release(arc_lookup_result *r);

/* A lookup session: the normalizer context and prepared statements, reused
 * across queries (opening the ICU transliterators costs milliseconds). */
typedef struct arc_lookup arc_lookup;

/* config_dir NULL means arc_config_dir().  Caller owns *out (arc_lookup_free). */
int arc_lookup_new(sqlite3 *db, const char *config_dir, arc_lookup **out, dg_err *err);
void arc_lookup_free(arc_lookup **lk);

/*
 * Find archived study records for q, ranked (exact simplified name, then
 * same pinyin, then OCR look-alike, then one-substitution neighbours; date
 * and major criteria add to the score, and a record whose archived date
 * contradicts a criterion is left out).  The lookup and the ids shown are
 * appended to the access log before returning.  *out is overwritten; release
 * it afterwards.  DG_EUSAGE when q has no criterion or a malformed date.
 */
int arc_lookup_run(arc_lookup *lk, const arc_lookup_query *q, arc_lookup_result *out,
                   dg_err *err);

/* {"results":[{"record":ID,"score":S,"why":[...],"fields":{...}}],"as_asked":P,"exact":B} */
int arc_lookup_json(const arc_lookup_result *r, dg_buf *out);

/*
 * Append one row to the append-only access log.  who NULL means the OS user
 * running the process; query_json and shown_json are JSON texts (NULL: {} and
 * []).  Commands that show archived data (lookup, export archive, provenance)
 * call it so registrars can answer "who saw this record, and when".
 */
int arc_access_log(sqlite3 *db, const char *who, const char *action, const char *query_json,
                   const char *shown_json, dg_err *err);

/* The OS user name of this process into out (never fails: "uid:N" fallback). */
void arc_os_user(char *out, size_t size);

typedef struct arc_access_entry {
    int64_t id;
    char *at, *who, *action;
    char *query, *shown; /* JSON texts as stored */
} arc_access_entry;

typedef struct arc_access_entries {
    arc_access_entry *v; /* oldest first */
    size_t n;
} arc_access_entries;

/* The newest `limit` entries of the access log (limit <= 0: all), oldest
 * first, into *out (release it with arc_access_entries_release on success). */
int arc_access_log_read(sqlite3 *db, long limit, arc_access_entries *out, dg_err *err);
void arc_access_entries_release(arc_access_entries *e);
/* {"entries":[{"id","at","who","action","query","shown"}]} (no newline). */
int arc_access_log_json(const arc_access_entries *e, dg_buf *out);

/* ---- provenance -------------------------------------------------------------- */

/* Lines of text, one item each. */
typedef struct arc_lines {
    char **v;
    size_t n;
} arc_lines;

/* One archived value and the chain behind it.  Strings marked "" are ""
 * when unset; the others NULL. */
typedef struct arc_prov_value {
    char *key, *value;          /* value "" */
    char *file, *sha256;        /* the scan */
    char *scan_problem;         /* NULL: a copy of the scan still hashes to sha256; else
                                 * why none does ("changed since ingest ...", missing) */
    int page, x, y, w, h;       /* 1-based page; box in original pixels */
    int64_t record;             /* source record */
    char *role, *linked_by;     /* its role in the study, how it was linked ("") */
    int64_t field;              /* the field read */
    char *rule;                 /* template rule ("") */
    char *raw;                  /* as read ("") */
    double conf_min, conf_mean; /* OCR confidence */
    char *ocr_run;              /* "RUN PARAMS" of the page's OCR, NULL none */
    char *field_value, *state;  /* normalized value (""), field state */
    char *norm_run;             /* normalize run id, NULL none */
    char *match_decision;       /* NULL: not a matched value */
    char *match_code, *match_name; /* "" */
    double match_score;
    char *match_rule; /* "#ID by OPERATOR at TIME[ (inactive)]", NULL none */
    int64_t load_run;
    char *loaded;
    /* One line per OCR word (id, text, confidence, box), normalization step,
     * match candidate and review decision, in order; then the value's
     * versions when it was amended ("v1 ... as loaded", "v2 ... by WHO at
     * WHEN: WHY (review decision #N)"), empty when it never was. */
    arc_lines words, steps, candidates, decisions, versions;
} arc_prov_value;

typedef struct arc_provenance_result {
    arc_prov_value *v; /* by key */
    size_t n;
} arc_provenance_result;

/*
 * The chain behind the archived values of study record `study` (key NULL:
 * all): file + sha256, page, box, OCR words + confidence with the OCR run's
 * settings, template rule, normalization steps, match candidates or the
 * operator rule, review decisions, load run, into *r (release it with
 * arc_provenance_release on success).  DG_ENOTFOUND for an unknown study,
 * or a key it has no archived value for.
 */
int arc_provenance(sqlite3 *db, int64_t study, const char *key, arc_provenance_result *r,
                   dg_err *err);
void arc_provenance_release(arc_provenance_result *r);
/* Free the lines and empty l. */
void arc_lines_release(arc_lines *l);
/* The same as a JSON array, one object per value (no newline at the end). */
int arc_provenance_json(sqlite3 *db, int64_t study, const char *key, dg_buf *out, dg_err *err);

/* Crop the box of an archived value (see arc_review_crop for the checks). */
int arc_provenance_crop(sqlite3 *db, int64_t study, const char *key, int margin,
                        const char *png, dg_err *err);

/* ---- amendments (amend.c) ----------------------------------------------------- */

/*
 * `dangan amend`: a registrar corrects archived value `key` (a field key the
 * archive keeps: name, sex, birth_date, ..., university, current_code,
 * current_name) of study record `study` to `value`, for `reason`.  The value
 * goes through the key's normalizer (as `review correct` does; refused with
 * DG_EUSAGE when it flags it) unless as_is; the column changes, the version
 * it replaced stays in the amendment table with who, when and why, and
 * `dangan provenance` lists every version.  A typed current_code must be in
 * the target catalog (unless as_is) and current_name is amended with it.
 * One BEGIN IMMEDIATE transaction.
 * DG_ENOTFOUND for an unknown study; DG_EUSAGE for a key the archive does
 * not keep, a value it has no source for, or removing a name.  out->id is 0
 * when the archive already holds that value (nothing recorded).
 */
typedef struct arc_amend_opts {
    int64_t study;
    const char *key;
    const char *value;
    const char *reason;        /* required */
    const char *operator_name; /* required */
    int as_is;                 /* store value verbatim, not normalized */
} arc_amend_opts;

typedef struct arc_amend_result {
    int64_t id;  /* the amendment row, 0: nothing changed */
    char *value; /* the value stored */
} arc_amend_result;

int arc_amend(sqlite3 *db, const arc_amend_opts *o, arc_amend_result *out, dg_err *err);
void arc_amend_result_release(arc_amend_result *r);

/* What review decision `decision` amended in the archive, one line per
 * value ("study record 1: birth_date '1962-03' -> '1962-04' (amendment #1)"),
 * into *out (empty when the record was not loaded; release with
 * arc_lines_release). */
int arc_amend_of_decision(sqlite3 *db, int64_t decision, arc_lines *out, dg_err *err);

/* ---- exports (data streams: JSON lines, hOCR/ALTO, written to a FILE*) ------- */

/* One JSON object per page: file, sha256, page, width, height, dpi, state, text. */
int arc_export_pages(sqlite3 *db, FILE *out, dg_err *err);

/* One page's OCR as "hocr", "alto" or "txt". DG_ENOTFOUND for an unknown page. */
int arc_export_ocr(sqlite3 *db, int64_t page_id, const char *format, FILE *out, dg_err *err);

/*
 * One JSON object per archived study record: record, file, page (1-based),
 * row (ledger row, 0 for a card) of its primary source, and fields.  The
 * export is written to the access log (who NULL: OS user) with its count.
 */
int arc_export_archive(sqlite3 *db, const char *who, FILE *out, long *count, dg_err *err);
/* The same with only the fields d allows (d NULL: all), and d in the log. */
int arc_export_archive_for(sqlite3 *db, const char *who, const arc_disclosure *d, FILE *out,
                           long *count, dg_err *err);

/*
 * One JSON object per record: file, sha256, page (1-based), form, row
 * (ledger rows 1-based, null for cards), record (id) and fields keyed by
 * canonical key: {raw, value, confidence, bbox [x,y,w,h], state}.
 */
int arc_export_records(sqlite3 *db, FILE *out, dg_err *err);

/*
 * Archived study records one at a time, each with the values lookup shows
 * (the same SELECT list, so an export never disagrees with lookup) and its
 * primary source, for the exchange exports (exchange/exchange.h).  study 0:
 * all, by id.  next returns 1 with *row filled (its strings belong to the
 * cursor and last until the next call), 0 at the end, < 0 on error.
 * Reading does not write the access log: the caller that shows the rows does.
 */
typedef struct arc_study_row {
    int64_t study;
    const char *fields[ARC_NFIELDS]; /* dg_field_keys order, NULL = not archived */
    const char *major_edition;       /* catalog edition in force for the record */
    const char *loaded;              /* when load archived it */
    int64_t load_run;
    int64_t record, file_id;         /* primary source: record and scan file, 0 none */
    const char *file, *sha256;       /* its path as ingested and SHA-256 (NULL none) */
    int page, row;                   /* 1-based page (0 none); ledger row, 0 a card */
} arc_study_row;

typedef struct arc_study_cursor arc_study_cursor;
int arc_study_cursor_new(sqlite3 *db, int64_t study, arc_study_cursor **out, dg_err *err);
int arc_study_cursor_next(arc_study_cursor *c, arc_study_row *row, dg_err *err);
void arc_study_cursor_free(arc_study_cursor **c);

/* A scan file as ingested. */
typedef struct arc_file_info {
    int64_t id;
    char *path, *abspath, *sha256, *format; /* format: tiff, png, jpeg */
    int64_t size;
    int page_count;
} arc_file_info;

/*
 * Read scan file file_id's bytes (*data the caller's to free) and what the
 * file table says of it (release with arc_file_info_release on success),
 * from the first intact copy: the workspace's scan store, then the recorded
 * paths.  Bytes that are not the ones ingested are refused (DG_EINPUT naming
 * the copies tried); DG_ENOTFOUND for an unknown id.
 */
int arc_file_read(sqlite3 *db, int64_t file_id, arc_file_info *info, unsigned char **data,
                  size_t *len, dg_err *err);
void arc_file_info_release(arc_file_info *info);

/* ---- status ------------------------------------------------------------------ */

/* A name with a count: pages or records by state, pages by form, pending
 * records by the reason load gave. */
typedef struct arc_count {
    char *name;
    int64_t n;
} arc_count;

typedef struct arc_counts {
    arc_count *v;
    size_t n;
} arc_counts;

/* A page status names (or a quarantined file: file and error only). */
typedef struct arc_status_page {
    char *file;
    int page;        /* 1-based */
    int dpi;         /* as the file says */
    int dpi_by_size; /* from the page's size, <= 0 unknown */
    double skew_deg;
    char *error; /* a failed page's error, a quarantined file's reason */
} arc_status_page;

typedef struct arc_status_pages {
    arc_status_page *v;
    size_t n;
} arc_status_pages;

/* What the workspace holds (`dangan status`). */
typedef struct arc_status {
    int64_t files, aliases, pages, low_dpi, quarantined;
    arc_counts page_states;
    arc_status_pages low_dpi_pages, quarantine;
    arc_status_pages skewed, failed; /* over skew_limit_deg; OCR could not read */
    double skew_limit_deg;
    int64_t records, fields_missing, unknown_form_pages;
    arc_counts record_states, forms;
    int64_t persons, study_records, records_loaded, records_pending, review_open;
    arc_counts pending_reasons;
    arc_counts runs;  /* "STAGE STATUS" of runs running, aborted or interrupted */
    arc_qa_report qa; /* the QA state of each batch (configs/qa.conf's target) */
} arc_status;

/* Read the status into *s (release it with arc_status_release on success). */
int arc_status_read(sqlite3 *db, arc_status *s, dg_err *err);
void arc_status_release(arc_status *s);
/* Append s as one JSON object (no newline). */
int arc_status_json(const arc_status *s, dg_buf *out);

/* ---- the batch dashboard (dashboard.c; the web workbench draws it) ---------- */

enum { ARC_DASH_PBINS = 10, ARC_DASH_HOURS = 72 };

/* One period of a batch's work (UTC "YYYY-MM-DDTHH", or "YYYY-MM-DD" when
 * the batch's hours with activity are more than ARC_DASH_HOURS): pages read
 * by OCR runs that ended in it, review decisions made (an undo counts -1),
 * records loaded into the archive (by the load run's end). */
typedef struct arc_dash_tp {
    char when[16];
    int64_t pages, decided, loaded;
} arc_dash_tp;

typedef struct arc_dash_batch {
    int64_t batch;
    char started[32];
    arc_counts pages;      /* pages by state */
    arc_counts quarantine; /* quarantined files by reason */
    arc_counts fields;     /* fields by state */
    arc_counts review;     /* review items by state (open, accepted, ...) */
    int64_t p_bins[ARC_DASH_PBINS]; /* weighed values by p: [0, 0.1), ..., [0.9, 1] */
    arc_dash_tp *tp; /* throughput, periods with activity, oldest first */
    size_t ntp;
    int daily; /* tp is by day, not by hour */
} arc_dash_batch;

/* One hour of the workspace (UTC "YYYY-MM-DDTHH"): review items raised,
 * decisions that settled one (an undo counts -1), pages read by OCR runs
 * that ended in it. */
typedef struct arc_dash_hour {
    char hour[16];
    int64_t raised, settled, pages_read;
} arc_dash_hour;

typedef struct arc_dashboard {
    arc_dash_batch *v; /* by batch id */
    size_t n;
    arc_dash_hour *hours; /* the last ARC_DASH_HOURS hours with activity, oldest first */
    size_t nhours;
} arc_dashboard;

/* Read the dashboard into *d (release with arc_dashboard_release on success). */
int arc_dashboard_read(sqlite3 *db, arc_dashboard *d, dg_err *err);
void arc_dashboard_release(arc_dashboard *d);

/* ---- evaluation against truth files (shared/samples/README.md format) -------- */

/* Columns by difficulty: clean, moderate, hard, then all pages. */
enum { ARC_EVAL_NDIFF = 4 };

/* One truth page found in the workspace. */
typedef struct arc_eval_page {
    char *image;      /* the truth's image name */
    int page;         /* its page_index */
    char *difficulty; /* as the truth says (NULL: none) */
    double cer, bag_f1;
} arc_eval_page;

/* Means over the pages of one difficulty column (0 without pages). */
typedef struct arc_eval_diff {
    const char *name; /* "clean", "moderate", "hard", "all" */
    long pages;
    double cer, bag_f1;
} arc_eval_diff;

typedef struct arc_eval_pages_result {
    arc_eval_page *pages; /* truth files by name, pages in truth order */
    size_t npages;
    arc_eval_diff by_difficulty[ARC_EVAL_NDIFF];
    long missing; /* truth pages not found in the workspace */
} arc_eval_pages_result;

/*
 * Page OCR quality: for each truth page matched to an ingested page (by
 * image file name and page index), CER and character-bag F1 of the page
 * text against the truth's full_text (whitespace ignored), per difficulty.
 * *r is overwritten; release it with arc_eval_pages_release on success.
 */
int arc_eval_pages(sqlite3 *db, const char *truth_dir, arc_eval_pages_result *r, dg_err *err);
void arc_eval_pages_release(arc_eval_pages_result *r);
/* {"pages":[...],"missing":N,"by_difficulty":{...}} (no newline). */
int arc_eval_pages_json(const arc_eval_pages_result *r, dg_buf *out);

/* Truth items of one cell, and how many were read exactly (or found). */
typedef struct arc_eval_cell {
    long n, ok;
} arc_eval_cell;

typedef struct arc_eval_field_row {
    char *key; /* field key, or header.KEY for page header values */
    arc_eval_cell by_difficulty[ARC_EVAL_NDIFF];
} arc_eval_field_row;

typedef struct arc_eval_fields_result {
    long truth_files;
    arc_eval_field_row *fields; /* by key */
    size_t nfields;
    arc_eval_cell all_fields[ARC_EVAL_NDIFF];
    arc_eval_cell records_found[ARC_EVAL_NDIFF];
} arc_eval_fields_result;

/*
 * Field extraction quality: per field key and per difficulty, the share of
 * truth fields whose extracted raw text equals the truth's printed value
 * (whitespace ignored), and the share of truth records found.  *r is
 * overwritten; release it with arc_eval_fields_release on success.
 */
int arc_eval_fields(sqlite3 *db, const char *truth_dir, arc_eval_fields_result *r, dg_err *err);
void arc_eval_fields_release(arc_eval_fields_result *r);
/* {"truth_files":N,"fields":{...},"all_fields":{...},"records_found":{...}} */
int arc_eval_fields_json(const arc_eval_fields_result *r, dg_buf *out);

/*
 * p(right) against truth: per field key, per value type and overall, the
 * accuracy of the value chosen (before review), a reliability table of p
 * (ten bins: count, mean p, share right), the expected calibration error
 * (and, for comparison, the one Tesseract's raw confidence would have),
 * the values verified without review (state auto) and the error among
 * them, and the right values sent to review.  Records: truth records found,
 * and those with nothing left to review.
 */
#define ARC_TRUST_BINS 10
#define ARC_TRUST_DEFAULT_TARGET 0.005
/* The confidence at which the errors seen on the fit's pages overrule the
 * model's expected error when the threshold is set (confidence.<type>). */
#define ARC_TRUST_DEFAULT_CONFIDENCE 0.8
/* The threshold is set on p cross-fitted over this many folds of pages. */
#define ARC_TRUST_FOLDS 5
typedef struct arc_trust_bins {
    long count[ARC_TRUST_BINS], right[ARC_TRUST_BINS];
    double p_sum[ARC_TRUST_BINS];
    double ece;
} arc_trust_bins;

typedef struct arc_trust_row {
    char *key; /* field key (rows), NULL for types and all */
    long n, right, weighed, verified, verified_wrong, review, review_right;
    arc_trust_bins bins;
    arc_trust_bins raw; /* the same values binned by Tesseract's own confidence */
} arc_trust_row;

typedef struct arc_eval_trust_result {
    arc_trust_row *rows; /* by field key */
    size_t nrows;
    arc_trust_row by_type[DG_VT_COUNT], all;
    long records, records_unreviewed;
} arc_eval_trust_result;

int arc_eval_trust(sqlite3 *db, const char *truth_dir, arc_eval_trust_result *r, dg_err *err);
void arc_eval_trust_release(arc_eval_trust_result *r);
int arc_eval_trust_json(const arc_eval_trust_result *r, dg_buf *out);

/* What a fit keeps of the current trust.conf: the target error of each value
 * type, the confidence its threshold is set at, and which types the second
 * reader reads. */
typedef struct arc_trust_settings {
    double target[DG_VT_COUNT];
    double conf[DG_VT_COUNT];
    int reread[DG_VT_COUNT];
    int reread3[DG_VT_COUNT]; /* ... and the third reader */
} arc_trust_settings;

/*
 * Fit configs/trust.conf from the evidence the normalize stage stored and
 * the truth in truth_dir: a logistic model per value type and the threshold
 * that keeps the error among verified values under the type's target.  The
 * file's text is appended to out.  arc_trust_settings_read reads the
 * settings of <config_dir>/trust.conf (ARC_TRUST_DEFAULT_TARGET and names
 * re-read where the file says nothing).
 */
int arc_trust_fit(sqlite3 *db, const char *truth_dir, const arc_trust_settings *set,
                  dg_buf *out, dg_err *err);
int arc_trust_settings_read(const char *config_dir, arc_trust_settings *set, dg_err *err);

/* The examples a fit reads, as tab-separated text with a header line:
 * value type, field id, page id, whether the candidate was right, then its
 * features (norm_trust_feature_names order), one candidate a line, the
 * candidates of a field adjacent.  For studying the fit off line
 * (bench/trust_cv). */
int arc_trust_examples(sqlite3 *db, const char *truth_dir, dg_buf *out, dg_err *err);

/* ---- discipline catalogs and matching ---------------------------------------- */

typedef struct arc_catalog_summary {
    long editions_imported;   /* editions whose rows were (re)written */
    long editions_unchanged;  /* same csv SHA-256 as recorded: skipped */
    long disciplines;         /* rows written */
    long crosswalks_imported; /* edition pairs (re)written */
    long crosswalks_unchanged;
    long crosswalk_rows;
    long unresolved_rows;
} arc_catalog_summary;

/*
 * Import the catalog directory `dir` (editions.tsv + CSVs; NULL means
 * <configs>/disciplines) into catalog_edition, discipline, crosswalk,
 * crosswalk_unresolved.  Unchanged editions and crosswalks are skipped; a
 * changed one is replaced in one transaction.  Editions no longer in the
 * manifest are kept.
 */
int arc_catalog_import(sqlite3 *db, const char *dir, arc_catalog_summary *sum, dg_err *err);

typedef struct arc_catalog_edition {
    char *edition;
    int year_from;
    char *file;
    int target; /* the edition majors are matched to */
    char *sha256;
    char *imported;
    int disciplines;
} arc_catalog_edition;

typedef struct arc_catalog_crosswalk {
    char *from, *to; /* editions */
    int rows, unresolved;
} arc_catalog_crosswalk;

typedef struct arc_catalog_discipline {
    char *code, *level, *parent_code, *name, *bare_name; /* "" when unset */
} arc_catalog_discipline;

/* What is loaded: editions and crosswalks, or (edition set) the
 * disciplines of that edition. */
typedef struct arc_catalog_listing {
    char *edition; /* NULL: the editions/crosswalks listing */
    arc_catalog_edition *editions;
    size_t neditions;
    arc_catalog_crosswalk *crosswalks;
    size_t ncrosswalks;
    arc_catalog_discipline *disciplines;
    size_t ndisciplines;
} arc_catalog_listing;

/* List the loaded editions and crosswalks (edition NULL), or the
 * disciplines of one edition (DG_ENOTFOUND when it is not loaded), into *l;
 * release it with arc_catalog_listing_release on success. */
int arc_catalog_list(sqlite3 *db, const char *edition, arc_catalog_listing *l, dg_err *err);
void arc_catalog_listing_release(arc_catalog_listing *l);
/* {"editions":[...],"crosswalks":[...]} or {"edition":..,"disciplines":[...]} */
int arc_catalog_listing_json(const arc_catalog_listing *l, dg_buf *out);

/* Append a JSON object of SHA-256 fingerprints of the catalog's files and
 * crosswalks (recorded in the normalize run's params). */
int arc_catalog_fingerprint(const char *dir, dg_buf *out, dg_err *err);

typedef struct arc_match_opts {
    const char *config_dir;  /* NULL: arc_config_dir() */
    const char *catalog_dir; /* NULL: <configs>/disciplines */
    int year;                /* enrolment (else graduation) year, 0 unknown */
    const char *code;        /* major code as written, may be NULL */
    const char *department;  /* may be NULL */
    int json;                /* also fill arc_match_result.json */
} arc_match_opts;

typedef struct arc_match_candidate {
    char *code;    /* target-edition code */
    char *name;    /* bare target name */
    double score;  /* [0,1] */
    char *edition; /* edition the historical name was found in */
    char *path;    /* the crosswalk path to the target */
    char **evidence;
    size_t nevidence;
} arc_match_candidate;

typedef struct arc_match_result {
    int decided_auto;                /* else the decision is review */
    arc_match_candidate *candidates; /* best first */
    size_t ncandidates;
    char *json; /* norm_match_json's object when opts->json, else NULL */
} arc_match_result;

/*
 * Match one historical major name against the target catalog with the
 * active operator mapping rules of db (db may be NULL: no rules, no
 * catalog import): the ranked candidates and the decision into *out
 * (overwritten; release it with arc_match_result_release on success).
 */
int arc_match_text(sqlite3 *db, const arc_match_opts *opts, const char *text,
                   arc_match_result *out, dg_err *err);
void arc_match_result_release(arc_match_result *r);

#endif
