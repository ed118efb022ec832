/*
 * fuzz_template.c - libFuzzer target for form templates (XML from an
 * archivist): any bytes must load or be refused with a message, never
 * crash, expand entities or reach the network.
 */
#include "extract.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader reads files (it reports file:line), so the input goes
     * through a per-process temporary file. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_template_%d.xml", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    ex_templates *set = ex_templates_new(NULL);
    if (!set)
        abort();
    dg_err err = {0};
    if (ex_templates_add_file(set, path, &err) != 0 && !err.msg[0])
        abort();
    ex_templates_free(&set);
    unlink(path);
    return 0;
}
