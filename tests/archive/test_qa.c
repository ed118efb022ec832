/*
 * test_qa.c - the acceptance check (archive/qa.c) on a generated workspace:
 * how many values a draw takes at a rate, the same draw from the same seed
 * (and per batch), never the same value twice (also with two processes at
 * once), and the report's counts, Wilson interval and verdicts against
 * hand-computed values after settling the samples with arc_review_decide.
 *
 * The workspace: batch 1 has 20 records with an auto name and supervisor
 * (40 values); batch 2 has 7 auto names, 3 fields in review, an auto
 * supervisor that already has a field item and an auto one with an empty
 * value (neither drawable); batch 3 holds only a verified value.
 *
 * usage: test_qa WORKDIR  (DANGAN_CONFIG_DIR set to configs/)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "testlib.h"

static tl_state T;
static const char *workdir;

static const char fixture_sql[] =
    "INSERT INTO run (id, stage, version, started, status) VALUES (1, 'ingest', 't', 'now', "
    " 'done');"
    "INSERT INTO batch (id, run_id, paths, started) VALUES (1, 1, '[]', 'now'),"
    " (2, 1, '[]', 'now'), (3, 1, '[]', 'now');"
    "INSERT INTO file (id, sha256, size, format, path, abspath, page_count, batch_id, added) "
    " VALUES (1, 'a', 1, 'png', 'a.png', '/a.png', 1, 1, 'now'),"
    " (2, 'b', 1, 'png', 'b.png', '/b.png', 1, 2, 'now'),"
    " (3, 'c', 1, 'png', 'c.png', '/c.png', 1, 3, 'now');"
    "INSERT INTO page (id, file_id, page_index, width, height, state) VALUES "
    " (1, 1, 0, 100, 100, 'extracted'), (2, 2, 0, 100, 100, 'extracted'),"
    " (3, 3, 0, 100, 100, 'extracted');"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
    "INSERT INTO record (id, page_id, row_no, template, run_id, state) "
    " SELECT i, CASE WHEN i <= 20 THEN 1 WHEN i <= 27 THEN 2 ELSE 3 END, i, 'ledger', 1, "
    " CASE WHEN i % 2 THEN 'normalized' ELSE 'pending' END FROM n;"
    /* fields 1-20 names, 21-40 supervisors of batch 1; 41-47 names of batch 2 */
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) "
    "INSERT INTO field (record_id, key, raw, value, state) "
    " SELECT i, 'name', '张三', '张三', 'auto' FROM n UNION ALL "
    " SELECT i, 'supervisor', '李四', '李四', 'auto' FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 21 UNION ALL SELECT i + 1 FROM n WHERE i < 27) "
    "INSERT INTO field (record_id, key, raw, value, state) "
    " SELECT i, 'name', '王五', '王五', 'auto' FROM n;"
    "INSERT INTO field (id, record_id, key, raw, value, state) VALUES "
    " (48, 21, 'sex', '男', '男', 'review'), (49, 22, 'sex', '男', '男', 'review'),"
    " (50, 23, 'sex', '男', '男', 'review'), (51, 24, 'supervisor', '赵六', '赵六', 'auto'),"
    " (52, 25, 'supervisor', '', '', 'auto'), (53, 30, 'name', '钱七', '钱七', 'verified');"
    "INSERT INTO review_item (kind, field_id, record_id, page_id, reason, created) VALUES "
    " ('field', 51, 24, 2, 'low_confidence', 'now');";

static sqlite3 *fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.db", workdir, name);
    remove(path);
    sqlite3 *db = NULL;
    dg_err err = {0};
    if (db_open(path, DB_OPEN_CREATE, &db, &err) || db_exec(db, fixture_sql, &err)) {
        tl_fail(&T, __FILE__, __LINE__, "fixture %s: %s", name, err.msg);
        db_close(&db);
    }
    return db;
}

static int draw(sqlite3 *db, double rate, int64_t batch, uint64_t seed, arc_qa_draw *d)
{
    arc_qa_opts o = {rate, batch, seed, 1, "tester"};
    dg_err err = {0};
    int rc = arc_qa_sample(db, &o, d, &err);
    if (rc)
        memset(d, 0, sizeof *d);
    return rc;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    int64_t v = -1;
    db_query_int(db, sql, &v, NULL);
    return v;
}

/* The sampled field ids of a batch (0: all) as "1,5,9". */
static const char *sampled(sqlite3 *db, int batch, char *out, size_t n)
{
    sqlite3_stmt *st;
    snprintf(out, n, "(none)");
    if (db_prepare(db, "SELECT group_concat(field_id) FROM (SELECT field_id FROM qa_sample "
                       "WHERE ?1 = 0 OR batch_id = ?1 ORDER BY field_id)", &st, NULL))
        return out;
    sqlite3_bind_int(st, 1, batch);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void test_counts(void)
{
    sqlite3 *db = fixture("counts");
    arc_qa_draw d;
    CHECK_INT(&T, draw(db, 0.25, 0, 7, &d), DG_OK);
    CHECK_INT(&T, d.n, 3);
    if (d.n == 3) {
        CHECK_INT(&T, d.v[0].unsampled, 40);
        CHECK_INT(&T, d.v[0].drawn, 10); /* ceil(0.25 x 40) */
        CHECK_INT(&T, d.v[1].unsampled, 7);
        CHECK_INT(&T, d.v[1].drawn, 2); /* ceil(0.25 x 7) */
        CHECK_INT(&T, d.v[2].unsampled, 0);
        CHECK_INT(&T, d.v[2].drawn, 0);
    }
    CHECK_INT(&T, d.drawn, 12);
    CHECK_INT(&T, q_int(db, "SELECT count(*) FROM qa_sample WHERE rate = 0.25 AND "
                            "operator = 'tester'"), 12);
    CHECK_INT(&T, q_int(db, "SELECT count(*) FROM review_item i JOIN qa_sample q ON "
                            "q.item_id = i.id WHERE i.kind = 'field' AND i.reason = 'qa' AND "
                            "i.state = 'open' AND i.detail = 'QA sample at rate 0.25' AND "
                            "i.field_id = q.field_id"), 12);
    /* only auto, non-empty values without a field item of their own */
    CHECK_INT(&T, q_int(db, "SELECT count(*) FROM qa_sample WHERE field_id > 47"), 0);
    CHECK_INT(&T, q_int(db, "SELECT count(*) FROM run WHERE stage = 'qa' AND status = 'done' "
                            "AND json_extract(params, '$.seed') = 7 AND "
                            "json_extract(counts, '$.drawn') = 12"), 1);
    arc_qa_draw_release(&d);
    /* a small rate still takes one value of each batch that has any */
    CHECK_INT(&T, draw(db, 0.001, 0, 7, &d), DG_OK);
    CHECK_INT(&T, d.drawn, 2);
    arc_qa_draw_release(&d);
    /* bad input is refused and names what was wrong */
    dg_err err = {0};
    arc_qa_opts bad = {0, 0, 0, 1, NULL};
    CHECK_INT(&T, arc_qa_sample(db, &bad, &d, &err), DG_EUSAGE);
    bad.rate = 1.5;
    CHECK_INT(&T, arc_qa_sample(db, &bad, &d, &err), DG_EUSAGE);
    bad = (arc_qa_opts){0.5, 99, 0, 1, NULL};
    CHECK_INT(&T, arc_qa_sample(db, &bad, &d, &err), DG_ENOTFOUND);
    CHECK(&T, strstr(err.msg, "batch 99") != NULL);
    db_close(&db);
}

static void test_seed(void)
{
    char a[512], b[512], c[512], a1[512], d1[512];
    sqlite3 *da = fixture("seed_a"), *db = fixture("seed_b"), *dc = fixture("seed_c"),
            *dd = fixture("seed_d");
    arc_qa_draw d;
    draw(da, 0.25, 0, 7, &d), arc_qa_draw_release(&d);
    draw(db, 0.25, 0, 7, &d), arc_qa_draw_release(&d);
    draw(dc, 0.25, 0, 8, &d), arc_qa_draw_release(&d);
    draw(dd, 0.25, 1, 7, &d), arc_qa_draw_release(&d);
    CHECK_STR(&T, sampled(da, 0, a, sizeof a), sampled(db, 0, b, sizeof b));
    CHECK(&T, strcmp(sampled(da, 0, a, sizeof a), sampled(dc, 0, c, sizeof c)) != 0);
    /* a batch drawn alone draws what it draws among the others */
    CHECK_STR(&T, sampled(da, 1, a1, sizeof a1), sampled(dd, 0, d1, sizeof d1));
    /* without a seed, one is taken from the OS and recorded */
    arc_qa_opts o = {0.25, 0, 0, 0, NULL};
    dg_err err = {0};
    CHECK_INT(&T, arc_qa_sample(dd, &o, &d, &err), DG_OK);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT json_extract(params, '$.seed') = %llu FROM run WHERE id = %lld",
             (unsigned long long)d.seed, (long long)d.run_id);
    CHECK_INT(&T, q_int(dd, sql), 1);
    CHECK(&T, d.seed <= ARC_QA_MAX_SEED);
    arc_qa_draw_release(&d);
    db_close(&da), db_close(&db), db_close(&dc), db_close(&dd);
}

static void test_no_double(void)
{
    sqlite3 *db = fixture("double");
    arc_qa_draw d;
    draw(db, 0.25, 0, 7, &d), arc_qa_draw_release(&d);
    CHECK_INT(&T, draw(db, 1, 0, 7, &d), DG_OK);
    CHECK_INT(&T, d.drawn, 35); /* the 47 drawable less the 12 drawn */
    if (d.n == 3)
        CHECK_INT(&T, d.v[0].before, 10);
    arc_qa_draw_release(&d);
    CHECK_INT(&T, draw(db, 1, 0, 9, &d), DG_OK);
    CHECK_INT(&T, d.drawn, 0);
    arc_qa_draw_release(&d);
    CHECK_INT(&T, q_int(db, "SELECT count(DISTINCT field_id) FROM qa_sample"), 47);
    CHECK_INT(&T, q_int(db, "SELECT count(*) FROM qa_sample"), 47);
    db_close(&db);

    /* two processes draw at once: the second waits and draws from the rest */
    db = fixture("race");
    db_close(&db);
    char path[1024];
    snprintf(path, sizeof path, "%s/race.db", workdir);
    pid_t kids[2];
    for (int k = 0; k < 2; k++)
        if ((kids[k] = fork()) == 0) {
            sqlite3 *c = NULL;
            int rc = db_open(path, 0, &c, NULL) || draw(c, 0.5, 0, (uint64_t)k + 1, &d);
            db_close(&c);
            _exit(rc ? 1 : 0);
        }
    for (int k = 0; k < 2; k++) {
        int status = -1;
        waitpid(kids[k], &status, 0);
        CHECK(&T, WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK_INT(&T, db_open(path, 0, &db, NULL), DG_OK);
    /* either order: 20 + 4, then 10 + 2 of the rest */
    CHECK_INT(&T, q_int(db, "SELECT count(*) FROM qa_sample"), 36);
    CHECK_INT(&T, q_int(db, "SELECT count(DISTINCT field_id) FROM qa_sample"), 36);
    CHECK_INT(&T, q_int(db, "SELECT count(*) FROM review_item WHERE reason = 'qa'"), 36);
    db_close(&db);
}

static int decide(sqlite3 *db, int64_t item, const char *verb, const char *value)
{
    arc_review_req r = {verb, "tester", 0, value, "misread", -1, 0, 0, 0, NULL};
    dg_err err = {0};
    int rc = arc_review_decide(db, item, &r, NULL, &err);
    if (rc)
        tl_fail(&T, __FILE__, __LINE__, "%s %lld: %s", verb, (long long)item, err.msg);
    return rc;
}

static int near(double got, double want)
{
    return fabs(got - want) < 1e-9;
}

static const arc_qa_batch *batch_of(const arc_qa_report *r, int64_t id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].batch == id)
            return &r->v[i];
    return NULL;
}

static int report_with(sqlite3 *db, const char *target, arc_qa_report *r, dg_err *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/qa.conf", workdir);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "# test\ntarget_error = %s\n", target);
        fclose(f);
    }
    return arc_qa_report_read(db, 0, path, r, err);
}

/* Settle batch 1's ten samples: 7 accepted, 1 corrected to another name, 1
 * "corrected" to the same name, 1 rejected; batch 2: one of two accepted. */
static void settle(sqlite3 *db, int64_t *rejected)
{
    sqlite3_stmt *st;
    int64_t items[16];
    int n = 0;
    if (db_prepare(db, "SELECT item_id FROM qa_sample WHERE batch_id = 1 ORDER BY id", &st,
                   NULL) == 0) {
        while (n < 16 && sqlite3_step(st) == SQLITE_ROW)
            items[n++] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    CHECK_INT(&T, n, 10);
    if (n != 10)
        return;
    for (int i = 0; i < 7; i++)
        decide(db, items[i], "accept", NULL);
    decide(db, items[7], "correct", "周八");
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT f.key = 'name' FROM qa_sample q JOIN field f ON "
             "f.id = q.field_id WHERE q.item_id = %lld", (long long)items[8]);
    decide(db, items[8], "correct", q_int(db, sql) == 1 ? "张三" : "李四");
    decide(db, items[9], "reject", NULL);
    *rejected = items[9];
    decide(db, q_int(db, "SELECT min(item_id) FROM qa_sample WHERE batch_id = 2"), "accept",
           NULL);
}

static void test_report(void)
{
    sqlite3 *db = fixture("report");
    arc_qa_draw d;
    arc_qa_report r;
    dg_err err = {0};
    CHECK_INT(&T, arc_qa_report_read(db, 0, NULL, &r, &err), DG_OK);
    CHECK_INT(&T, r.n, 2); /* batch 3 has no auto-verified value */
    if (r.n == 2)
        CHECK_INT(&T, r.v[0].verdict, ARC_QA_NOT_SAMPLED);
    arc_qa_report_release(&r);
    draw(db, 0.25, 0, 7, &d), arc_qa_draw_release(&d);
    int64_t rejected = 0;
    settle(db, &rejected);

    CHECK_INT(&T, arc_qa_report_read(db, 0, NULL, &r, &err), DG_OK);
    CHECK(&T, near(r.target_error, 0.005)); /* configs/qa.conf */
    const arc_qa_batch *b1 = batch_of(&r, 1), *b2 = batch_of(&r, 2);
    CHECK(&T, b1 && b2);
    if (b1 && b2) {
        CHECK_INT(&T, b1->auto_verified, 40);
        CHECK_INT(&T, b1->sampled, 10);
        CHECK_INT(&T, b1->settled, 10);
        CHECK_INT(&T, b1->wrong, 2);
        CHECK(&T, near(b1->error_rate, 0.2));
        /* Wilson 2/10, z = 1.96: (0.2 + z^2/20 -+ z sqrt(0.016 + z^2/400)) / (1 + z^2/10) */
        CHECK(&T, fabs(b1->lower - 0.0566822) < 1e-6);
        CHECK(&T, fabs(b1->upper - 0.5098375) < 1e-6);
        CHECK_INT(&T, b1->verdict, ARC_QA_ABOVE);
        CHECK_INT(&T, b2->auto_verified, 8); /* 7 names and the supervisor with an item */
        CHECK_INT(&T, b2->sampled, 2);
        CHECK_INT(&T, b2->settled, 1);
        CHECK_INT(&T, b2->wrong, 0);
        CHECK(&T, b2->lower == 0 && fabs(b2->upper - 0.7934507) < 1e-6);
        CHECK_INT(&T, b2->verdict, ARC_QA_TOO_FEW);
        CHECK_INT(&T, b2->needed, 765); /* z^2 (1 - t) / t = 764.45 */
    }
    CHECK_INT(&T, r.flagged, 1);
    dg_buf j;
    dg_buf_init(&j, 0);
    arc_qa_report_json(&r, &j);
    CHECK(&T, j.data && strstr(j.data, "\"batch\":1,\"auto_verified\":40,\"sampled\":10,"
                                       "\"settled\":10,\"wrong\":2,\"error_rate\":0.200000,"
                                       "\"wilson\":[0.056682,0.509838],"
                                       "\"verdict\":\"above_target\""));
    dg_buf_release(&j);
    arc_qa_report_release(&r);

    /* undoing the rejection reopens the sample: 1 wrong of 9 settled */
    decide(db, rejected, "undo", NULL);
    CHECK_INT(&T, arc_qa_report_read(db, 1, NULL, &r, &err), DG_OK);
    CHECK_INT(&T, r.n, 1);
    if (r.n == 1) {
        CHECK_INT(&T, r.v[0].settled, 9);
        CHECK_INT(&T, r.v[0].wrong, 1);
        CHECK(&T, fabs(r.v[0].lower - 0.0198909) < 1e-6);
        CHECK(&T, fabs(r.v[0].upper - 0.4349997) < 1e-6);
        CHECK_INT(&T, r.v[0].verdict, ARC_QA_ABOVE);
    }
    arc_qa_report_release(&r);

    /* the target comes from the configuration: 1/9 is only suspect at 5% */
    CHECK_INT(&T, report_with(db, "0.05", &r, &err), DG_OK);
    b1 = batch_of(&r, 1);
    CHECK(&T, b1 && b1->verdict == ARC_QA_SUSPECT);
    CHECK_INT(&T, r.flagged, 0);
    CHECK_INT(&T, r.suspect, 1);
    arc_qa_report_release(&r);
    CHECK_INT(&T, report_with(db, "0.45", &r, &err), DG_OK);
    b1 = batch_of(&r, 1);
    CHECK(&T, b1 && b1->verdict == ARC_QA_WITHIN);
    arc_qa_report_release(&r);
    CHECK_INT(&T, report_with(db, "2", &r, &err), DG_EINPUT);
    CHECK(&T, strstr(err.msg, "qa.conf' line 2") != NULL);
    CHECK_INT(&T, arc_qa_report_read(db, 99, NULL, &r, &err), DG_ENOTFOUND);

    /* status carries the flag */
    arc_status s;
    CHECK_INT(&T, arc_status_read(db, &s, &err), DG_OK);
    CHECK_INT(&T, s.qa.flagged, 1);
    arc_status_release(&s);
    db_close(&db);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_qa WORKDIR\n");
        return 2;
    }
    workdir = argv[1];
    double lo, hi;
    arc_qa_wilson(0, 0, &lo, &hi);
    CHECK(&T, lo == 0 && hi == 1);
    test_counts();
    test_seed();
    test_no_double();
    test_report();
    return tl_exit_status(&T, "test_qa");
}
