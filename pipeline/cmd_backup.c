/*
 * cmd_backup.c - `dangan backup DEST` and `dangan restore SRC`
 * (archive/backup.c, archive/restore.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "preserve.h"

typedef struct backup_call {
    const char *db_path, *dir, *store;
    arc_backup_opts o;
    int force;
    arc_backup_summary b;
    arc_restore_summary r;
} backup_call;

static int backup_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    (void)db; /* the backup opens its own connection to hold a snapshot */
    backup_call *c = arg;
    return arc_backup(c->db_path, c->dir, &c->o, progress, &c->b, err);
}

static int restore_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    (void)db;
    backup_call *c = arg;
    return arc_restore(c->dir, c->db_path, c->store, c->force, progress, &c->r, err);
}

static int number(const char *cmd, const char *opt, const char *arg, int max, int *out)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (!*arg || *end || n < 0 || n > max) {
        cli_error(cmd, "%s wants a number from 0 to %d, not '%s'", opt, max, arg);
        return EXIT_USAGE;
    }
    *out = (int)n;
    return EXIT_OK;
}

/* The one DEST (SRC) after the options, then the stage. */
static int dir_then_run(cli_ctx *ctx, const char *cmd, const char *what, int argc, char **argv,
                        cli_stage_fn stage, backup_call *call)
{
    if (optind >= argc) {
        cli_error(cmd, "no %s given; see 'dangan help %s'", what, cmd);
        return EXIT_USAGE;
    }
    call->dir = argv[optind++];
    if (cli_no_extra_args(cmd, argc, argv))
        return EXIT_USAGE;
    return cli_run_stage(ctx, cmd, CLI_NO_DB, stage, call);
}

static int run_backup(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"step", required_argument, NULL, 's'},
                                         {"pause", required_argument, NULL, 'p'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    backup_call call = {.db_path = ctx->db_path};
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's' && number("backup", "--step", optarg, 1 << 20, &call.o.step_pages))
            return EXIT_USAGE;
        else if (c == 'p' && number("backup", "--pause", optarg, 60000, &call.o.pause_ms))
            return EXIT_USAGE;
        else if (c == 'j')
            json = 1;
        else if (c == '?')
            return EXIT_USAGE;
    }
    int rc = dir_then_run(ctx, "backup", "DEST", argc, argv, backup_stage, &call);
    if (rc)
        return rc;
    const arc_backup_summary *s = &call.b;
    if (json)
        printf("{\"database_sha256\":\"%s\",\"database_bytes\":%lld,\"files\":%ld,"
               "\"copied\":%ld,\"kept\":%ld,\"missing\":%ld,\"busy_retries\":%d}\n",
               s->db_sha256, (long long)s->db_bytes, s->files, s->copied, s->kept, s->missing,
               s->busy_retries);
    else
        cli_info(ctx, "backup: database %lld bytes (sha256 %s); %ld scans: %ld copied, %ld "
                      "already there, %ld with no intact copy\n",
                 (long long)s->db_bytes, s->db_sha256, s->files, s->copied, s->kept, s->missing);
    if (s->missing && !json)
        cli_info(ctx, "warning: the manifest lists the %ld scans missing; 'dangan fixity' "
                      "shows where they went\n", s->missing);
    return s->missing ? EXIT_PARTIAL : EXIT_OK;
}

static int run_restore(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"store", required_argument, NULL, 's'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    backup_call call = {.db_path = ctx->db_path};
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's')
            call.store = optarg;
        else if (c == 'f')
            call.force = 1;
        else if (c == 'j')
            json = 1;
        else
            return EXIT_USAGE;
    }
    int rc = dir_then_run(ctx, "restore", "SRC", argc, argv, restore_stage, &call);
    if (rc)
        return rc;
    const arc_restore_summary *s = &call.r;
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_addf(&b, "{\"database\":");
        dg_buf_json_str(&b, ctx->db_path);
        dg_buf_addf(&b, ",\"database_sha256\":\"%s\",\"store\":", s->db_sha256);
        dg_buf_json_str(&b, s->store_dir);
        dg_buf_addf(&b, ",\"files\":%ld,\"copied\":%ld}", s->files, s->copied);
        cli_print_json(&b);
    } else {
        cli_info(ctx, "restore: %s from a verified backup; %ld scans in the store %s\n",
                 ctx->db_path, s->files, s->store_dir);
    }
    return EXIT_OK;
}

const cli_command cmd_backup = {
    "backup", "back the workspace up: database (consistent while others write) and scans",
    "usage: dangan backup [--step PAGES] [--pause MS] [--json] DEST\n"
    "\n"
    "Copies the database with SQLite's online backup API inside one read\n"
    "transaction: other dangan processes go on writing, and the copy is the\n"
    "database as it was when the backup began. Then every scan that database\n"
    "names goes to DEST/store (named by SHA-256; from the workspace's store, else\n"
    "its recorded paths), only those not already there, each checked by hash\n"
    "after writing; the ones already there are hashed again. Last,\n"
    "DEST/manifest.json names the database copy with its SHA-256 and every scan;\n"
    "a backup stopped mid-way leaves the previous backup in DEST valid. Files\n"
    "are created 0600, directories 0700. Back up to the same DEST again to\n"
    "update it incrementally. See docs/backup.md.\n"
    "\n"
    "  --step PAGES  database pages copied per step (default 256)\n"
    "  --pause MS    sleep between steps, to go easy on a busy disk\n"
    "  --json        print the summary as JSON\n"
    "\n"
    "exit: 0 done, 1 done but some scans had no intact copy (listed in the\n"
    "      manifest), 2 usage, 3 database, 4 DEST cannot be written\n",
    run_backup};

const cli_command cmd_restore = {
    "restore", "restore a backup into a new workspace, after verifying it",
    "usage: dangan restore [--store DIR] [--force] [--json] SRC\n"
    "       (the new workspace is the global --db: dangan --db NEW.db restore SRC)\n"
    "\n"
    "Checks the backup in SRC against its manifest (the database copy and every\n"
    "scan must hash to what it says; a damaged backup is refused and nothing is\n"
    "written), then copies the database to --db and the scans into the new\n"
    "workspace's store, each copy checked again, and makes that the workspace's\n"
    "store. Files are created 0600, directories 0700.\n"
    "\n"
    "  --store DIR   the new workspace's store (default: 'store' beside the database)\n"
    "  --force       replace an existing database at --db\n"
    "  --json        print the summary as JSON\n"
    "\n"
    "exit: 0 restored, 2 usage or the database exists (use --force), 3 database,\n"
    "      4 the backup is damaged or cannot be read\n",
    run_restore};
