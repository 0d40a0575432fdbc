/* The process library (Prozessregister, solution block LBS-004): every
 * administrative process with its office, LeiKa key, linked service, owner
 * role, status, legal basis, description, checklist and knowledge notes
 * (responsibilities, deputies, pitfalls), attachments, and versioned BPMN
 * models that can be viewed and edited in the browser (bpmn-js, served by
 * rathaus) and deployed as the executable workflow of their service through
 * the workflow engine's validation. Knowledge stays when staff retire. */
#ifndef RATHAUS_PROCESSES_PROCESSES_H
#define RATHAUS_PROCESSES_PROCESSES_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"
#include "http/http.h"
#include "records/records.h"
#include "store/store.h"

#define PROC_MAX_KEY 64                        /* bytes of a process key ([a-z0-9-]) */
#define PROC_MAX_NAME 200                      /* bytes of a name */
#define PROC_MAX_TEXT ((size_t)64 << 10)       /* bytes of a description, checklist or note */
#define PROC_MAX_MODEL ((size_t)5 << 20)       /* bytes of a BPMN file */
#define PROC_MAX_ATTACHMENT ((size_t)20 << 20) /* bytes of an attachment */

/* Schema migrations of the process library (ids 450–459). */
extern const struct store_migration proc_migrations[];
extern const size_t proc_migrations_count;

/* Adds the library's pages (/prozesse…) to r. */
int proc_register(struct http_router *r) WUR;

/* The statuses of a process, in order of maturity. */
extern const char *const proc_statuses[4]; /* erfasst, modelliert, optimiert, digitalisiert */

/* A process as saved by proc_save; NULL texts count as empty. */
struct proc_entry {
    const char *key;              /* [a-z0-9-], 2–64 bytes; fixed once created */
    const char *name;             /* required */
    int unit_nr;                  /* office (must exist) */
    const char *leika;            /* 14 digits or "" */
    const char *service_key;      /* the online service it serves, or "" */
    const char *owner_role;       /* who owns it ("Leitung Amt 32") */
    const char *status;           /* one of proc_statuses */
    const char *legal_basis;      /* legal basis */
    const char *description;      /* what happens and why */
    const char *checklist;        /* one item per line */
    const char *responsibilities; /* knowledge note: who does what */
    const char *deputies;         /* knowledge note: deputies */
    const char *pitfalls;         /* knowledge note: pitfalls and tips */
};

/* True when a may change processes of office unit_nr: Admin, or Leitung of
 * that office. */
bool proc_may_edit(const struct rec_actor *a, int unit_nr);

/* Creates or updates the process e->key (journaled proc.create/proc.save).
 * ERR_INVALID with a German reason in why (may be NULL); ERR_NOTFOUND for an
 * unknown office; ERR_DENIED when a may not edit it. */
int proc_save(struct store *s, const struct rec_actor *a, const struct proc_entry *e,
              struct str *why) WUR;

/* One process: {key, name, office, office_name, leika, service_key,
 * owner_role, status, legal_basis, description, checklist:[…], responsibilities,
 * deputies, pitfalls, created_at, created_by, updated_at, updated_by,
 * models:[{version, size, comment, created_at, created_by, deployed_at,
 * deployed_by}] (newest first), attachments:[{id, filename, mime, size,
 * created_at, created_by}]}. ERR_NOTFOUND. */
int proc_get(struct store *s, const char *key, json_t **ret) WUR;

/* Lists processes, by name: q (may be NULL or "") searches names, texts and
 * notes (German full text, all words must match), status and unit_nr (0 =
 * any) filter. JSON array of {key, name, office, status, leika, service_key,
 * versions, snippet}. ERR_TOOBIG for a query over 500 bytes. */
int proc_list(struct store *s, const char *q, const char *status, int unit_nr, json_t **ret) WUR;

/* Adds a BPMN model (any BPMN 2.0 file that parses; the executable check
 * comes at deploy) as the next version; *ret_version may be NULL.
 * ERR_INVALID with the parser's message (line, column) in why; ERR_TOOBIG;
 * ERR_NOTFOUND; ERR_DENIED. */
int proc_model_add(struct store *s, const struct rec_actor *a, const char *key, const char *xml,
                   size_t len, const char *comment, int *ret_version, struct str *why) WUR;

/* Reads version (0 = newest) of the model into out. ERR_NOTFOUND. */
int proc_model_read(struct store *s, const char *key, int version, struct str *out,
                    int *ret_version) WUR;

/* Deploys a version as the executable workflow of the process' service
 * (wf_deploy with its validation); Admin only (ERR_DENIED). ERR_INVALID when
 * the process has no service or the model is outside the executable subset:
 * *ret_problems (may be NULL) gets [{id, reason}] and why a summary. */
int proc_model_deploy(struct store *s, const struct rec_actor *a, const char *key, int version,
                      json_t **ret_problems, struct str *why) WUR;

/* Attaches a file (path, or data/len when path is NULL) under filename;
 * type from the bytes (libmagic, executables refused with ERR_MEDIATYPE). */
int proc_attach(struct store *s, const struct rec_actor *a, const char *key, const char *path,
                const void *data, size_t len, const char *filename, int64_t *ret_id) WUR;

/* An attachment of process key for reading: blob path, type, name. */
int proc_attachment_open(struct store *s, const char *key, int64_t id, struct str *ret_path,
                         json_t **ret_meta) WUR;

/* Counts for the cockpit: {total, with_model, by_status:{erfasst:n, …},
 * by_office:[{office, total}]}. */
int proc_stats(struct store *s, json_t **ret) WUR;

/* Documents the processes of the shipped online services (data/services/<slug>.json
 * with data/bpmn/services/<slug>.bpmn) and the co-signature pattern, for
 * `init --demo`. Existing keys are left alone. */
int proc_demo_seed(struct store *s) WUR;

#endif
