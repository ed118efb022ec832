/*
 * shard.h - one workspace's work split over N processes or machines, and
 * the shard databases merged back into one archive (issue #24).
 *
 * A plan (shard_plan_make) lists every scan under the given paths with its
 * SHA-256 and the shard it belongs to: shard = (first 64 bits of the
 * SHA-256) mod N, plus one.  The same bytes always land in the same shard,
 * whatever their name or folder, so aliases stay together and a file's
 * shard never depends on what else is in the batch.  Each shard runs the
 * ordinary pipeline into its own database (`dangan run --shard K/N`).
 *
 * The merge (shard_merge) copies one shard database into an archive in one
 * transaction: every table's ids are offset past the archive's largest
 * (archive id = shard id + offset[table]), every foreign key with them;
 * the shard's audit events are kept as they were hashed (audit_merged,
 * migration 023: the shard's own chain can still be recomputed); then a
 * "merge" event in the archive's chain carries the shard's identity, head
 * and the offsets.  Then, in the same
 * transaction, each of the shard's study records that load's rule says is
 * a graduate archived before (a card here, a ledger row in an earlier
 * shard) is linked to it, or waits for conflict review (arc_relink).
 * Merging the same shard again adds nothing.
 *
 * Knows SQLite, schema/ and audit/; no printing, no exit.
 */
#ifndef DANGAN_SHARD_H
#define DANGAN_SHARD_H

#include <stdint.h>

#include "common.h"

typedef struct sqlite3 sqlite3;

/* Largest N a plan may split into. */
#define SHARD_MAX 100000

/* The shard (1..n) of a file by its SHA-256 (64 hex digits). */
int shard_of(const char *sha256, int n);

/*
 * Walk paths (files or directories; inside a directory the files ingest
 * would take: scan extensions or image bytes, dot-files skipped, sorted by
 * name) and append the plan to out as TSV:
 *   # dangan shard plan v1 shards=N
 *   SHARD<TAB>SHA256<TAB>PATH
 * one line a file, in walk order.  A file that cannot be read gets the
 * SHA-256 of its path's bytes prefixed "path:" in no column but the shard
 * number (it is quarantined by the shard that ingests it).  *files gets
 * the number of lines.  DG_EINPUT naming the path for a path that cannot
 * be read or holds a tab or newline (it could not be one TSV field).
 */
int shard_plan_make(const char *const *paths, int npaths, int nshards, dg_buf *out, long *files,
                    dg_err *err);

/*
 * The paths of shard k of an n-shard plan read from plan_path, in the
 * plan's order.  *paths (caller frees with shard_paths_free) may be empty
 * (*npaths 0).  DG_EINPUT naming the file and line for a plan that is not
 * one, or was made for another n.
 */
int shard_plan_paths(const char *plan_path, int k, int n, char ***paths, int *npaths,
                     dg_err *err);
void shard_paths_free(char **paths, int npaths);

enum { SHARD_MERGED_BEFORE = 1, SHARD_EMPTY = 2 };

typedef struct shard_merge_summary {
    int skipped;      /* SHARD_MERGED_BEFORE or SHARD_EMPTY: nothing added */
    char ident[65];   /* the shard's identity: hash of its first audit event */
    int64_t head_seq; /* the shard's chain head when merged */
    long tables;      /* tables copied */
    long rows;        /* rows copied, all tables */
    long files, records, studies, events;
    /* the same graduate in this shard and one merged before (arc_relink):
     * linked, waiting for conflict decisions, kept apart */
    long linked, waiting, kept_apart, conflicts;
} shard_merge_summary;

/*
 * Merge the shard database at shard_path into db (an open workspace, the
 * archive), in one transaction.  Refused (DG_EINPUT, the reason in err, the
 * archive untouched) when the shard is of another schema version, was
 * made with other catalog editions or crosswalks or other name tables,
 * has a run still marked running, holds a file the archive already has
 * from elsewhere, or was merged before and has changed since.  A shard
 * merged before and unchanged is skipped (s->skipped SHARD_MERGED_BEFORE), so
 * is a shard the plan gave no file (SHARD_EMPTY: no rows, no history).
 */
int shard_merge(sqlite3 *db, const char *shard_path, shard_merge_summary *s, dg_err *err);

#endif
