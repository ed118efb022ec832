/*
 * cmd_lookup.c - `dangan lookup`: answer an alumni request.  Parses the
 * criteria, runs arc_lookup_run (which also writes the access log) and
 * prints the ranked records with the reasons they matched; --batch runs one
 * request per line of a CSV file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* The value of an archived key (fieldkeys.h), "-" when not archived. */
static const char *fv(const arc_lookup_hit *h, const char *key)
{
    int k = dg_field_key_index(key);
    if (k >= 0 && h->withheld[k])
        return "(withheld)";
    return k >= 0 && h->fields[k] ? h->fields[k] : "-";
}

static void print_text(const arc_lookup_query *q, const arc_lookup_result *r)
{
    if (!r->n) {
        printf("no archived record matches%s%s\n", q->name ? " " : "", q->name ? q->name : "");
        return;
    }
    /* A near name is not the person asked about: say so before listing. */
    if (q->name && !r->exact)
        printf("no archived %s; nearest:\n", q->name);
    /* pinyin that matched, but as well as it would match someone not archived */
    if (q->name && !r->exact && r->as_asked > 0)
        printf("(the pinyin matches, but only %.0f%% likely the person asked about: people not "
               "archived read the same; --born, --graduated or --major decide)\n",
               100 * r->as_asked);
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

static int print_result(const arc_lookup_query *q, const arc_lookup_result *r, int json)
{
    if (!json) {
        print_text(q, r);
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
    const char *batch; /* --batch FILE.csv */
} lookup_opts;

static int parse(int argc, char **argv, arc_lookup_query *q, int *json, lookup_opts *lo)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},     {"born", required_argument, NULL, 'b'},
        {"graduated", required_argument, NULL, 'g'}, {"major", required_argument, NULL, 'm'},
        {"limit", required_argument, NULL, 'l'},    {"operator", required_argument, NULL, 'o'},
        {"wide", no_argument, NULL, 'w'},           {"json", no_argument, NULL, 'j'},
        {"audience", required_argument, NULL, 'a'}, {"for", required_argument, NULL, 'f'},
        {"purpose", required_argument, NULL, 'p'},  {"batch", required_argument, NULL, 'B'},
        {0, 0, 0, 0}};
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
        case 'B': lo->batch = optarg; break;
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
    if (lo->batch && (q->name || q->born || q->graduated || q->major)) {
        cli_error("lookup", "--batch takes the criteria from its file, not the command line");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* ---- --batch requests.csv -------------------------------------------------------- */

/* Split one CSV line (RFC 4180 quoting, no newlines inside quotes) in place
 * into at most max fields; returns how many. */
static int csv_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *w = p, *start = p;
        if (*p == '"') {
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != ',')
                p++;
        } else {
            while (*p && *p != ',')
                w++, p++;
        }
        int last = *p != ',';
        *w = '\0';
        /* trim spaces a spreadsheet may leave */
        while (*start == ' ')
            start++;
        for (char *e = start + strlen(start); e > start && e[-1] == ' '; e--)
            e[-1] = '\0';
        f[n++] = start;
        if (last)
            break;
        p++;
    }
    return n;
}

/* One block per request: name,born,graduated,major (a header line starting
 * with "name" is skipped; empty cells are no criterion). */
static int run_batch(arc_lookup *lk, const arc_lookup_query *base, const char *path, int json)
{
    unsigned char *data;
    size_t len;
    dg_err err = {0};
    if (dg_read_file(path, 16u << 20, &data, &len, &err)) {
        cli_error("lookup", "%s", err.msg);
        return EXIT_USAGE;
    }
    char *text = realloc(data, len + 1);
    if (!text) {
        free(data);
        cli_error("lookup", "out of memory");
        return EXIT_FAIL;
    }
    text[len] = '\0';
    int code = EXIT_OK, request = 0, lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        if (lineno == 1 && l >= 3 && (unsigned char)line[0] == 0xEF &&
            (unsigned char)line[1] == 0xBB && (unsigned char)line[2] == 0xBF)
            line += 3; /* a spreadsheet's BOM */
        char *f[4] = {0};
        int n = csv_fields(line, f, 4);
        if (n == 0 || (n == 1 && !*f[0]))
            continue;
        if (lineno == 1 && strcasecmp(f[0], "name") == 0)
            continue;
        request++;
        arc_lookup_query q = *base;
        q.name = n > 0 && *f[0] ? f[0] : NULL;
        q.born = n > 1 && *f[1] ? f[1] : NULL;
        q.graduated = n > 2 && *f[2] ? f[2] : NULL;
        q.major = n > 3 && *f[3] ? f[3] : NULL;
        arc_lookup_result r = {0};
        int rc = arc_lookup_run(lk, &q, &r, &err);
        if (!json)
            printf("%s== request %d (line %d): %s%s%s%s%s%s%s\n", request > 1 ? "\n" : "",
                   request, lineno, q.name ? q.name : "", q.born ? " born " : "",
                   q.born ? q.born : "", q.graduated ? " graduated " : "",
                   q.graduated ? q.graduated : "", q.major ? " major " : "",
                   q.major ? q.major : "");
        if (rc) {
            /* one bad request does not stop the others */
            if (json) {
                dg_buf b;
                dg_buf_init(&b, 0);
                dg_buf_addf(&b, "{\"request\":%d,\"line\":%d,\"error\":", request, lineno);
                dg_buf_json_str(&b, err.msg);
                dg_buf_addc(&b, '}');
                cli_print_json(&b);
            } else {
                printf("error: %s\n", err.msg);
            }
            code = EXIT_PARTIAL;
            continue;
        }
        if (json) {
            dg_buf b;
            dg_buf_init(&b, 0);
            dg_buf_addf(&b, "{\"request\":%d,\"line\":%d,\"name\":", request, lineno);
            dg_buf_json_str(&b, q.name);
            dg_buf_addc(&b, ',');
            /* the lookup's own object, without its opening brace */
            dg_buf one;
            dg_buf_init(&one, 0);
            if (!arc_lookup_json(&r, &one))
                dg_buf_adds(&b, one.data + 1);
            dg_buf_release(&one);
            cli_print_json(&b);
        } else {
            print_text(&q, &r);
        }
        arc_lookup_result_release(&r);
    }
    free(text);
    return code;
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
    if (!rc && lo.batch) {
        code = run_batch(lk, &q, lo.batch, json);
        arc_lookup_free(&lk);
        db_close(&db);
        return code;
    }
    rc = rc ? rc : arc_lookup_run(lk, &q, &r, &err);
    if (rc) {
        cli_error("lookup", "%s", err.msg);
        code = cli_exit_for(rc);
    } else {
        code = print_result(&q, &r, json);
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
    "       dangan lookup --batch requests.csv [options above but the criteria]\n"
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
    "  --json          {\"results\":[{\"record\",\"score\",\"why\",\"fields\"}],\n"
    "                  \"as_asked\":P,\"exact\":B}\n"
    "  --batch FILE    one request a line: name,born,graduated,major (CSV; a\n"
    "                  header line 'name,...' is skipped, empty cells are no\n"
    "                  criterion); one result block per request (--json: one\n"
    "                  object a line with request and line numbers); exit 1\n"
    "                  when a request was malformed (the others still run)\n"
    "\n"
    "When no archived name is the one asked (the name itself, or its pinyin as\n"
    "typed, in either order), the answer starts 'no archived NAME; nearest:' and the nearest\n"
    "follow. Pinyin has no tones: a sound many people share (wang wei) counts as\n"
    "the name asked only when the dates or major make a namesake who is not\n"
    "archived unlikely (as_asked >= 0.95 in --json; docs/lookup.md). Pinyin is\n"
    "also tried in every other order (\"Xiaofan Duanmu\"), and one misread\n"
    "character is looked for at any position.\n"
    "\n"
    "Every lookup is written to the access log ('dangan log').\n"
    "exit: 0 ok (also when nothing matched), 2 usage, 3 database\n",
    run};
