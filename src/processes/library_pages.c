/* The staff pages of the process library: the register with search
 * (/prozesse), a process with its knowledge notes, models and attachments,
 * the forms to create and edit, the BPMN viewer and modeler (bpmn-js from
 * npm, embedded and served by rathaus; without JavaScript the viewer shows
 * the steps as a list), model upload and download, and deployment. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/form.h"
#include "processes.h"
#include "web/web.h"
#include "workflow/bpmn.h"

#define PAGES_MAX_QUERY 500 /* bytes of the search box */

static const char *const STATUS_LABEL[4] = {"erfasst", "modelliert", "optimiert", "digitalisiert"};

/* The trimmed form field name, "" when absent (arena). */
static const char *field(struct http_req *req, const char *name)
{
    const char *z = form_get(&req->form, name);
    if (!z)
        return "";
    while (*z == ' ' || *z == '\t' || *z == '\r' || *z == '\n')
        z++;
    size_t n = strlen(z);
    while (n && (z[n - 1] == ' ' || z[n - 1] == '\t' || z[n - 1] == '\r' || z[n - 1] == '\n'))
        n--;
    const char *r = arena_strndup(req->arena, z, n);
    return r ? r : "";
}

static const char *query(struct http_req *req, const char *name)
{
    const char *z = http_query(req, name);
    return z ? z : "";
}

/* "/prozesse/<key><tail>", with n > 0 followed by "<n><tail2>" (arena). */
static const char *href(struct http_req *req, const char *key, const char *tail, long n,
                        const char *tail2)
{
    char buf[512];
    int k = n > 0 ? snprintf(buf, sizeof buf, "/prozesse/%s%s%ld%s", key, tail, n, tail2)
                  : snprintf(buf, sizeof buf, "/prozesse/%s%s", key, tail);
    return k > 0 && (size_t)k < sizeof buf ? arena_strndup(req->arena, buf, (size_t)k) : NULL;
}

/* Options of the status select, the current one marked. */
static json_t *status_options(const char *current)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < 4; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", proc_statuses[i], "label",
                                           STATUS_LABEL[i], "selected",
                                           current && strcmp(current, proc_statuses[i]) == 0));
    return a;
}

/* Options of the office select from the units table. */
static int unit_options(struct http_req *req, int selected, json_t **ret)
{
    struct app *app = req->app;
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    json_t *a = json_array();
    struct store_stmt *st;
    if (!(rc = store_prepare(c, "SELECT nr, name FROM units ORDER BY nr", &st))) {
        while ((rc = store_step(st)) == STORE_ROW) {
            char label[300];
            snprintf(label, sizeof label, "%02d %s", (int)store_col_int(st, 0),
                     store_col_text(st, 1));
            json_array_append_new(a, json_pack("{s:I, s:s, s:b}", "value",
                                               (json_int_t)store_col_int(st, 0), "label", label,
                                               "selected", store_col_int(st, 0) == selected));
        }
        store_done(st);
    }
    store_put(app->store, c);
    if (rc || !a) {
        json_decref(a);
        return rc ? rc : ERR_NOMEM;
    }
    *ret = a;
    return 0;
}

static bool may_create(const struct http_req *req)
{
    return (req->user.roles & (WEB_ROLE_ADMIN | WEB_ROLE_HEAD)) != 0;
}

/* ---- /prozesse: the register ------------------------------------------ */

static int get_list(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const char *q = query(req, "q"), *status = query(req, "status");
    long unit = 0;
    const char *amt = query(req, "amt");
    if (*amt && str_to_long(amt, 1, 9999, &unit) != 0)
        unit = 0;
    int st = 200;
    json_t *list = NULL;
    const char *problem = NULL;
    if (strlen(q) > PAGES_MAX_QUERY) {
        problem = "Der Suchbegriff ist zu lang (höchstens 500 Zeichen).";
        st = 400;
        q = "";
    }
    bool known = !*status;
    for (size_t i = 0; i < 4; i++)
        known |= strcmp(status, proc_statuses[i]) == 0;
    if (!known)
        status = "";
    int rc = proc_list(app->store, q, status, (int)unit, &list);
    if (rc)
        return rc;
    json_t *units = NULL;
    if ((rc = unit_options(req, (int)unit, &units))) {
        json_decref(list);
        return rc;
    }
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p)
    {
        const char *key = json_string_value(json_object_get(p, "key"));
        json_object_set_new(p, "href", json_string(href(req, key, "", 0, "")));
    }
    json_t *d =
        json_pack("{s:s, s:o, s:I, s:s, s:o, s:o, s:b, s:b, s:s?}", "title", "Prozessbibliothek",
                  "prozesse", list, "anzahl", (json_int_t)json_array_size(list), "q", q,
                  "status_optionen", status_options(status), "aemter", units, "suche", *q != 0,
                  "darf_anlegen", may_create(req), "problem", problem);
    return web_page_status(req, resp, st, "processes/liste.html", d);
}

/* ---- create and edit ---------------------------------------------------- */

/* The edit form: v (stolen) holds values (and errors); neu says create. */
static int edit_page(struct http_req *req, struct http_resp *resp, int status, json_t *v, bool neu)
{
    json_int_t unit = json_integer_value(json_object_get(v, "office"));
    json_t *units = NULL;
    int rc = unit_options(req, (int)unit, &units);
    if (rc) {
        json_decref(v);
        return rc;
    }
    json_object_set_new(v, "aemter", units);
    json_object_set_new(
        v, "status_optionen",
        status_options(json_string_value(json_object_get(v, "status")) ?: "erfasst"));
    json_object_set_new(v, "neu", json_boolean(neu));
    json_object_set_new(v, "title", json_string(neu ? "Prozess erfassen" : "Prozess bearbeiten"));
    const char *key = json_string_value(json_object_get(v, "key"));
    json_object_set_new(v, "action", json_string(neu ? "/prozesse" : href(req, key, "", 0, "")));
    return web_page_status(req, resp, status, "processes/bearbeiten.html", v);
}

static int get_new(struct http_req *req, struct http_resp *resp)
{
    if (!may_create(req))
        return ERR_DENIED;
    json_t *v = json_pack("{s:i, s:s}", "office", req->user.unit_nr, "status", "erfasst");
    return v ? edit_page(req, resp, 200, v, true) : ERR_NOMEM;
}

static int get_edit(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *p = NULL;
    int rc = proc_get(app->store, req->param[0], &p);
    if (rc)
        return rc;
    struct rec_actor a = rec_actor_of(&req->user);
    if (!proc_may_edit(&a, (int)json_integer_value(json_object_get(p, "office")))) {
        json_decref(p);
        return ERR_DENIED;
    }
    return edit_page(req, resp, 200, p, false);
}

static void add_error(json_t *o, const char *field_id, const char *msg)
{
    json_t *l = json_object_get(o, "fehler_liste");
    if (!l) {
        l = json_array();
        json_object_set_new(o, "fehler_liste", l);
    }
    if (l)
        json_array_append_new(l, json_pack("{s:s, s:s}", "id", field_id, "text", msg));
    json_object_set_new(o, "hat_fehler", json_true());
}

/* Saves the form: key from the path (edit) or the form (create). */
static int save(struct http_req *req, struct http_resp *resp, const char *key, bool neu)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    long unit = 0;
    const char *amt = field(req, "amt");
    bool unit_ok = str_to_long(amt, 1, 9999, &unit) == 0;
    struct proc_entry e = {
        .key = key,
        .name = field(req, "name"),
        .unit_nr = (int)unit,
        .leika = field(req, "leika"),
        .service_key = field(req, "leistung"),
        .owner_role = field(req, "verantwortlich"),
        .status = field(req, "status"),
        .legal_basis = field(req, "rechtsgrundlage"),
        .description = field(req, "beschreibung"),
        .checklist = field(req, "checkliste"),
        .responsibilities = field(req, "zustaendigkeiten"),
        .deputies = field(req, "vertretung"),
        .pitfalls = field(req, "stolpersteine"),
    };
    json_t *v = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                          "key", key, "name", e.name, "office", (json_int_t)unit, "leika", e.leika,
                          "service_key", e.service_key, "owner_role", e.owner_role, "status",
                          e.status, "legal_basis", e.legal_basis, "description", e.description,
                          "checklist_text", e.checklist, "responsibilities", e.responsibilities,
                          "deputies", e.deputies, "pitfalls", e.pitfalls);
    if (!v)
        return ERR_NOMEM;
    if (!unit_ok) {
        add_error(v, "p-amt", "Bitte wählen Sie das zuständige Amt.");
        return edit_page(req, resp, 400, v, neu);
    }
    if (neu && (strcmp(key, "neu") == 0 || strcmp(key, "analyse") == 0)) {
        add_error(v, "p-key", "Dieses Kürzel ist reserviert; bitte wählen Sie ein anderes.");
        return edit_page(req, resp, 400, v, neu);
    }
    if (neu) {
        json_t *old = NULL;
        if (proc_get(app->store, key, &old) == 0) {
            json_decref(old);
            add_error(v, "p-key", "Ein Prozess mit diesem Kürzel ist schon erfasst.");
            return edit_page(req, resp, 400, v, neu);
        }
    }
    struct str why;
    str_init(&why, 1024);
    int rc = proc_save(app->store, &a, &e, &why);
    if (rc == ERR_INVALID || rc == ERR_NOTFOUND) {
        add_error(v, strstr(why.buf, "Kürzel") ? "p-key" : "p-name",
                  why.len ? why.buf : "Die Angaben sind unvollständig.");
        str_release(&why);
        return edit_page(req, resp, 400, v, neu);
    }
    str_release(&why);
    json_decref(v);
    if (rc == ERR_DENIED && !neu)
        return ERR_DENIED;
    if (rc == ERR_DENIED) {
        json_t *w = json_pack("{s:s, s:s, s:i, s:s}", "key", key, "name", e.name, "office",
                              (int)unit, "status", e.status);
        if (!w)
            return ERR_NOMEM;
        add_error(w, "p-amt", "Sie können nur Prozesse Ihres eigenen Amtes erfassen.");
        return edit_page(req, resp, 403, w, neu);
    }
    if (rc)
        return rc;
    const char *to = href(req, key, "?gespeichert=1", 0, "");
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int post_new(struct http_req *req, struct http_resp *resp)
{
    if (!may_create(req))
        return ERR_DENIED;
    return save(req, resp, field(req, "key"), true);
}

static int post_edit(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *p = NULL;
    int rc = proc_get(app->store, req->param[0], &p);
    if (rc)
        return rc;
    json_decref(p);
    return save(req, resp, req->param[0], false);
}

/* ---- one process -------------------------------------------------------- */

static int process_page(struct http_req *req, struct http_resp *resp, int status, json_t *extra)
{
    struct app *app = req->app;
    json_t *p = NULL;
    int rc = proc_get(app->store, req->param[0], &p);
    if (rc) {
        json_decref(extra);
        return rc;
    }
    struct rec_actor a = rec_actor_of(&req->user);
    const char *key = json_string_value(json_object_get(p, "key"));
    json_object_set_new(p, "title", json_string(json_string_value(json_object_get(p, "name"))));
    json_object_set_new(
        p, "darf_bearbeiten",
        json_boolean(proc_may_edit(&a, (int)json_integer_value(json_object_get(p, "office")))));
    json_object_set_new(p, "darf_bereitstellen",
                        json_boolean((req->user.roles & WEB_ROLE_ADMIN) != 0 &&
                                     *json_string_value(json_object_get(p, "service_key"))));
    json_object_set_new(p, "basis", json_string(href(req, key, "", 0, "")));
    if (*query(req, "gespeichert"))
        json_object_set_new(p, "flash", json_string("Gespeichert."));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(p, "models"), i, m)
    {
        long v = (long)json_integer_value(json_object_get(m, "version"));
        json_object_set_new(m, "ansehen", json_string(href(req, key, "/modelle/", v, "")));
        json_object_set_new(m, "datei", json_string(href(req, key, "/modelle/", v, "/datei")));
        json_object_set_new(m, "bereitstellen",
                            json_string(href(req, key, "/modelle/", v, "/bereitstellen")));
    }
    json_array_foreach(json_object_get(p, "attachments"), i, m)
    {
        long id = (long)json_integer_value(json_object_get(m, "id"));
        json_object_set_new(m, "href", json_string(href(req, key, "/anlagen/", id, "")));
    }
    json_object_set_new(p, "hat_modell",
                        json_boolean(json_array_size(json_object_get(p, "models"))));
    if (extra) {
        json_object_update(p, extra);
        json_decref(extra);
    }
    return web_page_status(req, resp, status, "processes/prozess.html", p);
}

static int get_process(struct http_req *req, struct http_resp *resp)
{
    return process_page(req, resp, 200, NULL);
}

static int post_model(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const struct form_field *f = form_field(&req->form, "datei");
    const char *comment = field(req, "kommentar");
    bool from_modeler = *field(req, "modeler") != 0;
    json_t *x = NULL;
    if (!f || !f->is_file || f->size == 0) {
        x = json_pack("{s:s}", "modell_fehler", "Bitte wählen Sie eine BPMN-Datei (.bpmn) aus.");
        return x ? process_page(req, resp, 400, x) : ERR_NOMEM;
    }
    struct str xml, why;
    str_init(&xml, PROC_MAX_MODEL + 1);
    str_init(&why, 2048);
    int rc = form_field_read(f, PROC_MAX_MODEL, &xml);
    int version = 0;
    if (!rc)
        rc = proc_model_add(app->store, &a, req->param[0], xml.buf, xml.len, comment, &version,
                            &why);
    str_release(&xml);
    if (rc == ERR_INVALID || rc == ERR_TOOBIG) {
        const char *msg = rc == ERR_TOOBIG ? "Die Datei ist zu groß (höchstens 5 MiB)." : why.buf;
        if (from_modeler) {
            rc = http_json(resp, 400, json_pack("{s:s}", "error", msg));
            str_release(&why);
            return rc;
        }
        x = json_pack("{s:s}", "modell_fehler", msg);
        str_release(&why);
        return x ? process_page(req, resp, 400, x) : ERR_NOMEM;
    }
    str_release(&why);
    if (rc)
        return rc;
    if (from_modeler)
        return http_json(resp, 200,
                         json_pack("{s:i, s:s}", "version", version, "href",
                                   href(req, req->param[0], "/modelle/", version, "")));
    const char *to = href(req, req->param[0], "/modelle/", version, "");
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int version_of(struct http_req *req, long *ret)
{
    return str_to_long(req->param[1], 1, INT_MAX, ret) == 0 ? 0 : ERR_NOTFOUND;
}

static int get_model_file(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    long v;
    int rc = version_of(req, &v);
    if (rc)
        return rc;
    struct str xml;
    str_init(&xml, PROC_MAX_MODEL + 1);
    if ((rc = proc_model_read(app->store, req->param[0], (int)v, &xml, NULL))) {
        str_release(&xml);
        return rc;
    }
    char disp[200];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s-v%ld.bpmn\"", req->param[0], v);
    const char *dz = arena_strndup(req->arena, disp, strlen(disp));
    rc = dz ? http_resp_header(req, resp, "Content-Disposition",
                               *query(req, "anzeigen") ? "inline" : dz)
            : ERR_NOMEM;
    if (!rc)
        rc = str_add(&resp->body, xml.buf, xml.len);
    str_release(&xml);
    resp->content_type = "application/xml; charset=utf-8";
    return rc;
}

/* The German name of a BPMN element type for the text form of a model. */
static const char *type_label(const char *type)
{
    static const char *const map[][2] = {
        {"startEvent", "Start"},
        {"endEvent", "Ende"},
        {"userTask", "Aufgabe"},
        {"task", "Aufgabe"},
        {"manualTask", "Aufgabe (manuell)"},
        {"serviceTask", "automatischer Schritt"},
        {"scriptTask", "automatischer Schritt"},
        {"sendTask", "Nachricht senden"},
        {"receiveTask", "Nachricht empfangen"},
        {"exclusiveGateway", "Entscheidung"},
        {"parallelGateway", "parallele Verzweigung"},
        {"inclusiveGateway", "Verzweigung"},
        {"intermediateCatchEvent", "Zwischenereignis"},
        {"intermediateThrowEvent", "Zwischenereignis"},
        {"boundaryEvent", "Frist oder Ausnahme"},
        {"subProcess", "Teilprozess"},
        {"callActivity", "Aufruf"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(type, map[i][0]) == 0)
            return map[i][1];
    return type;
}

/* The steps of a model as text, per lane: what the viewer shows without
 * JavaScript and what a screen reader reads beside the diagram. */
static json_t *steps_of(const char *xml, size_t len)
{
    struct bpmn_model *m = NULL;
    if (bpmn_parse(xml, len, "Modell", &m, NULL))
        return NULL;
    json_t *out = json_array();
    for (const struct bpmn_process *p = m->processes; out && p; p = p->next) {
        json_t *steps = json_array();
        for (const struct bpmn_node *n = p->scope.nodes; steps && n; n = n->next) {
            if (!n->name || !*n->name)
                continue;
            json_array_append_new(
                steps, json_pack("{s:s, s:s}", "name", n->name, "type", type_label(n->type)));
        }
        json_array_append_new(out,
                              json_pack("{s:s, s:o}", "name", p->name && *p->name ? p->name : p->id,
                                        "schritte", steps ? steps : json_array()));
    }
    bpmn_free(m);
    return out;
}

/* The viewer (modeler = false) or the modeler page of a version. */
static int model_page(struct http_req *req, struct http_resp *resp, bool modeler)
{
    struct app *app = req->app;
    long v = 0;
    if (!modeler) {
        int rc = version_of(req, &v);
        if (rc)
            return rc;
    }
    json_t *p = NULL;
    int rc = proc_get(app->store, req->param[0], &p);
    if (rc)
        return rc;
    struct rec_actor a = rec_actor_of(&req->user);
    if (modeler && !proc_may_edit(&a, (int)json_integer_value(json_object_get(p, "office")))) {
        json_decref(p);
        return ERR_DENIED;
    }
    struct str xml;
    str_init(&xml, PROC_MAX_MODEL + 1);
    int have = 0;
    rc = proc_model_read(app->store, req->param[0], (int)v, &xml, &have);
    if (rc && !(modeler && rc == ERR_NOTFOUND)) {
        str_release(&xml);
        json_decref(p);
        return rc;
    }
    json_t *steps = rc ? json_array() : steps_of(xml.buf, xml.len);
    str_release(&xml);
    const char *key = req->param[0];
    char title[300];
    snprintf(title, sizeof title, "%s: %s", modeler ? "Modellieren" : "Modell",
             json_string_value(json_object_get(p, "name")));
    json_t *d = json_pack(
        "{s:s, s:O, s:s, s:s?, s:s, s:s, s:i, s:o?, s:b, s:s?}", "title", title, "prozess", p,
        "basis", href(req, key, "", 0, ""), "datei",
        have ? href(req, key, "/modelle/", have, "/datei?anzeigen=1") : NULL, "speichern",
        href(req, key, "/modelle", 0, ""), "modellieren", href(req, key, "/modellieren", 0, ""),
        "version", have, "ablauf", steps, "darf_bearbeiten",
        proc_may_edit(&a, (int)json_integer_value(json_object_get(p, "office"))), "leer",
        have ? NULL : "Noch kein Modell: der Modellierer beginnt mit einem leeren Diagramm.");
    json_decref(p);
    if (!d)
        return ERR_NOMEM;
    json_t *styles = json_pack("[s, s, s]", "/static/vendor/bpmn-js/dist/assets/diagram-js.css",
                               "/static/vendor/bpmn-js/dist/assets/bpmn-js.css",
                               "/static/vendor/bpmn-js/dist/assets/bpmn-font/css/bpmn.css");
    json_t *scripts =
        json_pack("[s, s]",
                  modeler ? "/static/vendor/bpmn-js/dist/bpmn-modeler.production.min.js"
                          : "/static/vendor/bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
                  "/static/js/bpmn-seite.js");
    json_object_set_new(d, "styles", styles);
    json_object_set_new(d, "scripts", scripts);
    return web_page_status(req, resp, 200,
                           modeler ? "processes/modellieren.html" : "processes/modell.html", d);
}

static int get_model(struct http_req *req, struct http_resp *resp)
{
    return model_page(req, resp, false);
}

static int get_modeler(struct http_req *req, struct http_resp *resp)
{
    return model_page(req, resp, true);
}

static int post_deploy(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    long v;
    int rc = version_of(req, &v);
    if (rc)
        return rc;
    json_t *problems = NULL;
    struct str why;
    str_init(&why, 2048);
    rc = proc_model_deploy(app->store, &a, req->param[0], (int)v, &problems, &why);
    if (rc == ERR_INVALID) {
        json_t *x = json_pack("{s:s, s:o?, s:i}", "bereitstellen_fehler",
                              why.len ? why.buf : "Das Modell kann nicht ausgeführt werden.",
                              "probleme", problems, "bereitstellen_version", (int)v);
        str_release(&why);
        return x ? process_page(req, resp, 400, x) : ERR_NOMEM;
    }
    json_decref(problems);
    str_release(&why);
    if (rc)
        return rc;
    json_t *x = json_pack("{s:s}", "flash",
                          "Das Modell ist bereitgestellt: neue Anträge der Leistung laufen nach "
                          "dieser Version.");
    return x ? process_page(req, resp, 200, x) : ERR_NOMEM;
}

static int post_attachment(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const struct form_field *f = form_field(&req->form, "datei");
    json_t *x = NULL;
    if (!f || !f->is_file || f->size == 0) {
        x = json_pack("{s:s}", "anlage_fehler", "Bitte wählen Sie eine Datei aus.");
        return x ? process_page(req, resp, 400, x) : ERR_NOMEM;
    }
    if (f->size > PROC_MAX_ATTACHMENT) {
        x = json_pack("{s:s}", "anlage_fehler", "Die Datei ist zu groß (höchstens 20 MiB).");
        return x ? process_page(req, resp, 413, x) : ERR_NOMEM;
    }
    const char *name = f->filename && *f->filename ? f->filename : "anlage";
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    int rc = proc_attach(app->store, &a, req->param[0], f->tmp_path, f->value, f->value_len,
                         *base ? base : "anlage", NULL);
    if (rc == ERR_MEDIATYPE || rc == ERR_INVALID) {
        x = json_pack("{s:s}", "anlage_fehler",
                      rc == ERR_MEDIATYPE
                          ? "Diese Dateiart ist nicht erlaubt (Programme und Skripte werden "
                            "abgelehnt)."
                          : "Der Dateiname ist ungültig.");
        return x ? process_page(req, resp, rc == ERR_MEDIATYPE ? 415 : 400, x) : ERR_NOMEM;
    }
    if (rc)
        return rc;
    const char *to = href(req, req->param[0], "?gespeichert=1", 0, "");
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int get_attachment(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    long id;
    if (str_to_long(req->param[1], 1, LONG_MAX, &id) != 0)
        return ERR_NOTFOUND;
    struct str path;
    str_init(&path, 4200);
    json_t *meta = NULL;
    int rc = proc_attachment_open(app->store, req->param[0], id, &path, &meta);
    if (rc) {
        str_release(&path);
        return rc;
    }
    char disp[400];
    size_t k = (size_t)snprintf(disp, sizeof disp, "attachment; filename=\"");
    for (const unsigned char *p =
             (const unsigned char *)json_string_value(json_object_get(meta, "filename"));
         *p && k + 3 < sizeof disp; p++)
        disp[k++] = (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' || *p == ';' || *p == '%')
                        ? '_'
                        : (char)*p;
    disp[k++] = '"';
    disp[k] = 0;
    int fd = open(path.buf, O_RDONLY | O_CLOEXEC);
    str_release(&path);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        json_decref(meta);
        return ERR_IO;
    }
    const char *dz = arena_strndup(req->arena, disp, k);
    const char *type = arena_strndup(req->arena, json_string_value(json_object_get(meta, "mime")),
                                     strlen(json_string_value(json_object_get(meta, "mime"))));
    json_decref(meta);
    if (!dz || !type || (rc = http_resp_header(req, resp, "Content-Disposition", dz))) {
        close(fd);
        return rc ? rc : ERR_NOMEM;
    }
    resp->content_type = type;
    resp->fd = fd;
    resp->fd_size = (uint64_t)st.st_size;
    return 0;
}

static const struct http_route proc_routes[] = {
    {"GET", "/prozesse", get_list, HTTP_AUTH},
    {"POST", "/prozesse", post_new, HTTP_AUTH},
    {"GET", "/prozesse/neu", get_new, HTTP_AUTH},
    {"GET", "/prozesse/:key", get_process, HTTP_AUTH},
    {"POST", "/prozesse/:key", post_edit, HTTP_AUTH},
    {"GET", "/prozesse/:key/bearbeiten", get_edit, HTTP_AUTH},
    {"GET", "/prozesse/:key/modellieren", get_modeler, HTTP_AUTH},
    {"POST", "/prozesse/:key/modelle", post_model, HTTP_AUTH | HTTP_UPLOAD},
    {"GET", "/prozesse/:key/modelle/:v", get_model, HTTP_AUTH},
    {"GET", "/prozesse/:key/modelle/:v/datei", get_model_file, HTTP_AUTH},
    {"POST", "/prozesse/:key/modelle/:v/bereitstellen", post_deploy, HTTP_AUTH},
    {"POST", "/prozesse/:key/anlagen", post_attachment, HTTP_AUTH | HTTP_UPLOAD},
    {"GET", "/prozesse/:key/anlagen/:id", get_attachment, HTTP_AUTH},
};

int proc_register(struct http_router *r)
{
    return http_routes_add(r, proc_routes, sizeof proc_routes / sizeof proc_routes[0]);
}
