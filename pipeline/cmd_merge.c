/*
 * cmd_merge.c - `dangan merge --into ARCHIVE SHARD.db...`: shard databases
 * into one archive (shard/shard.h), one transaction a shard, a line each.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "shard.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"into", required_argument, NULL, 'i'},
                                         {"json", no_argument, NULL, 'J'},
                                         {0, 0, 0, 0}};
    const char *into = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'i')
            into = optarg;
        else if (c == 'J')
            json = 1;
        else
            return EXIT_USAGE;
    }
    if (into)
        ctx->db_path = into;
    if (optind >= argc) {
        cli_error("merge", "no shard database given; see 'dangan help merge'");
        return EXIT_USAGE;
    }
    sqlite3 *db = NULL;
    if (cli_open_db(ctx, 1, &db))
        return EXIT_DB;
    cli_progress prog;
    cli_progress_init(&prog, ctx);
    int rc = EXIT_OK, nshards = argc - optind;
    long merged = 0, skipped = 0, rows = 0, events = 0, studies = 0;
    if (json)
        printf("[");
    for (int i = optind; i < argc; i++) {
        const char *path = argv[i];
        if (prog.base.update)
            prog.base.update(prog.base.ud, "merge", i - optind, nshards, path);
        if (ctx->db_path && strcmp(path, ctx->db_path) == 0) {
            cli_error("merge", "'%s' is the archive itself", path);
            rc = EXIT_USAGE;
            break;
        }
        shard_merge_summary s;
        dg_err err = {0};
        int mrc = shard_merge(db, path, &s, &err);
        if (mrc) {
            cli_progress_done(&prog);
            cli_error("merge", "%s", err.msg);
            rc = cli_exit_for(mrc);
            break;
        }
        if (json) {
            printf("%s{\"shard\":", i > optind ? "," : "");
            dg_buf b;
            dg_buf_init(&b, 0);
            dg_buf_json_str(&b, path);
            fwrite(b.data, 1, b.len, stdout);
            dg_buf_release(&b);
            printf(",\"identity\":\"%s\",\"skipped\":%s,\"rows\":%ld,\"files\":%ld,"
                   "\"records\":%ld,\"studies\":%ld,\"events\":%ld,\"linked\":%ld,"
                   "\"waiting\":%ld,\"conflicts\":%ld,\"kept_apart\":%ld}",
                   s.ident, s.skipped ? "true" : "false", s.rows, s.files, s.records, s.studies,
                   s.events, s.linked, s.waiting, s.conflicts, s.kept_apart);
        } else if (s.skipped == SHARD_EMPTY) {
            cli_info(ctx, "merge: %s: an empty shard (no files), nothing to add\n", path);
        } else if (s.skipped) {
            cli_info(ctx, "merge: %s: merged before (shard %.12s, head %lld), nothing added\n",
                     path, s.ident, (long long)s.head_seq);
        } else {
            cli_info(ctx, "merge: %s: %ld files, %ld records, %ld study records, %ld audit "
                          "events (%ld rows in %ld tables)\n",
                     path, s.files, s.records, s.studies, s.events, s.rows, s.tables);
            if (s.linked || s.waiting || s.kept_apart)
                cli_info(ctx, "merge: %s: the same graduate as archived before: %ld linked, "
                              "%ld waiting for review (%ld conflict items), %ld kept apart "
                              "(amended or certified)\n",
                         path, s.linked, s.waiting, s.conflicts, s.kept_apart);
        }
        merged += !s.skipped;
        skipped += s.skipped;
        rows += s.rows;
        events += s.events;
        studies += s.studies;
    }
    cli_progress_done(&prog);
    if (json)
        printf("]\n");
    else if (!rc)
        cli_info(ctx, "merge: %ld shards merged, %ld already merged; %ld rows, %ld study "
                      "records, %ld audit events added\n",
                 merged, skipped, rows, studies, events);
    db_close(&db);
    return rc;
}

const cli_command cmd_merge = {
    "merge", "merge shard databases into one archive, losslessly and idempotently",
    "usage: dangan merge --into ARCHIVE.db [--json] SHARD.db...\n"
    "\n"
    "Copies each shard database (made by 'dangan run --shard K/N') into ARCHIVE.db\n"
    "(created if missing), one transaction a shard: every row of every table, its ids\n"
    "moved past the archive's and every reference with them; the shard's audit events\n"
    "appended to the archive's chain with their original hashes kept, then a 'merge'\n"
    "event with the shard's identity and head, so 'dangan audit verify' checks the\n"
    "merged archive and each shard's own history. Merging a shard again adds nothing.\n"
    "A graduate archived from one shard (a card) and from another (a ledger row) is\n"
    "made one study record by load's rule; where the two disagree, conflict items go\n"
    "to review and 'dangan load' links them once accepted.\n"
    "Refused, with the reason and nothing written: a shard of another schema version,\n"
    "made with other catalog editions, crosswalks or name tables, with a run still\n"
    "running, sharing a file with the archive, with a row pointing at a missing row,\n"
    "or changed since it was merged.\n"
    "--into overrides --db. See docs/scale.md.\n"
    "\n"
    "  --into PATH  the archive (default: --db)\n"
    "  --json       one JSON array: per shard identity, skipped, rows, files, records,\n"
    "               studies, events, linked, waiting, conflicts, kept_apart\n"
    "\n"
    "exit: 0 merged (or already merged); 2 bad command line; 3 database;\n"
    "      4 a shard was refused (the shards before it stay merged)\n",
    run};
