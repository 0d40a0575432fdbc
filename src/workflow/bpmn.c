/* Reading BPMN 2.0 XML (bpmn.h): libxml2 builds the tree without network or
 * DTD (a DOCTYPE stops the parser, so no entity can expand), then one walk
 * copies the model-namespace elements into arena structs; vendor elements are
 * skipped and extensionElements are kept as tree pointers for later readers. */
#include "bpmn.h"

#include "view/xmlread.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Walk context: the model being filled and the first failure. */
struct walk {
    struct bpmn_model *m; /* the model under construction */
    int rc;               /* 0 or ERR_NOMEM */
};

static bool is_ns(const xmlNode *n, const char *ns)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ns) == 0;
}

static bool is_model(const xmlNode *n, const char *local)
{
    return is_ns(n, BPMN_NS_MODEL) && strcmp((const char *)n->name, local) == 0;
}

static bool ends_with(const char *z, const char *suffix)
{
    size_t a = strlen(z), b = strlen(suffix);
    return a >= b && memcmp(z + a - b, suffix, b) == 0;
}

static bool in_list(const char *z, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(z, list[i]) == 0)
            return true;
    return false;
}

static const char *const task_types[] = {
    "task",        "userTask",   "serviceTask",      "scriptTask", "sendTask",
    "receiveTask", "manualTask", "businessRuleTask", NULL,
};
static const char *const event_types[] = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "implicitThrowEvent",
    NULL,
};
static const char *const gateway_types[] = {
    "exclusiveGateway",  "inclusiveGateway", "parallelGateway",
    "eventBasedGateway", "complexGateway",   NULL,
};
static const char *const subprocess_types[] = {"subProcess", "transaction", "adHocSubProcess",
                                               NULL};

/* Elements of a scope that are structure, not "other" elements. */
static const char *const skipped_types[] = {
    "extensionElements", "documentation", "incoming", "outgoing", "laneSet", NULL,
};

/* Copies a string into the model's arena; NULL in, NULL out. */
static const char *dup(struct walk *w, const char *z)
{
    if (!z)
        return NULL;
    char *c = arena_strdup(&w->m->arena, z);
    if (!c)
        w->rc = ERR_NOMEM;
    return c;
}

/* An attribute (no namespace) as an arena string; dflt when absent. */
static const char *attr(struct walk *w, const xmlNode *n, const char *name, const char *dflt)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return dflt;
    const char *c = dup(w, (const char *)v);
    xmlFree(v);
    return c ? c : dflt;
}

static bool attr_bool(const xmlNode *n, const char *name, bool dflt)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return dflt;
    bool b = strcmp((const char *)v, "true") == 0 || strcmp((const char *)v, "1") == 0;
    xmlFree(v);
    return b;
}

static double attr_num(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return 0;
    double d = strtod((const char *)v, NULL);
    xmlFree(v);
    return d;
}

/* The text content of an element, trimmed of surrounding white space. */
static const char *text(struct walk *w, const xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    if (!v)
        return dup(w, "");
    const char *p = (const char *)v, *e = p + strlen(p);
    while (p < e && strchr(" \t\r\n", *p))
        p++;
    while (e > p && strchr(" \t\r\n", e[-1]))
        e--;
    char *c = arena_strndup(&w->m->arena, p, (size_t)(e - p));
    xmlFree(v);
    if (!c)
        w->rc = ERR_NOMEM;
    return c;
}

static void *alloc(struct walk *w, size_t size)
{
    void *p = arena_calloc(&w->m->arena, 1, size);
    if (!p)
        w->rc = ERR_NOMEM;
    return p;
}

static xmlNode *find_ext(const xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (is_model(c, "extensionElements"))
            return c;
    return NULL;
}

static struct bpmn_lane *read_lanes(struct walk *w, const xmlNode *set, size_t *ret_n);

static struct bpmn_lane *read_lane(struct walk *w, const xmlNode *n)
{
    struct bpmn_lane *l = alloc(w, sizeof *l);
    if (!l)
        return NULL;
    l->id = attr(w, n, "id", "");
    l->name = attr(w, n, "name", "");
    l->ext = find_ext(n);
    size_t nrefs = 0;
    for (xmlNode *c = n->children; c; c = c->next)
        if (is_model(c, "flowNodeRef"))
            nrefs++;
    if (nrefs) {
        l->refs = arena_calloc(&w->m->arena, nrefs, sizeof *l->refs);
        if (!l->refs) {
            w->rc = ERR_NOMEM;
            return NULL;
        }
    }
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_model(c, "flowNodeRef"))
            l->refs[l->n_refs++] = text(w, c);
        else if (is_model(c, "childLaneSet"))
            l->children = read_lanes(w, c, NULL);
    }
    return l;
}

/* The lanes of a laneSet or childLaneSet; *ret_n (if given) gets their number. */
static struct bpmn_lane *read_lanes(struct walk *w, const xmlNode *set, size_t *ret_n)
{
    struct bpmn_lane *head = NULL, **tail = &head;
    size_t count = 0;
    for (xmlNode *c = set->children; c && !w->rc; c = c->next) {
        if (!is_model(c, "lane"))
            continue;
        struct bpmn_lane *l = read_lane(w, c);
        if (!l)
            break;
        *tail = l;
        tail = &l->next;
        count++;
    }
    if (ret_n)
        *ret_n = count;
    return head;
}

/* The top-level definition (child of definitions) with the given id, if it
 * is an event definition; NULL otherwise. */
static const xmlNode *find_global_def(const xmlNode *from, const char *id)
{
    const xmlNode *root = xmlDocGetRootElement(from->doc);
    for (const xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (!is_ns(c, BPMN_NS_MODEL) || !ends_with((const char *)c->name, "EventDefinition"))
            continue;
        xmlChar *v = xmlGetNoNsProp(c, (const xmlChar *)"id");
        bool hit = v && strcmp((const char *)v, id) == 0;
        xmlFree(v);
        if (hit)
            return c;
    }
    return NULL;
}

/* Fills d from an event definition element (timerEventDefinition, messageEventDefinition, …). */
static void read_event_def(struct walk *w, struct bpmn_event_def *d, const xmlNode *c)
{
    static const char *const timers[] = {"timeDate", "timeDuration", "timeCycle", NULL};
    d->type = dup(w, (const char *)c->name);
    d->id = attr(w, c, "id", "");
    for (xmlAttr *a = c->properties; a; a = a->next)
        if (!a->ns && ends_with((const char *)a->name, "Ref") && !d->ref)
            d->ref = attr(w, c, (const char *)a->name, NULL);
    for (xmlNode *t = c->children; t; t = t->next) {
        if (is_ns(t, BPMN_NS_MODEL) && in_list((const char *)t->name, timers)) {
            d->timer_kind = dup(w, (const char *)t->name);
            d->timer_value = text(w, t);
        } else if (is_model(t, "condition")) {
            d->condition = text(w, t);
        }
    }
}

/* The event definitions of an event: inline ones and eventDefinitionRef
 * references to definitions at the top level, in document order. */
static void read_event_defs(struct walk *w, struct bpmn_node *node, const xmlNode *n)
{
    struct bpmn_event_def **tail = &node->event_defs;
    for (xmlNode *c = n->children; c && !w->rc; c = c->next) {
        const xmlNode *def = NULL;
        if (is_ns(c, BPMN_NS_MODEL) && ends_with((const char *)c->name, "EventDefinition")) {
            def = c;
        } else if (is_model(c, "eventDefinitionRef")) {
            const char *id = text(w, c);
            def = id ? find_global_def(c, id) : NULL;
            if (!def)
                continue; /* a dangling reference: the deploy check reports it */
        } else {
            continue;
        }
        struct bpmn_event_def *d = alloc(w, sizeof *d);
        if (!d)
            return;
        read_event_def(w, d, def);
        *tail = d;
        tail = &d->next;
        node->n_event_defs++;
    }
}

static void read_scope(struct walk *w, struct bpmn_scope *s, const xmlNode *container,
                       struct bpmn_node *parent);

static struct bpmn_node *read_node(struct walk *w, const xmlNode *n, enum bpmn_kind kind,
                                   struct bpmn_node *parent)
{
    struct bpmn_node *node = alloc(w, sizeof *node);
    if (!node)
        return NULL;
    node->kind = kind;
    node->type = dup(w, (const char *)n->name);
    node->id = attr(w, n, "id", "");
    node->name = attr(w, n, "name", "");
    node->parent = parent;
    node->ext = find_ext(n);
    node->default_flow = attr(w, n, "default", NULL);
    if (kind == BPMN_KIND_EVENT) {
        read_event_defs(w, node, n);
        node->attached_to = attr(w, n, "attachedToRef", NULL);
        node->cancel_activity = attr_bool(n, "cancelActivity", true);
    } else if (kind == BPMN_KIND_CALL) {
        node->called_element = attr(w, n, "calledElement", NULL);
    } else if (kind == BPMN_KIND_SUBPROCESS) {
        node->triggered_by_event = attr_bool(n, "triggeredByEvent", false);
        node->inner = alloc(w, sizeof *node->inner);
        if (node->inner)
            read_scope(w, node->inner, n, node);
    }
    return node;
}

static struct bpmn_flow *read_flow(struct walk *w, const xmlNode *n)
{
    struct bpmn_flow *f = alloc(w, sizeof *f);
    if (!f)
        return NULL;
    f->id = attr(w, n, "id", "");
    f->name = attr(w, n, "name", "");
    f->source = attr(w, n, "sourceRef", "");
    f->target = attr(w, n, "targetRef", "");
    f->ext = find_ext(n);
    for (xmlNode *c = n->children; c; c = c->next)
        if (is_model(c, "conditionExpression"))
            f->condition = text(w, c);
    return f;
}

/* Fills s from the children of a process or subprocess element. */
static void read_scope(struct walk *w, struct bpmn_scope *s, const xmlNode *container,
                       struct bpmn_node *parent)
{
    struct bpmn_node **ntail = &s->nodes;
    struct bpmn_flow **ftail = &s->flows;
    struct bpmn_lane **ltail = &s->lanes;
    struct bpmn_element **otail = &s->others;
    for (xmlNode *c = container->children; c && !w->rc; c = c->next) {
        if (!is_ns(c, BPMN_NS_MODEL))
            continue; /* vendor elements, text, comments */
        const char *local = (const char *)c->name;
        int kind = -1;
        if (in_list(local, task_types))
            kind = BPMN_KIND_TASK;
        else if (in_list(local, event_types))
            kind = BPMN_KIND_EVENT;
        else if (in_list(local, gateway_types))
            kind = BPMN_KIND_GATEWAY;
        else if (in_list(local, subprocess_types))
            kind = BPMN_KIND_SUBPROCESS;
        else if (strcmp(local, "callActivity") == 0)
            kind = BPMN_KIND_CALL;
        if (kind >= 0) {
            struct bpmn_node *node = read_node(w, c, (enum bpmn_kind)kind, parent);
            if (!node)
                return;
            *ntail = node;
            ntail = &node->next;
            s->n_nodes++;
        } else if (strcmp(local, "sequenceFlow") == 0) {
            struct bpmn_flow *f = read_flow(w, c);
            if (!f)
                return;
            *ftail = f;
            ftail = &f->next;
            s->n_flows++;
        } else if (strcmp(local, "laneSet") == 0) {
            size_t n = 0;
            *ltail = read_lanes(w, c, &n);
            s->n_lanes += n;
            while (*ltail)
                ltail = &(*ltail)->next;
        } else if (!in_list(local, skipped_types)) {
            struct bpmn_element *e = alloc(w, sizeof *e);
            if (!e)
                return;
            e->type = dup(w, local);
            e->id = attr(w, c, "id", "");
            e->name = attr(w, c, "name", "");
            e->xml = c;
            *otail = e;
            otail = &e->next;
            s->n_others++;
        }
    }
}

static struct bpmn_collaboration *read_collaboration(struct walk *w, const xmlNode *n)
{
    struct bpmn_collaboration *k = alloc(w, sizeof *k);
    if (!k)
        return NULL;
    k->id = attr(w, n, "id", "");
    k->name = attr(w, n, "name", "");
    struct bpmn_participant **ptail = &k->participants;
    struct bpmn_message_flow **mtail = &k->message_flows;
    for (xmlNode *c = n->children; c && !w->rc; c = c->next) {
        if (is_model(c, "participant")) {
            struct bpmn_participant *p = alloc(w, sizeof *p);
            if (!p)
                return NULL;
            p->id = attr(w, c, "id", "");
            p->name = attr(w, c, "name", "");
            p->process_ref = attr(w, c, "processRef", NULL);
            *ptail = p;
            ptail = &p->next;
            k->n_participants++;
        } else if (is_model(c, "messageFlow")) {
            struct bpmn_message_flow *f = alloc(w, sizeof *f);
            if (!f)
                return NULL;
            f->id = attr(w, c, "id", "");
            f->name = attr(w, c, "name", "");
            f->source = attr(w, c, "sourceRef", "");
            f->target = attr(w, c, "targetRef", "");
            *mtail = f;
            mtail = &f->next;
            k->n_message_flows++;
        }
    }
    return k;
}

/* Tails of the model's DI lists during the walk. */
struct di_tails {
    struct bpmn_shape **shape; /* where the next shape goes */
    struct bpmn_edge **edge;   /* where the next edge goes */
};

static void read_shape(struct walk *w, struct di_tails *t, const xmlNode *n)
{
    struct bpmn_shape *s = alloc(w, sizeof *s);
    if (!s)
        return;
    s->id = attr(w, n, "id", "");
    s->element = attr(w, n, "bpmnElement", "");
    s->is_expanded = attr_bool(n, "isExpanded", false);
    s->is_horizontal = attr_bool(n, "isHorizontal", false);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_ns(c, BPMN_NS_DC) && strcmp((const char *)c->name, "Bounds") == 0) {
            s->x = attr_num(c, "x");
            s->y = attr_num(c, "y");
            s->w = attr_num(c, "width");
            s->h = attr_num(c, "height");
            s->has_bounds = true;
            break;
        }
    }
    *t->shape = s;
    t->shape = &s->next;
    w->m->n_shapes++;
}

static bool is_waypoint(const xmlNode *c)
{
    return is_ns(c, BPMN_NS_DI) && strcmp((const char *)c->name, "waypoint") == 0;
}

static void read_edge(struct walk *w, struct di_tails *t, const xmlNode *n)
{
    struct bpmn_edge *e = alloc(w, sizeof *e);
    if (!e)
        return;
    e->id = attr(w, n, "id", "");
    e->element = attr(w, n, "bpmnElement", "");
    size_t np = 0;
    for (xmlNode *c = n->children; c; c = c->next)
        if (is_waypoint(c))
            np++;
    if (np) {
        e->points = arena_calloc(&w->m->arena, np, sizeof *e->points);
        if (!e->points) {
            w->rc = ERR_NOMEM;
            return;
        }
    }
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_waypoint(c)) {
            e->points[e->n_points].x = attr_num(c, "x");
            e->points[e->n_points].y = attr_num(c, "y");
            e->n_points++;
        }
    }
    *t->edge = e;
    t->edge = &e->next;
    w->m->n_edges++;
}

/* Collects BPMNShape and BPMNEdge elements anywhere below n (diagrams, planes). */
static void read_di(struct walk *w, struct di_tails *t, const xmlNode *n)
{
    for (xmlNode *c = n->children; c && !w->rc; c = c->next) {
        if (!is_ns(c, BPMN_NS_BPMNDI))
            continue;
        if (strcmp((const char *)c->name, "BPMNShape") == 0)
            read_shape(w, t, c);
        else if (strcmp((const char *)c->name, "BPMNEdge") == 0)
            read_edge(w, t, c);
        else
            read_di(w, t, c);
    }
}

static void read_definitions(struct walk *w, const xmlNode *root)
{
    struct bpmn_model *m = w->m;
    m->id = attr(w, root, "id", "");
    m->name = attr(w, root, "name", "");
    m->target_namespace = attr(w, root, "targetNamespace", "");
    struct bpmn_process **ptail = &m->processes;
    struct bpmn_collaboration **ctail = &m->collaborations;
    struct di_tails t = {&m->shapes, &m->edges};
    for (xmlNode *c = root->children; c && !w->rc; c = c->next) {
        if (is_model(c, "process")) {
            struct bpmn_process *p = alloc(w, sizeof *p);
            if (!p)
                return;
            p->id = attr(w, c, "id", "");
            p->name = attr(w, c, "name", "");
            p->executable = attr_bool(c, "isExecutable", false);
            p->ext = find_ext(c);
            p->xml = c;
            read_scope(w, &p->scope, c, NULL);
            *ptail = p;
            ptail = &p->next;
            m->n_processes++;
        } else if (is_model(c, "collaboration")) {
            struct bpmn_collaboration *k = read_collaboration(w, c);
            if (!k)
                return;
            *ctail = k;
            ctail = &k->next;
            m->n_collaborations++;
        } else if (is_ns(c, BPMN_NS_BPMNDI)) {
            read_di(w, &t, c);
        }
    }
}

static void seterr(struct str *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(struct str *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    str_reset(err);
    (void)str_vaddf(err, fmt, ap);
    va_end(ap);
}

int bpmn_parse(const char *data, size_t len, const char *name, struct bpmn_model **ret,
               struct str *err)
{
    int rc = 0;
    xmlDocPtr doc = NULL;
    struct bpmn_model *m = NULL;
    if (!name)
        name = "BPMN";
    if (len > BPMN_MAX_BYTES || len > (size_t)INT_MAX) {
        seterr(err, "%s: die Datei ist größer als %zu MiB", name, BPMN_MAX_BYTES >> 20);
        rc = ERR_TOOBIG;
        goto done;
    }
    if (len == 0) {
        seterr(err, "%s: die Datei ist leer", name);
        rc = ERR_INVALID;
        goto done;
    }
    struct str why;
    str_init(&why, 1024);
    rc = xmlread_doc(data, len, "BPMN", false, &doc, &why);
    if (rc == ERR_INVALID)
        seterr(err, "%s: %s", name, why.buf);
    str_release(&why);
    if (rc)
        goto done;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !is_model(root, "definitions")) {
        seterr(err,
               "%s: keine BPMN-2.0-Datei: das Wurzelelement „%s“ ist nicht definitions im "
               "Namensraum %s",
               name, root ? (const char *)root->name : "", BPMN_NS_MODEL);
        rc = ERR_INVALID;
        goto done;
    }
    m = calloc(1, sizeof *m);
    if (!m) {
        rc = ERR_NOMEM;
        goto done;
    }
    arena_init(&m->arena, BPMN_MAX_MODEL_BYTES);
    m->doc = doc;
    doc = NULL;
    struct walk w = {m, 0};
    read_definitions(&w, root);
    rc = w.rc;
    if (rc)
        seterr(err, "%s: %s", name, err_message(rc));
done:
    if (doc)
        xmlFreeDoc(doc);
    if (rc) {
        bpmn_free(m);
        return rc;
    }
    *ret = m;
    return 0;
}

void bpmn_free(struct bpmn_model *m)
{
    if (!m)
        return;
    if (m->doc)
        xmlFreeDoc(m->doc);
    arena_release(&m->arena);
    free(m);
}

static struct bpmn_node *find_in_scope(const struct bpmn_scope *s, const char *id)
{
    for (struct bpmn_node *n = s->nodes; n; n = n->next) {
        if (strcmp(n->id, id) == 0)
            return n;
        if (n->inner) {
            struct bpmn_node *f = find_in_scope(n->inner, id);
            if (f)
                return f;
        }
    }
    return NULL;
}

struct bpmn_node *bpmn_find_node(const struct bpmn_model *m, const char *id)
{
    for (const struct bpmn_process *p = m->processes; p; p = p->next) {
        struct bpmn_node *n = find_in_scope(&p->scope, id);
        if (n)
            return n;
    }
    return NULL;
}

const struct bpmn_shape *bpmn_find_shape(const struct bpmn_model *m, const char *id)
{
    for (const struct bpmn_shape *s = m->shapes; s; s = s->next)
        if (strcmp(s->element, id) == 0)
            return s;
    return NULL;
}

/* Adds the model-namespace elements below n to counts (see bpmn_count_json). */
static int count_below(const xmlNode *n, json_t *counts)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        bool model = is_ns(c, BPMN_NS_MODEL);
        if (model) {
            const char *k = (const char *)c->name;
            json_t *v = json_object_get(counts, k);
            json_int_t now = v ? json_integer_value(v) : 0;
            if (json_object_set_new(counts, k, json_integer(now + 1)))
                return ERR_NOMEM;
            if (strcmp(k, "extensionElements") == 0)
                continue; /* vendor territory: not part of the model's counts */
        }
        int rc = count_below(c, counts);
        if (rc)
            return rc;
    }
    return 0;
}

int bpmn_count_json(const struct bpmn_model *m, json_t **ret)
{
    int rc = ERR_NOMEM;
    json_t *root = json_object(), *arr = json_array();
    if (!root || !arr || json_object_set(root, "processes", arr))
        goto done;
    for (const struct bpmn_process *p = m->processes; p; p = p->next) {
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o) ||
            json_object_set_new(o, "id", json_string(p->id)) ||
            json_object_set_new(o, "name", json_string(p->name)))
            goto done;
        json_t *counts = json_object(); /* owned by o once set */
        if (json_object_set_new(o, "elements", counts))
            goto done;
        rc = count_below(p->xml, counts);
        if (rc)
            goto done;
        rc = ERR_NOMEM;
    }
    rc = 0;
done:
    json_decref(arr);
    if (rc) {
        json_decref(root);
        return rc;
    }
    *ret = root;
    return 0;
}
