/* The net of process mining: a BPMN process compiled into steps (flow nodes)
 * and places (sequence flows), and the token replay over it. A case starts
 * with a token on the outgoing flows of the start event; every completed
 * task or fired timer of the log must find a token on one of its incoming
 * flows, where silent nodes (gateways, events, service tasks) may fire first
 * to bring one there; a parallel gateway needs a token on each incoming flow.
 * Subprocesses are flattened: entering one marks the flows after its inner
 * start event, its inner end events mark the flows after the subprocess. */
#include <stdlib.h>
#include <string.h>

#include "mining_int.h"

#define NET_ARENA_CAP ((size_t)64 << 20) /* bytes of ids, names and adjacency */

static uint32_t hash_id(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

/* The index of id, or -1; *ret_slot gets the slot where it is or would go. */
static int32_t net_find(const struct mining_net *net, const char *id, size_t len, size_t *ret_slot)
{
    size_t slot = hash_id(id, len) & (MINING__HASH_CAP - 1);
    for (;;) {
        int32_t v = net->hash[slot];
        if (!v)
            break;
        const char *z = net->nodes[v - 1].id;
        if (strncmp(z, id, len) == 0 && z[len] == '\0')
            return v - 1;
        slot = (slot + 1) & (MINING__HASH_CAP - 1);
    }
    *ret_slot = slot;
    return -1;
}

int mining_net_intern(struct mining_net *net, const char *id, size_t len, int32_t *ret)
{
    size_t slot = 0;
    int32_t i = net_find(net, id, len, &slot);
    if (i >= 0) {
        *ret = i;
        return 0;
    }
    if (net->n_nodes >= MINING_MAX_STEPS)
        return ERR_TOOBIG;
    if (net->n_nodes == net->cap_nodes) {
        size_t cap = net->cap_nodes ? net->cap_nodes * 2 : 32;
        struct mining__node *g = realloc(net->nodes, cap * sizeof *g);
        if (!g)
            return ERR_NOMEM;
        net->nodes = g;
        net->cap_nodes = cap;
    }
    char *z = arena_strndup(&net->arena, id, len);
    if (!z)
        return ERR_NOMEM;
    net->nodes[net->n_nodes] =
        (struct mining__node){.id = z, .name = "", .attached = -1, .and_split = true};
    net->hash[slot] = (int32_t)net->n_nodes + 1;
    *ret = (int32_t)net->n_nodes++;
    return 0;
}

int mining_net_set_name(struct mining_net *net, int32_t i, const char *name)
{
    if (i < 0 || (size_t)i >= net->n_nodes)
        return ERR_INVALID;
    const char *z = arena_strdup(&net->arena, name);
    if (!z)
        return ERR_NOMEM;
    net->nodes[i].name = z;
    return 0;
}

static bool has_timer(const struct bpmn_node *n)
{
    for (const struct bpmn_event_def *d = n->event_defs; d; d = d->next)
        if (strcmp(d->type, "timerEventDefinition") == 0)
            return true;
    return false;
}

/* Adds the nodes of sc and of its subprocesses, depth first. */
static int add_nodes(struct mining_net *net, const struct bpmn_scope *sc)
{
    for (const struct bpmn_node *n = sc->nodes; n; n = n->next) {
        int32_t i;
        int rc = mining_net_intern(net, n->id, strlen(n->id), &i);
        if (rc)
            return rc;
        struct mining__node *x = &net->nodes[i];
        if (x->in_model)
            continue; /* a duplicate id: the first one counts */
        x->in_model = true;
        if ((rc = mining_net_set_name(net, i, n->name)))
            return rc;
        x = &net->nodes[i];
        x->task = strcmp(n->type, "userTask") == 0;
        x->timer = n->kind == BPMN_KIND_EVENT && has_timer(n) &&
                   (strcmp(n->type, "intermediateCatchEvent") == 0 ||
                    strcmp(n->type, "boundaryEvent") == 0);
        x->and_join = strcmp(n->type, "parallelGateway") == 0;
        x->and_split = n->kind != BPMN_KIND_GATEWAY || x->and_join;
        x->interrupting = n->cancel_activity;
        if (n->inner && (rc = add_nodes(net, n->inner)))
            return rc;
    }
    return 0;
}

/* What the flows of all scopes look like, by node index. */
struct flows {
    int32_t *src, *dst; /* per flow: source and target node, -1 if unknown */
    size_t n, cap;      /* flows */
};

static int add_flows(struct mining_net *net, const struct bpmn_scope *sc, struct flows *fl)
{
    for (const struct bpmn_flow *f = sc->flows; f; f = f->next) {
        if (fl->n == fl->cap) {
            size_t cap = fl->cap ? fl->cap * 2 : 64;
            int32_t *a = realloc(fl->src, cap * sizeof *a);
            if (!a)
                return ERR_NOMEM;
            fl->src = a;
            int32_t *b = realloc(fl->dst, cap * sizeof *b);
            if (!b)
                return ERR_NOMEM;
            fl->dst = b;
            fl->cap = cap;
        }
        size_t slot;
        fl->src[fl->n] = net_find(net, f->source, strlen(f->source), &slot);
        fl->dst[fl->n] = net_find(net, f->target, strlen(f->target), &slot);
        fl->n++;
    }
    for (const struct bpmn_node *n = sc->nodes; n; n = n->next)
        if (n->inner) {
            int rc = add_flows(net, n->inner, fl);
            if (rc)
                return rc;
        }
    return 0;
}

/* Node index of the bpmn node n, -1 if it was not interned. */
static int32_t idx_of(const struct mining_net *net, const struct bpmn_node *n)
{
    size_t slot;
    return n ? net_find(net, n->id, strlen(n->id), &slot) : -1;
}

/* Per node of the model: its bpmn node, for the structure questions below. */
static void collect_bpmn(const struct mining_net *net, const struct bpmn_scope *sc,
                         const struct bpmn_node **by_idx)
{
    for (const struct bpmn_node *n = sc->nodes; n; n = n->next) {
        int32_t i = idx_of(net, n);
        if (i >= 0 && !by_idx[i])
            by_idx[i] = n;
        if (n->inner)
            collect_bpmn(net, n->inner, by_idx);
    }
}

/* First node of type among the direct children of subprocess s, or -1. */
static int32_t child_of_type(const struct mining_net *net, const struct bpmn_node *s,
                             const char *type)
{
    if (!s || !s->inner)
        return -1;
    for (const struct bpmn_node *n = s->inner->nodes; n; n = n->next)
        if (strcmp(n->type, type) == 0)
            return idx_of(net, n);
    return -1;
}

/* Builds the adjacency from the flows; see the file comment for the rules. */
static int build_adj(struct mining_net *net, const struct bpmn_node **by, const struct flows *fl)
{
    size_t nn = net->n_nodes, total = 0;
    /* effective source of each flow, for pulling a token back through it */
    net->flow_src = arena_alloc(&net->arena, (fl->n + 1) * sizeof *net->flow_src);
    if (!net->flow_src)
        return ERR_NOMEM;
    net->n_flows = fl->n;
    for (size_t f = 0; f < fl->n; f++) {
        int32_t s = fl->src[f];
        const struct bpmn_node *b = s >= 0 ? by[s] : NULL;
        if (b && b->inner) {
            int32_t e = child_of_type(net, b, "endEvent");
            s = e >= 0 ? e : s;
        } else if (b && b->parent && strcmp(b->type, "startEvent") == 0) {
            s = idx_of(net, b->parent);
        }
        net->flow_src[f] = s;
    }
    /* two rounds: count, then fill */
    for (int round = 0; round < 2; round++) {
        size_t at = 0;
        for (size_t i = 0; i < nn; i++) {
            struct mining__node *x = &net->nodes[i];
            const struct bpmn_node *b = by[i];
            uint32_t nin = 0, nout = 0;
            size_t in_off = at;
            for (size_t f = 0; f < fl->n; f++)
                if (fl->dst[f] == (int32_t)i) {
                    if (round)
                        net->adj[at] = (uint32_t)f;
                    at++, nin++;
                }
            size_t out_off = at;
            /* who produces: a subprocess marks the flows after its start
             * event, an inner end event those after its subprocess */
            int32_t from = (int32_t)i;
            if (b && b->inner)
                from = child_of_type(net, b, "startEvent");
            bool own_out = false;
            for (size_t f = 0; f < fl->n; f++)
                own_out = own_out || fl->src[f] == (int32_t)i;
            if (b && b->parent && !own_out && strcmp(b->type, "endEvent") == 0)
                from = idx_of(net, b->parent);
            for (size_t f = 0; from >= 0 && f < fl->n; f++)
                if (fl->src[f] == from) {
                    if (round)
                        net->adj[at] = (uint32_t)f;
                    at++, nout++;
                }
            if (round) {
                x->in_off = (uint32_t)in_off;
                x->n_in = nin;
                x->out_off = (uint32_t)out_off;
                x->n_out = nout;
            }
        }
        if (!round) {
            total = at;
            net->adj = arena_alloc(&net->arena, (total + 1) * sizeof *net->adj);
            if (!net->adj)
                return ERR_NOMEM;
        }
    }
    return 0;
}

void mining_net_replay_off(struct mining_net *net)
{
    net->has_model = false;
}

int mining_net_build(const struct bpmn_model *m, const struct bpmn_process *p,
                     struct mining_net **ret)
{
    struct mining_net *net = calloc(1, sizeof *net);
    const struct bpmn_node **by = NULL;
    struct flows fl = {0};
    int rc = ERR_NOMEM;
    if (!net)
        return ERR_NOMEM;
    arena_init(&net->arena, NET_ARENA_CAP);
    if (!m || !p) {
        rc = 0;
        goto done;
    }
    net->has_model = true;
    if ((rc = add_nodes(net, &p->scope)))
        goto done;
    net->n_model = net->n_nodes;
    rc = ERR_NOMEM;
    if (!(by = calloc(net->n_nodes + 1, sizeof *by)))
        goto done;
    collect_bpmn(net, &p->scope, by);
    for (size_t i = 0; i < net->n_nodes; i++)
        if (by[i] && by[i]->attached_to) {
            size_t slot;
            net->nodes[i].attached =
                net_find(net, by[i]->attached_to, strlen(by[i]->attached_to), &slot);
        }
    if ((rc = add_flows(net, &p->scope, &fl)) || (rc = build_adj(net, by, &fl)))
        goto done;
    for (const struct bpmn_node *n = p->scope.nodes; n; n = n->next)
        if (strcmp(n->type, "startEvent") == 0) {
            const struct mining__node *x = &net->nodes[idx_of(net, n)];
            net->start = net->adj + x->out_off;
            net->n_start = x->n_out;
            break;
        }
    rc = 0;
done:
    free(by);
    free(fl.src);
    free(fl.dst);
    if (rc) {
        mining_net_free(net);
        return rc;
    }
    *ret = net;
    return 0;
}

void mining_net_free(struct mining_net *net)
{
    if (!net)
        return;
    arena_release(&net->arena);
    free(net->nodes);
    free(net);
}

int mining__replay_init(struct mining__replay *r, const struct mining_net *net)
{
    r->net = net;
    r->onstack = calloc(net->n_nodes + 1, 1);
    return r->onstack ? 0 : ERR_NOMEM;
}

void mining__replay_release(struct mining__replay *r)
{
    free(r->onstack);
    r->onstack = NULL;
}

void mining__replay_start(const struct mining_net *net, uint16_t *m)
{
    for (size_t i = 0; i < net->n_start; i++)
        m[net->start[i]] = 1;
}

static void put(uint16_t *m, uint32_t f)
{
    if (m[f] < UINT16_MAX)
        m[f]++;
}

/* Brings a token onto flow f by firing silent nodes before it. Returns 1
 * with the token there, 0 (m unchanged) when no silent path can, or
 * ERR_NOMEM. */
static int pull(struct mining__replay *r, uint16_t *m, uint32_t f)
{
    const struct mining_net *net = r->net;
    if (m[f])
        return 1;
    int32_t s = net->flow_src[f];
    if (s < 0)
        return 0;
    const struct mining__node *x = &net->nodes[s];
    if (x->task || x->timer || x->attached >= 0 || !x->in_model || r->onstack[s] || !x->n_in)
        return 0;
    r->onstack[s] = 1;
    int ok = 0;
    const uint32_t *in = net->adj + x->in_off;
    if (x->and_join) {
        uint16_t *save = malloc(net->n_flows * sizeof *save + 1);
        if (!save) {
            ok = ERR_NOMEM;
            goto done;
        }
        memcpy(save, m, net->n_flows * sizeof *save);
        ok = 1;
        for (uint32_t k = 0; k < x->n_in && ok == 1; k++) {
            ok = pull(r, m, in[k]);
            if (ok == 1)
                m[in[k]]--;
        }
        if (ok != 1)
            memcpy(m, save, net->n_flows * sizeof *save);
        free(save);
    } else {
        for (uint32_t k = 0; k < x->n_in && !ok; k++) {
            ok = pull(r, m, in[k]);
            if (ok == 1)
                m[in[k]]--;
        }
    }
    if (ok == 1) {
        if (x->and_split) {
            for (uint32_t k = 0; k < x->n_out; k++)
                put(m, net->adj[x->out_off + k]);
        } else {
            put(m, f);
        }
    }
done:
    r->onstack[s] = 0;
    return ok;
}

/* Finds an incoming flow of node i that holds or can get a token: its
 * index in net->adj via *ret_flow. Returns 1, 0 or ERR_NOMEM. */
static int enable(struct mining__replay *r, uint16_t *m, int32_t i, uint32_t *ret_flow)
{
    const struct mining__node *x = &r->net->nodes[i];
    for (uint32_t k = 0; k < x->n_in; k++) {
        uint32_t f = r->net->adj[x->in_off + k];
        int ok = pull(r, m, f);
        if (ok) {
            *ret_flow = f;
            return ok;
        }
    }
    return 0;
}

int mining__replay_fire(struct mining__replay *r, uint16_t *m, int32_t step)
{
    const struct mining_net *net = r->net;
    const struct mining__node *x = &net->nodes[step];
    int ok = 0;
    uint32_t f = 0;
    if (!x->in_model)
        return 0;
    if (x->attached >= 0) {
        ok = enable(r, m, x->attached, &f);
        if (ok == 1 && x->interrupting)
            m[f]--;
    } else {
        ok = enable(r, m, step, &f);
        if (ok == 1)
            m[f]--;
    }
    if (ok < 0)
        return ok;
    for (uint32_t k = 0; k < x->n_out; k++)
        put(m, net->adj[x->out_off + k]);
    return ok;
}
