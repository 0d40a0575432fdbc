/* A past for the demo's co-signature process, so that the process analysis
 * of `rathaus init --demo` shows figures: cases driven through the real
 * engine (claims, completions, reminder timers, approvals and refusals) on
 * a clock set back by RATHAUS_CLOCK_OFFSET, one case after another over the
 * last eleven months, all closed (open ones would mix with the demo's own
 * tasks in the inboxes). The journal says so in a demo.history entry first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "mining.h"
#include "records/records.h"
#include "store/journal.h"
#include "web/web.h"
#include "workflow/engine.h"

#define DEMO_CASES 48 /* closed cases, one every 6 to 7 days */
#define DAY (24 * 3600)
#define HOUR 3600

/* A deterministic sequence, so every demo has the same history. */
static uint32_t demo_rand(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* A duration from lo to hi seconds. */
static int64_t between(uint32_t *state, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(demo_rand(state) % (uint32_t)(hi - lo + 1));
}

/* t, or when it falls outside office hours (07–16 UTC, Monday to Friday)
 * the next working morning, keeping some minutes of t. */
static int64_t office(int64_t t)
{
    for (int i = 0; i < 4; i++) {
        int64_t h = (t % DAY) / HOUR, wd = (t / DAY + 4) % 7; /* 1970-01-01 was a Thursday */
        if (h >= 7 && h < 16 && wd != 0 && wd != 6)
            return t;
        t = t - t % DAY + (h >= 7 ? DAY : 0) + 7 * HOUR + t % 5400;
    }
    return t;
}

/* Moves the clock of rtime_now() to t (real is the unmoved time). */
static void clock_to(int64_t real, int64_t t)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)(t - real));
    setenv("RATHAUS_CLOCK_OFFSET", b, 1);
}

/* The id of the open task at node of instance, 0 when none. */
static int open_task(struct store *s, int64_t instance, const char *node, int64_t *ret)
{
    json_t *inst = NULL;
    int rc = wf_instance_get(s, instance, &inst);
    if (rc)
        return rc;
    *ret = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(inst, "tasks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "node")), node) == 0 &&
            strcmp(json_string_value(json_object_get(t, "state")), "open") == 0)
            *ret = json_integer_value(json_object_get(t, "id"));
    }
    json_decref(inst);
    return 0;
}

/* One step of a case: at `claim` the office takes the task, at `done` it
 * completes it with form (borrowed, may be NULL); due timers fire on the
 * way. Both move into office hours. */
struct step {
    const char *node;
    int office;
    int64_t claim, done;
};

static int run_step(struct store *s, int64_t real, int64_t instance, struct step *st,
                    const json_t *form)
{
    char login[16];
    snprintf(login, sizeof login, "amt%02d", st->office);
    struct rec_actor a = {.login = login, .unit_nr = st->office, .roles = WEB_ROLE_CASEWORKER};
    int64_t task = 0;
    int64_t work = st->done - st->claim;
    st->claim = office(st->claim);
    st->done = office(st->claim + work);
    clock_to(real, st->claim);
    int rc = wf_timers_fire(s, st->claim, NULL);
    if (!rc)
        rc = open_task(s, instance, st->node, &task);
    if (!rc && !task)
        rc = ERR_INTERNAL; /* the model did not reach the step */
    if (rc || (rc = wf_task_claim(s, &a, task)))
        return rc;
    clock_to(real, st->done);
    if ((rc = wf_timers_fire(s, st->done, NULL)))
        return rc;
    return wf_task_complete(s, &a, task, form, NULL);
}

/* Sorts two steps of the parallel part by claim time. */
static void order(struct step *a, struct step *b)
{
    if (b->claim < a->claim) {
        struct step t = *a;
        *a = *b;
        *b = t;
    }
}

/* Drives case k, started at t0, to its end. */
static int demo_case(struct store *s, const char *service, int64_t real, const char *file_ref,
                     int k, int64_t t0, uint32_t *rnd)
{
    struct rec_actor sys = rec_actor_system("system");
    char title[96], ref[REC_REF_MAX];
    snprintf(title, sizeof title, "Mitzeichnung Nr. %d", k + 1);
    clock_to(real, t0);
    int64_t instance = 0;
    int rc = rec_case_create(s, &sys, file_ref, title, service, ref, NULL);
    if (!rc)
        rc = wf_start(s, "system", service, ref, NULL, &instance);
    if (rc)
        return rc;
    /* Amt 32 prepares: waits hours to two days, works one to six hours */
    struct step prep = {"Vorbereiten", 32, t0 + between(rnd, 2 * HOUR, 2 * DAY), 0};
    prep.done = prep.claim + between(rnd, HOUR, 6 * HOUR);
    json_t *form = json_pack("{s:s}", "prioritaet", demo_rand(rnd) % 5 ? "normal" : "hoch");
    rc = run_step(s, real, instance, &prep, form);
    json_decref(form);
    if (rc)
        return rc;
    /* Amt 20 and Amt 63 co-sign in parallel; Amt 20 often takes longer than
     * five days, which fires the reminder */
    struct step a = {"Mitzeichnung20", 20, prep.done + between(rnd, 4 * HOUR, 8 * DAY), 0};
    a.done = a.claim + between(rnd, HOUR, 8 * HOUR);
    struct step b = {"Mitzeichnung63", 63, prep.done + between(rnd, 2 * HOUR, 4 * DAY), 0};
    b.done = b.claim + between(rnd, 30 * 60, 4 * HOUR);
    order(&a, &b);
    if (!(rc = run_step(s, real, instance, &a, NULL)))
        rc = run_step(s, real, instance, &b, NULL);
    if (rc)
        return rc;
    int64_t joined = a.done > b.done ? a.done : b.done;
    struct step decide = {"Entscheiden", 32, joined + between(rnd, HOUR, 3 * DAY), 0};
    decide.done = decide.claim + between(rnd, HOUR, 2 * DAY);
    bool yes = demo_rand(rnd) % 6 != 0;
    form = json_pack("{s:b, s:s}", "genehmigt", yes, "begruendung",
                     yes ? "Die Voraussetzungen liegen vor; beide Ämter haben mitgezeichnet."
                         : "Die Voraussetzungen liegen nicht vor.");
    rc = run_step(s, real, instance, &decide, form);
    json_decref(form);
    return rc;
}

/* Everything of mining_demo_seed inside the caller's write transaction. */
static int seed(struct store *s, const char *service, struct store_conn *c, int64_t real)
{
    struct rec_actor sys = rec_actor_system("system");
    char file_ref[REC_REF_MAX];
    int64_t first = real - real % DAY - 340 * (int64_t)DAY;
    char from[32];
    rtime_iso_utc(first, from, sizeof from);
    json_t *d = json_pack("{s:s, s:i, s:s}", "service", service, "cases", DEMO_CASES, "from", from);
    int rc = d ? journal_append(c, "system", "demo.history", "workflow", d, NULL) : ERR_NOMEM;
    json_decref(d);
    if (rc)
        return rc;
    /* the file of the cases, created where the history begins */
    clock_to(real, first - DAY);
    struct str why;
    str_init(&why, 256);
    rc = rec_file_create(s, &sys, "32.20.01", 32, "Sondernutzungen: Mitzeichnung (Demo-Verlauf)",
                         NULL, file_ref, NULL, &why);
    str_release(&why);
    uint32_t rnd = 20261129u;
    int64_t t = first;
    for (int k = 0; !rc && k < DEMO_CASES; k++) {
        rc = demo_case(s, service, real, file_ref, k, t + between(&rnd, 8 * HOUR, 10 * HOUR), &rnd);
        t += between(&rnd, 6 * DAY, 7 * DAY);
    }
    return rc;
}

int mining_demo_seed(struct store *s, const char *service)
{
    const char *had = getenv("RATHAUS_CLOCK_OFFSET");
    char *saved = had ? strdup(had) : NULL;
    unsetenv("RATHAUS_CLOCK_OFFSET");
    int64_t real = rtime_now();
    /* one transaction: a few hundred steps, one commit */
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (!rc) {
        if (!(rc = store_begin(c, true))) {
            rc = seed(s, service, c, real);
            rc = rc ? (store_rollback(c), rc) : store_commit(c);
        }
        store_put(s, c);
    }
    if (saved)
        setenv("RATHAUS_CLOCK_OFFSET", saved, 1);
    else
        unsetenv("RATHAUS_CLOCK_OFFSET");
    free(saved);
    return rc;
}
