/*
 * stage_normalize.c - the normalize stage (the discipline matcher it calls,
 * with the operators' mapping rules, is stage_matcher.c; the weighing of
 * each value's readings into p(right) is stage_weigh.c, with the model in
 * stage_trust.c and the graduate's other source found by stage_sources.c).
 *
 * For each extracted record: every field goes through the normalizer for
 * its key, the record's dates through the plausibility check, the major
 * through the matcher (with the active mapping rules), and the results, the
 * steps, the candidates and record.state = 'normalized' are written in one
 * transaction.  The work is done outside the transaction; a record that was
 * loaded meanwhile is left alone.  Field states follow the contract in
 * docs/normalize-stage.md: missing stays missing, unparseable -> invalid,
 * implausible, or with configs/trust.conf a p under its type's threshold
 * (without it: under the OCR confidence threshold of its value type) ->
 * review, else auto.  Doubt goes to a person: nothing here guesses.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"
#include "fieldkeys.h"
#include "normalize.h"
#include "stage_normalize_rec.h"

/* ---- review thresholds (configs/review.conf) ---------------------------------- */

/* Used when review.conf is absent; the file explains each value.  In
 * dg_fk_vtype order (fieldkeys.h says which key has which type). */
static const double vtype_defaults[DG_VT_COUNT] = {70, 60, 75, 40, 50, 55};

typedef struct review_conf {
    double min_conf[DG_VT_COUNT];
    char sha[65];     /* "" when the file is absent */
    arc_trust *trust; /* configs/trust.conf; NULL: route by min_conf */
    arc_sources *sources; /* the workspace's records by name: a graduate's other source */
} review_conf;

static int review_conf_line(void *user, const dg_kv *kv, dg_err *err)
{
    review_conf *c = user;
    const char *key = kv->key, *val = kv->value;
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (strncmp(key, "min_conf.", 9) != 0)
        return dg_kv_fail(kv, err, "unknown key '%s'", key);
    if (errno || end == val || *end || v < 0 || v > 100)
        return dg_kv_fail(kv, err, "bad value '%s' (want 0-100)", val);
    int t = dg_vtype_find(key + 9);
    if (t < 0)
        return dg_kv_fail(kv, err, "unknown value type '%s'", key + 9);
    c->min_conf[t] = v;
    return DG_OK;
}

static int review_conf_load(const char *path, review_conf *c, dg_err *err)
{
    memcpy(c->min_conf, vtype_defaults, sizeof c->min_conf);
    c->sha[0] = '\0';
    int rc = dg_kv_load(path, 1, c->sha, review_conf_line, c, err);
    return rc == DG_ENOTFOUND ? DG_OK : rc; /* absent: the defaults above */
}


static void rec_release(rec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        fld *f = &r->f[i];
        free(f->key);
        free(f->raw);
        free(f->state);
        norm_result_release(&f->r);
        dg_buf_release(&f->flag);
        norm_match_result_release(&f->m);
        free(f->rec2_text);
        norm_result_release(&f->r2);
        free(f->rec3_text);
        norm_result_release(&f->r3);
        free(f->evidence);
    }
    for (size_t i = 0; i < r->ncol; i++) {
        free(r->col[i].key);
        free(r->col[i].value);
        free(r->col[i].read1);
        free(r->col[i].read2);
    }
    free(r->col);
    free(r->f);
    free(r->form_raw);
    free(r->header_dept);
    memset(r, 0, sizeof *r);
}

static void fld_classify(fld *f)
{
    const dg_field_key *k = dg_field_key_find(f->key);
    f->vt = k ? k->vt : DG_VT_TEXT;
    f->keep = strcmp(f->state, "verified") == 0 || strcmp(f->state, "rejected") == 0;
    dg_buf_init(&f->flag, 4096);
}

fld *arc_nrec_find(rec *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->f[i].key, key) == 0)
            return &r->f[i];
    return NULL;
}

static int rec_load_fields(sqlite3 *db, rec *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT f.id, f.key, f.raw, f.state, f.conf_min, fr.text, fr.conf, "
                       "f3.text, f3.conf FROM field f LEFT JOIN field_reading fr ON "
                       "fr.field_id = f.id AND fr.reader = 'rec2' LEFT JOIN field_reading f3 "
                       "ON f3.field_id = f.id AND f3.reader = 'tess3' WHERE f.record_id = ? "
                       "ORDER BY f.id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, r->id);
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        fld *p = realloc(r->f, (r->n + 1) * sizeof *p);
        if (!p) {
            rc = DG_ENOMEM;
            break;
        }
        r->f = p;
        fld *f = &r->f[r->n++];
        memset(f, 0, sizeof *f);
        f->id = sqlite3_column_int64(st, 0);
        f->key = dg_strdup((const char *)sqlite3_column_text(st, 1));
        f->raw = dg_strdup((const char *)sqlite3_column_text(st, 2));
        f->state = dg_strdup((const char *)sqlite3_column_text(st, 3));
        f->conf_min = sqlite3_column_double(st, 4);
        f->p = -1;
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            f->rec2_text = dg_strdup((const char *)sqlite3_column_text(st, 5));
            f->rec2_conf = sqlite3_column_double(st, 6);
        }
        if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
            f->rec3_text = dg_strdup((const char *)sqlite3_column_text(st, 7));
            f->rec3_conf = sqlite3_column_double(st, 8);
        }
        if (!f->key || !f->state)
            rc = DG_ENOMEM;
        else
            fld_classify(f);
    }
    sqlite3_finalize(st);
    return rc ? dg_err_set(err, rc, "out of memory loading record %lld", (long long)r->id) : 0;
}

/* The values of the other records on the record's page: the column around
 * each field (a ledger's repeated majors, its sequence numbers). */
static int rec_load_column(sqlite3 *db, rec *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT o.row_no, f.key, coalesce(f.value, f.raw), "
                       "(SELECT row_no FROM record WHERE id = ?1), "
                       "CASE WHEN f.state = 'verified' THEN f.value ELSE f.raw END, "
                       "CASE WHEN f.state = 'verified' THEN NULL ELSE (SELECT text FROM "
                       "field_reading fr WHERE fr.field_id = f.id AND fr.reader = 'rec2') END "
                       "FROM record o "
                       "JOIN field f ON f.record_id = o.id WHERE o.page_id = "
                       "(SELECT page_id FROM record WHERE id = ?1) AND o.id <> ?1 "
                       "AND coalesce(f.value, f.raw) IS NOT NULL ORDER BY o.id, f.id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, r->id);
    int rc = DG_OK;
    size_t alloc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        r->row = sqlite3_column_int(st, 3);
        if (r->ncol == alloc) {
            alloc = alloc ? 2 * alloc : 64;
            colval *p = realloc(r->col, alloc * sizeof *p);
            if (!p) {
                rc = DG_ENOMEM;
                break;
            }
            r->col = p;
        }
        colval *c = &r->col[r->ncol++];
        c->row = sqlite3_column_int(st, 0);
        c->key = dg_strdup((const char *)sqlite3_column_text(st, 1));
        c->value = dg_strdup((const char *)sqlite3_column_text(st, 2));
        c->read1 = dg_strdup((const char *)sqlite3_column_text(st, 4));
        c->read2 = dg_strdup((const char *)sqlite3_column_text(st, 5));
        if (!c->key || !c->value)
            rc = DG_ENOMEM;
    }
    sqlite3_finalize(st);
    return rc ? dg_err_set(err, rc, "out of memory loading record %lld", (long long)r->id) : 0;
}

/* A page header value: a plain string, or a FIELD-like object with its text. */
#define HEADER_VALUE(k)                                                                            \
    "CASE WHEN json_valid(pf.header) THEN CASE json_type(pf.header, '$." k "') "                \
    "WHEN 'text' THEN json_extract(pf.header, '$." k "') "                                       \
    "WHEN 'object' THEN coalesce(json_extract(pf.header, '$." k ".raw'), "                       \
    "json_extract(pf.header, '$." k ".printed'), json_extract(pf.header, '$." k ".text'), "     \
    "json_extract(pf.header, '$." k ".value')) END END"

static int rec_load(sqlite3 *db, int64_t id, rec *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT " HEADER_VALUE("form_date") ", " HEADER_VALUE("department")
                       " FROM record r LEFT JOIN page_form pf ON pf.page_id = r.page_id "
                       "WHERE r.id = ?",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        r->form_raw = dg_strdup((const char *)sqlite3_column_text(st, 0));
        r->header_dept = dg_strdup((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    int rc = rec_load_fields(db, r, err);
    return rc ? rc : rec_load_column(db, r, err);
}

/* ---- normalizing a record ---------------------------------------------------- */

int arc_nfld_flag_add(fld *f, const char *text)
{
    int rc = f->flag.len ? dg_buf_adds(&f->flag, "; ") : DG_OK;
    return rc ? rc : dg_buf_adds(&f->flag, text);
}

/* Flags read "code (detail)": the review queue files them under the first word. */
int arc_nfld_flag_code(fld *f, const char *code, const char *detail)
{
    int rc = f->flag.len ? dg_buf_adds(&f->flag, "; ") : DG_OK;
    return rc ? rc : dg_buf_addf(&f->flag, "%s (%s)", code, detail);
}

static int blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

int arc_iso_year(const char *iso)
{
    if (!iso || strlen(iso) < 4)
        return 0;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (iso[i] < '0' || iso[i] > '9')
            return 0;
        y = y * 10 + (iso[i] - '0');
    }
    return y;
}

/* Year of a date parsed with no context (two-digit years read as 19xx). */
static int date_year(norm_ctx *ctx, const char *raw)
{
    if (blank(raw))
        return 0;
    norm_result r;
    int y = 0;
    if (!norm_date(ctx, raw, NULL, &r, NULL) && r.value && !r.flag)
        y = arc_iso_year(r.value);
    norm_result_release(&r);
    return y;
}

/*
 * The year that resolves two-digit years on this record: the form date's
 * (filled in when the record was written, so nearest to all its dates),
 * else the latest of the graduation and enrolment years.
 */
static int context_year(norm_ctx *ctx, rec *r)
{
    int y = date_year(ctx, r->form_raw);
    if (y)
        return y;
    static const char *const keys[] = {"grad_date", "degree_date", "enroll_date"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        fld *f = arc_nrec_find(r, keys[i]);
        int fy = f ? date_year(ctx, f->raw) : 0;
        y = fy > y ? fy : y;
    }
    return y;
}

int arc_normalize_value(norm_ctx *ctx, const char *key, const char *raw, int context_year,
                        norm_result *r, dg_err *err)
{
    const dg_field_key *k = dg_field_key_find(key);
    /* Month fields keep YYYY-MM like the archive; other dates keep their day. */
    norm_date_opts d = {context_year, k && k->norm == DG_FK_MONTH};
    switch (k ? k->norm : DG_FK_TEXT) {
    case DG_FK_NAME: return norm_name(ctx, raw, r, err);
    case DG_FK_DATE:
    case DG_FK_MONTH: return norm_date(ctx, raw, &d, r, err);
    case DG_FK_SEX: return norm_sex(ctx, raw, r, err);
    case DG_FK_ETHNIC: return norm_ethnicity(ctx, raw, r, err);
    case DG_FK_POLITICAL: return norm_political(ctx, raw, r, err);
    case DG_FK_DEGREE: return norm_degree(ctx, raw, r, err);
    case DG_FK_DURATION: return norm_duration(ctx, raw, r, err);
    case DG_FK_CODE: return norm_code(ctx, raw, r, err);
    case DG_FK_TEXT: break;
    }
    return norm_text(ctx, raw, r, err);
}

int arc_record_context_year(sqlite3 *db, norm_ctx *ctx, int64_t record_id, int *year,
                            dg_err *err)
{
    rec r;
    *year = 0;
    int rc = rec_load(db, record_id, &r, err);
    if (!rc)
        *year = context_year(ctx, &r);
    rec_release(&r);
    return rc;
}

/* Normalize one field and set its first state; DG_ENOMEM is the only failure. */
static int field_normalize(norm_ctx *ctx, fld *f, int ctx_year)
{
    if (f->keep)
        return DG_OK;
    if (f->rec2_text && *f->rec2_text &&
        arc_normalize_value(ctx, f->key, f->rec2_text, ctx_year, &f->r2, NULL) == DG_ENOMEM)
        return DG_ENOMEM;
    if (f->rec3_text && *f->rec3_text &&
        arc_normalize_value(ctx, f->key, f->rec3_text, ctx_year, &f->r3, NULL) == DG_ENOMEM)
        return DG_ENOMEM;
    if (blank(f->raw) || strcmp(f->state, "missing") == 0) {
        f->new_state = "missing";
        return DG_OK;
    }
    dg_err e = {0};
    int rc = arc_normalize_value(ctx, f->key, f->raw, ctx_year, &f->r, &e);
    if (rc == DG_ENOMEM)
        return rc;
    if (rc) { /* bad input (e.g. invalid UTF-8) is a property of the field */
        norm_result_release(&f->r);
        f->new_state = "invalid";
        return arc_nfld_flag_code(f, "unparseable", e.msg);
    }
    if (!f->r.value) {
        f->new_state = "invalid";
        return arc_nfld_flag_code(f, "unparseable", f->r.flag ? f->r.flag : "no value");
    }
    f->new_state = f->r.flag ? "review" : "auto";
    return f->r.flag ? arc_nfld_flag_code(f, "implausible", f->r.flag) : DG_OK;
}

static const char *usable_value(rec *r, const char *key)
{
    fld *f = arc_nrec_find(r, key);
    if (!f)
        return NULL;
    if (f->keep) /* an operator's value is as good as it gets */
        return NULL;
    return f->new_state && strcmp(f->new_state, "invalid") && strcmp(f->new_state, "missing")
               ? f->r.value
               : NULL;
}

static int flag_field_review(rec *r, const char *key, const char *text)
{
    fld *f = key ? arc_nrec_find(r, key) : NULL;
    if (!f || f->keep || !f->new_state || strcmp(f->new_state, "invalid") == 0 ||
        strcmp(f->new_state, "missing") == 0)
        return DG_OK;
    f->new_state = "review";
    return arc_nfld_flag_add(f, text);
}

static int record_dates_check(norm_ctx *ctx, rec *r, int ctx_year)
{
    norm_result form = {0};
    norm_date_opts fo = {ctx_year, 0};
    if (!blank(r->form_raw) && norm_date(ctx, r->form_raw, &fo, &form, NULL) == DG_ENOMEM)
        return DG_ENOMEM;
    norm_record_dates d = {usable_value(r, "birth_date"), usable_value(r, "enroll_date"),
                           usable_value(r, "grad_date"), usable_value(r, "degree_date"),
                           form.flag ? NULL : form.value};
    norm_flags fl = {0};
    int rc = norm_dates_check(&d, &fl, NULL);
    for (size_t i = 0; i < fl.n && !rc; i++) {
        const norm_flag *g = &fl.items[i];
        char text[512];
        snprintf(text, sizeof text, "%s (%s)", g->code, g->message);
        rc = flag_field_review(r, dg_field_key_of_date(g->fields[0]), text);
        rc = rc ? rc : flag_field_review(r, dg_field_key_of_date(g->fields[1]), text);
    }
    norm_flags_release(&fl);
    norm_result_release(&form);
    return rc;
}

static int confidence_check(rec *r, const review_conf *rc_conf)
{
    int rc = DG_OK;
    for (size_t i = 0; i < r->n && !rc; i++) {
        fld *f = &r->f[i];
        double min = rc_conf->min_conf[f->vt];
        if (f->keep || !f->new_state || strcmp(f->new_state, "invalid") == 0 ||
            strcmp(f->new_state, "missing") == 0 || f->conf_min >= min)
            continue;
        char text[96];
        snprintf(text, sizeof text, "low_confidence %.0f < %.0f", f->conf_min, min);
        f->new_state = "review";
        rc = arc_nfld_flag_add(f, text);
    }
    return rc;
}


static int record_match(arc_matcher *m, rec *r, dg_err *err)
{
    fld *major = arc_nrec_find(r, "major");
    const char *name = usable_value(r, "major");
    if (!major || !name)
        return DG_OK;
    const char *code = usable_value(r, "major_code");
    fld *cf = arc_nrec_find(r, "major_code");
    if (!code && cf && !cf->keep && !blank(cf->raw))
        code = cf->raw; /* unreadable code: the matcher sends it to review */
    int year = arc_iso_year(usable_value(r, "enroll_date"));
    year = year ? year : arc_iso_year(usable_value(r, "grad_date"));
    const char *dept = usable_value(r, "department");
    char *hdept = NULL;
    int rc = dept ? DG_OK : arc_text_norm(m->ctx, r->header_dept, &hdept, err);
    norm_match_input in = {name, code, year, dept ? dept : hdept, m->rules, m->nrules};
    rc = rc ? rc : norm_match(m->ctx, m->cat, &m->conf, &in, &major->m, err);
    major->matched = !rc;
    free(hdept);
    return rc;
}

static int rec_normalize(arc_matcher *m, const review_conf *conf, rec *r, dg_err *err)
{
    int ctx_year = context_year(m->ctx, r), rc = DG_OK;
    for (size_t i = 0; i < r->n && !rc; i++)
        rc = field_normalize(m->ctx, &r->f[i], ctx_year);
    rc = rc ? rc : record_dates_check(m->ctx, r, ctx_year);
    rc = rc ? rc : conf->trust ? DG_OK : confidence_check(r, conf);
    if (rc)
        return dg_err_set(err, rc, "out of memory normalizing record %lld", (long long)r->id);
    rc = conf->trust ? arc_weigh_record(r, conf->trust, m->ctx, m->cat, conf->sources, err) : DG_OK;
    return rc ? rc : record_match(m, r, err);
}

/* ---- writing a record -------------------------------------------------------- */

typedef struct writer {
    sqlite3 *db;
    int64_t run_id;
    sqlite3_stmt *upd_field, *del_steps, *ins_step, *del_cands, *ins_cand, *upd_record;
} writer;

static void writer_close(writer *w)
{
    sqlite3_finalize(w->upd_field);
    sqlite3_finalize(w->del_steps);
    sqlite3_finalize(w->ins_step);
    sqlite3_finalize(w->del_cands);
    sqlite3_finalize(w->ins_cand);
    sqlite3_finalize(w->upd_record);
}

static int writer_open(sqlite3 *db, int64_t run_id, writer *w, dg_err *err)
{
    memset(w, 0, sizeof *w);
    w->db = db;
    w->run_id = run_id;
    int rc = db_prepare(db,
                        "UPDATE field SET value = ?, value_detail = ?, flag = ?, state = ?, "
                        "norm_run = ?, match_decision = ?, match_code = ?, match_name = ?, "
                        "match_score = ?, match_rule = ?, p = ?, evidence = ? WHERE id = ?",
                        &w->upd_field, err);
    rc = rc ? rc : db_prepare(db, "DELETE FROM field_step WHERE field_id = ?", &w->del_steps, err);
    rc = rc ? rc
            : db_prepare(db, "INSERT INTO field_step(field_id, seq, rule, before, after) "
                             "VALUES (?, ?, ?, ?, ?)",
                         &w->ins_step, err);
    rc = rc ? rc
            : db_prepare(db, "DELETE FROM match_candidate WHERE field_id = ?", &w->del_cands, err);
    rc = rc ? rc
            : db_prepare(db, "INSERT INTO match_candidate(field_id, rank, code, name, score, "
                             "edition, path, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         &w->ins_cand, err);
    rc = rc ? rc
            : db_prepare(db, "UPDATE record SET state = 'normalized' WHERE id = ? AND "
                             "state <> 'loaded'",
                         &w->upd_record, err);
    if (rc)
        writer_close(w);
    return rc;
}

static int exec_done(writer *w, sqlite3_stmt *st, const char *doing, dg_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(w->db, err, doing);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int write_steps(writer *w, const fld *f, dg_err *err)
{
    sqlite3_bind_int64(w->del_steps, 1, f->id);
    int rc = exec_done(w, w->del_steps, "cannot clear normalization steps", err);
    for (size_t i = 0; i < f->r.nsteps && !rc; i++) {
        const norm_step *s = &f->r.steps[i];
        sqlite3_bind_int64(w->ins_step, 1, f->id);
        sqlite3_bind_int64(w->ins_step, 2, (int64_t)i + 1);
        sqlite3_bind_text(w->ins_step, 3, s->rule ? s->rule : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->ins_step, 4, s->before ? s->before : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->ins_step, 5, s->after ? s->after : "", -1, SQLITE_STATIC);
        rc = exec_done(w, w->ins_step, "cannot store normalization step", err);
    }
    return rc;
}

/* A candidate's evidence list as the JSON array ["a","b","c"]. */
static int evidence_json(const norm_candidate *c, dg_buf *b)
{
    int rc = dg_buf_addc(b, '[');
    for (size_t i = 0; i < c->nevidence && !rc; i++) {
        rc = i ? dg_buf_addc(b, ',') : DG_OK;
        rc = rc ? rc : dg_buf_json_str(b, c->evidence[i]);
    }
    return rc ? rc : dg_buf_addc(b, ']');
}

static int write_candidates(writer *w, const fld *f, dg_err *err)
{
    sqlite3_bind_int64(w->del_cands, 1, f->id);
    int rc = exec_done(w, w->del_cands, "cannot clear match candidates", err);
    for (size_t i = 0; f->matched && i < f->m.ncandidates && !rc; i++) {
        const norm_candidate *c = &f->m.candidates[i];
        dg_buf ev;
        dg_buf_init(&ev, 0);
        if (evidence_json(c, &ev)) {
            dg_buf_release(&ev);
            return dg_err_set(err, DG_ENOMEM, "out of memory storing match evidence");
        }
        sqlite3_stmt *st = w->ins_cand;
        sqlite3_bind_int64(st, 1, f->id);
        sqlite3_bind_int64(st, 2, (int64_t)i + 1);
        sqlite3_bind_text(st, 3, c->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 5, c->score);
        sqlite3_bind_text(st, 6, c->edition, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, c->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, ev.data, -1, SQLITE_STATIC);
        rc = exec_done(w, st, "cannot store match candidate", err);
        dg_buf_release(&ev);
    }
    return rc;
}

static int write_field(writer *w, const fld *f, dg_err *err)
{
    sqlite3_stmt *st = w->upd_field;
    const norm_match_result *m = &f->m;
    int autom = f->matched && m->decision == NORM_AUTO && m->ncandidates;
    int64_t rule = autom ? arc_candidate_rule(m) : 0;
    bind_text_or_null(st, 1, f->r.value);
    bind_text_or_null(st, 2, f->r.detail);
    bind_text_or_null(st, 3, f->flag.len ? f->flag.data : NULL);
    sqlite3_bind_text(st, 4, f->new_state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, w->run_id);
    bind_text_or_null(st, 6, !f->matched ? NULL : autom ? "auto" : "review");
    bind_text_or_null(st, 7, autom ? m->candidates[0].code : NULL);
    bind_text_or_null(st, 8, autom ? m->candidates[0].name : NULL);
    if (autom)
        sqlite3_bind_double(st, 9, m->candidates[0].score);
    if (rule)
        sqlite3_bind_int64(st, 10, rule);
    if (f->p >= 0)
        sqlite3_bind_double(st, 11, f->p);
    sqlite3_bind_text(st, 12, f->evidence ? f->evidence : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 13, f->id);
    int rc = exec_done(w, st, "cannot store normalized field", err);
    rc = rc ? rc : write_steps(w, f, err);
    return rc ? rc : write_candidates(w, f, err);
}

/* One transaction: all fields, steps, candidates and the record's state. */
static int rec_write(writer *w, const rec *r, int *skipped, dg_err *err)
{
    *skipped = 0;
    if (db_begin(w->db, err))
        return DG_EDB;
    sqlite3_bind_int64(w->upd_record, 1, r->id);
    int rc = exec_done(w, w->upd_record, "cannot update record state", err);
    if (!rc && sqlite3_changes(w->db) == 0) { /* loaded meanwhile: hands off */
        db_rollback(w->db);
        *skipped = 1;
        return DG_OK;
    }
    for (size_t i = 0; i < r->n && !rc; i++)
        if (!r->f[i].keep)
            rc = write_field(w, &r->f[i], err);
    rc = rc ? rc : db_commit(w->db, err);
    if (rc)
        db_rollback(w->db);
    return rc;
}

static void rec_count(const rec *r, arc_normalize_summary *s)
{
    s->records++;
    for (size_t i = 0; i < r->n; i++) {
        const fld *f = &r->f[i];
        s->fields++;
        if (f->keep)
            s->kept_fields++;
        else if (!strcmp(f->new_state, "auto"))
            s->auto_fields++;
        else if (!strcmp(f->new_state, "review"))
            s->review_fields++;
        else if (!strcmp(f->new_state, "invalid"))
            s->invalid_fields++;
        else
            s->missing_fields++;
        if (f->matched && f->m.decision == NORM_AUTO && f->m.ncandidates)
            s->match_auto++;
        else if (f->matched)
            s->match_review++;
    }
}

/* ---- the stage --------------------------------------------------------------- */

static int record_ids(sqlite3 *db, int redo, int64_t **ids, size_t *n, dg_err *err)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (db_prepare(db, redo ? "SELECT id FROM record WHERE state IN ('extracted', 'normalized', "
                              "'pending') ORDER BY id"
                            : "SELECT id FROM record WHERE state = 'extracted' ORDER BY id",
                   &st, err))
        return DG_EDB;
    size_t alloc = 0;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        if (*n == alloc) {
            alloc = alloc ? alloc * 2 : 256;
            int64_t *p = realloc(*ids, alloc * sizeof *p);
            if (!p) {
                rc = dg_err_set(err, DG_ENOMEM, "out of memory listing records");
                break;
            }
            *ids = p;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

static int file_sha_json(dg_buf *b, const char *label, const char *dir, const char *file)
{
    char path[4096], sha[65] = "";
    unsigned char *data;
    size_t n;
    dg_err ignored;
    if (snprintf(path, sizeof path, "%s/%s", dir, file) < (int)sizeof path &&
        !arc_read_file(path, &data, &n, &ignored)) {
        dg_sha256_hex(data, n, sha);
        free(data);
    }
    int rc = dg_buf_addf(b, ",\"%s\":", label);
    return rc ? rc : dg_buf_json_str(b, sha[0] ? sha : NULL);
}

/* The run's params: thresholds and the hashes of every config shaping results. */
static int run_params(const arc_normalize_opts *o, const char *cfg, const review_conf *rv,
                      const arc_matcher *m, dg_buf *b, dg_err *err)
{
    static const char *const tables[] = {"variants.tsv", "confusables.tsv", "ethnic_groups.tsv",
                                         "political.tsv"};
    const norm_match_conf *c = &m->conf;
    int rc = dg_buf_addf(b, "{\"redo\":%d,\"min_conf\":{", o->redo);
    for (int t = 0; t < DG_VT_COUNT && !rc; t++)
        rc = dg_buf_addf(b, "%s\"%s\":%g", t ? "," : "", dg_vtype_names[t], rv->min_conf[t]);
    rc = rc ? rc
            : dg_buf_addf(b, "},\"matcher\":{\"auto_threshold\":%g,\"auto_margin\":%g,"
                             "\"min_score\":%g,\"confusable_cost\":%g,"
                             "\"other_edition_factor\":%g,\"before_earliest_factor\":%g,"
                             "\"code_conflict_factor\":%g,\"max_candidates\":%zu},"
                             "\"rules\":%zu,\"configs\":{\"review.conf\":",
                          c->auto_threshold, c->auto_margin, c->min_score, c->confusable_cost,
                          c->other_edition_factor, c->before_earliest_factor,
                          c->code_conflict_factor, c->max_candidates, m->nrules);
    rc = rc ? rc : dg_buf_json_str(b, rv->sha[0] ? rv->sha : NULL);
    rc = rc ? rc : dg_buf_adds(b, ",\"matcher.conf\":");
    rc = rc ? rc : dg_buf_json_str(b, m->conf_sha[0] ? m->conf_sha : NULL);
    char ndir[4096];
    snprintf(ndir, sizeof ndir, "%s/normalize", cfg);
    for (size_t i = 0; i < sizeof tables / sizeof *tables && !rc; i++)
        rc = file_sha_json(b, tables[i], ndir, tables[i]);
    rc = rc ? rc : dg_buf_adds(b, "},\"trust\":");
    rc = rc ? rc : rv->trust ? arc_trust_params_json(rv->trust, b) : dg_buf_adds(b, "null");
    rc = rc ? rc : dg_buf_adds(b, ",\"catalog\":");
    if (rc)
        return dg_err_set(err, rc, "out of memory building run parameters");
    rc = arc_catalog_fingerprint(o->catalog_dir, b, err);
    return rc ? rc : dg_buf_addc(b, '}');
}

static int run_counts(const arc_normalize_summary *s, dg_buf *b)
{
    return dg_buf_addf(b, "{\"records\":%ld,\"fields\":%ld,\"auto\":%ld,\"review\":%ld,"
                          "\"invalid\":%ld,\"missing\":%ld,\"kept\":%ld,\"match_auto\":%ld,"
                          "\"match_review\":%ld}",
                       s->records, s->fields, s->auto_fields, s->review_fields,
                       s->invalid_fields, s->missing_fields, s->kept_fields, s->match_auto,
                       s->match_review);
}

static int normalize_records(sqlite3 *db, const arc_normalize_opts *o, arc_matcher *m,
                             const review_conf *rv, writer *w, const arc_progress *prog,
                             arc_normalize_summary *sum, dg_err *err)
{
    int64_t *ids;
    size_t n;
    int rc = record_ids(db, o->redo, &ids, &n, err);
    for (size_t i = 0; i < n && !rc; i++) {
        rec r;
        int skipped = 0;
        rc = rec_load(db, ids[i], &r, err);
        rc = rc ? rc : rec_normalize(m, rv, &r, err);
        rc = rc ? rc : rec_write(w, &r, &skipped, err);
        if (!rc && !skipped)
            rec_count(&r, sum);
        rec_release(&r);
        arc_progress_report(prog, "normalize", (long)i + 1, (long)n, NULL);
    }
    free(ids);
    return rc;
}

static int normalize_run(sqlite3 *db, const arc_normalize_opts *o, const char *cfg,
                         const review_conf *rv, arc_matcher *m, const arc_progress *prog,
                         arc_normalize_summary *sum, dg_err *err)
{
    dg_buf params, counts;
    dg_buf_init(&params, 0);
    dg_buf_init(&counts, 0);
    int rc = run_params(o, cfg, rv, m, &params, err);
    rc = rc ? rc : db_run_begin(db, "normalize", params.data, &sum->run_id, err);
    if (rc) {
        dg_buf_release(&params);
        return rc;
    }
    writer w;
    rc = writer_open(db, sum->run_id, &w, err);
    if (!rc) {
        rc = normalize_records(db, o, m, rv, &w, prog, sum, err);
        writer_close(&w);
    }
    run_counts(sum, &counts);
    db_run_end(db, sum->run_id, rc ? "failed" : "done", counts.data ? counts.data : "{}", NULL);
    dg_buf_release(&params);
    dg_buf_release(&counts);
    return rc;
}

int arc_normalize(sqlite3 *db, const arc_normalize_opts *o, const arc_progress *prog,
                  arc_normalize_summary *sum, dg_err *err)
{
    memset(sum, 0, sizeof *sum);
    const char *cfg = o->config_dir ? o->config_dir : arc_config_dir();
    char rv_path[4096];
    review_conf rv = {0};
    int rc = db_runs_mark_interrupted(db, "normalize", err);
    if (!rc && !o->review_conf)
        rc = arc_path_join(rv_path, sizeof rv_path, cfg, "review.conf", err);
    rc = rc ? rc : review_conf_load(o->review_conf ? o->review_conf : rv_path, &rv, err);
    rv.trust = NULL;
    rc = rc ? rc : arc_trust_open(cfg, &rv.trust, err);
    rc = rc ? rc : arc_catalog_ensure(db, o->catalog_dir, &sum->catalog_imported, err);
    arc_matcher m;
    rc = rc ? rc : arc_matcher_open(db, cfg, o->catalog_dir, &m, err);
    if (rc) {
        arc_trust_close(&rv.trust);
        return rc;
    }
    rv.sources = NULL;
    rc = rv.trust ? arc_sources_open(db, m.ctx, &rv.sources, err) : DG_OK;
    rc = rc ? rc : normalize_run(db, o, cfg, &rv, &m, prog, sum, err);
    arc_sources_close(&rv.sources);
    arc_matcher_close(&m);
    arc_trust_close(&rv.trust);
    return rc;
}
