/*
 * classify.c - classifying a page against the templates and extracting
 * the fields of the best one (the geometry rules are described in page.c).
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
static size_t widest_panel(const ex_panel *pn, size_t np)
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
    ex_panel *pn = malloc(EX_MAX_PANELS * sizeof *pn);
    size_t n = 0, np = 0;
    if (pn && ex_header_panels(p, t, pn, &np) == DG_OK)
        n = widest_panel(pn, np);
    free(pn);
    return n;
}

static int score_template(ex_page *p, const ex_template *t, double *score, char *why, size_t wl)
{
    if (ex_find_matches(p, t))
        return DG_ENOMEM;
    size_t ts, te;
    int title = ex_find_title(p, t, &ts, &te) >= 0;
    size_t expected = 0, found = 0;
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].expected) {
            expected++;
            found += ex_best_match_for(p, (int)i) != NULL;
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
                ex_span sx = ex_glyph_span(p, &p->runs[x->run], x->start, x->end);
                ex_span sy = ex_glyph_span(p, &p->runs[y->run], y->start, y->end);
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
    int rc = ex_find_matches(p, best);
    /* labels garbled before their colon, on forms declared without rules
     * (not while classifying: what the page is decides it, not the card) */
    if (rc == DG_OK)
        rc = ex_find_pair_labels(p, best);
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
    ex_panel *pn = rc == DG_OK && best->table ? malloc(EX_MAX_PANELS * sizeof *pn) : NULL;
    size_t np = 0;
    if (best->table && rc == DG_OK)
        rc = pn ? ex_header_panels(p, best, pn, &np) : DG_ENOMEM;
    if (best->table && rc == DG_OK && widest_panel(pn, np) < EX_MIN_PANEL_COLUMNS) {
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
        rc = ex_header_values(p, best, out->header);
    if (rc == DG_OK)
        rc = best->table ? ex_table_records(p, best, pn, np, out) : ex_card_record(p, best, out);
    free(pn);
    if (rc) {
        ex_result_release(out);
        return dg_err_set(err, DG_ENOMEM, "out of memory extracting page");
    }
    return DG_OK;
}
