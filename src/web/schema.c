/* The tables of the web shell: offices, staff accounts and sessions. The
 * journal, blobs and settings tables belong to store/ (migration 1). */
#include "web.h"

/* clang-format off */
static const char web_v10[] =
    "CREATE TABLE units ("
    " nr INTEGER PRIMARY KEY CHECK (nr BETWEEN 1 AND 9999),"
    " name TEXT NOT NULL);"
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " login TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " unit_nr INTEGER NOT NULL REFERENCES units(nr),"
    " roles INTEGER NOT NULL,"
    " pw_hash TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE sessions ("
    " id_hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " created_at INTEGER NOT NULL,"
    " seen_at INTEGER NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);";
/* clang-format on */

const struct store_migration web_migrations[] = {
    {10, "offices, users, sessions", web_v10},
};
const size_t web_migrations_count = sizeof web_migrations / sizeof web_migrations[0];
