/* Documents and their immutable versions. The type of a new version comes
 * from its bytes (libmagic), never from the client, and only types on a
 * whitelist are stored: executables, scripts, HTML and SVG are refused. A
 * version's content goes into the blob store and an extraction job is queued
 * in the same transaction; every read of a version is journaled (doc.read)
 * and committed before its content is handed out. */
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/rtime.h"
#include "records_int.h"
#include "store/blob.h"

/* Bytes of a stored file name. */
#define REC_MAX_FILENAME 200
/* Bytes of TR-RESISCAN capture metadata (JSON). */
#define REC_MAX_CAPTURE 8192
/* Loaded content sniffers kept for reuse. */
#define DOC_MAGIC_IDLE 8

/* The types a version may have: documents, images, text, mail, office
 * formats and ZIP containers (OOXML is sometimes sniffed as plain ZIP). */
static const char *const mime_ok[] = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "image/gif",
    "text/plain",
    "text/csv",
    "application/json", /* structured application data of the portal */
    "text/xml",
    "application/xml",
    "message/rfc822",
    "application/zip",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.graphics",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-outlook",
};

/* Returns the whitelisted static string equal to t, or NULL. */
static const char *mime_allowed(const char *t)
{
    for (size_t i = 0; t && i < sizeof mime_ok / sizeof mime_ok[0]; i++)
        if (strcmp(t, mime_ok[i]) == 0)
            return mime_ok[i];
    return NULL;
}

/* Sniffs the content's type. ERR_INVALID for an empty file, ERR_MEDIATYPE
 * for a type outside the whitelist, ERR_IO when the file cannot be read. */
static int sniff(const struct rec_content *ct, const char **ret)
{
    return rec_content_type(ct, ret);
}

/* Loaded libmagic cookies kept for reuse: loading the database costs about a
 * millisecond, more than sniffing a file does (a bulk import stores hundreds
 * of files per second). A cookie serves one thread at a time; idle ones stay
 * for the life of the process. */
static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_idle[DOC_MAGIC_IDLE]; /* guarded by magic_lock */
static size_t magic_nidle;                 /* guarded by magic_lock */

/* Takes an idle cookie or loads a new one; NULL when out of memory or the
 * database does not load. */
static magic_t magic_take(void)
{
    magic_t m = NULL;
    pthread_mutex_lock(&magic_lock);
    if (magic_nidle)
        m = magic_idle[--magic_nidle];
    pthread_mutex_unlock(&magic_lock);
    if (m)
        return m;
    m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (m && magic_load(m, NULL) != 0) {
        magic_close(m);
        m = NULL;
    }
    return m;
}

static void magic_give(magic_t m)
{
    pthread_mutex_lock(&magic_lock);
    if (magic_nidle < DOC_MAGIC_IDLE) {
        magic_idle[magic_nidle++] = m;
        m = NULL;
    }
    pthread_mutex_unlock(&magic_lock);
    if (m)
        magic_close(m);
}

int rec_content_type(const struct rec_content *ct, const char **ret)
{
    magic_t m = magic_take();
    if (!m)
        return ERR_NOMEM;
    int rc = ERR_INTERNAL;
    const char *t = ct->path ? magic_file(m, ct->path) : magic_buffer(m, ct->data, ct->len);
    if (!t) {
        rc = ct->path ? ERR_IO : ERR_INTERNAL;
        goto done;
    }
    if (strcmp(t, "application/x-empty") == 0 || strcmp(t, "inode/x-empty") == 0) {
        rc = ERR_INVALID;
        goto done;
    }
    const char *ok = mime_allowed(t);
    rc = ok ? 0 : ERR_MEDIATYPE;
    if (ok)
        *ret = ok;
done:
    magic_give(m);
    return rc;
}

/* Copies the last path component of name into out, without control
 * characters, invalid UTF-8 or quotes, at most REC_MAX_FILENAME bytes. */
static void clean_filename(const char *name, char *out, size_t n)
{
    const char *base = name ? name : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)base;
    size_t len = strlen(base);
    size_t max = n - 1 < REC_MAX_FILENAME ? n - 1 : REC_MAX_FILENAME;
    for (size_t i = 0; i < len && k < max;) {
        unsigned char c = p[i];
        size_t seq = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        bool valid = seq && i + seq <= len;
        for (size_t j = 1; valid && j < seq; j++)
            valid = (p[i + j] & 0xC0) == 0x80;
        if (!valid || c < 0x20 || c == 0x7F || c == '"') {
            out[k++] = '_';
            i += valid ? seq : 1;
            continue;
        }
        if (k + seq > max)
            break;
        memcpy(out + k, p + i, seq);
        k += seq;
        i += seq;
    }
    out[k] = '\0';
    while (k && (out[k - 1] == ' ' || out[k - 1] == '.'))
        out[--k] = '\0';
    if (!k || strcmp(out, "_") == 0)
        snprintf(out, n, "%s", "dokument");
}

/* Loads a document's case and file with the checks of need. */
static int doc_load(struct store_conn *c, const struct rec_actor *a, int64_t doc_id,
                    enum rec__need need, struct rec__case *ret_case, struct rec__file *ret_file)
{
    int64_t case_id = 0;
    int rc =
        store_query_int(c, &case_id, "SELECT case_id FROM documents WHERE id = ?", "i", doc_id);
    if (rc)
        return rc;
    return rec__case_load(c, a, NULL, case_id, need, ret_case, ret_file);
}

int rec_doc_create(struct store *s, const struct rec_actor *a, const char *case_ref,
                   const struct rec_doc_new *d, int64_t *ret_id)
{
    int64_t dated = 0;
    if (rec__check_text(d->title, REC_MAX_TITLE, REC__TEXT_REQUIRED, "Der Titel", NULL) ||
        rec__check_text(d->party, REC_MAX_PARTIES, REC__TEXT_MULTILINE, "Absender", NULL) ||
        !d->direction ||
        (strcmp(d->direction, "in") && strcmp(d->direction, "out") &&
         strcmp(d->direction, "internal")) ||
        (d->dated && (strlen(d->dated) != 10 || rtime_parse_iso(d->dated, &dated))))
        return ERR_INVALID;
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec__case k;
    struct rec__file f;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = rec__case_load(c, a, case_ref, 0, REC__WRITE, &k, &f)))
        goto fail;
    if (strcmp(k.status, "open") != 0 || strcmp(f.status, "open") != 0) {
        rc = ERR_EXISTS;
        goto fail;
    }
    char at[32];
    rec__now_iso(at);
    int64_t id = 0;
    if ((rc = store_query_int(c, &id,
                              "INSERT INTO documents (case_id, title, direction, dated, party,"
                              " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              "itttttt", k.id, d->title, d->direction, d->dated,
                              d->party ? d->party : "", at, a->login)))
        goto fail;
    json_t *j = json_pack("{s:I, s:I, s:s}", "case", (json_int_t)k.id, "doc", (json_int_t)id,
                          "direction", d->direction);
    rc = rec__journal(c, a, "doc.create", "doc", id, f.id, j);
    if (rc)
        goto fail;
    if ((rc = store_commit(c)))
        goto done;
    if (ret_id)
        *ret_id = id;
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}

int rec_version_add(struct store *s, const struct rec_actor *a, int64_t doc_id,
                    const struct rec_content *content, int64_t *ret_version_id,
                    const char **ret_mime)
{
    if (!content || (!content->path && !content->data))
        return ERR_INVALID;
    if (content->path) {
        struct stat stt;
        if (stat(content->path, &stt) != 0 || !S_ISREG(stt.st_mode))
            return ERR_IO;
    } else if (!content->len) {
        return ERR_INVALID;
    }
    char *capture = NULL;
    if (content->capture) {
        json_t *cj = json_loads(content->capture, JSON_REJECT_DUPLICATES, NULL);
        if (cj && json_is_object(cj))
            capture = json_dumps(cj, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(cj);
        if (!capture || strlen(capture) > REC_MAX_CAPTURE) {
            free(capture);
            return ERR_INVALID;
        }
    }
    const char *mime = NULL;
    int rc = sniff(content, &mime);
    if (rc) {
        free(capture);
        return rc;
    }
    char filename[REC_MAX_FILENAME + 1];
    clean_filename(content->filename, filename, sizeof filename);
    struct store_conn *c;
    if ((rc = store_get(s, &c))) {
        free(capture);
        return rc;
    }
    struct rec__case k;
    struct rec__file f;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = doc_load(c, a, doc_id, REC__WRITE, &k, &f)))
        goto fail;
    if (strcmp(k.status, "open") != 0 || strcmp(f.status, "open") != 0) {
        rc = ERR_EXISTS;
        goto fail;
    }
    char sha[BLOB_HEX];
    int64_t size = (int64_t)content->len;
    if (content->path && content->batch)
        rc = blob_batch_put_file(content->batch, c, content->path, sha, &size);
    else if (content->path)
        rc = blob_put_file(s, c, content->path, sha, &size);
    else
        rc = blob_put_mem(s, c, content->data, content->len, sha);
    if (rc)
        goto fail;
    int64_t n = 0, id = 0;
    if ((rc = store_query_int(c, &n,
                              "SELECT coalesce(max(n), 0) + 1 FROM versions WHERE document_id = ?",
                              "i", doc_id)))
        goto fail;
    char at[32];
    rec__now_iso(at);
    if ((rc = store_query_int(c, &id,
                              "INSERT INTO versions (document_id, n, blob_sha256, size, mime,"
                              " filename, created_by, created_at, capture)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              "iitittttt", doc_id, n, sha, size, mime, filename, a->login, at,
                              capture ? capture : "{}")))
        goto fail;
    if ((rc = store_run(c,
                        "INSERT INTO jobs (kind, object, state, attempts, created_at, updated_at)"
                        " VALUES ('extract', ?, 'queued', 0, ?, ?)",
                        "itt", id, at, at)))
        goto fail;
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:s, s:I, s:s}", "case", (json_int_t)k.id, "doc",
                          (json_int_t)doc_id, "version", (json_int_t)id, "n", (json_int_t)n,
                          "sha256", sha, "size", (json_int_t)size, "mime", mime);
    rc = rec__journal(c, a, "doc.version", "version", id, f.id, j);
    if (rc)
        goto fail;
    if ((rc = store_commit(c)))
        goto done;
    if (ret_version_id)
        *ret_version_id = id;
    if (ret_mime)
        *ret_mime = mime;
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    free(capture);
    return rc;
}

int rec_version_open(struct store *s, const struct rec_actor *a, int64_t version_id, bool download,
                     struct rec_version_file *ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct rec_version_file v;
    memset(&v, 0, sizeof v);
    char sha[BLOB_HEX] = "";
    int64_t doc_id = 0;
    struct rec__case k;
    struct rec__file f;
    struct str path;
    str_init(&path, sizeof v.path);
    /* a write transaction: the read is journaled before the content leaves */
    if ((rc = store_begin(c, true)))
        goto done;
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "SELECT document_id, blob_sha256, mime, filename, size FROM versions"
                            " WHERE id = ?",
                            &st)))
        goto fail;
    bool have_blob = false;
    if (!(rc = store_bind(st, "i", version_id)) && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        doc_id = store_col_int(st, 0);
        have_blob = !store_col_null(st, 1);
        snprintf(sha, sizeof sha, "%s", store_col_text(st, 1));
        snprintf(v.mime, sizeof v.mime, "%s", store_col_text(st, 2));
        snprintf(v.filename, sizeof v.filename, "%s", store_col_text(st, 3));
        v.size = store_col_int(st, 4);
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (rc)
        goto fail;
    if ((rc = doc_load(c, a, doc_id, REC__SEE, &k, &f)))
        goto fail;
    if (!have_blob) { /* disposed */
        rc = ERR_NOTFOUND;
        goto fail;
    }
    if ((rc = blob_path(s, sha, &path)))
        goto fail;
    snprintf(v.path, sizeof v.path, "%s", path.buf);
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:s}", "case", (json_int_t)k.id, "doc", (json_int_t)doc_id,
                  "version", (json_int_t)version_id, "mode", download ? "download" : "view");
    rc = rec__journal(c, a, "doc.read", "version", version_id, f.id, j);
    if (rc)
        goto fail;
    if ((rc = store_commit(c)))
        goto done;
    *ret = v;
    goto done;
fail:
    store_rollback(c);
done:
    str_release(&path);
    store_put(s, c);
    return rc;
}

int rec_version_get(struct store *s, const struct rec_actor *a, int64_t version_id, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *o = NULL;
    int64_t doc_id = 0;
    struct rec__case k;
    struct rec__file f;
    if ((rc = store_begin(c, false)))
        goto done;
    if ((rc = store_query_int(c, &doc_id, "SELECT document_id FROM versions WHERE id = ?", "i",
                              version_id)))
        goto done;
    if ((rc = doc_load(c, a, doc_id, REC__SEE, &k, &f)))
        goto done;
    struct store_stmt *st;
    if ((rc = store_prepare(
             c,
             "SELECT v.n, v.filename, v.mime, v.size, v.blob_sha256, v.created_at, v.created_by,"
             " v.capture, d.title, EXISTS (SELECT 1 FROM doc_text t WHERE t.version_id = v.id)"
             " FROM versions v JOIN documents d ON d.id = v.document_id WHERE v.id = ?",
             &st)))
        goto done;
    if (!(rc = store_bind(st, "i", version_id)) && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        json_t *capture = json_loads(store_col_text(st, 7), 0, NULL);
        o = json_pack("{s:I, s:I, s:s, s:i, s:s, s:s, s:I, s:s?, s:b, s:s, s:s, s:o, s:s, s:s,"
                      " s:s, s:b}",
                      "id", (json_int_t)version_id, "document_id", (json_int_t)doc_id,
                      "document_title", store_col_text(st, 8), "n", (int)store_col_int(st, 0),
                      "filename", store_col_text(st, 1), "mime", store_col_text(st, 2), "size",
                      (json_int_t)store_col_int(st, 3), "sha256",
                      store_col_null(st, 4) ? NULL : store_col_text(st, 4), "available",
                      !store_col_null(st, 4), "created_at", store_col_text(st, 5), "created_by",
                      store_col_text(st, 6), "capture", capture ? capture : json_object(),
                      "case_reference", k.reference, "file_reference", f.reference, "file_status",
                      f.status, "has_text", (int)store_col_int(st, 9));
        if (!o)
            rc = ERR_NOMEM;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
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
