/*
 * load_bulk.c - the bulk path of `dangan load` (load_read.h): the secondary
 * indexes of what a load writes, dropped and built again inside one
 * transaction.  Maintaining them row by row was ~40% of a load's CPU
 * (docs/scale.md); building an index from the finished table is a sort.
 */
#include "load_read.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive_internal.h"

/* The load reads through person_simplified and study_person (the namesake
 * search) and study_source's (a study's sources): those stay.  Constraint
 * indexes (sql IS NULL) cannot be dropped and stay too. */
static const char list_sql[] =
    "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
    "AND tbl_name IN ('person', 'study_record', 'provenance', 'audit_event') "
    "AND name NOT IN ('person_simplified', 'study_person') ORDER BY name";

struct ld_bulk {
    char **name, **sql;
    int n;
};

void ld_bulk_free(ld_bulk **b)
{
    if (!b || !*b)
        return;
    for (int i = 0; i < (*b)->n; i++)
        free((*b)->name[i]), free((*b)->sql[i]);
    free((*b)->name);
    free((*b)->sql);
    free(*b);
    *b = NULL;
}

static int remember(ld_bulk *b, const char *name, const char *sql)
{
    char **n = realloc(b->name, (size_t)(b->n + 1) * sizeof *n);
    if (n)
        b->name = n;
    char **s = realloc(b->sql, (size_t)(b->n + 1) * sizeof *s);
    if (s)
        b->sql = s;
    if (!n || !s)
        return DG_ENOMEM;
    b->name[b->n] = dg_strdup(name);
    b->sql[b->n] = dg_strdup(sql);
    b->n++;
    return b->name[b->n - 1] && b->sql[b->n - 1] ? DG_OK : DG_ENOMEM;
}

int ld_bulk_drop(sqlite3 *db, ld_bulk **out, dg_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    sqlite3_stmt *st;
    if (db_prepare(db, list_sql, &st, err)) {
        ld_bulk_free(out);
        return DG_EDB;
    }
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        if (remember(*out, (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1)))
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    sqlite3_finalize(st);
    for (int i = 0; !rc && i < (*out)->n; i++) {
        char *drop = sqlite3_mprintf("DROP INDEX main.\"%w\"", (*out)->name[i]);
        rc = drop ? db_exec(db, drop, err) : dg_err_set(err, DG_ENOMEM, "out of memory");
        sqlite3_free(drop);
    }
    if (rc)
        ld_bulk_free(out);
    return rc;
}

int ld_bulk_rebuild(sqlite3 *db, const ld_bulk *b, dg_err *err)
{
    for (int i = 0; b && i < b->n; i++)
        if (db_exec(db, b->sql[i], err))
            return DG_EDB;
    return DG_OK;
}
