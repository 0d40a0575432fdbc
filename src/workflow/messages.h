/* Messages for the applicant of a Vorgang: what the workflow's notify action
 * or a caseworker tells the citizen (kind "info"), and requests for evidence
 * (kind "evidence", "Nachweise anfordern"). The portal's status page shows
 * them; every message is journaled as wf.message on its case. */
#ifndef RATHAUS_WORKFLOW_MESSAGES_H
#define RATHAUS_WORKFLOW_MESSAGES_H

#include <jansson.h>

#include "base/err.h"
#include "store/store.h"

#define WF_MESSAGE_MAX_TEXT 4000 /* bytes of one message */
#define WF_MESSAGES_MAX 1000     /* messages returned for one case */

/* Adds a message for the applicant of case case_ref, in one write
 * transaction with its journal entry wf.message (object "case:<id>") by
 * actor (joins the caller's transaction when the thread holds one). kind is
 * "info" or "evidence". ERR_INVALID for another kind or an empty text,
 * ERR_TOOBIG above WF_MESSAGE_MAX_TEXT, ERR_NOTFOUND for an unknown case. */
int wf_message_add(struct store *s, const char *actor, const char *case_ref, const char *kind,
                   const char *text) WUR;

/* The messages of case case_ref, oldest first (at most WF_MESSAGES_MAX):
 * *ret is a new array of {at (ISO 8601 UTC), kind, text}. An unknown case
 * has none (empty array). */
int wf_messages(struct store *s, const char *case_ref, json_t **ret) WUR;

#endif
