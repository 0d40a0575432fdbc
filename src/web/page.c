/* Page rendering inside the layout: every staff and citizen page gets the
 * city's name, the navigation for the user's roles, the user and the CSRF
 * token from here, so templates stay free of that bookkeeping. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "web.h"

/* Main navigation: label, target, roles that see it (0 = every logged-in
 * user), and whether anonymous visitors see it. Domains add rows here. */
static const struct nav_item {
    const char *label;
    const char *href;
    unsigned roles;
    bool public_;
} nav_items[] = {
    {"Start", "/", 0, true},
    {"Online-Leistungen", "/leistungen", 0, true},
    {"Akten", "/akten", 0, false},
    {"Suche", "/suche", 0, false},
    {"Aufgaben", "/aufgaben", 0, false},
    {"Prozesse", "/prozesse", 0, false},
    {"Aktenplan", "/aktenplan", WEB_ROLE_REGISTRY | WEB_ROLE_ADMIN, false},
    {"Aussonderung", "/aussonderung", WEB_ROLE_REGISTRY | WEB_ROLE_ADMIN, false},
    {"Verwaltung", "/verwaltung", WEB_ROLE_ADMIN, false},
    {"Prozessanalyse", "/prozesse/analyse", WEB_ROLE_HEAD | WEB_ROLE_ADMIN, false},
    {"Strategie", "/strategie", WEB_ROLE_DIGITAL | WEB_ROLE_ADMIN, false},
    {"Abläufe", "/admin/prozesse", WEB_ROLE_ADMIN, false},
};

static bool nav_current(const char *href, const char *path)
{
    size_t n = strlen(href);
    if (n == 1)
        return strcmp(path, "/") == 0;
    return strncmp(path, href, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static json_t *build_nav(const struct http_req *req)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    /* the longest matching target is current: /prozesse/analyse, not also /prozesse */
    size_t cur = SIZE_MAX, cur_len = 0;
    for (size_t i = 0; i < sizeof nav_items / sizeof nav_items[0]; i++)
        if (nav_current(nav_items[i].href, req->path) && strlen(nav_items[i].href) > cur_len) {
            cur = i;
            cur_len = strlen(nav_items[i].href);
        }
    for (size_t i = 0; i < sizeof nav_items / sizeof nav_items[0]; i++) {
        const struct nav_item *it = &nav_items[i];
        bool show = req->user.id ? (!it->roles || (req->user.roles & it->roles)) : it->public_;
        if (!show)
            continue;
        json_t *o =
            json_pack("{s:s, s:s, s:b}", "label", it->label, "href", it->href, "current", i == cur);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int web_page(struct http_req *req, struct http_resp *resp, const char *tmpl, json_t *data)
{
    struct app *app = req->app;
    int rc = ERR_NOMEM;
    json_t *nav = build_nav(req);
    if (!nav)
        goto done;
    if (json_object_set_new(data, "nav", nav))
        goto done;
    if (json_object_set_new(data, "city", json_string(app->city)))
        goto done;
    if (json_object_set_new(data, "csrf", json_string(http_csrf(req, resp))))
        goto done;
    if (req->user.id) {
        json_t *u = json_pack("{s:s, s:s, s:i, s:b}", "name", req->user.name, "login",
                              req->user.login, "office", req->user.unit_nr, "admin",
                              (req->user.roles & WEB_ROLE_ADMIN) != 0);
        if (!u || json_object_set_new(data, "user", u))
            goto done;
    }
    str_reset(&resp->body);
    rc = view_render_page(app->view, tmpl, data, &resp->body);
    if (rc)
        log_msg(LOG_ERROR, "template %s: %s", tmpl, err_name(rc));
    resp->content_type = "text/html; charset=utf-8";
done:
    json_decref(data);
    return rc;
}

void web_error_page(struct http_req *req, struct http_resp *resp, int status, const char *message)
{
    char code[8];
    snprintf(code, sizeof code, "%d", status);
    json_t *d = json_pack("{s:s, s:s, s:s, s:b}", "title", http_status_text(status), "status", code,
                          "message", message, "login_hint", status == 401 || status == 403);
    if (!d || web_page(req, resp, "web/error.html", d) != 0) {
        str_reset(&resp->body);
        resp->content_type = "text/plain; charset=utf-8";
        str_adds(&resp->body, message);
    }
}

int web_page_status(struct http_req *req, struct http_resp *resp, int status, const char *tmpl,
                    json_t *data)
{
    if (!data)
        return ERR_NOMEM;
    int rc = web_page(req, resp, tmpl, data);
    if (!rc)
        resp->status = status;
    return rc;
}
