/* Unit tests of workflow/bpmn: a small model with pool, nested lanes, a
 * gateway with conditions, a boundary timer, a subprocess and DI is read into
 * the right structs; vendor extensions are skipped; malformed XML names line
 * and column; a DOCTYPE (entities) is refused; the counts rule of
 * bpmn_count_json leaves out the inside of extensionElements. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "workflow/bpmn.h"

static const char model[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"\n"
    "    xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\"\n"
    "    xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\"\n"
    "    xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\"\n"
    "    xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\"\n"
    "    xmlns:signavio=\"http://www.signavio.com\"\n"
    "    id=\"defs\" name=\"Anwohnerparken\" targetNamespace=\"urn:rathaus\">\n"
    "  <bpmn:collaboration id=\"collab\">\n"
    "    <bpmn:participant id=\"pool\" name=\"Ordnungsamt\" processRef=\"p1\"/>\n"
    "    <bpmn:participant id=\"applicant\" name=\"Antragsteller\"/>\n"
    "    <bpmn:messageFlow id=\"mf1\" sourceRef=\"applicant\" targetRef=\"start\"/>\n"
    "  </bpmn:collaboration>\n"
    "  <bpmn:process id=\"p1\" name=\"Parkausweis\" isExecutable=\"true\" camunda:versionTag=\"3\">\n"
    "    <bpmn:extensionElements><camunda:properties><camunda:property name=\"a\"/>"
    "<bpmn:task id=\"hidden\"/></camunda:properties></bpmn:extensionElements>\n"
    "    <bpmn:laneSet id=\"ls\">\n"
    "      <bpmn:lane id=\"l32\" name=\"32\">\n"
    "        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>\n"
    "        <bpmn:childLaneSet id=\"cls\">\n"
    "          <bpmn:lane id=\"l32a\" name=\"Sachbearbeitung\">\n"
    "            <bpmn:flowNodeRef>check</bpmn:flowNodeRef>\n"
    "            <bpmn:flowNodeRef>gw</bpmn:flowNodeRef>\n"
    "          </bpmn:lane>\n"
    "        </bpmn:childLaneSet>\n"
    "      </bpmn:lane>\n"
    "    </bpmn:laneSet>\n"
    "    <signavio:note>vendor element outside extensionElements</signavio:note>\n"
    "    <bpmn:startEvent id=\"start\" name=\"Antrag\"><bpmn:outgoing>f1</bpmn:outgoing>"
    "<bpmn:messageEventDefinition id=\"med\" messageRef=\"msg\"/></bpmn:startEvent>\n"
    "    <bpmn:userTask id=\"check\" name=\"Antrag prüfen\" camunda:assignee=\"x\">\n"
    "      <bpmn:extensionElements><camunda:formData><camunda:formField id=\"ok\"/>"
    "</camunda:formData></bpmn:extensionElements>\n"
    "      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>\n"
    "    </bpmn:userTask>\n"
    "    <bpmn:boundaryEvent id=\"late\" attachedToRef=\"check\" cancelActivity=\"false\">\n"
    "      <bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration>"
    "</bpmn:timerEventDefinition>\n"
    "    </bpmn:boundaryEvent>\n"
    "    <bpmn:exclusiveGateway id=\"gw\" default=\"f4\"/>\n"
    "    <bpmn:sequenceFlow id=\"f1\" sourceRef=\"start\" targetRef=\"check\"/>\n"
    "    <bpmn:sequenceFlow id=\"f2\" sourceRef=\"check\" targetRef=\"gw\"/>\n"
    "    <bpmn:sequenceFlow id=\"f3\" sourceRef=\"gw\" targetRef=\"yes\">\n"
    "      <bpmn:conditionExpression>  ok == true\n</bpmn:conditionExpression>\n"
    "    </bpmn:sequenceFlow>\n"
    "    <bpmn:sequenceFlow id=\"f4\" sourceRef=\"gw\" targetRef=\"sub\">"
    "<bpmn:conditionExpression><![CDATA[ok == false]]></bpmn:conditionExpression>"
    "</bpmn:sequenceFlow>\n"
    "    <bpmn:endEvent id=\"yes\" name=\"genehmigt\"/>\n"
    "    <bpmn:subProcess id=\"sub\" name=\"Ablehnung\">\n"
    "      <bpmn:task id=\"inner\" name=\"Bescheid\"/>\n"
    "      <bpmn:endEvent id=\"no\"><bpmn:terminateEventDefinition/></bpmn:endEvent>\n"
    "      <bpmn:sequenceFlow id=\"f5\" sourceRef=\"inner\" targetRef=\"no\"/>\n"
    "    </bpmn:subProcess>\n"
    "    <bpmn:intermediateCatchEvent id=\"wait\"><bpmn:eventDefinitionRef>t30"
    "</bpmn:eventDefinitionRef></bpmn:intermediateCatchEvent>\n"
    "    <bpmn:intermediateCatchEvent id=\"cond\"><bpmn:conditionalEventDefinition>"
    "<bpmn:condition>x &gt; 1</bpmn:condition></bpmn:conditionalEventDefinition>"
    "</bpmn:intermediateCatchEvent>\n"
    "    <bpmn:dataObject id=\"do1\" name=\"Antragsdaten\"/>\n"
    "  </bpmn:process>\n"
    "  <bpmn:timerEventDefinition id=\"t30\"><bpmn:timeDuration>P30D</bpmn:timeDuration>"
    "</bpmn:timerEventDefinition>\n"
    "  <bpmndi:BPMNDiagram id=\"d\"><bpmndi:BPMNPlane id=\"pl\" bpmnElement=\"collab\">\n"
    "    <bpmndi:BPMNShape id=\"s1\" bpmnElement=\"check\"><dc:Bounds x=\"100\" y=\"80.5\" "
    "width=\"100\" height=\"80\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNShape id=\"s2\" bpmnElement=\"pool\" isHorizontal=\"true\"><dc:Bounds "
    "x=\"0\" y=\"0\" width=\"600\" height=\"250\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNEdge id=\"e1\" bpmnElement=\"f1\"><di:waypoint x=\"36\" y=\"120\"/>"
    "<di:waypoint x=\"100\" y=\"120\"/></bpmndi:BPMNEdge>\n"
    "  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n"
    "</bpmn:definitions>\n";

static struct bpmn_model *parse_ok(const char *xml)
{
    struct bpmn_model *m = NULL;
    struct str err;
    str_init(&err, 0);
    int rc = bpmn_parse(xml, strlen(xml), "test.bpmn", &m, &err);
    if (rc)
        print_message("%s\n", err.buf);
    assert_int_equal(rc, 0);
    assert_non_null(m);
    str_release(&err);
    return m;
}

/* Parses xml expecting failure code want; returns the message (free it). */
static char *parse_fail(const char *xml, int want)
{
    struct bpmn_model *m = NULL;
    struct str err;
    str_init(&err, 0);
    int rc = bpmn_parse(xml, strlen(xml), "kaputt.bpmn", &m, &err);
    assert_int_equal(rc, want);
    assert_null(m);
    return str_detach(&err, NULL);
}

static void test_model(void **state)
{
    (void)state;
    struct bpmn_model *m = parse_ok(model);
    assert_string_equal(m->id, "defs");
    assert_string_equal(m->name, "Anwohnerparken");
    assert_string_equal(m->target_namespace, "urn:rathaus");

    assert_int_equal(m->n_collaborations, 1);
    const struct bpmn_collaboration *k = m->collaborations;
    assert_int_equal(k->n_participants, 2);
    assert_string_equal(k->participants->process_ref, "p1");
    assert_string_equal(k->participants->name, "Ordnungsamt");
    assert_null(k->participants->next->process_ref);
    assert_int_equal(k->n_message_flows, 1);
    assert_string_equal(k->message_flows->target, "start");

    assert_int_equal(m->n_processes, 1);
    const struct bpmn_process *p = m->processes;
    assert_string_equal(p->id, "p1");
    assert_string_equal(p->name, "Parkausweis");
    assert_true(p->executable);
    assert_non_null(p->ext);
    /* start, check, late, gw, yes, sub, wait, cond: the task inside
     * extensionElements is not a node */
    assert_int_equal(p->scope.n_nodes, 8);
    assert_null(bpmn_find_node(m, "hidden"));
    assert_int_equal(p->scope.n_flows, 4);
    assert_int_equal(p->scope.n_others, 1);
    assert_string_equal(p->scope.others->type, "dataObject");
    assert_string_equal(p->scope.others->name, "Antragsdaten");

    /* lanes, nested */
    assert_int_equal(p->scope.n_lanes, 1);
    const struct bpmn_lane *l = p->scope.lanes;
    assert_string_equal(l->name, "32");
    assert_int_equal(l->n_refs, 1);
    assert_string_equal(l->refs[0], "start");
    assert_non_null(l->children);
    assert_null(l->children->next);
    assert_int_equal(l->children->n_refs, 2);
    assert_string_equal(l->children->refs[1], "gw");

    const struct bpmn_node *n = bpmn_find_node(m, "start");
    assert_int_equal(n->kind, BPMN_KIND_EVENT);
    assert_int_equal(n->n_event_defs, 1);
    assert_string_equal(n->event_defs->type, "messageEventDefinition");
    assert_string_equal(n->event_defs->ref, "msg");

    n = bpmn_find_node(m, "check");
    assert_int_equal(n->kind, BPMN_KIND_TASK);
    assert_string_equal(n->type, "userTask");
    assert_string_equal(n->name, "Antrag prüfen");
    assert_non_null(n->ext);

    n = bpmn_find_node(m, "late");
    assert_string_equal(n->type, "boundaryEvent");
    assert_string_equal(n->attached_to, "check");
    assert_false(n->cancel_activity);
    assert_int_equal(n->n_event_defs, 1);
    assert_string_equal(n->event_defs->type, "timerEventDefinition");
    assert_string_equal(n->event_defs->timer_kind, "timeDuration");
    assert_string_equal(n->event_defs->timer_value, "PT2H");

    n = bpmn_find_node(m, "gw");
    assert_int_equal(n->kind, BPMN_KIND_GATEWAY);
    assert_string_equal(n->default_flow, "f4");
    assert_true(bpmn_find_node(m, "start")->cancel_activity == true);

    const struct bpmn_flow *f = p->scope.flows->next->next;
    assert_string_equal(f->id, "f3");
    assert_string_equal(f->source, "gw");
    assert_string_equal(f->target, "yes");
    assert_string_equal(f->condition, "ok == true");
    assert_string_equal(f->next->condition, "ok == false");
    assert_null(p->scope.flows->condition);

    /* an event definition by reference, a conditional event */
    n = bpmn_find_node(m, "wait");
    assert_int_equal(n->n_event_defs, 1);
    assert_string_equal(n->event_defs->id, "t30");
    assert_string_equal(n->event_defs->timer_value, "P30D");
    n = bpmn_find_node(m, "cond");
    assert_string_equal(n->event_defs->type, "conditionalEventDefinition");
    assert_string_equal(n->event_defs->condition, "x > 1");

    /* the subprocess and what is inside */
    n = bpmn_find_node(m, "sub");
    assert_int_equal(n->kind, BPMN_KIND_SUBPROCESS);
    assert_non_null(n->inner);
    assert_int_equal(n->inner->n_nodes, 2);
    assert_int_equal(n->inner->n_flows, 1);
    const struct bpmn_node *inner = bpmn_find_node(m, "no");
    assert_non_null(inner);
    assert_ptr_equal(inner->parent, n);
    assert_string_equal(inner->event_defs->type, "terminateEventDefinition");

    /* diagram interchange */
    assert_int_equal(m->n_shapes, 2);
    const struct bpmn_shape *s = bpmn_find_shape(m, "check");
    assert_non_null(s);
    assert_true(s->has_bounds);
    assert_true(s->y == 80.5 && s->w == 100 && s->h == 80);
    assert_true(bpmn_find_shape(m, "pool")->is_horizontal);
    assert_null(bpmn_find_shape(m, "gw"));
    assert_int_equal(m->n_edges, 1);
    assert_string_equal(m->edges->element, "f1");
    assert_int_equal(m->edges->n_points, 2);
    assert_true(m->edges->points[1].x == 100 && m->edges->points[1].y == 120);
    bpmn_free(m);
}

static void test_counts(void **state)
{
    (void)state;
    struct bpmn_model *m = parse_ok(model);
    json_t *j = NULL;
    assert_int_equal(bpmn_count_json(m, &j), 0);
    json_t *p = json_array_get(json_object_get(j, "processes"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "id")), "p1");
    assert_string_equal(json_string_value(json_object_get(p, "name")), "Parkausweis");
    json_t *e = json_object_get(p, "elements");
    struct {
        const char *name;
        int n;
    } want[] = {
        {"extensionElements", 2},
        {"laneSet", 1},
        {"lane", 2},
        {"flowNodeRef", 3},
        {"childLaneSet", 1},
        {"startEvent", 1},
        {"outgoing", 2},
        {"incoming", 1},
        {"messageEventDefinition", 1},
        {"userTask", 1},
        {"boundaryEvent", 1},
        {"timerEventDefinition", 1},
        {"timeDuration", 1}, /* not the one of the top-level definition t30 */
        {"exclusiveGateway", 1},
        {"sequenceFlow", 5},
        {"conditionExpression", 2},
        {"endEvent", 2},
        {"subProcess", 1},
        {"task", 1},
        {"terminateEventDefinition", 1},
        {"dataObject", 1},
        {"intermediateCatchEvent", 2},
        {"eventDefinitionRef", 1},
        {"conditionalEventDefinition", 1},
        {"condition", 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *v = json_object_get(e, want[i].name);
        if (!v)
            fail_msg("no count for %s", want[i].name);
        if (json_integer_value(v) != want[i].n)
            fail_msg("%s: %d, want %d", want[i].name, (int)json_integer_value(v), want[i].n);
    }
    /* nothing else: the task inside extensionElements is not counted */
    assert_int_equal(json_object_size(e), sizeof want / sizeof want[0]);
    json_decref(j);
    bpmn_free(m);
}

static void test_malformed(void **state)
{
    (void)state;
    char *msg = parse_fail("<?xml version=\"1.0\"?>\n"
                           "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n"
                           "  <process id=\"p\">\n"
                           "    <task id=\"t\" name=\"a\" name=\"b\"/>\n"
                           "</definitions>\n",
                           ERR_INVALID);
    assert_non_null(strstr(msg, "kaputt.bpmn: Zeile 4, Spalte "));
    assert_non_null(strstr(msg, "kein wohlgeformtes XML"));
    free(msg);

    msg = parse_fail("", ERR_INVALID);
    assert_non_null(strstr(msg, "kaputt.bpmn"));
    free(msg);
}

static void test_doctype_refused(void **state)
{
    (void)state;
    /* billion laughs: never expanded, the DOCTYPE alone stops the parse */
    char *msg =
        parse_fail("<?xml version=\"1.0\"?>\n"
                   "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                   "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                   "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
                   "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                   "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">"
                   "<process id=\"p\" name=\"&lol2;&x;\"/></definitions>\n",
                   ERR_INVALID);
    assert_non_null(strstr(msg, "Zeile 2"));
    assert_non_null(strstr(msg, "DOCTYPE"));
    free(msg);
}

static void test_not_bpmn(void **state)
{
    (void)state;
    char *msg = parse_fail("<definitions xmlns=\"urn:other\"/>", ERR_INVALID);
    assert_non_null(strstr(msg, "keine BPMN-2.0-Datei"));
    free(msg);
    msg =
        parse_fail("<process xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"/>", ERR_INVALID);
    assert_non_null(strstr(msg, "„process“"));
    free(msg);
}

static void test_minimal_latin1_no_di(void **state)
{
    (void)state;
    /* ISO-8859-1 (as several MIWG files), default namespace, no DI */
    struct bpmn_model *m = parse_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                                    "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/"
                                    "MODEL\"><process id=\"p\" name=\"Pr\xfc"
                                    "fung\"><task id=\"t\"/></process></definitions>");
    assert_string_equal(m->processes->name, "Prüfung");
    assert_false(m->processes->executable);
    assert_int_equal(m->n_shapes, 0);
    assert_int_equal(m->n_edges, 0);
    assert_int_equal(m->n_collaborations, 0);
    bpmn_free(m);
}

static void test_too_big(void **state)
{
    (void)state;
    size_t len = BPMN_MAX_BYTES + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, ' ', len);
    struct bpmn_model *m = NULL;
    struct str err;
    str_init(&err, 0);
    assert_int_equal(bpmn_parse(big, len, "gross.bpmn", &m, &err), ERR_TOOBIG);
    assert_non_null(strstr(err.buf, "gross.bpmn"));
    str_release(&err);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model),     cmocka_unit_test(test_counts),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_doctype_refused),
        cmocka_unit_test(test_not_bpmn),  cmocka_unit_test(test_minimal_latin1_no_di),
        cmocka_unit_test(test_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
