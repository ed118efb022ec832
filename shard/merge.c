/*
 * merge.c - one shard database into the archive (shard.h).
 *
 * Ids: every table with an integer `id` gets offset[T] = the archive's
 * max(id) before the merge; a shard row's id becomes id + offset[T] and
 * every column declared REFERENCES T(id) moves with it, so the copy is
 * one INSERT ... SELECT a table (fast, and every table a later migration
 * adds with declared foreign keys is carried without code here).  Ids
 * kept inside JSON text are remapped where the schema says they are ids:
 * field.words (ocr_word ids) and access_log.shown (study_record ids).
 *
 * The audit chain: the shard's events are kept in audit_merged (migration
 * 023) as the shard hashed them, with the shard's identity; the rows of
 * audit_merged a merged archive holds come along as they are.  Then one
 * "merge" event in the archive's chain carries the shard's head (seq and
 * hash: it vouches for every kept event through the shard's own chain) and
 * the id offsets: archive id = shard id + offset of its table, which is
 * how `audit verify` (audit/merged.c) compares the rows those events carry
 * with the archive.  Archives merged before 023 appended each shard event
 * to the chain with its original inside; they verify as they were.
 */
#include "shard.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
#include "audit.h"
#include "db.h"

/* Tables the merge does not copy row by row: the chain (appended), the
 * catalogs and name tables (must be the same edition: compared, copied
 * into an archive that has none), and the workspace's own store setting. */
static const char *const not_copied[] = {
    "audit_event",   "audit_merged",         "catalog_edition",      "crosswalk_source", "discipline",
    "crosswalk",     "crosswalk_unresolved", "name_keys_source", "store_setting",
};
static const char *const reference_tables[] = {
    "catalog_edition", "crosswalk_source", "discipline", "crosswalk", "crosswalk_unresolved",
    "name_keys_source", "store_setting",
};
#define NREF (sizeof reference_tables / sizeof *reference_tables)
/* Triggers that have nothing to do in a merge, dropped for its copy and
 * made again before it commits (DDL is transactional: a failed or killed
 * merge rolls both back): field_insert_queue (018) gives a new field's p to
 * its review items, and a shard's review items are copied after its fields
 * and get p from them by their own trigger.  Without it a shard's fields
 * are copied faster, and whole into an empty archive. */
static const char *const quiet_triggers[] = {"field_insert_queue"};

typedef struct fk {
    char *col;
    int target; /* index into the table list, -1: not an id table */
} fk;

typedef struct tinfo {
    char *name;
    int has_id;  /* an INTEGER PRIMARY KEY named id */
    int64_t off; /* the archive's max(id) before the merge */
    char **cols;
    size_t ncols;
    fk *fks;
    size_t nfks;
} tinfo;

typedef struct merge_ctx {
    sqlite3 *db;
    tinfo *t;
    size_t nt;
} merge_ctx;

static void tables_free(merge_ctx *m)
{
    for (size_t i = 0; i < m->nt; i++) {
        free(m->t[i].name);
        for (size_t j = 0; j < m->t[i].ncols; j++)
            free(m->t[i].cols[j]);
        free(m->t[i].cols);
        for (size_t j = 0; j < m->t[i].nfks; j++)
            free(m->t[i].fks[j].col);
        free(m->t[i].fks);
    }
    free(m->t);
    m->t = NULL;
    m->nt = 0;
}

static int table_index(const merge_ctx *m, const char *name)
{
    for (size_t i = 0; name && i < m->nt; i++)
        if (strcmp(m->t[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int skipped_table(const char *name)
{
    for (size_t i = 0; i < sizeof not_copied / sizeof *not_copied; i++)
        if (strcmp(name, not_copied[i]) == 0)
            return 1;
    return strncmp(name, "sqlite_", 7) == 0;
}

static int oom(dg_err *err)
{
    return dg_err_set(err, DG_ENOMEM, "out of memory merging");
}

/* Columns of one table, from the shard (the same schema version as ours). */
static int table_columns(merge_ctx *m, tinfo *t, dg_err *err)
{
    char sql[256];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT name, type, pk FROM pragma_table_info('%s', 'main')",
             t->name);
    if (db_prepare(m->db, sql, &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        char **nc = realloc(t->cols, (t->ncols + 1) * sizeof *nc);
        if (!nc || !(nc[t->ncols] = dg_strdup(name))) {
            if (nc)
                t->cols = nc;
            rc = oom(err);
            break;
        }
        t->cols = nc;
        t->ncols++;
        if (sqlite3_column_int(st, 2) == 1 && strcmp(name, "id") == 0 && type &&
            strcasecmp(type, "INTEGER") == 0)
            t->has_id = 1;
    }
    sqlite3_finalize(st);
    return rc;
}

static int table_fks(merge_ctx *m, tinfo *t, dg_err *err)
{
    char sql[256];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT \"from\", \"table\", \"to\" FROM "
                              "pragma_foreign_key_list('%s', 'main')", t->name);
    if (db_prepare(m->db, sql, &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *to = (const char *)sqlite3_column_text(st, 2);
        if (to && strcmp(to, "id") != 0)
            continue; /* a key that is not a row id (catalog codes) moves as it is */
        fk *nf = realloc(t->fks, (t->nfks + 1) * sizeof *nf);
        if (!nf)
            return sqlite3_finalize(st), oom(err);
        t->fks = nf;
        fk *f = &t->fks[t->nfks];
        f->target = table_index(m, (const char *)sqlite3_column_text(st, 1));
        if (!(f->col = dg_strdup((const char *)sqlite3_column_text(st, 0))))
            rc = oom(err);
        else
            t->nfks++;
    }
    sqlite3_finalize(st);
    return rc;
}

static int64_t max_id(sqlite3 *db, const char *table, dg_err *err, int *rc)
{
    char sql[160];
    int64_t v = 0;
    snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM main.\"%s\"", table);
    *rc = db_query_int(db, sql, &v, err);
    return v;
}

/* Every table the merge copies, with its columns, foreign keys and offset,
 * in creation order.  Names come from the archive's schema (ours), never
 * from the shard's: a shard's tables must match them (tables_match). */
static int tables_read(merge_ctx *m, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(m->db, "SELECT name FROM main.sqlite_schema WHERE type = 'table' ORDER BY rowid",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (skipped_table(name))
            continue;
        tinfo *nt = realloc(m->t, (m->nt + 1) * sizeof *nt);
        if (!nt)
            return sqlite3_finalize(st), oom(err);
        m->t = nt;
        memset(&m->t[m->nt], 0, sizeof *m->t);
        if (!(m->t[m->nt].name = dg_strdup(name)))
            rc = oom(err);
        else
            m->nt++;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; !rc && i < m->nt; i++)
        rc = table_columns(m, &m->t[i], err);
    for (size_t i = 0; !rc && i < m->nt; i++)
        rc = table_fks(m, &m->t[i], err);
    for (size_t i = 0; !rc && i < m->nt; i++)
        if (m->t[i].has_id)
            m->t[i].off = max_id(m->db, m->t[i].name, err, &rc);
    return rc;
}

/* The shard's tables, column for column, as the archive's: the same schema
 * version should guarantee it, a database edited by hand need not. */
static int tables_match(merge_ctx *m, const char *shard_path, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(m->db,
                   "SELECT s.name FROM sh.sqlite_schema s WHERE s.type = 'table' AND "
                   "s.name NOT LIKE 'sqlite_%' AND (s.name NOT IN (SELECT name FROM "
                   "main.sqlite_schema WHERE type = 'table') OR (SELECT group_concat(name || ' ' "
                   "|| type, ',') FROM pragma_table_info(s.name, 'sh')) IS NOT (SELECT "
                   "group_concat(name || ' ' || type, ',') FROM pragma_table_info(s.name, 'main')))"
                   " UNION ALL SELECT a.name FROM main.sqlite_schema a WHERE a.type = 'table' AND "
                   "a.name NOT LIKE 'sqlite_%' AND a.name NOT IN (SELECT name FROM "
                   "sh.sqlite_schema WHERE type = 'table') LIMIT 1",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        char *esc = dg_strdup((const char *)sqlite3_column_text(st, 0));
        for (char *c = esc; c && *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = '?';
        rc = dg_err_set(err, DG_EINPUT,
                        "shard '%s': table %s is not the archive's (another column, missing, or "
                        "extra): refused", shard_path, esc ? esc : "?");
        free(esc);
    }
    sqlite3_finalize(st);
    return rc;
}

static int64_t offset_of(const merge_ctx *m, const char *table)
{
    int i = table_index(m, table);
    return i >= 0 && m->t[i].has_id ? m->t[i].off : -1;
}

/* The SQL expression giving column col of table t (0-based column) in the
 * archive, reading from `src` (a column name or an expression). */
static int column_expr(const merge_ctx *m, const tinfo *t, const char *col, const char *src,
                       dg_buf *b)
{
    /* + 0 is left out: a column as it is lets a table be copied whole */
    if (t->has_id && strcmp(col, "id") == 0 && t->off)
        return dg_buf_addf(b, "(%s + %lld)", src, (long long)t->off);
    for (size_t k = 0; k < t->nfks; k++)
        if (strcmp(t->fks[k].col, col) == 0 && t->fks[k].target >= 0 &&
            m->t[t->fks[k].target].has_id && m->t[t->fks[k].target].off)
            return dg_buf_addf(b, "(%s + %lld)", src, (long long)m->t[t->fks[k].target].off);
    /* ids kept in JSON text */
    const char *ids_of = audit_json_ids_of(t->name, col);
    if (ids_of && offset_of(m, ids_of) > 0)
        return audit_json_ids_sql(b, src, (long long)offset_of(m, ids_of));
    return dg_buf_addf(b, "%s", src);
}

static int copy_table(merge_ctx *m, const tinfo *t, long *rows, dg_err *err)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = dg_buf_addf(&b, "INSERT INTO main.\"%s\" (", t->name);
    for (size_t c = 0; !rc && c < t->ncols; c++)
        rc = dg_buf_addf(&b, "%s\"%s\"", c ? ", " : "", t->cols[c]);
    rc = rc ? rc : dg_buf_adds(&b, ") SELECT ");
    int identity = 1;
    for (size_t c = 0; !rc && c < t->ncols; c++) {
        char src[200];
        snprintf(src, sizeof src, "\"%s\"", t->cols[c]);
        rc = c ? dg_buf_adds(&b, ", ") : DG_OK;
        size_t at = b.len;
        rc = rc ? rc : column_expr(m, t, t->cols[c], src, &b);
        identity = identity && !rc && strcmp(b.data + at, src) == 0;
    }
    rc = rc ? rc : dg_buf_addf(&b, " FROM sh.\"%s\" ORDER BY rowid", t->name);
    if (!rc && identity) {
        /* every column as it is (the first shard into an empty archive: all
         * offsets 0): SQLite's transfer of whole records and index entries
         * (the "xfer" optimization of INSERT INTO t SELECT * FROM u, same
         * columns in the same order: tables_match) instead of a row at a
         * time; rows in rowid order either way */
        dg_buf_reset(&b);
        rc = dg_buf_addf(&b, "INSERT INTO main.\"%s\" SELECT * FROM sh.\"%s\"", t->name,
                         t->name);
    }
    if (rc) {
        dg_buf_release(&b);
        return oom(err);
    }
    char *msg = NULL;
    if (sqlite3_exec(m->db, b.data, NULL, NULL, &msg) != SQLITE_OK) {
        rc = dg_err_set(err, DG_EDB, "copying table %s: %s", t->name, msg ? msg : "");
        sqlite3_free(msg);
    } else {
        *rows += sqlite3_changes(m->db);
    }
    dg_buf_release(&b);
    return rc;
}

/* ---- checks before anything is written ------------------------------------------ */

static int text_of(sqlite3 *db, const char *sql, char **out, dg_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    int rc = DG_OK;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        !(*out = dg_strdup((const char *)sqlite3_column_text(st, 0))))
        rc = oom(err);
    sqlite3_finalize(st);
    return rc;
}

/* What identifies the contents of a reference table, as one string. */
static int ref_digest(sqlite3 *db, const char *schema, const char *table, char **out,
                      dg_err *err)
{
    static const char *const key[NREF] = {
        "edition || ':' || sha256", "from_edition || '>' || to_edition || ':' || sha256",
        NULL, NULL, NULL, "sha256", "dir"};
    for (size_t i = 0; i < NREF; i++)
        if (strcmp(table, reference_tables[i]) == 0 && key[i]) {
            char sql[400];
            snprintf(sql, sizeof sql,
                     "SELECT group_concat(k, ',') FROM (SELECT %s AS k FROM %s.\"%s\" ORDER BY 1)",
                     key[i], schema, table);
            return text_of(db, sql, out, err);
        }
    *out = NULL;
    return DG_OK;
}

/* Catalog editions, crosswalks and name tables: a shard's values were
 * normalized and keyed with them, so an archive made with others would mix
 * two meanings of one code.  The scan store: the shard's stored_file rows
 * promise objects in its store.  An archive without any takes the shard's. */
static int check_references(sqlite3 *db, const char *shard_path, dg_err *err)
{
    static const char *const tables[] = {"catalog_edition", "crosswalk_source",
                                         "name_keys_source", "store_setting"};
    static const char *const what[] = {"catalog editions", "crosswalks",
                                       "name tables (variants/confusables)",
                                       ("scan store (copy its objects into the archive's, or "
                                        "give every shard one shared store)")};
    int rc = DG_OK;
    for (size_t i = 0; !rc && i < 4; i++) {
        char *a = NULL, *s = NULL;
        rc = ref_digest(db, "main", tables[i], &a, err);
        rc = rc ? rc : ref_digest(db, "sh", tables[i], &s, err);
        if (!rc && a && s && strcmp(a, s) != 0)
            rc = dg_err_set(err, DG_EINPUT,
                            "shard '%s' was made with other %s than the archive (shard: %s; "
                            "archive: %s): refused",
                            shard_path, what[i], s, a);
        free(a);
        free(s);
    }
    return rc;
}

static int copy_references(sqlite3 *db, long *rows, dg_err *err)
{
    int rc = DG_OK;
    for (size_t i = 0; !rc && i < NREF; i++) {
        char sql[300];
        snprintf(sql, sizeof sql, "INSERT INTO main.\"%s\" SELECT * FROM sh.\"%s\" WHERE NOT "
                 "EXISTS (SELECT 1 FROM main.\"%s\")",
                 reference_tables[i], reference_tables[i], reference_tables[i]);
        rc = db_exec(db, sql, err);
        if (!rc)
            *rows += sqlite3_changes(db);
    }
    return rc;
}

static int check_shard(sqlite3 *db, const char *shard_path, dg_err *err)
{
    int64_t sv = 0, running = 0, dup = 0;
    int av = db_user_version(db);
    int rc = db_query_int(db, "PRAGMA sh.user_version", &sv, err);
    if (rc)
        return rc;
    if (sv != av)
        return dg_err_set(err, DG_EINPUT,
                          "shard '%s' is of schema version %lld, the archive of %d: %s", shard_path,
                          (long long)sv, av,
                          sv < av ? "open it once with this dangan (any command upgrades it), "
                                    "then merge"
                                  : "it was written by a newer dangan; merge with that one");
    rc = db_query_int(db, "SELECT count(*) FROM sh.run WHERE status = 'running'", &running, err);
    if (!rc && running)
        return dg_err_set(err, DG_EINPUT,
                          "shard '%s' has %lld run(s) still marked running: finish it (run the "
                          "shard again) before merging",
                          shard_path, (long long)running);
    rc = rc ? rc
            : db_query_int(db, "SELECT count(*) FROM sh.file s JOIN main.file a USING (sha256)",
                           &dup, err);
    if (!rc && dup) {
        char *sha = NULL;
        text_of(db, "SELECT s.sha256 FROM sh.file s JOIN main.file a USING (sha256) LIMIT 1",
                &sha, NULL);
        rc = dg_err_set(err, DG_EINPUT,
                        "shard '%s' holds %lld file(s) the archive already has from another "
                        "source (e.g. SHA-256 %s): shards of one plan never share a file; refused",
                        shard_path, (long long)dup, sha ? sha : "?");
        free(sha);
    }
    return rc ? rc : check_references(db, shard_path, err);
}

/* ---- the chain ----------------------------------------------------------------------- */

/*
 * The shard's events into audit_merged as they were hashed in the shard
 * (with the shard's identity), and the rows of audit_merged the shard
 * itself holds (an archive of merged shards merged again) as they are: no
 * event is rewritten, canonicalized or hashed here.  The merge event that
 * follows chains the shard's head, which vouches for them all; `audit
 * verify` remaps the rows they carry by the merge's offsets (audit.h).
 */
static int events_keep(merge_ctx *m, const char *ident, long *events, long *carried,
                       dg_err *err)
{
    int rc = db_exec(m->db, "INSERT INTO main.audit_merged (shard, seq, at, who, kind, subject, "
                            "content, prev_hash, hash) SELECT shard, seq, at, who, kind, subject, "
                            "content, prev_hash, hash FROM sh.audit_merged",
                     err);
    if (rc)
        return rc;
    *carried = sqlite3_changes(m->db);
    sqlite3_stmt *st;
    if (db_prepare(m->db, "INSERT INTO main.audit_merged (shard, seq, at, who, kind, subject, "
                          "content, prev_hash, hash) SELECT ?1, seq, at, who, kind, subject, "
                          "content, prev_hash, hash FROM sh.audit_event ORDER BY seq",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, ident, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = dg_err_set(err, DG_EDB, "keeping the shard's events: %s (a shard merged twice "
                        "under two archives?)", sqlite3_errmsg(m->db));
    else
        *events = sqlite3_changes(m->db);
    sqlite3_finalize(st);
    return rc;
}

static int merge_event(merge_ctx *m, const char *shard_path, const shard_merge_summary *s,
                       const char *head_hash, long carried, dg_err *err)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = dg_buf_addf(&b, "{\"shard\":\"%s\",\"path\":", s->ident);
    rc = rc ? rc : dg_buf_json_str(&b, shard_path);
    rc = rc ? rc : dg_buf_addf(&b, ",\"head\":{\"seq\":%lld,\"hash\":\"%s\"},\"events\":%ld,"
                                   "\"rows_copied\":%ld,\"schema\":%d,\"originals\":\"audit_merged\","
                                   "\"carried\":%ld,\"offsets\":{",
                               (long long)s->head_seq, head_hash, s->events, s->rows,
                               db_user_version(m->db), carried);
    int first = 1;
    for (size_t i = 0; !rc && i < m->nt; i++)
        if (m->t[i].has_id) {
            rc = dg_buf_addf(&b, "%s\"%s\":%lld", first ? "" : ",", m->t[i].name,
                             (long long)m->t[i].off);
            first = 0;
        }
    rc = rc ? rc : dg_buf_adds(&b, "}}");
    char subject[80];
    snprintf(subject, sizeof subject, "shard:%s", s->ident);
    rc = rc ? oom(err) : audit_append(m->db, NULL, "merge", subject, b.data, NULL, err);
    dg_buf_release(&b);
    return rc;
}

/* ---- the merge ------------------------------------------------------------------------ */

/* quiet_triggers dropped, their CREATE statements into *saved. */
static int triggers_quiet(sqlite3 *db, dg_buf *saved, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT sql FROM main.sqlite_schema WHERE type = 'trigger' AND name = ?1",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    for (size_t i = 0; !rc && i < sizeof quiet_triggers / sizeof *quiet_triggers; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, quiet_triggers[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        char drop[120];
        snprintf(drop, sizeof drop, "DROP TRIGGER main.\"%s\"", quiet_triggers[i]);
        rc = dg_buf_addf(saved, "%s;", (const char *)sqlite3_column_text(st, 0))
                 ? oom(err)
                 : db_exec(db, drop, err);
    }
    sqlite3_finalize(st);
    return rc;
}

static int count_into(sqlite3 *db, const char *sql, long *out)
{
    int64_t v = 0;
    int rc = db_query_int(db, sql, &v, NULL);
    *out = (long)v;
    return rc;
}

/* Identity and head of the shard; whether (and at which head) it was merged. */
static int shard_identity(sqlite3 *db, const char *shard_path, shard_merge_summary *s,
                          char head[65], char **merged_head, dg_err *err)
{
    char *id = NULL, *h = NULL;
    int rc = text_of(db, "SELECT hash FROM sh.audit_event ORDER BY seq LIMIT 1", &id, err);
    rc = rc ? rc : text_of(db, "SELECT hash FROM sh.audit_event ORDER BY seq DESC LIMIT 1", &h, err);
    rc = rc ? rc : db_query_int(db, "SELECT coalesce(max(seq), 0) FROM sh.audit_event",
                                &s->head_seq, err);
    if (!rc && (!id || !h)) {
        /* a shard the plan gave no file: its database exists, empty */
        int64_t n = 0;
        rc = db_query_int(db, "SELECT (SELECT count(*) FROM sh.file) + (SELECT count(*) FROM "
                              "sh.quarantine) + (SELECT count(*) FROM sh.run)", &n, err);
        if (!rc && n)
            rc = dg_err_set(err, DG_EINPUT, "'%s' has rows but no audit history: refused",
                            shard_path);
        if (!rc)
            s->skipped = SHARD_EMPTY;
        free(id);
        free(h);
        return rc;
    }
    if (!rc) {
        snprintf(s->ident, sizeof s->ident, "%s", id);
        snprintf(head, 65, "%s", h);
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT json_extract(content, '$.head.hash') FROM "
                 "main.audit_event WHERE kind = 'merge' AND subject = 'shard:%s' "
                 "ORDER BY seq DESC LIMIT 1", s->ident);
        rc = text_of(db, sql, merged_head, err);
    }
    free(id);
    free(h);
    return rc;
}

/* A shard whose references do not hold (edited by hand) is refused. */
static int shard_references(sqlite3 *db, const char *shard_path, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "PRAGMA sh.foreign_key_check", &st, err))
        return DG_EDB;
    int step = sqlite3_step(st), rc = DG_OK;
    if (step == SQLITE_ROW) {
        char what[160];
        snprintf(what, sizeof what, "%s row %lld points at a missing %s row",
                 (const char *)sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1),
                 (const char *)sqlite3_column_text(st, 2));
        for (char *c = what; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = '?';
        rc = dg_err_set(err, DG_EINPUT, "shard '%s' is not consistent (%s): refused", shard_path,
                        what);
    } else if (step != SQLITE_DONE) {
        rc = db_fail(db, err, "checking the shard's references");
    }
    sqlite3_finalize(st);
    return rc;
}

static int merge_attached(sqlite3 *db, const char *shard_path, shard_merge_summary *s, dg_err *err)
{
    char head[65], *merged_head = NULL;
    int rc = shard_identity(db, shard_path, s, head, &merged_head, err);
    if (!rc && s->skipped == SHARD_EMPTY)
        return DG_OK;
    if (!rc && merged_head) {
        if (strcmp(merged_head, head) == 0)
            s->skipped = SHARD_MERGED_BEFORE;
        else
            rc = dg_err_set(err, DG_EINPUT,
                            "shard '%s' was merged before (at its head %s) and has changed "
                            "since (head %s): merge it into a fresh archive with the others",
                            shard_path, merged_head, head);
    }
    free(merged_head);
    if (rc || s->skipped)
        return rc;
    rc = check_shard(db, shard_path, err);
    merge_ctx m = {db, NULL, 0};
    /* a merge reads every page of the shard and writes as many: a cache that
     * holds the working set spares re-reading them (256 MB at most) */
    rc = rc ? rc : db_exec(db, "PRAGMA main.cache_size = -262144; PRAGMA sh.cache_size = -65536; "
                               "PRAGMA temp_store = MEMORY", err);
    /* References: every id moves with its table's offset, so a shard whose
     * own references hold gives an archive whose references hold.  Checked
     * once on the shard (its pages are cached), not row by row against the
     * growing archive (an index probe a copied row: a third of the merge). */
    rc = rc ? rc : shard_references(db, shard_path, err);
    rc = rc ? rc : db_exec(db, "PRAGMA foreign_keys = OFF", err);
    rc = rc ? rc : db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc) {
        sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
        return rc;
    }
    rc = rc ? rc : tables_match(&m, shard_path, err);
    rc = rc ? rc : tables_read(&m, err);
    rc = rc ? rc : copy_references(db, &s->rows, err);
    /* the shard's rows passed the same CHECKs when written (same schema) */
    dg_buf quiet;
    dg_buf_init(&quiet, 0);
    rc = rc ? rc : triggers_quiet(db, &quiet, err);
    rc = rc ? rc : db_exec(db, "PRAGMA ignore_check_constraints = ON", err);
    for (size_t i = 0; !rc && i < m.nt; i++) {
        rc = copy_table(&m, &m.t[i], &s->rows, err);
        s->tables++;
    }
    sqlite3_exec(db, "PRAGMA ignore_check_constraints = OFF", NULL, NULL, NULL);
    /* unqualified, as stored: main's tables come first */
    rc = rc || !quiet.len ? rc : db_exec(db, quiet.data, err);
    dg_buf_release(&quiet);
    long carried = 0;
    rc = rc ? rc : events_keep(&m, s->ident, &s->events, &carried, err);
    rc = rc ? rc : merge_event(&m, shard_path, s, head, carried, err);
    int64_t upto = offset_of(&m, "study_record");
    if (!rc && upto > 0) {
        arc_relink_summary rs;
        rc = arc_relink(db, upto, &rs, err);
        s->linked = rs.linked;
        s->waiting = rs.waiting;
        s->kept_apart = rs.kept_apart;
        s->conflicts = rs.conflicts;
    }
    if (!rc) {
        count_into(db, "SELECT count(*) FROM sh.file", &s->files);
        count_into(db, "SELECT count(*) FROM sh.record", &s->records);
        count_into(db, "SELECT count(*) FROM sh.study_record", &s->studies);
    }
    rc = rc ? rc : db_exec(db, "COMMIT", err);
    if (rc)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    tables_free(&m);
    return rc;
}

int shard_merge(sqlite3 *db, const char *shard_path, shard_merge_summary *s, dg_err *err)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(shard_path, &st) != 0 || !S_ISREG(st.st_mode))
        return dg_err_set(err, DG_EINPUT, "shard '%s' does not exist or is not a file", shard_path);
    sqlite3_stmt *at;
    if (db_prepare(db, "ATTACH DATABASE ?1 AS sh", &at, err))
        return DG_EDB;
    sqlite3_bind_text(at, 1, shard_path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(at) == SQLITE_DONE
                 ? DG_OK
                 : dg_err_set(err, DG_EINPUT, "cannot open shard '%s': %s", shard_path,
                              sqlite3_errmsg(db));
    sqlite3_finalize(at);
    int64_t tables = 0;
    if (!rc && (db_query_int(db, "SELECT count(*) FROM sh.sqlite_schema WHERE name = "
                                 "'audit_event'", &tables, NULL) != DG_OK || !tables))
        rc = dg_err_set(err, DG_EINPUT, "'%s' is not a dangan database", shard_path);
    /* A merge writes a shard's worth of new pages in one transaction: in WAL
     * mode every page is written twice (the log, then the checkpoint, about
     * 1 GB a 250,000-record shard).  A rollback journal keeps only the few
     * pages the merge changes, so the copy is written once.  Only when
     * nobody else has the archive open (the switch needs that); back to WAL
     * (what db_open sets) after. */
    int journal = !rc && sqlite3_exec(db, "PRAGMA main.journal_mode = DELETE", NULL, NULL,
                                      NULL) == SQLITE_OK;
    rc = rc ? rc : merge_attached(db, shard_path, s, err);
    if (journal)
        sqlite3_exec(db, "PRAGMA main.journal_mode = WAL", NULL, NULL, NULL);
    sqlite3_exec(db, "DETACH DATABASE sh", NULL, NULL, NULL);
    return rc;
}
