/*
 * cmd_match.c - `dangan match [--year Y] [--code C] [--department D] [--json] TEXT`:
 * the ranked target-catalog candidates for one historical major name, with
 * the operator mapping rules of the database applied, printed here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

static void print_match(const arc_match_result *r)
{
    printf("decision: %s\n", r->decided_auto ? "auto" : "review");
    for (size_t i = 0; i < r->ncandidates; i++) {
        const arc_match_candidate *c = &r->candidates[i];
        printf("%2zu. %s %s  score %.3f  (from %s)\n    path: %s\n", i + 1, c->code, c->name,
               c->score, c->edition, c->path);
        for (size_t j = 0; j < c->nevidence; j++)
            printf("    %s %s\n", j ? "         " : "evidence:", c->evidence[j]);
    }
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"year", required_argument, NULL, 'y'},
                                         {"code", required_argument, NULL, 'c'},
                                         {"department", required_argument, NULL, 'd'},
                                         {"catalog", required_argument, NULL, 'C'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    arc_match_opts o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'y':
            o.year = (int)strtol(optarg, &end, 10);
            if (*end || o.year < 1900 || o.year > 2100) {
                cli_error("match", "--year wants a year such as 1986, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'c': o.code = optarg; break;
        case 'd': o.department = optarg; break;
        case 'C': o.catalog_dir = optarg; break;
        case 'j': o.json = 1; break;
        default: return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("match", "want exactly one major name (see 'dangan match --help')");
        return EXIT_USAGE;
    }
    /* Without a database there are no rules: the matcher still works. */
    sqlite3 *db = NULL;
    if (access(ctx->db_path, F_OK) == 0 && cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    dg_err err = {0};
    arc_match_result r;
    int rc = arc_match_text(db, &o, argv[optind], &r, &err);
    db_close(&db);
    if (rc) {
        cli_error("match", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (o.json)
        printf("%s\n", r.json);
    else
        print_match(&r);
    arc_match_result_release(&r);
    return EXIT_OK;
}

const cli_command cmd_match = {
    "match", "rank 2022-catalog candidates for a historical major name",
    "usage: dangan match [--year Y] [--code C] [--department D] [--catalog DIR] [--json] TEXT\n"
    "\n"
    "Ranks candidates of the target catalog (2022) for the major name TEXT as\n"
    "read from a record, and says whether the match would be decided\n"
    "automatically or sent to review. Active operator mapping rules in the\n"
    "database apply (none when the database does not exist).\n"
    "\n"
    "  --year Y          enrolment (else graduation) year: picks the edition in force\n"
    "  --code C          the major code written on the record\n"
    "  --department D    department, for rules limited to one\n"
    "  --catalog DIR     catalog directory (default configs/disciplines)\n"
    "  --json            {\"decision\": \"auto\"|\"review\", \"candidates\":\n"
    "                    [{\"code\",\"name\",\"score\",\"edition\",\"path\",\"evidence\"}]}\n"
    "\n"
    "exit: 0 ok, 2 usage, 3 database, 4 cannot load the catalog\n",
    run};
