/*
 * test_schema.c - the database (schema/db.c): migrations, refusing a newer
 * schema, the run log.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "testlib.h"

/* A database made by schema version 1 is migrated at open and keeps its rows. */
static void test_migrate_old(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/old.db", dir);
    unlink(path);
    sqlite3 *raw = NULL;
    dg_err err = {0};
    CHECK_INT(t, sqlite3_open(path, &raw), SQLITE_OK);
    CHECK_INT(t, db_migrate_to(raw, 1, &err), DG_OK);
    CHECK_INT(t, db_user_version(raw), 1);
    CHECK_INT(t, db_exec(raw, "INSERT INTO run(stage, version, started) VALUES "
                              "('ingest', '0.0.1', '2020-01-01T00:00:00Z')", &err), DG_OK);
    sqlite3_close(raw);

    sqlite3 *db = NULL;
    CHECK_INT(t, db_open(path, 0, &db, &err), DG_OK);
    CHECK_INT(t, db_user_version(db), db_schema_latest());
    int64_t n = 0;
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM run WHERE version = '0.0.1'", &n, &err),
              DG_OK);
    CHECK_INT(t, n, 1);
    CHECK_INT(t, db_query_int(db, "PRAGMA foreign_keys", &n, &err), DG_OK);
    CHECK_INT(t, n, 1);
    db_close(&db);
    CHECK(t, db == NULL);
}

/* A database from a newer dangan is refused and left byte-for-byte alone. */
static void test_refuse_newer(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/newer.db", dir);
    unlink(path);
    sqlite3 *raw = NULL;
    sqlite3_open(path, &raw);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", db_schema_latest() + 1);
    db_exec(raw, "CREATE TABLE future(x)", NULL);
    db_exec(raw, sql, NULL);
    sqlite3_close(raw);
    struct stat before, after;
    stat(path, &before);

    sqlite3 *db = NULL;
    dg_err err = {0};
    CHECK_INT(t, db_open(path, 0, &db, &err), DG_EDB);
    CHECK(t, db == NULL);
    CHECK(t, strstr(err.msg, "newer dangan") != NULL);
    CHECK(t, strstr(err.msg, path) != NULL);
    stat(path, &after);
    CHECK_INT(t, after.st_size, before.st_size);
    CHECK(t, after.st_mtime == before.st_mtime);
}

static void test_run_log(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/runs.db", dir);
    unlink(path);
    sqlite3 *db = NULL;
    dg_err err = {0};
    CHECK_INT(t, db_open(path, DB_OPEN_CREATE, &db, &err), DG_OK);
    int64_t id = 0, n = 0;
    CHECK_INT(t, db_run_begin(db, "ocr", "{\"lang\":\"chi_sim\"}", &id, &err), DG_OK);
    CHECK(t, id > 0);
    CHECK_INT(t, db_run_end(db, id, "done", "{\"pages\":3}", &err), DG_OK);
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM run WHERE status = 'done' AND "
                                  "finished IS NOT NULL AND json_extract(counts, '$.pages') = 3 "
                                  "AND length(params_hash) = 64", &n, &err), DG_OK);
    CHECK_INT(t, n, 1);
    db_close(&db);
}

/* Statements kept prepared: the same text gives the same statement, reset
 * (a row half read does not hold the next use) with its bindings cleared. */
static void test_cache(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cache.db", dir);
    unlink(path);
    sqlite3 *db = NULL;
    dg_err err = {0};
    CHECK_INT(t, db_open(path, DB_OPEN_CREATE, &db, &err), DG_OK);
    db_cache *c = NULL;
    CHECK_INT(t, db_cache_new(db, &c, &err), DG_OK);
    sqlite3_stmt *a = NULL, *b = NULL;
    const char *sql = "SELECT ?1 UNION ALL SELECT 2";
    CHECK_INT(t, db_cache_get(c, sql, &a, &err), DG_OK);
    sqlite3_bind_int(a, 1, 7);
    CHECK_INT(t, sqlite3_step(a), SQLITE_ROW);
    CHECK_INT(t, sqlite3_column_int(a, 0), 7);
    char copy[64];
    snprintf(copy, sizeof copy, "%s", sql); /* keyed by the text, not the pointer */
    CHECK_INT(t, db_cache_get(c, copy, &b, &err), DG_OK);
    CHECK(t, a == b);
    CHECK_INT(t, sqlite3_step(b), SQLITE_ROW);
    CHECK_INT(t, sqlite3_column_type(b, 0), SQLITE_NULL);
    CHECK_INT(t, db_cache_get(c, "SELECT 3", &b, &err), DG_OK);
    CHECK(t, a != b);
    CHECK_INT(t, db_cache_get(c, "SELECT FROM nothing", &b, &err), DG_EDB);
    db_cache_free(&c);
    CHECK(t, c == NULL);
    db_cache_free(&c);
    db_close(&db);
}

/* Migration 021: lookup's name tiers (no major asked) are answered from the
 * indexes alone, a namesake costing no table row. */
static void test_lookup_cover(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cover.db", dir);
    unlink(path);
    sqlite3 *db = NULL;
    dg_err err = {0};
    CHECK_INT(t, db_open(path, DB_OPEN_CREATE, &db, &err), DG_OK);
    static const char *const keys[] = {"name_simplified", "pinyin", "lookalike_key"};
    for (int i = 0; i < 3; i++) {
        char sql[400];
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN SELECT s.id, p.name_simplified, p.birth, "
                 "s.grad FROM person p JOIN study_record s ON s.person_id = p.id WHERE p.%s = 'x'",
                 keys[i]);
        sqlite3_stmt *st = NULL;
        CHECK_INT(t, db_prepare(db, sql, &st, &err), DG_OK);
        if (!st)
            continue;
        int covering = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *detail = (const char *)sqlite3_column_text(st, 3);
            covering += detail && strstr(detail, "COVERING INDEX") != NULL;
        }
        CHECK_INT(t, covering, 2);
        sqlite3_finalize(st);
    }
    db_close(&db);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    const char *dir = argc > 1 ? argv[1] : ".";
    test_migrate_old(&t, dir);
    test_refuse_newer(&t, dir);
    test_run_log(&t, dir);
    test_cache(&t, dir);
    test_lookup_cover(&t, dir);
    return tl_exit_status(&t, "test_schema");
}
