/*
 * header.c - the page header's values: fields found by their label as on
 * a card, and the institution printed in front of the form's title.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A class year in front of the title word (1991届, 一九九一届) is not the
 * institution's name. */
static void strip_class_year(const ex_page *p, ex_gsel *s)
{
    if (!s->n || p->glyphs[s->g[s->n - 1]].cp != 0x5C4A) /* 届 */
        return;
    static const uint32_t num[] = {0x3007, 0x25CB, 0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
                                   0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341};
    size_t n = s->n - 1;
    while (n > 0) {
        uint32_t c = p->glyphs[s->g[n - 1]].cp;
        int isnum = c >= '0' && c <= '9';
        for (size_t i = 0; i < sizeof num / sizeof *num; i++)
            isnum |= c == num[i];
        /* 〇 is often read 口: one between numerals of the year (一九九口)
         * is its zero, not the end of the university's name */
        if (!isnum && c == 0x53E3 && n > 1 && ex_is_numeral(p->glyphs[s->g[n - 2]].cp))
            isnum = 1;
        if (!isnum)
            break;
        n--;
    }
    s->n = n;
}

/* The degree level between the institution and the title word (杭州大学
 * 硕士研究生学籍登记表) is not the institution's name either; its second
 * character is often misread (硕上, 硕二). */
static void strip_degree_level(const ex_page *p, ex_gsel *s)
{
    if (s->n < 3)
        return;
    uint32_t c = p->glyphs[s->g[s->n - 2]].cp;
    if (c == 0x7855 /* 硕 */ || c == 0x535A /* 博 */)
        s->n -= 2;
}

static int title_prefix_value(const ex_page *p, const ex_template *t, const ex_field *f,
                              ex_value *v)
{
    size_t ts, te;
    long ti = ex_find_title(p, t, &ts, &te);
    if (ti < 0)
        return DG_OK;
    ex_gsel s = {0};
    int rc = ex_gsel_run(p, (size_t)ti, 0, ts, &s);
    const char *rule = "before title";
    if (rc == DG_OK && !ex_gsel_significant(p, &s)) {
        s.n = 0;
        ex_span ls = ex_glyph_span(p, &p->runs[ti], ts, te);
        long best = -1;
        double best_d = 3.0 * p->line_h;
        for (size_t i = 0; i < p->nruns; i++) {
            const ex_run *r = &p->runs[i];
            double ov = fmin(ls.x1, r->b.x + r->b.w) - fmax(ls.x0, r->b.x);
            double d = ls.y0 - (r->b.y + r->b.h);
            if (i != (size_t)ti && !r->cell && ov > 0 && d > -0.3 * p->line_h && d < best_d) {
                best_d = d;
                best = (long)i;
            }
        }
        if (best >= 0)
            rc = ex_gsel_run(p, (size_t)best, 0, p->runs[best].ng, &s);
        rule = "line above title";
    }
    strip_class_year(p, &s);
    strip_degree_level(p, &s);
    if (rc == DG_OK && ex_gsel_significant(p, &s))
        rc = ex_make_value(p, f, &s, rule, v);
    free(s.g);
    return rc;
}

int ex_header_values(const ex_page *p, const ex_template *t, ex_value *vals)
{
    for (size_t i = 0; i < t->nheader; i++) {
        const ex_field *f = &t->header[i];
        int rc = f->at == EX_AT_TITLE_PREFIX ? title_prefix_value(p, t, f, &vals[i])
                                             : ex_label_value(p, t, f, -2 - (int)i, &vals[i]);
        if (rc)
            return rc;
    }
    return DG_OK;
}
