/*
 * cmd_ocr.c - `dangan ocr [--jobs N] [--lang L] [--redo | --retry-failed]`
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

typedef struct ocr_call {
    const char *db_path;
    arc_ocr_opts o;
    arc_ocr_summary sum;
} ocr_call;

/* The workers open their own connections: the one held here only proves
 * the workspace opens before any work starts. */
static int ocr_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    (void)db;
    ocr_call *c = arg;
    return arc_ocr(c->db_path, &c->o, progress, &c->sum, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"jobs", required_argument, NULL, 'j'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"redo", no_argument, NULL, 'r'},
                                         {"retry-failed", no_argument, NULL, 'F'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"json", no_argument, NULL, 'J'},
                                         {0, 0, 0, 0}};
    ocr_call call = {ctx->db_path, {0}, {0}};
    arc_ocr_opts *o = &call.o;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (cli_parse_jobs("ocr", optarg, &o->jobs))
                return EXIT_USAGE;
            break;
        case 'l': o->lang = optarg; break;
        case 'r': o->redo = 1; break;
        case 'F': o->retry_failed = 1; break;
        case 'c': o->settings_path = optarg; break;
        case 'J': json = 1; break;
        default: return EXIT_USAGE;
        }
    }
    if (cli_no_extra_args("ocr", argc, argv))
        return EXIT_USAGE;
    if (o->redo && o->retry_failed) {
        cli_error("ocr", "--redo and --retry-failed exclude each other (--redo already re-reads "
                         "failed pages)");
        return EXIT_USAGE;
    }
    int rc = cli_run_stage(ctx, "ocr", CLI_DB_OPEN, ocr_stage, &call);
    if (rc)
        return rc;
    const arc_ocr_summary s = call.sum;
    if (json)
        printf("{\"pages_read\":%ld,\"pages_failed\":%ld,\"lines\":%ld,\"words\":%ld,"
               "\"cells\":%ld,\"skipped_claimed\":%ld,\"skipped_loaded\":%ld}\n",
               s.pages_read, s.pages_failed, s.lines, s.words, s.cells, s.skipped_claimed,
               s.skipped_loaded);
    else
        cli_info(ctx, "ocr: %ld pages read, %ld failed; %ld lines, %ld words, %ld table cells\n",
                 s.pages_read, s.pages_failed, s.lines, s.words, s.cells);
    if (!json && s.skipped_claimed)
        cli_info(ctx, "ocr: %ld pages left to another process that claimed them first\n",
                 s.skipped_claimed);
    /* Refused, not skipped quietly: the operator asked for these pages. */
    if (s.skipped_loaded)
        cli_error("ocr", "%ld page%s not re-read: %s records are in the archive, whose "
                         "provenance points at the words read from them (re-reading in place "
                         "would orphan it); amend archived values with 'dangan amend'",
                  s.skipped_loaded, s.skipped_loaded == 1 ? "" : "s",
                  s.skipped_loaded == 1 ? "its" : "their");
    return s.pages_failed || s.skipped_loaded ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_ocr = {
    "ocr", "read every page not yet read (Leptonica clean-up + Tesseract)",
    "usage: dangan ocr [--jobs N] [--lang LANGS] [--redo | --retry-failed] [--config FILE]\n"
    "                  [--json]\n"
    "\n"
    "Cleans and reads every page not yet read. Each page's lines, words, table\n"
    "cells and new state are stored in one transaction, so the stage can be killed\n"
    "at any moment and re-run. Each page is claimed before it is read, so two\n"
    "'dangan ocr' on one workspace share the pages and never read one twice; a run\n"
    "killed mid-way is marked aborted at the next command and its pages are free.\n"
    "\n"
    "  -j, --jobs N      worker threads, each with its own engine (default: cores)\n"
    "  --lang LANGS      Tesseract languages (default chi_sim; a cell read\n"
    "                    without Han is read again with eng if installed)\n"
    "  --redo            read all pages again, not only new ones; pages with a\n"
    "                    record in the archive are refused (exit 1)\n"
    "  --retry-failed    read again only the pages that failed\n"
    "  --config FILE     clean-up settings (default configs/ocr.xml)\n"
    "  --json            print the summary as JSON\n"
    "\n"
    "exit: 0 ok, 1 some pages failed (see 'dangan status') or were refused, 4 cannot\n"
    "run\n"
    "(e.g. language data not installed)\n",
    run};
