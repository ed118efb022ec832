/*
 * load_read.c - a batch of `dangan load`'s records read in one query
 * (load_read.h): the per-record reads (is it still to load, its fields, its
 * page, its university) were four statements a record.
 */
#include "load_read.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

/* written: the text as written on the scan: what the operator typed when
 * the field was corrected (their reading of the scan, before normalizing),
 * else what OCR read.  A record without fields comes as one row of NULLs. */
static const char batch_sql[] =
    "SELECT r.id, r.page_id, f.id, f.key, f.value, CASE WHEN EXISTS (SELECT 1 FROM "
    "  review_item i WHERE i.field_id = f.id AND i.state = 'corrected') THEN coalesce(("
    "  SELECT s.after FROM field_step s WHERE s.field_id = f.id AND s.rule IN ('"
    ARC_STEP_CORRECT "', '" ARC_STEP_CORRECT_AS_IS "') ORDER BY s.seq DESC LIMIT 1), f.value) "
    "  ELSE coalesce(f.raw, f.value) END, f.state, f.match_code, f.match_name, "
    "  f.match_decision, coalesce(f.match_rule, 0) "
    "FROM record r LEFT JOIN field f ON f.record_id = r.id "
    "WHERE r.id BETWEEN ?1 AND ?2 AND r.state IN ('normalized', 'pending') "
    "ORDER BY r.id"; /* the index's order: fields are put in id order here, no sort */

/* The page header may hold plain strings or field objects. */
static const char university_sql[] =
    "SELECT CASE json_type(header, '$.university') WHEN 'object' THEN "
    " coalesce(json_extract(header, '$.university.value'), "
    "          json_extract(header, '$.university.normalized'), "
    "          json_extract(header, '$.university.raw'), "
    "          json_extract(header, '$.university.printed')) "
    " ELSE json_extract(header, '$.university') END "
    "FROM page_form WHERE page_id = ?1 AND json_valid(header)";

static void record_release(ld_record *r)
{
    for (int i = 0; i < r->n; i++) {
        ld_field *f = &r->f[i];
        free(f->value), free(f->written), free(f->state);
        free(f->match_code), free(f->match_name), free(f->match_decision);
    }
    free(r->university);
    memset(r, 0, sizeof *r);
}

void ld_records_clear(ld_record *r, long n)
{
    for (long i = 0; r && i < n; i++)
        record_release(&r[i]);
}

/* A record's fields in id order, as the record was read before (a few:
 * insertion sort). */
static void fields_by_id(ld_record *r)
{
    for (int i = 1; i < r->n; i++) {
        ld_field f = r->f[i];
        int j = i;
        for (; j > 0 && r->f[j - 1].id > f.id; j--)
            r->f[j] = r->f[j - 1];
        r->f[j] = f;
    }
}

static int in_batch(const int64_t *ids, long n, int64_t id)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id;
}

/* The university of each record's page: records of a page come together,
 * so the header is read once a page. */
static int universities(db_cache *sc, ld_record *r, long n, dg_err *err)
{
    const char *last = NULL;
    int64_t page = -1;
    for (long i = 0; i < n; i++) {
        if (r[i].page_id != page) {
            sqlite3_stmt *st;
            if (db_cache_get(sc, university_sql, &st, err))
                return DG_EDB;
            sqlite3_bind_int64(st, 1, r[i].page_id);
            free(r[i].university);
            r[i].university = sqlite3_step(st) == SQLITE_ROW ? dg_strdup(COL(st, 0)) : NULL;
            sqlite3_reset(st);
            page = r[i].page_id;
            last = r[i].university;
        } else {
            r[i].university = last ? dg_strdup(last) : NULL;
        }
    }
    return DG_OK;
}

int ld_records_read(db_cache *sc, const int64_t *ids, long n, ld_record *r, long *nout,
                    dg_err *err)
{
    *nout = 0;
    if (n <= 0)
        return DG_OK;
    sqlite3_stmt *st;
    if (db_cache_get(sc, batch_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, ids[0]);
    sqlite3_bind_int64(st, 2, ids[n - 1]);
    long k = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        /* between the first and last of the batch, but listed in another
         * (made ready since the list was read): the next load's */
        if (!in_batch(ids, n, id))
            continue;
        if (k == 0 || r[k - 1].id != id) {
            r[k].id = id;
            r[k].page_id = sqlite3_column_int64(st, 1);
            k++;
        }
        ld_record *rec = &r[k - 1];
        if (sqlite3_column_type(st, 2) == SQLITE_NULL || rec->n == LD_MAX_FIELDS)
            continue;
        ld_field *f = &rec->f[rec->n++];
        f->id = sqlite3_column_int64(st, 2);
        const char *key = COL(st, 3);
        size_t klen = key ? strlen(key) : 0;
        klen = klen < sizeof f->key ? klen : sizeof f->key - 1;
        memcpy(f->key, key ? key : "", klen);
        f->key[klen] = '\0';
        f->value = dg_strdup(COL(st, 4));
        f->written = dg_strdup(COL(st, 5));
        f->state = dg_strdup(COL(st, 6));
        f->match_code = dg_strdup(COL(st, 7));
        f->match_name = dg_strdup(COL(st, 8));
        f->match_decision = dg_strdup(COL(st, 9));
        f->match_rule = sqlite3_column_int64(st, 10);
    }
    sqlite3_reset(st);
    for (long i = 0; i < k; i++)
        fields_by_id(&r[i]);
    if (rc != SQLITE_DONE) {
        ld_records_clear(r, k);
        return db_fail(sqlite3_db_handle(st), err, "cannot read the records to load");
    }
    if (universities(sc, r, k, err)) {
        ld_records_clear(r, k);
        return DG_EDB;
    }
    *nout = k;
    return DG_OK;
}
