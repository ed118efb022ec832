/*
 * test_ocr_settings.c - the settings loader (configs/ocr.xml and the
 * built-in defaults read the same; unsafe or invalid files are refused
 * naming the file; steps switch off) and a page's dpi (a recorded dpi
 * that fits no sheet is replaced).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocr_internal.h"
#include "testlib.h"
#include "testpage.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_settings(tl_state *t)
{
    ocr_settings *s = NULL;
    dg_err e = {0};
    CHECK(t, ocr_settings_load(OCR_CONFIG, &s, &e) == DG_OK);
    CHECK(t, s && strstr(ocr_settings_json(s), "\"deskew\":{\"on\":1") != NULL);
    /* without the configs directory the built-in defaults read the same */
    ocr_settings *d = NULL;
    CHECK(t, ocr_settings_load(NULL, &d, &e) == DG_OK);
    CHECK(t, s && d && strcmp(ocr_settings_json(s), ocr_settings_json(d)) == 0);
    ocr_settings_free(&d);
    ocr_settings_free(&s);
    char dt[] = "/tmp/dangan_ocr_dtd_XXXXXX";
    int fd = mkstemp(dt);
    if (fd >= 0)
        close(fd);
    write_file(dt, "<?xml version=\"1.0\"?>\n<!DOCTYPE ocr [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                   "<ocr version=\"1\"><cleanup/></ocr>\n");
    CHECK(t, ocr_settings_load(dt, &s, &e) == DG_EINPUT);
    CHECK(t, strstr(e.msg, "DOCTYPE") != NULL);
    write_file(dt, "<?xml version=\"1.0\"?>\n<ocr version=\"1\">\n<cleanup>\n"
                   "<deskew enabled=\"maybe\"/>\n</cleanup></ocr>\n");
    CHECK(t, ocr_settings_load(dt, &s, &e) == DG_EINPUT);
    /* the message names the file (libxml2's interleave errors carry no line) */
    CHECK(t, strstr(e.msg, dt) != NULL);
    /* the dpi check, 1-bit softening, text filters, band cut, dot joining
     * and the reading without a lighter print switch off */
    write_file(dt, "<?xml version=\"1.0\"?>\n<ocr version=\"1\"><cleanup>"
                   "<dpi enabled=\"false\"/><soften-bilevel enabled=\"false\"/></cleanup>"
                   "<recognition><filter enabled=\"false\"/><punctuation widen=\"false\"/>"
                   "<bands weak-share=\"0\"/><dot-matrix enabled=\"false\"/>"
                   "<lighter-print enabled=\"false\"/></recognition></ocr>\n");
    CHECK(t, ocr_settings_load(dt, &s, &e) == DG_OK);
    CHECK(t, s && !s->dpi_check_on && !s->soften_bilevel_on && !s->filter_on && !s->widen_on &&
                 s->weak_band == 0 && !s->dots_on && !s->lighter_on);
    CHECK(t, s && strstr(ocr_settings_json(s), "\"filter\":{\"on\":0}") != NULL);
    ocr_settings_free(&s);
    unlink(dt);
}

/* A recorded dpi that fits no sheet is replaced by one that fits one
 * exactly; one that fits (or a page of no standard size) is kept. */
static void test_page_dpi(tl_state *t)
{
    CHECK(t, ocr_page_dpi(1653, 2339, 300) == 200); /* A4 at 200 marked 300 */
    CHECK(t, ocr_page_dpi(2339, 1653, 300) == 200); /* the same, landscape */
    CHECK(t, ocr_page_dpi(2480, 3508, 300) == 300); /* A4 at 300 */
    CHECK(t, ocr_page_dpi(1653, 2339, 200) == 200);
    CHECK(t, ocr_page_dpi(1720, 330, 300) == 300);  /* a cut-out: no sheet */
    CHECK(t, ocr_page_dpi(2480, 3508, 72) == 300);  /* a 72 dpi default */
    /* a 240 dpi A4 card turned 3 degrees on a canvas that grew: no sheet at
     * 240, and ISO B5 at 300 only within 2.3%: kept (it was read at 300) */
    CHECK(t, ocr_page_dpi(2130, 2908, 240) == 240);
    /* a program's 72 dpi that no sheet explains (a photographed page) is
     * read at the default dpi, not at 72 */
    ocr_settings *s = NULL;
    CHECK(t, ocr_settings_load(NULL, &s, NULL) == DG_OK);
    ocr_source photo = {3000, 4000, 72}, lost = {3000, 4000, 0}, fine = {2480, 3508, 300};
    CHECK(t, s && ocr_source_dpi(s, &photo) == 300 && ocr_source_dpi(s, &lost) == 300 &&
                 ocr_source_dpi(s, &fine) == 300);
    ocr_settings_free(&s);
}

int main(void)
{
    tl_state t = {0};
    ocr_quiet_leptonica();
    test_settings(&t);
    test_page_dpi(&t);
    return tl_exit_status(&t, "test_ocr_settings");
}
