/*
 * fuzz_norm_name.c - libFuzzer target for the name normalizer and the
 * search keys built on it (NFKC, title stripping, Hant-Hans, Han-Latin),
 * plus the discipline-name path of the matcher's query cleaning via
 * norm_text.  Any byte string must be handled without a crash or leak.
 */
#include "normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static norm_ctx *ctx;
    if (!ctx && norm_ctx_new(NULL, &ctx, NULL))
        abort();
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    norm_result r;
    if (norm_name(ctx, s, &r, NULL) == 0) {
        dg_buf b;
        dg_buf_init(&b, 0);
        if (norm_result_json(&r, &b))
            abort();
        dg_buf_release(&b);
    }
    norm_result_release(&r);
    norm_keys k;
    norm_query_keys(ctx, s, &k, NULL);
    norm_keys_release(&k);
    free(s);
    return 0;
}
