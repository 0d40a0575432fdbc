/* Unit tests of view/chart: the SVG parses as XML, names itself for screen
 * readers through <title> and <desc>, escapes every label, writes numbers
 * the German way, draws the dashed target line and keeps to its limit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "view/chart.h"

static xmlDocPtr parse(const struct str *s)
{
    xmlDocPtr doc = xmlReadMemory(s->buf, (int)s->len, "chart.svg", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("not well-formed:\n%s", s->buf);
    return doc;
}

/* Number of nodes matching an XPath (prefix s: for SVG). */
static int count(xmlDocPtr doc, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
    assert_non_null(r);
    int n = r->nodesetval ? r->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return n;
}

/* Text of the first node matching xpath (caller frees), or NULL. */
static char *text_of(xmlDocPtr doc, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
    char *t = NULL;
    if (r && r->nodesetval && r->nodesetval->nodeNr)
        t = (char *)xmlNodeGetContent(r->nodesetval->nodeTab[0]);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return t;
}

static const struct chart_point sample[] = {
    {"Jan", 12.5},
    {"Feb", 1234.5},
    {"<script>alert(1)</script>", 30},
    {"Mär & Apr", 0},
};

static void test_bars(void **state)
{
    (void)state;
    struct chart_spec spec = {.title = "Bearbeitungsdauer \"Anträge\" <b>",
                              .desc = "Mittlere Dauer je Monat in Tagen.",
                              .unit = "Tage",
                              .target = 1000,
                              .has_target = 1};
    struct str s;
    str_init(&s, 0);
    assert_int_equal(str_adds(&s, "<div>"), 0); /* appends after what is there */
    size_t before = s.len;
    assert_int_equal(chart_bars(&s, &spec, sample, 4), 0);
    assert_memory_equal(s.buf, "<div>", 5);
    struct str svg = {0};
    str_init(&svg, 0);
    assert_int_equal(str_add(&svg, s.buf + before, s.len - before), 0);
    assert_null(strstr(svg.buf, "<script>"));
    assert_null(strstr(svg.buf, "<b>"));
    assert_non_null(strstr(svg.buf, "&lt;script&gt;"));

    xmlDocPtr doc = parse(&svg);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "svg");
    xmlChar *role = xmlGetProp(root, BAD_CAST "role");
    assert_string_equal((const char *)role, "img");
    xmlFree(role);
    /* aria-labelledby names the <title> and the <desc> */
    xmlChar *lb = xmlGetProp(root, BAD_CAST "aria-labelledby");
    assert_non_null(lb);
    char *sp = strchr((char *)lb, ' ');
    assert_non_null(sp);
    *sp = 0;
    char xp[256];
    snprintf(xp, sizeof xp, "/s:svg/s:title[@id='%s']", (char *)lb);
    assert_int_equal(count(doc, xp), 1);
    snprintf(xp, sizeof xp, "/s:svg/s:desc[@id='%s']", sp + 1);
    assert_int_equal(count(doc, xp), 1);
    xmlFree(lb);
    char *t = text_of(doc, "/s:svg/s:title");
    assert_string_equal(t, "Bearbeitungsdauer \"Anträge\" <b>");
    xmlFree(t);
    assert_int_equal(count(doc, "//s:script"), 0);
    /* one bar per point, each with its value as a tooltip */
    assert_int_equal(count(doc, "//s:rect"), 4);
    t = text_of(doc, "//s:rect[2]/s:title");
    assert_string_equal(t, "Feb: 1.234,5\xC2\xA0Tage");
    xmlFree(t);
    t = text_of(doc, "//s:rect[3]/s:title");
    assert_string_equal(t, "<script>alert(1)</script>: 30,0\xC2\xA0Tage");
    xmlFree(t);
    /* the dashed target line with its label */
    assert_int_equal(count(doc, "//s:line[@stroke-dasharray]"), 1);
    t = text_of(doc, "//s:text[starts-with(., 'Ziel')]");
    assert_string_equal(t, "Ziel: 1.000,0\xC2\xA0Tage");
    xmlFree(t);
    /* ticks: German numbers, several of them */
    assert_true(count(doc, "//s:text[. = '1.000']") == 1);
    assert_true(count(doc, "//s:g[@text-anchor='end']/s:text") >= 3);
    xmlFreeDoc(doc);
    str_release(&svg);
    str_release(&s);
}

static void test_line_and_empty(void **state)
{
    (void)state;
    struct chart_spec spec = {.title = "Quote", .desc = "Anteil online je Tag.", .unit = "%"};
    struct chart_point pts[100];
    char labels[100][16];
    for (int i = 0; i < 100; i++) {
        snprintf(labels[i], sizeof labels[i], "2026-03-%02d", i % 31 + 1);
        pts[i].label = labels[i];
        pts[i].value = i == 50 ? NAN : 0.25 * i;
    }
    struct str s;
    str_init(&s, 0);
    assert_int_equal(chart_line(&s, &spec, pts, 100), 0);
    xmlDocPtr doc = parse(&s);
    assert_int_equal(count(doc, "/s:svg/s:title"), 1);
    assert_int_equal(count(doc, "//s:path"), 1);
    /* the missing value breaks the line in two */
    char *d = text_of(doc, "//s:path/@d");
    assert_non_null(strstr(d, " M"));
    xmlFree(d);
    /* labels are thinned to fit */
    int nl = count(doc, "//s:g[@text-anchor='middle']/s:text");
    assert_true(nl >= 3 && nl < 20);
    xmlFreeDoc(doc);

    /* no points: a frame that says so */
    str_reset(&s);
    assert_int_equal(chart_line(&s, &spec, NULL, 0), 0);
    doc = parse(&s);
    assert_int_equal(count(doc, "//s:text[. = 'Keine Daten']"), 1);
    xmlFreeDoc(doc);
    str_reset(&s);
    assert_int_equal(chart_bars(&s, &spec, NULL, 0), 0);
    doc = parse(&s);
    assert_int_equal(count(doc, "//s:text[. = 'Keine Daten']"), 1);
    assert_int_equal(count(doc, "//s:rect"), 0);
    xmlFreeDoc(doc);
    str_release(&s);
}

static void test_bad_text(void **state)
{
    (void)state;
    /* bad UTF-8 and control characters still give well-formed XML */
    const char bad[] = {'A', (char)0xc3, '(', 0x01, 'Z', 0};
    struct chart_spec spec = {.title = bad, .desc = bad, .unit = bad};
    struct chart_point pts[] = {{bad, 1}, {NULL, -2.5}, {"x", INFINITY}};
    struct str s;
    str_init(&s, 0);
    assert_int_equal(chart_bars(&s, &spec, pts, 3), 0);
    xmlDocPtr doc = parse(&s);
    assert_int_equal(count(doc, "//s:rect"), 2); /* the infinite one is left out */
    char *t = text_of(doc, "//s:rect[2]/s:title");
    assert_non_null(strstr(t, "−2,5"));
    xmlFree(t);
    xmlFreeDoc(doc);
    str_release(&s);
}

static void test_limits(void **state)
{
    (void)state;
    struct chart_spec spec = {.title = "Viele", .desc = "Viele Punkte."};
    struct chart_point *pts = calloc(CHART_MAX_POINTS + 1, sizeof *pts);
    assert_non_null(pts);
    for (size_t i = 0; i <= CHART_MAX_POINTS; i++) {
        pts[i].label = "x";
        pts[i].value = (double)i;
    }
    struct str s;
    str_init(&s, 0);
    assert_int_equal(chart_bars(&s, &spec, pts, CHART_MAX_POINTS + 1), ERR_TOOBIG);
    assert_int_equal(chart_line(&s, &spec, pts, CHART_MAX_POINTS + 1), ERR_TOOBIG);
    assert_int_equal(s.len, 0);
    assert_int_equal(chart_line(&s, &spec, pts, CHART_MAX_POINTS), 0);
    xmlDocPtr doc = parse(&s);
    xmlFreeDoc(doc);
    /* a full output string: an error and nothing half-written */
    struct str small;
    str_init(&small, 100);
    assert_int_equal(chart_bars(&small, &spec, pts, 10), ERR_TOOBIG);
    assert_int_equal(small.len, 0);
    str_release(&small);
    /* the same chart twice gives the same bytes (ids from the content) */
    struct str a, b;
    str_init(&a, 0);
    str_init(&b, 0);
    assert_int_equal(chart_bars(&a, &spec, pts, 12), 0);
    assert_int_equal(chart_bars(&b, &spec, pts, 12), 0);
    assert_string_equal(a.buf, b.buf);
    str_release(&a);
    str_release(&b);
    free(pts);
    str_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bars),
        cmocka_unit_test(test_line_and_empty),
        cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_limits),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
