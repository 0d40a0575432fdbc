/* Unit tests of the workflow engine on a real data directory: deploy-time
 * refusals naming element ids, and execution of every supported element:
 * sequence, exclusive gateway by case data, parallel fork/join (the shipped
 * Mitzeichnung model), boundary timers interrupting and not, intermediate
 * timers under a moved clock, embedded subprocesses, the close_case action,
 * task claim/complete rules (completing twice completes once). Every test
 * ends with an intact journal chain. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fontconfig/fontconfig.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/rtime.h"
#include "records/records.h"
#include "store/journal.h"
#include "store/store.h"
#include "web/web.h"
#include "workflow/deploy.h"
#include "workflow/engine.h"

#include "fixture.h"

/* Caseworkers of office 32 and 20, a Leitung of office 63, an Admin of 10. */
static const struct rec_actor ANNA = {"anna", 32, WEB_ROLE_CASEWORKER, false};
static const struct rec_actor BERND = {"bernd", 32, WEB_ROLE_CASEWORKER, false};
static const struct rec_actor AMT32 = {"amt32", 32, WEB_ROLE_CASEWORKER, false};
static const struct rec_actor AMT20 = {"amt20", 20, WEB_ROLE_CASEWORKER, false};
static const struct rec_actor LEITUNG63 = {"leitung63", 63, WEB_ROLE_HEAD, false};
static const struct rec_actor ADMIN = {"admin", 10, WEB_ROLE_ADMIN, false};
static const struct rec_actor SYS = {"amt32", 0, 0, true}; /* may work on any task */

#define HEAD                                                                                       \
    "<?xml version='1.0' encoding='UTF-8'?>"                                                       \
    "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'"                   \
    " xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xmlns:rathaus='urn:rathaus:bpmn'"      \
    " id='D' targetNamespace='urn:test'><bpmn:process id='P' isExecutable='true'>"
#define TAIL "</bpmn:process></bpmn:definitions>"
#define FLOW(id, a, b) "<bpmn:sequenceFlow id='" id "' sourceRef='" a "' targetRef='" b "'/>"

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("wf", &f))
        return -1;
    *state = f;
    return 0;
}

/* Checks the journal chain, then removes the data directory. */
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
    return rc || n < 2 ? -1 : 0;
}

/* Creates a file of office 32 with one case; writes the case reference. */
static void make_case(struct fx *f, char cref[REC_REF_MAX])
{
    struct rec_actor a = rec_actor_system("test");
    char fref[REC_REF_MAX];
    assert_int_equal(rec_file_create(f->s, &a, "32.30.01", 32, "Straßenfest", "Erika Mustermann",
                                     fref, NULL, NULL),
                     0);
    assert_int_equal(rec_case_create(f->s, &a, fref, "Antrag", NULL, cref, NULL), 0);
}

static void deploy(struct fx *f, const char *xml, const char *key)
{
    struct wf_deployment d;
    json_t *problems = NULL;
    struct str err;
    str_init(&err, 4096);
    int rc = wf_deploy(f->s, "test", xml, strlen(xml), "test.bpmn", key, &d, &problems, &err);
    if (rc)
        fail_msg("deploy: %s %s", err.buf, problems ? json_dumps(problems, 0) : "");
    str_release(&err);
    assert_true(d.version >= 1);
}

/* Starts key on a new case; returns the instance id. */
static int64_t start(struct fx *f, const char *key, const char *vars_json, char cref[REC_REF_MAX])
{
    char own[REC_REF_MAX];
    char *ref = cref ? cref : own;
    make_case(f, ref);
    json_t *v = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
    int64_t id = 0;
    assert_int_equal(wf_start(f->s, "test", key, ref, v, &id), 0);
    json_decref(v);
    assert_true(id > 0);
    return id;
}

static json_t *inst(struct fx *f, int64_t id)
{
    json_t *o = NULL;
    assert_int_equal(wf_instance_get(f->s, id, &o), 0);
    return o;
}

static const char *inst_state(struct fx *f, int64_t id)
{
    static char buf[32];
    json_t *o = inst(f, id);
    snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(o, "state")));
    json_decref(o);
    return buf;
}

/* Returns the id of the task at node in state (0 if none); *ret_unit gets its office. */
static int64_t task_at(struct fx *f, int64_t id, const char *node, const char *state, int *ret_unit)
{
    json_t *o = inst(f, id);
    size_t i;
    json_t *t;
    int64_t found = 0;
    json_array_foreach(json_object_get(o, "tasks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "node")), node) == 0 &&
            strcmp(json_string_value(json_object_get(t, "state")), state) == 0) {
            found = json_integer_value(json_object_get(t, "id"));
            if (ret_unit)
                *ret_unit = (int)json_integer_value(json_object_get(t, "unit"));
        }
    }
    json_decref(o);
    return found;
}

static int64_t journal_count(struct fx *f, const char *action, const char *details_like)
{
    struct store_conn *c;
    int64_t n = -1;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_query_int(c, &n,
                                     "SELECT COUNT(*) FROM journal WHERE action = ?"
                                     " AND details LIKE ?",
                                     "tt", action, details_like ? details_like : "%"),
                     0);
    store_put(f->s, c);
    return n;
}

static void complete(struct fx *f, int64_t task, const char *form_json)
{
    json_t *v = form_json ? json_loads(form_json, 0, NULL) : NULL;
    assert_int_equal(wf_task_complete(f->s, &SYS, task, v, NULL), 0);
    json_decref(v);
}

/* ---- deploy refusals ---------------------------------------------------- */

static void test_refusals(void **state)
{
    struct fx *f = *state;
    const char *xml = HEAD
        "<bpmn:startEvent id='S'/>"
        "<bpmn:sendTask id='Senden'/>"
        "<bpmn:complexGateway id='Komplex'/>"
        "<bpmn:userTask id='OhneAmt'/>"
        "<bpmn:serviceTask id='Dienst' rathaus:action='rm_rf'/>"
        "<bpmn:intermediateCatchEvent id='Zyklus'><bpmn:timerEventDefinition>"
        "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
        "<bpmn:exclusiveGateway id='X'/>"
        "<bpmn:endEvent id='E'/>" FLOW("f1", "S", "Senden") FLOW("f2", "Senden", "Komplex") FLOW(
            "f3", "Komplex", "OhneAmt") FLOW("f4", "OhneAmt", "Dienst")
            FLOW("f5", "Dienst", "Zyklus") FLOW(
                "f6", "Zyklus",
                "X") "<bpmn:sequenceFlow id='f7' sourceRef='X' targetRef='E'>"
                     "<bpmn:conditionExpression>betrag &gt;</bpmn:conditionExpression></bpmn:sequenceFlow>" FLOW(
                         "f8", "X", "E") FLOW("f9", "E", "Nirgends") TAIL;
    struct wf_deployment d;
    json_t *problems = NULL;
    struct str err;
    str_init(&err, 4096);
    assert_int_equal(
        wf_deploy(f->s, "test", xml, strlen(xml), "t.bpmn", "svc", &d, &problems, &err),
        ERR_INVALID);
    char *dump = json_dumps(problems, JSON_SORT_KEYS);
    const char *want[][2] = {
        {"Senden", "sendTask wird nicht ausgeführt"},
        {"Komplex", "complexGateway wird nicht ausgeführt"},
        {"OhneAmt", "ohne Amt oder Rolle"},
        {"Dienst", "unbekannte Aktion „rm_rf“"},
        {"Zyklus", "timeCycle"},
        {"f7", "Bedingung: "},
        {"f8", "ohne Bedingung"},
        {"f9", "verweist auf kein Element"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        bool hit = false;
        size_t k;
        json_t *p;
        json_array_foreach(problems, k, p)
        {
            hit |= strcmp(json_string_value(json_object_get(p, "id")), want[i][0]) == 0 &&
                   strstr(json_string_value(json_object_get(p, "reason")), want[i][1]) != NULL;
        }
        if (!hit)
            fail_msg("missing %s: %s in %s", want[i][0], want[i][1], dump);
    }
    free(dump);
    json_decref(problems);
    assert_non_null(strstr(err.buf, "8 Element"));
    str_release(&err);
    /* Nothing was stored. */
    char cref[REC_REF_MAX];
    make_case(f, cref);
    assert_int_equal(wf_start(f->s, "test", "svc", cref, NULL, NULL), ERR_NOTFOUND);

    /* Two start events, a message end event, an event subprocess. */
    const char *xml2 =
        HEAD "<bpmn:startEvent id='S1'/><bpmn:startEvent id='S2'/>"
             "<bpmn:endEvent id='E'><bpmn:messageEventDefinition/></bpmn:endEvent>"
             "<bpmn:subProcess id='ES' triggeredByEvent='true'/>" FLOW("a", "S1", "E")
                 FLOW("b", "S2", "E") TAIL;
    str_init(&err, 4096);
    problems = NULL;
    assert_int_equal(
        wf_deploy(f->s, "test", xml2, strlen(xml2), "t.bpmn", "svc", &d, &problems, &err),
        ERR_INVALID);
    dump = json_dumps(problems, 0);
    assert_non_null(strstr(dump, "mehr als ein Startereignis"));
    assert_non_null(strstr(dump, "\"E\""));
    assert_non_null(strstr(dump, "\"ES\""));
    free(dump);
    json_decref(problems);
    str_release(&err);

    /* Not XML at all. */
    str_init(&err, 4096);
    assert_int_equal(wf_deploy(f->s, "test", "<x", 2, "t.bpmn", "svc", &d, NULL, &err),
                     ERR_INVALID);
    assert_true(err.len > 0);
    str_release(&err);
    assert_int_equal(journal_count(f, "wf.deploy", NULL), 0);
}

/* ---- sequence, claim, complete ----------------------------------------- */

static void test_sequence(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:startEvent id='S'/><bpmn:userTask id='Pruefen' name='Prüfen'"
                " rathaus:unit='32' rathaus:due='P3D'/>"
                "<bpmn:endEvent id='E'/>" FLOW("f1", "S", "Pruefen") FLOW("f2", "Pruefen", "E")
                    TAIL,
           "seq");
    int64_t id = start(f, "seq", "{\"a\": 1}", NULL);
    assert_string_equal(inst_state(f, id), "running");
    int unit = 0;
    int64_t task = task_at(f, id, "Pruefen", "open", &unit);
    assert_true(task > 0);
    assert_int_equal(unit, 32);

    assert_int_equal(wf_task_claim(f->s, &ANNA, task), 0);
    assert_int_equal(wf_task_claim(f->s, &ANNA, task), 0);
    assert_int_equal(wf_task_claim(f->s, &BERND, task), ERR_EXISTS);
    assert_int_equal(wf_task_unclaim(f->s, &BERND, task), ERR_DENIED);
    json_t *form = json_pack("{s:b}", "ok", 1);
    assert_int_equal(wf_task_complete(f->s, &BERND, task, form, NULL), ERR_DENIED);
    assert_int_equal(wf_task_unclaim(f->s, &ANNA, task), 0);
    assert_int_equal(wf_task_claim(f->s, &BERND, task), 0);
    assert_int_equal(wf_task_complete(f->s, &BERND, task, form, NULL), 0);
    assert_int_equal(wf_task_complete(f->s, &BERND, task, form, NULL), ERR_EXISTS);
    json_decref(form);
    assert_int_equal(wf_task_claim(f->s, &ANNA, task), ERR_EXISTS);
    assert_int_equal(wf_task_complete(f->s, &ANNA, 9999, NULL, NULL), ERR_NOTFOUND);

    json_t *o = inst(f, id);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "done");
    json_t *vars = json_object_get(o, "vars");
    assert_int_equal(json_integer_value(json_object_get(vars, "a")), 1);
    assert_true(json_is_true(json_object_get(vars, "ok")));
    json_decref(o);
    assert_int_equal(journal_count(f, "wf.instance.start", NULL), 1);
    assert_int_equal(journal_count(f, "wf.task.create", NULL), 1);
    assert_int_equal(journal_count(f, "wf.task.claim", NULL), 2);
    assert_int_equal(journal_count(f, "wf.task.unclaim", NULL), 1);
    assert_int_equal(journal_count(f, "wf.task.complete", NULL), 1);
    assert_int_equal(journal_count(f, "wf.instance.end", NULL), 1);

    /* A new version serves new instances; running ones keep theirs. */
    int64_t old = start(f, "seq", NULL, NULL);
    deploy(f,
           HEAD "<bpmn:startEvent id='S'/><bpmn:userTask id='Neu' rathaus:unit='20'/>"
                "<bpmn:endEvent id='E'/>" FLOW("f1", "S", "Neu") FLOW("f2", "Neu", "E") TAIL,
           "seq");
    int64_t neu = start(f, "seq", NULL, NULL);
    assert_true(task_at(f, neu, "Neu", "open", NULL) > 0);
    complete(f, task_at(f, old, "Pruefen", "open", NULL), NULL);
    assert_string_equal(inst_state(f, old), "done");

    /* A closed case cannot start; an unknown service is not found. */
    char cref[REC_REF_MAX];
    make_case(f, cref);
    struct rec_actor a = rec_actor_system("test");
    assert_int_equal(rec_case_close(f->s, &a, cref), 0);
    assert_int_equal(wf_start(f->s, "test", "seq", cref, NULL, NULL), ERR_EXISTS);
    make_case(f, cref);
    assert_int_equal(wf_start(f->s, "test", "nope", cref, NULL, NULL), ERR_NOTFOUND);
    assert_int_equal(wf_start(f->s, "test", "seq", "32.99-2026-0001/1", NULL, NULL), ERR_NOTFOUND);
    json_t *arr = json_array();
    assert_int_equal(wf_start(f->s, "test", "seq", cref, arr, NULL), ERR_INVALID);
    json_decref(arr);
}

/* ---- exclusive gateway -------------------------------------------------- */

static void test_exclusive(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD
           "<bpmn:startEvent id='S'/>"
           "<bpmn:exclusiveGateway id='G' default='f_klein'/>"
           "<bpmn:userTask id='Gross' rathaus:unit='20'/>"
           "<bpmn:userTask id='Gewerbe' rathaus:role='sachbearbeitung'/>"
           "<bpmn:userTask id='Klein' rathaus:unit='32'/>"
           "<bpmn:endEvent id='E'/>" FLOW(
               "f1", "S",
               "G") "<bpmn:sequenceFlow id='f_gross' sourceRef='G' targetRef='Gross'>"
                    "<bpmn:conditionExpression xsi:type='bpmn:tFormalExpression'>"
                    "${betrag &gt; 1000}</bpmn:conditionExpression></bpmn:sequenceFlow>"
                    "<bpmn:sequenceFlow id='f_gewerbe' sourceRef='G' targetRef='Gewerbe'>"
                    "<bpmn:conditionExpression>art == 'Gewerbe' and not eilig"
                    "</bpmn:conditionExpression></bpmn:sequenceFlow>" FLOW("f_klein", "G", "Klein")
                        FLOW("f2", "Gross", "E") FLOW("f3", "Gewerbe", "E") FLOW("f4", "Klein", "E")
                            TAIL,
           "ex");
    int64_t a = start(f, "ex", "{\"betrag\": 5000}", NULL);
    int64_t b = start(f, "ex", "{\"betrag\": 10, \"art\": \"Gewerbe\"}", NULL);
    int64_t c = start(f, "ex", "{\"betrag\": 10, \"art\": \"Gewerbe\", \"eilig\": true}", NULL);
    int64_t d = start(f, "ex", NULL, NULL);
    int unit = -1;
    assert_true(task_at(f, a, "Gross", "open", &unit) > 0);
    assert_int_equal(unit, 20);
    assert_true(task_at(f, b, "Gewerbe", "open", NULL) > 0);
    assert_true(task_at(f, c, "Klein", "open", NULL) > 0);
    assert_true(task_at(f, d, "Klein", "open", NULL) > 0);
    assert_int_equal(task_at(f, a, "Klein", "open", NULL), 0);
    assert_int_equal(journal_count(f, "wf.gateway", "%\"flow\":\"f_gross\"%"), 1);
    assert_int_equal(journal_count(f, "wf.gateway", "%\"flow\":\"f_gewerbe\"%"), 1);
    assert_int_equal(journal_count(f, "wf.gateway", "%\"flow\":\"f_klein\"%"), 2);
    assert_int_equal(journal_count(f, "wf.gateway", "%\"node\":\"G\"%"), 4);

    /* A loop without a wait state stops at WF_MAX_STEPS; nothing is kept. */
    deploy(
        f,
        HEAD
        "<bpmn:startEvent id='S'/><bpmn:exclusiveGateway id='L' default='raus'/>"
        "<bpmn:endEvent id='E'/>" FLOW(
            "f1", "S",
            "L") "<bpmn:sequenceFlow id='rund' sourceRef='L' targetRef='L'>"
                 "<bpmn:conditionExpression>true</bpmn:conditionExpression></bpmn:sequenceFlow>" FLOW(
                     "raus", "L", "E") TAIL,
        "loop");
    char cref[REC_REF_MAX];
    make_case(f, cref);
    int64_t before = journal_count(f, "wf.gateway", NULL);
    assert_int_equal(wf_start(f->s, "test", "loop", cref, NULL, NULL), ERR_TOOBIG);
    assert_int_equal(journal_count(f, "wf.gateway", NULL), before);
}

/* ---- parallel co-signature: the shipped model ---------------------------- */

static char *read_model(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static void test_mitzeichnung(void **state)
{
    struct fx *f = *state;
    const char *xml = read_model("data/bpmn/mitzeichnung.bpmn");
    deploy(f, xml, "mitz");
    /* Every node and flow of the shipped model has its diagram shape or edge. */
    struct bpmn_model *m = NULL;
    assert_int_equal(bpmn_parse(xml, strlen(xml), "mitzeichnung.bpmn", &m, NULL), 0);
    for (const struct bpmn_node *n = m->processes->scope.nodes; n; n = n->next)
        if (!bpmn_find_shape(m, n->id))
            fail_msg("no shape for %s", n->id);
    size_t edges = 0;
    for (const struct bpmn_edge *e = m->edges; e; e = e->next)
        edges++;
    assert_int_equal(edges, m->processes->scope.n_flows);
    bpmn_free(m);
    char cref[REC_REF_MAX];
    int64_t id = start(f, "mitz", NULL, cref);
    int unit = 0;
    int64_t prep = task_at(f, id, "Vorbereiten", "open", &unit);
    assert_int_equal(unit, 32);
    complete(f, prep, NULL);
    int64_t t20 = task_at(f, id, "Mitzeichnung20", "open", &unit);
    assert_int_equal(unit, 20);
    int64_t t63 = task_at(f, id, "Mitzeichnung63", "open", &unit);
    assert_int_equal(unit, 63);
    assert_true(t20 > 0 && t63 > 0);

    /* The non-interrupting reminder: after 5 days a notice, the task stays. */
    int fired = -1;
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 86400, &fired), 0);
    assert_int_equal(fired, 0);
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 6 * 86400, &fired), 0);
    assert_int_equal(fired, 1);
    assert_int_equal(journal_count(f, "wf.notify", "%Erinnern20%"), 1);
    assert_int_equal(task_at(f, id, "Mitzeichnung20", "open", NULL), t20);

    complete(f, t63, NULL);
    assert_int_equal(task_at(f, id, "Entscheiden", "open", NULL), 0); /* join still waits */
    complete(f, t20, NULL);
    int64_t dec = task_at(f, id, "Entscheiden", "open", &unit);
    assert_true(dec > 0);
    assert_int_equal(unit, 32);
    assert_string_equal(inst_state(f, id), "running");
    complete(f, dec, "{\"genehmigt\": true}");

    assert_string_equal(inst_state(f, id), "done");
    struct rec_actor a = rec_actor_system("test");
    json_t *k = NULL;
    assert_int_equal(rec_case_get(f->s, &a, cref, &k), 0);
    assert_string_equal(json_string_value(json_object_get(k, "status")), "closed");
    json_decref(k);
    assert_int_equal(journal_count(f, "case.close", NULL), 1);
    assert_int_equal(journal_count(f, "wf.action", "%close_case%"), 1);
    assert_int_equal(journal_count(f, "wf.gateway", "%Flow_Ja%"), 1);

    /* Not approved: the Wiedervorlage date lands in the case data. */
    id = start(f, "mitz", NULL, NULL);
    complete(f, task_at(f, id, "Vorbereiten", "open", NULL), NULL);
    complete(f, task_at(f, id, "Mitzeichnung20", "open", NULL), NULL);
    complete(f, task_at(f, id, "Mitzeichnung63", "open", NULL), NULL);
    complete(f, task_at(f, id, "Entscheiden", "open", NULL), "{\"genehmigt\": false}");
    json_t *o = inst(f, id);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "done");
    const char *wv =
        json_string_value(json_object_get(json_object_get(o, "vars"), "wiedervorlage"));
    assert_non_null(wv);
    char want[32];
    rtime_iso_utc(rtime_now() + 14 * 86400, want, sizeof want);
    assert_memory_equal(wv, want, 10);
    json_decref(o);
    assert_int_equal(journal_count(f, "wf.resubmission", NULL), 1);
}

/* Lanes: a bare office number, a role name, and an office as attribute. */
static void test_lanes(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:laneSet><bpmn:lane id='L1' name='32'><bpmn:flowNodeRef>A</bpmn:flowNodeRef>"
                "</bpmn:lane><bpmn:lane id='L2' name='Kämmerei'><bpmn:flowNodeRef>B"
                "</bpmn:flowNodeRef></bpmn:lane><bpmn:lane id='L3' name='Bauaufsicht'"
                " rathaus:unit='63'><bpmn:flowNodeRef>C</bpmn:flowNodeRef></bpmn:lane>"
                "</bpmn:laneSet>"
                "<bpmn:startEvent id='S'/><bpmn:parallelGateway id='F'/>"
                "<bpmn:userTask id='A'/><bpmn:userTask id='B'/><bpmn:userTask id='C'/>"
                "<bpmn:parallelGateway id='J'/><bpmn:endEvent id='E'/>" FLOW("f1", "S", "F")
                    FLOW("f2", "F", "A") FLOW("f3", "F", "B") FLOW("f4", "F", "C")
                        FLOW("f5", "A", "J") FLOW("f6", "B", "J") FLOW("f7", "C", "J")
                            FLOW("f8", "J", "E") TAIL,
           "lanes");
    int64_t id = start(f, "lanes", NULL, NULL);
    json_t *o = inst(f, id);
    json_t *tasks = json_object_get(o, "tasks");
    assert_int_equal(json_array_size(tasks), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tasks, 0), "unit")), 32);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tasks, 1), "unit")), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tasks, 1), "role")),
                        "Kämmerei");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tasks, 2), "unit")), 63);
    json_decref(o);
    complete(f, task_at(f, id, "A", "open", NULL), NULL);
    complete(f, task_at(f, id, "B", "open", NULL), NULL);
    assert_string_equal(inst_state(f, id), "running");
    complete(f, task_at(f, id, "C", "open", NULL), NULL);
    assert_string_equal(inst_state(f, id), "done");
}

/* Who may work on a task: its office, its role, an Admin; nobody else. */
static void test_who_may_work(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:laneSet><bpmn:lane id='L1' name='32'><bpmn:flowNodeRef>A</bpmn:flowNodeRef>"
                "</bpmn:lane><bpmn:lane id='L2' name='Leitung'><bpmn:flowNodeRef>B"
                "</bpmn:flowNodeRef></bpmn:lane><bpmn:lane id='L3' rathaus:unit='20'>"
                "<bpmn:flowNodeRef>C</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"
                "<bpmn:startEvent id='S'/><bpmn:parallelGateway id='F'/>"
                "<bpmn:userTask id='A'/><bpmn:userTask id='B'/><bpmn:userTask id='C'/>"
                "<bpmn:parallelGateway id='J'/><bpmn:endEvent id='E'/>" FLOW("f1", "S", "F")
                    FLOW("f2", "F", "A") FLOW("f3", "F", "B") FLOW("f4", "F", "C")
                        FLOW("f5", "A", "J") FLOW("f6", "B", "J") FLOW("f7", "C", "J")
                            FLOW("f8", "J", "E") TAIL,
           "who");
    int64_t id = start(f, "who", NULL, NULL);
    int64_t a = task_at(f, id, "A", "open", NULL), b = task_at(f, id, "B", "open", NULL),
            c = task_at(f, id, "C", "open", NULL);
    /* office 32's task: not for office 20, not even unclaimed */
    assert_int_equal(wf_task_claim(f->s, &AMT20, a), ERR_DENIED);
    assert_int_equal(wf_task_complete(f->s, &AMT20, a, NULL, NULL), ERR_DENIED);
    assert_int_equal(wf_task_claim(f->s, &AMT32, a), 0);
    /* someone else's claim: only the assignee or an Admin gives it back */
    assert_int_equal(wf_task_unclaim(f->s, &AMT20, a), ERR_DENIED);
    assert_int_equal(wf_task_unclaim(f->s, &ADMIN, a), 0);
    assert_int_equal(wf_task_unclaim(f->s, &AMT32, a), ERR_DENIED); /* not claimed any more */
    assert_int_equal(wf_task_complete(f->s, &AMT32, a, NULL, NULL), 0);
    /* the role Leitung: any office's Leitung, no caseworker */
    assert_int_equal(wf_task_claim(f->s, &AMT32, b), ERR_DENIED);
    assert_int_equal(wf_task_claim(f->s, &LEITUNG63, b), 0);
    assert_int_equal(wf_task_complete(f->s, &LEITUNG63, b, NULL, NULL), 0);
    /* an Admin may take over any task */
    assert_int_equal(wf_task_claim(f->s, &AMT32, c), ERR_DENIED);
    assert_int_equal(wf_task_claim(f->s, &ADMIN, c), 0);
    assert_int_equal(wf_task_complete(f->s, &ADMIN, c, NULL, NULL), 0);
    assert_string_equal(inst_state(f, id), "done");
}

/* ---- timers -------------------------------------------------------------- */

static void test_boundary_interrupting(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:startEvent id='S'/><bpmn:userTask id='T' rathaus:unit='32'/>"
                "<bpmn:boundaryEvent id='B' attachedToRef='T'><bpmn:timerEventDefinition>"
                "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
                "</bpmn:boundaryEvent>"
                "<bpmn:userTask id='Eskalation' rathaus:unit='10'/>"
                "<bpmn:endEvent id='E1'/><bpmn:endEvent id='E2'/>" FLOW("f1", "S", "T")
                    FLOW("f2", "T", "E1") FLOW("f3", "B", "Eskalation")
                        FLOW("f4", "Eskalation", "E2") TAIL,
           "bt");
    int64_t id = start(f, "bt", NULL, NULL);
    int64_t id2 = start(f, "bt", NULL, NULL);
    int64_t t = task_at(f, id, "T", "open", NULL);
    /* The second instance completes in time: its timer must not fire. */
    complete(f, task_at(f, id2, "T", "open", NULL), NULL);
    assert_string_equal(inst_state(f, id2), "done");

    int fired = -1;
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 7200, &fired), 0);
    assert_int_equal(fired, 1);
    assert_int_equal(task_at(f, id, "T", "cancelled", NULL), t);
    assert_int_equal(wf_task_complete(f->s, &AMT32, t, NULL, NULL), ERR_EXISTS);
    int unit = 0;
    int64_t esk = task_at(f, id, "Eskalation", "open", &unit);
    assert_true(esk > 0);
    assert_int_equal(unit, 10);
    assert_int_equal(journal_count(f, "wf.task.cancel", NULL), 1);
    assert_int_equal(journal_count(f, "wf.timer.fire", "%\"interrupting\":true%"), 1);
    complete(f, esk, NULL);
    assert_string_equal(inst_state(f, id), "done");
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 86400, &fired), 0);
    assert_int_equal(fired, 0);
}

static void test_boundary_non_interrupting(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:startEvent id='S'/><bpmn:userTask id='T' rathaus:unit='32'/>"
                "<bpmn:boundaryEvent id='B' attachedToRef='T' cancelActivity='false'>"
                "<bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration>"
                "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
                "<bpmn:userTask id='Nachfassen' rathaus:unit='32'/>"
                "<bpmn:endEvent id='E1'/><bpmn:endEvent id='E2'/>" FLOW("f1", "S", "T")
                    FLOW("f2", "T", "E1") FLOW("f3", "B", "Nachfassen")
                        FLOW("f4", "Nachfassen", "E2") TAIL,
           "bn");
    int64_t id = start(f, "bn", NULL, NULL);
    int64_t t = task_at(f, id, "T", "open", NULL);
    int fired = -1;
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 2 * 86400, &fired), 0);
    assert_int_equal(fired, 1);
    assert_int_equal(task_at(f, id, "T", "open", NULL), t);
    int64_t extra = task_at(f, id, "Nachfassen", "open", NULL);
    assert_true(extra > 0);
    complete(f, t, NULL);
    assert_string_equal(inst_state(f, id), "running"); /* the extra path still runs */
    complete(f, extra, NULL);
    assert_string_equal(inst_state(f, id), "done");
}

static void test_intermediate_timer(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:startEvent id='S'/>"
                "<bpmn:intermediateCatchEvent id='Warten'><bpmn:timerEventDefinition>"
                "<bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>"
                "</bpmn:intermediateCatchEvent>"
                "<bpmn:intermediateCatchEvent id='Stichtag'><bpmn:timerEventDefinition>"
                "<bpmn:timeDate>2020-01-01T00:00:00Z</bpmn:timeDate></bpmn:timerEventDefinition>"
                "</bpmn:intermediateCatchEvent>"
                "<bpmn:userTask id='T' rathaus:unit='32'/><bpmn:endEvent id='E'/>" FLOW(
                    "f1", "S", "Warten") FLOW("f2", "Warten", "Stichtag")
                    FLOW("f3", "Stichtag", "T") FLOW("f4", "T", "E") TAIL,
           "it");
    int64_t id = start(f, "it", NULL, NULL);
    assert_int_equal(task_at(f, id, "T", "open", NULL), 0);
    int fired = -1;
    assert_int_equal(wf_timers_fire(f->s, rtime_now(), &fired), 0);
    assert_int_equal(fired, 0);
    /* Move the clock by three hours: both timers fire (the date one at once). */
    setenv("RATHAUS_CLOCK_OFFSET", "10800", 1);
    assert_int_equal(wf_timers_fire(f->s, rtime_now(), &fired), 0);
    assert_int_equal(fired, 2);
    assert_true(task_at(f, id, "T", "open", NULL) > 0);
    assert_int_equal(journal_count(f, "wf.timer.fire", NULL), 2);
}

/* ---- subprocess and terminate --------------------------------------------- */

static void test_subprocess(void **state)
{
    struct fx *f = *state;
    deploy(
        f,
        HEAD
        "<bpmn:laneSet><bpmn:lane id='L' name='Amt 50'>"
        "<bpmn:flowNodeRef>Sub</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>Danach</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"
        "<bpmn:startEvent id='S'/>"
        "<bpmn:subProcess id='Sub'><bpmn:startEvent id='SS'/>"
        "<bpmn:userTask id='Innen'/><bpmn:endEvent id='SE'/>" FLOW("s1", "SS", "Innen") FLOW(
            "s2", "Innen",
            "SE") "</bpmn:subProcess>"
                  "<bpmn:boundaryEvent id='Frist' attachedToRef='Sub'><bpmn:timerEventDefinition>"
                  "<bpmn:timeDuration>P10D</bpmn:timeDuration></bpmn:timerEventDefinition>"
                  "</bpmn:boundaryEvent>"
                  "<bpmn:userTask id='Danach'/><bpmn:endEvent id='E'/>"
                  "<bpmn:endEvent id='Abbruch'><bpmn:terminateEventDefinition/></bpmn:endEvent>" FLOW(
                      "f1", "S", "Sub") FLOW("f2", "Sub", "Danach") FLOW("f3", "Danach", "E")
                      FLOW("f4", "Frist", "Abbruch") TAIL,
        "sub");
    int64_t id = start(f, "sub", NULL, NULL);
    int unit = 0;
    int64_t in = task_at(f, id, "Innen", "open", &unit);
    assert_true(in > 0);
    assert_int_equal(unit, 50); /* the lane of the subprocess */
    complete(f, in, NULL);
    int64_t after = task_at(f, id, "Danach", "open", NULL);
    assert_true(after > 0);
    /* The subprocess is left: its deadline is gone. */
    int fired = -1;
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 20 * 86400, &fired), 0);
    assert_int_equal(fired, 0);
    complete(f, after, NULL);
    assert_string_equal(inst_state(f, id), "done");

    /* The deadline passes inside the subprocess: it is cancelled with its
     * task and the terminate end ends the instance. */
    id = start(f, "sub", NULL, NULL);
    in = task_at(f, id, "Innen", "open", NULL);
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 20 * 86400, &fired), 0);
    assert_int_equal(fired, 1);
    assert_int_equal(task_at(f, id, "Innen", "cancelled", NULL), in);
    assert_string_equal(inst_state(f, id), "done");
    json_t *o = inst(f, id);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(o, "tokens"), i, t)
    {
        const char *st = json_string_value(json_object_get(t, "state"));
        assert_true(strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0);
    }
    json_decref(o);
}

static void test_parallel_terminate(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:startEvent id='S'/><bpmn:parallelGateway id='F'/>"
                "<bpmn:userTask id='A' rathaus:unit='32'/><bpmn:userTask id='B' rathaus:unit='20'/>"
                "<bpmn:endEvent id='EA'><bpmn:terminateEventDefinition/></bpmn:endEvent>"
                "<bpmn:endEvent id='EB'/>" FLOW("f1", "S", "F") FLOW("f2", "F", "A")
                    FLOW("f3", "F", "B") FLOW("f4", "A", "EA") FLOW("f5", "B", "EB") TAIL,
           "term");
    int64_t id = start(f, "term", NULL, NULL);
    int64_t a = task_at(f, id, "A", "open", NULL);
    int64_t b = task_at(f, id, "B", "open", NULL);
    complete(f, a, NULL);
    assert_string_equal(inst_state(f, id), "done");
    assert_int_equal(task_at(f, id, "B", "cancelled", NULL), b);
    assert_int_equal(journal_count(f, "wf.instance.end", NULL), 1);
}

static void test_resume_after_crash(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD "<bpmn:startEvent id='S'/><bpmn:serviceTask id='Zu' rathaus:action='close_case'/>"
                "<bpmn:serviceTask id='Info' rathaus:action='notify'/>"
                "<bpmn:endEvent id='E'/>" FLOW("f1", "S", "Zu") FLOW("f2", "Zu", "Info")
                    FLOW("f3", "Info", "E") TAIL,
           "zu");
    char cref[REC_REF_MAX];
    int64_t id = start(f, "zu", NULL, cref);
    assert_string_equal(inst_state(f, id), "done");
    /* Simulate a crash after the commit that left the token in "action":
     * a second instance whose token is put back there by hand. */
    char cref2[REC_REF_MAX];
    int64_t id2 = start(f, "zu", NULL, cref2);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_run(c,
                               "UPDATE instances SET state = 'running', ended_at = NULL"
                               " WHERE id = ?",
                               "i", id2),
                     0);
    assert_int_equal(store_run(c,
                               "UPDATE tokens SET state = 'action', node_id = 'Zu'"
                               " WHERE instance_id = ?",
                               "i", id2),
                     0);
    store_put(f->s, c);
    int n = -1;
    assert_int_equal(wf_resume(f->s, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(inst_state(f, id2), "done");
    assert_int_equal(wf_resume(f->s, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(journal_count(f, "wf.notify", NULL), 3);
}

/* A process drives an instance to a timer and dies by SIGKILL; another one
 * (this test) finds the instance in the store, fires the timer that fell due
 * meanwhile and finishes it. */
static void test_kill9(void **state)
{
    struct fx *f = *state;
    deploy(f,
           HEAD
           "<bpmn:startEvent id='S'/><bpmn:userTask id='T1' rathaus:unit='32'/>"
           "<bpmn:intermediateCatchEvent id='W'><bpmn:timerEventDefinition>"
           "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
           "</bpmn:intermediateCatchEvent>"
           "<bpmn:userTask id='T2' rathaus:unit='32'/><bpmn:endEvent id='E'/>" FLOW("f1", "S", "T1")
               FLOW("f2", "T1", "W") FLOW("f3", "W", "T2") FLOW("f4", "T2", "E") TAIL,
           "k9");
    char cref[REC_REF_MAX];
    make_case(f, cref);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct store *s2;
        int64_t id;
        json_t *o = NULL;
        if (store_open(f->dir, 0, &s2) || wf_start(s2, "child", "k9", cref, NULL, &id) ||
            wf_instance_get(s2, id, &o))
            _exit(1);
        json_t *t = json_array_get(json_object_get(o, "tasks"), 0);
        if (wf_task_complete(s2, &SYS, json_integer_value(json_object_get(t, "id")), NULL, NULL))
            _exit(1);
        kill(getpid(), SIGKILL);
        _exit(2);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    struct store_conn *c;
    int64_t id = 0;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(
        store_query_int(c, &id, "SELECT id FROM instances WHERE case_ref = ?", "t", cref), 0);
    store_put(f->s, c);
    assert_string_equal(inst_state(f, id), "running");
    assert_int_equal(task_at(f, id, "T2", "open", NULL), 0);
    int fired = -1;
    assert_int_equal(wf_timers_fire(f->s, rtime_now() + 7200, &fired), 0);
    assert_int_equal(fired, 1);
    complete(f, task_at(f, id, "T2", "open", NULL), NULL);
    assert_string_equal(inst_state(f, id), "done");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exclusive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mitzeichnung, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lanes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_who_may_work, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boundary_interrupting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boundary_non_interrupting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intermediate_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subprocess, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parallel_terminate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    FcFini(); /* the notice of the Mitzeichnung loads fonts; fontconfig's cache is global */
    return failed;
}
