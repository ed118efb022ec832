/*
 * test_audit.c - the audit chain (audit/): canonical JSON, the event hash
 * (pinned to a value computed outside dangan with printf | sha256sum),
 * operator names, anchors, appending and verifying on a real database,
 * and the adoption of an archive that existed before the chain.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "db.h"
#include "testlib.h"

static void canon_is(tl_state *t, const char *in, const char *want)
{
    dg_buf b;
    dg_err err = {0};
    dg_buf_init(&b, 0);
    int rc = audit_canon(in, strlen(in), &b, &err);
    CHECK_INT(t, rc, DG_OK);
    CHECK_STR(t, rc ? err.msg : b.data, want);
    dg_buf_release(&b);
}

static void canon_bad(tl_state *t, const char *in)
{
    dg_buf b;
    dg_err err = {0};
    dg_buf_init(&b, 0);
    CHECK_INT(t, audit_canon(in, strlen(in), &b, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "JSON") != NULL);
    dg_buf_release(&b);
}

static void test_canon(tl_state *t)
{
    canon_is(t, " { \"b\" : [1, 2.50, -0e+1, true, null], \"a\": {\"y\":\"\\u00e9\\n\", "
                "\"x\": \"\\ud83d\\ude00\\/\"} } ",
             "{\"a\":{\"x\":\"\xf0\x9f\x98\x80/\",\"y\":\"\xc3\xa9\\n\"},"
             "\"b\":[1,2.50,-0e+1,true,null]}");
    /* keys by their UTF-8 bytes: A < z < é */
    canon_is(t, "{\"\xc3\xa9\":1,\"z\":2,\"A\":3}", "{\"A\":3,\"z\":2,\"\xc3\xa9\":1}");
    /* a prefix sorts first; the same text twice gives the same bytes */
    canon_is(t, "{\"ab\":{},\"a\":[]}", "{\"a\":[],\"ab\":{}}");
    canon_is(t, "{\"a\":[],\"ab\":{}}", "{\"a\":[],\"ab\":{}}");
    canon_is(t, "\"\\u001f\"", "\"\\u001f\"");
    canon_bad(t, "{\"a\":1,\"a\":2}");
    canon_bad(t, "{\"a\":}");
    canon_bad(t, "[1,]");
    canon_bad(t, "\"\\u0000\"");
    canon_bad(t, "01");
    canon_bad(t, "{\"a\":1} x");
    canon_bad(t, "\"\\ud800\"");
    canon_bad(t, "\"tab\there\"");
    canon_bad(t, "");
    char deep[200];
    memset(deep, '[', 70);
    memset(deep + 70, ']', 70);
    deep[140] = '\0';
    canon_bad(t, deep);
}

static void test_hash(tl_state *t)
{
    char h[65];
    /* printf '%s{"at":"2026-01-01T00:00:00Z","content":{"a":1,"b":"éx"},"kind":"test",
     *   "seq":1,"subject":"x:1","who":"alice"}' $GENESIS | sha256sum */
    CHECK_INT(t, audit_event_hash(AUDIT_GENESIS, 1, "2026-01-01T00:00:00Z", "alice", "test",
                                  "x:1", "{\"a\":1,\"b\":\"\xc3\xa9x\"}", h), DG_OK);
    CHECK_STR(t, h, "b9f440962ca95b98ed8e049a6d7ee66ed2bba7d03f1bb22ec09644f3a7814e93");
    char h2[65];
    audit_event_hash(AUDIT_GENESIS, 2, "2026-01-01T00:00:00Z", "alice", "test", "x:1",
                     "{\"a\":1,\"b\":\"\xc3\xa9x\"}", h2);
    CHECK(t, strcmp(h, h2) != 0); /* the seq is hashed */
}

static void test_who(tl_state *t)
{
    dg_err err = {0};
    CHECK_INT(t, audit_check_who("alice", &err), DG_OK);
    CHECK_INT(t, audit_check_who("\xe5\xbc\xa0\xe4\xb8\x89", &err), DG_OK); /* 张三 */
    CHECK_INT(t, audit_check_who("a\xef\xbf\xbd", &err), DG_OK);            /* U+FFFD itself */
    CHECK_INT(t, audit_check_who("eve\n2026-01-01T00:00:00Z  root", &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "control character") != NULL);
    CHECK_INT(t, audit_check_who("eve\tx", &err), DG_EUSAGE);
    CHECK_INT(t, audit_check_who("eve\xc2\x85x", &err), DG_EUSAGE); /* NEL */
    CHECK_INT(t, audit_check_who("eve\xff", &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "UTF-8") != NULL);
    CHECK_INT(t, audit_check_who("", &err), DG_EUSAGE);
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK_INT(t, audit_check_who(longname, &err), DG_EUSAGE);
}

static void test_anchor_parse(tl_state *t)
{
    audit_head h;
    dg_err err = {0};
    const char *hash = "b9f440962ca95b98ed8e049a6d7ee66ed2bba7d03f1bb22ec09644f3a7814e93";
    char ok[80];
    snprintf(ok, sizeof ok, "42:%s", hash);
    CHECK_INT(t, audit_anchor_parse(ok, &h, &err), DG_OK);
    CHECK_INT(t, h.seq, 42);
    CHECK_STR(t, h.hash, hash);
    CHECK_INT(t, audit_anchor_parse("42", &h, &err), DG_EUSAGE);
    CHECK_INT(t, audit_anchor_parse("0:00", &h, &err), DG_EUSAGE);
    snprintf(ok, sizeof ok, "x:%s", hash);
    CHECK_INT(t, audit_anchor_parse(ok, &h, &err), DG_EUSAGE);
    snprintf(ok, sizeof ok, "4:%.63sG", hash);
    CHECK_INT(t, audit_anchor_parse(ok, &h, &err), DG_EUSAGE);
}

static int has_finding(const audit_report *r, const char *what, const char *needle)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].what, what) == 0 && strstr(r->v[i].detail, needle))
            return 1;
    return 0;
}

static void test_chain(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/chain.db", dir);
    unlink(path);
    sqlite3 *db = NULL;
    dg_err err = {0};
    CHECK_INT(t, db_open(path, DB_OPEN_CREATE, &db, &err), DG_OK);
    int64_t seq = 0, run = 0;
    CHECK_INT(t, audit_append(db, "alice", "test", "x:1", NULL, &seq, &err), DG_OK);
    CHECK_INT(t, seq, 1);
    /* a run is chained where it is recorded: begin and end */
    CHECK_INT(t, db_run_begin(db, "ingest", "{}", &run, &err), DG_OK);
    CHECK_INT(t, db_run_end(db, run, "done", "{\"files\":1}", &err), DG_OK);
    const char *tables[] = {"run"};
    CHECK_INT(t, audit_append_rows(db, "bob", "test", tables, &run, 1, "{ \"z\": [2, 1] }", &err),
              DG_OK);
    audit_head h;
    CHECK_INT(t, audit_head_read(db, &h, &err), DG_OK);
    CHECK_INT(t, h.seq, 4);
    int64_t n = 0;
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM audit_event WHERE kind = 'run' AND "
                                  "json_extract(content, '$.rows.run.status') = 'done'", &n, &err),
              DG_OK);
    CHECK_INT(t, n, 1);
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM audit_event WHERE seq = 4 AND subject = "
                                  "'run:1' AND content LIKE '{\"rows\":{\"run\":{%},\"z\":[2,1]}'",
                              &n, &err), DG_OK);
    CHECK_INT(t, n, 1);
    /* refused: nothing appended */
    CHECK_INT(t, audit_append(db, "eve\nroot", "test", "", NULL, NULL, &err), DG_EUSAGE);
    CHECK_INT(t, audit_append(db, "eve", "test", "", "[1]", NULL, &err), DG_EINPUT);
    CHECK_INT(t, audit_append(db, "eve", "Bad Kind", "", NULL, NULL, &err), DG_EUSAGE);
    CHECK_INT(t, audit_head_read(db, &h, &err), DG_OK);
    CHECK_INT(t, h.seq, 4);
    /* the database refuses edits */
    CHECK_INT(t, db_exec(db, "UPDATE audit_event SET who = 'x'", &err), DG_EDB);
    CHECK_INT(t, db_exec(db, "DELETE FROM audit_event", &err), DG_EDB);

    audit_report r;
    CHECK_INT(t, audit_verify(db, &h, &r, &err), DG_OK);
    CHECK_INT(t, r.n, 0);
    CHECK_INT(t, r.events, 4);
    CHECK(t, r.anchored);
    audit_report_release(&r);

    /* a person nobody loaded */
    CHECK_INT(t, db_exec(db, "INSERT INTO person (name_written, name_simplified, pinyin, "
                             "lookalike_key) VALUES ('x', 'x', 'x', 'x')", &err), DG_OK);
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK(t, has_finding(&r, "row", "person 1: no event records it"));
    audit_report_release(&r);
    /* ... now recorded: intact again; then changed behind the chain */
    const char *person[] = {"person"};
    int64_t one = 1;
    CHECK_INT(t, audit_append_rows(db, NULL, "load", person, &one, 1, NULL, &err), DG_OK);
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK_INT(t, r.n, 0);
    audit_report_release(&r);
    CHECK_INT(t, db_exec(db, "UPDATE person SET birth = '1950-01'", &err), DG_OK);
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK(t, has_finding(&r, "row", "person 1: birth is \"1950-01\""));
    audit_report_release(&r);

    /* an event edited with the trigger out of the way */
    CHECK_INT(t, db_exec(db, "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET "
                             "who = 'mallory' WHERE seq = 2", &err), DG_OK);
    CHECK_INT(t, audit_verify(db, &h, &r, &err), DG_OK);
    CHECK(t, has_finding(&r, "chain", "seq 2 (run run:1) was edited"));
    CHECK(t, has_finding(&r, "trigger", "audit_event_no_update is gone"));
    CHECK(t, has_finding(&r, "anchor", "not whole"));
    audit_report_release(&r);
    db_close(&db);
}

/* An archive from before the chain: its rows become "adopt" events at the
 * migration, and it verifies. */
static void test_adopt(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/adopt.db", dir);
    unlink(path);
    sqlite3 *raw = NULL;
    dg_err err = {0};
    CHECK_INT(t, sqlite3_open(path, &raw), SQLITE_OK);
    CHECK_INT(t, db_migrate_to(raw, 7, &err), DG_OK);
    CHECK_INT(t, db_exec(raw, "INSERT INTO person (name_written, name_simplified, pinyin, "
                              "lookalike_key, birth) VALUES ('x', 'x', 'x', 'x', '1950-01');"
                              "INSERT INTO access_log (at, who, action) VALUES "
                              "('2020-01-01T00:00:00Z', 'old', 'lookup')", &err), DG_OK);
    sqlite3_close(raw);
    sqlite3 *db = NULL;
    CHECK_INT(t, db_open(path, 0, &db, &err), DG_OK);
    int64_t n = 0;
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM audit_event WHERE kind = 'adopt'", &n,
                              &err), DG_OK);
    CHECK_INT(t, n, 2);
    audit_report r;
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK_INT(t, r.n, 0);
    CHECK_INT(t, r.rows_checked, 2);
    audit_report_release(&r);
    db_close(&db);
}

/* Users made before 020 (their events carried no rows): adopted by the
 * migration, so an upgraded workspace with users verifies, and a role
 * raised afterwards with SQL is named. */
static void test_adopt_users(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/adopt_users.db", dir);
    unlink(path);
    sqlite3 *raw = NULL;
    dg_err err = {0};
    CHECK_INT(t, sqlite3_open(path, &raw), SQLITE_OK);
    CHECK_INT(t, db_migrate_to(raw, 19, &err), DG_OK);
    CHECK_INT(t, db_exec(raw, "INSERT INTO app_user (name, role, pwhash, created) VALUES "
                              "('ann', 'operator', '$argon2id$v=19$x', '2026-01-01T00:00:00Z')",
                         &err), DG_OK);
    sqlite3_close(raw);
    sqlite3 *db = NULL;
    CHECK_INT(t, db_open(path, 0, &db, &err), DG_OK);
    int64_t n = 0;
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM audit_event WHERE kind = 'adopt' AND "
                                  "subject = 'app_user:1' AND content NOT LIKE '%argon2%' AND "
                                  "json_extract(content, '$.rows.app_user.role') = 'operator'",
                              &n, &err), DG_OK);
    CHECK_INT(t, n, 1);
    audit_report r;
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK_INT(t, r.n, 0);
    audit_report_release(&r);
    CHECK_INT(t, db_exec(db, "UPDATE app_user SET failed = 4, last_login = 'x'", &err), DG_OK);
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK_INT(t, r.n, 0); /* a login's counters are no event */
    audit_report_release(&r);
    CHECK_INT(t, db_exec(db, "UPDATE app_user SET role = 'admin'", &err), DG_OK);
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK(t, has_finding(&r, "row", "app_user 1: role is \"admin\""));
    audit_report_release(&r);
    db_close(&db);
}

/* Rows appended through a batch (what load does, statements prepared once)
 * make the same content as audit_append_rows, chain on from the head, and
 * verify; a row changed afterwards is still caught. */
static void test_batch_rows(tl_state *t, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/batch.db", dir);
    unlink(path);
    sqlite3 *db = NULL;
    dg_err err = {0};
    CHECK_INT(t, db_open(path, DB_OPEN_CREATE, &db, &err), DG_OK);
    CHECK_INT(t, db_exec(db, "INSERT INTO person (name_written, name_simplified, pinyin, "
                             "lookalike_key, birth) VALUES ('王伟', '王伟', 'wangwei', '王伟', "
                             "'1950-01'), ('李娜', '李娜', 'lina', '李娜', NULL)", &err), DG_OK);
    const char *person[] = {"person"};
    int64_t one = 1, two = 2;
    CHECK_INT(t, audit_append_rows(db, "ann", "load", person, &one, 1, "{\"run\":7}", &err),
              DG_OK);
    CHECK_INT(t, db_exec(db, "BEGIN IMMEDIATE", &err), DG_OK);
    audit_batch *b = NULL;
    CHECK_INT(t, audit_batch_begin(db, &b, &err), DG_OK);
    CHECK_INT(t, audit_batch_add_rows(b, "ann", "load", person, &one, 1, "{\"run\":7}", &err),
              DG_OK);
    CHECK_INT(t, audit_batch_add_rows(b, "ann", "load", person, &two, 1, NULL, &err), DG_OK);
    /* a row that is not there: refused, nothing appended by it */
    int64_t none = 99;
    CHECK_INT(t, audit_batch_add_rows(b, "ann", "load", person, &none, 1, NULL, &err),
              DG_ENOTFOUND);
    audit_batch_free(&b);
    CHECK_INT(t, db_exec(db, "COMMIT", &err), DG_OK);
    int64_t n = 0;
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM audit_event a JOIN audit_event b ON "
                                  "b.seq = a.seq + 1 WHERE a.subject = 'person:1' AND "
                                  "a.content = b.content AND b.prev_hash = a.hash", &n, &err),
              DG_OK);
    CHECK_INT(t, n, 1);
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM audit_event", &n, &err), DG_OK);
    CHECK_INT(t, n, 3);
    audit_report r;
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK_INT(t, r.n, 0);
    CHECK_INT(t, r.rows_checked, 2);
    audit_report_release(&r);
    CHECK_INT(t, db_exec(db, "UPDATE person SET birth = '1960-02' WHERE id = 2", &err), DG_OK);
    CHECK_INT(t, audit_verify(db, NULL, &r, &err), DG_OK);
    CHECK(t, has_finding(&r, "row", "person 2: birth is \"1960-02\""));
    audit_report_release(&r);
    db_close(&db);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    const char *dir = argc > 1 ? argv[1] : ".";
    test_canon(&t);
    test_hash(&t);
    test_who(&t);
    test_anchor_parse(&t);
    test_chain(&t, dir);
    test_adopt(&t, dir);
    test_adopt_users(&t, dir);
    test_batch_rows(&t, dir);
    return tl_exit_status(&t, "test_audit");
}
