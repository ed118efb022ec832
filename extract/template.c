/*
 * template.c - loading form templates (configs/templates, one .xml per form).
 *
 * Templates come from archivists, so they are outside input: the file is
 * refused outright if it carries a DOCTYPE (no entities, internal or
 * external, can ever be declared), parsed with XML_PARSE_NONET and never
 * with NOENT/DTDLOAD/HUGE, validated against schema/template.rng (embedded
 * in the binary), then checked for what the grammar cannot say (duplicate
 * keys, labels too long).  Every refusal names FILE:LINE.
 */
#include "extract_internal.h"
#include "xmlconf.h"

#include <dirent.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

/* The same cap as the stage drivers' reads: the file is refused, not read. */
#define EX_MAX_FILE_BYTES ((size_t)1 << 30)

/* The grammar, embedded at configure time by extract/CMakeLists.txt. */
extern const char ex_template_rng[];
extern const size_t ex_template_rng_len;

struct ex_templates {
    char *schema_path;     /* NULL: the embedded grammar */
    ex_lookalikes *look;   /* NULL: none */
    ex_template *items;
    size_t n;
};

ex_templates *ex_templates_new(const char *schema_path)
{
    ex_templates *s = calloc(1, sizeof *s);
    if (s && schema_path && !(s->schema_path = dg_strdup(schema_path))) {
        free(s);
        return NULL;
    }
    return s;
}

static void field_release(ex_field *f)
{
    free(f->key);
    free(f->labels);
    for (size_t i = 0; i < f->nenums; i++)
        free(f->enums[i]);
    free(f->enums);
}

static void template_release(ex_template *t)
{
    free(t->id);
    free(t->path);
    free(t->titles);
    free(t->stops);
    for (size_t i = 0; i < t->nheader; i++)
        field_release(&t->header[i]);
    free(t->header);
    for (size_t i = 0; i < t->nfields; i++)
        field_release(&t->fields[i]);
    free(t->fields);
}

void ex_templates_free(ex_templates **set)
{
    if (!set || !*set)
        return;
    for (size_t i = 0; i < (*set)->n; i++)
        template_release(&(*set)->items[i]);
    free((*set)->items);
    free((*set)->schema_path);
    ex_lookalikes_free(&(*set)->look);
    free(*set);
    *set = NULL;
}

size_t ex_templates_count(const ex_templates *set) { return set ? set->n : 0; }

const ex_lookalikes *ex_templates_lookalikes(const ex_templates *set)
{
    return set ? set->look : NULL;
}

const ex_template *ex_templates_get(const ex_templates *set, size_t i)
{
    return set && i < set->n ? &set->items[i] : NULL;
}

const char *ex_template_id(const ex_template *t) { return t->id; }

size_t ex_template_nfields(const ex_template *t, int header)
{
    return header ? t->nheader : t->nfields;
}

const char *ex_template_key(const ex_template *t, int header, size_t i)
{
    return header ? t->header[i].key : t->fields[i].key;
}

int ex_template_expected(const ex_template *t, size_t i) { return t->fields[i].expected; }

char *ex_templates_params(const ex_templates *set)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_adds(&b, "{\"templates\":[");
    for (size_t i = 0; i < set->n; i++) {
        dg_buf_adds(&b, i ? ",{\"id\":" : "{\"id\":");
        dg_buf_json_str(&b, set->items[i].id);
        dg_buf_adds(&b, ",\"sha256\":");
        dg_buf_json_str(&b, set->items[i].sha256);
        dg_buf_addc(&b, '}');
    }
    dg_buf_adds(&b, "]}");
    return dg_buf_detach(&b);
}

/* ---- building the model from a valid document ------------------------------------- */

static int is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr_dup(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s = v ? dg_strdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static int attr_int(xmlNodePtr n, const char *name, int dflt)
{
    char *v = attr_dup(n, name);
    int r = v ? atoi(v) : dflt;
    free(v);
    return r;
}

static int add_label(const char *path, xmlNodePtr n, ex_label **arr, size_t *cnt, dg_err *err)
{
    xmlChar *text = xmlNodeGetContent(n);
    ex_label l;
    int bad = ex_label_fold((const char *)text, &l);
    xmlFree(text);
    if (bad)
        return dg_err_set(err, DG_EINPUT,
                          "invalid template '%s':%ld: label has no letters or is over %d "
                          "characters",
                          path, (long)xmlGetLineNo(n), EX_LABEL_MAX);
    ex_label *p = realloc(*arr, (*cnt + 1) * sizeof *p);
    if (!p)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    p[(*cnt)++] = l;
    *arr = p;
    return DG_OK;
}

static ex_at at_of(const char *s)
{
    static const char *const names[] = {"right", "below", "after", "column", "title-prefix"};
    for (int i = 0; i < 5; i++)
        if (s && strcmp(s, names[i]) == 0)
            return (ex_at)i;
    return EX_AT_RIGHT;
}

static ex_type type_of(const char *s)
{
    static const char *const names[] = {"name", "date", "code", "enum", "text"};
    for (int i = 0; i < 5; i++)
        if (s && strcmp(s, names[i]) == 0)
            return (ex_type)i;
    return EX_T_TEXT;
}

/* EX_RULES_* bits of a valid rules="..." list (the grammar checked it). */
static int rules_of(const char *s)
{
    static const char *const names[] = {"grid", "underline", "none"};
    int bits = 0;
    while (s && *s) {
        size_t n = strcspn(s, " \t\r\n");
        for (int i = 0; i < 3; i++)
            if (n == strlen(names[i]) && strncmp(s, names[i], n) == 0)
                bits |= 1 << i;
        s += n;
        s += strspn(s, " \t\r\n");
    }
    return bits;
}

static int add_enum(ex_field *f, xmlNodePtr n)
{
    xmlChar *text = xmlNodeGetContent(n);
    char **p = realloc(f->enums, (f->nenums + 1) * sizeof *p);
    if (!p) {
        xmlFree(text);
        return DG_ENOMEM;
    }
    f->enums = p;
    f->enums[f->nenums++] = dg_strdup((const char *)text);
    xmlFree(text);
    return DG_OK;
}

/* What the grammar cannot say about a field's rules: a value on an
 * underline or beside its label is found from the label, so a column or
 * a title prefix cannot declare them; a ledger is ruled or bare. */
static int check_rules(const char *path, xmlNodePtr v, const ex_field *f, int table, dg_err *err)
{
    if ((f->rules & EX_RULES_UNDERLINE) && table)
        return dg_err_set(err, DG_EINPUT,
                          "invalid template '%s':%ld: field '%s': rules=\"underline\" is for "
                          "layout=\"card\" (a value on the line after its label), not a table",
                          path, (long)xmlGetLineNo(v), f->key);
    if ((f->rules & (EX_RULES_UNDERLINE | EX_RULES_NONE)) &&
        (f->at == EX_AT_COLUMN || f->at == EX_AT_TITLE_PREFIX))
        return dg_err_set(err, DG_EINPUT,
                          "invalid template '%s':%ld: field '%s': rules=\"%s\" needs a value "
                          "found by its label (at=\"right\", \"below\" or \"after\")",
                          path, (long)xmlGetLineNo(v), f->key,
                          f->rules & EX_RULES_UNDERLINE ? "underline" : "none");
    return DG_OK;
}

static int read_field(const char *path, xmlNodePtr n, ex_field *f, const ex_template *t,
                      int header, dg_err *err)
{
    memset(f, 0, sizeof *f);
    char *type = attr_dup(n, "type"), *exp = attr_dup(n, "expected");
    f->key = attr_dup(n, "key");
    f->type = type_of(type);
    f->expected = !(exp && (strcmp(exp, "false") == 0 || strcmp(exp, "0") == 0));
    free(type);
    free(exp);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (is_elem(c, "label") && add_label(path, c, &f->labels, &f->nlabels, err))
            return DG_EINPUT;
        if (is_elem(c, "enum") && add_enum(f, c))
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        if (is_elem(c, "value")) {
            char *at = attr_dup(c, "at"), *rules = attr_dup(c, "rules");
            f->at = at_of(at);
            /* a field says its own rules where the form differs; a title
             * prefix is no label's value, whatever the template declares */
            f->rules = rules ? rules_of(rules)
                             : f->at == EX_AT_TITLE_PREFIX || f->at == EX_AT_COLUMN ? 0 : t->rules;
            free(at);
            free(rules);
            f->max_chars = attr_int(c, "max-chars", 0);
            if (check_rules(path, c, f, t->table && !header, err))
                return DG_EINPUT;
        }
    }
    if (f->nlabels == 0 && f->at != EX_AT_TITLE_PREFIX)
        return dg_err_set(err, DG_EINPUT,
                          "invalid template '%s':%ld: field '%s' needs at least one label",
                          path, (long)xmlGetLineNo(n), f->key);
    return DG_OK;
}

static int read_fields(const char *path, xmlNodePtr parent, const ex_template *t, int header,
                       ex_field **arr, size_t *cnt, dg_err *err)
{
    for (xmlNodePtr c = parent->children; c; c = c->next) {
        if (!is_elem(c, "field"))
            continue;
        ex_field *p = realloc(*arr, (*cnt + 1) * sizeof *p);
        if (!p)
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        *arr = p;
        ex_field *f = &p[(*cnt)++];
        if (read_field(path, c, f, t, header, err))
            return DG_EINPUT;
        for (size_t i = 0; i + 1 < *cnt; i++)
            if (strcmp(p[i].key, f->key) == 0)
                return dg_err_set(err, DG_EINPUT,
                                  "invalid template '%s':%ld: field '%s' is defined twice",
                                  path, (long)xmlGetLineNo(c), f->key);
    }
    return DG_OK;
}

static int read_recognise(const char *path, xmlNodePtr n, ex_template *t, dg_err *err)
{
    char *thr = attr_dup(n, "threshold");
    t->threshold = thr ? atof(thr) : 0.35;
    free(thr);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (is_elem(c, "title") && add_label(path, c, &t->titles, &t->ntitles, err))
            return DG_EINPUT;
        if (is_elem(c, "grid")) {
            t->grid_min_rows = attr_int(c, "min-rows", 0);
            t->grid_max_rows = attr_int(c, "max-rows", 0);
            t->grid_min_cols = attr_int(c, "min-cols", 0);
            t->grid_max_cols = attr_int(c, "max-cols", 0);
        }
    }
    return DG_OK;
}

static int read_template(const char *path, xmlNodePtr root, ex_template *t, dg_err *err)
{
    char *layout = attr_dup(root, "layout"), *rules = attr_dup(root, "rules");
    t->id = attr_dup(root, "id");
    t->path = dg_strdup(path);
    t->table = layout && strcmp(layout, "table") == 0;
    t->rules = rules_of(rules);
    free(layout);
    free(rules);
    if (t->table && (t->rules & EX_RULES_UNDERLINE))
        return dg_err_set(err, DG_EINPUT,
                          "invalid template '%s':%ld: rules=\"underline\" is for "
                          "layout=\"card\" (a value on the line after its label), not a table",
                          path, (long)xmlGetLineNo(root));
    for (xmlNodePtr c = root->children; c; c = c->next) {
        int rc = DG_OK;
        if (is_elem(c, "recognise"))
            rc = read_recognise(path, c, t, err);
        else if (is_elem(c, "stop"))
            rc = add_label(path, c, &t->stops, &t->nstops, err);
        else if (is_elem(c, "header"))
            rc = read_fields(path, c, t, 1, &t->header, &t->nheader, err);
        else if (is_elem(c, "fields"))
            rc = read_fields(path, c, t, 0, &t->fields, &t->nfields, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < t->nfields; i++)
        if ((t->fields[i].at == EX_AT_COLUMN) != t->table)
            return dg_err_set(err, DG_EINPUT,
                              "invalid template '%s': field '%s': at=\"column\" is for "
                              "layout=\"table\" only, and table fields need it",
                              path, t->fields[i].key);
    return DG_OK;
}

static int add_parsed(ex_templates *set, const char *path, xmlDocPtr doc,
                      const unsigned char *data, size_t len, dg_err *err)
{
    ex_template t;
    memset(&t, 0, sizeof t);
    dg_sha256_hex(data, len, t.sha256);
    int rc = read_template(path, xmlDocGetRootElement(doc), &t, err);
    for (size_t i = 0; rc == DG_OK && i < set->n; i++)
        if (strcmp(set->items[i].id, t.id) == 0)
            rc = dg_err_set(err, DG_EINPUT, "invalid template '%s': id '%s' already used by '%s'",
                            path, t.id, set->items[i].path);
    ex_template *p = rc ? NULL : realloc(set->items, (set->n + 1) * sizeof *p);
    if (!rc && !p)
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    if (rc) {
        template_release(&t);
        return rc;
    }
    set->items = p;
    set->items[set->n++] = t;
    return DG_OK;
}

int ex_templates_add_file(ex_templates *set, const char *path, dg_err *err)
{
    unsigned char *data;
    size_t len;
    if (dg_read_file(path, EX_MAX_FILE_BYTES, &data, &len, err))
        return DG_EINPUT;
    /* The grammar compiled in, unless the caller names another file. */
    unsigned char *rng = (unsigned char *)ex_template_rng;
    size_t rng_len = ex_template_rng_len;
    if (set->schema_path && dg_read_file(set->schema_path, EX_MAX_FILE_BYTES, &rng, &rng_len,
                                              err)) {
        free(data);
        return DG_EINPUT;
    }
    xmlDocPtr doc = NULL;
    int rc = xmlconf_load(path, data, len, "template", (const char *)rng, rng_len, &doc, err);
    if (rc == DG_OK)
        rc = add_parsed(set, path, doc, data, len, err);
    xmlconf_free(&doc);
    if (rng != (const unsigned char *)ex_template_rng)
        free(rng);
    free(data);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.xml names in dir, so runs see templates in a stable order. */
static int list_xml(const char *dir, char ***names, size_t *n, dg_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return dg_err_set(err, DG_ENOTFOUND, "cannot open templates directory '%s'", dir);
    struct dirent *e;
    *names = NULL;
    *n = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || e->d_name[0] == '.' || strcmp(e->d_name + l - 4, ".xml") != 0)
            continue;
        char **p = realloc(*names, (*n + 1) * sizeof *p);
        if (!p)
            break;
        *names = p;
        p[(*n)++] = dg_strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return DG_OK;
}

int ex_templates_load_dir(const char *dir, const char *schema_path, const char *lookalikes,
                          ex_templates **out, dg_err *err)
{
    char **names = NULL;
    size_t n = 0;
    if (list_xml(dir, &names, &n, err))
        return DG_ENOTFOUND;
    ex_templates *set = ex_templates_new(schema_path);
    int rc = set ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
    dg_buf path;
    dg_buf_init(&path, 4096);
    for (size_t i = 0; i < n; i++) {
        dg_buf_reset(&path);
        dg_buf_addf(&path, "%s/%s", dir, names[i]);
        if (rc == DG_OK)
            rc = ex_templates_add_file(set, path.data, err);
        free(names[i]);
    }
    free(names);
    dg_buf_release(&path);
    if (rc == DG_OK && n == 0)
        rc = dg_err_set(err, DG_ENOTFOUND, "no templates (*.xml) in '%s'", dir);
    if (rc == DG_OK && lookalikes)
        rc = ex_lookalikes_load(lookalikes, &set->look, err);
    if (rc) {
        ex_templates_free(&set);
        return rc;
    }
    *out = set;
    return DG_OK;
}
