/*
 * lookup_fields.c - an archived study record as canonical key -> value.
 * The archive stores values in typed columns (person, study_record); users
 * and exports see the same keys the extraction stage uses for fields, plus
 * current_code/current_name for the 2022 catalog discipline (fieldkeys.h).
 */
#include "lookup_internal.h"

#include <sqlite3.h>

int lk_fields_prepare(sqlite3 *db, const char *head, const char *tail, sqlite3_stmt **st,
                      dg_err *err)
{
    dg_buf sql;
    dg_buf_init(&sql, 0);
    int rc = dg_buf_adds(&sql, head);
    for (int i = 0; i < ARC_NFIELDS && !rc; i++)
        rc = dg_buf_addf(&sql, "%s%c.%s", i ? ", " : "",
                         dg_field_keys[i].home == DG_FK_PERSON ? 'p' : 's',
                         dg_field_keys[i].column);
    rc = rc ? rc : dg_buf_adds(&sql, tail);
    rc = rc ? dg_err_set(err, DG_ENOMEM, "out of memory") : db_prepare(db, sql.data, st, err);
    dg_buf_release(&sql);
    return rc;
}

int lk_fields_from_row(sqlite3_stmt *st, int first, dg_buf *out)
{
    return lk_fields_from_row_allowed(st, first, NULL, out);
}

int lk_fields_from_row_allowed(sqlite3_stmt *st, int first, const unsigned char *allow,
                               dg_buf *out)
{
    int rc = dg_buf_addc(out, '{'), shown = 0;
    for (int i = 0; i < ARC_NFIELDS && !rc; i++) {
        if (allow && !allow[i])
            continue;
        rc = shown++ ? dg_buf_addc(out, ',') : DG_OK;
        rc = rc ? rc : dg_buf_json_str(out, dg_field_keys[i].key);
        rc = rc ? rc : dg_buf_addc(out, ':');
        rc = rc ? rc : dg_buf_json_str(out, (const char *)sqlite3_column_text(st, first + i));
    }
    return rc ? rc : dg_buf_addc(out, '}');
}

int arc_disclosure_json(const arc_disclosure *d, dg_buf *b)
{
    if (!d)
        return DG_OK;
    int rc = dg_buf_adds(b, ",\"audience\":") || dg_buf_json_str(b, d->audience) ||
             dg_buf_adds(b, ",\"for\":") || dg_buf_json_str(b, d->requester) ||
             dg_buf_adds(b, ",\"purpose\":") || dg_buf_json_str(b, d->purpose) ||
             dg_buf_adds(b, ",\"fields\":[");
    for (int i = 0, n = 0; i < ARC_NFIELDS && !rc; i++)
        if (d->allow[i])
            rc = (n++ && dg_buf_addc(b, ',')) || dg_buf_json_str(b, dg_field_keys[i].key);
    return rc || dg_buf_addc(b, ']') ? DG_ENOMEM : DG_OK;
}

/* A lookup's result as JSON (the CLI's --json and the web search). */
int arc_lookup_json(const arc_lookup_result *r, dg_buf *out)
{
    int rc = dg_buf_adds(out, "{\"results\":[");
    for (size_t i = 0; i < r->n && !rc; i++) {
        const arc_lookup_hit *h = &r->hits[i];
        rc = dg_buf_addf(out, "%s{\"record\":%lld,\"score\":%d,\"why\":[", i ? "," : "",
                         (long long)h->record, h->score);
        for (size_t j = 0; j < h->nwhy && !rc; j++) {
            rc = j ? dg_buf_addc(out, ',') : DG_OK;
            rc = rc ? rc : dg_buf_json_str(out, h->why[j]);
        }
        rc = rc ? rc : dg_buf_adds(out, "],\"fields\":{");
        for (int k = 0, shown = 0; k < ARC_NFIELDS && !rc; k++) {
            if (h->withheld[k])
                continue;
            rc = dg_buf_addf(out, "%s\"%s\":", shown++ ? "," : "", dg_field_keys[k].key);
            rc = rc ? rc : dg_buf_json_str(out, h->fields[k]);
        }
        rc = rc ? rc : dg_buf_adds(out, "}}");
    }
    return rc ? rc
              : dg_buf_addf(out, "],\"as_asked\":%.3f,\"exact\":%s}", r->as_asked,
                            r->exact ? "true" : "false");
}
