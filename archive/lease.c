/*
 * lease.c - a stage's claim on the page it is about to work on.
 *
 * A claim is one UPDATE of the page row, committed before the work: it
 * succeeds only when the page is still in the state the stage wants and is
 * unclaimed, or its lease expired, or the run holding it is no longer
 * running (db_runs_reap marks runs of dead processes aborted at every
 * open).  The stage frees the lease in the transaction that stores its
 * result (ARC_LEASE_FREE), so two processes never work on the same page.
 */
#include "archive_internal.h"

int arc_page_claim(sqlite3 *db, int64_t page, int64_t run, const char *cond, int *got,
                   dg_err *err)
{
    char sql[1024];
    int n = snprintf(sql, sizeof sql,
                     "UPDATE page SET claim_run = ?2, claim_until = strftime('%%Y-%%m-%%dT%%H:"
                     "%%M:%%SZ', 'now', '+%d seconds') WHERE id = ?1 AND (%s) AND "
                     "(claim_run IS NULL OR claim_run = ?2 OR "
                     " claim_until < strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now') OR "
                     " NOT EXISTS (SELECT 1 FROM run r WHERE r.id = page.claim_run "
                     "   AND r.status = 'running'))",
                     ARC_LEASE_SECONDS, cond);
    *got = 0;
    if (n < 0 || (size_t)n >= sizeof sql)
        return dg_err_set(err, DG_EUSAGE, "page claim condition too long");
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, page);
    sqlite3_bind_int64(st, 2, run);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot claim page");
    *got = sqlite3_changes(db) == 1;
    return DG_OK;
}
