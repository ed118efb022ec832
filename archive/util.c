/*
 * util.c - small helpers shared by the stage drivers: reading files,
 * locating configs, progress reporting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_internal.h"
#include "ocr.h"

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
    return dg_read_file(path, ARC_MAX_FILE_BYTES, data, len, err);
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

int arc_ocr_settings_open(const char *path, ocr_settings **s, dg_err *err)
{
    if (path)
        return ocr_settings_load(path, s, err);
    char def[4096];
    if (arc_path_join(def, sizeof def, arc_config_dir(), "ocr.xml", err))
        return DG_EUSAGE;
    return ocr_settings_load(access(def, R_OK) == 0 ? def : NULL, s, err);
}

void arc_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int arc_step_done(sqlite3 *db, sqlite3_stmt *st, const char *doing, dg_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, doing);
}
