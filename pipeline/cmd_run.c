/*
 * cmd_run.c - `dangan run DIR...`: every stage in one command with one
 * progress display and a closing summary (arc_run does the work).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "preserve.h"
#include "shard.h"

static void print_summary(const cli_ctx *ctx, const arc_run_summary *s, int json)
{
    if (json) {
        printf("{\"pages\":%ld,\"pages_failed\":%ld,\"records\":%ld,\"records_loaded\":%ld,"
               "\"review_open\":%ld,\"quarantined\":%ld}\n",
               s->pages, s->pages_failed, s->records, s->records_loaded, s->review_open,
               s->quarantined);
        return;
    }
    cli_info(ctx, "run: %ld pages, %ld records loaded, %ld items waiting for review, "
                  "%ld files quarantined\n",
             s->pages, s->records_loaded, s->review_open, s->quarantined);
    if (!s->reread.available && s->reread.why[0])
        cli_info(ctx, "note: %s\n", s->reread.why);
    if (!s->reread.third && s->reread.why3[0])
        cli_info(ctx, "note: %s\n", s->reread.why3);
    if (s->pages_failed)
        cli_info(ctx, "warning: %ld pages could not be read (see 'dangan status')\n",
                 s->pages_failed);
    if (s->review_open)
        cli_info(ctx, "next: 'dangan review' to settle the waiting items, then 'dangan run' "
                      "again to load them\n");
}

typedef struct run_call {
    const char *db_path;
    const char *const *dirs;
    int ndirs;
    const arc_run_opts *o;
    arc_run_summary sum;
} run_call;

/* arc_run opens (and creates) the workspace itself, stage by stage. */
static int run_stages(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    (void)db;
    run_call *c = arg;
    return arc_run(c->db_path, c->dirs, c->ndirs, c->o, progress, &c->sum, err);
}

static int run_paths(cli_ctx *ctx, const char *const *paths, int npaths, const arc_run_opts *o,
                     const char *store, int json);

/* --shard K/N --plan FILE: the pipeline on the plan's files of shard K. */
static int run_shard(cli_ctx *ctx, const char *shard, const char *plan, int nextra,
                     const arc_run_opts *o, const char *store, int json)
{
    int k = 0, n = 0, used = 0;
    if (!shard || !plan || nextra) {
        cli_error("run", "--shard K/N and --plan FILE go together, without DIR");
        return EXIT_USAGE;
    }
    if (sscanf(shard, "%d/%d%n", &k, &n, &used) != 2 || shard[used] || n < 1 ||
        n > SHARD_MAX || k < 1 || k > n) {
        cli_error("run", "--shard wants K/N with 1 <= K <= N, not '%s'", shard);
        return EXIT_USAGE;
    }
    char **paths = NULL;
    int npaths = 0;
    dg_err err = {0};
    int rc = shard_plan_paths(plan, k, n, &paths, &npaths, &err);
    if (rc) {
        cli_error("run", "%s", err.msg);
        return rc == DG_EUSAGE ? EXIT_USAGE : cli_exit_for(rc);
    }
    if (!npaths) {
        /* an empty shard still gets its database, so the merge finds it */
        sqlite3 *db = NULL;
        if (cli_open_db(ctx, 1, &db))
            return EXIT_DB;
        db_close(&db);
        cli_info(ctx, "run: shard %d/%d has no files in '%s'\n", k, n, plan);
        shard_paths_free(paths, npaths);
        return EXIT_OK;
    }
    rc = run_paths(ctx, (const char *const *)paths, npaths, o, store, json);
    shard_paths_free(paths, npaths);
    return rc;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"jobs", required_argument, NULL, 'j'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"store", required_argument, NULL, 's'},
                                         {"shard", required_argument, NULL, 'k'},
                                         {"plan", required_argument, NULL, 'p'},
                                         {0, 0, 0, 0}};
    arc_run_opts o = {0};
    const char *store = NULL, *shard = NULL, *plan = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (cli_parse_jobs("run", optarg, &o.jobs))
                return EXIT_USAGE;
            break;
        case 'l': o.lang = optarg; break;
        case 'J': json = 1; break;
        case 's': store = optarg; break;
        case 'k': shard = optarg; break;
        case 'p': plan = optarg; break;
        default: return EXIT_USAGE;
        }
    }
    if (shard || plan)
        return run_shard(ctx, shard, plan, argc - optind, &o, store, json);
    if (optind >= argc) {
        cli_error("run", "no DIR given; see 'dangan help run'");
        return EXIT_USAGE;
    }
    return run_paths(ctx, (const char *const *)argv + optind, argc - optind, &o, store, json);
}

static int run_paths(cli_ctx *ctx, const char *const *paths, int npaths, const arc_run_opts *o,
                     const char *store, int json)
{
    if (store) { /* the workspace's store from now on, as with ingest --store */
        sqlite3 *db = NULL;
        dg_err err = {0};
        if (cli_open_db(ctx, 1, &db))
            return EXIT_DB;
        int src = arc_store_set(db, store, 0, &err);
        db_close(&db);
        if (src) {
            cli_error("run", "%s", err.msg);
            return cli_exit_for(src);
        }
    }
    run_call call = {.db_path = ctx->db_path, .dirs = paths, .ndirs = npaths, .o = o};
    int rc = cli_run_stage(ctx, "run", CLI_NO_DB, run_stages, &call);
    if (rc)
        return rc;
    const arc_run_summary s = call.sum;
    print_summary(ctx, &s, json);
    return s.quarantined || s.pages_failed ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_run = {
    "run", "ingest, read, extract, normalize and load scans in one go",
    "usage: dangan run [--jobs N] [--lang LANGS] [--store DIR] [--json] DIR...\n"
    "       dangan --db shard-K.db run [OPTIONS] --shard K/N --plan PLAN.tsv\n"
    "\n"
    "Runs every stage on the scans under DIR (files or directories): ingest ->\n"
    "ocr -> extract -> reread -> normalize -> load, with one progress display, then prints\n"
    "  run: P pages, R records loaded, V items waiting for review, Q files quarantined\n"
    "Each stage is resumable: after a crash, or after settling review items with\n"
    "'dangan review', run the same command again to finish.\n"
    "\n"
    "  -j, --jobs N    OCR worker threads (default: cores)\n"
    "  --lang LANGS    Tesseract languages (default chi_sim; Latin-only cells are re-read with eng)\n"
    "  --store DIR     make DIR the workspace's scan store (as 'dangan ingest --store')\n"
    "  --json          print the summary as JSON\n"
    "  --shard K/N --plan PLAN.tsv\n"
    "                  run only the files of shard K of the plan 'dangan shard plan\n"
    "                  --shards N' wrote, into this database (one a shard); resumes like\n"
    "                  any run; then 'dangan merge' (docs/scale.md)\n"
    "\n"
    "exit: 0 the run worked, also when items wait for review (that is the normal\n"
    "      hand-over to an operator, not a failure);\n"
    "      1 files were set aside in quarantine or pages could not be read;\n"
    "      3 database, 4 a stage could not run\n",
    run};
