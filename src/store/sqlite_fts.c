/* The FTS5 tokenizer "german": SQLite's full-text index calls it for document
 * text, for queries and for snippets, and it hands each call to stem.h. One
 * tokenizer instance (one Snowball stemmer) exists per FTS5 table and
 * connection; a connection is used by one thread at a time, which is what
 * the stemmer needs. Prefix query terms ("antr*") are folded but not stemmed,
 * because a stem of a word fragment is meaningless. */
#include "sqlite_fts.h"

#include <stdlib.h>

#include "stem.h"

/* One tokenizer instance of an FTS5 table. */
struct fts_german {
    struct stem *stem; /* this instance's stemmer */
};

/* Forwards tokens from stem_tokenize() to FTS5. */
struct fts_call {
    void *fts_ctx;                                            /* FTS5's context */
    int (*x_token)(void *, int, const char *, int, int, int); /* FTS5's callback */
};

static int german_create(void *unused, const char **argv, int argc, Fts5Tokenizer **ret)
{
    (void)unused;
    (void)argv;
    if (argc > 0)
        return SQLITE_ERROR; /* the tokenizer takes no options */
    struct fts_german *t = calloc(1, sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    if (stem_new(&t->stem)) {
        free(t);
        return SQLITE_NOMEM;
    }
    *ret = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void german_delete(Fts5Tokenizer *tok)
{
    struct fts_german *t = (struct fts_german *)tok;
    if (!t)
        return;
    stem_free(t->stem);
    free(t);
}

static int token_cb(void *ctx, const char *tok, size_t n, size_t start, size_t end, bool colocated)
{
    struct fts_call *call = ctx;
    return call->x_token(call->fts_ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, tok, (int)n,
                         (int)start, (int)end);
}

static int german_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n,
                           int (*x_token)(void *, int, const char *, int, int, int))
{
    struct fts_german *t = (struct fts_german *)tok;
    unsigned f = 0;
    if (flags & FTS5_TOKENIZE_PREFIX)
        f |= STEM_PREFIX;
    if (flags & (FTS5_TOKENIZE_DOCUMENT | FTS5_TOKENIZE_AUX))
        f |= STEM_DOCUMENT;
    struct fts_call call = {ctx, x_token};
    if (n <= 0)
        return SQLITE_OK;
    return stem_tokenize(t->stem, text, (size_t)n, f, token_cb, &call);
}

/* Gets the FTS5 API of db through "SELECT fts5(?)" (the documented way). */
static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int sqlite_fts_register(sqlite3 *db)
{
    static fts5_tokenizer german = {german_create, german_delete, german_tokenize};
    fts5_api *api = fts5_api_of(db);
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, "german", NULL, &german, NULL);
}
