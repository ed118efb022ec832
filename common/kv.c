/*
 * kv.c - the one reader of key = value configuration files (common.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* [s, e) without the blanks around it, NUL-terminated in place. */
static char *trim(char *s, char *e)
{
    while (s < e && blank(*s))
        s++;
    while (e > s && blank(e[-1]))
        e--;
    *e = '\0';
    return s;
}

int dg_kv_fail(const dg_kv *kv, dg_err *err, const char *fmt, ...)
{
    char msg[DG_ERR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dg_err_set(err, DG_EINPUT, "%s in '%s' line %d", msg, kv->path, kv->line);
}

int dg_kv_parse(const char *text, size_t len, const char *path, dg_kv_fn fn, void *user,
                dg_err *err)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return dg_err_set(err, DG_ENOMEM, "out of memory reading '%s'", path);
    memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = DG_OK;
    dg_kv kv = {path, 0, NULL, NULL};
    for (char *s = copy, *end = copy + len; s < end && !rc;) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *le = nl ? nl : end;
        kv.line++;
        char *eq = memchr(s, '=', (size_t)(le - s));
        while (s < le && blank(*s))
            s++;
        if (s < le && *s != '#') {
            if (!eq) {
                rc = dg_kv_fail(&kv, err, "bad line (want key = value)");
            } else {
                kv.key = trim(s, eq);
                kv.value = trim(eq + 1, le);
                rc = fn(user, &kv, err);
            }
        }
        s = le + 1;
    }
    free(copy);
    return rc;
}

int dg_kv_load(const char *path, int optional, char sha[65], dg_kv_fn fn, void *user,
               dg_err *err)
{
    unsigned char *data;
    size_t len;
    if (dg_read_file(path, DG_KV_MAX_BYTES, &data, &len, optional ? NULL : err))
        return optional ? DG_ENOTFOUND : DG_EINPUT;
    if (sha)
        dg_sha256_hex(data, len, sha);
    int rc = dg_kv_parse((const char *)data, len, path, fn, user, err);
    free(data);
    return rc;
}
