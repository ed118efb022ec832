/*
 * cmd_user_login.c - passwords on the command line's side (cli.h): read
 * without echo, from a file or from standard input, and the login of an
 * app user (archive/users.h) a command acts as (`review --user`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "users.h"

/* One line from in without its newline into buf; 0 ok, -1 none, -2 too long. */
static int read_line(FILE *in, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, in))
        return -1;
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '\n')
        buf[--len] = 0;
    else if (len == n - 1 && !feof(in))
        return -2; /* longer than any password we take */
    if (len && buf[len - 1] == '\r')
        buf[--len] = 0;
    return 0;
}

static int ask_hidden(const char *prompt, char *buf, size_t n)
{
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    int tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int rc = read_line(stdin, buf, n);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    return rc;
}

int cli_read_password(const char *cmd, const char *name, int twice, const char *file, char *pw,
                      size_t n)
{
    if (file) {
        FILE *f = fopen(file, "r");
        int rc = f ? read_line(f, pw, n) : -3;
        if (f)
            fclose(f);
        if (rc) {
            cli_error(cmd, "%s: %s", file,
                      rc == -3   ? "cannot open the password file"
                      : rc == -2 ? "the password is too long"
                                 : "no password in the file (its first line)");
            return EXIT_USAGE;
        }
        return EXIT_OK;
    }
    if (isatty(STDIN_FILENO)) {
        char again[ARC_PASSWORD_MAX + 2];
        char prompt[128];
        snprintf(prompt, sizeof prompt, "password for %s: ", name);
        int rc = ask_hidden(prompt, pw, n);
        rc = rc || !twice ? rc : ask_hidden("again: ", again, sizeof again);
        int same = rc == 0 && (!twice || strcmp(pw, again) == 0);
        explicit_bzero(again, sizeof again);
        if (rc || !same) {
            cli_error(cmd, rc ? "no password read" : "the two passwords differ");
            return EXIT_USAGE;
        }
        return EXIT_OK;
    }
    int rc = read_line(stdin, pw, n);
    if (rc) {
        cli_error(cmd, rc == -2 ? "the password on standard input is too long"
                                : "give the password as the first line of standard input");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cli_app_login(const char *cmd, sqlite3 *db, const char *name, const char *file, int perm,
                  const char *what, char *user_out, size_t user_n)
{
    char pw[ARC_PASSWORD_MAX + 2];
    int code = cli_read_password(cmd, name, 0, file, pw, sizeof pw);
    if (code)
        return code;
    arc_user u;
    dg_err err = {0};
    int rc = arc_user_login(db, name, pw, (int64_t)time(NULL), &u, &err);
    explicit_bzero(pw, sizeof pw);
    if (rc) {
        cli_error(cmd, "%s", err.msg);
        /* a wrong name or password, or a lockout, is the caller's to fix */
        return rc == DG_EINPUT || rc == DG_ECONFLICT ? EXIT_USAGE : cli_exit_for(rc);
    }
    if (!arc_role_can(u.role, (arc_perm)perm)) {
        cli_error(cmd, "user %s (%s) may not %s", u.name, arc_role_name(u.role), what);
        return EXIT_USAGE;
    }
    snprintf(user_out, user_n, "%s", u.name);
    return EXIT_OK;
}
