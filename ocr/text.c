/*
 * text.c - tidying Tesseract's text: chi_sim keeps inter-word spaces, so
 * wide gaps between Han characters come out as runs of spaces.  Spaces
 * between two CJK characters are dropped; other runs become one space.
 * chi_sim also reads the full-width punctuation of Chinese print (：（）,
 * and so on) as ASCII; ocr_widen_punctuation puts it back next to Han.
 */
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"

/* Decode one UTF-8 sequence at s; returns its length (1 on bad bytes). */
static int utf8_next(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
        *cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
        return 2;
    }
    if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
        *cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        return 3;
    }
    if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
        (s[3] & 0xc0) == 0x80) {
        *cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) |
              (s[3] & 0x3fu);
        return 4;
    }
    *cp = 0xfffd;
    return 1;
}

int ocr_is_cjk(unsigned cp)
{
    return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0xff00 && cp <= 0xffef) || (cp >= 0x20000 && cp <= 0x2ffff);
}

/* ASCII punctuation that Chinese typesetting sets full width. */
static unsigned full_width_of(unsigned cp)
{
    switch (cp) {
    case ':': return 0xff1a;
    case ';': return 0xff1b;
    case '(': return 0xff08;
    case ')': return 0xff09;
    case ',': return 0xff0c;
    case '?': return 0xff1f;
    case '!': return 0xff01;
    default: return 0;
    }
}

static size_t utf8_put(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Nearest non-space code point from i in direction step; 0 at the ends. */
static unsigned neighbour(const unsigned *cp, size_t n, size_t i, int step)
{
    for (size_t j = i; step < 0 ? j-- > 0 : ++j < n;)
        if (cp[j] != ' ' && cp[j] != '\t' && cp[j] != '\n' && cp[j] != '\r')
            return cp[j];
    return 0;
}

/* Two passes so that a run like ") :" after Han widens whichever way it
 * is read. */
char *ocr_widen_punctuation(const char *in)
{
    size_t n = 0, len = strlen(in);
    unsigned *cp = malloc((len + 1) * sizeof *cp);
    char *out = cp ? malloc(len * 3 + 1) : NULL;
    if (!out) {
        free(cp);
        return NULL;
    }
    for (const unsigned char *s = (const unsigned char *)in; *s;)
        s += utf8_next(s, &cp[n++]);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            unsigned fw = full_width_of(cp[i]);
            if (fw && (ocr_is_cjk(neighbour(cp, n, i, -1)) || ocr_is_cjk(neighbour(cp, n, i, 1))))
                cp[i] = fw;
        }
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += utf8_put(out + o, cp[i]);
    out[o] = '\0';
    free(cp);
    return out;
}

char *ocr_tidy_text(const char *in)
{
    size_t n = strlen(in);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    unsigned prev = 0; /* last non-space code point written */
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
            if (!*s || o == 0)
                continue;
            unsigned next;
            utf8_next(s, &next);
            if (!(ocr_is_cjk(prev) && ocr_is_cjk(next)))
                out[o++] = ' ';
            continue;
        }
        unsigned cp;
        int len = utf8_next(s, &cp);
        memcpy(out + o, s, (size_t)len);
        o += (size_t)len;
        s += len;
        prev = cp;
    }
    out[o] = '\0';
    return out;
}

size_t ocr_utf8_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}
