/*
 * archive_internal.h - helpers the archive module shares between its own
 * files and nobody outside it uses.  Not installed, not for pipeline/.
 */
#ifndef DANGAN_ARCHIVE_INTERNAL_H
#define DANGAN_ARCHIVE_INTERNAL_H

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"

/* Column i of st as a new string into *out (NULL stays NULL): the readers
 * hand rows to pipeline/ after the statement is gone. */
static inline int arc_col_dup(sqlite3_stmt *st, int i, char **out)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *out = s ? dg_strdup(s) : NULL;
    return s && !*out ? DG_ENOMEM : DG_OK;
}

/* The same, with NULL read as "" (columns the old text output coalesced). */
static inline int arc_col_dup0(sqlite3_stmt *st, int i, char **out)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *out = dg_strdup(s ? s : "");
    return *out ? DG_OK : DG_ENOMEM;
}

/* v (holding n elements of size `size`) with room for one more, zeroed:
 * grown by doubling from 4; NULL when it cannot grow (v is still valid). */
static inline void *arc_grow(void *v, size_t n, size_t size)
{
    /* Capacity is 4, 8, 16, ...: full when n is 0 or a power of two >= 4. */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        v = realloc(v, (n ? n * 2 : 4) * size);
        if (!v)
            return NULL;
    }
    memset((char *)v + n * size, 0, size);
    return v;
}

#endif
