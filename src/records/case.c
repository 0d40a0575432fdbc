/* Cases (Vorgänge): one matter inside a file, numbered 1, 2, … per file with
 * the reference "<Aktenzeichen>/<n>". A case is read with its documents and
 * their versions; closing a case (zdA) leaves the file open. */
#include <stdio.h>
#include <string.h>

#include "records_int.h"

/* Bytes of a service key (LeiKa key or slug of the portal). */
#define REC_MAX_SERVICE_KEY 64

int rec_case_create(struct store *s, const struct rec_actor *a, const char *file_ref,
                    const char *title, const char *service_key, char ret_ref[REC_REF_MAX],
                    int64_t *ret_id)
{
    if (rec__check_text(title, REC_MAX_TITLE, REC__TEXT_REQUIRED, "Der Titel", NULL) ||
        (service_key && rec__check_text(service_key, REC_MAX_SERVICE_KEY, REC__TEXT_REQUIRED,
                                        "Der Leistungsschlüssel", NULL)))
        return ERR_INVALID;
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__file f;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = rec__file_load(c, a, file_ref, 0, REC__WRITE, &f)))
        goto fail;
    if (strcmp(f.status, "open") != 0) {
        rc = ERR_EXISTS;
        goto fail;
    }
    int64_t n = 0;
    if ((rc = store_query_int(c, &n, "SELECT coalesce(max(n), 0) + 1 FROM cases WHERE file_id = ?",
                              "i", f.id)))
        goto fail;
    char ref[REC_REF_MAX], at[32];
    int len = snprintf(ref, sizeof ref, "%s/%lld", f.reference, (long long)n);
    if (len < 0 || (size_t)len >= sizeof ref) {
        rc = ERR_TOOBIG;
        goto fail;
    }
    rec__now_iso(at);
    int64_t id = 0;
    if ((rc = store_query_int(c, &id,
                              "INSERT INTO cases (file_id, n, reference, title, status,"
                              " service_key, created_at, created_by)"
                              " VALUES (?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
                              "iittttt", f.id, n, ref, title, service_key, at, a->login)))
        goto fail;
    json_t *d = json_pack("{s:s, s:I, s:s?}", "reference", ref, "case", (json_int_t)id, "service",
                          service_key);
    rc = rec__journal(c, a, "case.create", "case", id, f.id, d);
    if (rc)
        goto fail;
    if ((rc = store_commit(c)))
        goto done;
    snprintf(ret_ref, REC_REF_MAX, "%s", ref);
    if (ret_id)
        *ret_id = id;
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}

/* Adds the versions of document doc_id to the document object o. */
static int doc_versions(struct store_conn *c, int64_t doc_id, json_t *o)
{
    struct store_stmt *st;
    json_t *arr = json_array();
    if (!arr)
        return ERR_NOMEM;
    int rc =
        store_prepare(c,
                      "SELECT id, n, filename, mime, size, created_at, created_by,"
                      " blob_sha256 IS NOT NULL FROM versions WHERE document_id = ? ORDER BY n",
                      &st);
    if (!rc)
        rc = store_bind(st, "i", doc_id);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        json_t *v =
            json_pack("{s:I, s:i, s:s, s:s, s:I, s:s, s:s, s:b}", "id",
                      (json_int_t)store_col_int(st, 0), "n", (int)store_col_int(st, 1), "filename",
                      store_col_text(st, 2), "mime", store_col_text(st, 3), "size",
                      (json_int_t)store_col_int(st, 4), "created_at", store_col_text(st, 5),
                      "created_by", store_col_text(st, 6), "available", (int)store_col_int(st, 7));
        if (!v || json_array_append_new(arr, v))
            rc = ERR_NOMEM;
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    if (!rc && json_object_set_new(o, "versions", arr))
        return ERR_NOMEM;
    if (rc)
        json_decref(arr);
    return rc;
}

/* Adds the documents of case case_id (with their versions) to o. */
static int case_documents(struct store_conn *c, int64_t case_id, json_t *o)
{
    struct store_stmt *st;
    json_t *arr = json_array();
    if (!arr)
        return ERR_NOMEM;
    int rc = store_prepare(c,
                           "SELECT id, title, direction, dated, party, created_at, created_by"
                           " FROM documents WHERE case_id = ? ORDER BY id",
                           &st);
    if (!rc)
        rc = store_bind(st, "i", case_id);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        json_t *d = json_pack(
            "{s:I, s:s, s:s, s:s?, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "title",
            store_col_text(st, 1), "direction", store_col_text(st, 2), "dated",
            store_col_null(st, 3) ? NULL : store_col_text(st, 3), "party", store_col_text(st, 4),
            "created_at", store_col_text(st, 5), "created_by", store_col_text(st, 6));
        if (!d || json_array_append_new(arr, d))
            rc = ERR_NOMEM;
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    /* versions after the documents' statement is done: one statement at a time */
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        if (rc)
            break;
        rc = doc_versions(c, (int64_t)json_integer_value(json_object_get(d, "id")), d);
    }
    if (!rc && json_object_set_new(o, "documents", arr))
        return ERR_NOMEM;
    if (rc)
        json_decref(arr);
    return rc;
}

int rec_case_get(struct store *s, const struct rec_actor *a, const char *ref, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__case k;
    struct rec__file f;
    json_t *o = NULL;
    if ((rc = store_begin(c, false)))
        goto done;
    if ((rc = rec__case_load(c, a, ref, 0, REC__SEE, &k, &f)))
        goto done;
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "SELECT title, status, service_key, created_at, created_by, closed_at"
                            " FROM cases WHERE id = ?",
                            &st)))
        goto done;
    if (!(rc = store_bind(st, "i", k.id)) && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        o = json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s, s:i}", "id",
                      (json_int_t)k.id, "reference", k.reference, "n", k.n, "file_reference",
                      f.reference, "title", store_col_text(st, 0), "status", store_col_text(st, 1),
                      "service_key", store_col_null(st, 2) ? NULL : store_col_text(st, 2),
                      "created_at", store_col_text(st, 3), "created_by", store_col_text(st, 4),
                      "closed_at", store_col_null(st, 5) ? NULL : store_col_text(st, 5),
                      "file_status", f.status, "office", f.unit_nr);
        if (!o)
            rc = ERR_NOMEM;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (!rc)
        rc = case_documents(c, k.id, o);
done:
    store_rollback(c);
    store_put(s, c);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *ret = o;
    return 0;
}

int rec_case_close(struct store *s, const struct rec_actor *a, const char *ref)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__case k;
    struct rec__file f;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = rec__case_load(c, a, ref, 0, REC__WRITE, &k, &f)))
        goto fail;
    if (strcmp(k.status, "open") != 0) {
        rc = ERR_EXISTS;
        goto fail;
    }
    char at[32];
    rec__now_iso(at);
    if ((rc = store_run(c, "UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ?", "ti",
                        at, k.id)))
        goto fail;
    json_t *d = json_pack("{s:s, s:I}", "reference", k.reference, "case", (json_int_t)k.id);
    rc = rec__journal(c, a, "case.close", "case", k.id, f.id, d);
    if (rc)
        goto fail;
    rc = store_commit(c);
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}
