/* The ticker thread: a loop around fn with a wait on a condition variable
 * bound to the monotonic clock, so a changed wall clock neither skips nor
 * repeats a round, and ticker_stop ends the wait at once. */
#include "ticker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct ticker {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* signalled by ticker_stop */
    pthread_t thread;
    bool stopping; /* guarded by lock */
    long interval_ms;
    ticker_fn fn;
    void *arg;
};

static void *ticker_main(void *p)
{
    struct ticker *t = p;
    bool first = true;
    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        pthread_mutex_unlock(&t->lock);
        t->fn(t->arg, first);
        first = false;
        pthread_mutex_lock(&t->lock);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += t->interval_ms / 1000;
        until.tv_nsec += (t->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!t->stopping && pthread_cond_timedwait(&t->cond, &t->lock, &until) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int ticker_start(long interval_ms, ticker_fn fn, void *arg, struct ticker **ret)
{
    if (interval_ms < 1 || !fn)
        return ERR_INVALID;
    struct ticker *t = calloc(1, sizeof *t);
    if (!t)
        return ERR_NOMEM;
    t->interval_ms = interval_ms;
    t->fn = fn;
    t->arg = arg;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&t->lock, NULL);
    if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
        pthread_cond_destroy(&t->cond);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return ERR_NOMEM;
    }
    *ret = t;
    return 0;
}

void ticker_stop(struct ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
