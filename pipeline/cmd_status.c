/*
 * cmd_status.c - `dangan status [--json]`: arc_status_read, printed here
 * as text (or as arc_status_json's object).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "ocr.h"

static void print_counts(const arc_counts *c, const char *fmt)
{
    for (size_t i = 0; i < c->n; i++)
        printf(fmt, c->v[i].name, (long long)c->v[i].n);
}

static void print_low_dpi(const arc_status_pages *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const arc_status_page *e = &p->v[i];
        if (e->dpi_by_size > 0 && e->dpi_by_size != e->dpi)
            printf("  warning: %s page %d is %d dpi by its size (the file says %d)\n", e->file,
                   e->page, e->dpi_by_size, e->dpi);
        else if (e->dpi < OCR_LEAST_SCANNER_DPI)
            printf("  warning: %s page %d has no scanner resolution (the file says %d dpi, a "
                   "program's default: a photograph, or a scan whose resolution was lost)\n",
                   e->file, e->page, e->dpi);
        else
            printf("  warning: %s page %d is %d dpi\n", e->file, e->page, e->dpi);
    }
}

static void print_pages(const arc_status *s)
{
    printf("files:        %lld (%lld more paths are aliases of the same bytes)\n",
           (long long)s->files, (long long)s->aliases);
    printf("pages:        %lld\n", (long long)s->pages);
    print_counts(&s->page_states, "  %-12s %lld\n");
    printf("low-dpi pages (under 300 dpi, DA/T 31): %lld\n", (long long)s->low_dpi);
    print_low_dpi(&s->low_dpi_pages);
    printf("quarantined:  %lld\n", (long long)s->quarantined);
    for (size_t i = 0; i < s->quarantine.n; i++)
        printf("  %s: %s\n", s->quarantine.v[i].file, s->quarantine.v[i].error);
    for (size_t i = 0; i < s->skewed.n; i++)
        printf("  warning: %s page %d was skewed %.1f degrees (DA/T 31 allows %.0f)\n",
               s->skewed.v[i].file, s->skewed.v[i].page, s->skewed.v[i].skew_deg,
               s->skew_limit_deg);
    for (size_t i = 0; i < s->failed.n; i++)
        printf("  failed: %s page %d: %s\n", s->failed.v[i].file, s->failed.v[i].page,
               s->failed.v[i].error);
}

static void print_status(const arc_status *s)
{
    print_pages(s);
    printf("extraction:   %lld records (%lld fields not found)\n", (long long)s->records,
           (long long)s->fields_missing);
    print_counts(&s->record_states, "  %-12s %lld\n");
    print_counts(&s->forms, "  form %-20s %lld pages\n");
    printf("archive:      %lld persons, %lld study records\n", (long long)s->persons,
           (long long)s->study_records);
    printf("records:      %lld loaded, %lld pending\n", (long long)s->records_loaded,
           (long long)s->records_pending);
    print_counts(&s->pending_reasons, "  waiting (%s): %lld\n");
    printf("review queue: %lld open (dangan review list)\n", (long long)s->review_open);
    if (s->runs.n)
        printf("stage runs not done (aborted: the process died mid-way; its pages are free):\n");
    print_counts(&s->runs, "  %-20s %lld\n");
    for (size_t i = 0; i < s->qa.n; i++) {
        const arc_qa_batch *b = &s->qa.v[i];
        if (b->verdict == ARC_QA_ABOVE)
            printf("QA:           batch %lld above target: %ld wrong of %ld settled, %.1f%% "
                   "(95%% %.1f-%.1f%%, target %g%%; dangan qa report)\n",
                   (long long)b->batch, b->wrong, b->settled, 100 * b->error_rate,
                   100 * b->lower, 100 * b->upper, 100 * s->qa.target_error);
    }
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0, 0, 0, 0}};
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else
            return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    dg_err err = {0};
    arc_status s;
    int rc = arc_status_read(db, &s, &err);
    db_close(&db);
    if (rc)
        cli_error("status", "%s", err.msg);
    if (rc)
        return cli_exit_for(rc);
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        arc_status_json(&s, &b);
        cli_print_json(&b);
    } else {
        print_status(&s);
    }
    arc_status_release(&s);
    return cli_exit_for(rc);
}

const cli_command cmd_status = {
    "status", "counts of files, pages by state, quarantine and warnings",
    "usage: dangan status [--json]\n"
    "\n"
    "Shows files, pages by state, quarantined files with their reasons, and pages\n"
    "under 300 dpi, and one line per batch the QA check flags (dangan qa report).\n"
    "With --json, an object with at least files, pages (counts by state),\n"
    "quarantined (count), quarantine ([{file, reason}]) and qa (as 'dangan qa\n"
    "report --json' prints it), runs ({\"STAGE STATUS\": count} of runs running,\n"
    "aborted or interrupted).\n",
    run};
