/*
 * users.c - users, roles, logins with lockout, and web sessions (users.h).
 *
 * Password hashing and random tokens are libsodium's (crypto_pwhash_str:
 * argon2id with its salt and costs inside the string; randombytes_buf);
 * nothing here is hand-written crypto.  Session tokens are stored by their
 * SHA-256 only.
 */
#include "users.h"

#include <sodium.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "audit.h"

static const char *const role_names[ARC_ROLE_COUNT] = {"archivist", "operator", "registrar",
                                                       "auditor", "admin"};

const char *arc_role_name(arc_role r)
{
    return (unsigned)r < ARC_ROLE_COUNT ? role_names[r] : NULL;
}

int arc_role_parse(const char *name, arc_role *out, dg_err *err)
{
    for (int i = 0; name && i < ARC_ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0) {
            *out = (arc_role)i;
            return DG_OK;
        }
    return dg_err_set(err, DG_EUSAGE,
                      "unknown role '%s'; roles: archivist, operator, registrar, auditor, admin",
                      name ? name : "");
}

int arc_role_can(arc_role r, arc_perm p)
{
    if (r == ARC_ROLE_ADMIN)
        return 1;
    switch (p) {
    case ARC_PERM_REVIEW_READ:
        return r == ARC_ROLE_OPERATOR || r == ARC_ROLE_ARCHIVIST || r == ARC_ROLE_AUDITOR;
    case ARC_PERM_REVIEW_DECIDE:
        return r == ARC_ROLE_OPERATOR;
    case ARC_PERM_BATCH_WATCH:
        return r == ARC_ROLE_ARCHIVIST || r == ARC_ROLE_OPERATOR || r == ARC_ROLE_AUDITOR;
    case ARC_PERM_LOOKUP:
        return r == ARC_ROLE_REGISTRAR;
    case ARC_PERM_HISTORY:
        return r == ARC_ROLE_AUDITOR;
    case ARC_PERM_USERS:
        return 0;
    case ARC_PERM_CERTIFY:
        return r == ARC_ROLE_REGISTRAR;
    }
    return 0;
}

static int sodium_ready(dg_err *err)
{
    /* idempotent and thread-safe; -1 only when no entropy source exists */
    if (sodium_init() < 0)
        return dg_err_set(err, DG_ERR, "libsodium could not start (no random source?)");
    return DG_OK;
}

static int name_ok(const char *name, dg_err *err)
{
    size_t n = name ? strlen(name) : 0;
    int ok = n >= 1 && n <= ARC_USER_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    if (!ok)
        return dg_err_set(err, DG_EUSAGE,
                          "a user name is 1 to %d letters, digits, '.', '_' or '-', not '%s'",
                          ARC_USER_NAME_MAX, name ? name : "");
    return DG_OK;
}

/* The argon2id string of password into out. */
static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], dg_err *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < ARC_PASSWORD_MIN || n > ARC_PASSWORD_MAX)
        return dg_err_set(err, DG_EUSAGE, "a password is %d to %d bytes long, not %zu",
                          ARC_PASSWORD_MIN, ARC_PASSWORD_MAX, n);
    if (sodium_ready(err))
        return DG_ERR;
    /* INTERACTIVE: 64 MiB and a fraction of a second, the budget of a
     * server that must stay under 100 MB while someone logs in */
    if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return dg_err_set(err, DG_ENOMEM, "out of memory hashing the password");
    return DG_OK;
}

/* Run one statement binding text parameters t[0..n-1]; *changes gets the
 * rows changed. */
static int exec_text(sqlite3 *db, const char *sql, const char *const *t, int n, int *changes,
                     dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(st, i + 1, t[i], -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "writing users");
    if (changes)
        *changes = sqlite3_changes(db);
    return DG_OK;
}

static void copy_text(sqlite3_stmt *st, int i, char *out, size_t n);

/* The audit event of one change to users, inside the caller's transaction:
 * who did it, what, to whom, and the user's row as audit_row_columns shows
 * it (never a password or its hash, only the hash's SHA-256), so `audit
 * verify` can tell this change from a quiet edit of the same row. */
static int user_event(sqlite3 *db, const char *by, const char *action, const char *name,
                      const char *extra_json, dg_err *err)
{
    int64_t id = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id FROM app_user WHERE name = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    dg_buf c;
    dg_buf_init(&c, 0);
    dg_buf_adds(&c, "{\"action\":");
    dg_buf_json_str(&c, action);
    dg_buf_adds(&c, ",\"name\":");
    dg_buf_json_str(&c, name);
    if (extra_json)
        dg_buf_addf(&c, ",%s", extra_json);
    dg_buf_adds(&c, "}");
    static const char *const table[] = {"app_user"};
    int rc = c.data ? audit_append_rows(db, by, "user", table, &id, 1, c.data, err)
                    : dg_err_set(err, DG_ENOMEM, "out of memory");
    dg_buf_release(&c);
    return rc;
}

/* Refuse a change that would leave no enabled admin where there was one:
 * nobody could manage users in the browser any more. */
static int keeps_an_admin(sqlite3 *db, const char *name, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT count(*) FROM app_user WHERE role = 'admin' AND disabled = 0 "
                   "AND name <> ?1",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int64_t others = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (db_prepare(db, "SELECT role = 'admin' AND disabled = 0 FROM app_user WHERE name = ?1",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int is_admin = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (is_admin && !others)
        return dg_err_set(err, DG_ECONFLICT,
                          "'%s' is the last enabled admin; add or enable another admin first",
                          name);
    return DG_OK;
}

/* The end of every change: the event, then commit; or roll back. */
static int finish(sqlite3 *db, int rc, const char *by, const char *action, const char *name,
                  const char *extra, dg_err *err)
{
    if (!rc)
        rc = user_event(db, by, action, name, extra, err);
    if (!rc)
        rc = db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}

int arc_user_add(sqlite3 *db, const char *by, const char *name, arc_role role,
                 const char *password, dg_err *err)
{
    char hash[crypto_pwhash_STRBYTES], now[32];
    if (name_ok(name, err))
        return DG_EUSAGE;
    if (!arc_role_name(role))
        return dg_err_set(err, DG_EUSAGE, "unknown role %d", (int)role);
    int rc = hash_password(password, hash, err);
    if (rc)
        return rc;
    dg_now_iso(now);
    if (db_begin(db, err))
        return DG_EDB;
    int64_t exists = 0;
    sqlite3_stmt *st;
    rc = db_prepare(db, "SELECT count(*) FROM app_user WHERE name = ?", &st, err) ? DG_EDB : 0;
    if (!rc) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            exists = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (exists)
            rc = dg_err_set(err, DG_ECONFLICT, "user '%s' exists already", name);
    }
    const char *t[] = {name, arc_role_name(role), hash, now};
    if (!rc)
        rc = exec_text(db, "INSERT INTO app_user (name, role, pwhash, created) VALUES (?,?,?,?)", t,
                       4, NULL, err);
    char extra[64];
    snprintf(extra, sizeof extra, "\"role\":\"%s\"", arc_role_name(role));
    rc = finish(db, rc, by, "add", name, extra, err);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int arc_user_passwd(sqlite3 *db, const char *by, const char *name, const char *password,
                    dg_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = hash_password(password, hash, err);
    if (rc)
        return rc;
    if (db_begin(db, err)) {
        sodium_memzero(hash, sizeof hash);
        return DG_EDB;
    }
    const char *t[] = {hash, name};
    int changed = 0;
    rc = exec_text(db,
                   "UPDATE app_user SET pwhash = ?, failed = 0, locked_until = 0 "
                   "WHERE name = ?",
                   t, 2, &changed, err);
    sodium_memzero(hash, sizeof hash);
    if (!rc && !changed)
        rc = dg_err_set(err, DG_ENOTFOUND, "no user '%s'", name);
    return finish(db, rc, by, "passwd", name, NULL, err);
}

int arc_user_disable(sqlite3 *db, const char *by, const char *name, dg_err *err)
{
    const char *t[] = {name};
    int changed = 0;
    if (db_begin(db, err))
        return DG_EDB;
    int rc = keeps_an_admin(db, name, err);
    if (!rc)
        rc = exec_text(db, "UPDATE app_user SET disabled = 1 WHERE name = ?", t, 1, &changed, err);
    if (!rc && !changed)
        rc = dg_err_set(err, DG_ENOTFOUND, "no user '%s'", name);
    if (!rc)
        rc = exec_text(db,
                       "DELETE FROM app_session WHERE user_id = "
                       "(SELECT id FROM app_user WHERE name = ?)",
                       t, 1, NULL, err);
    return finish(db, rc, by, "disable", name, NULL, err);
}

int arc_user_enable(sqlite3 *db, const char *by, const char *name, dg_err *err)
{
    const char *t[] = {name};
    int changed = 0;
    if (db_begin(db, err))
        return DG_EDB;
    int rc = exec_text(db,
                       "UPDATE app_user SET disabled = 0, failed = 0, locked_until = 0 "
                       "WHERE name = ?",
                       t, 1, &changed, err);
    if (!rc && !changed)
        rc = dg_err_set(err, DG_ENOTFOUND, "no user '%s'", name);
    return finish(db, rc, by, "enable", name, NULL, err);
}

int arc_user_set_role(sqlite3 *db, const char *by, const char *name, arc_role role, dg_err *err)
{
    if (!arc_role_name(role))
        return dg_err_set(err, DG_EUSAGE, "unknown role %d", (int)role);
    if (db_begin(db, err))
        return DG_EDB;
    char from[32] = "";
    sqlite3_stmt *st;
    int rc = db_prepare(db, "SELECT role FROM app_user WHERE name = ?", &st, err) ? DG_EDB : 0;
    if (!rc) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            copy_text(st, 0, from, sizeof from);
        else
            rc = dg_err_set(err, DG_ENOTFOUND, "no user '%s'", name);
        sqlite3_finalize(st);
    }
    if (!rc && role != ARC_ROLE_ADMIN)
        rc = keeps_an_admin(db, name, err);
    const char *t[] = {arc_role_name(role), name};
    if (!rc)
        rc = exec_text(db, "UPDATE app_user SET role = ? WHERE name = ?", t, 2, NULL, err);
    char extra[96];
    snprintf(extra, sizeof extra, "\"from\":\"%s\",\"role\":\"%s\"", from, arc_role_name(role));
    return finish(db, rc, by, "role", name, extra, err);
}

#define USER_COLS                                                                                  \
    "id, name, role, disabled, failed, locked_until, created, "                                    \
    "coalesce(last_login, ''), pwhash"

static void copy_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    snprintf(out, n, "%s", s ? s : "");
}

static void read_user(sqlite3_stmt *st, arc_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    copy_text(st, 1, u->name, sizeof u->name);
    arc_role r = ARC_ROLE_COUNT;
    arc_role_parse((const char *)sqlite3_column_text(st, 2), &r, NULL);
    u->role = r;
    u->disabled = sqlite3_column_int(st, 3);
    u->failed = sqlite3_column_int(st, 4);
    u->locked_until = sqlite3_column_int64(st, 5);
    copy_text(st, 6, u->created, sizeof u->created);
    copy_text(st, 7, u->last_login, sizeof u->last_login);
}

int arc_user_list(sqlite3 *db, arc_users *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT " USER_COLS " FROM app_user ORDER BY name", &st, err))
        return DG_EDB;
    size_t cap = 0;
    int rc, status = DG_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            arc_user *v = realloc(out->v, nc * sizeof *v);
            if (!v) {
                status = dg_err_set(err, DG_ENOMEM, "out of memory listing users");
                break;
            }
            out->v = v;
            cap = nc;
        }
        read_user(st, &out->v[out->n++]);
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(db, err, "listing users");
    sqlite3_finalize(st);
    if (status)
        arc_users_release(out);
    return status;
}

void arc_users_release(arc_users *u)
{
    free(u->v);
    memset(u, 0, sizeof *u);
}

/* One failed login: counted, and the account locked at the limit, in one
 * statement so two wrong passwords at once both count. */
static int count_failure(sqlite3 *db, int64_t id, int64_t now, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "UPDATE app_user SET failed = failed + 1, locked_until = "
                   "CASE WHEN failed + 1 >= ?1 THEN ?2 ELSE locked_until END WHERE id = ?3",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int(st, 1, ARC_LOGIN_MAX_FAILS);
    sqlite3_bind_int64(st, 2, now + ARC_LOGIN_LOCK_SECONDS);
    sqlite3_bind_int64(st, 3, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "counting a failed login");
}

int arc_user_login(sqlite3 *db, const char *name, const char *password, int64_t now, arc_user *out,
                   dg_err *err)
{
    static const char wrong[] = "wrong name or password";
    char hash[crypto_pwhash_STRBYTES] = "";
    if (sodium_ready(err))
        return DG_ERR;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT " USER_COLS " FROM app_user WHERE name = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        read_user(st, out);
        copy_text(st, 8, hash, sizeof hash);
    }
    sqlite3_finalize(st);
    if (!found || out->disabled) {
        /* as slow as a wrong password, so timing does not tell which names exist */
        char dummy[crypto_pwhash_STRBYTES];
        hash_password("not a password of anyone", dummy, NULL);
        return dg_err_set(err, DG_EINPUT, wrong);
    }
    if (out->locked_until > now)
        return dg_err_set(err, DG_ECONFLICT,
                          "too many failed logins: account '%s' is locked for %lld more "
                          "seconds",
                          out->name, (long long)(out->locked_until - now));
    size_t n = password ? strlen(password) : 0;
    int good =
        n <= ARC_PASSWORD_MAX && crypto_pwhash_str_verify(hash, password ? password : "", n) == 0;
    sodium_memzero(hash, sizeof hash);
    if (!good) {
        int rc = count_failure(db, out->id, now, err);
        return rc ? rc : dg_err_set(err, DG_EINPUT, wrong);
    }
    char iso[32];
    dg_now_iso(iso);
    if (db_prepare(db,
                   "UPDATE app_user SET failed = 0, locked_until = 0, last_login = ? "
                   "WHERE id = ?",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, iso, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, out->id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "recording a login");
    out->failed = 0;
    out->locked_until = 0;
    snprintf(out->last_login, sizeof out->last_login, "%s", iso);
    return DG_OK;
}

static void random_hex(char out[65])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

/* A login or logout of who from where, as an access event (access_log row
 * and its audit event), in the caller's transaction. */
static int session_event(sqlite3 *db, const char *who, const char *action, const char *from,
                         dg_err *err)
{
    dg_buf q;
    dg_buf_init(&q, 0);
    dg_buf_adds(&q, "{\"from\":");
    dg_buf_json_str(&q, from && *from ? from : "-");
    dg_buf_adds(&q, ",\"via\":\"web\"}");
    int rc = q.data ? arc_access_log(db, who, action, q.data, NULL, err)
                    : dg_err_set(err, DG_ENOMEM, "out of memory recording a %s", action);
    dg_buf_release(&q);
    return rc;
}

int arc_session_new(sqlite3 *db, int64_t user_id, int64_t now, const char *from,
                    arc_session *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    if (sodium_ready(err))
        return DG_ERR;
    random_hex(out->token);
    random_hex(out->csrf);
    char th[65];
    dg_sha256_hex(out->token, 64, th);
    out->user_id = user_id;
    out->expires = now + ARC_SESSION_SECONDS;
    if (db_begin(db, err))
        return DG_EDB;
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(db, "DELETE FROM app_session WHERE expires <= ?", &st, err) ? DG_EDB : 0;
    if (!rc) {
        sqlite3_bind_int64(st, 1, now);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, err, "dropping old sessions");
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = db_prepare(db,
                        "INSERT INTO app_session (token_hash, user_id, csrf, created, "
                        "expires) VALUES (?, ?, ?, ?, ?)",
                        &st, err)
                 ? DG_EDB
                 : 0;
    if (!rc) {
        sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, user_id);
        sqlite3_bind_text(st, 3, out->csrf, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, out->expires);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, err, "starting a session");
        sqlite3_finalize(st);
    }
    /* the caller shows the name and role; read them as a lookup would */
    arc_session back = {0};
    rc = rc ? rc : arc_session_get(db, out->token, now, &back, err);
    rc = rc ? rc : session_event(db, back.user, "login", from, err);
    if (!rc)
        rc = db_commit(db, err);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    snprintf(out->user, sizeof out->user, "%s", back.user);
    out->role = back.role;
    return DG_OK;
}

int arc_session_get(sqlite3 *db, const char *token, int64_t now, arc_session *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != 64)
        return dg_err_set(err, DG_ENOTFOUND, "no session");
    char th[65];
    dg_sha256_hex(token, 64, th);
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT s.csrf, s.user_id, u.name, u.role, s.expires FROM app_session s "
                   "JOIN app_user u ON u.id = s.user_id "
                   "WHERE s.token_hash = ? AND s.expires > ? AND u.disabled = 0",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        copy_text(st, 0, out->csrf, sizeof out->csrf);
        out->user_id = sqlite3_column_int64(st, 1);
        copy_text(st, 2, out->user, sizeof out->user);
        arc_role r = ARC_ROLE_COUNT;
        arc_role_parse((const char *)sqlite3_column_text(st, 3), &r, NULL);
        out->role = r;
        out->expires = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return DG_OK;
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "reading a session");
    return dg_err_set(err, DG_ENOTFOUND, "no session");
}

int arc_session_end(sqlite3 *db, const char *token, const char *from, dg_err *err)
{
    if (!token || strlen(token) != 64)
        return DG_OK;
    char th[65], who[ARC_USER_NAME_MAX + 1] = "";
    dg_sha256_hex(token, 64, th);
    if (db_begin(db, err))
        return DG_EDB;
    sqlite3_stmt *st;
    int rc = db_prepare(db,
                        "SELECT u.name FROM app_session s JOIN app_user u ON u.id = s.user_id "
                        "WHERE s.token_hash = ?",
                        &st, err);
    if (!rc) {
        sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            copy_text(st, 0, who, sizeof who);
        else if (step != SQLITE_DONE)
            rc = db_fail(db, err, "reading a session");
        sqlite3_finalize(st);
    }
    const char *t[] = {th};
    int changed = 0;
    rc = rc ? rc : exec_text(db, "DELETE FROM app_session WHERE token_hash = ?", t, 1, &changed, err);
    if (!rc && changed && *who) /* a session that was there: its user logged out */
        rc = session_event(db, who, "logout", from, err);
    rc = rc ? rc : db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}

int arc_token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t n = strlen(a);
    if (n == 0 || n != strlen(b))
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}
