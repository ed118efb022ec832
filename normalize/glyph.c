/*
 * glyph.c - the glyph-similarity table (configs/normalize/glyphs.tsv, made
 * offline by bench/glyph_table from rendered CJK fonts): for each character
 * its most similar characters by shape with a score.  Read once into sorted
 * arrays; immutable afterwards, so one table may be shared by threads.
 */
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GLYPH_FILE_MAX = 16 << 20 };

typedef struct glyph_row {
    uint32_t cp;
    size_t off, n; /* into nbs, best first */
} glyph_row;

struct norm_glyphs {
    glyph_row *rows;
    size_t nrows, cap_rows;
    norm_glyph_nb *nbs;
    size_t nnbs, cap_nbs;
};

void norm_glyphs_free(norm_glyphs **gp)
{
    if (!gp || !*gp)
        return;
    free((*gp)->rows);
    free((*gp)->nbs);
    free(*gp);
    *gp = NULL;
}

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 1024;
    while (c < need)
        c *= 2;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

/* One code point filling [s, s + len) exactly, else 0. */
static uint32_t one_char(const char *s, size_t len)
{
    size_t i = 0;
    uint32_t c = dg_utf8_next(s, len, &i);
    return i == len && c != 0xFFFD ? c : 0;
}

/* "X:0.912" -> neighbour; -1 when malformed. */
static int parse_nb(const char *s, size_t len, norm_glyph_nb *out)
{
    const char *colon = memchr(s, ':', len);
    if (!colon)
        return -1;
    out->cp = one_char(s, (size_t)(colon - s));
    char num[32];
    size_t nl = len - (size_t)(colon - s) - 1;
    if (!out->cp || !nl || nl >= sizeof num)
        return -1;
    memcpy(num, colon + 1, nl);
    num[nl] = '\0';
    char *end;
    out->score = strtod(num, &end);
    return *end || out->score < 0 || out->score > 1 ? -1 : 0;
}

static int by_cp(const void *a, const void *b)
{
    const glyph_row *x = a, *y = b;
    return x->cp < y->cp ? -1 : x->cp > y->cp;
}

static int parse_line(norm_glyphs *g, const char *s, size_t len, const char *path, int lineno,
                      dg_err *err)
{
    const char *tab = memchr(s, '\t', len);
    size_t first = tab ? (size_t)(tab - s) : len;
    glyph_row r = {one_char(s, first), g->nnbs, 0};
    if (!r.cp || !tab)
        return dg_err_set(err, DG_EINPUT, "%s:%d: expected CHAR<TAB>NEIGHBOUR:SCORE...", path,
                          lineno);
    for (size_t i = first + 1; i < len;) {
        const char *next = memchr(s + i, '\t', len - i);
        size_t flen = next ? (size_t)(next - (s + i)) : len - i;
        norm_glyph_nb nb;
        if (parse_nb(s + i, flen, &nb))
            return dg_err_set(err, DG_EINPUT, "%s:%d: bad neighbour '%.*s' (CHAR:SCORE, 0-1)",
                              path, lineno, (int)flen, s + i);
        if (grow((void **)&g->nbs, &g->cap_nbs, g->nnbs + 1, sizeof *g->nbs))
            return dg_err_set(err, DG_ENOMEM, "out of memory reading %s", path);
        g->nbs[g->nnbs++] = nb;
        r.n++;
        i += flen + 1;
    }
    if (grow((void **)&g->rows, &g->cap_rows, g->nrows + 1, sizeof *g->rows))
        return dg_err_set(err, DG_ENOMEM, "out of memory reading %s", path);
    g->rows[g->nrows++] = r;
    return DG_OK;
}

int norm_glyphs_load(const char *path, norm_glyphs **out, dg_err *err)
{
    *out = NULL;
    unsigned char *data;
    size_t len;
    int rc = dg_read_file(path, GLYPH_FILE_MAX, &data, &len, err);
    if (rc)
        return rc;
    norm_glyphs *g = calloc(1, sizeof *g);
    if (!g) {
        free(data);
        return dg_err_set(err, DG_ENOMEM, "out of memory reading %s", path);
    }
    const char *s = (const char *)data;
    int lineno = 0;
    for (size_t i = 0; i < len && !rc;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - (s + i)) : len - i;
        lineno++;
        size_t t = l;
        while (t && (s[i + t - 1] == '\r' || s[i + t - 1] == ' '))
            t--;
        if (t && s[i] != '#')
            rc = parse_line(g, s + i, t, path, lineno, err);
        i += l + 1;
    }
    free(data);
    if (!rc) {
        qsort(g->rows, g->nrows, sizeof *g->rows, by_cp);
        for (size_t i = 1; i < g->nrows && !rc; i++)
            if (g->rows[i].cp == g->rows[i - 1].cp)
                rc = dg_err_set(err, DG_EINPUT, "%s: U+%04X has two lines", path,
                                (unsigned)g->rows[i].cp);
    }
    if (rc) {
        norm_glyphs_free(&g);
        return rc;
    }
    *out = g;
    return DG_OK;
}

int norm_glyphs_new(const char *config_dir, norm_glyphs **out, dg_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/normalize/glyphs.tsv",
             config_dir ? config_dir : DANGAN_SOURCE_CONFIG_DIR);
    return norm_glyphs_load(path, out, err);
}

size_t norm_glyphs_count(const norm_glyphs *g)
{
    return g ? g->nrows : 0;
}

size_t norm_glyphs_neighbours(const norm_glyphs *g, uint32_t c, const norm_glyph_nb **out)
{
    *out = NULL;
    if (!g)
        return 0;
    glyph_row key = {.cp = c};
    const glyph_row *r = bsearch(&key, g->rows, g->nrows, sizeof *g->rows, by_cp);
    if (!r)
        return 0;
    *out = g->nbs + r->off;
    return r->n;
}

static double listed(const norm_glyphs *g, uint32_t a, uint32_t b)
{
    const norm_glyph_nb *v;
    size_t n = norm_glyphs_neighbours(g, a, &v);
    for (size_t i = 0; i < n; i++)
        if (v[i].cp == b)
            return v[i].score;
    return 0;
}

double norm_glyphs_score(const norm_glyphs *g, uint32_t a, uint32_t b)
{
    if (a == b)
        return 1;
    double s = listed(g, a, b);
    return s > 0 ? s : listed(g, b, a);
}

double norm_glyphs_score_utf8(const norm_glyphs *g, const char *a, const char *b)
{
    uint32_t ca = a ? one_char(a, strlen(a)) : 0, cb = b ? one_char(b, strlen(b)) : 0;
    return ca && cb ? norm_glyphs_score(g, ca, cb) : 0;
}
