/*
 * meter.c - where a page's time goes, the budget of its optional retries,
 * and its time limit.
 *
 * Each engine counts its own thread's time (CPU and wall) in the step it
 * works in and credits it to the page it works for; a crew's helper joins
 * the page whose cell it reads.  The retry budget is counted per region (a
 * cell, a phrase) in pixels given to Tesseract, not in seconds: a region is
 * read by one thread from start to end, so the same page makes the same
 * retries however the crew splits it and however loaded the machine is.
 * The time limit is wall-clock from the page's start; Tesseract is stopped
 * by its own cancel callback, and every recognition first checks it.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "ocr_internal.h"

static const char *const step_names[OCR_NSTEPS] = {
    "decode", "seal",    "scale",    "background", "deskew",  "binarize",
    "rules",  "grid",    "cells",    "phrases",    "dots",    "latin",
    "variants", "faded", "lighter",  "floor",      "reader2", "orientation", "finish"};

const char *ocr_step_name(int step)
{
    return step >= 0 && step < OCR_NSTEPS ? step_names[step] : NULL;
}

double ocr_timing_cpu(const ocr_timing *t)
{
    double s = 0;
    for (int i = 0; i < OCR_NSTEPS; i++)
        s += t->cpu[i];
    return s;
}

double ocr_timing_wall(const ocr_timing *t)
{
    double s = 0;
    for (int i = 0; i < OCR_NSTEPS; i++)
        s += t->wall[i];
    return s;
}

void ocr_timing_add(ocr_timing *sum, const ocr_timing *t)
{
    for (int i = 0; i < OCR_NSTEPS; i++) {
        sum->cpu[i] += t->cpu[i];
        sum->wall[i] += t->wall[i];
        sum->reads[i] += t->reads[i];
        sum->skipped[i] += t->skipped[i];
        sum->won[i] += t->won[i];
        sum->mpx[i] += t->mpx[i];
    }
    sum->pool += t->pool;
    sum->spent += t->spent;
    sum->spent_reader2 += t->spent_reader2;
    sum->first_work += t->first_work;
    sum->wall_page += t->wall_page;
    sum->first_mpx += t->first_mpx;
    sum->retry_mpx += t->retry_mpx;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This thread's CPU time: a crew's threads work on several pages at once,
 * so the process's would mix them. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ocr_meter_init(ocr_meter *m, const ocr_settings *s)
{
    *m = (ocr_meter){0};
    if (pthread_mutex_init(&m->mu, NULL) != 0)
        return DG_ERR;
    m->start = wall_now();
    m->limit = s->time_limit;
    m->deadline = s->time_limit > 0 ? m->start + s->time_limit : 0;
    return DG_OK;
}

double ocr_meter_elapsed(const ocr_meter *m)
{
    return wall_now() - m->start;
}

void ocr_meter_destroy(ocr_meter *m)
{
    pthread_mutex_destroy(&m->mu);
}

/* The step the clock is in: a push deeper than the stack (no reading nests
 * so deep) stays counted in the deepest step kept. */
static int top(const ocr_clock *c)
{
    int d = c->depth > OCR_CLOCK_DEPTH ? OCR_CLOCK_DEPTH : c->depth;
    return d > 0 ? c->stack[d - 1] : OCR_STEP_FINISH;
}

/* The time since the clock's last reading credited to its current step. */
static void credit(ocr_clock *c)
{
    double w = wall_now(), u = cpu_now();
    if (c->m && c->depth > 0) {
        int step = top(c);
        pthread_mutex_lock(&c->m->mu);
        c->m->t.wall[step] += w - c->wall;
        c->m->t.cpu[step] += u - c->cpu;
        pthread_mutex_unlock(&c->m->mu);
    }
    c->wall = w;
    c->cpu = u;
}

/* While the page is read turned, everything is the orientation search
 * (helpers reading its cells look at `turning` too, hence atomic). */
static int effective(const ocr_clock *c, int step)
{
    return c->m && __atomic_load_n(&c->m->turning, __ATOMIC_RELAXED) ? OCR_STEP_ORIENTATION
                                                                      : step;
}

void ocr_clock_attach(ocr_engine *e, ocr_meter *m, int step, ocr_clock *saved)
{
    credit(&e->clock);
    *saved = e->clock;
    e->clock = (ocr_clock){.m = m, .depth = 1, .cell = step == OCR_STEP_CELLS};
    e->clock.stack[0] = effective(&e->clock, step);
    e->clock.wall = wall_now();
    e->clock.cpu = cpu_now();
}

void ocr_clock_detach(ocr_engine *e, const ocr_clock *saved)
{
    credit(&e->clock);
    e->clock = *saved;
    /* the time away was credited to the other page */
    e->clock.wall = wall_now();
    e->clock.cpu = cpu_now();
}

void ocr_step_switch(ocr_engine *e, int step)
{
    ocr_clock *c = &e->clock;
    credit(c);
    if (c->depth > 0 && c->depth <= OCR_CLOCK_DEPTH)
        c->stack[c->depth - 1] = effective(c, step);
}

void ocr_step_push(ocr_engine *e, int step)
{
    ocr_clock *c = &e->clock;
    credit(c);
    if (c->depth < OCR_CLOCK_DEPTH)
        c->stack[c->depth] = effective(c, step);
    c->depth++;
}

void ocr_step_pop(ocr_engine *e)
{
    ocr_clock *c = &e->clock;
    credit(c);
    if (c->depth > 1)
        c->depth--;
}

void ocr_region_begin(ocr_engine *e)
{
    e->clock.first_px = 0;
    e->clock.retry_px = 0;
}

/* Inside a faded or lighter print re-read: its own readings (a number's
 * eng reading made smaller) are part of it. */
static int in_evidence_reread(const ocr_clock *c)
{
    int d = c->depth > OCR_CLOCK_DEPTH ? OCR_CLOCK_DEPTH : c->depth;
    for (int i = 0; i < d; i++)
        if (c->stack[i] == OCR_STEP_FADED || c->stack[i] == OCR_STEP_LIGHTER)
            return 1;
    return 0;
}

/* A plain reading (Tesseract's own layout over the page, PSM 3) costs
 * about this many times a line crop's CPU per pixel: most of a page is
 * paper its layout analysis passes over quickly, where a crop is cut to
 * its ink and scaled to the line height the recognizer wants.  Measured
 * 0.29-0.34 (docs/ocr.md, "Budget and timing": CPU per megapixel of the
 * floor's readings against that of crops); a round value under it. */
#define PLAIN_WORK 0.25

/* The work a recognition of px pixels by api is, in units of a line
 * crop's pixel. */
static double work_of(TessBaseAPI *api, double px)
{
    int psm = (int)TessBaseAPIGetPageSegMode(api);
    return psm == PSM_AUTO || psm == PSM_AUTO_OSD || psm == PSM_AUTO_ONLY ? px * PLAIN_WORK : px;
}

/* Optional work, charged to the page's budget: retries, and every reading
 * of the floor and of the orientation search (a page read turned is read
 * whole again); the rest are first readings.  A cell's is not charged:
 * cells are bounded per region, and a ledger's cells spending the page's
 * budget left its title and header lines without the variants that read
 * them (bag-F1 0.798 -> 0.785 on a hard drawn ledger). */
static int optional(const ocr_clock *c)
{
    int step = top(c);
    return c->retrying || step == OCR_STEP_FLOOR || step == OCR_STEP_ORIENTATION;
}

void ocr_budget_start(ocr_engine *e, double plain_px)
{
    ocr_meter *m = e->clock.m;
    const ocr_settings *s = e->settings;
    if (!m || m->pool > 0 || !s->budget_on || s->budget_page <= 0)
        return;
    m->pool = llround(s->budget_page * plain_px * PLAIN_WORK);
    m->pool = m->pool > 0 ? m->pool : 1;
}

void ocr_charge(ocr_engine *e, double px, double weight)
{
    ocr_clock *c = &e->clock;
    if (!c->m)
        return;
    pthread_mutex_lock(&c->m->mu);
    c->m->spent_reader2 += llround(px * weight);
    pthread_mutex_unlock(&c->m->mu);
}

/* The page's budget is spent.  Only where the page's own engine reads
 * (phrases, floor, orientation: one thread, in order); a cell, read by any
 * thread of a crew in any order, is bounded per region only, else which
 * cell got a retry would depend on the threads' timing. */
static int page_spent(const ocr_clock *c)
{
    if (!c->m || c->cell || c->m->pool <= 0)
        return 0;
    pthread_mutex_lock(&c->m->mu);
    int over = c->m->spent >= c->m->pool;
    pthread_mutex_unlock(&c->m->mu);
    return over;
}

int ocr_may_retry(ocr_engine *e, int step)
{
    ocr_clock *c = &e->clock;
    const ocr_settings *s = e->settings;
    /* A faded or lighter print re-read is made on evidence of that print
     * and wins over half the time; the variants, tried on low confidence
     * alone, win a fifth (docs/ocr.md, "Budget and timing"): in a region
     * only they are bounded, by what every retry of the region read so
     * far.  Skipping the eng reading inside a faded cell's re-read lost a
     * faded 1995.3: a re-read made on evidence keeps its own readings.
     * The page's budget bounds the variants where the page's own engine
     * reads; what comes before them in
     * order of value is charged to it, never skipped: the floor and the
     * orientation search (what keeps a page from reading worse than
     * plainly or upside down), and the faded and lighter re-reads (at most
     * one a line; bounding them lost a faded column's 工学硕士 on 1 of 4
     * lines: they won 10 of its 13). */
    /* The second reader's page lines are not bounded by it: each chosen
     * line is read once (a cost linear in the page's lines), and they are
     * worth more than any Tesseract retry (docs/reader2.md); an allowance
     * of 3 readings' worth left a drawn rule-free card's 导师 line to
     * Tesseract (李薰声 for 李蕉声, e2e.reader2_trust) once lines were on. */
    if (!s->budget_on || in_evidence_reread(c) || step != OCR_STEP_VARIANTS)
        return 1;
    int region_over = step == OCR_STEP_VARIANTS && c->retry_px >= s->budget_retries * c->first_px;
    if (!region_over && !page_spent(c))
        return 1;
    if (c->m) {
        pthread_mutex_lock(&c->m->mu);
        c->m->t.skipped[effective(c, step)]++;
        pthread_mutex_unlock(&c->m->mu);
    }
    return 0;
}

void ocr_retry_won(ocr_engine *e, int step)
{
    ocr_clock *c = &e->clock;
    if ((step < 0 && !c->retrying) || !c->m)
        return;
    pthread_mutex_lock(&c->m->mu);
    c->m->t.won[step < 0 ? top(c) : effective(c, step)]++;
    pthread_mutex_unlock(&c->m->mu);
}

void ocr_retry_begin(ocr_engine *e, int step)
{
    e->clock.retrying++;
    ocr_step_push(e, step);
}

void ocr_retry_end(ocr_engine *e)
{
    ocr_step_pop(e);
    e->clock.retrying--;
}

/* Under the lock or from the owning thread: whether the deadline passed
 * (and from then on, that it did). */
static int past_deadline(ocr_meter *m)
{
    if (!m || m->deadline <= 0)
        return 0;
    if (__atomic_load_n(&m->over, __ATOMIC_RELAXED))
        return 1;
    if (wall_now() < m->deadline)
        return 0;
    __atomic_store_n(&m->over, 1, __ATOMIC_RELAXED);
    return 1;
}

int ocr_check_time(ocr_engine *e, dg_err *err)
{
    ocr_meter *m = e->clock.m;
    if (!past_deadline(m))
        return DG_OK;
    return dg_err_set(err, DG_EINPUT, "over the page time limit of %g s", m->limit);
}

/* Tesseract asks this between words: true stops the recognition. */
static bool cancel_past_deadline(void *meter, int words)
{
    (void)words;
    return past_deadline(meter) != 0;
}

ETEXT_DESC *ocr_monitor_new(void)
{
    ETEXT_DESC *m = TessMonitorCreate();
    if (m)
        TessMonitorSetCancelFunc(m, cancel_past_deadline);
    return m;
}

int ocr_recognize(ocr_engine *e, TessBaseAPI *api, PIX *img, dg_err *err)
{
    ocr_clock *c = &e->clock;
    if (ocr_check_time(e, err))
        return err ? err->code : DG_EINPUT;
    double px = img ? (double)pixGetWidth(img) * pixGetHeight(img) : 0;
    if (c->retrying)
        c->retry_px += px;
    else
        c->first_px += px;
    if (c->m) {
        pthread_mutex_lock(&c->m->mu);
        c->m->t.reads[top(c)]++;
        c->m->t.mpx[top(c)] += px / 1e6;
        if (!optional(c))
            c->m->first_work += llround(work_of(api, px));
        else if (!c->cell)
            c->m->spent += llround(work_of(api, px));
        if (c->retrying)
            c->m->t.retry_mpx += px / 1e6;
        else
            c->m->t.first_mpx += px / 1e6;
        pthread_mutex_unlock(&c->m->mu);
    }
    ETEXT_DESC *mon = c->m && c->m->deadline > 0 ? e->monitor : NULL;
    if (mon)
        TessMonitorSetCancelThis(mon, c->m);
    int rc = TessBaseAPIRecognize(api, mon);
    if (ocr_check_time(e, err))
        return err ? err->code : DG_EINPUT;
    return rc == 0 ? DG_OK : dg_err_set(err, DG_ERR, "Tesseract failed to recognise a region");
}

void ocr_timing_json(const ocr_timing *t, const ocr_settings *s, dg_buf *b)
{
    dg_buf_addf(b,
                "{\"step\":\"times\",\"wall\":%.3f,\"cpu\":%.3f,\"budget\":{\"on\":%s,"
                "\"retries\":%g,\"page\":%g,\"pool\":%.0f,\"spent\":%.0f,\"first\":%.0f,"
                "\"spent_reader2\":%.0f,\"first_mpx\":%.2f,\"retry_mpx\":%.2f},\"time_limit\":%g,"
                "\"steps\":{",
                t->wall_page, ocr_timing_cpu(t), s->budget_on ? "true" : "false", s->budget_retries,
                s->budget_page, t->pool, t->spent, t->first_work, t->spent_reader2, t->first_mpx,
                t->retry_mpx, s->time_limit);
    int first = 1;
    for (int i = 0; i < OCR_NSTEPS; i++) {
        if (t->wall[i] < 0.0005 && t->reads[i] == 0 && t->skipped[i] == 0)
            continue;
        dg_buf_addf(b, "%s\"%s\":{\"cpu\":%.3f,\"wall\":%.3f,\"reads\":%ld", first ? "" : ",",
                    step_names[i], t->cpu[i], t->wall[i], t->reads[i]);
        if (t->mpx[i] > 0)
            dg_buf_addf(b, ",\"mpx\":%.3f", t->mpx[i]);
        if (t->skipped[i])
            dg_buf_addf(b, ",\"skipped\":%ld", t->skipped[i]);
        if (t->won[i])
            dg_buf_addf(b, ",\"won\":%ld", t->won[i]);
        dg_buf_adds(b, "}");
        first = 0;
    }
    dg_buf_adds(b, "}}");
}
