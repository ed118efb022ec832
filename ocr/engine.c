/*
 * engine.c - one Tesseract engine per thread, reading a decoded page into
 * lines and words (ocr_result).  Clean-up before recognition lives in
 * cleanup.c, the grid in grid.c, the reading of a page in page.c (see
 * reading.h); this file owns the engine, its entry point and the result's
 * life cycle.
 */
#include "ocr.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "ocr_internal.h"
#include "reading.h"


void ocr_tesseract_version(char *buf, size_t n)
{
    snprintf(buf, n, "%s", TessVersion());
}

/* "chi_sim+eng" -> the first language missing from tessdata, or NULL. */
static const char *missing_language(TessBaseAPI *api, const char *lang, char *out, size_t n)
{
    char **avail = TessBaseAPIGetAvailableLanguagesAsVector(api);
    const char *p = lang;
    const char *missing = NULL;
    while (*p && !missing) {
        size_t len = strcspn(p, "+");
        int found = 0;
        for (char **a = avail; a && *a; a++)
            if (strlen(*a) == len && strncmp(*a, p, len) == 0)
                found = 1;
        if (!found) {
            snprintf(out, n, "%.*s", (int)len, p);
            missing = out;
        }
        p += len;
        if (*p == '+')
            p++;
    }
    TessDeleteTextArray(avail);
    return missing;
}

static void debian_package_for(const char *lang, char *out, size_t n)
{
    /* Debian names the packages tesseract-ocr-<lang> with '_' as '-'. */
    snprintf(out, n, "tesseract-ocr-%s", lang);
    for (char *c = out; *c; c++)
        if (*c == '_')
            *c = '-';
}

/* Tesseract 5 reads every doubtful line a second time inverted (white on
 * black); scans of paper records are never inverted, and on crops that
 * read poorly (a third of them) the second pass doubles the cost. */
static void speed_settings(TessBaseAPI *api)
{
    TessBaseAPISetVariable(api, "tessedit_do_invert", "0");
}

/* Tesseract keeps some parameters (debug_file among them) in process-wide
 * globals that SetVariable and Init write; engines are created on several
 * worker threads (and eng / osd lazily in the middle of a run), so
 * creation is serialised.  ThreadSanitizer reported the race. */
static pthread_mutex_t tess_create_lock = PTHREAD_MUTEX_INITIALIZER;

TessBaseAPI *ocr_tess_create(const char *lang, int *failed)
{
    return ocr_tess_create_at(NULL, lang, 0, failed);
}

TessBaseAPI *ocr_tess_create_at(const char *datapath, const char *lang, int lstm_only,
                                int *failed)
{
    pthread_mutex_lock(&tess_create_lock);
    TessBaseAPI *api = TessBaseAPICreate();
    *failed = 1;
    if (api) {
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        *failed = (lstm_only ? TessBaseAPIInit2(api, datapath, lang, OEM_LSTM_ONLY)
                             : TessBaseAPIInit3(api, datapath, lang)) != 0;
        if (!*failed) {
            TessBaseAPISetVariable(api, "debug_file", "/dev/null");
            speed_settings(api);
        }
    }
    pthread_mutex_unlock(&tess_create_lock);
    return api;
}

int ocr_engine_new(const char *lang, const ocr_settings *s, ocr_engine **out, dg_err *err)
{
    *out = NULL;
    if (!lang || !*lang || strlen(lang) >= 64)
        return dg_err_set(err, DG_EUSAGE, "invalid OCR language '%s'", lang ? lang : "");
    ocr_engine *e = calloc(1, sizeof *e);
    if (!e)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    snprintf(e->lang, sizeof e->lang, "%s", lang);
    e->settings = s;
    e->monitor = ocr_monitor_new();
    if (!e->monitor) {
        free(e);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    /* A missing model gets an actionable message instead of a stderr dump. */
    char miss[64], pkg[96];
    int failed = 1;
    e->api = ocr_tess_create(lang, &failed);
    if (!e->api) {
        ocr_engine_free(&e);
        return dg_err_set(err, DG_ENOMEM, "out of memory creating a Tesseract engine");
    }
    if (failed) {
        const char *m = missing_language(e->api, lang, miss, sizeof miss);
        if (m) {
            debian_package_for(m, pkg, sizeof pkg);
            dg_err_set(err, DG_EINPUT,
                       "OCR language data '%s' is not installed: install the Debian package %s "
                       "(apt-get install %s)",
                       m, pkg, pkg);
        } else {
            dg_err_set(err, DG_ERR, "cannot initialise Tesseract for language '%s'", lang);
        }
        ocr_engine_free(&e);
        return err ? err->code : DG_ERR;
    }
    *out = e;
    return DG_OK;
}

/* chi_sim reads letters and digits of IDs poorly ("S867146" -> "98671406");
 * a second, Latin-only engine (about 15 MB) reads them exactly. */
TessBaseAPI *ocr_latin_engine(ocr_engine *e)
{
    if (e->latin || e->latin_failed)
        return e->latin;
    if (strstr(e->lang, "eng")) {
        e->latin_failed = 1;
        return NULL;
    }
    int failed = 1;
    e->latin = ocr_tess_create("eng", &failed);
    if (failed) {
        if (e->latin) {
            TessBaseAPIEnd(e->latin);
            TessBaseAPIDelete(e->latin);
        }
        e->latin = NULL;
        e->latin_failed = 1;
    }
    return e->latin;
}

void ocr_engine_free(ocr_engine **pe)
{
    if (!pe || !*pe)
        return;
    ocr_engine *e = *pe;
    if (e->api) {
        TessBaseAPIEnd(e->api);
        TessBaseAPIDelete(e->api);
    }
    if (e->latin) {
        TessBaseAPIEnd(e->latin);
        TessBaseAPIDelete(e->latin);
    }
    if (e->osd) {
        TessBaseAPIEnd(e->osd);
        TessBaseAPIDelete(e->osd);
    }
    if (e->monitor)
        TessMonitorDelete(e->monitor);
    ocr_rec2_free(&e->rec2);
    free(e);
    *pe = NULL;
}

void ocr_result_free(ocr_result **pr)
{
    if (!pr || !*pr)
        return;
    ocr_result *r = *pr;
    for (size_t i = 0; i < r->nlines; i++)
        ocr_line_release(&r->lines[i]);
    free(r->lines);
    free(r->cells);
    free(r->cleanup_json);
    free(r);
    *pr = NULL;
}

int ocr_engine_read(ocr_engine *e, const unsigned char *data, size_t len, int page_index,
                    ocr_result **out, dg_err *err)
{
    *out = NULL;
    if (e->crew)
        ocr_crew_enter(e->crew);
    int rc = ocr_read_scan_page(e, data, len, page_index, out, err);
    if (e->crew)
        ocr_crew_leave(e->crew);
    return rc;
}
