/*
 * provenance.c - the walk from an archived value back to pixels:
 * study record -> provenance row -> field -> OCR words -> page -> file, with
 * every run, rule, normalization step, match candidate and review decision
 * that touched the value on the way.  Also cutting a value's box out of the
 * original scan (shared with `dangan review show --crop`).
 *
 * The text form is read into an arc_provenance_result for pipeline/ to
 * print; JSON is assembled by SQLite's json_object/json_group_array over
 * the same rows.
 */
#include "archive_internal.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ocr.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

/* ---- crops ------------------------------------------------------------------------ */

static int crop_from_file(sqlite3 *db, int64_t file_id, int page_index, ocr_box box,
                          int margin, const char *png, dg_err *err)
{
    unsigned char *data;
    size_t len;
    int rc = arc_read_scan(db, file_id, &data, &len, err);
    if (rc)
        return rc;
    rc = ocr_crop_to_png(data, len, page_index, box, margin, png, err);
    free(data);
    return rc;
}

int arc_field_crop(sqlite3 *db, int64_t field, int margin, const char *png, dg_err *err)
{
    sqlite3_stmt *st;
    /* A field that was not found has no box: show its record (the card or
     * the ledger row) so the operator can read the value off the scan. */
    if (db_prepare(db, "SELECT fl.id, p.page_index, "
                       "CASE WHEN f.w > 0 THEN f.x ELSE r.x END, "
                       "CASE WHEN f.w > 0 THEN f.y ELSE r.y END, "
                       "CASE WHEN f.w > 0 THEN f.w ELSE r.w END, "
                       "CASE WHEN f.w > 0 THEN f.h ELSE r.h END "
                       "FROM field f JOIN record r ON r.id = f.record_id "
                       "JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id "
                       "WHERE f.id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, field);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return dg_err_set(err, DG_ENOTFOUND, "no field %lld", (long long)field);
    }
    ocr_box box = {sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
                   sqlite3_column_int(st, 4), sqlite3_column_int(st, 5)};
    int64_t file_id = sqlite3_column_int64(st, 0);
    int page_index = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    if (box.w <= 0 || box.h <= 0)
        return dg_err_set(err, DG_EINPUT, "field %lld has no box on its page (neither it nor "
                          "its record was located)", (long long)field);
    return crop_from_file(db, file_id, page_index, box, margin, png, err);
}

int arc_page_crop(sqlite3 *db, int64_t page, const char *png, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT p.file_id, p.page_index, p.width, p.height "
                       "FROM page p WHERE p.id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return dg_err_set(err, DG_ENOTFOUND, "no page %lld", (long long)page);
    }
    ocr_box box = {0, 0, sqlite3_column_int(st, 2), sqlite3_column_int(st, 3)};
    int64_t file_id = sqlite3_column_int64(st, 0);
    int page_index = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    return crop_from_file(db, file_id, page_index, box, 0, png, err);
}

/* ---- is the scan still the one ingested? ------------------------------------------- */

/*
 * SQL function arc_scan_problem(FILE_ID), registered for one provenance
 * call: NULL when a copy of the file (store, recorded path, alias) still
 * hashes to the SHA-256 recorded at ingest, else why none does, so that
 * provenance itself says the evidence changed (fixity sweeps them all).
 * The values of a study mostly share a scan: the last answer is kept.
 */
typedef struct scan_check {
    sqlite3 *db;
    int64_t file; /* 0: nothing checked yet */
    char *problem;
} scan_check;

static void scan_problem_fn(sqlite3_context *cx, int n, sqlite3_value **v)
{
    (void)n;
    scan_check *c = sqlite3_user_data(cx);
    int64_t file = sqlite3_value_int64(v[0]);
    if (file != c->file) {
        unsigned char *data = NULL;
        size_t len = 0;
        dg_err e = {0};
        int rc = arc_read_scan(c->db, file, &data, &len, &e);
        free(data);
        free(c->problem);
        c->problem = NULL;
        c->file = 0;
        if (rc == DG_ENOMEM || rc == DG_EDB) {
            sqlite3_result_error(cx, e.msg, -1);
            return;
        }
        if (rc && !(c->problem = dg_strdup(e.msg))) {
            sqlite3_result_error_nomem(cx);
            return;
        }
        c->file = file;
    }
    if (c->problem)
        sqlite3_result_text(cx, c->problem, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(cx);
}

static int scan_check_begin(sqlite3 *db, scan_check *c, dg_err *err)
{
    memset(c, 0, sizeof *c);
    c->db = db;
    if (sqlite3_create_function(db, "arc_scan_problem", 1, SQLITE_UTF8, c, scan_problem_fn,
                                NULL, NULL) != SQLITE_OK)
        return db_fail(db, err, "cannot prepare the scan check");
    return DG_OK;
}

static void scan_check_end(scan_check *c)
{
    sqlite3_create_function(c->db, "arc_scan_problem", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    free(c->problem);
    c->problem = NULL;
}

/* ---- the walk ------------------------------------------------------------------------ */

/* Everything about one archived value in one JSON object. */
static const char prov_json_sql[] =
    "SELECT json_object('study', v.study_id, 'key', v.key, 'value', v.value, "
    " 'source', json_object('record', r.id, 'role', ss.role, 'linked_by', ss.linked_by, "
    "   'template', r.template, 'row', r.row_no, 'extract_run', r.run_id), "
    " 'file', json_object('path', fl.path, 'abspath', fl.abspath, 'sha256', fl.sha256, "
    "   'intact', json(CASE WHEN arc_scan_problem(fl.id) IS NULL THEN 'true' ELSE 'false' END), "
    "   'problem', arc_scan_problem(fl.id)), "
    " 'page', json_object('id', p.id, 'index', p.page_index + 1, 'width', p.width, "
    "   'height', p.height, 'dpi', p.dpi), "
    " 'box', json_array(f.x, f.y, f.w, f.h), "
    " 'field', json_object('id', f.id, 'raw', f.raw, 'value', f.value, 'state', f.state, "
    "   'flag', f.flag, 'conf_min', f.conf_min, 'conf_mean', f.conf_mean, 'rule', f.rule), "
    " 'ocr', (SELECT json_object('run', op.run_id, 'lang', op.lang, 'params', json(ru.params), "
    "   'skew_deg', op.skew_deg) FROM ocr_page op JOIN run ru ON ru.id = op.run_id "
    "   WHERE op.page_id = p.id), "
    " 'words', (SELECT json_group_array(json_object('id', w.id, 'text', w.text, 'conf', w.conf, "
    "   'box', json_array(w.x, w.y, w.w, w.h))) FROM json_each(f.words) j "
    "   JOIN ocr_word w ON w.id = j.value), "
    " 'steps', (SELECT json_group_array(json_object('rule', s.rule, 'before', s.before, "
    "   'after', s.after)) FROM (SELECT * FROM field_step WHERE field_id = f.id "
    "   ORDER BY seq) s), "
    " 'normalize_run', (SELECT json_object('id', ru.id, 'params', json(ru.params)) "
    "   FROM run ru WHERE ru.id = f.norm_run), "
    " 'match', CASE WHEN f.match_decision IS NULL THEN NULL ELSE json_object("
    "   'decision', f.match_decision, 'code', f.match_code, 'name', f.match_name, "
    "   'score', f.match_score, 'rule', (SELECT json_object('id', m.id, 'name_norm', "
    "   m.name_norm, 'code', m.code, 'operator', m.operator, 'decided', m.decided, "
    "   'active', m.active) FROM mapping_rule m WHERE m.id = f.match_rule), "
    "   'candidates', (SELECT json_group_array(json_object('rank', c.rank, 'code', c.code, "
    "   'name', c.name, 'score', c.score, 'path', c.path, 'evidence', c.evidence)) "
    "   FROM (SELECT * FROM match_candidate WHERE field_id = f.id ORDER BY rank) c)) END, "
    " 'decisions', (SELECT json_group_array(json_object('item', d.item_id, 'verb', d.verb, "
    "   'operator', d.operator, 'decided', d.decided, 'before', d.before_value, "
    "   'after', d.after_value, 'note', d.note)) FROM (SELECT d.* FROM review_decision d "
    "   JOIN review_item i ON i.id = d.item_id WHERE i.field_id = f.id ORDER BY d.id) d), "
    " 'load_run', json_object('id', coalesce(ss.load_run, sr.load_run), 'loaded', sr.loaded), "
    " 'amendments', (SELECT json_group_array(json_object('id', a.id, 'key', a.key, "
    "   'before', a.before, 'after', a.after, 'operator', a.operator, 'amended', a.amended, "
    "   'reason', a.reason, 'decision', a.decision_id, 'field', a.field_id)) FROM (SELECT * "
    "   FROM amendment a WHERE (a.key = v.key OR (v.key = 'major' AND a.key IN "
    "   ('current_code', 'current_name'))) AND (a.study_id = v.study_id OR "
    "   (a.column_name LIKE 'person.%' AND a.person_id = sr.person_id)) ORDER BY a.id) a)) "
    "FROM provenance v JOIN study_record sr ON sr.id = v.study_id "
    "JOIN field f ON f.id = v.field_id JOIN record r ON r.id = f.record_id "
    "LEFT JOIN study_source ss ON ss.record_id = r.id "
    "JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id "
    "WHERE v.study_id = ?1 AND (?2 IS NULL OR v.key = ?2) ORDER BY v.key";

static const char prov_text_sql[] =
    "SELECT v.key, v.value, f.id, f.raw, f.value, f.state, f.rule, f.conf_min, f.conf_mean, "
    " fl.path, fl.sha256, p.page_index + 1, f.x, f.y, f.w, f.h, r.id, ss.role, ss.linked_by, "
    " (SELECT op.run_id || ' ' || ru.params FROM ocr_page op JOIN run ru ON ru.id = op.run_id "
    "   WHERE op.page_id = p.id), "
    " f.norm_run, f.match_decision, f.match_code, f.match_name, f.match_score, "
    " (SELECT '#' || m.id || ' by ' || m.operator || ' at ' || m.decided || "
    "   CASE WHEN m.active THEN '' ELSE ' (inactive)' END FROM mapping_rule m "
    "   WHERE m.id = f.match_rule), coalesce(ss.load_run, sr.load_run), sr.loaded, "
    " arc_scan_problem(fl.id) "
    "FROM provenance v JOIN study_record sr ON sr.id = v.study_id "
    "JOIN field f ON f.id = v.field_id JOIN record r ON r.id = f.record_id "
    "LEFT JOIN study_source ss ON ss.record_id = r.id "
    "JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id "
    "WHERE v.study_id = ?1 AND (?2 IS NULL OR v.key = ?2) ORDER BY v.key";

/* The lines of a value's sub-lists, in arc_prov_value's order. */
static const char *const line_sql[] = {
    /* ocr words */
    "SELECT '#' || w.id || ' ' || quote(w.text) || ' conf ' || printf('%.0f', w.conf) || "
    "' at x=' || w.x || ' y=' || w.y || ' w=' || w.w || ' h=' || w.h "
    "FROM field f, json_each(f.words) j JOIN ocr_word w ON w.id = j.value WHERE f.id = ?1",
    /* normalization steps */
    "SELECT '[' || rule || ': ' || before || ' -> ' || after || ']' FROM field_step "
    "WHERE field_id = ?1 ORDER BY seq",
    /* match candidates */
    "SELECT rank || '. ' || code || ' ' || name || ' score ' || printf('%.3f', score) || "
    "'  ' || path FROM match_candidate WHERE field_id = ?1 ORDER BY rank",
    /* review decisions */
    "SELECT '#' || d.id || ' ' || d.verb || ' by ' || d.operator || ' at ' || d.decided || "
    "': ' || coalesce(quote(d.before_value), 'NULL') || ' -> ' || "
    "coalesce(quote(d.after_value), 'NULL') || CASE WHEN d.note != '' THEN ' (' || d.note "
    "|| ')' ELSE '' END FROM review_decision d JOIN review_item i ON i.id = d.item_id "
    "WHERE i.field_id = ?1 ORDER BY d.id",
};

static int read_lines(sqlite3 *db, const char *sql, int64_t field, arc_lines *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, field);
    return arc_lines_collect(db, st, 1, 0, out, "provenance", err);
}

static int read_head(sqlite3_stmt *st, arc_prov_value *v)
{
    v->field = sqlite3_column_int64(st, 2);
    v->conf_min = sqlite3_column_double(st, 7);
    v->conf_mean = sqlite3_column_double(st, 8);
    v->page = sqlite3_column_int(st, 11);
    v->x = sqlite3_column_int(st, 12);
    v->y = sqlite3_column_int(st, 13);
    v->w = sqlite3_column_int(st, 14);
    v->h = sqlite3_column_int(st, 15);
    v->record = sqlite3_column_int64(st, 16);
    v->match_score = sqlite3_column_double(st, 24);
    v->load_run = sqlite3_column_int64(st, 26);
    static const struct {
        int col, empty; /* empty: NULL read as "" */
        size_t off;
    } strs[] = {
        {0, 0, offsetof(arc_prov_value, key)},       {1, 1, offsetof(arc_prov_value, value)},
        {3, 1, offsetof(arc_prov_value, raw)},       {4, 1, offsetof(arc_prov_value, field_value)},
        {5, 0, offsetof(arc_prov_value, state)},     {6, 1, offsetof(arc_prov_value, rule)},
        {9, 0, offsetof(arc_prov_value, file)},      {10, 0, offsetof(arc_prov_value, sha256)},
        {17, 1, offsetof(arc_prov_value, role)},     {18, 1, offsetof(arc_prov_value, linked_by)},
        {19, 0, offsetof(arc_prov_value, ocr_run)},  {20, 0, offsetof(arc_prov_value, norm_run)},
        {21, 0, offsetof(arc_prov_value, match_decision)},
        {22, 1, offsetof(arc_prov_value, match_code)},
        {23, 1, offsetof(arc_prov_value, match_name)},
        {25, 0, offsetof(arc_prov_value, match_rule)},
        {27, 0, offsetof(arc_prov_value, loaded)},
        {28, 0, offsetof(arc_prov_value, scan_problem)},
    };
    int rc = DG_OK;
    for (size_t i = 0; !rc && i < sizeof strs / sizeof *strs; i++) {
        char **dst = (char **)((char *)v + strs[i].off);
        rc = strs[i].empty ? arc_col_dup0(st, strs[i].col, dst) : arc_col_dup(st, strs[i].col, dst);
    }
    return rc;
}

int arc_lines_collect(sqlite3 *db, sqlite3_stmt *st, int ncols, int skip_null, arc_lines *out,
                      const char *what, dg_err *err)
{
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < ncols && !rc; c++) {
            if (skip_null && sqlite3_column_type(st, c) == SQLITE_NULL)
                continue;
            char **v = arc_grow(out->v, out->n, sizeof *v);
            if (!v) {
                rc = DG_ENOMEM;
                break;
            }
            out->v = v;
            rc = arc_col_dup0(st, c, &v[out->n++]);
        }
    }
    int frc = sqlite3_finalize(st);
    if (rc)
        return dg_err_set(err, rc, "out of memory reading %s", what);
    if (frc == SQLITE_OK)
        return DG_OK;
    char doing[96];
    snprintf(doing, sizeof doing, "cannot read %s", what);
    return db_fail(db, err, doing);
}

void arc_lines_release(arc_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void arc_provenance_release(arc_provenance_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        arc_prov_value *v = &r->v[i];
        char *strs[] = {v->key,      v->value,     v->raw,       v->field_value,
                        v->state,    v->rule,      v->file,      v->sha256,
                        v->role,     v->linked_by, v->ocr_run,   v->norm_run,
                        v->match_decision, v->match_code, v->match_name, v->match_rule,
                        v->loaded,   v->scan_problem};
        for (size_t j = 0; j < sizeof strs / sizeof *strs; j++)
            free(strs[j]);
        arc_lines_release(&v->words);
        arc_lines_release(&v->steps);
        arc_lines_release(&v->candidates);
        arc_lines_release(&v->decisions);
        arc_lines_release(&v->versions);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

static int read_values(sqlite3 *db, sqlite3_stmt *st, int64_t study, arc_provenance_result *r,
                       dg_err *err)
{
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        arc_prov_value *a = arc_grow(r->v, r->n, sizeof *a);
        if (!a)
            return dg_err_set(err, DG_ENOMEM, "out of memory reading provenance");
        r->v = a;
        arc_prov_value *v = &a[r->n++];
        if (read_head(st, v))
            return dg_err_set(err, DG_ENOMEM, "out of memory reading provenance");
        arc_lines *lists[] = {&v->words, &v->steps, &v->candidates, &v->decisions};
        for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
            if (read_lines(db, line_sql[i], v->field, lists[i], err))
                return DG_EDB;
        if (arc_amend_history(db, study, v->key, &v->versions, err))
            return DG_EDB;
    }
    return step == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot read provenance");
}

static int study_exists(sqlite3 *db, int64_t study, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT 1 FROM study_record WHERE id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? DG_OK
                            : dg_err_set(err, DG_ENOTFOUND, "no study record %lld",
                                         (long long)study);
}

/* The statement over the study's values (key NULL: all), after the checks. */
static int prov_prepare(sqlite3 *db, int64_t study, const char *key, const char *sql,
                        sqlite3_stmt **st, dg_err *err)
{
    int rc = study_exists(db, study, err);
    if (rc)
        return rc;
    if (db_prepare(db, sql, st, err))
        return DG_EDB;
    sqlite3_bind_int64(*st, 1, study);
    if (key)
        sqlite3_bind_text(*st, 2, key, -1, SQLITE_TRANSIENT);
    return DG_OK;
}

static int no_value(int64_t study, const char *key, dg_err *err)
{
    return dg_err_set(err, DG_ENOTFOUND, "study record %lld has no archived value '%s'",
                      (long long)study, key);
}

int arc_provenance(sqlite3 *db, int64_t study, const char *key, arc_provenance_result *r,
                   dg_err *err)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *st;
    scan_check sc;
    int rc = scan_check_begin(db, &sc, err);
    if (rc)
        return rc;
    rc = prov_prepare(db, study, key, prov_text_sql, &st, err);
    if (rc) {
        scan_check_end(&sc);
        return rc;
    }
    rc = read_values(db, st, study, r, err);
    sqlite3_finalize(st);
    scan_check_end(&sc);
    if (rc == DG_OK && r->n == 0 && key)
        rc = no_value(study, key, err);
    if (rc)
        arc_provenance_release(r);
    return rc;
}

int arc_provenance_json(sqlite3 *db, int64_t study, const char *key, dg_buf *out, dg_err *err)
{
    sqlite3_stmt *st;
    scan_check sc;
    int rc = scan_check_begin(db, &sc, err);
    if (rc)
        return rc;
    rc = prov_prepare(db, study, key, prov_json_sql, &st, err);
    if (rc) {
        scan_check_end(&sc);
        return rc;
    }
    long n = 0;
    dg_buf_addc(out, '[');
    /* SQLite copies a path's bytes into JSON as they are: kept valid UTF-8 */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_buf_adds(out, n++ ? ",\n " : "");
        dg_buf_add_utf8(out, COL(st, 0));
    }
    dg_buf_addc(out, ']');
    if (rc != SQLITE_DONE)
        db_fail(db, err, "cannot read provenance");
    sqlite3_finalize(st);
    scan_check_end(&sc);
    if (rc != SQLITE_DONE)
        return DG_EDB;
    return n == 0 && key ? no_value(study, key, err) : DG_OK;
}

int arc_provenance_crop(sqlite3 *db, int64_t study, const char *key, int margin,
                        const char *png, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT field_id FROM provenance WHERE study_id = ?1 AND key = ?2", &st,
                   err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    int64_t field = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (!field)
        return dg_err_set(err, DG_ENOTFOUND, "study record %lld has no archived value '%s'",
                          (long long)study, key);
    return arc_field_crop(db, field, margin, png, err);
}
