/*
 * readings.c - the readings of a name: one toneless syllable per character
 * with the surname read as a surname, every other reading of its polyphonic
 * characters (configs/normalize/polyphones.tsv: 长 chang/zhang, 乐 le/yue)
 * as further search keys, and the name in Hanyu Pinyin as Chinese documents
 * in English print it ("DUANMU Xiaofan").  ICU's Han-Latin/Names reads most
 * surnames right (单 shan, 曾 zeng, 区 ou) but keeps one reading per
 * character elsewhere, and some surnames it reads the common way (朴 pu for
 * Piao); the table corrects the first character and adds the others.
 */
#include "internal.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

/* At most this many keys per name beyond the first: a name of four
 * polyphonic characters must not make hundreds of rows. */
enum { NZ_MAX_ALT = 16, NZ_MAX_CHARS = 8, NZ_SYL = 16 };

struct nz_reading {
    UChar32 cp;
    char surname[NZ_SYL];  /* "" none */
    char list[64];         /* readings, space separated */
};

static int reading_cmp(const void *a, const void *b)
{
    UChar32 x = ((const nz_reading *)a)->cp, y = ((const nz_reading *)b)->cp;
    return (x > y) - (x < y);
}

typedef struct reading_vec {
    nz_reading *v;
    size_t n, alloc;
} reading_vec;

/* Lowercase ASCII letters only (a reading as the keys hold it). */
static int is_syllable(const char *s)
{
    if (!*s || strlen(s) >= NZ_SYL)
        return 0;
    for (; *s; s++)
        if (*s < 'a' || *s > 'z')
            return 0;
    return 1;
}

static int reading_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    reading_vec *v = arg;
    nz_u32 u = {0};
    if (nf < 3 || nz_decode(f[0], &u) || u.n != 1 ||
        !(strcmp(f[1], "-") == 0 || is_syllable(f[1])) || strlen(f[2]) >= sizeof v->v->list) {
        free(u.c);
        return dg_err_set(err, DG_EINPUT, "bad polyphone line in '%s' line %d: want "
                                          "character, surname reading or -, readings", path, line);
    }
    nz_reading r = {.cp = u.c[0]};
    free(u.c);
    snprintf(r.surname, sizeof r.surname, "%s", strcmp(f[1], "-") == 0 ? "" : f[1]);
    snprintf(r.list, sizeof r.list, "%s", f[2]);
    char tmp[64], *save = NULL;
    snprintf(tmp, sizeof tmp, "%s", f[2]);
    for (char *t = strtok_r(tmp, " ", &save); t; t = strtok_r(NULL, " ", &save))
        if (!is_syllable(t))
            return dg_err_set(err, DG_EINPUT, "bad reading '%s' in '%s' line %d", t, path, line);
    if (v->n == v->alloc) {
        size_t n = v->alloc ? 2 * v->alloc : 64;
        nz_reading *p = realloc(v->v, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        v->v = p;
        v->alloc = n;
    }
    v->v[v->n++] = r;
    return DG_OK;
}

/* names/surnames_wainshine.tsv: the two-character surnames (欧阳, 端木). */
static int compound_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    (void)nf, (void)path, (void)line, (void)err;
    nz_u32 u = {0};
    int two = nz_decode(f[0], &u) == 0 && u.n == 2 && dg_is_han(u.c[0]) && dg_is_han(u.c[1]);
    free(u.c);
    if (!two)
        return DG_OK;
    return nz_strv_push(arg, f[0]);
}

int nz_readings_load(norm_ctx *c, const char *dir, dg_err *err)
{
    char path[4096];
    reading_vec rv = {0};
    nz_strv cv = {0};
    dg_err e2 = {0};
    snprintf(path, sizeof path, "%s/normalize/polyphones.tsv", dir);
    /* both optional: without them names have one reading and no compound
     * surname is known to the romanization */
    int rc = nz_tsv_read(path, reading_line, &rv, &e2);
    if (rc == DG_ENOTFOUND)
        rc = DG_OK;
    else if (rc)
        dg_err_set(err, rc, "%s", e2.msg);
    c->readings = rv.v;
    c->nreadings = rv.n;
    if (c->readings)
        qsort(c->readings, c->nreadings, sizeof *c->readings, reading_cmp);
    snprintf(path, sizeof path, "%s/names/surnames_wainshine.tsv", dir);
    int rc2 = rc ? rc : nz_tsv_read(path, compound_line, &cv, &e2);
    if (rc2 && rc2 != DG_ENOTFOUND && !rc)
        rc = dg_err_set(err, rc2, "%s", e2.msg);
    c->compound = cv.s;
    c->ncompound = cv.n;
    return rc;
}

void nz_readings_free(norm_ctx *c)
{
    free(c->readings);
    for (size_t i = 0; i < c->ncompound; i++)
        free(c->compound[i]);
    free(c->compound);
}

static const nz_reading *reading_of(const norm_ctx *c, UChar32 cp)
{
    nz_reading key = {.cp = cp};
    return c->nreadings ? bsearch(&key, c->readings, c->nreadings, sizeof key, reading_cmp) : NULL;
}

/* 2 when simp starts with a two-character surname of the table, else 1. */
static int surname_len(const norm_ctx *c, const char *simp)
{
    for (size_t i = 0; i < c->ncompound; i++)
        if (strncmp(simp, c->compound[i], strlen(c->compound[i])) == 0)
            return 2;
    return 1;
}

/* Toneless lowercase letters of s (one syllable of Han-Latin/Names;
 * Latin-ASCII already folded the tones). */
static void syllable_clean(const char *s, char out[NZ_SYL])
{
    size_t w = 0;
    for (; *s && w + 1 < NZ_SYL; s++) {
        char ch = *s;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch >= 'a' && ch <= 'z')
            out[w++] = ch;
    }
    out[w] = '\0';
}

int nz_name_syllables(norm_ctx *c, const char *simp, char syl[][NZ_SYL], UChar32 *cps,
                      int max, int *nsurname)
{
    nz_u32 u;
    if (nz_decode(simp, &u))
        return -1;
    int n = (int)u.n;
    char *lat = n && n <= max ? nz_translit(c->han_latin, simp) : NULL;
    int k = 0;
    if (lat) {
        char *save = NULL;
        for (char *t = strtok_r(lat, " ", &save); t && k < n; t = strtok_r(NULL, " ", &save)) {
            syllable_clean(t, syl[k]);
            if (syl[k][0])
                k++;
        }
    }
    free(lat);
    if (k != n || !n) { /* not one syllable a character (Latin letters, a dot ...) */
        free(u.c);
        return 0;
    }
    for (int i = 0; i < n; i++)
        cps[i] = u.c[i];
    free(u.c);
    /* a two-character name is a surname and a given name, whatever they spell */
    *nsurname = n >= 3 ? surname_len(c, simp) : 1;
    const nz_reading *r = reading_of(c, cps[0]);
    if (*nsurname == 1 && r && r->surname[0])
        snprintf(syl[0], NZ_SYL, "%s", r->surname);
    return n;
}

/* Append s to the alternative keys of k unless it is there (or the main key). */
static int alt_add(norm_keys *k, const char *s)
{
    if (k->pinyin && strcmp(k->pinyin, s) == 0)
        return DG_OK;
    for (size_t i = 0; i < k->nalt; i++)
        if (strcmp(k->alt[i], s) == 0)
            return DG_OK;
    if (k->nalt >= NZ_MAX_ALT)
        return DG_OK;
    char **p = realloc(k->alt, (k->nalt + 1) * sizeof *p);
    if (!p)
        return DG_ENOMEM;
    k->alt = p;
    if (!(k->alt[k->nalt] = dg_strdup(s)))
        return DG_ENOMEM;
    k->nalt++;
    return DG_OK;
}

int nz_name_alt_keys(norm_ctx *c, const char *simp, norm_keys *k)
{
    char syl[NZ_MAX_CHARS][NZ_SYL];
    UChar32 cps[NZ_MAX_CHARS];
    int ns = 0, n = nz_name_syllables(c, simp, syl, cps, NZ_MAX_CHARS, &ns);
    if (n <= 0)
        return n < 0 ? DG_ENOMEM : DG_OK;
    /* the readings of each position: its own first, then the table's */
    char opts[NZ_MAX_CHARS][6][NZ_SYL];
    int nopt[NZ_MAX_CHARS];
    long combos = 1;
    for (int i = 0; i < n; i++) {
        snprintf(opts[i][0], NZ_SYL, "%s", syl[i]);
        nopt[i] = 1;
        const nz_reading *r = reading_of(c, cps[i]);
        if (r) {
            char tmp[64], *save = NULL;
            snprintf(tmp, sizeof tmp, "%s", r->list);
            for (char *t = strtok_r(tmp, " ", &save); t && nopt[i] < 6;
                 t = strtok_r(NULL, " ", &save)) {
                int dup = 0;
                for (int j = 0; j < nopt[i]; j++)
                    dup |= strcmp(opts[i][j], t) == 0;
                if (!dup)
                    snprintf(opts[i][nopt[i]++], NZ_SYL, "%s", t);
            }
        }
        combos *= nopt[i];
    }
    /* the main key: the first reading of each position, as the table read
     * the surname (it may differ from ICU's whole-name reading) */
    dg_buf b;
    dg_buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        dg_buf_adds(&b, syl[i]);
    int rc = b.data ? DG_OK : DG_ENOMEM;
    if (!rc && k->pinyin && strcmp(k->pinyin, b.data) != 0) {
        /* keep ICU's whole reading as one more key, the table's as the key */
        char *old = k->pinyin;
        k->pinyin = dg_buf_detach(&b);
        rc = k->pinyin ? alt_add(k, old) : DG_ENOMEM;
        free(old);
        dg_buf spaced;
        dg_buf_init(&spaced, 0);
        for (int i = 0; i < n; i++)
            dg_buf_addf(&spaced, "%s%s", i ? " " : "", syl[i]);
        if (spaced.data) {
            free(k->pinyin_spaced);
            k->pinyin_spaced = dg_buf_detach(&spaced);
        }
        dg_buf_release(&spaced);
    }
    dg_buf_release(&b);
    for (long m = 1; m < combos && !rc && k->nalt < NZ_MAX_ALT; m++) {
        long x = m;
        dg_buf_init(&b, 0);
        for (int i = 0; i < n; i++) {
            dg_buf_adds(&b, opts[i][x % nopt[i]]);
            x /= nopt[i];
        }
        rc = b.data ? alt_add(k, b.data) : DG_ENOMEM;
        dg_buf_release(&b);
    }
    return rc;
}

/* The syllables of s with their tone marks, one per character (a second
 * ICU transliterator without Latin-ASCII, opened for the call: a
 * certificate is printed seldom). */
static int toned_syllables(const char *simp, char out[][32], int n)
{
    UChar id[32], u[512];
    UErrorCode e = U_ZERO_ERROR;
    u_uastrcpy(id, "Han-Latin/Names");
    UTransliterator *t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    int32_t len = 0, lim;
    char buf[1024];
    if (U_SUCCESS(e))
        u_strFromUTF8(u, 512, &len, simp, -1, &e);
    lim = len;
    if (U_SUCCESS(e))
        utrans_transUChars(t, u, &len, 512, 0, &lim, &e);
    if (U_SUCCESS(e))
        u_strToUTF8(buf, sizeof buf, NULL, u, len, &e);
    if (t)
        utrans_close(t);
    if (U_FAILURE(e))
        return -1;
    int k = 0;
    char *save = NULL;
    for (char *s = strtok_r(buf, " ", &save); s && k < n; s = strtok_r(NULL, " ", &save))
        snprintf(out[k++], 32, "%s", s);
    return k;
}

/* Tone marks off, ü kept: "lǚ" -> "lü" (UTF-8 in, UTF-8 out). */
static void untone(const char *s, char *out, size_t size)
{
    static const char *const marked[][2] = {
        {"ā", "a"}, {"á", "a"}, {"ǎ", "a"}, {"à", "a"}, {"ē", "e"}, {"é", "e"}, {"ě", "e"},
        {"è", "e"}, {"ī", "i"}, {"í", "i"}, {"ǐ", "i"}, {"ì", "i"}, {"ō", "o"}, {"ó", "o"},
        {"ǒ", "o"}, {"ò", "o"}, {"ū", "u"}, {"ú", "u"}, {"ǔ", "u"}, {"ù", "u"}, {"ǖ", "ü"},
        {"ǘ", "ü"}, {"ǚ", "ü"}, {"ǜ", "ü"}, {"ń", "n"}, {"ň", "n"}, {"ǹ", "n"}, {"ḿ", "m"},
    };
    size_t w = 0;
    while (*s && w + 3 < size) {
        size_t i;
        for (i = 0; i < sizeof marked / sizeof marked[0]; i++) {
            size_t l = strlen(marked[i][0]);
            if (strncmp(s, marked[i][0], l) == 0) {
                size_t r = strlen(marked[i][1]);
                memcpy(out + w, marked[i][1], r);
                w += r;
                s += l;
                break;
            }
        }
        if (i == sizeof marked / sizeof marked[0])
            out[w++] = *s++;
    }
    out[w] = '\0';
}

/* Append s upper-cased to b (ASCII letters and ü are all that occur). */
static void add_upper(dg_buf *b, const char *s)
{
    char tmp[64];
    size_t w = 0;
    for (const char *p = s; *p && w + 3 < sizeof tmp; p++) {
        if (strncmp(p, "ü", 2) == 0) {
            memcpy(tmp + w, "Ü", 2);
            w += 2;
            p++;
        } else {
            tmp[w++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
        }
    }
    dg_buf_add(b, tmp, w);
}

int norm_name_romanized(norm_ctx *ctx, const char *name, char **out, dg_err *err)
{
    *out = NULL;
    norm_result r;
    int rc = norm_name(ctx, name, &r, err);
    if (rc)
        return rc;
    char syl[NZ_MAX_CHARS][NZ_SYL], toned[NZ_MAX_CHARS][32];
    UChar32 cps[NZ_MAX_CHARS];
    int ns = 0, n = r.value ? nz_name_syllables(ctx, r.value, syl, cps, NZ_MAX_CHARS, &ns) : 0;
    int nt = n > 0 ? toned_syllables(r.value, toned, NZ_MAX_CHARS) : -1;
    norm_result_release(&r);
    if (n <= 0 || nt != n || ns >= n)
        return DG_OK; /* not a Han name of one syllable a character: nothing to print */
    char part[NZ_MAX_CHARS][32];
    for (int i = 0; i < n; i++) {
        untone(toned[i], part[i], sizeof part[i]);
        /* the surname as the table reads it; ü only where ICU's reading had it */
        if (i == 0 && strcmp(syl[0], "lu") != 0 && strcmp(syl[0], "nu") != 0) {
            char folded[NZ_SYL];
            syllable_clean(part[0], folded);
            if (strcmp(folded, syl[0]) != 0)
                snprintf(part[0], sizeof part[0], "%s", syl[0]);
        }
    }
    dg_buf b;
    dg_buf_init(&b, 0);
    for (int i = 0; i < ns; i++)
        add_upper(&b, part[i]);
    dg_buf_addc(&b, ' ');
    for (int i = ns; i < n; i++) {
        char p[32];
        snprintf(p, sizeof p, "%s", part[i]);
        if (i == ns && p[0] >= 'a' && p[0] <= 'z')
            p[0] = (char)(p[0] - 'a' + 'A');
        /* a syllable starting with a, o or e after another takes an apostrophe (Xi'an) */
        if (i > ns && strchr("aoe", p[0]))
            dg_buf_addc(&b, '\'');
        dg_buf_adds(&b, p);
    }
    if (!b.data) {
        dg_buf_release(&b);
        return dg_err_set(err, DG_ENOMEM, "out of memory romanizing a name");
    }
    *out = dg_buf_detach(&b);
    dg_buf_release(&b);
    return *out ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory romanizing a name");
}
