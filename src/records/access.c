/* Who may see and change what in the E-Akte: a file is visible to its office
 * and to offices it is shared with, and only its own office changes it; for
 * everyone else it does not exist (ERR_NOTFOUND). Also the access log of a
 * file, read from the journal by the objects of the file (records_int.h). */
#include <stdio.h>
#include <string.h>

#include "records_int.h"
#include "web/web.h"

/* Rows the access log returns at most (newest first). */
#define REC_ACCESS_LOG_MAX 1000

/* Fills ret from the current row of a file query (columns in FILE_COLS order)
 * and decides the permission. */
static int file_row(struct store_stmt *st, const struct rec_actor *a, enum rec__need need,
                    struct rec__file *ret)
{
    struct rec__file f;
    memset(&f, 0, sizeof f);
    f.id = store_col_int(st, 0);
    snprintf(f.reference, sizeof f.reference, "%s", store_col_text(st, 1));
    snprintf(f.title, sizeof f.title, "%s", store_col_text(st, 2));
    f.unit_nr = (int)store_col_int(st, 3);
    snprintf(f.status, sizeof f.status, "%s", store_col_text(st, 4));
    f.hold = store_col_int(st, 5) != 0;
    snprintf(f.retention_until, sizeof f.retention_until, "%s", store_col_text(st, 6));
    f.year = (int)store_col_int(st, 7);
    snprintf(f.plan_code, sizeof f.plan_code, "%s", store_col_text(st, 8));
    f.retention_years = (int)store_col_int(st, 9);
    f.archive_decision = store_col_text(st, 10)[0];
    bool shared = store_col_int(st, 11) != 0;
    bool own = a->system || f.unit_nr == a->unit_nr;
    if (need == REC__SEE && !own && !shared)
        return ERR_NOTFOUND;
    if (need == REC__WRITE && !own)
        return shared ? ERR_DENIED : ERR_NOTFOUND;
    *ret = f;
    return 0;
}

int rec__file_load(struct store_conn *c, const struct rec_actor *a, const char *ref, int64_t id,
                   enum rec__need need, struct rec__file *ret)
{
    struct store_stmt *st;
    int rc;
    if (ref) {
        rc = store_prepare(c,
                           "SELECT f.id, f.reference, f.title, f.unit_nr, f.status, f.hold,"
                           " coalesce(f.retention_until, ''), f.year, p.code, p.retention_years,"
                           " p.archive_decision, EXISTS (SELECT 1 FROM file_shares s"
                           "  WHERE s.file_id = f.id AND s.unit_nr = ?)"
                           " FROM files f JOIN plan_nodes p ON p.id = f.plan_node_id"
                           " WHERE f.reference = ?",
                           &st);
        if (!rc)
            rc = store_bind(st, "it", (int64_t)a->unit_nr, ref);
    } else {
        rc = store_prepare(c,
                           "SELECT f.id, f.reference, f.title, f.unit_nr, f.status, f.hold,"
                           " coalesce(f.retention_until, ''), f.year, p.code, p.retention_years,"
                           " p.archive_decision, EXISTS (SELECT 1 FROM file_shares s"
                           "  WHERE s.file_id = f.id AND s.unit_nr = ?)"
                           " FROM files f JOIN plan_nodes p ON p.id = f.plan_node_id"
                           " WHERE f.id = ?",
                           &st);
        if (!rc)
            rc = store_bind(st, "ii", (int64_t)a->unit_nr, id);
    }
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW)
        rc = file_row(st, a, need, ret);
    else if (rc == STORE_DONE)
        rc = ERR_NOTFOUND;
    store_done(st);
    return rc;
}

int rec__case_load(struct store_conn *c, const struct rec_actor *a, const char *ref, int64_t id,
                   enum rec__need need, struct rec__case *ret_case, struct rec__file *ret_file)
{
    struct store_stmt *st;
    int rc;
    if (ref) {
        rc = store_prepare(
            c, "SELECT id, file_id, n, reference, status FROM cases WHERE reference = ?", &st);
        if (!rc)
            rc = store_bind(st, "t", ref);
    } else {
        rc = store_prepare(c, "SELECT id, file_id, n, reference, status FROM cases WHERE id = ?",
                           &st);
        if (!rc)
            rc = store_bind(st, "i", id);
    }
    if (rc)
        return rc;
    struct rec__case k;
    memset(&k, 0, sizeof k);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        k.id = store_col_int(st, 0);
        k.file_id = store_col_int(st, 1);
        k.n = (int)store_col_int(st, 2);
        snprintf(k.reference, sizeof k.reference, "%s", store_col_text(st, 3));
        snprintf(k.status, sizeof k.status, "%s", store_col_text(st, 4));
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (rc)
        return rc;
    struct rec__file f;
    if ((rc = rec__file_load(c, a, NULL, k.file_id, need, &f)))
        return rc;
    *ret_case = k;
    if (ret_file)
        *ret_file = f;
    return 0;
}

int rec_file_visible(struct store_conn *c, const struct rec_actor *a, int64_t file_id)
{
    struct rec__file f;
    return rec__file_load(c, a, NULL, file_id, REC__SEE, &f);
}

int rec_access_log(struct store *s, const struct rec_actor *a, const char *file_ref, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *arr = NULL;
    struct store_stmt *st = NULL;
    struct rec__file f;
    /* one read transaction: the permission and the log from one snapshot */
    if ((rc = store_begin(c, false)))
        goto done;
    if ((rc = rec__file_load(c, a, file_ref, 0, REC__ANY, &f)))
        goto done;
    if (!a->system && !(a->roles & WEB_ROLE_ADMIN)) {
        int vis = rec__file_load(c, a, NULL, f.id, REC__SEE, &f);
        if (vis) {
            rc = vis;
            goto done;
        }
        if (!(a->roles & WEB_ROLE_HEAD)) {
            rc = ERR_DENIED;
            goto done;
        }
    }
    arr = json_array();
    if (!arr) {
        rc = ERR_NOMEM;
        goto done;
    }
    char fobj[48];
    snprintf(fobj, sizeof fobj, "file:%lld", (long long)f.id);
    rc = store_prepare(c,
                       "SELECT seq, at, actor, action, object, details FROM journal"
                       " WHERE object = ?"
                       " OR object IN (SELECT 'case:' || id FROM cases WHERE file_id = ?)"
                       " OR object IN (SELECT 'doc:' || d.id FROM documents d"
                       "  JOIN cases k ON k.id = d.case_id WHERE k.file_id = ?)"
                       " OR object IN (SELECT 'version:' || v.id FROM versions v"
                       "  JOIN documents d ON d.id = v.document_id"
                       "  JOIN cases k ON k.id = d.case_id WHERE k.file_id = ?)"
                       " ORDER BY seq DESC LIMIT ?",
                       &st);
    if (rc)
        goto done;
    if ((rc = store_bind(st, "tiiii", fobj, f.id, f.id, f.id, (int64_t)REC_ACCESS_LOG_MAX))) {
        store_done(st);
        goto done;
    }
    rc = store_rows_json(st, arr);
    store_done(st);
    /* the details are JSON text in the journal */
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        json_t *d = json_loads(json_string_value(json_object_get(e, "details")), 0, NULL);
        if (!rc && json_object_set_new(e, "details", d ? d : json_object()))
            rc = ERR_NOMEM;
    }
done:
    store_rollback(c);
    store_put(s, c);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *ret = arr;
    return 0;
}
