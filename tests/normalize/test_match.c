/*
 * test_match.c - the catalog loader and the discipline matcher.  Runs the
 * matcher over the labelled set tests/data/matcher_labelled.tsv and asserts
 * that automatic decisions are right (a wrong auto-accept is the worst
 * error) and that ambiguous cases go to review; prints the numbers recorded
 * in docs/normalize.md.  Also: iteration API, edition choice by year, an
 * extra edition added through the manifest only, operator rules, JSON.
 */
#include "normalize.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *g_configs;

/* Does some evidence item of c contain needle? */
static int ev_has(const norm_candidate *c, const char *needle)
{
    for (size_t i = 0; i < c->nevidence; i++)
        if (strstr(c->evidence[i], needle))
            return 1;
    return 0;
}

static void test_catalog(tl_state *t, const norm_catalog *cat)
{
    CHECK_INT(t, norm_catalog_edition_count(cat), 3);
    norm_edition_info e;
    size_t want[] = {494, 124, 195};
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT(t, norm_catalog_edition(cat, i, &e), 0);
        CHECK_INT(t, e.ndisciplines, want[i]);
    }
    CHECK_STR(t, e.id, "2022");
    CHECK_INT(t, norm_catalog_edition(cat, 3, &e), DG_ENOTFOUND);
    /* 1997→2022: derived + unresolved + curated splits; 1997→2011: derived + unresolved */
    CHECK_INT(t, norm_catalog_crosswalk_count(cat), 452 + 30 + 56 + 464 + 18);
    CHECK_STR(t, norm_catalog_target(cat), "2022");
    /* every file the manifest names, in manifest order, each once (fingerprints) */
    static const char *const files[] = {
        "catalog-1997.csv", "catalog-2011.csv", "catalog-2022.csv", "crosswalk-1997-2011.csv",
        "crosswalk-1997-2011-unresolved.csv", "crosswalk-1997-2022.csv",
        "crosswalk-1997-2022-unresolved.csv", "crosswalk-1997-2022-splits.csv",
        "names-pre1997.csv", "professional-degrees.csv"};
    CHECK_INT(t, norm_catalog_file_count(cat), sizeof files / sizeof *files);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        const char *f = norm_catalog_file(cat, i);
        CHECK_STR(t, f ? f : "(null)", files[i]);
    }
    CHECK(t, norm_catalog_file(cat, sizeof files / sizeof *files) == NULL);
    norm_discipline_info d;
    int found = 0;
    for (size_t i = 0; norm_catalog_discipline(cat, 2, i, &d) == 0; i++)
        if (strcmp(d.code, "0854") == 0) {
            found = 1;
            CHECK_STR(t, d.bare_name, "电子信息");
            CHECK(t, d.professional);
        }
    CHECK(t, found);
    int before = 0;
    CHECK_INT(t, norm_catalog_edition_for_year(cat, 1985, &before), 0);
    CHECK_INT(t, before, 1);
    CHECK_INT(t, norm_catalog_edition_for_year(cat, 2000, &before), 0);
    CHECK_INT(t, before, 0);
    CHECK_INT(t, norm_catalog_edition_for_year(cat, 2015, &before), 1);
    CHECK_INT(t, norm_catalog_edition_for_year(cat, 0, &before), 2);
    norm_crosswalk_info x;
    int unresolved = 0;
    for (size_t i = 0; norm_catalog_crosswalk(cat, i, &x) == 0; i++)
        unresolved += strcmp(x.relation, "unresolved") == 0;
    CHECK_INT(t, unresolved, 48);
    /* Split rows: curated, each adds a target the derived rows lack (the
     * database keys crosswalk rows on old and new code, so no duplicates). */
    int splits = 0, dups = 0;
    norm_crosswalk_info y;
    for (size_t i = 0; norm_catalog_crosswalk(cat, i, &x) == 0; i++) {
        if (strcmp(x.relation, "split") == 0) {
            splits++;
            CHECK(t, strncmp(x.basis, "curated: ", 9) == 0);
        }
        for (size_t j = i + 1; norm_catalog_crosswalk(cat, j, &y) == 0 &&
                               !strcmp(x.from_edition, y.from_edition) &&
                               !strcmp(x.to_edition, y.to_edition) &&
                               !strcmp(x.old_code, y.old_code);
             j++)
            dups += x.new_code[0] && strcmp(x.new_code, y.new_code) == 0;
    }
    CHECK_INT(t, splits, 56);
    CHECK_INT(t, dups, 0);

    norm_catalog *bad = NULL;
    dg_err err = {0};
    CHECK_INT(t, norm_catalog_load("/nonexistent-dir", &bad, &err), DG_ENOTFOUND);
    CHECK(t, strstr(err.msg, "/nonexistent-dir/editions.tsv") != NULL);
    CHECK(t, bad == NULL);
}

/* ---- curated pre-1997 names ---- */

static const norm_discipline_info *find_disc(const norm_catalog *cat, size_t ed, const char *code,
                                             norm_discipline_info *d)
{
    for (size_t i = 0; norm_catalog_discipline(cat, ed, i, d) == 0; i++)
        if (strcmp(d->code, code) == 0)
            return d;
    return NULL;
}

static int is_catalog_name(const norm_catalog *cat, const char *name)
{
    norm_discipline_info d;
    for (size_t e = 0; e < norm_catalog_edition_count(cat); e++)
        for (size_t i = 0; norm_catalog_discipline(cat, e, i, &d) == 0; i++)
            if (strcmp(d.bare_name, name) == 0)
                return 1;
    return 0;
}

/*
 * Every curated row names a real 1997 code under its real name, differs
 * from every catalog name (else the table would shadow an exact match),
 * and matching the name alone gives review with the curated step shown.
 */
static void test_histnames(tl_state *t, norm_ctx *ctx, const norm_catalog *cat,
                           const norm_match_conf *conf)
{
    size_t n = norm_catalog_histname_count(cat);
    CHECK_INT(t, n, 85);
    norm_histname_info h, o;
    norm_discipline_info d;
    for (size_t i = 0; norm_catalog_histname(cat, i, &h) == 0; i++) {
        CHECK_STR(t, h.set, "pre1997");
        CHECK_STR(t, h.edition, "1997");
        if (!find_disc(cat, 0, h.code, &d)) {
            tl_fail(t, "names-pre1997.csv", (int)i + 2, "code %s not in catalog-1997", h.code);
            continue;
        }
        if (strcmp(d.bare_name, h.code_name) != 0)
            tl_fail(t, "names-pre1997.csv", (int)i + 2, "%s is '%s' in 1997, not '%s'", h.code,
                    d.bare_name, h.code_name);
        if (is_catalog_name(cat, h.name))
            tl_fail(t, "names-pre1997.csv", (int)i + 2, "'%s' is a catalog name", h.name);
        CHECK(t, strncmp(h.basis, "curated: ", 9) == 0);
        size_t rows = 0;
        for (size_t j = 0; norm_catalog_histname(cat, j, &o) == 0; j++)
            rows += strcmp(o.name, h.name) == 0;
        CHECK_STR(t, h.relation, rows > 1 ? "split" : "renamed");
        norm_match_input in = {.name = h.name, .year = 1988};
        norm_match_result m;
        CHECK_INT(t, norm_match(ctx, cat, conf, &in, &m, NULL), 0);
        CHECK_INT(t, m.decision, NORM_REVIEW);
        char want[256];
        snprintf(want, sizeof want, "pre1997:%s (curated %s) → 1997:%s ", h.name, h.relation,
                 h.code);
        /* Two 1997 codes of a split may reach one 2022 target: the path
         * shows one, the split evidence lists them all. */
        char prefix[128];
        snprintf(prefix, sizeof prefix, "pre1997:%s (curated", h.name);
        int shown = 0;
        for (size_t j = 0; j < m.ncandidates; j++) {
            const norm_candidate *c = &m.candidates[j];
            shown |= strncmp(c->path, want, strlen(want)) == 0;
            if (rows > 1 && strncmp(c->path, prefix, strlen(prefix)) == 0)
                for (size_t k = 0; k < c->nevidence; k++) {
                    const char *p = strstr(c->evidence[k], "codes: ");
                    shown |= p && strstr(p, h.code) != NULL;
                }
        }
        if (!shown)
            tl_fail(t, "names-pre1997.csv", (int)i + 2, "'%s': no candidate through %s", h.name,
                    h.code);
        norm_match_result_release(&m);
    }
    CHECK_INT(t, norm_catalog_histname(cat, n, &h), DG_ENOTFOUND);
}

/* ---- an edition added through the manifest alone ---- */

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[8192];
    size_t n;
    int ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return ok;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

static void test_added_edition(tl_state *t, norm_ctx *ctx)
{
    char dir[] = "/tmp/dangan-norm-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    const char *files[] = {"catalog-1997.csv", "catalog-2022.csv", "crosswalk-1997-2022.csv",
                           "crosswalk-1997-2022-unresolved.csv"};
    char a[512], b[512];
    for (size_t i = 0; i < 4; i++) {
        snprintf(a, sizeof a, "%s/disciplines/%s", g_configs, files[i]);
        snprintf(b, sizeof b, "%s/%s", dir, files[i]);
        CHECK(t, copy_file(a, b));
    }
    snprintf(b, sizeof b, "%s/catalog-1990.csv", dir);
    CHECK(t, write_file(b, "code,name,level,parent_code\n08,工学,category,\n"
                           "0812,计算机科学与技术,first,08\n081201,计算机软件,second,0812\n"));
    snprintf(b, sizeof b, "%s/crosswalk-1990-1997.csv", dir);
    CHECK(t, write_file(b, "old_code,old_name,new_code,new_name,relation,basis\n"
                           "081201,计算机软件,081202,计算机软件与理论,official,1997 对照表\n"));
    snprintf(b, sizeof b, "%s/editions.tsv", dir);
    CHECK(t, write_file(b, "edition\t1997\t1997\tcatalog-1997.csv\n"
                           "edition\t1990\t1990\tcatalog-1990.csv\n"
                           "edition\t2022\t2022\tcatalog-2022.csv\n"
                           "crosswalk\t1990\t1997\tcrosswalk-1990-1997.csv\t-\n"
                           "crosswalk\t1997\t2022\tcrosswalk-1997-2022.csv\t"
                           "crosswalk-1997-2022-unresolved.csv\n"));
    norm_catalog *cat = NULL;
    dg_err err = {0};
    CHECK_INT(t, norm_catalog_load(dir, &cat, &err), 0);
    if (cat) {
        norm_edition_info e;
        norm_catalog_edition(cat, 0, &e);
        CHECK_STR(t, e.id, "1990");
        norm_match_input in = {.name = "计算机软件", .year = 1992};
        norm_match_result m;
        CHECK_INT(t, norm_match(ctx, cat, NULL, &in, &m, &err), 0);
        CHECK(t, m.ncandidates > 0);
        if (m.ncandidates) {
            CHECK_STR(t, m.candidates[0].code, "0812");
            CHECK_STR(t, m.candidates[0].path,
                      "1990:081201 计算机软件 → 1997:081202 计算机软件与理论 → 2022:0812 "
                      "计算机科学与技术");
            CHECK_STR(t, m.candidates[0].edition, "1990");
        }
        CHECK_INT(t, m.decision, NORM_AUTO);
        norm_match_result_release(&m);
        norm_catalog_free(&cat);
    }
    /* a curated name pointing at a code the edition lacks is refused */
    snprintf(b, sizeof b, "%s/names-bad.csv", dir);
    CHECK(t, write_file(b, "old_name,new_code,new_name,relation,basis\n"
                           "计算机软件,081299,不存在,renamed,curated: test\n"));
    snprintf(b, sizeof b, "%s/editions.tsv", dir);
    CHECK(t, write_file(b, "edition\t1997\t1997\tcatalog-1997.csv\n"
                           "names\tpre1997\t1997\tnames-bad.csv\n"));
    CHECK_INT(t, norm_catalog_load(dir, &cat, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "code '081299'") && strstr(err.msg, "names-bad.csv' line 2"));
    snprintf(b, sizeof b, "%s/names-bad.csv", dir);
    unlink(b);
    for (size_t i = 0; i < 4; i++) {
        snprintf(b, sizeof b, "%s/%s", dir, files[i]);
        unlink(b);
    }
    const char *mine[] = {"catalog-1990.csv", "crosswalk-1990-1997.csv", "editions.tsv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(b, sizeof b, "%s/%s", dir, mine[i]);
        unlink(b);
    }
    rmdir(dir);
}

/* ---- rules, JSON, errors ---- */

static void test_rules_json(tl_state *t, norm_ctx *ctx, const norm_catalog *cat,
                            const norm_match_conf *conf)
{
    norm_match_rule rules[] = {
        {"计算机软件", 1980, 1996, NULL, "0812", "r17", "li.wei"},
        {"计算机软件", 1980, 1996, "数学系", "0701", "r18", "li.wei"},
    };
    norm_match_input in = {.name = "計算機軟件", .year = 1988, .rules = rules, .nrules = 1};
    norm_match_result m;
    CHECK_INT(t, norm_match(ctx, cat, conf, &in, &m, NULL), 0);
    CHECK_INT(t, m.decision, NORM_AUTO);
    CHECK_STR(t, m.candidates[0].code, "0812");
    CHECK(t, ev_has(&m.candidates[0], "operator rule r17 by li.wei"));
    CHECK_STR(t, m.candidates[0].rule_id, "r17");
    for (size_t i = 1; i < m.ncandidates; i++)
        CHECK(t, m.candidates[i].rule_id == NULL);
    dg_buf b;
    dg_buf_init(&b, 0);
    CHECK_INT(t, norm_match_json(&m, &b), 0);
    const char *head = "{\"decision\":\"auto\",\"candidates\":[{\"code\":\"0812\",\"name\":"
                       "\"计算机科学与技术\",\"score\":1.000,\"edition\":";
    CHECK(t, strncmp(b.data, head, strlen(head)) == 0);
    dg_buf_release(&b);
    norm_match_result_release(&m);

    in.department = "数学系";
    in.nrules = 2; /* both rules apply and disagree: a human decides */
    CHECK_INT(t, norm_match(ctx, cat, conf, &in, &m, NULL), 0);
    CHECK_INT(t, m.decision, NORM_REVIEW);
    norm_match_result_release(&m);

    in.year = 1999; /* outside the rules' years */
    CHECK_INT(t, norm_match(ctx, cat, conf, &in, &m, NULL), 0);
    CHECK_INT(t, m.decision, NORM_REVIEW);
    norm_match_result_release(&m);

    dg_err err = {0};
    norm_match_input bad = {.name = "计算\xff机"};
    CHECK_INT(t, norm_match(ctx, cat, conf, &bad, &m, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "invalid utf-8 in discipline name") != NULL);

    norm_match_input old = {.name = "固体力学", .year = 1984};
    CHECK_INT(t, norm_match(ctx, cat, conf, &old, &m, NULL), 0);
    CHECK(t, m.ncandidates && ev_has(&m.candidates[0], "predates the earliest edition 1997"));
    CHECK_STR(t, m.ncandidates ? m.candidates[0].path : "", "1997:080102 固体力学 → 2022:0801 力学");
    norm_match_result_release(&m);
}

/* ---- professional-degree categories and pre-1997 records ---- */

static const norm_candidate *cand(const norm_match_result *m, const char *code)
{
    for (size_t i = 0; i < m->ncandidates; i++)
        if (strcmp(m->candidates[i].code, code) == 0)
            return &m->candidates[i];
    return NULL;
}

/* Match name/year; the result must not decide `bad` automatically. */
static void match_not_auto(tl_state *t, norm_ctx *ctx, const norm_catalog *cat,
                           const norm_match_conf *conf, const char *name, int year,
                           const char *bad, norm_match_result *m)
{
    norm_match_input in = {.name = name, .year = year};
    CHECK_INT(t, norm_match(ctx, cat, conf, &in, m, NULL), 0);
    int bad_auto = m->decision == NORM_AUTO && m->ncandidates &&
                   strcmp(m->candidates[0].code, bad) == 0;
    if (bad_auto)
        tl_fail(t, __FILE__, __LINE__, "'%s' (%d) decided %s automatically", name, year, bad);
}

/* Every 2022 code whose third digit is 5 or more is a professional-degree
 * category and needs the year it started. */
static void test_professional_list(tl_state *t, const norm_catalog *cat)
{
    char path[512], line[512], listed[4096] = ",";
    snprintf(path, sizeof path, "%s/disciplines/professional-degrees.csv", g_configs);
    FILE *f = fopen(path, "r");
    CHECK(t, f != NULL);
    while (f && fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        size_t used = strlen(listed);
        if (comma && comma - line == 4 && line[0] != 'c' && used + 6 < sizeof listed) {
            memcpy(listed + used, line, 5); /* "0251," */
            listed[used + 5] = '\0';
            CHECK(t, atoi(strchr(comma + 1, ',') + 1) >= 1990);
        }
    }
    if (f)
        fclose(f);
    norm_discipline_info d;
    int n = 0;
    for (size_t i = 0; norm_catalog_discipline(cat, 2, i, &d) == 0; i++) {
        if (strcmp(d.level, "first") || d.code[2] < '5')
            continue;
        char key[8];
        snprintf(key, sizeof key, ",%s,", d.code);
        n++;
        if (!strstr(listed, key))
            tl_fail(t, path, 0, "professional category %s %s has no start year", d.code,
                    d.bare_name);
    }
    CHECK_INT(t, n, 64);
}

static void test_professional(tl_state *t, norm_ctx *ctx, const norm_catalog *cat,
                              const norm_match_conf *conf)
{
    test_professional_list(t, cat);
    norm_match_result m;
    /* 金融 on a 1988 record: 0251 (2010) is listed but marked; 0202 is there */
    match_not_auto(t, ctx, cat, conf, "金融", 1988, "0251", &m);
    const norm_candidate *c = cand(&m, "0251");
    CHECK(t, c && ev_has(c, "professional degree category 0251 started 2010, after this record "
                            "(1988)"));
    CHECK(t, cand(&m, "0202") != NULL);
    norm_match_result_release(&m);
    /* no year: matcher.conf's default_context_year (1999) stands in */
    match_not_auto(t, ctx, cat, conf, "金融", 0, "0251", &m);
    c = cand(&m, "0251");
    CHECK(t, c && ev_has(c, "after this record (no year; default_context_year 1999)"));
    norm_match_result_release(&m);
    /* 会计学 1990: the academic 1202 may win, the 2003 category 1253 may not */
    match_not_auto(t, ctx, cat, conf, "会计学", 1990, "1253", &m);
    c = cand(&m, "1253");
    CHECK(t, c && ev_has(c, "category 1253 started 2003"));
    if (m.decision == NORM_AUTO)
        CHECK_STR(t, m.candidates[0].code, "1202");
    norm_match_result_release(&m);
    match_not_auto(t, ctx, cat, conf, "会计", 0, "1253", &m);
    norm_match_result_release(&m);
    /* 机械 (no year): 0855 only exists since the 2018 regrouping of 工程 */
    match_not_auto(t, ctx, cat, conf, "机械", 0, "0855", &m);
    CHECK(t, cand(&m, "0802") != NULL);
    norm_match_result_release(&m);
    /* 自动控制: a pre-1997 name, to review, with 0811 among the candidates */
    norm_match_input in = {.name = "自动控制", .year = 1985};
    CHECK_INT(t, norm_match(ctx, cat, conf, &in, &m, NULL), 0);
    CHECK_INT(t, m.decision, NORM_REVIEW);
    CHECK(t, cand(&m, "0811") != NULL);
    norm_match_result_release(&m);
    /* A category that did not exist yet is no close rival: 旅游管理 (no
     * year) is the 1997 second-level 120203 of 1202, not the 2010 category. */
    in = (norm_match_input){.name = "旅游管理"};
    CHECK_INT(t, norm_match(ctx, cat, conf, &in, &m, NULL), 0);
    CHECK_INT(t, m.decision, NORM_AUTO);
    CHECK_STR(t, m.ncandidates ? m.candidates[0].code : "", "1202");
    CHECK(t, cand(&m, "1254") && ev_has(cand(&m, "1254"), "category 1254 started 2010"));
    norm_match_result_release(&m);
    /* default_context_year 0: no check for a record without a year */
    norm_match_conf off = *conf;
    off.default_context_year = 0;
    in = (norm_match_input){.name = "机械"};
    CHECK_INT(t, norm_match(ctx, cat, &off, &in, &m, NULL), 0);
    CHECK(t, cand(&m, "0855") && !ev_has(cand(&m, "0855"), "professional degree"));
    norm_match_result_release(&m);
    /* an operator rule is a person's decision: the check leaves it alone */
    norm_match_rule rule = {"金融", 0, 0, NULL, "0251", "r1", "li.wei"};
    in = (norm_match_input){.name = "金融", .year = 1988, .rules = &rule, .nrules = 1};
    CHECK_INT(t, norm_match(ctx, cat, conf, &in, &m, NULL), 0);
    CHECK_INT(t, m.decision, NORM_AUTO);
    CHECK_STR(t, m.ncandidates ? m.candidates[0].code : "", "0251");
    norm_match_result_release(&m);
}

/* ---- the labelled set ---- */

typedef struct eval {
    int total, autos, auto_right, want_review, want_review_ok, want_code, review_has_code;
    int want_listed, listed_ok; /* "review:0812,0835": review with all these codes */
} eval;

/* Are all codes of the comma-separated list among the candidates? */
static int has_all_codes(const norm_match_result *m, const char *list)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *p = buf, *comma; p && *p; p = comma ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        int found = 0;
        for (size_t i = 0; i < m->ncandidates && !found; i++)
            found = strcmp(m->candidates[i].code, p) == 0;
        if (!found)
            return 0;
    }
    return 1;
}

static void eval_line(tl_state *t, norm_ctx *ctx, const norm_catalog *cat,
                      const norm_match_conf *conf, char **f, int lineno, eval *ev)
{
    norm_match_input in = {.name = f[0], .code = f[1][0] ? f[1] : NULL, .year = atoi(f[2]),
                           .department = f[3][0] ? f[3] : NULL};
    norm_match_result m;
    dg_err err = {0};
    int rc = norm_match(ctx, cat, conf, &in, &m, &err);
    CHECK_INT(t, rc, 0);
    int want_review = strncmp(f[4], "review", 6) == 0;
    const char *listed = strncmp(f[4], "review:", 7) == 0 ? f[4] + 7 : NULL;
    ev->total++;
    if (m.decision == NORM_AUTO) {
        ev->autos++;
        int right = !want_review && strcmp(m.candidates[0].code, f[4]) == 0;
        ev->auto_right += right;
        if (!right)
            tl_fail(t, "matcher_labelled.tsv", lineno, "wrong auto: '%s' -> %s, want %s (%s)",
                    f[0], m.candidates[0].code, f[4],
                    m.candidates[0].nevidence ? m.candidates[0].evidence[0] : "");
    }
    if (want_review) {
        ev->want_review++;
        ev->want_review_ok += m.decision == NORM_REVIEW;
        if (listed) {
            ev->want_listed++;
            if (has_all_codes(&m, listed))
                ev->listed_ok++;
            else
                tl_fail(t, "matcher_labelled.tsv", lineno, "'%s': want %s among candidates",
                        f[0], listed);
        }
    } else {
        ev->want_code++;
        for (size_t i = 0; i < m.ncandidates && m.decision == NORM_REVIEW; i++)
            if (strcmp(m.candidates[i].code, f[4]) == 0) {
                ev->review_has_code++;
                break;
            }
    }
    if (getenv("DANGAN_MATCH_VERBOSE")) {
        dg_buf b;
        dg_buf_init(&b, 0);
        norm_match_json(&m, &b);
        printf("%d\t%s\t%s\t%s\n", lineno, f[0], f[4], b.data);
        dg_buf_release(&b);
    }
    norm_match_result_release(&m);
}

static void test_labelled(tl_state *t, norm_ctx *ctx, const norm_catalog *cat,
                          const norm_match_conf *conf, const char *path)
{
    FILE *fp = fopen(path, "r");
    CHECK(t, fp != NULL);
    if (!fp)
        return;
    char line[1024];
    int lineno = 0;
    eval ev = {0};
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#')
            continue;
        char *f[7] = {0};
        size_t nf = 0;
        for (char *p = line; nf < 7;) {
            f[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nf < 5) {
            tl_fail(t, path, lineno, "malformed labelled line");
            continue;
        }
        eval_line(t, ctx, cat, conf, f, lineno, &ev);
    }
    fclose(fp);
    int decided_code = ev.want_code;
    printf("labelled cases: %d (expected code %d, expected review %d)\n", ev.total,
           decided_code, ev.want_review);
    printf("auto decisions: %d (%.1f%% of all), correct %d = top-1 accuracy of auto %.1f%%\n",
           ev.autos, 100.0 * ev.autos / ev.total, ev.auto_right,
           ev.autos ? 100.0 * ev.auto_right / ev.autos : 100.0);
    printf("ambiguous cases sent to review: %d/%d = %.1f%%\n", ev.want_review_ok,
           ev.want_review, 100.0 * ev.want_review_ok / (ev.want_review ? ev.want_review : 1));
    printf("expected-code cases left to review with the right code among candidates: %d/%d\n",
           ev.review_has_code, ev.want_code - ev.auto_right);
    printf("review cases with all their listed codes among candidates: %d/%d\n", ev.listed_ok,
           ev.want_listed);
    CHECK(t, ev.total >= 150);
    CHECK(t, ev.autos == 0 || ev.auto_right * 100 >= ev.autos * 99);
    CHECK_INT(t, ev.want_review_ok, ev.want_review);
    CHECK_INT(t, ev.listed_ok, ev.want_listed);
    CHECK(t, ev.want_listed >= 20);
    CHECK(t, ev.autos * 2 >= ev.want_code); /* the matcher still decides most clear cases */
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    g_configs = argc > 2 ? argv[2] : "configs";
    char dir[512], conf_path[512];
    snprintf(dir, sizeof dir, "%s/disciplines", g_configs);
    snprintf(conf_path, sizeof conf_path, "%s/normalize/matcher.conf", g_configs);
    norm_ctx *ctx = NULL;
    norm_catalog *cat = NULL;
    norm_match_conf conf;
    dg_err err = {0};
    if (norm_ctx_new(g_configs, &ctx, &err) || norm_catalog_load(dir, &cat, &err) ||
        norm_match_conf_load(conf_path, &conf, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    test_catalog(&t, cat);
    test_added_edition(&t, ctx);
    test_rules_json(&t, ctx, cat, &conf);
    test_histnames(&t, ctx, cat, &conf);
    test_professional(&t, ctx, cat, &conf);
    test_labelled(&t, ctx, cat, &conf, argc > 1 ? argv[1] : "matcher_labelled.tsv");
    norm_catalog_free(&cat);
    norm_ctx_free(&ctx);
    return tl_exit_status(&t, "normalize_match");
}
