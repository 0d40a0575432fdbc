/* The HTTP server on libmicrohttpd: body parsing with named limits, the
 * pipeline route → session → login check → CSRF check → handler, security
 * headers on every response, static files, and one log line per request.
 * Nothing of libmicrohttpd leaks into http.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/rtime.h"
#include "http.h"

#define HTTP_CSP                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

enum body_kind { BODY_NONE, BODY_URLENC, BODY_MULTIPART, BODY_JSON, BODY_OTHER };

struct static_meta {
    char etag[24]; /* quoted short hash of the content */
};

struct http_server {
    struct MHD_Daemon *d;         /* the daemon */
    struct http_server_opts opts; /* copy of the options */
    int port;                     /* bound port */
    struct static_meta *meta;     /* one per static file */
    atomic_int inflight;          /* requests between first call and completion */
};

struct http_conn_state {
    struct arena arena;             /* the request's memory */
    struct http_req req;            /* the request */
    struct http_resp resp;          /* the response being built */
    enum body_kind kind;            /* what the body is parsed as */
    struct str raw;                 /* urlencoded or JSON body bytes */
    int err;                        /* first body error (sticky) */
    uint64_t received;              /* body bytes received */
    int64_t t0;                     /* start, monotonic µs */
    int status;                     /* status sent */
    uint64_t bytes;                 /* body bytes sent */
    bool queued;                    /* a response was queued */
    bool is_static;                 /* a GET of /static/… */
    bool need_login;                /* the route needs a login and there is none */
    const struct http_route *route; /* the matched route, or NULL */
    struct MHD_Connection *c;       /* the connection */
};

const char *http_header(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->state->c, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_req *req, const char *name)
{
    return form_get(&req->query, name);
}

int http_resp_header(struct http_req *req, struct http_resp *resp, const char *name,
                     const char *value)
{
    if (resp->nheaders == HTTP_MAX_RESP_HEADERS)
        return ERR_TOOBIG;
    const char *n = arena_strdup(req->arena, name);
    const char *v = arena_strdup(req->arena, value);
    if (!n || !v)
        return ERR_NOMEM;
    resp->headers[resp->nheaders].name = n;
    resp->headers[resp->nheaders].value = v;
    resp->nheaders++;
    return 0;
}

int http_set_cookie(struct http_req *req, struct http_resp *resp, const char *name,
                    const char *value, long max_age)
{
    char age[48] = "";
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
    const char *v = arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name,
                                 value, age, req->secure ? "; Secure" : "");
    if (!v)
        return ERR_NOMEM;
    return http_resp_header(req, resp, "Set-Cookie", v);
}

int http_redirect(struct http_req *req, struct http_resp *resp, const char *location)
{
    resp->status = 303;
    return http_resp_header(req, resp, "Location", location);
}

int http_json(struct http_resp *resp, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!s)
        return ERR_NOMEM;
    str_reset(&resp->body);
    str_adds(&resp->body, s);
    free(s);
    resp->status = status;
    resp->content_type = "application/json";
    return resp->body.err;
}

void http_random_id(char out[HTTP_ID_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, HTTP_ID_LEN, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool http_local_path(const char *p)
{
    return p && p[0] == '/' && p[1] != '/' && p[1] != '\\' && !strpbrk(p, "\r\n");
}

/* token = base64url(HMAC-SHA256(key, "csrf:" ‖ id)). */
static void csrf_for(const unsigned char key[32], const char *id, char out[HTTP_ID_LEN])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, 32);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(out, HTTP_ID_LEN, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The id the CSRF token is bound to: the valid session, else the anonymous
 * cookie; NULL when the client has neither. */
static const char *csrf_subject(struct http_req *req)
{
    if (req->sid)
        return req->sid;
    char buf[HTTP_ID_LEN];
    if (form_cookie_get(http_header(req, "Cookie"), HTTP_ANON_COOKIE, buf, sizeof buf) != 0 ||
        strlen(buf) != HTTP_ID_LEN - 1)
        return NULL;
    return arena_strdup(req->arena, buf);
}

const char *http_csrf(struct http_req *req, struct http_resp *resp)
{
    const char *subj = csrf_subject(req);
    if (!subj) {
        char id[HTTP_ID_LEN];
        http_random_id(id);
        if (http_set_cookie(req, resp, HTTP_ANON_COOKIE, id, -1) != 0)
            return "";
        subj = arena_strdup(req->arena, id);
        if (!subj)
            return "";
    }
    char tok[HTTP_ID_LEN];
    csrf_for(req->server->opts.csrf_key, subj, tok);
    const char *r = arena_strdup(req->arena, tok);
    return r ? r : "";
}

static int csrf_check(struct http_req *req)
{
    const char *subj = csrf_subject(req);
    const char *got = form_get(&req->form, "_csrf");
    if (!got)
        got = http_header(req, "X-CSRF-Token");
    if (!subj || !got || strlen(got) != HTTP_ID_LEN - 1)
        return ERR_CSRF;
    char want[HTTP_ID_LEN];
    csrf_for(req->server->opts.csrf_key, subj, want);
    return sodium_memcmp(want, got, HTTP_ID_LEN - 1) == 0 ? 0 : ERR_CSRF;
}

static void free_body(void *p)
{
    free(p);
}

static const char *mime_for(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return "application/octet-stream";
    static const struct {
        const char *ext, *mime;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].mime;
    return "application/octet-stream";
}

static void add_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", HTTP_CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

/* Queues st->resp (or a static buffer) on the connection. */
static enum MHD_Result send_resp(struct http_conn_state *st)
{
    struct http_resp *resp = &st->resp;
    struct MHD_Response *r;
    if (resp->fd >= 0) {
        r = MHD_create_response_from_fd64(resp->fd_size, resp->fd);
        resp->fd = -1; /* libmicrohttpd closes it */
        st->bytes = resp->fd_size;
    } else {
        size_t len = resp->body.len;
        char *body = str_detach(&resp->body, NULL);
        if (!body)
            return MHD_NO;
        r = MHD_create_response_from_buffer_with_free_callback(len, body, free_body);
        if (!r)
            free(body);
        st->bytes = len;
    }
    if (!r)
        return MHD_NO;
    add_common_headers(r);
    MHD_add_response_header(r, "Content-Type",
                            resp->content_type ? resp->content_type : "text/html; charset=utf-8");
    bool has_cache = false;
    for (int i = 0; i < resp->nheaders; i++) {
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
        if (strcasecmp(resp->headers[i].name, "Cache-Control") == 0)
            has_cache = true;
    }
    if (!has_cache)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    st->status = resp->status;
    enum MHD_Result ok = MHD_queue_response(st->c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    st->queued = true;
    return ok;
}

/* Fills resp with the error page (HTML) or JSON for status/err. */
static void error_resp(struct http_conn_state *st, int status, const char *msg)
{
    struct http_req *req = &st->req;
    struct http_resp *resp = &st->resp;
    str_reset(&resp->body);
    resp->nheaders = 0;
    resp->content_type = NULL;
    if (resp->fd >= 0) {
        close(resp->fd);
        resp->fd = -1;
    }
    resp->status = status;
    if (status == 405 && http_resp_header(req, resp, "Allow", "GET, HEAD, POST") != 0)
        log_msg(LOG_WARN, "Allow header not set");
    if (req->is_api || !req->server->opts.hooks.error_page) {
        json_t *j = json_pack("{s:i, s:s}", "status", status, "error", msg);
        if (j && http_json(resp, status, j) == 0) {
            json_decref(j);
            return;
        }
        json_decref(j);
        resp->content_type = "text/plain; charset=utf-8";
        str_adds(&resp->body, msg);
        return;
    }
    req->server->opts.hooks.error_page(req, resp, status, msg);
    resp->status = status;
}

static bool is_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

static int serve_static(struct http_server *srv, struct http_conn_state *st)
{
    const char *name = st->req.path + strlen("/static/");
    for (size_t i = 0; i < srv->opts.nstatics; i++) {
        const struct embed_file *f = &srv->opts.statics[i];
        if (strcmp(f->name, name) != 0)
            continue;
        const char *inm = http_header(&st->req, "If-None-Match");
        struct MHD_Response *r;
        unsigned status = 200;
        if (inm && strcmp(inm, srv->meta[i].etag) == 0) {
            status = 304;
            r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        } else {
            r = MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
            st->bytes = f->len;
        }
        if (!r)
            return ERR_NOMEM;
        add_common_headers(r);
        MHD_add_response_header(r, "Content-Type", mime_for(f->name));
        MHD_add_response_header(r, "Cache-Control", "public, max-age=3600");
        MHD_add_response_header(r, "ETag", srv->meta[i].etag);
        st->status = (int)status;
        enum MHD_Result ok = MHD_queue_response(st->c, status, r);
        MHD_destroy_response(r);
        st->queued = true;
        return ok == MHD_YES ? 0 : ERR_INTERNAL;
    }
    return ERR_NOTFOUND;
}

/* Runs the pipeline for a complete request and queues the response. */
static enum MHD_Result dispatch(struct http_server *srv, struct http_conn_state *st)
{
    struct http_req *req = &st->req;
    struct http_resp *resp = &st->resp;
    const struct http_route *route = st->route;
    int rc = st->err;
    if (rc)
        goto fail;
    if (st->is_static) {
        rc = serve_static(srv, st);
        if (rc == 0)
            return MHD_YES;
        goto fail;
    }
    if (st->need_login) {
        if (req->is_api) {
            rc = ERR_AUTH;
            goto fail;
        }
        const char *next = arena_printf(req->arena, "/login?weiter=%s", req->path);
        if (!next || http_redirect(req, resp, next) != 0) {
            rc = ERR_NOMEM;
            goto fail;
        }
        return send_resp(st);
    }
    if (is_unsafe(req->method) && !(route->flags & HTTP_NO_CSRF) && (rc = csrf_check(req)))
        goto fail;
    rc = route->fn(req, resp);
    if (rc)
        goto fail;
    return send_resp(st);
fail:;
    int status = http_status_for(rc);
    const char *msg = err_message(rc);
    if (rc == ERR_NOTFOUND)
        msg = "Die angeforderte Seite gibt es nicht. Bitte prüfen Sie die Adresse.";
    else if (rc == ERR_TOOBIG)
        msg = "Die Anfrage ist zu groß. Bitte verkleinern Sie die Datei oder die Eingaben.";
    if (status >= 500)
        log_msg(LOG_ERROR, "%s %s: %s", req->method, req->path, err_name(rc));
    error_resp(st, status, msg);
    return send_resp(st);
}

static void set_remote(struct http_conn_state *st)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(st->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char buf[INET6_ADDRSTRLEN] = "?";
    bool loopback = false;
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
            inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
            loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        } else if (sa->sa_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
            inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
            loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        }
    }
    /* Trust the proxy headers only from a proxy on this machine; the last
     * X-Forwarded-For entry is the address that proxy saw. */
    const char *remote = buf;
    const char *xff = MHD_lookup_connection_value(st->c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (loopback && xff && *xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        if (*last && strlen(last) < INET6_ADDRSTRLEN)
            remote = last;
    }
    st->req.remote = arena_strdup(&st->arena, remote);
    if (!st->req.remote)
        st->req.remote = "?";
    const char *xfp = MHD_lookup_connection_value(st->c, MHD_HEADER_KIND, "X-Forwarded-Proto");
    st->req.secure = loopback && xfp && strcmp(xfp, "https") == 0;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct http_conn_state *st = cls;
    struct form *f = &st->req.query;
    if (f->n >= FORM_MAX_FIELDS_DEFAULT) {
        st->err = ERR_TOOBIG;
        return MHD_NO;
    }
    if (f->n == f->alloc) {
        size_t na = f->alloc ? f->alloc * 2 : 8;
        struct form_field *nf = arena_calloc(&st->arena, na, sizeof *nf);
        if (!nf) {
            st->err = ERR_NOMEM;
            return MHD_NO;
        }
        if (f->n)
            memcpy(nf, f->fields, f->n * sizeof *nf);
        f->fields = nf;
        f->alloc = na;
    }
    struct form_field *fld = &f->fields[f->n];
    fld->name = arena_strdup(&st->arena, key);
    fld->value = arena_strdup(&st->arena, value ? value : "");
    if (!fld->name || !fld->value) {
        st->err = ERR_NOMEM;
        return MHD_NO;
    }
    fld->value_len = strlen(fld->value);
    fld->size = fld->value_len;
    f->n++;
    return MHD_YES;
}

/* First call for a request: set up the state and decide how to read the body. */
static struct http_conn_state *begin(struct http_server *srv, struct MHD_Connection *c,
                                     const char *url, const char *method)
{
    struct http_conn_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    atomic_fetch_add(&srv->inflight, 1);
    st->t0 = rtime_mono_us();
    st->c = c;
    arena_init(&st->arena, HTTP_REQ_ARENA_CAP);
    str_init(&st->raw, HTTP_MAX_JSON_BYTES);
    str_init(&st->resp.body, 0);
    st->resp.status = 200;
    st->resp.fd = -1;
    struct http_req *req = &st->req;
    req->arena = &st->arena;
    req->server = srv;
    req->state = st;
    req->app = srv->opts.app;
    req->method = arena_strdup(&st->arena, method);
    req->path = arena_strdup(&st->arena, url);
    if (!req->method || !req->path) {
        req->method = method;
        req->path = "/";
        st->err = ERR_NOMEM;
        return st;
    }
    req->is_api = strncmp(url, "/api/", 5) == 0;
    set_remote(st);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, st);

    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    long len = 0;
    if (cl && str_to_long(cl, 0, 0x7fffffffffffL, &len) == 0 && (size_t)len > HTTP_MAX_BODY_BYTES)
        st->err = ERR_TOOBIG;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!ct)
        st->kind = BODY_OTHER;
    else if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
        st->kind = BODY_URLENC;
    else if (strncasecmp(ct, "multipart/form-data", 19) == 0)
        st->kind = BODY_MULTIPART;
    else if (strncasecmp(ct, "application/json", 16) == 0)
        st->kind = BODY_JSON;
    else
        st->kind = BODY_OTHER;
    if (st->kind == BODY_URLENC)
        st->raw.cap = HTTP_MAX_URLENC_BYTES;
    if (st->err)
        return st;
    /* Route, session and login are settled before the body is read, so a
     * body that nobody will accept is dropped instead of parsed or stored. */
    if (strncmp(url, "/static/", 8) == 0 &&
        (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        st->is_static = true;
        return st;
    }
    int rc = http_route_match(srv->opts.router, req->method, req->path, req, &st->route);
    /* the session also for 404/405, so their error pages show who is logged in */
    if ((!rc || rc == ERR_NOTFOUND || rc == ERR_METHOD) && srv->opts.hooks.session) {
        int src = srv->opts.hooks.session(req, &st->resp);
        if (!rc)
            rc = src;
    }
    if (!rc && (st->route->flags & HTTP_AUTH) && req->user.id == 0)
        st->need_login = true;
    else if (!rc && st->kind == BODY_MULTIPART && !(st->route->flags & HTTP_UPLOAD))
        rc = ERR_MEDIATYPE;
    else if (!rc && st->kind == BODY_MULTIPART)
        rc = form_multipart_new(ct, &srv->opts.limits, srv->opts.tmpdir, &st->arena,
                                &req->multipart);
    if (rc)
        st->err = rc;
    return st;
}

static void feed(struct http_conn_state *st, const char *data, size_t n)
{
    st->received += n;
    if (st->received > HTTP_MAX_BODY_BYTES) {
        st->err = ERR_TOOBIG;
        return;
    }
    if (st->need_login || st->is_static)
        return;
    switch (st->kind) {
    case BODY_URLENC:
    case BODY_JSON:
        if (str_add(&st->raw, data, n))
            st->err = ERR_TOOBIG;
        break;
    case BODY_MULTIPART: {
        int rc = form_multipart_feed(st->req.multipart, data, n);
        if (rc)
            st->err = rc;
        break;
    }
    case BODY_NONE:
    case BODY_OTHER:
        if (st->received > 0 && st->kind == BODY_OTHER && n)
            st->err = ERR_MEDIATYPE;
        break;
    }
}

static void finish_body(struct http_server *srv, struct http_conn_state *st)
{
    int rc = 0;
    switch (st->kind) {
    case BODY_URLENC:
        rc = form_urlencoded_parse(&st->arena, st->raw.buf, st->raw.len, &srv->opts.limits,
                                   &st->req.form);
        break;
    case BODY_MULTIPART: rc = form_multipart_finish(st->req.multipart, &st->req.form); break;
    case BODY_JSON:
        if (st->raw.len) {
            json_error_t je;
            st->req.json = json_loadb(st->raw.buf, st->raw.len, JSON_REJECT_DUPLICATES, &je);
            if (!st->req.json)
                rc = ERR_INVALID;
        }
        break;
    default: break;
    }
    if (rc)
        st->err = rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *srv = cls;
    struct http_conn_state *st = *con_cls;
    if (!st) {
        st = begin(srv, c, url, method);
        if (!st)
            return MHD_NO;
        *con_cls = st;
        if (st->err == ERR_TOOBIG) /* answer before reading a body that is too big */
            return dispatch(srv, st);
        return MHD_YES;
    }
    if (st->queued) { /* response already sent early: discard the rest */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!st->err)
            feed(st, upload_data, *upload_data_size);
        /* After an error the rest of the body is read and dropped: a client
         * that is still sending would miss an early answer (the connection
         * is reset under it). Content-Length above the limit is refused
         * before the body, in the first call. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!st->err && !st->need_login && !st->is_static)
        finish_body(srv, st);
    return dispatch(srv, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    struct http_server *srv = cls;
    struct http_conn_state *st = *con_cls;
    if (!st)
        return;
    log_request(st->req.method, st->req.path, st->status, st->bytes, rtime_mono_us() - st->t0);
    form_multipart_free(st->req.multipart);
    if (st->req.json)
        json_decref(st->req.json);
    if (st->resp.fd >= 0)
        close(st->resp.fd);
    str_release(&st->resp.body);
    str_release(&st->raw);
    arena_release(&st->arena);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_msg(LOG_WARN, "http: %s", line);
}

int http_server_start(const struct http_server_opts *opts, struct http_server **ret)
{
    struct http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return ERR_NOMEM;
    srv->opts = *opts;
    srv->meta = calloc(opts->nstatics ? opts->nstatics : 1, sizeof *srv->meta);
    if (!srv->meta) {
        free(srv);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < opts->nstatics; i++) {
        unsigned char h[8];
        char hex[17];
        crypto_generichash(h, sizeof h, opts->statics[i].data, opts->statics[i].len, NULL, 0);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        snprintf(srv->meta[i].etag, sizeof srv->meta[i].etag, "\"%s\"", hex);
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, opts->address, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)opts->port);
    } else if (inet_pton(AF_INET6, opts->address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)opts->port);
        flags |= MHD_USE_IPv6;
    } else {
        free(srv->meta);
        free(srv);
        return ERR_INVALID;
    }
    srv->d = MHD_start_daemon(
        flags, (uint16_t)opts->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(opts->threads > 0 ? opts->threads : 2), MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MAX_HEADER_BYTES * 2,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)HTTP_CONN_TIMEOUT_S, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
    if (!srv->d) {
        free(srv->meta);
        free(srv);
        return ERR_IO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : opts->port;
    *ret = srv;
    return 0;
}

int http_server_port(const struct http_server *srv)
{
    return srv->port;
}

void http_server_stop(struct http_server *srv, int drain_ms)
{
    if (!srv)
        return;
    MHD_socket fd = MHD_quiesce_daemon(srv->d);
    int waited = 0;
    while (atomic_load(&srv->inflight) > 0 && waited < drain_ms) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        waited += 20;
    }
    MHD_stop_daemon(srv->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    free(srv->meta);
    free(srv);
}
