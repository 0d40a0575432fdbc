/* Private to src/store/: registers rathaus' FTS5 tokenizers on a SQLite
 * connection. sqlite.c calls it for every connection it opens, so any
 * statement may use a table declared with tokenize='german'. */
#ifndef RATHAUS_STORE_SQLITE_FTS_H
#define RATHAUS_STORE_SQLITE_FTS_H

#include <sqlite3.h>

/* Registers the tokenizer "german" (stem.h), the ranking function
 * rec_rank(table, weight...) (a bm25 without document frequencies and
 * lengths) and rec_titled(table, groups, mask) (whether the words of the
 * query occur in given columns; see sqlite_fts.c) with the FTS5 module of db.
 * Returns a SQLite result code: SQLITE_OK, or SQLITE_ERROR when the SQLite
 * library was built without FTS5. */
int sqlite_fts_register(sqlite3 *db);

#endif
