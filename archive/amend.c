/*
 * amend.c - changing an archived value after load: an amendment.
 *
 * The person / study_record column and provenance.value hold the current
 * version; each amendment row keeps the version it replaced with who, when,
 * why and the review decision that made it, so every earlier version stays
 * readable (`dangan provenance` lists them).  arc_amend_apply is the one
 * place the archive changes after load: review decisions on loaded records
 * (arc_amend_decision), QA corrections (which are review decisions) and
 * `dangan amend` (arc_amend) all come through it.
 */
#include "archive_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "fieldkeys.h"
#include "normalize.h"

#define COL(st, i) ((const char *)sqlite3_column_text((st), (i)))

/* The archived key's table row, or a refusal listing the keys there are. */
static int archived_key(const char *key, const dg_field_key **out, dg_err *err)
{
    int i = dg_field_key_index(key);
    if (i >= 0 && dg_field_keys[i].column) {
        *out = &dg_field_keys[i];
        return DG_OK;
    }
    dg_buf b;
    dg_buf_init(&b, 0);
    for (int j = 0; j < DG_NARCHIVED; j++)
        dg_buf_addf(&b, "%s%s", j ? ", " : "", dg_field_keys[j].key);
    dg_err_set(err, DG_EUSAGE, "'%s' is not an archived value; archived are: %s", key ? key : "",
               b.data ? b.data : "");
    dg_buf_release(&b);
    return DG_EUSAGE;
}

typedef struct archived {
    int64_t person;
    char *value;      /* current version (NULL: none) */
    int64_t field;    /* provenance.field_id of this study's value, 0: none */
} archived;

/* Column names come from the fixed key table (fieldkeys.c), never input. */
static int archived_read(sqlite3 *db, int64_t study, const dg_field_key *k, archived *a,
                         dg_err *err)
{
    char sql[256];
    memset(a, 0, sizeof *a);
    if (k->home == DG_FK_PERSON)
        snprintf(sql, sizeof sql, "SELECT s.person_id, p.%s FROM study_record s JOIN person p "
                 "ON p.id = s.person_id WHERE s.id = ?1", k->column);
    else
        snprintf(sql, sizeof sql, "SELECT person_id, %s FROM study_record WHERE id = ?1",
                 k->column);
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->person = sqlite3_column_int64(st, 0);
        a->value = dg_strdup(COL(st, 1));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return dg_err_set(err, DG_ENOTFOUND, "no study record %lld", (long long)study);
    if (rc != SQLITE_ROW)
        return db_fail(db, err, "cannot read the archived value");
    if (db_prepare(db, "SELECT field_id FROM provenance WHERE study_id = ?1 AND key = ?2", &st,
                   err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_text(st, 2, k->key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        a->field = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return DG_OK;
}

/* The name's column and the search keys lookup finds it by, made as load
 * makes them (norm_name_keys of the normalized name). */
static int name_write(sqlite3 *db, norm_ctx *norm, int64_t person, const char *value,
                      const char *written, dg_err *err)
{
    norm_ctx *own = NULL;
    if (!norm && norm_ctx_new(arc_config_dir(), &own, err))
        return DG_ERR;
    norm_keys k = {0};
    int rc = norm_name_keys(norm ? norm : own, value, &k, err);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = db_prepare(db, "UPDATE person SET name_written = ?1, name_simplified = ?2, "
                            "pinyin = ?3, lookalike_key = ?4 WHERE id = ?5", &st, err);
    if (!rc) {
        sqlite3_bind_text(st, 1, written ? written : value, -1, SQLITE_TRANSIENT);
        arc_bind_opt(st, 2, k.simplified ? k.simplified : value);
        arc_bind_opt(st, 3, k.pinyin ? k.pinyin : "");
        arc_bind_opt(st, 4, k.lookalike ? k.lookalike : (k.simplified ? k.simplified : value));
        sqlite3_bind_int64(st, 5, person);
        rc = arc_step_done(db, st, "cannot amend the name", err);
    }
    rc = rc ? rc : arc_person_readings(db, person, &k, 0, err);
    norm_keys_release(&k);
    norm_ctx_free(&own);
    return rc;
}

static int column_write(sqlite3 *db, const dg_field_key *k, int64_t study, int64_t person,
                        const char *value, dg_err *err)
{
    char sql[160];
    if (k->home == DG_FK_PERSON)
        snprintf(sql, sizeof sql, "UPDATE person SET %s = ?1 WHERE id = ?2", k->column);
    else
        snprintf(sql, sizeof sql, "UPDATE study_record SET %s = ?1 WHERE id = ?2", k->column);
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    arc_bind_opt(st, 1, value);
    sqlite3_bind_int64(st, 2, k->home == DG_FK_PERSON ? person : study);
    return arc_step_done(db, st, "cannot amend the archived value", err);
}

/* provenance.value follows the column (for a person's value: in every study
 * of the person); the study's row moves to the field the value was read
 * from, when there is one. */
static int provenance_write(sqlite3 *db, const dg_field_key *k, int64_t study, int64_t person,
                            const arc_amend_req *req, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, k->home == DG_FK_PERSON
                           ? "UPDATE provenance SET value = ?1 WHERE key = ?2 AND study_id IN "
                             "(SELECT id FROM study_record WHERE person_id = ?3)"
                           : "UPDATE provenance SET value = ?1 WHERE key = ?2 AND study_id = ?3",
                   &st, err))
        return DG_EDB;
    arc_bind_opt(st, 1, req->value);
    sqlite3_bind_text(st, 2, k->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, k->home == DG_FK_PERSON ? person : study);
    if (arc_step_done(db, st, "cannot amend provenance", err))
        return DG_EDB;
    if (!req->field || k->source == DG_FK_DERIVED)
        return DG_OK;
    if (db_prepare(db, "INSERT INTO provenance (study_id, key, field_id, value) VALUES (?1, ?2, "
                       "?3, ?4) ON CONFLICT (study_id, key) DO UPDATE SET field_id = "
                       "excluded.field_id, value = excluded.value", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_text(st, 2, k->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, req->field);
    arc_bind_opt(st, 4, req->value);
    return arc_step_done(db, st, "cannot amend provenance", err);
}

static int amendment_insert(sqlite3 *db, const dg_field_key *k, const arc_amend_req *req,
                            const char *stored, const archived *a, int64_t *id, dg_err *err)
{
    char now[32], column[80];
    dg_now_iso(now);
    snprintf(column, sizeof column, "%s.%s", k->home == DG_FK_PERSON ? "person" : "study_record",
             k->column);
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO amendment (study_id, person_id, key, column_name, before, "
                       "after, operator, amended, reason, decision_id, field_id, before_field) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, req->study);
    sqlite3_bind_int64(st, 2, a->person);
    sqlite3_bind_text(st, 3, k->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, column, -1, SQLITE_TRANSIENT);
    arc_bind_opt(st, 5, a->value);
    arc_bind_opt(st, 6, stored);
    sqlite3_bind_text(st, 7, req->operator_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, req->reason, -1, SQLITE_TRANSIENT);
    if (req->decision)
        sqlite3_bind_int64(st, 10, req->decision);
    if (req->field)
        sqlite3_bind_int64(st, 11, req->field);
    if (a->field)
        sqlite3_bind_int64(st, 12, a->field);
    if (arc_step_done(db, st, "cannot record the amendment", err))
        return DG_EDB;
    *id = sqlite3_last_insert_rowid(db);
    return DG_OK;
}

int arc_amend_apply(sqlite3 *db, norm_ctx *norm, const arc_amend_req *req, int64_t *id,
                    dg_err *err)
{
    const dg_field_key *k;
    *id = 0;
    if (archived_key(req->key, &k, err))
        return DG_EUSAGE;
    if (!req->reason || !*req->reason || !req->operator_name || !*req->operator_name)
        return dg_err_set(err, DG_EUSAGE, "an amendment of study record %lld needs a reason "
                          "and an operator", (long long)req->study);
    archived a;
    int rc = archived_read(db, req->study, k, &a, err);
    if (!rc && k->source != DG_FK_DERIVED && !a.field && !req->field)
        rc = dg_err_set(err, DG_EUSAGE, "study record %lld has no '%s' read from any scan: an "
                        "amendment replaces an archived value and keeps its provenance; decide "
                        "the field of a source record in review instead",
                        (long long)req->study, k->key);
    if (!rc && k->source == DG_FK_WRITTEN && (!req->value || !*req->value))
        rc = dg_err_set(err, DG_EUSAGE, "the name of study record %lld cannot be removed from "
                        "the archive, only corrected", (long long)req->study);
    /* The name's column holds it as written: compare and record that. */
    const char *stored = k->source == DG_FK_WRITTEN && req->written ? req->written : req->value;
    int same = !rc && dg_str_same(a.value, stored) && (!req->field || req->field == a.field);
    if (!rc && !same)
        rc = k->source == DG_FK_WRITTEN
                 ? name_write(db, norm, a.person, req->value, req->written, err)
                 : column_write(db, k, req->study, a.person, req->value, err);
    if (!rc && !same)
        rc = provenance_write(db, k, req->study, a.person, req, err);
    if (!rc && !same)
        rc = amendment_insert(db, k, req, stored, &a, id, err);
    /* The chain carries the rows as amended, so `audit verify` can tell this
     * change from a quiet edit of the same columns. */
    if (!rc && !same) {
        static const char *const tables[] = {"study_record", "person", "amendment"};
        const int64_t ids[] = {req->study, a.person, *id};
        rc = audit_append_rows(db, req->operator_name, "amend", tables, ids, 3, NULL, err);
    }
    free(a.value);
    return rc;
}

/* ---- review decisions on loaded records ---------------------------------------------- */

typedef struct decided_field {
    int64_t study, record;
    char key[64], state[16];
    char *value, *written, *code, *name;
    int64_t archived_from; /* provenance.field_id of the key in the study, 0: none */
} decided_field;

static void decided_release(decided_field *f)
{
    free(f->value), free(f->written), free(f->code), free(f->name);
}

/* The field after the decision, with the name as written (the operator's
 * typing when corrected, as load takes it), and the study its record is in. */
static int decided_read(sqlite3 *db, int64_t field, int64_t study, decided_field *f,
                        dg_err *err)
{
    sqlite3_stmt *st;
    memset(f, 0, sizeof *f);
    if (db_prepare(db, "SELECT coalesce(ss.study_id, ?2), f.record_id, f.key, f.state, f.value, "
                       " coalesce((SELECT s.after FROM field_step s WHERE s.field_id = f.id AND "
                       "  s.rule IN ('" ARC_STEP_CORRECT "', '" ARC_STEP_CORRECT_AS_IS "') "
                       "  ORDER BY s.seq DESC LIMIT 1), f.raw, f.value), "
                       " f.match_code, f.match_name, "
                       " (SELECT field_id FROM provenance WHERE study_id = "
                       "  coalesce(ss.study_id, ?2) AND key = f.key) "
                       "FROM field f LEFT JOIN study_source ss ON ss.record_id = f.record_id "
                       "WHERE f.id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, field);
    sqlite3_bind_int64(st, 2, study);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        f->study = sqlite3_column_int64(st, 0);
        f->record = sqlite3_column_int64(st, 1);
        snprintf(f->key, sizeof f->key, "%s", COL(st, 2));
        snprintf(f->state, sizeof f->state, "%s", COL(st, 3));
        f->value = dg_strdup(COL(st, 4));
        f->written = dg_strdup(COL(st, 5));
        f->code = dg_strdup(COL(st, 6));
        f->name = dg_strdup(COL(st, 7));
        f->archived_from = sqlite3_column_int64(st, 8);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DG_OK
                                                 : db_fail(db, err, "cannot read the field");
}

static int amend_one(sqlite3 *db, norm_ctx *norm, const decided_field *f, const char *key,
                     const char *value, const char *written, const arc_amend_decision_req *d,
                     dg_err *err)
{
    char reason[512];
    snprintf(reason, sizeof reason, "review %s of item %lld%s%s", d->verb, (long long)d->item,
             d->note && *d->note ? ": " : "", d->note ? d->note : "");
    arc_amend_req req = {f->study, key, value, written, reason, d->operator_name,
                         d->decision, d->field};
    int64_t id;
    return arc_amend_apply(db, norm, &req, &id, err);
}

static int item_study(sqlite3 *db, int64_t item, int64_t *study, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT coalesce(study_id, 0) FROM review_item WHERE id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, item);
    *study = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return DG_OK;
}

int arc_amend_undo_check(sqlite3 *db, int64_t item, int64_t decision, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT group_concat('#' || id, ', ') FROM amendment WHERE "
                       "decision_id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, decision);
    char *ids = sqlite3_step(st) == SQLITE_ROW ? dg_strdup(COL(st, 0)) : NULL;
    sqlite3_finalize(st);
    int rc = DG_OK;
    if (ids)
        rc = dg_err_set(err, DG_ECONFLICT, "cannot undo decision #%lld of review item %lld: it "
                        "amended the archive (amendment %s); amend the value again instead "
                        "('dangan amend')", (long long)decision, (long long)item, ids);
    free(ids);
    return rc;
}

int arc_amend_decision(sqlite3 *db, norm_ctx *norm, const arc_amend_decision_req *d,
                       dg_err *err)
{
    /* A conflict is on a record not loaded yet: its study is the item's;
     * only pick 2 (this record's value is right) changes the archive. */
    int conflict = strcmp(d->kind, "conflict") == 0;
    if (conflict && (strcmp(d->verb, "pick") != 0 || d->candidate != 2))
        return DG_OK;
    int64_t study = 0;
    if (conflict && item_study(db, d->item, &study, err))
        return DG_EDB;
    decided_field f;
    int rc = decided_read(db, d->field, study, &f, err);
    if (rc || !f.study) { /* not in the archive: nothing to amend */
        decided_release(&f);
        return rc;
    }
    const dg_field_key *k = dg_field_key_find(f.key);
    int kept = k && (k->source == DG_FK_FIELD || k->source == DG_FK_WRITTEN);
    int rejected = strcmp(f.state, "rejected") == 0;
    if (conflict && strcmp(f.key, "major") == 0) {
        rc = amend_one(db, norm, &f, "current_code", f.code, NULL, d, err);
        if (!rc)
            rc = amend_one(db, norm, &f, "current_name", f.name, NULL, d, err);
    } else if (conflict) {
        rc = kept && f.value ? amend_one(db, norm, &f, f.key, f.value,
                                         k->source == DG_FK_WRITTEN ? f.written : NULL, d, err)
                             : dg_err_set(err, DG_EUSAGE, "cannot pick 2 on review item %lld: "
                                          "record %lld has no %s value the archive keeps",
                                          (long long)d->item, (long long)f.record, f.key);
    } else if (strcmp(d->kind, "match") == 0) {
        if (rejected)
            rc = dg_err_set(err, DG_EUSAGE, "cannot reject the match of review item %lld: "
                            "record %lld is in the archive as study record %lld with the 2022 "
                            "discipline matched from it; pick a candidate or type the code "
                            "('dangan review correct %lld CODE')", (long long)d->item,
                            (long long)f.record, (long long)f.study, (long long)d->item);
        if (!rc && f.code)
            rc = amend_one(db, norm, &f, "current_code", f.code, NULL, d, err);
        if (!rc && f.code)
            rc = amend_one(db, norm, &f, "current_name", f.name, NULL, d, err);
    } else if (kept && rejected) {
        /* Only a reading the archive took can be taken back out of it. */
        if (f.archived_from == d->field && k->source == DG_FK_WRITTEN)
            rc = dg_err_set(err, DG_EUSAGE, "cannot reject review item %lld: the name of study "
                            "record %lld was loaded from it; correct it instead ('dangan review "
                            "correct %lld NAME')", (long long)d->item, (long long)f.study,
                            (long long)d->item);
        else if (f.archived_from == d->field)
            rc = amend_one(db, norm, &f, f.key, NULL, NULL, d, err);
    } else if (kept && strcmp(f.state, "verified") == 0 && f.value) {
        rc = amend_one(db, norm, &f, f.key, f.value,
                       k->source == DG_FK_WRITTEN ? f.written : NULL, d, err);
    }
    decided_release(&f);
    return rc;
}

/* ---- `dangan amend` ------------------------------------------------------------------ */

/* The study's primary record (its context year resolves two-digit years). */
static int64_t primary_record(sqlite3 *db, int64_t study)
{
    sqlite3_stmt *st;
    int64_t r = 0;
    if (db_prepare(db, "SELECT record_id FROM study_source WHERE study_id = ?1 ORDER BY "
                       "role = 'primary' DESC, record_id LIMIT 1", &st, NULL))
        return 0;
    sqlite3_bind_int64(st, 1, study);
    if (sqlite3_step(st) == SQLITE_ROW)
        r = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return r;
}

/* The typed value as the archive stores it: through the key's normalizer
 * (refused when it flags it), verbatim with as_is, and verbatim for the
 * values that are no field (university, the 2022 code and name). */
static int amend_normalize(sqlite3 *db, norm_ctx *norm, const arc_amend_opts *o,
                           const dg_field_key *k, norm_result *r, dg_err *err)
{
    int year = 0;
    int64_t rec = primary_record(db, o->study);
    if (rec && arc_record_context_year(db, norm, rec, &year, err))
        return DG_EDB;
    dg_err e = {0};
    int rc = arc_normalize_value(norm, k->key, o->value, year, r, &e);
    if (rc == DG_EINPUT)
        return dg_err_set(err, DG_EUSAGE, "cannot amend %s of study record %lld: %s", k->key,
                          (long long)o->study, e.msg);
    if (rc)
        return dg_err_set(err, rc, "%s", e.msg);
    if (r->flag || !r->value || !r->value[0])
        return dg_err_set(err, DG_EUSAGE, "cannot amend %s of study record %lld: '%s' is not a "
                          "valid %s (%s); type it again, or add --as-is to store it exactly as "
                          "typed", k->key, (long long)o->study, o->value, k->key,
                          r->flag ? r->flag : "it normalizes to nothing");
    return DG_OK;
}

/* A typed 2022 code must be one of the target catalog (as a match decision's
 * typed code must); its name is amended with it. */
static int target_name(sqlite3 *db, const arc_amend_opts *o, char **name, dg_err *err)
{
    sqlite3_stmt *st;
    *name = NULL;
    if (db_prepare(db, "SELECT name FROM discipline WHERE code = ?1 AND edition = (SELECT "
                       "edition FROM catalog_edition ORDER BY year_from DESC LIMIT 1)", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, o->value, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        *name = dg_strdup(COL(st, 0));
    sqlite3_finalize(st);
    return *name ? DG_OK
                 : dg_err_set(err, DG_EUSAGE, "cannot amend current_code of study record %lld: "
                              "'%s' is not a code of the target discipline catalog (is 'dangan "
                              "catalog import' done?); --as-is stores it anyway",
                              (long long)o->study, o->value);
}

int arc_amend(sqlite3 *db, const arc_amend_opts *o, arc_amend_result *out, dg_err *err)
{
    const dg_field_key *k;
    memset(out, 0, sizeof *out);
    if (archived_key(o->key, &k, err))
        return DG_EUSAGE;
    if (!o->value || !*o->value)
        return dg_err_set(err, DG_EUSAGE, "amending %s of study record %lld needs a value",
                          k->key, (long long)o->study);
    norm_ctx *norm = NULL;
    int normalizes = !o->as_is && k->source != DG_FK_DERIVED;
    if ((normalizes || k->source == DG_FK_WRITTEN) && norm_ctx_new(arc_config_dir(), &norm, err))
        return DG_ERR;
    norm_result r = {0};
    int rc = db_begin(db, err) ? DG_EDB : DG_OK;
    if (!rc && normalizes)
        rc = amend_normalize(db, norm, o, k, &r, err);
    const char *value = normalizes ? r.value : o->value;
    char *name = NULL;
    int coded = !o->as_is && strcmp(k->key, "current_code") == 0;
    if (!rc && coded)
        rc = target_name(db, o, &name, err);
    if (!rc) {
        arc_amend_req req = {o->study, k->key, value, o->value, o->reason, o->operator_name,
                             0, 0};
        rc = arc_amend_apply(db, norm, &req, &out->id, err);
    }
    if (!rc && coded) {
        int64_t name_id;
        arc_amend_req req = {o->study, "current_name", name, NULL, o->reason, o->operator_name,
                             0, 0};
        rc = arc_amend_apply(db, norm, &req, &name_id, err);
    }
    free(name);
    if (!rc) {
        out->value = dg_strdup(value);
        rc = db_commit(db, err);
    }
    if (rc) {
        db_rollback(db);
        free(out->value);
        memset(out, 0, sizeof *out);
    }
    norm_result_release(&r);
    norm_ctx_free(&norm);
    return rc;
}

void arc_amend_result_release(arc_amend_result *r)
{
    free(r->value);
    memset(r, 0, sizeof *r);
}

/* ---- the versions of a value, for provenance ---------------------------------------- */

/* Amendments of (study, key): a person's value is one across the person's
 * studies; the major's history includes its 2022 code and name. */
#define AMENDMENTS_OF                                                                            \
    "FROM amendment a WHERE (a.key = ?2 OR (?2 = 'major' AND a.key IN ('current_code', "         \
    "'current_name'))) AND (a.study_id = ?1 OR (a.column_name LIKE 'person.%' AND "               \
    "a.person_id = (SELECT person_id FROM study_record WHERE id = ?1))) "

int arc_amend_history(sqlite3 *db, int64_t study, const char *key, arc_lines *out, dg_err *err)
{
    static const char sql[] =
        "SELECT CASE WHEN n = 1 THEN 'v1 ' || CASE WHEN key = ?2 THEN '' ELSE key || ' ' END || "
        "coalesce(quote(before), 'NULL') || ' as loaded (run ' || (SELECT load_run || ' at ' || "
        "loaded FROM study_record WHERE id = ?1) || ')' ELSE NULL END, "
        "'v' || (n + 1) || ' ' || CASE WHEN key = ?2 THEN '' ELSE key || ' ' END || "
        "coalesce(quote(after), 'NULL') || ' by ' || operator || ' at ' || amended || ': ' || "
        "reason || coalesce(' (review decision #' || decision_id || ')', '') || "
        "coalesce(', read from field ' || field_id, '') "
        "FROM (SELECT a.*, row_number() OVER (PARTITION BY a.key ORDER BY a.id) AS n "
        AMENDMENTS_OF ") ORDER BY id";
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    /* Column 0 (v1, as loaded) is NULL but on the first amendment of a key. */
    return arc_lines_collect(db, st, 2, 1, out, "amendments", err);
}

int arc_amend_of_decision(sqlite3 *db, int64_t decision, arc_lines *out, dg_err *err)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    if (db_prepare(db, "SELECT 'study record ' || study_id || ': ' || key || ' ' || "
                       "coalesce(quote(before), 'NULL') || ' -> ' || coalesce(quote(after), "
                       "'NULL') || ' (amendment #' || id || ')' FROM amendment "
                       "WHERE decision_id = ?1 ORDER BY id", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, decision);
    return arc_lines_collect(db, st, 1, 0, out, "amendments", err);
}
