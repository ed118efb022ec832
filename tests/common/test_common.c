/*
 * test_common.c - the helpers every module shares (common/): hashing, JSON
 * escaping, loading a key = value settings file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "testlib.h"

static void test_sha256(tl_state *t)
{
    char hex[65];
    dg_sha256_hex("abc", 3, hex);
    CHECK_STR(t, hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    dg_sha256_hex("", 0, hex);
    CHECK_STR(t, hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* JSON stays valid whatever the bytes: ill-formed UTF-8 (a GBK file name)
 * becomes U+FFFD, valid UTF-8 passes byte for byte, controls are escaped. */
static void test_json_utf8(tl_state *t)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_json_str(&b, "scans/\xb5\xb5\xb0\xb8.png");
    CHECK_STR(t, b.data, "\"scans/\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.png\"");
    dg_buf_reset(&b);
    dg_buf_json_str(&b, "\xe9\xbe\x9a\"\\\n\x01\xe9\xbe"); /* 龚, quote, ..., a cut 龚 */
    CHECK_STR(t, b.data, "\"\xe9\xbe\x9a\\\"\\\\\\n\\u0001\xef\xbf\xbd\"");
    dg_buf_reset(&b);
    dg_buf_json_str(&b, "\xed\xa0\x80x\xc0\xaf"); /* a surrogate, an overlong '/' */
    CHECK(t, strstr(b.data, "x") && !strstr(b.data, "\xed\xa0") && !strstr(b.data, "\xc0"));
    dg_buf_reset(&b);
    dg_buf_add_utf8(&b, "{\"file\":\"a\xff\xe9\xbe\x9a\"}");
    CHECK_STR(t, b.data, "{\"file\":\"a\xef\xbf\xbd\xe9\xbe\x9a\"}");
    dg_buf_release(&b);
}

static int kv_sum(void *user, const dg_kv *kv, dg_err *err)
{
    if (strcmp(kv->key, "n") != 0)
        return dg_kv_fail(kv, err, "unknown key '%s'", kv->key);
    *(int *)user += (int)strtol(kv->value, NULL, 10);
    return DG_OK;
}

/* dg_kv_load: the one loader of <name>.conf files (certify, trust, qa, load,
 * review, matcher): absent is the caller's to decide, errors name the file
 * (and line), the SHA-256 is the file's. */
static void test_kv_load(tl_state *t, const char *dir)
{
    char path[1024], missing[1024];
    snprintf(path, sizeof path, "%s/kv_test.conf", dir);
    snprintf(missing, sizeof missing, "%s/kv_missing.conf", dir);
    remove(missing);
    const char text[] = "# a comment\nn = 2\n\n n=3 \n";
    FILE *f = fopen(path, "wb");
    CHECK(t, f != NULL);
    if (!f)
        return;
    fwrite(text, 1, sizeof text - 1, f);
    fclose(f);
    int sum = 0;
    char sha[65] = "", want[65];
    dg_err err = {0};
    CHECK_INT(t, dg_kv_load(path, 0, sha, kv_sum, &sum, &err), DG_OK);
    CHECK_INT(t, sum, 5);
    dg_sha256_hex(text, sizeof text - 1, want);
    CHECK_STR(t, sha, want);
    CHECK_INT(t, dg_kv_load(missing, 1, NULL, kv_sum, &sum, &err), DG_ENOTFOUND);
    CHECK_STR(t, err.msg, ""); /* optional: err untouched, the defaults apply */
    CHECK_INT(t, dg_kv_load(missing, 0, NULL, kv_sum, &sum, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "kv_missing.conf") != NULL);
    f = fopen(path, "ab");
    if (f) {
        fputs("m = 1\n", f);
        fclose(f);
    }
    err = (dg_err){0};
    CHECK_INT(t, dg_kv_load(path, 1, NULL, kv_sum, &sum, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "kv_test.conf' line 5") != NULL);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    test_sha256(&t);
    test_json_utf8(&t);
    test_kv_load(&t, argc > 1 ? argv[1] : ".");
    return tl_exit_status(&t, "test_common");
}
