/*
 * merged.c - merged shards' own events (audit_merged, migration 023) in
 * `audit verify`, and the ids kept in JSON text that the merge and verify
 * remap alike.
 *
 * `dangan merge` keeps a shard's events as the shard hashed them (its ids,
 * its chain) and appends one "merge" event to the archive's chain with the
 * shard's head and the id offsets (archive id = shard id + offset of the
 * table).  Verification therefore: (1) rehashes each shard's kept events
 * and follows them from seq 1 to the head its merge event names (a kept
 * event edited, or a shard's chain rewritten whole, no longer ends at the
 * head the archive's chain vouches for); (2) puts the rows those events
 * carry, remapped by the offsets (ids, REFERENCES columns, ids in JSON
 * text, a link's "removed"), among the rows the archive is compared with,
 * newest first by where the merge sits in the archive's chain.  A merged
 * archive merged again brings its kept events along: the inner shards'
 * merge events are then among its own kept events, and their offsets
 * compose with the outer merge's.
 */
#include "verify_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ids kept in JSON text ------------------------------------------------------------ */

static const struct {
    const char *table, *col, *ids_of;
} json_ids[] = {
    {"field", "words", "ocr_word"},
    {"access_log", "shown", "study_record"},
};

const char *audit_json_ids_of(const char *table, const char *col)
{
    for (size_t i = 0; i < sizeof json_ids / sizeof *json_ids; i++)
        if (strcmp(json_ids[i].table, table) == 0 && strcmp(json_ids[i].col, col) == 0)
            return json_ids[i].ids_of;
    return NULL;
}

int audit_json_ids_sql(dg_buf *b, const char *src, long long off)
{
    /* '' || : the column is text holding JSON; without it json_replace
     * would put an array where the row has a string */
    return dg_buf_addf(b,
                       "('' || CASE WHEN %s = '[]' THEN %s "
                       "WHEN json_valid(%s) AND json_type(%s) = 'array' THEN "
                       "(SELECT json_group_array(CASE WHEN j.type = 'integer' THEN "
                       "j.value + %lld ELSE j.value END) FROM json_each(%s) j) "
                       "ELSE %s END)",
                       src, src, src, src, off, src, src);
}

/* ---- the shards kept ------------------------------------------------------------------ */

/* Deeper than this, a chain of "merged into" is a forged loop. */
#define MAX_NESTING 32

typedef struct mshard {
    char ident[80];
    char container[80]; /* "" : the merge event is in the archive's chain */
    int64_t pos;        /* its merge event's seq in that chain */
    int64_t head_seq;
    char head_hash[80];
    char **tbl;
    int64_t *off; /* composed: to the archive's ids */
    size_t n;
    int64_t top;  /* the archive seq of the outermost merge event */
    char *prefix; /* ord of its events: "%012d" per nesting level */
    int seen;     /* kept events found */
} mshard;

struct audit_mshards {
    mshard *v;
    size_t n;
};

void audit_mshards_free(audit_mshards *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        for (size_t k = 0; k < m->v[i].n; k++)
            free(m->v[i].tbl[k]);
        free(m->v[i].tbl);
        free(m->v[i].off);
        free(m->v[i].prefix);
    }
    free(m->v);
    free(m);
}

static int fail(sqlite3 *db, dg_err *err, const char *doing)
{
    return dg_err_set(err, DG_EDB, "%s: %s", doing, sqlite3_errmsg(db));
}

static int oom(dg_err *err)
{
    return dg_err_set(err, DG_ENOMEM, "out of memory verifying merged shards");
}

static mshard *find(const audit_mshards *m, const char *ident)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].ident, ident) == 0)
            return &m->v[i];
    return NULL;
}

static int64_t offset(const mshard *s, const char *table)
{
    for (size_t k = 0; k < s->n; k++)
        if (strcmp(s->tbl[k], table) == 0)
            return s->off[k];
    return 0;
}

static int add_offset(mshard *s, const char *table, int64_t off)
{
    for (size_t k = 0; k < s->n; k++)
        if (strcmp(s->tbl[k], table) == 0) {
            s->off[k] += off;
            return DG_OK;
        }
    char **t = realloc(s->tbl, (s->n + 1) * sizeof *t);
    if (!t)
        return DG_ENOMEM;
    s->tbl = t;
    int64_t *o = realloc(s->off, (s->n + 1) * sizeof *o);
    if (!o)
        return DG_ENOMEM;
    s->off = o;
    if (!(s->tbl[s->n] = dg_strdup(table)))
        return DG_ENOMEM;
    s->off[s->n++] = off;
    return DG_OK;
}

static int table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND "
                           "name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

/* The merge events that kept their shard's events in audit_merged. */
static int read_merges(sqlite3 *db, audit_mshards *m, audit_report *r, dg_err *err)
{
    sqlite3_stmt *st, *offs;
    if (sqlite3_prepare_v2(
            db,
            "SELECT '', seq, json_extract(content, '$.shard'), json_extract(content, "
            "'$.head.seq'), json_extract(content, '$.head.hash'), content FROM main.audit_event "
            "WHERE kind = 'merge' AND json_valid(content) AND "
            "json_extract(content, '$.originals') = 'audit_merged' "
            "UNION ALL SELECT shard, seq, json_extract(content, '$.shard'), json_extract(content, "
            "'$.head.seq'), json_extract(content, '$.head.hash'), content FROM main.audit_merged "
            "WHERE kind = 'merge' AND json_valid(content) AND "
            "json_extract(content, '$.originals') = 'audit_merged'",
            -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the merge events");
    if (sqlite3_prepare_v2(db,
                           "SELECT key, value FROM json_each(?1, '$.offsets') WHERE "
                           "type = 'integer'",
                           -1, &offs, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return fail(db, err, "cannot read the merge events");
    }
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *ident = (const char *)sqlite3_column_text(st, 2);
        const char *hash = (const char *)sqlite3_column_text(st, 4);
        int64_t pos = sqlite3_column_int64(st, 1);
        if (!ident || !hash || find(m, ident)) {
            rc = audit_v_add(r, "merged", pos, "the merge event at seq %lld %s", (long long)pos,
                             !ident || !hash ? "names no shard or head"
                                             : "names a shard merged before: merged twice");
            continue;
        }
        mshard *v = realloc(m->v, (m->n + 1) * sizeof *v);
        if (!v)
            return sqlite3_finalize(st), sqlite3_finalize(offs), oom(err);
        m->v = v;
        mshard *s = &m->v[m->n++];
        memset(s, 0, sizeof *s);
        snprintf(s->ident, sizeof s->ident, "%s", ident);
        snprintf(s->container, sizeof s->container, "%s", (const char *)sqlite3_column_text(st, 0));
        s->pos = pos;
        s->head_seq = sqlite3_column_int64(st, 3);
        snprintf(s->head_hash, sizeof s->head_hash, "%s", hash);
        sqlite3_reset(offs);
        sqlite3_bind_text(offs, 1, (const char *)sqlite3_column_text(st, 5), -1, SQLITE_TRANSIENT);
        while (!rc && sqlite3_step(offs) == SQLITE_ROW)
            if (add_offset(s, (const char *)sqlite3_column_text(offs, 0),
                           sqlite3_column_int64(offs, 1)))
                rc = DG_ENOMEM;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(offs);
    return rc == DG_ENOMEM ? oom(err) : rc;
}

/* Offsets, place in the archive's order and top merge, from the container
 * outwards; a shard whose container is missing (or a loop) is a finding. */
static int compose(audit_mshards *m, mshard *s, int depth, audit_report *r)
{
    if (s->prefix || depth > MAX_NESTING)
        return DG_OK;
    char own[32];
    snprintf(own, sizeof own, "%012lld", (long long)s->pos);
    if (!s->container[0]) {
        s->top = s->pos;
        return (s->prefix = dg_strdup(own)) ? DG_OK : DG_ENOMEM;
    }
    mshard *c = find(m, s->container);
    if (!c || c == s)
        return audit_v_add(r, "merged", 0,
                           "the merge of shard %.12s is kept among the events "
                           "of shard %.12s, which no merge event brought",
                           s->ident, s->container);
    int rc = compose(m, c, depth + 1, r);
    if (rc || !c->prefix)
        return rc;
    for (size_t k = 0; k < c->n && !rc; k++)
        rc = add_offset(s, c->tbl[k], c->off[k]);
    s->top = c->top;
    size_t len = strlen(c->prefix) + strlen(own) + 2;
    if (!rc && !(s->prefix = malloc(len)))
        rc = DG_ENOMEM;
    if (!rc)
        snprintf(s->prefix, len, "%s.%s", c->prefix, own);
    return rc;
}

int audit_mshards_read(sqlite3 *db, audit_mshards **out, audit_report *r, dg_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return oom(err);
    if (!table_exists(db, "audit_merged"))
        return DG_OK;
    int rc = read_merges(db, *out, r, err);
    for (size_t i = 0; !rc && i < (*out)->n; i++)
        if (compose(*out, &(*out)->v[i], 0, r))
            rc = oom(err);
    return rc;
}

/* ---- their chains --------------------------------------------------------------------- */

/* The end of one shard's kept events against its merge event. */
static int shard_end(const audit_mshards *m, const char *ident, int64_t last_seq,
                     const char *last_hash, audit_report *r)
{
    mshard *s = find(m, ident);
    if (!s)
        return audit_v_add(r, "merged", 0,
                           "audit_merged holds events of shard %.12s, which no "
                           "merge event brought (added behind dangan's back)",
                           ident);
    if (last_seq == s->head_seq && strcmp(last_hash, s->head_hash) == 0)
        return DG_OK;
    return audit_v_add(r, "merged", s->top,
                       "seq %lld: the merge of shard %.12s names its head "
                       "%lld:%.16s..., but its kept events end at %lld:%.16s... (its history "
                       "was rewritten or cut)",
                       (long long)s->top, ident, (long long)s->head_seq, s->head_hash,
                       (long long)last_seq, last_hash);
}

int audit_mshards_chains(sqlite3 *db, audit_mshards *m, audit_report *r, dg_err *err)
{
    if (!table_exists(db, "audit_merged"))
        return DG_OK;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT shard, seq, at, who, kind, subject, content, prev_hash, "
                           "hash FROM main.audit_merged ORDER BY shard, seq",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the merged events");
    int rc = DG_OK, broken = 0, any = 0;
    char shard[80] = "", last[80] = AUDIT_GENESIS;
    int64_t expect = 1;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *f[9];
        for (int i = 0; i < 9; i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);
            f[i] = t ? t : "";
        }
        int64_t oseq = sqlite3_column_int64(st, 1);
        if (!any || strcmp(f[0], shard) != 0) {
            if (any && !broken)
                rc = shard_end(m, shard, expect - 1, last, r);
            snprintf(shard, sizeof shard, "%s", f[0]);
            snprintf(last, sizeof last, "%s", AUDIT_GENESIS);
            expect = 1;
            broken = 0;
            any = 1;
            mshard *sh = find(m, shard);
            if (sh)
                sh->seen = 1;
        }
        if (rc || broken)
            continue;
        const mshard *s = find(m, shard);
        int64_t at = s ? s->top : 0;
        char h[65];
        if (audit_event_hash(f[7], oseq, f[2], f[3], f[4], f[5], f[6], h))
            rc = DG_ENOMEM;
        else if (strcmp(h, f[8]) != 0)
            rc = audit_v_add(r, "merged", at,
                             "seq %lld: shard %.12s's event %lld (%s) was "
                             "edited: it hashes to %s, the shard's chain said %s",
                             (long long)at, shard, (long long)oseq, f[4], h, f[8]);
        else if (oseq != expect || strcmp(f[7], last) != 0)
            rc = audit_v_add(r, "merged", at,
                             "seq %lld: shard %.12s's event %lld does not "
                             "follow its event %lld (events of the shard missing or reordered)",
                             (long long)at, shard, (long long)oseq, (long long)(expect - 1));
        else {
            snprintf(last, sizeof last, "%s", f[8]);
            expect++;
            continue;
        }
        broken = 1;
    }
    if (!rc && any && !broken)
        rc = shard_end(m, shard, expect - 1, last, r);
    sqlite3_finalize(st);
    for (size_t i = 0; !rc && i < m->n; i++)
        if (!m->v[i].seen)
            rc = audit_v_add(r, "merged", m->v[i].top,
                             "seq %lld: the merge of shard %.12s kept "
                             "its %lld events in audit_merged, but none are there (deleted)",
                             (long long)m->v[i].top, m->v[i].ident, (long long)m->v[i].head_seq);
    return rc ? dg_err_set(err, rc, "out of memory") : DG_OK;
}

/* ---- their rows ----------------------------------------------------------------------- */

/* Into b: SQL of the archive's id of the shard's id `expr` of the table
 * named by `tbl` (an SQL expression): expr + the shard's offset of it. */
static int id_sql(dg_buf *b, const mshard *s, const char *expr, const char *tbl)
{
    int rc = dg_buf_addf(b, "(%s + CASE %s", expr, tbl);
    for (size_t t = 0; !rc && t < audit_nrow_tables; t++)
        rc = dg_buf_addf(b, " WHEN '%s' THEN %lld", audit_row_tables[t],
                         (long long)offset(s, audit_row_tables[t]));
    return rc ? rc : dg_buf_adds(b, " ELSE 0 END)");
}

/* Into b: SQL of a carried row (t.value, of table t.key) in archive ids:
 * its id, its REFERENCES columns, its ids in JSON text. */
static int row_sql(sqlite3 *db, dg_buf *b, const mshard *s)
{
    sqlite3_stmt *fk;
    if (sqlite3_prepare_v2(db,
                           "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1, "
                           "'main') WHERE \"to\" IS NULL OR \"to\" = 'id'",
                           -1, &fk, NULL) != SQLITE_OK)
        return DG_EDB;
    int rc = dg_buf_adds(b, "CASE t.key");
    for (size_t t = 0; !rc && t < audit_nrow_tables; t++) {
        const char *tb = audit_row_tables[t];
        rc = dg_buf_addf(b,
                         " WHEN '%s' THEN json_replace(t.value, '$.id', "
                         "json_extract(t.value, '$.id') + %lld",
                         tb, (long long)offset(s, tb));
        sqlite3_reset(fk);
        sqlite3_bind_text(fk, 1, tb, -1, SQLITE_STATIC);
        while (!rc && sqlite3_step(fk) == SQLITE_ROW) {
            const char *col = (const char *)sqlite3_column_text(fk, 0);
            const char *to = (const char *)sqlite3_column_text(fk, 1);
            if (col && to)
                rc = dg_buf_addf(b, ", '$.%s', json_extract(t.value, '$.%s') + %lld", col, col,
                                 (long long)offset(s, to));
        }
        sqlite3_stmt *cols;
        if (!rc && sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, 'main')", -1,
                                      &cols, NULL) == SQLITE_OK) {
            sqlite3_bind_text(cols, 1, tb, -1, SQLITE_STATIC);
            while (!rc && sqlite3_step(cols) == SQLITE_ROW) {
                const char *col = (const char *)sqlite3_column_text(cols, 0);
                const char *of = col ? audit_json_ids_of(tb, col) : NULL;
                char src[160];
                if (!of)
                    continue;
                snprintf(src, sizeof src, "json_extract(t.value, '$.%s')", col);
                rc = dg_buf_addf(b, ", '$.%s', ", col) ||
                     audit_json_ids_sql(b, src, (long long)offset(s, of));
            }
            sqlite3_finalize(cols);
        }
        rc = rc ? rc : dg_buf_addc(b, ')');
    }
    sqlite3_finalize(fk);
    return rc ? rc : dg_buf_adds(b, " ELSE t.value END");
}

int audit_mshards_rows(sqlite3 *db, const audit_mshards *m, dg_err *err)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = DG_OK;
    for (size_t i = 0; !rc && i < m->n; i++) {
        const mshard *s = &m->v[i];
        if (!s->prefix)
            continue; /* not placed: reported by compose */
        dg_buf_reset(&b);
        /* newest wins by ord: where the merge sits in the archive's chain,
         * then the event's seq in the shard; a removal before the rows of
         * the same event (as in verify.c) */
        int mem = dg_buf_adds(&b, "INSERT INTO temp.audit_v_rows (tbl, id, ord, seq, row) "
                                  "SELECT * FROM (SELECT t.key, ") ||
                  id_sql(&b, s, "json_extract(t.value, '$.id')", "t.key") ||
                  dg_buf_adds(&b, ", ?2 || printf('.%012d.1', m.seq), ?3, ") ||
                  row_sql(db, &b, s) ||
                  dg_buf_adds(&b, " FROM main.audit_merged m, json_each(m.content, '$.rows') t "
                                  "WHERE m.shard = ?1 AND json_valid(m.content) AND "
                                  "json_type(m.content, '$.rows') = 'object' AND "
                                  "json_type(t.value) = 'object' AND "
                                  "json_type(t.value, '$.id') = 'integer' "
                                  "UNION ALL SELECT t.key, ") ||
                  id_sql(&b, s, "g.value", "t.key") ||
                  dg_buf_adds(&b, ", ?2 || printf('.%012d.0', m.seq), ?3, '' "
                                  "FROM main.audit_merged m, json_each(m.content, '$.removed') t, "
                                  "json_each(t.value) g WHERE m.shard = ?1 AND m.kind = 'link' "
                                  "AND json_valid(m.content) AND "
                                  "json_type(m.content, '$.removed') = 'object' AND "
                                  "t.type = 'array' AND g.type = 'integer') WHERE true "
                                  "ON CONFLICT (tbl, id) DO UPDATE SET ord = excluded.ord, "
                                  "seq = excluded.seq, row = excluded.row "
                                  "WHERE excluded.ord > ord");
        if (mem) {
            rc = DG_ENOMEM;
            break;
        }
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, b.data, -1, &st, NULL) != SQLITE_OK) {
            rc = fail(db, err, "cannot index the merged events' rows");
            break;
        }
        sqlite3_bind_text(st, 1, s->ident, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, s->prefix, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, s->top);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = fail(db, err, "cannot index the merged events' rows");
        sqlite3_finalize(st);
    }
    dg_buf_release(&b);
    return rc == DG_ENOMEM ? oom(err) : rc;
}
