/*
 * mets_check.c - validate METS files against a RELAX NG grammar with
 * libxml2 (through xmlconf_load, the loader dangan uses for its own XML):
 * mets_check GRAMMAR.rng FILE... prints each invalid file with the rule it
 * breaks and exits 1 if any is invalid.  The grammar is read from the
 * source tree, not the copy compiled into dangan, so a file the binary let
 * through is checked again by an independent read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "xmlconf.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mets_check GRAMMAR.rng FILE...\n");
        return 2;
    }
    unsigned char *rng;
    size_t rng_len;
    dg_err err = {0};
    if (dg_read_file(argv[1], 1 << 20, &rng, &rng_len, &err)) {
        fprintf(stderr, "mets_check: %s\n", err.msg);
        return 2;
    }
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        unsigned char *data;
        size_t len;
        xmlconf_doc *doc = NULL;
        int rc = dg_read_file(argv[i], 64 << 20, &data, &len, &err);
        if (!rc) {
            rc = xmlconf_load(argv[i], data, len, "METS document", (const char *)rng, rng_len,
                              &doc, &err);
            free(data);
        }
        xmlconf_free(&doc);
        if (rc) {
            printf("invalid: %s\n", err.msg);
            bad++;
        }
    }
    free(rng);
    printf("%d of %d valid\n", argc - 2 - bad, argc - 2);
    return bad ? 1 : 0;
}
