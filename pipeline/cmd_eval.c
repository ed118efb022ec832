/*
 * cmd_eval.c - `dangan eval --truth DIR [--json]`: page OCR quality
 * (arc_eval_pages) then field extraction quality (arc_eval_fields) against
 * truth files, printed here as two tables; with --json one object
 * {"pages": ..., "fields": ...}.
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

static void print_json(const arc_eval_pages_result *pages, const arc_eval_fields_result *fields)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_adds(&b, "{\"pages\":");
    arc_eval_pages_json(pages, &b);
    dg_buf_adds(&b, ",\"fields\":");
    arc_eval_fields_json(fields, &b);
    dg_buf_addc(&b, '}');
    cli_print_json(&b);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"truth", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    const char *truth = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 't')
            truth = optarg;
        else if (c == 'j')
            json = 1;
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
    arc_eval_pages_result pages;
    arc_eval_fields_result fields;
    dg_err err = {0};
    int rc = arc_eval_pages(db, truth, &pages, &err);
    if (rc == DG_OK && (rc = arc_eval_fields(db, truth, &fields, &err)))
        arc_eval_pages_release(&pages);
    db_close(&db);
    if (rc) {
        cli_error("eval", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        print_json(&pages, &fields);
    } else {
        print_pages(&pages);
        putchar('\n');
        print_fields(&fields);
    }
    arc_eval_pages_release(&pages);
    arc_eval_fields_release(&fields);
    return cli_exit_for(rc);
}

const cli_command cmd_eval = {
    "eval", "measure OCR and field extraction against truth files",
    "usage: dangan eval --truth DIR [--json]\n"
    "\n"
    "Matches *.truth.json files in DIR to ingested pages by image file name\n"
    "and page index.  Prints page OCR quality (CER, character F1) and field\n"
    "extraction quality (share of fields read exactly, share of records\n"
    "found), per difficulty; with --json one object {\"pages\":..,\"fields\":..}.\n",
    run};
