/*
 * cmd_eval.c - `dangan eval --truth DIR [--json]`: page OCR quality
 * (arc_eval_pages) then field extraction quality (arc_eval_fields) against
 * truth files; with --json one object {"pages": ..., "fields": ...}.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Run one evaluation into memory, so the JSON parts can be joined. */
static int eval_part(sqlite3 *db, const char *truth, int json,
                     int (*fn)(sqlite3 *, const char *, int, FILE *, dg_err *), char **text,
                     dg_err *err)
{
    size_t len = 0;
    FILE *mem = open_memstream(text, &len);
    if (!mem)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int rc = fn(db, truth, json, mem, err);
    fclose(mem);
    if (json && *text) { /* drop the trailing newline inside the joined object */
        size_t n = strlen(*text);
        while (n && ((*text)[n - 1] == '\n' || (*text)[n - 1] == ' '))
            (*text)[--n] = 0;
    }
    return rc;
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
    char *pages = NULL, *fields = NULL;
    dg_err err = {0};
    int rc = eval_part(db, truth, json, arc_eval_pages, &pages, &err);
    if (rc == DG_OK)
        rc = eval_part(db, truth, json, arc_eval_fields, &fields, &err);
    db_close(&db);
    if (rc)
        cli_error("eval", "%s", err.msg);
    else if (json)
        printf("{\"pages\":%s,\"fields\":%s}\n", pages, fields);
    else
        printf("%s\n%s", pages ? pages : "", fields ? fields : "");
    free(pages);
    free(fields);
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
