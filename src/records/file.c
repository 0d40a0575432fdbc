/* Files (Akten): creation with the Aktenzeichen "<plan code>-<year>-<nnnn>",
 * lists and details with the visibility rule, sharing with other offices,
 * closing (zdA, which starts the retention clock) and legal holds. The
 * running number is taken inside BEGIN IMMEDIATE, so concurrent creators
 * queue for the write lock and never see the same maximum. */
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "records_int.h"
#include "web/web.h"

/* Bytes of a hold reason. */
#define REC_MAX_HOLD_REASON 500

int rec_file_create(struct store *s, const struct rec_actor *a, const char *plan_code, int unit_nr,
                    const char *title, const char *parties, char ret_ref[REC_REF_MAX],
                    int64_t *ret_id, struct str *why)
{
    if (!plan_code || !rec__code_valid(plan_code)) {
        if (why)
            str_addf(why, "Das Aktenplankennzeichen „%s“ ist ungültig.",
                     plan_code ? plan_code : "");
        return ERR_NOTFOUND;
    }
    int rc = rec__check_text(title, REC_MAX_TITLE, REC__TEXT_REQUIRED, "Der Titel", why);
    if (!rc)
        rc = rec__check_text(parties, REC_MAX_PARTIES, REC__TEXT_MULTILINE, "Die Beteiligten", why);
    if (rc)
        return rc;
    if (!a->system && unit_nr != a->unit_nr) {
        if (why)
            str_addf(why, "Sie können nur Akten für Ihr eigenes Amt (%02d) anlegen.", a->unit_nr);
        return ERR_DENIED;
    }
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    int64_t node_id = 0, active = 0, have_unit = 0;
    struct store_stmt *st;
    if ((rc = store_prepare(c, "SELECT id, active FROM plan_nodes WHERE code = ?", &st)))
        goto fail;
    if (!(rc = store_bind(st, "t", plan_code)) && (rc = store_step(st)) == STORE_ROW) {
        node_id = store_col_int(st, 0);
        active = store_col_int(st, 1);
    }
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE)
        goto fail;
    if (!node_id || !active) {
        if (why)
            str_addf(why,
                     node_id ? "Die Aktenplaneinheit „%s“ ist geschlossen; neue Akten sind dort "
                               "nicht möglich."
                             : "Die Aktenplaneinheit „%s“ gibt es nicht.",
                     plan_code);
        rc = ERR_NOTFOUND;
        goto fail;
    }
    if ((rc = store_query_int(c, &have_unit, "SELECT count(*) FROM units WHERE nr = ?", "i",
                              (int64_t)unit_nr)))
        goto fail;
    if (!have_unit) {
        if (why)
            str_addf(why, "Ein Amt %02d gibt es nicht.", unit_nr);
        rc = ERR_NOTFOUND;
        goto fail;
    }
    int year = rec__local_year(rtime_now());
    int64_t seq = 0;
    if ((rc = store_query_int(c, &seq,
                              "SELECT coalesce(max(seq), 0) + 1 FROM files"
                              " WHERE plan_node_id = ? AND year = ?",
                              "ii", node_id, (int64_t)year)))
        goto fail;
    if (seq > REC_MAX_FILE_SEQ) {
        if (why)
            str_addf(why,
                     "Unter „%s“ sind für %d bereits %d Akten angelegt; mehr fasst das "
                     "Aktenzeichen nicht.",
                     plan_code, year, REC_MAX_FILE_SEQ);
        rc = ERR_TOOBIG;
        goto fail;
    }
    char ref[REC_REF_MAX], at[32];
    snprintf(ref, sizeof ref, "%s-%d-%04lld", plan_code, year, (long long)seq);
    rec__now_iso(at);
    int64_t id = 0;
    if ((rc = store_prepare(c,
                            "INSERT INTO files (reference, plan_node_id, unit_nr, title, parties,"
                            " year, seq, status, created_at, created_by)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                            &st)))
        goto fail;
    rc = store_bind(st, "tiittiitt", ref, node_id, (int64_t)unit_nr, title, parties ? parties : "",
                    (int64_t)year, seq, at, a->login);
    if (!rc && (rc = store_step(st)) == STORE_ROW) {
        id = store_col_int(st, 0);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_DB;
    }
    store_done(st);
    if (rc)
        goto fail;
    json_t *d =
        json_pack("{s:s, s:s, s:i}", "reference", ref, "plan", plan_code, "office", unit_nr);
    rc = rec__journal(c, a, "file.create", "file", id, id, d);
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

/* Escapes %, _ and \ for LIKE … ESCAPE '\' into out. */
static void like_escape(const char *z, struct str *out)
{
    for (; *z; z++) {
        if (*z == '%' || *z == '_' || *z == '\\')
            str_addc(out, '\\');
        str_addc(out, *z);
    }
}

int rec_file_list(struct store *s, const struct rec_actor *a, const struct rec_file_query *q,
                  json_t **ret)
{
    int per_page = q->per_page > 0 ? q->per_page : REC_PAGE_DEFAULT;
    if (per_page > REC_PAGE_MAX)
        per_page = REC_PAGE_MAX;
    int page = q->page > 0 ? q->page : 1;
    if (page > 1000000)
        return ERR_INVALID;
    const char *status = q->status && *q->status ? q->status : NULL;
    if (status && strcmp(status, "open") && strcmp(status, "closed") && strcmp(status, "offered") &&
        strcmp(status, "disposed"))
        return ERR_INVALID;
    struct str plan_like, text_like;
    str_init(&plan_like, 256);
    str_init(&text_like, 4096);
    const char *plan = q->plan_code && *q->plan_code ? q->plan_code : NULL;
    if (plan) {
        like_escape(plan, &plan_like);
        str_adds(&plan_like, ".%");
    }
    const char *text = q->text && *q->text ? q->text : NULL;
    if (text) {
        str_addc(&text_like, '%');
        like_escape(text, &text_like);
        str_addc(&text_like, '%');
    }
    if (plan_like.err || text_like.err) {
        str_release(&plan_like);
        str_release(&text_like);
        return ERR_INVALID;
    }
    struct store_conn *c;
    json_t *items = NULL;
    int64_t total = 0;
    int rc = store_get(s, &c);
    if (rc)
        goto out;
    if ((rc = store_begin(c, false)))
        goto done;
        /* The same filter in both statements; a NULL or 0 parameter means "any". */
#define FILE_FILTER                                                                                \
    " WHERE (? OR f.unit_nr = ? OR EXISTS (SELECT 1 FROM file_shares s"                            \
    "  WHERE s.file_id = f.id AND s.unit_nr = ?))"                                                 \
    " AND (? = 0 OR f.unit_nr = ?)"                                                                \
    " AND (? IS NULL OR p.code = ? OR p.code LIKE ? ESCAPE '\\')"                                  \
    " AND (? = 0 OR f.year = ?)"                                                                   \
    " AND (? IS NULL OR f.status = ?)"                                                             \
    " AND (? IS NULL OR f.title LIKE ? ESCAPE '\\' OR f.reference LIKE ? ESCAPE '\\')"
#define FILE_FILTER_ARGS                                                                           \
    (int64_t) a->system, (int64_t)a->unit_nr, (int64_t)a->unit_nr, (int64_t)q->unit_nr,            \
        (int64_t)q->unit_nr, plan, plan, plan ? plan_like.buf : NULL, (int64_t)q->year,            \
        (int64_t)q->year, status, status, text, text ? text_like.buf : NULL,                       \
        text ? text_like.buf : NULL
    /* counting stops past REC_FILE_MAX_COUNT: a full count of a million
     * files costs more than the page itself */
    rc = store_query_int(c, &total,
                         "SELECT count(*) FROM (SELECT 1 FROM files f"
                         " JOIN plan_nodes p ON p.id = f.plan_node_id" FILE_FILTER " LIMIT ?)",
                         "iiiiitttiittttti", FILE_FILTER_ARGS, (int64_t)REC_FILE_MAX_COUNT + 1);
    if (rc)
        goto done;
    struct store_stmt *st;
    rc = store_prepare(c,
                       "SELECT f.reference, f.title, p.code AS plan_code, p.title AS plan_title,"
                       " f.unit_nr AS office, f.status, f.year, f.created_at, f.closed_at,"
                       " (SELECT count(*) FROM cases k WHERE k.file_id = f.id) AS cases"
                       " FROM files f JOIN plan_nodes p ON p.id = f.plan_node_id" FILE_FILTER
                       " ORDER BY f.id DESC LIMIT ? OFFSET ?",
                       &st);
    if (rc)
        goto done;
    rc = store_bind(st, "iiiiitttiitttttii", FILE_FILTER_ARGS, (int64_t)per_page,
                    (int64_t)(page - 1) * per_page);
#undef FILE_FILTER
#undef FILE_FILTER_ARGS
    items = json_array();
    if (!rc && !items)
        rc = ERR_NOMEM;
    if (!rc)
        rc = store_rows_json(st, items);
    store_done(st);
done:
    store_rollback(c);
    store_put(s, c);
out:
    str_release(&plan_like);
    str_release(&text_like);
    if (rc) {
        json_decref(items);
        return rc;
    }
    bool capped = total > REC_FILE_MAX_COUNT;
    json_t *r = json_pack("{s:I, s:b, s:i, s:i, s:o}", "total",
                          (json_int_t)(capped ? REC_FILE_MAX_COUNT : total), "total_capped", capped,
                          "page", page, "per_page", per_page, "items", items);
    if (!r)
        return ERR_NOMEM;
    *ret = r;
    return 0;
}

/* Adds the file's cases to o as "cases". */
static int file_cases(struct store_conn *c, int64_t file_id, json_t *o)
{
    struct store_stmt *st;
    json_t *arr = json_array();
    if (!arr)
        return ERR_NOMEM;
    int rc = store_prepare(c,
                           "SELECT k.reference, k.n, k.title, k.status, k.created_at, k.closed_at,"
                           " (SELECT count(*) FROM documents d WHERE d.case_id = k.id) AS documents"
                           " FROM cases k WHERE k.file_id = ? ORDER BY k.n",
                           &st);
    if (!rc)
        rc = store_bind(st, "i", file_id);
    if (!rc)
        rc = store_rows_json(st, arr);
    store_done(st);
    if (!rc && json_object_set_new(o, "cases", arr))
        return ERR_NOMEM;
    if (rc)
        json_decref(arr);
    return rc;
}

/* Adds the offices the file is shared with to o as "shares". */
static int file_shares(struct store_conn *c, int64_t file_id, json_t *o)
{
    struct store_stmt *st;
    json_t *arr = json_array();
    if (!arr)
        return ERR_NOMEM;
    int rc =
        store_prepare(c, "SELECT unit_nr FROM file_shares WHERE file_id = ? ORDER BY unit_nr", &st);
    if (!rc)
        rc = store_bind(st, "i", file_id);
    while (!rc && (rc = store_step(st)) == STORE_ROW)
        rc = json_array_append_new(arr, json_integer(store_col_int(st, 0))) ? ERR_NOMEM : 0;
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    if (!rc && json_object_set_new(o, "shares", arr))
        return ERR_NOMEM;
    if (rc)
        json_decref(arr);
    return rc;
}

/* Builds the JSON of rec_file_get for a loaded, visible file inside c's
 * transaction. */
static int file_json(struct store_conn *c, int64_t file_id, json_t **ret)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT f.id, f.reference, f.title, f.parties, p.code, p.title,"
                           " f.unit_nr, u.name, f.status, f.year, f.created_at, f.created_by,"
                           " f.closed_at, f.retention_until, f.hold, f.hold_reason,"
                           " p.archive_decision, p.retention_years"
                           " FROM files f JOIN plan_nodes p ON p.id = f.plan_node_id"
                           " JOIN units u ON u.nr = f.unit_nr WHERE f.id = ?",
                           &st);
    if (rc)
        return rc;
    json_t *o = NULL;
    if (!(rc = store_bind(st, "i", file_id)) && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s?, s:s?,"
                      " s:b, s:s?, s:s, s:i}",
                      "id", (json_int_t)store_col_int(st, 0), "reference", store_col_text(st, 1),
                      "title", store_col_text(st, 2), "parties", store_col_text(st, 3), "plan_code",
                      store_col_text(st, 4), "plan_title", store_col_text(st, 5), "office",
                      (int)store_col_int(st, 6), "office_name", store_col_text(st, 7), "status",
                      store_col_text(st, 8), "year", (int)store_col_int(st, 9), "created_at",
                      store_col_text(st, 10), "created_by", store_col_text(st, 11), "closed_at",
                      store_col_null(st, 12) ? NULL : store_col_text(st, 12), "retention_until",
                      store_col_null(st, 13) ? NULL : store_col_text(st, 13), "hold",
                      (int)store_col_int(st, 14), "hold_reason",
                      store_col_null(st, 15) ? NULL : store_col_text(st, 15), "archive_decision",
                      store_col_text(st, 16), "retention_years", (int)store_col_int(st, 17));
        if (!o)
            rc = ERR_NOMEM;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (!rc)
        rc = file_shares(c, file_id, o);
    if (!rc)
        rc = file_cases(c, file_id, o);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *ret = o;
    return 0;
}

int rec_file_get(struct store *s, const struct rec_actor *a, const char *ref, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__file f;
    if (!(rc = store_begin(c, false)) && !(rc = rec__file_load(c, a, ref, 0, REC__SEE, &f)))
        rc = file_json(c, f.id, ret);
    store_rollback(c);
    store_put(s, c);
    return rc;
}

int rec_file_share(struct store *s, const struct rec_actor *a, const char *ref, int unit_nr)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__file f;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = rec__file_load(c, a, ref, 0, REC__SEE, &f)))
        goto fail;
    bool own_head = f.unit_nr == a->unit_nr && (a->roles & WEB_ROLE_HEAD);
    if (!rec__is_manager(a) && !own_head) {
        rc = ERR_DENIED;
        goto fail;
    }
    if (!strcmp(f.status, "disposed")) {
        rc = ERR_EXISTS;
        goto fail;
    }
    int64_t have = 0;
    if ((rc = store_query_int(c, &have, "SELECT count(*) FROM units WHERE nr = ?", "i",
                              (int64_t)unit_nr)))
        goto fail;
    if (!have || unit_nr == f.unit_nr) {
        rc = ERR_INVALID;
        goto fail;
    }
    if ((rc = store_run(c,
                        "INSERT INTO file_shares (file_id, unit_nr) VALUES (?, ?)"
                        " ON CONFLICT (file_id, unit_nr) DO NOTHING",
                        "ii", f.id, (int64_t)unit_nr)))
        goto fail;
    if (store_changes(c) > 0) {
        json_t *d = json_pack("{s:s, s:i}", "reference", f.reference, "office", unit_nr);
        rc = rec__journal(c, a, "file.share", "file", f.id, f.id, d);
        if (rc)
            goto fail;
    }
    rc = store_commit(c);
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}

int rec_file_close(struct store *s, const struct rec_actor *a, const char *ref)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__file f;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = rec__file_load(c, a, ref, 0, REC__WRITE, &f)))
        goto fail;
    if (strcmp(f.status, "open") != 0) {
        rc = ERR_EXISTS;
        goto fail;
    }
    int64_t now = rtime_now();
    char at[32], until[11];
    rtime_iso_utc(now, at, sizeof at);
    rec_retention_until(now, f.retention_years, until);
    if ((rc = store_run(c,
                        "UPDATE cases SET status = 'closed', closed_at = ?"
                        " WHERE file_id = ? AND status = 'open'",
                        "ti", at, f.id)))
        goto fail;
    int64_t cases_closed = store_changes(c);
    if ((rc = store_run(c,
                        "UPDATE files SET status = 'closed', closed_at = ?, retention_until = ?"
                        " WHERE id = ?",
                        "tti", at, until, f.id)))
        goto fail;
    json_t *d = json_pack("{s:s, s:s, s:I}", "reference", f.reference, "retention_until", until,
                          "cases_closed", (json_int_t)cases_closed);
    rc = rec__journal(c, a, "file.close", "file", f.id, f.id, d);
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

int rec_file_hold(struct store *s, const struct rec_actor *a, const char *ref, bool on,
                  const char *reason)
{
    if (on && rec__check_text(reason, REC_MAX_HOLD_REASON, REC__TEXT_REQUIRED, "Der Grund", NULL))
        return ERR_INVALID;
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__file f;
    if ((rc = store_begin(c, true)))
        goto done;
    /* records managers decide holds for every office; a head of office for
     * the files of the own office */
    if ((rc = rec__file_load(c, a, ref, 0, rec__is_manager(a) ? REC__ANY : REC__SEE, &f)))
        goto fail;
    if (!rec__is_manager(a) && !(f.unit_nr == a->unit_nr && (a->roles & WEB_ROLE_HEAD))) {
        rc = ERR_DENIED;
        goto fail;
    }
    if (!strcmp(f.status, "disposed")) {
        rc = ERR_EXISTS;
        goto fail;
    }
    if (f.hold == on) { /* nothing changes: no journal entry */
        rc = store_commit(c);
        goto done;
    }
    if ((rc = store_run(c, "UPDATE files SET hold = ?, hold_reason = ? WHERE id = ?", "iti",
                        (int64_t)on, on ? reason : NULL, f.id)))
        goto fail;
    json_t *d = json_pack("{s:s, s:s?}", "reference", f.reference, "reason", on ? reason : NULL);
    rc = rec__journal(c, a, on ? "file.hold" : "file.release", "file", f.id, f.id, d);
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
