/* Process mining: figures computed from a workflow event log (one process or
 * service) in one pass over its events plus a few selections and sorts —
 * case counts, cycle times, waiting versus working time per step, the share
 * of cases that followed the model (token replay over the BPMN sequence
 * flows), the most frequent variants and the throughput per month.
 *
 * The core is pure: it takes an event array and a net compiled from the
 * model and touches neither the store nor the clock, so the unit test can
 * feed it a synthetic log whose figures are known by construction. Memory is
 * proportional to cases and tasks, not to events. Definitions of every figure
 * for staff are in docs/prozessanalyse.md. */
#ifndef RATHAUS_PROCESSES_MINING_H
#define RATHAUS_PROCESSES_MINING_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "workflow/bpmn.h"

#define MINING_MAX_STEPS 4096     /* distinct node ids of one log (model nodes included) */
#define MINING_MAX_EVENTS 5000000 /* events of one computation */
#define MINING_TOP_VARIANTS 10    /* variants reported */

/* What an event says happened. */
enum mining_kind {
    MINING_START = 1, /* the case (workflow instance) started */
    MINING_END,       /* the case ended */
    MINING_CREATE,    /* a task of step was created (it waits in an inbox) */
    MINING_CLAIM,     /* the task was claimed (work starts) */
    MINING_UNCLAIM,   /* the claim was given back (ignored by the figures) */
    MINING_COMPLETE,  /* the task was completed */
    MINING_CANCEL,    /* the task was cancelled (an interrupting timer, …) */
    MINING_TIMER,     /* the timer event step fired */
    MINING_GATEWAY,   /* a gateway decided (not needed by the replay; counted only) */
};

/* One event of the log. Events of one case must be in the order they
 * happened; events of different cases may interleave in any way. */
struct mining_event {
    int64_t case_id; /* case (instance) id, > 0 */
    int64_t at;      /* Unix seconds, UTC */
    int64_t task;    /* task id (> 0) of CREATE, CLAIM, UNCLAIM, COMPLETE, CANCEL; else 0 */
    int32_t step;    /* index from mining_net_intern, -1 for START, END */
    uint8_t kind;    /* enum mining_kind */
};

/* The step dictionary and, when built from a model, the Petri net of its
 * sequence flows that the replay runs on. Opaque. */
struct mining_net;

/* Compiles process p of model m (both borrowed only during the call) into a
 * net: every flow node becomes a step (in document order, subprocesses
 * flattened), every sequence flow a place. m may be NULL for a log without
 * a model (no replay; every case then counts as not fitting and the result
 * says has_model = 0). *ret is freed with mining_net_free. ERR_NOMEM,
 * ERR_TOOBIG above MINING_MAX_STEPS nodes. */
int mining_net_build(const struct bpmn_model *m, const struct bpmn_process *p,
                     struct mining_net **ret) WUR;

/* Frees a net; accepts NULL. */
void mining_net_free(struct mining_net *net);

/* Keeps the model's steps (their order, names and in_model) but switches the
 * replay off, for a log whose cases ran under different model versions: no
 * case then counts as fitting, no execution as a deviation, and the result
 * says has_model = 0. Call before mining_pass_new. */
void mining_net_replay_off(struct mining_net *net);

/* Returns in *ret the step index of node id id (len bytes), adding it as a
 * step outside the model when the model does not know it. Intern every
 * event's node before mining_compute. ERR_TOOBIG past MINING_MAX_STEPS,
 * ERR_NOMEM. */
int mining_net_intern(struct mining_net *net, const char *id, size_t len, int32_t *ret) WUR;

/* Sets the display name of step i (copied); a step without one shows its id.
 * ERR_NOMEM; ERR_INVALID for an index out of range. */
int mining_net_set_name(struct mining_net *net, int32_t i, const char *name) WUR;

/* Figures of one step. Durations are seconds; quantiles use the nearest-rank
 * method (the value at rank ceil(q·n) of the sorted values), 0 when n = 0. */
struct mining_step {
    const char *id;        /* node id (owned by the result) */
    const char *name;      /* display name, the id when the model has none */
    int visible;           /* 1: a user task, a timer event or a node outside the model */
    int task;              /* 1: a user task (has waiting and working time) */
    int in_model;          /* 1: the node is in the model */
    int64_t executions;    /* completed tasks (timers: firings) */
    int64_t cases;         /* distinct cases with at least one execution */
    int64_t timed;         /* executions with a known creation time (the n of the durations) */
    int64_t median_s;      /* median of created → completed */
    int64_t p90_s;         /* 90th percentile of created → completed */
    int64_t wait_median_s; /* median waiting: created → first claim (→ completed unclaimed) */
    int64_t work_median_s; /* median working: first claim → completed (0 unclaimed) */
    int64_t wait_sum_s;    /* sum of waiting times */
    int64_t work_sum_s;    /* sum of working times */
    int64_t deviations;    /* executions the model did not enable at that moment */
};

/* One variant: the sequence of completed tasks of closed cases. */
struct mining_variant {
    const int32_t *steps; /* step indices in order (owned by the result) */
    size_t n_steps;       /* length of steps (0: no task completed) */
    int64_t cases;        /* closed cases that took exactly this sequence */
};

/* Closed cases per calendar month in Europe/Berlin time. */
struct mining_month {
    int year;          /* 2026 */
    int month;         /* 1–12 */
    int64_t completed; /* cases whose end lies in that month */
};

/* All figures of one log. */
struct mining_result {
    int64_t events;            /* events read */
    int64_t cases;             /* distinct cases */
    int64_t closed;            /* cases with an END event */
    int64_t open;              /* cases without one (excluded from cycle and variant figures) */
    int64_t cycle_median_s;    /* median of start → end of closed cases */
    int64_t cycle_p90_s;       /* 90th percentile of it */
    int64_t cycle_mean_s;      /* arithmetic mean, rounded down */
    int has_model;             /* 1 when a model was replayed */
    int64_t fitting;           /* cases in which every execution was enabled */
    struct mining_step *steps; /* one per step of the net: model order, then unknown */
    size_t n_steps;            /* length of steps */
    struct mining_variant *variants; /* the most frequent, at most MINING_TOP_VARIANTS */
    size_t n_variants;               /* length of variants */
    int64_t distinct_variants;       /* how many variants the closed cases took */
    struct mining_month *months;     /* ascending, only months with closed cases */
    size_t n_months;                 /* length of months */
    struct arena arena;              /* owns steps, variants, months and their strings */
};

/* Computes every figure of the n events (borrowed) with net (its steps must
 * cover every event's step). Ties between variants of equal count are
 * ordered by their step ids, compared element by element. *ret is freed with
 * mining_result_free. ERR_INVALID for an event with an unknown kind, a step
 * out of range or a case id <= 0; ERR_TOOBIG above MINING_MAX_EVENTS;
 * ERR_NOMEM. */
int mining_compute(const struct mining_net *net, const struct mining_event *ev, size_t n,
                   struct mining_result **ret) WUR;

/* The same computation fed in pieces, so a caller reading a long log keeps
 * only a buffer of events, not all of them. Opaque. */
struct mining_pass;

/* Starts a pass over net (borrowed until mining_pass_free; steps may be
 * interned into it between pieces). ERR_NOMEM. */
int mining_pass_new(const struct mining_net *net, struct mining_pass **ret) WUR;

/* Adds the next n events (borrowed only during the call), in log order.
 * Errors as mining_compute; ERR_TOOBIG once MINING_MAX_EVENTS are added in
 * total. After an error only mining_pass_free is allowed. */
int mining_pass_add(struct mining_pass *p, const struct mining_event *ev, size_t n) WUR;

/* Computes the figures of everything added into *ret (free with
 * mining_result_free). ERR_NOMEM. */
int mining_pass_finish(struct mining_pass *p, struct mining_result **ret) WUR;

/* Frees a pass; accepts NULL. */
void mining_pass_free(struct mining_pass *p);

/* Frees a result; accepts NULL. */
void mining_result_free(struct mining_result *r);

struct store;

/* Reads the event log of service service_key through the workflow's read
 * API (workflow/events.h) and computes every figure into *ret (free with
 * mining_result_free). With model > 0 (a wf_model_version.model of the
 * service) only the cases started under that model version are read, and
 * they are replayed against that version. With model = 0 every case is
 * read; the steps follow the deployed model but nothing is replayed
 * (has_model = 0), because the cases ran under different versions.
 * ERR_NOTFOUND for a service without a deployment or an unknown model,
 * ERR_TOOBIG above MINING_MAX_EVENTS, store errors, ERR_NOMEM.
 * (mining_load.c) */
int mining_service(struct store *s, const char *service_key, int64_t model,
                   struct mining_result **ret) WUR;

/* For `rathaus init --demo`: drives 48 cases of the co-signature process
 * (data/bpmn/mitzeichnung.bpmn, deployed for service before) through the
 * engine to their end on a clock set back over the last eleven months, in
 * one transaction, journaled first as demo.history. The process analysis
 * then has figures to show. (mining_demo.c) */
int mining_demo_seed(struct store *s, const char *service) WUR;

struct http_router;

/* Registers the staff pages /prozesse/analyse, /prozesse/analyse/<service>
 * and its CSV export with router (mining_pages.c). ERR_NOMEM. */
int mining_register(struct http_router *router) WUR;

/* Share num/den in percent rounded to one decimal (0 when den is 0). */
double mining_percent(int64_t num, int64_t den);

#endif
