/* Unit tests of task forms: reading the rathaus and the Camunda format,
 * deploy-time refusals of faulty definitions with element id and reason,
 * typing and German errors of submitted values, and a completed form whose
 * values drive an exclusive gateway (a wrong value changes nothing). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "records/records.h"
#include "web/web.h"
#include "workflow/bpmn.h"
#include "workflow/deploy.h"
#include "workflow/engine.h"
#include "workflow/taskform.h"

#include "fixture.h"

static const struct rec_actor AMT32 = {"amt32", 32, WEB_ROLE_CASEWORKER, false};

#define HEAD                                                                                       \
    "<?xml version='1.0' encoding='UTF-8'?>"                                                       \
    "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'"                   \
    " xmlns:rathaus='urn:rathaus:bpmn' xmlns:camunda='http://camunda.org/schema/1.0/bpmn'"         \
    " id='D' targetNamespace='urn:test'><bpmn:process id='P' isExecutable='true'>"
#define TAIL "</bpmn:process></bpmn:definitions>"
#define FLOW(id, a, b) "<bpmn:sequenceFlow id='" id "' sourceRef='" a "' targetRef='" b "'/>"

#define PRUEFEN                                                                                    \
    "<bpmn:userTask id='pruefen' name='Antrag prüfen' rathaus:unit='32'>"                         \
    "<bpmn:extensionElements><rathaus:form>"                                                       \
    "<rathaus:field id='entscheidung' type='select' label='Entscheidung' required='true'>"         \
    "<rathaus:option value='genehmigt' label='Genehmigen'/>"                                       \
    "<rathaus:option value='abgelehnt' label='Ablehnen'/></rathaus:field>"                         \
    "<rathaus:field id='begruendung' type='textarea' label='Begründung' help='kurz'/>"            \
    "<rathaus:field id='betrag' type='number' label='Betrag'/>"                                    \
    "<rathaus:field id='ab' type='date' label='Gültig ab'/>"                                      \
    "<rathaus:field id='eilig' type='yesno' label='Eilig?'/>"                                      \
    "</rathaus:form></bpmn:extensionElements></bpmn:userTask>"

/* The first flow node of a parsed model. */
static struct bpmn_model *parse(const char *xml)
{
    struct bpmn_model *m = NULL;
    assert_int_equal(bpmn_parse(xml, strlen(xml), "t.bpmn", &m, NULL), 0);
    return m;
}

static void test_read_rathaus(void **state)
{
    (void)state;
    struct bpmn_model *m = parse(HEAD "<bpmn:startEvent id='s'/>" PRUEFEN TAIL);
    json_t *problems = json_array(), *fields = NULL;
    assert_int_equal(wf_form_read(bpmn_find_node(m, "pruefen"), problems, &fields), 0);
    assert_int_equal(json_array_size(problems), 0);
    assert_int_equal(json_array_size(fields), 5);
    json_t *f0 = json_array_get(fields, 0);
    assert_string_equal(json_string_value(json_object_get(f0, "type")), "select");
    assert_true(json_is_true(json_object_get(f0, "required")));
    assert_int_equal(json_array_size(json_object_get(f0, "options")), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 1), "help")),
                        "kurz");

    /* Typing: number with a German comma, a German date, yes/no. */
    json_t *vars = json_object(), *errors = NULL;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "entscheidung", "genehmigt", "betrag",
                           "12,5", "ab", "01.03.2027", "eilig", "ja", "begruendung", "");
    assert_int_equal(wf_form_apply(fields, in, vars, &errors), 0);
    assert_null(errors);
    assert_true(json_is_real(json_object_get(vars, "betrag")));
    assert_true(json_real_value(json_object_get(vars, "betrag")) == 12.5);
    assert_string_equal(json_string_value(json_object_get(vars, "ab")), "2027-03-01");
    assert_true(json_is_true(json_object_get(vars, "eilig")));
    assert_null(json_object_get(vars, "begruendung")); /* empty and optional: not set */
    json_decref(in);
    in = json_pack("{s:s}", "entscheidung", "abgelehnt");
    json_object_set_new(in, "betrag", json_string("7"));
    assert_int_equal(wf_form_apply(fields, in, vars, NULL), 0);
    assert_true(json_is_integer(json_object_get(vars, "betrag")));
    json_decref(in);

    /* Wrong values: every field named, nothing set. */
    json_t *before = json_deep_copy(vars);
    in = json_pack("{s:s, s:s, s:s, s:s}", "entscheidung", "vielleicht", "betrag", "zwölf", "ab",
                   "31.02.2027", "eilig", "egal");
    assert_int_equal(wf_form_apply(fields, in, vars, &errors), ERR_INVALID);
    assert_non_null(errors);
    assert_int_equal(json_object_size(errors), 4);
    assert_non_null(strstr(json_string_value(json_object_get(errors, "betrag")), "Zahl"));
    assert_non_null(strstr(json_string_value(json_object_get(errors, "ab")), "Datum"));
    assert_true(json_equal(vars, before));
    json_decref(errors);
    json_decref(in);
    /* A missing required value. */
    in = json_object();
    errors = NULL;
    assert_int_equal(wf_form_apply(fields, in, vars, &errors), ERR_INVALID);
    assert_string_equal(json_string_value(json_object_get(errors, "entscheidung")),
                        "Bitte eine Auswahl treffen.");
    json_decref(errors);
    json_decref(in);
    json_decref(before);
    json_decref(vars);
    json_decref(fields);
    json_decref(problems);
    bpmn_free(m);
}

static void test_read_camunda(void **state)
{
    (void)state;
    struct bpmn_model *m = parse(
        HEAD "<bpmn:userTask id='t' name='T'><bpmn:extensionElements><camunda:formData>"
             "<camunda:formField id='ok' label='In Ordnung?' type='boolean'>"
             "<camunda:validation><camunda:constraint name='required'/></camunda:validation>"
             "</camunda:formField>"
             "<camunda:formField id='art' label='Art' type='enum'>"
             "<camunda:value id='a' name='Erstantrag'/><camunda:value id='b' name='Verlängerung'/>"
             "</camunda:formField>"
             "<camunda:formField id='anzahl' label='Anzahl' type='long'/>"
             "<camunda:formField id='notiz' type='string'/>"
             "</camunda:formData></bpmn:extensionElements></bpmn:userTask>" TAIL);
    json_t *problems = json_array(), *fields = NULL;
    assert_int_equal(wf_form_read(bpmn_find_node(m, "t"), problems, &fields), 0);
    assert_int_equal(json_array_size(problems), 0);
    assert_int_equal(json_array_size(fields), 4);
    const char *want[][2] = {
        {"ok", "yesno"}, {"art", "select"}, {"anzahl", "number"}, {"notiz", "text"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *f = json_array_get(fields, i);
        assert_string_equal(json_string_value(json_object_get(f, "id")), want[i][0]);
        assert_string_equal(json_string_value(json_object_get(f, "type")), want[i][1]);
    }
    assert_true(json_is_true(json_object_get(json_array_get(fields, 0), "required")));
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_array_get(fields, 1), "options"), 1), "label")),
        "Verlängerung");
    /* a field without label shows its id */
    assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 3), "label")),
                        "notiz");
    json_decref(fields);
    json_decref(problems);
    bpmn_free(m);
}

/* Deploy refuses faulty form definitions, naming the task and the fault. */
static void test_deploy_refusals(void **state)
{
    struct fx *f = *state;
    const char *xml =
        HEAD "<bpmn:startEvent id='s'/>"
             "<bpmn:userTask id='t1' rathaus:unit='32'><bpmn:extensionElements><rathaus:form>"
             "<rathaus:field id='x' type='farbe' label='X'/>"
             "<rathaus:field id='2x' type='text' label='Y'/>"
             "<rathaus:field id='a' type='select' label='A'/>"
             "<rathaus:field id='b' type='text'/>"
             "<rathaus:field id='c' type='text' label='C'/><rathaus:field id='c' type='text' "
             "label='C'/>"
             "<rathaus:field id='d' type='text' label='D' required='ja'/>"
             "</rathaus:form></bpmn:extensionElements></bpmn:userTask>"
             "<bpmn:serviceTask id='t2' rathaus:action='notify'><bpmn:extensionElements>"
             "<rathaus:form><rathaus:field id='e' type='text' label='E'/></rathaus:form>"
             "</bpmn:extensionElements></bpmn:serviceTask>"
             "<bpmn:userTask id='t3' rathaus:unit='32'><bpmn:extensionElements>"
             "<camunda:formData><camunda:formField id='k' label='K' type='custom'/>"
             "</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
             "<bpmn:endEvent id='e'/>" FLOW("f1", "s", "t1") FLOW("f2", "t1", "t2")
                 FLOW("f3", "t2", "t3") FLOW("f4", "t3", "e") TAIL;
    struct wf_deployment d;
    json_t *problems = NULL;
    struct str err;
    str_init(&err, 4096);
    assert_int_equal(wf_deploy(f->s, "test", xml, strlen(xml), "t.bpmn", "k", &d, &problems, &err),
                     ERR_INVALID);
    str_release(&err);
    char *dump = json_dumps(problems, 0);
    const char *want[] = {
        "\"t1\", \"reason\": \"Formularfeld „x“: unbekannter Typ „farbe“",
        "\"t1\", \"reason\": \"id eines Formularfelds muss mit einem Buchstaben beginnen: 2x",
        "\"t1\", \"reason\": \"Auswahlfeld „a“ ohne Optionen",
        "\"t1\", \"reason\": \"Formularfeld „b“ ohne Beschriftung",
        "\"t1\", \"reason\": \"Formularfeld „c“ ist doppelt",
        "\"t1\", \"reason\": \"Formularfeld „d“: required muss true oder false sein",
        "\"t2\", \"reason\": \"Formulare nur an Benutzeraufgaben",
        "\"t3\", \"reason\": \"Formularfeld „k“: Camunda-Typ „custom“ wird nicht unterstützt",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(dump, want[i]))
            fail_msg("missing %s in %s", want[i], dump);
    free(dump);
    json_decref(problems);
}

/* A form completed through the engine: wrong values change nothing, right
 * ones are typed into the case data and decide the gateway. */
static void test_engine(void **state)
{
    struct fx *f = *state;
    const char *xml = HEAD
        "<bpmn:startEvent id='s'/>" PRUEFEN "<bpmn:exclusiveGateway id='g' default='nein'/>"
        "<bpmn:userTask id='ja_task' rathaus:unit='32'/>"
        "<bpmn:userTask id='nein_task' rathaus:unit='32'/>"
        "<bpmn:endEvent id='e1'/><bpmn:endEvent id='e2'/>" FLOW("f1", "s", "pruefen") FLOW(
            "f2", "pruefen",
            "g") "<bpmn:sequenceFlow id='ja' sourceRef='g' targetRef='ja_task'>"
                 "<bpmn:conditionExpression>entscheidung == 'genehmigt' and betrag &gt;= 10"
                 "</bpmn:conditionExpression></bpmn:sequenceFlow>" FLOW("nein", "g", "nein_task")
                     FLOW("f3", "ja_task", "e1") FLOW("f4", "nein_task", "e2") TAIL;
    struct wf_deployment d;
    json_t *problems = NULL;
    assert_int_equal(wf_deploy(f->s, "test", xml, strlen(xml), "t.bpmn", "k", &d, &problems, NULL),
                     0);
    struct rec_actor a = rec_actor_system("test");
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    assert_int_equal(rec_file_create(f->s, &a, "32.30.01", 32, "Fest", "Muster", fref, NULL, NULL),
                     0);
    assert_int_equal(rec_case_create(f->s, &a, fref, "Antrag", NULL, cref, NULL), 0);
    int64_t id;
    assert_int_equal(wf_start(f->s, "test", "k", cref, NULL, &id), 0);
    json_t *o = NULL;
    assert_int_equal(wf_instance_get(f->s, id, &o), 0);
    int64_t task =
        json_integer_value(json_object_get(json_array_get(json_object_get(o, "tasks"), 0), "id"));
    json_decref(o);

    json_t *in = json_pack("{s:s, s:s}", "entscheidung", "genehmigt", "betrag", "viel");
    json_t *errors = NULL;
    assert_int_equal(wf_task_complete(f->s, &AMT32, task, in, &errors), ERR_INVALID);
    assert_non_null(json_object_get(errors, "betrag"));
    json_decref(errors);
    json_decref(in);
    assert_int_equal(wf_instance_get(f->s, id, &o), 0);
    json_t *t0 = json_array_get(json_object_get(o, "tasks"), 0);
    assert_string_equal(json_string_value(json_object_get(t0, "state")), "open");
    assert_int_equal(json_object_size(json_object_get(o, "vars")), 0);
    json_decref(o);

    in = json_pack("{s:s, s:s, s:s}", "entscheidung", "genehmigt", "betrag", "10,0", "bemerkung",
                   "ok");
    assert_int_equal(wf_task_complete(f->s, &AMT32, task, in, NULL), 0);
    json_decref(in);
    assert_int_equal(wf_instance_get(f->s, id, &o), 0);
    json_t *vars = json_object_get(o, "vars");
    assert_true(json_is_real(json_object_get(vars, "betrag")));
    assert_string_equal(json_string_value(json_object_get(vars, "bemerkung")), "ok");
    json_t *t1 = json_array_get(json_object_get(o, "tasks"), 1);
    assert_string_equal(json_string_value(json_object_get(t1, "node")), "ja_task");
    json_decref(o);
}

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("wfform", &f))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_rathaus),
        cmocka_unit_test(test_read_camunda),
        cmocka_unit_test_setup_teardown(test_deploy_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
