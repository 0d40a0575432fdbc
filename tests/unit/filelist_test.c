/* Unit tests of the count of the file list (rec_file_list): exact up to
 * REC_FILE_MAX_COUNT, past it capped with total_capped, so the list of a
 * large registry does not count a million rows for every page; filters still
 * count exactly below the cap. The 10,001 files are created in one outer
 * transaction (each rec_file_create joins it) to keep the test fast. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>

#include "records/records.h"
#include "store/store.h"

#include "fixture.h"

static int setup(void **state)
{
    struct fx *f;
    if (fx_open("filelist", &f))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* Creates n files of office unit under plan code, all in one transaction. */
static void create_files(struct store *s, const char *code, int unit, int n)
{
    struct rec_actor a = rec_actor_system("test");
    struct store_conn *c;
    assert_int_equal(store_get(s, &c), 0);
    assert_int_equal(store_begin(c, true), 0);
    for (int i = 0; i < n; i++) {
        char ref[REC_REF_MAX];
        assert_int_equal(rec_file_create(s, &a, code, unit, "Zählprobe", NULL, ref, NULL, NULL), 0);
    }
    assert_int_equal(store_commit(c), 0);
    store_put(s, c);
}

static json_int_t list_total(struct store *s, int unit, bool *ret_capped, size_t *ret_items)
{
    struct rec_actor a = rec_actor_system("test");
    struct rec_file_query q = {.unit_nr = unit, .page = 1, .per_page = 10};
    json_t *j = NULL;
    assert_int_equal(rec_file_list(s, &a, &q, &j), 0);
    json_int_t total = json_integer_value(json_object_get(j, "total"));
    *ret_capped = json_is_true(json_object_get(j, "total_capped"));
    *ret_items = json_array_size(json_object_get(j, "items"));
    json_decref(j);
    return total;
}

static void test_count_capped(void **state)
{
    struct fx *f = *state;
    bool capped = true;
    size_t items = 0;
    create_files(f->s, "32.30.01", 32, 3);
    assert_int_equal(list_total(f->s, 0, &capped, &items), 3);
    assert_false(capped);
    assert_int_equal(items, 3);

    /* exactly at the cap: still exact */
    create_files(f->s, "63.10.01", 63, 5000);
    create_files(f->s, "63.10.02", 63, REC_FILE_MAX_COUNT - 5000 - 3);
    assert_int_equal(list_total(f->s, 0, &capped, &items), REC_FILE_MAX_COUNT);
    assert_false(capped);
    /* one more: capped */
    create_files(f->s, "63.10.02", 63, 1);
    assert_int_equal(list_total(f->s, 0, &capped, &items), REC_FILE_MAX_COUNT);
    assert_true(capped);
    assert_int_equal(items, 10);
    /* a filter below the cap counts exactly */
    assert_int_equal(list_total(f->s, 32, &capped, &items), 3);
    assert_false(capped);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_count_capped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
