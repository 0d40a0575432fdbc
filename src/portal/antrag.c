/* The application form of a service, step by step: each step is a server
 * rendered page (the form engine renders the fields), "Weiter" checks the
 * step and keeps the values in a draft on the server, "Zurück" and
 * "Speichern und später fortsetzen" keep them unchecked, a review page shows
 * everything before it is sent. A draft is found through a cookie per
 * service or through its resume link /antrag/fortsetzen/<token>; only the
 * token's hash is stored. Uploaded files are typed by their content
 * (libmagic), checked against the field and kept as blobs of the draft.
 * /leistungen/<slug>/antrag/direkt takes a whole application in one request
 * (for scripts, tests and the benchmark). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/rtime.h"
#include "portal_int.h"
#include "store/blob.h"
#include "web/web.h"

#define COOKIE_PREFIX "ra_"  /* cookie of a service's draft: ra_<slug> */
#define HONEYPOT "_homepage" /* a field people never fill (visually hidden) */
#define IDEM_MIN 16          /* bytes of a client's idempotency key at least */
#define IDEM_MAX 128         /* and at most */
#define DRAFT_CLEAN_BATCH 20 /* expired drafts removed per new draft */

static const char MSG_HONEYPOT[] =
    "Ihre Eingaben konnten nicht verarbeitet werden, weil ein verstecktes Feld ausgefüllt "
    "war. Bitte lassen Sie das Feld „Bitte leer lassen“ leer.";
static const char MSG_MEDIATYPE[] =
    "Dieser Dateityp wird nicht angenommen: Programme und Skripte können nicht hochgeladen "
    "werden. Bitte wählen Sie z. B. ein PDF oder ein Foto.";
static const char MSG_EMPTY[] = "Die ausgewählte Datei ist leer.";
static const char MSG_TOOBIG[] = "Die Datei ist zu groß.";
static const char MSG_THROTTLED[] =
    "Von Ihrem Anschluss wurden in der letzten Stunde zu viele Anträge gesendet. Bitte "
    "versuchen Sie es später noch einmal.";

/* A draft as loaded from the store. */
struct draft {
    int64_t id;                   /* drafts.id, 0 when there is none yet */
    json_t *data;                 /* Antragsdaten (owned) */
    json_t *files;                /* {field: {name, mime, size, sha256}} (owned) */
    int step;                     /* steps completed (0-based count) */
    bool expired;                 /* found, but past its expiry */
    char token[PORTAL_TOKEN_LEN]; /* the raw token (cookie or link) */
};

static void draft_release(struct draft *d)
{
    json_decref(d->data);
    json_decref(d->files);
    memset(d, 0, sizeof *d);
}

static const struct portal_service *service_of(struct http_req *req)
{
    return portal_service_find(portal_cat, req->param[0]);
}

static const char *cookie_name(struct http_req *req, const struct portal_service *sv)
{
    return arena_printf(req->arena, COOKIE_PREFIX "%s", sv->slug);
}

/* Loads the draft with token (raw) of service sv (NULL = any service). An
 * unknown token leaves d empty (id 0) and returns 0. */
static int draft_load(struct store *s, const char *token, const char *slug, struct draft *d)
{
    memset(d, 0, sizeof *d);
    if (!token || !*token || strlen(token) >= PORTAL_TOKEN_LEN)
        return 0;
    char hash[PORTAL_HASH_LEN];
    portal_hash("draft:", token, hash);
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    rc = store_prepare(c,
                       "SELECT id, service, data, step, expires FROM drafts"
                       " WHERE token_hash = ? AND submission_id IS NULL",
                       &st);
    if (rc)
        goto done;
    if (!(rc = store_bind(st, "t", hash)) && (rc = store_step(st)) == STORE_ROW) {
        if (!slug || strcmp(store_col_text(st, 1), slug) == 0) {
            d->id = store_col_int(st, 0);
            d->data = json_loads(store_col_text(st, 2), 0, NULL);
            d->step = (int)store_col_int(st, 3);
            d->expired = store_col_int(st, 4) < rtime_now();
            snprintf(d->token, sizeof d->token, "%s", token);
        }
    }
    store_done(st);
    rc = rc < 0 ? rc : 0;
    if (rc || !d->id)
        goto done;
    d->files = json_object();
    if (!d->data || !d->files) {
        rc = ERR_NOMEM;
        goto done;
    }
    rc = store_prepare(
        c, "SELECT field, name, mime, size, sha256 FROM draft_files WHERE draft_id = ?", &st);
    if (rc)
        goto done;
    rc = store_bind(st, "i", d->id);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        json_object_set_new(d->files, store_col_text(st, 0),
                            json_pack("{s:s, s:s, s:I, s:s}", "name", store_col_text(st, 1), "mime",
                                      store_col_text(st, 2), "size",
                                      (json_int_t)store_col_int(st, 3), "sha256",
                                      store_col_text(st, 4)));
        rc = 0;
    }
    store_done(st);
    rc = rc < 0 ? rc : 0;
done:
    store_put(s, c);
    if (rc)
        draft_release(d);
    return rc;
}

/* The draft of the request's cookie for sv (none when absent or expired). */
static int draft_of_cookie(struct http_req *req, const struct portal_service *sv, struct draft *d)
{
    struct app *app = req->app;
    char tok[64];
    memset(d, 0, sizeof *d);
    if (form_cookie_get(http_header(req, "Cookie"), cookie_name(req, sv), tok, sizeof tok) != 0)
        return 0;
    int rc = draft_load(app->store, tok, sv->slug, d);
    if (!rc && d->expired)
        draft_release(d);
    return rc;
}

/* A new upload of this request, checked and hashed, not yet stored. */
struct upload {
    const struct form_field *f; /* the multipart field */
    const char *mime;           /* from the content */
    char sha256[PORTAL_HASH_LEN];
};

/* Appends {field, label, message} to errors. */
static void error_add(json_t *errors, const char *field, const char *msg)
{
    json_array_append_new(
        errors, json_pack("{s:s, s:s, s:s}", "field", field, "label", "", "message", msg));
}

/* Checks the file parts of the request: type by content, size; hashes them.
 * Files with a problem get an entry in errors and are left out. */
static int uploads_check(struct http_req *req, struct upload **ret, size_t *ret_n, json_t *errors)
{
    size_t n = 0;
    struct upload *u = arena_calloc(req->arena, req->form.n + 1, sizeof *u);
    if (!u)
        return ERR_NOMEM;
    for (size_t i = 0; i < req->form.n; i++) {
        const struct form_field *f = &req->form.fields[i];
        if (!f->is_file || f->name[0] == '_')
            continue;
        if (f->size == 0) {
            error_add(errors, f->name, MSG_EMPTY);
            continue;
        }
        if (f->size > PORTAL_MAX_UPLOAD) {
            error_add(errors, f->name, MSG_TOOBIG);
            continue;
        }
        struct rec_content content = {
            .path = f->tmp_path,
            .data = f->tmp_path ? NULL : f->value,
            .len = f->tmp_path ? 0 : f->value_len,
            .filename = f->filename,
        };
        const char *mime;
        int rc = rec_content_type(&content, &mime);
        if (rc == ERR_MEDIATYPE || rc == ERR_INVALID) {
            error_add(errors, f->name, rc == ERR_MEDIATYPE ? MSG_MEDIATYPE : MSG_EMPTY);
            continue;
        }
        if (rc)
            return rc;
        if (f->tmp_path) {
            if ((rc = blob_hash_file(f->tmp_path, u[n].sha256, NULL)))
                return rc;
        } else {
            unsigned char h[crypto_hash_sha256_BYTES];
            crypto_hash_sha256(h, (const unsigned char *)f->value, f->value_len);
            sodium_bin2hex(u[n].sha256, sizeof u[n].sha256, h, sizeof h);
        }
        u[n].f = f;
        u[n].mime = mime;
        n++;
    }
    *ret = u;
    *ret_n = n;
    return 0;
}

static const struct upload *upload_for(const struct upload *u, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(u[i].f->name, field) == 0)
            return &u[i];
    return NULL;
}

/* The form engine's view of the uploads: the new ones plus the draft's
 * earlier files of fields not uploaded again. */
static int uploads_for_engine(struct http_req *req, const struct upload *u, size_t n,
                              const json_t *old, struct form_upload **ret, size_t *ret_n)
{
    size_t cap = n + json_object_size(old) + 1, k = 0;
    struct form_upload *fu = arena_calloc(req->arena, cap, sizeof *fu);
    if (!fu)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        fu[k++] = (struct form_upload){u[i].f->name, *u[i].f->filename ? u[i].f->filename : "datei",
                                       u[i].mime, u[i].f->size, u[i].sha256};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)old, key, v)
    {
        if (upload_for(u, n, key))
            continue;
        fu[k++] = (struct form_upload){key, json_string_value(json_object_get(v, "name")),
                                       json_string_value(json_object_get(v, "mime")),
                                       (size_t)json_integer_value(json_object_get(v, "size")),
                                       json_string_value(json_object_get(v, "sha256"))};
    }
    *ret = fu;
    *ret_n = k;
    return 0;
}

/* True when data holds a file value with sha somewhere (the upload was taken). */
static bool data_has_sha(const json_t *data, const char *sha)
{
    if (json_is_object(data)) {
        const json_t *s = json_object_get(data, "sha256");
        if (json_is_string(s) && strcmp(json_string_value(s), sha) == 0)
            return true;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)data, k, v)
        {
            if (data_has_sha(v, sha))
                return true;
        }
    } else if (json_is_array(data)) {
        size_t i;
        json_t *v;
        json_array_foreach(data, i, v)
        {
            if (data_has_sha(v, sha))
                return true;
        }
    }
    return false;
}

/* Removes a few expired drafts with their blob references. */
static int drafts_clean(struct store *s, struct store_conn *c)
{
    (void)s;
    struct store_stmt *st;
    int64_t ids[DRAFT_CLEAN_BATCH];
    int n = 0;
    int rc = store_prepare(c, "SELECT id FROM drafts WHERE expires < ? LIMIT 20", &st);
    if (rc)
        return rc;
    rc = store_bind(st, "i", rtime_now());
    while (!rc && n < DRAFT_CLEAN_BATCH && (rc = store_step(st)) == STORE_ROW) {
        ids[n++] = store_col_int(st, 0);
        rc = 0;
    }
    store_done(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        char shas[FORM_MAX_FILES_DEFAULT][PORTAL_HASH_LEN];
        int m = 0;
        rc = store_prepare(c, "SELECT sha256 FROM draft_files WHERE draft_id = ?", &st);
        if (rc)
            return rc;
        rc = store_bind(st, "i", ids[i]);
        while (!rc && m < FORM_MAX_FILES_DEFAULT && (rc = store_step(st)) == STORE_ROW) {
            snprintf(shas[m++], PORTAL_HASH_LEN, "%s", store_col_text(st, 0));
            rc = 0;
        }
        store_done(st);
        if (rc < 0)
            return rc;
        for (int j = 0; j < m; j++)
            if ((rc = blob_unref(c, shas[j])))
                return rc;
        if ((rc = store_run(c, "DELETE FROM draft_files WHERE draft_id = ?", "i", ids[i])) ||
            (rc = store_run(c, "DELETE FROM drafts WHERE id = ?", "i", ids[i])))
            return rc;
    }
    return 0;
}

/* Stores data, the step reached and the taken uploads into the draft (a new
 * one when d->id is 0: token made, id set) in one write transaction. */
static int draft_save(struct store *s, const struct portal_service *sv, struct draft *d,
                      const json_t *data, int step, const struct upload *u, size_t n)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    char *json = json_dumps(data, JSON_COMPACT);
    if (!json) {
        rc = ERR_NOMEM;
        goto done;
    }
    if (strlen(json) > PORTAL_MAX_DATA_BYTES) {
        rc = ERR_TOOBIG;
        goto done;
    }
    if ((rc = store_begin(c, true)))
        goto done;
    int64_t now = rtime_now();
    bool was_new = d->id == 0;
    if (!d->id) {
        if ((rc = drafts_clean(s, c)))
            goto fail;
        char hash[PORTAL_HASH_LEN], at[32];
        portal_token_new(d->token);
        portal_hash("draft:", d->token, hash);
        rtime_iso_utc(now, at, sizeof at);
        rc = store_query_int(c, &d->id,
                             "INSERT INTO drafts (service, data, step, token_hash, created_at,"
                             " expires) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             "ttitti", sv->slug, json, (int64_t)step, hash, at,
                             now + (int64_t)PORTAL_DRAFT_DAYS * 86400);
    } else {
        rc = store_run(c, "UPDATE drafts SET data = ?, step = ? WHERE id = ?", "tii", json,
                       (int64_t)step, d->id);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (!data_has_sha(data, u[i].sha256))
            continue; /* refused by the form engine: not kept */
        char sha[BLOB_HEX];
        const struct form_field *f = u[i].f;
        rc = f->tmp_path ? blob_put_file(s, c, f->tmp_path, sha, NULL)
                         : blob_put_mem(s, c, f->value, f->value_len, sha);
        json_t *old = json_object_get(d->files, f->name);
        if (!rc && old)
            rc = blob_unref(c, json_string_value(json_object_get(old, "sha256")));
        if (!rc)
            rc = store_run(c,
                           "INSERT INTO draft_files (draft_id, field, name, mime, size, sha256)"
                           " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (draft_id, field) DO UPDATE"
                           " SET name = excluded.name, mime = excluded.mime,"
                           " size = excluded.size, sha256 = excluded.sha256",
                           "ittt"
                           "it",
                           d->id, f->name, *f->filename ? f->filename : "datei", u[i].mime,
                           (int64_t)f->size, sha);
    }
    if (rc)
        goto fail;
    rc = store_commit(c);
    goto done;
fail:
    store_rollback(c);
    if (was_new) /* the new draft was not made */
        d->id = 0;
done:
    free(json);
    store_put(s, c);
    return rc;
}

/* ---- rendering ---------------------------------------------------------- */

/* The common data of the form pages: service, steps with the current one. */
static json_t *page_data(const struct portal_service *sv, int step)
{
    size_t n = form_def_steps(sv->form);
    json_t *steps = json_array();
    for (size_t i = 0; steps && i < n; i++)
        json_array_append_new(steps, json_pack("{s:i, s:s, s:b, s:b}", "n", (int)i + 1, "title",
                                               form_def_step_title(sv->form, i), "current",
                                               (int)i == step, "done", (int)i < step));
    json_array_append_new(steps, json_pack("{s:i, s:s, s:b, s:b}", "n", (int)n + 1, "title",
                                           "Prüfen und absenden", "current", step == (int)n, "done",
                                           false));
    return json_pack("{s:s, s:s, s:o, s:i, s:i}", "slug", sv->slug, "service", sv->name, "steps",
                     steps, "step", step + 1, "total", (int)n + 1);
}

/* Renders step (0-based) with data and errors, status 200 or 400. */
static int step_page(struct http_req *req, struct http_resp *resp, const struct portal_service *sv,
                     int step, const json_t *data, const json_t *errors, int status)
{
    struct str form, summary;
    str_init(&form, 0);
    str_init(&summary, 0);
    json_t *d = NULL;
    int rc = form_render_step(sv->form, step, data, errors, &form);
    if (!rc && errors)
        rc = form_render_errors(errors, &summary);
    if (rc)
        goto done;
    d = page_data(sv, step);
    if (!d) {
        rc = ERR_NOMEM;
        goto done;
    }
    json_object_set_new(d, "title",
                        json_sprintf("%s – Schritt %d von %d", sv->name, step + 1,
                                     (int)form_def_steps(sv->form) + 1));
    json_object_set_new(d, "step_title", json_string(form_def_step_title(sv->form, (size_t)step)));
    json_object_set_new(d, "form_html", json_string(form.buf));
    json_object_set_new(d, "errors_html", json_string(summary.buf));
    json_object_set_new(d, "has_prev", json_boolean(step > 0));
    json_object_set_new(d, "schritt", json_integer(step + 1));
    rc = web_page(req, resp, "portal/schritt.html", d);
    d = NULL;
    if (!rc)
        resp->status = status;
done:
    json_decref(d);
    str_release(&form);
    str_release(&summary);
    return rc;
}

/* A simple message page of the portal with a status. */
static int message_page(struct http_req *req, struct http_resp *resp, int status, const char *title,
                        const char *text, const char *link, const char *label)
{
    json_t *d = json_pack("{s:s, s:s}", "title", title, "text", text);
    if (!d)
        return ERR_NOMEM;
    if (link) {
        json_object_set_new(d, "link", json_string(link));
        json_object_set_new(d, "link_label", json_string(label));
    }
    int rc = web_page(req, resp, "portal/meldung.html", d);
    if (!rc)
        resp->status = status;
    return rc;
}

static bool honeypot_filled(struct http_req *req)
{
    const char *hp = form_get(&req->form, HONEYPOT);
    return hp && *hp;
}

static int set_draft_cookie(struct http_req *req, struct http_resp *resp,
                            const struct portal_service *sv, const char *token)
{
    return http_set_cookie(req, resp, cookie_name(req, sv), token, (long)PORTAL_DRAFT_DAYS * 86400);
}

/* ---- handlers ----------------------------------------------------------- */

static int get_step(struct http_req *req, struct http_resp *resp)
{
    const struct portal_service *sv = service_of(req);
    if (!sv)
        return ERR_NOTFOUND;
    struct draft d;
    int rc = draft_of_cookie(req, sv, &d);
    if (rc)
        return rc;
    long want = 1;
    const char *z = http_query(req, "schritt");
    if (z && str_to_long(z, 1, FORM_DEF_MAX_STEPS, &want) != 0)
        want = 1;
    int nsteps = (int)form_def_steps(sv->form);
    int step = (int)want - 1;
    if (step > d.step)
        step = d.step; /* no skipping ahead of what was checked */
    if (step >= nsteps)
        step = nsteps - 1;
    if (step < 0)
        step = 0;
    json_t *empty = json_object();
    rc = empty ? step_page(req, resp, sv, step, d.data ? d.data : empty, NULL, 200) : ERR_NOMEM;
    json_decref(empty);
    draft_release(&d);
    return rc;
}

static int post_step(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const struct portal_service *sv = service_of(req);
    if (!sv)
        return ERR_NOTFOUND;
    if (honeypot_filled(req))
        return message_page(req, resp, 400, "Eingabe nicht verarbeitet", MSG_HONEYPOT, NULL, NULL);
    int nsteps = (int)form_def_steps(sv->form);
    long schritt;
    const char *z = form_get(&req->form, "_schritt");
    if (!z || str_to_long(z, 1, nsteps, &schritt) != 0)
        return ERR_INVALID;
    int step = (int)schritt - 1;
    const char *aktion = form_get(&req->form, "_aktion");
    if (!aktion)
        aktion = "weiter";
    struct draft d;
    json_t *data = NULL, *errors = NULL, *uerr = json_array();
    int rc = draft_of_cookie(req, sv, &d);
    if (rc || !uerr)
        goto done;
    if (step > d.step)
        step = d.step;
    struct upload *u;
    size_t nu;
    struct form_upload *fu;
    size_t nfu;
    if ((rc = uploads_check(req, &u, &nu, uerr)) ||
        (rc = uploads_for_engine(req, u, nu, d.files, &fu, &nfu)))
        goto done;
    data = d.data ? json_deep_copy(d.data) : json_object();
    if (!data) {
        rc = ERR_NOMEM;
        goto done;
    }
    if ((rc = form_collect(sv->form, step, &req->form, fu, nfu, data, &errors)))
        goto done;
    json_array_extend(errors, uerr);
    /* the add/remove buttons of a repeatable group: same step again */
    bool regroup =
        form_get(&req->form, FORM_ADD_BUTTON) || form_get(&req->form, FORM_REMOVE_BUTTON);
    if (regroup)
        aktion = "neu";
    bool forward = strcmp(aktion, "weiter") == 0;
    if (forward && json_array_size(errors)) {
        rc = step_page(req, resp, sv, step, data, errors, 400);
        goto done;
    }
    int reached = d.step;
    if (forward && step + 1 > reached)
        reached = step + 1;
    bool was_new = d.id == 0;
    if ((rc = draft_save(app->store, sv, &d, data, reached, u, nu)))
        goto done;
    if (was_new && (rc = set_draft_cookie(req, resp, sv, d.token)))
        goto done;
    if (strcmp(aktion, "speichern") == 0) {
        const char *link = arena_printf(req->arena, "/antrag/fortsetzen/%s", d.token);
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:i}", "title", "Antrag gespeichert", "service",
                              sv->name, "slug", sv->slug, "link", link, "days", PORTAL_DRAFT_DAYS);
        rc = p ? web_page(req, resp, "portal/gespeichert.html", p) : ERR_NOMEM;
        goto done;
    }
    const char *to;
    if (regroup)
        to = arena_printf(req->arena, "/leistungen/%s/antrag?schritt=%d", sv->slug, step + 1);
    else if (strcmp(aktion, "zurueck") == 0)
        to = arena_printf(req->arena, "/leistungen/%s/antrag?schritt=%d", sv->slug,
                          step > 0 ? step : 1);
    else if (step + 1 >= nsteps)
        to = arena_printf(req->arena, "/leistungen/%s/antrag/pruefen", sv->slug);
    else
        to = arena_printf(req->arena, "/leistungen/%s/antrag?schritt=%d", sv->slug, step + 2);
    rc = to ? http_redirect(req, resp, to) : ERR_NOMEM;
done:
    json_decref(uerr);
    json_decref(errors);
    json_decref(data);
    draft_release(&d);
    return rc;
}

/* Renders the review page; errors (may be NULL) from a failed check. */
static int review_page(struct http_req *req, struct http_resp *resp,
                       const struct portal_service *sv, const json_t *data, const json_t *errors,
                       int status)
{
    struct str review, summary;
    str_init(&review, 0);
    str_init(&summary, 0);
    int nsteps = (int)form_def_steps(sv->form);
    int rc = form_render_review(sv->form, data, &review);
    if (!rc && errors)
        rc = form_render_errors(errors, &summary);
    json_t *d = rc ? NULL : page_data(sv, nsteps);
    if (!rc && !d)
        rc = ERR_NOMEM;
    if (!rc) {
        json_object_set_new(d, "title", json_sprintf("%s – Angaben prüfen", sv->name));
        json_object_set_new(d, "review_html", json_string(review.buf));
        json_object_set_new(d, "errors_html", json_string(summary.buf));
        json_object_set_new(d, "ok", json_boolean(json_array_size(errors) == 0));
        json_object_set_new(d, "last", json_integer(nsteps));
        rc = web_page(req, resp, "portal/pruefen.html", d);
        if (!rc)
            resp->status = status;
    }
    str_release(&review);
    str_release(&summary);
    return rc;
}

static int get_review(struct http_req *req, struct http_resp *resp)
{
    const struct portal_service *sv = service_of(req);
    if (!sv)
        return ERR_NOTFOUND;
    struct draft d;
    int rc = draft_of_cookie(req, sv, &d);
    if (rc)
        return rc;
    if (!d.id || d.step < (int)form_def_steps(sv->form)) {
        const char *to =
            arena_printf(req->arena, "/leistungen/%s/antrag?schritt=%d", sv->slug, d.step + 1);
        draft_release(&d);
        return to ? http_redirect(req, resp, to) : ERR_NOMEM;
    }
    json_t *errors = NULL;
    rc = form_validate(sv->form, d.data, &errors);
    if (!rc)
        rc = review_page(req, resp, sv, d.data, errors, 200);
    json_decref(errors);
    draft_release(&d);
    return rc;
}

/* Redirects to the receipt of the submission made with secret. */
static int to_receipt(struct http_req *req, struct http_resp *resp, const char *secret)
{
    char tok[PORTAL_TOKEN_LEN];
    portal_status_token(secret, tok);
    const char *to = arena_printf(req->arena, "/status/%s/eingang", tok);
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

/* True when a submission with secret exists already. */
static int submitted(struct store *s, const char *secret, bool *ret)
{
    char key[PORTAL_HASH_LEN];
    portal_hash("idem:", secret, key);
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    int64_t n = 0;
    rc = store_query_int(c, &n, "SELECT COUNT(*) FROM submissions WHERE idempotency_key = ?", "t",
                         key);
    store_put(s, c);
    if (!rc)
        *ret = n > 0;
    return rc;
}

/* The draft's files as submission attachments (blob paths). */
static int draft_attachments(struct http_req *req, const struct draft *d, struct portal_file **ret,
                             size_t *ret_n)
{
    struct app *app = req->app;
    size_t n = 0;
    struct portal_file *pf = arena_calloc(req->arena, json_object_size(d->files) + 1, sizeof *pf);
    if (!pf)
        return ERR_NOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(d->files, key, v)
    {
        const char *sha = json_string_value(json_object_get(v, "sha256"));
        if (!data_has_sha(d->data, sha))
            continue;
        struct str p;
        str_init(&p, 8192);
        int rc = blob_path(app->store, sha, &p);
        pf[n].path = rc ? NULL : arena_strdup(req->arena, p.buf);
        str_release(&p);
        if (rc)
            return rc;
        pf[n].field = key;
        pf[n].name = json_string_value(json_object_get(v, "name"));
        pf[n].mime = json_string_value(json_object_get(v, "mime"));
        pf[n].size = json_integer_value(json_object_get(v, "size"));
        snprintf(pf[n].sha256, sizeof pf[n].sha256, "%s", sha);
        n++;
    }
    *ret = pf;
    *ret_n = n;
    return 0;
}

static int post_submit(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const struct portal_service *sv = service_of(req);
    if (!sv)
        return ERR_NOTFOUND;
    if (honeypot_filled(req))
        return message_page(req, resp, 400, "Eingabe nicht verarbeitet", MSG_HONEYPOT, NULL, NULL);
    char tok[64];
    if (form_cookie_get(http_header(req, "Cookie"), cookie_name(req, sv), tok, sizeof tok) != 0)
        return message_page(req, resp, 400, "Kein Antrag gefunden",
                            "Zu diesem Browser gibt es keinen angefangenen Antrag. Bitte füllen "
                            "Sie das Formular aus.",
                            arena_printf(req->arena, "/leistungen/%s/antrag", sv->slug),
                            "Zum Formular");
    bool done = false;
    int rc = submitted(app->store, tok, &done);
    if (rc)
        return rc;
    if (done) /* a repeated click: the same receipt */
        return to_receipt(req, resp, tok);
    struct draft d;
    if ((rc = draft_of_cookie(req, sv, &d)))
        return rc;
    json_t *errors = NULL;
    if (!d.id) {
        rc = message_page(req, resp, 400, "Kein Antrag gefunden",
                          "Der Entwurf ist abgelaufen oder wurde schon abgeschickt. Bitte füllen "
                          "Sie das Formular neu aus.",
                          arena_printf(req->arena, "/leistungen/%s/antrag", sv->slug),
                          "Zum Formular");
        goto done;
    }
    if ((rc = form_validate(sv->form, d.data, &errors)))
        goto done;
    if (json_array_size(errors)) {
        rc = review_page(req, resp, sv, d.data, errors, 400);
        goto done;
    }
    if (portal_rate_check(req->remote ? req->remote : "")) {
        rc = message_page(req, resp, 429, "Zu viele Anträge", MSG_THROTTLED, NULL, NULL);
        goto done;
    }
    struct portal_file *pf;
    size_t npf;
    struct portal_receipt r;
    if ((rc = draft_attachments(req, &d, &pf, &npf)))
        goto done;
    rc = portal_submit(app->store, sv, d.data, pf, npf, d.token, d.id, &r);
    if (rc) {
        log_msg(LOG_ERROR, "Antrag %s: %s", sv->slug, err_name(rc));
        goto done;
    }
    rc = to_receipt(req, resp, d.token);
done:
    json_decref(errors);
    draft_release(&d);
    return rc;
}

/* A whole application in one request: every field of every step. */
static int post_direct(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const struct portal_service *sv = service_of(req);
    if (!sv)
        return ERR_NOTFOUND;
    if (honeypot_filled(req))
        return message_page(req, resp, 400, "Eingabe nicht verarbeitet", MSG_HONEYPOT, NULL, NULL);
    const char *idem = form_get(&req->form, "_idem");
    char rnd[PORTAL_TOKEN_LEN];
    if (idem && *idem) {
        if (strlen(idem) < IDEM_MIN || strlen(idem) > IDEM_MAX)
            return message_page(req, resp, 400, "Eingabe nicht verarbeitet",
                                "Der Wiederholungsschlüssel muss 16 bis 128 Zeichen lang sein.",
                                NULL, NULL);
        bool done = false;
        int rc = submitted(app->store, idem, &done);
        if (rc)
            return rc;
        if (done)
            return to_receipt(req, resp, idem);
    } else {
        portal_token_new(rnd);
        idem = rnd;
    }
    json_t *data = json_object(), *errors = NULL, *uerr = json_array();
    int rc = data && uerr ? 0 : ERR_NOMEM;
    struct upload *u;
    size_t nu;
    struct form_upload *fu;
    size_t nfu;
    if (rc || (rc = uploads_check(req, &u, &nu, uerr)) ||
        (rc = uploads_for_engine(req, u, nu, NULL, &fu, &nfu)))
        goto done;
    if ((rc = form_collect(sv->form, -1, &req->form, fu, nfu, data, &errors)))
        goto done;
    json_array_extend(errors, uerr);
    if (json_array_size(errors)) {
        /* every step with its errors on one page: nothing is stored */
        struct str all, summary;
        str_init(&all, 0);
        str_init(&summary, 0);
        rc = form_render_errors(errors, &summary);
        for (size_t i = 0; !rc && i < form_def_steps(sv->form); i++) {
            str_addf(&all, "<h2>%zu. ", i + 1);
            str_add_html(&all, form_def_step_title(sv->form, i),
                         strlen(form_def_step_title(sv->form, i)));
            str_adds(&all, "</h2>\n");
            rc = form_render_step(sv->form, (int)i, data, errors, &all);
        }
        json_t *d = rc ? NULL : page_data(sv, 0);
        if (!rc && d) {
            json_object_set_new(d, "title", json_sprintf("%s – Angaben korrigieren", sv->name));
            json_object_set_new(d, "form_html", json_string(all.buf));
            json_object_set_new(d, "errors_html", json_string(summary.buf));
            rc = web_page(req, resp, "portal/direkt.html", d);
            if (!rc)
                resp->status = 400;
        } else if (!rc) {
            rc = ERR_NOMEM;
        }
        str_release(&all);
        str_release(&summary);
        goto done;
    }
    if (portal_rate_check(req->remote ? req->remote : "")) {
        rc = message_page(req, resp, 429, "Zu viele Anträge", MSG_THROTTLED, NULL, NULL);
        goto done;
    }
    struct portal_file *pf = arena_calloc(req->arena, nu + 1, sizeof *pf);
    if (!pf) {
        rc = ERR_NOMEM;
        goto done;
    }
    size_t npf = 0;
    for (size_t i = 0; i < nu; i++) {
        if (!data_has_sha(data, u[i].sha256))
            continue;
        pf[npf].field = u[i].f->name;
        pf[npf].name = *u[i].f->filename ? u[i].f->filename : "datei";
        pf[npf].mime = u[i].mime;
        pf[npf].size = (int64_t)u[i].f->size;
        pf[npf].path = u[i].f->tmp_path;
        pf[npf].data = u[i].f->tmp_path ? NULL : u[i].f->value;
        pf[npf].len = u[i].f->tmp_path ? 0 : u[i].f->value_len;
        snprintf(pf[npf].sha256, sizeof pf[npf].sha256, "%s", u[i].sha256);
        npf++;
    }
    struct portal_receipt r;
    rc = portal_submit(app->store, sv, data, pf, npf, idem, 0, &r);
    if (rc) {
        log_msg(LOG_ERROR, "Antrag %s: %s", sv->slug, err_name(rc));
        goto done;
    }
    rc = to_receipt(req, resp, idem);
done:
    json_decref(uerr);
    json_decref(errors);
    json_decref(data);
    return rc;
}

static int get_resume(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct draft d;
    char slug[128] = "";
    int rc = draft_load(app->store, req->param[0], NULL, &d);
    if (rc)
        return rc;
    if (!d.id) {
        /* draft_load does not tell the service of an unknown token */
        return message_page(req, resp, 404, "Link ungültig",
                            "Zu diesem Link gibt es keinen gespeicherten Antrag. Vielleicht "
                            "wurde er schon abgeschickt.",
                            "/leistungen", "Zu den Online-Leistungen");
    }
    if (d.expired) {
        draft_release(&d);
        return message_page(req, resp, 410, "Link abgelaufen",
                            "Dieser Link ist abgelaufen: Gespeicherte Anträge werden 30 Tage "
                            "aufbewahrt. Bitte stellen Sie den Antrag neu.",
                            "/leistungen", "Zu den Online-Leistungen");
    }
    /* the service of the draft */
    struct store_conn *c;
    if ((rc = store_get(app->store, &c)))
        goto done;
    struct store_stmt *st;
    if (!(rc = store_prepare(c, "SELECT service FROM drafts WHERE id = ?", &st))) {
        if (!(rc = store_bind(st, "i", d.id)) && store_step(st) == STORE_ROW)
            snprintf(slug, sizeof slug, "%s", store_col_text(st, 0));
        store_done(st);
    }
    store_put(app->store, c);
    const struct portal_service *sv = portal_service_find(portal_cat, slug);
    if (rc || !sv) {
        rc = rc ? rc : ERR_NOTFOUND;
        goto done;
    }
    if ((rc = set_draft_cookie(req, resp, sv, d.token)))
        goto done;
    int nsteps = (int)form_def_steps(sv->form);
    const char *to =
        d.step >= nsteps
            ? arena_printf(req->arena, "/leistungen/%s/antrag/pruefen", sv->slug)
            : arena_printf(req->arena, "/leistungen/%s/antrag?schritt=%d", sv->slug, d.step + 1);
    rc = to ? http_redirect(req, resp, to) : ERR_NOMEM;
done:
    draft_release(&d);
    return rc;
}

const struct http_route portal_antrag_routes[] = {
    {"GET", "/leistungen/:slug/antrag", get_step, 0},
    {"POST", "/leistungen/:slug/antrag", post_step, HTTP_UPLOAD},
    {"GET", "/leistungen/:slug/antrag/pruefen", get_review, 0},
    {"POST", "/leistungen/:slug/antrag/absenden", post_submit, 0},
    {"POST", "/leistungen/:slug/antrag/direkt", post_direct, HTTP_UPLOAD},
    {"GET", "/antrag/fortsetzen/:token", get_resume, 0},
};
const size_t portal_antrag_routes_count =
    sizeof portal_antrag_routes / sizeof portal_antrag_routes[0];
