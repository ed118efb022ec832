/*
 * util.c - small helpers shared by the stage drivers: reading files,
 * locating configs, progress reporting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"

/* Scans larger than this are refused outright (no archival page is 1 GiB). */
#define ARC_MAX_FILE_BYTES ((size_t)1 << 30)

void arc_progress_report(const arc_progress *p, const char *stage, long done, long total,
                         const char *item)
{
    if (p && p->update)
        p->update(p->ud, stage, done, total, item);
}

int arc_read_file(const char *path, unsigned char **data, size_t *len, dg_err *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_err_set(err, DG_EINPUT, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return dg_err_set(err, DG_EINPUT, "'%s' is not a regular file", path);
    }
    if ((size_t)st.st_size > ARC_MAX_FILE_BYTES) {
        fclose(f);
        return dg_err_set(err, DG_EINPUT, "'%s' is %lld bytes, over the 1 GiB limit for a scan",
                          path, (long long)st.st_size);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return dg_err_set(err, DG_ENOMEM, "out of memory reading '%s'", path);
    }
    size_t got = n ? fread(buf, 1, n, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (bad || got != n) {
        free(buf);
        return dg_err_set(err, DG_EINPUT, "cannot read '%s': short read", path);
    }
    *data = buf;
    *len = n;
    return DG_OK;
}

const char *arc_config_dir(void)
{
    const char *env = getenv("DANGAN_CONFIG_DIR");
    if (env && *env)
        return env;
    if (access(DANGAN_SOURCE_CONFIG_DIR, R_OK) == 0)
        return DANGAN_SOURCE_CONFIG_DIR;
    return DANGAN_INSTALL_CONFIG_DIR;
}
