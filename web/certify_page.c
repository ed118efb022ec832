/*
 * certify_page.c - the registrar's certify button (issue #23): from a found
 * study record a form (audience, requester, purpose, language), then the
 * signed PDF, issued by cert_issue exactly as `dangan certify` issues it:
 * the register row, the access-log row and the audit event, under the
 * logged-in user.  A record that is not settled is refused, naming each
 * field and why.  The route's role (ARC_PERM_CERTIFY) and the POST's CSRF
 * token are checked by server.c before these run.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certify.h"
#include "web_internal.h"

/* What the form was given (kept when it is shown again with a message). */
typedef struct cert_form {
    dg_buf audience, requester, purpose, lang;
} cert_form;

static void form_init(cert_form *f)
{
    dg_buf_init(&f->audience, 4096);
    dg_buf_init(&f->requester, 4096);
    dg_buf_init(&f->purpose, 4096);
    dg_buf_init(&f->lang, 4096);
}

static void form_release(cert_form *f)
{
    dg_buf_release(&f->audience);
    dg_buf_release(&f->requester);
    dg_buf_release(&f->purpose);
    dg_buf_release(&f->lang);
}

static const char *val(const dg_buf *b)
{
    return b->data && *b->data ? b->data : NULL;
}

static void option(dg_buf *b, const char *value, const char *label, const char *chosen)
{
    dg_buf_adds(b, "<option value=\"");
    web_esc(b, value);
    dg_buf_addf(b, "\"%s>", chosen && strcmp(chosen, value) == 0 ? " selected" : "");
    web_esc(b, label);
    dg_buf_adds(b, "</option>");
}

/* The form, with message (may be NULL) and lines (the blockers) above it. */
static void show_form(web_req *r, int64_t study, const cert_form *f, int status,
                      const char *message, const arc_lines *lines)
{
    dg_buf *b = &r->out;
    dg_buf_reset(b);
    r->status = status;
    r->ctype = "text/html; charset=utf-8";
    char title[64];
    snprintf(title, sizeof title, "Certify study %lld", (long long)study);
    web_page_begin(r, title, "certify");
    dg_buf_addf(b,
                "<nav class=\"itemnav\"><a href=\"/search\">search</a> · <a "
                "href=\"/provenance/%lld\">provenance</a></nav><h1>Certificate of record "
                "(学籍证明) <span class=\"count\">study record %lld</span></h1>\n",
                (long long)study, (long long)study);
    if (message) {
        dg_buf_adds(b, "<div id=\"refusal\" class=\"lines\"><p class=\"message\">");
        web_esc(b, message);
        dg_buf_adds(b, "</p>");
        if (lines && lines->n) {
            dg_buf_adds(b, "<ul>");
            for (size_t i = 0; i < lines->n; i++) {
                dg_buf_adds(b, "<li>");
                web_esc(b, lines->v[i]);
                dg_buf_adds(b, "</li>");
            }
            dg_buf_adds(b, "</ul><p>Decide them on the review queue, load again, then "
                           "certify.</p>");
        }
        dg_buf_adds(b, "</div>\n");
    }
    dg_buf_addf(b,
                "<form class=\"certify\" method=\"post\" action=\"/certify/%lld\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
                (long long)study, r->s.csrf);
    dg_buf_adds(b, "<p><label>audience <select name=\"audience\" id=\"audience\" autofocus>");
    option(b, "", "default: the alumnus; an outside requester when one is named",
           val(&f->audience) ? val(&f->audience) : "");
    arc_lines names;
    dg_err err = {0};
    if (cert_profile_names(NULL, &names, &err) == DG_OK) {
        for (size_t i = 0; i < names.n; i++)
            option(b, names.v[i], names.v[i], val(&f->audience));
        arc_lines_release(&names);
    }
    dg_buf_adds(b, "</select></label></p><p><label>requester <input name=\"for\" id=\"for\" "
                   "value=\"");
    web_esc(b, val(&f->requester));
    dg_buf_adds(b, "\" placeholder=\"who asked (empty: the alumnus)\"></label></p>"
                   "<p><label>purpose <input name=\"purpose\" id=\"purpose\" value=\"");
    web_esc(b, val(&f->purpose));
    dg_buf_adds(b, "\" placeholder=\"why (required with a requester)\"></label></p>"
                   "<p><label>language <select name=\"lang\" id=\"lang\">");
    const char *lang = val(&f->lang) ? val(&f->lang) : "zh";
    option(b, "zh", "中文", lang);
    option(b, "en", "English", lang);
    option(b, "both", "中文 + English", lang);
    dg_buf_adds(b, "</select></label></p><p><button type=\"submit\" id=\"issue\">issue the "
                   "certificate (PDF)</button></p></form>\n"
                   "<p class=\"keys\">Issued only from settled values, with the fields the "
                   "audience may see (configs/disclosure.conf); every certificate is "
                   "registered, kept in the access log under your name and chained in the "
                   "audit history.</p>\n");
    web_page_end(r);
}

void web_certify_form(web_req *r, int64_t study)
{
    cert_form f;
    form_init(&f);
    /* the reasons up front, before anyone fills the form in */
    arc_lines blockers;
    dg_err err = {0};
    int rc = cert_blockers(r->db, study, &blockers, &err);
    char msg[160];
    snprintf(msg, sizeof msg,
             "Study record %lld cannot be certified yet: %zu field%s not settled; a "
             "certificate is issued only from settled values.",
             (long long)study, rc ? 0 : blockers.n, !rc && blockers.n == 1 ? " is" : "s are");
    show_form(r, study, &f, MHD_HTTP_OK, rc ? err.msg : blockers.n ? msg : NULL, &blockers);
    if (!rc)
        arc_lines_release(&blockers);
    form_release(&f);
}

/* The issued PDF as the response body; the temporary file is removed. */
static int take_pdf(web_req *r, const char *path, const char *serial, dg_err *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = dg_read_file(path, (size_t)64 << 20, &data, &len, err);
    if (rc)
        return rc;
    r->bin = data;
    r->bin_len = len;
    r->ctype = "application/pdf";
    snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s.pdf\"", serial);
    return DG_OK;
}

void web_certify_issue(web_req *r, int64_t study)
{
    cert_form f;
    form_init(&f);
    web_form(r, "audience", &f.audience);
    web_form(r, "for", &f.requester);
    web_form(r, "purpose", &f.purpose);
    web_form(r, "lang", &f.lang);
    if (!val(&f.requester) != !val(&f.purpose)) {
        show_form(r, study, &f, MHD_HTTP_BAD_REQUEST,
                  "A requester and a purpose go together: say who asked and why.", NULL);
        form_release(&f);
        return;
    }
    dg_err err = {0};
    char *key_path = web_cert_key_path(r);
    cert_key *key = NULL;
    int rc = key_path ? cert_key_load(key_path, 0, &key, &err)
                      : dg_err_set(&err, DG_ENOMEM, "out of memory");
    free(key_path);
    if (rc) {
        show_form(r, study, &f, MHD_HTTP_SERVICE_UNAVAILABLE, err.msg, NULL);
        form_release(&f);
        return;
    }
    /* cert_issue writes the file and renames it into place before its
     * commit: a private directory, read back, then removed */
    const char *tmp = getenv("TMPDIR");
    char dir[4096], pdf[4200];
    snprintf(dir, sizeof dir, "%s/dangan-cert-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        cert_key_free(&key);
        show_form(r, study, &f, MHD_HTTP_INTERNAL_SERVER_ERROR,
                  "cannot make a temporary directory for the PDF", NULL);
        form_release(&f);
        return;
    }
    snprintf(pdf, sizeof pdf, "%s/certificate.pdf", dir);
    cert_request req = {0};
    req.study = study;
    req.lang = val(&f.lang);
    req.requester = val(&f.requester);
    req.purpose = val(&f.purpose);
    req.audience = val(&f.audience);
    req.who = r->s.user;
    req.key = key;
    req.out_pdf = pdf;
    cert_issued out;
    arc_lines blockers;
    rc = cert_issue(r->db, &req, &out, &blockers, &err);
    cert_key_free(&key);
    if (rc == DG_OK)
        rc = take_pdf(r, pdf, out.serial, &err);
    unlink(pdf);
    rmdir(dir);
    if (rc == DG_ECONFLICT) {
        show_form(r, study, &f, MHD_HTTP_CONFLICT, err.msg, &blockers);
        arc_lines_release(&blockers);
    } else if (rc) {
        show_form(r, study, &f,
                  rc == DG_ENOTFOUND                   ? MHD_HTTP_NOT_FOUND
                  : rc == DG_EUSAGE || rc == DG_EINPUT ? MHD_HTTP_BAD_REQUEST
                                                       : MHD_HTTP_INTERNAL_SERVER_ERROR,
                  err.msg, NULL);
    } else {
        r->status = MHD_HTTP_OK;
        cert_issued_release(&out);
    }
    form_release(&f);
}
