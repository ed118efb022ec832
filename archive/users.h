/*
 * users.h - who may use dangan and for what: users with one role each,
 * their passwords (libsodium's argon2id, never stored in clear), the
 * lockout after repeated failed logins, and the web workbench's sessions.
 *
 * The command line (`dangan user ...`) and the web server (`dangan serve`)
 * share these functions and the two tables of migration 008 (app_user,
 * app_session).  Roles: operators decide review items; archivists run and
 * watch batches; registrars look records up; auditors read history; admins
 * may do all of it.  Names are 1-64 bytes of [A-Za-z0-9._-].  Passwords are
 * ARC_PASSWORD_MIN to ARC_PASSWORD_MAX bytes.  All functions take an open
 * database (schema/db.h) and may be called from several threads, each with
 * its own connection.
 */
#ifndef DANGAN_USERS_H
#define DANGAN_USERS_H

#include <stdint.h>

#include "common.h"
#include "db.h"

typedef enum arc_role {
    ARC_ROLE_ARCHIVIST,
    ARC_ROLE_OPERATOR,
    ARC_ROLE_REGISTRAR,
    ARC_ROLE_AUDITOR,
    ARC_ROLE_ADMIN,
    ARC_ROLE_COUNT
} arc_role;

/* What a role may do; the web server checks one on every route. */
typedef enum arc_perm {
    ARC_PERM_REVIEW_READ,   /* see the queue, items, crops and who decided what */
    ARC_PERM_REVIEW_DECIDE, /* accept, pick, correct, reject, undo */
    ARC_PERM_BATCH_WATCH,   /* batches' progress and quality */
    ARC_PERM_LOOKUP,        /* the registrars' search */
    ARC_PERM_HISTORY,       /* decisions and the access log */
    ARC_PERM_USERS,         /* add, disable and reset users */
    ARC_PERM_CERTIFY,       /* issue certificates of record (the workbench's button) */
} arc_perm;

#define ARC_USER_NAME_MAX 64
#define ARC_PASSWORD_MIN 8
#define ARC_PASSWORD_MAX 256
/* After ARC_LOGIN_MAX_FAILS failed logins in a row an account refuses every
 * login, right or wrong, for ARC_LOGIN_LOCK_SECONDS. */
#define ARC_LOGIN_MAX_FAILS 5
#define ARC_LOGIN_LOCK_SECONDS 300
/* A web session ends this long after login. */
#define ARC_SESSION_SECONDS (12 * 3600)

/* "operator" ...; NULL for a value outside the enum. */
const char *arc_role_name(arc_role r);
/* DG_EUSAGE (message lists the roles) for an unknown name. */
int arc_role_parse(const char *name, arc_role *out, dg_err *err);
/* 1 when role r may do p. */
int arc_role_can(arc_role r, arc_perm p);

/*
 * Changes to users.  by names who makes the change (NULL: the OS user): each
 * change is written with an audit event (audit.h, kind "user", subject
 * "app_user:ID", content {"action": add|passwd|disable|enable|role, "name",
 * and "role"/"from" where they apply}; never a password or its hash) in the
 * same transaction, so `dangan audit verify` covers who managed whom.
 */
/* Add a user.  DG_EUSAGE for a bad name or password length, DG_ECONFLICT
 * when the name is taken. */
int arc_user_add(sqlite3 *db, const char *by, const char *name, arc_role role,
                 const char *password, dg_err *err);
/* Set a new password; also lifts a lockout.  DG_ENOTFOUND: no such user. */
int arc_user_passwd(sqlite3 *db, const char *by, const char *name, const char *password,
                    dg_err *err);
/* Refuse the user's logins from now on and end their sessions.
 * DG_ENOTFOUND: no such user; DG_ECONFLICT: the last enabled admin. */
int arc_user_disable(sqlite3 *db, const char *by, const char *name, dg_err *err);
/* Let a disabled user log in again (and lift a lockout). */
int arc_user_enable(sqlite3 *db, const char *by, const char *name, dg_err *err);
/* Give the user another role (a session sees it at its next request).
 * DG_ENOTFOUND; DG_ECONFLICT when it would demote the last enabled admin. */
int arc_user_set_role(sqlite3 *db, const char *by, const char *name, arc_role role,
                      dg_err *err);

typedef struct arc_user {
    int64_t id;
    char name[ARC_USER_NAME_MAX + 1];
    arc_role role;
    int disabled;
    int failed;           /* failed logins since the last success */
    int64_t locked_until; /* unix seconds, 0: not locked */
    char created[32];
    char last_login[32]; /* "" when never */
} arc_user;

typedef struct arc_users {
    arc_user *v;
    size_t n;
} arc_users;

/* Every user by name into *out (release with arc_users_release on success). */
int arc_user_list(sqlite3 *db, arc_users *out, dg_err *err);
void arc_users_release(arc_users *u);

/*
 * Check a login at time now (unix seconds).  DG_OK fills *out.  A wrong
 * name, a wrong password or a disabled user is DG_EINPUT with the same
 * message ("wrong name or password"), so the answer does not tell which
 * names exist; a locked account is DG_ECONFLICT saying for how long.  A
 * wrong password counts towards the lockout; a success resets the count.
 * The password is checked outside any transaction (it takes a fraction of
 * a second on purpose).
 */
int arc_user_login(sqlite3 *db, const char *name, const char *password, int64_t now, arc_user *out,
                   dg_err *err);

/* A logged-in browser.  token goes into the cookie; only its SHA-256 is
 * stored.  csrf must come back with every POST. */
typedef struct arc_session {
    char token[65]; /* 64 hex digits; "" when read back by arc_session_get */
    char csrf[65];
    int64_t user_id;
    char user[ARC_USER_NAME_MAX + 1];
    arc_role role;
    int64_t expires;
} arc_session;

/* A new session of user_id from now, for ARC_SESSION_SECONDS; random
 * tokens from libsodium.  Expired sessions are deleted on the way.  The
 * login is an access event (arc_access_log: action "login", query
 * {"from":FROM,"via":"web"}, FROM the client's address, NULL: "-") in the
 * session's own transaction. */
int arc_session_new(sqlite3 *db, int64_t user_id, int64_t now, const char *from,
                    arc_session *out, dg_err *err);
/* The session of token at now: DG_ENOTFOUND when unknown, expired or its
 * user disabled.  out->token stays "". */
int arc_session_get(sqlite3 *db, const char *token, int64_t now, arc_session *out, dg_err *err);
/* End a session (unknown tokens are fine); the end of a session that was
 * there is an access event "logout" of its user, from as above. */
int arc_session_end(sqlite3 *db, const char *token, const char *from, dg_err *err);
/* 1 when a and b are the same token (constant time; NULL: 0). */
int arc_token_equal(const char *a, const char *b);

#endif
