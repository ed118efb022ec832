/*
 * fuzz_cfgdir.c - see fuzz_cfgdir.h.  Harness code: it may exit on setup
 * failure, which is no finding.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "fuzz_cfgdir.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = n ? fwrite(data, 1, n, f) : 0;
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc(len > 0 ? (size_t)len : 1);
    *n = d && len > 0 ? fread(d, 1, (size_t)len, f) : 0;
    fclose(f);
    return d;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *doomed[8];

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    return remove(p);
}

static void remove_doomed(void)
{
    for (int i = 0; i < 8 && doomed[i]; i++)
        nftw(doomed[i], remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

void fz_remove_at_exit(const char *path)
{
    int i = 0;
    while (i < 8 && doomed[i])
        i++;
    if (i == 8)
        return;
    if (i == 0)
        atexit(remove_doomed);
    doomed[i] = strdup(path);
}

int fz_dir_init(fz_dir *d, const char *tag, const char *src, const char *sub,
                const char *suffix)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "/tmp/fuzz_%s_%d", tag, (int)getpid());
    mkdir(d->dir, 0700);
    fz_remove_at_exit(d->dir);
    if (*sub) {
        strncat(d->dir, "/", sizeof d->dir - strlen(d->dir) - 1);
        strncat(d->dir, sub, sizeof d->dir - strlen(d->dir) - 1);
        mkdir(d->dir, 0700);
    }
    DIR *dir = opendir(src);
    struct dirent *e;
    while (dir && (e = readdir(dir)) && d->n < 32) {
        size_t nl = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' || nl < sl || strcmp(e->d_name + nl - sl, suffix) != 0)
            continue;
        d->name[d->n++] = strdup(e->d_name);
    }
    if (dir)
        closedir(dir);
    qsort(d->name, d->n, sizeof *d->name, by_name);
    for (size_t i = 0; i < d->n; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", src, d->name[i]);
        d->orig[i] = read_all(p, &d->len[i]);
        if (!d->orig[i])
            return -1;
        fz_dir_restore(d, i);
    }
    return d->n ? 0 : -1;
}

const char *fz_dir_put(fz_dir *d, size_t i, const uint8_t *data, size_t n)
{
    static char p[1024]; /* harness only: one input at a time */
    snprintf(p, sizeof p, "%s/%s", d->dir, d->name[i]);
    return write_all(p, data, n) == 0 ? p : NULL;
}

void fz_dir_restore(fz_dir *d, size_t i)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", d->dir, d->name[i]);
    if (write_all(p, d->orig[i], d->len[i]) != 0)
        exit(2);
}

const char *fz_dir_root(const fz_dir *d)
{
    static char p[512];
    snprintf(p, sizeof p, "%s", d->dir);
    char *slash = strrchr(p, '/');
    if (slash && slash != p)
        *slash = '\0';
    return p;
}

const char *fz_tmp_file(const char *tag, const char *ext, const uint8_t *data, size_t n)
{
    static char p[256];
    snprintf(p, sizeof p, "/tmp/fuzz_%s_%d%s", tag, (int)getpid(), ext);
    return write_all(p, data, n) == 0 ? p : NULL;
}
