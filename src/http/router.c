/* The route table: patterns are matched segment by segment, in the order the
 * domains registered them. A linear scan is fast enough for a few hundred
 * routes and keeps the matching rules obvious. */
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* Route tables a router can hold. */
#define ROUTER_MAX_TABLES 64

struct route_table {
    const struct http_route *rows; /* borrowed */
    size_t n;                      /* rows */
};

struct http_router {
    struct route_table tables[ROUTER_MAX_TABLES]; /* registered tables */
    size_t ntables;                               /* tables used */
};

int http_router_new(struct http_router **ret)
{
    struct http_router *r = calloc(1, sizeof *r);
    if (!r)
        return ERR_NOMEM;
    *ret = r;
    return 0;
}

void http_router_free(struct http_router *r)
{
    free(r);
}

int http_routes_add(struct http_router *r, const struct http_route *table, size_t n)
{
    if (r->ntables == ROUTER_MAX_TABLES)
        return ERR_TOOBIG;
    r->tables[r->ntables].rows = table;
    r->tables[r->ntables].n = n;
    r->ntables++;
    return 0;
}

/* Matches path against pattern; on success writes params into req. */
static bool match(const char *pat, const char *path, struct http_req *req)
{
    const char *params[HTTP_MAX_PARAMS];
    size_t plen[HTTP_MAX_PARAMS];
    int np = 0;
    const char *p = pat, *s = path;
    while (*p && *s) {
        if (*p == '*' && p[1] == '\0') {
            if (np == HTTP_MAX_PARAMS)
                return false;
            params[np] = s;
            plen[np++] = strlen(s);
            s += strlen(s);
            p++;
            break;
        }
        if (*p == ':') {
            const char *pe = strchr(p, '/');
            const char *se = strchr(s, '/');
            size_t sl = se ? (size_t)(se - s) : strlen(s);
            if (sl == 0 || np == HTTP_MAX_PARAMS)
                return false;
            params[np] = s;
            plen[np++] = sl;
            s += sl;
            p = pe ? pe : p + strlen(p);
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    if (*p == '*' && p[1] == '\0' && *s == '\0') {
        if (np == HTTP_MAX_PARAMS)
            return false;
        params[np] = s;
        plen[np++] = 0;
        p++;
    }
    if (*p || *s)
        return false;
    if (req) {
        for (int i = 0; i < np; i++) {
            req->param[i] = arena_strndup(req->arena, params[i], plen[i]);
            if (!req->param[i])
                return false;
        }
        req->nparam = np;
    }
    return true;
}

int http_route_match(const struct http_router *r, const char *method, const char *path,
                     struct http_req *req, const struct http_route **ret)
{
    bool other_method = false;
    for (size_t t = 0; t < r->ntables; t++) {
        for (size_t i = 0; i < r->tables[t].n; i++) {
            const struct http_route *rt = &r->tables[t].rows[i];
            bool same = strcmp(rt->method, method) == 0 ||
                        (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
            if (!same) {
                if (!other_method && match(rt->pattern, path, NULL))
                    other_method = true;
                continue;
            }
            if (match(rt->pattern, path, req)) {
                *ret = rt;
                return 0;
            }
        }
    }
    return other_method ? ERR_METHOD : ERR_NOTFOUND;
}
