/* What the applicant sees after sending: the receipt (page and PDF with a
 * QR code of the status link) and the status page behind the capability URL
 * /status/<token>: the state in plain words from the workflow instance, the
 * history, the office's messages, the notice (the case's outgoing
 * documents) to download — every download journaled as a read by the
 * E-Akte — and the upload of evidence the office asked for, filed into the
 * same case. Only the token's hash is stored. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/rtime.h"
#include "portal_int.h"
#include "view/pdf.h"
#include "web/web.h"
#include "workflow/engine.h"
#include "workflow/messages.h"

#define STATUS_READER "antragsteller" /* journal actor of the applicant's reads */

static const char MSG_MEDIATYPE[] =
    "Dieser Dateityp wird nicht angenommen: Programme und Skripte können nicht hochgeladen "
    "werden. Bitte wählen Sie z. B. ein PDF oder ein Foto.";

/* The submission behind a status token. */
struct sub {
    int64_t id;                       /* submissions.id */
    int64_t case_id;                  /* cases.id */
    char service[64];                 /* slug */
    char case_ref[REC_REF_MAX];       /* Vorgang */
    char created[32];                 /* date */
    json_t *documents;                /* [{title, filename, version}] received */
    const struct portal_service *svc; /* from the catalogue, may be NULL */
};

static int sub_load(struct http_req *req, struct sub *ret)
{
    struct app *app = req->app;
    const char *tok = req->param[0];
    if (!tok || strlen(tok) >= PORTAL_TOKEN_LEN + 8)
        return ERR_NOTFOUND;
    char hash[PORTAL_HASH_LEN];
    portal_hash("status:", tok, hash);
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    memset(ret, 0, sizeof *ret);
    rc = store_prepare(c,
                       "SELECT id, case_id, service, case_ref, created_at, documents"
                       " FROM submissions WHERE status_token_hash = ?",
                       &st);
    if (!rc) {
        rc = store_bind(st, "t", hash);
        if (!rc && (rc = store_step(st)) == STORE_ROW) {
            ret->id = store_col_int(st, 0);
            ret->case_id = store_col_int(st, 1);
            snprintf(ret->service, sizeof ret->service, "%s", store_col_text(st, 2));
            snprintf(ret->case_ref, sizeof ret->case_ref, "%s", store_col_text(st, 3));
            snprintf(ret->created, sizeof ret->created, "%s", store_col_text(st, 4));
            ret->documents = json_loads(store_col_text(st, 5), 0, NULL);
            rc = 0;
        } else if (rc == STORE_DONE) {
            rc = ERR_NOTFOUND;
        }
        store_done(st);
    }
    store_put(app->store, c);
    if (!rc && !ret->documents)
        rc = ERR_NOMEM;
    if (!rc)
        ret->svc = portal_service_find(portal_cat, ret->service);
    return rc;
}

static void sub_release(struct sub *s)
{
    json_decref(s->documents);
}

/* "12.03.2026" from "2026-03-12". */
static void date_de(const char *iso, char out[16])
{
    if (strlen(iso) >= 10)
        snprintf(out, 16, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
    else
        snprintf(out, 16, "%s", iso);
}

/* The absolute status link of this request's host. */
static const char *status_url(struct http_req *req, const char *token)
{
    const char *host = http_header(req, "Host");
    if (!host || !*host || strpbrk(host, " \"<>\\"))
        host = "localhost";
    return arena_printf(req->arena, "%s://%s/status/%s", req->secure ? "https" : "http", host,
                        token);
}

static json_t *receipt_data(struct http_req *req, const struct sub *s)
{
    char d[16];
    date_de(s->created, d);
    json_t *o = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s}", "title", "Antrag eingegangen",
                          "case_ref", s->case_ref, "date", d, "documents", s->documents, "token",
                          req->param[0], "status_url", status_url(req, req->param[0]));
    if (o)
        json_object_set_new(o, "service", json_string(s->svc ? s->svc->name : s->service));
    return o;
}

static int get_receipt(struct http_req *req, struct http_resp *resp)
{
    struct sub s;
    int rc = sub_load(req, &s);
    if (rc)
        return rc;
    json_t *d = receipt_data(req, &s);
    rc = d ? web_page(req, resp, "portal/eingang.html", d) : ERR_NOMEM;
    sub_release(&s);
    return rc;
}

static int get_receipt_pdf(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct sub s;
    int rc = sub_load(req, &s);
    if (rc)
        return rc;
    struct pdf_doc *doc = NULL;
    char d[16], letter[300];
    date_de(s.created, d);
    snprintf(letter, sizeof letter, "%s · Eingangsbestätigung", app->city);
    const char *url = status_url(req, req->param[0]);
    rc = pdf_new("Eingangsbestätigung", letter, 0, &doc);
    if (!rc)
        rc = pdf_heading(doc, 1, "Eingangsbestätigung");
    if (!rc)
        rc = pdf_para(doc, "Ihr Antrag ist bei uns eingegangen. Sie müssen nichts weiter "
                           "tun; wir melden uns, wenn wir etwas von Ihnen brauchen.");
    if (!rc)
        rc = pdf_field(doc, "Leistung", s.svc ? s.svc->name : s.service);
    if (!rc)
        rc = pdf_field(doc, "Aktenzeichen", s.case_ref);
    if (!rc)
        rc = pdf_field(doc, "Eingang am", d);
    if (!rc)
        rc = pdf_heading(doc, 2, "Eingegangene Unterlagen");
    size_t i;
    json_t *v;
    json_array_foreach(s.documents, i, v)
    {
        if (!rc)
            rc = pdf_item(doc, json_string_value(json_object_get(v, "filename")));
    }
    if (!rc)
        rc = pdf_qr(doc, url, "Stand Ihres Antrags: diesen Code scannen oder den Link öffnen");
    if (!rc)
        rc = pdf_para(doc, url);
    if (!rc)
        rc = pdf_render(doc, &resp->body);
    pdf_free(doc);
    sub_release(&s);
    if (rc)
        return rc;
    resp->content_type = "application/pdf";
    return http_resp_header(req, resp, "Content-Disposition",
                            "inline; filename=\"eingangsbestaetigung.pdf\"");
}

/* The newest workflow instance of the case: its id, or 0. */
static int instance_of(struct store *st, const char *case_ref, int64_t *ret)
{
    struct store_conn *c;
    int rc = store_get(st, &c);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = store_query_int(c, &id, "SELECT MAX(id) FROM instances WHERE case_ref = ?", "t", case_ref);
    store_put(st, c);
    if (rc == ERR_NOTFOUND)
        rc = 0;
    if (!rc)
        *ret = id;
    return rc;
}

/* Builds the status page's data: state, history, notice documents. */
static int status_data(struct http_req *req, const struct sub *s, json_t **ret)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_system(STATUS_READER);
    json_t *cs = NULL, *inst = NULL;
    int rc = rec_case_get(app->store, &a, s->case_ref, &cs);
    if (rc)
        return rc;
    int64_t iid = 0;
    if ((rc = instance_of(app->store, s->case_ref, &iid)))
        goto done;
    if (iid && (rc = wf_instance_get(app->store, iid, &inst)))
        goto done;
    char d[16];
    date_de(s->created, d);
    json_t *o = receipt_data(req, s);
    json_t *history = json_array(), *notices = json_array(), *waiting = json_array();
    if (!o || !history || !notices || !waiting) {
        json_decref(o);
        json_decref(history);
        json_decref(notices);
        json_decref(waiting);
        rc = ERR_NOMEM;
        goto done;
    }
    json_object_set_new(o, "title", json_string("Stand Ihres Antrags"));
    json_array_append_new(history,
                          json_pack("{s:s, s:s}", "what", "Antrag online eingegangen", "when", d));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(inst, "tasks"), i, t)
    {
        const char *state = json_string_value(json_object_get(t, "state"));
        const char *name = json_string_value(json_object_get(t, "name"));
        if (!name || !*name)
            name = "Bearbeitung";
        if (state && strcmp(state, "open") == 0)
            json_array_append_new(waiting,
                                  json_pack("{s:s, s:I}", "name", name, "unit",
                                            json_integer_value(json_object_get(t, "unit"))));
        else if (state && strcmp(state, "done") == 0)
            json_array_append_new(history,
                                  json_pack("{s:s, s:s}", "what", name, "when", "erledigt"));
    }
    const char *cstatus = json_string_value(json_object_get(cs, "status"));
    const char *istate = json_string_value(json_object_get(inst, "state"));
    const char *plain;
    if (cstatus && strcmp(cstatus, "open") != 0)
        plain = "Ihr Antrag ist abschließend bearbeitet.";
    else if (istate && strcmp(istate, "running") != 0)
        plain = "Die Bearbeitung ist abgeschlossen.";
    else if (json_array_size(waiting))
        plain = "Ihr Antrag wird bearbeitet.";
    else
        plain = "Ihr Antrag ist eingegangen und wartet auf die Bearbeitung.";
    json_object_set_new(o, "plain", json_string(plain));
    json_object_set_new(o, "waiting", waiting);
    json_object_set_new(o, "history", history);
    json_array_foreach(json_object_get(cs, "documents"), i, t)
    {
        const char *dir = json_string_value(json_object_get(t, "direction"));
        json_t *versions = json_object_get(t, "versions");
        json_t *last = json_array_get(versions, json_array_size(versions) - 1);
        if (!dir || strcmp(dir, "out") != 0 || !last ||
            !json_is_true(json_object_get(last, "available")))
            continue;
        json_array_append_new(
            notices, json_pack("{s:O, s:O, s:O, s:O}", "title", json_object_get(t, "title"),
                               "filename", json_object_get(last, "filename"), "version",
                               json_object_get(last, "id"), "dated", json_object_get(t, "dated")));
    }
    json_object_set_new(o, "has_notices", json_boolean(json_array_size(notices) > 0));
    json_object_set_new(o, "notices", notices);
    json_object_set_new(o, "open", json_boolean(cstatus && strcmp(cstatus, "open") == 0));
    json_object_set_new(o, "case_status", json_string(cstatus ? cstatus : ""));
    *ret = o;
done:
    json_decref(cs);
    json_decref(inst);
    return rc;
}

/* Adds the office's messages (wf_messages) and whether evidence was asked
 * for: the upload form shows once a message of kind "evidence" exists. */
static int add_messages(struct http_req *req, const struct sub *s, json_t *o)
{
    struct app *app = req->app;
    json_t *msgs = NULL, *out = json_array();
    if (!out)
        return ERR_NOMEM;
    int rc = wf_messages(app->store, s->case_ref, &msgs);
    bool asked = false;
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m)
    {
        const char *at = json_string_value(json_object_get(m, "at"));
        const char *kind = json_string_value(json_object_get(m, "kind"));
        bool ev = kind && strcmp(kind, "evidence") == 0;
        char d[16];
        date_de(at ? at : "", d);
        asked = asked || ev;
        json_array_append_new(out, json_pack("{s:s, s:O, s:b}", "at", d, "text",
                                             json_object_get(m, "text"), "evidence", ev));
    }
    json_decref(msgs);
    json_object_set_new(o, "messages", out);
    json_object_set_new(o, "evidence_asked", json_boolean(asked));
    return rc;
}

static int status_page(struct http_req *req, struct http_resp *resp, json_t *extra, int status)
{
    struct sub s;
    int rc = sub_load(req, &s);
    if (rc) {
        json_decref(extra);
        return rc;
    }
    json_t *o = NULL;
    rc = status_data(req, &s, &o);
    if (!rc)
        rc = add_messages(req, &s, o);
    if (!rc && extra)
        json_object_update(o, extra);
    if (!rc) {
        rc = web_page(req, resp, "portal/status.html", o);
        o = NULL;
        if (!rc)
            resp->status = status;
    }
    json_decref(o);
    json_decref(extra);
    sub_release(&s);
    return rc;
}

static int get_status(struct http_req *req, struct http_resp *resp)
{
    json_t *extra = NULL;
    if (http_query(req, "nachweis"))
        extra = json_pack("{s:s}", "flash", "Vielen Dank, Ihr Nachweis ist eingegangen.");
    return status_page(req, resp, extra, 200);
}

static int get_document(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    long vid;
    if (str_to_long(req->param[1], 1, 1L << 50, &vid) != 0)
        return ERR_NOTFOUND;
    struct sub s;
    int rc = sub_load(req, &s);
    if (rc)
        return rc;
    json_t *o = NULL;
    rc = status_data(req, &s, &o);
    bool ok = false;
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(o, "notices"), i, n)
    {
        if (json_integer_value(json_object_get(n, "version")) == vid)
            ok = true;
    }
    json_decref(o);
    sub_release(&s);
    if (rc)
        return rc;
    if (!ok)
        return ERR_NOTFOUND;
    struct rec_actor a = rec_actor_system(STATUS_READER);
    struct rec_version_file vf;
    if ((rc = rec_version_open(app->store, &a, vid, true, &vf)))
        return rc;
    int fd = open(vf.path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return ERR_IO;
    }
    /* the stored name made safe for the header: ASCII only */
    char name[300];
    size_t k = 0;
    for (const char *p = vf.filename; *p && k + 1 < sizeof name; p++)
        name[k++] = (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '/') ? *p : '_';
    name[k] = '\0';
    const char *disp =
        arena_printf(req->arena, "attachment; filename=\"%s\"", k ? name : "bescheid");
    if (!disp || (rc = http_resp_header(req, resp, "Content-Disposition", disp))) {
        close(fd);
        return rc ? rc : ERR_NOMEM;
    }
    resp->content_type =
        strcmp(vf.mime, "application/pdf") == 0 ? "application/pdf" : "application/octet-stream";
    resp->fd = fd;
    resp->fd_size = (uint64_t)st.st_size;
    return 0;
}

static int post_evidence(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct sub s;
    int rc = sub_load(req, &s);
    if (rc)
        return rc;
    const struct form_field *f = form_field(&req->form, "datei");
    const char *err = NULL;
    struct rec_content content = {0};
    const char *mime;
    if (!f || !f->is_file || f->size == 0)
        err = "Bitte wählen Sie eine Datei aus.";
    else if (f->size > PORTAL_MAX_UPLOAD)
        err = "Die Datei ist zu groß (höchstens 20 MB).";
    else {
        content.path = f->tmp_path;
        content.data = f->tmp_path ? NULL : f->value;
        content.len = f->tmp_path ? 0 : f->value_len;
        content.filename = *f->filename ? f->filename : "nachweis";
        rc = rec_content_type(&content, &mime);
        if (rc == ERR_MEDIATYPE || rc == ERR_INVALID) {
            err = MSG_MEDIATYPE;
            rc = 0;
        }
    }
    if (!rc && !err && portal_rate_check(req->remote ? req->remote : ""))
        err = "Von Ihrem Anschluss kamen in der letzten Stunde zu viele Sendungen. Bitte "
              "versuchen Sie es später noch einmal.";
    if (rc || err) {
        sub_release(&s);
        if (rc)
            return rc;
        json_t *extra = json_pack("{s:s, s:b}", "upload_error", err, "upload_invalid", 1);
        return status_page(req, resp, extra, 400);
    }
    /* one transaction: document and version together */
    struct rec_actor a = rec_actor_system(PORTAL_ACTOR);
    struct store_conn *c;
    char today[32];
    rtime_iso_utc(rtime_now(), today, sizeof today);
    today[10] = '\0';
    const char *title = arena_printf(req->arena, "Nachweis: %s", content.filename);
    struct rec_doc_new dn = {title ? title : "Nachweis", "in", today, NULL};
    int64_t doc_id, vid;
    if ((rc = store_get(app->store, &c)))
        goto done;
    if (!(rc = store_begin(c, true))) {
        rc = rec_doc_create(app->store, &a, s.case_ref, &dn, &doc_id);
        if (!rc)
            rc = rec_version_add(app->store, &a, doc_id, &content, &vid, NULL);
        rc = rc ? (store_rollback(c), rc) : store_commit(c);
    }
    store_put(app->store, c);
    if (rc == ERR_EXISTS) {
        sub_release(&s);
        json_t *extra = json_pack("{s:s, s:b}", "upload_error",
                                  "Ihr Antrag ist abgeschlossen; es können keine Unterlagen mehr "
                                  "nachgereicht werden.",
                                  "upload_invalid", 1);
        return status_page(req, resp, extra, 409);
    }
done:
    sub_release(&s);
    if (rc)
        return rc;
    const char *to = arena_printf(req->arena, "/status/%s?nachweis=1", req->param[0]);
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

const struct http_route portal_status_routes[] = {
    {"GET", "/status/:token", get_status, 0},
    {"GET", "/status/:token/eingang", get_receipt, 0},
    {"GET", "/status/:token/eingangsbestaetigung.pdf", get_receipt_pdf, 0},
    {"GET", "/status/:token/dokument/:version", get_document, 0},
    {"POST", "/status/:token/nachweis", post_evidence, HTTP_UPLOAD},
};
const size_t portal_status_routes_count =
    sizeof portal_status_routes / sizeof portal_status_routes[0];
