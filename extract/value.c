/*
 * value.c - from the glyphs chosen for a field to its value: what is cut
 * off at the edges (punctuation, rule ends, stray marks, a page number),
 * an enum's allowed value, the words, box and confidence behind it; and
 * the records that hold the values.
 */
#include "extract_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_rule_or_punct(uint32_t c)
{
    return c == '|' || c == ':' || c == 0xFF1A || c == 0xFF5C || c == ',' || c == 0xFF0C ||
           c == '_' || c == ';' || c == 0xFF1B || c == '.' || c == '[' || c == ']';
}

/* Marks OCR leaves at a value's edges from noise, stamps and rule ends
 * (quotes, enumeration commas, stars); no field value starts or ends with
 * one. */
static int is_stray_edge(uint32_t c)
{
    return c == '"' || c == '\'' || c == '`' || c == '~' || c == '*' || c == 0x201C ||
           c == 0x201D || c == 0x2018 || c == 0x2019 || c == 0x3001 || c == 0x3002 ||
           c == 0x00B7 || c == 0x2022 || c == 0xFF02 || c == 0xFF07;
}

/* A printed dash (— or -) is a value: "not awarded", not an empty cell. */
static int is_dash(uint32_t c)
{
    return c == '-' || c == 0x2014 || c == 0x2013 || c == 0x2500 || c == 0xFF0D;
}

/* ---- building a value ------------------------------------------------------------- */

int ex_gsel_add(ex_gsel *s, size_t g)
{
    if (s->n == s->alloc) {
        size_t a = s->alloc ? s->alloc * 2 : 32;
        size_t *n = realloc(s->g, a * sizeof *n);
        if (!n)
            return DG_ENOMEM;
        s->g = n;
        s->alloc = a;
    }
    s->g[s->n++] = g;
    return DG_OK;
}

int ex_is_numeral(uint32_t c)
{
    static const uint32_t zh[] = {0x3007, 0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94,
                                  0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341, 0x4E24};
    if (c >= '0' && c <= '9')
        return 1;
    for (size_t i = 0; i < sizeof zh / sizeof *zh; i++)
        if (c == zh[i])
            return 1;
    return 0;
}

/* Ledger pages print their numbering on the header line ("第1页 共2页");
 * when OCR reads it into the same line as a value it is cut off: returns
 * where a "第N页" or "共N页" starting at or after s begins, else e. */
static size_t page_number_start(const ex_page *p, const ex_run *r, size_t s, size_t e)
{
    for (size_t i = s; i + 2 < e; i++) {
        uint32_t c = EX_RUN_CP(p, r, i);
        if (c != 0x7B2C /* 第 */ && c != 0x5171 /* 共 */)
            continue;
        size_t j = i + 1;
        while (j < e && ex_is_numeral(EX_RUN_CP(p, r, j)))
            j++;
        if (j > i + 1 && j < e && EX_RUN_CP(p, r, j) == 0x9875 /* 页 */)
            return i;
    }
    return e;
}

/* Glyphs [s, e) of a run, without leading/trailing punctuation and rules. */
int ex_gsel_run(const ex_page *p, size_t ri, size_t s, size_t e, ex_gsel *out)
{
    const ex_run *r = &p->runs[ri];
    e = page_number_start(p, r, s, e);
    /* what is left of the label's punctuation: 系(所) matched as 系(所 */
    while (s < e && (is_rule_or_punct(EX_RUN_CP(p, r, s)) || is_stray_edge(EX_RUN_CP(p, r, s)) ||
                     EX_RUN_CP(p, r, s) == ')' || EX_RUN_CP(p, r, s) == 0xFF09))
        s++;
    while (e > s && (EX_RUN_CP(p, r, e - 1) == '|' || EX_RUN_CP(p, r, e - 1) == ':' ||
                     EX_RUN_CP(p, r, e - 1) == 0xFF1A || is_stray_edge(EX_RUN_CP(p, r, e - 1))))
        e--;
    for (size_t i = s; i < e; i++)
        if (ex_gsel_add(out, p->run_glyphs[r->g0 + i]))
            return DG_ENOMEM;
    return DG_OK;
}

int ex_gsel_significant(const ex_page *p, const ex_gsel *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (ex_cp_significant(p->glyphs[s->g[i]].cp) || is_dash(p->glyphs[s->g[i]].cp))
            return 1;
    return 0;
}

static void box_union(ex_box *a, ex_box b, int *first)
{
    if (*first) {
        *a = b;
        *first = 0;
        return;
    }
    int x1 = a->x + a->w > b.x + b.w ? a->x + a->w : b.x + b.w;
    int y1 = a->y + a->h > b.y + b.h ? a->y + a->h : b.y + b.h;
    a->x = a->x < b.x ? a->x : b.x;
    a->y = a->y < b.y ? a->y : b.y;
    a->w = x1 - a->x;
    a->h = y1 - a->y;
}

/* Enum fields: when one allowed value is in the text, that is the value. */
static void apply_enum(const ex_field *f, dg_buf *raw)
{
    for (size_t i = 0; i < f->nenums; i++)
        if (raw->data && strstr(raw->data, f->enums[i]) && strcmp(raw->data, f->enums[i]) != 0) {
            dg_buf_reset(raw);
            dg_buf_adds(raw, f->enums[i]);
            return;
        }
}

int ex_make_value(const ex_page *p, const ex_field *f, const ex_gsel *s, const char *rule,
                  ex_value *v)
{
    dg_buf raw, words;
    dg_buf_init(&raw, 1 << 16);
    dg_buf_init(&words, 1 << 16);
    dg_buf_addc(&words, '[');
    int first = 1, sig = 0;
    double sum = 0;
    size_t nw = 0, last_word = (size_t)-1;
    int64_t last_id = -1; /* Tesseract's words of a re-read line may share a stored word */
    v->conf_min = 100;
    for (size_t i = 0; i < s->n; i++) {
        const ex_glyph *g = &p->glyphs[s->g[i]];
        if (f->max_chars && ex_cp_significant(g->cp) && ++sig > f->max_chars)
            break;
        dg_utf8_add(&raw, g->cp);
        if (g->word == last_word)
            continue;
        last_word = g->word;
        const ex_word *w = &p->words[g->word];
        if (w->id != last_id)
            dg_buf_addf(&words, "%s%lld", nw ? "," : "", (long long)w->id);
        last_id = w->id;
        box_union(&v->box, w->orig, &first);
        sum += w->conf;
        if (w->conf < v->conf_min)
            v->conf_min = w->conf;
        nw++;
    }
    dg_buf_addc(&words, ']');
    apply_enum(f, &raw);
    v->conf_mean = nw ? sum / (double)nw : 0;
    if (!nw)
        v->conf_min = 0;
    v->raw = dg_buf_detach(&raw);
    v->words = dg_buf_detach(&words);
    v->rule = rule;
    return v->raw && v->words ? DG_OK : DG_ENOMEM;
}

int ex_run_has_text(const ex_page *p, const ex_run *r)
{
    for (size_t i = 0; i < r->ng; i++)
        if (ex_cp_significant(EX_RUN_CP(p, r, i)))
            return 1;
    return 0;
}

int ex_record_add(ex_result *res, const ex_template *t, int row_no)
{
    ex_record *r = realloc(res->records, (res->nrecords + 1) * sizeof *r);
    if (!r)
        return DG_ENOMEM;
    res->records = r;
    r = &res->records[res->nrecords++];
    memset(r, 0, sizeof *r);
    r->row_no = row_no;
    r->values = calloc(t->nfields ? t->nfields : 1, sizeof *r->values);
    return r->values ? DG_OK : DG_ENOMEM;
}

void ex_record_box(ex_record *r, size_t nvals)
{
    int first = 1;
    for (size_t i = 0; i < nvals; i++)
        if (r->values[i].raw)
            box_union(&r->box, r->values[i].box, &first);
}
