/* The figures of process mining in one pass over the events: a hash map
 * from case id to the case's state (times, replay marking, place in the
 * variant trie, which steps it saw) and one from open task id to its
 * creation and claim time; completed tasks leave their durations in one
 * array per step, and the quantiles are picked by selection at the end.
 * Variants are a trie of completed steps, so a case holds one trie index
 * instead of its sequence. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mining_int.h"

#define RESULT_ARENA_CAP ((size_t)256 << 20) /* bytes of one result */

/* ---- int64 → uint32 hash map (linear probing, backward-shift delete) ---- */

struct map {
    int64_t *keys;  /* 0 = empty slot */
    uint32_t *vals; /* values */
    size_t cap;     /* slots, a power of two */
    size_t n;       /* keys held */
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static void map_free(struct map *m)
{
    free(m->keys);
    free(m->vals);
}

static int map_resize(struct map *m, size_t cap)
{
    struct map g = {calloc(cap, sizeof *g.keys), malloc(cap * sizeof *g.vals), cap, 0};
    if (!g.keys || !g.vals) {
        map_free(&g);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t s = mix((uint64_t)m->keys[i]) & (cap - 1);
        while (g.keys[s])
            s = (s + 1) & (cap - 1);
        g.keys[s] = m->keys[i];
        g.vals[s] = m->vals[i];
        g.n++;
    }
    map_free(m);
    *m = g;
    return 0;
}

/* Pointer to the value of k, or NULL. */
static uint32_t *map_get(const struct map *m, int64_t k)
{
    if (!m->cap)
        return NULL;
    for (size_t s = mix((uint64_t)k) & (m->cap - 1);; s = (s + 1) & (m->cap - 1)) {
        if (m->keys[s] == k)
            return &m->vals[s];
        if (!m->keys[s])
            return NULL;
    }
}

/* Sets k (> 0) to v. */
static int map_put(struct map *m, int64_t k, uint32_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        int rc = map_resize(m, m->cap ? m->cap * 2 : 1024);
        if (rc)
            return rc;
    }
    size_t s = mix((uint64_t)k) & (m->cap - 1);
    while (m->keys[s] && m->keys[s] != k)
        s = (s + 1) & (m->cap - 1);
    if (!m->keys[s])
        m->n++;
    m->keys[s] = k;
    m->vals[s] = v;
    return 0;
}

static void map_del(struct map *m, int64_t k)
{
    if (!m->cap)
        return;
    size_t mask = m->cap - 1, s = mix((uint64_t)k) & mask;
    while (m->keys[s] != k) {
        if (!m->keys[s])
            return;
        s = (s + 1) & mask;
    }
    /* shift later members of the cluster back into the hole */
    size_t hole = s;
    for (size_t j = (s + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t home = mix((uint64_t)m->keys[j]) & mask;
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays)
            continue;
        m->keys[hole] = m->keys[j];
        m->vals[hole] = m->vals[j];
        hole = j;
    }
    m->keys[hole] = 0;
    m->n--;
}

/* ---- growable arrays ----------------------------------------------------- */

#define VEC_PUSH(v, n, cap, x)                                                                     \
    (((n) == (cap) && vec_grow((void **)&(v), &(cap), sizeof *(v))) ? ERR_NOMEM                    \
                                                                    : ((v)[(n)++] = (x), 0))

static int vec_grow(void **v, size_t *cap, size_t size)
{
    size_t nc = *cap ? *cap * 2 : 16;
    void *g = realloc(*v, nc * size);
    if (!g)
        return ERR_NOMEM;
    *v = g;
    *cap = nc;
    return 0;
}

struct i64s {
    int64_t *v;    /* values */
    size_t n, cap; /* used, allocated */
};

static int i64s_push(struct i64s *a, int64_t x)
{
    return VEC_PUSH(a->v, a->n, a->cap, x);
}

/* ---- quantiles ------------------------------------------------------------ */

/* The k-th smallest (0-based) of a[0..n), reordering a (quickselect). */
static int64_t select_k(int64_t *a, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (lo < hi) {
        int64_t x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
        int64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                int64_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            return a[kk];
    }
    return a[kk];
}

/* Nearest-rank quantile pct/100 of a[0..n): the value at rank ceil(pct·n/100). */
static int64_t quantile(int64_t *a, size_t n, unsigned pct)
{
    if (!n)
        return 0;
    size_t rank = (n * pct + 99) / 100;
    return select_k(a, n, rank ? rank - 1 : 0);
}

double mining_percent(int64_t num, int64_t den)
{
    if (den <= 0)
        return 0.0;
    int64_t permille = (num * 2000 + den) / (den * 2); /* rounded half up */
    return (double)permille / 10.0;
}

/* ---- the pass ------------------------------------------------------------- */

struct mcase {
    int64_t first;  /* time of its first event */
    int64_t start;  /* time of START, or first */
    int64_t end;    /* time of END */
    uint32_t trie;  /* variant trie node of the completed steps so far */
    bool has_start; /* START seen */
    bool has_end;   /* END seen */
    bool fit;       /* every execution was enabled */
};

struct mtask {
    int64_t created; /* CREATE time */
    int64_t claimed; /* first CLAIM time, -1 none */
    int32_t step;    /* its step */
};

struct trie {
    uint32_t parent; /* trie index of the prefix (0 = root, itself) */
    int32_t step;    /* last step of the sequence */
    uint32_t depth;  /* length of the sequence */
    int64_t closed;  /* closed cases ending exactly here */
};

struct stepacc {
    int64_t executions, cases, deviations, wait_sum, work_sum;
    struct i64s dur, wait, work; /* per timed execution */
};

struct mining_pass {
    const struct mining_net *net;
    size_t n_steps; /* steps accounted for in steps and seen */
    int64_t events; /* events added */
    struct map case_ix, task_ix, trie_ix;
    struct mcase *cases;
    size_t n_cases, cap_cases;
    uint16_t *marks; /* n_flows per case */
    uint64_t *seen;  /* words per case: steps executed */
    size_t words;
    struct mtask *tasks;
    size_t n_tasks, cap_tasks;
    uint32_t *free_tasks;
    size_t n_free, cap_free;
    struct trie *trie;
    size_t n_trie, cap_trie;
    struct stepacc *steps;
    struct mining_month *months;
    size_t n_months, cap_months;
    struct mining__replay replay;
};

static int case_of(struct mining_pass *p, int64_t id, int64_t at, uint32_t *ret)
{
    uint32_t *v = map_get(&p->case_ix, id);
    if (v) {
        *ret = *v;
        return 0;
    }
    if (p->n_cases == p->cap_cases) {
        size_t nc = p->cap_cases ? p->cap_cases * 2 : 256;
        struct mcase *c = realloc(p->cases, nc * sizeof *c);
        if (!c)
            return ERR_NOMEM;
        p->cases = c;
        size_t fl = p->net->n_flows;
        uint16_t *mk = realloc(p->marks, nc * fl * sizeof *mk + 1);
        if (!mk)
            return ERR_NOMEM;
        p->marks = mk;
        uint64_t *sn = realloc(p->seen, nc * p->words * sizeof *sn + 1);
        if (!sn)
            return ERR_NOMEM;
        p->seen = sn;
        p->cap_cases = nc;
    }
    uint32_t i = (uint32_t)p->n_cases;
    int rc = map_put(&p->case_ix, id, i);
    if (rc)
        return rc;
    p->n_cases++;
    p->cases[i] = (struct mcase){.first = at, .start = at, .fit = p->net->has_model};
    uint16_t *m = p->marks + (size_t)i * p->net->n_flows;
    memset(m, 0, p->net->n_flows * sizeof *m);
    mining__replay_start(p->net, m);
    memset(p->seen + (size_t)i * p->words, 0, p->words * sizeof *p->seen);
    *ret = i;
    return 0;
}

/* Replays step on case ci and counts it as executed. */
static int execute(struct mining_pass *p, uint32_t ci, int32_t step)
{
    struct stepacc *a = &p->steps[step];
    a->executions++;
    uint64_t *w = p->seen + (size_t)ci * p->words + step / 64;
    uint64_t bit = (uint64_t)1 << (step % 64);
    if (!(*w & bit)) {
        *w |= bit;
        a->cases++;
    }
    int ok = 0;
    if (p->net->has_model) {
        ok = mining__replay_fire(&p->replay, p->marks + (size_t)ci * p->net->n_flows, step);
        if (ok < 0)
            return ok;
    }
    if (!ok) {
        a->deviations += p->net->has_model;
        p->cases[ci].fit = false;
    }
    return 0;
}

/* Moves case ci one step down the variant trie. */
static int trie_step(struct mining_pass *p, uint32_t ci, int32_t step)
{
    uint32_t parent = p->cases[ci].trie;
    int64_t key = ((int64_t)parent << 32) | (int64_t)(uint32_t)(step + 1);
    uint32_t *v = map_get(&p->trie_ix, key);
    if (v) {
        p->cases[ci].trie = *v;
        return 0;
    }
    struct trie t = {parent, step, p->trie[parent].depth + 1, 0};
    uint32_t i = (uint32_t)p->n_trie;
    int rc = VEC_PUSH(p->trie, p->n_trie, p->cap_trie, t);
    if (!rc)
        rc = map_put(&p->trie_ix, key, i);
    if (!rc)
        p->cases[ci].trie = i;
    return rc;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so the month of every closed case costs a few integer
 * operations instead of libc time conversions. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The date of day z since 1970-01-01 (civil_from_days). */
static void civil_from_days(int64_t z, int *ret_y, int *ret_m)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *ret_y = (int)(yoe + era * 400 + (m <= 2));
    *ret_m = m;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* 01:00 UTC on the last Sunday of March (m = 3) or October (m = 10) of y:
 * where EU summer time starts and ends. */
static int64_t last_sunday_0100(int y, int m)
{
    int64_t day = days_from_civil(y, m, 31);
    int64_t wd = ((day + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday; Sunday = 0 */
    return (day - wd) * 86400 + 3600;
}

/* Calendar month of t in Berlin time (CET, CEST under the EU rule). */
static void berlin_month(int64_t t, int *ret_y, int *ret_m)
{
    int y, m;
    civil_from_days(floor_div(t, 86400), &y, &m);
    bool summer = t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10);
    civil_from_days(floor_div(t + (summer ? 7200 : 3600), 86400), ret_y, ret_m);
}

static int count_month(struct mining_pass *p, int64_t t)
{
    int y, mo;
    berlin_month(t, &y, &mo);
    for (size_t i = p->n_months; i-- > 0;)
        if (p->months[i].year == y && p->months[i].month == mo) {
            p->months[i].completed++;
            return 0;
        }
    struct mining_month m = {y, mo, 1};
    return VEC_PUSH(p->months, p->n_months, p->cap_months, m);
}

static int task_new(struct mining_pass *p, int64_t id, int64_t at, int32_t step)
{
    uint32_t *v = map_get(&p->task_ix, id);
    uint32_t i;
    if (v) {
        i = *v;
    } else if (p->n_free) {
        i = p->free_tasks[--p->n_free];
    } else {
        struct mtask t = {0};
        i = (uint32_t)p->n_tasks;
        if (VEC_PUSH(p->tasks, p->n_tasks, p->cap_tasks, t))
            return ERR_NOMEM;
    }
    p->tasks[i] = (struct mtask){at, -1, step};
    return v ? 0 : map_put(&p->task_ix, id, i);
}

static int task_drop(struct mining_pass *p, int64_t id, uint32_t i)
{
    map_del(&p->task_ix, id);
    return VEC_PUSH(p->free_tasks, p->n_free, p->cap_free, i);
}

static int complete(struct mining_pass *p, uint32_t ci, const struct mining_event *e)
{
    int32_t step = e->step;
    uint32_t *v = map_get(&p->task_ix, e->task);
    int rc = 0;
    if (v) {
        uint32_t ti = *v;
        struct mtask t = p->tasks[ti];
        if (step < 0)
            step = t.step;
        if ((rc = task_drop(p, e->task, ti)))
            return rc;
        if (step >= 0) {
            struct stepacc *a = &p->steps[step];
            int64_t dur = e->at - t.created;
            int64_t wait = t.claimed >= 0 ? t.claimed - t.created : dur;
            int64_t work = t.claimed >= 0 ? e->at - t.claimed : 0;
            a->wait_sum += wait;
            a->work_sum += work;
            if ((rc = i64s_push(&a->dur, dur)) || (rc = i64s_push(&a->wait, wait)) ||
                (rc = i64s_push(&a->work, work)))
                return rc;
        }
    }
    if (step < 0)
        return 0;
    if ((rc = execute(p, ci, step)))
        return rc;
    return trie_step(p, ci, step);
}

static int one(struct mining_pass *p, const struct mining_event *e)
{
    size_t ns = p->net->n_nodes;
    if (e->case_id <= 0 || e->kind < MINING_START || e->kind > MINING_GATEWAY ||
        e->step >= (int32_t)ns || e->step < -1)
        return ERR_INVALID;
    bool task_kind = e->kind >= MINING_CREATE && e->kind <= MINING_CANCEL;
    if ((task_kind && e->task <= 0) || (e->kind == MINING_TIMER && e->step < 0))
        return ERR_INVALID;
    uint32_t ci;
    int rc = case_of(p, e->case_id, e->at, &ci);
    if (rc)
        return rc;
    struct mcase *c = &p->cases[ci];
    uint32_t *v;
    switch (e->kind) {
    case MINING_START:
        c->start = e->at;
        c->has_start = true;
        break;
    case MINING_END:
        if (c->has_end)
            break;
        c->end = e->at;
        c->has_end = true;
        p->trie[c->trie].closed++;
        return count_month(p, e->at);
    case MINING_CREATE: return task_new(p, e->task, e->at, e->step);
    case MINING_CLAIM:
        if ((v = map_get(&p->task_ix, e->task)) && p->tasks[*v].claimed < 0)
            p->tasks[*v].claimed = e->at;
        break;
    case MINING_CANCEL:
        if ((v = map_get(&p->task_ix, e->task)))
            return task_drop(p, e->task, *v);
        break;
    case MINING_COMPLETE: return complete(p, ci, e);
    case MINING_TIMER: return execute(p, ci, e->step);
    default: break;
    }
    return 0;
}

static void pass_release(struct mining_pass *p)
{
    map_free(&p->case_ix);
    map_free(&p->task_ix);
    map_free(&p->trie_ix);
    free(p->cases);
    free(p->marks);
    free(p->seen);
    free(p->tasks);
    free(p->free_tasks);
    free(p->trie);
    if (p->steps)
        for (size_t i = 0; i < p->n_steps; i++) {
            free(p->steps[i].dur.v);
            free(p->steps[i].wait.v);
            free(p->steps[i].work.v);
        }
    free(p->steps);
    free(p->months);
    mining__replay_release(&p->replay);
}

/* ---- the result ----------------------------------------------------------- */

/* What the variant comparison needs (qsort_r's context). */
struct sortctx {
    const struct mining_net *net; /* step ids */
    const struct trie *trie;      /* the variant trie */
};

/* Compares two trie sequences by their step ids, element by element. */
static int seq_cmp(const struct sortctx *sc, uint32_t a, uint32_t b)
{
    const struct trie *sort_trie = sc->trie;
    const struct mining_net *sort_net = sc->net;
    /* walk both up to equal depth, remembering the comparison of the
     * deepest differing ancestors nearest the root */
    int res = 0;
    uint32_t da = sort_trie[a].depth, db = sort_trie[b].depth;
    int len = da < db ? -1 : da > db ? 1 : 0;
    while (da > db)
        a = sort_trie[a].parent, da--;
    while (db > da)
        b = sort_trie[b].parent, db--;
    while (a != b) {
        int c =
            strcmp(sort_net->nodes[sort_trie[a].step].id, sort_net->nodes[sort_trie[b].step].id);
        if (c)
            res = c;
        a = sort_trie[a].parent;
        b = sort_trie[b].parent;
    }
    return res ? res : len;
}

static int variant_cmp(const void *x, const void *y, void *ctx)
{
    const struct sortctx *sc = ctx;
    const struct trie *sort_trie = sc->trie;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_trie[a].closed != sort_trie[b].closed)
        return sort_trie[a].closed > sort_trie[b].closed ? -1 : 1;
    return seq_cmp(sc, a, b);
}

static int month_cmp(const void *x, const void *y)
{
    const struct mining_month *a = x, *b = y;
    int ka = a->year * 12 + a->month, kb = b->year * 12 + b->month;
    return (ka > kb) - (ka < kb);
}

static int fill_result(struct mining_pass *p, struct mining_result *r)
{
    const struct mining_net *net = p->net;
    struct arena *ar = &r->arena;
    /* cases and cycle times */
    struct i64s cyc = {0};
    int rc = 0;
    r->cases = (int64_t)p->n_cases;
    for (size_t i = 0; i < p->n_cases && !rc; i++) {
        const struct mcase *c = &p->cases[i];
        r->fitting += c->fit;
        if (c->has_end) {
            r->closed++;
            rc = i64s_push(&cyc, c->end - c->start);
        }
    }
    r->open = r->cases - r->closed;
    if (!rc) {
        int64_t sum = 0;
        for (size_t i = 0; i < cyc.n; i++)
            sum += cyc.v[i];
        r->cycle_mean_s = cyc.n ? sum / (int64_t)cyc.n : 0;
        r->cycle_median_s = quantile(cyc.v, cyc.n, 50);
        r->cycle_p90_s = quantile(cyc.v, cyc.n, 90);
    }
    free(cyc.v);
    if (rc)
        return rc;
    r->has_model = net->has_model;
    /* steps */
    r->n_steps = net->n_nodes;
    r->steps = arena_calloc(ar, net->n_nodes + 1, sizeof *r->steps);
    if (!r->steps)
        return ERR_NOMEM;
    for (size_t i = 0; i < net->n_nodes; i++) {
        const struct mining__node *x = &net->nodes[i];
        struct stepacc *a = &p->steps[i];
        struct mining_step *s = &r->steps[i];
        s->id = arena_strdup(ar, x->id);
        s->name = arena_strdup(ar, *x->name ? x->name : x->id);
        if (!s->id || !s->name)
            return ERR_NOMEM;
        s->in_model = x->in_model;
        s->task = x->task || (!x->in_model && a->dur.n > 0);
        s->visible = x->task || x->timer || !x->in_model;
        s->executions = a->executions;
        s->cases = a->cases;
        s->deviations = a->deviations;
        s->timed = (int64_t)a->dur.n;
        s->median_s = quantile(a->dur.v, a->dur.n, 50);
        s->p90_s = quantile(a->dur.v, a->dur.n, 90);
        s->wait_median_s = quantile(a->wait.v, a->wait.n, 50);
        s->work_median_s = quantile(a->work.v, a->work.n, 50);
        s->wait_sum_s = a->wait_sum;
        s->work_sum_s = a->work_sum;
    }
    /* variants */
    uint32_t *ends = NULL;
    size_t n_ends = 0;
    for (size_t i = 0; i < p->n_trie; i++)
        n_ends += p->trie[i].closed > 0;
    r->distinct_variants = (int64_t)n_ends;
    if (!(ends = malloc((n_ends + 1) * sizeof *ends)))
        return ERR_NOMEM;
    n_ends = 0;
    for (size_t i = 0; i < p->n_trie; i++)
        if (p->trie[i].closed > 0)
            ends[n_ends++] = (uint32_t)i;
    struct sortctx sc = {net, p->trie};
    qsort_r(ends, n_ends, sizeof *ends, variant_cmp, &sc);
    r->n_variants = n_ends < MINING_TOP_VARIANTS ? n_ends : MINING_TOP_VARIANTS;
    r->variants = arena_calloc(ar, r->n_variants + 1, sizeof *r->variants);
    for (size_t i = 0; r->variants && i < r->n_variants; i++) {
        const struct trie *t = &p->trie[ends[i]];
        int32_t *seq = arena_alloc(ar, (t->depth + 1) * sizeof *seq);
        if (!seq) {
            r->variants = NULL;
            break;
        }
        uint32_t k = ends[i];
        for (uint32_t d = t->depth; d > 0; d--, k = p->trie[k].parent)
            seq[d - 1] = p->trie[k].step;
        r->variants[i] = (struct mining_variant){seq, t->depth, t->closed};
    }
    free(ends);
    if (!r->variants)
        return ERR_NOMEM;
    /* months */
    if (p->n_months)
        qsort(p->months, p->n_months, sizeof *p->months, month_cmp);
    r->n_months = p->n_months;
    r->months = arena_alloc(ar, (p->n_months + 1) * sizeof *r->months);
    if (!r->months)
        return ERR_NOMEM;
    if (p->n_months)
        memcpy(r->months, p->months, p->n_months * sizeof *r->months);
    return 0;
}

/* Grows the per-step state when the net gained steps since the pass began
 * (ids the model does not know, interned while the log is read). */
static int pass_sync(struct mining_pass *p)
{
    size_t ns = p->net->n_nodes;
    if (ns <= p->n_steps)
        return 0;
    struct stepacc *g = realloc(p->steps, (ns + 1) * sizeof *g);
    if (!g)
        return ERR_NOMEM;
    memset(g + p->n_steps, 0, (ns + 1 - p->n_steps) * sizeof *g);
    p->steps = g;
    size_t words = ns / 64 + 1;
    if (words > p->words) { /* re-lay the bitmaps with the wider stride */
        uint64_t *sn = calloc(p->cap_cases * words + 1, sizeof *sn);
        if (!sn)
            return ERR_NOMEM;
        for (size_t i = 0; i < p->n_cases; i++)
            memcpy(sn + i * words, p->seen + i * p->words, p->words * sizeof *sn);
        free(p->seen);
        p->seen = sn;
        p->words = words;
    }
    p->n_steps = ns;
    return 0;
}

int mining_pass_new(const struct mining_net *net, struct mining_pass **ret)
{
    struct mining_pass *p = calloc(1, sizeof *p);
    if (!p)
        return ERR_NOMEM;
    p->net = net;
    p->words = net->n_nodes / 64 + 1;
    p->n_steps = net->n_nodes;
    struct trie root = {0, -1, 0, 0};
    int rc = ERR_NOMEM;
    if ((p->steps = calloc(net->n_nodes + 1, sizeof *p->steps)) &&
        !VEC_PUSH(p->trie, p->n_trie, p->cap_trie, root))
        rc = mining__replay_init(&p->replay, net);
    if (rc) {
        mining_pass_free(p);
        return rc;
    }
    *ret = p;
    return 0;
}

int mining_pass_add(struct mining_pass *p, const struct mining_event *ev, size_t n)
{
    if (n > MINING_MAX_EVENTS || p->events > (int64_t)(MINING_MAX_EVENTS - n))
        return ERR_TOOBIG;
    int rc = pass_sync(p);
    for (size_t i = 0; i < n && !rc; i++)
        rc = one(p, &ev[i]);
    p->events += (int64_t)n;
    return rc;
}

int mining_pass_finish(struct mining_pass *p, struct mining_result **ret)
{
    struct mining_result *r = calloc(1, sizeof *r);
    if (!r)
        return ERR_NOMEM;
    arena_init(&r->arena, RESULT_ARENA_CAP);
    r->events = p->events;
    int rc = pass_sync(p);
    if (!rc)
        rc = fill_result(p, r);
    if (rc) {
        mining_result_free(r);
        return rc;
    }
    *ret = r;
    return 0;
}

void mining_pass_free(struct mining_pass *p)
{
    if (!p)
        return;
    pass_release(p);
    free(p);
}

int mining_compute(const struct mining_net *net, const struct mining_event *ev, size_t n,
                   struct mining_result **ret)
{
    struct mining_pass *p;
    int rc = mining_pass_new(net, &p);
    if (rc)
        return rc;
    rc = mining_pass_add(p, ev, n);
    if (!rc)
        rc = mining_pass_finish(p, ret);
    mining_pass_free(p);
    return rc;
}

void mining_result_free(struct mining_result *r)
{
    if (!r)
        return;
    arena_release(&r->arena);
    free(r);
}
