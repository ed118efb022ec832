/*
 * test_common.c - the helpers every module shares (common/): hashing, JSON
 * escaping.
 */
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

int main(void)
{
    tl_state t = {0};
    test_sha256(&t);
    test_json_utf8(&t);
    return tl_exit_status(&t, "test_common");
}
