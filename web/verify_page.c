/*
 * verify_page.c - the public verification page (issue #23): no login.
 * Whoever holds a certificate pastes its verification code or the QR
 * code's text (DGC1....), uploads the PDF, or follows a link with ?code=
 * or ?p=, and sees one of: authentic and current; authentic but amended
 * since (which certified fields, and when); NOT authentic.  It shows what
 * the certificate itself printed and nothing more: never a field the
 * certificate left out, never the value the archive holds now, nor who
 * amended it or why (a registrar sees those with `dangan verify`).
 * Rate-limited per address (server.c, ratelimit.c).
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify.h"
#include "web_internal.h"

/* A PDF, a payload or a code: what a verification may bring. */
#define INPUT_MAX ((size_t)8 << 20)

typedef struct verify_input {
    dg_buf text, file;
    int too_big;
} verify_input;

/* MHD's post processor hands each form field over in pieces. */
static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *ctype, const char *enc,
                                const char *data, uint64_t off, size_t size)
{
    (void)kind, (void)filename, (void)ctype, (void)enc, (void)off;
    verify_input *in = cls;
    dg_buf *b = strcmp(key, "text") == 0 ? &in->text : strcmp(key, "pdf") == 0 ? &in->file : NULL;
    if (b && size && dg_buf_add(b, data, size))
        in->too_big = 1;
    return MHD_YES;
}

/* The form fields of a POST (multipart or urlencoded) into in. */
static int read_post(web_req *r, verify_input *in)
{
    struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 64 * 1024, on_field, in);
    if (!pp) /* a body of another type: take it as the text itself */
        return dg_buf_add(&in->text, r->body, r->body_len) ? -1 : 0;
    enum MHD_Result ok = MHD_post_process(pp, r->body, r->body_len);
    MHD_destroy_post_processor(pp);
    return ok == MHD_YES && !in->too_big ? 0 : -1;
}

static void form(dg_buf *b, int focus)
{
    dg_buf_addf(b,
                "<form class=\"verify\" method=\"post\" action=\"/verify\" "
                "enctype=\"multipart/form-data\"><p><label>verification code or the QR "
                "code's text<br><textarea name=\"text\" id=\"text\" rows=\"3\" cols=\"60\" "
                "%s placeholder=\"XXXX-XXXX-XXXX-XXXX or DGC1....\"></textarea>"
                "</label></p><p><label>or the certificate's PDF <input type=\"file\" "
                "name=\"pdf\" id=\"pdf\" accept=\"application/pdf\"></label></p><p><button "
                "type=\"submit\" id=\"check\">verify</button></p></form>\n"
                "<p class=\"keys\">Checks the archive's signature and whether the record was "
                "amended since the certificate was issued. Shows only what the certificate "
                "itself shows.</p>\n",
                focus ? "autofocus" : "");
}

static void dl_row(dg_buf *b, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    dg_buf_addf(b, "<dt>%s</dt><dd>", label);
    web_esc(b, value);
    dg_buf_adds(b, "</dd>");
}

/* The verdict on an authentic certificate: what it printed, and which of
 * its fields changed since. */
static void authentic(dg_buf *b, const cert_check *c)
{
    size_t changed = 0;
    for (size_t i = 0; i < c->nfields; i++)
        changed += c->fields[i].changed != 0;
    int current = !changed && !c->gone && c->registered;
    const char *verdict = current   ? "current"
                          : changed ? "amended"
                          : c->gone ? "gone"
                                    : "unregistered";
    dg_buf_addf(b, "<section id=\"verdict\" class=\"verdict %s\" data-verdict=\"%s\"><h2>",
                current ? "ok" : "changed", verdict);
    if (current)
        dg_buf_adds(b, "Authentic and current");
    else if (c->gone)
        dg_buf_adds(b, "Authentic, but the record is no longer in this archive");
    else if (changed)
        dg_buf_addf(b, "Authentic, but amended since: %zu certified value%s changed", changed,
                    changed == 1 ? "" : "s");
    else
        dg_buf_adds(b, "Authentic, but not in this archive's register");
    dg_buf_addf(b, "</h2><p>Signed by this archive's key %s; the content is unchanged.", c->key_id);
    if (!c->registered)
        dg_buf_adds(b, " This archive's certificate register does not list it: ask the "
                       "issuing office.");
    if (changed)
        dg_buf_adds(b, " The values marked below were amended after the issue: ask the "
                       "issuing office for a current certificate.");
    dg_buf_adds(b, "</p><dl class=\"value\">");
    dl_row(b, "issued by", c->issuer);
    dl_row(b, "serial", c->serial);
    dl_row(b, "issued", c->issued);
    dl_row(b, "for", c->requester);
    dl_row(b, "purpose", c->purpose);
    dg_buf_adds(b, "</dl><table class=\"certified\"><thead><tr><th>field</th><th>certified "
                   "value</th><th>now</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < c->nfields; i++) {
        const cert_field *f = &c->fields[i];
        dg_buf_addf(b, "<tr data-key=\"%s\"%s><th>%s / %s</th><td>", f->key,
                    f->changed ? " class=\"bad\"" : "", cert_field_label(f->key, 0),
                    cert_field_label(f->key, 1));
        web_esc(b, f->value);
        dg_buf_adds(b, "</td><td>");
        if (!f->changed)
            dg_buf_adds(b, c->gone ? "" : "unchanged");
        else if (f->amended_at) {
            dg_buf_adds(b, "amended since the issue, on ");
            web_esc(b, f->amended_at);
        } else
            dg_buf_adds(b, "changed since the issue");
        dg_buf_adds(b, "</td></tr>\n");
    }
    dg_buf_adds(b, "</tbody></table>");
    if (c->path && *c->path) {
        dg_buf_adds(b, "<p class=\"detail\">crosswalk: ");
        web_esc(b, c->path);
        dg_buf_adds(b, "</p>");
    }
    dg_buf_adds(b, "</section>\n");
}

static void verdict_error(web_req *r, int status, const char *verdict, const char *msg)
{
    r->status = status;
    dg_buf_addf(&r->out,
                "<section id=\"verdict\" class=\"verdict bad\" data-verdict=\"%s\">"
                "<h2>",
                verdict);
    web_esc(&r->out, msg);
    dg_buf_adds(&r->out, "</h2></section>\n");
}

/* Every verification is a disclosure: logged as asked by "public" from the
 * client's address (certify.h cert_verify_log).  A check that cannot be
 * logged is not shown. */
static int log_check(web_req *r, const unsigned char *data, size_t len, const cert_check *c,
                     const char *status)
{
    char peer[46], code[32] = "";
    web_peer(r, peer);
    /* a short text is a verification code as typed (a payload or PDF is not kept) */
    if (len < sizeof code && memchr(data, '\0', len) == NULL)
        snprintf(code, sizeof code, "%.*s", (int)len, (const char *)data);
    dg_err err = {0};
    return cert_verify_log(r->db, "public", "web", peer, code[0] ? code : NULL, c, status, &err);
}

/* Check data (a PDF, a payload or a code) and append the verdict. */
static void check(web_req *r, const unsigned char *data, size_t len)
{
    dg_err err = {0};
    char *priv = web_cert_key_path(r), *payload = NULL;
    dg_buf pub;
    dg_buf_init(&pub, 0);
    dg_buf_adds(&pub, priv ? priv : "");
    dg_buf_adds(&pub, ".pub");
    free(priv);
    cert_key *key = NULL;
    int rc = cert_key_load(pub.data, 1, &key, &err);
    dg_buf_release(&pub);
    if (rc) {
        /* the path of the key is the server's business */
        verdict_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                      "This archive has no certificate key: nothing can be verified here.");
        return;
    }
    rc = cert_payload_find(r->db, data, len, &payload, &err);
    cert_check c;
    memset(&c, 0, sizeof c);
    rc = rc ? rc : cert_verify(r->db, key, payload, &c, &err);
    cert_key_free(&key);
    free(payload);
    if ((rc == DG_OK || rc == DG_ENOTFOUND) &&
        log_check(r, data, len, rc ? NULL : &c, rc ? "notfound" : NULL))
        rc = DG_EDB;
    if (rc == DG_ENOTFOUND)
        verdict_error(r, MHD_HTTP_NOT_FOUND, "notfound", err.msg);
    else if (rc)
        verdict_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "error",
                      "The verification could not run; please try again later.");
    else if (!c.authentic) {
        dg_buf_adds(&r->out, "<section id=\"verdict\" class=\"verdict bad\" data-verdict=\""
                             "not-authentic\"><h2>NOT authentic</h2><p>");
        web_esc(&r->out, c.reason);
        dg_buf_adds(&r->out, ". Nothing it says is certified by this archive.</p></section>\n");
    } else
        authentic(&r->out, &c);
    cert_check_release(&c);
}

void web_verify_page(web_req *r)
{
    int post = strcmp(r->method, "POST") == 0;
    const char *code = web_arg(r, "code"), *p = web_arg(r, "p");
    int asked = post || (code && *code) || (p && *p);
    r->ctype = "text/html; charset=utf-8";
    /* a page for strangers: no session's token in it */
    int was_logged_in = r->logged_in;
    r->logged_in = 0;
    web_page_begin(r, "Verify a certificate", "verify");
    r->logged_in = was_logged_in;
    dg_buf_adds(&r->out, "<h1>Verify a certificate of record <span class=\"count\">学籍证明 "
                         "核验</span></h1>\n");
    if (asked && !web_verify_allowed(r)) {
        verdict_error(r, MHD_HTTP_TOO_MANY_REQUESTS, "limited",
                      "Too many verifications from your address; please wait a few minutes.");
    } else if (asked) {
        verify_input in;
        dg_buf_init(&in.text, INPUT_MAX);
        dg_buf_init(&in.file, INPUT_MAX);
        in.too_big = 0;
        int bad = post ? read_post(r, &in) : dg_buf_adds(&in.text, p && *p ? p : code) ? -1 : 0;
        const dg_buf *use = in.file.len ? &in.file : &in.text;
        if (bad)
            verdict_error(r, MHD_HTTP_BAD_REQUEST, "bad", "The request could not be read.");
        else if (!use->len)
            verdict_error(r, MHD_HTTP_BAD_REQUEST, "empty",
                          "Paste a verification code or the QR code's text, or choose the "
                          "certificate's PDF.");
        else
            check(r, (const unsigned char *)use->data, use->len);
        dg_buf_release(&in.text);
        dg_buf_release(&in.file);
    }
    form(&r->out, !asked); /* under the verdict: for the next one */
    web_page_end(r);
}
