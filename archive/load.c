/*
 * load.c - `dangan load`: records whose required fields are verified enter
 * the archive as person + study record + study_source + one provenance row
 * per archived value, in transactions of 512 records (a large load: the
 * bulk path, load_bulk.c).
 *
 * A record that is the second source of someone already archived (same
 * simplified name and birth month, and the same student number unless one
 * side lacks it) is linked to that study record instead of creating a new
 * one; where the two sources disagree, a 'conflict' review item is raised
 * and the record waits until an operator accepts (same person, archived
 * value stands) or rejects (different people) it.  Values the archive lacks
 * are filled from the linked source, with their own provenance.
 *
 * Records that cannot load yet are 'pending' with a reason in load_wait.
 * Loading again changes nothing: loaded records are skipped, reasons are
 * only rewritten when they change, and the load run row is only created
 * once a record actually loads.
 */
#include "archive_internal.h"
#include "load_conf.h"
#include "load_read.h"
#include "lookup_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "normalize.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

/* ---- a record's fields (read a batch at a time: load_read.c) ---------------------------- */

/* Name keys of the names seen last, by written name: a name recurs across
 * an archive (2,000 people called 王伟 in 10^7), its keys are made once. */
enum { LD_KEYS_SLOTS = 1 << 16 };
typedef struct ld_keys_slot {
    char *name;
    norm_keys k;
} ld_keys_slot;

typedef struct ld_ctx {
    sqlite3 *db;
    norm_ctx *norm;
    load_conf conf;
    int64_t run_id;
    arc_load_summary *sum;
    db_cache *sc;      /* the record path's statements, prepared once */
    audit_batch *ab;   /* the load events of the open transaction */
    ld_keys_slot *keys; /* LD_KEYS_SLOTS, direct-mapped by a hash of the name */
} ld_ctx;

/* Step a statement of the cache that returns no row; leave it reset. */
static int ld_done(ld_ctx *c, sqlite3_stmt *st, const char *doing, dg_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(c->db, err, doing);
}

static const ld_field *field_get(const ld_record *r, const char *key)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->f[i].key, key) == 0)
            return &r->f[i];
    return NULL;
}

static int field_ok(const ld_field *f)
{
    return f && f->value && *f->value && f->state &&
           (strcmp(f->state, "auto") == 0 || strcmp(f->state, "verified") == 0);
}

/* The major needs a settled match as well as a settled name. */
static int match_ok(const ld_field *f)
{
    if (!f->match_code || !*f->match_code)
        return 0;
    if (f->match_rule)
        return 1;
    const char *d = f->match_decision ? f->match_decision : "";
    return strcmp(d, "auto") == 0 || strcmp(d, "picked") == 0 || strcmp(d, "rule") == 0;
}

/* Fill why with the first unmet requirement; returns 1 when ready. */
static int record_ready(const ld_record *r, const load_conf *c, char *why, size_t n)
{
    /* a person without a name cannot be archived, whatever load.conf says */
    const ld_field *name = field_get(r, "name");
    if (!field_ok(name)) {
        snprintf(why, n, "name: %s", name ? name->state : "not on the record");
        return 0;
    }
    for (int g = 0; g < c->ngroups; g++) {
        int met = 0;
        const ld_field *seen = NULL;
        for (int a = 0; a < c->nalt[g] && !met; a++) {
            const ld_field *f = field_get(r, c->keys[g][a]);
            met = field_ok(f);
            seen = seen ? seen : f;
        }
        if (!met) {
            snprintf(why, n, "%s: %s", c->keys[g][0],
                     seen ? seen->state : "not on the record");
            return 0;
        }
    }
    const ld_field *major = field_get(r, "major");
    if (major && !match_ok(major)) {
        snprintf(why, n, "major: match %s", major->match_decision && *major->match_decision
                                                 ? "under review"
                                                 : "not decided");
        return 0;
    }
    return 1;
}

/* ---- where each key goes --------------------------------------------------------------- */

/* Which keys are archived, and the column each fills: fieldkeys.h. */

static const char *ok_value(const ld_record *r, const char *key)
{
    const ld_field *f = field_get(r, key);
    return field_ok(f) ? f->value : NULL;
}

/* ---- statements ------------------------------------------------------------------------- */

static int provenance_add(ld_ctx *c, int64_t study, const ld_field *f, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, "INSERT INTO provenance (study_id, key, field_id, value) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_text(st, 2, f->key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, f->id);
    arc_bind_opt(st, 4, f->value);
    return ld_done(c, st, "cannot write provenance", err);
}

static int source_add(ld_ctx *c, int64_t study, int64_t record, const char *role,
                      const char *by, int64_t run, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, "INSERT INTO study_source (study_id, record_id, role, linked_by, "
                       "load_run) VALUES (?1, ?2, ?3, ?4, ?5)", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 5, run);
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_int64(st, 2, record);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_TRANSIENT);
    return ld_done(c, st, "cannot write study source", err);
}

static int record_mark(ld_ctx *c, int64_t record, const char *state, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, "UPDATE record SET state = ?1 WHERE id = ?2 AND state != ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, record);
    if (ld_done(c, st, "cannot update record state", err))
        return DG_EDB;
    if (strcmp(state, "loaded") != 0)
        return DG_OK;
    if (db_cache_get(c->sc, "DELETE FROM load_wait WHERE record_id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, record);
    if (ld_done(c, st, "cannot clear load_wait", err))
        return DG_EDB;
    /* A conflict that no longer exists (the value was decided again) and
     * that nobody ever decided is derived data: drop it, no trace is lost. */
    if (db_cache_get(c->sc, "DELETE FROM review_item WHERE kind = 'conflict' AND record_id = ?1 "
                       "AND state = 'open' AND NOT EXISTS (SELECT 1 FROM review_decision d "
                       "WHERE d.item_id = review_item.id)", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, record);
    return ld_done(c, st, "cannot clear settled conflicts", err);
}

/* Rewrite the reason only when it changed, so a re-run is a no-op. */
static int record_wait(ld_ctx *c, int64_t record, const char *why, dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (record_mark(c, record, "pending", err))
        return DG_EDB;
    if (db_cache_get(c->sc, "INSERT INTO load_wait (record_id, reason, since) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (record_id) DO UPDATE SET reason = excluded.reason, "
                       "since = excluded.since WHERE reason != excluded.reason", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, record);
    sqlite3_bind_text(st, 2, why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    return ld_done(c, st, "cannot record why a record waits", err);
}

/* ---- new person and study -------------------------------------------------------------- */


static int person_insert(ld_ctx *c, const ld_record *r, const norm_keys *k, int64_t *id,
                         dg_err *err)
{
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, "INSERT INTO person (name_written, name_simplified, pinyin, "
                          "lookalike_key, birth, sex) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st, err))
        return DG_EDB;
    const ld_field *name = field_get(r, "name");
    sqlite3_bind_text(st, 1, name->written ? name->written : name->value, -1, SQLITE_TRANSIENT);
    arc_bind_opt(st, 2, k->simplified ? k->simplified : name->value);
    arc_bind_opt(st, 3, k->pinyin ? k->pinyin : "");
    arc_bind_opt(st, 4, k->lookalike ? k->lookalike : (k->simplified ? k->simplified : ""));
    arc_bind_opt(st, 5, ok_value(r, "birth_date"));
    arc_bind_opt(st, 6, ok_value(r, "sex"));
    if (ld_done(c, st, "cannot write person", err))
        return DG_EDB;
    *id = sqlite3_last_insert_rowid(c->db);
    return arc_person_readings(c->db, *id, k, 1, err);
}

/* Historical code and edition of the chosen match: the candidate path
 * ("1997:081202 name → 2022:0812 name") names both. */
static const char study_insert_sql[] =
    "INSERT INTO study_record (person_id, university, department, student_no, major_hist, "
    " major_code_hist, major_edition, code_2022, name_2022, enroll, grad, degree, "
    " certificate_no, supervisor, load_run, loaded) "
    "SELECT ?1, ?2, ?3, ?4, ?5, "
    " coalesce(?6, (SELECT CASE WHEN instr(path, ':') > 0 AND instr(path, ' ') > instr(path, ':') "
    "   THEN substr(path, instr(path, ':') + 1, instr(path, ' ') - instr(path, ':') - 1) END "
    "   FROM match_candidate WHERE field_id = ?16 AND code = ?8 ORDER BY rank LIMIT 1)), "
    " coalesce((SELECT edition FROM match_candidate WHERE field_id = ?16 AND code = ?8 "
    "   ORDER BY rank LIMIT 1), (SELECT edition FROM catalog_edition "
    "   WHERE year_from <= CAST(substr(coalesce(?10, ?11), 1, 4) AS INTEGER) "
    "   ORDER BY year_from DESC LIMIT 1)), "
    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?7";

static int study_insert(ld_ctx *c, const ld_record *r, int64_t person, int64_t *id,
                        dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, study_insert_sql, &st, err))
        return DG_EDB;
    const ld_field *major = field_get(r, "major");
    sqlite3_bind_int64(st, 1, person);
    arc_bind_opt(st, 2, r->university);
    arc_bind_opt(st, 3, ok_value(r, "department"));
    arc_bind_opt(st, 4, ok_value(r, "student_no"));
    arc_bind_opt(st, 5, ok_value(r, "major"));
    arc_bind_opt(st, 6, ok_value(r, "major_code"));
    sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    arc_bind_opt(st, 8, major ? major->match_code : NULL);
    arc_bind_opt(st, 9, major ? major->match_name : NULL);
    arc_bind_opt(st, 10, ok_value(r, "enroll_date"));
    arc_bind_opt(st, 11, ok_value(r, "grad_date"));
    arc_bind_opt(st, 12, ok_value(r, "degree"));
    arc_bind_opt(st, 13, ok_value(r, "certificate_no"));
    arc_bind_opt(st, 14, ok_value(r, "supervisor"));
    sqlite3_bind_int64(st, 15, c->run_id);
    sqlite3_bind_int64(st, 16, major ? major->id : 0);
    if (ld_done(c, st, "cannot write study record", err))
        return DG_EDB;
    *id = sqlite3_last_insert_rowid(c->db);
    return DG_OK;
}

/* A field of the record that the archive keeps (its provenance is written). */
static int is_archived_key(const char *key)
{
    const dg_field_key *k = dg_field_key_find(key);
    return k && (k->source == DG_FK_FIELD || k->source == DG_FK_WRITTEN);
}

/* One INSERT of all the record's archived values: a statement a value cost
 * more in starting and ending the statement than in the row. */
static int provenance_all(ld_ctx *c, const ld_record *r, int64_t study, dg_err *err)
{
    const ld_field *keep[LD_MAX_FIELDS];
    int n = 0;
    for (int i = 0; i < r->n; i++)
        if (field_ok(&r->f[i]) && is_archived_key(r->f[i].key))
            keep[n++] = &r->f[i];
    if (!n)
        return DG_OK;
    char sql[128 + LD_MAX_FIELDS * 24];
    size_t len = (size_t)snprintf(sql, sizeof sql, "INSERT INTO provenance (study_id, key, "
                                  "field_id, value) VALUES ");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s(?1, ?%d, ?%d, ?%d)",
                                i ? ", " : "", 2 + 3 * i, 3 + 3 * i, 4 + 3 * i);
    snprintf(sql + len, sizeof sql - len, " ON CONFLICT DO NOTHING");
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    for (int i = 0; i < n; i++) {
        sqlite3_bind_text(st, 2 + 3 * i, keep[i]->key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3 + 3 * i, keep[i]->id);
        arc_bind_opt(st, 4 + 3 * i, keep[i]->value);
    }
    return ld_done(c, st, "cannot write provenance", err);
}

/* The study record and its person as they now are, as an event of the
 * audit chain in the record's transaction: `audit verify` compares the
 * archive with the newest such event (kind load, link). */
static int study_event(ld_ctx *c, const char *kind, int64_t study, int64_t record, dg_err *err)
{
    static const char *const tables[] = {"study_record", "person"};
    int64_t ids[2] = {study, 0};
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, "SELECT person_id FROM study_record WHERE id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    if (sqlite3_step(st) == SQLITE_ROW)
        ids[1] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    char extra[96];
    snprintf(extra, sizeof extra, "{\"record\":%lld,\"run\":%lld}", (long long)record,
             (long long)c->run_id);
    if (!c->ab && audit_batch_begin(c->db, &c->ab, err))
        return DG_EDB;
    return audit_batch_add_rows(c->ab, NULL, kind, tables, ids, 2, extra, err);
}

static int load_new(ld_ctx *c, const ld_record *r, const norm_keys *k, dg_err *err)
{
    int64_t person, study;
    if (person_insert(c, r, k, &person, err) || study_insert(c, r, person, &study, err) ||
        source_add(c, study, r->id, "primary", "", c->run_id, err) ||
        provenance_all(c, r, study, err) || record_mark(c, r->id, "loaded", err) ||
        study_event(c, "load", study, r->id, err))
        return DG_EDB;
    c->sum->loaded++;
    return DG_OK;
}

/* ---- linking a second source ----------------------------------------------------------- */

/* Same name, and birth month and student number as arc_same_graduate says
 * (the rule the normalize stage finds a graduate's other source by); never
 * a study an operator said is someone else. */
static const char find_study_sql[] =
    "SELECT sr.id, p.birth, sr.student_no FROM study_record sr JOIN person p "
    "ON p.id = sr.person_id WHERE p.name_simplified = ?1 "
    /* arc_same_graduate in SQL, before the subqueries: a common name has
     * thousands of namesakes in a large archive, nearly all of them born on
     * another day or with another student number (the C check stays) */
    "  AND ((p.birth = ?2 AND (sr.student_no = ?3 OR coalesce(?3, '') = '' "
    "        OR coalesce(sr.student_no, '') = '')) "
    "    OR (sr.student_no = ?3 AND (coalesce(?2, '') = '' OR coalesce(p.birth, '') = ''))) "
    "  AND NOT EXISTS (SELECT 1 FROM review_item i WHERE i.kind = 'conflict' "
    "    AND i.record_id = ?4 AND i.study_id = sr.id AND i.state = 'rejected') "
    "  AND NOT EXISTS (SELECT 1 FROM study_source s JOIN record o ON o.id = s.record_id "
    "    WHERE s.study_id = sr.id AND +o.page_id = ?5) "
    "ORDER BY (sr.student_no = ?3) DESC, sr.id";

static int study_find(ld_ctx *c, const ld_record *r, const norm_keys *k, int64_t *study,
                      dg_err *err)
{
    sqlite3_stmt *st;
    *study = 0;
    if (db_cache_get(c->sc, find_study_sql, &st, err))
        return DG_EDB;
    arc_bind_opt(st, 1, k->simplified);
    arc_bind_opt(st, 2, ok_value(r, "birth_date"));
    arc_bind_opt(st, 3, ok_value(r, "student_no"));
    sqlite3_bind_int64(st, 4, r->id);
    sqlite3_bind_int64(st, 5, r->page_id);
    const char *birth = ok_value(r, "birth_date"), *sno = ok_value(r, "student_no");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (arc_same_graduate(birth, sno, COL(st, 1), COL(st, 2))) {
            *study = sqlite3_column_int64(st, 0);
            break;
        }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DG_OK : db_fail(c->db, err, "cannot find study");
}

/* The archived value of a key (provenance row), or the study's 2022 code
 * for the major: two sources may word a major differently but must agree
 * on what it is. */
static int archived_value(ld_ctx *c, int64_t study, const char *key, char **out, int *has,
                          dg_err *err)
{
    static const char prov_sql[] =
        "SELECT value FROM provenance WHERE study_id = ?1 AND key = ?2";
    static const char code_sql[] = "SELECT code_2022 FROM study_record WHERE id = ?1";
    int major = strcmp(key, "major") == 0;
    sqlite3_stmt *st;
    *out = NULL;
    *has = 0;
    if (db_cache_get(c->sc, major ? code_sql : prov_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    if (!major)
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *has = 1;
        *out = dg_strdup(COL(st, 0));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DG_OK
                                                 : db_fail(c->db, err, "cannot read archive");
}

/* 'open' (or new), 'accepted' or 'rejected' state of the conflict on f. */
static int conflict_raise(ld_ctx *c, const ld_record *r, int64_t study, const ld_field *f,
                          const char *archived, char *state, size_t n, dg_err *err)
{
    char now[32], detail[512];
    dg_now_iso(now);
    snprintf(detail, sizeof detail, "%s '%s' on record %lld, but study record %lld has '%s'",
             f->key, strcmp(f->key, "major") == 0 ? f->match_code : f->value,
             (long long)r->id, (long long)study, archived ? archived : "");
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, "INSERT INTO review_item (kind, field_id, record_id, page_id, study_id, "
                          "reason, detail, created) VALUES ('conflict', ?1, ?2, ?3, ?4, "
                          "'conflict', ?5, ?6) ON CONFLICT DO NOTHING", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, f->id);
    sqlite3_bind_int64(st, 2, r->id);
    sqlite3_bind_int64(st, 3, r->page_id);
    sqlite3_bind_int64(st, 4, study);
    sqlite3_bind_text(st, 5, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
    if (ld_done(c, st, "cannot raise conflict", err))
        return DG_EDB;
    if (sqlite3_changes(c->db))
        c->sum->conflicts++;
    if (db_cache_get(c->sc, "SELECT state FROM review_item WHERE kind = 'conflict' AND "
                          "field_id = ?1 AND record_id = ?2", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, f->id);
    sqlite3_bind_int64(st, 2, r->id);
    snprintf(state, n, "open");
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(state, n, "%s", COL(st, 0));
    sqlite3_reset(st);
    return DG_OK;
}

/* Count the keys on which r disagrees with the study and no operator has
 * accepted the difference; *gaps gets the keys the archive lacks. */
static int conflicts_check(ld_ctx *c, const ld_record *r, int64_t study, int *open,
                           int gaps[LD_MAX_FIELDS], dg_err *err)
{
    *open = 0;
    for (int i = 0; i < r->n; i++) {
        const ld_field *f = &r->f[i];
        gaps[i] = 0;
        if (!field_ok(f) || !is_archived_key(f->key) || strcmp(f->key, "name") == 0)
            continue;
        char *have;
        int has;
        if (archived_value(c, study, f->key, &have, &has, err))
            return DG_EDB;
        const char *mine = strcmp(f->key, "major") == 0 ? f->match_code : f->value;
        if (!has || !have) {
            gaps[i] = 1;
        } else if (!mine || strcmp(mine, have) != 0) {
            char state[16];
            int rc = conflict_raise(c, r, study, f, have, state, sizeof state, err);
            if (rc == DG_OK && strcmp(state, "accepted") != 0)
                (*open)++;
            if (rc) {
                free(have);
                return rc;
            }
        }
        free(have);
    }
    return DG_OK;
}

/* The column a field's value is copied to, NULL for the name (kept as written). */
static const char *column_for(const char *key, int *on_person)
{
    const dg_field_key *k = dg_field_key_find(key);
    if (!k || k->source != DG_FK_FIELD)
        return NULL;
    *on_person = k->home == DG_FK_PERSON;
    return k->column;
}

/* A value the primary source lacks comes from the linked one.  The column
 * name comes from our own fixed table, never from input. */
static int gap_fill(ld_ctx *c, int64_t study, const ld_field *f, dg_err *err)
{
    int on_person = 0;
    const char *col = column_for(f->key, &on_person);
    if (!col)
        return DG_OK;
    char sql[256];
    if (on_person)
        snprintf(sql, sizeof sql, "UPDATE person SET %s = ?1 WHERE %s IS NULL AND id = "
                 "(SELECT person_id FROM study_record WHERE id = ?2)", col, col);
    else
        snprintf(sql, sizeof sql, "UPDATE study_record SET %s = ?1 WHERE %s IS NULL AND id = ?2",
                 col, col);
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, sql, &st, err))
        return DG_EDB;
    arc_bind_opt(st, 1, f->value);
    sqlite3_bind_int64(st, 2, study);
    if (ld_done(c, st, "cannot fill archived value", err))
        return DG_EDB;
    return provenance_add(c, study, f, err);
}

/* Who linked it: the rule, or the operators who accepted the conflicts. */
static void linked_by(ld_ctx *c, const ld_record *r, char *out, size_t n)
{
    snprintf(out, n, "rule: same name, birth and student number");
    sqlite3_stmt *st;
    if (db_cache_get(c->sc, "SELECT group_concat(DISTINCT d.operator) FROM review_decision d "
                          "JOIN review_item i ON i.id = d.item_id WHERE i.kind = 'conflict' "
                          "AND i.record_id = ?1 AND i.state = 'accepted' AND d.verb IN ('accept', 'pick')",
                   &st, NULL))
        return;
    sqlite3_bind_int64(st, 1, r->id);
    if (sqlite3_step(st) == SQLITE_ROW && COL(st, 0))
        snprintf(out, n, "operator: %s", COL(st, 0));
    sqlite3_reset(st);
}

static int ensure_run(ld_ctx *c, dg_err *err)
{
    if (c->run_id)
        return DG_OK;
    audit_batch_free(&c->ab); /* the run's event moves the head: read it again */
    return db_run_begin(c->db, "load", "{}", &c->run_id, err);
}

/* 1 = linked, 0 = waits for a conflict decision. */
static int load_link(ld_ctx *c, const ld_record *r, int64_t study, int *linked, dg_err *err)
{
    int open, gaps[LD_MAX_FIELDS];
    *linked = 0;
    if (conflicts_check(c, r, study, &open, gaps, err))
        return DG_EDB;
    if (open) {
        char why[128];
        snprintf(why, sizeof why, "conflict with study record %lld", (long long)study);
        return record_wait(c, r->id, why, err);
    }
    for (int i = 0; i < r->n; i++)
        if (gaps[i] && gap_fill(c, study, &r->f[i], err))
            return DG_EDB;
    char by[256];
    linked_by(c, r, by, sizeof by);
    if (ensure_run(c, err) || source_add(c, study, r->id, "linked", by, c->run_id, err) ||
        record_mark(c, r->id, "loaded", err) || study_event(c, "link", study, r->id, err))
        return DG_EDB;
    *linked = 1;
    c->sum->linked++;
    return DG_OK;
}

/* ---- one record ------------------------------------------------------------------------ */

/* The keys of a written name, made once while the name stays in the cache
 * (*k points into it: valid until the next call). */
static int name_keys(ld_ctx *c, const char *name, const norm_keys **k, dg_err *err)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    ld_keys_slot *slot = &c->keys[h & (LD_KEYS_SLOTS - 1)];
    if (!slot->name || strcmp(slot->name, name) != 0) {
        norm_keys nk = {0};
        int rc = norm_name_keys(c->norm, name, &nk, err);
        char *copy = rc ? NULL : dg_strdup(name);
        if (!rc && !copy)
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
        if (rc) {
            norm_keys_release(&nk);
            return rc;
        }
        free(slot->name);
        norm_keys_release(&slot->k);
        slot->name = copy;
        slot->k = nk;
    }
    *k = &slot->k;
    return DG_OK;
}

static void name_keys_free(ld_ctx *c)
{
    for (int i = 0; c->keys && i < LD_KEYS_SLOTS; i++) {
        free(c->keys[i].name);
        norm_keys_release(&c->keys[i].k);
    }
    free(c->keys);
    c->keys = NULL;
}

static int record_load_tx(ld_ctx *c, const ld_record *r, int *waiting, dg_err *err)
{
    char why[256];
    *waiting = 0;
    if (!record_ready(r, &c->conf, why, sizeof why)) {
        *waiting = 1;
        return record_wait(c, r->id, why, err);
    }
    const norm_keys *k = NULL;
    int rc = name_keys(c, field_get(r, "name")->value, &k, err);
    int64_t study = 0;
    if (rc == DG_OK)
        rc = study_find(c, r, k, &study, err);
    if (rc == DG_OK && study) {
        int linked;
        rc = load_link(c, r, study, &linked, err);
        *waiting = !linked;
    } else if (rc == DG_OK) {
        rc = ensure_run(c, err);
        if (rc == DG_OK)
            rc = load_new(c, r, k, err);
    }
    return rc;
}

/* One record, inside the batch's transaction (load_all). */
static int record_load(ld_ctx *c, const ld_record *r, dg_err *err)
{
    int waiting = 0;
    int rc = record_load_tx(c, r, &waiting, err);
    if (rc == DG_OK && waiting)
        c->sum->pending++;
    return rc;
}

static int candidates(sqlite3 *db, int64_t **ids, long *n, dg_err *err)
{
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    if (db_prepare(db, "SELECT id FROM record WHERE state IN ('normalized', 'pending') "
                       "ORDER BY id", &st, err))
        return DG_EDB;
    long alloc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            int64_t *grown = realloc(*ids, (size_t)alloc * sizeof **ids);
            if (!grown) {
                sqlite3_finalize(st);
                return dg_err_set(err, DG_ENOMEM, "out of memory listing records");
            }
            *ids = grown;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return DG_OK;
}

/* Records a read (and, on the ordinary path, a transaction): a commit per
 * record would cost more than the record (issue #24: load >= 20,000
 * records/s); a transaction is still all or nothing, so a killed load
 * resumes after the last whole one. */
enum { LD_BATCH = 512 };
/* A bulk transaction (load_bulk.c) adds at most this many records: it holds
 * the write lock a few seconds, well inside another process's 30 s busy
 * timeout. */
enum { LD_BULK_MAX = 32768 };

/* Records of the next transaction from i; *bulk when it takes the bulk path:
 * the load adds conf.bulk_min records or more and the transaction at least a
 * quarter of what the archive holds (building an index again costs a few
 * microseconds a row it holds; keeping it up a row added, ten times that). */
static int next_tx(ld_ctx *c, long i, long n, long *end, int *bulk, dg_err *err)
{
    *bulk = 0;
    *end = n - i > LD_BATCH ? i + LD_BATCH : n;
    if (n - i < c->conf.bulk_min)
        return DG_OK;
    long size = n - i > LD_BULK_MAX ? LD_BULK_MAX : n - i;
    int64_t persons = 0;
    if (db_query_int(c->db, "SELECT count(*) FROM person", &persons, err))
        return DG_EDB;
    if (persons <= 4 * (int64_t)size) {
        *bulk = 1;
        *end = i + size;
    }
    return DG_OK;
}

static int load_all(ld_ctx *c, const arc_progress *prog, dg_err *err)
{
    int64_t *ids;
    long n;
    int rc = candidates(c->db, &ids, &n, err);
    ld_record *recs = rc ? NULL : calloc(LD_BATCH, sizeof *recs);
    if (!rc && !recs)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory reading records to load");
    for (long i = 0; rc == DG_OK && i < n;) {
        int64_t run_before = c->run_id;
        long end;
        int bulk;
        ld_bulk *dropped = NULL;
        if ((rc = db_begin(c->db, err)) != DG_OK)
            break;
        rc = next_tx(c, i, n, &end, &bulk, err);
        if (rc == DG_OK && bulk)
            rc = ld_bulk_drop(c->db, &dropped, err);
        for (long j = i; rc == DG_OK && j < end;) {
            long stop = end - j > LD_BATCH ? j + LD_BATCH : end;
            /* read inside the transaction: a record another load at the
             * same time has loaded since the list was made is left out (its
             * study source would be inserted twice, failing the whole load) */
            long nrecs = 0;
            rc = ld_records_read(c->sc, ids + j, stop - j, recs, &nrecs, err);
            arc_progress_report(prog, "load", j, n, NULL);
            for (long k = 0; rc == DG_OK && k < nrecs; k++)
                rc = record_load(c, &recs[k], err);
            ld_records_clear(recs, nrecs);
            j = stop;
        }
        if (rc == DG_OK && bulk)
            rc = ld_bulk_rebuild(c->db, dropped, err);
        ld_bulk_free(&dropped);
        i = end;
        audit_batch_free(&c->ab);
        if (rc == DG_OK)
            rc = db_commit(c->db, err);
        if (rc) {
            db_rollback(c->db);
            c->run_id = run_before; /* the run row rolled back with the batch */
        }
    }
    arc_progress_report(prog, "load", n, n, NULL);
    free(recs);
    free(ids);
    return rc;
}

/* ---- name keys -------------------------------------------------------------------------- */

/* Fingerprint of the tables name keys are folded with. */
static int name_tables_sha(char out[65], dg_err *err)
{
    static const char *const files[] = {"normalize/variants.tsv", "normalize/confusables.tsv",
                                        "normalize/polyphones.tsv",
                                        "names/surnames_wainshine.tsv"};
    dg_buf all, path;
    dg_buf_init(&all, 1 << 20); /* the tables are tens of kB */
    dg_buf_init(&path, 256);
    int rc = DG_OK;
    for (size_t i = 0; i < sizeof files / sizeof files[0] && rc == DG_OK; i++) {
        unsigned char *data = NULL;
        size_t len = 0;
        dg_buf_reset(&path);
        dg_buf_addf(&path, "%s/%s", arc_config_dir(), files[i]);
        rc = arc_read_file(path.data, &data, &len, err);
        if (rc == DG_OK && dg_buf_add(&all, data, len))
            rc = dg_err_set(err, DG_ENOMEM, "out of memory reading '%s'", path.data);
        free(data);
    }
    if (rc == DG_OK)
        dg_sha256_hex(all.data ? all.data : "", all.len, out);
    dg_buf_release(&all);
    dg_buf_release(&path);
    return rc;
}

/* *same = 1 when the stored fingerprint is sha; *persons = 1 when anyone is
 * archived. */
static int keys_fingerprint(sqlite3 *db, const char *sha, int *same, int *persons, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT EXISTS (SELECT 1 FROM name_keys_source WHERE id = 1 AND "
                       "sha256 = ?), EXISTS (SELECT 1 FROM person)", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    int row = sqlite3_step(st) == SQLITE_ROW;
    *same = row && sqlite3_column_int(st, 0);
    *persons = row && sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    return DG_OK;
}

int arc_name_keys_stale(sqlite3 *db, int *stale, dg_err *err)
{
    char sha[65];
    int same = 1, persons = 0;
    int rc = name_tables_sha(sha, err);
    rc = rc ? rc : keys_fingerprint(db, sha, &same, &persons, err);
    *stale = !rc && persons && !same;
    return rc;
}

static int person_rekey(ld_ctx *c, sqlite3_stmt *upd, int64_t id, const char *written,
                        dg_err *err)
{
    norm_keys k = {0};
    int rc = norm_name_keys(c->norm, written, &k, err);
    if (rc == DG_OK && k.simplified) {
        sqlite3_reset(upd);
        sqlite3_bind_text(upd, 1, k.simplified, -1, SQLITE_TRANSIENT);
        arc_bind_opt(upd, 2, k.pinyin ? k.pinyin : "");
        arc_bind_opt(upd, 3, k.lookalike ? k.lookalike : k.simplified);
        sqlite3_bind_int64(upd, 4, id);
        static const char *const table[] = {"person"};
        if (sqlite3_step(upd) != SQLITE_DONE)
            rc = db_fail(c->db, err, "cannot store the name keys of a person");
        else
            rc = arc_person_readings(c->db, id, &k, 0, err);
        rc = rc ? rc : audit_append_rows(c->db, NULL, "rekey", table, &id, 1, NULL, err);
        if (rc == DG_OK)
            c->sum->rekeyed++;
    }
    norm_keys_release(&k);
    return rc;
}

/* Every person's keys made again from name_written with the current
 * tables, and the tables' fingerprint stored, in one transaction; nothing
 * when the fingerprint is the stored one. */
static int refresh_name_keys(ld_ctx *c, dg_err *err)
{
    char sha[65];
    int rc = name_tables_sha(sha, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL, *upd = NULL;
    if (db_begin(c->db, err))
        return DG_EDB;
    int same = 0, persons = 0;
    rc = keys_fingerprint(c->db, sha, &same, &persons, err);
    if (rc == DG_OK && !same &&
        (db_prepare(c->db, "SELECT id, name_written FROM person ORDER BY id", &st, err) ||
         db_prepare(c->db, "UPDATE person SET name_simplified = ?1, pinyin = ?2, "
                           "lookalike_key = ?3 WHERE id = ?4", &upd, err)))
        rc = DG_EDB;
    while (rc == DG_OK && !same && sqlite3_step(st) == SQLITE_ROW)
        rc = person_rekey(c, upd, sqlite3_column_int64(st, 0),
                          (const char *)sqlite3_column_text(st, 1), err);
    sqlite3_finalize(st);
    sqlite3_finalize(upd);
    if (rc == DG_OK && !same) {
        char now[32];
        dg_now_iso(now);
        if (db_prepare(c->db, "INSERT INTO name_keys_source (id, sha256, updated) VALUES "
                              "(1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET sha256 = ?1, "
                              "updated = ?2", &st, err))
            rc = DG_EDB;
        else {
            sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = db_fail(c->db, err, "cannot record the name tables' fingerprint");
            sqlite3_finalize(st);
        }
    }
    if (rc == DG_OK)
        rc = db_commit(c->db, err) ? DG_EDB : DG_OK;
    if (rc)
        db_rollback(c->db);
    return rc;
}

int arc_load(sqlite3 *db, const char *conf_path, const arc_progress *prog,
             arc_load_summary *sum, dg_err *err)
{
    ld_ctx c = {.db = db, .sum = sum};
    memset(sum, 0, sizeof *sum);
    int rc = ld_conf_load(conf_path, &c.conf, err);
    if (rc == DG_OK)
        rc = norm_ctx_new(arc_config_dir(), &c.norm, err);
    if (rc == DG_OK)
        rc = db_cache_new(db, &c.sc, err);
    /* every record reads and writes pages of the same few indexes (person's
     * keys, provenance, the chain): a cache that holds them spares the
     * re-reads (64 MB at most) */
    if (rc == DG_OK)
        rc = db_exec(db, "PRAGMA cache_size = -65536", err);
    if (rc == DG_OK && !(c.keys = calloc(LD_KEYS_SLOTS, sizeof *c.keys)))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    if (rc == DG_OK)
        rc = db_runs_mark_interrupted(db, "load", err);
    if (rc == DG_OK)
        rc = refresh_name_keys(&c, err);
    /* study records of one graduate from merged shards whose conflicts an
     * operator has decided since: linked now, as a record would be here */
    arc_relink_summary rs = {0};
    if (rc == DG_OK)
        rc = arc_relink(db, 0, &rs, err);
    sum->linked += rs.linked;
    /* conflicts found by an earlier load are already items; refresh the rest */
    if (rc == DG_OK)
        rc = arc_review_refresh(db, err);
    /* provenance goes in one multi-row INSERT a record, which keeps a
     * statement journal: in memory, not a temp file written page by page */
    if (rc == DG_OK)
        rc = db_exec(db, "PRAGMA temp_store = MEMORY", err);
    if (rc == DG_OK)
        rc = load_all(&c, prog, err);
    if (rc == DG_OK)
        rc = db_exec(db, "PRAGMA temp_store = DEFAULT", err);
    /* and again for what this load found: a record it left waiting on a
     * required field never read gets its 'missing' item now, not at the next
     * list or load (a killed and resumed load would otherwise differ from
     * one that ran once) */
    if (rc == DG_OK)
        rc = arc_review_refresh(db, err);
    /* lookup's name prior (lookup_prior.c) made from the archive as it now
     * is, so no lookup process pays its seeks */
    if (rc == DG_OK && (sum->loaded || sum->rekeyed))
        rc = lk_prior_refresh(db, c.norm, arc_config_dir(), err);
    /* a load killed after its last records committed and before the prior
     * was made resumes with nothing to load: the prior is made then */
    else if (rc == DG_OK)
        rc = lk_prior_ensure(db, c.norm, arc_config_dir(), err);
    if (c.run_id) {
        char counts[160];
        snprintf(counts, sizeof counts,
                 "{\"loaded\":%ld,\"linked\":%ld,\"pending\":%ld,\"conflicts\":%ld}",
                 sum->loaded, sum->linked, sum->pending, sum->conflicts);
        db_run_end(db, c.run_id, rc ? "failed" : "done", counts, rc ? NULL : err);
    }
    norm_ctx_free(&c.norm);
    audit_batch_free(&c.ab);
    db_cache_free(&c.sc);
    name_keys_free(&c);
    return rc;
}
