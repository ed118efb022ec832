/*
 * cmd_report.c - `dangan report --html FILE`: the web workbench's batch
 * dashboard as one self-contained HTML file (web.h), to send or archive.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "web.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    const char *html = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
            html = argv[++i];
        else if (strncmp(argv[i], "--html=", 7) == 0)
            html = argv[i] + 7;
        else {
            cli_error("report", "unknown argument '%s'; see 'dangan report --help'", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!html) {
        cli_error("report", "usage: dangan report --html FILE");
        return EXIT_USAGE;
    }
    sqlite3 *db;
    int code = cli_open_db(ctx, 0, &db);
    if (code)
        return code;
    dg_err err = {0};
    dg_buf out;
    dg_buf_init(&out, 0);
    /* the review counts are current, as `dangan review list` makes them */
    int rc = arc_review_refresh(db, &err);
    rc = rc ? rc : web_report_html(db, &out, &err);
    db_close(&db);
    if (rc) {
        cli_error("report", "%s", err.msg);
        dg_buf_release(&out);
        return cli_exit_for(rc);
    }
    FILE *f = strcmp(html, "-") == 0 ? stdout : fopen(html, "wb");
    int ok = f && fwrite(out.data, 1, out.len, f) == out.len;
    if (f && f != stdout)
        ok = fclose(f) == 0 && ok;
    dg_buf_release(&out);
    if (!ok) {
        cli_error("report", "cannot write '%s'", html);
        return EXIT_FAIL;
    }
    cli_info(ctx, "report written to %s\n", html);
    return EXIT_OK;
}

const cli_command cmd_report = {
    "report", "the batch dashboard as one self-contained HTML file",
    "usage: dangan report --html FILE   (FILE '-': standard output)\n"
    "\n"
    "Writes what 'dangan serve' shows at /dashboard: per batch, pages, fields and\n"
    "review items by state, the distribution of p, the QA verdict and the\n"
    "quarantined files; hour by hour, the review backlog, items settled and pages\n"
    "read. Plots are SVG; the styles are inside; there is no script and nothing\n"
    "to fetch, so the file opens anywhere.\n"
    "\n"
    "exit: 0 written, 2 usage, 3 database, 4 cannot write FILE\n",
    run};
