/*
 * lookup_recall.c - does `dangan lookup` find the person however a request
 * writes the name, and does it keep quiet when the person is not archived?
 * (issue #23; figures in docs/lookup.md)
 *
 * Population: N persons drawn from name statistics, not from any sample's
 * names: surnames (compound ones too) by their counts in STATS/surnames.tsv,
 * given-name characters by their counts for people born 1930-1979 in
 * STATS/given_chars_by_cohort.tsv (the ChineseNames tables of
 * shared/data/names: used here to evaluate, never shipped or read by
 * dangan), one or two given characters, births 1930-1975, graduation 24-30
 * years later, one of 30 majors.  Keys by norm_name_keys, as load stores
 * them.
 *
 * Requests, each made from a random archived person (or a new person the
 * archive does not hold) and run at six levels of evidence: the name alone,
 * with one more fact (birth year, birth month, graduation year, major), and
 * with the month, graduation year and major (what an alumni request carries):
 *   misread 1-4  one character replaced at that position: --misread random
 *                (the surname by another surname, a given character by
 *                another drawn by frequency) or lookalike (a class mate in
 *                confusables.tsv, or a misread chi_sim made on clean print)
 *                or ocr (one of the 3 closest glyphs by --ocr-table, a
 *                table of other fonts than lookup's glyphs.tsv)
 *   traditional  the whole name in traditional characters (ICU Hans-Hant)
 *   pinyin order given name first ("Jianguo Chen"), any case
 *   pinyin tones tone marks or tone digits ("Chén Jiànguó", "chen2 jian4guo2")
 *   pinyin forms hyphens, capitals, no spaces ("CHEN Jian-guo", "chenjianguo")
 *   absent Han / absent pinyin: a name no archived person has
 * For every request it records whether the person is in the top 3, whether
 * lookup said it found the name as asked (and its as_asked value, so the
 * threshold can be chosen on one --seed and checked on another) and, for
 * misreads, whether at most two rivals fit the request as well as the
 * person does (how ambiguous the request is by nature).
 *
 * usage: lookup_recall --stats DIR [--n N] [--requests R] [--seed S] [--db PATH] [--reuse]
 *                      [--misses] [--misread random|lookalike|ocr --ocr-table FILE]
 */
#include <math.h>
#include <stddef.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unistd.h>

#include "archive.h"
#include "normalize.h"

typedef struct table {
    char (*item)[16];
    double *cum; /* cumulative counts */
    size_t n;
} table;

/* TSV with a header: item in column 0, count in column `col`. */
static int table_read(const char *path, int col, table *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    size_t alloc = 0;
    double acc = 0;
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        if (first) {
            first = 0;
            continue;
        }
        char *fields[16];
        int nf = 0;
        for (char *p = line; nf < 16;) {
            fields[nf++] = p;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p++ = '\0';
        }
        if (nf <= col || strlen(fields[0]) >= 16 || !*fields[0])
            continue;
        double c = atof(fields[col]);
        if (c <= 0)
            continue;
        if (t->n == alloc) {
            alloc = alloc ? 2 * alloc : 1024;
            t->item = realloc(t->item, alloc * sizeof *t->item);
            t->cum = realloc(t->cum, alloc * sizeof *t->cum);
        }
        snprintf(t->item[t->n], 16, "%s", fields[0]);
        acc += c;
        t->cum[t->n++] = acc;
    }
    fclose(f);
    return t->n ? 0 : -1;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double unif(uint64_t *s)
{
    return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

static const char *table_draw(const table *t, uint64_t *s)
{
    double x = unif(s) * t->cum[t->n - 1];
    size_t lo = 0, hi = t->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return t->item[lo];
}

static const char *const majors[][2] = {
    {"计算机软件", "0812"}, {"理论物理", "0702"},   {"有机化学", "0703"},   {"基础数学", "0701"},
    {"固体力学", "0801"},   {"无线电技术", "0810"}, {"植物学", "0710"},     {"水利工程", "0815"},
    {"英语语言文学", "0502"}, {"中国古代史", "0602"}, {"政治经济学", "0201"}, {"哲学", "0101"},
    {"机械制造", "0802"},   {"电力系统", "0808"},   {"自动控制", "0811"},   {"土木工程", "0814"},
    {"化学工程", "0817"},   {"地质学", "0709"},     {"气象学", "0706"},     {"动物学", "0710"},
    {"内科学", "1002"},     {"药物化学", "1007"},   {"农学", "0901"},       {"林学", "0907"},
    {"法学理论", "0301"},   {"教育学原理", "0401"}, {"汉语言文字学", "0501"}, {"世界经济", "0202"},
    {"应用数学", "0701"},   {"光学", "0702"},
};
enum { NMAJORS = sizeof majors / sizeof majors[0] };

typedef struct person {
    char sur[16], given[2][16];
    int ngiven, by, bm, gy, major;
} person;

static void person_draw(const table *sur, const table *giv, uint64_t *s, person *p)
{
    snprintf(p->sur, sizeof p->sur, "%s", table_draw(sur, s));
    p->ngiven = unif(s) < 0.35 ? 1 : 2;
    for (int i = 0; i < p->ngiven; i++)
        snprintf(p->given[i], sizeof p->given[i], "%s", table_draw(giv, s));
    p->by = 1930 + (int)(rnd(s) % 46);
    p->bm = 1 + (int)(rnd(s) % 12);
    p->gy = p->by + 24 + (int)(rnd(s) % 7);
    p->major = (int)(rnd(s) % NMAJORS);
}

static uint64_t person_seed(long idx)
{
    uint64_t z = 0x5eed2312ULL + 0x9e3779b97f4a7c15ULL * (uint64_t)(idx + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z ? z : 1;
}

static void person_name(const person *p, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", p->sur, p->given[0], p->ngiven > 1 ? p->given[1] : "");
}

/* Look-alike pairs: from -> to (one direction per line; classes both ways). */
typedef struct lookalikes {
    char (*from)[8], (*to)[8];
    size_t n;
} lookalikes;

typedef struct ctx {
    sqlite3 *db;
    norm_ctx *nc;
    table sur, giv;
    int model; /* M_RANDOM, M_LOOKALIKE, M_OCR */
    lookalikes la;
    norm_glyphs *ocr; /* M_OCR: look-alikes by other fonts than lookup's table */
    UTransliterator *hant, *py, *pyg, *digits; /* pyg: given names (Names reads 召 as a surname) */
} ctx;

static int build(ctx *c, long n)
{
    sqlite3_stmt *ip, *is, *ir;
    int64_t run_id;
    if (db_prepare(c->db, "INSERT INTO person(name_written, name_simplified, pinyin, "
                          "lookalike_key, birth, sex) VALUES (?, ?, ?, ?, ?, '男')",
                   &ip, NULL) ||
        db_prepare(c->db, "INSERT INTO study_record(person_id, university, department, "
                          "major_hist, code_2022, name_2022, grad, degree, load_run, loaded) "
                          "VALUES (?, '北京大学', '研究生院', ?, ?, '', ?, 'master', ?, "
                          "'2024-01-01T00:00:00Z')",
                   &is, NULL) ||
        db_prepare(c->db, "INSERT INTO person_reading(person_id, pinyin) VALUES (?, ?)", &ir,
                   NULL) ||
        db_run_begin(c->db, "load", "{\"bench\":true}", &run_id, NULL))
        return -1;
    int rc = 0;
    for (long i = 0; i < n && !rc; i++) {
        if (i % 10000 == 0)
            rc = db_begin(c->db, NULL);
        uint64_t s = person_seed(i);
        person p;
        person_draw(&c->sur, &c->giv, &s, &p);
        char name[64], birth[16], grad[16];
        person_name(&p, name, sizeof name);
        snprintf(birth, sizeof birth, "%04d-%02d", p.by, p.bm);
        snprintf(grad, sizeof grad, "%04d-07", p.gy);
        norm_keys k;
        if (!rc && norm_name_keys(c->nc, name, &k, NULL) == 0) {
            sqlite3_bind_text(ip, 1, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ip, 2, k.simplified, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ip, 3, k.pinyin, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ip, 4, k.lookalike, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ip, 5, birth, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(ip) == SQLITE_DONE ? 0 : -1;
            sqlite3_reset(ip);
            int64_t pid = sqlite3_last_insert_rowid(c->db);
            for (size_t a = 0; a < k.nalt && !rc; a++) { /* as load writes them */
                sqlite3_bind_int64(ir, 1, pid);
                sqlite3_bind_text(ir, 2, k.alt[a], -1, SQLITE_TRANSIENT);
                rc = sqlite3_step(ir) == SQLITE_DONE ? 0 : -1;
                sqlite3_reset(ir);
            }
            norm_keys_release(&k);
            sqlite3_bind_int64(is, 1, pid);
            sqlite3_bind_text(is, 2, majors[p.major][0], -1, SQLITE_STATIC);
            sqlite3_bind_text(is, 3, majors[p.major][1], -1, SQLITE_STATIC);
            sqlite3_bind_text(is, 4, grad, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(is, 5, run_id);
            rc |= sqlite3_step(is) == SQLITE_DONE ? 0 : -1;
            sqlite3_reset(is);
        }
        if (!rc && (i % 10000 == 9999 || i == n - 1))
            rc = db_commit(c->db, NULL);
    }
    sqlite3_finalize(ip);
    sqlite3_finalize(is);
    sqlite3_finalize(ir);
    return rc;
}

/* ICU transliteration of UTF-8 text (bench only: dangan reads via normalize/). */
static int translit(UTransliterator *t, const char *in, char *out, int32_t size)
{
    UChar u[256];
    int32_t len = 0, lim;
    UErrorCode e = U_ZERO_ERROR;
    u_strFromUTF8(u, 256, &len, in, -1, &e);
    lim = len;
    utrans_transUChars(t, u, &len, 256, 0, &lim, &e);
    u_strToUTF8(out, size, NULL, u, len, &e);
    return U_FAILURE(e) ? -1 : 0;
}

enum { K_MIS1, K_MIS2, K_MIS3, K_MIS4, K_TRAD, K_ORDER, K_TONES, K_FORMS, K_ABS_HAN, K_ABS_PY,
       NK };
static const char *const kname[NK] = {
    "misread, 1st character (surname)", "misread, 2nd character", "misread, 3rd character",
    "misread, 4th character", "traditional characters", "pinyin, given name first",
    "pinyin with tones (marks or digits)", "pinyin: hyphens, capitals, no spaces",
    "not archived (Han)", "not archived (pinyin)"};
/* Evidence a request carries: the name alone, one more fact a requester
 * always knows, or all of them (what an alumni request such as "I studied
 * 计算机软件 here from 1985 to 1988" carries). */
enum { L_NAME, L_YEAR, L_MONTH, L_GRAD, L_MAJOR, L_ALL, NLEVEL };
static const char *const lname[NLEVEL] = {"name", "+ birth year", "+ birth month",
                                          "+ grad. year", "+ major", "+ month, grad., major"};
/* How a misread is made: any character drawn by its frequency in that slot
 * (an input method's or a careless typist's substitution), or an OCR
 * look-alike: a class mate in configs/normalize/confusables.tsv or a pair
 * chi_sim was seen to misread on clean print (docs/ocr.md: 郝->部, 冯->汉,
 * 孟->重, 孟->备, 曹->草); or, OCR-like, one of the three closest glyphs
 * by a table made from *other* fonts than the one lookup reads (--ocr-table,
 * bench/glyphs_ocr.tsv: AR PL UMing/UKai and WenQuanYi, not Noto), so the
 * misreads are not drawn from the scores lookup ranks by. */
enum { M_RANDOM, M_LOOKALIKE, M_OCR };
/* The OCR-like misreads: among the closest this many with at least this score. */
enum { OCR_TOP = 3 };
#define OCR_MIN 0.75
static int is_misread(int k)
{
    return k <= K_MIS4;
}

static int archived(ctx *c, const char *name)
{
    norm_keys k;
    if (norm_name_keys(c->nc, name, &k, NULL))
        return 1;
    sqlite3_stmt *st;
    db_prepare(c->db, "SELECT 1 FROM person WHERE name_simplified = ?1", &st, NULL);
    sqlite3_bind_text(st, 1, k.simplified, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    norm_keys_release(&k);
    return found;
}

static void scopy(char *d, size_t n, const char *s)
{
    size_t l = strlen(s);
    l = l < n ? l : n - 1;
    memcpy(d, s, l);
    d[l] = '\0';
}

static void cap(char *s, int all)
{
    for (int i = 0; s[i]; i++)
        if ((all || i == 0) && s[i] >= 'a' && s[i] <= 'z')
            s[i] = (char)(s[i] - 'a' + 'A');
}

/* The syllables of each part, toned or not ("chén", "jiàn", "guó"). */
static void pinyin_parts(ctx *c, const person *p, int toned, char sur[64], char giv[2][32])
{
    char tmp[64];
    translit(c->py, p->sur, tmp, sizeof tmp);
    if (!toned) { /* fold to ASCII through the normalizer, as a person types it */
        norm_keys k;
        norm_query_keys(c->nc, tmp, &k, NULL);
        snprintf(tmp, sizeof tmp, "%s", k.pinyin ? k.pinyin : "");
        norm_keys_release(&k);
    }
    /* a compound surname comes out as two syllables: write them together */
    size_t w = 0;
    for (size_t i = 0; tmp[i] && w < 63; i++)
        if (tmp[i] != ' ')
            sur[w++] = tmp[i];
    sur[w] = '\0';
    for (int i = 0; i < p->ngiven; i++) {
        translit(c->pyg, p->given[i], tmp, sizeof tmp);
        if (!toned) {
            norm_keys k;
            norm_query_keys(c->nc, tmp, &k, NULL);
            snprintf(tmp, sizeof tmp, "%s", k.pinyin ? k.pinyin : "");
            norm_keys_release(&k);
        }
        scopy(giv[i], 32, tmp);
    }
}

static void pinyin_request(ctx *c, const person *p, int kind, uint64_t *s, char *out, size_t n)
{
    char sur[64], giv[2][32], g[72], g2[32] = "";
    int toned = kind == K_TONES;
    pinyin_parts(c, p, toned, sur, giv);
    if (toned && rnd(s) % 2) { /* tone digits: chen2 jian4guo2 */
        translit(c->digits, sur, g, sizeof g);
        scopy(sur, 64, g);
        for (int i = 0; i < p->ngiven; i++) {
            translit(c->digits, giv[i], g, sizeof g);
            scopy(giv[i], 32, g);
        }
    }
    if (p->ngiven > 1)
        snprintf(g2, sizeof g2, "%s", giv[1]);
    int hyphen = kind == K_FORMS && rnd(s) % 2;
    snprintf(g, sizeof g, "%s%s%s", giv[0], hyphen && *g2 ? "-" : "", g2);
    if (kind == K_FORMS && rnd(s) % 3 == 0) { /* all run together */
        snprintf(out, n, "%.40s%.70s", sur, g);
        return;
    }
    if (kind == K_FORMS || rnd(s) % 2)
        cap(sur, kind == K_FORMS && rnd(s) % 2);
    if (rnd(s) % 2)
        cap(g, 0);
    if (kind == K_ORDER || (kind != K_FORMS && rnd(s) % 2))
        snprintf(out, n, "%.70s %.40s", g, sur);
    else
        snprintf(out, n, "%.40s %.70s", sur, g);
}

typedef struct req {
    char text[128], born[16], year[8], grad[8];
    const char *major;
    int64_t want; /* 0: not archived */
} req;

/* The characters of a name (UTF-8, at most 8). */
static int name_split(const char *name, char ch[8][8])
{
    int k = 0;
    for (size_t i = 0, n = strlen(name); i < n && k < 8; k++) {
        size_t j = i + 1;
        while (j < n && (name[j] & 0xC0) == 0x80)
            j++;
        if (j - i >= 8)
            return 0;
        memcpy(ch[k], name + i, j - i);
        ch[k][j - i] = '\0';
        i = j;
    }
    return k;
}

/* A look-alike of ch drawn among its listed ones; NULL when it has none. */
static const char *lookalike_of(const ctx *c, const char *ch, uint64_t *s)
{
    size_t hits = 0, pick = 0;
    for (size_t i = 0; i < c->la.n; i++)
        hits += strcmp(c->la.from[i], ch) == 0;
    if (!hits)
        return NULL;
    pick = rnd(s) % hits;
    for (size_t i = 0; i < c->la.n; i++)
        if (strcmp(c->la.from[i], ch) == 0 && pick-- == 0)
            return c->la.to[i];
    return NULL;
}

/* Replace the character at pos (0-based) of name: by a look-alike, or by
 * another surname / given character drawn by frequency.  0 when it cannot
 * (no such position, no look-alike). */
static int misread(ctx *c, const person *p, int pos, uint64_t *s, char *out, size_t size)
{
    char name[64], ch[8][8];
    person_name(p, name, sizeof name);
    int n = name_split(name, ch), slen = (int)(strlen(p->sur) / 3);
    if (pos >= n)
        return 0;
    if (c->model == M_LOOKALIKE) {
        const char *o = lookalike_of(c, ch[pos], s);
        if (!o)
            return 0;
        snprintf(ch[pos], 8, "%s", o);
    } else if (c->model == M_OCR) {
        /* the closest glyphs that are another character, not a form of the
         * same one (張 for 张 is a traditional spelling, not a misread) */
        size_t i = 0, m = 0;
        uint32_t pick[OCR_TOP];
        const norm_glyph_nb *nb;
        size_t k = norm_glyphs_neighbours(c->ocr, dg_utf8_next(ch[pos], strlen(ch[pos]), &i), &nb);
        for (size_t j = 0; j < k && m < OCR_TOP && nb[j].score >= OCR_MIN; j++) {
            char o[8];
            norm_keys nk;
            o[dg_utf8_put(o, nb[j].cp)] = '\0';
            if (norm_name_keys(c->nc, o, &nk, NULL))
                continue;
            if (nk.simplified && strcmp(nk.simplified, ch[pos]) != 0)
                pick[m++] = nb[j].cp;
            norm_keys_release(&nk);
        }
        if (!m)
            return 0;
        ch[pos][dg_utf8_put(ch[pos], pick[rnd(s) % m])] = '\0';
    } else if (pos == 0 && slen == 1) { /* the surname: another single surname */
        person q = *p;
        for (int tries = 0; tries < 1000 && strcmp(q.sur, p->sur) == 0; tries++) {
            const char *o = table_draw(&c->sur, s);
            if (strlen(o) == strlen(p->sur))
                memcpy(q.sur, o, strlen(o) + 1);
        }
        if (strcmp(q.sur, p->sur) == 0)
            return 0;
        person_name(&q, out, size);
        return 1;
    } else {
        char old[8];
        snprintf(old, sizeof old, "%s", ch[pos]);
        while (strcmp(ch[pos], old) == 0)
            snprintf(ch[pos], 8, "%s", table_draw(&c->giv, s));
    }
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s", ch[i]);
    return 1;
}

static int make_request(ctx *c, long n, int kind, uint64_t *s, req *r)
{
    person p;
    char name[64];
    int absent = kind >= K_ABS_HAN;
    for (int tries = 0;; tries++) {
        long idx = (long)(rnd(s) % (uint64_t)n);
        uint64_t ps = person_seed(idx);
        person_draw(&c->sur, &c->giv, &ps, &p);
        r->want = idx + 1;
        if (absent) {
            person_draw(&c->sur, &c->giv, s, &p);
            person_name(&p, name, sizeof name);
            r->want = 0;
            if (archived(c, name))
                continue;
        }
        person_name(&p, name, sizeof name);
        if (kind == K_TRAD) {
            char t[128];
            translit(c->hant, name, t, sizeof t);
            if (strcmp(t, name) == 0 && tries < 1000)
                continue; /* nothing to write differently */
            snprintf(r->text, sizeof r->text, "%s", t);
        }
        if (is_misread(kind) && !misread(c, &p, kind - K_MIS1, s, r->text, sizeof r->text)) {
            if (tries < 2000000)
                continue; /* a name without that position or without a look-alike there */
            return -1;
        }
        break;
    }
    snprintf(r->born, sizeof r->born, "%04d-%02d", p.by, p.bm);
    snprintf(r->year, sizeof r->year, "%04d", p.by);
    snprintf(r->grad, sizeof r->grad, "%04d", p.gy);
    r->major = majors[p.major][0];
    if (kind == K_ABS_HAN)
        person_name(&p, r->text, sizeof r->text);
    else if (!is_misread(kind) && kind != K_TRAD)
        pinyin_request(c, &p, kind == K_ABS_PY ? (int)(K_ORDER + rnd(s) % 3) : kind, s, r->text,
                       sizeof r->text);
    return 0;
}

/* as_asked values kept per level for the threshold sweep */
typedef struct kstat {
    int n, top3[NLEVEL], exact[NLEVEL];
    int pinyin_hit[NLEVEL]; /* a hit found by its pinyin: what counted as "as asked" before */
    int clear[NLEVEL];      /* misreads: at most 2 rivals as consistent as the person */
    double *asked[NLEVEL];
} kstat;

static const double sweep[] = {0.5, 0.7, 0.8, 0.9, 0.95, 0.99};
enum { NSWEEP = sizeof sweep / sizeof sweep[0] };

static double frac_at_least(const double *v, int n, double t)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += v[i] >= t;
    return n ? 100.0 * k / n : 0;
}

/* One table: kinds [from, to) by level, the per-level counts at byte
 * offset `at` of kstat; absent kinds get `absent_note` after each share. */
static void print_table(const kstat *ks, int from, int to, size_t at, const char *absent_note,
                        const char *title)
{
    printf("\n%s:\n\n| request | n |", title);
    for (int l = 0; l < NLEVEL; l++)
        printf(" %s |", lname[l]);
    printf("\n|---|---|");
    for (int l = 0; l < NLEVEL; l++)
        printf("---|");
    printf("\n");
    for (int k = from; k < to; k++) {
        const kstat *st = &ks[k];
        const int *v = (const int *)((const char *)st + at);
        printf("| %s | %d |", kname[k], st->n);
        for (int l = 0; l < NLEVEL; l++)
            printf(st->n ? " %.1f%%%s |" : " - |", st->n ? 100.0 * v[l] / st->n : 0,
                   k >= K_ABS_HAN ? absent_note : "");
        printf("\n");
    }
}

static void level_query(const req *r, int l, arc_lookup_query *q)
{
    memset(q, 0, sizeof *q);
    q->name = r->text;
    q->who = "bench";
    q->born = l == L_YEAR ? r->year : l == L_MONTH || l == L_ALL ? r->born : NULL;
    q->graduated = l == L_GRAD || l == L_ALL ? r->grad : NULL;
    q->major = l == L_MAJOR || l == L_ALL ? r->major : NULL;
}

/*
 * How ambiguous a misread is by nature: archived persons other than the
 * one asked about whose name is the request or one character away from it
 * (the same length) and whose record fits every fact given as well as the
 * person's does.  With three or more such rivals nothing that reads only
 * the name and the facts can put the person in the top 3 except by luck;
 * a model of which misreads are likely (look-alikes) can.
 */
static long rivals(ctx *c, const req *r, int l)
{
    static const char *const pos_sql[] = {
        "length(p.name_simplified) = length(?1) AND substr(p.name_simplified, 2) = substr(?1, 2)",
        "substr(p.name_simplified, 1, 1) = substr(?1, 1, 1) AND length(p.name_simplified) = "
        "length(?1) AND substr(p.name_simplified, 3) = substr(?1, 3)",
        "substr(p.name_simplified, 1, 2) = substr(?1, 1, 2) AND length(p.name_simplified) = "
        "length(?1) AND substr(p.name_simplified, 4) = substr(?1, 4)",
        "substr(p.name_simplified, 1, 3) = substr(?1, 1, 3) AND length(p.name_simplified) = "
        "length(?1) AND substr(p.name_simplified, 5) = substr(?1, 5)",
    };
    arc_lookup_query q;
    level_query(r, l, &q);
    long total = 0;
    /* pos 4: an archived person named as the request (counted once) */
    for (int pos = 0; pos < 5; pos++) {
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM person p JOIN study_record s ON s.person_id = p.id "
                 "WHERE %s AND p.id <> ?2 AND (?3 IS NULL OR p.birth LIKE ?3 || '%%') "
                 "AND (?4 IS NULL OR s.grad LIKE ?4 || '%%') AND (?5 IS NULL OR s.major_hist = ?5)",
                 pos < 4 ? pos_sql[pos] : "p.name_simplified = ?1");
        if (pos < 4)
            snprintf(sql + strlen(sql), sizeof sql - strlen(sql),
                     " AND p.name_simplified <> ?1");
        sqlite3_stmt *st;
        if (db_prepare(c->db, sql, &st, NULL))
            return -1;
        sqlite3_bind_text(st, 1, r->text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, r->want);
        sqlite3_bind_text(st, 3, q.born, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, q.graduated, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, q.major, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            total += sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return total;
}

static int run(ctx *c, long n, int per_kind, uint64_t seed, int show_misses)
{
    arc_lookup *lk;
    dg_err err = {0};
    if (arc_lookup_new(c->db, NULL, &lk, &err)) {
        fprintf(stderr, "lookup_recall: %s\n", err.msg);
        return -1;
    }
    kstat ks[NK] = {{0}};
    int impossible[NK] = {0};
    for (int k = 0; k < NK; k++)
        for (int l = 0; l < NLEVEL; l++)
            ks[k].asked[l] = calloc((size_t)per_kind, sizeof(double));
    uint64_t s = seed ? seed : 1;
    int rc = 0;
    for (int i = 0; i < per_kind * NK && !rc; i++) {
        int k = i % NK;
        req r;
        if (impossible[k] || make_request(c, n, k, &s, &r)) {
            impossible[k] = 1; /* no name of that length, or no look-alike there: not again */
            continue;
        }
        kstat *st = &ks[k];
        for (int l = 0; l < NLEVEL && !rc; l++) {
            arc_lookup_query q;
            level_query(&r, l, &q);
            arc_lookup_result res;
            rc = arc_lookup_run(lk, &q, &res, &err);
            if (rc) {
                fprintf(stderr, "lookup_recall: '%s': %s\n", r.text, err.msg);
                break;
            }
            int top3 = 0;
            for (size_t j = 0; j < res.n && j < 3; j++)
                top3 |= r.want && res.hits[j].record == r.want;
            st->top3[l] += top3;
            if (is_misread(k)) {
                long rv = rivals(c, &r, l);
                st->clear[l] += rv >= 0 && rv <= 2;
            }
            if (show_misses && r.want && !top3 && l)
                printf("miss (%s, %s): '%s' for record %lld; first: %s\n", kname[k], lname[l],
                       r.text, (long long)r.want, res.n ? res.hits[0].fields[0] : "none");
            st->exact[l] += res.exact;
            int py = 0;
            for (size_t j = 0; j < res.n; j++)
                py |= res.hits[j].tier == 70 || res.hits[j].tier == 65;
            st->pinyin_hit[l] += py;
            st->asked[l][st->n] = res.as_asked;
            arc_lookup_result_release(&res);
        }
        st->n++;
    }
    print_table(ks, 0, K_ABS_HAN, offsetof(kstat, top3), "",
                "top 3 (% of requests whose person is among the first three)");
    print_table(ks, 0, K_MIS4 + 1, offsetof(kstat, clear), "",
                "misreads whose person has at most 2 rivals as consistent with the request "
                "(one character away or the same name, fitting every fact given): the share a "
                "ranker without a misread model can place");
    print_table(ks, 0, NK, offsetof(kstat, exact), " (false)",
                "said \"as asked\" (exact): archived kinds should, the last two must not");
    /* how the as_asked threshold trades: pinyin requests of archived names
     * said as asked vs. absent pinyin names falsely said so */
    printf("\n| threshold | absent pinyin, false: name / + month / + all | "
           "archived pinyin, as asked: name / + month / + all |\n|---|---|---|\n");
    static const int shown[] = {L_NAME, L_MONTH, L_ALL};
    if (!rc) {
        printf("| any pinyin hit (before) |");
        for (int i = 0; i < 3; i++)
            printf(" %.1f%%", 100.0 * ks[K_ABS_PY].pinyin_hit[shown[i]] / ks[K_ABS_PY].n);
        printf(" |");
        for (int i = 0; i < 3; i++) {
            int hit = 0, nn = 0;
            for (int k = K_ORDER; k <= K_FORMS; k++) {
                hit += ks[k].pinyin_hit[shown[i]];
                nn += ks[k].n;
            }
            printf(" %.1f%%", nn ? 100.0 * hit / nn : 0);
        }
        printf(" |\n");
    }
    for (int t = 0; t < NSWEEP && !rc; t++) {
        printf("| %.2f |", sweep[t]);
        for (int i = 0; i < 3; i++)
            printf(" %.1f%%",
                   frac_at_least(ks[K_ABS_PY].asked[shown[i]], ks[K_ABS_PY].n, sweep[t]));
        printf(" |");
        for (int i = 0; i < 3; i++) {
            double sum = 0;
            int nn = 0;
            for (int k = K_ORDER; k <= K_FORMS; k++) {
                sum += frac_at_least(ks[k].asked[shown[i]], ks[k].n, sweep[t]) * ks[k].n;
                nn += ks[k].n;
            }
            printf(" %.1f%%", nn ? sum / nn : 0);
        }
        printf(" |\n");
    }
    for (int k = 0; k < NK; k++)
        for (int l = 0; l < NLEVEL; l++)
            free(ks[k].asked[l]);
    arc_lookup_free(&lk);
    return rc;
}

/* configs/normalize/confusables.tsv (every class mate both ways) and the
 * misreads docs/ocr.md records from clean print. */
static int lookalikes_read(ctx *c)
{
    static const char *const seen[][2] = {{"郝", "部"}, {"冯", "汉"}, {"孟", "重"},
                                          {"孟", "备"}, {"曹", "草"}};
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/normalize/confusables.tsv", arc_config_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t alloc = 1024;
    c->la.from = calloc(alloc, 8);
    c->la.to = calloc(alloc, 8);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || (unsigned char)line[0] < 0x80)
            continue; /* comments, and the Latin/digit classes */
        char cls[16][8];
        int k = 0;
        for (char *t = strtok(line, "\t\r\n"); t && k < 16; t = strtok(NULL, "\t\r\n"))
            if (strlen(t) < 8)
                memcpy(cls[k++], t, strlen(t) + 1);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (i != j && c->la.n < alloc) {
                    memcpy(c->la.from[c->la.n], cls[i], 8);
                    memcpy(c->la.to[c->la.n++], cls[j], 8);
                }
    }
    fclose(f);
    for (size_t i = 0; i < sizeof seen / sizeof seen[0] && c->la.n < alloc; i++) {
        snprintf(c->la.from[c->la.n], 8, "%s", seen[i][0]);
        snprintf(c->la.to[c->la.n++], 8, "%s", seen[i][1]);
    }
    return 0;
}

static UTransliterator *open_tr(const char *id)
{
    UChar u[128];
    UErrorCode e = U_ZERO_ERROR;
    u_strFromUTF8(u, 128, NULL, id, -1, &e);
    UTransliterator *t = utrans_openU(u, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    return U_FAILURE(e) ? NULL : t;
}

int main(int argc, char **argv)
{
    long n = 100000;
    int per_kind = 300, reuse = 0, misses = 0, model = M_RANDOM;
    uint64_t seed = 1;
    const char *path = "/tmp/dangan_lookup_recall.db", *stats = NULL, *ocr = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            n = atol(argv[++i]);
        else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
            per_kind = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--stats") == 0 && i + 1 < argc)
            stats = argv[++i];
        else if (strcmp(argv[i], "--reuse") == 0)
            reuse = 1;
        else if (strcmp(argv[i], "--misread") == 0 && i + 1 < argc)
            model = strcmp(argv[++i], "lookalike") == 0 ? M_LOOKALIKE
                    : strcmp(argv[i], "ocr") == 0       ? M_OCR
                    : strcmp(argv[i], "random") == 0    ? M_RANDOM
                                                        : -1;
        else if (strcmp(argv[i], "--ocr-table") == 0 && i + 1 < argc)
            ocr = argv[++i];
        else if (strcmp(argv[i], "--misses") == 0)
            misses = 1; /* list requests not found in the top 3 with a date */
        else
            stats = NULL, i = argc;
    }
    if (!stats || n < 1 || per_kind < 1 || model < 0 || (model == M_OCR) != (ocr != NULL)) {
        fprintf(stderr, "usage: lookup_recall --stats DIR [--n N] [--requests R] [--seed S] "
                        "[--db PATH] [--reuse] [--misses] [--misread random|lookalike|ocr "
                        "--ocr-table bench/glyphs_ocr.tsv]\n  DIR: "
                        "surnames.tsv and given_chars_by_cohort.tsv (shared/data/names)\n");
        return 2;
    }
    ctx c = {.model = model};
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/surnames.tsv", stats);
    snprintf(p2, sizeof p2, "%s/given_chars_by_cohort.tsv", stats);
    if (table_read(p1, 1, &c.sur) || table_read(p2, 1, &c.giv) || lookalikes_read(&c)) {
        fprintf(stderr, "lookup_recall: cannot read %s or %s\n", p1, p2);
        return 1;
    }
    c.hant = open_tr("Hans-Hant");
    c.py = open_tr("Han-Latin/Names");
    c.pyg = open_tr("Han-Latin");
    c.digits = open_tr("Latin-NumericPinyin");
    if (!c.hant || !c.py || !c.pyg || !c.digits) {
        fprintf(stderr, "lookup_recall: ICU transliterators missing\n");
        return 1;
    }
    if (!reuse) {
        unlink(path);
        char wal[4200];
        snprintf(wal, sizeof wal, "%s-wal", path);
        unlink(wal);
    }
    dg_err err = {0};
    if ((ocr && norm_glyphs_load(ocr, &c.ocr, &err)) ||
        db_open(path, DB_OPEN_CREATE, &c.db, &err) ||
        norm_ctx_new(arc_config_dir(), &c.nc, &err)) {
        fprintf(stderr, "lookup_recall: %s\n", err.msg);
        return 1;
    }
    int rc = reuse ? 0 : build(&c, n);
    if (!rc)
        printf("population %ld (surnames %zu, given characters %zu), %d requests of each kind, "
               "seed %llu, misreads %s\n",
               n, c.sur.n, c.giv.n, per_kind, (unsigned long long)seed,
               model == M_LOOKALIKE ? "look-alike (confusables.tsv and chi_sim's)"
               : model == M_OCR     ? "OCR-like (a close glyph by other fonts' table)"
                                    : "random (by frequency in the slot)");
    rc = rc ? rc : run(&c, n, per_kind, seed, misses);
    utrans_close(c.hant);
    utrans_close(c.py);
    utrans_close(c.digits);
    utrans_close(c.pyg);
    free(c.sur.item);
    free(c.sur.cum);
    free(c.giv.item);
    free(c.giv.cum);
    free(c.la.from);
    free(c.la.to);
    norm_glyphs_free(&c.ocr);
    norm_ctx_free(&c.nc);
    db_close(&c.db);
    return rc ? 1 : 0;
}
