/* The storage interface of rathaus: a data directory holding the database
 * (DIR/rathaus.db) and the blob store (DIR/blobs/). Domain code talks SQL
 * through these functions only, never to an engine's API, so a PostgreSQL
 * engine can implement store_int.h without touching domain code.
 *
 * SQL dialect accepted by every engine: `?` placeholders, TEXT/INTEGER/REAL,
 * ISO 8601 UTC strings for times, `INSERT … RETURNING`, `ON CONFLICT … DO`. */
#ifndef RATHAUS_STORE_STORE_H
#define RATHAUS_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;      /* an opened data directory, shared by all threads */
struct store_conn; /* one database connection, used by one thread at a time */
struct store_stmt; /* a prepared statement of one connection */

/* Results of store_step(). */
#define STORE_DONE 0
#define STORE_ROW 1

/* Maximum number of pooled connections. */
#define STORE_MAX_CONNS 64

/* Flags of store_open(). */
#define STORE_CREATE 1 /* create the directory, database and blob folders */

/* One numbered schema change. Ids are global across domains and never reused. */
struct store_migration {
    int id;           /* order of application, unique, > 0 */
    const char *name; /* short description */
    const char *sql;  /* statements, executed in one transaction */
};

/* Opens the data directory dir. Without STORE_CREATE the database must exist
 * (ERR_NOTFOUND otherwise). Returns ERR_DB/ERR_IO on failure. The caller owns
 * *ret and frees it with store_close(). */
int store_open(const char *dir, int flags, struct store **ret) WUR;

/* Closes all connections and frees the store. Accepts NULL. */
void store_close(struct store *s);

/* Returns the data directory path (owned by the store). */
const char *store_dir(const struct store *s);

/* Applies the migrations of list (n entries, any order) that the database has
 * not seen, each in its own transaction, in id order. Returns ERR_VERSION when
 * the database holds a migration id this binary does not know (it is newer),
 * ERR_INVALID for duplicate or non-positive ids in list, ERR_DB when a
 * migration fails. *ret_applied (may be NULL) gets the number applied. */
int store_migrate(struct store *s, const struct store_migration *list, size_t n,
                  int *ret_applied) WUR;

/* Takes a connection from the pool (opening one if none is idle). Give it
 * back with store_put(). ERR_BUSY when STORE_MAX_CONNS are in use.
 *
 * Write transactions compose: while a thread holds a connection of s with an
 * open write transaction, store_get on that thread returns the same
 * connection (a borrow), and store_begin on it opens a SAVEPOINT instead of a
 * new transaction. So a caller can run several domain writes (each of which
 * gets, begins, commits and puts on its own) inside one outer transaction:
 * they all become durable with the outer commit or vanish with its rollback.
 * ERR_TOOBIG past STORE_MAX_NEST borrows. */
int store_get(struct store *s, struct store_conn **ret) WUR;

/* Returns a connection to the pool; an open transaction is rolled back.
 * For a borrow (see store_get): rolls back only the savepoints opened since
 * the borrow, and the connection stays with its outer owner. */
void store_put(struct store *s, struct store_conn *c);

/* Begins a transaction. write=true takes the write lock at once (BEGIN
 * IMMEDIATE), which every write path must use so that reads of the journal
 * head and the following append are serialized. Inside an open transaction
 * it opens a SAVEPOINT (nested; ERR_TOOBIG past STORE_MAX_NEST levels). */
int store_begin(struct store_conn *c, bool write) WUR;

/* Commits; the data is durable on disk when this returns 0. A nested level
 * is released into the enclosing transaction (durable with its commit). */
int store_commit(struct store_conn *c) WUR;

/* Rolls back the open transaction (the innermost level), if any. */
void store_rollback(struct store_conn *c);

/* Executes one or more statements without parameters (DDL, PRAGMA). */
int store_exec(struct store_conn *c, const char *sql) WUR;

/* Prepares sql (cached per connection by pointer and text; the statement is
 * reset and its bindings cleared). Release it with store_done(). The cache
 * keeps the pointer and trusts it first, so sql must stay valid and unchanged
 * as long as the connection lives: pass string literals, never a buffer. */
int store_prepare(struct store_conn *c, const char *sql, struct store_stmt **ret) WUR;

/* Binds parameters from position 1 on. types has one letter per value:
 * 't' const char * (NULL binds NULL), 'i' int64_t, 'd' double, 'n' NULL
 * (no argument), 'b' const void *, size_t (a blob). types must name every
 * parameter of the statement (ERR_INTERNAL, and an assertion in debug
 * builds, otherwise: a forgotten one would silently bind NULL). */
int store_bind(struct store_stmt *st, const char *types, ...) WUR;

/* Steps the statement: STORE_ROW, STORE_DONE, or ERR_EXISTS (a unique or
 * foreign-key constraint failed), ERR_BUSY, ERR_DB. */
int store_step(struct store_stmt *st) WUR;

/* Column accessors of the current row (0-based). Text is valid until the
 * next step or store_done; NULL reads as "" (use store_col_null). */
const char *store_col_text(struct store_stmt *st, int i);
size_t store_col_len(struct store_stmt *st, int i);
int64_t store_col_int(struct store_stmt *st, int i);
double store_col_double(struct store_stmt *st, int i);
bool store_col_null(struct store_stmt *st, int i);

/* Types of a column's value. */
enum store_type {
    STORE_TYPE_NULL,
    STORE_TYPE_INT,
    STORE_TYPE_REAL,
    STORE_TYPE_TEXT,
    STORE_TYPE_BLOB
};

/* The type of a column's value in the current row. */
enum store_type store_col_type(struct store_stmt *st, int i);
int store_col_count(struct store_stmt *st);
const char *store_col_name(struct store_stmt *st, int i);

/* The current row as a new JSON object: one member per column, named by the
 * column (use AS for the key), valued by its type (integer, real, string or
 * null; a blob becomes null). NULL when out of memory. */
json_t *store_row_json(struct store_stmt *st);

/* Steps st to its end and appends every row (store_row_json) to list.
 * Returns 0 at the end, or the step's error / ERR_NOMEM. */
int store_rows_json(struct store_stmt *st, json_t *list) WUR;

/* Prepares sql (a literal, as for store_prepare), binds the values after
 * types (as store_bind) and appends every row to list (store_rows_json). */
int store_query_rows(struct store_conn *c, json_t *list, const char *sql, const char *types,
                     ...) WUR;

/* Resets the statement for reuse; it stays cached in its connection. */
void store_done(struct store_stmt *st);

/* Rows changed by the last statement of c. */
int64_t store_changes(struct store_conn *c);

/* The last error message of the engine for c (static or connection memory). */
const char *store_errmsg(struct store_conn *c);

/* Runs a statement that yields at most one row with one integer column.
 * ERR_NOTFOUND when there is no row. */
int store_query_int(struct store_conn *c, int64_t *ret, const char *sql, const char *types,
                    ...) WUR;

/* Runs a statement that yields no rows (INSERT/UPDATE/DELETE). */
int store_run(struct store_conn *c, const char *sql, const char *types, ...) WUR;

/* Writes a consistent snapshot of the database to path (must not exist). */
int store_snapshot(struct store_conn *c, const char *path) WUR;

/* Returns the engine's name and version for /healthz ("SQLite 3.40.1"). */
const char *store_engine_name(const struct store *s);

#endif
