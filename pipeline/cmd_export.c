/*
 * cmd_export.c - `dangan export pages|ocr ...`
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int export_ocr(sqlite3 *db, int argc, char **argv)
{
    static const struct option opts[] = {{"page", required_argument, NULL, 'p'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"operator", required_argument, NULL, 'o'},
                                         {0, 0, 0, 0}};
    const char *format = "txt", *who = NULL;
    long long page = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'p')
            page = atoll(optarg);
        else if (c == 'f')
            format = optarg;
        else if (c == 'o' && cli_check_operator("export", optarg) == EXIT_OK)
            who = optarg;
        else
            return EXIT_USAGE;
    }
    if (page <= 0) {
        cli_error("export", "ocr needs --page ID (see 'dangan export pages' for page ids)");
        return EXIT_USAGE;
    }
    /* a page's text is personal data as read: logged before it is printed */
    dg_err err = {0};
    char query[96];
    int64_t exists = 0;
    snprintf(query, sizeof query, "SELECT count(*) FROM page WHERE id = %lld", page);
    int rc = db_query_int(db, query, &exists, &err);
    snprintf(query, sizeof query, "{\"what\":\"ocr\",\"page\":%lld}", page);
    if (rc == DG_OK && exists)
        rc = arc_access_log(db, who, "export", query, "[]", &err);
    rc = rc ? rc : arc_export_ocr(db, page, format, stdout, &err);
    if (rc)
        cli_error("export", "%s", err.msg);
    return cli_exit_for(rc);
}

/* Pages (their text) and records (their fields) hold personal data as read:
 * each export is written to the access log, and so to the audit chain, with
 * how many it holds, before anything is printed. */
static int log_export(sqlite3 *db, const char *who, const char *what, const char *count_sql,
                      dg_err *err)
{
    int64_t n = 0;
    char query[96], shown[64];
    int rc = db_query_int(db, count_sql, &n, err);
    snprintf(query, sizeof query, "{\"what\":\"%s\",\"format\":\"jsonl\"}", what);
    snprintf(shown, sizeof shown, "{\"count\":%lld}", (long long)n);
    return rc ? rc : arc_access_log(db, who, "export", query, shown, err);
}

/* pages and records: JSON lines only, written by fn. */
static int export_jsonl(const char *what, int (*fn)(sqlite3 *, FILE *, dg_err *),
                        const char *count_sql, sqlite3 *db, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"operator", required_argument, NULL, 'o'},
                                         {0, 0, 0, 0}};
    const char *who = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'o') {
            if (cli_check_operator("export", optarg))
                return EXIT_USAGE;
            who = optarg;
            continue;
        }
        if (c != 'f')
            return EXIT_USAGE;
        if (strcmp(optarg, "jsonl") != 0) {
            cli_error("export", "%s are exported as jsonl only, not '%s'", what, optarg);
            return EXIT_USAGE;
        }
    }
    dg_err err = {0};
    int rc = log_export(db, who, what, count_sql, &err);
    rc = rc ? rc : fn(db, stdout, &err);
    if (rc)
        cli_error("export", "%s", err.msg);
    return cli_exit_for(rc);
}

static int export_pages(sqlite3 *db, int argc, char **argv)
{
    return export_jsonl("pages", arc_export_pages, "SELECT count(*) FROM page", db, argc, argv);
}

static int export_records(sqlite3 *db, int argc, char **argv)
{
    return export_jsonl("records", arc_export_records, "SELECT count(*) FROM record", db, argc,
                        argv);
}

/* The archive: one object per study record (archive/export_archive.c). */
static int export_archive(sqlite3 *db, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"operator", required_argument, NULL, 'o'},
                                         {0, 0, 0, 0}};
    const char *who = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'o') {
            if (cli_check_operator("export", optarg))
                return EXIT_USAGE;
            who = optarg;
        } else if (c != 'f') {
            return EXIT_USAGE;
        } else if (strcmp(optarg, "jsonl") != 0) {
            cli_error("export", "the archive is exported as jsonl only, not '%s'", optarg);
            return EXIT_USAGE;
        }
    }
    dg_err err = {0};
    int rc = arc_export_archive(db, who, stdout, NULL, &err);
    if (rc)
        cli_error("export", "%s", err.msg);
    return cli_exit_for(rc);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        cli_error("export", "what to export? see 'dangan help export'");
        return EXIT_USAGE;
    }
    const char *what = argv[1];
    int (*fn)(sqlite3 *, int, char **) = NULL;
    if (strcmp(what, "pages") == 0)
        fn = export_pages;
    else if (strcmp(what, "ocr") == 0)
        fn = export_ocr;
    else if (strcmp(what, "archive") == 0)
        fn = export_archive;
    else if (strcmp(what, "records") == 0)
        fn = export_records;
    if (!fn) {
        cli_error("export", "unknown export '%s'; see 'dangan help export'", what);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    int rc = fn(db, argc - 1, argv + 1);
    db_close(&db);
    return rc;
}

const cli_command cmd_export = {
    "export", "write pages, OCR, records or the archive out as JSON lines, hOCR, ALTO",
    "usage: dangan export pages [--format jsonl] [--operator WHO]\n"
    "       dangan export ocr --page ID [--format hocr|alto|txt] [--operator WHO]\n"
    "       dangan export archive [--format jsonl] [--operator WHO]\n"
    "       dangan export records [--format jsonl] [--operator WHO]\n"
    "\n"
    "pages   one JSON object per page: file, sha256, page (1-based), page_id,\n"
    "        width, height, dpi, state, text (lines in reading order)\n"
    "ocr     one page's OCR as hOCR, ALTO or plain text (default txt)\n"
    "archive one JSON object per archived study record: record (id), file, page\n"
    "        (1-based) and row (ledger row, 0 for a card) of its primary source,\n"
    "        fields (canonical key -> value, null when not archived); the export\n"
    "        is written to the access log ('dangan log')\n"
    "records one JSON object per record: file, sha256, page, form (template),\n"
    "        row (ledgers, 1-based; null for cards), record (id), fields keyed by\n"
    "        canonical key: {raw, value, confidence (mean word conf 0-100),\n"
    "        bbox [x,y,w,h] in original page pixels, state}\n"
    "\n"
    "Every export is written to the access log ('dangan log') and the audit chain\n"
    "('dangan audit'), as the OS user or --operator WHO, before it is printed.\n",
    run};
