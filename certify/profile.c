/*
 * profile.c - disclosure profiles (configs/disclosure.conf): which archived
 * fields an audience may see.  One line per audience, "audience.NAME =
 * KEYS" or "*"; a key no field has is refused, so a typo cannot widen or
 * narrow a profile silently.
 */
#include "certify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldkeys.h"

struct cert_profile {
    int all;
    unsigned char allow[64]; /* by position in dg_field_keys */
};

typedef struct prof_parse {
    const char *want;
    cert_profile *p;
    int found;
    arc_lines *names; /* cert_profile_names: every audience, in file order */
} prof_parse;

static int on_kv(void *user, const dg_kv *kv, dg_err *err)
{
    prof_parse *pp = user;
    if (strncmp(kv->key, "audience.", 9) != 0)
        return dg_kv_fail(kv, err, "unknown setting '%s'", kv->key);
    int mine = pp->want && strcmp(kv->key + 9, pp->want) == 0;
    /* every line is checked, not just the audience asked for */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", kv->value);
    char *save = NULL;
    for (char *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
        if (strcmp(t, "*") == 0) {
            if (mine)
                pp->p->all = 1;
            continue;
        }
        const dg_field_key *fk = dg_field_key_find(t);
        if (!fk || fk - dg_field_keys >= 64)
            return dg_kv_fail(kv, err, "unknown field key '%s'", t);
        if (mine)
            pp->p->allow[fk - dg_field_keys] = 1;
    }
    pp->found |= mine;
    if (pp->names) {
        char **v = realloc(pp->names->v, (pp->names->n + 1) * sizeof *v);
        if (!v || !(v[pp->names->n] = dg_strdup(kv->key + 9))) {
            if (v)
                pp->names->v = v;
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        }
        pp->names->v = v;
        pp->names->n++;
    }
    return DG_OK;
}

static int parse_file(const char *config_dir, prof_parse *pp, dg_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/disclosure.conf", config_dir ? config_dir : arc_config_dir());
    int rc = dg_kv_load(path, 0, NULL, on_kv, pp, err);
    if (!rc && pp->want && !pp->found)
        rc = dg_err_set(err, DG_ENOTFOUND, "no audience '%s' in '%s'", pp->want, path);
    return rc;
}

int cert_profile_names(const char *config_dir, arc_lines *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    cert_profile scratch;
    memset(&scratch, 0, sizeof scratch);
    prof_parse pp = {NULL, &scratch, 0, out};
    int rc = parse_file(config_dir, &pp, err);
    if (rc)
        arc_lines_release(out);
    return rc;
}

int cert_profile_load(const char *config_dir, const char *audience, cert_profile **out,
                      dg_err *err)
{
    *out = NULL;
    prof_parse pp = {audience, calloc(1, sizeof(cert_profile)), 0, NULL};
    if (!pp.p)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int rc = parse_file(config_dir, &pp, err);
    if (rc) {
        free(pp.p);
        return rc;
    }
    *out = pp.p;
    return DG_OK;
}

int cert_profile_allows(const cert_profile *p, const char *key)
{
    const dg_field_key *fk = dg_field_key_find(key);
    return p->all || (fk && fk - dg_field_keys < 64 && p->allow[fk - dg_field_keys]);
}

void cert_profile_free(cert_profile **p)
{
    if (p) {
        free(*p);
        *p = NULL;
    }
}
