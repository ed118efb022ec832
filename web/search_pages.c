/*
 * search_pages.c - the registrars' search: the lookup (arc_lookup_run, as
 * `dangan lookup` runs it, logged under the logged-in user) and, one click
 * away, the provenance of each archived value with the crop of its box
 * (logged as `dangan provenance` logs it).
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldkeys.h"
#include "web_internal.h"

static void input(dg_buf *b, const char *name, const char *label, const char *value,
                  const char *hint)
{
    dg_buf_addf(b, "<label>%s <input name=\"%s\" value=\"", label, name);
    web_esc(b, value);
    dg_buf_addf(b, "\" placeholder=\"%s\"></label>", hint);
}

static void hit_row(dg_buf *b, const arc_lookup_hit *h, int can_certify)
{
    dg_buf_addf(b, "<tr><td><a href=\"/provenance/%lld\">study %lld</a>", (long long)h->record,
                (long long)h->record);
    /* one click from a found record to its certificate (certify_page.c) */
    if (can_certify)
        dg_buf_addf(b, " <a class=\"certify\" href=\"/certify/%lld\">certify</a>",
                    (long long)h->record);
    dg_buf_addf(b, "</td><td>%d</td><td>", h->score);
    for (int k = 0; k < ARC_NFIELDS; k++) {
        if (!h->fields[k])
            continue;
        dg_buf_addf(b, "<span class=\"kv\"><em>%s</em> ", dg_field_keys[k].key);
        web_esc(b, h->fields[k]);
        dg_buf_adds(b, "</span> ");
    }
    dg_buf_adds(b, "</td><td class=\"detail\">");
    for (size_t i = 0; i < h->nwhy; i++) {
        web_esc(b, h->why[i]);
        if (i + 1 < h->nwhy)
            dg_buf_adds(b, "; ");
    }
    dg_buf_adds(b, "</td></tr>\n");
}

void web_search_page(web_req *r)
{
    arc_lookup_query q;
    memset(&q, 0, sizeof q);
    q.name = web_arg(r, "name");
    q.born = web_arg(r, "born");
    q.graduated = web_arg(r, "graduated");
    q.major = web_arg(r, "major");
    q.who = r->s.user;
    /* empty fields are no criteria */
    q.name = q.name && *q.name ? q.name : NULL;
    q.born = q.born && *q.born ? q.born : NULL;
    q.graduated = q.graduated && *q.graduated ? q.graduated : NULL;
    q.major = q.major && *q.major ? q.major : NULL;
    dg_buf *b = &r->out;
    r->ctype = "text/html; charset=utf-8";
    web_page_begin(r, "Search", "search");
    dg_buf_adds(b, "<h1>Search the archive</h1><form class=\"filter\" method=\"get\" "
                   "action=\"/search\">");
    input(b, "name", "name", q.name, "汉字 or pinyin");
    input(b, "born", "born", q.born, "YYYY or YYYY-MM");
    input(b, "graduated", "graduated", q.graduated, "YYYY");
    input(b, "major", "major", q.major, "name or code");
    dg_buf_adds(b,
                "<button type=\"submit\">search</button></form>\n"
                "<p class=\"keys\">Every search is kept in the access log under your name.</p>\n");
    if (q.name || q.born || q.graduated || q.major) {
        arc_lookup *lk = NULL;
        arc_lookup_result res;
        memset(&res, 0, sizeof res);
        dg_err err = {0};
        int rc = arc_lookup_new(r->db, NULL, &lk, &err);
        rc = rc ? rc : arc_lookup_run(lk, &q, &res, &err);
        if (rc) {
            dg_buf_adds(b, "<p class=\"message\">");
            web_esc(b, err.msg);
            dg_buf_adds(b, "</p>");
        } else {
            dg_buf_addf(b,
                        "<h2>%zu found</h2><table class=\"hits\"><thead><tr><th>record</th>"
                        "<th>score</th><th>archived values</th><th>why</th></tr></thead>"
                        "<tbody>\n",
                        res.n);
            for (size_t i = 0; i < res.n; i++)
                hit_row(b, &res.hits[i], arc_role_can(r->s.role, ARC_PERM_CERTIFY));
            dg_buf_adds(b, "</tbody></table>\n");
        }
        arc_lookup_result_release(&res);
        arc_lookup_free(&lk);
    }
    web_page_end(r);
}

static void lines(dg_buf *b, const char *title, const arc_lines *l)
{
    if (!l->n)
        return;
    dg_buf_addf(b, "<div class=\"lines\"><em>%s</em><ul>", title);
    for (size_t i = 0; i < l->n; i++) {
        dg_buf_adds(b, "<li>");
        web_esc(b, l->v[i]);
        dg_buf_adds(b, "</li>");
    }
    dg_buf_adds(b, "</ul></div>");
}

static void prov_value(dg_buf *b, const arc_prov_value *v)
{
    dg_buf_adds(b, "<section class=\"prov\"><h2>");
    web_esc(b, v->key);
    dg_buf_adds(b, " <span class=\"big\">");
    web_esc(b, v->value);
    dg_buf_addf(b,
                "</span></h2><figure class=\"crop\"><img src=\"/fieldcrop/%lld.png\" "
                "alt=\"the box the value was read from\"></figure><dl class=\"value\">",
                (long long)v->field);
    char buf[256];
    dg_buf_adds(b, "<dt>scan</dt><dd>");
    web_esc(b, v->file);
    snprintf(buf, sizeof buf, ", page %d, box x=%d y=%d w=%d h=%d", v->page, v->x, v->y, v->w,
             v->h);
    web_esc(b, buf);
    dg_buf_adds(b, "</dd><dt>sha256</dt><dd class=\"detail\">");
    web_esc(b, v->sha256);
    dg_buf_addf(b, "</dd><dt>record</dt><dd>%lld (", (long long)v->record);
    web_esc(b, v->role);
    dg_buf_adds(b, ")</dd><dt>read</dt><dd>");
    web_esc(b, v->raw);
    snprintf(buf, sizeof buf, " (confidence min %.0f, mean %.0f; rule ", v->conf_min, v->conf_mean);
    web_esc(b, buf);
    web_esc(b, v->rule);
    dg_buf_adds(b, ")</dd><dt>field</dt><dd>");
    web_esc(b, v->field_value);
    dg_buf_adds(b, " (");
    web_esc(b, v->state);
    dg_buf_adds(b, ")</dd>");
    if (v->match_decision) {
        dg_buf_adds(b, "<dt>match</dt><dd>");
        web_esc(b, v->match_decision);
        dg_buf_adds(b, " ");
        web_esc(b, v->match_code);
        dg_buf_adds(b, " ");
        web_esc(b, v->match_name);
        dg_buf_adds(b, "</dd>");
    }
    dg_buf_adds(b, "</dl>");
    lines(b, "OCR words", &v->words);
    lines(b, "normalization steps", &v->steps);
    lines(b, "match candidates", &v->candidates);
    lines(b, "review decisions", &v->decisions);
    dg_buf_adds(b, "</section>\n");
}

void web_provenance_page(web_req *r, int64_t study)
{
    dg_err err = {0};
    /* showing archived values is an access: logged first, as the CLI does */
    char q[64], shown[48];
    snprintf(q, sizeof q, "{\"study\":%lld,\"field\":null}", (long long)study);
    snprintf(shown, sizeof shown, "[%lld]", (long long)study);
    arc_provenance_result pr;
    int rc = arc_access_log(r->db, r->s.user, "provenance", q, shown, &err);
    rc = rc ? rc : arc_provenance(r->db, study, NULL, &pr, &err);
    if (rc)
        return web_error_page(
            r, rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR,
            rc == DG_ENOTFOUND ? "Not found" : "Error", err.msg);
    dg_buf *b = &r->out;
    r->ctype = "text/html; charset=utf-8";
    char title[64];
    snprintf(title, sizeof title, "Study %lld", (long long)study);
    web_page_begin(r, title, "provenance");
    dg_buf_addf(b,
                "<nav class=\"itemnav\"><a href=\"/search\">search</a></nav><h1>Study %lld "
                "<span class=\"count\">%zu archived values</span></h1>\n",
                (long long)study, pr.n);
    for (size_t i = 0; i < pr.n; i++)
        prov_value(b, &pr.v[i]);
    web_page_end(r);
    arc_provenance_release(&pr);
}

void web_field_crop(web_req *r, int64_t field)
{
    dg_err err = {0};
    int rc = arc_field_crop_png(r->db, field, 40, &r->bin, &r->bin_len, &err);
    if (rc)
        return web_error_page(
            r, rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR, "No crop",
            err.msg);
    r->ctype = "image/png";
    r->cacheable = 1;
}
