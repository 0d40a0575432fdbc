/* The submission without media break: one write transaction finds or
 * creates the Akte of the responsible office, creates the Vorgang, files the
 * application data as a JSON document and as a readable PDF, files each
 * attachment under its original name, starts the service's workflow with
 * the data as its variables and records the submission. The E-Akte and the
 * workflow write through their own headers; their transactions nest into
 * ours (store.h), so everything is durable together or not at all.
 *
 * Which Akte: a service with file_per "service_year" files all its cases of
 * a calendar year into one Akte per office ("<name> <year>"). With
 * "applicant", the cases of one applicant share an Akte; the applicant is
 * recognised by a normalised key taken from the fields marked with the
 * HTML autocomplete tokens family-name + given-name + bday (all three
 * present), else email, else name + bday; letters are lowercased and white
 * space collapsed. Only a SHA-256 of office, plan node and key is stored
 * (portal_files). Without any of these fields every submission gets its own
 * Akte. A closed Akte is never reused: a new one is opened. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "portal_int.h"
#include "store/blob.h"
#include "store/journal.h"
#include "view/pdf.h"
#include "workflow/engine.h"

/* Finds the value of the first field whose autocomplete is token (walking
 * the definition), as text; NULL when none or empty. */
static const char *by_autocomplete(const struct portal_service *svc, const json_t *data,
                                   const char *token)
{
    const json_t *steps = json_object_get(json_object_get(svc->def, "form"), "steps");
    size_t i, j, k;
    json_t *st, *g, *f;
    json_array_foreach(steps, i, st)
    {
        json_array_foreach(json_object_get(st, "groups"), j, g)
        {
            if (json_object_get(g, "repeat"))
                continue; /* entries of a repeatable group describe others */
            json_array_foreach(json_object_get(g, "fields"), k, f)
            {
                const char *ac = json_string_value(json_object_get(f, "autocomplete"));
                const char *id = json_string_value(json_object_get(f, "id"));
                if (!ac || !id || strcmp(ac, token) != 0)
                    continue;
                const char *v = json_string_value(json_object_get(data, id));
                if (v && *v)
                    return v;
            }
        }
    }
    return NULL;
}

/* Appends z lowercased (ASCII) with white space runs as one blank, trimmed. */
static void add_norm(struct str *out, const char *z)
{
    bool blank = false, any = false;
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        if (isspace(*p)) {
            blank = any;
            continue;
        }
        if (blank)
            str_addc(out, ' ');
        blank = false;
        any = true;
        str_addc(out, (char)tolower(*p));
    }
}

/* The normalised applicant key (see the file comment); "" when none. */
static void applicant_key(const struct portal_service *svc, const json_t *data, struct str *out)
{
    const char *fam = by_autocomplete(svc, data, "family-name");
    const char *giv = by_autocomplete(svc, data, "given-name");
    const char *bday = by_autocomplete(svc, data, "bday");
    const char *mail = by_autocomplete(svc, data, "email");
    const char *name = by_autocomplete(svc, data, "name");
    if (fam && giv && bday) {
        str_adds(out, "person:");
        add_norm(out, fam);
        str_addc(out, '|');
        add_norm(out, giv);
        str_addc(out, '|');
        add_norm(out, bday);
    } else if (mail) {
        str_adds(out, "email:");
        add_norm(out, mail);
    } else if (name && bday) {
        str_adds(out, "name:");
        add_norm(out, name);
        str_addc(out, '|');
        add_norm(out, bday);
    }
}

void portal_applicant_name(const struct portal_service *svc, const json_t *data, struct str *out)
{
    const char *fam = by_autocomplete(svc, data, "family-name");
    const char *giv = by_autocomplete(svc, data, "given-name");
    const char *name = by_autocomplete(svc, data, "name");
    const char *org = by_autocomplete(svc, data, "organization");
    if (giv && fam)
        str_addf(out, "%s %s", giv, fam);
    else if (fam)
        str_adds(out, fam);
    else if (name)
        str_adds(out, name);
    else if (org)
        str_adds(out, org);
}

/* The Akte for this submission inside the open transaction c: an open one
 * remembered under the key, or a new one. */
static int find_file(struct store *s, struct store_conn *c, const struct portal_service *svc,
                     const json_t *data, const char *applicant, char ref[REC_REF_MAX])
{
    struct rec_actor a = rec_actor_system(PORTAL_ACTOR);
    struct str key, title;
    str_init(&key, 4096);
    str_init(&title, REC_MAX_TITLE);
    int year = rtime_year(rtime_now());
    int rc = 0;
    if (strcmp(svc->file_per, "service_year") == 0) {
        str_addf(&key, "service:%s:%d", svc->slug, year);
        str_addf(&title, "%s %d", svc->name, year);
    } else {
        applicant_key(svc, data, &key);
        str_addf(&title, "Antragsteller/in %s", *applicant ? applicant : "(ohne Namen)");
    }
    if (key.err || title.err) {
        rc = ERR_NOMEM;
        goto done;
    }
    char hash[PORTAL_HASH_LEN] = "";
    if (key.len) {
        char prefix[128];
        snprintf(prefix, sizeof prefix, "file:%d:%s:", svc->office, svc->plan_code);
        portal_hash(prefix, key.buf, hash);
        struct store_stmt *st;
        if ((rc = store_prepare(c,
                                "SELECT p.file_ref FROM portal_files p"
                                " JOIN files f ON f.reference = p.file_ref"
                                " WHERE p.key_hash = ? AND f.status = 'open'",
                                &st)))
            goto done;
        rc = store_bind(st, "t", hash);
        if (!rc && (rc = store_step(st)) == STORE_ROW)
            snprintf(ref, REC_REF_MAX, "%s", store_col_text(st, 0));
        store_done(st);
        if (rc < 0)
            goto done;
        if (rc == STORE_ROW) {
            rc = 0;
            goto done;
        }
    }
    struct str why;
    str_init(&why, 1024);
    int64_t id;
    rc = rec_file_create(s, &a, svc->plan_code, svc->office, title.buf, applicant, ref, &id, &why);
    str_release(&why);
    if (!rc && key.len)
        rc = store_run(c,
                       "INSERT INTO portal_files (key_hash, file_ref) VALUES (?, ?)"
                       " ON CONFLICT (key_hash) DO UPDATE SET file_ref = excluded.file_ref",
                       "tt", hash, ref);
done:
    str_release(&key);
    str_release(&title);
    return rc;
}

/* Files one incoming document with one version into case_ref. */
static int file_doc(struct store *s, const char *case_ref, const char *title, const char *party,
                    const char *dated, const struct rec_content *content, json_t *docs)
{
    struct rec_actor a = rec_actor_system(PORTAL_ACTOR);
    struct rec_doc_new dn = {title, "in", dated, *party ? party : NULL};
    int64_t doc_id, vid;
    int rc = rec_doc_create(s, &a, case_ref, &dn, &doc_id);
    if (!rc)
        rc = rec_version_add(s, &a, doc_id, content, &vid, NULL);
    if (!rc &&
        json_array_append_new(docs, json_pack("{s:s, s:s, s:I}", "title", title, "filename",
                                              content->filename, "version", (json_int_t)vid)))
        rc = ERR_NOMEM;
    return rc;
}

/* Drops a draft with its files' blob references (inside c's transaction). */
static int draft_drop(struct store_conn *c, int64_t draft_id)
{
    struct store_stmt *st;
    json_t *shas = json_array();
    if (!shas)
        return ERR_NOMEM;
    int rc = store_prepare(c, "SELECT sha256 FROM draft_files WHERE draft_id = ?", &st);
    if (!rc) {
        rc = store_bind(st, "i", draft_id);
        while (!rc && (rc = store_step(st)) == STORE_ROW) {
            json_array_append_new(shas, json_string(store_col_text(st, 0)));
            rc = 0;
        }
        store_done(st);
        rc = rc < 0 ? rc : 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(shas, i, v)
    {
        if (!rc)
            rc = blob_unref(c, json_string_value(v));
    }
    json_decref(shas);
    if (!rc)
        rc = store_run(c, "DELETE FROM draft_files WHERE draft_id = ?", "i", draft_id);
    if (!rc)
        rc = store_run(c, "DELETE FROM drafts WHERE id = ?", "i", draft_id);
    return rc;
}

int portal_submit(struct store *s, const struct portal_service *svc, const json_t *data,
                  const struct portal_file *files, size_t nfiles, const char *secret,
                  int64_t draft_id, struct portal_receipt *ret)
{
    struct store_conn *c;
    struct portal_receipt r = {0};
    char idem[PORTAL_HASH_LEN], status_hash[PORTAL_HASH_LEN];
    portal_hash("idem:", secret, idem);
    portal_status_token(secret, r.token);
    portal_hash("status:", r.token, status_hash);
    struct str applicant, pdf;
    str_init(&applicant, REC_MAX_PARTIES);
    str_init(&pdf, 0);
    json_t *docs = json_array();
    char *dump = NULL;
    /* the renderings first: no lock is held while pango lays out pages */
    int rc = portal_data_pdf(svc, data, NULL, NULL, &pdf);
    if (rc)
        goto out;
    dump = json_dumps(data, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!dump) {
        rc = ERR_NOMEM;
        goto out;
    }
    if ((rc = store_get(s, &c)))
        goto out;
    if ((rc = store_begin(c, true)))
        goto done;
    /* a repeated request (double click, retry): the first receipt */
    struct store_stmt *st;
    if ((rc = store_prepare(c, "SELECT case_ref FROM submissions WHERE idempotency_key = ?", &st)))
        goto fail;
    rc = store_bind(st, "t", idem);
    if (!rc && (rc = store_step(st)) == STORE_ROW) {
        snprintf(r.case_ref, sizeof r.case_ref, "%s", store_col_text(st, 0));
        r.repeated = true;
    }
    store_done(st);
    if (rc < 0)
        goto fail;
    if (r.repeated) {
        store_rollback(c);
        *ret = r;
        rc = 0;
        goto done;
    }
    portal_applicant_name(svc, data, &applicant);
    char today[32], file_ref[REC_REF_MAX];
    int64_t now = rtime_now();
    rtime_iso_utc(now, today, sizeof today);
    today[10] = '\0';
    if (!docs || applicant.err) {
        rc = ERR_NOMEM;
        goto fail;
    }
    if ((rc = find_file(s, c, svc, data, applicant.buf, file_ref)))
        goto fail;
    struct rec_actor a = rec_actor_system(PORTAL_ACTOR);
    char case_title[REC_MAX_TITLE];
    snprintf(case_title, sizeof case_title, "Online-Antrag %s%s%s", svc->name,
             applicant.len ? " – " : "", applicant.buf);
    int64_t case_id;
    if ((rc = rec_case_create(s, &a, file_ref, case_title, svc->slug, r.case_ref, &case_id)))
        goto fail;
    /* the data as structured JSON and as a readable PDF */
    struct rec_content cj = {.data = dump, .len = strlen(dump), .filename = "antragsdaten.json"};
    if ((rc = file_doc(s, r.case_ref, "Antragsdaten (strukturiert)", applicant.buf, today, &cj,
                       docs)))
        goto fail;
    struct rec_content cp = {.data = pdf.buf, .len = pdf.len, .filename = "antrag.pdf"};
    if ((rc = file_doc(s, r.case_ref, "Antrag (lesbare Fassung)", applicant.buf, today, &cp, docs)))
        goto fail;
    for (size_t i = 0; i < nfiles; i++) {
        struct rec_content cf = {.path = files[i].path,
                                 .data = files[i].data,
                                 .len = files[i].len,
                                 .filename = files[i].name};
        if ((rc = file_doc(s, r.case_ref, files[i].name, applicant.buf, today, &cf, docs)))
            goto fail;
    }
    int64_t inst = 0;
    if ((rc = wf_start(s, PORTAL_ACTOR, svc->slug, r.case_ref, data, &inst)))
        goto fail;
    char *djson = json_dumps(docs, JSON_COMPACT);
    if (!djson) {
        rc = ERR_NOMEM;
        goto fail;
    }
    int64_t sub_id = 0;
    rc =
        store_query_int(c, &sub_id,
                        "INSERT INTO submissions (service, case_id, case_ref, status_token_hash,"
                        " idempotency_key, documents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                        "tittttt", svc->slug, case_id, r.case_ref, status_hash, idem, djson, today);
    free(djson);
    if (rc)
        goto fail;
    if (draft_id && (rc = draft_drop(c, draft_id)))
        goto fail;
    char obj[48];
    snprintf(obj, sizeof obj, "submission:%lld", (long long)sub_id);
    json_t *jd = json_pack("{s:s, s:s, s:I, s:I, s:I}", "service", svc->slug, "case", r.case_ref,
                           "case_id", (json_int_t)case_id, "instance", (json_int_t)inst,
                           "documents", (json_int_t)json_array_size(docs));
    rc = jd ? journal_append(c, PORTAL_ACTOR, "portal.submit", obj, jd, NULL) : ERR_NOMEM;
    json_decref(jd); /* journal_append borrows its details */
    if (rc)
        goto fail;
    if ((rc = store_commit(c)))
        goto fail;
    *ret = r;
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
out:
    free(dump);
    json_decref(docs);
    str_release(&applicant);
    str_release(&pdf);
    return rc;
}

int portal_data_pdf(const struct portal_service *svc, const json_t *data, const char *case_ref,
                    const char *city, struct str *out)
{
    json_t *sum = NULL;
    struct pdf_doc *d = NULL;
    char letter[300];
    snprintf(letter, sizeof letter, "%s · Amt %d", city ? city : "Stadtverwaltung", svc->office);
    int rc = form_summary(svc->form, data, &sum);
    if (!rc)
        rc = pdf_new(svc->name, letter, rtime_now(), &d);
    if (!rc)
        rc = pdf_heading(d, 1, svc->name);
    if (!rc && case_ref)
        rc = pdf_field(d, "Vorgang", case_ref);
    const char *last = NULL;
    size_t i;
    json_t *row;
    json_array_foreach(sum, i, row)
    {
        const char *step = json_string_value(json_object_get(row, "step"));
        const char *label = json_string_value(json_object_get(row, "label"));
        const char *value = json_string_value(json_object_get(row, "value"));
        if (!rc && step && (!last || strcmp(step, last) != 0)) {
            rc = pdf_heading(d, 2, step);
            last = step;
        }
        if (!rc)
            rc = pdf_field(d, label ? label : "", value ? value : "");
    }
    if (!rc)
        rc = pdf_render(d, out);
    pdf_free(d);
    json_decref(sum);
    return rc;
}
