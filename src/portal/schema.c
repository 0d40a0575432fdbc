/* The tables of the portal: the mirror of the service catalogue (for other
 * domains such as the KPI cockpit), drafts with their uploaded files, the
 * Akten kept per applicant or per service and year, and the submissions
 * with their hashed status tokens, and the accessibility feedback
 * (migrations 300–399). */
#include "portal.h"

/* clang-format off */
static const char portal_v300[] =
    "CREATE TABLE services ("
    " slug TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " leika TEXT NOT NULL DEFAULT '',"
    " topic TEXT NOT NULL DEFAULT '',"
    " office INTEGER NOT NULL,"
    " plan_code TEXT NOT NULL,"
    " file_per TEXT NOT NULL,"
    " ozg_level INTEGER NOT NULL,"
    " processing_days INTEGER NOT NULL DEFAULT 0,"
    " online INTEGER NOT NULL DEFAULT 1,"
    " definition_sha256 TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE drafts ("
    " id INTEGER PRIMARY KEY,"
    " service TEXT NOT NULL,"
    " data TEXT NOT NULL DEFAULT '{}',"
    " step INTEGER NOT NULL DEFAULT 0,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " created_at TEXT NOT NULL,"
    " expires INTEGER NOT NULL,"
    " submission_id INTEGER);"
    "CREATE INDEX drafts_expires ON drafts(expires);"
    "CREATE TABLE draft_files ("
    " draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,"
    " field TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " mime TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " PRIMARY KEY (draft_id, field));"
    "CREATE TABLE portal_files ("
    " key_hash TEXT PRIMARY KEY,"
    " file_ref TEXT NOT NULL);"
    "CREATE TABLE submissions ("
    " id INTEGER PRIMARY KEY,"
    " service TEXT NOT NULL,"
    " case_id INTEGER NOT NULL,"
    " case_ref TEXT NOT NULL,"
    " status_token_hash TEXT NOT NULL UNIQUE,"
    " idempotency_key TEXT NOT NULL UNIQUE,"
    " documents TEXT NOT NULL DEFAULT '[]',"
    " created_at TEXT NOT NULL);"
    "CREATE INDEX submissions_case ON submissions(case_ref);";
static const char portal_v301[] =
    "CREATE TABLE feedback ("
    " id INTEGER PRIMARY KEY,"
    " message TEXT NOT NULL,"
    " page TEXT NOT NULL DEFAULT '',"
    " email TEXT NOT NULL DEFAULT '',"
    " created_at TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'open');";
/* clang-format on */

const struct store_migration portal_migrations[] = {
    {300, "portal: services, drafts, applicant files, submissions", portal_v300},
    {301, "portal: accessibility feedback (BITV 2.0)", portal_v301},
};
const size_t portal_migrations_count = sizeof portal_migrations / sizeof portal_migrations[0];
