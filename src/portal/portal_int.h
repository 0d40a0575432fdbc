/* Private to src/portal/: the catalogue's entries, the route tables of the
 * portal's files and helpers they share (drafts, tokens, submission). */
#ifndef RATHAUS_PORTAL_PORTAL_INT_H
#define RATHAUS_PORTAL_PORTAL_INT_H

#include <stdint.h>

#include "portal.h"
#include "portal/form.h"
#include "records/records.h"

#define PORTAL_TOKEN_BYTES 16 /* 128-bit capability tokens */
#define PORTAL_TOKEN_LEN 23   /* base64url of 16 bytes (22 chars) + NUL */
#define PORTAL_HASH_LEN 65    /* hex SHA-256 + NUL */
#define PORTAL_BY_LEN 129     /* a deployer's login + NUL */
#define PORTAL_ACTOR "portal" /* journal actor of applicants' actions */

/* One service of the catalogue; strings point into def. */
struct portal_service {
    json_t *def;                  /* the whole definition (owned) */
    const char *slug;             /* [a-z0-9-]+ */
    const char *name;             /* display name */
    const char *leika;            /* 14 digits or "" */
    const char *topic;            /* filter topic */
    const char *description;      /* plain German */
    const char *legal_basis;      /* legal basis */
    const char *plan_code;        /* file plan node of its files */
    const char *file_per;         /* "applicant" or "service_year" */
    const char *fee;              /* fee in words */
    const char *process;          /* BPMN path under data/bpmn/ */
    int office;                   /* responsible office */
    int ozg_level;                /* 3 or 4 */
    int processing_days;          /* expected working days */
    char sha256[PORTAL_HASH_LEN]; /* of the definition file */
    struct form_def *form;        /* parsed form (owned) */
};

struct portal_catalog {
    struct portal_service *items; /* ordered by name */
    size_t n;                     /* entries */
};

/* The catalogue of the running server (set by portal_register). */
extern const struct portal_catalog *portal_cat;

/* The service called slug, or NULL. */
const struct portal_service *portal_service_find(const struct portal_catalog *cat,
                                                 const char *slug);

/* Route tables of pages.c, antrag.c and status.c. */
extern const struct http_route portal_page_routes[];
extern const size_t portal_page_routes_count;
extern const struct http_route portal_antrag_routes[];
extern const size_t portal_antrag_routes_count;
extern const struct http_route portal_status_routes[];
extern const size_t portal_status_routes_count;

/* Fresh random token (base64url, 128 bits). */
void portal_token_new(char out[PORTAL_TOKEN_LEN]);

/* Hex SHA-256 of prefix followed by z (for tokens stored hashed). */
void portal_hash(const char *prefix, const char *z, char out[PORTAL_HASH_LEN]);

/* The status token that belongs to a submission secret (draft token or the
 * client's idempotency key): derived, so a repeated request finds the same
 * receipt while only its hash is stored. */
void portal_status_token(const char *secret, char out[PORTAL_TOKEN_LEN]);

/* An attachment kept as a blob before submission. */
struct portal_file {
    const char *field;            /* HTML field name */
    const char *name;             /* client's file name */
    const char *mime;             /* type from content */
    int64_t size;                 /* bytes */
    char sha256[PORTAL_HASH_LEN]; /* of the content */
    const char *path;             /* content as a file (blob or temp upload), or NULL */
    const void *data;             /* content in memory when path is NULL */
    size_t len;                   /* bytes at data */
};

/* What a submission produced. */
struct portal_receipt {
    char case_ref[REC_REF_MAX];   /* Vorgang */
    char token[PORTAL_TOKEN_LEN]; /* status token */
    bool repeated;                /* an earlier identical request had already submitted */
};

/* Submits data (validated Antragsdaten) with the files for service svc in
 * one write transaction: Akte found or created, Vorgang, documents (data as
 * JSON and PDF, each attachment under its name), workflow start, the
 * submissions row, and the draft draft_id (0 = none) removed with its blob
 * references. secret is the draft token or idempotency key: a second call
 * with the same secret creates nothing and returns the first receipt
 * (repeated = true). */
int portal_submit(struct store *s, const struct portal_service *svc, const json_t *data,
                  const struct portal_file *files, size_t nfiles, const char *secret,
                  int64_t draft_id, struct portal_receipt *ret) WUR;

/* Applicant's display name from data (fields with autocomplete name,
 * given-name/family-name), "" when the form has none; into out. */
void portal_applicant_name(const struct portal_service *svc, const json_t *data, struct str *out);

/* The readable PDF of an application's data (form_summary) into out. */
int portal_data_pdf(const struct portal_service *svc, const json_t *data, const char *case_ref,
                    const char *city, struct str *out) WUR;

/* Rate limit of submissions per client address: ERR_THROTTLED when addr
 * has used up its submissions of the current hour (counts this one). */
int portal_rate_check(const char *addr) WUR;

#endif
