/*
 * cmd_load.c - `dangan load [--config FILE] [--json]`
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"config", required_argument, NULL, 'c'},
                                         {0, 0, 0, 0}};
    const char *conf = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'c': conf = optarg; break;
        default: return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("load", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    cli_progress prog;
    cli_progress_init(&prog, ctx);
    arc_load_summary s;
    dg_err err = {0};
    int rc = arc_load(db, conf, &prog.base, &s, &err);
    cli_progress_done(&prog);
    db_close(&db);
    if (rc) {
        cli_error("load", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json)
        printf("{\"loaded\":%ld,\"linked\":%ld,\"pending\":%ld,\"conflicts\":%ld}\n", s.loaded,
               s.linked, s.pending, s.conflicts);
    else
        cli_info(ctx, "load: %ld study records added, %ld sources linked, %ld records waiting "
                      "(%ld new conflicts); see 'dangan status' and 'dangan review list'\n",
                 s.loaded, s.linked, s.pending, s.conflicts);
    return EXIT_OK;
}

const cli_command cmd_load = {
    "load", "move records whose required fields are verified into the archive",
    "usage: dangan load [--config FILE] [--json]\n"
    "\n"
    "A record enters the archive (person, study record, provenance of every value)\n"
    "when its required fields (configs/load.conf) are verified and its major has a\n"
    "decided 2022 code. A second source of an archived person (same name and birth\n"
    "month, and the same student number unless one lacks it) is linked, not\n"
    "duplicated; values that disagree become 'conflict' review items and the record\n"
    "waits. Other records stay pending: 'dangan status' shows how many and why.\n"
    "One transaction per record; loading again changes nothing.\n"
    "\n"
    "  --config FILE   required fields (default configs/load.conf)\n"
    "  --json          print the summary as JSON\n"
    "\n"
    "exit: 0 ok (records may still be pending), 3 database, 4 failed\n",
    run};
