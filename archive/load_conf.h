/*
 * load_conf.h - configs/load.conf as `dangan load` reads it (load_conf.c):
 * which verified fields a record needs before it enters the archive.
 */
#ifndef DANGAN_LOAD_CONF_H
#define DANGAN_LOAD_CONF_H

#include "common.h"

#define LD_MAX_GROUPS 16
#define LD_MAX_ALTS 4
#define LD_KEY_MAX 32

/* required = a, b|c: every group needs one of its keys verified. */
typedef struct load_conf {
    char keys[LD_MAX_GROUPS][LD_MAX_ALTS][LD_KEY_MAX]; /* "a|b" = either will do */
    int nalt[LD_MAX_GROUPS];
    int ngroups;
    long bulk_min; /* bulk_min = N: a load adding N records or more takes the bulk path */
} load_conf;

/* Reads path (NULL: the settings folder's load.conf) into c, which starts
 * from "name, birth_date|student_no, major"; a file it cannot read keeps that.
 * key = value lines (dg_kv_parse): 'required', and 'bulk_min' (default
 * LD_BULK_MIN_DEFAULT records; load.c). */
#define LD_BULK_MIN_DEFAULT 4096
int ld_conf_load(const char *path, load_conf *c, dg_err *err);

#endif
