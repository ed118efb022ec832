/*
 * verify.c - `dangan audit verify`: the chain against itself (every hash
 * recomputed from the stored row, every prev_hash against the row before),
 * against an anchor kept elsewhere, the append-only triggers, and the
 * archive rows against the newest event that carries each of them.
 */
#include "verify_internal.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Enough to name what happened; a wholesale rewrite would otherwise print
 * the archive. */
#define VERIFY_MAX_FINDINGS 200

static int fail(sqlite3 *db, dg_err *err, const char *doing)
{
    return dg_err_set(err, DG_EDB, "%s: %s", doing, sqlite3_errmsg(db));
}

int audit_v_add(audit_report *r, const char *what, int64_t seq, const char *fmt, ...)
{
    if (r->n == VERIFY_MAX_FINDINGS)
        return DG_OK; /* counted as found; the report says there were more */
    audit_finding *v = realloc(r->v, (r->n + 1) * sizeof *v);
    if (!v)
        return DG_ENOMEM;
    r->v = v;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    audit_finding *f = &v[r->n];
    f->what = dg_strdup(what);
    f->detail = dg_strdup(line);
    f->seq = seq;
    if (!f->what || !f->detail) {
        free(f->what), free(f->detail);
        return DG_ENOMEM;
    }
    r->n++;
    return DG_OK;
}

void audit_report_release(audit_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].what), free(r->v[i].detail);
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* ---- the append-only triggers ----------------------------------------------------------- */

static const struct {
    const char *name, *table, *verb;
} triggers[] = {
    {"audit_event_no_update", "audit_event", "UPDATE"},
    {"audit_event_no_delete", "audit_event", "DELETE"},
    {"review_decision_no_update", "review_decision", "UPDATE"},
    {"review_decision_no_delete", "review_decision", "DELETE"},
    {"access_log_no_update", "access_log", "UPDATE"},
    {"access_log_no_delete", "access_log", "DELETE"},
    {"certificate_no_update", "certificate", "UPDATE"},
    {"certificate_no_delete", "certificate", "DELETE"},
    {"amendment_no_update", "amendment", "UPDATE"},
    {"amendment_no_delete", "amendment", "DELETE"},
    {"app_user_no_delete", "app_user", "DELETE"},
    {"audit_merged_no_update", "audit_merged", "UPDATE"},
    {"audit_merged_no_delete", "audit_merged", "DELETE"},
};

static int check_triggers(sqlite3 *db, audit_report *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                               "AND name = ?1", -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the schema");
    int rc = DG_OK;
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0] && !rc; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, triggers[i].name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = audit_v_add(r, "trigger", 0, "trigger %s is gone: %s can be changed without the "
                     "database refusing", triggers[i].name, triggers[i].table);
            continue;
        }
        const char *tbl = (const char *)sqlite3_column_text(st, 0);
        const char *sql = (const char *)sqlite3_column_text(st, 1);
        if (!tbl || strcmp(tbl, triggers[i].table) != 0 || !sql ||
            !strstr(sql, "RAISE(ABORT") || !strstr(sql, triggers[i].verb))
            rc = audit_v_add(r, "trigger", 0, "trigger %s was replaced: it no longer refuses %s on %s",
                     triggers[i].name, triggers[i].verb, triggers[i].table);
    }
    sqlite3_finalize(st);
    return rc == DG_ENOMEM ? dg_err_set(err, rc, "out of memory") : rc;
}

/* ---- the chain -------------------------------------------------------------------------- */

typedef struct ev_row {
    int64_t seq;
    const char *at, *who, *kind, *subject, *content, *prev, *hash;
} ev_row;

static void ev_read(sqlite3_stmt *st, ev_row *e)
{
    e->seq = sqlite3_column_int64(st, 0);
    const char **s[] = {&e->at, &e->who, &e->kind, &e->subject, &e->content, &e->prev, &e->hash};
    for (int i = 0; i < 7; i++) {
        const char *t = (const char *)sqlite3_column_text(st, i + 1);
        *s[i] = t ? t : "";
    }
}

/* The seq the row was appended as, when its hash proves one (0: none):
 * tells a moved event from an edited one. */
static int64_t appended_as(const ev_row *e, int64_t max_seq)
{
    char h[65];
    for (int64_t s = 1; s <= max_seq; s++)
        if (s != e->seq &&
            audit_event_hash(e->prev, s, e->at, e->who, e->kind, e->subject, e->content, h) ==
                DG_OK &&
            strcmp(h, e->hash) == 0)
            return s;
    return 0;
}

/* The first break, if any, as a finding; *broken gets its seq (0: whole). */
static int chain_check(const ev_row *e, int64_t expect, const char *prev, int64_t max_seq,
                       audit_report *r, int64_t *broken)
{
    char h[65];
    if (e->seq != expect) {
        *broken = expect;
        if (e->seq > expect)
            return audit_v_add(r, "chain", expect, "seq %lld is missing: the chain goes from seq %lld "
                       "to seq %lld (events deleted)", (long long)expect, (long long)expect - 1,
                       (long long)e->seq);
        return audit_v_add(r, "chain", expect, "seq %lld comes where seq %lld was expected",
                   (long long)e->seq, (long long)expect);
    }
    if (audit_event_hash(e->prev, e->seq, e->at, e->who, e->kind, e->subject, e->content, h))
        return DG_ENOMEM;
    int own = strcmp(h, e->hash) == 0, linked = strcmp(e->prev, prev) == 0;
    if (own && linked)
        return DG_OK;
    *broken = e->seq;
    int64_t was = appended_as(e, max_seq);
    if (was)
        return audit_v_add(r, "chain", e->seq, "seq %lld holds the event appended as seq %lld: events "
                   "were reordered (expected prev_hash %s, found %s)", (long long)e->seq,
                   (long long)was, prev, e->prev);
    if (!own)
        return audit_v_add(r, "chain", e->seq, "seq %lld (%s %s) was edited: its content hashes to %s, "
                   "the chain says %s", (long long)e->seq, e->kind, e->subject, h, e->hash);
    return audit_v_add(r, "chain", e->seq, "seq %lld does not follow seq %lld: expected prev_hash %s, "
               "found %s (seq %lld was edited and its hash rewritten, or events were removed)",
               (long long)e->seq, (long long)e->seq - 1, prev, e->prev,
               (long long)e->seq - 1);
}

static int walk_chain(sqlite3 *db, const audit_head *anchor, audit_report *r, dg_err *err)
{
    int64_t max_seq = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0), count(*) FROM audit_event", -1,
                           &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the audit chain");
    if (sqlite3_step(st) == SQLITE_ROW) {
        max_seq = sqlite3_column_int64(st, 0);
        r->events = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT seq, at, who, kind, subject, content, prev_hash, hash "
                               "FROM audit_event ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the audit chain");
    char prev[65] = AUDIT_GENESIS, at_anchor[65] = "";
    int64_t expect = 1, broken = 0;
    int rc = DG_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        ev_row e;
        ev_read(st, &e);
        if (anchor && e.seq == anchor->seq)
            snprintf(at_anchor, sizeof at_anchor, "%s", e.hash);
        if (broken)
            continue;
        rc = chain_check(&e, expect, prev, max_seq, r, &broken);
        snprintf(prev, sizeof prev, "%s", e.hash);
        expect++;
    }
    sqlite3_finalize(st);
    if (rc)
        return rc == DG_ENOMEM ? dg_err_set(err, rc, "out of memory") : rc;
    if (step != SQLITE_DONE)
        return fail(db, err, "cannot read the audit chain");
    if (!anchor)
        return DG_OK;
    r->anchored = 1;
    if (!*at_anchor)
        rc = audit_v_add(r, "anchor", anchor->seq, "the anchor names seq %lld but the chain %s: events "
                 "were deleted since the anchor was taken", (long long)anchor->seq,
                 max_seq ? "ends before it" : "is empty");
    else if (strcmp(at_anchor, anchor->hash) != 0)
        rc = audit_v_add(r, "anchor", anchor->seq, "seq %lld hashes to %s, the anchor says %s: the "
                 "history up to seq %lld was rewritten", (long long)anchor->seq, at_anchor,
                 anchor->hash, (long long)anchor->seq);
    else if (broken && broken <= anchor->seq)
        rc = audit_v_add(r, "anchor", anchor->seq, "the chain up to the anchor (seq %lld) is not whole: "
                 "it breaks at seq %lld", (long long)anchor->seq, (long long)broken);
    return rc == DG_ENOMEM ? dg_err_set(err, rc, "out of memory") : rc;
}

/* ---- archive rows against their events ------------------------------------------------ */

static int rows_index(sqlite3 *db, dg_err *err)
{
    static const char sql[] =
        "CREATE TEMP TABLE IF NOT EXISTS audit_v_rows (tbl TEXT NOT NULL, id INTEGER NOT NULL, "
        "  ord TEXT NOT NULL, seq INTEGER NOT NULL, row TEXT NOT NULL, PRIMARY KEY (tbl, id));"
        "DELETE FROM temp.audit_v_rows;"
        /* newest wins by ord (the event's place in the chain; merged
         * shards' events sit at their merge's place: merged.c); an event's
         * "removed" {TABLE:[id...]} (two study records found to be one
         * graduate, archive/relink.c) says a row is gone: row '' */
        "INSERT INTO temp.audit_v_rows (tbl, id, ord, seq, row) "
        "  SELECT tbl, id, printf('%012d.%d', seq, o), seq, row FROM ("
        "  SELECT t.key AS tbl, json_extract(t.value, '$.id') AS id, e.seq AS seq, "
        "    t.value AS row, 1 AS o "
        "  FROM main.audit_event e, json_each(e.content, '$.rows') t "
        "  WHERE json_valid(e.content) AND json_type(e.content, '$.rows') = 'object' "
        "    AND json_type(t.value) = 'object' AND json_type(t.value, '$.id') = 'integer' "
        "  UNION ALL SELECT t.key, g.value, e.seq, '', 0 "
        "  FROM main.audit_event e, json_each(e.content, '$.removed') t, json_each(t.value) g "
        "  WHERE e.kind = 'link' AND json_valid(e.content) "
        "    AND json_type(e.content, '$.removed') = 'object' AND t.type = 'array' "
        "    AND g.type = 'integer') WHERE true "
        "  ON CONFLICT (tbl, id) DO UPDATE SET ord = excluded.ord, seq = excluded.seq, "
        "    row = excluded.row WHERE excluded.ord > ord;";
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        dg_err_set(err, DG_EDB, "cannot index the audit chain's rows: %s", msg ? msg : "");
        sqlite3_free(msg);
        return DG_EDB;
    }
    return DG_OK;
}

/* Column i of st as a short JSON-ish text for a message. */
static void value_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: snprintf(out, n, "null"); break;
    case SQLITE_INTEGER: snprintf(out, n, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: snprintf(out, n, "%.17g", sqlite3_column_double(st, i)); break;
    default: snprintf(out, n, "\"%.200s\"", (const char *)sqlite3_column_text(st, i)); break;
    }
}

/* 1 when column i of row equals the recorded json_each atom of type. */
static int same_value(sqlite3_stmt *row, int i, sqlite3_stmt *rec)
{
    const char *type = (const char *)sqlite3_column_text(rec, 2);
    int ct = sqlite3_column_type(row, i);
    if (!type)
        return 0;
    if (strcmp(type, "null") == 0)
        return ct == SQLITE_NULL;
    if (strcmp(type, "integer") == 0)
        return ct == SQLITE_INTEGER &&
               sqlite3_column_int64(row, i) == sqlite3_column_int64(rec, 1);
    if (strcmp(type, "real") == 0)
        return ct == SQLITE_FLOAT && sqlite3_column_double(row, i) == sqlite3_column_double(rec, 1);
    if (strcmp(type, "text") == 0) {
        const char *a = (const char *)sqlite3_column_text(row, i);
        const char *b = (const char *)sqlite3_column_text(rec, 1);
        return ct == SQLITE_TEXT && a && b && strcmp(a, b) == 0;
    }
    return 0;
}

static int column_of(sqlite3_stmt *row, const char *name)
{
    for (int i = 2; i < sqlite3_column_count(row); i++)
        if (strcmp(sqlite3_column_name(row, i), name) == 0)
            return i;
    return -1;
}

/* Every recorded column of one row against its current value. */
static int row_compare(sqlite3 *db, const char *table, sqlite3_stmt *row, sqlite3_stmt *rec,
                       audit_report *r)
{
    int64_t seq = sqlite3_column_int64(row, 0);
    int64_t id = sqlite3_column_int64(row, column_of(row, "id"));
    sqlite3_reset(rec);
    sqlite3_bind_text(rec, 1, (const char *)sqlite3_column_text(row, 1), -1, SQLITE_TRANSIENT);
    int rc = DG_OK;
    while (!rc && sqlite3_step(rec) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(rec, 0);
        int i = key ? column_of(row, key) : -1;
        if (i < 0) {
            rc = audit_v_add(r, "row", seq, "%s %lld: column %s, recorded by seq %lld, is gone", table,
                     (long long)id, key ? key : "?", (long long)seq);
            continue;
        }
        if (same_value(row, i, rec))
            continue;
        char now[256];
        value_text(row, i, now, sizeof now);
        const char *was = (const char *)sqlite3_column_text(rec, 3);
        rc = audit_v_add(r, "row", seq, "%s %lld: %s is %s, but the last event about it (seq %lld) "
                 "says %.200s: no event explains the change", table, (long long)id, key, now,
                 (long long)seq, was ? was : "null");
    }
    (void)db;
    return rc;
}

static int rows_table(sqlite3 *db, const char *table, audit_report *r, dg_err *err)
{
    char sql[512];
    sqlite3_stmt *st = NULL, *rec = NULL;
    int rc = DG_OK;
    /* rows no event carries */
    snprintf(sql, sizeof sql, "SELECT id FROM main.%s WHERE id NOT IN (SELECT id FROM "
             "temp.audit_v_rows WHERE tbl = ?1 AND row <> '') ORDER BY id", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot compare the archive with the audit chain");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        rc = audit_v_add(r, "row", 0, "%s %lld: no event records it (written behind dangan's back)",
                 table, (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    /* rows events carry that are gone */
    snprintf(sql, sizeof sql, "SELECT id, seq FROM temp.audit_v_rows WHERE tbl = ?1 AND "
             "row <> '' AND id NOT IN (SELECT id FROM main.%s) ORDER BY id", table);
    if (!rc && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot compare the archive with the audit chain");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        rc = audit_v_add(r, "row", sqlite3_column_int64(st, 1), "%s %lld: deleted (the last event about "
                 "it is seq %lld)", table, (long long)sqlite3_column_int64(st, 0),
                 (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    if (rc)
        return rc;
    /* the rest, column by column */
    snprintf(sql, sizeof sql, "SELECT v.seq, v.row, t.* FROM (SELECT %s FROM main.%s) t "
             "JOIN temp.audit_v_rows v ON v.tbl = ?1 AND v.id = t.id AND v.row <> '' "
             "ORDER BY t.id", audit_row_columns(db, table), table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT key, atom, type, json_quote(value) FROM json_each(?1)",
                           -1, &rec, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return fail(db, err, "cannot compare the archive with the audit chain");
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        r->rows_checked++;
        rc = row_compare(db, table, st, rec, r);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(rec);
    return rc;
}

static int check_rows(sqlite3 *db, const audit_mshards *ms, audit_report *r, dg_err *err)
{
    int rc = rows_index(db, err);
    rc = rc ? rc : audit_mshards_rows(db, ms, err);
    for (size_t t = 0; t < audit_nrow_tables && !rc; t++)
        rc = rows_table(db, audit_row_tables[t], r, err);
    sqlite3_exec(db, "DROP TABLE IF EXISTS temp.audit_v_rows", NULL, NULL, NULL);
    return rc == DG_ENOMEM ? dg_err_set(err, rc, "out of memory") : rc;
}

/* ---- merged shards' own chains ---------------------------------------------------------- */

/*
 * Events a merge appended (shard/merge.c) carry the shard's original event
 * in content.merged: {shard, seq, at, subject, content, prev_hash, hash},
 * with who and kind as the event's own.  Each shard's events must rehash
 * to their original hashes and follow one another from seq 1 without gaps,
 * and each "merge" event's head must be the last of them: the shard's own
 * history stays verifiable in the archive.
 */
static int check_merged_events(sqlite3 *db, audit_report *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            "SELECT seq, who, kind, json_extract(content, '$.merged.shard'), "
            "json_extract(content, '$.merged.seq'), json_extract(content, '$.merged.at'), "
            "json_extract(content, '$.merged.subject'), json_extract(content, '$.merged.content'), "
            "json_extract(content, '$.merged.prev_hash'), json_extract(content, '$.merged.hash') "
            "FROM audit_event WHERE json_valid(content) AND "
            "json_type(content, '$.merged') = 'object' "
            "ORDER BY json_extract(content, '$.merged.shard'), seq",
            -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the merged events");
    int rc = DG_OK;
    char shard[80] = "", last[65] = AUDIT_GENESIS;
    int64_t expect = 1;
    int broken = 0; /* one finding a shard: the rest follows from it */
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *f[10];
        for (int i = 0; i < 10; i++)
            f[i] = (const char *)sqlite3_column_text(st, i);
        int64_t seq = sqlite3_column_int64(st, 0), oseq = sqlite3_column_int64(st, 4);
        if (!f[3] || strcmp(f[3], shard) != 0) {
            snprintf(shard, sizeof shard, "%s", f[3] ? f[3] : "");
            snprintf(last, sizeof last, "%s", AUDIT_GENESIS);
            expect = 1;
            broken = 0;
        }
        if (broken)
            continue;
        char h[65];
        int ok = f[1] && f[2] && f[5] && f[6] && f[7] && f[8] && f[9] &&
                 audit_event_hash(f[8], oseq, f[5], f[1], f[2], f[6], f[7], h) == DG_OK;
        if (!ok || strcmp(h, f[9]) != 0)
            rc = audit_v_add(r, "merged", seq, "seq %lld: shard %.12s's event %lld (%s) was edited: it "
                     "hashes to %s, the shard's chain said %s", (long long)seq, shard,
                     (long long)oseq, f[2] ? f[2] : "?", ok ? h : "?", f[9] ? f[9] : "?");
        else if (oseq != expect || strcmp(f[8], last) != 0)
            rc = audit_v_add(r, "merged", seq, "seq %lld: shard %.12s's event %lld does not follow its "
                     "event %lld (events of the shard missing or reordered)", (long long)seq,
                     shard, (long long)oseq, (long long)(expect - 1));
        else {
            snprintf(last, sizeof last, "%s", f[9]);
            expect++;
            continue;
        }
        broken = 1;
    }
    sqlite3_finalize(st);
    if (rc)
        return dg_err_set(err, rc, "out of memory");
    if (sqlite3_prepare_v2(
            db,
            "SELECT m.seq, json_extract(m.content, '$.shard'), json_extract(m.content, '$.head.seq'), "
            "(SELECT count(*) FROM audit_event e WHERE e.seq < m.seq "
            "   AND json_valid(e.content) AND json_type(e.content, '$.merged') = 'object' "
            "   AND json_extract(e.content, '$.merged.shard') = json_extract(m.content, '$.shard') "
            "   AND json_extract(e.content, '$.merged.seq') = json_extract(m.content, '$.head.seq') "
            "   AND json_extract(e.content, '$.merged.hash') = json_extract(m.content, '$.head.hash')), "
            "(SELECT max(json_extract(e.content, '$.merged.seq')) FROM audit_event e WHERE "
            "   json_valid(e.content) AND json_type(e.content, '$.merged') = 'object' "
            "   AND json_extract(e.content, '$.merged.shard') = json_extract(m.content, '$.shard')) "
            /* a merge event carried by a later merge (an archive of merged
             * shards merged again) speaks of the inner shards, whose events
             * now hash into the outer one's: checked through that */
            "FROM audit_event m WHERE m.kind = 'merge' AND json_valid(m.content) "
            "AND json_type(m.content, '$.merged') IS NULL "
            /* since 023 the shard's events are kept in audit_merged: merged.c */
            "AND json_type(m.content, '$.originals') IS NULL",
            -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the merge events");
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *sh = (const char *)sqlite3_column_text(st, 1);
        int64_t hseq = sqlite3_column_int64(st, 2), maxseq = sqlite3_column_int64(st, 4);
        if (sqlite3_column_int64(st, 3) != 1 || maxseq != hseq)
            rc = audit_v_add(r, "merged", sqlite3_column_int64(st, 0),
                     "seq %lld: the merge of shard %.12s names its head %lld, but the merged "
                     "events %s", (long long)sqlite3_column_int64(st, 0), sh ? sh : "?",
                     (long long)hseq,
                     maxseq > hseq ? "go beyond it" : "do not end there (events missing)");
    }
    sqlite3_finalize(st);
    return rc ? dg_err_set(err, rc, "out of memory") : DG_OK;
}

/* *present = 1 when table audit_event exists (dropping it is tampering, not
 * a reason verification cannot run). */
static int chain_present(sqlite3 *db, int *present, dg_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                               "'audit_event'", -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the schema");
    *present = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return DG_OK;
}

int audit_verify(sqlite3 *db, const audit_head *anchor, audit_report *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->head.hash, sizeof r->head.hash, "%s", AUDIT_GENESIS);
    int present = 0;
    if (chain_present(db, &present, err))
        return DG_EDB;
    if (!present)
        return audit_v_add(r, "chain", 0, "table audit_event is gone: the whole history was dropped")
                   ? dg_err_set(err, DG_ENOMEM, "out of memory")
                   : DG_OK;
    int rc = audit_head_read(db, &r->head, err);
    rc = rc ? rc : check_triggers(db, r, err);
    rc = rc ? rc : walk_chain(db, anchor, r, err);
    audit_mshards *ms = NULL;
    rc = rc ? rc : audit_mshards_read(db, &ms, r, err);
    rc = rc ? rc : check_rows(db, ms, r, err);
    rc = rc ? rc : check_merged_events(db, r, err);
    rc = rc ? rc : audit_mshards_chains(db, ms, r, err);
    audit_mshards_free(ms);
    if (rc)
        audit_report_release(r);
    return rc;
}

int audit_report_json(const audit_report *r, dg_buf *b)
{
    dg_buf_addf(b, "{\"intact\":%s,\"events\":%lld,\"head\":{\"seq\":%lld,\"hash\":\"%s\"},"
                "\"anchored\":%s,\"rows_checked\":%lld,\"findings\":[",
                r->n ? "false" : "true", (long long)r->events, (long long)r->head.seq,
                r->head.hash, r->anchored ? "true" : "false", (long long)r->rows_checked);
    for (size_t i = 0; i < r->n; i++) {
        dg_buf_addf(b, "%s{\"what\":", i ? "," : "");
        dg_buf_json_str(b, r->v[i].what);
        dg_buf_addf(b, ",\"seq\":%lld,\"detail\":", (long long)r->v[i].seq);
        dg_buf_json_str(b, r->v[i].detail);
        dg_buf_addc(b, '}');
    }
    return dg_buf_adds(b, "]}");
}
