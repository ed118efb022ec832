/*
 * test_review.c - the review queue, load and provenance driven through the
 * library on the fixture workspace (fixture.c): each review verb and its
 * undo, corrections normalized like the stage (refused when the normalizer
 * flags them, stored verbatim with --as-is, steps undone), refusing a
 * second decision, load linking the card and the ledger
 * row of the same person, a conflict item when they disagree, loading twice
 * changing nothing, and provenance down to the file and the box; a field
 * item listing what its readers read (weighed candidates, else the raw
 * readings) and pick taking one of them as a correction would.
 *
 * usage: test_review WORKDIR            run the tests
 *        test_review fixture DB WORKDIR build the fixture only (shell tests)
 */
#include <leptonica/allheaders.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "review_fixture.h"
#include "testlib.h"

static int64_t q_int(sqlite3 *db, const char *sql)
{
    int64_t v = -1;
    db_query_int(db, sql, &v, NULL);
    return v;
}

/* One text value of a query (static buffer: tests are single-threaded). */
static const char *q_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st;
    snprintf(out, n, "(none)");
    if (db_prepare(db, sql, &st, NULL))
        return out;
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, n, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
                                                          : "(null)");
    sqlite3_finalize(st);
    return out;
}

static int decide(sqlite3 *db, int64_t item, const char *verb, int cand, const char *value,
                  const char *why, dg_err *err)
{
    arc_review_req r = {verb, "tester", cand, value, why, -1, 0, 0, 0, NULL};
    return arc_review_decide(db, item, &r, NULL, err);
}

static int correct_as_is(sqlite3 *db, int64_t item, const char *value, dg_err *err)
{
    arc_review_req r = {"correct", "tester", 0, value, NULL, -1, 1, 0, 0, NULL};
    return arc_review_decide(db, item, &r, NULL, err);
}

/* A field's steps as "rule:before>after|..." in order. */
static const char *steps_of(sqlite3 *db, int field, char *out, size_t n)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT coalesce(group_concat(rule || ':' || before || '>' || "
             "after, '|'), '') FROM (SELECT * FROM field_step WHERE field_id = %d ORDER BY seq)",
             field);
    return q_text(db, sql, out, n);
}

static int64_t item_of_field(sqlite3 *db, int field, const char *kind)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT id FROM review_item WHERE field_id = %d AND kind = '%s'",
             field, kind);
    return q_int(db, sql);
}

static void test_queue(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    CHECK_INT(t, arc_review_refresh(db, &err), 0);
    CHECK_INT(t, arc_review_refresh(db, &err), 0);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_item"), 4);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_item WHERE kind = 'field'"), 2);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_item WHERE kind = 'match'"), 1);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_item WHERE kind = 'page'"), 1);
    char buf[256];
    CHECK_STR(t, q_text(db, "SELECT reason FROM review_item WHERE field_id = 4", buf, sizeof buf),
              "low_confidence");
    dg_buf b;
    dg_buf_init(&b, 0);
    CHECK_INT(t, arc_review_list_json(db, "low_confidence", 0, &b, &err), 0);
    CHECK_INT(t, arc_review_show_json(db, item_of_field(db, 5, "match"), &b, &err), 0);
    CHECK_INT(t, arc_review_show_json(db, 999, &b, &err), DG_ENOTFOUND);
    dg_buf_release(&b);
    arc_review_rows rows;
    CHECK_INT(t, arc_review_list(db, "low_confidence", 0, &rows, &err), 0);
    CHECK_INT(t, (long)rows.n, 1);
    arc_review_rows_release(&rows);
    arc_review_view v;
    CHECK_INT(t, arc_review_show(db, item_of_field(db, 5, "match"), &v, &err), 0);
    CHECK(t, v.has_field && v.ncandidates > 0);
    arc_review_view_release(&v);
    CHECK_INT(t, arc_review_show(db, 999, &v, &err), DG_ENOTFOUND);
}

/* review_item.qp is the field's p (migration 018): the queue by p walks an
 * index on it, so every write of field.p must reach it. */
static void test_queue_p(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    const char *stale = "SELECT count(*) FROM review_item i JOIN field f ON f.id = i.field_id "
                        "WHERE i.qp IS NOT f.p";
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_item WHERE field_id IS NOT NULL") >= 2, 1);
    CHECK_INT(t, q_int(db, stale), 0);
    CHECK_INT(t, db_exec(db, "CREATE TEMP TABLE p_was AS SELECT id, p FROM field", &err), 0);
    CHECK_INT(t, db_exec(db, "UPDATE field SET p = 0.25 WHERE id = 4", &err), 0);
    CHECK_INT(t, q_int(db, "SELECT qp = 0.25 FROM review_item WHERE field_id = 4 AND kind = "
                           "'field'"), 1);
    CHECK_INT(t, db_exec(db, "UPDATE field SET p = NULL WHERE id = 4", &err), 0);
    CHECK_INT(t, q_int(db, "SELECT qp IS NULL FROM review_item WHERE field_id = 4 AND kind = "
                           "'field'"), 1);
    CHECK_INT(t, db_exec(db, "UPDATE field SET p = 0.9 - id / 100.0", &err), 0);
    CHECK_INT(t, q_int(db, stale), 0);
    /* the library's order by p is the order of the field's p */
    arc_queue_opts o = {0};
    o.sort = ARC_QUEUE_P_ASC;
    o.all = 1;
    arc_queue_rows rows;
    CHECK_INT(t, arc_review_queue(db, &o, &rows, &err), 0);
    sqlite3_stmt *st;
    CHECK_INT(t, sqlite3_prepare_v2(db, "SELECT i.id FROM review_item i LEFT JOIN field f ON "
                                        "f.id = i.field_id ORDER BY f.p IS NULL, f.p, i.id",
                                    -1, &st, NULL), SQLITE_OK);
    size_t n = 0, same = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        same += n < rows.n && rows.v[n].item.id == sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_finalize(st);
    CHECK_INT(t, (long)rows.n, (long)n);
    CHECK_INT(t, (long)same, (long)n);
    arc_queue_rows_release(&rows);
    CHECK_INT(t, db_exec(db, "UPDATE field SET p = (SELECT w.p FROM p_was w WHERE w.id = "
                             "field.id); DROP TABLE p_was", &err), 0);
    CHECK_INT(t, q_int(db, stale), 0);
}

static void test_accept_undo(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    char buf[256];
    int64_t sex = item_of_field(db, 4, "field");
    /* a typed value the sex normalizer does not know is refused, nothing recorded */
    CHECK_INT(t, decide(db, sex, "correct", 0, "X", NULL, &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "unknown sex") != NULL);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_decision"), 0);
    /* --as-is belongs to correct only */
    arc_review_req as_is_accept = {"accept", "tester", 0, NULL, NULL, -1, 1, 0, 0, NULL};
    CHECK_INT(t, arc_review_decide(db, sex, &as_is_accept, NULL, &err), DG_EUSAGE);
    CHECK_INT(t, decide(db, sex, "accept", 0, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT state FROM field WHERE id = 4", buf, sizeof buf), "verified");
    /* a second decision on a decided item is refused, naming who decided */
    CHECK_INT(t, decide(db, sex, "reject", 0, NULL, "no", &err), DG_ECONFLICT);
    CHECK(t, strstr(err.msg, "already decided by tester") != NULL);
    CHECK_INT(t, decide(db, sex, "undo", 0, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT state FROM field WHERE id = 4", buf, sizeof buf), "review");
    CHECK_INT(t, decide(db, sex, "undo", 0, NULL, NULL, &err), DG_ENOTFOUND);
    CHECK_INT(t, decide(db, sex, "accept", 0, NULL, NULL, &err), 0);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_decision"), 3);
}

static void test_correct_reject(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    char buf[256];
    int64_t grad = item_of_field(db, 25, "field");
    /* an impossible date is refused and changes nothing */
    CHECK_INT(t, decide(db, grad, "correct", 0, "1985.13", NULL, &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "not a valid grad_date") != NULL);
    CHECK(t, strstr(err.msg, "--as-is") != NULL);
    CHECK_STR(t, q_text(db, "SELECT coalesce(value, 'NULL') || ' ' || state FROM field "
                            "WHERE id = 25", buf, sizeof buf), "NULL invalid");
    CHECK_STR(t, q_text(db, "SELECT state FROM review_item WHERE field_id = 25", buf, sizeof buf),
              "open");
    /* a valid date that does not fit the record's other dates (born 1963-01,
     * graduated 1960) is refused too, as the normalize stage would flag it */
    CHECK_INT(t, decide(db, grad, "correct", 0, "1960.11", NULL, &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "grad_before_age16") != NULL);
    CHECK(t, strstr(err.msg, "--as-is") != NULL);
    CHECK_STR(t, q_text(db, "SELECT coalesce(value, 'NULL') || ' ' || state FROM field "
                            "WHERE id = 25", buf, sizeof buf), "NULL invalid");
    /* what the operator types is normalized like the stage would, with its steps */
    CHECK_INT(t, decide(db, grad, "correct", 0, "1986.11", NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || state FROM field WHERE id = 25", buf,
                        sizeof buf), "1986-11 verified");
    steps_of(db, 25, buf, sizeof buf);
    CHECK_STR(t, buf, "review-correct:>1986.11|iso-date:1986.11>1986-11");
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM field_step WHERE field_id = 25"), 2);
    CHECK_STR(t, q_text(db, "SELECT after_value FROM review_decision ORDER BY id DESC LIMIT 1",
                        buf, sizeof buf), "1986-11");
    /* undo: value, state and steps as before the correction */
    CHECK_INT(t, decide(db, grad, "undo", 0, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT coalesce(value, 'NULL') || ' ' || state FROM field "
                            "WHERE id = 25", buf, sizeof buf), "NULL invalid");
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM field_step WHERE field_id = 25"), 0);
    /* --as-is stores exactly what was typed, marked as such */
    CHECK_INT(t, correct_as_is(db, grad, "85.13", &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || state || ' ' || coalesce(value_detail, "
                            "'NULL') FROM field WHERE id = 25", buf, sizeof buf),
              "85.13 verified NULL");
    CHECK_STR(t, steps_of(db, 25, buf, sizeof buf), "review-correct-as-is:>85.13");
    CHECK_INT(t, decide(db, grad, "undo", 0, NULL, NULL, &err), 0);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM field_step WHERE field_id = 25"), 0);
    CHECK_INT(t, decide(db, grad, "correct", 0, "1988-07", NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || state FROM field WHERE id = 25", buf,
                        sizeof buf), "1988-07 verified");
    CHECK_INT(t, decide(db, grad, "undo", 0, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT coalesce(value, 'NULL') || ' ' || state FROM field "
                            "WHERE id = 25", buf, sizeof buf), "NULL invalid");
    CHECK_INT(t, decide(db, grad, "reject", 0, NULL, NULL, &err), DG_EUSAGE);
    CHECK_INT(t, decide(db, grad, "reject", 0, NULL, "illegible", &err), 0);
    CHECK_STR(t, q_text(db, "SELECT state FROM field WHERE id = 25", buf, sizeof buf), "rejected");
    int64_t page = q_int(db, "SELECT id FROM review_item WHERE kind = 'page'");
    CHECK_INT(t, decide(db, page, "correct", 0, "x", NULL, &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "page") != NULL);
    CHECK_INT(t, decide(db, page, "reject", 0, NULL, "blank back side", &err), 0);
}

/*
 * A degree in review: the correction is normalized to the canonical degree
 * with its level code, appended after the stage's steps; undo puts value,
 * value_detail and the stage's steps back.
 */
static void test_correct_degree(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    char buf[512], before[512];
    CHECK_INT(t, db_exec(db, "INSERT INTO field (id, record_id, key, raw, value, value_detail, "
                             "state, conf_min, conf_mean, x, y, w, h, words, rule, flag, "
                             "norm_run) VALUES (26, 3, 'degree', '工学碩士', '工学硕士', "
                             "'master;工学', 'review', 30, 30, 400, 130, 60, 20, '[]', "
                             "'ledger_a:c8', 'low_confidence 30 < 40', 3);"
                             "INSERT INTO field_step (field_id, seq, rule, before, after) "
                             "VALUES (26, 1, 'hant-hans', '工学碩士', '工学硕士')", &err),
              0);
    CHECK_INT(t, arc_review_refresh(db, &err), 0);
    int64_t deg = item_of_field(db, 26, "field");
    steps_of(db, 26, before, sizeof before);
    CHECK_INT(t, decide(db, deg, "correct", 0, "理學 博士", NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || value_detail || ' ' || state FROM field "
                            "WHERE id = 26", buf, sizeof buf), "理学博士 doctor;理学 verified");
    steps_of(db, 26, buf, sizeof buf);
    CHECK_STR(t, buf, "hant-hans:工学碩士>工学硕士|review-correct:工学硕士>理學 博士|"
                      "strip-space:理學 博士>理學博士|hant-hans:理學博士>理学博士");
    CHECK_INT(t, decide(db, deg, "undo", 0, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || value_detail || ' ' || state FROM field "
                            "WHERE id = 26", buf, sizeof buf), "工学硕士 master;工学 review");
    CHECK_STR(t, steps_of(db, 26, buf, sizeof buf), before);
    /* settled: the archive gets the degree as a certificate prints it */
    CHECK_INT(t, decide(db, deg, "accept", 0, NULL, NULL, &err), 0);
}

static void test_pick_conflict_link(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    char buf[256];
    arc_load_summary s;
    int64_t match = item_of_field(db, 5, "match");
    /* first load: ledger rows load, the card waits for its major */
    CHECK_INT(t, arc_load(db, NULL, NULL, &s, &err), 0);
    CHECK_INT(t, s.loaded, 2);
    CHECK_INT(t, s.pending, 1);
    CHECK_STR(t, q_text(db, "SELECT reason FROM load_wait WHERE record_id = 1", buf, sizeof buf),
              "major: match under review");
    /* pick the wrong candidate: the card now disagrees with the ledger row */
    CHECK_INT(t, decide(db, match, "pick", 2, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT match_code || ' ' || match_decision || ' ' || state FROM "
                            "field WHERE id = 5", buf, sizeof buf), "0835 picked verified");
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM mapping_rule WHERE active AND code = '0835' "
                           "AND name_norm = '计算机软件' AND operator = 'tester'"), 1);
    CHECK_INT(t, arc_load(db, NULL, NULL, &s, &err), 0);
    CHECK_INT(t, s.conflicts, 1);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_item WHERE kind = 'conflict' AND "
                           "record_id = 1 AND field_id = 5 AND state = 'open'"), 1);
    CHECK_STR(t, q_text(db, "SELECT state FROM record WHERE id = 1", buf, sizeof buf), "pending");
    /* undo restores the match exactly and retires the rule */
    CHECK_INT(t, decide(db, match, "undo", 0, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT match_decision || ' ' || coalesce(match_code, 'NULL') || ' ' "
                            "|| state FROM field WHERE id = 5", buf, sizeof buf),
              "review NULL auto");
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM mapping_rule WHERE active"), 0);
    /* the right pick: the card joins the ledger row's study record */
    CHECK_INT(t, decide(db, match, "pick", 1, NULL, NULL, &err), 0);
    CHECK_INT(t, arc_load(db, NULL, NULL, &s, &err), 0);
    CHECK_INT(t, s.linked, 1);
    /* the conflict nobody decided is settled by the new pick and goes away */
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_item WHERE kind = 'conflict'"), 0);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM study_source WHERE load_run IS NULL"), 0);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM person WHERE name_simplified = '张三'"), 1);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM study_source WHERE role = 'linked' AND "
                           "record_id = 1"), 1);
    /* the student number only the card has is filled, with provenance */
    CHECK_STR(t, q_text(db, "SELECT student_no FROM study_record sr JOIN study_source s ON "
                            "s.study_id = sr.id WHERE s.record_id = 1", buf, sizeof buf), "8501");
    CHECK_INT(t, q_int(db, "SELECT field_id FROM provenance WHERE key = 'student_no' AND "
                           "study_id = (SELECT study_id FROM study_source WHERE record_id = 1)"),
              3);
    /* after load, undoing the pick would leave the archive inconsistent */
    CHECK_INT(t, decide(db, match, "undo", 0, NULL, NULL, &err), DG_ECONFLICT);
}

static const char snapshot_sql[] =
    "SELECT (SELECT count(*) FROM person) || '/' || (SELECT count(*) FROM study_record) || '/' "
    "|| (SELECT count(*) FROM study_source) || '/' || (SELECT count(*) FROM provenance) || '/' "
    "|| (SELECT count(*) FROM review_item) || '/' || (SELECT count(*) FROM run) || '/' || "
    "(SELECT group_concat(state) FROM record) || '/' || (SELECT count(*) FROM load_wait)";

/* A name an operator corrected enters the archive as they typed it (the
 * form written on the scan, traditional characters kept) and normalized
 * (simplified): person.name_written used to take the normalized value.
 * A workspace of its own, so the main one's counts stay as they are. */
static void test_corrected_name_written(tl_state *t, const char *dir)
{
    char path[1024], buf[256];
    snprintf(path, sizeof path, "%s/name.db", dir);
    CHECK_INT(t, fixture_build(path, dir), 0);
    sqlite3 *db;
    dg_err err = {0};
    if (db_open(path, 0, &db, &err)) {
        CHECK_STR(t, err.msg, "");
        return;
    }
    CHECK_INT(t, db_exec(db, "UPDATE field SET state = 'review', flag = 'low_confidence 50 < 60' "
                             "WHERE id = 1", &err), 0);
    CHECK_INT(t, arc_review_refresh(db, &err), 0);
    CHECK_INT(t, decide(db, item_of_field(db, 1, "field"), "correct", 0, "張山", NULL, &err), 0);
    CHECK_INT(t, decide(db, item_of_field(db, 4, "field"), "accept", 0, NULL, NULL, &err), 0);
    CHECK_INT(t, decide(db, item_of_field(db, 5, "match"), "pick", 1, NULL, NULL, &err), 0);
    arc_load_summary s;
    CHECK_INT(t, arc_load(db, NULL, NULL, &s, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT name_written || '|' || name_simplified FROM person WHERE "
                            "name_simplified = '张山'", buf, sizeof buf), "張山|张山");
    db_close(&db);
}

/* The evidence the normalize stage stores for a name two readers read. */
static const char weighed_sql[] =
    "INSERT INTO field (id, record_id, key, raw, value, state, conf_min, conf_mean, x, y, w, h, "
    " words, rule, flag, norm_run, p, evidence) VALUES (27, 3, 'supervisor', '郝卫東', '郝卫东', "
    " 'review', 50, 60, 10, 160, 60, 20, '[]', 'ledger_a:c9', 'low_p 0.93 < 0.97', 3, 0.93, "
    " '{\"vt\":\"name\",\"threshold\":0.97,\"p\":0.93,\"chosen\":0,\"candidates\":["
    "{\"value\":\"郝卫东\",\"p\":0.93,\"readers\":[\"tesseract\",\"rec2\"],"
    "\"features\":{\"bias\":1,\"tess_conf\":0.91},\"terms\":{\"bias\":-1.2,\"tess_conf\":0.8}},"
    "{\"value\":\"部卫东\",\"p\":0.04,\"readers\":[\"rec2\"],\"features\":{\"bias\":1},"
    "\"terms\":{\"bias\":-1.2}}]}');"
    /* the sex was read by two readers but never weighed (an older database) */
    "INSERT INTO field_reading (field_id, reader, text, conf) VALUES (4, 'tesseract', '男', 0.43),"
    " (4, 'rec2', '女', 0.81), (4, 'rec3', '', 0.2);";

static int pick_at(sqlite3 *db, int64_t item, int cand, int64_t version, dg_err *err)
{
    arc_review_req r = {"pick", "tester", cand, NULL, NULL, version, 0, 0, 0, NULL};
    return arc_review_decide(db, item, &r, NULL, err);
}

/* show lists the weighed candidates with their p, and the field's p */
static void check_weighed_show(tl_state *t, sqlite3 *db, int64_t item)
{
    dg_err err = {0};
    arc_review_view v;
    CHECK_INT(t, arc_review_show(db, item, &v, &err), 0);
    CHECK_INT(t, (long)v.nalts, 2);
    CHECK(t, v.has_p && v.p > 0.929 && v.p < 0.931 && !v.alts_from_readings);
    if (v.nalts == 2) {
        CHECK_STR(t, v.alts[0].value, "郝卫东");
        CHECK_STR(t, v.alts[0].readers, "tesseract, rec2");
        CHECK(t, v.alts[0].rank == 1 && v.alts[0].chosen && v.alts[0].p > 0.929);
        CHECK_STR(t, v.alts[1].value, "部卫东");
        CHECK_STR(t, v.alts[1].readers, "rec2");
        CHECK(t, v.alts[1].rank == 2 && !v.alts[1].chosen && v.alts[1].p < 0.041);
    }
    arc_review_view_release(&v);
    dg_buf b;
    dg_buf_init(&b, 0);
    CHECK_INT(t, arc_review_show_json(db, item, &b, &err), 0);
    CHECK(t, b.data && strstr(b.data, "\"alternatives\":[{\"rank\":1,\"value\":\"郝卫东\","
                                       "\"p\":0.93,\"readers\":[\"tesseract\",\"rec2\"]},"
                                       "{\"rank\":2,\"value\":\"部卫东\",\"p\":0.04,"
                                       "\"readers\":[\"rec2\"]}],\"alternatives_from\":"
                                       "\"evidence\"") != NULL);
    CHECK(t, b.data && strstr(b.data, "\"steps\":[],\"p\":0.93}") != NULL);
    dg_buf_release(&b);
    dg_buf_init(&b, 0);
    CHECK_INT(t, arc_review_list_json(db, "low_p", 0, &b, &err), 0);
    CHECK(t, b.data && strstr(b.data, "\"field_state\":\"review\",\"p\":0.93}") != NULL);
    dg_buf_release(&b);
    arc_review_rows rows;
    CHECK_INT(t, arc_review_list(db, "low_p", 0, &rows, &err), 0);
    CHECK(t, rows.n == 1 && rows.v[0].has_p && rows.v[0].p > 0.929);
    arc_review_rows_release(&rows);
}

/* pick N on a field item stores candidate N as a correction would, recorded
 * as a pick; out of range, or at a stale version, it changes nothing */
static void check_weighed_pick(tl_state *t, sqlite3 *db, int64_t item)
{
    dg_err err = {0};
    char buf[256], want[128];
    CHECK_INT(t, pick_at(db, item, 3, -1, &err), DG_EUSAGE);
    snprintf(want, sizeof want, "review item %lld has 2 candidates, no candidate 3",
             (long long)item);
    CHECK(t, strstr(err.msg, want) != NULL);
    CHECK_INT(t, pick_at(db, item, 2, 7, &err), DG_ECONFLICT);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM review_decision"), 0);
    CHECK_INT(t, pick_at(db, item, 2, 0, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || state FROM field WHERE id = 27", buf,
                        sizeof buf), "部卫东 verified");
    CHECK_STR(t, q_text(db, "SELECT verb || ' ' || candidate || ' ' || after_value || ' ' || "
                            "item_after FROM review_decision", buf, sizeof buf),
              "pick 2 部卫东 picked");
    CHECK_STR(t, steps_of(db, 27, buf, sizeof buf), "review-correct:郝卫东>部卫东");
    CHECK_INT(t, decide(db, item, "undo", 0, NULL, NULL, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || state FROM field WHERE id = 27", buf,
                        sizeof buf), "郝卫东 review");
    CHECK_STR(t, steps_of(db, 27, buf, sizeof buf), "");
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT state FROM review_item WHERE id = %lld", (long long)item);
    CHECK_STR(t, q_text(db, sql, buf, sizeof buf), "open");
}

/* A field not weighed offers its readers' texts; one read once offers nothing. */
static void check_readings(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    char buf[256];
    int64_t sex = item_of_field(db, 4, "field");
    arc_review_view v;
    CHECK_INT(t, arc_review_show(db, sex, &v, &err), 0);
    CHECK(t, v.nalts == 2 && v.alts_from_readings && !v.has_p);
    if (v.nalts == 2) {
        CHECK_STR(t, v.alts[0].value, "女");
        CHECK_STR(t, v.alts[0].readers, "rec2 0.81");
        CHECK_STR(t, v.alts[1].value, "男");
        CHECK_STR(t, v.alts[1].readers, "tesseract 0.43");
    }
    arc_review_view_release(&v);
    dg_buf b;
    dg_buf_init(&b, 0);
    CHECK_INT(t, arc_review_show_json(db, sex, &b, &err), 0);
    CHECK(t, b.data && strstr(b.data, "\"alternatives\":[{\"rank\":1,\"value\":\"女\",\"conf\":"
                                       "0.81,\"readers\":[{\"reader\":\"rec2\",\"conf\":0.81}]}"
                                       ",{\"rank\":2") != NULL);
    CHECK(t, b.data && strstr(b.data, "\"alternatives_from\":\"readings\"") != NULL);
    dg_buf_release(&b);
    CHECK_INT(t, pick_at(db, sex, 1, -1, &err), 0);
    CHECK_STR(t, q_text(db, "SELECT value || ' ' || state FROM field WHERE id = 4", buf,
                        sizeof buf), "女 verified");
    int64_t grad = item_of_field(db, 25, "field");
    CHECK_INT(t, arc_review_show(db, grad, &v, &err), 0);
    CHECK_INT(t, (long)v.nalts, 0);
    arc_review_view_release(&v);
    CHECK_INT(t, pick_at(db, grad, 1, -1, &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "no candidates to pick from") != NULL);
}

/* A workspace of its own, so the main one's counts stay as they are. */
static void test_field_alternatives(tl_state *t, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/alts.db", dir);
    CHECK_INT(t, fixture_build(path, dir), 0);
    sqlite3 *db;
    dg_err err = {0};
    if (db_open(path, 0, &db, &err)) {
        CHECK_STR(t, err.msg, "");
        return;
    }
    CHECK_INT(t, db_exec(db, weighed_sql, &err), 0);
    CHECK_INT(t, arc_review_refresh(db, &err), 0);
    int64_t item = item_of_field(db, 27, "field");
    check_weighed_show(t, db, item);
    check_weighed_pick(t, db, item);
    check_readings(t, db);
    db_close(&db);
}

static void test_load_twice(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    char before[512], after[512];
    arc_load_summary s;
    q_text(db, snapshot_sql, before, sizeof before);
    CHECK_INT(t, arc_load(db, NULL, NULL, &s, &err), 0);
    CHECK_INT(t, s.loaded + s.linked + s.conflicts, 0);
    q_text(db, snapshot_sql, after, sizeof after);
    CHECK_STR(t, after, before);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM record WHERE state = 'loaded'"), 3);
    CHECK_STR(t, q_text(db, "SELECT degree FROM study_record sr JOIN study_source s ON "
                            "s.study_id = sr.id WHERE s.record_id = 3", before, sizeof before),
              "工学硕士");
}

static void test_provenance(tl_state *t, sqlite3 *db, const char *dir)
{
    dg_err err = {0};
    int64_t study = q_int(db, "SELECT study_id FROM study_source WHERE record_id = 1");
    /* the card's name: its box holds both of its OCR words */
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM study_record sr JOIN provenance v ON "
                           "v.study_id = sr.id WHERE v.key = 'name'"), 2);
    int64_t name_field = q_int(db, "SELECT field_id FROM provenance WHERE key = 'name' AND "
                                   "study_id = (SELECT study_id FROM study_source WHERE "
                                   "record_id = 2)");
    CHECK_INT(t, name_field, 11);
    CHECK_INT(t, q_int(db, "SELECT count(*) FROM field f, json_each(f.words) j JOIN ocr_word w "
                           "ON w.id = j.value WHERE f.id = 1 AND w.x >= f.x AND w.y >= f.y AND "
                           "w.x + w.w <= f.x + f.w AND w.y + w.h <= f.y + f.h"), 2);
    char path[1024];
    snprintf(path, sizeof path, "%s/prov.json", dir);
    FILE *f = fopen(path, "w");
    dg_buf pj;
    dg_buf_init(&pj, 0);
    CHECK_INT(t, arc_provenance_json(db, study, NULL, &pj, &err), 0);
    fputs(pj.data ? pj.data : "", f);
    fclose(f);
    dg_buf_release(&pj);
    arc_provenance_result pr;
    CHECK_INT(t, arc_provenance(db, study, NULL, &pr, &err), 0);
    CHECK(t, pr.n > 0);
    arc_provenance_release(&pr);
    CHECK_INT(t, arc_provenance(db, study, "nosuch", &pr, &err), DG_ENOTFOUND);
    CHECK_INT(t, arc_provenance(db, 999, NULL, &pr, &err), DG_ENOTFOUND);
    char *text = NULL;
    size_t len;
    CHECK_INT(t, arc_read_file(path, (unsigned char **)&text, &len, &err), 0);
    if (text) {
        char *z = realloc(text, len + 1);
        text = z ? z : text;
        text[z ? len : len - 1] = '\0';
        CHECK(t, strstr(text, "scan2.png") != NULL);
        CHECK(t, strstr(text, "\"load_run\"") != NULL);
    }
    free(text);
    /* crop of the card's name field (via the review item path) */
    snprintf(path, sizeof path, "%s/name.png", dir);
    CHECK_INT(t, arc_field_crop(db, 1, 10, path, &err), 0);
    PIX *pix = pixRead(path);
    CHECK(t, pix != NULL);
    if (pix) {
        CHECK_INT(t, pixGetWidth(pix), 80 + 20);
        CHECK_INT(t, pixGetHeight(pix), 30 + 20);
        pixDestroy(&pix);
    }
    CHECK_INT(t, arc_provenance_crop(db, study, "certificate_no", 5, path, &err), 0);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "fixture") == 0)
        return fixture_build(argv[2], argv[3]) ? 1 : 0;
    if (argc != 2) {
        fprintf(stderr, "usage: test_review WORKDIR\n");
        return 2;
    }
    tl_state t = {0};
    char db_path[1024];
    snprintf(db_path, sizeof db_path, "%s/review.db", argv[1]);
    if (fixture_build(db_path, argv[1]))
        return 1;
    sqlite3 *db;
    dg_err err = {0};
    if (db_open(db_path, 0, &db, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    test_queue(&t, db);
    test_queue_p(&t, db);
    test_accept_undo(&t, db);
    test_correct_reject(&t, db);
    test_correct_degree(&t, db);
    test_pick_conflict_link(&t, db);
    test_load_twice(&t, db);
    test_provenance(&t, db, argv[1]);
    db_close(&db);
    test_corrected_name_written(&t, argv[1]);
    test_field_alternatives(&t, argv[1]);
    return tl_exit_status(&t, "review");
}
