/*
 * users_pages.c - the admins' users page (/users): every user with role,
 * state and last login; add, change role, disable, enable and reset a
 * password.  Each change is a plain form POST (CSRF token inside) that
 * redirects back with what happened; the library writes the audit event
 * naming the logged-in admin (users.h).
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web_internal.h"

static void role_select(dg_buf *b, const char *id, arc_role sel)
{
    dg_buf_addf(b, "<select name=\"role\" id=\"%s\">", id);
    for (int i = 0; i < ARC_ROLE_COUNT; i++)
        dg_buf_addf(b, "<option%s>%s</option>", (arc_role)i == sel ? " selected" : "",
                    arc_role_name((arc_role)i));
    dg_buf_adds(b, "</select>");
}

/* A form of one action on one user: hidden name and csrf, then inner. */
static void form_open(web_req *r, const char *action, const char *name)
{
    dg_buf_addf(&r->out,
                "<form method=\"post\" action=\"/users/%s\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"name\" value=\"",
                action, r->s.csrf);
    web_esc(&r->out, name);
    dg_buf_adds(&r->out, "\">");
}

void web_users_page(web_req *r)
{
    arc_users u;
    dg_err err = {0};
    if (arc_user_list(r->db, &u, &err))
        return web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Error", err.msg);
    r->ctype = "text/html; charset=utf-8";
    dg_buf *b = &r->out;
    web_page_begin(r, "Users", "users");
    dg_buf_addf(b, "<h1>Users <span class=\"count\">%zu</span></h1>", u.n);
    const char *msg = web_arg(r, "msg"), *bad = web_arg(r, "bad");
    if (msg || bad) {
        dg_buf_addf(b, "<p id=\"msg\" class=\"%s\">", bad ? "bad" : "good");
        web_esc(b, bad ? bad : msg);
        dg_buf_adds(b, "</p>");
    }
    dg_buf_addf(b,
                "<form class=\"adduser\" method=\"post\" action=\"/users/add\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><h2>Add a user</h2>"
                "<label>name <input name=\"name\" id=\"new-name\" autocomplete=\"off\" "
                "autofocus required pattern=\"[A-Za-z0-9._\\-]{1,64}\"></label><label>role ",
                r->s.csrf);
    role_select(b, "new-role", ARC_ROLE_OPERATOR);
    dg_buf_addf(b,
                "</label><label>password <input name=\"password\" id=\"new-password\" "
                "type=\"password\" autocomplete=\"new-password\" required minlength=\"%d\">"
                "</label><button type=\"submit\" id=\"add\">add</button></form>\n",
                ARC_PASSWORD_MIN);
    dg_buf_adds(b, "<table class=\"users\"><thead><tr><th>name</th><th>role</th><th>state</th>"
                   "<th>last login</th><th>change role</th><th></th><th>new password</th>"
                   "</tr></thead><tbody>");
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < u.n; i++) {
        const arc_user *x = &u.v[i];
        const char *state = x->disabled ? "disabled" : x->locked_until > now ? "locked" : "active";
        dg_buf_adds(b, "<tr id=\"user-");
        web_esc(b, x->name);
        dg_buf_adds(b, "\"><td class=\"name\">");
        web_esc(b, x->name);
        dg_buf_addf(b, "</td><td class=\"role\">%s</td><td class=\"ustate %s\">%s</td><td>",
                    arc_role_name(x->role), state, state);
        web_esc(b, x->last_login[0] ? x->last_login : "never");
        dg_buf_adds(b, "</td><td>");
        form_open(r, "role", x->name);
        char id[96];
        snprintf(id, sizeof id, "role-%s", x->name);
        role_select(b, id, x->role);
        dg_buf_adds(b, "<button type=\"submit\">set</button></form></td><td>");
        form_open(r, x->disabled ? "enable" : "disable", x->name);
        dg_buf_addf(b, "<button type=\"submit\" class=\"%s\">%s</button></form></td><td>",
                    x->disabled ? "enable" : "disable", x->disabled ? "enable" : "disable");
        form_open(r, "passwd", x->name);
        dg_buf_addf(b,
                    "<input name=\"password\" type=\"password\" autocomplete=\"new-password\" "
                    "required minlength=\"%d\" aria-label=\"new password\"><button "
                    "type=\"submit\">reset</button></form></td></tr>",
                    ARC_PASSWORD_MIN);
    }
    dg_buf_adds(b, "</tbody></table><p class=\"hint\">Every change here is an audit event "
                   "under your name (<code>dangan log</code>, <code>dangan audit "
                   "verify</code>). The last enabled admin cannot be disabled or given "
                   "another role.</p>");
    arc_users_release(&u);
    web_page_end(r);
}

/* Back to /users saying what happened (the text is ours, escaped in the
 * URL; the page escapes it again when it shows it). */
static void back(web_req *r, int ok, const char *text)
{
    dg_buf u;
    dg_buf_init(&u, 1024);
    dg_buf_adds(&u, ok ? "/users?msg=" : "/users?bad=");
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '_' || *p == '-')
            dg_buf_addc(&u, (char)*p);
        else
            dg_buf_addf(&u, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    web_redirect(r, u.data ? u.data : "/users");
    dg_buf_release(&u);
}

void web_users_post(web_req *r, const char *action)
{
    dg_buf name, pw, role_s;
    dg_buf_init(&name, 256);
    dg_buf_init(&pw, 1024);
    dg_buf_init(&role_s, 64);
    web_form(r, "name", &name);
    web_form(r, "password", &pw);
    web_form(r, "role", &role_s);
    const char *n = name.data ? name.data : "";
    dg_err err = {0};
    arc_role role = ARC_ROLE_OPERATOR;
    int rc;
    char done[256];
    if ((strcmp(action, "add") == 0 || strcmp(action, "role") == 0) &&
        arc_role_parse(role_s.data ? role_s.data : "", &role, &err)) {
        rc = DG_EUSAGE;
    } else if (strcmp(action, "add") == 0) {
        web_kdf_lock(r, 1);
        rc = arc_user_add(r->db, r->s.user, n, role, pw.data ? pw.data : "", &err);
        web_kdf_lock(r, 0);
        snprintf(done, sizeof done, "user %s added as %s", n, arc_role_name(role));
    } else if (strcmp(action, "passwd") == 0) {
        web_kdf_lock(r, 1);
        rc = arc_user_passwd(r->db, r->s.user, n, pw.data ? pw.data : "", &err);
        web_kdf_lock(r, 0);
        snprintf(done, sizeof done, "user %s has a new password", n);
    } else if (strcmp(action, "role") == 0) {
        rc = arc_user_set_role(r->db, r->s.user, n, role, &err);
        snprintf(done, sizeof done, "user %s is now %s", n, arc_role_name(role));
    } else if (strcmp(action, "disable") == 0) {
        rc = arc_user_disable(r->db, r->s.user, n, &err);
        snprintf(done, sizeof done, "user %s disabled", n);
    } else if (strcmp(action, "enable") == 0) {
        rc = arc_user_enable(r->db, r->s.user, n, &err);
        snprintf(done, sizeof done, "user %s enabled", n);
    } else {
        rc = dg_err_set(&err, DG_ENOTFOUND, "no such action");
    }
    if (pw.data)
        sodium_memzero(pw.data, pw.len);
    if (rc == DG_EDB)
        web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Error", err.msg);
    else
        back(r, rc == DG_OK, rc == DG_OK ? done : err.msg);
    dg_buf_release(&name);
    dg_buf_release(&pw);
    dg_buf_release(&role_s);
}
