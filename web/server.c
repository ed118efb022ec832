/*
 * server.c - the workbench's HTTP side (web.h): libmicrohttpd with a small
 * thread pool, one database connection per request, the login and its
 * CSRF cookie, sessions, the role check of every route, the CSRF check of
 * every POST, the security headers of every response, and one log line per
 * request.
 */
#include "web.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "certify.h"
#include "ratelimit.h"
#include "web_internal.h"

extern const char web_asset_app_css[], web_asset_app_js[];
extern const size_t web_asset_app_css_len, web_asset_app_js_len;

/* A form body bigger than this is refused: decisions are a few fields.
 * The verification page takes a certificate's PDF. */
#define BODY_MAX ((size_t)64 << 10)
#define VERIFY_BODY_MAX ((size_t)8 << 20)

/* No inline script or style, nothing from elsewhere, no framing. */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; form-action 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'";

struct web_server {
    struct MHD_Daemon *mhd;
    char *db_path;
    void (*log)(void *ud, const char *line);
    void *log_ud;
    int port;
    /* argon2id takes 64 MiB a login: one at a time keeps the server small */
    pthread_mutex_t login_lock;
    /* the review queue was last brought up to date at this run mark */
    pthread_mutex_t refresh_lock;
    int64_t refresh_mark;
    int loopback;      /* listening on 127.0.0.1: check the Host header */
    char *cert_key;    /* the certificates' signing key file */
    web_rl *verify_rl; /* the public verification page's rate limit */
};

char *web_cert_key_path(const web_req *r)
{
    return dg_strdup(r->srv->cert_key);
}

/* The client's IPv4 address as text into peer ("-" when unknown). */
static void peer_of(struct MHD_Connection *conn, char peer[INET6_ADDRSTRLEN])
{
    snprintf(peer, INET6_ADDRSTRLEN, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, peer,
                  INET6_ADDRSTRLEN);
}

void web_peer(const web_req *r, char peer[46])
{
    peer_of(r->conn, peer);
}

int web_verify_allowed(web_req *r)
{
    char peer[INET6_ADDRSTRLEN];
    peer_of(r->conn, peer);
    return web_rl_take(r->srv->verify_rl, peer, (int64_t)time(NULL));
}

int web_queue_refresh(web_req *r, dg_err *err)
{
    pthread_mutex_lock(&r->srv->refresh_lock);
    int rc = arc_review_refresh_since(r->db, &r->srv->refresh_mark, err);
    pthread_mutex_unlock(&r->srv->refresh_lock);
    return rc;
}

/* Per connection: the body as it arrives, and what the log line needs. */
typedef struct conn_ctx {
    struct timespec start;
    dg_buf body;
    int too_big;
    int status;
    size_t bytes;
    char user[ARC_USER_NAME_MAX + 1];
    char method[16];
    char path[256];
} conn_ctx;

int web_parse_listen(const char *s, char host[64], int *port, dg_err *err)
{
    host[0] = 0;
    const char *colon = strrchr(s, ':');
    const char *ps = colon ? colon + 1 : s;
    char *end;
    long p = strtol(ps, &end, 10);
    if (!*ps || *end || p < 0 || p > 65535)
        return dg_err_set(err, DG_EUSAGE,
                          "--listen wants HOST:PORT (e.g. 127.0.0.1:8420), not '%s'", s);
    if (colon) {
        size_t n = (size_t)(colon - s);
        if (n >= 64)
            return dg_err_set(err, DG_EUSAGE, "--listen: host '%.*s' is too long", (int)n, s);
        memcpy(host, s, n);
        host[n] = 0;
        struct in_addr a;
        if (n && strcmp(host, "localhost") != 0 && inet_pton(AF_INET, host, &a) != 1)
            return dg_err_set(err, DG_EUSAGE,
                              "--listen: '%s' is not an IPv4 address (e.g. 127.0.0.1)", host);
    }
    *port = (int)p;
    return DG_OK;
}

const char *web_arg(web_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decode one application/x-www-form-urlencoded token. */
static int form_decode(const char *s, size_t n, dg_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+')
            c = ' ';
        else if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        if (dg_buf_addc(out, c))
            return DG_ENOMEM;
    }
    return DG_OK;
}

int web_form(const web_req *r, const char *name, dg_buf *out)
{
    dg_buf_reset(out);
    if (!r->body)
        return 0;
    size_t nl = strlen(name);
    const char *p = r->body, *end = r->body + r->body_len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *kend = eq ? eq : stop;
        if ((size_t)(kend - p) == nl && memcmp(p, name, nl) == 0) {
            if (eq && form_decode(eq + 1, (size_t)(stop - eq - 1), out))
                return 0;
            return 1;
        }
        p = stop + 1;
    }
    return 0;
}

int web_esc(dg_buf *b, const char *s)
{
    int rc = 0;
    for (; s && *s && !rc; s++) {
        switch (*s) {
        case '&':
            rc = dg_buf_adds(b, "&amp;");
            break;
        case '<':
            rc = dg_buf_adds(b, "&lt;");
            break;
        case '>':
            rc = dg_buf_adds(b, "&gt;");
            break;
        case '"':
            rc = dg_buf_adds(b, "&quot;");
            break;
        case '\'':
            rc = dg_buf_adds(b, "&#39;");
            break;
        default:
            rc = dg_buf_addc(b, *s);
        }
    }
    return rc;
}

void web_page_begin(web_req *r, const char *title, const char *page)
{
    dg_buf *b = &r->out;
    dg_buf_adds(b, "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width\">");
    if (r->logged_in)
        dg_buf_addf(b, "<meta name=\"csrf\" content=\"%s\">", r->s.csrf);
    dg_buf_adds(b, "<title>");
    web_esc(b, title);
    dg_buf_adds(b, " · dangan</title><link rel=\"stylesheet\" href=\"/assets/app.css\">"
                   "<script src=\"/assets/app.js\" defer></script></head>\n<body data-page=\"");
    web_esc(b, page);
    dg_buf_adds(b, "\"><header><a class=\"brand\" href=\"/queue\">dangan 档案</a>");
    if (r->logged_in) {
        if (arc_role_can(r->s.role, ARC_PERM_REVIEW_READ))
            dg_buf_adds(b, "<a href=\"/queue\">review queue</a>");
        if (arc_role_can(r->s.role, ARC_PERM_BATCH_WATCH))
            dg_buf_adds(b, "<a href=\"/dashboard\">batches</a>");
        if (arc_role_can(r->s.role, ARC_PERM_LOOKUP))
            dg_buf_adds(b, "<a href=\"/search\">search</a>");
        if (arc_role_can(r->s.role, ARC_PERM_USERS))
            dg_buf_adds(b, "<a href=\"/users\">users</a>");
        dg_buf_adds(b, "<a href=\"/verify\">verify a certificate</a>");
        dg_buf_adds(b, "<span class=\"who\">");
        web_esc(b, r->s.user);
        dg_buf_addf(b,
                    " <em>%s</em></span><form method=\"post\" action=\"/logout\">"
                    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                    "<button type=\"submit\">log out</button></form>",
                    arc_role_name(r->s.role), r->s.csrf);
    }
    dg_buf_adds(b, "</header>\n<main>\n");
}

void web_page_end(web_req *r)
{
    dg_buf_adds(&r->out, "</main>\n</body></html>\n");
}

void web_redirect(web_req *r, const char *to)
{
    r->status = MHD_HTTP_SEE_OTHER;
    snprintf(r->location, sizeof r->location, "%s", to);
    dg_buf_reset(&r->out);
}

void web_error_page(web_req *r, int status, const char *title, const char *msg)
{
    dg_buf_reset(&r->out);
    r->status = status;
    r->ctype = "text/html; charset=utf-8";
    web_page_begin(r, title, "error");
    dg_buf_adds(&r->out, "<h1>");
    web_esc(&r->out, title);
    dg_buf_adds(&r->out, "</h1><p class=\"message\">");
    web_esc(&r->out, msg);
    dg_buf_adds(&r->out, "</p><p><a href=\"/queue\">the review queue</a></p>");
    web_page_end(r);
}

void web_json_error(web_req *r, int status, const char *code, const char *msg)
{
    dg_buf_reset(&r->out);
    r->status = status;
    r->ctype = "application/json";
    dg_buf_adds(&r->out, "{\"ok\":false,\"code\":");
    dg_buf_json_str(&r->out, code);
    dg_buf_adds(&r->out, ",\"error\":");
    dg_buf_json_str(&r->out, msg);
    dg_buf_adds(&r->out, "}");
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static void random_hex(char out[65])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
}

static int is_api(const web_req *r)
{
    return strncmp(r->path, "/api/", 5) == 0;
}

static void serve_asset(web_req *r, const char *data, size_t len, const char *ctype)
{
    r->status = MHD_HTTP_OK;
    r->ctype = ctype;
    dg_buf_add(&r->out, data, len);
}

/* The login page with a fresh login CSRF token, in a cookie and in the form:
 * a POST to /login must bring both (double submit), so no other site can
 * log a browser in as someone else. */
static void login_form(web_req *r, int status, const char *message)
{
    /* a browser keeps its token while it has one: a second GET of /login
     * (another tab, a redirected favicon) must not void the form it shows */
    char t[65];
    const char *have = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "dg_login");
    int reuse = have && strlen(have) == 64 && strspn(have, "0123456789abcdef") == 64;
    if (reuse)
        memcpy(t, have, 65);
    else
        random_hex(t);
    snprintf(r->cookie[0], sizeof r->cookie[0],
             "dg_login=%s; Path=/login; HttpOnly; SameSite=Strict", t);
    web_login_page(r, message, t);
    r->status = status;
}

/* The first page of a role. */
static const char *home_of(arc_role role)
{
    return arc_role_can(role, ARC_PERM_REVIEW_READ) ? "/queue"
           : arc_role_can(role, ARC_PERM_LOOKUP)    ? "/search"
                                                    : "/dashboard";
}

static void do_login(struct web_server *srv, web_req *r)
{
    dg_buf name, pw, csrf;
    dg_buf_init(&name, 4096);
    dg_buf_init(&pw, 4096);
    dg_buf_init(&csrf, 4096);
    web_form(r, "name", &name);
    web_form(r, "password", &pw);
    web_form(r, "csrf", &csrf);
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "dg_login");
    if (!arc_token_equal(cookie, csrf.data)) {
        login_form(r, MHD_HTTP_FORBIDDEN, "The login form was stale; please try again.");
    } else {
        arc_user u;
        dg_err err = {0};
        pthread_mutex_lock(&srv->login_lock);
        int rc = arc_user_login(r->db, name.data, pw.data, now_s(), &u, &err);
        pthread_mutex_unlock(&srv->login_lock);
        char peer[INET6_ADDRSTRLEN];
        peer_of(r->conn, peer);
        if (rc == DG_OK)
            rc = arc_session_new(r->db, u.id, now_s(), peer, &r->s, &err);
        if (rc) {
            login_form(r, rc == DG_EDB ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_UNAUTHORIZED,
                       err.msg);
        } else {
            r->logged_in = 1;
            snprintf(r->cookie[0], sizeof r->cookie[0],
                     "dg_session=%s; Path=/; HttpOnly; SameSite=Strict", r->s.token);
            snprintf(r->cookie[1], sizeof r->cookie[1],
                     "dg_login=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0");
            web_redirect(r, home_of(r->s.role));
        }
    }
    sodium_memzero(pw.data ? pw.data : (char *)"", pw.data ? pw.len : 0);
    dg_buf_release(&name);
    dg_buf_release(&pw);
    dg_buf_release(&csrf);
}

void web_kdf_lock(web_req *r, int lock)
{
    if (lock)
        pthread_mutex_lock(&r->srv->login_lock);
    else
        pthread_mutex_unlock(&r->srv->login_lock);
}

/* What each route needs; checked before the page is built. */
static int require(web_req *r, arc_perm p, const char *what)
{
    if (arc_role_can(r->s.role, p))
        return 1;
    char msg[256];
    snprintf(msg, sizeof msg, "Your role (%s) may not %s.", arc_role_name(r->s.role), what);
    if (is_api(r))
        web_json_error(r, MHD_HTTP_FORBIDDEN, "forbidden", msg);
    else
        web_error_page(r, MHD_HTTP_FORBIDDEN, "Not allowed", msg);
    return 0;
}

int64_t web_path_id(const char *s, const char *suffix)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v <= 0 || strcmp(end, suffix) != 0)
        return 0;
    return v;
}

/* On loopback only loopback names are answered: a page elsewhere whose name
 * was rebound to 127.0.0.1 gets nothing (DNS rebinding). */
static int host_ok(const struct web_server *srv, const web_req *r)
{
    if (!srv->loopback)
        return 1;
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    if (!h)
        return 1; /* HTTP/1.0 without Host: no name to have been rebound */
    size_t n = strcspn(h, ":");
    return (n == 9 && strncmp(h, "localhost", 9) == 0) ||
           (n == 9 && strncmp(h, "127.0.0.1", 9) == 0);
}

int web_require(web_req *r, arc_perm p, const char *what)
{
    return require(r, p, what);
}

static void route(struct web_server *srv, web_req *r)
{
    if (!host_ok(srv, r))
        return web_error_page(r, MHD_HTTP_MISDIRECTED_REQUEST, "Wrong host",
                              "This server answers to 127.0.0.1 and localhost only.");
    int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    int post = strcmp(r->method, "POST") == 0;
    if (get && strcmp(r->path, "/assets/app.css") == 0)
        return serve_asset(r, web_asset_app_css, web_asset_app_css_len, "text/css; charset=utf-8");
    if (get && strcmp(r->path, "/assets/app.js") == 0)
        return serve_asset(r, web_asset_app_js, web_asset_app_js_len,
                           "text/javascript; charset=utf-8");
    if (get && strcmp(r->path, "/favicon.ico") == 0) {
        r->status = MHD_HTTP_NOT_FOUND;
        r->ctype = "text/plain";
        return;
    }
    if (!get && !post)
        return web_error_page(r, MHD_HTTP_METHOD_NOT_ALLOWED, "Method not allowed",
                              "Only GET and POST are served.");

    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "dg_session");
    dg_err err = {0};
    r->logged_in = token && arc_session_get(r->db, token, now_s(), &r->s, &err) == DG_OK;
    /* anyone holding a certificate may check it: no login, no session's
     * CSRF token (it changes nothing), a rate limit per address instead */
    if (strcmp(r->path, "/verify") == 0)
        return web_verify_page(r);

    if (strcmp(r->path, "/login") == 0) {
        if (post)
            return do_login(srv, r);
        if (r->logged_in)
            return web_redirect(r, home_of(r->s.role));
        return login_form(r, MHD_HTTP_OK, NULL);
    }
    if (!r->logged_in) {
        if (is_api(r) || post)
            return web_json_error(r, MHD_HTTP_UNAUTHORIZED, "login", "Please log in.");
        return web_redirect(r, "/login");
    }
    if (post) {
        dg_buf csrf;
        dg_buf_init(&csrf, 4096);
        web_form(r, "csrf", &csrf);
        int ok = arc_token_equal(csrf.data, r->s.csrf);
        dg_buf_release(&csrf);
        if (!ok)
            return web_json_error(r, MHD_HTTP_FORBIDDEN, "csrf",
                                  "The request had no valid CSRF token; reload the page.");
    }
    if (post && strcmp(r->path, "/logout") == 0) {
        char peer[INET6_ADDRSTRLEN];
        peer_of(r->conn, peer);
        arc_session_end(r->db, token, peer, &err);
        r->logged_in = 0;
        snprintf(r->cookie[0], sizeof r->cookie[0],
                 "dg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        return web_redirect(r, "/login");
    }
    if (get && strcmp(r->path, "/") == 0)
        return web_redirect(r, home_of(r->s.role));
    if (get && strcmp(r->path, "/queue") == 0)
        return require(r, ARC_PERM_REVIEW_READ, "see the review queue") ? web_queue_page(r)
                                                                        : (void)0;
    if (get && strcmp(r->path, "/dashboard") == 0)
        return require(r, ARC_PERM_BATCH_WATCH, "watch batches") ? web_dashboard_page(r) : (void)0;
    if (get && strcmp(r->path, "/search") == 0)
        return require(r, ARC_PERM_LOOKUP, "search the archive") ? web_search_page(r) : (void)0;
    int64_t id;
    if (get && strncmp(r->path, "/provenance/", 12) == 0 && (id = web_path_id(r->path + 12, "")))
        return require(r, ARC_PERM_LOOKUP, "search the archive") ? web_provenance_page(r, id)
                                                                 : (void)0;
    if (get && strncmp(r->path, "/fieldcrop/", 11) == 0 && (id = web_path_id(r->path + 11, ".png")))
        return require(r, ARC_PERM_LOOKUP, "search the archive") ? web_field_crop(r, id) : (void)0;
    if (strncmp(r->path, "/certify/", 9) == 0 && (id = web_path_id(r->path + 9, ""))) {
        if (!require(r, ARC_PERM_CERTIFY, "issue certificates"))
            return;
        return post ? web_certify_issue(r, id) : web_certify_form(r, id);
    }
    if (get && strncmp(r->path, "/item/", 6) == 0 && (id = web_path_id(r->path + 6, "")))
        return require(r, ARC_PERM_REVIEW_READ, "see review items") ? web_item_page(r, id)
                                                                    : (void)0;
    if (get && strncmp(r->path, "/crop/", 6) == 0 && (id = web_path_id(r->path + 6, ".png")))
        return require(r, ARC_PERM_REVIEW_READ, "see review items") ? web_crop(r, id) : (void)0;
    if (get && strcmp(r->path, "/api/preview") == 0)
        return require(r, ARC_PERM_REVIEW_READ, "see review items") ? web_api_preview(r) : (void)0;
    if (post && strcmp(r->path, "/api/decide") == 0)
        return require(r, ARC_PERM_REVIEW_DECIDE, "decide review items") ? web_api_decide(r)
                                                                         : (void)0;
    if (post && strcmp(r->path, "/api/accept-items") == 0)
        return require(r, ARC_PERM_REVIEW_DECIDE, "decide review items") ? web_api_accept_items(r)
                                                                         : (void)0;
    if (web_route_more(r, get, post))
        return;
    if (is_api(r))
        return web_json_error(r, MHD_HTTP_NOT_FOUND, "notfound", "No such API.");
    web_error_page(r, MHD_HTTP_NOT_FOUND, "Not found", "There is no such page.");
}

static void add_headers(struct MHD_Response *resp, const web_req *r)
{
    MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control",
                            r->cacheable ? "private, max-age=300" : "no-store");
    if (r->location[0])
        MHD_add_response_header(resp, "Location", r->location);
    if (r->disposition[0])
        MHD_add_response_header(resp, "Content-Disposition", r->disposition);
    for (int i = 0; i < 2; i++)
        if (r->cookie[i][0])
            MHD_add_response_header(resp, "Set-Cookie", r->cookie[i]);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct web_server *srv = cls;
    conn_ctx *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &c->start);
        dg_buf_init(&c->body, strcmp(url, "/verify") == 0 ? VERIFY_BODY_MAX : BODY_MAX);
        snprintf(c->method, sizeof c->method, "%s", method);
        snprintf(c->path, sizeof c->path, "%s", url);
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!c->too_big && dg_buf_add(&c->body, upload, *upload_size))
            c->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    web_req r;
    memset(&r, 0, sizeof r);
    r.conn = conn;
    r.srv = srv;
    r.method = method;
    r.path = url;
    r.body = c->body.data ? c->body.data : "";
    r.body_len = c->body.len;
    r.status = MHD_HTTP_OK;
    dg_buf_init(&r.out, 0);
    dg_err err = {0};
    if (c->too_big) {
        web_json_error(&r, MHD_HTTP_CONTENT_TOO_LARGE, "too_big", "The request is too big.");
    } else if (db_open(srv->db_path, 0, &r.db, &err)) {
        web_error_page(&r, MHD_HTTP_SERVICE_UNAVAILABLE, "Database unavailable", err.msg);
    } else {
        route(srv, &r);
    }
    db_close(&r.db);
    struct MHD_Response *resp;
    if (r.bin) {
        resp = MHD_create_response_from_buffer(r.bin_len, r.bin, MHD_RESPMEM_MUST_FREE);
        c->bytes = r.bin_len;
    } else {
        resp = MHD_create_response_from_buffer(r.out.len, r.out.data ? r.out.data : (char *)"",
                                               MHD_RESPMEM_MUST_COPY);
        c->bytes = r.out.len;
    }
    dg_buf_release(&r.out);
    if (!resp) {
        free(r.bin);
        return MHD_NO;
    }
    add_headers(resp, &r);
    c->status = r.status;
    if (r.logged_in)
        snprintf(c->user, sizeof c->user, "%s", r.s.user);
    sodium_memzero(&r.s, sizeof r.s);
    enum MHD_Result q = MHD_queue_response(conn, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    return q;
}

/* One line per finished request (the log callback's contract in web.h). */
static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct web_server *srv = cls;
    conn_ctx *c = *con_cls;
    if (!c)
        return;
    if (srv->log) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        double ms = (double)(end.tv_sec - c->start.tv_sec) * 1e3 +
                    (double)(end.tv_nsec - c->start.tv_nsec) / 1e6;
        char peer[INET6_ADDRSTRLEN], now[32], line[768];
        peer_of(conn, peer);
        dg_now_iso(now);
        /* the path without its query: values typed into a correction stay
         * out of the log */
        char *q = strchr(c->path, '?');
        if (q)
            *q = 0;
        /* a decoded %0a must not forge a log line */
        for (char *p = c->path; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        snprintf(line, sizeof line, "%s %s %s %s %d %zuB %.1fms user=%s%s", now, peer, c->method,
                 c->path, c->status, c->bytes, ms, c->user[0] ? c->user : "-",
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
        srv->log(srv->log_ud, line);
    }
    dg_buf_release(&c->body);
    free(c);
    *con_cls = NULL;
}

int web_start(const web_opts *o, web_server **out, dg_err *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return dg_err_set(err, DG_ERR, "libsodium could not start (no random source?)");
    sqlite3 *db;
    if (db_open(o->db_path, 0, &db, err)) /* migrates once, before any request */
        return DG_EDB;
    db_close(&db);
    struct web_server *s = calloc(1, sizeof *s);
    if (!s || !(s->db_path = dg_strdup(o->db_path))) {
        free(s);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    s->log = o->log;
    s->log_ud = o->log_ud;
    pthread_mutex_init(&s->login_lock, NULL);
    pthread_mutex_init(&s->refresh_lock, NULL);
    s->cert_key =
        o->cert_key && *o->cert_key ? dg_strdup(o->cert_key) : cert_key_default_path(o->db_path);
    s->verify_rl = web_rl_new(WEB_RL_BURST, WEB_RL_REFILL_S);
    if (!s->cert_key || !s->verify_rl) {
        web_stop(&s);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    s->refresh_mark = -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    const char *host = o->host && *o->host && strcmp(o->host, "localhost") ? o->host : "127.0.0.1";
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        web_stop(&s);
        return dg_err_set(err, DG_EUSAGE, "'%s' is not an IPv4 address", host);
    }
    s->loopback = strcmp(host, "127.0.0.1") == 0;
    unsigned threads = o->threads > 0 ? (unsigned)o->threads : 4;
    s->mhd = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, answer, s,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                              completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
    if (!s->mhd) {
        web_stop(&s);
        return dg_err_set(err, DG_ERR,
                          "cannot listen on %s:%d (in use, or not an address of "
                          "this machine?)",
                          host, o->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : o->port;
    *out = s;
    return DG_OK;
}

int web_port(const web_server *srv)
{
    return srv->port;
}

void web_stop(web_server **srv)
{
    if (!srv || !*srv)
        return;
    if ((*srv)->mhd)
        MHD_stop_daemon((*srv)->mhd);
    pthread_mutex_destroy(&(*srv)->login_lock);
    pthread_mutex_destroy(&(*srv)->refresh_lock);
    free((*srv)->db_path);
    free((*srv)->cert_key);
    web_rl_free(&(*srv)->verify_rl);
    free(*srv);
    *srv = NULL;
}
