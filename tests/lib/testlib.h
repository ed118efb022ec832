/*
 * testlib.h - a tiny assertion kit for dangan's C unit tests.  A test
 * binary calls its cases, each CHECK failure prints file:line and the
 * expression, and tl_exit_status() makes ctest see the failure.
 */
#ifndef DANGAN_TESTLIB_H
#define DANGAN_TESTLIB_H

#include <stdio.h>
#include <string.h>

typedef struct tl_state {
    int checks;
    int failures;
} tl_state;

void tl_fail(tl_state *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tl_exit_status(tl_state *t, const char *name);

#define CHECK(t, cond)                                                                             \
    do {                                                                                           \
        (t)->checks++;                                                                             \
        if (!(cond))                                                                               \
            tl_fail((t), __FILE__, __LINE__, "check failed: %s", #cond);                         \
    } while (0)

#define CHECK_STR(t, got, want)                                                                    \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        (t)->checks++;                                                                             \
        if (!g_ || !w_ || strcmp(g_, w_) != 0)                                                     \
            tl_fail((t), __FILE__, __LINE__, "%s: got '%s', want '%s'", #got, g_ ? g_ : "(null)", \
                    w_ ? w_ : "(null)");                                                           \
    } while (0)

#define CHECK_INT(t, got, want)                                                                    \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        (t)->checks++;                                                                             \
        if (g_ != w_)                                                                              \
            tl_fail((t), __FILE__, __LINE__, "%s: got %lld, want %lld", #got, g_, w_);            \
    } while (0)

#endif
