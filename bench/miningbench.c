/* miningbench: the process-mining benchmark behind `make bench` (bench/run).
 * It prints figures and asserts nothing.
 *
 *   miningbench [--events N] [--reps R] [--model FILE] [--seed S]
 *
 * Generates N events (default 1,000,000) of one process in memory: cases of
 * the co-signature model (data/bpmn/mitzeichnung.bpmn) with random waiting
 * and working times over two years, reminders when a co-signature waits
 * past five days, a few cases that skip a co-signature (deviations) and a
 * few still open; all events ordered by time, as the journal holds them.
 * Then it times mining_compute — every figure of the process pages — R
 * times, and beside it, in the same run, the reference: sorting the same
 * events by case and time with qsort, the least any per-case evaluation
 * has to do. Peak memory of the computation is VmHWM after resetting it
 * (/proc/self/clear_refs), minus the resident size before (after malloc_trim,
 * so pages freed earlier are not reused unseen).
 *
 * The same events then go into a table of an in-memory SQLite database
 * (sqlite3 directly: this is a measuring tool, not domain code) to time the
 * figures computed from rows read back in order, beside SQLite's own
 * GROUP BY over the rows (first, last time and count per case) — what a
 * database alone gives for the cheapest figure, the cycle time. */
#include <getopt.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/rtime.h"
#include "base/str.h"
#include "processes/mining.h"
#include "workflow/bpmn.h"

#define DAY 86400
#define T_FIRST 1735689600 /* 2025-01-01T00:00:00Z */

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Uniform in [lo, hi]. */
static int64_t between(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
}

struct gen {
    struct mining_event *ev;
    size_t n, cap;
    int64_t task;
    int32_t V, M20, M63, T20, E, GW; /* steps */
};

static void push(struct gen *g, int64_t c, int64_t at, int64_t task, int32_t step, int kind)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1 << 16;
        g->ev = realloc(g->ev, g->cap * sizeof *g->ev);
        if (!g->ev) {
            fprintf(stderr, "miningbench: out of memory\n");
            exit(1);
        }
    }
    g->ev[g->n++] = (struct mining_event){c, at, task, step, (uint8_t)kind};
}

/* One task: created at t, maybe claimed, completed; returns the completion. */
static int64_t task(struct gen *g, int64_t c, int32_t step, int64_t t, int64_t max_wait)
{
    int64_t id = ++g->task;
    int64_t wait = between(0, max_wait), work = between(300, 8 * 3600);
    push(g, c, t, id, step, MINING_CREATE);
    if (next() % 4) /* three in four are claimed */
        push(g, c, t + wait, id, step, MINING_CLAIM);
    push(g, c, t + wait + work, id, step, MINING_COMPLETE);
    return t + wait + work;
}

static void one_case(struct gen *g, int64_t c)
{
    int64_t t = T_FIRST + between(0, 730 * (int64_t)DAY);
    push(g, c, t, 0, -1, MINING_START);
    int64_t t1 = task(g, c, g->V, t, 2 * DAY);
    if (next() % 100 < 5) /* still open */
        return;
    bool skip63 = next() % 100 < 3; /* deviation: decided without Amt 63 */
    int64_t t20 = task(g, c, g->M20, t1, 6 * DAY);
    if (t20 - t1 > 5 * DAY)
        push(g, c, t1 + 5 * DAY, 0, g->T20, MINING_TIMER);
    int64_t t63 = skip63 ? t1 : task(g, c, g->M63, t1, 3 * DAY);
    int64_t t3 = task(g, c, g->E, t20 > t63 ? t20 : t63, DAY);
    push(g, c, t3, 0, g->GW, MINING_GATEWAY);
    push(g, c, t3, 0, -1, MINING_END);
}

static const struct mining_event *sort_base;

/* Orders generation indices by time, ties in generation order (which is
 * each case's own order). */
static int by_time(const void *x, const void *y)
{
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    const struct mining_event *a = &sort_base[i], *b = &sort_base[j];
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return (i > j) - (i < j);
}

static int by_case(const void *x, const void *y)
{
    const struct mining_event *a = x, *b = y;
    if (a->case_id != b->case_id)
        return a->case_id < b->case_id ? -1 : 1;
    return (a->at > b->at) - (a->at < b->at);
}

/* A field of /proc/self/status in kB. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static void reset_hwm(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* Median of n timings (sorts them). */
static int cmp_double(const void *x, const void *y);

static double median_ms(double *t, long n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return t[n / 2];
}

/* Loads the events into an in-memory SQLite table, then times R runs of
 * (a) reading them back in order and computing every figure, (b) SQLite's
 * GROUP BY per case. Prints one line each. */
static int sqlite_part(const struct mining_net *net, const struct mining_event *ev, size_t n,
                       long reps)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return -1;
    int64_t t0 = rtime_mono_us();
    sqlite3_exec(db,
                 "CREATE TABLE ev (case_id INTEGER, at INTEGER, task INTEGER, step INTEGER,"
                 " kind INTEGER); BEGIN",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO ev VALUES (?, ?, ?, ?, ?)", -1, &st, NULL);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, ev[i].case_id);
        sqlite3_bind_int64(st, 2, ev[i].at);
        sqlite3_bind_int64(st, 3, ev[i].task);
        sqlite3_bind_int(st, 4, ev[i].step);
        sqlite3_bind_int(st, 5, ev[i].kind);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double load = (double)(rtime_mono_us() - t0) / 1000.0;
    double *t_read = calloc((size_t)reps, sizeof *t_read);
    double *t_group = calloc((size_t)reps, sizeof *t_group);
    struct mining_event *back = malloc(n * sizeof *back + 1);
    if (!t_read || !t_group || !back)
        return -1;
    int64_t groups = 0;
    for (long r = 0; r < reps; r++) {
        t0 = rtime_mono_us();
        size_t k = 0;
        sqlite3_prepare_v2(db, "SELECT case_id, at, task, step, kind FROM ev ORDER BY rowid", -1,
                           &st, NULL);
        while (k < n && sqlite3_step(st) == SQLITE_ROW) {
            back[k++] =
                (struct mining_event){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                      sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3),
                                      (uint8_t)sqlite3_column_int(st, 4)};
        }
        sqlite3_finalize(st);
        struct mining_result *res;
        if (mining_compute(net, back, k, &res))
            return -1;
        mining_result_free(res);
        t_read[r] = (double)(rtime_mono_us() - t0) / 1000.0;
        t0 = rtime_mono_us();
        sqlite3_prepare_v2(db,
                           "SELECT case_id, MIN(at), MAX(at), COUNT(*) FROM ev GROUP BY case_id",
                           -1, &st, NULL);
        groups = 0;
        while (sqlite3_step(st) == SQLITE_ROW)
            groups++;
        sqlite3_finalize(st);
        t_group[r] = (double)(rtime_mono_us() - t0) / 1000.0;
    }
    printf("%-44s %10.1f ms\n", "SQLite (in memory): load the rows", load);
    printf("%-44s %10.1f ms\n", "SQLite: read rows in order + all figures",
           median_ms(t_read, reps));
    printf("%-44s %10.1f ms (%lld cases)\n", "reference: SQLite GROUP BY case (min, max, n)",
           median_ms(t_group, reps), (long long)groups);
    free(back);
    free(t_read);
    free(t_group);
    sqlite3_close(db);
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static int read_model(const char *path, struct bpmn_model **ret)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct str s;
    str_init(&s, BPMN_MAX_BYTES);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (str_add(&s, buf, n))
            break;
    fclose(f);
    int rc = s.err ? -1 : bpmn_parse(s.buf, s.len, path, ret, NULL);
    str_release(&s);
    return rc;
}

static int32_t intern(struct mining_net *net, const char *id)
{
    int32_t i;
    if (mining_net_intern(net, id, strlen(id), &i)) {
        fprintf(stderr, "miningbench: cannot intern %s\n", id);
        exit(1);
    }
    return i;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"events", required_argument, NULL, 'n'},
        {"reps", required_argument, NULL, 'r'},
        {"model", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 's'},
        {0, 0, 0, 0},
    };
    long events = 1000000, reps = 3, seed = 1;
    const char *model = "data/bpmn/mitzeichnung.bpmn";
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 'n': bad = str_to_long(optarg, 1, MINING_MAX_EVENTS, &events); break;
        case 'r': bad = str_to_long(optarg, 1, 100, &reps); break;
        case 's': bad = str_to_long(optarg, 1, 1L << 40, &seed); break;
        case 'm': model = optarg; break;
        default: bad = 1;
        }
        if (bad) {
            fprintf(stderr, "usage: miningbench [--events N] [--reps R] [--model FILE] "
                            "[--seed S]\n");
            return 2;
        }
    }
    rng ^= (uint64_t)seed * 0x9E3779B97F4A7C15ULL;
    struct bpmn_model *m;
    if (read_model(model, &m)) {
        fprintf(stderr, "miningbench: %s: not a readable BPMN file\n", model);
        return 1;
    }
    struct mining_net *net;
    if (mining_net_build(m, m->processes, &net)) {
        fprintf(stderr, "miningbench: %s: cannot compile the model\n", model);
        return 1;
    }
    bpmn_free(m);
    struct gen g = {0};
    g.V = intern(net, "Vorbereiten");
    g.M20 = intern(net, "Mitzeichnung20");
    g.M63 = intern(net, "Mitzeichnung63");
    g.T20 = intern(net, "Erinnerung20");
    g.E = intern(net, "Entscheiden");
    g.GW = intern(net, "Ergebnis");
    int64_t cases = 0;
    while (g.n < (size_t)events)
        one_case(&g, ++cases);
    g.n = (size_t)events; /* the last case may be cut short, like a log read mid-case */
    uint32_t *order = malloc(g.n * sizeof *order);
    struct mining_event *sorted = malloc(g.n * sizeof *sorted);
    if (!order || !sorted)
        return 1;
    for (size_t i = 0; i < g.n; i++)
        order[i] = (uint32_t)i;
    sort_base = g.ev;
    qsort(order, g.n, sizeof *order, by_time);
    for (size_t i = 0; i < g.n; i++)
        sorted[i] = g.ev[order[i]];
    free(order);
    free(g.ev);
    g.ev = sorted;

    struct mining_event *copy = malloc(g.n * sizeof *copy);
    double *t_sort = calloc((size_t)reps, sizeof *t_sort);
    double *t_mine = calloc((size_t)reps, sizeof *t_mine);
    if (!copy || !t_sort || !t_mine)
        return 1;
    long rss_before = 0, hwm = 0;
    struct mining_result *r = NULL;
    for (long i = 0; i < reps; i++) {
        memcpy(copy, g.ev, g.n * sizeof *copy);
        int64_t t0 = rtime_mono_us();
        qsort(copy, g.n, sizeof *copy, by_case);
        t_sort[i] = (double)(rtime_mono_us() - t0) / 1000.0;
        mining_result_free(r);
        r = NULL;
        malloc_trim(0); /* freed heap pages would be reused unseen by VmHWM */
        rss_before = status_kb("VmRSS");
        reset_hwm();
        t0 = rtime_mono_us();
        if (mining_compute(net, g.ev, g.n, &r)) {
            fprintf(stderr, "miningbench: mining_compute failed\n");
            return 1;
        }
        t_mine[i] = (double)(rtime_mono_us() - t0) / 1000.0;
        long h = status_kb("VmHWM");
        if (h - rss_before > hwm)
            hwm = h - rss_before;
    }
    qsort(t_sort, (size_t)reps, sizeof *t_sort, cmp_double);
    qsort(t_mine, (size_t)reps, sizeof *t_mine, cmp_double);
    double ms = t_mine[reps / 2], ref = t_sort[reps / 2];
    printf("process mining: %zu events, %lld cases (%lld closed, %lld open), one process, "
           "%ld runs\n",
           g.n, (long long)r->cases, (long long)r->closed, (long long)r->open, reps);
    printf("%-44s %10.1f ms (min %.1f)\n", "all figures (mining_compute), median", ms, t_mine[0]);
    printf("%-44s %10.1f ms (min %.1f)\n", "reference: qsort by case and time, median", ref,
           t_sort[0]);
    printf("%-44s %10.2fx\n", "mining / reference", ref > 0 ? ms / ref : 0.0);
    printf("%-44s %10.1f MiB (events in memory: %.1f MiB, process VmHWM %.1f MiB)\n",
           "peak memory of the computation", (double)hwm / 1024.0,
           (double)(g.n * sizeof *g.ev) / 1048576.0, (double)status_kb("VmHWM") / 1024.0);
    printf("%-44s %10.1f%% fitting, %lld variants, median cycle %.1f days\n", "check",
           mining_percent(r->fitting, r->cases), (long long)r->distinct_variants,
           (double)r->cycle_median_s / DAY);
    mining_result_free(r);
    free(copy);
    copy = NULL;
    if (sqlite_part(net, g.ev, g.n, reps)) {
        fprintf(stderr, "miningbench: SQLite part failed\n");
        return 1;
    }
    mining_net_free(net);
    free(t_sort);
    free(t_mine);
    free(g.ev);
    return 0;
}
