/*
 * catalog.c - the discipline catalogs in memory.  editions.tsv names the
 * catalog editions (year in force, CSV file) and the crosswalks between
 * them; adding an edition is adding files and a manifest line.  The loaded
 * catalog offers an iteration API (for the database import) and the
 * lookups the matcher needs: by code, crosswalk rows by old code, and a
 * character index over all names for candidate generation.  `names` lines
 * add curated historical names (from catalogs we do not have) pointing at
 * codes of an edition we do have; their codes are checked here so a typo
 * in the table cannot invent a discipline.
 */
#include "normalize.h"
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct load_state {
    norm_catalog *cat;
    const char *dir;
    char *target_id;
} load_state;

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The bare name: cut at the first （ or ( (notes such as （可授工学、理学学位）). */
static char *bare_name(const char *name)
{
    const char *fw = strstr(name, "（");
    const char *hw = strchr(name, '(');
    const char *cut = fw && (!hw || fw < hw) ? fw : hw;
    size_t n = cut ? (size_t)(cut - name) : strlen(name);
    char *b = malloc(n + 1);
    if (b) {
        memcpy(b, name, n);
        b[n] = '\0';
    }
    return b;
}

typedef int (*csv_cb)(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err);

static int csv_read(const char *path, csv_cb cb, void *arg, dg_err *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return dg_err_set(err, DG_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = DG_OK;
    ssize_t got;
    while (!rc && (got = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (got && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (lineno == 1 || !line[0])
            continue; /* header */
        if (nz_check_input(line, "line", NULL)) {
            rc = dg_err_set(err, DG_EINPUT, "invalid utf-8 in '%s' line %d", path, lineno);
            break;
        }
        char *f[8];
        size_t nf = nz_csv_split(line, f, 8);
        rc = cb(arg, f, nf, path, lineno, err);
    }
    free(line);
    fclose(fp);
    return rc;
}

/* Remember a file the manifest names (once), so callers can fingerprint
 * exactly what shaped the catalog without parsing the manifest again. */
static int file_note(norm_catalog *c, const char *file)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (strcmp(c->files[i], file) == 0)
            return DG_OK;
    char **p = realloc(c->files, (c->nfiles + 1) * sizeof *p);
    if (!p)
        return DG_ENOMEM;
    c->files = p;
    if (!(c->files[c->nfiles] = dg_strdup(file)))
        return DG_ENOMEM;
    c->nfiles++;
    return DG_OK;
}

/* Read dir/file with cb after noting file in the catalog's file list. */
static int manifest_csv(load_state *st, const char *file, csv_cb cb, void *arg, dg_err *err)
{
    char csv[4096];
    int len = snprintf(csv, sizeof csv, "%s/%s", st->dir, file);
    if (len < 0 || (size_t)len >= sizeof csv)
        return dg_err_set(err, DG_EINPUT, "catalog path too long: '%s/%s'", st->dir, file);
    if (file_note(st->cat, file))
        return dg_err_set(err, DG_ENOMEM, "out of memory loading '%s'", csv);
    return csv_read(csv, cb, arg, err);
}

/* ---- editions ---- */

static int disc_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    nz_edition *e = arg;
    if (nf < 4 || !all_digits(f[0]) ||
        (strcmp(f[2], "category") && strcmp(f[2], "first") && strcmp(f[2], "second")))
        return dg_err_set(err, DG_EINPUT, "bad catalog row in '%s' line %d", path, line);
    if (e->n == e->alloc) {
        size_t n = e->alloc ? e->alloc * 2 : 128;
        nz_disc *p = realloc(e->d, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        e->d = p;
        e->alloc = n;
    }
    nz_disc *d = &e->d[e->n++];
    memset(d, 0, sizeof *d);
    d->code = dg_strdup(f[0]);
    d->name = dg_strdup(f[1]);
    d->bare = bare_name(f[1]);
    d->level = dg_strdup(f[2]);
    d->parent = dg_strdup(f[3]);
    d->professional = strcmp(f[2], "first") == 0 && strlen(f[0]) == 4 && f[0][2] == '5';
    if (!d->code || !d->name || !d->bare || !d->level || !d->parent || nz_decode(d->bare, &d->key))
        return dg_err_set(err, DG_ENOMEM, "out of memory loading '%s'", path);
    return DG_OK;
}

static int disc_cmp(const void *a, const void *b)
{
    return strcmp(((const nz_disc *)a)->code, ((const nz_disc *)b)->code);
}

const nz_disc *nz_cat_find(const nz_edition *e, const char *code)
{
    nz_disc key = {.code = (char *)code};
    return bsearch(&key, e->d, e->n, sizeof *e->d, disc_cmp);
}

static int add_edition(load_state *st, char **f, size_t nf, const char *path, int line,
                       dg_err *err)
{
    norm_catalog *c = st->cat;
    if (nf < 4 || !all_digits(f[2]))
        return dg_err_set(err, DG_EINPUT, "bad edition line in '%s' line %d", path, line);
    nz_edition *p = realloc(c->ed, (c->ned + 1) * sizeof *p);
    if (!p)
        return DG_ENOMEM;
    c->ed = p;
    nz_edition *e = &c->ed[c->ned++];
    memset(e, 0, sizeof *e);
    e->id = dg_strdup(f[1]);
    e->from_year = atoi(f[2]);
    e->file = dg_strdup(f[3]);
    if (!e->id || !e->file)
        return DG_ENOMEM;
    int rc = manifest_csv(st, f[3], disc_line, e, err);
    if (!rc)
        qsort(e->d, e->n, sizeof *e->d, disc_cmp);
    return rc;
}

/* ---- crosswalks ---- */

typedef struct xw_state {
    norm_catalog *cat;
    size_t from, to;
} xw_state;

static int xrow_push(xw_state *s, const char *oc, const char *on, const char *nc,
                     const char *nn, const char *rel, const char *basis)
{
    norm_catalog *c = s->cat;
    if (c->nx == c->xalloc) {
        size_t n = c->xalloc ? c->xalloc * 2 : 512;
        nz_xrow *p = realloc(c->x, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        c->x = p;
        c->xalloc = n;
    }
    nz_xrow *x = &c->x[c->nx++];
    x->from = s->from;
    x->to = s->to;
    x->old_code = dg_strdup(oc);
    x->old_name = dg_strdup(on);
    x->new_code = dg_strdup(nc);
    x->new_name = dg_strdup(nn);
    x->relation = dg_strdup(rel);
    x->basis = dg_strdup(basis);
    return x->old_code && x->old_name && x->new_code && x->new_name && x->relation && x->basis
               ? DG_OK
               : DG_ENOMEM;
}

static int xw_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    if (nf < 6 || !all_digits(f[0]) || !all_digits(f[2]))
        return dg_err_set(err, DG_EINPUT, "bad crosswalk row in '%s' line %d", path, line);
    return xrow_push(arg, f[0], f[1], f[2], f[3], f[4], f[5]);
}

static int xw_unresolved_line(void *arg, char **f, size_t nf, const char *path, int line,
                              dg_err *err)
{
    if (nf < 4 || !all_digits(f[0]))
        return dg_err_set(err, DG_EINPUT, "bad unresolved row in '%s' line %d", path, line);
    return xrow_push(arg, f[0], f[1], "", "", "unresolved", f[3]);
}

static int edition_index(const norm_catalog *c, const char *id, size_t *out)
{
    for (size_t i = 0; i < c->ned; i++)
        if (strcmp(c->ed[i].id, id) == 0) {
            *out = i;
            return 1;
        }
    return 0;
}

static int add_crosswalk(load_state *st, char **f, size_t nf, const char *path, int line,
                         dg_err *err)
{
    xw_state xs = {st->cat, 0, 0};
    if (nf < 4 || !edition_index(st->cat, f[1], &xs.from) ||
        !edition_index(st->cat, f[2], &xs.to))
        return dg_err_set(err, DG_EINPUT,
                          "bad crosswalk line in '%s' line %d (editions must be listed first)",
                          path, line);
    int rc = manifest_csv(st, f[3], xw_line, &xs, err);
    if (!rc && nf > 4 && strcmp(f[4], "-") != 0 && f[4][0])
        rc = manifest_csv(st, f[4], xw_unresolved_line, &xs, err);
    return rc;
}

/* ---- curated historical names ---- */

typedef struct hn_state {
    norm_catalog *cat;
    const char *set;
    size_t edition;
} hn_state;

static int hn_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    hn_state *s = arg;
    norm_catalog *c = s->cat;
    if (nf < 5 || !f[0][0] || (strcmp(f[3], "renamed") && strcmp(f[3], "split")))
        return dg_err_set(err, DG_EINPUT,
                          "bad historical name row in '%s' line %d: want "
                          "old_name,new_code,new_name,renamed|split,basis",
                          path, line);
    if (!nz_cat_find(&c->ed[s->edition], f[1]))
        return dg_err_set(err, DG_EINPUT, "code '%s' in '%s' line %d is not in edition %s",
                          f[1], path, line, c->ed[s->edition].id);
    if (c->nhn == c->hnalloc) {
        size_t n = c->hnalloc ? c->hnalloc * 2 : 64;
        nz_histname *p = realloc(c->hn, n * sizeof *p);
        if (!p)
            return DG_ENOMEM;
        c->hn = p;
        c->hnalloc = n;
    }
    nz_histname *h = &c->hn[c->nhn++];
    memset(h, 0, sizeof *h);
    h->edition = s->edition;
    h->set = dg_strdup(s->set);
    h->name = dg_strdup(f[0]);
    h->code = dg_strdup(f[1]);
    h->code_name = dg_strdup(f[2]);
    h->relation = dg_strdup(f[3]);
    h->basis = dg_strdup(f[4]);
    if (!h->set || !h->name || !h->code || !h->code_name || !h->relation || !h->basis ||
        nz_decode(h->name, &h->key))
        return DG_ENOMEM;
    return DG_OK;
}

static int add_histnames(load_state *st, char **f, size_t nf, const char *path, int line,
                         dg_err *err)
{
    hn_state hs = {st->cat, f[1], 0};
    if (nf < 4 || !f[1][0] || !edition_index(st->cat, f[2], &hs.edition))
        return dg_err_set(err, DG_EINPUT,
                          "bad names line in '%s' line %d (editions must be listed first)",
                          path, line);
    return manifest_csv(st, f[3], hn_line, &hs, err);
}

/* ---- professional-degree categories (professional-degrees.csv) ---- */

typedef struct prof_state {
    norm_catalog *cat;
    size_t edition;
} prof_state;

static int prof_line(void *arg, char **f, size_t nf, const char *path, int line, dg_err *err)
{
    prof_state *s = arg;
    nz_edition *e = &s->cat->ed[s->edition];
    if (nf < 3 || !all_digits(f[0]) || !all_digits(f[2]))
        return dg_err_set(err, DG_EINPUT,
                          "bad professional-degree row in '%s' line %d: want code,name,from_year",
                          path, line);
    /* The matcher trusts the year to rule a candidate out: a code that is
     * not a first-level of the edition would silently never apply. */
    nz_disc *d = (nz_disc *)nz_cat_find(e, f[0]);
    if (!d || strcmp(d->level, "first") != 0)
        return dg_err_set(err, DG_EINPUT, "code '%s' in '%s' line %d is not a first-level of %s",
                          f[0], path, line, e->id);
    d->prof_from = atoi(f[2]);
    return DG_OK;
}

static int add_professional(load_state *st, char **f, size_t nf, const char *path, int line,
                            dg_err *err)
{
    prof_state ps = {st->cat, 0};
    if (nf < 3 || !edition_index(st->cat, f[1], &ps.edition))
        return dg_err_set(err, DG_EINPUT,
                          "bad professional line in '%s' line %d (editions must be listed first)",
                          path, line);
    return manifest_csv(st, f[2], prof_line, &ps, err);
}

static int manifest_line(void *arg, char **f, size_t nf, const char *path, int line,
                         dg_err *err)
{
    load_state *st = arg;
    if (strcmp(f[0], "edition") == 0)
        return add_edition(st, f, nf, path, line, err);
    if (strcmp(f[0], "crosswalk") == 0)
        return add_crosswalk(st, f, nf, path, line, err);
    if (strcmp(f[0], "names") == 0)
        return add_histnames(st, f, nf, path, line, err);
    if (strcmp(f[0], "professional") == 0)
        return add_professional(st, f, nf, path, line, err);
    if (strcmp(f[0], "target") == 0 && nf >= 2) {
        free(st->target_id);
        st->target_id = dg_strdup(f[1]);
        return st->target_id ? DG_OK : DG_ENOMEM;
    }
    return dg_err_set(err, DG_EINPUT, "unknown manifest line in '%s' line %d", path, line);
}

/* ---- ordering and the character index ---- */

static int xrow_cmp(const void *a, const void *b)
{
    const nz_xrow *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return strcmp(x->old_code, y->old_code);
}

/* Full order for storage: two crosswalk files for one edition pair (derived
 * + curated splits) must merge into the same order on every load, since
 * the import fingerprints the rows in order. */
static int xrow_sort_cmp(const void *a, const void *b)
{
    int r = xrow_cmp(a, b);
    const nz_xrow *x = a, *y = b;
    r = r ? r : strcmp(x->new_code, y->new_code);
    r = r ? r : strcmp(x->relation, y->relation);
    return r ? r : strcmp(x->basis, y->basis);
}

size_t nz_cat_xrows(const norm_catalog *c, size_t from, size_t to, const char *code,
                    size_t *first)
{
    size_t lo = 0, hi = c->nx;
    nz_xrow key = {.from = from, .to = to, .old_code = (char *)code};
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (xrow_cmp(&c->x[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < c->nx && xrow_cmp(&c->x[lo + n], &key) == 0)
        n++;
    *first = lo;
    return n;
}

int nz_cat_has_crosswalk(const norm_catalog *c, size_t from, size_t to)
{
    return c->xw_matrix[from * c->ned + to];
}

static int posting_cmp(const void *a, const void *b)
{
    const nz_posting *x = a, *y = b;
    if (x->cp != y->cp)
        return x->cp < y->cp ? -1 : 1;
    return (x->entry > y->entry) - (x->entry < y->entry);
}

/* Index each distinct character of each name: candidate generation then
 * only scores names sharing characters with the query. */
static int build_index(norm_catalog *c)
{
    size_t total = 0;
    for (size_t e = 0; e < c->ned; e++)
        for (size_t i = 0; i < c->ed[e].n; i++)
            total += c->ed[e].d[i].key.n;
    c->post = malloc((total + 1) * sizeof *c->post);
    if (!c->post)
        return DG_ENOMEM;
    for (size_t e = 0; e < c->ned; e++)
        for (size_t i = 0; i < c->ed[e].n; i++) {
            const nz_u32 *k = &c->ed[e].d[i].key;
            for (size_t j = 0; j < k->n; j++) {
                int dup = 0;
                for (size_t m = 0; m < j && !dup; m++)
                    dup = k->c[m] == k->c[j];
                if (!dup)
                    c->post[c->npost++] = (nz_posting){k->c[j], (uint32_t)(e << 16 | i)};
            }
        }
    qsort(c->post, c->npost, sizeof *c->post, posting_cmp);
    /* The matcher asks "is there a crosswalk from e to t" for every entry. */
    c->xw_matrix = calloc(c->ned * c->ned, 1);
    if (!c->xw_matrix)
        return DG_ENOMEM;
    for (size_t i = 0; i < c->nx; i++)
        c->xw_matrix[c->x[i].from * c->ned + c->x[i].to] = 1;
    return DG_OK;
}

static int edition_cmp(const void *a, const void *b)
{
    int x = ((const nz_edition *)a)->from_year, y = ((const nz_edition *)b)->from_year;
    return (x > y) - (x < y);
}

static int catalog_finish(norm_catalog *c, load_state *st, const char *path, dg_err *err)
{
    if (!c->ned)
        return dg_err_set(err, DG_EINPUT, "no edition listed in '%s'", path);
    for (size_t i = 0; i < c->ned; i++)
        if (c->ed[i].n > 0xFFFF)
            return dg_err_set(err, DG_EINPUT, "edition '%s' too large", c->ed[i].id);
    /* Crosswalk rows hold edition indices: remap them after sorting editions. */
    char **ids = malloc(c->ned * sizeof *ids);
    if (!ids)
        return DG_ENOMEM;
    for (size_t i = 0; i < c->ned; i++)
        ids[i] = c->ed[i].id;
    qsort(c->ed, c->ned, sizeof *c->ed, edition_cmp);
    for (size_t i = 0; i < c->nx; i++) {
        edition_index(c, ids[c->x[i].from], &c->x[i].from);
        edition_index(c, ids[c->x[i].to], &c->x[i].to);
    }
    for (size_t i = 0; i < c->nhn; i++)
        edition_index(c, ids[c->hn[i].edition], &c->hn[i].edition);
    free(ids);
    qsort(c->x, c->nx, sizeof *c->x, xrow_sort_cmp);
    c->target = c->ned - 1;
    if (st->target_id && !edition_index(c, st->target_id, &c->target))
        return dg_err_set(err, DG_EINPUT, "target edition '%s' not listed in '%s'",
                          st->target_id, path);
    return build_index(c);
}

int norm_catalog_load(const char *dir, norm_catalog **out, dg_err *err)
{
    *out = NULL;
    norm_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return dg_err_set(err, DG_ENOMEM, "out of memory loading catalog '%s'", dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/editions.tsv", dir);
    load_state st = {c, dir, NULL};
    int rc = nz_tsv_read(path, manifest_line, &st, err);
    rc = rc ? rc : catalog_finish(c, &st, path, err);
    free(st.target_id);
    if (rc) {
        if (rc == DG_ENOMEM)
            dg_err_set(err, rc, "out of memory loading catalog '%s'", dir);
        norm_catalog_free(&c);
        return rc;
    }
    *out = c;
    return DG_OK;
}

void norm_catalog_free(norm_catalog **pc)
{
    if (!pc || !*pc)
        return;
    norm_catalog *c = *pc;
    for (size_t e = 0; e < c->ned; e++) {
        for (size_t i = 0; i < c->ed[e].n; i++) {
            nz_disc *d = &c->ed[e].d[i];
            free(d->code);
            free(d->name);
            free(d->bare);
            free(d->level);
            free(d->parent);
            free(d->key.c);
        }
        free(c->ed[e].d);
        free(c->ed[e].id);
        free(c->ed[e].file);
    }
    free(c->ed);
    for (size_t i = 0; i < c->nx; i++) {
        nz_xrow *x = &c->x[i];
        free(x->old_code);
        free(x->old_name);
        free(x->new_code);
        free(x->new_name);
        free(x->relation);
        free(x->basis);
    }
    free(c->x);
    for (size_t i = 0; i < c->nhn; i++) {
        nz_histname *h = &c->hn[i];
        free(h->set);
        free(h->name);
        free(h->code);
        free(h->code_name);
        free(h->relation);
        free(h->basis);
        free(h->key.c);
    }
    free(c->hn);
    for (size_t i = 0; i < c->nfiles; i++)
        free(c->files[i]);
    free(c->files);
    free(c->post);
    free(c->xw_matrix);
    free(c);
    *pc = NULL;
}

/* ---- iteration API ---- */

size_t norm_catalog_edition_count(const norm_catalog *cat)
{
    return cat->ned;
}

int norm_catalog_edition(const norm_catalog *cat, size_t i, norm_edition_info *out)
{
    if (i >= cat->ned)
        return DG_ENOTFOUND;
    out->id = cat->ed[i].id;
    out->from_year = cat->ed[i].from_year;
    out->file = cat->ed[i].file;
    out->ndisciplines = cat->ed[i].n;
    return DG_OK;
}

int norm_catalog_discipline(const norm_catalog *cat, size_t edition, size_t i,
                            norm_discipline_info *out)
{
    if (edition >= cat->ned || i >= cat->ed[edition].n)
        return DG_ENOTFOUND;
    const nz_disc *d = &cat->ed[edition].d[i];
    out->code = d->code;
    out->name = d->name;
    out->bare_name = d->bare;
    out->level = d->level;
    out->parent_code = d->parent;
    out->professional = d->professional;
    return DG_OK;
}

size_t norm_catalog_crosswalk_count(const norm_catalog *cat)
{
    return cat->nx;
}

int norm_catalog_crosswalk(const norm_catalog *cat, size_t i, norm_crosswalk_info *out)
{
    if (i >= cat->nx)
        return DG_ENOTFOUND;
    const nz_xrow *x = &cat->x[i];
    out->from_edition = cat->ed[x->from].id;
    out->to_edition = cat->ed[x->to].id;
    out->old_code = x->old_code;
    out->old_name = x->old_name;
    out->new_code = x->new_code;
    out->new_name = x->new_name;
    out->relation = x->relation;
    out->basis = x->basis;
    return DG_OK;
}

size_t norm_catalog_histname_count(const norm_catalog *cat)
{
    return cat->nhn;
}

int norm_catalog_histname(const norm_catalog *cat, size_t i, norm_histname_info *out)
{
    if (i >= cat->nhn)
        return DG_ENOTFOUND;
    const nz_histname *h = &cat->hn[i];
    out->set = h->set;
    out->name = h->name;
    out->edition = cat->ed[h->edition].id;
    out->code = h->code;
    out->code_name = h->code_name;
    out->relation = h->relation;
    out->basis = h->basis;
    return DG_OK;
}

size_t norm_catalog_file_count(const norm_catalog *cat)
{
    return cat->nfiles;
}

const char *norm_catalog_file(const norm_catalog *cat, size_t i)
{
    return i < cat->nfiles ? cat->files[i] : NULL;
}

const char *norm_catalog_target(const norm_catalog *cat)
{
    return cat->ed[cat->target].id;
}

size_t norm_catalog_edition_for_year(const norm_catalog *cat, int year, int *before_earliest)
{
    if (before_earliest)
        *before_earliest = 0;
    if (year <= 0)
        return cat->target;
    size_t best = 0;
    for (size_t i = 0; i < cat->ned; i++)
        if (cat->ed[i].from_year <= year)
            best = i;
    if (cat->ed[0].from_year > year && before_earliest)
        *before_earliest = 1;
    return best;
}

int norm_catalog_era_name(const norm_catalog *cat, const char *name, int year, const char *code)
{
    if (!cat || !name || !*name)
        return 0;
    int before = 0, found = 0;
    size_t in_force = norm_catalog_edition_for_year(cat, year, &before);
    for (size_t e = 0; e < cat->ned && found < 2; e++) {
        if (year > 0 && e != in_force)
            continue;
        for (size_t i = 0; i < cat->ed[e].n && found < 2; i++)
            if (!strcmp(cat->ed[e].d[i].bare, name))
                found = code && !strcmp(cat->ed[e].d[i].code, code) ? 2 : 1;
    }
    for (size_t i = 0; (before || year <= 0) && i < cat->nhn && found < 2; i++)
        if (!strcmp(cat->hn[i].name, name))
            found = code && !strcmp(cat->hn[i].code, code) ? 2 : 1;
    return found;
}

int norm_catalog_degree_category(const norm_catalog *cat, const char *category)
{
    if (!cat || !category || !*category)
        return 0;
    for (size_t e = 0; e < cat->ned; e++)
        for (size_t i = 0; i < cat->ed[e].n; i++) {
            const nz_disc *d = &cat->ed[e].d[i];
            if ((d->professional || !strcmp(d->level, "category")) && !strcmp(d->bare, category))
                return 1;
        }
    return 0;
}
