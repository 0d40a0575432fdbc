/* Unit tests of the server-side process diagram: pools and lanes with their
 * names come first, names are wrapped inside their shapes (and cut with
 * "…" when too long), boundary timers follow their host so they are drawn
 * on it, and the current and the other running steps are marked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflow/workflow_int.h"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

/* The index of the shape named name in formen, -1 if none. */
static int find(const json_t *formen, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(formen, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
            return (int)i;
    }
    return -1;
}

static const char *line(const json_t *o, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(o, "zeilen"), i), "text"));
}

static void test_mitzeichnung(void **state)
{
    (void)state;
    const char *xml = slurp("data/bpmn/mitzeichnung.bpmn");
    struct bpmn_model *m = NULL;
    assert_int_equal(bpmn_parse(xml, strlen(xml), "m.bpmn", &m, NULL), 0);
    json_t *active = json_pack("[s, s]", "Vorbereiten", "Mitzeichnung63");
    json_t *d = wf__diagram(m, "Vorbereiten", active);
    assert_non_null(d);
    json_t *formen = json_object_get(d, "formen");
    /* pool and lanes first, named */
    int pool = find(formen, "Stadtverwaltung"), lane = find(formen, "Amt 20 Kommunale Finanzen");
    assert_int_equal(pool, 0);
    assert_true(lane > 0 && lane < 4);
    assert_true(json_is_true(json_object_get(json_array_get(formen, lane), "ist_bereich")));
    /* a long lane name is wrapped to the lane's height */
    json_t *l32 = json_array_get(formen, find(formen, "Amt 32 Ordnungs- und Rechtsamt"));
    assert_int_equal(json_array_size(json_object_get(l32, "zeilen")), 2);
    /* the task name wrapped inside its 100 px box */
    json_t *prep = json_array_get(formen, find(formen, "Entscheidung vorbereiten"));
    assert_string_equal(line(prep, 0), "Entscheidung");
    assert_string_equal(line(prep, 1), "vorbereiten");
    assert_true(json_is_true(json_object_get(prep, "aktuell")));
    json_t *t63 = json_array_get(formen, find(formen, "Mitzeichnen (Amt 63)"));
    assert_true(json_is_true(json_object_get(t63, "aktiv")));
    assert_false(json_is_true(json_object_get(t63, "aktuell")));
    /* the boundary timer comes after its host: drawn on top of it */
    int host = find(formen, "Mitzeichnen (Amt 20)"), timer = find(formen, "5 Tage");
    assert_true(host >= 0 && timer > host);
    json_t *b = json_array_get(formen, timer);
    assert_true(json_is_true(json_object_get(b, "uhr")));
    assert_true(json_is_true(json_object_get(b, "gestrichelt"))); /* non-interrupting */
    assert_true(json_is_true(json_object_get(b, "doppelt")));
    /* gateway markers */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(formen, find(formen, "genehmigt?")), "zeichen")),
                        "×");
    assert_int_equal(json_array_size(json_object_get(d, "kanten")), 15);
    json_decref(d);
    json_decref(active);
    bpmn_free(m);
}

static void test_long_name_cut(void **state)
{
    (void)state;
    const char *xml =
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'"
        " xmlns:bpmndi='http://www.omg.org/spec/BPMN/20100524/DI'"
        " xmlns:dc='http://www.omg.org/spec/DD/20100524/DC' id='D' targetNamespace='urn:t'>"
        "<bpmn:process id='P'><bpmn:task id='T' name='Ein sehr langer Name einer Aufgabe die"
        " nie und nimmer in das kleine Kästchen passt und trotzdem gezeichnet wird'/>"
        "</bpmn:process><bpmndi:BPMNDiagram><bpmndi:BPMNPlane bpmnElement='P'>"
        "<bpmndi:BPMNShape bpmnElement='T'><dc:Bounds x='0' y='0' width='100' height='40'/>"
        "</bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>";
    struct bpmn_model *m = NULL;
    assert_int_equal(bpmn_parse(xml, strlen(xml), "t.bpmn", &m, NULL), 0);
    json_t *d = wf__diagram(m, NULL, NULL);
    json_t *t = json_array_get(json_object_get(d, "formen"), 0);
    json_t *lines = json_object_get(t, "zeilen");
    assert_int_equal(json_array_size(lines), 2); /* (40 - 6) / 12 lines fit */
    const char *last = line(t, 1);
    assert_string_equal(last + strlen(last) - 3, "…");
    assert_true(json_is_false(json_object_get(t, "aktuell")));
    json_decref(d);
    bpmn_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mitzeichnung),
        cmocka_unit_test(test_long_name_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
