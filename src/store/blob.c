/* The content-addressed blob store of blob.h. Writes go through a temp file in
 * DIR/blobs/tmp so a crash leaves at most a stray temp file, never a partial
 * blob under its final name; batches of blob.h defer the waiting for the disk
 * and do it once for all their blobs. */
#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/rtime.h"

#define BLOB_IO_CHUNK 65536

static bool valid_sha(const char *sha)
{
    if (strlen(sha) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((sha[i] >= '0' && sha[i] <= '9') || (sha[i] >= 'a' && sha[i] <= 'f')))
            return false;
    return true;
}

int blob_path(const struct store *s, const char *sha, struct str *out)
{
    if (!valid_sha(sha))
        return ERR_INVALID;
    str_addf(out, "%s/blobs/%.2s/%.2s/%s", store_dir(s), sha, sha + 2, sha);
    return out->err;
}

static int mkdir_p(const char *path)
{
    if (mkdir(path, 0750) == 0 || errno == EEXIST)
        return 0;
    return ERR_IO;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    int rc = fsync(fd) == 0 ? 0 : ERR_IO;
    close(fd);
    return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *q = p;
    while (n) {
        ssize_t w = write(fd, q, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return ERR_IO;
        }
        q += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Adds a reference row for a blob whose file is already in place. */
static int add_ref(struct store_conn *c, const char *sha, int64_t size)
{
    char at[32];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    return store_run(c,
                     "INSERT INTO blobs (sha256, size, refs, created_at) VALUES (?, ?, 1, ?)"
                     " ON CONFLICT (sha256) DO UPDATE SET refs = refs + 1",
                     "tit", sha, size, at);
}

/* Moves a completed temp file to the blob's final path (if not there yet);
 * sync_dir waits until the folder entry is on disk. */
static int install(struct store *s, const char *tmp, const char *sha, bool sync_dir)
{
    struct str dir, final;
    str_init(&dir, 4096);
    str_init(&final, 4096);
    int rc = ERR_NOMEM;
    str_addf(&dir, "%s/blobs/%.2s", store_dir(s), sha);
    if (dir.err)
        goto done;
    if ((rc = mkdir_p(dir.buf)))
        goto done;
    str_addf(&dir, "/%.2s", sha + 2);
    if (dir.err)
        goto done;
    if ((rc = mkdir_p(dir.buf)))
        goto done;
    if ((rc = blob_path(s, sha, &final)))
        goto done;
    struct stat stt;
    if (stat(final.buf, &stt) == 0) { /* deduplicated: same content already stored */
        unlink(tmp);
        rc = 0;
        goto done;
    }
    if (rename(tmp, final.buf) != 0) {
        rc = ERR_IO;
        goto done;
    }
    rc = sync_dir ? fsync_dir(dir.buf) : 0;
done:
    str_release(&dir);
    str_release(&final);
    return rc;
}

/* Opens a new temp file in DIR/blobs/tmp; its path goes to tmp. */
static int open_tmp(struct store *s, struct str *tmp, int *ret_fd)
{
    str_addf(tmp, "%s/blobs", store_dir(s));
    if (tmp->err || mkdir_p(tmp->buf))
        return ERR_IO;
    str_adds(tmp, "/tmp");
    if (tmp->err || mkdir_p(tmp->buf))
        return ERR_IO;
    str_adds(tmp, "/blob-XXXXXX");
    if (tmp->err)
        return ERR_NOMEM;
    int fd = mkostemp(tmp->buf, O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    *ret_fd = fd;
    return 0;
}

int blob_put_mem(struct store *s, struct store_conn *c, const void *p, size_t n,
                 char ret_sha[BLOB_HEX])
{
    unsigned char md[crypto_hash_sha256_BYTES];
    char sha[BLOB_HEX];
    struct str tmp;
    str_init(&tmp, 4096);
    int fd = -1;
    crypto_hash_sha256(md, p, n);
    sodium_bin2hex(sha, sizeof sha, md, sizeof md);
    int rc = open_tmp(s, &tmp, &fd);
    if (rc)
        goto done;
    rc = write_all(fd, p, n);
    if (!rc && fsync(fd) != 0)
        rc = ERR_IO;
    close(fd);
    fd = -1;
    if (!rc)
        rc = install(s, tmp.buf, sha, true);
    if (!rc)
        rc = add_ref(c, sha, (int64_t)n);
    if (!rc)
        memcpy(ret_sha, sha, BLOB_HEX);
done:
    if (rc && tmp.len)
        unlink(tmp.buf);
    str_release(&tmp);
    return rc;
}

/* Copies the file at path into a new temp file of the blob store, hashing
 * it on the way; sync waits until the copy is on disk. The temp file's path
 * goes to tmp (also on failure, for the caller to unlink). */
static int copy_in(struct store *s, const char *path, bool sync, struct str *tmp,
                   char ret_sha[BLOB_HEX], int64_t *ret_size)
{
    crypto_hash_sha256_state h;
    unsigned char md[crypto_hash_sha256_BYTES];
    int in = -1, fd = -1;
    int64_t size = 0;
    char *buf = malloc(BLOB_IO_CHUNK);
    int rc = ERR_NOMEM;
    if (!buf)
        goto done;
    rc = ERR_IO;
    in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        goto done;
    if ((rc = open_tmp(s, tmp, &fd)))
        goto done;
    crypto_hash_sha256_init(&h);
    for (;;) {
        ssize_t r = read(in, buf, BLOB_IO_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = ERR_IO;
            goto done;
        }
        if (r == 0)
            break;
        crypto_hash_sha256_update(&h, (unsigned char *)buf, (unsigned long long)r);
        if ((rc = write_all(fd, buf, (size_t)r)))
            goto done;
        size += r;
    }
    crypto_hash_sha256_final(&h, md);
    sodium_bin2hex(ret_sha, BLOB_HEX, md, sizeof md);
    rc = !sync || fsync(fd) == 0 ? 0 : ERR_IO;
    if (close(fd) != 0 && !rc)
        rc = ERR_IO;
    fd = -1;
    if (!rc)
        *ret_size = size;
done:
    if (fd >= 0)
        close(fd);
    if (in >= 0)
        close(in);
    free(buf);
    return rc;
}

int blob_put_file(struct store *s, struct store_conn *c, const char *path, char ret_sha[BLOB_HEX],
                  int64_t *ret_size)
{
    char sha[BLOB_HEX];
    int64_t size = 0;
    struct str tmp;
    str_init(&tmp, 4096);
    int rc = copy_in(s, path, true, &tmp, sha, &size);
    if (!rc)
        rc = install(s, tmp.buf, sha, true);
    if (!rc)
        rc = add_ref(c, sha, size);
    if (!rc) {
        memcpy(ret_sha, sha, BLOB_HEX);
        if (ret_size)
            *ret_size = size;
    }
    if (rc && tmp.len)
        unlink(tmp.buf);
    str_release(&tmp);
    return rc;
}

/* ---- batches ------------------------------------------------------------ */

/* A blob of a batch, written but not yet on disk for sure. */
struct blob_batch_item {
    char *tmp;          /* temp file (owned); NULL once installed */
    char sha[BLOB_HEX]; /* its hash, which names the final file */
};

/* The blobs written since the last blob_batch_sync. */
struct blob_batch {
    struct store *s;           /* borrowed */
    struct blob_batch_item *v; /* blobs in the order added */
    size_t n;                  /* used */
    size_t alloc;              /* allocated */
};

int blob_batch_new(struct store *s, struct blob_batch **ret)
{
    struct blob_batch *b = calloc(1, sizeof *b);
    if (!b)
        return ERR_NOMEM;
    b->s = s;
    *ret = b;
    return 0;
}

size_t blob_batch_mark(const struct blob_batch *b)
{
    return b->n;
}

void blob_batch_undo(struct blob_batch *b, size_t mark)
{
    while (b->n > mark) {
        struct blob_batch_item *it = &b->v[--b->n];
        if (it->tmp)
            unlink(it->tmp);
        free(it->tmp);
        it->tmp = NULL;
    }
}

void blob_batch_free(struct blob_batch *b)
{
    if (!b)
        return;
    blob_batch_undo(b, 0);
    free(b->v);
    free(b);
}

int blob_batch_put_file(struct blob_batch *b, struct store_conn *c, const char *path,
                        char ret_sha[BLOB_HEX], int64_t *ret_size)
{
    if (b->n == b->alloc) {
        size_t na = b->alloc ? b->alloc * 2 : 64;
        struct blob_batch_item *v = realloc(b->v, na * sizeof *v);
        if (!v)
            return ERR_NOMEM;
        b->v = v;
        b->alloc = na;
    }
    char sha[BLOB_HEX];
    int64_t size = 0;
    struct str tmp;
    str_init(&tmp, 4096);
    int rc = copy_in(b->s, path, false, &tmp, sha, &size);
    if (!rc)
        rc = add_ref(c, sha, size);
    if (rc) {
        if (tmp.len)
            unlink(tmp.buf);
        str_release(&tmp);
        return rc;
    }
    struct blob_batch_item *it = &b->v[b->n++];
    it->tmp = str_detach(&tmp, NULL);
    memcpy(it->sha, sha, BLOB_HEX);
    memcpy(ret_sha, sha, BLOB_HEX);
    if (ret_size)
        *ret_size = size;
    return 0;
}

/* Waits until what was written to the blob store is on disk: one syncfs for
 * the whole file system (since Linux 5.8 it reports write errors), which is
 * far cheaper than one fsync per file when the files are many and small.
 * tmp_files picks what the portable fallback syncs: the temp files, or the
 * folders of the installed blobs. */
static int batch_flush(struct blob_batch *b, bool tmp_files)
{
#ifdef __linux__
    (void)tmp_files;
    /* DIR/blobs, not DIR: the blobs may live on a file system of their own
     * (temp files and final names are on the same one, rename needs that) */
    struct str dir;
    str_init(&dir, 4096);
    str_addf(&dir, "%s/blobs", store_dir(b->s));
    int fd = dir.err ? -1 : open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    str_release(&dir);
    if (fd < 0)
        return ERR_IO;
    int rc = syncfs(fd) == 0 ? 0 : ERR_IO;
    close(fd);
    return rc;
#else
    struct str p;
    str_init(&p, 4096);
    int rc = 0;
    for (size_t i = 0; !rc && i < b->n; i++) {
        str_reset(&p);
        if (tmp_files)
            str_adds(&p, b->v[i].tmp ? b->v[i].tmp : "");
        else
            str_addf(&p, "%s/blobs/%.2s/%.2s", store_dir(b->s), b->v[i].sha, b->v[i].sha + 2);
        if (p.err) {
            rc = ERR_NOMEM;
        } else if (p.len) {
            int fd = open(p.buf, O_RDONLY | O_CLOEXEC);
            rc = fd >= 0 && fsync(fd) == 0 ? 0 : ERR_IO;
            if (fd >= 0)
                close(fd);
        }
    }
    str_release(&p);
    return rc;
#endif
}

int blob_batch_sync(struct blob_batch *b)
{
    if (!b->n)
        return 0;
    /* contents first: a file gets its final name only when it is complete */
    int rc = batch_flush(b, true);
    for (size_t i = 0; !rc && i < b->n; i++) {
        struct blob_batch_item *it = &b->v[i];
        if ((rc = install(b->s, it->tmp, it->sha, false)))
            break;
        free(it->tmp);
        it->tmp = NULL;
    }
    /* then the folder entries of the renames (and of new folders) */
    if (!rc)
        rc = batch_flush(b, false);
    blob_batch_undo(b, 0); /* after a failure: the temp files not installed */
    return rc;
}

int blob_sweep_tmp(struct store *s, int64_t age_s, int64_t *ret_removed)
{
    struct str dir, f;
    str_init(&dir, 4096);
    str_init(&f, 4096);
    int64_t removed = 0;
    int rc = 0;
    str_addf(&dir, "%s/blobs/tmp", store_dir(s));
    DIR *d = dir.err ? NULL : opendir(dir.buf);
    if (!d) {
        rc = dir.err ? ERR_NOMEM : errno == ENOENT ? 0 : ERR_IO;
        goto done;
    }
    int64_t before = (int64_t)time(NULL) - age_s; /* file times: the real clock */
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "blob-", 5) != 0)
            continue;
        str_reset(&f);
        str_addf(&f, "%s/%s", dir.buf, e->d_name);
        struct stat st;
        if (!f.err && lstat(f.buf, &st) == 0 && S_ISREG(st.st_mode) &&
            (int64_t)st.st_mtime < before && unlink(f.buf) == 0)
            removed++;
    }
    closedir(d);
done:
    if (!rc && ret_removed)
        *ret_removed = removed;
    str_release(&dir);
    str_release(&f);
    return rc;
}

int blob_unref(struct store_conn *c, const char *sha)
{
    int rc = store_run(c, "UPDATE blobs SET refs = refs - 1 WHERE sha256 = ?", "t", sha);
    if (rc)
        return rc;
    return store_run(c, "DELETE FROM blobs WHERE sha256 = ? AND refs <= 0", "t", sha);
}

int blob_hash_file(const char *path, char ret_sha[BLOB_HEX], int64_t *ret_size)
{
    crypto_hash_sha256_state h;
    unsigned char md[crypto_hash_sha256_BYTES];
    int64_t size = 0;
    int rc = ERR_NOMEM;
    char *buf = malloc(BLOB_IO_CHUNK);
    int fd = -1;
    if (!buf)
        goto done;
    rc = ERR_NOTFOUND;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        goto done;
    crypto_hash_sha256_init(&h);
    for (;;) {
        ssize_t r = read(fd, buf, BLOB_IO_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = ERR_IO;
            goto done;
        }
        if (r == 0)
            break;
        crypto_hash_sha256_update(&h, (unsigned char *)buf, (unsigned long long)r);
        size += r;
    }
    crypto_hash_sha256_final(&h, md);
    sodium_bin2hex(ret_sha, BLOB_HEX, md, sizeof md);
    if (ret_size)
        *ret_size = size;
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

int blob_read(const struct store *s, const char *sha, struct str *out)
{
    struct str path;
    str_init(&path, 4096);
    int fd = -1;
    int rc = blob_path(s, sha, &path);
    if (rc)
        goto done;
    fd = open(path.buf, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = ERR_NOTFOUND;
        goto done;
    }
    size_t start = out->len;
    for (;;) {
        /* ask only for the room the cap leaves, so a blob that fits is not
         * refused; with no room left, a probe byte tells EOF from too big */
        size_t room = out->cap - out->len;
        size_t want = room < BLOB_IO_CHUNK ? room : BLOB_IO_CHUNK;
        char probe;
        if (want && (rc = str_grow(out, want)))
            goto done;
        ssize_t r = want ? read(fd, out->buf + out->len, want) : read(fd, &probe, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = ERR_IO;
            goto done;
        }
        if (r == 0)
            break;
        if (!want) {
            rc = str_grow(out, 1); /* ERR_TOOBIG, recorded in out->err */
            goto done;
        }
        out->len += (size_t)r;
        out->buf[out->len] = '\0';
    }
    unsigned char md[crypto_hash_sha256_BYTES];
    char got[BLOB_HEX];
    crypto_hash_sha256(md, (unsigned char *)out->buf + start, out->len - start);
    sodium_bin2hex(got, sizeof got, md, sizeof md);
    rc = strcmp(got, sha) == 0 ? 0 : ERR_CORRUPT;
done:
    if (fd >= 0)
        close(fd);
    str_release(&path);
    return rc;
}

int blob_verify_all(struct store *s, struct store_conn *c, int64_t *ret_count, struct str *msg)
{
    struct store_stmt *st;
    struct str path;
    str_init(&path, 4096);
    int64_t count = 0;
    int rc = store_prepare(c, "SELECT sha256, size FROM blobs ORDER BY sha256", &st);
    if (rc)
        goto done;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *sha = store_col_text(st, 0);
        int64_t want = store_col_int(st, 1), size = 0;
        char got[BLOB_HEX];
        str_reset(&path);
        if (blob_path(s, sha, &path)) {
            str_addf(msg, "Blob %s: ungültiger Name in der Datenbank", sha);
            rc = ERR_CORRUPT;
            break;
        }
        int hr = blob_hash_file(path.buf, got, &size);
        if (hr == ERR_NOTFOUND) {
            str_addf(msg, "Blob %s fehlt (%s)", sha, path.buf);
            rc = ERR_CORRUPT;
            break;
        }
        if (hr) {
            str_addf(msg, "Blob %s kann nicht gelesen werden (%s)", sha, path.buf);
            rc = ERR_CORRUPT;
            break;
        }
        if (strcmp(got, sha) != 0 || size != want) {
            str_addf(msg, "Blob %s ist beschädigt: Inhalt passt nicht zur Prüfsumme (%s)", sha,
                     path.buf);
            rc = ERR_CORRUPT;
            break;
        }
        count++;
    }
    store_done(st);
    if (rc == STORE_DONE) {
        rc = 0;
        *ret_count = count;
    }
done:
    str_release(&path);
    return rc;
}

int blob_collect(struct store *s, struct store_conn *c, int64_t *ret_removed)
{
    /* Walk DIR/blobs/xx/yy/ and remove files whose hash has no row. */
    struct str dir;
    str_init(&dir, 4096);
    int64_t removed = 0;
    int rc = 0;
    str_addf(&dir, "%s/blobs", store_dir(s));
    DIR *d1 = opendir(dir.buf);
    if (!d1)
        goto done;
    struct dirent *e1;
    while ((e1 = readdir(d1))) {
        if (strlen(e1->d_name) != 2 || e1->d_name[0] == '.')
            continue;
        struct str sub;
        str_init(&sub, 4096);
        str_addf(&sub, "%s/%s", dir.buf, e1->d_name);
        DIR *d2 = opendir(sub.buf);
        struct dirent *e2;
        while (d2 && (e2 = readdir(d2))) {
            if (strlen(e2->d_name) != 2 || e2->d_name[0] == '.')
                continue;
            struct str leaf;
            str_init(&leaf, 4096);
            str_addf(&leaf, "%s/%s", sub.buf, e2->d_name);
            DIR *d3 = opendir(leaf.buf);
            struct dirent *e3;
            while (d3 && (e3 = readdir(d3))) {
                if (!valid_sha(e3->d_name))
                    continue;
                int64_t have = 0;
                rc = store_query_int(c, &have, "SELECT count(*) FROM blobs WHERE sha256 = ?", "t",
                                     e3->d_name);
                if (rc)
                    break;
                if (!have) {
                    struct str f;
                    str_init(&f, 4096);
                    str_addf(&f, "%s/%s", leaf.buf, e3->d_name);
                    if (!f.err && unlink(f.buf) == 0)
                        removed++;
                    str_release(&f);
                }
            }
            if (d3) {
                closedir(d3);
                fsync_dir(leaf.buf);
            }
            str_release(&leaf);
            if (rc)
                break;
        }
        if (d2)
            closedir(d2);
        str_release(&sub);
        if (rc)
            break;
    }
    closedir(d1);
done:
    if (!rc && ret_removed)
        *ret_removed = removed;
    str_release(&dir);
    return rc;
}
