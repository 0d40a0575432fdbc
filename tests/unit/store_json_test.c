/* Unit test of store_row_json / store_rows_json: each column becomes a
 * member named by the column (or its alias) with its value's type; NULL and
 * blobs become JSON null; a statement without rows appends nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store/store.h"

static void test_rows(void **state)
{
    (void)state;
    struct fx *f;
    assert_int_equal(fx_open("rowjson", &f), 0);
    struct store_conn *c;
    assert_int_equal(store_get(f->s, &c), 0);
    assert_int_equal(store_exec(c, "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB);"
                                   "INSERT INTO t VALUES (7, 2.5, 'Straße', x'00ff'),"
                                   " (NULL, NULL, NULL, NULL)"),
                     0);
    struct store_stmt *st;
    assert_int_equal(store_prepare(c, "SELECT i, r, s AS text, b FROM t ORDER BY rowid", &st), 0);
    json_t *list = json_array();
    assert_int_equal(store_rows_json(st, list), 0);
    store_done(st);
    char *z = json_dumps(list, JSON_COMPACT | JSON_ENSURE_ASCII);
    assert_string_equal(z, "[{\"i\":7,\"r\":2.5,\"text\":\"Stra\\u00DFe\",\"b\":null},"
                           "{\"i\":null,\"r\":null,\"text\":null,\"b\":null}]");
    free(z);
    /* no rows: nothing appended */
    assert_int_equal(store_prepare(c, "SELECT i FROM t WHERE i = 99", &st), 0);
    assert_int_equal(store_rows_json(st, list), 0);
    store_done(st);
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);
    /* one row */
    assert_int_equal(store_prepare(c, "SELECT count(*) AS n FROM t", &st), 0);
    assert_int_equal(store_step(st), STORE_ROW);
    json_t *o = store_row_json(st);
    store_done(st);
    assert_int_equal(json_integer_value(json_object_get(o, "n")), 2);
    json_decref(o);
    store_put(f->s, c);
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
