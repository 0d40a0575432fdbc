/* Unit tests of store_migrate on a real SQLite database in /tmp: migrations
 * run in id order whatever the order of the list, a second run is a no-op,
 * a database from a newer binary and a list with duplicate ids are refused,
 * and a failing migration leaves neither its changes nor its record behind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"

/* ---- fixture: an empty store in a fresh temp directory -------------------- */

struct fx {
    char tmp[64];    /* mkdtemp directory */
    char dir[96];    /* data directory */
    struct store *s; /* the opened store */
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
    snprintf(f->tmp, sizeof f->tmp, "/tmp/rathaus-migrate-XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/data", f->tmp);
    if (store_open(f->dir, STORE_CREATE, &f->s))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* Each migration appends its id to log, so the table records the order. */
static const struct store_migration ordered[] = {
    {30, "third", "INSERT INTO log (mid) VALUES (30)"},
    {10, "first",
     "CREATE TABLE log (n INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER);"
     "INSERT INTO log (mid) VALUES (10)"},
    {25, "second", "INSERT INTO log (mid) VALUES (25)"},
    {40, "fourth", "CREATE TABLE t40 (x); INSERT INTO log (mid) VALUES (40)"},
};
#define NORDERED (sizeof ordered / sizeof ordered[0])

static int64_t query(struct store *s, const char *sql)
{
    struct store_conn *c;
    assert_int_equal(store_get(s, &c), 0);
    int64_t v = -1;
    int rc = store_query_int(c, &v, sql, "");
    store_put(s, c);
    assert_int_equal(rc, 0);
    return v;
}

/* True when a table of that name exists. */
static bool has_table(struct store *s, const char *name)
{
    struct store_conn *c;
    assert_int_equal(store_get(s, &c), 0);
    int64_t n = -1;
    int rc = store_query_int(
        c, &n, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", "t", name);
    store_put(s, c);
    assert_int_equal(rc, 0);
    return n > 0;
}

static void test_order(void **state)
{
    struct fx *f = *state;
    int applied = -1;
    assert_int_equal(store_migrate(f->s, ordered, NORDERED, &applied), 0);
    assert_int_equal(applied, 4);
    /* log holds 10, 25, 30, 40 in insertion order */
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "SELECT mid FROM log ORDER BY n", &st), 0);
    const int64_t want[] = {10, 25, 30, 40};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(store_step(st), STORE_ROW);
        assert_int_equal(store_col_int(st, 0), want[i]);
    }
    assert_int_equal(store_step(st), STORE_DONE);
    store_done(st);
    store_put(f->s, c);
    /* each migration is recorded with its name */
    assert_int_equal(query(f->s, "SELECT count(*) FROM schema_migrations"), 4);
    assert_int_equal(query(f->s, "SELECT max(id) FROM schema_migrations"), 40);
    assert_int_equal(query(f->s, "SELECT count(*) FROM schema_migrations"
                                 " WHERE id = 25 AND name = 'second'"),
                     1);
}

static void test_idempotent(void **state)
{
    struct fx *f = *state;
    int applied = -1;
    assert_int_equal(store_migrate(f->s, ordered, NORDERED, &applied), 0);
    assert_int_equal(applied, 4);
    applied = -1;
    assert_int_equal(store_migrate(f->s, ordered, NORDERED, &applied), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(query(f->s, "SELECT count(*) FROM log"), 4);
    /* ret_applied may be NULL */
    assert_int_equal(store_migrate(f->s, ordered, NORDERED, NULL), 0);
    assert_int_equal(query(f->s, "SELECT count(*) FROM log"), 4);

    /* after a reopen, a longer list applies only the new one */
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->dir, 0, &f->s), 0);
    const struct store_migration more[] = {
        ordered[0],
        ordered[1],
        ordered[2],
        ordered[3],
        {50, "fifth", "INSERT INTO log (mid) VALUES (50)"},
    };
    assert_int_equal(store_migrate(f->s, more, 5, &applied), 0);
    assert_int_equal(applied, 1);
    assert_int_equal(query(f->s, "SELECT mid FROM log ORDER BY n DESC LIMIT 1"), 50);
    assert_int_equal(query(f->s, "SELECT count(*) FROM log"), 5);
}

static void test_empty_list(void **state)
{
    struct fx *f = *state;
    int applied = -1;
    assert_int_equal(store_migrate(f->s, NULL, 0, &applied), 0);
    assert_int_equal(applied, 0);
    assert_true(has_table(f->s, "schema_migrations"));
}

static void test_newer_database(void **state)
{
    struct fx *f = *state;
    int applied = -1;
    assert_int_equal(store_migrate(f->s, ordered, NORDERED, &applied), 0);
    /* an older binary knows only 10 and 25 */
    const struct store_migration older[] = {ordered[1], ordered[2]};
    applied = -1;
    assert_int_equal(store_migrate(f->s, older, 2, &applied), ERR_VERSION);
    assert_int_equal(applied, -1);
    assert_int_equal(store_migrate(f->s, NULL, 0, NULL), ERR_VERSION);
    /* nothing was touched */
    assert_int_equal(query(f->s, "SELECT count(*) FROM log"), 4);
    assert_int_equal(query(f->s, "SELECT count(*) FROM schema_migrations"), 4);
}

static void test_duplicates(void **state)
{
    struct fx *f = *state;
    const struct store_migration dup[] = {
        {1, "a", "CREATE TABLE a (x)"},
        {2, "b", "CREATE TABLE b (x)"},
        {1, "a again", "CREATE TABLE a2 (x)"},
    };
    int applied = -1;
    assert_int_equal(store_migrate(f->s, dup, 3, &applied), ERR_INVALID);
    assert_int_equal(applied, -1);
    /* refused before anything ran */
    assert_false(has_table(f->s, "a"));
    assert_false(has_table(f->s, "b"));
    assert_false(has_table(f->s, "a2"));

    /* ids must be positive, also when the list has a single entry */
    const struct store_migration zero[] = {{0, "zero", "CREATE TABLE z (x)"}};
    assert_int_equal(store_migrate(f->s, zero, 1, NULL), ERR_INVALID);
    const struct store_migration neg[] = {{-3, "neg", "CREATE TABLE n (x)"},
                                          {5, "five", "CREATE TABLE five (x)"}};
    assert_int_equal(store_migrate(f->s, neg, 2, NULL), ERR_INVALID);
    assert_false(has_table(f->s, "z"));
    assert_false(has_table(f->s, "n"));
    assert_false(has_table(f->s, "five"));
}

static void test_failure_rolls_back(void **state)
{
    struct fx *f = *state;
    /* 2 creates a table, then fails on its second statement */
    const struct store_migration list[] = {
        {1, "good", "CREATE TABLE good (x); INSERT INTO good VALUES (1)"},
        {2, "bad",
         "CREATE TABLE half (x); INSERT INTO half VALUES (1); INSERT INTO nowhere VALUES (1)"},
        {3, "later", "CREATE TABLE later (x)"},
    };
    int applied = -1;
    int rc = store_migrate(f->s, list, 3, &applied);
    assert_int_equal(rc, ERR_DB);
    assert_int_equal(applied, -1);
    /* 1 is committed, 2 left nothing behind, 3 never ran */
    assert_true(has_table(f->s, "good"));
    assert_false(has_table(f->s, "half"));
    assert_false(has_table(f->s, "later"));
    assert_int_equal(query(f->s, "SELECT count(*) FROM schema_migrations"), 1);
    assert_int_equal(query(f->s, "SELECT count(*) FROM schema_migrations WHERE id = 2"), 0);

    /* with migration 2 fixed, the next run continues from there */
    const struct store_migration fixed[] = {
        list[0],
        {2, "bad, fixed", "CREATE TABLE half (x); INSERT INTO half VALUES (1)"},
        list[2],
    };
    assert_int_equal(store_migrate(f->s, fixed, 3, &applied), 0);
    assert_int_equal(applied, 2);
    assert_true(has_table(f->s, "half"));
    assert_true(has_table(f->s, "later"));
    assert_int_equal(query(f->s, "SELECT count(*) FROM good"), 1);
    assert_int_equal(query(f->s, "SELECT count(*) FROM half"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_rolls_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
