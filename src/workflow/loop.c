/* The engine's clock inside the server: a ticker (base/ticker.h) that
 * finishes interrupted close_case actions on its first round (wf_resume)
 * and fires due timers every WF_LOOP_INTERVAL_MS. wf_loop_stop joins it,
 * so the store can be closed afterwards. */
#include <pthread.h>

#include "base/log.h"
#include "base/rtime.h"
#include "base/ticker.h"
#include "engine.h"

/* Milliseconds between two rounds of wf_timers_fire. */
#define WF_LOOP_INTERVAL_MS 2000

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ticker *loop_ticker; /* running, guarded by loop_lock */

static void loop_round(void *arg, bool first)
{
    struct store *s = arg;
    int rc;
    if (first) {
        int done = 0;
        rc = wf_resume(s, &done);
        if (rc)
            log_msg(LOG_WARN, "Workflow: Fortsetzen nach Neustart fehlgeschlagen: %s",
                    err_message(rc));
        else if (done)
            log_msg(LOG_INFO, "Workflow: %d unterbrochene Schritte fortgesetzt", done);
    }
    int fired = 0;
    rc = wf_timers_fire(s, rtime_now(), &fired);
    if (rc)
        log_msg(LOG_WARN, "Workflow: Fristen nicht ausgelöst: %s", err_message(rc));
}

int wf_loop_start(struct store *s)
{
    pthread_mutex_lock(&loop_lock);
    int rc =
        loop_ticker ? ERR_EXISTS : ticker_start(WF_LOOP_INTERVAL_MS, loop_round, s, &loop_ticker);
    pthread_mutex_unlock(&loop_lock);
    return rc;
}

void wf_loop_stop(void)
{
    pthread_mutex_lock(&loop_lock);
    struct ticker *t = loop_ticker;
    loop_ticker = NULL;
    pthread_mutex_unlock(&loop_lock);
    ticker_stop(t);
}
