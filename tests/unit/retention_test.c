/* Unit tests of retention and disposal: the end of retention (31 December of
 * the closing year in Germany plus the period, also around New Year's Eve
 * and with 0 years), when a closed file becomes due (moved clock), and the
 * disposal rules: hold, running retention, offer before destroying A/B
 * files, and a destruction that removes blobs nobody else uses, empties
 * personal fields, leaves a tombstone and keeps the journal verifiable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/rtime.h"
#include "records/records.h"
#include "store/blob.h"
#include "store/journal.h"
#include "store/store.h"
#include "web/web.h"

#include "fixture.h"

/* Seconds of the clock offset that makes every file of the test due. */
#define FAR_FUTURE "2000000000" /* about 63 years */

/* ---- rec_retention_until -------------------------------------------------- */

static int64_t at(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(rtime_parse_iso(iso, &t), 0);
    return t;
}

static void check(const char *closed, int years, const char *want)
{
    char out[11];
    rec_retention_until(at(closed), years, out);
    assert_string_equal(out, want);
}

static void test_retention_dates(void **state)
{
    (void)state;
    check("2026-06-15T12:00:00Z", 10, "2036-12-31");
    check("2026-01-01T00:00:00Z", 30, "2056-12-31"); /* 01:00 in Berlin, still 2026 */
    check("2026-03-01T08:00:00Z", 0, "2026-12-31");  /* 0 years: end of the closing year */
    check("2026-12-31T12:00:00Z", 0, "2026-12-31");
    check("2026-07-01T22:30:00Z", 5, "2031-12-31");  /* 00:30 on 2 July in summer time */
    check("2026-12-31T22:59:59Z", 10, "2036-12-31"); /* 23:59:59 in Berlin */
    check("2026-12-31T23:00:00Z", 10, "2037-12-31"); /* midnight in Berlin: already 2027 */
    check("2026-12-31T23:30:00Z", 0, "2027-12-31");
    check("2025-12-31T22:59:59Z", 50, "2075-12-31");
    check("2024-02-29T12:00:00Z", 1, "2025-12-31"); /* leap day */
    check("2026-05-05T10:00:00Z", 200, "2226-12-31");
    check("2026-05-05T10:00:00Z", -3, "2026-12-31"); /* a negative period counts as 0 */
}

/* ---- fixture: a store with offices and the default plan ----------------- */

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("retention", &f))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* Creates a file with one case, one document and a version with text; the
 * version's blob hash goes to sha (may be NULL). */
static void make_file(struct fx *f, const char *code, const char *content, char ref[REC_REF_MAX],
                      char sha[BLOB_HEX], int64_t *ret_version)
{
    struct rec_actor a = rec_actor_system("test");
    char cref[REC_REF_MAX];
    assert_int_equal(
        rec_file_create(f->s, &a, code, 32, "Akte Mustermann", "Erika Mustermann", ref, NULL, NULL),
        0);
    assert_int_equal(rec_case_create(f->s, &a, ref, "Antrag", NULL, cref, NULL), 0);
    struct rec_doc_new d = {"Antrag vom Bürger", "in", "2026-01-05", "Erika Mustermann"};
    int64_t doc = 0, ver = 0;
    assert_int_equal(rec_doc_create(f->s, &a, cref, &d, &doc), 0);
    struct rec_content ct = {NULL, content, strlen(content), "antrag.txt", NULL};
    const char *mime = NULL;
    assert_int_equal(rec_version_add(f->s, &a, doc, &ct, &ver, &mime), 0);
    assert_string_equal(mime, "text/plain");
    if (ret_version)
        *ret_version = ver;
    if (sha) {
        unsigned char md[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(md, (const unsigned char *)content, strlen(content));
        sodium_bin2hex(sha, BLOB_HEX, md, sizeof md);
    }
}

static bool blob_exists(struct fx *f, const char *sha)
{
    struct str p;
    str_init(&p, 0);
    assert_int_equal(blob_path(f->s, sha, &p), 0);
    bool ok = access(p.buf, F_OK) == 0;
    str_release(&p);
    return ok;
}

static int64_t count(struct fx *f, const char *sql, const char *ref)
{
    struct store_conn *c;
    int64_t n = -1;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_query_int(c, &n, sql, "t", ref), 0);
    store_put(f->s, c);
    return n;
}

static void verify_ok(struct fx *f)
{
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    int64_t nj = 0, nb = 0, bad = 0;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(c, &nj, &bad, &msg), 0);
    assert_int_equal(blob_verify_all(f->s, c, &nb, &msg), 0);
    str_release(&msg);
    store_put(f->s, c);
}

/* True when ref is in the disposal list of a. */
static bool is_due(struct fx *f, const struct rec_actor *a, const char *ref)
{
    json_t *list;
    assert_int_equal(rec_disposal_due(f->s, a, &list), 0);
    bool found = false;
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "reference")), ref) == 0)
            found = true;
    }
    json_decref(list);
    return found;
}

/* ---- due and disposal ------------------------------------------------------- */

static void test_due_after_retention(void **state)
{
    struct fx *f = *state;
    struct rec_actor a = rec_actor_system("test");
    char ref[REC_REF_MAX];
    make_file(f, "32.30.01", "Bewohnerparkausweis Zone A\n", ref, NULL, NULL); /* 3 years, V */
    assert_false(is_due(f, &a, ref));                                          /* open */
    assert_int_equal(rec_file_close(f->s, &a, ref), 0);
    assert_int_equal(rec_file_close(f->s, &a, ref), ERR_EXISTS);
    json_t *j;
    assert_int_equal(rec_file_get(f->s, &a, ref, &j), 0);
    char want[11];
    rec_retention_until(rtime_now(), 3, want);
    assert_string_equal(json_string_value(json_object_get(j, "retention_until")), want);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "closed");
    json_decref(j);
    assert_false(is_due(f, &a, ref));
    assert_int_equal(rec_dispose(f->s, &a, ref, true), ERR_EXISTS); /* retention runs */
    /* on 31 December of the retention year it is not yet due, the day after it is */
    int64_t end = at(want) + 12 * 3600; /* noon on the last day (UTC) */
    int64_t real_now = rtime_now();     /* before any offset is set */
    char off[32];
    snprintf(off, sizeof off, "%lld", (long long)(end - real_now));
    setenv("RATHAUS_CLOCK_OFFSET", off, 1);
    assert_false(is_due(f, &a, ref));
    snprintf(off, sizeof off, "%lld", (long long)(end + 86400 - real_now));
    setenv("RATHAUS_CLOCK_OFFSET", off, 1);
    assert_true(is_due(f, &a, ref));
    /* an office that does not see the file does not find it in its list */
    struct http_user u50 = {.id = 9, .login = "amt50", .unit_nr = 50, .roles = WEB_ROLE_HEAD};
    struct rec_actor amt50 = rec_actor_of(&u50);
    assert_false(is_due(f, &amt50, ref));
    assert_int_equal(rec_dispose(f->s, &amt50, ref, true), ERR_NOTFOUND);
    struct http_user u32 = {.id = 8, .login = "leitung32", .unit_nr = 32, .roles = WEB_ROLE_HEAD};
    struct rec_actor lead32 = rec_actor_of(&u32);
    assert_true(is_due(f, &lead32, ref));
    assert_int_equal(rec_dispose(f->s, &lead32, ref, true), ERR_DENIED); /* not Registratur */
}

static void test_hold_blocks_disposal(void **state)
{
    struct fx *f = *state;
    struct rec_actor a = rec_actor_system("test");
    char ref[REC_REF_MAX], sha[BLOB_HEX];
    make_file(f, "32.30.01", "Parkausweis mit Sperre\n", ref, sha, NULL);
    assert_int_equal(rec_file_close(f->s, &a, ref), 0);
    assert_int_equal(rec_file_hold(f->s, &a, ref, true, NULL), ERR_INVALID); /* reason needed */
    assert_int_equal(rec_file_hold(f->s, &a, ref, true, "Klageverfahren 3 K 12/26"), 0);
    setenv("RATHAUS_CLOCK_OFFSET", FAR_FUTURE, 1);
    assert_true(is_due(f, &a, ref)); /* listed, with hold: true */
    assert_int_equal(rec_dispose(f->s, &a, ref, true), ERR_EXISTS);
    assert_int_equal(rec_dispose(f->s, &a, ref, false), ERR_EXISTS);
    assert_true(blob_exists(f, sha));
    assert_int_equal(rec_file_hold(f->s, &a, ref, false, NULL), 0);
    assert_int_equal(rec_dispose(f->s, &a, ref, true), 0);
    assert_false(blob_exists(f, sha));
    verify_ok(f);
}

static void test_destroy(void **state)
{
    struct fx *f = *state;
    struct rec_actor a = rec_actor_system("test");
    char ref[REC_REF_MAX], keep[REC_REF_MAX], sha[BLOB_HEX], shared_sha[BLOB_HEX];
    int64_t ver = 0;
    make_file(f, "32.30.01", "Nur in dieser Akte\n", ref, sha, &ver);
    /* a second version with content that another (open) file also holds */
    make_file(f, "32.30.01", "Gemeinsamer Inhalt\n", keep, shared_sha, NULL);
    json_t *k;
    char cref[REC_REF_MAX + 4];
    snprintf(cref, sizeof cref, "%s/1", ref);
    assert_int_equal(rec_case_get(f->s, &a, cref, &k), 0);
    int64_t doc = json_integer_value(
        json_object_get(json_array_get(json_object_get(k, "documents"), 0), "id"));
    json_decref(k);
    struct rec_content ct = {NULL, "Gemeinsamer Inhalt\n", 19, "kopie.txt", NULL};
    int64_t ver2 = 0;
    assert_int_equal(rec_version_add(f->s, &a, doc, &ct, &ver2, NULL), 0);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_run(c, "INSERT INTO doc_text (version_id, text) VALUES (?, ?)", "it",
                               ver, "Nur in dieser Akte"),
                     0);
    store_put(f->s, c);
    assert_int_equal(rec_file_close(f->s, &a, ref), 0);
    setenv("RATHAUS_CLOCK_OFFSET", FAR_FUTURE, 1);
    struct rec_version_file vf;
    assert_int_equal(rec_version_open(f->s, &a, ver, true, &vf), 0);
    assert_int_equal(rec_dispose(f->s, &a, ref, true), 0);
    assert_int_equal(rec_dispose(f->s, &a, ref, true), ERR_EXISTS); /* already disposed */
    assert_false(blob_exists(f, sha));
    assert_true(blob_exists(f, shared_sha)); /* still used by the other file */
    assert_int_equal(rec_version_open(f->s, &a, ver, true, &vf), ERR_NOTFOUND);
    assert_int_equal(rec_version_open(f->s, &a, ver2, true, &vf), ERR_NOTFOUND);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM versions v JOIN documents d ON d.id ="
                           " v.document_id JOIN cases k ON k.id = d.case_id JOIN files f ON"
                           " f.id = k.file_id WHERE f.reference = ? AND v.blob_sha256 IS NULL"
                           " AND v.filename = ''",
                           ref),
                     2);
    assert_int_equal(count(f, "SELECT count(*) FROM doc_text t WHERE ? IS NOT NULL", ref), 0);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM files WHERE reference = ? AND status = 'disposed'"
                           " AND parties = ''",
                           ref),
                     1);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM tombstones WHERE file_reference = ?"
                           " AND action = 'destroyed' AND plan_code = '32.30.01'",
                           ref),
                     1);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM journal WHERE action = 'file.destroy'"
                           " AND json_extract(details, '$.reference') = ?",
                           ref),
                     1);
    /* the metadata stays readable, the versions say they are gone */
    json_t *j;
    assert_int_equal(rec_file_get(f->s, &a, ref, &j), 0);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "disposed");
    json_decref(j);
    assert_int_equal(rec_case_get(f->s, &a, cref, &k), 0);
    json_t *v0 = json_array_get(
        json_object_get(json_array_get(json_object_get(k, "documents"), 0), "versions"), 0);
    assert_true(json_is_false(json_object_get(v0, "available")));
    json_decref(k);
    /* the access log shows the read and the destruction */
    json_t *log;
    assert_int_equal(rec_access_log(f->s, &a, ref, &log), 0);
    bool read = false, destroyed = false;
    size_t i;
    json_t *e;
    json_array_foreach(log, i, e)
    {
        const char *act = json_string_value(json_object_get(e, "action"));
        read |= strcmp(act, "doc.read") == 0;
        destroyed |= strcmp(act, "file.destroy") == 0;
    }
    json_decref(log);
    assert_true(read);
    assert_true(destroyed);
    verify_ok(f);
}

static void test_offer_before_destroy(void **state)
{
    struct fx *f = *state;
    struct rec_actor a = rec_actor_system("test");
    char ref[REC_REF_MAX], sha[BLOB_HEX];
    make_file(f, "63.10.03", "Sonderbau, archivwürdig\n", ref, sha, NULL); /* 30 years, A */
    assert_int_equal(rec_file_close(f->s, &a, ref), 0);
    setenv("RATHAUS_CLOCK_OFFSET", FAR_FUTURE, 1);
    assert_int_equal(rec_dispose(f->s, &a, ref, true), ERR_EXISTS); /* A: offer first */
    assert_int_equal(rec_dispose(f->s, &a, ref, false), 0);
    assert_int_equal(rec_dispose(f->s, &a, ref, false), ERR_EXISTS); /* offered once */
    assert_true(blob_exists(f, sha));
    assert_int_equal(count(f,
                           "SELECT count(*) FROM tombstones WHERE file_reference = ?"
                           " AND action = 'offered'",
                           ref),
                     1);
    assert_true(is_due(f, &a, ref)); /* offered files stay listed until destroyed */
    assert_int_equal(rec_dispose(f->s, &a, ref, true), 0);
    assert_false(blob_exists(f, sha));
    verify_ok(f);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retention_dates),
        cmocka_unit_test_setup_teardown(test_due_after_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_blocks_disposal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offer_before_destroy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
