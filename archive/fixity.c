/*
 * fixity.c - the fixity sweep: every copy of every scan the workspace
 * knows of (its store object, the path it was ingested from, its aliases)
 * is hashed again and compared with the SHA-256 recorded at ingest.  Each
 * check is kept in fixity_event under a run of stage 'fixity', so when the
 * scans were last checked, and what was found, is in the database itself.
 * Files are hashed outside any transaction; the events of the sweep are
 * written in one at the end.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"
#include "preserve.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

typedef struct fx_check {
    int64_t file_id;
    char sha[65];
    int in_store;
    char *path;
    const char *outcome; /* static string */
    char found[65];      /* "" unless changed */
} fx_check;

typedef struct fx_list {
    fx_check *v;
    size_t n;
} fx_list;

static void list_free(fx_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
}

/* The copies to check, a file's store object first, by file id. */
static int collect(sqlite3 *db, const char *store_dir, int what, fx_list *l, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT f.id, f.sha256, 'store', f.format FROM stored_file s "
                       "JOIN file f ON f.id = s.file_id WHERE ?1 "
                       "UNION ALL SELECT id, sha256, 'path', abspath FROM (SELECT id, sha256, "
                       "abspath FROM file UNION SELECT f.id, f.sha256, fp.abspath FROM file_path "
                       "fp JOIN file f ON f.id = fp.file_id) WHERE ?2 ORDER BY 1, 3 DESC, 4",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int(st, 1, store_dir && (what & ARC_FIXITY_STORE));
    sqlite3_bind_int(st, 2, (what & ARC_FIXITY_PATHS) != 0);
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        fx_check *v = arc_grow(l->v, l->n, sizeof *v);
        if (!v) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        l->v = v;
        fx_check *c = &v[l->n];
        c->file_id = sqlite3_column_int64(st, 0);
        snprintf(c->sha, sizeof c->sha, "%s", COL(st, 1));
        c->in_store = strcmp(COL(st, 2), "store") == 0;
        if (c->in_store) {
            char name[128], path[PATH_MAX];
            /* A bad name cannot be in the store: it is checked as missing. */
            if (sto_object_name(c->sha, COL(st, 3), name, sizeof name, NULL))
                snprintf(name, sizeof name, "(no object name for %s)", c->sha);
            snprintf(path, sizeof path, "%s/%s", store_dir, name);
            c->path = dg_strdup(path);
        } else {
            c->path = dg_strdup(COL(st, 3));
        }
        l->n++;
        if (!c->path)
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(db, err, "cannot list the copies to check");
    sqlite3_finalize(st);
    return rc;
}

static void check_one(fx_check *c)
{
    dg_err e = {0};
    c->found[0] = '\0';
    switch (sto_check_file(c->path, c->sha, c->found, NULL, &e)) {
    case DG_OK: c->outcome = "ok"; c->found[0] = '\0'; break;
    case DG_ENOTFOUND: c->outcome = "missing"; break;
    case DG_ECONFLICT: c->outcome = "changed"; break;
    default: c->outcome = "unreadable"; c->found[0] = '\0'; break;
    }
}

static int record(sqlite3 *db, int64_t run_id, const fx_list *l, dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (db_begin(db, err))
        return DG_EDB;
    int rc = db_prepare(db, "INSERT INTO fixity_event(run_id, file_id, location, path, outcome, "
                            "found, checked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st, err);
    for (size_t i = 0; !rc && i < l->n; i++) {
        const fx_check *c = &l->v[i];
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_int64(st, 2, c->file_id);
        sqlite3_bind_text(st, 3, c->in_store ? "store" : "path", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, c->outcome, -1, SQLITE_STATIC);
        if (c->found[0])
            sqlite3_bind_text(st, 6, c->found, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 6);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, err, "cannot record fixity check");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    rc = rc ? rc : db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}

static int add_problem(arc_fixity_result *r, const fx_check *c)
{
    arc_fixity_problem *v = arc_grow(r->problems, r->nproblems, sizeof *v);
    if (!v)
        return DG_ENOMEM;
    r->problems = v;
    arc_fixity_problem *p = &v[r->nproblems++];
    p->file_id = c->file_id;
    p->sha256 = dg_strdup(c->sha);
    p->location = dg_strdup(c->in_store ? "store" : "path");
    p->path = dg_strdup(c->path);
    p->outcome = dg_strdup(c->outcome);
    p->found = c->found[0] ? dg_strdup(c->found) : NULL;
    return p->sha256 && p->location && p->path && p->outcome ? DG_OK : DG_ENOMEM;
}

/* Totals, problems and files without an intact copy, from the checks. */
static int tally(const fx_list *l, arc_fixity_result *r)
{
    for (size_t i = 0; i < l->n;) {
        size_t k = i;
        int intact = 0;
        for (; k < l->n && l->v[k].file_id == l->v[i].file_id; k++) {
            const fx_check *c = &l->v[k];
            r->checked++;
            if (strcmp(c->outcome, "ok") == 0) {
                r->ok++;
                intact = 1;
                continue;
            }
            if (strcmp(c->outcome, "missing") == 0)
                r->missing++;
            else if (strcmp(c->outcome, "changed") == 0)
                r->changed++;
            else
                r->unreadable++;
            if (add_problem(r, c))
                return DG_ENOMEM;
        }
        r->lost += !intact;
        i = k;
    }
    return DG_OK;
}

static void counts_json(const arc_fixity_result *r, char *out, size_t n)
{
    snprintf(out, n,
             "{\"files\":%ld,\"checked\":%ld,\"ok\":%ld,\"missing\":%ld,\"changed\":%ld,"
             "\"unreadable\":%ld,\"not_stored\":%ld,\"lost\":%ld}",
             r->files, r->checked, r->ok, r->missing, r->changed, r->unreadable, r->not_stored,
             r->lost);
}

int arc_fixity(sqlite3 *db, int what, const arc_progress *prog, arc_fixity_result *r,
               dg_err *err)
{
    memset(r, 0, sizeof *r);
    if (!(what & (ARC_FIXITY_STORE | ARC_FIXITY_PATHS)))
        return dg_err_set(err, DG_EUSAGE, "nothing to sweep: neither the store nor the paths");
    int64_t n = 0, stored = 0;
    fx_list l = {0};
    dg_buf params;
    dg_buf_init(&params, 0);
    int rc = arc_store_get(db, &r->store_dir, NULL, err);
    rc = rc ? rc : db_query_int(db, "SELECT count(*) FROM file", &n, err);
    rc = rc ? rc : db_query_int(db, "SELECT count(*) FROM stored_file", &stored, err);
    r->files = (long)n;
    if (r->store_dir && (what & ARC_FIXITY_STORE))
        r->not_stored = (long)(n - stored);
    rc = rc ? rc : collect(db, r->store_dir, what, &l, err);
    if (!rc) {
        dg_buf_adds(&params, "{\"store\":");
        dg_buf_json_str(&params, r->store_dir);
        dg_buf_addf(&params, ",\"sweep_store\":%s,\"sweep_paths\":%s}",
                    what & ARC_FIXITY_STORE ? "true" : "false",
                    what & ARC_FIXITY_PATHS ? "true" : "false");
        rc = db_run_begin(db, "fixity", params.data, &r->run_id, err);
    }
    for (size_t i = 0; !rc && i < l.n; i++) {
        arc_progress_report(prog, "fixity", (long)i, (long)l.n, l.v[i].path);
        check_one(&l.v[i]);
    }
    arc_progress_report(prog, "fixity", (long)l.n, (long)l.n, NULL);
    if (!rc && tally(&l, r))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    rc = rc ? rc : record(db, r->run_id, &l, err);
    if (r->run_id) {
        char counts[400];
        counts_json(r, counts, sizeof counts);
        db_run_end(db, r->run_id, rc ? "failed" : "done", counts, NULL);
    }
    list_free(&l);
    dg_buf_release(&params);
    if (rc)
        arc_fixity_release(r);
    return rc;
}

void arc_fixity_release(arc_fixity_result *r)
{
    for (size_t i = 0; i < r->nproblems; i++) {
        arc_fixity_problem *p = &r->problems[i];
        free(p->sha256);
        free(p->location);
        free(p->path);
        free(p->outcome);
        free(p->found);
    }
    free(r->problems);
    free(r->store_dir);
    memset(r, 0, sizeof *r);
}

int arc_fixity_json(const arc_fixity_result *r, dg_buf *out)
{
    char counts[400];
    counts_json(r, counts, sizeof counts);
    int rc = dg_buf_addf(out, "{\"run\":%lld,\"store\":", (long long)r->run_id);
    rc = rc ? rc : dg_buf_json_str(out, r->store_dir);
    /* counts without its braces, then the problems */
    rc = rc ? rc : dg_buf_addf(out, ",%.*s,\"problems\":[", (int)strlen(counts) - 2, counts + 1);
    for (size_t i = 0; !rc && i < r->nproblems; i++) {
        const arc_fixity_problem *p = &r->problems[i];
        rc = dg_buf_addf(out, "%s{\"file\":%lld,\"sha256\":\"%s\",\"location\":\"%s\",\"path\":",
                         i ? "," : "", (long long)p->file_id, p->sha256, p->location);
        rc = rc ? rc : dg_buf_json_str(out, p->path);
        rc = rc ? rc : dg_buf_addf(out, ",\"outcome\":\"%s\",\"found\":", p->outcome);
        rc = rc ? rc : dg_buf_json_str(out, p->found);
        rc = rc ? rc : dg_buf_addc(out, '}');
    }
    return rc ? rc : dg_buf_adds(out, "]}");
}

int arc_fixity_last_json(sqlite3 *db, dg_buf *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT json_object('run', r.id, 'started', r.started, 'finished', "
                       "r.finished, 'params', json(r.params), 'counts', json(r.counts), "
                       "'problems', (SELECT json_group_array(json_object('file', e.file_id, "
                       "'location', e.location, 'path', e.path, 'outcome', e.outcome, 'found', "
                       "e.found)) FROM fixity_event e WHERE e.run_id = r.id AND e.outcome <> 'ok')) "
                       "FROM run r WHERE r.stage = 'fixity' AND r.status = 'done' "
                       "ORDER BY r.id DESC LIMIT 1",
                   &st, err))
        return DG_EDB;
    int step = sqlite3_step(st), rc;
    if (step == SQLITE_ROW)
        rc = dg_buf_adds(out, COL(st, 0)) ? dg_err_set(err, DG_ENOMEM, "out of memory") : DG_OK;
    else if (step == SQLITE_DONE)
        rc = dg_err_set(err, DG_ENOTFOUND, "fixity was never checked in this workspace");
    else
        rc = db_fail(db, err, "cannot read the last fixity sweep");
    sqlite3_finalize(st);
    return rc;
}
