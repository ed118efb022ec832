/*
 * filter.c - the lines a page keeps: noise dropped by confidence and by
 * the text filters (marks, stray colons, numbers' marks), boxes mapped back.
 */
#include <stdlib.h>
#include <string.h>

#include "reading.h"

/* Word boxes: the line box cut by character count, then mapped. */
static void place_words(ocr_line *l, const ocr_geom *g)
{
    size_t total = 0;
    for (size_t j = 0; j < l->nwords; j++)
        total += ocr_utf8_len(l->words[j].text);
    size_t before = 0;
    for (size_t j = 0; j < l->nwords; j++) {
        size_t len = ocr_utf8_len(l->words[j].text);
        int x0 = l->box.x + (int)((double)l->box.w * before / (total ? total : 1));
        int x1 = l->box.x + (int)((double)l->box.w * (before + len) / (total ? total : 1));
        ocr_box wb = {x0, l->box.y, x1 > x0 ? x1 - x0 : 1, l->box.h};
        l->words[j].box = ocr_geom_box_to_original(g, wb);
        before += len;
    }
    l->box = ocr_geom_box_to_original(g, l->box);
}

static int line_has_han(const ocr_line *l)
{
    return dg_has_han(l->text);
}

/* 1 when the line holds a letter, digit or Han ideograph.  Rule remnants
 * and specks read as "|", "，", "-" with high confidence, and no record
 * value is punctuation alone. */
static int line_has_word(const ocr_line *l)
{
    const char *text = l->text;
    size_t n = text ? strlen(text) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t c = dg_utf8_next(text, n, &i);
        if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || dg_is_han(c))
            return 1;
    }
    return 0;
}

/* Outside the cells, a line of one letter or digit and marks is a rule
 * piece or speck the grid did not take in ("| 4", "(1!" beside a table edge
 * beyond the cells); a lone page number goes with it. */
static int lone_mark_outside(const ocr_line *l)
{
    if (l->cell >= 0 || line_has_han(l))
        return 0;
    int alnum = 0;
    for (const char *p = l->text; *p; p++)
        alnum += (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z');
    return alnum < 2;
}

static int speck_like(const char *text)
{
    size_t len = ocr_leading_marks(text);
    return len && !text[len];
}

/* The line's text again from its words, after words were changed. */
static int rebuild_text(ocr_line *l)
{
    char *joined = ocr_join_words(l->words, l->nwords);
    char *tidy = joined ? ocr_tidy_text(joined) : NULL;
    free(joined);
    if (!tidy)
        return DG_ENOMEM;
    free(l->text);
    l->text = tidy;
    return DG_OK;
}

/* Words for which drop() holds leave l, and its text is rebuilt. */
static int drop_words(ocr_line *l, int (*drop)(const char *text))
{
    ocr_remove_words(l, drop);
    return rebuild_text(l);
}

/* Specks beside a value read as marks of their own ("1995.3 ..",
 * "1993.9 、"): such a word, in a line that has letters, digits or Han, is
 * dropped and the line's text rebuilt from the rest. */
static int drop_stray_marks(ocr_line *l)
{
    size_t kept = 0;
    for (size_t j = 0; j < l->nwords; j++)
        kept += !speck_like(l->words[j].text);
    return !kept || kept == l->nwords ? DG_OK : drop_words(l, speck_like);
}

/* Specks read as marks at the start of a line, before a character
 * (ocr_trim_marks_before_han): out of its first word and its text alike,
 * so the text keeps Tesseract's spacing (第1页, not 第 1 页 rebuilt from
 * words). */
static int trim_marks_before_han(ocr_line *l)
{
    if (l->nwords && ocr_trim_marks_before_han(l->words[0].text))
        ocr_trim_marks_before_han(l->text);
    return DG_OK;
}

/* A colon closes the label before it (填表单位：): none starts a line of
 * Chinese print, nor follows another.  Such a colon is a speck or a seal's
 * dot read so (：浙江大学研究生院制 under a seal, 经办人： ：万振华) and goes,
 * out of the words and the text alike (the text keeps Tesseract's
 * spacing); 1 when nothing of the line is left. */
static int drop_stray_colons(ocr_line *l)
{
    int changed = 0, after_colon = 1; /* the line's start: as after a colon */
    for (size_t j = 0; j < l->nwords; j++)
        changed |= ocr_strip_stray_colons(l->words[j].text, &after_colon);
    if (!changed)
        return 0;
    ocr_remove_words(l, ocr_empty_text);
    after_colon = 1;
    ocr_strip_stray_colons(l->text, &after_colon);
    return l->nwords == 0;
}

/* 1 when the text is a number or date: digits, marks, spaces and 年月日
 * only, with at least one digit. */
static int numeric_text(const char *t)
{
    int digits = 0;
    for (const char *p = t; *p;) {
        size_t n = ocr_mark_at(p);
        if (*p >= '0' && *p <= '9')
            digits = 1, n = 1;
        else if (*p == ' ')
            n = 1;
        else if (!n && (!strncmp(p, "年", 3) || !strncmp(p, "月", 3) || !strncmp(p, "日", 3)))
            n = 3;
        if (!n)
            return 0;
        p += n;
    }
    return digits;
}

/* Numbers and dates in a cell neither begin nor end with a mark; specks
 * touching them are read into them ("50.10.", "1978.10,", "-1981.7"). */
static int trim_number_marks(ocr_line *l)
{
    if (l->cell < 0 || !l->nwords || !numeric_text(l->text))
        return DG_OK;
    char *first = l->words[0].text, *last = l->words[l->nwords - 1].text;
    size_t lead = ocr_leading_marks(first), n;
    size_t end = strlen(last), cut = end;
    for (size_t i = 0; i < end;) { /* the last run of marks reaching the end */
        n = ocr_mark_at(last + i);
        if (!n) {
            dg_utf8_next(last, end, &i);
            cut = end;
        } else {
            if (cut == end)
                cut = i;
            i += n;
        }
    }
    if (!lead && cut == end)
        return DG_OK;
    if (lead)
        memmove(first, first + lead, strlen(first + lead) + 1);
    if (cut != end)
        last[cut - (l->nwords == 1 ? lead : 0)] = '\0';
    return drop_words(l, ocr_empty_text);
}

/* In a cell holding only a number or date, a colon or comma between two
 * digits is its dot read wrong (52:05, 1957:4, 84:09 for 52.05). */
static int number_dots(ocr_line *l)
{
    if (l->cell < 0 || !ocr_bare_number(l->text))
        return DG_OK;
    int changed = 0;
    for (size_t j = 0; j < l->nwords; j++)
        changed |= ocr_number_dots(l->words[j].text);
    return changed ? rebuild_text(l) : DG_OK;
}

static int line_has_digit(const ocr_line *l)
{
    return l->text && strpbrk(l->text, "0123456789") != NULL;
}

static int line_has_latin(const ocr_line *l)
{
    for (const unsigned char *p = (const unsigned char *)l->text; p && *p; p++)
        if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
            return 1;
    return 0;
}

/* Text in place of *text, widened; 0 on success. */
static int widen_in_place(char **text, int narrow_parens)
{
    char *w = ocr_widen_punctuation(*text, narrow_parens);
    if (!w)
        return DG_ENOMEM;
    free(*text);
    *text = w;
    return DG_OK;
}

static int widen_line(ocr_line *l, int narrow_parens)
{
    int rc = widen_in_place(&l->text, narrow_parens);
    return rc == DG_OK ? ocr_widen_words(l->words, l->nwords, narrow_parens) : rc;
}

/* Marks no record text uses, out of every word; a word left empty goes. */
static int drop_foreign(ocr_line *l)
{
    size_t dropped = 0;
    for (size_t j = 0; j < l->nwords; j++)
        dropped += ocr_drop_foreign_marks(l->words[j].text);
    return dropped ? drop_words(l, ocr_empty_text) : DG_OK;
}

/* The settings' text filters on line l; nonzero when l is to be dropped
 * (noise, or out of memory while rewriting it).  A line of the plain
 * reading (running text) keeps its marks: the filters take the commas and
 * stops of prose for specks beside a form's values. */
static int filter_line(ocr_line *l, const ocr_settings *s, const line_key *k)
{
    int narrow_parens = k->narrow_parens;
    if (k->plain)
        return (s->filter_on && !line_has_word(l)) || (s->widen_on && widen_line(l, 0));
    if (s->filter_on && (drop_foreign(l) || !line_has_word(l) || lone_mark_outside(l) ||
                         drop_stray_marks(l) || trim_marks_before_han(l) || drop_stray_colons(l) ||
                         trim_number_marks(l) || number_dots(l)))
        return 1;
    return s->widen_on && widen_line(l, narrow_parens);
}

/* The least confidence line l is kept at. */
float ocr_line_floor(const ocr_line *l)
{
    /* Rare Han characters (surnames) score 0 even when read right, and
     * noise rarely reads as Han: a cell's Han line is kept on less.  Han
     * mixed with Latin letters is noise read both ways (-所业1TN1I可):
     * record values do not mix them. */
    if (l->cell >= 0 && line_has_han(l) && !line_has_latin(l))
        return 0.0f;
    /* Letters alone, without a digit or Han, are how chi_sim and eng read
     * stain grain and seal residue ("ae", "saps fo", "RES"); no value of
     * these records is Latin words, IDs carry digits. */
    if (line_has_latin(l) && !line_has_han(l) && !line_has_digit(l))
        return 60.0f;
    /* Noise read as text comes back with a very low confidence; a real
     * value in a cell earns some benefit of the doubt. */
    return l->cell >= 0 ? 20.0f : 40.0f;
}

/* Tesseract's own reading of a line whose text the second reader's
 * replaced (lines2.c), filtered and placed as the line would have been
 * without it; what the filters drop leaves it without words. */
static void finish_twin(ocr_line *t, const ocr_settings *s, const line_key *k, const ocr_geom *g)
{
    float floor = k->plain ? 0.0f : ocr_line_floor(t);
    if (!t->text || t->conf < floor || filter_line(t, s, k)) {
        ocr_line_release(t);
        t->words = NULL;
        t->nwords = 0;
        t->text = NULL;
        t->tess = NULL;
    }
    place_words(t, g);
}

/* Drop lines that read as nothing, map boxes, compute the mean confidence. */
void ocr_finish_lines(line_vec *lv, const ocr_settings *s, const ocr_geom *g, ocr_result *r)
{
    size_t k = 0;
    double sum = 0;
    for (size_t i = 0; i < lv->n; i++) {
        ocr_line *l = &lv->v[i];
        /* the plain reading's lines are kept whatever their confidence, as
         * Tesseract itself gives them (they passed the text filters) */
        float floor = lv->k[i].plain ? 0.0f : ocr_line_floor(l);
        if (!l->text || l->conf < floor || filter_line(l, s, &lv->k[i])) {
            ocr_line_release(l);
            continue;
        }
        if (l->tess) /* Tesseract's own reading: kept or dropped as if alone */
            finish_twin(l->tess, s, &lv->k[i], g);
        place_words(l, g);
        sum += l->conf;
        lv->v[k++] = *l;
    }
    r->lines = lv->v;
    r->nlines = k;
    r->mean_conf = k ? sum / (double)k : 0;
    free(lv->k);
}
