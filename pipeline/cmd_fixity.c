/*
 * cmd_fixity.c - `dangan fixity`: re-hash the store and the recorded paths
 * (archive/fixity.c), print what is missing or changed, exit non-zero then.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "preserve.h"

typedef struct fixity_call {
    int what, last, json;
    arc_fixity_result r;
} fixity_call;

static int fixity_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    fixity_call *c = arg;
    if (c->last) {
        dg_buf b;
        dg_buf_init(&b, 0);
        int rc = arc_fixity_last_json(db, &b, err);
        if (rc)
            dg_buf_release(&b);
        else
            cli_print_json(&b);
        return rc;
    }
    return arc_fixity(db, c->what, progress, &c->r, err);
}

static void print_text(const cli_ctx *ctx, const arc_fixity_result *r)
{
    for (size_t i = 0; i < r->nproblems; i++) {
        const arc_fixity_problem *p = &r->problems[i];
        printf("%-8s %-5s file %lld %s", p->outcome, p->location, (long long)p->file_id,
               p->path);
        if (p->found)
            printf(" (sha256 %s, expected %s)", p->found, p->sha256);
        putchar('\n');
    }
    cli_info(ctx, "fixity: %ld files, %ld copies checked: %ld intact, %ld missing, %ld changed, "
                  "%ld unreadable; %ld files with no intact copy\n",
             r->files, r->checked, r->ok, r->missing, r->changed, r->unreadable, r->lost);
    if (r->not_stored)
        cli_info(ctx, "note: %ld files are not in the store ('dangan store fill' copies them)\n",
                 r->not_stored);
    cli_info(ctx, "recorded as run %lld ('dangan fixity --last' shows it again)\n",
             (long long)r->run_id);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"only", required_argument, NULL, 'o'},
                                         {"last", no_argument, NULL, 'l'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    fixity_call call = {.what = ARC_FIXITY_STORE | ARC_FIXITY_PATHS};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'o' && strcmp(optarg, "store") == 0) {
            call.what = ARC_FIXITY_STORE;
        } else if (c == 'o' && strcmp(optarg, "paths") == 0) {
            call.what = ARC_FIXITY_PATHS;
        } else if (c == 'o') {
            cli_error("fixity", "--only wants 'store' or 'paths', not '%s'", optarg);
            return EXIT_USAGE;
        } else if (c == 'l') {
            call.last = 1;
        } else if (c == 'j') {
            call.json = 1;
        } else {
            return EXIT_USAGE;
        }
    }
    if (cli_no_extra_args("fixity", argc, argv))
        return EXIT_USAGE;
    int rc = cli_run_stage(ctx, "fixity", CLI_DB_OPEN, fixity_stage, &call);
    if (rc || call.last)
        return rc;
    arc_fixity_result *r = &call.r;
    if (call.json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        arc_fixity_json(r, &b);
        cli_print_json(&b);
    } else {
        print_text(ctx, r);
    }
    int bad = r->missing || r->changed || r->unreadable;
    arc_fixity_release(r);
    return bad ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_fixity = {
    "fixity", "re-hash the scan store and the recorded paths; report missing or changed files",
    "usage: dangan fixity [--only store|paths] [--json]\n"
    "       dangan fixity --last\n"
    "\n"
    "Reads every copy of every scan the workspace knows of again and compares\n"
    "its SHA-256 with the one recorded at ingest: the store's copy of each\n"
    "stored file, and every path the file was ingested under (its first path\n"
    "and its aliases). Prints one line per copy that is missing, changed or\n"
    "unreadable, then the totals and how many files have no intact copy left.\n"
    "Every check is recorded in the database (table fixity_event, under a run\n"
    "of stage 'fixity'), so an auditor can see when fixity was last checked\n"
    "and what was found. Progress with the time left goes to stderr.\n"
    "\n"
    "  --only store   check only the store (e.g. once the share is retired)\n"
    "  --only paths   check only the recorded paths\n"
    "  --last         print the last recorded sweep as JSON (checks nothing)\n"
    "  --json         print the result as JSON\n"
    "\n"
    "exit: 0 every copy checked is intact, 1 some copy is missing, changed or\n"
    "      unreadable, 2 usage, 3 database, 5 (--last) never checked\n",
    run};
