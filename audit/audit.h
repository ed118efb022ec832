/*
 * audit.h - the tamper-evident history of the archive: one append-only hash
 * chain of events (table audit_event, migration 008), and its verification.
 *
 * Every event that changes or discloses the archive is a row: seq (1, 2, ...
 * without gaps), at (UTC), who, kind, subject, content (canonical JSON: an
 * object, keys sorted, no whitespace), prev_hash (the hash of row seq-1,
 * AUDIT_GENESIS for seq 1) and
 *
 *   hash = SHA-256(prev_hash || {"at":..,"content":..,"kind":..,"seq":..,
 *                                "subject":..,"who":..})
 *
 * (the envelope is canonical JSON too; content goes in as stored).  An event
 * about rows of the archive carries them: content {"rows":{TABLE:{column:
 * value, ...}}, ...}, each row as audit_row_json makes it, so verification
 * can tell a value that no event explains.  An event is appended inside the
 * transaction of the change it records.
 *
 * Knows SQLite and common/ only: schema/ links it so stage runs are chained
 * where they are recorded (db_run_begin / db_run_end).
 */
#ifndef DANGAN_AUDIT_H
#define DANGAN_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

typedef struct sqlite3 sqlite3;

/* prev_hash of the first event. */
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The tables whose every row must be explained by the newest event that
 * carries it (content.rows.TABLE with the row's id). */
extern const char *const audit_row_tables[];
extern const size_t audit_nrow_tables;
/* The SELECT list of what an event records of TABLE's rows ("*", or for
 * app_user the columns that only change with an event, the password hash as
 * its SHA-256 through the SQL function audit_sha256, which this registers on
 * db).  Static text. */
const char *audit_row_columns(sqlite3 *db, const char *table);

/*
 * Canonical form of the JSON text json[0..len): objects with their members
 * sorted by key (bytes of the UTF-8 key, unescaped), no whitespace, strings
 * escaped as dg_buf_json_str escapes them, numbers as written (checked
 * against the JSON grammar).  Appends to out.  DG_EINPUT (naming the
 * offset) for text that is not JSON, a duplicate key, a \u0000 or nesting
 * deeper than 64.
 */
int audit_canon(const char *json, size_t len, dg_buf *out, dg_err *err);

/* The hash of an event (see above) into out (64 hex digits and NUL). */
int audit_event_hash(const char *prev_hash, int64_t seq, const char *at, const char *who,
                     const char *kind, const char *subject, const char *content, char out[65]);

/*
 * Who may be named in the chain and the logs: 1-128 bytes of valid UTF-8
 * without control characters (a newline in an operator name would forge
 * lines of `dangan log`).  DG_EUSAGE with a message naming the problem.
 */
int audit_check_who(const char *who, dg_err *err);

/*
 * Append an event: who (NULL: the OS user, dg_os_user), kind ("ingest",
 * "run", "decision", "load", "link", "rekey", "access", ...: a word),
 * subject ("file:12", "study_record:3", ...; may be ""), content_json (a
 * JSON object, canonicalized here; NULL: {}).  Inside the caller's
 * transaction when one is open (the event commits or rolls back with the
 * change it records), else in one BEGIN IMMEDIATE of its own.  *seq (may
 * be NULL) gets the event's number.  DG_EUSAGE for a bad who or kind,
 * DG_EINPUT for content that is not a JSON object, DG_EDB.
 */
int audit_append(sqlite3 *db, const char *who, const char *kind, const char *subject,
                 const char *content_json, int64_t *seq, dg_err *err);

/*
 * Many appends under one write lock (a merge appending a shard's history):
 * begin reads the head once and prepares the insert; each add is
 * audit_append's check, canonical form and hash, in the caller's
 * transaction, which must be open (BEGIN IMMEDIATE) from begin to free and
 * must not append by other means in between.  Free with audit_batch_free
 * (NULL-safe); it neither commits nor rolls back.
 */
typedef struct audit_batch audit_batch;
int audit_batch_begin(sqlite3 *db, audit_batch **out, dg_err *err);
int audit_batch_add(audit_batch *b, const char *who, const char *kind, const char *subject,
                    const char *content_json, int64_t *seq, dg_err *err);
/* audit_append_rows through the batch: the rows' SELECTs prepared once. */
int audit_batch_add_rows(audit_batch *b, const char *who, const char *kind,
                         const char *const *tables, const int64_t *ids, size_t n,
                         const char *extra_json, dg_err *err);
void audit_batch_free(audit_batch **b);

/*
 * The row of `table` (a name of ours, never input) with rowid `id` as a
 * canonical JSON object {column: value} (every column; integers and reals
 * as numbers, text as strings, NULL as null, blobs as hex strings),
 * appended to out.  DG_ENOTFOUND when there is no such row.
 */
int audit_row_json(sqlite3 *db, const char *table, int64_t id, dg_buf *out, dg_err *err);

/*
 * The usual event about archive rows: content {"rows":{TABLE_i: row of
 * ids[i]}} plus the members of extra_json (a JSON object or NULL), subject
 * "TABLE_0:ID_0".  What load, review decisions, the access log and (later)
 * amendments call after writing the rows, in the same transaction.
 */
int audit_append_rows(sqlite3 *db, const char *who, const char *kind, const char *const *tables,
                      const int64_t *ids, size_t n, const char *extra_json, dg_err *err);

/*
 * Columns holding a JSON array of another table's ids as text (field.words:
 * ocr_word ids; access_log.shown: study_record ids): the table whose ids,
 * or NULL.  A merge moves them with that table's offset, and verify remaps
 * merged events' rows the same way (audit_json_ids_sql: into b, the SQL
 * expression of src, such a text, with off added to each integer).
 */
const char *audit_json_ids_of(const char *table, const char *col);
int audit_json_ids_sql(dg_buf *b, const char *src, long long off);

/* The chain's head: the newest event (seq 0 and AUDIT_GENESIS when empty). */
typedef struct audit_head {
    int64_t seq;
    char hash[65];
} audit_head;

int audit_head_read(sqlite3 *db, audit_head *h, dg_err *err);
/* "SEQ:HASH" (what `dangan audit anchor` prints) into *h; DG_EUSAGE otherwise. */
int audit_anchor_parse(const char *s, audit_head *h, dg_err *err);

/*
 * Record the rows the archive already holds (every table of
 * audit_row_tables) as "adopt" events: run once, by migration 008, on a
 * database that had an archive before it was chained.  A table of the list
 * that a later migration creates (amendment, 009; certificate, 012) does not exist yet
 * then and is skipped.
 */
int audit_adopt(sqlite3 *db, dg_err *err);
/* The same for one table (migration 020: the users, chained row by row
 * only since then). */
int audit_adopt_table(sqlite3 *db, const char *table, dg_err *err);

/* ---- verification ---------------------------------------------------------------- */

/* What verification found, one finding each. */
typedef struct audit_finding {
    char *what;   /* "chain", "anchor", "trigger", "row" */
    int64_t seq;  /* the event concerned, 0: none */
    char *detail; /* one line for a person */
} audit_finding;

typedef struct audit_report {
    int64_t events;       /* rows in the chain */
    audit_head head;      /* as stored */
    int anchored;         /* an anchor was checked */
    int64_t rows_checked; /* archive rows compared with their events */
    audit_finding *v;
    size_t n;
} audit_report;

/*
 * Walk the chain (seq, prev_hash and hash of every row: the first row
 * edited, deleted or reordered is named, then the walk stops), check the
 * anchor when given (the event at anchor->seq must still hash to
 * anchor->hash and the chain up to it must be whole), check that the
 * append-only triggers exist, and compare every row of audit_row_tables
 * with the newest event that carries it (a row no event carries, a row
 * deleted, a column whose value differs), and the chains of merged shards
 * (their events kept in audit_merged, each shard's ending at the head its
 * merge event names; their rows compared in archive ids, audit/merged.c).
 * Tampering is reported in *r (r->n > 0), not as an error: the status is
 * DG_OK unless verification itself could not run.  Release *r with
 * audit_report_release.
 */
int audit_verify(sqlite3 *db, const audit_head *anchor, audit_report *r, dg_err *err);
void audit_report_release(audit_report *r);
/* {"intact":B,"events":N,"head":{"seq","hash"},"anchored":B,"rows_checked":N,
 *  "findings":[{"what","seq","detail"}]} (no newline). */
int audit_report_json(const audit_report *r, dg_buf *out);

#endif
