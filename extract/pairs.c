/*
 * pairs.c - forms without ruling lines: a card printed as label：value
 * pairs, each value on an underline (姓名：____) or on bare paper.  A
 * template declares it (rules="underline" or "none", or per field on its
 * <value>); then, for text outside any grid cell, a label garbled before
 * its colon is still a label, a value the OCR broke in two on its row is
 * joined, and what the OCR read from the underline itself is no value.
 * Undeclared templates never come here: their pages read as before.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ex_field_free(const ex_field *f)
{
    return (f->rules & (EX_RULES_UNDERLINE | EX_RULES_NONE)) != 0;
}

/* A label's colon, or what the OCR often makes of it (，；). */
static int is_colon(uint32_t c)
{
    return c == ':' || c == 0xFF1A || c == 0xFE55 || c == ',' || c == 0xFF0C || c == ';' ||
           c == 0xFF1B;
}

/* Largest cost of a label found before a colon: one character of any kind
 * wrong in two or three (妇名：, 三在系：), two in four or more, and never
 * more than half of them. */
static double pair_tolerance(const ex_label *l)
{
    if (l->len <= 2)
        return 1.0;
    if (l->len == 3)
        return 1.3;
    return l->len / 2.0 < 2.0 ? l->len / 2.0 : 2.0;
}

typedef struct pair_cand {
    int field;
    size_t run, start, end;
    int label_len;
    double cost, second; /* the best cost and the next-best other field's */
} pair_cand;

/* 1 when glyphs [s, e) of run ri overlap a label already matched. */
static int overlaps_match(const ex_page *p, size_t ri, size_t s, size_t e)
{
    for (size_t i = 0; i < p->nmatches; i++) {
        const ex_match *m = &p->matches[i];
        if (m->run == ri && s < m->end && m->start < e)
            return 1;
    }
    return 0;
}

/* 1 when a label may start at glyph s of run r: the run's first letter
 * (marks before it are specks: ”箱贯：), or after a gap of half a
 * character (the value before it ended there). */
static int starts_phrase(const ex_page *p, const ex_run *r, size_t s)
{
    if (s > 0 && EX_RUN_G(p, r, s)->x0 - EX_RUN_G(p, r, s - 1)->x1 > 0.5 * p->line_h)
        return 1;
    for (size_t i = 0; i < s; i++)
        if (ex_cp_significant(EX_RUN_CP(p, r, i)))
            return 0;
    return 1;
}

/* The labels of free fields f[0..nf) (ids as ex_match.field) against the
 * nsig significant glyphs before a colon in run ri (pos: their places):
 * the nearest field into best, the next nearest other field's cost into
 * best->second. */
static void try_fields(const ex_page *p, const ex_field *f, size_t nf, int header, size_t ri,
                       const uint32_t *sig, const size_t *pos, size_t nsig, pair_cand *best)
{
    const ex_run *r = &p->runs[ri];
    for (size_t i = 0; i < nf; i++) {
        int id = header ? -2 - (int)i : (int)i;
        if (!ex_field_free(&f[i]) || ex_best_match_for(p, id))
            continue;
        pair_cand c = {id, ri, 0, 0, 0, 1e9, 1e9};
        for (size_t k = 0; k < f[i].nlabels; k++) {
            const ex_label *l = &f[i].labels[k];
            size_t L = (size_t)l->len;
            if (L < 2 || L > nsig)
                continue;
            size_t s = pos[nsig - L], e = pos[nsig - 1] + 1;
            if (!starts_phrase(p, r, s) || overlaps_match(p, ri, s, e))
                continue;
            double cost = ex_label_cost(p->look, l, sig + nsig - L, L);
            if (cost <= pair_tolerance(l) && cost < c.cost) {
                c.cost = cost;
                c.start = s;
                c.end = e;
                c.label_len = l->len;
            }
        }
        if (c.cost >= 1e9)
            continue;
        if (c.cost < best->cost) {
            c.second = best->cost < best->second ? best->cost : best->second;
            *best = c;
        } else if (c.cost < best->second) {
            best->second = c.cost;
        }
    }
}

static int push(ex_page *p, const pair_cand *c)
{
    return ex_push_match(
        p, (ex_match){c->run, c->start, c->end, c->field, c->label_len, c->cost, 1});
}

int ex_find_pair_labels(ex_page *p, const ex_template *t)
{
    int any = 0;
    for (size_t i = 0; i < t->nfields; i++)
        any |= ex_field_free(&t->fields[i]);
    for (size_t i = 0; i < t->nheader; i++)
        any |= ex_field_free(&t->header[i]);
    if (!any)
        return DG_OK;
    uint32_t sig[EX_LABEL_MAX];
    size_t pos[EX_LABEL_MAX];
    for (size_t ri = 0; ri < p->nruns; ri++) {
        const ex_run *r = &p->runs[ri];
        if (r->cell)
            continue;
        for (size_t c = 1; c < r->ng; c++) {
            if (!is_colon(EX_RUN_CP(p, r, c)))
                continue;
            /* the significant glyphs right before the colon, nearest last */
            size_t n = 0;
            for (size_t j = c; j > 0 && n < EX_LABEL_MAX; j--)
                if (ex_cp_significant(EX_RUN_CP(p, r, j - 1))) {
                    memmove(sig + 1, sig, n * sizeof *sig);
                    memmove(pos + 1, pos, n * sizeof *pos);
                    sig[0] = EX_RUN_CP(p, r, j - 1);
                    pos[0] = j - 1;
                    n++;
                } else if (is_colon(EX_RUN_CP(p, r, j - 1))) {
                    break;
                }
            pair_cand best = {0, 0, 0, 0, 0, 1e9, 1e9};
            try_fields(p, t->fields, t->nfields, 0, ri, sig, pos, n, &best);
            try_fields(p, t->header, t->nheader, 1, ri, sig, pos, n, &best);
            /* two fields' labels equally near (X别：性别 or 系别) say nothing */
            if (best.cost < 1e9 && best.cost < best.second && push(p, &best))
                return DG_ENOMEM;
        }
    }
    return DG_OK;
}

/* Glyphs a pair's label and colon take at most (学位证书编号：). */
#define PAIR_HEAD 9

int ex_pair_like(const ex_page *p, long ri)
{
    const ex_run *r = &p->runs[ri];
    int head = 0;
    for (size_t i = 0; i < r->ng && i < PAIR_HEAD; i++) {
        uint32_t c = EX_RUN_CP(p, r, i);
        if (is_colon(c) && head)
            return 1;
        head |= ex_cp_significant(c);
    }
    return 0;
}

int ex_pair_continue(const ex_page *p, size_t ri, ex_gsel *s)
{
    const ex_run *r = &p->runs[ri];
    if (r->cell || !r->ng || !s->n || s->g[s->n - 1] != p->run_glyphs[r->g0 + r->ng - 1])
        return DG_OK;
    double end = EX_RUN_G(p, r, r->ng - 1)->x1, cy = r->b.y + r->b.h / 2.0;
    long next = -1;
    double best = 1.0 * p->line_h;
    for (size_t i = 0; i < p->nruns; i++) {
        const ex_run *o = &p->runs[i];
        if (i == ri || o->cell || !o->ng)
            continue;
        double gap = EX_RUN_G(p, o, 0)->x0 - end, oy = o->b.y + o->b.h / 2.0;
        if (gap > -0.3 * p->line_h && gap < best && fabs(oy - cy) < 0.4 * p->line_h) {
            best = gap;
            next = (long)i;
        }
    }
    size_t ms;
    const ex_match *m = next >= 0 ? ex_match_at(p, (size_t)next, 0, &ms) : NULL;
    if (next < 0 || (m && ms == 0))
        return DG_OK;
    return ex_gsel_run(p, (size_t)next, 0, ex_value_end(p, (size_t)next, 0), s);
}

/* What the OCR makes of an underline: _ and its wide forms, and dashes or
 * 一 drawn out in a row (one — alone is a value: "not awarded"). */
static int underline_glyph(uint32_t c, int in_row)
{
    if (c == '_' || c == 0xFF3F || c == 0x2017 || c == 0xFE4D || c == 0xFE4E)
        return 1;
    return in_row && (c == '-' || c == 0x2014 || c == 0x2013 || c == 0x2500 || c == 0xFF0D ||
                      c == 0x4E00 || c == '~');
}

/* What a garbled colon leaves before a value (箱贯，/”山东济南). */
static int colon_debris(uint32_t c)
{
    return c == '/' || c == '\\' || c == '"' || c == 0x201C || c == 0x201D || is_colon(c) ||
           c == 0x3001 || c == '.' || c == 0x3002;
}

void ex_pair_trim(const ex_page *p, int rules, ex_gsel *s)
{
    if (!(rules & (EX_RULES_UNDERLINE | EX_RULES_NONE)))
        return;
    for (int pass = 0; pass < 2; pass++) {
        int run = 0; /* in a row of dashes being dropped: its last one too */
        while (s->n) {
            size_t at = pass ? s->n - 1 : 0, nb = pass ? s->n - 2 : 1;
            uint32_t c = p->glyphs[s->g[at]].cp;
            int row = run || (s->n > 1 && underline_glyph(p->glyphs[s->g[nb]].cp, 1) &&
                              underline_glyph(c, 1));
            int drop = (rules & EX_RULES_UNDERLINE) && underline_glyph(c, row);
            if (!drop && !(pass == 0 && colon_debris(c)))
                break;
            run = drop && row;
            if (pass)
                s->n--;
            else
                memmove(s->g, s->g + 1, --s->n * sizeof *s->g);
        }
    }
}
