/*
 * cmd_reread.c - `dangan reread [--redo] [--json]`: the second reader over
 * the boxes of fields not yet normalized (arc_reread).
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
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    reread_call call = {0};
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            call.o.redo = 1;
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
        dg_buf_addf(&b, ",\"pages\":%ld,\"fields\":%ld,\"read\":%ld,\"failed\":%ld", s->pages,
                    s->fields, s->read, s->failed);
        dg_buf_addf(&b, ",\"cpu_seconds\":{\"load\":%.3f,\"read\":%.3f}", s->cpu_load, s->cpu_read);
        dg_buf_addf(&b, ",\"failed_scans\":%ld,\"first_failed\":", s->failed_scans);
        dg_buf_json_str(&b, s->failed_scans ? s->first_failed : NULL);
        dg_buf_addc(&b, '}');
        cli_print_json(&b);
    } else if (!s->available) {
        cli_info(ctx, "reread: nothing done: %s\n", s->why);
    } else {
        cli_info(ctx, "reread: %ld fields on %ld pages read again, %ld could not be (scan gone, "
                      "changed or undecodable)\n",
                 s->read, s->pages, s->failed);
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
    "usage: dangan reread [--redo] [--json]\n"
    "\n"
    "Cuts the box of every field of the value types configs/trust.conf names\n"
    "(reread.<type> = 1; names and supervisors by default) from the original\n"
    "scan and reads it with the PP-OCRv4 recognizer, for records not yet\n"
    "normalized.  The normalize stage weighs this reading against Tesseract's\n"
    "(dangan eval shows how well).  Without trust.conf or the model\n"
    "(tools/fetch-models.sh) nothing is done and the reason is printed.\n"
    "\n"
    "--redo   read again fields of records not yet loaded\n"
    "--json   print the summary as JSON\n"
    "\n"
    "exit: 0 ok (also when the reader is not installed), 1 some scans were gone\n"
    "      or changed, 3 database\n",
    run};
