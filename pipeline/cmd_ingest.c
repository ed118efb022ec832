/*
 * cmd_ingest.c - `dangan ingest PATH...`
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "preserve.h"

static int print_summary(const cli_ctx *ctx, const arc_ingest_summary *s, int json)
{
    if (json) {
        printf("{\"files_seen\":%ld,\"files_new\":%ld,\"aliases\":%ld,\"unchanged\":%ld,"
               "\"pages_new\":%ld,\"low_dpi_pages\":%ld,\"quarantined\":%ld,\"skipped\":%ld,"
               "\"stored\":%ld,\"store_missing\":%ld}\n",
               s->files_seen, s->files_new, s->aliases, s->unchanged, s->pages_new,
               s->low_dpi_pages, s->quarantined, s->skipped, s->stored, s->store_missing);
    } else {
        cli_info(ctx,
                 "ingest: %ld files seen: %ld new (%ld pages), %ld aliases, %ld already known, "
                 "%ld set aside; %ld non-scan files skipped\n",
                 s->files_seen, s->files_new, s->pages_new, s->aliases, s->unchanged,
                 s->quarantined, s->skipped);
        if (s->stored)
            cli_info(ctx, "store: %ld files put in the workspace's scan store\n", s->stored);
        if (s->store_missing)
            cli_info(ctx, "warning: the read-only store lacks %ld files: they are read from "
                          "their paths (see 'dangan fixity')\n", s->store_missing);
        if (s->low_dpi_pages)
            cli_info(ctx, "warning: %ld new pages are under 300 dpi (see 'dangan status')\n",
                     s->low_dpi_pages);
        if (s->quarantined)
            cli_info(ctx, "files set aside: see 'dangan status' for the reasons\n");
    }
    return s->quarantined ? EXIT_PARTIAL : EXIT_OK;
}

typedef struct ingest_call {
    const char *store; /* --store: becomes the workspace's store first */
    const char *const *paths;
    int npaths;
    arc_ingest_summary sum;
} ingest_call;

static int ingest_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    ingest_call *c = arg;
    if (c->store && arc_store_set(db, c->store, 0, err))
        return err->code;
    return arc_ingest(db, c->paths, c->npaths, progress, &c->sum, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"store", required_argument, NULL, 's'},
                                         {0, 0, 0, 0}};
    int json = 0, c;
    const char *store = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 's')
            store = optarg;
        else
            return EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error("ingest", "no PATH given; see 'dangan help ingest'");
        return EXIT_USAGE;
    }
    ingest_call call = {store, (const char *const *)argv + optind, argc - optind, {0}};
    int rc = cli_run_stage(ctx, "ingest", CLI_DB_CREATE, ingest_stage, &call);
    return rc ? rc : print_summary(ctx, &call.sum, json);
}

const cli_command cmd_ingest = {
    "ingest", "add scans (TIFF, PNG, JPEG; files or directories) to the workspace",
    "usage: dangan ingest [--store DIR] [--json] PATH...\n"
    "\n"
    "Adds scan files and directories (recursively). Each file is identified by the\n"
    "SHA-256 of its bytes: the same bytes under another name are recorded as an\n"
    "alias, and re-running on the same tree adds nothing. Every page of a\n"
    "multi-page TIFF becomes a page. The format is detected from the bytes.\n"
    "\n"
    "Files that are empty, truncated, corrupt, not TIFF/PNG/JPEG, or larger than\n"
    "40000 px a side or 500 megapixels are set aside in quarantine with the reason;\n"
    "the rest of the batch goes on. Pages under 300 dpi (DA/T 31) get a warning.\n"
    "\n"
    "When the workspace has a scan store (--store, or 'dangan store set'), each\n"
    "file's bytes are also copied there, named by SHA-256, before it is recorded;\n"
    "every later reading of the scan (OCR, reread, crops, provenance) takes the\n"
    "store's copy first, so moving or unmounting the share loses nothing. The\n"
    "path it came from stays recorded. See docs/backup.md.\n"
    "\n"
    "  --store DIR  make DIR the workspace's scan store (kept for later runs) and\n"
    "               copy the scans into it\n"
    "  --json       print the summary as JSON\n"
    "\n"
    "exit: 0 all files taken, 1 some files set aside, 3 database error,\n"
    "      4 the store cannot be written\n",
    run};
