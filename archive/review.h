/*
 * review.h - the operators' side of the archive, part of archive.h (which
 * includes it; include archive.h): review items and decisions, the queue and
 * the page view the web workbench reads, and QA sampling of what was
 * verified without review (抽检).  Same rules as archive.h: an open database
 * from db_open(), structs or JSON back, the caller releases what it gets.
 */
#ifndef DANGAN_ARCHIVE_REVIEW_H
#define DANGAN_ARCHIVE_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "db.h"

/* ---- review queue ------------------------------------------------------------ */

/*
 * Add the missing items to the review queue: every field in state 'review'
 * or 'invalid' (reason: first word of field.flag), every major field whose
 * match_decision is 'review' (kind 'match'), every page in 'unknown_form'
 * (kind 'page').  Conflict items are raised by arc_load.  Idempotent: an
 * item that exists (decided or not) is left alone.
 */
int arc_review_refresh(sqlite3 *db, dg_err *err);

/* One row of the review queue. */
typedef struct arc_review_row {
    int64_t id;
    char *kind, *state, *reason;
    int64_t record;          /* 0: none */
    char *key, *raw, *value; /* "" for items without a field */
    char *detail;
    int has_p; /* field.p was weighed: p is the probability the value is right */
    double p;
} arc_review_row;

typedef struct arc_review_rows {
    arc_review_row *v;
    size_t n;
} arc_review_rows;

/*
 * The open items (all items when `all` is set), those whose reason, kind or
 * start of detail equals `reason` when it is non-NULL, by id, into *out
 * (release it with arc_review_rows_release on success).
 */
int arc_review_list(sqlite3 *db, const char *reason, int all, arc_review_rows *out,
                    dg_err *err);
void arc_review_rows_release(arc_review_rows *rows);
/* The same items as a JSON array of objects (one per line, no newline at the end). */
int arc_review_list_json(sqlite3 *db, const char *reason, int all, dg_buf *out, dg_err *err);

/* A normalization step of a field: rule, value before and after. */
typedef struct arc_review_step {
    char *rule, *before, *after;
} arc_review_step;

typedef struct arc_review_candidate {
    int rank; /* 1 = best */
    char *code, *name;
    double score;
    char *path, *evidence;
} arc_review_candidate;

typedef struct arc_review_decision {
    int64_t id;
    char *verb, *operator_name, *decided;
    char *before_state, *after_state;
    char *before_value, *after_value; /* "" when NULL */
    char *note;                       /* "" when none */
    int64_t undoes;                   /* decision undone, 0: none */
} arc_review_decision;

/* A distinct reading of a field item's value, what `pick N` takes: from
 * field.evidence (normalized values, most probable first, p = probability)
 * or, when the field was not weighed, from its field_reading rows (texts as
 * read, best confidence first, p = the best reader's confidence 0-1). */
typedef struct arc_review_alt {
    int rank; /* 1 = first */
    char *value;
    double p;
    char *readers; /* evidence: "tesseract, rec2"; readings: "tesseract 0.91, rec2 0.88" */
    int chosen;    /* evidence: this is the field's value now */
} arc_review_alt;

/* One review item with what an operator needs to decide it. */
typedef struct arc_review_view {
    int64_t id;
    char *kind, *state, *reason, *detail;
    int version;
    int64_t record, study; /* study: the archived study a conflict would join, 0 none */
    int has_field;         /* the fields below up to match_name are set */
    int64_t field;         /* field id, 0: none */
    char *key, *raw, *value, *field_state, *rule;
    double conf_min, conf_mean;
    int x, y, w, h;       /* box in original page pixels */
    char *match_decision; /* NULL: no match */
    char *match_code, *match_name;
    char *file, *sha256; /* NULL: no page */
    int page;            /* 1-based */
    int64_t page_id;
    int has_p; /* field.p was weighed */
    double p;
    arc_review_alt *alts; /* field items: the readings to pick from */
    size_t nalts;
    int alts_from_readings; /* alts are field_reading rows, not field.evidence */
    arc_review_step *steps;
    size_t nsteps;
    arc_review_candidate *candidates; /* match items */
    size_t ncandidates;
    arc_review_decision *decisions;
    size_t ndecisions;
    char *source; /* the graduate's other source of the field (field.evidence): where it
                   * is and what it reads, one line; NULL: none */
} arc_review_view;

/* One item: raw and normalized text, candidates, file/page/box, decisions,
 * into *v (release it with arc_review_view_release on success).
 * DG_ENOTFOUND for an unknown id. */
int arc_review_show(sqlite3 *db, int64_t item, arc_review_view *v, dg_err *err);
void arc_review_view_release(arc_review_view *v);
/* The item as one JSON object (no newline). DG_ENOTFOUND for an unknown id. */
int arc_review_show_json(sqlite3 *db, int64_t item, dg_buf *out, dg_err *err);

/* Write the item's box (a page item: the whole page), plus margin pixels,
 * cut from the original scan, to png.  The scan's bytes must still match
 * the SHA-256 recorded at ingest. */
int arc_review_crop(sqlite3 *db, int64_t item, int margin, const char *png, dg_err *err);
/* The same for the field of the graduate's other source the item's field was
 * compared with (arc_review_view.source); DG_ENOTFOUND when there is none. */
int arc_review_source_crop(sqlite3 *db, int64_t item, int margin, const char *png,
                           dg_err *err);

/*
 * A decision.  verb: "accept" (a match item: take candidate 1), "pick"
 * (candidate N of a match item; of a field item: alternative N of
 * arc_review_view.alts, stored as "correct" would store it), "correct"
 * (value: the field's value; on a match item a target-catalog code),
 * "reject" (why required), "undo" (the latest decision of the item not yet
 * undone).  pick and correct on a match
 * store a mapping_rule (operator, time) so later records with the same
 * normalized name map automatically; undo deactivates it.
 *
 * correct on a field item runs the typed value through the field key's
 * normalizer (arc_normalize_value, two-digit years resolved like the stage)
 * and stores the normalized value and detail; field_step gets a
 * ("review-correct", old value, typed value) step and then the normalizer's
 * steps.  A typed value the normalizer flags (month 13, unknown sex, a
 * 5-digit code) or that normalizes to nothing is refused with DG_EUSAGE,
 * unless as_is is set: then the typed value is stored verbatim (detail
 * NULL) after the review-correct step alone.
 */
typedef struct arc_review_req {
    const char *verb;
    const char *operator_name; /* required: who decides */
    int candidate;             /* pick: rank, 1 = best */
    const char *value;         /* correct */
    const char *why;           /* reject (required), optional note otherwise */
    int64_t expect_version;    /* -1: any; else refuse if the item moved on since */
    int as_is;                 /* correct on a field item: store value verbatim */
    /* A match decision's mapping rule may be limited to records enrolled
     * (else graduated) in [year_from, year_to] and/or of one department;
     * 0 / NULL: unlimited. */
    int year_from, year_to;
    const char *department;
} arc_review_req;

/*
 * Apply req to review item `item` in one BEGIN IMMEDIATE transaction: the
 * field changes (accept/pick/correct -> 'verified', reject -> 'rejected'),
 * the item's version is bumped and a review_decision row keeps operator,
 * time and the state/value before and after.  *decision (may be NULL) gets
 * the new decision's id.  DG_ECONFLICT when the item was already decided
 * (the message names who and when), DG_ENOTFOUND for an unknown item,
 * DG_EUSAGE for a verb that does not apply to the item's kind.
 */
int arc_review_decide(sqlite3 *db, int64_t item, const arc_review_req *req, int64_t *decision,
                      dg_err *err);

/* Crop a field's box from the original scan into png (see arc_review_crop
 * for the checks). */
int arc_field_crop(sqlite3 *db, int64_t field, int margin, const char *png, dg_err *err);

/* ---- the review queue as the web workbench reads it (review_queue.c) ---- */

/* A queue row: the item as arc_review_list reads it, with where it is:
 * batch, scan file, page. */
typedef struct arc_queue_row {
    arc_review_row item;
    int64_t page_id, batch; /* 0: none */
    int page;               /* 1-based page of the scan */
    char *file;                     /* the scan's path as ingested, "" none */
    int version;
    char *decided_by; /* operator of the latest decision, "" none */
} arc_queue_row;

typedef struct arc_queue_rows {
    arc_queue_row *v;
    size_t n;
    size_t total; /* items matching the filter (more than n when limited) */
} arc_queue_rows;

enum { ARC_QUEUE_GROUPED = 0, ARC_QUEUE_P_ASC, ARC_QUEUE_P_DESC };

typedef struct arc_queue_opts {
    const char *reason; /* NULL/"": any; else the reason or the kind */
    const char *key;    /* NULL/"": any field key */
    int all;            /* decided items too */
    int sort;           /* ARC_QUEUE_*: by batch, file, page, key, reason, id; or by p */
    size_t limit;       /* 0: no limit */
    int next_open_only; /* arc_review_queue_near: only next_open is wanted */
} arc_queue_opts;

/* The queue's items (see arc_queue_opts) into *out; release with
 * arc_queue_rows_release on success.  Does not refresh the queue. */
int arc_review_queue(sqlite3 *db, const arc_queue_opts *o, arc_queue_rows *out, dg_err *err);
void arc_queue_rows_release(arc_queue_rows *rows);

/* Where item stands in the queue's order under o (o->limit ignored): the
 * items before and after it, and the first open item after it other than
 * itself (wrapping to the start; 0 when none is open). */
typedef struct arc_queue_near {
    int64_t prev, next, next_open; /* 0: none */
} arc_queue_near;
int arc_review_queue_near(sqlite3 *db, const arc_queue_opts *o, int64_t item,
                          arc_queue_near *near, dg_err *err);

/* arc_review_refresh unless no stage has run since the call that left
 * *mark (start with -1): the queue only grows when a stage (normalize,
 * load, qa, extract) writes, and each writes a run row.  While a run is
 * under way it refreshes every time. */
int arc_review_refresh_since(sqlite3 *db, int64_t *mark, dg_err *err);

/* What `correct` on field item `item` would store for value (the key's
 * normalizer with the record's context year) into *normalized (caller
 * frees).  DG_EUSAGE with the normalizer's reason when it would be refused;
 * DG_ENOTFOUND when item is no field item.  The decision itself still
 * checks the record's other dates. */
int arc_review_preview(sqlite3 *db, int64_t item, const char *value, char **normalized,
                       dg_err *err);

/* arc_review_crop into memory: *png (caller frees) of *len bytes. */
int arc_review_crop_png(sqlite3 *db, int64_t item, int margin, unsigned char **png,
                        size_t *len, dg_err *err);
/* arc_field_crop into memory. */
int arc_field_crop_png(sqlite3 *db, int64_t field, int margin, unsigned char **png, size_t *len,
                       dg_err *err);

/* A conflict item's other side: the crop of the field the archived study's
 * value of the same key came from (provenance), into memory.  DG_ENOTFOUND
 * for an item that is no conflict. */
int arc_review_conflict_crop_png(sqlite3 *db, int64_t item, int margin, unsigned char **png,
                                 size_t *len, dg_err *err);

/* ---- a page with its fields' boxes (page_view.c; the workbench's page view) ---- */

typedef struct arc_pv_field {
    int64_t id, record;
    int row_no; /* ledger row (1-based), 0 for a card */
    char *key, *value, *state; /* value "" when none */
    int x, y, w, h;            /* in the scan's pixels */
    int has_p;
    double p;
    int64_t item;     /* the latest review item on the field, 0: none */
    char *item_state; /* its state ("open", "accepted" ...), "" none */
    int64_t study;    /* the archived study its value went to, 0: not loaded */
} arc_pv_field;

typedef struct arc_page_view {
    int64_t page, file, batch, prev, next; /* prev/next: neighbouring pages, 0 none */
    int page_index, width, height;         /* 0-based page of the scan; pixels */
    char *path, *form;                     /* the scan as ingested; template or "" */
    arc_pv_field *v;                       /* by record, then top to bottom */
    size_t n;
} arc_page_view;

/* Page `page` with every field of every record on it into *v (release with
 * arc_page_view_release on success).  DG_ENOTFOUND for an unknown page. */
int arc_page_view_read(sqlite3 *db, int64_t page, arc_page_view *v, dg_err *err);
void arc_page_view_release(arc_page_view *v);
/* The page a record was read from.  DG_ENOTFOUND for an unknown record. */
int arc_record_page(sqlite3 *db, int64_t record, int64_t *page, dg_err *err);
/* The whole page cut from the original scan as PNG in memory (*png: caller
 * frees), with the checks of arc_review_crop. */
int arc_page_png(sqlite3 *db, int64_t page, unsigned char **png, size_t *len, dg_err *err);
/* The page shrunk to at most `width` pixels across (factor width / page
 * width, never enlarged) as JPEG (*jpeg: caller frees), for the page view:
 * a full scan is megabytes.  DG_ENOTFOUND for an unknown page. */
int arc_page_jpeg(sqlite3 *db, int64_t page, int width, unsigned char **jpeg, size_t *len,
                  dg_err *err);

/* ---- QA sampling: the archival acceptance check (抽检) ----------------------- */

/*
 * Values nobody looked at (fields in state 'auto', of loaded records too)
 * are checked by sampling: a random share of each batch goes to the review
 * queue as field items with reason 'qa', the operator settles them as usual
 * (accept: the value was right; correct or reject: it was wrong), and the
 * report estimates each batch's error rate from the settled ones.
 */
typedef struct arc_qa_opts {
    double rate;               /* (0, 1]: share of the unsampled values drawn */
    int64_t batch;             /* 0: every batch */
    uint64_t seed;             /* used when has_seed */
    int has_seed;              /* 0: a seed is drawn from the OS (and reported) */
    const char *operator_name; /* who draws; NULL: the OS user */
} arc_qa_opts;

/* ARC_QA_MAX_SEED: seeds are kept below 2^53 so JSON readers keep them exact. */
#define ARC_QA_MAX_SEED 9007199254740991ULL

typedef struct arc_qa_batch_draw {
    int64_t batch;
    long unsampled; /* auto-verified values not sampled before this draw */
    long before;    /* values sampled by earlier draws */
    long drawn;
} arc_qa_batch_draw;

typedef struct arc_qa_draw {
    uint64_t seed;
    double rate;
    int64_t run_id; /* the run row holding rate, seed and counts */
    long drawn;     /* over all batches */
    arc_qa_batch_draw *v;
    size_t n;
} arc_qa_draw;

/*
 * Draw ceil(rate * unsampled) values (at least 1 where there are any) of
 * each batch in scope, uniformly with a generator seeded by the seed and
 * the batch id (the same seed on the same workspace draws the same values),
 * record each in qa_sample and raise its review item (kind 'field', reason
 * 'qa'), all in one BEGIN IMMEDIATE transaction: a concurrent draw waits and
 * then sees these as sampled, and qa_sample's UNIQUE field_id refuses a
 * second sample of a value.  Fields with a field review item of their own
 * are not drawn.  DG_EUSAGE for a rate outside (0, 1] or a seed over
 * ARC_QA_MAX_SEED, DG_ENOTFOUND for an unknown batch.  Release *out with
 * arc_qa_draw_release on success.
 */
int arc_qa_sample(sqlite3 *db, const arc_qa_opts *opts, arc_qa_draw *out, dg_err *err);
void arc_qa_draw_release(arc_qa_draw *d);
/* {"seed","rate","run","drawn","batches":[{"batch","unsampled","before","drawn"}]} */
int arc_qa_draw_json(const arc_qa_draw *d, dg_buf *out);

/* What the settled samples of a batch say about its target, strongest first. */
typedef enum arc_qa_verdict {
    ARC_QA_ABOVE,       /* the interval's lower bound exceeds the target: flagged */
    ARC_QA_SUSPECT,     /* the estimate exceeds the target, the interval reaches under it */
    ARC_QA_TOO_FEW,     /* the interval still reaches over the target: too few settled */
    ARC_QA_WITHIN,      /* the whole interval is at or under the target */
    ARC_QA_NOT_SAMPLED, /* nothing drawn yet */
} arc_qa_verdict;

/* "above target", "suspect", ... for text. */
const char *arc_qa_verdict_name(arc_qa_verdict v);

typedef struct arc_qa_batch {
    int64_t batch;
    long auto_verified; /* values in state 'auto' now, or drawn while they were */
    long sampled, settled, wrong;
    double error_rate;  /* wrong / settled, 0 when none settled */
    double lower, upper; /* 95% Wilson score interval (0, 1 when none settled) */
    arc_qa_verdict verdict;
    long needed;         /* TOO_FEW: settled samples, with no further error, that would
                            put the interval under the target; 0 otherwise */
    long archived_wrong; /* wrong values of loaded records the archive still holds */
} arc_qa_batch;

typedef struct arc_qa_report {
    double target_error; /* from qa.conf (default 0.005) */
    arc_qa_batch *v;     /* batches with auto-verified values, by id */
    size_t n;
    long flagged, suspect;
} arc_qa_report;

/* The default target error for auto-verified values (configs/qa.conf). */
#define ARC_QA_TARGET_ERROR 0.005

/*
 * The QA state of each batch (batch 0: all that have auto-verified values)
 * with the target error of conf_path (NULL: <configs>/qa.conf; a missing
 * file: the default; a bad line: DG_EINPUT naming file and line).  A sample
 * is settled once its item is decided: accepted is right, rejected or
 * corrected to another value is wrong.  DG_ENOTFOUND for an unknown batch.
 * Release *r with arc_qa_report_release on success.
 */
int arc_qa_report_read(sqlite3 *db, int64_t batch, const char *conf_path, arc_qa_report *r,
                       dg_err *err);
void arc_qa_report_release(arc_qa_report *r);
/* {"target_error","confidence","flagged","suspect","batches":[{...}]} (no newline). */
int arc_qa_report_json(const arc_qa_report *r, dg_buf *out);

/* The 95% Wilson score interval of wrong out of n (n 0: [0, 1]). */
void arc_qa_wilson(long wrong, long n, double *lower, double *upper);

#endif
