/*
 * review_decide.c - an operator's decision on a review item (accept, pick,
 * correct, reject); undo is review_undo.c, the items a new mapping rule
 * settles elsewhere review_rule.c.
 *
 * Every decision is one BEGIN IMMEDIATE transaction that (1) checks the item
 * is still open at the version the operator saw, (2) changes the field,
 * (3) bumps the item's version and (4) appends a review_decision row with
 * snapshots of the field before and after.  Two operators deciding the
 * same item queue on the write lock; the second finds the item decided and
 * gets DG_ECONFLICT, so no decision is lost or silently overwritten.  Undo
 * restores the "before" snapshot of the latest decision not yet undone,
 * and is itself a decision row.
 *
 * A correction of a field is normalized like the stage would normalize it
 * (one dispatch, arc_normalize_value), so an operator's "1960.11" is stored
 * as the archive's "1960-11", and field_step keeps what was typed and each
 * rewriting step after it.  A pick on a field item is that correction with
 * the value of one of the readings review show lists, so the operator
 * chooses what a reader saw instead of typing it.
 */
#include "review_decide.h"
#include "audit.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "fieldkeys.h"
#include "normalize.h"

/* Step rules a correction appends; undo removes from the latest one on. */
#define STEP_CORRECT ARC_STEP_CORRECT
#define STEP_CORRECT_AS_IS ARC_STEP_CORRECT_AS_IS

void arc_rd_snap_release(snap *s)
{
    free(s->state);
    free(s->value);
    free(s->match);
    memset(s, 0, sizeof *s);
}

char *arc_rd_col_dup(sqlite3_stmt *st, int i)
{
    return dg_strdup((const char *)sqlite3_column_text(st, i));
}

void arc_rd_copy_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    snprintf(out, n, "%s", s ? s : "");
}

int arc_rd_item_load(sqlite3 *db, int64_t id, item_row *it, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT kind, state, coalesce(field_id, 0), coalesce(record_id, 0), "
                       "coalesce(page_id, 0), version FROM review_item WHERE id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        it->id = id;
        arc_rd_copy_col(st, 0, it->kind, sizeof it->kind);
        arc_rd_copy_col(st, 1, it->state, sizeof it->state);
        it->field_id = sqlite3_column_int64(st, 2);
        it->record_id = sqlite3_column_int64(st, 3);
        it->page_id = sqlite3_column_int64(st, 4);
        it->version = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return dg_err_set(err, DG_ENOTFOUND, "no review item %lld", (long long)id);
    return rc == SQLITE_ROW ? DG_OK : db_fail(db, err, "cannot read review item");
}

int arc_rd_snap_take(sqlite3 *db, const item_row *it, snap *s, dg_err *err)
{
    static const char field_sql[] =
        "SELECT state, value, json_object('decision', match_decision, 'code', match_code, "
        "'name', match_name, 'rule', match_rule, 'detail', value_detail) FROM field "
        "WHERE id = ?1";
    static const char page_sql[] = "SELECT state, NULL, NULL FROM page WHERE id = ?1";
    sqlite3_stmt *st;
    memset(s, 0, sizeof *s);
    if (db_prepare(db, it->field_id ? field_sql : page_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, it->field_id ? it->field_id : it->page_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->state = arc_rd_col_dup(st, 0);
        s->value = arc_rd_col_dup(st, 1);
        s->match = arc_rd_col_dup(st, 2);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW || !s->state) {
        arc_rd_snap_release(s);
        return dg_err_set(err, DG_ENOTFOUND, "review item %lld points at a %s that is gone",
                          (long long)it->id, it->field_id ? "field" : "page");
    }
    return DG_OK;
}

/* Run one write statement with up to three text binds and one int bind. */
int arc_rd_exec_bind(sqlite3 *db, const char *sql, const char *t1, const char *t2,
                     const char *t3, int64_t i4, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    const char *t[3] = {t1, t2, t3};
    for (int i = 0; i < 3; i++)
        if (t[i])
            sqlite3_bind_text(st, i + 1, t[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, i4);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot record the decision");
}

/* The message the second of two operators sees. */
int arc_rd_refuse_decided(sqlite3 *db, const item_row *it, const char *why, dg_err *err)
{
    sqlite3_stmt *st;
    char who[128] = "someone", when[64] = "an unknown time";
    if (db_prepare(db, "SELECT operator, decided FROM review_decision WHERE item_id = ?1 "
                       "ORDER BY id DESC LIMIT 1", &st, err) == 0) {
        sqlite3_bind_int64(st, 1, it->id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            arc_rd_copy_col(st, 0, who, sizeof who);
            arc_rd_copy_col(st, 1, when, sizeof when);
        }
        sqlite3_finalize(st);
    }
    return dg_err_set(err, DG_ECONFLICT, "review item %lld %s by %s at %s; run 'dangan review show %lld'",
                      (long long)it->id, why, who, when, (long long)it->id);
}

static int check_open(sqlite3 *db, const item_row *it, const arc_review_req *req, dg_err *err)
{
    if (strcmp(it->state, "open") != 0)
        return arc_rd_refuse_decided(db, it, "was already decided", err);
    if (req->expect_version >= 0 && req->expect_version != it->version)
        return arc_rd_refuse_decided(db, it, "changed since you looked at it (last decision", err);
    return DG_OK;
}

/* ---- applying a verb --------------------------------------------------------------- */

typedef struct outcome {
    const char *item_state;
    int64_t rule_id;
    int candidate;
} outcome;

static int not_for_kind(const item_row *it, const char *verb, const char *hint, dg_err *err)
{
    return dg_err_set(err, DG_EUSAGE, "cannot %s review item %lld: it is a %s item; %s", verb,
                      (long long)it->id, it->kind, hint);
}

/* Append the correction's steps after the field's last one: what was typed
 * over the old value (rule), then the normalizer's steps (r may be NULL). */
static int correct_steps(sqlite3 *db, int64_t field, const char *rule, const char *old,
                         const char *typed, const norm_result *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO field_step (field_id, seq, rule, before, after) VALUES (?1, "
                       "(SELECT coalesce(max(seq), 0) + 1 FROM field_step WHERE field_id = ?1), "
                       "?2, ?3, ?4)", &st, err))
        return DG_EDB;
    size_t n = r ? r->nsteps : 0;
    int rc = SQLITE_DONE;
    for (size_t i = 0; i <= n && rc == SQLITE_DONE; i++) {
        const norm_step *s = i ? &r->steps[i - 1] : NULL;
        const char *t[3] = {s ? s->rule : rule, s ? s->before : old, s ? s->after : typed};
        sqlite3_bind_int64(st, 1, field);
        for (int j = 0; j < 3; j++)
            sqlite3_bind_text(st, j + 2, t[j] ? t[j] : "", -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot record the correction's steps");
}

/* The field's key, value and record, for a correction. */
static int field_read(sqlite3 *db, int64_t field, char key[64], char **value, int64_t *record,
                      dg_err *err)
{
    sqlite3_stmt *st;
    *value = NULL;
    if (db_prepare(db, "SELECT key, value, record_id FROM field WHERE id = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, field);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        arc_rd_copy_col(st, 0, key, 64);
        *value = arc_rd_col_dup(st, 1);
        *record = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return dg_err_set(err, DG_ENOTFOUND, "field %lld is gone", (long long)field);
    return DG_OK;
}

/* "correct review item 7" / "pick candidate 2 of review item 7", and what
 * to do instead, for the refusals of a value. */
static const char *refused_what(const item_row *it, const arc_review_req *req, char *buf,
                                size_t n)
{
    if (strcmp(req->verb, "pick") == 0)
        snprintf(buf, n, "pick candidate %d of review item %lld", req->candidate,
                 (long long)it->id);
    else
        snprintf(buf, n, "correct review item %lld", (long long)it->id);
    return buf;
}

static const char *refused_hint(const item_row *it, const arc_review_req *req, char *buf,
                                size_t n)
{
    if (strcmp(req->verb, "pick") == 0)
        snprintf(buf, n, "pick another, or type it with 'dangan review correct %lld VALUE' "
                 "(--as-is to store it exactly as typed)", (long long)it->id);
    else
        snprintf(buf, n, "type it again, or add --as-is to store it exactly as typed");
    return buf;
}

/*
 * Normalize the typed value with the field key's normalizer, refusing what
 * the normalizer would not accept from OCR either: an operator's typo must
 * not enter the archive as verified.  On success *r holds the value.
 */
static int correct_normalize(sqlite3 *db, norm_ctx *norm, const item_row *it,
                             const arc_review_req *req, const char *key, int64_t record,
                             norm_result *r, dg_err *err)
{
    int year = 0;
    dg_err e = {0};
    char what[96], hint[160];
    int rc = arc_record_context_year(db, norm, record, &year, err);
    if (rc)
        return rc;
    rc = arc_normalize_value(norm, key, req->value, year, r, &e);
    if (rc == DG_EINPUT)
        return dg_err_set(err, DG_EUSAGE, "cannot %s: %s",
                          refused_what(it, req, what, sizeof what), e.msg);
    if (rc)
        return dg_err_set(err, rc, "%s", e.msg);
    if (r->flag || !r->value || !r->value[0])
        return dg_err_set(err, DG_EUSAGE, "cannot %s: '%s' is not a valid %s (%s); %s",
                          refused_what(it, req, what, sizeof what), req->value, key,
                          r->flag ? r->flag : "it normalizes to nothing",
                          refused_hint(it, req, hint, sizeof hint));
    return DG_OK;
}

/* A corrected date must fit the record's other dates as the normalize stage
 * checks them (graduation after enrolment, enrolment at 16 or later, years
 * 1900-2010): a typo such as 1960 for 1986 must not be verified because
 * each date alone is valid.  --as-is skips this like the other checks. */
static int correct_dates_fit(sqlite3 *db, const item_row *it, const arc_review_req *req,
                             const char *key, int64_t record, const char *value, dg_err *err)
{
    char what[96], hint[160];
    /* in norm_record_dates order; the form date is no field */
    static const char *const members[] = {"birth", "enrol", "graduate", "degree"};
    enum { N = sizeof members / sizeof members[0] };
    const char *keys[N];
    int self = -1;
    for (int i = 0; i < N; i++) {
        keys[i] = dg_field_key_of_date(members[i]);
        self = strcmp(key, keys[i]) == 0 ? i : self;
    }
    if (self < 0)
        return DG_OK;
    char *other[N] = {0};
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT key, value FROM field WHERE record_id = ? AND value IS NOT NULL "
                       "AND state IN ('auto', 'verified', 'review')", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, record);
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < N; i++)
            if (i != self && !other[i] &&
                strcmp((const char *)sqlite3_column_text(st, 0), keys[i]) == 0)
                other[i] = dg_strdup((const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    const char *d[N];
    for (int i = 0; i < N; i++)
        d[i] = i == self ? value : other[i];
    norm_record_dates dates = {d[0], d[1], d[2], d[3], NULL};
    norm_flags fl = {0};
    int rc = norm_dates_check(&dates, &fl, err);
    for (size_t i = 0; i < fl.n && !rc; i++) {
        const norm_flag *g = &fl.items[i];
        if ((g->fields[0] && strcmp(g->fields[0], members[self]) == 0) ||
            (g->fields[1] && strcmp(g->fields[1], members[self]) == 0))
            rc = dg_err_set(err, DG_EUSAGE,
                            "cannot %s: %s does not fit the record's other dates (%s: %s); %s",
                            refused_what(it, req, what, sizeof what), value, g->code,
                            g->message, refused_hint(it, req, hint, sizeof hint));
    }
    norm_flags_release(&fl);
    for (int i = 0; i < N; i++)
        free(other[i]);
    return rc;
}

/* correct on a field item: normalized (or, as_is, verbatim) value, verified,
 * and the steps from the old value through what was typed to what is stored. */
static int field_correct(sqlite3 *db, norm_ctx *norm, const item_row *it,
                         const arc_review_req *req, dg_err *err)
{
    char key[64];
    char *old;
    int64_t record = 0;
    int rc = field_read(db, it->field_id, key, &old, &record, err);
    norm_result r = {0};
    if (!rc && !req->as_is)
        rc = correct_normalize(db, norm, it, req, key, record, &r, err);
    if (!rc && !req->as_is)
        rc = correct_dates_fit(db, it, req, key, record, r.value, err);
    if (!rc) {
        const char *value = req->as_is ? req->value : r.value;
        rc = arc_rd_exec_bind(db,
                              "UPDATE field SET value = ?1, value_detail = ?2, state = 'verified' "
                              "WHERE id = ?4",
                              value, req->as_is ? NULL : r.detail, NULL, it->field_id, err);
    }
    if (!rc)
        rc = correct_steps(db, it->field_id, req->as_is ? STEP_CORRECT_AS_IS : STEP_CORRECT, old,
                           req->value, req->as_is ? NULL : &r, err);
    norm_result_release(&r);
    free(old);
    return rc;
}

/* pick on a field item: candidate K's value (review show's numbering),
 * stored exactly as `review correct ID VALUE` would store it. */
static int field_pick(sqlite3 *db, norm_ctx *norm, const item_row *it,
                      const arc_review_req *req, dg_err *err)
{
    arc_review_alt *alts;
    size_t n;
    int from_readings;
    int rc = arc_review_alts(db, it->field_id, &alts, &n, &from_readings, err);
    if (rc)
        return rc;
    const char *value = NULL;
    for (size_t i = 0; i < n; i++)
        if (alts[i].rank == req->candidate)
            value = alts[i].value;
    if (!value && n)
        rc = dg_err_set(err, DG_EUSAGE, "review item %lld has %zu candidate%s, no candidate %d; "
                        "run 'dangan review show %lld'", (long long)it->id, n,
                        n == 1 ? "" : "s", req->candidate, (long long)it->id);
    else if (!value)
        rc = dg_err_set(err, DG_EUSAGE, "review item %lld has no candidates to pick from; type "
                        "the value with 'dangan review correct %lld VALUE'", (long long)it->id, (long long)it->id);
    if (!rc) {
        arc_review_req picked = *req;
        picked.value = value;
        rc = field_correct(db, norm, it, &picked, err);
    }
    arc_review_alts_release(alts, n);
    return rc;
}

static int apply_field(sqlite3 *db, norm_ctx *norm, const item_row *it,
                       const arc_review_req *req, outcome *o, dg_err *err)
{
    if (strcmp(req->verb, "accept") == 0) {
        o->item_state = "accepted";
        /* Accepting "nothing" would archive an empty value as verified. */
        int rc = arc_rd_exec_bind(db, "UPDATE field SET state = 'verified' WHERE id = ?4 AND value "
                                      "IS NOT NULL AND value <> ''",
                                  NULL, NULL, NULL, it->field_id, err);
        if (!rc && sqlite3_changes(db) == 0)
            return dg_err_set(err, DG_EUSAGE,
                              "cannot accept review item %lld: there is no value to accept (not "
                              "read, or not normalizable); type it with 'dangan review correct "
                              "%lld VALUE' or reject it",
                              (long long)it->id, (long long)it->id);
        return rc;
    }
    if (strcmp(req->verb, "correct") == 0) {
        o->item_state = "corrected";
        return field_correct(db, norm, it, req, err);
    }
    if (strcmp(req->verb, "pick") == 0) {
        o->item_state = "picked";
        o->candidate = req->candidate;
        return field_pick(db, norm, it, req, err);
    }
    if (strcmp(req->verb, "reject") == 0) {
        o->item_state = "rejected";
        return arc_rd_exec_bind(db, "UPDATE field SET state = 'rejected' WHERE id = ?4", NULL,
                                NULL, NULL, it->field_id, err);
    }
    return not_for_kind(it, req->verb, "'pick' chooses a candidate of a match item", err);
}

/* The operator's settlement of a historical name, so later records with the
 * same normalized name map without review.  (Inserted here directly: the
 * normalize stage reads mapping_rule by name_norm WHERE active.) */
static int rule_add(sqlite3 *db, norm_ctx *norm, const item_row *it, const arc_review_req *req,
                    const char *code, const char *note, int64_t *rule, dg_err *err)
{
    /* The rule is made as `dangan match --rule` makes it (name and
     * department normalized, code checked against the target catalog), from
     * the major as the record holds it. */
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT coalesce(value, raw, '') FROM field WHERE id = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, it->field_id);
    char *name = sqlite3_step(st) == SQLITE_ROW
                     ? dg_strdup((const char *)sqlite3_column_text(st, 0))
                     : NULL;
    sqlite3_finalize(st);
    if (!name)
        return dg_err_set(err, DG_EDB, "cannot read the major of review item %lld",
                          (long long)it->id);
    int rc = arc_mapping_rule_add(db, norm, name, req->year_from, req->year_to, req->department,
                                  code, req->operator_name, it->field_id, note, rule, err);
    free(name);
    return rc;
}

/* Candidate N's code and name, or (candidate 0) the target-catalog name of
 * an operator-typed code. */
static int match_target(sqlite3 *db, const item_row *it, int cand, const char *code,
                        char out_code[32], char out_name[256], dg_err *err)
{
    static const char cand_sql[] =
        "SELECT code, name FROM match_candidate WHERE field_id = ?1 AND rank = ?2";
    static const char code_sql[] =
        "SELECT code, name FROM discipline WHERE code = ?3 AND edition = "
        "(SELECT edition FROM catalog_edition ORDER BY year_from DESC LIMIT 1)";
    sqlite3_stmt *st;
    if (db_prepare(db, cand ? cand_sql : code_sql, &st, err))
        return DG_EDB;
    if (cand) {
        sqlite3_bind_int64(st, 1, it->field_id);
        sqlite3_bind_int(st, 2, cand);
    } else {
        sqlite3_bind_text(st, 3, code, -1, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        arc_rd_copy_col(st, 0, out_code, 32);
        arc_rd_copy_col(st, 1, out_name, 256);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return DG_OK;
    if (cand)
        return dg_err_set(err, DG_EUSAGE, "review item %lld has no candidate %d; run 'dangan "
                          "review show %lld'", (long long)it->id, cand, (long long)it->id);
    return dg_err_set(err, DG_EINPUT, "'%s' is not a code of the target discipline catalog "
                      "(is 'dangan catalog import' done?)", code);
}

/* Record a settled match on the major field.  The field becomes verified
 * unless a field item of its own (e.g. low confidence) is still open. */
int arc_rd_set_match(sqlite3 *db, int64_t field, const char *code, const char *name,
                     const char *decision, int64_t rule, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE field SET match_code = ?1, match_name = ?2, "
                       "match_decision = ?5, match_rule = ?3, "
                       "state = CASE WHEN state = 'auto' OR (state = 'review' AND NOT EXISTS "
                       "(SELECT 1 FROM review_item WHERE field_id = ?4 AND kind = 'field' "
                       "AND state = 'open')) THEN 'verified' ELSE state END WHERE id = ?4",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, rule);
    sqlite3_bind_int64(st, 4, field);
    sqlite3_bind_text(st, 5, decision, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot set the match");
}

/* Settle the match: code + name, decision 'picked', the new rule. */
static int apply_match_code(sqlite3 *db, norm_ctx *norm, const item_row *it,
                            const arc_review_req *req, int cand, outcome *o, dg_err *err)
{
    char code[32], name[256], note[128];
    int rc = match_target(db, it, cand, req->value, code, name, err);
    if (rc)
        return rc;
    snprintf(note, sizeof note, "review item %lld: %s", (long long)it->id,
             cand ? "picked candidate" : "operator-typed code");
    if ((rc = rule_add(db, norm, it, req, code, note, &o->rule_id, err)))
        return rc;
    o->candidate = cand;
    return arc_rd_set_match(db, it->field_id, code, name, "picked", o->rule_id, err);
}

static int apply_match(sqlite3 *db, norm_ctx *norm, const item_row *it,
                       const arc_review_req *req, outcome *o, dg_err *err)
{
    /* accept on a match item takes the best candidate */
    if (strcmp(req->verb, "accept") == 0) {
        o->item_state = "accepted";
        return apply_match_code(db, norm, it, req, 1, o, err);
    }
    if (strcmp(req->verb, "pick") == 0) {
        o->item_state = "picked";
        return apply_match_code(db, norm, it, req, req->candidate, o, err);
    }
    if (strcmp(req->verb, "correct") == 0) {
        o->item_state = "corrected";
        return apply_match_code(db, norm, it, req, 0, o, err);
    }
    o->item_state = "rejected";
    return arc_rd_exec_bind(db, "UPDATE field SET state = 'rejected' WHERE id = ?4", NULL, NULL,
                            NULL, it->field_id, err);
}

/* Page and conflict items record the operator's judgement only: load reads
 * a conflict item's state (accepted = same person, rejected = different). */
static int apply_judgement(const item_row *it, const arc_review_req *req, outcome *o,
                           dg_err *err)
{
    if (strcmp(req->verb, "accept") == 0) {
        o->item_state = "accepted";
        return DG_OK;
    }
    if (strcmp(req->verb, "reject") == 0) {
        o->item_state = "rejected";
        return DG_OK;
    }
    /* A conflict's pick 1 keeps the archived value, pick 2 takes this record's
     * (amend.c amends the archive); both link the sources as one person. */
    if (strcmp(it->kind, "conflict") == 0 && strcmp(req->verb, "pick") == 0 &&
        req->candidate <= 2) {
        o->item_state = "accepted";
        o->candidate = req->candidate;
        return DG_OK;
    }
    if (strcmp(it->kind, "page") == 0)
        return not_for_kind(it, req->verb, "a page of unknown form has no value to set: accept "
                            "(not a record page) or reject it, or add a template and re-run "
                            "'dangan extract'", err);
    return not_for_kind(it, req->verb, "accept (or pick 1) links the two sources as one "
                        "person keeping the archived value, pick 2 links them taking this "
                        "record's value into the archive, reject keeps them apart", err);
}

static int apply_verb(sqlite3 *db, norm_ctx *norm, const item_row *it,
                      const arc_review_req *req, outcome *o, dg_err *err)
{
    if (strcmp(it->kind, "field") == 0)
        return apply_field(db, norm, it, req, o, err);
    if (req->as_is)
        return not_for_kind(it, req->verb, "--as-is only applies to correcting a field item",
                            err);
    if (strcmp(it->kind, "match") == 0)
        return apply_match(db, norm, it, req, o, err);
    return apply_judgement(it, req, o, err);
}

/* ---- the decision row ---------------------------------------------------------------- */

int arc_rd_decision_insert(sqlite3 *db, const item_row *it, const decision_row *d, int64_t *id,
                           dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO review_decision (item_id, verb, operator, decided, "
                       "item_before, item_after, before_state, after_state, before_value, "
                       "after_value, before_match, after_match, rule_id, candidate, note, undoes) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                       "?15, ?16)", &st, err))
        return DG_EDB;
    const char *txt[] = {d->verb, d->op, now, d->item_before, d->item_after, d->before->state,
                         d->after->state, d->before->value, d->after->value, d->before->match,
                         d->after->match};
    sqlite3_bind_int64(st, 1, it->id);
    for (int i = 0; i < 11; i++)
        if (txt[i])
            sqlite3_bind_text(st, i + 2, txt[i], -1, SQLITE_TRANSIENT);
    if (d->rule_id)
        sqlite3_bind_int64(st, 13, d->rule_id);
    if (d->candidate)
        sqlite3_bind_int(st, 14, d->candidate);
    sqlite3_bind_text(st, 15, d->note ? d->note : "", -1, SQLITE_TRANSIENT);
    if (d->undoes)
        sqlite3_bind_int64(st, 16, d->undoes);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot record the decision");
    /* The decision is an event of the audit chain, in its transaction:
     * `audit verify` then tells a decision edited or deleted afterwards. */
    static const char *const table[] = {"review_decision"};
    int64_t row = sqlite3_last_insert_rowid(db);
    int arc = audit_append_rows(db, d->op, "decision", table, &row, 1, NULL, err);
    if (arc)
        return arc;
    if (id)
        *id = row;
    return DG_OK;
}

/* Move the item on; the version guard makes a racing writer's update a no-op
 * that we detect, rather than a lost decision. */
int arc_rd_item_bump_checked(sqlite3 *db, const item_row *it, const char *state, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE review_item SET state = ?1, version = version + 1 "
                       "WHERE id = ?2 AND version = ?3", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, it->id);
    sqlite3_bind_int64(st, 3, it->version);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot update review item");
    if (sqlite3_changes(db) != 1)
        return arc_rd_refuse_decided(db, it, "was changed meanwhile", err);
    return DG_OK;
}

static int decide(sqlite3 *db, norm_ctx *norm, const item_row *it, const arc_review_req *req,
                  int64_t *id, dg_err *err)
{
    int rc0 = check_open(db, it, req, err);
    if (rc0)
        return rc0;
    snap before, after = {0};
    int rc = arc_rd_snap_take(db, it, &before, err);
    if (rc)
        return rc;
    outcome o = {0};
    rc = apply_verb(db, norm, it, req, &o, err);
    if (rc == DG_OK)
        rc = arc_rd_snap_take(db, it, &after, err);
    if (rc == DG_OK)
        rc = arc_rd_item_bump_checked(db, it, o.item_state, err);
    int64_t did = 0;
    if (rc == DG_OK) {
        decision_row d = {req->verb, req->operator_name, it->state, o.item_state, req->why,
                          &before, &after, o.rule_id, 0, o.candidate};
        rc = arc_rd_decision_insert(db, it, &d, &did, err);
    }
    if (id)
        *id = did;
    /* On a record already loaded the decision amends the archive (amend.c). */
    if (rc == DG_OK && it->field_id) {
        arc_amend_decision_req ad = {it->id, it->field_id, did, o.candidate, it->kind,
                                     req->verb, req->operator_name, req->why};
        rc = arc_amend_decision(db, norm, &ad, err);
    }
    if (rc == DG_OK && o.rule_id && strcmp(it->kind, "match") == 0)
        rc = arc_rd_rule_propagate(db, norm, it, o.rule_id, req->operator_name, err);
    arc_rd_snap_release(&before);
    arc_rd_snap_release(&after);
    return rc;
}

/* ---- entry point ----------------------------------------------------------------------- */

static int req_check(int64_t item, const arc_review_req *req, dg_err *err)
{
    static const char *const verbs[] = {"accept", "pick", "correct", "reject", "undo"};
    int known = 0;
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        known |= req->verb && strcmp(req->verb, verbs[i]) == 0;
    if (!known)
        return dg_err_set(err, DG_EUSAGE, "unknown review verb '%s'",
                          req->verb ? req->verb : "");
    if (!req->operator_name || !*req->operator_name)
        return dg_err_set(err, DG_EUSAGE, "a decision on review item %lld needs an operator",
                          (long long)item);
    if (strcmp(req->verb, "reject") == 0 && (!req->why || !*req->why))
        return dg_err_set(err, DG_EUSAGE, "rejecting review item %lld needs a reason (--why)",
                          (long long)item);
    if (strcmp(req->verb, "correct") == 0 && (!req->value || !*req->value))
        return dg_err_set(err, DG_EUSAGE, "correcting review item %lld needs a value",
                          (long long)item);
    if (req->as_is && strcmp(req->verb, "correct") != 0)
        return dg_err_set(err, DG_EUSAGE, "--as-is only applies to 'correct', not '%s'",
                          req->verb);
    if (strcmp(req->verb, "pick") == 0 && req->candidate < 1)
        return dg_err_set(err, DG_EUSAGE, "pick wants a candidate number from 1, not %d",
                          req->candidate);
    return DG_OK;
}

/* Accepting a field or a conflict stores what is there and needs no
 * normalizer (an amendment of a loaded name opens its own); accepting a
 * match may settle others by department.  Opening the normalizer (ICU, the
 * name tables) was most of a decision's time in the workbench. */
static int is_match_item(sqlite3 *db, int64_t item)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT kind = 'match' FROM review_item WHERE id = ?", &st, NULL))
        return 1; /* when in doubt, open it */
    sqlite3_bind_int64(st, 1, item);
    int match = sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return match;
}

int arc_review_decide(sqlite3 *db, int64_t item, const arc_review_req *req, int64_t *decision,
                      dg_err *err)
{
    if (req_check(item, req, err))
        return DG_EUSAGE;
    /* Opened before the write lock is taken: loading ICU and the tables
     * takes milliseconds another operator would spend waiting.  A correction
     * normalizes what is typed; a match decision compares departments when
     * its rule settles other items. */
    norm_ctx *norm = NULL;
    int normalizes = (strcmp(req->verb, "correct") == 0 && !req->as_is) ||
                     strcmp(req->verb, "pick") == 0 ||
                     (strcmp(req->verb, "accept") == 0 && is_match_item(db, item));
    if (normalizes && norm_ctx_new(arc_config_dir(), &norm, err))
        return DG_ERR;
    int rc = db_begin(db, err) ? DG_EDB : DG_OK;
    item_row it;
    if (rc == DG_OK) {
        rc = arc_rd_item_load(db, item, &it, err);
        if (rc == DG_OK)
            rc = strcmp(req->verb, "undo") == 0 ? arc_rd_undo(db, &it, req, decision, err)
                                                : decide(db, norm, &it, req, decision, err);
        if (rc == DG_OK)
            rc = db_commit(db, err);
        if (rc)
            db_rollback(db);
    }
    norm_ctx_free(&norm);
    return rc;
}
