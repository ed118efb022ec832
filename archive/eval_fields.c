/*
 * eval_fields.c - how well extraction reads fields, against truth files
 * (shared/samples/README.md format).  The truth JSON is loaded as text into
 * a temporary table and taken apart with SQLite's json_each/json_extract,
 * so no JSON library is needed.
 *
 * A truth record is a card page or a ledger row; it is found when the page
 * has a record of the card (row 0), or a ledger record whose box centre
 * lies inside the truth row's box.  A field is exact when the extracted raw
 * text equals the truth's printed text, whitespace ignored (a missing field
 * counts as empty, so a blank cell read as missing is exact).  Page header
 * values count too, as header.KEY (header.department of a ledger ...).
 */
#include "archive_internal.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define NOWS(x) ARC_SQL_NOWS(x)

static const char *const setup_sql[] = {
    "DROP TABLE IF EXISTS temp.ev_truth; DROP TABLE IF EXISTS temp.ev_page;"
    "DROP TABLE IF EXISTS temp.ev_rec; DROP TABLE IF EXISTS temp.ev_fld;",
    "CREATE TEMP TABLE ev_truth(name TEXT, doc TEXT)",
};

static const char *const build_sql[] = {
    "CREATE TEMP TABLE ev_page AS SELECT json_extract(p.value, '$.difficulty') AS diff, "
    " pg.id AS page_id, p.value AS pj FROM ev_truth t, json_each(t.doc, '$.pages') p "
    " JOIN file f ON f.path = json_extract(t.doc, '$.image') "
    "   OR f.path LIKE '%/' || json_extract(t.doc, '$.image') "
    " JOIN page pg ON pg.file_id = f.id AND pg.page_index = json_extract(p.value, '$.page_index')",
    "CREATE TEMP TABLE ev_rec(id INTEGER PRIMARY KEY, diff TEXT, page_id INT, y0 INT, y1 INT, "
    " fields TEXT, record_id INT)",
    "INSERT INTO ev_rec(diff, page_id, fields) SELECT diff, page_id, json_extract(pj, '$.fields') "
    " FROM ev_page WHERE json_type(pj, '$.fields') = 'object'",
    "INSERT INTO ev_rec(diff, page_id, y0, y1, fields) SELECT diff, page_id, "
    " json_extract(r.value, '$.bbox[1]'), json_extract(r.value, '$.bbox[3]'), "
    " json_extract(r.value, '$.fields') FROM ev_page, json_each(pj, '$.rows') r",
    "UPDATE ev_rec SET record_id = (SELECT id FROM (SELECT r.id AS id, "
    "  abs(r.y + r.h / 2 - (coalesce(ev_rec.y0, 0) + coalesce(ev_rec.y1, 0)) / 2) AS d "
    "  FROM record r WHERE r.page_id = ev_rec.page_id "
    "  AND ((ev_rec.y0 IS NULL AND r.row_no = 0) OR (ev_rec.y0 IS NOT NULL AND r.row_no > 0 "
    "  AND r.y + r.h / 2 BETWEEN ev_rec.y0 AND ev_rec.y1))) ORDER BY d LIMIT 1)",
    "CREATE TEMP TABLE ev_fld AS SELECT r.diff AS diff, f.key AS key, "
    " " NOWS("json_extract(f.value, '$.printed')") " AS want, "
    " " NOWS("(SELECT x.raw FROM field x WHERE x.record_id = r.record_id AND x.key = f.key)")
    " AS got FROM ev_rec r, json_each(r.fields) f",
    /* Page header values (department of a ledger, record number, form
     * date ...) as header.KEY; the title is layout, not a value. */
    "INSERT INTO ev_fld(diff, key, want, got) SELECT p.diff, 'header.' || h.key, "
    " " NOWS("json_extract(h.value, '$.printed')") ", "
    " " NOWS("(SELECT CASE json_type(pf.header, '$.' || h.key) WHEN 'object' THEN "
             "json_extract(pf.header, '$.' || h.key || '.raw') WHEN 'text' THEN "
             "json_extract(pf.header, '$.' || h.key) END FROM page_form pf "
             "WHERE pf.page_id = p.page_id AND json_valid(pf.header))")
    " FROM ev_page p, json_each(p.pj, '$.header') h WHERE h.key <> 'title' "
    " AND json_type(h.value) = 'object'",
};

static int run_all(sqlite3 *db, const char *const *sql, size_t n, dg_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (db_exec(db, sql[i], err))
            return DG_EDB;
    return DG_OK;
}

static int load_truth(sqlite3 *db, const char *dir, long *nfiles, dg_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return dg_err_set(err, DG_ENOTFOUND, "cannot open truth directory '%s'", dir);
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO ev_truth(name, doc) VALUES (?, ?)", &st, err)) {
        closedir(d);
        return DG_EDB;
    }
    int rc = DG_OK;
    struct dirent *e;
    dg_buf path;
    dg_buf_init(&path, 4096);
    while (rc == DG_OK && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 12 || strcmp(e->d_name + l - 11, ".truth.json") != 0)
            continue;
        dg_buf_reset(&path);
        dg_buf_addf(&path, "%s/%s", dir, e->d_name);
        unsigned char *data;
        size_t len;
        if ((rc = arc_read_file(path.data, &data, &len, err)))
            break;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, e->d_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, (const char *)data, (int)len, SQLITE_TRANSIENT);
        free(data);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, err, "cannot load truth file");
        (*nfiles)++;
    }
    dg_buf_release(&path);
    sqlite3_finalize(st);
    closedir(d);
    if (rc == DG_OK && db_exec(db, "SELECT 1 FROM ev_truth WHERE NOT json_valid(doc)", err))
        rc = DG_EDB;
    return rc;
}

/* Difficulty columns: the usual three, then all. */
static const char *const diffs[] = {"clean", "moderate", "hard", NULL};
static const char *const diff_labels[ARC_EVAL_NDIFF] = {"clean", "moderate", "hard", "all"};

static void cell_counts(sqlite3 *db, const char *sql, const char *key, const char *diff,
                        arc_eval_cell *c)
{
    sqlite3_stmt *st;
    c->n = c->ok = 0;
    if (db_prepare(db, sql, &st, NULL))
        return;
    if (key)
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 1);
    if (diff)
        sqlite3_bind_text(st, 2, diff, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    if (sqlite3_step(st) == SQLITE_ROW) {
        c->n = (long)sqlite3_column_int64(st, 0);
        c->ok = (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
}

static const char fld_sql[] =
    "SELECT count(*), coalesce(sum(got = want), 0) FROM ev_fld "
    "WHERE (?1 IS NULL OR key = ?1) AND (?2 IS NULL OR diff = ?2)";
static const char rec_sql[] =
    "SELECT count(*), coalesce(sum(record_id IS NOT NULL), 0) FROM ev_rec "
    "WHERE ?1 IS NULL AND (?2 IS NULL OR diff = ?2)";

static void row_cells(sqlite3 *db, const char *sql, const char *key,
                      arc_eval_cell cells[ARC_EVAL_NDIFF])
{
    for (int i = 0; i < ARC_EVAL_NDIFF; i++)
        cell_counts(db, sql, key, i < 3 ? diffs[i] : NULL, &cells[i]);
}

static int collect(sqlite3 *db, arc_eval_fields_result *r)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT DISTINCT key FROM ev_fld ORDER BY key", &st, NULL))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        arc_eval_field_row *v = arc_grow(r->fields, r->nfields, sizeof *v);
        if (!v || !(v[r->nfields].key = dg_strdup((const char *)sqlite3_column_text(st, 0)))) {
            r->fields = v ? v : r->fields;
            rc = DG_ENOMEM;
            break;
        }
        r->fields = v;
        row_cells(db, fld_sql, v[r->nfields].key, v[r->nfields].by_difficulty);
        r->nfields++;
    }
    sqlite3_finalize(st);
    row_cells(db, fld_sql, NULL, r->all_fields);
    row_cells(db, rec_sql, NULL, r->records_found);
    return rc;
}

static void cells_json(dg_buf *b, const arc_eval_cell *cells, const char *okname)
{
    for (int i = 0; i < ARC_EVAL_NDIFF; i++) {
        long n = cells[i].n, ok = cells[i].ok;
        dg_buf_addf(b, "%s\"%s\":{\"n\":%ld,\"%s\":%ld,\"share\":%.4f}", i ? "," : "",
                    diff_labels[i], n, okname, ok, n ? (double)ok / (double)n : 0);
    }
}

int arc_eval_fields_json(const arc_eval_fields_result *r, dg_buf *b)
{
    dg_buf_addf(b, "{\"truth_files\":%ld,\"fields\":{", r->truth_files);
    for (size_t i = 0; i < r->nfields; i++) {
        if (i)
            dg_buf_addc(b, ',');
        dg_buf_json_str(b, r->fields[i].key);
        dg_buf_adds(b, ":{");
        cells_json(b, r->fields[i].by_difficulty, "exact");
        dg_buf_addc(b, '}');
    }
    dg_buf_adds(b, "},\"all_fields\":{\"all\":{");
    cells_json(b, r->all_fields, "exact");
    dg_buf_adds(b, "}},\"records_found\":{\"all\":{");
    cells_json(b, r->records_found, "found");
    return dg_buf_adds(b, "}}}");
}

void arc_eval_fields_release(arc_eval_fields_result *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i].key);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

int arc_eval_truth_tables(sqlite3 *db, const char *truth_dir, long *nfiles, dg_err *err)
{
    int rc = run_all(db, setup_sql, 2, err);
    if (rc == DG_OK)
        rc = load_truth(db, truth_dir, nfiles, err);
    if (rc == DG_OK)
        rc = run_all(db, build_sql, sizeof build_sql / sizeof *build_sql, err);
    return rc;
}

void arc_eval_truth_drop(sqlite3 *db)
{
    run_all(db, setup_sql, 1, NULL);
}

int arc_eval_fields(sqlite3 *db, const char *truth_dir, arc_eval_fields_result *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = arc_eval_truth_tables(db, truth_dir, &r->truth_files, err);
    if (rc == DG_OK && (rc = collect(db, r)))
        rc = rc == DG_ENOMEM ? dg_err_set(err, rc, "out of memory")
                             : db_fail(db, err, "cannot compute field evaluation");
    run_all(db, setup_sql, 1, NULL);
    if (rc)
        arc_eval_fields_release(r);
    return rc;
}
