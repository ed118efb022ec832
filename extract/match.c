/*
 * match.c - code points and the fuzzy label matcher.
 *
 * OCR misreads printed labels in predictable ways: look-alike characters
 * (入→人, 究→穴, 己/已/巳, 未/末, 日/曰, 土/士 ...), spaces inside a label
 * (姓 名), punctuation lost or added (系(所) / 系所).  Labels are folded to
 * letters, digits and Han characters, then found in a line's folded text by
 * a weighted edit distance where a look-alike substitution is cheap (the
 * classes are the normalizer's, configs/normalize/confusables.tsv).  Short
 * labels get no slack for ordinary edits: a one-character slip in a
 * two-character label would match half the page.
 */
#include "extract_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ex_utf8_decode(const char *s, size_t len, uint32_t *cp, size_t max)
{
    size_t i = 0, n = 0;
    while (i < len && n < max)
        cp[n++] = dg_utf8_next(s, len, &i);
    return n;
}

int ex_cp_significant(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) ||
           (c >= 0xFF41 && c <= 0xFF5A) || dg_is_han(c);
}

int ex_label_fold(const char *utf8, ex_label *out)
{
    uint32_t tmp[256];
    size_t n = utf8 ? ex_utf8_decode(utf8, strlen(utf8), tmp, 256) : 0;
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ex_cp_significant(tmp[i]))
            continue;
        if (out->len == EX_LABEL_MAX)
            return -1;
        out->cp[out->len++] = tmp[i];
    }
    return out->len ? 0 : -1;
}

/* One character of a look-alike class: the table is sorted by cp, and a
 * character listed in several classes has one entry per class. */
typedef struct lookalike {
    uint32_t cp;
    unsigned cls;
} lookalike;

struct ex_lookalikes {
    lookalike *e;
    size_t n, alloc;
};

void ex_lookalikes_free(ex_lookalikes **lk)
{
    if (!lk || !*lk)
        return;
    free((*lk)->e);
    free(*lk);
    *lk = NULL;
}

static int lookalike_cmp(const void *a, const void *b)
{
    const lookalike *x = a, *y = b;
    if (x->cp != y->cp)
        return x->cp < y->cp ? -1 : 1;
    return (x->cls > y->cls) - (x->cls < y->cls);
}

/* One line of the table: tab-separated characters, one class. */
static int add_class(ex_lookalikes *lk, char *line, unsigned cls, const char *path, int lineno,
                     dg_err *err)
{
    size_t members = 0;
    char *save = NULL;
    for (char *f = strtok_r(line, "\t", &save); f; f = strtok_r(NULL, "\t", &save)) {
        size_t i = 0, len = strlen(f);
        uint32_t c = dg_utf8_next(f, len, &i);
        if (i != len || c == 0xFFFD)
            return dg_err_set(err, DG_EINPUT, "bad look-alike class in '%s' line %d", path,
                              lineno);
        if (lk->n == lk->alloc) {
            size_t a = lk->alloc ? lk->alloc * 2 : 64;
            lookalike *p = realloc(lk->e, a * sizeof *p);
            if (!p)
                return dg_err_set(err, DG_ENOMEM, "out of memory");
            lk->e = p;
            lk->alloc = a;
        }
        lk->e[lk->n++] = (lookalike){c, cls};
        members++;
    }
    return members >= 2 ? DG_OK
                        : dg_err_set(err, DG_EINPUT, "bad look-alike class in '%s' line %d",
                                     path, lineno);
}

int ex_lookalikes_load(const char *path, ex_lookalikes **out, dg_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return dg_err_set(err, DG_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
    ex_lookalikes *lk = calloc(1, sizeof *lk);
    int rc = lk ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (rc == DG_OK && getline(&line, &cap, f) >= 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] && line[0] != '#')
            rc = add_class(lk, line, (unsigned)lineno, path, lineno, err);
    }
    free(line);
    fclose(f);
    if (rc) {
        ex_lookalikes_free(&lk);
        return rc;
    }
    if (lk->n)
        qsort(lk->e, lk->n, sizeof *lk->e, lookalike_cmp);
    *out = lk;
    return DG_OK;
}

/* Index of c's first entry, or lk->n when c is in no class. */
static size_t lookalike_first(const ex_lookalikes *lk, uint32_t c)
{
    size_t lo = 0, hi = lk->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (lk->e[mid].cp < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < lk->n && lk->e[lo].cp == c ? lo : lk->n;
}

/* 1 when a and b stand in one class. */
static int look_alike(const ex_lookalikes *lk, uint32_t a, uint32_t b)
{
    if (!lk)
        return 0;
    size_t i = lookalike_first(lk, a), j0 = lookalike_first(lk, b);
    if (i == lk->n || j0 == lk->n)
        return 0;
    for (; i < lk->n && lk->e[i].cp == a; i++)
        for (size_t j = j0; j < lk->n && lk->e[j].cp == b; j++)
            if (lk->e[i].cls == lk->e[j].cls)
                return 1;
    return 0;
}

static double sub_cost(const ex_lookalikes *lk, uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    return look_alike(lk, a, b) ? 0.3 : 1;
}

double ex_label_tolerance(const ex_label *label)
{
    if (label->len <= 2)
        return 0.35; /* one look-alike, nothing else */
    if (label->len <= 4)
        return 1.0;
    return 1.6;
}

/* Label against a stretch of text, for dg_edit_distance. */
typedef struct label_pair {
    const ex_lookalikes *lk;
    const uint32_t *a, *b;
} label_pair;

static double pair_cost(const void *user, size_t i, size_t j)
{
    const label_pair *p = user;
    return sub_cost(p->lk, p->a[i], p->b[j]);
}

/* Weighted Levenshtein between label and text[0..n), n small. */
static double distance(const ex_lookalikes *lk, const uint32_t *a, size_t na, const uint32_t *b,
                       size_t nb)
{
    double rows[2 * (EX_LABEL_MAX + 8)];
    label_pair pair = {lk, a, b};
    return dg_edit_distance(na, nb, pair_cost, &pair, rows);
}

double ex_label_find(const ex_lookalikes *lk, const ex_label *label, const uint32_t *text,
                     size_t n, size_t *start, size_t *end)
{
    double best = 1e9;
    size_t L = (size_t)label->len;
    int slack = label->len <= 2 ? 0 : 1;
    for (size_t i = 0; i < n; i++) {
        /* a match starts and ends on a character of the label, not on a slip */
        if (sub_cost(lk, text[i], label->cp[0]) >= 1 &&
            (L < 2 || sub_cost(lk, text[i], label->cp[1]) >= 1))
            continue;
        for (int d = -slack; d <= slack; d++) {
            size_t len = L + (size_t)(d + slack) - (size_t)slack;
            if (len == 0 || i + len > n)
                continue;
            double c = distance(lk, label->cp, L, text + i, len) + (d ? 0.01 : 0);
            if (c < best) {
                best = c;
                *start = i;
                *end = i + len;
            }
        }
    }
    return best;
}

double ex_label_cost(const ex_lookalikes *lk, const ex_label *label, const uint32_t *text,
                     size_t n)
{
    if (n > EX_LABEL_MAX + 4)
        return 1e9;
    return distance(lk, label->cp, (size_t)label->len, text, n);
}
