/*
 * cmd_serve.c - `dangan serve`: the operators' web workbench (web/web.h)
 * until SIGTERM or SIGINT.
 *
 * The signals are blocked before the server's threads start (they inherit
 * the mask) and taken here with sigwait, so stopping is an ordinary call
 * in an ordinary thread: no work in a signal handler.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "web.h"

static void log_line(void *ud, const char *line)
{
    (void)ud;
    /* one fprintf per line: stdio's lock keeps lines from threads whole */
    fprintf(stderr, "%s\n", line);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    const char *listen = "127.0.0.1:8420";
    int threads = 4;
    const char *key = getenv("DANGAN_CERT_KEY");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
            listen = argv[++i];
        else if (strncmp(argv[i], "--listen=", 9) == 0)
            listen = argv[i] + 9;
        else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            if (cli_parse_jobs("serve", argv[++i], &threads))
                return EXIT_USAGE;
        } else {
            cli_error("serve", "unknown argument '%s'; see 'dangan serve --help'", argv[i]);
            return EXIT_USAGE;
        }
    }
    char host[64];
    web_opts o = {0};
    dg_err err = {0};
    if (web_parse_listen(listen, host, &o.port, &err)) {
        cli_error("serve", "%s", err.msg);
        return EXIT_USAGE;
    }
    /* the workspace must exist: serving an empty new file helps nobody */
    sqlite3 *db;
    int code = cli_open_db(ctx, 0, &db);
    if (code)
        return code;
    db_close(&db);
    o.db_path = ctx->db_path;
    o.host = host[0] ? host : "127.0.0.1";
    o.threads = threads;
    o.cert_key = key && *key ? key : NULL;
    o.log = log_line;

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    web_server *srv;
    if (web_start(&o, &srv, &err)) {
        cli_error("serve", "%s", err.msg);
        return err.code == DG_EUSAGE ? EXIT_USAGE : cli_exit_for(err.code);
    }
    fprintf(stderr,
            "dangan serve: listening on http://%s:%d/ (database %s); stop with "
            "SIGTERM or Ctrl-C\n",
            o.host, web_port(srv), ctx->db_path);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "dangan serve: %s, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    web_stop(&srv);
    fprintf(stderr, "dangan serve: stopped\n");
    return EXIT_OK;
}

const cli_command cmd_serve = {
    "serve", "the operators' web workbench: review in a browser",
    "usage: dangan serve [--listen HOST:PORT] [--threads N] [--key FILE]\n"
    "\n"
    "Serves the review queue and items to browsers, with users and roles\n"
    "('dangan user add'). Listens on 127.0.0.1:8420 unless --listen says\n"
    "otherwise (port 0: any free port, printed at start). Pages, styles and\n"
    "scripts are built into dangan; nothing is fetched from elsewhere.\n"
    "Every request is logged to standard error in one line. SIGTERM or Ctrl-C\n"
    "stops it after the requests under way. See docs/workbench.md.\n"
    "\n"
    "Registrars issue certificates from the search (signed with --key, else\n"
    "$DANGAN_CERT_KEY, else certify-key.pem next to the database; see\n"
    "'dangan key init'); anyone may check one at /verify, without logging in.\n"
    "\n"
    "--threads N   requests served at once (default 4)\n"
    "--key FILE    the certificates' signing key (its public half: FILE.pub)\n"
    "\n"
    "exit: 0 stopped, 2 usage, 3 database, 4 cannot listen\n",
    run};
