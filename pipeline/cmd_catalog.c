/*
 * cmd_catalog.c - `dangan catalog import [DIR]` and `dangan catalog list`:
 * load the discipline catalogs and crosswalks into the database and show
 * what is loaded.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int catalog_import(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0, 0, 0, 0}};
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'j')
            return EXIT_USAGE;
        json = 1;
    }
    if (argc - optind > 1) {
        cli_error("catalog import", "unexpected argument '%s'", argv[optind + 1]);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, 1, &db))
        return EXIT_DB;
    arc_catalog_summary s;
    dg_err err = {0};
    int rc = arc_catalog_import(db, optind < argc ? argv[optind] : NULL, &s, &err);
    db_close(&db);
    if (rc) {
        cli_error("catalog import", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json)
        printf("{\"editions_imported\":%ld,\"editions_unchanged\":%ld,\"disciplines\":%ld,"
               "\"crosswalks_imported\":%ld,\"crosswalks_unchanged\":%ld,"
               "\"crosswalk_rows\":%ld,\"unresolved_rows\":%ld}\n",
               s.editions_imported, s.editions_unchanged, s.disciplines, s.crosswalks_imported,
               s.crosswalks_unchanged, s.crosswalk_rows, s.unresolved_rows);
    else
        cli_info(ctx,
                 "catalog: %ld editions imported (%ld disciplines), %ld unchanged; "
                 "%ld crosswalks imported (%ld rows, %ld unresolved), %ld unchanged\n",
                 s.editions_imported, s.disciplines, s.editions_unchanged, s.crosswalks_imported,
                 s.crosswalk_rows, s.unresolved_rows, s.crosswalks_unchanged);
    return EXIT_OK;
}

static void print_listing(const arc_catalog_listing *l)
{
    if (l->edition) {
        for (size_t i = 0; i < l->ndisciplines; i++)
            printf("%-7s %-8s %s\n", l->disciplines[i].code, l->disciplines[i].level,
                   l->disciplines[i].name);
        return;
    }
    printf("edition  from  disciplines  file\n");
    for (size_t i = 0; i < l->neditions; i++) {
        const arc_catalog_edition *e = &l->editions[i];
        printf("%-8s %-5d %11d  %s%s\n", e->edition, e->year_from, e->disciplines, e->file,
               e->target ? "  (target)" : "");
    }
    printf("\ncrosswalk   rows  unresolved\n");
    for (size_t i = 0; i < l->ncrosswalks; i++) {
        const arc_catalog_crosswalk *x = &l->crosswalks[i];
        printf("%s -> %-5s %5d  %10d\n", x->from, x->to, x->rows, x->unresolved);
    }
}

static int catalog_list(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"edition", required_argument, NULL, 'e'},
                                         {0, 0, 0, 0}};
    int json = 0, c;
    const char *edition = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'e')
            edition = optarg;
        else
            return EXIT_USAGE;
    }
    if (optind < argc) {
        cli_error("catalog list", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    if (cli_open_db(ctx, CLI_DB_READ, &db))
        return EXIT_DB;
    dg_err err = {0};
    arc_catalog_listing l;
    int rc = arc_catalog_list(db, edition, &l, &err);
    db_close(&db);
    if (rc) {
        cli_error("catalog list", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        arc_catalog_listing_json(&l, &b);
        cli_print_json(&b);
    } else {
        print_listing(&l);
    }
    arc_catalog_listing_release(&l);
    return EXIT_OK;
}

extern const cli_command cmd_catalog;

static int run(cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(&cmd_catalog, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "import") == 0)
        return catalog_import(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return catalog_list(ctx, argc - 1, argv + 1);
    if (cli_wants_help(&cmd_catalog, argc, argv))
        return EXIT_OK;
    cli_error("catalog", "unknown action '%s' (want import or list)", argv[1]);
    return EXIT_USAGE;
}

const cli_command cmd_catalog = {
    "catalog", "import discipline catalogs and crosswalks; list what is loaded",
    "usage: dangan catalog import [DIR] [--json]\n"
    "       dangan catalog list [--edition E] [--json]\n"
    "\n"
    "import loads the editions, disciplines and crosswalks named by DIR/editions.tsv\n"
    "(default: configs/disciplines). Files whose SHA-256 is unchanged are skipped;\n"
    "a changed edition or crosswalk is replaced in one transaction. Another edition\n"
    "(e.g. a 1990 catalog) is added by putting its CSV files in DIR and a line in\n"
    "editions.tsv. normalize and match import automatically when nothing is loaded.\n"
    "\n"
    "list shows the loaded editions and crosswalks, or with --edition E the\n"
    "disciplines of edition E.\n"
    "\n"
    "exit: 0 ok, 2 usage, 3 database, 4 bad catalog files, 5 unknown edition\n",
    run};
