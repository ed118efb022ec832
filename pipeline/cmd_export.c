/*
 * cmd_export.c - `dangan export pages|ocr ...`
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "exchange.h"

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
                                         {"audience", required_argument, NULL, 'a'},
                                         {"for", required_argument, NULL, 'r'},
                                         {"purpose", required_argument, NULL, 'p'},
                                         {0, 0, 0, 0}};
    const char *who = NULL, *audience = NULL, *requester = NULL, *purpose = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'o') {
            if (cli_check_operator("export", optarg))
                return EXIT_USAGE;
            who = optarg;
        } else if (c == 'a' || c == 'r' || c == 'p') {
            *(c == 'a' ? &audience : c == 'r' ? &requester : &purpose) = optarg;
        } else if (c != 'f') {
            return EXIT_USAGE;
        } else if (strcmp(optarg, "jsonl") != 0) {
            cli_error("export", "the archive is exported as jsonl only, not '%s'", optarg);
            return EXIT_USAGE;
        }
    }
    arc_disclosure d;
    int set = 0;
    int code = cli_disclosure("export", audience, requester, purpose, &d, &set);
    if (code)
        return code;
    dg_err err = {0};
    int rc = arc_export_archive_for(db, who, set ? &d : NULL, stdout, NULL, &err);
    if (rc)
        cli_error("export", "%s", err.msg);
    return cli_exit_for(rc);
}

/* A positive id, or a usage error naming what it is. */
static int parse_id(const char *what, const char *arg, long long *out)
{
    char *end;
    long long v = strtoll(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v <= 0) {
        cli_error("export", "%s must be a positive id, not '%s'", what, arg);
        return EXIT_USAGE;
    }
    *out = v;
    return EXIT_OK;
}

/* METS per archived study record into a directory (exchange/mets.c). */
static int export_mets(cli_ctx *ctx, sqlite3 *db, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'd'},
                                         {"study", required_argument, NULL, 's'},
                                         {"operator", required_argument, NULL, 'o'},
                                         {0, 0, 0, 0}};
    const char *dir = "mets", *who = NULL;
    long long study = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else if (c == 'o')
            who = optarg;
        else if (c != 's' || parse_id("--study", optarg, &study))
            return EXIT_USAGE;
    }
    if (cli_no_extra_args("export", argc, argv))
        return EXIT_USAGE;
    cli_progress prog;
    cli_progress_init(&prog, ctx);
    dg_err err = {0};
    long n = 0;
    int rc = ex_export_mets(db, dir, study, who, &prog.base, &n, &err);
    cli_progress_done(&prog);
    if (rc) {
        cli_error("export", "%s", err.msg);
        return cli_exit_for(rc);
    }
    cli_info(ctx, "%ld METS file(s) written to %s\n", n, dir);
    return EXIT_OK;
}

/* csv and pdf: --out, --operator and one flag (--excel, --all). */
static int out_flag_opts(int argc, char **argv, const char *flag, const char **out,
                         const char **who, int *set)
{
    const struct option opts[] = {{"out", required_argument, NULL, 'd'},
                                  {flag, no_argument, NULL, 'x'},
                                  {"operator", required_argument, NULL, 'o'},
                                  {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            *out = optarg;
        else if (c == 'o')
            *who = optarg;
        else if (c == 'x')
            *set = 1;
        else
            return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The archive as CSV, to stdout or a 0600 file (exchange/csv.c). */
static int export_csv(cli_ctx *ctx, sqlite3 *db, int argc, char **argv)
{
    const char *path = NULL, *who = NULL;
    int excel = 0;
    if (out_flag_opts(argc, argv, "excel", &path, &who, &excel))
        return EXIT_USAGE;
    int flags = excel ? EX_CSV_EXCEL : 0;
    if (cli_no_extra_args("export", argc, argv))
        return EXIT_USAGE;
    dg_err err = {0};
    FILE *out = path ? ex_fopen_private(path, &err) : stdout;
    if (!out) {
        cli_error("export", "%s", err.msg);
        return EXIT_FAIL;
    }
    long n = 0;
    int rc = ex_export_csv(db, out, flags, who, &n, &err);
    if (path && fclose(out) != 0 && !rc)
        rc = dg_err_set(&err, DG_ERR, "cannot write '%s'", path);
    if (rc) {
        cli_error("export", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (path)
        cli_info(ctx, "%ld study record(s) written to %s\n", n, path);
    return EXIT_OK;
}

/* The progress display with the time left, from the pace so far. */
typedef struct eta_progress {
    arc_progress base;
    cli_progress *bar;
    struct timespec start;
} eta_progress;

static void eta_update(void *ud, const char *stage, long done, long total, const char *item)
{
    eta_progress *e = ud;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double spent = (double)(now.tv_sec - e->start.tv_sec) + (now.tv_nsec - e->start.tv_nsec) / 1e9;
    char buf[128];
    const char *name = item ? strrchr(item, '/') : NULL;
    name = name ? name + 1 : item ? item : "";
    if (done > 0 && total > done)
        snprintf(buf, sizeof buf, "ETA %.0fs %s", spent / done * (double)(total - done), name);
    else
        snprintf(buf, sizeof buf, "%s", name);
    e->bar->base.update(e->bar->base.ud, stage, done, total, buf);
}

static void eta_init(eta_progress *e, cli_progress *bar)
{
    e->base.update = eta_update;
    e->base.ud = e;
    e->bar = bar;
    clock_gettime(CLOCK_MONOTONIC, &e->start);
}

/* Searchable PDFs of scan files into a directory (exchange/pdf.c). */
static int export_pdf(cli_ctx *ctx, sqlite3 *db, int argc, char **argv)
{
    const char *dir = NULL, *who = NULL;
    int all = 0;
    if (out_flag_opts(argc, argv, "all", &dir, &who, &all))
        return EXIT_USAGE;
    const char *which = optind < argc ? argv[optind++] : NULL;
    if (cli_no_extra_args("export", argc, argv))
        return EXIT_USAGE;
    if (!dir || all == (which != NULL)) {
        cli_error("export", "pdf needs FILE or --all, and --out DIR; see 'dangan help export'");
        return EXIT_USAGE;
    }
    dg_err err = {0};
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = ex_mkdir(dir, &err);
    rc = rc ? rc : ex_pdf_files(db, which, &ids, &n, &err);
    if (rc) {
        cli_error("export", "%s", err.msg);
        return cli_exit_for(rc);
    }
    cli_progress bar;
    cli_progress_init(&bar, ctx);
    eta_progress prog;
    eta_init(&prog, &bar);
    long written = 0, failed = 0, bare = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/file-%lld.pdf", dir, (long long)ids[i]);
        int without = 0;
        dg_err e = {0};
        int frc = ex_pdf_write(db, ids[i], path, &without, &e);
        prog.base.update(prog.base.ud, "pdf", (long)i + 1, (long)n, path);
        if (frc) {
            /* One missing or changed scan does not stop the others. */
            cli_progress_done(&bar);
            cli_error("export", "file %lld: %s", (long long)ids[i], e.msg);
            failed++;
            rc = rc ? rc : frc;
            continue;
        }
        written++;
        bare += without > 0;
    }
    cli_progress_done(&bar);
    free(ids);
    /* Logged once for the run, whatever failed: what was written went out. */
    dg_err lerr = {0};
    if (written && ex_pdf_log(db, who, which, written, &lerr)) {
        cli_error("export", "%s", lerr.msg);
        return cli_exit_for(lerr.code);
    }
    cli_info(ctx, "%ld PDF(s) written to %s%s", written, dir, failed ? "" : "\n");
    if (failed)
        cli_info(ctx, ", %ld file(s) failed\n", failed);
    if (bare)
        cli_info(ctx, "%ld PDF(s) have pages without OCR text (not read yet)\n", bare);
    if (failed)
        return written ? EXIT_PARTIAL : cli_exit_for(rc);
    return EXIT_OK;
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
    int (*fn_ctx)(cli_ctx *, sqlite3 *, int, char **) = NULL;
    if (strcmp(what, "mets") == 0)
        fn_ctx = export_mets;
    else if (strcmp(what, "csv") == 0)
        fn_ctx = export_csv;
    else if (strcmp(what, "pdf") == 0)
        fn_ctx = export_pdf;
    if (!fn && !fn_ctx) {
        cli_error("export", "unknown export '%s'; see 'dangan help export'", what);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    int rc = fn ? fn(db, argc - 1, argv + 1) : fn_ctx(ctx, db, argc - 1, argv + 1);
    db_close(&db);
    return rc;
}

const cli_command cmd_export = {
    "export", "write pages, OCR, records or the archive out: JSON lines, hOCR, ALTO, METS, CSV, PDF",
    "usage: dangan export pages [--format jsonl] [--operator WHO]\n"
    "       dangan export ocr --page ID [--format hocr|alto|txt] [--operator WHO]\n"
    "       dangan export archive [--format jsonl] [--operator WHO]\n"
    "                             [--audience NAME] [--for REQUESTER --purpose TEXT]\n"
    "       dangan export records [--format jsonl] [--operator WHO]\n"
    "       dangan export mets [--out DIR] [--study ID] [--operator WHO]\n"
    "       dangan export csv [--out FILE] [--excel] [--operator WHO]\n"
    "       dangan export pdf FILE|--all --out DIR [--operator WHO]\n"
    "\n"
    "pages   one JSON object per page: file, sha256, page (1-based), page_id,\n"
    "        width, height, dpi, state, text (lines in reading order)\n"
    "ocr     one page's OCR as hOCR, ALTO or plain text (default txt)\n"
    "archive one JSON object per archived study record: record (id), file, page\n"
    "        (1-based) and row (ledger row, 0 for a card) of its primary source,\n"
    "        fields (canonical key -> value, null when not archived); the export\n"
    "        is written to the access log ('dangan log'). --audience NAME keeps\n"
    "        only the fields configs/disclosure.conf lets NAME see (withheld keys\n"
    "        are left out); --for/--purpose say for whom and why (audience\n"
    "        'outside' unless --audience says otherwise), logged with the export\n"
    "records one JSON object per record: file, sha256, page, form (template),\n"
    "        row (ledgers, 1-based; null for cards), record (id), fields keyed by\n"
    "        canonical key: {raw, value, confidence (mean word conf 0-100),\n"
    "        bbox [x,y,w,h] in original page pixels, state}\n"
    "mets    one METS 1.12 file per archived study record, DIR/study-ID.mets.xml\n"
    "        (default DIR ./mets): Dublin Core and every archived value, the\n"
    "        source scans with their SHA-256, PREMIS 3 events (ingest, fixity,\n"
    "        OCR, extraction, normalization, review decisions with the operator,\n"
    "        load) and the pages with the record's box; each file is checked\n"
    "        against schema/mets-dangan.rng before it is written\n"
    "csv     the archive for registrars, RFC 4180 (CRLF, quoted as needed), UTF-8:\n"
    "        record, the archived keys as in 'export archive' (current_code and\n"
    "        current_name: the 2022 catalog), edition, loaded, sources; to stdout\n"
    "        or FILE. --excel: a BOM so Excel reads UTF-8, and a cell starting\n"
    "        with = + - @ gets a ' so Excel does not run it\n"
    "pdf     a searchable PDF access copy of a scan file (FILE: its id, SHA-256\n"
    "        or a path it was ingested under; --all: every ingested file) as\n"
    "        DIR/file-ID.pdf: each page the scan at its recorded size (a JPEG as\n"
    "        its own bytes) with the page's OCR words, as the archive stores them,\n"
    "        laid at their boxes under the image, so search and copy find them;\n"
    "        with the XMP, output intent and ID of PDF/A-2b (not checked by a\n"
    "        validator). A scan missing or changed since ingest fails that file\n"
    "        only (exit 1)\n"
    "\n"
    "Directories are made 0700 and files 0600. Details: docs/exchange.md.\n"
    "\n"
    "Every export is written to the access log ('dangan log') and the audit chain\n"
    "('dangan audit'), as the OS user or --operator WHO, before it is printed.\n",
    run};
