/*
 * cmd_shard.c - `dangan shard plan --shards N DIR...`: the plan that splits
 * a batch over N shards by file content (shard/shard.h), as TSV on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shard.h"

static int plan(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"shards", required_argument, NULL, 'n'},
                                         {0, 0, 0, 0}};
    long n = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        if (c != 'n')
            return EXIT_USAGE;
        char *end;
        n = strtol(optarg, &end, 10);
        if (!*optarg || *end || n < 1 || n > SHARD_MAX) {
            cli_error("shard", "--shards wants a number from 1 to %d, not '%s'", SHARD_MAX,
                      optarg);
            return EXIT_USAGE;
        }
    }
    if (!n || optind >= argc) {
        cli_error("shard", "usage: dangan shard plan --shards N DIR...");
        return EXIT_USAGE;
    }
    dg_buf out;
    dg_buf_init(&out, (size_t)1 << 30);
    dg_err err = {0};
    long files = 0;
    int rc = shard_plan_make((const char *const *)argv + optind, argc - optind, (int)n, &out,
                             &files, &err);
    if (rc) {
        dg_buf_release(&out);
        cli_error("shard", "%s", err.msg);
        return cli_exit_for(rc);
    }
    fwrite(out.data, 1, out.len, stdout);
    dg_buf_release(&out);
    if (fflush(stdout) != 0) {
        cli_error("shard", "cannot write the plan");
        return EXIT_FAIL;
    }
    if (ctx->verbosity >= 0) /* stdout is the plan */
        fprintf(stderr, "shard plan: %ld files in %ld shards\n", files, n);
    return EXIT_OK;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        cli_error("shard", "which? 'dangan shard plan --shards N DIR...'");
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "plan") == 0)
        return plan(ctx, argc - 1, argv + 1);
    cli_error("shard", "unknown subcommand '%s'; see 'dangan help shard'", argv[1]);
    return EXIT_USAGE;
}

const cli_command cmd_shard = {
    "shard", "split a batch over N shards by file content (for parallel or cluster runs)",
    "usage: dangan shard plan --shards N DIR... > plan.tsv\n"
    "\n"
    "Lists every scan under DIR (the files 'dangan ingest DIR' would take) with its\n"
    "SHA-256 and its shard, as TSV after one header line:\n"
    "  SHARD<TAB>SHA256<TAB>PATH\n"
    "The shard is the file's SHA-256 modulo N (plus one): the same bytes always land in\n"
    "the same shard, whatever their name, so aliases stay together and a plan made again\n"
    "over a grown folder moves no file. Then, once per shard (GNU parallel, a Slurm\n"
    "array, several machines on a shared filesystem):\n"
    "  dangan --db shard-K.db run --shard K/N --plan plan.tsv\n"
    "and at the end:\n"
    "  dangan merge --into archive.db shard-*.db\n"
    "See docs/scale.md.\n"
    "\n"
    "  -n, --shards N  number of shards (1 to 100000)\n"
    "\n"
    "exit: 0 plan written; 2 bad command line; 4 a path cannot be read\n",
    run};
