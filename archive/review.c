/*
 * review.c - the review queue: building it from what normalization and load
 * left behind, and reading it (list, show, crop).  Decisions live in
 * review_decide.c.
 *
 * The queue is derived, not hand-fed: arc_review_refresh inserts an item for
 * every field, match, page and conflict that needs a person, and the unique
 * index on review_item makes that idempotent, so list and load can call it
 * every time.  JSON output is built by SQLite's json_object so that quoting
 * is never our problem.
 */
#include "archive.h"

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
    "SELECT i.id, i.kind, i.state, i.reason, coalesce(i.record_id, ''), coalesce(f.key, ''), "
    "  coalesce(f.raw, ''), coalesce(f.value, ''), i.detail" LIST_FROM;

static const char list_json_sql[] =
    "SELECT json_object('id', i.id, 'kind', i.kind, 'state', i.state, 'reason', i.reason, "
    "  'detail', i.detail, 'version', i.version, 'record', i.record_id, 'page', i.page_id, "
    "  'field', i.field_id, 'key', f.key, 'raw', f.raw, 'value', f.value, "
    "  'field_state', f.state)" LIST_FROM;

static void list_text_row(sqlite3_stmt *st, dg_buf *b)
{
    dg_buf_addf(b, "%-6lld %-8s %-9s %-16s rec %-6s %-14s %s", (long long)sqlite3_column_int64(st, 0),
                sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
                sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
                sqlite3_column_text(st, 5), sqlite3_column_text(st, 6));
    const char *raw = (const char *)sqlite3_column_text(st, 6);
    const char *val = (const char *)sqlite3_column_text(st, 7);
    if (strcmp(raw, val) != 0)
        dg_buf_addf(b, " -> %s", val);
    const char *detail = (const char *)sqlite3_column_text(st, 8);
    if (*detail)
        dg_buf_addf(b, "  [%s]", detail);
    dg_buf_addc(b, '\n');
}

int arc_review_list(sqlite3 *db, const char *reason, int all, int json, FILE *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, json ? list_json_sql : list_text_sql, &st, err))
        return DG_EDB;
    if (reason)
        sqlite3_bind_text(st, 1, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, all);
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_adds(&b, json ? "[" : "");
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (json)
            dg_buf_addf(&b, "%s%s", n ? ",\n " : "", sqlite3_column_text(st, 0));
        else
            list_text_row(st, &b);
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        dg_buf_release(&b);
        return db_fail(db, err, "cannot list the review queue");
    }
    if (json)
        dg_buf_adds(&b, "]\n");
    else
        dg_buf_addf(&b, "%ld item%s\n", n, n == 1 ? "" : "s");
    fputs(b.data ? b.data : "", out);
    dg_buf_release(&b);
    return DG_OK;
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
    "   ORDER BY id) d)) "
    "FROM review_item i LEFT JOIN field f ON f.id = i.field_id "
    "LEFT JOIN page p ON p.id = i.page_id LEFT JOIN file fl ON fl.id = p.file_id "
    "WHERE i.id = ?1";

static const char show_head_sql[] =
    "SELECT i.kind, i.state, i.reason, i.detail, i.version, coalesce(i.record_id, 0), "
    " f.key, f.raw, f.value, f.state, f.conf_min, f.conf_mean, f.rule, f.x, f.y, f.w, f.h, "
    " fl.path, fl.sha256, p.page_index + 1, p.id, f.match_code, f.match_name, f.match_decision, "
    " coalesce(i.study_id, 0) "
    "FROM review_item i LEFT JOIN field f ON f.id = i.field_id "
    "LEFT JOIN page p ON p.id = i.page_id LEFT JOIN file fl ON fl.id = p.file_id "
    "WHERE i.id = ?1";

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))
#define COLS(st, i) (COL(st, i) ? COL(st, i) : "")

static void show_head(sqlite3_stmt *st, int64_t id, dg_buf *b)
{
    dg_buf_addf(b, "review item %lld: %s, %s (%s, version %d)\n", (long long)id, COL(st, 0),
                COL(st, 2), COL(st, 1), sqlite3_column_int(st, 4));
    if (*COL(st, 3))
        dg_buf_addf(b, "  detail:   %s\n", COL(st, 3));
    if (sqlite3_column_int64(st, 24))
        dg_buf_addf(b, "  study:    %lld (the archived study this record would join)\n",
                    (long long)sqlite3_column_int64(st, 24));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
        dg_buf_addf(b, "  record:   %lld  field: %s\n", (long long)sqlite3_column_int64(st, 5),
                    COL(st, 6));
        dg_buf_addf(b, "  raw:      %s\n  value:    %s\n  state:    %s (confidence min %.0f, "
                       "mean %.0f)\n  rule:     %s\n",
                    COLS(st, 7), COLS(st, 8), COL(st, 9), sqlite3_column_double(st, 10),
                    sqlite3_column_double(st, 11), COLS(st, 12));
        if (sqlite3_column_type(st, 23) != SQLITE_NULL)
            dg_buf_addf(b, "  match:    %s %s %s\n", COL(st, 23), COLS(st, 21), COLS(st, 22));
    }
    if (sqlite3_column_type(st, 17) != SQLITE_NULL)
        dg_buf_addf(b, "  file:     %s\n  sha256:   %s\n  page:     %d (page id %lld)\n",
                    COL(st, 17), COL(st, 18), sqlite3_column_int(st, 19),
                    (long long)sqlite3_column_int64(st, 20));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        dg_buf_addf(b, "  box:      x=%d y=%d w=%d h=%d (original page pixels)\n",
                    sqlite3_column_int(st, 13), sqlite3_column_int(st, 14),
                    sqlite3_column_int(st, 15), sqlite3_column_int(st, 16));
}

static int show_candidates(sqlite3 *db, int64_t id, dg_buf *b, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT c.rank, c.code, c.name, c.score, c.path, c.evidence "
                       "FROM match_candidate c JOIN review_item i ON i.field_id = c.field_id "
                       "WHERE i.id = ?1 AND i.kind = 'match' ORDER BY c.rank", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (first)
            dg_buf_adds(b, "  candidates (pick N):\n");
        first = 0;
        dg_buf_addf(b, "    %d  %s %s  score %.3f\n       path: %s\n       evidence: %s\n",
                    sqlite3_column_int(st, 0), COL(st, 1), COL(st, 2),
                    sqlite3_column_double(st, 3), COL(st, 4), COL(st, 5));
    }
    return sqlite3_finalize(st) == SQLITE_OK ? DG_OK : db_fail(db, err, "cannot read candidates");
}

/* How the value came about: the normalization steps, and what an operator
 * typed (review-correct) before it was normalized. */
static int show_steps(sqlite3 *db, int64_t id, dg_buf *b, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT s.rule, s.before, s.after FROM field_step s JOIN review_item i "
                       "ON i.field_id = s.field_id WHERE i.id = ?1 ORDER BY s.seq", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (first)
            dg_buf_adds(b, "  steps:\n");
        first = 0;
        dg_buf_addf(b, "    %s: '%s' -> '%s'\n", COL(st, 0), COL(st, 1), COL(st, 2));
    }
    return sqlite3_finalize(st) == SQLITE_OK ? DG_OK : db_fail(db, err, "cannot read steps");
}

static int show_decisions(sqlite3 *db, int64_t id, dg_buf *b, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id, verb, operator, decided, before_state, after_state, "
                       "coalesce(before_value, ''), coalesce(after_value, ''), note, undoes "
                       "FROM review_decision WHERE item_id = ?1 ORDER BY id", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (first)
            dg_buf_adds(b, "  decisions:\n");
        first = 0;
        dg_buf_addf(b, "    #%lld %s by %s at %s: %s '%s' -> %s '%s'",
                    (long long)sqlite3_column_int64(st, 0), COL(st, 1), COL(st, 2), COL(st, 3),
                    COL(st, 4), COL(st, 6), COL(st, 5), COL(st, 7));
        if (sqlite3_column_type(st, 9) != SQLITE_NULL)
            dg_buf_addf(b, " (undoes #%lld)", (long long)sqlite3_column_int64(st, 9));
        if (*COL(st, 8))
            dg_buf_addf(b, " why: %s", COL(st, 8));
        dg_buf_addc(b, '\n');
    }
    return sqlite3_finalize(st) == SQLITE_OK ? DG_OK : db_fail(db, err, "cannot read decisions");
}

static int show_text(sqlite3 *db, int64_t id, dg_buf *b, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, show_head_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        show_head(st, id, b);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE
                   ? dg_err_set(err, DG_ENOTFOUND, "no review item %lld", (long long)id)
                   : db_fail(db, err, "cannot read review item");
    if (show_steps(db, id, b, err) || show_candidates(db, id, b, err) ||
        show_decisions(db, id, b, err))
        return DG_EDB;
    return DG_OK;
}

static int show_json(sqlite3 *db, int64_t id, dg_buf *b, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, show_json_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        dg_buf_addf(b, "%s\n", COL(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return dg_err_set(err, DG_ENOTFOUND, "no review item %lld", (long long)id);
    return rc == SQLITE_ROW ? DG_OK : db_fail(db, err, "cannot read review item");
}

int arc_review_show(sqlite3 *db, int64_t item, int json, FILE *out, dg_err *err)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = json ? show_json(db, item, &b, err) : show_text(db, item, &b, err);
    if (rc == DG_OK)
        fputs(b.data ? b.data : "", out);
    dg_buf_release(&b);
    return rc;
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
