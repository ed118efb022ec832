/*
 * run.c - the whole pipeline in one call: ingest -> ocr -> extract ->
 * reread -> normalize -> load, each stage the same library function its own command
 * calls, with one progress callback, then a summary read back from the
 * database (pages, records loaded, review items waiting, files set aside).
 * Every stage is resumable, so a run that dies part-way is finished by
 * running it again.
 */
#include "archive.h"

#include <sqlite3.h>
#include <string.h>

static int count_of(sqlite3 *db, const char *sql, long *out, dg_err *err)
{
    int64_t v = 0;
    int rc = db_query_int(db, sql, &v, err);
    *out = (long)v;
    return rc == DG_ENOTFOUND ? DG_OK : rc;
}

static int run_extract(sqlite3 *db, const arc_progress *prog, arc_run_summary *sum, dg_err *err)
{
    arc_extract_opts o = {0};
    arc_extract_summary s = {0};
    int rc = arc_extract(db, &o, prog, &s, err);
    sum->records = s.records;
    return rc;
}

static int run_reread(sqlite3 *db, const arc_progress *prog, arc_run_summary *sum, dg_err *err)
{
    arc_reread_opts o = {0};
    return arc_reread(db, &o, prog, &sum->reread, err);
}

static int run_normalize(sqlite3 *db, const arc_progress *prog, dg_err *err)
{
    arc_normalize_opts o = {0};
    arc_normalize_summary s = {0};
    return arc_normalize(db, &o, prog, &s, err);
}

static int run_load(sqlite3 *db, const arc_progress *prog, dg_err *err)
{
    arc_load_summary s = {0};
    return arc_load(db, NULL, prog, &s, err);
}

static int run_stages(sqlite3 *db, const char *db_path, const char *const *paths, int npaths,
                      const arc_run_opts *opts, const arc_progress *prog, arc_run_summary *sum,
                      dg_err *err)
{
    int rc = arc_ingest(db, paths, npaths, prog, &sum->ingest, err);
    if (!rc) {
        arc_ocr_opts o = {.jobs = opts ? opts->jobs : 0, .lang = opts ? opts->lang : NULL};
        rc = arc_ocr(db_path, &o, prog, &sum->ocr, err);
    }
    rc = rc ? rc : run_extract(db, prog, sum, err);
    rc = rc ? rc : run_reread(db, prog, sum, err);
    rc = rc ? rc : run_normalize(db, prog, err);
    /* open review items are what the operator sees next */
    rc = rc ? rc : arc_review_refresh(db, err);
    return rc ? rc : run_load(db, prog, err);
}

int arc_run(const char *db_path, const char *const *paths, int npaths, const arc_run_opts *opts,
            const arc_progress *prog, arc_run_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    sqlite3 *db;
    int rc = db_open(db_path, DB_OPEN_CREATE, &db, err);
    if (rc)
        return rc;
    long studies_before = 0;
    rc = count_of(db, "SELECT count(*) FROM study_record", &studies_before, err);
    rc = rc ? rc : run_stages(db, db_path, paths, npaths, opts, prog, sum, err);
    long studies_after = 0;
    rc = rc ? rc : count_of(db, "SELECT count(*) FROM study_record", &studies_after, err);
    rc = rc ? rc : count_of(db, "SELECT count(*) FROM page", &sum->pages, err);
    rc = rc ? rc
            : count_of(db, "SELECT count(*) FROM review_item WHERE state = 'open'",
                       &sum->review_open, err);
    sum->records_loaded = studies_after - studies_before;
    sum->quarantined = sum->ingest.quarantined;
    sum->pages_failed = sum->ocr.pages_failed;
    db_close(&db);
    return rc;
}
