/* The token engine: loads an instance and its model, applies one external
 * event and moves tokens inside the same write transaction until all wait,
 * journaling each transition. State is only in the tables of schema.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "deploy.h"
#include "engine.h"
#include "expr.h"
#include "records/records.h"
#include "store/blob.h"
#include "messages.h"
#include "store/journal.h"
#include "taskform.h"
#include "view/pdf.h"
#include "web/web.h"
#include "workflow_int.h"

/* Largest notice PDF rendered by render_notice. */
#define WF_MAX_NOTICE_BYTES ((size_t)32 << 20)

/* One event's working state on one instance. */
struct run {
    struct store *s;               /* the store */
    struct store_conn *c;          /* connection inside the write transaction */
    const struct wf__model *model; /* the instance's model, from the cache */
    const struct bpmn_model *m;    /* model->m */
    const struct bpmn_process *p;  /* the process run */
    int64_t inst;                  /* instance id */
    char case_ref[REC_REF_MAX];    /* the Vorgang */
    json_t *vars;                  /* case data */
    bool vars_dirty;               /* vars must be written back */
    int64_t now;                   /* time of the event */
    char now_iso[32];              /* the same as ISO 8601 */
    int steps;                     /* token moves so far */
};

/* A token row. */
struct tok {
    int64_t id;               /* tokens.id */
    int64_t parent;           /* enclosing subprocess token, 0 at process level */
    char node[WF_MAX_ID + 1]; /* where it is */
    char state[16]; /* arrive, leave, task, timer, join, sub, action, stuck, done, cancelled */
};

static void run_release(struct run *r)
{
    wf__model_put(r->model);
    json_decref(r->vars);
    r->model = NULL;
    r->m = NULL;
    r->vars = NULL;
}

static int jn(struct run *r, const char *actor, const char *action, json_t *d)
{
    char obj[48];
    snprintf(obj, sizeof obj, "instance:%lld", (long long)r->inst);
    if (!d)
        return ERR_NOMEM;
    int rc = json_object_set_new(d, "case", json_string(r->case_ref)) ? ERR_NOMEM : 0;
    if (!rc)
        rc = journal_append(r->c, actor, action, obj, d, NULL);
    json_decref(d);
    return rc;
}

/* Takes the model with id model_id from the cache into r. */
static int load_model(struct run *r, int64_t model_id)
{
    int rc = wf__model_get(r->s, r->c, model_id, &r->model);
    if (rc)
        return rc;
    r->m = r->model->m;
    r->p = r->model->p;
    return 0;
}

/* Loads instance inst (inside the transaction). ERR_EXISTS when it is not
 * running. */
static int load(struct run *r, int64_t inst)
{
    struct store_stmt *st;
    int64_t model_id = 0;
    bool running = false;
    int rc = store_prepare(
        r->c, "SELECT model_id, vars, state, case_ref FROM instances WHERE id = ?", &st);
    if (rc)
        return rc;
    r->inst = inst;
    if (!(rc = store_bind(st, "i", inst)) && (rc = store_step(st)) == STORE_ROW) {
        model_id = store_col_int(st, 0);
        r->vars = json_loads(store_col_text(st, 1), 0, NULL);
        running = strcmp(store_col_text(st, 2), "running") == 0;
        snprintf(r->case_ref, sizeof r->case_ref, "%s", store_col_text(st, 3));
        rc = r->vars ? 0 : ERR_CORRUPT;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (rc)
        return rc;
    if (!running)
        return ERR_EXISTS;
    r->now = rtime_now();
    rtime_iso_utc(r->now, r->now_iso, sizeof r->now_iso);
    return load_model(r, model_id);
}

static int tok_new(struct run *r, int64_t parent, const char *node, const char *state, int64_t *ret)
{
    int64_t id;
    int rc;
    if (parent)
        rc = store_query_int(
            r->c, &id,
            "INSERT INTO tokens (instance_id, parent_id, node_id, state, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            "iittt", r->inst, parent, node, state, r->now_iso);
    else
        rc = store_query_int(r->c, &id,
                             "INSERT INTO tokens (instance_id, node_id, state, created_at)"
                             " VALUES (?, ?, ?, ?) RETURNING id",
                             "ittt", r->inst, node, state, r->now_iso);
    if (!rc && ret)
        *ret = id;
    return rc;
}

static int tok_set(struct run *r, int64_t id, const char *node, const char *state)
{
    if (node)
        return store_run(r->c, "UPDATE tokens SET node_id = ?, state = ? WHERE id = ?", "tti", node,
                         state, id);
    return store_run(r->c, "UPDATE tokens SET state = ? WHERE id = ?", "ti", state, id);
}

static int tok_get(struct run *r, int64_t id, struct tok *t)
{
    struct store_stmt *st;
    int rc = store_prepare(r->c,
                           "SELECT id, COALESCE(parent_id, 0), node_id, state FROM tokens"
                           " WHERE id = ? AND instance_id = ?",
                           &st);
    if (rc)
        return rc;
    if (!(rc = store_bind(st, "ii", id, r->inst)) && (rc = store_step(st)) == STORE_ROW) {
        t->id = store_col_int(st, 0);
        t->parent = store_col_int(st, 1);
        snprintf(t->node, sizeof t->node, "%s", store_col_text(st, 2));
        snprintf(t->state, sizeof t->state, "%s", store_col_text(st, 3));
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    return rc;
}

/* Ids of the live tokens directly inside parent (0: process level). The
 * caller frees *ret. */
static int live_children(struct run *r, int64_t parent, int64_t **ret, size_t *ret_n)
{
    struct store_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc =
        store_prepare(r->c,
                      "SELECT id FROM tokens WHERE instance_id = ? AND COALESCE(parent_id, 0) = ?"
                      " AND state NOT IN ('done', 'cancelled') ORDER BY id",
                      &st);
    if (rc)
        return rc;
    if ((rc = store_bind(st, "ii", r->inst, parent)))
        goto done;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            int64_t *g = realloc(ids, nc * sizeof *g);
            if (!g) {
                rc = ERR_NOMEM;
                goto done;
            }
            ids = g;
            cap = nc;
        }
        ids[n++] = store_col_int(st, 0);
    }
done:
    store_done(st);
    if (rc) {
        free(ids);
        return rc;
    }
    *ret = ids;
    *ret_n = n;
    return 0;
}

/* Cancels a token: its inner tokens, open tasks and pending timers. */
static int tok_cancel(struct run *r, int64_t id)
{
    int64_t *kids = NULL;
    size_t n = 0;
    int rc = live_children(r, id, &kids, &n);
    for (size_t i = 0; !rc && i < n; i++)
        rc = tok_cancel(r, kids[i]);
    free(kids);
    if (rc)
        return rc;
    struct store_stmt *st;
    int64_t task = 0;
    char node[WF_MAX_ID + 1] = "";
    if ((rc = store_prepare(
             r->c, "SELECT id, node_id FROM tasks WHERE token_id = ? AND state = 'open'", &st)))
        return rc;
    if (!(rc = store_bind(st, "i", id)) && (rc = store_step(st)) == STORE_ROW) {
        task = store_col_int(st, 0);
        snprintf(node, sizeof node, "%s", store_col_text(st, 1));
        rc = 0;
    }
    store_done(st);
    if (rc < 0)
        return rc;
    if (task) {
        rc = store_run(r->c, "UPDATE tasks SET state = 'cancelled', completed_at = ? WHERE id = ?",
                       "ti", r->now_iso, task);
        if (!rc)
            rc = jn(r, WF_ACTOR, "wf.task.cancel",
                    json_pack("{s:I, s:s}", "task", (json_int_t)task, "node", node));
        if (rc)
            return rc;
    }
    rc = store_run(r->c,
                   "UPDATE timers SET state = 'cancelled' WHERE token_id = ? AND state = 'pending'",
                   "i", id);
    if (!rc)
        rc = tok_set(r, id, NULL, "cancelled");
    return rc;
}

/* Creates the boundary timers of the activity node that token tok entered. */
static int boundary_timers(struct run *r, int64_t tok, const struct bpmn_node *n)
{
    const struct bpmn_scope *sc = wf__scope_of(r->p, n);
    for (const struct bpmn_node *b = sc->nodes; b; b = b->next) {
        if (strcmp(b->type, "boundaryEvent") != 0 || !b->attached_to ||
            strcmp(b->attached_to, n->id) != 0)
            continue;
        int64_t due;
        if (wf__timer_due(wf__timer_of(b), r->now, &due))
            return ERR_CORRUPT;
        int rc = store_run(r->c,
                           "INSERT INTO timers (instance_id, token_id, node_id, due, boundary,"
                           " interrupting) VALUES (?, ?, ?, ?, 1, ?)",
                           "iitii", r->inst, tok, b->id, due, (int64_t)b->cancel_activity);
        if (rc)
            return rc;
    }
    return 0;
}

/* After a token ended: completes its scope when nothing in it lives. */
static int scope_check(struct run *r, int64_t parent)
{
    int64_t live;
    int rc =
        store_query_int(r->c, &live,
                        "SELECT COUNT(*) FROM tokens WHERE instance_id = ?"
                        " AND COALESCE(parent_id, 0) = ? AND state NOT IN ('done', 'cancelled')",
                        "ii", r->inst, parent);
    if (rc || live)
        return rc;
    if (parent)
        return tok_set(r, parent, NULL, "leave");
    rc = store_run(r->c, "UPDATE instances SET state = 'done', ended_at = ? WHERE id = ?", "ti",
                   r->now_iso, r->inst);
    if (!rc)
        rc = store_run(r->c,
                       "UPDATE timers SET state = 'cancelled' WHERE instance_id = ?"
                       " AND state = 'pending'",
                       "i", r->inst);
    if (!rc)
        rc = jn(r, WF_ACTOR, "wf.instance.end", json_object());
    return rc;
}

static int user_task(struct run *r, const struct tok *t, const struct bpmn_node *n)
{
    struct wf__assign a;
    if (!wf__assign_of(r->m, r->p, n, &a))
        return ERR_CORRUPT;
    const char *dur = wf__attr(r->m, n->id, "due");
    char due[32] = "";
    int64_t secs;
    if (dur && !wf_duration_parse(dur, &secs))
        rtime_iso_utc(r->now + secs, due, sizeof due);
    int64_t task;
    int rc = store_query_int(
        r->c, &task,
        "INSERT INTO tasks (instance_id, token_id, node_id, name, unit_nr, role,"
        " due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "iitt"
        "itt"
        "t",
        r->inst, t->id, n->id, n->name, (int64_t)a.unit_nr, a.role, *due ? due : NULL, r->now_iso);
    if (!rc)
        rc = tok_set(r, t->id, NULL, "task");
    if (!rc)
        rc = boundary_timers(r, t->id, n);
    if (!rc)
        rc = jn(r, WF_ACTOR, "wf.task.create",
                json_pack("{s:I, s:s, s:s, s:i, s:s}", "task", (json_int_t)task, "node", n->id,
                          "name", n->name, "unit", a.unit_nr, "role", a.role));
    return rc;
}

/* Files data as a new version of a new document of the instance's case. */
static int file_doc(struct run *r, const char *title, const char *direction, const char *data,
                    size_t len, const char *filename, int64_t *ret_doc)
{
    struct rec_actor sys = rec_actor_system(WF_ACTOR);
    char day[32];
    rtime_iso_utc(r->now, day, sizeof day);
    day[10] = '\0';
    struct rec_doc_new dn = {.title = title, .direction = direction, .dated = day};
    int64_t doc;
    int rc = rec_doc_create(r->s, &sys, r->case_ref, &dn, &doc);
    if (rc)
        return rc;
    struct rec_content ct = {.data = data, .len = len, .filename = filename};
    if ((rc = rec_version_add(r->s, &sys, doc, &ct, NULL, NULL)))
        return rc;
    *ret_doc = doc;
    return 0;
}

/* "<city> · Amt <nr> <name>": the letterhead of notices of the case. */
static int letterhead(struct run *r, struct str *out)
{
    struct str city;
    str_init(&city, WEB_MAX_CITY);
    int rc = web_setting_get(r->c, "city", &city);
    if (rc == ERR_NOTFOUND)
        rc = str_adds(&city, "Stadtverwaltung");
    struct rec_actor sys = rec_actor_system(WF_ACTOR);
    json_t *k = NULL, *file = NULL;
    if (!rc)
        rc = rec_case_get(r->s, &sys, r->case_ref, &k);
    if (!rc)
        rc = rec_file_get(r->s, &sys, json_string_value(json_object_get(k, "file_reference")),
                          &file);
    if (!rc)
        rc = str_addf(out, "%s · Amt %lld %s", city.buf,
                      (long long)json_integer_value(json_object_get(file, "office")),
                      json_string_value(json_object_get(file, "office_name"))
                          ? json_string_value(json_object_get(file, "office_name"))
                          : "");
    json_decref(k);
    json_decref(file);
    str_release(&city);
    return rc;
}

/* render_notice: the notice of template rathaus:template as a PDF into the
 * case; its document id becomes the variable notice_document. */
static int act_notice(struct run *r, const struct bpmn_node *n)
{
    const char *name = wf__attr(r->m, n->id, "template");
    const char *title = wf__attr(r->m, n->id, "title");
    const struct embed_file *tf = wf__notice_template(name && *name ? name : "standard");
    if (!tf)
        return ERR_CORRUPT;
    if (!title || !*title)
        title = "Bescheid";
    struct str text, head, pdf;
    str_init(&text, PDF_MAX_TEXT);
    str_init(&head, 1024);
    str_init(&pdf, WF_MAX_NOTICE_BYTES);
    int64_t doc = 0;
    int rc = wf__subst((const char *)tf->data, tf->len, r->vars, r->case_ref, r->now, true, &text);
    if (!rc)
        rc = letterhead(r, &head);
    if (!rc)
        rc = wf__notice_pdf(text.buf, title, head.buf, r->now, &pdf);
    if (!rc)
        rc = file_doc(r, title, "out", pdf.buf, pdf.len, "bescheid.pdf", &doc);
    if (!rc) {
        rc = json_object_set_new(r->vars, "notice_document", json_integer(doc)) ? ERR_NOMEM : 0;
        r->vars_dirty = true;
    }
    if (!rc)
        rc = jn(r, WF_ACTOR, "wf.action",
                json_pack("{s:s, s:s, s:I}", "node", n->id, "action", "render_notice", "document",
                          (json_int_t)doc));
    str_release(&text);
    str_release(&head);
    str_release(&pdf);
    return rc;
}

/* Appends one "name: value" line of the case data. */
static int data_line(struct str *out, const char *k, const json_t *v)
{
    if (json_is_string(v))
        return str_addf(out, "%s: %s\n", k, json_string_value(v));
    char *z = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    if (!z)
        return ERR_NOMEM;
    int rc = str_addf(out, "%s: %s\n", k, z);
    free(z);
    return rc;
}

/* file_document: the case data (or the variables of rathaus:variables) as
 * a text document into the case. */
static int act_file(struct run *r, const struct bpmn_node *n)
{
    const char *list = wf__attr(r->m, n->id, "variables");
    const char *title = wf__attr(r->m, n->id, "title");
    if (!title || !*title)
        title = "Vorgangsdaten";
    struct str out;
    str_init(&out, WF_MAX_VARS_BYTES * 2);
    char day[16];
    rtime_display_date(r->now, day, sizeof day);
    int rc = str_addf(&out, "%s\nVorgang %s, Stand %s\n\n", title, r->case_ref, day);
    if (list && *list) {
        for (const char *p = list; !rc && *p;) {
            size_t k = strcspn(p, ",");
            char name[WF_MAX_ID + 1];
            snprintf(name, sizeof name, "%.*s", (int)(k < WF_MAX_ID ? k : WF_MAX_ID), p);
            json_t *v = json_object_get(r->vars, name);
            rc = data_line(&out, name, v ? v : json_null());
            p += k;
            if (*p == ',')
                p++;
        }
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(r->vars, k, v)
        {
            if (!rc)
                rc = data_line(&out, k, v);
        }
    }
    int64_t doc = 0;
    if (!rc)
        rc = file_doc(r, title, "internal", out.buf, out.len, "vorgangsdaten.txt", &doc);
    if (!rc)
        rc = jn(r, WF_ACTOR, "wf.action",
                json_pack("{s:s, s:s, s:I}", "node", n->id, "action", "file_document", "document",
                          (json_int_t)doc));
    str_release(&out);
    return rc;
}

/* notify: a message for the applicant (rathaus:text with {{var}}, kind
 * rathaus:kind, default info) and the journal entry wf.notify. */
static int act_notify(struct run *r, const struct bpmn_node *n)
{
    const char *text = wf__attr(r->m, n->id, "text");
    const char *kind = wf__attr(r->m, n->id, "kind");
    if (!text || !*text)
        text = "Es gibt Neuigkeiten zu Ihrem Antrag {{case}}.";
    if (!kind || !*kind)
        kind = "info";
    struct str msg;
    str_init(&msg, WF_MESSAGE_MAX_TEXT);
    int64_t case_id = 0;
    int rc = wf__subst(text, strlen(text), r->vars, r->case_ref, r->now, false, &msg);
    if (!rc)
        rc = store_query_int(r->c, &case_id, "SELECT case_id FROM instances WHERE id = ?", "i",
                             r->inst);
    if (!rc)
        rc = wf__message_insert(r->c, WF_ACTOR, case_id, r->case_ref, kind, msg.buf);
    if (!rc)
        rc = jn(r, WF_ACTOR, "wf.notify", json_pack("{s:s, s:s}", "node", n->id, "kind", kind));
    str_release(&msg);
    return rc;
}

static int service_task(struct run *r, const struct tok *t, const struct bpmn_node *n)
{
    const char *act = wf__attr(r->m, n->id, "action");
    int rc;
    if (!act)
        return ERR_CORRUPT;
    if (strcmp(act, "close_case") == 0) {
        /* rec_case_close joins this transaction (store.h: writes compose),
         * so the case closes atomically with the step; closed already
         * counts as done. */
        struct rec_actor sys = rec_actor_system(WF_ACTOR);
        rc = rec_case_close(r->s, &sys, r->case_ref);
        if (rc == ERR_EXISTS)
            rc = 0;
        if (!rc)
            rc = jn(r, WF_ACTOR, "wf.action",
                    json_pack("{s:s, s:s}", "node", n->id, "action", "close_case"));
    } else if (strcmp(act, "notify") == 0) {
        rc = act_notify(r, n);
    } else if (strcmp(act, "render_notice") == 0) {
        rc = act_notice(r, n);
    } else if (strcmp(act, "file_document") == 0) {
        rc = act_file(r, n);
    } else if (strcmp(act, "set_resubmission") == 0) {
        int64_t secs;
        if (wf_duration_parse(wf__attr(r->m, n->id, "due"), &secs))
            return ERR_CORRUPT;
        char day[32];
        rtime_iso_utc(r->now + secs, day, sizeof day);
        day[10] = '\0';
        if (json_object_set_new(r->vars, "wiedervorlage", json_string(day)))
            return ERR_NOMEM;
        r->vars_dirty = true;
        rc = jn(r, WF_ACTOR, "wf.resubmission", json_pack("{s:s, s:s}", "node", n->id, "due", day));
    } else {
        return ERR_CORRUPT;
    }
    return rc ? rc : tok_set(r, t->id, NULL, "leave");
}

static int exclusive(struct run *r, const struct tok *t, const struct bpmn_node *n)
{
    const struct bpmn_scope *sc = wf__scope_of(r->p, n);
    const struct bpmn_flow *pick = NULL, *dflt = NULL;
    size_t out = wf__count_flows(sc, n->id, false);
    for (const struct bpmn_flow *f = sc->flows; f && !pick; f = f->next) {
        if (strcmp(f->source, n->id) != 0)
            continue;
        if (n->default_flow && strcmp(f->id, n->default_flow) == 0) {
            dflt = f;
            continue;
        }
        if (out == 1 && !f->condition) {
            pick = f;
            break;
        }
        struct wf_expr *e;
        if (!f->condition || wf_expr_parse(f->condition, strlen(f->condition), &e, NULL))
            return ERR_CORRUPT;
        if (wf_expr_eval(e, r->vars))
            pick = f;
        wf_expr_free(e);
    }
    if (!pick)
        pick = dflt;
    if (!pick) {
        int rc = tok_set(r, t->id, NULL, "stuck");
        return rc ? rc : jn(r, WF_ACTOR, "wf.gateway.stuck", json_pack("{s:s}", "node", n->id));
    }
    int rc =
        jn(r, WF_ACTOR, "wf.gateway", json_pack("{s:s, s:s}", "node", n->id, "flow", pick->id));
    return rc ? rc : tok_set(r, t->id, pick->target, "arrive");
}

static int parallel(struct run *r, const struct tok *t, const struct bpmn_node *n)
{
    size_t in = wf__count_flows(wf__scope_of(r->p, n), n->id, true);
    if (in <= 1)
        return tok_set(r, t->id, NULL, "leave");
    int rc = tok_set(r, t->id, NULL, "join");
    int64_t arrived;
    if (!rc)
        rc = store_query_int(r->c, &arrived,
                             "SELECT COUNT(*) FROM tokens WHERE instance_id = ? AND node_id = ?"
                             " AND COALESCE(parent_id, 0) = ? AND state = 'join'",
                             "iti", r->inst, n->id, t->parent);
    if (rc || arrived < (int64_t)in)
        return rc;
    rc = store_run(r->c,
                   "UPDATE tokens SET state = 'done' WHERE instance_id = ? AND node_id = ?"
                   " AND COALESCE(parent_id, 0) = ? AND state = 'join'",
                   "iti", r->inst, n->id, t->parent);
    return rc ? rc : tok_new(r, t->parent, n->id, "leave", NULL);
}

static int arrive(struct run *r, const struct tok *t, const struct bpmn_node *n)
{
    const char *ty = n->type;
    int rc;
    if (strcmp(ty, "startEvent") == 0)
        return tok_set(r, t->id, NULL, "leave");
    if (strcmp(ty, "endEvent") == 0) {
        if (n->n_event_defs) { /* terminate: everything else in the scope ends */
            int64_t *kids = NULL;
            size_t k = 0;
            rc = live_children(r, t->parent, &kids, &k);
            for (size_t i = 0; !rc && i < k; i++)
                if (kids[i] != t->id)
                    rc = tok_cancel(r, kids[i]);
            free(kids);
            if (rc)
                return rc;
        }
        rc = tok_set(r, t->id, NULL, "done");
        return rc ? rc : scope_check(r, t->parent);
    }
    if (strcmp(ty, "userTask") == 0)
        return user_task(r, t, n);
    if (strcmp(ty, "serviceTask") == 0 || strcmp(ty, "scriptTask") == 0)
        return service_task(r, t, n);
    if (strcmp(ty, "exclusiveGateway") == 0)
        return exclusive(r, t, n);
    if (strcmp(ty, "parallelGateway") == 0)
        return parallel(r, t, n);
    if (strcmp(ty, "intermediateCatchEvent") == 0) {
        int64_t due;
        if (wf__timer_due(wf__timer_of(n), r->now, &due))
            return ERR_CORRUPT;
        rc = store_run(
            r->c, "INSERT INTO timers (instance_id, token_id, node_id, due) VALUES (?, ?, ?, ?)",
            "iiti", r->inst, t->id, n->id, due);
        return rc ? rc : tok_set(r, t->id, NULL, "timer");
    }
    if (strcmp(ty, "subProcess") == 0 && n->inner) {
        const struct bpmn_node *start = NULL;
        for (const struct bpmn_node *k = n->inner->nodes; k && !start; k = k->next)
            if (strcmp(k->type, "startEvent") == 0)
                start = k;
        if (!start)
            return ERR_CORRUPT;
        rc = tok_set(r, t->id, NULL, "sub");
        if (!rc)
            rc = boundary_timers(r, t->id, n);
        return rc ? rc : tok_new(r, t->id, start->id, "arrive", NULL);
    }
    return ERR_CORRUPT;
}

static int leave(struct run *r, const struct tok *t, const struct bpmn_node *n)
{
    /* Boundary timers belong to the activity being left. */
    int rc = store_run(r->c,
                       "UPDATE timers SET state = 'cancelled' WHERE token_id = ? AND boundary = 1"
                       " AND state = 'pending'",
                       "i", t->id);
    if (rc)
        return rc;
    const struct bpmn_scope *sc = wf__scope_of(r->p, n);
    bool moved = false;
    for (const struct bpmn_flow *f = sc->flows; f && !rc; f = f->next) {
        if (strcmp(f->source, n->id) != 0)
            continue;
        if (!moved)
            rc = tok_set(r, t->id, f->target, "arrive");
        else
            rc = tok_new(r, t->parent, f->target, "arrive", NULL);
        moved = true;
    }
    if (rc || moved)
        return rc;
    rc = tok_set(r, t->id, NULL, "done");
    return rc ? rc : scope_check(r, t->parent);
}

/* Moves tokens until every one waits or has ended, then saves the vars. */
static int drive(struct run *r)
{
    int rc = 0;
    for (;;) {
        struct store_stmt *st;
        struct tok t = {0};
        if ((rc = store_prepare(r->c,
                                "SELECT id, COALESCE(parent_id, 0), node_id, state FROM tokens"
                                " WHERE instance_id = ? AND state IN ('arrive', 'leave')"
                                " ORDER BY id LIMIT 1",
                                &st)))
            return rc;
        if (!(rc = store_bind(st, "i", r->inst)) && (rc = store_step(st)) == STORE_ROW) {
            t.id = store_col_int(st, 0);
            t.parent = store_col_int(st, 1);
            snprintf(t.node, sizeof t.node, "%s", store_col_text(st, 2));
            snprintf(t.state, sizeof t.state, "%s", store_col_text(st, 3));
        }
        store_done(st);
        if (rc < 0)
            return rc;
        if (rc == STORE_DONE)
            break;
        if (++r->steps > WF_MAX_STEPS)
            return ERR_TOOBIG;
        const struct bpmn_node *n = bpmn_find_node(r->m, t.node);
        if (!n)
            return ERR_CORRUPT;
        rc = strcmp(t.state, "arrive") == 0 ? arrive(r, &t, n) : leave(r, &t, n);
        if (rc)
            return rc;
    }
    if (!r->vars_dirty)
        return 0;
    char *z = json_dumps(r->vars, JSON_COMPACT | JSON_SORT_KEYS);
    if (!z)
        return ERR_NOMEM;
    rc = strlen(z) > WF_MAX_VARS_BYTES
             ? ERR_TOOBIG
             : store_run(r->c, "UPDATE instances SET vars = ? WHERE id = ?", "ti", z, r->inst);
    free(z);
    return rc;
}

/* Closes the cases of instance inst whose tokens wait in state "action" and
 * moves those tokens on, one transaction each. Earlier versions closed the
 * case in a second transaction and left the token in "action" in between;
 * this finishes such tokens found in a data directory after a crash. */
static int run_actions(struct store *s, int64_t inst, int *ret_done)
{
    for (;;) {
        struct store_conn *c;
        int rc = store_get(s, &c);
        if (rc)
            return rc;
        struct run r = {.s = s, .c = c};
        int64_t tok = 0;
        char case_ref[REC_REF_MAX] = "";
        struct store_stmt *st;
        if (!(rc = store_prepare(
                  c,
                  "SELECT t.id, i.case_ref FROM tokens t"
                  " JOIN instances i ON i.id = t.instance_id"
                  " WHERE t.instance_id = ? AND t.state = 'action' ORDER BY t.id LIMIT 1",
                  &st))) {
            if (!(rc = store_bind(st, "i", inst)) && (rc = store_step(st)) == STORE_ROW) {
                tok = store_col_int(st, 0);
                snprintf(case_ref, sizeof case_ref, "%s", store_col_text(st, 1));
            }
            store_done(st);
        }
        store_put(s, c);
        if (rc < 0)
            return rc;
        if (!tok)
            return 0;
        struct rec_actor sys = rec_actor_system(WF_ACTOR);
        rc = rec_case_close(s, &sys, case_ref);
        if (rc && rc != ERR_EXISTS)
            return rc;
        if ((rc = store_get(s, &c)))
            return rc;
        r.c = c;
        struct tok t;
        if ((rc = store_begin(c, true)))
            goto out;
        if ((rc = load(&r, inst)) || (rc = tok_get(&r, tok, &t)))
            goto fail;
        if (strcmp(t.state, "action") == 0) {
            rc = jn(&r, WF_ACTOR, "wf.action",
                    json_pack("{s:s, s:s}", "node", t.node, "action", "close_case"));
            if (!rc)
                rc = tok_set(&r, tok, NULL, "leave");
            if (!rc)
                rc = drive(&r);
            if (rc)
                goto fail;
            if (ret_done)
                (*ret_done)++;
        }
        rc = store_commit(c);
        goto out;
    fail:
        store_rollback(c);
    out:
        store_put(s, c);
        run_release(&r);
        if (rc)
            return rc;
    }
}

/* Commits the event in r (or rolls back on rc) and releases r. */
static int finish(struct run *r, int rc)
{
    if (!rc)
        rc = store_commit(r->c);
    if (rc)
        store_rollback(r->c);
    store_put(r->s, r->c);
    run_release(r);
    return rc;
}

int wf_start(struct store *s, const char *actor, const char *service_key, const char *case_ref,
             const json_t *vars, int64_t *ret_id)
{
    if (vars && !json_is_object(vars))
        return ERR_INVALID;
    struct rec_actor sys = rec_actor_system(WF_ACTOR);
    json_t *kase = NULL;
    int rc = rec_case_get(s, &sys, case_ref, &kase);
    if (rc)
        return rc;
    int64_t case_id = json_integer_value(json_object_get(kase, "id"));
    bool open = json_is_string(json_object_get(kase, "status")) &&
                strcmp(json_string_value(json_object_get(kase, "status")), "open") == 0;
    json_decref(kase);
    if (!open)
        return ERR_EXISTS;
    json_t *v = vars ? json_incref((json_t *)vars) : json_object();
    char *z = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(v);
    if (!z)
        return ERR_NOMEM;
    if (strlen(z) > WF_MAX_VARS_BYTES) {
        free(z);
        return ERR_TOOBIG;
    }
    struct run r = {.s = s};
    if ((rc = store_get(s, &r.c))) {
        free(z);
        return rc;
    }
    int64_t model_id = 0, id = 0;
    char at[32];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    if ((rc = store_begin(r.c, true)))
        goto done;
    rc = store_query_int(r.c, &model_id, "SELECT model_id FROM deployments WHERE service_key = ?",
                         "t", service_key);
    if (rc)
        goto done;
    rc = store_query_int(r.c, &id,
                         "INSERT INTO instances (case_id, case_ref, service_key, model_id, vars,"
                         " started_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                         "ittitt", case_id, case_ref, service_key, model_id, z, at);
    if (rc)
        goto done;
    if ((rc = load(&r, id)))
        goto done;
    const struct bpmn_node *start = NULL;
    for (const struct bpmn_node *n = r.p->scope.nodes; n && !start; n = n->next)
        if (strcmp(n->type, "startEvent") == 0)
            start = n;
    if (!start) {
        rc = ERR_CORRUPT;
        goto done;
    }
    rc = jn(&r, actor, "wf.instance.start",
            json_pack("{s:s, s:I, s:s}", "service", service_key, "model", (json_int_t)model_id,
                      "process", r.p->id));
    if (!rc)
        rc = tok_new(&r, 0, start->id, "arrive", NULL);
    if (!rc)
        rc = drive(&r);
done:
    free(z);
    rc = finish(&r, rc);
    if (!rc && ret_id)
        *ret_id = id;
    return rc;
}

/* May actor a work on a task of office unit (0: none) and role (may be
 * ""): the system, an Admin, a member of the office, or a holder of the
 * role (a WEB_ROLE_* name such as "Sachbearbeitung"). */
static bool may_work(const struct rec_actor *a, int unit, const char *role)
{
    unsigned mask;
    if (a->system || (a->roles & WEB_ROLE_ADMIN))
        return true;
    if (unit > 0 && unit == a->unit_nr)
        return true;
    return role && *role && !web_roles_parse(role, &mask) && (a->roles & mask);
}

/* Opens a write transaction on the instance of task task_id and loads it;
 * fills the task's token, state and assignee. ERR_EXISTS when the task is
 * not open, ERR_DENIED when a may not work on it (may_work). */
static int task_begin(struct store *s, struct run *r, const struct rec_actor *a, int64_t task_id,
                      int64_t *ret_tok, char state[16], char assignee[128],
                      char node[WF_MAX_ID + 1])
{
    int rc = store_get(s, &r->c);
    if (rc)
        return rc;
    if ((rc = store_begin(r->c, true)))
        return rc;
    struct store_stmt *st;
    int64_t inst = 0;
    bool ok = false;
    if ((rc = store_prepare(r->c,
                            "SELECT instance_id, token_id, state, COALESCE(assignee, ''), node_id,"
                            " COALESCE(unit_nr, 0), COALESCE(role, '') FROM tasks WHERE id = ?",
                            &st)))
        return rc;
    if (!(rc = store_bind(st, "i", task_id)) && (rc = store_step(st)) == STORE_ROW) {
        inst = store_col_int(st, 0);
        *ret_tok = store_col_int(st, 1);
        snprintf(state, 16, "%s", store_col_text(st, 2));
        snprintf(assignee, 128, "%s", store_col_text(st, 3));
        snprintf(node, WF_MAX_ID + 1, "%s", store_col_text(st, 4));
        ok = may_work(a, (int)store_col_int(st, 5), store_col_text(st, 6)) ||
             strcmp(assignee, a->login) == 0;
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (rc)
        return rc;
    if (strcmp(state, "open") != 0) {
        r->inst = inst;
        return ERR_EXISTS;
    }
    if (!ok)
        return ERR_DENIED;
    return load(r, inst);
}

int wf_task_claim(struct store *s, const struct rec_actor *a, int64_t task_id)
{
    struct run r = {.s = s};
    int64_t tok;
    char state[16], who[128], node[WF_MAX_ID + 1];
    int rc = task_begin(s, &r, a, task_id, &tok, state, who, node);
    if (!rc && *who)
        rc = strcmp(who, a->login) == 0 ? 0 : ERR_EXISTS;
    else if (!rc) {
        rc = store_run(r.c, "UPDATE tasks SET assignee = ? WHERE id = ?", "ti", a->login, task_id);
        if (!rc)
            rc = jn(&r, a->login, "wf.task.claim",
                    json_pack("{s:I, s:s}", "task", (json_int_t)task_id, "node", node));
    }
    if (!r.c)
        return rc;
    return finish(&r, rc);
}

int wf_task_unclaim(struct store *s, const struct rec_actor *a, int64_t task_id)
{
    struct run r = {.s = s};
    int64_t tok;
    char state[16], who[128], node[WF_MAX_ID + 1];
    int rc = task_begin(s, &r, a, task_id, &tok, state, who, node);
    bool admin = a->system || (a->roles & WEB_ROLE_ADMIN);
    if (!rc && (!*who || (strcmp(who, a->login) != 0 && !admin)))
        rc = ERR_DENIED;
    if (!rc)
        rc = store_run(r.c, "UPDATE tasks SET assignee = NULL WHERE id = ?", "i", task_id);
    if (!rc)
        rc = jn(
            &r, a->login, "wf.task.unclaim",
            json_pack("{s:I, s:s, s:s}", "task", (json_int_t)task_id, "node", node, "from", who));
    if (!r.c)
        return rc;
    return finish(&r, rc);
}

/* Merges the submitted form into the case data: the fields of the task's
 * form (taskform.h) checked and typed, other keys as given. */
static int apply_form(struct run *r, const char *node, const json_t *form, json_t **ret_errors)
{
    const struct bpmn_node *n = bpmn_find_node(r->m, node);
    json_t *fields = NULL, *rest = NULL;
    if (!n)
        return ERR_CORRUPT;
    int rc = wf_form_read(n, NULL, &fields);
    if (!rc && !(rest = form ? json_deep_copy(form) : json_object()))
        rc = ERR_NOMEM;
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        if (!rc)
            json_object_del(rest, json_string_value(json_object_get(f, "id")));
    }
    if (!rc)
        rc = wf_form_apply(fields, form, r->vars, ret_errors);
    if (!rc && json_object_update(r->vars, rest))
        rc = ERR_NOMEM;
    r->vars_dirty = true;
    json_decref(fields);
    json_decref(rest);
    return rc;
}

int wf_task_complete(struct store *s, const struct rec_actor *a, int64_t task_id,
                     const json_t *form, json_t **ret_errors)
{
    if (form && !json_is_object(form))
        return ERR_INVALID;
    struct run r = {.s = s};
    int64_t tok;
    char state[16], who[128], node[WF_MAX_ID + 1];
    int rc = task_begin(s, &r, a, task_id, &tok, state, who, node);
    const char *login = a->login;
    if (!rc && *who && strcmp(who, login) != 0)
        rc = ERR_DENIED;
    if (!rc)
        rc = apply_form(&r, node, form, ret_errors);
    if (!rc)
        rc = store_run(r.c,
                       "UPDATE tasks SET state = 'done', completed_at = ?, completed_by = ?"
                       " WHERE id = ?",
                       "tti", r.now_iso, login, task_id);
    if (!rc) {
        json_t *keys = json_array();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)form, k, v)
        {
            if (keys)
                json_array_append_new(keys, json_string(k));
        }
        rc = jn(&r, login, "wf.task.complete",
                json_pack("{s:I, s:s, s:o*}", "task", (json_int_t)task_id, "node", node, "fields",
                          keys));
    }
    if (!rc)
        rc = tok_set(&r, tok, NULL, "leave");
    if (!rc)
        rc = drive(&r);
    if (!r.c)
        return rc;
    return finish(&r, rc);
}

/* Fires the oldest due timer, if any; *ret_fired is set when one fired. */
static int fire_one(struct store *s, int64_t now, bool *ret_fired)
{
    struct run r = {.s = s};
    int rc = store_get(s, &r.c);
    if (rc)
        return rc;
    int64_t timer = 0, inst = 0, tok = 0, boundary = 0, interrupting = 0;
    char node[WF_MAX_ID + 1] = "";
    struct store_stmt *st;
    *ret_fired = false;
    if ((rc = store_begin(r.c, true)))
        goto done;
    if ((rc = store_prepare(r.c,
                            "SELECT id, instance_id, token_id, node_id, boundary, interrupting"
                            " FROM timers WHERE state = 'pending' AND due <= ?"
                            " ORDER BY due, id LIMIT 1",
                            &st)))
        goto done;
    if (!(rc = store_bind(st, "i", now)) && (rc = store_step(st)) == STORE_ROW) {
        timer = store_col_int(st, 0);
        inst = store_col_int(st, 1);
        tok = store_col_int(st, 2);
        snprintf(node, sizeof node, "%s", store_col_text(st, 3));
        boundary = store_col_int(st, 4);
        interrupting = store_col_int(st, 5);
    }
    store_done(st);
    if (rc < 0 || !timer) {
        rc = rc < 0 ? rc : 0;
        goto done;
    }
    *ret_fired = true;
    rc = store_run(r.c, "UPDATE timers SET state = 'fired' WHERE id = ?", "i", timer);
    if (!rc)
        rc = load(&r, inst);
    if (rc == ERR_EXISTS) { /* the instance ended meanwhile: the timer is moot */
        rc = store_run(r.c, "UPDATE timers SET state = 'cancelled' WHERE id = ?", "i", timer);
        goto done;
    }
    struct tok t;
    if (!rc)
        rc = tok_get(&r, tok, &t);
    /* A timer whose token has moved on (it should have been cancelled) is moot. */
    bool waiting = !rc && (boundary ? strcmp(t.state, "task") == 0 || strcmp(t.state, "sub") == 0
                                    : strcmp(t.state, "timer") == 0);
    if (!rc && !waiting) {
        rc = store_run(r.c, "UPDATE timers SET state = 'cancelled' WHERE id = ?", "i", timer);
        goto done;
    }
    if (!rc)
        rc = jn(&r, WF_ACTOR, "wf.timer.fire",
                json_pack("{s:I, s:s, s:b, s:b}", "timer", (json_int_t)timer, "node", node,
                          "boundary", (int)boundary, "interrupting", (int)interrupting));
    if (!rc && !boundary)
        rc = tok_set(&r, tok, NULL, "leave");
    if (!rc && boundary && interrupting)
        rc = tok_cancel(&r, tok);
    if (!rc && boundary)
        rc = tok_new(&r, t.parent, node, "leave", NULL);
    if (!rc)
        rc = drive(&r);
done:
    return finish(&r, rc);
}

int wf_timers_fire(struct store *s, int64_t now, int *ret_fired)
{
    int n = 0;
    for (;;) {
        bool fired;
        int rc = fire_one(s, now, &fired);
        if (rc)
            return rc;
        if (!fired)
            break;
        n++;
    }
    if (ret_fired)
        *ret_fired = n;
    return 0;
}

int wf_resume(struct store *s, int *ret_done)
{
    int done = 0;
    for (;;) {
        struct store_conn *c;
        int64_t inst;
        int rc = store_get(s, &c);
        if (rc)
            return rc;
        rc = store_query_int(c, &inst,
                             "SELECT instance_id FROM tokens WHERE state = 'action'"
                             " ORDER BY id LIMIT 1",
                             "");
        store_put(s, c);
        if (rc == ERR_NOTFOUND)
            break;
        if (rc || (rc = run_actions(s, inst, &done)))
            return rc;
    }
    if (ret_done)
        *ret_done = done;
    return 0;
}

/* True when name is one of the comma-separated list ",a,b,". */
static bool in_list(const char *list, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
        if (p > list && p[-1] == ',' && p[k] == ',')
            return true;
    return false;
}

/* Appends the rows of sql (one integer parameter) to arr as objects keyed by
 * the column names; integer columns named in ints stay integers. */
static int rows_json(struct store_conn *c, const char *sql, int64_t id, const char *ints,
                     json_t *arr)
{
    struct store_stmt *st;
    int rc = store_prepare(c, sql, &st);
    if (rc)
        return rc;
    if ((rc = store_bind(st, "i", id)))
        goto done;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o)) {
            rc = ERR_NOMEM;
            goto done;
        }
        for (int i = 0; i < store_col_count(st); i++) {
            const char *name = store_col_name(st, i);
            json_t *v;
            if (store_col_null(st, i))
                v = json_null();
            else if (in_list(ints, name))
                v = json_integer(store_col_int(st, i));
            else
                v = json_string(store_col_text(st, i));
            if (json_object_set_new(o, name, v)) {
                rc = ERR_NOMEM;
                goto done;
            }
        }
    }
done:
    store_done(st);
    return rc < 0 ? rc : 0;
}

int wf_instance_get(struct store *s, int64_t id, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *o = NULL, *arr = json_array();
    if (!arr) {
        rc = ERR_NOMEM;
        goto done;
    }
    if ((rc = store_begin(c, false)))
        goto done;
    rc = rows_json(c,
                   "SELECT id, case_ref AS \"case\", service_key AS service, model_id AS model,"
                   " state, vars FROM instances WHERE id = ?",
                   id, ",id,model,", arr);
    if (rc)
        goto done;
    o = json_incref(json_array_get(arr, 0));
    if (!o) {
        rc = ERR_NOTFOUND;
        goto done;
    }
    json_t *vars = json_loads(json_string_value(json_object_get(o, "vars")), 0, NULL);
    json_t *tokens = json_array(), *tasks = json_array(), *timers = json_array();
    if (!vars || json_object_set_new(o, "vars", vars) || json_object_set_new(o, "tokens", tokens) ||
        json_object_set_new(o, "tasks", tasks) || json_object_set_new(o, "timers", timers) ||
        !tokens || !tasks || !timers) {
        rc = ERR_NOMEM;
        goto done;
    }
    rc = rows_json(c,
                   "SELECT id, parent_id AS parent, node_id AS node, state FROM tokens"
                   " WHERE instance_id = ? ORDER BY id",
                   id, ",id,parent,", tokens);
    if (!rc)
        rc = rows_json(c,
                       "SELECT id, node_id AS node, name, unit_nr AS unit, role, assignee, due,"
                       " state, completed_by FROM tasks WHERE instance_id = ? ORDER BY id",
                       id, ",id,unit,", tasks);
    if (!rc)
        rc = rows_json(c,
                       "SELECT id, node_id AS node, due, boundary, interrupting, state FROM timers"
                       " WHERE instance_id = ? ORDER BY id",
                       id, ",id,due,boundary,interrupting,", timers);
done:
    store_rollback(c);
    store_put(s, c);
    json_decref(arr);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *ret = o;
    return 0;
}
