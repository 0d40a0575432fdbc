/* Unit tests of store/blob on a real data directory in /tmp: content
 * addressing by SHA-256 (known vectors), the on-disk layout, deduplication
 * with reference counts, detection of damaged and missing files, garbage
 * collection after the last reference goes, hash validation in paths, and
 * batches whose contents reach their final names only when synced, and the
 * sweep of temp files a crash left. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/str.h"
#include "store/blob.h"
#include "store/journal.h"
#include "store/store.h"

#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* SHA-256 of the 56-byte FIPS 180-2 test message below */
#define MSG_56 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA_56 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

/* ---- fixture: a migrated store in a fresh temp directory ------------------ */

struct fx {
    char tmp[64];         /* mkdtemp directory */
    char dir[96];         /* data directory */
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
    snprintf(f->tmp, sizeof f->tmp, "/tmp/rathaus-blob-XXXXXX");
    if (!mkdtemp(f->tmp))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/data", f->tmp);
    if (store_open(f->dir, STORE_CREATE, &f->s))
        return -1;
    if (store_migrate(f->s, journal_migrations, journal_migrations_count, NULL))
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

static void put_mem(struct fx *f, const void *p, size_t n, char sha[BLOB_HEX])
{
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_put_mem(f->s, f->c, p, n, sha), 0);
    assert_int_equal(store_commit(f->c), 0);
}

static int64_t refs_of(struct store_conn *c, const char *sha)
{
    int64_t n = -1;
    int rc = store_query_int(c, &n, "SELECT refs FROM blobs WHERE sha256 = ?", "t", sha);
    if (rc == ERR_NOTFOUND)
        return 0;
    assert_int_equal(rc, 0);
    return n;
}

/* Builds the expected path of a blob by hand, independent of blob_path. */
static void expect_path(struct fx *f, const char *sha, char *out, size_t n)
{
    snprintf(out, n, "%s/blobs/%.2s/%.2s/%s", f->dir, sha, sha + 2, sha);
}

/* Number of entries in dir other than . and .. (-1 when it does not exist). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void read_file(const char *path, char *buf, size_t n, size_t *ret_len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    *ret_len = fread(buf, 1, n, fp);
    fclose(fp);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_put_mem_layout(void **state)
{
    struct fx *f = *state;
    char sha[BLOB_HEX] = "untouched";
    put_mem(f, "abc", 3, sha);
    assert_string_equal(sha, SHA_ABC);

    char path[256], buf[16];
    size_t len = 0;
    expect_path(f, SHA_ABC, path, sizeof path);
    assert_non_null(strstr(path, "/blobs/ba/78/" SHA_ABC));
    read_file(path, buf, sizeof buf, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, "abc", 3);

    struct str p;
    str_init(&p, 0);
    assert_int_equal(blob_path(f->s, SHA_ABC, &p), 0);
    assert_string_equal(p.buf, path);
    str_release(&p);

    assert_int_equal(refs_of(f->c, SHA_ABC), 1);
    int64_t size = -1;
    assert_int_equal(
        store_query_int(f->c, &size, "SELECT size FROM blobs WHERE sha256 = ?", "t", SHA_ABC), 0);
    assert_int_equal(size, 3);

    /* more known vectors: the empty blob and the 56-byte FIPS message */
    put_mem(f, "", 0, sha);
    assert_string_equal(sha, SHA_EMPTY);
    put_mem(f, MSG_56, strlen(MSG_56), sha);
    assert_string_equal(sha, SHA_56);
    /* no temp file is left behind */
    char tmpdir[160];
    snprintf(tmpdir, sizeof tmpdir, "%s/blobs/tmp", f->dir);
    assert_int_equal(count_entries(tmpdir), 0);
}

static void test_put_file_dedup(void **state)
{
    struct fx *f = *state;
    char src[128];
    snprintf(src, sizeof src, "%s/upload.txt", f->tmp);
    write_file(src, "abc", 3);

    char sha1[BLOB_HEX], sha2[BLOB_HEX];
    put_mem(f, "abc", 3, sha1);
    int64_t size = -1;
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_put_file(f->s, f->c, src, sha2, &size), 0);
    assert_int_equal(store_commit(f->c), 0);
    assert_string_equal(sha2, SHA_ABC);
    assert_int_equal(size, 3);

    /* one file, one row, two references; the source is left alone */
    char leaf[160], tmpdir[160];
    snprintf(leaf, sizeof leaf, "%s/blobs/ba/78", f->dir);
    snprintf(tmpdir, sizeof tmpdir, "%s/blobs/tmp", f->dir);
    assert_int_equal(count_entries(leaf), 1);
    assert_int_equal(count_entries(tmpdir), 0);
    assert_int_equal(refs_of(f->c, SHA_ABC), 2);
    int64_t rows = -1;
    assert_int_equal(store_query_int(f->c, &rows, "SELECT count(*) FROM blobs", ""), 0);
    assert_int_equal(rows, 1);
    assert_int_equal(access(src, R_OK), 0);

    /* a third put of the same content (from memory again) */
    put_mem(f, "abc", 3, sha1);
    assert_int_equal(refs_of(f->c, SHA_ABC), 3);
    assert_int_equal(count_entries(leaf), 1);

    /* a missing source file */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/nope.txt", f->tmp);
    char sha3[BLOB_HEX] = "untouched";
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_put_file(f->s, f->c, missing, sha3, NULL), ERR_IO);
    store_rollback(f->c);
    assert_string_equal(sha3, "untouched");
}

static void test_put_file_large(void **state)
{
    struct fx *f = *state;
    /* several read chunks (64 KiB) and a ragged end */
    size_t n = 3 * 65536 + 1234;
    unsigned char *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 31 + (i >> 8));
    char src[128];
    snprintf(src, sizeof src, "%s/big.bin", f->tmp);
    write_file(src, data, n);

    char from_file[BLOB_HEX], from_mem[BLOB_HEX], hashed[BLOB_HEX];
    int64_t size = 0, hsize = 0;
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_put_file(f->s, f->c, src, from_file, &size), 0);
    assert_int_equal(store_commit(f->c), 0);
    assert_int_equal(size, (int64_t)n);
    put_mem(f, data, n, from_mem);
    assert_string_equal(from_file, from_mem);
    assert_int_equal(blob_hash_file(src, hashed, &hsize), 0);
    assert_string_equal(hashed, from_mem);
    assert_int_equal(hsize, (int64_t)n);
    assert_int_equal(refs_of(f->c, from_mem), 2);

    struct str out;
    str_init(&out, 0);
    assert_int_equal(blob_read(f->s, from_mem, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.buf, data, n);
    str_release(&out);
    free(data);
}

static void test_read(void **state)
{
    struct fx *f = *state;
    char sha[BLOB_HEX];
    put_mem(f, "abc", 3, sha);
    struct str out;
    str_init(&out, 0);
    assert_int_equal(blob_read(f->s, SHA_ABC, &out), 0);
    assert_int_equal(out.len, 3);
    assert_string_equal(out.buf, "abc");
    /* appends to what out holds and checks only the blob's part */
    str_reset(&out);
    assert_int_equal(str_adds(&out, "prefix:"), 0);
    assert_int_equal(blob_read(f->s, SHA_ABC, &out), 0);
    assert_string_equal(out.buf, "prefix:abc");
    str_release(&out);

    /* a blob that fits the cap of out is read even when the cap is small */
    struct str small;
    str_init(&small, 1000);
    assert_int_equal(blob_read(f->s, SHA_ABC, &small), 0);
    assert_string_equal(small.buf, "abc");
    str_release(&small);
    struct str exact;
    str_init(&exact, 3);
    assert_int_equal(blob_read(f->s, SHA_ABC, &exact), 0);
    assert_string_equal(exact.buf, "abc");
    str_release(&exact);
    /* one byte too small */
    struct str tiny;
    str_init(&tiny, 2);
    assert_int_equal(blob_read(f->s, SHA_ABC, &tiny), ERR_TOOBIG);
    assert_int_equal(tiny.err, ERR_TOOBIG);
    str_release(&tiny);

    /* unknown and malformed hashes */
    str_init(&out, 0);
    assert_int_equal(blob_read(f->s, SHA_EMPTY, &out), ERR_NOTFOUND);
    assert_int_equal(blob_read(f->s, "abc", &out), ERR_INVALID);
    assert_int_equal(out.len, 0);
    str_release(&out);
}

static void test_corrupt(void **state)
{
    struct fx *f = *state;
    char sha[BLOB_HEX];
    put_mem(f, "abc", 3, sha);
    put_mem(f, MSG_56, strlen(MSG_56), sha);

    int64_t count = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(blob_verify_all(f->s, f->c, &count, &msg), 0);
    assert_int_equal(count, 2);
    assert_int_equal(msg.len, 0);

    /* flip one byte of the "abc" blob in place */
    char path[256];
    expect_path(f, SHA_ABC, path, sizeof path);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "x", 1, 1), 1);
    close(fd);

    struct str out;
    str_init(&out, 0);
    assert_int_equal(blob_read(f->s, SHA_ABC, &out), ERR_CORRUPT);
    str_release(&out);
    count = -1;
    assert_int_equal(blob_verify_all(f->s, f->c, &count, &msg), ERR_CORRUPT);
    assert_int_equal(count, -1);
    assert_non_null(strstr(msg.buf, SHA_ABC));
    assert_non_null(strstr(msg.buf, "beschädigt"));
    /* the intact blob still reads */
    str_init(&out, 0);
    assert_int_equal(blob_read(f->s, SHA_56, &out), 0);
    assert_string_equal(out.buf, MSG_56);
    str_release(&out);

    /* the file intact again, but the size in the row disagrees with it */
    str_reset(&msg);
    write_file(path, "abc", 3); /* repair */
    assert_int_equal(blob_verify_all(f->s, f->c, &count, &msg), 0);
    assert_int_equal(store_run(f->c, "UPDATE blobs SET size = 4 WHERE sha256 = ?", "t", SHA_ABC),
                     0);
    assert_int_equal(blob_verify_all(f->s, f->c, &count, &msg), ERR_CORRUPT);
    assert_non_null(strstr(msg.buf, SHA_ABC));
    str_release(&msg);
}

static void test_missing(void **state)
{
    struct fx *f = *state;
    char sha[BLOB_HEX];
    put_mem(f, "abc", 3, sha);
    char path[256];
    expect_path(f, SHA_ABC, path, sizeof path);
    assert_int_equal(unlink(path), 0);

    struct str out;
    str_init(&out, 0);
    assert_int_equal(blob_read(f->s, SHA_ABC, &out), ERR_NOTFOUND);
    str_release(&out);
    int64_t count = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(blob_verify_all(f->s, f->c, &count, &msg), ERR_CORRUPT);
    assert_non_null(strstr(msg.buf, SHA_ABC));
    assert_non_null(strstr(msg.buf, "fehlt"));
    str_release(&msg);
}

static void test_unref_collect(void **state)
{
    struct fx *f = *state;
    char sha[BLOB_HEX];
    put_mem(f, "abc", 3, sha);
    put_mem(f, "abc", 3, sha);
    put_mem(f, MSG_56, strlen(MSG_56), sha);
    char path_abc[256], path_56[256];
    expect_path(f, SHA_ABC, path_abc, sizeof path_abc);
    expect_path(f, SHA_56, path_56, sizeof path_56);

    /* 2 -> 1: row and file stay */
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_unref(f->c, SHA_ABC), 0);
    assert_int_equal(store_commit(f->c), 0);
    assert_int_equal(refs_of(f->c, SHA_ABC), 1);
    int64_t removed = -1;
    assert_int_equal(blob_collect(f->s, f->c, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(access(path_abc, F_OK), 0);

    /* 1 -> 0: the row goes at once, the file with the next collection */
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_unref(f->c, SHA_ABC), 0);
    assert_int_equal(store_commit(f->c), 0);
    int64_t rows = -1;
    assert_int_equal(
        store_query_int(f->c, &rows, "SELECT count(*) FROM blobs WHERE sha256 = ?", "t", SHA_ABC),
        0);
    assert_int_equal(rows, 0);
    assert_int_equal(access(path_abc, F_OK), 0);
    assert_int_equal(blob_collect(f->s, f->c, &removed), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(access(path_abc, F_OK), -1);
    assert_int_equal(access(path_56, F_OK), 0); /* still referenced */
    assert_int_equal(blob_collect(f->s, f->c, &removed), 0);
    assert_int_equal(removed, 0);

    int64_t count = -1;
    struct str msg;
    str_init(&msg, 0);
    assert_int_equal(blob_verify_all(f->s, f->c, &count, &msg), 0);
    assert_int_equal(count, 1);
    str_release(&msg);

    /* the content can be stored again after collection */
    put_mem(f, "abc", 3, sha);
    assert_int_equal(access(path_abc, F_OK), 0);
    assert_int_equal(refs_of(f->c, SHA_ABC), 1);
}

static void test_path_invalid(void **state)
{
    struct fx *f = *state;
    const char *bad[] = {
        "",
        "abc",
        SHA_ABC "0",                                                        /* 65 chars */
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", /* upper case */
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag", /* not hex */
        "../../../../../../../../../../../../../../../../../../etc/passwd..",
        "ba/816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct str p;
        str_init(&p, 0);
        assert_int_equal(blob_path(f->s, bad[i], &p), ERR_INVALID);
        assert_int_equal(p.len, 0);
        str_release(&p);
    }
    /* a valid hash gives a path even when no such blob exists */
    struct str p;
    str_init(&p, 0);
    assert_int_equal(blob_path(f->s, SHA_EMPTY, &p), 0);
    assert_non_null(strstr(p.buf, "/blobs/e3/b0/" SHA_EMPTY));
    str_release(&p);
    /* a path that does not fit the caller's cap */
    str_init(&p, 10);
    assert_int_equal(blob_path(f->s, SHA_EMPTY, &p), ERR_TOOBIG);
    str_release(&p);
}

/* A batch: contents wait in temp files (no final name, so nothing complete
 * is claimed) until blob_batch_sync; undo drops the latest; equal contents
 * in one batch become one file with two references. */
static void test_batch(void **state)
{
    struct fx *f = *state;
    char a[128], b[128], c[128], tmpdir[160], path[256];
    snprintf(a, sizeof a, "%s/a.txt", f->tmp);
    snprintf(b, sizeof b, "%s/b.txt", f->tmp);
    snprintf(c, sizeof c, "%s/c.txt", f->tmp);
    snprintf(tmpdir, sizeof tmpdir, "%s/blobs/tmp", f->dir);
    write_file(a, "abc", 3);
    write_file(b, MSG_56, strlen(MSG_56));
    write_file(c, "abc", 3);

    struct blob_batch *bb;
    assert_int_equal(blob_batch_new(f->s, &bb), 0);
    char sha[BLOB_HEX];
    int64_t size = -1;
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_batch_put_file(bb, f->c, a, sha, &size), 0);
    assert_string_equal(sha, SHA_ABC);
    assert_int_equal(size, 3);
    size_t mark = blob_batch_mark(bb);
    assert_int_equal(mark, 1);
    /* a savepoint for the second file, rolled back with its blob */
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_batch_put_file(bb, f->c, b, sha, NULL), 0);
    assert_string_equal(sha, SHA_56);
    assert_int_equal(count_entries(tmpdir), 2);
    store_rollback(f->c);
    blob_batch_undo(bb, mark);
    assert_int_equal(count_entries(tmpdir), 1);
    assert_int_equal(blob_batch_put_file(bb, f->c, c, sha, NULL), 0);

    /* before the sync: no final file yet */
    expect_path(f, SHA_ABC, path, sizeof path);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(blob_batch_sync(bb), 0);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(count_entries(tmpdir), 0);
    assert_int_equal(store_commit(f->c), 0);
    assert_int_equal(refs_of(f->c, SHA_ABC), 2);
    assert_int_equal(refs_of(f->c, SHA_56), 0);
    expect_path(f, SHA_56, path, sizeof path);
    assert_int_not_equal(access(path, F_OK), 0);
    int64_t count = 0;
    struct str msg;
    str_init(&msg, 1024);
    assert_int_equal(blob_verify_all(f->s, f->c, &count, &msg), 0);
    assert_int_equal(count, 1);
    str_release(&msg);

    /* an empty batch syncs at once; freeing removes what was never synced */
    assert_int_equal(blob_batch_sync(bb), 0);
    assert_int_equal(store_begin(f->c, true), 0);
    assert_int_equal(blob_batch_put_file(bb, f->c, b, sha, NULL), 0);
    assert_int_equal(count_entries(tmpdir), 1);
    blob_batch_free(bb);
    store_rollback(f->c);
    assert_int_equal(count_entries(tmpdir), 0);
    assert_int_not_equal(access(path, F_OK), 0);
}

/* Temp files older than the age given go (a crash's leftovers), younger
 * ones (a write in progress) and other names stay. */
static void test_sweep_tmp(void **state)
{
    struct fx *f = *state;
    char dir[160], old[200], young[200], other[200];
    snprintf(dir, sizeof dir, "%s/blobs", f->dir);
    mkdir(dir, 0750); /* may exist */
    snprintf(dir, sizeof dir, "%s/blobs/tmp", f->dir);
    mkdir(dir, 0750);
    snprintf(old, sizeof old, "%s/blob-old123", dir);
    snprintf(young, sizeof young, "%s/blob-new123", dir);
    snprintf(other, sizeof other, "%s/keep.txt", dir);
    write_file(old, "x", 1);
    write_file(young, "y", 1);
    write_file(other, "z", 1);
    struct timeval tv[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
    assert_int_equal(utimes(old, tv), 0);
    assert_int_equal(utimes(other, tv), 0);
    int64_t removed = -1;
    assert_int_equal(blob_sweep_tmp(f->s, 3600, &removed), 0);
    assert_int_equal(removed, 1);
    assert_int_not_equal(access(old, F_OK), 0);
    assert_int_equal(access(young, F_OK), 0);
    assert_int_equal(access(other, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_mem_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_file_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_file_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unref_collect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_tmp, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
