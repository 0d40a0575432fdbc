/* wfbench: the tool behind bench/workflow (`make bench`), the workflow
 * benchmark of issue 4. It drives the engine through its library API, the
 * calls the task pages make, and prints figures; it asserts nothing beyond
 * "every instance ended".
 *
 *   wfbench drive --data DIR --model FILE [--instances N] [--raw-dir DIR]
 *                 [--raw-seconds S] [--quick]
 *       Deploys FILE (bench/zehn-schritte.bpmn: ten user tasks with a
 *       parallel split) in DIR (made by `rathaus init`), creates N cases,
 *       then starts N instances one after the other and drives each to its
 *       end by wf_task_claim and wf_task_complete: instances/s, task
 *       completions/s and the latencies of start, claim and completion. Every
 *       event is one durable transaction (WAL, synchronous=FULL), so the
 *       reference is the rate of minimal SQLite write transactions on the same
 *       disk (a temporary database in --raw-dir), measured before and after.
 *   wfbench open --data DIR --model FILE [--count N] [--drive M] [--quick]
 *       Starts N instances that each wait at their first task, then reports
 *       the store's size (database and WAL, per instance) and this process'
 *       memory, and drives M of them (spread over all) to their end at
 *       synchronous=FULL: the completion latency with a full store. The N
 *       instances are built with synchronous=OFF, which changes how fast they
 *       are built but not what is stored.
 *
 * --quick: 100 instances and 10,000 open ones instead of 1,000 and 100,000. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/str.h"
#include "benchutil.h"
#include "records/records.h"
#include "store/store.h"
#include "web/web.h"
#include "workflow/deploy.h"
#include "workflow/engine.h"

#define SERVICE "bench-zehn-schritte" /* the service key the model is deployed for */
#define LOGIN "bench32"               /* who claims and completes (no person) */
#define PLAN "32.20.01"               /* plan node of the files (Sondernutzungen) */
#define UNIT 32                       /* office of the files */
#define CASES_PER_FILE 1000           /* cases per Akte */
#define TASKS_PER_INSTANCE 10         /* user tasks of the model */
#define MAX_OPEN_TASKS 64             /* tasks open at once in one instance */

/* A caseworker of the task's office (the engine checks it): Amt 32 or, in
 * the parallel branch, Amt 20. */
static struct rec_actor worker_for(struct store *s, int64_t task)
{
    struct store_conn *c;
    int64_t unit = UNIT;
    bench_check(store_get(s, &c), "store_get");
    bench_check(store_query_int(c, &unit, "SELECT coalesce(unit_nr, ?) FROM tasks WHERE id = ?",
                                "ii", (int64_t)UNIT, task),
                "select task office");
    store_put(s, c);
    return (struct rec_actor){
        .login = LOGIN, .unit_nr = (int)unit, .roles = WEB_ROLE_CASEWORKER, .system = false};
}

/* ---- helpers ------------------------------------------------------------ */

static double mib(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

/* A field of /proc/self/status in kB (VmRSS, VmHWM), 0 when unknown. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

/* Size of a file in bytes, 0 when it does not exist. */
static double file_bytes(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (double)st.st_size : 0;
}

/* Latencies of one kind of call, in seconds. */
struct lat {
    double *v;  /* samples */
    size_t n;   /* used */
    size_t cap; /* allocated */
};

static void lat_add(struct lat *l, double s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            bench_die("out of memory");
    }
    l->v[l->n++] = s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) in ms; sorts the samples. */
static double lat_q(struct lat *l, double q)
{
    if (!l->n)
        return 0;
    qsort(l->v, l->n, sizeof *l->v, cmp_double);
    size_t k = (size_t)ceil(q * (double)l->n);
    return 1000 * l->v[k ? k - 1 : 0];
}

static double lat_mean(const struct lat *l)
{
    double sum = 0;
    for (size_t i = 0; i < l->n; i++)
        sum += l->v[i];
    return l->n ? 1000 * sum / (double)l->n : 0;
}

static void lat_print(const char *label, struct lat *l)
{
    printf("  %-26s %9zu %9.2f %9.2f %9.2f %9.2f\n", label, l->n, lat_mean(l), lat_q(l, 0.5),
           lat_q(l, 0.99), lat_q(l, 1.0));
}

static void lat_head(void)
{
    printf("  %-26s %9s %9s %9s %9s %9s\n", "latency (ms)", "calls", "mean", "p50", "p99", "max");
}

/* ---- the reference: minimal durable SQLite write transactions ------------- */

/* Commits one-row transactions (WAL, synchronous=FULL, BEGIN IMMEDIATE as the
 * store does) into a new database in dir for about seconds; returns the rate. */
static double raw_commits(const char *dir, double seconds, int round)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/raw-%d.db", dir, round);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        bench_die("raw: cannot open %s", path);
    char *err = NULL;
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);",
                     NULL, NULL, &err) != SQLITE_OK)
        bench_die("raw: %s", err ? err : "?");
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?)", -1, &ins, NULL) != SQLITE_OK)
        bench_die("raw: %s", sqlite3_errmsg(db));
    double t0 = bench_now_s(), t = t0;
    long n = 0;
    while (t - t0 < seconds || n < 50) {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            bench_die("raw: %s", sqlite3_errmsg(db));
        sqlite3_bind_int64(ins, 1, n);
        if (sqlite3_step(ins) != SQLITE_DONE)
            bench_die("raw: %s", sqlite3_errmsg(db));
        sqlite3_reset(ins);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            bench_die("raw: %s", sqlite3_errmsg(db));
        n++;
        t = bench_now_s();
    }
    sqlite3_finalize(ins);
    sqlite3_close(db);
    static const char *const files[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", path, files[i]);
        unlink(p);
    }
    return (double)n / (t - t0);
}

/* ---- setup ---------------------------------------------------------------- */

static void deploy(struct store *s, const char *model)
{
    FILE *f = fopen(model, "rb");
    if (!f)
        bench_die("%s: %s", model, strerror(errno));
    struct str data;
    str_init(&data, 16 << 20);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        bench_check(str_add(&data, buf, n), model);
    fclose(f);
    struct wf_deployment d;
    json_t *problems = NULL;
    struct str err;
    str_init(&err, 65536);
    int rc = wf_deploy(s, "bench", data.buf, data.len, "zehn-schritte.bpmn", SERVICE, &d, &problems,
                       &err);
    if (rc) {
        char *p = problems ? json_dumps(problems, 0) : NULL;
        bench_die("deploy %s: %s %s", model, err.buf, p ? p : "");
    }
    json_decref(problems);
    str_release(&err);
    str_release(&data);
}

/* Sets PRAGMA synchronous on the pool's connections (the bench is single
 * threaded, so the engine and the E-Akte get these back). */
static void set_sync(struct store *s, bool full)
{
    struct store_conn *c[4];
    for (int i = 0; i < 4; i++)
        bench_check(store_get(s, &c[i]), "store_get");
    for (int i = 0; i < 4; i++) {
        bench_check(store_exec(c[i], full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"),
                    "PRAGMA synchronous");
    }
    for (int i = 3; i >= 0; i--)
        store_put(s, c[i]);
}

/* Makes cases CASES_PER_FILE to an Akte of office UNIT. */
struct cases {
    struct store *s;
    struct rec_actor a;
    char file_ref[REC_REF_MAX]; /* the current Akte */
    int in_file;                /* cases in it so far */
};

static void case_new(struct cases *cs, char ref[REC_REF_MAX])
{
    if (cs->in_file == 0 || cs->in_file >= CASES_PER_FILE) {
        struct str why;
        str_init(&why, 4096);
        int rc = rec_file_create(cs->s, &cs->a, PLAN, UNIT, "Sondernutzungen (Benchmark)", NULL,
                                 cs->file_ref, NULL, &why);
        if (rc)
            bench_die("rec_file_create: %s %s", err_message(rc), why.buf);
        str_release(&why);
        cs->in_file = 0;
    }
    bench_check(rec_case_create(cs->s, &cs->a, cs->file_ref, "Antrag auf Sondernutzung", SERVICE,
                                ref, NULL),
                "rec_case_create");
    cs->in_file++;
}

/* Appends the ids of open tasks newer than *last to q (all of them belong to
 * the instance the bench just moved: it moves one at a time). "+state" keeps
 * SQLite on the rowid range: through the index on state it would read every
 * open task, which made building 100,000 open instances quadratic. */
static void new_tasks(struct store *s, int64_t *last, int64_t *q, size_t *nq)
{
    struct store_conn *c;
    struct store_stmt *st;
    bench_check(store_get(s, &c), "store_get");
    bench_check(
        store_prepare(c, "SELECT id FROM tasks WHERE id > ? AND +state = 'open' ORDER BY id", &st),
        "prepare");
    bench_check(store_bind(st, "i", *last), "bind");
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        if (*nq >= MAX_OPEN_TASKS)
            bench_die("more than %d open tasks in one instance", MAX_OPEN_TASKS);
        q[(*nq)++] = id;
        *last = id;
    }
    store_done(st);
    store_put(s, c);
    if (rc < 0)
        bench_check(rc, "select tasks");
}

static void instance_done(struct store *s, int64_t inst)
{
    struct store_conn *c;
    int64_t n = 0;
    bench_check(store_get(s, &c), "store_get");
    bench_check(store_query_int(c, &n,
                                "SELECT COUNT(*) FROM instances WHERE id = ? AND state = 'done'",
                                "i", inst),
                "select instance");
    store_put(s, c);
    if (n != 1)
        bench_die("instance %" PRId64 " did not end", inst);
}

/* The latencies the bench records. */
struct lats {
    struct lat start, claim, complete;
};

/* Claims and completes the nq tasks in q and the ones they lead to, oldest
 * first, until the instance has ended; returns the number of tasks done. */
static int drive(struct store *s, int64_t inst, int64_t *last, int64_t *q, size_t nq,
                 struct lats *l)
{
    int done = 0;
    while (nq > 0) {
        int64_t id = q[0];
        memmove(q, q + 1, (nq - 1) * sizeof *q);
        nq--;
        struct rec_actor worker = worker_for(s, id); /* outside the timed calls */
        double t0 = bench_now_s();
        bench_check(wf_task_claim(s, &worker, id), "wf_task_claim");
        double t1 = bench_now_s();
        bench_check(wf_task_complete(s, &worker, id, NULL, NULL), "wf_task_complete");
        double t2 = bench_now_s();
        lat_add(&l->claim, t1 - t0);
        lat_add(&l->complete, t2 - t1);
        done++;
        new_tasks(s, last, q, &nq);
    }
    instance_done(s, inst);
    return done;
}

static struct store *open_data(const char *data, const char *model)
{
    struct store *s;
    bench_check(store_open(data, 0, &s), data);
    deploy(s, model);
    return s;
}

static int64_t max_task(struct store *s)
{
    struct store_conn *c;
    int64_t n = 0;
    bench_check(store_get(s, &c), "store_get");
    bench_check(store_query_int(c, &n, "SELECT COALESCE(MAX(id), 0) FROM tasks", "", NULL),
                "max task");
    store_put(s, c);
    return n;
}

/* ---- drive: instances to completion --------------------------------------- */

static int cmd_drive(const char *data, const char *model, long n, const char *raw_dir,
                     double raw_seconds)
{
    double raw1 = raw_dir ? raw_commits(raw_dir, raw_seconds, 1) : 0;
    struct store *s = open_data(data, model);
    struct cases cs = {.s = s, .a = rec_actor_system("bench")};
    char(*refs)[REC_REF_MAX] = bench_xcalloc((size_t)n, REC_REF_MAX);
    double t0 = bench_now_s();
    for (long i = 0; i < n; i++)
        case_new(&cs, refs[i]);
    double t_cases = bench_now_s() - t0;

    struct lats l = {0};
    int64_t last = max_task(s), q[MAX_OPEN_TASKS];
    long tasks = 0;
    t0 = bench_now_s();
    for (long i = 0; i < n; i++) {
        int64_t inst;
        size_t nq = 0;
        double a = bench_now_s();
        bench_check(wf_start(s, "bench", SERVICE, refs[i], NULL, &inst), "wf_start");
        lat_add(&l.start, bench_now_s() - a);
        new_tasks(s, &last, q, &nq);
        int done = drive(s, inst, &last, q, nq, &l);
        if (done != TASKS_PER_INSTANCE)
            bench_die("instance %" PRId64 ": %d tasks instead of %d", inst, done,
                      TASKS_PER_INSTANCE);
        tasks += done;
        if ((i + 1) % 100 == 0)
            fprintf(stderr, "  %ld/%ld instances, %.1f/s\n", i + 1, n,
                    (double)(i + 1) / (bench_now_s() - t0));
    }
    double secs = bench_now_s() - t0;
    double raw2 = raw_dir ? raw_commits(raw_dir, raw_seconds, 2) : 0;

    double events = (double)(n + 2 * tasks); /* start, claims, completions */
    printf("drive: %ld instances of %d tasks each, one after another, one thread\n", n,
           TASKS_PER_INSTANCE);
    printf("  %ld cases made beforehand in %.1f s (not counted)\n", n, t_cases);
    printf("  %-34s %10.1f\n", "instances/s", (double)n / secs);
    printf("  %-34s %10.1f\n", "task completions/s", (double)tasks / secs);
    printf("  %-34s %10.1f\n", "transactions/s (start+claim+done)", events / secs);
    printf("  %-34s %10.1f s\n", "time", secs);
    lat_head();
    lat_print("wf_start", &l.start);
    lat_print("wf_task_claim", &l.claim);
    lat_print("wf_task_complete", &l.complete);
    if (raw_dir) {
        double raw = (raw1 + raw2) / 2;
        printf("reference: minimal SQLite write transactions (WAL, synchronous=FULL), same disk\n");
        printf("  %-34s %10.1f (before %.1f, after %.1f)\n", "raw commits/s", raw, raw1, raw2);
        printf("  %-34s %10.3f\n", "completions/s : raw commits/s", (double)tasks / secs / raw);
        printf("  %-34s %10.3f\n", "transactions/s : raw commits/s", events / secs / raw);
    }
    printf("  %-34s %10.1f MiB (VmHWM %.1f MiB)\n", "RSS", (double)status_kb("VmRSS") / 1024,
           (double)status_kb("VmHWM") / 1024);
    free(refs);
    free(l.start.v);
    free(l.claim.v);
    free(l.complete.v);
    store_close(s);
    return 0;
}

/* ---- open: many instances waiting ----------------------------------------- */

static int cmd_open(const char *data, const char *model, long n, long m)
{
    struct store *s = open_data(data, model);
    double db0 = file_bytes(data, "rathaus.db") + file_bytes(data, "rathaus.db-wal");
    struct cases cs = {.s = s, .a = rec_actor_system("bench")};
    int64_t *first = bench_xcalloc((size_t)n, sizeof *first),
            *insts = bench_xcalloc((size_t)n, sizeof *insts);
    int64_t last = max_task(s), q[MAX_OPEN_TASKS];

    set_sync(s, false);
    double t0 = bench_now_s();
    for (long i = 0; i < n; i++) {
        char ref[REC_REF_MAX];
        case_new(&cs, ref);
        bench_check(wf_start(s, "bench", SERVICE, ref, NULL, &insts[i]), "wf_start");
        size_t nq = 0;
        new_tasks(s, &last, q, &nq);
        if (nq != 1)
            bench_die("instance %" PRId64 ": %zu open tasks after the start", insts[i], nq);
        first[i] = q[0];
        if ((i + 1) % 10000 == 0)
            fprintf(stderr, "  %ld/%ld open instances, %.0f/s\n", i + 1, n,
                    (double)(i + 1) / (bench_now_s() - t0));
    }
    double t_build = bench_now_s() - t0;
    set_sync(s, true);

    struct store_conn *c;
    int64_t open_tasks = 0, running = 0, journal = 0;
    bench_check(store_get(s, &c), "store_get");
    bench_check(store_query_int(c, &open_tasks, "SELECT COUNT(*) FROM tasks WHERE state = 'open'",
                                "", NULL),
                "count tasks");
    bench_check(store_query_int(c, &running,
                                "SELECT COUNT(*) FROM instances WHERE state = 'running'", "", NULL),
                "count instances");
    bench_check(store_query_int(c, &journal, "SELECT COUNT(*) FROM journal", "", NULL), "journal");
    store_put(s, c);
    double db = file_bytes(data, "rathaus.db"), wal = file_bytes(data, "rathaus.db-wal");
    long rss = status_kb("VmRSS"), hwm = status_kb("VmHWM");
    bench_check(store_get(s, &c), "store_get");
    bench_check(store_exec(c, "PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");
    store_put(s, c);
    double db_ck = file_bytes(data, "rathaus.db");

    printf("open: %ld instances, each waiting at its first task\n", n);
    printf("  built in %.1f s (%.0f instances/s with case, synchronous=OFF while building)\n",
           t_build, (double)n / t_build);
    printf("  %-34s %10" PRId64 "\n", "running instances", running);
    printf("  %-34s %10" PRId64 "\n", "open tasks", open_tasks);
    printf("  %-34s %10" PRId64 "\n", "journal entries", journal);
    printf("  %-34s %10.1f MiB + WAL %.1f MiB = %.1f MiB\n", "store: database", mib(db), mib(wal),
           mib(db + wal));
    printf("  %-34s %10.1f MiB (%.0f bytes per instance with its case)\n", "store after checkpoint",
           mib(db_ck), (db_ck - db0) / (double)n);
    printf("  %-34s %10.1f MiB (VmHWM %.1f MiB)\n", "RSS of this process", (double)rss / 1024,
           (double)hwm / 1024);

    /* drive m of them, spread over all, at synchronous=FULL */
    if (m > n)
        m = n;
    struct lats l = {0};
    t0 = bench_now_s();
    long tasks = 0;
    for (long k = 0; k < m; k++) {
        long i = (long)((double)k * (double)n / (double)m);
        q[0] = first[i];
        int done = drive(s, insts[i], &last, q, 1, &l);
        if (done != TASKS_PER_INSTANCE)
            bench_die("instance %" PRId64 ": %d tasks instead of %d", insts[i], done,
                      TASKS_PER_INSTANCE);
        tasks += done;
    }
    double secs = bench_now_s() - t0;
    if (m > 0) {
        printf("  %ld of them driven to their end with %ld open (synchronous=FULL):\n", m, n);
        printf("  %-34s %10.1f\n", "instances/s", (double)m / secs);
        printf("  %-34s %10.1f\n", "task completions/s", (double)tasks / secs);
        lat_head();
        lat_print("wf_task_claim", &l.claim);
        lat_print("wf_task_complete", &l.complete);
    }
    free(first);
    free(insts);
    free(l.claim.v);
    free(l.complete.v);
    store_close(s);
    return 0;
}

static void usage(void)
{
    fputs("usage: wfbench drive --data DIR --model FILE [--instances N] [--raw-dir DIR]\n"
          "                     [--raw-seconds S] [--quick]\n"
          "       wfbench open --data DIR --model FILE [--count N] [--drive M] [--quick]\n"
          "DIR is a data directory made by `rathaus init`; FILE is bench/zehn-schritte.bpmn.\n",
          stderr);
}

static long num(const char *z, long min, long max, const char *what)
{
    long v;
    if (str_to_long(z, min, max, &v))
        bench_die("%s must be a number from %ld to %ld", what, min, max);
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1];
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'},
        {"instances", required_argument, NULL, 'n'},
        {"count", required_argument, NULL, 'c'},
        {"drive", required_argument, NULL, 'v'},
        {"raw-dir", required_argument, NULL, 'r'},
        {"raw-seconds", required_argument, NULL, 's'},
        {"quick", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL, *model = NULL, *raw_dir = NULL, *n_arg = NULL, *c_arg = NULL;
    long drive_m = 200, raw_seconds = 5;
    bool quick = false;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'm': model = optarg; break;
        case 'n': n_arg = optarg; break;
        case 'c': c_arg = optarg; break;
        case 'v': drive_m = num(optarg, 0, 100000, "--drive"); break;
        case 'r': raw_dir = optarg; break;
        case 's': raw_seconds = num(optarg, 1, 600, "--raw-seconds"); break;
        case 'q': quick = true; break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (!data || !model) {
        usage();
        return 2;
    }
    if (strcmp(cmd, "drive") == 0) {
        long n = n_arg ? num(n_arg, 1, 10000000, "--instances") : quick ? 100 : 1000;
        return cmd_drive(data, model, n, raw_dir, quick ? 2.0 : (double)raw_seconds);
    }
    if (strcmp(cmd, "open") == 0) {
        long n = c_arg ? num(c_arg, 1, 10000000, "--count") : quick ? 10000 : 100000;
        return cmd_open(data, model, n, quick && drive_m == 200 ? 50 : drive_m);
    }
    usage();
    return 2;
}
