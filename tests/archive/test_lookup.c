/*
 * test_lookup.c - lookup, the access log and the archive export on a small
 * archive built by SQL inserts with the normalizer's keys (the same keys
 * `dangan load` stores).  `test_lookup fixture DB` only writes that archive
 * so the shell tests can drive the CLI on it.
 *
 * The archive: two 陈建国 (written 陳建國, born 1958-03 and 1940-01), 陈建华
 * (a one-character neighbour), 张三 and its homophone 章三, 李已华 (an OCR
 * misread of 李己华: 己/已 is a look-alike class), 赵二强 (a misread of
 * 赵三强 the table does not know), 孙小红 (birth not recorded).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "normalize.h"
#include "testlib.h"

typedef struct fx_person {
    const char *written, *birth, *sex, *grad, *major, *code22, *name22;
} fx_person;

static const fx_person fx[] = {
    {"陳建國", "1958-03", "男", "1985-07", "计算机软件", "0812", "计算机科学与技术"},
    {"陈建国", "1940-01", "男", "1965-07", "无线电技术", "0810", "信息与通信工程"},
    {"陈建华", "1958-03", "男", "1985-07", "计算机软件", "0812", "计算机科学与技术"},
    {"张三", "1960-05", "男", "1986-07", "固体力学", "0801", "力学"},
    {"章三", "1962-01", "女", "1988-07", "有机化学", "0703", "化学"},
    {"李已华", "1959-11", "女", "1986-07", "植物学", "0710", "生物学"},
    {"赵二强", "1957-02", "男", "1984-07", "水利工程", "0815", "水利工程"},
    {"孙小红", NULL, "女", "1987-07", "英语语言文学", "0502", "外国语言文学"},
    /* names of four and five characters: a misread past the third */
    {"端木晓泛", "1955-04", "女", "1982-07", "计算数学", "0701", "数学"},
    {"欧阳文华明", "1954-08", "男", "1981-07", "理论物理", "0702", "物理学"},
};
enum { NFX = sizeof fx / sizeof fx[0] };

static int insert_person(sqlite3 *db, norm_ctx *nc, const fx_person *p, int64_t run_id)
{
    norm_keys k;
    if (norm_name_keys(nc, p->written, &k, NULL))
        return -1;
    sqlite3_stmt *st;
    db_prepare(db, "INSERT INTO person(name_written, name_simplified, pinyin, lookalike_key, "
                   "birth, sex) VALUES (?, ?, ?, ?, ?, ?)", &st, NULL);
    sqlite3_bind_text(st, 1, p->written, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k.simplified, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k.pinyin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k.lookalike, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->birth, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->sex, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    int64_t pid = sqlite3_last_insert_rowid(db);
    /* the other readings of polyphonic characters, as load writes them */
    db_prepare(db, "INSERT INTO person_reading(person_id, pinyin) VALUES (?, ?)", &st, NULL);
    for (size_t i = 0; i < k.nalt; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, pid);
        sqlite3_bind_text(st, 2, k.alt[i], -1, SQLITE_STATIC);
        rc |= sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(st);
    norm_keys_release(&k);
    db_prepare(db, "INSERT INTO study_record(person_id, university, department, student_no, "
                   "major_hist, major_code_hist, code_2022, name_2022, enroll, grad, degree, "
                   "load_run, loaded) VALUES (?, '北京大学', '研究生院', 'S1', ?, '', ?, ?, "
                   "'1982-09', ?, 'master', ?, '2024-01-01T00:00:00Z')", &st, NULL);
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_text(st, 2, p->major, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->code22, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->name22, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->grad, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, run_id);
    rc |= sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

/* The primary source of study record 1: box1/p001.tif, page 2, ledger row 3. */
static int insert_source(sqlite3 *db, int64_t run_id)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO batch(id, run_id, paths, started) VALUES (1, %lld, '[]', 'now');"
             "INSERT INTO file(id, sha256, size, format, path, abspath, page_count, batch_id, "
             "added) VALUES (1, 'abc', 1, 'tiff', 'box1/p001.tif', '/x/box1/p001.tif', 2, 1, "
             "'now');"
             "INSERT INTO page(id, file_id, page_index, width, height) VALUES (7, 1, 1, 10, 10);"
             "INSERT INTO record(id, page_id, row_no, template, run_id, state) "
             "VALUES (9, 7, 3, 'ledger', %lld, 'loaded');"
             "INSERT INTO study_source(study_id, record_id, role) VALUES (1, 9, 'primary');",
             (long long)run_id, (long long)run_id);
    return db_exec(db, sql, NULL);
}

static int build_fixture(const char *path)
{
    unlink(path);
    sqlite3 *db;
    norm_ctx *nc;
    if (db_open(path, DB_OPEN_CREATE, &db, NULL))
        return -1;
    if (norm_ctx_new(DANGAN_SOURCE_CONFIG_DIR, &nc, NULL)) {
        db_close(&db);
        return -1;
    }
    int64_t run_id = 0;
    int rc = db_run_begin(db, "load", "{}", &run_id, NULL);
    for (int i = 0; i < NFX && !rc; i++)
        rc = insert_person(db, nc, &fx[i], run_id);
    rc = rc ? rc : insert_source(db, run_id);
    norm_ctx_free(&nc);
    db_close(&db);
    return rc;
}

/* ---- helpers -------------------------------------------------------------- */

typedef struct fxt {
    tl_state *t;
    sqlite3 *db;
    arc_lookup *lk;
    arc_lookup_result r;
} fxt;

static int do_lookup(fxt *f, const char *name, const char *born, const char *grad, int wide)
{
    arc_lookup_result_release(&f->r);
    arc_lookup_query q = {.name = name, .born = born, .graduated = grad, .wide = wide,
                          .who = "tester"};
    dg_err err = {0};
    int rc = arc_lookup_run(f->lk, &q, &f->r, &err);
    if (rc)
        fprintf(stderr, "lookup '%s': %s\n", name ? name : "", err.msg);
    return rc;
}

static const char *hit_name(const fxt *f, size_t i)
{
    return i < f->r.n ? f->r.hits[i].fields[0] : NULL;
}

static int hit_has_why(const fxt *f, size_t i, const char *part)
{
    if (i >= f->r.n)
        return 0;
    for (size_t j = 0; j < f->r.hits[i].nwhy; j++)
        if (strstr(f->r.hits[i].why[j], part))
            return 1;
    return 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int64_t log_count(sqlite3 *db)
{
    int64_t n = -1;
    db_query_int(db, "SELECT count(*) FROM access_log", &n, NULL);
    return n;
}

/* ---- cases ------------------------------------------------------------------ */

static void test_simplified(fxt *f)
{
    tl_state *t = f->t;
    CHECK_INT(t, do_lookup(f, "陈建国", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 2);
    CHECK_STR(t, hit_name(f, 0), "陳建國");
    CHECK_INT(t, f->r.hits[0].score, 100);
    CHECK(t, hit_has_why(f, 0, "exact simplified name"));
    /* 陈建华 is one character away but an exact hit exists: not shown. */
    for (size_t i = 0; i < f->r.n; i++)
        CHECK(t, strcmp(hit_name(f, i), "陈建华") != 0);
    CHECK_INT(t, do_lookup(f, "陈建国", NULL, NULL, 1), 0);
    CHECK_INT(t, f->r.n, 3);
    CHECK_STR(t, hit_name(f, 2), "陈建华");
    CHECK(t, hit_has_why(f, 2, "one character differs (国/华)"));
}

static void test_traditional(fxt *f)
{
    tl_state *t = f->t;
    CHECK_INT(t, do_lookup(f, "陳建國", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 2);
    CHECK(t, hit_has_why(f, 0, "exact simplified name"));
    CHECK(t, hit_has_why(f, 0, "陳建國"));
}

static void test_pinyin(fxt *f)
{
    tl_state *t = f->t;
    const char *forms[] = {"chen jianguo", "chenjianguo", "Chen JianGuo", "CHEN JIAN GUO"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        CHECK_INT(t, do_lookup(f, forms[i], NULL, NULL, 0), 0);
        CHECK_INT(t, f->r.n, 2);
        CHECK_INT(t, f->r.n ? f->r.hits[0].score : 0, 70);
        CHECK(t, hit_has_why(f, 0, "pinyin 'chenjianguo'"));
    }
    CHECK_INT(t, do_lookup(f, "zhang san", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 2); /* 张三 and its homophone 章三 */
}

static void test_ranking(fxt *f)
{
    tl_state *t = f->t;
    CHECK_INT(t, do_lookup(f, "张三", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 2);
    CHECK_STR(t, hit_name(f, 0), "张三");
    CHECK_STR(t, hit_name(f, 1), "章三");
    CHECK(t, f->r.n == 2 && f->r.hits[0].score > f->r.hits[1].score);
    CHECK(t, hit_has_why(f, 1, "same pinyin 'zhangsan'"));
}

static void test_misreads(fxt *f)
{
    tl_state *t = f->t;
    CHECK_INT(t, do_lookup(f, "李己华", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK_STR(t, hit_name(f, 0), "李已华");
    CHECK(t, hit_has_why(f, 0, "look-alike (己/已)"));
    CHECK_INT(t, f->r.n ? f->r.hits[0].score : 0, 50);
    /* 三/二 is in no look-alike class: found as a one-character neighbour. */
    CHECK_INT(t, do_lookup(f, "赵三强", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK_STR(t, hit_name(f, 0), "赵二强");
    CHECK(t, hit_has_why(f, 0, "one character differs (三/二)"));
    /* With --born the neighbour search is a range seek on the same index. */
    CHECK_INT(t, do_lookup(f, "赵三强", "1957-02", NULL, 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK_INT(t, do_lookup(f, "赵三强", "1990", NULL, 0), 0);
    CHECK_INT(t, f->r.n, 0);
    CHECK_INT(t, do_lookup(f, "王五", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 0);
}

/* #23: one misread at any position of names of any length; pinyin in the
 * Western order, with tones, hyphens or no spaces; whether the name as asked
 * is archived. */
static void test_any_position(fxt *f)
{
    tl_state *t = f->t;
    CHECK_INT(t, do_lookup(f, "端木晓沄", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK_STR(t, hit_name(f, 0), "端木晓泛");
    CHECK(t, hit_has_why(f, 0, "one character differs (沄/泛)"));
    CHECK_INT(t, f->r.exact, 0);
    CHECK_INT(t, do_lookup(f, "欧阳文华朋", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK_STR(t, hit_name(f, 0), "欧阳文华明");
    CHECK(t, hit_has_why(f, 0, "one character differs (朋/明)"));
    CHECK_INT(t, do_lookup(f, "欧阳文华朋", "1954-08", NULL, 0), 0); /* the range seek too */
    CHECK_INT(t, f->r.n, 1);
    CHECK_INT(t, do_lookup(f, "端木晓泛", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.exact, 1);
    const char *western[] = {"Xiaofan Duanmu", "xiao-fan duan mu", "xiaofanduanmu",
                             "Xiǎofàn Duānmù", "xiao3fan4 duan1mu4", "Duanmu Xiaofan"};
    for (size_t i = 0; i < sizeof western / sizeof western[0]; i++) {
        CHECK_INT(t, do_lookup(f, western[i], NULL, NULL, 0), 0);
        CHECK_INT(t, f->r.n, 1);
        CHECK_STR(t, hit_name(f, 0), "端木晓泛");
        CHECK_INT(t, f->r.exact, 1); /* the name as asked, in either order */
        CHECK(t, f->r.as_asked >= 0.95); /* a rare sound: no namesake by chance */
    }
    CHECK(t, hit_has_why(f, 0, "pinyin 'duanmuxiaofan'"));
    CHECK_INT(t, do_lookup(f, "San Zhang", NULL, NULL, 0), 0);
    CHECK_INT(t, f->r.n, 2); /* 张三 and 章三, in the other order */
    CHECK(t, f->r.n && f->r.hits[0].tier == 65);
}

static void test_filters(fxt *f)
{
    tl_state *t = f->t;
    CHECK_INT(t, do_lookup(f, "陈建国", "1958", NULL, 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK_STR(t, f->r.n ? f->r.hits[0].fields[2] : NULL, "1958-03");
    CHECK(t, hit_has_why(f, 0, "born 1958-03"));
    CHECK_INT(t, f->r.n ? f->r.hits[0].score : 0, 110);
    CHECK_INT(t, do_lookup(f, "陈建国", "1958-03", "1985", 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK(t, hit_has_why(f, 0, "graduated 1985-07"));
    CHECK_INT(t, do_lookup(f, "陈建国", NULL, "1965", 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK_STR(t, f->r.n ? f->r.hits[0].fields[2] : NULL, "1940-01");
    CHECK_INT(t, do_lookup(f, "陈建国", "1970", NULL, 0), 0);
    CHECK_INT(t, f->r.n, 0);
    /* No birth in the archive: kept, and said so. */
    CHECK_INT(t, do_lookup(f, "孙小红", "1961", NULL, 0), 0);
    CHECK_INT(t, f->r.n, 1);
    CHECK(t, hit_has_why(f, 0, "birth not recorded"));
    /* Without a name the dates select. */
    CHECK_INT(t, do_lookup(f, NULL, NULL, "1986", 0), 0);
    CHECK_INT(t, f->r.n, 2);
    /* Malformed criteria and empty queries are usage errors. */
    CHECK_INT(t, do_lookup(f, "张三", "58", NULL, 0), DG_EUSAGE);
    CHECK_INT(t, do_lookup(f, NULL, NULL, NULL, 0), DG_EUSAGE);
}

static void test_major(fxt *f)
{
    tl_state *t = f->t;
    arc_lookup_result_release(&f->r);
    arc_lookup_query q = {.name = "陈建国", .major = "计算机科学", .who = "tester"};
    CHECK_INT(t, arc_lookup_run(f->lk, &q, &f->r, NULL), 0);
    CHECK_INT(t, f->r.n, 2);
    CHECK(t, hit_has_why(f, 0, "major matches 2022 name"));
    CHECK_STR(t, f->r.n ? f->r.hits[0].fields[2] : NULL, "1958-03");
}

static void test_json(fxt *f)
{
    tl_state *t = f->t;
    CHECK_INT(t, do_lookup(f, "陈建国", "1958-03", NULL, 0), 0);
    dg_buf b;
    dg_buf_init(&b, 0);
    CHECK_INT(t, arc_lookup_json(&f->r, &b), 0);
    const char *j = b.data ? b.data : "";
    CHECK(t, starts_with(j, "{\"results\":[{\"record\":1,\"score\":110,\"why\":["));
    CHECK(t, strstr(j, "\"why\":[\"exact simplified name\",\"born 1958-03\"]") != NULL);
    CHECK(t, strstr(j, "\"fields\":{\"name\":\"陳建國\",\"sex\":\"男\",\"birth_date\":\"1958-03\","
                       "\"student_no\":\"S1\"") != NULL);
    CHECK(t, strstr(j, "\"certificate_no\":null") != NULL);
    CHECK(t, strstr(j, "\"current_code\":\"0812\",\"current_name\":\"计算机科学与技术\"}}],\"as_asked\":1.000,\"exact\":true}") !=
                 NULL);
    dg_buf_release(&b);
}

static void test_access_log(fxt *f)
{
    tl_state *t = f->t;
    int64_t before = log_count(f->db);
    CHECK_INT(t, do_lookup(f, "张三", NULL, NULL, 0), 0);
    CHECK_INT(t, do_lookup(f, "nobody", NULL, NULL, 0), 0);
    CHECK_INT(t, log_count(f->db), before + 2);
    sqlite3_stmt *st;
    db_prepare(f->db, "SELECT who, action, query, shown FROM access_log ORDER BY id DESC "
                      "LIMIT 1 OFFSET 1", &st, NULL);
    CHECK_INT(t, sqlite3_step(st), SQLITE_ROW);
    CHECK_STR(t, (const char *)sqlite3_column_text(st, 0), "tester");
    CHECK_STR(t, (const char *)sqlite3_column_text(st, 1), "lookup");
    CHECK(t, strstr((const char *)sqlite3_column_text(st, 2), "\"name\":\"张三\"") != NULL);
    CHECK_STR(t, (const char *)sqlite3_column_text(st, 3), "[4,5]");
    sqlite3_finalize(st);
    dg_err err = {0};
    CHECK_INT(t, db_exec(f->db, "UPDATE access_log SET who = 'x'", &err), DG_EDB);
    CHECK(t, strstr(err.msg, "append-only") != NULL);
    CHECK_INT(t, db_exec(f->db, "DELETE FROM access_log", &err), DG_EDB);
    CHECK_INT(t, log_count(f->db), before + 2);
    CHECK_INT(t, arc_access_log(f->db, NULL, "provenance", "{\"record\":1}", "[1]", NULL), 0);
    CHECK_INT(t, log_count(f->db), before + 3);
}

static void test_export(fxt *f)
{
    tl_state *t = f->t;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    long n = 0;
    int64_t before = log_count(f->db);
    CHECK_INT(t, arc_export_archive(f->db, "tester", out, &n, NULL), 0);
    fclose(out);
    CHECK_INT(t, n, NFX);
    CHECK(t, starts_with(buf, "{\"record\":1,\"file\":\"box1/p001.tif\",\"page\":2,\"row\":3,"
                              "\"fields\":{\"name\":\"陳建國\","));
    CHECK(t, buf && strstr(buf, "{\"record\":2,\"file\":null,\"page\":null,\"row\":null,") != NULL);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    CHECK_INT(t, lines, NFX);
    CHECK_INT(t, log_count(f->db), before + 1);
    free(buf);
}

/* A new archive of its own for a case: the database, a normalizer for the
 * keys and a load run; returns the run id. */
static int64_t scratch_open(tl_state *t, const char *dir, const char *file, sqlite3 **db,
                            norm_ctx **nc)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    unlink(path);
    int64_t run_id = 0;
    CHECK_INT(t, db_open(path, DB_OPEN_CREATE, db, NULL), 0);
    CHECK_INT(t, norm_ctx_new(DANGAN_SOURCE_CONFIG_DIR, nc, NULL), 0);
    CHECK_INT(t, db_run_begin(*db, "load", "{}", &run_id, NULL), 0);
    return run_id;
}

/* The archive is written: a lookup session on it (NULL when it failed). */
static arc_lookup *scratch_lookup(tl_state *t, sqlite3 *db, norm_ctx **nc, int bad)
{
    CHECK_INT(t, bad, 0);
    norm_ctx_free(nc);
    arc_lookup *lk = NULL;
    CHECK_INT(t, arc_lookup_new(db, DANGAN_SOURCE_CONFIG_DIR, &lk, NULL), 0);
    return lk;
}

/* #23: a pinyin request whose sound many archived people share (王伟, 汪威,
 * 王维 all read "wang wei") is not reported as the name asked: a person not
 * archived reads the same as likely.  The dates and major of the request
 * decide; a rare sound (duanmu xiaofan above) needs none.  Its own archive:
 * 240 people, 5 surnames x 8 given characters, a third of them "wang wei". */
static void test_as_asked(tl_state *t, const char *dir)
{
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = scratch_open(t, dir, "lookup_crowd.db", &db, &nc);
    static const char *const sur[] = {"王", "汪", "王", "李", "张", "刘"};
    static const char *const giv[] = {"伟", "威", "维", "芳", "强", "军", "明", "华"};
    static const char *const maj[] = {"理论物理", "有机化学", "固体力学", "植物学"};
    int bad = 0;
    for (int i = 0; i < 240 && !bad; i++) {
        char name[32], birth[16], grad[16];
        int sn = i % 6, g = (i / 6) % 8;
        if (sn < 3)
            g = i % 3; /* the first three surname slots: wang wei, wang wei, wang wei */
        snprintf(name, sizeof name, "%s%s", sur[sn], giv[g]);
        snprintf(birth, sizeof birth, "%d-%02d", 1940 + i % 20, 1 + i % 12);
        snprintf(grad, sizeof grad, "%d-07", 1966 + i % 20 + i % 7);
        fx_person p = {name, birth, "男", grad, maj[i % 4], "0702", "物理学"};
        bad |= insert_person(db, nc, &p, run_id);
    }
    arc_lookup *lk = scratch_lookup(t, db, &nc, bad);
    arc_lookup_result r = {0};
    arc_lookup_query q = {.name = "Wang Wei", .who = "tester"};
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    CHECK(t, r.n >= 3);                     /* still shown */
    CHECK(t, r.n && r.hits[0].tier == 70);
    CHECK_INT(t, r.exact, 0);               /* but not as the person asked */
    CHECK(t, r.as_asked > 0 && r.as_asked < 0.95);
    arc_lookup_result_release(&r);
    /* person 0 (王伟): birth month, graduation year and major single it out */
    q.born = "1940-01";
    q.graduated = "1966";
    q.major = "理论物理";
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    CHECK(t, r.n >= 1 && r.hits[0].record == 1);
    CHECK_INT(t, r.exact, 1);
    CHECK(t, r.as_asked >= 0.95);
    arc_lookup_result_release(&r);
    /* a Han name is found as written or not, whatever the crowd */
    arc_lookup_query h = {.name = "王伟", .who = "tester"};
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &h, &r, NULL), 0);
    CHECK_INT(t, r.exact, 1);
    arc_lookup_result_release(&r);
    arc_lookup_free(&lk);
    db_close(&db);
}

/* #23: a misread whose neighbours tie (one character differs, born the same
 * month) ranks first the one whose substitute is likelier in its slot: 李玲
 * asked, 李 a common surname here and 玲 a rare given character, so 张玲
 * (李 put in for 张) comes before 李强, 李军 ... (玲 put in), which come first
 * by record id. */
static void test_misread_ties(tl_state *t, const char *dir)
{
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = scratch_open(t, dir, "lookup_ties.db", &db, &nc);
    static const char *const giv[] = {"强", "军", "明", "华", "伟", "芳"};
    int bad = 0;
    for (int i = 0; i < 60 && !bad; i++) { /* 李 in most names, born in other months */
        char name[32];
        snprintf(name, sizeof name, "%s%s", i % 4 ? "李" : "王", giv[i % 6]);
        fx_person p = {name, "1950-01", "男", "1975-07", "理论物理", "0702", "物理学"};
        bad |= insert_person(db, nc, &p, run_id);
    }
    const char *same_month[] = {"李强", "李军", "李明", "张玲"};
    for (int i = 0; i < 4 && !bad; i++) {
        fx_person p = {same_month[i], "1960-05", "男", "1985-07", "理论物理", "0702", "物理学"};
        bad |= insert_person(db, nc, &p, run_id);
    }
    arc_lookup *lk = scratch_lookup(t, db, &nc, bad);
    arc_lookup_result r = {0};
    arc_lookup_query q = {.name = "李玲", .born = "1960-05", .who = "tester"};
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    CHECK_INT(t, r.n, 4);
    CHECK_STR(t, r.n ? r.hits[0].fields[0] : NULL, "张玲");
    CHECK(t, r.n == 4 && r.hits[0].score == r.hits[3].score); /* a tie-break, not a score */
    arc_lookup_result_release(&r);
    arc_lookup_free(&lk);
    db_close(&db);
}

/* #23: an OCR misread of a look-alike glyph (佘 read 余, as chi_sim reads
 * 郝 as 部) is found first among neighbours that tie on the facts: 佘建国
 * asked, born 1960-05; 王建国, 李建国, 张建国, 刘建国 (born the same month,
 * lower record ids) differ from it by one character as much as 余建国 does,
 * but only 余 looks like 佘 (configs/normalize/glyphs.tsv).  Without the
 * glyph table 余建国 comes fifth, by record id. */
static void test_glyph_misread(tl_state *t, const char *dir)
{
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = scratch_open(t, dir, "lookup_glyph.db", &db, &nc);
    static const char *const names[] = {"王建国", "李建国", "张建国", "刘建国", "余建国",
                                        "王卫东", "李卫东", "陈卫东", "部卫东"};
    int bad = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !bad; i++) {
        fx_person p = {names[i], "1960-05", "男", "1985-07", "理论物理", "0702", "物理学"};
        bad |= insert_person(db, nc, &p, run_id);
    }
    arc_lookup *lk = scratch_lookup(t, db, &nc, bad);
    arc_lookup_result r = {0};
    arc_lookup_query q = {.name = "佘建国", .born = "1960-05", .who = "tester"};
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    CHECK_INT(t, r.exact, 0);
    CHECK(t, r.n >= 5);
    CHECK_STR(t, r.n ? r.hits[0].fields[0] : NULL, "余建国");
    int why = 0;
    for (size_t i = 0; r.n && i < r.hits[0].nwhy; i++)
        why |= strncmp(r.hits[0].why[i], "look-alike glyphs (", 19) == 0;
    CHECK(t, why);
    arc_lookup_result_release(&r);
    /* the same for 郝 read 部, by the name alone */
    arc_lookup_query q2 = {.name = "郝卫东", .who = "tester"};
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q2, &r, NULL), 0);
    int top3 = 0;
    for (size_t i = 0; i < r.n && i < 3; i++)
        top3 |= strcmp(r.hits[i].fields[0], "部卫东") == 0;
    CHECK(t, top3);
    arc_lookup_result_release(&r);
    arc_lookup_free(&lk);
    db_close(&db);
}

/* #24: a Han request whose exact namesakes fill the hits shown reads no
 * other tier, unless three criteria could lift a homophone to an exact
 * hit's score: 汪伟 (pinyin tier, 70, born, graduated and major matching:
 * 100) ties 王伟 (exact, 100, none of them archived) and comes first by
 * record id, so it must still be read. */
static void test_exact_fills(tl_state *t, const char *dir)
{
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = scratch_open(t, dir, "lookup_fills.db", &db, &nc);
    fx_person homophone = {"汪伟", "1950-01", "男", "1975-07", "理论物理", "0702", "物理学"};
    fx_person exact = {"王伟", NULL, "男", NULL, "有机化学", "0703", "化学"};
    int bad = insert_person(db, nc, &homophone, run_id) | insert_person(db, nc, &exact, run_id);
    arc_lookup *lk = scratch_lookup(t, db, &nc, bad);
    arc_lookup_result r = {0};
    arc_lookup_query q = {.name = "王伟", .born = "1950-01", .graduated = "1975",
                          .major = "理论物理", .limit = 1, .who = "tester"};
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    CHECK_INT(t, r.n, 1);
    CHECK_STR(t, r.n ? r.hits[0].fields[0] : NULL, "汪伟");
    CHECK_INT(t, r.n ? r.hits[0].score : 0, 100);
    arc_lookup_result_release(&r);
    /* two criteria: a homophone reaches 90 at most, the exact hit stands */
    q.major = NULL;
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    CHECK_INT(t, r.n, 1);
    CHECK_STR(t, r.n ? r.hits[0].fields[0] : NULL, "王伟");
    arc_lookup_result_release(&r);
    arc_lookup_free(&lk);
    db_close(&db);
}

/* as_asked of a pinyin request by name alone, in a new lookup session */
static double fresh_as_asked(tl_state *t, sqlite3 *db, const char *name)
{
    arc_lookup *lk = NULL;
    CHECK_INT(t, arc_lookup_new(db, DANGAN_SOURCE_CONFIG_DIR, &lk, NULL), 0);
    arc_lookup_result r = {0};
    arc_lookup_query q = {.name = name, .who = "tester"};
    if (lk)
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    double a = r.as_asked;
    arc_lookup_result_release(&r);
    arc_lookup_free(&lk);
    return a;
}

/* #23: the name prior behind as_asked is kept in the database (migration
 * 022) by the first session that needs it and read by the next ones (a
 * stored prior that says ten times the persons changes their answer); a new
 * person makes it old, and it is made again. */
static void test_prior_kept(tl_state *t, const char *dir)
{
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = scratch_open(t, dir, "lookup_prior.db", &db, &nc);
    static const char *const names[] = {"王伟", "汪威", "李强", "张军", "刘明", "陈华"};
    int bad = 0;
    for (int i = 0; i < 60 && !bad; i++) {
        fx_person p = {names[i % 6], "1950-01", "男", "1975-07", "理论物理", "0702", "物理学"};
        bad |= insert_person(db, nc, &p, run_id);
    }
    CHECK_INT(t, bad, 0);
    int64_t rows = -1, maxp = -1;
    double a1 = fresh_as_asked(t, db, "Wang Wei");
    db_query_int(db, "SELECT count(*) FROM lookup_prior", &rows, NULL);
    CHECK_INT(t, rows, 1);
    db_query_int(db, "SELECT max_person FROM lookup_prior", &maxp, NULL);
    CHECK_INT(t, maxp, 60);
    CHECK(t, fabs(fresh_as_asked(t, db, "Wang Wei") - a1) < 1e-12);
    /* the next session reads what is stored: ten times the persons */
    CHECK_INT(t, db_exec(db, "UPDATE lookup_prior SET data = replace(data, char(10) || 'N' || "
                             "char(9) || '60' || char(9), char(10) || 'N' || char(9) || '600' || "
                             "char(9))", NULL), 0);
    double a2 = fresh_as_asked(t, db, "Wang Wei");
    CHECK(t, a2 < a1);
    /* a person more: the stored prior is old, made again from the archive */
    fx_person p = {"赵一", "1950-01", "男", "1975-07", "理论物理", "0702", "物理学"};
    CHECK_INT(t, insert_person(db, nc, &p, run_id), 0);
    double a3 = fresh_as_asked(t, db, "Wang Wei");
    CHECK(t, a3 > a2);
    db_query_int(db, "SELECT max_person FROM lookup_prior", &maxp, NULL);
    CHECK_INT(t, maxp, 61);
    norm_ctx_free(&nc);
    db_close(&db);
}

/* #23: pinyin requests find names whose characters have several readings,
 * however the requester read them, and surnames by their surname reading. */
static void test_polyphones(tl_state *t, const char *dir)
{
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = scratch_open(t, dir, "lookup_poly.db", &db, &nc);
    static const char *const names[] = {"张长江", "朴正浩", "曾乐", "单田芳", "解放",
                                        "查良镛", "仇英", "区伟", "王强"};
    int bad = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !bad; i++) {
        fx_person p = {names[i], "1950-01", "男", "1975-07", "理论物理", "0702", "物理学"};
        bad |= insert_person(db, nc, &p, run_id);
    }
    arc_lookup *lk = scratch_lookup(t, db, &nc, bad);
    static const char *const asked[][2] = {
        {"Zhang Changjiang", "张长江"}, {"Zhangjiang Zhang", "张长江"}, {"zhang zhang jiang", "张长江"},
        {"Piao Zhenghao", "朴正浩"},    {"Zhenghao Piao", "朴正浩"},     {"Pu Zhenghao", "朴正浩"},
        {"Zeng Le", "曾乐"},            {"Zeng Yue", "曾乐"},            {"Shan Tianfang", "单田芳"},
        {"Xie Fang", "解放"},           {"Jie Fang", "解放"},            {"Zha Liangyong", "查良镛"},
        {"Qiu Ying", "仇英"},           {"Ou Wei", "区伟"},
    };
    for (size_t i = 0; lk && i < sizeof asked / sizeof asked[0]; i++) {
        arc_lookup_result r = {0};
        arc_lookup_query q = {.name = asked[i][0], .who = "tester"};
        CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
        int found = 0;
        for (size_t j = 0; j < r.n && j < 3; j++)
            found |= strcmp(r.hits[j].fields[0], asked[i][1]) == 0;
        if (!found)
            fprintf(stderr, "polyphone: '%s' did not find %s\n", asked[i][0], asked[i][1]);
        CHECK(t, found);
        arc_lookup_result_release(&r);
    }
    arc_lookup_free(&lk);
    db_close(&db);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "fixture") == 0)
        return build_fixture(argv[2]) ? 1 : 0;
    tl_state t = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/lookup_unit.db", argc > 1 ? argv[1] : ".");
    CHECK_INT(&t, build_fixture(path), 0);
    fxt f = {.t = &t};
    dg_err err = {0};
    CHECK_INT(&t, db_open(path, 0, &f.db, &err), 0);
    CHECK_INT(&t, arc_lookup_new(f.db, DANGAN_SOURCE_CONFIG_DIR, &f.lk, &err), 0);
    if (t.failures) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return tl_exit_status(&t, "lookup_unit");
    }
    test_simplified(&f);
    test_traditional(&f);
    test_pinyin(&f);
    test_ranking(&f);
    test_misreads(&f);
    test_any_position(&f);
    test_filters(&f);
    test_major(&f);
    test_json(&f);
    test_access_log(&f);
    test_export(&f);
    test_as_asked(&t, argc > 1 ? argv[1] : ".");
    test_misread_ties(&t, argc > 1 ? argv[1] : ".");
    test_exact_fills(&t, argc > 1 ? argv[1] : ".");
    test_glyph_misread(&t, argc > 1 ? argv[1] : ".");
    test_polyphones(&t, argc > 1 ? argv[1] : ".");
    test_prior_kept(&t, argc > 1 ? argv[1] : ".");
    arc_lookup_result_release(&f.r);
    arc_lookup_free(&f.lk);
    db_close(&f.db);
    return tl_exit_status(&t, "lookup_unit");
}
