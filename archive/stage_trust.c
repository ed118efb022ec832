/*
 * stage_trust.c - p(right) for each value the normalize stage sets.
 *
 * A field may have been read by more than one reader (Tesseract during OCR,
 * the second recognizer over the field's box, the ledger's own sequence).
 * Each distinct normalized value is a candidate; its evidence (the readers'
 * confidences, their agreement, the name prior, the normalizer's verdict,
 * the column around it) is weighed by the logistic model of its value type
 * (configs/trust.conf, fitted by `dangan eval --fit-trust`), and the most
 * probable candidate becomes the value.  The field is verified without
 * review only when its p clears the threshold fitted for the type's target
 * error rate.  Every candidate, feature and weighted term is kept as JSON
 * in field.evidence, so provenance can show why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

/* A field key's base rate: how often values of the key were right where the
 * model was fitted (a sex is rarely misread, a student number often). */
typedef struct key_rate {
    char key[32];
    double logodds;
} key_rate;

struct arc_trust {
    key_rate *rates;
    size_t nrates;
    double w[DG_VT_COUNT][NORM_TF_COUNT];
    double threshold[DG_VT_COUNT];
    double target[DG_VT_COUNT];
    double conf[DG_VT_COUNT];
    int have[DG_VT_COUNT]; /* weights given for the type */
    int reread[DG_VT_COUNT]; /* the second reader reads fields of the type */
    int reread3[DG_VT_COUNT]; /* ... the third reader */
    norm_prior *prior;
    char sha[65];
};

static int feature_of(const char *name)
{
    for (int i = 0; i < NORM_TF_COUNT; i++)
        if (strcmp(name, norm_trust_feature_names[i]) == 0)
            return i;
    return -1;
}

/* "w.<type>.<feature> = x", "threshold.<type> = p", "target_error.<type> = e",
 * "confidence.<type> = c", "reread.<type> = 0|1", "reread3.<type> = 0|1",
 * "rate.<field key> = log-odds". */
static int conf_line(void *user, const dg_kv *kv, dg_err *err)
{
    arc_trust *t = user;
    char key[128];
    snprintf(key, sizeof key, "%s", kv->key);
    char *end;
    double v = strtod(kv->value, &end);
    if (end == kv->value || *end || !isfinite(v))
        return dg_kv_fail(kv, err, "bad number '%s'", kv->value);
    char *dot = strchr(key, '.');
    if (!dot)
        return dg_kv_fail(kv, err, "unknown key '%s'", key);
    *dot = '\0';
    if (strcmp(key, "rate") == 0) {
        key_rate *r = realloc(t->rates, (t->nrates + 1) * sizeof *r);
        if (!r)
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        t->rates = r;
        snprintf(r[t->nrates].key, sizeof r[t->nrates].key, "%s", dot + 1);
        r[t->nrates++].logodds = v;
        return DG_OK;
    }
    char *rest = dot + 1, *dot2 = strchr(rest, '.');
    if (dot2)
        *dot2 = '\0';
    int vt = dg_vtype_find(rest);
    if (vt < 0)
        return dg_kv_fail(kv, err, "unknown value type '%s'", rest);
    if (strcmp(key, "w") == 0 && dot2) {
        int f = feature_of(dot2 + 1);
        if (f < 0)
            return dg_kv_fail(kv, err, "unknown feature '%s'", dot2 + 1);
        t->w[vt][f] = v;
        t->have[vt] = 1;
    } else if (strcmp(key, "threshold") == 0 && !dot2 && v >= 0 && v <= 1) {
        t->threshold[vt] = v;
    } else if (strcmp(key, "target_error") == 0 && !dot2 && v > 0 && v < 1) {
        t->target[vt] = v;
    } else if (strcmp(key, "confidence") == 0 && !dot2 && v > 0 && v < 1) {
        t->conf[vt] = v;
    } else if (strcmp(key, "reread") == 0 && !dot2 && (v == 0 || v == 1)) {
        t->reread[vt] = (int)v;
    } else if (strcmp(key, "reread3") == 0 && !dot2 && (v == 0 || v == 1)) {
        t->reread3[vt] = (int)v;
    } else {
        return dg_kv_fail(kv, err, "unknown key or value out of range: '%s'", kv->key);
    }
    return DG_OK;
}

int arc_trust_open(const char *config_dir, arc_trust **out, dg_err *err)
{
    *out = NULL;
    char path[4096];
    int rc = arc_path_join(path, sizeof path, config_dir, "trust.conf", err);
    if (rc)
        return rc;
    arc_trust *t = calloc(1, sizeof *t);
    if (!t)
        return dg_err_set(err, DG_ENOMEM, "out of memory reading '%s'", path);
    for (int v = 0; v < DG_VT_COUNT; v++) {
        t->threshold[v] = 1.0; /* a type nobody fitted is always reviewed */
        t->target[v] = ARC_TRUST_DEFAULT_TARGET;
        t->conf[v] = ARC_TRUST_DEFAULT_CONFIDENCE;
    }
    t->reread[DG_VT_NAME] = 1; /* names have no other check: always read twice */
    t->reread3[DG_VT_NAME] = 1; /* ... and three times where the third reader is installed */
    rc = dg_kv_load(path, 1, t->sha, conf_line, t, err);
    if (rc == DG_ENOTFOUND) {
        arc_trust_close(&t);
        return DG_OK; /* absent: the stage routes by OCR confidence */
    }
    rc = rc ? rc : norm_prior_new(config_dir, NULL, &t->prior, err);
    if (rc) {
        arc_trust_close(&t);
        return rc;
    }
    *out = t;
    return DG_OK;
}

void arc_trust_close(arc_trust **t)
{
    if (!t || !*t)
        return;
    norm_prior_free(&(*t)->prior);
    free((*t)->rates);
    free(*t);
    *t = NULL;
}

void arc_trust_reread_types(const arc_trust *t, int types[DG_VT_COUNT],
                            int types3[DG_VT_COUNT])
{
    memcpy(types, t->reread, sizeof t->reread);
    memcpy(types3, t->reread3, sizeof t->reread3);
}

void arc_trust_get_targets(const arc_trust *t, double target[DG_VT_COUNT],
                           double conf[DG_VT_COUNT])
{
    memcpy(target, t->target, sizeof t->target);
    memcpy(conf, t->conf, sizeof t->conf);
}

int arc_trust_params_json(const arc_trust *t, dg_buf *b)
{
    int rc = dg_buf_addf(b, "{\"sha256\":\"%s\",\"threshold\":{", t->sha);
    for (int v = 0; v < DG_VT_COUNT && !rc; v++)
        rc = dg_buf_addf(b, "%s\"%s\":%g", v ? "," : "", dg_vtype_names[v], t->threshold[v]);
    return rc ? rc : dg_buf_adds(b, "}}");
}

/* ---- candidates ---------------------------------------------------------------- */

typedef struct cand {
    const char *value; /* normalized (owned by a reading's norm_result) */
    size_t first;      /* the first reading that gave it: its norm_result is used */
    unsigned readers;  /* bit i: reading i gave it */
    double f[NORM_TF_COUNT], terms[NORM_TF_COUNT], p;
} cand;

static int same_text(const char *a, const char *b)
{
    /* whitespace does not make two values different */
    for (;;) {
        while (*a == ' ' || *a == '\t')
            a++;
        while (*b == ' ' || *b == '\t')
            b++;
        if (*a != *b)
            return 0;
        if (!*a)
            return 1;
        a++;
        b++;
    }
}

double arc_seq_number(const char *s)
{
    if (!s || !*s)
        return -1;
    double v = 0;
    for (; *s; s++) {
        if (*s == ' ')
            continue;
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* The digits of s, spaces dropped, into out (at most n-1); their count. */
static size_t digits_of(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; s && *s && k + 1 < n; s++)
        if (*s >= '0' && *s <= '9')
            out[k++] = *s;
    out[k] = '\0';
    return k;
}

int arc_code_year_fit(const char *code, int year)
{
    char d[64];
    size_t n = digits_of(code, d, sizeof d);
    if (year <= 0 || year > 9999 || n < 2)
        return 0;
    char yy[16], yyyy[16];
    snprintf(yy, sizeof yy, "%02d", year % 100);
    snprintf(yyyy, sizeof yyyy, "%04d", year);
    if (strncmp(d, yy, 2) == 0 || (n >= 4 && strncmp(d, yyyy, 4) == 0))
        return 1;
    return -1;
}

/* A code split into what stands before its last run of digits and that
 * run's number; 0 when it has no digits at the end or too many. */
static int code_split(const char *s, char *prefix, size_t n, double *num)
{
    char t[64];
    size_t k = 0;
    for (; s && *s && k + 1 < sizeof t; s++)
        if (*s != ' ')
            t[k++] = *s;
    t[k] = '\0';
    size_t e = k;
    while (e && t[e - 1] >= '0' && t[e - 1] <= '9')
        e--;
    if (e == k || k - e > 12)
        return 0;
    *num = 0;
    for (size_t i = e; i < k; i++)
        *num = *num * 10 + (t[i] - '0');
    /* the running number's width is part of the scheme: 0451 and 451 differ */
    snprintf(prefix, n, "%.*s#%zu", (int)e, t, k - e);
    return 1;
}

int arc_code_continues(const char *code, const char *prev, const char *next)
{
    char p0[80], p1[80];
    double v, u;
    if (!code_split(code, p0, sizeof p0, &v))
        return 0;
    int n = 0;
    if (prev && code_split(prev, p1, sizeof p1, &u) && !strcmp(p0, p1) && v - u >= 1 && v - u <= 3)
        n++;
    if (next && code_split(next, p1, sizeof p1, &u) && !strcmp(p0, p1) && u - v >= 1 && u - v <= 3)
        n++;
    return n;
}

static double column_support(const arc_trust_field *in, const char *value)
{
    if (in->vt == DG_VT_CODE && (in->code_prev || in->code_next))
        return arc_code_continues(value, in->code_prev, in->code_next);
    if (in->seq_prev >= 0 || in->seq_next >= 0) {
        double v = arc_seq_number(value), n = 0;
        n += in->seq_prev >= 0 && v == in->seq_prev + 1;
        n += in->seq_next >= 0 && v == in->seq_next - 1;
        return n;
    }
    size_t same = 0;
    for (size_t i = 0; i < in->ncolumn; i++)
        same += (in->column[i] && same_text(in->column[i], value)) ||
                (in->column2 && in->column2[i] && same_text(in->column2[i], value));
    return log1p((double)same);
}

static int reader_is(const arc_trust_reading *r, const char *name)
{
    return strcmp(r->reader, name) == 0;
}

/* 1 when some reading of the field gives a value that starts or ends with
 * value and is longer: value is likely what a reader kept of a name whose
 * first or last character it lost at the box's edge. */
static double part_of_other(const arc_trust_field *in, const char *value)
{
    size_t n = strlen(value);
    for (size_t i = 0; n && i < in->nreadings; i++) {
        const norm_result *r = in->readings[i].r;
        const char *o = r ? r->value : NULL;
        size_t m = o ? strlen(o) : 0;
        if (m > n && (!strncmp(o, value, n) || !strcmp(o + m - n, value)))
            return 1;
    }
    return 0;
}

/* The features of candidate c among the field's readings. */
static void features(const arc_trust *t, const arc_trust_field *in, cand *c)
{
    double *f = c->f;
    memset(f, 0, sizeof c->f);
    f[NORM_TF_BIAS] = 1;
    int has_rec2 = 0, others_read = 0, gave = 0;
    for (size_t i = 0; i < in->nreadings; i++) {
        const arc_trust_reading *r = &in->readings[i];
        int mine = (c->readers >> i) & 1;
        has_rec2 |= reader_is(r, "rec2");
        if (mine && reader_is(r, "tesseract"))
            f[NORM_TF_TESS_CONF] = r->conf;
        if (mine && reader_is(r, "rec2"))
            f[NORM_TF_REC2_CONF] = r->conf;
        /* the third reader's vote, for or against; it saw nothing: neither */
        if (reader_is(r, "tess3") && r->text && *r->text) {
            f[NORM_TF_AGREE3] = mine;
            f[NORM_TF_DIFFER3] = !mine;
        }
        if (reader_is(r, "tesseract") || reader_is(r, "rec2")) {
            gave += mine;
            others_read += !mine && r->text && *r->text;
        }
    }
    f[NORM_TF_AGREE] = gave >= 2;
    f[NORM_TF_DISAGREE] = others_read > 0;
    f[NORM_TF_NO_REC2] = !has_rec2;
    if (in->vt == DG_VT_NAME && t->prior) {
        double lp = norm_prior_name_logp(t->prior, c->value, NULL);
        f[NORM_TF_PRIOR] = lp < -4 ? -4 : lp > 4 ? 4 : lp;
    }
    const norm_result *nr = in->readings[c->first].r;
    f[NORM_TF_INVALID] = (nr && nr->flag) || in->readings[c->first].doubtful ? 1 : 0;
    f[NORM_TF_COLUMN] = column_support(in, c->value);
    f[NORM_TF_FLAGGED] = in->flagged ? 1 : 0;
    for (size_t i = 0; in->key && i < t->nrates; i++)
        if (strcmp(t->rates[i].key, in->key) == 0)
            f[NORM_TF_KEY_RATE] = t->rates[i].logodds;
    if (in->other && in->other->n) {
        double same = 0;
        for (size_t i = 0; i < in->other->n; i++)
            same += same_text(in->other->value[i], c->value);
        f[NORM_TF_SOURCE_AGREE] = same > 2 ? 2 : same;
        f[NORM_TF_SOURCE_DIFFER] = same == 0;
    }
    if (in->vt == DG_VT_CODE && in->code_year)
        f[NORM_TF_CODE_YEAR] = arc_code_year_fit(c->value, in->code_year);
    if (in->catalog && in->key && !strcmp(in->key, "major"))
        f[NORM_TF_CATALOG] =
            norm_catalog_era_name(in->catalog, c->value, in->catalog_year, in->catalog_code);
    /* names only: a code's second reading adds stray characters more often
     * than Tesseract loses a prefix, and there the fit weighed it the wrong
     * way (docs/trust.md) */
    if (in->vt == DG_VT_NAME)
        f[NORM_TF_PART] = part_of_other(in, c->value);
    /* a degree's category (its detail "code;category") against the catalog's
     * categories: a neighbour's character read into it (月工学硕士) is none */
    const char *semi = nr && nr->detail ? strchr(nr->detail, ';') : NULL;
    if (in->catalog && in->key && !strcmp(in->key, "degree") && semi)
        f[NORM_TF_CATALOG] = norm_catalog_degree_category(in->catalog, semi + 1);
}

static int collect(const arc_trust_field *in, cand *c, size_t *nc)
{
    *nc = 0;
    for (size_t i = 0; i < in->nreadings && i < ARC_TRUST_MAX_READINGS; i++) {
        const norm_result *r = in->readings[i].r;
        if (!r || !r->value)
            continue;
        size_t k = 0;
        while (k < *nc && !same_text(c[k].value, r->value))
            k++;
        if (k == *nc) {
            memset(&c[k], 0, sizeof c[k]);
            c[k].value = r->value;
            c[k].first = i;
            (*nc)++;
        }
        c[k].readers |= 1u << i;
    }
    return *nc ? DG_OK : DG_ENOTFOUND;
}

static int evidence_json(const arc_trust *t, const arc_trust_field *in, const cand *c,
                         size_t nc, dg_buf *b)
{
    int rc = dg_buf_addf(b, "{\"vt\":\"%s\",\"threshold\":%.4f,\"p\":%.4f,\"chosen\":0,"
                            "\"candidates\":[",
                         dg_vtype_names[in->vt], t->threshold[in->vt], c[0].p);
    for (size_t k = 0; k < nc && !rc; k++) {
        rc = dg_buf_adds(b, k ? ",{\"value\":" : "{\"value\":");
        rc = rc ? rc : dg_buf_json_str(b, c[k].value);
        rc = rc ? rc : dg_buf_addf(b, ",\"p\":%.4f,\"readers\":[", c[k].p);
        int first = 1;
        for (size_t i = 0; i < in->nreadings && !rc; i++)
            if ((c[k].readers >> i) & 1) {
                rc = dg_buf_adds(b, first ? "" : ",");
                rc = rc ? rc : dg_buf_json_str(b, in->readings[i].reader);
                first = 0;
            }
        const char *part[2] = {"],\"features\":{", "},\"terms\":{"};
        const double *vals[2] = {c[k].f, c[k].terms};
        for (int s = 0; s < 2 && !rc; s++) {
            rc = dg_buf_adds(b, part[s]);
            for (int i = 0; i < NORM_TF_COUNT && !rc; i++)
                rc = dg_buf_addf(b, "%s\"%s\":%.4f", i ? "," : "", norm_trust_feature_names[i],
                                 vals[s][i]);
        }
        rc = rc ? rc : dg_buf_adds(b, "}}");
    }
    rc = rc ? rc : dg_buf_adds(b, "]");
    const arc_trust_other *o = in->other;
    if (!rc && o && o->n) { /* what the other source read, and where: review shows both */
        rc = dg_buf_addf(b, ",\"source\":{\"record\":%lld,\"page\":%lld,\"field\":%lld,"
                            "\"box\":[%d,%d,%d,%d],\"readings\":[",
                         (long long)o->record, (long long)o->page, (long long)o->field, o->x,
                         o->y, o->w, o->h);
        for (size_t i = 0; i < o->n && !rc; i++) {
            rc = dg_buf_adds(b, i ? ",{\"reader\":" : "{\"reader\":");
            rc = rc ? rc : dg_buf_json_str(b, o->reader[i]);
            rc = rc ? rc : dg_buf_adds(b, ",\"value\":");
            rc = rc ? rc : dg_buf_json_str(b, o->value[i]);
            rc = rc ? rc : dg_buf_adds(b, "}");
        }
        rc = rc ? rc : dg_buf_adds(b, "]}");
    }
    return rc ? rc : dg_buf_adds(b, "}");
}

static int by_p(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? 1 : -1;
    return x->first < y->first ? -1 : x->first > y->first; /* ties: reading order */
}

int arc_trust_weigh(const arc_trust *t, const arc_trust_field *in, arc_trust_verdict *out)
{
    memset(out, 0, sizeof *out);
    cand c[ARC_TRUST_MAX_READINGS];
    size_t nc;
    if (collect(in, c, &nc))
        return DG_ENOTFOUND;
    for (size_t k = 0; k < nc; k++) {
        features(t, in, &c[k]);
        c[k].p = norm_trust_prob(t->w[in->vt], c[k].f, c[k].terms);
    }
    qsort(c, nc, sizeof *c, by_p);
    out->chosen = c[0].first;
    out->p = c[0].p;
    out->threshold = t->threshold[in->vt];
    /* threshold 1 means "always review", even for a p that rounds to 1 */
    out->verified = t->have[in->vt] && t->threshold[in->vt] < 1.0 &&
                    c[0].p >= t->threshold[in->vt];
    out->source_differs = c[0].f[NORM_TF_SOURCE_DIFFER] > 0;
    dg_buf_init(&out->evidence, 1 << 16);
    return evidence_json(t, in, c, nc, &out->evidence) ? DG_ENOMEM : DG_OK;
}
