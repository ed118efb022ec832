/*
 * test_extract.c - tests of field extraction.
 *
 * Golden cases: tests/data/extract/CASE.sql lists synthetic OCR words (and
 * grid cells) as the OCR stage would store them (or, first line "-- on:
 * BASE", changes BASE.sql's); the test builds a fresh
 * database with one page in state 'read', runs arc_extract with the
 * shipped templates (or, with a line "-- templates: DIR", DATA_DIR/DIR),
 * exports records and compares them with CASE.jsonl line by line.  OCR
 * variability never reaches these tests.  Every CASE.sql with a CASE.jsonl
 * is a golden case, one ctest each (tests/extract/CMakeLists.txt finds
 * them); a .sql without one is a fixture for a test below.  Also: refused
 * templates (schema error, external entity, entity bomb) with their
 * messages, and the fuzzy label matcher.
 *
 * usage: test_extract DATA_DIR TEMPLATES_DIR        the tests below
 *        test_extract DATA_DIR TEMPLATES_DIR CASE   golden case CASE
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "db.h"
#include "extract_internal.h"
#include "testlib.h"

static const char *data_dir, *templates_dir;

/* The page every case writes on, and the rows an ingest + ocr would leave. */
static const char setup_sql[] =
    "INSERT INTO run(id, stage, version, started) VALUES (1, 'ocr', 'test', '2000-01-01');"
    "INSERT INTO batch(id, run_id, paths, started) VALUES (1, 1, '[]', '2000-01-01');"
    "INSERT INTO file(id, sha256, size, format, path, abspath, page_count, batch_id, added) "
    " VALUES (1, 'f00d', 1, 'png', 'fixture.png', '/fixture.png', 1, 1, '2000-01-01');"
    "INSERT INTO page(id, file_id, page_index, width, height, dpi, state) "
    " VALUES (1, 1, 0, 2480, 3508, 300, 'read');"
    "CREATE TEMP TABLE fx_cell(row INT, col INT, x INT, y INT, w INT, h INT);"
    "CREATE TEMP TABLE fx_word(line INT, x INT, y INT, w INT, h INT, text TEXT, "
    " conf REAL DEFAULT 90, crow INT, ccol INT);";

/* Words become lines (box = union) and words, as the OCR stage stores them. */
static const char finish_sql[] =
    "INSERT INTO ocr_cell(page_id, row_no, col_no, x, y, w, h) "
    " SELECT 1, row, col, x, y, w, h FROM fx_cell;"
    "INSERT INTO ocr_line(page_id, cell_id, seq, block_no, text, conf, x, y, w, h) "
    " SELECT 1, (SELECT c.id FROM ocr_cell c WHERE c.row_no = g.crow AND c.col_no = g.ccol),"
    " line, 0, t, cf, x0, y0, x1 - x0, y1 - y0 FROM (SELECT line, min(crow) AS crow, "
    " min(ccol) AS ccol, group_concat(text, ' ') AS t, avg(conf) AS cf, min(x) AS x0, "
    " min(y) AS y0, max(x + w) AS x1, max(y + h) AS y1 FROM fx_word GROUP BY line) g;"
    "INSERT INTO ocr_word(page_id, line_id, cell_id, block_no, line_no, word_no, text, conf, "
    " x, y, w, h) SELECT 1, (SELECT id FROM ocr_line WHERE seq = fx.line), "
    " (SELECT c.id FROM ocr_cell c WHERE c.row_no = fx.crow AND c.col_no = fx.ccol), 0, line, "
    " row_number() OVER (PARTITION BY line ORDER BY x) - 1, text, conf, x, y, w, h "
    " FROM fx_word fx;";

static char *read_text(const char *path)
{
    unsigned char *d;
    size_t n;
    if (arc_read_file(path, &d, &n, NULL))
        return NULL;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, d, n);
        s[n] = 0;
    }
    free(d);
    return s;
}

/* Runs CASE.sql into the fixture tables.  A case whose first line is
 * "-- on: BASE" is BASE's words changed by its own statements (a ledger
 * with its header line taken out is not written out again). */
static int load_case(sqlite3 *db, const char *name, dg_err *err)
{
    char path[1024], base[64];
    snprintf(path, sizeof path, "%s/%s.sql", data_dir, name);
    char *sql = read_text(path);
    if (!sql)
        return dg_err_set(err, DG_EINPUT, "cannot read %s", path);
    int rc = sscanf(sql, "-- on: %63s", base) == 1 ? load_case(db, base, err) : 0;
    rc = rc ? rc : db_exec(db, sql, err);
    free(sql);
    return rc;
}

static sqlite3 *fixture_db(tl_state *t, const char *name, char *dbpath, size_t n)
{
    static int serial; /* test-local counter: each fixture gets its own file */
    snprintf(dbpath, n, "/tmp/dangan-test-extract-%d-%d-%s.db", (int)getpid(), ++serial, name);
    unlink(dbpath);
    sqlite3 *db = NULL;
    dg_err err = {0};
    CHECK(t, db_open(dbpath, DB_OPEN_CREATE, &db, &err) == 0);
    if (!db)
        return NULL;
    CHECK(t, db_exec(db, setup_sql, &err) == 0);
    CHECK(t, load_case(db, name, &err) == 0);
    CHECK(t, db_exec(db, finish_sql, &err) == 0);
    if (err.msg[0])
        fprintf(stderr, "%s: %s\n", name, err.msg);
    return db;
}

static char *export_all(sqlite3 *db)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    arc_export_records(db, f, NULL);
    fclose(f);
    return buf;
}

/* Extract one case and compare its export with CASE.jsonl. */
static void golden(tl_state *t, const char *name, const char *tpl_dir, const char *want_state)
{
    char dbpath[256], path[1024];
    sqlite3 *db = fixture_db(t, name, dbpath, sizeof dbpath);
    if (!db)
        return;
    arc_extract_opts o = {0};
    o.templates_dir = tpl_dir;
    arc_extract_summary sum;
    dg_err err = {0};
    int rc = arc_extract(db, &o, NULL, &sum, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    CHECK_INT(t, rc, 0);
    int64_t nstate = 0;
    char q[160];
    snprintf(q, sizeof q, "SELECT count(*) FROM page WHERE state = '%s'", want_state);
    db_query_int(db, q, &nstate, NULL);
    CHECK_INT(t, nstate, 1);
    char *got = export_all(db);
    snprintf(path, sizeof path, "%s/%s.jsonl", data_dir, name);
    char *want = read_text(path);
    if (!want || !got || strcmp(got, want) != 0) {
        snprintf(path, sizeof path, "/tmp/%s.got.jsonl", name);
        FILE *f = fopen(path, "w");
        if (f) {
            fputs(got ? got : "", f);
            fclose(f);
        }
        tl_fail(t, __FILE__, __LINE__, "case %s: export differs from %s.jsonl (got: %s)", name,
                name, path);
    }
    t->checks++;
    /* idempotent: a redo gives the same export */
    o.redo = 1;
    CHECK_INT(t, arc_extract(db, &o, NULL, &sum, &err), 0);
    char *again = export_all(db);
    int64_t nrec = 0;
    db_query_int(db, "SELECT count(*) FROM record", &nrec, NULL);
    CHECK(t, again && got && strcmp(again, got) == 0);
    free(again);
    free(got);
    free(want);
    db_close(&db);
    if (!getenv("DANGAN_TEST_KEEP")) /* keep the fixture database to debug a case */
        unlink(dbpath);
}

static void test_unknown_form(tl_state *t)
{
    char dbpath[256];
    sqlite3 *db = fixture_db(t, "unknown_form", dbpath, sizeof dbpath);
    if (!db)
        return;
    arc_extract_opts o = {0};
    o.templates_dir = templates_dir;
    arc_extract_summary sum;
    CHECK_INT(t, arc_extract(db, &o, NULL, &sum, NULL), 0);
    CHECK_INT(t, sum.unknown, 1);
    int64_t n = -1;
    db_query_int(db, "SELECT count(*) FROM page_form WHERE template IS NULL "
                     "AND reason LIKE 'unknown form (best %'", &n, NULL);
    CHECK_INT(t, n, 1);
    db_query_int(db, "SELECT count(*) FROM record", &n, NULL);
    CHECK_INT(t, n, 0);
    db_close(&db);
    if (!getenv("DANGAN_TEST_KEEP"))
        unlink(dbpath);
}

/* Extract fixture `name` with the shipped templates and check that the
 * count query `sql` gives `want`. */
static void check_extracted(tl_state *t, const char *name, const char *sql, int64_t want)
{
    char dbpath[256];
    sqlite3 *db = fixture_db(t, name, dbpath, sizeof dbpath);
    if (!db)
        return;
    arc_extract_opts o = {0};
    o.templates_dir = templates_dir;
    CHECK_INT(t, arc_extract(db, &o, NULL, NULL, NULL), 0);
    int64_t n = 0;
    db_query_int(db, sql, &n, NULL);
    CHECK_INT(t, n, want);
    db_close(&db);
    if (!getenv("DANGAN_TEST_KEEP"))
        unlink(dbpath);
}

/* The university is the title's text before the class year, also when
 * the OCR read the year's 〇 as 口 (浙江大学一九九口届...). */
static void test_title_year(tl_state *t)
{
    check_extracted(t, "ledger_lost_header",
                    "SELECT count(*) FROM page_form "
                    "WHERE json_extract(header, '$.university.raw') = '浙江大学'",
                    1);
}

static void test_wrapped_rows(tl_state *t)
{
    check_extracted(t, "ledger_wrapped",
                    "SELECT count(*) FROM record WHERE template = 'graduate_ledger'", 3);
}

/* Fixture `name` gives no record, and its page is left as an unknown form
 * whose reason matches the LIKE pattern `reason`. */
static void check_refused(tl_state *t, const char *name, const char *reason)
{
    char sql[300];
    check_extracted(t, name, "SELECT count(*) FROM record", 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM page p JOIN page_form f ON f.page_id = p.id "
             "WHERE p.state = 'unknown_form' AND f.template IS NULL AND f.reason LIKE '%s'",
             reason);
    check_extracted(t, name, sql, 1);
}

/* Two cards on one sheet give no record (one from both would mix two
 * students); the page's reason says to split the scan. */
static void test_two_cards(tl_state *t)
{
    check_refused(t, "two_cards", "two forms on one page%split the scan");
}

/* A ledger whose column header is lost gives no record and is left as an
 * unknown form saying so, not as a ledger page with no student. */
static void test_no_header(tl_state *t)
{
    check_refused(t, "ledger_no_header", "%without its column header%");
}

/* Pages holding a loaded record are never re-extracted. */
static void test_loaded_untouched(tl_state *t)
{
    char dbpath[256];
    sqlite3 *db = fixture_db(t, "card_lines", dbpath, sizeof dbpath);
    if (!db)
        return;
    arc_extract_opts o = {0};
    o.templates_dir = templates_dir;
    CHECK_INT(t, arc_extract(db, &o, NULL, NULL, NULL), 0);
    db_exec(db, "UPDATE record SET state = 'loaded'", NULL);
    o.redo = 1;
    arc_extract_summary sum;
    CHECK_INT(t, arc_extract(db, &o, NULL, &sum, NULL), 0);
    CHECK_INT(t, sum.skipped_loaded, 1);
    int64_t n = 0;
    db_query_int(db, "SELECT count(*) FROM record WHERE state = 'loaded'", &n, NULL);
    CHECK_INT(t, n, 1);
    db_query_int(db, "SELECT count(*) FROM run WHERE stage = 'extract' AND status = 'done' "
                     "AND params LIKE '%sha256%'", &n, NULL);
    CHECK_INT(t, n, 2);
    db_close(&db);
    if (!getenv("DANGAN_TEST_KEEP"))
        unlink(dbpath);
}

static void refused(tl_state *t, const char *file, const char *want)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bad/%s", data_dir, file);
    ex_templates *set = ex_templates_new(NULL);
    dg_err err = {0};
    int rc = ex_templates_add_file(set, path, &err);
    CHECK(t, rc != 0);
    if (!strstr(err.msg, want) || !strstr(err.msg, file))
        tl_fail(t, __FILE__, __LINE__, "%s: message '%s' lacks '%s'", file, err.msg, want);
    t->checks++;
    CHECK_INT(t, ex_templates_count(set), 0);
    ex_templates_free(&set);
}

static void test_templates(tl_state *t)
{
    ex_templates *set = NULL;
    dg_err err = {0};
    CHECK_INT(t, ex_templates_load_dir(templates_dir, NULL, NULL, &set, &err), 0);
    CHECK(t, ex_templates_count(set) >= 2);
    ex_templates_free(&set);
    refused(t, "schema_error.xml", "schema_error.xml':9: Element field failed to validate attributes");
    refused(t, "external_entity.xml", "DOCTYPE not allowed");
    refused(t, "billion_laughs.xml", "DOCTYPE not allowed");
    refused(t, "not_xml.xml", "not_xml.xml':6: Premature end of data");
    refused(t, "column_in_card.xml", "at=\"column\" is for layout=\"table\"");
    /* declarations of forms without ruling lines: a name the grammar does
     * not know, underlines on a ledger, an underline under no label */
    refused(t, "rules_unknown.xml", "rules_unknown.xml':4: Invalid attribute rules for element template");
    refused(t, "rules_underline_table.xml",
            "rules_underline_table.xml':4: rules=\"underline\" is for layout=\"card\"");
    refused(t, "rules_title_prefix.xml",
            "rules_title_prefix.xml':7: field 'university': rules=\"underline\" needs a value "
            "found by its label");
}

static int found(const ex_lookalikes *lk, const char *label, const char *text, size_t *s,
                 size_t *e)
{
    ex_label l;
    uint32_t cp[128];
    if (ex_label_fold(label, &l))
        return 0;
    size_t n = ex_utf8_decode(text, strlen(text), cp, 128), k = 0;
    for (size_t i = 0; i < n; i++) /* the matcher sees significant characters only */
        if (ex_cp_significant(cp[i]))
            cp[k++] = cp[i];
    return ex_label_find(lk, &l, cp, k, s, e) <= ex_label_tolerance(&l);
}

/* The matcher with the shipped look-alike classes (the templates' configs). */
static void test_matcher(tl_state *t)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../normalize/confusables.tsv", templates_dir);
    ex_lookalikes *lk = NULL;
    dg_err err = {0};
    CHECK_INT(t, ex_lookalikes_load(path, &lk, &err), 0);
    static const struct {
        const char *label, *text;
        int want, start, end;
    } cases[] = {
        {"入学年月", "人学年月1983.09", 1, 0, 4}, /* 入 read as 人 */
        {"研究方向", "研穴方向", 1, 0, 4},        /* 究 read as 穴 */
        {"姓名", "姓 名 董美玲", 1, 0, 2},        /* spaces inside */
        {"系(所)", "系（所）教育系", 1, 0, 2},    /* punctuation folded */
        {"学号", "学导", 0, 0, 0},                /* short labels get no slack */
        {"学号", "学叶 8531207", 1, 0, 2},        /* but a look-alike: 号 read as 叶 */
        {"导师", "指导教师", 0, 0, 0},
        {"毕业年月", "毕亚年月 1985.7", 1, 0, 4}, /* one ordinary slip in 4 */
        {"出生年月", "出生日期", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t s = 0, e = 0;
        int f = found(lk, cases[i].label, cases[i].text, &s, &e);
        if (f != cases[i].want)
            tl_fail(t, __FILE__, __LINE__, "matcher case %zu: '%s' in '%s': got %d", i,
                    cases[i].label, cases[i].text, f);
        else if (f && ((int)s != cases[i].start || (int)e != cases[i].end))
            tl_fail(t, __FILE__, __LINE__, "matcher case %zu: span %zu-%zu", i, s, e);
        t->checks++;
    }
    ex_lookalikes_free(&lk);
}

/* The templates golden case `name` is extracted with: DATA_DIR/DIR when
 * CASE.sql has a line "-- templates: DIR", else the shipped ones. */
static const char *case_templates(const char *name, char *buf, size_t n)
{
    char path[1024], dir[256];
    snprintf(path, sizeof path, "%s/%s.sql", data_dir, name);
    char *sql = read_text(path);
    const char *at = sql ? strstr(sql, "-- templates: ") : NULL;
    const char *tpl = templates_dir;
    if (at && sscanf(at, "-- templates: %255s", dir) == 1) {
        snprintf(buf, n, "%s/%s", data_dir, dir);
        tpl = buf;
    }
    free(sql);
    return tpl;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: test_extract DATA_DIR TEMPLATES_DIR [CASE]\n");
        return 2;
    }
    data_dir = argv[1];
    templates_dir = argv[2];
    tl_state t = {0};
    if (argc == 4) {
        char tpl[1024];
        golden(&t, argv[3], case_templates(argv[3], tpl, sizeof tpl), "extracted");
        return tl_exit_status(&t, argv[3]);
    }
    test_matcher(&t);
    test_templates(&t);
    test_unknown_form(&t);
    test_wrapped_rows(&t);
    test_two_cards(&t);
    test_no_header(&t);
    test_title_year(&t);
    test_loaded_untouched(&t);
    return tl_exit_status(&t, "test_extract");
}
