/* Unit tests of the portal's catalogue: the embedded services load with
 * their forms; broken definitions are refused naming the file and the key;
 * the mirror in the services table counts services online by OZG level and
 * takes a service offline when it leaves the catalogue; a model is deployed
 * once and again only when its bytes change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "portal/portal.h"
#include "web/web.h"

static const char BPMN[] =
    "<?xml version=\"1.0\"?>"
    "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""
    " xmlns:rathaus=\"urn:rathaus:bpmn\" id=\"D\""
    " targetNamespace=\"urn:t\"><bpmn:process id=\"P\" isExecutable=\"true\">"
    "<bpmn:startEvent id=\"S\"/><bpmn:userTask id=\"T\" name=\"Prüfen\" rathaus:unit=\"32\"/>"
    "<bpmn:endEvent id=\"E\"/><bpmn:sequenceFlow id=\"F1\" sourceRef=\"S\" targetRef=\"T\"/>"
    "<bpmn:sequenceFlow id=\"F2\" sourceRef=\"T\" targetRef=\"E\"/></bpmn:process>"
    "</bpmn:definitions>";

#define DEF(slug, extra)                                                                           \
    "{\"slug\":\"" slug "\",\"name\":\"Test " slug "\",\"leika\":\"\",\"topic\":\"T\","            \
    "\"office\":32,\"plan_code\":\"32\",\"file_per\":\"service_year\",\"ozg_level\":3,"            \
    "\"process\":\"services/" slug ".bpmn\"" extra ",\"form\":{\"steps\":[{\"id\":\"s\","          \
    "\"title\":\"Schritt\",\"groups\":[{\"id\":\"g\",\"legend\":\"G\",\"fields\":[{\"id\":\"a\","  \
    "\"type\":\"text\",\"label\":\"A\"}]}]}]}}"

static struct embed_file file(const char *name, const char *text)
{
    return (struct embed_file){name, (const unsigned char *)text, strlen(text)};
}

static void test_embedded_catalogue_loads(void **state)
{
    (void)state;
    struct portal_catalog *cat = NULL;
    struct str why;
    str_init(&why, 4096);
    assert_int_equal(portal_catalog_load(rathaus_data, rathaus_data_count, &cat, &why), 0);
    assert_true(portal_catalog_count(cat) >= 1);
    json_t *list = NULL;
    assert_int_equal(portal_catalog_json(cat, &list), 0);
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        int lvl = (int)json_integer_value(json_object_get(o, "ozg_level"));
        assert_true(lvl == 3 || lvl == 4);
        assert_non_null(json_string_value(json_object_get(o, "slug")));
    }
    json_decref(list);
    portal_catalog_free(cat);
    str_release(&why);
}

static void refused(const char *name, const char *text, const char *needle)
{
    struct embed_file f[] = {file(name, text)};
    struct portal_catalog *cat = NULL;
    struct str why;
    str_init(&why, 4096);
    assert_int_equal(portal_catalog_load(f, 1, &cat, &why), ERR_INVALID);
    assert_null(cat);
    if (!strstr(why.buf, needle))
        fail_msg("„%s“ not in „%s“", needle, why.buf);
    str_release(&why);
}

static void test_bad_definitions_are_refused(void **state)
{
    (void)state;
    refused("services/x.json", DEF("y", ""), "data/services/x.json: „slug“");
    refused("services/x.json", "{\"slug\": ", "data/services/x.json, Zeile 1");
    refused("services/x.json",
            "{\"slug\":\"x\",\"name\":\"X\",\"leika\":\"123\",\"office\":32,\"plan_code\":\"32\","
            "\"file_per\":\"applicant\",\"ozg_level\":3,\"process\":\"p\",\"form\":{}}",
            "„leika“");
    refused("services/x.json",
            "{\"slug\":\"x\",\"name\":\"X\",\"leika\":\"\",\"office\":32,\"plan_code\":\"32\","
            "\"file_per\":\"applicant\",\"ozg_level\":2,\"process\":\"p\",\"form\":{}}",
            "„ozg_level“");
    refused("services/x.json",
            "{\"slug\":\"x\",\"name\":\"X\",\"leika\":\"\",\"office\":32,\"plan_code\":\"32\","
            "\"file_per\":\"jeder\",\"ozg_level\":3,\"process\":\"p\",\"form\":{}}",
            "„file_per“");
    refused("services/x.json",
            "{\"slug\":\"x\",\"name\":\"X\",\"leika\":\"\",\"office\":32,\"plan_code\":\"32\","
            "\"file_per\":\"applicant\",\"ozg_level\":3,\"process\":\"p\",\"form\":{\"steps\":"
            "[{\"id\":\"s\",\"title\":\"S\",\"groups\":[{\"id\":\"g\",\"fields\":[{\"id\":\"a\","
            "\"type\":\"zauberfeld\",\"label\":\"A\"}]}]}]}}",
            "data/services/x.json: Formular:");
}

static void test_mirror_and_deploy(void **state)
{
    (void)state;
    struct fx *fx;
    assert_int_equal(fx_open("portal", &fx), 0);
    struct embed_file two[] = {
        file("bpmn/services/a.bpmn", BPMN),
        file("bpmn/services/b.bpmn", BPMN),
        file("services/a.json", DEF("a", "")),
        file("services/b.json", DEF("b", "")),
    };
    struct portal_catalog *cat = NULL;
    struct str why;
    str_init(&why, 4096);
    assert_int_equal(portal_catalog_load(two, 4, &cat, &why), 0);
    int deployed = -1, online = -1;
    int rc = portal_catalog_sync(fx->s, cat, two, 4, &deployed, &why);
    if (rc)
        fail_msg("sync: %s", why.buf);
    assert_int_equal(deployed, 2);
    assert_int_equal(portal_services_online(fx->s, 3, &online), 0);
    assert_int_equal(online, 2);
    assert_int_equal(portal_services_online(fx->s, 4, &online), 0);
    assert_int_equal(online, 0);
    /* unchanged: nothing deployed again */
    assert_int_equal(portal_catalog_sync(fx->s, cat, two, 4, &deployed, &why), 0);
    assert_int_equal(deployed, 0);
    portal_catalog_free(cat);
    /* b leaves the catalogue, a's model changes, c has no model */
    static const char BPMN2[] = "<!-- v2 -->";
    char changed[sizeof BPMN + sizeof BPMN2];
    memcpy(changed, BPMN, sizeof BPMN - 1);
    memcpy(changed + sizeof BPMN - 1, BPMN2, sizeof BPMN2);
    struct embed_file next[] = {
        file("bpmn/services/a.bpmn", changed),
        file("services/a.json", DEF("a", "")),
        file("services/c.json", DEF("c", "")),
    };
    assert_int_equal(portal_catalog_load(next, 3, &cat, &why), 0);
    str_reset(&why);
    assert_int_equal(portal_catalog_sync(fx->s, cat, next, 3, &deployed, &why), ERR_INVALID);
    assert_non_null(strstr(why.buf, "data/bpmn/services/c.bpmn fehlt"));
    assert_int_equal(deployed, 1);
    assert_int_equal(portal_services_online(fx->s, 3, &online), 0);
    assert_int_equal(online, 2); /* a and c; b offline */
    portal_catalog_free(cat);
    str_release(&why);
    fx_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_catalogue_loads),
        cmocka_unit_test(test_bad_definitions_are_refused),
        cmocka_unit_test(test_mirror_and_deploy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
