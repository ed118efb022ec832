/*
 * fuzz_cert_verify.c - libFuzzer target for what `dangan verify` and the
 * workbench's public verification page (web/verify_page.c, no login) read
 * from anyone: a PDF's bytes, a QR code's text or a printed verification
 * code (cert_payload_find, against a workspace's certificate register),
 * then the payload's parts, base64url and signature (cert_verify).  The key
 * is made once per process, so inputs never carry a valid signature: what
 * is fuzzed is everything before trusting one.  A refusal must say why.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certify.h"
#include "db.h"
#include "fuzz_cfgdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;
static cert_key *key;

static void setup(void)
{
    char d[256], path[320];
    snprintf(d, sizeof d, "/tmp/fuzz_cert_%d", (int)getpid());
    mkdir(d, 0700);
    fz_remove_at_exit(d);
    snprintf(path, sizeof path, "%s/w.db", d);
    unlink(path);
    dg_err err = {0};
    if (db_open(path, DB_OPEN_CREATE, &db, &err))
        abort();
    snprintf(path, sizeof path, "%s/key.pem", d);
    char id[17];
    if (cert_key_init(path, id, &err))
        abort();
    snprintf(path, sizeof path, "%s/key.pem.pub", d); /* what a verifier holds */
    if (cert_key_load(path, 1, &key, &err))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        setup();
    dg_err err = {0};
    char *payload = NULL;
    int rc = cert_payload_find(db, data, size, &payload, &err);
    if (rc) {
        if (!err.msg[0])
            abort(); /* a refusal names its reason */
        return 0;
    }
    cert_check c = {0};
    err.msg[0] = '\0';
    rc = cert_verify(db, key, payload, &c, &err);
    if (rc == DG_OK) {
        if (c.authentic || (!c.reason || !*c.reason))
            abort(); /* nothing here is signed by the key; and a NO says why */
        cert_check_release(&c);
    } else if (!err.msg[0]) {
        abort();
    }
    free(payload);
    return 0;
}
