/* Unit tests of the built-in actions render_notice, file_document and
 * notify: the documents they file into the case (a PDF notice with the
 * case's values, the case data as text), the message for the applicant, the
 * journal entries in the same transaction, deploy refusals of unknown
 * templates and kinds, and the public message API. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fontconfig/fontconfig.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records/records.h"
#include "store/journal.h"
#include "workflow/deploy.h"
#include "workflow/engine.h"
#include "workflow/messages.h"

#include "fixture.h"

#define HEAD                                                                                       \
    "<?xml version='1.0' encoding='UTF-8'?>"                                                       \
    "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'"                   \
    " xmlns:rathaus='urn:rathaus:bpmn' id='D' targetNamespace='urn:test'>"                         \
    "<bpmn:process id='P' isExecutable='true'>"
#define TAIL "</bpmn:process></bpmn:definitions>"
#define FLOW(id, a, b) "<bpmn:sequenceFlow id='" id "' sourceRef='" a "' targetRef='" b "'/>"

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("wfact", &f))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    struct store_conn *c;
    int64_t n = 0, bad = 0;
    struct str msg;
    str_init(&msg, 4096);
    int rc = store_get(f->s, &c);
    if (!rc) {
        rc = journal_verify(c, &n, &bad, &msg);
        store_put(f->s, c);
    }
    str_release(&msg);
    fx_close(f);
    return rc ? -1 : 0;
}

static void make_case(struct fx *f, char cref[REC_REF_MAX])
{
    struct rec_actor a = rec_actor_system("test");
    char fref[REC_REF_MAX];
    assert_int_equal(
        rec_file_create(f->s, &a, "32.30.01", 32, "Straßenfest", "Muster", fref, NULL, NULL), 0);
    assert_int_equal(rec_case_create(f->s, &a, fref, "Antrag", NULL, cref, NULL), 0);
}

static int64_t count(struct fx *f, const char *sql, const char *arg)
{
    struct store_conn *c;
    int64_t n = -1;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_query_int(c, &n, sql, "t", arg), 0);
    store_put(f->s, c);
    return n;
}

static void test_actions(void **state)
{
    struct fx *f = *state;
    const char *xml =
        HEAD "<bpmn:startEvent id='s'/>"
             "<bpmn:serviceTask id='b' rathaus:action='render_notice' rathaus:template='standard'"
             " rathaus:title='Bescheid über die Erlaubnis'/>"
             "<bpmn:serviceTask id='d' rathaus:action='file_document' rathaus:variables='betrag,"
             "genehmigt' rathaus:title='Eckdaten'/>"
             "<bpmn:serviceTask id='n' rathaus:action='notify'"
             " rathaus:text='Bescheid zu {{case}} liegt vor ({{betrag}} Euro).'/>"
             "<bpmn:userTask id='w' rathaus:unit='32'/><bpmn:endEvent id='e'/>" FLOW("f1", "s", "b")
                 FLOW("f2", "b", "d") FLOW("f3", "d", "n") FLOW("f4", "n", "w") FLOW("f5", "w", "e")
                     TAIL;
    struct wf_deployment dep;
    json_t *problems = NULL;
    struct str err;
    str_init(&err, 4096);
    int rc = wf_deploy(f->s, "test", xml, strlen(xml), "t.bpmn", "k", &dep, &problems, &err);
    if (rc)
        fail_msg("%s %s", err.buf, problems ? json_dumps(problems, 0) : "");
    str_release(&err);
    char cref[REC_REF_MAX];
    make_case(f, cref);
    json_t *vars = json_pack("{s:f, s:b, s:s, s:s}", "betrag", 12.5, "genehmigt", 1, "begruendung",
                             "Alle Unterlagen liegen vor.", "geheim", "x");
    int64_t id;
    assert_int_equal(wf_start(f->s, "test", "k", cref, vars, &id), 0);
    json_decref(vars);

    /* Two documents in the case: the notice as PDF (out), the data as text. */
    struct rec_actor a = rec_actor_system("test");
    json_t *k = NULL;
    assert_int_equal(rec_case_get(f->s, &a, cref, &k), 0);
    json_t *docs = json_object_get(k, "documents");
    assert_int_equal(json_array_size(docs), 2);
    json_t *notice = NULL, *data = NULL;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        const char *t = json_string_value(json_object_get(d, "title"));
        if (strcmp(t, "Bescheid über die Erlaubnis") == 0)
            notice = d;
        if (strcmp(t, "Eckdaten") == 0)
            data = d;
    }
    assert_non_null(notice);
    assert_non_null(data);
    assert_string_equal(json_string_value(json_object_get(notice, "direction")), "out");
    json_t *v0 = json_array_get(json_object_get(notice, "versions"), 0);
    assert_string_equal(json_string_value(json_object_get(v0, "mime")), "application/pdf");
    json_t *v1 = json_array_get(json_object_get(data, "versions"), 0);
    assert_string_equal(json_string_value(json_object_get(v1, "mime")), "text/plain");
    int64_t notice_id = json_integer_value(json_object_get(notice, "id"));
    /* The notice reads as the template with the case's values and the
     * letterhead of city and office. */
    {
        struct rec_version_file pf;
        assert_int_equal(
            rec_version_open(f->s, &a, json_integer_value(json_object_get(v0, "id")), false, &pf),
            0);
        char *uri = g_filename_to_uri(pf.path, NULL, NULL);
        PopplerDocument *pd = poppler_document_new_from_file(uri, NULL, NULL);
        g_free(uri);
        assert_non_null(pd);
        PopplerPage *pg = poppler_document_get_page(pd, 0);
        char *text = poppler_page_get_text(pg);
        char *title = poppler_document_get_title(pd);
        assert_string_equal(title, "Bescheid über die Erlaubnis");
        const char *want[] = {"Alle Unterlagen liegen vor.", "Antrag genehmigt: ja", cref, "Amt 32",
                              "Rechtsbehelfsbelehrung"};
        for (size_t w = 0; w < sizeof want / sizeof want[0]; w++)
            if (!strstr(text, want[w]))
                fail_msg("notice lacks %s:\n%s", want[w], text);
        /* the line of a variable the case does not have is left out */
        if (strstr(text, "Entscheidung:"))
            fail_msg("notice has the line of a missing variable:\n%s", text);
        g_free(title);
        g_free(text);
        g_object_unref(pg);
        g_object_unref(pd);
    }
    int64_t data_version = json_integer_value(json_object_get(v1, "id"));
    json_decref(k);

    /* The data document holds only the variables asked for. */
    struct rec_version_file vf;
    assert_int_equal(rec_version_open(f->s, &a, data_version, false, &vf), 0);
    FILE *fp = fopen(vf.path, "rb");
    assert_non_null(fp);
    char buf[4096] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "betrag: 12.5\n"));
    assert_non_null(strstr(buf, "genehmigt: true\n"));
    assert_null(strstr(buf, "geheim"));

    /* The notice's document id is in the case data. */
    json_t *o = NULL;
    assert_int_equal(wf_instance_get(f->s, id, &o), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(o, "vars"), "notice_document")),
        notice_id);
    json_decref(o);

    /* The message for the applicant, with its variables filled in. */
    json_t *msgs = NULL;
    assert_int_equal(wf_messages(f->s, cref, &msgs), 0);
    assert_int_equal(json_array_size(msgs), 1);
    char want[200];
    snprintf(want, sizeof want, "Bescheid zu %s liegt vor (12,5 Euro).", cref);
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "text")), want);
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "kind")),
                        "info");
    json_decref(msgs);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM journal WHERE action = ?", "wf.action"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM journal WHERE action = ?", "wf.notify"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM journal WHERE action = ?", "wf.message"), 1);
}

static void test_messages_api(void **state)
{
    struct fx *f = *state;
    char cref[REC_REF_MAX];
    make_case(f, cref);
    assert_int_equal(wf_message_add(f->s, "amt32", cref, "evidence", "Bitte Meldebescheinigung"),
                     0);
    assert_int_equal(wf_message_add(f->s, "amt32", cref, "info", "Danke"), 0);
    assert_int_equal(wf_message_add(f->s, "amt32", cref, "spam", "x"), ERR_INVALID);
    assert_int_equal(wf_message_add(f->s, "amt32", cref, "info", ""), ERR_INVALID);
    assert_int_equal(wf_message_add(f->s, "amt32", "32.99-2026-0001/1", "info", "x"), ERR_NOTFOUND);
    char *big = malloc(WF_MESSAGE_MAX_TEXT + 2);
    memset(big, 'a', WF_MESSAGE_MAX_TEXT + 1);
    big[WF_MESSAGE_MAX_TEXT + 1] = '\0';
    assert_int_equal(wf_message_add(f->s, "amt32", cref, "info", big), ERR_TOOBIG);
    free(big);
    json_t *msgs = NULL;
    assert_int_equal(wf_messages(f->s, cref, &msgs), 0);
    assert_int_equal(json_array_size(msgs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "kind")),
                        "evidence");
    assert_non_null(json_object_get(json_array_get(msgs, 0), "at"));
    json_decref(msgs);
    assert_int_equal(wf_messages(f->s, "32.99-2026-0001/1", &msgs), 0);
    assert_int_equal(json_array_size(msgs), 0);
    json_decref(msgs);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM journal WHERE action = ?", "wf.message"), 2);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    const char *xml =
        HEAD "<bpmn:startEvent id='s'/>"
             "<bpmn:serviceTask id='b' rathaus:action='render_notice' rathaus:template='fehlt'/>"
             "<bpmn:serviceTask id='c' rathaus:action='render_notice' rathaus:template='../x'/>"
             "<bpmn:serviceTask id='n' rathaus:action='notify' rathaus:kind='brief'/>"
             "<bpmn:serviceTask id='d' rathaus:action='file_document' rathaus:variables='a,,b'/>"
             "<bpmn:endEvent id='e'/>" FLOW("f1", "s", "b") FLOW("f2", "b", "c")
                 FLOW("f3", "c", "n") FLOW("f4", "n", "d") FLOW("f5", "d", "e") TAIL;
    struct wf_deployment dep;
    json_t *problems = NULL;
    assert_int_equal(
        wf_deploy(f->s, "test", xml, strlen(xml), "t.bpmn", "k", &dep, &problems, NULL),
        ERR_INVALID);
    char *dump = json_dumps(problems, 0);
    const char *want[] = {
        "\"b\", \"reason\": \"unbekannte Bescheidvorlage „fehlt“",
        "\"c\", \"reason\": \"unbekannte Bescheidvorlage „../x“",
        "\"n\", \"reason\": \"rathaus:kind „brief“",
        "\"d\", \"reason\": \"rathaus:variables: leerer",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(dump, want[i]))
            fail_msg("missing %s in %s", want[i], dump);
    free(dump);
    json_decref(problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    FcFini(); /* fontconfig's cache is global: freed so leak checkers see no leak */
    return failed;
}
