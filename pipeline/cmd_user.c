/*
 * cmd_user.c - `dangan user add|list|passwd|disable`: the people who may
 * use the web workbench and their roles (archive/users.h).
 *
 * Passwords never come from the command line (argv is visible to every
 * user of the machine): on a terminal they are asked twice with echo off,
 * otherwise read as the first line of standard input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "users.h"

/* The new password into pw (ARC_PASSWORD_MAX + 2 bytes); EXIT_OK or an exit code. */
static int get_password(const char *name, char *pw, size_t n)
{
    return cli_read_password("user", name, 1, NULL, pw, n);
}

static int user_add(cli_ctx *ctx, int argc, char **argv)
{
    const char *name = NULL, *role_s = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role_s = argv[++i];
        else if (strncmp(argv[i], "--role=", 7) == 0)
            role_s = argv[i] + 7;
        else if (argv[i][0] != '-' && !name)
            name = argv[i];
        else {
            cli_error("user", "usage: dangan user add NAME --role ROLE");
            return EXIT_USAGE;
        }
    }
    dg_err err = {0};
    arc_role role;
    if (!name || !role_s) {
        cli_error("user", "usage: dangan user add NAME --role ROLE");
        return EXIT_USAGE;
    }
    if (arc_role_parse(role_s, &role, &err)) {
        cli_error("user", "%s", err.msg);
        return EXIT_USAGE;
    }
    char pw[ARC_PASSWORD_MAX + 2];
    int code = get_password(name, pw, sizeof pw);
    sqlite3 *db = NULL;
    if (code == EXIT_OK)
        code = cli_open_db(ctx, 0, &db);
    if (code == EXIT_OK) {
        int rc = arc_user_add(db, NULL, name, role, pw, &err);
        if (rc) {
            cli_error("user", "%s", err.msg);
            code = rc == DG_ECONFLICT ? EXIT_FAIL : cli_exit_for(rc);
        } else {
            cli_info(ctx, "user %s added as %s\n", name, arc_role_name(role));
        }
    }
    explicit_bzero(pw, sizeof pw);
    db_close(&db);
    return code;
}

static int user_list(cli_ctx *ctx, int argc, char **argv)
{
    int json = argc > 2 && strcmp(argv[2], "--json") == 0;
    if (argc > 2 + json)
        return cli_no_extra_args("user", argc - 2 - json, argv + 2 + json);
    sqlite3 *db;
    int code = cli_open_db(ctx, CLI_DB_READ, &db);
    if (code)
        return code;
    arc_users u;
    dg_err err = {0};
    int rc = arc_user_list(db, &u, &err);
    db_close(&db);
    if (rc) {
        cli_error("user", "%s", err.msg);
        return cli_exit_for(rc);
    }
    time_t now = time(NULL);
    if (json)
        putchar('[');
    for (size_t i = 0; i < u.n; i++) {
        const arc_user *x = &u.v[i];
        const char *state = x->disabled ? "disabled" : x->locked_until > now ? "locked" : "active";
        if (json)
            printf("%s{\"name\":\"%s\",\"role\":\"%s\",\"state\":\"%s\",\"failed\":%d,"
                   "\"created\":\"%s\",\"last_login\":\"%s\"}",
                   i ? "," : "", x->name, arc_role_name(x->role), state, x->failed, x->created,
                   x->last_login);
        else
            printf("%-20s %-10s %-9s last login %s\n", x->name, arc_role_name(x->role), state,
                   x->last_login[0] ? x->last_login : "never");
    }
    if (json)
        puts("]");
    else
        printf("%zu user%s\n", u.n, u.n == 1 ? "" : "s");
    arc_users_release(&u);
    return EXIT_OK;
}

static int user_passwd_or_disable(cli_ctx *ctx, int argc, char **argv, int disable)
{
    if (argc != 3 || argv[2][0] == '-') {
        cli_error("user", "usage: dangan user %s NAME", argv[1]);
        return EXIT_USAGE;
    }
    const char *name = argv[2];
    char pw[ARC_PASSWORD_MAX + 2] = "";
    int code = disable ? EXIT_OK : get_password(name, pw, sizeof pw);
    sqlite3 *db = NULL;
    if (code == EXIT_OK)
        code = cli_open_db(ctx, 0, &db);
    if (code == EXIT_OK) {
        dg_err err = {0};
        int rc = disable ? arc_user_disable(db, NULL, name, &err) : arc_user_passwd(db, NULL, name, pw, &err);
        if (rc) {
            cli_error("user", "%s", err.msg);
            code = cli_exit_for(rc);
        } else {
            cli_info(ctx, "user %s %s\n", name, disable ? "disabled" : "has a new password");
        }
    }
    explicit_bzero(pw, sizeof pw);
    db_close(&db);
    return code;
}

/* `user role NAME ROLE` and `user enable NAME`: no password involved. */
static int user_role_or_enable(cli_ctx *ctx, int argc, char **argv, int enable)
{
    if (argc != (enable ? 3 : 4) || argv[2][0] == '-') {
        cli_error("user", enable ? "usage: dangan user enable NAME"
                                 : "usage: dangan user role NAME ROLE");
        return EXIT_USAGE;
    }
    dg_err err = {0};
    arc_role role = ARC_ROLE_OPERATOR;
    if (!enable && arc_role_parse(argv[3], &role, &err)) {
        cli_error("user", "%s", err.msg);
        return EXIT_USAGE;
    }
    sqlite3 *db = NULL;
    int code = cli_open_db(ctx, 0, &db);
    if (code)
        return code;
    int rc = enable ? arc_user_enable(db, NULL, argv[2], &err)
                    : arc_user_set_role(db, NULL, argv[2], role, &err);
    db_close(&db);
    if (rc) {
        cli_error("user", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (enable)
        cli_info(ctx, "user %s enabled\n", argv[2]);
    else
        cli_info(ctx, "user %s is now %s\n", argv[2], arc_role_name(role));
    return EXIT_OK;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        cli_error("user", "which one: add, list, passwd, role, disable or enable?");
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "add") == 0)
        return user_add(ctx, argc, argv);
    if (strcmp(argv[1], "list") == 0)
        return user_list(ctx, argc, argv);
    if (strcmp(argv[1], "passwd") == 0)
        return user_passwd_or_disable(ctx, argc, argv, 0);
    if (strcmp(argv[1], "disable") == 0)
        return user_passwd_or_disable(ctx, argc, argv, 1);
    if (strcmp(argv[1], "enable") == 0)
        return user_role_or_enable(ctx, argc, argv, 1);
    if (strcmp(argv[1], "role") == 0)
        return user_role_or_enable(ctx, argc, argv, 0);
    cli_error("user", "unknown subcommand '%s'; see 'dangan user --help'", argv[1]);
    return EXIT_USAGE;
}

const cli_command cmd_user = {
    "user", "users and roles of the web workbench: add, list, passwd, role, disable, enable",
    "usage: dangan user add NAME --role archivist|operator|registrar|auditor|admin\n"
    "       dangan user list [--json]\n"
    "       dangan user passwd NAME\n"
    "       dangan user role NAME ROLE\n"
    "       dangan user disable NAME\n"
    "       dangan user enable NAME\n"
    "\n"
    "Users log in to 'dangan serve'. Operators decide review items; archivists\n"
    "watch batches; registrars look records up; auditors read history; admins\n"
    "may do all of it. A review decision made in the browser records the user.\n"
    "\n"
    "The password is never an argument: on a terminal it is asked twice without\n"
    "echo, otherwise it is the first line of standard input (8 to 256 bytes).\n"
    "Passwords are stored as argon2id hashes (libsodium). After 5 failed logins in\n"
    "a row an account is locked for 5 minutes; 'user passwd' lifts the lock.\n"
    "'user disable' refuses further logins and ends the user's sessions; 'user\n"
    "enable' lets them in again. The last enabled admin cannot be disabled or\n"
    "given another role. Every change is an audit event (kind 'user', by the OS\n"
    "user here, by the logged-in admin in the browser): 'dangan log', 'dangan\n"
    "audit verify'.\n"
    "\n"
    "exit: 0 ok, 2 usage (bad name, role or password), 3 database, 4 the name is\n"
    "taken, 5 no such user, 6 it would leave no enabled admin\n",
    run};
