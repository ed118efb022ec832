/*
 * test_glyph.c - the glyph-similarity table's loader (normalize/glyph.c):
 * a small table written here (parsing, order, symmetry, errors naming the
 * file and line) and the committed configs/normalize/glyphs.tsv (its
 * size and look-alike pairs OCR is known to confuse).
 */
#include "normalize.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

static uint32_t cp(const char *s)
{
    size_t i = 0;
    return dg_utf8_next(s, strlen(s), &i);
}

static void test_small(tl_state *t, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/g.tsv", dir);
    CHECK(t, write_file(path, "# comment\n"
                              "郝\t部:0.870\t都:0.820\r\n"
                              "部\t郝:0.870\n"
                              "\n"
                              "己\t已:0.950\t巳:0.940\n"));
    norm_glyphs *g = NULL;
    dg_err err = {0};
    CHECK_INT(t, norm_glyphs_load(path, &g, &err), DG_OK);
    CHECK_INT(t, norm_glyphs_count(g), 3);
    const norm_glyph_nb *nb;
    CHECK_INT(t, norm_glyphs_neighbours(g, cp("郝"), &nb), 2);
    CHECK(t, nb && nb[0].cp == cp("部") && nb[0].score > 0.869 && nb[0].score < 0.871);
    CHECK(t, nb && nb[1].cp == cp("都"));
    CHECK_INT(t, norm_glyphs_neighbours(g, cp("王"), &nb), 0);
    CHECK(t, nb == NULL);
    /* listed one way only: the score holds both ways */
    CHECK(t, norm_glyphs_score(g, cp("都"), cp("郝")) > 0.819);
    CHECK(t, norm_glyphs_score_utf8(g, "已", "己") > 0.949);
    CHECK(t, norm_glyphs_score_utf8(g, "已", "部") == 0);
    CHECK(t, norm_glyphs_score_utf8(g, "王", "王") == 1);
    CHECK(t, norm_glyphs_score_utf8(g, "郝部", "部") == 0); /* not one character */
    norm_glyphs_free(&g);
    CHECK(t, g == NULL);
    norm_glyphs_free(&g); /* twice is harmless */

    /* errors name the file and line */
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"郝\t部:0.8\n部\t郝:1.5\n", "g.tsv:2: bad neighbour '郝:1.5'"},
        {"郝\t部0.8\n", "g.tsv:1: bad neighbour"},
        {"郝部\t都:0.8\n", "g.tsv:1: expected CHAR"},
        {"郝\n", "g.tsv:1: expected CHAR"},
        {"郝\t部:0.8\n部\t郝:0.8\n郝\t都:0.8\n", "has two lines"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(t, write_file(path, bad[i].text));
        err = (dg_err){0};
        CHECK_INT(t, norm_glyphs_load(path, &g, &err), DG_EINPUT);
        CHECK(t, g == NULL);
        if (!strstr(err.msg, bad[i].want))
            tl_fail(t, __FILE__, __LINE__, "case %zu: '%s' lacks '%s'", i, err.msg, bad[i].want);
    }
    unlink(path);
    CHECK_INT(t, norm_glyphs_load(path, &g, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "g.tsv") != NULL);
    /* no table: no look-alikes, nothing crashes */
    CHECK_INT(t, norm_glyphs_count(NULL), 0);
    CHECK(t, norm_glyphs_score(NULL, cp("郝"), cp("部")) == 0);
}

/* The committed table: every GB2312 character, and the look-alike pairs
 * docs/trust.md lists, most among each other's closest. */
static void test_committed(tl_state *t, const char *configs)
{
    norm_glyphs *g = NULL;
    dg_err err = {0};
    CHECK_INT(t, norm_glyphs_new(configs, &g, &err), DG_OK);
    CHECK(t, norm_glyphs_count(g) > 6700);
    static const char *const pairs[][2] = {{"风", "凤"}, {"余", "佘"}, {"全", "仝"},
                                           {"股", "殷"}, {"靳", "新"}, {"己", "已"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double s = norm_glyphs_score_utf8(g, pairs[i][0], pairs[i][1]);
        if (s < 0.8)
            tl_fail(t, __FILE__, __LINE__, "%s/%s: %.3f", pairs[i][0], pairs[i][1], s);
    }
    /* neighbours come best first, none the character itself */
    const norm_glyph_nb *nb;
    size_t n = norm_glyphs_neighbours(g, cp("风"), &nb);
    CHECK(t, n >= 4);
    for (size_t i = 1; i < n; i++)
        CHECK(t, nb[i].score <= nb[i - 1].score && nb[i].cp != cp("风"));
    CHECK(t, norm_glyphs_score_utf8(g, "一", "鬱") == 0);
    norm_glyphs_free(&g);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    const char *configs = argc > 1 ? argv[1] : "configs";
    char dir[] = "/tmp/dangan-glyph-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    test_small(&t, dir);
    rmdir(dir);
    test_committed(&t, configs);
    return tl_exit_status(&t, "normalize_glyph");
}
