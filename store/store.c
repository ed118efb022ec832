/*
 * store.c - the content-addressed scan store and durable file writes.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sto_store {
    char *dir;
    int readonly;
};

int sto_mkdirs(const char *dir, dg_err *err)
{
    char p[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p)
        return dg_err_set(err, DG_EUSAGE, "bad directory name '%s'", dir);
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return dg_err_set(err, DG_EINPUT, "cannot create directory '%s': %s", p,
                              strerror(errno));
        p[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dg_err_set(err, DG_EINPUT, "'%s' is not a directory", dir);
    return DG_OK;
}

int sto_sync_dir(const char *dir, dg_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return dg_err_set(err, DG_EINPUT, "cannot open directory '%s': %s", dir, strerror(errno));
    int rc = fsync(fd);
    close(fd);
    /* Some file systems cannot fsync a directory; the rename still stands. */
    if (rc != 0 && errno != EINVAL && errno != ENOTSUP)
        return dg_err_set(err, DG_EINPUT, "cannot sync directory '%s': %s", dir, strerror(errno));
    return DG_OK;
}

static void dir_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == path)
        snprintf(out, n, "/");
    else
        snprintf(out, n, "%.*s", (int)(slash - path), path);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* A temporary file beside path (mkstemp: mode 0600); *fd open for writing. */
static int temp_beside(const char *path, char *tmp, size_t n, int *fd, dg_err *err)
{
    if ((size_t)snprintf(tmp, n, "%s.tmp.XXXXXX", path) >= n)
        return dg_err_set(err, DG_EUSAGE, "path too long: '%s'", path);
    *fd = mkstemp(tmp);
    if (*fd < 0)
        return dg_err_set(err, DG_EINPUT, "cannot create a file beside '%s': %s", path,
                          strerror(errno));
    return DG_OK;
}

/* fsync and close fd, rename tmp to path, fsync the directory. */
static int commit_temp(int fd, const char *tmp, const char *path, dg_err *err)
{
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return dg_err_set(err, DG_EINPUT, "cannot sync '%s': %s", tmp, strerror(e));
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return dg_err_set(err, DG_EINPUT, "cannot write '%s': %s", path, strerror(e));
    }
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    return sto_sync_dir(dir, err);
}

int sto_write_atomic(const char *path, const void *data, size_t len, dg_err *err)
{
    char tmp[PATH_MAX];
    int fd = -1;
    if (temp_beside(path, tmp, sizeof tmp, &fd, err))
        return err ? err->code : DG_EINPUT;
    if (write_all(fd, data, len) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return dg_err_set(err, DG_EINPUT, "cannot write '%s': %s", path, strerror(e));
    }
    return commit_temp(fd, tmp, path, err);
}

int sto_copy_atomic(const char *src, const char *dst, char sha[65], dg_err *err)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return dg_err_set(err, errno == ENOENT ? DG_ENOTFOUND : DG_EINPUT, "cannot read '%s': %s",
                          src, strerror(errno));
    char tmp[PATH_MAX];
    int fd = -1;
    if (temp_beside(dst, tmp, sizeof tmp, &fd, err)) {
        fclose(in);
        return err ? err->code : DG_EINPUT;
    }
    char *buf = malloc(1 << 16);
    int rc = buf ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory copying '%s'", src);
    size_t n;
    while (!rc && (n = fread(buf, 1, 1 << 16, in)) > 0)
        if (write_all(fd, buf, n) != 0)
            rc = dg_err_set(err, DG_EINPUT, "cannot write '%s': %s", tmp, strerror(errno));
    if (!rc && ferror(in))
        rc = dg_err_set(err, DG_EINPUT, "cannot read '%s': read error", src);
    free(buf);
    fclose(in);
    /* Hash what landed on disk, not what was meant to: the copy is verified. */
    if (!rc && sha)
        rc = dg_sha256_file(tmp, sha, NULL, err);
    if (rc) {
        close(fd);
        unlink(tmp);
        return rc;
    }
    return commit_temp(fd, tmp, dst, err);
}

int sto_check_file(const char *path, const char *sha, char found[65], int64_t *size,
                   dg_err *err)
{
    char got[65];
    dg_err e = {0};
    int rc = dg_sha256_file(path, got, size, &e);
    if (rc) {
        if (err)
            *err = e;
        return rc == DG_ENOTFOUND ? DG_ENOTFOUND : DG_EINPUT;
    }
    if (found)
        memcpy(found, got, 65);
    if (strcmp(got, sha) != 0)
        return dg_err_set(err, DG_ECONFLICT, "'%s' changed: sha256 %s, expected %s", path, got,
                          sha);
    return DG_OK;
}

int sto_open(const char *dir, int flags, sto_store **out, dg_err *err)
{
    *out = NULL;
    if (!dir || !*dir)
        return dg_err_set(err, DG_EUSAGE, "no store directory given");
    if ((flags & STO_CREATE) && !(flags & STO_READONLY) && sto_mkdirs(dir, err))
        return err ? err->code : DG_EINPUT;
    char abs[PATH_MAX];
    struct stat st;
    if (!realpath(dir, abs) || stat(abs, &st) != 0 || !S_ISDIR(st.st_mode))
        return dg_err_set(err, DG_ENOTFOUND, "store '%s' is not a directory", dir);
    sto_store *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = dg_strdup(abs))) {
        free(s);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    s->readonly = (flags & STO_READONLY) != 0;
    *out = s;
    return DG_OK;
}

void sto_free(sto_store **s)
{
    if (s && *s) {
        free((*s)->dir);
        free(*s);
        *s = NULL;
    }
}

const char *sto_dir(const sto_store *s)
{
    return s->dir;
}

int sto_readonly(const sto_store *s)
{
    return s->readonly;
}

int sto_object_name(const char *sha, const char *ext, char *buf, size_t n, dg_err *err)
{
    size_t i = 0;
    for (; sha && sha[i]; i++)
        if (!((sha[i] >= '0' && sha[i] <= '9') || (sha[i] >= 'a' && sha[i] <= 'f')))
            break;
    if (!sha || i != 64 || sha[i])
        return dg_err_set(err, DG_EUSAGE, "not a SHA-256: '%s'", sha ? sha : "");
    size_t k = 0;
    for (; ext && ext[k]; k++)
        if (!((ext[k] >= 'a' && ext[k] <= 'z') || (ext[k] >= '0' && ext[k] <= '9')))
            break;
    if (!ext || k == 0 || k > 8 || ext[k])
        return dg_err_set(err, DG_EUSAGE, "not a store extension: '%s'", ext ? ext : "");
    if ((size_t)snprintf(buf, n, "%.2s/%.2s/%s.%s", sha, sha + 2, sha, ext) >= n)
        return dg_err_set(err, DG_EUSAGE, "store path too long");
    return DG_OK;
}

int sto_object_path(const sto_store *s, const char *sha, const char *ext, char *buf, size_t n,
                    dg_err *err)
{
    char name[128];
    if (sto_object_name(sha, ext, name, sizeof name, err))
        return DG_EUSAGE;
    if ((size_t)snprintf(buf, n, "%s/%s", s->dir, name) >= n)
        return dg_err_set(err, DG_EUSAGE, "store path too long under '%s'", s->dir);
    return DG_OK;
}

int sto_put(sto_store *s, const char *sha, const char *ext, const void *data, size_t len,
            int *added, dg_err *err)
{
    char path[PATH_MAX], got[65];
    *added = 0;
    if (sto_object_path(s, sha, ext, path, sizeof path, err))
        return DG_EUSAGE;
    dg_sha256_hex(data, len, got);
    if (strcmp(got, sha) != 0)
        return dg_err_set(err, DG_EUSAGE, "bytes hash to %s, not %s: not stored", got, sha);
    if (sto_check_file(path, sha, NULL, NULL, NULL) == DG_OK)
        return DG_OK;
    if (s->readonly)
        return dg_err_set(err, DG_EUSAGE, "store '%s' is read-only: %s not stored", s->dir, sha);
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    if (sto_mkdirs(dir, err) || sto_write_atomic(path, data, len, err))
        return err ? err->code : DG_EINPUT;
    *added = 1;
    return DG_OK;
}

int sto_get(const sto_store *s, const char *sha, const char *ext, unsigned char **data,
            size_t *len, dg_err *err)
{
    char path[PATH_MAX], got[65];
    *data = NULL;
    if (sto_object_path(s, sha, ext, path, sizeof path, err))
        return DG_EUSAGE;
    if (access(path, F_OK) != 0)
        return dg_err_set(err, DG_ENOTFOUND, "store object '%s' is missing", path);
    int rc = dg_read_file(path, STO_MAX_OBJECT, data, len, err);
    if (rc)
        return rc;
    dg_sha256_hex(*data, *len, got);
    if (strcmp(got, sha) == 0)
        return DG_OK;
    free(*data);
    *data = NULL;
    return dg_err_set(err, DG_EINPUT, "store object '%s' changed: sha256 %s, expected %s", path,
                      got, sha);
}
