/* Unit tests of processes/mining: a synthetic log of eleven cases over a
 * small model (a task, a parallel split with two tasks and a boundary timer,
 * a join, a decision with an optional task) whose every figure is known by
 * construction — case counts, cycle-time median/p90/mean, waiting and
 * working per step, the replay's deviations (a decision without its
 * co-signatures, a timer after its task), the variants with the tie order,
 * and the months in Berlin time (23:30 UTC on 31 January is February). The
 * events of all cases are interleaved by time, as the journal holds them.
 * On a real data directory: a service whose cases ran under two model
 * versions (A then B, then B then A) is mined per version, each against its
 * own model, and over all versions without replay. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "processes/mining.h"
#include "records/records.h"
#include "workflow/bpmn.h"
#include "workflow/deploy.h"
#include "workflow/engine.h"
#include "workflow/events.h"

#include "fixture.h"

#define H 3600
#define DAY 86400
#define T0 1768867200 /* 2026-01-20T00:00:00Z */

static const char model[] =
    "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">"
    "<process id=\"P\" isExecutable=\"true\">"
    "<startEvent id=\"S\"/>"
    "<userTask id=\"A\" name=\"Antrag prüfen\"/>"
    "<parallelGateway id=\"G1\"/>"
    "<userTask id=\"B\" name=\"Mitzeichnung\"/>"
    "<userTask id=\"C\" name=\"Stellungnahme\"/>"
    "<boundaryEvent id=\"T\" name=\"Erinnerung\" attachedToRef=\"B\" cancelActivity=\"false\">"
    "<timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition>"
    "</boundaryEvent>"
    "<endEvent id=\"TE\"/>"
    "<parallelGateway id=\"G2\"/>"
    "<userTask id=\"D\" name=\"Entscheiden\"/>"
    "<exclusiveGateway id=\"X\" default=\"f9\"/>"
    "<userTask id=\"E\" name=\"Nachfassen\"/>"
    "<endEvent id=\"End\"/>"
    "<sequenceFlow id=\"f1\" sourceRef=\"S\" targetRef=\"A\"/>"
    "<sequenceFlow id=\"f2\" sourceRef=\"A\" targetRef=\"G1\"/>"
    "<sequenceFlow id=\"f3\" sourceRef=\"G1\" targetRef=\"B\"/>"
    "<sequenceFlow id=\"f4\" sourceRef=\"G1\" targetRef=\"C\"/>"
    "<sequenceFlow id=\"f5\" sourceRef=\"B\" targetRef=\"G2\"/>"
    "<sequenceFlow id=\"f6\" sourceRef=\"C\" targetRef=\"G2\"/>"
    "<sequenceFlow id=\"f7\" sourceRef=\"G2\" targetRef=\"D\"/>"
    "<sequenceFlow id=\"f8\" sourceRef=\"D\" targetRef=\"X\"/>"
    "<sequenceFlow id=\"f9\" sourceRef=\"X\" targetRef=\"End\"/>"
    "<sequenceFlow id=\"f10\" sourceRef=\"X\" targetRef=\"E\"/>"
    "<sequenceFlow id=\"f11\" sourceRef=\"E\" targetRef=\"End\"/>"
    "<sequenceFlow id=\"f12\" sourceRef=\"T\" targetRef=\"TE\"/>"
    "</process></definitions>";

/* The log being built. */
struct log {
    struct mining_net *net;
    struct mining_event ev[512];
    size_t order[512]; /* insertion order, the tie-break of the time sort */
    size_t n;
    int64_t next_task;
};

static int32_t step(struct log *l, const char *id)
{
    int32_t i;
    assert_int_equal(mining_net_intern(l->net, id, strlen(id), &i), 0);
    return i;
}

static void add(struct log *l, int64_t c, enum mining_kind k, const char *node, int64_t task,
                int64_t at)
{
    assert_true(l->n < 512);
    l->ev[l->n] = (struct mining_event){c, at, task, node ? step(l, node) : -1, (uint8_t)k};
    l->order[l->n] = l->n;
    l->n++;
}

/* A task of case c: created, optionally claimed (claim < 0: never), completed
 * (done < 0: still open). */
static void task(struct log *l, int64_t c, const char *node, int64_t created, int64_t claim,
                 int64_t done)
{
    int64_t id = ++l->next_task;
    add(l, c, MINING_CREATE, node, id, created);
    if (claim >= 0)
        add(l, c, MINING_CLAIM, node, id, claim);
    if (done >= 0)
        add(l, c, MINING_COMPLETE, node, id, done);
}

static int by_time(const void *x, const void *y, void *ctx)
{
    const struct log *l = ctx;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    if (l->ev[a].at != l->ev[b].at)
        return l->ev[a].at < l->ev[b].at ? -1 : 1;
    return (a > b) - (a < b);
}

/* Builds the eleven cases (see the file comment) and sorts them by time. */
static void build(struct log *l, struct mining_event *out)
{
    for (int64_t i = 1; i <= 11; i++) {
        int64_t s = T0 + i * DAY;
        int64_t a = s + (i + 2) * H;
        add(l, i, MINING_START, NULL, 0, s);
        task(l, i, "A", s, s + i * H, a); /* waits i hours, works 2 */
        if (i == 9) { /* decides without the co-signatures; ends 31.01. 23:30 UTC */
            int64_t end = T0 + 11 * DAY + 23 * H + 30 * 60;
            task(l, i, "D", a, a + 1800, end);
            add(l, i, MINING_END, NULL, 0, end);
            continue;
        }
        task(l, i, "C", a, a, a + 5 * H);
        if (i == 11) { /* open: B still waits */
            task(l, i, "B", a, -1, -1);
            continue;
        }
        if (i == 10) { /* decides before B is co-signed */
            task(l, i, "B", a, -1, a + 48 * H);
            task(l, i, "D", a + 5 * H, a + 5 * H + 1800, a + 6 * H);
            add(l, i, MINING_END, NULL, 0, a + 48 * H);
            continue;
        }
        int64_t b = a + 24 * H;
        task(l, i, "B", a, -1, b);
        if (i == 1)
            add(l, i, MINING_TIMER, "T", 0, a + 12 * H); /* while B waits: fine */
        if (i == 2)
            add(l, i, MINING_TIMER, "T", 0, b + 1800); /* after B: a deviation */
        int64_t d = b + H;
        task(l, i, "D", b, b + 1800, d);
        int64_t end = d;
        if (i == 7 || i == 8) {
            task(l, i, "E", d, -1, d + 4 * H);
            end = d + 4 * H;
        }
        add(l, i, MINING_GATEWAY, "X", 0, d);
        add(l, i, MINING_END, NULL, 0, end);
    }
    qsort_r(l->order, l->n, sizeof *l->order, by_time, l);
    for (size_t i = 0; i < l->n; i++)
        out[i] = l->ev[l->order[i]];
}

static const struct mining_step *find(const struct mining_result *r, const char *id)
{
    for (size_t i = 0; i < r->n_steps; i++)
        if (strcmp(r->steps[i].id, id) == 0)
            return &r->steps[i];
    fail_msg("step %s missing", id);
    return NULL;
}

static void variant_is(const struct mining_result *r, size_t i, const char *want, int64_t cases)
{
    char got[64] = "";
    for (size_t k = 0; k < r->variants[i].n_steps; k++)
        strncat(got, r->steps[r->variants[i].steps[k]].id, sizeof got - strlen(got) - 1);
    assert_string_equal(got, want);
    assert_int_equal(r->variants[i].cases, cases);
}

static void test_figures(void **state)
{
    (void)state;
    struct bpmn_model *m;
    assert_int_equal(bpmn_parse(model, sizeof model - 1, "t.bpmn", &m, NULL), 0);
    static struct log l;
    memset(&l, 0, sizeof l);
    assert_int_equal(mining_net_build(m, m->processes, &l.net), 0);
    bpmn_free(m); /* the net keeps what it needs */
    static struct mining_event ev[512];
    build(&l, ev);
    struct mining_result *r;
    assert_int_equal(mining_compute(l.net, ev, l.n, &r), 0);

    assert_int_equal(r->events, (int64_t)l.n);
    assert_int_equal(r->cases, 11);
    assert_int_equal(r->closed, 10);
    assert_int_equal(r->open, 1);
    /* cycle times in hours: 28..33 (cases 1–6), 38, 39, 60 (case 10), 71.5 (case 9) */
    assert_int_equal(r->cycle_median_s, 32 * H);
    assert_int_equal(r->cycle_p90_s, 60 * H);
    assert_int_equal(r->cycle_mean_s, 140940); /* 391.5 h / 10 */
    /* cases 2 (timer after B), 9 and 10 (D without B) do not fit */
    assert_int_equal(r->has_model, 1);
    assert_int_equal(r->fitting, 8);
    assert_true(mining_percent(r->fitting, r->cases) == 72.7);

    const struct mining_step *A = find(r, "A");
    assert_string_equal(A->name, "Antrag prüfen");
    assert_true(A->task && A->visible && A->in_model);
    assert_int_equal(A->executions, 11);
    assert_int_equal(A->cases, 11);
    assert_int_equal(A->median_s, 8 * H); /* 3..13 h, rank 6 */
    assert_int_equal(A->p90_s, 12 * H);   /* rank 10 */
    assert_int_equal(A->wait_median_s, 6 * H);
    assert_int_equal(A->work_median_s, 2 * H);
    assert_int_equal(A->wait_sum_s, 66 * H);
    assert_int_equal(A->work_sum_s, 22 * H);
    assert_int_equal(A->deviations, 0);

    const struct mining_step *B = find(r, "B"); /* never claimed: all waiting */
    assert_int_equal(B->executions, 9);
    assert_int_equal(B->median_s, 24 * H);
    assert_int_equal(B->p90_s, 48 * H);
    assert_int_equal(B->wait_sum_s, 8 * 24 * H + 48 * H);
    assert_int_equal(B->work_sum_s, 0);
    assert_int_equal(B->work_median_s, 0);

    const struct mining_step *C = find(r, "C"); /* claimed at once: all working */
    assert_int_equal(C->executions, 10);
    assert_int_equal(C->cases, 10);
    assert_int_equal(C->wait_sum_s, 0);
    assert_int_equal(C->work_sum_s, 50 * H);

    const struct mining_step *D = find(r, "D");
    assert_int_equal(D->executions, 10);
    assert_int_equal(D->median_s, H);
    assert_int_equal(D->p90_s, H);
    assert_int_equal(D->wait_median_s, 1800);
    assert_int_equal(D->work_sum_s, 9 * 1800 + 60 * H);
    assert_int_equal(D->deviations, 2);

    const struct mining_step *E = find(r, "E");
    assert_int_equal(E->executions, 2);
    assert_int_equal(E->median_s, 4 * H);

    const struct mining_step *T = find(r, "T");
    assert_true(T->visible && !T->task);
    assert_int_equal(T->executions, 2);
    assert_int_equal(T->cases, 2);
    assert_int_equal(T->deviations, 1);
    assert_int_equal(T->timed, 0);

    assert_false(find(r, "G1")->visible);
    assert_false(find(r, "X")->visible);

    /* variants of the ten closed cases; the tie ACDB/AD goes by step ids */
    assert_int_equal(r->distinct_variants, 4);
    assert_int_equal(r->n_variants, 4);
    variant_is(r, 0, "ACBD", 6);
    variant_is(r, 1, "ACBDE", 2);
    variant_is(r, 2, "ACDB", 1);
    variant_is(r, 3, "AD", 1);

    /* months in Berlin time: case 9 ends 31.01. 23:30 UTC = 01.02. 00:30 */
    assert_int_equal(r->n_months, 2);
    assert_int_equal(r->months[0].year, 2026);
    assert_int_equal(r->months[0].month, 1);
    assert_int_equal(r->months[0].completed, 8);
    assert_int_equal(r->months[1].month, 2);
    assert_int_equal(r->months[1].completed, 2);

    mining_result_free(r);
    mining_net_free(l.net);
}

/* The same log without a model: figures as before, no replay. */
static void test_without_model(void **state)
{
    (void)state;
    static struct log l;
    memset(&l, 0, sizeof l);
    assert_int_equal(mining_net_build(NULL, NULL, &l.net), 0);
    static struct mining_event ev[512];
    build(&l, ev);
    struct mining_result *r;
    assert_int_equal(mining_compute(l.net, ev, l.n, &r), 0);
    assert_int_equal(r->has_model, 0);
    assert_int_equal(r->fitting, 0);
    assert_int_equal(r->cycle_median_s, 32 * H);
    assert_int_equal(find(r, "A")->median_s, 8 * H);
    assert_int_equal(find(r, "A")->in_model, 0);
    assert_int_equal(find(r, "D")->deviations, 0);
    mining_result_free(r);
    mining_net_free(l.net);
}

/* A node the model lacks is a step outside the model and a deviation. */
static void test_unknown_step(void **state)
{
    (void)state;
    struct bpmn_model *m;
    assert_int_equal(bpmn_parse(model, sizeof model - 1, "t.bpmn", &m, NULL), 0);
    struct mining_net *net;
    assert_int_equal(mining_net_build(m, m->processes, &net), 0);
    bpmn_free(m);
    int32_t a, z;
    assert_int_equal(mining_net_intern(net, "A", 1, &a), 0);
    assert_int_equal(mining_net_intern(net, "Zusatz", 6, &z), 0);
    struct mining_event ev[] = {
        {1, 100, 0, -1, MINING_START},   {1, 100, 1, a, MINING_CREATE},
        {1, 160, 1, a, MINING_COMPLETE}, {1, 170, 2, z, MINING_CREATE},
        {1, 200, 2, z, MINING_COMPLETE}, {1, 300, 0, -1, MINING_END},
    };
    struct mining_result *r;
    assert_int_equal(mining_compute(net, ev, 6, &r), 0);
    assert_int_equal(r->fitting, 0);
    assert_int_equal(r->cycle_median_s, 200);
    assert_int_equal(r->steps[z].in_model, 0);
    assert_int_equal(r->steps[z].visible, 1);
    assert_int_equal(r->steps[z].task, 1);
    assert_int_equal(r->steps[z].median_s, 30);
    assert_int_equal(r->steps[z].deviations, 1);
    mining_result_free(r);
    mining_net_free(net);
}

/* Months follow Berlin's summer time: 22:30 UTC on 31 March 2026 is
 * 00:30 CEST on 1 April; 22:30 UTC on 31 October 2026 (after the switch
 * back) is 23:30 CET, still October; 23:30 UTC on 31 December 2025 is 2026. */
static void test_month_dst(void **state)
{
    (void)state;
    struct mining_net *net;
    assert_int_equal(mining_net_build(NULL, NULL, &net), 0);
    struct mining_event ev[] = {
        {1, 1774996200 - DAY, 0, -1, MINING_START}, {1, 1774996200, 0, -1, MINING_END},
        {2, 1793485800 - DAY, 0, -1, MINING_START}, {2, 1793485800, 0, -1, MINING_END},
        {3, 1767223800 - DAY, 0, -1, MINING_START}, {3, 1767223800, 0, -1, MINING_END},
    };
    struct mining_result *r;
    assert_int_equal(mining_compute(net, ev, 6, &r), 0);
    assert_int_equal(r->n_months, 3);
    assert_int_equal(r->months[0].year, 2026);
    assert_int_equal(r->months[0].month, 1);
    assert_int_equal(r->months[1].month, 4);
    assert_int_equal(r->months[2].month, 10);
    assert_int_equal(r->cycle_median_s, DAY);
    mining_result_free(r);
    mining_net_free(net);
}

/* Fed in pieces of seven events, the synthetic log gives the same figures. */
static void test_pieces(void **state)
{
    (void)state;
    struct bpmn_model *m;
    assert_int_equal(bpmn_parse(model, sizeof model - 1, "t.bpmn", &m, NULL), 0);
    static struct log l;
    memset(&l, 0, sizeof l);
    assert_int_equal(mining_net_build(m, m->processes, &l.net), 0);
    bpmn_free(m);
    static struct mining_event ev[512];
    build(&l, ev);
    struct mining_pass *p;
    assert_int_equal(mining_pass_new(l.net, &p), 0);
    for (size_t i = 0; i < l.n; i += 7)
        assert_int_equal(mining_pass_add(p, ev + i, l.n - i < 7 ? l.n - i : 7), 0);
    struct mining_result *r;
    assert_int_equal(mining_pass_finish(p, &r), 0);
    mining_pass_free(p);
    assert_int_equal(r->events, (int64_t)l.n);
    assert_int_equal(r->cycle_median_s, 32 * H);
    assert_int_equal(r->fitting, 8);
    assert_int_equal(find(r, "A")->median_s, 8 * H);
    assert_int_equal(find(r, "D")->deviations, 2);
    variant_is(r, 0, "ACBD", 6);
    mining_result_free(r);
    mining_net_free(l.net);
}

/* Steps interned while the pass runs (ids outside the model, read from the
 * log) widen the per-case bitmaps past 64 steps without losing what a case
 * already did: case 1 does step s0 before and after, and counts once. */
static void test_steps_grow(void **state)
{
    (void)state;
    struct mining_net *net;
    assert_int_equal(mining_net_build(NULL, NULL, &net), 0);
    struct mining_pass *p;
    assert_int_equal(mining_pass_new(net, &p), 0);
    int32_t s0;
    assert_int_equal(mining_net_intern(net, "s0", 2, &s0), 0);
    struct mining_event first[] = {{1, 10, 1, s0, MINING_CREATE}, {1, 20, 1, s0, MINING_COMPLETE}};
    assert_int_equal(mining_pass_add(p, first, 2), 0);
    for (int i = 1; i <= 100; i++) {
        char id[16];
        int32_t st;
        int len = snprintf(id, sizeof id, "s%d", i);
        assert_int_equal(mining_net_intern(net, id, (size_t)len, &st), 0);
        struct mining_event e[] = {{i + 1, 100, 1000 + i, st, MINING_CREATE},
                                   {i + 1, 160, 1000 + i, st, MINING_COMPLETE}};
        assert_int_equal(mining_pass_add(p, e, 2), 0);
    }
    struct mining_event again[] = {{1, 200, 2, s0, MINING_CREATE},
                                   {1, 300, 2, s0, MINING_COMPLETE}};
    assert_int_equal(mining_pass_add(p, again, 2), 0);
    struct mining_result *r;
    assert_int_equal(mining_pass_finish(p, &r), 0);
    mining_pass_free(p);
    assert_int_equal(r->n_steps, 101);
    assert_int_equal(r->steps[s0].executions, 2);
    assert_int_equal(r->steps[s0].cases, 1);
    assert_int_equal(r->steps[s0].median_s, 10); /* 10 and 100: rank 1 */
    assert_int_equal(r->steps[100].cases, 1);
    assert_int_equal(r->steps[100].median_s, 60);
    assert_int_equal(r->cases, 101);
    mining_result_free(r);
    mining_net_free(net);
}

/* Bad events are refused as a whole. */
static void test_invalid(void **state)
{
    (void)state;
    struct mining_net *net;
    assert_int_equal(mining_net_build(NULL, NULL, &net), 0);
    struct mining_result *r = NULL;
    struct mining_event zero_case = {0, 1, 0, -1, MINING_START};
    assert_int_equal(mining_compute(net, &zero_case, 1, &r), ERR_INVALID);
    struct mining_event bad_kind = {1, 1, 0, -1, 77};
    assert_int_equal(mining_compute(net, &bad_kind, 1, &r), ERR_INVALID);
    struct mining_event bad_step = {1, 1, 5, 3, MINING_CREATE};
    assert_int_equal(mining_compute(net, &bad_step, 1, &r), ERR_INVALID);
    struct mining_event no_task = {1, 1, 0, -1, MINING_COMPLETE};
    assert_int_equal(mining_compute(net, &no_task, 1, &r), ERR_INVALID);
    assert_null(r);
    assert_int_equal(mining_compute(net, NULL, 0, &r), 0);
    assert_int_equal(r->cases, 0);
    assert_int_equal(r->cycle_median_s, 0);
    mining_result_free(r);
    mining_net_free(net);
    assert_true(mining_percent(1, 3) == 33.3);
    assert_true(mining_percent(2, 3) == 66.7);
    assert_true(mining_percent(0, 0) == 0.0);
}

/* ---- model versions on a real data directory ------------------------------ */

#define WF_HEAD                                                                                    \
    "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'"                   \
    " xmlns:rathaus='urn:rathaus:bpmn' id='D' targetNamespace='urn:test'>"                         \
    "<bpmn:process id='P' name='Zwei Schritte' isExecutable='true'><bpmn:startEvent id='S'/>"      \
    "<bpmn:userTask id='A' name='Prüfen' rathaus:unit='32'/>"                                     \
    "<bpmn:userTask id='B' name='Bescheiden' rathaus:unit='32'/><bpmn:endEvent id='E'/>"
#define WF_FLOW(id, a, b) "<bpmn:sequenceFlow id='" id "' sourceRef='" a "' targetRef='" b "'/>"
#define WF_TAIL "</bpmn:process></bpmn:definitions>"

/* Version 1 runs A then B, version 2 B then A: a case of one version does
 * not fit the other. */
static const char v1_xml[] =
    WF_HEAD WF_FLOW("f1", "S", "A") WF_FLOW("f2", "A", "B") WF_FLOW("f3", "B", "E") WF_TAIL;
static const char v2_xml[] =
    WF_HEAD WF_FLOW("f1", "S", "B") WF_FLOW("f2", "B", "A") WF_FLOW("f3", "A", "E") WF_TAIL;

static const struct rec_actor SYS = {"amt32", 0, 0, true};

static void wf_deploy_ok(struct fx *f, const char *xml, int want_version)
{
    struct wf_deployment d;
    assert_int_equal(wf_deploy(f->s, "test", xml, strlen(xml), "t.bpmn", "svc", &d, NULL, NULL), 0);
    assert_int_equal(d.version, want_version);
}

/* Starts svc on a new case of office 32; returns the instance id. */
static int64_t wf_case(struct fx *f)
{
    struct rec_actor a = rec_actor_system("test");
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    assert_int_equal(
        rec_file_create(f->s, &a, "32.30.01", 32, "Fundsachen", "Beispiel", fref, NULL, NULL), 0);
    assert_int_equal(rec_case_create(f->s, &a, fref, "Antrag", NULL, cref, NULL), 0);
    int64_t id = 0;
    assert_int_equal(wf_start(f->s, "test", "svc", cref, NULL, &id), 0);
    return id;
}

/* Completes the open task at node of instance id. */
static void wf_do(struct fx *f, int64_t id, const char *node)
{
    json_t *o = NULL, *t;
    size_t i;
    int64_t task = 0;
    assert_int_equal(wf_instance_get(f->s, id, &o), 0);
    json_array_foreach(json_object_get(o, "tasks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "node")), node) == 0 &&
            strcmp(json_string_value(json_object_get(t, "state")), "open") == 0)
            task = json_integer_value(json_object_get(t, "id"));
    }
    json_decref(o);
    assert_true(task > 0);
    assert_int_equal(wf_task_complete(f->s, &SYS, task, NULL, NULL), 0);
}

/* Turns the wf.* entries of one version into mining events over a net of
 * the test's choosing (what mining_load.c does), to replay a version's
 * cases against the other version's model. */
struct cross {
    struct mining_net *net;
    struct mining_event ev[64];
    size_t n;
};

static int cross_event(void *arg, const struct wf_event *e)
{
    struct cross *x = arg;
    static const struct {
        const char *action;
        enum mining_kind kind;
    } map[] = {{"wf.instance.start", MINING_START},
               {"wf.instance.end", MINING_END},
               {"wf.task.create", MINING_CREATE},
               {"wf.task.complete", MINING_COMPLETE}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(e->action, map[i].action) != 0)
            continue;
        int32_t step = -1;
        if (map[i].kind >= MINING_CREATE &&
            mining_net_intern(x->net, e->node, strlen(e->node), &step))
            return ERR_NOMEM;
        assert_true(x->n < 64);
        x->ev[x->n++] =
            (struct mining_event){e->instance, e->at, e->task, step, (uint8_t)map[i].kind};
    }
    return 0;
}

/* The cases of version `of` replayed against the model of version `against`. */
static struct mining_result *cross_replay(struct fx *f, int64_t of, int64_t against)
{
    struct bpmn_model *m;
    const struct bpmn_process *p;
    static struct cross x;
    memset(&x, 0, sizeof x);
    assert_int_equal(wf_model_load(f->s, against, &m, &p), 0);
    assert_int_equal(mining_net_build(m, p, &x.net), 0);
    bpmn_free(m);
    assert_int_equal(wf_events_each(f->s, "svc", of, cross_event, &x), 0);
    struct mining_result *r;
    assert_int_equal(mining_compute(x.net, x.ev, x.n, &r), 0);
    mining_net_free(x.net);
    return r;
}

static int count_event(void *arg, const struct wf_event *e)
{
    if (strcmp(e->action, "wf.instance.start") == 0)
        ++*(int *)arg;
    return 0;
}

static void test_versions(void **state)
{
    (void)state;
    struct fx *f;
    assert_int_equal(fx_open("mining", &f), 0);
    wf_deploy_ok(f, v1_xml, 1);
    int64_t c1 = wf_case(f), c2 = wf_case(f);
    wf_do(f, c1, "A");
    wf_do(f, c1, "B"); /* c1 ends */
    wf_do(f, c2, "A"); /* c2 stays open at B */
    wf_deploy_ok(f, v2_xml, 2);
    int64_t c3 = wf_case(f);
    wf_do(f, c3, "B");
    wf_do(f, c3, "A");

    struct wf_model_version *v;
    size_t n;
    assert_int_equal(wf_service_versions(f->s, "svc", &v, &n), 0);
    assert_int_equal(n, 2); /* newest first */
    assert_int_equal(v[0].version, 2);
    assert_true(v[0].current);
    assert_int_equal(v[0].instances, 1);
    assert_int_equal(v[0].running, 0);
    assert_int_equal(v[1].version, 1);
    assert_false(v[1].current);
    assert_int_equal(v[1].instances, 2);
    assert_int_equal(v[1].running, 1);
    assert_string_equal(v[1].process_id, "P");
    assert_string_equal(v[1].name, "Zwei Schritte");
    assert_int_equal(strlen(v[1].deployed_at), 20);
    int64_t m1 = v[1].model, m2 = v[0].model;
    free(v);
    struct wf_model_version *none;
    assert_int_equal(wf_service_versions(f->s, "gibt-es-nicht", &none, &n), ERR_NOTFOUND);

    /* the event walk by version */
    int started = 0;
    assert_int_equal(wf_events_each(f->s, "svc", m1, count_event, &started), 0);
    assert_int_equal(started, 2);
    started = 0;
    assert_int_equal(wf_events_each(f->s, "svc", m2, count_event, &started), 0);
    assert_int_equal(started, 1);
    started = 0;
    assert_int_equal(wf_events_each(f->s, "svc", 0, count_event, &started), 0);
    assert_int_equal(started, 3);

    /* a version's model */
    struct bpmn_model *bm;
    const struct bpmn_process *bp;
    assert_int_equal(wf_model_load(f->s, 99999, &bm, &bp), ERR_NOTFOUND);

    /* each version's cases fit their own version ... */
    struct mining_result *r;
    assert_int_equal(mining_service(f->s, "svc", m1, &r), 0);
    assert_int_equal(r->has_model, 1);
    assert_int_equal(r->cases, 2);
    assert_int_equal(r->closed, 1);
    assert_int_equal(r->fitting, 2);
    assert_int_equal(find(r, "A")->executions, 2);
    assert_int_equal(find(r, "A")->deviations, 0);
    assert_int_equal(find(r, "B")->executions, 1);
    assert_int_equal(r->n_variants, 1);
    variant_is(r, 0, "AB", 1);
    mining_result_free(r);
    assert_int_equal(mining_service(f->s, "svc", m2, &r), 0);
    assert_int_equal(r->cases, 1);
    assert_int_equal(r->fitting, 1);
    assert_int_equal(find(r, "B")->deviations, 0);
    variant_is(r, 0, "BA", 1);
    mining_result_free(r);

    /* ... and not the other one */
    r = cross_replay(f, m1, m2);
    assert_int_equal(r->cases, 2);
    assert_int_equal(r->fitting, 0);
    assert_true(find(r, "A")->deviations >= 1);
    mining_result_free(r);
    r = cross_replay(f, m2, m1);
    assert_int_equal(r->cases, 1);
    assert_int_equal(r->fitting, 0);
    mining_result_free(r);

    /* all versions: every case, the deployed model's steps, no replay */
    assert_int_equal(mining_service(f->s, "svc", 0, &r), 0);
    assert_int_equal(r->has_model, 0);
    assert_int_equal(r->cases, 3);
    assert_int_equal(r->closed, 2);
    assert_int_equal(r->fitting, 0);
    assert_int_equal(find(r, "A")->executions, 3);
    assert_int_equal(find(r, "A")->in_model, 1);
    assert_int_equal(find(r, "A")->deviations, 0);
    assert_int_equal(r->distinct_variants, 2);
    mining_result_free(r);
    assert_int_equal(mining_service(f->s, "gibt-es-nicht", 0, &r), ERR_NOTFOUND);
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures),      cmocka_unit_test(test_without_model),
        cmocka_unit_test(test_unknown_step), cmocka_unit_test(test_month_dst),
        cmocka_unit_test(test_pieces),       cmocka_unit_test(test_steps_grow),
        cmocka_unit_test(test_invalid),      cmocka_unit_test(test_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
