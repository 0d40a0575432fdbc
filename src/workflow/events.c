/* The read API of the workflow's event log (events.h): the wf.* journal
 * entries of a service's instances as typed events, the services with a
 * deployment and the model each runs. It reads the same rows as the event
 * log download of pages.c (/api/v1/processes/:id/events), filtered by
 * service instead of by process. */
#include "events.h"

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
    " WHERE i.service_key = ?) ORDER BY j.seq";

static const char *jstr(json_t *o, const char *k)
{
    const char *z = json_string_value(json_object_get(o, k));
    return z ? z : "";
}

int wf_events_each(struct store *s, const char *service_key, wf_event_fn fn, void *arg)
{
    struct store_conn *c;
    struct store_stmt *st = NULL;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, false)))
        goto done;
    if ((rc = store_prepare(c, SQL_EVENTS, &st)) || (rc = store_bind(st, "t", service_key)))
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

int wf_service_model(struct store *s, const char *service_key, struct bpmn_model **ret_m,
                     const struct bpmn_process **ret_p)
{
    struct store_conn *c;
    struct store_stmt *st;
    char sha[BLOB_HEX] = "", pid[WF_MAX_ID + 1] = "";
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if (!(rc = store_prepare(c,
                             "SELECT pm.bpmn_sha256, pm.process_id FROM deployments d"
                             " JOIN process_models pm ON pm.id = d.model_id"
                             " WHERE d.service_key = ?",
                             &st))) {
        if (!(rc = store_bind(st, "t", service_key)) && (rc = store_step(st)) == STORE_ROW) {
            snprintf(sha, sizeof sha, "%s", store_col_text(st, 0));
            snprintf(pid, sizeof pid, "%s", store_col_text(st, 1));
            rc = 0;
        } else if (rc == STORE_DONE) {
            rc = ERR_NOTFOUND;
        }
        store_done(st);
    }
    store_put(s, c);
    if (rc)
        return rc;
    struct str data;
    struct bpmn_model *m = NULL;
    str_init(&data, BPMN_MAX_BYTES);
    rc = blob_read(s, sha, &data);
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
