/* Unit tests of base/ticker and the two server clocks built on it: the
 * ticker calls its function first at once and then repeatedly, and stop
 * returns promptly even with a long interval; the strategy's daily KPI
 * snapshot is taken once per date (moved with RATHAUS_CLOCK_OFFSET). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/rtime.h"
#include "base/ticker.h"
#include "fixture.h"
#include "strategy/strategy.h"

struct counter {
    pthread_mutex_t lock;
    int calls;
    int firsts;
};

static void count(void *arg, bool first)
{
    struct counter *c = arg;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    c->firsts += first;
    pthread_mutex_unlock(&c->lock);
}

static int calls_of(struct counter *c)
{
    pthread_mutex_lock(&c->lock);
    int n = c->calls;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static void test_ticks(void **state)
{
    (void)state;
    struct counter c = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct ticker *t = NULL;
    assert_int_equal(ticker_start(5, count, &c, &t), 0);
    /* wait for three rounds; the bound only stops a broken ticker */
    for (int i = 0; i < 2000 && calls_of(&c) < 3; i++)
        usleep(5000);
    ticker_stop(t);
    int n = calls_of(&c);
    assert_true(n >= 3);
    assert_int_equal(c.firsts, 1);
    usleep(20000);
    assert_int_equal(calls_of(&c), n); /* nothing after stop */
}

static void test_stop_wakes(void **state)
{
    (void)state;
    struct counter c = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct ticker *t = NULL;
    assert_int_equal(ticker_start(3600 * 1000L, count, &c, &t), 0);
    for (int i = 0; i < 2000 && calls_of(&c) < 1; i++)
        usleep(5000);
    int64_t t0 = rtime_mono_us();
    ticker_stop(t);
    /* an hour's wait was cut short (a generous bound for a loaded machine) */
    assert_true(rtime_mono_us() - t0 < 30 * 1000000LL);
    assert_int_equal(calls_of(&c), 1);
    ticker_stop(NULL);
}

static void test_invalid(void **state)
{
    (void)state;
    struct ticker *t = NULL;
    assert_int_equal(ticker_start(0, count, NULL, &t), ERR_INVALID);
    assert_int_equal(ticker_start(10, NULL, NULL, &t), ERR_INVALID);
    assert_null(t);
}

static int64_t snapshot_rows(struct store *s, const char *day)
{
    struct store_conn *c;
    int64_t n = -1;
    if (store_get(s, &c))
        return -1;
    if (store_query_int(c, &n, "SELECT count(*) FROM strat_kpi_snapshots WHERE day = ?", "t", day))
        n = -1;
    store_put(s, c);
    return n;
}

static void test_daily_snapshot(void **state)
{
    (void)state;
    struct fx *f;
    assert_int_equal(fx_open("ticker", &f), 0);
    assert_int_equal(strat_seed_store(f->s), 0);
    char last[11] = "", today[11];
    strat_today(today);
    bool taken = false;
    assert_int_equal(snapshot_rows(f->s, today), 0);
    assert_int_equal(strat_snapshot_day(f->s, last, &taken), 0);
    assert_true(taken);
    assert_string_equal(last, today);
    int64_t n = snapshot_rows(f->s, today);
    assert_true(n >= 3); /* services, processes, trainings … */
    /* without a paper baseline the digital share has no value to keep */
    struct store_conn *c;
    int64_t digital = -1;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_query_int(c, &digital,
                                     "SELECT count(*) FROM strat_kpi_snapshots"
                                     " WHERE kpi = 'digitalanteil'",
                                     ""),
                     0);
    store_put(f->s, c);
    assert_int_equal(digital, 0);
    /* the same day again: nothing */
    assert_int_equal(strat_snapshot_day(f->s, last, &taken), 0);
    assert_false(taken);
    /* the next day */
    setenv("RATHAUS_CLOCK_OFFSET", "86400", 1);
    char tomorrow[11];
    strat_today(tomorrow);
    assert_string_not_equal(tomorrow, today);
    assert_int_equal(strat_snapshot_day(f->s, last, &taken), 0);
    assert_true(taken);
    assert_string_equal(last, tomorrow);
    assert_int_equal(snapshot_rows(f->s, tomorrow), n);
    assert_int_equal(snapshot_rows(f->s, today), n);
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_stop_wakes),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_daily_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
