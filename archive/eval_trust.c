/*
 * eval_trust.c - how far p(right) can be trusted, against truth files, and
 * the fit that makes it so.
 *
 * A value is right when the field's normalized value equals the truth's
 * normalized value, whitespace ignored.  Per field key: accuracy of the
 * value chosen (before review), a reliability table of p, the expected
 * calibration error, and at the configured thresholds the share verified
 * without review, the error among those, and how many right values went to
 * review anyway.  The fit reads the features each candidate was weighed
 * with (field.evidence) and the truth, and writes configs/trust.conf.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

/* Every truth field with a normalized value, beside what the archive made of it. */
static const char tf_sql[] =
    "CREATE TEMP TABLE ev_tf AS SELECT r.record_id AS record_id, f.key AS key, "
    ARC_SQL_NOWS("json_extract(f.value, '$.normalized')") " AS want, x.id AS field_id, "
    ARC_SQL_NOWS("x.value") " AS got, x.value IS NOT NULL AS has_value, x.p AS p, "
    "x.state AS state, coalesce(x.evidence, '') AS evidence, x.conf_min AS conf_min "
    "FROM ev_rec r, "
    "json_each(r.fields) f LEFT JOIN field x ON x.record_id = r.record_id AND x.key = f.key "
    "WHERE r.record_id IS NOT NULL AND json_type(f.value, '$.normalized') IN "
    "('text', 'integer', 'real')";

/* The truth tables (arc_eval_truth_tables) and ev_tf over them; tf_close
 * drops them whatever tf_open got to. */
static int tf_open(sqlite3 *db, const char *truth_dir, long *nfiles, dg_err *err)
{
    int rc = arc_eval_truth_tables(db, truth_dir, nfiles, err);
    rc = rc ? rc : db_exec(db, "DROP TABLE IF EXISTS temp.ev_tf", err);
    return rc ? rc : db_exec(db, tf_sql, err);
}

static void tf_close(sqlite3 *db)
{
    db_exec(db, "DROP TABLE IF EXISTS temp.ev_tf", NULL);
    arc_eval_truth_drop(db);
}

static void bins_add(arc_trust_bins *b, double p, int right)
{
    int k = (int)(p * ARC_TRUST_BINS);
    k = k < 0 ? 0 : k >= ARC_TRUST_BINS ? ARC_TRUST_BINS - 1 : k;
    b->count[k]++;
    b->right[k] += right;
    b->p_sum[k] += p;
}

static void row_add(arc_trust_row *w, const char *state, int has_p, double p, double raw,
                    int right)
{
    w->n++;
    w->right += right;
    if (has_p) {
        w->weighed++;
        bins_add(&w->bins, p, right);
        bins_add(&w->raw, raw, right);
    }
    if (state && strcmp(state, "auto") == 0) {
        w->verified++;
        w->verified_wrong += !right;
    } else if (state && strcmp(state, "review") == 0) {
        w->review++;
        w->review_right += right;
    }
}

static void bins_finish(arc_trust_bins *b)
{
    double gap = 0;
    long n = 0;
    for (int k = 0; k < ARC_TRUST_BINS; k++) {
        gap += fabs(b->p_sum[k] - (double)b->right[k]);
        n += b->count[k];
    }
    b->ece = n ? gap / (double)n : 0;
}

static void row_finish(arc_trust_row *w)
{
    bins_finish(&w->bins);
    bins_finish(&w->raw);
}

static arc_trust_row *row_for(arc_eval_trust_result *r, const char *key)
{
    for (size_t i = 0; i < r->nrows; i++)
        if (strcmp(r->rows[i].key, key) == 0)
            return &r->rows[i];
    arc_trust_row *v = arc_grow(r->rows, r->nrows, sizeof *v);
    if (!v)
        return NULL;
    r->rows = v;
    memset(&v[r->nrows], 0, sizeof *v);
    if (!(v[r->nrows].key = dg_strdup(key)))
        return NULL;
    return &v[r->nrows++];
}

static int collect(sqlite3 *db, arc_eval_trust_result *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT key, want, got, has_value, p, state, conf_min FROM ev_tf "
                       "ORDER BY key",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *want = (const char *)sqlite3_column_text(st, 1);
        const char *got = (const char *)sqlite3_column_text(st, 2);
        int right = sqlite3_column_int(st, 3) && got && want && strcmp(got, want) == 0;
        int has_p = sqlite3_column_type(st, 4) != SQLITE_NULL;
        double p = sqlite3_column_double(st, 4);
        const char *state = (const char *)sqlite3_column_text(st, 5);
        double raw = sqlite3_column_double(st, 6) / 100.0;
        arc_trust_row *w = row_for(r, key ? key : "");
        const dg_field_key *fk = dg_field_key_find(key ? key : "");
        if (!w) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        row_add(w, state, has_p, p, raw, right);
        row_add(&r->by_type[fk ? fk->vt : DG_VT_TEXT], state, has_p, p, raw, right);
        row_add(&r->all, state, has_p, p, raw, right);
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < r->nrows; i++)
        row_finish(&r->rows[i]);
    for (int t = 0; t < DG_VT_COUNT; t++)
        row_finish(&r->by_type[t]);
    row_finish(&r->all);
    return rc;
}

/* Records (truth cards and ledger rows found) with no value left to review. */
static int count_records(sqlite3 *db, arc_eval_trust_result *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT count(*), coalesce(sum(NOT EXISTS (SELECT 1 FROM field x "
                       "WHERE x.record_id = e.record_id AND x.state IN ('review', 'invalid'))), 0) "
                       "FROM (SELECT DISTINCT record_id FROM ev_tf) e",
                   &st, err))
        return DG_EDB;
    if (sqlite3_step(st) == SQLITE_ROW) {
        r->records = sqlite3_column_int64(st, 0);
        r->records_unreviewed = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return DG_OK;
}

void arc_eval_trust_release(arc_eval_trust_result *r)
{
    for (size_t i = 0; i < r->nrows; i++)
        free(r->rows[i].key);
    free(r->rows);
    memset(r, 0, sizeof *r);
}

int arc_eval_trust(sqlite3 *db, const char *truth_dir, arc_eval_trust_result *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    long nfiles = 0;
    int rc = tf_open(db, truth_dir, &nfiles, err);
    rc = rc ? rc : collect(db, r, err);
    rc = rc ? rc : count_records(db, r, err);
    tf_close(db);
    if (rc)
        arc_eval_trust_release(r);
    return rc;
}

static int row_json(const arc_trust_row *w, dg_buf *b)
{
    int rc = dg_buf_addf(b,
                         "{\"n\":%ld,\"right\":%ld,\"accuracy\":%.4f,\"weighed\":%ld,"
                         "\"ece\":%.4f,\"ece_raw_conf\":%.4f,\"verified\":%ld,\"verified_share\":%.4f,"
                         "\"verified_wrong\":%ld,\"verified_error\":%.4f,\"review\":%ld,"
                         "\"review_right\":%ld,\"reliability\":[",
                         w->n, w->right, w->n ? (double)w->right / (double)w->n : 0, w->weighed,
                         w->bins.ece, w->raw.ece, w->verified,
                         w->n ? (double)w->verified / (double)w->n : 0, w->verified_wrong,
                         w->verified ? (double)w->verified_wrong / (double)w->verified : 0,
                         w->review, w->review_right);
    for (int k = 0, first = 1; k < ARC_TRUST_BINS && !rc; k++) {
        if (!w->bins.count[k])
            continue;
        rc = dg_buf_addf(b, "%s{\"p_from\":%.1f,\"p_to\":%.1f,\"n\":%ld,\"mean_p\":%.4f,"
                            "\"right\":%.4f}",
                         first ? "" : ",", k / 10.0, (k + 1) / 10.0, w->bins.count[k],
                         w->bins.p_sum[k] / (double)w->bins.count[k],
                         (double)w->bins.right[k] / (double)w->bins.count[k]);
        first = 0;
    }
    return rc ? rc : dg_buf_adds(b, "]}");
}

int arc_eval_trust_json(const arc_eval_trust_result *r, dg_buf *b)
{
    int rc = dg_buf_addf(b, "{\"records\":%ld,\"records_unreviewed\":%ld,\"all\":", r->records,
                         r->records_unreviewed);
    rc = rc ? rc : row_json(&r->all, b);
    rc = rc ? rc : dg_buf_adds(b, ",\"types\":{");
    for (int t = 0, first = 1; t < DG_VT_COUNT && !rc; t++) {
        if (!r->by_type[t].n)
            continue;
        rc = dg_buf_addf(b, "%s\"%s\":", first ? "" : ",", dg_vtype_names[t]);
        rc = rc ? rc : row_json(&r->by_type[t], b);
        first = 0;
    }
    rc = rc ? rc : dg_buf_adds(b, "},\"fields\":{");
    for (size_t i = 0; i < r->nrows && !rc; i++) {
        rc = i ? dg_buf_addc(b, ',') : DG_OK;
        rc = rc ? rc : dg_buf_json_str(b, r->rows[i].key);
        rc = rc ? rc : dg_buf_addc(b, ':');
        rc = rc ? rc : row_json(&r->rows[i], b);
    }
    return rc ? rc : dg_buf_adds(b, "}}");
}

/* ---- fitting ------------------------------------------------------------------- */

typedef struct exset {
    norm_trust_example *ex;
    size_t n;
    long *field; /* which field each example is a candidate of */
    long *page;  /* and the page it is on (folds of the cross-fit) */
} exset;

static int exset_add(exset *s, const double *f, int right, long field, long page)
{
    norm_trust_example *e = arc_grow(s->ex, s->n, sizeof *e);
    if (!e)
        return DG_ENOMEM;
    s->ex = e;
    long *fl = arc_grow(s->field, s->n, sizeof *fl);
    if (!fl)
        return DG_ENOMEM;
    s->field = fl;
    long *pg = arc_grow(s->page, s->n, sizeof *pg);
    if (!pg)
        return DG_ENOMEM;
    s->page = pg;
    pg[s->n] = page;
    memcpy(e[s->n].f, f, sizeof e[s->n].f);
    e[s->n].right = right;
    fl[s->n++] = field;
    return DG_OK;
}

/* Each field key's base rate on the fit's pages: log-odds of its values
 * being right (one right and one wrong added, so a key seen a few times
 * stays near even). */
typedef struct rates {
    char (*key)[32];
    double *logodds;
    size_t n;
} rates;

static int key_rates(sqlite3 *db, rates *r, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT key, sum(has_value AND got = want), sum(NOT (has_value AND "
                       "got = want)) FROM ev_tf WHERE json_valid(evidence) GROUP BY key "
                       "ORDER BY key",
                   &st, err))
        return DG_EDB;
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        char(*k)[32] = arc_grow(r->key, r->n, sizeof *k);
        double *l = k ? arc_grow(r->logodds, r->n, sizeof *l) : NULL;
        if (k)
            r->key = k;
        if (!l) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        r->logodds = l;
        snprintf(k[r->n], sizeof k[r->n], "%s", (const char *)sqlite3_column_text(st, 0));
        double right = sqlite3_column_double(st, 1), wrong = sqlite3_column_double(st, 2);
        l[r->n++] = log((right + 1) / (wrong + 1));
    }
    sqlite3_finalize(st);
    return rc;
}

static double rate_of(const rates *r, const char *key)
{
    for (size_t i = 0; key && i < r->n; i++)
        if (strcmp(r->key[i], key) == 0)
            return r->logodds[i];
    return 0;
}

static int examples(sqlite3 *db, const rates *kr, exset sets[DG_VT_COUNT], dg_err *err)
{
    dg_buf sql;
    dg_buf_init(&sql, 0);
    dg_buf_adds(&sql, "SELECT t.field_id, json_extract(t.evidence, '$.vt'), "
                      ARC_SQL_NOWS("json_extract(c.value, '$.value')") " = t.want, t.key, "
                      "(SELECT page_id FROM record r WHERE r.id = t.record_id)");
    for (int i = 0; i < NORM_TF_COUNT; i++)
        dg_buf_addf(&sql, ", json_extract(c.value, '$.features.%s')",
                    norm_trust_feature_names[i]);
    int rc = dg_buf_adds(&sql, " FROM ev_tf t, json_each(t.evidence, '$.candidates') c "
                               "WHERE json_valid(t.evidence) ORDER BY t.field_id, c.key");
    sqlite3_stmt *st;
    if (rc || db_prepare(db, sql.data, &st, err)) {
        dg_buf_release(&sql);
        return rc ? dg_err_set(err, rc, "out of memory") : DG_EDB;
    }
    dg_buf_release(&sql);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int t = dg_vtype_find((const char *)sqlite3_column_text(st, 1));
        if (t < 0)
            continue;
        double f[NORM_TF_COUNT];
        for (int i = 0; i < NORM_TF_COUNT; i++)
            f[i] = sqlite3_column_double(st, 5 + i);
        /* stored evidence may predate the feature: it is the fit's own figure */
        f[NORM_TF_KEY_RATE] = rate_of(kr, (const char *)sqlite3_column_text(st, 3));
        rc = exset_add(&sets[t], f, sqlite3_column_int(st, 2),
                       (long)sqlite3_column_int64(st, 0), (long)sqlite3_column_int64(st, 4));
    }
    sqlite3_finalize(st);
    return rc ? dg_err_set(err, rc, "out of memory") : DG_OK;
}

/* The cross-fit's fold of a page: hashed, so that pages ingested in a
 * pattern (a ledger, then cards of its graduates) do not fall into folds
 * by kind. */
static int fold_of(long page)
{
    unsigned long x = (unsigned long)page * 2654435761u;
    x ^= x >> 13;
    return (int)(x % ARC_TRUST_FOLDS);
}

/* A type needs this many candidates, right and wrong, to be fitted at all. */
enum { MIN_EXAMPLES = 30, MIN_EACH = 3 };

static int fit_type(const exset *s, int t, const arc_trust_settings *set, dg_buf *out)
{
    double target = set->target[t], conf = set->conf[t];
    int reread = set->reread[t], reread3 = set->reread3[t];
    size_t pos = 0;
    for (size_t i = 0; i < s->n; i++)
        pos += s->ex[i].right != 0;
    int rc = dg_buf_addf(out, "\n# %s: %zu candidates of %s values, %zu right\n",
                         dg_vtype_names[t], s->n, dg_vtype_names[t], pos);
    rc = rc ? rc : dg_buf_addf(out, "target_error.%s = %g\n", dg_vtype_names[t], target);
    rc = rc ? rc : dg_buf_addf(out, "confidence.%s = %g\n", dg_vtype_names[t], conf);
    rc = rc ? rc : dg_buf_addf(out, "reread.%s = %d\n", dg_vtype_names[t], reread);
    rc = rc ? rc : dg_buf_addf(out, "reread3.%s = %d\n", dg_vtype_names[t], reread3);
    if (rc || s->n < MIN_EXAMPLES || pos < MIN_EACH || s->n - pos < MIN_EACH)
        return rc ? rc : dg_buf_addf(out, "# too few to fit: every %s value goes to review\n",
                                     dg_vtype_names[t]);
    double w[NORM_TF_COUNT] = {0};
    if (norm_trust_fit(s->ex, s->n, 1.0, w))
        return dg_buf_addf(out, "# the fit did not converge: every %s value goes to review\n",
                           dg_vtype_names[t]);
    norm_trust_scored *sc = malloc(s->n * sizeof *sc);
    int *fold = malloc(s->n * sizeof *fold);
    if (!sc || !fold) {
        free(sc);
        free(fold);
        return DG_ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++)
        fold[i] = fold_of(s->page[i]);
    norm_trust_tcfg tc = {.target = target, .conf = conf, .l2 = 1.0, .nfolds = ARC_TRUST_FOLDS};
    double th = 1.0;
    size_t n = 0;
    rc = norm_trust_threshold_cv(s->ex, s->field, fold, s->n, &tc, &th, sc, &n);
    /* what the threshold rests on, out of fold: values above it, the
     * errors p expects among them and the errors seen */
    size_t above = 0, wrong = 0;
    double expected = 0;
    for (size_t i = 0; i < n; i++)
        if (sc[i].p >= th) {
            above++;
            wrong += !sc[i].right;
            expected += 1 - sc[i].p;
        }
    free(sc);
    free(fold);
    if (rc)
        return rc;
    rc = n ? dg_buf_addf(out,
                         "# threshold from %d-fold cross-fitted p of %zu values: %zu at or "
                         "above it, p expects %.1f of them wrong, %zu seen wrong\n",
                         ARC_TRUST_FOLDS, n, above, expected, wrong)
           : dg_buf_addf(out, "# a fold had fewer than %d right or wrong values: every %s value "
                              "goes to review\n",
                         NORM_TRUST_MIN_EACH, dg_vtype_names[t]);
    if (rc)
        return rc;
    rc = dg_buf_addf(out, "threshold.%s = %.4f\n", dg_vtype_names[t], th);
    for (int i = 0; i < NORM_TF_COUNT && !rc; i++)
        rc = dg_buf_addf(out, "w.%s.%s = %.4f\n", dg_vtype_names[t], norm_trust_feature_names[i],
                         w[i]);
    return rc;
}

/* What the fit and the examples both read: the truth files matched to the
 * workspace, each field key's base rate and each value's evidence. */
typedef struct trust_data {
    long nfiles;
    exset sets[DG_VT_COUNT];
    rates kr;
} trust_data;

static int trust_gather(sqlite3 *db, const char *truth_dir, trust_data *d, dg_err *err)
{
    memset(d, 0, sizeof *d);
    int rc = tf_open(db, truth_dir, &d->nfiles, err);
    rc = rc ? rc : key_rates(db, &d->kr, err);
    return rc ? rc : examples(db, &d->kr, d->sets, err);
}

static void trust_release(sqlite3 *db, trust_data *d)
{
    free(d->kr.key);
    free(d->kr.logodds);
    for (int t = 0; t < DG_VT_COUNT; t++) {
        free(d->sets[t].ex);
        free(d->sets[t].field);
        free(d->sets[t].page);
    }
    tf_close(db);
}

int arc_trust_fit(sqlite3 *db, const char *truth_dir, const arc_trust_settings *set,
                  dg_buf *out, dg_err *err)
{
    trust_data d;
    int rc = trust_gather(db, truth_dir, &d, err);
    if (!rc) {
        char now[32];
        dg_now_iso(now);
        rc = dg_buf_addf(out,
                         "# configs/trust.conf - p(right) of each value: a logistic model per\n"
                         "# value type over the evidence (features: normalize/trust.c), and the\n"
                         "# threshold a value must clear to be verified without review: the\n"
                         "# lowest p at which the values above it, weighed by models fitted on\n"
                         "# the other pages, are expected wrong at most target_error of the\n"
                         "# time, unless their errors show more at the confidence given.\n"
                         "# Fitted by `dangan eval --truth DIR --fit-trust FILE` on %ld truth\n"
                         "# files, %s.  Edit target_error and fit again; do not edit weights.\n",
                         d.nfiles, now);
    }
    for (int t = 0; t < DG_VT_COUNT && !rc; t++)
        rc = fit_type(&d.sets[t], t, set, out);
    rc = rc ? rc : dg_buf_adds(out, "\n# each field key's base rate (log-odds right) on these pages\n");
    for (size_t i = 0; i < d.kr.n && !rc; i++)
        rc = dg_buf_addf(out, "rate.%s = %.4f\n", d.kr.key[i], d.kr.logodds[i]);
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory fitting");
    trust_release(db, &d);
    return rc;
}

int arc_trust_examples(sqlite3 *db, const char *truth_dir, dg_buf *out, dg_err *err)
{
    trust_data d;
    int rc = trust_gather(db, truth_dir, &d, err);
    rc = rc ? rc : dg_buf_adds(out, "type\tfield\tpage\tright");
    for (int i = 0; i < NORM_TF_COUNT && !rc; i++)
        rc = dg_buf_addf(out, "\t%s", norm_trust_feature_names[i]);
    rc = rc ? rc : dg_buf_addc(out, '\n');
    for (int t = 0; t < DG_VT_COUNT && !rc; t++)
        for (size_t i = 0; i < d.sets[t].n && !rc; i++) {
            rc = dg_buf_addf(out, "%s\t%ld\t%ld\t%d", dg_vtype_names[t], d.sets[t].field[i],
                             d.sets[t].page[i], d.sets[t].ex[i].right);
            for (int k = 0; k < NORM_TF_COUNT && !rc; k++)
                rc = dg_buf_addf(out, "\t%.17g", d.sets[t].ex[i].f[k]);
            rc = rc ? rc : dg_buf_addc(out, '\n');
        }
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory");
    trust_release(db, &d);
    return rc;
}

int arc_trust_settings_read(const char *config_dir, arc_trust_settings *set, dg_err *err)
{
    for (int t = 0; t < DG_VT_COUNT; t++) {
        set->target[t] = ARC_TRUST_DEFAULT_TARGET;
        set->conf[t] = ARC_TRUST_DEFAULT_CONFIDENCE;
        set->reread[t] = t == DG_VT_NAME;
        set->reread3[t] = t == DG_VT_NAME;
    }
    arc_trust *tr = NULL;
    int rc = arc_trust_open(config_dir, &tr, err);
    if (!rc && tr) {
        arc_trust_get_targets(tr, set->target, set->conf);
        arc_trust_reread_types(tr, set->reread, set->reread3);
    }
    arc_trust_close(&tr);
    return rc;
}
