/*
 * cmd_extract.c - `dangan extract [--redo] [--templates DIR] [--json]`
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

typedef struct extract_call {
    arc_extract_opts o;
    arc_extract_summary sum;
} extract_call;

static int extract_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    extract_call *c = arg;
    return arc_extract(db, &c->o, progress, &c->sum, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"redo", no_argument, NULL, 'r'},
                                         {"templates", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    extract_call call = {0};
    arc_extract_opts *o = &call.o;
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            o->redo = 1;
        else if (c == 't')
            o->templates_dir = optarg;
        else if (c == 'j')
            json = 1;
        else
            return EXIT_USAGE;
    }
    if (cli_no_extra_args("extract", argc, argv))
        return EXIT_USAGE;
    int rc = cli_run_stage(ctx, "extract", CLI_DB_OPEN, extract_stage, &call);
    if (rc)
        return rc;
    const arc_extract_summary sum = call.sum;
    if (json)
        printf("{\"pages\":%ld,\"extracted\":%ld,\"unknown\":%ld,\"skipped_loaded\":%ld,"
               "\"records\":%ld,\"fields\":%ld,\"missing\":%ld}\n",
               sum.pages, sum.extracted, sum.unknown, sum.skipped_loaded, sum.records, sum.fields,
               sum.missing);
    else
        cli_info(ctx, "extract: %ld pages: %ld matched a form, %ld unknown form; %ld records, "
                      "%ld fields (%ld missing)\n",
                 sum.pages, sum.extracted, sum.unknown, sum.records, sum.fields, sum.missing);
    if (sum.skipped_loaded && !json)
        cli_info(ctx, "note: %ld pages left alone: their records are already loaded\n",
                 sum.skipped_loaded);
    return sum.unknown ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_extract = {
    "extract", "find form fields in OCR'd pages using the templates",
    "usage: dangan extract [--redo] [--templates DIR] [--json]\n"
    "\n"
    "Classifies every page in state 'read' against the form templates\n"
    "(configs/templates/*.xml) and stores one record per card or ledger row\n"
    "with its fields (raw text, source words, box, confidence).  A page that\n"
    "matches no template goes to state 'unknown_form' for review.\n"
    "\n"
    "--redo           also re-extract pages already extracted or unknown\n"
    "--templates DIR  read templates from DIR instead of configs/templates\n"
    "--json           print the summary as JSON\n"
    "\n"
    "exit: 0 ok, 1 some pages matched no form, 3 database, 4 bad template\n",
    run};
