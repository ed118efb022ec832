/*
 * chain.c - appending to the hash chain of events (audit_event, migration
 * 008) and reading its head.  Append reads the head and inserts the next
 * row under the write lock (the caller's BEGIN IMMEDIATE, or its own), so
 * two writers can never both extend the same head.
 */
#include "audit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* amendment: each archived value's earlier versions (009); every row is
 * written with the "amend" event that carries it (archive/amend.c) */
const char *const audit_row_tables[] = {"person",      "study_record", "review_decision",
                                        "access_log",  "certificate",  "amendment",
                                        "app_user"};
const size_t audit_nrow_tables = sizeof audit_row_tables / sizeof audit_row_tables[0];

#define WHO_MAX 128

static int fail(sqlite3 *db, dg_err *err, const char *doing)
{
    return dg_err_set(err, DG_EDB, "%s: %s", doing, sqlite3_errmsg(db));
}

int audit_check_who(const char *who, dg_err *err)
{
    size_t len = who ? strlen(who) : 0;
    if (!len)
        return dg_err_set(err, DG_EUSAGE, "an operator name cannot be empty");
    if (len > WHO_MAX)
        return dg_err_set(err, DG_EUSAGE, "operator name longer than %d bytes", WHO_MAX);
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t c = dg_utf8_next(who, len, &i);
        /* U+FFFD from the decoder is an ill-formed sequence unless written as such */
        if (c == 0xFFFD && !(i - at == 3 && memcmp(who + at, "\xef\xbf\xbd", 3) == 0))
            return dg_err_set(err, DG_EUSAGE, "operator name is not valid UTF-8 (byte %zu)", at);
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029)
            return dg_err_set(err, DG_EUSAGE,
                              "operator name holds a control character (U+%04X at byte %zu): "
                              "names go into the access log and the audit chain as one line",
                              (unsigned)c, at);
    }
    return DG_OK;
}

static int check_kind(const char *kind, dg_err *err)
{
    size_t n = kind ? strlen(kind) : 0;
    for (size_t i = 0; i < n; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || kind[i] == '_' || kind[i] == '-'))
            n = 0;
    return n && n <= 32 ? DG_OK
                        : dg_err_set(err, DG_EUSAGE, "event kind '%s' is not a lowercase word",
                                     kind ? kind : "");
}

int audit_event_hash(const char *prev_hash, int64_t seq, const char *at, const char *who,
                     const char *kind, const char *subject, const char *content, char out[65])
{
    dg_buf b;
    dg_buf_init(&b, 0);
    int rc = dg_buf_adds(&b, prev_hash) || dg_buf_adds(&b, "{\"at\":") ||
             dg_buf_json_str(&b, at) || dg_buf_adds(&b, ",\"content\":") ||
             dg_buf_adds(&b, content) || dg_buf_adds(&b, ",\"kind\":") ||
             dg_buf_json_str(&b, kind) || dg_buf_addf(&b, ",\"seq\":%lld", (long long)seq) ||
             dg_buf_adds(&b, ",\"subject\":") || dg_buf_json_str(&b, subject) ||
             dg_buf_adds(&b, ",\"who\":") || dg_buf_json_str(&b, who) || dg_buf_addc(&b, '}');
    if (!rc)
        dg_sha256_hex(b.data, b.len, out);
    dg_buf_release(&b);
    return rc ? DG_ENOMEM : DG_OK;
}

int audit_head_read(sqlite3 *db, audit_head *h, dg_err *err)
{
    sqlite3_stmt *st;
    h->seq = 0;
    snprintf(h->hash, sizeof h->hash, "%s", AUDIT_GENESIS);
    if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1", -1,
                           &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read the audit chain");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        h->seq = sqlite3_column_int64(st, 0);
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        snprintf(h->hash, sizeof h->hash, "%s", hash ? hash : "");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DG_OK
                                                 : fail(db, err, "cannot read the audit chain");
}

int audit_anchor_parse(const char *s, audit_head *h, dg_err *err)
{
    const char *colon = s ? strchr(s, ':') : NULL;
    char *end;
    long long seq = colon ? strtoll(s, &end, 10) : 0;
    int ok = colon && end == colon && seq > 0 && strlen(colon + 1) == 64;
    for (size_t i = 1; ok && i <= 64; i++)
        ok = (colon[i] >= '0' && colon[i] <= '9') || (colon[i] >= 'a' && colon[i] <= 'f');
    if (!ok)
        return dg_err_set(err, DG_EUSAGE,
                          "anchor '%s' is not SEQ:HASH (as 'dangan audit anchor' prints it)",
                          s ? s : "");
    h->seq = seq;
    memcpy(h->hash, colon + 1, 64);
    h->hash[64] = '\0';
    return DG_OK;
}

/* A batch of appends under one write lock: the head kept in memory and the
 * INSERT prepared once (a merge appends a shard's whole history). */
enum { AUDIT_BATCH_ROWST = 8 };

struct audit_batch {
    sqlite3 *db;
    sqlite3_stmt *ins;
    audit_head head;
    dg_buf content, rows;
    char user[256]; /* the OS user, looked up once (getpwuid reads files) */
    /* "SELECT * FROM T WHERE rowid = ?1" of each table rows are read from */
    const char *rowtab[AUDIT_BATCH_ROWST];
    sqlite3_stmt *rowst[AUDIT_BATCH_ROWST];
};

int audit_batch_begin(sqlite3 *db, audit_batch **out, dg_err *err)
{
    *out = NULL;
    audit_batch *b = calloc(1, sizeof *b);
    if (!b)
        return dg_err_set(err, DG_ENOMEM, "out of memory appending to the audit chain");
    b->db = db;
    dg_buf_init(&b->content, 0);
    dg_buf_init(&b->rows, 0);
    if (audit_head_read(db, &b->head, err)) {
        free(b);
        return DG_EDB;
    }
    if (sqlite3_prepare_v2(db, "INSERT INTO audit_event (seq, at, who, kind, subject, content, "
                               "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &b->ins, NULL) != SQLITE_OK) {
        int rc = fail(db, err, "cannot append to the audit chain");
        audit_batch_free(&b);
        return rc;
    }
    *out = b;
    return DG_OK;
}

void audit_batch_free(audit_batch **b)
{
    if (!b || !*b)
        return;
    sqlite3_finalize((*b)->ins);
    for (int i = 0; i < AUDIT_BATCH_ROWST; i++)
        sqlite3_finalize((*b)->rowst[i]);
    dg_buf_release(&(*b)->content);
    dg_buf_release(&(*b)->rows);
    free(*b);
    *b = NULL;
}

/* content: canonical already */
static int insert_event(audit_batch *b, const char *who, const char *kind, const char *subject,
                        const char *content, int64_t *seq, dg_err *err)
{
    char at[32], hash[65];
    dg_now_iso(at);
    int64_t next = b->head.seq + 1;
    if (audit_event_hash(b->head.hash, next, at, who, kind, subject, content, hash))
        return dg_err_set(err, DG_ENOMEM, "out of memory hashing an event");
    sqlite3_stmt *st = b->ins;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, next);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, content, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, b->head.hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_clear_bindings(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail(b->db, err, "cannot append to the audit chain");
    b->head.seq = next;
    memcpy(b->head.hash, hash, sizeof hash);
    if (seq)
        *seq = next;
    return DG_OK;
}

/* who checked, content canonicalized into b->content */
static int prepare_event(audit_batch *b, const char **who, const char *kind,
                         const char *content_json, dg_err *err)
{
    if (!*who) {
        if (!b->user[0])
            dg_os_user(b->user, sizeof b->user);
        *who = b->user;
    }
    if (audit_check_who(*who, err) || check_kind(kind, err))
        return DG_EUSAGE;
    const char *json = content_json ? content_json : "{}";
    dg_buf_reset(&b->content);
    int rc = audit_canon(json, strlen(json), &b->content, err);
    if (rc == DG_OK && b->content.data[0] != '{')
        rc = dg_err_set(err, DG_EINPUT, "an event's content must be a JSON object");
    return rc;
}

int audit_batch_add(audit_batch *b, const char *who, const char *kind, const char *subject,
                    const char *content_json, int64_t *seq, dg_err *err)
{
    int rc = prepare_event(b, &who, kind, content_json, err);
    return rc ? rc : insert_event(b, who, kind, subject ? subject : "", b->content.data, seq, err);
}

int audit_append(sqlite3 *db, const char *who, const char *kind, const char *subject,
                 const char *content_json, int64_t *seq, dg_err *err)
{
    audit_batch one = {.db = db};
    dg_buf_init(&one.content, 0);
    int rc = prepare_event(&one, &who, kind, content_json, err);
    int own = rc == DG_OK && sqlite3_get_autocommit(db);
    if (own && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(db, err, "cannot append to the audit chain");
    else if (rc == DG_OK && audit_head_read(db, &one.head, err))
        rc = DG_EDB;
    else if (rc == DG_OK &&
             sqlite3_prepare_v2(db, "INSERT INTO audit_event (seq, at, who, kind, subject, "
                                    "content, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                    "?7, ?8)", -1, &one.ins, NULL) != SQLITE_OK)
        rc = fail(db, err, "cannot append to the audit chain");
    else if (rc == DG_OK)
        rc = insert_event(&one, who, kind, subject ? subject : "", one.content.data, seq, err);
    if (own && rc == DG_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(db, err, "cannot append to the audit chain");
    if (own && rc && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(one.ins);
    dg_buf_release(&one.content);
    return rc;
}

static int table_name_ok(const char *t)
{
    size_t n = strlen(t);
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || t[i] == '_'))
            return 0;
    return n > 0 && n < 64;
}

/* SHA-256 (hex) of a text, as SQL: what an event keeps of a password hash. */
static void sha256_fn(sqlite3_context *cx, int n, sqlite3_value **v)
{
    (void)n;
    if (sqlite3_value_type(v[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    char hex[65];
    dg_sha256_hex(sqlite3_value_text(v[0]), (size_t)sqlite3_value_bytes(v[0]), hex);
    sqlite3_result_text(cx, hex, 64, SQLITE_TRANSIENT);
}

/* What an event records of a row, as the SELECT list over TABLE: every
 * column, but of app_user neither the login counters (a login changes no
 * one's rights and is no event) nor the password hash, only its SHA-256. */
static const struct {
    const char *table, *cols;
} row_cols[] = {
    {"app_user", "id, name, role, disabled, created, audit_sha256(pwhash) AS pwhash_sha256"},
};

const char *audit_row_columns(sqlite3 *db, const char *table)
{
    for (size_t i = 0; i < sizeof row_cols / sizeof row_cols[0]; i++)
        if (strcmp(row_cols[i].table, table) == 0) {
            sqlite3_create_function(db, "audit_sha256", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                    sha256_fn, NULL, NULL);
            return row_cols[i].cols;
        }
    return "*";
}

/* A column as JSON; the members are sorted by the canonicalizer. */
static int column_json(sqlite3_stmt *st, int i, dg_buf *b)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return dg_buf_addf(b, "%lld", (long long)sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return dg_buf_addf(b, "%.17g", sqlite3_column_double(st, i));
    case SQLITE_NULL: return dg_buf_adds(b, "null");
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i), rc = dg_buf_addc(b, '"');
        for (int k = 0; k < n && !rc; k++)
            rc = dg_buf_addf(b, "%02x", p[k]);
        return rc ? rc : dg_buf_addc(b, '"');
    }
    default: return dg_buf_json_str(b, (const char *)sqlite3_column_text(st, i));
    }
}

static int row_prepare(sqlite3 *db, const char *table, sqlite3_stmt **st, dg_err *err)
{
    char sql[256];
    if (!table_name_ok(table))
        return dg_err_set(err, DG_EUSAGE, "'%s' is not a table name", table);
    snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE rowid = ?1", audit_row_columns(db, table),
             table);
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot read a row for the audit chain");
    return DG_OK;
}

/* The row through st (row_prepare's statement), left reset; canonical when
 * canon, else in column order (for content canonicalized as a whole). */
static int row_json_st(sqlite3 *db, sqlite3_stmt *st, const char *table, int64_t id,
                       int canon, dg_buf *out, dg_err *err)
{
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st), rc = DG_OK;
    dg_buf raw;
    dg_buf_init(&raw, 0);
    if (step == SQLITE_ROW) {
        int mem = dg_buf_addc(&raw, '{');
        for (int i = 0; i < sqlite3_column_count(st) && !mem; i++)
            mem = (i && dg_buf_addc(&raw, ',')) ||
                  dg_buf_json_str(&raw, sqlite3_column_name(st, i)) ||
                  dg_buf_addc(&raw, ':') || column_json(st, i, &raw);
        rc = mem || dg_buf_addc(&raw, '}')
                 ? dg_err_set(err, DG_ENOMEM, "out of memory reading %s %lld", table,
                              (long long)id)
                 : canon ? audit_canon(raw.data, raw.len, out, err)
                         : (dg_buf_add(out, raw.data, raw.len) ? dg_err_set(err, DG_ENOMEM,
                                                                             "out of memory")
                                                               : DG_OK);
    } else if (step == SQLITE_DONE) {
        rc = dg_err_set(err, DG_ENOTFOUND, "no %s with id %lld", table, (long long)id);
    } else {
        rc = fail(db, err, "cannot read a row for the audit chain");
    }
    sqlite3_reset(st);
    dg_buf_release(&raw);
    return rc;
}

int audit_row_json(sqlite3 *db, const char *table, int64_t id, dg_buf *out, dg_err *err)
{
    sqlite3_stmt *st;
    int rc = row_prepare(db, table, &st, err);
    if (rc)
        return rc;
    rc = row_json_st(db, st, table, id, 1, out, err);
    sqlite3_finalize(st);
    return rc;
}

/* The row through the batch's statement for its table (prepared once). */
static int batch_row_json(audit_batch *b, const char *table, int64_t id, dg_buf *out,
                          dg_err *err)
{
    int i = 0;
    while (i < AUDIT_BATCH_ROWST && b->rowtab[i] && strcmp(b->rowtab[i], table) != 0)
        i++;
    if (i == AUDIT_BATCH_ROWST)
        return audit_row_json(b->db, table, id, out, err);
    if (!b->rowtab[i]) {
        if (row_prepare(b->db, table, &b->rowst[i], err))
            return DG_EDB;
        b->rowtab[i] = table; /* the callers' names are our own constants */
    }
    /* raw: the event's content is canonicalized whole (audit_batch_add) */
    return row_json_st(b->db, b->rowst[i], table, id, 0, out, err);
}

/* Into c (empty): the content of an event about rows (audit_append_rows);
 * subject[96] gets "TABLE_0:ID_0".  Rows read through the batch b when
 * given (its statements), else prepared here. */
static int rows_content(sqlite3 *db, audit_batch *b, const char *const *tables,
                        const int64_t *ids, size_t n, const char *extra_json, dg_buf *cb,
                        char subject[96], dg_err *err)
{
    dg_buf c = *cb;
    int rc = dg_buf_adds(&c, "{\"rows\":{") ? DG_ENOMEM : DG_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if ((i && dg_buf_addc(&c, ',')) || dg_buf_json_str(&c, tables[i]) ||
            dg_buf_addc(&c, ':'))
            rc = DG_ENOMEM;
        else
            rc = b ? batch_row_json(b, tables[i], ids[i], &c, err)
                   : audit_row_json(db, tables[i], ids[i], &c, err);
    }
    if (!rc && dg_buf_addc(&c, '}'))
        rc = DG_ENOMEM;
    /* extra's members join the object: its text after the opening brace */
    int closed = 0;
    if (!rc && extra_json) {
        const char *x = extra_json;
        while (*x == ' ' || *x == '\n' || *x == '\t')
            x++;
        if (*x != '{')
            rc = dg_err_set(err, DG_EINPUT, "an event's extra content must be a JSON object");
        x++;
        while (!rc && (*x == ' ' || *x == '\n' || *x == '\t'))
            x++;
        if (!rc && *x != '}') {
            closed = 1;
            if (dg_buf_addc(&c, ',') || dg_buf_adds(&c, x))
                rc = DG_ENOMEM;
        }
    }
    if (!rc && !closed && dg_buf_addc(&c, '}'))
        rc = DG_ENOMEM;
    if (rc == DG_ENOMEM)
        dg_err_set(err, rc, "out of memory building an event");
    subject[0] = '\0';
    if (n)
        snprintf(subject, 96, "%s:%lld", tables[0], (long long)ids[0]);
    *cb = c;
    return rc;
}

int audit_append_rows(sqlite3 *db, const char *who, const char *kind, const char *const *tables,
                      const int64_t *ids, size_t n, const char *extra_json, dg_err *err)
{
    dg_buf c;
    char subject[96];
    dg_buf_init(&c, 0);
    int rc = rows_content(db, NULL, tables, ids, n, extra_json, &c, subject, err);
    if (!rc)
        rc = audit_append(db, who, kind, subject, c.data, NULL, err);
    dg_buf_release(&c);
    return rc;
}

int audit_adopt_table(sqlite3 *db, const char *table, dg_err *err)
{
    char sql[128];
    sqlite3_stmt *st;
    /* a table a later migration creates is empty when it appears, and each
     * of its rows is chained as it is written */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_master WHERE type = 'table' "
                               "AND name = ?1", -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot adopt the archive into the audit chain");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int exists = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!exists || !table_name_ok(table))
        return DG_OK;
    snprintf(sql, sizeof sql, "SELECT rowid FROM %s ORDER BY rowid", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "cannot adopt the archive into the audit chain");
    int rc = DG_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        rc = audit_append_rows(db, "dangan", "adopt", &table, &id, 1, NULL, err);
    }
    sqlite3_finalize(st);
    return rc;
}

int audit_batch_add_rows(audit_batch *b, const char *who, const char *kind,
                         const char *const *tables, const int64_t *ids, size_t n,
                         const char *extra_json, dg_err *err)
{
    char subject[96];
    dg_buf_reset(&b->rows);
    int rc = rows_content(b->db, b, tables, ids, n, extra_json, &b->rows, subject, err);
    return rc ? rc : audit_batch_add(b, who, kind, subject, b->rows.data, NULL, err);
}

int audit_adopt(sqlite3 *db, dg_err *err)
{
    int rc = DG_OK;
    for (size_t t = 0; t < audit_nrow_tables && !rc; t++)
        rc = audit_adopt_table(db, audit_row_tables[t], err);
    return rc;
}
