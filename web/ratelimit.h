/* ratelimit.h - a token bucket per client address (ratelimit.c), for the
 * public verification page.  Internal to web/. */
#ifndef DANGAN_WEB_RATELIMIT_H
#define DANGAN_WEB_RATELIMIT_H

#include <stdint.h>

/* A burst of 30 verifications per address, then one every 20 seconds. */
#define WEB_RL_BURST 30
#define WEB_RL_REFILL_S 20

typedef struct web_rl web_rl;
/* NULL when out of memory; web_rl_free releases. */
web_rl *web_rl_new(int burst, int refill_s);
void web_rl_free(web_rl **rl);
/* Take a token for peer at time now (seconds): 1 allowed, 0 refused. */
int web_rl_take(web_rl *rl, const char *peer, int64_t now);

#endif
