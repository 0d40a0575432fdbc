/* Unit tests of the template engine (view/tmpl.c) and the template registry
 * with its layout (view/view.c). They pin down the escaping, the Mustache
 * lookup rules, the limits and the German parse error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "view/tmpl.h"
#include "view/view.h"

/* A partial resolver over a small name → template table. */
struct partials {
    const char *names[4];
    const struct tmpl *t[4];
};

static const struct tmpl *find_partial(const void *ctx, const char *name)
{
    const struct partials *p = ctx;

    for (size_t i = 0; i < 4 && p->names[i]; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->t[i];
    return NULL;
}

static struct tmpl *parse_ok(const char *src)
{
    struct tmpl *t = NULL;
    struct str err;

    str_init(&err, 0);
    int rc = tmpl_parse("test.html", src, strlen(src), &t, &err);
    if (rc != 0)
        print_error("parse of \"%s\" failed: %s\n", src, err.buf);
    assert_int_equal(rc, 0);
    str_release(&err);
    return t;
}

/* Renders src with the JSON text data (NULL for no data), asserts success and
 * the expected output. */
static void expect(const char *src, const char *data, const char *want)
{
    struct tmpl *t = parse_ok(src);
    json_t *j = NULL;
    struct str out;

    if (data) {
        json_error_t jerr;
        j = json_loads(data, JSON_DECODE_ANY, &jerr);
        if (!j)
            print_error("bad test JSON %s: %s\n", data, jerr.text);
        assert_non_null(j);
    }
    str_init(&out, 0);
    assert_int_equal(tmpl_render(t, j, NULL, NULL, &out), 0);
    assert_string_equal(out.buf, want);
    str_release(&out);
    json_decref(j);
    tmpl_free(t);
}

/* Parses src expecting error code, and checks errmsg contains each fragment. */
static void expect_parse_error(const char *src, int code, const char *frag1, const char *frag2)
{
    struct tmpl *t = NULL;
    struct str err;

    str_init(&err, 0);
    assert_int_equal(tmpl_parse("seite.html", src, strlen(src), &t, &err), code);
    assert_null(t);
    if (!strstr(err.buf, frag1) || (frag2 && !strstr(err.buf, frag2)))
        print_error("message \"%s\" lacks \"%s\" / \"%s\"\n", err.buf, frag1, frag2 ? frag2 : "");
    assert_non_null(strstr(err.buf, "Vorlage „seite.html“"));
    assert_non_null(strstr(err.buf, frag1));
    if (frag2)
        assert_non_null(strstr(err.buf, frag2));
    str_release(&err);
}

static void test_text_only(void **state)
{
    (void)state;
    expect("", NULL, "");
    expect("Guten Tag, Dorsten!", NULL, "Guten Tag, Dorsten!");
    expect("ein { und } und }} allein", NULL, "ein { und } und }} allein");
}

static void test_escape_all_five(void **state)
{
    (void)state;
    expect("<p>{{x}}</p>", "{\"x\": \"<a href=\\\"x\\\">&'\"}",
           "<p>&lt;a href=&quot;x&quot;&gt;&amp;&#39;</p>");
    expect("{{x}}", "{\"x\": \"Straße & Söhne\"}", "Straße &amp; Söhne");
}

static void test_raw(void **state)
{
    (void)state;
    expect("{{{x}}}|{{&x}}|{{& x }}|{{{ x }}}", "{\"x\": \"<b>&</b>\"}",
           "<b>&</b>|<b>&</b>|<b>&</b>|<b>&</b>");
}

static void test_values(void **state)
{
    (void)state;
    expect("{{i}} {{r}} {{h}} {{n}} {{big}}",
           "{\"i\": -42, \"r\": 3.0, \"h\": 2.5, \"n\": -0.125, \"big\": 1e300}",
           "-42 3 2.5 -0.125 1e+300");
    expect("[{{t}}][{{f}}][{{z}}][{{o}}][{{a}}][{{missing}}]",
           "{\"t\": true, \"f\": false, \"z\": null, \"o\": {\"k\": 1}, \"a\": [1]}",
           "[][][][][][]");
    expect("{{ spaced }}", "{\"spaced\": \"ok\"}", "ok");
    expect("x{{! ein Kommentar mit {{ und \n Zeilen }}y", NULL, "xy");
}

static void test_dotted(void **state)
{
    (void)state;
    expect("{{a.b.c}}", "{\"a\": {\"b\": {\"c\": \"tief\"}}}", "tief");
    expect("[{{a.x.c}}][{{a.b.c.d}}][{{q.b}}]", "{\"a\": {\"b\": {\"c\": \"tief\"}}}", "[][][]");
    /* The first segment is found on the stack, the rest only inside it. */
    expect("{{#a}}[{{b.c}}]{{/a}}", "{\"a\": {\"b\": {}}, \"b\": {\"c\": \"aussen\"}}", "[]");
    expect("{{#a}}[{{b.c}}]{{/a}}", "{\"a\": {\"x\": 1}, \"b\": {\"c\": \"aussen\"}}", "[aussen]");
    expect("{{#a.b}}{{c}}{{/a.b}}", "{\"a\": {\"b\": {\"c\": 7}}}", "7");
}

static void test_dot(void **state)
{
    (void)state;
    expect("{{#l}}<{{.}}>{{/l}}", "{\"l\": [\"a&\", 2, 2.5]}", "<a&amp;><2><2.5>");
    expect("{{#l}}{{{.}}}{{/l}}", "{\"l\": [\"<br>\"]}", "<br>");
    expect("{{#s}}[{{.}}]{{/s}}", "{\"s\": \"eins\"}", "[eins]");
    expect("{{.}}", "\"oben\"", "oben");
}

static void test_sections(void **state)
{
    (void)state;
    const char *data = "{\"arr\": [{\"n\": 1}, {\"n\": 2}], \"obj\": {\"n\": \"o\"}, \"t\": true,"
                       " \"f\": false, \"nul\": null, \"empty\": [], \"es\": \"\", \"s\": \"x\","
                       " \"zero\": 0, \"one\": 1, \"rz\": 0.0, \"eo\": {}}";
    expect("{{#arr}}({{n}}){{/arr}}", data, "(1)(2)");
    expect("{{#obj}}({{n}}){{/obj}}", data, "(o)");
    expect("{{#eo}}leer{{/eo}}", data, "leer");
    expect("{{#t}}ja{{/t}}{{#f}}nein{{/f}}{{#nul}}nein{{/nul}}{{#missing}}nein{{/missing}}", data,
           "ja");
    expect("{{#empty}}nein{{/empty}}{{#es}}nein{{/es}}{{#s}}ja{{/s}}", data, "ja");
    expect("{{#zero}}nein{{/zero}}{{#one}}ja{{/one}}{{#rz}}nein{{/rz}}", data, "ja");
    expect("{{#arr}}{{#obj}}{{n}}{{/obj}}{{/arr}}", data, "oo");
    expect("{{#arr}}{{n}}{{^n}}-{{/n}}{{/arr}}", data, "12");
}

static void test_inverted(void **state)
{
    (void)state;
    const char *data = "{\"t\": true, \"f\": false, \"empty\": [], \"l\": [1], \"es\": \"\","
                       " \"zero\": 0, \"o\": {}}";
    expect("{{^f}}a{{/f}}{{^empty}}b{{/empty}}{{^missing}}c{{/missing}}{{^es}}d{{/es}}"
           "{{^zero}}e{{/zero}}",
           data, "abcde");
    expect("{{^t}}x{{/t}}{{^l}}x{{/l}}{{^o}}x{{/o}}", data, "");
    /* An inverted section does not push a context. */
    expect("{{#o}}{{^f}}{{t}}{{/f}}{{/o}}", "{\"o\": {\"t\": 1}, \"f\": false, \"t\": 2}", "1");
}

static void test_context_stack(void **state)
{
    (void)state;
    const char *data = "{\"city\": \"Dorsten\", \"name\": \"aussen\", "
                       "\"items\": [{\"name\": \"A\"}, {\"x\": 1}]}";
    expect("{{#items}}{{name}}@{{city}};{{/items}}", data, "A@Dorsten;aussen@Dorsten;");
    expect("{{#a}}{{#b}}{{#c}}{{x}}{{y}}{{z}}{{/c}}{{/b}}{{/a}}",
           "{\"z\": 3, \"a\": {\"y\": 2, \"b\": {\"c\": {\"x\": 1}}}}", "123");
}

static void test_standalone(void **state)
{
    (void)state;
    expect("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", "{\"l\": [1, 2]}",
           "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    expect("a\r\n{{! kommentar }}\r\nb", NULL, "a\r\nb");
    expect("{{#t}}\nja\n{{/t}}", "{\"t\": true}", "ja\n");
    /* Not standalone: other text or tags on the line. */
    expect("x {{#t}}ja{{/t}}\n", "{\"t\": true}", "x ja\n");
    expect("{{v}} {{#t}}\nx{{/t}}", "{\"t\": true, \"v\": 1}", "1 \nx");
}

static void test_partials(void **state)
{
    (void)state;
    struct tmpl *page = parse_ok("<h1>{{title}}</h1>{{> teil/feld}}{{#fields}}{{> teil/feld}}"
                                 "{{/fields}}");
    struct tmpl *field = parse_ok("<label>{{label}}</label>");
    struct partials p = {.names = {"teil/feld"}, .t = {field}};
    json_t *data = json_pack("{s:s, s:s, s:[{s:s}, {s:s}]}", "title", "T<", "label", "L0", "fields",
                             "label", "L1", "label", "L&2");
    struct str out;

    str_init(&out, 0);
    assert_int_equal(tmpl_render(page, data, find_partial, &p, &out), 0);
    assert_string_equal(out.buf, "<h1>T&lt;</h1><label>L0</label><label>L1</label>"
                                 "<label>L&amp;2</label>");
    assert_string_equal(tmpl_partial_name(page, 0), "teil/feld");
    assert_string_equal(tmpl_partial_name(page, 1), "teil/feld");
    assert_null(tmpl_partial_name(page, 2));
    assert_string_equal(tmpl_name(page), "test.html");

    /* Unknown partial, and no resolver at all. */
    struct partials none = {.names = {NULL}};
    str_reset(&out);
    assert_int_equal(tmpl_render(page, data, find_partial, &none, &out), ERR_NOTFOUND);
    str_reset(&out);
    assert_int_equal(tmpl_render(page, data, NULL, NULL, &out), ERR_NOTFOUND);

    str_release(&out);
    json_decref(data);
    tmpl_free(page);
    tmpl_free(field);
}

static void test_partial_tree(void **state)
{
    (void)state;
    /* Recursion that ends because the data ends is fine. Leaves need their
     * own empty "kids": a missing one would be found on the parent (Mustache
     * lookup) and recurse until the depth limit. */
    struct tmpl *node = parse_ok("({{n}}{{#kids}}{{> node}}{{/kids}})");
    struct partials p = {.names = {"node"}, .t = {node}};
    json_t *data = json_loads("{\"n\": 1, \"kids\": [{\"n\": 2, \"kids\": [{\"n\": 3, "
                              "\"kids\": []}]}, {\"n\": 4, \"kids\": []}]}",
                              0, NULL);
    json_t *leaky = json_loads("{\"n\": 1, \"kids\": [{\"n\": 2}]}", 0, NULL);
    struct str out;

    str_init(&out, 0);
    assert_int_equal(tmpl_render(node, data, find_partial, &p, &out), 0);
    assert_string_equal(out.buf, "(1(2(3))(4))");
    str_reset(&out);
    assert_int_equal(tmpl_render(node, leaky, find_partial, &p, &out), ERR_TOOBIG);
    str_release(&out);
    json_decref(leaky);
    json_decref(data);
    tmpl_free(node);
}

static void test_partial_recursion_limit(void **state)
{
    (void)state;
    struct tmpl *a = parse_ok("a{{> b}}");
    struct tmpl *b = parse_ok("b{{> a}}");
    struct tmpl *twice = parse_ok("{{> self}}{{> self}}");
    struct partials p = {.names = {"a", "b", "self"}, .t = {a, b, twice}};
    struct str out;

    str_init(&out, 0);
    assert_int_equal(tmpl_render(a, NULL, find_partial, &p, &out), ERR_TOOBIG);
    /* The depth limit stopped it: TMPL_MAX_DEPTH partials deep, one letter each. */
    assert_int_equal(out.len, TMPL_MAX_DEPTH + 1);
    str_reset(&out);
    /* Exponential fan-out is stopped by the step limit (or depth), not a hang. */
    assert_int_equal(tmpl_render(twice, NULL, find_partial, &p, &out), ERR_TOOBIG);
    str_release(&out);
    tmpl_free(a);
    tmpl_free(b);
    tmpl_free(twice);
}

static void test_render_stack(void **state)
{
    (void)state;
    struct tmpl *t = parse_ok("{{a}}{{b}}{{#n}}{{b}}{{/n}}");
    json_t *outer = json_pack("{s:s, s:s, s:{}}", "a", "A", "b", "B", "n");
    json_t *inner = json_pack("{s:s}", "b", "b");
    const json_t *stack[3] = {outer, NULL, inner};
    struct str out;

    str_init(&out, 0);
    assert_int_equal(tmpl_render_stack(t, stack, 3, NULL, NULL, &out), 0);
    assert_string_equal(out.buf, "Abb");
    assert_int_equal(tmpl_render_stack(t, stack, 0, NULL, NULL, &out), ERR_INVALID);
    assert_int_equal(tmpl_render_stack(t, stack, TMPL_MAX_DEPTH + 1, NULL, NULL, &out),
                     ERR_INVALID);
    str_release(&out);
    json_decref(outer);
    json_decref(inner);
    tmpl_free(t);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("Hallo\n  {{name", ERR_INVALID, "Zeile 2, Spalte 3", "nicht geschlossen");
    expect_parse_error("{{{name}}", ERR_INVALID, "Zeile 1, Spalte 1", "}}}");
    expect_parse_error("ä\nöü {{#user}}\nx", ERR_INVALID, "Zeile 2, Spalte 4",
                       "Abschnitt „user“ wird nicht geschlossen");
    expect_parse_error("{{#a}}{{#b}}{{/a}}{{/b}}", ERR_INVALID, "Spalte 13", "„b“");
    expect_parse_error("x{{/a}}", ERR_INVALID, "Spalte 2", "ohne öffnenden Abschnitt");
    expect_parse_error("{{}}", ERR_INVALID, "Spalte 3", "leerer Name");
    expect_parse_error("{{  }}", ERR_INVALID, "Zeile 1", "leerer Name");
    expect_parse_error("{{#}}{{/}}", ERR_INVALID, "Zeile 1", "leerer Name");
    expect_parse_error("{{> }}", ERR_INVALID, "Zeile 1", "leerer Name");
    expect_parse_error("{{a b}}", ERR_INVALID, "Spalte 4", "ungültiges Zeichen");
    expect_parse_error("{{a<b}}", ERR_INVALID, "Spalte 4", "„<“");
    expect_parse_error("{{na\xc3\xa4me}}", ERR_INVALID, "Spalte 5", "Byte 0xC3");
    expect_parse_error("{{a..b}}", ERR_INVALID, "Spalte 5", "Punkt");
    expect_parse_error("{{.a}}", ERR_INVALID, "Spalte 3", "Punkt");
    expect_parse_error("{{a.}}", ERR_INVALID, "Spalte 4", "Punkt");
    expect_parse_error("{{a/b}}", ERR_INVALID, "Spalte 4", "„/“");
    expect_parse_error("{{> ../geheim}}", ERR_INVALID, "Zeile 1", "Punkt");
    expect_parse_error("{{> a/../b}}", ERR_INVALID, "Zeile 1", "Punkt");
    expect_parse_error("{{> /etc}}", ERR_INVALID, "Zeile 1", "„/“");
    expect_parse_error("{{=<% %>=}}", ERR_INVALID, "Zeile 1", "Begrenzer");
    expect_parse_error("{{! nie zu", ERR_INVALID, "Zeile 1", "nicht geschlossen");

    /* A NULL errmsg is allowed. */
    struct tmpl *t = NULL;
    assert_int_equal(tmpl_parse(NULL, "{{", 2, &t, NULL), ERR_INVALID);
    assert_null(t);
}

static void test_limits(void **state)
{
    (void)state;
    struct tmpl *t = NULL;
    struct str src;
    struct str err;

    str_init(&src, 0);
    str_init(&err, 0);

    /* Source size. */
    assert_int_equal(str_grow(&src, TMPL_MAX_SIZE + 1), 0);
    memset(src.buf, 'x', TMPL_MAX_SIZE + 1);
    assert_int_equal(tmpl_parse("gross", src.buf, TMPL_MAX_SIZE + 1, &t, &err), ERR_TOOBIG);
    assert_non_null(strstr(err.buf, "größer"));
    assert_int_equal(tmpl_parse("gross", src.buf, TMPL_MAX_SIZE, &t, &err), 0);
    tmpl_free(t);
    t = NULL;

    /* Name length. */
    str_reset(&src);
    str_adds(&src, "{{");
    for (int i = 0; i < TMPL_MAX_NAME; i++)
        str_addc(&src, 'n');
    str_adds(&src, "}}");
    assert_int_equal(tmpl_parse("name", src.buf, src.len, &t, &err), 0);
    tmpl_free(t);
    t = NULL;
    str_reset(&src);
    str_adds(&src, "{{");
    for (int i = 0; i < TMPL_MAX_NAME + 1; i++)
        str_addc(&src, 'n');
    str_adds(&src, "}}");
    assert_int_equal(tmpl_parse("name", src.buf, src.len, &t, &err), ERR_TOOBIG);
    assert_non_null(strstr(err.buf, "Name länger"));

    /* Nesting depth: TMPL_MAX_DEPTH is fine and renders, one more is not. */
    for (int extra = 0; extra < 2; extra++) {
        json_t *data = json_pack("{s:b}", "a", 1);
        struct str out;
        str_reset(&src);
        for (int i = 0; i < TMPL_MAX_DEPTH + extra; i++)
            str_adds(&src, "{{#a}}");
        str_adds(&src, "x");
        for (int i = 0; i < TMPL_MAX_DEPTH + extra; i++)
            str_adds(&src, "{{/a}}");
        int rc = tmpl_parse("tief", src.buf, src.len, &t, &err);
        if (extra) {
            assert_int_equal(rc, ERR_TOOBIG);
            assert_non_null(strstr(err.buf, "verschachtelt"));
        } else {
            assert_int_equal(rc, 0);
            str_init(&out, 0);
            assert_int_equal(tmpl_render(t, data, NULL, NULL, &out), 0);
            assert_string_equal(out.buf, "x");
            str_release(&out);
            tmpl_free(t);
            t = NULL;
        }
        json_decref(data);
    }

    /* Output cap. */
    {
        struct tmpl *loop = parse_ok("{{#l}}0123456789{{/l}}");
        json_t *data = json_pack("{s:[iiii]}", "l", 1, 2, 3, 4);
        struct str out;
        str_init(&out, 25);
        assert_int_equal(tmpl_render(loop, data, NULL, NULL, &out), ERR_TOOBIG);
        assert_true(out.len <= 25);
        str_release(&out);
        json_decref(data);
        tmpl_free(loop);
    }

    /* Step limit: a long array is cut off rather than served forever. */
    {
        struct tmpl *loop = parse_ok("{{#l}}{{.}}{{/l}}");
        json_t *arr = json_array();
        json_t *data = json_pack("{s:o}", "l", arr);
        struct str out;
        for (size_t i = 0; i < TMPL_MAX_STEPS / 2 + 1; i++)
            json_array_append_new(arr, json_true());
        str_init(&out, 0);
        assert_int_equal(tmpl_render(loop, data, NULL, NULL, &out), ERR_TOOBIG);
        str_release(&out);
        json_decref(data);
        tmpl_free(loop);
    }

    str_release(&src);
    str_release(&err);
}

/* ------------------------------------------------------------------- view */

#define FILE_ENTRY(n, s)                                                                           \
    {                                                                                              \
        n, (const unsigned char *)(s), sizeof(s) - 1                                               \
    }

static const struct embed_file files[] = {
    FILE_ENTRY("layout.html", "<title>{{title}} – {{city}}</title>\n"
                              "{{#user}}<p>{{name}}</p>\n{{/user}}"
                              "<main>{{{content}}}</main>\n"),
    FILE_ENTRY("auth/login.html", "<h1>{{title}}</h1>{{#fields}}{{> auth/field}}{{/fields}}"),
    FILE_ENTRY("auth/field.html", "<input name=\"{{name}}\" value=\"{{value}}\">"),
    FILE_ENTRY("css/x.css", "{{ not a template"),
};

static void test_view(void **state)
{
    (void)state;
    struct view *v = NULL;
    struct str err;
    struct str out;
    json_t *data = json_pack("{s:s, s:s, s:{s:s}, s:[{s:s, s:s}]}", "title", "Anmelden", "city",
                             "Stadt <Dorsten>", "user", "name", "Frau A", "fields", "name", "login",
                             "value", "\"x\"");

    str_init(&err, 0);
    str_init(&out, 0);
    assert_int_equal(view_init(&v, files, sizeof(files) / sizeof(files[0]), &err), 0);
    assert_non_null(view_get(v, "auth/login"));
    assert_non_null(view_get(v, "auth/login.html"));
    assert_null(view_get(v, "css/x.css"));
    assert_null(view_get(v, "auth"));

    assert_int_equal(view_render(v, "auth/login", data, &out), 0);
    assert_string_equal(out.buf, "<h1>Anmelden</h1><input name=\"login\" value=\"&quot;x&quot;\">");
    str_reset(&out);
    assert_int_equal(view_render(v, "nirgends", data, &out), ERR_NOTFOUND);
    assert_int_equal(view_render_page(v, "nirgends.html", data, &out), ERR_NOTFOUND);

    str_reset(&out);
    assert_int_equal(view_render_page(v, "auth/login.html", data, &out), 0);
    assert_string_equal(out.buf, "<title>Anmelden – Stadt &lt;Dorsten&gt;</title>\n"
                                 "<p>Frau A</p>\n"
                                 "<main><h1>Anmelden</h1><input name=\"login\" "
                                 "value=\"&quot;x&quot;\"></main>\n");
    /* The caller's data is unchanged. */
    assert_null(json_object_get(data, "content"));

    /* Data that itself has "content" cannot smuggle raw HTML into the layout. */
    json_object_set_new(data, "content", json_string("<script>"));
    str_reset(&out);
    assert_int_equal(view_render_page(v, "auth/login", data, &out), 0);
    assert_null(strstr(out.buf, "<script>"));

    /* An output cap also bounds the page rendered before the layout. */
    struct str small;
    str_init(&small, 10);
    assert_int_equal(view_render_page(v, "auth/login", data, &small), ERR_TOOBIG);
    str_release(&small);

    view_free(v);
    view_free(NULL);
    json_decref(data);
    str_release(&out);
    str_release(&err);
}

static void test_view_errors(void **state)
{
    (void)state;
    struct view *v = NULL;
    struct str err;
    static const struct embed_file bad_syntax[] = {
        FILE_ENTRY("a.html", "ok"),
        FILE_ENTRY("b/c.html", "Zeile 1\n{{#x}}"),
    };
    static const struct embed_file bad_partial[] = {
        FILE_ENTRY("a.html", "{{> fehlt}}"),
    };
    static const struct embed_file twice[] = {
        FILE_ENTRY("a.html", "1"),
        FILE_ENTRY("a.html", "2"),
    };
    static const struct embed_file no_layout[] = {
        FILE_ENTRY("a.html", "1"),
    };

    str_init(&err, 0);
    assert_int_equal(view_init(&v, bad_syntax, 2, &err), ERR_INVALID);
    assert_null(v);
    assert_non_null(strstr(err.buf, "„b/c.html“, Zeile 2, Spalte 1"));
    assert_int_equal(view_init(&v, bad_partial, 1, &err), ERR_INVALID);
    assert_non_null(strstr(err.buf, "„fehlt“"));
    assert_int_equal(view_init(&v, twice, 2, &err), ERR_INVALID);
    assert_non_null(strstr(err.buf, "doppelt"));
    assert_int_equal(view_init(&v, NULL, 0, &err), 0);
    view_free(v);
    v = NULL;

    struct str out;
    str_init(&out, 0);
    assert_int_equal(view_init(&v, no_layout, 1, &err), 0);
    assert_int_equal(view_render_page(v, "a", NULL, &out), ERR_NOTFOUND);
    assert_int_equal(view_render(v, "a", NULL, &out), 0);
    assert_string_equal(out.buf, "1");
    view_free(v);
    str_release(&out);
    str_release(&err);
}

/* The real templates/layout.html, when the tests run from the source root or
 * TMPL_TEST_LAYOUT names the file. */
#ifndef TMPL_TEST_LAYOUT
#define TMPL_TEST_LAYOUT "templates/layout.html"
#endif

static void test_real_layout(void **state)
{
    (void)state;
    FILE *f = fopen(TMPL_TEST_LAYOUT, "rb");
    struct str src;
    struct str err;
    struct str out;
    char buf[4096];
    size_t n;
    struct view *v = NULL;

    if (!f) {
        skip();
        return;
    }
    str_init(&src, 0);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        assert_int_equal(str_add(&src, buf, n), 0);
    fclose(f);

    struct embed_file table[] = {
        {"layout.html", (const unsigned char *)src.buf, src.len},
        FILE_ENTRY("seite.html", "<h1>{{title}}</h1>"),
    };
    str_init(&err, 0);
    str_init(&out, 0);
    int rc = view_init(&v, table, 2, &err);
    if (rc)
        print_error("%s\n", err.buf);
    assert_int_equal(rc, 0);

    json_t *anon =
        json_pack("{s:s, s:s, s:[{s:s, s:s, s:b}, {s:s, s:s}], s:[s]}", "title", "Start & Ziel",
                  "city", "Stadt Dorsten", "nav", "href", "/", "label", "Start", "current", 1,
                  "href", "/leistungen", "label", "Leistungen", "flash", "Gespeichert <ok>");
    assert_int_equal(view_render_page(v, "seite", anon, &out), 0);
    assert_non_null(strstr(out.buf, "<html lang=\"de\">"));
    assert_non_null(strstr(out.buf, "<title>Start &amp; Ziel – Stadt Dorsten</title>"));
    assert_non_null(strstr(out.buf, "href=\"#inhalt\""));
    assert_non_null(strstr(out.buf, "Zum Inhalt springen"));
    assert_non_null(strstr(out.buf, "aria-current=\"page\">Start</a>"));
    assert_null(strstr(out.buf, "aria-current=\"page\">Leistungen"));
    assert_non_null(strstr(out.buf, "Gespeichert &lt;ok&gt;"));
    assert_non_null(strstr(out.buf, "<h1>Start &amp; Ziel</h1>"));
    assert_non_null(strstr(out.buf, "href=\"/login\""));
    assert_null(strstr(out.buf, "Abmelden"));
    assert_null(strstr(out.buf, "<script"));
    assert_null(strstr(out.buf, "style="));
    assert_null(strstr(out.buf, "{{"));

    json_t *user =
        json_pack("{s:s, s:s, s:{s:s, s:i}, s:s}", "title", "Posteingang", "city", "Stadt Dorsten",
                  "user", "name", "Anna Beispiel", "office", 32, "csrf", "tok\"en");
    str_reset(&out);
    assert_int_equal(view_render_page(v, "seite", user, &out), 0);
    assert_non_null(strstr(out.buf, "Anna Beispiel"));
    assert_non_null(strstr(out.buf, "Amt 32"));
    assert_non_null(strstr(out.buf, "action=\"/logout\""));
    assert_non_null(strstr(out.buf, "name=\"_csrf\" value=\"tok&quot;en\""));
    assert_non_null(strstr(out.buf, "Abmelden"));
    assert_null(strstr(out.buf, "href=\"/login\""));

    json_decref(anon);
    json_decref(user);
    view_free(v);
    str_release(&src);
    str_release(&err);
    str_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_only),
        cmocka_unit_test(test_escape_all_five),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_dotted),
        cmocka_unit_test(test_dot),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_inverted),
        cmocka_unit_test(test_context_stack),
        cmocka_unit_test(test_standalone),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_partial_tree),
        cmocka_unit_test(test_partial_recursion_limit),
        cmocka_unit_test(test_render_stack),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_view),
        cmocka_unit_test(test_view_errors),
        cmocka_unit_test(test_real_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
