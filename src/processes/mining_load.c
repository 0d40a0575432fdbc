/* Process mining on the real event log: the wf.* journal entries of one
 * service (all its cases, or those of one model version), read through the
 * workflow's public read API (workflow/events.h), become mining events over
 * the net of that version's model (all cases: the deployed model, without
 * replay), handed to the computation in pieces as they are read. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mining.h"
#include "workflow/events.h"

#define LOAD_BUFFER 4096 /* events handed to the pass at a time */

/* One load: the net, the running pass and a buffer of events for it, so
 * memory stays proportional to cases, however long the log. */
struct load {
    struct mining_net *net;              /* steps */
    struct mining_pass *pass;            /* the computation */
    struct mining_event ev[LOAD_BUFFER]; /* events not yet handed over */
    size_t n;                            /* used of ev */
    bool named[MINING_MAX_STEPS];        /* steps whose task name was taken from the log */
};

static int kind_of(const char *action)
{
    static const struct {
        const char *action;
        enum mining_kind kind;
    } map[] = {
        {"wf.instance.start", MINING_START}, {"wf.instance.end", MINING_END},
        {"wf.task.create", MINING_CREATE},   {"wf.task.claim", MINING_CLAIM},
        {"wf.task.unclaim", MINING_UNCLAIM}, {"wf.task.complete", MINING_COMPLETE},
        {"wf.task.cancel", MINING_CANCEL},   {"wf.timer.fire", MINING_TIMER},
        {"wf.gateway", MINING_GATEWAY},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(action, map[i].action) == 0)
            return map[i].kind;
    return 0;
}

static int on_event(void *arg, const struct wf_event *e)
{
    struct load *l = arg;
    int kind = kind_of(e->action);
    if (!kind || e->instance <= 0)
        return 0; /* notify, resubmission, action: not figures of their own */
    bool task_kind = kind >= MINING_CREATE && kind <= MINING_CANCEL;
    if ((task_kind && e->task <= 0) || ((task_kind || kind == MINING_TIMER) && !*e->node))
        return 0; /* an entry without its task or node cannot be placed */
    int32_t step = -1;
    int rc;
    if (*e->node && (rc = mining_net_intern(l->net, e->node, strlen(e->node), &step)))
        return rc;
    if (kind == MINING_CREATE && *e->name && !l->named[step]) {
        if ((rc = mining_net_set_name(l->net, step, e->name)))
            return rc;
        l->named[step] = true;
    }
    if (l->n == LOAD_BUFFER) {
        if ((rc = mining_pass_add(l->pass, l->ev, l->n)))
            return rc;
        l->n = 0;
    }
    l->ev[l->n++] =
        (struct mining_event){e->instance, e->at, task_kind ? e->task : 0, step, (uint8_t)kind};
    return 0;
}

int mining_service(struct store *s, const char *service_key, int64_t model,
                   struct mining_result **ret)
{
    struct bpmn_model *m = NULL;
    const struct bpmn_process *p = NULL;
    struct load *l = calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM;
    int rc = model > 0 ? wf_model_load(s, model, &m, &p) : wf_service_model(s, service_key, &m, &p);
    if (!rc) {
        rc = mining_net_build(m, p, &l->net);
        bpmn_free(m);
    }
    if (!rc && model <= 0)
        mining_net_replay_off(l->net);
    if (!rc)
        rc = mining_pass_new(l->net, &l->pass);
    if (!rc)
        rc = wf_events_each(s, service_key, model > 0 ? model : 0, on_event, l);
    if (!rc)
        rc = mining_pass_add(l->pass, l->ev, l->n);
    if (!rc)
        rc = mining_pass_finish(l->pass, ret);
    mining_pass_free(l->pass);
    mining_net_free(l->net);
    free(l);
    return rc;
}
