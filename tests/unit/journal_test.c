/* Unit tests of store/journal on a real SQLite data directory in /tmp: the
 * hash chain links and verifies, the triggers refuse UPDATE and DELETE, and
 * deliberate tampering (triggers dropped) is found by journal_verify at the
 * right entry. Also pins the canonical form that the hash is computed over. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/str.h"
#include "store/journal.h"
#include "store/store.h"

static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* ---- fixture: a migrated store in a fresh temp directory ------------------ */

struct fx {
    char tmp[64];         /* mkdtemp directory */
    char dir[96];         /* data directory inside tmp (created by store_open) */
    struct store *s;      /* the opened store */
    struct store_conn *c; /* one connection for the test */
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->tmp, sizeof f->tmp, "/tmp/rathaus-journal-XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/data", f->tmp);
    if (store_open(f->dir, STORE_CREATE, &f->s))
        return -1;
    int applied = -1;
    if (store_migrate(f->s, journal_migrations, journal_migrations_count, &applied) ||
        applied != (int)journal_migrations_count)
        return -1;
    if (store_get(f->s, &f->c))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_put(f->s, f->c);
    store_close(f->s);
    nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

/* Appends n entries "test.event" in one write transaction. */
static void append_n(struct store_conn *c, int n)
{
    assert_int_equal(store_begin(c, true), 0);
    for (int i = 0; i < n; i++) {
        json_t *d = json_pack("{s:i, s:s}", "i", i, "note", "Eintrag");
        assert_non_null(d);
        int64_t seq = 0;
        assert_int_equal(journal_append(c, "system", "test.event", "user:1", d, &seq), 0);
        assert_true(seq > 0);
        json_decref(d);
    }
    assert_int_equal(store_commit(c), 0);
}

/* Statements per column: literals only, because the statement cache of a
 * connection keeps the caller's SQL pointer (see store_prepare). */
static const char *const select_sql[][2] = {
    {"at", "SELECT at FROM journal WHERE seq = ?"},
    {"actor", "SELECT actor FROM journal WHERE seq = ?"},
    {"action", "SELECT action FROM journal WHERE seq = ?"},
    {"object", "SELECT object FROM journal WHERE seq = ?"},
    {"details", "SELECT details FROM journal WHERE seq = ?"},
    {"prev_hash", "SELECT prev_hash FROM journal WHERE seq = ?"},
    {"hash", "SELECT hash FROM journal WHERE seq = ?"},
};

/* Copies column col of the journal row seq into out. */
static void row_text(struct store_conn *c, int64_t seq, const char *col, char *out, size_t n)
{
    const char *sql = NULL;
    for (size_t i = 0; i < sizeof select_sql / sizeof select_sql[0]; i++)
        if (strcmp(select_sql[i][0], col) == 0)
            sql = select_sql[i][1];
    assert_non_null(sql);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, sql, &st), 0);
    assert_int_equal(store_bind(st, "i", seq), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    snprintf(out, n, "%s", store_col_text(st, 0));
    store_done(st);
}

/* Recomputes the hash of row seq from its stored fields. */
static void recompute(struct store_conn *c, int64_t seq, char out[65])
{
    char prev[65], at[64], actor[64], action[64], object[64], details[512];
    row_text(c, seq, "prev_hash", prev, sizeof prev);
    row_text(c, seq, "at", at, sizeof at);
    row_text(c, seq, "actor", actor, sizeof actor);
    row_text(c, seq, "action", action, sizeof action);
    row_text(c, seq, "object", object, sizeof object);
    row_text(c, seq, "details", details, sizeof details);
    journal_hash(prev, seq, at, actor, action, object, details, out);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_empty_verifies(void **state)
{
    struct fx *f = *state;
    int64_t count = -1, bad = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), 0);
    assert_int_equal(count, 0);
    assert_int_equal(bad, -1);
    assert_int_equal(msg.len, 64); /* the head hash */
    str_release(&msg);
    /* a second migration run applies nothing */
    int applied = -1;
    assert_int_equal(store_migrate(f->s, journal_migrations, journal_migrations_count, &applied),
                     0);
    assert_int_equal(applied, 0);
}

static void test_append_and_verify(void **state)
{
    struct fx *f = *state;
    int64_t seq = 0;
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(journal_append(f->c, "system", "store.init", "store", NULL, &seq), 0);
    assert_int_equal(seq, 1);
    json_t *d = json_pack("{s:s}", "login", "mmuster");
    assert_int_equal(journal_append(f->c, "admin", "user.create", "user:7", d, &seq), 0);
    json_decref(d);
    assert_int_equal(seq, 2);
    assert_int_equal(journal_append(f->c, "admin", "user.read", "user:7", NULL, NULL), 0);
    assert_int_equal(store_commit(f->c), 0);
    append_n(f->c, 5);

    int64_t count = -1, bad = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), 0);
    assert_int_equal(count, 8);
    assert_int_equal(msg.len, 64); /* the head hash */
    str_release(&msg);

    /* NULL details are stored as {}; the fields are as given */
    char buf[512];
    row_text(f->c, 1, "details", buf, sizeof buf);
    assert_string_equal(buf, "{}");
    row_text(f->c, 2, "details", buf, sizeof buf);
    assert_string_equal(buf, "{\"login\":\"mmuster\"}");
    row_text(f->c, 2, "actor", buf, sizeof buf);
    assert_string_equal(buf, "admin");
    row_text(f->c, 2, "object", buf, sizeof buf);
    assert_string_equal(buf, "user:7");
    row_text(f->c, 2, "at", buf, sizeof buf);
    assert_int_equal(strlen(buf), 20);
    assert_int_equal(buf[19], 'Z');

    /* the chain: entry 1 links to zeros, each next one to its predecessor,
     * and every stored hash is journal_hash of the stored fields */
    row_text(f->c, 1, "prev_hash", buf, sizeof buf);
    assert_string_equal(buf, zeros);
    for (int64_t s = 1; s <= 8; s++) {
        char h[65], stored[65];
        recompute(f->c, s, h);
        row_text(f->c, s, "hash", stored, sizeof stored);
        assert_string_equal(h, stored);
        if (s < 8) {
            char next_prev[65];
            row_text(f->c, s + 1, "prev_hash", next_prev, sizeof next_prev);
            assert_string_equal(next_prev, stored);
        }
    }
}

static void test_triggers_block(void **state)
{
    struct fx *f = *state;
    append_n(f->c, 3);
    assert_true(store_run(f->c, "UPDATE journal SET details = '{\"x\":1}' WHERE seq = 2", "") < 0);
    assert_true(store_run(f->c, "UPDATE journal SET actor = ?", "t", "mallory") < 0);
    assert_true(store_run(f->c, "DELETE FROM journal WHERE seq = 3", "") < 0);
    assert_true(store_run(f->c, "DELETE FROM journal", "") < 0);
    char buf[512];
    row_text(f->c, 2, "details", buf, sizeof buf);
    assert_string_equal(buf, "{\"i\":1,\"note\":\"Eintrag\"}");
    int64_t n = 0;
    assert_int_equal(store_query_int(f->c, &n, "SELECT count(*) FROM journal", ""), 0);
    assert_int_equal(n, 3);
    int64_t count = -1, bad = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), 0);
    assert_int_equal(count, 3);
    str_release(&msg);
}

static void test_tamper_update(void **state)
{
    struct fx *f = *state;
    append_n(f->c, 4);
    assert_int_equal(store_exec(f->c, "DROP TRIGGER journal_no_update"), 0);
    assert_int_equal(store_run(f->c,
                               "UPDATE journal SET details = '{\"i\":99,\"note\":\"Eintrag\"}'"
                               " WHERE seq = 2",
                               ""),
                     0);
    int64_t count = -1, bad = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), ERR_CORRUPT);
    assert_int_equal(bad, 2);
    assert_int_equal(count, -1); /* only set when intact */
    assert_non_null(strstr(msg.buf, "Protokolleintrag 2 "));
    assert_non_null(strstr(msg.buf, "verändert"));

    /* a forger who also rewrites the hash of entry 2 breaks the link of 3 */
    char h[65];
    recompute(f->c, 2, h);
    assert_int_equal(store_run(f->c, "UPDATE journal SET hash = ? WHERE seq = 2", "t", h), 0);
    str_reset(&msg);
    bad = -1;
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), ERR_CORRUPT);
    assert_int_equal(bad, 3);
    assert_non_null(strstr(msg.buf, "Protokolleintrag 3 "));
    assert_non_null(strstr(msg.buf, "vorigen"));
    str_release(&msg);
}

static void test_tamper_other_fields(void **state)
{
    struct fx *f = *state;
    append_n(f->c, 3);
    assert_int_equal(store_exec(f->c, "DROP TRIGGER journal_no_update"), 0);
    /* every hashed field counts: change each one and restore it */
    static const char *const cols[][2] = {
        {"at", "UPDATE journal SET at = ? WHERE seq = 3"},
        {"actor", "UPDATE journal SET actor = ? WHERE seq = 3"},
        {"action", "UPDATE journal SET action = ? WHERE seq = 3"},
        {"object", "UPDATE journal SET object = ? WHERE seq = 3"},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        char orig[128];
        const char *sql = cols[i][1];
        row_text(f->c, 3, cols[i][0], orig, sizeof orig);
        assert_int_equal(store_run(f->c, sql, "t", "x"), 0);
        int64_t count = -1, bad = -1;
        struct str msg;
        str_init(&msg, 0);
        assert_int_equal(journal_verify(f->c, &count, &bad, &msg), ERR_CORRUPT);
        assert_int_equal(bad, 3);
        str_release(&msg);
        assert_int_equal(store_run(f->c, sql, "t", orig), 0);
        str_init(&msg, 0);
        assert_int_equal(journal_verify(f->c, &count, &bad, &msg), 0);
        assert_int_equal(count, 3);
        str_release(&msg);
    }
}

static void test_tamper_delete(void **state)
{
    struct fx *f = *state;
    append_n(f->c, 5);
    assert_int_equal(store_exec(f->c, "DROP TRIGGER journal_no_delete"), 0);
    assert_int_equal(store_run(f->c, "DELETE FROM journal WHERE seq = 3", ""), 0);
    int64_t count = -1, bad = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), ERR_CORRUPT);
    assert_int_equal(bad, 4); /* the first entry after the gap */
    assert_non_null(strstr(msg.buf, "Protokolleintrag 4 "));
    assert_non_null(strstr(msg.buf, "Lücke"));

    /* deleting the first entry is found at entry 2 */
    assert_int_equal(store_run(f->c, "DELETE FROM journal WHERE seq = 1", ""), 0);
    str_reset(&msg);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), ERR_CORRUPT);
    assert_int_equal(bad, 2);
    str_release(&msg);
}

static void test_canonical_details(void **state)
{
    struct fx *f = *state;
    json_t *a = json_object();
    json_object_set_new(a, "zeta", json_integer(1));
    json_object_set_new(a, "alpha", json_string("Grüße"));
    json_object_set_new(a, "mid", json_pack("{s:i, s:i}", "y", 2, "b", 1));
    json_t *b = json_object();
    json_object_set_new(b, "mid", json_pack("{s:i, s:i}", "b", 1, "y", 2));
    json_object_set_new(b, "alpha", json_string("Grüße"));
    json_object_set_new(b, "zeta", json_integer(1));
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(journal_append(f->c, "system", "t.a", "o:1", a, NULL), 0);
    assert_int_equal(journal_append(f->c, "system", "t.a", "o:1", b, NULL), 0);
    assert_int_equal(store_commit(f->c), 0);
    json_decref(a);
    json_decref(b);
    char d1[512], d2[512];
    row_text(f->c, 1, "details", d1, sizeof d1);
    row_text(f->c, 2, "details", d2, sizeof d2);
    /* compact, sorted keys (also nested), ASCII only (jansson writes upper-case
     * \u escapes; a change there would change every hash) */
    assert_string_equal(d1,
                        "{\"alpha\":\"Gr\\u00FC\\u00DFe\",\"mid\":{\"b\":1,\"y\":2},\"zeta\":1}");
    assert_string_equal(d1, d2);

    /* hence the same entry in the same place hashes the same */
    char h1[65], h2[65];
    journal_hash(zeros, 1, "2026-01-01T00:00:00Z", "system", "t.a", "o:1", d1, h1);
    journal_hash(zeros, 1, "2026-01-01T00:00:00Z", "system", "t.a", "o:1", d2, h2);
    assert_string_equal(h1, h2);
}

static void test_hash_format(void **state)
{
    (void)state;
    /* the documented canonical form, computed here independently */
    const char *prev = "ab12";
    const char *canon = "ab12"
                        "1:7\n"
                        "20:2026-03-29T01:00:00Z\n"
                        "6:system\n"
                        "11:user.create\n"
                        "6:user:7\n"
                        "2:{}\n";
    unsigned char md[crypto_hash_sha256_BYTES];
    char want[65], got[65];
    crypto_hash_sha256(md, (const unsigned char *)canon, strlen(canon));
    sodium_bin2hex(want, sizeof want, md, sizeof md);
    journal_hash(prev, 7, "2026-03-29T01:00:00Z", "system", "user.create", "user:7", "{}", got);
    assert_string_equal(got, want);
    assert_int_equal(strlen(got), 64);

    /* deterministic, and each field matters */
    char again[65], other[65];
    journal_hash(prev, 7, "2026-03-29T01:00:00Z", "system", "user.create", "user:7", "{}", again);
    assert_string_equal(got, again);
    journal_hash(prev, 8, "2026-03-29T01:00:00Z", "system", "user.create", "user:7", "{}", other);
    assert_string_not_equal(got, other);
    journal_hash("ab13", 7, "2026-03-29T01:00:00Z", "system", "user.create", "user:7", "{}", other);
    assert_string_not_equal(got, other);
    journal_hash(prev, 7, "2026-03-29T01:00:00Z", "system", "user.create", "user:7", "{ }", other);
    assert_string_not_equal(got, other);
    /* length prefixes: moving a byte between fields changes the hash */
    char x[65], y[65];
    journal_hash(prev, 1, "t", "ab", "c", "o", "{}", x);
    journal_hash(prev, 1, "t", "a", "bc", "o", "{}", y);
    assert_string_not_equal(x, y);
}

/* Finding: journal_append does not check for a transaction. Outside one it
 * runs in SQLite's autocommit mode and still builds a valid chain; the
 * header's "must run inside a write transaction" is about concurrent writers,
 * which this single-connection test cannot race. */
static void test_append_outside_tx(void **state)
{
    struct fx *f = *state;
    int64_t seq = 0;
    assert_int_equal(journal_append(f->c, "system", "t.notx", "o:1", NULL, &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(journal_append(f->c, "system", "t.notx", "o:2", NULL, &seq), 0);
    assert_int_equal(seq, 2);
    int64_t count = -1, bad = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), 0);
    assert_int_equal(count, 2);
    str_release(&msg);
}

static void test_rollback_leaves_no_hole(void **state)
{
    struct fx *f = *state;
    append_n(f->c, 2);
    assert_int_equal(store_begin(f->c, true), 0);
    int64_t seq = 0;
    assert_int_equal(journal_append(f->c, "system", "t.gone", "o:1", NULL, &seq), 0);
    assert_int_equal(seq, 3);
    store_rollback(f->c);
    append_n(f->c, 1);
    char action[64];
    row_text(f->c, 3, "action", action, sizeof action);
    assert_string_equal(action, "test.event");
    int64_t count = -1, bad = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(journal_verify(f->c, &count, &bad, &msg), 0);
    assert_int_equal(count, 3);
    str_release(&msg);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_triggers_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_other_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_canonical_details, setup, teardown),
        cmocka_unit_test(test_hash_format),
        cmocka_unit_test_setup_teardown(test_append_outside_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_leaves_no_hole, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
