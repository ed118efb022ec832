/*
 * test_stage_normalize.c - the normalize stage on a fixture database built
 * with SQL the way extraction leaves it (file, page, page_form, record,
 * field rows): values, states, steps and candidates stored, low confidence
 * -> review, impossible date -> invalid, implausible dates -> review,
 * idempotence, --redo, loaded records untouched, operator mapping rules,
 * catalog import idempotence, an extra edition added as data, and the
 * catalog fingerprint covering every file the manifest names.
 *
 * usage: test_stage_normalize CONFIG_DIR DATA_DIR
 *        test_stage_normalize --fixture DB   (build the fixture for cli.sh)
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "db.h"
#include "testlib.h"

/* ---- fixture ------------------------------------------------------------------ */

static const char *const fixture_head =
    "INSERT INTO run(id, stage, version, started) VALUES (1, 'extract', 'test', '2024-01-01');"
    "INSERT INTO batch(id, run_id, paths, started) VALUES (1, 1, '[]', '2024-01-01');"
    "INSERT INTO file(id, sha256, size, format, path, abspath, page_count, batch_id, added) "
    "VALUES (1, 'f00d', 1, 'png', 'a.png', '/a.png', 2, 1, '2024-01-01');"
    "INSERT INTO page(id, file_id, page_index, width, height, state) VALUES "
    "(1, 1, 0, 100, 100, 'extracted'), (2, 1, 1, 100, 100, 'extracted');"
    "INSERT INTO page_form(page_id, run_id, template, header) VALUES "
    "(1, 1, 'R1', '{\"form_date\": \"1988.6.9\"}'),"
    "(2, 1, 'L1', '{\"department\": {\"printed\": \"计算机系\"}, \"form_date\": \"1991.7\"}');"
    "INSERT INTO record(id, page_id, row_no, template, run_id, state) VALUES "
    "(1, 1, 0, 'R1', 1, 'extracted'), (2, 2, 1, 'L1', 1, 'extracted'),"
    "(3, 2, 2, 'L1', 1, 'extracted'), (4, 2, 3, 'L1', 1, 'loaded');";

typedef struct fx_field {
    int64_t record;
    const char *key, *raw;
    double conf;
} fx_field;

static const fx_field fixture_fields[] = {
    {1, "name", "張 三 教授", 90},   {1, "sex", "男", 95},
    {1, "birth_date", "1962.7", 80}, {1, "enroll_date", "85.9", 80},
    {1, "grad_date", "1988年7月", 85}, {1, "ethnicity", "汉", 90},
    {1, "political_status", "党员", 90}, {1, "degree", "工学硕士", 90},
    {1, "duration", "三年", 90},      {1, "major", "计算机软件", 88},
    {1, "major_code", NULL, 0},      {1, "supervisor", "李四", 43},
    {1, "department", "计算机系", 90},
    {2, "name", "王五", 90},         {2, "birth_date", "1985.13", 80},
    {2, "enroll_date", "1990.9", 80}, {2, "grad_date", "1988.7", 80},
    {3, "name", "赵六", 90},         {3, "major", "计算机应用技术", 90},
    {3, "major_code", "081203", 90}, {3, "enroll_date", "1997.9", 90},
    {3, "grad_date", "2000.7", 90},
    {4, "name", "钱七", 90},
};

static int field_add(sqlite3 *db, const fx_field *f)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO field(record_id, key, raw, value, state, conf_min, "
                               "conf_mean) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?5)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, f->record);
    sqlite3_bind_text(st, 2, f->key, -1, SQLITE_STATIC);
    if (f->raw)
        sqlite3_bind_text(st, 3, f->raw, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->raw ? "extracted" : "missing", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, f->conf);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

static int fixture_build(sqlite3 *db)
{
    if (db_exec(db, fixture_head, NULL))
        return -1;
    for (size_t i = 0; i < sizeof fixture_fields / sizeof *fixture_fields; i++)
        if (field_add(db, &fixture_fields[i]))
            return -1;
    return 0;
}

/* ---- query helpers ------------------------------------------------------------ */

static sqlite3_stmt *q_prep(sqlite3 *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bad test sql: %s: %s\n", sql, sqlite3_errmsg(db));
        return NULL;
    }
    if (a)
        sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    return st;
}

/* First column of the first row as a new string ("(null)" for NULL, NULL if no row). */
static char *qs(sqlite3 *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st = q_prep(db, sql, a, b);
    char *out = NULL;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        out = strdup(t ? t : "(null)");
    }
    sqlite3_finalize(st);
    return out;
}

static long long qi(sqlite3 *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st = q_prep(db, sql, a, b);
    long long v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

#define FIELD_SQL(col) "SELECT " col " FROM field WHERE record_id = ?1 AND key = ?2"

static void check_field(tl_state *t, sqlite3 *db, const char *rec, const char *key,
                        const char *value, const char *state)
{
    char *v = qs(db, FIELD_SQL("value"), rec, key), *s = qs(db, FIELD_SQL("state"), rec, key);
    if (!v || strcmp(v, value) || !s || strcmp(s, state))
        tl_fail(t, __FILE__, __LINE__, "record %s %s: got '%s' %s, want '%s' %s", rec, key,
                v ? v : "(no row)", s ? s : "?", value, state);
    t->checks++;
    free(v);
    free(s);
}

static int flag_has(sqlite3 *db, const char *rec, const char *key, const char *needle)
{
    char *f = qs(db, FIELD_SQL("flag"), rec, key);
    int ok = f && strstr(f, needle) != NULL;
    if (!ok)
        fprintf(stderr, "  flag of %s/%s is '%s', wanted '%s' in it\n", rec, key,
                f ? f : "(no row)", needle);
    free(f);
    return ok;
}

/* Every row the stage writes, except norm_run (a new run each time). */
static char *snapshot(sqlite3 *db)
{
    return qs(db,
              "SELECT (SELECT group_concat(x, '|') FROM (SELECT id || ':' || coalesce(value, "
              "'-') || ':' || state || ':' || coalesce(flag, '') || ':' || coalesce(value_detail,"
              " '') || ':' || coalesce(match_decision, '') || ':' || coalesce(match_code, '') "
              "|| ':' || coalesce(match_rule, '') AS x FROM field ORDER BY id)) || '#' || "
              "(SELECT group_concat(x, '|') FROM (SELECT field_id || ':' || seq || ':' || rule "
              "|| ':' || before || ':' || after AS x FROM field_step ORDER BY field_id, seq)) "
              "|| '#' || (SELECT group_concat(x, '|') FROM (SELECT field_id || ':' || rank || "
              "':' || code || ':' || score || ':' || evidence AS x FROM match_candidate ORDER BY "
              "field_id, rank)) || '#' || (SELECT group_concat(id || state, ',') FROM record)",
              NULL, NULL);
}

/* ---- cases ------------------------------------------------------------------ */

/* dst: a configs dir of links to src's entries, all but trust.conf. */
static int configs_without_trust(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    if (!d || mkdir(dst, 0700))
        return -1;
    char abs[4096];
    if (!realpath(src, abs)) {
        closedir(d);
        return -1;
    }
    int rc = 0;
    struct dirent *en;
    while (!rc && (en = readdir(d))) {
        if (en->d_name[0] == '.' || strcmp(en->d_name, "trust.conf") == 0)
            continue;
        char from[8400], to[8400];
        snprintf(from, sizeof from, "%s/%s", abs, en->d_name);
        snprintf(to, sizeof to, "%s/%s", dst, en->d_name);
        rc = symlink(from, to);
    }
    closedir(d);
    return rc;
}

typedef struct env {
    const char *config_dir;
    const char *data_dir;
    char catalog_dir[4096];
    char tmp[64];
} env;

static int open_fixture(env *e, const char *name, sqlite3 **db)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", e->tmp, name);
    unlink(path);
    dg_err err = {0};
    if (db_open(path, DB_OPEN_CREATE, db, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return fixture_build(*db);
}

static int normalize(env *e, sqlite3 *db, int redo, arc_normalize_summary *s)
{
    arc_normalize_opts o = {.redo = redo, .config_dir = e->config_dir,
                            .catalog_dir = e->catalog_dir};
    dg_err err = {0};
    int rc = arc_normalize(db, &o, NULL, s, &err);
    if (rc)
        fprintf(stderr, "normalize: %s\n", err.msg);
    return rc;
}

static void test_values_and_states(tl_state *t, env *e)
{
    sqlite3 *db;
    CHECK(t, open_fixture(e, "values.db", &db) == 0);
    arc_normalize_summary s;
    CHECK_INT(t, normalize(e, db, 0, &s), 0);
    CHECK_INT(t, s.records, 3);
    CHECK_INT(t, s.catalog_imported, 1);
    check_field(t, db, "1", "name", "张三", "auto");
    check_field(t, db, "1", "sex", "男", "auto");
    check_field(t, db, "1", "birth_date", "1962-07", "auto");
    check_field(t, db, "1", "enroll_date", "1985-09", "auto");
    check_field(t, db, "1", "grad_date", "1988-07", "auto");
    check_field(t, db, "1", "ethnicity", "汉族", "auto");
    check_field(t, db, "1", "political_status", "中共党员", "auto");
    check_field(t, db, "1", "degree", "工学硕士", "auto");
    check_field(t, db, "1", "duration", "3", "auto");
    check_field(t, db, "1", "supervisor", "李四", "review");
    CHECK(t, flag_has(db, "1", "supervisor", "low_confidence 43 < 70"));
    CHECK_INT(t, qi(db, FIELD_SQL("value IS NULL AND state = 'missing'"), "1", "major_code"), 1);
    char *detail = qs(db, FIELD_SQL("value_detail"), "1", "degree");
    CHECK_STR(t, detail, "master;工学");
    free(detail);
    /* provenance: the name's steps are stored, the run is recorded with params */
    CHECK(t, qi(db, "SELECT count(*) FROM field_step s JOIN field f ON f.id = s.field_id "
                    "WHERE f.record_id = ?1 AND f.key = ?2", "1", "name") >= 2);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM field WHERE record_id < 4 AND state <> 'missing' "
                        "AND norm_run = (SELECT max(id) FROM run WHERE stage = 'normalize')",
                    NULL, NULL),
              21);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM run WHERE stage = 'normalize' AND status = 'done' "
                        "AND json_extract(params, '$.min_conf.name') = 70 AND "
                        "json_extract(params, '$.configs.\"review.conf\"') IS NOT NULL",
                    NULL, NULL),
              1);
    /* impossible date -> invalid; graduation before enrolment -> review on both */
    check_field(t, db, "2", "enroll_date", "1990-09", "review");
    check_field(t, db, "2", "grad_date", "1988-07", "review");
    CHECK(t, flag_has(db, "2", "grad_date", "grad_before_enroll"));
    CHECK(t, flag_has(db, "2", "enroll_date", "grad_before_enroll"));
    CHECK_INT(t, qi(db, FIELD_SQL("value IS NULL AND state = 'invalid'"), "2", "birth_date"), 1);
    CHECK(t, flag_has(db, "2", "birth_date", "unparseable (month 13"));
    /* the major: an ambiguous name goes to review with candidates, an exact one is auto */
    CHECK_INT(t, qi(db, FIELD_SQL("match_decision = 'review' AND match_code IS NULL"), "1",
                    "major"),
              1);
    /* (the matcher currently ranks a single candidate, 0812, for 计算机软件) */
    CHECK(t, qi(db, "SELECT count(*) FROM match_candidate c JOIN field f ON f.id = c.field_id "
                    "WHERE f.record_id = ?1 AND f.key = ?2 AND c.rank = 1 AND c.code = '0812' "
                    "AND c.evidence LIKE '[\"%'", "1", "major") == 1);
    /* 计算机软件 is a pre-1997 name whose 1997 successor split: 0835 is a candidate too */
    CHECK(t, qi(db, "SELECT count(*) FROM match_candidate c JOIN field f ON f.id = c.field_id "
                    "WHERE f.record_id = ?1 AND f.key = ?2 AND c.code = '0835' "
                    "AND c.path LIKE 'pre1997:%'", "1", "major") == 1);
    char *code = qs(db, FIELD_SQL("match_decision || ' ' || match_code"), "3", "major");
    CHECK_STR(t, code, "auto 0812");
    free(code);
    /* records: normalized, the loaded one untouched */
    CHECK_INT(t, qi(db, "SELECT count(*) FROM record WHERE state = 'normalized'", NULL, NULL), 3);
    check_field(t, db, "4", "name", "钱七", "extracted");
    CHECK_INT(t, qi(db, "SELECT count(*) FROM field WHERE record_id = 4 AND norm_run IS NOT NULL",
                    NULL, NULL),
              0);
    db_close(&db);
}

static void test_idempotent_and_redo(tl_state *t, env *e)
{
    sqlite3 *db;
    arc_normalize_summary s;
    CHECK(t, open_fixture(e, "redo.db", &db) == 0);
    CHECK_INT(t, normalize(e, db, 0, &s), 0);
    char *first = snapshot(db);
    CHECK_INT(t, normalize(e, db, 0, &s), 0);
    CHECK_INT(t, s.records, 0); /* nothing left in state 'extracted' */
    char *second = snapshot(db);
    CHECK_STR(t, second, first);
    CHECK_INT(t, normalize(e, db, 1, &s), 0);
    CHECK_INT(t, s.records, 3); /* --redo: all but the loaded record */
    char *third = snapshot(db);
    CHECK_STR(t, third, first);
    /* an operator's verified value survives --redo */
    CHECK_INT(t, db_exec(db, "UPDATE field SET value = '张三丰', state = 'verified' "
                             "WHERE record_id = 1 AND key = 'name'", NULL), 0);
    CHECK_INT(t, normalize(e, db, 1, &s), 0);
    CHECK_INT(t, s.kept_fields, 1);
    check_field(t, db, "1", "name", "张三丰", "verified");
    check_field(t, db, "4", "name", "钱七", "extracted");
    free(first);
    free(second);
    free(third);
    db_close(&db);
}

static void test_mapping_rule(tl_state *t, env *e)
{
    sqlite3 *db;
    arc_normalize_summary s;
    dg_err err = {0};
    int64_t id = 0;
    CHECK(t, open_fixture(e, "rule.db", &db) == 0);
    /* no catalog yet: the rule's code cannot be checked */
    CHECK_INT(t, arc_mapping_rule_add(db, NULL, "计算机软件", 0, 0, NULL, "0812", "alice", 0, "", &id,
                                      &err), DG_ENOTFOUND);
    CHECK_INT(t, normalize(e, db, 0, &s), 0);
    CHECK_INT(t, arc_mapping_rule_add(db, NULL, "计算机软件", 0, 0, NULL, "9999", "alice", 0, "", &id,
                                      &err), DG_EINPUT);
    CHECK_INT(t, arc_mapping_rule_add(db, NULL, " 计算机软件 ", 1980, 1995, NULL, "0812", "alice", 0,
                                      "1980s software majors", &id, &err), 0);
    CHECK(t, id > 0);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM mapping_rule WHERE name_norm = '计算机软件' AND "
                        "operator = 'alice' AND decided <> '' AND active", NULL, NULL), 1);
    /* a later record with that name maps through the rule */
    CHECK_INT(t, db_exec(db, "INSERT INTO record(id, page_id, row_no, template, run_id) VALUES "
                             "(5, 2, 4, 'L1', 1);"
                             "INSERT INTO field(record_id, key, raw, conf_min) VALUES "
                             "(5, 'major', '计算机软件', 90), (5, 'enroll_date', '1986.9', 90);",
                         NULL), 0);
    CHECK_INT(t, normalize(e, db, 0, &s), 0);
    CHECK_INT(t, s.records, 1);
    char *got = qs(db, FIELD_SQL("match_decision || ' ' || match_code || ' ' || match_rule"), "5",
                   "major");
    char want[64];
    snprintf(want, sizeof want, "auto 0812 %lld", (long long)id);
    CHECK_STR(t, got, want);
    free(got);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM match_candidate c JOIN field f ON f.id = c.field_id "
                        "WHERE f.record_id = 5 AND c.rank = 1 AND c.evidence LIKE "
                        "'%operator rule%alice%'", NULL, NULL), 1);
    /* a deactivated rule no longer applies: back to the matcher's own decision */
    CHECK_INT(t, arc_mapping_rule_deactivate(db, id, &err), 0);
    CHECK_INT(t, normalize(e, db, 1, &s), 0);
    got = qs(db, FIELD_SQL("match_decision || coalesce(match_rule, '-')"), "5", "major");
    CHECK_STR(t, got, "review-");
    free(got);
    db_close(&db);
}

/* ---- catalogs ---------------------------------------------------------------- */

static int copy_file(const char *src, const char *dst, const char *mode)
{
    FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, mode) : NULL;
    char buf[8192];
    size_t n;
    int rc = in && out ? 0 : -1;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out))
        rc = -1;
    return rc;
}

/* A copy of configs/disciplines in e->tmp/name. */
static int catalog_copy(env *e, const char *name, char *dir, size_t n)
{
    snprintf(dir, n, "%s/%s", e->tmp, name);
    mkdir(dir, 0700);
    DIR *d = opendir(e->catalog_dir);
    struct dirent *de;
    char src[4096 + 256], dst[4096 + 256];
    int rc = d ? 0 : -1;
    while (!rc && (de = readdir(d)))
        if (de->d_name[0] != '.') {
            snprintf(src, sizeof src, "%s/%s", e->catalog_dir, de->d_name);
            snprintf(dst, sizeof dst, "%s/%s", dir, de->d_name);
            rc = copy_file(src, dst, "wb");
        }
    if (d)
        closedir(d);
    return rc;
}

/* A copy of configs/disciplines plus the 1990 edition: files + manifest lines. */
static int catalog_with_1990(env *e, char *dir, size_t n)
{
    char src[4096 + 256], dst[4096 + 256];
    int rc = catalog_copy(e, "catalog-1990", dir, n);
    static const char *const extra[][2] = {{"catalog-1990.csv", "wb"},
                                           {"crosswalk-1990-2022.csv", "wb"},
                                           {"editions.append", "ab"}};
    for (size_t i = 0; i < 3 && !rc; i++) {
        snprintf(src, sizeof src, "%s/edition-1990/%s", e->data_dir, extra[i][0]);
        snprintf(dst, sizeof dst, "%s/%s", dir, i == 2 ? "editions.tsv" : extra[i][0]);
        rc = copy_file(src, dst, extra[i][1]);
    }
    return rc;
}

static void test_catalog_import(tl_state *t, env *e)
{
    sqlite3 *db;
    arc_catalog_summary s;
    dg_err err = {0};
    CHECK(t, open_fixture(e, "catalog.db", &db) == 0);
    CHECK_INT(t, arc_catalog_import(db, e->catalog_dir, &s, &err), 0);
    CHECK_INT(t, s.editions_imported, 3);
    CHECK_INT(t, s.crosswalks_imported, 2);
    long long disc = qi(db, "SELECT count(*) FROM discipline", NULL, NULL);
    long long xw = qi(db, "SELECT count(*) FROM crosswalk", NULL, NULL);
    long long un = qi(db, "SELECT count(*) FROM crosswalk_unresolved", NULL, NULL);
    CHECK(t, disc > 700 && xw > 800 && un > 40);
    CHECK_INT(t, s.disciplines, disc);
    CHECK_INT(t, qi(db, "SELECT edition FROM catalog_edition WHERE target", NULL, NULL), 2022);
    /* again: nothing to do, same rows */
    CHECK_INT(t, arc_catalog_import(db, e->catalog_dir, &s, &err), 0);
    CHECK_INT(t, s.editions_imported, 0);
    CHECK_INT(t, s.editions_unchanged, 3);
    CHECK_INT(t, s.crosswalks_unchanged, 2);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM discipline", NULL, NULL), disc);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM crosswalk", NULL, NULL), xw);
    /* a 1990 edition arrives as files and two manifest lines */
    char dir[4096];
    CHECK_INT(t, catalog_with_1990(e, dir, sizeof dir), 0);
    CHECK_INT(t, arc_catalog_import(db, dir, &s, &err), 0);
    CHECK_INT(t, s.editions_imported, 1);
    CHECK_INT(t, s.editions_unchanged, 3);
    CHECK_INT(t, s.crosswalks_imported, 1);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM discipline WHERE edition = '1990'", NULL, NULL), 4);
    CHECK_INT(t, qi(db, "SELECT count(*) FROM crosswalk WHERE from_edition = '1990'", NULL, NULL),
              3);
    /* a 1992 record now finds its major in the edition in force */
    arc_match_opts mo = {.config_dir = e->config_dir, .catalog_dir = dir, .year = 1992,
                         .json = 1};
    arc_match_result mr;
    CHECK_INT(t, arc_match_text(db, &mo, "电子计算机应用", &mr, &err), 0);
    const char *buf = mr.json ? mr.json : "";
    CHECK(t, strstr(buf, "\"edition\":\"1990\"") != NULL);
    CHECK(t, strstr(buf, "\"code\":\"0812\"") != NULL);
    CHECK(t, mr.ncandidates > 0);
    arc_match_result_release(&mr);
    db_close(&db);
}

/* The catalog fingerprint as a string, or NULL. */
static char *fingerprint(const char *dir)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_err err = {0};
    if (arc_catalog_fingerprint(dir, &b, &err)) {
        fprintf(stderr, "fingerprint: %s\n", err.msg);
        dg_buf_release(&b);
        return NULL;
    }
    return dg_buf_detach(&b);
}

/* json_extract(json, '$."key"') as a new string. */
static char *fp_get(sqlite3 *db, const char *json, const char *key)
{
    char path[256];
    snprintf(path, sizeof path, "$.\"%s\"", key);
    return qs(db, "SELECT json_extract(?1, ?2)", json, path);
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Append an empty line: the rows stay the same, the file's bytes do not. */
static int touch_csv(const char *dir, const char *file)
{
    char path[4096 + 256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "ab");
    int rc = f && fputs("\n", f) >= 0 ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    return rc;
}

/*
 * Every file the manifest names is fingerprinted on its own, so editing the
 * curated pre-1997 names or the split crosswalk shows in the normalize run's
 * params, and nothing else moves.
 */
static void test_catalog_fingerprint(tl_state *t, env *e)
{
    static const char *const files[] = {
        "editions.tsv", "catalog-1997.csv", "catalog-2011.csv", "catalog-2022.csv",
        "crosswalk-1997-2011.csv", "crosswalk-1997-2011-unresolved.csv",
        "crosswalk-1997-2022.csv", "crosswalk-1997-2022-unresolved.csv",
        "crosswalk-1997-2022-splits.csv", "names-pre1997.csv", "crosswalk 1997-2022"};
    enum { NF = sizeof files / sizeof *files };
    sqlite3 *db;
    char dir[4096];
    CHECK(t, open_fixture(e, "fingerprint.db", &db) == 0);
    CHECK_INT(t, catalog_copy(e, "catalog-fp", dir, sizeof dir), 0);
    env ce = *e;
    snprintf(ce.catalog_dir, sizeof ce.catalog_dir, "%s", dir);
    arc_normalize_summary s;
    CHECK_INT(t, normalize(&ce, db, 0, &s), 0);
    char *before = fingerprint(dir);
    CHECK(t, before != NULL);
    char *old[NF] = {0};
    for (size_t i = 0; i < NF && before; i++) {
        old[i] = fp_get(db, before, files[i]);
        CHECK(t, old[i] && strlen(old[i]) == 64);
        if (!old[i] || strlen(old[i]) != 64)
            fprintf(stderr, "  fingerprint lacks '%s': %s\n", files[i], before);
    }
    /* the run recorded the same fingerprint */
    char *run = qs(db, "SELECT json_extract(params, '$.catalog') FROM run WHERE stage = "
                       "'normalize' ORDER BY id DESC LIMIT 1", NULL, NULL);
    char *run_names = run ? fp_get(db, run, "names-pre1997.csv") : NULL;
    CHECK(t, same(run_names, old[9]));
    free(run_names);
    free(run);
    CHECK_INT(t, touch_csv(dir, "names-pre1997.csv"), 0);
    CHECK_INT(t, touch_csv(dir, "crosswalk-1997-2022-splits.csv"), 0);
    char *after = fingerprint(dir);
    CHECK(t, after != NULL);
    for (size_t i = 0; i < NF && after; i++) {
        char *now = fp_get(db, after, files[i]);
        int edited = strcmp(files[i], "names-pre1997.csv") == 0 ||
                     strcmp(files[i], "crosswalk-1997-2022-splits.csv") == 0;
        CHECK_INT(t, same(now, old[i]), !edited);
        if (same(now, old[i]) == edited)
            fprintf(stderr, "  fingerprint of '%s' %s\n", files[i],
                    edited ? "did not change" : "changed");
        free(now);
    }
    /* a second run sees the edit in its params */
    CHECK_INT(t, normalize(&ce, db, 1, &s), 0);
    CHECK_INT(t, qi(db, "SELECT count(DISTINCT json_extract(params, '$.catalog.\"names-pre1997.csv\"')) "
                        "FROM run WHERE stage = 'normalize'", NULL, NULL),
              2);
    CHECK_INT(t, qi(db, "SELECT count(DISTINCT json_extract(params, '$.catalog.\"editions.tsv\"')) "
                        "FROM run WHERE stage = 'normalize'", NULL, NULL),
              1);
    for (size_t i = 0; i < NF; i++)
        free(old[i]);
    free(before);
    free(after);
    db_close(&db);
}

/* ---- main ---------------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--fixture") == 0) {
        sqlite3 *db;
        unlink(argv[2]);
        if (db_open(argv[2], DB_OPEN_CREATE, &db, NULL) || fixture_build(db))
            return 1;
        db_close(&db);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: test_stage_normalize CONFIG_DIR DATA_DIR\n");
        return 2;
    }
    env e = {.data_dir = argv[2]};
    snprintf(e.catalog_dir, sizeof e.catalog_dir, "%s/disciplines", argv[1]);
    snprintf(e.tmp, sizeof e.tmp, "/tmp/dg_stage_norm_XXXXXX");
    if (!mkdtemp(e.tmp))
        return 1;
    /* These cases route by OCR confidence (review.conf), the stage's rule
     * without configs/trust.conf; routing by p has its own tests
     * (archive.trust_stage, e2e.trust). */
    static char configs[4200];
    snprintf(configs, sizeof configs, "%s/configs", e.tmp);
    if (configs_without_trust(argv[1], configs))
        return 1;
    e.config_dir = configs;
    setenv("DANGAN_CONFIG_DIR", configs, 1);
    tl_state t = {0};
    test_values_and_states(&t, &e);
    test_idempotent_and_redo(&t, &e);
    test_mapping_rule(&t, &e);
    test_catalog_import(&t, &e);
    test_catalog_fingerprint(&t, &e);
    nftw(e.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return tl_exit_status(&t, "stage_normalize");
}
