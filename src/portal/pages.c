/* The public catalogue pages, without login: /leistungen lists the online
 * services with a text search and a topic filter (plain GET forms, so they
 * work without JavaScript), /leistungen/<slug> describes one service with
 * its legal basis, fee, evidence, processing time and maturity level and
 * leads to the application form. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/rtime.h"
#include "portal_int.h"
#include "store/journal.h"
#include "web/web.h"

#define PAGES_MAX_QUERY 200    /* bytes of the search text */
#define FEEDBACK_MAX_TEXT 5000 /* bytes of a feedback message */
#define FEEDBACK_MAX_FIELD 300 /* bytes of page and e-mail */

/* German text of an OZG maturity level. */
static const char *level_text(int level)
{
    return level >= 4 ? "Reifegrad 4: Antrag und Bescheid vollständig online"
                      : "Reifegrad 3: Antrag mit allen Nachweisen vollständig online";
}

static bool matches(const struct portal_service *sv, const char *q)
{
    if (!*q)
        return true;
    return strcasestr(sv->name, q) || strcasestr(sv->description, q) || strcasestr(sv->topic, q) ||
           strcasestr(sv->leika, q);
}

static int page_list(struct http_req *req, struct http_resp *resp)
{
    const struct portal_catalog *cat = portal_cat;
    const char *q = http_query(req, "q"), *topic = http_query(req, "thema");
    if (!q || strlen(q) > PAGES_MAX_QUERY)
        q = "";
    if (!topic || strlen(topic) > PAGES_MAX_QUERY)
        topic = "";
    json_t *d = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "title", "Online-Leistungen", "q", q,
                          "thema", topic, "items", "topics");
    if (!d)
        return ERR_NOMEM;
    json_t *items = json_object_get(d, "items"), *topics = json_object_get(d, "topics");
    for (size_t i = 0; cat && i < cat->n; i++) {
        const struct portal_service *sv = &cat->items[i];
        /* topics in order of first appearance, each once */
        bool seen = false;
        size_t k;
        json_t *t;
        json_array_foreach(topics, k, t)
        {
            if (strcmp(json_string_value(json_object_get(t, "name")), sv->topic) == 0)
                seen = true;
        }
        if (!seen && *sv->topic)
            json_array_append_new(topics, json_pack("{s:s, s:b}", "name", sv->topic, "selected",
                                                    strcmp(topic, sv->topic) == 0));
        if (*topic && strcmp(topic, sv->topic) != 0)
            continue;
        if (!matches(sv, q))
            continue;
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:i}", "slug", sv->slug,
                                               "name", sv->name, "topic", sv->topic, "description",
                                               sv->description, "ozg_level", sv->ozg_level));
    }
    json_object_set_new(d, "count", json_integer((json_int_t)json_array_size(items)));
    json_object_set_new(d, "has_items", json_boolean(json_array_size(items) > 0));
    json_object_set_new(d, "filtered", json_boolean(*q || *topic));
    return web_page(req, resp, "portal/leistungen.html", d);
}

static int page_detail(struct http_req *req, struct http_resp *resp)
{
    const struct portal_service *sv = portal_service_find(portal_cat, req->param[0]);
    if (!sv)
        return ERR_NOTFOUND;
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:b}", "title",
                          sv->name, "slug", sv->slug, "name", sv->name, "leika", sv->leika,
                          "description", sv->description, "legal_basis", sv->legal_basis, "fee",
                          sv->fee, "processing_days", sv->processing_days, "office", sv->office,
                          "level_text", level_text(sv->ozg_level), "steps",
                          (int)form_def_steps(sv->form), "level4", sv->ozg_level >= 4);
    if (!d)
        return ERR_NOMEM;
    json_object_set_new(d, "topic", json_string(sv->topic));
    json_t *ev = json_object_get(sv->def, "evidence");
    if (json_is_array(ev))
        json_object_set(d, "evidence", ev);
    json_object_set_new(d, "has_evidence", json_boolean(json_array_size(ev) > 0));
    return web_page(req, resp, "portal/leistung.html", d);
}

/* The feedback mechanism of the accessibility statement (BITV 2.0 § 7):
 * stored and journaled; the page says thank you. */
static int post_feedback(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const char *msg = form_get(&req->form, "nachricht");
    const char *page = form_get(&req->form, "seite");
    const char *email = form_get(&req->form, "email");
    msg = msg ? msg : "";
    page = page ? page : "";
    email = email ? email : "";
    const char *err = NULL;
    if (!*msg || strspn(msg, " \t\r\n") == strlen(msg))
        err = "Bitte schreiben Sie Ihre Nachricht.";
    else if (strlen(msg) > FEEDBACK_MAX_TEXT)
        err = "Die Nachricht darf höchstens 5000 Zeichen lang sein.";
    else if (strlen(page) > FEEDBACK_MAX_FIELD || strlen(email) > FEEDBACK_MAX_FIELD)
        err = "Seite und E-Mail-Adresse dürfen höchstens 300 Zeichen lang sein.";
    if (err) {
        json_t *d =
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", "Erklärung zur Barrierefreiheit",
                      "fb_fehler", err, "fb_nachricht", msg, "fb_seite", page, "fb_email", email);
        int rc = d ? web_page(req, resp, "web/barrierefreiheit.html", d) : ERR_NOMEM;
        if (!rc)
            resp->status = 400;
        return rc;
    }
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    char at[32];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    int64_t id = 0;
    if (!(rc = store_begin(c, true))) {
        rc = store_query_int(c, &id,
                             "INSERT INTO feedback (message, page, email, created_at)"
                             " VALUES (?, ?, ?, ?) RETURNING id",
                             "tttt", msg, page, email, at);
        char obj[48];
        snprintf(obj, sizeof obj, "feedback:%lld", (long long)id);
        if (!rc)
            rc = journal_append(c, PORTAL_ACTOR, "portal.feedback", obj, NULL, NULL);
        rc = rc ? (store_rollback(c), rc) : store_commit(c);
    }
    store_put(app->store, c);
    if (rc)
        return rc;
    json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "title", "Vielen Dank", "text",
                          "Ihre Nachricht ist eingegangen. Wir antworten innerhalb von sechs "
                          "Wochen, wenn Sie eine E-Mail-Adresse angegeben haben.",
                          "link", "/leistungen", "link_label", "Zu den Online-Leistungen");
    return d ? web_page(req, resp, "portal/meldung.html", d) : ERR_NOMEM;
}

const struct http_route portal_page_routes[] = {
    {"POST", "/barrierefreiheit/feedback", post_feedback, 0},
    {"GET", "/leistungen", page_list, 0},
    {"GET", "/leistungen/:slug", page_detail, 0},
};
const size_t portal_page_routes_count = sizeof portal_page_routes / sizeof portal_page_routes[0];
