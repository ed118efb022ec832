/*
 * restore.c - `dangan restore SRC`: a backup made by arc_backup into a new
 * workspace.  Everything the manifest names is checked before anything is
 * written: a damaged backup is refused whole, never half restored.  The
 * manifest is read with SQLite's JSON functions; names inside it are not
 * trusted as paths (the store object's name is made again from its
 * SHA-256, the database's must be archive-<hex>.db).
 */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_internal.h"
#include "preserve.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))
#define MANIFEST_MAX ((size_t)1 << 30)

typedef struct rs_file {
    int64_t id;
    char sha[65];
    char name[128]; /* ab/cd/<sha>.<format> */
} rs_file;

typedef struct rs_manifest {
    char dbfile[64];
    char dbsha[65];
    rs_file *files;
    size_t nfiles;
} rs_manifest;

static int bad(dg_err *err, const char *src, const char *what)
{
    return dg_err_set(err, DG_EINPUT, "backup '%s' is damaged or not a dangan backup: %s", src,
                      what);
}

static int valid_dbfile(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n != 27 || strncmp(s, "archive-", 8) != 0 || strcmp(s + 24, ".db") != 0)
        return 0;
    for (size_t i = 8; i < 24; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int read_manifest(const char *src, rs_manifest *m, dg_err *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/manifest.json", src);
    unsigned char *text = NULL;
    size_t len = 0;
    dg_err e = {0};
    if (dg_read_file(path, MANIFEST_MAX, &text, &len, &e))
        return bad(err, src, e.msg);
    sqlite3 *mem = NULL;
    sqlite3_stmt *st = NULL;
    int rc = DG_OK;
    if (sqlite3_open(":memory:", &mem) != SQLITE_OK ||
        db_prepare(mem, "SELECT json_valid(?1), json_extract(?1, '$.format'), "
                        "json_extract(?1, '$.version'), json_extract(?1, '$.database.file'), "
                        "json_extract(?1, '$.database.sha256')", &st, err)) {
        rc = dg_err_set(err, DG_EDB, "cannot read the manifest");
        goto out;
    }
    sqlite3_bind_text(st, 1, (const char *)text, (int)len, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_int(st, 0)) {
        rc = bad(err, src, "manifest.json is not JSON");
        goto out;
    }
    if (!COL(st, 1) || strcmp(COL(st, 1), "dangan-backup") != 0 || sqlite3_column_int(st, 2) != 1) {
        rc = bad(err, src, "manifest.json is not a dangan backup manifest of version 1");
        goto out;
    }
    if (!valid_dbfile(COL(st, 3)) || !COL(st, 4) || strlen(COL(st, 4)) != 64) {
        rc = bad(err, src, "manifest.json names no database");
        goto out;
    }
    snprintf(m->dbfile, sizeof m->dbfile, "%s", COL(st, 3));
    snprintf(m->dbsha, sizeof m->dbsha, "%s", COL(st, 4));
    sqlite3_finalize(st);
    st = NULL;
    if (db_prepare(mem, "SELECT json_extract(value, '$.id'), json_extract(value, '$.sha256'), "
                        "json_extract(value, '$.format') FROM json_each(?1, '$.files')",
                   &st, err)) {
        rc = DG_EDB;
        goto out;
    }
    sqlite3_bind_text(st, 1, (const char *)text, (int)len, SQLITE_STATIC);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        rs_file *v = arc_grow(m->files, m->nfiles, sizeof *v);
        if (!v) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        m->files = v;
        rs_file *f = &v[m->nfiles++];
        f->id = sqlite3_column_int64(st, 0);
        snprintf(f->sha, sizeof f->sha, "%s", COL(st, 1) ? COL(st, 1) : "");
        if (sto_object_name(f->sha, COL(st, 2), f->name, sizeof f->name, NULL))
            rc = bad(err, src, "manifest.json lists a scan without a valid SHA-256 and format");
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(mem);
    free(text);
    return rc;
}

/* Every file the manifest names hashes to what it says. */
static int verify(const char *src, const rs_manifest *m, const arc_progress *prog, dg_err *err)
{
    char path[PATH_MAX];
    dg_err e = {0};
    long total = (long)m->nfiles + 1;
    arc_progress_report(prog, "verify", 0, total, m->dbfile);
    snprintf(path, sizeof path, "%s/%s", src, m->dbfile);
    if (sto_check_file(path, m->dbsha, NULL, NULL, &e))
        return bad(err, src, e.msg);
    for (size_t i = 0; i < m->nfiles; i++) {
        arc_progress_report(prog, "verify", (long)i + 1, total, m->files[i].name);
        snprintf(path, sizeof path, "%s/store/%s", src, m->files[i].name);
        if (sto_check_file(path, m->files[i].sha, NULL, NULL, &e))
            return bad(err, src, e.msg);
    }
    arc_progress_report(prog, "verify", total, total, NULL);
    return DG_OK;
}

/* Copy one file and check the copy: the backup was verified, the copy must be too. */
static int copy_checked(const char *from, const char *to, const char *sha, dg_err *err)
{
    char got[65];
    if (sto_copy_atomic(from, to, got, err))
        return err ? err->code : DG_EINPUT;
    if (strcmp(got, sha) == 0)
        return DG_OK;
    unlink(to);
    return dg_err_set(err, DG_EINPUT, "the copy '%s' hashes to %s, not %s", to, got, sha);
}

static int restore_store(const char *src, const rs_manifest *m, sto_store *to,
                         const arc_progress *prog, arc_restore_summary *sum, dg_err *err)
{
    for (size_t i = 0; i < m->nfiles; i++) {
        const rs_file *f = &m->files[i];
        char from[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
        arc_progress_report(prog, "restore", (long)i, (long)m->nfiles, f->name);
        snprintf(from, sizeof from, "%s/store/%s", src, f->name);
        snprintf(dst, sizeof dst, "%s/%s", sto_dir(to), f->name);
        snprintf(dir, sizeof dir, "%s/%.5s", sto_dir(to), f->name); /* ab/cd */
        sum->files++;
        if (sto_check_file(dst, f->sha, NULL, NULL, NULL) == DG_OK)
            continue;
        if (sto_mkdirs(dir, err) || copy_checked(from, dst, f->sha, err))
            return err ? err->code : DG_EINPUT;
        sum->copied++;
    }
    arc_progress_report(prog, "restore", (long)m->nfiles, (long)m->nfiles, NULL);
    return DG_OK;
}

/* The restored workspace uses the new store, and knows every scan is in it. */
static int adopt(const char *db_path, const char *src, const rs_manifest *m, const char *store,
                 dg_err *err)
{
    sqlite3 *db = NULL;
    int64_t run_id = 0;
    sqlite3_stmt *st = NULL;
    dg_buf params;
    dg_buf_init(&params, 0);
    dg_buf_adds(&params, "{\"from\":");
    dg_buf_json_str(&params, src);
    dg_buf_addf(&params, ",\"database_sha256\":\"%s\"}", m->dbsha);
    int rc = db_open(db_path, 0, &db, err);
    rc = rc ? rc : arc_store_set(db, store, 0, err);
    rc = rc ? rc : db_run_begin(db, "restore", params.data, &run_id, err);
    rc = rc ? rc : db_begin(db, err);
    rc = rc ? rc : db_prepare(db, "INSERT INTO stored_file(file_id, stored, run_id) "
                                  "SELECT id, ?2, ?3 FROM file WHERE id = ?1 AND sha256 = ?4 "
                                  "ON CONFLICT(file_id) DO UPDATE SET stored = excluded.stored, "
                                  "run_id = excluded.run_id", &st, err);
    char now[32];
    dg_now_iso(now);
    for (size_t i = 0; !rc && i < m->nfiles; i++) {
        sqlite3_bind_int64(st, 1, m->files[i].id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, run_id);
        sqlite3_bind_text(st, 4, m->files[i].sha, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, err, "cannot record restored scan");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    rc = rc ? rc : db_commit(db, err);
    if (rc && db)
        db_rollback(db);
    if (run_id)
        db_run_end(db, run_id, rc ? "failed" : "done", "{}", NULL);
    db_close(&db);
    dg_buf_release(&params);
    return rc;
}

int arc_restore(const char *src, const char *db_path, const char *store_dir, int force,
                const arc_progress *prog, arc_restore_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    if (!force && access(db_path, F_OK) == 0)
        return dg_err_set(err, DG_EUSAGE, "'%s' exists: restore into a new workspace, or "
                                          "pass --force to replace it", db_path);
    char dir[PATH_MAX], store[PATH_MAX], from[PATH_MAX];
    const char *slash = strrchr(db_path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - db_path) : 1, slash ? db_path : ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    if ((size_t)snprintf(store, sizeof store, "%s", store_dir ? store_dir : dir) >= sizeof store ||
        (!store_dir && strlen(store) + 7 >= sizeof store))
        return dg_err_set(err, DG_EUSAGE, "path too long: '%s'", db_path);
    if (!store_dir)
        strcat(store, "/store");
    rs_manifest m = {0};
    sto_store *to = NULL;
    int rc = read_manifest(src, &m, err);
    rc = rc ? rc : verify(src, &m, prog, err);
    rc = rc ? rc : sto_mkdirs(dir, err) ? DG_EINPUT : DG_OK;
    rc = rc ? rc : sto_open(store, STO_CREATE, &to, err);
    rc = rc ? rc : restore_store(src, &m, to, prog, sum, err);
    if (!rc) {
        snprintf(sum->store_dir, sizeof sum->store_dir, "%s", sto_dir(to));
        snprintf(sum->db_sha256, sizeof sum->db_sha256, "%s", m.dbsha);
        snprintf(from, sizeof from, "%s/%s", src, m.dbfile);
        /* A WAL or journal left by the database replaced would be applied to
         * the restored one at its first open. */
        static const char *const side[] = {"-wal", "-shm", "-journal"};
        for (size_t i = 0; i < 3; i++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s%s", db_path, side[i]);
            if (unlink(p) != 0 && errno != ENOENT)
                rc = dg_err_set(err, DG_EINPUT, "cannot remove '%s': %s", p, strerror(errno));
        }
        rc = rc ? rc : copy_checked(from, db_path, m.dbsha, err);
    }
    rc = rc ? rc : adopt(db_path, src, &m, sum->store_dir, err);
    free(m.files);
    sto_free(&to);
    return rc;
}
