/*
 * exchange_internal.h - what the exchange exports share inside the module.
 */
#ifndef DANGAN_EXCHANGE_INTERNAL_H
#define DANGAN_EXCHANGE_INTERNAL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "exchange.h"

/* Column i as a fresh string, NULL read as "". */
static inline int ex_col_dup(sqlite3_stmt *st, int i, char **out)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *out = dg_strdup(s ? s : "");
    return *out ? DG_OK : DG_ENOMEM;
}

/* v (n elements of `size`) with room for one more, zeroed; NULL when it
 * cannot grow (v is still valid).  Capacity doubles from 4. */
static inline void *ex_grow(void *v, size_t n, size_t size)
{
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        v = realloc(v, (n ? n * 2 : 4) * size);
        if (!v)
            return NULL;
    }
    memset((char *)v + n * size, 0, size);
    return v;
}

/* s into out with each ill-formed UTF-8 sequence replaced by U+FFFD: file
 * names come from the file system, which promises bytes, not UTF-8. */
int ex_utf8_clean(const char *s, dg_buf *out);

/* The document information of a PDF access copy (UTF-8). */
typedef struct ex_pdf_meta {
    const char *title, *subject, *creator, *producer;
    const char *created; /* ISO 8601 UTC */
} ex_pdf_meta;

/* cairo's PDF (pdf, len) written to out with what PDF/A-2b adds: an XMP
 * packet declaring part 2 conformance B with m's values (the information
 * dictionary is rewritten to the same), an sRGB output intent and the
 * trailer /ID (pdfa.c, qpdf). */
int ex_pdfa_finish(const unsigned char *pdf, size_t len, const ex_pdf_meta *m, FILE *out,
                   dg_err *err);

/* Write len bytes to path (0600) through a temporary file renamed into
 * place, so a reader never sees half a document. */
int ex_write_file(const char *path, const void *data, size_t len, dg_err *err);

/* Append one access-log row for an export of `what` (JSON query text) that
 * showed `count` items, in its own transaction. */
int ex_log_export(sqlite3 *db, const char *who, const char *query_json, long count,
                  dg_err *err);

#endif
