/*
 * fuzz_catalog.c - libFuzzer target for the discipline catalogs and
 * crosswalks (configs/disciplines: editions.tsv, catalog-*.csv,
 * crosswalk-*.csv, names and professional degrees): the first byte picks
 * the file the rest of the input replaces in a copy of the shipped folder;
 * the catalog loads or is refused with a message.
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
        if (fz_dir_init(&d, "catalog", DANGAN_SOURCE_CONFIG_DIR "/disciplines", "", "sv"))
            abort();
        ready = 1;
    }
    if (size < 1)
        return 0;
    size_t i = data[0] % d.n;
    if (!fz_dir_put(&d, i, data + 1, size - 1))
        return 0;
    norm_catalog *cat = NULL;
    dg_err err = {0};
    if (norm_catalog_load(d.dir, &cat, &err) == DG_OK) {
        norm_edition_info ed;
        norm_crosswalk_info cw;
        for (size_t k = 0; norm_catalog_edition(cat, k, &ed) == DG_OK; k++)
            ;
        for (size_t k = 0; norm_catalog_crosswalk(cat, k, &cw) == DG_OK; k++)
            ;
    } else if (!err.msg[0] || cat) {
        abort();
    }
    norm_catalog_free(&cat);
    fz_dir_restore(&d, i);
    return 0;
}
