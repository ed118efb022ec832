/*
 * issue.c - issuing a certificate of record: only from archived values
 * whose sources are settled (nothing of the record still in review), only
 * the fields the audience may see (profile.c), signed (key.c), drawn
 * (render.c), registered and recorded as a disclosure in one transaction.
 */
#include "certify_internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "normalize.h"
#include "db.h"
#include "fieldkeys.h"

/* ---- configs/certificate.conf ------------------------------------------------- */

static int conf_kv(void *user, const dg_kv *kv, dg_err *err)
{
    cert_conf *c = user;
    static const struct {
        const char *key;
        size_t off, size;
    } keys[] = {
#define K(f) {#f, offsetof(cert_conf, f), sizeof(((cert_conf *)0)->f)}
        K(university), K(university_en), K(office), K(office_en),
        K(seal_text), K(seal_text_en), K(serial_prefix), K(verify_url),
#undef K
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(kv->key, keys[i].key) == 0) {
            if (strlen(kv->value) >= keys[i].size)
                return dg_kv_fail(kv, err, "'%s' is too long", kv->key);
            memcpy((char *)c + keys[i].off, kv->value, strlen(kv->value) + 1);
            return DG_OK;
        }
    return dg_kv_fail(kv, err, "unknown setting '%s'", kv->key);
}

int cert_conf_load(const char *config_dir, cert_conf *c, dg_err *err)
{
    memset(c, 0, sizeof *c);
    char path[4096];
    snprintf(path, sizeof path, "%s/certificate.conf", config_dir ? config_dir : arc_config_dir());
    int rc = dg_kv_load(path, 0, NULL, conf_kv, c, err);
    if (!rc && (!*c->university || !*c->serial_prefix))
        rc = dg_err_set(err, DG_EINPUT, "'%s' must name the university and serial_prefix", path);
    /* a link a phone opens: http(s), nothing a query would break on */
    if (!rc && *c->verify_url &&
        ((strncmp(c->verify_url, "https://", 8) && strncmp(c->verify_url, "http://", 7)) ||
         c->verify_url[strcspn(c->verify_url, " \t?#\"'<>")]))
        rc = dg_err_set(err, DG_EINPUT,
                        "'%s': verify_url must be an http(s) address without spaces, quotes, "
                        "? or #, not '%s'", path, c->verify_url);
    return rc;
}

/* ---- what keeps a record from being certified ------------------------------------- */

/* Fields of the study's source records that are not settled, and open
 * review items on it (a QA draw is a check of a settled value, not doubt). */
static const char blockers_sql[] =
    "SELECT f.key, f.state, coalesce(f.flag, ''), '' FROM study_source ss "
    "JOIN field f ON f.record_id = ss.record_id "
    "WHERE ss.study_id = ?1 AND f.state IN ('review', 'invalid') "
    "UNION ALL "
    "SELECT coalesce(f.key, i.kind), 'open ' || i.kind || ' review item #' || i.id, "
    "  coalesce(i.reason, ''), coalesce(i.detail, '') FROM review_item i "
    "LEFT JOIN field f ON f.id = i.field_id "
    "WHERE i.state = 'open' AND coalesce(i.reason, '') <> 'qa' AND (i.study_id = ?1 "
    "  OR i.record_id IN (SELECT record_id FROM study_source WHERE study_id = ?1)) "
    "ORDER BY 1";

int cert_add_line(arc_lines *l, char *s)
{
    char **v = s ? realloc(l->v, (l->n + 1) * sizeof *v) : NULL;
    if (!v) {
        free(s);
        return DG_ENOMEM;
    }
    l->v = v;
    l->v[l->n++] = s;
    return DG_OK;
}

static int read_blockers(sqlite3 *db, int64_t study, arc_lines *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, blockers_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    int rc, status = DG_OK;
    while (!status && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_buf b;
        dg_buf_init(&b, 0);
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *state = (const char *)sqlite3_column_text(st, 1);
        const char *reason = (const char *)sqlite3_column_text(st, 2);
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        dg_buf_addf(&b, "%s: %s%s", key ? key : "?",
                    strcmp(state, "review") == 0 ? "in " : "", state);
        if (reason && *reason)
            dg_buf_addf(&b, " (%s%s%s)", reason, detail && *detail ? ": " : "",
                        detail ? detail : "");
        if (cert_add_line(out, dg_buf_detach(&b)))
            status = dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    if (!status && rc != SQLITE_DONE)
        status = db_fail(db, err, "cannot read the review state of the record");
    sqlite3_finalize(st);
    return status;
}

int cert_blockers(sqlite3 *db, int64_t study, arc_lines *out, dg_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = read_blockers(db, study, out, err);
    if (rc)
        arc_lines_release(out);
    return rc;
}

/* ---- the crosswalk path behind the 2022 discipline -------------------------------- */

typedef struct crosswalk {
    char *path, *edition, *decided;
} crosswalk;

static const char crosswalk_sql[] =
    "SELECT coalesce(mc.path, ''), coalesce(mc.edition, ''), "
    "  CASE WHEN f.match_rule IS NOT NULL THEN 'mapping rule #' || f.match_rule "
    "       WHEN f.match_decision = 'auto' OR f.match_decision IS NULL THEN '' "
    "       ELSE coalesce((SELECT 'reviewer ' || group_concat(DISTINCT d.operator) "
    "         FROM review_decision d JOIN review_item i ON i.id = d.item_id "
    "         WHERE i.field_id = f.id AND i.kind = 'match'), 'reviewer') END "
    "FROM study_source ss JOIN field f ON f.record_id = ss.record_id AND f.key = 'major' "
    "LEFT JOIN match_candidate mc ON mc.field_id = f.id AND mc.code = f.match_code "
    "WHERE ss.study_id = ?1 AND ss.role = 'primary' ORDER BY mc.rank LIMIT 1";

static int read_crosswalk(sqlite3 *db, int64_t study, crosswalk *cw, dg_err *err)
{
    memset(cw, 0, sizeof *cw);
    sqlite3_stmt *st;
    if (db_prepare(db, crosswalk_sql, &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, study);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cw->path = dg_strdup((const char *)sqlite3_column_text(st, 0));
        cw->edition = dg_strdup((const char *)sqlite3_column_text(st, 1));
        cw->decided = dg_strdup((const char *)sqlite3_column_text(st, 2));
    } else {
        cw->path = dg_strdup("");
        cw->edition = dg_strdup("");
        cw->decided = dg_strdup("");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(db, err, "cannot read the crosswalk path");
    return cw->path && cw->edition && cw->decided ? DG_OK
                                                  : dg_err_set(err, DG_ENOMEM, "out of memory");
}

static void crosswalk_release(crosswalk *cw)
{
    free(cw->path), free(cw->edition), free(cw->decided);
}

/* ---- issuing ------------------------------------------------------------------------ */

void cert_issued_release(cert_issued *r)
{
    free(r->payload);
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

static int json_kv(dg_buf *b, const char *key, const char *value)
{
    int rc = dg_buf_json_str(b, key) || dg_buf_addc(b, ':');
    if (value)
        rc = rc || dg_buf_json_str(b, value);
    else
        rc = rc || dg_buf_adds(b, "null");
    return rc || dg_buf_addc(b, ',');
}

/* The next serial: PREFIX-YEAR-NNNNNN, NNNNNN the register's next row id. */
static int next_serial(sqlite3 *db, const cert_conf *conf, const char *issued, char out[32],
                       dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "SELECT coalesce(max(id), 0) + 1 FROM certificate", &st, err))
        return DG_EDB;
    int rc = sqlite3_step(st);
    long long next = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_fail(db, err, "cannot read the certificate register");
    snprintf(out, 32, "%.8s-%.4s-%06lld", conf->serial_prefix, issued, next);
    return DG_OK;
}

typedef struct issue_ctx {
    sqlite3 *db;
    const cert_request *req;
    const char *who, *lang, *audience;
    cert_conf conf;
    crosswalk cw;
    cert_page page;
    char *name_pinyin; /* en/both: the certified name in Hanyu Pinyin */
    dg_buf content, payload;
    char issued[32], tmp[4200];
    int renamed; /* the PDF is in place: a failed commit removes it */
} issue_ctx;

/* An English certificate prints the name in Hanyu Pinyin as Chinese
 * documents in English do ("DUANMU Xiaofan", surnames by their surname
 * reading: normalize/readings.c); it is signed with the rest. */
static int name_in_pinyin(issue_ctx *c, const arc_study_row *row, const cert_profile *prof,
                          dg_err *err)
{
    int k = dg_field_key_index("name");
    const char *name = k >= 0 ? row->fields[k] : NULL;
    if (strcmp(c->lang, "zh") == 0 || !name || !*name || !cert_profile_allows(prof, "name"))
        return DG_OK;
    norm_ctx *nc = NULL;
    int rc = norm_ctx_new(c->req->config_dir ? c->req->config_dir : arc_config_dir(), &nc, err);
    rc = rc ? rc : norm_name_romanized(nc, name, &c->name_pinyin, err);
    norm_ctx_free(&nc);
    return rc;
}

static int build_content(issue_ctx *c, const arc_study_row *row, const cert_profile *prof,
                         cert_issued *out, dg_err *err)
{
    dg_buf *b = &c->content;
    dg_buf raw;
    dg_buf_init(&raw, 0);
    int rc = dg_buf_addc(&raw, '{');
    rc = rc || json_kv(&raw, "v", "1") || json_kv(&raw, "serial", out->serial) ||
         json_kv(&raw, "issued", c->issued) || json_kv(&raw, "key", cert_key_id(c->req->key)) ||
         json_kv(&raw, "lang", c->lang) || json_kv(&raw, "audience", c->audience) ||
         json_kv(&raw, "for", c->req->requester) || json_kv(&raw, "purpose", c->req->purpose) ||
         json_kv(&raw, "issuer", c->conf.university) ||
         (c->name_pinyin && json_kv(&raw, "name_pinyin", c->name_pinyin));
    rc = rc || dg_buf_addf(&raw, "\"study\":%lld,\"fields\":{", (long long)row->study);
    int first = 1;
    for (int i = 0; !rc && i < ARC_NFIELDS; i++) {
        const char *key = dg_field_keys[i].key, *v = row->fields[i];
        if (!v || !*v || !cert_profile_allows(prof, key))
            continue;
        rc = (!first && dg_buf_addc(&raw, ',')) || dg_buf_json_str(&raw, key) ||
             dg_buf_addc(&raw, ':') || dg_buf_json_str(&raw, v);
        first = 0;
        if (!rc && c->page.n < sizeof c->page.keys / sizeof c->page.keys[0]) {
            c->page.keys[c->page.n] = key;
            c->page.values[c->page.n++] = v;
        }
        char **nv = rc ? NULL : realloc(out->fields, (out->nfields + 1) * sizeof *nv);
        if (!nv || !(nv[out->nfields] = dg_strdup(key))) {
            if (nv)
                out->fields = nv;
            rc = 1;
            break;
        }
        out->fields = nv;
        out->nfields++;
    }
    rc = rc || dg_buf_adds(&raw, "},\"crosswalk\":{");
    rc = rc || json_kv(&raw, "edition", row->major_edition) || json_kv(&raw, "path", c->cw.path);
    rc = rc || dg_buf_json_str(&raw, "decided") || dg_buf_addc(&raw, ':') ||
         dg_buf_json_str(&raw, c->cw.decided) || dg_buf_adds(&raw, "}}");
    if (rc) {
        dg_buf_release(&raw);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    rc = audit_canon(raw.data, raw.len, b, err);
    dg_buf_release(&raw);
    return rc;
}

static int sign_payload(issue_ctx *c, cert_issued *out, dg_err *err)
{
    unsigned char sig[64];
    int rc = cert_sign(c->req->key, (const unsigned char *)c->content.data, c->content.len, sig,
                       err);
    if (rc)
        return rc;
    dg_buf *p = &c->payload;
    if (dg_buf_adds(p, CERT_MAGIC) ||
        cert_b64url((const unsigned char *)c->content.data, c->content.len, p) ||
        dg_buf_addc(p, '.') || cert_b64url(sig, sizeof sig, p) || dg_buf_addc(p, '\0'))
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    p->len--;
    /* The code printed for people: 16 hex digits of the payload's hash in
     * groups of four; the register maps it back to the payload. */
    char hex[65];
    dg_sha256_hex(p->data, p->len, hex);
    for (int i = 0; hex[i]; i++)
        hex[i] = (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]);
    snprintf(out->code, sizeof out->code, "%.4s-%.4s-%.4s-%.4s", hex, hex + 4, hex + 8, hex + 12);
    out->payload = dg_strdup(p->data);
    return out->payload ? DG_OK : dg_err_set(err, DG_ENOMEM, "out of memory");
}

/* The register row, the disclosure in the access log, the audit event. */
static int record_issue(issue_ctx *c, const cert_issued *out, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(c->db, "INSERT INTO certificate (serial, code, study_id, issued, who, "
                          "requester, purpose, audience, lang, key_id, payload) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_text(st, 1, out->serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, out->code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->req->study);
    sqlite3_bind_text(st, 4, c->issued, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, c->who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->req->requester, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, c->req->purpose, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, c->audience, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, c->lang, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, cert_key_id(c->req->key), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, out->payload, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? DG_OK
                                             : db_fail(c->db, err, "cannot register the certificate");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    int64_t id = sqlite3_last_insert_rowid(c->db);
    dg_buf q;
    dg_buf_init(&q, 0);
    int brc = dg_buf_adds(&q, "{") || json_kv(&q, "for", c->req->requester) ||
              json_kv(&q, "purpose", c->req->purpose) || json_kv(&q, "audience", c->audience) ||
              json_kv(&q, "serial", out->serial) || dg_buf_adds(&q, "\"fields\":[");
    for (size_t i = 0; !brc && i < out->nfields; i++)
        brc = (i && dg_buf_addc(&q, ',')) || dg_buf_json_str(&q, out->fields[i]);
    brc = brc || dg_buf_adds(&q, "]}");
    char shown[32];
    snprintf(shown, sizeof shown, "[%lld]", (long long)c->req->study);
    rc = brc ? dg_err_set(err, DG_ENOMEM, "out of memory")
             : arc_access_log(c->db, c->who, "certify", q.data, shown, err);
    if (!rc) {
        static const char *const table[] = {"certificate"};
        rc = audit_append_rows(c->db, c->who, "certify", table, &id, 1, q.data, err);
    }
    dg_buf_release(&q);
    return rc;
}

static int issue_locked(issue_ctx *c, cert_issued *out, arc_lines *blockers, dg_err *err)
{
    const cert_request *req = c->req;
    arc_study_cursor *cur;
    int rc = arc_study_cursor_new(c->db, req->study, &cur, err);
    if (rc)
        return rc;
    arc_study_row row;
    rc = arc_study_cursor_next(cur, &row, err);
    if (rc <= 0) {
        arc_study_cursor_free(&cur);
        return rc < 0 ? rc
                      : dg_err_set(err, DG_ENOTFOUND, "no archived study record %lld",
                                   (long long)req->study);
    }
    rc = read_blockers(c->db, req->study, blockers, err);
    if (!rc && blockers->n)
        rc = dg_err_set(err, DG_ECONFLICT,
                        "study record %lld cannot be certified: %zu field%s not settled",
                        (long long)req->study, blockers->n, blockers->n == 1 ? " is" : "s are");
    cert_profile *prof = NULL;
    rc = rc ? rc : cert_profile_load(req->config_dir, c->audience, &prof, err);
    rc = rc ? rc : read_crosswalk(c->db, req->study, &c->cw, err);
    rc = rc ? rc : next_serial(c->db, &c->conf, c->issued, out->serial, err);
    rc = rc ? rc : name_in_pinyin(c, &row, prof, err);
    rc = rc ? rc : build_content(c, &row, prof, out, err);
    rc = rc ? rc : sign_payload(c, out, err);
    if (!rc) {
        c->page.conf = &c->conf;
        c->page.lang = c->lang;
        c->page.serial = out->serial;
        c->page.code = out->code;
        c->page.issued = c->issued;
        c->page.payload = out->payload;
        c->page.requester = req->requester;
        c->page.purpose = req->purpose;
        c->page.edition = row.major_edition ? row.major_edition : "";
        c->page.path = c->cw.path;
        c->page.decided = c->cw.decided;
        c->page.name_pinyin = c->name_pinyin;
        snprintf(c->tmp, sizeof c->tmp, "%s.tmp%ld", req->out_pdf, (long)getpid());
        rc = cert_render_pdf(&c->page, c->tmp, err);
    }
    rc = rc ? rc : record_issue(c, out, err);
    if (!rc && rename(c->tmp, req->out_pdf) != 0)
        rc = dg_err_set(err, DG_ERR, "cannot write '%s': %s", req->out_pdf, strerror(errno));
    else if (!rc)
        c->renamed = 1;
    if (rc)
        unlink(c->tmp);
    cert_profile_free(&prof);
    arc_study_cursor_free(&cur);
    return rc;
}

int cert_issue(sqlite3 *db, const cert_request *req, cert_issued *out, arc_lines *blockers,
               dg_err *err)
{
    memset(out, 0, sizeof *out);
    memset(blockers, 0, sizeof *blockers);
    if (!req->key || !req->out_pdf || !*req->out_pdf)
        return dg_err_set(err, DG_EUSAGE, "a signing key and an output file are needed");
    if (req->requester && (!req->purpose || !*req->purpose))
        return dg_err_set(err, DG_EUSAGE, "a certificate for a requester needs its purpose");
    issue_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    c->db = db;
    c->req = req;
    c->lang = req->lang ? req->lang : "zh";
    c->audience = req->audience ? req->audience : req->requester ? "outside" : "alumnus";
    char user[256];
    if (!req->who) {
        dg_os_user(user, sizeof user);
        c->who = user;
    } else {
        c->who = req->who;
    }
    dg_buf_init(&c->content, 0);
    dg_buf_init(&c->payload, 0);
    int rc = strcmp(c->lang, "zh") && strcmp(c->lang, "en") && strcmp(c->lang, "both")
                 ? dg_err_set(err, DG_EUSAGE, "--lang must be zh, en or both, not '%s'", c->lang)
                 : audit_check_who(c->who, err);
    rc = rc ? rc : cert_conf_load(req->config_dir, &c->conf, err);
    if (!rc) {
        char now[32];
        dg_now_iso(now);
        snprintf(c->issued, sizeof c->issued, "%s", now);
        rc = db_begin(db, err);
        if (!rc) {
            rc = issue_locked(c, out, blockers, err);
            rc = rc ? rc : db_commit(db, err);
            if (rc) {
                db_rollback(db);
                /* renamed but not committed: no certificate exists */
                if (c->renamed)
                    unlink(req->out_pdf);
            }
        }
    }
    crosswalk_release(&c->cw);
    free(c->name_pinyin);
    dg_buf_release(&c->content);
    dg_buf_release(&c->payload);
    free(c);
    if (rc && rc != DG_ECONFLICT)
        arc_lines_release(blockers);
    if (rc)
        cert_issued_release(out);
    return rc;
}
