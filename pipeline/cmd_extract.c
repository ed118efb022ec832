/*
 * cmd_extract.c - `dangan extract [--redo] [--templates DIR] [--json]`
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"redo", no_argument, NULL, 'r'},
                                         {"templates", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    arc_extract_opts o = {0};
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            o.redo = 1;
        else if (c == 't')
            o.templates_dir = optarg;
        else if (c == 'j')
            json = 1;
        else
            return EXIT_USAGE;
    }
    if (cli_no_extra_args("extract", argc, argv))
        return EXIT_USAGE;
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    cli_progress prog;
    cli_progress_init(&prog, ctx);
    arc_extract_summary sum;
    dg_err err = {0};
    int rc = arc_extract(db, &o, &prog.base, &sum, &err);
    cli_progress_done(&prog);
    db_close(&db);
    if (rc) {
        cli_error("extract", "%s", err.msg);
        return cli_exit_for(rc);
    }
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
