/* Unit test of the password hashing in src/web: hashes verify, and however
 * many threads log in at once, at most WEB_PWHASH_PARALLEL Argon2 runs
 * (64 MiB each) are under way at the same time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>

#include "web/web_int.h"

#define THREADS 4

static void *hash_one(void *arg)
{
    char *out = arg;
    return (void *)(intptr_t)web__pw_hash("ein langes Passwort 2026", out);
}

static void test_parallel_bounded(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    pthread_t t[THREADS];
    char out[THREADS][128];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hash_one, out[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_int_equal((intptr_t)rc, 0);
    }
    assert_true(web__pw_peak() >= 1);
    assert_true(web__pw_peak() <= WEB_PWHASH_PARALLEL);
    for (int i = 0; i < THREADS; i++) {
        assert_true(web__pw_verify(out[i], "ein langes Passwort 2026"));
        assert_false(web__pw_verify(out[i], "ein anderes Passwort"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
