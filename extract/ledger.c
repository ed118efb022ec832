/*
 * fields.c - classifying a page against the templates and finding
 * each field's value (the geometry rules are described in page.c).
 *
 * The score of a template is 0.4 when one of its titles is on the page plus
 * 0.6 times the share of its labels found (for tables: found in one header
 * band), less 0.2 when the OCR grid has the wrong shape.  The best score
 * over the template's threshold wins; otherwise the page is an unknown
 * form and nothing is guessed.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RUN_CP(p, r, i) ((p)->glyphs[(p)->run_glyphs[(r)->g0 + (i)]].cp)
#define RUN_G(p, r, i) (&(p)->glyphs[(p)->run_glyphs[(r)->g0 + (i)]])

static int is_rule_or_punct(uint32_t c)
{
    return c == '|' || c == ':' || c == 0xFF1A || c == 0xFF5C || c == ',' || c == 0xFF0C ||
           c == '_' || c == ';' || c == 0xFF1B || c == '.' || c == '[' || c == ']';
}

/* Marks OCR leaves at a value's edges from noise, stamps and rule ends
 * (quotes, enumeration commas, stars); no field value starts or ends with
 * one. */
static int is_stray_edge(uint32_t c)
{
    return c == '"' || c == '\'' || c == '`' || c == '~' || c == '*' || c == 0x201C ||
           c == 0x201D || c == 0x2018 || c == 0x2019 || c == 0x3001 || c == 0x3002 ||
           c == 0x00B7 || c == 0x2022 || c == 0xFF02 || c == 0xFF07;
}

/* A printed dash (— or -) is a value: "not awarded", not an empty cell. */
static int is_dash(uint32_t c)
{
    return c == '-' || c == 0x2014 || c == 0x2013 || c == 0x2500 || c == 0xFF0D;
}

/* ---- label matching -------------------------------------------------------------- */

static int push_match(ex_page *p, ex_match m)
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
        ex_match m = {ri, pos[from + s], pos[from + e - 1] + 1, field, l->len, c};
        if (push_match(p, m))
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
static size_t run_significant(const ex_page *p, const ex_run *r, uint32_t *sig, size_t *pos,
                              size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ng && n < max; i++)
        if (ex_cp_significant(RUN_CP(p, r, i))) {
            if (pos)
                pos[n] = i;
            sig[n++] = RUN_CP(p, r, i);
        }
    return n;
}

static int find_matches(ex_page *p, const ex_template *t)
{
    p->nmatches = 0;
    uint32_t *sig = malloc((p->nglyphs + 1) * sizeof *sig);
    size_t *pos = malloc((p->nglyphs + 1) * sizeof *pos);
    int rc = sig && pos ? DG_OK : DG_ENOMEM;
    for (size_t ri = 0; rc == DG_OK && ri < p->nruns; ri++) {
        const ex_run *r = &p->runs[ri];
        size_t n = run_significant(p, r, sig, pos, p->nglyphs + 1);
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
static long find_title(const ex_page *p, const ex_template *t, size_t *start, size_t *end)
{
    uint32_t sig[512];
    size_t pos[512];
    long best = -1;
    double best_cost = 1e9;
    for (size_t ri = 0; ri < p->nruns; ri++) {
        const ex_run *r = &p->runs[ri];
        size_t n = 0;
        for (size_t i = 0; i < r->ng && n < 512; i++)
            if (ex_cp_significant(RUN_CP(p, r, i))) {
                sig[n] = RUN_CP(p, r, i);
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

typedef struct span {
    double x0, x1;
    int y0, y1;
} span;

static span glyph_span(const ex_page *p, const ex_run *r, size_t s, size_t e)
{
    span sp = {1e9, -1e9, 1 << 30, -(1 << 30)};
    for (size_t i = s; i < e; i++) {
        const ex_glyph *g = RUN_G(p, r, i);
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

static const ex_match *match_at(const ex_page *p, size_t run, size_t from, size_t *start)
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
static size_t value_end(const ex_page *p, size_t ri, size_t from)
{
    const ex_run *r = &p->runs[ri];
    size_t stop = r->ng, ms;
    if (match_at(p, ri, from, &ms))
        stop = ms;
    int started = 0; /* the gap between label and value does not count */
    for (size_t i = from; i < stop; i++) {
        uint32_t c = RUN_CP(p, r, i);
        if ((c == '|' || c == 0xFF5C) && started)
            return i;
        if (!r->cell && started && RUN_G(p, r, i)->x0 - RUN_G(p, r, i - 1)->x1 > 3.0 * p->line_h)
            return i;
        started |= ex_cp_significant(c);
    }
    return stop;
}

/* ---- building a value ------------------------------------------------------------- */

typedef struct gsel {
    size_t *g; /* glyph indices into p->glyphs */
    size_t n, alloc;
} gsel;

static int gsel_add(gsel *s, size_t g)
{
    if (s->n == s->alloc) {
        size_t a = s->alloc ? s->alloc * 2 : 32;
        size_t *n = realloc(s->g, a * sizeof *n);
        if (!n)
            return DG_ENOMEM;
        s->g = n;
        s->alloc = a;
    }
    s->g[s->n++] = g;
    return DG_OK;
}

static int is_numeral(uint32_t c)
{
    static const uint32_t zh[] = {0x3007, 0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94,
                                  0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341, 0x4E24};
    if (c >= '0' && c <= '9')
        return 1;
    for (size_t i = 0; i < sizeof zh / sizeof *zh; i++)
        if (c == zh[i])
            return 1;
    return 0;
}

/* Ledger pages print their numbering on the header line ("第1页 共2页");
 * when OCR reads it into the same line as a value it is cut off: returns
 * where a "第N页" or "共N页" starting at or after s begins, else e. */
static size_t page_number_start(const ex_page *p, const ex_run *r, size_t s, size_t e)
{
    for (size_t i = s; i + 2 < e; i++) {
        uint32_t c = RUN_CP(p, r, i);
        if (c != 0x7B2C /* 第 */ && c != 0x5171 /* 共 */)
            continue;
        size_t j = i + 1;
        while (j < e && is_numeral(RUN_CP(p, r, j)))
            j++;
        if (j > i + 1 && j < e && RUN_CP(p, r, j) == 0x9875 /* 页 */)
            return i;
    }
    return e;
}

/* Glyphs [s, e) of a run, without leading/trailing punctuation and rules. */
static int gsel_run(const ex_page *p, size_t ri, size_t s, size_t e, gsel *out)
{
    const ex_run *r = &p->runs[ri];
    e = page_number_start(p, r, s, e);
    /* what is left of the label's punctuation: 系(所) matched as 系(所 */
    while (s < e && (is_rule_or_punct(RUN_CP(p, r, s)) || is_stray_edge(RUN_CP(p, r, s)) ||
                     RUN_CP(p, r, s) == ')' || RUN_CP(p, r, s) == 0xFF09))
        s++;
    while (e > s && (RUN_CP(p, r, e - 1) == '|' || RUN_CP(p, r, e - 1) == ':' ||
                     RUN_CP(p, r, e - 1) == 0xFF1A || is_stray_edge(RUN_CP(p, r, e - 1))))
        e--;
    for (size_t i = s; i < e; i++)
        if (gsel_add(out, p->run_glyphs[r->g0 + i]))
            return DG_ENOMEM;
    return DG_OK;
}

static int gsel_significant(const ex_page *p, const gsel *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (ex_cp_significant(p->glyphs[s->g[i]].cp) || is_dash(p->glyphs[s->g[i]].cp))
            return 1;
    return 0;
}

static void box_union(ex_box *a, ex_box b, int *first)
{
    if (*first) {
        *a = b;
        *first = 0;
        return;
    }
    int x1 = a->x + a->w > b.x + b.w ? a->x + a->w : b.x + b.w;
    int y1 = a->y + a->h > b.y + b.h ? a->y + a->h : b.y + b.h;
    a->x = a->x < b.x ? a->x : b.x;
    a->y = a->y < b.y ? a->y : b.y;
    a->w = x1 - a->x;
    a->h = y1 - a->y;
}

/* Enum fields: when one allowed value is in the text, that is the value. */
static void apply_enum(const ex_field *f, dg_buf *raw)
{
    for (size_t i = 0; i < f->nenums; i++)
        if (raw->data && strstr(raw->data, f->enums[i]) && strcmp(raw->data, f->enums[i]) != 0) {
            dg_buf_reset(raw);
            dg_buf_adds(raw, f->enums[i]);
            return;
        }
}

static int make_value(const ex_page *p, const ex_field *f, const gsel *s, const char *rule,
                      ex_value *v)
{
    dg_buf raw, words;
    dg_buf_init(&raw, 1 << 16);
    dg_buf_init(&words, 1 << 16);
    dg_buf_addc(&words, '[');
    int first = 1, sig = 0;
    double sum = 0;
    size_t nw = 0, last_word = (size_t)-1;
    v->conf_min = 100;
    for (size_t i = 0; i < s->n; i++) {
        const ex_glyph *g = &p->glyphs[s->g[i]];
        if (f->max_chars && ex_cp_significant(g->cp) && ++sig > f->max_chars)
            break;
        dg_utf8_add(&raw, g->cp);
        if (g->word == last_word)
            continue;
        last_word = g->word;
        const ex_word *w = &p->words[g->word];
        dg_buf_addf(&words, "%s%lld", nw ? "," : "", (long long)w->id);
        box_union(&v->box, w->orig, &first);
        sum += w->conf;
        if (w->conf < v->conf_min)
            v->conf_min = w->conf;
        nw++;
    }
    dg_buf_addc(&words, ']');
    apply_enum(f, &raw);
    v->conf_mean = nw ? sum / (double)nw : 0;
    if (!nw)
        v->conf_min = 0;
    v->raw = dg_buf_detach(&raw);
    v->words = dg_buf_detach(&words);
    v->rule = rule;
    return v->raw && v->words ? DG_OK : DG_ENOMEM;
}

/* ---- card values -------------------------------------------------------------------- */

static int run_has_text(const ex_page *p, const ex_run *r)
{
    for (size_t i = 0; i < r->ng; i++)
        if (ex_cp_significant(RUN_CP(p, r, i)))
            return 1;
    return 0;
}

/* 1 when an empty cell lies on the label's row between the label (span
 * ls) and run r right of it. */
static int empty_cell_between(const ex_page *p, const span *ls, const ex_run *r)
{
    for (size_t i = 0; i < p->nruns; i++) {
        const ex_run *e = &p->runs[i];
        double cy = e->b.y + e->b.h / 2.0, cx = e->b.x + e->b.w / 2.0;
        if (e->cell && e->ng == 0 && cx > ls->x1 && cx < r->b.x && cy > ls->y0 - p->line_h &&
            cy < ls->y1 + p->line_h)
            return 1;
    }
    return 0;
}

/* 1 when run r reads like one of t's labels with up to half its characters
 * wrong: a label the OCR garbled (籍丑 for 籍贯, 政洁面萄 for 政治面貌), no
 * value. */
static int garbled_label(const ex_page *p, const ex_template *t, const ex_run *r)
{
    uint32_t sig[16];
    size_t n = run_significant(p, r, sig, NULL, 16);
    const ex_field *sets[2] = {t->fields, t->header};
    size_t counts[2] = {t->nfields, t->nheader};
    for (int k = 0; k < 2 && n > 0 && n < 16; k++)
        for (size_t i = 0; i < counts[k]; i++)
            for (size_t l = 0; l < sets[k][i].nlabels; l++) {
                const ex_label *lb = &sets[k][i].labels[l];
                size_t s = 0, e = 0;
                if (lb->len >= 2 && (int)n <= lb->len + 1 &&
                    ex_label_find(p->look, lb, sig, n, &s, &e) <= lb->len / 2.0 && 2 * (e - s) >= n)
                    return 1;
            }
    return 0;
}

typedef enum { NB_RIGHT, NB_BELOW, NB_LEFT } nb_dir;

/* The nearest run on dir's side of a label (span ls) on its row, or under
 * it, within reach (0: the default); -1 when there is none.  Right and
 * below, only runs of the label's kind (cell or line) count, and below a
 * label in a grid only its own cell (the cell below holds another field),
 * unless other_cells: a row of labels over a row of values. */
static long neighbour(const ex_page *p, size_t ri, const span *ls, nb_dir dir, double reach,
                      int other_cells)
{
    const ex_run *lr = &p->runs[ri];
    long best = -1;
    double best_d = reach > 0 ? reach : dir == NB_BELOW ? 4.0 * p->line_h : 0.6 * p->width;
    for (size_t i = 0; i < p->nruns; i++) {
        const ex_run *r = &p->runs[i];
        /* an empty cell is passed over: a fold the grid took for a rule
         * cuts a value's cell in two (所在系 | (empty) | 工程力学系) */
        if (i == ri || r->ng == 0 || (dir != NB_LEFT && r->cell != lr->cell) ||
            (dir == NB_BELOW && lr->cell && !other_cells && r->cell_id != lr->cell_id))
            continue;
        double d;
        if (dir == NB_BELOW) {
            double ov = fmin(ls->x1, r->b.x + r->b.w) - fmax(ls->x0, r->b.x);
            d = r->b.y - ls->y1;
            if (ov <= 0 || d < -0.3 * p->line_h)
                continue;
        } else {
            double cy = r->b.y + r->b.h / 2.0;
            if (dir == NB_LEFT)
                d = ls->x0 - (r->b.x + r->b.w);
            else /* a line run starts at its first glyph, a cell at its box */
                d = (!r->cell ? RUN_G(p, r, 0)->x0 : r->b.x) - ls->x1;
            if (cy < ls->y0 - 0.2 * p->line_h || cy > ls->y1 + 0.2 * p->line_h ||
                d < -0.5 * p->line_h)
                continue;
        }
        if (d < best_d) {
            best_d = d;
            best = (long)i;
        }
    }
    return best;
}

/* Below a label on a line of several values: the stretch of text (no gap
 * wider than 1.5 characters) nearest the label's centre. */
static int below_value(const ex_page *p, long ni, const span *ls, gsel *out)
{
    const ex_run *r = &p->runs[ni];
    double cx = (ls->x0 + ls->x1) / 2, best_d = 1e18;
    size_t c = 0;
    for (size_t i = 0; i < r->ng; i++) {
        double d = fabs((RUN_G(p, r, i)->x0 + RUN_G(p, r, i)->x1) / 2 - cx);
        if (d < best_d) {
            best_d = d;
            c = i;
        }
    }
    size_t s = c, e = c + 1, ms;
    while (s > 0 && RUN_G(p, r, s)->x0 - RUN_G(p, r, s - 1)->x1 < 1.5 * p->line_h)
        s--;
    while (e < r->ng && RUN_G(p, r, e)->x0 - RUN_G(p, r, e - 1)->x1 < 1.5 * p->line_h)
        e++;
    const ex_match *m = match_at(p, (size_t)ni, s, &ms);
    if (m && ms < e) /* a label is not a value */
        return DG_OK;
    return gsel_run(p, (size_t)ni, s, e, out);
}

/* 1 when run ni starts with a label (its first significant character). */
static int starts_with_label(const ex_page *p, long ni)
{
    const ex_run *r = &p->runs[ni];
    size_t s = 0, ms;
    while (s < r->ng && !ex_cp_significant(RUN_CP(p, r, s)))
        s++;
    return match_at(p, (size_t)ni, 0, &ms) && ms <= s;
}

/* 1 when the label at run ri (span ls, right neighbour ri_right or -1)
 * stands in a row of labels: its neighbour on the right, or failing one
 * its neighbour on the left, is another label (a value's neighbour on a
 * card is a label only where a value is blank). */
static int in_label_row(const ex_page *p, size_t ri, const span *ls, long ri_right)
{
    if (ri_right >= 0)
        return starts_with_label(p, ri_right);
    long li = neighbour(p, ri, ls, NB_LEFT, 0, 0);
    return li >= 0 && starts_with_label(p, li);
}

/* Text at the start of a neighbour run; empty when it starts with a label. */
static int neighbour_value(const ex_page *p, long ni, int below, const span *ls, gsel *out)
{
    if (ni < 0)
        return DG_OK;
    const ex_run *r = &p->runs[ni];
    if (below && !r->cell && r->ng)
        return below_value(p, ni, ls, out);
    if (starts_with_label(p, ni))
        return DG_OK;
    return gsel_run(p, (size_t)ni, 0, value_end(p, (size_t)ni, 0), out);
}

static const ex_match *best_match_for(const ex_page *p, int field)
{
    const ex_match *best = NULL;
    for (size_t i = 0; i < p->nmatches; i++) {
        const ex_match *m = &p->matches[i];
        if (m->field == field && (!best || m->cost < best->cost))
            best = m;
    }
    return best;
}

static int label_value(const ex_page *p, const ex_template *t, const ex_field *f, int field_id,
                       ex_value *v)
{
    const ex_match *m = best_match_for(p, field_id);
    if (!m)
        return DG_OK;
    gsel s = {0};
    const char *rule = "after label";
    int rc = DG_OK;
    if (f->at != EX_AT_BELOW)
        rc = gsel_run(p, m->run, m->end, value_end(p, m->run, m->end), &s);
    span ls = glyph_span(p, &p->runs[m->run], m->start, m->end);
    if (rc == DG_OK && !gsel_significant(p, &s)) {
        s.n = 0;
        int below = f->at == EX_AT_BELOW;
        /* A value printed after its label is read as a phrase of its own
         * when the gap between them is wide (outside the grid the OCR reads
         * phrase by phrase: 系（所）： | 化学系): the nearest run to the
         * right, within three characters. */
        double reach = f->at == EX_AT_AFTER ? 3.0 * p->line_h : 0;
        long ni = neighbour(p, m->run, &ls, below ? NB_BELOW : NB_RIGHT, reach, 0);
        /* past an empty cell (a blank value, or a value cell a fold cut
         * in two) the next run may be the next label, garbled: then the
         * value is blank, not that label's text */
        if (ni >= 0 && !below && empty_cell_between(p, &ls, &p->runs[ni]) &&
            garbled_label(p, t, &p->runs[ni]))
            ni = -1;
        if (f->at == EX_AT_RIGHT && in_label_row(p, m->run, &ls, ni)) {
            /* a row of labels over a row of values (姓名 | 性别 | 出生年月
             * over 司马光明 | 男 | 1960.05): the value is in the cell
             * below, which holds no label */
            long bi = neighbour(p, m->run, &ls, NB_BELOW, 0, 1);
            if (bi >= 0 && !starts_with_label(p, bi)) {
                below = 1;
                ni = bi;
            }
        } else if (ni < 0 && f->at == EX_AT_RIGHT) {
            below = 1;
            ni = neighbour(p, m->run, &ls, NB_BELOW, 0, 0);
        }
        rule = below ? "below label" : "right of label";
        rc = neighbour_value(p, ni, below, &ls, &s);
    }
    if (rc == DG_OK && gsel_significant(p, &s))
        rc = make_value(p, f, &s, rule, v);
    free(s.g);
    return rc;
}

/* A class year in front of the title word (1991届, 一九九一届) is not the
 * institution's name. */
static void strip_class_year(const ex_page *p, gsel *s)
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
        if (!isnum && c == 0x53E3 && n > 1 && is_numeral(p->glyphs[s->g[n - 2]].cp))
            isnum = 1;
        if (!isnum)
            break;
        n--;
    }
    s->n = n;
}

static int title_prefix_value(const ex_page *p, const ex_template *t, const ex_field *f,
                              ex_value *v)
{
    size_t ts, te;
    long ti = find_title(p, t, &ts, &te);
    if (ti < 0)
        return DG_OK;
    gsel s = {0};
    int rc = gsel_run(p, (size_t)ti, 0, ts, &s);
    const char *rule = "before title";
    if (rc == DG_OK && !gsel_significant(p, &s)) {
        s.n = 0;
        span ls = glyph_span(p, &p->runs[ti], ts, te);
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
            rc = gsel_run(p, (size_t)best, 0, p->runs[best].ng, &s);
        rule = "line above title";
    }
    strip_class_year(p, &s);
    if (rc == DG_OK && gsel_significant(p, &s))
        rc = make_value(p, f, &s, rule, v);
    free(s.g);
    return rc;
}

static int header_values(const ex_page *p, const ex_template *t, ex_value *vals)
{
    for (size_t i = 0; i < t->nheader; i++) {
        const ex_field *f = &t->header[i];
        int rc = f->at == EX_AT_TITLE_PREFIX ? title_prefix_value(p, t, f, &vals[i])
                                              : label_value(p, t, f, -2 - (int)i, &vals[i]);
        if (rc)
            return rc;
    }
    return DG_OK;
}

/* ---- table values ------------------------------------------------------------------ */

typedef struct column {
    int field;
    double x0, x1;
    double cx;
    int y1; /* bottom of the header label */
} column;

static int cmp_col(const void *a, const void *b)
{
    double d = ((const column *)a)->cx - ((const column *)b)->cx;
    return d < 0 ? -1 : d > 0;
}

static double match_cy(const ex_page *p, const ex_match *m)
{
    span s = glyph_span(p, &p->runs[m->run], m->start, m->end);
    return (s.y0 + s.y1) / 2.0;
}

/* 1 when run r holds a character of one of f's labels: what is left of a
 * misread header (业 of 专业), not another column the template lacks
 * (籍贯 between 出生年月 and 导师 on a ledger without 专业). */
static int shares_label_char(const ex_page *p, const ex_run *r, const ex_field *f)
{
    for (size_t i = 0; i < r->ng; i++)
        for (size_t l = 0; l < f->nlabels; l++)
            for (int k = 0; k < f->labels[l].len; k++)
                if (RUN_CP(p, r, i) == f->labels[l].cp[k] && ex_cp_significant(RUN_CP(p, r, i)))
                    return 1;
    return 0;
}

/* A header the OCR misread (专业 read 业) drops its column and every value
 * under it.  When the columns found run in the template's order and two
 * neighbours have exactly one column field of the template between them,
 * found nowhere else, the text on the header band between them is that
 * field's header if it keeps a character of one of its labels.  Returns
 * the new count of cols (sorted by x). */
static size_t infer_lost_headers(const ex_page *p, const ex_template *t, column *cols, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (cols[i].field <= cols[i - 1].field)
            return n; /* not the template's order: nothing to infer from */
    size_t out = n;
    for (size_t i = 0; i + 1 < n && out < 64; i++) {
        int f = cols[i].field + 1;
        if (cols[i + 1].field != f + 1 || t->fields[f].at != EX_AT_COLUMN)
            continue;
        for (size_t k = 0; k < p->nruns; k++) {
            const ex_run *r = &p->runs[k];
            if (!run_has_text(p, r))
                continue;
            span s = glyph_span(p, r, 0, r->ng);
            double cx = (s.x0 + s.x1) / 2;
            if (cx > cols[i].x1 && cx < cols[i + 1].x0 && abs(s.y1 - cols[i].y1) < p->line_h &&
                abs(s.y1 - cols[i + 1].y1) < p->line_h && shares_label_char(p, r, &t->fields[f])) {
                cols[out++] = (column){f, s.x0, s.x1, cx, s.y1};
                break;
            }
        }
    }
    if (out > n)
        qsort(cols, out, sizeof *cols, cmp_col);
    return out;
}

/* The header band: the y where most distinct column labels line up.
 * Returns that y; -1 when no column label was found. */
static double header_band(const ex_page *p, const ex_template *t)
{
    size_t best_n = 0;
    double best_y = -1;
    for (size_t a = 0; a < p->nmatches; a++) {
        if (p->matches[a].field < 0)
            continue;
        double ay = match_cy(p, &p->matches[a]);
        size_t n = 0;
        for (size_t fi = 0; fi < t->nfields; fi++)
            for (size_t i = 0; i < p->nmatches; i++)
                if (p->matches[i].field == (int)fi &&
                    fabs(match_cy(p, &p->matches[i]) - ay) < p->line_h) {
                    n++;
                    break;
                }
        if (n > best_n) {
            best_n = n;
            best_y = ay;
        }
    }
    return best_y;
}

#define MAX_PANELS 4
#define MIN_PANEL_COLUMNS 3

/* A table of its own: its header's columns (sorted by x) and the page's
 * x range it holds.  A two-page spread of a bound ledger has two, side by
 * side, with the same header: read as one, each row took some fields from
 * the left page's student and some from the right's. */
typedef struct panel {
    column cols[64];
    size_t ncols;
    double x0, x1;
} panel;

/* Fields panel a has that panel b has too. */
static size_t shared_fields(const panel *a, const panel *b)
{
    size_t n = 0;
    for (size_t i = 0; i < a->ncols; i++)
        for (size_t j = 0; j < b->ncols; j++)
            n += a->cols[i].field == b->cols[j].field;
    return n;
}

/* Panel b's columns for fields a lacks go to a (a label read twice in one
 * table: the first stands). */
static void merge_panel(panel *a, const panel *b)
{
    for (size_t k = 0; k < b->ncols && a->ncols < 64; k++) {
        int dup = 0;
        for (size_t j = 0; j < a->ncols; j++)
            dup |= a->cols[j].field == b->cols[k].field;
        if (!dup)
            a->cols[a->ncols++] = b->cols[k];
    }
}

/* The labels on the band at y split into panels, left to right, a new one
 * where a field's label comes again.  A panel is a table of its own only
 * when it repeats MIN_PANEL_COLUMNS fields of the one before (a whole
 * header again); otherwise a label was misread as another field's and the
 * panel joins the one before.  Sets *np; DG_ENOMEM or DG_OK. */
static int split_panels(const ex_page *p, double y, panel *pn, size_t *np_out)
{
    column band[64];
    size_t nb = 0;
    for (size_t i = 0; i < p->nmatches && nb < 64; i++) {
        const ex_match *m = &p->matches[i];
        if (m->field < 0 || fabs(match_cy(p, m) - y) >= p->line_h)
            continue;
        span s = glyph_span(p, &p->runs[m->run], m->start, m->end);
        band[nb++] = (column){m->field, s.x0, s.x1, (s.x0 + s.x1) / 2, s.y1};
    }
    qsort(band, nb, sizeof *band, cmp_col);
    panel *all = malloc((nb ? nb : 1) * sizeof *all);
    if (!all)
        return DG_ENOMEM;
    size_t na = 0;
    for (size_t i = 0; i < nb; i++) {
        int again = 0;
        for (size_t k = 0; na && k < all[na - 1].ncols; k++)
            again |= all[na - 1].cols[k].field == band[i].field;
        if (!na || again)
            all[na++].ncols = 0;
        all[na - 1].cols[all[na - 1].ncols++] = band[i];
    }
    size_t np = 0;
    for (size_t k = 0; k < na; k++) {
        if (np && (np == MAX_PANELS || shared_fields(&all[k], &pn[np - 1]) < MIN_PANEL_COLUMNS))
            merge_panel(&pn[np - 1], &all[k]);
        else
            pn[np++] = all[k];
    }
    free(all);
    /* panels meet half-way between the last label of one and the first of the next */
    for (size_t k = 0; k < np; k++) {
        qsort(pn[k].cols, pn[k].ncols, sizeof *pn[k].cols, cmp_col);
        pn[k].x0 = k ? (pn[k - 1].cols[pn[k - 1].ncols - 1].x1 + pn[k].cols[0].x0) / 2 : -1e9;
        pn[k].x1 = k + 1 < np ? (pn[k].cols[pn[k].ncols - 1].x1 + pn[k + 1].cols[0].x0) / 2
                              : 1e9;
    }
    *np_out = np;
    return DG_OK;
}

/* Without a grid, columns meet half-way between header labels, but no
 * further than a typical column from the label: when the OCR lost a
 * header, that column's values are dropped, not pushed into a neighbour. */
static void column_reach(const ex_page *p, column *cols, size_t n)
{
    double gaps[64], half = 0;
    size_t ng = 0;
    for (size_t i = 1; i < n; i++)
        gaps[ng++] = cols[i].cx - cols[i - 1].cx;
    for (size_t i = 1; i < ng; i++)
        for (size_t j = i; j > 0 && gaps[j - 1] > gaps[j]; j--) {
            double tmp = gaps[j];
            gaps[j] = gaps[j - 1];
            gaps[j - 1] = tmp;
        }
    if (ng)
        half = 0.75 * gaps[ng / 2];
    for (size_t i = 0; i < n && !p->ncells; i++) {
        double h = fmax(half, (cols[i].x1 - cols[i].x0) / 2 + 1.5 * p->line_h);
        cols[i].x0 = i ? (cols[i - 1].cx + cols[i].cx) / 2 : -1e9;
        cols[i].x1 = i + 1 < n ? (cols[i].cx + cols[i + 1].cx) / 2 : 1e9;
        cols[i].x0 = fmax(cols[i].x0, cols[i].cx - h);
        cols[i].x1 = fmin(cols[i].x1, cols[i].cx + h);
    }
}

/* The tables under the header band, each with its columns (one per field
 * found there, sorted by x), in pn[0..*np) (0: no header). */
static int header_panels(const ex_page *p, const ex_template *t, panel *pn, size_t *np)
{
    double y = header_band(p, t);
    *np = 0;
    if (y >= 0 && split_panels(p, y, pn, np))
        return DG_ENOMEM;
    for (size_t k = 0; k < *np; k++) {
        pn[k].ncols = infer_lost_headers(p, t, pn[k].cols, pn[k].ncols);
        column_reach(p, pn[k].cols, pn[k].ncols);
        /* the outer columns reach no further than their panel */
        pn[k].cols[0].x0 = fmax(pn[k].cols[0].x0, pn[k].x0);
        pn[k].cols[pn[k].ncols - 1].x1 = fmin(pn[k].cols[pn[k].ncols - 1].x1, pn[k].x1);
    }
    return DG_OK;
}

typedef struct row_group {
    int y0, y1;
    int cell_row; /* grid row, or -1 */
    size_t *runs;
    size_t nruns;
} row_group;

static int table_bounds(const ex_page *p, const column *cols, size_t ncols, int *top, int *bottom)
{
    *top = 0;
    for (size_t i = 0; i < ncols; i++)
        if (cols[i].y1 > *top)
            *top = cols[i].y1;
    *bottom = p->height + 1;
    for (size_t i = 0; i < p->nmatches; i++) {
        const ex_match *m = &p->matches[i];
        span s = glyph_span(p, &p->runs[m->run], m->start, m->end);
        if (m->field < 0 && s.y0 > *top && s.y0 < *bottom)
            *bottom = s.y0;
    }
    return DG_OK;
}

static int cmp_run_y(const void *a, const void *b, void *ud)
{
    const ex_page *p = ud;
    const ex_run *x = &p->runs[*(const size_t *)a], *y = &p->runs[*(const size_t *)b];
    if (x->b.y != y->b.y)
        return x->b.y < y->b.y ? -1 : 1;
    return x->b.x < y->b.x ? -1 : x->b.x > y->b.x;
}

/* Data runs between header and footer, top to bottom. */
static size_t data_runs(const ex_page *p, int top, int bottom, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nruns; i++) {
        const ex_run *r = &p->runs[i];
        double cy = r->b.y + r->b.h / 2.0;
        if (cy <= top || cy >= bottom || !run_has_text(p, r))
            continue;
        if (!r->cell && r->b.h > 3.0 * p->line_h) /* a rule or a stain read as text */
            continue;
        int labelled = 0;
        for (size_t k = 0; k < p->nmatches && !labelled; k++)
            labelled = p->matches[k].run == i;
        if (!labelled)
            out[n++] = i;
    }
    ex_sort_indices(out, n, cmp_run_y, (void *)p);
    return n;
}

/* Rows: grid rows when there is a grid; otherwise runs clustered by the
 * vertical gap, so a cell wrapped onto two lines stays in its row. */
static size_t group_rows(const ex_page *p, const size_t *runs, size_t n, row_group *rows)
{
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        const ex_run *r = &p->runs[runs[i]];
        int crow = -1;
        if (r->cell)
            for (size_t c = 0; c < p->ncells; c++)
                if (p->cells[c].id == r->cell_id)
                    crow = p->cells[c].row;
        row_group *g = NULL;
        for (size_t k = 0; k < nr && crow >= 0; k++)
            if (rows[k].cell_row == crow)
                g = &rows[k];
        if (!g && crow < 0 && nr && rows[nr - 1].cell_row < 0 &&
            r->b.y < rows[nr - 1].y1 + 0.8 * p->line_h)
            g = &rows[nr - 1];
        if (!g) {
            g = &rows[nr++];
            g->y0 = r->b.y;
            g->y1 = r->b.y + r->b.h;
            g->cell_row = crow;
            g->nruns = 0;
            g->runs = malloc(n * sizeof *g->runs);
            if (!g->runs)
                return nr - 1;
        }
        if (r->b.y + r->b.h > g->y1)
            g->y1 = r->b.y + r->b.h;
        g->runs[g->nruns++] = runs[i];
    }
    return nr;
}

static int column_of(const column *cols, size_t ncols, double x)
{
    for (size_t i = 0; i < ncols; i++)
        if (x >= cols[i].x0 && x < cols[i].x1)
            return (int)i;
    return -1;
}

/* One row's value for one column, glyphs in line order then x. */
static int row_column_glyphs(const ex_page *p, const row_group *g, const column *cols,
                             size_t ncols, size_t ci, gsel *s)
{
    for (size_t k = 0; k < g->nruns; k++) {
        const ex_run *r = &p->runs[g->runs[k]];
        if (r->cell && column_of(cols, ncols, r->b.x + r->b.w / 2.0) != (int)ci)
            continue;
        for (size_t i = 0; i < r->ng; i++) {
            const ex_glyph *gl = RUN_G(p, r, i);
            /* whole words go to one column: a data word is often wider than
             * its header, and its first characters may cross the midpoint */
            const ex_box *wb = &p->words[gl->word].b;
            if (!r->cell && column_of(cols, ncols, wb->x + wb->w / 2.0) != (int)ci)
                continue;
            if (gl->cp == '|' || gl->cp == 0xFF5C)
                continue;
            if (gsel_add(s, p->run_glyphs[r->g0 + i]))
                return DG_ENOMEM;
        }
    }
    return DG_OK;
}

static int filled_columns(const ex_page *p, const row_group *g, const column *cols, size_t ncols)
{
    int n = 0;
    for (size_t ci = 0; ci < ncols; ci++) {
        gsel s = {0};
        row_column_glyphs(p, g, cols, ncols, ci, &s);
        n += gsel_significant(p, &s);
        free(s.g);
    }
    return n;
}

static int add_record(ex_result *res, const ex_template *t, int row_no)
{
    ex_record *r = realloc(res->records, (res->nrecords + 1) * sizeof *r);
    if (!r)
        return DG_ENOMEM;
    res->records = r;
    r = &res->records[res->nrecords++];
    memset(r, 0, sizeof *r);
    r->row_no = row_no;
    r->values = calloc(t->nfields ? t->nfields : 1, sizeof *r->values);
    return r->values ? DG_OK : DG_ENOMEM;
}

static void record_box(ex_record *r, size_t nvals)
{
    int first = 1;
    for (size_t i = 0; i < nvals; i++)
        if (r->values[i].raw)
            box_union(&r->box, r->values[i].box, &first);
}

static int table_row_record(const ex_page *p, const ex_template *t, const row_group *g,
                            const column *cols, size_t ncols, ex_result *res)
{
    if (add_record(res, t, (int)res->nrecords + 1))
        return DG_ENOMEM;
    ex_record *rec = &res->records[res->nrecords - 1];
    for (size_t ci = 0; ci < ncols; ci++) {
        gsel s = {0};
        int rc = row_column_glyphs(p, g, cols, ncols, ci, &s);
        if (rc == DG_OK && gsel_significant(p, &s))
            rc = make_value(p, &t->fields[cols[ci].field], &s, "under column header",
                            &rec->values[cols[ci].field]);
        free(s.g);
        if (rc)
            return rc;
    }
    record_box(rec, t->nfields);
    return DG_OK;
}

/* Records of one panel's rows, numbered on from the page's records so far. */
static int panel_records(const ex_page *p, const ex_template *t, const panel *pn, size_t *runs,
                         row_group *rows, ex_result *res)
{
    int top, bottom;
    table_bounds(p, pn->cols, pn->ncols, &top, &bottom);
    size_t n = 0, all = data_runs(p, top, bottom, runs);
    for (size_t i = 0; i < all; i++) {
        const ex_run *r = &p->runs[runs[i]];
        double cx = r->b.x + r->b.w / 2.0;
        if (cx >= pn->x0 && cx < pn->x1)
            runs[n++] = runs[i];
    }
    size_t nr = group_rows(p, runs, n, rows);
    int rc = DG_OK;
    for (size_t i = 0; i < nr; i++) {
        /* a stray fragment (page number, stain) is not a student */
        if (rc == DG_OK && filled_columns(p, &rows[i], pn->cols, pn->ncols) >= 2)
            rc = table_row_record(p, t, &rows[i], pn->cols, pn->ncols, res);
        free(rows[i].runs);
    }
    return rc;
}

/* Records of the rows of each table (pn[0..np), from header_panels). */
static int table_records(const ex_page *p, const ex_template *t, const panel *pn, size_t np,
                         ex_result *res)
{
    size_t *runs = malloc((p->nruns + 1) * sizeof *runs);
    row_group *rows = calloc(p->nruns + 1, sizeof *rows);
    int rc = runs && rows ? DG_OK : DG_ENOMEM;
    for (size_t k = 0; rc == DG_OK && k < np; k++)
        rc = panel_records(p, t, &pn[k], runs, rows, res);
    free(rows);
    free(runs);
    return rc;
}

static int card_record(const ex_page *p, const ex_template *t, ex_result *res)
{
    if (add_record(res, t, 0))
        return DG_ENOMEM;
    ex_record *rec = &res->records[0];
    for (size_t i = 0; i < t->nfields; i++)
        if (label_value(p, t, &t->fields[i], (int)i, &rec->values[i]))
            return DG_ENOMEM;
    record_box(rec, t->nfields);
    return DG_OK;
}

/* ---- classification ---------------------------------------------------------------- */

static double grid_penalty(const ex_page *p, const ex_template *t)
{
    if (!p->ncells)
        return 0;
    int rows = 0, cols = 0;
    for (size_t i = 0; i < p->ncells; i++) {
        if (p->cells[i].row + 1 > rows)
            rows = p->cells[i].row + 1;
        if (p->cells[i].col + 1 > cols)
            cols = p->cells[i].col + 1;
    }
    int bad = (t->grid_min_rows && rows < t->grid_min_rows) ||
              (t->grid_max_rows && rows > t->grid_max_rows) ||
              (t->grid_min_cols && cols < t->grid_min_cols) ||
              (t->grid_max_cols && cols > t->grid_max_cols);
    return bad ? 0.2 : 0;
}

/* Columns of the widest of tables pn[0..np). */
static size_t widest_panel(const panel *pn, size_t np)
{
    size_t n = 0;
    for (size_t k = 0; k < np; k++)
        n = pn[k].ncols > n ? pn[k].ncols : n;
    return n;
}

/* Columns of the page's widest table header (0 when out of memory too:
 * the template then scores as if none were found). */
static size_t header_column_count(const ex_page *p, const ex_template *t)
{
    panel *pn = malloc(MAX_PANELS * sizeof *pn);
    size_t n = 0, np = 0;
    if (pn && header_panels(p, t, pn, &np) == DG_OK)
        n = widest_panel(pn, np);
    free(pn);
    return n;
}

static int score_template(ex_page *p, const ex_template *t, double *score, char *why, size_t wl)
{
    if (find_matches(p, t))
        return DG_ENOMEM;
    size_t ts, te;
    int title = find_title(p, t, &ts, &te) >= 0;
    size_t expected = 0, found = 0;
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].expected) {
            expected++;
            found += best_match_for(p, (int)i) != NULL;
        }
    if (t->table) {
        size_t n = header_column_count(p, t);
        found = n < expected ? n : expected;
    }
    double frac = expected ? (double)found / (double)expected : 0;
    *score = 0.4 * title + 0.6 * frac - grid_penalty(p, t);
    snprintf(why, wl, "%s: title %s, %zu of %zu labels", t->id, title ? "found" : "not found",
             found, expected);
    return DG_OK;
}

void ex_result_release(ex_result *r)
{
    size_t nf = r->tpl ? r->tpl->nfields : 0, nh = r->tpl ? r->tpl->nheader : 0;
    for (size_t i = 0; i < r->nrecords; i++) {
        for (size_t k = 0; k < nf; k++) {
            free(r->records[i].values[k].raw);
            free(r->records[i].values[k].words);
        }
        free(r->records[i].values);
    }
    free(r->records);
    for (size_t k = 0; r->header && k < nh; k++) {
        free(r->header[k].raw);
        free(r->header[k].words);
    }
    free(r->header);
    memset(r, 0, sizeof *r);
}

#define TWIN_FIELDS 3

/* Fields of a card template whose label is found twice, the two a third
 * of the page apart or more (two cards scanned on one sheet, side by side
 * or one above the other). */
static int twin_labels(const ex_page *p, const ex_template *t)
{
    int twins = 0;
    for (size_t fi = 0; fi < t->nfields; fi++) {
        int twin = 0;
        for (size_t a = 0; a < p->nmatches && !twin; a++)
            for (size_t b = a + 1; b < p->nmatches && !twin; b++) {
                const ex_match *x = &p->matches[a], *y = &p->matches[b];
                if (x->field != (int)fi || y->field != (int)fi)
                    continue;
                span sx = glyph_span(p, &p->runs[x->run], x->start, x->end);
                span sy = glyph_span(p, &p->runs[y->run], y->start, y->end);
                twin = fabs((sx.x0 + sx.x1) / 2 - (sy.x0 + sy.x1) / 2) > p->width / 3.0 ||
                       abs((sx.y0 + sx.y1) / 2 - (sy.y0 + sy.y1) / 2) > p->height / 3;
            }
        twins += twin;
    }
    return twins;
}

int ex_page_extract(ex_page *p, const ex_templates *set, ex_result *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    p->look = ex_templates_lookalikes(set);
    const ex_template *best = NULL;
    double best_score = -1;
    char why[160] = "no templates", best_why[160] = "";
    for (size_t i = 0; i < ex_templates_count(set); i++) {
        const ex_template *t = ex_templates_get(set, i);
        double s;
        if (score_template(p, t, &s, why, sizeof why))
            return dg_err_set(err, DG_ENOMEM, "out of memory classifying page");
        if (s > best_score) {
            best_score = s;
            best = t;
            memcpy(best_why, why, sizeof why);
        }
    }
    out->score = best_score < 0 ? 0 : best_score;
    if (!best || best_score < best->threshold) {
        snprintf(out->reason, sizeof out->reason, "unknown form (best %.100s, score %.2f)",
                 best ? best_why : why, out->score);
        return DG_OK;
    }
    int rc = find_matches(p, best);
    /* One record from two cards would give one person the other's fields:
     * such a page is left for a person to split (ledger spreads are read
     * table by table instead). */
    int twins = rc == DG_OK && !best->table ? twin_labels(p, best) : 0;
    if (twins >= TWIN_FIELDS) {
        snprintf(out->reason, sizeof out->reason,
                 "two forms on one page (%d labels found twice, far apart): split the scan",
                 twins);
        return DG_OK;
    }
    /* A ledger whose column header is lost (faded, or a continuation page
     * printed without one) would pass as a page with no student. */
    panel *pn = rc == DG_OK && best->table ? malloc(MAX_PANELS * sizeof *pn) : NULL;
    size_t np = 0;
    if (best->table && rc == DG_OK)
        rc = pn ? header_panels(p, best, pn, &np) : DG_ENOMEM;
    if (best->table && rc == DG_OK && widest_panel(pn, np) < MIN_PANEL_COLUMNS) {
        snprintf(out->reason, sizeof out->reason,
                 "%s without its column header (%zu column labels found): read it by hand",
                 best->id, widest_panel(pn, np));
        free(pn);
        return DG_OK;
    }
    out->tpl = best;
    snprintf(out->reason, sizeof out->reason, "%s", best_why);
    out->header = calloc(best->nheader ? best->nheader : 1, sizeof *out->header);
    if (rc == DG_OK && !out->header)
        rc = DG_ENOMEM;
    if (rc == DG_OK)
        rc = header_values(p, best, out->header);
    if (rc == DG_OK)
        rc = best->table ? table_records(p, best, pn, np, out) : card_record(p, best, out);
    free(pn);
    if (rc) {
        ex_result_release(out);
        return dg_err_set(err, DG_ENOMEM, "out of memory extracting page");
    }
    return DG_OK;
}
