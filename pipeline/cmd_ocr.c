/*
 * cmd_ocr.c - `dangan ocr [--jobs N] [--lang L] [--redo]`
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
        case 'c': o->settings_path = optarg; break;
        case 'J': json = 1; break;
        default: return EXIT_USAGE;
        }
    }
    if (cli_no_extra_args("ocr", argc, argv))
        return EXIT_USAGE;
    int rc = cli_run_stage(ctx, "ocr", CLI_DB_OPEN, ocr_stage, &call);
    if (rc)
        return rc;
    const arc_ocr_summary s = call.sum;
    if (json)
        printf("{\"pages_read\":%ld,\"pages_failed\":%ld,\"lines\":%ld,\"words\":%ld,"
               "\"cells\":%ld}\n",
               s.pages_read, s.pages_failed, s.lines, s.words, s.cells);
    else
        cli_info(ctx, "ocr: %ld pages read, %ld failed; %ld lines, %ld words, %ld table cells\n",
                 s.pages_read, s.pages_failed, s.lines, s.words, s.cells);
    return s.pages_failed ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_ocr = {
    "ocr", "read every page not yet read (Leptonica clean-up + Tesseract)",
    "usage: dangan ocr [--jobs N] [--lang LANGS] [--redo] [--config FILE] [--json]\n"
    "\n"
    "Cleans and reads every page not yet read. Each page's lines, words, table\n"
    "cells and new state are stored in one transaction, so the stage can be killed\n"
    "at any moment and re-run.\n"
    "\n"
    "  -j, --jobs N      worker threads, each with its own engine (default: cores)\n"
    "  --lang LANGS      Tesseract languages (default chi_sim; a cell read\n"
    "                    without Han is read again with eng if installed)\n"
    "  --redo            read all pages again, not only new ones\n"
    "  --config FILE     clean-up settings (default configs/ocr.xml)\n"
    "  --json            print the summary as JSON\n"
    "\n"
    "exit: 0 ok, 1 some pages failed (see 'dangan status'), 4 cannot run\n"
    "(e.g. language data not installed)\n",
    run};
