/*
 * load_conf.c - configs/load.conf: the fields a record needs verified before
 * `dangan load` archives it (load_conf.h).
 */
#include "load_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

static const char default_required[] = "name, birth_date|student_no, major";

static int conf_add_token(load_conf *c, const char *tok, size_t len, int new_group,
                          const char *src, dg_err *err)
{
    while (len && (*tok == ' ' || *tok == '\t'))
        tok++, len--;
    while (len && (tok[len - 1] == ' ' || tok[len - 1] == '\t' || tok[len - 1] == '\r'))
        len--;
    if (!len)
        return dg_err_set(err, DG_EINPUT, "'%s': empty key in 'required'", src);
    if (new_group && c->ngroups == LD_MAX_GROUPS)
        return dg_err_set(err, DG_EINPUT, "'%s': more than %d required groups", src,
                          LD_MAX_GROUPS);
    int g = new_group ? c->ngroups++ : c->ngroups - 1;
    if (len >= LD_KEY_MAX || c->nalt[g] == LD_MAX_ALTS)
        return dg_err_set(err, DG_EINPUT, "'%s': key '%.*s' too long or too many alternatives",
                          src, (int)len, tok);
    memcpy(c->keys[g][c->nalt[g]], tok, len);
    c->keys[g][c->nalt[g]++][len] = '\0';
    return DG_OK;
}

/* "name, birth_date|student_no, major" */
static int conf_parse_required(load_conf *c, const char *v, size_t n, const char *src,
                               dg_err *err)
{
    memset(c->keys, 0, sizeof c->keys);
    memset(c->nalt, 0, sizeof c->nalt);
    c->ngroups = 0;
    size_t start = 0;
    int new_group = 1;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && v[i] != ',' && v[i] != '|')
            continue;
        if (conf_add_token(c, v + start, i - start, new_group, src, err))
            return DG_EINPUT;
        new_group = i < n && v[i] == ',';
        start = i + 1;
    }
    return DG_OK;
}

static int conf_line(void *user, const dg_kv *kv, dg_err *err)
{
    if (strcmp(kv->key, "bulk_min") == 0) {
        load_conf *c = user;
        char *end;
        long v = strtol(kv->value, &end, 10);
        if (end == kv->value || *end || v < 1)
            return dg_kv_fail(kv, err, "bulk_min must be a number of records (1 or more)");
        c->bulk_min = v;
        return DG_OK;
    }
    if (strcmp(kv->key, "required") != 0)
        return dg_kv_fail(kv, err, "unknown key '%s'", kv->key);
    return conf_parse_required(user, kv->value, strlen(kv->value), kv->path, err);
}

int ld_conf_load(const char *path, load_conf *c, dg_err *err)
{
    char defpath[4096];
    if (!path) {
        snprintf(defpath, sizeof defpath, "%s/load.conf", arc_config_dir());
        path = defpath;
    }
    c->bulk_min = LD_BULK_MIN_DEFAULT;
    /* the defaults, then the file's settings over them (absent: the defaults) */
    int rc = conf_parse_required(c, default_required, strlen(default_required), "default", err);
    rc = rc ? rc : dg_kv_load(path, 1, NULL, conf_line, c, err);
    return rc == DG_ENOTFOUND ? DG_OK : rc;
}
