/*
 * editdist.c - the one edit distance (common.h): the discipline matcher
 * weighs OCR look-alikes through the substitution cost, the page
 * evaluation counts every substitution as 1.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

double dg_edit_distance(size_t na, size_t nb, dg_sub_cost sub, const void *user, double *rows)
{
    double *prev = rows, *row = rows + nb + 1;
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (double)j;
    for (size_t i = 1; i <= na; i++) {
        row[0] = (double)i;
        for (size_t j = 1; j <= nb; j++) {
            double v = prev[j - 1] + sub(user, i - 1, j - 1);
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
        }
        double *t = prev;
        prev = row;
        row = t;
    }
    return prev[nb];
}

typedef struct cps_pair {
    const uint32_t *a, *b;
} cps_pair;

static double unit_cost(const void *user, size_t i, size_t j)
{
    const cps_pair *p = user;
    return p->a[i] != p->b[j];
}

size_t dg_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    double *rows = malloc(2 * (nb + 1) * sizeof *rows);
    if (!rows)
        return na > nb ? na : nb;
    cps_pair p = {a, b};
    size_t d = (size_t)dg_edit_distance(na, nb, unit_cost, &p, rows);
    free(rows);
    return d;
}
