/*
 * common.c - error reports, capped buffers and JSON escaping shared by all
 * dangan modules.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <pwd.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

int dg_err_set(dg_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void dg_err_clear(dg_err *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

void dg_buf_init(dg_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap ? cap : DG_BUF_DEFAULT_CAP;
}

void dg_buf_release(dg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void dg_buf_reset(dg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_reserve(dg_buf *b, size_t extra)
{
    if (extra > b->cap || b->len + extra > b->cap)
        return DG_ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return DG_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n *= 2;
    char *p = realloc(b->data, n);
    if (!p)
        return DG_ENOMEM;
    b->data = p;
    b->alloc = n;
    return DG_OK;
}

int dg_buf_add(dg_buf *b, const void *data, size_t len)
{
    if (buf_reserve(b, len))
        return DG_ENOMEM;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return DG_OK;
}

int dg_buf_adds(dg_buf *b, const char *s)
{
    return dg_buf_add(b, s, strlen(s));
}

int dg_buf_addc(dg_buf *b, char c)
{
    return dg_buf_add(b, &c, 1);
}

int dg_buf_vaddf(dg_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return DG_ERR;
    if (buf_reserve(b, (size_t)n))
        return DG_ENOMEM;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return DG_OK;
}

int dg_buf_addf(dg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = dg_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *dg_buf_detach(dg_buf *b)
{
    char *s = b->data;
    if (!s)
        s = calloc(1, 1);
    b->data = NULL;
    b->len = b->alloc = 0;
    return s;
}

void dg_buf_rtrim(dg_buf *b)
{
    while (b->len && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\n' ||
                      b->data[b->len - 1] == '\t' || b->data[b->len - 1] == '\r'))
        b->data[--b->len] = '\0';
}

int dg_buf_json_str(dg_buf *b, const char *s)
{
    if (!s)
        return dg_buf_adds(b, "null");
    int rc = dg_buf_addc(b, '"');
    size_t n = strlen(s);
    for (size_t i = 0; i < n && !rc;) {
        unsigned char c = (unsigned char)s[i];
        size_t run = i; /* printable ASCII that needs no escape: at once */
        while (run < n && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x80 &&
               s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            rc = dg_buf_add(b, s + i, run - i);
            i = run;
            continue;
        }
        if (c >= 0x80) {
            /* a file name from a GBK share is no UTF-8: each ill-formed
             * sequence becomes U+FFFD, and the JSON stays valid */
            rc = dg_utf8_add(b, dg_utf8_next(s, n, &i));
            continue;
        }
        i++;
        switch (c) {
        case '"': rc = dg_buf_adds(b, "\\\""); break;
        case '\\': rc = dg_buf_adds(b, "\\\\"); break;
        case '\n': rc = dg_buf_adds(b, "\\n"); break;
        case '\r': rc = dg_buf_adds(b, "\\r"); break;
        case '\t': rc = dg_buf_adds(b, "\\t"); break;
        default:
            if (c < 0x20)
                rc = dg_buf_addf(b, "\\u%04x", c);
            else
                rc = dg_buf_addc(b, (char)c);
        }
    }
    return rc ? rc : dg_buf_addc(b, '"');
}

int dg_buf_add_utf8(dg_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int rc = DG_OK;
    for (size_t i = 0; i < n && !rc;) {
        size_t run = i;
        while (run < n && (unsigned char)s[run] < 0x80)
            run++;
        rc = dg_buf_add(b, s + i, run - i);
        i = run;
        if (!rc && i < n)
            rc = dg_utf8_add(b, dg_utf8_next(s, n, &i));
    }
    return rc;
}

int dg_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len,
                 dg_err *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_err_set(err, DG_EINPUT, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return dg_err_set(err, DG_EINPUT, "'%s' is not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        fclose(f);
        return dg_err_set(err, DG_EINPUT, "'%s' is %lld bytes, over the %zu-byte limit", path,
                          (long long)st.st_size, max_bytes);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return dg_err_set(err, DG_ENOMEM, "out of memory reading '%s'", path);
    }
    size_t got = n ? fread(buf, 1, n, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (bad || got != n) {
        free(buf);
        return dg_err_set(err, DG_EINPUT, "cannot read '%s': short read", path);
    }
    *data = buf;
    *len = n;
    return DG_OK;
}

char *dg_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int dg_str_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void dg_os_user(char *out, size_t size)
{
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name) {
        snprintf(out, size, "%s", res->pw_name);
        return;
    }
    snprintf(out, size, "uid:%ld", (long)geteuid());
}

void dg_now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint32_t dg_utf8_next(const char *s, size_t len, size_t *i)
{
    UChar32 c;
    int32_t k = (int32_t)*i, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
    U8_NEXT_OR_FFFD((const uint8_t *)s, k, n, c);
    *i = (size_t)k;
    return (uint32_t)c;
}

size_t dg_utf8_put(char *out, uint32_t c)
{
    int32_t k = 0;
    U8_APPEND_UNSAFE((uint8_t *)out, k, (UChar32)(c > 0x10ffff ? 0xfffd : c));
    return (size_t)k;
}

int dg_utf8_add(dg_buf *b, uint32_t c)
{
    char o[4];
    return dg_buf_add(b, o, dg_utf8_put(o, c));
}

int dg_is_han(uint32_t c)
{
    UErrorCode st = U_ZERO_ERROR;
    return uscript_getScript((UChar32)c, &st) == USCRIPT_HAN && U_SUCCESS(st);
}

int dg_has_han(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;)
        if (dg_is_han(dg_utf8_next(s, n, &i)))
            return 1;
    return 0;
}

void dg_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    /* by table: snprintf a byte cost as much as hashing a load event */
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int dg_sha256_file(const char *path, char out[65], int64_t *size, dg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_err_set(err, errno == ENOENT ? DG_ENOTFOUND : DG_EINPUT, "cannot read '%s': %s",
                          path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *buf = malloc(1 << 16);
    int rc = ctx && buf && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? DG_OK : DG_ENOMEM;
    int64_t total = 0;
    size_t n;
    while (!rc && (n = fread(buf, 1, 1 << 16, f)) > 0) {
        total += (int64_t)n;
        if (!EVP_DigestUpdate(ctx, buf, n))
            rc = DG_ENOMEM;
    }
    unsigned char md[32];
    unsigned int mdn = 0;
    if (!rc && ferror(f))
        rc = dg_err_set(err, DG_EINPUT, "cannot read '%s': read error", path);
    else if (!rc && !EVP_DigestFinal_ex(ctx, md, &mdn))
        rc = DG_ENOMEM;
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory hashing '%s'", path);
    for (unsigned i = 0; !rc && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    if (!rc && size)
        *size = total;
    EVP_MD_CTX_free(ctx);
    free(buf);
    fclose(f);
    return rc;
}
