/*
 * routes_more.c - the routes of the page view and the users page, kept out
 * of server.c's table so the two grow apart: server.c calls
 * web_route_more after the session and CSRF checks, before its 404.
 */
#include <string.h>

#include "web_internal.h"

int web_route_more(web_req *r, int get, int post)
{
    int64_t id;
    const char *p = r->path;
    if (get && strncmp(p, "/page/", 6) == 0 && (id = web_path_id(p + 6, ""))) {
        if (web_require(r, ARC_PERM_REVIEW_READ, "see pages and their fields"))
            web_page_view(r, id);
        return 1;
    }
    if (get && strncmp(p, "/record/", 8) == 0 && (id = web_path_id(p + 8, ""))) {
        if (web_require(r, ARC_PERM_REVIEW_READ, "see pages and their fields"))
            web_record_page(r, id);
        return 1;
    }
    if (get && strncmp(p, "/pageimg/", 9) == 0 && (id = web_path_id(p + 9, ".png"))) {
        if (web_require(r, ARC_PERM_REVIEW_READ, "see pages and their fields"))
            web_page_image(r, id);
        return 1;
    }
    if (get && strncmp(p, "/pageimg/", 9) == 0 && (id = web_path_id(p + 9, ".jpg"))) {
        if (web_require(r, ARC_PERM_REVIEW_READ, "see pages and their fields"))
            web_page_image_scaled(r, id);
        return 1;
    }
    if (get && strcmp(p, "/users") == 0) {
        if (web_require(r, ARC_PERM_USERS, "manage users"))
            web_users_page(r);
        return 1;
    }
    static const char *const actions[] = {"add", "role", "disable", "enable", "passwd"};
    if (post && strncmp(p, "/users/", 7) == 0)
        for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
            if (strcmp(p + 7, actions[i]) == 0) {
                if (web_require(r, ARC_PERM_USERS, "manage users"))
                    web_users_post(r, actions[i]);
                return 1;
            }
    return 0;
}
