/* Unit tests of the gateway condition language (src/workflow/expr.c):
 * literals, paths, comparisons by type, missing variables, and/or/not in
 * both spellings, the ${…} wrapper, dates, and German parse errors with the
 * position and the named limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "workflow/expr.h"

static json_t *vars;

/* Parses z (which must parse) and evaluates it over vars. */
static bool ev(const char *z)
{
    struct wf_expr *e = NULL;
    struct str err;
    str_init(&err, 1024);
    int rc = wf_expr_parse(z, strlen(z), &e, &err);
    if (rc)
        fail_msg("%s: %s", z, err.buf);
    str_release(&err);
    bool v = wf_expr_eval(e, vars);
    wf_expr_free(e);
    return v;
}

/* Parses z, which must fail with rc; returns the message (static buffer). */
static const char *bad(const char *z, int want)
{
    static char msg[512];
    struct wf_expr *e = NULL;
    struct str err;
    str_init(&err, 1024);
    int rc = wf_expr_parse(z, strlen(z), &e, &err);
    assert_int_equal(rc, want);
    assert_null(e);
    snprintf(msg, sizeof msg, "%s", err.len ? err.buf : "");
    str_release(&err);
    return msg;
}

static int setup(void **state)
{
    (void)state;
    vars = json_loads("{\"betrag\": 1200, \"art\": \"Gewerbe\", \"genehmigt\": true,"
                      " \"frist\": \"2026-12-01\", \"antrag\": {\"kind\": {\"alter\": 7}},"
                      " \"leer\": \"\", \"nichts\": null}",
                      0, NULL);
    return vars ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(vars);
    return 0;
}

static void test_comparisons(void **state)
{
    (void)state;
    assert_true(ev("betrag > 1000"));
    assert_false(ev("betrag < 1000"));
    assert_true(ev("betrag >= 1200 && betrag <= 1200"));
    assert_true(ev("betrag == 1200.0"));
    assert_true(ev("betrag != 5"));
    assert_true(ev("art == 'Gewerbe'"));
    assert_true(ev("art == \"Gewerbe\""));
    assert_true(ev("art < 'Privat'"));
    assert_true(ev("genehmigt == true"));
    assert_false(ev("genehmigt == false"));
    assert_true(ev("antrag.kind.alter < 10"));
    assert_true(ev("-3 < 2"));
    assert_true(ev("'a\\'b' == \"a'b\""));
}

static void test_missing_and_types(void **state)
{
    (void)state;
    assert_false(ev("fehlt == 1"));
    assert_false(ev("fehlt != 1"));
    assert_false(ev("nichts == nichts"));
    assert_false(ev("art == 5"));
    assert_false(ev("art != 5"));
    assert_false(ev("genehmigt < true"));
    assert_false(ev("antrag.fehlt.x > 0"));
    assert_false(ev("betrag.x == 1"));
    assert_true(ev("not fehlt"));
    assert_true(ev("genehmigt"));
    assert_false(ev("leer"));
    assert_true(ev("art"));
    assert_true(ev("betrag"));
}

static void test_logic(void **state)
{
    (void)state;
    assert_true(ev("betrag > 1000 and art == 'Gewerbe'"));
    assert_true(ev("betrag < 1000 or art == 'Gewerbe'"));
    assert_false(ev("!(betrag > 1000)"));
    assert_true(ev("not betrag < 1000"));
    assert_true(ev("!genehmigt || betrag > 0"));
    assert_true(ev("(betrag > 1 || fehlt == 2) && (art != 'x')"));
    assert_false(ev("true and false"));
    assert_true(ev("false or true and true"));
    assert_true(ev("${ genehmigt == true }"));
    assert_true(ev("  ${betrag > 5}  "));
}

static void test_dates(void **state)
{
    (void)state;
    assert_true(ev("frist < date('2027-01-01')"));
    assert_true(ev("frist >= '2026-11-30'"));
    assert_true(ev("frist == date(\"2026-12-01\")"));
    assert_non_null(strstr(bad("frist < date('2026-13-01')", ERR_INVALID), "Datum"));
    bad("date(2026)", ERR_INVALID);
}

static void test_errors(void **state)
{
    (void)state;
    const char *m = bad("betrag >", ERR_INVALID);
    assert_non_null(strstr(m, "Bedingung"));
    assert_non_null(strstr(m, "Stelle 9"));
    assert_non_null(strstr(bad("betrag > 1 )", ERR_INVALID), "Stelle 12"));
    assert_non_null(strstr(bad("(a == 1", ERR_INVALID), "„)“"));
    assert_non_null(strstr(bad("a == 'x", ERR_INVALID), "Anführungszeichen"));
    bad("", ERR_INVALID);
    bad("${}", ERR_INVALID);
    bad("a = 1", ERR_INVALID);
    bad("a == 1 and", ERR_INVALID);
    bad("a.and == 1", ERR_INVALID);
    bad("a. == 1", ERR_INVALID);
    bad("12abc == 1", ERR_INVALID);
    bad("a == 1.2.3", ERR_INVALID);
    bad("a == #", ERR_INVALID);
    bad("a == 1 == 2", ERR_INVALID);
    assert_int_equal(wf_expr_parse("a\0b", 3, &(struct wf_expr *){NULL}, NULL), ERR_INVALID);
}

static void test_limits(void **state)
{
    (void)state;
    char deep[WF_EXPR_MAX_DEPTH * 2 + 8];
    size_t k = 0;
    for (int i = 0; i <= WF_EXPR_MAX_DEPTH; i++)
        deep[k++] = '(';
    deep[k++] = 'a';
    for (int i = 0; i <= WF_EXPR_MAX_DEPTH; i++)
        deep[k++] = ')';
    deep[k] = '\0';
    bad(deep, ERR_TOOBIG);
    char nots[WF_EXPR_MAX_DEPTH + 8];
    memset(nots, '!', WF_EXPR_MAX_DEPTH + 2);
    nots[WF_EXPR_MAX_DEPTH + 2] = 'a';
    nots[WF_EXPR_MAX_DEPTH + 3] = '\0';
    bad(nots, ERR_TOOBIG);
    assert_true(ev("!!!!genehmigt"));
    char *big = malloc(WF_EXPR_MAX_LEN + 2);
    assert_non_null(big);
    memset(big, ' ', WF_EXPR_MAX_LEN + 1);
    big[0] = 'a';
    big[WF_EXPR_MAX_LEN + 1] = '\0';
    bad(big, ERR_TOOBIG);
    free(big);
    bad("a.b.c.d.e.f.g.h.i == 1", ERR_TOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparisons), cmocka_unit_test(test_missing_and_types),
        cmocka_unit_test(test_logic),       cmocka_unit_test(test_dates),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
