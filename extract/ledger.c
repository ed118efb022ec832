/*
 * ledger.c - table values: the header band of column labels (split into
 * tables where a two-page spread prints it twice), each column's x range,
 * the rows under it grouped from the page's runs, one record per row.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_col(const void *a, const void *b)
{
    double d = ((const ex_column *)a)->cx - ((const ex_column *)b)->cx;
    return d < 0 ? -1 : d > 0;
}

static double match_cy(const ex_page *p, const ex_match *m)
{
    ex_span s = ex_glyph_span(p, &p->runs[m->run], m->start, m->end);
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
                if (EX_RUN_CP(p, r, i) == f->labels[l].cp[k] &&
                    ex_cp_significant(EX_RUN_CP(p, r, i)))
                    return 1;
    return 0;
}

/* A header the OCR misread (专业 read 业) drops its column and every value
 * under it.  When the columns found run in the template's order and two
 * neighbours have exactly one column field of the template between them,
 * found nowhere else, the text on the header band between them is that
 * field's header if it keeps a character of one of its labels.  Returns
 * the new count of cols (sorted by x). */
static size_t infer_lost_headers(const ex_page *p, const ex_template *t, ex_column *cols, size_t n)
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
            if (!ex_run_has_text(p, r))
                continue;
            ex_span s = ex_glyph_span(p, r, 0, r->ng);
            double cx = (s.x0 + s.x1) / 2;
            if (cx > cols[i].x1 && cx < cols[i + 1].x0 && abs(s.y1 - cols[i].y1) < p->line_h &&
                abs(s.y1 - cols[i + 1].y1) < p->line_h && shares_label_char(p, r, &t->fields[f])) {
                cols[out++] = (ex_column){f, s.x0, s.x1, cx, s.y1};
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

/* Fields panel a has that panel b has too. */
static size_t shared_fields(const ex_panel *a, const ex_panel *b)
{
    size_t n = 0;
    for (size_t i = 0; i < a->ncols; i++)
        for (size_t j = 0; j < b->ncols; j++)
            n += a->cols[i].field == b->cols[j].field;
    return n;
}

/* Panel b's columns for fields a lacks go to a (a label read twice in one
 * table: the first stands). */
static void merge_panel(ex_panel *a, const ex_panel *b)
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
 * when it repeats EX_MIN_PANEL_COLUMNS fields of the one before (a whole
 * header again); otherwise a label was misread as another field's and the
 * panel joins the one before.  Sets *np; DG_ENOMEM or DG_OK. */
static int split_panels(const ex_page *p, double y, ex_panel *pn, size_t *np_out)
{
    ex_column band[64];
    size_t nb = 0;
    for (size_t i = 0; i < p->nmatches && nb < 64; i++) {
        const ex_match *m = &p->matches[i];
        if (m->field < 0 || fabs(match_cy(p, m) - y) >= p->line_h)
            continue;
        ex_span s = ex_glyph_span(p, &p->runs[m->run], m->start, m->end);
        band[nb++] = (ex_column){m->field, s.x0, s.x1, (s.x0 + s.x1) / 2, s.y1};
    }
    qsort(band, nb, sizeof *band, cmp_col);
    ex_panel *all = malloc((nb ? nb : 1) * sizeof *all);
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
        if (np &&
            (np == EX_MAX_PANELS || shared_fields(&all[k], &pn[np - 1]) < EX_MIN_PANEL_COLUMNS))
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
static void column_reach(const ex_page *p, ex_column *cols, size_t n)
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
int ex_header_panels(const ex_page *p, const ex_template *t, ex_panel *pn, size_t *np)
{
    double y = header_band(p, t);
    *np = 0;
    if (y >= 0 && split_panels(p, y, pn, np))
        return DG_ENOMEM;
    for (size_t k = 0; k < *np; k++) {
        pn[k].ncols = infer_lost_headers(p, t, pn[k].cols, pn[k].ncols);
        column_reach(p, pn[k].cols, pn[k].ncols);
        /* the outer columns reach no further than their ex_panel */
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

static int table_bounds(const ex_page *p, const ex_column *cols, size_t ncols, int *top,
                        int *bottom)
{
    *top = 0;
    for (size_t i = 0; i < ncols; i++)
        if (cols[i].y1 > *top)
            *top = cols[i].y1;
    *bottom = p->height + 1;
    for (size_t i = 0; i < p->nmatches; i++) {
        const ex_match *m = &p->matches[i];
        ex_span s = ex_glyph_span(p, &p->runs[m->run], m->start, m->end);
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
        if (cy <= top || cy >= bottom || !ex_run_has_text(p, r))
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

static int column_of(const ex_column *cols, size_t ncols, double x)
{
    for (size_t i = 0; i < ncols; i++)
        if (x >= cols[i].x0 && x < cols[i].x1)
            return (int)i;
    return -1;
}

/* One row's value for one column, glyphs in line order then x. */
static int row_column_glyphs(const ex_page *p, const row_group *g, const ex_column *cols,
                             size_t ncols, size_t ci, ex_gsel *s)
{
    for (size_t k = 0; k < g->nruns; k++) {
        const ex_run *r = &p->runs[g->runs[k]];
        if (r->cell && column_of(cols, ncols, r->b.x + r->b.w / 2.0) != (int)ci)
            continue;
        for (size_t i = 0; i < r->ng; i++) {
            const ex_glyph *gl = EX_RUN_G(p, r, i);
            /* whole words go to one column: a data word is often wider than
             * its header, and its first characters may cross the midpoint */
            const ex_box *wb = &p->words[gl->word].b;
            if (!r->cell && column_of(cols, ncols, wb->x + wb->w / 2.0) != (int)ci)
                continue;
            if (gl->cp == '|' || gl->cp == 0xFF5C)
                continue;
            if (ex_gsel_add(s, p->run_glyphs[r->g0 + i]))
                return DG_ENOMEM;
        }
    }
    return DG_OK;
}

static int filled_columns(const ex_page *p, const row_group *g, const ex_column *cols, size_t ncols)
{
    int n = 0;
    for (size_t ci = 0; ci < ncols; ci++) {
        ex_gsel s = {0};
        row_column_glyphs(p, g, cols, ncols, ci, &s);
        n += ex_gsel_significant(p, &s);
        free(s.g);
    }
    return n;
}

static int table_row_record(const ex_page *p, const ex_template *t, const row_group *g,
                            const ex_column *cols, size_t ncols, ex_result *res)
{
    if (ex_record_add(res, t, (int)res->nrecords + 1))
        return DG_ENOMEM;
    ex_record *rec = &res->records[res->nrecords - 1];
    for (size_t ci = 0; ci < ncols; ci++) {
        ex_gsel s = {0};
        int rc = row_column_glyphs(p, g, cols, ncols, ci, &s);
        if (rc == DG_OK && ex_gsel_significant(p, &s))
            rc = ex_make_value(p, &t->fields[cols[ci].field], &s, "under column header",
                               &rec->values[cols[ci].field]);
        free(s.g);
        if (rc)
            return rc;
    }
    ex_record_box(rec, t->nfields);
    return DG_OK;
}

/* Records of one panel's rows, numbered on from the page's records so far. */
static int panel_records(const ex_page *p, const ex_template *t, const ex_panel *pn, size_t *runs,
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

/* Records of the rows of each table (pn[0..np), from ex_header_panels). */
int ex_table_records(const ex_page *p, const ex_template *t, const ex_panel *pn, size_t np,
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
