/* The JSON API of the E-Akte under /api/v1 (documented in docs/openapi.yaml):
 * plan, files, cases, documents, versions, access log and disposal. The
 * handlers are thin: they read the parameters, call the functions of
 * records.h (which commit before they return) and answer with JSON; refusals
 * carry a German sentence in {"status", "error"}, the shape the server uses
 * for its own errors. Case references contain a '/', so a case is addressed
 * as /api/v1/files/<Aktenzeichen>/cases/<n>. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/rtime.h"
#include "records_int.h"
#include "web/web.h"

/* Bytes of a plan file uploaded for import. */
#define REC_MAX_PLAN_UPLOAD ((size_t)4 * 1024 * 1024)

/* ---- helpers ------------------------------------------------------------ */

/* Answers a refusal with a German message: {"status": N, "error": msg}.
 * Server errors (5xx) go back to the server, which logs them. */
static int fail(struct http_resp *resp, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct http_resp *resp, int rc, const char *fmt, ...)
{
    int status = http_status_for(rc);
    if (status >= 500)
        return rc;
    struct str msg;
    str_init(&msg, 4096);
    va_list ap;
    va_start(ap, fmt);
    str_vaddf(&msg, fmt, ap);
    va_end(ap);
    json_t *j =
        json_pack("{s:i, s:s}", "status", status, "error", msg.err ? err_message(rc) : msg.buf);
    str_release(&msg);
    if (!j)
        return ERR_NOMEM;
    int r = http_json(resp, status, j);
    json_decref(j);
    return r;
}

/* Answers with j (stolen) and status. */
static int reply(struct http_resp *resp, int status, json_t *j)
{
    if (!j)
        return ERR_NOMEM;
    int rc = http_json(resp, status, j);
    json_decref(j);
    return rc;
}

static struct rec_actor actor(const struct http_req *req)
{
    return rec_actor_of(&req->user);
}

static struct store *store_of(const struct http_req *req)
{
    return ((struct app *)req->app)->store;
}

/* A text field of the JSON body (or of a form body), or NULL. */
static const char *field(const struct http_req *req, const char *key)
{
    if (req->json) {
        json_t *v = json_object_get(req->json, key);
        return json_is_string(v) ? json_string_value(v) : NULL;
    }
    return form_get(&req->form, key);
}

/* An integer field of the JSON body (number or digits); 0 when absent,
 * ERR_INVALID when present but no integer in [min, max]. */
static int field_int(const struct http_req *req, const char *key, long min, long max, long *ret)
{
    *ret = 0;
    json_t *v = req->json ? json_object_get(req->json, key) : NULL;
    if (v && json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < min || x > max)
            return ERR_INVALID;
        *ret = (long)x;
        return 0;
    }
    const char *z = v ? (json_is_string(v) ? json_string_value(v) : "?") : field(req, key);
    if (!z || !*z)
        return 0;
    return str_to_long(z, min, max, ret);
}

/* A query parameter as a number in [min, max]; 0 when absent. */
static int query_int(struct http_req *req, const char *key, long min, long max, long *ret)
{
    const char *z = http_query(req, key);
    *ret = 0;
    if (!z || !*z)
        return 0;
    return str_to_long(z, min, max, ret);
}

/* The body must be a JSON object (or a form). */
static bool body_ok(const struct http_req *req)
{
    return req->json ? json_is_object(req->json) : true;
}

#define BODY_MSG "Erwartet wird ein JSON-Objekt im Anfragekörper."

static int file_not_found(struct http_resp *resp, const char *ref)
{
    return fail(resp, ERR_NOTFOUND, "Die Akte „%s“ wurde nicht gefunden.", ref);
}

/* Builds the case reference of /files/:ref/cases/:n into out. */
static int case_ref(struct http_req *req, char out[REC_REF_MAX])
{
    long n;
    if (str_to_long(req->param[1], 1, 1000000000L, &n))
        return ERR_NOTFOUND;
    int len = snprintf(out, REC_REF_MAX, "%s/%ld", req->param[0], n);
    return len > 0 && len < REC_REF_MAX ? 0 : ERR_NOTFOUND;
}

/* Answers with the file ref as rec_file_get shows it to the user. */
static int reply_file(struct http_req *req, struct http_resp *resp, int status, const char *ref)
{
    struct rec_actor a = actor(req);
    json_t *j;
    int rc = rec_file_get(store_of(req), &a, ref, &j);
    if (rc == ERR_NOTFOUND)
        return file_not_found(resp, ref);
    if (rc)
        return rc;
    return reply(resp, status, j);
}

/* ---- plan --------------------------------------------------------------- */

static int get_plan(struct http_req *req, struct http_resp *resp)
{
    json_t *j;
    int rc = rec_plan_list(store_of(req), &j);
    if (rc)
        return rc;
    return reply(resp, 200, j);
}

static int plan_import_reply(struct http_req *req, struct http_resp *resp, const char *p, size_t n,
                             bool json)
{
    struct rec_actor a = actor(req);
    struct str why;
    str_init(&why, 4096);
    int count = 0;
    int rc = rec_plan_import(store_of(req), &a, p, n, json, &count, &why);
    if (rc) {
        int r = fail(resp, rc, "%s", why.len ? why.buf : err_message(rc));
        str_release(&why);
        return r;
    }
    str_release(&why);
    return reply(resp, 200, json_pack("{s:i}", "imported", count));
}

static int post_plan(struct http_req *req, struct http_resp *resp)
{
    struct rec_actor a = actor(req);
    if (!rec__is_manager(&a))
        return fail(resp, ERR_DENIED,
                    "Den Aktenplan pflegen nur die Registratur und die Administration.");
    const struct form_field *up = form_field(&req->form, "file");
    if (up && up->is_file) {
        struct str buf;
        str_init(&buf, REC_MAX_PLAN_UPLOAD);
        int rc = form_field_read(up, SIZE_MAX, &buf);
        if (rc) {
            str_release(&buf);
            return rc == ERR_TOOBIG ? fail(resp, rc, "Die Datei ist zu groß (höchstens 4 MB).")
                                    : rc;
        }
        size_t i = 0;
        while (i < buf.len && (buf.buf[i] == ' ' || buf.buf[i] == '\n' || buf.buf[i] == '\r'))
            i++;
        size_t fl = up->filename ? strlen(up->filename) : 0;
        bool json = (i < buf.len && buf.buf[i] == '[') ||
                    (fl > 5 && strcmp(up->filename + fl - 5, ".json") == 0);
        rc = plan_import_reply(req, resp, buf.buf, buf.len, json);
        str_release(&buf);
        return rc;
    }
    if (req->json && json_is_array(req->json)) {
        char *text = json_dumps(req->json, JSON_COMPACT);
        if (!text)
            return ERR_NOMEM;
        int rc = plan_import_reply(req, resp, text, strlen(text), true);
        free(text);
        return rc;
    }
    if (!req->json || !json_is_object(req->json))
        return fail(resp, ERR_INVALID,
                    "Erwartet wird eine Aktenplaneinheit (JSON-Objekt), eine Liste davon oder "
                    "eine Datei im Feld „file“.");
    json_t *jy = json_object_get(req->json, "retention_years");
    if (!json_is_integer(jy) || json_integer_value(jy) < 0 || json_integer_value(jy) > 200)
        return fail(resp, ERR_INVALID,
                    "„retention_years“ muss eine Zahl von 0 bis 200 sein (Aufbewahrungsfrist "
                    "in Jahren).");
    long years = (long)json_integer_value(jy);
    const char *dec = field(req, "archive_decision");
    json_t *act = json_object_get(req->json, "active");
    if (act && !json_is_boolean(act))
        return fail(resp, ERR_INVALID, "„active“ muss true oder false sein.");
    struct rec_plan_node n = {
        .code = field(req, "code"),
        .title = field(req, "title"),
        .retention_years = (int)years,
        .archive_decision = dec && strlen(dec) == 1 ? dec[0] : '?',
        .active = !act || json_is_true(act),
    };
    /* was it there before? (for 201 versus 200) */
    json_t *list;
    int rc = rec_plan_list(store_of(req), &list);
    if (rc)
        return rc;
    bool existed = false;
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        if (n.code && strcmp(json_string_value(json_object_get(o, "code")), n.code) == 0)
            existed = true;
    }
    json_decref(list);
    struct str why;
    str_init(&why, 1024);
    rc = rec_plan_save(store_of(req), &a, &n, &why);
    if (rc) { /* a missing parent is a bad value of this request: 400 */
        int r = fail(resp, rc == ERR_NOTFOUND ? ERR_INVALID : rc, "%s",
                     why.len ? why.buf : err_message(rc));
        str_release(&why);
        return r;
    }
    str_release(&why);
    char d[2] = {n.archive_decision, '\0'};
    return reply(resp, existed ? 200 : 201,
                 json_pack("{s:s, s:s, s:i, s:s, s:b}", "code", n.code, "title", n.title,
                           "retention_years", n.retention_years, "archive_decision", d, "active",
                           n.active));
}

/* ---- files -------------------------------------------------------------- */

static int get_files(struct http_req *req, struct http_resp *resp)
{
    long page, per_page, office, year;
    if (query_int(req, "page", 1, 1000000, &page))
        return fail(resp, ERR_INVALID, "Parameter „page“ muss eine Zahl ab 1 sein.");
    if (query_int(req, "per_page", 1, REC_PAGE_MAX, &per_page))
        return fail(resp, ERR_INVALID, "Parameter „per_page“ muss eine Zahl von 1 bis %d sein.",
                    REC_PAGE_MAX);
    if (query_int(req, "office", 1, 9999, &office))
        return fail(resp, ERR_INVALID, "Parameter „office“ muss eine Amtsnummer sein.");
    if (query_int(req, "year", 1, 9999, &year))
        return fail(resp, ERR_INVALID, "Parameter „year“ muss eine Jahreszahl sein.");
    const char *status = http_query(req, "status");
    if (status && *status && strcmp(status, "open") && strcmp(status, "closed") &&
        strcmp(status, "offered") && strcmp(status, "disposed"))
        return fail(resp, ERR_INVALID,
                    "Parameter „status“ muss open, closed, offered oder disposed sein.");
    const char *q = http_query(req, "q");
    if (q && strlen(q) > REC_MAX_TITLE)
        return fail(resp, ERR_INVALID, "Der Suchtext ist zu lang.");
    struct rec_file_query fq = {
        .unit_nr = (int)office,
        .plan_code = http_query(req, "plan"),
        .year = (int)year,
        .status = status,
        .text = q,
        .page = (int)page,
        .per_page = (int)per_page,
    };
    struct rec_actor a = actor(req);
    json_t *j;
    int rc = rec_file_list(store_of(req), &a, &fq, &j);
    if (rc)
        return rc;
    return reply(resp, 200, j);
}

static int post_files(struct http_req *req, struct http_resp *resp)
{
    if (!body_ok(req))
        return fail(resp, ERR_INVALID, BODY_MSG);
    struct rec_actor a = actor(req);
    long office;
    if (field_int(req, "office", 1, 9999, &office))
        return fail(resp, ERR_INVALID, "„office“ muss eine Amtsnummer sein.");
    if (!office)
        office = a.unit_nr;
    const char *plan = field(req, "plan");
    if (!plan || !*plan)
        return fail(resp, ERR_INVALID, "Bitte geben Sie die Aktenplaneinheit an („plan“).");
    char ref[REC_REF_MAX];
    struct str why;
    str_init(&why, 1024);
    int rc = rec_file_create(store_of(req), &a, plan, (int)office, field(req, "title"),
                             field(req, "parties"), ref, NULL, &why);
    if (rc) {
        /* an unknown plan or office is a bad value (400); no number left is a conflict */
        int code = rc == ERR_NOTFOUND ? ERR_INVALID : rc == ERR_TOOBIG ? ERR_EXISTS : rc;
        int r = fail(resp, code, "%s", why.len ? why.buf : err_message(rc));
        str_release(&why);
        return r;
    }
    str_release(&why);
    return reply_file(req, resp, 201, ref);
}

static int get_file(struct http_req *req, struct http_resp *resp)
{
    return reply_file(req, resp, 200, req->param[0]);
}

static int post_file_close(struct http_req *req, struct http_resp *resp)
{
    struct rec_actor a = actor(req);
    const char *ref = req->param[0];
    int rc = rec_file_close(store_of(req), &a, ref);
    if (rc == ERR_NOTFOUND)
        return file_not_found(resp, ref);
    if (rc == ERR_DENIED)
        return fail(resp, rc, "Die Akte %s kann nur das federführende Amt schließen.", ref);
    if (rc == ERR_EXISTS)
        return fail(resp, rc, "Die Akte %s ist bereits geschlossen.", ref);
    if (rc)
        return rc;
    return reply_file(req, resp, 200, ref);
}

static int post_file_hold(struct http_req *req, struct http_resp *resp)
{
    if (!body_ok(req))
        return fail(resp, ERR_INVALID, BODY_MSG);
    struct rec_actor a = actor(req);
    const char *ref = req->param[0];
    json_t *h = req->json ? json_object_get(req->json, "hold") : NULL;
    if (h && !json_is_boolean(h))
        return fail(resp, ERR_INVALID, "„hold“ muss true oder false sein.");
    bool on = !h || json_is_true(h);
    const char *reason = field(req, "reason");
    int rc = rec_file_hold(store_of(req), &a, ref, on, reason);
    if (rc == ERR_INVALID)
        return fail(resp, rc,
                    "Bitte geben Sie einen Grund für die Sperre an (höchstens 500 Zeichen, "
                    "ohne Zeilenumbrüche).");
    if (rc == ERR_NOTFOUND)
        return file_not_found(resp, ref);
    if (rc == ERR_DENIED)
        return fail(resp, rc,
                    "Sperren setzen und aufheben dürfen die Amtsleitung, die Registratur und die "
                    "Administration.");
    if (rc == ERR_EXISTS)
        return fail(resp, rc, "Die Akte %s ist bereits ausgesondert.", ref);
    if (rc)
        return rc;
    return reply(resp, 200,
                 json_pack("{s:s, s:b, s:s?}", "reference", ref, "hold", on, "hold_reason",
                           on ? reason : NULL));
}

static int post_file_share(struct http_req *req, struct http_resp *resp)
{
    if (!body_ok(req))
        return fail(resp, ERR_INVALID, BODY_MSG);
    struct rec_actor a = actor(req);
    const char *ref = req->param[0];
    long office;
    if (field_int(req, "office", 1, 9999, &office) || !office)
        return fail(resp, ERR_INVALID,
                    "Bitte geben Sie das Amt an, für das die Akte freigegeben "
                    "werden soll („office“).");
    int rc = rec_file_share(store_of(req), &a, ref, (int)office);
    if (rc == ERR_NOTFOUND)
        return file_not_found(resp, ref);
    if (rc == ERR_DENIED)
        return fail(resp, rc,
                    "Freigeben dürfen die Leitung des federführenden Amtes, die Registratur und "
                    "die Administration.");
    if (rc == ERR_INVALID)
        return fail(resp, rc, "Amt %ld gibt es nicht oder es führt die Akte selbst.", office);
    if (rc == ERR_EXISTS)
        return fail(resp, rc, "Die Akte %s ist bereits ausgesondert.", ref);
    if (rc)
        return rc;
    return reply_file(req, resp, 200, ref);
}

static int get_access_log(struct http_req *req, struct http_resp *resp)
{
    struct rec_actor a = actor(req);
    const char *ref = req->param[0];
    json_t *j;
    int rc = rec_access_log(store_of(req), &a, ref, &j);
    if (rc == ERR_NOTFOUND)
        return file_not_found(resp, ref);
    if (rc == ERR_DENIED)
        return fail(resp, rc,
                    "Das Zugriffsprotokoll sehen die Amtsleitung und die "
                    "Administration.");
    if (rc)
        return rc;
    return reply(resp, 200, j);
}

static int get_disposal(struct http_req *req, struct http_resp *resp)
{
    struct rec_actor a = actor(req);
    json_t *j;
    int rc = rec_disposal_due(store_of(req), &a, &j);
    if (rc)
        return rc;
    return reply(resp, 200, j);
}

static int post_dispose(struct http_req *req, struct http_resp *resp)
{
    if (!body_ok(req))
        return fail(resp, ERR_INVALID, BODY_MSG);
    struct rec_actor a = actor(req);
    const char *ref = req->param[0];
    const char *action = field(req, "action");
    bool destroy;
    if (action && strcmp(action, "destroy") == 0)
        destroy = true;
    else if (action && strcmp(action, "offer") == 0)
        destroy = false;
    else
        return fail(resp, ERR_INVALID,
                    "„action“ muss „destroy“ (vernichten) oder „offer“ (dem Archiv anbieten) "
                    "sein.");
    struct str why;
    str_init(&why, 1024);
    int rc = rec__dispose(store_of(req), &a, ref, destroy, &why);
    int r;
    if (rc == ERR_NOTFOUND)
        r = file_not_found(resp, ref);
    else if (rc == ERR_DENIED)
        r = fail(resp, rc, "Aussondern dürfen nur die Registratur und die Administration.");
    else if (rc)
        r = fail(resp, rc, "%s", why.len ? why.buf : err_message(rc));
    else
        r = reply(
            resp, 200,
            json_pack("{s:s, s:s}", "reference", ref, "status", destroy ? "disposed" : "offered"));
    str_release(&why);
    return r;
}

/* ---- cases and documents ------------------------------------------------ */

static int reply_case(struct http_req *req, struct http_resp *resp, int status, const char *ref)
{
    struct rec_actor a = actor(req);
    json_t *j;
    int rc = rec_case_get(store_of(req), &a, ref, &j);
    if (rc == ERR_NOTFOUND)
        return fail(resp, rc, "Der Vorgang „%s“ wurde nicht gefunden.", ref);
    if (rc)
        return rc;
    return reply(resp, status, j);
}

static int post_cases(struct http_req *req, struct http_resp *resp)
{
    if (!body_ok(req))
        return fail(resp, ERR_INVALID, BODY_MSG);
    struct rec_actor a = actor(req);
    const char *ref = req->param[0];
    const char *title = field(req, "title"), *service = field(req, "service_key");
    struct str why;
    str_init(&why, 512);
    if (rec__check_text(title, REC_MAX_TITLE, REC__TEXT_REQUIRED, "Der Titel", &why) ||
        (service &&
         rec__check_text(service, 64, REC__TEXT_REQUIRED, "Der Leistungsschlüssel", &why))) {
        int r = fail(resp, ERR_INVALID, "%s", why.buf);
        str_release(&why);
        return r;
    }
    str_release(&why);
    char cref[REC_REF_MAX];
    int rc = rec_case_create(store_of(req), &a, ref, title, service, cref, NULL);
    if (rc == ERR_NOTFOUND)
        return file_not_found(resp, ref);
    if (rc == ERR_DENIED)
        return fail(resp, rc, "Vorgänge legt nur das federführende Amt an.");
    if (rc == ERR_EXISTS)
        return fail(resp, rc, "Die Akte %s ist geschlossen; neue Vorgänge sind nicht möglich.",
                    ref);
    if (rc)
        return rc;
    return reply_case(req, resp, 201, cref);
}

static int get_case(struct http_req *req, struct http_resp *resp)
{
    char ref[REC_REF_MAX];
    if (case_ref(req, ref))
        return fail(resp, ERR_NOTFOUND, "Der Vorgang wurde nicht gefunden.");
    return reply_case(req, resp, 200, ref);
}

static int post_case_close(struct http_req *req, struct http_resp *resp)
{
    char ref[REC_REF_MAX];
    if (case_ref(req, ref))
        return fail(resp, ERR_NOTFOUND, "Der Vorgang wurde nicht gefunden.");
    struct rec_actor a = actor(req);
    int rc = rec_case_close(store_of(req), &a, ref);
    if (rc == ERR_NOTFOUND)
        return fail(resp, rc, "Der Vorgang „%s“ wurde nicht gefunden.", ref);
    if (rc == ERR_DENIED)
        return fail(resp, rc, "Den Vorgang %s kann nur das federführende Amt schließen.", ref);
    if (rc == ERR_EXISTS)
        return fail(resp, rc, "Der Vorgang %s ist bereits geschlossen.", ref);
    if (rc)
        return rc;
    return reply_case(req, resp, 200, ref);
}

/* Maps German or English direction names to the stored ones. */
static const char *direction_of(const char *z)
{
    if (!z)
        return NULL;
    if (!strcmp(z, "in") || !strcasecmp(z, "Eingang"))
        return "in";
    if (!strcmp(z, "out") || !strcasecmp(z, "Ausgang"))
        return "out";
    if (!strcmp(z, "internal") || !strcasecmp(z, "intern"))
        return "internal";
    return NULL;
}

static int post_documents(struct http_req *req, struct http_resp *resp)
{
    if (!body_ok(req))
        return fail(resp, ERR_INVALID, BODY_MSG);
    char ref[REC_REF_MAX];
    if (case_ref(req, ref))
        return fail(resp, ERR_NOTFOUND, "Der Vorgang wurde nicht gefunden.");
    struct rec_doc_new d = {
        .title = field(req, "title"),
        .direction = direction_of(field(req, "direction")),
        .dated = field(req, "dated"),
        .party = field(req, "party"),
    };
    if (d.dated && !*d.dated)
        d.dated = NULL;
    struct str why;
    str_init(&why, 512);
    int64_t t;
    int bad = rec__check_text(d.title, REC_MAX_TITLE, REC__TEXT_REQUIRED, "Der Titel", &why);
    if (!bad)
        bad = rec__check_text(d.party, REC_MAX_PARTIES, REC__TEXT_MULTILINE, "Absender/Empfänger",
                              &why);
    if (!bad && !d.direction) {
        str_adds(&why, "„direction“ muss in (Eingang), out (Ausgang) oder internal (intern) sein.");
        bad = ERR_INVALID;
    }
    if (!bad && d.dated && (strlen(d.dated) != 10 || rtime_parse_iso(d.dated, &t))) {
        str_addf(&why, "Das Datum „%.40s“ ist ungültig (erwartet: JJJJ-MM-TT).", d.dated);
        bad = ERR_INVALID;
    }
    if (bad) {
        int r = fail(resp, ERR_INVALID, "%s", why.buf);
        str_release(&why);
        return r;
    }
    str_release(&why);
    struct rec_actor a = actor(req);
    int64_t id = 0;
    int rc = rec_doc_create(store_of(req), &a, ref, &d, &id);
    if (rc == ERR_NOTFOUND)
        return fail(resp, rc, "Der Vorgang „%s“ wurde nicht gefunden.", ref);
    if (rc == ERR_DENIED)
        return fail(resp, rc, "Dokumente legt nur das federführende Amt an.");
    if (rc == ERR_EXISTS)
        return fail(resp, rc, "Der Vorgang %s ist geschlossen; neue Dokumente sind nicht möglich.",
                    ref);
    if (rc)
        return rc;
    return reply(resp, 201,
                 json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:[]}", "id", (json_int_t)id,
                           "case_reference", ref, "title", d.title, "direction", d.direction,
                           "dated", d.dated, "party", d.party ? d.party : "", "versions"));
}

/* ---- versions ----------------------------------------------------------- */

static int id_param(const struct http_req *req, int64_t *ret)
{
    long id;
    if (str_to_long(req->param[0], 1, 0x7fffffffffffffffL, &id))
        return ERR_NOTFOUND;
    *ret = id;
    return 0;
}

static int reply_version(struct http_req *req, struct http_resp *resp, int status, int64_t id)
{
    struct rec_actor a = actor(req);
    json_t *j;
    int rc = rec_version_get(store_of(req), &a, id, &j);
    if (rc == ERR_NOTFOUND)
        return fail(resp, rc, "Die Version %lld wurde nicht gefunden.", (long long)id);
    if (rc)
        return rc;
    return reply(resp, status, j);
}

static int post_versions(struct http_req *req, struct http_resp *resp)
{
    int64_t doc_id;
    if (id_param(req, &doc_id))
        return fail(resp, ERR_NOTFOUND, "Das Dokument wurde nicht gefunden.");
    const struct form_field *f = form_field(&req->form, "file");
    if (!f || !f->is_file)
        return fail(resp, ERR_INVALID,
                    "Bitte wählen Sie eine Datei aus (Formularfeld „file“, multipart/form-data).");
    struct rec_content ct = {
        .path = f->tmp_path,
        .data = f->tmp_path ? NULL : (f->value ? f->value : ""),
        .len = f->tmp_path ? 0 : f->value_len,
        .filename = f->filename,
        .capture = form_get(&req->form, "capture"),
    };
    if (ct.capture && !*ct.capture)
        ct.capture = NULL;
    struct rec_actor a = actor(req);
    int64_t vid = 0;
    int rc = rec_version_add(store_of(req), &a, doc_id, &ct, &vid, NULL);
    if (rc == ERR_MEDIATYPE)
        return fail(resp, rc,
                    "Dieser Dateityp wird nicht angenommen. Programme und Skripte sind aus "
                    "Sicherheitsgründen ausgeschlossen; erlaubt sind PDF, Bilder (PNG, JPEG, "
                    "TIFF, GIF), Text, CSV, XML, E-Mails und Office-Dokumente.");
    if (rc == ERR_INVALID)
        return fail(resp, rc,
                    ct.capture ? "Die Datei ist leer, oder „capture“ ist kein JSON-Objekt."
                               : "Die Datei ist leer.");
    if (rc == ERR_NOTFOUND)
        return fail(resp, rc, "Das Dokument %lld wurde nicht gefunden.", (long long)doc_id);
    if (rc == ERR_DENIED)
        return fail(resp, rc, "Neue Versionen legt nur das federführende Amt an.");
    if (rc == ERR_EXISTS)
        return fail(resp, rc,
                    "Der Vorgang oder die Akte ist geschlossen; neue Versionen sind "
                    "nicht möglich.");
    if (rc)
        return rc;
    return reply_version(req, resp, 201, vid);
}

static int get_version(struct http_req *req, struct http_resp *resp)
{
    int64_t id;
    if (id_param(req, &id))
        return fail(resp, ERR_NOTFOUND, "Die Version wurde nicht gefunden.");
    return reply_version(req, resp, 200, id);
}

/* The type a version is shown with inline, or NULL when it is downloaded
 * only: PDFs and images as they are, text formats as UTF-8 plain text. */
static const char *inline_type(const char *mime)
{
    static const char *const as_is[] = {"application/pdf", "image/png", "image/jpeg", "image/gif",
                                        "image/tiff"};
    for (size_t i = 0; i < sizeof as_is / sizeof as_is[0]; i++)
        if (strcmp(mime, as_is[i]) == 0)
            return as_is[i];
    if (!strcmp(mime, "text/plain") || !strcmp(mime, "text/csv") || !strcmp(mime, "text/xml") ||
        !strcmp(mime, "application/xml"))
        return "text/plain; charset=utf-8";
    return NULL;
}

/* Writes a Content-Disposition value: an ASCII fallback name and the UTF-8
 * name percent-encoded (RFC 6266 / RFC 5987). */
static void disposition(const char *kind, const char *name, struct str *out)
{
    static const char hex[] = "0123456789ABCDEF";
    str_adds(out, kind);
    str_adds(out, "; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr(" .-_()+,", *p);
        if (plain)
            str_addc(out, (char)*p);
        else if (*p < 0x80 || (*p & 0xC0) != 0x80) /* one '_' per character */
            str_addc(out, '_');
    }
    str_adds(out, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr(".-_", *p)) {
            str_addc(out, (char)*p);
        } else {
            str_addc(out, '%');
            str_addc(out, hex[*p >> 4]);
            str_addc(out, hex[*p & 15]);
        }
    }
}

static int get_version_content(struct http_req *req, struct http_resp *resp)
{
    int64_t id;
    if (id_param(req, &id))
        return fail(resp, ERR_NOTFOUND, "Die Version wurde nicht gefunden.");
    const char *inl = http_query(req, "inline");
    bool want_inline = inl && strcmp(inl, "1") == 0;
    struct rec_actor a = actor(req);
    struct rec_version_file *v = arena_calloc(req->arena, 1, sizeof *v);
    if (!v)
        return ERR_NOMEM;
    int rc = rec_version_open(store_of(req), &a, id, !want_inline, v);
    if (rc == ERR_NOTFOUND)
        return fail(resp, rc,
                    "Die Version %lld wurde nicht gefunden oder ihr Inhalt wurde "
                    "ausgesondert.",
                    (long long)id);
    if (rc)
        return rc;
    int fd = open(v->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(resp, ERR_NOTFOUND, "Der Inhalt der Version %lld ist nicht mehr vorhanden.",
                    (long long)id);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return ERR_IO;
    }
    /* inline only for types a browser shows safely; text always as UTF-8 text */
    const char *shown = want_inline ? inline_type(v->mime) : NULL;
    const char *type = inline_type(v->mime);
    if (!type || strncmp(type, "text/", 5) != 0)
        type = arena_strdup(req->arena, v->mime);
    struct str cd;
    str_init(&cd, 2048);
    disposition(shown ? "inline" : "attachment", v->filename[0] ? v->filename : "dokument", &cd);
    rc = cd.err ? cd.err : http_resp_header(req, resp, "Content-Disposition", cd.buf);
    str_release(&cd);
    if (!rc)
        rc = http_resp_header(req, resp, "Cache-Control", "private, no-store");
    if (rc || !type) {
        close(fd);
        return rc ? rc : ERR_NOMEM;
    }
    resp->content_type = type;
    resp->fd = fd;
    resp->fd_size = (uint64_t)st.st_size;
    resp->status = 200;
    return 0;
}

const struct http_route rec_api_routes[] = {
    {"GET", "/api/v1/plan", get_plan, HTTP_AUTH},
    {"POST", "/api/v1/plan", post_plan, HTTP_AUTH | HTTP_UPLOAD},
    {"GET", "/api/v1/files", get_files, HTTP_AUTH},
    {"POST", "/api/v1/files", post_files, HTTP_AUTH},
    {"GET", "/api/v1/files/:ref", get_file, HTTP_AUTH},
    {"POST", "/api/v1/files/:ref/close", post_file_close, HTTP_AUTH},
    {"POST", "/api/v1/files/:ref/hold", post_file_hold, HTTP_AUTH},
    {"POST", "/api/v1/files/:ref/share", post_file_share, HTTP_AUTH},
    {"GET", "/api/v1/files/:ref/access-log", get_access_log, HTTP_AUTH},
    {"POST", "/api/v1/files/:ref/dispose", post_dispose, HTTP_AUTH},
    {"POST", "/api/v1/files/:ref/cases", post_cases, HTTP_AUTH},
    {"GET", "/api/v1/files/:ref/cases/:n", get_case, HTTP_AUTH},
    {"POST", "/api/v1/files/:ref/cases/:n/close", post_case_close, HTTP_AUTH},
    {"POST", "/api/v1/files/:ref/cases/:n/documents", post_documents, HTTP_AUTH},
    {"GET", "/api/v1/disposal", get_disposal, HTTP_AUTH},
    {"POST", "/api/v1/documents/:id/versions", post_versions, HTTP_AUTH | HTTP_UPLOAD},
    {"GET", "/api/v1/versions/:id", get_version, HTTP_AUTH},
    {"GET", "/api/v1/versions/:id/content", get_version_content, HTTP_AUTH},
};
const size_t rec_api_routes_count = sizeof rec_api_routes / sizeof rec_api_routes[0];
