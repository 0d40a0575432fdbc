/* The HTTP layer as domains see it: a request, a response, a route table and
 * the server. Domains register `{method, pattern, handler, flags}` tables and
 * write thin handlers; the server (libmicrohttpd underneath, never visible to
 * domains) parses bodies, checks login and CSRF, maps errors to statuses in
 * one place (status.c) and writes one log line per request. */
#ifndef RATHAUS_HTTP_HTTP_H
#define RATHAUS_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "view/embed.h"
#include "base/err.h"
#include "base/str.h"
#include "http/form.h"

/* Named limits of the HTTP layer (see also form.h). */
#define HTTP_MAX_HEADER_BYTES (32 * 1024)               /* request line + headers */
#define HTTP_MAX_BODY_BYTES ((size_t)100 * 1024 * 1024) /* whole body of any request */
#define HTTP_MAX_JSON_BYTES ((size_t)4 * 1024 * 1024)   /* application/json bodies */
#define HTTP_MAX_URLENC_BYTES ((size_t)4 * 1024 * 1024) /* urlencoded bodies */
#define HTTP_MAX_PARAMS 8                               /* path parameters of a route */
#define HTTP_MAX_RESP_HEADERS 16                        /* extra response headers */
#define HTTP_REQ_ARENA_CAP ((size_t)64 * 1024 * 1024)   /* memory of one request */
#define HTTP_MAX_CONNECTIONS 1024                       /* open connections */
#define HTTP_CONN_TIMEOUT_S 60                          /* idle connection timeout */

/* Cookie names. */
#define HTTP_SESSION_COOKIE "rathaus_sid"
#define HTTP_ANON_COOKIE "rathaus_anon"
/* Length of a session id or anonymous id (base64url of 32 random bytes) + NUL. */
#define HTTP_ID_LEN 44

/* Route flags. */
#define HTTP_AUTH 1u    /* only for logged-in users (HTML: redirect to /login, API: 401) */
#define HTTP_NO_CSRF 2u /* unsafe method without CSRF check (machine endpoints) */
#define HTTP_UPLOAD 4u  /* accepts multipart/form-data */

/* Who is logged in, filled by the application's session hook. */
struct http_user {
    int64_t id;        /* users.id, 0 when nobody is logged in */
    const char *login; /* login name (arena) */
    const char *name;  /* display name (arena) */
    int unit_nr;       /* office number */
    unsigned roles;    /* bit set of the application's roles */
};

struct http_server;
struct http_conn_state;

/* One request. Everything it points to lives in its arena. */
struct http_req {
    struct arena *arena;                /* freed when the response is sent */
    const char *method;                 /* "GET", "POST", … */
    const char *path;                   /* decoded path, e.g. "/akten/32.10-2026-0007" */
    const char *param[HTTP_MAX_PARAMS]; /* path parameters in pattern order */
    int nparam;                         /* path parameters set */
    struct form query;                  /* query string fields */
    struct form form;                   /* urlencoded or multipart body fields */
    struct form_multipart *multipart;   /* owner of uploaded temp files, or NULL */
    json_t *json;                       /* application/json body, or NULL (owned by req) */
    struct http_user user;              /* the logged-in user, id 0 if none */
    const char *sid;                    /* valid session cookie value, or NULL */
    bool secure;                        /* reached through TLS (trusted proxy header) */
    bool is_api;                        /* path starts with /api/: errors as JSON */
    const char *remote;                 /* client address as text */
    void *app;                          /* the application context of the server */
    struct http_server *server;         /* the server */
    struct http_conn_state *state;      /* private: libmicrohttpd bookkeeping */
};

/* One extra response header. */
struct http_header {
    const char *name;  /* header name (static or arena) */
    const char *value; /* value (static or arena) */
};

/* The response a handler fills. */
struct http_resp {
    int status;                                        /* 200 unless set */
    struct str body;                                   /* the body */
    const char *content_type;                          /* default text/html; charset=utf-8 */
    struct http_header headers[HTTP_MAX_RESP_HEADERS]; /* extra headers */
    int nheaders;                                      /* headers used */
    int fd;                                            /* file to send instead of body, or -1 */
    uint64_t fd_size;                                  /* bytes of fd to send */
};

/* A handler: fills resp and returns 0, or returns an error code that the
 * server turns into the matching status and a German error page (JSON under
 * /api/). A handler that wants its own error page sets resp and returns 0. */
typedef int (*http_handler)(struct http_req *req, struct http_resp *resp);

/* One row of a route table. Patterns are literal segments, ":name" (one
 * segment, into req->param in order) and a final "*" (the rest). */
struct http_route {
    const char *method;  /* "GET", "POST", … */
    const char *pattern; /* "/akten/:ref/vorgaenge" */
    http_handler fn;     /* the handler */
    unsigned flags;      /* HTTP_AUTH, HTTP_NO_CSRF, HTTP_UPLOAD */
};

struct http_router;

/* Creates an empty router; free with http_router_free(). */
int http_router_new(struct http_router **ret) WUR;

/* Frees the router (accepts NULL). Tables are borrowed, not freed. */
void http_router_free(struct http_router *r);

/* Adds n routes of a static table (borrowed; must outlive the router). */
int http_routes_add(struct http_router *r, const struct http_route *table, size_t n) WUR;

/* Finds the route for method and path; fills req->param. Returns ERR_NOTFOUND
 * when no pattern matches, ERR_METHOD when one matches under another method. */
int http_route_match(const struct http_router *r, const char *method, const char *path,
                     struct http_req *req, const struct http_route **ret) WUR;

/* Application hooks the server calls. */
struct http_hooks {
    /* Loads the session for the request (sets req->user and req->sid), before
     * the login and CSRF checks. Returns 0 or an error. */
    int (*session)(struct http_req *req, struct http_resp *resp);
    /* Renders an HTML error page with status and a German message into resp. */
    void (*error_page)(struct http_req *req, struct http_resp *resp, int status,
                       const char *message);
};

/* Server options. */
struct http_server_opts {
    const char *address;              /* listen address, e.g. "127.0.0.1" or "::" */
    int port;                         /* listen port (0 = any free port) */
    int threads;                      /* worker threads */
    void *app;                        /* passed to handlers as req->app */
    struct http_hooks hooks;          /* application hooks */
    const struct http_router *router; /* routes (borrowed) */
    const struct embed_file *statics; /* files served under /static/ (borrowed) */
    size_t nstatics;                  /* entries in statics */
    const char *tmpdir;               /* where uploads are streamed */
    struct form_limits limits;        /* form limits */
    unsigned char csrf_key[32];       /* secret for CSRF tokens */
};

/* Starts listening; returns with the server running in its own threads.
 * ERR_IO when the address cannot be bound. */
int http_server_start(const struct http_server_opts *opts, struct http_server **ret) WUR;

/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *srv);

/* Stops accepting, waits up to drain_ms for running requests to finish, then
 * stops and frees the server. */
void http_server_stop(struct http_server *srv, int drain_ms);

/* Maps an error code to its HTTP status (the one place that does so). */
int http_status_for(int err);

/* Returns the German status line text ("Nicht gefunden") of a status. */
const char *http_status_text(int status);

/* Returns the request header name or NULL (arena or library memory). */
const char *http_header(struct http_req *req, const char *name);

/* Returns the query parameter name or NULL. */
const char *http_query(struct http_req *req, const char *name);

/* Returns the CSRF token for forms of this request (session-bound when
 * logged in; otherwise bound to an anonymous cookie, which is set on resp if
 * the client has none yet). Never NULL. */
const char *http_csrf(struct http_req *req, struct http_resp *resp);

/* Adds a response header (copied into the arena). ERR_TOOBIG past the limit. */
int http_resp_header(struct http_req *req, struct http_resp *resp, const char *name,
                     const char *value) WUR;

/* Sets a cookie (HttpOnly, SameSite=Strict, Path=/, Secure when req->secure);
 * max_age < 0 makes a session cookie, 0 deletes it. */
int http_set_cookie(struct http_req *req, struct http_resp *resp, const char *name,
                    const char *value, long max_age) WUR;

/* Answers 303 See Other to location. */
int http_redirect(struct http_req *req, struct http_resp *resp, const char *location) WUR;

/* Serializes j (borrowed) as the JSON body with status. */
int http_json(struct http_resp *resp, int status, json_t *j) WUR;

/* Makes a fresh random id (base64url of 32 bytes) into out. */
void http_random_id(char out[HTTP_ID_LEN]);

/* True when a path is safe as a local redirect target ("/x", not "//x"). */
bool http_local_path(const char *p);

#endif
