/* The blob store: immutable contents addressed by their SHA-256, kept as files
 * DIR/blobs/<2 hex>/<2 hex>/<64 hex>. A file is written to a temp file, fsynced,
 * renamed into place and its directory fsynced, so a blob that the database
 * references is always complete on disk. Equal contents are stored once. */
#ifndef RATHAUS_STORE_BLOB_H
#define RATHAUS_STORE_BLOB_H

#include <stdint.h>

#include "base/str.h"
#include "store.h"

/* Length of a hex SHA-256 plus NUL. */
#define BLOB_HEX 65

/* Stores the file at path (read, hashed, copied into the store; the source is
 * left alone) and adds one reference in the blobs table through c, which must
 * be inside a write transaction. Writes the hex hash to ret_sha and the size
 * to *ret_size (may be NULL). ERR_IO on file errors. */
int blob_put_file(struct store *s, struct store_conn *c, const char *path, char ret_sha[BLOB_HEX],
                  int64_t *ret_size) WUR;

/* Same as blob_put_file for n bytes in memory. */
int blob_put_mem(struct store *s, struct store_conn *c, const void *p, size_t n,
                 char ret_sha[BLOB_HEX]) WUR;

/* ---- batches: many blobs made durable at once ----------------------------
 * Waiting for the disk once per blob (its file, then its folder) costs a bulk
 * import more than all its other work. A batch writes each blob to a temp
 * file without waiting; blob_batch_sync() then flushes the file system once,
 * renames the files into place and flushes once more for the folder entries.
 * The rule above still holds when the caller commits the rows that reference
 * the blobs only after blob_batch_sync() returned 0: a referenced blob is
 * complete on disk, and so is every file under its final name. */
struct blob_batch;

/* Creates an empty batch for the blob store of s; free it with
 * blob_batch_free(). */
int blob_batch_new(struct store *s, struct blob_batch **ret) WUR;

/* Removes the temp files of blobs not synced yet and frees b. Accepts NULL. */
void blob_batch_free(struct blob_batch *b);

/* Like blob_put_file, but the content waits in a temp file of b until
 * blob_batch_sync(): the reference row added through c must not be committed
 * before that returned 0. */
int blob_batch_put_file(struct blob_batch *b, struct store_conn *c, const char *path,
                        char ret_sha[BLOB_HEX], int64_t *ret_size) WUR;

/* The number of blobs waiting in b, to give back to blob_batch_undo(). */
size_t blob_batch_mark(const struct blob_batch *b);

/* Drops the blobs added after mark (their temp files go; their reference rows
 * go with the caller's rollback). */
void blob_batch_undo(struct blob_batch *b, size_t mark);

/* Makes every blob of b durable under its final name; b is empty afterwards
 * and can be used again. ERR_IO when the disk reported an error: then the
 * temp files are removed and the caller must roll back the reference rows. */
int blob_batch_sync(struct blob_batch *b) WUR;

/* Removes the temp files in DIR/blobs/tmp last written more than age_s
 * seconds ago: what a crash left between writing blobs and committing (a
 * write in progress is younger). *ret_removed (may be NULL) gets the count. */
int blob_sweep_tmp(struct store *s, int64_t age_s, int64_t *ret_removed) WUR;

/* Drops one reference (inside a write transaction). When none is left the row
 * goes and the file is removed after commit by blob_collect(). */
int blob_unref(struct store_conn *c, const char *sha) WUR;

/* Removes files of blobs that have no row any more (after a disposal). Returns
 * the number removed in *ret_removed (may be NULL). */
int blob_collect(struct store *s, struct store_conn *c, int64_t *ret_removed) WUR;

/* Writes the file path of a blob into out. ERR_INVALID for a malformed hash. */
int blob_path(const struct store *s, const char *sha, struct str *out) WUR;

/* Reads a whole blob into out (capped by out's cap) and checks its hash:
 * ERR_CORRUPT when the content does not match, ERR_NOTFOUND when missing. */
int blob_read(const struct store *s, const char *sha, struct str *out) WUR;

/* Checks every blob of the table against its hash and size. Returns 0 with
 * the count, or ERR_CORRUPT naming the first damaged or missing blob in msg. */
int blob_verify_all(struct store *s, struct store_conn *c, int64_t *ret_count, struct str *msg) WUR;

/* Computes the SHA-256 of a file into ret_sha; *ret_size may be NULL. */
int blob_hash_file(const char *path, char ret_sha[BLOB_HEX], int64_t *ret_size) WUR;

#endif
