/*
 * test_normalizers.c - table-driven tests of every field normalizer.  The
 * cases live in tests/data/normalize/cases.tsv (one per line: kind, input,
 * expected value or "-", flagged 0/1, optional expected detail) so a
 * failure names its line.  Also checks invalid UTF-8, provenance JSON,
 * name keys and the record date plausibility check.
 */
#include "normalize.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

typedef int (*field_fn)(norm_ctx *, const char *, norm_result *, dg_err *);

static int run_kind(norm_ctx *ctx, const char *kind, const char *in, norm_result *r, dg_err *err)
{
    static const struct {
        const char *kind;
        field_fn fn;
    } fns[] = {{"name", norm_name},           {"sex", norm_sex},       {"ethnicity", norm_ethnicity},
               {"political", norm_political}, {"degree", norm_degree}, {"duration", norm_duration},
               {"code", norm_code},           {"text", norm_text}};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (strcmp(kind, fns[i].kind) == 0)
            return fns[i].fn(ctx, in, r, err);
    if (strncmp(kind, "date", 4) == 0) {
        norm_date_opts o = {0};
        const char *ctxy = strstr(kind, "@");
        if (ctxy)
            o.context_year = atoi(ctxy + 1);
        o.drop_day = strstr(kind, "month") != NULL;
        return norm_date(ctx, in, &o, r, err);
    }
    return DG_EUSAGE;
}

/* "\t" separated; "\\s" in the data file stands for a leading/trailing space. */
static void unescape(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] == 's') {
            *w++ = ' ';
            p++;
        } else if (p[0] == '\\' && p[1] == 'e') {
            p++; /* \e = empty string marker */
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

static int run_cases(tl_state *t, norm_ctx *ctx, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        tl_fail(t, __FILE__, __LINE__, "cannot open %s", path);
        return 0;
    }
    char line[1024];
    int lineno = 0, ncases = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *fld[5] = {0};
        size_t nf = 0;
        for (char *p = line; nf < 5; nf++) {
            fld[nf] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                nf++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (nf < 4) {
            tl_fail(t, path, lineno, "malformed case");
            continue;
        }
        for (size_t i = 0; i < nf; i++)
            unescape(fld[i]);
        ncases++;
        norm_result r;
        dg_err err = {0};
        int rc = run_kind(ctx, fld[0], fld[1], &r, &err);
        t->checks++;
        const char *want = strcmp(fld[2], "-") == 0 ? NULL : fld[2];
        int want_flag = atoi(fld[3]);
        int ok = rc == 0 && ((!want && !r.value) || (want && r.value && !strcmp(want, r.value))) &&
                 (!!r.flag == want_flag);
        if (ok && nf > 4 && fld[4][0])
            ok = r.detail && strcmp(r.detail, fld[4]) == 0;
        if (!ok)
            tl_fail(t, path, lineno, "%s '%s': got rc=%d value '%s' flag '%s' detail '%s', want '%s' flag %d",
                    fld[0], fld[1], rc, r.value ? r.value : "(null)", r.flag ? r.flag : "-",
                    r.detail ? r.detail : "-", want ? want : "(null)", want_flag);
        norm_result_release(&r);
    }
    fclose(f);
    return ncases;
}

static void test_invalid_utf8(tl_state *t, norm_ctx *ctx)
{
    const char *bad[] = {"\xff\xfe", "张\xe4\xb8", "\xc0\xaf", "ok\xed\xa0\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        norm_result r;
        dg_err err = {0};
        CHECK_INT(t, norm_name(ctx, bad[i], &r, &err), DG_EINPUT);
        CHECK(t, strstr(err.msg, "invalid utf-8 in name") != NULL);
        norm_result_release(&r);
        CHECK_INT(t, norm_date(ctx, bad[i], NULL, &r, &err), DG_EINPUT);
        norm_result_release(&r);
        CHECK_INT(t, norm_code(ctx, bad[i], &r, &err), DG_EINPUT);
        norm_result_release(&r);
        norm_keys k;
        CHECK_INT(t, norm_query_keys(ctx, bad[i], &k, &err), DG_EINPUT);
        norm_keys_release(&k);
    }
}

static void test_steps_json(tl_state *t, norm_ctx *ctx)
{
    norm_result r;
    CHECK_INT(t, norm_name(ctx, "孟紅霞（教授）", &r, NULL), 0);
    CHECK_STR(t, r.value, "孟红霞");
    CHECK_STR(t, r.raw, "孟紅霞（教授）");
    dg_buf b;
    dg_buf_init(&b, 0);
    CHECK_INT(t, norm_steps_json(&r, &b), 0);
    CHECK(t, strstr(b.data, "\"rule\":\"strip-title\"") != NULL);
    CHECK(t, strstr(b.data, "\"rule\":\"hant-hans\",\"before\":\"孟紅霞\",\"after\":\"孟红霞\"") != NULL);
    dg_buf_release(&b);
    norm_result_release(&r);
}

static void check_keys(tl_state *t, norm_ctx *ctx, const char *name, const char *simp,
                       const char *spaced, const char *pinyin)
{
    norm_keys k;
    CHECK_INT(t, norm_name_keys(ctx, name, &k, NULL), 0);
    CHECK_STR(t, k.simplified, simp);
    CHECK_STR(t, k.pinyin_spaced, spaced);
    CHECK_STR(t, k.pinyin, pinyin);
    norm_keys_release(&k);
}

static int query_level(norm_ctx *ctx, const char *query, const char *stored)
{
    norm_keys q, s;
    norm_query_keys(ctx, query, &q, NULL);
    norm_name_keys(ctx, stored, &s, NULL);
    int m = norm_keys_match(&q, &s);
    norm_keys_release(&q);
    norm_keys_release(&s);
    return m;
}

static void test_keys(tl_state *t, norm_ctx *ctx)
{
    check_keys(t, ctx, "单田芳", "单田芳", "shan tian fang", "shantianfang");
    check_keys(t, ctx, "曾國藩", "曾国藩", "zeng guo fan", "zengguofan");
    check_keys(t, ctx, "張 三", "张三", "zhang san", "zhangsan");
    check_keys(t, ctx, "孟红霞（教授）", "孟红霞", "meng hong xia", "menghongxia");
    CHECK_INT(t, query_level(ctx, "zhang san", "張三"), 2);
    CHECK_INT(t, query_level(ctx, "ZhangSan", "张三"), 2);
    CHECK_INT(t, query_level(ctx, "zhāng sān", "张三"), 2);
    CHECK_INT(t, query_level(ctx, "張三", "张三"), 3);
    CHECK_INT(t, query_level(ctx, "王己明", "王已明"), 1);  /* OCR misread */
    CHECK_INT(t, query_level(ctx, "李末", "李未"), 1);
    CHECK_INT(t, query_level(ctx, "王士林", "王土林"), 1);
    CHECK_INT(t, query_level(ctx, "李四", "张三"), 0);
    CHECK_INT(t, query_level(ctx, "shan tianfang", "单田芳"), 2);
}

/* Does the name have key among its pinyin keys (the main one or another reading)? */
static int has_reading(norm_ctx *ctx, const char *name, const char *key)
{
    norm_keys k;
    if (norm_name_keys(ctx, name, &k, NULL))
        return 0;
    int hit = strcmp(k.pinyin, key) == 0;
    for (size_t i = 0; i < k.nalt; i++)
        hit |= strcmp(k.alt[i], key) == 0;
    norm_keys_release(&k);
    return hit;
}

static void check_roman(tl_state *t, norm_ctx *ctx, const char *name, const char *want)
{
    char *r = NULL;
    CHECK_INT(t, norm_name_romanized(ctx, name, &r, NULL), 0);
    CHECK_STR(t, r, want);
    free(r);
}

/* Polyphonic characters (#23): surnames take their surname reading as the
 * main key, every reading is a key, and a pinyin query written with the
 * other reading still matches. */
static void test_readings(tl_state *t, norm_ctx *ctx)
{
    check_keys(t, ctx, "朴正浩", "朴正浩", "piao zheng hao", "piaozhenghao");
    check_keys(t, ctx, "缪伟", "缪伟", "miao wei", "miaowei");
    check_keys(t, ctx, "区伟", "区伟", "ou wei", "ouwei");
    check_keys(t, ctx, "单雄信", "单雄信", "shan xiong xin", "shanxiongxin");
    CHECK(t, has_reading(ctx, "张长江", "zhangchangjiang"));
    CHECK(t, has_reading(ctx, "张长江", "zhangzhangjiang"));
    CHECK(t, has_reading(ctx, "王乐", "wangyue"));
    CHECK(t, has_reading(ctx, "王乐", "wangle"));
    CHECK(t, has_reading(ctx, "曾长乐", "zengzhangyue"));
    CHECK(t, has_reading(ctx, "解放", "xiefang"));
    CHECK(t, has_reading(ctx, "解放", "jiefang"));
    CHECK(t, has_reading(ctx, "查良镛", "zhaliangyong"));
    CHECK(t, has_reading(ctx, "查良镛", "chaliangyong"));
    CHECK(t, has_reading(ctx, "仇英", "qiuying"));
    CHECK(t, has_reading(ctx, "朴正浩", "puzhenghao"));
    CHECK(t, !has_reading(ctx, "张三", "changsan"));
    CHECK_INT(t, query_level(ctx, "Zhang Zhangjiang", "张长江"), 2);
    CHECK_INT(t, query_level(ctx, "Piao Zhenghao", "朴正浩"), 2);
    CHECK_INT(t, query_level(ctx, "Ou Wei", "區偉"), 2);
    check_roman(t, ctx, "端木晓泛", "DUANMU Xiaofan");
    check_roman(t, ctx, "單田芳", "SHAN Tianfang");
    check_roman(t, ctx, "朴正浩", "PIAO Zhenghao");
    check_roman(t, ctx, "吕安", "LÜ An");
    check_roman(t, ctx, "王西安", "WANG Xi'an");
    check_roman(t, ctx, "欧阳长青", "OUYANG Changqing");
    check_roman(t, ctx, "曾国藩", "ZENG Guofan");
    check_roman(t, ctx, "欧阳", "OU Yang"); /* two characters: surname and given name */
    char *r = (char *)"x";
    CHECK_INT(t, norm_name_romanized(ctx, "John Smith", &r, NULL), 0);
    CHECK(t, r == NULL);
}

/* Is there a flag with this code whose message contains needle? */
static int has_flag(const norm_flags *f, const char *code, const char *needle)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].code, code) == 0 && strstr(f->items[i].message, needle))
            return 1;
    return 0;
}

/* Does the flag with this code name these two fields (second may be NULL)? */
static int flag_fields(const norm_flags *f, const char *code, const char *a, const char *b)
{
    for (size_t i = 0; i < f->n; i++) {
        const norm_flag *g = &f->items[i];
        if (strcmp(g->code, code) == 0 && g->fields[0] && strcmp(g->fields[0], a) == 0 &&
            (b ? g->fields[1] && strcmp(g->fields[1], b) == 0 : g->fields[1] == NULL))
            return 1;
    }
    return 0;
}

static void test_dates_check(tl_state *t)
{
    norm_flags f = {0};
    norm_record_dates ok = {"1960-03", "1982-09", "1985-07", "1985-07", "1985-07-09"};
    CHECK_INT(t, norm_dates_check(&ok, &f, NULL), 0);
    CHECK_INT(t, f.n, 0);
    norm_flags_release(&f);
    norm_record_dates bad = {"1970-03", "1982-09", "1980-07", NULL, NULL};
    CHECK_INT(t, norm_dates_check(&bad, &f, NULL), 0);
    CHECK(t, has_flag(&f, NORM_FLAG_GRAD_BEFORE_ENROLL, "before enrolment"));
    CHECK(t, flag_fields(&f, "grad_before_enroll", "graduate", "enrol"));
    CHECK(t, has_flag(&f, NORM_FLAG_ENROLL_BEFORE_AGE16, "before age 16"));
    CHECK(t, flag_fields(&f, "enroll_before_age16", "enrol", "birth"));
    CHECK(t, has_flag(&f, NORM_FLAG_GRAD_BEFORE_AGE16, "before age 16"));
    CHECK(t, flag_fields(&f, "grad_before_age16", "graduate", "birth"));
    norm_flags_release(&f);
    CHECK(t, f.items == NULL && f.n == 0);
    norm_record_dates deg = {NULL, "1982-09", NULL, "1981-07", NULL};
    CHECK_INT(t, norm_dates_check(&deg, &f, NULL), 0);
    CHECK_INT(t, f.n, 1);
    CHECK(t, flag_fields(&f, NORM_FLAG_DEGREE_BEFORE_ENROLL, "degree", "enrol"));
    norm_flags_release(&f);
    norm_record_dates old = {"1890", "2015-09", NULL, NULL, NULL};
    CHECK_INT(t, norm_dates_check(&old, &f, NULL), 0);
    CHECK(t, has_flag(&f, NORM_FLAG_DATE_OUT_OF_RANGE, "birth date '1890' outside"));
    CHECK(t, flag_fields(&f, "date_out_of_range", "birth", NULL));
    CHECK(t, has_flag(&f, NORM_FLAG_DATE_OUT_OF_RANGE, "enrolment date '2015-09' outside"));
    CHECK(t, flag_fields(&f, "date_out_of_range", "enrol", NULL));
    norm_flags_release(&f);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    norm_ctx *ctx = NULL;
    dg_err err = {0};
    if (norm_ctx_new(argc > 2 ? argv[2] : NULL, &ctx, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int n = run_cases(&t, ctx, argc > 1 ? argv[1] : "cases.tsv");
    printf("normalizer table cases: %d\n", n);
    CHECK(&t, n >= 150);
    test_invalid_utf8(&t, ctx);
    test_steps_json(&t, ctx);
    test_keys(&t, ctx);
    test_readings(&t, ctx);
    test_dates_check(&t);
    norm_ctx_free(&ctx);
    CHECK(&t, ctx == NULL);
    return tl_exit_status(&t, "normalize_fields");
}
