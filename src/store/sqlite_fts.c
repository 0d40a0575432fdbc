/* The FTS5 tokenizer "german": SQLite's full-text index calls it for document
 * text, for queries and for snippets, and it hands each call to stem.h. One
 * tokenizer instance (one Snowball stemmer) exists per FTS5 table and
 * connection; a connection is used by one thread at a time, which is what
 * the stemmer needs. Prefix query terms ("antr*") are folded but not stemmed,
 * because a stem of a word fragment is meaningless; neither are the texts
 * that snippets are made of (see german_tokenize). A text that starts with
 * the byte 0x1F is a list of access tokens (records/search_schema.c): its
 * words are passed on as they are, each with the 0x1F in front, so that no
 * word a user types (the query builder drops control bytes) can match one. */
#include "sqlite_fts.h"

#include <stdlib.h>
#include <string.h>

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

/* Passes the space-separated words after the leading 0x1F of text[0..n) to
 * FTS5 as tokens "\x1Fword" (their bytes are the text's own: 0x1F, then the
 * word, copied into a small buffer). */
static int raw_tokenize(void *ctx, const char *text, int n,
                        int (*x_token)(void *, int, const char *, int, int, int))
{
    char tok[64];
    int i = 1;
    while (i < n) {
        while (i < n && text[i] == ' ')
            i++;
        int start = i;
        while (i < n && text[i] != ' ')
            i++;
        int len = i - start;
        if (len <= 0 || len >= (int)sizeof tok)
            continue;
        tok[0] = '\x1f';
        memcpy(tok + 1, text + start, (size_t)len);
        int rc = x_token(ctx, 0, tok, len + 1, start, i);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
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
    /* snippet() and highlight() use only the positions and byte offsets of
     * the tokens, which stemming does not change: skipping it makes a
     * snippet of a long text several times cheaper */
    if (flags & FTS5_TOKENIZE_AUX)
        f |= STEM_PREFIX;
    struct fts_call call = {ctx, x_token};
    if (n <= 0)
        return SQLITE_OK;
    if (text[0] == '\x1f')
        return raw_tokenize(ctx, text, n, x_token);
    return stem_tokenize(t->stem, text, (size_t)n, f, token_cb, &call);
}

/* Saturation of the term frequency in rec_rank (bm25's k1). */
#define RANK_K1 1.2

/* The FTS5 function rec_rank(table, w0, w1, ...): a cheap relative of
 * bm25 for ranking a window of matches. For each phrase of the query and
 * each column, the saturated number of its instances tf / (tf + k1) times
 * the column's weight (1.0 when not given), summed and negated (lower is
 * better, as bm25). It leaves out what makes bm25 cost per match: the
 * inverse document frequency (bm25 counts each phrase's matches in the
 * whole index once per statement) and the length of the row's columns (a
 * lookup per row); within one query they matter little, since every hit
 * holds every word. */
static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *ctx, sqlite3_context *res, int nval,
                    sqlite3_value **vals)
{
    int ncol = api->xColumnCount(ctx), nphrase = api->xPhraseCount(ctx), ninst = 0;
    int rc = api->xInstCount(ctx, &ninst);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(res, rc);
        return;
    }
    int cells = ncol * nphrase;
    int local[256];
    int *tf = cells <= 256 ? local : sqlite3_malloc64((sqlite3_uint64)cells * sizeof(int));
    if (!tf) {
        sqlite3_result_error_nomem(res);
        return;
    }
    memset(tf, 0, (size_t)cells * sizeof(int));
    for (int i = 0; i < ninst; i++) {
        int ip, ic, io;
        if (api->xInst(ctx, i, &ip, &ic, &io) == SQLITE_OK && ip >= 0 && ip < nphrase && ic >= 0 &&
            ic < ncol)
            tf[ip * ncol + ic]++;
    }
    double score = 0;
    for (int c = 0; c < ncol; c++) {
        double w = c < nval ? sqlite3_value_double(vals[c]) : 1.0;
        if (w == 0)
            continue;
        for (int p = 0; p < nphrase; p++) {
            int n = tf[p * ncol + c];
            if (n)
                score += w * (double)n / ((double)n + RANK_K1);
        }
    }
    if (tf != local)
        sqlite3_free(tf);
    sqlite3_result_double(res, -score);
}

/* The FTS5 function rec_titled(table, groups, mask): 1 when, in the current
 * row, every group of phrases has an instance in a column of the bit mask
 * mask (bit i: column i), else 0. groups has one byte per phrase of the
 * query, in the order of the query: phrases with the same letter form a
 * group (alternatives: one of them is enough), '-' and phrases past its end
 * belong to none. It tells, while the matches are read, which of them a
 * column filter ("{title refs} : …") would also have matched. */
static void titled_fn(const Fts5ExtensionApi *api, Fts5Context *ctx, sqlite3_context *res, int nval,
                      sqlite3_value **vals)
{
    if (nval != 2) {
        sqlite3_result_error(res, "rec_titled: groups and column mask expected", -1);
        return;
    }
    const unsigned char *groups = sqlite3_value_text(vals[0]);
    int ngroups = sqlite3_value_bytes(vals[0]);
    sqlite3_int64 mask = sqlite3_value_int64(vals[1]);
    int nphrase = api->xPhraseCount(ctx), ninst = 0;
    int rc = api->xInstCount(ctx, &ninst);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(res, rc);
        return;
    }
    /* the groups (bytes) that have an instance in the columns */
    unsigned char seen[256] = {0};
    for (int i = 0; i < ninst; i++) {
        int ip, ic, io;
        if (api->xInst(ctx, i, &ip, &ic, &io) == SQLITE_OK && ip >= 0 && ip < nphrase &&
            ip < ngroups && ic >= 0 && ic < 63 && (mask >> ic) & 1)
            seen[groups[ip]] = 1;
    }
    int all = 1;
    for (int p = 0; p < ngroups && p < nphrase; p++)
        if (groups[p] != '-' && !seen[groups[p]])
            all = 0;
    sqlite3_result_int(res, all);
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
    int rc = api->xCreateTokenizer(api, "german", NULL, &german, NULL);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, "rec_rank", NULL, rank_fn, NULL);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, "rec_titled", NULL, titled_fn, NULL);
    return rc;
}
