/* Private to src/store/: the engine interface. An engine (sqlite.c today,
 * PostgreSQL later) implements these operations; store.c adds the connection
 * pool, the statement cache and the helpers on top. */
#ifndef RATHAUS_STORE_STORE_INT_H
#define RATHAUS_STORE_STORE_INT_H

#include <pthread.h>
#include <stdarg.h>

#include "store.h"

/* Statements cached per connection. */
#define STORE_STMT_CACHE 128
/* Nested transactions (SAVEPOINTs) and borrows of one write transaction. */
#define STORE_MAX_NEST 32

struct store_engine {
    const char *name;
    int (*open)(struct store *s, bool create, void **ret_handle);
    void (*close)(void *handle);
    int (*exec)(void *handle, const char *sql);
    int (*prepare)(void *handle, const char *sql, void **ret_stmt);
    void (*finalize)(void *stmt);
    void (*reset)(void *stmt);
    int (*bind_text)(void *stmt, int i, const char *p, size_t n);
    int (*bind_int)(void *stmt, int i, int64_t v);
    int (*bind_double)(void *stmt, int i, double v);
    int (*bind_blob)(void *stmt, int i, const void *p, size_t n);
    int (*bind_null)(void *stmt, int i);
    int (*step)(void *stmt);
    const char *(*col_text)(void *stmt, int i);
    size_t (*col_len)(void *stmt, int i);
    int64_t (*col_int)(void *stmt, int i);
    double (*col_double)(void *stmt, int i);
    bool (*col_null)(void *stmt, int i);
    enum store_type (*col_type)(void *stmt, int i);
    int (*col_count)(void *stmt);
    int (*param_count)(void *stmt); /* parameters the statement takes */
    const char *(*col_name)(void *stmt, int i);
    int64_t (*changes)(void *handle);
    const char *(*errmsg)(void *handle);
    int (*snapshot)(void *handle, const char *path);
};

struct store_stmt {
    struct store_conn *conn; /* owner */
    const char *sql;         /* cache key: the caller's string (pointer compared first) */
    void *handle;            /* engine statement */
    uint64_t used;           /* last use tick, for eviction */
};

struct store_conn {
    struct store *store;                       /* owner */
    void *handle;                              /* engine connection */
    struct store_stmt cache[STORE_STMT_CACHE]; /* prepared statements */
    size_t ncache;                             /* entries used in cache */
    uint64_t tick;                             /* use counter for eviction */
    bool in_tx;                                /* a transaction is open (depth > 0) */
    int depth;                                 /* 1 = BEGIN, each more = a SAVEPOINT */
    int nborrow;                               /* store_get calls sharing the open write tx */
    int borrow_depth[STORE_MAX_NEST];          /* depth at each borrow, for store_put */
    struct store_conn *next_idle;              /* pool link */
};

struct store {
    char *dir;                         /* data directory */
    char *db_path;                     /* DIR/rathaus.db */
    const struct store_engine *engine; /* the engine in use */
    pthread_mutex_t lock;              /* guards the pool */
    struct store_conn *idle;           /* idle connections */
    int nconns;                        /* connections open */
    char engine_name[64];              /* for store_engine_name() */
};

/* The SQLite engine (sqlite.c). */
extern const struct store_engine store_sqlite_engine;

/* Binds from a va_list; used by store.c helpers. */
int store_vbind(struct store_stmt *st, const char *types, va_list ap);

#endif
