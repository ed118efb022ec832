/*
 * ratelimit.c - a token bucket per client address for the public
 * verification page: a burst of WEB_RL_BURST verifications, then one more
 * every WEB_RL_REFILL_S seconds.  A fixed table; when it is full the
 * address seen least recently gives up its slot (a flood of addresses
 * cannot grow memory).
 */
#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

typedef struct slot {
    char peer[48];
    double tokens;
    int64_t last;
} slot;

struct web_rl {
    pthread_mutex_t lock;
    int burst, refill_s;
    slot s[SLOTS];
};

web_rl *web_rl_new(int burst, int refill_s)
{
    web_rl *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    pthread_mutex_init(&rl->lock, NULL);
    rl->burst = burst > 0 ? burst : 1;
    rl->refill_s = refill_s > 0 ? refill_s : 1;
    return rl;
}

void web_rl_free(web_rl **rl)
{
    if (!rl || !*rl)
        return;
    pthread_mutex_destroy(&(*rl)->lock);
    free(*rl);
    *rl = NULL;
}

int web_rl_take(web_rl *rl, const char *peer, int64_t now)
{
    pthread_mutex_lock(&rl->lock);
    slot *hit = NULL, *victim = NULL; /* an empty slot, else the least recent */
    for (int i = 0; i < SLOTS && !hit; i++) {
        slot *x = &rl->s[i];
        if (x->peer[0] && strcmp(x->peer, peer) == 0)
            hit = x;
        else if (!victim || (victim->peer[0] && (!x->peer[0] || x->last < victim->last)))
            victim = x;
    }
    if (!hit) {
        hit = victim;
        memset(hit, 0, sizeof *hit);
        strncpy(hit->peer, peer, sizeof hit->peer - 1);
        hit->tokens = rl->burst;
        hit->last = now;
    }
    hit->tokens += (double)(now - hit->last) / rl->refill_s;
    if (hit->tokens > rl->burst)
        hit->tokens = rl->burst;
    hit->last = now;
    int ok = hit->tokens >= 1.0;
    if (ok)
        hit->tokens -= 1.0;
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
