/* The SQLite engine of the store: WAL mode for concurrent readers, full
 * fsync on commit so an acknowledged write survives a crash, foreign keys on,
 * and a busy timeout so writers queue instead of failing. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "sqlite_fts.h"
#include "store_int.h"

/* How long a writer waits for the write lock before ERR_BUSY. */
#define SQLITE_BUSY_MS 15000

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: return 0;
    case SQLITE_ROW: return STORE_ROW;
    case SQLITE_DONE: return STORE_DONE;
    case SQLITE_CONSTRAINT: return ERR_EXISTS;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ERR_BUSY;
    case SQLITE_NOMEM: return ERR_NOMEM;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return ERR_CORRUPT;
    case SQLITE_CANTOPEN: return ERR_IO;
    case SQLITE_TOOBIG: return ERR_TOOBIG;
    default: return ERR_DB;
    }
}

static int sq_exec(void *h, const char *sql)
{
    return map_rc(sqlite3_exec(h, sql, NULL, NULL, NULL));
}

static int sq_open(struct store *s, bool create, void **ret)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(s->db_path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        return map_rc(rc);
    }
    sqlite3_busy_timeout(db, SQLITE_BUSY_MS);
    if (sqlite_fts_register(db) != SQLITE_OK) { /* tokenize='german' of the search index */
        sqlite3_close(db);
        return ERR_DB;
    }
    rc = sq_exec(db, "PRAGMA journal_mode=WAL;"
                     "PRAGMA synchronous=FULL;"
                     "PRAGMA foreign_keys=ON;"
                     "PRAGMA temp_store=MEMORY;"
                     "PRAGMA cache_size=-16000;");
    if (rc) {
        sqlite3_close(db);
        return rc;
    }
    snprintf(s->engine_name, sizeof s->engine_name, "SQLite %s", sqlite3_libversion());
    *ret = db;
    return 0;
}

static void sq_close(void *h)
{
    sqlite3_close_v2(h);
}

static int sq_prepare(void *h, const char *sql, void **ret)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v3(h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return map_rc(rc);
    *ret = st;
    return 0;
}

static void sq_finalize(void *st)
{
    sqlite3_finalize(st);
}

static void sq_reset(void *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static int sq_bind_text(void *st, int i, const char *p, size_t n)
{
    return map_rc(sqlite3_bind_text64(st, i, p, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_bind_int(void *st, int i, int64_t v)
{
    return map_rc(sqlite3_bind_int64(st, i, v));
}

static int sq_bind_double(void *st, int i, double v)
{
    return map_rc(sqlite3_bind_double(st, i, v));
}

static int sq_bind_blob(void *st, int i, const void *p, size_t n)
{
    return map_rc(sqlite3_bind_blob64(st, i, p, n, SQLITE_TRANSIENT));
}

static int sq_bind_null(void *st, int i)
{
    return map_rc(sqlite3_bind_null(st, i));
}

static int sq_step(void *st)
{
    return map_rc(sqlite3_step(st));
}

static const char *sq_col_text(void *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static size_t sq_col_len(void *st, int i)
{
    return (size_t)sqlite3_column_bytes(st, i);
}

static int64_t sq_col_int(void *st, int i)
{
    return sqlite3_column_int64(st, i);
}

static double sq_col_double(void *st, int i)
{
    return sqlite3_column_double(st, i);
}

static bool sq_col_null(void *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static enum store_type sq_col_type(void *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return STORE_TYPE_INT;
    case SQLITE_FLOAT: return STORE_TYPE_REAL;
    case SQLITE_TEXT: return STORE_TYPE_TEXT;
    case SQLITE_BLOB: return STORE_TYPE_BLOB;
    default: return STORE_TYPE_NULL;
    }
}

static int sq_param_count(void *st)
{
    return sqlite3_bind_parameter_count(st);
}

static int sq_col_count(void *st)
{
    return sqlite3_column_count(st);
}

static const char *sq_col_name(void *st, int i)
{
    return sqlite3_column_name(st, i);
}

static int64_t sq_changes(void *h)
{
    return sqlite3_changes64(h);
}

static const char *sq_errmsg(void *h)
{
    return sqlite3_errmsg(h);
}

static int sq_snapshot(void *h, const char *path)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h, "VACUUM INTO ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return map_rc(rc);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : map_rc(rc);
}

const struct store_engine store_sqlite_engine = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .bind_double = sq_bind_double,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_text = sq_col_text,
    .col_len = sq_col_len,
    .col_int = sq_col_int,
    .col_double = sq_col_double,
    .col_null = sq_col_null,
    .col_type = sq_col_type,
    .col_count = sq_col_count,
    .param_count = sq_param_count,
    .col_name = sq_col_name,
    .changes = sq_changes,
    .errmsg = sq_errmsg,
    .snapshot = sq_snapshot,
};
