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
    memset(c, 0, sizeof *c);
}

static int inauthentic(cert_check *c, const char *why)
{
    c->authentic = 0;
    c->reason = dg_strdup(why);
    return c->reason ? DG_OK : DG_ENOMEM;
}

/* The certified fields against the archive now, then the amendments since. */
static int compare_archive(sqlite3 *db, cert_check *c, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT json_extract(?1, '$.study'), json_extract(?1, '$.issued')", &st,
                   err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, c->content, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_fail(db, err, "cannot read the certified content");
    }
    int64_t study = sqlite3_column_int64(st, 0);
    char issued[32];
    const char *at = (const char *)sqlite3_column_text(st, 1);
    snprintf(issued, sizeof issued, "%s", at ? at : "");
    sqlite3_finalize(st);

    arc_study_cursor *cur;
    int rc = arc_study_cursor_new(db, study, &cur, err);
    if (rc)
        return rc;
    arc_study_row row;
    rc = arc_study_cursor_next(cur, &row, err);
    if (rc <= 0) {
        arc_study_cursor_free(&cur);
        return rc < 0 ? rc
                      : cert_add_line(&c->amended, dg_strdup("the study record is no longer "
                                                             "in this archive"))
                            ? dg_err_set(err, DG_ENOMEM, "out of memory")
                            : DG_OK;
    }
    c->checked_archive = 1;
    rc = db_prepare(db, "SELECT key, value FROM json_each(?1, '$.fields')", &st, err) ? DG_EDB : 0;
    if (!rc) {
        sqlite3_bind_text(st, 1, c->content, -1, SQLITE_STATIC);
        while (!rc && sqlite3_step(st) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            const char *was = (const char *)sqlite3_column_text(st, 1);
            int k = dg_field_key_index(key);
            const char *now = k >= 0 ? row.fields[k] : NULL;
            if (now && was && strcmp(now, was) == 0)
                continue;
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
    if (rc)
        return rc;
    if (db_prepare(db, "SELECT key, coalesce(before, ''), coalesce(after, ''), operator, amended, "
                       "reason FROM amendment WHERE study_id = ?1 AND amended > ?2 ORDER BY id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    sqlite3_bind_text(st, 2, issued, -1, SQLITE_TRANSIENT);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        dg_buf b;
        dg_buf_init(&b, 0);
        dg_buf_addf(&b, "amended since the issue: %s '%s' -> '%s' by %s at %s: %s",
                    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
                    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                    sqlite3_column_text(st, 4), sqlite3_column_text(st, 5));
        if (cert_add_line(&c->amended, dg_buf_detach(&b)))
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
