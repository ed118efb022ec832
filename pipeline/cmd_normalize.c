/*
 * cmd_normalize.c - `dangan normalize [--redo]`: normalize the fields of
 * every extracted record and match its major against the target catalog.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

typedef struct normalize_call {
    arc_normalize_opts o;
    arc_normalize_summary sum;
} normalize_call;

static int normalize_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    normalize_call *c = arg;
    return arc_normalize(db, &c->o, progress, &c->sum, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"redo", no_argument, NULL, 'r'},
                                         {"catalog", required_argument, NULL, 'C'},
                                         {"review-conf", required_argument, NULL, 'R'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    normalize_call call = {0};
    arc_normalize_opts *o = &call.o;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': o->redo = 1; break;
        case 'C': o->catalog_dir = optarg; break;
        case 'R': o->review_conf = optarg; break;
        case 'j': json = 1; break;
        default: return EXIT_USAGE;
        }
    }
    if (cli_no_extra_args("normalize", argc, argv))
        return EXIT_USAGE;
    int rc = cli_run_stage(ctx, "normalize", CLI_DB_OPEN, normalize_stage, &call);
    if (rc)
        return rc;
    const arc_normalize_summary s = call.sum;
    if (json)
        printf("{\"run\":%lld,\"records\":%ld,\"fields\":%ld,\"auto\":%ld,\"review\":%ld,"
               "\"invalid\":%ld,\"missing\":%ld,\"kept\":%ld,\"match_auto\":%ld,"
               "\"match_review\":%ld,\"catalog_imported\":%s}\n",
               (long long)s.run_id, s.records, s.fields, s.auto_fields, s.review_fields,
               s.invalid_fields, s.missing_fields, s.kept_fields, s.match_auto, s.match_review,
               s.catalog_imported ? "true" : "false");
    else
        cli_info(ctx,
                 "normalize: %ld records, %ld fields: %ld auto, %ld review, %ld invalid, "
                 "%ld missing, %ld kept; majors: %ld matched automatically, %ld to review\n",
                 s.records, s.fields, s.auto_fields, s.review_fields, s.invalid_fields,
                 s.missing_fields, s.kept_fields, s.match_auto, s.match_review);
    return EXIT_OK;
}

const cli_command cmd_normalize = {
    "normalize", "normalize extracted fields and match majors to the 2022 catalog",
    "usage: dangan normalize [--redo] [--catalog DIR] [--review-conf FILE] [--json]\n"
    "\n"
    "For every record in state 'extracted', normalizes each field (names, dates,\n"
    "sex, ethnicity, political status, degree, duration, codes, text), checks the\n"
    "record's dates for plausibility, matches the major against the target\n"
    "discipline catalog (with operator mapping rules) and stores values, steps,\n"
    "candidates and states in one transaction per record. Fields end in state\n"
    "auto, review (implausible or low OCR confidence; field.flag says why),\n"
    "invalid (unparseable) or missing. Records already loaded are never touched.\n"
    "\n"
    "  --redo            normalize every record not yet loaded again; fields an\n"
    "                    operator verified or rejected are kept\n"
    "  --catalog DIR     catalog directory (default configs/disciplines)\n"
    "  --review-conf F   OCR confidence thresholds (default configs/review.conf)\n"
    "  --json            print the summary as JSON\n"
    "\n"
    "exit: 0 ok, 3 database, 4 cannot run (bad config or catalog)\n",
    run};
