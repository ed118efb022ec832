/*
 * mets.c - one archived study record as METS 1.12: Dublin Core and
 * dangan's own fields (dmdSec), the PREMIS 3 object of each source scan
 * with its SHA-256, the record's events (events.c) and their agents
 * (amdSec), the scans (fileSec) and the pages with the record's box on
 * each (structMap).  Written with libxml2's xmlTextWriter and checked
 * against schema/mets-dangan.rng (compiled in) before anyone sees it.
 */
#include "exchange_internal.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>

#include "fieldkeys.h"
#include "xmlconf.h"

#define NS_METS "http://www.loc.gov/METS/"
#define NS_PREMIS "http://www.loc.gov/premis/v3"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_XLINK "http://www.w3.org/1999/xlink"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_DANGAN "tag:dangan.local,2026:record"
#define LOC_EVENT_TYPE "http://id.loc.gov/vocabulary/preservation/eventType"

/* A writer that remembers its first failure, so the document is written
 * straight through and checked once. */
typedef struct mw {
    xmlTextWriterPtr w;
    dg_buf clean; /* scratch for text made XML-safe */
    int bad;
} mw;

/* s with what XML 1.0 cannot carry (ill-formed UTF-8, control characters)
 * replaced by U+FFFD: file names and OCR text are outside input. */
static const xmlChar *xml_safe(mw *m, const char *s)
{
    dg_buf_reset(&m->clean);
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t c = dg_utf8_next(s, n, &i);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF)
            c = 0xFFFD;
        if (dg_utf8_add(&m->clean, c))
            m->bad = 1;
    }
    return (const xmlChar *)(m->clean.data ? m->clean.data : "");
}

static void start(mw *m, const char *name)
{
    if (!m->bad && xmlTextWriterStartElement(m->w, (const xmlChar *)name) < 0)
        m->bad = 1;
}

static void end(mw *m)
{
    if (!m->bad && xmlTextWriterEndElement(m->w) < 0)
        m->bad = 1;
}

static void attr(mw *m, const char *name, const char *value)
{
    if (!m->bad && xmlTextWriterWriteAttribute(m->w, (const xmlChar *)name,
                                               xml_safe(m, value ? value : "")) < 0)
        m->bad = 1;
}

static void attrf(mw *m, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void attrf(mw *m, const char *name, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    attr(m, name, buf);
}

/* <name>text</name>; nothing when text is NULL or "". */
static void elem(mw *m, const char *name, const char *text)
{
    if (!text || !*text)
        return;
    start(m, name);
    if (!m->bad && xmlTextWriterWriteString(m->w, xml_safe(m, text)) < 0)
        m->bad = 1;
    end(m);
}

static void elemf(mw *m, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void elemf(mw *m, const char *name, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    elem(m, name, buf);
}

/* ---- what the document is about -------------------------------------------- */

/* A source of the study record: its record, page region and scan. */
typedef struct src {
    int64_t record, file;
    char *role, *template, *path, *sha256, *format, *added;
    int page, row, page_count; /* page 1-based */
    int64_t size;
    int x, y, w, h;
} src;

typedef struct rec {
    const arc_study_row *row;
    src *v;
    size_t n;
    ex_events ev;
} rec;

static void study_release(rec *s)
{
    for (size_t i = 0; i < s->n; i++) {
        src *x = &s->v[i];
        free(x->role);
        free(x->template);
        free(x->path);
        free(x->sha256);
        free(x->format);
        free(x->added);
    }
    free(s->v);
    ex_events_release(&s->ev);
}

static int read_sources(sqlite3 *db, rec *s, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db,
                   "SELECT r.id, f.id, ss.role, r.template, f.path, f.sha256, f.format, f.added, "
                   "pg.page_index + 1, r.row_no, f.page_count, f.size, r.x, r.y, r.w, r.h "
                   "FROM study_source ss JOIN record r ON r.id = ss.record_id "
                   "JOIN page pg ON pg.id = r.page_id JOIN file f ON f.id = pg.file_id "
                   "WHERE ss.study_id = ?1 ORDER BY ss.role <> 'primary', r.id",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, s->row->study);
    int rc, status = DG_OK;
    while (!status && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        src *v = ex_grow(s->v, s->n, sizeof *v);
        if (!v) {
            status = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        s->v = v;
        src *x = &v[s->n++];
        x->record = sqlite3_column_int64(st, 0);
        x->file = sqlite3_column_int64(st, 1);
        status = ex_col_dup(st, 2, &x->role);
        status = status ? status : ex_col_dup(st, 3, &x->template);
        status = status ? status : ex_col_dup(st, 4, &x->path);
        status = status ? status : ex_col_dup(st, 5, &x->sha256);
        status = status ? status : ex_col_dup(st, 6, &x->format);
        status = status ? status : ex_col_dup(st, 7, &x->added);
        x->page = sqlite3_column_int(st, 8);
        x->row = sqlite3_column_int(st, 9);
        x->page_count = sqlite3_column_int(st, 10);
        x->size = sqlite3_column_int64(st, 11);
        x->x = sqlite3_column_int(st, 12);
        x->y = sqlite3_column_int(st, 13);
        x->w = sqlite3_column_int(st, 14);
        x->h = sqlite3_column_int(st, 15);
        if (status)
            dg_err_set(err, status, "out of memory");
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(db, err, "cannot read the sources of a study record");
    sqlite3_finalize(st);
    return status;
}

static const char *fv(const rec *s, const char *key)
{
    int i = dg_field_key_index(key);
    const char *v = i >= 0 ? s->row->fields[i] : NULL;
    return v && *v ? v : NULL;
}

static const char *mimetype(const char *format)
{
    if (strcmp(format, "jpeg") == 0)
        return "image/jpeg";
    if (strcmp(format, "png") == 0)
        return "image/png";
    return strcmp(format, "tiff") == 0 ? "image/tiff" : "application/octet-stream";
}

/* ---- the sections ------------------------------------------------------------ */

static void dublin_core(mw *m, const rec *s)
{
    const char *name = fv(s, "name"), *major = fv(s, "major"), *grad = fv(s, "grad_date");
    start(m, "mets:dmdSec");
    attr(m, "ID", "dmd-dc");
    start(m, "mets:mdWrap");
    attr(m, "MDTYPE", "DC");
    attr(m, "LABEL", "Dublin Core");
    start(m, "mets:xmlData");
    elemf(m, "dc:title", "研究生学籍记录：%s", name ? name : "（姓名未录）");
    elem(m, "dc:creator", fv(s, "university"));
    if (major) {
        const char *code = fv(s, "major_code"), *ed = s->row->major_edition;
        if (code)
            elemf(m, "dc:subject", "%s (historical code %s%s%s)", major, code,
                  ed && *ed ? ", catalog " : "", ed && *ed ? ed : "");
        else
            elem(m, "dc:subject", major);
    }
    if (fv(s, "current_code"))
        elemf(m, "dc:subject", "%s %s (2022 catalog)", fv(s, "current_code"),
              fv(s, "current_name") ? fv(s, "current_name") : "");
    /* One line of the values DC has no element for. */
    static const struct {
        const char *key, *label;
    } desc[] = {{"sex", "性别"},          {"birth_date", "出生"}, {"department", "院系"},
                {"degree", "学位"},       {"enroll_date", "入学"}, {"grad_date", "毕业"},
                {"supervisor", "导师"}};
    dg_buf d;
    dg_buf_init(&d, 0);
    for (size_t i = 0; i < sizeof desc / sizeof *desc; i++)
        if (fv(s, desc[i].key) &&
            dg_buf_addf(&d, "%s%s：%s", d.len ? "；" : "", desc[i].label, fv(s, desc[i].key)))
            m->bad = 1;
    elem(m, "dc:description", d.data);
    dg_buf_release(&d);
    elem(m, "dc:contributor", fv(s, "supervisor"));
    elem(m, "dc:date", grad);
    if (fv(s, "enroll_date") || grad)
        elemf(m, "dc:coverage", "%s/%s", fv(s, "enroll_date") ? fv(s, "enroll_date") : "..",
              grad ? grad : "..");
    elem(m, "dc:type", "Text");
    elem(m, "dc:type", "研究生学籍记录");
    elemf(m, "dc:identifier", "dangan:study:%lld", (long long)s->row->study);
    if (fv(s, "student_no"))
        elemf(m, "dc:identifier", "学号 %s", fv(s, "student_no"));
    if (fv(s, "certificate_no"))
        elemf(m, "dc:identifier", "证书编号 %s", fv(s, "certificate_no"));
    for (size_t i = 0; i < s->n; i++) {
        char row[32] = "";
        if (s->v[i].row > 0)
            snprintf(row, sizeof row, ", ledger row %d", s->v[i].row);
        elemf(m, "dc:source", "%s, page %d%s (sha256 %s)", s->v[i].path, s->v[i].page, row,
              s->v[i].sha256);
    }
    elem(m, "dc:language", "zh");
    end(m);
    end(m);
    end(m);
}

/* Every archived key with its current value, for readers that want them
 * exactly as lookup shows them (DC folds several into prose). */
static void dangan_fields(mw *m, const rec *s)
{
    start(m, "mets:dmdSec");
    attr(m, "ID", "dmd-dangan");
    start(m, "mets:mdWrap");
    attr(m, "MDTYPE", "OTHER");
    attr(m, "OTHERMDTYPE", "dangan-fields");
    start(m, "mets:xmlData");
    start(m, "dg:record");
    attrf(m, "study", "%lld", (long long)s->row->study);
    if (s->row->major_edition)
        attr(m, "edition", s->row->major_edition);
    attr(m, "loaded", s->row->loaded);
    for (int i = 0; i < ARC_NFIELDS; i++) {
        if (!s->row->fields[i])
            continue;
        start(m, "dg:field");
        attr(m, "key", dg_field_keys[i].key);
        if (!m->bad && xmlTextWriterWriteString(m->w, xml_safe(m, s->row->fields[i])) < 0)
            m->bad = 1;
        end(m);
    }
    end(m);
    end(m);
    end(m);
    end(m);
}

static void wrap_start(mw *m, const char *section, const char *id, const char *mdtype)
{
    start(m, section);
    attr(m, "ID", id);
    start(m, "mets:mdWrap");
    attr(m, "MDTYPE", mdtype);
    start(m, "mets:xmlData");
}

static void wrap_end(mw *m)
{
    end(m);
    end(m);
    end(m);
}

static void premis_id(mw *m, const char *kind, const char *type, const char *value)
{
    char n[3][64];
    snprintf(n[0], sizeof n[0], "premis:%sIdentifier", kind);
    snprintf(n[1], sizeof n[1], "premis:%sIdentifierType", kind);
    snprintf(n[2], sizeof n[2], "premis:%sIdentifierValue", kind);
    start(m, n[0]);
    elem(m, n[1], type);
    elem(m, n[2], value);
}

/* Each distinct file once: the sources may share a scan (a ledger's rows). */
static int first_of_file(const rec *s, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (s->v[j].file == s->v[i].file)
            return 0;
    return 1;
}

static void premis_object(mw *m, const src *x)
{
    char id[64];
    snprintf(id, sizeof id, "tech-file-%lld", (long long)x->file);
    wrap_start(m, "mets:techMD", id, "PREMIS:OBJECT");
    start(m, "premis:object");
    attr(m, "xsi:type", "premis:file");
    premis_id(m, "object", "SHA-256", x->sha256);
    end(m);
    start(m, "premis:objectCharacteristics");
    elem(m, "premis:compositionLevel", "0");
    start(m, "premis:fixity");
    elem(m, "premis:messageDigestAlgorithm", "SHA-256");
    elem(m, "premis:messageDigest", x->sha256);
    elem(m, "premis:messageDigestOriginator", "dangan ingest");
    end(m);
    elemf(m, "premis:size", "%lld", (long long)x->size);
    start(m, "premis:format");
    start(m, "premis:formatDesignation");
    elem(m, "premis:formatName", mimetype(x->format));
    end(m);
    end(m);
    end(m);
    elem(m, "premis:originalName", x->path);
    end(m);
    wrap_end(m);
}

static void premis_event(mw *m, const rec *s, const ex_event *e)
{
    char id[128];
    snprintf(id, sizeof id, "ev-%s", e->id);
    wrap_start(m, "mets:digiprovMD", id, "PREMIS:EVENT");
    start(m, "premis:event");
    premis_id(m, "event", "local", e->id);
    end(m);
    start(m, "premis:eventType");
    if (e->loc_type) {
        attr(m, "authority", "eventType");
        attr(m, "authorityURI", LOC_EVENT_TYPE);
    }
    if (!m->bad && xmlTextWriterWriteString(m->w, xml_safe(m, e->type)) < 0)
        m->bad = 1;
    end(m);
    elem(m, "premis:eventDateTime", e->when);
    start(m, "premis:eventDetailInformation");
    elem(m, "premis:eventDetail", e->detail);
    end(m);
    start(m, "premis:eventOutcomeInformation");
    elem(m, "premis:eventOutcome", e->outcome);
    if (*e->note) {
        start(m, "premis:eventOutcomeDetail");
        elem(m, "premis:eventOutcomeDetailNote", e->note);
        end(m);
    }
    end(m);
    start(m, "premis:linkingAgentIdentifier");
    elem(m, "premis:linkingAgentIdentifierType", "local");
    elem(m, "premis:linkingAgentIdentifierValue", e->agent);
    elem(m, "premis:linkingAgentRole", e->person ? "authorizer" : "executing program");
    end(m);
    start(m, "premis:linkingObjectIdentifier");
    const char *sha = NULL;
    for (size_t i = 0; e->file && i < s->n; i++)
        if (s->v[i].file == e->file)
            sha = s->v[i].sha256;
    char study_id[64];
    snprintf(study_id, sizeof study_id, "dangan:study:%lld", (long long)s->row->study);
    elem(m, "premis:linkingObjectIdentifierType", sha ? "SHA-256" : "local");
    elem(m, "premis:linkingObjectIdentifierValue", sha ? sha : study_id);
    end(m);
    end(m);
    wrap_end(m);
}

static void premis_agents(mw *m, const rec *s)
{
    for (size_t i = 0; i < s->ev.n; i++) {
        const ex_event *e = &s->ev.v[i];
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(s->ev.v[j].agent, e->agent) == 0;
        if (seen)
            continue;
        char id[64];
        snprintf(id, sizeof id, "agent-%zu", i + 1);
        wrap_start(m, "mets:digiprovMD", id, "PREMIS:AGENT");
        start(m, "premis:agent");
        premis_id(m, "agent", "local", e->agent);
        end(m);
        elem(m, "premis:agentName", e->agent);
        elem(m, "premis:agentType", e->person ? "person" : "software");
        end(m);
        wrap_end(m);
    }
}

static void file_sec(mw *m, const rec *s)
{
    start(m, "mets:fileSec");
    start(m, "mets:fileGrp");
    attr(m, "USE", "master");
    for (size_t i = 0; i < s->n; i++) {
        const src *x = &s->v[i];
        if (!first_of_file(s, i))
            continue;
        start(m, "mets:file");
        attrf(m, "ID", "file-%lld", (long long)x->file);
        attr(m, "MIMETYPE", mimetype(x->format));
        attrf(m, "SIZE", "%lld", (long long)x->size);
        attr(m, "CREATED", x->added);
        attr(m, "CHECKSUM", x->sha256);
        attr(m, "CHECKSUMTYPE", "SHA-256");
        /* The object and the events about this file. */
        dg_buf ids;
        dg_buf_init(&ids, 0);
        if (dg_buf_addf(&ids, "tech-file-%lld", (long long)x->file))
            m->bad = 1;
        for (size_t j = 0; j < s->ev.n; j++)
            if (s->ev.v[j].file == x->file && dg_buf_addf(&ids, " ev-%s", s->ev.v[j].id))
                m->bad = 1;
        attr(m, "ADMID", ids.data);
        dg_buf_release(&ids);
        start(m, "mets:FLocat");
        attr(m, "LOCTYPE", "OTHER");
        attr(m, "OTHERLOCTYPE", "dangan-ingest-path");
        attr(m, "xlink:href", x->path);
        end(m);
        end(m);
    }
    end(m);
    end(m);
}

static void struct_map(mw *m, const rec *s)
{
    start(m, "mets:structMap");
    attr(m, "TYPE", "physical");
    start(m, "mets:div");
    attr(m, "TYPE", "study record");
    attr(m, "LABEL", fv(s, "name") ? fv(s, "name") : "");
    attr(m, "DMDID", "dmd-dc dmd-dangan");
    dg_buf ids;
    dg_buf_init(&ids, 0);
    for (size_t j = 0; j < s->ev.n; j++)
        if (!s->ev.v[j].file && dg_buf_addf(&ids, "%sev-%s", ids.len ? " " : "", s->ev.v[j].id))
            m->bad = 1;
    if (ids.len)
        attr(m, "ADMID", ids.data);
    dg_buf_release(&ids);
    for (size_t i = 0; i < s->n; i++) {
        const src *x = &s->v[i];
        start(m, "mets:div");
        attr(m, "TYPE", "page");
        attrf(m, "ORDER", "%zu", i + 1);
        attrf(m, "ORDERLABEL", "%d", x->page);
        if (x->row > 0)
            attrf(m, "LABEL", "%s source: page %d of %s, ledger row %d (record %lld)", x->role,
                  x->page, x->path, x->row, (long long)x->record);
        else
            attrf(m, "LABEL", "%s source: page %d of %s (record %lld)", x->role, x->page,
                  x->path, (long long)x->record);
        start(m, "mets:fptr");
        attrf(m, "FILEID", "file-%lld", (long long)x->file);
        if (x->w > 0 && x->h > 0) {
            /* The record's region on the page, in the scan's own pixels. */
            start(m, "mets:area");
            attrf(m, "FILEID", "file-%lld", (long long)x->file);
            attr(m, "SHAPE", "RECT");
            attrf(m, "COORDS", "%d,%d,%d,%d", x->x, x->y, x->x + x->w, x->y + x->h);
            end(m);
        }
        end(m);
        end(m);
    }
    end(m);
    end(m);
}

static int write_doc(mw *m, const rec *s)
{
    char now[32];
    dg_now_iso(now);
    if (xmlTextWriterStartDocument(m->w, "1.0", "UTF-8", NULL) < 0)
        return 1;
    xmlTextWriterSetIndent(m->w, 1);
    start(m, "mets:mets");
    attr(m, "xmlns:mets", NS_METS);
    attr(m, "xmlns:premis", NS_PREMIS);
    attr(m, "xmlns:dc", NS_DC);
    attr(m, "xmlns:xlink", NS_XLINK);
    attr(m, "xmlns:xsi", NS_XSI);
    attr(m, "xmlns:dg", NS_DANGAN);
    attrf(m, "OBJID", "dangan:study:%lld", (long long)s->row->study);
    attr(m, "TYPE", "graduate study record");
    attr(m, "PROFILE", "dangan METS profile 1 (schema/mets-dangan.rng)");
    attr(m, "LABEL", fv(s, "name") ? fv(s, "name") : "");
    start(m, "mets:metsHdr");
    attr(m, "CREATEDATE", now);
    attr(m, "RECORDSTATUS", "archived");
    start(m, "mets:agent");
    attr(m, "ROLE", "CREATOR");
    attr(m, "TYPE", "OTHER");
    attr(m, "OTHERTYPE", "SOFTWARE");
    elem(m, "mets:name", "dangan " DANGAN_VERSION);
    end(m);
    if (fv(s, "university")) {
        start(m, "mets:agent");
        attr(m, "ROLE", "CUSTODIAN");
        attr(m, "TYPE", "ORGANIZATION");
        elem(m, "mets:name", fv(s, "university"));
        end(m);
    }
    end(m);
    dublin_core(m, s);
    dangan_fields(m, s);
    start(m, "mets:amdSec");
    attr(m, "ID", "amd");
    for (size_t i = 0; i < s->n; i++)
        if (first_of_file(s, i))
            premis_object(m, &s->v[i]);
    for (size_t i = 0; i < s->ev.n; i++)
        premis_event(m, s, &s->ev.v[i]);
    premis_agents(m, s);
    end(m);
    file_sec(m, s);
    struct_map(m, s);
    end(m);
    if (!m->bad && xmlTextWriterEndDocument(m->w) < 0)
        m->bad = 1;
    return m->bad;
}

/* Check a document against the profile with libxml2's RELAX NG. */
static int validate(int64_t study, const char *xml, size_t len, dg_err *err)
{
    char label[64];
    snprintf(label, sizeof label, "study-%lld.mets.xml", (long long)study);
    xmlconf_doc *doc = NULL;
    int rc = xmlconf_load(label, (const unsigned char *)xml, len, "METS document", ex_mets_rng,
                          ex_mets_rng_len, &doc, err);
    xmlconf_free(&doc);
    return rc ? DG_ERR : DG_OK;
}

static int build_row(sqlite3 *db, const arc_study_row *row, char **xml, size_t *len,
                     dg_err *err)
{
    rec s = {.row = row};
    int rc = read_sources(db, &s, err);
    rc = rc ? rc : ex_events_read(db, row->study, &s.ev, err);
    if (rc) {
        study_release(&s);
        return rc;
    }
    xmlBufferPtr buf = xmlBufferCreate();
    mw m = {.w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL};
    dg_buf_init(&m.clean, 0);
    int bad = !m.w || write_doc(&m, &s);
    if (m.w)
        xmlFreeTextWriter(m.w); /* flushes into buf */
    dg_buf_release(&m.clean);
    study_release(&s);
    if (bad || !buf) {
        xmlBufferFree(buf);
        return dg_err_set(err, DG_ENOMEM, "cannot write the METS of study record %lld",
                          (long long)row->study);
    }
    *len = (size_t)xmlBufferLength(buf);
    *xml = malloc(*len + 1);
    if (*xml)
        memcpy(*xml, xmlBufferContent(buf), *len + 1);
    xmlBufferFree(buf);
    if (!*xml)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    rc = validate(row->study, *xml, *len, err);
    if (rc) {
        free(*xml);
        *xml = NULL;
    }
    return rc;
}

int ex_mets_build(sqlite3 *db, int64_t study, char **xml, size_t *len, dg_err *err)
{
    *xml = NULL;
    *len = 0;
    if (study <= 0)
        return dg_err_set(err, DG_EUSAGE, "no study record %lld", (long long)study);
    arc_study_cursor *c;
    int rc = arc_study_cursor_new(db, study, &c, err);
    if (rc)
        return rc;
    arc_study_row row;
    rc = arc_study_cursor_next(c, &row, err);
    if (rc == 0)
        rc = dg_err_set(err, DG_ENOTFOUND, "no archived study record %lld", (long long)study);
    else if (rc > 0)
        rc = build_row(db, &row, xml, len, err);
    arc_study_cursor_free(&c);
    return rc;
}

static long count_studies(sqlite3 *db, int64_t study)
{
    int64_t n = 0;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM study_record WHERE %lld = 0 OR id = %lld",
             (long long)study, (long long)study);
    return db_query_int(db, sql, &n, NULL) ? 0 : (long)n;
}

static int export_all(sqlite3 *db, const char *dir, int64_t study, const arc_progress *prog,
                      long *count, dg_err *err)
{
    long total = count_studies(db, study);
    arc_study_cursor *c;
    int rc = arc_study_cursor_new(db, study, &c, err);
    if (rc)
        return rc;
    arc_study_row row;
    while ((rc = arc_study_cursor_next(c, &row, err)) > 0) {
        char *xml;
        size_t len;
        rc = build_row(db, &row, &xml, &len, err);
        if (rc)
            break;
        char path[4200], name[64];
        snprintf(name, sizeof name, "study-%lld.mets.xml", (long long)row.study);
        if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
            rc = dg_err_set(err, DG_EUSAGE, "output directory name too long");
        rc = rc ? rc : ex_write_file(path, xml, len, err);
        free(xml);
        if (rc)
            break;
        (*count)++;
        if (prog && prog->update)
            prog->update(prog->ud, "mets", *count, total, name);
    }
    arc_study_cursor_free(&c);
    if (rc == 0 && study > 0 && *count == 0)
        rc = dg_err_set(err, DG_ENOTFOUND, "no archived study record %lld", (long long)study);
    return rc;
}

int ex_export_mets(sqlite3 *db, const char *dir, int64_t study, const char *who,
                   const arc_progress *prog, long *count, dg_err *err)
{
    long n = 0;
    int rc = ex_mkdir(dir, err);
    /* Deferred BEGIN: one read snapshot for every file, no write lock. */
    rc = rc ? rc : db_exec(db, "BEGIN", err);
    if (rc)
        return rc;
    rc = export_all(db, dir, study, prog, &n, err);
    db_exec(db, "COMMIT", NULL);
    if (count)
        *count = n;
    if (n == 0)
        return rc;
    char query[96];
    snprintf(query, sizeof query, "{\"what\":\"mets\",\"study\":%lld}", (long long)study);
    int lrc = ex_log_export(db, who, query, n, rc ? NULL : err);
    return rc ? rc : lrc;
}
