/*
 * cmd_audit.c - `dangan audit verify|anchor`: the tamper-evident history
 * (audit/audit.h).  verify exits EXIT_TAMPERED when it finds anything, so a
 * cron job or a script can trust the exit code alone.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

static int verify(sqlite3 *db, int json, const char *anchor_text)
{
    audit_head anchor;
    dg_err err = {0};
    if (anchor_text && audit_anchor_parse(anchor_text, &anchor, &err)) {
        cli_error("audit", "%s", err.msg);
        return EXIT_USAGE;
    }
    audit_report r;
    int rc = audit_verify(db, anchor_text ? &anchor : NULL, &r, &err);
    if (rc) {
        cli_error("audit", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        audit_report_json(&r, &b);
        cli_print_json(&b);
    } else {
        for (size_t i = 0; i < r.n; i++)
            printf("TAMPERED %-7s %s\n", r.v[i].what, r.v[i].detail);
        printf("%s: %lld events, head %lld:%s, %lld archive rows compared%s\n",
               r.n ? "tampering found" : "intact", (long long)r.events, (long long)r.head.seq,
               r.head.hash, (long long)r.rows_checked,
               r.anchored ? (r.n ? "; anchor checked" : "; the anchor holds") : "");
    }
    int ex = r.n ? EXIT_TAMPERED : EXIT_OK;
    audit_report_release(&r);
    return ex;
}

static int anchor(sqlite3 *db, int json)
{
    audit_head h;
    dg_err err = {0};
    if (audit_head_read(db, &h, &err)) {
        cli_error("audit", "%s", err.msg);
        return EXIT_DB;
    }
    if (json)
        printf("{\"seq\":%lld,\"hash\":\"%s\",\"anchor\":\"%lld:%s\"}\n", (long long)h.seq,
               h.hash, (long long)h.seq, h.hash);
    else
        printf("%lld:%s\n", (long long)h.seq, h.hash);
    return EXIT_OK;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"anchor", required_argument, NULL, 'a'},
                                         {0, 0, 0, 0}};
    if (argc < 2) {
        cli_error("audit", "which one: verify or anchor? (see 'dangan help audit')");
        return EXIT_USAGE;
    }
    const char *sub = argv[1], *anchor_text = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'a')
            anchor_text = optarg;
        else
            return EXIT_USAGE;
    }
    if (cli_no_extra_args("audit", argc - 1, argv + 1))
        return EXIT_USAGE;
    int is_verify = strcmp(sub, "verify") == 0;
    if (!is_verify && strcmp(sub, "anchor") != 0) {
        cli_error("audit", "unknown audit command '%s' (see 'dangan help audit')", sub);
        return EXIT_USAGE;
    }
    if (anchor_text && !is_verify) {
        cli_error("audit", "--anchor applies to 'audit verify'");
        return EXIT_USAGE;
    }
    sqlite3 *db; /* read-only: an auditor verifies a copy on a read-only medium too */
    if (cli_open_db(ctx, CLI_DB_READ, &db))
        return EXIT_DB;
    int ex = is_verify ? verify(db, json, anchor_text) : anchor(db, json);
    db_close(&db);
    return ex;
}

const cli_command cmd_audit = {
    "audit", "verify the tamper-evident history of the archive, or print its anchor",
    "usage: dangan audit verify [--anchor SEQ:HASH] [--json]\n"
    "       dangan audit anchor [--json]\n"
    "\n"
    "Every event that changes or discloses the archive (ingest, stage runs, review\n"
    "decisions, loads, lookups, exports, provenance views) is a row of one\n"
    "append-only hash chain; see docs/audit.md.\n"
    "\n"
    "verify  walks the chain (names the first event edited, deleted or reordered,\n"
    "        with the hash expected and found), checks that the append-only\n"
    "        triggers are in place, and compares every person, study record,\n"
    "        review decision and access-log row with the newest event that\n"
    "        carries it (a value no event explains, a row deleted or added).\n"
    "        Exit 0 when intact, 7 when tampering was found.\n"
    "anchor  prints the chain's head as SEQ:HASH. Write it down or send it\n"
    "        elsewhere: 'verify --anchor SEQ:HASH' later proves that nothing up to\n"
    "        that event changed, even if the chain was rewritten consistently.\n"
    "\n"
    "  --anchor SEQ:HASH  also check the chain against an anchor taken earlier\n"
    "  --json             verify: {\"intact\",\"events\",\"head\":{\"seq\",\"hash\"},\n"
    "                     \"anchored\",\"rows_checked\",\"findings\":[{\"what\",\"seq\",\n"
    "                     \"detail\"}]}; anchor: {\"seq\",\"hash\",\"anchor\"}\n",
    run};
