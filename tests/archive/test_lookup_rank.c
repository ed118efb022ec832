/*
 * test_lookup_rank.c - lookup's name tiers read in rank order (issue #24,
 * archive/lookup_rank.c, migration 025) on an archive of many namesakes:
 * 60 people called 王伟 and 30 called 汪伟 (both "wangwei"), whose study
 * record ids do not follow their person ids (written in reverse), some
 * with a second study record, one with none, and one other name whose
 * polyphonic reading is "wangwei" too.  Without criteria the tiers stop
 * early and answer exactly what the whole read answers (--wide takes the
 * whole read); person.first_study / studies follow study_record through
 * the triggers, and the migration fills them on an archive made before it.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "lookup_internal.h"
#include "normalize.h"
#include "testlib.h"

enum { N_WANG = 60, N_HOMO = 30, LIMIT = 5 };

static int exec_int(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, NULL))
        return -1;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? (int)v : rc == SQLITE_DONE ? 0 : -1;
}

static int add_person(sqlite3 *db, norm_ctx *nc, const char *name, int i)
{
    norm_keys k;
    if (norm_name_keys(nc, name, &k, NULL))
        return -1;
    sqlite3_stmt *st;
    char birth[16];
    snprintf(birth, sizeof birth, "%d-%02d", 1940 + i % 30, 1 + i % 12);
    int rc = db_prepare(db, "INSERT INTO person(name_written, name_simplified, pinyin, "
                            "lookalike_key, birth, sex) VALUES (?, ?, ?, ?, ?, '男')", &st, NULL);
    if (!rc) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, k.simplified, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, k.pinyin, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, k.lookalike, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, birth, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    norm_keys_release(&k);
    return rc;
}

static int add_study(sqlite3 *db, int64_t person, int64_t run_id)
{
    return exec_int(db, "INSERT INTO study_record(person_id, grad, load_run, loaded) VALUES "
                        "(?1, '1970-07', ?2, '2024-01-01T00:00:00Z')", person, run_id);
}

/* The archive above; persons 1..60 王伟, 61..90 汪伟, 91 曾伟 read "wangwei"
 * by a reading of person_reading only. */
static int build(sqlite3 *db, norm_ctx *nc, int64_t run_id)
{
    int bad = 0;
    for (int i = 0; i < N_WANG + N_HOMO; i++)
        bad |= add_person(db, nc, i < N_WANG ? "王伟" : "汪伟", i);
    bad |= add_person(db, nc, "曾伟", 0);
    bad |= exec_int(db, "INSERT INTO person_reading(person_id, pinyin) VALUES (?1, 'wangwei')",
                    N_WANG + N_HOMO + 1, 0);
    /* study ids against person order: the last person gets the first id;
     * person 7 has none, every ninth a second record much later */
    for (int p = N_WANG + N_HOMO + 1; p >= 1; p--)
        if (p != 7)
            bad |= add_study(db, p, run_id);
    for (int p = 9; p <= N_WANG + N_HOMO; p += 9)
        bad |= add_study(db, p, run_id);
    return bad;
}

static void run(tl_state *t, arc_lookup *lk, const char *name, int wide, arc_lookup_result *r)
{
    arc_lookup_query q = {.name = name, .limit = LIMIT, .wide = wide, .who = "tester"};
    memset(r, 0, sizeof *r);
    CHECK_INT(t, arc_lookup_run(lk, &q, r, NULL), 0);
}

/* The rank read answers what the whole read (--wide) answers, reading less. */
static void same_as_whole(tl_state *t, arc_lookup *lk, const char *name, long *read_rank,
                          long *read_whole)
{
    arc_lookup_result a, b;
    run(t, lk, name, 0, &a);
    *read_rank = lk_rows_read(lk);
    run(t, lk, name, 1, &b);
    *read_whole = lk_rows_read(lk);
    CHECK_INT(t, a.n, LIMIT);
    CHECK_INT(t, b.n, LIMIT);
    for (size_t i = 0; i < a.n && i < b.n; i++) {
        CHECK_INT(t, a.hits[i].record, b.hits[i].record);
        CHECK_INT(t, a.hits[i].score, b.hits[i].score);
    }
    CHECK(t, a.as_asked == b.as_asked);
    arc_lookup_result_release(&a);
    arc_lookup_result_release(&b);
}

static void test_rank_read(tl_state *t, sqlite3 *db)
{
    arc_lookup *lk = NULL;
    CHECK_INT(t, arc_lookup_new(db, DANGAN_SOURCE_CONFIG_DIR, &lk, NULL), 0);
    if (!lk)
        return;
    /* the five lowest study ids of 王伟, whatever their person ids */
    arc_lookup_result r;
    run(t, lk, "王伟", 0, &r);
    long han_read = lk_rows_read(lk);
    CHECK_INT(t, r.n, LIMIT);
    for (size_t i = 0; i < r.n; i++) {
        int want = exec_int(db, "SELECT s.id FROM study_record s JOIN person p ON p.id = "
                                "s.person_id WHERE p.name_simplified = '王伟' ORDER BY s.id "
                                "LIMIT 1 OFFSET ?1", (int64_t)i, 0);
        CHECK_INT(t, r.hits[i].record, want);
        CHECK_INT(t, r.hits[i].score, 100);
    }
    arc_lookup_result_release(&r);
    /* stopped early: the whole read hands over every namesake's record */
    CHECK(t, han_read >= LIMIT && han_read < N_WANG / 2);
    long rank_read, whole_read;
    same_as_whole(t, lk, "王伟", &rank_read, &whole_read);
    CHECK(t, whole_read >= N_WANG);
    /* pinyin: the same hits and the same "as asked" (its sums count the
     * people left unread, the reading-only 曾伟 included) */
    same_as_whole(t, lk, "wangwei", &rank_read, &whole_read);
    CHECK(t, rank_read < whole_read / 2);
    same_as_whole(t, lk, "Wang Wei", &rank_read, &whole_read);
    /* a criterion reads through the filtered tiers: only its matches and
     * the records without the date, never a contradicted one */
    arc_lookup_query q = {.name = "王伟", .born = "1941-02", .who = "tester"};
    CHECK_INT(t, arc_lookup_run(lk, &q, &r, NULL), 0);
    CHECK(t, r.n >= 1);
    int matches = exec_int(db, "SELECT count(*) FROM person p JOIN study_record s ON s.person_id "
                               "= p.id WHERE p.pinyin = 'wangwei' AND p.birth = '1941-02'", 0, 0);
    CHECK_INT(t, lk_rows_read(lk), matches);
    arc_lookup_result_release(&r);
    arc_lookup_free(&lk);
}

/* The triggers keep first_study and studies with study_record. */
static void test_triggers(tl_state *t, sqlite3 *db, int64_t run_id)
{
    const char *get = "SELECT first_study * 1000 + studies FROM person WHERE id = ?1";
    int before = exec_int(db, get, 9, 0);
    CHECK_INT(t, before % 1000, 2);
    int64_t first = before / 1000;
    CHECK_INT(t, exec_int(db, "DELETE FROM study_record WHERE id = ?1", first, 0), 0);
    int after = exec_int(db, get, 9, 0);
    CHECK_INT(t, after % 1000, 1);
    CHECK(t, after / 1000 > first);
    CHECK_INT(t, exec_int(db, get, 7, 0), 0); /* no study record: NULL, 0 */
    CHECK_INT(t, add_study(db, 7, run_id), 0);
    CHECK_INT(t, exec_int(db, get, 7, 0),
              exec_int(db, "SELECT max(id) * 1000 + 1 FROM study_record", 0, 0));
    CHECK_INT(t, exec_int(db, "UPDATE study_record SET person_id = 7 WHERE person_id = 8", 0, 0),
              0);
    CHECK_INT(t, exec_int(db, get, 7, 0) % 1000, 2);
    CHECK_INT(t, exec_int(db, get, 8, 0), 0);
}

/* An archive made before migration 025 gets first_study and studies. */
static void test_migration(tl_state *t, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lookup_rank_old.db", dir);
    unlink(path);
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = 0;
    CHECK_INT(t, sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(t, db_migrate_to(db, 22, NULL), 0);
    CHECK_INT(t, norm_ctx_new(DANGAN_SOURCE_CONFIG_DIR, &nc, NULL), 0);
    CHECK_INT(t, db_run_begin(db, "load", "{}", &run_id, NULL), 0);
    CHECK_INT(t, build(db, nc, run_id), 0);
    norm_ctx_free(&nc);
    CHECK_INT(t, db_migrate_to(db, db_schema_latest(), NULL), 0);
    CHECK_INT(t, exec_int(db, "SELECT count(*) FROM person p WHERE studies IS NOT (SELECT "
                              "count(*) FROM study_record WHERE person_id = p.id) OR "
                              "first_study IS NOT (SELECT min(id) FROM study_record WHERE "
                              "person_id = p.id)", 0, 0),
              0);
    CHECK_INT(t, exec_int(db, "SELECT sum(studies) FROM person", 0, 0),
              exec_int(db, "SELECT count(*) FROM study_record", 0, 0));
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    const char *dir = argc > 1 ? argv[1] : ".";
    char path[1024];
    snprintf(path, sizeof path, "%s/lookup_rank.db", dir);
    unlink(path);
    sqlite3 *db = NULL;
    norm_ctx *nc = NULL;
    int64_t run_id = 0;
    CHECK_INT(&t, db_open(path, DB_OPEN_CREATE, &db, NULL), 0);
    CHECK_INT(&t, norm_ctx_new(DANGAN_SOURCE_CONFIG_DIR, &nc, NULL), 0);
    CHECK_INT(&t, db_run_begin(db, "load", "{}", &run_id, NULL), 0);
    CHECK_INT(&t, build(db, nc, run_id), 0);
    norm_ctx_free(&nc);
    if (!t.failures) {
        test_rank_read(&t, db);
        test_triggers(&t, db, run_id);
    }
    db_close(&db);
    test_migration(&t, dir);
    return tl_exit_status(&t, "lookup_rank");
}
