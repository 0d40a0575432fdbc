/* Unit tests of view/pdf: a document with every kind of block is rendered
 * and read back with poppler (pages, text, the footer, the table titles
 * repeated on the next page, the metadata), rendering is reproducible to
 * the byte, and bad input is refused with the documented codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <poppler.h>

#include "view/pdf.h"

#define CREATED 1780000000 /* 2026-05-28 */

/* Builds the sample document: headings, umlauts, fields, items, a QR code
 * and a table of 200 rows. */
static struct pdf_doc *sample(void)
{
    struct pdf_doc *d;
    assert_int_equal(pdf_new("Bescheid über den Anwohnerparkausweis",
                             "Stadt Musterstadt · Amt 32 Ordnungsamt", CREATED, &d),
                     0);
    assert_int_equal(pdf_heading(d, 1, "Bescheid über Straßenreinigung"), 0);
    assert_int_equal(
        pdf_para(d, "Sehr geehrte Antragstellerin,\nIhr Antrag vom 3. März wurde geprüft. "
                    "Größe, Maße und Gebühren sind unten aufgeführt; <b>kein</b> Markup."),
        0);
    assert_int_equal(pdf_heading(d, 2, "Angaben zum Fahrzeug"), 0);
    assert_int_equal(pdf_field(d, "Kennzeichen", "MS-XY 123"), 0);
    assert_int_equal(pdf_field(d, "Gebühr", "30,50 €"), 0);
    assert_int_equal(pdf_item(d, "Zahlung binnen vier Wochen"), 0);
    assert_int_equal(pdf_item(d, "Widerspruch beim Ordnungsamt möglich"), 0);
    assert_int_equal(pdf_qr(d, "https://rathaus.example/status/abc123", "Status prüfen"), 0);

    const char *titles[] = {"Nr.", "Straße", "Betrag"};
    static char buf[200][3][48];
    const char *cells[200 * 3];
    for (int r = 0; r < 200; r++) {
        snprintf(buf[r][0], sizeof buf[r][0], "%d", r + 1);
        snprintf(buf[r][1], sizeof buf[r][1], "Lindenstraße %d", r + 1);
        snprintf(buf[r][2], sizeof buf[r][2], "%d,00 €", (r * 7) % 100);
        for (int c = 0; c < 3; c++)
            cells[r * 3 + c] = buf[r][c];
    }
    assert_int_equal(pdf_table(d, 3, titles, 200, cells), 0);
    assert_int_equal(pdf_para(d, "Ende des Dokuments."), 0);
    return d;
}

static PopplerDocument *load(const struct str *s)
{
    GBytes *bytes = g_bytes_new(s->buf, s->len);
    GError *err = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    g_bytes_unref(bytes);
    if (!doc)
        fail_msg("poppler: %s", err ? err->message : "?");
    return doc;
}

static char *page_text(PopplerDocument *doc, int i)
{
    PopplerPage *p = poppler_document_get_page(doc, i);
    assert_non_null(p);
    char *t = poppler_page_get_text(p);
    g_object_unref(p);
    return t;
}

static void test_render(void **state)
{
    (void)state;
    struct pdf_doc *d = sample();
    struct str out;
    str_init(&out, 0);
    assert_int_equal(pdf_render(d, &out), 0);
    assert_true(out.len > 1000);
    assert_memory_equal(out.buf, "%PDF-", 5);

    PopplerDocument *doc = load(&out);
    int n = poppler_document_get_n_pages(doc);
    assert_true(n > 1);

    char *title = poppler_document_get_title(doc);
    assert_string_equal(title, "Bescheid über den Anwohnerparkausweis");
    g_free(title);
    assert_int_equal(poppler_document_get_creation_date(doc), CREATED);

    char *t1 = page_text(doc, 0);
    const char *want[] = {"Stadt Musterstadt · Amt 32 Ordnungsamt",
                          "Bescheid über Straßenreinigung",
                          "Größe, Maße und Gebühren",
                          "<b>kein</b> Markup",
                          "Angaben zum Fahrzeug",
                          "Kennzeichen",
                          "MS-XY 123",
                          "30,50 €",
                          "Zahlung binnen vier Wochen",
                          "Status prüfen",
                          "Straße",
                          "Lindenstraße 1",
                          "Seite 1 von"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(t1, want[i]))
            fail_msg("page 1 lacks \"%s\":\n%s", want[i], t1);
    char footer[32];
    snprintf(footer, sizeof footer, "Seite 1 von %d", n);
    assert_non_null(strstr(t1, footer));
    g_free(t1);

    /* the table continues on page 2 under its titles again */
    char *t2 = page_text(doc, 1);
    assert_non_null(strstr(t2, "Nr."));
    assert_non_null(strstr(t2, "Straße"));
    assert_non_null(strstr(t2, "Betrag"));
    assert_non_null(strstr(t2, "Lindenstraße"));
    snprintf(footer, sizeof footer, "Seite 2 von %d", n);
    assert_non_null(strstr(t2, footer));
    /* the running header: the title on later pages */
    assert_non_null(strstr(t2, "Bescheid über den Anwohnerparkausweis"));
    g_free(t2);

    char *tn = page_text(doc, n - 1);
    assert_non_null(strstr(tn, "Lindenstraße 200"));
    assert_non_null(strstr(tn, "Ende des Dokuments."));
    g_free(tn);

    g_object_unref(doc);
    str_release(&out);
    pdf_free(d);
}

static void test_reproducible(void **state)
{
    (void)state;
    struct str a, b;
    str_init(&a, 0);
    str_init(&b, 0);
    struct pdf_doc *d1 = sample(), *d2 = sample();
    assert_int_equal(pdf_render(d1, &a), 0);
    assert_int_equal(pdf_render(d2, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    /* rendering the same document again also gives the same bytes */
    str_reset(&b);
    assert_int_equal(pdf_render(d1, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    pdf_free(d1);
    pdf_free(d2);
    str_release(&a);
    str_release(&b);
}

static void test_page_break_and_empty(void **state)
{
    (void)state;
    struct pdf_doc *d;
    struct str out;
    str_init(&out, 0);
    /* an empty document is one page */
    assert_int_equal(pdf_new("Leer", NULL, CREATED, &d), 0);
    assert_int_equal(pdf_render(d, &out), 0);
    PopplerDocument *doc = load(&out);
    assert_int_equal(poppler_document_get_n_pages(doc), 1);
    char *t = page_text(doc, 0);
    assert_non_null(strstr(t, "Seite 1 von 1"));
    g_free(t);
    g_object_unref(doc);
    /* an explicit break makes a second page; a break on a fresh page does not */
    assert_int_equal(pdf_page_break(d), 0);
    assert_int_equal(pdf_para(d, "Eins"), 0);
    assert_int_equal(pdf_page_break(d), 0);
    assert_int_equal(pdf_page_break(d), 0);
    assert_int_equal(pdf_para(d, "Zwei"), 0);
    str_reset(&out);
    assert_int_equal(pdf_render(d, &out), 0);
    doc = load(&out);
    assert_int_equal(poppler_document_get_n_pages(doc), 2);
    t = page_text(doc, 1);
    assert_non_null(strstr(t, "Zwei"));
    assert_non_null(strstr(t, "Seite 2 von 2"));
    g_free(t);
    g_object_unref(doc);
    pdf_free(d);

    /* a paragraph longer than a page flows over pages */
    struct str big;
    str_init(&big, 0);
    for (int i = 0; i < 400; i++)
        assert_int_equal(str_addf(&big, "Zeile %d des langen Absatzes.\n", i), 0);
    assert_int_equal(pdf_new("Lang", NULL, CREATED, &d), 0);
    assert_int_equal(pdf_para(d, big.buf), 0);
    str_reset(&out);
    assert_int_equal(pdf_render(d, &out), 0);
    doc = load(&out);
    int n = poppler_document_get_n_pages(doc);
    assert_true(n >= 5);
    t = page_text(doc, n - 1);
    assert_non_null(strstr(t, "Zeile 399 des langen Absatzes."));
    g_free(t);
    g_object_unref(doc);
    pdf_free(d);
    str_release(&big);
    str_release(&out);
}

static void test_invalid(void **state)
{
    (void)state;
    struct pdf_doc *d;
    const char bad[] = {'A', (char)0xc3, '(', 0};
    assert_int_equal(pdf_new(bad, NULL, CREATED, &d), ERR_INVALID);
    assert_int_equal(pdf_new("T", bad, CREATED, &d), ERR_INVALID);
    assert_int_equal(pdf_new("T", NULL, CREATED, &d), 0);
    assert_int_equal(pdf_heading(d, 1, bad), ERR_INVALID);
    assert_int_equal(pdf_heading(d, 3, "Ebene drei"), ERR_INVALID);
    assert_int_equal(pdf_para(d, bad), ERR_INVALID);
    assert_int_equal(pdf_field(d, "Name", bad), ERR_INVALID);
    assert_int_equal(pdf_field(d, bad, "Wert"), ERR_INVALID);
    assert_int_equal(pdf_item(d, bad), ERR_INVALID);
    assert_int_equal(pdf_qr(d, bad, "x"), ERR_INVALID);
    assert_int_equal(pdf_qr(d, "https://x", bad), ERR_INVALID);
    assert_int_equal(pdf_qr(d, "", "leer"), ERR_INVALID);
    const char *titles[] = {"A", "B"};
    const char *cells[] = {"1", bad};
    assert_int_equal(pdf_table(d, 2, titles, 1, cells), ERR_INVALID);
    assert_int_equal(pdf_table(d, 0, titles, 0, NULL), ERR_INVALID);
    /* nothing of the refused blocks was kept: the document is still empty */
    struct str out;
    str_init(&out, 0);
    assert_int_equal(pdf_render(d, &out), 0);
    PopplerDocument *doc = load(&out);
    assert_int_equal(poppler_document_get_n_pages(doc), 1);
    char *t = page_text(doc, 0);
    assert_null(strstr(t, "Wert"));
    assert_null(strstr(t, "leer"));
    g_free(t);
    g_object_unref(doc);
    str_release(&out);
    pdf_free(d);
    pdf_free(NULL);
}

static void test_limits(void **state)
{
    (void)state;
    struct pdf_doc *d;
    assert_int_equal(pdf_new("T", NULL, CREATED, &d), 0);
    char *big = malloc(PDF_MAX_TEXT + 2);
    assert_non_null(big);
    memset(big, 'a', PDF_MAX_TEXT + 1);
    big[PDF_MAX_TEXT + 1] = 0;
    assert_int_equal(pdf_para(d, big), ERR_TOOBIG);
    assert_int_equal(pdf_heading(d, 1, big), ERR_TOOBIG);
    /* label and value together count as one block's text */
    big[PDF_MAX_TEXT / 2 + 1] = 0;
    assert_int_equal(pdf_field(d, big, big), ERR_TOOBIG);
    big[PDF_MAX_TEXT] = 0;
    assert_int_equal(pdf_para(d, big), 0); /* exactly the limit is fine */
    big[PDF_MAX_QR + 1] = 0;
    assert_int_equal(pdf_qr(d, big, NULL), ERR_TOOBIG);
    big[PDF_MAX_QR] = 0;
    assert_int_equal(pdf_qr(d, big, NULL), 0);
    free(big);

    /* blocks: a table's rows count, so one row too many is refused */
    const char *titles[] = {"A"};
    size_t n = PDF_MAX_BLOCKS;
    const char **cells = calloc(n, sizeof *cells);
    assert_non_null(cells);
    for (size_t i = 0; i < n; i++)
        cells[i] = "x";
    assert_int_equal(pdf_table(d, 1, titles, n - 2, cells), ERR_TOOBIG);
    assert_int_equal(pdf_table(d, 1, titles, n - 3, cells), 0); /* 2 + 1 + n - 3 */
    assert_int_equal(pdf_para(d, "eins zu viel"), ERR_TOOBIG);
    assert_int_equal(pdf_page_break(d), ERR_TOOBIG);
    free(cells);
    pdf_free(d);

    assert_int_equal(pdf_new("T", NULL, CREATED, &d), 0);
    const char *many[21] = {0};
    for (int i = 0; i < 21; i++)
        many[i] = "Spalte";
    assert_int_equal(pdf_table(d, 21, many, 0, NULL), ERR_TOOBIG);
    assert_int_equal(pdf_table(d, 20, many, 0, NULL), 0);
    pdf_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_page_break_and_empty),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_limits),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* fontconfig's cache is global; free it so the ASan build sees no leak */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
