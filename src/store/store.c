/* The engine-independent part of the store: connection pool, per-connection
 * statement cache, transactions, helpers and schema migrations. */
#include "store_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/str.h"

static char *dup_path(const char *a, const char *b)
{
    struct str s;
    str_init(&s, 4096);
    str_adds(&s, a);
    if (b) {
        str_addc(&s, '/');
        str_adds(&s, b);
    }
    if (s.err) {
        str_release(&s);
        return NULL;
    }
    return str_detach(&s, NULL);
}

int store_open(const char *dir, int flags, struct store **ret)
{
    int rc = ERR_NOMEM;
    struct store *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    pthread_mutex_init(&s->lock, NULL);
    s->engine = &store_sqlite_engine;
    s->dir = dup_path(dir, NULL);
    s->db_path = dup_path(dir, "rathaus.db");
    if (!s->dir || !s->db_path)
        goto done;
    bool create = flags & STORE_CREATE;
    if (create) {
        if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
            rc = ERR_IO;
            goto done;
        }
    } else {
        struct stat st;
        if (stat(s->db_path, &st) != 0) {
            rc = ERR_NOTFOUND;
            goto done;
        }
    }
    /* open one connection now so errors show at open time */
    struct store_conn *c;
    rc = store_get(s, &c);
    if (rc)
        goto done;
    store_put(s, c);
    *ret = s;
    return 0;
done:
    store_close(s);
    return rc;
}

static void conn_free(struct store_conn *c)
{
    const struct store_engine *e = c->store->engine;
    for (size_t i = 0; i < c->ncache; i++)
        e->finalize(c->cache[i].handle);
    e->close(c->handle);
    free(c);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    struct store_conn *c = s->idle;
    while (c) {
        struct store_conn *next = c->next_idle;
        conn_free(c);
        c = next;
    }
    pthread_mutex_destroy(&s->lock);
    free(s->dir);
    free(s->db_path);
    free(s);
}

const char *store_dir(const struct store *s)
{
    return s->dir;
}

const char *store_engine_name(const struct store *s)
{
    return s->engine_name;
}

/* The connection this thread holds with an open write transaction, shared by
 * store_get with the writes nested inside it (see store.h). */
static _Thread_local struct store_conn *tls_writer;

int store_get(struct store *s, struct store_conn **ret)
{
    struct store_conn *w = tls_writer;
    if (w && w->store == s && w->in_tx) {
        if (w->nborrow >= STORE_MAX_NEST)
            return ERR_TOOBIG;
        w->borrow_depth[w->nborrow++] = w->depth;
        *ret = w;
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    struct store_conn *c = s->idle;
    if (c) {
        s->idle = c->next_idle;
        pthread_mutex_unlock(&s->lock);
        c->next_idle = NULL;
        *ret = c;
        return 0;
    }
    if (s->nconns >= STORE_MAX_CONNS) {
        pthread_mutex_unlock(&s->lock);
        return ERR_BUSY;
    }
    s->nconns++;
    pthread_mutex_unlock(&s->lock);
    int rc = ERR_NOMEM;
    c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->store = s;
    rc = s->engine->open(s, true, &c->handle);
    if (rc) {
        free(c);
        goto fail;
    }
    *ret = c;
    return 0;
fail:
    pthread_mutex_lock(&s->lock);
    s->nconns--;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void store_put(struct store *s, struct store_conn *c)
{
    if (!c)
        return;
    if (c->nborrow > 0) {
        int base = c->borrow_depth[--c->nborrow];
        while (c->depth > base)
            store_rollback(c);
        return;
    }
    while (c->in_tx)
        store_rollback(c);
    pthread_mutex_lock(&s->lock);
    c->next_idle = s->idle;
    s->idle = c;
    pthread_mutex_unlock(&s->lock);
}

/* Savepoint names by level: "s2", "s3", … (level 1 is the transaction). */
static int savepoint_sql(struct store_conn *c, const char *verb, char *buf, size_t n)
{
    int k = snprintf(buf, n, "%s s%d", verb, c->depth);
    return k > 0 && (size_t)k < n ? 0 : ERR_INTERNAL;
}

int store_begin(struct store_conn *c, bool write)
{
    char sql[64];
    int rc;
    if (c->in_tx) {
        if (c->depth >= STORE_MAX_NEST)
            return ERR_TOOBIG;
        c->depth++;
        if ((rc = savepoint_sql(c, "SAVEPOINT", sql, sizeof sql)) || (rc = store_exec(c, sql)))
            c->depth--;
        return rc;
    }
    rc = store_exec(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc == 0) {
        c->in_tx = true;
        c->depth = 1;
        if (write && !tls_writer)
            tls_writer = c;
    }
    return rc;
}

/* Leaves the outermost level: the connection no longer carries a transaction. */
static void tx_ended(struct store_conn *c)
{
    c->in_tx = false;
    c->depth = 0;
    if (tls_writer == c)
        tls_writer = NULL;
}

int store_commit(struct store_conn *c)
{
    if (!c->in_tx)
        return ERR_INTERNAL;
    char sql[64];
    int rc;
    if (c->depth > 1) {
        if ((rc = savepoint_sql(c, "RELEASE", sql, sizeof sql)) || (rc = store_exec(c, sql))) {
            store_rollback(c);
            return rc;
        }
        c->depth--;
        return 0;
    }
    rc = store_exec(c, "COMMIT");
    if (rc)
        (void)c->store->engine->exec(c->handle, "ROLLBACK");
    tx_ended(c);
    return rc;
}

void store_rollback(struct store_conn *c)
{
    if (!c->in_tx)
        return;
    if (c->depth > 1) {
        char sql[64];
        /* ROLLBACK TO keeps the savepoint open; RELEASE then drops it */
        if (!savepoint_sql(c, "ROLLBACK TO", sql, sizeof sql))
            (void)c->store->engine->exec(c->handle, sql);
        if (!savepoint_sql(c, "RELEASE", sql, sizeof sql))
            (void)c->store->engine->exec(c->handle, sql);
        c->depth--;
        return;
    }
    (void)c->store->engine->exec(c->handle, "ROLLBACK");
    tx_ended(c);
}

int store_exec(struct store_conn *c, const char *sql)
{
    return c->store->engine->exec(c->handle, sql);
}

int store_prepare(struct store_conn *c, const char *sql, struct store_stmt **ret)
{
    const struct store_engine *e = c->store->engine;
    c->tick++;
    for (size_t i = 0; i < c->ncache; i++) {
        struct store_stmt *st = &c->cache[i];
        if (st->sql == sql || strcmp(st->sql, sql) == 0) {
            st->used = c->tick;
            *ret = st;
            return 0;
        }
    }
    void *h;
    int rc = e->prepare(c->handle, sql, &h);
    if (rc)
        return rc;
    struct store_stmt *st;
    if (c->ncache < STORE_STMT_CACHE) {
        st = &c->cache[c->ncache++];
    } else {
        st = &c->cache[0];
        for (size_t i = 1; i < c->ncache; i++)
            if (c->cache[i].used < st->used)
                st = &c->cache[i];
        e->finalize(st->handle);
    }
    st->conn = c;
    st->sql = sql;
    st->handle = h;
    st->used = c->tick;
    *ret = st;
    return 0;
}

int store_vbind(struct store_stmt *st, const char *types, va_list ap)
{
    const struct store_engine *e = st->conn->store->engine;
    /* a types string that does not match the SQL is a programming error that
     * would otherwise bind NULL to the missing parameters */
    assert(strlen(types) == (size_t)e->param_count(st->handle));
    if (strlen(types) != (size_t)e->param_count(st->handle))
        return ERR_INTERNAL;
    int rc = 0;
    for (int i = 0; types[i] && rc == 0; i++) {
        int pos = i + 1;
        switch (types[i]) {
        case 't': {
            const char *z = va_arg(ap, const char *);
            rc = z ? e->bind_text(st->handle, pos, z, strlen(z)) : e->bind_null(st->handle, pos);
            break;
        }
        case 'i': rc = e->bind_int(st->handle, pos, va_arg(ap, int64_t)); break;
        case 'd': rc = e->bind_double(st->handle, pos, va_arg(ap, double)); break;
        case 'n': rc = e->bind_null(st->handle, pos); break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = e->bind_blob(st->handle, pos, p, n);
            break;
        }
        default: rc = ERR_INTERNAL;
        }
    }
    return rc;
}

int store_bind(struct store_stmt *st, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = store_vbind(st, types, ap);
    va_end(ap);
    return rc;
}

int store_step(struct store_stmt *st)
{
    return st->conn->store->engine->step(st->handle);
}

const char *store_col_text(struct store_stmt *st, int i)
{
    const char *z = st->conn->store->engine->col_text(st->handle, i);
    return z ? z : "";
}

size_t store_col_len(struct store_stmt *st, int i)
{
    return st->conn->store->engine->col_len(st->handle, i);
}

int64_t store_col_int(struct store_stmt *st, int i)
{
    return st->conn->store->engine->col_int(st->handle, i);
}

double store_col_double(struct store_stmt *st, int i)
{
    return st->conn->store->engine->col_double(st->handle, i);
}

bool store_col_null(struct store_stmt *st, int i)
{
    return st->conn->store->engine->col_null(st->handle, i);
}

int store_col_count(struct store_stmt *st)
{
    return st->conn->store->engine->col_count(st->handle);
}

const char *store_col_name(struct store_stmt *st, int i)
{
    return st->conn->store->engine->col_name(st->handle, i);
}

enum store_type store_col_type(struct store_stmt *st, int i)
{
    return st->conn->store->engine->col_type(st->handle, i);
}

json_t *store_row_json(struct store_stmt *st)
{
    json_t *o = json_object();
    int n = store_col_count(st);
    for (int i = 0; o && i < n; i++) {
        json_t *v;
        switch (store_col_type(st, i)) {
        case STORE_TYPE_INT: v = json_integer((json_int_t)store_col_int(st, i)); break;
        case STORE_TYPE_REAL: v = json_real(store_col_double(st, i)); break;
        case STORE_TYPE_TEXT: v = json_stringn(store_col_text(st, i), store_col_len(st, i)); break;
        default: v = json_null();
        }
        if (!v || json_object_set_new(o, store_col_name(st, i), v)) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

int store_rows_json(struct store_stmt *st, json_t *list)
{
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *o = store_row_json(st);
        if (!o || json_array_append_new(list, o))
            return ERR_NOMEM;
    }
    return rc == STORE_DONE ? 0 : rc;
}

/* store_prepare and store_vbind in one: *ret is NULL when the statement
 * could not be prepared, else it must be released with store_done (also
 * when binding failed, which the return value then says). */
static int prepare_bound(struct store_conn *c, const char *sql, const char *types, va_list ap,
                         struct store_stmt **ret)
{
    *ret = NULL;
    struct store_stmt *st;
    int rc = store_prepare(c, sql, &st);
    if (rc)
        return rc;
    *ret = st;
    return store_vbind(st, types, ap);
}

int store_query_rows(struct store_conn *c, json_t *list, const char *sql, const char *types, ...)
{
    struct store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = prepare_bound(c, sql, types, ap, &st);
    va_end(ap);
    if (!st)
        return rc;
    if (!rc)
        rc = store_rows_json(st, list);
    store_done(st);
    return rc;
}

void store_done(struct store_stmt *st)
{
    st->conn->store->engine->reset(st->handle);
}

int64_t store_changes(struct store_conn *c)
{
    return c->store->engine->changes(c->handle);
}

const char *store_errmsg(struct store_conn *c)
{
    return c->store->engine->errmsg(c->handle);
}

int store_query_int(struct store_conn *c, int64_t *ret, const char *sql, const char *types, ...)
{
    struct store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = prepare_bound(c, sql, types, ap, &st);
    va_end(ap);
    if (!st)
        return rc;
    if (rc)
        goto done;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *ret = store_col_int(st, 0);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
done:
    store_done(st);
    return rc;
}

int store_run(struct store_conn *c, const char *sql, const char *types, ...)
{
    struct store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = prepare_bound(c, sql, types, ap, &st);
    va_end(ap);
    if (!st)
        return rc;
    if (rc)
        goto done;
    rc = store_step(st);
    if (rc == STORE_ROW || rc == STORE_DONE)
        rc = 0;
done:
    store_done(st);
    return rc;
}

int store_snapshot(struct store_conn *c, const char *path)
{
    return c->store->engine->snapshot(c->handle, path);
}

static int cmp_migration(const void *a, const void *b)
{
    const struct store_migration *x = *(const struct store_migration *const *)a;
    const struct store_migration *y = *(const struct store_migration *const *)b;
    return (x->id > y->id) - (x->id < y->id);
}

int store_migrate(struct store *s, const struct store_migration *list, size_t n, int *ret_applied)
{
    struct store_conn *c = NULL;
    const struct store_migration **sorted = NULL;
    int applied = 0;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    rc = ERR_NOMEM;
    sorted = calloc(n ? n : 1, sizeof *sorted);
    if (!sorted)
        goto done;
    for (size_t i = 0; i < n; i++)
        sorted[i] = &list[i];
    qsort(sorted, n, sizeof *sorted, cmp_migration);
    for (size_t i = 0; i < n; i++) { /* also checks the last (or only) id for > 0 */
        if (sorted[i]->id <= 0 || (i + 1 < n && sorted[i]->id == sorted[i + 1]->id)) {
            rc = ERR_INVALID;
            goto done;
        }
    }
    rc = store_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    if (rc)
        goto done;
    int64_t max_id = 0;
    rc = store_query_int(c, &max_id, "SELECT coalesce(max(id), 0) FROM schema_migrations", "");
    if (rc)
        goto done;
    int known_max = n ? sorted[n - 1]->id : 0;
    if (max_id > known_max) {
        rc = ERR_VERSION;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const struct store_migration *m = sorted[i];
        int64_t have = 0;
        rc = store_query_int(c, &have, "SELECT count(*) FROM schema_migrations WHERE id = ?", "i",
                             (int64_t)m->id);
        if (rc)
            goto done;
        if (have)
            continue;
        rc = store_begin(c, true);
        if (rc)
            goto done;
        rc = store_exec(c, m->sql);
        if (!rc)
            rc = store_run(c,
                           "INSERT INTO schema_migrations (id, name, applied_at) "
                           "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                           "it", (int64_t)m->id, m->name);
        if (rc) {
            store_rollback(c);
            goto done;
        }
        rc = store_commit(c);
        if (rc)
            goto done;
        applied++;
    }
    rc = 0;
    if (ret_applied)
        *ret_applied = applied;
done:
    free(sorted);
    store_put(s, c);
    return rc;
}
