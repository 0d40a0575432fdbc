/* The public catalogue pages, without login: /leistungen lists the online
 * services with a text search and a topic filter (plain GET forms, so they
 * work without JavaScript), /leistungen/<slug> describes one service with
 * its legal basis, fee, evidence, processing time and maturity level and
 * leads to the application form. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "portal_int.h"
#include "web/web.h"

#define PAGES_MAX_QUERY 200 /* bytes of the search text */

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
    return strcasestr(sv->name, q) || strcasestr(sv->description, q) ||
           strcasestr(sv->topic, q) || strcasestr(sv->leika, q);
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
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:b}", "title", sv->name,
        "slug", sv->slug, "name", sv->name, "leika", sv->leika, "description", sv->description,
        "legal_basis", sv->legal_basis, "fee", sv->fee, "processing_days", sv->processing_days,
        "office", sv->office, "level_text", level_text(sv->ozg_level), "steps", (int)form_def_steps(sv->form), "level4", sv->ozg_level >= 4);
    if (!d)
        return ERR_NOMEM;
    json_object_set_new(d, "topic", json_string(sv->topic));
    json_t *ev = json_object_get(sv->def, "evidence");
    if (json_is_array(ev))
        json_object_set(d, "evidence", ev);
    json_object_set_new(d, "has_evidence", json_boolean(json_array_size(ev) > 0));
    return web_page(req, resp, "portal/leistung.html", d);
}

const struct http_route portal_page_routes[] = {
    {"GET", "/leistungen", page_list, 0},
    {"GET", "/leistungen/:slug", page_detail, 0},
};
const size_t portal_page_routes_count = sizeof portal_page_routes / sizeof portal_page_routes[0];
