/*
 * dashboard.c - what the web workbench's batch dashboard shows: per batch,
 * pages, quarantined files, fields and review items by state and the
 * distribution of p, the throughput over time; for the workspace, review items raised and settled
 * and pages read, hour by hour.  Read-only, a handful of GROUP BY queries.
 */
#include "archive_internal.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static arc_dash_batch *batch_of(arc_dashboard *d, int64_t id)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].batch == id)
            return &d->v[i];
    return NULL;
}

static int counts_add(arc_counts *c, const char *name, int64_t n)
{
    arc_count *v = arc_grow(c->v, c->n, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    c->v = v;
    v[c->n].name = dg_strdup(name ? name : "");
    v[c->n].n = n;
    if (!v[c->n].name)
        return DG_ENOMEM;
    c->n++;
    return DG_OK;
}

/* Each row of st (prepared and bound) through row(st, d, arg) until one
 * fails; st finalized.  The one loop of every dashboard query: DG_ENOMEM
 * or the step's error, named as the dashboard's. */
typedef int (*dash_row_fn)(sqlite3_stmt *st, arc_dashboard *d, ptrdiff_t arg);
static int dash_rows(sqlite3 *db, sqlite3_stmt *st, arc_dashboard *d, dash_row_fn row,
                     ptrdiff_t arg, dg_err *err)
{
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = row(st, d, arg);
    sqlite3_finalize(st);
    if (rc)
        return dg_err_set(err, rc, "out of memory reading the dashboard");
    if (step != SQLITE_DONE)
        return db_fail(db, err, "cannot read the dashboard");
    return DG_OK;
}

/* A row (batch, name, n) into the arc_counts at offset `member` of the
 * batch; member -1: (batch, bin, n) into p_bins. */
static int batch_row(sqlite3_stmt *st, arc_dashboard *d, ptrdiff_t member)
{
    arc_dash_batch *b = batch_of(d, sqlite3_column_int64(st, 0));
    if (!b)
        return DG_OK;
    int64_t n = sqlite3_column_int64(st, 2);
    if (member < 0) {
        int bin = sqlite3_column_int(st, 1);
        if (bin >= 0 && bin < ARC_DASH_PBINS)
            b->p_bins[bin] += n;
        return DG_OK;
    }
    return counts_add((arc_counts *)((char *)b + member), (const char *)sqlite3_column_text(st, 1),
                      n);
}

static int by_batch(sqlite3 *db, const char *sql, arc_dashboard *d, ptrdiff_t member, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    return dash_rows(db, st, d, batch_row, member, err);
}

#define FIELD_BATCH                                                                                \
    "FROM field fd JOIN record r ON r.id = fd.record_id JOIN page p ON p.id = r.page_id "          \
    "JOIN file fl ON fl.id = p.file_id "

/* A row (hour, raised, settled, pages read) of the workspace. */
static int hour_row(sqlite3_stmt *st, arc_dashboard *d, ptrdiff_t unused)
{
    (void)unused;
    arc_dash_hour *v = arc_grow(d->hours, d->nhours, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    d->hours = v;
    arc_dash_hour *h = &v[d->nhours++];
    snprintf(h->hour, sizeof h->hour, "%s", (const char *)sqlite3_column_text(st, 0));
    h->raised = sqlite3_column_int64(st, 1);
    h->settled = sqlite3_column_int64(st, 2);
    h->pages_read = sqlite3_column_int64(st, 3);
    return DG_OK;
}

static int read_hours(sqlite3 *db, arc_dashboard *d, dg_err *err)
{
    /* the last ARC_DASH_HOURS hours that saw anything, oldest first */
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT * FROM (SELECT h, sum(c), sum(s), sum(pg) FROM ("
                   " SELECT substr(created, 1, 13) AS h, 1 AS c, 0 AS s, 0 AS pg "
                   "  FROM review_item"
                   " UNION ALL SELECT substr(decided, 1, 13), 0, "
                   "  CASE WHEN verb = 'undo' THEN -1 ELSE 1 END, 0 FROM review_decision"
                   " UNION ALL SELECT substr(coalesce(r.finished, r.started), 1, 13), 0, 0, 1 "
                   "  FROM ocr_page o JOIN run r ON r.id = o.run_id"
                   ") WHERE h GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]' "
                   "GROUP BY h ORDER BY h DESC LIMIT ?) ORDER BY 1",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int(st, 1, ARC_DASH_HOURS);
    return dash_rows(db, st, d, hour_row, 0, err);
}

/* Each batch's work hour by hour: pages read, decisions, records loaded
 * (indexes file_batch and review_decision_decided, migration 013). */
static const char tp_sql[] =
    "SELECT b, h, sum(pg), sum(dc), sum(ld) FROM ("
    " SELECT fl.batch_id AS b, substr(coalesce(r.finished, r.started), 1, 13) AS h, "
    "  1 AS pg, 0 AS dc, 0 AS ld FROM ocr_page o JOIN run r ON r.id = o.run_id "
    "  JOIN page p ON p.id = o.page_id JOIN file fl ON fl.id = p.file_id"
    " UNION ALL SELECT fl.batch_id, substr(d.decided, 1, 13), 0, "
    "  CASE WHEN d.verb = 'undo' THEN -1 ELSE 1 END, 0 FROM review_decision d "
    "  JOIN review_item i ON i.id = d.item_id LEFT JOIN record rc ON rc.id = i.record_id "
    "  JOIN page p ON p.id = coalesce(i.page_id, rc.page_id) JOIN file fl ON fl.id = p.file_id"
    " UNION ALL SELECT fl.batch_id, substr(coalesce((SELECT coalesce(ru.finished, ru.started) "
    "  FROM run ru WHERE ru.id = ss.load_run), sr.loaded), 1, 13), 0, 0, 1 "
    "  FROM study_source ss JOIN study_record sr ON sr.id = ss.study_id "
    "  JOIN record rc ON rc.id = ss.record_id JOIN page p ON p.id = rc.page_id "
    "  JOIN file fl ON fl.id = p.file_id"
    ") WHERE h GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]' "
    "GROUP BY 1, 2 ORDER BY 1, 2";

/* Hours into days where a batch has more hours than one plot shows. */
static void tp_by_day(arc_dash_batch *b)
{
    size_t k = 0;
    for (size_t i = 0; i < b->ntp; i++) {
        b->tp[i].when[10] = 0;
        if (k && strcmp(b->tp[k - 1].when, b->tp[i].when) == 0) {
            b->tp[k - 1].pages += b->tp[i].pages;
            b->tp[k - 1].decided += b->tp[i].decided;
            b->tp[k - 1].loaded += b->tp[i].loaded;
        } else {
            b->tp[k++] = b->tp[i];
        }
    }
    b->ntp = k;
    b->daily = 1;
}

/* A row (batch, period, pages, decided, loaded) into its batch's tp. */
static int tp_row(sqlite3_stmt *st, arc_dashboard *d, ptrdiff_t unused)
{
    (void)unused;
    arc_dash_batch *b = batch_of(d, sqlite3_column_int64(st, 0));
    if (!b)
        return DG_OK;
    arc_dash_tp *v = arc_grow(b->tp, b->ntp, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    b->tp = v;
    arc_dash_tp *t = &v[b->ntp++];
    snprintf(t->when, sizeof t->when, "%s", (const char *)sqlite3_column_text(st, 1));
    t->pages = sqlite3_column_int64(st, 2);
    t->decided = sqlite3_column_int64(st, 3);
    t->loaded = sqlite3_column_int64(st, 4);
    return DG_OK;
}

static int read_throughput(sqlite3 *db, arc_dashboard *d, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, tp_sql, &st, err))
        return DG_EDB;
    int rc = dash_rows(db, st, d, tp_row, 0, err);
    for (size_t i = 0; !rc && i < d->n; i++)
        if (d->v[i].ntp > ARC_DASH_HOURS)
            tp_by_day(&d->v[i]);
    return rc;
}

/* A row (id, started) of batch: a batch of the dashboard. */
static int batch_new(sqlite3_stmt *st, arc_dashboard *d, ptrdiff_t unused)
{
    (void)unused;
    arc_dash_batch *v = arc_grow(d->v, d->n, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    d->v = v;
    arc_dash_batch *b = &v[d->n++];
    b->batch = sqlite3_column_int64(st, 0);
    snprintf(b->started, sizeof b->started, "%s", (const char *)sqlite3_column_text(st, 1));
    return DG_OK;
}

int arc_dashboard_read(sqlite3 *db, arc_dashboard *d, dg_err *err)
{
    memset(d, 0, sizeof *d);
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id, started FROM batch ORDER BY id", &st, err))
        return DG_EDB;
    int rc = dash_rows(db, st, d, batch_new, 0, err);
    if (!rc)
        rc = by_batch(db,
                      "SELECT fl.batch_id, p.state, count(*) FROM page p "
                      "JOIN file fl ON fl.id = p.file_id GROUP BY 1, 2 ORDER BY 1, 2",
                      d, offsetof(arc_dash_batch, pages), err);
    if (!rc)
        rc = by_batch(db,
                      "SELECT batch_id, reason, count(*) FROM quarantine "
                      "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
                      d, offsetof(arc_dash_batch, quarantine), err);
    if (!rc)
        rc = by_batch(
            db, "SELECT fl.batch_id, fd.state, count(*) " FIELD_BATCH "GROUP BY 1, 2 ORDER BY 1, 2",
            d, offsetof(arc_dash_batch, fields), err);
    if (!rc)
        rc =
            by_batch(db,
                     "SELECT fl.batch_id, min(9, CAST(fd.p * 10 AS INTEGER)), count(*) " FIELD_BATCH
                     "WHERE fd.p IS NOT NULL GROUP BY 1, 2",
                     d, -1, err);
    if (!rc)
        rc = by_batch(db,
                      "SELECT fl.batch_id, i.state, count(*) FROM review_item i "
                      "LEFT JOIN record r ON r.id = i.record_id "
                      "JOIN page p ON p.id = coalesce(i.page_id, r.page_id) "
                      "JOIN file fl ON fl.id = p.file_id GROUP BY 1, 2 ORDER BY 1, 2",
                      d, offsetof(arc_dash_batch, review), err);
    if (!rc)
        rc = read_hours(db, d, err);
    if (!rc)
        rc = read_throughput(db, d, err);
    if (rc)
        arc_dashboard_release(d);
    return rc;
}

static void counts_release(arc_counts *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].name);
    free(c->v);
}

void arc_dashboard_release(arc_dashboard *d)
{
    for (size_t i = 0; i < d->n; i++) {
        counts_release(&d->v[i].pages);
        counts_release(&d->v[i].quarantine);
        counts_release(&d->v[i].fields);
        counts_release(&d->v[i].review);
        free(d->v[i].tp);
    }
    free(d->v);
    free(d->hours);
    memset(d, 0, sizeof *d);
}
