/*
 * scan_store.c - the workspace's scan store: which store it uses, putting
 * scans in it, and reading a scan as ingested from wherever an intact copy
 * is: the store first, then the path it was ingested from, then its
 * aliases.  A share mounted elsewhere, or gone, then costs nothing while
 * the store holds the bytes; file.abspath keeps where they came from.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"
#include "preserve.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

int arc_store_get(sqlite3 *db, char **dir, int *readonly, dg_err *err)
{
    sqlite3_stmt *st;
    *dir = NULL;
    if (readonly)
        *readonly = 0;
    if (db_prepare(db, "SELECT dir, readonly FROM store_setting WHERE id = 1", &st, err))
        return DG_EDB;
    int rc = sqlite3_step(st), status = DG_OK;
    if (rc == SQLITE_ROW) {
        if (readonly)
            *readonly = sqlite3_column_int(st, 1);
        if (!(*dir = dg_strdup(COL(st, 0))))
            status = dg_err_set(err, DG_ENOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        status = db_fail(db, err, "cannot read the store setting");
    }
    sqlite3_finalize(st);
    return status;
}

int arc_store_set(sqlite3 *db, const char *dir, int readonly, dg_err *err)
{
    sto_store *s = NULL;
    if (sto_open(dir, readonly ? STO_READONLY : STO_CREATE, &s, err))
        return err ? err->code : DG_EINPUT;
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    int rc = db_prepare(db, "INSERT INTO store_setting(id, dir, readonly, changed) "
                            "VALUES (1, ?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET "
                            "dir = excluded.dir, readonly = excluded.readonly, "
                            "changed = excluded.changed WHERE dir <> excluded.dir "
                            "OR readonly <> excluded.readonly",
                        &st, err);
    if (!rc) {
        sqlite3_bind_text(st, 1, sto_dir(s), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, readonly != 0);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot set the store");
        sqlite3_finalize(st);
    }
    sto_free(&s);
    return rc;
}

int arc_store_open(sqlite3 *db, sto_store **out, dg_err *err)
{
    char *dir = NULL;
    int ro = 0;
    *out = NULL;
    if (arc_store_get(db, &dir, &ro, err))
        return DG_EDB;
    if (!dir)
        return DG_OK;
    int rc = sto_open(dir, ro ? STO_READONLY : 0, out, err);
    if (rc == DG_ENOTFOUND)
        rc = dg_err_set(err, DG_EINPUT, "the workspace's store '%s' is not there (not mounted?)",
                        dir);
    free(dir);
    return rc;
}

int arc_store_keep(sqlite3 *db, sto_store *s, int64_t file_id, const char *sha,
                   const char *format, const void *data, size_t len, int64_t run_id,
                   int *added, dg_err *err)
{
    int64_t have = 0;
    sqlite3_stmt *st;
    *added = 0;
    if (db_prepare(db, "SELECT count(*) FROM stored_file WHERE file_id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, file_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        have = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    char path[PATH_MAX];
    if (sto_object_path(s, sha, format, path, sizeof path, err))
        return DG_EUSAGE;
    if (have && sto_check_file(path, sha, NULL, NULL, NULL) == DG_OK)
        return DG_OK;
    if (sto_readonly(s)) {
        /* A read-only store is filled elsewhere: record what it holds. */
        if (sto_check_file(path, sha, NULL, NULL, NULL) != DG_OK)
            return DG_ENOTFOUND;
    } else if (sto_put(s, sha, format, data, len, added, err)) {
        return err ? err->code : DG_EINPUT;
    }
    char now[32];
    dg_now_iso(now);
    if (db_prepare(db, "INSERT INTO stored_file(file_id, stored, run_id) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT(file_id) DO UPDATE SET stored = excluded.stored, "
                       "run_id = excluded.run_id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, file_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    if (run_id)
        sqlite3_bind_int64(st, 3, run_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    *added = 1;
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot record stored file");
}

/* Try one recorded path; append what was wrong with it to why. */
static int try_path(const char *path, const char *sha, unsigned char **data, size_t *len,
                    dg_buf *why)
{
    dg_err e = {0};
    if (arc_read_file(path, data, len, &e)) {
        dg_buf_addf(why, "; %s", e.msg);
        return DG_EINPUT;
    }
    char got[65];
    dg_sha256_hex(*data, *len, got);
    if (strcmp(got, sha) == 0)
        return DG_OK;
    free(*data);
    *data = NULL;
    dg_buf_addf(why, "; '%s' changed since ingest: sha256 %s, expected %s", path, got, sha);
    return DG_EINPUT;
}

int arc_read_scan(sqlite3 *db, int64_t file_id, unsigned char **data, size_t *len, dg_err *err)
{
    sqlite3_stmt *st;
    *data = NULL;
    if (db_prepare(db, "SELECT sha256, format, abspath FROM file WHERE id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, file_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return dg_err_set(err, DG_ENOTFOUND, "no file %lld", (long long)file_id);
    }
    char sha[65], format[16];
    char *abspath = dg_strdup(COL(st, 2));
    snprintf(sha, sizeof sha, "%s", COL(st, 0));
    snprintf(format, sizeof format, "%s", COL(st, 1));
    sqlite3_finalize(st);
    if (!abspath)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    dg_buf why;
    dg_buf_init(&why, 4096);
    sto_store *s = NULL;
    dg_err e = {0};
    int rc = arc_store_open(db, &s, &e);
    if (rc == DG_EDB) {
        free(abspath);
        dg_buf_release(&why);
        if (err)
            *err = e;
        return rc;
    }
    rc = DG_EINPUT;
    if (e.msg[0])
        dg_buf_addf(&why, "; %s", e.msg);
    if (s) {
        if (sto_get(s, sha, format, data, len, &e) == DG_OK)
            rc = DG_OK;
        else
            dg_buf_addf(&why, "; %s", e.msg);
        sto_free(&s);
    }
    if (rc)
        rc = try_path(abspath, sha, data, len, &why);
    /* An alias is the same bytes under another name: as good a copy. */
    if (rc && !db_prepare(db, "SELECT DISTINCT abspath FROM file_path WHERE file_id = ?1 "
                              "AND abspath <> ?2 ORDER BY id", &st, NULL)) {
        sqlite3_bind_int64(st, 1, file_id);
        sqlite3_bind_text(st, 2, abspath, -1, SQLITE_STATIC);
        while (rc && sqlite3_step(st) == SQLITE_ROW)
            rc = try_path(COL(st, 0), sha, data, len, &why);
        sqlite3_finalize(st);
    }
    if (rc)
        dg_err_set(err, DG_EINPUT, "scan '%s' has no intact copy%s", abspath,
                   why.data ? why.data : "");
    free(abspath);
    dg_buf_release(&why);
    return rc;
}

int arc_store_fill(sqlite3 *db, const arc_progress *prog, arc_store_fill_summary *sum,
                   dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    sto_store *s = NULL;
    if (arc_store_open(db, &s, err))
        return err ? err->code : DG_EDB;
    if (!s)
        return dg_err_set(err, DG_ENOTFOUND, "the workspace has no store: set one with "
                                             "'dangan store set DIR'");
    int64_t n = 0, run_id = 0;
    int rc = db_query_int(db, "SELECT count(*) FROM file", &n, err);
    sqlite3_stmt *st = NULL;
    rc = rc ? rc : db_run_begin(db, "store", "{\"action\":\"fill\"}", &run_id, err);
    rc = rc ? rc : db_prepare(db, "SELECT id, sha256, format, abspath FROM file ORDER BY id",
                              &st, err);
    sum->files = (long)n;
    long done = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        char sha[65], format[16];
        snprintf(sha, sizeof sha, "%s", COL(st, 1));
        snprintf(format, sizeof format, "%s", COL(st, 2));
        arc_progress_report(prog, "store", done++, (long)n, COL(st, 3));
        unsigned char *data = NULL;
        size_t len = 0;
        int added = 0;
        if (arc_read_scan(db, id, &data, &len, NULL)) {
            sum->failed++;
            continue;
        }
        rc = db_begin(db, err);
        int k = rc ? rc : arc_store_keep(db, s, id, sha, format, data, len, run_id, &added, err);
        free(data);
        if (k == DG_ENOTFOUND) { /* read-only store without it */
            sum->failed++;
            k = DG_OK;
        }
        rc = k ? k : db_commit(db, err);
        if (rc)
            db_rollback(db);
        else if (added)
            sum->stored++;
        else
            sum->already++;
    }
    sqlite3_finalize(st);
    arc_progress_report(prog, "store", (long)n, (long)n, NULL);
    sto_free(&s);
    if (run_id) {
        char counts[200];
        snprintf(counts, sizeof counts,
                 "{\"files\":%ld,\"stored\":%ld,\"already\":%ld,\"failed\":%ld}", sum->files,
                 sum->stored, sum->already, sum->failed);
        db_run_end(db, run_id, rc ? "failed" : "done", counts, NULL);
    }
    return rc;
}
