/* The read API of the workflow's event log (events.h): the wf.* journal
 * entries of a service's instances (optionally of one model version) as
 * typed events, the services with a deployment, the model versions their
 * instances ran under and the model of each. It reads the same rows as the
 * event log download of pages.c (/api/v1/processes/:id/events), filtered by
 * service instead of by process. */
#include "events.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/rtime.h"
#include "store/blob.h"
#include "deploy.h"

static const char SQL_EVENTS[] =
    "SELECT j.seq, j.at, j.actor, j.action, j.object, j.details FROM journal j"
    " WHERE j.action LIKE 'wf.%' AND j.object IN (SELECT 'instance:' || i.id FROM instances i"
    " WHERE i.service_key = ?1 AND (?2 = 0 OR i.model_id = ?2)) ORDER BY j.seq";

static const char *jstr(json_t *o, const char *k)
{
    const char *z = json_string_value(json_object_get(o, k));
    return z ? z : "";
}

int wf_events_each(struct store *s, const char *service_key, int64_t model, wf_event_fn fn,
                   void *arg)
{
    struct store_conn *c;
    struct store_stmt *st = NULL;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, false)))
        goto done;
    if ((rc = store_prepare(c, SQL_EVENTS, &st)) || (rc = store_bind(st, "ti", service_key, model)))
        goto done;
    while ((rc = store_step(st)) == STORE_ROW) {
        struct wf_event e = {.seq = store_col_int(st, 0)};
        if (rtime_parse_iso(store_col_text(st, 1), &e.at)) {
            rc = ERR_CORRUPT;
            break;
        }
        const char *obj = store_col_text(st, 4);
        if (strncmp(obj, "instance:", 9) != 0)
            continue;
        e.instance = strtoll(obj + 9, NULL, 10);
        json_t *d = json_loads(store_col_text(st, 5), 0, NULL);
        e.actor = store_col_text(st, 2);
        e.action = store_col_text(st, 3);
        e.task = (int64_t)json_integer_value(json_object_get(d, "task"));
        e.node = jstr(d, "node");
        e.name = jstr(d, "name");
        e.flow = jstr(d, "flow");
        e.case_ref = jstr(d, "case");
        rc = fn(arg, &e);
        json_decref(d);
        if (rc)
            break;
    }
    if (rc == STORE_DONE)
        rc = 0;
done:
    if (st)
        store_done(st);
    store_rollback(c);
    store_put(s, c);
    return rc;
}

#define SQL_SERVICE_COLS                                                                           \
    "SELECT d.service_key, pm.process_id, pm.name, pm.version,"                                    \
    " (SELECT COUNT(*) FROM instances i WHERE i.service_key = d.service_key),"                     \
    " (SELECT COUNT(*) FROM instances i WHERE i.service_key = d.service_key"                       \
    " AND i.state = 'running')"                                                                    \
    " FROM deployments d JOIN process_models pm ON pm.id = d.model_id"

static const char SQL_SERVICES[] = SQL_SERVICE_COLS " ORDER BY d.service_key LIMIT ?";
static const char SQL_SERVICE[] = SQL_SERVICE_COLS " WHERE d.service_key = ?";

static void service_row(struct store_stmt *st, struct wf_service_info *o)
{
    snprintf(o->key, sizeof o->key, "%s", store_col_text(st, 0));
    snprintf(o->process_id, sizeof o->process_id, "%s", store_col_text(st, 1));
    snprintf(o->name, sizeof o->name, "%s", store_col_text(st, 2));
    o->version = (int)store_col_int(st, 3);
    o->instances = store_col_int(st, 4);
    o->running = store_col_int(st, 5);
}

int wf_services_list(struct store *s, struct wf_service_info **ret, size_t *ret_n)
{
    struct store_conn *c;
    struct store_stmt *st;
    struct wf_service_info *list = NULL;
    size_t n = 0;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_prepare(c, SQL_SERVICES, &st)))
        goto done;
    if (!(rc = store_bind(st, "i", (int64_t)WF_EVENTS_MAX_SERVICES)) &&
        !(list = calloc(WF_EVENTS_MAX_SERVICES, sizeof *list)))
        rc = ERR_NOMEM;
    while (!rc && n < WF_EVENTS_MAX_SERVICES && (rc = store_step(st)) == STORE_ROW) {
        service_row(st, &list[n++]);
        rc = 0;
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
done:
    store_put(s, c);
    if (rc) {
        free(list);
        return rc;
    }
    *ret = list;
    *ret_n = n;
    return 0;
}

int wf_service_info(struct store *s, const char *service_key, struct wf_service_info *ret)
{
    struct store_conn *c;
    struct store_stmt *st;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if (!(rc = store_prepare(c, SQL_SERVICE, &st))) {
        if (!(rc = store_bind(st, "t", service_key)) && (rc = store_step(st)) == STORE_ROW) {
            service_row(st, ret);
            rc = 0;
        } else if (rc == STORE_DONE) {
            rc = ERR_NOTFOUND;
        }
        store_done(st);
    }
    store_put(s, c);
    return rc;
}

/* Parses the stored BPMN file sha and finds its process pid. */
static int model_parse(struct store *s, const char *sha, const char *pid, struct bpmn_model **ret_m,
                       const struct bpmn_process **ret_p)
{
    struct str data;
    struct bpmn_model *m = NULL;
    str_init(&data, BPMN_MAX_BYTES);
    int rc = blob_read(s, sha, &data);
    if (!rc)
        rc = bpmn_parse(data.buf, data.len, sha, &m, NULL);
    str_release(&data);
    if (rc)
        return rc == ERR_INVALID || rc == ERR_NOTFOUND ? ERR_CORRUPT : rc;
    for (const struct bpmn_process *p = m->processes; p; p = p->next)
        if (strcmp(p->id, pid) == 0) {
            *ret_m = m;
            *ret_p = p;
            return 0;
        }
    bpmn_free(m);
    return ERR_CORRUPT;
}

/* Loads the model of the one row sql (bound to the text or id arg) selects
 * as (bpmn_sha256, process_id). ERR_NOTFOUND without a row. */
static int model_by(struct store *s, const char *sql, const char *types, const char *key,
                    int64_t id, struct bpmn_model **ret_m, const struct bpmn_process **ret_p)
{
    struct store_conn *c;
    struct store_stmt *st;
    char sha[BLOB_HEX] = "", pid[WF_MAX_ID + 1] = "";
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if (!(rc = store_prepare(c, sql, &st))) {
        rc = *types == 't' ? store_bind(st, "t", key) : store_bind(st, "i", id);
        if (!rc && (rc = store_step(st)) == STORE_ROW) {
            snprintf(sha, sizeof sha, "%s", store_col_text(st, 0));
            snprintf(pid, sizeof pid, "%s", store_col_text(st, 1));
            rc = 0;
        } else if (rc == STORE_DONE) {
            rc = ERR_NOTFOUND;
        }
        store_done(st);
    }
    store_put(s, c);
    return rc ? rc : model_parse(s, sha, pid, ret_m, ret_p);
}

int wf_service_model(struct store *s, const char *service_key, struct bpmn_model **ret_m,
                     const struct bpmn_process **ret_p)
{
    return model_by(s,
                    "SELECT pm.bpmn_sha256, pm.process_id FROM deployments d"
                    " JOIN process_models pm ON pm.id = d.model_id WHERE d.service_key = ?",
                    "t", service_key, 0, ret_m, ret_p);
}

int wf_model_load(struct store *s, int64_t model, struct bpmn_model **ret_m,
                  const struct bpmn_process **ret_p)
{
    return model_by(s, "SELECT bpmn_sha256, process_id FROM process_models WHERE id = ?", "i", NULL,
                    model, ret_m, ret_p);
}

/* The versions with instances of the service (?1) and the deployed one:
 * the instances are counted per version in one scan. */
static const char SQL_VERSIONS[] =
    "WITH n AS (SELECT model_id, COUNT(*) AS total,"
    " COUNT(CASE WHEN state = 'running' THEN 1 END) AS running"
    " FROM instances WHERE service_key = ?1 GROUP BY model_id),"
    " d AS (SELECT model_id FROM deployments WHERE service_key = ?1)"
    " SELECT pm.id, pm.process_id, pm.name, pm.version, pm.deployed_at,"
    " COALESCE(n.total, 0), COALESCE(n.running, 0), pm.id IN (SELECT model_id FROM d)"
    " FROM process_models pm LEFT JOIN n ON n.model_id = pm.id"
    " WHERE pm.id IN (SELECT model_id FROM n UNION SELECT model_id FROM d)"
    " ORDER BY pm.id DESC LIMIT ?2";

int wf_service_versions(struct store *s, const char *service_key, struct wf_model_version **ret,
                        size_t *ret_n)
{
    struct store_conn *c;
    struct store_stmt *st;
    struct wf_model_version *list = NULL;
    size_t n = 0;
    bool deployed = false;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_prepare(c, SQL_VERSIONS, &st)))
        goto done;
    if (!(rc = store_bind(st, "ti", service_key, (int64_t)WF_EVENTS_MAX_VERSIONS)) &&
        !(list = calloc(WF_EVENTS_MAX_VERSIONS, sizeof *list)))
        rc = ERR_NOMEM;
    while (!rc && n < WF_EVENTS_MAX_VERSIONS && (rc = store_step(st)) == STORE_ROW) {
        struct wf_model_version *v = &list[n++];
        v->model = store_col_int(st, 0);
        snprintf(v->process_id, sizeof v->process_id, "%s", store_col_text(st, 1));
        snprintf(v->name, sizeof v->name, "%s", store_col_text(st, 2));
        v->version = (int)store_col_int(st, 3);
        snprintf(v->deployed_at, sizeof v->deployed_at, "%s", store_col_text(st, 4));
        v->instances = store_col_int(st, 5);
        v->running = store_col_int(st, 6);
        v->current = store_col_int(st, 7) != 0;
        deployed |= v->current;
        rc = 0;
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
done:
    store_put(s, c);
    if (!rc && !deployed)
        rc = ERR_NOTFOUND;
    if (rc) {
        free(list);
        return rc;
    }
    *ret = list;
    *ret_n = n;
    return 0;
}
