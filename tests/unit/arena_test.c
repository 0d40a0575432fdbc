/* Unit tests of base/arena: 16-byte alignment, many allocations spanning
 * several blocks without overlap, the byte cap, the string helpers, reuse
 * after arena_reset and overflow checks in arena_calloc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/arena.h"

static void test_alignment(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 0);
    assert_int_equal(a.cap, ARENA_DEFAULT_CAP);
    size_t sizes[] = {1, 3, 7, 16, 17, 0, 31, 5, 100, 9000, 2};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = arena_alloc(&a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, sizes[i]);
    }
    long double *ld = arena_alloc(&a, sizeof *ld);
    assert_non_null(ld);
    *ld = 1.5L;
    assert_true(*ld == 1.5L);
    arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_many(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 0);
    enum { N = 5000 };
    static unsigned char *ptrs[N];
    /* ~5000 allocations of 1..64 bytes need several 8 KiB+ blocks */
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 64) + 1;
        ptrs[i] = arena_alloc(&a, n);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xff, n);
    }
    assert_true(a.total > 8192);
    assert_non_null(a.head);
    /* no allocation overwrote another */
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 64) + 1;
        for (size_t k = 0; k < n; k++)
            assert_int_equal(ptrs[i][k], i & 0xff);
    }
    /* one allocation larger than any block so far gets its own block */
    unsigned char *big = arena_alloc(&a, 1 << 20);
    assert_non_null(big);
    memset(big, 1, 1 << 20);
    assert_int_equal(ptrs[N - 1][0], (N - 1) & 0xff);
    arena_release(&a);
}

static void test_cap(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    assert_null(arena_alloc(&a, 4097));
    void *p = arena_alloc(&a, 1000);
    assert_non_null(p);
    assert_true(a.total <= 4096);
    /* the rest of the cap is usable, then nothing more */
    int got = 0;
    while (arena_alloc(&a, 16))
        got++;
    assert_int_equal(got, (4096 - 1008) / 16); /* 1000 rounds up to 1008 */
    assert_true(a.total <= 4096);
    assert_null(arena_alloc(&a, 1));
    assert_null(arena_strdup(&a, "x"));
    assert_null(arena_printf(&a, "%d", 5));
    /* huge requests fail cleanly instead of wrapping around */
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 8));
    arena_release(&a);

    struct arena b;
    arena_init(&b, 100000);
    assert_null(arena_alloc(&b, 100001));
    assert_non_null(arena_alloc(&b, 60000));
    assert_null(arena_alloc(&b, 60000));
    assert_true(b.total <= 100000);
    arena_release(&b);
}

static void test_strings(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 0);
    char *s = arena_strdup(&a, "Rathaus");
    assert_string_equal(s, "Rathaus");
    char *t = arena_strndup(&a, "Bürgeramt", 3);
    assert_string_equal(t, "B\xc3\xbc"); /* "Bü": 3 bytes, not 3 characters */
    assert_int_equal(strlen(t), 3);
    char *e = arena_strndup(&a, "", 0);
    assert_non_null(e);
    assert_string_equal(e, "");
    assert_null(arena_strndup(&a, "x", SIZE_MAX));
    char *f = arena_printf(&a, "%s-%04d-%c", "Akte", 7, 'Z');
    assert_string_equal(f, "Akte-0007-Z");
    /* a formatted string longer than any small buffer */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *g = arena_printf(&a, "<%s>", big);
    assert_non_null(g);
    assert_int_equal(strlen(g), sizeof big + 1);
    assert_int_equal(g[0], '<');
    assert_int_equal(g[sizeof big], '>');
    /* copies are independent of their sources */
    char src[] = "mutable";
    char *c = arena_strdup(&a, src);
    src[0] = 'M';
    assert_string_equal(c, "mutable");
    assert_string_equal(s, "Rathaus");
    arena_release(&a);
}

static void test_reset(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 0);
    /* reset of an unused arena is harmless */
    arena_reset(&a);
    assert_null(a.head);
    for (int i = 0; i < 100; i++)
        assert_non_null(arena_alloc(&a, 1000)); /* several blocks */
    size_t before = a.total;
    arena_reset(&a);
    assert_non_null(a.head);
    assert_true(a.total < before);
    assert_int_equal(a.total, 8192); /* only the first block is kept */
    for (int round = 0; round < 3; round++) {
        char *p = arena_strdup(&a, "after reset");
        assert_string_equal(p, "after reset");
        for (int i = 0; i < 100; i++) {
            unsigned char *q = arena_alloc(&a, 1000);
            assert_non_null(q);
            memset(q, i, 1000);
        }
        assert_string_equal(p, "after reset");
        arena_reset(&a);
    }
    arena_release(&a);
    /* released arena can be used again after init */
    arena_init(&a, 0);
    assert_non_null(arena_alloc(&a, 10));
    arena_release(&a);
}

static void test_zeroed(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 0);
    /* dirty the first block, reset, and check calloc really zeroes */
    unsigned char *d = arena_alloc(&a, 4096);
    memset(d, 0xff, 4096);
    arena_reset(&a);
    unsigned char *z = arena_calloc(&a, 64, 64);
    assert_non_null(z);
    for (int i = 0; i < 64 * 64; i++)
        assert_int_equal(z[i], 0);
    /* count * size overflows size_t */
    assert_null(arena_calloc(&a, SIZE_MAX / 2 + 1, 2));
    assert_null(arena_calloc(&a, (size_t)1 << 33, (size_t)1 << 33));
    assert_null(arena_calloc(&a, SIZE_MAX, SIZE_MAX));
    /* zero-sized requests still give a usable, distinct pointer */
    void *p0 = arena_calloc(&a, 0, 16);
    void *p1 = arena_calloc(&a, 16, 0);
    assert_non_null(p0);
    assert_non_null(p1);
    assert_ptr_not_equal(p0, p1);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment), cmocka_unit_test(test_many),
        cmocka_unit_test(test_cap),       cmocka_unit_test(test_strings),
        cmocka_unit_test(test_reset),     cmocka_unit_test(test_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
