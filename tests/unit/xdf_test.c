/* Unit tests of portal/xdf: XML Schema patterns become anchored POSIX EREs
 * (and the untranslatable ones are refused), a Datenfeld message becomes one
 * step, a repeating top-level group one repeating group, comparison scripts
 * become rules, v2 praezisierung JSON is read (and bad JSON reported), deep
 * nesting is reported or refused, the size limit holds, and what comes out
 * is accepted by the form engine (form_def_parse). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "portal/form.h"
#include "portal/xdf.h"

static void pattern_is(const char *xsd, const char *want)
{
    struct str out, why;
    str_init(&out, 0);
    str_init(&why, 0);
    int rc = xdf_pattern_to_ere(xsd, &out, &why);
    if (rc)
        fail_msg("%s: %s", xsd, why.buf);
    assert_string_equal(out.buf, want);
    str_release(&out);
    str_release(&why);
}

static void pattern_refused(const char *xsd, const char *reason)
{
    struct str out, why;
    str_init(&out, 0);
    str_init(&why, 0);
    assert_int_equal(xdf_pattern_to_ere(xsd, &out, &why), ERR_INVALID);
    assert_int_equal(out.len, 0);
    if (!strstr(why.buf, reason))
        fail_msg("%s: reason „%s“ lacks „%s“", xsd, why.buf, reason);
    str_release(&out);
    str_release(&why);
}

static bool ere_matches(const char *xsd, const char *value)
{
    struct str out;
    str_init(&out, 0);
    assert_int_equal(xdf_pattern_to_ere(xsd, &out, NULL), 0);
    regex_t re;
    assert_int_equal(regcomp(&re, out.buf, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, value, 0, NULL, 0) == 0;
    regfree(&re);
    str_release(&out);
    return ok;
}

static void test_patterns(void **state)
{
    (void)state;
    pattern_is("[0-9]{5}", "^([0-9]{5})$");
    pattern_is("\\d{3,4}", "^([0-9]{3,4})$");
    pattern_is("a.b\\.c", "^(a.b\\.c)$");
    pattern_is("[\\-\\.a-z]+", "^([.a-z-]+)$");
    pattern_is("[^\\]x]", "^([^]x])$");
    pattern_is("x^y$", "^(x\\^y\\$)$");
    pattern_is("(ab|cd)?", "^((ab|cd)?)$");
    pattern_is("[\\d\\s]*", "^([0-9[:space:]]*)$");
    pattern_is("[\\^]", "^(\\^)$");
    pattern_is("\\S+@\\S+", "^([^[:space:]]+@[^[:space:]]+)$");
    assert_true(ere_matches("[0-9]{5}", "12345"));
    assert_false(ere_matches("[0-9]{5}", "1234"));
    assert_false(ere_matches("[0-9]{5}", "123456")); /* anchored like XML Schema */
    assert_true(ere_matches("[A-Z]{2}\\d{2}", "DE89"));
    assert_false(ere_matches("a|b", "ab"));
    pattern_refused("\\p{L}+", "\\p");
    pattern_refused("[a-z-[aeiou]]", "Subtraktion");
    pattern_refused("\\i\\c*", "\\i");
    pattern_refused("[abc", "„[“ ohne");
    pattern_refused("abc\\", "am Ende");
    pattern_refused("a{2", "ungültig");
}

static int import(const char *xml, json_t **form, json_t **report, struct str *why)
{
    return xdf_import(xml, strlen(xml), form, report, why);
}

#define V2 "urn:xoev-de:fim:standard:xdatenfelder_2"
#define V3 "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"

/* A v2 datenfeld element: id, label, feldart, datentyp, praezisierung. */
static void field2(struct str *s, const char *id, const char *label, const char *feldart,
                   const char *typ, const char *praez)
{
    (void)str_addf(s,
                   "<xdf:datenfeld><xdf:identifikation><xdf:id>%s</xdf:id></xdf:identifikation>"
                   "<xdf:name>%s</xdf:name><xdf:bezeichnungEingabe>%s</xdf:bezeichnungEingabe>"
                   "<xdf:feldart><code>%s</code></xdf:feldart>"
                   "<xdf:datentyp><code>%s</code></xdf:datentyp>"
                   "<xdf:praezisierung>%s</xdf:praezisierung></xdf:datenfeld>",
                   id, label, label, feldart, typ, praez);
}

static void test_field_message(void **state)
{
    (void)state;
    struct str x, why;
    str_init(&x, 0);
    str_init(&why, 0);
    (void)str_adds(&x, "<xdf:xdatenfelder.datenfeld.0104 xmlns:xdf=\"" V2 "\">");
    field2(&x, "F1", "Betrag", "input", "num_currency", "{\"minValue\":\"0,5\",\"maxValue\":100}");
    (void)str_adds(&x, "</xdf:xdatenfelder.datenfeld.0104>");
    json_t *form = NULL, *report = NULL;
    assert_int_equal(import(x.buf, &form, &report, &why), 0);
    json_t *f = json_object_get(
        json_array_get(
            json_object_get(
                json_array_get(
                    json_object_get(json_array_get(json_object_get(form, "steps"), 0), "groups"),
                    0),
                "fields"),
            0),
        "type");
    assert_string_equal(json_string_value(f), "number");
    char *dump = json_dumps(form, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(strstr(dump, "\"step\":0.01,\"min\":0.5,\"max\":100"));
    free(dump);
    assert_string_equal(json_string_value(json_object_get(report, "message")),
                        "xdatenfelder.datenfeld.0104");
    json_decref(form);
    json_decref(report);

    /* a praezisierung that is not JSON is reported, the field kept */
    str_reset(&x);
    (void)str_adds(&x, "<xdf:xdatenfelder.datenfeld.0104 xmlns:xdf=\"" V2 "\">");
    field2(&x, "F1", "Name", "input", "text", "minLength=1");
    (void)str_adds(&x, "</xdf:xdatenfelder.datenfeld.0104>");
    assert_int_equal(import(x.buf, &form, &report, &why), 0);
    dump = json_dumps(report, JSON_COMPACT);
    assert_non_null(strstr(dump, "Präzisierung „minLength=1“ ist kein lesbares JSON-Objekt"));
    free(dump);
    json_decref(form);
    json_decref(report);
    str_release(&x);
    str_release(&why);
}

/* A v3 group with anzahl around it holding fields F10 (date) and F11 (date)
 * and a nested group with one text field. */
static void group3(struct str *s, const char *anzahl, const char *script)
{
    (void)str_addf(s,
                   "<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"" V3 "\">"
                   "<xdf:stammdatenschema><xdf:identifikation><xdf:id>S1</xdf:id>"
                   "</xdf:identifikation><xdf:name>Schema</xdf:name>"
                   "<xdf:regel><xdf:identifikation><xdf:id>R1</xdf:id></xdf:identifikation>"
                   "<xdf:name>Reihenfolge</xdf:name><xdf:skript>%s</xdf:skript></xdf:regel>"
                   "<xdf:struktur><xdf:anzahl>%s</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>"
                   "<xdf:identifikation><xdf:id>G1</xdf:id></xdf:identifikation>"
                   "<xdf:name>Zeitraum</xdf:name>",
                   script, anzahl);
    for (int i = 0; i < 2; i++)
        (void)str_addf(s,
                       "<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>"
                       "<xdf:identifikation><xdf:id>F1%d</xdf:id></xdf:identifikation>"
                       "<xdf:name>%s</xdf:name><xdf:feldart><code>input</code></xdf:feldart>"
                       "<xdf:datentyp><code>date</code></xdf:datentyp></xdf:datenfeld>"
                       "</xdf:enthaelt></xdf:struktur>",
                       i, i ? "Ende" : "Beginn");
    (void)str_adds(s,
                   "<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>"
                   "<xdf:identifikation><xdf:id>G2</xdf:id></xdf:identifikation>"
                   "<xdf:name>Ort</xdf:name>"
                   "<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>"
                   "<xdf:identifikation><xdf:id>F20</xdf:id></xdf:identifikation>"
                   "<xdf:name>Ort</xdf:name><xdf:feldart><code>input</code></xdf:feldart>"
                   "<xdf:datentyp><code>text</code></xdf:datentyp></xdf:datenfeld>"
                   "</xdf:enthaelt></xdf:struktur></xdf:datenfeldgruppe></xdf:enthaelt>"
                   "</xdf:struktur>"
                   "</xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>"
                   "</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>");
}

static void test_repeating_step_and_rules(void **state)
{
    (void)state;
    struct str x, why;
    str_init(&x, 0);
    str_init(&why, 0);
    json_t *form = NULL, *report = NULL;

    /* 1:1: a step with the group's fields and the nested group beside them */
    group3(&x, "1:1", "F11 &gt;= F10;");
    assert_int_equal(import(x.buf, &form, &report, &why), 0);
    char *dump = json_dumps(form, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(
        strstr(dump, "{\"id\":\"g1\",\"legend\":\"Zeitraum\",\"fields\":[{\"id\":\"f10\""));
    assert_non_null(strstr(dump, "{\"id\":\"g2\",\"legend\":\"Ort\",\"fields\":[{\"id\":\"f20\""));
    assert_non_null(strstr(dump, "\"rules\":[{\"type\":\"not_after\",\"a\":\"f10\",\"b\":\"f11\""));
    free(dump);
    json_decref(form);
    json_decref(report);

    /* 0:n: one repeating group holds everything, the nested group merged */
    str_reset(&x);
    group3(&x, "0:n", "irgendwas(F10)");
    assert_int_equal(import(x.buf, &form, &report, &why), 0);
    dump = json_dumps(form, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(strstr(dump, "\"repeat\":{\"min\":0,\"max\":50,\"item\":\"Zeitraum\"},"
                                 "\"fields\":[{\"id\":\"f10\""));
    assert_non_null(strstr(dump, "\"id\":\"f20\""));
    assert_null(strstr(dump, "\"id\":\"g2\""));
    assert_non_null(strstr(dump, "\"rules\":[]"));
    free(dump);
    dump = json_dumps(report, JSON_COMPACT);
    assert_non_null(
        strstr(dump, "Regel R1 (Reihenfolge) nicht übertragen: Skript „irgendwas(F10)“"));
    assert_non_null(strstr(dump, "Gruppe G2 (Ort) in der wiederholbaren Gruppe G1 (Zeitraum)"));
    free(dump);
    json_decref(form);
    json_decref(report);
    str_release(&x);
    str_release(&why);
}

/* n groups nested in each other around one field, as a v2 Datenfeldgruppe. */
static void nested(struct str *s, int n)
{
    (void)str_adds(s, "<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf=\"" V2 "\">");
    for (int i = 0; i < n; i++) {
        (void)str_addf(s,
                       "<xdf:datenfeldgruppe><xdf:identifikation><xdf:id>G%d</xdf:id>"
                       "</xdf:identifikation><xdf:name>Ebene %d</xdf:name>"
                       "<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt>",
                       i, i);
    }
    field2(s, "F1", "Feld", "input", "text", "");
    for (int i = 0; i < n; i++)
        (void)str_adds(s, "</xdf:enthaelt></xdf:struktur></xdf:datenfeldgruppe>");
    (void)str_adds(s, "</xdf:xdatenfelder.datenfeldgruppe.0103>");
}

static void test_nesting(void **state)
{
    (void)state;
    struct str x, why;
    str_init(&x, 0);
    str_init(&why, 0);
    json_t *form = NULL, *report = NULL;
    nested(&x, 5);
    assert_int_equal(import(x.buf, &form, &report, &why), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(report, "counts"), "fields")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(report, "counts"), "steps")), 1);
    json_decref(form);
    json_decref(report);

    str_reset(&x);
    nested(&x, XDF_MAX_DEPTH + 5); /* the field is too deep: nothing is left */
    assert_int_equal(import(x.buf, &form, &report, &why), ERR_INVALID);
    assert_non_null(strstr(why.buf, "keine übertragbaren Datenfelder"));
    assert_non_null(strstr(why.buf, "tiefer als 40 Ebenen verschachtelt"));

    str_reset(&x);
    nested(&x, 2 * XDF_MAX_DEPTH);
    assert_int_equal(import(x.buf, &form, &report, &why), ERR_INVALID);
    assert_non_null(strstr(why.buf, "tiefer als"));
    str_release(&x);
    str_release(&why);
}

static void test_too_big_and_empty(void **state)
{
    (void)state;
    size_t len = XDF_MAX_BYTES + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, ' ', len);
    json_t *form = NULL, *report = NULL;
    struct str why;
    str_init(&why, 0);
    assert_int_equal(xdf_import(big, len, &form, &report, &why), ERR_TOOBIG);
    assert_non_null(strstr(why.buf, "größer als 32 MiB"));
    free(big);
    assert_int_equal(xdf_import("", 0, &form, &report, &why), ERR_INVALID);
    assert_string_equal(why.buf, "die Datei ist leer");
    assert_int_equal(xdf_import("  ", 2, &form, &report, NULL), ERR_INVALID);
    assert_null(form);
    assert_null(report);
    str_release(&why);
}

/* What the engine would refuse is dropped piece by piece, with notes. */
static void test_engine_limits(void **state)
{
    (void)state;
    struct str x, why;
    str_init(&x, 0);
    str_init(&why, 0);
    (void)str_adds(&x, "<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf=\"" V2 "\">"
                       "<xdf:datenfeldgruppe><xdf:identifikation><xdf:id>G1</xdf:id>"
                       "</xdf:identifikation><xdf:name>Gruppe</xdf:name>"
                       "<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt>");
    field2(&x, "F1", "Kennung", "input", "text", "{\"pattern\":\"a{200}\",\"maxLength\":\"50\"}");
    (void)str_adds(&x, "</xdf:enthaelt></xdf:struktur>"
                       "<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt>");
    field2(&x, "F2", "Langtext", "input", "text", "{\"maxLength\":\"100000\"}");
    (void)str_adds(&x, "</xdf:enthaelt></xdf:struktur></xdf:datenfeldgruppe>"
                       "</xdf:xdatenfelder.datenfeldgruppe.0103>");
    json_t *form = NULL, *report = NULL;
    assert_int_equal(import(x.buf, &form, &report, &why), 0);
    char *dump = json_dumps(form, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(strstr(dump,
                           "{\"id\":\"f1\",\"type\":\"text\",\"label\":\"Kennung\",\"max\":50,"
                           "\"required\":true}"));
    assert_non_null(strstr(dump, "{\"id\":\"f2\",\"type\":\"textarea\",\"label\":\"Langtext\","
                                 "\"required\":true}"));
    free(dump);
    dump = json_dumps(report, JSON_COMPACT);
    assert_non_null(
        strstr(dump, "Feld F1 (Kennung): Muster nicht übertragen, die Formular-Engine"));
    assert_non_null(strstr(dump, "Feld F2 (Langtext): Grenzen (min/max) nicht übertragen"));
    free(dump);
    json_decref(form);
    json_decref(report);
    str_release(&x);
    str_release(&why);
}

/* The own fixture (every mapping rule) comes out as a definition the form
 * engine takes, with all 13 fields. */
static void test_fixture_accepted(void **state)
{
    (void)state;
    FILE *f = fopen("tests/data/xdf/antrag-v3.xml", "rb");
    assert_non_null(f);
    struct str x, why;
    str_init(&x, 0);
    str_init(&why, 0);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        assert_int_equal(str_add(&x, buf, n), 0);
    fclose(f);
    json_t *form = NULL, *report = NULL;
    assert_int_equal(xdf_import(x.buf, x.len, &form, &report, &why), 0);
    struct form_def *d = NULL;
    assert_int_equal(form_def_parse(form, &d, &why), 0);
    assert_int_equal(form_def_steps(d), 3);
    assert_int_equal(form_def_fields(d), 13);
    assert_string_equal(form_def_step_title(d, 1), "Ihr Vorhaben");
    form_def_free(d);
    json_decref(form);
    json_decref(report);
    str_release(&x);
    str_release(&why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_field_message),
        cmocka_unit_test(test_repeating_step_and_rules),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_too_big_and_empty),
        cmocka_unit_test(test_engine_limits),
        cmocka_unit_test(test_fixture_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
