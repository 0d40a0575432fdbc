/* The admin page of the workflow, /admin/prozesse: the deployed services
 * with their model and version, and the upload of a BPMN model for a service
 * key. A refused model shows every element id with its German reason, and
 * nothing is stored (wf_deploy checks before it writes). */
#include <stdio.h>
#include <string.h>

#include "deploy.h"
#include "http/http.h"
#include "web/web.h"
#include "workflow_int.h"

/* Renders the page with status; fehler (may be NULL), problems (borrowed,
 * may be NULL) and the service key typed in. */
static int page(struct http_req *req, struct http_resp *resp, int status, const char *fehler,
                const json_t *problems, const char *service)
{
    struct app *app = req->app;
    json_t *list = NULL;
    int rc = wf_deployments(app->store, &list);
    if (rc)
        return rc;
    const char *flash = NULL;
    if (http_query(req, "bereitgestellt"))
        flash = "Das Modell wurde bereitgestellt.";
    json_t *d = json_pack(
        "{s:s, s:o, s:s?, s:O?, s:b, s:s, s:s?}", "title", fehler ? "Fehler: Abläufe" : "Abläufe",
        "bereitstellungen", list, "fehler", fehler, "probleme", problems, "hat_probleme",
        json_array_size(problems) > 0, "leistung", service ? service : "", "flash", flash);
    if (!d)
        return ERR_NOMEM;
    rc = web_page(req, resp, "workflow/prozesse.html", d);
    if (!rc)
        resp->status = status;
    return rc;
}

static int get_processes(struct http_req *req, struct http_resp *resp)
{
    int rc = web_require(req, WEB_ROLE_ADMIN);
    return rc ? rc : page(req, resp, 200, NULL, NULL, NULL);
}

static int post_processes(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = web_require(req, WEB_ROLE_ADMIN);
    if (rc)
        return rc;
    const char *service = form_get(&req->form, "leistung");
    const struct form_field *f = form_field(&req->form, "modell");
    if (!service || !*service)
        return page(req, resp, 400, "Bitte einen Leistungsschlüssel angeben.", NULL, service);
    if (strlen(service) >= WF_MAX_SERVICE_KEY)
        return page(req, resp, 400, "Der Leistungsschlüssel ist zu lang (höchstens 63 Zeichen).",
                    NULL, service);
    if (!f || !f->is_file || !f->size)
        return page(req, resp, 400, "Bitte eine BPMN-Datei (.bpmn) auswählen.", NULL, service);
    struct str data, err;
    str_init(&data, BPMN_MAX_BYTES);
    str_init(&err, 4096);
    json_t *problems = NULL;
    struct wf_deployment dep;
    rc = form_field_read(f, BPMN_MAX_BYTES, &data);
    const char *name = f->filename && *f->filename ? f->filename : "modell.bpmn";
    if (rc == ERR_TOOBIG) {
        rc = page(req, resp, 413, "Die Datei ist zu groß (höchstens 16 MB).", NULL, service);
        goto done;
    }
    if (!rc)
        rc = wf_deploy(app->store, req->user.login, data.buf, data.len, name, service, &dep,
                       &problems, &err);
    if (rc == ERR_INVALID || rc == ERR_TOOBIG) {
        const char *msg = problems  ? "Das Modell kann so nicht ausgeführt werden; nichts wurde "
                                      "gespeichert. Folgende Elemente sind betroffen:"
                          : err.len ? err.buf
                                    : "Die Datei ist kein lesbares BPMN-2.0-Modell.";
        rc = page(req, resp, 422, msg, problems, service);
        goto done;
    }
    if (!rc)
        rc = http_redirect(req, resp, "/admin/prozesse?bereitgestellt=1");
done:
    json_decref(problems);
    str_release(&data);
    str_release(&err);
    return rc;
}

const struct http_route wf__admin_routes[] = {
    {"GET", "/admin/prozesse", get_processes, HTTP_AUTH},
    {"POST", "/admin/prozesse", post_processes, HTTP_AUTH | HTTP_UPLOAD},
};
const size_t wf__admin_routes_count = sizeof wf__admin_routes / sizeof wf__admin_routes[0];
