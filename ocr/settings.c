/*
 * settings.c - OCR clean-up and recognition settings: built-in defaults,
 * overridden by an XML file (configs/ocr.xml).  The file is outside input:
 * it is parsed without network, entity expansion or DTD loading, refused
 * when it carries a DOCTYPE, and validated against schema/ocr.rng (embedded
 * at build time) before any value is taken from it.
 */
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "xmlconf.h"
#include "ocr_internal.h"

extern const char ocr_rng_text[];
extern const size_t ocr_rng_text_len;

/* The same values as the shipped configs/ocr.xml: a binary run without
 * the configs directory reads as the documented default does. */
static void settings_defaults(ocr_settings *s)
{
    s->seal_on = 1;
    s->seal_threshold = 50;
    s->seal_edge = 25;
    s->background_on = 1;
    s->background_level = 220;
    s->uneven_spread = 60;
    s->orientation_on = 1;
    s->orientation_min_conf = 2.0;
    s->deskew_on = 1;
    s->deskew_max_deg = 10.0;
    s->deskew_min_deg = 0.1;
    s->binarize_on = 1;
    s->binarize_sauvola = 1;
    s->sauvola_window = 31;
    s->sauvola_k = 0.12;
    s->border_on = 1;
    s->speckle_on = 1;
    s->speckle_max = 8;
    s->holes_on = 1;
    s->rules_on = 1;
    s->rule_min_h = 0.06;
    s->rule_min_v = 0.025;
    s->cells_on = 1;
    s->cell_inset = 3;
    s->min_cell = 12;
    s->feed_binary = 0;
    s->dpi_default = 300;
    s->upscale_below = 200;
    s->upscale_to = 300;
    s->upscale_bilevel_below = 300;
    s->downscale_above = 400;
    s->downscale_to = 300;
    s->dpi_check_on = 1;
    s->soften_bilevel_on = 1;
    s->filter_on = 1;
    s->negative_on = 1;
    s->widen_on = 1;
    s->weak_band = 0.2;
    s->dots_on = 1;
    s->lighter_on = 1;
    s->faded_on = 1;
    s->faded_cells_on = 1;
    s->floor_on = 1;
    s->lines2_mode = OCR_LINES2_CJK;
    s->lines2_below = 80;
    s->lines2_min_prob = 0.7;
    s->lines2_cells = 0;
    ocr_limits_default(&s->limits);
    s->budget_on = 1;
    s->budget_retries = 4.0;
    s->budget_page = 3;
    s->time_limit = 300;
}

static int settings_to_json(ocr_settings *s)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_addf(&b, "{\"seal\":{\"on\":%d,\"threshold\":%d,\"edge\":%d}", s->seal_on,
                s->seal_threshold, s->seal_edge);
    dg_buf_addf(&b, ",\"background\":{\"on\":%d,\"level\":%d,\"uneven_spread\":%d}",
                s->background_on, s->background_level, s->uneven_spread);
    dg_buf_addf(&b, ",\"orientation\":{\"on\":%d,\"min_conf\":%.2f}", s->orientation_on,
                s->orientation_min_conf);
    dg_buf_addf(&b, ",\"deskew\":{\"on\":%d,\"max_deg\":%.2f,\"min_deg\":%.2f}", s->deskew_on,
                s->deskew_max_deg, s->deskew_min_deg);
    dg_buf_addf(&b, ",\"binarize\":{\"on\":%d,\"method\":\"%s\",\"window\":%d,\"k\":%.3f}",
                s->binarize_on, s->binarize_sauvola ? "sauvola" : "otsu", s->sauvola_window,
                s->sauvola_k);
    dg_buf_addf(&b, ",\"border\":{\"on\":%d},\"punch_holes\":{\"on\":%d}", s->border_on,
                s->holes_on);
    dg_buf_addf(&b, ",\"speckle\":{\"on\":%d,\"max_size\":%d}", s->speckle_on, s->speckle_max);
    dg_buf_addf(&b, ",\"rules\":{\"on\":%d,\"min_horizontal\":%.3f,\"min_vertical\":%.3f}",
                s->rules_on, s->rule_min_h, s->rule_min_v);
    dg_buf_addf(&b, ",\"cells\":{\"on\":%d,\"inset\":%d,\"min_size\":%d}", s->cells_on,
                s->cell_inset, s->min_cell);
    dg_buf_addf(&b, ",\"dpi_check\":{\"on\":%d},\"soften_bilevel\":{\"on\":%d}",
                s->dpi_check_on, s->soften_bilevel_on);
    dg_buf_addf(&b, ",\"negative\":{\"on\":%d}", s->negative_on);
    dg_buf_addf(&b, ",\"filter\":{\"on\":%d},\"widen_punctuation\":{\"on\":%d}", s->filter_on,
                s->widen_on);
    dg_buf_addf(&b, ",\"bands\":{\"weak_share\":%.3f},\"dot_matrix\":{\"on\":%d}", s->weak_band,
                s->dots_on);
    dg_buf_addf(&b, ",\"lighter_print\":{\"on\":%d},\"faded_ink\":{\"on\":%d,\"cells\":%d}",
                s->lighter_on, s->faded_on, s->faded_on && s->faded_cells_on);
    dg_buf_addf(&b, ",\"floor\":{\"on\":%d}", s->floor_on);
    static const char *const lines2[] = {"none", "unsure", "cjk", "all"};
    dg_buf_addf(&b, ",\"reader2\":{\"lines\":\"%s\",\"below\":%g,\"min_prob\":%g,\"cells\":%d}",
                lines2[s->lines2_mode], s->lines2_below, s->lines2_min_prob, s->lines2_cells);
    dg_buf_addf(&b, ",\"budget\":{\"on\":%d,\"retries\":%g,\"page\":%g,\"time_limit\":%g}",
                s->budget_on, s->budget_retries, s->budget_page, s->time_limit);
    dg_buf_addf(&b, ",\"upscale\":{\"below\":%d,\"bilevel_below\":%d,\"to\":%d}",
                s->upscale_below, s->upscale_bilevel_below, s->upscale_to);
    dg_buf_addf(&b, ",\"downscale\":{\"above\":%d,\"to\":%d}", s->downscale_above,
                s->downscale_to);
    dg_buf_addf(&b, ",\"limits\":{\"pages_per_file\":%d,\"megapixels_per_page\":%lld,"
                    "\"min_side\":%d}",
                s->limits.max_pages, s->limits.max_pixels / 1000000, s->limits.min_side);
    int rc = dg_buf_addf(&b, ",\"input\":\"%s\",\"default_dpi\":%d}",
                         s->feed_binary ? "binary" : "grey", s->dpi_default);
    if (rc) {
        dg_buf_release(&b);
        return DG_ENOMEM;
    }
    s->json = dg_buf_detach(&b);
    return s->json ? DG_OK : DG_ENOMEM;
}

static int attr_on(xmlNodePtr n)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)"enabled");
    int on = v && strcmp((const char *)v, "true") == 0;
    xmlFree(v);
    return on;
}

/* Numeric attribute (already validated by the grammar) into *d if present. */
static void attr_num(xmlNodePtr n, const char *name, double *d)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (v)
        *d = strtod((const char *)v, NULL);
    xmlFree(v);
}

static void attr_int(xmlNodePtr n, const char *name, int *i)
{
    double d = *i;
    attr_num(n, name, &d);
    *i = (int)d;
}

static int attr_is(xmlNodePtr n, const char *name, const char *want)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    int is = v && strcmp((const char *)v, want) == 0;
    xmlFree(v);
    return is;
}

static int named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static void apply_cleanup(ocr_settings *s, xmlNodePtr n)
{
    if (named(n, "seal")) {
        s->seal_on = attr_on(n);
        attr_int(n, "threshold", &s->seal_threshold);
        attr_int(n, "edge", &s->seal_edge);
    } else if (named(n, "background")) {
        s->background_on = attr_on(n);
        attr_int(n, "level", &s->background_level);
        attr_int(n, "uneven-spread", &s->uneven_spread);
    } else if (named(n, "orientation")) {
        s->orientation_on = attr_on(n);
        attr_num(n, "min-conf", &s->orientation_min_conf);
    } else if (named(n, "deskew")) {
        s->deskew_on = attr_on(n);
        attr_num(n, "max-deg", &s->deskew_max_deg);
        attr_num(n, "min-deg", &s->deskew_min_deg);
    } else if (named(n, "binarize")) {
        s->binarize_on = attr_on(n);
        s->binarize_sauvola = !attr_is(n, "method", "otsu");
        attr_int(n, "window", &s->sauvola_window);
        attr_num(n, "k", &s->sauvola_k);
    } else if (named(n, "border")) {
        s->border_on = attr_on(n);
    } else if (named(n, "punch-holes")) {
        s->holes_on = attr_on(n);
    } else if (named(n, "speckle")) {
        s->speckle_on = attr_on(n);
        attr_int(n, "max-size", &s->speckle_max);
    } else if (named(n, "dpi")) {
        s->dpi_check_on = attr_on(n);
    } else if (named(n, "soften-bilevel")) {
        s->soften_bilevel_on = attr_on(n);
    } else if (named(n, "rules")) {
        s->rules_on = attr_on(n);
        attr_num(n, "min-horizontal", &s->rule_min_h);
        attr_num(n, "min-vertical", &s->rule_min_v);
    }
}

static void apply_reader2(ocr_settings *s, xmlNodePtr n)
{
    s->lines2_mode = attr_is(n, "lines", "all")      ? OCR_LINES2_ALL
                     : attr_is(n, "lines", "cjk")    ? OCR_LINES2_CJK
                     : attr_is(n, "lines", "unsure") ? OCR_LINES2_UNSURE
                                                     : OCR_LINES2_NONE;
    attr_num(n, "below", &s->lines2_below);
    attr_num(n, "min-prob", &s->lines2_min_prob);
    s->lines2_cells = attr_is(n, "cells", "true");
}

static void apply_recognition(ocr_settings *s, xmlNodePtr n)
{
    if (named(n, "cells")) {
        s->cells_on = attr_on(n);
        attr_int(n, "inset", &s->cell_inset);
        attr_int(n, "min-size", &s->min_cell);
    } else if (named(n, "input")) {
        s->feed_binary = attr_is(n, "image", "binary");
    } else if (named(n, "resolution")) {
        attr_int(n, "default-dpi", &s->dpi_default);
        attr_int(n, "upscale-below", &s->upscale_below);
        attr_int(n, "upscale-to", &s->upscale_to);
        attr_int(n, "upscale-bilevel-below", &s->upscale_bilevel_below);
        attr_int(n, "downscale-above", &s->downscale_above);
        attr_int(n, "downscale-to", &s->downscale_to);
    } else if (named(n, "filter")) {
        s->filter_on = attr_on(n);
    } else if (named(n, "negative")) {
        s->negative_on = attr_on(n);
    } else if (named(n, "punctuation")) {
        s->widen_on = attr_is(n, "widen", "true");
    } else if (named(n, "bands")) {
        attr_num(n, "weak-share", &s->weak_band);
    } else if (named(n, "dot-matrix")) {
        s->dots_on = attr_on(n);
    } else if (named(n, "lighter-print")) {
        s->lighter_on = attr_on(n);
    } else if (named(n, "floor")) {
        s->floor_on = attr_on(n);
    } else if (named(n, "reader2")) {
        apply_reader2(s, n);
    } else if (named(n, "budget")) {
        s->budget_on = attr_on(n);
        attr_num(n, "retries", &s->budget_retries);
        attr_num(n, "page", &s->budget_page);
        attr_num(n, "time-limit", &s->time_limit);
    } else if (named(n, "faded-ink")) {
        s->faded_on = attr_on(n);
        s->faded_cells_on = !attr_is(n, "cells", "false");
    }
}

static void apply_limits(ocr_limits *l, xmlNodePtr n)
{
    int mp = (int)(l->max_pixels / 1000000);
    attr_int(n, "pages-per-file", &l->max_pages);
    attr_int(n, "megapixels-per-page", &mp);
    attr_int(n, "min-side", &l->min_side);
    l->max_pixels = mp * 1000000LL;
}

static void apply_doc(ocr_settings *s, xmlDocPtr doc)
{
    for (xmlNodePtr sec = xmlDocGetRootElement(doc)->children; sec; sec = sec->next) {
        if (named(sec, "limits"))
            apply_limits(&s->limits, sec);
        for (xmlNodePtr n = sec->children; n; n = n->next) {
            if (named(sec, "cleanup"))
                apply_cleanup(s, n);
            else if (named(sec, "recognition"))
                apply_recognition(s, n);
        }
    }
}

static int load_file(ocr_settings *s, const char *path, dg_err *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (dg_read_file(path, (size_t)1 << 20, &data, &len, err))
        return DG_EINPUT;
    xmlconf_doc *doc = NULL;
    int rc = xmlconf_load(path, data, len, "OCR settings", ocr_rng_text, ocr_rng_text_len, &doc,
                         err);
    if (rc == DG_OK)
        apply_doc(s, doc);
    xmlconf_free(&doc);
    free(data);
    return rc;
}

int ocr_settings_load(const char *path, ocr_settings **out, dg_err *err)
{
    *out = NULL;
    ocr_settings *s = calloc(1, sizeof *s);
    if (!s)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    settings_defaults(s);
    int rc = path ? load_file(s, path, err) : DG_OK;
    if (rc == DG_OK && settings_to_json(s))
        rc = dg_err_set(err, DG_ENOMEM, "out of memory");
    if (rc) {
        ocr_settings_free(&s);
        return rc;
    }
    *out = s;
    return DG_OK;
}

void ocr_settings_free(ocr_settings **ps)
{
    if (!ps || !*ps)
        return;
    free((*ps)->json);
    free(*ps);
    *ps = NULL;
}

const char *ocr_settings_json(const ocr_settings *s)
{
    return s->json;
}

void ocr_settings_limits(const ocr_settings *s, ocr_limits *out)
{
    *out = s->limits;
}
