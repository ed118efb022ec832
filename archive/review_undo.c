/*
 * review_undo.c - undoing an operator's latest decision on a review item
 * (arc_review_decide with verb "undo").  Undo restores the "before"
 * snapshot of the latest decision not yet undone, only while the field is
 * still as that decision left it and its record is not loaded, and is
 * itself a decision row.
 */
#include "review_decide.h"

#include <stdlib.h>
#include <string.h>

typedef struct last_decision {
    int64_t id, rule_id;
    char item_before[16], verb[16];
    snap before, after;
} last_decision;

static int last_load(sqlite3 *db, const item_row *it, last_decision *ld, dg_err *err)
{
    sqlite3_stmt *st;
    memset(ld, 0, sizeof *ld);
    if (db_prepare(db, "SELECT id, coalesce(rule_id, 0), item_before, before_state, "
                       "before_value, before_match, after_state, after_value, after_match, verb "
                       "FROM review_decision d WHERE item_id = ?1 AND verb != 'undo' AND NOT "
                       "EXISTS (SELECT 1 FROM review_decision u WHERE u.undoes = d.id) "
                       "ORDER BY id DESC LIMIT 1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, it->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        ld->id = sqlite3_column_int64(st, 0);
        ld->rule_id = sqlite3_column_int64(st, 1);
        arc_rd_copy_col(st, 2, ld->item_before, sizeof ld->item_before);
        ld->before = (snap){arc_rd_col_dup(st, 3), arc_rd_col_dup(st, 4),
                            arc_rd_col_dup(st, 5)};
        ld->after = (snap){arc_rd_col_dup(st, 6), arc_rd_col_dup(st, 7), arc_rd_col_dup(st, 8)};
        arc_rd_copy_col(st, 9, ld->verb, sizeof ld->verb);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return dg_err_set(err, DG_ENOTFOUND, "review item %lld has no decision to undo",
                          (long long)it->id);
    return rc == SQLITE_ROW ? DG_OK : db_fail(db, err, "cannot read decisions");
}

/* Do the match snapshots now and then agree?  A snapshot taken before
 * value_detail was recorded has no "detail": it is not compared then. */
static int match_same(sqlite3 *db, const char *now, const char *then)
{
    if (dg_str_same(now, then) || !now || !then)
        return dg_str_same(now, then);
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT json_extract(?1, '$.decision') IS json_extract(?2, '$.decision') "
                       "AND json_extract(?1, '$.code') IS json_extract(?2, '$.code') "
                       "AND json_extract(?1, '$.name') IS json_extract(?2, '$.name') "
                       "AND json_extract(?1, '$.rule') IS json_extract(?2, '$.rule') "
                       "AND (json_type(?2, '$.detail') IS NULL OR "
                       "json_extract(?1, '$.detail') IS json_extract(?2, '$.detail'))",
                   &st, NULL))
        return 0;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, then, -1, SQLITE_TRANSIENT);
    int same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return same;
}

/* Undo only what is still as the decision left it, and never under a value
 * that is already in the archive. */
static int undo_allowed(sqlite3 *db, const item_row *it, const last_decision *ld,
                        const snap *now, dg_err *err)
{
    if (!dg_str_same(now->state, ld->after.state) || !dg_str_same(now->value, ld->after.value) ||
        !match_same(db, now->match, ld->after.match))
        return dg_err_set(err, DG_ECONFLICT, "cannot undo decision #%lld of review item %lld: "
                          "the %s changed after it; run 'dangan review show %lld'",
                          (long long)ld->id, (long long)it->id, it->field_id ? "field" : "page",
                          (long long)it->id);
    if (arc_amend_undo_check(db, it->id, ld->id, err))
        return DG_ECONFLICT;
    int64_t study = 0;
    sqlite3_stmt *st;
    if (it->record_id && db_prepare(db, "SELECT study_id FROM study_source WHERE record_id = ?1",
                                    &st, NULL) == 0) {
        sqlite3_bind_int64(st, 1, it->record_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            study = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (study)
        return dg_err_set(err, DG_ECONFLICT, "cannot undo decision #%lld of review item %lld: "
                          "record %lld is already loaded as study record %lld",
                          (long long)ld->id, (long long)it->id, (long long)it->record_id,
                          (long long)study);
    return DG_OK;
}

/*
 * Put the field back as the "before" snapshot has it (value_detail only
 * when the snapshot recorded it) and, for a correction (or a pick, which is
 * one), drop the steps it
 * appended: everything from the latest review-correct step on.  Undo goes
 * latest-first and is refused once the field moved on, so those steps are
 * this decision's; the stage's own steps before them stay.
 */
static int restore(sqlite3 *db, const item_row *it, const last_decision *ld, dg_err *err)
{
    if (it->field_id &&
        arc_rd_exec_bind(db, "UPDATE field SET state = ?1, value = ?2, "
                             "match_decision = json_extract(?3, '$.decision'), "
                             "match_code = json_extract(?3, '$.code'), "
                             "match_name = json_extract(?3, '$.name'), "
                             "match_rule = json_extract(?3, '$.rule'), "
                             "value_detail = CASE WHEN json_type(?3, '$.detail') IS NULL "
                             "THEN value_detail ELSE json_extract(?3, '$.detail') END "
                             "WHERE id = ?4",
                         ld->before.state, ld->before.value, ld->before.match, it->field_id, err))
        return DG_EDB;
    if (it->field_id && strcmp(it->kind, "field") == 0 &&
        (strcmp(ld->verb, "correct") == 0 || strcmp(ld->verb, "pick") == 0) &&
        arc_rd_exec_bind(db, "DELETE FROM field_step WHERE field_id = ?4 AND seq >= "
                             "(SELECT max(seq) FROM field_step WHERE field_id = ?4 AND rule "
                             "IN (?1, ?2))",
                         ARC_STEP_CORRECT, ARC_STEP_CORRECT_AS_IS, NULL, it->field_id, err))
        return DG_EDB;
    if (ld->rule_id && arc_rd_exec_bind(db, "UPDATE mapping_rule SET active = 0 WHERE id = ?4",
                                        NULL, NULL, NULL, ld->rule_id, err))
        return DG_EDB;
    return DG_OK;
}

int arc_rd_undo(sqlite3 *db, const item_row *it, const arc_review_req *req, int64_t *id,
                dg_err *err)
{
    if (req->expect_version >= 0 && req->expect_version != it->version)
        return arc_rd_refuse_decided(db, it, "changed since you looked at it (last decision", err);
    last_decision ld;
    snap now = {0};
    int rc = last_load(db, it, &ld, err);
    if (rc == DG_OK)
        rc = arc_rd_snap_take(db, it, &now, err);
    if (rc == DG_OK)
        rc = undo_allowed(db, it, &ld, &now, err);
    if (rc == DG_OK)
        rc = restore(db, it, &ld, err);
    if (rc == DG_OK)
        rc = arc_rd_item_bump_checked(db, it, ld.item_before, err);
    if (rc == DG_OK) {
        decision_row d = {"undo", req->operator_name, it->state, ld.item_before, req->why,
                          &now, &ld.before, 0, ld.id, 0};
        rc = arc_rd_decision_insert(db, it, &d, id, err);
    }
    arc_rd_snap_release(&ld.before);
    arc_rd_snap_release(&ld.after);
    arc_rd_snap_release(&now);
    return rc;
}
