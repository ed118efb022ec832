/*
 * version.c - `dangan --version`: our version and the run-time versions of
 * the libraries we link, as they report themselves.
 */
#include <libxml/parser.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unicode/uversion.h>

#include "cli.h"
#include "ocr.h"

void cli_print_versions(FILE *out);

void cli_print_versions(FILE *out)
{
    char tess[64], lept[64], icu[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo v;
    ocr_tesseract_version(tess, sizeof tess);
    ocr_leptonica_version(lept, sizeof lept);
    u_getVersion(v);
    u_versionToString(v, icu);
    fprintf(out, "dangan %s\n", DANGAN_VERSION);
    fprintf(out, "tesseract %s\n", tess);
    fprintf(out, "%s\n", lept);
    fprintf(out, "sqlite %s\n", sqlite3_libversion());
    int xv = atoi(xmlParserVersion); /* "20914" means 2.9.14 */
    fprintf(out, "libxml2 %d.%d.%d\n", xv / 10000, xv / 100 % 100, xv % 100);
    fprintf(out, "icu %s\n", icu);
    fprintf(out, "schema %d\n", db_schema_latest());
}
