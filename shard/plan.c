/*
 * plan.c - the shard plan: every scan under the given paths with its
 * SHA-256 and its shard, and reading one shard's paths back.
 *
 * The shard comes from the bytes, never from the name or the order of the
 * walk, so a plan made again (more files added, folders renamed) keeps
 * every file where it was, and aliases of one file share a shard: only the
 * shard that holds a file's bytes ever ingests them.
 */
#include "shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"

#define PLAN_HEADER "# dangan shard plan v1 shards="

int shard_of(const char *sha256, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < 16 && sha256[i]; i++) {
        char c = sha256[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
        v = v << 4 | (uint64_t)d;
    }
    return n > 0 ? (int)(v % (uint64_t)n) + 1 : 1;
}

typedef struct plan_ctx {
    int n;
    dg_buf *out;
    long files;
} plan_ctx;

static int plan_file(plan_ctx *c, const char *path, dg_err *err)
{
    if (strpbrk(path, "\t\n\r"))
        return dg_err_set(err, DG_EINPUT, "'%s': a tab or newline in a path cannot go in a plan",
                          path);
    char sha[65];
    dg_err e2 = {0};
    const char *col = sha;
    int shard;
    if (dg_sha256_file(path, sha, NULL, &e2) == DG_OK) {
        shard = shard_of(sha, c->n);
    } else {
        /* unreadable: its shard by name; ingest there quarantines it */
        dg_sha256_hex(path, strlen(path), sha);
        shard = shard_of(sha, c->n);
        col = "-";
    }
    c->files++;
    return dg_buf_addf(c->out, "%d\t%s\t%s\n", shard, col, path);
}

int shard_plan_make(const char *const *paths, int npaths, int nshards, dg_buf *out, long *files,
                    dg_err *err)
{
    if (nshards < 1 || nshards > SHARD_MAX)
        return dg_err_set(err, DG_EUSAGE, "shards must be 1 to %d, not %d", SHARD_MAX, nshards);
    plan_ctx c = {nshards, out, 0};
    /* ingest's own walk, so a plan lists exactly what one run over the
     * folders would read */
    char **found = NULL;
    size_t nfound = 0;
    int rc = arc_scan_walk(paths, npaths, &found, &nfound, err);
    rc = rc ? rc : dg_buf_addf(out, PLAN_HEADER "%d\n", nshards);
    for (size_t i = 0; !rc && i < nfound; i++)
        rc = plan_file(&c, found[i], err);
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory making the plan");
    for (size_t i = 0; i < nfound; i++)
        free(found[i]);
    free(found);
    if (files)
        *files = c.files;
    return rc;
}

void shard_paths_free(char **paths, int npaths)
{
    for (int i = 0; paths && i < npaths; i++)
        free(paths[i]);
    free(paths);
}

static int plan_line(const char *plan_path, long lineno, char *line, int k, char ***v, int *nv,
                     int *cap, dg_err *err)
{
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    char *end;
    long shard = strtol(line, &end, 10);
    if (!t1 || !t2 || end != t1 || shard < 1 || !t2[1])
        return dg_err_set(err, DG_EINPUT, "'%s' line %ld: not SHARD<TAB>SHA256<TAB>PATH",
                          plan_path, lineno);
    if (shard != k)
        return DG_OK;
    if (*nv == *cap) {
        int ncap = *cap ? *cap * 2 : 64;
        char **nvv = realloc(*v, (size_t)ncap * sizeof **v);
        if (!nvv)
            return dg_err_set(err, DG_ENOMEM, "out of memory reading '%s'", plan_path);
        *v = nvv;
        *cap = ncap;
    }
    if (!((*v)[*nv] = dg_strdup(t2 + 1)))
        return dg_err_set(err, DG_ENOMEM, "out of memory reading '%s'", plan_path);
    (*nv)++;
    return DG_OK;
}

int shard_plan_paths(const char *plan_path, int k, int n, char ***paths, int *npaths,
                     dg_err *err)
{
    *paths = NULL;
    *npaths = 0;
    if (n < 1 || n > SHARD_MAX || k < 1 || k > n)
        return dg_err_set(err, DG_EUSAGE, "shard %d/%d: K must be 1 to N", k, n);
    FILE *f = fopen(plan_path, "r");
    if (!f)
        return dg_err_set(err, DG_EINPUT, "cannot read plan '%s': %s", plan_path,
                          strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = DG_OK, vcap = 0, planned = 0;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1) {
            size_t hl = strlen(PLAN_HEADER);
            if (strncmp(line, PLAN_HEADER, hl) != 0)
                rc = dg_err_set(err, DG_EINPUT, "'%s' is not a dangan shard plan (line 1)",
                                plan_path);
            else if ((planned = atoi(line + hl)) != n)
                rc = dg_err_set(err, DG_EINPUT, "'%s' was made for %d shards, not %d", plan_path,
                                planned, n);
            continue;
        }
        if (len == 0 || line[0] == '#')
            continue;
        rc = plan_line(plan_path, lineno, line, k, paths, npaths, &vcap, err);
    }
    if (!rc && lineno == 0)
        rc = dg_err_set(err, DG_EINPUT, "'%s' is empty, not a dangan shard plan", plan_path);
    free(line);
    fclose(f);
    if (rc) {
        shard_paths_free(*paths, *npaths);
        *paths = NULL;
        *npaths = 0;
    }
    return rc;
}
