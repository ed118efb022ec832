/*
 * cli.h - what the `dangan` subcommands share: the global options, exit
 * codes, opening the database, progress display and output helpers.
 * Subcommands parse their own arguments, call one library function, print,
 * and map the status to an exit code.  Nothing here is used by libraries.
 */
#ifndef DANGAN_CLI_H
#define DANGAN_CLI_H

#include "archive.h"
#include "common.h"
#include "db.h"

/* Exit codes (documented in README.md; scripts rely on them). */
enum {
    EXIT_OK = 0,        /* everything done */
    EXIT_PARTIAL = 1,   /* done, but some items were set aside or failed */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_DB = 3,        /* cannot open or use the database */
    EXIT_FAIL = 4,      /* the command could not do its work */
    EXIT_NOTFOUND = 5,  /* the record, page or item asked for does not exist */
    EXIT_CONFLICT = 6,  /* someone else decided it first */
    EXIT_TAMPERED = 7,  /* audit verify: the history or the archive was changed */
};

typedef struct cli_ctx {
    const char *db_path; /* --db, $DANGAN_DB, or archive.db */
    int verbosity;       /* -1 quiet, 0 normal, 1 verbose */
    const char *argv0;
} cli_ctx;

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `dangan --help` */
    const char *usage;   /* full text for `dangan help CMD` and CMD --help */
    int (*run)(cli_ctx *ctx, int argc, char **argv); /* argv[0] is the command name */
} cli_command;

extern const cli_command *const cli_commands[];
const cli_command *cli_find(const char *name);

/* Open ctx->db_path: mode CLI_DB_OPEN, CLI_DB_CREATE (create it if missing)
 * or CLI_DB_READ (read-only, for commands that only read: DB_OPEN_READONLY);
 * prints the error. */
int cli_open_db(cli_ctx *ctx, int mode, sqlite3 **db);

/* Print "dangan CMD: message" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_info(const cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --jobs N: 1..256, or a usage error naming cmd (returns EXIT_USAGE). */
int cli_parse_jobs(const char *cmd, const char *arg, int *jobs);
/* --operator NAME: refuse a name the logs could not show as one line (a
 * control character, invalid UTF-8; audit_check_who), printing why.
 * Returns EXIT_OK or EXIT_USAGE; NULL (not given) is fine. */
int cli_check_operator(const char *cmd, const char *name);
/* s with control characters as \xNN (caller frees; NULL only when memory
 * runs out): stored text (an old row, a row forged with sqlite3) never
 * makes one line of output look like two. */
char *cli_escaped(const char *s);

/* --audience/--for/--purpose of lookup and export (cmd_certify.c): *d from
 * configs/disclosure.conf.  All three NULL: *set 0 (no profile: every field,
 * as a registrar sees it); --for alone means audience 'outside'.  --for
 * needs --purpose.  Returns EXIT_OK or the exit code of the error printed. */
int cli_disclosure(const char *cmd, const char *audience, const char *requester,
                   const char *purpose, arc_disclosure *d, int *set);

/* A password (cmd_user_login.c) into pw (n >= ARC_PASSWORD_MAX + 2): the
 * first line of file when given; else asked without echo on a terminal
 * (twice: asked again and compared); else the first line of standard input.
 * Returns EXIT_OK or the exit code of the error printed. */
int cli_read_password(const char *cmd, const char *name, int twice, const char *file, char *pw,
                      size_t n);
/* Log app user name in (archive/users.h: the password by cli_read_password,
 * failures counted towards the lockout) and check its role may do perm
 * (an arc_perm; what names it in the refusal).  user_out gets the name.
 * Returns EXIT_OK or the exit code of the error printed. */
int cli_app_login(const char *cmd, sqlite3 *db, const char *name, const char *file, int perm,
                  const char *what, char *user_out, size_t user_n);

/* After options: refuse leftover arguments (returns EXIT_USAGE). */
int cli_no_extra_args(const char *cmd, int argc, char **argv);

/* Print the JSON value built into b and a newline to stdout; b is released. */
void cli_print_json(dg_buf *b);

/* Map a library status to an exit code. */
int cli_exit_for(int status);

/* A progress bar on a terminal (stderr) with the time left once a stage has
 * run a few seconds; nothing otherwise or when quiet. */
typedef struct cli_progress {
    arc_progress base;
    int enabled;
    int last_width;
    const char *stage; /* the stage timed since `start`, for the ETA */
    double start;
} cli_progress;
void cli_progress_init(cli_progress *p, const cli_ctx *ctx);
void cli_progress_done(cli_progress *p);

/* One stage call as the stage commands make it: with the progress display,
 * and with the workspace open around it unless db_mode is CLI_NO_DB
 * (CLI_DB_CREATE creates it).  stage gets the open database (NULL with
 * CLI_NO_DB), the command's own arg and the progress; a failure is printed
 * as "dangan CMD: message".  Returns EXIT_OK or the failure's exit code. */
enum { CLI_NO_DB = -1, CLI_DB_OPEN = 0, CLI_DB_CREATE = 1, CLI_DB_READ = 2 };
typedef int (*cli_stage_fn)(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err);
int cli_run_stage(cli_ctx *ctx, const char *cmd, int db_mode, cli_stage_fn stage, void *arg);

/* Standard handling of -h/--help inside a subcommand: returns 1 if shown. */
int cli_wants_help(const cli_command *cmd, int argc, char **argv);
void cli_usage(const cli_command *cmd, FILE *out);

#endif
