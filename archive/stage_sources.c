/*
 * stage_sources.c - the other source of a graduate, as evidence for p.
 *
 * The same graduate on a registration card and in a ledger are two
 * independent readings: agreement between them is strong evidence that a
 * value is right, disagreement a reason for a person to look at both.  The
 * normalize stage runs before load links the sources, so the link is made
 * here from the readings themselves, by load's own rule (arc_same_graduate):
 * a record on another page whose readings give the same simplified name,
 * and the same birth month and student number as load would require, and
 * that agrees with it on at least as many of the other facts both read as
 * it disagrees on (two people may share a name and a birth month).  Only
 * the readings (Tesseract's, the second reader's, an operator's verified
 * value) are compared, never the other record's chosen value, so the result
 * does not depend on which record was weighed first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

int arc_same_graduate(const char *birth_a, const char *sno_a, const char *birth_b,
                      const char *sno_b)
{
    int ba = birth_a && *birth_a, bb = birth_b && *birth_b;
    int sa = sno_a && *sno_a, sb = sno_b && *sno_b;
    int same_birth = ba && bb && strcmp(birth_a, birth_b) == 0;
    int same_sno = sa && sb && strcmp(sno_a, sno_b) == 0;
    return (same_birth && (same_sno || !sa || !sb)) || (same_sno && (!ba || !bb));
}

/* ---- one record's readings --------------------------------------------------- */

enum { MAX_KEYS = 48 };

typedef struct src_rec {
    int64_t id, page;
    arc_other_source o; /* every key's readings (the struct callers get) */
} src_rec;

static int own(arc_other_source *o, char *s, const char **slot)
{
    if (!s)
        return DG_ENOMEM;
    char **v = arc_grow(o->owned, o->nowned, sizeof *v);
    if (!v) {
        free(s);
        return DG_ENOMEM;
    }
    o->owned = v;
    v[o->nowned++] = s;
    *slot = s;
    return DG_OK;
}

/* A reading normalized; kept only when the normalizer accepted it. */
static int add_reading(norm_ctx *ctx, const char *key, const char *text, const char *reader,
                       int normalize, arc_other_source *o, arc_trust_other *f)
{
    if (!text || !*text || f->n == ARC_TRUST_MAX_READINGS)
        return DG_OK;
    if (!normalize) {
        int rc = own(o, dg_strdup(text), &f->value[f->n]);
        if (!rc)
            f->reader[f->n++] = reader;
        return rc;
    }
    norm_result r = {0};
    int rc = arc_normalize_value(ctx, key, text, 0, &r, NULL);
    if (rc == DG_ENOMEM) {
        norm_result_release(&r);
        return rc;
    }
    rc = DG_OK;
    if (r.value && !r.flag && !(rc = own(o, dg_strdup(r.value), &f->value[f->n])))
        f->reader[f->n++] = reader;
    norm_result_release(&r);
    return rc;
}

static const char rec_sql[] =
    "SELECT r.page_id, f.id, f.key, f.raw, f.state, f.value, f.x, f.y, f.w, f.h, "
    " (SELECT text FROM field_reading fr WHERE fr.field_id = f.id AND fr.reader = 'rec2' "
    "  ORDER BY fr.id DESC LIMIT 1) "
    "FROM record r JOIN field f ON f.record_id = r.id WHERE r.id = ?1 ORDER BY f.id";

static void rec_release(src_rec *r)
{
    arc_other_source_release(&r->o);
    memset(r, 0, sizeof *r);
}

/* Keys that are not facts of the graduate: a ledger's row number (the same
 * graduate is on row 3 of one list and row 17 of another), its remarks, the
 * page's date. */
static int not_a_fact(const char *key)
{
    return !key || !strcmp(key, "seq") || !strcmp(key, "remarks") || !strcmp(key, "form_date");
}

static int rec_read(sqlite3 *db, norm_ctx *ctx, int64_t id, src_rec *r, dg_err *err)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    sqlite3_stmt *st;
    if (db_prepare(db, rec_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = DG_OK;
    arc_other_source *o = &r->o;
    size_t alloc = MAX_KEYS;
    o->f = calloc(alloc, sizeof *o->f);
    o->key = calloc(alloc, sizeof *o->key);
    if (!o->f || !o->key)
        rc = DG_ENOMEM;
    while (!rc && o->n < alloc && sqlite3_step(st) == SQLITE_ROW) {
        r->page = sqlite3_column_int64(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 2);
        if (not_a_fact(key))
            continue;
        const char *state = (const char *)sqlite3_column_text(st, 4);
        arc_trust_other *f = &o->f[o->n];
        snprintf(o->key[o->n], sizeof o->key[o->n], "%s", key ? key : "");
        *f = (arc_trust_other){.record = id, .page = r->page,
                               .field = sqlite3_column_int64(st, 1),
                               .x = sqlite3_column_int(st, 6), .y = sqlite3_column_int(st, 7),
                               .w = sqlite3_column_int(st, 8), .h = sqlite3_column_int(st, 9)};
        if (state && strcmp(state, "verified") == 0) /* an operator read the scan */
            rc = add_reading(ctx, key, (const char *)sqlite3_column_text(st, 5), "operator", 0,
                             o, f);
        else if (!state || strcmp(state, "rejected") != 0) {
            rc = add_reading(ctx, key, (const char *)sqlite3_column_text(st, 3), "tesseract", 1,
                             o, f);
            rc = rc ? rc
                    : add_reading(ctx, key, (const char *)sqlite3_column_text(st, 10), "rec2", 1,
                                  o, f);
        }
        o->n++;
    }
    sqlite3_finalize(st);
    if (rc) {
        rec_release(r);
        return dg_err_set(err, rc, "out of memory reading record %lld", (long long)id);
    }
    return DG_OK;
}

const arc_trust_other *arc_other_source_key(const arc_other_source *o, const char *key)
{
    for (size_t i = 0; o && key && i < o->n; i++)
        if (strcmp(o->key[i], key) == 0)
            return o->f[i].n ? &o->f[i] : NULL;
    return NULL;
}

void arc_other_source_release(arc_other_source *o)
{
    for (size_t i = 0; i < o->nowned; i++)
        free(o->owned[i]);
    free(o->owned);
    free(o->f);
    free(o->key);
    memset(o, 0, sizeof *o);
}

/* ---- the index of names ------------------------------------------------------ */

typedef struct name_entry {
    char *name; /* simplified */
    int64_t record, page;
} name_entry;

struct arc_sources {
    sqlite3 *db;
    norm_ctx *ctx;
    name_entry *e; /* sorted by name, then record */
    size_t n;
};

static int by_name(const void *a, const void *b)
{
    const name_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->record < y->record ? -1 : x->record > y->record;
}

/* The simplified name a reading gives, NULL when it gives none. */
static int name_key(norm_ctx *ctx, const char *text, int normalize, char **out)
{
    *out = NULL;
    if (!text || !*text)
        return DG_OK;
    norm_result r = {0};
    int rc = normalize ? norm_name(ctx, text, &r, NULL) : DG_OK;
    const char *v = normalize ? (r.value && !r.flag ? r.value : NULL) : text;
    norm_keys k = {0};
    if (rc != DG_ENOMEM && v && norm_name_keys(ctx, v, &k, NULL) == DG_OK && k.simplified &&
        *k.simplified)
        *out = dg_strdup(k.simplified);
    norm_keys_release(&k);
    norm_result_release(&r);
    return rc == DG_ENOMEM ? rc : DG_OK;
}

static int entry_add(arc_sources *s, char *name, int64_t record, int64_t page)
{
    for (size_t i = s->n; i-- > 0 && s->e[i].record == record;)
        if (strcmp(s->e[i].name, name) == 0) { /* both readers read it: once is enough */
            free(name);
            return DG_OK;
        }
    name_entry *e = arc_grow(s->e, s->n, sizeof *e);
    if (!e) {
        free(name);
        return DG_ENOMEM;
    }
    s->e = e;
    e[s->n++] = (name_entry){name, record, page};
    return DG_OK;
}

static const char names_sql[] =
    "SELECT r.id, r.page_id, f.raw, f.state, f.value, (SELECT text FROM field_reading fr "
    " WHERE fr.field_id = f.id AND fr.reader = 'rec2' ORDER BY fr.id DESC LIMIT 1) "
    "FROM record r JOIN field f ON f.record_id = r.id AND f.key = 'name' "
    "WHERE f.state <> 'rejected' ORDER BY r.id";

int arc_sources_open(sqlite3 *db, norm_ctx *ctx, arc_sources **out, dg_err *err)
{
    *out = NULL;
    arc_sources *s = calloc(1, sizeof *s);
    if (!s)
        return dg_err_set(err, DG_ENOMEM, "out of memory indexing names");
    s->db = db;
    s->ctx = ctx;
    sqlite3_stmt *st;
    if (db_prepare(db, names_sql, &st, err)) {
        free(s);
        return DG_EDB;
    }
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t rec = sqlite3_column_int64(st, 0), page = sqlite3_column_int64(st, 1);
        const char *state = (const char *)sqlite3_column_text(st, 3);
        int verified = state && strcmp(state, "verified") == 0;
        for (int i = 0; i < 2 && !rc; i++) {
            char *name;
            const char *text = (const char *)sqlite3_column_text(st, verified ? 4 : i ? 5 : 2);
            rc = name_key(ctx, text, !verified, &name);
            if (!rc && name)
                rc = entry_add(s, name, rec, page);
            if (verified)
                break;
        }
    }
    sqlite3_finalize(st);
    if (rc) {
        arc_sources_close(&s);
        return dg_err_set(err, rc, "out of memory indexing names");
    }
    if (s->n)
        qsort(s->e, s->n, sizeof *s->e, by_name);
    *out = s;
    return DG_OK;
}

void arc_sources_close(arc_sources **s)
{
    if (!s || !*s)
        return;
    for (size_t i = 0; i < (*s)->n; i++)
        free((*s)->e[i].name);
    free((*s)->e);
    free(*s);
    *s = NULL;
}

/* ---- finding the other source ------------------------------------------------ */

/* Do a's and b's readings of birth month and student number link them by
 * load's rule, for some choice of reading on each side?  *by_sno: through
 * equal student numbers (load prefers those). */
static int linked(const src_rec *a, const src_rec *b, int *by_sno)
{
    const arc_trust_other *ab = arc_other_source_key(&a->o, "birth_date"),
                          *as = arc_other_source_key(&a->o, "student_no"),
                          *bb = arc_other_source_key(&b->o, "birth_date"),
                          *bs = arc_other_source_key(&b->o, "student_no");
    size_t nab = ab ? ab->n : 1, nas = as ? as->n : 1, nbb = bb ? bb->n : 1, nbs = bs ? bs->n : 1;
    int found = 0;
    *by_sno = 0;
    for (size_t i = 0; i < nab; i++)
        for (size_t j = 0; j < nas; j++)
            for (size_t k = 0; k < nbb; k++)
                for (size_t l = 0; l < nbs; l++) {
                    const char *x = ab ? ab->value[i] : NULL, *y = as ? as->value[j] : NULL,
                               *z = bb ? bb->value[k] : NULL, *w = bs ? bs->value[l] : NULL;
                    if (!arc_same_graduate(x, y, z, w))
                        continue;
                    found = 1;
                    if (y && w && strcmp(y, w) == 0)
                        *by_sno = 1;
                }
    return found;
}

/* Two records that link by name and birth but disagree on more of the
 * other facts both read than they agree on are two people who share a name
 * and a birth month (load would raise conflicts for an operator to reject):
 * no evidence either way. */
static int corroborated(const src_rec *a, const src_rec *b)
{
    int agree = 0, differ = 0;
    for (size_t i = 0; i < a->o.n; i++) {
        const char *key = a->o.key[i];
        if (!strcmp(key, "name") || !strcmp(key, "birth_date") || !strcmp(key, "student_no"))
            continue;
        const arc_trust_other *x = &a->o.f[i], *y = arc_other_source_key(&b->o, key);
        if (!x->n || !y)
            continue;
        int same = 0;
        for (size_t j = 0; j < x->n && !same; j++)
            for (size_t k = 0; k < y->n && !same; k++)
                same = strcmp(x->value[j], y->value[k]) == 0;
        agree += same;
        differ += !same;
    }
    return differ <= agree;
}

static size_t lower_bound(const arc_sources *s, const char *name)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(s->e[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int arc_sources_find(arc_sources *s, int64_t record, arc_other_source *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    src_rec me, best = {0};
    int best_sno = -1;
    int rc = rec_read(s->db, s->ctx, record, &me, err);
    for (size_t i = 0; i < s->n && !rc; i++) {
        if (s->e[i].record != record)
            continue;
        for (size_t j = lower_bound(s, s->e[i].name);
             j < s->n && !rc && strcmp(s->e[j].name, s->e[i].name) == 0; j++) {
            const name_entry *c = &s->e[j];
            if (c->page == s->e[i].page || c->record == best.id)
                continue;
            src_rec other;
            int by_sno;
            if ((rc = rec_read(s->db, s->ctx, c->record, &other, err)))
                break;
            /* load's order: a link by student number first, then the oldest record */
            if (linked(&me, &other, &by_sno) && corroborated(&me, &other) &&
                (by_sno > best_sno || (by_sno == best_sno && other.id < best.id))) {
                rec_release(&best);
                best = other;
                best_sno = by_sno;
            } else {
                rec_release(&other);
            }
        }
    }
    rec_release(&me);
    if (!rc && best.id) {
        *out = best.o;
        memset(&best.o, 0, sizeof best.o);
    }
    rec_release(&best);
    return rc;
}
