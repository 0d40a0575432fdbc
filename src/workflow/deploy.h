/* Deploying BPMN models for execution: the check against the executable
 * subset of rathaus (anything else is refused at deploy time with the element
 * ids and German reasons, never at run time) and the stored, versioned models
 * with the service each one serves.
 *
 * Vendor attributes of rathaus are in the namespace WF_NS (prefix "rathaus"):
 *   serviceTask/scriptTask  rathaus:action="close_case" | "set_resubmission" | "notify"
 *   userTask                rathaus:unit="32", rathaus:role="…", rathaus:due="P5D"
 *   serviceTask set_resubmission: rathaus:due="P14D" (the Wiedervorlage date)
 *   lane                    rathaus:unit="32" or rathaus:role="…"; without them
 *                           the lane name: "32", "Amt 32" or "Amt 32 Ordnung"
 *                           name an office, any other name is a role. */
#ifndef RATHAUS_WORKFLOW_DEPLOY_H
#define RATHAUS_WORKFLOW_DEPLOY_H

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "base/str.h"
#include "store/store.h"
#include "workflow/bpmn.h"

/* The namespace of rathaus' BPMN extension attributes. */
#define WF_NS "urn:rathaus:bpmn"

#define WF_MAX_SERVICE_KEY 64 /* bytes of a service key */
#define WF_MAX_ID 200         /* bytes of an element id of a deployed model */

/* Schema migrations of the workflow (ids 200–209). */
extern const struct store_migration wf_migrations[];
extern const size_t wf_migrations_count;

/* Checks the executable process of m (the one process, or the one marked
 * isExecutable) against the executable subset. *ret_problems is a new array
 * of {"id": element id, "reason": German text}, empty when the model can run.
 * *ret_process (may be NULL) gets the process checked, or NULL when none
 * could be chosen. ERR_NOMEM only. */
int wf_validate(const struct bpmn_model *m, json_t **ret_problems,
                const struct bpmn_process **ret_process) WUR;

/* What wf_deploy stored. */
struct wf_deployment {
    int64_t model_id;     /* process_models.id */
    int version;          /* 1, 2, … per process id */
    char process_id[256]; /* the process' id attribute */
    char sha256[65];      /* the BPMN file in the blob store */
};

/* Parses and validates len bytes of BPMN (name prefixes parse messages),
 * stores them as the next version of their process and points the service
 * service_key at it, in one transaction with a `wf.deploy` journal entry by
 * actor. ERR_INVALID: unreadable XML (message in err) or a model outside the
 * subset (*ret_problems, may be NULL, gets the list as in wf_validate and err
 * a summary); ERR_INVALID also for an empty or too long service key.
 * On success *ret is filled. */
int wf_deploy(struct store *s, const char *actor, const char *data, size_t len, const char *name,
              const char *service_key, struct wf_deployment *ret, json_t **ret_problems,
              struct str *err) WUR;

/* Lists the deployed services, by service key: a new array *ret of
 * {service, model, process, name, version, deployed_at, deployed_by}.
 * ERR_NOMEM, store errors. */
int wf_deployments(struct store *s, json_t **ret) WUR;

/* Parses an ISO 8601 duration "PnW" or "PnDTnHnMnS" (any part optional, at
 * least one) into seconds. ERR_INVALID for anything else (years and months
 * are refused: their length varies). */
int wf_duration_parse(const char *z, int64_t *ret) WUR;

#endif
