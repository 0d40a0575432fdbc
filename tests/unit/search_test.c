/* Unit tests of the search of the E-Akte on a real data directory: the index
 * follows documents, titles and new versions (the newest text counts), the
 * extraction drain fills it, snippets are escaped with <mark>, visibility and
 * sharing, disposal removes a file's rows (also when an extraction finishes
 * afterwards), failed jobs give up after three attempts, and no query a user
 * can type (including random bytes) makes the SQL fail. The index passes
 * rec_search_verify after every step. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "records/records.h"
#include "store/journal.h"
#include "store/store.h"
#include "web/web.h"

#include "fixture.h"

/* Seconds of the clock offset that makes every file of the test due. */
#define FAR_FUTURE "2000000000"

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("search", &f))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static const struct rec_actor user32 = {"amt32", 32, 1, false};
static const struct rec_actor user50 = {"amt50", 50, 1, false};

/* Creates a file of office 32 under code with one case; returns the case reference. */
static void make_case(struct fx *f, const char *code, const char *title, char fref[REC_REF_MAX],
                      char cref[REC_REF_MAX])
{
    struct rec_actor a = rec_actor_system("test");
    assert_int_equal(
        rec_file_create(f->s, &a, code, 32, title, "Erika Mustermann", fref, NULL, NULL), 0);
    assert_int_equal(rec_case_create(f->s, &a, fref, "Sondernutzung", NULL, cref, NULL), 0);
}

static int64_t make_doc(struct fx *f, const char *cref, const char *title, const char *party)
{
    struct rec_actor a = rec_actor_system("test");
    struct rec_doc_new d = {title, "in", NULL, party};
    int64_t doc = 0;
    assert_int_equal(rec_doc_create(f->s, &a, cref, &d, &doc), 0);
    return doc;
}

static int64_t add_text(struct fx *f, int64_t doc, const char *text)
{
    struct rec_actor a = rec_actor_system("test");
    struct rec_content ct = {NULL, text, strlen(text), "text.txt", NULL};
    int64_t ver = 0;
    assert_int_equal(rec_version_add(f->s, &a, doc, &ct, &ver, NULL), 0);
    return ver;
}

/* Searches q as a and returns the result (caller decrefs). */
static json_t *find(struct fx *f, const struct rec_actor *a, const char *q)
{
    struct rec_search_query sq = {.q = q};
    json_t *res = NULL;
    assert_int_equal(rec_search(f->s, a, &sq, &res), 0);
    return res;
}

static int64_t total(json_t *res)
{
    int64_t n = json_integer_value(json_object_get(res, "total"));
    json_decref(res);
    return n;
}

static int64_t first_doc(json_t *res)
{
    json_t *it = json_array_get(json_object_get(res, "items"), 0);
    int64_t id = it ? json_integer_value(json_object_get(it, "document_id")) : 0;
    json_decref(res);
    return id;
}

static void assert_index_ok(struct fx *f)
{
    struct str msg;
    str_init(&msg, 1024);
    int64_t rows = -1;
    int rc = rec_search_verify(f->s, &rows, &msg);
    if (rc)
        fail_msg("rec_search_verify: %d %s", rc, msg.buf);
    assert_true(rows >= 0);
    str_release(&msg);
}

/* The state of the extraction job of a version. */
static void job_state(struct fx *f, int64_t version, char out[16], int64_t *attempts)
{
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    struct store_stmt *st;
    assert_int_equal(
        store_prepare(c, "SELECT state, attempts FROM jobs WHERE kind = 'extract' AND object = ?",
                      &st),
        0);
    assert_int_equal(store_bind(st, "i", version), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    snprintf(out, 16, "%s", store_col_text(st, 0));
    *attempts = store_col_int(st, 1);
    store_done(st);
    store_put(f->s, c);
}

static void test_index_follows_documents(void **state)
{
    struct fx *f = *state;
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    make_case(f, "32.30.01", "Straßenfest Altstadt", fref, cref);
    int64_t doc = make_doc(f, cref, "Antrag auf Sondernutzung", "Hans Huber");
    /* metadata only: title, party, file title and reference are found at once */
    assert_int_equal(first_doc(find(f, &user32, "Anträge")), doc);
    assert_int_equal(first_doc(find(f, &user32, "huber")), doc);
    assert_int_equal(first_doc(find(f, &user32, "Strassenfeste")), doc);
    assert_int_equal(first_doc(find(f, &user32, cref)), doc);
    assert_int_equal(total(find(f, &user32, "Bühnenaufbau")), 0);
    assert_index_ok(f);

    /* a version's text arrives with the drain */
    int64_t v1 =
        add_text(f, doc, "Wir bitten um Genehmigung für den Bühnenaufbau <am> Markt & mehr.");
    assert_int_equal(total(find(f, &user32, "Bühnenaufbau")), 0);
    assert_int_equal(rec_extract_drain(f->s, 2), 0);
    json_t *res = find(f, &user32, "Buhnenaufbau");
    json_t *it = json_array_get(json_object_get(res, "items"), 0);
    assert_non_null(it);
    assert_int_equal(json_integer_value(json_object_get(it, "version_id")), v1);
    const char *snip = json_string_value(json_object_get(it, "snippet"));
    if (!strstr(snip, "<mark>Bühnenaufbau</mark> &lt;am&gt; Markt &amp; mehr."))
        fail_msg("snippet: %s", snip);
    json_decref(res);
    char st[16];
    int64_t attempts;
    job_state(f, v1, st, &attempts);
    assert_string_equal(st, "done");
    assert_int_equal(attempts, 1);

    /* a new version replaces the text in the index */
    int64_t v2 = add_text(f, doc, "Zweite Fassung: Absage des Festes wegen Regenwetter.");
    assert_int_equal(rec_extract_drain(f->s, 1), 0);
    assert_int_equal(total(find(f, &user32, "Bühnenaufbau")), 0);
    res = find(f, &user32, "Regenwetters");
    it = json_array_get(json_object_get(res, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(it, "version_id")), v2);
    json_decref(res);
    assert_index_ok(f);
}

static void test_visibility_and_sharing(void **state)
{
    struct fx *f = *state;
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    make_case(f, "32.30.01", "Parkausweis Lindenallee", fref, cref);
    int64_t doc = make_doc(f, cref, "Antrag Bewohnerparken", NULL);
    assert_int_equal(total(find(f, &user32, "Lindenallee")), 1);
    assert_int_equal(total(find(f, &user50, "Lindenallee")), 0);
    struct rec_actor sys = rec_actor_system("test");
    assert_int_equal(total(find(f, &sys, "Lindenallee")), 1);
    assert_int_equal(rec_file_share(f->s, &sys, fref, 50), 0);
    assert_int_equal(first_doc(find(f, &user50, "Lindenallee")), doc);
    /* filters on top of visibility */
    struct rec_search_query q = {.q = "Lindenallee", .unit_nr = 50};
    json_t *res;
    assert_int_equal(rec_search(f->s, &user50, &q, &res), 0);
    assert_int_equal(total(res), 0);
    q = (struct rec_search_query){.q = "Lindenallee", .plan_code = "32.30", .direction = "in"};
    assert_int_equal(rec_search(f->s, &user50, &q, &res), 0);
    assert_int_equal(total(res), 1);
    q = (struct rec_search_query){.q = "Lindenallee", .status = "gelöscht"};
    assert_int_equal(rec_search(f->s, &user50, &q, &res), ERR_INVALID);
    q = (struct rec_search_query){.q = "Lindenallee", .plan_code = "32.30'--"};
    assert_int_equal(rec_search(f->s, &user50, &q, &res), ERR_INVALID);
}

static void test_disposal_forgets(void **state)
{
    struct fx *f = *state;
    struct rec_actor sys = rec_actor_system("test");
    char fref[REC_REF_MAX], cref[REC_REF_MAX], kref[REC_REF_MAX], kcref[REC_REF_MAX];
    make_case(f, "32.30.01", "Aussonderung Quellweg", fref, cref);
    make_case(f, "32.30.01", "Bleibt Quellweg", kref, kcref);
    int64_t doc = make_doc(f, cref, "Brief Quellweg", "Max Muster");
    int64_t keep = make_doc(f, kcref, "Notiz Quellweg", NULL);
    int64_t v = add_text(f, doc, "Inhalt über den Wasserrohrbruch");
    add_text(f, keep, "Auch hier ein Wasserrohrbruch");
    assert_int_equal(rec_extract_drain(f->s, 2), 0);
    assert_int_equal(total(find(f, &sys, "Wasserrohrbruch")), 2);
    assert_int_equal(rec_file_close(f->s, &sys, fref), 0);
    setenv("RATHAUS_CLOCK_OFFSET", FAR_FUTURE, 1);
    assert_int_equal(rec_dispose(f->s, &sys, fref, true), 0);
    assert_int_equal(first_doc(find(f, &sys, "Wasserrohrbruch")), keep);
    assert_int_equal(total(find(f, &sys, "Quellweg")), 1);
    assert_int_equal(total(find(f, &sys, "Muster")), 0);
    assert_index_ok(f);
    /* an extraction that finishes after the disposal writes nothing */
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_run(c, "UPDATE jobs SET state = 'queued' WHERE object = ?", "i", v), 0);
    store_put(f->s, c);
    assert_int_equal(rec_extract_drain(f->s, 1), 0);
    assert_int_equal(total(find(f, &sys, "Wasserrohrbruch")), 1);
    struct rec_extract_stats stats = {.pages = 1};
    assert_int_equal(rec_extract_save(f->s, v, "Wasserrohrbruch", 15, &stats), 0);
    assert_int_equal(total(find(f, &sys, "Wasserrohrbruch")), 1);
    assert_index_ok(f);
}

static void test_failed_job_gives_up(void **state)
{
    struct fx *f = *state;
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    make_case(f, "32.30.01", "Kaputte Unterlagen", fref, cref);
    int64_t doc = make_doc(f, cref, "Beschädigtes PDF", NULL);
    struct rec_actor a = rec_actor_system("test");
    static const char bad[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj kaputt\n";
    struct rec_content ct = {NULL, bad, sizeof bad - 1, "kaputt.pdf", NULL};
    int64_t v = 0;
    const char *mime = NULL;
    assert_int_equal(rec_version_add(f->s, &a, doc, &ct, &v, &mime), 0);
    assert_string_equal(mime, "application/pdf");
    assert_int_equal(rec_extract_drain(f->s, 2), 0);
    char st[16];
    int64_t attempts;
    job_state(f, v, st, &attempts);
    assert_string_equal(st, "failed");
    assert_int_equal(attempts, 3);
    /* still found by its title */
    assert_int_equal(first_doc(find(f, &a, "beschädigte pdf")), doc);
    assert_index_ok(f);
}

/* The access tokens of the index (0x1F "o<office>", "s<office>") cannot be
 * typed, and they follow shares and owners whatever code changes them. */
static void test_access_tokens(void **state)
{
    struct fx *f = *state;
    struct rec_actor sys = rec_actor_system("test");
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    make_case(f, "32.30.01", "Gehwegplatten Birkenweg", fref, cref);
    make_doc(f, cref, "Schadensmeldung", NULL);
    static const char *const typed[] = {"o32",     "s32",          "o32*",      "\x1f o32",
                                        "\x1fo32", "\"\x1f o32\"", "\x1eo32",   "\x1e\x1fo32",
                                        "s32*",    "o3200*",       "\x1f o32*", "\x1eo32*"};
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        if (total(find(f, &sys, typed[i])) != 0 || total(find(f, &user50, typed[i])) != 0)
            fail_msg("typed access token %zu matched", i);
    }
    /* shorter prefixes are refused (they would read most of the index) */
    static const char *const short_prefix[] = {"o3*", "o*", "Antrag a*", "-ab* Antrag"};
    for (size_t i = 0; i < sizeof short_prefix / sizeof short_prefix[0]; i++) {
        struct rec_search_query sq = {.q = short_prefix[i]};
        json_t *res = NULL;
        assert_int_equal(rec_search(f->s, &sys, &sq, &res), ERR_INVALID);
        assert_true(rec_search_short_prefix(short_prefix[i]));
    }
    assert_false(rec_search_short_prefix("Bau*"));
    assert_false(rec_search_short_prefix("Antrag"));
    assert_int_equal(total(find(f, &user50, "Birkenweg")), 0);
    assert_int_equal(rec_file_share(f->s, &sys, fref, 50), 0);
    assert_int_equal(total(find(f, &user50, "Birkenweg")), 1);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_run(c, "DELETE FROM file_shares WHERE unit_nr = 50", ""), 0);
    store_put(f->s, c);
    assert_int_equal(total(find(f, &user50, "Birkenweg")), 0);
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_run(c, "UPDATE files SET unit_nr = 50 WHERE reference = ?", "t", fref),
                     0);
    store_put(f->s, c);
    assert_int_equal(total(find(f, &user50, "Birkenweg")), 1);
    assert_int_equal(total(find(f, &user32, "Birkenweg")), 0);
    struct rec_search_query q = {.q = "Birkenweg", .unit_nr = 32};
    json_t *res;
    assert_int_equal(rec_search(f->s, &sys, &q, &res), 0);
    assert_int_equal(total(res), 0);
    q.unit_nr = 50;
    assert_int_equal(rec_search(f->s, &sys, &q, &res), 0);
    assert_int_equal(total(res), 1);
    assert_index_ok(f);
}

/* More matches than are ranked by bm25 (2,000): an old document with the
 * word in its title still comes first, the count is exact up to 10,000,
 * pages do not repeat hits, and visibility holds. */
static void test_many_matches(void **state)
{
    struct fx *f = *state;
    struct rec_actor sys = rec_actor_system("test");
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    make_case(f, "32.30.01", "Akte Ulmenallee", fref, cref);
    int64_t first = make_doc(f, cref, "Ulmenallee Baumpflege", NULL);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_begin(c, true), 0);
    assert_int_equal(store_run(c,
                               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                               " WHERE i < 2500)"
                               " INSERT INTO documents (case_id, title, direction, dated, party,"
                               "  created_at, created_by)"
                               " SELECT d.case_id, 'Notiz ' || n.i, 'internal', NULL, '',"
                               "  d.created_at, d.created_by FROM n, documents d WHERE d.id = ?",
                               "i", first),
                     0);
    assert_int_equal(store_commit(c), 0);
    store_put(f->s, c);
    json_t *res = find(f, &sys, "Ulmenallee");
    assert_false(json_is_true(json_object_get(res, "total_capped")));
    assert_int_equal(first_doc(json_incref(res)), first);
    assert_int_equal(total(res), 2501);
    assert_int_equal(total(find(f, &user50, "Ulmenallee")), 0);
    /* a prefix: counted and ranked in one statement */
    res = find(f, &user32, "Ulmen*");
    assert_int_equal(json_array_size(json_object_get(res, "items")), 25);
    assert_int_equal(total(res), 2501);
    assert_int_equal(total(find(f, &user50, "Ulmen*")), 0);
    assert_int_equal(total(find(f, &user32, "Ulmenallee -Baumpflege")), 2500);
    /* pages 1 and 2 do not overlap */
    struct rec_search_query q = {.q = "Ulmenallee", .page = 2, .per_page = 50};
    assert_int_equal(rec_search(f->s, &user32, &q, &res), 0);
    json_t *items = json_object_get(res, "items");
    assert_int_equal(json_array_size(items), 50);
    for (size_t i = 0; i < json_array_size(items); i++)
        assert_int_not_equal(
            json_integer_value(json_object_get(json_array_get(items, i), "document_id")), first);
    json_decref(res);
    q = (struct rec_search_query){.q = "Ulmenallee", .page = 51, .per_page = 50};
    assert_int_equal(rec_search(f->s, &user32, &q, &res), 0);
    assert_int_equal(json_array_size(json_object_get(res, "items")), 1);
    json_decref(res);
}

/* A data directory as a release left it whose last search migration was
 * last_id (101, 102, …): every other migration of the journal, web and
 * records, the search ones up to last_id, the offices and the file plan.
 * fx_migrate_all brings it up to date. */
static struct fx *open_before(int last_id)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->tmp, sizeof f->tmp, "/tmp/rathaus-search-upgrade-XXXXXX");
    assert_non_null(mkdtemp(f->tmp));
    snprintf(f->dir, sizeof f->dir, "%s/data", f->tmp);
    assert_int_equal(store_open(f->dir, STORE_CREATE, &f->s), 0);
    struct store_migration old[64];
    size_t k = 0;
    for (size_t i = 0; i < journal_migrations_count; i++)
        old[k++] = journal_migrations[i];
    for (size_t i = 0; i < web_migrations_count; i++)
        old[k++] = web_migrations[i];
    for (size_t i = 0; i < records_migrations_count; i++)
        old[k++] = records_migrations[i];
    size_t n = 0;
    while (n < records_search_migrations_count && records_search_migrations[n].id <= last_id)
        old[k++] = records_search_migrations[n++];
    assert_int_equal(records_search_migrations[n - 1].id, last_id);
    assert_int_equal(store_migrate(f->s, old, k, NULL), 0);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_begin(c, true), 0);
    assert_int_equal(web_units_seed(c, "test"), 0);
    assert_int_equal(rec_plan_seed(c, "test"), 0);
    assert_int_equal(store_commit(c), 0);
    store_put(f->s, c);
    return f;
}

/* A data directory indexed before migration 102 (access tokens) is
 * converted in place: its documents are found by whom may see them. */
static void test_upgrade_to_access_tokens(void **state)
{
    (void)state;
    struct fx *f = open_before(101);
    char fref[REC_REF_MAX], cref[REC_REF_MAX], gref[REC_REF_MAX], gcref[REC_REF_MAX];
    make_case(f, "32.30.01", "Lärmschutz Kastanienhof", fref, cref);
    make_case(f, "32.30.01", "Kastanienhof Zufahrt", gref, gcref);
    int64_t shared = make_doc(f, cref, "Messbericht", NULL);
    int64_t own = make_doc(f, gcref, "Ortstermin", NULL);
    struct rec_actor sys = rec_actor_system("test");
    assert_int_equal(rec_file_share(f->s, &sys, fref, 50), 0);
    /* now the rest, 102 among them */
    assert_int_equal(fx_migrate_all(f->s), 0);
    assert_int_equal(total(find(f, &user32, "Kastanienhof")), 2);
    assert_int_equal(first_doc(find(f, &user50, "Kastanienhof")), shared);
    assert_int_equal(total(find(f, &user50, "Kastanienhof")), 1);
    assert_int_equal(first_doc(find(f, &user32, "Ortstermin")), own);
    assert_int_equal(total(find(f, &sys, "Kastanienhof")), 2);
    assert_index_ok(f);
    fx_close(f);
}

/* The ids of the hits of q for a, in rank order, as "id,id,…" into out
 * (with the total in front). */
static void hit_ids(struct fx *f, const struct rec_actor *a, const char *q, char *out, size_t n)
{
    struct rec_search_query sq = {.q = q, .per_page = 100};
    json_t *res = NULL;
    assert_int_equal(rec_search(f->s, a, &sq, &res), 0);
    size_t len = (size_t)snprintf(
        out, n, "%lld:", (long long)json_integer_value(json_object_get(res, "total")));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(res, "items"), i, it)
    {
        if (len < n)
            len +=
                (size_t)snprintf(out + len, n - len, "%lld,",
                                 (long long)json_integer_value(json_object_get(it, "document_id")));
    }
    json_decref(res);
}

/* A data directory indexed before migration 103 (prefix indexes) is
 * converted in place: prefix queries of every length find the same
 * documents in the same order as before, the access tokens are kept, and
 * the index keeps following changes. */
static void test_upgrade_to_prefix_index(void **state)
{
    (void)state;
    struct fx *f = open_before(102);
    char fref[REC_REF_MAX], cref[REC_REF_MAX], gref[REC_REF_MAX], gcref[REC_REF_MAX];
    make_case(f, "32.30.01", "Baumschutz Lindenplatz", fref, cref);
    make_case(f, "32.30.01", "Baugenehmigung Lindenplatz", gref, gcref);
    add_text(f, make_doc(f, cref, "Baumgutachten", NULL),
             "Die Genehmigungsbehörde prüft die Baumfällung am Lindenplatz.");
    add_text(f, make_doc(f, gcref, "Bauantrag", NULL),
             "Antrag auf Genehmigung eines Anbaus; Bauvorlagen folgen.");
    add_text(f, make_doc(f, gcref, "Stellungnahme", NULL),
             "Der Bauausschuss empfiehlt die Genehmigungen mit Auflagen.");
    make_doc(f, cref, "Straßenbaulastträger", NULL);
    struct rec_actor sys = rec_actor_system("test");
    assert_int_equal(rec_file_share(f->s, &sys, fref, 50), 0);
    assert_int_equal(rec_extract_drain(f->s, 1), 0);
    static const char *const qs[] = {"Bau*",         "Baum*",       "Baua*",           "Bauant*",
                                     "Genehmigung*", "Genehm*",     "Lindenpl*",       "Straßenb*",
                                     "Bau* Genehm*", "Bau* -Baum*", "\"Antrag auf\"*", "Lin*"};
    const struct rec_actor *const actors[] = {&user32, &user50, &sys};
    enum { NQ = sizeof qs / sizeof qs[0], NA = 3 };
    static char before[NQ][NA][256];
    for (size_t i = 0; i < NQ; i++)
        for (size_t a = 0; a < NA; a++)
            hit_ids(f, actors[a], qs[i], before[i][a], sizeof before[i][a]);
    assert_string_equal(before[0][2], "4:2,1,3,4,"); /* titles first */
    /* now 103 */
    assert_int_equal(fx_migrate_all(f->s), 0);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    int64_t n = 0;
    assert_int_equal(store_query_int(c, &n,
                                     "SELECT count(*) FROM sqlite_schema WHERE name = 'doc_search'"
                                     " AND sql LIKE '%prefix = ''3 4 5 6''%'",
                                     ""),
                     0);
    store_put(f->s, c);
    assert_int_equal(n, 1);
    for (size_t i = 0; i < NQ; i++)
        for (size_t a = 0; a < NA; a++) {
            char after[256];
            hit_ids(f, actors[a], qs[i], after, sizeof after);
            if (strcmp(before[i][a], after) != 0)
                fail_msg("„%s“ as actor %zu: %s before, %s after", qs[i], a, before[i][a], after);
        }
    assert_int_equal(total(find(f, &user50, "Baum*")), 2);
    assert_int_equal(total(find(f, &user50, "Bauant*")), 0);
    /* the triggers are back: a new title and a share reach the index */
    int64_t doc = make_doc(f, gcref, "Bauzeitenplan", NULL);
    assert_int_equal(first_doc(find(f, &user32, "Bauzeit*")), doc);
    assert_int_equal(total(find(f, &user50, "Bauzeit*")), 0);
    assert_int_equal(rec_file_share(f->s, &sys, gref, 50), 0);
    assert_int_equal(first_doc(find(f, &user50, "Bauzeit*")), doc);
    assert_index_ok(f);
    fx_close(f);
}

/* Queries a user may type: none may produce an SQL error. */
static void test_hostile_queries(void **state)
{
    struct fx *f = *state;
    char fref[REC_REF_MAX], cref[REC_REF_MAX];
    make_case(f, "32.30.01", "Allerlei", fref, cref);
    make_doc(f, cref, "Antrag \"in Anführungszeichen\" (Klammer) * NEAR OR AND NOT", NULL);
    static const char *const qs[] = {
        "\"",         "\"\"",      "\"\"\"",       "*",         "**",      "a*b*",
        "-",          "--",        "-\"",          "\"-a\"*",   "(",       ")",
        "a OR b",     "NEAR(a b)", "title:Antrag", "{title}:x", "^Antrag", "Antrag AND",
        "NOT Antrag", "-Antrag",   "\"unclosed",   "a\"b\"c",   "';--",    "\x01\x02",
        "\xff\xfe",   "\xc3",      "§$%&/()=?",    "",          "   ",     "„Antrag“",
        "Antrag*\"",  "*Antrag",   "\"Antrag\"*",  "x*-y*",     "- - -",   "Antrag -Antrag",
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        struct rec_search_query q = {.q = qs[i]};
        json_t *res = NULL;
        int rc = rec_search(f->s, &user32, &q, &res);
        if (rc && !(rc == ERR_INVALID && rec_search_short_prefix(qs[i])))
            fail_msg("query %zu „%s“: %d", i, qs[i], rc);
        json_decref(res);
    }
    /* random bytes, weighted towards syntax characters */
    static const char syntax[] = "\"*-()^:{}+ aAäß0.,\x01\xff";
    unsigned seed = 12345;
    for (int i = 0; i < 500; i++) {
        char q[40];
        size_t n = (size_t)(rand_r(&seed) % (sizeof q - 1));
        for (size_t k = 0; k < n; k++) {
            int r = rand_r(&seed);
            q[k] = (char)(r % 3 ? syntax[(size_t)r % (sizeof syntax - 1)] : (r >> 8) % 255 + 1);
        }
        q[n] = '\0';
        struct rec_search_query sq = {.q = q};
        json_t *res = NULL;
        int rc = rec_search(f->s, &user32, &sq, &res);
        if (rc && !(rc == ERR_INVALID && rec_search_short_prefix(q)))
            fail_msg("random query %d: %d", i, rc);
        json_decref(res);
    }
    assert_int_equal(total(find(f, &user32, "\"in Anführungszeichen\"")), 1);
    assert_int_equal(total(find(f, &user32, "Klammer*")), 1);
    /* a query longer than the limit is refused, not cut */
    char lng[1100];
    memset(lng, 'a', sizeof lng - 1);
    lng[sizeof lng - 1] = '\0';
    struct rec_search_query q = {.q = lng};
    json_t *res = NULL;
    assert_int_equal(rec_search(f->s, &user32, &q, &res), ERR_TOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_index_follows_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visibility_and_sharing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disposal_forgets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_job_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_matches, setup, teardown),
        cmocka_unit_test(test_upgrade_to_access_tokens),
        cmocka_unit_test(test_upgrade_to_prefix_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
