/* The workflow engine: runs deployed BPMN models (see deploy.h) as instances
 * that each belong to a Vorgang. Tokens, variables (the case data, a JSON
 * object), tasks and timers live in the store, so an instance survives a
 * crash and continues where its last commit left it.
 *
 * Every external event (start, claim, unclaim, complete, a timer firing) is
 * one write transaction: the tokens are moved until each waits at a user
 * task, a timer, a join or has ended, and every transition appends its
 * journal entry (wf.instance.start, wf.task.create, wf.task.claim,
 * wf.task.unclaim, wf.task.complete, wf.task.cancel, wf.gateway, wf.timer.fire,
 * wf.notify, wf.resubmission, wf.action, wf.instance.end) in that transaction.
 *
 * Built-in actions that write to the E-Akte (close_case, render_notice,
 * file_document) call its functions inside the event's transaction: a write
 * on a thread that holds an open write transaction joins it as a savepoint
 * (store.h), so the case is closed or the document filed in the same commit
 * as the step and its journal entries, or not at all. wf_resume finishes
 * tokens that an earlier version left waiting in state "action" (closing
 * an already closed case counts as done).
 *
 * Semantics kept simple on purpose: a parallel join waits for as many tokens
 * as it has incoming flows (not per flow); an exclusive gateway takes the
 * first flow in document order whose condition holds, else its default flow;
 * if neither, the token stops in state "stuck" (journal wf.gateway.stuck). */
#ifndef RATHAUS_WORKFLOW_ENGINE_H
#define RATHAUS_WORKFLOW_ENGINE_H

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "store/store.h"

#define WF_MAX_VARS_BYTES ((size_t)256 * 1024) /* bytes of an instance's variables as JSON */
#define WF_MAX_STEPS 10000                     /* token moves per event (a loop without wait) */
#define WF_ACTOR "workflow"                    /* journal actor of the engine's own steps */

/* Starts the model deployed for service_key on the open case case_ref, with
 * vars (a JSON object, borrowed, may be NULL) as its case data, and runs it
 * to its first wait states. actor is journaled for wf.instance.start.
 * *ret_id (may be NULL) gets the instance id. ERR_NOTFOUND: no deployment or
 * no such case; ERR_EXISTS: the case is closed; ERR_INVALID: vars is not an
 * object; ERR_TOOBIG: vars above WF_MAX_VARS_BYTES or more than WF_MAX_STEPS
 * moves (the instance is not started then). */
int wf_start(struct store *s, const char *actor, const char *service_key, const char *case_ref,
             const json_t *vars, int64_t *ret_id) WUR;

struct rec_actor;

/* Who may work on a task (claim, unclaim, complete), checked here and not
 * only by the pages: the system actor; a user of the task's office; a user
 * holding the task's role (a role name of web.h such as "Sachbearbeitung"
 * or "Leitung"); and an Admin, who may take over any task so that work does
 * not stall when an office is vacant (journaled under the admin's login).
 * Everyone else gets ERR_DENIED. */

/* Claims an open task for a->login. ERR_NOTFOUND: no such task; ERR_EXISTS:
 * the task is done, cancelled or claimed by someone else; ERR_DENIED: a may
 * not work on it. Claiming one's own task again is a no-op. */
int wf_task_claim(struct store *s, const struct rec_actor *a, int64_t task_id) WUR;

/* Gives a claimed task back to its office's inbox: its assignee, or an
 * Admin. ERR_NOTFOUND: no such task; ERR_DENIED: not claimed, or not by a
 * (and a no Admin); ERR_EXISTS: not open. */
int wf_task_unclaim(struct store *s, const struct rec_actor *a, int64_t task_id) WUR;

/* Completes an open task as a->login: the fields of the task's form (see
 * taskform.h) are checked and typed, the other keys of form (a JSON object,
 * borrowed, may be NULL) taken as given, all merged into the case data, and
 * the token moves on. ERR_EXISTS when the task is no longer open (completed
 * twice: the second call changes nothing); ERR_DENIED when someone else
 * claimed it or a may not work on it; ERR_NOTFOUND; ERR_INVALID when form is not an object or a
 * form value is wrong: then *ret_errors (may be NULL) gets a new object {field id: German message}
 * and nothing is changed; ERR_TOOBIG. */
int wf_task_complete(struct store *s, const struct rec_actor *a, int64_t task_id,
                     const json_t *form, json_t **ret_errors) WUR;

/* Fires every pending timer due at or before now (Unix seconds), oldest
 * first, each in its own transaction; timers due while the server was down
 * fire on the next call. Intermediate timers move their token on; boundary
 * timers start their path and, when interrupting, cancel the activity with
 * its tasks, timers and inner tokens. *ret_fired (may be NULL) gets the
 * count. */
int wf_timers_fire(struct store *s, int64_t now, int *ret_fired) WUR;

/* Finishes close_case actions that an earlier version left in state
 * "action" when it crashed (call at start-up).
 * *ret_done (may be NULL) gets the number of tokens moved on. */
int wf_resume(struct store *s, int *ret_done) WUR;

/* Returns an instance as a new object: {id, case, service, model, state,
 * vars, tokens:[{id, parent, node, state}], tasks:[{id, node, name, unit,
 * role, assignee, due, state, completed_by}], timers:[{id, node, due,
 * boundary, interrupting, state}]}. ERR_NOTFOUND. */
int wf_instance_get(struct store *s, int64_t id, json_t **ret) WUR;

/* Starts the server's workflow thread on s (borrowed until wf_loop_stop):
 * it calls wf_resume once, then wf_timers_fire with the current time every
 * few seconds; failures are logged and retried on the next round.
 * ERR_EXISTS: already running; ERR_NOMEM: no thread. */
int wf_loop_start(struct store *s) WUR;

/* Wakes and joins the workflow thread (waits for a running round to end).
 * A no-op when none runs. Call before closing the store. */
void wf_loop_stop(void);

struct http_router;

/* Registers the staff pages (/aufgaben, /wiedervorlagen, /admin/prozesse) and the event log
 * API (/api/v1/processes/:id/events) with router. ERR_NOMEM. */
int wf_register(struct http_router *router) WUR;

#endif
