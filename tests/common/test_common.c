/*
 * test_common.c - the helpers every module shares (common/): hashing.
 */
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

int main(void)
{
    tl_state t = {0};
    test_sha256(&t);
    return tl_exit_status(&t, "test_common");
}
