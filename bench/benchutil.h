/* Helpers the benchmark tools share: give up with a message naming the tool,
 * check a rathaus return code, a monotonic clock in seconds and calloc that
 * does not return NULL. Only for bench/ (a tool may exit on any error). */
#ifndef RATHAUS_BENCH_BENCHUTIL_H
#define RATHAUS_BENCH_BENCHUTIL_H

#include <stddef.h>

/* Prints "<tool>: <message>" to stderr and exits with status 1. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* bench_die with what, the error's name and message when rc is not 0. */
void bench_check(int rc, const char *what);

/* Monotonic time in seconds. */
double bench_now_s(void);

/* calloc of at least one byte; bench_die when out of memory. */
void *bench_xcalloc(size_t n, size_t size);

#endif
