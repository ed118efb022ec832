/*
 * stage_weigh.c - the normalize stage's weighing of each field (the model
 * and its evidence JSON are stage_trust.c; the graduate's other source is
 * found by stage_sources.c): every reading of the field (Tesseract's, the
 * second reader's, a ledger's sequence column), the column of the page
 * around it and the other source's readings become an arc_trust_field; the
 * most probable candidate becomes the value, and p routes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage_normalize_rec.h"

/* A ledger's sequence number in row `row` of the page, -1 when unreadable. */
static double seq_at(const rec *r, int row)
{
    for (size_t i = 0; i < r->ncol; i++)
        if (r->col[i].row == row && strcmp(r->col[i].key, "seq") == 0)
            return arc_seq_number(r->col[i].value);
    return -1;
}

/* The digits a ledger's neighbours imply for this row's sequence number. */
static int seq_from_column(const rec *r, char out[24])
{
    if (r->row <= 0)
        return 0;
    double prev = seq_at(r, r->row - 1), next = seq_at(r, r->row + 1);
    if (prev >= 0 && next >= 0 && next != prev + 2)
        return 0; /* the neighbours disagree: the column says nothing */
    double v = prev >= 0 ? prev + 1 : next >= 1 ? next - 1 : -1;
    if (v < 0)
        return 0;
    snprintf(out, 24, "%.0f", v);
    return 1;
}

/* Replace the field's value by reading `src`'s normalization, the step that
 * took it recorded first. */
static int take_reading(fld *f, norm_result *src, const char *reader, const char *text)
{
    norm_result chosen = *src;
    memset(src, 0, sizeof *src);
    char rule[64];
    snprintf(rule, sizeof rule, "reading-%s", reader);
    norm_step *steps = malloc((chosen.nsteps + 1) * sizeof *steps);
    char *before = dg_strdup(f->raw ? f->raw : ""), *after = dg_strdup(text),
         *rl = dg_strdup(rule);
    if (!steps || !before || !after || !rl) {
        free(steps);
        free(before);
        free(after);
        free(rl);
        norm_result_release(&chosen);
        return DG_ENOMEM;
    }
    steps[0] = (norm_step){rl, before, after};
    if (chosen.nsteps)
        memcpy(steps + 1, chosen.steps, chosen.nsteps * sizeof *steps);
    free(chosen.steps);
    chosen.steps = steps;
    chosen.nsteps++;
    chosen.alloc_steps = chosen.nsteps;
    norm_result_release(&f->r);
    f->r = chosen;
    return DG_OK;
}

/* Archive years: a date of these records outside them is a misread. */
enum { FIRST_YEAR = 1900, LAST_YEAR = 2005 };

/* 1 when a normalized value breaks a rule of its key the normalizer does
 * not know: a month date (archived YYYY-MM) read as a year alone, a year
 * no record of this archive can hold. */
static int doubtful(const char *key, const char *value)
{
    const dg_field_key *k = dg_field_key_find(key);
    if (!k || !value || (k->norm != DG_FK_DATE && k->norm != DG_FK_MONTH))
        return 0;
    int y = arc_iso_year(value);
    if (y && (y < FIRST_YEAR || y > LAST_YEAR))
        return 1;
    return k->norm == DG_FK_MONTH && strlen(value) < 7;
}

/* The year of a date of the record, as read (0: none). */
static int record_year(rec *r, const char *key)
{
    fld *d = arc_nrec_find(r, key);
    if (!d)
        return 0;
    int y = d->r.value && !d->r.flag ? arc_iso_year(d->r.value) : 0;
    return y ? y : d->r2.value && !d->r2.flag ? arc_iso_year(d->r2.value) : 0;
}

/* What was read of key in row `row` of the record's page (Tesseract's
 * reading, else the second reader's: not the value chosen, which depends
 * on the order records are weighed in), NULL when nothing. */
static const char *column_at(const rec *r, const char *key, int row)
{
    for (size_t i = 0; row > 0 && i < r->ncol; i++)
        if (r->col[i].row == row && strcmp(r->col[i].key, key) == 0)
            return r->col[i].read1 && *r->col[i].read1 ? r->col[i].read1 : r->col[i].read2;
    return NULL;
}

/* What the other source reads is only a conflict when the value chosen is
 * none of it: the item names where to look. */
static int flag_source(fld *f, const arc_trust_other *o)
{
    dg_buf b; /* first, so the review item is filed under it */
    dg_buf_init(&b, 256);
    int rc = dg_buf_addf(&b, "source_conflict (record %lld on page %lld reads '%s')",
                         (long long)o->record, (long long)o->page, o->value[0]);
    if (!rc && f->flag.len)
        rc = dg_buf_addf(&b, "; %s", f->flag.data);
    if (!rc) {
        dg_buf_reset(&f->flag);
        rc = dg_buf_adds(&f->flag, b.data);
    }
    dg_buf_release(&b);
    return rc;
}

/* A reading of another record's field, normalized; NULL when the normalizer
 * makes nothing of it. */
static int col_norm(norm_ctx *ctx, const char *key, const char *text, char **out)
{
    *out = NULL;
    if (!text || !*text)
        return DG_OK;
    norm_result nr = {0};
    int rc = arc_normalize_value(ctx, key, text, 0, &nr, NULL);
    if (rc != DG_ENOMEM && nr.value && !(*out = dg_strdup(nr.value)))
        rc = DG_ENOMEM;
    norm_result_release(&nr);
    return rc == DG_ENOMEM ? rc : DG_OK;
}

/* The column around a field: each other record's readings of the key,
 * normalized (first nc: Tesseract's or an operator's, next nc: the second
 * reader's), so the support a value gets does not depend on which records
 * of the page were normalized before it. */
static int column_readings(const rec *r, const char *key, norm_ctx *ctx, char ***out, size_t *nc)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ncol; i++)
        n += strcmp(r->col[i].key, key) == 0;
    *nc = n;
    *out = calloc(2 * n + 1, sizeof **out);
    if (!*out)
        return DG_ENOMEM;
    int rc = DG_OK;
    for (size_t i = 0, k = 0; i < r->ncol && !rc; i++) {
        if (strcmp(r->col[i].key, key) != 0)
            continue;
        rc = col_norm(ctx, key, r->col[i].read1, &(*out)[k]);
        rc = rc ? rc : col_norm(ctx, key, r->col[i].read2, &(*out)[n + k]);
        k++;
    }
    if (rc) {
        for (size_t i = 0; i < 2 * n; i++)
            free((*out)[i]);
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* What the record says about its major before any field is weighed (a
 * field weighed first may take another reading): the year its catalog
 * edition is chosen by and its major code as read. */
typedef struct major_ctx {
    const norm_catalog *cat;
    int year;
    char *code;
} major_ctx;

static int major_ctx_init(rec *r, const norm_catalog *cat, major_ctx *m)
{
    m->cat = cat;
    m->year = record_year(r, "enroll_date");
    m->year = m->year ? m->year : record_year(r, "grad_date");
    m->code = NULL;
    fld *c = arc_nrec_find(r, "major_code");
    const char *v = !c                           ? NULL
                    : c->r.value && !c->r.flag   ? c->r.value
                    : c->r2.value && !c->r2.flag ? c->r2.value
                                                 : NULL;
    return v && !(m->code = dg_strdup(v)) ? DG_ENOMEM : DG_OK;
}

/* p(right) for one field from all its readings; routes it by p. */
static int trust_field(rec *r, fld *f, const arc_trust *t, norm_ctx *ctx,
                       const arc_other_source *other, const major_ctx *mc)
{
    arc_trust_reading rd[ARC_TRUST_MAX_READINGS];
    size_t n = 0;
    if (f->r.value)
        rd[n++] = (arc_trust_reading){"tesseract", f->raw, f->conf_min / 100.0, &f->r,
                                      doubtful(f->key, f->r.value)};
    if (f->r2.value)
        rd[n++] = (arc_trust_reading){"rec2", f->rec2_text, f->rec2_conf, &f->r2,
                                      doubtful(f->key, f->r2.value)};
    if (f->r3.value)
        rd[n++] = (arc_trust_reading){"tess3", f->rec3_text, f->rec3_conf, &f->r3,
                                      doubtful(f->key, f->r3.value)};
    char seq[24];
    norm_result rs = {0};
    if (strcmp(f->key, "seq") == 0 && seq_from_column(r, seq)) {
        if (arc_normalize_value(ctx, f->key, seq, 0, &rs, NULL) == DG_ENOMEM)
            return DG_ENOMEM;
        rd[n++] = (arc_trust_reading){"column", seq, 1.0, &rs, 0};
    }
    size_t nc = 0;
    char **column = NULL;
    if (column_readings(r, f->key, ctx, &column, &nc)) {
        norm_result_release(&rs);
        return DG_ENOMEM;
    }
    int is_seq = strcmp(f->key, "seq") == 0 && r->row > 0;
    arc_trust_field in = {f->vt, f->key, rd, n, (const char *const *)column, nc,
                          (const char *const *)column + nc, is_seq ? seq_at(r, r->row - 1) : -1, is_seq ? seq_at(r, r->row + 1) : -1,
                          f->flag.len > 0 && strcmp(f->new_state, "invalid") != 0,
                          arc_other_source_key(other, f->key), 0, NULL, NULL,
                          mc->cat, mc->year, mc->code};
    if (f->vt == DG_VT_CODE) {
        in.code_year = !strcmp(f->key, "student_no")       ? record_year(r, "enroll_date")
                       : !strcmp(f->key, "certificate_no") ? record_year(r, "grad_date")
                                                           : 0;
        in.code_prev = column_at(r, f->key, r->row - 1);
        in.code_next = column_at(r, f->key, r->row + 1);
    }
    arc_trust_verdict v;
    int rc = arc_trust_weigh(t, &in, &v);
    for (size_t i = 0; i < 2 * nc; i++)
        free(column[i]);
    free(column);
    if (rc == DG_ENOTFOUND) {
        norm_result_release(&rs);
        return DG_OK;
    }
    if (!rc && strcmp(rd[v.chosen].reader, "tesseract") != 0) {
        const arc_trust_reading *c = &rd[v.chosen];
        norm_result *src = strcmp(c->reader, "rec2") == 0    ? &f->r2
                           : strcmp(c->reader, "tess3") == 0 ? &f->r3
                                                              : &rs;
        rc = take_reading(f, src, c->reader, c->text);
    }
    if (!rc) {
        f->p = v.p;
        f->evidence = dg_buf_detach(&v.evidence);
        rc = f->evidence ? DG_OK : DG_ENOMEM;
    }
    dg_buf_release(&v.evidence);
    norm_result_release(&rs);
    if (rc)
        return rc;
    if (!strcmp(f->new_state, "invalid")) { /* a second reading made a value of it */
        dg_buf_reset(&f->flag);
        f->new_state = f->r.flag ? "review" : "auto";
        rc = f->r.flag ? arc_nfld_flag_code(f, "implausible", f->r.flag) : DG_OK;
    }
    if (!rc && !v.verified && !strcmp(f->new_state, "auto")) {
        char text[96];
        /* four places: fitted thresholds sit near 0.99, where two would read "0.99 < 0.99" */
        snprintf(text, sizeof text, "low_p (p %.4f < %.4f)", v.p, v.threshold);
        f->new_state = "review";
        rc = arc_nfld_flag_add(f, text);
    }
    /* two sources of one graduate disagree: a person looks at both */
    if (!rc && v.source_differs && strcmp(f->new_state, "invalid") != 0) {
        f->new_state = "review";
        rc = flag_source(f, in.other);
    }
    return rc;
}

int arc_weigh_record(rec *r, const arc_trust *t, norm_ctx *ctx, const norm_catalog *cat,
                     arc_sources *sources, dg_err *err)
{
    arc_other_source other = {0};
    int rc = sources ? arc_sources_find(sources, r->id, &other, err) : DG_OK;
    if (rc)
        return rc;
    major_ctx mc;
    if (major_ctx_init(r, cat, &mc)) {
        arc_other_source_release(&other);
        return dg_err_set(err, DG_ENOMEM, "out of memory normalizing record %lld",
                          (long long)r->id);
    }
    for (size_t i = 0; i < r->n && !rc; i++) {
        fld *f = &r->f[i];
        if (f->keep || !f->new_state || !strcmp(f->new_state, "missing"))
            continue;
        if (!strcmp(f->new_state, "invalid") && !f->r2.value && !f->r3.value)
            continue;
        rc = trust_field(r, f, t, ctx, &other, &mc);
    }
    free(mc.code);
    arc_other_source_release(&other);
    return rc ? dg_err_set(err, rc, "out of memory normalizing record %lld", (long long)r->id)
              : DG_OK;
}
