/*
 * cmd_lookup.c - `dangan lookup`: answer an alumni request.  Parses the
 * criteria, runs arc_lookup_run (which also writes the access log) and
 * prints the ranked records with the reasons they matched.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* The value of an archived key (fieldkeys.h), "-" when not archived. */
static const char *fv(const arc_lookup_hit *h, const char *key)
{
    int k = dg_field_key_index(key);
    if (k >= 0 && h->withheld[k])
        return "(withheld)";
    return k >= 0 && h->fields[k] ? h->fields[k] : "-";
}

static void print_text(const arc_lookup_result *r)
{
    if (!r->n) {
        printf("no archived record matches\n");
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const arc_lookup_hit *h = &r->hits[i];
        printf("%zu. record %lld  score %d  %s  %s  born %s  %s %s\n", i + 1,
               (long long)h->record, h->score, fv(h, "name"), fv(h, "sex"), fv(h, "birth_date"),
               fv(h, "university"), fv(h, "department"));
        printf("   major %s (%s; 2022: %s %s)  enrolled %s  graduated %s  degree %s  "
               "certificate %s\n",
               fv(h, "major"), fv(h, "major_code"), fv(h, "current_code"), fv(h, "current_name"),
               fv(h, "enroll_date"), fv(h, "grad_date"), fv(h, "degree"), fv(h, "certificate_no"));
        printf("   why:");
        for (size_t j = 0; j < h->nwhy; j++)
            printf("%s %s", j ? ";" : "", h->why[j]);
        printf("\n");
    }
}

static int print_result(const arc_lookup_result *r, int json)
{
    if (!json) {
        print_text(r);
        return EXIT_OK;
    }
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = arc_lookup_json(r, &b);
    if (!rc)
        printf("%s\n", b.data);
    dg_buf_release(&b);
    if (rc)
        cli_error("lookup", "out of memory printing results");
    return rc ? EXIT_FAIL : EXIT_OK;
}

typedef struct lookup_opts {
    const char *audience, *requester, *purpose;
} lookup_opts;

static int parse(int argc, char **argv, arc_lookup_query *q, int *json, lookup_opts *lo)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},     {"born", required_argument, NULL, 'b'},
        {"graduated", required_argument, NULL, 'g'}, {"major", required_argument, NULL, 'm'},
        {"limit", required_argument, NULL, 'l'},    {"operator", required_argument, NULL, 'o'},
        {"wide", no_argument, NULL, 'w'},           {"json", no_argument, NULL, 'j'},
        {"audience", required_argument, NULL, 'a'}, {"for", required_argument, NULL, 'f'},
        {"purpose", required_argument, NULL, 'p'},  {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': q->name = optarg; break;
        case 'b': q->born = optarg; break;
        case 'g': q->graduated = optarg; break;
        case 'm': q->major = optarg; break;
        case 'o':
            if (cli_check_operator("lookup", optarg))
                return EXIT_USAGE;
            q->who = optarg;
            break;
        case 'w': q->wide = 1; break;
        case 'j': *json = 1; break;
        case 'a': lo->audience = optarg; break;
        case 'f': lo->requester = optarg; break;
        case 'p': lo->purpose = optarg; break;
        case 'l':
            q->limit = atoi(optarg);
            if (q->limit < 1 || q->limit > 10000) {
                cli_error("lookup", "--limit wants a number from 1 to 10000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        default: return EXIT_USAGE;
        }
    }
    /* A bare argument is the name: `dangan lookup 张三`. */
    if (optind < argc && !q->name)
        q->name = argv[optind++];
    if (optind < argc) {
        cli_error("lookup", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    arc_lookup_query q = {0};
    int json = 0, set = 0;
    lookup_opts lo = {0};
    arc_disclosure d;
    int code = parse(argc, argv, &q, &json, &lo);
    code = code ? code : cli_disclosure("lookup", lo.audience, lo.requester, lo.purpose, &d, &set);
    if (code)
        return code;
    q.disclose = set ? &d : NULL;
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    dg_err err = {0};
    arc_lookup *lk = NULL;
    arc_lookup_result r = {0};
    int rc = arc_lookup_new(db, NULL, &lk, &err);
    rc = rc ? rc : arc_lookup_run(lk, &q, &r, &err);
    if (rc) {
        cli_error("lookup", "%s", err.msg);
        code = cli_exit_for(rc);
    } else {
        code = print_result(&r, json);
    }
    /* a candidate a new look-alike class would find may be missing */
    int stale = 0;
    if (!rc && ctx->verbosity >= 0 && !arc_name_keys_stale(db, &stale, NULL) && stale)
        fprintf(stderr, "dangan lookup: note: the name tables (configs/normalize) changed since "
                        "the archive's search keys were made; 'dangan load' makes them again\n");
    arc_lookup_result_release(&r);
    arc_lookup_free(&lk);
    db_close(&db);
    return code;
}

const cli_command cmd_lookup = {
    "lookup", "find archived study records by name (any script, pinyin, misreads), dates, major",
    "usage: dangan lookup [--name N] [--born Y[-M]] [--graduated Y] [--major TEXT]\n"
    "                     [--limit K] [--wide] [--operator WHO] [--json]\n"
    "                     [--audience NAME] [--for REQUESTER --purpose TEXT] [NAME]\n"
    "\n"
    "Finds archived study records however the name is written: simplified or\n"
    "traditional (陳建國 finds 陈建国), pinyin with or without spaces, any case\n"
    "(\"Zhang San\", zhangsan), or a form an OCR misread put in the archive. Results\n"
    "are ranked and each says why it matched:\n"
    "  100 exact simplified name     70 same pinyin (homophones too)\n"
    "   50 look-alike (己/已: query/archive characters)\n"
    "   30 one character differs (only when nothing closer matches, or --wide)\n"
    "  +10 for each date or major that matches (+5: birth year only recorded).\n"
    "A record whose archived birth or graduation contradicts --born/--graduated is\n"
    "left out; one with no such date stays, marked \"not recorded\". --major is a\n"
    "ranking hint next to a name (historical name, 2022 name or code) and a\n"
    "filter without one.\n"
    "\n"
    "  --name N        the name (also accepted as a bare argument)\n"
    "  --born Y[-M]    year or year-month of birth\n"
    "  --graduated Y   year of graduation\n"
    "  --major TEXT    part of the major's historical or 2022 name, or its code\n"
    "  --limit K       at most K results (default 20)\n"
    "  --wide          also show one-character neighbours when closer matches exist\n"
    "  --operator WHO  who asks, for the access log (default: the OS user)\n"
    "  --audience NAME show only the fields configs/disclosure.conf lets NAME see\n"
    "                  (withheld ones are shown as (withheld), left out of --json)\n"
    "  --for R --purpose T  who the answer is for and why (audience 'outside'\n"
    "                  unless --audience says otherwise); both go to the access log\n"
    "  --json          {\"results\":[{\"record\",\"score\",\"why\",\"fields\"}]}\n"
    "\n"
    "Every lookup is written to the access log ('dangan log').\n"
    "exit: 0 ok (also when nothing matched), 2 usage, 3 database\n",
    run};
