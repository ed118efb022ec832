/*
 * main.c - the `dangan` command: global options, the OpenMP re-exec, and
 * dispatch to subcommands (git style).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_print_versions(FILE *out);

static void print_main_help(FILE *out)
{
    fprintf(out,
            "usage: dangan [--db PATH] [-q | -v] COMMAND [ARGS...]\n"
            "\n"
            "dangan turns scanned pre-2000 graduate-student records into a searchable,\n"
            "verified archive: ingest scans, read them, extract fields, normalize and\n"
            "match disciplines, review, load, and answer alumni requests.\n"
            "\n"
            "global options (before COMMAND):\n"
            "  --db PATH     database file (default: $DANGAN_DB, else ./archive.db)\n"
            "  -q, --quiet   print only errors\n"
            "  -v, --verbose print more detail\n"
            "  --version     print versions of dangan and the libraries it runs with\n"
            "  -h, --help    this help\n"
            "\n"
            "commands:\n");
    for (const cli_command *const *c = cli_commands; *c; c++)
        fprintf(out, "  %-11s %s\n", (*c)->name, (*c)->summary);
    fprintf(out, "\n'dangan help COMMAND' or 'dangan COMMAND --help' shows a command's options.\n"
                 "exit codes: 0 ok, 1 some items set aside, 2 usage, 3 database, 4 failure,\n"
                 "            5 not found, 6 conflict with another operator, 7 tampering found\n");
}

/*
 * libtesseract's OpenMP runtime reads OMP_THREAD_LIMIT only at process
 * start; setenv() later has no effect.  Without it, OpenMP threads fight
 * our worker threads for the cores (3-6x slower on 2 cores).  So when it
 * is unset we set it and exec ourselves once.
 */
static void ensure_omp_thread_limit(char **argv)
{
    if (getenv("OMP_THREAD_LIMIT"))
        return;
    if (setenv("OMP_THREAD_LIMIT", "1", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc?): carry on, only slower. */
}

static int run_help(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stdout);
        return EXIT_OK;
    }
    const cli_command *c = cli_find(argv[1]);
    if (!c) {
        cli_error(NULL, "unknown command '%s'; see 'dangan --help'", argv[1]);
        return EXIT_USAGE;
    }
    cli_usage(c, stdout);
    return EXIT_OK;
}

/* Parse options before the command; returns the index of the command or -1. */
static int parse_global(cli_ctx *ctx, int argc, char **argv, int *exit_code)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--db") == 0 && i + 1 < argc) {
            ctx->db_path = argv[++i];
        } else if (strncmp(a, "--db=", 5) == 0) {
            ctx->db_path = a + 5;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            ctx->verbosity = -1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            ctx->verbosity = 1;
        } else if (strcmp(a, "--version") == 0) {
            cli_print_versions(stdout);
            *exit_code = EXIT_OK;
            return -1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_main_help(stdout);
            *exit_code = EXIT_OK;
            return -1;
        } else {
            cli_error(NULL, "unknown option '%s'; see 'dangan --help'", a);
            *exit_code = EXIT_USAGE;
            return -1;
        }
    }
    if (i >= argc) {
        print_main_help(stderr);
        *exit_code = EXIT_USAGE;
        return -1;
    }
    return i;
}

int main(int argc, char **argv)
{
    /* Everything dangan writes (the database, exports, crops, files a
     * command is told to write) holds personal records: owner only. */
    umask(077);
    ensure_omp_thread_limit(argv);
    cli_ctx ctx = {0};
    const char *env_db = getenv("DANGAN_DB");
    ctx.db_path = env_db && *env_db ? env_db : "archive.db";
    ctx.argv0 = argv[0];
    int code = EXIT_OK;
    int ci = parse_global(&ctx, argc, argv, &code);
    if (ci < 0)
        return code;
    if (strcmp(argv[ci], "help") == 0)
        return run_help(argc - ci, argv + ci);
    const cli_command *c = cli_find(argv[ci]);
    if (!c) {
        cli_error(NULL, "unknown command '%s'; see 'dangan --help'", argv[ci]);
        return EXIT_USAGE;
    }
    if (cli_wants_help(c, argc - ci, argv + ci))
        return EXIT_OK;
    return c->run(&ctx, argc - ci, argv + ci);
}
