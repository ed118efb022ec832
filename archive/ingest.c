/*
 * ingest.c - the ingest stage: walk the given paths, identify each file by
 * the SHA-256 of its bytes, set aside what cannot be read, and record new
 * files with their pages.  Known bytes under a new path become an alias;
 * known bytes under a known path change nothing, so re-running is a no-op.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_internal.h"
#include "audit.h"
#include "ocr.h"

#define LOW_DPI_LIMIT 300

typedef struct ingest_ctx {
    sqlite3 *db;
    int64_t batch_id;
    const arc_progress *prog;
    arc_ingest_summary *sum;
    long total;        /* files found by the walk, for progress */
    sto_store *store;  /* the workspace's scan store, NULL: none */
    int64_t run_id;
    ocr_limits limits; /* configs/ocr.xml's: what a scan may claim */
} ingest_ctx;

typedef struct path_list {
    char **v;
    size_t n, alloc;
} path_list;

static int path_list_add(path_list *pl, const char *p)
{
    if (pl->n == pl->alloc) {
        size_t na = pl->alloc ? pl->alloc * 2 : 64;
        char **v = realloc(pl->v, na * sizeof *v);
        if (!v)
            return DG_ENOMEM;
        pl->v = v;
        pl->alloc = na;
    }
    pl->v[pl->n] = dg_strdup(p);
    return pl->v[pl->n++] ? DG_OK : DG_ENOMEM;
}

static void path_list_free(path_list *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        free(pl->v[i]);
    free(pl->v);
}

/*
 * Inside a directory, files that neither carry a scan extension nor start
 * with image bytes (truth JSON, notes, checksums) are not scans and are
 * skipped; a file named like a scan that is not one goes to quarantine.
 * Files named on the command line are always taken.
 */
static int looks_like_scan(const char *path)
{
    static const char *const exts[] = {".tif", ".tiff", ".png", ".jpg", ".jpeg", ".jpe", ".jfif"};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof exts / sizeof *exts; i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return 1;
    unsigned char head[16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return ocr_sniff_format(head, n) != NULL;
}

/* What the walk found: scans to read, entries to set aside with the reason. */
typedef struct walk_out {
    path_list files;
    path_list bad, why; /* parallel */
    long *skipped;
} walk_out;

/* A directory on the way down from the path named, to catch a link back up. */
typedef struct dir_up {
    dev_t dev;
    ino_t ino;
    const char *path;
    const struct dir_up *up;
} dir_up;

static int set_aside(walk_out *w, const char *path, const char *why)
{
    return path_list_add(&w->bad, path) || path_list_add(&w->why, why) ? DG_ENOMEM : DG_OK;
}

/* Why an entry of a directory cannot be followed: a dangling link names its
 * target, a loop of links says so. */
static int unreadable_entry(walk_out *w, const char *path, int e)
{
    char why[PATH_MAX + 128], target[PATH_MAX];
    struct stat lst;
    ssize_t n = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)
                    ? readlink(path, target, sizeof target - 1)
                    : -1;
    target[n > 0 ? n : 0] = '\0';
    if (e == ELOOP)
        snprintf(why, sizeof why, "symbolic link loop: cannot be followed (%s)", strerror(e));
    else if (n >= 0 && e == ENOENT)
        snprintf(why, sizeof why, "dangling symbolic link: its target '%s' does not exist",
                 target);
    else
        snprintf(why, sizeof why, "cannot read the directory entry: %s", strerror(e));
    return set_aside(w, path, why);
}

/*
 * Depth-first, sorted by name, so a batch is always walked in the same
 * order.  A path named on the command line that cannot be read fails the
 * command; an entry inside a directory that cannot be (a dangling link, a
 * loop of links, a link back to a directory above it, a directory that
 * cannot be listed) is set aside with its reason and the walk goes on.
 */
static int walk(walk_out *w, const char *path, int top, const dir_up *up, dg_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return top ? dg_err_set(err, DG_EINPUT, "cannot read '%s': %s", path, strerror(errno))
                   : unreadable_entry(w, path, errno);
    if (S_ISREG(st.st_mode)) {
        if (top || looks_like_scan(path))
            return path_list_add(&w->files, path);
        (*w->skipped)++;
        return DG_OK;
    }
    if (!S_ISDIR(st.st_mode))
        return DG_OK;
    for (const dir_up *a = up; a; a = a->up)
        if (a->dev == st.st_dev && a->ino == st.st_ino) {
            char why[PATH_MAX + 64];
            snprintf(why, sizeof why, "symbolic link loop: leads back to '%s'", a->path);
            return set_aside(w, path, why);
        }
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0 && top)
        return dg_err_set(err, DG_EINPUT, "cannot list directory '%s': %s", path, strerror(errno));
    if (n < 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot list the directory: %s", strerror(errno));
        return set_aside(w, path, why);
    }
    dir_up here = {st.st_dev, st.st_ino, path, up};
    int rc = DG_OK;
    dg_buf child;
    dg_buf_init(&child, PATH_MAX);
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (!rc && nm[0] != '.') {
            dg_buf_reset(&child);
            size_t plen = strlen(path);
            rc = dg_buf_adds(&child, path);
            if (!rc && plen && path[plen - 1] != '/')
                rc = dg_buf_addc(&child, '/');
            if (!rc)
                rc = dg_buf_adds(&child, nm);
            if (!rc)
                rc = walk(w, child.data, 0, &here, err);
        }
        free(names[i]);
    }
    free(names);
    dg_buf_release(&child);
    return rc;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, dg_err *err, const char *doing)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(db, err, doing);
    return DG_OK;
}

static int quarantine_add(ingest_ctx *c, const char *path, const char *sha, size_t size,
                          const char *reason, dg_err *err)
{
    char now[32];
    sqlite3_stmt *st;
    dg_now_iso(now);
    if (db_prepare(c->db, "INSERT INTO quarantine(path, sha256, size, reason, batch_id, added) "
                          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path, sha256) DO NOTHING",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
    sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, c->batch_id);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    c->sum->quarantined++;
    return step_done(c->db, st, err, "cannot record quarantined file");
}

/* Known bytes: add the path as an alias unless it is already recorded. */
static int record_alias(ingest_ctx *c, int64_t file_id, const char *path, const char *abspath,
                        dg_err *err)
{
    char now[32];
    sqlite3_stmt *st;
    dg_now_iso(now);
    if (db_prepare(c->db, "INSERT INTO file_path(file_id, path, abspath, batch_id, added) "
                          "VALUES (?, ?, ?, ?, ?) ON CONFLICT(file_id, abspath) DO NOTHING",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, file_id);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, abspath, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->batch_id);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    if (step_done(c->db, st, err, "cannot record file alias"))
        return DG_EDB;
    if (sqlite3_changes(c->db) > 0)
        c->sum->aliases++;
    else
        c->sum->unchanged++;
    return DG_OK;
}

static int64_t lookup_id(sqlite3 *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        id = -1;
    sqlite3_finalize(st);
    return id;
}

static int insert_pages(ingest_ctx *c, int64_t file_id, const ocr_page_info *pages, int n,
                        dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(c->db, "INSERT INTO page(file_id, page_index, width, height, dpi, depth, "
                          "low_dpi, dpi_by_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   &st, err))
        return DG_EDB;
    for (int i = 0; i < n; i++) {
        /* A file that claims 300 dpi for a page scanned at 200 must not pass
         * the DA/T 31 check: the page size decides when it disagrees. */
        int dpi = pages[i].dpi_by_size > 0 ? pages[i].dpi_by_size : pages[i].dpi;
        int low = dpi > 0 && dpi < LOW_DPI_LIMIT;
        sqlite3_bind_int64(st, 1, file_id);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_int(st, 3, pages[i].width);
        sqlite3_bind_int(st, 4, pages[i].height);
        sqlite3_bind_int(st, 5, pages[i].dpi);
        sqlite3_bind_int(st, 6, pages[i].depth);
        sqlite3_bind_int(st, 7, low);
        sqlite3_bind_int(st, 8, pages[i].dpi_by_size);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return db_fail(c->db, err, "cannot record page");
        }
        sqlite3_reset(st);
        c->sum->low_dpi_pages += low;
    }
    sqlite3_finalize(st);
    c->sum->pages_new += n;
    return DG_OK;
}

static int insert_file(ingest_ctx *c, const char *path, const char *abspath, const char *sha,
                       size_t size, const char *format, const ocr_page_info *pages, int n,
                       int64_t *id, dg_err *err)
{
    char now[32];
    sqlite3_stmt *st;
    dg_now_iso(now);
    if (db_prepare(c->db, "INSERT INTO file(sha256, size, format, path, abspath, page_count, "
                          "batch_id, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
    sqlite3_bind_text(st, 3, format, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, abspath, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, n);
    sqlite3_bind_int64(st, 7, c->batch_id);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    if (step_done(c->db, st, err, "cannot record file"))
        return DG_EDB;
    int64_t file_id = *id = sqlite3_last_insert_rowid(c->db);
    long aliases = c->sum->aliases, unchanged = c->sum->unchanged;
    if (record_alias(c, file_id, path, abspath, err) || insert_pages(c, file_id, pages, n, err))
        return DG_EDB;
    c->sum->aliases = aliases; /* the first path is not an alias */
    c->sum->unchanged = unchanged;
    c->sum->files_new++;
    return DG_OK;
}

/* Keep the bytes of a recorded file in the store (when the workspace has
 * one): the store is written before the transaction commits, so a file the
 * database says is stored always is. */
static int store_bytes(ingest_ctx *c, int64_t file_id, const char *sha, const char *format,
                       const unsigned char *data, size_t len, dg_err *err)
{
    if (!c->store)
        return DG_OK;
    int added = 0;
    int rc = arc_store_keep(c->db, c->store, file_id, sha, format, data, len, c->run_id, &added,
                            err);
    if (rc == DG_ENOTFOUND) { /* a read-only store that lacks it */
        c->sum->store_missing++;
        return DG_OK;
    }
    c->sum->stored += added;
    return rc;
}

/* Decide what one file is and record it, all in one transaction. */
static int ingest_bytes(ingest_ctx *c, const char *path, const char *abspath,
                        const unsigned char *data, size_t len, dg_err *err)
{
    char sha[65];
    dg_sha256_hex(data, len, sha);
    int64_t file_id = lookup_id(c->db, "SELECT id FROM file WHERE sha256 = ?", sha, NULL);
    if (file_id < 0)
        return db_fail(c->db, err, "cannot look up file");
    if (file_id > 0) {
        sqlite3_stmt *st;
        char format[16] = "";
        if (c->store && !db_prepare(c->db, "SELECT format FROM file WHERE id = ?", &st, NULL)) {
            sqlite3_bind_int64(st, 1, file_id);
            if (sqlite3_step(st) == SQLITE_ROW)
                snprintf(format, sizeof format, "%s", (const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
        }
        int rc = record_alias(c, file_id, path, abspath, err);
        return rc ? rc : store_bytes(c, file_id, sha, format, data, len, err);
    }
    if (lookup_id(c->db, "SELECT id FROM quarantine WHERE path = ? AND sha256 = ?", path, sha) > 0) {
        c->sum->quarantined++;
        return DG_OK;
    }
    ocr_page_info *pages = NULL;
    int npages = 0;
    dg_err why = {0};
    if (ocr_probe_scan_limited(data, len, &c->limits, &pages, &npages, &why))
        return quarantine_add(c, path, sha, len, why.msg, err);
    const char *format = ocr_sniff_format(data, len);
    int rc = insert_file(c, path, abspath, sha, len, format, pages, npages, &file_id, err);
    free(pages);
    return rc ? rc : store_bytes(c, file_id, sha, format, data, len, err);
}

/* The file's outcome as an event of the audit chain, in the file's own
 * transaction: new bytes and aliases carry the file row, a quarantined file
 * its quarantine row; a path seen before changes nothing and is not one. */
static int ingest_event(ingest_ctx *c, const char *path, const char *abspath,
                        const arc_ingest_summary *before, dg_err *err)
{
    const char *outcome = c->sum->files_new > before->files_new       ? "new"
                          : c->sum->aliases > before->aliases         ? "alias"
                          : c->sum->quarantined > before->quarantined ? "quarantined"
                                                                      : NULL;
    if (!outcome)
        return DG_OK;
    int quarantined = strcmp(outcome, "quarantined") == 0;
    const char *table = quarantined ? "quarantine" : "file";
    int64_t id = quarantined
                     ? lookup_id(c->db, "SELECT id FROM quarantine WHERE path = ? "
                                        "ORDER BY id DESC LIMIT 1", path, NULL)
                     : lookup_id(c->db, "SELECT file_id FROM file_path WHERE abspath = ? "
                                        "ORDER BY id DESC LIMIT 1", abspath, NULL);
    if (id <= 0)
        return db_fail(c->db, err, "cannot find the file just ingested");
    dg_buf extra;
    dg_buf_init(&extra, 0);
    dg_buf_addf(&extra, "{\"outcome\":\"%s\",\"path\":", outcome);
    dg_buf_json_str(&extra, path);
    int rc = dg_buf_addc(&extra, '}')
                 ? dg_err_set(err, DG_ENOMEM, "out of memory recording '%s'", path)
                 : audit_append_rows(c->db, NULL, "ingest", &table, &id, 1, extra.data, err);
    dg_buf_release(&extra);
    return rc;
}

static int ingest_one(ingest_ctx *c, const char *path, dg_err *err)
{
    arc_ingest_summary before = *c->sum;
    unsigned char *data = NULL;
    size_t len = 0;
    char abspath[PATH_MAX];
    dg_err why = {0};
    c->sum->files_seen++;
    if (!realpath(path, abspath))
        snprintf(abspath, sizeof abspath, "%s", path);
    if (db_begin(c->db, err))
        return DG_EDB;
    int rc;
    if (arc_read_file(path, &data, &len, &why))
        rc = quarantine_add(c, path, "", 0, why.msg, err);
    else
        rc = ingest_bytes(c, path, abspath, data, len, err);
    if (rc == DG_OK)
        rc = ingest_event(c, path, abspath, &before, err);
    free(data);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}

static int begin_batch(ingest_ctx *c, const char *const *paths, int npaths, int64_t *run_id,
                       dg_err *err)
{
    dg_buf js;
    dg_buf_init(&js, 0);
    dg_buf_addc(&js, '[');
    for (int i = 0; i < npaths; i++) {
        if (i)
            dg_buf_addc(&js, ',');
        dg_buf_json_str(&js, paths[i]);
    }
    dg_buf_addc(&js, ']');
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st = NULL;
    int rc = db_run_begin(c->db, "ingest", "{\"low_dpi_limit\":300}", run_id, err);
    if (!rc)
        rc = db_prepare(c->db, "INSERT INTO batch(run_id, paths, started) VALUES (?, ?, ?)", &st,
                        err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, *run_id);
        sqlite3_bind_text(st, 2, js.data, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        rc = step_done(c->db, st, err, "cannot record batch");
        c->batch_id = sqlite3_last_insert_rowid(c->db);
    }
    dg_buf_release(&js);
    return rc;
}

static void summary_json(const arc_ingest_summary *s, char *out, size_t n)
{
    snprintf(out, n,
             "{\"files_seen\":%ld,\"files_new\":%ld,\"aliases\":%ld,\"unchanged\":%ld,"
             "\"pages_new\":%ld,\"low_dpi_pages\":%ld,\"quarantined\":%ld,\"skipped\":%ld,"
             "\"stored\":%ld,\"store_missing\":%ld}",
             s->files_seen, s->files_new, s->aliases, s->unchanged, s->pages_new,
             s->low_dpi_pages, s->quarantined, s->skipped, s->stored, s->store_missing);
}

/* An entry the walk set aside, recorded in its own transaction. */
static int ingest_bad_entry(ingest_ctx *c, const char *path, const char *why, dg_err *err)
{
    arc_ingest_summary before = *c->sum;
    c->sum->files_seen++;
    if (db_begin(c->db, err))
        return DG_EDB;
    int rc = quarantine_add(c, path, "", 0, why, err);
    if (!rc)
        rc = ingest_event(c, path, path, &before, err);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}

int arc_scan_walk(const char *const *paths, int npaths, char ***files, size_t *nfiles,
                  dg_err *err)
{
    long skipped = 0;
    walk_out w = {.skipped = &skipped};
    int rc = DG_OK;
    for (int i = 0; !rc && i < npaths; i++)
        rc = walk(&w, paths[i], 1, NULL, err);
    if (rc == DG_ENOMEM)
        dg_err_set(err, DG_ENOMEM, "out of memory");
    path_list_free(&w.bad);
    path_list_free(&w.why);
    if (rc) {
        path_list_free(&w.files);
        w.files = (path_list){0};
    }
    *files = w.files.v;
    *nfiles = w.files.n;
    return rc;
}

int arc_ingest(sqlite3 *db, const char *const *paths, int npaths, const arc_progress *prog,
               arc_ingest_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    ocr_settings *settings = NULL;
    ingest_ctx c = {db, 0, prog, sum, 0, NULL, 0, {0}};
    if (arc_ocr_settings_open(NULL, &settings, err))
        return err ? err->code : DG_EINPUT;
    ocr_settings_limits(settings, &c.limits);
    ocr_settings_free(&settings);
    walk_out w = {.skipped = &sum->skipped};
    int rc = DG_OK;
    for (int i = 0; !rc && i < npaths; i++)
        rc = walk(&w, paths[i], 1, NULL, err);
    if (rc == DG_ENOMEM)
        dg_err_set(err, DG_ENOMEM, "out of memory");
    c.total = (long)(w.files.n + w.bad.n);
    int64_t run_id = 0;
    if (!rc)
        rc = arc_store_open(db, &c.store, err);
    if (!rc)
        rc = begin_batch(&c, paths, npaths, &run_id, err);
    c.run_id = run_id;
    for (size_t i = 0; !rc && i < w.bad.n; i++)
        rc = ingest_bad_entry(&c, w.bad.v[i], w.why.v[i], err);
    for (size_t i = 0; !rc && i < w.files.n; i++) {
        arc_progress_report(prog, "ingest", (long)(w.bad.n + i), c.total, w.files.v[i]);
        rc = ingest_one(&c, w.files.v[i], err);
    }
    if (run_id) {
        arc_progress_report(prog, "ingest", c.total, c.total, NULL);
        char counts[512];
        summary_json(sum, counts, sizeof counts);
        db_run_end(db, run_id, rc ? "failed" : "done", counts, NULL);
    }
    path_list_free(&w.files);
    path_list_free(&w.bad);
    path_list_free(&w.why);
    sto_free(&c.store);
    return rc;
}
