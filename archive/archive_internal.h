/*
 * archive_internal.h - helpers the archive module shares between its own
 * files and nobody outside it uses.  Not installed, not for pipeline/.
 */
#ifndef DANGAN_ARCHIVE_INTERNAL_H
#define DANGAN_ARCHIVE_INTERNAL_H

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "fieldkeys.h"
#include "normalize.h"
#include "store.h"

/* ---- the matcher with the database's mapping rules (stage_matcher.c) ---------- */

typedef struct rule_strings {
    char *name, *department, *code, *id, *who;
} rule_strings;

typedef struct arc_matcher {
    norm_ctx *ctx;
    norm_catalog *cat;
    norm_match_conf conf;
    norm_match_rule *rules;
    rule_strings *strs;
    size_t nrules;
    char conf_sha[65];
} arc_matcher;

/* Open the catalog, matcher settings and (db non-NULL) the active mapping
 * rules; db NULL: no rules and no catalog import.  Close with arc_matcher_close. */
int arc_matcher_open(sqlite3 *db, const char *config_dir, const char *catalog_dir,
                     arc_matcher *m, dg_err *err);
void arc_matcher_close(arc_matcher *m);
/* The normalized form majors and departments are compared in (norm_text);
 * *out NULL for empty input. */
int arc_text_norm(struct norm_ctx *ctx, const char *raw, char **out, dg_err *err);
/* The mapping_rule id that decided the best candidate, else 0. */
int64_t arc_candidate_rule(const struct norm_match_result *mr);
/* a "/" b into buf; DG_EUSAGE when it does not fit. */
int arc_path_join(char *buf, size_t n, const char *a, const char *b, dg_err *err);
/* OCR settings from path, or (NULL) <configs>/ocr.xml when present, else
 * the built-in defaults; the OCR stage reads with them and ingest takes
 * its limits from them.  Caller frees with ocr_settings_free. */
struct ocr_settings;
int arc_ocr_settings_open(const char *path, struct ocr_settings **s, dg_err *err);

/* ---- p(right) of each value (stage_trust.c) --------------------------------- */

typedef struct arc_trust arc_trust;

/* Load <config_dir>/trust.conf (weights, thresholds, target errors) and the
 * name prior.  *out is NULL, with DG_OK, when the file is absent: the stage
 * then routes by OCR confidence (review.conf).  Close with arc_trust_close. */
int arc_trust_open(const char *config_dir, arc_trust **out, dg_err *err);
void arc_trust_close(arc_trust **t);
/* {"sha256":..,"threshold":{type:p}} for the run's parameters. */
int arc_trust_params_json(const arc_trust *t, dg_buf *b);
/* Which value types the second reader reads (reread.<type>) and the third
 * (reread3.<type>); names by default. */
void arc_trust_reread_types(const arc_trust *t, int types[DG_VT_COUNT],
                            int types3[DG_VT_COUNT]);
/* The second reader's input width: wide enough for a value cell at its own
 * aspect (a name spaced out over a card's cell). */
#define ARC_REREAD_WIDTH 320
/* ... and the narrower, cheaper model for a box that fits it. */
#define ARC_REREAD_NARROW 160
/* The target error of each value type and the confidence its threshold is set at. */
void arc_trust_get_targets(const arc_trust *t, double target[DG_VT_COUNT],
                           double conf[DG_VT_COUNT]);

#define ARC_TRUST_MAX_READINGS 4

/* One reading of a field: reader name ("tesseract", "rec2", "column"), the
 * text it read, its confidence 0-1 and that text's normalization (not owned). */
typedef struct arc_trust_reading {
    const char *reader;
    const char *text;
    double conf;
    const struct norm_result *r;
    int doubtful; /* the value breaks a rule of its key (a date without its month ...) */
} arc_trust_reading;

/* The same graduate's field in another source (a card for a ledger row and
 * back): its normalized readings, each independent of this field's. */
typedef struct arc_trust_other {
    int64_t record, page, field;
    int x, y, w, h;                          /* the field's box on its page */
    const char *value[ARC_TRUST_MAX_READINGS]; /* normalized readings, accepted by the normalizer */
    const char *reader[ARC_TRUST_MAX_READINGS];
    size_t n;
} arc_trust_other;

typedef struct arc_trust_field {
    dg_fk_vtype vt;
    const char *key;                   /* the field key (its base rate), may be NULL */
    const arc_trust_reading *readings; /* at most ARC_TRUST_MAX_READINGS used */
    size_t nreadings;
    const char *const *column; /* the key's values in the page's other records */
    size_t ncolumn;
    const char *const *column2; /* a second reading of each (NULL entries, or NULL: none) */
    double seq_prev, seq_next; /* a ledger's sequence numbers around this row, -1: none */
    int flagged;               /* a normalizer or cross-check doubted the value */
    const arc_trust_other *other; /* the other source's readings of the key, NULL: none */
    int code_year;             /* a code's year on the record (entry, graduation), 0: none */
    const char *code_prev, *code_next; /* a ledger's codes of the key in the rows around, or NULL */
    /* a major against the discipline catalog of its record's year (0: unknown)
     * and the record's major code (NULL: none); catalog NULL: not weighed */
    const norm_catalog *catalog;
    int catalog_year;
    const char *catalog_code;
} arc_trust_field;

typedef struct arc_trust_verdict {
    size_t chosen;    /* the reading whose value is most probable */
    double p, threshold;
    int verified;     /* p clears the type's threshold */
    int source_differs; /* the other source read the key, and none of it gives the value */
    dg_buf evidence;  /* JSON for field.evidence; caller releases */
} arc_trust_verdict;

/* A ledger sequence number's digits as a number (spaces ignored), -1 when
 * the text is empty or holds anything else. */
double arc_seq_number(const char *s);

/* +1 when a code's year digits (the first two digits, or 19yy) are year's
 * last two, -1 when it has digits that are not, 0 when year is 0 or the
 * code holds fewer than two digits. */
int arc_code_year_fit(const char *code, int year);
/* How many of a ledger row's neighbours' codes (prev above, next below,
 * NULL: none) this code continues: same letters around a running number
 * that goes up by 1-3 down the column.  0-2. */
int arc_code_continues(const char *code, const char *prev, const char *next);

/* ---- the other source of a graduate (stage_sources.c) ------------------------ */

/* Same graduate, by the rule load links sources by (the names being equal):
 * same birth month and the same student number unless one side lacks it,
 * or the same student number when one side lacks the birth month.  NULL or
 * "" is lacking. */
int arc_same_graduate(const char *birth_a, const char *sno_a, const char *birth_b,
                      const char *sno_b);

typedef struct arc_sources arc_sources;
/* Index the workspace's records by the simplified name their readings give
 * (ctx is borrowed and must outlive the index). */
int arc_sources_open(sqlite3 *db, norm_ctx *ctx, arc_sources **out, dg_err *err);
void arc_sources_close(arc_sources **s);

/* The other source of a record: per key its readings; n = 0 when the
 * record has none. */
typedef struct arc_other_source {
    arc_trust_other *f;
    char (*key)[32];
    size_t n;
    char **owned; /* the strings f[] points to */
    size_t nowned;
} arc_other_source;
int arc_sources_find(arc_sources *s, int64_t record, arc_other_source *out, dg_err *err);
const arc_trust_other *arc_other_source_key(const arc_other_source *o, const char *key);
void arc_other_source_release(arc_other_source *o);

/* Weigh a field's readings.  DG_ENOTFOUND when no reading gave a value,
 * DG_ENOMEM; on DG_OK the caller releases out->evidence. */
int arc_trust_weigh(const arc_trust *t, const arc_trust_field *in, arc_trust_verdict *out);

/* SQL: x with spaces, tabs, newlines and ideographic spaces removed (values
 * compared with the truth ignore whitespace). */
#define ARC_SQL_NOWS(x)                                                                          \
    "replace(replace(replace(replace(coalesce(" x ",''),' ',''),char(9),''),char(10),''),"       \
    "'\xe3\x80\x80','')"

/* ---- truth files (eval_fields.c) --------------------------------------------- */

/* Load the *.truth.json of dir into temp tables of db: ev_truth (files),
 * ev_page (truth page -> page id), ev_rec (truth record -> record id, its
 * truth fields), ev_fld (printed value against raw reading).  Drop them
 * with arc_eval_truth_drop. */
int arc_eval_truth_tables(sqlite3 *db, const char *truth_dir, long *nfiles, dg_err *err);
void arc_eval_truth_drop(sqlite3 *db);

/* ---- progress and QA keys ---------------------------------------------------- */

/* Call p's update (if any) with a stage's progress. */
void arc_progress_report(const arc_progress *p, const char *stage, long done, long total,
                         const char *item);

/* The JSON key of a QA verdict: "above_target", "suspect", ... */
const char *arc_qa_verdict_key(arc_qa_verdict v);

/* Re-read file `file_id` as ingested from the first intact copy: the
 * workspace's store, then file.abspath, then its aliases' paths.  Bytes that
 * are not the ones ingested are refused (DG_EINPUT naming every copy tried
 * and the hashes): evidence cut from a replaced file would be evidence of
 * nothing.  *data is the caller's to free. */
int arc_read_scan(sqlite3 *db, int64_t file_id, unsigned char **data, size_t *len,
                  dg_err *err);

/* Bind s to parameter i, or NULL when s is NULL (the text is copied). */
void arc_bind_opt(sqlite3_stmt *st, int i, const char *s);
/* Step a statement that writes and finalize it: DG_OK when done, else the
 * database's error with `doing` (DG_EDB). */
int arc_step_done(sqlite3 *db, sqlite3_stmt *st, const char *doing, dg_err *err);
/* The other readings of person's name (k->alt) into person_reading,
 * replacing what it held (fresh: a person just inserted, nothing to
 * replace).  person_readings.c */
struct norm_keys;
int arc_person_readings(sqlite3 *db, int64_t person, const struct norm_keys *k, int fresh,
                        dg_err *err);

/* ---- the scan store (scan_store.c) -------------------------------------------- */

/* The workspace's store, opened (read-only if so set); *out NULL when it has
 * none.  A store set but not there is DG_EINPUT. */
int arc_store_open(sqlite3 *db, sto_store **out, dg_err *err);

/*
 * Inside the caller's transaction: put the bytes of file_id in s (unless
 * an intact copy is recorded there) and record it in stored_file; *added 1
 * when the record is new or renewed.  A read-only store is only checked:
 * DG_ENOTFOUND when it does not hold the bytes.
 */
int arc_store_keep(sqlite3 *db, sto_store *s, int64_t file_id, const char *sha,
                   const char *format, const void *data, size_t len, int64_t run_id,
                   int *added, dg_err *err);

/* ---- stages' shared helpers -------------------------------------------------- */

/* Import dir when no edition is loaded yet; *imported (may be NULL) says if it did. */
int arc_catalog_ensure(sqlite3 *db, const char *dir, int *imported, dg_err *err);

/* dir, or <configs>/disciplines when dir is NULL, into buf (DG_EUSAGE if too long). */
int arc_catalog_resolve_dir(const char *dir, char *buf, size_t n);

/* field_step rules of an operator's correction: the step from the old
 * value to what was typed (the normalizer's steps follow it). */
#define ARC_STEP_CORRECT "review-correct"
#define ARC_STEP_CORRECT_AS_IS "review-correct-as-is"

/* The alternatives a field offers to `review pick` (review.c), as `review
 * show` lists them: into *v, *n (release with arc_review_alts_release). */
int arc_review_alts(sqlite3 *db, int64_t field, arc_review_alt **v, size_t *n,
                    int *from_readings, dg_err *err);
void arc_review_alts_release(arc_review_alt *v, size_t n);
/* One item as arc_review_list reads it, from columns 0-9 of st (id, kind,
 * state, reason, record, field key, raw, value, detail, p), into *r: the
 * list and the web queue (review_queue.c) read it alike.
 * arc_review_row_clear frees its strings. */
int arc_review_row_read(sqlite3_stmt *st, arc_review_row *r);
void arc_review_row_clear(arc_review_row *r);

/*
 * Run the normalizer the normalize stage uses for field key `key` on raw
 * (names and supervisor: norm_name; *_date: norm_date, birth/enroll/grad
 * kept to YYYY-MM; sex, ethnicity, political_status, degree, duration,
 * major_code: their normalizers; any other key: norm_text).  context_year
 * resolves two-digit years (0: 19xx).  Same contract as the normalizers:
 * *r is overwritten (release it afterwards, also after an error); an
 * unnormalizable value is rc 0 with r->flag set.  The one dispatch shared
 * by the stage and `dangan review correct`.
 */
int arc_normalize_value(struct norm_ctx *ctx, const char *key, const char *raw, int context_year,
                        struct norm_result *r, dg_err *err);

/*
 * The year the stage resolves two-digit years of record `record_id` with:
 * the page's form date, else the latest graduation/degree/enrolment year
 * written on the record; 0 when none is readable.
 */
int arc_record_context_year(sqlite3 *db, struct norm_ctx *ctx, int64_t record_id, int *year,
                            dg_err *err);

/* Crop a whole page from the original scan into png. */
int arc_page_crop(sqlite3 *db, int64_t page, const char *png, dg_err *err);
/* Run a crop writer (it takes a path) into memory: *png (caller frees) of
 * *len bytes, through a private temporary file (review_queue.c). */
typedef int (*arc_crop_fn)(sqlite3 *db, int64_t id, int margin, const char *png, dg_err *err);
int arc_crop_to_memory(sqlite3 *db, arc_crop_fn crop, int64_t id, int margin, unsigned char **png,
                       size_t *len, dg_err *err);

/* ---- leases (lease.c) -------------------------------------------------------- */

/* How long a claim holds without its run finishing the page: far above the
 * slowest page, so only a process that died on another host waits it out. */
#define ARC_LEASE_SECONDS 1800

/*
 * Claim page `page` for run `run` with one autocommitted UPDATE: *got is 1
 * when the page is in the state `cond` says (a constant SQL condition on the
 * page row, never input; ?2 is the run) and free (unclaimed, expired, or
 * held by a run no longer running), else 0.  Call outside a transaction.
 */
int arc_page_claim(sqlite3 *db, int64_t page, int64_t run, const char *cond, int *got,
                   dg_err *err);
/* SET clause freeing a lease, for the statement that stores the result. */
#define ARC_LEASE_FREE "claim_run = NULL, claim_until = NULL"

/* ---- amendments (amend.c) ----------------------------------------------------- */

/* One change of an archived value (see arc_amend_apply). */
typedef struct arc_amend_req {
    int64_t study;             /* study record whose value changes */
    const char *key;           /* archived field key (fieldkeys.h) */
    const char *value;         /* the new value as stored; NULL: removed */
    const char *written;       /* the name as written (name only; NULL: value) */
    const char *reason;        /* why (required) */
    const char *operator_name; /* who (required) */
    int64_t decision;          /* the review decision that made it, 0: none */
    int64_t field;             /* the field the value was read from (provenance moves to
                                  it), 0: typed, provenance keeps its field */
} arc_amend_req;

/*
 * The one place an archived value changes after load, inside the caller's
 * transaction: the column (for the name also its search keys, with norm or,
 * NULL, a context of its own), provenance.value, and one amendment row with
 * the version replaced.  *id 0 when the archive already holds the value.
 */
int arc_amend_apply(sqlite3 *db, struct norm_ctx *norm, const arc_amend_req *req, int64_t *id,
                    dg_err *err);

/* A review decision, just recorded, on field `field` (of item `item`, kind
 * "field", "match" or "conflict"). */
typedef struct arc_amend_decision_req {
    int64_t item, field, decision;
    int candidate; /* pick: the rank chosen */
    const char *kind, *verb, *operator_name, *note;
} arc_amend_decision_req;

/*
 * Make the decision take effect in the archive when the field's record is
 * loaded: a verified field's value (a match's 2022 code and name) becomes
 * the archived value; a rejected reading the archive took is removed from
 * it; a conflict's pick 2 puts the conflicting record's value into the
 * study it conflicts with.  Refused (DG_EUSAGE, the caller rolls back) where the archive cannot
 * follow: rejecting a loaded name or a loaded match.  A record not loaded,
 * or a key the archive does not keep: DG_OK, nothing changes.
 */
int arc_amend_decision(sqlite3 *db, struct norm_ctx *norm, const arc_amend_decision_req *d,
                       dg_err *err);

/* DG_ECONFLICT (naming the amendments) when decision `decision` of item
 * `item` amended the archive: undo cannot take an archived version back. */
int arc_amend_undo_check(sqlite3 *db, int64_t item, int64_t decision, dg_err *err);

/* The versions of (study, key) as provenance lists them, appended to *out. */
int arc_amend_history(sqlite3 *db, int64_t study, const char *key, arc_lines *out, dg_err *err);

/* Step st (prepared and bound) to the end, appending columns 0..ncols-1 of
 * each row to *out as lines (NULL columns: skipped when skip_null, else ""),
 * and finalize it; errors name what is read ("amendments"). */
int arc_lines_collect(sqlite3 *db, sqlite3_stmt *st, int ncols, int skip_null, arc_lines *out,
                      const char *what, dg_err *err);

/* ---- reading rows for the read side ------------------------------------------ */

/* Column i of st as a new string into *out (NULL stays NULL): the readers
 * hand rows to pipeline/ after the statement is gone. */
static inline int arc_col_dup(sqlite3_stmt *st, int i, char **out)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *out = s ? dg_strdup(s) : NULL;
    return s && !*out ? DG_ENOMEM : DG_OK;
}

/* The same, with NULL read as "" (columns the old text output coalesced). */
static inline int arc_col_dup0(sqlite3_stmt *st, int i, char **out)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *out = dg_strdup(s ? s : "");
    return *out ? DG_OK : DG_ENOMEM;
}

/* v (holding n elements of size `size`) with room for one more, zeroed:
 * grown by doubling from 4; NULL when it cannot grow (v is still valid). */
static inline void *arc_grow(void *v, size_t n, size_t size)
{
    /* Capacity is 4, 8, 16, ...: full when n is 0 or a power of two >= 4. */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        v = realloc(v, (n ? n * 2 : 4) * size);
        if (!v)
            return NULL;
    }
    memset((char *)v + n * size, 0, size);
    return v;
}

#endif
