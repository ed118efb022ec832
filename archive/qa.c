/*
 * qa.c - the archival acceptance check (抽检): drawing a random sample of the
 * values nobody looked at (fields in state 'auto'), sending each to the
 * review queue, and estimating each batch's error rate from the settled
 * samples with a Wilson score interval.
 *
 * The draw is one BEGIN IMMEDIATE transaction, so two operators drawing at
 * once queue on the write lock and the second sees the first's samples;
 * qa_sample.field_id is UNIQUE, so a value can never be sampled twice.  The
 * generator is seeded per batch (seed, batch id): a batch's draw does not
 * depend on which other batches were drawn with it.
 */
#include "archive_internal.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* z of the two-sided 95% interval */
#define QA_Z 1.959963984540054

/* A field's batch: the batch its scan was first ingested in. */
#define FIELD_BATCH                                                                               \
    " FROM field f JOIN record r ON r.id = f.record_id JOIN page p ON p.id = r.page_id "          \
    "JOIN file fl ON fl.id = p.file_id "

/* ---- the generator: splitmix64 (Steele, Lea, Flood 2014) ----------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias. */
static uint64_t rand_below(uint64_t *s, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = splitmix64(s);
    while (x >= limit);
    return x % n;
}

/* A seed from the OS; the clock and pid only when /dev/urandom is unreadable. */
static uint64_t os_seed(void)
{
    uint64_t v = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&v, sizeof v, 1, f) != 1) {
        uint64_t s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        v = splitmix64(&s);
    }
    if (f)
        fclose(f);
    return v & ARC_QA_MAX_SEED;
}

/* ---- drawing ------------------------------------------------------------------------- */

typedef struct ids {
    int64_t *v;
    size_t n;
} ids;

static int ids_read(sqlite3 *db, const char *sql, int64_t bind, ids *out, dg_err *err)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, bind);
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t *v = arc_grow(out->v, out->n, sizeof *v);
        if (!v)
            rc = dg_err_set(err, DG_ENOMEM, "out of memory drawing the QA sample");
        else
            (out->v = v)[out->n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(db, err, "cannot read the values to sample");
    if (rc)
        free(out->v);
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Choose k of v (partial Fisher-Yates), moved to v[0..k) in id order. */
static void choose(ids *v, size_t k, uint64_t seed, int64_t batch)
{
    if (!k)
        return; /* nothing to draw (v->v may be NULL) */
    uint64_t s = seed ^ ((uint64_t)batch * 0xD1B54A32D192ED03ULL);
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)rand_below(&s, v->n - i);
        int64_t t = v->v[i];
        v->v[i] = v->v[j];
        v->v[j] = t;
    }
    qsort(v->v, k, sizeof *v->v, cmp_id);
}

/* The values a draw may take: auto, not empty, not sampled, and without a
 * field item (the queue holds one field item per field). */
static const char unsampled_sql[] =
    "SELECT f.id" FIELD_BATCH
    "WHERE fl.batch_id = ?1 AND f.state = 'auto' AND coalesce(f.value, '') <> '' "
    "AND NOT EXISTS (SELECT 1 FROM qa_sample q WHERE q.field_id = f.id) "
    "AND NOT EXISTS (SELECT 1 FROM review_item i WHERE i.kind = 'field' AND i.field_id = f.id) "
    "ORDER BY f.id";

typedef struct draw_ctx {
    sqlite3_stmt *item, *sample;
    char detail[64], now[32], who[128];
    double rate;
} draw_ctx;

static int draw_one(sqlite3 *db, draw_ctx *c, int64_t batch, int64_t field, dg_err *err)
{
    sqlite3_stmt *st = c->item;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, field);
    sqlite3_bind_text(st, 2, c->detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
        return db_fail(db, err, "cannot raise the QA review item");
    int64_t item = sqlite3_last_insert_rowid(db);
    st = c->sample;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, field);
    sqlite3_bind_int64(st, 2, batch);
    sqlite3_bind_int64(st, 3, item);
    sqlite3_bind_double(st, 4, c->rate);
    sqlite3_bind_text(st, 5, c->now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->who, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? DG_OK
                                           : db_fail(db, err, "cannot record the QA sample");
}

static int draw_batch(sqlite3 *db, draw_ctx *c, uint64_t seed, arc_qa_batch_draw *b,
                      dg_err *err)
{
    ids v;
    int rc = ids_read(db, unsampled_sql, b->batch, &v, err);
    if (rc)
        return rc;
    int64_t before = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT count(*) FROM qa_sample WHERE batch_id = ?1", &st, err) == 0) {
        sqlite3_bind_int64(st, 1, b->batch);
        if (sqlite3_step(st) == SQLITE_ROW)
            before = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    b->unsampled = (long)v.n;
    b->before = (long)before;
    /* the small epsilon keeps 0.2 * 5 at 1, not 2 after rounding error */
    size_t k = v.n ? (size_t)ceil(c->rate * (double)v.n - 1e-9) : 0;
    k = v.n && k < 1 ? 1 : k > v.n ? v.n : k;
    choose(&v, k, seed, b->batch);
    for (size_t i = 0; i < k && !rc; i++)
        rc = draw_one(db, c, b->batch, v.v[i], err);
    b->drawn = rc ? 0 : (long)k;
    free(v.v);
    return rc;
}

static int draw_all(sqlite3 *db, const arc_qa_opts *o, arc_qa_draw *d, dg_err *err)
{
    ids batches;
    int rc = ids_read(db, "SELECT id FROM batch WHERE ?1 = 0 OR id = ?1 ORDER BY id", o->batch,
                      &batches, err);
    if (rc)
        return rc;
    if (o->batch && !batches.n) {
        free(batches.v);
        return dg_err_set(err, DG_ENOTFOUND, "no batch %lld in the workspace",
                          (long long)o->batch);
    }
    draw_ctx c = {.rate = o->rate};
    snprintf(c.detail, sizeof c.detail, "QA sample at rate %g", o->rate);
    dg_now_iso(c.now);
    if (o->operator_name)
        snprintf(c.who, sizeof c.who, "%s", o->operator_name);
    else
        arc_os_user(c.who, sizeof c.who);
    if (db_prepare(db, "INSERT INTO review_item (kind, field_id, record_id, page_id, reason, "
                       "detail, created) SELECT 'field', f.id, f.record_id, r.page_id, 'qa', ?2, "
                       "?3 FROM field f JOIN record r ON r.id = f.record_id WHERE f.id = ?1",
                   &c.item, err) ||
        db_prepare(db, "INSERT INTO qa_sample (field_id, batch_id, item_id, rate, drawn, "
                       "operator) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &c.sample, err))
        rc = DG_EDB;
    for (size_t i = 0; i < batches.n && !rc; i++) {
        arc_qa_batch_draw *b = arc_grow(d->v, d->n, sizeof *b);
        if (!b) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory drawing the QA sample");
            break;
        }
        d->v = b;
        b = &d->v[d->n++];
        b->batch = batches.v[i];
        rc = draw_batch(db, &c, d->seed, b, err);
        d->drawn += b->drawn;
    }
    sqlite3_finalize(c.item);
    sqlite3_finalize(c.sample);
    free(batches.v);
    return rc;
}

int arc_qa_sample(sqlite3 *db, const arc_qa_opts *o, arc_qa_draw *d, dg_err *err)
{
    memset(d, 0, sizeof *d);
    if (!(o->rate > 0 && o->rate <= 1))
        return dg_err_set(err, DG_EUSAGE, "QA sampling rate %g is not in (0, 1]", o->rate);
    if (o->has_seed && o->seed > ARC_QA_MAX_SEED)
        return dg_err_set(err, DG_EUSAGE, "QA seed %llu is over %llu",
                          (unsigned long long)o->seed, (unsigned long long)ARC_QA_MAX_SEED);
    d->seed = o->has_seed ? o->seed : os_seed();
    d->rate = o->rate;
    dg_buf params;
    dg_buf_init(&params, 0);
    dg_buf_addf(&params, "{\"rate\":%.17g,\"seed\":%llu,\"batch\":", o->rate,
                (unsigned long long)d->seed);
    dg_buf_addf(&params, o->batch ? "%lld}" : "null}", (long long)o->batch);
    int rc = db_run_begin(db, "qa", params.data ? params.data : "{}", &d->run_id, err);
    dg_buf_release(&params);
    if (rc)
        return rc;
    rc = db_begin(db, err) ? DG_EDB : draw_all(db, o, d, err);
    rc = rc ? rc : db_commit(db, err);
    if (rc)
        db_rollback(db);
    dg_buf counts;
    dg_buf_init(&counts, 0);
    if (!rc)
        arc_qa_draw_json(d, &counts);
    db_run_end(db, d->run_id, rc ? "failed" : "done", counts.data ? counts.data : "{}", NULL);
    dg_buf_release(&counts);
    if (rc)
        arc_qa_draw_release(d);
    return rc;
}

void arc_qa_draw_release(arc_qa_draw *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

int arc_qa_draw_json(const arc_qa_draw *d, dg_buf *out)
{
    dg_buf_addf(out, "{\"seed\":%llu,\"rate\":%g,\"run\":%lld,\"drawn\":%ld,\"batches\":[",
                (unsigned long long)d->seed, d->rate, (long long)d->run_id, d->drawn);
    for (size_t i = 0; i < d->n; i++)
        dg_buf_addf(out, "%s{\"batch\":%lld,\"unsampled\":%ld,\"before\":%ld,\"drawn\":%ld}",
                    i ? "," : "", (long long)d->v[i].batch, d->v[i].unsampled, d->v[i].before,
                    d->v[i].drawn);
    return dg_buf_adds(out, "]}");
}

/* ---- the report ---------------------------------------------------------------------- */

void arc_qa_wilson(long wrong, long n, double *lower, double *upper)
{
    if (n <= 0) {
        *lower = 0, *upper = 1;
        return;
    }
    double p = (double)wrong / (double)n, z2 = QA_Z * QA_Z, nn = (double)n;
    double denom = 1 + z2 / nn;
    double center = (p + z2 / (2 * nn)) / denom;
    double half = QA_Z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
    *lower = center - half < 0 ? 0 : center - half;
    *upper = center + half > 1 ? 1 : center + half;
}

static double upper_of(long wrong, long n)
{
    double lo, hi;
    arc_qa_wilson(wrong, n, &lo, &hi);
    return hi;
}

/* Settled samples, with no error beyond `wrong`, that bring the upper bound
 * to the target or under; 0 when no count up to a billion does. */
static long needed_for(long wrong, long settled, double target)
{
    long a = settled > 0 ? settled : 1, b = a;
    while (upper_of(wrong, b) > target) { /* double until it is under */
        if (b > 1000000000L / 2)
            return 0;
        a = b, b *= 2;
    }
    while (a < b) { /* the upper bound falls as n grows with wrong fixed */
        long m = a + (b - a) / 2;
        if (upper_of(wrong, m) > target)
            a = m + 1;
        else
            b = m;
    }
    return b;
}

static arc_qa_verdict verdict_of(const arc_qa_batch *b, double target)
{
    if (!b->sampled)
        return ARC_QA_NOT_SAMPLED;
    if (b->settled && b->lower > target)
        return ARC_QA_ABOVE;
    if (b->settled && b->error_rate > target)
        return ARC_QA_SUSPECT;
    return b->upper > target ? ARC_QA_TOO_FEW : ARC_QA_WITHIN;
}

static const char *const verdict_names[][2] = {
    {"above target", "above_target"}, {"suspect", "suspect"},
    {"too few settled to say", "too_few"}, {"within target", "within_target"},
    {"not sampled", "not_sampled"},
};

const char *arc_qa_verdict_name(arc_qa_verdict v)
{
    return verdict_names[v][0];
}

const char *arc_qa_verdict_key(arc_qa_verdict v)
{
    return verdict_names[v][1];
}

/* wrong: rejected, or corrected to a value other than the one drawn (the
 * latest correction not undone compares the field before and after). */
static const char report_sql[] =
    "WITH fb AS (SELECT f.id, f.state, f.value, fl.batch_id" FIELD_BATCH
    "  WHERE (?1 = 0 OR fl.batch_id = ?1)), "
    "pop AS (SELECT batch_id, count(*) AS n FROM fb WHERE (state = 'auto' AND "
    "  coalesce(value, '') <> '') OR id IN (SELECT field_id FROM qa_sample) GROUP BY batch_id), "
    "s AS (SELECT q.batch_id, q.field_id, i.state AS istate, f.value, f.state AS fstate, "
    "  i.state = 'rejected' OR (i.state = 'corrected' AND coalesce((SELECT d.before_value IS NOT "
    "  d.after_value FROM review_decision d WHERE d.item_id = i.id AND d.verb = 'correct' AND "
    "  NOT EXISTS (SELECT 1 FROM review_decision u WHERE u.undoes = d.id) ORDER BY d.id DESC "
    "  LIMIT 1), 1)) AS wrong "
    "  FROM qa_sample q JOIN field f ON f.id = q.field_id "
    "  LEFT JOIN review_item i ON i.id = q.item_id WHERE (?1 = 0 OR q.batch_id = ?1)) "
    "SELECT pop.batch_id, pop.n, "
    "  (SELECT count(*) FROM s WHERE s.batch_id = pop.batch_id), "
    "  (SELECT count(*) FROM s WHERE s.batch_id = pop.batch_id AND coalesce(istate, 'open') "
    "   <> 'open'), "
    "  (SELECT count(*) FROM s WHERE s.batch_id = pop.batch_id AND wrong), "
    "  (SELECT count(*) FROM s JOIN provenance pv ON pv.field_id = s.field_id "
    "   WHERE s.batch_id = pop.batch_id AND wrong AND (pv.value IS NOT s.value OR "
    "   (s.fstate = 'rejected' AND pv.value IS NOT NULL))) "
    "FROM pop ORDER BY pop.batch_id";

static int report_rows(sqlite3 *db, int64_t batch, arc_qa_report *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, report_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, batch);
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        arc_qa_batch *v = arc_grow(r->v, r->n, sizeof *v);
        if (!v) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory reading the QA report");
            break;
        }
        arc_qa_batch *b = &(r->v = v)[r->n++];
        b->batch = sqlite3_column_int64(st, 0);
        b->auto_verified = sqlite3_column_int(st, 1);
        b->sampled = sqlite3_column_int(st, 2);
        b->settled = sqlite3_column_int(st, 3);
        b->wrong = sqlite3_column_int(st, 4);
        b->archived_wrong = sqlite3_column_int(st, 5);
        b->error_rate = b->settled ? (double)b->wrong / (double)b->settled : 0;
        arc_qa_wilson(b->wrong, b->settled, &b->lower, &b->upper);
        b->verdict = verdict_of(b, r->target_error);
        if (b->verdict == ARC_QA_TOO_FEW)
            b->needed = needed_for(b->wrong, b->settled, r->target_error);
        r->flagged += b->verdict == ARC_QA_ABOVE;
        r->suspect += b->verdict == ARC_QA_SUSPECT;
    }
    sqlite3_finalize(st);
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(db, err, "cannot read the QA report");
    return rc;
}

static int conf_line(void *user, const dg_kv *kv, dg_err *err)
{
    double *target = user;
    if (strcmp(kv->key, "target_error") != 0)
        return dg_kv_fail(kv, err, "unknown key '%s'", kv->key);
    char *end;
    errno = 0;
    double v = strtod(kv->value, &end);
    if (errno || end == kv->value || *end || !(v > 0 && v < 1))
        return dg_kv_fail(kv, err, "bad target_error '%s' (want a share between 0 and 1, "
                          "e.g. 0.005)", kv->value);
    *target = v;
    return DG_OK;
}

static int conf_read(const char *path, double *target, dg_err *err)
{
    char def[1024];
    *target = ARC_QA_TARGET_ERROR;
    if (!path) {
        snprintf(def, sizeof def, "%s/qa.conf", arc_config_dir());
        path = def;
    }
    int rc = dg_kv_load(path, 1, NULL, conf_line, target, err);
    return rc == DG_ENOTFOUND ? DG_OK : rc; /* absent: the default */
}

int arc_qa_report_read(sqlite3 *db, int64_t batch, const char *conf_path, arc_qa_report *r,
                       dg_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = conf_read(conf_path, &r->target_error, err);
    if (rc)
        return rc;
    if (batch) {
        int64_t n = 0;
        sqlite3_stmt *st;
        if (db_prepare(db, "SELECT count(*) FROM batch WHERE id = ?1", &st, err))
            return DG_EDB;
        sqlite3_bind_int64(st, 1, batch);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (!n)
            return dg_err_set(err, DG_ENOTFOUND, "no batch %lld in the workspace",
                              (long long)batch);
    }
    rc = report_rows(db, batch, r, err);
    if (rc)
        arc_qa_report_release(r);
    return rc;
}

void arc_qa_report_release(arc_qa_report *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

int arc_qa_report_json(const arc_qa_report *r, dg_buf *out)
{
    dg_buf_addf(out, "{\"target_error\":%g,\"confidence\":0.95,\"flagged\":%ld,\"suspect\":%ld,"
                     "\"batches\":[",
                r->target_error, r->flagged, r->suspect);
    for (size_t i = 0; i < r->n; i++) {
        const arc_qa_batch *b = &r->v[i];
        dg_buf_addf(out, "%s{\"batch\":%lld,\"auto_verified\":%ld,\"sampled\":%ld,"
                         "\"settled\":%ld,\"wrong\":%ld,\"error_rate\":%.6f,"
                         "\"wilson\":[%.6f,%.6f],\"verdict\":\"%s\",\"needed\":%ld,"
                         "\"archived_wrong\":%ld}",
                    i ? "," : "", (long long)b->batch, b->auto_verified, b->sampled, b->settled,
                    b->wrong, b->error_rate, b->lower, b->upper, arc_qa_verdict_key(b->verdict),
                    b->needed, b->archived_wrong);
    }
    return dg_buf_adds(out, "]}");
}
