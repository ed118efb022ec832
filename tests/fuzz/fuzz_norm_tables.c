/*
 * fuzz_norm_tables.c - libFuzzer target for the normalizer's tables
 * (the .tsv files of configs/normalize: variants, confusables, ethnic groups,
 * political statuses): the first byte picks the table the rest replaces in
 * a copy of the shipped folder; the normalizer opens and reads a name, or
 * is refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_cfgdir.h"
#include "normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fz_dir d;
    static int ready;
    if (!ready) {
        if (fz_dir_init(&d, "norm_tables", DANGAN_SOURCE_CONFIG_DIR "/normalize", "normalize",
                        ".tsv"))
            abort();
        ready = 1;
    }
    if (size < 1)
        return 0;
    size_t i = data[0] % d.n;
    if (!fz_dir_put(&d, i, data + 1, size - 1))
        return 0;
    norm_ctx *ctx = NULL;
    dg_err err = {0};
    if (norm_ctx_new(fz_dir_root(&d), &ctx, &err) == DG_OK) {
        norm_result r = {0};
        norm_name(ctx, "龔國強", &r, &err);
        norm_result_release(&r);
        norm_ethnicity(ctx, "汉族", &r, &err);
        norm_result_release(&r);
        norm_political(ctx, "中共党员", &r, &err);
        norm_result_release(&r);
    } else if (!err.msg[0] || ctx) {
        abort();
    }
    norm_ctx_free(&ctx);
    fz_dir_restore(&d, i);
    return 0;
}
