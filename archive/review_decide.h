/*
 * review_decide.h - what the files behind arc_review_decide share:
 * review_decide.c (accept, pick, correct, reject, and the helpers below),
 * review_undo.c (undo) and review_rule.c (a new mapping rule settling the
 * same name elsewhere).  Private to the three; every function runs inside
 * the decision's transaction.
 */
#ifndef DANGAN_REVIEW_DECIDE_H
#define DANGAN_REVIEW_DECIDE_H

#include "archive_internal.h"

/* The review item as the decision found it. */
typedef struct item_row {
    int64_t id, field_id, record_id, page_id, version;
    char kind[16], state[16];
} item_row;

/* Field (or page) state, value and match columns at one moment; match is
 * JSON {decision, code, name, rule, detail} (detail: field.value_detail,
 * absent from snapshots taken before it was recorded). */
typedef struct snap {
    char *state, *value, *match;
} snap;

/* One review_decision row: verb, operator, the item's state before and
 * after, the field's snapshots, and what it made or undoes. */
typedef struct decision_row {
    const char *verb, *op, *item_before, *item_after, *note;
    const snap *before, *after;
    int64_t rule_id, undoes;
    int candidate;
} decision_row;

/* Free a snapshot's strings and zero it. */
void arc_rd_snap_release(snap *s);
/* Column i as a new string (NULL for NULL); caller frees. */
char *arc_rd_col_dup(sqlite3_stmt *st, int i);
/* Column i into out[n], "" for NULL, cut to fit. */
void arc_rd_copy_col(sqlite3_stmt *st, int i, char *out, size_t n);
/* The review item id; DG_ENOTFOUND when there is none. */
int arc_rd_item_load(sqlite3 *db, int64_t id, item_row *it, dg_err *err);
/* The item's field (or page) as it is now; release with arc_rd_snap_release. */
int arc_rd_snap_take(sqlite3 *db, const item_row *it, snap *s, dg_err *err);
/* Run one write statement with up to three text binds (?1-?3, NULL: unbound)
 * and one int bind (?4). */
int arc_rd_exec_bind(sqlite3 *db, const char *sql, const char *t1, const char *t2,
                     const char *t3, int64_t i4, dg_err *err);
/* DG_ECONFLICT naming who decided the item last and when. */
int arc_rd_refuse_decided(sqlite3 *db, const item_row *it, const char *why, dg_err *err);
/* Record a settled match on the major field (decision "picked", "rule" ...). */
int arc_rd_set_match(sqlite3 *db, int64_t field, const char *code, const char *name,
                     const char *decision, int64_t rule, dg_err *err);
/* Append the decision row and its audit event; *id (may be NULL) its id. */
int arc_rd_decision_insert(sqlite3 *db, const item_row *it, const decision_row *d, int64_t *id,
                           dg_err *err);
/* Move the item to state and bump its version; DG_ECONFLICT when another
 * writer moved it first. */
int arc_rd_item_bump_checked(sqlite3 *db, const item_row *it, const char *state, dg_err *err);

/* Settle the other open match items the new rule fits (review_rule.c). */
int arc_rd_rule_propagate(sqlite3 *db, norm_ctx *norm, const item_row *source, int64_t rule,
                          const char *op, dg_err *err);
/* Undo the item's latest decision not yet undone (review_undo.c). */
int arc_rd_undo(sqlite3 *db, const item_row *it, const arc_review_req *req, int64_t *id,
                dg_err *err);

#endif
