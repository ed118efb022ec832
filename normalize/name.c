/*
 * name.c - personal names: the normalized simplified form with provenance,
 * and the search keys (simplified, toneless pinyin spaced and unspaced, OCR
 * look-alike) that let a user find a person however the name was typed or
 * misread.  Pinyin uses ICU Han-Latin/Names, which reads surnames such as
 * 单 (shan) and 曾 (zeng) correctly where plain Han-Latin does not.
 */
#include "normalize.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

/* Titles printed after a supervisor's name, longest first so 副教授 wins over 教授. */
static const char *const name_titles[] = {
    "副主任医师", "主任医师", "高级工程师", "副研究员", "副教授", "研究员", "博士生导师",
    "工程师",     "教授",     "讲师",       "助教",     "院士",   "博导",   "导师",
    "高工",       "博士",     "硕士",       NULL,
};

static size_t title_len_at(const UChar32 *c, size_t n, size_t at, int must_end)
{
    for (const char *const *t = name_titles; *t; t++) {
        nz_u32 tu;
        if (nz_decode(*t, &tu))
            return 0;
        int hit = at + tu.n <= n && memcmp(c + at, tu.c, tu.n * sizeof(UChar32)) == 0 &&
                  (!must_end || at + tu.n == n);
        size_t len = tu.n;
        free(tu.c);
        if (hit)
            return len;
    }
    return 0;
}

static int is_open(UChar32 c)
{
    return c == '(' || c == '[' || c == 0x3010 || c == 0x3014 || c == '{';
}

static int is_close(UChar32 c)
{
    return c == ')' || c == ']' || c == 0x3011 || c == 0x3015 || c == '}';
}

/* Drop "(教授)" groups and a trailing title; other bracketed notes go too
 * (they are never part of a name), the step records what was removed. */
static char *strip_titles(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < u.n; i++) {
        if (is_open(u.c[i])) {
            size_t j = i + 1;
            while (j < u.n && !is_close(u.c[j]))
                j++;
            i = j;
            continue;
        }
        u.c[w++] = u.c[i];
    }
    u.n = w;
    while (u.n && (nz_is_space(u.c[u.n - 1]) || u_ispunct(u.c[u.n - 1])))
        u.n--;
    for (size_t at = 2; at < u.n; at++) {
        size_t tl = title_len_at(u.c, u.n, at, 1);
        if (tl) {
            u.n = at;
            break;
        }
    }
    char *r = nz_encode(u.c, u.n);
    free(u.c);
    return r;
}

static int is_name_dot(UChar32 c)
{
    return c == 0xB7 || c == 0x30FB || c == 0x2022 || c == 0x2027 || c == 0xFF65 || c == 0x2219;
}

/* Spaces and stray punctuation inside a name are OCR or typing noise; the
 * middle dot of transcribed minority names (阿依古丽·买买提) is kept. */
static char *strip_noise(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < u.n; i++) {
        UChar32 c = u.c[i];
        if (is_name_dot(c)) {
            if (w && u.c[w - 1] != 0xB7)
                u.c[w++] = 0xB7;
            continue;
        }
        if (nz_is_space(c) || u_ispunct(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            continue;
        u.c[w++] = c;
    }
    while (w && u.c[w - 1] == 0xB7)
        w--;
    char *r = nz_encode(u.c, w);
    free(u.c);
    return r;
}

static int name_plausibility(norm_result *r, const char *v)
{
    nz_u32 u;
    if (nz_decode(v, &u))
        return DG_ENOMEM;
    size_t han = 0, other = 0, dots = 0;
    for (size_t i = 0; i < u.n; i++) {
        if (dg_is_han(u.c[i]))
            han++;
        else if (u.c[i] == 0xB7)
            dots++;
        else
            other++;
    }
    free(u.c);
    int rc = DG_OK;
    if (!u.n)
        rc = nz_flag(r, "empty name");
    else if (other && han)
        rc = nz_flag(r, "name mixes han and other characters: '%s'", v);
    else if (han == 1)
        rc = nz_flag(r, "name has a single character: '%s'", v);
    else if (han > 6 && !dots)
        rc = nz_flag(r, "implausibly long name: '%s'", v);
    return rc;
}

int norm_name(norm_ctx *ctx, const char *raw, norm_result *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = nz_check_input(raw, "name", err);
    if (rc)
        return rc;
    if (nz_result_start(r, raw))
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing name '%s'", raw);
    char *cur = dg_strdup(raw);
    rc = cur ? DG_OK : DG_ENOMEM;
    rc = rc ? rc : nz_apply(r, &cur, "nfkc", nz_nfkc(ctx, cur));
    rc = rc ? rc : nz_apply(r, &cur, "strip-title", strip_titles(cur));
    rc = rc ? rc : nz_apply(r, &cur, "strip-punct", strip_noise(cur));
    if (!rc) {
        r->detail = dg_strdup(cur);
        rc = r->detail ? DG_OK : DG_ENOMEM;
    }
    rc = rc ? rc : nz_apply(r, &cur, "hant-hans", nz_simplify(ctx, cur));
    rc = rc ? rc : name_plausibility(r, cur);
    if (rc) {
        free(cur);
        return dg_err_set(err, rc, "out of memory normalizing name '%s'", raw);
    }
    if (cur[0])
        r->value = cur;
    else
        free(cur);
    return DG_OK;
}

void norm_keys_release(norm_keys *k)
{
    if (!k)
        return;
    free(k->simplified);
    free(k->pinyin_spaced);
    free(k->pinyin);
    free(k->lookalike);
    for (size_t i = 0; i < k->nalt; i++)
        free(k->alt[i]);
    free(k->alt);
    memset(k, 0, sizeof *k);
}

/* Keep lowercase ASCII letters, one space between syllables. */
static char *pinyin_clean(const char *s, int keep_spaces)
{
    size_t n = strlen(s), w = 0;
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c >= 'a' && c <= 'z')
            o[w++] = c;
        else if (keep_spaces && w && o[w - 1] != ' ' && c != '\'')
            o[w++] = ' ';
    }
    while (w && o[w - 1] == ' ')
        w--;
    o[w] = '\0';
    return o;
}

static char *lookalike_key(norm_ctx *ctx, const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    for (size_t i = 0; i < u.n; i++)
        u.c[i] = nz_confusable_key(ctx, u.c[i]);
    char *r = nz_encode(u.c, u.n);
    free(u.c);
    return r;
}

static int keys_from_simplified(norm_ctx *ctx, const char *simp, norm_keys *k)
{
    k->simplified = dg_strdup(simp);
    char *lat = nz_translit(ctx->han_latin, simp);
    k->pinyin_spaced = lat ? pinyin_clean(lat, 1) : NULL;
    k->pinyin = lat ? pinyin_clean(lat, 0) : NULL;
    k->lookalike = lookalike_key(ctx, simp);
    free(lat);
    if (!k->simplified || !k->pinyin_spaced || !k->pinyin || !k->lookalike ||
        nz_name_alt_keys(ctx, simp, k)) {
        norm_keys_release(k);
        return DG_ENOMEM;
    }
    return DG_OK;
}

int norm_name_keys(norm_ctx *ctx, const char *raw, norm_keys *k, dg_err *err)
{
    memset(k, 0, sizeof *k);
    norm_result r;
    int rc = norm_name(ctx, raw, &r, err);
    if (!rc && keys_from_simplified(ctx, r.value ? r.value : "", k))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory computing keys of name '%s'", raw);
    norm_result_release(&r);
    return rc;
}

static int has_han(const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return 0;
    int han = 0;
    for (size_t i = 0; i < u.n && !han; i++)
        han = dg_is_han(u.c[i]);
    free(u.c);
    return han;
}

int norm_query_keys(norm_ctx *ctx, const char *query, norm_keys *k, dg_err *err)
{
    memset(k, 0, sizeof *k);
    int rc = nz_check_input(query, "query", err);
    if (rc)
        return rc;
    if (has_han(query))
        return norm_name_keys(ctx, query, k, err);
    /* Latin-ASCII folds tone marks and ü; digits (tone numbers) are dropped. */
    char *n = nz_nfkc(ctx, query);
    char *a = n ? nz_translit(ctx->han_latin, n) : NULL;
    k->pinyin_spaced = a ? pinyin_clean(a, 1) : NULL;
    k->pinyin = a ? pinyin_clean(a, 0) : NULL;
    free(n);
    free(a);
    if (!k->pinyin_spaced || !k->pinyin) {
        norm_keys_release(k);
        return dg_err_set(err, DG_ENOMEM, "out of memory computing keys of query '%s'", query);
    }
    return DG_OK;
}

static int same(const char *a, const char *b)
{
    return a && b && a[0] && strcmp(a, b) == 0;
}

int norm_keys_match(const norm_keys *q, const norm_keys *s)
{
    if (same(q->simplified, s->simplified))
        return 3;
    if (same(q->pinyin, s->pinyin))
        return 2;
    /* another reading of a polyphonic character on either side */
    for (size_t i = 0; i < s->nalt; i++)
        if (same(q->pinyin, s->alt[i]))
            return 2;
    for (size_t i = 0; i < q->nalt; i++)
        if (same(q->alt[i], s->pinyin))
            return 2;
    if (same(q->lookalike, s->lookalike))
        return 1;
    return 0;
}
