/*
 * preserve.h - keeping the scans and the archive: the workspace's scan
 * store, fixity sweeps, backup and restore (docs/backup.md).
 *
 * The store itself (a directory of files named by SHA-256) is store/store.h;
 * here is the workspace's use of it: which store it uses (store_setting),
 * which files are in it (stored_file), reading a scan store first and then
 * its recorded paths (archive_internal.h: arc_read_scan), the sweep that
 * re-hashes every copy and records what it found (fixity_event), and the
 * backup (SQLite's online backup API plus the scans, with a manifest) and
 * restore into a new workspace.  Same conventions as archive.h: int status,
 * a dg_err naming the input, never prints.
 */
#ifndef DANGAN_PRESERVE_H
#define DANGAN_PRESERVE_H

#include <stdint.h>

#include "archive.h"

/* ---- the workspace's store -------------------------------------------------- */

/*
 * Make dir the workspace's store (recorded as an absolute path; created,
 * 0700, unless read-only).  Later ingests copy new scans into it and every
 * reader of a scan looks there first.  A read-only store is read, never
 * written: ingest records which new scans it already holds.
 */
int arc_store_set(sqlite3 *db, const char *dir, int readonly, dg_err *err);

/* The workspace's store: *dir (caller frees) NULL when it has none. */
int arc_store_get(sqlite3 *db, char **dir, int *readonly, dg_err *err);

typedef struct arc_store_fill_summary {
    long files;   /* files of the workspace */
    long stored;  /* put in the store by this call */
    long already; /* already there */
    long failed;  /* no intact copy to store (missing or changed everywhere) */
} arc_store_fill_summary;

/* Copy every file of the workspace not yet in its store there, from the
 * recorded paths (each verified by hash).  DG_ENOTFOUND without a store. */
int arc_store_fill(sqlite3 *db, const arc_progress *prog, arc_store_fill_summary *sum,
                   dg_err *err);

/* ---- fixity ------------------------------------------------------------------- */

enum { ARC_FIXITY_STORE = 1, ARC_FIXITY_PATHS = 2 };

/* One copy that is not intact. */
typedef struct arc_fixity_problem {
    int64_t file_id;
    char *sha256;   /* what it should hash to */
    char *location; /* "store" or "path" */
    char *path;
    char *outcome; /* "missing", "changed", "unreadable" */
    char *found;   /* the SHA-256 found when changed, else NULL */
} arc_fixity_problem;

typedef struct arc_fixity_result {
    int64_t run_id;
    char *store_dir; /* NULL: no store */
    long files;      /* files of the workspace */
    long checked, ok, missing, changed, unreadable; /* copies checked, by outcome */
    long not_stored; /* files with no store copy recorded (not checked in the store) */
    long lost;       /* files none of whose checked copies is intact */
    arc_fixity_problem *problems;
    size_t nproblems;
} arc_fixity_result;

/*
 * Re-hash every copy `what` names (ARC_FIXITY_STORE: the store objects of
 * stored files; ARC_FIXITY_PATHS: every recorded path, file.abspath and
 * aliases) and record each check in fixity_event under a run of stage
 * 'fixity' whose counts hold the totals.  Problems are results, not errors:
 * read r.  Release *r with arc_fixity_release on success.
 */
int arc_fixity(sqlite3 *db, int what, const arc_progress *prog, arc_fixity_result *r,
               dg_err *err);
void arc_fixity_release(arc_fixity_result *r);
/* {"run":..,"store":..,"files":..,...,"problems":[...]} (no newline). */
int arc_fixity_json(const arc_fixity_result *r, dg_buf *out);

/* The last finished sweep as JSON ({"run","finished","counts",..}); DG_ENOTFOUND
 * when fixity was never checked. */
int arc_fixity_last_json(sqlite3 *db, dg_buf *out, dg_err *err);

/* ---- backup and restore ---------------------------------------------------------- */

typedef struct arc_backup_opts {
    int step_pages; /* pages copied per step of the online backup; <= 0: 256 */
    int pause_ms;   /* sleep between steps (a gentler backup of a busy workspace) */
} arc_backup_opts;

typedef struct arc_backup_summary {
    char db_sha256[65];
    int64_t db_bytes;
    long files;   /* scans in the backed-up database */
    long copied;  /* written to DEST/store by this backup */
    long kept;    /* already in DEST/store, re-hashed intact */
    long missing; /* no intact copy anywhere: listed in the manifest */
    int busy_retries;
} arc_backup_summary;

/*
 * Back the workspace db_path up into dest (created 0700): the database by
 * SQLite's online backup API inside one read transaction (one consistent
 * snapshot however much other processes write meanwhile), as
 * dest/archive-<sha256 prefix>.db; every scan of that snapshot into
 * dest/store (only those missing there are copied; each verified by hash);
 * then dest/manifest.json (written atomically, last: a backup killed mid-way
 * leaves the previous one valid).  Files 0600.
 */
int arc_backup(const char *db_path, const char *dest, const arc_backup_opts *o,
               const arc_progress *prog, arc_backup_summary *sum, dg_err *err);

typedef struct arc_restore_summary {
    char db_sha256[65];
    long files;  /* scans restored into the store */
    long copied; /* of which written (the others were there intact) */
    char store_dir[4096];
} arc_restore_summary;

/*
 * Restore the backup in src to the database db_path and the store
 * store_dir (NULL: "store" beside db_path), after checking the manifest:
 * the database and every scan must hash to what it says, else nothing is
 * written (DG_EINPUT).  An existing db_path is refused (DG_EUSAGE) unless
 * force.  The restored workspace uses the new store.
 */
int arc_restore(const char *src, const char *db_path, const char *store_dir, int force,
                const arc_progress *prog, arc_restore_summary *sum, dg_err *err);

#endif
