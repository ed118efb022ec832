/*
 * cmd_status.c - `dangan status [--json]`
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0, 0, 0, 0}};
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else
            return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    dg_err err = {0};
    int rc = arc_status(db, json, stdout, &err);
    db_close(&db);
    if (rc)
        cli_error("status", "%s", err.msg);
    return cli_exit_for(rc);
}

const cli_command cmd_status = {
    "status", "counts of files, pages by state, quarantine and warnings",
    "usage: dangan status [--json]\n"
    "\n"
    "Shows files, pages by state, quarantined files with their reasons, and pages\n"
    "under 300 dpi. With --json, an object with at least files, pages (counts by\n"
    "state), quarantined (count) and quarantine ([{file, reason}]).\n",
    run};
