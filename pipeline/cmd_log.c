/*
 * cmd_log.c - `dangan log`: the registrars' audit view of the append-only
 * access log (who looked up or exported what, and when).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"limit", required_argument, NULL, 'l'},
                                         {0, 0, 0, 0}};
    int json = 0, c;
    long limit = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') {
            json = 1;
        } else if (c == 'l') {
            limit = atol(optarg);
            if (limit < 1) {
                cli_error("log", "--limit wants a positive number, not '%s'", optarg);
                return EXIT_USAGE;
            }
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("log", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, CLI_DB_READ, &db))
        return EXIT_DB;
    dg_err err = {0};
    arc_access_entries e;
    int rc = arc_access_log_read(db, limit, &e, &err);
    db_close(&db);
    if (rc) {
        cli_error("log", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        arc_access_log_json(&e, &b);
        cli_print_json(&b);
    } else {
        for (size_t i = 0; i < e.n; i++) {
            const arc_access_entry *a = &e.v[i];
            char *at = cli_escaped(a->at), *who = cli_escaped(a->who);
            char *action = cli_escaped(a->action), *query = cli_escaped(a->query);
            char *shown = cli_escaped(a->shown);
            if (at && who && action && query && shown)
                printf("%-6lld %s  %-12s %-10s %s -> %s\n", (long long)a->id, at, who, action,
                       query, shown);
            free(at), free(who), free(action), free(query), free(shown);
        }
    }
    arc_access_entries_release(&e);
    return EXIT_OK;
}

const cli_command cmd_log = {
    "log", "show the access log: who looked up or exported archived records, and when",
    "usage: dangan log [--limit N] [--json]\n"
    "\n"
    "Prints the access log, oldest first: id, time (UTC), who, action (lookup,\n"
    "export, provenance), the query as asked and the study record ids shown (an\n"
    "export records its count). The log is append-only: the database refuses\n"
    "UPDATE and DELETE on it, and every entry is also an event of the audit chain\n"
    "('dangan audit verify' tells a row deleted or edited). Control characters in\n"
    "stored text are printed as \\xNN.\n"
    "\n"
    "  --limit N   only the newest N entries\n"
    "  --json      {\"entries\":[{\"id\",\"at\",\"who\",\"action\",\"query\",\"shown\"}]}\n",
    run};
