/*
 * load_read.h - the records `dangan load` archives, read a batch at a time
 * (load_read.c): one query for the fields of a whole batch instead of
 * four statements a record.  Internal to archive/ (load.c).
 */
#ifndef DANGAN_LOAD_READ_H
#define DANGAN_LOAD_READ_H

#include <stdint.h>

#include "common.h"
#include "db.h"
#include "load_conf.h"

typedef struct sqlite3 sqlite3;

#define LD_MAX_FIELDS 64

typedef struct ld_field {
    int64_t id;
    char key[LD_KEY_MAX];
    char *value, *written, *state, *match_code, *match_name, *match_decision;
    int64_t match_rule;
} ld_field;

typedef struct ld_record {
    int64_t id, page_id;
    char *university;
    ld_field f[LD_MAX_FIELDS];
    int n;
} ld_record;

/*
 * The records among ids[0..n) (ascending) still to load (state normalized
 * or pending), with their fields in id order, the page and the page's
 * university, into r (n slots, zeroed: the caller's, reused batch after
 * batch; a fresh array a batch cost page faults).  Read through the
 * statements of sc inside the batch's transaction: a record another load
 * has taken since the list was made is left out.  *nout gets the number of
 * records, in id order; release them with ld_records_clear(r, *nout), which
 * leaves the slots zeroed.
 */
int ld_records_read(db_cache *sc, const int64_t *ids, long n, ld_record *r, long *nout,
                    dg_err *err);
void ld_records_clear(ld_record *r, long n);

/*
 * The bulk path (load_bulk.c): a transaction that adds more records than the
 * archive holds drops the secondary indexes of the tables it writes that no
 * statement of the load reads through, and builds them again before it
 * commits (SQLite's DDL is transactional: a crash rolls the drop back with
 * the rows).  ld_bulk_drop remembers what it dropped in *out;
 * ld_bulk_rebuild builds it again; free with ld_bulk_free (NULL-safe).
 */
typedef struct ld_bulk ld_bulk;
int ld_bulk_drop(sqlite3 *db, ld_bulk **out, dg_err *err);
int ld_bulk_rebuild(sqlite3 *db, const ld_bulk *b, dg_err *err);
void ld_bulk_free(ld_bulk **b);

#endif
