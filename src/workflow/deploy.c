/* Deploy-time checks of BPMN models against what the engine runs, the
 * shared model helpers of the engine (vendor attributes, lanes, timers), and
 * the storing of a deployed model as the next version of its process. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "base/rtime.h"
#include "deploy.h"
#include "expr.h"
#include "store/blob.h"
#include "store/journal.h"
#include "taskform.h"
#include "workflow_int.h"

/* The built-in actions of service and script tasks. */
static const char *const actions[] = {"close_case", "set_resubmission", "notify", "render_notice",
                                      "file_document"};

static xmlNodePtr find_xml(xmlNodePtr n, const char *id)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (n->ns && strcmp((const char *)n->ns->href, BPMN_NS_MODEL) == 0) {
            xmlAttrPtr a = xmlHasProp(n, (const xmlChar *)"id");
            if (a && a->children && a->children->content &&
                strcmp((const char *)a->children->content, id) == 0)
                return n;
        }
        xmlNodePtr r = find_xml(n->children, id);
        if (r)
            return r;
    }
    return NULL;
}

const char *wf__attr(const struct bpmn_model *m, const char *id, const char *name)
{
    if (!m->doc || !id || !*id)
        return NULL;
    xmlNodePtr n = find_xml(xmlDocGetRootElement((xmlDocPtr)m->doc), id);
    if (!n)
        return NULL;
    xmlAttrPtr a = xmlHasNsProp(n, (const xmlChar *)name, (const xmlChar *)WF_NS);
    if (!a)
        return NULL;
    return a->children && a->children->content ? (const char *)a->children->content : "";
}

const struct bpmn_scope *wf__scope_of(const struct bpmn_process *p, const struct bpmn_node *n)
{
    return n->parent && n->parent->inner ? n->parent->inner : &p->scope;
}

size_t wf__count_flows(const struct bpmn_scope *sc, const char *id, bool incoming)
{
    size_t k = 0;
    for (const struct bpmn_flow *f = sc->flows; f; f = f->next)
        if (strcmp(incoming ? f->target : f->source, id) == 0)
            k++;
    return k;
}

/* Reads an office number from "32", "Amt 32" or "Amt 32 Ordnungsamt". */
static int unit_of_name(const char *z)
{
    while (isspace((unsigned char)*z))
        z++;
    if (strncmp(z, "Amt", 3) == 0 && isspace((unsigned char)z[3]))
        for (z += 3; isspace((unsigned char)*z);)
            z++;
    int v = 0, digits = 0;
    while (isdigit((unsigned char)*z) && digits < 5) {
        v = v * 10 + (*z++ - '0');
        digits++;
    }
    if (!digits || digits > 4 || (*z && !isspace((unsigned char)*z)))
        return 0;
    return v;
}

static bool assign_from(const struct bpmn_model *m, const char *id, const char *name,
                        struct wf__assign *ret)
{
    const char *u = wf__attr(m, id, "unit");
    const char *r = wf__attr(m, id, "role");
    if (u && *u) {
        ret->unit_nr = unit_of_name(u);
        ret->role = r ? r : "";
        return ret->unit_nr > 0;
    }
    if (r && *r) {
        ret->unit_nr = 0;
        ret->role = r;
        return true;
    }
    if (!name)
        return false;
    ret->unit_nr = unit_of_name(name);
    ret->role = ret->unit_nr ? "" : name;
    return ret->unit_nr > 0 || *name;
}

/* Finds the innermost lane of list holding id; NULL if none. */
static const struct bpmn_lane *lane_of(const struct bpmn_lane *l, const char *id)
{
    for (; l; l = l->next) {
        const struct bpmn_lane *inner = lane_of(l->children, id);
        if (inner)
            return inner;
        for (size_t i = 0; i < l->n_refs; i++)
            if (strcmp(l->refs[i], id) == 0)
                return l;
    }
    return NULL;
}

bool wf__assign_of(const struct bpmn_model *m, const struct bpmn_process *p,
                   const struct bpmn_node *n, struct wf__assign *ret)
{
    struct wf__assign a = {0, ""};
    if (assign_from(m, n->id, NULL, &a)) {
        *ret = a;
        return true;
    }
    /* The innermost lane naming the task, else the lane of an enclosing
     * subprocess; process lanes may name nodes inside subprocesses too. */
    for (const struct bpmn_node *cur = n; cur; cur = cur->parent) {
        const struct bpmn_lane *l = lane_of(wf__scope_of(p, cur)->lanes, cur->id);
        if (!l)
            l = lane_of(p->scope.lanes, cur->id);
        if (l && assign_from(m, l->id, l->name, &a)) {
            *ret = a;
            return true;
        }
    }
    return false;
}

const struct bpmn_event_def *wf__timer_of(const struct bpmn_node *n)
{
    for (const struct bpmn_event_def *d = n->event_defs; d; d = d->next)
        if (strcmp(d->type, "timerEventDefinition") == 0)
            return d;
    return NULL;
}

int wf_duration_parse(const char *z, int64_t *ret)
{
    if (!z)
        return ERR_INVALID;
    while (isspace((unsigned char)*z))
        z++;
    if (*z++ != 'P')
        return ERR_INVALID;
    bool time = false, any = false;
    int64_t total = 0;
    while (*z && !isspace((unsigned char)*z)) {
        if (*z == 'T') {
            if (time)
                return ERR_INVALID;
            time = true;
            z++;
            continue;
        }
        if (!isdigit((unsigned char)*z))
            return ERR_INVALID;
        int64_t v = 0;
        while (isdigit((unsigned char)*z)) {
            v = v * 10 + (*z++ - '0');
            if (v > 100000000)
                return ERR_INVALID;
        }
        int64_t unit;
        switch (*z++) {
        case 'W': unit = time ? 0 : 7 * 86400; break;
        case 'D': unit = time ? 0 : 86400; break;
        case 'H': unit = time ? 3600 : 0; break;
        case 'M': unit = time ? 60 : 0; break;
        case 'S': unit = time ? 1 : 0; break;
        default: unit = 0;
        }
        if (!unit)
            return ERR_INVALID;
        total += v * unit;
        any = true;
    }
    while (isspace((unsigned char)*z))
        z++;
    if (!any || *z)
        return ERR_INVALID;
    *ret = total;
    return 0;
}

int wf__timer_due(const struct bpmn_event_def *d, int64_t now, int64_t *ret)
{
    if (!d || !d->timer_kind || !d->timer_value)
        return ERR_INVALID;
    if (strcmp(d->timer_kind, "timeDuration") == 0) {
        int64_t secs;
        if (wf_duration_parse(d->timer_value, &secs))
            return ERR_INVALID;
        *ret = now + secs;
        return 0;
    }
    if (strcmp(d->timer_kind, "timeDate") == 0) {
        char buf[32];
        const char *z = d->timer_value;
        while (isspace((unsigned char)*z))
            z++;
        size_t k = strcspn(z, " \t\r\n");
        if (k >= sizeof buf)
            return ERR_INVALID;
        memcpy(buf, z, k);
        buf[k] = '\0';
        int64_t t;
        if (rtime_parse_iso(buf, &t))
            return ERR_INVALID;
        *ret = t;
        return 0;
    }
    return ERR_INVALID;
}

const struct bpmn_process *wf__pick_process(const struct bpmn_model *m)
{
    if (m->n_processes == 1)
        return m->processes;
    const struct bpmn_process *pick = NULL;
    for (const struct bpmn_process *p = m->processes; p; p = p->next) {
        if (!p->executable)
            continue;
        if (pick)
            return NULL;
        pick = p;
    }
    return pick;
}

/* ---- validation -------------------------------------------------------- */

struct check {
    const struct bpmn_model *m;   /* the model */
    const struct bpmn_process *p; /* the process checked */
    json_t *problems;             /* [{id, reason}] */
    int rc;                       /* ERR_NOMEM once out of memory */
};

static void problem(struct check *ck, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct check *ck, const char *id, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s, s:s}", "id", id && *id ? id : "(ohne id)", "reason", buf);
    if (!o || json_array_append_new(ck->problems, o))
        ck->rc = ERR_NOMEM;
}

static const struct bpmn_node *node_in(const struct bpmn_scope *sc, const char *id)
{
    for (const struct bpmn_node *n = sc->nodes; n; n = n->next)
        if (strcmp(n->id, id) == 0)
            return n;
    return NULL;
}

static void check_timer(struct check *ck, const struct bpmn_node *n)
{
    const struct bpmn_event_def *d = wf__timer_of(n);
    int64_t due;
    if (!d->timer_kind)
        problem(ck, n->id, "Zeitereignis ohne Zeitangabe (timeDuration oder timeDate)");
    else if (strcmp(d->timer_kind, "timeCycle") == 0)
        problem(ck, n->id, "wiederkehrende Zeitereignisse (timeCycle) werden nicht ausgeführt");
    else if (wf__timer_due(d, 0, &due))
        problem(ck, n->id,
                "Zeitangabe „%s“ ist keine ISO-8601-Dauer (PnDTnHnMnS) und kein Datum "
                "(JJJJ-MM-TT oder JJJJ-MM-TTThh:mm:ssZ)",
                d->timer_value ? d->timer_value : "");
}

static bool only_defs(const struct bpmn_node *n, const char *type)
{
    if (n->n_event_defs == 0)
        return type == NULL;
    if (n->n_event_defs != 1 || !type)
        return false;
    return strcmp(n->event_defs->type, type) == 0;
}

static void check_scope(struct check *ck, const struct bpmn_scope *sc, bool top);

/* The attributes of the actions render_notice, file_document and notify. */
static void check_action(struct check *ck, const struct bpmn_node *n, const char *act)
{
    if (!act)
        return;
    const char *title = wf__attr(ck->m, n->id, "title");
    if (title && strlen(title) > 300)
        problem(ck, n->id, "rathaus:title ist länger als 300 Bytes");
    if (strcmp(act, "render_notice") == 0) {
        const char *t = wf__attr(ck->m, n->id, "template");
        if (t && !wf__notice_template(t))
            problem(ck, n->id, "unbekannte Bescheidvorlage „%s“ (vorhanden: standard)", t);
    } else if (strcmp(act, "file_document") == 0) {
        const char *v = wf__attr(ck->m, n->id, "variables");
        for (const char *p = v; p && *p;) {
            size_t k = strcspn(p, ",");
            if (k == 0 || k > WF_MAX_ID) {
                problem(ck, n->id, "rathaus:variables: leerer oder zu langer Name in „%s“", v);
                break;
            }
            p += k;
            if (*p == ',')
                p++;
        }
    } else if (strcmp(act, "notify") == 0) {
        const char *kind = wf__attr(ck->m, n->id, "kind");
        const char *text = wf__attr(ck->m, n->id, "text");
        if (kind && strcmp(kind, "info") != 0 && strcmp(kind, "evidence") != 0)
            problem(ck, n->id, "rathaus:kind „%s“: erlaubt sind info und evidence", kind);
        if (text && strlen(text) > 2000)
            problem(ck, n->id, "rathaus:text ist länger als 2000 Bytes");
    }
}

static void check_node(struct check *ck, const struct bpmn_scope *sc, const struct bpmn_node *n,
                       bool top, int *starts)
{
    const char *t = n->type;
    size_t out = wf__count_flows(sc, n->id, false);
    size_t in = wf__count_flows(sc, n->id, true);
    bool is_end = strcmp(t, "endEvent") == 0;
    if (!*n->id)
        problem(ck, n->id, "Element %s ohne id", t);
    else if (strlen(n->id) > WF_MAX_ID)
        problem(ck, n->id, "id länger als %d Bytes", WF_MAX_ID);
    if (strcmp(t, "startEvent") == 0) {
        (*starts)++;
        if (!only_defs(n, NULL) && !(top && only_defs(n, "messageEventDefinition")))
            problem(ck, n->id,
                    top ? "nur Startereignisse ohne Auslöser oder mit Nachricht werden ausgeführt"
                        : "im Teilprozess nur ein Startereignis ohne Auslöser");
        if (in)
            problem(ck, n->id, "Startereignis mit eingehendem Sequenzfluss");
    } else if (is_end) {
        if (!only_defs(n, NULL) && !only_defs(n, "terminateEventDefinition"))
            problem(ck, n->id, "nur einfache und Terminierungs-Endereignisse werden ausgeführt");
    } else if (strcmp(t, "userTask") == 0) {
        struct wf__assign a;
        if (!wf__assign_of(ck->m, ck->p, n, &a))
            problem(ck, n->id,
                    "Benutzeraufgabe ohne Amt oder Rolle: in eine Lane legen oder "
                    "rathaus:unit/rathaus:role angeben");
        const char *due = wf__attr(ck->m, n->id, "due");
        int64_t secs;
        if (due && wf_duration_parse(due, &secs))
            problem(ck, n->id, "rathaus:due „%s“ ist keine ISO-8601-Dauer", due);
    } else if (strcmp(t, "serviceTask") == 0 || strcmp(t, "scriptTask") == 0) {
        const char *act = wf__attr(ck->m, n->id, "action");
        bool known = false;
        for (size_t i = 0; act && i < sizeof actions / sizeof actions[0]; i++)
            known |= strcmp(act, actions[i]) == 0;
        if (!act)
            problem(ck, n->id,
                    "%s ohne eingebaute Aktion (rathaus:action = close_case, "
                    "set_resubmission, notify, render_notice oder file_document)",
                    t);
        else if (!known)
            problem(ck, n->id,
                    "unbekannte Aktion „%s“ (bekannt: close_case, set_resubmission, "
                    "notify, render_notice, file_document)",
                    act);
        check_action(ck, n, act);
        const char *due = wf__attr(ck->m, n->id, "due");
        int64_t secs;
        if (act && strcmp(act, "set_resubmission") == 0 && (!due || wf_duration_parse(due, &secs)))
            problem(ck, n->id,
                    "set_resubmission braucht rathaus:due als ISO-8601-Dauer (z. B. P14D)");
    } else if (strcmp(t, "exclusiveGateway") == 0) {
        if (n->default_flow) {
            bool ok = false;
            for (const struct bpmn_flow *f = sc->flows; f; f = f->next)
                ok |= strcmp(f->id, n->default_flow) == 0 && strcmp(f->source, n->id) == 0;
            if (!ok)
                problem(ck, n->id, "Standardfluss „%s“ geht nicht von diesem Gateway aus",
                        n->default_flow);
        }
        if (out > 1)
            for (const struct bpmn_flow *f = sc->flows; f; f = f->next) {
                if (strcmp(f->source, n->id) != 0 ||
                    (n->default_flow && strcmp(f->id, n->default_flow) == 0))
                    continue;
                if (!f->condition) {
                    problem(ck, f->id, "Sequenzfluss aus verzweigendem Gateway ohne Bedingung");
                    continue;
                }
                struct wf_expr *e = NULL;
                struct str err;
                str_init(&err, 1024);
                if (wf_expr_parse(f->condition, strlen(f->condition), &e, &err))
                    problem(ck, f->id, "%s", err.len ? err.buf : "ungültige Bedingung");
                wf_expr_free(e);
                str_release(&err);
            }
    } else if (strcmp(t, "parallelGateway") == 0) {
        /* fork and join: nothing more to check */
    } else if (strcmp(t, "intermediateCatchEvent") == 0) {
        if (!only_defs(n, "timerEventDefinition"))
            problem(ck, n->id, "nur Zwischenereignisse mit Zeitgeber werden ausgeführt");
        else
            check_timer(ck, n);
    } else if (strcmp(t, "boundaryEvent") == 0) {
        const struct bpmn_node *host = n->attached_to ? node_in(sc, n->attached_to) : NULL;
        if (!only_defs(n, "timerEventDefinition"))
            problem(ck, n->id, "nur angeheftete Zeitereignisse werden ausgeführt");
        else
            check_timer(ck, n);
        if (!host)
            problem(ck, n->id, "angeheftetes Ereignis ohne Aktivität im selben Bereich");
        else if (strcmp(host->type, "userTask") != 0 && strcmp(host->type, "subProcess") != 0)
            problem(ck, n->id, "Zeitereignisse nur an Benutzeraufgaben und Teilprozessen");
        if (in)
            problem(ck, n->id, "angeheftetes Ereignis mit eingehendem Sequenzfluss");
    } else if (strcmp(t, "subProcess") == 0) {
        if (n->triggered_by_event)
            problem(ck, n->id, "Ereignis-Teilprozesse werden nicht ausgeführt");
        else if (n->inner)
            check_scope(ck, n->inner, false);
    } else {
        problem(ck, n->id, "Elementtyp %s wird nicht ausgeführt", t);
        return;
    }
    if (!is_end && !out)
        problem(ck, n->id, "kein ausgehender Sequenzfluss");
    if (n->kind == BPMN_KIND_TASK) {
        json_t *fields = NULL;
        if (wf_form_read(n, ck->problems, &fields))
            ck->rc = ERR_NOMEM;
        json_decref(fields);
    }
}

static void check_scope(struct check *ck, const struct bpmn_scope *sc, bool top)
{
    int starts = 0;
    for (const struct bpmn_node *n = sc->nodes; n; n = n->next)
        check_node(ck, sc, n, top, &starts);
    if (starts != 1)
        problem(ck, top ? ck->p->id : "",
                starts ? "mehr als ein Startereignis" : "kein Startereignis");
    for (const struct bpmn_flow *f = sc->flows; f; f = f->next) {
        const struct bpmn_node *src = node_in(sc, f->source);
        if (!src || !node_in(sc, f->target))
            problem(ck, f->id, "Sequenzfluss verweist auf kein Element dieses Bereichs");
        else if (f->condition && strcmp(src->type, "exclusiveGateway") != 0)
            problem(ck, f->id, "Bedingungen nur an Flüssen aus exklusiven Gateways");
    }
}

int wf_validate(const struct bpmn_model *m, json_t **ret_problems,
                const struct bpmn_process **ret_process)
{
    struct check ck = {.m = m, .problems = json_array()};
    if (!ck.problems)
        return ERR_NOMEM;
    ck.p = wf__pick_process(m);
    if (!ck.p)
        problem(&ck, m->id,
                m->n_processes ? "mehrere Prozesse: genau einer muss isExecutable=\"true\" sein"
                               : "die Datei enthält keinen Prozess");
    else
        check_scope(&ck, &ck.p->scope, true);
    if (ck.rc) {
        json_decref(ck.problems);
        return ck.rc;
    }
    *ret_problems = ck.problems;
    if (ret_process)
        *ret_process = ck.p;
    return 0;
}

/* ---- storing ----------------------------------------------------------- */

int wf_deploy(struct store *s, const char *actor, const char *data, size_t len, const char *name,
              const char *service_key, struct wf_deployment *ret, json_t **ret_problems,
              struct str *err)
{
    struct bpmn_model *m = NULL;
    json_t *problems = NULL;
    struct store_conn *c = NULL;
    const struct bpmn_process *p = NULL;
    int rc;
    if (!service_key || !*service_key || strlen(service_key) >= WF_MAX_SERVICE_KEY) {
        if (err)
            (void)str_adds(err, "Leistungsschlüssel fehlt oder ist zu lang");
        return ERR_INVALID;
    }
    if ((rc = bpmn_parse(data, len, name, &m, err)))
        return rc;
    if ((rc = wf_validate(m, &problems, &p)))
        goto done;
    if (json_array_size(problems)) {
        if (err)
            (void)str_addf(err, "%s: %zu Element(e) können nicht ausgeführt werden", name,
                           json_array_size(problems));
        if (ret_problems)
            *ret_problems = json_incref(problems);
        rc = ERR_INVALID;
        goto done;
    }
    if ((rc = store_get(s, &c)))
        goto done;
    if ((rc = store_begin(c, true)))
        goto done;
    char sha[BLOB_HEX];
    int64_t version = 0, id = 0;
    char at[32];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    if ((rc = blob_put_mem(s, c, data, len, sha)))
        goto fail;
    rc = store_query_int(c, &version,
                         "SELECT COALESCE(MAX(version), 0) + 1 FROM process_models"
                         " WHERE process_id = ?",
                         "t", p->id);
    if (rc)
        goto fail;
    rc = store_query_int(c, &id,
                         "INSERT INTO process_models (process_id, version, bpmn_sha256, name,"
                         " deployed_at, deployed_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                         "titttt", p->id, version, sha, p->name, at, actor);
    if (rc)
        goto fail;
    rc = store_run(c,
                   "INSERT INTO deployments (service_key, model_id) VALUES (?, ?)"
                   " ON CONFLICT (service_key) DO UPDATE SET model_id = excluded.model_id",
                   "ti", service_key, id);
    if (rc)
        goto fail;
    json_t *d = json_pack("{s:s, s:I, s:s, s:s}", "process", p->id, "version", (json_int_t)version,
                          "sha256", sha, "service", service_key);
    char obj[48];
    snprintf(obj, sizeof obj, "model:%lld", (long long)id);
    rc = d ? journal_append(c, actor, "wf.deploy", obj, d, NULL) : ERR_NOMEM;
    json_decref(d);
    if (rc)
        goto fail;
    if ((rc = store_commit(c)))
        goto fail;
    memset(ret, 0, sizeof *ret);
    ret->model_id = id;
    ret->version = (int)version;
    snprintf(ret->process_id, sizeof ret->process_id, "%s", p->id);
    memcpy(ret->sha256, sha, sizeof ret->sha256);
    goto done;
fail:
    store_rollback(c);
done:
    if (c)
        store_put(s, c);
    json_decref(problems);
    bpmn_free(m);
    return rc;
}

int wf_deployments(struct store *s, json_t **ret)
{
    struct store_conn *c;
    struct store_stmt *st = NULL;
    json_t *list = json_array();
    int rc = list ? store_get(s, &c) : ERR_NOMEM;
    if (rc) {
        json_decref(list);
        return rc;
    }
    rc = store_prepare(c,
                       "SELECT d.service_key, pm.id, pm.process_id, pm.name, pm.version,"
                       " pm.deployed_at, pm.deployed_by FROM deployments d"
                       " JOIN process_models pm ON pm.id = d.model_id ORDER BY d.service_key",
                       &st);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        json_t *o =
            json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:s}", "service", store_col_text(st, 0),
                      "model", (json_int_t)store_col_int(st, 1), "process", store_col_text(st, 2),
                      "name", store_col_text(st, 3), "version", (json_int_t)store_col_int(st, 4),
                      "deployed_at", store_col_text(st, 5), "deployed_by", store_col_text(st, 6));
        rc = !o || json_array_append_new(list, o) ? ERR_NOMEM : 0;
    }
    if (rc == STORE_DONE)
        rc = 0;
    if (st)
        store_done(st);
    store_put(s, c);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *ret = list;
    return 0;
}
