/*
 * fuzz_conf.c - libFuzzer target for the key = value files (dg_kv_parse)
 * and each of their readers: the first byte picks the reader, the rest is
 * the file.  0 the parser alone; 1 trust.conf (its settings); 2
 * normalize/matcher.conf; 3 qa.conf; 4 review.conf (the normalize stage
 * reads it before anything else); 5 load.conf.  Each loads or is refused
 * with a message naming file and line; never a crash.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "db.h"
#include "fuzz_cfgdir.h"
#include "normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *user, const dg_kv *kv, dg_err *err)
{
    (void)user;
    if (!kv->key || !kv->value || kv->line < 1)
        abort();
    return DG_OK;
}

/* Once per process: an empty workspace, and an empty folder to stand for
 * configs where a reader wants one. */
static sqlite3 *workspace(char *dir, size_t n)
{
    static sqlite3 *db;
    static char d[256];
    if (!db) {
        snprintf(d, sizeof d, "/tmp/fuzz_conf_%d", (int)getpid());
        mkdir(d, 0700);
        fz_remove_at_exit(d);
        char path[300];
        snprintf(path, sizeof path, "%s/w.db", d);
        unlink(path);
        dg_err err = {0};
        if (db_open(path, DB_OPEN_CREATE, &db, &err))
            abort();
    }
    snprintf(dir, n, "%s", d);
    return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % 6;
    char dir[256];
    sqlite3 *db = workspace(dir, sizeof dir);
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir,
             which == 1   ? "trust.conf"
             : which == 3 ? "qa.conf"
             : which == 4 ? "review.conf"
             : which == 5 ? "load.conf"
                          : "matcher.conf");
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    dg_err err = {0};
    int rc = DG_OK;
    if (which == 0) {
        rc = dg_kv_parse((const char *)data + 1, size - 1, "fuzz.conf", each, NULL, &err);
    } else if (which == 1) {
        arc_trust_settings set;
        rc = arc_trust_settings_read(dir, &set, &err);
    } else if (which == 2) {
        norm_match_conf conf;
        rc = norm_match_conf_load(path, &conf, &err);
    } else if (which == 3) {
        arc_qa_report r;
        rc = arc_qa_report_read(db, 0, path, &r, &err);
        if (rc == DG_OK)
            arc_qa_report_release(&r);
        rc = rc == DG_ENOTFOUND ? DG_OK : rc;
    } else if (which == 4) {
        /* the catalog folder is empty: past review.conf the stage stops */
        arc_normalize_opts o = {.config_dir = dir, .catalog_dir = dir, .review_conf = path};
        arc_normalize_summary sum;
        rc = arc_normalize(db, &o, NULL, &sum, &err);
        rc = rc && !strstr(err.msg, "review.conf") ? DG_OK : rc;
    } else {
        arc_load_summary sum;
        rc = arc_load(db, path, NULL, &sum, &err);
    }
    if (rc && !err.msg[0])
        abort();
    unlink(path);
    return 0;
}
