/*
 * web_internal.h - what server.c (HTTP, sessions, routing) and the page
 * builders (pages.c, review_pages.c) share.  Not installed.
 */
#ifndef DANGAN_WEB_INTERNAL_H
#define DANGAN_WEB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "common.h"
#include "db.h"
#include "users.h"

struct MHD_Connection;
struct web_server;

/* One request and the response being built for it. */
typedef struct web_req {
    struct MHD_Connection *conn;
    struct web_server *srv;
    const char *method, *path;
    const char *body; /* the POST body (form-urlencoded), NUL-terminated */
    size_t body_len;
    sqlite3 *db; /* opened for this request */
    int logged_in;
    arc_session s; /* when logged_in */
    /* the response */
    int status;
    const char *ctype;
    dg_buf out;
    unsigned char *bin; /* a binary body instead of out (freed by server.c) */
    size_t bin_len;
    int cacheable;      /* may be kept by the browser a few minutes (crops) */
    char location[512]; /* redirect target */
    char disposition[160]; /* Content-Disposition, when a download */
    char cookie[2][256];
} web_req;

/* The query string's argument name (decoded), NULL when absent. */
const char *web_arg(web_req *r, const char *name);
/* The POST body's form field name, decoded into out (reset first); 1 when
 * present. */
int web_form(const web_req *r, const char *name, dg_buf *out);

/* Append s HTML-escaped (also quotes, so it is safe in attributes). */
int web_esc(dg_buf *b, const char *s);
/* Append the standard head (title, styles, script, CSRF meta), the top bar
 * and the opening of main; page names the script's behaviour. */
void web_page_begin(web_req *r, const char *title, const char *page);
void web_page_end(web_req *r);

/* Bring the review queue up to date when a stage ran since the last time
 * (arc_review_refresh_since, one at a time). */
int web_queue_refresh(web_req *r, dg_err *err);

/* 1 when the session's role may do p; else the 403 (page or JSON) naming
 * what is built and 0. */
int web_require(web_req *r, arc_perm p, const char *what);
/* Hold (1) or release (0) the server's one-at-a-time lock of the password
 * KDF (argon2id's 64 MiB): logins, and admins setting passwords. */
void web_kdf_lock(web_req *r, int lock);
/* The routes of routes_more.c (page view, users): 1 when r was one. */
int web_route_more(web_req *r, int get, int post);
/* The id a route's path ends with: s is "<id><suffix>" with id > 0, else 0
 * (server.c). */
int64_t web_path_id(const char *s, const char *suffix);

/* Responses. */
void web_redirect(web_req *r, const char *to);
void web_error_page(web_req *r, int status, const char *title, const char *msg);
void web_json_error(web_req *r, int status, const char *code, const char *msg);

/* Pages and API (review_pages.c, pages.c). */
void web_login_page(web_req *r, const char *message, const char *login_csrf);
void web_queue_page(web_req *r);
void web_item_page(web_req *r, int64_t id);
void web_crop(web_req *r, int64_t id);
void web_api_preview(web_req *r);
void web_api_decide(web_req *r);
void web_api_accept_items(web_req *r);
void web_dashboard_page(web_req *r);
void web_search_page(web_req *r);
void web_provenance_page(web_req *r, int64_t study);
void web_field_crop(web_req *r, int64_t field);
/* page_view.c: the page with its fields' boxes; /record/ID redirects to
 * its page; the page image. */
void web_page_view(web_req *r, int64_t page);
void web_record_page(web_req *r, int64_t record);
void web_page_image(web_req *r, int64_t page);
/* /pageimg/ID.jpg?w=W: the page shrunk to W pixels across (200..1600). */
void web_page_image_scaled(web_req *r, int64_t page);
/* users_pages.c: the admins' users page and its form posts (action: add,
 * role, disable, enable, passwd). */
void web_users_page(web_req *r);
void web_users_post(web_req *r, const char *action);
/* throughput.c: a batch's pages read, decisions and records loaded per
 * hour (per day for a long batch), as SVG. */
void web_throughput_plot(dg_buf *b, const arc_dash_batch *x);
/* A time plot's bar (class cls, NULL: none) titled "WHEN: N WHAT", and the
 * first and last period's labels under the base line at y = base (last
 * NULL: one period only), for the throughput and the hour plots alike. */
void web_plot_bar(dg_buf *b, const char *cls, double x, double y, double w, double h,
                  const char *fill, const char *when, int64_t n, const char *what);
void web_plot_time_labels(dg_buf *b, double left, double right, double base, const char *first,
                          const char *last);
/* dashboard.c: the colour of a field/page/item state, one for every plot. */
const char *web_state_colour(const char *state);

/* Certificates (certify_page.c, verify_page.c): the registrar's form and
 * issue, and the public verification page (no login, rate-limited). */
void web_certify_form(web_req *r, int64_t study);
void web_certify_issue(web_req *r, int64_t study);
void web_verify_page(web_req *r);
/* The signing key's file (web_opts.cert_key, else next to the database);
 * its public half is the same name with .pub.  Caller frees. */
char *web_cert_key_path(const web_req *r);
/* 1 when the client's address may verify once more now (a token bucket
 * per address, ratelimit.c); 0 when it has asked too often. */
int web_verify_allowed(web_req *r);
/* The client's IPv4 address as text ("-" when unknown). */
void web_peer(const web_req *r, char peer[46]);

#endif
