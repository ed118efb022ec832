/*
 * relink.c - one graduate archived twice, because the two sources were
 * loaded in different workspaces (shards merged by `dangan merge`), made
 * one study record by load's own rule (arc.h: arc_relink).
 *
 * load links a record to an archived study when the person's simplified
 * name is the same and arc_same_graduate says yes for birth month and
 * student number; it never links to a study an operator said is someone
 * else (a rejected conflict) or one with a source on the same page.  Here
 * the same rule runs between archived study records: the later one (b)
 * joins the earlier (a), as the later-loaded record would have in one
 * workspace.  Where their archived values differ, 'conflict' review items
 * (record of b against study a) are raised as load raises them, and b
 * stays as it is until an operator decides: accepted, the next `dangan
 * load` links them; rejected, they stay two people.
 *
 * Linking moves b's sources to a as 'linked', fills a's missing values
 * from b (with their provenance), drops b's other provenance, points b's
 * review items at a, and deletes b and its person: one "link" event
 * carries a's rows and names b's under "removed", so `audit verify` knows
 * they went on purpose.  A study with amendments or certificates (both
 * immutable and pointing at it) is never folded in: counted as kept apart.
 */
#include "archive_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

/*
 * Pairs (b, a) of the same simplified name with a <= upto < b, and either
 * the same birth month or (one birth missing) possibly the same student
 * number: a superset of the rule, checked in C with arc_same_graduate.
 * The first parts probe person_sub1 (005: length, rest of the name,
 * birth), so they cost an index probe a new study, not a scan.
 */
#define PAIRS_BY_BIRTH(cond)                                                                  \
    "SELECT b.id, a.id, pb.birth, b.student_no, pa.birth, a.student_no FROM study_record b "    \
    "JOIN person pb ON pb.id = b.person_id "                                                    \
    "JOIN person pa ON length(pa.name_simplified) = length(pb.name_simplified) "               \
    "  AND substr(pa.name_simplified, 2) = substr(pb.name_simplified, 2) AND " cond            \
    "  AND pa.name_simplified = pb.name_simplified "                                            \
    "JOIN study_record a ON a.person_id = pa.id AND a.id <= ?1 "                                \
    "WHERE b.id > ?1 AND b.id <= ?2 "
/* the same birth, and a birth missing on the earlier side, as two probes
 * of the whole index key: an OR would probe by name alone and read every
 * namesake's row (some 2,000 people are called 王伟 in 10^7) */
static const char pairs_sql[] =
    PAIRS_BY_BIRTH("pa.birth = pb.birth") "UNION ALL " PAIRS_BY_BIRTH("pa.birth IS NULL")
    "UNION ALL "
    "SELECT b.id, a.id, pb.birth, b.student_no, pa.birth, a.student_no FROM study_record b "
    "JOIN person pb ON pb.id = b.person_id AND pb.birth IS NULL "
    "JOIN person pa ON pa.name_simplified = pb.name_simplified "
    "JOIN study_record a ON a.person_id = pa.id AND a.id <= ?1 "
    "WHERE b.id > ?1 AND b.id <= ?2 "
    "ORDER BY 1, 2";

/* The pairs an operator has since decided on: conflict items a relink
 * raised (the record is already a source of another study). */
static const char decided_sql[] =
    "SELECT DISTINCT s.study_id, i.study_id FROM review_item i "
    "JOIN study_source s ON s.record_id = i.record_id AND s.study_id <> i.study_id "
    "WHERE i.kind = 'conflict' AND i.state <> 'open' "
    "  AND EXISTS (SELECT 1 FROM study_record WHERE id = i.study_id) ORDER BY 1, 2";

typedef struct rl_ctx {
    sqlite3 *db;
    arc_relink_summary *sum;
} rl_ctx;

/* sql prepared with ?1 = x, and ?2 = y only when the statement has it */
static int prepare2(sqlite3 *db, const char *sql, int64_t x, int64_t y, sqlite3_stmt **st,
                    dg_err *err)
{
    if (db_prepare(db, sql, st, err))
        return DG_EDB;
    sqlite3_bind_int64(*st, 1, x);
    if (sqlite3_bind_parameter_count(*st) > 1)
        sqlite3_bind_int64(*st, 2, y);
    return DG_OK;
}

static int exists(sqlite3 *db, const char *sql, int64_t x, int64_t y, int *yes, dg_err *err)
{
    sqlite3_stmt *st;
    if (prepare2(db, sql, x, y, &st, err))
        return DG_EDB;
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "relinking");
}

/* load's exclusions: an operator said the two are different people, or
 * the two have sources on one page (two rows of one ledger). */
static int excluded(rl_ctx *c, int64_t b, int64_t a, int *no, dg_err *err)
{
    int rc = exists(c->db,
                    "SELECT 1 FROM review_item i JOIN study_source s ON s.record_id = i.record_id "
                    "WHERE s.study_id = ?1 AND i.study_id = ?2 AND i.kind = 'conflict' "
                    "AND i.state = 'rejected'", b, a, no, err);
    if (!rc && !*no)
        rc = exists(c->db,
                    "SELECT 1 FROM study_source x JOIN record rx ON rx.id = x.record_id "
                    "JOIN study_source y ON y.study_id = ?2 JOIN record ry ON ry.id = y.record_id "
                    "WHERE x.study_id = ?1 AND rx.page_id = ry.page_id", b, a, no, err);
    return rc;
}

/* Amendments and certificates point at a study and are never changed. */
static int pinned(rl_ctx *c, int64_t b, int *yes, dg_err *err)
{
    return exists(c->db, "SELECT 1 FROM amendment WHERE study_id = ?1 UNION ALL "
                         "SELECT 1 FROM certificate WHERE study_id = ?1", b, 0, yes, err);
}

/* Conflicts: each archived key of b that a also has, with another value
 * (the major: another 2022 code), is a 'conflict' item on b's field
 * against a, as load raises one.  *open counts those not accepted. */
static const char differ_sql[] =
    "SELECT pb.key, pb.field_id, f.record_id, r.page_id, "
    "  CASE WHEN pb.key = 'major' THEN sb.code_2022 ELSE pb.value END, "
    "  CASE WHEN pb.key = 'major' THEN sa.code_2022 ELSE pa.value END "
    "FROM provenance pb JOIN provenance pa ON pa.study_id = ?2 AND pa.key = pb.key "
    "JOIN study_record sa ON sa.id = ?2 JOIN study_record sb ON sb.id = ?1 "
    "JOIN field f ON f.id = pb.field_id JOIN record r ON r.id = f.record_id "
    "WHERE pb.study_id = ?1 AND pb.key <> 'name' "
    "  AND (CASE WHEN pb.key = 'major' THEN sb.code_2022 ELSE pb.value END) IS NOT "
    "      (CASE WHEN pb.key = 'major' THEN sa.code_2022 ELSE pa.value END) ORDER BY pb.key";

static int conflicts(rl_ctx *c, int64_t b, int64_t a, int *open, dg_err *err)
{
    sqlite3_stmt *st, *ins = NULL, *state = NULL;
    *open = 0;
    if (db_prepare(c->db, differ_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, b);
    sqlite3_bind_int64(st, 2, a);
    int rc = DG_OK;
    char now[32];
    dg_now_iso(now);
    if (db_prepare(c->db, "INSERT INTO review_item (kind, field_id, record_id, page_id, study_id, "
                          "reason, detail, created) VALUES ('conflict', ?1, ?2, ?3, ?4, "
                          "'conflict', ?5, ?6) ON CONFLICT DO NOTHING", &ins, err) ||
        db_prepare(c->db, "SELECT state FROM review_item WHERE kind = 'conflict' AND "
                          "field_id = ?1 AND record_id = ?2", &state, err))
        rc = DG_EDB;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        char detail[512];
        snprintf(detail, sizeof detail,
                 "%s '%s' on record %lld (study record %lld), but study record %lld has '%s'",
                 COL(st, 0), COL(st, 4) ? COL(st, 4) : "", (long long)sqlite3_column_int64(st, 2),
                 (long long)b, (long long)a, COL(st, 5) ? COL(st, 5) : "");
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, sqlite3_column_int64(st, 1));
        sqlite3_bind_int64(ins, 2, sqlite3_column_int64(st, 2));
        sqlite3_bind_int64(ins, 3, sqlite3_column_int64(st, 3));
        sqlite3_bind_int64(ins, 4, a);
        sqlite3_bind_text(ins, 5, detail, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, now, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = db_fail(c->db, err, "cannot raise a conflict");
            break;
        }
        c->sum->conflicts += sqlite3_changes(c->db) > 0;
        sqlite3_reset(state);
        sqlite3_bind_int64(state, 1, sqlite3_column_int64(st, 1));
        sqlite3_bind_int64(state, 2, sqlite3_column_int64(st, 2));
        if (sqlite3_step(state) == SQLITE_ROW && strcmp(COL(state, 0), "accepted") != 0)
            (*open)++;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    sqlite3_finalize(state);
    return rc;
}

static int exec2(sqlite3 *db, const char *sql, int64_t x, int64_t y, dg_err *err)
{
    sqlite3_stmt *st;
    if (prepare2(db, sql, x, y, &st, err))
        return DG_EDB;
    return arc_step_done(db, st, "cannot link two study records", err);
}

/* Values a lacks, from b (the columns from the table of field keys). */
static int gaps_fill(rl_ctx *c, int64_t b, int64_t a, dg_err *err)
{
    for (size_t i = 0; i < dg_nfield_keys; i++) {
        const dg_field_key *k = &dg_field_keys[i];
        if (k->source != DG_FK_FIELD || !k->column)
            continue;
        char sql[512];
        if (k->home == DG_FK_PERSON)
            snprintf(sql, sizeof sql,
                     "UPDATE person SET %s = (SELECT value FROM provenance WHERE study_id = ?1 "
                     "AND key = '%s') WHERE %s IS NULL AND id = (SELECT person_id FROM "
                     "study_record WHERE id = ?2) AND NOT EXISTS (SELECT 1 FROM provenance "
                     "WHERE study_id = ?2 AND key = '%s')",
                     k->column, k->key, k->column, k->key);
        else
            snprintf(sql, sizeof sql,
                     "UPDATE study_record SET %s = (SELECT value FROM provenance WHERE "
                     "study_id = ?1 AND key = '%s') WHERE %s IS NULL AND id = ?2 AND NOT EXISTS "
                     "(SELECT 1 FROM provenance WHERE study_id = ?2 AND key = '%s')",
                     k->column, k->key, k->column, k->key);
        if (exec2(c->db, sql, b, a, err))
            return DG_EDB;
    }
    /* the filled values' provenance moves with them; b's others go (its
     * fields stay reachable through its sources, now a's) */
    return exec2(c->db, "UPDATE provenance SET study_id = ?2 WHERE study_id = ?1 AND key NOT IN "
                        "(SELECT key FROM provenance WHERE study_id = ?2)", b, a, err) ||
                   exec2(c->db, "DELETE FROM provenance WHERE study_id = ?1", b, a, err)
               ? DG_EDB
               : DG_OK;
}

/* Who linked them: the rule, or the operators who accepted the conflicts
 * (load's wording). */
static void linked_by(rl_ctx *c, int64_t b, int64_t a, char *out, size_t n)
{
    snprintf(out, n, "rule: same name, birth and student number");
    sqlite3_stmt *st;
    if (db_prepare(c->db, "SELECT group_concat(DISTINCT d.operator) FROM review_decision d "
                          "JOIN review_item i ON i.id = d.item_id JOIN study_source s ON "
                          "s.record_id = i.record_id WHERE s.study_id = ?1 AND i.study_id = ?2 "
                          "AND i.kind = 'conflict' AND i.state = 'accepted' "
                          "AND d.verb IN ('accept', 'pick')", &st, NULL))
        return;
    sqlite3_bind_int64(st, 1, b);
    sqlite3_bind_int64(st, 2, a);
    if (sqlite3_step(st) == SQLITE_ROW && COL(st, 0))
        snprintf(out, n, "operator: %s", COL(st, 0));
    sqlite3_finalize(st);
}

static int fold(rl_ctx *c, int64_t b, int64_t a, dg_err *err)
{
    int64_t pb = 0, pa = 0, others = 0;
    char sql[160], by[256];
    snprintf(sql, sizeof sql, "SELECT person_id FROM study_record WHERE id = %lld", (long long)b);
    int rc = db_query_int(c->db, sql, &pb, err);
    snprintf(sql, sizeof sql, "SELECT person_id FROM study_record WHERE id = %lld", (long long)a);
    rc = rc ? rc : db_query_int(c->db, sql, &pa, err);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM study_record WHERE person_id = %lld AND "
             "id <> %lld", (long long)pb, (long long)b);
    rc = rc ? rc : db_query_int(c->db, sql, &others, err);
    if (rc)
        return rc;
    linked_by(c, b, a, by, sizeof by);
    sqlite3_stmt *st;
    if (db_prepare(c->db, "UPDATE study_source SET study_id = ?2, role = 'linked', linked_by = ?3 "
                          "WHERE study_id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, b);
    sqlite3_bind_int64(st, 2, a);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_TRANSIENT);
    if (arc_step_done(c->db, st, "cannot move the sources", err) || gaps_fill(c, b, a, err) ||
        exec2(c->db, "UPDATE review_item SET study_id = ?2 WHERE study_id = ?1", b, a, err) ||
        exec2(c->db, "DELETE FROM study_record WHERE id = ?1", b, 0, err) ||
        (!others && pb != pa && exec2(c->db, "DELETE FROM person WHERE id = ?1", pb, 0,
                                      err)))
        return DG_EDB;
    char extra[200];
    if (!others && pb != pa)
        snprintf(extra, sizeof extra, "{\"from_study\":%lld,\"removed\":{\"study_record\":[%lld],"
                 "\"person\":[%lld]}}", (long long)b, (long long)b, (long long)pb);
    else
        snprintf(extra, sizeof extra, "{\"from_study\":%lld,\"removed\":{\"study_record\":"
                 "[%lld]}}", (long long)b, (long long)b);
    static const char *const tables[] = {"study_record", "person"};
    int64_t ids[2] = {a, pa};
    rc = audit_append_rows(c->db, NULL, "link", tables, ids, 2, extra, err);
    if (!rc)
        c->sum->linked++;
    return rc;
}

/* b joins a, or waits for conflicts, or stays apart; *tried = 0 when a is
 * excluded for b (the next candidate is tried, as load's query skips it). */
static int pair(rl_ctx *c, int64_t b, int64_t a, int *tried, dg_err *err)
{
    int no = 0, pin = 0, open = 0;
    int rc = excluded(c, b, a, &no, err);
    *tried = !no;
    if (rc || no)
        return rc;
    c->sum->pairs++;
    rc = pinned(c, b, &pin, err);
    if (!rc && pin) {
        c->sum->kept_apart++;
        return DG_OK;
    }
    rc = rc ? rc : conflicts(c, b, a, &open, err);
    if (!rc && open) {
        c->sum->waiting++;
        return DG_OK;
    }
    return rc ? rc : fold(c, b, a, err);
}

typedef struct cand {
    int64_t b, a;
    int by_sno;
} cand;

/* load's order: a link by student number first, then the oldest study */
static int cand_order(const void *x, const void *y)
{
    const cand *p = x, *q = y;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    if (p->by_sno != q->by_sno)
        return q->by_sno - p->by_sno;
    return p->a < q->a ? -1 : p->a > q->a;
}

static int candidates(rl_ctx *c, int64_t upto, int64_t last, cand **out, size_t *n, dg_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    if (db_prepare(c->db, upto ? pairs_sql : decided_sql, &st, err))
        return DG_EDB;
    if (upto) {
        sqlite3_bind_int64(st, 1, upto);
        sqlite3_bind_int64(st, 2, last);
    }
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t b = sqlite3_column_int64(st, 0), a = sqlite3_column_int64(st, 1);
        int by_sno = 0;
        if (upto) {
            const char *bb = COL(st, 2), *bs = COL(st, 3), *ab = COL(st, 4), *as = COL(st, 5);
            if (!arc_same_graduate(bb, bs, ab, as))
                continue;
            by_sno = bs && as && *bs && strcmp(bs, as) == 0;
        }
        cand *g = arc_grow(*out, *n, sizeof *g);
        if (!g) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory relinking");
            break;
        }
        *out = g;
        g[(*n)++] = (cand){b, a, by_sno};
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(c->db, err, "cannot find study records to link");
    sqlite3_finalize(st);
    if (!rc && *n > 1)
        qsort(*out, *n, sizeof **out, cand_order);
    return rc;
}

int arc_relink(sqlite3 *db, int64_t upto, arc_relink_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    rl_ctx c = {db, sum};
    int own = sqlite3_get_autocommit(db);
    if (own && db_begin(db, err))
        return DG_EDB;
    int64_t last = 0;
    int rc = db_query_int(db, "SELECT coalesce(max(id), 0) FROM study_record", &last, err);
    cand *v = NULL;
    size_t n = 0;
    rc = rc ? rc : candidates(&c, upto, last, &v, &n, err);
    int64_t settled = 0; /* the b whose first usable candidate was taken */
    for (size_t i = 0; !rc && i < n; i++) {
        int live = 0, tried = 0;
        if (v[i].b == settled)
            continue;
        /* an earlier fold in this pass may have taken b or a */
        rc = exists(db, "SELECT 1 FROM study_record x JOIN study_record y ON y.id = ?2 "
                        "WHERE x.id = ?1", v[i].b, v[i].a, &live, err);
        if (!rc && live)
            rc = pair(&c, v[i].b, v[i].a, &tried, err);
        if (tried)
            settled = v[i].b;
    }
    free(v);
    if (own)
        rc = rc ? rc : db_commit(db, err);
    if (own && rc)
        db_rollback(db);
    return rc;
}
