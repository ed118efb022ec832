/*
 * fuzz_truth.c - libFuzzer target for truth files (*.truth.json,
 * gradrec-truth/1, read by `dangan eval`): the input is the one truth file
 * of a folder scored against a workspace holding one sample scan; pages, fields and p(right) are scored or the file
 * is refused with a message naming it.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "db.h"
#include "fuzz_cfgdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *workspace(char *dir, size_t n)
{
    static sqlite3 *db;
    static char d[256];
    if (!db) {
        snprintf(d, sizeof d, "/tmp/fuzz_truth_%d", (int)getpid());
        mkdir(d, 0700);
        fz_remove_at_exit(d);
        char path[300];
        snprintf(path, sizeof path, "%s/w.db", d);
        unlink(path);
        dg_err err = {0};
        /* ingested the ordinary way: the truth names the sample scan */
        const char *scan[] = {DANGAN_SOURCE_CONFIG_DIR "/../samples/s003_reg_clean.jpg"};
        arc_ingest_summary sum;
        if (db_open(path, DB_OPEN_CREATE, &db, &err) || arc_ingest(db, scan, 1, NULL, &sum, &err))
            abort();
    }
    snprintf(dir, n, "%s", d);
    return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[256], path[320];
    sqlite3 *db = workspace(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s003_reg_clean.truth.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    dg_err err = {0};
    arc_eval_pages_result pr;
    if (arc_eval_pages(db, dir, &pr, &err) == DG_OK)
        arc_eval_pages_release(&pr);
    else if (!err.msg[0])
        abort();
    arc_eval_fields_result fr;
    err.msg[0] = '\0';
    if (arc_eval_fields(db, dir, &fr, &err) == DG_OK)
        arc_eval_fields_release(&fr);
    else if (!err.msg[0])
        abort();
    arc_eval_trust_result tr;
    err.msg[0] = '\0';
    if (arc_eval_trust(db, dir, &tr, &err) == DG_OK)
        arc_eval_trust_release(&tr);
    else if (!err.msg[0])
        abort();
    unlink(path);
    return 0;
}
