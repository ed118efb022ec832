/* certify_internal.h - what the files of certify/ share; not installed. */
#ifndef DANGAN_CERTIFY_INTERNAL_H
#define DANGAN_CERTIFY_INTERNAL_H

#include <stddef.h>

#include "certify.h"

#define CERT_MAGIC "DGC1."

/* Ed25519 over msg (key.c). */
int cert_sign(const cert_key *k, const unsigned char *msg, size_t len, unsigned char sig[64],
              dg_err *err);
/* 1 when sig is k's signature of msg. */
int cert_sig_ok(const cert_key *k, const unsigned char *msg, size_t len,
                const unsigned char *sig, size_t siglen);
/* base64url without padding; DG_ENOMEM / DG_EINPUT. *out is the caller's. */
int cert_b64url(const unsigned char *data, size_t len, dg_buf *out);
int cert_unb64url(const char *s, size_t len, unsigned char **out, size_t *outlen);

/* Append s (owned; NULL: out of memory) to l; DG_ENOMEM frees s (issue.c). */
int cert_add_line(arc_lines *l, char *s);

/* configs/certificate.conf (issue.c): what the university prints. */
typedef struct cert_conf {
    char university[256], university_en[256], office[256], office_en[256];
    char seal_text[128], seal_text_en[128], serial_prefix[32];
    /* the public verification page (dangan serve's /verify); when set the
     * QR code is a link to it carrying the payload, URL?p=DGC1.... */
    char verify_url[256];
} cert_conf;
int cert_conf_load(const char *config_dir, cert_conf *c, dg_err *err);

/* What the page shows (render.c): the content as certified. */
typedef struct cert_page {
    const cert_conf *conf;
    const char *lang;           /* zh, en, both */
    const char *serial, *code, *issued, *payload;
    const char *requester, *purpose;
    const char *keys[32];       /* certified field keys, in output order */
    const char *values[32];
    size_t n;
    const char *edition;        /* catalog edition of the historical major */
    const char *path;           /* crosswalk path, "" unknown */
    const char *decided;        /* "" automatic, else who decided the mapping */
    const char *name_pinyin;    /* en/both: the name in Hanyu Pinyin ("ZHANG San"), NULL none */
} cert_page;

/* Draw the A4 page into path (created 0600). */
int cert_render_pdf(const cert_page *p, const char *path, dg_err *err);

#endif
