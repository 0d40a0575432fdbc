/* Messages for the applicant: stored in wf_messages (schema.c), written by
 * the notify action inside the engine's transaction and by staff through
 * wf_message_add, read by the portal's status page through wf_messages. */
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "messages.h"
#include "records/records.h"
#include "store/journal.h"
#include "workflow_int.h"

int wf__message_insert(struct store_conn *c, const char *actor, int64_t case_id,
                       const char *case_ref, const char *kind, const char *text)
{
    if (strcmp(kind, "info") != 0 && strcmp(kind, "evidence") != 0)
        return ERR_INVALID;
    if (!text || !*text)
        return ERR_INVALID;
    if (strlen(text) > WF_MESSAGE_MAX_TEXT)
        return ERR_TOOBIG;
    char at[32], obj[48];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    int rc =
        store_run(c, "INSERT INTO wf_messages (case_id, at, kind, text, by) VALUES (?, ?, ?, ?, ?)",
                  "itttt", case_id, at, kind, text, actor);
    if (rc)
        return rc;
    json_t *d = json_pack("{s:s, s:s, s:I}", "case", case_ref, "kind", kind, "bytes",
                          (json_int_t)strlen(text));
    snprintf(obj, sizeof obj, "case:%lld", (long long)case_id);
    rc = d ? journal_append(c, actor, "wf.message", obj, d, NULL) : ERR_NOMEM;
    json_decref(d);
    return rc;
}

/* The id of case case_ref, seen as the system. */
static int case_id_of(struct store *s, const char *case_ref, int64_t *ret)
{
    struct rec_actor sys = rec_actor_system(WF_ACTOR_MESSAGES);
    json_t *k = NULL;
    int rc = rec_case_get(s, &sys, case_ref, &k);
    if (rc)
        return rc;
    *ret = json_integer_value(json_object_get(k, "id"));
    json_decref(k);
    return 0;
}

int wf_message_add(struct store *s, const char *actor, const char *case_ref, const char *kind,
                   const char *text)
{
    int64_t case_id;
    int rc = case_id_of(s, case_ref, &case_id);
    if (rc)
        return rc;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    if (!(rc = store_begin(c, true))) {
        rc = wf__message_insert(c, actor, case_id, case_ref, kind, text);
        if (!rc)
            rc = store_commit(c);
        if (rc)
            store_rollback(c);
    }
    store_put(s, c);
    return rc;
}

int wf_messages(struct store *s, const char *case_ref, json_t **ret)
{
    int64_t case_id;
    int rc = case_id_of(s, case_ref, &case_id);
    json_t *list = json_array();
    if (!list)
        return ERR_NOMEM;
    if (rc == ERR_NOTFOUND) {
        *ret = list;
        return 0;
    }
    struct store_conn *c = NULL;
    struct store_stmt *st = NULL;
    if (rc || (rc = store_get(s, &c)))
        goto done;
    if ((rc = store_prepare(c,
                            "SELECT at, kind, text FROM wf_messages WHERE case_id = ?"
                            " ORDER BY id LIMIT ?",
                            &st)))
        goto done;
    rc = store_bind(st, "ii", case_id, (int64_t)WF_MESSAGES_MAX);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "at", store_col_text(st, 0), "kind",
                              store_col_text(st, 1), "text", store_col_text(st, 2));
        rc = !o || json_array_append_new(list, o) ? ERR_NOMEM : 0;
    }
    if (rc == STORE_DONE)
        rc = 0;
done:
    if (st)
        store_done(st);
    if (c)
        store_put(s, c);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *ret = list;
    return 0;
}
