/*
 * pages.c - the login page.  (The review pages are review_pages.c.)
 */
#include "web_internal.h"

void web_login_page(web_req *r, const char *message, const char *login_csrf)
{
    dg_buf *b = &r->out;
    dg_buf_reset(b);
    r->ctype = "text/html; charset=utf-8";
    web_page_begin(r, "Log in", "login");
    dg_buf_adds(b, "<form class=\"login\" method=\"post\" action=\"/login\">"
                   "<h1>Log in</h1><p class=\"sub\">The operators' workbench of the graduate "
                   "records archive.</p>");
    if (message) {
        dg_buf_adds(b, "<p class=\"message\" id=\"msg\">");
        web_esc(b, message);
        dg_buf_adds(b, "</p>");
    }
    dg_buf_adds(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    web_esc(b, login_csrf);
    dg_buf_adds(b,
                "\"><label>name <input name=\"name\" id=\"name\" autocomplete=\"username\" "
                "autofocus required></label><label>password <input name=\"password\" "
                "id=\"password\" type=\"password\" autocomplete=\"current-password\" "
                "required></label><button type=\"submit\" id=\"login\">log in</button></form>\n");
    web_page_end(r);
}
