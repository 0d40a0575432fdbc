/* Unit tests of the form engine (src/portal/form*.c): each validator (IBAN,
 * dates, postcodes, e-mail, phone, numbers, patterns, options, checkboxes),
 * repeatable groups, show_if, the cross-field rules, refused definitions,
 * collecting a POST body (normalising, dropping hidden fields, the add and
 * remove buttons), escaping in the HTML and the readable summary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "portal/form.h"

/* The definition most tests use: every field type, conditions, a repeatable
 * group and rules. */
static const char *DEF =
    "{\"steps\": ["
    " {\"id\": \"person\", \"title\": \"Angaben zur Person\", \"groups\": ["
    "  {\"id\": \"name\", \"legend\": \"Ihr Name\", \"fields\": ["
    "   {\"id\": \"vorname\", \"type\": \"text\", \"label\": \"Vorname\", \"required\": true,"
    "    \"max\": 20, \"pattern\": \"[^0-9]*\", \"pattern_message\": \"Bitte ohne Ziffern.\","
    "    \"autocomplete\": \"given-name\", \"help\": \"Wie im Ausweis.\"},"
    "   {\"id\": \"geburt\", \"type\": \"date\", \"label\": \"Geburtsdatum\", \"max\": \"today\"},"
    "   {\"id\": \"termin\", \"type\": \"date\", \"label\": \"Termin\", \"min\": \"today\"},"
    "   {\"id\": \"email\", \"type\": \"email\", \"label\": \"E-Mail\"},"
    "   {\"id\": \"telefon\", \"type\": \"phone\", \"label\": \"Telefon\"},"
    "   {\"id\": \"plz\", \"type\": \"postcode\", \"label\": \"Postleitzahl\"},"
    "   {\"id\": \"iban\", \"type\": \"iban\", \"label\": \"IBAN\"},"
    "   {\"id\": \"anzahl\", \"type\": \"number\", \"label\": \"Anzahl\", \"min\": 1, \"max\": 10,"
    "    \"step\": 1},"
    "   {\"id\": \"betrag\", \"type\": \"number\", \"label\": \"Betrag\", \"min\": 0},"
    "   {\"id\": \"art\", \"type\": \"select\", \"label\": \"Art\", \"options\": ["
    "    {\"value\": \"privat\", \"label\": \"Privat\"},"
    "    {\"value\": \"gewerbe\", \"label\": \"Gewerblich\"}]},"
    "   {\"id\": \"farbe\", \"type\": \"radio\", \"label\": \"Farbe\", \"options\": [\"rot\", \"blau\"]},"
    "   {\"id\": \"themen\", \"type\": \"checkbox\", \"label\": \"Themen\","
    "    \"options\": [\"a\", \"b\", \"c\"], \"max\": 2},"
    "   {\"id\": \"zustimmung\", \"type\": \"checkbox\", \"label\": \"Ich stimme zu\","
    "    \"required\": true},"
    "   {\"id\": \"hund\", \"type\": \"yesno\", \"label\": \"Haben Sie einen Hund?\"},"
    "   {\"id\": \"hundename\", \"type\": \"text\", \"label\": \"Name des Hundes\","
    "    \"required\": true, \"show_if\": {\"field\": \"hund\", \"equals\": true}},"
    "   {\"id\": \"firma\", \"type\": \"text\", \"label\": \"Firma\", \"required\": true,"
    "    \"show_if\": {\"field\": \"art\", \"in\": [\"gewerbe\"]}}"
    "  ]}]},"
    " {\"id\": \"zeit\", \"title\": \"Zeitraum\", \"groups\": ["
    "  {\"id\": \"zr\", \"legend\": \"Zeitraum\", \"fields\": ["
    "   {\"id\": \"beginn\", \"type\": \"date\", \"label\": \"Beginn\"},"
    "   {\"id\": \"ende\", \"type\": \"date\", \"label\": \"Ende\"},"
    "   {\"id\": \"von\", \"type\": \"number\", \"label\": \"Von\"},"
    "   {\"id\": \"bis\", \"type\": \"number\", \"label\": \"Bis\"},"
    "   {\"id\": \"grund\", \"type\": \"textarea\", \"label\": \"Begründung\"}"
    "  ]},"
    "  {\"id\": \"kinder\", \"legend\": \"Kinder\", \"repeat\": {\"min\": 1, \"max\": 3,"
    "   \"item\": \"Kind\"}, \"fields\": ["
    "   {\"id\": \"kname\", \"type\": \"text\", \"label\": \"Name des Kindes\", \"required\": true},"
    "   {\"id\": \"schule\", \"type\": \"yesno\", \"label\": \"Geht zur Schule\"},"
    "   {\"id\": \"schulname\", \"type\": \"text\", \"label\": \"Schule\", \"required\": true,"
    "    \"show_if\": {\"field\": \"schule\", \"equals\": true}},"
    "   {\"id\": \"urkunde\", \"type\": \"file\", \"label\": \"Geburtsurkunde\","
    "    \"accept\": [\"application/pdf\"], \"max_bytes\": 1000}"
    "  ]}]}"
    "],"
    "\"rules\": ["
    " {\"type\": \"before\", \"a\": \"beginn\", \"b\": \"ende\","
    "  \"message\": \"Der Beginn muss vor dem Ende liegen.\"},"
    " {\"type\": \"not_after\", \"a\": \"von\", \"b\": \"bis\"},"
    " {\"type\": \"required_if\", \"a\": \"grund\", \"b\": \"art\", \"equals\": \"gewerbe\"}"
    "]}";

static struct form_def *def;

/* Parses a definition that must be accepted. */
static struct form_def *parse_ok(const char *json)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    if (!j)
        fail_msg("JSON: %s (line %d)", je.text, je.line);
    struct form_def *d = NULL;
    struct str why;
    str_init(&why, 0);
    int rc = form_def_parse(j, &d, &why);
    if (rc)
        fail_msg("form_def_parse: %s", why.buf);
    str_release(&why);
    json_decref(j);
    return d;
}

static void parse_ok_free(const char *json)
{
    form_def_free(parse_ok(json));
}

/* Parses a definition that must be refused; returns the reason (static). */
static const char *parse_bad(const char *json)
{
    static char msg[1024];
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    struct form_def *d = NULL;
    struct str why;
    str_init(&why, 0);
    assert_int_equal(form_def_parse(j, &d, &why), ERR_INVALID);
    assert_null(d);
    assert_true(why.len > 0);
    snprintf(msg, sizeof msg, "%s", why.buf);
    str_release(&why);
    json_decref(j);
    return msg;
}

/* A minimal definition with one field given as JSON text. */
static const char *one_field(const char *field)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"steps\": [{\"id\": \"s\", \"title\": \"S\", \"groups\": [{\"id\": \"g\", "
             "\"legend\": \"G\", \"fields\": [%s]}]}]}",
             field);
    return buf;
}

static json_t *errors_of(struct form_def *d, const char *data)
{
    json_t *j = json_loads(data, 0, NULL);
    json_t *errors = NULL;
    assert_non_null(j);
    assert_int_equal(form_validate(d, j, &errors), 0);
    json_decref(j);
    return errors;
}

/* The message form_validate gives field for data over def (static; NULL = none). */
static const char *err_at(const char *data, const char *field)
{
    static char msg[1024];
    json_t *errors = errors_of(def, data);
    const char *found = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0) {
            snprintf(msg, sizeof msg, "%s", json_string_value(json_object_get(e, "message")));
            found = msg;
        }
    }
    json_decref(errors);
    return found;
}

/* Valid data of the whole form, with one key replaced by repl (a JSON member
 * "key": value, or "" to add nothing). */
static const char *valid(const char *extra)
{
    static char buf[4096];
    snprintf(
        buf, sizeof buf,
        "{\"vorname\": \"Erika\", \"zustimmung\": true, \"kinder\": [{\"kname\": \"Max\"}]%s%s}",
        *extra ? ", " : "", extra);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    def = parse_ok(DEF);
    return def ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    form_def_free(def);
    return 0;
}

/* ---- validators ---------------------------------------------------------- */

static void test_iban(void **state)
{
    (void)state;
    assert_true(form_iban_valid("DE89370400440532013000"));
    assert_true(form_iban_valid("DE89 3704 0044 0532 0130 00"));
    assert_true(form_iban_valid("de89 3704 0044 0532 0130 00"));
    assert_true(form_iban_valid("GB82 WEST 1234 5698 7654 32"));
    assert_true(form_iban_valid("AT611904300234573201"));
    assert_false(form_iban_valid("DE88370400440532013000")); /* checksum */
    assert_false(form_iban_valid("DE89370400440532013001"));
    assert_false(form_iban_valid("DE8937040044053201300"));   /* length 21 */
    assert_false(form_iban_valid("DE893704004405320130000")); /* length 23 */
    assert_false(form_iban_valid("XX89370400440532013000"));  /* country */
    assert_false(form_iban_valid(""));
    assert_false(form_iban_valid("DE89-3704-0044-0532-0130-00"));
    assert_false(form_iban_valid(NULL));

    assert_null(err_at(valid("\"iban\": \"DE89370400440532013000\""), "iban"));
    assert_non_null(
        strstr(err_at(valid("\"iban\": \"DE88370400440532013000\""), "iban"), "Prüfziffer"));
    assert_non_null(
        strstr(err_at(valid("\"iban\": \"DE8937040044053201300\""), "iban"), "22 Zeichen"));
    /* Stored data is canonical: spaces are refused by form_validate … */
    assert_non_null(err_at(valid("\"iban\": \"DE89 3704 0044 0532 0130 00\""), "iban"));
}

static void test_dates(void **state)
{
    (void)state;
    char out[11];
    assert_true(form_date_parse("2024-02-29", out));
    assert_string_equal(out, "2024-02-29");
    assert_true(form_date_parse("29.02.2024", out));
    assert_string_equal(out, "2024-02-29");
    assert_true(form_date_parse("1.3.2026", out));
    assert_string_equal(out, "2026-03-01");
    assert_true(form_date_parse("29.02.2000", out)); /* divisible by 400 */
    assert_false(form_date_parse("29.02.2023", out));
    assert_false(form_date_parse("29.02.1900", out)); /* divisible by 100 */
    assert_false(form_date_parse("31.04.2026", out));
    assert_false(form_date_parse("2026-04-31", out));
    assert_false(form_date_parse("00.01.2026", out));
    assert_false(form_date_parse("01.13.2026", out));
    assert_false(form_date_parse("2026-1-01", out));
    assert_false(form_date_parse("01.01.26", out));
    assert_false(form_date_parse("heute", out));
    assert_false(form_date_parse("", out));
    assert_true(form_date_parse("31.12.2026", out));

    /* "today" bounds, measured with the same clock as the engine. */
    char today[16], tomorrow[16], yesterday[16], data[256];
    rtime_display_date(rtime_now(), today, sizeof today);
    rtime_display_date(rtime_now() + 86400, tomorrow, sizeof tomorrow);
    rtime_display_date(rtime_now() - 86400, yesterday, sizeof yesterday);
    char iso_today[11], iso_tomorrow[11], iso_yesterday[11];
    assert_true(form_date_parse(today, iso_today));
    assert_true(form_date_parse(tomorrow, iso_tomorrow));
    assert_true(form_date_parse(yesterday, iso_yesterday));
    snprintf(data, sizeof data, "\"geburt\": \"%s\", \"termin\": \"%s\"", iso_today, iso_today);
    assert_null(err_at(valid(data), "geburt"));
    assert_null(err_at(valid(data), "termin"));
    snprintf(data, sizeof data, "\"geburt\": \"%s\", \"termin\": \"%s\"", iso_tomorrow,
             iso_yesterday);
    assert_string_equal(err_at(valid(data), "geburt"),
                        "Das Datum bei „Geburtsdatum“ darf nicht in der Zukunft liegen.");
    assert_string_equal(err_at(valid(data), "termin"),
                        "Das Datum bei „Termin“ darf nicht in der Vergangenheit liegen.");
    /* Stored dates are ISO; anything else is not a date. */
    assert_non_null(err_at(valid("\"geburt\": \"31.04.2020\""), "geburt"));
    assert_non_null(err_at(valid("\"geburt\": \"2020-04-31\""), "geburt"));
    assert_null(err_at(valid("\"geburt\": \"2020-02-29\""), "geburt"));
    assert_non_null(err_at(valid("\"geburt\": \"2021-02-29\""), "geburt"));

    /* Fixed bounds. */
    struct form_def *d = parse_ok(
        one_field("{\"id\": \"d\", \"type\": \"date\", \"label\": \"D\", \"min\": \"2026-01-01\", "
                  "\"max\": \"31.12.2026\"}"));
    json_t *e = errors_of(d, "{\"d\": \"2025-12-31\"}");
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "message")),
                        "Das Datum bei „D“ darf nicht vor dem 01.01.2026 liegen.");
    json_decref(e);
    e = errors_of(d, "{\"d\": \"2027-01-01\"}");
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "message")),
                        "Das Datum bei „D“ darf nicht nach dem 31.12.2026 liegen.");
    json_decref(e);
    e = errors_of(d, "{\"d\": \"2026-12-31\"}");
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    form_def_free(d);
}

static void test_postcode(void **state)
{
    (void)state;
    assert_true(form_postcode_valid("40213"));
    assert_true(form_postcode_valid("01067"));
    assert_false(form_postcode_valid("00123"));
    assert_false(form_postcode_valid("4021"));
    assert_false(form_postcode_valid("402130"));
    assert_false(form_postcode_valid("4021a"));
    assert_false(form_postcode_valid(" 4021"));
    assert_false(form_postcode_valid(NULL));
    assert_string_equal(
        err_at(valid("\"plz\": \"123\""), "plz"),
        "Bitte geben Sie bei „Postleitzahl“ eine Postleitzahl mit fünf Ziffern an.");
}

static void test_email(void **state)
{
    (void)state;
    assert_true(form_email_valid("erika.muster@example.org"));
    assert_true(form_email_valid("a+b@sub.example.de"));
    assert_true(form_email_valid("info@xn--mller-kva.de"));
    assert_false(form_email_valid("erika"));
    assert_false(form_email_valid("@example.org"));
    assert_false(form_email_valid("erika@"));
    assert_false(form_email_valid("erika@example"));
    assert_false(form_email_valid("erika@example.d"));
    assert_false(form_email_valid("erika@-example.de"));
    assert_false(form_email_valid("erika@example..de"));
    assert_false(form_email_valid(".erika@example.de"));
    assert_false(form_email_valid("er..ika@example.de"));
    assert_false(form_email_valid("erika muster@example.de"));
    assert_false(form_email_valid("erika@exa mple.de"));
    assert_non_null(err_at(valid("\"email\": \"keine-adresse\""), "email"));
    assert_null(err_at(valid("\"email\": \"erika@example.org\""), "email"));
}

static void test_phone(void **state)
{
    (void)state;
    assert_true(form_phone_valid("0211 123456"));
    assert_true(form_phone_valid("+49 (211) 123-456"));
    assert_true(form_phone_valid("0211/123456"));
    assert_false(form_phone_valid("12345"));                 /* 5 digits */
    assert_false(form_phone_valid("123456789012345678901")); /* 21 digits */
    assert_false(form_phone_valid("0211 12345 ab"));
    assert_false(form_phone_valid("0211+123456"));
    assert_non_null(err_at(valid("\"telefon\": \"abc\""), "telefon"));
}

static void test_numbers(void **state)
{
    (void)state;
    assert_null(err_at(valid("\"anzahl\": 3, \"betrag\": 12.5"), "anzahl"));
    assert_string_equal(err_at(valid("\"anzahl\": 2.5"), "anzahl"),
                        "Bitte geben Sie bei „Anzahl“ eine ganze Zahl an.");
    assert_string_equal(err_at(valid("\"anzahl\": 11"), "anzahl"),
                        "Bitte geben Sie bei „Anzahl“ eine Zahl von 1 bis 10 an.");
    assert_string_equal(err_at(valid("\"betrag\": -0.5"), "betrag"),
                        "Bitte geben Sie bei „Betrag“ eine Zahl ab 0 an.");
    assert_non_null(err_at(valid("\"betrag\": \"12,5\""), "betrag")); /* stored as a number */
}

/* Numbers shown the German way: decimal comma, points from 10.000 on. */
static void test_number_text(void **state)
{
    (void)state;
    struct form_def *d = parse_ok(one_field("{\"id\": \"n\", \"type\": \"number\", "
                                            "\"label\": \"N\"}"));
    static const struct {
        double v;
        const char *want;
    } CASES[] = {{0.5, "0,5"},
                 {1234, "1234"},
                 {-12345, "-12.345"},
                 {250000.75, "250.000,75"},
                 {1e12, "1.000.000.000.000"},
                 {-0.125, "-0,125"}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        json_t *data = json_pack("{s:f}", "n", CASES[i].v), *sum = NULL;
        assert_int_equal(form_summary(d, data, &sum), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(sum, 0), "value")),
                            CASES[i].want);
        json_decref(sum);
        json_decref(data);
    }
    form_def_free(d);
}

static void test_pattern_and_length(void **state)
{
    (void)state;
    assert_string_equal(err_at(valid("\"vorname\": \"Erika2\""), "vorname"), "Bitte ohne Ziffern.");
    assert_string_equal(err_at(valid("\"vorname\": \"Erikaerikaerikaerikaerika\""), "vorname"),
                        "Bitte geben Sie bei „Vorname“ höchstens 20 Zeichen an (jetzt: 25).");
    /* Characters, not bytes: 20 umlauts are fine. */
    assert_null(err_at(valid("\"vorname\": \"ääääääääääääääääääää\""), "vorname"));
    assert_non_null(err_at(valid("\"vorname\": \"Erika\\nMuster\""), "vorname"));
    /* The pattern is anchored to the whole value. */
    struct form_def *d =
        parse_ok(one_field("{\"id\": \"kz\", \"type\": \"text\", \"label\": \"Kennzeichen\", "
                           "\"pattern\": \"[A-Z]{1,3}-[A-Z]{1,2} [0-9]{1,4}\"}"));
    json_t *e = errors_of(d, "{\"kz\": \"D-AB 123\"}");
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    e = errors_of(d, "{\"kz\": \"xD-AB 123x\"}");
    assert_int_equal(json_array_size(e), 1);
    json_decref(e);
    form_def_free(d);
}

static void test_options(void **state)
{
    (void)state;
    assert_null(err_at(valid("\"art\": \"privat\", \"farbe\": \"blau\""), "art"));
    assert_non_null(err_at(valid("\"art\": \"Privat\""), "art"));
    assert_non_null(err_at(valid("\"farbe\": \"gelb\""), "farbe"));
    assert_null(err_at(valid("\"themen\": [\"a\", \"c\"]"), "themen"));
    assert_non_null(err_at(valid("\"themen\": [\"a\", \"x\"]"), "themen"));
    assert_non_null(err_at(valid("\"themen\": [\"a\", \"a\"]"), "themen"));
    assert_string_equal(err_at(valid("\"themen\": [\"a\", \"b\", \"c\"]"), "themen"),
                        "Bitte wählen Sie bei „Themen“ höchstens 2 Möglichkeiten aus.");
}

static void test_checkbox_and_required(void **state)
{
    (void)state;
    assert_string_equal(
        err_at("{\"zustimmung\": false, \"vorname\": \"E\", \"kinder\": [{\"kname\": "
               "\"M\"}]}",
               "zustimmung"),
        "Bitte setzen Sie den Haken bei „Ich stimme zu“.");
    assert_string_equal(err_at("{\"kinder\": [{\"kname\": \"M\"}]}", "vorname"),
                        "Bitte geben Sie „Vorname“ an.");
    assert_null(err_at(valid(""), "zustimmung"));
    assert_non_null(err_at(valid("\"hund\": \"ja\""), "hund")); /* yes/no is true/false */
    json_t *e = errors_of(def, valid(""));
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
}

static void test_repeat(void **state)
{
    (void)state;
    assert_string_equal(err_at("{\"vorname\": \"E\", \"zustimmung\": true}", "kinder"),
                        "Bitte geben Sie bei „Kinder“ mindestens einen Eintrag an.");
    assert_string_equal(err_at(valid("\"kinder\": [{\"kname\": \"A\"}, {\"kname\": \"B\"}, "
                                     "{\"kname\": \"C\"}, {\"kname\": \"D\"}]"),
                               "kinder"),
                        "Bei „Kinder“ sind höchstens 3 Einträge möglich.");
    /* valid() already has "kinder"; a later duplicate key wins in jansson. */
    assert_string_equal(err_at(valid("\"kinder\": [{\"kname\": \"A\"}, {}]"), "kinder.1.kname"),
                        "Bitte geben Sie „Name des Kindes“ an.");
    /* show_if inside an entry reads the same entry. */
    assert_non_null(
        err_at(valid("\"kinder\": [{\"kname\": \"A\", \"schule\": true}]"), "kinder.0.schulname"));
    assert_null(
        err_at(valid("\"kinder\": [{\"kname\": \"A\", \"schule\": false}]"), "kinder.0.schulname"));
    /* Files: type and size. */
    assert_null(err_at(valid("\"kinder\": [{\"kname\": \"A\", \"urkunde\": {\"name\": \"u.pdf\", "
                             "\"mime\": \"application/pdf\", \"size\": 900, \"sha256\": \"ab\"}}]"),
                       "kinder.0.urkunde"));
    assert_non_null(strstr(
        err_at(valid("\"kinder\": [{\"kname\": \"A\", \"urkunde\": {\"name\": \"u.exe\", "
                     "\"mime\": \"application/x-dosexec\", \"size\": 900, \"sha256\": \"ab\"}}]"),
               "kinder.0.urkunde"),
        "Erlaubt: PDF"));
    assert_non_null(
        strstr(err_at(valid("\"kinder\": [{\"kname\": \"A\", \"urkunde\": {\"name\": \"u.pdf\", "
                            "\"mime\": \"application/pdf\", \"size\": 5000, \"sha256\": \"ab\"}}]"),
                      "kinder.0.urkunde"),
               "zu groß"));
}

static void test_show_if(void **state)
{
    (void)state;
    assert_string_equal(err_at(valid("\"hund\": true"), "hundename"),
                        "Bitte geben Sie „Name des Hundes“ an.");
    assert_null(err_at(valid("\"hund\": false"), "hundename"));
    assert_null(err_at(valid(""), "hundename"));
    assert_non_null(err_at(valid("\"art\": \"gewerbe\""), "firma"));
    assert_null(err_at(valid("\"art\": \"privat\""), "firma"));
}

static void test_rules(void **state)
{
    (void)state;
    assert_string_equal(
        err_at(valid("\"beginn\": \"2026-05-01\", \"ende\": \"2026-05-01\""), "beginn"),
        "Der Beginn muss vor dem Ende liegen.");
    assert_null(err_at(valid("\"beginn\": \"2026-04-30\", \"ende\": \"2026-05-01\""), "beginn"));
    assert_null(err_at(valid("\"beginn\": \"2026-06-30\""), "beginn")); /* b missing */
    assert_string_equal(err_at(valid("\"von\": 5, \"bis\": 4"), "von"),
                        "„Von“ darf nicht nach „Bis“ liegen.");
    assert_null(err_at(valid("\"von\": 5, \"bis\": 5"), "von"));
    assert_string_equal(err_at(valid("\"art\": \"gewerbe\", \"firma\": \"F\""), "grund"),
                        "Bitte geben Sie „Begründung“ an.");
    assert_null(err_at(valid("\"art\": \"privat\""), "grund"));
    assert_null(
        err_at(valid("\"art\": \"gewerbe\", \"firma\": \"F\", \"grund\": \"weil\""), "grund"));
}

static void test_unknown_keys(void **state)
{
    (void)state;
    assert_string_equal(err_at(valid("\"gibtsnicht\": 1"), "gibtsnicht"),
                        "Diese Angabe gehört nicht zum Formular.");
}

/* ---- definitions refused ----------------------------------------------------- */

static void test_bad_definitions(void **state)
{
    (void)state;
    const char *m;
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\"}, "
                            "{\"id\": \"a\", \"type\": \"text\", \"label\": \"B\"}"));
    assert_non_null(strstr(m, "doppelt"));
    assert_non_null(strstr(m, "„a“"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"txt\", \"label\": \"A\"}"));
    assert_non_null(strstr(m, "unbekannter Typ „txt“"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"pattern\": \"[a-\"}"));
    assert_non_null(strstr(m, "regulärer Ausdruck"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"pattern\": \"((a{100}){100}){100}\"}"));
    assert_non_null(strstr(m, "Wiederholungen"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"pattern\": \"\\\\d{5}\"}"));
    assert_non_null(strstr(m, "[0-9]"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"pattern\": \"(a)\\\\1\"}"));
    assert_non_null(strstr(m, "POSIX ERE"));
    parse_ok_free(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"pattern\": \"[0-9]+\\\\.[0-9]+\\\\s*\"}"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"show_if\": {\"field\": \"nix\", \"equals\": \"x\"}}"));
    assert_non_null(strstr(m, "unbekannte Feld „nix“"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"requried\": true}"));
    assert_non_null(strstr(m, "unbekannter Schlüssel „requried“"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"select\", \"label\": \"A\"}"));
    assert_non_null(strstr(m, "„options“ fehlt"));
    m = parse_bad(one_field("{\"id\": \"A\", \"type\": \"text\", \"label\": \"A\"}"));
    assert_non_null(strstr(m, "a–z"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"yesno\", \"label\": \"A\", "
                            "\"show_if\": {\"field\": \"b\", \"equals\": true}}, "
                            "{\"id\": \"b\", \"type\": \"yesno\", \"label\": \"B\", "
                            "\"show_if\": {\"field\": \"a\", \"equals\": true}}"));
    assert_non_null(strstr(m, "Kreis"));
    m = parse_bad(
        one_field("{\"id\": \"a\", \"type\": \"select\", \"label\": \"A\", "
                  "\"options\": [\"x\"]}, {\"id\": \"b\", \"type\": \"text\", "
                  "\"label\": \"B\", \"show_if\": {\"field\": \"a\", \"equals\": \"y\"}}"));
    assert_non_null(strstr(m, "keine Option"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"autocomplete\": \"vorname\"}"));
    assert_non_null(strstr(m, "autocomplete"));
    m = parse_bad(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                            "\"min\": 5, \"max\": 2}"));
    assert_non_null(strstr(m, "größer"));
    m = parse_bad("{\"steps\": [{\"title\": \"S\", \"groups\": [{\"legend\": \"G\", \"fields\": "
                  "[{\"id\": \"a\", \"type\": \"date\", \"label\": \"A\"}, {\"id\": \"b\", "
                  "\"type\": \"text\", \"label\": \"B\"}]}]}], \"rules\": [{\"type\": \"before\", "
                  "\"a\": \"a\", \"b\": \"b\"}]}");
    assert_non_null(strstr(m, "Regel 1"));
    m = parse_bad("{\"steps\": [{\"title\": \"S\", \"groups\": [{\"legend\": \"G\", \"fields\": "
                  "[{\"id\": \"a\", \"type\": \"date\", \"label\": \"A\"}]}]}], \"rules\": "
                  "[{\"type\": \"after\", \"a\": \"a\", \"b\": \"a\"}]}");
    assert_non_null(strstr(m, "unbekannter Regeltyp"));
    m = parse_bad("{\"steps\": []}");
    assert_non_null(strstr(m, "steps"));
    m = parse_bad("[]");
    assert_non_null(strstr(m, "Objekt"));
    /* x_ keys are free for notes. */
    struct form_def *d = parse_ok(one_field("{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", "
                                            "\"x_quelle\": \"F60000001\"}"));
    assert_int_equal(form_def_fields(d), 1);
    assert_int_equal(form_def_steps(d), 1);
    assert_string_equal(form_def_step_title(d, 0), "S");
    assert_null(form_def_step_title(d, 1));
    form_def_free(d);
}

/* ---- collecting a POST body --------------------------------------------------------- */

/* Builds a form from "name=value" strings (NULL-terminated). */
static struct form *post(const char *const *pairs)
{
    static struct form f;
    static struct form_field fields[64];
    static char buf[64][256];
    size_t n = 0;
    for (; pairs[n]; n++) {
        snprintf(buf[n], sizeof buf[n], "%s", pairs[n]);
        char *eq = strchr(buf[n], '=');
        assert_non_null(eq);
        *eq = '\0';
        fields[n] = (struct form_field){
            .name = buf[n], .value = eq + 1, .value_len = strlen(eq + 1), .size = strlen(eq + 1)};
    }
    f.fields = fields;
    f.n = n;
    f.alloc = 64;
    return &f;
}

static void test_collect(void **state)
{
    (void)state;
    json_t *data = json_object();
    json_t *errors = NULL;
    const char *p1[] = {"vorname= Erika ",
                        "iban=de89 3704 0044 0532 0130 00",
                        "geburt=29.02.2000",
                        "betrag=1.234,5",
                        "anzahl=3",
                        "themen=a",
                        "themen=c",
                        "zustimmung=ja",
                        "hund=nein",
                        "hundename=Bello",
                        "art=privat",
                        "firma=Firma GmbH",
                        "email=",
                        NULL};
    assert_int_equal(form_collect(def, 0, post(p1), NULL, 0, data, &errors), 0);
    assert_int_equal(json_array_size(errors), 0);
    json_decref(errors);
    assert_string_equal(json_string_value(json_object_get(data, "vorname")), "Erika");
    assert_string_equal(json_string_value(json_object_get(data, "iban")), "DE89370400440532013000");
    assert_string_equal(json_string_value(json_object_get(data, "geburt")), "2000-02-29");
    assert_true(json_is_real(json_object_get(data, "betrag")));
    assert_true(json_number_value(json_object_get(data, "betrag")) == 1234.5);
    assert_true(json_is_integer(json_object_get(data, "anzahl")));
    assert_int_equal(json_array_size(json_object_get(data, "themen")), 2);
    assert_true(json_is_true(json_object_get(data, "zustimmung")));
    assert_true(json_is_false(json_object_get(data, "hund")));
    /* Hidden fields are dropped: no dog, private person. */
    assert_null(json_object_get(data, "hundename"));
    assert_null(json_object_get(data, "firma"));
    assert_null(json_object_get(data, "email"));

    /* Step 2 keeps step 1's values; the repeatable group is sent as kinder.<i>.<f>. */
    const char *p2[] = {"beginn=01.05.2026",
                        "ende=30.04.2026",
                        "kinder.0.kname=Max",
                        "kinder.1.kname=",
                        "kinder.2.kname=Moritz",
                        "kinder.2.schule=ja",
                        NULL};
    struct form_upload up = {.field = "kinder.0.urkunde",
                             .name = "urkunde.pdf",
                             .mime = "application/pdf",
                             .size = 800,
                             .sha256 = "00ff"};
    assert_int_equal(form_collect(def, 1, post(p2), &up, 1, data, &errors), 0);
    assert_string_equal(json_string_value(json_object_get(data, "vorname")), "Erika");
    json_t *kinder = json_object_get(data, "kinder");
    assert_int_equal(json_array_size(kinder), 2); /* the empty entry is dropped */
    assert_string_equal(json_string_value(json_object_get(json_array_get(kinder, 1), "kname")),
                        "Moritz");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(kinder, 0), "urkunde"), "name")),
                        "urkunde.pdf");
    /* Errors: the rule at beginn, the school name in entry 1 (after compaction). */
    assert_int_equal(json_array_size(errors), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                        "kinder.1.schulname");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "label")),
                        "Schule (Kind 2)");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "field")),
                        "beginn");
    json_decref(errors);

    /* Sent again without a new upload: the file stays. Bad input stays as typed. */
    const char *p3[] = {"beginn=01.04.2026", "ende=31.04.2026", "kinder.0.kname=Max", NULL};
    assert_int_equal(form_collect(def, 1, post(p3), NULL, 0, data, &errors), 0);
    assert_string_equal(json_string_value(json_object_get(data, "ende")), "31.04.2026");
    assert_non_null(json_object_get(json_array_get(json_object_get(data, "kinder"), 0), "urkunde"));
    assert_int_equal(json_array_size(errors), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                        "ende");
    json_decref(errors);

    /* The add and remove buttons. */
    const char *p4[] = {"kinder.0.kname=Max", FORM_ADD_BUTTON "=kinder", NULL};
    assert_int_equal(form_collect(def, 1, post(p4), NULL, 0, data, &errors), 0);
    json_decref(errors);
    assert_int_equal(json_array_size(json_object_get(data, "kinder")), 2);
    const char *p5[] = {"kinder.0.kname=Max", "kinder.1.kname=Lisa", FORM_REMOVE_BUTTON "=kinder.0",
                        NULL};
    assert_int_equal(form_collect(def, 1, post(p5), NULL, 0, data, &errors), 0);
    json_decref(errors);
    kinder = json_object_get(data, "kinder");
    assert_int_equal(json_array_size(kinder), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(kinder, 0), "kname")),
                        "Lisa");

    /* Remove names the entry as shown, even when an empty one before it closes up. */
    const char *p6[] = {"kinder.0.kname=Max",           "kinder.1.kname=",
                        "kinder.2.kname=Paul",          "kinder.3.kname=Lena",
                        FORM_REMOVE_BUTTON "=kinder.2", NULL};
    assert_int_equal(form_collect(def, 1, post(p6), NULL, 0, data, &errors), 0);
    json_decref(errors);
    kinder = json_object_get(data, "kinder");
    assert_int_equal(json_array_size(kinder), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(kinder, 1), "kname")),
                        "Lena");

    /* Step out of range. */
    assert_int_equal(form_collect(def, 2, post(p5), NULL, 0, data, &errors), ERR_INVALID);
    assert_int_equal(form_collect(def, -2, post(p5), NULL, 0, data, &errors), ERR_INVALID);
    json_decref(data);
}

static void test_collect_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        double want; /* NAN-free: -1e99 = not a number */
    } CASES[] = {
        {"12", 12},
        {"12,5", 12.5},
        {"12.5", 12.5},
        {"1.234,56", 1234.56},
        {"1,234.5", 1234.5},
        {"-3", -3},
        {" 7 ", 7},
        {"1.234.567", 1234567},
        {"abc", -1e99},
        {"1,2,3", -1e99},
        {"12,5.3", -1e99},
        {"1e5", -1e99},
        {",", -1e99},
        {"--1", -1e99},
        /* German thousands: a point before exactly three digits; a euro sign after. */
        {"250.000", 250000},
        {"250.000 €", 250000},
        {"12,50€", 12.5},
        {"0.125", 0.125},
        {"-1.500", -1500},
        {"1.5", 1.5},
        {"12.50", 12.5},
        {"€", -1e99},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        json_t *data = json_object(), *errors = NULL;
        char pair[64];
        snprintf(pair, sizeof pair, "betrag=%s", CASES[i].in);
        const char *p[] = {pair, NULL};
        assert_int_equal(form_collect(def, 0, post(p), NULL, 0, data, &errors), 0);
        json_t *v = json_object_get(data, "betrag");
        if (CASES[i].want == -1e99) {
            if (!json_is_string(v))
                fail_msg("%s: should stay text", CASES[i].in);
            assert_non_null(strstr(
                json_string_value(json_object_get(json_array_get(errors, 1), "message")), "Zahl"));
        } else {
            if (!json_is_number(v) || json_number_value(v) != CASES[i].want)
                fail_msg("%s: got %g", CASES[i].in, json_number_value(v));
        }
        json_decref(errors);
        json_decref(data);
    }
}

/* Patterns written with their own anchors work as well. */
static void test_pattern_anchors(void **state)
{
    (void)state;
    struct form_def *d = parse_ok(one_field(
        "{\"id\": \"a\", \"type\": \"text\", \"label\": \"A\", \"pattern\": \"^[^0-9]*$\"}, "
        "{\"id\": \"b\", \"type\": \"text\", \"label\": \"B\", \"pattern\": \"ab|cd\"}"));
    json_t *e = errors_of(d, "{\"a\": \"ohne\", \"b\": \"cd\"}");
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    e = errors_of(d, "{\"a\": \"mit 1\", \"b\": \"abcd\"}");
    assert_int_equal(json_array_size(e), 2);
    json_decref(e);
    form_def_free(d);
}

/* Rules inside a repeatable group apply per entry; required_if with "in". */
static void test_rules_in_entries(void **state)
{
    (void)state;
    struct form_def *d = parse_ok(
        "{\"steps\": [{\"title\": \"S\", \"groups\": ["
        " {\"legend\": \"Art\", \"fields\": [{\"id\": \"art\", \"type\": \"radio\", \"label\": "
        "  \"Art\", \"options\": [\"a\", \"b\", \"c\"]}, {\"id\": \"grund\", \"type\": \"text\", "
        "  \"label\": \"Grund\"}]},"
        " {\"id\": \"zeiten\", \"legend\": \"Zeiten\", \"repeat\": {\"max\": 4}, \"fields\": ["
        "  {\"id\": \"von\", \"type\": \"date\", \"label\": \"Von\"},"
        "  {\"id\": \"bis\", \"type\": \"date\", \"label\": \"Bis\"}]}]}],"
        " \"rules\": [{\"type\": \"before\", \"a\": \"von\", \"b\": \"bis\"},"
        "  {\"type\": \"required_if\", \"a\": \"grund\", \"b\": \"art\", \"in\": [\"b\", \"c\"],"
        "   \"message\": \"Bitte nennen Sie einen Grund.\"}]}");
    json_t *e =
        errors_of(d, "{\"art\": \"c\", \"zeiten\": [{\"von\": \"2026-01-01\", \"bis\": "
                     "\"2026-02-01\"}, {\"von\": \"2026-03-01\", \"bis\": \"2026-02-01\"}]}");
    assert_int_equal(json_array_size(e), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "field")),
                        "zeiten.1.von");
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "message")),
                        "„Von“ muss vor „Bis“ liegen.");
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "message")),
                        "Bitte nennen Sie einen Grund.");
    json_decref(e);
    e = errors_of(d, "{\"art\": \"a\"}");
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    /* Scope: a field outside may not read a field inside a repeatable group. */
    const char *m = parse_bad(
        "{\"steps\": [{\"title\": \"S\", \"groups\": ["
        " {\"id\": \"r\", \"legend\": \"R\", \"repeat\": {}, \"fields\": [{\"id\": \"x\", "
        "  \"type\": \"yesno\", \"label\": \"X\"}]},"
        " {\"legend\": \"G\", \"fields\": [{\"id\": \"y\", \"type\": \"text\", \"label\": \"Y\", "
        "  \"show_if\": {\"field\": \"x\", \"equals\": true}}]}]}]}");
    assert_non_null(strstr(m, "wiederholbaren Gruppe"));
    form_def_free(d);
}

static void test_def_helpers(void **state)
{
    (void)state;
    assert_int_equal(form_def_steps(def), 2);
    assert_int_equal(form_def_fields(def), 25);
    assert_false(form_def_step_has_files(def, 0));
    assert_true(form_def_step_has_files(def, 1));
    assert_true(form_def_step_has_files(def, -1));
    assert_false(form_def_step_has_files(def, 2));
    assert_int_equal(form_def_field_step(def, "vorname"), 0);
    assert_int_equal(form_def_field_step(def, "beginn"), 1);
    assert_int_equal(form_def_field_step(def, "kinder"), 1);
    assert_int_equal(form_def_field_step(def, "kinder.2.kname"), 1);
    assert_int_equal(form_def_field_step(def, "kinder.2.vorname"), -1);
    assert_int_equal(form_def_field_step(def, "kname"), -1);
    assert_int_equal(form_def_field_step(def, "nix"), -1);
    assert_int_equal(form_def_field_step(def, ""), -1);
}

/* Two fields with the same label are told apart by their group's legend. */
static void test_ambiguous_labels(void **state)
{
    (void)state;
    struct form_def *d = parse_ok(
        "{\"steps\": [{\"title\": \"S\", \"groups\": ["
        " {\"legend\": \"Ihre Anschrift\", \"fields\": [{\"id\": \"strasse\", \"type\": "
        "  \"text\", \"label\": \"Straße\", \"required\": true}]},"
        " {\"legend\": \"Baugrundstück\", \"fields\": [{\"id\": \"bau_strasse\", \"type\": "
        "  \"text\", \"label\": \"Straße\", \"required\": true}, {\"id\": \"flur\", "
        "  \"type\": \"text\", \"label\": \"Flur\"}]}]}]}");
    json_t *e = errors_of(d, "{}");
    assert_int_equal(json_array_size(e), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "label")),
                        "Straße (Baugrundstück)");
    struct str out;
    str_init(&out, 0);
    assert_int_equal(form_render_errors(e, &out), 0);
    assert_non_null(strstr(out.buf, "<a href=\"#bau_strasse\">Straße (Baugrundstück): Bitte geben "
                                    "Sie „Straße“ an.</a>"));
    str_release(&out);
    json_decref(e);
    json_t *data = json_pack("{s:s, s:s, s:s}", "strasse", "A", "bau_strasse", "B", "flur", "3");
    json_t *sum = NULL;
    assert_int_equal(form_summary(d, data, &sum), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sum, 0), "label")),
                        "Straße (Ihre Anschrift)");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sum, 2), "label")),
                        "Flur");
    json_decref(sum);
    json_decref(data);
    form_def_free(d);
}

static void test_validate_not_object(void **state)
{
    (void)state;
    json_t *arr = json_array(), *e = NULL;
    assert_int_equal(form_validate(def, arr, &e), 0);
    assert_int_equal(json_array_size(e), 1);
    json_decref(e);
    json_decref(arr);
    /* A repeatable group that is not a list. */
    assert_non_null(err_at(valid("\"kinder\": {\"kname\": \"x\"}"), "kinder"));
    assert_non_null(err_at(valid("\"kinder\": [1]"), "kinder"));
}

/* A hidden repeatable group is dropped by collect; add stops at max. */
static void test_collect_hidden_group(void **state)
{
    (void)state;
    struct form_def *d = parse_ok(
        "{\"steps\": [{\"title\": \"S\", \"groups\": ["
        " {\"legend\": \"Frage\", \"fields\": [{\"id\": \"kinder_da\", \"type\": \"yesno\", "
        "  \"label\": \"Haben Sie Kinder?\"}]},"
        " {\"id\": \"kinder\", \"legend\": \"Kinder\", \"repeat\": {\"min\": 1, \"max\": 2, "
        "  \"item\": \"Kind\"}, \"show_if\": {\"field\": \"kinder_da\", \"equals\": true}, "
        "  \"fields\": [{\"id\": \"name\", \"type\": \"text\", \"label\": \"Name\", "
        "  \"required\": true}]}]}]}");
    json_t *data = json_object(), *errors = NULL;
    const char *p1[] = {"kinder_da=nein", "kinder.0.name=Max", NULL};
    assert_int_equal(form_collect(d, 0, post(p1), NULL, 0, data, &errors), 0);
    assert_int_equal(json_array_size(errors), 0);
    assert_null(json_object_get(data, "kinder"));
    json_decref(errors);
    const char *p2[] = {"kinder_da=ja", "kinder.0.name=Max", "kinder.1.name=Moritz",
                        FORM_ADD_BUTTON "=kinder", NULL};
    assert_int_equal(form_collect(d, 0, post(p2), NULL, 0, data, &errors), 0);
    assert_int_equal(json_array_size(json_object_get(data, "kinder")), 2); /* max 2 */
    json_decref(errors);
    /* Two entries, min 1: each has a remove button; at max no add button. */
    struct str out;
    str_init(&out, 0);
    assert_int_equal(form_render_step(d, 0, data, NULL, &out), 0);
    assert_non_null(strstr(out.buf, "name=\"" FORM_REMOVE_BUTTON "\" value=\"kinder.1\""));
    assert_null(strstr(out.buf, FORM_ADD_BUTTON));
    assert_non_null(strstr(out.buf, "Nur ausfüllen, wenn Sie bei „Haben Sie Kinder?“ „Ja“"));
    str_release(&out);
    /* With nothing sent the group has min entries, each empty: errors at the field. */
    const char *p3[] = {"kinder_da=ja", NULL};
    assert_int_equal(form_collect(d, 0, post(p3), NULL, 0, data, &errors), 0);
    assert_int_equal(json_array_size(json_object_get(data, "kinder")), 1);
    assert_int_equal(json_array_size(errors), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                        "kinder.0.name");
    json_decref(errors);
    json_decref(data);
    form_def_free(d);
}

/* Uploads: a wrong type is reported and named; a field of another step is ignored. */
static void test_collect_upload(void **state)
{
    (void)state;
    json_t *data = json_object(), *errors = NULL;
    const char *p[] = {"kinder.0.kname=Max", NULL};
    struct form_upload up[2] = {
        {.field = "kinder.0.urkunde",
         .name = "bild.png",
         .mime = "image/png",
         .size = 10,
         .sha256 = "aa"},
        {.field = "vorname", .name = "x.pdf", .mime = "application/pdf", .size = 1, .sha256 = "bb"},
    };
    assert_int_equal(form_collect(def, 1, post(p), up, 2, data, &errors), 0);
    assert_int_equal(json_array_size(errors), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "message")),
                        "Die Datei „bild.png“ hat ein Format, das hier nicht erlaubt ist. "
                        "Erlaubt: PDF.");
    assert_null(json_object_get(data, "vorname"));
    json_decref(errors);
    json_decref(data);
}

/* ---- rendering ------------------------------------------------------------------------ */

static void test_render(void **state)
{
    (void)state;
    json_t *data =
        json_pack("{s:s, s:s, s:b, s:[{s:s}]}", "vorname", "<script>alert(1)</script>", "iban",
                  "DE89370400440532013000", "hund", 1, "kinder", "kname", "\"Max\" & 'Moritz'");
    json_t *errors = json_pack("[{s:s, s:s, s:s}]", "field", "vorname", "label", "Vorname",
                               "message", "Bitte <b>ohne</b> Ziffern.");
    struct str out;
    str_init(&out, 0);
    assert_int_equal(form_render_step(def, 0, data, errors, &out), 0);
    assert_null(strstr(out.buf, "<script>"));
    assert_null(strstr(out.buf, "<b>"));
    assert_non_null(strstr(out.buf, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(out.buf, "<label for=\"vorname\">Vorname <span class=\"pflicht\">"
                                    "(Pflichtfeld)</span></label>"));
    assert_non_null(strstr(out.buf, "aria-describedby=\"vorname-hilfe vorname-fehler\" "
                                    "aria-invalid=\"true\" aria-required=\"true\""));
    assert_non_null(strstr(out.buf, "id=\"vorname-fehler\""));
    assert_non_null(strstr(out.buf, "autocomplete=\"given-name\""));
    assert_null(strstr(out.buf, "autocomplete=\"email\"")); /* only where the author says so */
    assert_non_null(strstr(out.buf, "value=\"DE89 3704 0044 0532 0130 00\""));
    assert_non_null(strstr(out.buf, "<fieldset class=\"gruppe\" id=\"name\">\n<legend>Ihr Name"));
    /* Radio groups as nested fieldsets; yes/no checked from the data. */
    assert_non_null(strstr(out.buf, "<legend>Farbe</legend>"));
    assert_non_null(strstr(out.buf, "id=\"hund\" name=\"hund\" value=\"ja\" checked"));
    assert_non_null(strstr(out.buf, "Nur ausfüllen, wenn Sie bei „Haben Sie einen Hund?“ „Ja“ "
                                    "angegeben haben."));
    assert_non_null(strstr(out.buf, "Nur ausfüllen, wenn Sie bei „Art“ „Gewerblich“ angegeben "
                                    "haben."));
    /* Every <input id=…> has a <label for=…>. */
    for (const char *p = strstr(out.buf, "<input"); p; p = strstr(p + 1, "<input")) {
        const char *id = strstr(p, " id=\"");
        assert_non_null(id);
        char want[128];
        const char *end = strchr(id + 5, '"');
        snprintf(want, sizeof want, "<label for=\"%.*s\">", (int)(end - id - 5), id + 5);
        if (!strstr(out.buf, want))
            fail_msg("no %s", want);
    }

    str_reset(&out);
    assert_int_equal(form_render_step(def, 1, data, NULL, &out), 0);
    assert_non_null(strstr(out.buf, "name=\"kinder.0.kname\" value=\"&quot;Max&quot; &amp; "
                                    "&#39;Moritz&#39;\""));
    assert_non_null(strstr(out.buf, "name=\"" FORM_ADD_BUTTON "\" value=\"kinder\""));
    assert_non_null(strstr(out.buf, "Weiteren Eintrag hinzufügen"));
    assert_null(strstr(out.buf, FORM_REMOVE_BUTTON)); /* one entry, min 1 */
    assert_int_equal(form_render_step(def, 2, data, NULL, &out), ERR_INVALID);

    str_reset(&out);
    assert_int_equal(form_render_errors(errors, &out), 0);
    assert_non_null(strstr(out.buf, "role=\"alert\" tabindex=\"-1\""));
    assert_non_null(strstr(out.buf, "<a href=\"#vorname\">Vorname: Bitte &lt;b&gt;ohne"));
    str_reset(&out);
    json_t *none = json_array();
    assert_int_equal(form_render_errors(none, &out), 0);
    assert_int_equal(out.len, 0);
    json_decref(none);

    str_reset(&out);
    assert_int_equal(form_render_review(def, data, &out), 0);
    assert_non_null(strstr(out.buf, "<h2>Angaben zur Person</h2>"));
    assert_non_null(strstr(out.buf, "<dt>IBAN</dt>\n<dd>DE89 3704 0044 0532 0130 00</dd>"));
    assert_non_null(
        strstr(out.buf,
               "<h3>Kinder</h3>\n<h4>Kind 1</h4>\n<dl class=\"daten\">\n<dt>Name des Kindes</dt>"));
    assert_non_null(strstr(out.buf, "<h3>Ihr Name</h3>"));
    assert_null(strstr(out.buf, "<script>"));
    str_release(&out);
    json_decref(errors);
    json_decref(data);
}

static void test_summary(void **state)
{
    (void)state;
    json_t *data = json_loads(
        "{\"vorname\": \"Erika\", \"geburt\": \"2000-02-29\", \"iban\": "
        "\"DE89370400440532013000\", \"betrag\": 1234567.25, \"art\": \"gewerbe\", \"hund\": false, "
        "\"hundename\": \"versteckt\", \"themen\": [\"a\", \"c\"], \"kinder\": [{\"kname\": "
        "\"Max\", \"urkunde\": {\"name\": \"u.pdf\", \"mime\": \"application/pdf\", \"size\": "
        "2048, \"sha256\": \"ab\"}}]}",
        0, NULL);
    json_t *sum = NULL;
    assert_int_equal(form_summary(def, data, &sum), 0);
    char *text = json_dumps(sum, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(sum);
    json_decref(data);
    const char *want[] = {
        "{\"step\":\"Angaben zur Person\",\"label\":\"Vorname\",\"value\":\"Erika\"}",
        "\"label\":\"Geburtsdatum\",\"value\":\"29.02.2000\"",
        "\"label\":\"IBAN\",\"value\":\"DE89 3704 0044 0532 0130 00\"",
        "\"label\":\"Betrag\",\"value\":\"1.234.567,25\"",
        "\"label\":\"Art\",\"value\":\"Gewerblich\"",
        "\"value\":\"nein\"",
        "\"label\":\"Themen\",\"value\":\"a, c\"",
        "{\"step\":\"Zeitraum\",\"label\":\"Name des Kindes (Kind 1)\",\"value\":\"Max\"}",
        "\"label\":\"Geburtsurkunde (Kind 1)\",\"value\":\"u.pdf (2 KB)\"",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("missing %s in %s", want[i], text);
    assert_null(strstr(text, "versteckt")); /* hidden by show_if */
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iban),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_postcode),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_number_text),
        cmocka_unit_test(test_pattern_and_length),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_checkbox_and_required),
        cmocka_unit_test(test_repeat),
        cmocka_unit_test(test_show_if),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_bad_definitions),
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_collect_numbers),
        cmocka_unit_test(test_pattern_anchors),
        cmocka_unit_test(test_rules_in_entries),
        cmocka_unit_test(test_def_helpers),
        cmocka_unit_test(test_ambiguous_labels),
        cmocka_unit_test(test_validate_not_object),
        cmocka_unit_test(test_collect_hidden_group),
        cmocka_unit_test(test_collect_upload),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
