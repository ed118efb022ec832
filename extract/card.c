/*
 * card.c - card values: a field's value after its label, right of it or
 * below it (the nearest run on that side), with the checks that keep
 * another label, garbled or not, from being read as a value; and the one
 * record of a card page.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 1 when an empty cell lies on the label's row between the label (span
 * ls) and run r right of it. */
static int empty_cell_between(const ex_page *p, const ex_span *ls, const ex_run *r)
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
    size_t n = ex_run_significant(p, r, sig, NULL, 16);
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
static long neighbour(const ex_page *p, size_t ri, const ex_span *ls, nb_dir dir, double reach,
                      int other_cells, double raised)
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
                d = (!r->cell ? EX_RUN_G(p, r, 0)->x0 : r->b.x) - ls->x1;
            if (cy < ls->y0 - (0.2 + raised) * p->line_h || cy > ls->y1 + 0.2 * p->line_h ||
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
static int below_value(const ex_page *p, long ni, const ex_span *ls, ex_gsel *out)
{
    const ex_run *r = &p->runs[ni];
    double cx = (ls->x0 + ls->x1) / 2, best_d = 1e18;
    size_t c = 0;
    for (size_t i = 0; i < r->ng; i++) {
        double d = fabs((EX_RUN_G(p, r, i)->x0 + EX_RUN_G(p, r, i)->x1) / 2 - cx);
        if (d < best_d) {
            best_d = d;
            c = i;
        }
    }
    size_t s = c, e = c + 1, ms;
    while (s > 0 && EX_RUN_G(p, r, s)->x0 - EX_RUN_G(p, r, s - 1)->x1 < 1.5 * p->line_h)
        s--;
    while (e < r->ng && EX_RUN_G(p, r, e)->x0 - EX_RUN_G(p, r, e - 1)->x1 < 1.5 * p->line_h)
        e++;
    const ex_match *m = ex_match_at(p, (size_t)ni, s, &ms);
    if (m && ms < e) /* a label is not a value */
        return DG_OK;
    return ex_gsel_run(p, (size_t)ni, s, e, out);
}

/* 1 when run ni starts with a label (its first significant character). */
static int starts_with_label(const ex_page *p, long ni)
{
    const ex_run *r = &p->runs[ni];
    size_t s = 0, ms;
    while (s < r->ng && !ex_cp_significant(EX_RUN_CP(p, r, s)))
        s++;
    return ex_match_at(p, (size_t)ni, 0, &ms) && ms <= s;
}

/* 1 when the label at run ri (span ls, right neighbour ri_right or -1)
 * stands in a row of labels: its neighbour on the right, or failing one
 * its neighbour on the left, is another label (a value's neighbour on a
 * card is a label only where a value is blank). */
static int in_label_row(const ex_page *p, size_t ri, const ex_span *ls, long ri_right)
{
    if (ri_right >= 0)
        return starts_with_label(p, ri_right);
    long li = neighbour(p, ri, ls, NB_LEFT, 0, 0, 0);
    return li >= 0 && starts_with_label(p, li);
}

/* Text at the start of a neighbour run; empty when it starts with a label. */
static int neighbour_value(const ex_page *p, long ni, int below, const ex_span *ls, ex_gsel *out)
{
    if (ni < 0)
        return DG_OK;
    const ex_run *r = &p->runs[ni];
    if (below && !r->cell && r->ng)
        return below_value(p, ni, ls, out);
    if (starts_with_label(p, ni))
        return DG_OK;
    return ex_gsel_run(p, (size_t)ni, 0, ex_value_end(p, (size_t)ni, 0), out);
}

int ex_label_value(const ex_page *p, const ex_template *t, const ex_field *f, int field_id,
                   ex_value *v)
{
    const ex_match *m = ex_best_match_for(p, field_id);
    if (!m)
        return DG_OK;
    ex_gsel s = {0};
    const char *rule = "after label";
    /* a label：value form's rules hold outside ruled cells only */
    int pair = ex_field_free(f) && !p->runs[m->run].cell;
    int rc = DG_OK;
    if (f->at != EX_AT_BELOW)
        rc = ex_gsel_run(p, m->run, m->end, ex_value_end(p, m->run, m->end), &s);
    ex_pair_trim(p, pair ? f->rules : 0, &s); /* a blank underline read ____ is no value */
    ex_span ls = ex_glyph_span(p, &p->runs[m->run], m->start, m->end);
    if (rc == DG_OK && !ex_gsel_significant(p, &s)) {
        s.n = 0;
        int below = f->at == EX_AT_BELOW;
        /* A value printed after its label is read as a phrase of its own
         * when the gap between them is wide (outside the grid the OCR reads
         * phrase by phrase: 系（所）： | 化学系): the nearest run to the
         * right, within three characters. */
        double reach = f->at == EX_AT_AFTER ? 3.0 * p->line_h : 0;
        /* a value typed onto an underline may stand above its label's
         * line (the paper fed a line off); bare pairs never do */
        int on_line = pair && (f->rules & EX_RULES_UNDERLINE);
        long ni = neighbour(p, m->run, &ls, below ? NB_BELOW : NB_RIGHT, reach, 0,
                            on_line ? 0.8 : 0);
        /* past an empty cell (a blank value, or a value cell a fold cut
         * in two) the next run may be the next label, garbled: then the
         * value is blank, not that label's text */
        if (ni >= 0 && !below && empty_cell_between(p, &ls, &p->runs[ni]) &&
            garbled_label(p, t, &p->runs[ni]))
            ni = -1;
        /* (on a form of label：value pairs, text below that reads as a
         * pair is the next pair, garbled label and all: a value the OCR
         * lost is missing, not that) */
        if (f->at == EX_AT_RIGHT && in_label_row(p, m->run, &ls, ni)) {
            /* a row of labels over a row of values (姓名 | 性别 | 出生年月
             * over 司马光明 | 男 | 1960.05): the value is in the cell
             * below, which holds no label */
            long bi = neighbour(p, m->run, &ls, NB_BELOW, 0, 1, 0);
            if (bi >= 0 && !starts_with_label(p, bi) && !(pair && ex_pair_like(p, bi))) {
                below = 1;
                ni = bi;
            }
        } else if (ni < 0 && f->at == EX_AT_RIGHT) {
            below = 1;
            ni = neighbour(p, m->run, &ls, NB_BELOW, 0, 0, 0);
            if (ni >= 0 && pair && ex_pair_like(p, ni))
                ni = -1;
        }
        rule = below ? "below label" : "right of label";
        rc = neighbour_value(p, ni, below, &ls, &s);
        if (rc == DG_OK && pair && !below && ni >= 0)
            rc = ex_pair_continue(p, (size_t)ni, &s);
    } else if (rc == DG_OK && pair) {
        rc = ex_pair_continue(p, m->run, &s);
    }
    ex_pair_trim(p, pair ? f->rules : 0, &s);
    /* provenance says when the label was a garbled one before its colon */
    if (m->loose)
        rule = rule[0] == 'a'   ? "after garbled label before colon"
               : rule[0] == 'r' ? "right of garbled label before colon"
                                : "below garbled label before colon";
    if (rc == DG_OK && ex_gsel_significant(p, &s))
        rc = ex_make_value(p, f, &s, rule, v);
    free(s.g);
    return rc;
}

int ex_card_record(const ex_page *p, const ex_template *t, ex_result *res)
{
    if (ex_record_add(res, t, 0))
        return DG_ENOMEM;
    ex_record *rec = &res->records[0];
    for (size_t i = 0; i < t->nfields; i++)
        if (ex_label_value(p, t, &t->fields[i], (int)i, &rec->values[i]))
            return DG_ENOMEM;
    ex_record_box(rec, t->nfields);
    return DG_OK;
}
