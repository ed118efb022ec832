/*
 * dashboard.c - the batch dashboard: per batch, pages, fields and review
 * items by state, quarantined files and why, the distribution of p and the
 * QA sample's verdict; for the workspace, the review backlog hour by hour
 * with what was settled, and pages read.  The plots are SVG drawn here
 * (presentation attributes only: the CSP allows no inline style).
 */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "web.h"
#include "web_internal.h"

extern const char web_asset_app_css[];
extern const size_t web_asset_app_css_len;

/* A colour per state, the same on every plot. */
static const char *colour_of(const char *state)
{
    static const char *const map[][2] = {
        {"auto", "#3b7d4f"},         {"verified", "#1f5fa8"}, {"extracted", "#8fb3de"},
        {"review", "#e0a030"},       {"open", "#e0a030"},     {"invalid", "#b3261e"},
        {"failed", "#b3261e"},       {"rejected", "#6b3fa0"}, {"missing", "#9aa3ad"},
        {"unknown_form", "#d4702c"}, {"read", "#5b8fc9"},     {"new", "#c9d1db"},
        {"accepted", "#3b7d4f"},     {"picked", "#4f9a66"},   {"corrected", "#1f5fa8"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i][0], state) == 0)
            return map[i][1];
    return "#7d8794";
}

const char *web_state_colour(const char *state)
{
    return colour_of(state);
}

static int64_t total_of(const arc_counts *c)
{
    int64_t t = 0;
    for (size_t i = 0; i < c->n; i++)
        t += c->v[i].n;
    return t;
}

/* One horizontal bar split by state, and its legend. */
static void stack(dg_buf *b, const char *title, const arc_counts *c, const char *cls)
{
    int64_t total = total_of(c);
    dg_buf_addf(b, "<div class=\"plot %s\"><h3>", cls);
    web_esc(b, title);
    dg_buf_addf(b, " <span class=\"count\">%lld</span></h3>", (long long)total);
    if (!total) {
        dg_buf_adds(b, "<p class=\"empty\">none</p></div>");
        return;
    }
    const double w = 480, h = 22;
    dg_buf_addf(b,
                "<svg class=\"stack\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                "role=\"img\">",
                w, h, w, h);
    double x = 0;
    for (size_t i = 0; i < c->n; i++) {
        double bw = w * (double)c->v[i].n / (double)total;
        dg_buf_addf(b,
                    "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\">"
                    "<title>",
                    x, bw, h, colour_of(c->v[i].name));
        web_esc(b, c->v[i].name);
        dg_buf_addf(b, ": %lld</title></rect>", (long long)c->v[i].n);
        x += bw;
    }
    dg_buf_adds(b, "</svg><ul class=\"legend\">");
    for (size_t i = 0; i < c->n; i++) {
        dg_buf_addf(b,
                    "<li><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" "
                    "fill=\"%s\"/></svg> ",
                    colour_of(c->v[i].name));
        web_esc(b, c->v[i].name);
        dg_buf_addf(b, " %lld</li>", (long long)c->v[i].n);
    }
    dg_buf_adds(b, "</ul></div>\n");
}

/* The distribution of p: ten bars, the least certain on the left. */
static void p_histogram(dg_buf *b, const int64_t *bins)
{
    int64_t max = 0, total = 0;
    for (int i = 0; i < ARC_DASH_PBINS; i++) {
        max = bins[i] > max ? bins[i] : max;
        total += bins[i];
    }
    dg_buf_addf(b,
                "<div class=\"plot phist\"><h3>p of the values <span class=\"count\">%lld "
                "weighed</span></h3>",
                (long long)total);
    if (!total) {
        dg_buf_adds(b, "<p class=\"empty\">no value weighed</p></div>");
        return;
    }
    const double bw = 34, gap = 4, top = 14, ph = 90, w = ARC_DASH_PBINS * (bw + gap);
    dg_buf_addf(b, "<svg class=\"hist\" width=\"%.0f\" height=\"%.0f\" role=\"img\">", w,
                top + ph + 16);
    for (int i = 0; i < ARC_DASH_PBINS; i++) {
        double bh = ph * (double)bins[i] / (double)max, x = i * (bw + gap);
        dg_buf_addf(b,
                    "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"%s\">"
                    "<title>p %.1f-%.1f: %lld</title></rect>",
                    x, top + ph - bh, bw, bh,
                    i >= 9   ? "#3b7d4f"
                    : i >= 5 ? "#8fb3de"
                             : "#e0a030",
                    i / 10.0, (i + 1) / 10.0, (long long)bins[i]);
        if (bins[i])
            dg_buf_addf(b,
                        "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
                        "fill=\"#444\">%lld</text>",
                        x + bw / 2, top + ph - bh - 3, (long long)bins[i]);
        dg_buf_addf(b,
                    "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"10\" "
                    "fill=\"#666\">%.1f</text>",
                    x + bw / 2, top + ph + 12, i / 10.0);
    }
    dg_buf_adds(b, "</svg></div>\n");
}

static void qa_line(dg_buf *b, const arc_qa_report *qa, int64_t batch)
{
    for (size_t i = 0; qa && i < qa->n; i++) {
        const arc_qa_batch *q = &qa->v[i];
        if (q->batch != batch)
            continue;
        dg_buf_addf(b,
                    "<p class=\"qa\">QA sample (抽检): <strong>%s</strong>; %ld sampled, %ld "
                    "settled, %ld wrong",
                    arc_qa_verdict_name(q->verdict), q->sampled, q->settled, q->wrong);
        if (q->settled)
            dg_buf_addf(b, ", error rate %.2f%% (95%%: %.2f-%.2f%%) against a target of %.2f%%",
                        100 * q->error_rate, 100 * q->lower, 100 * q->upper,
                        100 * qa->target_error);
        dg_buf_adds(b, "</p>\n");
        return;
    }
    dg_buf_adds(
        b, "<p class=\"qa\">QA sample (抽检): not drawn (<code>dangan qa sample</code>)</p>\n");
}

/* The workspace hour by hour: the backlog (a line) with what was settled
 * and the pages read (bars), and the rate the backlog goes down at. */
static void hours_plot(dg_buf *b, const arc_dashboard *d)
{
    dg_buf_adds(b, "<section class=\"hours\"><h2>Hour by hour (UTC)</h2>");
    if (!d->nhours) {
        dg_buf_adds(b, "<p class=\"empty\">nothing yet</p></section>\n");
        return;
    }
    int64_t backlog = 0, maxb = 1, maxs = 1;
    for (size_t i = 0; i < d->nhours; i++) {
        backlog += d->hours[i].raised - d->hours[i].settled;
        maxb = backlog > maxb ? backlog : maxb;
        int64_t bar = d->hours[i].settled > d->hours[i].pages_read ? d->hours[i].settled
                                                                   : d->hours[i].pages_read;
        maxs = bar > maxs ? bar : maxs;
    }
    const double left = 4, ph = 140, top = 10, slot = d->nhours > 24 ? 12 : 28;
    double w = left + slot * (double)d->nhours + 10;
    w = w < 240 ? 240 : w; /* room for the hour labels */
    dg_buf_addf(b, "<svg class=\"timeline\" width=\"%.0f\" height=\"%.0f\" role=\"img\">", w,
                top + ph + 34);
    dg_buf_addf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#ccc\"/>", left,
                top + ph, w, top + ph);
    int64_t run = 0;
    dg_buf pts;
    dg_buf_init(&pts, 0);
    for (size_t i = 0; i < d->nhours; i++) {
        const arc_dash_hour *h = &d->hours[i];
        double x = left + slot * (double)i;
        double sh = ph * (double)(h->settled > 0 ? h->settled : 0) / (double)maxs;
        double rh = ph * (double)h->pages_read / (double)maxs;
        web_plot_bar(b, NULL, x + 1, top + ph - sh, slot / 2 - 1, sh, "#1f5fa8", h->hour,
                     h->settled, "settled");
        web_plot_bar(b, NULL, x + slot / 2, top + ph - rh, slot / 2 - 1, rh, "#9aa3ad", h->hour,
                     h->pages_read, "pages read");
        run += h->raised - h->settled;
        double y = top + ph - ph * (double)run / (double)maxb;
        dg_buf_addf(&pts, "%.1f,%.1f ", x + slot / 2, y);
        dg_buf_addf(b,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#e0a030\"><title>%s: "
                    "%lld open</title></circle>",
                    x + slot / 2, y, h->hour, (long long)run);
    }
    dg_buf_addf(b, "<polyline points=\"%s\" fill=\"none\" stroke=\"#e0a030\" stroke-width=\"2\"/>",
                pts.data ? pts.data : "");
    dg_buf_release(&pts);
    web_plot_time_labels(b, left, w, top + ph, d->hours[0].hour,
                         d->nhours > 1 ? d->hours[d->nhours - 1].hour : NULL);
    dg_buf_adds(b, "</svg>");
    /* the rate of decline over the last (up to) 8 hours with activity */
    size_t from = d->nhours > 8 ? d->nhours - 8 : 0;
    int64_t settled = 0;
    for (size_t i = from; i < d->nhours; i++)
        settled += d->hours[i].settled;
    double rate = (double)settled / (double)(d->nhours - from);
    dg_buf_addf(b,
                "<p class=\"legend-line\"><span class=\"key backlog\">line</span> open "
                "backlog, now %lld · <span class=\"key settled\">bars</span> settled per "
                "hour · <span class=\"key read\">bars</span> pages read per hour · settled "
                "%.1f an hour lately",
                (long long)backlog, rate);
    if (rate > 0 && backlog > 0)
        dg_buf_addf(b, ": about %.1f hours of work left", (double)backlog / rate);
    dg_buf_adds(b, "</p></section>\n");
}

/* The dashboard's content (after the page's header) into b. */
static int dashboard_body(sqlite3 *db, dg_buf *b, dg_err *err)
{
    arc_dashboard d;
    int rc = arc_dashboard_read(db, &d, err);
    if (rc)
        return rc;
    arc_qa_report qa;
    dg_err qerr = {0};
    int have_qa = arc_qa_report_read(db, 0, NULL, &qa, &qerr) == DG_OK;
    dg_buf_addf(b, "<h1>Batches <span class=\"count\">%zu</span></h1>\n", d.n);
    hours_plot(b, &d);
    for (size_t i = 0; i < d.n; i++) {
        const arc_dash_batch *x = &d.v[i];
        dg_buf_addf(b,
                    "<section class=\"batch\" id=\"batch-%lld\"><h2>Batch %lld "
                    "<span class=\"hint\">started ",
                    (long long)x->batch, (long long)x->batch);
        web_esc(b, x->started);
        dg_buf_adds(b, "</span></h2><div class=\"plots\">");
        stack(b, "pages", &x->pages, "pages");
        stack(b, "fields", &x->fields, "fields");
        stack(b, "review items", &x->review, "review");
        p_histogram(b, x->p_bins);
        web_throughput_plot(b, x);
        dg_buf_adds(b, "</div>");
        qa_line(b, have_qa ? &qa : NULL, x->batch);
        if (x->quarantine.n) {
            dg_buf_addf(b,
                        "<h3>Quarantined files <span class=\"count\">%lld</span></h3>"
                        "<table class=\"quarantine\">",
                        (long long)total_of(&x->quarantine));
            for (size_t k = 0; k < x->quarantine.n; k++) {
                dg_buf_addf(b, "<tr><td>%lld</td><td>", (long long)x->quarantine.v[k].n);
                web_esc(b, x->quarantine.v[k].name);
                dg_buf_adds(b, "</td></tr>");
            }
            dg_buf_adds(b, "</table>");
        }
        dg_buf_adds(b, "</section>\n");
    }
    if (!have_qa) {
        dg_buf_adds(b, "<p class=\"bad\">QA report unavailable: ");
        web_esc(b, qerr.msg);
        dg_buf_adds(b, "</p>");
    }
    if (have_qa)
        arc_qa_report_release(&qa);
    arc_dashboard_release(&d);
    return DG_OK;
}

void web_dashboard_page(web_req *r)
{
    dg_err err = {0};
    if (web_queue_refresh(r, &err))
        return web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Error", err.msg);
    r->ctype = "text/html; charset=utf-8";
    web_page_begin(r, "Batches", "dashboard");
    if (dashboard_body(r->db, &r->out, &err))
        return web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Error", err.msg);
    web_page_end(r);
}

int web_report_html(sqlite3 *db, dg_buf *out, dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    /* one file that opens anywhere: the stylesheet inside, no script, no
     * link to the server */
    dg_buf_adds(out, "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
                     "<title>dangan batches</title><style>\n");
    dg_buf_add(out, web_asset_app_css, web_asset_app_css_len);
    dg_buf_addf(out,
                "</style></head>\n<body data-page=\"report\"><header><span class=\"brand\">"
                "dangan 档案</span><span class=\"who\">report made %s</span></header>\n"
                "<main>\n",
                now);
    int rc = dashboard_body(db, out, err);
    dg_buf_adds(out, "</main>\n</body></html>\n");
    if (!rc && out->len >= out->cap - 1)
        rc = dg_err_set(err, DG_ENOMEM, "the report grew past its size cap");
    return rc;
}
