/* The public read side of the workflow's event log, for other domains
 * (process mining): the services that have a deployed model, the BPMN model
 * a service runs, the model versions its instances ran under (each instance
 * keeps the version it was started with), and the wf.* journal entries of a
 * service's instances — all of them or those of one version — in the order
 * they were written. Nothing here writes; other domains read the workflow's
 * data only through these functions, never its tables. */
#ifndef RATHAUS_WORKFLOW_EVENTS_H
#define RATHAUS_WORKFLOW_EVENTS_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"
#include "workflow/bpmn.h"

#define WF_EVENTS_MAX_SERVICES 1000 /* services listed by wf_services_list */
#define WF_EVENTS_MAX_VERSIONS 1000 /* model versions listed by wf_service_versions */

/* One wf.* journal entry of an instance. The strings are valid only during
 * the callback that receives it. */
struct wf_event {
    int64_t seq;          /* journal sequence number (the order of events) */
    int64_t at;           /* Unix seconds, UTC */
    int64_t instance;     /* the workflow instance (one case of the process) */
    int64_t task;         /* task id of wf.task.* entries, else 0 */
    const char *action;   /* "wf.instance.start", "wf.task.create", "wf.task.claim",
                             "wf.task.unclaim", "wf.task.complete", "wf.task.cancel",
                             "wf.timer.fire", "wf.gateway", "wf.instance.end", … */
    const char *node;     /* BPMN node id, "" when the entry names none */
    const char *name;     /* wf.task.create: the task's name, else "" */
    const char *flow;     /* wf.gateway: the sequence flow taken, else "" */
    const char *actor;    /* login, or "workflow" for the engine's own steps */
    const char *case_ref; /* Aktenzeichen of the Vorgang, "" when unknown */
};

/* Called per event; a non-zero return stops the walk and is returned. */
typedef int (*wf_event_fn)(void *arg, const struct wf_event *e);

/* Calls fn for every wf.* journal entry of the instances of service_key,
 * oldest first; with model > 0 only of the instances started under that
 * stored model version (wf_model_version.model), with 0 of all. A read
 * transaction keeps the view consistent. Errors: those of the store,
 * ERR_CORRUPT for an entry whose time cannot be read, or fn's. */
int wf_events_each(struct store *s, const char *service_key, int64_t model, wf_event_fn fn,
                   void *arg) WUR;

/* A service with a deployed model and how many instances it has. */
struct wf_service_info {
    char key[65];         /* service key */
    char process_id[201]; /* id of the deployed BPMN process */
    char name[256];       /* the model's name ("" when it has none) */
    int version;          /* deployed version of that process */
    int64_t instances;    /* instances started for the service */
    int64_t running;      /* of them still running */
};

/* Lists the services with a deployment, ordered by key, into *ret (malloc'd,
 * free it) with *ret_n entries (at most WF_EVENTS_MAX_SERVICES). Store
 * errors, ERR_NOMEM. */
int wf_services_list(struct store *s, struct wf_service_info **ret, size_t *ret_n) WUR;

/* Fills *ret for one service. ERR_NOTFOUND when it has no deployment. */
int wf_service_info(struct store *s, const char *service_key, struct wf_service_info *ret) WUR;

/* Loads the deployed model of service_key: *ret_m (free with bpmn_free) and
 * its executed process *ret_p (owned by the model). ERR_NOTFOUND without a
 * deployment; ERR_CORRUPT when the stored file or process is unreadable. */
int wf_service_model(struct store *s, const char *service_key, struct bpmn_model **ret_m,
                     const struct bpmn_process **ret_p) WUR;

/* A stored model version that instances of a service ran (or run) under, or
 * the one the service is deployed with now. */
struct wf_model_version {
    int64_t model;        /* id of the stored version: the handle for wf_model_load */
    char process_id[201]; /* id of its BPMN process */
    char name[256];       /* the model's name ("" when it has none) */
    int version;          /* 1, 2, … per process id */
    char deployed_at[32]; /* when it was deployed, "2026-11-29T08:58:43Z" */
    int64_t instances;    /* instances of the service started under it */
    int64_t running;      /* of them still running */
    int current;          /* 1: the service is deployed with this version now */
};

/* Lists the versions of service_key that have instances, plus the deployed
 * one (also without instances), newest first (by order of deployment), into
 * *ret (malloc'd, free it) with *ret_n entries (at most
 * WF_EVENTS_MAX_VERSIONS). Version numbers count per process id, so a
 * service that changed its process can list the same number twice.
 * ERR_NOTFOUND when the service has no deployment; store errors, ERR_NOMEM. */
int wf_service_versions(struct store *s, const char *service_key, struct wf_model_version **ret,
                        size_t *ret_n) WUR;

/* Loads stored model version model (wf_model_version.model): *ret_m (free
 * with bpmn_free) and its executed process *ret_p (owned by the model).
 * ERR_NOTFOUND for an unknown id; ERR_CORRUPT when the stored file or
 * process is unreadable. */
int wf_model_load(struct store *s, int64_t model, struct bpmn_model **ret_m,
                  const struct bpmn_process **ret_p) WUR;

#endif
