/*
 * test_trust_stage.c - how the normalize stage weighs a field's readings
 * (archive/stage_trust.c), with weights written here so each case shows one
 * piece of evidence at work:
 *   - the name prior turns away an implausible surname reading: to the
 *     other reader's reading when there is one, to review when there is not;
 *   - a ledger's sequence column fixes "il" to 11;
 *   - two readers agreeing make a value more probable than either alone;
 *   - the evidence JSON names every candidate, feature and term;
 *   - the graduate's other source agreeing raises p, contradicting it is a
 *     conflict with the other reading and its box in evidence;
 *   - a student number's entry year and a ledger's running numbers pick
 *     the right code; load's rule for one graduate (arc_same_graduate);
 *   - the third reader: its reading confirms two readers who agree, doubts
 *     them when it reads otherwise, and breaks a tie between them.
 * usage: test_trust_stage CONFIGS_DIR WORK_DIR
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_internal.h"
#include "testlib.h"

static const char conf_text[] =
    "threshold.name = 0.8\n"
    "w.name.bias = 0\n"
    "w.name.tess_conf = 2\n"
    "w.name.rec2_conf = 2\n"
    "w.name.agree = 1\n"
    "w.name.disagree = -1\n"
    "w.name.prior = 1\n"
    "w.name.source_agree = 2\n"
    "w.name.source_differ = -2\n"
    "w.name.part = -3\n"
    "w.name.agree3 = 1.5\n"
    "w.name.differ3 = -1.5\n"
    "reread3.date = 1\n"
    "threshold.number = 0.9\n"
    "w.number.bias = -1\n"
    "w.number.tess_conf = 1\n"
    "w.number.column = 2\n"
    "threshold.code = 0.9\n"
    "w.code.bias = -1\n"
    "w.code.tess_conf = 2\n"
    "w.code.column = 1.5\n"
    "w.code.code_year = 1.5\n"
    "threshold.text = 0.9\n"
    "w.text.bias = -1\n"
    "w.text.tess_conf = 1\n"
    "w.text.rec2_conf = 1\n"
    "w.text.catalog = 2\n"
    "threshold.enum = 0.9\n"
    "w.enum.bias = -1\n"
    "w.enum.tess_conf = 1\n"
    "w.enum.rec2_conf = 1\n"
    "w.enum.catalog = 3\n";

/* A configs dir with the test's trust.conf and the real name tables. */
static int make_configs(const char *src, const char *dir)
{
    char p[4200], t[4200];
    mkdir(dir, 0700);
    snprintf(p, sizeof p, "%s/trust.conf", dir);
    FILE *f = fopen(p, "w");
    if (!f || fputs(conf_text, f) < 0 || fclose(f))
        return -1;
    const char *subs[] = {"names", "normalize"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
        snprintf(t, sizeof t, "%s/%s", src, subs[i]);
        unlink(p);
        if (symlink(t, p))
            return -1;
    }
    return 0;
}

static norm_result value(const char *v)
{
    norm_result r = {0};
    r.value = (char *)v; /* not released: the tests own only literals */
    return r;
}

static arc_trust_verdict weigh(arc_trust *t, dg_fk_vtype vt, const arc_trust_reading *rd,
                               size_t n, double prev, double next, int *rc)
{
    arc_trust_field in = {vt,   NULL, rd,   n, NULL, 0,    NULL, prev, next,
                          0,    NULL, 0,    NULL, NULL, NULL, 0, NULL};
    arc_trust_verdict v;
    *rc = arc_trust_weigh(t, &in, &v);
    return v;
}

static void test_prior(tl_state *t, arc_trust *tr)
{
    norm_result bu = value("部卫东"), hao = value("郝卫东");
    arc_trust_reading both[] = {{"tesseract", "部卫东", 0.94, &bu, 0}, {"rec2", "郝卫东", 0.90, &hao, 0}};
    int rc;
    arc_trust_verdict v = weigh(tr, DG_VT_NAME, both, 2, -1, -1, &rc);
    CHECK_INT(t, rc, DG_OK);
    CHECK_INT(t, (long long)v.chosen, 1); /* the second reader's 郝 wins */
    CHECK(t, v.verified);
    CHECK(t, strstr(v.evidence.data, "\"value\":\"郝卫东\"") != NULL);
    CHECK(t, strstr(v.evidence.data, "\"prior\":") != NULL);
    CHECK(t, strstr(v.evidence.data, "\"readers\":[\"rec2\"]") != NULL);
    dg_buf_release(&v.evidence);

    /* alone, the rare surname reading is not verified: review */
    v = weigh(tr, DG_VT_NAME, both, 1, -1, -1, &rc);
    CHECK_INT(t, rc, DG_OK);
    CHECK(t, !v.verified);
    CHECK(t, v.p < 0.5);
    double p_bu = v.p;
    dg_buf_release(&v.evidence);

    /* the same confidence on a common surname is verified */
    arc_trust_reading common[] = {{"tesseract", "郝卫东", 0.94, &hao, 0}};
    v = weigh(tr, DG_VT_NAME, common, 1, -1, -1, &rc);
    CHECK(t, v.verified);
    CHECK(t, v.p > p_bu + 0.3);
    double p_alone = v.p;
    dg_buf_release(&v.evidence);

    /* two readers agreeing beat one */
    arc_trust_reading agree[] = {{"tesseract", "郝卫东", 0.94, &hao, 0}, {"rec2", "郝卫东", 0.9, &hao, 0}};
    v = weigh(tr, DG_VT_NAME, agree, 2, -1, -1, &rc);
    CHECK(t, v.p > p_alone);
    CHECK(t, strstr(v.evidence.data, "\"agree\":1.0000") != NULL);
    dg_buf_release(&v.evidence);
}

static void test_sequence(tl_state *t, arc_trust *tr)
{
    norm_result il = value("il"), eleven = value("11");
    arc_trust_reading rd[] = {{"tesseract", "il", 0.6, &il, 0}, {"column", "11", 1.0, &eleven, 0}};
    int rc;
    arc_trust_verdict v = weigh(tr, DG_VT_NUMBER, rd, 2, 10, 12, &rc);
    CHECK_INT(t, rc, DG_OK);
    CHECK_INT(t, (long long)v.chosen, 1);
    CHECK(t, v.verified);
    dg_buf_release(&v.evidence);
    /* neighbours that do not bracket it say nothing for it */
    v = weigh(tr, DG_VT_NUMBER, rd, 2, 3, 4, &rc);
    CHECK(t, !v.verified);
    dg_buf_release(&v.evidence);
}

/* The same graduate's other source (a ledger row for a card): its readings
 * agreeing raise p; none of them agreeing is a conflict, shown in evidence. */
static void test_source(tl_state *t, arc_trust *tr)
{
    norm_result hao = value("郝卫东");
    arc_trust_reading rd[] = {{"tesseract", "郝卫东", 0.0, &hao, 0}};
    arc_trust_other same = {.record = 7, .page = 3, .field = 70, .x = 10, .y = 20, .w = 30,
                            .h = 40, .value = {"郝卫东"}, .reader = {"rec2"}, .n = 1};
    arc_trust_other other = same;
    other.value[0] = "郝卫冬";
    arc_trust_field in = {DG_VT_NAME, NULL, rd,   1,    NULL, 0, NULL, -1, -1,
                          0,          NULL, 0,    NULL, NULL, NULL, 0, NULL};
    arc_trust_verdict v;
    CHECK_INT(t, arc_trust_weigh(tr, &in, &v), DG_OK);
    double alone = v.p;
    CHECK(t, !v.verified);
    CHECK(t, !v.source_differs);
    CHECK(t, strstr(v.evidence.data, "\"source\"") == NULL);
    dg_buf_release(&v.evidence);

    in.other = &same;
    CHECK_INT(t, arc_trust_weigh(tr, &in, &v), DG_OK);
    CHECK(t, v.p > alone + 0.2);
    CHECK(t, v.verified);
    CHECK(t, !v.source_differs);
    CHECK(t, strstr(v.evidence.data, "\"source_agree\":1.0000") != NULL);
    CHECK(t, strstr(v.evidence.data, "\"source\":{\"record\":7,\"page\":3,\"field\":70,"
                                     "\"box\":[10,20,30,40],\"readings\":[{\"reader\":\"rec2\","
                                     "\"value\":\"郝卫东\"}]}") != NULL);
    dg_buf_release(&v.evidence);

    in.other = &other;
    CHECK_INT(t, arc_trust_weigh(tr, &in, &v), DG_OK);
    CHECK(t, v.p < alone);
    CHECK(t, v.source_differs);
    CHECK(t, strstr(v.evidence.data, "\"source_differ\":1.0000") != NULL);
    CHECK(t, strstr(v.evidence.data, "\"value\":\"郝卫冬\"") != NULL);
    dg_buf_release(&v.evidence);
}

/* load's rule, the one the other source is found by */
static void test_same_graduate(tl_state *t)
{
    CHECK(t, arc_same_graduate("1962-03", "8501", "1962-03", "8501"));
    CHECK(t, arc_same_graduate("1962-03", "8501", "1962-03", NULL)); /* one lacks the number */
    CHECK(t, arc_same_graduate("1962-03", "", "1962-03", "8501"));
    CHECK(t, !arc_same_graduate("1962-03", "8501", "1962-03", "8502"));
    CHECK(t, !arc_same_graduate("1962-03", NULL, "1962-04", NULL));
    CHECK(t, arc_same_graduate(NULL, "8501", "1962-03", "8501")); /* one lacks the birth */
    CHECK(t, !arc_same_graduate(NULL, NULL, NULL, NULL));
    CHECK(t, !arc_same_graduate(NULL, "8501", "1962-03", NULL));
}

/* Student numbers: the entry year in front, a running number down a ledger. */
static void test_codes(tl_state *t, arc_trust *tr)
{
    CHECK_INT(t, arc_code_year_fit("85-0356", 1985), 1);
    CHECK_INT(t, arc_code_year_fit("198128329", 1981), 1);
    CHECK_INT(t, arc_code_year_fit("S867146", 1986), 1);
    CHECK_INT(t, arc_code_year_fit("研87304", 1987), 1);
    CHECK_INT(t, arc_code_year_fit("65-0356", 1985), -1);
    CHECK_INT(t, arc_code_year_fit("85-0356", 0), 0);
    CHECK_INT(t, arc_code_year_fit("S", 1985), 0);
    CHECK_INT(t, arc_code_continues("85-0357", "85-0356", "85-0359"), 2);
    CHECK_INT(t, arc_code_continues("85-0357", "85-0356", NULL), 1);
    CHECK_INT(t, arc_code_continues("85-0357", "86-0356", "85-0361"), 0); /* other scheme, gap */
    CHECK_INT(t, arc_code_continues("85-357", "85-0356", NULL), 0);       /* other width */
    CHECK_INT(t, arc_code_continues("8520045", "8520044", "8520046"), 2);
    CHECK_INT(t, arc_code_continues("S", "S", NULL), 0);

    norm_result good = value("85-0357"), bad = value("65-0357");
    arc_trust_reading rd[] = {{"tesseract", "65-0357", 0.9, &bad, 0},
                              {"rec2", "85-0357", 0.9, &good, 0}};
    arc_trust_field in = {DG_VT_CODE, "student_no", rd, 2, NULL, 0, NULL, -1, -1, 0, NULL, 1985,
                          "85-0356", "85-0358", NULL, 0, NULL};
    arc_trust_verdict v;
    CHECK_INT(t, arc_trust_weigh(tr, &in, &v), DG_OK);
    CHECK_INT(t, (long long)v.chosen, 1); /* the year and the column pick 85-0357 */
    CHECK(t, v.verified);
    CHECK(t, strstr(v.evidence.data, "\"code_year\":1.0000") != NULL);
    CHECK(t, strstr(v.evidence.data, "\"code_year\":-1.0000") != NULL);
    dg_buf_release(&v.evidence);
    /* without the record's year and the column, nothing tells them apart */
    in.code_year = 0;
    in.code_prev = in.code_next = NULL;
    CHECK_INT(t, arc_trust_weigh(tr, &in, &v), DG_OK);
    CHECK(t, !v.verified);
    dg_buf_release(&v.evidence);
}

/* A major is a discipline of its record's era: a misreading rarely is. */
static void test_catalog(tl_state *t, arc_trust *tr, const char *configs)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/disciplines", configs);
    norm_catalog *cat = NULL;
    dg_err err = {0};
    CHECK_INT(t, norm_catalog_load(dir, &cat, &err), DG_OK);
    if (!cat)
        return;
    CHECK_INT(t, norm_catalog_era_name(cat, "固体力学", 1985, NULL), 1);
    CHECK_INT(t, norm_catalog_era_name(cat, "固体力学", 1985, "080102"), 2);
    CHECK_INT(t, norm_catalog_era_name(cat, "固体力学", 1985, "080103"), 1);
    CHECK_INT(t, norm_catalog_era_name(cat, "固休力学", 1985, NULL), 0);
    CHECK_INT(t, norm_catalog_era_name(cat, "计算机软件", 1985, NULL), 1); /* curated 1990 name */
    CHECK_INT(t, norm_catalog_era_name(cat, "计算机软件", 2015, NULL), 0); /* not in 2011's */
    CHECK_INT(t, norm_catalog_era_name(cat, "网络空间安全", 1985, NULL), 0); /* another era */
    CHECK_INT(t, norm_catalog_era_name(cat, "网络空间安全", 2015, NULL), 1);
    CHECK_INT(t, norm_catalog_era_name(cat, "网络空间安全", 0, NULL), 1);

    norm_result good = value("固体力学"), bad = value("固休力学");
    arc_trust_reading rd[] = {{"tesseract", "固休力学", 0.9, &bad, 0},
                              {"rec2", "固体力学", 0.8, &good, 0}};
    arc_trust_field in = {DG_VT_TEXT, "major", rd,   2,    NULL, 0,   NULL, -1,   -1,
                          0,          NULL,    0,    NULL, NULL, cat, 1985, "080102"};
    arc_trust_verdict v;
    CHECK_INT(t, arc_trust_weigh(tr, &in, &v), DG_OK);
    CHECK_INT(t, (long long)v.chosen, 1); /* the catalog picks the second reading */
    CHECK(t, v.verified);
    CHECK(t, strstr(v.evidence.data, "\"catalog\":2.0000") != NULL);
    dg_buf_release(&v.evidence);
    in.key = "department"; /* departments are not in the catalog */
    CHECK_INT(t, arc_trust_weigh(tr, &in, &v), DG_OK);
    CHECK_INT(t, (long long)v.chosen, 0);
    CHECK(t, !v.verified);
    dg_buf_release(&v.evidence);

    /* a degree's category: a neighbour's 月 read into it is no category */
    CHECK_INT(t, norm_catalog_degree_category(cat, "工学"), 1);
    CHECK_INT(t, norm_catalog_degree_category(cat, "工商管理"), 1); /* professional */
    CHECK_INT(t, norm_catalog_degree_category(cat, "月工学"), 0);
    norm_result dg = value("工学硕士"), dgbad = value("月工学硕士");
    dg.detail = (char *)"master;工学";
    dgbad.detail = (char *)"master;月工学";
    arc_trust_reading rdd[] = {{"tesseract", "月工学硕士", 0.9, &dgbad, 0},
                               {"rec2", "工学硕士", 0.8, &dg, 0}};
    arc_trust_field deg = {DG_VT_ENUM, "degree", rdd,  2,    NULL, 0,   NULL, -1, -1,
                           0,          NULL,     0,    NULL, NULL, cat, 1985, NULL};
    CHECK_INT(t, arc_trust_weigh(tr, &deg, &v), DG_OK);
    CHECK_INT(t, (long long)v.chosen, 1);
    CHECK(t, v.verified);
    dg_buf_release(&v.evidence);
    norm_catalog_free(&cat);
}

/* A name one reader read whole and the other without its last character
 * (the box cut at the cell's edge): the part is not verified, even when its
 * reader was the surer one. */
static void test_part(tl_state *t, arc_trust *tr)
{
    norm_result part = value("张建"), whole = value("张建民");
    arc_trust_reading rd[] = {{"tesseract", "张建", 0.95, &part, 0},
                              {"rec2", "张建民", 0.90, &whole, 0}};
    int rc;
    arc_trust_verdict v = weigh(tr, DG_VT_NAME, rd, 2, -1, -1, &rc);
    CHECK_INT(t, rc, DG_OK);
    CHECK_INT(t, (long long)v.chosen, 1); /* the whole name */
    CHECK(t, strstr(v.evidence.data, "\"part\":1.0000") != NULL);
    dg_buf_release(&v.evidence);
    /* not for codes: their readers add stray characters (docs/trust.md) */
    norm_result c1 = value("830519"), c2 = value("S830519");
    arc_trust_reading cd[] = {{"tesseract", "830519", 0.95, &c1, 0},
                              {"rec2", "S830519", 0.90, &c2, 0}};
    v = weigh(tr, DG_VT_CODE, cd, 2, -1, -1, &rc);
    CHECK_INT(t, rc, DG_OK);
    CHECK(t, strstr(v.evidence.data, "\"part\":1.0000") == NULL);
    dg_buf_release(&v.evidence);
}

static double p_of(arc_trust *tr, const arc_trust_reading *rd, size_t n, size_t *chosen,
                   const char *want)
{
    int rc;
    arc_trust_verdict v = weigh(tr, DG_VT_NAME, rd, n, -1, -1, &rc);
    *chosen = v.chosen;
    double p = rc ? -1 : want && !strstr(v.evidence.data, want) ? -2 : v.p;
    dg_buf_release(&v.evidence);
    return p;
}

static double logit(double p)
{
    return p <= 0 || p >= 1 ? -99 : log(p / (1 - p));
}

/* The third reader (tess3): a vote for the value it reads, against the others. */
static void test_third(tl_state *t, arc_trust *tr)
{
    norm_result feng = value("刘金凤"), wind = value("刘金风"), none = {0};
    size_t ch;
    arc_trust_reading two[] = {{"tesseract", "刘金风", 0.9, &wind, 0},
                               {"rec2", "刘金风", 0.9, &wind, 0},
                               {"tess3", "刘金风", 0.9, &wind, 0}};
    /* in log-odds, each vote weighs its weight (+1.5, -1.5 here) */
    double z2 = logit(p_of(tr, two, 2, &ch, NULL));
    double z3 = logit(p_of(tr, two, 3, &ch, "\"agree3\":1.0000"));
    CHECK(t, fabs(z3 - z2 - 1.5) < 1e-3); /* confirmed by a third model */
    CHECK_INT(t, (long long)ch, 0);
    two[2] = (arc_trust_reading){"tess3", "刘金凤", 0.9, &feng, 0};
    double zd = logit(p_of(tr, two, 3, &ch, "\"differ3\":1.0000"));
    CHECK(t, fabs(zd - z2 + 1.5) < 1e-3); /* doubted: it read another character */
    CHECK_INT(t, (long long)ch, 0);        /* two readers still outvote one */
    /* a third reader that saw nothing is no vote */
    two[2] = (arc_trust_reading){"tess3", "", 0, &none, 0};
    CHECK(t, fabs(logit(p_of(tr, two, 3, &ch, "\"differ3\":0.0000")) - z2) < 1e-9);

    /* a tie: the page reader and the second reader, equally sure, differ;
     * the third sides with one of them, which wins */
    norm_result min = value("张建民"), guo = value("张建国");
    arc_trust_reading tie[] = {{"tesseract", "张建民", 0.9, &min, 0},
                               {"rec2", "张建国", 0.9, &guo, 0},
                               {"tess3", "张建国", 0.8, &guo, 0}};
    p_of(tr, tie, 3, &ch, NULL);
    CHECK_INT(t, (long long)ch, 1);
    tie[2] = (arc_trust_reading){"tess3", "张建民", 0.8, &min, 0};
    p_of(tr, tie, 3, &ch, NULL);
    CHECK_INT(t, (long long)ch, 0);
    /* reread3.<type> names the types the third reader reads; names by default */
    int t2[DG_VT_COUNT], t3[DG_VT_COUNT];
    arc_trust_reread_types(tr, t2, t3);
    CHECK(t, t3[DG_VT_NAME] && t3[DG_VT_DATE] && !t3[DG_VT_CODE]);
}

static void test_nothing(tl_state *t, arc_trust *tr)
{
    norm_result none = {0};
    arc_trust_reading rd[] = {{"tesseract", "", 0.2, &none, 0}};
    int rc;
    arc_trust_verdict v = weigh(tr, DG_VT_NAME, rd, 1, -1, -1, &rc);
    CHECK_INT(t, rc, DG_ENOTFOUND);
    (void)v;
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    if (argc != 3) {
        fprintf(stderr, "usage: test_trust_stage CONFIGS_DIR WORK_DIR\n");
        return 2;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%.4000s/configs", argv[2]);
    mkdir(argv[2], 0700);
    CHECK_INT(&t, make_configs(argv[1], dir), 0);
    arc_trust *tr = NULL;
    dg_err err = {0};
    CHECK_INT(&t, arc_trust_open(dir, &tr, &err), DG_OK);
    if (!tr)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(&t, tr != NULL);
    if (tr) {
        test_prior(&t, tr);
        test_sequence(&t, tr);
        test_nothing(&t, tr);
        test_source(&t, tr);
        test_codes(&t, tr);
        test_catalog(&t, tr, argv[1]);
        test_part(&t, tr);
        test_third(&t, tr);
    }
    test_same_graduate(&t);
    arc_trust_close(&tr);
    return tl_exit_status(&t, "trust_stage");
}
