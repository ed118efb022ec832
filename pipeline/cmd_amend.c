/*
 * cmd_amend.c - `dangan amend STUDY KEY VALUE --reason WHY [--operator NAME]
 * [--as-is] [--json]`: a registrar's correction of an archived value, kept
 * as a new version (arc_amend).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {"operator", required_argument, NULL, 'o'},
                                         {"as-is", no_argument, NULL, 'a'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    char me[128];
    arc_amend_opts o = {0};
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': o.reason = optarg; break;
        case 'o': o.operator_name = optarg; break;
        case 'a': o.as_is = 1; break;
        case 'j': json = 1; break;
        default: return EXIT_USAGE;
        }
    }
    char *end = NULL;
    long long study = argc - optind == 3 ? strtoll(argv[optind], &end, 10) : 0;
    if (argc - optind != 3 || !end || *end || study <= 0) {
        cli_error("amend", "usage: dangan amend STUDY KEY VALUE --reason WHY [--operator NAME] "
                           "[--as-is] [--json]");
        return EXIT_USAGE;
    }
    if (!o.reason || !*o.reason) {
        cli_error("amend", "an amendment needs --reason WHY (kept with the new version)");
        return EXIT_USAGE;
    }
    arc_os_user(me, sizeof me);
    o.study = study;
    o.key = argv[optind + 1];
    o.value = argv[optind + 2];
    if (!o.operator_name)
        o.operator_name = me;
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db))
        return EXIT_DB;
    dg_err err = {0};
    arc_amend_result r;
    int rc = arc_amend(db, &o, &r, &err);
    db_close(&db);
    if (rc) {
        cli_error("amend", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_addf(&b, "{\"study\":%lld,\"key\":", study);
        dg_buf_json_str(&b, o.key);
        dg_buf_adds(&b, ",\"value\":");
        dg_buf_json_str(&b, r.value);
        dg_buf_addf(&b, ",\"amendment\":%lld}", (long long)r.id);
        cli_print_json(&b);
    } else if (r.id) {
        printf("study record %lld: %s = %s (amendment #%lld by %s; the earlier version stays "
               "in 'dangan provenance %lld %s')\n", study, o.key, r.value, (long long)r.id,
               o.operator_name, study, o.key);
    } else {
        printf("study record %lld: %s is already %s; nothing amended\n", study, o.key, r.value);
    }
    arc_amend_result_release(&r);
    return EXIT_OK;
}

const cli_command cmd_amend = {
    "amend", "correct an archived value, keeping the earlier version",
    "usage: dangan amend STUDY KEY VALUE --reason WHY [--operator NAME] [--as-is] [--json]\n"
    "\n"
    "Sets archived value KEY of study record STUDY (from 'dangan lookup') to VALUE.\n"
    "KEY is one the archive keeps: name, sex, birth_date, student_no, department,\n"
    "major, major_code, enroll_date, grad_date, degree, certificate_no, supervisor,\n"
    "university, current_code, current_name. VALUE is normalized as 'review\n"
    "correct' normalizes it (1989.7 -> 1989-07) and refused when the normalizer\n"
    "cannot read it; --as-is stores it exactly as typed. The earlier version stays\n"
    "readable: 'dangan provenance STUDY KEY' lists every version with who, when\n"
    "and why; 'lookup' shows the current one. A name or birth date is the\n"
    "person's: it changes in all of the person's study records.\n"
    "\n"
    "Review decisions on records already loaded amend the archive the same way.\n"
    "\n"
    "  --reason WHY      required: why the value changes (a document, a request)\n"
    "  --operator NAME   who amends (default: the OS user)\n"
    "  --as-is           store VALUE verbatim, not normalized\n"
    "  --json            print {study, key, value, amendment}\n"
    "\n"
    "exit: 0 amended (or already that value), 2 usage, bad key or value, 3\n"
    "database, 5 no such study record\n",
    run};
