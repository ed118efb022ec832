/*
 * util.c - plumbing for the normalizers: UTF-8 validation and code point
 * conversion (by common's dg_utf8_next/dg_utf8_put), result/step
 * bookkeeping, provenance JSON, and the small TSV and CSV readers used for
 * the config tables and discipline catalogs.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

int nz_check_input(const char *s, const char *what, dg_err *err)
{
    if (!s)
        return dg_err_set(err, DG_EUSAGE, "missing %s input", what);
    size_t len = strlen(s);
    if (len > NZ_MAX_INPUT)
        return dg_err_set(err, DG_EINPUT, "%s too long: %zu bytes", what, len);
    int32_t i = 0, n = (int32_t)len;
    while (i < n) {
        UChar32 c;
        int32_t at = i;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            return dg_err_set(err, DG_EINPUT, "invalid utf-8 in %s '%.*s' at byte %d", what,
                              (int)(at > 40 ? 40 : at), s, (int)at);
    }
    return DG_OK;
}

int nz_decode(const char *s, nz_u32 *out)
{
    size_t n = strlen(s), i = 0;
    out->n = 0;
    out->c = malloc(sizeof(UChar32) * (n + 1));
    if (!out->c)
        return DG_ENOMEM;
    while (i < n)
        out->c[out->n++] = (UChar32)dg_utf8_next(s, n, &i);
    return DG_OK;
}

char *nz_encode(const UChar32 *c, size_t n)
{
    char *s = malloc(n * 4 + 1);
    if (!s)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        at += dg_utf8_put(s + at, (uint32_t)c[i]);
    s[at] = '\0';
    return s;
}

int nz_is_space(UChar32 c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0 ||
           c == 0x200B || c == 0xFEFF;
}

/* ---- results ---- */

int nz_result_start(norm_result *r, const char *raw)
{
    memset(r, 0, sizeof *r);
    r->raw = dg_strdup(raw ? raw : "");
    return r->raw ? DG_OK : DG_ENOMEM;
}

static int result_push_step(norm_result *r, const char *rule, const char *before,
                            const char *after)
{
    if (r->nsteps == r->alloc_steps) {
        size_t n = r->alloc_steps ? r->alloc_steps * 2 : 4;
        norm_step *p = realloc(r->steps, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        r->steps = p;
        r->alloc_steps = n;
    }
    norm_step *s = &r->steps[r->nsteps];
    s->rule = dg_strdup(rule);
    s->before = dg_strdup(before);
    s->after = dg_strdup(after);
    if (!s->rule || !s->before || !s->after) {
        free(s->rule);
        free(s->before);
        free(s->after);
        return DG_ENOMEM;
    }
    r->nsteps++;
    return DG_OK;
}

int nz_apply(norm_result *r, char **cur, const char *rule, char *next)
{
    if (!next)
        return DG_ENOMEM;
    if (strcmp(*cur, next) == 0) {
        free(next);
        return DG_OK;
    }
    int rc = result_push_step(r, rule, *cur, next);
    free(*cur);
    *cur = next;
    return rc;
}

int nz_flag(norm_result *r, const char *fmt, ...)
{
    dg_buf b;
    dg_buf_init(&b, 4096);
    va_list ap;
    va_start(ap, fmt);
    int rc = dg_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    if (rc) {
        dg_buf_release(&b);
        return rc;
    }
    free(r->flag);
    r->flag = dg_buf_detach(&b);
    return r->flag ? DG_OK : DG_ENOMEM;
}

void norm_result_release(norm_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nsteps; i++) {
        free(r->steps[i].rule);
        free(r->steps[i].before);
        free(r->steps[i].after);
    }
    free(r->steps);
    free(r->raw);
    free(r->value);
    free(r->detail);
    free(r->flag);
    memset(r, 0, sizeof *r);
}

int norm_steps_json(const norm_result *r, dg_buf *out)
{
    int rc = dg_buf_addc(out, '[');
    for (size_t i = 0; i < r->nsteps && !rc; i++) {
        const norm_step *s = &r->steps[i];
        rc = dg_buf_adds(out, i ? ",{\"rule\":" : "{\"rule\":");
        rc = rc ? rc : dg_buf_json_str(out, s->rule);
        rc = rc ? rc : dg_buf_adds(out, ",\"before\":");
        rc = rc ? rc : dg_buf_json_str(out, s->before);
        rc = rc ? rc : dg_buf_adds(out, ",\"after\":");
        rc = rc ? rc : dg_buf_json_str(out, s->after);
        rc = rc ? rc : dg_buf_addc(out, '}');
    }
    return rc ? rc : dg_buf_addc(out, ']');
}

int norm_result_json(const norm_result *r, dg_buf *out)
{
    int rc = dg_buf_adds(out, "{\"raw\":");
    rc = rc ? rc : dg_buf_json_str(out, r->raw);
    rc = rc ? rc : dg_buf_adds(out, ",\"value\":");
    rc = rc ? rc : dg_buf_json_str(out, r->value);
    rc = rc ? rc : dg_buf_adds(out, ",\"detail\":");
    rc = rc ? rc : dg_buf_json_str(out, r->detail);
    rc = rc ? rc : dg_buf_adds(out, ",\"flag\":");
    rc = rc ? rc : dg_buf_json_str(out, r->flag);
    rc = rc ? rc : dg_buf_adds(out, ",\"steps\":");
    rc = rc ? rc : norm_steps_json(r, out);
    return rc ? rc : dg_buf_addc(out, '}');
}

void norm_flags_release(norm_flags *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->items[i].message);
    free(f->items);
    f->items = NULL;
    f->n = 0;
}

/* ---- files ---- */

static void strip_eol(char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

int nz_tsv_read(const char *path, nz_tsv_cb cb, void *arg, dg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return dg_err_set(err, DG_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = DG_OK;
    while (!rc && getline(&line, &cap, f) >= 0) {
        lineno++;
        strip_eol(line);
        if (!line[0] || line[0] == '#')
            continue;
        if (nz_check_input(line, "line", NULL)) {
            rc = dg_err_set(err, DG_EINPUT, "invalid utf-8 in '%s' line %d", path, lineno);
            break;
        }
        char *fields[16];
        size_t nf = 0;
        char *p = line;
        while (nf < 16) {
            fields[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        rc = cb(arg, fields, nf, path, lineno, err);
    }
    free(line);
    fclose(f);
    return rc;
}

size_t nz_csv_split(char *line, char **fields, size_t max)
{
    size_t nf = 0;
    char *r = line, *w = line;
    while (nf < max) {
        fields[nf++] = w;
        if (*r == '"') {
            r++;
            while (*r) {
                if (r[0] == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (r[0] == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
        }
        while (*r && *r != ',')
            *w++ = *r++;
        if (*r != ',') {
            *w = '\0';
            break;
        }
        r++;
        *w++ = '\0';
    }
    return nf;
}
