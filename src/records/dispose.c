/* Retention and disposal (Aussonderung). Retention ends on 31 December of
 * the closing year (in Germany) plus the plan node's period; a file is due
 * the day after. A due file without a legal hold is offered to the archive
 * or destroyed: its versions lose their content (blobs nobody else uses are
 * deleted), extracted text and index rows go, personal fields are emptied,
 * and a tombstone row plus a journal entry record what happened. Files whose
 * node says A (archivwürdig) or B (bewerten) must be offered before they may
 * be destroyed (Anbietungspflicht); V (vernichten) may be destroyed at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records_int.h"
#include "store/blob.h"
#include "web/web.h"

/* Rows of the disposal list at most (oldest retention first). */
#define REC_DISPOSAL_MAX 1000

void rec_retention_until(int64_t closed_at, int years, char out[11])
{
    int y = rec__local_year(closed_at) + (years > 0 ? years : 0);
    snprintf(out, 11, "%04u-12-31", (unsigned)(y < 0 ? 0 : y > 9999 ? 9999 : y) % 10000u);
}

int rec_disposal_due(struct store *s, const struct rec_actor *a, json_t **ret)
{
    char today[11];
    rec__local_today(today);
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *arr = json_array();
    struct store_stmt *st;
    if (!arr) {
        rc = ERR_NOMEM;
        goto done;
    }
    /* records managers see the due files of every office, others their own */
    if ((rc = store_prepare(c,
                            "SELECT f.reference, f.title, p.code, p.archive_decision, f.unit_nr,"
                            " f.retention_until, f.hold, f.status, f.closed_at"
                            " FROM files f JOIN plan_nodes p ON p.id = f.plan_node_id"
                            " WHERE f.status IN ('closed', 'offered') AND f.retention_until < ?"
                            " AND length(f.retention_until) = 10"
                            " AND (? OR f.unit_nr = ? OR EXISTS (SELECT 1 FROM file_shares s"
                            "  WHERE s.file_id = f.id AND s.unit_nr = ?))"
                            " ORDER BY f.retention_until, f.reference LIMIT ?",
                            &st)))
        goto done;
    rc = store_bind(st, "tiiii", today, (int64_t)rec__is_manager(a), (int64_t)a->unit_nr,
                    (int64_t)a->unit_nr, (int64_t)REC_DISPOSAL_MAX);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:s, s:s}", "reference",
                              store_col_text(st, 0), "title", store_col_text(st, 1), "plan_code",
                              store_col_text(st, 2), "archive_decision", store_col_text(st, 3),
                              "office", (int)store_col_int(st, 4), "retention_until",
                              store_col_text(st, 5), "hold", (int)store_col_int(st, 6), "status",
                              store_col_text(st, 7), "closed_at", store_col_text(st, 8));
        if (!o || json_array_append_new(arr, o))
            rc = ERR_NOMEM;
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
done:
    store_put(s, c);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *ret = arr;
    return 0;
}

/* The blobs of a file's versions, collected before they are released. */
struct sha_list {
    char (*sha)[BLOB_HEX]; /* hashes (malloc) */
    size_t n;              /* used */
    size_t alloc;          /* allocated */
};

static int sha_list_add(struct sha_list *l, const char *sha)
{
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 16;
        void *p = realloc(l->sha, na * sizeof *l->sha);
        if (!p)
            return ERR_NOMEM;
        l->sha = p;
        l->alloc = na;
    }
    snprintf(l->sha[l->n++], BLOB_HEX, "%s", sha);
    return 0;
}

/* Destroys the contents of file f inside c's write transaction. */
static int destroy_contents(struct store_conn *c, const struct rec__file *f, const char *at,
                            int64_t *ret_versions)
{
    struct sha_list l = {0};
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT v.blob_sha256 FROM versions v"
                           " JOIN documents d ON d.id = v.document_id"
                           " JOIN cases k ON k.id = d.case_id"
                           " WHERE k.file_id = ? AND v.blob_sha256 IS NOT NULL",
                           &st);
    if (rc)
        return rc;
    rc = store_bind(st, "i", f->id);
    while (!rc && (rc = store_step(st)) == STORE_ROW)
        rc = sha_list_add(&l, store_col_text(st, 0));
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    /* one reference per version: each is given back */
    for (size_t i = 0; !rc && i < l.n; i++)
        rc = blob_unref(c, l.sha[i]);
    if (!rc)
        rc = store_run(c,
                       "UPDATE jobs SET state = 'failed', error = 'Akte ausgesondert',"
                       " updated_at = ? WHERE state = 'queued' AND kind = 'extract'"
                       " AND object IN (SELECT v.id FROM versions v"
                       "  JOIN documents d ON d.id = v.document_id"
                       "  JOIN cases k ON k.id = d.case_id WHERE k.file_id = ?)",
                       "ti", at, f->id);
    if (!rc)
        rc = store_run(c,
                       "DELETE FROM doc_text WHERE version_id IN (SELECT v.id FROM versions v"
                       " JOIN documents d ON d.id = v.document_id"
                       " JOIN cases k ON k.id = d.case_id WHERE k.file_id = ?)",
                       "i", f->id);
    if (!rc)
        rc = rec_index_forget_file(c, f->id);
    if (!rc)
        rc = store_run(c,
                       "UPDATE versions SET blob_sha256 = NULL, filename = ''"
                       " WHERE document_id IN (SELECT d.id FROM documents d"
                       "  JOIN cases k ON k.id = d.case_id WHERE k.file_id = ?)",
                       "i", f->id);
    if (!rc)
        rc = store_run(c,
                       "UPDATE documents SET party = ''"
                       " WHERE case_id IN (SELECT id FROM cases WHERE file_id = ?)",
                       "i", f->id);
    if (!rc)
        rc = store_run(c, "UPDATE files SET parties = '', status = 'disposed' WHERE id = ?", "i",
                       f->id);
    if (!rc)
        *ret_versions = (int64_t)l.n;
    free(l.sha);
    return rc;
}

int rec__dispose(struct store *s, const struct rec_actor *a, const char *ref, bool destroy,
                 struct str *why)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__file f;
    char today[11], at[32];
    rec__local_today(today);
    rec__now_iso(at);
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = rec__file_load(c, a, ref, 0, rec__is_manager(a) ? REC__ANY : REC__SEE, &f)))
        goto fail;
    if (!rec__is_manager(a)) {
        rc = ERR_DENIED;
        goto fail;
    }
    rc = ERR_EXISTS;
    if (!strcmp(f.status, "open")) {
        if (why)
            str_addf(why, "Die Akte %s ist noch nicht geschlossen (zdA).", f.reference);
        goto fail;
    }
    if (!strcmp(f.status, "disposed")) {
        if (why)
            str_addf(why, "Die Akte %s ist bereits ausgesondert.", f.reference);
        goto fail;
    }
    if (!destroy && !strcmp(f.status, "offered")) {
        if (why)
            str_addf(why, "Die Akte %s ist dem Archiv bereits angeboten.", f.reference);
        goto fail;
    }
    if (strlen(f.retention_until) != 10 || strcmp(f.retention_until, today) >= 0) {
        if (why && strlen(f.retention_until) != 10)
            str_addf(why, "Für die Akte %s ist kein Ende der Aufbewahrungsfrist bekannt.",
                     f.reference);
        else if (why)
            str_addf(why, "Die Aufbewahrungsfrist der Akte %s läuft noch bis %.2s.%.2s.%.4s.",
                     f.reference, f.retention_until + 8, f.retention_until + 5, f.retention_until);
        goto fail;
    }
    if (f.hold) {
        if (why)
            str_addf(why,
                     "Für die Akte %s besteht eine Sperre; sie darf nicht ausgesondert werden.",
                     f.reference);
        goto fail;
    }
    if (destroy && f.archive_decision != 'V' && strcmp(f.status, "offered") != 0) {
        if (why)
            str_addf(why, "Die Akte %s ist %s und muss zuerst dem Archiv angeboten werden.",
                     f.reference,
                     f.archive_decision == 'A' ? "archivwürdig (A)" : "zu bewerten (B)");
        goto fail;
    }
    int64_t versions = 0;
    if (destroy) {
        if ((rc = destroy_contents(c, &f, at, &versions)))
            goto fail;
    } else if ((rc = store_run(c, "UPDATE files SET status = 'offered' WHERE id = ?", "i", f.id))) {
        goto fail;
    }
    const char *action = destroy ? "destroyed" : "offered";
    char decision[2] = {f.archive_decision, '\0'};
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:I}", "reference", f.reference, "action", action,
                          "retention_until", f.retention_until, "archive_decision", decision,
                          "versions", (json_int_t)versions);
    char *dj = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    rc = dj ? 0 : ERR_NOMEM;
    if (!rc)
        rc = store_run(c,
                       "INSERT INTO tombstones (file_reference, title, plan_code, unit_nr, action,"
                       " at, actor, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       "tttitttt", f.reference, f.title, f.plan_code, (int64_t)f.unit_nr, action,
                       at, a->login, dj);
    if (!rc) {
        rc = rec__journal(c, a, destroy ? "file.destroy" : "file.offer", "file", f.id, f.id, d);
        d = NULL; /* taken by rec__journal */
    }
    free(dj);
    json_decref(d);
    if (rc)
        goto fail;
    if ((rc = store_commit(c)))
        goto done;
    if (destroy) {
        /* Blob files whose rows went are deleted after the commit, under the
         * write lock (no blob_put can interleave): deleting them before the
         * commit would lose content if the commit failed. A crash here leaves
         * only unreferenced files, which the next collection removes. */
        if (store_begin(c, true) == 0) {
            if (blob_collect(s, c, NULL) != 0 || store_commit(c) != 0)
                store_rollback(c);
        }
    }
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}

int rec_dispose(struct store *s, const struct rec_actor *a, const char *ref, bool destroy)
{
    return rec__dispose(s, a, ref, destroy, NULL);
}
