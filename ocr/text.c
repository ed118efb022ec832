/*
 * text.c - tidying Tesseract's text: chi_sim keeps inter-word spaces, so
 * wide gaps between Han characters come out as runs of spaces.  Spaces
 * between two CJK characters are dropped; other runs become one space.
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
