/* The parsed-model cache: the engine and the task pages need the parsed BPMN
 * of a deployed model on every event, so parsed models are kept, at most
 * WF_MODEL_CACHE of them, least recently used out first. Entries are keyed
 * by the SHA-256 of the BPMN file and the process id (content, not the
 * model's row id, so two data directories in one process never mix), and
 * reference-counted: an entry pushed out while in use is freed by its last
 * wf__model_put. A parsed model is only read after parsing (also its XML),
 * so threads share it without further locking. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/blob.h"
#include "workflow_int.h"

struct wf__model_entry {
    struct wf__model pub;    /* what callers see; first, so the pointers convert */
    char sha[BLOB_HEX];      /* key: the BPMN file */
    char pid[WF_MAX_ID_INT]; /* key: the process id */
    int refs;                /* callers holding it */
    uint64_t used;           /* tick of the last get */
    bool cached;             /* still in slots[] */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct wf__model_entry *slots[WF_MODEL_CACHE]; /* guarded by lock */
static uint64_t tick;                                 /* guarded by lock */
static uint64_t hits, misses;                         /* guarded by lock */

static void entry_free(struct wf__model_entry *e)
{
    if (!e)
        return;
    bpmn_free(e->pub.m);
    free(e);
}

/* Looks up the file and process of model_id. */
static int model_row(struct store_conn *c, int64_t model_id, char sha[BLOB_HEX],
                     char pid[WF_MAX_ID_INT])
{
    struct store_stmt *st;
    int rc =
        store_prepare(c, "SELECT bpmn_sha256, process_id FROM process_models WHERE id = ?", &st);
    if (rc)
        return rc;
    if (!(rc = store_bind(st, "i", model_id)) && (rc = store_step(st)) == STORE_ROW) {
        snprintf(sha, BLOB_HEX, "%s", store_col_text(st, 0));
        snprintf(pid, WF_MAX_ID_INT, "%s", store_col_text(st, 1));
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    return rc;
}

/* Reads and parses the file; ERR_CORRUPT when it no longer parses or lacks
 * the process. */
static int parse(struct store *s, const char *sha, const char *pid, struct wf__model_entry **ret)
{
    struct wf__model_entry *e = calloc(1, sizeof *e);
    if (!e)
        return ERR_NOMEM;
    struct str data;
    str_init(&data, BPMN_MAX_BYTES);
    int rc = blob_read(s, sha, &data);
    if (!rc)
        rc = bpmn_parse(data.buf, data.len, sha, &e->pub.m, NULL);
    str_release(&data);
    if (rc == ERR_INVALID)
        rc = ERR_CORRUPT;
    for (const struct bpmn_process *p = rc ? NULL : e->pub.m->processes; p; p = p->next)
        if (strcmp(p->id, pid) == 0)
            e->pub.p = p;
    if (!rc && !e->pub.p)
        rc = ERR_CORRUPT;
    if (rc) {
        entry_free(e);
        return rc;
    }
    snprintf(e->sha, sizeof e->sha, "%s", sha);
    snprintf(e->pid, sizeof e->pid, "%s", pid);
    *ret = e;
    return 0;
}

/* The cached entry for sha and pid, taken (refs + 1); NULL if none. Call
 * with lock held. */
static struct wf__model_entry *find(const char *sha, const char *pid)
{
    for (size_t i = 0; i < WF_MODEL_CACHE; i++) {
        struct wf__model_entry *e = slots[i];
        if (e && strcmp(e->sha, sha) == 0 && strcmp(e->pid, pid) == 0) {
            e->refs++;
            e->used = ++tick;
            return e;
        }
    }
    return NULL;
}

int wf__model_get(struct store *s, struct store_conn *c, int64_t model_id,
                  const struct wf__model **ret)
{
    char sha[BLOB_HEX], pid[WF_MAX_ID_INT];
    struct store_conn *own = NULL;
    int rc = c ? 0 : store_get(s, &own);
    if (!rc)
        rc = model_row(c ? c : own, model_id, sha, pid);
    if (own)
        store_put(s, own);
    if (rc)
        return rc;
    pthread_mutex_lock(&lock);
    struct wf__model_entry *e = find(sha, pid);
    if (e)
        hits++;
    else
        misses++;
    pthread_mutex_unlock(&lock);
    if (e) {
        *ret = &e->pub;
        return 0;
    }
    /* Parse outside the lock; another thread may do the same meanwhile, and
     * the first to insert wins. */
    struct wf__model_entry *fresh;
    if ((rc = parse(s, sha, pid, &fresh)))
        return rc;
    pthread_mutex_lock(&lock);
    e = find(sha, pid);
    struct wf__model_entry *drop = NULL;
    if (e) {
        drop = fresh;
    } else {
        size_t victim = 0;
        for (size_t i = 0; i < WF_MODEL_CACHE; i++) {
            if (!slots[i]) {
                victim = i;
                break;
            }
            if (slots[i]->used < slots[victim]->used)
                victim = i;
        }
        struct wf__model_entry *old = slots[victim];
        if (old) {
            old->cached = false;
            if (!old->refs)
                drop = old;
        }
        fresh->refs = 1;
        fresh->used = ++tick;
        fresh->cached = true;
        slots[victim] = fresh;
        e = fresh;
    }
    pthread_mutex_unlock(&lock);
    entry_free(drop);
    *ret = &e->pub;
    return 0;
}

void wf__model_put(const struct wf__model *m)
{
    if (!m)
        return;
    struct wf__model_entry *e = (struct wf__model_entry *)m;
    pthread_mutex_lock(&lock);
    bool gone = --e->refs == 0 && !e->cached;
    pthread_mutex_unlock(&lock);
    if (gone)
        entry_free(e);
}

void wf__model_cache_stats(uint64_t *ret_hits, uint64_t *ret_misses, size_t *ret_entries)
{
    pthread_mutex_lock(&lock);
    size_t n = 0;
    for (size_t i = 0; i < WF_MODEL_CACHE; i++)
        n += slots[i] != NULL;
    *ret_hits = hits;
    *ret_misses = misses;
    *ret_entries = n;
    pthread_mutex_unlock(&lock);
}

void wf__model_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    struct wf__model_entry *drop[WF_MODEL_CACHE];
    size_t n = 0;
    for (size_t i = 0; i < WF_MODEL_CACHE; i++) {
        struct wf__model_entry *e = slots[i];
        slots[i] = NULL;
        if (!e)
            continue;
        e->cached = false;
        if (!e->refs)
            drop[n++] = e;
    }
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; i < n; i++)
        entry_free(drop[i]);
}
