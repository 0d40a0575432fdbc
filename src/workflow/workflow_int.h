/* Helpers shared by the files of the workflow engine (deploy.c, engine.c):
 * reading rathaus' vendor attributes from the XML behind a parsed model, the
 * office or role of a user task, and the flows around a node. */
#ifndef RATHAUS_WORKFLOW_WORKFLOW_INT_H
#define RATHAUS_WORKFLOW_WORKFLOW_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/str.h"
#include "http/http.h"
#include "store/store.h"
#include "workflow/deploy.h"
#include "view/embed.h"
#include "workflow/bpmn.h"

/* Where a user task lands: an office, a role, or both. */
struct wf__assign {
    int unit_nr;      /* office number, 0 when none */
    const char *role; /* role name, "" when none; owned by the model */
};

/* Returns the value of the attribute rathaus:<name> of the model element with
 * the given id, or NULL when the element or attribute is missing. Memory
 * belongs to the model's XML document. */
const char *wf__attr(const struct bpmn_model *m, const char *id, const char *name);

/* Returns the scope a node lives in: its subprocess' inner scope, or the
 * process scope. */
const struct bpmn_scope *wf__scope_of(const struct bpmn_process *p, const struct bpmn_node *n);

/* Counts the flows of scope sc whose target (incoming=true) or source is id. */
size_t wf__count_flows(const struct bpmn_scope *sc, const char *id, bool incoming);

/* Finds the office or role of user task n: its own rathaus:unit/role, else
 * the innermost lane holding it. Returns false when there is neither. */
bool wf__assign_of(const struct bpmn_model *m, const struct bpmn_process *p,
                   const struct bpmn_node *n, struct wf__assign *ret);

/* Returns the timer definition of an event node, or NULL. */
const struct bpmn_event_def *wf__timer_of(const struct bpmn_node *n);

/* Computes when a timer definition is due, counted from now. ERR_INVALID when
 * it is not a timeDuration or timeDate rathaus understands. */
int wf__timer_due(const struct bpmn_event_def *d, int64_t now, int64_t *ret);

/* The journal actor of reads the workflow makes on its own behalf. */
#define WF_ACTOR_MESSAGES "workflow"

/* Inserts a message for the applicant of case case_id (reference case_ref)
 * with its journal entry wf.message, inside the caller's write transaction
 * on c. Errors as wf_message_add (messages.h). */
int wf__message_insert(struct store_conn *c, const char *actor, int64_t case_id,
                       const char *case_ref, const char *kind, const char *text);

/* Finds the embedded notice template data/notices/<name>.txt; NULL when the
 * name is not [a-z0-9_-]+ or there is no such file. */
const struct embed_file *wf__notice_template(const char *name);

/* Appends n bytes of template text p to out with "{{var}}" replaced by the
 * case variable var of vars (missing: nothing; numbers German, booleans
 * ja/nein), "{{case}}" by case_ref and "{{date}}" by the date of now in
 * German style. With drop_empty, a line with variables that are all missing
 * or empty is left out. ERR_TOOBIG at out's cap, ERR_NOMEM. */
int wf__subst(const char *p, size_t n, const json_t *vars, const char *case_ref, int64_t now,
              bool drop_empty, struct str *out);

/* Lays out a substituted notice text ("# " heading, "## " subheading, "- "
 * list item, blank lines between paragraphs) as a PDF with title and
 * letterhead, appended to out. Errors of view/pdf.h. */
int wf__notice_pdf(const char *text, const char *title, const char *letterhead, int64_t now,
                   struct str *out);

/* Parsed models kept by cache.c (least recently used out first). */
#define WF_MODEL_CACHE 32
#define WF_MAX_ID_INT (WF_MAX_ID + 1) /* a process id with its NUL */

/* A parsed, deployed model as the cache hands it out: read-only, shared by
 * threads, held until wf__model_put. */
struct wf__model {
    struct bpmn_model *m;         /* the parsed file */
    const struct bpmn_process *p; /* the process the deployment runs */
};

/* Takes the parsed model of process_models row model_id from the cache,
 * parsing it on a miss. c (may be NULL: one is taken from s) reads the row.
 * Give it back with wf__model_put. ERR_NOTFOUND for an unknown id,
 * ERR_CORRUPT when the stored file no longer parses. Thread-safe. */
int wf__model_get(struct store *s, struct store_conn *c, int64_t model_id,
                  const struct wf__model **ret);

/* Gives back a model of wf__model_get; accepts NULL. */
void wf__model_put(const struct wf__model *m);

/* Counts of the cache since start: gets served from it, gets that parsed,
 * and the entries held now. */
void wf__model_cache_stats(uint64_t *ret_hits, uint64_t *ret_misses, size_t *ret_entries);

/* Empties the cache (entries in use are freed by their last put). */
void wf__model_cache_clear(void);

/* Writes events (the JSON form of the event log: {time, instance, case,
 * event, activity, branch, actor}) of process as an XES log into out: a
 * trace per instance, events with an activity only. ERR_NOMEM, ERR_TOOBIG. */
int wf__xes(const char *process, const json_t *events, struct str *out);

/* The diagram of model m as data for the SVG of the task page (diagram.c):
 * {links, oben, breite, hoehe, kanten [punkte], formen [...]} with pools and
 * lanes first, then activities, gateways and events; current (may be NULL)
 * is the node of the task shown, active (array of node ids, may be NULL)
 * the other nodes holding a live token. NULL when m has no DI. */
json_t *wf__diagram(const struct bpmn_model *m, const char *current, const json_t *active);

/* The routes of the admin page /admin/prozesse (admin.c). */
extern const struct http_route wf__admin_routes[];
extern const size_t wf__admin_routes_count;

/* Selects the process to run: the only one, or the only executable one. */
const struct bpmn_process *wf__pick_process(const struct bpmn_model *m);

#endif
