/*
 * certify.h - certificates of record (学籍证明): the archive's Ed25519 key,
 * issuing a signed PDF certificate of one archived study record, and
 * verifying one.  See docs/certify.md.
 *
 * What is signed is the certificate's content as canonical JSON (audit_canon:
 * keys sorted, no whitespace): {"v":1,"serial","issued","key","study",
 * "lang","audience","for","purpose","issuer":{...},"fields":{KEY:VALUE},
 * "crosswalk":{...}}.  The payload is the ASCII text
 *
 *     DGC1.<base64url(content)>.<base64url(Ed25519 signature of content)>
 *
 * carried three ways: in the PDF's Keywords metadata (what `verify FILE.pdf`
 * reads back), in the QR code, and in the certificate table (migration 012),
 * where the verification code printed on the page finds it.
 *
 * Knows SQLite (the archive rows, the certificate register), OpenSSL
 * (EVP_PKEY_ED25519: no hand-written crypto), cairo + pango (the page,
 * as exchange/pdf.c draws its PDFs) and libqrencode.  Never prints.
 */
#ifndef DANGAN_CERTIFY_H
#define DANGAN_CERTIFY_H

#include <stdint.h>

#include "archive.h"
#include "common.h"

typedef struct sqlite3 sqlite3;

/* ---- the key ----------------------------------------------------------------- */

/* The default key file of a workspace: DIR/certify-key.pem next to the
 * database db_path (the public key is the same name with .pub).  Caller frees. */
char *cert_key_default_path(const char *db_path);

/*
 * Make a new Ed25519 key: the private key as PKCS#8 PEM at path, created
 * 0600 (O_EXCL: an existing key is never overwritten, DG_ECONFLICT), and
 * the public key as SubjectPublicKeyInfo PEM at path + ".pub" (0644).
 * key_id (may be NULL) gets the key's id: the first 16 hex digits of the
 * SHA-256 of the raw 32-byte public key.
 */
int cert_key_init(const char *path, char key_id[17], dg_err *err);

/* A loaded key: a private key (can sign and verify) or a public one. */
typedef struct cert_key cert_key;

/* Load a private key (PEM, refused when group- or world-readable) or, with
 * public_only, a public key PEM.  Caller owns *out (cert_key_free). */
int cert_key_load(const char *path, int public_only, cert_key **out, dg_err *err);
void cert_key_free(cert_key **k);
const char *cert_key_id(const cert_key *k);
/* The public key as PEM, appended to out. */
int cert_key_public_pem(const cert_key *k, dg_buf *out, dg_err *err);

/* ---- disclosure profiles (configs/disclosure.conf) ------------------------------ */

/* Whether audience may see field key: 1 yes, 0 no.  DG_ENOTFOUND for an
 * audience the file does not define (naming it and the file). */
typedef struct cert_profile cert_profile;
int cert_profile_load(const char *config_dir, const char *audience, cert_profile **out,
                      dg_err *err);
int cert_profile_allows(const cert_profile *p, const char *key);
void cert_profile_free(cert_profile **p);
/* The audiences the file defines, in its order (the workbench's choice);
 * release with arc_lines_release. */
int cert_profile_names(const char *config_dir, arc_lines *out, dg_err *err);
/* The label a certificate prints for field key (zh, or en when en), the
 * key itself for one it does not know.  Static strings. */
const char *cert_field_label(const char *key, int en);

/* ---- issuing ------------------------------------------------------------------- */

typedef struct cert_request {
    int64_t study;          /* study_record id */
    const char *lang;       /* "zh", "en" or "both"; NULL: "zh" */
    const char *requester;  /* --for: who the certificate is for (NULL: the alumnus) */
    const char *purpose;    /* required with requester */
    const char *audience;   /* disclosure profile; NULL: "outside" with a requester,
                               else "alumnus" */
    const char *who;        /* the operator issuing it (NULL: the OS user) */
    const char *config_dir; /* NULL: arc_config_dir() */
    const cert_key *key;    /* a private key */
    const char *out_pdf;    /* written 0600, replaced atomically */
} cert_request;

typedef struct cert_issued {
    char serial[32];
    char code[24];   /* the printed verification code */
    char *payload;   /* DGC1.... (caller frees via cert_issued_release) */
    char **fields;   /* keys certified */
    size_t nfields;
} cert_issued;
void cert_issued_release(cert_issued *r);

/*
 * Issue a certificate of study record req->study.  Refused with DG_ECONFLICT
 * when any field of the records it was built from is still in review (or
 * invalid), or an open review item concerns it: *blockers (release with
 * arc_lines_release) gets one line per field, "KEY: in review (REASON)".
 * DG_ENOTFOUND for an unknown study.  On success the PDF is written, the
 * certificate table gets its row and the issue is an audit event (kind
 * "certify": who, for whom, purpose, audience, fields, serial), all in one
 * transaction (the PDF is renamed into place before the commit, removed
 * when the commit fails).
 */
int cert_issue(sqlite3 *db, const cert_request *req, cert_issued *out, arc_lines *blockers,
               dg_err *err);
/* What would keep study from being certified now, one line each as
 * cert_issue gives them (out->n 0: nothing); release with arc_lines_release.
 * A form shows them before anyone fills it in; cert_issue checks again. */
int cert_blockers(sqlite3 *db, int64_t study, arc_lines *out, dg_err *err);

/* ---- verifying ------------------------------------------------------------------- */

/* One certified field, as the certificate shows it and, with the archive
 * at hand, how it stands now. */
typedef struct cert_field {
    char *key, *value; /* as certified */
    int changed;       /* archived value differs now, or amended since the issue */
    char *amended_at;  /* the last amendment of this key after the issue; NULL none */
} cert_field;

typedef struct cert_check {
    int authentic;     /* the signature is the key's over the content */
    char *reason;      /* why not, when not authentic */
    char *content;     /* the signed content (canonical JSON) */
    char key_id[17];   /* the key the content names */
    int registered;    /* db given: the certificate table holds this payload */
    int checked_archive; /* db given and the study exists */
    arc_lines amended; /* fields whose archived value differs now, and the
                          amendments made after the issue, one line each */
    /* db given and authentic: what the certificate itself printed, for a
     * page that must disclose nothing more (web/verify_page.c); the strings
     * are "" when the content lacks them */
    char *serial, *issued, *issuer, *requester, *purpose, *edition, *path;
    cert_field *fields;
    size_t nfields;
    int gone;          /* the study record is no longer in the archive */
    int64_t study;     /* db given and authentic: the study record certified */
} cert_check;
void cert_check_release(cert_check *c);

/*
 * Find the payload in text: a PDF's bytes, the QR code's text or a
 * verification code printed on the page (looked up in db's certificate
 * table; db may be NULL).  *payload is the caller's.  DG_ENOTFOUND when
 * there is none.
 */
int cert_payload_find(sqlite3 *db, const unsigned char *data, size_t len, char **payload,
                      dg_err *err);

/*
 * Check a payload with key (a public or private key).  An inauthentic
 * payload is a finding (c->authentic 0, c->reason), not an error.  With db
 * (may be NULL), also compare the certified fields with the archive now
 * (c->amended for a registrar: values, who and why; c->fields for anyone:
 * which certified field changed and when, never the value now).
 */
int cert_verify(sqlite3 *db, const cert_key *key, const char *payload, cert_check *c,
                dg_err *err);

/*
 * A verification discloses what the certificate certified (and whether it
 * still stands), so each one is logged like a lookup: a row of the access
 * log (action "verify") and its audit event.  who: the operator, or
 * "public" for the workbench's page, with client (may be NULL) its
 * address; via "cli" or "web"; c the check (NULL when no certificate was
 * found: status says why, e.g. "notfound"); code the verification code
 * asked for, when one was.  The query JSON holds via, client, code,
 * serial and result (current | amended | gone | unregistered |
 * not-authentic | STATUS); shown is the certified study record.
 */
int cert_verify_log(sqlite3 *db, const char *who, const char *via, const char *client,
                    const char *code, const cert_check *c, const char *status, dg_err *err);

#endif
