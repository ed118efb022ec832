/*
 * review_queue.c - what the web workbench reads of the review queue beyond
 * list and show: the queue with each item's batch, scan and page for
 * grouping, the value a correction would store (shown before saving), and
 * an item's crop as PNG bytes.
 */
#include "archive_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "normalize.h"

/* Grouped the way the work is done: batch, scan, page, field key, reason;
 * or by p, least certain first.  The latest decision's operator shows who
 * settled an item already. */
#define QUEUE_JOIN_REST                                                                            \
    "LEFT JOIN field f ON f.id = i.field_id "                                                      \
    "LEFT JOIN record r ON r.id = i.record_id "                                                    \
    "LEFT JOIN page p ON p.id = coalesce(i.page_id, r.page_id) "                                   \
    "LEFT JOIN file fl ON fl.id = p.file_id "
#define QUEUE_JOINS "FROM review_item i " QUEUE_JOIN_REST
#define QUEUE_FILTER                                                                               \
    "AND (?2 IS NULL OR i.reason = ?2 OR i.kind = ?2) AND (?3 IS NULL OR f.key = ?3) "

/* Each order's index, open items only and all (migrations 013, 018). */
static const char *const queue_index[][2] = {
    {"review_item_queue_open", "review_item_queue"},
    {"review_item_p_open", "review_item_p"},
    {"review_item_pdesc_open", "review_item_pdesc"},
};

static int order_no(const arc_queue_opts *o)
{
    return o->sort == ARC_QUEUE_P_ASC ? 1 : o->sort == ARC_QUEUE_P_DESC ? 2 : 0;
}

/* The FROM and WHERE of the queue.  Every order walks its index (qkey,
 * migration 013; the item's copy of its field's p, qp, migration 018),
 * named with INDEXED BY: without statistics the planner would take
 * review_item_state and sort 100,000 rows.  Open items only:
 * "i.state = 'open'" spelled out, which the partial indexes need. */
static int add_from(dg_buf *sql, const arc_queue_opts *o, int open_only)
{
    int open = open_only || !o->all;
    return dg_buf_adds(sql, "FROM review_item i ") ||
           dg_buf_addf(sql, "INDEXED BY %s ", queue_index[order_no(o)][open ? 0 : 1]) ||
           dg_buf_adds(sql, QUEUE_JOIN_REST) ||
           dg_buf_adds(sql, open ? "WHERE i.state = 'open' AND (?1 OR 1) "
                                 : "WHERE (?1 OR i.state = 'open') ") ||
           dg_buf_adds(sql, QUEUE_FILTER);
}

/* Columns 0-9 as arc_review_row_read reads them (review.c), then where. */
static const char queue_sql[] =
    "SELECT i.id, i.kind, i.state, i.reason, coalesce(i.record_id, 0), coalesce(f.key, ''), "
    "  coalesce(f.raw, ''), coalesce(f.value, ''), i.detail, f.p, coalesce(p.id, 0), "
    "  coalesce(fl.batch_id, 0), coalesce(p.page_index, 0) + 1, coalesce(fl.path, ''), "
    "  i.version, coalesce((SELECT d.operator FROM review_decision d WHERE d.item_id = i.id "
    "    ORDER BY d.id DESC LIMIT 1), '') ";

static const char *const queue_order[] = {
    /* grouped: batch, scan, page, key, reason, id (i.qkey, migration 013) */
    "ORDER BY i.qkey",
    /* p, least certain first, then most certain first; no p last.  i.qp
     * is f.p (triggers of migration 018), spelled as its indexes are */
    "ORDER BY i.qp IS NULL, coalesce(i.qp, 0), i.id",
    "ORDER BY i.qp IS NULL, -coalesce(i.qp, 0), i.id",
};

static const char *order_of(const arc_queue_opts *o)
{
    return queue_order[order_no(o)];
}

static void bind_filter(sqlite3_stmt *st, const arc_queue_opts *o)
{
    sqlite3_bind_int(st, 1, o->all);
    if (o->reason && *o->reason)
        sqlite3_bind_text(st, 2, o->reason, -1, SQLITE_TRANSIENT);
    if (o->key && *o->key)
        sqlite3_bind_text(st, 3, o->key, -1, SQLITE_TRANSIENT);
}

/* The query built in sql (bad: it could not be) prepared into *st with o's
 * filter bound; sql released either way. */
static int prepare_built(sqlite3 *db, dg_buf *sql, int bad, const arc_queue_opts *o,
                         sqlite3_stmt **st, dg_err *err)
{
    int rc = DG_OK;
    if (bad)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else if (db_prepare(db, sql->data, st, err))
        rc = DG_EDB;
    dg_buf_release(sql);
    if (!rc)
        bind_filter(*st, o);
    return rc;
}

static int queue_row(sqlite3_stmt *st, arc_queue_rows *out)
{
    arc_queue_row *v = arc_grow(out->v, out->n, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    out->v = v;
    arc_queue_row *r = &v[out->n++];
    r->page_id = sqlite3_column_int64(st, 10);
    r->batch = sqlite3_column_int64(st, 11);
    r->page = sqlite3_column_int(st, 12);
    r->version = sqlite3_column_int(st, 14);
    int rc = arc_review_row_read(st, &r->item);
    rc = rc ? rc : arc_col_dup0(st, 13, &r->file);
    return rc ? rc : arc_col_dup0(st, 15, &r->decided_by);
}

int arc_review_queue(sqlite3 *db, const arc_queue_opts *o, arc_queue_rows *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    dg_buf sql;
    dg_buf_init(&sql, 0);
    int bad = dg_buf_adds(&sql, queue_sql) || add_from(&sql, o, 0) ||
              dg_buf_adds(&sql, order_of(o)) ||
              (o->limit && dg_buf_addf(&sql, " LIMIT %zu", o->limit));
    sqlite3_stmt *st;
    int rc = prepare_built(db, &sql, bad, o, &st, err);
    if (rc)
        return rc;
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = queue_row(st, out);
    sqlite3_finalize(st);
    if (rc)
        dg_err_set(err, rc, "out of memory reading the review queue");
    else if (step != SQLITE_DONE)
        rc = db_fail(db, err, "cannot read the review queue");
    out->total = out->n;
    /* a page of the queue: how many there are in all */
    if (!rc && o->limit && out->n == o->limit) {
        /* only the field join can filter (by key): the others are left out */
        rc = db_prepare(db,
                        o->all ? "SELECT count(*) FROM review_item i LEFT JOIN field f ON "
                                 "f.id = i.field_id WHERE (?1 OR 1) " QUEUE_FILTER
                               : "SELECT count(*) FROM review_item i LEFT JOIN field f ON "
                                 "f.id = i.field_id WHERE i.state = 'open' AND (?1 OR 1) " QUEUE_FILTER,
                        &st, err)
                 ? DG_EDB
                 : DG_OK;
        if (!rc) {
            bind_filter(st, o);
            if (sqlite3_step(st) == SQLITE_ROW)
                out->total = (size_t)sqlite3_column_int64(st, 0);
            else
                rc = db_fail(db, err, "cannot count the review queue");
            sqlite3_finalize(st);
        }
    }
    if (rc)
        arc_queue_rows_release(out);
    return rc;
}

/* The sort keys of each order, for row-value comparisons: the item after
 * X is the least row whose keys exceed X's (a top-1 search, no sort of the
 * whole queue). */
static const char *const near_keys[] = {
    "i.qkey",
    "i.qp IS NULL, coalesce(i.qp, 0), i.id",
    "i.qp IS NULL, -coalesce(i.qp, 0), i.id",
};
static const char *const near_desc[] = {
    "i.qkey DESC",
    "i.qp IS NULL DESC, coalesce(i.qp, 0) DESC, i.id DESC",
    "i.qp IS NULL DESC, -coalesce(i.qp, 0) DESC, i.id DESC",
};

/* One neighbour: dir > 0 after item, < 0 before, 0 the first of all;
 * open_only: open items other than item. *id 0 when there is none. */
static int near_one(sqlite3 *db, const arc_queue_opts *o, int k, int64_t item, int dir,
                    int open_only, int64_t *id, dg_err *err)
{
    *id = 0;
    dg_buf sql;
    dg_buf_init(&sql, 0);
    int bad = dg_buf_adds(&sql, "SELECT i.id ") || add_from(&sql, o, open_only);
    if (open_only)
        bad = bad || dg_buf_adds(&sql, "AND i.id != ?4 ");
    if (dir)
        bad = bad || dg_buf_addf(&sql, "AND (%s) %s (SELECT %s " QUEUE_JOINS " WHERE i.id = ?4) ",
                                 near_keys[k], dir > 0 ? ">" : "<", near_keys[k]);
    bad = bad || dg_buf_addf(&sql, "ORDER BY %s LIMIT 1", dir < 0 ? near_desc[k] : near_keys[k]);
    sqlite3_stmt *st;
    int rc = prepare_built(db, &sql, bad, o, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 4, item);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_fail(db, err, "cannot read the review queue");
    return DG_OK;
}

static int item_open(sqlite3 *db, int64_t item)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT state = 'open' FROM review_item WHERE id = ?", &st, NULL))
        return 0;
    sqlite3_bind_int64(st, 1, item);
    int open = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return open;
}

int arc_review_queue_near(sqlite3 *db, const arc_queue_opts *o, int64_t item, arc_queue_near *near,
                          dg_err *err)
{
    memset(near, 0, sizeof *near);
    int k = order_no(o);
    int rc = DG_OK;
    if (!o->next_open_only) {
        rc = near_one(db, o, k, item, -1, 0, &near->prev, err);
        rc = rc ? rc : near_one(db, o, k, item, 1, 0, &near->next, err);
    }
    /* the next item is usually open: then it is the next open one too */
    if (!rc && near->next && item_open(db, near->next))
        near->next_open = near->next;
    else if (!rc)
        rc = near_one(db, o, k, item, 1, 1, &near->next_open, err);
    if (!rc && !near->next_open) /* wrap around to the first open item */
        rc = near_one(db, o, k, item, 0, 1, &near->next_open, err);
    return rc;
}

void arc_queue_rows_release(arc_queue_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        arc_queue_row *r = &rows->v[i];
        arc_review_row_clear(&r->item);
        free(r->file);
        free(r->decided_by);
    }
    free(rows->v);
    memset(rows, 0, sizeof *rows);
}

int arc_review_refresh_since(sqlite3 *db, int64_t *mark, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT coalesce(max(id), 0), "
                   "(SELECT count(*) FROM run WHERE status = 'running') FROM run",
                   &st, err))
        return DG_EDB;
    int64_t last = -1, running = 1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        running = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    /* a stage under way writes fields after its run row: no mark then */
    if (!running && last == *mark)
        return DG_OK;
    int rc = arc_review_refresh(db, err);
    if (rc == DG_OK)
        *mark = running ? -1 : last;
    return rc;
}

int arc_review_preview(sqlite3 *db, int64_t item, const char *value, char **normalized, dg_err *err)
{
    *normalized = NULL;
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT f.key, f.record_id FROM review_item i "
                   "JOIN field f ON f.id = i.field_id WHERE i.id = ? AND i.kind = 'field'",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, item);
    char key[64] = "";
    int64_t record = 0;
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        snprintf(key, sizeof key, "%s", (const char *)sqlite3_column_text(st, 0));
        record = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (!found)
        return dg_err_set(err, DG_ENOTFOUND, "review item %lld is not a field item",
                          (long long)item);
    norm_ctx *norm = NULL;
    if (norm_ctx_new(arc_config_dir(), &norm, err))
        return DG_ERR;
    int year = 0;
    norm_result r;
    memset(&r, 0, sizeof r);
    int rc = arc_record_context_year(db, norm, record, &year, err);
    dg_err e = {0};
    if (!rc) {
        rc = arc_normalize_value(norm, key, value ? value : "", year, &r, &e);
        if (rc == DG_EINPUT)
            rc = dg_err_set(err, DG_EUSAGE, "%s", e.msg);
        else if (rc)
            dg_err_set(err, rc, "%s", e.msg);
    }
    if (!rc && (r.flag || !r.value || !r.value[0]))
        rc = dg_err_set(err, DG_EUSAGE, "'%s' is not a valid %s (%s)", value ? value : "", key,
                        r.flag ? r.flag : "it normalizes to nothing");
    if (!rc && !(*normalized = dg_strdup(r.value)))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    norm_result_release(&r);
    norm_ctx_free(&norm);
    return rc;
}

/* A crop writer takes a path: a private temporary file, read and gone. */
int arc_crop_to_memory(sqlite3 *db, arc_crop_fn crop, int64_t id, int margin, unsigned char **png,
                          size_t *len, dg_err *err)
{
    *png = NULL;
    *len = 0;
    const char *tmp = getenv("TMPDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/dangan-crop-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return dg_err_set(err, DG_ERR, "cannot make a temporary file in %s",
                          tmp && *tmp ? tmp : "/tmp");
    close(fd);
    int rc = crop(db, id, margin, path, err);
    if (!rc)
        rc = dg_read_file(path, (size_t)256 << 20, png, len, err);
    unlink(path);
    return rc;
}

int arc_review_crop_png(sqlite3 *db, int64_t item, int margin, unsigned char **png, size_t *len,
                        dg_err *err)
{
    return arc_crop_to_memory(db, arc_review_crop, item, margin, png, len, err);
}

int arc_field_crop_png(sqlite3 *db, int64_t field, int margin, unsigned char **png, size_t *len,
                       dg_err *err)
{
    return arc_crop_to_memory(db, arc_field_crop, field, margin, png, len, err);
}

int arc_review_conflict_crop_png(sqlite3 *db, int64_t item, int margin, unsigned char **png,
                                 size_t *len, dg_err *err)
{
    /* the archived value of the same key came from the field provenance names */
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT pv.field_id FROM review_item i JOIN field f ON f.id = i.field_id "
                   "JOIN provenance pv ON pv.study_id = i.study_id AND pv.key = f.key "
                   "WHERE i.id = ? AND i.kind = 'conflict'",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, item);
    int found = sqlite3_step(st) == SQLITE_ROW;
    int64_t field = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (!found)
        return dg_err_set(err, DG_ENOTFOUND,
                          "review item %lld is no conflict with an archived "
                          "value",
                          (long long)item);
    return arc_crop_to_memory(db, arc_field_crop, field, margin, png, len, err);
}
