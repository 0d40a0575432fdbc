/* Unit tests of the strategy cockpit's pure helpers: amounts typed the German
 * way into cents and back, numbers with a decimal comma, the Soll/Ist
 * deviation (absolute and percent, none without Ist or Soll), date and text
 * checks. The database paths are covered by tests/integration/strategy. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "strategy/strategy_int.h"

static int64_t money(const char *z)
{
    int64_t v = -1;
    assert_int_equal(strat_money_parse(z, &v), 0);
    return v;
}

static void test_money_parse(void **state)
{
    (void)state;
    assert_int_equal(money("0"), 0);
    assert_int_equal(money("12"), 1200);
    assert_int_equal(money("12,5"), 1250);
    assert_int_equal(money("12,05"), 1205);
    assert_int_equal(money("1.234,56"), 123456);
    assert_int_equal(money("1.234.567"), 123456700);
    assert_int_equal(money("1234.56"), 123456);
    assert_int_equal(money("50.000"), 5000000); /* a dot before three digits groups thousands */
    assert_int_equal(money(" 390 000 € "), 39000000);
    assert_int_equal(money("26071 EUR"), 2607100);
    assert_int_equal(money("-5,00"), -500);
    int64_t v = 7;
    const char *bad[] = {
        "", " ", "€", "abc", "12,345", "1,2,3", "12a", ",5", "1e5", "10000000000000", "12 ,5x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(strat_money_parse(bad[i], &v), ERR_INVALID);
    assert_int_equal(v, 7); /* untouched on error */
}

static void test_money_format(void **state)
{
    (void)state;
    struct str s;
    str_init(&s, 0);
    strat_money_format(123456, &s);
    assert_string_equal(s.buf, "1.234,56\u00a0€");
    str_reset(&s);
    strat_money_format(5, &s);
    assert_string_equal(s.buf, "0,05\u00a0€");
    str_reset(&s);
    strat_money_format(-4556775, &s);
    assert_string_equal(s.buf, "-45.567,75\u00a0€");
    str_reset(&s);
    strat_money_format(100000000, &s);
    assert_string_equal(s.buf, "1.000.000,00\u00a0€");
    str_release(&s);
}

static void test_number(void **state)
{
    (void)state;
    char b[32];
    strat_number(37.5, b, sizeof b);
    assert_string_equal(b, "37,5");
    strat_number(20, b, sizeof b);
    assert_string_equal(b, "20");
    strat_number(-47.2, b, sizeof b);
    assert_string_equal(b, "-47,2");
    strat_number(-0.4, b, sizeof b);
    assert_string_equal(b, "-0,4");
    strat_number(0.04, b, sizeof b);
    assert_string_equal(b, "0");
    /* the unit agrees with the number shown */
    assert_string_equal(strat_unit("Termine", 1), "Termin");
    assert_string_equal(strat_unit("Termine", 1.04), "Termin");
    assert_string_equal(strat_unit("Termine", 0), "Termine");
    assert_string_equal(strat_unit("Termine", 1.2), "Termine");
    assert_string_equal(strat_unit("Personen", 1), "Person");
    assert_string_equal(strat_unit("%", 1), "%");
    assert_string_equal(strat_unit(NULL, 1), "");
}

static void test_deviation(void **state)
{
    (void)state;
    json_t *o = json_object();
    strat__deviation(o, 9656775, true, 5100000);
    assert_int_equal(json_integer_value(json_object_get(o, "deviation")), -4556775);
    assert_true(json_number_value(json_object_get(o, "deviation_pct")) == -47.2);
    strat__deviation(o, 10000, true, 10500);
    assert_true(json_number_value(json_object_get(o, "deviation_pct")) == 5.0);
    strat__deviation(o, 0, true, 100);
    assert_int_equal(json_integer_value(json_object_get(o, "deviation")), 100);
    assert_true(json_is_null(json_object_get(o, "deviation_pct")));
    strat__deviation(o, 10000, false, 0);
    assert_true(json_is_null(json_object_get(o, "deviation")));
    assert_true(json_is_null(json_object_get(o, "deviation_pct")));
    json_decref(o);
}

static void test_checks(void **state)
{
    (void)state;
    assert_true(strat__is_date("2026-02-28"));
    assert_true(strat__is_date("2024-02-29"));
    assert_false(strat__is_date("2026-02-29"));
    assert_false(strat__is_date("2026-13-01"));
    assert_false(strat__is_date("26-01-01"));
    assert_false(strat__is_date(NULL));
    assert_true(strat__text_ok("Maßnahme\nzwei Zeilen", 100));
    assert_false(strat__text_ok("a\x01", 100));
    assert_false(strat__text_ok("\xc3", 100));
    assert_false(strat__text_ok("abcdef", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_parse), cmocka_unit_test(test_money_format),
        cmocka_unit_test(test_number),      cmocka_unit_test(test_deviation),
        cmocka_unit_test(test_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
