/* German text normalization for full-text search, independent of the
 * database engine: splits text into tokens (runs of letters and digits),
 * folds case, umlauts, ß and other Latin diacritics, and stems words with
 * Snowball's German stemmer (libstemmer), so "Anträge", "Antrag" and
 * "Antrages" become one token and "Straße" meets "Strasse". The SQLite FTS5
 * tokenizer "german" (sqlite_fts.c) and the query builder of the search use
 * the same functions, so documents and queries always agree. */
#ifndef RATHAUS_STORE_STEM_H
#define RATHAUS_STORE_STEM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

/* Bytes of one normalized token; longer runs are cut at a character
 * boundary (the same way for documents and queries, so they still meet). */
#define STEM_MAX_TOKEN 120

/* Flags of stem_tokenize(). */
#define STEM_PREFIX 1u /* a prefix query term: fold only, never stem */
#define STEM_DOCUMENT                                                                              \
    2u /* document text: also emit variants at the same position                                   \
          (a number without its leading zeros: "0007" and "7") */

/* One stemmer. Snowball stemmers are not thread-safe: use one per thread
 * (or per SQLite connection, which one thread uses at a time). */
struct stem;

/* Creates a German stemmer. ERR_NOMEM when libstemmer cannot make one. The
 * caller frees it with stem_free(). */
int stem_new(struct stem **ret) WUR;

/* Frees a stemmer. Accepts NULL. */
void stem_free(struct stem *st);

/* Called once per token: tok[0..n) is the normalized token (not
 * NUL-terminated, valid during the call), start/end the byte range of the
 * original word in the input; colocated is true for a variant that shares
 * the previous token's position. A non-zero return stops stem_tokenize,
 * which then returns that value. */
typedef int (*stem_token_fn)(void *ctx, const char *tok, size_t n, size_t start, size_t end,
                             bool colocated);

/* Splits p[0..n) (UTF-8; invalid bytes separate words) into tokens and
 * calls fn for each. Tokens are runs of letters and digits; soft hyphens and
 * combining marks inside a word are dropped. Letters are lowercased and
 * folded (ä→a, ö→o, ü→u, ß/ẞ→ss, é→e, ligatures ﬁ→fi, …); words without
 * digits are then stemmed unless flags has STEM_PREFIX. Returns 0 or the
 * first non-zero value of fn. */
int stem_tokenize(struct stem *st, const char *p, size_t n, unsigned flags, stem_token_fn fn,
                  void *ctx);

/* Appends the tokens of p[0..n) to out, separated by single spaces (variants
 * of STEM_DOCUMENT as "a|b"). For tests, diagnostics and the query builder.
 * Returns 0, or out's error (ERR_TOOBIG, ERR_NOMEM). */
int stem_text(struct stem *st, const char *p, size_t n, unsigned flags, struct str *out) WUR;

/* Counts the tokens of p[0..n) (variants not counted). */
size_t stem_count(const char *p, size_t n);

#endif
