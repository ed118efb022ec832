/*
 * run.c - the whole pipeline in one call: ingest -> ocr -> extract ->
 * normalize -> load, each stage the same library function its own command
 * calls, with one progress callback, then a summary read back from the
 * database (pages, records loaded, review items waiting, files set aside).
 * Every stage is resumable, so a run that dies part-way is finished by
 * running it again.
 *
 * Stages land in the library one by one; archive/CMakeLists.txt defines
 * ARC_RUN_HAVE_<STAGE> only when the file defining arc_<stage>() is built
 * into dangan_archive, and the summary names the stages left out.
 */
#include "archive.h"

#include <sqlite3.h>
#include <string.h>

#ifdef ARC_RUN_HAVE_EXTRACT
#include "extract_internal.h"
#endif

static int count_of(sqlite3 *db, const char *sql, long *out, dg_err *err)
{
    int64_t v = 0;
    int rc = db_query_int(db, sql, &v, err);
    *out = (long)v;
    return rc == DG_ENOTFOUND ? DG_OK : rc;
}

static int run_extract(sqlite3 *db, const arc_progress *prog, arc_run_summary *sum, dg_err *err)
{
#ifdef ARC_RUN_HAVE_EXTRACT
    arc_extract_opts o = {0};
    arc_extract_summary s = {0};
    int rc = arc_extract(db, &o, prog, &s, err);
    sum->records = s.records;
    return rc;
#else
    (void)db, (void)prog, (void)sum, (void)err;
    return DG_OK;
#endif
}

static int run_normalize(sqlite3 *db, const arc_progress *prog, dg_err *err)
{
#ifdef ARC_RUN_HAVE_NORMALIZE
    arc_normalize_opts o = {0};
    arc_normalize_summary s = {0};
    return arc_normalize(db, &o, prog, &s, err);
#else
    (void)db, (void)prog, (void)err;
    return DG_OK;
#endif
}

/* Open review items are what the operator sees next; the queue is filled
 * from field states by arc_review_refresh, load adds conflicts itself. */
static int run_review_refresh(sqlite3 *db, dg_err *err)
{
#ifdef ARC_RUN_HAVE_REVIEW_REFRESH
    return arc_review_refresh(db, err);
#else
    (void)db, (void)err;
    return DG_OK;
#endif
}

static int run_load(sqlite3 *db, const arc_progress *prog, dg_err *err)
{
#ifdef ARC_RUN_HAVE_LOAD
    arc_load_summary s = {0};
    return arc_load(db, NULL, prog, &s, err);
#else
    (void)db, (void)prog, (void)err;
    return DG_OK;
#endif
}

static const char *missing_stages(void)
{
    /* Static strings: the summary outlives this call. */
    static const char *const names[8] = {
        "", "extract", "normalize", "extract, normalize",
        "load", "extract, load", "normalize, load", "extract, normalize, load",
    };
    int m = 0;
#ifndef ARC_RUN_HAVE_EXTRACT
    m |= 1;
#endif
#ifndef ARC_RUN_HAVE_NORMALIZE
    m |= 2;
#endif
#ifndef ARC_RUN_HAVE_LOAD
    m |= 4;
#endif
    return names[m];
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
    rc = rc ? rc : run_normalize(db, prog, err);
    rc = rc ? rc : run_review_refresh(db, err);
    return rc ? rc : run_load(db, prog, err);
}

int arc_run(const char *db_path, const char *const *paths, int npaths, const arc_run_opts *opts,
            const arc_progress *prog, arc_run_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    sum->missing = missing_stages();
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
