/* Inside process mining: the compiled net (steps and the places and
 * transitions of the token replay) shared by mining_net.c, which builds it
 * and replays executions on it, and mining.c, which computes the figures. */
#ifndef RATHAUS_PROCESSES_MINING_INT_H
#define RATHAUS_PROCESSES_MINING_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "mining.h"

#define MINING__HASH_CAP 8192 /* slots of the id hash: twice MINING_MAX_STEPS */

/* One step: a flow node of the model or an id only the log knows. */
struct mining__node {
    const char *id;    /* node id (net arena) */
    const char *name;  /* display name (net arena), "" when none */
    bool in_model;     /* a node of the model */
    bool task;         /* userTask: completed through tasks */
    bool timer;        /* a catching timer event (intermediate or boundary) */
    bool and_join;     /* parallel gateway: needs a token on every incoming flow */
    bool and_split;    /* puts a token on every outgoing flow (else on one of them) */
    int32_t attached;  /* boundary event: node index of its activity, else -1 */
    bool interrupting; /* boundary event that cancels its activity */
    uint32_t in_off;   /* first incoming flow in net.adj */
    uint32_t n_in;     /* incoming flows */
    uint32_t out_off;  /* first outgoing flow in net.adj */
    uint32_t n_out;    /* outgoing flows (as the replay produces them) */
};

struct mining_net {
    struct arena arena;             /* ids, names, adjacency */
    struct mining__node *nodes;     /* steps: model nodes first, document order */
    size_t n_nodes;                 /* length of nodes */
    size_t cap_nodes;               /* allocated length of nodes */
    size_t n_model;                 /* nodes of the model (the first n_model) */
    bool has_model;                 /* built from a model */
    uint32_t *adj;                  /* flow indices referenced by in_off/out_off */
    int32_t *flow_src;              /* per flow (place): its source node, -1 if unknown */
    size_t n_flows;                 /* places */
    uint32_t *start;                /* places marked when a case starts */
    size_t n_start;                 /* length of start */
    int32_t hash[MINING__HASH_CAP]; /* open addressing over ids: node index + 1, 0 empty */
};

/* Scratch space of one replay run, sized for net (mining__replay_init). */
struct mining__replay {
    const struct mining_net *net; /* the net */
    uint8_t *onstack;             /* per node: on the current pull path */
};

/* Prepares r for net. ERR_NOMEM. */
int mining__replay_init(struct mining__replay *r, const struct mining_net *net) WUR;

/* Frees r's scratch space. */
void mining__replay_release(struct mining__replay *r);

/* Puts the start marking into m (net->n_flows counters, zeroed by the caller). */
void mining__replay_start(const struct mining_net *net, uint16_t *m);

/* Replays one execution of step on marking m: fires silent nodes (gateways,
 * events, service tasks) as needed to enable step, consumes its token and
 * produces its outgoing tokens. Returns 1 when step was enabled, 0 when it
 * was not (its tokens are produced anyway, so the replay goes on), or
 * ERR_NOMEM. */
int mining__replay_fire(struct mining__replay *r, uint16_t *m, int32_t step);

#endif
