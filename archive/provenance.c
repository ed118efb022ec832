/*
 * provenance.c - the walk from an archived value back to pixels:
 * study record -> provenance row -> field -> OCR words -> page -> file, with
 * every run, rule, normalization step, match candidate and review decision
 * that touched the value on the way.  Also cutting a value's box out of the
 * original scan (shared with `dangan review show --crop`).
 *
 * JSON is assembled by SQLite's json_object/json_group_array, so the text
 * and JSON forms read the same rows.
 */
#include "archive.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "ocr.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))
#define COLS(st, i) (COL(st, i) ? COL(st, i) : "")

/* ---- crops ------------------------------------------------------------------------ */

/* Re-read the scan as filed and refuse bytes that are not the ones ingested:
 * a crop from a replaced file would be evidence of nothing. */
static int crop_from_file(const char *abspath, const char *sha, int page_index, ocr_box box,
                          int margin, const char *png, dg_err *err)
{
    unsigned char *data;
    size_t len;
    int rc = arc_read_file(abspath, &data, &len, err);
    if (rc)
        return rc;
    char got[65];
    dg_sha256_hex(data, len, got);
    if (strcmp(got, sha) != 0) {
        free(data);
        return dg_err_set(err, DG_EINPUT, "scan '%s' changed since ingest: sha256 %s, expected %s",
                          abspath, got, sha);
    }
    rc = ocr_crop_to_png(data, len, page_index, box, margin, png, err);
    free(data);
    return rc;
}

int arc_field_crop(sqlite3 *db, int64_t field, int margin, const char *png, dg_err *err)
{
    sqlite3_stmt *st;
    /* A field that was not found has no box: show its record (the card or
     * the ledger row) so the operator can read the value off the scan. */
    if (db_prepare(db, "SELECT fl.abspath, fl.sha256, p.page_index, "
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
    ocr_box box = {sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
                   sqlite3_column_int(st, 5), sqlite3_column_int(st, 6)};
    char *path = dg_strdup(COL(st, 0)), *sha = dg_strdup(COL(st, 1));
    int page_index = sqlite3_column_int(st, 2);
    sqlite3_finalize(st);
    int rc;
    if (box.w <= 0 || box.h <= 0)
        rc = dg_err_set(err, DG_EINPUT, "field %lld has no box on its page (neither it nor its "
                        "record was located)", (long long)field);
    else if (!path || !sha)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    else
        rc = crop_from_file(path, sha, page_index, box, margin, png, err);
    free(path);
    free(sha);
    return rc;
}

int arc_page_crop(sqlite3 *db, int64_t page, const char *png, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT fl.abspath, fl.sha256, p.page_index, p.width, p.height "
                       "FROM page p JOIN file fl ON fl.id = p.file_id WHERE p.id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return dg_err_set(err, DG_ENOTFOUND, "no page %lld", (long long)page);
    }
    ocr_box box = {0, 0, sqlite3_column_int(st, 3), sqlite3_column_int(st, 4)};
    char *path = dg_strdup(COL(st, 0)), *sha = dg_strdup(COL(st, 1));
    int page_index = sqlite3_column_int(st, 2);
    sqlite3_finalize(st);
    int rc = path && sha ? crop_from_file(path, sha, page_index, box, 0, png, err)
                         : dg_err_set(err, DG_ENOMEM, "out of memory");
    free(path);
    free(sha);
    return rc;
}

/* ---- the walk ------------------------------------------------------------------------ */

/* Everything about one archived value in one JSON object. */
static const char prov_json_sql[] =
    "SELECT json_object('study', v.study_id, 'key', v.key, 'value', v.value, "
    " 'source', json_object('record', r.id, 'role', ss.role, 'linked_by', ss.linked_by, "
    "   'template', r.template, 'row', r.row_no, 'extract_run', r.run_id), "
    " 'file', json_object('path', fl.path, 'abspath', fl.abspath, 'sha256', fl.sha256), "
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
    " 'load_run', json_object('id', coalesce(ss.load_run, sr.load_run), 'loaded', sr.loaded)) "
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
    "   WHERE m.id = f.match_rule), coalesce(ss.load_run, sr.load_run), sr.loaded "
    "FROM provenance v JOIN study_record sr ON sr.id = v.study_id "
    "JOIN field f ON f.id = v.field_id JOIN record r ON r.id = f.record_id "
    "LEFT JOIN study_source ss ON ss.record_id = r.id "
    "JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id "
    "WHERE v.study_id = ?1 AND (?2 IS NULL OR v.key = ?2) ORDER BY v.key";

/* Lines of one sub-list (words, steps, candidates, decisions) of a field. */
static int text_list(sqlite3 *db, const char *title, const char *sql, int64_t field, dg_buf *b,
                     dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, field);
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (first)
            dg_buf_addf(b, "    %s:\n", title);
        first = 0;
        dg_buf_addf(b, "      %s\n", COLS(st, 0));
    }
    return sqlite3_finalize(st) == SQLITE_OK ? DG_OK : db_fail(db, err, "cannot read provenance");
}

static const struct {
    const char *title, *sql;
} text_lists[] = {
    {"ocr words",
     "SELECT '#' || w.id || ' ' || quote(w.text) || ' conf ' || printf('%.0f', w.conf) || "
     "' at x=' || w.x || ' y=' || w.y || ' w=' || w.w || ' h=' || w.h "
     "FROM field f, json_each(f.words) j JOIN ocr_word w ON w.id = j.value WHERE f.id = ?1"},
    {"normalization steps",
     "SELECT '[' || rule || ': ' || before || ' -> ' || after || ']' FROM field_step "
     "WHERE field_id = ?1 ORDER BY seq"},
    {"match candidates",
     "SELECT rank || '. ' || code || ' ' || name || ' score ' || printf('%.3f', score) || "
     "'  ' || path FROM match_candidate WHERE field_id = ?1 ORDER BY rank"},
    {"review decisions",
     "SELECT '#' || d.id || ' ' || d.verb || ' by ' || d.operator || ' at ' || d.decided || "
     "': ' || coalesce(quote(d.before_value), 'NULL') || ' -> ' || "
     "coalesce(quote(d.after_value), 'NULL') || CASE WHEN d.note != '' THEN ' (' || d.note "
     "|| ')' ELSE '' END FROM review_decision d JOIN review_item i ON i.id = d.item_id "
     "WHERE i.field_id = ?1 ORDER BY d.id"},
};

static void text_head(sqlite3_stmt *st, dg_buf *b)
{
    dg_buf_addf(b, "%s = %s\n", COL(st, 0), COLS(st, 1));
    dg_buf_addf(b, "    file:    %s sha256 %s\n", COL(st, 9), COL(st, 10));
    dg_buf_addf(b, "    page:    %d  box x=%d y=%d w=%d h=%d\n", sqlite3_column_int(st, 11),
                sqlite3_column_int(st, 12), sqlite3_column_int(st, 13),
                sqlite3_column_int(st, 14), sqlite3_column_int(st, 15));
    dg_buf_addf(b, "    record:  %lld (%s%s%s)  field %lld, template rule %s\n",
                (long long)sqlite3_column_int64(st, 16), COLS(st, 17),
                *COLS(st, 18) ? ", linked by " : "", COLS(st, 18),
                (long long)sqlite3_column_int64(st, 2), COLS(st, 6));
    dg_buf_addf(b, "    read:    %s (confidence min %.0f, mean %.0f), ocr run %s\n",
                COLS(st, 3), sqlite3_column_double(st, 7), sqlite3_column_double(st, 8),
                COL(st, 19) ? COL(st, 19) : "(none)");
    dg_buf_addf(b, "    value:   %s (%s), normalize run %s\n", COLS(st, 4), COL(st, 5),
                COL(st, 20) ? COL(st, 20) : "(none)");
    if (COL(st, 21))
        dg_buf_addf(b, "    match:   %s %s %s score %.3f%s%s\n", COL(st, 21), COLS(st, 22),
                    COLS(st, 23), sqlite3_column_double(st, 24), COL(st, 25) ? ", rule " : "",
                    COLS(st, 25));
    dg_buf_addf(b, "    loaded:  run %lld at %s\n", (long long)sqlite3_column_int64(st, 26),
                COL(st, 27));
}

static int prov_text(sqlite3 *db, sqlite3_stmt *st, dg_buf *b, long *n, dg_err *err)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        text_head(st, b);
        int64_t field = sqlite3_column_int64(st, 2);
        for (size_t i = 0; i < sizeof text_lists / sizeof *text_lists; i++)
            if (text_list(db, text_lists[i].title, text_lists[i].sql, field, b, err))
                return DG_EDB;
        (*n)++;
    }
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot read provenance");
}

static int prov_json(sqlite3 *db, sqlite3_stmt *st, dg_buf *b, long *n, dg_err *err)
{
    int rc;
    dg_buf_addc(b, '[');
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        dg_buf_addf(b, "%s%s", (*n)++ ? ",\n " : "", COL(st, 0));
    dg_buf_adds(b, "]\n");
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot read provenance");
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

int arc_provenance(sqlite3 *db, int64_t study, const char *key, int json, FILE *out,
                   dg_err *err)
{
    int rc = study_exists(db, study, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    if (db_prepare(db, json ? prov_json_sql : prov_text_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    if (key)
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    dg_buf b;
    dg_buf_init(&b, 0);
    long n = 0;
    rc = json ? prov_json(db, st, &b, &n, err) : prov_text(db, st, &b, &n, err);
    sqlite3_finalize(st);
    if (rc == DG_OK && n == 0 && key)
        rc = dg_err_set(err, DG_ENOTFOUND, "study record %lld has no archived value '%s'",
                        (long long)study, key);
    if (rc == DG_OK)
        fputs(b.data ? b.data : "", out);
    dg_buf_release(&b);
    return rc;
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
