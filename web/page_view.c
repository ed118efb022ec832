/*
 * page_view.c - a record's page view (/page/ID, /record/ID): the scan with
 * every field's box drawn on it in the colour of the field's state, each
 * box a link (Tab / j / k move, Enter opens) to the field's review item,
 * else to the provenance of the archived value, else to its row in the
 * table below.  The boxes are SVG over the page image, both scaled to
 * the display width (?w=, at most 1600 pixels): /pageimg/ID.jpg?w=W is the
 * page shrunk to W pixels across, /pageimg/ID.png the full scan page.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_internal.h"

/* The states in the legend's order, as the dashboard colours them. */
static const char *const legend[] = {"auto",     "verified", "review",    "invalid",
                                     "rejected", "missing",  "extracted"};

/* A square of the state's colour and its name (SVG: the CSP allows no
 * inline style, and the colours have one home, web_state_colour). */
static void swatch(dg_buf *b, const char *state)
{
    dg_buf_addf(b,
                "<span class=\"swatch\"><svg width=\"12\" height=\"12\" aria-hidden=\"true\">"
                "<rect width=\"12\" height=\"12\" fill=\"%s\"/></svg> ",
                web_state_colour(state));
    web_esc(b, state);
    dg_buf_adds(b, "</span>");
}

static void field_href(web_req *r, const arc_pv_field *f, char *out, size_t n)
{
    if (f->item)
        snprintf(out, n, "/item/%lld", (long long)f->item);
    else if (f->study && arc_role_can(r->s.role, ARC_PERM_LOOKUP))
        snprintf(out, n, "/provenance/%lld", (long long)f->study);
    else
        snprintf(out, n, "#row-%lld", (long long)f->id);
}

/* The page is shown at most this wide (?w= asks for less): a screen shows
 * no more, and a full scan is megabytes of PNG. */
enum { PV_MAX_WIDTH = 1600, PV_MIN_WIDTH = 200 };

/* ?w=, the width the page is shown at, within the bounds above. */
static int display_width(web_req *r)
{
    const char *ws = web_arg(r, "w");
    long w = ws ? strtol(ws, NULL, 10) : PV_MAX_WIDTH;
    return w < PV_MIN_WIDTH ? PV_MIN_WIDTH : w > PV_MAX_WIDTH ? PV_MAX_WIDTH : (int)w;
}

/* Page pixels to shown pixels: the factor pixScale is given (ocr/crop.c)
 * and Leptonica's rounding, so boxes land where the scaled text is. */
static int scaled(int v, double s)
{
    return (int)(v * s + 0.5);
}

static void boxes(web_req *r, const arc_page_view *v, int64_t record, int width)
{
    dg_buf *b = &r->out;
    double s = width < v->width ? (double)width / v->width : 1.0;
    int w = scaled(v->width, s), h = scaled(v->height, s);
    double sw = w > 0 ? (double)w / 500.0 : 2;
    sw = sw < 1 ? 1 : sw;
    dg_buf_addf(b,
                "<svg id=\"pagesvg\" class=\"pageview\" viewBox=\"0 0 %d %d\" "
                "preserveAspectRatio=\"xMidYMin meet\" role=\"group\" aria-label=\"page %d "
                "with %zu fields\" data-scale=\"%.6f\"><image href=\"/pageimg/%lld.jpg?w=%d\" "
                "x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>",
                w, h, v->page_index + 1, v->n, s, (long long)v->page, width, w, h);
    for (size_t i = 0; i < v->n; i++) {
        const arc_pv_field *f = &v->v[i];
        if (f->w <= 0 || f->h <= 0)
            continue; /* a missing field has no box */
        char href[64];
        field_href(r, f, href, sizeof href);
        const char *c = web_state_colour(f->state);
        int cur = record && f->record == record;
        dg_buf_addf(b,
                    "<a href=\"%s\" class=\"field%s\" id=\"box-%lld\" data-field=\"%lld\" "
                    "data-state=\"%s\" data-record=\"%lld\"><rect x=\"%d\" y=\"%d\" "
                    "width=\"%d\" height=\"%d\" fill=\"%s\" fill-opacity=\"0.18\" "
                    "stroke=\"%s\" stroke-width=\"%.1f\"/><title>",
                    href, cur ? " current" : "", (long long)f->id, (long long)f->id, f->state,
                    (long long)f->record, scaled(f->x, s), scaled(f->y, s),
                    scaled(f->x + f->w, s) - scaled(f->x, s),
                    scaled(f->y + f->h, s) - scaled(f->y, s), c, c, cur ? sw * 2 : sw);
        web_esc(b, f->key);
        dg_buf_adds(b, ": ");
        web_esc(b, f->value);
        dg_buf_addf(b, " (%s)</title></a>", f->state);
    }
    dg_buf_adds(b, "</svg>");
}

static void table(web_req *r, const arc_page_view *v, int64_t record)
{
    dg_buf *b = &r->out;
    dg_buf_adds(b, "<table class=\"pvfields\"><thead><tr><th>record</th><th>field</th>"
                   "<th>value</th><th>state</th><th>p</th><th>review</th><th>archive</th>"
                   "</tr></thead><tbody>");
    for (size_t i = 0; i < v->n; i++) {
        const arc_pv_field *f = &v->v[i];
        dg_buf_addf(b, "<tr id=\"row-%lld\" class=\"%s\"><td>%lld%s</td><td>", (long long)f->id,
                    record && f->record == record ? "current" : "", (long long)f->record,
                    f->row_no ? "" : " (card)");
        web_esc(b, f->key);
        dg_buf_adds(b, "</td><td class=\"value\">");
        web_esc(b, f->value);
        dg_buf_adds(b, "</td><td>");
        swatch(b, f->state);
        dg_buf_adds(b, "</td><td>");
        if (f->has_p)
            dg_buf_addf(b, "%.2f", f->p);
        dg_buf_adds(b, "</td><td>");
        if (f->item) {
            dg_buf_addf(b, "<a href=\"/item/%lld\">#%lld</a> ", (long long)f->item,
                        (long long)f->item);
            web_esc(b, f->item_state);
        }
        dg_buf_adds(b, "</td><td>");
        if (f->study && arc_role_can(r->s.role, ARC_PERM_LOOKUP))
            dg_buf_addf(b, "<a href=\"/provenance/%lld\">study %lld</a>", (long long)f->study,
                        (long long)f->study);
        else if (f->study)
            dg_buf_addf(b, "study %lld", (long long)f->study);
        dg_buf_adds(b, "</td></tr>");
    }
    dg_buf_adds(b, "</tbody></table>");
}

void web_page_view(web_req *r, int64_t page)
{
    arc_page_view v;
    dg_err err = {0};
    int rc = arc_page_view_read(r->db, page, &v, &err);
    if (rc)
        return web_error_page(r,
                              rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                                                 : MHD_HTTP_INTERNAL_SERVER_ERROR,
                              "Page", err.msg);
    const char *rs = web_arg(r, "record");
    int64_t record = rs ? strtoll(rs, NULL, 10) : 0;
    int width = display_width(r);
    r->ctype = "text/html; charset=utf-8";
    dg_buf *b = &r->out;
    char title[64];
    snprintf(title, sizeof title, "Page %lld", (long long)page);
    web_page_begin(r, title, "pageview");
    dg_buf_adds(b, "<nav class=\"itemnav\"><a href=\"/queue\">queue</a>");
    if (v.prev)
        dg_buf_addf(b, " <a id=\"prevpage\" href=\"/page/%lld\">← page <kbd>[</kbd></a>",
                    (long long)v.prev);
    if (v.next)
        dg_buf_addf(b, " <a id=\"nextpage\" href=\"/page/%lld\"><kbd>]</kbd> page →</a>",
                    (long long)v.next);
    dg_buf_addf(b, "</nav><h1>Page %d of <span class=\"file\">", v.page_index + 1);
    web_esc(b, v.path);
    dg_buf_addf(b, "</span> <span class=\"hint\">· batch %lld · ", (long long)v.batch);
    web_esc(b, v.form[0] ? v.form : "unknown form");
    dg_buf_addf(b, " · %zu fields", v.n);
    if (record)
        dg_buf_addf(b, " · record %lld drawn thicker", (long long)record);
    dg_buf_adds(b, "</span></h1><p class=\"legend-line\">");
    for (size_t i = 0; i < sizeof legend / sizeof *legend; i++) {
        swatch(b, legend[i]);
        dg_buf_adds(b, " ");
    }
    dg_buf_adds(b, "· <kbd>Tab</kbd>/<kbd>j</kbd>/<kbd>k</kbd> move between boxes, "
                   "<kbd>Enter</kbd> opens the review item or the archived value's "
                   "provenance</p><div id=\"fieldinfo\" role=\"status\"></div>");
    dg_buf_addf(b,
                "<p class=\"hint\">Shown at most %d pixels wide; <a id=\"fullres\" "
                "href=\"/pageimg/%lld.png\">the page at full resolution</a> (%d × %d, PNG)."
                "</p><div class=\"pagewrap\">",
                width, (long long)page, v.width, v.height);
    boxes(r, &v, record, width);
    dg_buf_adds(b, "</div>");
    table(r, &v, record);
    arc_page_view_release(&v);
    web_page_end(r);
}

void web_record_page(web_req *r, int64_t record)
{
    int64_t page = 0;
    dg_err err = {0};
    int rc = arc_record_page(r->db, record, &page, &err);
    if (rc)
        return web_error_page(r,
                              rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                                                 : MHD_HTTP_INTERNAL_SERVER_ERROR,
                              "Record", err.msg);
    char to[96];
    snprintf(to, sizeof to, "/page/%lld?record=%lld", (long long)page, (long long)record);
    web_redirect(r, to);
}

/* The reply for a page image arc_page_png/arc_page_jpeg made (rc, err). */
static void image_reply(web_req *r, int rc, const dg_err *err, const char *ctype)
{
    if (rc) {
        r->bin = NULL;
        return web_error_page(r,
                              rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                                                 : MHD_HTTP_INTERNAL_SERVER_ERROR,
                              "Page image", err->msg);
    }
    r->status = MHD_HTTP_OK;
    r->ctype = ctype;
    r->cacheable = 1;
}

void web_page_image(web_req *r, int64_t page)
{
    dg_err err = {0};
    int rc = arc_page_png(r->db, page, &r->bin, &r->bin_len, &err);
    image_reply(r, rc, &err, "image/png");
}

void web_page_image_scaled(web_req *r, int64_t page)
{
    dg_err err = {0};
    int rc = arc_page_jpeg(r->db, page, display_width(r), &r->bin, &r->bin_len, &err);
    image_reply(r, rc, &err, "image/jpeg");
}
