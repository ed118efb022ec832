/*
 * prior.c - how plausible a string is as a full Chinese personal name, for
 * the trust model: a surname frequency and a class per given character,
 * summed as log ratios against a uniform choice.  The bundled data is the
 * Apache-2.0 surname table; the better ChineseNames tables are licensed
 * GPL-3 / CC BY-NC-SA, so a site installs them itself and we read them
 * when present.  Given characters without a site table are classed by
 * their GB2312 level through ICU's converters: no extra data to ship.
 */
#include "normalize.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

/* Class scores without a site table: a common character is what names are
 * made of; each rarer class is a few times less likely in a name than in
 * the OCR'd text a misread comes from; letters and digits are no name. */
static const double class_logp[] = {
    [NORM_PRIOR_COMMON] = 0.0,     [NORM_PRIOR_LESS_COMMON] = -1.5,
    [NORM_PRIOR_RARE] = -2.5,      [NORM_PRIOR_HAN_OTHER] = -5.0,
    [NORM_PRIOR_SEPARATOR] = -1.0, [NORM_PRIOR_NOT_HAN] = -8.0,
};

#define CLS_FIRST 0x3400 /* CJK extension A .. end of the unified block */
#define CLS_LAST 0x9FFF

typedef struct entry {
    char *key;
    double count;
} entry;

typedef struct table {
    entry *e;
    size_t n, alloc;
    double total, min;
} table;

struct norm_prior {
    norm_ctx *ctx;
    table sur;
    table given; /* site only; n == 0 without one */
    int sur_site;
    char *site;
    unsigned char cls[CLS_LAST - CLS_FIRST + 1];
};

const char *norm_prior_class_name(norm_prior_class c)
{
    static const char *const names[] = {"common", "less_common", "rare",
                                        "han_other", "separator", "not_han"};
    return (unsigned)c < sizeof names / sizeof *names ? names[c] : "?";
}

/* ---- tables ---- */

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* key<TAB>count[...]: a line whose count is no number is the header. */
static int table_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    table *t = arg;
    char *end = NULL;
    double v = nf >= 2 ? strtod(f[1], &end) : 0;
    if (nf < 2 || !end || end == f[1] || *end || !f[0][0] || v <= 0 || isnan(v))
        return line == 1 ? DG_OK
                         : dg_err_set(err, DG_EINPUT, "bad row in '%s' line %d: want key<TAB>count",
                                      path, line);
    if (t->n == t->alloc) {
        size_t n = t->alloc ? t->alloc * 2 : 1024;
        entry *p = realloc(t->e, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        t->e = p;
        t->alloc = n;
    }
    if (!(t->e[t->n].key = dg_strdup(f[0])))
        return DG_ENOMEM;
    t->e[t->n++].count = v;
    t->total += v;
    t->min = t->min == 0 || v < t->min ? v : t->min;
    return DG_OK;
}

static int table_load(const char *path, table *t, dg_err *err)
{
    int rc = nz_tsv_read(path, table_line, t, err);
    if (!rc && !t->n)
        rc = dg_err_set(err, DG_EINPUT, "no rows in '%s'", path);
    if (!rc)
        qsort(t->e, t->n, sizeof *t->e, entry_cmp);
    return rc == DG_ENOMEM ? dg_err_set(err, rc, "out of memory loading '%s'", path) : rc;
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->e[i].key);
    free(t->e);
    memset(t, 0, sizeof *t);
}

static const entry *table_find(const table *t, const char *key)
{
    entry k = {.key = (char *)key};
    return t->n ? bsearch(&k, t->e, t->n, sizeof *t->e, entry_cmp) : NULL;
}

/* ln(count / (total / n)): above 0 for more than an even share of the table. */
static double table_logp(const table *t, double count)
{
    return log(count * (double)t->n / t->total);
}

/* ---- character classes ---- */

/* GB2312 is EUC-CN: lead byte 0xB0-0xD7 is level 1, 0xD8-0xF7 level 2. */
static int classify_all(norm_prior *p, dg_err *err)
{
    UErrorCode ue = U_ZERO_ERROR;
    UConverter *gb = ucnv_open("GB2312", &ue), *gbk = NULL;
    if (U_SUCCESS(ue))
        gbk = ucnv_open("GBK", &ue);
    for (UConverter *c = gb; U_SUCCESS(ue) && c; c = c == gb ? gbk : NULL)
        ucnv_setFromUCallBack(c, UCNV_FROM_U_CALLBACK_STOP, NULL, NULL, NULL, &ue);
    if (U_FAILURE(ue)) {
        ucnv_close(gb);
        ucnv_close(gbk);
        return dg_err_set(err, DG_ERR, "ICU GB2312/GBK converters unavailable: %s",
                          u_errorName(ue));
    }
    for (UChar32 cp = CLS_FIRST; cp <= CLS_LAST; cp++) {
        UChar u = (UChar)cp;
        char out[8];
        unsigned char cls = NORM_PRIOR_HAN_OTHER;
        if (!u_hasBinaryProperty(cp, UCHAR_IDEOGRAPHIC)) {
            cls = NORM_PRIOR_NOT_HAN;
        } else {
            ue = U_ZERO_ERROR;
            int32_t n = ucnv_fromUChars(gb, out, sizeof out, &u, 1, &ue);
            unsigned char lead = (unsigned char)out[0];
            if (U_SUCCESS(ue) && n == 2)
                cls = lead >= 0xB0 && lead <= 0xD7 ? NORM_PRIOR_COMMON : NORM_PRIOR_LESS_COMMON;
            else {
                ue = U_ZERO_ERROR;
                n = ucnv_fromUChars(gbk, out, sizeof out, &u, 1, &ue);
                if (U_SUCCESS(ue) && n == 2)
                    cls = NORM_PRIOR_RARE;
            }
        }
        p->cls[cp - CLS_FIRST] = cls;
    }
    ucnv_close(gb);
    ucnv_close(gbk);
    return DG_OK;
}

static norm_prior_class char_class(const norm_prior *p, UChar32 c)
{
    if (c >= CLS_FIRST && c <= CLS_LAST)
        return (norm_prior_class)p->cls[c - CLS_FIRST];
    if (c == 0x00B7 || c == 0x30FB || c == 0x2022 || c == 0x2027)
        return NORM_PRIOR_SEPARATOR;
    return u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ? NORM_PRIOR_HAN_OTHER : NORM_PRIOR_NOT_HAN;
}

/* ---- loading ---- */

/* `site_stats = DIR` of names.conf; "" when absent or empty. */
static int conf_site(const char *config_dir, char *out, size_t len)
{
    char path[4096], line[4096];
    out[0] = '\0';
    snprintf(path, sizeof path, "%s/names/names.conf", config_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return DG_OK;
    while (fgets(line, sizeof line, f)) {
        char *s = line + strspn(line, " \t");
        if (strncmp(s, "site_stats", 10) != 0)
            continue;
        s += 10 + strspn(s + 10, " \t");
        if (*s != '=')
            continue;
        s += 1 + strspn(s + 1, " \t");
        size_t n = strcspn(s, "\r\n");
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        snprintf(out, len, "%.*s", (int)n, s);
    }
    fclose(f);
    return DG_OK;
}

static int file_exists(const char *dir, const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

/* The site's tables replace the bundled surnames and add given characters. */
static int load_site(norm_prior *p, const char *site, dg_err *err)
{
    char path[4096];
    int rc = DG_OK, any = 0;
    if (file_exists(site, "surnames.tsv", path, sizeof path)) {
        table t = {0};
        rc = table_load(path, &t, err);
        if (!rc) {
            table_free(&p->sur);
            p->sur = t;
            p->sur_site = any = 1;
        } else
            table_free(&t);
    }
    if (!rc && file_exists(site, "given_chars.tsv", path, sizeof path)) {
        rc = table_load(path, &p->given, err);
        any = !rc;
    }
    if (!rc && any && !(p->site = dg_strdup(site)))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory loading '%s'", site);
    return rc;
}

int norm_prior_new(const char *config_dir, const char *site_dir, norm_prior **out,
                   dg_err *err)
{
    *out = NULL;
    norm_prior *p = calloc(1, sizeof *p);
    if (!p)
        return dg_err_set(err, DG_ENOMEM, "out of memory loading the name prior");
    char path[4096], conf[4096];
    snprintf(path, sizeof path, "%s/names/surnames_wainshine.tsv", config_dir);
    int rc = norm_ctx_new(config_dir, &p->ctx, err);
    rc = rc ? rc : table_load(path, &p->sur, err);
    rc = rc ? rc : classify_all(p, err);
    const char *site = site_dir;
    if (!rc && !site) {
        site = getenv("DANGAN_NAME_STATS");
        if (!site || !site[0]) {
            conf_site(config_dir, conf, sizeof conf);
            site = conf[0] ? conf : NULL;
        }
    }
    if (!rc && site)
        rc = load_site(p, site, err);
    if (rc) {
        norm_prior_free(&p);
        return rc;
    }
    *out = p;
    return DG_OK;
}

void norm_prior_free(norm_prior **pp)
{
    if (!pp || !*pp)
        return;
    norm_prior *p = *pp;
    norm_ctx_free(&p->ctx);
    table_free(&p->sur);
    table_free(&p->given);
    free(p->site);
    free(p);
    *pp = NULL;
}

const char *norm_prior_site(const norm_prior *p)
{
    return p->site;
}

/* ---- scoring ---- */

/* NFKC, traditional -> simplified, spaces dropped (forms space out
 * two-character names: 张  三); all else stays and is scored. */
static int fold(const norm_prior *p, const char *name, nz_u32 *u)
{
    char *n = nz_nfkc(p->ctx, name);
    char *s = n ? nz_simplify(p->ctx, n) : NULL;
    free(n);
    if (!s || nz_decode(s, u)) {
        free(s);
        return DG_ENOMEM;
    }
    free(s);
    size_t w = 0;
    for (size_t i = 0; i < u->n; i++)
        if (!nz_is_space(u->c[i]))
            u->c[w++] = u->c[i];
    u->n = w;
    return DG_OK;
}

static void utf8_of(const UChar32 *c, size_t n, char *out, size_t len)
{
    char *s = nz_encode(c, n);
    snprintf(out, len, "%s", s ? s : "");
    free(s);
}

/* Compound surname when the first two characters are one in the table. */
static double score_surname(const norm_prior *p, const nz_u32 *u, norm_prior_detail *d)
{
    char two[16], one[16];
    utf8_of(u->c, u->n >= 2 ? 2 : u->n, two, sizeof two);
    utf8_of(u->c, 1, one, sizeof one);
    const entry *e = u->n >= 3 ? table_find(&p->sur, two) : NULL;
    d->compound = e != NULL;
    if (!e)
        e = table_find(&p->sur, one);
    snprintf(d->surname, sizeof d->surname, "%s", d->compound ? two : one);
    d->surname_table = p->sur_site ? "site" : "wainshine";
    d->surname_found = e != NULL;
    d->surname_count = e ? e->count : 0;
    if (e)
        return table_logp(&p->sur, e->count);
    if (char_class(p, u->c[0]) >= NORM_PRIOR_SEPARATOR)
        return class_logp[NORM_PRIOR_NOT_HAN];
    /* Unlisted: rarer than the rarest listed surname, not impossible. */
    return table_logp(&p->sur, p->sur.min / 2);
}

static double score_given(const norm_prior *p, UChar32 c, size_t pos, size_t last, char *ch,
                          size_t chlen, norm_prior_class *cls, double *count)
{
    utf8_of(&c, 1, ch, chlen);
    *cls = char_class(p, c);
    *count = p->given.n ? 0 : -1;
    /* A dot joins the parts of a transcribed name; at either end it is noise. */
    if (*cls == NORM_PRIOR_SEPARATOR && (pos == 0 || pos == last))
        *cls = NORM_PRIOR_NOT_HAN;
    const entry *e = *cls < NORM_PRIOR_SEPARATOR ? table_find(&p->given, ch) : NULL;
    if (e) {
        *count = e->count;
        return table_logp(&p->given, e->count);
    }
    /* Missing from a site table of the name characters in use: one step rarer. */
    return class_logp[*cls] - (p->given.n && *cls < NORM_PRIOR_SEPARATOR ? 1.0 : 0.0);
}

/* Given names have one or two characters (three is unusual); transcribed
 * names with a dot are longer by nature. */
static double score_length(size_t ngiven, int dotted)
{
    if (ngiven == 0)
        return -6.0;
    if (ngiven <= 2 || dotted)
        return 0.0;
    return ngiven == 3 ? -1.0 : -2.0 * (double)(ngiven - 2);
}

double norm_prior_name_logp(const norm_prior *p, const char *name_utf8, norm_prior_detail *d)
{
    norm_prior_detail local;
    d = d ? d : &local;
    memset(d, 0, sizeof *d);
    d->surname_table = p->sur_site ? "site" : "wainshine";
    nz_u32 u = {0};
    if (!name_utf8 || nz_check_input(name_utf8, "name", NULL) || fold(p, name_utf8, &u))
        return NORM_PRIOR_NONE;
    if (!u.n) {
        free(u.c);
        return NORM_PRIOR_NONE;
    }
    utf8_of(u.c, u.n, d->folded, sizeof d->folded);
    double sum = d->surname_logp = score_surname(p, &u, d);
    size_t s = d->compound ? 2 : 1;
    int dotted = 0;
    d->ngiven = u.n - s;
    for (size_t i = s; i < u.n; i++) {
        char ch[8];
        norm_prior_class cls;
        double count, lp = score_given(p, u.c[i], i, u.n - 1, ch, sizeof ch, &cls, &count);
        dotted |= cls == NORM_PRIOR_SEPARATOR;
        sum += lp;
        size_t k = i - s;
        if (k < NORM_PRIOR_MAX_GIVEN) {
            memcpy(d->given[k].ch, ch, sizeof ch);
            d->given[k].cls = cls;
            d->given[k].count = count;
            d->given[k].logp = lp;
        }
    }
    d->length_logp = score_length(d->ngiven, dotted);
    free(u.c);
    return sum + d->length_logp;
}
