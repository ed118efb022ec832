/*
 * backup.c - `dangan backup DEST`: the database by SQLite's online backup
 * API, the scans into DEST/store, and DEST/manifest.json naming both.
 *
 * Consistency: the backup runs inside one read transaction on the source.
 * In WAL mode that pins one snapshot: other processes go on committing,
 * the backup copies page by page (sleeping on busy), and what it copies is
 * the database as it was when the transaction began, never a mix, and it
 * never has to restart.  The scan list is read in the same snapshot, so
 * the backup's store holds every scan its database names.
 */
#include <dirent.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive_internal.h"
#include "preserve.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))
#define BACKUP_STEP_PAGES 256
#define BACKUP_BUSY_SLEEP_MS 50
#define BACKUP_BUSY_MAX 1200 /* a minute of retries before giving up */

typedef struct bk_file {
    int64_t id;
    char sha[65];
    char format[16];
    int64_t size;
    int state; /* 0 copied, 1 kept, -1 missing */
    char *why; /* missing: why */
} bk_file;

typedef struct bk_files {
    bk_file *v;
    size_t n;
} bk_files;

static void files_free(bk_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].why);
    free(f->v);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int list_files(sqlite3 *db, bk_files *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id, sha256, format, size FROM file ORDER BY id", &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        bk_file *v = arc_grow(out->v, out->n, sizeof *v);
        if (!v) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        out->v = v;
        bk_file *f = &v[out->n++];
        f->id = sqlite3_column_int64(st, 0);
        snprintf(f->sha, sizeof f->sha, "%s", COL(st, 1));
        snprintf(f->format, sizeof f->format, "%s", COL(st, 2));
        f->size = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Copy the snapshot src holds open into the file tmp, page by page. */
static int copy_database(sqlite3 *src, const char *tmp, const arc_backup_opts *o,
                         const arc_progress *prog, arc_backup_summary *sum, dg_err *err)
{
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        dg_err_set(err, DG_EINPUT, "cannot open '%s': %s", tmp,
                   dst ? sqlite3_errmsg(dst) : "out of memory");
        sqlite3_close(dst);
        return DG_EINPUT;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        dg_err_set(err, DG_EDB, "cannot start the backup: %s", sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return DG_EDB;
    }
    int step = o && o->step_pages > 0 ? o->step_pages : BACKUP_STEP_PAGES;
    int rc, busy = 0;
    for (;;) {
        rc = sqlite3_backup_step(b, step);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            sum->busy_retries++;
            if (++busy > BACKUP_BUSY_MAX)
                break;
            sleep_ms(BACKUP_BUSY_SLEEP_MS);
            continue;
        }
        busy = 0;
        int total = sqlite3_backup_pagecount(b);
        arc_progress_report(prog, "backup", total - sqlite3_backup_remaining(b), total,
                            "database");
        if (rc != SQLITE_OK)
            break;
        if (o && o->pause_ms > 0)
            sleep_ms(o->pause_ms);
    }
    sqlite3_backup_finish(b);
    int status = DG_OK;
    if (rc != SQLITE_DONE)
        status = dg_err_set(err, DG_EDB, "the database backup failed: %s%s", sqlite3_errstr(rc),
                            busy > BACKUP_BUSY_MAX ? " (busy for a minute)" : "");
    if (sqlite3_close(dst) != SQLITE_OK && !status)
        status = dg_err_set(err, DG_EDB, "cannot close '%s'", tmp);
    return status;
}

/* The database into dest/archive-<sha prefix>.db; *name gets that name. */
static int backup_database(sqlite3 *src, const char *dest, const arc_backup_opts *o,
                           const arc_progress *prog, arc_backup_summary *sum, char *name,
                           size_t nname, dg_err *err)
{
    char tmp[PATH_MAX], final[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/archive.db.tmp.XXXXXX", dest) >= sizeof tmp)
        return dg_err_set(err, DG_EUSAGE, "path too long: '%s'", dest);
    int fd = mkstemp(tmp); /* 0600; SQLite gives its journal the same mode */
    if (fd < 0)
        return dg_err_set(err, DG_EINPUT, "cannot create a file in '%s'", dest);
    close(fd);
    int rc = copy_database(src, tmp, o, prog, sum, err);
    rc = rc ? rc : dg_sha256_file(tmp, sum->db_sha256, &sum->db_bytes, err);
    if (!rc) {
        snprintf(name, nname, "archive-%.16s.db", sum->db_sha256);
        snprintf(final, sizeof final, "%s/%s", dest, name);
        if (rename(tmp, final) != 0)
            rc = dg_err_set(err, DG_EINPUT, "cannot write '%s'", final);
    }
    if (rc)
        unlink(tmp);
    return rc ? rc : sto_sync_dir(dest, err);
}

/* Every scan of the list into the backup's store, verified; a scan with no
 * intact copy is noted (the manifest lists it) and the backup goes on. */
static int backup_scans(sqlite3 *src, sto_store *to, bk_files *files, const arc_progress *prog,
                        arc_backup_summary *sum, dg_err *err)
{
    for (size_t i = 0; i < files->n; i++) {
        bk_file *f = &files->v[i];
        char path[PATH_MAX];
        arc_progress_report(prog, "backup", (long)i, (long)files->n, f->sha);
        if (sto_object_path(to, f->sha, f->format, path, sizeof path, err))
            return DG_EUSAGE;
        if (sto_check_file(path, f->sha, NULL, NULL, NULL) == DG_OK) {
            f->state = 1;
            sum->kept++;
            continue;
        }
        unsigned char *data = NULL;
        size_t len = 0;
        int added = 0;
        dg_err e = {0};
        int rc = arc_read_scan(src, f->id, &data, &len, &e);
        if (rc == DG_EDB || rc == DG_ENOMEM) {
            if (err)
                *err = e;
            return rc;
        }
        if (!rc)
            rc = sto_put(to, f->sha, f->format, data, len, &added, &e);
        free(data);
        /* Verify what is now on the backup's disk, not what was meant. */
        if (!rc)
            rc = sto_check_file(path, f->sha, NULL, NULL, &e);
        if (rc) {
            f->state = -1;
            f->why = dg_strdup(e.msg);
            sum->missing++;
        } else {
            f->state = 0;
            sum->copied++;
        }
    }
    arc_progress_report(prog, "backup", (long)files->n, (long)files->n, NULL);
    return DG_OK;
}

static int manifest_json(const char *dbname, int schema, const arc_backup_summary *sum,
                         const bk_files *files, dg_buf *b)
{
    char now[32];
    dg_now_iso(now);
    int rc = dg_buf_addf(b,
                         "{\"format\":\"dangan-backup\",\"version\":1,\"created\":\"%s\","
                         "\"dangan\":\"%s\",\"schema\":%d,\"database\":{\"file\":\"%s\","
                         "\"sha256\":\"%s\",\"bytes\":%lld},\n\"files\":[",
                         now, DANGAN_VERSION, schema, dbname, sum->db_sha256,
                         (long long)sum->db_bytes);
    int first = 1;
    for (size_t i = 0; !rc && i < files->n; i++) {
        const bk_file *f = &files->v[i];
        if (f->state < 0)
            continue;
        char name[128];
        sto_object_name(f->sha, f->format, name, sizeof name, NULL);
        rc = dg_buf_addf(b, "%s\n{\"id\":%lld,\"sha256\":\"%s\",\"format\":\"%s\",\"bytes\":%lld,"
                            "\"object\":\"store/%s\"}",
                         first ? "" : ",", (long long)f->id, f->sha, f->format,
                         (long long)f->size, name);
        first = 0;
    }
    rc = rc ? rc : dg_buf_adds(b, "],\n\"missing\":[");
    first = 1;
    for (size_t i = 0; !rc && i < files->n; i++) {
        const bk_file *f = &files->v[i];
        if (f->state >= 0)
            continue;
        rc = dg_buf_addf(b, "%s\n{\"id\":%lld,\"sha256\":\"%s\",\"why\":", first ? "" : ",",
                         (long long)f->id, f->sha);
        rc = rc ? rc : dg_buf_json_str(b, f->why);
        rc = rc ? rc : dg_buf_addc(b, '}');
        first = 0;
    }
    return rc ? rc : dg_buf_adds(b, "]}\n");
}

/* Database copies of earlier backups into dest, now that the manifest names another. */
static void remove_old_copies(const char *dest, const char *keep)
{
    DIR *d = opendir(dest);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "archive-", 8) == 0 && n > 3 &&
            strcmp(e->d_name + n - 3, ".db") == 0 && strcmp(e->d_name, keep) != 0) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", dest, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
}

int arc_backup(const char *db_path, const char *dest, const arc_backup_opts *o,
               const arc_progress *prog, arc_backup_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    char store_dir[PATH_MAX], dbname[64], mpath[PATH_MAX];
    if ((size_t)snprintf(store_dir, sizeof store_dir, "%s/store", dest) >= sizeof store_dir ||
        (size_t)snprintf(mpath, sizeof mpath, "%s/manifest.json", dest) >= sizeof mpath)
        return dg_err_set(err, DG_EUSAGE, "path too long: '%s'", dest);
    sqlite3 *src = NULL;
    sto_store *to = NULL;
    bk_files files = {0};
    dg_buf man;
    dg_buf_init(&man, (size_t)1 << 30);
    int rc = sto_mkdirs(dest, err) ? DG_EINPUT : DG_OK;
    rc = rc ? rc : sto_open(store_dir, STO_CREATE, &to, err);
    rc = rc ? rc : db_open(db_path, 0, &src, err);
    /* The snapshot: a read transaction begun by the first read. */
    rc = rc ? rc : db_exec(src, "BEGIN; SELECT count(*) FROM sqlite_schema;", err);
    int schema = rc ? 0 : db_user_version(src);
    rc = rc ? rc : list_files(src, &files, err);
    rc = rc ? rc : backup_database(src, dest, o, prog, sum, dbname, sizeof dbname, err);
    if (src)
        db_rollback(src); /* ends the read transaction */
    sum->files = (long)files.n;
    rc = rc ? rc : backup_scans(src, to, &files, prog, sum, err);
    if (!rc && manifest_json(dbname, schema, sum, &files, &man))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory writing the manifest");
    rc = rc ? rc : sto_write_atomic(mpath, man.data, man.len, err);
    if (!rc)
        remove_old_copies(dest, dbname);
    dg_buf_release(&man);
    files_free(&files);
    sto_free(&to);
    db_close(&src);
    return rc;
}
