/*
 * cmd_review.c - `dangan review list|show|accept|pick|correct|reject|undo`
 *
 * Thin front end over archive/review*.c: parses the sub-verb and options,
 * names the operator (an app user who logs in with --user, else --operator,
 * else the OS user), calls the library,
 * prints list and show, and maps its status to an exit code (6 when
 * someone else decided first).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "users.h"

typedef struct review_args {
    const char *sub, *reason, *crop, *source_crop, *operator_name, *why, *department;
    const char *user, *password_file; /* --user: an app user logs in (users.h) */
    int json, all, margin, as_is, year_from, year_to;
    int64_t version;
    int npos;
    char **pos;
} review_args;

static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* "1985" or "1982-1990", years 1900-2100, from <= to. */
static int parse_years(const char *s, int *from, int *to)
{
    char *end;
    long a = strtol(s, &end, 10), b = a;
    if (*end == '-')
        b = strtol(end + 1, &end, 10);
    if (*end || a < 1900 || b > 2100 || a > b)
        return -1;
    *from = (int)a;
    *to = (int)b;
    return 0;
}

static int parse(int argc, char **argv, review_args *a)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},           {"all", no_argument, NULL, 'a'},
        {"reason", required_argument, NULL, 'r'},   {"crop", required_argument, NULL, 'c'},
        {"margin", required_argument, NULL, 'm'},   {"operator", required_argument, NULL, 'o'},
        {"why", required_argument, NULL, 'w'},      {"version", required_argument, NULL, 'v'},
        {"as-is", no_argument, NULL, 's'},          {"years", required_argument, NULL, 'y'},
        {"department", required_argument, NULL, 'd'},
        {"source-crop", required_argument, NULL, 'S'}, {"user", required_argument, NULL, 'U'},
        {"password-file", required_argument, NULL, 'P'}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->margin = 20;
    a->version = -1;
    if (argc < 2) {
        cli_error("review", "which one: list, show, accept, pick, correct, reject or undo?");
        return EXIT_USAGE;
    }
    a->sub = argv[1];
    optind = 1;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j': a->json = 1; break;
        case 'a': a->all = 1; break;
        case 'r': a->reason = optarg; break;
        case 'c': a->crop = optarg; break;
        case 'S': a->source_crop = optarg; break;
        case 'o':
            if (cli_check_operator("review", optarg))
                return EXIT_USAGE;
            a->operator_name = optarg;
            break;
        case 'w': a->why = optarg; break;
        case 'U': a->user = optarg; break;
        case 'P': a->password_file = optarg; break;
        case 's': a->as_is = 1; break;
        case 'd': a->department = optarg; break;
        case 'y':
            if (parse_years(optarg, &a->year_from, &a->year_to)) {
                cli_error("review", "--years wants YEAR or FROM-TO (e.g. 1982-1990), not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case 'm':
            a->margin = atoi(optarg);
            if (a->margin < 0 || a->margin > 1000) {
                cli_error("review", "--margin wants 0 to 1000 pixels, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'v':
            if (parse_int64(optarg, &a->version)) {
                cli_error("review", "--version wants a number, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        default: return EXIT_USAGE;
        }
    }
    /* DANGAN_USER names the app user for scripts and shells that always
     * decide as one; --operator (free text) and an app user exclude each other */
    if (!a->user && !a->operator_name && getenv("DANGAN_USER") && *getenv("DANGAN_USER"))
        a->user = getenv("DANGAN_USER");
    if (!a->password_file && getenv("DANGAN_PASSWORD_FILE") && *getenv("DANGAN_PASSWORD_FILE"))
        a->password_file = getenv("DANGAN_PASSWORD_FILE");
    if (a->user && a->operator_name) {
        cli_error("review", "--user (or DANGAN_USER) and --operator exclude each other: the "
                            "app user is the operator");
        return EXIT_USAGE;
    }
    a->pos = argv + 1 + optind;
    a->npos = argc - 1 - optind;
    return EXIT_OK;
}

static int item_id(const review_args *a, int64_t *id)
{
    if (a->npos < 1 || parse_int64(a->pos[0], id)) {
        cli_error("review", "%s wants a review item id%s%s", a->sub, a->npos ? ", not " : "",
                  a->npos ? a->pos[0] : "");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int want_args(const review_args *a, int n, const char *what)
{
    if (a->npos == n)
        return EXIT_OK;
    cli_error("review", "usage: dangan review %s %s", a->sub, what);
    return EXIT_USAGE;
}

/* ---- printing list and show ------------------------------------------------------ */

static void print_rows(const arc_review_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        const arc_review_row *r = &rows->v[i];
        char rec[24] = "";
        if (r->record)
            snprintf(rec, sizeof rec, "%lld", (long long)r->record);
        printf("%-6lld %-8s %-9s %-16s rec %-6s %-14s ", (long long)r->id, r->kind, r->state,
               r->reason, rec, r->key);
        if (r->has_p)
            printf("p %.2f ", r->p);
        printf("%s", r->raw);
        if (strcmp(r->raw, r->value) != 0)
            printf(" -> %s", r->value);
        if (*r->detail)
            printf("  [%s]", r->detail);
        putchar('\n');
    }
    printf("%zu item%s\n", rows->n, rows->n == 1 ? "" : "s");
}

static void print_head(const arc_review_view *v)
{
    printf("review item %lld: %s, %s (%s, version %d)\n", (long long)v->id, v->kind, v->reason,
           v->state, v->version);
    if (*v->detail)
        printf("  detail:   %s\n", v->detail);
    if (v->study)
        printf("  study:    %lld (the archived study this record would join)\n"
               "  decide:   accept or pick 1: same person, the archived value stands; pick 2: "
               "same person, this record's value is amended into the archive; reject: "
               "different people\n",
               (long long)v->study);
    if (v->has_field) {
        printf("  record:   %lld  field: %s\n", (long long)v->record, v->key);
        printf("  raw:      %s\n  value:    %s\n  state:    %s (confidence min %.0f, "
               "mean %.0f)\n  rule:     %s\n",
               v->raw, v->value, v->field_state, v->conf_min, v->conf_mean, v->rule);
        if (v->has_p)
            printf("  p:        %.2f (probability the value is right)\n", v->p);
        if (v->match_decision)
            printf("  match:    %s %s %s\n", v->match_decision, v->match_code, v->match_name);
    }
    if (v->file)
        printf("  file:     %s\n  sha256:   %s\n  page:     %d (page id %lld)\n", v->file,
               v->sha256, v->page, (long long)v->page_id);
    if (v->has_field)
        printf("  box:      x=%d y=%d w=%d h=%d (original page pixels)\n", v->x, v->y, v->w,
               v->h);
    if (v->source) /* the same graduate's other card or ledger: look at both */
        printf("  other source: %s\n", v->source);
}

/* What the readers read, numbered for `review pick ID N`: the weighed
 * candidates with their p, else each reader's text with its confidence. */
static void print_alts(const arc_review_view *v)
{
    if (!v->nalts)
        return;
    printf("  candidates (pick N)%s:\n",
           v->alts_from_readings ? ", as read (not weighed: each reader's confidence)" : "");
    for (size_t i = 0; i < v->nalts; i++) {
        const arc_review_alt *a = &v->alts[i];
        if (v->alts_from_readings)
            printf("    %d  %s  %s\n", a->rank, a->value, a->readers);
        else
            printf("    %d  %s  p %.2f  %s%s\n", a->rank, a->value, a->p, a->readers,
                   a->chosen ? "  (current value)" : "");
    }
}

static void print_view(const arc_review_view *v)
{
    print_head(v);
    if (v->nsteps)
        printf("  steps:\n");
    for (size_t i = 0; i < v->nsteps; i++)
        printf("    %s: '%s' -> '%s'\n", v->steps[i].rule, v->steps[i].before,
               v->steps[i].after);
    print_alts(v);
    if (v->ncandidates)
        printf("  candidates (pick N):\n");
    for (size_t i = 0; i < v->ncandidates; i++) {
        const arc_review_candidate *c = &v->candidates[i];
        printf("    %d  %s %s  score %.3f\n       path: %s\n       evidence: %s\n", c->rank,
               c->code, c->name, c->score, c->path, c->evidence);
    }
    if (v->ndecisions)
        printf("  decisions:\n");
    for (size_t i = 0; i < v->ndecisions; i++) {
        const arc_review_decision *d = &v->decisions[i];
        printf("    #%lld %s by %s at %s: %s '%s' -> %s '%s'", (long long)d->id, d->verb,
               d->operator_name, d->decided, d->before_state, d->before_value, d->after_state,
               d->after_value);
        if (d->undoes)
            printf(" (undoes #%lld)", (long long)d->undoes);
        if (*d->note)
            printf(" why: %s", d->note);
        putchar('\n');
    }
}

static int do_list(sqlite3 *db, const review_args *a, dg_err *err)
{
    if (a->npos) {
        cli_error("review", "unexpected argument '%s'", a->pos[0]);
        return DG_EUSAGE;
    }
    int rc = arc_review_refresh(db, err);
    if (rc)
        return rc;
    if (a->json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        if ((rc = arc_review_list_json(db, a->reason, a->all, &b, err)))
            dg_buf_release(&b);
        else
            cli_print_json(&b);
        return rc;
    }
    arc_review_rows rows;
    if ((rc = arc_review_list(db, a->reason, a->all, &rows, err)))
        return rc;
    print_rows(&rows);
    arc_review_rows_release(&rows);
    return DG_OK;
}

/* An item shows personal data as read: the view goes to the access log
 * (and the audit chain) before it is printed. */
static int log_show(sqlite3 *db, const review_args *a, int64_t id, dg_err *err)
{
    char query[64];
    snprintf(query, sizeof query, "{\"item\":%lld}", (long long)id);
    return arc_access_log(db, a->operator_name, "review", query, "[]", err);
}

static int do_show(sqlite3 *db, const review_args *a, dg_err *err)
{
    int64_t id;
    if (item_id(a, &id) || want_args(a, 1, "ID [--json] [--crop FILE.png]"))
        return DG_EUSAGE;
    int rc;
    if (a->json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        rc = arc_review_show_json(db, id, &b, err);
        rc = rc ? rc : log_show(db, a, id, err);
        if (rc)
            dg_buf_release(&b);
        else
            cli_print_json(&b);
    } else {
        arc_review_view v;
        if ((rc = arc_review_show(db, id, &v, err)) == DG_OK) {
            rc = log_show(db, a, id, err);
            if (rc == DG_OK)
                print_view(&v);
            arc_review_view_release(&v);
        }
    }
    if (rc == DG_OK && a->crop) {
        rc = arc_review_crop(db, id, a->margin, a->crop, err);
        if (rc == DG_OK)
            fprintf(stderr, "crop written to %s\n", a->crop);
    }
    if (rc == DG_OK && a->source_crop) {
        rc = arc_review_source_crop(db, id, a->margin, a->source_crop, err);
        if (rc == DG_OK)
            fprintf(stderr, "other source's crop written to %s\n", a->source_crop);
    }
    return rc;
}

/* Once a workspace has app users, a decision is made by one of them
 * (issue #22: nobody decides without a role that allows it); free-text
 * --operator and the OS user name decisions only where there are none. */
static int users_enabled(sqlite3 *db, int *any, dg_err *err)
{
    arc_users u = {0};
    *any = 0;
    if (arc_user_list(db, &u, err))
        return DG_EDB;
    for (size_t i = 0; i < u.n; i++)
        *any |= !u.v[i].disabled;
    arc_users_release(&u);
    return DG_OK;
}

static int do_decide(sqlite3 *db, const review_args *a, dg_err *err)
{
    int64_t id, cand = 0, decision = 0;
    char me[128];
    int is_pick = strcmp(a->sub, "pick") == 0, is_correct = strcmp(a->sub, "correct") == 0;
    if (item_id(a, &id))
        return DG_EUSAGE;
    if (want_args(a, is_pick || is_correct ? 2 : 1,
                  is_pick ? "ID N" : is_correct ? "ID VALUE" : "ID"))
        return DG_EUSAGE;
    if (a->as_is && !is_correct) {
        cli_error("review", "--as-is only applies to 'correct'");
        return DG_EUSAGE;
    }
    if ((a->year_from || a->department) && !is_pick && !is_correct &&
        strcmp(a->sub, "accept") != 0) {
        cli_error("review", "--years and --department limit the mapping rule of a match "
                            "decision (accept, pick, correct)");
        return DG_EUSAGE;
    }
    if (is_pick && (parse_int64(a->pos[1], &cand) || cand < 1 || cand > 1000)) {
        cli_error("review", "pick wants a candidate number, not '%s'", a->pos[1]);
        return DG_EUSAGE;
    }
    if (a->user) {
        int code = cli_app_login("review", db, a->user, a->password_file, ARC_PERM_REVIEW_DECIDE,
                                 "decide review items", me, sizeof me);
        if (code)
            return code == EXIT_DB ? DG_EDB : DG_EUSAGE;
    } else {
        int any = 0;
        if (users_enabled(db, &any, err))
            return DG_EDB;
        if (any) {
            cli_error("review", "this workspace has app users ('dangan user list'): decide as "
                                "one with --user NAME (or $DANGAN_USER); --operator and the OS "
                                "user name decisions only in a workspace without users");
            return DG_EUSAGE;
        }
        arc_os_user(me, sizeof me);
    }
    arc_review_req req = {a->sub, a->operator_name && !a->user ? a->operator_name : me, (int)cand,
                          is_correct ? a->pos[1] : NULL, a->why, a->version, a->as_is,
                          a->year_from, a->year_to, a->department};
    int rc = arc_review_decide(db, id, &req, &decision, err);
    if (rc == DG_OK)
        printf("review item %lld: %s by %s (decision #%lld)\n", (long long)id, a->sub,
               req.operator_name, (long long)decision);
    /* A decision on a loaded record changed the archive: say what. */
    arc_lines amended = {0};
    if (rc == DG_OK && arc_amend_of_decision(db, decision, &amended, NULL) == DG_OK)
        for (size_t i = 0; i < amended.n; i++)
            printf("  archive amended: %s\n", amended.v[i]);
    arc_lines_release(&amended);
    return rc;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    review_args a;
    int ex = parse(argc, argv, &a);
    if (ex)
        return ex;
    int (*fn)(sqlite3 *, const review_args *, dg_err *) = NULL;
    if (strcmp(a.sub, "list") == 0)
        fn = do_list;
    else if (strcmp(a.sub, "show") == 0)
        fn = do_show;
    else if (strcmp(a.sub, "accept") == 0 || strcmp(a.sub, "pick") == 0 ||
             strcmp(a.sub, "correct") == 0 || strcmp(a.sub, "reject") == 0 ||
             strcmp(a.sub, "undo") == 0)
        fn = do_decide;
    if (!fn) {
        cli_error("review", "unknown review command '%s' (see 'dangan help review')", a.sub);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    dg_err err = {0};
    int rc = fn(db, &a, &err);
    db_close(&db);
    if (rc && err.msg[0])
        cli_error("review", "%s", err.msg);
    return cli_exit_for(rc);
}

const cli_command cmd_review = {
    "review", "work the review queue: list, show, accept, pick, correct, reject, undo",
    "usage: dangan review list [--reason R] [--all] [--json]\n"
    "       dangan review show ID [--json] [--crop FILE.png] [--source-crop FILE.png]\n"
    "                             [--margin PX]\n"
    "       dangan review accept ID        [--user NAME [--password-file F] |\n"
    "                                       --operator NAME] [--version V]\n"
    "       dangan review pick ID N        (candidate N of a match or field item)\n"
    "                 [--years FROM-TO] [--department D]  (limit the mapping rule)\n"
    "       dangan review correct ID VALUE [--as-is] (a match item: a 2022 code)\n"
    "       dangan review reject ID --why TEXT\n"
    "       dangan review undo ID          (the latest decision not yet undone)\n"
    "\n"
    "The queue holds fields normalization could not settle, majors without an\n"
    "automatic discipline match, pages of unknown form and conflicts between two\n"
    "sources of the same person found by 'dangan load'. Every decision is kept\n"
    "with its operator, time and the value before and after. The operator is\n"
    "the app user of --user NAME (or of $DANGAN_USER), who logs in as in the\n"
    "browser and must have a role that decides (operator, admin); in a\n"
    "workspace without app users, the free-text --operator NAME, else the OS\n"
    "user. pick/correct on a match also store a mapping rule: the other open\n"
    "match items whose major reads the same are settled at once (each with its own\n"
    "decision, noted 'settled by mapping rule N'), and later records with that name\n"
    "map automatically. undo of the pick deactivates the rule; items it settled\n"
    "keep their decisions until each is undone.\n"
    "\n"
    "correct on a field normalizes VALUE the way 'dangan normalize' does for that\n"
    "field (a date '1960.11' is stored as 1960-11, 張三 as 张三) and keeps what was\n"
    "typed and each step in the field's provenance. A value the normalizer would\n"
    "flag (month 13, unknown sex, a major code of 5 digits) is refused with exit 2.\n"
    "undo restores the value and state and drops the correction's steps.\n"
    "\n"
    "show on a field item lists what the readers read (OCR and a second\n"
    "recognizer), numbered, with the probability each is right; pick ID N stores\n"
    "candidate N's value as 'correct ID VALUE' would (recorded as a pick).  When\n"
    "the same graduate is on another card or ledger, show also lists what that\n"
    "source reads and where (source_conflict: the two disagree).\n"
    "\n"
    "A conflict is decided with accept or pick 1 (same person, the archived value\n"
    "stands), pick 2 (same person, this record's value replaces the archived one)\n"
    "or reject (different people). A decision on a record already loaded amends\n"
    "the archive (a new version, the old one kept; see 'dangan amend'), or is\n"
    "refused with exit 2 where it cannot (rejecting a loaded name); such\n"
    "decisions cannot be undone.\n"
    "\n"
    "  --reason R     only items whose reason, kind or detail start is R\n"
    "  --all          list decided items too\n"
    "  --crop FILE    write the item's box from the original scan as PNG\n"
    "  --source-crop FILE  the same box of the graduate's other source (the card\n"
    "                 or ledger the value was compared with: 'other source:')\n"
    "  --margin PX    pixels around the box in the crop (default 20)\n"
    "  --version V    refuse unless the item is still at version V (as shown)\n"
    "  --user NAME    decide as app user NAME ('dangan user'); the password is the\n"
    "                 first line of --password-file F (or $DANGAN_PASSWORD_FILE),\n"
    "                 else asked on the terminal, else the first line of stdin.\n"
    "                 A wrong password counts towards the lockout (exit 2)\n"
    "  --as-is        correct: store VALUE exactly as typed, not normalized (for a\n"
    "                 value the normalizer cannot read but the record really says)\n"
    "\n"
    "exit: 0 ok, 2 usage (or the verb does not apply to the item; or --user's\n"
    "login failed, is locked or lacks the role), 3 database,\n"
    "4 failed, 5 no such item, 6 someone else decided the item first\n",
    run};
