/*
 * match.c - code points and the fuzzy label matcher.
 *
 * OCR misreads printed labels in predictable ways: look-alike characters
 * (入→人, 究→穴, 己/已/巳, 未/末, 日/曰, 土/士 ...), spaces inside a label
 * (姓 名), punctuation lost or added (系(所) / 系所).  Labels are folded to
 * letters, digits and Han characters, then found in a line's folded text by
 * a weighted edit distance where a look-alike substitution is cheap.  Short
 * labels get no slack for ordinary edits: a one-character slip in a
 * two-character label would match half the page.
 */
#include "extract_internal.h"

#include <string.h>

size_t ex_utf8_decode(const char *s, size_t len, uint32_t *cp, size_t max)
{
    size_t i = 0, n = 0;
    while (i < len && n < max)
        cp[n++] = dg_utf8_next(s, len, &i);
    return n;
}

int ex_cp_significant(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) ||
           (c >= 0xFF41 && c <= 0xFF5A) || dg_is_han(c);
}

int ex_label_fold(const char *utf8, ex_label *out)
{
    uint32_t tmp[256];
    size_t n = utf8 ? ex_utf8_decode(utf8, strlen(utf8), tmp, 256) : 0;
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ex_cp_significant(tmp[i]))
            continue;
        if (out->len == EX_LABEL_MAX)
            return -1;
        out->cp[out->len++] = tmp[i];
    }
    return out->len ? 0 : -1;
}

/* Pairs OCR confuses on these forms (PLATFORM.md and the OCR engineer's notes). */
static const uint32_t lookalike[][2] = {
    {0x5165, 0x4EBA}, /* 入 人 */ {0x5165, 0x5927}, /* 入 大 */ {0x7A76, 0x7A74}, /* 究 穴 */
    {0x5DF1, 0x5DF2}, /* 己 已 */ {0x5DF1, 0x5DF3}, /* 己 巳 */ {0x5DF2, 0x5DF3}, /* 已 巳 */
    {0x672A, 0x672B}, /* 未 末 */ {0x65E5, 0x66F0}, /* 日 曰 */ {0x571F, 0x58EB}, /* 土 士 */
    {0x5E72, 0x5343}, /* 干 千 */ {0x8D2F, 0x8D2E}, /* 贯 贳 */ {0x5E08, 0x5E05}, /* 师 帅 */
    {0x540D, 0x5404}, /* 名 各 */ {0x53F7, 0x5F53}, /* 号 当 */ {0x6BD5, 0x6BD9}, /* 毕 毙 */
    {0x8C8C, 0x8C82}, /* 貌 貂 */ {0x7C4D, 0x7C4E}, /* 籍 籎 */ {0x7F16, 0x7EB6}, /* 编 纶 */
    {0x53F7, 0x53F6}, /* 号 叶: chi_sim on a sans-serif 学号 */
    {'0', 'O'},       {'1', 'l'},       {'0', 0x3007},
};

static double sub_cost(uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    for (size_t i = 0; i < sizeof lookalike / sizeof *lookalike; i++)
        if ((lookalike[i][0] == a && lookalike[i][1] == b) ||
            (lookalike[i][0] == b && lookalike[i][1] == a))
            return 0.3;
    return 1;
}

double ex_label_tolerance(const ex_label *label)
{
    if (label->len <= 2)
        return 0.35; /* one look-alike, nothing else */
    if (label->len <= 4)
        return 1.0;
    return 1.6;
}

/* Weighted Levenshtein between label and text[0..n), n small. */
static double distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    double row[EX_LABEL_MAX + 8], prev[EX_LABEL_MAX + 8];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (double)j;
    for (size_t i = 1; i <= na; i++) {
        row[0] = (double)i;
        for (size_t j = 1; j <= nb; j++) {
            double d = prev[j - 1] + sub_cost(a[i - 1], b[j - 1]);
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (row[j - 1] + 1 < d)
                d = row[j - 1] + 1;
            row[j] = d;
        }
        memcpy(prev, row, (nb + 1) * sizeof *row);
    }
    return prev[nb];
}

double ex_label_find(const ex_label *label, const uint32_t *text, size_t n, size_t *start,
                     size_t *end)
{
    double best = 1e9;
    size_t L = (size_t)label->len;
    int slack = label->len <= 2 ? 0 : 1;
    for (size_t i = 0; i < n; i++) {
        /* a match starts and ends on a character of the label, not on a slip */
        if (sub_cost(text[i], label->cp[0]) >= 1 && (L < 2 || sub_cost(text[i], label->cp[1]) >= 1))
            continue;
        for (int d = -slack; d <= slack; d++) {
            size_t len = L + (size_t)(d + slack) - (size_t)slack;
            if (len == 0 || i + len > n)
                continue;
            double c = distance(label->cp, L, text + i, len) + (d ? 0.01 : 0);
            if (c < best) {
                best = c;
                *start = i;
                *end = i + len;
            }
        }
    }
    return best;
}
