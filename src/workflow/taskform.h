/* Task forms of user tasks, defined in the model's extension elements: the
 * rathaus format (rathaus:form with rathaus:field and rathaus:option) and
 * Camunda's camunda:formData/camunda:formField, which real modelers export.
 * Both are read into one JSON description that the deploy check, the task
 * page and the engine share; submitted values are checked and typed here.
 *
 *   <bpmn:userTask id="pruefen"><bpmn:extensionElements><rathaus:form>
 *     <rathaus:field id="entscheidung" type="select" label="Entscheidung" required="true">
 *       <rathaus:option value="genehmigt" label="Genehmigen"/></rathaus:field>
 *     <rathaus:field id="begruendung" type="textarea" label="Begründung" help="…"/>
 *   </rathaus:form></bpmn:extensionElements></bpmn:userTask>
 *
 * Types: text, textarea, number, date, select, yesno. Camunda types map as
 * string → text, long → number, boolean → yesno, date → date, enum → select
 * (options from camunda:value id/name); camunda:constraint name="required"
 * makes a field required. */
#ifndef RATHAUS_WORKFLOW_TASKFORM_H
#define RATHAUS_WORKFLOW_TASKFORM_H

#include <jansson.h>

#include "base/err.h"
#include "workflow/bpmn.h"

#define WF_NS_CAMUNDA "http://camunda.org/schema/1.0/bpmn" /* Camunda's extension namespace */

#define WF_FORM_MAX_FIELDS 50     /* fields of one task form */
#define WF_FORM_MAX_OPTIONS 100   /* options of one select field */
#define WF_FORM_MAX_ID 64         /* bytes of a field id */
#define WF_FORM_MAX_LABEL 300     /* bytes of a label, help text or option */
#define WF_FORM_MAX_TEXT 1000     /* bytes of a text value */
#define WF_FORM_MAX_TEXTAREA 8000 /* bytes of a textarea value */

/* Reads the task form of node n (from its bpmn:extensionElements) as a new
 * array *ret of {id, type, label, required, help?, options?:[{value, label}]}
 * (empty when the task has none). Every problem of the definition is appended
 * to problems (may be NULL) as {id: element id, reason: German text}; the
 * faulty field is left out of *ret. ERR_NOMEM only. */
int wf_form_read(const struct bpmn_node *n, json_t *problems, json_t **ret) WUR;

/* Checks the submitted values of a form: input maps field ids to strings as
 * sent by an HTML form (JSON numbers and booleans are accepted too; a missing
 * key is an empty value). On success every non-empty value is typed (number →
 * JSON integer or real, yesno → boolean, date → "YYYY-MM-DD", others →
 * string) and set in vars (borrowed, changed in place). When a value is
 * wrong, nothing is set and *ret_errors (may be NULL) gets a new object
 * {field id: German message}; returns ERR_INVALID. ERR_NOMEM. */
int wf_form_apply(const json_t *fields, const json_t *input, json_t *vars, json_t **ret_errors) WUR;

#endif
