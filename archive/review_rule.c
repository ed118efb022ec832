/*
 * review_rule.c - a new mapping rule settles the same name elsewhere: a
 * match decision that adds a rule accepts the other open match items whose
 * major reads as the rule's name, each as a decision row of its own.
 */
#include "review_decide.h"

#include <stdlib.h>
#include <string.h>

/* Open match items of records not yet loaded whose major reads exactly as
 * the rule's name, within the rule's years (enrolment, else graduation),
 * with the rule's department and the record's (its field, else the page
 * header's as read) for rule_propagate to compare normalized: the operator
 * settled that name once, not row by row. */
#define RECORD_FIELD(k)                                                                           \
    "(SELECT value FROM field WHERE record_id = r.id AND key = '" k "' AND state IN "              \
    "('auto', 'verified'))"
static const char same_name_sql[] =
    "SELECT i.id, m.department, coalesce(" RECORD_FIELD("department") ", "
    "     (SELECT json_extract(header, '$.department.raw') FROM page_form "
    "      WHERE page_id = r.page_id AND json_valid(header))) "
    "FROM review_item i JOIN field f ON f.id = i.field_id "
    "JOIN record r ON r.id = f.record_id JOIN mapping_rule m ON m.id = ?1 "
    "WHERE i.kind = 'match' AND i.state = 'open' AND i.id <> ?2 AND r.state <> 'loaded' "
    "AND coalesce(f.value, f.raw, '') = m.name_norm "
    "AND (m.year_from IS NULL AND m.year_to IS NULL OR "
    "     CAST(substr(coalesce(" RECORD_FIELD("enroll_date") ", " RECORD_FIELD("grad_date")
    "), 1, 4) AS INTEGER) BETWEEN coalesce(m.year_from, 0) AND coalesce(m.year_to, 9999)) "
    "ORDER BY i.id";

/* 1 when the record's department text is the rule's department once
 * normalized as the stage normalizes departments (a ledger's header says
 * 化學系, the rule 化学系); a rule without a department fits every one. */
static int department_fits(norm_ctx *norm, const char *rule_dept, const char *record_dept,
                           int *fits, dg_err *err)
{
    *fits = !rule_dept || !rule_dept[0];
    if (*fits || !record_dept || !record_dept[0])
        return DG_OK;
    if (!norm) { /* not opened for this verb: the texts as they are */
        *fits = strcmp(rule_dept, record_dept) == 0;
        return DG_OK;
    }
    norm_result r;
    int rc = norm_text(norm, record_dept, &r, err);
    *fits = !rc && r.value && strcmp(r.value, rule_dept) == 0;
    norm_result_release(&r);
    return rc;
}

static int rule_settle_item(sqlite3 *db, int64_t item, const item_row *source, int64_t rule,
                            const char *op, dg_err *err)
{
    item_row it;
    snap before, after = {0};
    char code[32], name[256], note[128];
    int rc = arc_rd_item_load(db, item, &it, err);
    if (rc)
        return rc;
    rc = arc_rd_snap_take(db, &it, &before, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = db_prepare(db, "SELECT m.code, coalesce(f.match_name, d.name, '') FROM mapping_rule m "
                        "JOIN field f ON f.id = m.source_field LEFT JOIN discipline d ON "
                        "d.code = m.code AND d.edition = (SELECT edition FROM catalog_edition "
                        "ORDER BY year_from DESC LIMIT 1) WHERE m.id = ?1", &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, rule);
        rc = sqlite3_step(st) == SQLITE_ROW ? DG_OK : db_fail(db, err, "cannot read the rule");
        if (!rc) {
            arc_rd_copy_col(st, 0, code, sizeof code);
            arc_rd_copy_col(st, 1, name, sizeof name);
        }
        sqlite3_finalize(st);
    }
    snprintf(note, sizeof note, "settled by mapping rule %lld (review item %lld)",
             (long long)rule, (long long)source->id);
    if (!rc)
        rc = arc_rd_set_match(db, it.field_id, code, name, "rule", rule, err);
    if (!rc)
        rc = arc_rd_snap_take(db, &it, &after, err);
    if (!rc)
        rc = arc_rd_item_bump_checked(db, &it, "accepted", err);
    if (!rc) {
        decision_row d = {"accept", op, it.state, "accepted", note, &before, &after, rule, 0, 0};
        rc = arc_rd_decision_insert(db, &it, &d, NULL, err);
    }
    arc_rd_snap_release(&before);
    arc_rd_snap_release(&after);
    return rc;
}

int arc_rd_rule_propagate(sqlite3 *db, norm_ctx *norm, const item_row *source, int64_t rule,
                          const char *op, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, same_name_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, rule);
    sqlite3_bind_int64(st, 2, source->id);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc = DG_OK, fits = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        rc = department_fits(norm, (const char *)sqlite3_column_text(st, 1),
                             (const char *)sqlite3_column_text(st, 2), &fits, err);
        if (rc || !fits)
            continue;
        if (n == cap) {
            int64_t *more = realloc(ids, (cap = cap ? 2 * cap : 64) * sizeof *ids);
            if (!more) {
                rc = dg_err_set(err, DG_ENOMEM, "out of memory settling items by rule");
                break;
            }
            ids = more;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < n && !rc; i++)
        if (rule_settle_item(db, ids[i], source, rule, op, err))
            rc = err ? err->code : DG_ERR;
    free(ids);
    return rc;
}
