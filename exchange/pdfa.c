/*
 * pdfa.c - what PDF/A-2b asks of the access copy beyond what cairo writes:
 * an XMP metadata stream declaring PDF/A-2B that agrees with the document
 * information dictionary, an sRGB output intent (the pages paint in
 * DeviceRGB/DeviceGray) and a file identifier in the trailer.  cairo 1.16
 * has no API for any of them, so the finished PDF is read back with qpdf
 * and the three are added to the catalog and trailer; the pages are not
 * touched.  The XMP is written with libxml2; the sRGB profile is colord's
 * (CC0), compiled in.
 */
#include "exchange_internal.h"

#include <libxml/xmlwriter.h>
#include <qpdf/qpdf-c.h>
#include <stdio.h>

extern const char ex_srgb_icc[];
extern const size_t ex_srgb_icc_len;

/* "2026-12-07T17:04:21Z" as a PDF date, "D:20261207170421Z". */
static void pdf_date(const char *iso, char out[32])
{
    char d[16] = {0};
    size_t k = 0;
    for (const char *p = iso; *p && k < 14; p++)
        if (*p >= '0' && *p <= '9')
            d[k++] = *p;
    snprintf(out, 32, "D:%sZ", d);
}

static int xw(int rc, int *bad)
{
    if (rc < 0)
        *bad = 1;
    return rc;
}

/* <NAME><rdf:Alt><rdf:li xml:lang="x-default">TEXT</rdf:li></rdf:Alt></NAME> */
static void lang_alt(xmlTextWriterPtr w, const char *name, const char *text, int *bad)
{
    xw(xmlTextWriterStartElement(w, BAD_CAST name), bad);
    xw(xmlTextWriterStartElement(w, BAD_CAST "rdf:Alt"), bad);
    xw(xmlTextWriterStartElement(w, BAD_CAST "rdf:li"), bad);
    xw(xmlTextWriterWriteAttribute(w, BAD_CAST "xml:lang", BAD_CAST "x-default"), bad);
    xw(xmlTextWriterWriteString(w, BAD_CAST text), bad);
    xw(xmlTextWriterEndElement(w), bad);
    xw(xmlTextWriterEndElement(w), bad);
    xw(xmlTextWriterEndElement(w), bad);
}

/* The XMP packet, its values the information dictionary's. */
static xmlBufferPtr xmp_packet(const ex_pdf_meta *m)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (!w) {
        xmlBufferFree(buf);
        return NULL;
    }
    int bad = 0;
    xw(xmlTextWriterWritePI(w, BAD_CAST "xpacket",
                            BAD_CAST "begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\""),
       &bad);
    xw(xmlTextWriterStartElement(w, BAD_CAST "x:xmpmeta"), &bad);
    xw(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:x", BAD_CAST "adobe:ns:meta/"), &bad);
    xw(xmlTextWriterStartElement(w, BAD_CAST "rdf:RDF"), &bad);
    xw(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:rdf",
                                   BAD_CAST "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
       &bad);
    xw(xmlTextWriterStartElement(w, BAD_CAST "rdf:Description"), &bad);
    static const char *const ns[][2] = {
        {"rdf:about", ""},
        {"xmlns:pdfaid", "http://www.aiim.org/pdfa/ns/id/"},
        {"xmlns:dc", "http://purl.org/dc/elements/1.1/"},
        {"xmlns:xmp", "http://ns.adobe.com/xap/1.0/"},
        {"xmlns:pdf", "http://ns.adobe.com/pdf/1.3/"}};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
        xw(xmlTextWriterWriteAttribute(w, BAD_CAST ns[i][0], BAD_CAST ns[i][1]), &bad);
    xw(xmlTextWriterWriteElement(w, BAD_CAST "pdfaid:part", BAD_CAST "2"), &bad);
    xw(xmlTextWriterWriteElement(w, BAD_CAST "pdfaid:conformance", BAD_CAST "B"), &bad);
    xw(xmlTextWriterWriteElement(w, BAD_CAST "dc:format", BAD_CAST "application/pdf"), &bad);
    lang_alt(w, "dc:title", m->title, &bad);
    lang_alt(w, "dc:description", m->subject, &bad);
    xw(xmlTextWriterWriteElement(w, BAD_CAST "xmp:CreatorTool", BAD_CAST m->creator), &bad);
    xw(xmlTextWriterWriteElement(w, BAD_CAST "xmp:CreateDate", BAD_CAST m->created), &bad);
    xw(xmlTextWriterWriteElement(w, BAD_CAST "pdf:Producer", BAD_CAST m->producer), &bad);
    xw(xmlTextWriterEndElement(w), &bad);
    xw(xmlTextWriterEndElement(w), &bad);
    xw(xmlTextWriterEndElement(w), &bad);
    xw(xmlTextWriterWritePI(w, BAD_CAST "xpacket", BAD_CAST "end=\"w\""), &bad);
    xmlFreeTextWriter(w);
    if (bad) {
        xmlBufferFree(buf);
        return NULL;
    }
    return buf;
}

static qpdf_oh new_stream(qpdf_data q, const void *data, size_t len)
{
    qpdf_oh s = qpdf_oh_new_stream(q);
    qpdf_oh_replace_stream_data(q, s, data, len, qpdf_oh_new_null(q), qpdf_oh_new_null(q));
    return s;
}

static void set_str(qpdf_data q, qpdf_oh dict, const char *key, const char *utf8)
{
    qpdf_oh_replace_key(q, dict, key, qpdf_oh_new_unicode_string(q, utf8));
}

int ex_pdfa_finish(const unsigned char *pdf, size_t len, const ex_pdf_meta *m, FILE *out,
                   dg_err *err)
{
    xmlBufferPtr xmp = xmp_packet(m);
    if (!xmp)
        return dg_err_set(err, DG_ENOMEM, "cannot write the PDF's XMP metadata");
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    int rc = DG_OK;
    if (qpdf_read_memory(q, m->title, (const char *)pdf, len, NULL) & QPDF_ERRORS) {
        rc = dg_err_set(err, DG_ERR, "cannot read back the PDF of '%s': %s", m->title,
                        qpdf_get_error_full_text(q, qpdf_get_error(q)));
    } else {
        qpdf_oh root = qpdf_get_root(q), trailer = qpdf_get_trailer(q);
        /* The information dictionary anew, so XMP and it agree to the byte. */
        qpdf_oh info = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
        char date[32];
        pdf_date(m->created, date);
        set_str(q, info, "/Title", m->title);
        set_str(q, info, "/Subject", m->subject);
        set_str(q, info, "/Creator", m->creator);
        set_str(q, info, "/Producer", m->producer);
        set_str(q, info, "/CreationDate", date);
        qpdf_oh_replace_key(q, trailer, "/Info", info);

        qpdf_oh meta = new_stream(q, xmlBufferContent(xmp), (size_t)xmlBufferLength(xmp));
        qpdf_oh md = qpdf_oh_get_dict(q, meta);
        qpdf_oh_replace_key(q, md, "/Type", qpdf_oh_new_name(q, "/Metadata"));
        qpdf_oh_replace_key(q, md, "/Subtype", qpdf_oh_new_name(q, "/XML"));
        qpdf_oh_replace_key(q, root, "/Metadata", meta);

        qpdf_oh icc = new_stream(q, ex_srgb_icc, ex_srgb_icc_len);
        qpdf_oh_replace_key(q, qpdf_oh_get_dict(q, icc), "/N", qpdf_oh_new_integer(q, 3));
        qpdf_oh intent = qpdf_oh_new_dictionary(q);
        qpdf_oh_replace_key(q, intent, "/Type", qpdf_oh_new_name(q, "/OutputIntent"));
        qpdf_oh_replace_key(q, intent, "/S", qpdf_oh_new_name(q, "/GTS_PDFA1"));
        set_str(q, intent, "/OutputConditionIdentifier", "sRGB IEC61966-2.1");
        set_str(q, intent, "/Info", "sRGB IEC61966-2.1");
        set_str(q, intent, "/RegistryName", "http://www.color.org");
        qpdf_oh_replace_key(q, intent, "/DestOutputProfile", icc);
        qpdf_oh intents = qpdf_oh_new_array(q);
        qpdf_oh_append_item(q, intents, intent);
        qpdf_oh_replace_key(q, root, "/OutputIntents", intents);

        /* qpdf writes the trailer's /ID; deterministic: the same PDF in,
         * the same bytes out. */
        if ((qpdf_init_write_memory(q) & QPDF_ERRORS) ||
            (qpdf_set_deterministic_ID(q, QPDF_TRUE), qpdf_write(q) & QPDF_ERRORS))
            rc = dg_err_set(err, DG_ERR, "cannot write the PDF of '%s': %s", m->title,
                            qpdf_get_error_full_text(q, qpdf_get_error(q)));
        else if (fwrite(qpdf_get_buffer(q), 1, qpdf_get_buffer_length(q), out) !=
                 qpdf_get_buffer_length(q))
            rc = dg_err_set(err, DG_ERR, "cannot write the PDF of '%s': output error",
                            m->title);
    }
    qpdf_cleanup(&q);
    xmlBufferFree(xmp);
    return rc;
}
