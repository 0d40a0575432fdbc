/* The KPIs' daily history without anyone opening the cockpit: the server
 * takes the day's snapshot when it starts (before it answers requests) and
 * again whenever the date has changed, checked every STRAT_LOOP_INTERVAL_MS
 * on a ticker (base/ticker.h). */
#include <pthread.h>
#include <string.h>

#include "base/log.h"
#include "base/ticker.h"
#include "strategy.h"

/* Milliseconds between two looks at the date. */
#define STRAT_LOOP_INTERVAL_MS 60000

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ticker *loop_ticker; /* running, guarded by loop_lock */
static char loop_day[11];          /* day of the last snapshot; only the ticker writes it then */

int strat_snapshot_day(struct store *s, char last_day[11], bool *ret_taken)
{
    char day[11];
    strat_today(day);
    if (ret_taken)
        *ret_taken = false;
    if (strcmp(day, last_day) == 0)
        return 0;
    json_t *kpis = NULL;
    int rc = strat_kpis(s, "system", day, true, &kpis);
    json_decref(kpis);
    if (rc)
        return rc;
    memcpy(last_day, day, 11);
    if (ret_taken)
        *ret_taken = true;
    return 0;
}

static void loop_round(void *arg, bool first)
{
    (void)first;
    bool taken = false;
    int rc = strat_snapshot_day(arg, loop_day, &taken);
    if (rc)
        log_msg(LOG_WARN, "Kennzahlen: Tagesstand nicht gespeichert: %s", err_message(rc));
    else if (taken)
        log_msg(LOG_INFO, "Kennzahlen: Tagesstand %s gespeichert", loop_day);
}

int strat_loop_start(struct store *s)
{
    pthread_mutex_lock(&loop_lock);
    int rc = 0;
    if (loop_ticker) {
        rc = ERR_EXISTS;
        goto done;
    }
    loop_day[0] = '\0';
    loop_round(s, true);
    rc = ticker_start(STRAT_LOOP_INTERVAL_MS, loop_round, s, &loop_ticker);
done:
    pthread_mutex_unlock(&loop_lock);
    return rc;
}

void strat_loop_stop(void)
{
    pthread_mutex_lock(&loop_lock);
    struct ticker *t = loop_ticker;
    loop_ticker = NULL;
    pthread_mutex_unlock(&loop_lock);
    ticker_stop(t);
}
