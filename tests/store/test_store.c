/*
 * test_store.c - the scan store (store/store.c): objects named by SHA-256
 * under ab/cd/, written whole with modes 0600/0700, read back checked,
 * a damaged object found and rewritten, a read-only store never written,
 * bad names refused, atomic copies hashed.
 *   test_store WORKDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "testlib.h"

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_put_get(tl_state *t, const char *work)
{
    char dir[1024], path[1200], sha[65];
    snprintf(dir, sizeof dir, "%s/s1/nested", work);
    sto_store *s = NULL;
    dg_err err = {0};
    CHECK_INT(t, sto_open(dir, 0, &s, &err), DG_ENOTFOUND); /* not there, not created */
    CHECK_INT(t, sto_open(dir, STO_CREATE, &s, &err), DG_OK);
    CHECK_INT(t, mode_of(dir), 0700);
    const char *bytes = "not really a scan";
    dg_sha256_hex(bytes, strlen(bytes), sha);
    int added = -1;
    CHECK_INT(t, sto_put(s, sha, "png", bytes, strlen(bytes), &added, &err), DG_OK);
    CHECK_INT(t, added, 1);
    CHECK_INT(t, sto_object_path(s, sha, "png", path, sizeof path, &err), DG_OK);
    char want[1200];
    snprintf(want, sizeof want, "%s/%.2s/%.2s/%s.png", sto_dir(s), sha, sha + 2, sha);
    CHECK_STR(t, path, want);
    CHECK_INT(t, mode_of(path), 0600);
    char sub[1200];
    snprintf(sub, sizeof sub, "%s/%.2s/%.2s", sto_dir(s), sha, sha + 2);
    CHECK_INT(t, mode_of(sub), 0700);
    CHECK_INT(t, sto_put(s, sha, "png", bytes, strlen(bytes), &added, &err), DG_OK);
    CHECK_INT(t, added, 0); /* intact: kept */
    unsigned char *data = NULL;
    size_t len = 0;
    CHECK_INT(t, sto_get(s, sha, "png", &data, &len, &err), DG_OK);
    CHECK(t, data && len == strlen(bytes) && memcmp(data, bytes, len) == 0);
    free(data);
    /* No temporary file is left beside the object. */
    char tmpglob[1300];
    snprintf(tmpglob, sizeof tmpglob, "ls %s | grep -c tmp > /dev/null", sub);
    CHECK(t, system(tmpglob) != 0);

    /* Bytes that do not hash to the name are not filed under it. */
    char other[65];
    dg_sha256_hex("x", 1, other);
    CHECK_INT(t, sto_put(s, other, "png", bytes, strlen(bytes), &added, &err), DG_EUSAGE);
    CHECK_INT(t, sto_get(s, other, "png", &data, &len, &err), DG_ENOTFOUND);
    CHECK(t, strstr(err.msg, "missing") != NULL);

    /* A damaged object is reported on read and rewritten by the next put. */
    write_file(path, "damaged");
    CHECK_INT(t, sto_get(s, sha, "png", &data, &len, &err), DG_EINPUT);
    CHECK(t, strstr(err.msg, "changed") != NULL);
    char found[65];
    CHECK_INT(t, sto_check_file(path, sha, found, NULL, &err), DG_ECONFLICT);
    char dsha[65];
    dg_sha256_hex("damaged", 7, dsha);
    CHECK_STR(t, found, dsha);
    CHECK_INT(t, sto_put(s, sha, "png", bytes, strlen(bytes), &added, &err), DG_OK);
    CHECK_INT(t, added, 1);
    CHECK_INT(t, sto_check_file(path, sha, NULL, NULL, &err), DG_OK);
    unlink(path);
    CHECK_INT(t, sto_check_file(path, sha, NULL, NULL, &err), DG_ENOTFOUND);
    sto_free(&s);

    /* Read-only: read, never written. */
    CHECK_INT(t, sto_open(dir, STO_READONLY, &s, &err), DG_OK);
    CHECK_INT(t, sto_put(s, sha, "png", bytes, strlen(bytes), &added, &err), DG_EUSAGE);
    CHECK(t, strstr(err.msg, "read-only") != NULL);
    CHECK(t, access(path, F_OK) != 0);
    sto_free(&s);
}

static void test_names(tl_state *t)
{
    char buf[128], sha[65];
    dg_err err = {0};
    dg_sha256_hex("a", 1, sha);
    CHECK_INT(t, sto_object_name(sha, "tiff", buf, sizeof buf, &err), DG_OK);
    CHECK_INT(t, sto_object_name("../../etc/passwd", "tiff", buf, sizeof buf, &err), DG_EUSAGE);
    CHECK_INT(t, sto_object_name(sha, "../x", buf, sizeof buf, &err), DG_EUSAGE);
    CHECK_INT(t, sto_object_name(sha, "", buf, sizeof buf, &err), DG_EUSAGE);
    char upper[65];
    memcpy(upper, sha, 65);
    upper[0] = 'A';
    CHECK_INT(t, sto_object_name(upper, "png", buf, sizeof buf, &err), DG_EUSAGE);
}

static void test_copy(tl_state *t, const char *work)
{
    char src[1024], dst[1024], sha[65], want[65];
    snprintf(src, sizeof src, "%s/src.bin", work);
    snprintf(dst, sizeof dst, "%s/dst.bin", work);
    write_file(src, "some database pages");
    dg_err err = {0};
    CHECK_INT(t, sto_copy_atomic(src, dst, sha, &err), DG_OK);
    dg_sha256_hex("some database pages", 19, want);
    CHECK_STR(t, sha, want);
    CHECK_INT(t, mode_of(dst), 0600);
    int64_t size = 0;
    CHECK_INT(t, dg_sha256_file(dst, sha, &size, &err), DG_OK);
    CHECK_STR(t, sha, want);
    CHECK_INT(t, size, 19);
    snprintf(src, sizeof src, "%s/absent", work);
    CHECK_INT(t, sto_copy_atomic(src, dst, sha, &err), DG_ENOTFOUND);
    CHECK_INT(t, dg_sha256_file(src, sha, NULL, &err), DG_ENOTFOUND);
}

int main(int argc, char **argv)
{
    tl_state t = {0};
    if (argc != 2) {
        fprintf(stderr, "usage: test_store WORKDIR\n");
        return 2;
    }
    test_put_get(&t, argv[1]);
    test_names(&t);
    test_copy(&t, argv[1]);
    return tl_exit_status(&t, "test_store");
}
