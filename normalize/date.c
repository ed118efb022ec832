/*
 * date.c - dates as written on pre-2000 records (1985年7月, 一九八五年七月,
 * 八五年七月, 85.07, 1989.6.9, full-width digits ...) to ISO YYYY[-MM[-DD]],
 * and the plausibility check over one record's dates.  Chinese numerals go
 * through ICU's zh spell-out parser with a table fallback (it refuses 卅一).
 * Anything that does not parse cleanly is flagged, never guessed.
 */
#include "normalize.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TOK_NUM, TOK_YEAR, TOK_MONTH, TOK_DAY, TOK_PUNCT };

typedef struct date_tok {
    int kind;
    long value;
    int digits; /* written digit count (Arabic or digit-by-digit Han) */
    int han;
} date_tok;

typedef struct date_parts {
    long y, m, d;
    int ydigits;
} date_parts;

static int is_han_numeral(UChar32 c)
{
    static const char *const set = "〇零○一二三四五六七八九十廿卅两◯";
    nz_u32 u;
    if (nz_decode(set, &u))
        return 0;
    int hit = 0;
    for (size_t i = 0; i < u.n && !hit; i++)
        hit = u.c[i] == c;
    free(u.c);
    return hit;
}

static int unit_of(UChar32 c)
{
    switch (c) {
    case 0x5E74: return TOK_YEAR;  /* 年 */
    case 0x6708: return TOK_MONTH; /* 月 */
    case 0x65E5: case 0x53F7: return TOK_DAY; /* 日 号 */
    case '.': case '-': case '/': case 0x3001: case ',': case 0x2014: case 0x2013:
        return TOK_PUNCT;
    default: return -1;
    }
}

/* A run of Han numerals: digit-by-digit (一九八五) when it has no 十/廿/卅. */
static int han_run(norm_ctx *ctx, const UChar32 *c, size_t n, date_tok *t)
{
    t->kind = TOK_NUM;
    t->han = 1;
    t->value = nz_parse_zh_number(ctx, c, n);
    int positional = 1;
    for (size_t i = 0; i < n; i++)
        if (c[i] == 0x5341 || c[i] == 0x5EFF || c[i] == 0x5345)
            positional = 0;
    t->digits = positional ? (int)n : 0;
    return t->value < 0 ? DG_EINPUT : DG_OK;
}

/* u is read as date tokens; a 口 inside a run of numerals is rewritten 〇. */
static int tokenize(norm_ctx *ctx, nz_u32 *u, date_tok *toks, size_t *ntok)
{
    size_t n = 0;
    for (size_t i = 0; i < u->n;) {
        UChar32 c = u->c[i];
        if (n == 8)
            return DG_EINPUT;
        if (c >= '0' && c <= '9') {
            long v = 0;
            int d = 0;
            while (i < u->n && u->c[i] >= '0' && u->c[i] <= '9' && d < 6)
                v = v * 10 + (u->c[i++] - '0'), d++;
            toks[n++] = (date_tok){TOK_NUM, v, d, 0};
        } else if (is_han_numeral(c) ||
                   ((c == 'O' || c == 'o') && i + 1 < u->n && is_han_numeral(u->c[i + 1]))) {
            size_t j = i;
            /* O and 口 inside the run are 〇 misread (一九八O, 一九九口) */
            while (j < u->n && (is_han_numeral(u->c[j]) || u->c[j] == 'O' || u->c[j] == 'o' ||
                                (u->c[j] == 0x53E3 && j > i))) {
                if (u->c[j] == 0x53E3)
                    u->c[j] = 0x3007;
                j++;
            }
            if (han_run(ctx, u->c + i, j - i, &toks[n++]))
                return DG_EINPUT;
            i = j;
        } else if (unit_of(c) >= 0) {
            toks[n++] = (date_tok){unit_of(c), 0, 0, 0};
            i++;
        } else if (c == 0x4EFD && n && toks[n - 1].kind == TOK_MONTH) { /* 月份 */
            i++;
        } else if (nz_is_space(c)) {
            i++;
        } else {
            return DG_EINPUT;
        }
    }
    *ntok = n;
    return DG_OK;
}

/* Assign numbers to year/month/day: explicit units win, else position. */
static int assign_parts(const date_tok *t, size_t n, date_parts *p, int *ydigits_han)
{
    long *slot[3] = {&p->y, &p->m, &p->d};
    int next = 0;
    p->y = p->m = p->d = -1;
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind != TOK_NUM)
            return DG_EINPUT;
        int unit = i + 1 < n ? t[i + 1].kind : TOK_PUNCT;
        int pos = unit == TOK_YEAR ? 0 : unit == TOK_MONTH ? 1 : unit == TOK_DAY ? 2 : next;
        if (pos < next || pos > 2 || (pos > 0 && p->y < 0))
            return DG_EINPUT;
        *slot[pos] = t[i].value;
        if (pos == 0) {
            p->ydigits = t[i].digits;
            *ydigits_han = t[i].han;
        }
        next = pos + 1;
        i++; /* skip the unit or separator */
        if (i < n && t[i].kind == TOK_PUNCT && i + 1 == n)
            return DG_EINPUT; /* trailing "1985." */
    }
    if (p->d >= 0 && p->m < 0)
        return DG_EINPUT;
    return p->y >= 0 ? DG_OK : DG_EINPUT;
}

static long resolve_century(long yy, int context_year)
{
    if (!context_year)
        return 1900 + yy;
    long a = 1900 + yy, b = 2000 + yy;
    long da = labs(a - context_year), db = labs(b - context_year);
    return db < da ? b : a;
}

static int days_in_month(long y, long m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static int date_flag_range(norm_result *r, const date_parts *p)
{
    if (p->y < 1000 || p->y > 2999)
        return nz_flag(r, "year %ld out of range in date '%s'", p->y, r->raw);
    if (p->m >= 0 && (p->m < 1 || p->m > 12))
        return nz_flag(r, "month %ld impossible in date '%s'", p->m, r->raw);
    if (p->d >= 0 && (p->d < 1 || p->d > days_in_month(p->y, p->m)))
        return nz_flag(r, "day %ld impossible in date '%s'", p->d, r->raw);
    return DG_OK;
}

static char *iso_of(const date_parts *p, int drop_day)
{
    char out[80];
    if (p->m < 0)
        snprintf(out, sizeof out, "%04ld", p->y);
    else if (p->d < 0 || drop_day)
        snprintf(out, sizeof out, "%04ld-%02ld", p->y, p->m);
    else
        snprintf(out, sizeof out, "%04ld-%02ld-%02ld", p->y, p->m, p->d);
    return dg_strdup(out);
}

static int date_resolve_year(norm_result *r, date_parts *p, int han, const norm_date_opts *o)
{
    if (p->ydigits == 2) {
        char before[24], after[24];
        long y = resolve_century(p->y, o ? o->context_year : 0);
        snprintf(before, sizeof before, "%02ld", p->y);
        snprintf(after, sizeof after, "%04ld", y);
        p->y = y;
        char *cur = dg_strdup(before);
        if (!cur)
            return DG_ENOMEM;
        int rc = nz_apply(r, &cur, o && o->context_year ? "two-digit-year-context"
                                                         : "two-digit-year-19xx",
                          dg_strdup(after));
        free(cur);
        return rc;
    }
    if (p->ydigits != 4 && !(han && p->ydigits == 0 && p->y >= 1000))
        return nz_flag(r, "year of %d digits in date '%s'", p->ydigits, r->raw);
    return DG_OK;
}

int norm_date(norm_ctx *ctx, const char *raw, const norm_date_opts *opts, norm_result *r,
              dg_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = nz_check_input(raw, "date", err);
    if (rc)
        return rc;
    if (nz_result_start(r, raw))
        return dg_err_set(err, DG_ENOMEM, "out of memory parsing date '%s'", raw);
    char *cur = dg_strdup(raw);
    rc = cur ? nz_apply(r, &cur, "nfkc", nz_nfkc(ctx, cur)) : DG_ENOMEM;
    nz_u32 u = {0};
    rc = rc ? rc : nz_decode(cur, &u);
    date_tok toks[8];
    size_t ntok = 0;
    date_parts p = {0};
    int han = 0;
    if (!rc) {
        if (!u.n)
            rc = nz_flag(r, "empty date");
        else if (tokenize(ctx, &u, toks, &ntok) || assign_parts(toks, ntok, &p, &han))
            rc = nz_flag(r, "cannot parse date '%s'", raw);
        else if (!(rc = date_resolve_year(r, &p, han, opts)) && !r->flag)
            rc = date_flag_range(r, &p);
    }
    free(u.c);
    if (!rc && !r->flag) {
        r->value = iso_of(&p, opts && opts->drop_day);
        rc = r->value ? nz_apply(r, &cur, "iso-date", dg_strdup(r->value)) : DG_ENOMEM;
    }
    free(cur);
    if (rc)
        return dg_err_set(err, rc, "out of memory parsing date '%s'", raw);
    return DG_OK;
}

/* ---- plausibility over a record ---- */

typedef struct ymd {
    int y, m, d; /* 0 = not given */
} ymd;

static int ymd_parse(const char *s, ymd *out)
{
    memset(out, 0, sizeof *out);
    if (!s || !s[0])
        return 0;
    int n = sscanf(s, "%4d-%2d-%2d", &out->y, &out->m, &out->d);
    return n >= 1;
}

/* Months between two dates, unknown month counted as mid-year. */
static long months_between(const ymd *a, const ymd *b)
{
    return ((long)b->y - a->y) * 12 + ((b->m ? b->m : 6) - (a->m ? a->m : 6));
}

/* Append one flag; code and fields are static strings, the message is copied. */
static int flags_add(norm_flags *f, const char *code, const char *field0, const char *field1,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int flags_add(norm_flags *f, const char *code, const char *field0, const char *field1,
                     const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    norm_flag *p = realloc(f->items, (f->n + 1) * sizeof *p);
    if (!p)
        return DG_ENOMEM;
    f->items = p;
    norm_flag *fl = &f->items[f->n];
    fl->code = code;
    fl->fields[0] = field0;
    fl->fields[1] = field1;
    fl->message = dg_strdup(msg);
    if (!fl->message)
        return DG_ENOMEM;
    f->n++;
    return DG_OK;
}

static int check_years(const norm_record_dates *d, const ymd *v, norm_flags *out)
{
    /* Message words for people, field names as in norm_record_dates for code. */
    static const char *const words[] = {"birth", "enrolment", "graduation", "degree", "form"};
    static const char *const fields[] = {"birth", "enrol", "graduate", "degree", "form"};
    const char *raw[] = {d->birth, d->enrol, d->graduate, d->degree, d->form};
    int rc = DG_OK;
    for (int i = 0; i < 5 && !rc; i++)
        if (raw[i] && raw[i][0] && (v[i].y < 1900 || v[i].y > 2010))
            rc = flags_add(out, NORM_FLAG_DATE_OUT_OF_RANGE, fields[i], NULL,
                           "%s date '%s' outside 1900-2010", words[i], raw[i]);
    return rc;
}

int norm_dates_check(const norm_record_dates *d, norm_flags *out, dg_err *err)
{
    ymd v[5];
    ymd_parse(d->birth, &v[0]);
    ymd_parse(d->enrol, &v[1]);
    ymd_parse(d->graduate, &v[2]);
    ymd_parse(d->degree, &v[3]);
    ymd_parse(d->form, &v[4]);
    int rc = check_years(d, v, out);
    if (!rc && v[1].y && v[2].y && months_between(&v[1], &v[2]) < 0)
        rc = flags_add(out, NORM_FLAG_GRAD_BEFORE_ENROLL, "graduate", "enrol",
                       "graduation '%s' before enrolment '%s'", d->graduate, d->enrol);
    if (!rc && v[1].y && v[3].y && months_between(&v[1], &v[3]) < 0)
        rc = flags_add(out, NORM_FLAG_DEGREE_BEFORE_ENROLL, "degree", "enrol",
                       "degree '%s' before enrolment '%s'", d->degree, d->enrol);
    if (!rc && v[0].y && v[1].y && months_between(&v[0], &v[1]) < 16 * 12)
        rc = flags_add(out, NORM_FLAG_ENROLL_BEFORE_AGE16, "enrol", "birth",
                       "enrolment '%s' before age 16 (born '%s')", d->enrol, d->birth);
    if (!rc && v[0].y && v[2].y && months_between(&v[0], &v[2]) < 16 * 12)
        rc = flags_add(out, NORM_FLAG_GRAD_BEFORE_AGE16, "graduate", "birth",
                       "graduation '%s' before age 16 (born '%s')", d->graduate, d->birth);
    if (rc)
        return dg_err_set(err, rc, "out of memory checking dates");
    return DG_OK;
}
