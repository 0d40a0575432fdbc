/* Unit tests of composed write transactions: a write that gets, begins,
 * commits and puts its own connection joins the transaction its thread
 * already holds (as a SAVEPOINT), so an outer rollback undoes it and an inner
 * rollback undoes only the inner part; other threads are not affected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "fixture.h"
#include "store/store.h"

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("nest", &f))
        return -1;
    struct store_conn *c;
    if (store_get(f->s, &c))
        return -1;
    int rc = store_exec(c, "CREATE TABLE t (v INTEGER NOT NULL)");
    store_put(f->s, c);
    *state = f;
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* One domain write as the E-Akte does it: its own get/begin/commit/put. */
static int inner_write(struct store *s, int64_t v, bool fail)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = store_run(c, "INSERT INTO t (v) VALUES (?)", "i", v)))
        goto done;
    if (fail) {
        rc = ERR_INVALID;
        goto done;
    }
    rc = store_commit(c);
done:
    store_put(s, c); /* rolls back an uncommitted inner level */
    return rc;
}

static int64_t count(struct store *s)
{
    struct store_conn *c;
    int64_t n = -1;
    if (store_get(s, &c))
        return -1;
    if (store_query_int(c, &n, "SELECT count(*) FROM t", ""))
        n = -1;
    store_put(s, c);
    return n;
}

static void test_outer_rollback_undoes_inner(void **state)
{
    struct fx *f = *state;
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_begin(c, true), 0);
    assert_int_equal(inner_write(f->s, 1, false), 0);
    assert_int_equal(inner_write(f->s, 2, false), 0);
    store_rollback(c);
    store_put(f->s, c);
    assert_int_equal(count(f->s), 0);
}

static void test_outer_commit_keeps_all(void **state)
{
    struct fx *f = *state;
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_begin(c, true), 0);
    assert_int_equal(inner_write(f->s, 1, false), 0);
    assert_int_equal(inner_write(f->s, 2, true), ERR_INVALID); /* undone alone */
    assert_int_equal(inner_write(f->s, 3, false), 0);
    assert_int_equal(store_run(c, "INSERT INTO t (v) VALUES (4)", ""), 0);
    assert_int_equal(store_commit(c), 0);
    store_put(f->s, c);
    assert_int_equal(count(f->s), 3);
}

static void test_put_without_commit_rolls_back(void **state)
{
    struct fx *f = *state;
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_begin(c, true), 0);
    assert_int_equal(inner_write(f->s, 1, false), 0);
    store_put(f->s, c); /* outer owner gives up: everything goes */
    assert_int_equal(count(f->s), 0);
    /* the thread no longer carries a transaction: a new write stands alone */
    assert_int_equal(inner_write(f->s, 5, false), 0);
    assert_int_equal(count(f->s), 1);
}

struct other {
    struct store *s;
    struct store_conn *mine; /* the main thread's connection */
    int same;                /* the other thread got it too */
};

static void *other_thread(void *arg)
{
    struct other *o = arg;
    struct store_conn *c;
    if (store_get(o->s, &c))
        return NULL;
    o->same = c == o->mine;
    store_put(o->s, c);
    return NULL;
}

static void test_other_threads_get_their_own(void **state)
{
    struct fx *f = *state;
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_begin(c, true), 0);
    struct other o = {.s = f->s, .mine = c, .same = -1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_thread, &o), 0);
    pthread_join(t, NULL);
    assert_int_equal(o.same, 0);
    store_rollback(c);
    store_put(f->s, c);
}

static void test_read_tx_is_not_shared(void **state)
{
    struct fx *f = *state;
    struct store_conn *r, *w;
    assert_int_equal(store_get(f->s, &r), 0);
    assert_int_equal(store_begin(r, false), 0);
    assert_int_equal(store_get(f->s, &w), 0);
    assert_ptr_not_equal(r, w);
    store_put(f->s, w);
    store_rollback(r);
    store_put(f->s, r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outer_rollback_undoes_inner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outer_commit_keeps_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_without_commit_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_threads_get_their_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_tx_is_not_shared, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
