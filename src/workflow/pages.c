/* The staff pages of the workflow: "Meine Aufgaben" with the office inbox,
 * one task with its case documents and the process diagram, the
 * resubmission list, and the event log of a process as CSV or JSON (the
 * input of process mining). Handlers stay thin: they read the store, call
 * the engine (engine.h) and render a template of templates/workflow/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "bpmn.h"
#include "engine.h"
#include "messages.h"
#include "http/http.h"
#include "records/records.h"
#include "store/blob.h"
#include "taskform.h"
#include "web/web.h"
#include "workflow_int.h"

/* Named limits of the pages. */
#define WFP_MAX_ROWS 500              /* tasks or resubmissions listed per page */
#define WFP_LIMIT " LIMIT 500"        /* the same in SQL: SQLite keeps only the top rows */
#define WFP_MAX_NOTE 4000             /* bytes of the "Bemerkung" of a completion */
#define WFP_MAX_EVENTS 100000         /* journal entries of one event log */
#define WFP_MAX_LOG_BYTES (64u << 20) /* bytes of one event log response */
#define WFP_MAX_ROLES 5               /* role names a user can hold (WEB_ROLE_*) */

/* Roles that may read a process's event log. */
#define WFP_ROLES_LOG (WEB_ROLE_HEAD | WEB_ROLE_ADMIN)

/* Role names as the models write them in lanes (rathaus:role). */
static const struct {
    unsigned bit;     /* WEB_ROLE_* */
    const char *name; /* German name */
} ROLE_NAMES[WFP_MAX_ROLES] = {
    {WEB_ROLE_CASEWORKER, "Sachbearbeitung"}, {WEB_ROLE_HEAD, "Leitung"},
    {WEB_ROLE_REGISTRY, "Registratur"},       {WEB_ROLE_ADMIN, "Admin"},
    {WEB_ROLE_DIGITAL, "Digitalisierung"},
};

/* The user's role names for binding, NULL where the user lacks the role. */
static void role_names(const struct http_req *req, const char *out[WFP_MAX_ROLES])
{
    for (int i = 0; i < WFP_MAX_ROLES; i++)
        out[i] = req->user.roles & ROLE_NAMES[i].bit ? ROLE_NAMES[i].name : NULL;
}

static void set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v);
}

/* The case page of a case reference "<file ref>/<n>", in the arena. */
static const char *case_href(struct http_req *req, const char *case_ref)
{
    const char *slash = strrchr(case_ref, '/');
    if (!slash)
        return NULL;
    return arena_printf(req->arena, "/akten/%.*s/vorgaenge/%s", (int)(slash - case_ref), case_ref,
                        slash + 1);
}

/* Adds the display fields of a task row: due date text, overdue flag, link. */
static void task_labels(struct http_req *req, json_t *t, const char *now_iso)
{
    const char *due = json_string_value(json_object_get(t, "due"));
    int64_t when;
    if (due && *due && !rtime_parse_iso(due, &when)) {
        char buf[64];
        rtime_display(when, buf, sizeof buf);
        set(t, "due_text", json_string(buf));
        set(t, "ueberfaellig",
            json_boolean(strcmp(due, now_iso) < 0 &&
                         strcmp(json_string_value(json_object_get(t, "state")), "open") == 0));
    }
    const char *ref = json_string_value(json_object_get(t, "case_ref"));
    const char *href = ref ? case_href(req, ref) : NULL;
    if (href)
        set(t, "case_href", json_string(href));
}

/* One task row of the statement st (columns as in the SELECTs below). */
static json_t *task_row(struct store_stmt *st)
{
    return json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:s, s:s, s:I}", "id",
                     (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "due",
                     store_col_null(st, 2) ? NULL : store_col_text(st, 2), "assignee",
                     store_col_null(st, 3) ? NULL : store_col_text(st, 3), "state",
                     store_col_text(st, 4), "case_ref", store_col_text(st, 5), "process",
                     store_col_text(st, 6), "instance", (json_int_t)store_col_int(st, 7));
}

#define TASK_COLS                                                                                  \
    "SELECT t.id, t.name, t.due, t.assignee, t.state, i.case_ref, pm.name, i.id FROM tasks t"      \
    " JOIN instances i ON i.id = t.instance_id JOIN process_models pm ON pm.id = i.model_id"
#define INBOX_WHERE                                                                                \
    " WHERE t.state = 'open' AND t.assignee IS NULL AND ((t.unit_nr = ? AND t.unit_nr > 0)"        \
    " OR t.role IN (?, ?, ?, ?, ?))"

static const char SQL_MINE_ASC[] = TASK_COLS
    " WHERE t.state = 'open' AND t.assignee = ? ORDER BY t.due IS NULL, t.due, t.id" WFP_LIMIT;
static const char SQL_MINE_DESC[] = TASK_COLS
    " WHERE t.state = 'open' AND t.assignee = ? ORDER BY t.due IS NULL, t.due DESC, t.id" WFP_LIMIT;
static const char SQL_INBOX_ASC[] =
    TASK_COLS INBOX_WHERE " ORDER BY t.due IS NULL, t.due, t.id" WFP_LIMIT;
static const char SQL_INBOX_DESC[] =
    TASK_COLS INBOX_WHERE " ORDER BY t.due IS NULL, t.due DESC, t.id" WFP_LIMIT;

/* Runs one task list query into *ret (new array). */
static int task_list(struct http_req *req, struct store_conn *c, const char *sql, bool inbox,
                     const char *now_iso, json_t **ret)
{
    struct store_stmt *st;
    const char *roles[WFP_MAX_ROLES];
    role_names(req, roles);
    int rc = store_prepare(c, sql, &st);
    if (rc)
        return rc;
    rc = inbox ? store_bind(st,
                            "ittt"
                            "tt",
                            (int64_t)req->user.unit_nr, roles[0], roles[1], roles[2], roles[3],
                            roles[4])
               : store_bind(st, "t", req->user.login);
    json_t *list = json_array();
    int n = 0;
    while (!rc && list && n++ < WFP_MAX_ROWS && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        json_t *t = task_row(st);
        if (!t) {
            rc = ERR_NOMEM;
            break;
        }
        task_labels(req, t, now_iso);
        json_array_append_new(list, t);
    }
    if (rc == STORE_DONE || rc == STORE_ROW)
        rc = 0;
    store_done(st);
    if (!rc && !list)
        rc = ERR_NOMEM;
    if (rc)
        json_decref(list);
    else
        *ret = list;
    return rc;
}

static const char *flash_of(struct http_req *req)
{
    if (http_query(req, "erledigt"))
        return "Die Aufgabe wurde erledigt.";
    if (http_query(req, "zurueckgegeben"))
        return "Die Aufgabe wurde an den Posteingang des Amts zurückgegeben.";
    return NULL;
}

/* ---- /aufgaben: my tasks and the office inbox ------------------------- */

static int get_tasks(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const char *sort = http_query(req, "sortierung");
    bool desc = sort && strcmp(sort, "faellig-absteigend") == 0;
    char now_iso[32];
    rtime_iso_utc(rtime_now(), now_iso, sizeof now_iso);
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    json_t *mine = NULL, *inbox = NULL;
    rc = task_list(req, c, desc ? SQL_MINE_DESC : SQL_MINE_ASC, false, now_iso, &mine);
    if (!rc)
        rc = task_list(req, c, desc ? SQL_INBOX_DESC : SQL_INBOX_ASC, true, now_iso, &inbox);
    store_put(app->store, c);
    if (rc) {
        json_decref(mine);
        return rc;
    }
    return web_page_status(req, resp, 200, "workflow/aufgaben.html",
                           json_pack("{s:s, s:o, s:o, s:b, s:s?}", "title", "Aufgaben", "meine",
                                     mine, "posteingang", inbox, "absteigend", desc, "flash",
                                     flash_of(req)));
}

/* ---- /aufgaben/:id: one task ------------------------------------------ */

static const char SQL_TASK[] =
    "SELECT t.id, t.name, t.due, t.assignee, t.state, i.case_ref, pm.name, i.id, t.node_id,"
    " t.unit_nr, t.role, pm.bpmn_sha256, pm.process_id, t.completed_by, i.model_id FROM tasks t"
    " JOIN instances i ON i.id = t.instance_id JOIN process_models pm ON pm.id = i.model_id"
    " WHERE t.id = ?";

/* The task of the path as an object with node, sha and process_id; NOT_FOUND
 * unless the user's office or role holds it, the user claimed or completed
 * it, or the user is an Admin (who may take over any task, see engine.h). */
static int task_load(struct http_req *req, json_t **ret)
{
    struct app *app = req->app;
    long id;
    if (str_to_long(req->param[0], 1, INT64_MAX / 2, &id))
        return ERR_NOTFOUND;
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    json_t *t = NULL;
    if (!(rc = store_prepare(c, SQL_TASK, &st))) {
        if (!(rc = store_bind(st, "i", (int64_t)id)) && (rc = store_step(st)) == STORE_ROW) {
            rc = 0;
            const char *roles[WFP_MAX_ROLES];
            role_names(req, roles);
            int unit = (int)store_col_int(st, 9);
            const char *role = store_col_text(st, 10);
            bool ok = (req->user.roles & WEB_ROLE_ADMIN) ||
                      (unit > 0 && unit == req->user.unit_nr) ||
                      strcmp(store_col_text(st, 3), req->user.login) == 0 ||
                      strcmp(store_col_text(st, 13), req->user.login) == 0;
            for (int i = 0; i < WFP_MAX_ROLES; i++)
                ok = ok || (roles[i] && *role && strcmp(roles[i], role) == 0);
            if (!ok)
                rc = ERR_NOTFOUND;
            else if (!(t = task_row(st)))
                rc = ERR_NOMEM;
            else {
                set(t, "node", json_string(store_col_text(st, 8)));
                set(t, "sha", json_string(store_col_text(st, 11)));
                set(t, "model", json_integer(store_col_int(st, 14)));
                set(t, "process_id", json_string(store_col_text(st, 12)));
            }
        } else if (rc == STORE_DONE) {
            rc = ERR_NOTFOUND;
        }
        store_done(st);
    }
    store_put(app->store, c);
    if (!rc)
        *ret = t;
    return rc;
}

/* The parsed model of the task t (from the cache, see workflow_int.h);
 * give it back with wf__model_put. */
static int model_load(struct app *app, const json_t *t, const struct wf__model **ret)
{
    return wf__model_get(app->store, NULL, json_integer_value(json_object_get(t, "model")), ret);
}

/* The nodes of instance inst that hold a live token (a new array, NULL on
 * failure: the diagram then marks only the task's own step). */
static json_t *live_nodes(struct app *app, int64_t inst)
{
    struct store_conn *c;
    struct store_stmt *st;
    json_t *ids = json_array();
    if (!ids || store_get(app->store, &c))
        return ids;
    if (!store_prepare(c,
                       "SELECT DISTINCT node_id FROM tokens WHERE instance_id = ?"
                       " AND state NOT IN ('done', 'cancelled')",
                       &st)) {
        if (!store_bind(st, "i", inst))
            while (store_step(st) == STORE_ROW)
                json_array_append_new(ids, json_string(store_col_text(st, 0)));
        store_done(st);
    }
    store_put(app->store, c);
    return ids;
}

/* The task form for the template: fields with their values (values: what
 * was submitted, may be NULL) and errors (may be NULL), plus the error list
 * linking to the fields. */
static json_t *form_view(const json_t *fields, const json_t *values, const json_t *errors)
{
    json_t *list = json_array(), *errs = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        if (!list || !errs)
            break;
        const char *id = json_string_value(json_object_get(f, "id"));
        const char *type = json_string_value(json_object_get(f, "type"));
        const char *help = json_string_value(json_object_get(f, "help"));
        const char *err = json_string_value(json_object_get(errors, id));
        json_t *vj = json_object_get(values, id);
        char hid[WF_FORM_MAX_ID + 16], eid[WF_FORM_MAX_ID + 16], fid[WF_FORM_MAX_ID + 16],
            desc[2 * WF_FORM_MAX_ID + 40];
        snprintf(fid, sizeof fid, "feld-%s", id);
        snprintf(hid, sizeof hid, "feld-%s-hilfe", id);
        snprintf(eid, sizeof eid, "feld-%s-fehler", id);
        snprintf(desc, sizeof desc, "%s%s%s", help ? hid : "", help && err ? " " : "",
                 err ? eid : "");
        const char *value = json_is_string(vj) ? json_string_value(vj) : "";
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s, s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:b, s:b,"
            " s:b, s:b}",
            "name", fid, "label", json_string_value(json_object_get(f, "label")), "hilfe_id", hid,
            "hilfe", help, "fehler_id", eid, "fehler", err, "beschreibung", desc, "wert", value,
            "pflicht", json_is_true(json_object_get(f, "required")), "typ", type, "ist_text",
            !strcmp(type, "text"), "ist_textarea", !strcmp(type, "textarea"), "ist_zahl",
            !strcmp(type, "number"), "ist_datum", !strcmp(type, "date"), "ist_auswahl",
            !strcmp(type, "select"), "ist_janein", !strcmp(type, "yesno"), "ja",
            !strcmp(value, "ja"), "nein", !strcmp(value, "nein"));
        json_t *opts = json_array();
        size_t k;
        json_t *op;
        json_array_foreach(json_object_get(f, "options"), k, op)
        {
            const char *v = json_string_value(json_object_get(op, "value"));
            if (opts)
                json_array_append_new(opts,
                                      json_pack("{s:s, s:s, s:b}", "wert", v, "label",
                                                json_string_value(json_object_get(op, "label")),
                                                "gewaehlt", strcmp(v, value) == 0));
        }
        if (o && opts)
            set(o, "optionen", opts);
        else
            json_decref(opts);
        if (o)
            json_array_append_new(list, o);
        if (err)
            json_array_append_new(errs, json_pack("{s:s, s:s}", "id", fid, "text", err));
    }
    if (!list || !errs) {
        json_decref(list);
        json_decref(errs);
        return NULL;
    }
    return json_pack("{s:b, s:o, s:o, s:b}", "hat_felder", json_array_size(list) > 0, "felder",
                     list, "fehler_liste", errs, "hat_fehler", json_array_size(errs) > 0);
}

/* The fields of the task form of node in model m as a new array; NULL when
 * the model or node cannot be read (the page then shows no fields). */
static json_t *task_fields(const struct bpmn_model *m, const char *node)
{
    const struct bpmn_node *n = m ? bpmn_find_node(m, node) : NULL;
    json_t *fields = NULL;
    if (n && wf_form_read(n, NULL, &fields))
        fields = NULL;
    return fields;
}

/* The task page; err (may be NULL) is shown above the buttons, bemerkung
 * is the value of the textarea, values and errors (may be NULL) those of
 * the task form's fields, nw_err and nw_text (may be NULL) those of the
 * request for evidence. */
static int task_page(struct http_req *req, struct http_resp *resp, int status, const char *err,
                     const char *bemerkung, const json_t *values, const json_t *errors,
                     const char *nw_err, const char *nw_text)
{
    struct app *app = req->app;
    json_t *t = NULL;
    int rc = task_load(req, &t);
    if (rc)
        return rc;
    char now_iso[32];
    rtime_iso_utc(rtime_now(), now_iso, sizeof now_iso);
    task_labels(req, t, now_iso);
    const char *state = json_string_value(json_object_get(t, "state"));
    const char *who = json_string_value(json_object_get(t, "assignee"));
    bool open = strcmp(state, "open") == 0;
    bool mine = who && strcmp(who, req->user.login) == 0;
    struct rec_actor a = rec_actor_of(&req->user);
    json_t *c = NULL;
    if (rec_case_get(app->store, &a, json_string_value(json_object_get(t, "case_ref")), &c))
        c = NULL;
    const struct wf__model *wm = NULL;
    if (model_load(app, t, &wm))
        wm = NULL;
    const struct bpmn_model *m = wm ? wm->m : NULL;
    const char *node = json_string_value(json_object_get(t, "node"));
    json_t *active = live_nodes(app, json_integer_value(json_object_get(t, "instance")));
    json_t *dia = m ? wf__diagram(m, open ? node : NULL, active) : NULL;
    json_decref(active);
    json_t *fields = task_fields(m, node);
    json_t *fv = form_view(fields, values, errors);
    json_decref(fields);
    wf__model_put(wm);
    json_t *msgs = NULL;
    if (wf_messages(app->store, json_string_value(json_object_get(t, "case_ref")), &msgs))
        msgs = NULL;
    for (size_t i = 0; i < json_array_size(msgs); i++) {
        json_t *msg = json_array_get(msgs, i);
        int64_t when;
        char buf[64];
        if (!rtime_parse_iso(json_string_value(json_object_get(msg, "at")), &when)) {
            rtime_display(when, buf, sizeof buf);
            set(msg, "zeit", json_string(buf));
        }
        set(msg, "nachforderung",
            json_boolean(strcmp(json_string_value(json_object_get(msg, "kind")), "evidence") == 0));
    }
    char title[256];
    snprintf(title, sizeof title, "%sAufgabe: %s", errors || nw_err ? "Fehler: " : "",
             json_string_value(json_object_get(t, "name")));
    json_t *d = json_pack("{s:s, s:o, s:o*, s:o*, s:o*, s:b, s:b, s:b, s:b, s:s?, s:s, s:o*, s:s?,"
                          " s:s, s:s?}",
                          "title", title, "aufgabe", t, "vorgang", c, "diagramm", dia, "formular",
                          fv, "offen", open, "meine", open && mine, "frei", open && !who, "fremd",
                          open && who && !mine, "fehler", err, "bemerkung",
                          bemerkung ? bemerkung : "", "nachrichten", msgs, "nw_fehler", nw_err,
                          "nw_text", nw_text ? nw_text : "", "flash",
                          http_query(req, "nachgefordert")
                              ? "Die Nachforderung wurde gespeichert; sie erscheint auf der "
                                "Statusseite des Antrags."
                              : NULL);
    return web_page_status(req, resp, status, "workflow/aufgabe.html", d);
}

static int get_task(struct http_req *req, struct http_resp *resp)
{
    return task_page(req, resp, 200, NULL, NULL, NULL, NULL, NULL, NULL);
}

static int64_t task_id(struct http_req *req)
{
    long id;
    return str_to_long(req->param[0], 1, INT64_MAX / 2, &id) ? 0 : (int64_t)id;
}

/* Maps an engine refusal of a button to a message on the task page. */
static int refused(struct http_req *req, struct http_resp *resp, int rc, const char *bemerkung,
                   const json_t *values)
{
    if (rc == ERR_EXISTS)
        return task_page(req, resp, 409,
                         "Die Aufgabe ist nicht mehr offen oder wurde von "
                         "jemand anderem übernommen.",
                         bemerkung, values, NULL, NULL, NULL);
    if (rc == ERR_DENIED)
        return task_page(req, resp, 409, "Die Aufgabe ist von jemand anderem übernommen.",
                         bemerkung, values, NULL, NULL, NULL);
    if (rc == ERR_TOOBIG)
        return task_page(req, resp, 422, "Die Angaben sind zu umfangreich.", bemerkung, values,
                         NULL, NULL, NULL);
    return rc;
}

static int post_claim(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *t = NULL;
    int rc = task_load(req, &t);
    json_decref(t);
    struct rec_actor a = rec_actor_of(&req->user);
    if (!rc && (rc = wf_task_claim(app->store, &a, task_id(req))))
        return refused(req, resp, rc, NULL, NULL);
    const char *to =
        rc ? NULL : arena_printf(req->arena, "/aufgaben/%lld", (long long)task_id(req));
    return rc ? rc : to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int post_unclaim(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *t = NULL;
    int rc = task_load(req, &t);
    json_decref(t);
    struct rec_actor a = rec_actor_of(&req->user);
    if (!rc && (rc = wf_task_unclaim(app->store, &a, task_id(req))))
        return refused(req, resp, rc, NULL, NULL);
    return rc ? rc : http_redirect(req, resp, "/aufgaben?zurueckgegeben=1");
}

static int post_complete(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *t = NULL;
    int rc = task_load(req, &t);
    if (rc)
        return rc;
    const struct wf__model *wm = NULL;
    rc = model_load(app, t, &wm);
    json_t *fields = rc ? NULL : task_fields(wm->m, json_string_value(json_object_get(t, "node")));
    wf__model_put(wm);
    json_decref(t);
    if (rc)
        return rc;
    /* The submitted values by field id, for the engine and for a page
     * that shows them again. */
    json_t *values = json_object(), *form = json_object(), *errors = NULL;
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *id = json_string_value(json_object_get(f, "id"));
        const char *name = arena_printf(req->arena, "feld-%s", id);
        const char *v = name ? form_get(&req->form, name) : NULL;
        if (values && v)
            set(values, id, json_string(v));
    }
    json_decref(fields);
    const char *note = form_get(&req->form, "bemerkung");
    if (!values || !form || json_object_update(form, values)) {
        rc = ERR_NOMEM;
        goto done;
    }
    if (note && strlen(note) > WFP_MAX_NOTE) {
        rc = task_page(req, resp, 422, "Die Bemerkung ist zu lang (höchstens 4000 Zeichen).", note,
                       values, NULL, NULL, NULL);
        goto done;
    }
    if (note && *note)
        set(form, "bemerkung", json_string(note));
    struct rec_actor a = rec_actor_of(&req->user);
    rc = wf_task_complete(app->store, &a, task_id(req), form, &errors);
    if (rc == ERR_INVALID && errors)
        rc = task_page(req, resp, 400, NULL, note, values, errors, NULL, NULL);
    else if (rc)
        rc = refused(req, resp, rc, note, values);
    else
        rc = http_redirect(req, resp, "/aufgaben?erledigt=1");
done:
    json_decref(values);
    json_decref(form);
    json_decref(errors);
    return rc;
}

/* POST /aufgaben/:id/nachweise: asks the applicant for evidence (a message
 * of kind "evidence" on the status page, journaled as wf.message). */
static int post_evidence(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *t = NULL;
    int rc = task_load(req, &t);
    if (rc)
        return rc;
    const char *text = form_get(&req->form, "nachweise");
    const char *ref = json_string_value(json_object_get(t, "case_ref"));
    const char *why = NULL;
    if (!text || !*text)
        why = "Bitte beschreiben Sie, welche Nachweise fehlen.";
    else if (strlen(text) > WF_MESSAGE_MAX_TEXT)
        why = "Der Text ist zu lang (höchstens 4000 Zeichen).";
    else if ((rc = wf_message_add(app->store, req->user.login, ref, "evidence", text)))
        why = rc == ERR_INVALID ? "Bitte beschreiben Sie, welche Nachweise fehlen." : NULL;
    json_decref(t);
    if (why)
        return task_page(req, resp, 400, NULL, NULL, NULL, NULL, why, text);
    if (rc)
        return rc;
    const char *to =
        arena_printf(req->arena, "/aufgaben/%lld?nachgefordert=1", (long long)task_id(req));
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

/* ---- /wiedervorlagen -------------------------------------------------- */

static const char SQL_RESUB[] =
    "SELECT i.case_ref, i.vars, pm.name FROM instances i"
    " JOIN process_models pm ON pm.id = i.model_id WHERE i.vars LIKE '%\"wiedervorlage\"%'"
    " AND EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = i.id AND"
    " ((t.unit_nr = ? AND t.unit_nr > 0) OR t.role IN (?, ?, ?, ?, ?) OR t.completed_by = ?))"
    " ORDER BY i.id";

static int by_date(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, "datum")),
                  json_string_value(json_object_get(y, "datum")));
}

static int get_resubmissions(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const char *roles[WFP_MAX_ROLES];
    role_names(req, roles);
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    json_t *rows[WFP_MAX_ROWS];
    size_t n = 0;
    struct store_stmt *st;
    if (!(rc = store_prepare(c, SQL_RESUB, &st))) {
        rc = store_bind(st,
                        "ittt"
                        "ttt",
                        (int64_t)req->user.unit_nr, roles[0], roles[1], roles[2], roles[3],
                        roles[4], req->user.login);
        while (!rc && n < WFP_MAX_ROWS && (rc = store_step(st)) == STORE_ROW) {
            rc = 0;
            json_t *v = json_loads(store_col_text(st, 1), 0, NULL);
            const char *day = json_string_value(json_object_get(v, "wiedervorlage"));
            if (day) {
                json_t *r = json_pack("{s:s, s:s, s:s}", "case_ref", store_col_text(st, 0), "datum",
                                      day, "process", store_col_text(st, 2));
                const char *href = r ? case_href(req, store_col_text(st, 0)) : NULL;
                if (href)
                    set(r, "case_href", json_string(href));
                if (r)
                    rows[n++] = r;
            }
            json_decref(v);
        }
        if (rc == STORE_DONE || rc == STORE_ROW)
            rc = 0;
        store_done(st);
    }
    store_put(app->store, c);
    qsort(rows, n, sizeof rows[0], by_date);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        if (list)
            json_array_append_new(list, rows[i]);
        else
            json_decref(rows[i]);
    }
    if (rc) {
        json_decref(list);
        return rc;
    }
    return web_page_status(req, resp, 200, "workflow/wiedervorlagen.html",
                           json_pack("{s:s, s:o*}", "title", "Wiedervorlagen", "eintraege", list));
}

/* ---- /api/v1/processes/:process_id/events ----------------------------- */

static const char SQL_EVENTS[] =
    "SELECT j.at, j.actor, j.action, j.object, j.details FROM journal j"
    " WHERE j.action LIKE 'wf.%' AND j.object IN (SELECT 'instance:' || i.id FROM instances i"
    " JOIN process_models pm ON pm.id = i.model_id WHERE pm.process_id = ?) ORDER BY j.seq";

/* Appends z as one CSV field (quoted when needed). */
static void csv_field(struct str *s, const char *z, bool last)
{
    str_add_csv(s, z, ',', 0);
    str_adds(s, last ? "\r\n" : ",");
}

static int get_events(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    if (!(req->user.roles & WFP_ROLES_LOG))
        return ERR_DENIED;
    const char *fmt = http_query(req, "format");
    bool csv = fmt && strcmp(fmt, "csv") == 0;
    bool xes = fmt && strcmp(fmt, "xes") == 0;
    if (fmt && !csv && !xes && strcmp(fmt, "json") != 0)
        return ERR_INVALID;
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    json_t *list = json_array();
    struct str out;
    str_init(&out, WFP_MAX_LOG_BYTES);
    if (csv)
        str_adds(&out, "time,instance,case,event,activity,task,branch,actor\r\n");
    struct store_stmt *st;
    int n = 0;
    if (!list)
        rc = ERR_NOMEM;
    else if (!(rc = store_prepare(c, SQL_EVENTS, &st))) {
        rc = store_bind(st, "t", req->param[0]);
        while (!rc && n++ < WFP_MAX_EVENTS && (rc = store_step(st)) == STORE_ROW) {
            rc = 0;
            json_t *det = json_loads(store_col_text(st, 4), 0, NULL);
            const char *obj = store_col_text(st, 3);
            long long inst = 0;
            if (strncmp(obj, "instance:", 9) == 0)
                inst = strtoll(obj + 9, NULL, 10);
            const char *kase = json_string_value(json_object_get(det, "case"));
            const char *node = json_string_value(json_object_get(det, "node"));
            const char *flow = json_string_value(json_object_get(det, "flow"));
            json_int_t task = json_integer_value(json_object_get(det, "task"));
            if (csv) {
                char ib[32], tb[32];
                snprintf(ib, sizeof ib, "%lld", inst);
                snprintf(tb, sizeof tb, "%lld", (long long)task);
                csv_field(&out, store_col_text(st, 0), false);
                csv_field(&out, ib, false);
                csv_field(&out, kase ? kase : "", false);
                csv_field(&out, store_col_text(st, 2), false);
                csv_field(&out, node ? node : "", false);
                csv_field(&out, task ? tb : "", false);
                csv_field(&out, flow ? flow : "", false);
                csv_field(&out, store_col_text(st, 1), true);
                if (out.len + 1 >= WFP_MAX_LOG_BYTES)
                    rc = ERR_TOOBIG;
            } else {
                json_t *e = json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:s?, s:s}", "time",
                                      store_col_text(st, 0), "instance", (json_int_t)inst, "case",
                                      kase, "event", store_col_text(st, 2), "activity", node,
                                      "branch", flow, "actor", store_col_text(st, 1));
                if (e && task)
                    set(e, "task", json_integer(task));
                if (!e || json_array_append_new(list, e))
                    rc = ERR_NOMEM;
            }
            json_decref(det);
        }
        if (rc == STORE_DONE || rc == STORE_ROW)
            rc = 0;
        store_done(st);
    }
    store_put(app->store, c);
    if (!rc && csv) {
        resp->content_type = "text/csv; charset=utf-8";
        rc = str_add(&resp->body, out.buf, out.len);
    } else if (!rc && xes) {
        resp->content_type = "application/xml; charset=utf-8";
        rc = wf__xes(req->param[0], list, &resp->body);
    } else if (!rc) {
        json_t *o = json_pack("{s:s, s:O}", "process", req->param[0], "events", list);
        rc = o ? http_json(resp, 200, o) : ERR_NOMEM;
        json_decref(o);
    }
    json_decref(list);
    str_release(&out);
    return rc;
}

static const struct http_route wf_routes[] = {
    {"GET", "/aufgaben", get_tasks, HTTP_AUTH},
    {"GET", "/aufgaben/:id", get_task, HTTP_AUTH},
    {"POST", "/aufgaben/:id/uebernehmen", post_claim, HTTP_AUTH},
    {"POST", "/aufgaben/:id/zurueckgeben", post_unclaim, HTTP_AUTH},
    {"POST", "/aufgaben/:id/erledigen", post_complete, HTTP_AUTH},
    {"POST", "/aufgaben/:id/nachweise", post_evidence, HTTP_AUTH},
    {"GET", "/wiedervorlagen", get_resubmissions, HTTP_AUTH},
    {"GET", "/api/v1/processes/:process_id/events", get_events, HTTP_AUTH},
};

int wf_register(struct http_router *router)
{
    int rc = http_routes_add(router, wf_routes, sizeof wf_routes / sizeof wf_routes[0]);
    return rc ? rc : http_routes_add(router, wf__admin_routes, wf__admin_routes_count);
}
