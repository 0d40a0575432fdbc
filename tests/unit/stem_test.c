/* Unit tests of store/stem, the German tokenizer behind the search: the
 * inflections of a word meet in one token (Anträge/Antrag/Antrages), case,
 * umlauts and ß fold consistently (Straße/Strasse/STRASSE), numbers and
 * Aktenzeichen split into their parts, prefix terms are folded but not
 * stemmed, and bad input (invalid UTF-8, huge words) neither crashes nor
 * splits differently between document and query. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "store/stem.h"

static int setup(void **state)
{
    struct stem *st;
    if (stem_new(&st))
        return -1;
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    stem_free(*state);
    return 0;
}

/* The tokens of z as one string ("a b|c"), in a static buffer. */
static const char *toks(void **state, const char *z, unsigned flags)
{
    static char buf[4096];
    struct str s;
    str_init(&s, sizeof buf - 1);
    assert_int_equal(stem_text(*state, z, strlen(z), flags, &s), 0);
    memcpy(buf, s.buf, s.len + 1);
    str_release(&s);
    return buf;
}

/* Asserts that every word of the NULL-terminated list gives the same token. */
static void assert_meet(void **state, const char *const *words)
{
    char first[4096]; /* as large as toks()'s buffer */
    snprintf(first, sizeof first, "%s", toks(state, words[0], 0));
    assert_true(first[0] != '\0');
    for (size_t i = 1; words[i]; i++) {
        const char *t = toks(state, words[i], 0);
        if (strcmp(first, t) != 0)
            fail_msg("„%s“ → %s, but „%s“ → %s", words[0], first, words[i], t);
    }
}

static void test_inflections_meet(void **state)
{
    static const char *const antrag[] = {"Anträge",  "Antrag",  "Antrages", "Antrags",
                                         "Anträgen", "antrage", "ANTRÄGE",  NULL};
    assert_meet(state, antrag);
    static const char *const bescheid[] = {"Bescheid", "Bescheide", "Bescheides", "Bescheiden",
                                           NULL};
    assert_meet(state, bescheid);
    static const char *const haus[] = {"Haus", "Häuser", "Hauses", "häusern", NULL};
    assert_meet(state, haus);
    static const char *const genehmigung[] = {"Genehmigung", "Genehmigungen", NULL};
    assert_meet(state, genehmigung);
    assert_string_equal(toks(state, "Anträge", 0), "antrag");
}

static void test_sharp_s_and_umlauts(void **state)
{
    static const char *const strasse[] = {"Straße",  "Strasse",  "STRASSE", "STRAẞE",
                                          "straßen", "Strassen", NULL};
    assert_meet(state, strasse);
    static const char *const mueller[] = {"Müller", "Muller", "MÜLLER", NULL};
    assert_meet(state, mueller);
    static const char *const aendern[] = {"ändern", "Ändern", "andern", NULL};
    assert_meet(state, aendern);
    static const char *const oel[] = {"Öl", "öl", "Ol", NULL};
    assert_meet(state, oel);
    /* decomposed umlauts (a + combining diaeresis, as some PDFs write them) */
    static const char *const nfd[] = {"Anträge", "Antra\xcc\x88ge", NULL};
    assert_meet(state, nfd);
    /* other Latin diacritics fold too: names from anywhere in Europe */
    assert_string_equal(toks(state, "Çelik Łukasz José", STEM_PREFIX), "celik lukasz jose");
    assert_string_equal(toks(state, "Œuvre Ĳssel Æro Þór", STEM_PREFIX), "oeuvre ijssel aero thor");
}

static void test_case_folding(void **state)
{
    assert_string_equal(toks(state, "ABC xyz ÄÖÜ äöü", STEM_PREFIX), "abc xyz aou aou");
    assert_string_equal(toks(state, "ΑΒΓ АБВ Ё", STEM_PREFIX), "αβγ абв ё");
    assert_string_equal(toks(state, "Ｆｕｌｌ１２", STEM_PREFIX), "full12");
    assert_string_equal(toks(state, "ﬁnanz Aufﬂug", STEM_PREFIX), "finanz aufflug");
}

static void test_separators(void **state)
{
    assert_string_equal(toks(state, "Hin- und Rückfahrt; „Zitat“ – Ende…", STEM_PREFIX),
                        "hin und ruckfahrt zitat ende");
    /* a soft hyphen inside a word does not split it */
    assert_string_equal(toks(state, "Straßen\xc2\xadreinigung", STEM_PREFIX), "strassenreinigung");
    assert_string_equal(toks(state,
                             "a\xc2\xa0"
                             "b§c°d",
                             STEM_PREFIX),
                        "a b c d");
    assert_string_equal(toks(state, "  \t\n", 0), "");
    assert_string_equal(toks(state, "", 0), "");
}

static void test_numbers(void **state)
{
    /* digits are never stemmed; an Aktenzeichen splits into its parts */
    assert_string_equal(toks(state, "32.10-2026-0007/3", 0), "32 10 2026 0007 3");
    /* documents also index the number without leading zeros at the same place */
    assert_string_equal(toks(state, "32.10-2026-0007/3", STEM_DOCUMENT), "32 10 2026 0007|7 3");
    assert_string_equal(toks(state, "000", STEM_DOCUMENT), "000|0");
    assert_string_equal(toks(state, "0", STEM_DOCUMENT), "0");
    /* letters with digits stay one token and are not stemmed */
    assert_string_equal(toks(state, "B-Plan 12a Häuser2", 0), "b plan 12a hauser2");
    assert_int_equal(stem_count("32.10-2026-0007", 15), 4);
    assert_int_equal(stem_count("§ – …", strlen("§ – …")), 0);
    assert_int_equal(stem_count("Straßen\xc2\xadreinigung x", strlen("Straßen\xc2\xadreinigung x")),
                     2);
}

static void test_prefix_mode(void **state)
{
    /* prefix terms are folded only: "Straße*" must match "Straßenreinigung" */
    assert_string_equal(toks(state, "Straße", STEM_PREFIX), "strasse");
    assert_string_equal(toks(state, "Anträ", STEM_PREFIX), "antra");
    assert_string_equal(toks(state, "Straßenreinigung", 0), "strassenrein");
    /* the folded prefix is a prefix of the stem of the longer word */
    const char *pre = "strassenr";
    assert_int_equal(strncmp(toks(state, "Straßenreinigung", 0), pre, strlen(pre)), 0);
}

/* Collects offsets for test_offsets. */
struct offs {
    size_t start[8], end[8];
    int n;
};

static int offs_cb(void *ctx, const char *tok, size_t n, size_t start, size_t end, bool colocated)
{
    (void)tok;
    (void)n;
    (void)colocated;
    struct offs *o = ctx;
    if (o->n < 8) {
        o->start[o->n] = start;
        o->end[o->n] = end;
    }
    o->n++;
    return 0;
}

static void test_offsets(void **state)
{
    const char *z = "„Anträge“ für Straße";
    struct offs o = {0};
    assert_int_equal(stem_tokenize(*state, z, strlen(z), 0, offs_cb, &o), 0);
    assert_int_equal(o.n, 3);
    assert_memory_equal(z + o.start[0], "Anträge", o.end[0] - o.start[0]);
    assert_memory_equal(z + o.start[1], "für", o.end[1] - o.start[1]);
    assert_memory_equal(z + o.start[2], "Straße", o.end[2] - o.start[2]);
    assert_int_equal(o.end[2], strlen(z));
}

static int stop_cb(void *ctx, const char *tok, size_t n, size_t start, size_t end, bool colocated)
{
    (void)tok;
    (void)n;
    (void)start;
    (void)end;
    (void)colocated;
    int *count = ctx;
    return ++*count == 2 ? 42 : 0;
}

static void test_callback_stops(void **state)
{
    int count = 0;
    assert_int_equal(stem_tokenize(*state, "a b c d", 7, 0, stop_cb, &count), 42);
    assert_int_equal(count, 2);
}

static void test_bad_input(void **state)
{
    /* invalid UTF-8 separates words and is never copied into a token */
    const char bad[] = "Ant\xff"
                       "rag \xc3 x \xe2\x82 \xf5\x80\x80\x80 y\xc0\xaf z \xed\xa0\x80w";
    const char *t = toks(state, bad, STEM_PREFIX);
    assert_string_equal(t, "ant rag x y z w");
    /* a very long word is cut at STEM_MAX_TOKEN bytes, at a character boundary */
    char *lng = malloc(10001);
    assert_non_null(lng);
    for (int i = 0; i < 10000; i += 2)
        memcpy(lng + i, "ä", 2);
    lng[10000] = '\0';
    t = toks(state, lng, STEM_PREFIX);
    assert_true(strlen(t) <= STEM_MAX_TOKEN);
    assert_true(strlen(t) > STEM_MAX_TOKEN - 4);
    /* the same cut in both modes, so a document and a query of it still meet */
    char doc[256];
    snprintf(doc, sizeof doc, "%s", toks(state, lng, STEM_DOCUMENT));
    assert_string_equal(doc, toks(state, lng, 0));
    free(lng);
    /* NUL bytes are separators */
    assert_string_equal(toks(state, "", 0), "");
    struct str s;
    str_init(&s, 100);
    assert_int_equal(stem_text(*state, "ab\0cd", 5, STEM_PREFIX, &s), 0);
    assert_string_equal(s.buf, "ab cd");
    str_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inflections_meet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sharp_s_and_umlauts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_folding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_separators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
