/*
 * cmd_store.c - `dangan store show | set DIR [--read-only] | fill`: the
 * workspace's scan store (archive/preserve.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "preserve.h"

typedef struct store_call {
    const char *action;
    const char *dir;
    int readonly, json;
    arc_store_fill_summary fill;
} store_call;

static int show(sqlite3 *db, store_call *c, dg_err *err)
{
    char *dir = NULL;
    int ro = 0;
    int64_t stored = 0, files = 0;
    int rc = arc_store_get(db, &dir, &ro, err);
    rc = rc ? rc : db_query_int(db, "SELECT count(*) FROM stored_file", &stored, err);
    rc = rc ? rc : db_query_int(db, "SELECT count(*) FROM file", &files, err);
    if (!rc && c->json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_adds(&b, "{\"dir\":");
        dg_buf_json_str(&b, dir);
        dg_buf_addf(&b, ",\"readonly\":%s,\"files\":%lld,\"stored\":%lld}", ro ? "true" : "false",
                    (long long)files, (long long)stored);
        cli_print_json(&b);
    } else if (!rc && dir) {
        printf("store: %s%s\n%lld of %lld files stored\n", dir, ro ? " (read-only)" : "",
               (long long)stored, (long long)files);
    } else if (!rc) {
        printf("no store: scans are read from the paths they were ingested from\n");
    }
    free(dir);
    return rc;
}

static int store_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    store_call *c = arg;
    if (strcmp(c->action, "set") == 0)
        return arc_store_set(db, c->dir, c->readonly, err);
    if (strcmp(c->action, "fill") == 0)
        return arc_store_fill(db, progress, &c->fill, err);
    return show(db, c, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"read-only", no_argument, NULL, 'r'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    store_call call = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            call.readonly = 1;
        else if (c == 'j')
            call.json = 1;
        else
            return EXIT_USAGE;
    }
    call.action = optind < argc ? argv[optind++] : "show";
    int want_dir = strcmp(call.action, "set") == 0;
    if (strcmp(call.action, "show") != 0 && strcmp(call.action, "fill") != 0 && !want_dir) {
        cli_error("store", "unknown action '%s'; see 'dangan help store'", call.action);
        return EXIT_USAGE;
    }
    if (want_dir && optind >= argc) {
        cli_error("store", "set needs a DIR; see 'dangan help store'");
        return EXIT_USAGE;
    }
    if (want_dir)
        call.dir = argv[optind++];
    if (cli_no_extra_args("store", argc, argv))
        return EXIT_USAGE;
    if (call.readonly && !want_dir) {
        cli_error("store", "--read-only goes with 'set'");
        return EXIT_USAGE;
    }
    int rc = cli_run_stage(ctx, "store", want_dir ? CLI_DB_CREATE : CLI_DB_OPEN, store_stage,
                           &call);
    if (rc)
        return rc;
    const arc_store_fill_summary *f = &call.fill;
    if (want_dir)
        cli_info(ctx, "store: %s%s\n", call.dir, call.readonly ? " (read-only)" : "");
    else if (strcmp(call.action, "fill") == 0 && call.json)
        printf("{\"files\":%ld,\"stored\":%ld,\"already\":%ld,\"failed\":%ld}\n", f->files,
               f->stored, f->already, f->failed);
    else if (strcmp(call.action, "fill") == 0)
        cli_info(ctx, "store: %ld files: %ld stored now, %ld already there, %ld with no intact "
                      "copy to store\n", f->files, f->stored, f->already, f->failed);
    return f->failed ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_store = {
    "store", "show or set the workspace's scan store, copy known scans into it",
    "usage: dangan store [show] [--json]\n"
    "       dangan store set DIR [--read-only]\n"
    "       dangan store fill [--json]\n"
    "\n"
    "The scan store is a directory holding each scan's bytes under its SHA-256\n"
    "(DIR/ab/cd/<sha256>.<format>), written atomically, files 0600, directories\n"
    "0700. With a store, OCR, reread, crops and provenance read a scan from the\n"
    "store first and from the paths it was ingested from after that, so a share\n"
    "mounted elsewhere, or gone, loses no evidence (docs/backup.md).\n"
    "\n"
    "  show          the store and how many files it holds (the default)\n"
    "  set DIR       make DIR the workspace's store (created if missing); later\n"
    "                'dangan ingest' and 'dangan run' copy new scans into it\n"
    "  --read-only   with set: read from DIR, never write to it (a store filled\n"
    "                elsewhere); ingest records which new scans it already holds\n"
    "  fill          copy every scan ingested before the store was set into it,\n"
    "                from its recorded paths, each checked against its SHA-256\n"
    "  --json        print as JSON\n"
    "\n"
    "exit: 0 done, 1 fill found scans with no intact copy, 2 usage, 3 database,\n"
    "      4 the store cannot be used, 5 (fill) the workspace has no store\n",
    run};
