/* The online services portal (solution block LBS-002): the service catalogue
 * read from the embedded data/services/ (one JSON file per service), the public pages /leistungen,
 * the step-by-step application forms with drafts that can be resumed, the
 * submission that lands as a Vorgang in the responsible office's Akte and
 * starts the service's workflow, and the applicant's status page. Other
 * domains use the portal only through this header. */
#ifndef RATHAUS_PORTAL_PORTAL_H
#define RATHAUS_PORTAL_PORTAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"
#include "http/http.h"
#include "store/store.h"
#include "view/embed.h"

/* Named limits. */
#define PORTAL_MAX_SERVICES 200                /* services in the catalogue */
#define PORTAL_MAX_DEF_BYTES ((size_t)4 << 20) /* bytes of one service definition */
#define PORTAL_DRAFT_DAYS 30                   /* a draft (and its resume link) lives this long */
#define PORTAL_MAX_UPLOAD ((size_t)20 << 20)   /* bytes of one uploaded file at most */
#define PORTAL_MAX_DATA_BYTES ((size_t)256 << 10) /* bytes of one application's data as JSON */
/* Submissions per client address and hour; $RATHAUS_PORTAL_RATE overrides. */
#define PORTAL_RATE_DEFAULT 30

/* The catalogue: every service definition, parsed once; read-only after load
 * and shared by all request threads. */
struct portal_catalog;

/* Schema migrations of the portal (ids 300–399). */
extern const struct store_migration portal_migrations[];
extern const size_t portal_migrations_count;

/* Loads every data/services/<slug>.json of the embedded table files[0..n)
 * (e.g. rathaus_data), checks the catalogue keys and parses each form with
 * the form engine. ERR_INVALID with a German reason naming the file in why
 * (may be NULL); ERR_NOMEM. The caller owns *ret (portal_catalog_free). */
int portal_catalog_load(const struct embed_file *files, size_t n, struct portal_catalog **ret,
                        struct str *why) WUR;

/* Frees a catalogue. Accepts NULL. */
void portal_catalog_free(struct portal_catalog *cat);

/* Number of services of the catalogue. */
size_t portal_catalog_count(const struct portal_catalog *cat);

/* The catalogue as a new JSON array of {slug, name, leika, topic, office,
 * plan_code, file_per, fee, processing_days, ozg_level, process}, ordered by
 * name. ERR_NOMEM. */
int portal_catalog_json(const struct portal_catalog *cat, json_t **ret) WUR;

/* Mirrors the catalogue into the services table (inside its own write
 * transaction, journaled as service.sync when something changed): rows of
 * services no longer in the catalogue are marked offline. Then deploys each
 * service's BPMN (data/bpmn/<process>) through the workflow when it is not
 * deployed yet or its bytes changed, but never over a model that someone
 * other than "system" deployed (the city's own). *ret_deployed (may be NULL) gets the
 * number of models deployed. ERR_INVALID with the file and reason in why
 * when a model cannot be deployed. */
int portal_catalog_sync(struct store *s, const struct portal_catalog *cat,
                        const struct embed_file *files, size_t n, int *ret_deployed,
                        struct str *why) WUR;

/* Counts the services that are online at OZG maturity level min_level or
 * higher, from the services table (for the KPI cockpit). ERR_DB. */
int portal_services_online(struct store *s, int min_level, int *ret_count) WUR;

/* Makes cat the catalogue of the portal's pages (borrowed: it must outlive
 * the server) and adds the portal's routes (/leistungen, /antrag, /status)
 * to r. ERR_NOMEM. */
int portal_register(struct http_router *r, const struct portal_catalog *cat) WUR;

#endif
