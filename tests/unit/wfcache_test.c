/* Unit tests of the parsed-model cache: a second get is served without
 * parsing, entries are keyed by content (two data directories with the same
 * model id do not mix), the cache stays bounded and an entry pushed out
 * while in use stays valid until put, and threads share it safely. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "workflow/deploy.h"
#include "workflow/workflow_int.h"

#include "fixture.h"

#define N_MODELS (WF_MODEL_CACHE + 8)

/* Deploys a one-task model with process id pid; returns its model id. */
static int64_t deploy(struct fx *f, const char *pid)
{
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'"
             " xmlns:rathaus='urn:rathaus:bpmn' id='D' targetNamespace='urn:t'>"
             "<bpmn:process id='%s' isExecutable='true'><bpmn:startEvent id='s'/>"
             "<bpmn:userTask id='t' rathaus:unit='32'/><bpmn:endEvent id='e'/>"
             "<bpmn:sequenceFlow id='f1' sourceRef='s' targetRef='t'/>"
             "<bpmn:sequenceFlow id='f2' sourceRef='t' targetRef='e'/></bpmn:process>"
             "</bpmn:definitions>",
             pid);
    struct wf_deployment d;
    assert_int_equal(wf_deploy(f->s, "test", xml, strlen(xml), "t.bpmn", pid, &d, NULL, NULL), 0);
    return d.model_id;
}

static void test_hit_and_content_key(void **state)
{
    (void)state;
    struct fx *a, *b;
    assert_int_equal(fx_open("wfcache", &a), 0);
    assert_int_equal(fx_open("wfcache", &b), 0);
    wf__model_cache_clear();
    int64_t ia = deploy(a, "Erster"), ib = deploy(b, "Zweiter");
    assert_int_equal(ia, ib); /* the same row id in both directories */
    uint64_t h0, m0, h1, m1;
    size_t n;
    wf__model_cache_stats(&h0, &m0, &n);
    const struct wf__model *x, *y, *z;
    assert_int_equal(wf__model_get(a->s, NULL, ia, &x), 0);
    assert_int_equal(wf__model_get(a->s, NULL, ia, &y), 0);
    assert_ptr_equal(x, y);
    assert_string_equal(x->p->id, "Erster");
    assert_int_equal(wf__model_get(b->s, NULL, ib, &z), 0);
    assert_string_equal(z->p->id, "Zweiter");
    wf__model_cache_stats(&h1, &m1, &n);
    assert_int_equal(h1 - h0, 1);
    assert_int_equal(m1 - m0, 2);
    wf__model_put(x);
    wf__model_put(y);
    wf__model_put(z);
    assert_int_equal(wf__model_get(a->s, NULL, 999, &x), ERR_NOTFOUND);
    wf__model_cache_clear();
    fx_close(a);
    fx_close(b);
}

static void test_bounded(void **state)
{
    (void)state;
    struct fx *f;
    assert_int_equal(fx_open("wfcache", &f), 0);
    wf__model_cache_clear();
    int64_t ids[N_MODELS];
    for (int i = 0; i < N_MODELS; i++) {
        char pid[16];
        snprintf(pid, sizeof pid, "P%d", i);
        ids[i] = deploy(f, pid);
    }
    const struct wf__model *held;
    assert_int_equal(wf__model_get(f->s, NULL, ids[0], &held), 0);
    for (int round = 0; round < 2; round++)
        for (int i = 1; i < N_MODELS; i++) {
            const struct wf__model *m;
            assert_int_equal(wf__model_get(f->s, NULL, ids[i], &m), 0);
            char pid[16];
            snprintf(pid, sizeof pid, "P%d", i);
            assert_string_equal(m->p->id, pid);
            wf__model_put(m);
        }
    uint64_t h, miss;
    size_t n;
    wf__model_cache_stats(&h, &miss, &n);
    assert_true(n <= WF_MODEL_CACHE);
    /* pushed out long ago, still readable while held */
    assert_string_equal(held->p->id, "P0");
    assert_non_null(bpmn_find_node(held->m, "t"));
    wf__model_put(held);
    wf__model_cache_clear();
    fx_close(f);
}

struct worker {
    struct fx *f; /* shared data directory */
    int64_t *ids; /* N_MODELS model ids */
    int seed;     /* start offset */
    int failures; /* wrong or failed gets */
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < 400; k++) {
        int i = (w->seed * 7 + k * 13) % N_MODELS;
        const struct wf__model *m;
        char pid[16];
        snprintf(pid, sizeof pid, "P%d", i);
        if (wf__model_get(w->f->s, NULL, w->ids[i], &m) || strcmp(m->p->id, pid) != 0 ||
            !bpmn_find_node(m->m, "t"))
            w->failures++;
        else
            wf__model_put(m);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct fx *f;
    assert_int_equal(fx_open("wfcache", &f), 0);
    wf__model_cache_clear();
    int64_t ids[N_MODELS];
    for (int i = 0; i < N_MODELS; i++) {
        char pid[16];
        snprintf(pid, sizeof pid, "P%d", i);
        ids[i] = deploy(f, pid);
    }
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.f = f, .ids = ids, .seed = i};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    wf__model_cache_clear();
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_and_content_key),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
