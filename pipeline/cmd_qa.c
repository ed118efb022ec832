/*
 * cmd_qa.c - `dangan qa sample|report`: the archival acceptance check.
 *
 * Thin front end over archive/qa.c: parses the sub-verb and options, calls
 * arc_qa_sample or arc_qa_report_read, prints the result (or its JSON), and
 * exits 1 from report when some batch is above the target error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SAMPLE_USAGE \
    "qa sample draws a random share R (0 < R <= 1) of the auto-verified values\n" \
    "of each batch (fields in state 'auto': values no person looked at, of loaded\n" \
    "records too) not sampled before: ceil(R x their number), at least one where\n" \
    "there are any.\n" \
    "Each is recorded as a QA sample and sent to the review queue as a field item\n" \
    "with reason 'qa' (dangan review list --reason qa). Settle them as usual:\n" \
    "'review accept N' when the value is right, 'review correct N VALUE' or\n" \
    "'review reject N --why TEXT' when it is wrong.\n" \
    "\n" \
    "The same seed on the same workspace draws the same values; without --seed one\n" \
    "is taken from the OS, printed and recorded with the run. Two draws at once\n" \
    "never sample a value twice.\n" \
    "\n" \
    "  --rate R       the share to draw, e.g. 0.05\n" \
    "  --batch B      only batch B (an ingest call; default: every batch)\n" \
    "  --seed S       a whole number 0 to 2^53-1\n" \
    "  --operator N   who draws (default: the OS user)\n" \
    "  --json         {seed, rate, run, drawn, batches: [{batch, unsampled,\n" \
    "                 before, drawn}]}\n" \
    "\n" \
    "exit: 0 done, 2 usage, 3 database, 5 no such batch\n"

#define REPORT_USAGE \
    "qa report shows per batch: values auto-verified (in state 'auto', or drawn\n" \
    "while they were), sampled, settled, found wrong (rejected, or corrected to\n" \
    "another value), the error rate and its 95% Wilson score interval, against the\n" \
    "target error for auto-verified values (target_error in configs/qa.conf,\n" \
    "default 0.005). A batch is 'above target' (flagged) when the interval's\n" \
    "lower bound exceeds the target, 'suspect' when the estimate does, 'too few\n" \
    "settled to say' while the interval still reaches over it, else 'within\n" \
    "target'.\n" \
    "\n" \
    "  --batch B      only batch B\n" \
    "  --json         {target_error, confidence, flagged, suspect, batches:\n" \
    "                 [{batch, auto_verified, sampled, settled, wrong, error_rate,\n" \
    "                 wilson: [lo, hi], verdict, needed, archived_wrong}]}\n" \
    "\n" \
    "exit: 0 done, 1 done but some batch is above target, 2 usage, 3 database,\n" \
    "5 no such batch\n"

typedef struct qa_args {
    const char *sub, *operator_name;
    double rate;
    int has_rate, has_seed, json;
    int64_t batch;
    uint64_t seed;
} qa_args;

static int bad(const char *what, const char *arg)
{
    cli_error("qa", "%s, not '%s'", what, arg);
    return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *s == '-' || *end || errno || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_opt(qa_args *a, int c, const char *arg)
{
    uint64_t v;
    char *end;
    switch (c) {
    case 'j': a->json = 1; return EXIT_OK;
    case 'o': a->operator_name = arg; return cli_check_operator("qa", arg);
    case 'b':
        if (parse_u64(arg, INT64_MAX, &v) || v == 0)
            return bad("--batch wants a batch id (1, 2, ...)", arg);
        a->batch = (int64_t)v;
        return EXIT_OK;
    case 's':
        if (parse_u64(arg, ARC_QA_MAX_SEED, &a->seed))
            return bad("--seed wants a whole number from 0 to 9007199254740991", arg);
        a->has_seed = 1;
        return EXIT_OK;
    case 'r':
        errno = 0;
        a->rate = strtod(arg, &end);
        if (errno || end == arg || *end || !(a->rate > 0 && a->rate <= 1))
            return bad("--rate wants a share above 0 and at most 1 (e.g. 0.05)", arg);
        a->has_rate = 1;
        return EXIT_OK;
    default: return EXIT_USAGE;
    }
}

static int parse(int argc, char **argv, qa_args *a)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},         {"rate", required_argument, NULL, 'r'},
        {"batch", required_argument, NULL, 'b'},  {"seed", required_argument, NULL, 's'},
        {"operator", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    if (argc < 2) {
        cli_error("qa", "which one: sample or report? (see 'dangan help qa')");
        return EXIT_USAGE;
    }
    a->sub = argv[1];
    if (strcmp(a->sub, "sample") != 0 && strcmp(a->sub, "report") != 0) {
        cli_error("qa", "unknown qa command '%s' (see 'dangan help qa')", a->sub);
        return EXIT_USAGE;
    }
    optind = 1;
    int c, ex;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1)
        if ((ex = parse_opt(a, c, optarg)))
            return ex;
    if (cli_no_extra_args("qa", argc - 1, argv + 1))
        return EXIT_USAGE;
    int is_sample = strcmp(a->sub, "sample") == 0;
    if (is_sample && !a->has_rate) {
        cli_error("qa", "sample needs --rate R (e.g. --rate 0.05)");
        return EXIT_USAGE;
    }
    if (!is_sample && (a->has_rate || a->has_seed || a->operator_name)) {
        cli_error("qa", "--rate, --seed and --operator apply to 'qa sample', not 'qa report'");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* ---- sample -------------------------------------------------------------------- */

static void print_draw(const arc_qa_draw *d)
{
    printf("qa sample: rate %g, seed %llu (run %lld)\n", d->rate, (unsigned long long)d->seed,
           (long long)d->run_id);
    for (size_t i = 0; i < d->n; i++) {
        const arc_qa_batch_draw *b = &d->v[i];
        printf("  batch %lld: %ld drawn of %ld auto-verified values not sampled before",
               (long long)b->batch, b->drawn, b->unsampled);
        if (b->before)
            printf(" (%ld sampled earlier)", b->before);
        putchar('\n');
    }
    printf("%ld value%s sent to review (dangan review list --reason qa)\n", d->drawn,
           d->drawn == 1 ? "" : "s");
}

static int do_sample(sqlite3 *db, const qa_args *a, dg_err *err)
{
    arc_qa_opts o = {a->rate, a->batch, a->seed, a->has_seed, a->operator_name};
    arc_qa_draw d;
    int rc = arc_qa_sample(db, &o, &d, err);
    if (rc)
        return rc;
    if (a->json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        arc_qa_draw_json(&d, &b);
        cli_print_json(&b);
    } else {
        print_draw(&d);
    }
    arc_qa_draw_release(&d);
    return DG_OK;
}

/* ---- report -------------------------------------------------------------------- */

static void print_batch(const arc_qa_batch *b)
{
    printf("%-6lld %7ld %8ld %8ld %6ld", (long long)b->batch, b->auto_verified, b->sampled,
           b->settled, b->wrong);
    if (b->settled)
        printf(" %7.2f%%  %6.2f%% - %6.2f%%  ", 100 * b->error_rate, 100 * b->lower,
               100 * b->upper);
    else
        printf(" %8s  %18s  ", "-", "-");
    printf("%s%s\n", arc_qa_verdict_name(b->verdict),
           b->verdict == ARC_QA_ABOVE ? " (FLAGGED)" : "");
}

static void print_notes(const arc_qa_batch *b)
{
    if (b->verdict == ARC_QA_TOO_FEW && b->needed)
        printf("  batch %lld: about %ld settled samples with no further error would put "
               "the interval under the target\n",
               (long long)b->batch, b->needed);
    if (b->sampled > b->settled)
        printf("  batch %lld: %ld sample%s not settled yet (dangan review list --reason qa)\n",
               (long long)b->batch, b->sampled - b->settled,
               b->sampled - b->settled == 1 ? "" : "s");
    if (b->archived_wrong)
        printf("  batch %lld: %ld wrong value%s of loaded records still as loaded in the "
               "archive (see dangan provenance)\n",
               (long long)b->batch, b->archived_wrong, b->archived_wrong == 1 ? "" : "s");
}

static void print_report(const arc_qa_report *r)
{
    printf("QA of auto-verified values: target error %g%%, 95%% Wilson score interval\n",
           100 * r->target_error);
    printf("%-6s %7s %8s %8s %6s %8s  %18s  %s\n", "batch", "auto", "sampled", "settled",
           "wrong", "error", "95% interval", "verdict");
    for (size_t i = 0; i < r->n; i++)
        print_batch(&r->v[i]);
    for (size_t i = 0; i < r->n; i++)
        print_notes(&r->v[i]);
    printf("%ld batch%s above target, %ld suspect\n", r->flagged, r->flagged == 1 ? "" : "es",
           r->suspect);
}

static int do_report(sqlite3 *db, const qa_args *a, int *flagged, dg_err *err)
{
    arc_qa_report r;
    int rc = arc_qa_report_read(db, a->batch, NULL, &r, err);
    if (rc)
        return rc;
    if (a->json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        arc_qa_report_json(&r, &b);
        cli_print_json(&b);
    } else {
        print_report(&r);
    }
    *flagged = r.flagged > 0;
    arc_qa_report_release(&r);
    return DG_OK;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    qa_args a;
    int ex = parse(argc, argv, &a);
    if (ex)
        return ex;
    sqlite3 *db; /* a report only reads: it works on a read-only copy too */
    if (cli_open_db(ctx, strcmp(a.sub, "sample") == 0 ? CLI_DB_OPEN : CLI_DB_READ, &db))
        return EXIT_DB;
    dg_err err = {0};
    int flagged = 0;
    int rc = strcmp(a.sub, "sample") == 0 ? do_sample(db, &a, &err)
                                          : do_report(db, &a, &flagged, &err);
    db_close(&db);
    if (rc && err.msg[0])
        cli_error("qa", "%s", err.msg);
    if (rc == DG_EINPUT)
        return EXIT_FAIL; /* a bad configs/qa.conf: named in the message */
    return rc ? cli_exit_for(rc) : flagged ? EXIT_PARTIAL : EXIT_OK;
}

/* `dangan qa --help` (and `qa sample --help`, `qa report --help`) shows all of it. */
const cli_command cmd_qa = {
    "qa", "the acceptance check: sample auto-verified values for review, report error rates",
    "usage: dangan qa sample --rate R [--batch B] [--seed S] [--operator NAME] [--json]\n"
    "       dangan qa report [--batch B] [--json]\n"
    "\n"
    "The archival acceptance check (抽检) of the values no person looked at (fields\n"
    "in state 'auto'). 'sample' sends a random share of each batch to the review\n"
    "queue (reason 'qa'); the operator settles them with 'dangan review accept'\n"
    "(right) or 'review correct' / 'review reject' (wrong). 'report' estimates each\n"
    "batch's error rate with a 95% Wilson score interval and flags the batches\n"
    "above the target error (configs/qa.conf); 'dangan status' names them.\n"
    "\n" SAMPLE_USAGE "\n" REPORT_USAGE
    "\n"
    "A bad configs/qa.conf line is exit 4, naming the file and line.\n",
    run};
