/* The start page, /healthz, the administration overview (offices, users,
 * settings with the city's logo) and the offices API. The logo is the one
 * upload of the shell: it goes into the blob store like every document. */
#include <magic.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/rtime.h"
#include "store/blob.h"
#include "store/journal.h"
#include "web_int.h"

/* Rows the start page shows of the journal for admins. */
#define HOME_JOURNAL_ROWS 10

static int get_home(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *d = json_pack("{s:s}", "title", req->user.id ? "Startseite" : "Willkommen");
    if (!d)
        return ERR_NOMEM;
    if (req->user.id) {
        struct store_conn *c;
        int rc = store_get(app->store, &c);
        if (rc) {
            json_decref(d);
            return rc;
        }
        struct store_stmt *st;
        rc = store_prepare(c, "SELECT name FROM units WHERE nr = ?", &st);
        if (!rc && !(rc = store_bind(st, "i", (int64_t)req->user.unit_nr)) &&
            store_step(st) == STORE_ROW)
            json_object_set_new(d, "office_name", json_string(store_col_text(st, 0)));
        if (!rc)
            store_done(st);
        if (!rc && (req->user.roles & WEB_ROLE_ADMIN)) {
            json_t *rows = json_array();
            rc = store_prepare(c,
                               "SELECT seq, at, actor, action, object FROM journal"
                               " ORDER BY seq DESC LIMIT ?",
                               &st);
            if (!rc && !(rc = store_bind(st, "i", (int64_t)HOME_JOURNAL_ROWS))) {
                while (store_step(st) == STORE_ROW) {
                    int64_t t = 0;
                    char when[32] = "";
                    if (rtime_parse_iso(store_col_text(st, 1), &t) == 0)
                        rtime_display(t, when, sizeof when);
                    json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq",
                                                          (json_int_t)store_col_int(st, 0), "at",
                                                          when, "actor", store_col_text(st, 2),
                                                          "action", store_col_text(st, 3), "object",
                                                          store_col_text(st, 4)));
                }
            }
            if (!rc)
                store_done(st);
            json_object_set_new(d, "journal", rows);
        }
        store_put(app->store, c);
        if (rc) {
            json_decref(d);
            return rc;
        }
    }
    return web_page(req, resp, "web/home.html", d);
}

static int get_healthz(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct store_conn *c;
    int64_t schema = 0;
    const char *state = "ok";
    int status = 200;
    if (store_get(app->store, &c) == 0) {
        if (store_query_int(c, &schema, "SELECT max(id) FROM schema_migrations", "") != 0) {
            state = "error";
            status = 503;
        }
        store_put(app->store, c);
    } else {
        state = "unavailable";
        status = 503;
    }
    json_t *j = json_pack("{s:s, s:s, s:{s:s, s:s, s:I}}", "status", status == 200 ? "ok" : "error",
                          "version", app->version, "database", "state", state, "engine",
                          store_engine_name(app->store), "schema", (json_int_t)schema);
    if (!j)
        return ERR_NOMEM;
    int rc = http_json(resp, status, j);
    json_decref(j);
    return rc;
}

/* Appends the offices as a JSON array to d[key]. */
static int units_json(struct store_conn *c, json_t **ret)
{
    struct store_stmt *st;
    json_t *arr = json_array();
    if (!arr)
        return ERR_NOMEM;
    int rc = store_prepare(c, "SELECT nr, name FROM units ORDER BY nr", &st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    while ((rc = store_step(st)) == STORE_ROW) {
        char nr[8];
        snprintf(nr, sizeof nr, "%02lld", (long long)store_col_int(st, 0));
        json_array_append_new(arr,
                              json_pack("{s:I, s:s, s:s}", "nr", (json_int_t)store_col_int(st, 0),
                                        "label", nr, "name", store_col_text(st, 1)));
    }
    store_done(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return rc;
    }
    *ret = arr;
    return 0;
}

static int get_admin(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = web_require(req, WEB_ROLE_ADMIN);
    if (rc)
        return rc;
    json_t *users = NULL, *units = NULL;
    if ((rc = web_user_list(app->store, &users)))
        return rc;
    struct store_conn *c;
    if ((rc = store_get(app->store, &c))) {
        json_decref(users);
        return rc;
    }
    rc = units_json(c, &units);
    store_put(app->store, c);
    if (rc) {
        json_decref(users);
        return rc;
    }
    json_t *d = json_pack("{s:s, s:o, s:o, s:b}", "title", "Verwaltung", "users", users, "units",
                          units, "saved", http_query(req, "gespeichert") != NULL);
    if (!d)
        return ERR_NOMEM;
    return web_page(req, resp, "web/admin.html", d);
}

static int settings_page(struct http_req *req, struct http_resp *resp, int status,
                         const char *error, const char *city)
{
    struct app *app = req->app;
    json_t *d = json_pack("{s:s, s:s, s:s?}", "title", "Einstellungen", "city_value",
                          city ? city : app->city, "error", error);
    if (!d)
        return ERR_NOMEM;
    int rc = web_page(req, resp, "web/settings.html", d);
    if (!rc)
        resp->status = status;
    return rc;
}

static int get_settings(struct http_req *req, struct http_resp *resp)
{
    int rc = web_require(req, WEB_ROLE_ADMIN);
    if (rc)
        return rc;
    return settings_page(req, resp, 200, NULL, NULL);
}

/* Decides the logo's type from its bytes (libmagic), never from the client. */
static const char *sniff_image(const char *path)
{
    magic_t m = magic_open(MAGIC_MIME_TYPE);
    const char *r = NULL;
    if (!m)
        return NULL;
    if (magic_load(m, NULL) == 0) {
        const char *t = magic_file(m, path ? path : "");
        if (t && (strcmp(t, "image/png") == 0))
            r = "image/png";
        else if (t && strcmp(t, "image/jpeg") == 0)
            r = "image/jpeg";
    }
    magic_close(m);
    return r;
}

static const char *sniff_image_mem(const char *p, size_t n)
{
    magic_t m = magic_open(MAGIC_MIME_TYPE);
    const char *r = NULL;
    if (!m)
        return NULL;
    if (magic_load(m, NULL) == 0) {
        const char *t = magic_buffer(m, p, n);
        if (t && strcmp(t, "image/png") == 0)
            r = "image/png";
        else if (t && strcmp(t, "image/jpeg") == 0)
            r = "image/jpeg";
    }
    magic_close(m);
    return r;
}

static int post_settings(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = web_require(req, WEB_ROLE_ADMIN);
    if (rc)
        return rc;
    const char *city = form_get(&req->form, "city");
    if (!city || !*city || strlen(city) >= WEB_MAX_CITY)
        return settings_page(req, resp, 400,
                             "Bitte geben Sie den Namen der Kommune an (höchstens 119 Zeichen).",
                             city);
    const struct form_field *logo = form_field(&req->form, "logo");
    const char *mime = NULL;
    if (logo && logo->is_file) {
        if (logo->size > WEB_MAX_LOGO)
            return settings_page(req, resp, 413, "Das Logo darf höchstens 1 MB groß sein.", city);
        mime = logo->tmp_path ? sniff_image(logo->tmp_path)
                              : sniff_image_mem(logo->value, logo->value_len);
        if (!mime)
            return settings_page(req, resp, 415, "Das Logo muss eine PNG- oder JPEG-Datei sein.",
                                 city);
    }
    struct store_conn *c;
    if ((rc = store_get(app->store, &c)))
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    rc = web_setting_set(c, req->user.login, "city", city);
    if (!rc && mime) {
        char sha[BLOB_HEX];
        struct str old;
        str_init(&old, 128);
        int have_old = web_setting_get(c, "logo_sha256", &old) == 0;
        rc = logo->tmp_path ? blob_put_file(app->store, c, logo->tmp_path, sha, NULL)
                            : blob_put_mem(app->store, c, logo->value, logo->value_len, sha);
        if (!rc && have_old)
            rc = blob_unref(c, old.buf);
        if (!rc)
            rc = web_setting_set(c, req->user.login, "logo_sha256", sha);
        if (!rc)
            rc = web_setting_set(c, req->user.login, "logo_mime", mime);
        str_release(&old);
    }
    if (rc) {
        store_rollback(c);
        goto done;
    }
    if ((rc = store_commit(c)))
        goto done;
    snprintf(app->city, sizeof app->city, "%s", city);
    rc = http_redirect(req, resp, "/verwaltung?gespeichert=1");
done:
    store_put(app->store, c);
    return rc;
}

static int get_logo(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    struct str sha, mime;
    str_init(&sha, 128);
    str_init(&mime, 64);
    rc = web_setting_get(c, "logo_sha256", &sha);
    if (!rc)
        rc = web_setting_get(c, "logo_mime", &mime);
    store_put(app->store, c);
    if (!rc) {
        str_init(&resp->body, WEB_MAX_LOGO);
        rc = blob_read(app->store, sha.buf, &resp->body);
        if (rc == ERR_CORRUPT)
            log_msg(LOG_ERROR, "logo blob %s is damaged", sha.buf);
    }
    if (!rc) {
        resp->content_type = mime.buf[0] == 'i'
                                 ? (strcmp(mime.buf, "image/png") == 0 ? "image/png" : "image/jpeg")
                                 : "application/octet-stream";
        rc = http_resp_header(req, resp, "Cache-Control", "public, max-age=300");
    }
    str_release(&sha);
    str_release(&mime);
    return rc;
}

static int get_units_api(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct store_conn *c;
    json_t *units = NULL;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    rc = units_json(c, &units);
    store_put(app->store, c);
    if (rc)
        return rc;
    rc = http_json(resp, 200, units);
    json_decref(units);
    return rc;
}

static int post_units_api(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = web_require(req, WEB_ROLE_ADMIN);
    if (rc)
        return rc;
    json_t *nr = req->json ? json_object_get(req->json, "nr") : NULL;
    json_t *name = req->json ? json_object_get(req->json, "name") : NULL;
    /* range check before the cast to int: 4294968296 must not become 1000 */
    if (!json_is_integer(nr) || !json_is_string(name) || json_integer_value(nr) < 1 ||
        json_integer_value(nr) > 9999)
        return ERR_INVALID;
    rc = web_unit_add(app->store, req->user.login, (int)json_integer_value(nr),
                      json_string_value(name));
    if (rc)
        return rc;
    json_t *j =
        json_pack("{s:I, s:s}", "nr", json_integer_value(nr), "name", json_string_value(name));
    if (!j)
        return ERR_NOMEM;
    rc = http_json(resp, 201, j);
    json_decref(j);
    return rc;
}

static int get_info(struct http_req *req, struct http_resp *resp)
{
    const char *tmpl = NULL, *title = NULL;
    if (strcmp(req->path, "/barrierefreiheit") == 0) {
        tmpl = "web/barrierefreiheit.html";
        title = "Erklärung zur Barrierefreiheit";
    } else if (strcmp(req->path, "/datenschutz") == 0) {
        tmpl = "web/datenschutz.html";
        title = "Datenschutz";
    } else {
        tmpl = "web/impressum.html";
        title = "Impressum";
    }
    json_t *d = json_pack("{s:s}", "title", title);
    if (!d)
        return ERR_NOMEM;
    return web_page(req, resp, tmpl, d);
}

static const struct http_route home_routes[] = {
    {"GET", "/", get_home, 0},
    {"GET", "/healthz", get_healthz, 0},
    {"GET", "/logo", get_logo, 0},
    {"GET", "/impressum", get_info, 0},
    {"GET", "/datenschutz", get_info, 0},
    {"GET", "/barrierefreiheit", get_info, 0},
    {"GET", "/verwaltung", get_admin, HTTP_AUTH},
    {"GET", "/verwaltung/einstellungen", get_settings, HTTP_AUTH},
    {"POST", "/verwaltung/einstellungen", post_settings, HTTP_AUTH | HTTP_UPLOAD},
    {"GET", "/api/v1/units", get_units_api, HTTP_AUTH},
    {"POST", "/api/v1/units", post_units_api, HTTP_AUTH},
};

int web_register(struct http_router *r)
{
    int rc = http_routes_add(r, home_routes, sizeof home_routes / sizeof home_routes[0]);
    if (!rc)
        rc = http_routes_add(r, web_session_routes, web_session_routes_count);
    return rc;
}
