/* The engine's clock inside the server: one background thread finishes
 * interrupted close_case actions at start (wf_resume) and then fires due
 * timers every WF_LOOP_INTERVAL_S seconds. wf_loop_stop wakes it through a
 * condition variable and joins it, so the store can be closed afterwards. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "base/log.h"
#include "base/rtime.h"
#include "engine.h"

/* Seconds between two rounds of wf_timers_fire. */
#define WF_LOOP_INTERVAL_S 2

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t loop_cond; /* signalled by wf_loop_stop */
static pthread_t loop_thread;    /* valid while loop_running */
static bool loop_running;        /* a thread was started and not yet joined */
static bool loop_stopping;       /* the thread shall end, guarded by loop_lock */
static struct store *loop_store; /* borrowed from the server for the thread's lifetime */

static void *loop_main(void *arg)
{
    (void)arg;
    int done = 0;
    int rc = wf_resume(loop_store, &done);
    if (rc)
        log_msg(LOG_WARN, "Workflow: Fortsetzen nach Neustart fehlgeschlagen: %s", err_message(rc));
    else if (done)
        log_msg(LOG_INFO, "Workflow: %d unterbrochene Schritte fortgesetzt", done);
    pthread_mutex_lock(&loop_lock);
    while (!loop_stopping) {
        pthread_mutex_unlock(&loop_lock);
        int fired = 0;
        rc = wf_timers_fire(loop_store, rtime_now(), &fired);
        if (rc)
            log_msg(LOG_WARN, "Workflow: Fristen nicht ausgelöst: %s", err_message(rc));
        pthread_mutex_lock(&loop_lock);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += WF_LOOP_INTERVAL_S;
        while (!loop_stopping &&
               pthread_cond_timedwait(&loop_cond, &loop_lock, &until) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&loop_lock);
    return NULL;
}

int wf_loop_start(struct store *s)
{
    pthread_mutex_lock(&loop_lock);
    int rc = 0;
    if (loop_running) {
        rc = ERR_EXISTS;
        goto done;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&loop_cond, &attr);
    pthread_condattr_destroy(&attr);
    loop_store = s;
    loop_stopping = false;
    if (pthread_create(&loop_thread, NULL, loop_main, NULL) != 0) {
        pthread_cond_destroy(&loop_cond);
        rc = ERR_NOMEM;
        goto done;
    }
    loop_running = true;
done:
    pthread_mutex_unlock(&loop_lock);
    return rc;
}

void wf_loop_stop(void)
{
    pthread_mutex_lock(&loop_lock);
    if (!loop_running) {
        pthread_mutex_unlock(&loop_lock);
        return;
    }
    loop_stopping = true;
    pthread_cond_signal(&loop_cond);
    pthread_mutex_unlock(&loop_lock);
    pthread_join(loop_thread, NULL);
    pthread_mutex_lock(&loop_lock);
    loop_running = false;
    loop_store = NULL;
    pthread_cond_destroy(&loop_cond);
    pthread_mutex_unlock(&loop_lock);
}
