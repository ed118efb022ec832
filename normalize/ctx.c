/*
 * ctx.c - the per-thread normalization context.  ICU transliterators are
 * expensive to open (and not thread-safe to share), so each norm_ctx opens
 * them once along with the config tables, and every normalizer borrows
 * them.  Also the ICU-backed string helpers (NFKC, transliteration,
 * simplification with a keep-list, Chinese numeral parsing).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* ---- ICU helpers ---- */

static UChar *to_u16(const char *s, int32_t *len, int32_t *cap)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = 0;
    u_strFromUTF8(NULL, 0, &n, s, -1, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        return NULL;
    /* Room to grow: transliteration and NFKC can lengthen the text. */
    *cap = n * 4 + 16;
    UChar *u = malloc(sizeof(UChar) * (size_t)*cap);
    if (!u)
        return NULL;
    e = U_ZERO_ERROR;
    u_strFromUTF8(u, *cap, len, s, -1, &e);
    if (U_FAILURE(e)) {
        free(u);
        return NULL;
    }
    return u;
}

static char *from_u16(const UChar *u, int32_t len)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = 0;
    u_strToUTF8(NULL, 0, &n, u, len, &e);
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    e = U_ZERO_ERROR;
    u_strToUTF8(s, n + 1, NULL, u, len, &e);
    if (U_FAILURE(e)) {
        free(s);
        return NULL;
    }
    return s;
}

char *nz_nfkc(norm_ctx *ctx, const char *s)
{
    int32_t len, cap;
    UChar *u = to_u16(s, &len, &cap);
    if (!u)
        return NULL;
    UErrorCode e = U_ZERO_ERROR;
    int32_t need = unorm2_normalize(ctx->nfkc, u, len, NULL, 0, &e);
    UChar *o = malloc(sizeof(UChar) * ((size_t)need + 1));
    char *res = NULL;
    if (o) {
        e = U_ZERO_ERROR;
        int32_t n = unorm2_normalize(ctx->nfkc, u, len, o, need + 1, &e);
        if (U_SUCCESS(e))
            res = from_u16(o, n);
    }
    free(o);
    free(u);
    return res;
}

char *nz_translit(UTransliterator *t, const char *s)
{
    int32_t len, cap;
    UChar *u = to_u16(s, &len, &cap);
    if (!u)
        return NULL;
    for (;;) {
        UErrorCode e = U_ZERO_ERROR;
        int32_t n = len, lim = len;
        UChar *w = malloc(sizeof(UChar) * (size_t)cap);
        if (!w)
            break;
        memcpy(w, u, sizeof(UChar) * (size_t)len);
        utrans_transUChars(t, w, &n, cap, 0, &lim, &e);
        if (U_SUCCESS(e)) {
            char *res = from_u16(w, n);
            free(w);
            free(u);
            return res;
        }
        free(w);
        if (e != U_BUFFER_OVERFLOW_ERROR || cap > 1 << 20)
            break;
        cap *= 4;
    }
    free(u);
    return NULL;
}

static const nz_cpmap *cpmap_find(const nz_cpmap *m, size_t n, UChar32 c)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m[mid].from == c)
            return &m[mid];
        if (m[mid].from < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

UChar32 nz_confusable_key(const norm_ctx *ctx, UChar32 c)
{
    const nz_cpmap *m = cpmap_find(ctx->confusables, ctx->nconfusables, c);
    return m ? m->to : c;
}

/* Transliterate cps[from, to) and append to out. */
static int simplify_segment(norm_ctx *ctx, const UChar32 *c, size_t n, dg_buf *out)
{
    if (!n)
        return DG_OK;
    char *seg = nz_encode(c, n);
    char *t = seg ? nz_translit(ctx->hant_hans, seg) : NULL;
    int rc = t ? dg_buf_adds(out, t) : DG_ENOMEM;
    free(seg);
    free(t);
    return rc;
}

char *nz_simplify(norm_ctx *ctx, const char *s)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return NULL;
    dg_buf out;
    dg_buf_init(&out, 0);
    size_t start = 0;
    int rc = DG_OK;
    for (size_t i = 0; i < u.n && !rc; i++) {
        const nz_cpmap *m = cpmap_find(ctx->variants, ctx->nvariants, u.c[i]);
        if (!m)
            continue;
        /* Variant characters bypass Hant-Hans: keep-list entries must not
         * be touched by it, the others it does not know anyway. */
        rc = simplify_segment(ctx, u.c + start, i - start, &out);
        char *one = rc ? NULL : nz_encode(&m->to, 1);
        rc = rc ? rc : (one ? dg_buf_adds(&out, one) : DG_ENOMEM);
        free(one);
        start = i + 1;
    }
    if (!rc)
        rc = simplify_segment(ctx, u.c + start, u.n - start, &out);
    free(u.c);
    if (rc) {
        dg_buf_release(&out);
        return NULL;
    }
    return dg_buf_detach(&out);
}

/* ---- Chinese numerals ---- */

static int zh_digit(UChar32 c)
{
    static const UChar32 d[] = {0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
                                0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D};
    for (int i = 0; i < 10; i++)
        if (c == d[i])
            return i;
    if (c == 0x96F6 || c == 0x25CB || c == 'O' || c == 'o' || c == 0x25EF) /* 零 ○ O ◯ */
        return 0;
    if (c == 0x4E24) /* 两 */
        return 2;
    return -1;
}

/* Fallback for what the ICU spell-out parser refuses (卅一, 廿, 两). */
static long zh_table_number(const UChar32 *c, size_t n)
{
    long total = 0, cur = -1;
    for (size_t i = 0; i < n; i++) {
        int d = zh_digit(c[i]);
        if (d >= 0) {
            if (cur >= 0)
                return -1;
            cur = d;
        } else if (c[i] == 0x5341) { /* 十 */
            total += (cur < 0 ? 1 : cur) * 10;
            cur = -1;
        } else if (c[i] == 0x5EFF) { /* 廿 */
            if (cur >= 0)
                return -1;
            total += 20;
        } else if (c[i] == 0x5345) { /* 卅 */
            if (cur >= 0)
                return -1;
            total += 30;
        } else {
            return -1;
        }
    }
    return total + (cur > 0 ? cur : 0);
}

long nz_parse_zh_number(norm_ctx *ctx, const UChar32 *c, size_t n)
{
    if (!n || n > 12)
        return -1;
    /* ICU knows 〇 but not the look-alike zeros OCR and typists produce. */
    UChar buf[32];
    int32_t len = 0;
    for (size_t i = 0; i < n; i++) {
        UChar32 ch = zh_digit(c[i]) == 0 ? 0x3007 : c[i];
        if (ch > 0xFFFF)
            return -1;
        buf[len++] = (UChar)ch;
    }
    UErrorCode e = U_ZERO_ERROR;
    int32_t pos = 0;
    double v = unum_parseDouble(ctx->spellout, buf, len, &pos, &e);
    if (U_SUCCESS(e) && pos == len && v >= 0 && v < 1e7 && v == (double)(long)v)
        return (long)v;
    return zh_table_number(c, n);
}

/* ---- config tables ---- */

static int cp_of(const char *s, UChar32 *out)
{
    nz_u32 u;
    if (nz_decode(s, &u))
        return DG_ENOMEM;
    int ok = u.n == 1;
    *out = ok ? u.c[0] : 0;
    free(u.c);
    return ok ? DG_OK : DG_EINPUT;
}

typedef struct cpmap_vec {
    nz_cpmap *m;
    size_t n, alloc;
} cpmap_vec;

static int cpmap_push(cpmap_vec *v, UChar32 from, UChar32 to)
{
    if (v->n == v->alloc) {
        size_t n = v->alloc ? v->alloc * 2 : 64;
        nz_cpmap *p = realloc(v->m, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        v->m = p;
        v->alloc = n;
    }
    v->m[v->n].from = from;
    v->m[v->n].to = to;
    v->n++;
    return DG_OK;
}

static int variants_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    UChar32 a, b;
    if (nf < 2 || cp_of(f[0], &a) || cp_of(f[1], &b))
        return dg_err_set(err, DG_EINPUT, "bad variant line in '%s' line %d", path, line);
    return cpmap_push(arg, a, b);
}

static int confusables_line(void *arg, char **f, size_t nf, const char *path, int line,
                            dg_err *err)
{
    UChar32 key, c;
    if (nf < 2 || cp_of(f[0], &key))
        return dg_err_set(err, DG_EINPUT, "bad confusable class in '%s' line %d", path, line);
    for (size_t i = 0; i < nf; i++) {
        if (cp_of(f[i], &c))
            return dg_err_set(err, DG_EINPUT, "bad confusable class in '%s' line %d", path,
                              line);
        if (cpmap_push(arg, c, key))
            return DG_ENOMEM;
    }
    return DG_OK;
}

static int cpmap_cmp(const void *a, const void *b)
{
    UChar32 x = ((const nz_cpmap *)a)->from, y = ((const nz_cpmap *)b)->from;
    return (x > y) - (x < y);
}

int nz_strv_push(nz_strv *v, const char *str)
{
    if (v->n == v->alloc) {
        size_t n = v->alloc ? v->alloc * 2 : 64;
        char **p = realloc(v->s, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        v->s = p;
        v->alloc = n;
    }
    v->s[v->n] = dg_strdup(str);
    return v->s[v->n++] ? DG_OK : DG_ENOMEM;
}

static int ethnic_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    return nz_strv_push(arg, f[0]);
}

typedef struct pair_vec {
    nz_pair *p;
    size_t n, alloc;
} pair_vec;

static int political_line(void *arg, char **f, size_t nf, const char *path, int line,
                          dg_err *err)
{
    pair_vec *v = arg;
    if (nf < 2)
        return dg_err_set(err, DG_EINPUT, "bad political line in '%s' line %d", path, line);
    if (v->n == v->alloc) {
        size_t n = v->alloc ? v->alloc * 2 : 32;
        nz_pair *p = realloc(v->p, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        v->p = p;
        v->alloc = n;
    }
    v->p[v->n].key = dg_strdup(f[0]);
    v->p[v->n].value = dg_strdup(f[1]);
    v->n++;
    return v->p[v->n - 1].key && v->p[v->n - 1].value ? DG_OK : DG_ENOMEM;
}

static int load_table(const char *dir, const char *name, nz_tsv_cb cb, void *arg, dg_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/normalize/%s", dir, name);
    return nz_tsv_read(path, cb, arg, err);
}

static int ctx_load_tables(norm_ctx *c, const char *dir, dg_err *err)
{
    cpmap_vec var = {0}, conf = {0};
    nz_strv eth = {0};
    pair_vec pol = {0};
    int rc = load_table(dir, "variants.tsv", variants_line, &var, err);
    rc = rc ? rc : load_table(dir, "confusables.tsv", confusables_line, &conf, err);
    c->variants = var.m;
    c->nvariants = var.n;
    c->confusables = conf.m;
    c->nconfusables = conf.n;
    rc = rc ? rc : load_table(dir, "ethnic_groups.tsv", ethnic_line, &eth, err);
    c->ethnic = eth.s;
    c->nethnic = eth.n;
    rc = rc ? rc : load_table(dir, "political.tsv", political_line, &pol, err);
    c->political = pol.p;
    c->npolitical = pol.n;
    if (c->variants)
        qsort(c->variants, c->nvariants, sizeof *c->variants, cpmap_cmp);
    if (c->confusables)
        qsort(c->confusables, c->nconfusables, sizeof *c->confusables, cpmap_cmp);
    return rc ? rc : nz_readings_load(c, dir, err);
}

static UTransliterator *open_translit(const char *id, dg_err *err)
{
    UChar uid[128];
    u_uastrncpy(uid, id, 127);
    uid[127] = 0;
    UErrorCode e = U_ZERO_ERROR;
    UTransliterator *t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    if (U_FAILURE(e)) {
        dg_err_set(err, DG_ERR, "cannot open icu transliterator '%s': %s", id, u_errorName(e));
        return NULL;
    }
    return t;
}

static int ctx_open_icu(norm_ctx *c, dg_err *err)
{
    UErrorCode e = U_ZERO_ERROR;
    c->nfkc = unorm2_getNFKCInstance(&e);
    if (U_FAILURE(e))
        return dg_err_set(err, DG_ERR, "cannot get icu nfkc normalizer: %s", u_errorName(e));
    c->hant_hans = open_translit("Hant-Hans", err);
    if (!c->hant_hans)
        return DG_ERR;
    c->han_latin = open_translit("Han-Latin/Names; Latin-ASCII", err);
    if (!c->han_latin)
        return DG_ERR;
    e = U_ZERO_ERROR;
    c->spellout = unum_open(UNUM_SPELLOUT, NULL, 0, "zh", NULL, &e);
    if (U_FAILURE(e))
        return dg_err_set(err, DG_ERR, "cannot open icu spell-out parser 'zh': %s",
                          u_errorName(e));
    return DG_OK;
}

int norm_ctx_new(const char *config_dir, norm_ctx **out, dg_err *err)
{
    *out = NULL;
    norm_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return dg_err_set(err, DG_ENOMEM, "out of memory opening normalize context");
    const char *dir = config_dir ? config_dir : DANGAN_SOURCE_CONFIG_DIR;
    int rc = ctx_open_icu(c, err);
    rc = rc ? rc : ctx_load_tables(c, dir, err);
    if (rc) {
        norm_ctx_free(&c);
        return rc;
    }
    *out = c;
    return DG_OK;
}

void norm_ctx_free(norm_ctx **pc)
{
    if (!pc || !*pc)
        return;
    norm_ctx *c = *pc;
    if (c->hant_hans)
        utrans_close(c->hant_hans);
    if (c->han_latin)
        utrans_close(c->han_latin);
    if (c->spellout)
        unum_close(c->spellout);
    free(c->variants);
    free(c->confusables);
    for (size_t i = 0; i < c->nethnic; i++)
        free(c->ethnic[i]);
    free(c->ethnic);
    for (size_t i = 0; i < c->npolitical; i++) {
        free(c->political[i].key);
        free(c->political[i].value);
    }
    free(c->political);
    nz_readings_free(c);
    free(c);
    *pc = NULL;
}
