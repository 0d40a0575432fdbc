/* Unit tests of the Aktenzeichen "<plan code>-<year>-<nnnn>": running numbers
 * per plan node and year, also when several threads (some through their own
 * store, like a second process) create files at the same moment; the year
 * from the (movable) clock; the refusals of rec_file_create; case numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/rtime.h"
#include "records/records.h"
#include "store/journal.h"
#include "store/store.h"
#include "web/web.h"

#include "fixture.h"

/* Threads and files per thread of the concurrency test. */
#define THREADS 4
#define PER_THREAD 25

/* ---- fixture: a store with offices and the default plan ----------------- */

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("az", &f))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* The year in Germany now (what the Aktenzeichen must carry). */
static int year_now(void)
{
    char d[16];
    rtime_display_date(rtime_now(), d, sizeof d); /* "29.11.2026" */
    long y = 0;
    assert_int_equal(str_to_long(d + 6, 1, 9999, &y), 0);
    return (int)y;
}

/* ---- concurrency ---------------------------------------------------------- */

struct worker {
    struct store *s;                    /* store to use (shared or own) */
    char refs[PER_THREAD][REC_REF_MAX]; /* created references */
    int rc;                             /* first error */
};

static void *create_files(void *arg)
{
    struct worker *w = arg;
    struct rec_actor a = rec_actor_system("test");
    for (int i = 0; i < PER_THREAD && !w->rc; i++)
        w->rc = rec_file_create(w->s, &a, "32.30.01", 32, "Bewohnerparkausweis", NULL, w->refs[i],
                                NULL, NULL);
    return NULL;
}

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_concurrent_numbers(void **state)
{
    struct fx *f = *state;
    struct worker *w = calloc(THREADS, sizeof *w);
    assert_non_null(w);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        /* half the threads share the server's store, half open their own
         * (as a second process such as the command line would) */
        if (i % 2)
            assert_int_equal(store_open(f->dir, 0, &w[i].s), 0);
        else
            w[i].s = f->s;
        assert_int_equal(pthread_create(&t[i], NULL, create_files, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    char(*all)[REC_REF_MAX] = calloc(THREADS * PER_THREAD, REC_REF_MAX);
    assert_non_null(all);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].rc, 0);
        memcpy(all[i * PER_THREAD], w[i].refs, sizeof w[i].refs);
        if (i % 2)
            store_close(w[i].s);
    }
    qsort(all, THREADS * PER_THREAD, REC_REF_MAX, cmp_ref);
    int year = year_now();
    for (int i = 0; i < THREADS * PER_THREAD; i++) {
        char want[REC_REF_MAX];
        snprintf(want, sizeof want, "32.30.01-%d-%04d", year, i + 1);
        assert_string_equal(all[i], want); /* distinct and consecutive from 0001 */
    }
    /* the table agrees, and every creation was journaled */
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    int64_t n = 0;
    assert_int_equal(store_query_int(c, &n, "SELECT count(DISTINCT reference) FROM files", ""), 0);
    assert_int_equal(n, THREADS * PER_THREAD);
    assert_int_equal(
        store_query_int(c, &n, "SELECT count(*) FROM journal WHERE action = 'file.create'", ""), 0);
    assert_int_equal(n, THREADS * PER_THREAD);
    int64_t count = 0, bad = 0;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(c, &count, &bad, &msg), 0);
    str_release(&msg);
    store_put(f->s, c);
    free(all);
    free(w);
}

/* ---- numbering rules -------------------------------------------------------- */

static void test_per_node_and_year(void **state)
{
    struct fx *f = *state;
    struct rec_actor a = rec_actor_system("test");
    char r1[REC_REF_MAX], r2[REC_REF_MAX], r3[REC_REF_MAX], r4[REC_REF_MAX];
    int year = year_now();
    assert_int_equal(rec_file_create(f->s, &a, "63.10.01", 63, "Bauantrag A", NULL, r1, NULL, NULL),
                     0);
    assert_int_equal(rec_file_create(f->s, &a, "63.10.02", 63, "Bauantrag B", NULL, r2, NULL, NULL),
                     0);
    assert_int_equal(rec_file_create(f->s, &a, "63.10.01", 63, "Bauantrag C", NULL, r3, NULL, NULL),
                     0);
    char want[REC_REF_MAX];
    snprintf(want, sizeof want, "63.10.01-%d-0001", year);
    assert_string_equal(r1, want);
    snprintf(want, sizeof want, "63.10.02-%d-0001", year); /* own sequence per node */
    assert_string_equal(r2, want);
    snprintf(want, sizeof want, "63.10.01-%d-0002", year);
    assert_string_equal(r3, want);
    /* a year later the running number starts again */
    setenv("RATHAUS_CLOCK_OFFSET", "31622400", 1); /* 366 days */
    int next = year_now();
    assert_int_equal(next, year + 1);
    assert_int_equal(rec_file_create(f->s, &a, "63.10.01", 63, "Bauantrag D", NULL, r4, NULL, NULL),
                     0);
    snprintf(want, sizeof want, "63.10.01-%d-0001", next);
    assert_string_equal(r4, want);
    unsetenv("RATHAUS_CLOCK_OFFSET");
}

static void test_sequence_limit(void **state)
{
    struct fx *f = *state;
    struct rec_actor a = rec_actor_system("test");
    char ref[REC_REF_MAX];
    int64_t id = 0;
    assert_int_equal(rec_file_create(f->s, &a, "20.30.03", 20, "Hundesteuer", NULL, ref, &id, NULL),
                     0);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(
        store_run(c, "UPDATE files SET seq = ? WHERE id = ?", "ii", (int64_t)REC_MAX_FILE_SEQ, id),
        0);
    store_put(f->s, c);
    struct str why;
    str_init(&why, 0);
    assert_int_equal(
        rec_file_create(f->s, &a, "20.30.03", 20, "Hundesteuer 2", NULL, ref, NULL, &why),
        ERR_TOOBIG);
    assert_non_null(strstr(why.buf, "20.30.03"));
    str_release(&why);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct rec_actor sys = rec_actor_system("test");
    struct http_user u = {
        .id = 5, .login = "amt50", .name = "x", .unit_nr = 50, .roles = WEB_ROLE_CASEWORKER};
    struct rec_actor amt50 = rec_actor_of(&u);
    char ref[REC_REF_MAX] = "";
    struct str why;
    str_init(&why, 0);
    /* unknown node, named in the reason */
    assert_int_equal(rec_file_create(f->s, &sys, "99.99", 32, "Titel", NULL, ref, NULL, &why),
                     ERR_NOTFOUND);
    assert_non_null(strstr(why.buf, "99.99"));
    str_reset(&why);
    assert_int_equal(rec_file_create(f->s, &sys, "32;DROP", 32, "Titel", NULL, ref, NULL, &why),
                     ERR_NOTFOUND);
    str_reset(&why);
    /* unknown office */
    assert_int_equal(rec_file_create(f->s, &sys, "32.10", 4711, "Titel", NULL, ref, NULL, &why),
                     ERR_NOTFOUND);
    assert_non_null(strstr(why.buf, "4711"));
    str_reset(&why);
    /* a user creates for another office */
    assert_int_equal(rec_file_create(f->s, &amt50, "32.10", 32, "Titel", NULL, ref, NULL, &why),
                     ERR_DENIED);
    str_reset(&why);
    /* but for the own one */
    assert_int_equal(rec_file_create(f->s, &amt50, "50.40", 50, "Wohngeld", NULL, ref, NULL, &why),
                     0);
    /* bad titles */
    assert_int_equal(rec_file_create(f->s, &sys, "32.10", 32, "   ", NULL, ref, NULL, &why),
                     ERR_INVALID);
    str_reset(&why);
    assert_int_equal(rec_file_create(f->s, &sys, "32.10", 32, "a\tb", NULL, ref, NULL, &why),
                     ERR_INVALID);
    str_reset(&why);
    assert_int_equal(rec_file_create(f->s, &sys, "32.10", 32, "\xC3\x28", NULL, ref, NULL, &why),
                     ERR_INVALID);
    str_reset(&why);
    char long_title[REC_MAX_TITLE + 2];
    memset(long_title, 'x', sizeof long_title - 1);
    long_title[sizeof long_title - 1] = '\0';
    assert_int_equal(rec_file_create(f->s, &sys, "32.10", 32, long_title, NULL, ref, NULL, &why),
                     ERR_INVALID);
    str_reset(&why);
    /* an inactive node takes no new files */
    struct rec_plan_node n = {"32.10.03", "Märkte und Messen", 5, 'V', false};
    assert_int_equal(rec_plan_save(f->s, &sys, &n, &why), 0);
    assert_int_equal(rec_file_create(f->s, &sys, "32.10.03", 32, "Titel", NULL, ref, NULL, &why),
                     ERR_NOTFOUND);
    assert_non_null(strstr(why.buf, "geschlossen"));
    str_release(&why);
}

static void test_case_numbers(void **state)
{
    struct fx *f = *state;
    struct rec_actor a = rec_actor_system("test");
    char ref[REC_REF_MAX], c1[REC_REF_MAX], c2[REC_REF_MAX], want[REC_REF_MAX + 8];
    assert_int_equal(rec_file_create(f->s, &a, "32.10.01", 32, "Gewerbe", NULL, ref, NULL, NULL),
                     0);
    assert_int_equal(rec_case_create(f->s, &a, ref, "Anmeldung", NULL, c1, NULL), 0);
    assert_int_equal(rec_case_create(f->s, &a, ref, "Ummeldung", "99050012104000", c2, NULL), 0);
    snprintf(want, sizeof want, "%s/1", ref);
    assert_string_equal(c1, want);
    snprintf(want, sizeof want, "%s/2", ref);
    assert_string_equal(c2, want);
    assert_int_equal(rec_case_create(f->s, &a, "32.10.01-1999-0001", "x", NULL, c1, NULL),
                     ERR_NOTFOUND);
    /* a closed file takes no cases */
    assert_int_equal(rec_file_close(f->s, &a, ref), 0);
    assert_int_equal(rec_case_create(f->s, &a, ref, "Abmeldung", NULL, c1, NULL), ERR_EXISTS);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_concurrent_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_node_and_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_numbers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
