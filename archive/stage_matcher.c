/*
 * stage_matcher.c - the discipline matcher as the archive uses it: the
 * catalog and matcher settings with the database's active mapping rules
 * (for the normalize stage and `dangan match`), and the operators'
 * mapping rules themselves.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"
#include "normalize.h"

/* ---- the matcher with the database's mapping rules ------------------------------ */


void arc_matcher_close(arc_matcher *m)
{
    for (size_t i = 0; i < m->nrules; i++) {
        free(m->strs[i].name);
        free(m->strs[i].department);
        free(m->strs[i].code);
        free(m->strs[i].id);
        free(m->strs[i].who);
    }
    free(m->strs);
    free(m->rules);
    norm_catalog_free(&m->cat);
    norm_ctx_free(&m->ctx);
    memset(m, 0, sizeof *m);
}

static int rule_push(arc_matcher *m, sqlite3_stmt *st)
{
    size_t i = m->nrules;
    norm_match_rule *r = realloc(m->rules, (i + 1) * sizeof *r);
    if (r)
        m->rules = r;
    rule_strings *s = r ? realloc(m->strs, (i + 1) * sizeof *s) : NULL;
    if (!s)
        return DG_ENOMEM;
    m->strs = s;
    s += i;
    s->id = dg_strdup((const char *)sqlite3_column_text(st, 0));
    s->name = dg_strdup((const char *)sqlite3_column_text(st, 1));
    s->department = dg_strdup((const char *)sqlite3_column_text(st, 4));
    s->code = dg_strdup((const char *)sqlite3_column_text(st, 5));
    s->who = dg_strdup((const char *)sqlite3_column_text(st, 6));
    m->nrules++;
    m->rules[i] = (norm_match_rule){s->name, sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
                                    s->department, s->code, s->id, s->who};
    return s->id && s->name && s->code && s->who ? DG_OK : DG_ENOMEM;
}

static int rules_load(sqlite3 *db, arc_matcher *m, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT id, name_norm, coalesce(year_from, 0), coalesce(year_to, 0), "
                       "department, code, operator FROM mapping_rule WHERE active ORDER BY id",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        rc = rule_push(m, st);
    sqlite3_finalize(st);
    if (rc)
        return dg_err_set(err, rc, "out of memory loading mapping rules");
    return DG_OK;
}

int arc_path_join(char *buf, size_t n, const char *a, const char *b, dg_err *err)
{
    int len = snprintf(buf, n, "%s/%s", a, b);
    if (len < 0 || (size_t)len >= n)
        return dg_err_set(err, DG_EUSAGE, "path too long: '%s/%s'", a, b);
    return DG_OK;
}

/* db may be NULL: no rules and no catalog import then. */
int arc_matcher_open(sqlite3 *db, const char *config_dir, const char *catalog_dir,
                        arc_matcher *m, dg_err *err)
{
    memset(m, 0, sizeof *m);
    char cat_dir[4096], conf[4096];
    const char *cfg = config_dir ? config_dir : arc_config_dir();
    if (arc_catalog_resolve_dir(catalog_dir, cat_dir, sizeof cat_dir))
        return dg_err_set(err, DG_EUSAGE, "catalog directory name too long");
    int rc = arc_path_join(conf, sizeof conf, cfg, "normalize/matcher.conf", err);
    rc = rc ? rc : norm_ctx_new(cfg, &m->ctx, err);
    rc = rc || !db ? rc : arc_catalog_ensure(db, catalog_dir, NULL, err);
    rc = rc ? rc : norm_catalog_load(cat_dir, &m->cat, err);
    rc = rc ? rc : norm_match_conf_load(conf, &m->conf, err);
    rc = rc || !db ? rc : rules_load(db, m, err);
    if (!rc) {
        unsigned char *data;
        size_t n;
        dg_err ignored;
        if (!arc_read_file(conf, &data, &n, &ignored)) {
            dg_sha256_hex(data, n, m->conf_sha);
            free(data);
        }
    }
    if (rc)
        arc_matcher_close(m);
    return rc;
}

/* The normalized form majors and departments are compared in (norm_text). */
int arc_text_norm(norm_ctx *ctx, const char *raw, char **out, dg_err *err)
{
    *out = NULL;
    if (!raw || !raw[0])
        return DG_OK;
    norm_result r;
    int rc = norm_text(ctx, raw, &r, err);
    if (!rc && r.value) {
        *out = r.value;
        r.value = NULL;
    }
    norm_result_release(&r);
    return rc;
}

/* The mapping_rule id that decided the best candidate, else 0.  The stage
 * passes rule ids as the decimal text of mapping_rule.id (rule_push). */
int64_t arc_candidate_rule(const norm_match_result *mr)
{
    if (mr->decision != NORM_AUTO || !mr->ncandidates || !mr->candidates[0].rule_id)
        return 0;
    char *end;
    errno = 0;
    long long id = strtoll(mr->candidates[0].rule_id, &end, 10);
    return errno || end == mr->candidates[0].rule_id || *end || id <= 0 ? 0 : (int64_t)id;
}

/* ---- dangan match ------------------------------------------------------------ */

void arc_match_result_release(arc_match_result *r)
{
    for (size_t i = 0; i < r->ncandidates; i++) {
        arc_match_candidate *c = &r->candidates[i];
        free(c->code);
        free(c->name);
        free(c->edition);
        free(c->path);
        for (size_t j = 0; j < c->nevidence; j++)
            free(c->evidence[j]);
        free(c->evidence);
    }
    free(r->candidates);
    free(r->json);
    memset(r, 0, sizeof *r);
}

/* The matcher's result as the caller's copy (norm_* types stay private). */
static int match_copy(const norm_match_result *mr, int json, arc_match_result *out)
{
    out->decided_auto = mr->decision == NORM_AUTO;
    if (json) {
        dg_buf b;
        dg_buf_init(&b, 0);
        if (norm_match_json(mr, &b)) {
            dg_buf_release(&b);
            return DG_ENOMEM;
        }
        out->json = dg_buf_detach(&b);
    }
    out->candidates = mr->ncandidates ? calloc(mr->ncandidates, sizeof *out->candidates) : NULL;
    if (mr->ncandidates && !out->candidates)
        return DG_ENOMEM;
    for (size_t i = 0; i < mr->ncandidates; i++, out->ncandidates++) {
        const norm_candidate *c = &mr->candidates[i];
        arc_match_candidate *o = &out->candidates[i];
        o->score = c->score;
        o->code = dg_strdup(c->code);
        o->name = dg_strdup(c->name);
        o->edition = dg_strdup(c->edition);
        o->path = dg_strdup(c->path);
        o->evidence = c->nevidence ? calloc(c->nevidence, sizeof *o->evidence) : NULL;
        if ((c->code && !o->code) || (c->name && !o->name) || (c->edition && !o->edition) ||
            (c->path && !o->path) || (c->nevidence && !o->evidence))
            return DG_ENOMEM;
        for (; o->nevidence < c->nevidence; o->nevidence++)
            if (!(o->evidence[o->nevidence] = dg_strdup(c->evidence[o->nevidence])))
                return DG_ENOMEM;
    }
    return DG_OK;
}

int arc_match_text(sqlite3 *db, const arc_match_opts *o, const char *text,
                   arc_match_result *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    arc_matcher m;
    int rc = arc_matcher_open(db, o->config_dir, o->catalog_dir, &m, err);
    if (rc)
        return rc;
    char *name = NULL, *dept = NULL;
    norm_match_result mr = {0};
    rc = arc_text_norm(m.ctx, text, &name, err);
    rc = rc ? rc : arc_text_norm(m.ctx, o->department, &dept, err);
    if (!rc && !name)
        rc = dg_err_set(err, DG_EUSAGE, "empty discipline name '%s'", text);
    norm_match_input in = {name, o->code, o->year, dept, m.rules, m.nrules};
    rc = rc ? rc : norm_match(m.ctx, m.cat, &m.conf, &in, &mr, err);
    if (!rc && (rc = match_copy(&mr, o->json, out)))
        dg_err_set(err, rc, "out of memory copying the match result");
    if (rc)
        arc_match_result_release(out);
    norm_match_result_release(&mr);
    free(name);
    free(dept);
    arc_matcher_close(&m);
    return rc;
}

/* ---- mapping rules ------------------------------------------------------------- */

static int rule_code_check(sqlite3 *db, const char *code, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT (SELECT count(*) FROM catalog_edition WHERE target), "
                       "(SELECT count(*) FROM discipline d JOIN catalog_edition e ON "
                       "e.edition = d.edition AND e.target WHERE d.code = ? AND "
                       "d.level IN ('first', 'second'))",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int have_target = 0, found = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        have_target = sqlite3_column_int(st, 0);
        found = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    if (!have_target)
        return dg_err_set(err, DG_ENOTFOUND,
                          "no discipline catalog imported (run 'dangan catalog import')");
    if (!found)
        return dg_err_set(err, DG_EINPUT,
                          "code '%s' is not a discipline of the target catalog edition", code);
    return DG_OK;
}

static int rule_args_check(const char *name, int year_from, int year_to, const char *code,
                           const char *who, dg_err *err)
{
    if (!name || !name[0])
        return dg_err_set(err, DG_EUSAGE, "a mapping rule needs a major name");
    if (!code || !code[0])
        return dg_err_set(err, DG_EUSAGE, "mapping rule for '%s' needs a code", name);
    if (!who || !who[0])
        return dg_err_set(err, DG_EUSAGE, "mapping rule for '%s' needs an operator", name);
    if (year_from < 0 || year_to < 0 || (year_from && year_to && year_from > year_to))
        return dg_err_set(err, DG_EUSAGE, "mapping rule for '%s': bad years %d-%d", name,
                          year_from, year_to);
    return DG_OK;
}

static int rule_insert(sqlite3 *db, const char *name, int year_from, int year_to,
                       const char *dept, const char *code, const char *who, int64_t source_field,
                       const char *note, int64_t *id, dg_err *err)
{
    char now[32];
    dg_now_iso(now);
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO mapping_rule(name_norm, year_from, year_to, department, "
                       "code, operator, decided, source_field, note) VALUES (?, nullif(?, 0), "
                       "nullif(?, 0), ?, ?, ?, ?, nullif(?, 0), ?)",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, year_from);
    sqlite3_bind_int(st, 3, year_to);
    if (dept)
        sqlite3_bind_text(st, 4, dept, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, source_field);
    sqlite3_bind_text(st, 9, note ? note : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot store mapping rule");
    if (id)
        *id = sqlite3_last_insert_rowid(db);
    return DG_OK;
}

int arc_mapping_rule_add(sqlite3 *db, norm_ctx *ctx, const char *name, int year_from,
                         int year_to, const char *department, const char *code, const char *who,
                         int64_t source_field, const char *note, int64_t *id, dg_err *err)
{
    int rc = rule_args_check(name, year_from, year_to, code, who, err);
    rc = rc ? rc : rule_code_check(db, code, err);
    if (rc)
        return rc;
    norm_ctx *own = NULL;
    if (!ctx && (rc = norm_ctx_new(arc_config_dir(), &own, err)))
        return rc;
    ctx = ctx ? ctx : own;
    char *nname = NULL, *ndept = NULL;
    rc = arc_text_norm(ctx, name, &nname, err);
    rc = rc ? rc : arc_text_norm(ctx, department, &ndept, err);
    if (!rc && !nname)
        rc = dg_err_set(err, DG_EUSAGE, "mapping rule name '%s' is empty", name);
    rc = rc ? rc
            : rule_insert(db, nname, year_from, year_to, ndept, code, who, source_field, note,
                          id, err);
    free(nname);
    free(ndept);
    norm_ctx_free(&own);
    return rc;
}

int arc_mapping_rule_deactivate(sqlite3 *db, int64_t id, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE mapping_rule SET active = 0 WHERE id = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot deactivate mapping rule");
    if (!sqlite3_changes(db))
        return dg_err_set(err, DG_ENOTFOUND, "no mapping rule %lld", (long long)id);
    return DG_OK;
}
