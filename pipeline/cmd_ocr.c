/*
 * cmd_ocr.c - `dangan ocr [--jobs N] [--lang L] [--redo | --retry-failed]`
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct ocr_call {
    const char *db_path;
    arc_ocr_opts o;
    arc_ocr_summary sum;
} ocr_call;

/* Steps under this many CPU seconds are left out of a page's line. */
#define SHOWN_STEP_CPU 0.005

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* -v: a line per page, as each is done, with its steps' CPU seconds. */
static void show_page(void *arg, const char *path, int page_index, const ocr_timing *t,
                      const char *failed)
{
    const cli_ctx *ctx = arg;
    if (!t) {
        cli_info(ctx, "ocr: %s p%d failed: %s\n", base_name(path), page_index + 1, failed);
        return;
    }
    dg_buf b;
    dg_buf_init(&b, 0);
    for (int i = 0; i < OCR_NSTEPS; i++) {
        if (t->cpu[i] < SHOWN_STEP_CPU && !t->skipped[i])
            continue;
        dg_buf_addf(&b, " %s %.2f", ocr_step_name(i), t->cpu[i]);
        if (t->skipped[i])
            dg_buf_addf(&b, " (%ld skipped)", t->skipped[i]);
    }
    cli_info(ctx, "ocr: %s p%d: %.2f s CPU, %.2f s wall:%s\n", base_name(path), page_index + 1,
             ocr_timing_cpu(t), t->wall_page, b.data ? b.data : "");
    dg_buf_release(&b);
}

/* -v: the batch's time by step. */
static void show_totals(const cli_ctx *ctx, const arc_ocr_summary *s)
{
    const ocr_timing *t = &s->timing;
    double cpu = ocr_timing_cpu(t);
    cli_info(ctx, "%-12s %9s %6s %9s %7s %6s %7s\n", "step", "CPU s", "share", "wall s", "reads",
             "won", "skipped");
    for (int i = 0; i < OCR_NSTEPS; i++)
        if (t->wall[i] >= 0.0005 || t->reads[i] || t->skipped[i])
            cli_info(ctx, "%-12s %9.2f %5.1f%% %9.2f %7ld %6ld %7ld\n", ocr_step_name(i),
                     t->cpu[i], cpu > 0 ? 100 * t->cpu[i] / cpu : 0, t->wall[i], t->reads[i],
                     t->won[i], t->skipped[i]);
    cli_info(ctx, "%-12s %9.2f %5.1f%% %9.2f\n", "total", cpu, 100.0, ocr_timing_wall(t));
    long pages = s->pages_read;
    cli_info(ctx,
             "ocr: %.2f s CPU a page read (%.2f s wall from start to result); Tesseract read "
             "%.1f megapixels first and %.1f in retries\n",
             pages ? cpu / pages : 0, pages ? t->wall_page / pages : 0, t->first_mpx,
             t->retry_mpx);
}

/* The workers open their own connections: the one held here only proves
 * the workspace opens before any work starts. */
static int ocr_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    (void)db;
    ocr_call *c = arg;
    return arc_ocr(c->db_path, &c->o, progress, &c->sum, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"jobs", required_argument, NULL, 'j'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"redo", no_argument, NULL, 'r'},
                                         {"retry-failed", no_argument, NULL, 'F'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"json", no_argument, NULL, 'J'},
                                         {0, 0, 0, 0}};
    ocr_call call = {ctx->db_path, {0}, {0}};
    arc_ocr_opts *o = &call.o;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (cli_parse_jobs("ocr", optarg, &o->jobs))
                return EXIT_USAGE;
            break;
        case 'l': o->lang = optarg; break;
        case 'r': o->redo = 1; break;
        case 'F': o->retry_failed = 1; break;
        case 'c': o->settings_path = optarg; break;
        case 'J': json = 1; break;
        default: return EXIT_USAGE;
        }
    }
    if (cli_no_extra_args("ocr", argc, argv))
        return EXIT_USAGE;
    if (o->redo && o->retry_failed) {
        cli_error("ocr", "--redo and --retry-failed exclude each other (--redo already re-reads "
                         "failed pages)");
        return EXIT_USAGE;
    }
    if (ctx->verbosity > 0) {
        o->on_page = show_page;
        o->on_page_ctx = ctx;
    }
    int rc = cli_run_stage(ctx, "ocr", CLI_DB_OPEN, ocr_stage, &call);
    if (rc)
        return rc;
    const arc_ocr_summary s = call.sum;
    if (json) {
        printf("{\"pages_read\":%ld,\"pages_failed\":%ld,\"lines\":%ld,\"words\":%ld,"
               "\"cells\":%ld,\"skipped_claimed\":%ld,\"skipped_loaded\":%ld,"
               "\"cpu_seconds\":{",
               s.pages_read, s.pages_failed, s.lines, s.words, s.cells, s.skipped_claimed,
               s.skipped_loaded);
        for (int i = 0; i < OCR_NSTEPS; i++)
            printf("%s\"%s\":%.3f", i ? "," : "", ocr_step_name(i), s.timing.cpu[i]);
        printf("},\"retries_skipped\":{");
        for (int i = 0; i < OCR_NSTEPS; i++)
            printf("%s\"%s\":%ld", i ? "," : "", ocr_step_name(i), s.timing.skipped[i]);
        printf("}}\n");
    } else {
        if (ctx->verbosity > 0)
            show_totals(ctx, &s);
        cli_info(ctx, "ocr: %ld pages read, %ld failed; %ld lines, %ld words, %ld table cells\n",
                 s.pages_read, s.pages_failed, s.lines, s.words, s.cells);
    }
    if (!json && s.skipped_claimed)
        cli_info(ctx, "ocr: %ld pages left to another process that claimed them first\n",
                 s.skipped_claimed);
    /* Refused, not skipped quietly: the operator asked for these pages. */
    if (s.skipped_loaded)
        cli_error("ocr", "%ld page%s not re-read: %s records are in the archive, whose "
                         "provenance points at the words read from them (re-reading in place "
                         "would orphan it); amend archived values with 'dangan amend'",
                  s.skipped_loaded, s.skipped_loaded == 1 ? "" : "s",
                  s.skipped_loaded == 1 ? "its" : "their");
    return s.pages_failed || s.skipped_loaded ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_ocr = {
    "ocr", "read every page not yet read (Leptonica clean-up + Tesseract)",
    "usage: dangan ocr [--jobs N] [--lang LANGS] [--redo | --retry-failed] [--config FILE]\n"
    "                  [--json]\n"
    "\n"
    "Cleans and reads every page not yet read. Each page's lines, words, table\n"
    "cells and new state are stored in one transaction, so the stage can be killed\n"
    "at any moment and re-run. Each page is claimed before it is read, so two\n"
    "'dangan ocr' on one workspace share the pages and never read one twice; a run\n"
    "killed mid-way is marked aborted at the next command and its pages are free.\n"
    "\n"
    "  -j, --jobs N      worker threads, each with its own engine (default: cores)\n"
    "  --lang LANGS      Tesseract languages (default chi_sim; a cell read\n"
    "                    without Han is read again with eng if installed)\n"
    "  --redo            read all pages again, not only new ones; pages with a\n"
    "                    record in the archive are refused (exit 1)\n"
    "  --retry-failed    read again only the pages that failed\n"
    "  --config FILE     clean-up settings (default configs/ocr.xml)\n"
    "  --json            print the summary as JSON (with CPU seconds by step)\n"
    "\n"
    "With -v (dangan -v ocr), a line per page as it is done: its CPU and wall\n"
    "seconds and the steps it spent them in (decode, clean-up steps, grid, cells,\n"
    "phrases, retries: variants, faded, lighter; floor, orientation), with the\n"
    "retries the budget skipped; then the batch's table by step.  Each page's\n"
    "timing is also stored in its clean-up log (the `times` step of ocr_page.cleanup).\n"
    "A page over the time limit (configs/ocr.xml <budget time-limit>) fails with\n"
    "that reason and the batch goes on.\n"
    "\n"
    "exit: 0 ok, 1 some pages failed (see 'dangan status') or were refused, 4 cannot\n"
    "run\n"
    "(e.g. language data not installed)\n",
    run};
