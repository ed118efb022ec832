/*
 * crew.c - engines on several threads sharing the cells of a page.
 *
 * A page's reader publishes its cells as a job; it and any idle engine
 * claim cells one at a time under the crew's lock and read them with their
 * own Tesseract instances.  The reader waits for every claimed cell before
 * it merges the results in cell order, so the page reads the same whoever
 * read which cell.  Idle engines wait while some engine is still inside a
 * page (it may publish cells after its clean-up) and leave when none is.
 */
#include <pthread.h>
#include <stdlib.h>

#include "ocr_internal.h"

struct ocr_crew {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ocr_crew_job *open; /* jobs with cells nobody has claimed yet */
    int reading;        /* engines inside ocr_engine_read */
};

int ocr_crew_new(ocr_crew **out, dg_err *err)
{
    ocr_crew *c = calloc(1, sizeof *c);
    if (!c)
        return dg_err_set(err, DG_ENOMEM, "out of memory");
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return dg_err_set(err, DG_ERR, "cannot create a lock for the OCR crew");
    }
    if (pthread_cond_init(&c->cv, NULL) != 0) {
        pthread_mutex_destroy(&c->mu);
        free(c);
        return dg_err_set(err, DG_ERR, "cannot create a condition for the OCR crew");
    }
    *out = c;
    return DG_OK;
}

void ocr_crew_free(ocr_crew **pc)
{
    if (!pc || !*pc)
        return;
    pthread_cond_destroy(&(*pc)->cv);
    pthread_mutex_destroy(&(*pc)->mu);
    free(*pc);
    *pc = NULL;
}

void ocr_engine_set_crew(ocr_engine *e, ocr_crew *c)
{
    e->crew = c;
}

void ocr_crew_enter(ocr_crew *c)
{
    pthread_mutex_lock(&c->mu);
    c->reading++;
    pthread_mutex_unlock(&c->mu);
}

void ocr_crew_leave(ocr_crew *c)
{
    pthread_mutex_lock(&c->mu);
    c->reading--;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void unlink_job(ocr_crew *c, ocr_crew_job *job)
{
    for (ocr_crew_job **p = &c->open; *p; p = &(*p)->next)
        if (*p == job) {
            *p = job->next;
            return;
        }
}

/* Under the lock: the next cell of job to read, or -1 when none is left
 * (the job then leaves the open list). */
static long claim(ocr_crew *c, ocr_crew_job *job)
{
    if (job->stop || job->claimed >= job->n) {
        unlink_job(c, job);
        return -1;
    }
    long i = (long)job->claimed++;
    if (job->claimed >= job->n)
        unlink_job(c, job);
    return i;
}

/* Read cell i of job outside the lock, then count it done (under it).  A
 * failure stops the job: no further cells are handed out. */
static void read_claimed(ocr_crew *c, ocr_crew_job *job, ocr_engine *e, long i)
{
    pthread_mutex_unlock(&c->mu);
    dg_err err = {0};
    int rc = job->read(job->ctx, e, (size_t)i, &err);
    pthread_mutex_lock(&c->mu);
    if (rc != DG_OK && job->rc == DG_OK) {
        job->rc = rc;
        job->err = err;
        job->stop = 1;
        unlink_job(c, job);
    }
    job->done++;
    pthread_cond_broadcast(&c->cv);
}

int ocr_crew_run(ocr_crew *c, ocr_engine *e, ocr_crew_job *job, dg_err *err)
{
    pthread_mutex_lock(&c->mu);
    job->next = c->open;
    c->open = job;
    pthread_cond_broadcast(&c->cv);
    for (long i; (i = claim(c, job)) >= 0;)
        read_claimed(c, job, e, i);
    while (job->done < job->claimed)
        pthread_cond_wait(&c->cv, &c->mu);
    pthread_mutex_unlock(&c->mu);
    if (job->rc != DG_OK && err)
        *err = job->err;
    return job->rc;
}

void ocr_crew_help(ocr_crew *c, ocr_engine *e)
{
    pthread_mutex_lock(&c->mu);
    for (;;) {
        ocr_crew_job *job = c->open;
        long i = job ? claim(c, job) : -1;
        if (i >= 0)
            read_claimed(c, job, e, i);
        else if (!c->open && c->reading == 0)
            break;
        else if (!c->open)
            pthread_cond_wait(&c->cv, &c->mu);
    }
    pthread_mutex_unlock(&c->mu);
}
