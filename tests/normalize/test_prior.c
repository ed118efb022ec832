/*
 * test_prior.c - the name prior (normalize/prior.c): surname frequency,
 * compound surnames, character classes, garbage, traditional folding, and
 * a site-installed table read when present.  Runs on the bundled data only
 * (a site table is written here, synthetic), as dangan must work without
 * the ChineseNames tables.
 */
#include "normalize.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *g_configs;

static double lp(const norm_prior *p, const char *name)
{
    return norm_prior_name_logp(p, name, NULL);
}

#define CHECK_GT(t, a, b, margin)                                                                  \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        (t)->checks++;                                                                             \
        if (!(a_ > b_ + (margin)))                                                                 \
            tl_fail((t), __FILE__, __LINE__, "%s = %.2f not > %s = %.2f + %g", #a, a_, #b, b_,    \
                    (double)(margin));                                                            \
    } while (0)

static void test_surnames(tl_state *t, const norm_prior *p)
{
    /* a common surname against a registration rarity */
    CHECK_GT(t, lp(p, "郝卫东"), lp(p, "部卫东"), 3.0);
    CHECK_GT(t, lp(p, "孝卫东"), lp(p, "芯卫东"), 0.0); /* listed at the floor vs unlisted */
    /* 靳 is a real surname of 850k people; 新 is not in the bundled table */
    CHECK_GT(t, lp(p, "靳卫东"), lp(p, "新卫东"), 3.0);
    CHECK_GT(t, lp(p, "孟建国"), lp(p, "重建国"), 3.0);
    CHECK_GT(t, lp(p, "王伟"), lp(p, "郝伟"), 0.0);
    norm_prior_detail d;
    norm_prior_name_logp(p, "郝卫东", &d);
    CHECK_STR(t, d.surname, "郝");
    CHECK(t, d.surname_found && !d.compound && d.surname_count > 100);
    CHECK_STR(t, d.surname_table, "wainshine");
    CHECK_INT(t, d.ngiven, 2);
    CHECK_STR(t, d.given[0].ch, "卫");
    CHECK_INT(t, d.given[0].cls, NORM_PRIOR_COMMON);
    CHECK(t, d.given[0].count == -1);
    CHECK(t, d.length_logp == 0);
    norm_prior_name_logp(p, "芯卫东", &d);
    CHECK(t, !d.surname_found && d.surname_count == 0);
    CHECK_STR(t, d.surname, "芯");
    /* a rare surname is rare, not garbage */
    CHECK_GT(t, lp(p, "芯卫东"), lp(p, "郝卫A"), 3.0);
}

static void test_compound(tl_state *t, const norm_prior *p)
{
    static const char *const names[] = {"欧阳修", "端木蕻良", "司马迁", "诸葛亮", "上官婉儿",
                                        "皇甫嵩"};
    norm_prior_detail d;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        double v = norm_prior_name_logp(p, names[i], &d);
        CHECK(t, d.compound && d.surname_found);
        CHECK(t, strlen(d.surname) == 6); /* two CJK characters */
        CHECK(t, v > -8.0);
    }
    norm_prior_name_logp(p, "欧阳修", &d);
    CHECK_STR(t, d.surname, "欧阳");
    CHECK_INT(t, d.ngiven, 1);
    /* two characters alone stay surname + given: 欧阳 is not a full name */
    norm_prior_name_logp(p, "欧阳", &d);
    CHECK(t, !d.compound);
    CHECK_STR(t, d.surname, "欧");
    /* a compound surname followed by two characters is an ordinary length */
    norm_prior_name_logp(p, "端木蕻良", &d);
    CHECK(t, d.length_logp == 0);
}

static void test_classes_garbage(tl_state *t, const norm_prior *p)
{
    norm_prior_detail d;
    norm_prior_name_logp(p, "张翀", &d); /* 翀 is a name character outside GB2312 */
    CHECK_INT(t, d.given[0].cls, NORM_PRIOR_RARE);
    norm_prior_name_logp(p, "张婧", &d); /* GB2312 level 2 */
    CHECK_INT(t, d.given[0].cls, NORM_PRIOR_LESS_COMMON);
    norm_prior_name_logp(p, "张\xF0\xA0\x80\x80", &d); /* U+20000, extension B */
    CHECK_INT(t, d.given[0].cls, NORM_PRIOR_HAN_OTHER);
    CHECK_STR(t, norm_prior_class_name(NORM_PRIOR_RARE), "rare");
    CHECK_GT(t, lp(p, "张伟"), lp(p, "张翀"), 1.0);
    /* Latin letters, digits, punctuation inside a name */
    double good = lp(p, "张卫东");
    CHECK_GT(t, good, lp(p, "张卫E"), 6.0);
    CHECK_GT(t, good, lp(p, "张1东"), 6.0);
    CHECK_GT(t, good, lp(p, "张，东"), 6.0);
    CHECK_GT(t, good, lp(p, "Zhang"), 10.0);
    norm_prior_name_logp(p, "张卫E", &d);
    CHECK_INT(t, d.given[1].cls, NORM_PRIOR_NOT_HAN);
    /* length: a lone surname, a five-character run */
    CHECK_GT(t, good, lp(p, "张"), 4.0);
    CHECK_GT(t, good, lp(p, "张卫东卫东"), 3.0);
    /* transcribed names with a middle dot are names; a dot at the end is not */
    CHECK_GT(t, lp(p, "阿依古丽·买买提"), lp(p, "阿依古丽买买提"), 0.0);
    CHECK_GT(t, lp(p, "张卫·东"), lp(p, "张卫东·"), 3.0);
    /* nothing to score */
    CHECK(t, lp(p, "") == NORM_PRIOR_NONE);
    CHECK(t, lp(p, "  ") == NORM_PRIOR_NONE);
    CHECK(t, lp(p, "张\xff") == NORM_PRIOR_NONE);
}

static void test_folding(tl_state *t, const norm_prior *p)
{
    norm_prior_detail d;
    double trad = norm_prior_name_logp(p, "鄭衛東", &d);
    CHECK_STR(t, d.folded, "郑卫东");
    CHECK(t, trad == lp(p, "郑卫东"));
    CHECK(t, lp(p, "张  三") == lp(p, "张三")); /* forms space out short names */
    CHECK(t, lp(p, "ＺＨＡＮＧ") == lp(p, "ZHANG"));
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

/* A site table (ChineseNames format) replaces the bundled surnames and adds
 * given-character counts; a configured directory without files is ignored. */
static void test_site(tl_state *t)
{
    char dir[] = "/tmp/dangan-prior-XXXXXX", a[512], b[512];
    CHECK(t, mkdtemp(dir) != NULL);
    snprintf(a, sizeof a, "%s/surnames.tsv", dir);
    snprintf(b, sizeof b, "%s/given_chars.tsv", dir);
    CHECK(t, write_file(a, "surname\tcount\tsource\n王\t1000\tx\n新\t500\tx\n靳\t300\tx\n"
                           "欧阳\t100\tx\n部\t1\tx\n"));
    CHECK(t, write_file(b, "char\tcount\n卫\t800\n东\t700\n英\t900\n"));
    norm_prior *p = NULL;
    dg_err err = {0};
    CHECK_INT(t, norm_prior_new(g_configs, dir, &p, &err), 0);
    if (p) {
        CHECK_STR(t, norm_prior_site(p), dir);
        norm_prior_detail d;
        norm_prior_name_logp(p, "新卫东", &d);
        CHECK_STR(t, d.surname_table, "site");
        CHECK(t, d.surname_found && d.surname_count == 500);
        CHECK(t, d.given[0].count == 800);
        CHECK_GT(t, lp(p, "新卫东"), lp(p, "部卫东"), 3.0);
        norm_prior_name_logp(p, "王伟", &d); /* 伟 missing from the site's table */
        CHECK(t, d.given[0].count == 0 && d.given[0].logp < 0);
        norm_prior_free(&p);
    }
    CHECK(t, p == NULL);
    /* the environment names a site when the caller does not */
    setenv("DANGAN_NAME_STATS", dir, 1);
    CHECK_INT(t, norm_prior_new(g_configs, NULL, &p, &err), 0);
    CHECK(t, p && norm_prior_site(p) && strcmp(norm_prior_site(p), dir) == 0);
    norm_prior_free(&p);
    unlink(a);
    unlink(b);
    /* present in the configuration but not installed: bundled data only */
    CHECK_INT(t, norm_prior_new(g_configs, NULL, &p, &err), 0);
    CHECK(t, p && norm_prior_site(p) == NULL);
    norm_prior_free(&p);
    unsetenv("DANGAN_NAME_STATS");
    rmdir(dir);
    /* a broken table is an error that names the file */
    char bad[] = "/tmp/dangan-prior-XXXXXX";
    CHECK(t, mkdtemp(bad) != NULL);
    snprintf(a, sizeof a, "%s/surnames.tsv", bad);
    CHECK(t, write_file(a, "surname\tcount\n王\tmany\n"));
    CHECK_INT(t, norm_prior_new(g_configs, bad, &p, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "surnames.tsv' line 2") != NULL);
    unlink(a);
    rmdir(bad);
    CHECK_INT(t, norm_prior_new("/nonexistent-dir", NULL, &p, &err) != 0, 1);
    CHECK(t, p == NULL);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    g_configs = argc > 1 ? argv[1] : "configs";
    unsetenv("DANGAN_NAME_STATS");
    norm_prior *p = NULL;
    dg_err err = {0};
    if (norm_prior_new(g_configs, NULL, &p, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    CHECK(&t, norm_prior_site(p) == NULL);
    test_surnames(&t, p);
    test_compound(&t, p);
    test_classes_garbage(&t, p);
    test_folding(&t, p);
    norm_prior_free(&p);
    test_site(&t);
    return tl_exit_status(&t, "normalize_prior");
}
