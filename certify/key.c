/*
 * key.c - the archive's Ed25519 signing key: made once (`dangan key init`),
 * kept 0600 next to the database (or where the registrar says), its public
 * half exported for whoever verifies.  OpenSSL EVP only.
 */
#include "certify_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cert_key {
    EVP_PKEY *pkey;
    int has_private;
    char id[17];
};

char *cert_key_default_path(const char *db_path)
{
    const char *slash = db_path ? strrchr(db_path, '/') : NULL;
    dg_buf b;
    dg_buf_init(&b, 0);
    if (slash)
        dg_buf_add(&b, db_path, (size_t)(slash - db_path) + 1);
    if (dg_buf_adds(&b, "certify-key.pem")) {
        dg_buf_release(&b);
        return NULL;
    }
    return dg_buf_detach(&b);
}

static int key_id_of(EVP_PKEY *pkey, char id[17])
{
    unsigned char raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != 32)
        return DG_ERR;
    char hex[65];
    dg_sha256_hex(raw, len, hex);
    memcpy(id, hex, 16);
    id[16] = '\0';
    return DG_OK;
}

/* Write a PEM through fd (already created with its mode). */
static int write_pem(int fd, const char *path, EVP_PKEY *pkey, int private_part, dg_err *err)
{
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return dg_err_set(err, DG_ERR, "cannot write '%s': %s", path, strerror(errno));
    }
    int ok = private_part ? PEM_write_PKCS8PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL)
                          : PEM_write_PUBKEY(f, pkey);
    ok = ok == 1 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? DG_OK : dg_err_set(err, DG_ERR, "cannot write '%s'", path);
}

int cert_key_init(const char *path, char key_id[17], dg_err *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *pkey = NULL;
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &pkey) != 1) {
        EVP_PKEY_CTX_free(ctx);
        return dg_err_set(err, DG_ERR, "cannot make an Ed25519 key (OpenSSL)");
    }
    EVP_PKEY_CTX_free(ctx);
    /* O_EXCL: a key that signed certificates must never be replaced by
     * accident; every certificate it signed would stop verifying. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        EVP_PKEY_free(pkey);
        return dg_err_set(err, e == EEXIST ? DG_ECONFLICT : DG_ERR,
                          e == EEXIST ? "'%s' exists: a key is never replaced (move it away "
                                        "first if you really mean to)"
                                      : "cannot create '%s': %s",
                          path, strerror(e));
    }
    int status = write_pem(fd, path, pkey, 1, err);
    char *pub = NULL;
    if (!status) {
        dg_buf b;
        dg_buf_init(&b, 0);
        if (dg_buf_adds(&b, path) || dg_buf_adds(&b, ".pub"))
            status = dg_err_set(err, DG_ENOMEM, "out of memory");
        pub = dg_buf_detach(&b);
    }
    if (!status) {
        int pfd = open(pub, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        status = pfd < 0 ? dg_err_set(err, DG_ERR, "cannot create '%s': %s", pub, strerror(errno))
                         : fchmod(pfd, 0644) != 0 /* whatever the umask: it is public */
                               ? dg_err_set(err, DG_ERR, "cannot chmod '%s'", pub)
                               : write_pem(pfd, pub, pkey, 0, err);
    }
    if (!status && key_id && key_id_of(pkey, key_id))
        status = dg_err_set(err, DG_ERR, "cannot read the new key's public half");
    if (status)
        unlink(path);
    free(pub);
    EVP_PKEY_free(pkey);
    return status;
}

int cert_key_load(const char *path, int public_only, cert_key **out, dg_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return dg_err_set(err, errno == ENOENT ? DG_ENOTFOUND : DG_ERR,
                          "cannot open key '%s': %s%s", path, strerror(errno),
                          errno == ENOENT && !public_only ? " (run `dangan key init`)" : "");
    struct stat sb;
    if (!public_only && fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077)) {
        fclose(f);
        return dg_err_set(err, DG_EUSAGE,
                          "key '%s' is readable by others (mode %03o): chmod 600 it first", path,
                          (unsigned)(sb.st_mode & 0777));
    }
    EVP_PKEY *pkey = public_only ? PEM_read_PUBKEY(f, NULL, NULL, NULL)
                                 : PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        return dg_err_set(err, DG_EINPUT, "'%s' is not an Ed25519 %s key (PEM)", path,
                          public_only ? "public" : "private");
    }
    cert_key *k = calloc(1, sizeof *k);
    if (!k) {
        EVP_PKEY_free(pkey);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    k->pkey = pkey;
    k->has_private = !public_only;
    if (key_id_of(pkey, k->id)) {
        cert_key_free(&k);
        return dg_err_set(err, DG_EINPUT, "'%s': cannot read the public key", path);
    }
    *out = k;
    return DG_OK;
}

void cert_key_free(cert_key **k)
{
    if (!k || !*k)
        return;
    EVP_PKEY_free((*k)->pkey);
    free(*k);
    *k = NULL;
}

const char *cert_key_id(const cert_key *k)
{
    return k->id;
}

int cert_key_public_pem(const cert_key *k, dg_buf *out, dg_err *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n = bio && PEM_write_bio_PUBKEY(bio, k->pkey) == 1 ? BIO_get_mem_data(bio, &data) : -1;
    int status = n > 0 && !dg_buf_add(out, data, (size_t)n)
                     ? DG_OK
                     : dg_err_set(err, DG_ERR, "cannot write the public key");
    BIO_free(bio);
    return status;
}

int cert_sign(const cert_key *k, const unsigned char *msg, size_t len, unsigned char sig[64],
              dg_err *err)
{
    if (!k->has_private)
        return dg_err_set(err, DG_EUSAGE, "a public key cannot sign");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t siglen = 64;
    int ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestSign(md, sig, &siglen, msg, len) == 1 && siglen == 64;
    EVP_MD_CTX_free(md);
    return ok ? DG_OK : dg_err_set(err, DG_ERR, "cannot sign (OpenSSL)");
}

int cert_sig_ok(const cert_key *k, const unsigned char *msg, size_t len,
                const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestVerify(md, sig, siglen, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/* ---- base64url without padding (RFC 4648 section 5), through OpenSSL's
 * base64: the alphabet swap is ours, the coding is not. --------------------- */

int cert_b64url(const unsigned char *data, size_t len, dg_buf *out)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    unsigned char *tmp = malloc(cap);
    if (!tmp)
        return DG_ENOMEM;
    int n = EVP_EncodeBlock(tmp, data, (int)len);
    while (n > 0 && tmp[n - 1] == '=')
        n--;
    for (int i = 0; i < n; i++)
        tmp[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : tmp[i];
    int rc = dg_buf_add(out, tmp, (size_t)n);
    free(tmp);
    return rc;
}

int cert_unb64url(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    size_t padded = (len + 3) / 4 * 4;
    if (len % 4 == 1)
        return DG_EINPUT;
    unsigned char *in = malloc(padded + 1), *dec = malloc(padded / 4 * 3 + 1);
    if (!in || !dec) {
        free(in), free(dec);
        return DG_ENOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+' || c == '/' || c == '=') {
            free(in), free(dec);
            return DG_EINPUT;
        }
        in[i] = (unsigned char)(c == '-' ? '+' : c == '_' ? '/' : c);
    }
    for (size_t i = len; i < padded; i++)
        in[i] = '=';
    int n = padded ? EVP_DecodeBlock(dec, in, (int)padded) : 0;
    free(in);
    if (n < 0) {
        free(dec);
        return DG_EINPUT;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    n -= (int)(padded - len);
    *out = dec;
    *outlen = (size_t)n;
    return DG_OK;
}
