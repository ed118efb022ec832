/*
 * xmlconf.c - reading XML configuration (OCR settings, form templates)
 * safely: these files come from archivists, so they are outside input.
 * A DOCTYPE (the only way to declare entities) is refused before parsing;
 * the parser never fetches from the network, never loads a DTD and never
 * expands entities; the document must then match its RELAX NG grammar.
 * Every refusal reads "invalid WHAT 'PATH':LINE: what is wrong".
 */
#include "xmlconf.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <string.h>

typedef struct xml_report {
    const char *what, *path;
    dg_err *err;
    int failed;
} xml_report;

static int report(xml_report *r, long line, const char *message)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", message ? message : "invalid");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    r->failed = 1;
    return dg_err_set(r->err, DG_EINPUT, "invalid %s '%s':%ld: %s", r->what, r->path, line, msg);
}

/* First error wins: later ones are usually consequences of it. */
static void on_error(void *ud, xmlErrorPtr e)
{
    xml_report *r = ud;
    if (r->failed || !e || e->level < XML_ERR_ERROR)
        return;
    /* RELAX NG errors often carry only the node: take its line from there. */
    long line = e->line;
    if (line <= 0 && e->node)
        line = xmlGetLineNo((xmlNodePtr)e->node);
    report(r, line, e->message);
}

static int refuse_doctype(xml_report *r, const unsigned char *data, size_t len)
{
    static const char tag[] = "<!DOCTYPE";
    const size_t tl = sizeof tag - 1;
    long line = 1;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n')
            line++;
        if (data[i] == '<' && i + tl <= len && memcmp(data + i, tag, tl) == 0)
            return report(r, line, "DOCTYPE not allowed (entities are refused)");
    }
    return DG_OK;
}

static int parse(xml_report *r, const unsigned char *data, size_t len, xmlDocPtr *doc)
{
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    if (!ctx)
        return dg_err_set(r->err, DG_ENOMEM, "out of memory reading %s '%s'", r->what, r->path);
    /* NONET: no fetching; no NOENT, DTDLOAD or HUGE: entities stay unexpanded. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    *doc = xmlCtxtReadMemory(ctx, (const char *)data, (int)len, r->path, NULL, opts);
    int rc = DG_OK;
    if (!*doc || !ctx->wellFormed) {
        xmlErrorPtr e = xmlCtxtGetLastError(ctx);
        rc = report(r, e ? e->line : 0, e ? e->message : "not well-formed XML");
    } else if ((*doc)->intSubset || (*doc)->extSubset) {
        rc = report(r, 1, "DOCTYPE not allowed (entities are refused)");
    }
    if (rc && *doc) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    xmlFreeParserCtxt(ctx);
    return rc;
}

static int validate(xml_report *r, const char *rng, size_t rng_len, xmlDocPtr doc)
{
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(rng, (int)rng_len);
    xmlRelaxNGPtr grammar = pc ? xmlRelaxNGParse(pc) : NULL;
    xmlRelaxNGFreeParserCtxt(pc);
    if (!grammar)
        return dg_err_set(r->err, DG_ERR, "cannot load the grammar for %s files", r->what);
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(grammar);
    int rc = DG_OK;
    if (!vc) {
        rc = dg_err_set(r->err, DG_ENOMEM, "out of memory validating '%s'", r->path);
    } else {
        xmlRelaxNGSetValidStructuredErrors(vc, on_error, r);
        if (xmlRelaxNGValidateDoc(vc, doc) != 0 && !r->failed)
            rc = report(r, 0, "does not match its grammar");
        else if (r->failed)
            rc = DG_EINPUT;
        xmlRelaxNGFreeValidCtxt(vc);
    }
    xmlRelaxNGFree(grammar);
    return rc;
}

int xmlconf_load(const char *path, const unsigned char *data, size_t len, const char *what,
                const char *rng, size_t rng_len, xmlconf_doc **out, dg_err *err)
{
    xml_report r = {what, path, err, 0};
    xmlDocPtr doc = NULL;
    *out = NULL;
    int rc = refuse_doctype(&r, data, len);
    if (!rc)
        rc = parse(&r, data, len, &doc);
    if (!rc)
        rc = validate(&r, rng, rng_len, doc);
    if (rc) {
        xmlFreeDoc(doc);
        return rc;
    }
    *out = doc;
    return DG_OK;
}

void xmlconf_free(xmlconf_doc **doc)
{
    if (doc && *doc) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
}
