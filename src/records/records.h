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

/* Files counted at most by rec_file_list. */
#define REC_FILE_MAX_COUNT 10000

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

/* Lists visible files, newest first: {total, total_capped, page, per_page,
 * items:[{reference, title, plan_code, plan_title, office, status, year,
 * created_at, closed_at, cases}]}. Counting stops past REC_FILE_MAX_COUNT:
 * then total is REC_FILE_MAX_COUNT and total_capped true (like the search).
 * ERR_INVALID for an unknown status. */
int rec_file_list(struct store *s, const struct rec_actor *a, const struct rec_file_query *q,
                  json_t **ret) WUR;

/* One visible file with its cases, shares and dates:
 * {id, reference, title, parties, plan_code, plan_title, office, office_name,
 *  status, year, created_at, created_by, closed_at, retention_until,
 *  retention_years, hold, hold_reason, shares:[nr], archive_decision,
 *  cases:[{reference, n, title, status, created_at, closed_at, documents}]} */
int rec_file_get(struct store *s, const struct rec_actor *a, const char *ref, json_t **ret) WUR;

/* Shares a visible file with another office: Leitung of the owning office,
 * Registratur or Admin. ERR_INVALID for an unknown office or the owner
 * itself; sharing twice is no error (and journaled once). */
int rec_file_share(struct store *s, const struct rec_actor *a, const char *ref, int unit_nr) WUR;

/* Closes a file (zdA) and all its open cases; sets retention_until to the end
 * of the closing year plus the node's retention period. */
int rec_file_close(struct store *s, const struct rec_actor *a, const char *ref) WUR;

/* Sets or lifts a legal hold (Sperre): Leitung of the owning office, or
 * Registratur/Admin for every office. reason is required when on
 * (ERR_INVALID). ERR_EXISTS for a disposed file. */
int rec_file_hold(struct store *s, const struct rec_actor *a, const char *ref, bool on,
                  const char *reason) WUR;

/* Lists closed or offered files whose retention has ended (as of today in
 * Germany), oldest first, at most 1000: JSON array of {reference, title,
 * plan_code, archive_decision, office, retention_until, hold, status,
 * closed_at}. Registratur/Admin see every office, others what they see. */
int rec_disposal_due(struct store *s, const struct rec_actor *a, json_t **ret) WUR;

/* Disposes a due file (Registratur/Admin, for every office): destroy=true
 * removes all contents (versions lose their blob and file name, unreferenced
 * blob files are deleted after the commit, text and index rows go, parties
 * are emptied) and leaves a tombstone; destroy=false marks it offered to the
 * archive (also with a tombstone row). Files of nodes with decision A or B
 * must be offered before they may be destroyed. ERR_EXISTS when a hold is
 * set, retention has not ended, the file is open or already disposed, or
 * an A/B file is to be destroyed unoffered; ERR_DENIED for other roles. */
int rec_dispose(struct store *s, const struct rec_actor *a, const char *ref, bool destroy) WUR;

/* Computes the end of retention for a file closed at closed_at (UTC seconds)
 * with a period of years: 31 December of (closing year + years), as ISO date.
 * The closing year is the calendar year in Germany (Europe/Berlin). */
void rec_retention_until(int64_t closed_at, int years, char out[11]);

/* Creates a case in a visible open file; reference "<Aktenzeichen>/<n>". */
int rec_case_create(struct store *s, const struct rec_actor *a, const char *file_ref,
                    const char *title, const char *service_key, char ret_ref[REC_REF_MAX],
                    int64_t *ret_id) WUR;

/* One visible case with its documents and their versions:
 * {id, reference, n, file_reference, file_status, office, title, status,
 *  service_key, created_at, created_by, closed_at, documents:[{id, title,
 *  direction, dated, party, created_at, created_by, versions:[{id, n,
 *  filename, mime, size, created_at, created_by, available}]}]}
 * (available is false once the content was disposed). */
int rec_case_get(struct store *s, const struct rec_actor *a, const char *ref, json_t **ret) WUR;

/* Closes a case (zdA) of the own office; ERR_EXISTS when already closed. */
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

struct blob_batch; /* store/blob.h */

/* Content of a new version: a file on disk (path) or bytes in memory. */
struct rec_content {
    const char *path;         /* file to store, or NULL */
    const void *data;         /* bytes when path is NULL */
    size_t len;               /* bytes at data */
    const char *filename;     /* the client's name, shown and used for download */
    const char *capture;      /* TR-RESISCAN capture metadata as JSON object text, or NULL */
    struct blob_batch *batch; /* or NULL; see rec_version_add */
};

/* Adds an immutable version to a visible document. The type comes from the
 * bytes (libmagic); executables and scripts are refused with ERR_MEDIATYPE.
 * Queues a text extraction job in the same transaction. *ret_mime (may be
 * NULL) points to static memory. With content->batch (a file only), the
 * content waits in that blob batch (store/blob.h): the caller runs this inside
 * its own write transaction and commits only after blob_batch_sync(). */
int rec_version_add(struct store *s, const struct rec_actor *a, int64_t doc_id,
                    const struct rec_content *content, int64_t *ret_version_id,
                    const char **ret_mime) WUR;

/* Decides the type of content from its bytes (libmagic) without storing
 * anything, so a form can refuse a file before it creates the document.
 * ERR_MEDIATYPE outside the accepted types (executables, scripts, …),
 * ERR_INVALID for empty content, ERR_IO when the file cannot be read;
 * *ret points to static memory. */
int rec_content_type(const struct rec_content *content, const char **ret) WUR;

/* A version opened for reading. */
struct rec_version_file {
    char path[4200];    /* blob file */
    char mime[100];     /* stored type */
    char filename[300]; /* download name */
    int64_t size;       /* bytes */
};

/* Looks up a visible version for viewing or download and journals the read
 * (doc.read with user and time, details.mode "view" or "download") in a
 * write transaction that is committed before this returns. ERR_NOTFOUND when
 * the version is unknown, not visible or its content was disposed. */
int rec_version_open(struct store *s, const struct rec_actor *a, int64_t version_id, bool download,
                     struct rec_version_file *ret) WUR;

/* The metadata of a visible version (no journal entry: no content is read):
 * {id, document_id, document_title, n, filename, mime, size, sha256 (null
 * when disposed), available, created_at, created_by, capture, case_reference,
 * file_reference, file_status, has_text}. ERR_NOTFOUND as rec_version_open. */
int rec_version_get(struct store *s, const struct rec_actor *a, int64_t version_id,
                    json_t **ret) WUR;

/* The access log of a file, newest first (at most 1000 entries): a JSON
 * array of {seq, at, actor, action, object, details} of every journal entry
 * about the file, its cases, documents and versions (doc.read among them).
 * Leitung of an office that sees the file, Admin for every file; others get
 * ERR_DENIED (visible) or ERR_NOTFOUND.
 *
 * Journal scheme of the E-Akte: objects are "file:<id>", "case:<id>",
 * "doc:<id>" and "version:<id>"; details always hold "file": <file id> and,
 * where they apply, "case", "doc" and "version" ids. Actions: file.create,
 * file.share, file.close, file.hold, file.release, file.offer, file.destroy,
 * case.create, case.close, doc.create, doc.version, doc.read; the plan
 * journals plan.seed, plan.save (object "plan:<code>") and plan.import. */
int rec_access_log(struct store *s, const struct rec_actor *a, const char *file_ref,
                   json_t **ret) WUR;

/* Returns 0 when file_id is visible to a, else ERR_NOTFOUND. */
int rec_file_visible(struct store_conn *c, const struct rec_actor *a, int64_t file_id) WUR;

/* ---- Extraction and search (extract.c, search.c) ----------------------- */

/* Schema migration of the search index (id 101, search_schema.c). */
extern const struct store_migration records_search_migrations[];
extern const size_t records_search_migrations_count;

/* Named limits of text extraction. */
#define REC_EXTRACT_MAX_TEXT ((size_t)5 << 20)             /* bytes of text kept per version */
#define REC_EXTRACT_MAX_INPUT ((size_t)10 << 20)           /* bytes of a text file read */
#define REC_EXTRACT_MAX_PAGES 2000                         /* PDF pages or TIFF frames read */
#define REC_EXTRACT_MAX_OCR_PAGES 300                      /* pages recognized per version */
#define REC_EXTRACT_MAX_PIXELS ((int64_t)80 * 1000 * 1000) /* pixels of one image or page */
#define REC_EXTRACT_DPI 300        /* resolution of PDF pages rendered for OCR */
#define REC_EXTRACT_ATTEMPTS 3     /* tries before a job is 'failed' */
#define REC_EXTRACT_MAX_THREADS 16 /* workers of rec_extract_start/drain */

/* Starts the extraction worker thread(s) of the server; it resumes queued
 * and interrupted jobs from the jobs table ('running' jobs of a crash are
 * queued again; after REC_EXTRACT_ATTEMPTS tries they are 'failed'). threads
 * <= 0 picks half the processors, at least one. ERR_EXISTS when already
 * started. */
int rec_extract_start(struct store *s, int threads) WUR;

/* Stops the workers: a running extraction is cancelled at the next page and
 * its job queued again for the next start. Accepts being called when not
 * started. */
void rec_extract_stop(void);

/* Runs queued jobs in the calling process until none is left (import, tests),
 * with up to threads workers. Jobs another process runs are left alone
 * unless they have not moved for an hour (then they count as crashed). */
int rec_extract_drain(struct store *s, int threads) WUR;

/* What an extraction found, besides the text. */
struct rec_extract_stats {
    int pages;      /* pages (PDF, TIFF) or 1 */
    int ocr_pages;  /* pages or images recognized by OCR */
    bool truncated; /* the text was cut at REC_EXTRACT_MAX_TEXT */
    bool skipped;   /* the type has no extractor; no text */
    int64_t ms;     /* time taken */
};

/* One extractor: OCR engine, content sniffer and buffers of one thread.
 * Not thread-safe; make one per thread. The OCR engine is loaded at first
 * use and can be dropped with rec_extractor_idle() to give memory back. */
struct rec_extractor;

/* Creates an extractor (cheap: nothing is loaded yet). */
int rec_extractor_new(struct rec_extractor **ret) WUR;

/* Frees an extractor and its OCR engine. Accepts NULL. */
void rec_extractor_free(struct rec_extractor *x);

/* Unloads the OCR engine (about 30 MB) until the next image. */
void rec_extractor_idle(struct rec_extractor *x);

/* Determines the content type of a file from its bytes (libmagic), like the
 * upload does, into mime ("application/pdf"). ERR_IO when unreadable. */
int rec_extract_sniff(struct rec_extractor *x, const char *path, char mime[100]) WUR;

/* True when text can be extracted from content of type mime: PDF, PNG,
 * JPEG, TIFF, plain text and CSV. */
bool rec_extract_supported(const char *mime);

/* Extracts the text of the file at path of type mime into text (cleaned
 * UTF-8, at most REC_EXTRACT_MAX_TEXT bytes): a PDF's text layer, OCR
 * (German) for PDF pages without one and for images, plain text as is
 * (Latin-1/Windows-1252 and UTF-16 are converted). An unsupported type
 * gives no text and stats->skipped. ERR_INVALID with a German reason in why
 * (may be NULL) for a damaged or unreadable file, ERR_TOOBIG for an image
 * past REC_EXTRACT_MAX_PIXELS, ERR_BUSY when cancelled by
 * rec_extract_stop(). */
int rec_extract_file(struct rec_extractor *x, const char *path, const char *mime, struct str *text,
                     struct rec_extract_stats *stats, struct str *why) WUR;

/* Stores the extracted text of a version, updates the search index of its
 * document, marks the version's extraction job done and journals
 * doc.extract, in one write transaction. A disposed version (no blob) gets
 * no text. For the import, which extracts before it stores. */
int rec_extract_save(struct store *s, int64_t version_id, const char *text, size_t len,
                     const struct rec_extract_stats *stats) WUR;

/* Looks for a document of case case_ref that already holds content with
 * hash sha (hex SHA-256) under file name filename or document title title:
 * the test of `rathaus import` for files imported before. Sets *ret_doc_id
 * and returns 0 when found, ERR_NOTFOUND when not. */
int rec_import_known(struct store *s, const char *case_ref, const char *sha, const char *filename,
                     const char *title, int64_t *ret_doc_id) WUR;

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

/* Searches what a may see: {total, total_capped, page, per_page,
 * items:[{document_id, version_id, case_reference, file_reference, title,
 * direction, dated, file_title, office, snippet, score}]} where snippet is
 * HTML-escaped text with <mark> around hits, version_id the newest version
 * with content (null for a document without one) and score higher for
 * better hits. Counting stops at 10000: then total is 10000 and total_capped
 * true ("mehr als 10.000 Treffer"). All words must match (AND); "…" is a
 * phrase, a trailing * a prefix, a leading - excludes; nothing the user types
 * reaches FTS5 as syntax. ERR_INVALID for an unknown filter value or a
 * prefix shorter than REC_SEARCH_PREFIX_MIN letters (rec_search_short_prefix
 * tells which), ERR_TOOBIG for a query over 1000 bytes. */
int rec_search(struct store *s, const struct rec_actor *a, const struct rec_search_query *q,
               json_t **ret) WUR;

/* The fewest letters of a prefix ("Bau*"): a shorter one would match the
 * words of a good part of the language, whose posting lists FTS5 would have
 * to merge for every query. */
#define REC_SEARCH_PREFIX_MIN 3
/* What the user is told about a shorter prefix. */
#define REC_SEARCH_MSG_SHORT_PREFIX                                                                \
    "Eine Suche nach Wortanfängen braucht mindestens 3 Buchstaben vor dem *, zum Beispiel "       \
    "„Bau*“."

/* True when the query text q holds a prefix term ("ab*") with fewer than
 * REC_SEARCH_PREFIX_MIN letters, which rec_search refuses with ERR_INVALID. */
bool rec_search_short_prefix(const char *q);

/* Checks the search index: FTS5's own integrity check (the index agrees
 * with the text it stores), every document of a file that is not disposed
 * has its row, and no other rows exist. Returns 0 with the number of rows in
 * *ret_rows (may be NULL), or ERR_CORRUPT with a German description in msg.
 * For `rathaus verify` and tests. */
int rec_search_verify(struct store *s, int64_t *ret_rows, struct str *msg) WUR;

/* Counts the documents in the E-Akte (every document of every file, open,
 * closed or disposed: each was handled digitally) into *ret_count, for the
 * strategy's digital-share KPI. */
int rec_doc_count(struct store *s, int64_t *ret_count) WUR;

/* Fills demo content (files, cases, documents) for `init --demo`. */
int rec_demo_seed(struct store *s) WUR;

#endif
