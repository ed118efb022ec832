/*
 * fields.c - the small closed-vocabulary fields of a record: sex,
 * ethnicity, political status, degree, duration of study, code fields and
 * free text.  Each maps the many ways a form was filled in onto one
 * canonical value and flags what it does not recognise.
 */
#include "normalize.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

/* Remove every whitespace character: none of these fields has inner spaces. */
static char *compact(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < u.n; i++)
        if (!nz_is_space(u.c[i]))
            u.c[w++] = u.c[i];
    char *r = nz_encode(u.c, w);
    free(u.c);
    return r;
}

/* The shared prelude: validate, NFKC, drop spaces, optionally simplify. */
static int field_start(norm_ctx *ctx, const char *what, const char *raw, int simplify,
                       norm_result *r, char **cur, dg_err *err)
{
    memset(r, 0, sizeof *r);
    *cur = NULL;
    int rc = nz_check_input(raw, what, err);
    if (rc)
        return rc;
    if (nz_result_start(r, raw) || !(*cur = dg_strdup(raw)))
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing %s '%s'", what, raw);
    rc = nz_apply(r, cur, "nfkc", nz_nfkc(ctx, *cur));
    rc = rc ? rc : nz_apply(r, cur, "strip-space", compact(*cur));
    if (!rc && simplify)
        rc = nz_apply(r, cur, "hant-hans", nz_simplify(ctx, *cur));
    if (rc) {
        free(*cur);
        *cur = NULL;
        return dg_err_set(err, rc, "out of memory normalizing %s '%s'", what, raw);
    }
    return DG_OK;
}

static int field_finish(norm_result *r, char *cur, const char *value, const char *rule,
                        const char *what, dg_err *err)
{
    int rc = DG_OK;
    if (value) {
        rc = nz_apply(r, &cur, rule, dg_strdup(value));
        if (!rc && !(r->value = dg_strdup(cur)))
            rc = DG_ENOMEM;
    }
    free(cur);
    if (rc)
        return dg_err_set(err, rc, "out of memory normalizing %s '%s'", what, r->raw);
    return DG_OK;
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

int norm_sex(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    static const char *const male[] = {"男", "男性", "男生", "M", "m", "male", "Male", "MALE", NULL};
    static const char *const female[] = {"女", "女性", "女生", "F", "f", "female", "Female",
                                         "FEMALE", NULL};
    char *cur;
    int rc = field_start(ctx, "sex", raw, 1, r, &cur, err);
    if (rc)
        return rc;
    const char *v = in_list(cur, male) ? "男" : in_list(cur, female) ? "女" : NULL;
    if (!v && nz_flag(r, "unknown sex '%s'", raw)) {
        free(cur);
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing sex '%s'", raw);
    }
    return field_finish(r, cur, v, "sex-table", "sex", err);
}

int norm_ethnicity(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    char *cur;
    int rc = field_start(ctx, "ethnicity", raw, 1, r, &cur, err);
    if (rc)
        return rc;
    char full[256];
    snprintf(full, sizeof full, "%s族", cur);
    const char *v = NULL;
    for (size_t i = 0; i < ctx->nethnic && !v; i++)
        if (strcmp(cur, ctx->ethnic[i]) == 0 || strcmp(full, ctx->ethnic[i]) == 0)
            v = ctx->ethnic[i];
    if (!v && nz_flag(r, "unknown ethnic group '%s'", raw)) {
        free(cur);
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing ethnicity '%s'", raw);
    }
    return field_finish(r, cur, v, "ethnic-table", "ethnicity", err);
}

int norm_political(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    char *cur;
    int rc = field_start(ctx, "political status", raw, 1, r, &cur, err);
    if (rc)
        return rc;
    const char *v = NULL;
    for (size_t i = 0; i < ctx->npolitical && !v; i++)
        if (strcmp(cur, ctx->political[i].key) == 0)
            v = ctx->political[i].value;
    if (!v && nz_flag(r, "unknown political status '%s'", raw)) {
        free(cur);
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing political status '%s'",
                          raw);
    }
    return field_finish(r, cur, v, "political-table", "political status", err);
}

/* ---- degree ---- */

static int ends_with(const char *s, const char *suffix, size_t *at)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (m > n || strcmp(s + n - m, suffix) != 0)
        return 0;
    *at = n - m;
    return 1;
}

/* Punctuation between or around the words of a degree (工学·硕士, 硕士。,
 * （工学）硕士) is how clerks wrote it, never part of the degree.  This also
 * turns dashes and slashes meaning "none" into the empty string. */
static char *strip_punct(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < u.n; i++)
        if (!u_ispunct(u.c[i]))
            u.c[w++] = u.c[i];
    char *r = nz_encode(u.c, w);
    free(u.c);
    return r;
}

static int all_han(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return 0;
    size_t i = 0;
    while (i < u.n && dg_is_han(u.c[i]))
        i++;
    int ok = i == u.n;
    free(u.c);
    return ok;
}

/*
 * Split "工学硕士学位" into the level word (硕士), its code (master) and the
 * category before it (工学, cut in place in cur).  0 when no level word ends
 * the text.
 */
static int degree_level(char *cur, const char **word, const char **code)
{
    static const struct {
        const char *word, *code;
    } lv[] = {{"博士", "doctor"}, {"硕士", "master"}, {"学士", "bachelor"}};
    size_t at;
    if (ends_with(cur, "学位", &at))
        cur[at] = '\0';
    for (size_t i = 0; i < sizeof lv / sizeof lv[0]; i++)
        if (ends_with(cur, lv[i].word, &at)) {
            cur[at] = '\0';
            *word = lv[i].word;
            *code = lv[i].code;
            return 1;
        }
    return 0;
}

/* OCR misreads of the level words on faded and 1-bit scans: 士 read as
 * 十 上 土 二, 硕 as 硒 碳 颁 颂 倾 磊 (its 石 or 页 kept), 博 as 搏 傅 薄.
 * No class holds a character of another level word. */
static uint32_t level_char(uint32_t c)
{
    static const struct {
        uint32_t to;
        const uint32_t from[8];
    } cls[] = {
        {0x58EB, {0x5341, 0x4E0A, 0x571F, 0x4E8C}},                         /* 士: 十上土二 */
        {0x7855, {0x7852, 0x78B3, 0x9881, 0x9882, 0x503E, 0x78CA}},         /* 硕: 硒碳颁颂倾磊 */
        {0x535A, {0x640F, 0x5085, 0x8584}},                                 /* 博: 搏傅薄 */
    };
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++)
        for (size_t k = 0; k < 8 && cls[i].from[k]; k++)
            if (cls[i].from[k] == c)
                return cls[i].to;
    return c;
}

/* s with its last two characters put back to level-word characters where
 * they are look-alikes (工学硕十 -> 工学硕士); NULL when out of memory. */
static char *level_lookalikes(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    for (size_t i = u.n >= 2 ? u.n - 2 : 0; i < u.n; i++)
        u.c[i] = level_char(u.c[i]);
    char *out = nz_encode(u.c, u.n);
    free(u.c);
    return out;
}

/* When no level word ends *cur, its last two characters read as level-word
 * look-alikes: when that gives a level word, *cur and *category become
 * the corrected text (the step recorded) and the value is flagged, for a
 * reviewer to confirm against the scan.  *found says whether it did. */
static int lookalike_level(norm_result *r, char **cur, char **category, const char **word,
                           const char **code, int *found)
{
    char *fixed = level_lookalikes(*cur);
    if (!fixed)
        return DG_ENOMEM;
    char *cat = strcmp(fixed, *cur) != 0 ? dg_strdup(fixed) : NULL;
    if (!cat || !degree_level(cat, word, code)) {
        free(cat);
        free(fixed);
        return DG_OK;
    }
    char *was = dg_strdup(*cur);
    int rc = was ? nz_apply(r, cur, "degree-lookalike", fixed) : DG_ENOMEM;
    if (!was)
        free(fixed);
    if (rc == DG_OK && nz_flag(r, "degree '%s' read as its look-alike '%s'", was, *cur))
        rc = DG_ENOMEM;
    free(was);
    if (rc) {
        free(cat);
        return rc;
    }
    free(*category);
    *category = cat;
    *found = 1;
    return DG_OK;
}

/*
 * The value is the degree as a certificate prints it: category + level word
 * (工学硕士), or the bare level word when no category was written.  detail
 * keeps it machine-readable: the level code, then ";" and the category when
 * there is one ("master;工学", "doctor", "none").
 */
int norm_degree(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    static const char *const none[] = {"", "无", "未授", "未授予", "未获", "未获得", "无学位",
                                       "未", "×", NULL};
    char *cur;
    int rc = field_start(ctx, "degree", raw, 1, r, &cur, err);
    if (rc)
        return rc;
    if ((rc = nz_apply(r, &cur, "strip-punct", strip_punct(cur)))) {
        free(cur);
        return dg_err_set(err, rc, "out of memory normalizing degree '%s'", raw);
    }
    if (in_list(cur, none)) {
        if (!(r->detail = dg_strdup("none"))) {
            free(cur);
            return dg_err_set(err, DG_ENOMEM, "out of memory normalizing degree '%s'", raw);
        }
        return field_finish(r, cur, "none", "degree-none", "degree", err);
    }
    char *category = dg_strdup(cur);
    const char *word = NULL, *code = NULL;
    dg_buf value, detail;
    dg_buf_init(&value, NZ_MAX_INPUT);
    dg_buf_init(&detail, NZ_MAX_INPUT);
    rc = category ? DG_OK : DG_ENOMEM;
    int found = !rc && degree_level(category, &word, &code);
    if (!rc && !found)
        rc = lookalike_level(r, &cur, &category, &word, &code, &found);
    if (!rc && found) {
        rc = dg_buf_addf(&value, "%s%s", category, word);
        rc = rc ? rc : dg_buf_adds(&detail, code);
        if (!rc && category[0])
            rc = dg_buf_addf(&detail, ";%s", category);
        if (!rc && !(r->detail = dg_strdup(detail.data)))
            rc = DG_ENOMEM;
        /* A category is Han (工学, 工程); anything else is a misread, which
         * must not reach a certificate unseen. */
        if (!rc && !all_han(category))
            rc = nz_flag(r, "unexpected characters in degree category '%s'", category);
    } else if (!rc) {
        rc = nz_flag(r, "unknown degree '%s'", raw);
    }
    free(category);
    dg_buf_release(&detail);
    if (rc) {
        dg_buf_release(&value);
        free(cur);
        return dg_err_set(err, rc, "out of memory normalizing degree '%s'", raw);
    }
    rc = field_finish(r, cur, value.len ? value.data : NULL, "degree-canonical", "degree", err);
    dg_buf_release(&value);
    return rc;
}

/* ---- duration ---- */

/* Value of a number written in Arabic (2.5) or Chinese (二, 两), -1 if neither. */
static double duration_number(norm_ctx *ctx, const UChar32 *c, size_t n)
{
    if (!n)
        return -1;
    if (c[0] >= '0' && c[0] <= '9') {
        char buf[32];
        size_t w = 0;
        int dots = 0;
        for (size_t i = 0; i < n; i++) {
            if (w >= sizeof buf - 1 || !((c[i] >= '0' && c[i] <= '9') || c[i] == '.'))
                return -1;
            dots += c[i] == '.';
            buf[w++] = (char)c[i];
        }
        buf[w] = '\0';
        return dots > 1 ? -1 : strtod(buf, NULL);
    }
    long v = nz_parse_zh_number(ctx, c, n);
    return v < 0 ? -1 : (double)v;
}

static size_t find_cp(const nz_u32 *u, UChar32 c, size_t from)
{
    for (size_t i = from; i < u->n; i++)
        if (u->c[i] == c)
            return i;
    return u->n;
}

/* N, N年, N年半, N.5年, N年M个月, with trailing 制 allowed. */
static double duration_parse(norm_ctx *ctx, const nz_u32 *u)
{
    size_t n = u->n;
    if (n && u->c[n - 1] == 0x5236) /* 制 */
        n--;
    nz_u32 v = {u->c, n};
    size_t nian = find_cp(&v, 0x5E74, 0); /* 年 */
    double years = duration_number(ctx, v.c, nian);
    if (years < 0 || nian == n || nian + 1 == n)
        return years;
    const UChar32 *rest = v.c + nian + 1;
    size_t rn = n - nian - 1;
    if (rn == 1 && rest[0] == 0x534A) /* 半 */
        return years + 0.5;
    if (rn > 2 && rest[rn - 2] == 0x4E2A && rest[rn - 1] == 0x6708) { /* 个月 */
        double months = duration_number(ctx, rest, rn - 2);
        return months < 0 || months >= 12 ? -1 : years + months / 12.0;
    }
    return -1;
}

int norm_duration(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    char *cur;
    int rc = field_start(ctx, "duration", raw, 1, r, &cur, err);
    if (rc)
        return rc;
    nz_u32 u;
    if (nz_decode(cur, &u)) {
        free(cur);
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing duration '%s'", raw);
    }
    double y = duration_parse(ctx, &u);
    free(u.c);
    char out[32];
    /* Half-year precision is what forms use; finer is rounded, visibly. */
    double half = (double)(long)(y * 2 + 0.5) / 2;
    if (half == (double)(long)half)
        snprintf(out, sizeof out, "%ld", (long)half);
    else
        snprintf(out, sizeof out, "%.1f", half);
    const char *v = out;
    if (y < 0)
        rc = nz_flag(r, "cannot parse duration '%s'", raw), v = NULL;
    else if (half < 1 || half > 8)
        rc = nz_flag(r, "implausible duration '%s'", raw);
    if (rc) {
        free(cur);
        return dg_err_set(err, rc, "out of memory normalizing duration '%s'", raw);
    }
    return field_finish(r, cur, v, "duration-years", "duration", err);
}

/* ---- codes ---- */

static char *code_letters(const char *s, int *nondigit)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t w = 0;
    *nondigit = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == 'O' || c == 'o')
            c = '0';
        else if (c == 'l' || c == 'I' || c == 'i' || c == '|')
            c = '1';
        else if (c == '-' || c == '.')
            continue;
        if (c < '0' || c > '9')
            *nondigit = 1;
        o[w++] = c;
    }
    o[w] = '\0';
    return o;
}

int norm_code(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    char *cur;
    int rc = field_start(ctx, "code", raw, 0, r, &cur, err);
    if (rc)
        return rc;
    int nondigit = 0;
    rc = nz_apply(r, &cur, "ocr-letter-digit", code_letters(cur, &nondigit));
    size_t len = cur ? strlen(cur) : 0;
    const char *v = cur;
    if (!rc && nondigit)
        rc = nz_flag(r, "non-digit characters in code '%s'", raw), v = NULL;
    else if (!rc && len != 4 && len != 6)
        rc = nz_flag(r, "code '%s' has %zu digits, expected 4 or 6", raw, len);
    if (rc) {
        free(cur);
        return dg_err_set(err, rc, "out of memory normalizing code '%s'", raw);
    }
    if (v && !(r->value = dg_strdup(v)))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory normalizing code '%s'", raw);
    free(cur);
    return rc;
}

/* ---- free text ---- */

/* Collapse whitespace; drop it entirely between two Han characters (OCR
 * turns wide gaps in Han text into runs of spaces). */
static char *text_spaces(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < u.n; i++) {
        if (!nz_is_space(u.c[i])) {
            u.c[w++] = u.c[i];
            continue;
        }
        size_t j = i;
        while (j < u.n && nz_is_space(u.c[j]))
            j++;
        int han_gap = w && j < u.n && dg_is_han(u.c[w - 1]) && dg_is_han(u.c[j]);
        if (w && j < u.n && !han_gap)
            u.c[w++] = ' ';
        i = j - 1;
    }
    char *r = nz_encode(u.c, w);
    free(u.c);
    return r;
}

int norm_text(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = nz_check_input(raw, "text", err);
    if (rc)
        return rc;
    if (nz_result_start(r, raw))
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing text '%s'", raw);
    char *cur = dg_strdup(raw);
    rc = cur ? nz_apply(r, &cur, "nfkc", nz_nfkc(ctx, cur)) : DG_ENOMEM;
    rc = rc ? rc : nz_apply(r, &cur, "whitespace", text_spaces(cur));
    if (!rc)
        r->value = cur;
    else
        free(cur);
    if (rc)
        return dg_err_set(err, rc, "out of memory normalizing text '%s'", raw);
    return DG_OK;
}
