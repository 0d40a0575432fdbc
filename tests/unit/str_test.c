/* Unit tests of base/str: appending, formatting (through the small stack
 * buffer and past it), HTML escaping, the size cap with its sticky error,
 * ownership transfer with str_detach and the strict integer parser that
 * replaces atoi. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"

static void test_init_empty(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 0);
    assert_non_null(s.buf);
    assert_string_equal(s.buf, "");
    assert_int_equal(s.len, 0);
    assert_int_equal(s.err, 0);
    assert_int_equal(s.cap, STR_DEFAULT_CAP);
    str_release(&s);
    assert_string_equal(s.buf, "");
}

static void test_append(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 0);
    assert_int_equal(str_add(&s, "abcdef", 3), 0);
    assert_int_equal(str_adds(&s, "-x-"), 0);
    assert_int_equal(str_addc(&s, '!'), 0);
    assert_int_equal(str_add(&s, NULL, 0), 0);
    assert_string_equal(s.buf, "abc-x-!");
    assert_int_equal(s.len, 7);
    /* embedded NUL bytes are kept and counted */
    assert_int_equal(str_add(&s, "a\0b", 3), 0);
    assert_int_equal(s.len, 10);
    assert_memory_equal(s.buf + 7, "a\0b", 4);
    /* many appends force several reallocations; contents survive them */
    str_reset(&s);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(str_addc(&s, (char)('a' + i % 26)), 0);
    assert_int_equal(s.len, 1000);
    assert_true(s.alloc > 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(s.buf[i], 'a' + i % 26);
    assert_int_equal(s.buf[1000], '\0');
    assert_true(str_eq(s.buf, 3, "abc"));
    assert_false(str_eq(s.buf, 3, "abcd"));
    assert_false(str_eq(s.buf, 3, "abd"));
    str_release(&s);
}

static void test_addf(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 0);
    assert_int_equal(str_addf(&s, "%d-%s-%c", 42, "x", 'y'), 0);
    assert_string_equal(s.buf, "42-x-y");
    assert_int_equal(s.len, 6);

    /* longer than the 256-byte stack buffer: takes the second vsnprintf path */
    char big[700];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(str_addf(&s, "[%s|%d]", big, 7), 0);
    assert_int_equal(s.len, 6 + 1 + 699 + 3);
    assert_memory_equal(s.buf, "42-x-y[", 7);
    for (size_t i = 7; i < 7 + 699; i++)
        assert_int_equal(s.buf[i], 'q');
    assert_string_equal(s.buf + 7 + 699, "|7]");
    assert_int_equal(strlen(s.buf), s.len);

    /* exactly 255 and 256 characters: the boundary of the stack buffer */
    str_reset(&s);
    assert_int_equal(str_addf(&s, "%.255s", big), 0);
    assert_int_equal(s.len, 255);
    str_reset(&s);
    assert_int_equal(str_addf(&s, "%.256s", big), 0);
    assert_int_equal(s.len, 256);
    assert_int_equal(strlen(s.buf), 256);
    str_release(&s);
}

static void test_add_html(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 0);
    const char *in = "a&b<c>d\"e'f";
    assert_int_equal(str_add_html(&s, in, strlen(in)), 0);
    assert_string_equal(s.buf, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    str_reset(&s);
    assert_int_equal(str_add_html(&s, "<script>", 8), 0);
    assert_string_equal(s.buf, "&lt;script&gt;");
    str_reset(&s);
    /* only the first n bytes count; plain text and UTF-8 pass unchanged */
    assert_int_equal(str_add_html(&s, "Grüße&&", 8), 0);
    assert_string_equal(s.buf, "Grüße&amp;");
    str_reset(&s);
    assert_int_equal(str_add_html(&s, "", 0), 0);
    assert_string_equal(s.buf, "");
    assert_int_equal(str_add_html(&s, "&&", 2), 0);
    assert_string_equal(s.buf, "&amp;&amp;");
    str_release(&s);
}

static void test_cap(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 8);
    assert_int_equal(str_adds(&s, "12345"), 0);
    /* would reach 9 > 8: refused, contents unchanged, error recorded */
    assert_int_equal(str_adds(&s, "6789"), ERR_TOOBIG);
    assert_string_equal(s.buf, "12345");
    assert_int_equal(s.len, 5);
    assert_int_equal(s.err, ERR_TOOBIG);
    /* exactly up to the cap is fine, and the error stays (sticky) */
    assert_int_equal(str_adds(&s, "678"), 0);
    assert_string_equal(s.buf, "12345678");
    assert_int_equal(s.err, ERR_TOOBIG);
    assert_int_equal(str_addc(&s, 'x'), ERR_TOOBIG);
    assert_int_equal(str_addf(&s, "%d", 1), ERR_TOOBIG);
    assert_string_equal(s.buf, "12345678");
    assert_int_equal(str_grow(&s, 1), ERR_TOOBIG);
    assert_int_equal(str_grow(&s, 0), 0);
    /* absurd sizes do not overflow the check */
    assert_int_equal(str_grow(&s, SIZE_MAX), ERR_TOOBIG);
    assert_int_equal(str_add(&s, "x", SIZE_MAX), ERR_TOOBIG);
    assert_int_equal(s.len, 8);

    /* reset clears the error and the contents */
    str_reset(&s);
    assert_int_equal(s.err, 0);
    assert_int_equal(s.len, 0);
    assert_string_equal(s.buf, "");

    /* the long addf path respects the cap too */
    char big[300];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(str_addf(&s, "%s", big), ERR_TOOBIG);
    assert_int_equal(s.len, 0);
    assert_int_equal(s.err, ERR_TOOBIG);
    str_release(&s);
    assert_int_equal(s.cap, 8); /* release keeps the cap */
    assert_int_equal(s.err, 0);
}

static void test_cap_html(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 10);
    assert_int_equal(str_adds(&s, "ab"), 0);
    /* "&lt;&lt;&lt;" needs 12 bytes: refused as a whole, nothing half-escaped */
    assert_int_equal(str_add_html(&s, "<<<", 3), ERR_TOOBIG);
    assert_string_equal(s.buf, "ab");
    assert_int_equal(s.len, 2);
    assert_int_equal(s.err, ERR_TOOBIG);
    str_reset(&s);
    assert_int_equal(str_add_html(&s, "<<", 2), 0);
    assert_string_equal(s.buf, "&lt;&lt;");
    str_release(&s);
}

static void test_detach(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 100);
    size_t len = 99;
    /* empty: a fresh, freeable "" */
    char *e = str_detach(&s, &len);
    assert_non_null(e);
    assert_string_equal(e, "");
    assert_int_equal(len, 0);
    free(e);

    assert_int_equal(str_adds(&s, "hello"), 0);
    char *p = str_detach(&s, &len);
    assert_non_null(p);
    assert_string_equal(p, "hello");
    assert_int_equal(len, 5);
    /* s is empty and usable again, with its cap */
    assert_int_equal(s.len, 0);
    assert_string_equal(s.buf, "");
    assert_int_equal(s.cap, 100);
    assert_true(s.buf != p);
    assert_int_equal(str_adds(&s, "again"), 0);
    char *q = str_detach(&s, NULL);
    assert_string_equal(q, "again");
    assert_string_equal(p, "hello"); /* the first buffer is untouched */
    free(p);
    free(q);
    str_release(&s);
}

static void test_reset(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 0);
    /* reset of a never-grown string is harmless */
    str_reset(&s);
    assert_string_equal(s.buf, "");
    assert_int_equal(str_adds(&s, "some text"), 0);
    size_t alloc = s.alloc;
    char *buf = s.buf;
    str_reset(&s);
    assert_int_equal(s.len, 0);
    assert_string_equal(s.buf, "");
    assert_int_equal(s.alloc, alloc); /* memory kept */
    assert_ptr_equal(s.buf, buf);
    assert_int_equal(str_adds(&s, "new"), 0);
    assert_string_equal(s.buf, "new");
    str_release(&s);
    assert_int_equal(s.len, 0);
    assert_int_equal(s.alloc, 0);
}

static void test_to_long(void **state)
{
    (void)state;
    long v = 12345;
    assert_int_equal(str_to_long("0", 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(str_to_long("-17", -100, 100, &v), 0);
    assert_int_equal(v, -17);
    assert_int_equal(str_to_long("65535", 0, 65535, &v), 0);
    assert_int_equal(v, 65535);
    assert_int_equal(str_to_long("1", 1, 1, &v), 0);
    assert_int_equal(v, 1);

    /* bounds are inclusive; outside them nothing is written */
    v = 777;
    assert_int_equal(str_to_long("65536", 0, 65535, &v), ERR_INVALID);
    assert_int_equal(str_to_long("-1", 0, 65535, &v), ERR_INVALID);
    assert_int_equal(str_to_long("0", 1, 9999, &v), ERR_INVALID);
    /* beyond long: strtol's ERANGE */
    assert_int_equal(str_to_long("99999999999999999999999", LONG_MIN, LONG_MAX, &v), ERR_INVALID);
    assert_int_equal(str_to_long("-99999999999999999999999", LONG_MIN, LONG_MAX, &v), ERR_INVALID);
    assert_int_equal(v, 777);

    /* garbage and partial numbers */
    assert_int_equal(str_to_long("", 0, 10, &v), ERR_INVALID);
    assert_int_equal(str_to_long(NULL, 0, 10, &v), ERR_INVALID);
    assert_int_equal(str_to_long("abc", 0, 10, &v), ERR_INVALID);
    assert_int_equal(str_to_long("12abc", 0, 100, &v), ERR_INVALID);
    assert_int_equal(str_to_long("1.5", 0, 100, &v), ERR_INVALID);
    assert_int_equal(str_to_long("5 ", 0, 100, &v), ERR_INVALID);
    assert_int_equal(str_to_long("-", 0, 100, &v), ERR_INVALID);
    assert_int_equal(str_to_long("0x10", 0, 100, &v), ERR_INVALID);
    assert_int_equal(v, 777);
    /* decimal, not octal */
    assert_int_equal(str_to_long("010", 0, 100, &v), 0);
    assert_int_equal(v, 10);
}

/* CSV fields: quoted only when needed, quotes doubled, the formula guard
 * for exports read by people. */
static void test_csv(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 1024);
    assert_int_equal(str_add_csv(&s, "Antrag", ',', 0), 0);
    assert_string_equal(s.buf, "Antrag");
    str_reset(&s);
    assert_int_equal(str_add_csv(&s, "a,b", ',', 0), 0);
    assert_string_equal(s.buf, "\"a,b\"");
    str_reset(&s);
    assert_int_equal(str_add_csv(&s, "a,b", ';', 0), 0);
    assert_string_equal(s.buf, "a,b");
    str_reset(&s);
    assert_int_equal(str_add_csv(&s, "sagt \"ja\"\nZeile", ';', 0), 0);
    assert_string_equal(s.buf, "\"sagt \"\"ja\"\"\nZeile\"");
    str_reset(&s);
    assert_int_equal(str_add_csv(&s, "=SUMME(A1)", ',', STR_CSV_GUARD), 0);
    assert_string_equal(s.buf, "\"'=SUMME(A1)\"");
    str_reset(&s);
    assert_int_equal(str_add_csv(&s, "-12,5", ';', 0), 0);
    assert_string_equal(s.buf, "-12,5");
    str_reset(&s);
    assert_int_equal(str_add_csv(&s, "", ',', STR_CSV_GUARD), 0);
    assert_string_equal(s.buf, "");
    str_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_empty), cmocka_unit_test(test_append),
        cmocka_unit_test(test_addf),       cmocka_unit_test(test_add_html),
        cmocka_unit_test(test_cap),        cmocka_unit_test(test_cap_html),
        cmocka_unit_test(test_detach),     cmocka_unit_test(test_reset),
        cmocka_unit_test(test_to_long),    cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
