/*
 * canon.c - canonical JSON: the one form an event's content is hashed in,
 * so the same facts always give the same bytes whoever built the text.
 * Members are sorted by the bytes of their unescaped key, whitespace goes,
 * strings are escaped the one way dg_buf_json_str escapes, numbers stay as
 * written (after checking the grammar): a reader of the chain can recompute
 * every hash from the stored rows alone.
 */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#define CANON_MAX_DEPTH 64

typedef struct canon_in {
    const char *s;
    size_t len, i;
    dg_err *err;
} canon_in;

typedef struct canon_member {
    char *key;   /* unescaped, NUL-terminated */
    size_t klen;
    char *value; /* canonical text */
} canon_member;

static int bad(canon_in *in, const char *what)
{
    return dg_err_set(in->err, DG_EINPUT, "not canonical JSON: %s at byte %zu", what, in->i);
}

static void skip_ws(canon_in *in)
{
    while (in->i < in->len && (in->s[in->i] == ' ' || in->s[in->i] == '\t' ||
                               in->s[in->i] == '\n' || in->s[in->i] == '\r'))
        in->i++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_hex4(canon_in *in, uint32_t *v)
{
    *v = 0;
    if (in->i + 4 > in->len)
        return bad(in, "short \\u escape");
    for (int k = 0; k < 4; k++) {
        int h = hexval(in->s[in->i++]);
        if (h < 0)
            return bad(in, "bad \\u escape");
        *v = *v << 4 | (uint32_t)h;
    }
    return DG_OK;
}

/* A string (in->i at the opening quote), unescaped into out. */
static int read_string(canon_in *in, dg_buf *out)
{
    in->i++;
    while (in->i < in->len) {
        /* a run of bytes that need no unescaping goes in at once */
        size_t run = in->i;
        while (run < in->len && (unsigned char)in->s[run] >= 0x20 && in->s[run] != '"' &&
               in->s[run] != '\\')
            run++;
        if (run > in->i) {
            if (dg_buf_add(out, in->s + in->i, run - in->i))
                return DG_ENOMEM;
            in->i = run;
            continue;
        }
        unsigned char c = (unsigned char)in->s[in->i++];
        if (c == '"')
            return DG_OK;
        if (c < 0x20)
            return bad(in, "control character in a string");
        if (c != '\\') {
            if (dg_buf_addc(out, (char)c))
                return DG_ENOMEM;
            continue;
        }
        if (in->i >= in->len)
            break;
        char e = in->s[in->i++];
        const char *plain = strchr("\"\\/bfnrt", e);
        if (e && plain) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            if (dg_buf_addc(out, map[plain - "\"\\/bfnrt"]))
                return DG_ENOMEM;
            continue;
        }
        if (e != 'u')
            return bad(in, "bad escape");
        uint32_t cp;
        if (read_hex4(in, &cp))
            return DG_EINPUT;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (in->i + 2 > in->len || in->s[in->i] != '\\' || in->s[in->i + 1] != 'u')
                return bad(in, "lone surrogate");
            in->i += 2;
            if (read_hex4(in, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return bad(in, "lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return bad(in, "lone surrogate");
        }
        if (cp == 0)
            return bad(in, "\\u0000 in a string");
        if (dg_utf8_add(out, cp))
            return DG_ENOMEM;
    }
    return bad(in, "unterminated string");
}

static int read_number(canon_in *in, dg_buf *out)
{
    size_t start = in->i;
    const char *s = in->s;
#define AT(c) (in->i < in->len && s[in->i] == (c))
#define DIGIT() (in->i < in->len && s[in->i] >= '0' && s[in->i] <= '9')
    if (AT('-'))
        in->i++;
    if (AT('0'))
        in->i++;
    else if (DIGIT())
        while (DIGIT())
            in->i++;
    else
        return bad(in, "bad number");
    if (AT('.')) {
        in->i++;
        if (!DIGIT())
            return bad(in, "bad number");
        while (DIGIT())
            in->i++;
    }
    if (AT('e') || AT('E')) {
        in->i++;
        if (AT('+') || AT('-'))
            in->i++;
        if (!DIGIT())
            return bad(in, "bad number");
        while (DIGIT())
            in->i++;
    }
#undef AT
#undef DIGIT
    return dg_buf_add(out, s + start, in->i - start) ? DG_ENOMEM : DG_OK;
}

static int read_value(canon_in *in, dg_buf *out, int depth);

static int member_cmp(const void *a, const void *b)
{
    const canon_member *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static void members_free(canon_member *m, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(m[k].key), free(m[k].value);
    free(m);
}

static int emit_object(canon_in *in, canon_member *m, size_t n, dg_buf *out)
{
    qsort(m, n, sizeof *m, member_cmp);
    int rc = dg_buf_addc(out, '{');
    for (size_t k = 0; k < n && !rc; k++) {
        if (k && member_cmp(&m[k - 1], &m[k]) == 0)
            return dg_err_set(in->err, DG_EINPUT, "not canonical JSON: duplicate key '%s'",
                              m[k].key);
        rc = (k && dg_buf_addc(out, ',')) || dg_buf_json_str(out, m[k].key) ||
             dg_buf_addc(out, ':') || dg_buf_adds(out, m[k].value);
    }
    return rc ? DG_ENOMEM : dg_buf_addc(out, '}');
}

static int read_object(canon_in *in, dg_buf *out, int depth)
{
    canon_member *m = NULL;
    size_t n = 0, alloc = 0;
    int rc = DG_OK;
    in->i++;
    skip_ws(in);
    if (in->i < in->len && in->s[in->i] == '}') {
        in->i++;
        return dg_buf_adds(out, "{}");
    }
    for (;;) {
        skip_ws(in);
        if (in->i >= in->len || in->s[in->i] != '"') {
            rc = bad(in, "expected a key");
            break;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            canon_member *g = realloc(m, alloc * sizeof *m);
            if (!g) {
                rc = DG_ENOMEM;
                break;
            }
            m = g;
        }
        dg_buf k, v;
        dg_buf_init(&k, 0);
        dg_buf_init(&v, 0);
        rc = read_string(in, &k);
        skip_ws(in);
        if (!rc && (in->i >= in->len || in->s[in->i++] != ':'))
            rc = bad(in, "expected ':'");
        if (!rc)
            rc = read_value(in, &v, depth + 1);
        m[n].klen = k.len;
        m[n].key = dg_buf_detach(&k);
        m[n].value = dg_buf_detach(&v);
        if (!m[n].key)
            m[n].key = dg_strdup("");
        if (!m[n].value)
            m[n].value = dg_strdup("");
        n++;
        if (rc)
            break;
        skip_ws(in);
        if (in->i < in->len && in->s[in->i] == ',') {
            in->i++;
            continue;
        }
        if (in->i < in->len && in->s[in->i] == '}') {
            in->i++;
            rc = emit_object(in, m, n, out);
            break;
        }
        rc = bad(in, "expected ',' or '}'");
        break;
    }
    members_free(m, n);
    return rc;
}

static int read_array(canon_in *in, dg_buf *out, int depth)
{
    in->i++;
    if (dg_buf_addc(out, '['))
        return DG_ENOMEM;
    skip_ws(in);
    if (in->i < in->len && in->s[in->i] == ']') {
        in->i++;
        return dg_buf_addc(out, ']');
    }
    for (int first = 1;; first = 0) {
        if (!first && dg_buf_addc(out, ','))
            return DG_ENOMEM;
        int rc = read_value(in, out, depth + 1);
        if (rc)
            return rc;
        skip_ws(in);
        if (in->i < in->len && in->s[in->i] == ',') {
            in->i++;
            continue;
        }
        if (in->i < in->len && in->s[in->i] == ']') {
            in->i++;
            return dg_buf_addc(out, ']');
        }
        return bad(in, "expected ',' or ']'");
    }
}

static int read_value(canon_in *in, dg_buf *out, int depth)
{
    if (depth > CANON_MAX_DEPTH)
        return bad(in, "nested too deep");
    skip_ws(in);
    if (in->i >= in->len)
        return bad(in, "unexpected end");
    char c = in->s[in->i];
    if (c == '{')
        return read_object(in, out, depth);
    if (c == '[')
        return read_array(in, out, depth);
    if (c == '"') {
        dg_buf s;
        dg_buf_init(&s, 0);
        int rc = read_string(in, &s);
        if (!rc)
            rc = dg_buf_json_str(out, s.data ? s.data : "") ? DG_ENOMEM : DG_OK;
        dg_buf_release(&s);
        return rc;
    }
    static const char *const words[] = {"true", "false", "null"};
    for (size_t w = 0; w < 3; w++) {
        size_t n = strlen(words[w]);
        if (in->i + n <= in->len && memcmp(in->s + in->i, words[w], n) == 0) {
            in->i += n;
            return dg_buf_adds(out, words[w]) ? DG_ENOMEM : DG_OK;
        }
    }
    return read_number(in, out);
}

int audit_canon(const char *json, size_t len, dg_buf *out, dg_err *err)
{
    canon_in in = {json, len, 0, err};
    int rc = read_value(&in, out, 0);
    if (rc == DG_ENOMEM)
        return dg_err_set(err, DG_ENOMEM, "out of memory making canonical JSON");
    if (rc)
        return rc;
    skip_ws(&in);
    return in.i == len ? DG_OK : bad(&in, "text after the value");
}
