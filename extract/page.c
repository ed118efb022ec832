/*
 * page.c - one page's OCR in, form classification and field values out.
 * Pure geometry and text: no database access (archive/stage_extract.c
 * loads the page and stores the result), so tests can drive it with any
 * page model.
 *
 * The page is a list of glyphs (code points with the word they came from
 * and an x range estimated within the word box) grouped into runs: the
 * text of one grid cell when the OCR found a grid, otherwise one OCR line.
 * Labels are matched fuzzily inside runs; the longest label wins where two
 * overlap (学位证书编号 over 学位).  A value is the text after its label up
 * to the next label, a rule remnant '|' or a wide gap; else the run to the
 * right (the next cell), else the run below.  Tables: the header row gives
 * column x ranges; data rows are grid rows, or lines clustered by vertical
 * gaps so that a cell wrapped onto two lines stays one record.
 *
 * Boxes are deskewed (ocr_page.skew_deg) for geometry only; stored boxes
 * are the union of the source words' boxes in original page pixels.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- building the model ---------------------------------------------------------- */

ex_page *ex_page_new(int width, int height, double skew_deg)
{
    ex_page *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->width = width;
    p->height = height;
    p->skew = skew_deg * M_PI / 180.0;
    return p;
}

void ex_page_free(ex_page **pp)
{
    if (!pp || !*pp)
        return;
    ex_page *p = *pp;
    free(p->words);
    free(p->glyphs);
    free(p->runs);
    free(p->cells);
    free(p->matches);
    free(p->run_glyphs);
    free(p);
    *pp = NULL;
}

#define GROW(arr, n, alloc)                                                                        \
    ((n) < (alloc) ? 0                                                                             \
                   : ((alloc) = (alloc) ? (alloc) * 2 : 64,                                        \
                      ((arr) = ex_grow((arr), (alloc), sizeof *(arr))) ? 0 : -1))

static void *ex_grow(void *old, size_t n, size_t size)
{
    void *p = realloc(old, n * size);
    if (!p)
        free(old);
    return p;
}

/* Rotate a box centre back by the page skew; shrink the height the
 * rotation added to an axis-aligned box. */
static ex_box deskew(const ex_page *p, ex_box b)
{
    if (p->skew == 0)
        return b;
    double cx = b.x + b.w / 2.0 - p->width / 2.0, cy = b.y + b.h / 2.0 - p->height / 2.0;
    double s = sin(p->skew), c = cos(p->skew);
    double nx = cx * c - cy * s, ny = cx * s + cy * c;
    double h = b.h - fabs(b.w * s);
    if (h < b.h * 0.3)
        h = b.h * 0.3;
    ex_box r = {(int)lround(nx + p->width / 2.0 - b.w / 2.0),
                (int)lround(ny + p->height / 2.0 - h / 2.0), b.w, (int)lround(h)};
    return r;
}

int ex_page_add_cell(ex_page *p, int64_t id, int row, int col, ex_box b)
{
    if (GROW(p->cells, p->ncells, p->acells))
        return DG_ENOMEM;
    ex_cell *c = &p->cells[p->ncells++];
    c->id = id;
    c->row = row;
    c->col = col;
    c->orig = b;
    c->b = deskew(p, b);
    return DG_OK;
}

/* Words arrive in reading order (line_no, word_no). */
int ex_page_add_word(ex_page *p, int64_t id, int line_no, int64_t cell_id, const char *text,
                     double conf, ex_box b)
{
    if (GROW(p->words, p->nwords, p->awords))
        return DG_ENOMEM;
    ex_word *w = &p->words[p->nwords];
    w->id = id;
    w->line_no = line_no;
    w->cell_id = cell_id;
    w->conf = conf;
    w->orig = b;
    w->b = deskew(p, b);
    uint32_t cp[256];
    size_t n = ex_utf8_decode(text, strlen(text), cp, 256), k = 0;
    for (size_t i = 0; i < n; i++)
        if (cp[i] != ' ' && cp[i] != '\t' && cp[i] != 0x3000)
            k++;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (cp[i] == ' ' || cp[i] == '\t' || cp[i] == 0x3000)
            continue;
        if (GROW(p->glyphs, p->nglyphs, p->aglyphs))
            return DG_ENOMEM;
        ex_glyph *g = &p->glyphs[p->nglyphs++];
        g->cp = cp[i];
        g->word = p->nwords;
        g->x0 = w->b.x + (double)w->b.w * (double)j / (double)k;
        g->x1 = w->b.x + (double)w->b.w * (double)(j + 1) / (double)k;
        j++;
    }
    p->nwords++;
    return DG_OK;
}

/* Insertion sort with a context (qsort_r is not portable C); the arrays
 * are one cell's glyphs or one page's runs. */
void ex_sort_indices(size_t *a, size_t n, int (*cmp)(const void *, const void *, void *),
                     void *ud)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp(&a[j - 1], &a[j], ud) > 0; j--) {
            size_t t = a[j];
            a[j] = a[j - 1];
            a[j - 1] = t;
        }
}

static int glyph_cmp_x(const void *a, const void *b, void *ud)
{
    const ex_page *p = ud;
    const ex_glyph *ga = &p->glyphs[*(const size_t *)a], *gb = &p->glyphs[*(const size_t *)b];
    int la = p->words[ga->word].line_no, lb = p->words[gb->word].line_no;
    if (la != lb)
        return la < lb ? -1 : 1;
    double d = ga->x0 - gb->x0;
    return d < 0 ? -1 : d > 0;
}

static const ex_cell *cell_by_id(const ex_page *p, int64_t id)
{
    for (size_t i = 0; i < p->ncells; i++)
        if (p->cells[i].id == id)
            return &p->cells[i];
    return NULL;
}

static int run_push_glyph(ex_page *p, ex_run *r, size_t g)
{
    if (GROW(p->run_glyphs, p->nrun_glyphs, p->arun_glyphs))
        return DG_ENOMEM;
    p->run_glyphs[p->nrun_glyphs++] = g;
    r->ng++;
    return DG_OK;
}

static void run_box_add(ex_run *r, ex_box b)
{
    if (r->b.w == 0 && r->b.h == 0) {
        r->b = b;
        return;
    }
    int x1 = r->b.x + r->b.w, y1 = r->b.y + r->b.h;
    if (b.x < r->b.x)
        r->b.x = b.x;
    if (b.y < r->b.y)
        r->b.y = b.y;
    if (b.x + b.w > x1)
        x1 = b.x + b.w;
    if (b.y + b.h > y1)
        y1 = b.y + b.h;
    r->b.w = x1 - r->b.x;
    r->b.h = y1 - r->b.y;
}

static ex_run *new_run(ex_page *p, int64_t cell_id, int line_no)
{
    if (GROW(p->runs, p->nruns, p->aruns))
        return NULL;
    ex_run *r = &p->runs[p->nruns++];
    memset(r, 0, sizeof *r);
    r->cell_id = cell_id;
    r->line_no = line_no;
    r->g0 = p->nrun_glyphs;
    return r;
}

/* Cells become runs (empty cells too: an empty value cell must stop the
 * search for a value to the right); words outside the grid form line runs. */
static int build_runs(ex_page *p)
{
    for (size_t c = 0; c < p->ncells; c++) {
        ex_run *r = new_run(p, p->cells[c].id, -1);
        if (!r)
            return DG_ENOMEM;
        r->b = p->cells[c].b;
        r->cell = 1;
        for (size_t g = 0; g < p->nglyphs; g++)
            if (p->words[p->glyphs[g].word].cell_id == p->cells[c].id &&
                run_push_glyph(p, &p->runs[p->nruns - 1], g))
                return DG_ENOMEM;
    }
    int cur_line = -1;
    ex_run *r = NULL;
    for (size_t g = 0; g < p->nglyphs; g++) {
        const ex_word *w = &p->words[p->glyphs[g].word];
        if (w->cell_id > 0 && cell_by_id(p, w->cell_id))
            continue;
        if (!r || w->line_no != cur_line) {
            r = new_run(p, 0, w->line_no);
            if (!r)
                return DG_ENOMEM;
            cur_line = w->line_no;
        }
        run_box_add(r, w->b);
        if (run_push_glyph(p, r, g))
            return DG_ENOMEM;
    }
    /* glyphs of a cell in reading order: top line first, then x */
    for (size_t i = 0; i < p->nruns; i++)
        if (p->runs[i].cell && p->runs[i].ng > 1)
            ex_sort_indices(p->run_glyphs + p->runs[i].g0, p->runs[i].ng, glyph_cmp_x, p);
    return DG_OK;
}

static double median_height(const ex_page *p)
{
    if (!p->nwords)
        return 30;
    int *h = malloc(p->nwords * sizeof *h);
    if (!h)
        return 30;
    size_t n = 0;
    for (size_t i = 0; i < p->nwords; i++)
        if (p->words[i].b.h > 4)
            h[n++] = p->words[i].b.h;
    for (size_t i = 1; i < n; i++) /* insertion sort: pages have a few thousand words */
        for (size_t j = i; j > 0 && h[j - 1] > h[j]; j--) {
            int t = h[j];
            h[j] = h[j - 1];
            h[j - 1] = t;
        }
    double m = n ? h[n / 2] : 30;
    free(h);
    return m;
}

int ex_page_finish(ex_page *p)
{
    p->line_h = median_height(p);
    return build_runs(p);
}
