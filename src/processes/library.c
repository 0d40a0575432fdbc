/* The data side of the process library: saving and reading processes with
 * their knowledge notes, the German full-text index over them, versioned
 * BPMN models kept in the blob store, attachments, deployment through the
 * workflow engine's validation, and the counts the cockpit shows. Every
 * write journals in its own transaction (proc.create, proc.save, proc.model,
 * proc.deploy, proc.attach). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "processes.h"
#include "store/blob.h"
#include "store/journal.h"
#include "web/web.h"
#include "workflow/bpmn.h"
#include "workflow/deploy.h"

#define PROC_MAX_QUERY 500 /* bytes of a search query */
#define PROC_LIST_MAX 500  /* rows of a list */

const char *const proc_statuses[4] = {"erfasst", "modelliert", "optimiert", "digitalisiert"};

static void now_iso(char out[32])
{
    rtime_iso_utc(rtime_now(), out, 32);
}

bool proc_may_edit(const struct rec_actor *a, int unit_nr)
{
    if (a->system || (a->roles & WEB_ROLE_ADMIN))
        return true;
    return (a->roles & WEB_ROLE_HEAD) && a->unit_nr == unit_nr;
}

static bool key_valid(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n < 2 || n > PROC_MAX_KEY)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)k[i]) || isdigit((unsigned char)k[i]) || k[i] == '-'))
            return false;
    return k[0] != '-' && k[n - 1] != '-';
}

static bool status_valid(const char *z)
{
    for (size_t i = 0; i < 4; i++)
        if (z && strcmp(z, proc_statuses[i]) == 0)
            return true;
    return false;
}

static const char *nz(const char *z)
{
    return z ? z : "";
}

/* Checks the fields a user typed; a German reason into why. */
static int check_entry(const struct proc_entry *e, struct str *why)
{
    const char *msg = NULL;
    const char *const texts[] = {e->description, e->checklist,   e->responsibilities, e->deputies,
                                 e->pitfalls,    e->legal_basis, e->owner_role};
    if (!key_valid(e->key))
        msg = "Das Kürzel besteht aus 2 bis 64 Kleinbuchstaben, Ziffern und Bindestrichen, "
              "z. B. „bewohnerparkausweis“.";
    else if (!e->name || !*e->name)
        msg = "Bitte geben Sie den Namen des Prozesses an.";
    else if (strlen(e->name) > PROC_MAX_NAME)
        msg = "Der Name darf höchstens 200 Zeichen lang sein.";
    else if (!status_valid(e->status))
        msg = "Bitte wählen Sie einen Status: erfasst, modelliert, optimiert oder digitalisiert.";
    else if (*nz(e->leika) && (strlen(e->leika) != 14 || strspn(e->leika, "0123456789") != 14))
        msg = "Der LeiKa-Schlüssel hat 14 Ziffern; lassen Sie das Feld leer, wenn es keinen gibt.";
    else if (*nz(e->service_key) && !key_valid(e->service_key))
        msg = "Die verknüpfte Leistung ist ein Kürzel aus Kleinbuchstaben, Ziffern und "
              "Bindestrichen.";
    for (size_t i = 0; !msg && i < sizeof texts / sizeof texts[0]; i++)
        if (strlen(nz(texts[i])) > PROC_MAX_TEXT)
            msg = "Ein Text ist zu lang (höchstens 64 KiB je Feld).";
    if (!msg)
        return 0;
    if (why)
        str_adds(why, msg);
    return ERR_INVALID;
}

/* Rewrites the full-text row of process id from its current columns. */
static int index_process(struct store_conn *c, int64_t id)
{
    int rc = store_run(c, "DELETE FROM proc_fts WHERE rowid = ?", "i", id);
    if (!rc)
        rc =
            store_run(c,
                      "INSERT INTO proc_fts (rowid, name, body)"
                      " SELECT id, name || ' ' || key || ' ' || leika || ' ' || service_key,"
                      "  owner_role || ' ' || legal_basis || ' ' || description || ' ' ||"
                      "  checklist || ' ' || responsibilities || ' ' || deputies || ' ' || pitfalls"
                      " FROM proc_processes WHERE id = ?",
                      "i", id);
    return rc;
}

int proc_save(struct store *s, const struct rec_actor *a, const struct proc_entry *e,
              struct str *why)
{
    int rc = check_entry(e, why);
    if (rc)
        return rc;
    if (!proc_may_edit(a, e->unit_nr))
        return ERR_DENIED;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    int64_t have_unit = 0, id = 0, old_unit = 0;
    if ((rc = store_query_int(c, &have_unit, "SELECT count(*) FROM units WHERE nr = ?", "i",
                              (int64_t)e->unit_nr)))
        goto done;
    if (!have_unit) {
        if (why)
            str_addf(why, "Ein Amt %02d gibt es nicht.", e->unit_nr);
        rc = ERR_NOTFOUND;
        goto done;
    }
    rc = store_query_int(c, &id, "SELECT id FROM proc_processes WHERE key = ?", "t", e->key);
    if (rc && rc != ERR_NOTFOUND)
        goto done;
    if (id && (rc = store_query_int(c, &old_unit, "SELECT unit_nr FROM proc_processes WHERE id = ?",
                                    "i", id)))
        goto done;
    bool existed = id != 0;
    if (existed && !proc_may_edit(a, (int)old_unit)) {
        rc = ERR_DENIED;
        goto done;
    }
    char at[32];
    now_iso(at);
    if (existed) {
        rc = store_run(c,
                       "UPDATE proc_processes SET name = ?, unit_nr = ?, leika = ?,"
                       " service_key = ?, owner_role = ?, status = ?, legal_basis = ?,"
                       " description = ?, checklist = ?, responsibilities = ?, deputies = ?,"
                       " pitfalls = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                       "titttttttttttti", e->name, (int64_t)e->unit_nr, nz(e->leika),
                       nz(e->service_key), nz(e->owner_role), e->status, nz(e->legal_basis),
                       nz(e->description), nz(e->checklist), nz(e->responsibilities),
                       nz(e->deputies), nz(e->pitfalls), at, a->login, id);
    } else {
        rc = store_query_int(
            c, &id,
            "INSERT INTO proc_processes (key, name, unit_nr, leika, service_key, owner_role,"
            " status, legal_basis, description, checklist, responsibilities, deputies, pitfalls,"
            " created_at, created_by, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            "ttittttttttttttt"
            "t",
            e->key, e->name, (int64_t)e->unit_nr, nz(e->leika), nz(e->service_key),
            nz(e->owner_role), e->status, nz(e->legal_basis), nz(e->description), nz(e->checklist),
            nz(e->responsibilities), nz(e->deputies), nz(e->pitfalls), at, a->login, at, a->login);
    }
    if (rc)
        goto done;
    if ((rc = index_process(c, id)))
        goto done;
    json_t *d = json_pack("{s:s, s:s, s:i, s:s}", "key", e->key, "name", e->name, "office",
                          e->unit_nr, "status", e->status);
    char obj[PROC_MAX_KEY + 16];
    snprintf(obj, sizeof obj, "process:%s", e->key);
    rc = d ? journal_append(c, a->login, existed ? "proc.save" : "proc.create", obj, d, NULL)
           : ERR_NOMEM;
    json_decref(d);
    if (!rc)
        rc = store_commit(c);
done:
    store_put(s, c);
    return rc;
}

/* Appends one line of text per non-empty line of z to arr. */
static void lines_to(json_t *arr, const char *z)
{
    while (z && *z) {
        const char *e = strchr(z, '\n');
        size_t n = e ? (size_t)(e - z) : strlen(z);
        size_t k = n;
        while (k && (z[k - 1] == '\r' || z[k - 1] == ' '))
            k--;
        size_t b = 0;
        while (b < k && (z[b] == ' ' || z[b] == '-' || z[b] == '*'))
            b++;
        if (k > b)
            json_array_append_new(arr, json_stringn(z + b, k - b));
        z = e ? e + 1 : NULL;
    }
}

int proc_get(struct store *s, const char *key, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *p = NULL;
    struct store_stmt *st;
    int64_t id = 0;
    if ((rc = store_begin(c, false)))
        goto done;
    if ((rc =
             store_prepare(c,
                           "SELECT p.id, p.key, p.name, p.unit_nr AS office, u.name AS office_name,"
                           " p.leika, p.service_key, p.owner_role, p.status, p.legal_basis,"
                           " p.description, p.checklist AS checklist_text, p.responsibilities,"
                           " p.deputies, p.pitfalls, p.created_at, p.created_by, p.updated_at,"
                           " p.updated_by"
                           " FROM proc_processes p JOIN units u ON u.nr = p.unit_nr"
                           " WHERE p.key = ?",
                           &st)))
        goto done;
    if (!(rc = store_bind(st, "t", key)) && (rc = store_step(st)) == STORE_ROW) {
        id = store_col_int(st, 0);
        json_t *check = json_array();
        lines_to(check, store_col_text(st, 11));
        p = store_row_json(st);
        if (p && check && json_object_del(p, "id") == 0) {
            rc = json_object_set_new(p, "checklist", check) ? ERR_NOMEM : 0;
        } else {
            json_decref(check);
            rc = ERR_NOMEM;
        }
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (rc)
        goto done;
    json_t *models = json_array(), *atts = json_array();
    json_object_set_new(p, "models", models);
    json_object_set_new(p, "attachments", atts);
    if (!models || !atts) {
        rc = ERR_NOMEM;
        goto done;
    }
    if ((rc = store_prepare(c,
                            "SELECT version, size, comment, created_at, created_by, deployed_at,"
                            " deployed_by FROM proc_models WHERE process_id = ?"
                            " ORDER BY version DESC",
                            &st)))
        goto done;
    if (!(rc = store_bind(st, "i", id)))
        rc = store_rows_json(st, models);
    store_done(st);
    if (rc)
        goto done;
    if ((rc = store_prepare(c,
                            "SELECT id, filename, mime, size, created_at, created_by"
                            " FROM proc_attachments WHERE process_id = ? ORDER BY id",
                            &st)))
        goto done;
    if (!(rc = store_bind(st, "i", id)))
        rc = store_rows_json(st, atts);
    store_done(st);
done:
    store_put(s, c);
    if (rc) {
        json_decref(p);
        return rc;
    }
    *ret = p;
    return 0;
}

/* Turns what a user typed into an FTS5 query of quoted words (all must
 * match; a trailing * keeps a prefix search), so nothing typed reaches FTS5
 * as syntax. Empty when q has no word. */
static int fts_query(const char *q, struct str *out)
{
    const unsigned char *p = (const unsigned char *)q;
    int rc = 0;
    while (*p && !rc) {
        while (*p && !(isalnum(*p) || *p >= 0x80))
            p++;
        const unsigned char *b = p;
        while (*p && (isalnum(*p) || *p >= 0x80 || *p == '-'))
            p++;
        if (p == b)
            break;
        bool prefix = *p == '*';
        if (out->len)
            rc = str_addc(out, ' ');
        if (!rc)
            rc = str_addc(out, '"');
        if (!rc)
            rc = str_add(out, (const char *)b, (size_t)(p - b));
        if (!rc)
            rc = str_adds(out, prefix ? "\"*" : "\"");
    }
    return rc;
}

/* Appends z HTML-escaped with \x01…\x02 turned into <mark>…</mark>. */
static int add_marked(struct str *out, const char *z)
{
    int rc = 0;
    while (*z && !rc) {
        size_t n = strcspn(z, "\x01\x02");
        rc = str_add_html(out, z, n);
        z += n;
        if (!rc && *z)
            rc = str_adds(out, *z == '\x01' ? "<mark>" : "</mark>");
        if (*z)
            z++;
    }
    return rc;
}

int proc_list(struct store *s, const char *q, const char *status, int unit_nr, json_t **ret)
{
    if (q && strlen(q) > PROC_MAX_QUERY)
        return ERR_TOOBIG;
    struct str fq;
    str_init(&fq, PROC_MAX_QUERY * 4);
    int rc = q ? fts_query(q, &fq) : 0;
    if (rc) {
        str_release(&fq);
        return rc;
    }
    bool search = fq.len > 0;
    struct store_conn *c;
    if ((rc = store_get(s, &c))) {
        str_release(&fq);
        return rc;
    }
    json_t *list = json_array();
    struct store_stmt *st = NULL;
    const char *sql =
        search ? "SELECT p.key, p.name, p.unit_nr, p.status, p.leika, p.service_key,"
                 " (SELECT count(*) FROM proc_models m WHERE m.process_id = p.id),"
                 " snippet(proc_fts, 1, char(1), char(2), ' … ', 16)"
                 " FROM proc_fts JOIN proc_processes p ON p.id = proc_fts.rowid"
                 " WHERE proc_fts MATCH ? AND (? = '' OR p.status = ?) AND (? = 0 OR p.unit_nr = ?)"
                 " ORDER BY bm25(proc_fts, 5.0, 1.0) LIMIT 500"
               : "SELECT p.key, p.name, p.unit_nr, p.status, p.leika, p.service_key,"
                 " (SELECT count(*) FROM proc_models m WHERE m.process_id = p.id), ''"
                 " FROM proc_processes p WHERE ? = ? AND (? = '' OR p.status = ?)"
                 " AND (? = 0 OR p.unit_nr = ?) ORDER BY p.name COLLATE NOCASE LIMIT 500";
    if (!list) {
        rc = ERR_NOMEM;
        goto done;
    }
    if ((rc = store_prepare(c, sql, &st)))
        goto done;
    const char *stz = status ? status : "";
    rc = search ? store_bind(st, "tttii", fq.buf, stz, stz, (int64_t)unit_nr, (int64_t)unit_nr)
                : store_bind(st, "ttttii", "", "", stz, stz, (int64_t)unit_nr, (int64_t)unit_nr);
    struct str snip;
    str_init(&snip, 8192);
    while (!rc) {
        if ((rc = store_step(st)) != STORE_ROW)
            break;
        rc = 0;
        str_reset(&snip);
        const char *sn = store_col_text(st, 7);
        if (sn && *sn && add_marked(&snip, sn))
            str_reset(&snip);
        json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:s}", "key",
                                              store_col_text(st, 0), "name", store_col_text(st, 1),
                                              "office", (int)store_col_int(st, 2), "status",
                                              store_col_text(st, 3), "leika", store_col_text(st, 4),
                                              "service_key", store_col_text(st, 5), "versions",
                                              (int)store_col_int(st, 6), "snippet", snip.buf));
    }
    str_release(&snip);
    store_done(st);
    rc = rc == STORE_DONE ? 0 : rc;
done:
    store_put(s, c);
    str_release(&fq);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *ret = list;
    return 0;
}

/* Loads id and office of process key inside c's transaction. */
static int load_process(struct store_conn *c, const char *key, int64_t *ret_id, int *ret_unit)
{
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT id, unit_nr FROM proc_processes WHERE key = ?", &st);
    if (rc)
        return rc;
    if (!(rc = store_bind(st, "t", key)) && (rc = store_step(st)) == STORE_ROW) {
        *ret_id = store_col_int(st, 0);
        *ret_unit = (int)store_col_int(st, 1);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    return rc;
}

int proc_model_add(struct store *s, const struct rec_actor *a, const char *key, const char *xml,
                   size_t len, const char *comment, int *ret_version, struct str *why)
{
    if (len > PROC_MAX_MODEL)
        return ERR_TOOBIG;
    if (comment && strlen(comment) > PROC_MAX_NAME) {
        if (why)
            str_adds(why, "Der Kommentar darf höchstens 200 Zeichen lang sein.");
        return ERR_INVALID;
    }
    struct bpmn_model *m = NULL;
    int rc = bpmn_parse(xml, len, "Modell", &m, why);
    bpmn_free(m);
    if (rc)
        return rc == ERR_NOMEM ? rc : ERR_INVALID;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    int64_t id = 0, version = 0;
    int unit = 0;
    if ((rc = store_begin(c, true)) || (rc = load_process(c, key, &id, &unit)))
        goto done;
    if (!proc_may_edit(a, unit)) {
        rc = ERR_DENIED;
        goto done;
    }
    char sha[BLOB_HEX], at[32];
    if ((rc = blob_put_mem(s, c, xml, len, sha)))
        goto done;
    if ((rc = store_query_int(c, &version,
                              "SELECT coalesce(max(version), 0) + 1 FROM proc_models"
                              " WHERE process_id = ?",
                              "i", id)))
        goto done;
    now_iso(at);
    if ((rc = store_run(c,
                        "INSERT INTO proc_models (process_id, version, sha256, size, comment,"
                        " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "iitittt", id, version, sha, (int64_t)len, nz(comment), at, a->login)))
        goto done;
    /* a process with a model is at least "modelliert" */
    if ((rc = store_run(c,
                        "UPDATE proc_processes SET status = 'modelliert' WHERE id = ?"
                        " AND status = 'erfasst'",
                        "i", id)))
        goto done;
    char obj[PROC_MAX_KEY + 16];
    snprintf(obj, sizeof obj, "process:%s", key);
    json_t *d =
        json_pack("{s:s, s:I, s:s}", "key", key, "version", (json_int_t)version, "sha256", sha);
    rc = d ? journal_append(c, a->login, "proc.model", obj, d, NULL) : ERR_NOMEM;
    json_decref(d);
    if (!rc)
        rc = store_commit(c);
done:
    store_put(s, c);
    if (!rc && ret_version)
        *ret_version = (int)version;
    return rc;
}

/* Finds the blob of version (0 = newest) of process key. */
static int model_blob(struct store_conn *c, const char *key, int version, char sha[BLOB_HEX],
                      int *ret_version)
{
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT m.sha256, m.version FROM proc_models m"
                           " JOIN proc_processes p ON p.id = m.process_id"
                           " WHERE p.key = ? AND (? = 0 OR m.version = ?)"
                           " ORDER BY m.version DESC LIMIT 1",
                           &st);
    if (rc)
        return rc;
    if (!(rc = store_bind(st, "tii", key, (int64_t)version, (int64_t)version)) &&
        (rc = store_step(st)) == STORE_ROW) {
        snprintf(sha, BLOB_HEX, "%s", store_col_text(st, 0));
        *ret_version = (int)store_col_int(st, 1);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    return rc;
}

int proc_model_read(struct store *s, const char *key, int version, struct str *out,
                    int *ret_version)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    char sha[BLOB_HEX];
    int v = 0;
    rc = model_blob(c, key, version, sha, &v);
    store_put(s, c);
    if (!rc)
        rc = blob_read(s, sha, out);
    if (!rc && ret_version)
        *ret_version = v;
    return rc;
}

int proc_model_deploy(struct store *s, const struct rec_actor *a, const char *key, int version,
                      json_t **ret_problems, struct str *why)
{
    if (!a->system && !(a->roles & WEB_ROLE_ADMIN))
        return ERR_DENIED;
    json_t *p = NULL;
    int rc = proc_get(s, key, &p);
    if (rc)
        return rc;
    const char *service = json_string_value(json_object_get(p, "service_key"));
    if (!service || !*service) {
        if (why)
            str_adds(why, "Der Prozess ist mit keiner Leistung verknüpft; tragen Sie zuerst die "
                          "Leistung ein.");
        json_decref(p);
        return ERR_INVALID;
    }
    struct str xml;
    str_init(&xml, PROC_MAX_MODEL + 1);
    int v = 0;
    if ((rc = proc_model_read(s, key, version, &xml, &v)))
        goto done;
    char name[PROC_MAX_KEY + 32];
    snprintf(name, sizeof name, "%s-v%d.bpmn", key, v);
    struct wf_deployment dep;
    if ((rc = wf_deploy(s, a->login, xml.buf, xml.len, name, service, &dep, ret_problems, why)))
        goto done;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        goto done;
    char at[32], obj[PROC_MAX_KEY + 16];
    now_iso(at);
    snprintf(obj, sizeof obj, "process:%s", key);
    if (!(rc = store_begin(c, true)) &&
        !(rc = store_run(c,
                         "UPDATE proc_models SET deployed_at = ?, deployed_by = ?"
                         " WHERE version = ? AND process_id ="
                         " (SELECT id FROM proc_processes WHERE key = ?)",
                         "ttit", at, a->login, (int64_t)v, key)) &&
        !(rc = store_run(c, "UPDATE proc_processes SET status = 'digitalisiert' WHERE key = ?", "t",
                         key))) {
        json_t *d = json_pack("{s:s, s:i, s:s, s:I}", "key", key, "version", v, "service", service,
                              "model_id", (json_int_t)dep.model_id);
        rc = d ? journal_append(c, a->login, "proc.deploy", obj, d, NULL) : ERR_NOMEM;
        json_decref(d);
        if (!rc)
            rc = store_commit(c);
    }
    store_put(s, c);
done:
    str_release(&xml);
    json_decref(p);
    return rc;
}

int proc_attach(struct store *s, const struct rec_actor *a, const char *key, const char *path,
                const void *data, size_t len, const char *filename, int64_t *ret_id)
{
    struct rec_content ct = {.path = path, .data = data, .len = len, .filename = filename};
    const char *mime = NULL;
    int rc = rec_content_type(&ct, &mime);
    if (rc)
        return rc;
    if (!filename || !*filename || strlen(filename) > 255 || strchr(filename, '/'))
        return ERR_INVALID;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    int64_t id = 0, att = 0, size = (int64_t)len;
    int unit = 0;
    if ((rc = store_begin(c, true)) || (rc = load_process(c, key, &id, &unit)))
        goto done;
    if (!proc_may_edit(a, unit)) {
        rc = ERR_DENIED;
        goto done;
    }
    char sha[BLOB_HEX], at[32];
    rc = path ? blob_put_file(s, c, path, sha, &size) : blob_put_mem(s, c, data, len, sha);
    if (rc)
        goto done;
    if (size > (int64_t)PROC_MAX_ATTACHMENT) {
        rc = ERR_TOOBIG;
        goto done;
    }
    now_iso(at);
    if ((rc = store_query_int(c, &att,
                              "INSERT INTO proc_attachments (process_id, sha256, filename, mime,"
                              " size, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
                              " RETURNING id",
                              "itttitt", id, sha, filename, mime, size, at, a->login)))
        goto done;
    char obj[PROC_MAX_KEY + 16];
    snprintf(obj, sizeof obj, "process:%s", key);
    json_t *d = json_pack("{s:s, s:I, s:s, s:s}", "key", key, "attachment", (json_int_t)att,
                          "filename", filename, "sha256", sha);
    rc = d ? journal_append(c, a->login, "proc.attach", obj, d, NULL) : ERR_NOMEM;
    json_decref(d);
    if (!rc)
        rc = store_commit(c);
done:
    store_put(s, c);
    if (!rc && ret_id)
        *ret_id = att;
    return rc;
}

int proc_attachment_open(struct store *s, const char *key, int64_t id, struct str *ret_path,
                         json_t **ret_meta)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    json_t *meta = NULL;
    char sha[BLOB_HEX] = "";
    if ((rc = store_prepare(c,
                            "SELECT a.sha256, a.filename, a.mime, a.size FROM proc_attachments a"
                            " JOIN proc_processes p ON p.id = a.process_id"
                            " WHERE p.key = ? AND a.id = ?",
                            &st)))
        goto done;
    if (!(rc = store_bind(st, "ti", key, id)) && (rc = store_step(st)) == STORE_ROW) {
        snprintf(sha, sizeof sha, "%s", store_col_text(st, 0));
        meta = json_pack("{s:s, s:s, s:I}", "filename", store_col_text(st, 1), "mime",
                         store_col_text(st, 2), "size", (json_int_t)store_col_int(st, 3));
        rc = meta ? 0 : ERR_NOMEM;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (!rc)
        rc = blob_path(s, sha, ret_path);
done:
    store_put(s, c);
    if (rc) {
        json_decref(meta);
        return rc;
    }
    *ret_meta = meta;
    return 0;
}

int proc_stats(struct store *s, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *by = json_object(), *offices = json_array();
    int64_t total = 0, with_model = 0;
    struct store_stmt *st = NULL;
    if (!by || !offices) {
        rc = ERR_NOMEM;
        goto done;
    }
    if ((rc = store_begin(c, false)) ||
        (rc = store_query_int(c, &total, "SELECT count(*) FROM proc_processes", "")) ||
        (rc = store_query_int(c, &with_model, "SELECT count(DISTINCT process_id) FROM proc_models",
                              "")))
        goto done;
    for (size_t i = 0; i < 4; i++) {
        int64_t n = 0;
        if ((rc = store_query_int(c, &n, "SELECT count(*) FROM proc_processes WHERE status = ?",
                                  "t", proc_statuses[i])))
            goto done;
        json_object_set_new(by, proc_statuses[i], json_integer(n));
    }
    if ((rc = store_prepare(c,
                            "SELECT unit_nr, count(*) FROM proc_processes GROUP BY unit_nr"
                            " ORDER BY unit_nr",
                            &st)))
        goto done;
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(offices, json_pack("{s:i, s:I}", "office", (int)store_col_int(st, 0),
                                                 "total", (json_int_t)store_col_int(st, 1)));
    store_done(st);
    rc = rc == STORE_DONE ? 0 : rc;
done:
    store_put(s, c);
    if (rc) {
        json_decref(by);
        json_decref(offices);
        return rc;
    }
    *ret = json_pack("{s:I, s:I, s:o, s:o}", "total", (json_int_t)total, "with_model",
                     (json_int_t)with_model, "by_status", by, "by_office", offices);
    return *ret ? 0 : ERR_NOMEM;
}
