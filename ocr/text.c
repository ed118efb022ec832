/*
 * text.c - tidying Tesseract's text: chi_sim keeps inter-word spaces, so
 * wide gaps between Han characters come out as runs of spaces.  Spaces
 * between two CJK characters are dropped; other runs become one space.
 * chi_sim also reads the full-width punctuation of Chinese print (：（）,
 * and so on) as ASCII, and （ as 〈; ocr_widen_punctuation puts it back
 * next to Han (parentheses the reader measured as half width excepted).
 */
#include <stdlib.h>
#include <string.h>

#include "ocr_internal.h"

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

/* Nearest non-space code point from i in direction step; 0 at the ends. */
static unsigned neighbour(const unsigned *cp, size_t n, size_t i, int step)
{
    for (size_t j = i; step < 0 ? j-- > 0 : ++j < n;)
        if (cp[j] != ' ' && cp[j] != '\t' && cp[j] != '\n' && cp[j] != '\r')
            return cp[j];
    return 0;
}

/* chi_sim reads the full-width opening parenthesis of Chinese print as
 * the angle bracket 〈 (本人简历（从高中起） -> 本人简历〈从高中起）); one
 * that a ） closes before any other bracket is the parenthesis. */
static void parenthesis_for_angle(unsigned *cp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cp[i] != 0x3008)
            continue;
        for (size_t j = i + 1; j < n; j++) {
            if (cp[j] == 0xff09)
                cp[i] = 0xff08;
            if (cp[j] == 0xff09 || cp[j] == 0x3008 || cp[j] == 0x3009 || cp[j] == 0xff08)
                break;
        }
    }
}

/* A parenthesis, either width, as it is set half width. */
static unsigned narrow_paren(unsigned cp)
{
    return cp == 0xff08 ? '(' : cp == 0xff09 ? ')' : cp;
}

/* Two passes so that a run like ") :" after Han widens whichever way it
 * is read. */
char *ocr_widen_punctuation(const char *in, int narrow_parens)
{
    size_t n = 0, len = strlen(in);
    unsigned *cp = malloc((len + 1) * sizeof *cp);
    char *out = cp ? malloc(len * 3 + 1) : NULL;
    if (!out) {
        free(cp);
        return NULL;
    }
    for (size_t i = 0; i < len;)
        cp[n++] = dg_utf8_next(in, len, &i);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            unsigned fw = full_width_of(cp[i]);
            if (fw && (ocr_is_cjk(neighbour(cp, n, i, -1)) || ocr_is_cjk(neighbour(cp, n, i, 1))))
                cp[i] = fw;
        }
    parenthesis_for_angle(cp, n);
    for (size_t i = 0; narrow_parens && i < n; i++)
        cp[i] = narrow_paren(cp[i]);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += dg_utf8_put(out + o, cp[i]);
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
    size_t i = 0, o = 0;
    unsigned prev = 0; /* last non-space code point written */
    while (i < n) {
        if (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r') {
            while (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')
                i++;
            if (i == n || o == 0)
                continue;
            size_t peek = i;
            if (!(ocr_is_cjk(prev) && ocr_is_cjk(dg_utf8_next(in, n, &peek))))
                out[o++] = ' ';
            continue;
        }
        size_t start = i;
        prev = dg_utf8_next(in, n, &i);
        memcpy(out + o, in + start, i - start);
        o += i - start;
    }
    out[o] = '\0';
    return out;
}

/* Counted as dg_utf8_next walks s, so that the counts match the walks of
 * ocr_widen_words and drop_code_point even on an ill-formed sequence. */
size_t ocr_utf8_len(const char *s)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len; n++)
        dg_utf8_next(s, len, &i);
    return n;
}

int ocr_bare_number(const char *s)
{
    int digit = 0;
    for (; s && *s; s++) {
        if (*s >= '0' && *s <= '9')
            digit = 1;
        else if (!strchr(".:, ", *s))
            return 0;
    }
    return digit;
}

int ocr_number_dots(char *s)
{
    int changed = 0;
    for (char *p = s; p && *p; p++)
        if ((*p == ':' || *p == ',') && p > s && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' &&
            p[1] <= '9') {
            *p = '.';
            changed = 1;
        }
    return changed;
}

char *ocr_join_words(const ocr_word *words, size_t n)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = DG_OK;
    for (size_t j = 0; j < n && rc == DG_OK; j++)
        rc = dg_buf_addf(&b, "%s%s", j ? " " : "", words[j].text);
    char *joined = rc == DG_OK ? dg_buf_detach(&b) : NULL;
    dg_buf_release(&b);
    return joined;
}

/* The words joined by spaces are widened and cut back at the same code
 * point counts (widening keeps them), so a word's neighbours count: the
 * lone ")" of 韦志勇（教授) is Chinese punctuation only beside 授. */
int ocr_widen_words(ocr_word *words, size_t n, int narrow_parens)
{
    if (n == 0)
        return DG_OK;
    char *joined = ocr_join_words(words, n);
    char *wide = joined ? ocr_widen_punctuation(joined, narrow_parens) : NULL;
    free(joined);
    if (!wide)
        return DG_ENOMEM;
    int rc = DG_OK;
    size_t at = 0, len = strlen(wide);
    for (size_t j = 0; j < n && rc == DG_OK; j++) {
        size_t from = at, cps = ocr_utf8_len(words[j].text);
        for (size_t k = 0; k < cps && at < len; k++)
            dg_utf8_next(wide, len, &at);
        char *w = strndup(wide + from, at - from);
        if (!w) {
            rc = DG_ENOMEM;
            break;
        }
        free(words[j].text);
        words[j].text = w;
        at += at < len; /* the space between two words */
    }
    free(wide);
    return rc;
}

/* ASCII marks no record of these forms is written with; chi_sim reads
 * broken strokes as them ([学硕十 for 工学硕士, ] 9000) .7 for 1990.7). */
static int foreign_mark(char c)
{
    return c && strchr("[]{}<>@#$*&~^_\\|`", c) != NULL;
}

size_t ocr_drop_foreign_marks(char *s)
{
    size_t w = 0, dropped = 0;
    for (size_t r = 0; s[r]; r++) {
        if (foreign_mark(s[r]))
            dropped++;
        else
            s[w++] = s[r];
    }
    s[w] = '\0';
    return dropped;
}

size_t ocr_mark_at(const char *p)
{
    static const char *const marks[] = {".", ",", "'", "\"", "-", "_", "`", "~", "|", "\\",
                                        "/", ";", "。", "，", "、", "‘", "’", "“", "”",
                                        "°", "…", "·", "；", "—"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strncmp(p, marks[i], strlen(marks[i])) == 0)
            return strlen(marks[i]);
    return 0;
}

size_t ocr_leading_marks(const char *text)
{
    size_t len = 0;
    for (size_t n; text[len] && (n = ocr_mark_at(text + len)) > 0;)
        len += n;
    return len;
}

/* No value or label of these forms starts with a dot, dash or quote
 * before a character: such marks are specks beside a rule stub or stain
 * grain (-毕业年月, “所在系, .编号).  Before a digit a mark may be a split
 * date's dot (1981 .7) and stays. */
int ocr_trim_marks_before_han(char *word)
{
    size_t len = ocr_leading_marks(word), i = len;
    if (!len || !dg_is_han(dg_utf8_next(word, strlen(word), &i)))
        return 0;
    memmove(word, word + len, strlen(word + len) + 1);
    return 1;
}

/* Bytes of the colon (: or ：) at p, 0 when there is none. */
static size_t colon_at(const char *p)
{
    return *p == ':' ? 1 : strncmp(p, "：", strlen("：")) == 0 ? strlen("：") : 0;
}

int ocr_strip_stray_colons(char *t, int *after_colon)
{
    int changed = 0;
    size_t o = 0;
    for (size_t i = 0, c; t[i];) {
        if ((c = colon_at(t + i)) > 0 && *after_colon) {
            i += c;
            changed = 1;
            continue;
        }
        *after_colon = c > 0 || (*after_colon && t[i] == ' ');
        for (size_t k = c > 0 ? c : 1; k > 0; k--)
            t[o++] = t[i++];
    }
    t[o] = '\0';
    return changed;
}
