/*
 * eval_blocks.c - what keeps records out of the archive, against truth.
 *
 * A truth record is archived without review only when none of its fields
 * waits in review (or is invalid).  For each field key: how many records
 * it holds, how many it alone holds, and why, by what the truth says of the
 * field (arc_trust_block_cause): a right value under the threshold is a
 * matter of p's sharpness, a right value flagged by a check is the check's,
 * a wrong value whose right reading was a candidate is the choice's, and a
 * wrong value no reader read right is the readers'.  Reads the temporary
 * table ev_tf of eval_trust.c.
 */
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

const char *const arc_trust_block_cause_names[ARC_TB_COUNT] = {
    "right_low_p", "right_flagged", "wrong_right_candidate", "wrong_no_candidate", "invalid",
    "not_in_truth",
};

/* Every field in review or invalid of a truth record, with what the truth
 * says of it; ordered by record so a record's fields come together. */
static const char held_sql[] =
    "SELECT x.record_id, x.key, x.state, coalesce(x.flag, ''), t.field_id IS NOT NULL, "
    " t.has_value AND t.got = t.want, "
    " CASE WHEN json_valid(x.evidence) THEN EXISTS (SELECT 1 FROM "
    "  json_each(x.evidence, '$.candidates') c WHERE "
    ARC_SQL_NOWS("json_extract(c.value, '$.value')") " = t.want) ELSE 0 END "
    "FROM field x JOIN (SELECT DISTINCT record_id FROM ev_tf) e ON e.record_id = x.record_id "
    "LEFT JOIN ev_tf t ON t.field_id = x.id "
    "WHERE x.state IN ('review', 'invalid') ORDER BY x.record_id, x.key";

static int cause_of(const char *state, const char *flag, int in_truth, int right, int cand)
{
    if (!in_truth)
        return ARC_TB_NOT_IN_TRUTH;
    if (strcmp(state, "invalid") == 0)
        return ARC_TB_INVALID;
    if (right) /* held by p alone, or by a check (source, dates, normalizer) too */
        return strncmp(flag, "low_p", 5) == 0 && !strchr(flag, ';') ? ARC_TB_RIGHT_LOW_P
                                                                     : ARC_TB_RIGHT_FLAGGED;
    return cand ? ARC_TB_WRONG_RIGHT_CAND : ARC_TB_WRONG_NO_CAND;
}

static arc_trust_block *block_for(arc_eval_trust_result *r, const char *key)
{
    for (size_t i = 0; i < r->nblocks; i++)
        if (strcmp(r->blocks[i].key, key) == 0)
            return &r->blocks[i];
    arc_trust_block *b = arc_grow(r->blocks, r->nblocks, sizeof *b);
    if (!b)
        return NULL;
    r->blocks = b;
    memset(&b[r->nblocks], 0, sizeof *b);
    if (!(b[r->nblocks].key = dg_strdup(key)))
        return NULL;
    return &b[r->nblocks++];
}

/* The record's keys held so far: each counts the record once, and "alone"
 * when it is the only one. */
static int flush(arc_eval_trust_result *r, char **keys, size_t n)
{
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        distinct += i == 0 || strcmp(keys[i], keys[i - 1]) != 0;
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(keys[i], keys[i - 1]) == 0)
            continue;
        arc_trust_block *b = block_for(r, keys[i]);
        if (!b)
            return DG_ENOMEM;
        b->records++;
        b->alone += distinct == 1;
    }
    return DG_OK;
}

int arc_eval_trust_blocks(sqlite3 *db, arc_eval_trust_result *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, held_sql, &st, err))
        return DG_EDB;
    int rc = DG_OK;
    int64_t cur = -1;
    char **keys = NULL;
    size_t nkeys = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t rec = sqlite3_column_int64(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        const char *state = (const char *)sqlite3_column_text(st, 2);
        const char *flag = (const char *)sqlite3_column_text(st, 3);
        if (rec != cur) {
            rc = flush(r, keys, nkeys);
            for (size_t i = 0; i < nkeys; i++)
                free(keys[i]);
            nkeys = 0;
            cur = rec;
        }
        char **k = rc ? NULL : arc_grow(keys, nkeys, sizeof *k);
        arc_trust_block *b = k ? block_for(r, key ? key : "") : NULL;
        if (k)
            keys = k;
        if (!b || !(keys[nkeys] = dg_strdup(key ? key : ""))) {
            rc = DG_ENOMEM;
            break;
        }
        nkeys++;
        b->fields++;
        b->cause[cause_of(state ? state : "", flag ? flag : "", sqlite3_column_int(st, 4),
                          sqlite3_column_int(st, 5), sqlite3_column_int(st, 6))]++;
    }
    sqlite3_finalize(st);
    rc = rc ? rc : flush(r, keys, nkeys);
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i]);
    free(keys);
    return rc ? dg_err_set(err, rc, "out of memory counting what holds records") : DG_OK;
}

int arc_eval_trust_blocks_json(const arc_eval_trust_result *r, dg_buf *b)
{
    int rc = dg_buf_adds(b, "{");
    for (size_t i = 0; i < r->nblocks && !rc; i++) {
        const arc_trust_block *k = &r->blocks[i];
        rc = i ? dg_buf_addc(b, ',') : DG_OK;
        rc = rc ? rc : dg_buf_json_str(b, k->key);
        rc = rc ? rc
                : dg_buf_addf(b, ":{\"records\":%ld,\"alone\":%ld,\"fields\":%ld", k->records,
                              k->alone, k->fields);
        for (int c = 0; c < ARC_TB_COUNT && !rc; c++)
            rc = dg_buf_addf(b, ",\"%s\":%ld", arc_trust_block_cause_names[c], k->cause[c]);
        rc = rc ? rc : dg_buf_addc(b, '}');
    }
    return rc ? rc : dg_buf_addc(b, '}');
}
