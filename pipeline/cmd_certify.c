/*
 * cmd_certify.c - `dangan key init|show`, `dangan certify STUDY ... --out
 * FILE.pdf`, `dangan verify FILE.pdf|PAYLOAD|CODE`: certificates of record
 * (certify/certify.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify.h"
#include "cli.h"
#include "fieldkeys.h"

/* --key, else $DANGAN_CERT_KEY, else certify-key.pem next to the database. */
static char *key_path(const cli_ctx *ctx, const char *opt)
{
    const char *env = getenv("DANGAN_CERT_KEY");
    if (opt && *opt)
        return dg_strdup(opt);
    if (env && *env)
        return dg_strdup(env);
    return cert_key_default_path(ctx->db_path);
}

int cli_disclosure(const char *cmd, const char *audience, const char *requester,
                   const char *purpose, arc_disclosure *d, int *set)
{
    memset(d, 0, sizeof *d);
    *set = 0;
    if (!audience && !requester && !purpose)
        return EXIT_OK;
    if ((requester && !purpose) || (!requester && purpose)) {
        cli_error(cmd, "--for and --purpose go together: say who asked and why");
        return EXIT_USAGE;
    }
    d->audience = audience ? audience : "outside";
    d->requester = requester;
    d->purpose = purpose;
    cert_profile *p = NULL;
    dg_err err = {0};
    int rc = cert_profile_load(NULL, d->audience, &p, &err);
    if (rc) {
        cli_error(cmd, "%s", err.msg);
        return cli_exit_for(rc);
    }
    for (int k = 0; k < ARC_NFIELDS; k++)
        d->allow[k] = (unsigned char)cert_profile_allows(p, dg_field_keys[k].key);
    cert_profile_free(&p);
    *set = 1;
    return EXIT_OK;
}

/* ---- dangan key ----------------------------------------------------------------- */

static int run_key(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'}, {0, 0, 0, 0}};
    const char *opt_key = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'k')
            return EXIT_USAGE;
        opt_key = optarg;
    }
    const char *verb = optind < argc ? argv[optind] : "";
    if ((strcmp(verb, "init") && strcmp(verb, "show")) || argc - optind != 1) {
        cli_error("key", "usage: dangan key init|show [--key FILE]");
        return EXIT_USAGE;
    }
    char *path = key_path(ctx, opt_key);
    if (!path) {
        cli_error("key", "out of memory");
        return EXIT_FAIL;
    }
    dg_err err = {0};
    int rc;
    if (strcmp(verb, "init") == 0) {
        char id[17];
        rc = cert_key_init(path, id, &err);
        if (!rc)
            printf("key %s written to %s (0600); public key %s.pub\n", id, path, path);
    } else {
        cert_key *k = NULL;
        rc = cert_key_load(path, 0, &k, &err);
        dg_buf b;
        dg_buf_init(&b, 0);
        if (!rc)
            rc = cert_key_public_pem(k, &b, &err);
        if (!rc)
            printf("# key %s\n%s", cert_key_id(k), b.data);
        dg_buf_release(&b);
        cert_key_free(&k);
    }
    free(path);
    if (rc)
        cli_error("key", "%s", err.msg);
    return cli_exit_for(rc);
}

const cli_command cmd_key = {
    "key", "the archive's Ed25519 signing key for certificates",
    "usage: dangan key init|show [--key FILE]\n"
    "\n"
    "init makes a new Ed25519 key: the private key (PKCS#8 PEM, mode 0600) at FILE,\n"
    "the public key at FILE.pub for whoever verifies certificates. An existing key\n"
    "is never replaced. show prints the key's id and public key.\n"
    "FILE: --key, else $DANGAN_CERT_KEY, else certify-key.pem next to the database.\n"
    "\n"
    "exit: 0 ok, 2 usage, 4 failed, 5 no key, 6 a key exists already\n",
    run_key};

/* ---- dangan certify -------------------------------------------------------------- */

static int run_certify(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"lang", required_argument, NULL, 'l'},
                                         {"for", required_argument, NULL, 'f'},
                                         {"purpose", required_argument, NULL, 'p'},
                                         {"audience", required_argument, NULL, 'a'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"operator", required_argument, NULL, 'w'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    cert_request req = {0};
    const char *opt_key = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l': req.lang = optarg; break;
        case 'f': req.requester = optarg; break;
        case 'p': req.purpose = optarg; break;
        case 'a': req.audience = optarg; break;
        case 'o': req.out_pdf = optarg; break;
        case 'k': opt_key = optarg; break;
        case 'w': req.who = optarg; break;
        case 'j': json = 1; break;
        default: return EXIT_USAGE;
        }
    }
    char *end = NULL;
    long long study = optind < argc ? strtoll(argv[optind], &end, 10) : 0;
    if (optind + 1 != argc || !end || *end || study <= 0 || !req.out_pdf) {
        cli_error("certify", "usage: dangan certify STUDY --out FILE.pdf [--lang zh|en|both] "
                             "[--for REQUESTER --purpose TEXT] [--audience NAME]");
        return EXIT_USAGE;
    }
    if ((req.requester && !req.purpose) || (!req.requester && req.purpose)) {
        cli_error("certify", "--for and --purpose go together: say who asked and why");
        return EXIT_USAGE;
    }
    if (cli_check_operator("certify", req.who))
        return EXIT_USAGE;
    req.study = study;
    char *path = key_path(ctx, opt_key);
    cert_key *key = NULL;
    dg_err err = {0};
    int rc = path ? cert_key_load(path, 0, &key, &err) : dg_err_set(&err, DG_ENOMEM, "no memory");
    free(path);
    if (rc) {
        cli_error("certify", "%s", err.msg);
        return cli_exit_for(rc);
    }
    req.key = key;
    sqlite3 *db;
    if (cli_open_db(ctx, 0, &db)) {
        cert_key_free(&key);
        return EXIT_DB;
    }
    cert_issued out;
    arc_lines blockers;
    rc = cert_issue(db, &req, &out, &blockers, &err);
    db_close(&db);
    cert_key_free(&key);
    if (rc == DG_ECONFLICT) {
        cli_error("certify", "%s; a certificate is issued only from settled values:", err.msg);
        for (size_t i = 0; i < blockers.n; i++)
            fprintf(stderr, "  %s\n", blockers.v[i]);
        fprintf(stderr, "  decide them with 'dangan review', load again, then certify\n");
        arc_lines_release(&blockers);
        return EXIT_FAIL;
    }
    if (rc) {
        cli_error("certify", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_adds(&b, "{\"serial\":");
        dg_buf_json_str(&b, out.serial);
        dg_buf_adds(&b, ",\"code\":");
        dg_buf_json_str(&b, out.code);
        dg_buf_adds(&b, ",\"file\":");
        dg_buf_json_str(&b, req.out_pdf);
        dg_buf_adds(&b, ",\"fields\":[");
        for (size_t i = 0; i < out.nfields; i++) {
            if (i)
                dg_buf_addc(&b, ',');
            dg_buf_json_str(&b, out.fields[i]);
        }
        dg_buf_adds(&b, "]}");
        cli_print_json(&b);
    } else {
        printf("certificate %s written to %s\nverification code %s\ncertified:", out.serial,
               req.out_pdf, out.code);
        for (size_t i = 0; i < out.nfields; i++)
            printf(" %s", out.fields[i]);
        printf("\n");
    }
    cert_issued_release(&out);
    return EXIT_OK;
}

const cli_command cmd_certify = {
    "certify", "issue a signed certificate of record (学籍证明) as PDF",
    "usage: dangan certify STUDY --out FILE.pdf [--lang zh|en|both]\n"
    "                      [--for REQUESTER --purpose TEXT] [--audience NAME]\n"
    "                      [--key FILE] [--operator NAME] [--json]\n"
    "\n"
    "STUDY is a study record id (from 'dangan lookup'). Draws an A4 certificate of\n"
    "the archived record: the university and seal area (configs/certificate.conf),\n"
    "the fields the audience may see (configs/disclosure.conf: 'alumnus' by default,\n"
    "'outside' with --for), the historical major with its catalog edition, the 2022\n"
    "discipline with the crosswalk path (and who decided it when a person did), a\n"
    "serial number and a QR code with the signed content; the printed verification\n"
    "code finds it again with 'dangan verify'. Signed with the key of 'dangan key\n"
    "init'. A record with any value still in review is refused, naming the fields.\n"
    "Every certificate is registered, written to the access log and the audit chain\n"
    "(who, for whom, purpose, fields).\n"
    "--lang en prints English labels; the archive holds no official English names\n"
    "of 2022 disciplines or degrees, and the certificate says so.\n"
    "\n"
    "exit: 0 issued, 2 usage, 3 database, 4 failed or not certifiable (fields in\n"
    "review), 5 no such study record or key\n",
    run_certify};

/* ---- dangan verify -------------------------------------------------------------- */

static int run_verify(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"pubkey", required_argument, NULL, 'k'},
                                         {"no-db", no_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"operator", required_argument, NULL, 'w'},
                                         {0, 0, 0, 0}};
    const char *pub = NULL, *who = NULL;
    int nodb = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': pub = optarg; break;
        case 'n': nodb = 1; break;
        case 'j': json = 1; break;
        case 'w':
            if (cli_check_operator("verify", optarg))
                return EXIT_USAGE;
            who = optarg;
            break;
        default: return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("verify", "usage: dangan verify FILE.pdf|PAYLOAD|CODE [--pubkey FILE.pub] "
                            "[--no-db] [--operator NAME] [--json]");
        return EXIT_USAGE;
    }
    const char *what = argv[optind];
    dg_err err = {0};
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = DG_OK;
    FILE *probe = strncmp(what, "DGC1.", 5) ? fopen(what, "rb") : NULL;
    int is_file = probe != NULL;
    if (probe) {
        fclose(probe);
        rc = dg_read_file(what, 64u << 20, &data, &len, &err);
    } else {
        data = (unsigned char *)dg_strdup(what);
        len = strlen(what);
    }
    char *kp = NULL;
    if (!pub) {
        char *priv = key_path(ctx, NULL);
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_adds(&b, priv ? priv : "");
        dg_buf_adds(&b, ".pub");
        kp = dg_buf_detach(&b);
        free(priv);
    }
    cert_key *key = NULL;
    rc = rc ? rc : cert_key_load(pub ? pub : kp, 1, &key, &err);
    free(kp);
    sqlite3 *db = NULL;
    if (!rc && !nodb && cli_open_db(ctx, 0, &db)) {
        free(data);
        cert_key_free(&key);
        return EXIT_DB;
    }
    char *payload = NULL;
    rc = rc ? rc : cert_payload_find(db, data, len, &payload, &err);
    free(data);
    cert_check chk;
    memset(&chk, 0, sizeof chk);
    rc = rc ? rc : cert_verify(db, key, payload, &chk, &err);
    /* with the archive at hand a verification discloses its record: logged */
    if (db && (rc == DG_OK || rc == DG_ENOTFOUND)) {
        dg_err lerr = {0};
        int bad = cert_verify_log(db, who, "cli", NULL, is_file || len >= 32 ? NULL : what,
                                  rc ? NULL : &chk, rc ? "notfound" : NULL, &lerr);
        if (bad) {
            rc = bad;
            err = lerr;
        }
    }
    if (db)
        db_close(&db);
    cert_key_free(&key);
    free(payload);
    if (rc) {
        cli_error("verify", "%s", err.msg);
        return cli_exit_for(rc);
    }
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_addf(&b, "{\"authentic\":%s,\"registered\":%s,\"amended\":[",
                    chk.authentic ? "true" : "false", chk.registered ? "true" : "false");
        for (size_t i = 0; i < chk.amended.n; i++) {
            if (i)
                dg_buf_addc(&b, ',');
            dg_buf_json_str(&b, chk.amended.v[i]);
        }
        dg_buf_adds(&b, "],\"content\":");
        dg_buf_adds(&b, chk.content ? chk.content : "null");
        dg_buf_adds(&b, ",\"reason\":");
        dg_buf_json_str(&b, chk.reason);
        dg_buf_addc(&b, '}');
        cli_print_json(&b);
    } else if (!chk.authentic) {
        printf("NOT AUTHENTIC: %s\n", chk.reason);
    } else {
        printf("authentic: signed by key %s, content unchanged\n", chk.key_id);
        printf("certified: %s\n", chk.content);
        if (!nodb)
            printf("%s\n", chk.registered ? "registered in this archive"
                                          : "NOT in this archive's certificate register");
        if (chk.checked_archive && !chk.amended.n)
            printf("the archive still holds every certified value (no amendment since)\n");
        for (size_t i = 0; i < chk.amended.n; i++)
            printf("CHANGED SINCE ISSUE: %s\n", chk.amended.v[i]);
    }
    int code = !chk.authentic ? EXIT_TAMPERED : chk.amended.n ? EXIT_PARTIAL : EXIT_OK;
    cert_check_release(&chk);
    return code;
}

const cli_command cmd_verify = {
    "verify", "check a certificate: authentic, unchanged, amended since?",
    "usage: dangan verify FILE.pdf|PAYLOAD|CODE [--pubkey FILE.pub] [--no-db]\n"
    "                     [--operator NAME] [--json]\n"
    "\n"
    "Reads the signed payload from a certificate PDF (its metadata), from the QR\n"
    "code's text (DGC1....), or finds it by the verification code printed on the\n"
    "page (XXXX-XXXX-XXXX-XXXX, in this archive's register). Checks the Ed25519\n"
    "signature with the public key (--pubkey, else the workspace key's .pub), then\n"
    "compares the certified values with the archive now and lists the amendments\n"
    "made since the issue. --no-db checks the signature only. With the archive, each\n"
    "verification is written to the access log and the audit chain (who: --operator,\n"
    "else the OS user; which certificate; the result), as the public page's are\n"
    "(who: public, with the client's address).\n"
    "\n"
    "exit: 0 authentic and current, 1 authentic but the record changed since,\n"
    "2 usage, 3 database, 5 no payload or code found, 7 NOT authentic\n",
    run_verify};
