/*
 * throughput.c - a batch's throughput over time on the dashboard: per hour
 * (per day for a long batch) with activity, pages read, review decisions
 * and records loaded as three bars side by side; SVG drawn here with
 * presentation attributes only (the CSP allows no inline style).
 */
#include <stdio.h>

#include "web_internal.h"

static const struct {
    const char *name, *colour;
} series[3] = {{"pages read", "#9aa3ad"}, {"items decided", "#1f5fa8"},
               {"records loaded", "#3b7d4f"}};

static int64_t value_of(const arc_dash_tp *t, int s)
{
    int64_t v = s == 0 ? t->pages : s == 1 ? t->decided : t->loaded;
    return v > 0 ? v : 0; /* a period of more undos than decisions draws nothing */
}

void web_throughput_plot(dg_buf *b, const arc_dash_batch *x)
{
    const char *per = x->daily ? "day" : "hour";
    dg_buf_addf(b, "<div class=\"plot throughput\"><h3>throughput per %s (UTC) <span "
                   "class=\"count\">%zu</span></h3>",
                per, x->ntp);
    if (!x->ntp) {
        dg_buf_adds(b, "<p class=\"empty\">nothing yet</p></div>");
        return;
    }
    int64_t max = 1, tot[3] = {0, 0, 0};
    for (size_t i = 0; i < x->ntp; i++)
        for (int s = 0; s < 3; s++) {
            int64_t v = value_of(&x->tp[i], s);
            max = v > max ? v : max;
            tot[s] += s == 0 ? x->tp[i].pages : s == 1 ? x->tp[i].decided : x->tp[i].loaded;
        }
    const double left = 30, top = 8, ph = 110, slot = x->ntp > 24 ? 15 : 30;
    double w = left + slot * (double)x->ntp + 10;
    w = w < 260 ? 260 : w;
    dg_buf_addf(b,
                "<svg class=\"tp\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
                "aria-label=\"throughput per %s\">",
                w, top + ph + 32, per);
    dg_buf_addf(b,
                "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#ccc\"/>"
                "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#666\" "
                "text-anchor=\"end\">%lld</text>",
                left, top + ph, w, top + ph, left - 4, top + 8, (long long)max);
    double bw = (slot - 3) / 3;
    for (size_t i = 0; i < x->ntp; i++) {
        const arc_dash_tp *t = &x->tp[i];
        for (int s = 0; s < 3; s++) {
            double h = ph * (double)value_of(t, s) / (double)max;
            dg_buf_addf(b,
                        "<rect class=\"tp%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                        "height=\"%.1f\" fill=\"%s\"><title>%s: %lld %s</title></rect>",
                        s, left + slot * (double)i + 1 + bw * s, top + ph - h, bw, h,
                        series[s].colour, t->when,
                        (long long)(s == 0 ? t->pages : s == 1 ? t->decided : t->loaded),
                        series[s].name);
        }
    }
    dg_buf_addf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#666\">%s</text>", left,
                top + ph + 14, x->tp[0].when);
    if (x->ntp > 1)
        dg_buf_addf(b,
                    "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#666\" "
                    "text-anchor=\"end\">%s</text>",
                    w - 4, top + ph + 28, x->tp[x->ntp - 1].when);
    dg_buf_adds(b, "</svg><ul class=\"legend\">");
    for (int s = 0; s < 3; s++)
        dg_buf_addf(b,
                    "<li><svg width=\"10\" height=\"10\" aria-hidden=\"true\"><rect "
                    "width=\"10\" height=\"10\" fill=\"%s\"/></svg> %s %lld</li>",
                    series[s].colour, series[s].name, (long long)tot[s]);
    dg_buf_adds(b, "</ul></div>");
}
