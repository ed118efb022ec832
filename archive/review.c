/*
 * review.c - the review queue: building it from what normalization and load
 * left behind, and reading it (list, show, crop).  Decisions live in
 * review_decide.c.
 *
 * The queue is derived, not hand-fed: arc_review_refresh inserts an item for
 * every field, match, page and conflict that needs a person, and the unique
 * index on review_item makes that idempotent, so list and load can call it
 * every time.  list and show read rows into structs for pipeline/ to print;
 * their JSON is built by SQLite's json_object so that quoting is never our
 * problem.
 */
#include "archive_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The first word of field.flag is the reason ("low_confidence 43 < 60" ->
 * low_confidence) so that --reason can group like with like; the whole flag
 * stays in detail. */
static const char *const refresh_sql[] = {
    "INSERT INTO review_item (kind, field_id, record_id, page_id, reason, detail, created) "
    "SELECT 'field', f.id, f.record_id, r.page_id, "
    "  CASE WHEN coalesce(f.flag, '') = '' THEN f.state "
    "       WHEN instr(f.flag, ' ') > 0 THEN substr(f.flag, 1, instr(f.flag, ' ') - 1) "
    "       ELSE f.flag END, coalesce(f.flag, ''), ?1 "
    "FROM field f JOIN record r ON r.id = f.record_id "
    "WHERE f.state IN ('review', 'invalid') ORDER BY f.id ON CONFLICT DO NOTHING",

    "INSERT INTO review_item (kind, field_id, record_id, page_id, reason, detail, created) "
    "SELECT 'match', f.id, f.record_id, r.page_id, 'match', "
    "  'no automatic match for ' || quote(coalesce(f.value, f.raw, '')), ?1 "
    "FROM field f JOIN record r ON r.id = f.record_id "
    "WHERE f.key = 'major' AND f.match_decision = 'review' ORDER BY f.id "
    "ON CONFLICT DO NOTHING",

    /* A required field that was not found at all blocks its record for
     * good unless an operator types it in from the scan: queue the one
     * load is waiting on. */
    "INSERT INTO review_item (kind, field_id, record_id, page_id, reason, detail, created) "
    "SELECT 'field', f.id, f.record_id, r.page_id, 'missing', "
    "  'not found on the scan; required for the archive (' || w.reason || ')', ?1 "
    "FROM load_wait w JOIN record r ON r.id = w.record_id "
    "JOIN field f ON f.record_id = r.id AND f.state = 'missing' "
    "WHERE w.reason LIKE f.key || ':%' ORDER BY f.id ON CONFLICT DO NOTHING",

    "INSERT INTO review_item (kind, page_id, reason, detail, created) "
    "SELECT 'page', p.id, 'unknown_form', coalesce(pf.reason, ''), ?1 "
    "FROM page p LEFT JOIN page_form pf ON pf.page_id = p.id "
    "WHERE p.state = 'unknown_form' ORDER BY p.id ON CONFLICT DO NOTHING",
};

int arc_review_refresh(sqlite3 *db, dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    if (db_begin(db, err))
        return DG_EDB;
    for (size_t i = 0; i < sizeof refresh_sql / sizeof *refresh_sql; i++) {
        sqlite3_stmt *st;
        if (db_prepare(db, refresh_sql[i], &st, err))
            goto fail;
        sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            db_fail(db, err, "cannot refresh the review queue");
            goto fail;
        }
    }
    if (db_commit(db, err))
        goto fail;
    return DG_OK;
fail:
    db_rollback(db);
    return DG_EDB;
}

/* ---- list ---------------------------------------------------------------------- */

/* One row per item; --reason matches the reason, the kind or the start of
 * the detail, so "low_confidence", "match" and "grad_before" all work. */
#define LIST_FROM                                                                                 \
    " FROM review_item i LEFT JOIN field f ON f.id = i.field_id "                                 \
    "WHERE (?1 IS NULL OR i.reason = ?1 OR i.kind = ?1 OR i.detail LIKE ?1 || '%') "              \
    "  AND (?2 OR i.state = 'open') ORDER BY i.id"

static const char list_text_sql[] =
    "SELECT i.id, i.kind, i.state, i.reason, i.record_id, coalesce(f.key, ''), "
    "  coalesce(f.raw, ''), coalesce(f.value, ''), i.detail, f.p" LIST_FROM;

/* "p" only for weighed fields, so older queues list as they always did. */
static const char list_json_sql[] =
    "SELECT CASE WHEN p IS NULL THEN j ELSE json_set(j, '$.p', p) END FROM ("
    "SELECT json_object('id', i.id, 'kind', i.kind, 'state', i.state, 'reason', i.reason, "
    "  'detail', i.detail, 'version', i.version, 'record', i.record_id, 'page', i.page_id, "
    "  'field', i.field_id, 'key', f.key, 'raw', f.raw, 'value', f.value, "
    "  'field_state', f.state) AS j, f.p AS p" LIST_FROM ")";

static int list_prepare(sqlite3 *db, const char *sql, const char *reason, int all,
                        sqlite3_stmt **st, dg_err *err)
{
    if (db_prepare(db, sql, st, err))
        return DG_EDB;
    if (reason)
        sqlite3_bind_text(*st, 1, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(*st, 2, all);
    return DG_OK;
}

int arc_review_row_read(sqlite3_stmt *st, arc_review_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->record = sqlite3_column_int64(st, 4);
    r->has_p = sqlite3_column_type(st, 9) != SQLITE_NULL;
    r->p = sqlite3_column_double(st, 9);
    int rc = arc_col_dup(st, 1, &r->kind);
    rc = rc ? rc : arc_col_dup(st, 2, &r->state);
    rc = rc ? rc : arc_col_dup(st, 3, &r->reason);
    rc = rc ? rc : arc_col_dup0(st, 5, &r->key);
    rc = rc ? rc : arc_col_dup0(st, 6, &r->raw);
    rc = rc ? rc : arc_col_dup0(st, 7, &r->value);
    return rc ? rc : arc_col_dup0(st, 8, &r->detail);
}

void arc_review_row_clear(arc_review_row *r)
{
    free(r->kind);
    free(r->state);
    free(r->reason);
    free(r->key);
    free(r->raw);
    free(r->value);
    free(r->detail);
}

static int list_row(sqlite3_stmt *st, arc_review_rows *out)
{
    arc_review_row *v = arc_grow(out->v, out->n, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    out->v = v;
    return arc_review_row_read(st, &v[out->n++]);
}

void arc_review_rows_release(arc_review_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++)
        arc_review_row_clear(&rows->v[i]);
    free(rows->v);
    memset(rows, 0, sizeof *rows);
}

int arc_review_list(sqlite3 *db, const char *reason, int all, arc_review_rows *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (list_prepare(db, list_text_sql, reason, all, &st, err))
        return DG_EDB;
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = list_row(st, out);
    sqlite3_finalize(st);
    if (rc)
        dg_err_set(err, rc, "out of memory listing the review queue");
    else if (step != SQLITE_DONE)
        rc = db_fail(db, err, "cannot list the review queue");
    if (rc)
        arc_review_rows_release(out);
    return rc;
}

int arc_review_list_json(sqlite3 *db, const char *reason, int all, dg_buf *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (list_prepare(db, list_json_sql, reason, all, &st, err))
        return DG_EDB;
    dg_buf_addc(out, '[');
    long n = 0;
    int rc;
    /* SQLite copies text's bytes into JSON as they are: kept valid UTF-8 */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_buf_adds(out, n++ ? ",\n " : "");
        dg_buf_add_utf8(out, (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot list the review queue");
    return dg_buf_addc(out, ']');
}

/* ---- alternatives of a field item ----------------------------------------------- */

/*
 * What the readers said a field holds, for the operator to pick from rather
 * than type: the candidates of field.evidence (normalized values, most
 * probable first, as the normalize stage weighed them), else, for a field
 * not weighed (older databases), the distinct texts of its field_reading
 * rows, best confidence first.  A reader that saw nothing offers nothing.
 * ?1 = field id; columns: rank, value, p, readers (text), readers (JSON),
 * chosen, from readings.
 */
#define ALTS_SQL                                                                                  \
    "WITH f AS (SELECT id, value, "                                                               \
    "  CASE WHEN json_valid(evidence) THEN evidence ELSE '{}' END AS ev, "                        \
    "  coalesce(CASE WHEN json_valid(evidence) THEN json_type(evidence, '$.candidates[0]') END, " \
    "  '') = 'object' AS weighed FROM field WHERE id = ?1), "                                     \
    "ev AS (SELECT c.key + 1 AS rank, json_extract(c.value, '$.value') AS value, "                \
    "  json_extract(c.value, '$.p') AS p, "                                                       \
    "  (SELECT group_concat(r.value, ', ') FROM json_each(c.value, '$.readers') r) "              \
    "  AS readers, "                                                                              \
    "  (SELECT json_group_array(r.value) FROM json_each(c.value, '$.readers') r) "                \
    "  AS readers_json, json_extract(c.value, '$.value') IS f.value AS chosen, "                  \
    "  0 AS from_readings "                                                                       \
    "  FROM f, json_each(f.ev, '$.candidates') c WHERE f.weighed AND c.type = 'object'), "        \
    "rd AS (SELECT row_number() OVER (ORDER BY max(conf) DESC, min(id)), text, max(conf), "       \
    "  group_concat(reader || ' ' || printf('%.2f', conf), ', '), "                               \
    "  json_group_array(json_object('reader', reader, 'conf', conf)), 0, 1 "                      \
    "  FROM (SELECT r.* FROM field_reading r, f WHERE r.field_id = f.id AND NOT f.weighed "       \
    "        AND r.text <> '' ORDER BY r.conf DESC, r.id) GROUP BY text) "                        \
    "SELECT * FROM ev UNION ALL SELECT * FROM rd ORDER BY 1"

static const char alts_sql[] = ALTS_SQL;

/* show --json's object ?2 with the field's p ?3 and the alternatives of
 * field ?1 added, each only when there is one: evidence items carry p and
 * the readers' names, readings each reader with its confidence. */
static const char show_json_alts_sql[] =
    "SELECT CASE WHEN a.n = 0 THEN j.j ELSE json_set(j.j, '$.alternatives', json(a.arr), "
    "  '$.alternatives_from', CASE WHEN a.r THEN 'readings' ELSE 'evidence' END) END "
    "FROM (SELECT CASE WHEN ?3 IS NULL THEN ?2 ELSE json_set(?2, '$.field.p', ?3) END AS j) j, "
    " (SELECT json_group_array(CASE WHEN from_readings THEN json_object('rank', rank, "
    "   'value', value, 'conf', p, 'readers', json(readers_json)) ELSE json_object('rank', "
    "   rank, 'value', value, 'p', p, 'readers', json(readers_json)) END) AS arr, "
    "   coalesce(max(from_readings), 0) AS r, count(*) AS n FROM (" ALTS_SQL ")) a";

void arc_review_alts_release(arc_review_alt *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].value);
        free(v[i].readers);
    }
    free(v);
}

static int read_alt(sqlite3_stmt *st, arc_review_alt **v, size_t *n)
{
    arc_review_alt *a = arc_grow(*v, *n, sizeof *a);
    if (!a)
        return DG_ENOMEM;
    *v = a;
    arc_review_alt *x = &a[(*n)++];
    memset(x, 0, sizeof *x);
    x->rank = sqlite3_column_int(st, 0);
    x->p = sqlite3_column_double(st, 2);
    x->chosen = sqlite3_column_int(st, 5);
    int rc = arc_col_dup0(st, 1, &x->value);
    return rc ? rc : arc_col_dup0(st, 3, &x->readers);
}

int arc_review_alts(sqlite3 *db, int64_t field, arc_review_alt **v, size_t *n,
                    int *from_readings, dg_err *err)
{
    *v = NULL;
    *n = 0;
    *from_readings = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, alts_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, field);
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        *from_readings = sqlite3_column_int(st, 6);
        rc = read_alt(st, v, n);
    }
    sqlite3_finalize(st);
    if (rc)
        dg_err_set(err, rc, "out of memory reading the readings of field %lld", (long long)field);
    else if (step != SQLITE_DONE)
        rc = db_fail(db, err, "cannot read the readings of a field");
    if (rc) {
        arc_review_alts_release(*v, *n);
        *v = NULL;
        *n = 0;
    }
    return rc;
}

/* Items of fields never weighed nor read twice print as they always did. */
static int show_json_alts(sqlite3 *db, sqlite3_stmt *item, dg_buf *out, dg_err *err)
{
    const char *obj = (const char *)sqlite3_column_text(item, 0);
    const char *kind = (const char *)sqlite3_column_text(item, 1);
    int64_t field = kind && strcmp(kind, "field") == 0 ? sqlite3_column_int64(item, 2) : 0;
    if (!field && sqlite3_column_type(item, 3) == SQLITE_NULL)
        return dg_buf_add_utf8(out, obj);
    sqlite3_stmt *st;
    if (db_prepare(db, show_json_alts_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, field);
    sqlite3_bind_text(st, 2, obj, -1, SQLITE_TRANSIENT);
    sqlite3_bind_value(st, 3, sqlite3_column_value(item, 3));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        dg_buf_add_utf8(out, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? DG_OK : db_fail(db, err, "cannot read the readings of a field");
}

/* ---- show ---------------------------------------------------------------------- */

/* The whole item as one JSON object: the field with its words' page, file
 * and box, the candidates and the decisions so far. */
static const char show_json_sql[] =
    "SELECT json_object('id', i.id, 'kind', i.kind, 'state', i.state, 'reason', i.reason, "
    " 'detail', i.detail, 'version', i.version, 'created', i.created, 'record', i.record_id, "
    " 'study', i.study_id, "
    " 'field', CASE WHEN f.id IS NULL THEN NULL ELSE json_object('id', f.id, 'key', f.key, "
    "   'raw', f.raw, 'value', f.value, 'state', f.state, 'flag', f.flag, "
    "   'conf_min', f.conf_min, 'conf_mean', f.conf_mean, 'rule', f.rule, "
    "   'box', json_array(f.x, f.y, f.w, f.h), 'words', json(f.words), "
    "   'source', CASE WHEN json_valid(f.evidence) THEN json_extract(f.evidence, '$.source') END, "
    "   'match_decision', f.match_decision, 'match_code', f.match_code, "
    "   'match_name', f.match_name, 'match_score', f.match_score, 'match_rule', f.match_rule, "
    "   'steps', (SELECT json_group_array(json_object('rule', s.rule, 'before', s.before, "
    "     'after', s.after)) FROM (SELECT * FROM field_step WHERE field_id = f.id "
    "     ORDER BY seq) s)) END, "
    " 'file', fl.path, 'abspath', fl.abspath, 'sha256', fl.sha256, 'page', p.page_index + 1, "
    " 'page_id', p.id, 'page_size', json_array(p.width, p.height), "
    " 'candidates', (SELECT json_group_array(json_object('rank', c.rank, 'code', c.code, "
    "   'name', c.name, 'score', c.score, 'edition', c.edition, 'path', c.path, "
    "   'evidence', c.evidence)) FROM (SELECT * FROM match_candidate WHERE field_id = f.id "
    "   ORDER BY rank) c), "
    " 'decisions', (SELECT json_group_array(json_object('id', d.id, 'verb', d.verb, "
    "   'operator', d.operator, 'decided', d.decided, 'before_state', d.before_state, "
    "   'after_state', d.after_state, 'before_value', d.before_value, "
    "   'after_value', d.after_value, 'candidate', d.candidate, 'note', d.note, "
    "   'undoes', d.undoes)) FROM (SELECT * FROM review_decision WHERE item_id = i.id "
    "   ORDER BY id) d)), "
    " i.kind, coalesce(i.field_id, 0), f.p "
    "FROM review_item i LEFT JOIN field f ON f.id = i.field_id "
    "LEFT JOIN page p ON p.id = i.page_id LEFT JOIN file fl ON fl.id = p.file_id "
    "WHERE i.id = ?1";

static const char show_head_sql[] =
    "SELECT i.kind, i.state, i.reason, i.detail, i.version, coalesce(i.record_id, 0), "
    " f.key, f.raw, f.value, f.state, f.conf_min, f.conf_mean, f.rule, f.x, f.y, f.w, f.h, "
    " fl.path, fl.sha256, p.page_index + 1, p.id, f.match_code, f.match_name, f.match_decision, "
    " coalesce(i.study_id, 0), f.p, coalesce(i.field_id, 0) "
    "FROM review_item i LEFT JOIN field f ON f.id = i.field_id "
    "LEFT JOIN page p ON p.id = i.page_id LEFT JOIN file fl ON fl.id = p.file_id "
    "WHERE i.id = ?1";

static int show_head(sqlite3_stmt *st, arc_review_view *v)
{
    v->version = sqlite3_column_int(st, 4);
    v->record = sqlite3_column_int64(st, 5);
    v->has_field = sqlite3_column_type(st, 6) != SQLITE_NULL;
    v->conf_min = sqlite3_column_double(st, 10);
    v->conf_mean = sqlite3_column_double(st, 11);
    v->x = sqlite3_column_int(st, 13);
    v->y = sqlite3_column_int(st, 14);
    v->w = sqlite3_column_int(st, 15);
    v->h = sqlite3_column_int(st, 16);
    v->page = sqlite3_column_int(st, 19);
    v->page_id = sqlite3_column_int64(st, 20);
    v->study = sqlite3_column_int64(st, 24);
    v->has_p = sqlite3_column_type(st, 25) != SQLITE_NULL;
    v->p = sqlite3_column_double(st, 25);
    v->field = sqlite3_column_int64(st, 26);
    int rc = arc_col_dup(st, 0, &v->kind);
    rc = rc ? rc : arc_col_dup(st, 1, &v->state);
    rc = rc ? rc : arc_col_dup(st, 2, &v->reason);
    rc = rc ? rc : arc_col_dup0(st, 3, &v->detail);
    rc = rc ? rc : arc_col_dup(st, 6, &v->key);
    rc = rc ? rc : arc_col_dup0(st, 7, &v->raw);
    rc = rc ? rc : arc_col_dup0(st, 8, &v->value);
    rc = rc ? rc : arc_col_dup(st, 9, &v->field_state);
    rc = rc ? rc : arc_col_dup0(st, 12, &v->rule);
    rc = rc ? rc : arc_col_dup(st, 17, &v->file);
    rc = rc ? rc : arc_col_dup(st, 18, &v->sha256);
    rc = rc ? rc : arc_col_dup0(st, 21, &v->match_code);
    rc = rc ? rc : arc_col_dup0(st, 22, &v->match_name);
    return rc ? rc : arc_col_dup(st, 23, &v->match_decision);
}

static int read_candidates(sqlite3_stmt *st, arc_review_view *v)
{
    arc_review_candidate *a = arc_grow(v->candidates, v->ncandidates, sizeof *a);
    if (!a)
        return DG_ENOMEM;
    v->candidates = a;
    arc_review_candidate *c = &a[v->ncandidates++];
    c->rank = sqlite3_column_int(st, 0);
    c->score = sqlite3_column_double(st, 3);
    int rc = arc_col_dup(st, 1, &c->code);
    rc = rc ? rc : arc_col_dup(st, 2, &c->name);
    rc = rc ? rc : arc_col_dup(st, 4, &c->path);
    return rc ? rc : arc_col_dup(st, 5, &c->evidence);
}

static int read_steps(sqlite3_stmt *st, arc_review_view *v)
{
    arc_review_step *a = arc_grow(v->steps, v->nsteps, sizeof *a);
    if (!a)
        return DG_ENOMEM;
    v->steps = a;
    arc_review_step *s = &a[v->nsteps++];
    int rc = arc_col_dup(st, 0, &s->rule);
    rc = rc ? rc : arc_col_dup(st, 1, &s->before);
    return rc ? rc : arc_col_dup(st, 2, &s->after);
}

static int read_decisions(sqlite3_stmt *st, arc_review_view *v)
{
    arc_review_decision *a = arc_grow(v->decisions, v->ndecisions, sizeof *a);
    if (!a)
        return DG_ENOMEM;
    v->decisions = a;
    arc_review_decision *d = &a[v->ndecisions++];
    d->id = sqlite3_column_int64(st, 0);
    d->undoes = sqlite3_column_int64(st, 9);
    int rc = arc_col_dup(st, 1, &d->verb);
    rc = rc ? rc : arc_col_dup(st, 2, &d->operator_name);
    rc = rc ? rc : arc_col_dup(st, 3, &d->decided);
    rc = rc ? rc : arc_col_dup(st, 4, &d->before_state);
    rc = rc ? rc : arc_col_dup(st, 5, &d->after_state);
    rc = rc ? rc : arc_col_dup0(st, 6, &d->before_value);
    rc = rc ? rc : arc_col_dup0(st, 7, &d->after_value);
    return rc ? rc : arc_col_dup0(st, 8, &d->note);
}

/* The item's steps, candidates (match items) and decisions, each in order. */
static const struct {
    const char *what, *fail, *sql;
    int (*read)(sqlite3_stmt *st, arc_review_view *v);
} show_lists[] = {
    /* How the value came about: the normalization steps, and what an
     * operator typed (review-correct) before it was normalized. */
    {"steps", "cannot read steps",
     "SELECT s.rule, s.before, s.after FROM field_step s JOIN review_item i "
     "ON i.field_id = s.field_id WHERE i.id = ?1 ORDER BY s.seq",
     read_steps},
    {"candidates", "cannot read candidates",
     "SELECT c.rank, c.code, c.name, c.score, c.path, c.evidence "
     "FROM match_candidate c JOIN review_item i ON i.field_id = c.field_id "
     "WHERE i.id = ?1 AND i.kind = 'match' ORDER BY c.rank",
     read_candidates},
    {"decisions", "cannot read decisions",
     "SELECT id, verb, operator, decided, before_state, after_state, "
     "coalesce(before_value, ''), coalesce(after_value, ''), note, undoes "
     "FROM review_decision WHERE item_id = ?1 ORDER BY id",
     read_decisions},
};

static int show_list(sqlite3 *db, int k, arc_review_view *v, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, show_lists[k].sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, v->id);
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        rc = show_lists[k].read(st, v);
    int frc = sqlite3_finalize(st);
    if (rc)
        return dg_err_set(err, rc, "out of memory reading %s", show_lists[k].what);
    return frc == SQLITE_OK ? DG_OK : db_fail(db, err, show_lists[k].fail);
}

void arc_review_view_release(arc_review_view *v)
{
    char *strs[] = {v->kind, v->state, v->reason, v->detail, v->key, v->raw, v->value,
                    v->field_state, v->rule, v->match_decision, v->match_code, v->match_name,
                    v->file, v->sha256, v->source};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        free(strs[i]);
    for (size_t i = 0; i < v->nsteps; i++) {
        free(v->steps[i].rule);
        free(v->steps[i].before);
        free(v->steps[i].after);
    }
    for (size_t i = 0; i < v->ncandidates; i++) {
        free(v->candidates[i].code);
        free(v->candidates[i].name);
        free(v->candidates[i].path);
        free(v->candidates[i].evidence);
    }
    for (size_t i = 0; i < v->ndecisions; i++) {
        arc_review_decision *d = &v->decisions[i];
        char *ds[] = {d->verb, d->operator_name, d->decided, d->before_state, d->after_state,
                      d->before_value, d->after_value, d->note};
        for (size_t j = 0; j < sizeof ds / sizeof *ds; j++)
            free(ds[j]);
    }
    arc_review_alts_release(v->alts, v->nalts);
    free(v->steps);
    free(v->candidates);
    free(v->decisions);
    memset(v, 0, sizeof *v);
}

/* The other source the trust weighing compared the field with (its
 * evidence's "source"): record, page, file, box and each reading. */
static const char source_sql[] =
    "SELECT printf('record %d, page %d of %s (page id %d), field %d, box x=%d y=%d w=%d h=%d; "
    "read %s', json_extract(ev, '$.record'), p.page_index + 1, coalesce(fl.path, '?'), "
    " json_extract(ev, '$.page'), json_extract(ev, '$.field'), json_extract(ev, '$.box[0]'), "
    " json_extract(ev, '$.box[1]'), json_extract(ev, '$.box[2]'), json_extract(ev, '$.box[3]'), "
    " (SELECT group_concat(printf('''%s'' (%s)', json_extract(r.value, '$.value'), "
    "   json_extract(r.value, '$.reader')), ', ') FROM json_each(ev, '$.readings') r)) "
    "FROM (SELECT json_extract(evidence, '$.source') AS ev FROM field WHERE id = ?1 AND "
    " json_valid(evidence)) s LEFT JOIN page p ON p.id = json_extract(s.ev, '$.page') "
    "LEFT JOIN file fl ON fl.id = p.file_id WHERE s.ev IS NOT NULL";

static int read_source(sqlite3 *db, arc_review_view *v, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, source_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, v->field);
    int rc = sqlite3_step(st) == SQLITE_ROW ? arc_col_dup0(st, 0, &v->source) : DG_OK;
    sqlite3_finalize(st);
    return rc ? dg_err_set(err, rc, "out of memory reading review item") : DG_OK;
}

int arc_review_show(sqlite3 *db, int64_t item, arc_review_view *v, dg_err *err)
{
    memset(v, 0, sizeof *v);
    v->id = item;
    sqlite3_stmt *st;
    if (db_prepare(db, show_head_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, item);
    int step = sqlite3_step(st), rc = DG_OK;
    if (step == SQLITE_ROW && (rc = show_head(st, v)))
        dg_err_set(err, rc, "out of memory reading review item");
    sqlite3_finalize(st);
    if (!rc && step != SQLITE_ROW)
        rc = step == SQLITE_DONE
                 ? dg_err_set(err, DG_ENOTFOUND, "no review item %lld", (long long)item)
                 : db_fail(db, err, "cannot read review item");
    for (int k = 0; !rc && k < (int)(sizeof show_lists / sizeof *show_lists); k++)
        rc = show_list(db, k, v, err);
    if (!rc && v->has_field && strcmp(v->kind, "field") == 0)
        rc = arc_review_alts(db, v->field, &v->alts, &v->nalts,
                             &v->alts_from_readings, err);
    if (!rc && v->field)
        rc = read_source(db, v, err);
    if (rc)
        arc_review_view_release(v);
    return rc;
}

int arc_review_show_json(sqlite3 *db, int64_t item, dg_buf *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, show_json_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, item);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = show_json_alts(db, st, out, err);
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return dg_err_set(err, DG_ENOTFOUND, "no review item %lld", (long long)item);
    return db_fail(db, err, "cannot read review item");
}

/* A field item crops its field's box; a page item the whole page. */
int arc_review_crop(sqlite3 *db, int64_t item, int margin, const char *png, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT i.field_id, i.page_id FROM review_item i WHERE i.id = ?1", &st,
                   err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, item);
    int rc = sqlite3_step(st);
    int64_t field = sqlite3_column_int64(st, 0), page = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return dg_err_set(err, DG_ENOTFOUND, "no review item %lld", (long long)item);
    if (field)
        return arc_field_crop(db, field, margin, png, err);
    return arc_page_crop(db, page, png, err);
}

int arc_review_source_crop(sqlite3 *db, int64_t item, int margin, const char *png, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT json_extract(f.evidence, '$.source.field') FROM review_item i "
                       "JOIN field f ON f.id = i.field_id WHERE i.id = ?1 AND "
                       "json_valid(f.evidence)",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, item);
    int64_t field = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (!field)
        return dg_err_set(err, DG_ENOTFOUND, "review item %lld has no other source",
                          (long long)item);
    return arc_field_crop(db, field, margin, png, err);
}
