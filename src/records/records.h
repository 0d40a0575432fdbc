/* The E-Akte (solution block LBS-001): file plan (Aktenplan), files (Akten),
 * cases (Vorgänge), documents with immutable versions, permissions and the
 * access journal, closing, retention and disposal, text extraction and
 * German full-text search. Other domains use the E-Akte only through this
 * header. Every write opens its own transaction and journals in it.
 *
 * Visibility: a file is visible to its office and to offices it is shared
 * with; for everyone else it does not exist (ERR_NOTFOUND, never
 * ERR_DENIED), in lists and search alike. The system actor (CLI, workflow
 * engine) sees everything. */
#ifndef RATHAUS_RECORDS_RECORDS_H
#define RATHAUS_RECORDS_RECORDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"
#include "http/http.h"
#include "store/store.h"

/* Named limits. */
#define REC_REF_MAX 96        /* bytes of an Aktenzeichen or case reference + NUL */
#define REC_MAX_TITLE 300     /* bytes of a title */
#define REC_MAX_PARTIES 1000  /* bytes of the parties text */
#define REC_MAX_CODE 32       /* bytes of a plan code */
#define REC_PAGE_MAX 100      /* rows per page of any list */
#define REC_PAGE_DEFAULT 25   /* rows per page when not asked */
#define REC_MAX_FILE_SEQ 9999 /* running numbers per plan node and year */

/* Who acts: a logged-in user or the system (CLI, workflow engine). */
struct rec_actor {
    const char *login; /* journal actor */
    int unit_nr;       /* office of the user; ignored for the system */
    unsigned roles;    /* WEB_ROLE_* bits */
    bool system;       /* sees and may do everything (command line, engine) */
};

/* The actor for a request's user. */
struct rec_actor rec_actor_of(const struct http_user *u);

/* The system actor with the given journal name ("cli", "workflow"). */
struct rec_actor rec_actor_system(const char *login);

/* Schema migrations of the E-Akte (ids 100–199). */
extern const struct store_migration records_migrations[];
extern const size_t records_migrations_count;

/* Adds the routes of the E-Akte (pages and /api/v1) to r. */
int records_register(struct http_router *r) WUR;

/* ---- File plan -------------------------------------------------------- */

/* One plan node as given to rec_plan_save and the importers. */
struct rec_plan_node {
    const char *code;      /* "32.10.05"; parent is the code without its last part */
    const char *title;     /* title */
    int retention_years;   /* 0–200 */
    char archive_decision; /* 'A', 'B' or 'V' */
    bool active;           /* may new files be created under it */
};

/* Loads the default plan (data/aktenplan.csv) into an empty plan, inside the
 * caller's write transaction. */
int rec_plan_seed(struct store_conn *c, const char *actor) WUR;

/* Creates or updates one node by code (Registratur/Admin or system).
 * ERR_INVALID with a German reason in why; ERR_NOTFOUND for a missing parent. */
int rec_plan_save(struct store *s, const struct rec_actor *a, const struct rec_plan_node *n,
                  struct str *why) WUR;

/* Imports nodes from CSV ("code;title;retention_years;archive_decision;active",
 * header line) or JSON (array of objects with those keys), all or nothing.
 * ERR_INVALID with "Zeile N: …" (CSV) or "Eintrag N: …" (JSON) in why. */
int rec_plan_import(struct store *s, const struct rec_actor *a, const char *p, size_t n, bool json,
                    int *ret_count, struct str *why) WUR;

/* Lists the whole plan ordered by code: a JSON array of {id, code, parent_code,
 * title, retention_years, archive_decision, active, depth}. */
int rec_plan_list(struct store *s, json_t **ret) WUR;

/* Writes the plan as CSV (same format as the import) or JSON into out. */
int rec_plan_export(struct store *s, bool json, struct str *out) WUR;

/* ---- Files and cases -------------------------------------------------- */

/* Creates a file under the plan node code for office unit_nr. The Aktenzeichen
 * is "<code>-<year>-<4-digit running number>", unique per node and year, also
 * under concurrent creation. ERR_NOTFOUND for an unknown or inactive node or
 * office; ERR_DENIED when a user creates for another office; ERR_INVALID for
 * a bad title (reason in why, may be NULL). */
int rec_file_create(struct store *s, const struct rec_actor *a, const char *plan_code, int unit_nr,
                    const char *title, const char *parties, char ret_ref[REC_REF_MAX],
                    int64_t *ret_id, struct str *why) WUR;

/* Filters of rec_file_list; zero values mean "any". */
struct rec_file_query {
    int unit_nr;           /* office */
    const char *plan_code; /* node and its children */
    int year;              /* file year */
    const char *status;    /* "open", "closed", "offered", "disposed" */
    const char *text;      /* substring of title or reference */
    int page;              /* 1-based */
    int per_page;          /* ≤ REC_PAGE_MAX */
};

/* Lists visible files: {total, page, per_page, items:[{reference, title, plan_code,
 * plan_title, office, status, year, created_at, closed_at, cases}]} */
int rec_file_list(struct store *s, const struct rec_actor *a, const struct rec_file_query *q,
                  json_t **ret) WUR;

/* One visible file with its cases, shares and dates:
 * {reference, title, parties, plan_code, plan_title, office, office_name, status,
 *  year, created_at, closed_at, retention_until, hold, hold_reason, shares:[nr],
 *  archive_decision, cases:[{reference, n, title, status, documents}]} */
int rec_file_get(struct store *s, const struct rec_actor *a, const char *ref, json_t **ret) WUR;

/* Shares a file with another office (owner office, Leitung/Registratur/Admin). */
int rec_file_share(struct store *s, const struct rec_actor *a, const char *ref, int unit_nr) WUR;

/* Closes a file (zdA) and all its open cases; sets retention_until to the end
 * of the closing year plus the node's retention period. */
int rec_file_close(struct store *s, const struct rec_actor *a, const char *ref) WUR;

/* Sets or lifts a legal hold (Sperre; Leitung/Registratur/Admin). */
int rec_file_hold(struct store *s, const struct rec_actor *a, const char *ref, bool on,
                  const char *reason) WUR;

/* Lists closed files whose retention has ended (as of now): JSON array of
 * {reference, title, plan_code, archive_decision, office, retention_until, hold}. */
int rec_disposal_due(struct store *s, const struct rec_actor *a, json_t **ret) WUR;

/* Disposes a due file (Registratur/Admin): destroy=true removes all contents
 * (versions lose their blob, unreferenced blobs are deleted, text and index
 * rows go) and leaves a tombstone; destroy=false marks it offered to the
 * archive. ERR_EXISTS when a hold is set or retention has not ended. */
int rec_dispose(struct store *s, const struct rec_actor *a, const char *ref, bool destroy) WUR;

/* Computes the end of retention for a file closed at closed_at (UTC seconds)
 * with a period of years: 31 December of (closing year + years), as ISO date. */
void rec_retention_until(int64_t closed_at, int years, char out[11]);

/* Creates a case in a visible open file; reference "<Aktenzeichen>/<n>". */
int rec_case_create(struct store *s, const struct rec_actor *a, const char *file_ref,
                    const char *title, const char *service_key, char ret_ref[REC_REF_MAX],
                    int64_t *ret_id) WUR;

/* One visible case with its documents and their versions:
 * {reference, file_reference, title, status, service_key, created_at, closed_at,
 *  documents:[{id, title, direction, dated, party, versions:[{id, n, filename,
 *  mime, size, created_at, created_by}]}]} */
int rec_case_get(struct store *s, const struct rec_actor *a, const char *ref, json_t **ret) WUR;

/* Closes a case (zdA). */
int rec_case_close(struct store *s, const struct rec_actor *a, const char *ref) WUR;

/* ---- Documents and versions ------------------------------------------ */

/* A new document. */
struct rec_doc_new {
    const char *title;     /* title */
    const char *direction; /* "in" (Eingang), "out" (Ausgang), "internal" */
    const char *dated;     /* ISO date received/sent, or NULL */
    const char *party;     /* sender or recipient, or NULL */
};

/* Creates a document in a visible open case. */
int rec_doc_create(struct store *s, const struct rec_actor *a, const char *case_ref,
                   const struct rec_doc_new *d, int64_t *ret_id) WUR;

/* Content of a new version: a file on disk (path) or bytes in memory. */
struct rec_content {
    const char *path;     /* file to store, or NULL */
    const void *data;     /* bytes when path is NULL */
    size_t len;           /* bytes at data */
    const char *filename; /* the client's name, shown and used for download */
    const char *capture;  /* TR-RESISCAN capture metadata as JSON object text, or NULL */
};

/* Adds an immutable version to a visible document. The type comes from the
 * bytes (libmagic); executables and scripts are refused with ERR_MEDIATYPE.
 * Queues a text extraction job in the same transaction. *ret_mime (may be
 * NULL) points to static memory. */
int rec_version_add(struct store *s, const struct rec_actor *a, int64_t doc_id,
                    const struct rec_content *content, int64_t *ret_version_id,
                    const char **ret_mime) WUR;

/* A version opened for reading. */
struct rec_version_file {
    char path[4200];    /* blob file */
    char mime[100];     /* stored type */
    char filename[300]; /* download name */
    int64_t size;       /* bytes */
};

/* Looks up a visible version for viewing or download and journals the read
 * (doc.read with user and time) before returning. ERR_NOTFOUND when the
 * version is unknown, not visible or its content was disposed. */
int rec_version_open(struct store *s, const struct rec_actor *a, int64_t version_id, bool download,
                     struct rec_version_file *ret) WUR;

/* The access log of a visible file (Leitung/Admin): JSON array of
 * {at, actor, action, object} of doc.read and file/case/document changes. */
int rec_access_log(struct store *s, const struct rec_actor *a, const char *file_ref,
                   json_t **ret) WUR;

/* Returns 0 when file_id is visible to a, else ERR_NOTFOUND. */
int rec_file_visible(struct store_conn *c, const struct rec_actor *a, int64_t file_id) WUR;

/* ---- Extraction and search (extract.c, search.c) ----------------------- */

/* Starts the extraction worker thread(s) of the server; it resumes queued
 * and interrupted jobs from the jobs table. */
int rec_extract_start(struct store *s, int threads) WUR;

/* Stops the workers after their current job. */
void rec_extract_stop(void);

/* Runs queued jobs in the calling process until none is left (import, tests),
 * with up to threads workers. */
int rec_extract_drain(struct store *s, int threads) WUR;

/* A search. */
struct rec_search_query {
    const char *q;         /* user's query text */
    int unit_nr;           /* filter: office, 0 = any */
    const char *plan_code; /* filter: node and its children */
    int year;              /* filter: file year */
    const char *status;    /* filter: file status */
    const char *direction; /* filter: document direction */
    int page;              /* 1-based */
    int per_page;          /* ≤ REC_PAGE_MAX */
};

/* Searches what a may see: {total, page, per_page, items:[{document_id,
 * version_id, case_reference, file_reference, title, snippet, score}]} where
 * snippet is HTML-escaped text with <mark> around hits. */
int rec_search(struct store *s, const struct rec_actor *a, const struct rec_search_query *q,
               json_t **ret) WUR;

/* Fills demo content (files, cases, documents) for `init --demo`. */
int rec_demo_seed(struct store *s) WUR;

#endif
