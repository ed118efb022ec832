/*
 * cli.c - shared plumbing for the subcommands: database opening, messages,
 * the progress bar and exit codes.
 */
#include "cli.h"

#include "audit.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "dangan%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_info(const cli_ctx *ctx, const char *fmt, ...)
{
    if (ctx->verbosity < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

int cli_open_db(cli_ctx *ctx, int mode, sqlite3 **db)
{
    dg_err err = {0};
    int flags = mode == CLI_DB_CREATE ? DB_OPEN_CREATE : mode == CLI_DB_READ ? DB_OPEN_READONLY : 0;
    if (db_open(ctx->db_path, flags, db, &err)) {
        cli_error(NULL, "%s", err.msg);
        if (mode != CLI_DB_CREATE && access(ctx->db_path, F_OK) != 0)
            fprintf(stderr, "hint: run 'dangan ingest DIR' first, or pass --db PATH\n");
        return EXIT_DB;
    }
    return EXIT_OK;
}

int cli_parse_jobs(const char *cmd, const char *arg, int *jobs)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (!*arg || *end || n < 1 || n > 256) {
        cli_error(cmd, "--jobs wants a number from 1 to 256, not '%s'", arg);
        return EXIT_USAGE;
    }
    *jobs = (int)n;
    return EXIT_OK;
}

int cli_check_operator(const char *cmd, const char *name)
{
    dg_err err = {0};
    if (!name || audit_check_who(name, &err) == DG_OK)
        return EXIT_OK;
    cli_error(cmd, "--operator: %s", err.msg);
    return EXIT_USAGE;
}

char *cli_escaped(const char *s)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            dg_buf_addf(&b, "\\x%02x", *p);
        else
            dg_buf_addc(&b, (char)*p);
    }
    char *out = dg_buf_detach(&b);
    return out ? out : dg_strdup("");
}

int cli_no_extra_args(const char *cmd, int argc, char **argv)
{
    if (optind < argc) {
        cli_error(cmd, "unexpected argument '%s'; see 'dangan help %s'", argv[optind], cmd);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

void cli_print_json(dg_buf *b)
{
    fputs(b->data ? b->data : "", stdout);
    putchar('\n');
    dg_buf_release(b);
}

int cli_exit_for(int status)
{
    switch (status) {
    case DG_OK: return EXIT_OK;
    case DG_EDB: return EXIT_DB;
    case DG_EUSAGE: return EXIT_USAGE;
    case DG_ENOTFOUND: return EXIT_NOTFOUND;
    case DG_ECONFLICT: return EXIT_CONFLICT;
    default: return EXIT_FAIL;
    }
}

static void progress_update(void *ud, const char *stage, long done, long total, const char *item)
{
    cli_progress *p = ud;
    if (!p->enabled || total <= 0)
        return;
    const int width = 30;
    int filled = (int)(done * width / total);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    const char *name = item ? strrchr(item, '/') : NULL;
    name = name ? name + 1 : item ? item : "";
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (!p->stage || strcmp(p->stage, stage) != 0) {
        p->stage = stage;
        p->start = now;
    }
    /* The rate so far predicts the rest; shown once it means something. */
    char eta[32] = "";
    double spent = now - p->start;
    if (done > 0 && done < total && spent >= 2.0) {
        long left = (long)(spent * (double)(total - done) / (double)done + 0.5);
        snprintf(eta, sizeof eta, " ETA %ldm%02lds", left / 60, left % 60);
    }
    int n = fprintf(stderr, "\r%-9s [%s] %ld/%ld%s %.40s", stage, bar, done, total, eta, name);
    if (n < p->last_width)
        fprintf(stderr, "%*s", p->last_width - n, "");
    p->last_width = n;
    fflush(stderr);
}

void cli_progress_init(cli_progress *p, const cli_ctx *ctx)
{
    p->base.update = progress_update;
    p->base.ud = p;
    p->enabled = ctx->verbosity >= 0 && isatty(STDERR_FILENO);
    p->last_width = 0;
    p->stage = NULL;
    p->start = 0;
}

void cli_progress_done(cli_progress *p)
{
    if (p->enabled && p->last_width) {
        fprintf(stderr, "\r%*s\r", p->last_width, "");
        p->last_width = 0;
    }
}

int cli_run_stage(cli_ctx *ctx, const char *cmd, int db_mode, cli_stage_fn stage, void *arg)
{
    sqlite3 *db = NULL;
    if (db_mode != CLI_NO_DB && cli_open_db(ctx, db_mode, &db))
        return EXIT_DB;
    cli_progress prog;
    cli_progress_init(&prog, ctx);
    dg_err err = {0};
    int rc = stage(db, arg, &prog.base, &err);
    cli_progress_done(&prog);
    if (db)
        db_close(&db);
    if (rc) {
        cli_error(cmd, "%s", err.msg);
        return cli_exit_for(rc);
    }
    return EXIT_OK;
}

void cli_usage(const cli_command *cmd, FILE *out)
{
    fprintf(out, "%s", cmd->usage);
}

int cli_wants_help(const cli_command *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cli_usage(cmd, stdout);
            return 1;
        }
    }
    return 0;
}
