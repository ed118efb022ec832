/*
 * cmd_eval.c - `dangan eval --truth DIR [--json] [--fit-trust FILE]`: page
 * OCR quality (arc_eval_pages), field extraction quality (arc_eval_fields)
 * and how far p(right) can be trusted (arc_eval_trust) against truth files,
 * printed here as tables; with --json one object {"pages", "fields",
 * "trust"}.  --fit-trust writes configs/trust.conf fitted on these truths,
 * --trust-examples the examples such a fit reads.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_pages(const arc_eval_pages_result *r)
{
    printf("%-10s %6s %8s %8s\n", "difficulty", "pages", "CER", "bag-F1");
    for (int k = 0; k < ARC_EVAL_NDIFF; k++) {
        const arc_eval_diff *d = &r->by_difficulty[k];
        printf("%-10s %6ld %8.4f %8.4f\n", d->name, d->pages, d->cer, d->bag_f1);
    }
    if (r->missing)
        printf("(%ld truth pages not found in the workspace)\n", r->missing);
}

static void print_row(const char *label, const arc_eval_cell *cells)
{
    printf("%-20s", label);
    for (int i = 0; i < ARC_EVAL_NDIFF; i++) {
        long n = cells[i].n, ok = cells[i].ok;
        if (n)
            printf(" %4ld/%-4ld %5.1f%%", ok, n, 100.0 * ((double)ok / (double)n));
        else
            printf(" %16s", "-");
    }
    putchar('\n');
}

static void print_fields(const arc_eval_fields_result *r)
{
    printf("fields read exactly (raw = printed, whitespace ignored), %ld truth files\n"
           "%-20s %16s %16s %16s %16s\n",
           r->truth_files, "field", "clean", "moderate", "hard", "all");
    for (size_t i = 0; i < r->nfields; i++)
        print_row(r->fields[i].key, r->fields[i].by_difficulty);
    print_row("ALL FIELDS", r->all_fields);
    print_row("records found", r->records_found);
}

static void print_trust_row(const char *label, const arc_trust_row *w)
{
    if (!w->n)
        return;
    printf("%-20s %5ld %6.1f%% %6.3f %6.1f%% %6.2f%% %5ld/%-5ld\n", label, w->n,
           100.0 * (double)w->right / (double)w->n, w->bins.ece,
           100.0 * (double)w->verified / (double)w->n,
           w->verified ? 100.0 * (double)w->verified_wrong / (double)w->verified : 0.0,
           w->review_right, w->review);
}

static void print_trust(const arc_eval_trust_result *r)
{
    printf("values against the truth's normalized values (p = probability right)\n"
           "%-20s %5s %7s %6s %7s %7s %11s\n",
           "field", "n", "right", "ECE", "auto", "err", "rev.right");
    for (size_t i = 0; i < r->nrows; i++)
        print_trust_row(r->rows[i].key, &r->rows[i]);
    for (int t = 0; t < DG_VT_COUNT; t++) {
        char label[32];
        snprintf(label, sizeof label, "(%s)", dg_vtype_names[t]);
        print_trust_row(label, &r->by_type[t]);
    }
    print_trust_row("ALL VALUES", &r->all);
    printf("records with nothing to review: %ld of %ld\n", r->records_unreviewed, r->records);
    printf("ECE of p %.3f; of Tesseract's raw confidence over the same values %.3f\n",
           r->all.bins.ece, r->all.raw.ece);
    printf("\nreliability of p (all values weighed: %ld)\n%-10s %6s %7s %7s\n", r->all.weighed,
           "p", "n", "mean p", "right");
    for (int k = 0; k < ARC_TRUST_BINS; k++) {
        long n = r->all.bins.count[k];
        if (n)
            printf("%.1f-%.1f   %6ld %7.3f %7.3f\n", k / 10.0, (k + 1) / 10.0, n,
                   r->all.bins.p_sum[k] / (double)n, (double)r->all.bins.right[k] / (double)n);
    }
}

static void print_json(const arc_eval_pages_result *pages, const arc_eval_fields_result *fields,
                       const arc_eval_trust_result *trust)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_adds(&b, "{\"pages\":");
    arc_eval_pages_json(pages, &b);
    dg_buf_adds(&b, ",\"fields\":");
    arc_eval_fields_json(fields, &b);
    dg_buf_adds(&b, ",\"trust\":");
    arc_eval_trust_json(trust, &b);
    dg_buf_addc(&b, '}');
    cli_print_json(&b);
}

/* Fit trust.conf on the truths and write it to path (a temporary file renamed
 * over it, so a reader never sees half a file). */
static int fit_trust(sqlite3 *db, const char *truth, const char *path, int examples)
{
    arc_trust_settings set;
    dg_err err = {0};
    dg_buf out;
    dg_buf_init(&out, 0);
    int rc = examples ? arc_trust_examples(db, truth, &out, &err)
                      : arc_trust_settings_read(arc_config_dir(), &set, &err);
    rc = rc || examples ? rc : arc_trust_fit(db, truth, &set, &out, &err);
    if (rc) {
        cli_error("eval", "%s", err.msg);
        dg_buf_release(&out);
        return cli_exit_for(rc);
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fwrite(out.data, 1, out.len, f) == out.len;
    ok = f && fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    dg_buf_release(&out);
    if (!ok) {
        cli_error("eval", "cannot write '%s'", path);
        remove(tmp);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"truth", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"fit-trust", required_argument, NULL, 'f'},
                                         {"trust-examples", required_argument, NULL, 'x'},
                                         {0, 0, 0, 0}};
    const char *truth = NULL, *fit = NULL, *exfile = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 't')
            truth = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'f')
            fit = optarg;
        else if (c == 'x')
            exfile = optarg;
        else
            return EXIT_USAGE;
    }
    if (!truth) {
        cli_error("eval", "needs --truth DIR (a directory of *.truth.json files)");
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    if (fit || exfile) {
        int x = fit_trust(db, truth, fit ? fit : exfile, !fit);
        db_close(&db);
        return x;
    }
    arc_eval_pages_result pages;
    arc_eval_fields_result fields;
    arc_eval_trust_result trust;
    dg_err err = {0};
    int rc = arc_eval_pages(db, truth, &pages, &err);
    if (rc == DG_OK && (rc = arc_eval_fields(db, truth, &fields, &err)))
        arc_eval_pages_release(&pages);
    if (rc == DG_OK && (rc = arc_eval_trust(db, truth, &trust, &err))) {
        arc_eval_pages_release(&pages);
        arc_eval_fields_release(&fields);
    }
    db_close(&db);
    if (rc) {
        cli_error("eval", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        print_json(&pages, &fields, &trust);
    } else {
        print_pages(&pages);
        putchar('\n');
        print_fields(&fields);
        putchar('\n');
        print_trust(&trust);
    }
    arc_eval_pages_release(&pages);
    arc_eval_fields_release(&fields);
    arc_eval_trust_release(&trust);
    return cli_exit_for(rc);
}

const cli_command cmd_eval = {
    "eval", "measure OCR and field extraction against truth files",
    "usage: dangan eval --truth DIR [--json]\n"
    "       dangan eval --truth DIR --fit-trust FILE\n"
    "       dangan eval --truth DIR --trust-examples FILE\n"
    "\n"
    "Matches *.truth.json files in DIR to ingested pages by image file name\n"
    "and page index.  Prints page OCR quality (CER, character F1), field\n"
    "extraction quality (share of fields read exactly, share of records\n"
    "found), per difficulty, and the values against the truth's normalized\n"
    "values: per field the share right, the expected calibration error (ECE)\n"
    "of p, the share verified without review ('auto') and the error among\n"
    "them, the right values sent to review, and a reliability table of p;\n"
    "with --json one object {\"pages\":..,\"fields\":..,\"trust\":..}.\n"
    "\n"
    "--fit-trust FILE  fits the trust model (configs/trust.conf) on these\n"
    "                  truths: weights per value type from the evidence the\n"
    "                  normalize stage stored, and thresholds from the target\n"
    "                  errors of the current trust.conf (default 0.005), on p\n"
    "                  cross-fitted over 5 folds of pages (docs/trust.md).\n"
    "--trust-examples FILE  writes the examples such a fit reads (one\n"
    "                  candidate a line, tab-separated, with its page) for\n"
    "                  study, e.g. by bench/trust_cv.\n",
    run};
