/*
 * tamper.c - a certificate payload stops verifying when any byte of its
 * signed content changes: every position, each with a low-bit and a
 * high-bit change, re-encoded with the original signature; the untouched
 * payload still verifies (so the failures are the changes', not the test's).
 * usage: test_cert_tamper PUBKEY.pem PAYLOAD
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify_internal.h"

static int verify(const cert_key *k, const char *payload)
{
    cert_check c;
    dg_err err = {0};
    if (cert_verify(NULL, k, payload, &c, &err)) {
        fprintf(stderr, "verify failed: %s\n", err.msg);
        exit(1);
    }
    int ok = c.authentic;
    cert_check_release(&c);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_cert_tamper PUBKEY PAYLOAD\n");
        return 2;
    }
    cert_key *k = NULL;
    dg_err err = {0};
    if (cert_key_load(argv[1], 1, &k, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const char *p = argv[2];
    const char *c0 = p + strlen(CERT_MAGIC), *dot = strchr(c0, '.');
    unsigned char *content;
    size_t len;
    if (strncmp(p, CERT_MAGIC, strlen(CERT_MAGIC)) || !dot ||
        cert_unb64url(c0, (size_t)(dot - c0), &content, &len)) {
        fprintf(stderr, "not a payload\n");
        return 1;
    }
    int fails = 0;
    if (!verify(k, p)) {
        fprintf(stderr, "FAIL: the untouched payload does not verify\n");
        fails++;
    }
    size_t tried = 0;
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 2; bit++) {
            content[i] ^= bit ? 0x80 : 0x01;
            dg_buf b;
            dg_buf_init(&b, 0);
            dg_buf_adds(&b, CERT_MAGIC);
            cert_b64url(content, len, &b);
            dg_buf_adds(&b, dot);
            if (verify(k, b.data)) {
                fprintf(stderr, "FAIL: byte %zu changed (bit %d) still verifies\n", i, bit);
                fails++;
            }
            dg_buf_release(&b);
            content[i] ^= bit ? 0x80 : 0x01;
            tried++;
        }
    printf("%zu changes of %zu content bytes, %d verified\n", tried, len, fails);
    free(content);
    cert_key_free(&k);
    return fails ? 1 : 0;
}
