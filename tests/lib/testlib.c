/* testlib.c - failure reporting for the unit-test assertion macros. */
#include "testlib.h"

#include <stdarg.h>

void tl_fail(tl_state *t, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    t->failures++;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int tl_exit_status(tl_state *t, const char *name)
{
    printf("%s: %d checks, %d failed\n", name, t->checks, t->failures);
    return t->failures ? 1 : 0;
}
