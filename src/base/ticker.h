/* A background thread that calls one function at a fixed interval until it
 * is stopped: the server's clocks (workflow timers, the KPI snapshot of a
 * new day) run on it. Stopping wakes the thread at once and joins it. */
#ifndef RATHAUS_BASE_TICKER_H
#define RATHAUS_BASE_TICKER_H

#include <stdbool.h>

#include "err.h"

struct ticker;

/* Called on the ticker's thread: first is true on the first call, which
 * follows ticker_start at once; the next call comes interval_ms after the
 * previous one returned. */
typedef void (*ticker_fn)(void *arg, bool first);

/* Starts a thread that calls fn(arg, …) every interval_ms milliseconds
 * (at least 1). Returns 0 and sets *ret, or ERR_INVALID / ERR_NOMEM. */
int ticker_start(long interval_ms, ticker_fn fn, void *arg, struct ticker **ret) WUR;

/* Stops the ticker: waits for a running call to return, joins the thread
 * and frees t. After it returns fn is not called again. NULL is allowed. */
void ticker_stop(struct ticker *t);

#endif
