/*
 * lookup_glyph.c - what the glyph-similarity table (normalize.h,
 * norm_glyphs) does for lookup's one-character neighbours: the names one
 * look-alike away from the request, sought first by exact seeks (so a cap
 * on a common "张?" cannot hide them), and how likely a substitution is as
 * a misread, graded by how alike the two glyphs are.
 */
#include "lookup_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Share of misreads that are OCR look-alikes rather than any character
 * (an archive's misreads are OCR's; a typist's slips are the rest). */
#define LK_GLYPH_SHARE 0.5
/* Sharpness of the choice among a character's look-alikes: exp(BETA * score);
 * scores of a character's closest look-alikes differ by a few hundredths. */
#define LK_GLYPH_BETA 40.0
/* Look-alikes below this score are not sought (the table keeps 0.5 up). */
#define LK_GLYPH_SEEK_MIN 0.80

int lk_glyph_load(const char *config_dir, norm_glyphs **out, dg_err *err)
{
    *out = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/normalize/glyphs.tsv", config_dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return DG_OK; /* a configs tree without the table: every substitution alike */
    fclose(f);
    return norm_glyphs_load(path, out, err);
}

/* The code points of name, at most max; how many (0 when longer). */
static size_t name_cps(const char *name, uint32_t *cp, size_t max)
{
    size_t n = 0, len = strlen(name);
    for (size_t i = 0; i < len; n++) {
        if (n == max)
            return 0;
        cp[n] = dg_utf8_next(name, len, &i);
    }
    return n;
}

int lk_glyph_variants(const norm_glyphs *g, const char *name, lk_glyph_fn fn, void *user)
{
    uint32_t cp[LK_GLYPH_MAX_LEN];
    size_t n = g && name ? name_cps(name, cp, LK_GLYPH_MAX_LEN) : 0;
    int rc = DG_OK;
    for (size_t pos = 0; pos < n && !rc; pos++) {
        const norm_glyph_nb *nb;
        size_t k = norm_glyphs_neighbours(g, cp[pos], &nb);
        for (size_t j = 0; j < k && !rc && nb[j].score >= LK_GLYPH_SEEK_MIN; j++) {
            dg_buf b;
            dg_buf_init(&b, 64);
            for (size_t i = 0; i < n && !rc; i++)
                rc = dg_utf8_add(&b, i == pos ? nb[j].cp : cp[i]);
            rc = rc ? rc : fn(user, b.data, (int)pos);
            dg_buf_release(&b);
        }
    }
    return rc;
}

/* exp(BETA * (s - best)): relative weight of a look-alike of score s. */
static double weight(double s, double best)
{
    return exp(LK_GLYPH_BETA * (s - best));
}

double lk_glyph_misread_p(const norm_glyphs *g, uint32_t asked, uint32_t archived)
{
    double s = norm_glyphs_score(g, asked, archived);
    if (s <= 0 || asked == archived)
        return 0;
    const norm_glyph_nb *nb;
    size_t k = norm_glyphs_neighbours(g, asked, &nb);
    double best = k ? nb[0].score : s, sum = 0;
    if (s > best)
        best = s;
    int listed = 0;
    for (size_t j = 0; j < k; j++) {
        sum += weight(nb[j].score, best);
        listed |= nb[j].cp == archived;
    }
    if (!listed)
        sum += weight(s, best); /* only the archived character lists the asked one */
    return weight(s, best) / sum;
}

double lk_glyph_tie(const norm_glyphs *g, uint32_t asked, uint32_t archived, double share)
{
    if (!g)
        return share;
    return (1 - LK_GLYPH_SHARE) * share +
           LK_GLYPH_SHARE * lk_glyph_misread_p(g, asked, archived);
}
