/*
 * throughput.c - a batch's throughput over time on the dashboard: per hour
 * (per day for a long batch) with activity, pages read, review decisions
 * and records loaded as three bars side by side; SVG drawn here with
 * presentation attributes only (the CSP allows no inline style).  Also the
 * bar and the time axis's labels the dashboard's hour plot draws alike.
 */
#include <stdio.h>

#include "web_internal.h"

static const struct {
    const char *name, *colour;
} series[3] = {{"pages read", "#9aa3ad"}, {"items decided", "#1f5fa8"},
               {"records loaded", "#3b7d4f"}};

static int64_t count_of(const arc_dash_tp *t, int s)
{
    return s == 0 ? t->pages : s == 1 ? t->decided : t->loaded;
}

static int64_t value_of(const arc_dash_tp *t, int s)
{
    int64_t v = count_of(t, s);
    return v > 0 ? v : 0; /* a period of more undos than decisions draws nothing */
}

void web_plot_bar(dg_buf *b, const char *cls, double x, double y, double w, double h,
                  const char *fill, const char *when, int64_t n, const char *what)
{
    dg_buf_adds(b, "<rect");
    if (cls)
        dg_buf_addf(b, " class=\"%s\"", cls);
    dg_buf_addf(b,
                " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: "
                "%lld %s</title></rect>",
                x, y, w, h, fill, when, (long long)n, what);
}

void web_plot_time_labels(dg_buf *b, double left, double right, double base, const char *first,
                          const char *last)
{
    dg_buf_addf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#666\">%s</text>", left,
                base + 14, first);
    if (last)
        dg_buf_addf(b,
                    "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#666\" "
                    "text-anchor=\"end\">%s</text>",
                    right - 4, base + 28, last);
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
            tot[s] += count_of(&x->tp[i], s);
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
            char cls[8];
            snprintf(cls, sizeof cls, "tp%d", s);
            web_plot_bar(b, cls, left + slot * (double)i + 1 + bw * s, top + ph - h, bw, h,
                         series[s].colour, t->when, count_of(t, s), series[s].name);
        }
    }
    web_plot_time_labels(b, left, w, top + ph, x->tp[0].when,
                         x->ntp > 1 ? x->tp[x->ntp - 1].when : NULL);
    dg_buf_adds(b, "</svg><ul class=\"legend\">");
    for (int s = 0; s < 3; s++)
        dg_buf_addf(b,
                    "<li><svg width=\"10\" height=\"10\" aria-hidden=\"true\"><rect "
                    "width=\"10\" height=\"10\" fill=\"%s\"/></svg> %s %lld</li>",
                    series[s].colour, series[s].name, (long long)tot[s]);
    dg_buf_adds(b, "</ul></div>");
}
