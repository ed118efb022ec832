/*
 * verify_internal.h - what verify.c and merged.c share (not public): a
 * finding added to the report, and the merged shards' part of verification.
 */
#ifndef DANGAN_AUDIT_VERIFY_INTERNAL_H
#define DANGAN_AUDIT_VERIFY_INTERNAL_H

#include "audit.h"

/* A finding (at most VERIFY_MAX_FINDINGS are kept); DG_ENOMEM. */
int audit_v_add(audit_report *r, const char *what, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The shards whose events audit_merged keeps (migration 023), read from the
 * merge events that brought them (in the archive's chain, or kept in
 * audit_merged for an archive of merged archives) with their offsets
 * composed.  Free with audit_mshards_free (NULL-safe). */
typedef struct audit_mshards audit_mshards;
int audit_mshards_read(sqlite3 *db, audit_mshards **out, audit_report *r, dg_err *err);
void audit_mshards_free(audit_mshards *m);

/* The rows the kept events carry, in archive ids, into temp.audit_v_rows
 * (tbl, id, ord, seq, row: newest by ord wins; verify.c creates it). */
int audit_mshards_rows(sqlite3 *db, const audit_mshards *m, dg_err *err);

/* Each shard's kept events rehash and follow one another from seq 1, and
 * end at the head its merge event names. */
int audit_mshards_chains(sqlite3 *db, audit_mshards *m, audit_report *r, dg_err *err);

#endif
