/*
 * eval_pages.c - page OCR quality against truth files (gradrec-truth/1):
 * per page, CER (Levenshtein distance over Unicode code points, whitespace
 * removed, divided by the truth length) and character-bag F1 (multiset of
 * code points), averaged per difficulty.  Truth JSON is read through
 * SQLite's JSON functions, so no JSON library is needed.
 */
#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

typedef struct cps {
    uint32_t *v;
    size_t n;
} cps;

/* UTF-8 to code points, dropping whitespace (ASCII and the ideographic space). */
static int to_cps(const char *s, cps *out)
{
    size_t n = strlen(s);
    out->v = malloc((n + 1) * sizeof *out->v);
    out->n = 0;
    if (!out->v)
        return DG_ENOMEM;
    for (size_t i = 0; i < n;) {
        unsigned cp = dg_utf8_next(s, n, &i);
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000)
            continue;
        out->v[out->n++] = cp;
    }
    return DG_OK;
}

static int cmp_u(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Size of the multiset intersection (sorts both). */
static size_t bag_common(cps *a, cps *b)
{
    qsort(a->v, a->n, sizeof *a->v, cmp_u);
    qsort(b->v, b->n, sizeof *b->v, cmp_u);
    size_t i = 0, j = 0, c = 0;
    while (i < a->n && j < b->n) {
        if (a->v[i] == b->v[j]) {
            c++;
            i++;
            j++;
        } else if (a->v[i] < b->v[j]) {
            i++;
        } else {
            j++;
        }
    }
    return c;
}

/* Score one page: hyp against truth.  Returns 0 or DG_ENOMEM. */
int eval_page_scores(const char *truth, const char *hyp, double *cer, double *f1);
int eval_page_scores(const char *truth, const char *hyp, double *cer, double *f1)
{
    cps t = {0}, h = {0};
    if (to_cps(truth, &t) || to_cps(hyp, &h)) {
        free(t.v);
        free(h.v);
        return DG_ENOMEM;
    }
    *cer = t.n ? (double)dg_levenshtein(t.v, t.n, h.v, h.n) / (double)t.n : (h.n ? 1.0 : 0.0);
    size_t c = bag_common(&t, &h);
    double p = h.n ? (double)c / (double)h.n : 0, r = t.n ? (double)c / (double)t.n : 0;
    *f1 = p + r > 0 ? 2 * p * r / (p + r) : (t.n == 0 && h.n == 0);
    free(t.v);
    free(h.v);
    return DG_OK;
}

enum { DIFF_CLEAN, DIFF_MODERATE, DIFF_HARD, DIFF_ALL, NDIFF };
static const char *const diff_names[NDIFF] = {"clean", "moderate", "hard", "all"};
_Static_assert((int)NDIFF == (int)ARC_EVAL_NDIFF, "arc_eval_diff columns");

typedef struct eval_acc {
    double cer[NDIFF], f1[NDIFF];
    long pages[NDIFF];
    arc_eval_pages_result *r; /* rows and missing go straight here */
} eval_acc;

static int diff_index(const char *d)
{
    for (int i = 0; i < DIFF_ALL; i++)
        if (d && strcmp(d, diff_names[i]) == 0)
            return i;
    return DIFF_ALL;
}

/* OCR text of the ingested page with this image base name and index, or
 * NULL when no such page exists. Caller frees. */
static char *page_text(sqlite3 *db, const char *image, int index, dg_err *err, int *rc)
{
    static const char sql[] =
        "SELECT (SELECT coalesce(group_concat(text, ''), '') FROM "
        "  (SELECT text FROM ocr_line WHERE page_id = p.id ORDER BY seq)) "
        "FROM page p JOIN file f ON f.id = p.file_id "
        "WHERE p.page_index = ?2 AND (f.path = ?1 OR f.path LIKE '%/' || ?1) LIMIT 1";
    sqlite3_stmt *st = NULL;
    *rc = db_prepare(db, sql, &st, err);
    if (*rc)
        return NULL;
    sqlite3_bind_text(st, 1, image, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, index);
    char *text = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        text = dg_strdup((const char *)sqlite3_column_text(st, 0));
        if (!text)
            *rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    sqlite3_finalize(st);
    return text;
}

static int score_truth_page(sqlite3 *db, eval_acc *a, const char *image, int index,
                            const char *diff, const char *truth, dg_err *err)
{
    int rc = DG_OK;
    char *hyp = page_text(db, image, index, err, &rc);
    if (rc)
        return rc;
    if (!hyp) {
        a->r->missing++;
        return DG_OK;
    }
    double cer = 0, f1 = 0;
    rc = eval_page_scores(truth, hyp, &cer, &f1);
    free(hyp);
    if (rc)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int d = diff_index(diff);
    for (int k = d; ; k = DIFF_ALL) {
        a->cer[k] += cer;
        a->f1[k] += f1;
        a->pages[k]++;
        if (k == DIFF_ALL)
            break;
    }
    arc_eval_page *v = arc_grow(a->r->pages, a->r->npages, sizeof *v);
    if (!v)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    a->r->pages = v;
    arc_eval_page *row = &v[a->r->npages++];
    row->image = dg_strdup(image);
    row->difficulty = dg_strdup(diff);
    row->page = index;
    row->cer = cer;
    row->bag_f1 = f1;
    if (!row->image || (diff && !row->difficulty))
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    return DG_OK;
}

/* All pages of one truth file, through json_each over $.pages. */
static int score_truth_file(sqlite3 *db, eval_acc *a, const char *path, dg_err *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = arc_read_file(path, &data, &len, err);
    if (rc)
        return rc;
    static const char sql[] =
        "SELECT json_extract(?1, '$.image'), json_extract(value, '$.page_index'), "
        "json_extract(value, '$.difficulty'), json_extract(value, '$.full_text') "
        "FROM json_each(?1, '$.pages')";
    sqlite3_stmt *st = NULL;
    rc = db_prepare(db, sql, &st, err);
    if (rc == DG_OK)
        sqlite3_bind_text(st, 1, (const char *)data, (int)len, SQLITE_STATIC);
    int s;
    while (rc == DG_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *image = (const char *)sqlite3_column_text(st, 0);
        const char *diff = (const char *)sqlite3_column_text(st, 2);
        const char *text = (const char *)sqlite3_column_text(st, 3);
        if (!image || !text)
            continue;
        rc = score_truth_page(db, a, image, sqlite3_column_int(st, 1), diff ? diff : "all",
                              text, err);
    }
    if (rc == DG_OK && s != SQLITE_DONE)
        rc = dg_err_set(err, DG_EINPUT, "cannot read truth file '%s': %s", path,
                        sqlite3_errmsg(db));
    sqlite3_finalize(st);
    free(data);
    return rc;
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted list of *.truth.json names in dir. */
static int list_truth(const char *dir, char ***names, size_t *n, dg_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return dg_err_set(err, DG_ENOTFOUND, "cannot open truth directory '%s'", dir);
    *names = NULL;
    *n = 0;
    struct dirent *de;
    int rc = DG_OK;
    while (rc == DG_OK && (de = readdir(d))) {
        if (!ends_with(de->d_name, ".truth.json"))
            continue;
        char **p = realloc(*names, (*n + 1) * sizeof *p);
        char *copy = dg_strdup(de->d_name);
        if (!p || !copy) {
            free(copy);
            if (p)
                *names = p;
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        *names = p;
        (*names)[(*n)++] = copy;
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return rc;
}

int arc_eval_pages_json(const arc_eval_pages_result *r, dg_buf *b)
{
    dg_buf_adds(b, "{\"pages\":[");
    for (size_t i = 0; i < r->npages; i++) {
        const arc_eval_page *p = &r->pages[i];
        dg_buf_adds(b, i ? ",{\"image\":" : "{\"image\":");
        dg_buf_json_str(b, p->image);
        dg_buf_addf(b, ",\"page\":%d,\"difficulty\":", p->page);
        dg_buf_json_str(b, p->difficulty);
        dg_buf_addf(b, ",\"cer\":%.4f,\"bag_f1\":%.4f}", p->cer, p->bag_f1);
    }
    dg_buf_addf(b, "],\"missing\":%ld,\"by_difficulty\":{", r->missing);
    for (int k = 0; k < ARC_EVAL_NDIFF; k++) {
        const arc_eval_diff *d = &r->by_difficulty[k];
        dg_buf_addf(b, "%s\"%s\":{\"pages\":%ld,\"cer\":%.4f,\"bag_f1\":%.4f}", k ? "," : "",
                    d->name, d->pages, d->cer, d->bag_f1);
    }
    return dg_buf_adds(b, "}}");
}

void arc_eval_pages_release(arc_eval_pages_result *r)
{
    for (size_t i = 0; i < r->npages; i++) {
        free(r->pages[i].image);
        free(r->pages[i].difficulty);
    }
    free(r->pages);
    memset(r, 0, sizeof *r);
}

int arc_eval_pages(sqlite3 *db, const char *truth_dir, arc_eval_pages_result *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    char **names = NULL;
    size_t n = 0;
    int rc = list_truth(truth_dir, &names, &n, err);
    eval_acc a;
    memset(&a, 0, sizeof a);
    a.r = r;
    dg_buf path;
    dg_buf_init(&path, 4096);
    for (size_t i = 0; rc == DG_OK && i < n; i++) {
        dg_buf_reset(&path);
        if (dg_buf_addf(&path, "%s/%s", truth_dir, names[i]))
            rc = dg_err_set(err, DG_EUSAGE, "truth path too long in '%s'", truth_dir);
        else
            rc = score_truth_file(db, &a, path.data, err);
    }
    for (int k = 0; k < NDIFF; k++) {
        long np = a.pages[k];
        r->by_difficulty[k] = (arc_eval_diff){diff_names[k], np, np ? a.cer[k] / np : 0,
                                              np ? a.f1[k] / np : 0};
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    dg_buf_release(&path);
    if (rc)
        arc_eval_pages_release(r);
    return rc;
}
