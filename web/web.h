/*
 * web.h - the operators' workbench: an HTTP server (libmicrohttpd) over the
 * workspace database, for review in a browser (issue #22).
 *
 * One process serves many browsers from a small pool of threads; each
 * request opens the database itself (db_open: WAL, busy timeout) and
 * closes it, so a request never waits on another's connection and the
 * CLI can work on the same file meanwhile.  Pages, styles and scripts are
 * compiled into the binary (web/assets, embedded at build time); nothing
 * is fetched from elsewhere.  Users, roles and sessions are archive/users.h;
 * every route checks the session's role on the server, every POST its
 * CSRF token, except the one public page, /verify, where anyone checks a
 * certificate of record (certify.h): it changes nothing and is
 * rate-limited per client address instead.  Review decisions go through arc_review_decide with the
 * logged-in user as the operator.
 *
 * The library never prints: each finished request is handed to opts->log
 * as one line (no newline), from the server's threads.
 */
#ifndef DANGAN_WEB_H
#define DANGAN_WEB_H

#include "common.h"
#include "db.h"

typedef struct web_opts {
    const char *db_path; /* the workspace; must exist (copied) */
    const char *host;    /* dotted IPv4 address to listen on; NULL: 127.0.0.1 */
    int port;            /* 0: any free port (see web_port) */
    int threads;         /* <= 0: 4 */
    const char *cert_key; /* certificates' signing key; NULL: certify-key.pem
                             next to the database (certify.h) */
    /* one line per request: time, peer, method, path, status, bytes,
     * milliseconds, user; may be called from several threads at once */
    void (*log)(void *ud, const char *line);
    void *log_ud;
} web_opts;

typedef struct web_server web_server;

/* "HOST:PORT", ":PORT" or "PORT" into host (room for 64 bytes; "" when not
 * given) and port.  DG_EUSAGE with a message for anything else. */
int web_parse_listen(const char *s, char host[64], int *port, dg_err *err);

/* Check the database opens, then listen and serve in the background.
 * *out is released with web_stop. */
int web_start(const web_opts *opts, web_server **out, dg_err *err);
/* The port actually listened on. */
int web_port(const web_server *srv);
/* Stop accepting, finish the requests under way, free; *srv becomes NULL. */
void web_stop(web_server **srv);

/* The batch dashboard as one self-contained HTML file (styles inside, no
 * script, nothing fetched): what `dangan report --html` writes.  Reads
 * only; the caller refreshes the review queue first if it wants. */
int web_report_html(sqlite3 *db, dg_buf *out, dg_err *err);

#endif
