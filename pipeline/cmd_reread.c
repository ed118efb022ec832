/*
 * cmd_reread.c - `dangan reread [--redo|--missing] [--json]`: the second
 * and third readers over the boxes of fields not yet normalized (arc_reread).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

typedef struct reread_call {
    arc_reread_opts o;
    arc_reread_summary sum;
} reread_call;

static int reread_stage(sqlite3 *db, void *arg, arc_progress *progress, dg_err *err)
{
    reread_call *c = arg;
    return arc_reread(db, &c->o, progress, &c->sum, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"redo", no_argument, NULL, 'r'},
                                         {"missing", no_argument, NULL, 'm'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    reread_call call = {0};
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            call.o.redo = 1;
        else if (c == 'm')
            call.o.missing = 1;
        else if (c == 'j')
            json = 1;
        else
            return EXIT_USAGE;
    }
    if (cli_no_extra_args("reread", argc, argv))
        return EXIT_USAGE;
    int rc = cli_run_stage(ctx, "reread", CLI_DB_OPEN, reread_stage, &call);
    if (rc)
        return rc;
    const arc_reread_summary *s = &call.sum;
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_addf(&b, "{\"available\":%s,\"why\":", s->available ? "true" : "false");
        dg_buf_json_str(&b, s->available ? NULL : s->why);
        dg_buf_addf(&b, ",\"third\":%s,\"why3\":", s->third ? "true" : "false");
        dg_buf_json_str(&b, s->third ? NULL : s->why3);
        dg_buf_addf(&b, ",\"pages\":%ld,\"fields\":%ld,\"read\":%ld,\"read3\":%ld,\"failed\":%ld",
                    s->pages, s->fields, s->read, s->read3, s->failed);
        dg_buf_addf(&b, ",\"cpu_seconds\":{\"load\":%.3f,\"read\":%.3f}", s->cpu_load, s->cpu_read);
        dg_buf_addf(&b, ",\"failed_scans\":%ld,\"first_failed\":", s->failed_scans);
        dg_buf_json_str(&b, s->failed_scans ? s->first_failed : NULL);
        dg_buf_addc(&b, '}');
        cli_print_json(&b);
    } else if (!s->available && !s->third) {
        cli_info(ctx, "reread: nothing done: %s%s%s\n", s->why, s->why3[0] ? "; " : "",
                 s->why3);
    } else {
        cli_info(ctx, "reread: %ld fields on %ld pages read again, %ld by the third reader, %ld "
                      "could not be (scan gone, changed or undecodable)\n",
                 s->read, s->pages, s->read3, s->failed);
        if (!s->available || !s->third)
            cli_info(ctx, "  note: %s\n", s->available ? s->why3 : s->why);
        if (ctx->verbosity > 0)
            cli_info(ctx,
                     "reread: %.2f s CPU loading the models, %.2f s reading (%.0f ms a "
                     "field, scans decoded included)\n",
                     s->cpu_load, s->cpu_read, s->fields ? 1000 * s->cpu_read / s->fields : 0);
        if (s->failed_scans)
            cli_info(ctx, "  %ld scan%s could not be read; the first: %s\n", s->failed_scans,
                     s->failed_scans == 1 ? "" : "s", s->first_failed);
    }
    return s->failed ? EXIT_PARTIAL : EXIT_OK;
}

const cli_command cmd_reread = {
    "reread", "read field boxes again with the second recognizer",
    "usage: dangan reread [--redo | --missing] [--json]\n"
    "\n"
    "Cuts the box of every field of the value types configs/trust.conf names\n"
    "(reread.<type> = 1; names and supervisors by default) from the original\n"
    "scan and reads it with the PP-OCRv4 recognizer, and the boxes of the\n"
    "types reread3.<type> names (names and supervisors by default) with\n"
    "Tesseract's tessdata 4.0.0 chi_sim model too (the third reader), for\n"
    "records not yet normalized.  The normalize stage weighs these readings\n"
    "against Tesseract's page reading (dangan eval shows how well).  Without\n"
    "trust.conf or a reader's model (tools/fetch-models.sh) that reader does\n"
    "nothing and the reason is printed.\n"
    "\n"
    "--redo     read again fields of records not yet loaded\n"
    "--missing  give fields of records not yet loaded the readings they lack\n"
    "           (a reader installed since); then `dangan normalize --redo`\n"
    "--json     print the summary as JSON\n"
    "\n"
    "exit: 0 ok (also when the reader is not installed), 1 some scans were gone\n"
    "      or changed, 3 database\n",
    run};
