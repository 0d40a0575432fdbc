/* Private to src/records/: the route tables of its files (joined by
 * records_register in routes.c), the hooks between the files of the E-Akte
 * and the helpers they share (loading a file, case or document together with
 * the permission check, text checks, dates). Other modules use records.h.
 *
 * Journal scheme of the E-Akte: every entry about a file or anything in it
 * has an object "file:<id>", "case:<id>", "doc:<id>" or "version:<id>" and
 * details with "file":<file id> (plus "case", "doc", "version" where they
 * apply). rec_access_log selects a file's entries by those objects. */
#ifndef RATHAUS_RECORDS_RECORDS_INT_H
#define RATHAUS_RECORDS_RECORDS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "records.h"

/* ---- Route tables of the files of src/records/ ------------------------- */

/* The JSON API under /api/v1 (api.c). */
extern const struct http_route rec_api_routes[];
extern const size_t rec_api_routes_count;

/* The staff HTML pages (pages.c). */
extern const struct http_route rec_page_routes[];
extern const size_t rec_page_routes_count;

/* GET /api/v1/search and the search page (search.c). */
extern const struct http_route rec_search_routes[];
extern const size_t rec_search_routes_count;

/* ---- Hooks between the files ------------------------------------------- */

/* rec_dispose with a German reason in why (may be NULL) when it refuses:
 * ERR_EXISTS for an open, already disposed or offered file, a running
 * retention period, a hold, or an A/B file that was not offered yet. */
int rec__dispose(struct store *s, const struct rec_actor *a, const char *ref, bool destroy,
                 struct str *why) WUR;

/* Removes the search index rows of every version of file file_id (search.c),
 * inside the caller's write transaction; called by rec_dispose after it has
 * deleted the file's doc_text rows. An extraction job that finishes after a
 * disposal must not write text for a version whose blob_sha256 is NULL. */
int rec_index_forget_file(struct store_conn *c, int64_t file_id) WUR;

/* Rewrites the search index row of document doc_id (search.c) from its
 * current title, references, names and the text of its newest extracted
 * version, inside the caller's write transaction (extract.c after storing
 * text). */
int rec__index_document(struct store_conn *c, int64_t doc_id) WUR;

/* ---- Helpers shared by the files (common.c, access.c) ------------------ */

/* What the caller wants to do with a file. */
enum rec__need {
    REC__SEE,   /* read: the file's office, offices it is shared with, the system */
    REC__WRITE, /* change contents: the file's own office or the system */
    REC__ANY,   /* no check here: the caller checks roles itself (hold, disposal) */
};

/* A file row as the write paths need it. */
struct rec__file {
    int64_t id;                    /* files.id */
    char reference[REC_REF_MAX];   /* Aktenzeichen */
    char title[REC_MAX_TITLE + 1]; /* title */
    int unit_nr;                   /* owning office */
    char status[12];               /* open, closed, offered, disposed */
    bool hold;                     /* legal hold set */
    char retention_until[11];      /* ISO date or "" while open */
    int year;                      /* file year */
    char plan_code[REC_MAX_CODE];  /* code of its plan node */
    int retention_years;           /* the node's retention period */
    char archive_decision;         /* the node's archive decision: A, B or V */
};

/* A case row. */
struct rec__case {
    int64_t id;                  /* cases.id */
    int64_t file_id;             /* files.id */
    int n;                       /* number in the file */
    char reference[REC_REF_MAX]; /* "<Aktenzeichen>/<n>" */
    char status[12];             /* open, closed */
};

/* Loads the file with reference ref (or, when ref is NULL, with id) and
 * checks need for a: ERR_NOTFOUND when it does not exist or a may not see it,
 * ERR_DENIED when a sees it but may not write. */
int rec__file_load(struct store_conn *c, const struct rec_actor *a, const char *ref, int64_t id,
                   enum rec__need need, struct rec__file *ret) WUR;

/* Loads the case with reference ref (or id when ref is NULL) and its file,
 * with the checks of rec__file_load. */
int rec__case_load(struct store_conn *c, const struct rec_actor *a, const char *ref, int64_t id,
                   enum rec__need need, struct rec__case *ret_case, struct rec__file *ret_file) WUR;

/* True for the system and for Registratur/Admin: the records managers, who
 * keep the plan and decide holds and disposal for every office. */
bool rec__is_manager(const struct rec_actor *a);

/* Flags of rec__check_text. */
#define REC__TEXT_REQUIRED 1u  /* must not be empty or blank */
#define REC__TEXT_MULTILINE 2u /* line breaks (LF, CR LF) are allowed */

/* Checks a user-supplied text (NULL counts as ""): valid UTF-8, no control
 * characters, at most max bytes. Returns 0 or ERR_INVALID with a German
 * sentence naming label ("Der Titel") in why (may be NULL). */
int rec__check_text(const char *z, size_t max, unsigned flags, const char *label,
                    struct str *why) WUR;

/* Checks a plan code: 1–4 digits per part, up to 5 parts, separated by dots. */
bool rec__code_valid(const char *code);

/* The calendar year of t in Germany (Europe/Berlin). */
int rec__local_year(int64_t t);

/* Today's date in Germany as "YYYY-MM-DD" (11 bytes). */
void rec__local_today(char out[11]);

/* The current time as ISO 8601 UTC (at least 21 bytes). */
void rec__now_iso(char out[32]);

/* Appends a journal entry about an object of file file_id: details gets
 * "file": file_id added. details is stolen (like jansson's *_new calls), so
 * a caller passes json_pack's result directly; NULL, a failed json_pack,
 * gives ERR_NOMEM. object is "<kind>:<id>" and is formatted here. */
int rec__journal(struct store_conn *c, const struct rec_actor *a, const char *action,
                 const char *kind, int64_t id, int64_t file_id, json_t *details) WUR;

#endif
