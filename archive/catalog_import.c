/*
 * catalog_import.c - mirror the discipline catalogs and crosswalks of a
 * catalog directory (editions.tsv + CSV files, read by norm_catalog_load)
 * into the database, and list what is loaded.
 *
 * The database copy is what reviewers, exports and provenance joins read;
 * the matcher itself works on the in-memory catalog loaded from the same
 * files.  Import is idempotent: an edition whose CSV has the SHA-256 already
 * recorded is skipped, a changed one has all its rows replaced in one
 * transaction.  Crosswalks are imported per edition pair, fingerprinted over
 * the rows as loaded (mapping, curated split and unresolved files together),
 * since one pair may come from several files.  Editions that disappear from
 * a manifest are kept: records normalized against them still point at them.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"
#include "normalize.h"

int arc_catalog_resolve_dir(const char *dir, char *buf, size_t n)
{
    int len = dir ? snprintf(buf, n, "%s", dir)
                  : snprintf(buf, n, "%s/disciplines", arc_config_dir());
    return len < 0 || (size_t)len >= n ? DG_EUSAGE : DG_OK;
}

/* SHA-256 of a file named relative to the catalog directory. */
static int file_sha(const char *dir, const char *file, char out[65], dg_err *err)
{
    char path[4096];
    int len = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (len < 0 || (size_t)len >= sizeof path)
        return dg_err_set(err, DG_EINPUT, "catalog path too long: '%s/%s'", dir, file);
    unsigned char *data;
    size_t n;
    int rc = arc_read_file(path, &data, &n, err);
    if (rc)
        return rc;
    dg_sha256_hex(data, n, out);
    free(data);
    return DG_OK;
}

/* Fingerprint of crosswalk rows [first, end) of one edition pair. */
static int crosswalk_sha(const norm_catalog *cat, size_t first, size_t end, char out[65])
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = DG_OK;
    for (size_t i = first; i < end && !rc; i++) {
        norm_crosswalk_info x;
        norm_catalog_crosswalk(cat, i, &x);
        rc = dg_buf_addf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.from_edition, x.to_edition,
                         x.old_code, x.old_name, x.new_code, x.new_name, x.relation, x.basis);
    }
    if (!rc)
        dg_sha256_hex(b.data ? b.data : "", b.len, out);
    dg_buf_release(&b);
    return rc;
}

/* End of the run of crosswalk rows sharing row `first`'s edition pair. */
static size_t crosswalk_group_end(const norm_catalog *cat, size_t first)
{
    norm_crosswalk_info a, x;
    norm_catalog_crosswalk(cat, first, &a);
    size_t i = first + 1, n = norm_catalog_crosswalk_count(cat);
    for (; i < n; i++) {
        norm_catalog_crosswalk(cat, i, &x);
        if (strcmp(a.from_edition, x.from_edition) || strcmp(a.to_edition, x.to_edition))
            break;
    }
    return i;
}

/* The recorded sha of a key; 1 when it equals sha (nothing to do). */
static int sha_recorded(sqlite3 *db, const char *sql, const char *k1, const char *k2,
                        const char *sha)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, k1, -1, SQLITE_STATIC);
    if (k2)
        sqlite3_bind_text(st, 2, k2, -1, SQLITE_STATIC);
    int same = sqlite3_step(st) == SQLITE_ROW &&
               strcmp((const char *)sqlite3_column_text(st, 0), sha) == 0;
    sqlite3_finalize(st);
    return same;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, dg_err *err, const char *doing)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, doing);
}

/* ---- editions ---- */

static int edition_write_head(sqlite3 *db, const norm_edition_info *e, int target,
                              const char *sha, dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (db_prepare(db, "DELETE FROM discipline WHERE edition = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
    int rc = step_done(db, st, err, "cannot replace catalog edition");
    sqlite3_finalize(st);
    if (rc || db_prepare(db,
                         "INSERT INTO catalog_edition(edition, year_from, file, target, sha256, "
                         "imported) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(edition) DO UPDATE "
                         "SET year_from = excluded.year_from, file = excluded.file, "
                         "target = excluded.target, sha256 = excluded.sha256, "
                         "imported = excluded.imported",
                         &st, err))
        return rc ? rc : DG_EDB;
    sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, e->from_year);
    sqlite3_bind_text(st, 3, e->file, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, target);
    sqlite3_bind_text(st, 5, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    rc = step_done(db, st, err, "cannot record catalog edition");
    sqlite3_finalize(st);
    return rc;
}

static int edition_write_rows(sqlite3 *db, const norm_catalog *cat, size_t ei,
                              const norm_edition_info *e, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO discipline(edition, code, name, bare_name, level, "
                       "parent_code) VALUES (?, ?, ?, ?, ?, nullif(?, ''))",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    for (size_t i = 0; i < e->ndisciplines && !rc; i++) {
        norm_discipline_info d;
        norm_catalog_discipline(cat, ei, i, &d);
        sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, d.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, d.name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, d.bare_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, d.level, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, d.parent_code, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = dg_err_set(err, DG_EDB, "cannot import discipline '%s' of edition '%s': %s",
                            d.code, e->id, sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int edition_import(sqlite3 *db, const norm_catalog *cat, const char *dir, size_t ei,
                          arc_catalog_summary *sum, dg_err *err)
{
    norm_edition_info e;
    norm_catalog_edition(cat, ei, &e);
    char sha[65];
    int rc = file_sha(dir, e.file, sha, err);
    if (rc)
        return rc;
    int target = strcmp(e.id, norm_catalog_target(cat)) == 0;
    /* The target flag counts too: a manifest may retarget without a csv change. */
    if (sha_recorded(db, target ? "SELECT sha256 FROM catalog_edition WHERE edition = ? AND target"
                                : "SELECT sha256 FROM catalog_edition WHERE edition = ? AND NOT target",
                     e.id, NULL, sha)) {
        sum->editions_unchanged++;
        return DG_OK;
    }
    int own = sqlite3_get_autocommit(db); /* else inside arc_catalog_ensure's transaction */
    if (own && db_begin(db, err))
        return DG_EDB;
    rc = edition_write_head(db, &e, target, sha, err);
    rc = rc ? rc : edition_write_rows(db, cat, ei, &e, err);
    rc = rc || !own ? rc : db_commit(db, err);
    if (rc) {
        if (own)
            db_rollback(db);
        return rc;
    }
    sum->editions_imported++;
    sum->disciplines += (long)e.ndisciplines;
    return DG_OK;
}

/* ---- crosswalks ---- */

static int crosswalk_clear(sqlite3 *db, const char *from, const char *to, const char *sha,
                           dg_err *err)
{
    static const char *const sql[] = {
        "DELETE FROM crosswalk WHERE from_edition = ?1 AND to_edition = ?2",
        "DELETE FROM crosswalk_unresolved WHERE from_edition = ?1 AND to_edition = ?2",
        "INSERT INTO crosswalk_source(from_edition, to_edition, sha256, imported) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET sha256 = excluded.sha256, "
        "imported = excluded.imported",
    };
    char now[32];
    dg_now_iso(now);
    int rc = DG_OK;
    for (size_t i = 0; i < sizeof sql / sizeof *sql && !rc; i++) {
        sqlite3_stmt *st;
        if (db_prepare(db, sql[i], &st, err))
            return DG_EDB;
        sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
        if (i == 2) {
            sqlite3_bind_text(st, 3, sha, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        }
        rc = step_done(db, st, err, "cannot replace crosswalk");
        sqlite3_finalize(st);
    }
    return rc;
}

static int crosswalk_row(sqlite3 *db, sqlite3_stmt *map, sqlite3_stmt *unres,
                         const norm_crosswalk_info *x, dg_err *err)
{
    int unresolved = strcmp(x->relation, "unresolved") == 0;
    sqlite3_stmt *st = unresolved ? unres : map;
    sqlite3_bind_text(st, 1, x->from_edition, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, x->old_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, x->to_edition, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, x->old_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, unresolved ? x->basis : x->new_code, -1, SQLITE_STATIC);
    if (!unresolved) {
        sqlite3_bind_text(st, 6, x->new_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, x->relation, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, x->basis, -1, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return dg_err_set(err, DG_EDB, "cannot import crosswalk %s->%s row '%s': %s",
                          x->from_edition, x->to_edition, x->old_code, sqlite3_errmsg(db));
    return DG_OK;
}

static int crosswalk_write_rows(sqlite3 *db, const norm_catalog *cat, size_t first, size_t end,
                                arc_catalog_summary *sum, dg_err *err)
{
    sqlite3_stmt *map = NULL, *unres = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO crosswalk(from_edition, from_code, to_edition, from_name, "
                        "to_code, to_name, relation, basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        &map, err);
    rc = rc ? rc
            : db_prepare(db,
                         "INSERT INTO crosswalk_unresolved(from_edition, from_code, to_edition, "
                         "name, reason) VALUES (?, ?, ?, ?, ?)",
                         &unres, err);
    for (size_t i = first; i < end && !rc; i++) {
        norm_crosswalk_info x;
        norm_catalog_crosswalk(cat, i, &x);
        rc = crosswalk_row(db, map, unres, &x, err);
        if (!rc && strcmp(x.relation, "unresolved") == 0)
            sum->unresolved_rows++;
        else if (!rc)
            sum->crosswalk_rows++;
    }
    sqlite3_finalize(map);
    sqlite3_finalize(unres);
    return rc;
}

static int crosswalk_import(sqlite3 *db, const norm_catalog *cat, size_t first, size_t end,
                            arc_catalog_summary *sum, dg_err *err)
{
    norm_crosswalk_info x;
    norm_catalog_crosswalk(cat, first, &x);
    char sha[65];
    if (crosswalk_sha(cat, first, end, sha))
        return dg_err_set(err, DG_ENOMEM, "out of memory fingerprinting crosswalk %s->%s",
                          x.from_edition, x.to_edition);
    if (sha_recorded(db, "SELECT sha256 FROM crosswalk_source WHERE from_edition = ? AND "
                         "to_edition = ?",
                     x.from_edition, x.to_edition, sha)) {
        sum->crosswalks_unchanged++;
        return DG_OK;
    }
    int own = sqlite3_get_autocommit(db);
    if (own && db_begin(db, err))
        return DG_EDB;
    int rc = crosswalk_clear(db, x.from_edition, x.to_edition, sha, err);
    rc = rc ? rc : crosswalk_write_rows(db, cat, first, end, sum, err);
    rc = rc || !own ? rc : db_commit(db, err);
    if (rc) {
        if (own)
            db_rollback(db);
        return rc;
    }
    sum->crosswalks_imported++;
    return DG_OK;
}

/* ---- entry points ---- */

/* Only one edition may carry the target flag: clear it on the others. */
static int target_fix(sqlite3 *db, const norm_catalog *cat, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE catalog_edition SET target = 0 WHERE target AND edition <> ?", &st,
                   err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, norm_catalog_target(cat), -1, SQLITE_STATIC);
    int rc = step_done(db, st, err, "cannot record the target edition");
    sqlite3_finalize(st);
    return rc;
}

int arc_catalog_import(sqlite3 *db, const char *dir, arc_catalog_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    char path[4096];
    if (arc_catalog_resolve_dir(dir, path, sizeof path))
        return dg_err_set(err, DG_EUSAGE, "catalog directory name too long: '%s'", dir);
    norm_catalog *cat;
    int rc = norm_catalog_load(path, &cat, err);
    if (rc)
        return rc;
    size_t ne = norm_catalog_edition_count(cat), nx = norm_catalog_crosswalk_count(cat);
    for (size_t i = 0; i < ne && !rc; i++)
        rc = edition_import(db, cat, path, i, sum, err);
    for (size_t i = 0; i < nx && !rc;) {
        size_t end = crosswalk_group_end(cat, i);
        rc = crosswalk_import(db, cat, i, end, sum, err);
        i = end;
    }
    rc = rc ? rc : target_fix(db, cat, err);
    norm_catalog_free(&cat);
    return rc;
}

int arc_catalog_ensure(sqlite3 *db, const char *dir, int *imported, dg_err *err)
{
    int64_t n = 0;
    if (imported)
        *imported = 0;
    if (db_query_int(db, "SELECT count(*) FROM catalog_edition", &n, err))
        return DG_EDB;
    if (n > 0)
        return DG_OK;
    /* The first import is one transaction: it is skipped whenever an
     * edition is there, so one stopped half-way (a full disk, a kill) after
     * its editions and before its crosswalks would leave the crosswalks
     * missing for good. */
    if (db_begin(db, err))
        return DG_EDB;
    arc_catalog_summary sum;
    int rc = arc_catalog_import(db, dir, &sum, err);
    rc = rc ? rc : db_commit(db, err);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    if (imported)
        *imported = 1;
    return DG_OK;
}

/*
 * A JSON object of config fingerprints: editions.tsv and every file it
 * names (catalogs, crosswalk and unresolved files, curated splits, curated
 * name sets), keyed by file name, so an edit to any of them shows in a
 * normalize run's params; plus each crosswalk pair over its rows as loaded
 * (the value crosswalk_source.sha256 records, for joins).
 */
int arc_catalog_fingerprint(const char *dir, dg_buf *out, dg_err *err)
{
    char path[4096], sha[65];
    if (arc_catalog_resolve_dir(dir, path, sizeof path))
        return dg_err_set(err, DG_EUSAGE, "catalog directory name too long: '%s'", dir);
    norm_catalog *cat;
    int rc = norm_catalog_load(path, &cat, err);
    if (rc)
        return rc;
    rc = file_sha(path, "editions.tsv", sha, err);
    rc = rc ? rc : dg_buf_addf(out, "{\"editions.tsv\":\"%s\"", sha);
    for (size_t i = 0; i < norm_catalog_file_count(cat) && !rc; i++) {
        const char *file = norm_catalog_file(cat, i);
        rc = file_sha(path, file, sha, err);
        rc = rc ? rc : dg_buf_addc(out, ',');
        rc = rc ? rc : dg_buf_json_str(out, file);
        rc = rc ? rc : dg_buf_addf(out, ":\"%s\"", sha);
    }
    for (size_t i = 0, nx = norm_catalog_crosswalk_count(cat); i < nx && !rc;) {
        size_t end = crosswalk_group_end(cat, i);
        norm_crosswalk_info x;
        norm_catalog_crosswalk(cat, i, &x);
        rc = crosswalk_sha(cat, i, end, sha);
        rc = rc ? rc
                : dg_buf_addf(out, ",\"crosswalk %s-%s\":\"%s\"", x.from_edition, x.to_edition,
                              sha);
        i = end;
    }
    rc = rc ? rc : dg_buf_addc(out, '}');
    norm_catalog_free(&cat);
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory fingerprinting catalog '%s'", path);
    return rc;
}
