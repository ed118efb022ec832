/*
 * review_pages.c - the review queue and item pages, the crop, and the two
 * review calls the item page's script makes (preview a correction, decide).
 *
 * Pages are built on the server from archive.h's review read side; the
 * script (assets/app.js) only adds the keys.  A decision is
 * arc_review_decide with the logged-in user as operator and the version
 * the page showed, so a second operator on the same item gets the
 * library's "already decided by X" instead of a second decision.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_internal.h"

/* A queue page shows at most this many rows (the count says how many more). */
#define QUEUE_ROWS_MAX 1000

/* The queue filter of this request, as given in the query string. */
typedef struct filter {
    const char *reason, *key, *sort;
    int all;
} filter;

static void filter_read(web_req *r, filter *f)
{
    f->reason = web_arg(r, "reason");
    f->key = web_arg(r, "key");
    f->sort = web_arg(r, "sort");
    const char *all = web_arg(r, "all");
    f->all = all && *all && strcmp(all, "0") != 0;
}

static void filter_opts(const filter *f, arc_queue_opts *o)
{
    memset(o, 0, sizeof *o);
    o->reason = f->reason;
    o->key = f->key;
    o->all = f->all;
    o->sort = f->sort && strcmp(f->sort, "p") == 0    ? ARC_QUEUE_P_ASC
              : f->sort && strcmp(f->sort, "-p") == 0 ? ARC_QUEUE_P_DESC
                                                      : ARC_QUEUE_GROUPED;
}

/* Append "?reason=..&key=.." (URL-encoded) so links keep the filter. */
static void filter_query(dg_buf *b, const filter *f)
{
    const char *names[] = {"reason", "key", "sort"};
    const char *vals[] = {f->reason, f->key, f->sort};
    char sep = '?';
    for (int i = 0; i < 3; i++) {
        if (!vals[i] || !*vals[i])
            continue;
        dg_buf_addf(b, "%c%s=", sep, names[i]);
        for (const unsigned char *p = (const unsigned char *)vals[i]; *p; p++) {
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '-' || *p == '_' || *p == '.')
                dg_buf_addc(b, (char)*p);
            else
                dg_buf_addf(b, "%%%02X", *p);
        }
        sep = '&';
    }
    if (f->all)
        dg_buf_addf(b, "%call=1", sep);
}

static void html_error(web_req *r, int rc, const dg_err *err)
{
    int status = rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR;
    web_error_page(r, status, rc == DG_ENOTFOUND ? "Not found" : "Error", err->msg);
}

static int same_group(const arc_queue_row *a, const arc_queue_row *b)
{
    return a->batch == b->batch && a->page_id == b->page_id &&
           strcmp(a->item.key, b->item.key) == 0 && strcmp(a->item.reason, b->item.reason) == 0;
}

static void group_head(dg_buf *b, const arc_queue_rows *q, size_t i)
{
    const arc_queue_row *r = &q->v[i];
    size_t n = 1;
    while (i + n < q->n && same_group(r, &q->v[i + n]))
        n++;
    dg_buf_addf(b, "<tr class=\"group\"><th colspan=\"7\">batch %lld · ", (long long)r->batch);
    const char *slash = strrchr(r->file, '/');
    web_esc(b, *r->file ? (slash ? slash + 1 : r->file) : "(no scan)");
    if (r->page_id)
        dg_buf_addf(b, " p.%d", r->page);
    dg_buf_adds(b, " · ");
    web_esc(b, *r->item.key ? r->item.key : r->item.kind);
    dg_buf_adds(b, " · ");
    web_esc(b, r->item.reason);
    dg_buf_addf(b, " <span class=\"count\">%zu</span></th></tr>\n", n);
}

static void queue_row(dg_buf *b, const arc_queue_row *r, const char *fq)
{
    const arc_review_row *it = &r->item;
    /* data-group and data-value: `a` accepts the open field items of the
     * group that read the same, after a confirmation */
    dg_buf_addf(b,
                "<tr class=\"row %s\" data-href=\"/item/%lld%s\" data-id=\"%lld\" "
                "data-version=\"%d\" data-kind=\"%s\" data-group=\"%lld/%lld/",
                it->state, (long long)it->id, fq, (long long)it->id, r->version, it->kind,
                (long long)r->batch, (long long)r->page_id);
    web_esc(b, it->key);
    dg_buf_adds(b, "/");
    web_esc(b, it->reason);
    dg_buf_adds(b, "\" data-value=\"");
    web_esc(b, it->value);
    dg_buf_addf(b, "\"><td><a href=\"/item/%lld%s\">#%lld</a></td><td>", (long long)it->id, fq,
                (long long)it->id);
    web_esc(b, it->kind);
    dg_buf_adds(b, "</td><td>");
    web_esc(b, it->key);
    dg_buf_adds(b, "</td><td class=\"val\">");
    web_esc(b, it->raw);
    if (strcmp(it->raw, it->value) != 0) {
        dg_buf_adds(b, " → ");
        web_esc(b, it->value);
    }
    dg_buf_adds(b, "</td><td class=\"p\">");
    if (it->has_p)
        dg_buf_addf(b, "%.2f", it->p);
    dg_buf_adds(b, "</td><td class=\"detail\">");
    web_esc(b, it->detail);
    dg_buf_adds(b, "</td><td>");
    web_esc(b, it->state);
    if (*r->decided_by) {
        dg_buf_adds(b, " by ");
        web_esc(b, r->decided_by);
    }
    dg_buf_adds(b, "</td></tr>\n");
}

static void select_opt(dg_buf *b, const char *value, const char *label, const char *cur)
{
    dg_buf_addf(b, "<option value=\"%s\"%s>%s</option>", value,
                strcmp(cur ? cur : "", value) == 0 ? " selected" : "", label);
}

void web_queue_page(web_req *r)
{
    filter f;
    filter_read(r, &f);
    arc_queue_opts o;
    filter_opts(&f, &o);
    dg_err err = {0};
    arc_queue_rows q;
    /* the queue is derived from the fields' states: bring it up to date
     * first, as `dangan review list` does */
    o.limit = QUEUE_ROWS_MAX;
    int rc = web_queue_refresh(r, &err);
    rc = rc ? rc : arc_review_queue(r->db, &o, &q, &err);
    if (rc)
        return html_error(r, rc, &err);
    dg_buf fq;
    dg_buf_init(&fq, 0);
    filter_query(&fq, &f);
    dg_buf *b = &r->out;
    r->ctype = "text/html; charset=utf-8";
    web_page_begin(r, "Review queue", "queue");
    dg_buf_addf(b, "<h1>Review queue <span class=\"count\">%zu %s item%s</span></h1>\n", q.total,
                f.all ? "" : "open", q.total == 1 ? "" : "s");
    dg_buf_adds(b, "<form class=\"filter\" method=\"get\" action=\"/queue\">"
                   "<label>reason <input name=\"reason\" value=\"");
    web_esc(b, f.reason);
    dg_buf_adds(b, "\" placeholder=\"any\"></label><label>field <input name=\"key\" value=\"");
    web_esc(b, f.key);
    dg_buf_adds(b, "\" placeholder=\"any\"></label><label>order <select name=\"sort\">");
    select_opt(b, "", "batch · page · field · reason", f.sort);
    select_opt(b, "p", "p, least certain first", f.sort);
    select_opt(b, "-p", "p, most certain first", f.sort);
    dg_buf_addf(b,
                "</select></label><label><input type=\"checkbox\" name=\"all\" value=\"1\"%s> "
                "decided too</label><button type=\"submit\">show</button></form>\n",
                f.all ? " checked" : "");
    dg_buf_addf(b,
                "<p class=\"keys\"><kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open%s</p>\n"
                "<div id=\"msg\" role=\"status\"></div>\n",
                arc_role_can(r->s.role, ARC_PERM_REVIEW_DECIDE)
                    ? " · <kbd>a</kbd> accept every open item of the group that reads the same"
                    : "");
    dg_buf_adds(b, "<table class=\"queue\"><thead><tr><th>item</th><th>kind</th><th>field</th>"
                   "<th>read → value</th><th>p</th><th>why</th><th>state</th></tr></thead>"
                   "<tbody>\n");
    size_t shown = q.n;
    for (size_t i = 0; i < shown; i++) {
        if (o.sort == ARC_QUEUE_GROUPED && (i == 0 || !same_group(&q.v[i - 1], &q.v[i])))
            group_head(b, &q, i);
        queue_row(b, &q.v[i], fq.data ? fq.data : "");
    }
    dg_buf_adds(b, "</tbody></table>\n");
    if (shown < q.total)
        dg_buf_addf(b,
                    "<p class=\"more\">The first %zu of %zu; settle these or narrow the "
                    "filter to see the others.</p>\n",
                    shown, q.total);
    if (!q.n)
        dg_buf_adds(b, "<p class=\"empty\">Nothing to review.</p>\n");
    web_page_end(r);
    dg_buf_release(&fq);
    arc_queue_rows_release(&q);
}

/* Neighbours of item id in the filtered queue, decided items included so
 * that j/k can walk back over what was just settled; next_open: the first
 * open item after it (wrapping), what the page moves to after a decision. */
static int neighbours(web_req *r, const filter *f, int64_t id, int64_t *prev, int64_t *next,
                      int64_t *next_open, dg_err *err)
{
    arc_queue_opts o;
    filter_opts(f, &o);
    o.all = 1;
    o.next_open_only = !prev;
    arc_queue_near near;
    int rc = arc_review_queue_near(r->db, &o, id, &near, err);
    if (prev)
        *prev = near.prev;
    if (next)
        *next = near.next;
    *next_open = near.next_open;
    return rc;
}

static void kv(dg_buf *b, const char *k, const char *v)
{
    dg_buf_adds(b, "<dt>");
    web_esc(b, k);
    dg_buf_adds(b, "</dt><dd>");
    web_esc(b, v);
    dg_buf_adds(b, "</dd>");
}

static void item_alts(dg_buf *b, const arc_review_view *v)
{
    if (v->nalts) {
        dg_buf_addf(b, "<h2>Readings <span class=\"hint\">%s</span></h2><ol class=\"alts\">",
                    v->alts_from_readings ? "as read, not weighed" : "pick with 1-9");
        for (size_t i = 0; i < v->nalts; i++) {
            const arc_review_alt *a = &v->alts[i];
            dg_buf_addf(b, "<li data-n=\"%d\"><kbd>%d</kbd> <span class=\"alt\">", a->rank,
                        a->rank);
            web_esc(b, a->value);
            dg_buf_adds(b, "</span>");
            if (!v->alts_from_readings)
                dg_buf_addf(b, " <span class=\"p\">p %.2f</span>", a->p);
            dg_buf_adds(b, " <span class=\"readers\">");
            web_esc(b, a->readers);
            dg_buf_addf(b, "</span>%s</li>", a->chosen ? " <em>current value</em>" : "");
        }
        dg_buf_adds(b, "</ol>\n");
    }
    if (v->ncandidates) {
        dg_buf_adds(b, "<h2>Catalog candidates <span class=\"hint\">pick with 1-9</span></h2>"
                       "<ol class=\"alts\">");
        for (size_t i = 0; i < v->ncandidates; i++) {
            const arc_review_candidate *c = &v->candidates[i];
            dg_buf_addf(b, "<li data-n=\"%d\"><kbd>%d</kbd> <span class=\"alt\">", c->rank,
                        c->rank);
            web_esc(b, c->code);
            dg_buf_adds(b, " ");
            web_esc(b, c->name);
            dg_buf_addf(b, "</span> <span class=\"p\">score %.2f</span><div class=\"path\">",
                        c->score);
            web_esc(b, c->path);
            dg_buf_adds(b, "</div><div class=\"evidence\">");
            web_esc(b, c->evidence);
            dg_buf_adds(b, "</div></li>");
        }
        dg_buf_adds(b, "</ol>\n");
    }
}

static void item_history(dg_buf *b, const arc_review_view *v)
{
    if (v->nsteps) {
        dg_buf_adds(b, "<h2>Steps</h2><table class=\"steps\">");
        for (size_t i = 0; i < v->nsteps; i++) {
            dg_buf_adds(b, "<tr><td>");
            web_esc(b, v->steps[i].rule);
            dg_buf_adds(b, "</td><td>");
            web_esc(b, v->steps[i].before);
            dg_buf_adds(b, " → ");
            web_esc(b, v->steps[i].after);
            dg_buf_adds(b, "</td></tr>");
        }
        dg_buf_adds(b, "</table>\n");
    }
    if (v->ndecisions) {
        dg_buf_adds(b, "<h2>Decisions</h2><table class=\"decisions\">");
        for (size_t i = 0; i < v->ndecisions; i++) {
            const arc_review_decision *d = &v->decisions[i];
            dg_buf_adds(b, "<tr><td>");
            web_esc(b, d->decided);
            dg_buf_adds(b, "</td><td class=\"op\">");
            web_esc(b, d->operator_name);
            dg_buf_adds(b, "</td><td>");
            web_esc(b, d->verb);
            dg_buf_adds(b, "</td><td>");
            web_esc(b, d->before_value);
            dg_buf_adds(b, " → ");
            web_esc(b, d->after_value);
            dg_buf_adds(b, " (");
            web_esc(b, d->after_state);
            dg_buf_adds(b, ")</td></tr>");
        }
        dg_buf_adds(b, "</table>\n");
    }
}

void web_item_page(web_req *r, int64_t id)
{
    filter f;
    filter_read(r, &f);
    dg_err err = {0};
    arc_review_view v;
    int rc = arc_review_show(r->db, id, &v, &err);
    if (rc)
        return html_error(r, rc, &err);
    int64_t prev, next, next_open;
    rc = neighbours(r, &f, id, &prev, &next, &next_open, &err);
    if (rc) {
        arc_review_view_release(&v);
        return html_error(r, rc, &err);
    }
    dg_buf fq;
    dg_buf_init(&fq, 0);
    filter_query(&fq, &f);
    const char *q = fq.data ? fq.data : "";
    dg_buf *b = &r->out;
    r->ctype = "text/html; charset=utf-8";
    char title[64];
    snprintf(title, sizeof title, "Item %lld", (long long)id);
    web_page_begin(r, title, "item");
    int can = arc_role_can(r->s.role, ARC_PERM_REVIEW_DECIDE);
    size_t npick = v.nalts ? v.nalts : v.ncandidates;
    dg_buf_addf(b,
                "<div id=\"item\" data-id=\"%lld\" data-version=\"%d\" data-state=\"%s\" "
                "data-kind=\"%s\" data-prev=\"%lld\" data-next=\"%lld\" data-next-open=\"%lld\" "
                "data-picks=\"%zu\" data-can-decide=\"%d\" data-query=\"",
                (long long)id, v.version, v.state, v.kind, (long long)prev, (long long)next,
                (long long)next_open, npick, can);
    web_esc(b, q);
    dg_buf_adds(b, "\">\n");
    if (next_open)
        dg_buf_addf(b, "<link rel=\"prefetch\" href=\"/crop/%lld.png\">", (long long)next_open);
    dg_buf_addf(b, "<nav class=\"itemnav\"><a href=\"/queue%s\">queue</a>", q);
    if (prev)
        dg_buf_addf(b, " <a id=\"prev\" href=\"/item/%lld%s\">← <kbd>k</kbd></a>", (long long)prev,
                    q);
    if (next)
        dg_buf_addf(b, " <a id=\"next\" href=\"/item/%lld%s\"><kbd>j</kbd> →</a>", (long long)next,
                    q);
    dg_buf_addf(b, "</nav>\n<h1>#%lld <span class=\"kind\">", (long long)id);
    web_esc(b, v.kind);
    dg_buf_adds(b, "</span> ");
    web_esc(b, v.has_field ? v.key : "");
    dg_buf_adds(b, " <span class=\"reason\">");
    web_esc(b, v.reason);
    dg_buf_addf(b, "</span> <span class=\"state %s\" id=\"state\">", v.state);
    web_esc(b, v.state);
    if (strcmp(v.state, "open") != 0 && v.ndecisions) {
        dg_buf_adds(b, " by ");
        web_esc(b, v.decisions[v.ndecisions - 1].operator_name);
    }
    dg_buf_adds(b, "</span></h1>\n");
    if (*v.detail) {
        dg_buf_adds(b, "<p class=\"detail\">");
        web_esc(b, v.detail);
        dg_buf_adds(b, "</p>\n");
    }
    if (v.file && strcmp(v.kind, "conflict") == 0 && v.study)
        /* card and ledger side by side: this record's value and the
         * archived one it disagrees with */
        dg_buf_addf(b,
                    "<div class=\"sides\"><figure class=\"crop\"><img id=\"crop\" "
                    "src=\"/crop/%lld.png\" alt=\"this record's value\"><figcaption>this "
                    "record (%lld)</figcaption></figure><figure class=\"crop\"><img "
                    "id=\"crop-archived\" src=\"/crop/%lld.png?side=archived\" alt=\"the "
                    "archived value\"><figcaption>archived study %lld</figcaption></figure>"
                    "</div>\n",
                    (long long)id, (long long)v.record, (long long)id, (long long)v.study);
    else if (v.file)
        dg_buf_addf(b,
                    "<figure class=\"crop\"><img id=\"crop\" src=\"/crop/%lld.png\" "
                    "data-context=\"/crop/%lld.png?margin=400\" "
                    "alt=\"the scan around the value\"><figcaption><kbd>c</kbd> the row or "
                    "card around it</figcaption></figure>\n",
                    (long long)id, (long long)id);
    dg_buf_adds(b, "<dl class=\"value\">");
    if (v.has_field) {
        kv(b, "read", v.raw);
        dg_buf_adds(b, "<dt>value</dt><dd class=\"big\" id=\"value\">");
        web_esc(b, v.value);
        dg_buf_adds(b, "</dd>");
        kv(b, "field state", v.field_state);
        if (v.has_p) {
            char p[32];
            snprintf(p, sizeof p, "%.2f", v.p);
            kv(b, "p (right)", p);
        }
        if (v.match_decision) {
            dg_buf_adds(b, "<dt>match</dt><dd>");
            web_esc(b, v.match_decision);
            dg_buf_adds(b, " ");
            web_esc(b, v.match_code);
            dg_buf_adds(b, " ");
            web_esc(b, v.match_name);
            dg_buf_adds(b, "</dd>");
        }
    }
    if (v.file) {
        char where[64];
        snprintf(where, sizeof where, "page %d, record %lld", v.page, (long long)v.record);
        kv(b, "scan", v.file);
        kv(b, "where", where);
        /* the page with every field's box, this record's drawn thicker */
        dg_buf_addf(b,
                    "<dt>page view</dt><dd><a id=\"pageview\" href=\"/record/%lld\">the "
                    "page with every field and its state</a></dd>",
                    (long long)v.record);
    }
    dg_buf_adds(b, "</dl>\n");
    item_alts(b, &v);
    if (can && v.has_field && strcmp(v.kind, "field") == 0)
        dg_buf_adds(b, "<div class=\"correct\"><label for=\"correct\">correction</label> "
                       "<input id=\"correct\" autocomplete=\"off\" spellcheck=\"false\" "
                       "placeholder=\"type to correct; Enter shows what is stored, Enter again "
                       "saves\"><div id=\"preview\"></div></div>\n");
    dg_buf_adds(b, "<div id=\"msg\" role=\"status\"></div>\n");
    if (can)
        dg_buf_adds(b,
                    "<p class=\"keys\"><kbd>Enter</kbd> accept · <kbd>1</kbd>-<kbd>9</kbd> pick · "
                    "type to correct (<kbd>e</kbd> starts typing) · <kbd>x</kbd> reject · "
                    "<kbd>u</kbd> undo · "
                    "<kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>Esc</kbd> stop typing</p>\n");
    else
        dg_buf_adds(b, "<p class=\"keys readonly\">Read only: your role does not decide items. "
                       "<kbd>j</kbd>/<kbd>k</kbd> next/previous</p>\n");
    item_history(b, &v);
    dg_buf_adds(b, "</div>\n");
    web_page_end(r);
    dg_buf_release(&fq);
    arc_review_view_release(&v);
}

void web_crop(web_req *r, int64_t id)
{
    dg_err err = {0};
    /* ?margin=N: the row or card around the value (the `c` key) */
    const char *m = web_arg(r, "margin");
    int margin = m ? atoi(m) : 40;
    margin = margin < 0 ? 0 : margin > 2000 ? 2000 : margin;
    /* ?side=archived: a conflict's other source, the archived value's scan */
    const char *side = web_arg(r, "side");
    int rc = side && strcmp(side, "archived") == 0
                 ? arc_review_conflict_crop_png(r->db, id, margin, &r->bin, &r->bin_len, &err)
                 : arc_review_crop_png(r->db, id, margin, &r->bin, &r->bin_len, &err);
    if (rc)
        return html_error(r, rc, &err);
    r->ctype = "image/png";
    r->cacheable = 1;
}

static int64_t arg_id(const char *s)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    return s && *s && !*end && v > 0 ? v : 0;
}

void web_api_preview(web_req *r)
{
    int64_t id = arg_id(web_arg(r, "item"));
    const char *value = web_arg(r, "value");
    if (!id || !value)
        return web_json_error(r, MHD_HTTP_BAD_REQUEST, "usage", "preview wants item and value");
    char *norm = NULL;
    dg_err err = {0};
    int rc = arc_review_preview(r->db, id, value, &norm, &err);
    if (rc)
        return web_json_error(r,
                              rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                              : rc == DG_EUSAGE  ? MHD_HTTP_UNPROCESSABLE_CONTENT
                                                 : MHD_HTTP_INTERNAL_SERVER_ERROR,
                              rc == DG_EUSAGE ? "refused" : "error", err.msg);
    r->ctype = "application/json";
    dg_buf_adds(&r->out, "{\"ok\":true,\"typed\":");
    dg_buf_json_str(&r->out, value);
    dg_buf_adds(&r->out, ",\"value\":");
    dg_buf_json_str(&r->out, norm);
    dg_buf_adds(&r->out, "}");
    free(norm);
}

void web_api_decide(web_req *r)
{
    dg_buf verb, value, num, ver, reason, key, sort, why;
    dg_buf *all[] = {&verb, &value, &num, &ver, &reason, &key, &sort, &why};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        dg_buf_init(all[i], 4096);
    web_form(r, "verb", &verb);
    web_form(r, "value", &value);
    web_form(r, "candidate", &num);
    web_form(r, "version", &ver);
    web_form(r, "reason", &reason);
    web_form(r, "key", &key);
    web_form(r, "sort", &sort);
    web_form(r, "why", &why);
    dg_buf idb;
    dg_buf_init(&idb, 64);
    web_form(r, "item", &idb);
    int64_t id = arg_id(idb.data);
    dg_buf_release(&idb);
    arc_review_req req;
    memset(&req, 0, sizeof req);
    req.verb = verb.data ? verb.data : "";
    req.operator_name = r->s.user;
    req.candidate = num.data ? atoi(num.data) : 0;
    req.value = value.data;
    req.why = why.data && *why.data ? why.data : NULL;
    req.expect_version = ver.data && *ver.data ? atoll(ver.data) : -1;
    int known = strcmp(req.verb, "accept") == 0 || strcmp(req.verb, "pick") == 0 ||
                strcmp(req.verb, "correct") == 0 || strcmp(req.verb, "reject") == 0 ||
                strcmp(req.verb, "undo") == 0;
    dg_err err = {0};
    int64_t decision = 0;
    int rc = !id || !known ? dg_err_set(&err, DG_EUSAGE,
                                        "decide wants an item and a verb "
                                        "(accept, pick, correct, reject, undo)")
                           : arc_review_decide(r->db, id, &req, &decision, &err);
    if (rc) {
        /* the library's hint names the CLI; the page shows the item anyway */
        char *hint = strstr(err.msg, "; run 'dangan");
        if (hint)
            *hint = 0;
        int status = rc == DG_ECONFLICT   ? MHD_HTTP_CONFLICT
                     : rc == DG_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                     : rc == DG_EUSAGE    ? MHD_HTTP_UNPROCESSABLE_CONTENT
                                          : MHD_HTTP_INTERNAL_SERVER_ERROR;
        web_json_error(r, status, rc == DG_ECONFLICT ? "conflict" : "refused", err.msg);
    } else {
        filter f = {reason.data, key.data, sort.data, 0};
        int64_t next_open = 0;
        if (neighbours(r, &f, id, NULL, NULL, &next_open, &err))
            next_open = 0;
        r->ctype = "application/json";
        dg_buf_addf(&r->out, "{\"ok\":true,\"item\":%lld,\"decision\":%lld,\"next\":%lld}",
                    (long long)id, (long long)decision, (long long)next_open);
    }
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        dg_buf_release(all[i]);
}

/*
 * Accept a column: the items the operator saw and confirmed, given as
 * "ID:VERSION,ID:VERSION,...", each an ordinary accept at the version
 * shown (its own transaction), so an item another operator settled
 * meanwhile is refused and named, and nothing the page did not show is
 * touched.
 */
void web_api_accept_items(web_req *r)
{
    dg_buf items;
    dg_buf_init(&items, 1 << 20);
    web_form(r, "items", &items);
    const char *p = items.data ? items.data : "";
    long accepted = 0, refused = 0;
    dg_buf why;
    dg_buf_init(&why, 0);
    dg_buf_adds(&why, "[");
    int bad = !*p;
    while (*p && !bad) {
        char *end;
        long long id = strtoll(p, &end, 10);
        long long ver = -1;
        if (*end == ':')
            ver = strtoll(end + 1, &end, 10);
        if (id <= 0 || ver < 0 || (*end && *end != ',')) {
            bad = 1;
            break;
        }
        p = *end ? end + 1 : end;
        arc_review_req req;
        memset(&req, 0, sizeof req);
        req.verb = "accept";
        req.operator_name = r->s.user;
        req.expect_version = ver;
        dg_err err = {0};
        if (arc_review_decide(r->db, id, &req, NULL, &err) == DG_OK) {
            accepted++;
        } else {
            char *hint = strstr(err.msg, "; run 'dangan");
            if (hint)
                *hint = 0;
            dg_buf_addf(&why, "%s{\"item\":%lld,\"error\":", refused++ ? "," : "", id);
            dg_buf_json_str(&why, err.msg);
            dg_buf_adds(&why, "}");
        }
    }
    dg_buf_adds(&why, "]");
    if (bad) {
        web_json_error(r, MHD_HTTP_BAD_REQUEST, "usage", "items wants ID:VERSION,...");
    } else {
        r->ctype = "application/json";
        dg_buf_addf(&r->out, "{\"ok\":true,\"accepted\":%ld,\"refused\":%s}", accepted, why.data);
    }
    dg_buf_release(&why);
    dg_buf_release(&items);
}
