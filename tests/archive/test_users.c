/*
 * test_users.c - users, roles, logins and sessions (archive/users.h) on a
 * fresh database: argon2id strings only, the same refusal for a wrong name
 * and a wrong password, the lockout after ARC_LOGIN_MAX_FAILS and its end,
 * sessions found by token only (stored hashed), ended on disable, and the
 * role table.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "testlib.h"
#include "users.h"

static void test_add_and_list(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    CHECK_INT(t, arc_user_add(db, NULL, "alice", ARC_ROLE_OPERATOR, "correct horse", &err), DG_OK);
    CHECK_INT(t, arc_user_add(db, NULL, "alice", ARC_ROLE_ADMIN, "another pass", &err), DG_ECONFLICT);
    CHECK_INT(t, arc_user_add(db, NULL, "bob", ARC_ROLE_AUDITOR, "short", &err), DG_EUSAGE);
    CHECK_INT(t, arc_user_add(db, NULL, "bad name", ARC_ROLE_AUDITOR, "long enough", &err), DG_EUSAGE);
    CHECK_INT(t, arc_user_add(db, NULL, "rita", ARC_ROLE_REGISTRAR, "registrar pw", &err), DG_OK);
    arc_users u;
    CHECK_INT(t, arc_user_list(db, &u, &err), DG_OK);
    CHECK_INT(t, u.n, 2);
    if (u.n == 2) {
        CHECK_STR(t, u.v[0].name, "alice");
        CHECK_INT(t, u.v[0].role, ARC_ROLE_OPERATOR);
        CHECK_STR(t, u.v[1].name, "rita");
    }
    arc_users_release(&u);
    /* only the argon2id string is stored, never the password */
    sqlite3_stmt *st;
    CHECK_INT(t, db_prepare(db, "SELECT pwhash FROM app_user WHERE name = 'alice'", &st, &err), 0);
    CHECK_INT(t, sqlite3_step(st), SQLITE_ROW);
    const char *h = (const char *)sqlite3_column_text(st, 0);
    CHECK(t, h && strncmp(h, "$argon2id$", 10) == 0);
    CHECK(t, h && !strstr(h, "correct horse"));
    sqlite3_finalize(st);
    arc_role r;
    CHECK_INT(t, arc_role_parse("auditor", &r, &err), DG_OK);
    CHECK_INT(t, r, ARC_ROLE_AUDITOR);
    CHECK_INT(t, arc_role_parse("boss", &r, &err), DG_EUSAGE);
}

static void test_login_lockout(tl_state *t, sqlite3 *db)
{
    dg_err err = {0}, e2 = {0};
    arc_user u;
    int64_t now = 1000000;
    CHECK_INT(t, arc_user_login(db, "alice", "correct horse", now, &u, &err), DG_OK);
    CHECK_STR(t, u.name, "alice");
    CHECK_INT(t, arc_user_login(db, "alice", "wrong", now, &u, &err), DG_EINPUT);
    CHECK_INT(t, arc_user_login(db, "nobody", "wrong", now, &u, &e2), DG_EINPUT);
    CHECK_STR(t, err.msg, e2.msg); /* the answer does not tell which names exist */
    for (int i = 1; i < ARC_LOGIN_MAX_FAILS; i++)
        CHECK_INT(t, arc_user_login(db, "alice", "wrong", now, &u, &err), DG_EINPUT);
    /* locked: even the right password is refused, and says so */
    CHECK_INT(t, arc_user_login(db, "alice", "correct horse", now + 1, &u, &err), DG_ECONFLICT);
    CHECK(t, strstr(err.msg, "locked") != NULL);
    CHECK_INT(
        t, arc_user_login(db, "alice", "correct horse", now + ARC_LOGIN_LOCK_SECONDS - 1, &u, &err),
        DG_ECONFLICT);
    /* the lock ends by itself */
    CHECK_INT(
        t, arc_user_login(db, "alice", "correct horse", now + ARC_LOGIN_LOCK_SECONDS + 1, &u, &err),
        DG_OK);
    CHECK_INT(t, u.failed, 0);
    /* a new password lifts a lock at once */
    for (int i = 0; i < ARC_LOGIN_MAX_FAILS; i++)
        arc_user_login(db, "alice", "wrong", now, &u, &err);
    CHECK_INT(t, arc_user_login(db, "alice", "correct horse", now, &u, &err), DG_ECONFLICT);
    CHECK_INT(t, arc_user_passwd(db, NULL, "alice", "battery staple", &err), DG_OK);
    CHECK_INT(t, arc_user_login(db, "alice", "correct horse", now, &u, &err), DG_EINPUT);
    CHECK_INT(t, arc_user_login(db, "alice", "battery staple", now, &u, &err), DG_OK);
    CHECK_INT(t, arc_user_passwd(db, NULL, "nobody", "battery staple", &err), DG_ENOTFOUND);
}

static void test_sessions(tl_state *t, sqlite3 *db)
{
    dg_err err = {0};
    arc_user u;
    int64_t now = 2000000;
    CHECK_INT(t, arc_user_login(db, "rita", "registrar pw", now, &u, &err), DG_OK);
    arc_session s, g;
    CHECK_INT(t, arc_session_new(db, u.id, now, "127.0.0.1", &s, &err), DG_OK);
    CHECK_INT(t, strlen(s.token), 64);
    CHECK_INT(t, strlen(s.csrf), 64);
    CHECK(t, strcmp(s.token, s.csrf) != 0);
    CHECK_STR(t, s.user, "rita");
    CHECK_INT(t, arc_session_get(db, s.token, now + 10, &g, &err), DG_OK);
    CHECK_STR(t, g.user, "rita");
    CHECK_INT(t, g.role, ARC_ROLE_REGISTRAR);
    CHECK(t, arc_token_equal(g.csrf, s.csrf));
    CHECK(t, !arc_token_equal(g.csrf, s.token));
    /* the table holds the token's hash, not the token */
    sqlite3_stmt *st;
    CHECK_INT(t, db_prepare(db, "SELECT count(*) FROM app_session WHERE token_hash = ?", &st, &err),
              0);
    sqlite3_bind_text(st, 1, s.token, -1, SQLITE_STATIC);
    CHECK_INT(t, sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(t, sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    /* expired, unknown, ended */
    CHECK_INT(t, arc_session_get(db, s.token, now + ARC_SESSION_SECONDS, &g, &err), DG_ENOTFOUND);
    char other[65];
    memcpy(other, s.token, 65);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    CHECK_INT(t, arc_session_get(db, other, now, &g, &err), DG_ENOTFOUND);
    arc_session s2;
    CHECK_INT(t, arc_session_new(db, u.id, now, NULL, &s2, &err), DG_OK);
    CHECK_INT(t, arc_session_end(db, s2.token, "10.0.0.7", &err), DG_OK);
    CHECK_INT(t, arc_session_get(db, s2.token, now, &g, &err), DG_ENOTFOUND);
    CHECK_INT(t, arc_session_end(db, s2.token, "10.0.0.7", &err), DG_OK); /* gone: no event */
    /* each login and logout an access event: who, when, from where */
    CHECK_INT(t, db_prepare(db, "SELECT group_concat(who || ' ' || action || ' ' || query, '; ') "
                                "FROM access_log WHERE action IN ('login', 'logout')",
                            &st, &err),
              0);
    CHECK_INT(t, sqlite3_step(st), SQLITE_ROW);
    CHECK_STR(t, (const char *)sqlite3_column_text(st, 0),
              "rita login {\"from\":\"127.0.0.1\",\"via\":\"web\"}; "
              "rita login {\"from\":\"-\",\"via\":\"web\"}; "
              "rita logout {\"from\":\"10.0.0.7\",\"via\":\"web\"}");
    sqlite3_finalize(st);
    int64_t events = 0;
    CHECK_INT(t, db_query_int(db, "SELECT count(*) FROM audit_event WHERE kind = 'access'", &events,
                              &err),
              DG_OK);
    CHECK_INT(t, events, 3);
    audit_report rep;
    CHECK_INT(t, audit_verify(db, NULL, &rep, &err), DG_OK); /* each row is its event's */
    CHECK_INT(t, (long long)rep.n, 0);
    audit_report_release(&rep);
    /* disabling ends the live session and refuses the next login */
    CHECK_INT(t, arc_user_disable(db, NULL, "rita", &err), DG_OK);
    CHECK_INT(t, arc_session_get(db, s.token, now + 10, &g, &err), DG_ENOTFOUND);
    CHECK_INT(t, arc_user_login(db, "rita", "registrar pw", now, &u, &err), DG_EINPUT);
    CHECK_INT(t, arc_user_disable(db, NULL, "nobody", &err), DG_ENOTFOUND);
}

static void test_roles(tl_state *t)
{
    CHECK(t, arc_role_can(ARC_ROLE_OPERATOR, ARC_PERM_REVIEW_DECIDE));
    CHECK(t, arc_role_can(ARC_ROLE_ADMIN, ARC_PERM_REVIEW_DECIDE));
    CHECK(t, !arc_role_can(ARC_ROLE_AUDITOR, ARC_PERM_REVIEW_DECIDE));
    CHECK(t, arc_role_can(ARC_ROLE_AUDITOR, ARC_PERM_REVIEW_READ));
    CHECK(t, !arc_role_can(ARC_ROLE_REGISTRAR, ARC_PERM_REVIEW_READ));
    CHECK(t, !arc_role_can(ARC_ROLE_ARCHIVIST, ARC_PERM_REVIEW_DECIDE));
    CHECK(t, !arc_role_can(ARC_ROLE_OPERATOR, ARC_PERM_USERS));
    /* certificates are the registrar's (and the admin's) alone */
    CHECK(t, arc_role_can(ARC_ROLE_REGISTRAR, ARC_PERM_CERTIFY));
    CHECK(t, arc_role_can(ARC_ROLE_ADMIN, ARC_PERM_CERTIFY));
    CHECK(t, !arc_role_can(ARC_ROLE_OPERATOR, ARC_PERM_CERTIFY));
    CHECK(t, !arc_role_can(ARC_ROLE_AUDITOR, ARC_PERM_CERTIFY));
    CHECK(t, !arc_role_can(ARC_ROLE_ARCHIVIST, ARC_PERM_CERTIFY));
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    if (argc < 2) {
        fprintf(stderr, "usage: test_users DIR\n");
        return 2;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/users.db", argv[1]);
    remove(path);
    sqlite3 *db;
    dg_err err = {0};
    if (db_open(path, DB_OPEN_CREATE, &db, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    test_add_and_list(&t, db);
    test_login_lockout(&t, db);
    test_sessions(&t, db);
    test_roles(&t);
    db_close(&db);
    return tl_exit_status(&t, "test_users");
}
