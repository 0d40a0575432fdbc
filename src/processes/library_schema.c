/* The tables of the process library: processes with their knowledge notes,
 * versioned BPMN models and attachments (contents in the blob store), and a
 * German full-text index over names, texts and notes. */
#include "processes.h"

/* clang-format off */
static const char proc_v450[] =
    "CREATE TABLE proc_processes ("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " unit_nr INTEGER NOT NULL REFERENCES units(nr),"
    " leika TEXT NOT NULL DEFAULT '',"
    " service_key TEXT NOT NULL DEFAULT '',"
    " owner_role TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL CHECK (status IN ('erfasst','modelliert','optimiert','digitalisiert')),"
    " legal_basis TEXT NOT NULL DEFAULT '',"
    " description TEXT NOT NULL DEFAULT '',"
    " checklist TEXT NOT NULL DEFAULT '',"
    " responsibilities TEXT NOT NULL DEFAULT '',"
    " deputies TEXT NOT NULL DEFAULT '',"
    " pitfalls TEXT NOT NULL DEFAULT '',"
    " created_at TEXT NOT NULL, created_by TEXT NOT NULL,"
    " updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);"
    "CREATE TABLE proc_models ("
    " id INTEGER PRIMARY KEY,"
    " process_id INTEGER NOT NULL REFERENCES proc_processes(id),"
    " version INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " comment TEXT NOT NULL DEFAULT '',"
    " created_at TEXT NOT NULL, created_by TEXT NOT NULL,"
    " deployed_at TEXT, deployed_by TEXT,"
    " UNIQUE (process_id, version));"
    "CREATE TABLE proc_attachments ("
    " id INTEGER PRIMARY KEY,"
    " process_id INTEGER NOT NULL REFERENCES proc_processes(id),"
    " sha256 TEXT NOT NULL,"
    " filename TEXT NOT NULL,"
    " mime TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " created_at TEXT NOT NULL, created_by TEXT NOT NULL);"
    "CREATE VIRTUAL TABLE proc_fts USING fts5(name, body, tokenize = 'german');";
/* clang-format on */

const struct store_migration proc_migrations[] = {
    {450, "process library: processes, models, attachments, full text", proc_v450},
};
const size_t proc_migrations_count = sizeof proc_migrations / sizeof proc_migrations[0];
