/* Unit tests of base/rtime: ISO 8601 formatting and strict parsing, the
 * Europe/Berlin display in winter and summer including the exact instants of
 * the 2026 daylight-saving switches, and the RATHAUS_CLOCK_OFFSET test clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/rtime.h"

/* Instants of 2026 in Unix seconds (computed independently with Python). */
#define T_DST_START 1774746000LL /* 2026-03-29T01:00:00Z: Berlin 02:00 CET -> 03:00 CEST */
#define T_DST_END 1792890000LL   /* 2026-10-25T01:00:00Z: Berlin 03:00 CEST -> 02:00 CET */
#define T_WINTER 1768478400LL    /* 2026-01-15T12:00:00Z */
#define T_SUMMER 1782907200LL    /* 2026-07-01T12:00:00Z */
#define T_NEWYEAR 1798759800LL   /* 2026-12-31T23:30:00Z */
#define T_EXAMPLE 1795942723LL   /* 2026-11-29T08:58:43Z */

static void test_iso(void **state)
{
    (void)state;
    char buf[32];
    rtime_iso_utc(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    rtime_iso_utc(T_EXAMPLE, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-29T08:58:43Z");
    rtime_iso_utc(T_DST_START, buf, sizeof buf);
    assert_string_equal(buf, "2026-03-29T01:00:00Z");
    rtime_iso_utc(1709164800LL, buf, sizeof buf);
    assert_string_equal(buf, "2024-02-29T00:00:00Z");
    /* exactly the documented minimum size */
    char small[21];
    rtime_iso_utc(T_NEWYEAR, small, sizeof small);
    assert_string_equal(small, "2026-12-31T23:30:00Z");
    assert_int_equal(rtime_year(T_NEWYEAR), 2026);
    assert_int_equal(rtime_year(T_NEWYEAR + 1800), 2027);
    assert_int_equal(rtime_year(0), 1970);
}

static void test_parse_valid(void **state)
{
    (void)state;
    int64_t t = -1;
    assert_int_equal(rtime_parse_iso("2026-11-29T08:58:43Z", &t), 0);
    assert_int_equal(t, T_EXAMPLE);
    assert_int_equal(rtime_parse_iso("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    /* a date alone is UTC midnight */
    assert_int_equal(rtime_parse_iso("2026-01-15", &t), 0);
    assert_int_equal(t, T_WINTER - 12 * 3600);
    assert_int_equal(rtime_parse_iso("2024-02-29", &t), 0); /* leap year */
    assert_int_equal(t, 1709164800LL);
    assert_int_equal(rtime_parse_iso("2026-12-31T23:30:00Z", &t), 0);
    assert_int_equal(t, T_NEWYEAR);
    /* round trip through the formatter */
    char buf[32];
    for (int64_t x = 0; x < 4000000000LL; x += 123456789) {
        rtime_iso_utc(x, buf, sizeof buf);
        int64_t y = -1;
        assert_int_equal(rtime_parse_iso(buf, &y), 0);
        assert_int_equal(y, x);
    }
}

static void test_parse_invalid(void **state)
{
    (void)state;
    const char *bad[] = {
        "2026-02-31",           /* no such day */
        "2026-02-29",           /* not a leap year */
        "2026-04-31",           /* April has 30 days */
        "2026-13-01",           /* no such month */
        "2026-00-10",           /* month 0 */
        "2026-01-00",           /* day 0 */
        "2026-02-31T10:00:00Z", /* invalid day with a time */
        "2026-01-01T24:00:00Z", /* hour 24 */
        "2026-01-01T12:60:00Z", /* minute 60 */
        "2026-01-01T12:00:00",  /* no Z */
        "2026-01-01T12:00:00+01:00",
        "2026-01-01T12:00:00Zx", /* trailing garbage */
        "2026-01-01T",           /* missing time */
        "2026-01-01x",
        "2026-01-01 ",
        "2026-01-01 12:00:00Z", /* space instead of T */
        " 2026-01-01",          /* leading space */
        "2026-1-1",             /* not zero-padded */
        "2026-01-01T1:2:3Z",
        "26-01-01",
        "garbage",
        "",
        "-",
        "2026",
        "2026-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 4242;
        int rc = rtime_parse_iso(bad[i], &t);
        if (rc != ERR_INVALID)
            fail_msg("accepted \"%s\" (rc %d)", bad[i], rc);
        assert_int_equal(t, 4242); /* untouched on error */
    }
}

static void test_berlin_winter_summer(void **state)
{
    (void)state;
    char buf[32];
    rtime_display(T_WINTER, buf, sizeof buf);
    assert_string_equal(buf, "15.01.2026, 13:00"); /* UTC+1 */
    rtime_display(T_SUMMER, buf, sizeof buf);
    assert_string_equal(buf, "01.07.2026, 14:00"); /* UTC+2 */
    rtime_display(T_EXAMPLE, buf, sizeof buf);
    assert_string_equal(buf, "29.11.2026, 09:58");
    /* minimum documented buffer size */
    char small[18];
    rtime_display(T_SUMMER, small, sizeof small);
    assert_string_equal(small, "01.07.2026, 14:00");

    rtime_display_date(T_WINTER, buf, sizeof buf);
    assert_string_equal(buf, "15.01.2026");
    /* the Berlin date differs from the UTC date around midnight */
    rtime_display_date(T_NEWYEAR, buf, sizeof buf);
    assert_string_equal(buf, "01.01.2027");
    rtime_display(T_NEWYEAR, buf, sizeof buf);
    assert_string_equal(buf, "01.01.2027, 00:30");
    rtime_display_date(T_SUMMER - 12 * 3600 - 1, buf, sizeof buf); /* 23:59:59Z = 01:59 */
    assert_string_equal(buf, "01.07.2026");
    char d11[11];
    rtime_display_date(T_SUMMER, d11, sizeof d11);
    assert_string_equal(d11, "01.07.2026");
}

static void test_berlin_dst_switch(void **state)
{
    (void)state;
    char buf[32];
    /* spring: the last second of CET, then 02:00 is skipped */
    rtime_display(T_DST_START - 1, buf, sizeof buf);
    assert_string_equal(buf, "29.03.2026, 01:59");
    rtime_display(T_DST_START, buf, sizeof buf);
    assert_string_equal(buf, "29.03.2026, 03:00");
    rtime_display(T_DST_START + 60, buf, sizeof buf);
    assert_string_equal(buf, "29.03.2026, 03:01");
    /* a week before and a day after */
    rtime_display(T_DST_START - 7 * 86400, buf, sizeof buf);
    assert_string_equal(buf, "22.03.2026, 02:00");
    rtime_display(T_DST_START + 86400, buf, sizeof buf);
    assert_string_equal(buf, "30.03.2026, 03:00");

    /* autumn: the last second of CEST, then 02:00-02:59 comes again */
    rtime_display(T_DST_END - 1, buf, sizeof buf);
    assert_string_equal(buf, "25.10.2026, 02:59");
    rtime_display(T_DST_END, buf, sizeof buf);
    assert_string_equal(buf, "25.10.2026, 02:00");
    rtime_display(T_DST_END - 3600, buf, sizeof buf);
    assert_string_equal(buf, "25.10.2026, 02:00"); /* the same wall time an hour earlier */
    rtime_display(T_DST_END + 86400, buf, sizeof buf);
    assert_string_equal(buf, "26.10.2026, 02:00");
    rtime_display(T_DST_END - 86400, buf, sizeof buf);
    assert_string_equal(buf, "24.10.2026, 03:00");
}

/* True when rtime_now() read after real is real + off, allowing for time()
 * using a coarser clock and for a slow machine crossing a second or two. */
static bool near(int64_t now, int64_t real, int64_t off)
{
    return now >= real + off - 1 && now <= real + off + 2;
}

static void test_clock_offset(void **state)
{
    (void)state;
    assert_int_equal(unsetenv("RATHAUS_CLOCK_OFFSET"), 0);
    int64_t real = (int64_t)time(NULL);
    int64_t now = rtime_now();
    assert_true(near(now, real, 0));

    assert_int_equal(setenv("RATHAUS_CLOCK_OFFSET", "86400", 1), 0);
    real = (int64_t)time(NULL);
    now = rtime_now();
    assert_true(near(now, real, 86400));

    /* negative offsets move the clock back: to 2001 from any date before 2050 */
    assert_int_equal(setenv("RATHAUS_CLOCK_OFFSET", "-1000000000", 1), 0);
    real = (int64_t)time(NULL);
    now = rtime_now();
    assert_true(near(now, real, -1000000000));

    /* garbage is ignored rather than half-parsed */
    assert_int_equal(setenv("RATHAUS_CLOCK_OFFSET", "3600abc", 1), 0);
    real = (int64_t)time(NULL);
    now = rtime_now();
    assert_true(near(now, real, 0));

    assert_int_equal(unsetenv("RATHAUS_CLOCK_OFFSET"), 0);
    real = (int64_t)time(NULL);
    now = rtime_now();
    assert_true(near(now, real, 0));

    /* the monotonic clock does not go backwards */
    int64_t m1 = rtime_mono_us();
    int64_t m2 = rtime_mono_us();
    assert_true(m2 >= m1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_berlin_winter_summer),
        cmocka_unit_test(test_berlin_dst_switch),
        cmocka_unit_test(test_clock_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
