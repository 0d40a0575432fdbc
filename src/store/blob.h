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
