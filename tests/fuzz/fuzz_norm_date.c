/*
 * fuzz_norm_date.c - libFuzzer target for the date parser: any byte string
 * must give an error (invalid UTF-8), a flag or an ISO date, never a crash
 * or a leak.  The context is opened once; it is per-thread and libFuzzer
 * runs one thread.
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
    norm_date_opts o = {.context_year = size ? 1900 + data[0] % 120 : 0, .drop_day = (int)(size & 1)};
    if (norm_date(ctx, s, &o, &r, NULL) == 0 && r.value && strlen(r.value) < 4)
        abort();
    norm_result_release(&r);
    free(s);
    return 0;
}
