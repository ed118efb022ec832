/*
 * cmd_provenance.c - `dangan provenance STUDY [FIELD] [--crop FILE.png] [--json]`
 *
 * Showing archived values is an access: it goes to the access log first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int log_access(sqlite3 *db, long long study, const char *key, dg_err *err)
{
    dg_buf q;
    char shown[48];
    dg_buf_init(&q, 4096);
    dg_buf_addf(&q, "{\"study\":%lld,\"field\":", study);
    dg_buf_json_str(&q, key);
    dg_buf_addc(&q, '}');
    snprintf(shown, sizeof shown, "[%lld]", study);
    int rc = arc_access_log(db, NULL, "provenance", q.data, shown, err);
    dg_buf_release(&q);
    return rc;
}

static void print_lines(const char *title, const arc_lines *l)
{
    if (l->n)
        printf("    %s:\n", title);
    for (size_t i = 0; i < l->n; i++)
        printf("      %s\n", l->v[i]);
}

static void print_value(const arc_prov_value *v)
{
    printf("%s = %s\n", v->key, v->value);
    printf("    file:    %s sha256 %s\n", v->file, v->sha256);
    if (v->scan_problem)
        printf("    SCAN CHANGED OR MISSING: %s\n", v->scan_problem);
    printf("    page:    %d  box x=%d y=%d w=%d h=%d\n", v->page, v->x, v->y, v->w, v->h);
    printf("    record:  %lld (%s%s%s)  field %lld, template rule %s\n", (long long)v->record,
           v->role, *v->linked_by ? ", linked by " : "", v->linked_by, (long long)v->field,
           v->rule);
    printf("    read:    %s (confidence min %.0f, mean %.0f), ocr run %s\n", v->raw, v->conf_min,
           v->conf_mean, v->ocr_run ? v->ocr_run : "(none)");
    printf("    value:   %s (%s), normalize run %s\n", v->field_value, v->state,
           v->norm_run ? v->norm_run : "(none)");
    if (v->match_decision)
        printf("    match:   %s %s %s score %.3f%s%s\n", v->match_decision, v->match_code,
               v->match_name, v->match_score, v->match_rule ? ", rule " : "",
               v->match_rule ? v->match_rule : "");
    printf("    loaded:  run %lld at %s\n", (long long)v->load_run, v->loaded);
    print_lines("ocr words", &v->words);
    print_lines("normalization steps", &v->steps);
    print_lines("match candidates", &v->candidates);
    print_lines("review decisions", &v->decisions);
    print_lines("versions (amended)", &v->versions);
}

static int show(sqlite3 *db, long long study, const char *key, int json, dg_err *err)
{
    int rc;
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        if ((rc = arc_provenance_json(db, study, key, &b, err)))
            dg_buf_release(&b);
        else
            cli_print_json(&b);
        return rc;
    }
    arc_provenance_result r;
    if ((rc = arc_provenance(db, study, key, &r, err)))
        return rc;
    for (size_t i = 0; i < r.n; i++)
        print_value(&r.v[i]);
    arc_provenance_release(&r);
    return DG_OK;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"crop", required_argument, NULL, 'c'},
                                         {"margin", required_argument, NULL, 'm'},
                                         {0, 0, 0, 0}};
    const char *crop = NULL;
    int json = 0, margin = 20, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'c': crop = optarg; break;
        case 'm': margin = atoi(optarg); break;
        default: return EXIT_USAGE;
        }
    }
    char *end = NULL;
    long long study = optind < argc ? strtoll(argv[optind], &end, 10) : 0;
    if (optind >= argc || !end || *end || study <= 0 || argc - optind > 2) {
        cli_error("provenance", "usage: dangan provenance STUDY [FIELD] [--crop FILE.png] "
                                "[--json]");
        return EXIT_USAGE;
    }
    const char *key = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (crop && !key) {
        cli_error("provenance", "--crop needs a FIELD (which value's box to cut)");
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    dg_err err = {0};
    int rc = log_access(db, study, key, &err);
    if (rc == DG_OK)
        rc = show(db, study, key, json, &err);
    if (rc == DG_OK && crop) {
        rc = arc_provenance_crop(db, study, key, margin, crop, &err);
        if (rc == DG_OK)
            fprintf(stderr, "crop written to %s\n", crop);
    }
    db_close(&db);
    if (rc)
        cli_error("provenance", "%s", err.msg);
    return cli_exit_for(rc);
}

const cli_command cmd_provenance = {
    "provenance", "where an archived value comes from, down to the pixels",
    "usage: dangan provenance STUDY [FIELD] [--crop FILE.png] [--margin PX] [--json]\n"
    "\n"
    "STUDY is a study record id (from 'dangan lookup'). For each archived value\n"
    "(only FIELD when given): the scan file and its SHA-256, page and pixel box, the\n"
    "OCR words with confidences and the OCR run's settings, the template rule, the\n"
    "normalization steps, the discipline match candidates or the operator's rule,\n"
    "review decisions, the load run, and every version of an amended value (who,\n"
    "when, why, which decision; 'dangan amend'). --crop cuts the value's box (plus\n"
    "margin) from the original scan. Each call is written to the access log.\n"
    "The scan is hashed again: when no copy of it (store, recorded path, alias)\n"
    "still has the SHA-256 recorded at ingest, each of its values says SCAN CHANGED\n"
    "OR MISSING with why (--json: file.intact false, file.problem); 'dangan fixity'\n"
    "sweeps every scan.\n"
    "\n"
    "exit: 0 ok, 2 usage, 3 database, 4 failed (e.g. scan changed), 5 no such\n"
    "study record or value\n",
    run};
