/*
 * cmd_load.c - `dangan load [--config FILE] [--json]`
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

typedef struct load_call {
    const char *conf;
    arc_load_summary sum;
} load_call;

static int load_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    load_call *c = arg;
    return arc_load(db, c->conf, progress, &c->sum, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"config", required_argument, NULL, 'c'},
                                         {0, 0, 0, 0}};
    load_call call = {0};
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'c': call.conf = optarg; break;
        default: return EXIT_USAGE;
        }
    }
    if (cli_no_extra_args("load", argc, argv))
        return EXIT_USAGE;
    int rc = cli_run_stage(ctx, "load", CLI_DB_OPEN, load_stage, &call);
    if (rc)
        return rc;
    const arc_load_summary s = call.sum;
    if (json)
        printf("{\"loaded\":%ld,\"linked\":%ld,\"pending\":%ld,\"conflicts\":%ld,"
               "\"rekeyed\":%ld}\n",
               s.loaded, s.linked, s.pending, s.conflicts, s.rekeyed);
    else if (s.rekeyed)
        cli_info(ctx, "load: search keys of %ld persons made again with the current name "
                      "tables (configs/normalize)\n",
                 s.rekeyed);
    if (!json)
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
