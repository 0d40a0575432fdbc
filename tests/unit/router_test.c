/* Unit tests of the route table in http/router.c: literal segments, ":name"
 * parameters, a trailing "*", HEAD served by GET routes, the difference
 * between ERR_METHOD and ERR_NOTFOUND, registration order and the copies of
 * parameters in the request's arena. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http/http.h"

/* Distinct handlers so a test can tell which route matched. */
static int h_home(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
    return 1;
}

static int h_akten(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
    return 2;
}

static int h_akte(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
    return 3;
}

static int h_akte_post(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
    return 4;
}

static int h_vorgang(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
    return 5;
}

static int h_static(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
    return 6;
}

static int h_new(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
    return 7;
}

static const struct http_route table_a[] = {
    {"GET", "/", h_home, 0},
    {"GET", "/akten", h_akten, HTTP_AUTH},
    {"GET", "/akten/neu", h_new, HTTP_AUTH}, /* before :ref, so it wins */
    {"GET", "/akten/:ref", h_akte, HTTP_AUTH},
    {"POST", "/akten/:ref", h_akte_post, HTTP_AUTH},
    {"GET", "/akten/:ref/vorgaenge/:nr", h_vorgang, HTTP_AUTH},
};

static const struct http_route table_b[] = {
    {"GET", "/static/*", h_static, 0},
    {"DELETE", "/api/sessions/:id", h_home, HTTP_NO_CSRF},
    {"GET", "/akten/:ref/x", h_akte, 0},
};

struct fx {
    struct http_router *r; /* router with table_a and table_b */
    struct arena a;        /* the request arena */
    struct http_req req;   /* a request using a */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (http_router_new(&f->r))
        return -1;
    if (http_routes_add(f->r, table_a, sizeof table_a / sizeof table_a[0]) ||
        http_routes_add(f->r, table_b, sizeof table_b / sizeof table_b[0]))
        return -1;
    arena_init(&f->a, 0);
    f->req.arena = &f->a;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    http_router_free(f->r);
    arena_release(&f->a);
    free(f);
    return 0;
}

/* Matches and returns the handler's number, or the error code. */
static int route(struct fx *f, const char *method, const char *path)
{
    const struct http_route *rt = NULL;
    f->req.nparam = -1;
    int rc = http_route_match(f->r, method, path, &f->req, &rt);
    if (rc)
        return rc;
    assert_non_null(rt);
    return rt->fn(&f->req, NULL);
}

static void test_literal(void **state)
{
    struct fx *f = *state;
    assert_int_equal(route(f, "GET", "/"), 1);
    assert_int_equal(f->req.nparam, 0);
    assert_int_equal(route(f, "GET", "/akten"), 2);
    assert_int_equal(f->req.nparam, 0);
    assert_int_equal(route(f, "GET", "/akten/neu"), 7);
    assert_int_equal(f->req.nparam, 0);
    /* no prefix or suffix matches */
    assert_int_equal(route(f, "GET", "/akte"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/aktenx"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", ""), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/Akten"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "//"), ERR_NOTFOUND);

    /* the matched row is returned with its flags */
    const struct http_route *rt = NULL;
    assert_int_equal(http_route_match(f->r, "GET", "/akten", &f->req, &rt), 0);
    assert_ptr_equal(rt, &table_a[1]);
    assert_int_equal(rt->flags, HTTP_AUTH);
}

static void test_param(void **state)
{
    struct fx *f = *state;
    assert_int_equal(route(f, "GET", "/akten/32.10-2026-0007"), 3);
    assert_int_equal(f->req.nparam, 1);
    assert_string_equal(f->req.param[0], "32.10-2026-0007");
    /* the value is a copy in the arena, not a pointer into the path */
    char path[] = "/akten/abc";
    assert_int_equal(route(f, "GET", path), 3);
    path[7] = 'X';
    assert_string_equal(f->req.param[0], "abc");
    /* a parameter is one non-empty segment */
    assert_int_equal(route(f, "GET", "/akten/"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/akten/a/b"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/akten//"), ERR_NOTFOUND);
}

static void test_multiple_params(void **state)
{
    struct fx *f = *state;
    assert_int_equal(route(f, "GET", "/akten/A-1/vorgaenge/17"), 5);
    assert_int_equal(f->req.nparam, 2);
    assert_string_equal(f->req.param[0], "A-1");
    assert_string_equal(f->req.param[1], "17");
    /* literal after a parameter must match exactly */
    assert_int_equal(route(f, "GET", "/akten/A-1/vorgang/17"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/akten/A-1/vorgaenge/"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/akten/A-1/vorgaenge"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/akten/A-1/vorgaenge/17/"), ERR_NOTFOUND);
    /* a route of the second table */
    assert_int_equal(route(f, "GET", "/akten/B/x"), 3);
    assert_int_equal(f->req.nparam, 1);
    assert_string_equal(f->req.param[0], "B");
    /* a failed match after a successful one does not matter: nparam is fresh */
    assert_int_equal(route(f, "GET", "/akten/A-1/vorgaenge/17"), 5);
    assert_int_equal(route(f, "GET", "/"), 1);
    assert_int_equal(f->req.nparam, 0);
}

static void test_star(void **state)
{
    struct fx *f = *state;
    assert_int_equal(route(f, "GET", "/static/app.css"), 6);
    assert_int_equal(f->req.nparam, 1);
    assert_string_equal(f->req.param[0], "app.css");
    assert_int_equal(route(f, "GET", "/static/js/vendor/x.js"), 6);
    assert_string_equal(f->req.param[0], "js/vendor/x.js");
    assert_int_equal(route(f, "GET", "/static/"), 6);
    assert_int_equal(f->req.nparam, 1);
    assert_string_equal(f->req.param[0], "");
    /* the literal part before * must still match */
    assert_int_equal(route(f, "GET", "/static"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/staticx/a"), ERR_NOTFOUND);
    assert_int_equal(route(f, "POST", "/static/app.css"), ERR_METHOD);
}

static void test_head_and_methods(void **state)
{
    struct fx *f = *state;
    /* HEAD is served by GET routes */
    assert_int_equal(route(f, "HEAD", "/"), 1);
    assert_int_equal(route(f, "HEAD", "/akten/A-1/vorgaenge/9"), 5);
    assert_string_equal(f->req.param[1], "9");
    assert_int_equal(route(f, "HEAD", "/static/a"), 6);
    /* but not by POST or DELETE routes */
    assert_int_equal(route(f, "HEAD", "/api/sessions/abc"), ERR_METHOD);

    /* same pattern, different methods */
    assert_int_equal(route(f, "GET", "/akten/A-1"), 3);
    assert_int_equal(route(f, "POST", "/akten/A-1"), 4);
    assert_string_equal(f->req.param[0], "A-1");
    assert_int_equal(route(f, "DELETE", "/api/sessions/s1"), 1);
    assert_string_equal(f->req.param[0], "s1");

    /* a path that exists under another method: 405, else 404 */
    assert_int_equal(route(f, "POST", "/"), ERR_METHOD);
    assert_int_equal(route(f, "PUT", "/akten/A-1"), ERR_METHOD);
    assert_int_equal(route(f, "GET", "/api/sessions/s1"), ERR_METHOD);
    assert_int_equal(route(f, "POST", "/nirgends"), ERR_NOTFOUND);
    assert_int_equal(route(f, "GET", "/nirgends"), ERR_NOTFOUND);
    assert_int_equal(route(f, "DELETE", "/api/sessions/"), ERR_NOTFOUND);
    /* methods are case-sensitive tokens */
    assert_int_equal(route(f, "get", "/"), ERR_METHOD);
}

static void test_empty_and_table_limit(void **state)
{
    (void)state;
    /* an empty router finds nothing */
    struct http_router *r;
    assert_int_equal(http_router_new(&r), 0);
    const struct http_route *rt = NULL;
    struct arena a;
    arena_init(&a, 0);
    struct http_req req = {.arena = &a};
    assert_int_equal(http_route_match(r, "GET", "/", &req, &rt), ERR_NOTFOUND);
    assert_null(rt);
    /* the table limit is enforced */
    static const struct http_route one[] = {{"GET", "/", h_home, 0}};
    int rc = 0, added = 0;
    while ((rc = http_routes_add(r, one, 1)) == 0 && added < 1000)
        added++;
    assert_int_equal(rc, ERR_TOOBIG);
    assert_true(added > 0 && added < 1000);
    assert_int_equal(http_route_match(r, "GET", "/", &req, &rt), 0);
    assert_ptr_equal(rt, &one[0]);
    http_router_free(r);
    http_router_free(NULL);
    arena_release(&a);
}

static void test_param_limit(void **state)
{
    (void)state;
    /* a pattern with more parameters than HTTP_MAX_PARAMS can never match
     * and must not write past req->param */
    static const struct http_route many[] = {
        {"GET", "/:a/:b/:c/:d/:e/:f/:g/:h/:i", h_home, 0},
        {"GET", "/:a/:b/:c/:d/:e/:f/:g/:h", h_akten, 0},
    };
    struct http_router *r;
    assert_int_equal(http_router_new(&r), 0);
    assert_int_equal(http_routes_add(r, many, 2), 0);
    struct arena a;
    arena_init(&a, 0);
    struct http_req req = {.arena = &a};
    const struct http_route *rt = NULL;
    assert_int_equal(http_route_match(r, "GET", "/1/2/3/4/5/6/7/8/9", &req, &rt), ERR_NOTFOUND);
    assert_int_equal(http_route_match(r, "GET", "/1/2/3/4/5/6/7/8", &req, &rt), 0);
    assert_ptr_equal(rt, &many[1]);
    assert_int_equal(req.nparam, HTTP_MAX_PARAMS);
    assert_string_equal(req.param[0], "1");
    assert_string_equal(req.param[7], "8");
    http_router_free(r);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_star, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_and_methods, setup, teardown),
        cmocka_unit_test(test_empty_and_table_limit),
        cmocka_unit_test(test_param_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
