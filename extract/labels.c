/*
 * labels.c - finding a template's labels, stop texts and titles in a
 * page's runs (the longest label wins where two overlap), and the geometry
 * around a label found: its span, the next label in its run, where a value
 * written after it ends.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- label matching -------------------------------------------------------------- */

int ex_push_match(ex_page *p, ex_match m)
{
    if (p->nmatches == p->amatches) {
        size_t a = p->amatches ? p->amatches * 2 : 64;
        ex_match *n = realloc(p->matches, a * sizeof *n);
        if (!n)
            return DG_ENOMEM;
        p->matches = n;
        p->amatches = a;
    }
    p->matches[p->nmatches++] = m;
    return DG_OK;
}

/* All acceptable occurrences of one label in one run (positions in run glyphs). */
static int match_label(ex_page *p, size_t ri, const ex_label *l, int field, const uint32_t *sig,
                       const size_t *pos, size_t nsig)
{
    size_t from = 0;
    double tol = ex_label_tolerance(l);
    while (from < nsig) {
        size_t s = 0, e = 0;
        double c = ex_label_find(p->look, l, sig + from, nsig - from, &s, &e);
        if (c > tol)
            break;
        ex_match m = {ri, pos[from + s], pos[from + e - 1] + 1, field, l->len, c, 0};
        if (ex_push_match(p, m))
            return DG_ENOMEM;
        from += e;
    }
    return DG_OK;
}

static int match_fields(ex_page *p, size_t ri, const ex_field *f, size_t nf, int header,
                        const uint32_t *sig, const size_t *pos, size_t nsig)
{
    for (size_t i = 0; i < nf; i++)
        for (size_t k = 0; k < f[i].nlabels; k++) {
            int id = header ? -2 - (int)i : (int)i;
            if (match_label(p, ri, &f[i].labels[k], id, sig, pos, nsig))
                return DG_ENOMEM;
        }
    return DG_OK;
}

static int cmp_match(const void *a, const void *b)
{
    const ex_match *x = a, *y = b;
    if (x->label_len != y->label_len)
        return y->label_len - x->label_len;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    if (x->run != y->run)
        return x->run < y->run ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Longest label wins where matches overlap: 学位证书编号 hides 学位 and 编号. */
static void keep_non_overlapping(ex_page *p)
{
    if (p->nmatches > 1)
        qsort(p->matches, p->nmatches, sizeof *p->matches, cmp_match);
    size_t kept = 0;
    for (size_t i = 0; i < p->nmatches; i++) {
        const ex_match *m = &p->matches[i];
        int clash = 0;
        for (size_t j = 0; j < kept && !clash; j++)
            clash = p->matches[j].run == m->run && m->start < p->matches[j].end &&
                    p->matches[j].start < m->end;
        if (!clash)
            p->matches[kept++] = *m;
    }
    p->nmatches = kept;
}

/* The significant code points of run r (letters, digits, Han) into sig,
 * at most max, with their glyph positions in the run into pos (NULL: not
 * wanted); returns the count. */
size_t ex_run_significant(const ex_page *p, const ex_run *r, uint32_t *sig, size_t *pos, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ng && n < max; i++)
        if (ex_cp_significant(EX_RUN_CP(p, r, i))) {
            if (pos)
                pos[n] = i;
            sig[n++] = EX_RUN_CP(p, r, i);
        }
    return n;
}

int ex_find_matches(ex_page *p, const ex_template *t)
{
    p->nmatches = 0;
    uint32_t *sig = malloc((p->nglyphs + 1) * sizeof *sig);
    size_t *pos = malloc((p->nglyphs + 1) * sizeof *pos);
    int rc = sig && pos ? DG_OK : DG_ENOMEM;
    for (size_t ri = 0; rc == DG_OK && ri < p->nruns; ri++) {
        const ex_run *r = &p->runs[ri];
        size_t n = ex_run_significant(p, r, sig, pos, p->nglyphs + 1);
        rc = match_fields(p, ri, t->fields, t->nfields, 0, sig, pos, n);
        if (rc == DG_OK)
            rc = match_fields(p, ri, t->header, t->nheader, 1, sig, pos, n);
        for (size_t k = 0; rc == DG_OK && k < t->nstops; k++)
            rc = match_label(p, ri, &t->stops[k], -1, sig, pos, n);
    }
    free(sig);
    free(pos);
    if (rc == DG_OK)
        keep_non_overlapping(p);
    return rc;
}

/* Best title occurrence: run index and span, or -1. */
long ex_find_title(const ex_page *p, const ex_template *t, size_t *start, size_t *end)
{
    uint32_t sig[512];
    size_t pos[512];
    long best = -1;
    double best_cost = 1e9;
    for (size_t ri = 0; ri < p->nruns; ri++) {
        const ex_run *r = &p->runs[ri];
        size_t n = 0;
        for (size_t i = 0; i < r->ng && n < 512; i++)
            if (ex_cp_significant(EX_RUN_CP(p, r, i))) {
                sig[n] = EX_RUN_CP(p, r, i);
                pos[n++] = i;
            }
        for (size_t k = 0; k < t->ntitles; k++) {
            size_t s, e;
            double c = ex_label_find(p->look, &t->titles[k], sig, n, &s, &e) -
                       0.01 * t->titles[k].len;
            if (c + 0.01 * t->titles[k].len <= ex_label_tolerance(&t->titles[k]) && c < best_cost) {
                best_cost = c;
                best = (long)ri;
                *start = pos[s];
                *end = pos[e - 1] + 1;
            }
        }
    }
    return best;
}

/* ---- geometry helpers ------------------------------------------------------------ */

ex_span ex_glyph_span(const ex_page *p, const ex_run *r, size_t s, size_t e)
{
    ex_span sp = {1e9, -1e9, 1 << 30, -(1 << 30)};
    for (size_t i = s; i < e; i++) {
        const ex_glyph *g = EX_RUN_G(p, r, i);
        const ex_box *b = &p->words[g->word].b;
        sp.x0 = fmin(sp.x0, g->x0);
        sp.x1 = fmax(sp.x1, g->x1);
        if (b->y < sp.y0)
            sp.y0 = b->y;
        if (b->y + b->h > sp.y1)
            sp.y1 = b->y + b->h;
    }
    if (r->cell) { /* a cell's extent is its box, not its text */
        sp.x0 = r->b.x;
        sp.x1 = r->b.x + r->b.w;
        sp.y0 = r->b.y;
        sp.y1 = r->b.y + r->b.h;
    }
    return sp;
}

const ex_match *ex_match_at(const ex_page *p, size_t run, size_t from, size_t *start)
{
    const ex_match *best = NULL;
    for (size_t i = 0; i < p->nmatches; i++) {
        const ex_match *m = &p->matches[i];
        if (m->run == run && m->start >= from && (!best || m->start < best->start))
            best = m;
    }
    if (best)
        *start = best->start;
    return best;
}

/* End of a value starting at `from`: the next label, a rule remnant or a
 * gap wider than three characters. */
size_t ex_value_end(const ex_page *p, size_t ri, size_t from)
{
    const ex_run *r = &p->runs[ri];
    size_t stop = r->ng, ms;
    if (ex_match_at(p, ri, from, &ms))
        stop = ms;
    int started = 0; /* the gap between label and value does not count */
    for (size_t i = from; i < stop; i++) {
        uint32_t c = EX_RUN_CP(p, r, i);
        if ((c == '|' || c == 0xFF5C) && started)
            return i;
        if (!r->cell && started &&
            EX_RUN_G(p, r, i)->x0 - EX_RUN_G(p, r, i - 1)->x1 > 3.0 * p->line_h)
            return i;
        started |= ex_cp_significant(c);
    }
    return stop;
}

const ex_match *ex_best_match_for(const ex_page *p, int field)
{
    const ex_match *best = NULL;
    for (size_t i = 0; i < p->nmatches; i++) {
        const ex_match *m = &p->matches[i];
        if (m->field == field && (!best || m->cost < best->cost))
            best = m;
    }
    return best;
}
