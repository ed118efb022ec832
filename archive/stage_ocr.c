/*
 * stage_ocr.c - the OCR stage.  N worker threads each own one OCR engine
 * (initialised once, reused for all its pages) and one database
 * connection.  A worker takes the next page from a shared queue, reads it
 * outside any transaction, then writes its cells, lines, words and new state
 * in one transaction: a kill at any moment loses only pages in flight.
 * Each page is claimed (lease.c) before it is read and its lease freed with
 * the result, so a second `dangan ocr` on the same workspace reads other
 * pages; a page with a loaded record is never re-read (the archive's
 * field->word links point at its words).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive_internal.h"
#include "ocr.h"

typedef struct page_job {
    int64_t page_id;
    int page_index;
    int64_t file_id;
    char *abspath;
} page_job;

typedef struct ocr_shared {
    const char *db_path;
    const char *claim_cond; /* which pages this run may claim (SQL on page) */
    const arc_ocr_opts *opts;
    const char *lang;
    const ocr_settings *settings;
    ocr_crew *crew; /* workers share the cells of their pages (NULL: one worker) */
    int64_t run_id;
    page_job *jobs;
    size_t njobs;
    size_t next;     /* next job to hand out */
    size_t finished; /* jobs done (read or failed) */
    int abort;       /* a worker hit a fatal error */
    dg_err fatal;
    arc_ocr_summary sum;
    const char *current; /* path of the most recently finished page */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} ocr_shared;

/* ---- loading the queue ------------------------------------------------------- */

/* Pages with a record in the archive: never re-read in place. */
#define PAGE_NOT_LOADED                                                                          \
    "NOT EXISTS (SELECT 1 FROM record r WHERE r.page_id = page.id AND r.state = 'loaded')"

/* Which pages a run may claim.  A redo leaves alone pages of loaded records
 * and pages read by a run that overlapped this one (another redo did them). */
static const char claim_new[] = "state = 'new'";
static const char claim_failed[] = "state = 'failed'";
static const char claim_redo[] =
    PAGE_NOT_LOADED " AND NOT EXISTS (SELECT 1 FROM ocr_page o JOIN run r ON r.id = o.run_id "
    "WHERE o.page_id = page.id AND (r.id = ?2 OR r.status = 'running' OR "
    "r.finished > (SELECT started FROM run WHERE id = ?2)))";

static int count_loaded_pages(sqlite3 *db, long *n, dg_err *err)
{
    int64_t v = 0;
    int rc = db_query_int(db, "SELECT count(*) FROM page WHERE NOT (" PAGE_NOT_LOADED ")", &v,
                          err);
    *n = (long)v;
    return rc == DG_ENOTFOUND ? DG_OK : rc;
}

static int load_jobs(sqlite3 *db, const arc_ocr_opts *o, ocr_shared *sh, dg_err *err)
{
    const char *sql = o->redo ? "SELECT p.id, p.page_index, f.id, f.abspath FROM page p "
                                "JOIN file f ON f.id = p.file_id WHERE NOT EXISTS (SELECT 1 "
                                "FROM record r WHERE r.page_id = p.id AND r.state = 'loaded') "
                                "ORDER BY p.id"
                      : "SELECT p.id, p.page_index, f.id, f.abspath FROM page p "
                        "JOIN file f ON f.id = p.file_id WHERE p.state = ?1 ORDER BY p.id";
    sh->claim_cond = o->redo ? claim_redo : o->retry_failed ? claim_failed : claim_new;
    if (o->redo && count_loaded_pages(db, &sh->sum.skipped_loaded, err))
        return DG_EDB;
    sqlite3_stmt *st;
    if (db_prepare(db, sql, &st, err))
        return DG_EDB;
    if (!o->redo)
        sqlite3_bind_text(st, 1, o->retry_failed ? "failed" : "new", -1, SQLITE_STATIC);
    size_t alloc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sh->njobs == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            page_job *p = realloc(sh->jobs, alloc * sizeof *p);
            if (!p) {
                sqlite3_finalize(st);
                return dg_err_set(err, DG_ENOMEM, "out of memory");
            }
            sh->jobs = p;
        }
        page_job *j = &sh->jobs[sh->njobs++];
        j->page_id = sqlite3_column_int64(st, 0);
        j->page_index = sqlite3_column_int(st, 1);
        j->file_id = sqlite3_column_int64(st, 2);
        j->abspath = dg_strdup((const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    return DG_OK;
}

static void free_jobs(ocr_shared *sh)
{
    for (size_t i = 0; i < sh->njobs; i++) {
        free(sh->jobs[i].abspath);
    }
    free(sh->jobs);
}

/* ---- writing one page --------------------------------------------------------- */

static int bind_box(sqlite3_stmt *st, int first, ocr_box b)
{
    sqlite3_bind_int(st, first, b.x);
    sqlite3_bind_int(st, first + 1, b.y);
    sqlite3_bind_int(st, first + 2, b.w);
    sqlite3_bind_int(st, first + 3, b.h);
    return 0;
}

static int clear_page(sqlite3 *db, int64_t page_id, dg_err *err)
{
    static const char *const sql[] = {
        "DELETE FROM ocr_word WHERE page_id = ?", "DELETE FROM ocr_line WHERE page_id = ?",
        "DELETE FROM ocr_cell WHERE page_id = ?", "DELETE FROM ocr_page WHERE page_id = ?"};
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *st;
        if (db_prepare(db, sql[i], &st, err))
            return DG_EDB;
        sqlite3_bind_int64(st, 1, page_id);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_fail(db, err, "cannot clear earlier OCR of page");
    }
    return DG_OK;
}

static int insert_cells(sqlite3 *db, int64_t page_id, const ocr_result *r, int64_t *cell_ids,
                        dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO ocr_cell(page_id, row_no, col_no, x, y, w, h) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   &st, err))
        return DG_EDB;
    for (size_t i = 0; i < r->ncells; i++) {
        sqlite3_bind_int64(st, 1, page_id);
        sqlite3_bind_int(st, 2, r->cells[i].row);
        sqlite3_bind_int(st, 3, r->cells[i].col);
        bind_box(st, 4, r->cells[i].box);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return db_fail(db, err, "cannot store table cell");
        }
        cell_ids[i] = sqlite3_last_insert_rowid(db);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return DG_OK;
}

static void bind_cell(sqlite3_stmt *st, int col, const ocr_line *l, const int64_t *cell_ids,
                      size_t ncells)
{
    if (l->cell >= 0 && (size_t)l->cell < ncells)
        sqlite3_bind_int64(st, col, cell_ids[l->cell]);
    else
        sqlite3_bind_null(st, col);
}

/* Tesseract's own words of a line the second reader re-read, as JSON
 * (ocr_line.tess, migration 019) into b, emptied first; the confidence
 * exact, as ocr_word.conf stores it. */
static int tess_json(const ocr_line *t, dg_buf *b)
{
    dg_buf_reset(b);
    int rc = dg_buf_addc(b, '[');
    for (size_t j = 0; j < t->nwords && !rc; j++) {
        const ocr_word *w = &t->words[j];
        rc = dg_buf_adds(b, j ? ",{\"text\":" : "{\"text\":");
        rc = rc ? rc : dg_buf_json_str(b, w->text);
        rc = rc ? rc : dg_buf_addf(b, ",\"conf\":%.17g,\"box\":[%d,%d,%d,%d]}", w->conf, w->box.x,
                                   w->box.y, w->box.w, w->box.h);
    }
    return rc ? rc : dg_buf_addc(b, ']');
}

static int insert_lines(sqlite3 *db, int64_t page_id, const ocr_result *r,
                        const int64_t *cell_ids, long *nwords, dg_err *err)
{
    sqlite3_stmt *ls = NULL, *ws = NULL;
    int rc = db_prepare(db, "INSERT INTO ocr_line(page_id, cell_id, seq, block_no, text, conf, "
                            "x, y, w, h, tess) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &ls, err);
    dg_buf tess;
    dg_buf_init(&tess, 0);
    if (!rc)
        rc = db_prepare(db, "INSERT INTO ocr_word(page_id, line_id, cell_id, block_no, line_no, "
                            "word_no, text, conf, x, y, w, h) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &ws, err);
    for (size_t i = 0; !rc && i < r->nlines; i++) {
        const ocr_line *l = &r->lines[i];
        sqlite3_bind_int64(ls, 1, page_id);
        bind_cell(ls, 2, l, cell_ids, r->ncells);
        sqlite3_bind_int(ls, 3, (int)i);
        sqlite3_bind_int(ls, 4, l->block_no);
        sqlite3_bind_text(ls, 5, l->text ? l->text : "", -1, SQLITE_STATIC);
        sqlite3_bind_double(ls, 6, l->conf);
        bind_box(ls, 7, l->box);
        if (l->tess && tess_json(l->tess, &tess)) {
            rc = dg_err_set(err, DG_ENOMEM, "out of memory");
            break;
        }
        if (l->tess)
            sqlite3_bind_text(ls, 11, tess.data, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ls, 11);
        if (sqlite3_step(ls) != SQLITE_DONE) {
            rc = db_fail(db, err, "cannot store text line");
            break;
        }
        sqlite3_reset(ls);
        int64_t line_id = sqlite3_last_insert_rowid(db);
        for (size_t j = 0; j < l->nwords; j++) {
            const ocr_word *w = &l->words[j];
            sqlite3_bind_int64(ws, 1, page_id);
            sqlite3_bind_int64(ws, 2, line_id);
            bind_cell(ws, 3, l, cell_ids, r->ncells);
            sqlite3_bind_int(ws, 4, l->block_no);
            sqlite3_bind_int(ws, 5, (int)i);
            sqlite3_bind_int(ws, 6, (int)j);
            sqlite3_bind_text(ws, 7, w->text, -1, SQLITE_STATIC);
            sqlite3_bind_double(ws, 8, w->conf);
            bind_box(ws, 9, w->box);
            if (sqlite3_step(ws) != SQLITE_DONE) {
                rc = db_fail(db, err, "cannot store word");
                break;
            }
            sqlite3_reset(ws);
            (*nwords)++;
        }
    }
    sqlite3_finalize(ls);
    sqlite3_finalize(ws);
    dg_buf_release(&tess);
    return rc;
}

static int insert_page_meta(sqlite3 *db, const page_job *j, const ocr_shared *sh,
                            const ocr_result *r, double secs, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO ocr_page(page_id, run_id, lang, skew_deg, orientation, "
                       "cleanup, mean_conf, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 1, j->page_id);
    sqlite3_bind_int64(st, 2, sh->run_id);
    sqlite3_bind_text(st, 3, sh->lang, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, r->skew_deg);
    sqlite3_bind_int(st, 5, r->orientation);
    sqlite3_bind_text(st, 6, r->cleanup_json ? r->cleanup_json : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, r->mean_conf);
    sqlite3_bind_double(st, 8, secs);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DG_OK : db_fail(db, err, "cannot store page OCR summary");
}

/* The page's new state, with the end of this run's lease on it; DG_ECONFLICT
 * when the lease was lost (expired and taken by another run). */
static int set_page_state(sqlite3 *db, int64_t page_id, int64_t run_id, const char *state,
                          const char *error, dg_err *err)
{
    sqlite3_stmt *st;
    if (db_prepare(db, "UPDATE page SET state = ?, error = ?, " ARC_LEASE_FREE " WHERE id = ? "
                       "AND claim_run = ?", &st, err))
        return DG_EDB;
    sqlite3_bind_int64(st, 4, run_id);
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    if (error)
        sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, page_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, "cannot update page state");
    return sqlite3_changes(db) == 1
               ? DG_OK
               : dg_err_set(err, DG_ECONFLICT, "page %lld: lease lost to another run",
                            (long long)page_id);
}

static int store_result(sqlite3 *db, const page_job *j, const ocr_shared *sh,
                        const ocr_result *r, double secs, long *nwords, dg_err *err)
{
    int64_t *cell_ids = calloc(r->ncells + 1, sizeof *cell_ids);
    if (!cell_ids)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    int rc = db_begin(db, err);
    if (!rc)
        rc = clear_page(db, j->page_id, err);
    if (!rc)
        rc = insert_cells(db, j->page_id, r, cell_ids, err);
    if (!rc)
        rc = insert_lines(db, j->page_id, r, cell_ids, nwords, err);
    if (!rc)
        rc = insert_page_meta(db, j, sh, r, secs, err);
    if (!rc)
        rc = set_page_state(db, j->page_id, sh->run_id, "read", NULL, err);
    if (!rc)
        rc = db_commit(db, err);
    if (rc)
        db_rollback(db);
    free(cell_ids);
    return rc;
}

static int store_failure(sqlite3 *db, const page_job *j, int64_t run_id, const char *why,
                         dg_err *err)
{
    int rc = db_begin(db, err);
    if (!rc)
        rc = set_page_state(db, j->page_id, run_id, "failed", why, err);
    if (!rc)
        rc = db_commit(db, err);
    if (rc)
        db_rollback(db);
    return rc;
}

/* ---- workers ----------------------------------------------------------------- */

typedef struct worker {
    ocr_shared *sh;
    sqlite3 *db;
    ocr_engine *engine;
    unsigned char *data; /* bytes of the file last read: pages of one file come together */
    size_t len;
    int64_t data_file;
} worker;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Load the page's file from its first intact copy (the store, then the
 * recorded paths), checking its bytes still hash to what was ingested. */
static int load_file(worker *w, const page_job *j, dg_err *why)
{
    if (w->data && w->data_file == j->file_id)
        return DG_OK;
    free(w->data);
    w->data = NULL;
    w->data_file = 0;
    if (arc_read_scan(w->db, j->file_id, &w->data, &w->len, why))
        return DG_EINPUT;
    w->data_file = j->file_id;
    return DG_OK;
}

/* A page done: its timing into the batch's, and to the caller's on_page. */
static void report_page(ocr_shared *sh, const page_job *j, const ocr_result *r,
                        const char *failed)
{
    pthread_mutex_lock(&sh->mu);
    if (r)
        ocr_timing_add(&sh->sum.timing, &r->timing);
    if (sh->opts->on_page)
        sh->opts->on_page(sh->opts->on_page_ctx, j->abspath, j->page_index, r ? &r->timing : NULL,
                          failed);
    pthread_mutex_unlock(&sh->mu);
}

/* *failed: 0 read, 1 failed, 2 not ours (claimed by another run first, or
 * its lease lost while reading): nothing stored. */
static int process_job(worker *w, const page_job *j, long *lines, long *words, long *cells,
                       int *failed, dg_err *err)
{
    dg_err why = {0};
    ocr_result *r = NULL;
    int got = 0;
    *failed = 0;
    if (arc_page_claim(w->db, j->page_id, w->sh->run_id, w->sh->claim_cond, &got, err))
        return DG_EDB;
    if (!got) {
        *failed = 2;
        return DG_OK;
    }
    double t0 = now_seconds();
    if (load_file(w, j, &why) || ocr_engine_read(w->engine, w->data, w->len, j->page_index, &r,
                                                 &why)) {
        *failed = 1;
        int frc = store_failure(w->db, j, w->sh->run_id, why.msg, err);
        if (frc == DG_ECONFLICT)
            *failed = 2;
        else if (!frc)
            report_page(w->sh, j, NULL, why.msg);
        return frc == DG_ECONFLICT ? DG_OK : frc;
    }
    long nw = 0;
    int rc = store_result(w->db, j, w->sh, r, now_seconds() - t0, &nw, err);
    if (rc == DG_ECONFLICT) {
        *failed = 2;
        ocr_result_free(&r);
        return DG_OK;
    }
    *words += nw;
    if (!rc) {
        *lines += (long)r->nlines;
        *cells += (long)r->ncells;
        report_page(w->sh, j, r, NULL);
    }
    ocr_result_free(&r);
    return rc;
}

static const page_job *next_job(ocr_shared *sh)
{
    const page_job *j = NULL;
    pthread_mutex_lock(&sh->mu);
    if (!sh->abort && sh->next < sh->njobs)
        j = &sh->jobs[sh->next++];
    pthread_mutex_unlock(&sh->mu);
    return j;
}

static void worker_fatal(ocr_shared *sh, const dg_err *e)
{
    pthread_mutex_lock(&sh->mu);
    if (!sh->abort) {
        sh->abort = 1;
        sh->fatal = *e;
    }
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    ocr_shared *sh = w->sh;
    dg_err e = {0};
    if (db_open(sh->db_path, 0, &w->db, &e) ||
        ocr_engine_new(sh->lang, sh->settings, &w->engine, &e)) {
        worker_fatal(sh, &e);
        return NULL;
    }
    if (sh->crew)
        ocr_engine_set_crew(w->engine, sh->crew);
    const page_job *j;
    while ((j = next_job(sh))) {
        long lines = 0, words = 0, cells = 0;
        int failed = 0;
        if (process_job(w, j, &lines, &words, &cells, &failed, &e)) {
            worker_fatal(sh, &e);
            break;
        }
        pthread_mutex_lock(&sh->mu);
        sh->finished++;
        sh->current = j->abspath;
        if (failed == 2)
            sh->sum.skipped_claimed++;
        else if (failed)
            sh->sum.pages_failed++;
        else
            sh->sum.pages_read++;
        sh->sum.lines += lines;
        sh->sum.words += words;
        sh->sum.cells += cells;
        pthread_cond_broadcast(&sh->cv);
        pthread_mutex_unlock(&sh->mu);
    }
    /* No page left to start: help the others finish theirs. */
    if (sh->crew && !j)
        ocr_crew_help(sh->crew, w->engine);
    return NULL;
}

/* ---- the stage ---------------------------------------------------------------- */

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void wait_for_workers(ocr_shared *sh, const arc_progress *prog)
{
    pthread_mutex_lock(&sh->mu);
    size_t shown = (size_t)-1;
    while (sh->finished < sh->njobs && !sh->abort) {
        if (shown != sh->finished) {
            shown = sh->finished;
            const char *cur = sh->current;
            pthread_mutex_unlock(&sh->mu);
            arc_progress_report(prog, "ocr", (long)shown, (long)sh->njobs, cur);
            pthread_mutex_lock(&sh->mu);
            continue;
        }
        pthread_cond_wait(&sh->cv, &sh->mu);
    }
    pthread_mutex_unlock(&sh->mu);
}

static int run_workers(ocr_shared *sh, int jobs, const arc_progress *prog, dg_err *err)
{
    if ((size_t)jobs > sh->njobs)
        jobs = sh->njobs ? (int)sh->njobs : 1;
    worker *ws = calloc((size_t)jobs, sizeof *ws);
    pthread_t *tids = calloc((size_t)jobs, sizeof *tids);
    if (!ws || !tids) {
        free(ws);
        free(tids);
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    }
    if (jobs > 1 && ocr_crew_new(&sh->crew, err)) {
        free(ws);
        free(tids);
        return err ? err->code : DG_ENOMEM;
    }
    int started = 0;
    for (int i = 0; i < jobs; i++) {
        ws[i].sh = sh;
        if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) == 0)
            started++;
        else
            break;
    }
    wait_for_workers(sh, prog);
    for (int i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
        ocr_engine_free(&ws[i].engine);
        db_close(&ws[i].db);
        free(ws[i].data);
    }
    free(ws);
    free(tids);
    ocr_crew_free(&sh->crew);
    arc_progress_report(prog, "ocr", (long)sh->finished, (long)sh->njobs, NULL);
    if (sh->abort) {
        if (err)
            *err = sh->fatal;
        return sh->fatal.code ? sh->fatal.code : DG_ERR;
    }
    return started ? DG_OK : dg_err_set(err, DG_ERR, "cannot start OCR worker threads");
}

static char *run_params(const arc_ocr_opts *o, int jobs, const ocr_settings *s)
{
    dg_buf b;
    dg_buf_init(&b, 0);
    dg_buf_adds(&b, "{\"lang\":");
    dg_buf_json_str(&b, o->lang);
    dg_buf_addf(&b, ",\"jobs\":%d,\"redo\":%d,", jobs, o->redo);
    /* only when asked: the params of plain runs stay as they were */
    if (o->retry_failed)
        dg_buf_adds(&b, "\"retry_failed\":1,");
    dg_buf_addf(&b, "\"settings\":%s}", ocr_settings_json(s));
    return dg_buf_detach(&b);
}

int arc_ocr(const char *db_path, const arc_ocr_opts *opts, const arc_progress *prog,
            arc_ocr_summary *sum, dg_err *err)
{
    arc_ocr_opts o = *opts;
    if (!o.lang)
        o.lang = "chi_sim";
    int jobs = o.jobs > 0 ? o.jobs : default_jobs();
    memset(sum, 0, sizeof *sum);
    ocr_shared sh = {0};
    sh.db_path = db_path;
    sh.opts = &o;
    sh.lang = o.lang;
    sqlite3 *db = NULL;
    ocr_settings *settings = NULL;
    int rc = db_open(db_path, 0, &db, err);
    if (!rc)
        rc = arc_ocr_settings_open(o.settings_path, &settings, err);
    if (!rc)
        rc = load_jobs(db, &o, &sh, err);
    char *params = settings ? run_params(&o, jobs, settings) : NULL;
    if (!rc)
        rc = db_run_begin(db, "ocr", params, &sh.run_id, err);
    if (!rc) {
        sh.settings = settings;
        pthread_mutex_init(&sh.mu, NULL);
        pthread_cond_init(&sh.cv, NULL);
        rc = sh.njobs ? run_workers(&sh, jobs, prog, err) : DG_OK;
        pthread_mutex_destroy(&sh.mu);
        pthread_cond_destroy(&sh.cv);
        *sum = sh.sum;
        long skipped = 0;
        for (int i = 0; i < OCR_NSTEPS; i++)
            skipped += sum->timing.skipped[i];
        dg_buf counts;
        dg_buf_init(&counts, 0);
        dg_buf_addf(&counts,
                    "{\"pages_read\":%ld,\"pages_failed\":%ld,\"lines\":%ld,\"words\":%ld,"
                    "\"cells\":%ld,\"skipped_claimed\":%ld,\"skipped_loaded\":%ld,"
                    "\"cpu_seconds\":%.1f,\"retries_skipped\":%ld,\"cpu_steps\":{",
                    sum->pages_read, sum->pages_failed, sum->lines, sum->words, sum->cells,
                    sum->skipped_claimed, sum->skipped_loaded, ocr_timing_cpu(&sum->timing),
                    skipped);
        /* the run log says where the batch's CPU went, step by step */
        for (int i = 0, first = 1; i < OCR_NSTEPS; i++)
            if (sum->timing.cpu[i] >= 0.05) {
                dg_buf_addf(&counts, "%s\"%s\":%.1f", first ? "" : ",", ocr_step_name(i),
                            sum->timing.cpu[i]);
                first = 0;
            }
        dg_buf_adds(&counts, "}}");
        db_run_end(db, sh.run_id, rc ? "failed" : "done", counts.data ? counts.data : "{}", NULL);
        dg_buf_release(&counts);
    }
    free(params);
    free_jobs(&sh);
    ocr_settings_free(&settings);
    db_close(&db);
    return rc;
}
