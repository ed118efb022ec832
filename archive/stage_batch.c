/*
 * stage_batch.c - a value seen elsewhere in the batch, as evidence for p.
 *
 * A batch is scanned from one archive's records: its supervisors, majors,
 * departments and research directions recur down a ledger and across its
 * pages and cards.  A value that other pages of the batch read too, each
 * read independently of this box, is less likely a misreading (two readers
 * rarely misread two different boxes into the same wrong text).  The page's
 * own column is the `column` feature; this index counts the other pages.
 * Only readings (Tesseract's, the second reader's, an operator's verified
 * value) are indexed, never a chosen value, so the count does not depend on
 * which record was weighed first.
 */
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

/* Keys whose values recur in a batch; a graduate's own facts do not. */
static const char *const batch_keys[] = {"supervisor", "major", "department",
                                         "research_direction"};

int arc_batch_key(const char *key)
{
    for (size_t i = 0; key && i < sizeof batch_keys / sizeof *batch_keys; i++)
        if (strcmp(key, batch_keys[i]) == 0)
            return 1;
    return 0;
}

typedef struct batch_entry {
    char *kv; /* "key\x1fvalue" */
    int64_t batch, page, record;
} batch_entry;

typedef struct batch_rec {
    int64_t record, batch, page;
} batch_rec;

struct arc_batch {
    batch_entry *e; /* sorted by kv, batch, record */
    size_t n;
    batch_rec *r; /* sorted by record */
    size_t nr;
};

static int by_kv(const void *a, const void *b)
{
    const batch_entry *x = a, *y = b;
    int c = strcmp(x->kv, y->kv);
    if (c)
        return c;
    if (x->batch != y->batch)
        return x->batch < y->batch ? -1 : 1;
    return x->record < y->record ? -1 : x->record > y->record;
}

static int by_record(const void *a, const void *b)
{
    const batch_rec *x = a, *y = b;
    return x->record < y->record ? -1 : x->record > y->record;
}

static char *kv_of(const char *key, const char *value)
{
    size_t k = strlen(key), v = strlen(value);
    char *s = malloc(k + v + 2);
    if (s) {
        memcpy(s, key, k);
        s[k] = '\x1f';
        memcpy(s + k + 1, value, v + 1);
    }
    return s;
}

/* One reading of a record's key, normalized (as is, for an operator's
 * value); skipped when the normalizer makes nothing of it. */
static int entry_add(arc_batch *b, norm_ctx *ctx, const char *key, const char *text,
                     int normalize, int64_t batch, int64_t page, int64_t record)
{
    if (!text || !*text)
        return DG_OK;
    norm_result r = {0};
    int rc = normalize ? arc_normalize_value(ctx, key, text, 0, &r, NULL) : DG_OK;
    const char *v = normalize ? (r.value && !r.flag ? r.value : NULL) : text;
    char *kv = rc != DG_ENOMEM && v && *v ? kv_of(key, v) : NULL;
    if (rc != DG_ENOMEM && v && *v && !kv)
        rc = DG_ENOMEM;
    norm_result_release(&r);
    if (rc == DG_ENOMEM)
        return rc;
    if (!kv)
        return DG_OK;
    batch_entry *e = arc_grow(b->e, b->n, sizeof *e);
    if (!e) {
        free(kv);
        return DG_ENOMEM;
    }
    b->e = e;
    e[b->n++] = (batch_entry){kv, batch, page, record};
    return DG_OK;
}

static const char recs_sql[] =
    "SELECT r.id, fl.batch_id, r.page_id FROM record r JOIN page p ON p.id = r.page_id "
    "JOIN file fl ON fl.id = p.file_id";

static const char fields_sql[] =
    "SELECT r.id, fl.batch_id, r.page_id, f.key, f.raw, f.state, f.value, "
    " (SELECT text FROM field_reading fr WHERE fr.field_id = f.id AND fr.reader = 'rec2' "
    "  ORDER BY fr.id DESC LIMIT 1) "
    "FROM record r JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id "
    "JOIN field f ON f.record_id = r.id "
    "WHERE f.key IN ('supervisor', 'major', 'department', 'research_direction') "
    "AND f.state <> 'rejected'";

static int read_records(sqlite3 *db, arc_batch *b, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, recs_sql, &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        batch_rec *r = arc_grow(b->r, b->nr, sizeof *r);
        if (!r) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory indexing the batch");
            break;
        }
        b->r = r;
        r[b->nr++] = (batch_rec){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                 sqlite3_column_int64(st, 2)};
    }
    sqlite3_finalize(st);
    return rc;
}

static int read_fields(sqlite3 *db, norm_ctx *ctx, arc_batch *b, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, fields_sql, &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t rec = sqlite3_column_int64(st, 0), batch = sqlite3_column_int64(st, 1),
                page = sqlite3_column_int64(st, 2);
        const char *key = (const char *)sqlite3_column_text(st, 3);
        const char *state = (const char *)sqlite3_column_text(st, 5);
        if (!key)
            continue;
        if (state && strcmp(state, "verified") == 0) /* an operator read the scan */
            rc = entry_add(b, ctx, key, (const char *)sqlite3_column_text(st, 6), 0, batch, page,
                           rec);
        else {
            rc = entry_add(b, ctx, key, (const char *)sqlite3_column_text(st, 4), 1, batch, page,
                           rec);
            rc = rc ? rc
                    : entry_add(b, ctx, key, (const char *)sqlite3_column_text(st, 7), 1, batch,
                                page, rec);
        }
    }
    sqlite3_finalize(st);
    return rc ? dg_err_set(err, rc, "out of memory indexing the batch") : DG_OK;
}

int arc_batch_open(sqlite3 *db, norm_ctx *ctx, arc_batch **out, dg_err *err)
{
    *out = NULL;
    arc_batch *b = calloc(1, sizeof *b);
    if (!b)
        return dg_err_set(err, DG_ENOMEM, "out of memory indexing the batch");
    int rc = read_records(db, b, err);
    rc = rc ? rc : read_fields(db, ctx, b, err);
    if (rc) {
        arc_batch_close(&b);
        return rc;
    }
    if (b->n)
        qsort(b->e, b->n, sizeof *b->e, by_kv);
    if (b->nr)
        qsort(b->r, b->nr, sizeof *b->r, by_record);
    *out = b;
    return DG_OK;
}

void arc_batch_close(arc_batch **b)
{
    if (!b || !*b)
        return;
    for (size_t i = 0; i < (*b)->n; i++)
        free((*b)->e[i].kv);
    free((*b)->e);
    free((*b)->r);
    free(*b);
    *b = NULL;
}

size_t arc_batch_support(const arc_batch *b, int64_t record, const char *key, const char *value)
{
    if (!b || !key || !value || !*value || !arc_batch_key(key))
        return 0;
    batch_rec probe = {record, 0, 0};
    const batch_rec *me = bsearch(&probe, b->r, b->nr, sizeof *b->r, by_record);
    char *kv = me ? kv_of(key, value) : NULL;
    if (!kv)
        return 0;
    /* the first entry of (kv, batch) */
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->e[mid].kv, kv);
        if (c < 0 || (c == 0 && b->e[mid].batch < me->batch))
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    int64_t last = -1;
    for (size_t i = lo; i < b->n && b->e[i].batch == me->batch && !strcmp(b->e[i].kv, kv); i++) {
        const batch_entry *e = &b->e[i];
        if (e->page == me->page || e->record == last) /* the page is `column`'s; once a record */
            continue;
        last = e->record;
        n++;
    }
    free(kv);
    return n;
}
