/*
 * files.c - where exports land: directories 0700 and files 0600, whatever
 * the umask, because every export carries personal data (issue #21); and
 * the access-log row each export leaves.
 */
#include "exchange_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int ex_mkdir(const char *dir, dg_err *err)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return dg_err_set(err, DG_EUSAGE, "bad output directory '%s'", dir);
    memcpy(buf, dir, n + 1);
    /* Parents first, each made 0700 only if this call creates it. */
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return dg_err_set(err, DG_ERR, "cannot create '%s': %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return dg_err_set(err, DG_ERR, "cannot create '%s': %s", dir, strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return dg_err_set(err, DG_ERR, "'%s' is not a directory", dir);
    return DG_OK;
}

FILE *ex_fopen_private(const char *path, dg_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    /* An existing file keeps its mode through O_CREAT: narrow it. */
    if (fd >= 0 && fchmod(fd, 0600) != 0) {
        close(fd);
        fd = -1;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        dg_err_set(err, DG_ERR, "cannot write '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

int ex_utf8_clean(const char *s, dg_buf *out)
{
    dg_buf_reset(out);
    size_t n = strlen(s), i = 0;
    int rc = dg_buf_adds(out, "");
    while (i < n && !rc)
        rc = dg_utf8_add(out, dg_utf8_next(s, n, &i));
    return rc;
}

int ex_write_file(const char *path, const void *data, size_t len, dg_err *err)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return dg_err_set(err, DG_EUSAGE, "path too long: '%s'", path);
    FILE *f = ex_fopen_private(tmp, err);
    if (!f)
        return DG_ERR;
    int ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return dg_err_set(err, DG_ERR, "cannot write '%s': %s", path, strerror(e));
    }
    return DG_OK;
}

int ex_log_export(sqlite3 *db, const char *who, const char *query_json, long count,
                  dg_err *err)
{
    char shown[64];
    snprintf(shown, sizeof shown, "{\"count\":%ld}", count);
    int rc = db_begin(db, err);
    if (rc)
        return rc;
    rc = arc_access_log(db, who, "export", query_json, shown, err);
    if (rc) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}
