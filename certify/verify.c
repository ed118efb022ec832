/*
 * verify.c - checking a certificate: find its payload (in a PDF's bytes,
 * the QR code's text, or through the verification code printed on the
 * page), check the Ed25519 signature over the content, and, with the
 * archive at hand, compare what was certified with what the archive holds
 * now and list the amendments made since the issue.
 */
#include "certify_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fieldkeys.h"

static int b64url_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

/* A verification code as printed (XXXX-XXXX-XXXX-XXXX, any case, spaces
 * around it) into code[20]; 0 when text is not one. */
static int as_code(const unsigned char *data, size_t len, char code[20])
{
    while (len && (data[0] == ' ' || data[0] == '\t' || data[0] == '\n' || data[0] == '\r'))
        data++, len--;
    while (len && (data[len - 1] == ' ' || data[len - 1] == '\n' || data[len - 1] == '\r' ||
                   data[len - 1] == '\t'))
        len--;
    if (len != 19)
        return 0;
    for (size_t i = 0; i < 19; i++) {
        unsigned char c = data[i];
        if (i % 5 == 4) {
            if (c != '-')
                return 0;
            code[i] = '-';
            continue;
        }
        if (c >= 'a' && c <= 'f')
            c = (unsigned char)(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
            return 0;
        code[i] = (char)c;
    }
    code[19] = '\0';
    return 1;
}

int cert_payload_find(sqlite3 *db, const unsigned char *data, size_t len, char **payload,
                      dg_err *err)
{
    *payload = NULL;
    const size_t ml = strlen(CERT_MAGIC);
    for (size_t i = 0; i + ml <= len; i++) {
        if (memcmp(data + i, CERT_MAGIC, ml) != 0)
            continue;
        size_t j = i + ml;
        int dots = 0;
        while (j < len && (b64url_char(data[j]) || (data[j] == '.' && dots++ < 1)))
            j++;
        if (dots != 1)
            continue;
        char *p = malloc(j - i + 1);
        if (!p)
            return dg_err_set(err, DG_ENOMEM, "out of memory");
        memcpy(p, data + i, j - i);
        p[j - i] = '\0';
        *payload = p;
        return DG_OK;
    }
    char code[20];
    if (!as_code(data, len, code))
        return dg_err_set(err, DG_ENOTFOUND, "no certificate payload (%s...) and no "
                                             "verification code (XXXX-XXXX-XXXX-XXXX) found",
                          CERT_MAGIC);
    if (!db)
        return dg_err_set(err, DG_ENOTFOUND, "a verification code is looked up in the archive: "
                                             "give its database");
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT payload FROM certificate WHERE code = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *payload = dg_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return dg_err_set(err, DG_ENOTFOUND, "this archive issued no certificate with code %s",
                          code);
    if (rc != SQLITE_ROW)
        return db_fail(db, err, "cannot read the certificate register");
    return *payload ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
}

void cert_check_release(cert_check *c)
{
    free(c->reason);
    free(c->content);
    arc_lines_release(&c->amended);
    free(c->serial), free(c->issued), free(c->issuer), free(c->requester), free(c->purpose);
    free(c->edition), free(c->path);
    for (size_t i = 0; i < c->nfields; i++)
        free(c->fields[i].key), free(c->fields[i].value), free(c->fields[i].amended_at);
    free(c->fields);
    memset(c, 0, sizeof *c);
}

static int inauthentic(cert_check *c, const char *why)
{
    c->authentic = 0;
    c->reason = dg_strdup(why);
    return c->reason ? DG_OK : DG_ENOMEM;
}

/* What the certificate printed besides its fields (c->serial ...). */
static int read_header(sqlite3 *db, cert_check *c, int64_t *study, char issued[32], dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT json_extract(?1, '$.study'), json_extract(?1, '$.issued'), "
                       "json_extract(?1, '$.serial'), json_extract(?1, '$.issuer'), "
                       "json_extract(?1, '$.for'), json_extract(?1, '$.purpose'), "
                       "json_extract(?1, '$.crosswalk.edition'), "
                       "json_extract(?1, '$.crosswalk.path')",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, c->content, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_fail(db, err, "cannot read the certified content");
    }
    *study = sqlite3_column_int64(st, 0);
    c->study = *study;
    const char *at = (const char *)sqlite3_column_text(st, 1);
    snprintf(issued, 32, "%s", at ? at : "");
    char **dst[] = {&c->issued, &c->serial, &c->issuer, &c->requester, &c->purpose, &c->edition,
                    &c->path};
    int rc = DG_OK;
    for (int i = 0; i < 7; i++) {
        const char *v = (const char *)sqlite3_column_text(st, i + 1);
        if (!(*dst[i] = dg_strdup(v ? v : "")))
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    sqlite3_finalize(st);
    return rc;
}

static int add_field(cert_check *c, const char *key, const char *value)
{
    cert_field *v = realloc(c->fields, (c->nfields + 1) * sizeof *v);
    if (!v)
        return DG_ENOMEM;
    c->fields = v;
    cert_field *f = &v[c->nfields];
    memset(f, 0, sizeof *f);
    f->key = dg_strdup(key ? key : "");
    f->value = dg_strdup(value ? value : "");
    c->nfields++;
    return f->key && f->value ? DG_OK : DG_ENOMEM;
}

/* Fields in the order a certificate prints them (common/fieldkeys.c). */
static int by_output_order(const void *a, const void *b)
{
    int x = dg_field_key_index(((const cert_field *)a)->key);
    int y = dg_field_key_index(((const cert_field *)b)->key);
    return (x > y) - (x < y);
}

/* The certified fields against the archive now, then the amendments since. */
static int compare_archive(sqlite3 *db, cert_check *c, dg_err *err)
{
    sqlite3_stmt *st;
    int64_t study = 0;
    char issued[32];
    int rc = read_header(db, c, &study, issued, err);
    if (rc)
        return rc;
    arc_study_cursor *cur;
    rc = arc_study_cursor_new(db, study, &cur, err);
    if (rc)
        return rc;
    arc_study_row row;
    int found = arc_study_cursor_next(cur, &row, err);
    if (found < 0) {
        arc_study_cursor_free(&cur);
        return found;
    }
    c->checked_archive = found > 0;
    c->gone = !found;
    if (c->gone && cert_add_line(&c->amended, dg_strdup("the study record is no longer in this "
                                                   "archive")))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    rc = rc ? rc
            : db_prepare(db, "SELECT key, value FROM json_each(?1, '$.fields')", &st, err) ? DG_EDB
                                                                                            : 0;
    if (!rc) {
        sqlite3_bind_text(st, 1, c->content, -1, SQLITE_STATIC);
        while (!rc && sqlite3_step(st) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            const char *was = (const char *)sqlite3_column_text(st, 1);
            if (add_field(c, key, was)) {
                rc = dg_err_set(err, DG_ENOMEM, "out of memory");
                break;
            }
            if (!found)
                continue;
            int k = dg_field_key_index(key);
            const char *now = k >= 0 ? row.fields[k] : NULL;
            if (now && was && strcmp(now, was) == 0)
                continue;
            c->fields[c->nfields - 1].changed = 1;
            dg_buf b;
            dg_buf_init(&b, 0);
            dg_buf_addf(&b, "%s: certified '%s', archived now '%s'", key, was ? was : "",
                        now ? now : "(none)");
            if (cert_add_line(&c->amended, dg_buf_detach(&b)))
                rc = dg_err_set(err, DG_ENOMEM, "out of memory");
        }
        sqlite3_finalize(st);
    }
    arc_study_cursor_free(&cur);
    if (c->nfields > 1)
        qsort(c->fields, c->nfields, sizeof *c->fields, by_output_order);
    if (rc || !found)
        return rc;
    /* Times have whole seconds: within the second the audit chain's
     * order says whether an amendment came after the certificate. */
    if (db_prepare(db, "SELECT key, coalesce(before, ''), coalesce(after, ''), operator, amended, "
                       "reason FROM amendment a WHERE study_id = ?1 AND (amended > ?2 OR "
                       "(amended = ?2 AND EXISTS (SELECT 1 FROM audit_event e WHERE "
                       "e.subject = 'study_record:' || a.study_id AND "
                       "json_extract(e.content, '$.rows.amendment.id') = a.id AND e.seq > "
                       "(SELECT min(x.seq) FROM certificate c JOIN audit_event x ON "
                       "x.subject = 'certificate:' || c.id WHERE c.serial = ?3)))) ORDER BY id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_text(st, 2, issued, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, c->serial, -1, SQLITE_STATIC);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        for (size_t i = 0; key && i < c->nfields; i++) {
            cert_field *f = &c->fields[i];
            if (strcmp(f->key, key) != 0)
                continue;
            f->changed = 1;
            free(f->amended_at);
            if (!(f->amended_at = dg_strdup((const char *)sqlite3_column_text(st, 4))))
                rc = dg_err_set(err, DG_ENOMEM, "out of memory");
        }
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_addf(&b, "amended since the issue: %s '%s' -> '%s' by %s at %s: %s",
                    key ? key : "?",
                    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
                    sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
                    sqlite3_column_text(st, 5));
        if (!rc && cert_add_line(&c->amended, dg_buf_detach(&b)))
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    sqlite3_finalize(st);
    return rc;
}

int cert_verify(sqlite3 *db, const cert_key *key, const char *payload, cert_check *c,
                dg_err *err)
{
    memset(c, 0, sizeof *c);
    const size_t ml = strlen(CERT_MAGIC);
    const char *dot = strncmp(payload, CERT_MAGIC, ml) == 0 ? strchr(payload + ml, '.') : NULL;
    if (!dot || strchr(dot + 1, '.'))
        return inauthentic(c, "not a dangan certificate payload") ? dg_err_set(err, DG_ENOMEM,
                                                                              "out of memory")
                                                                  : DG_OK;
    unsigned char *content = NULL, *sig = NULL;
    size_t clen = 0, slen = 0;
    int rc = cert_unb64url(payload + ml, (size_t)(dot - payload - (ptrdiff_t)ml), &content, &clen);
    if (!rc)
        rc = cert_unb64url(dot + 1, strlen(dot + 1), &sig, &slen);
    if (rc == DG_ENOMEM) {
        free(content), free(sig);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    int status = DG_OK;
    if (rc || slen != 64 || memchr(content, '\0', clen)) {
        status = inauthentic(c, "the payload is damaged (not base64url, or a signature that is "
                                "not 64 bytes)");
    } else if (!cert_sig_ok(key, content, clen, sig, slen)) {
        status = inauthentic(c, "the signature does not match the content: changed, or signed "
                                "by another key");
    } else {
        c->authentic = 1;
        c->content = malloc(clen + 1);
        if (!c->content) {
            status = DG_ENOMEM;
        } else {
            memcpy(c->content, content, clen);
            c->content[clen] = '\0';
        }
    }
    free(content);
    free(sig);
    if (status)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    snprintf(c->key_id, sizeof c->key_id, "%s", cert_key_id(key));
    if (!c->authentic || !db)
        return DG_OK;
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT 1 FROM certificate WHERE payload = ?1", &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, payload, -1, SQLITE_STATIC);
    c->registered = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return compare_archive(db, c, err);
}

/* The verdict a verification gave, as the public page names it. */
static const char *verdict_of(const cert_check *c)
{
    if (!c->authentic)
        return "not-authentic";
    for (size_t i = 0; i < c->nfields; i++)
        if (c->fields[i].changed)
            return "amended";
    return c->gone ? "gone" : c->registered ? "current" : "unregistered";
}

int cert_verify_log(sqlite3 *db, const char *who, const char *via, const char *client,
                    const char *code, const cert_check *c, const char *status, dg_err *err)
{
    dg_buf q, shown;
    dg_buf_init(&q, 0);
    dg_buf_init(&shown, 0);
    dg_buf_adds(&q, "{\"via\":");
    dg_buf_json_str(&q, via);
    dg_buf_adds(&q, ",\"client\":");
    dg_buf_json_str(&q, client);
    dg_buf_adds(&q, ",\"code\":");
    dg_buf_json_str(&q, code);
    dg_buf_adds(&q, ",\"serial\":");
    dg_buf_json_str(&q, c && c->serial && *c->serial ? c->serial : NULL);
    dg_buf_adds(&q, ",\"result\":");
    dg_buf_json_str(&q, c ? verdict_of(c) : status ? status : "error");
    dg_buf_addc(&q, '}');
    if (c && c->authentic && c->study && !c->gone)
        dg_buf_addf(&shown, "[%lld]", (long long)c->study);
    else
        dg_buf_adds(&shown, "[]");
    int rc = q.data && shown.data ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
    rc = rc ? rc : arc_access_log(db, who, "verify", q.data, shown.data, err);
    dg_buf_release(&q);
    dg_buf_release(&shown);
    return rc;
}
