/* The service catalogue: every data/services/<slug>.json of the embedded
 * data is checked and its form parsed once at start-up; the result is
 * read-only and shared by the request threads. portal_catalog_sync mirrors
 * it into the services table and deploys each service's BPMN model when it
 * is new or changed, so `rathaus init` and `rathaus serve` keep the
 * database in step with the binary — unless the city deployed a model of its
 * own for the service (process library, /admin/prozesse, `rathaus bpmn`),
 * which stays. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "portal_int.h"
#include "store/journal.h"
#include "workflow/deploy.h"

#define SERVICES_DIR "services/"

static const char *sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool slug_ok(const char *z)
{
    if (!z || !*z || strlen(z) >= 64)
        return false;
    for (; *z; z++)
        if (!((*z >= 'a' && *z <= 'z') || (*z >= '0' && *z <= '9') || *z == '-'))
            return false;
    return true;
}

static bool leika_ok(const char *z)
{
    if (!*z)
        return true;
    if (strlen(z) != 14)
        return false;
    for (; *z; z++)
        if (*z < '0' || *z > '9')
            return false;
    return true;
}

static void service_release(struct portal_service *sv)
{
    form_def_free(sv->form);
    json_decref(sv->def);
}

/* Checks one definition and fills sv (takes def). */
static int service_load(const char *file, json_t *def, const char *stem, struct portal_service *sv,
                        struct str *why)
{
    memset(sv, 0, sizeof *sv);
    sv->def = def;
    const char *bad = NULL;
    sv->slug = sget(def, "slug");
    sv->name = sget(def, "name");
    sv->leika = sget(def, "leika");
    sv->topic = sget(def, "topic");
    sv->description = sget(def, "description");
    sv->legal_basis = sget(def, "legal_basis");
    sv->plan_code = sget(def, "plan_code");
    sv->file_per = sget(def, "file_per");
    sv->fee = sget(def, "fee");
    sv->process = sget(def, "process");
    json_t *office = json_object_get(def, "office"), *lvl = json_object_get(def, "ozg_level");
    json_t *days = json_object_get(def, "processing_days");
    if (!slug_ok(sv->slug) || strcmp(sv->slug, stem) != 0)
        bad =
            "„slug“ fehlt, enthält andere Zeichen als a–z, 0–9, - oder passt nicht zum Dateinamen";
    else if (!sv->name || !*sv->name)
        bad = "„name“ fehlt";
    else if (!sv->leika || !leika_ok(sv->leika))
        bad = "„leika“ muss 14 Ziffern haben oder leer sein";
    else if (!json_is_integer(office) || json_integer_value(office) < 1 ||
             json_integer_value(office) > 9999)
        bad = "„office“ muss eine Amtsnummer sein";
    else if (!sv->plan_code || !*sv->plan_code)
        bad = "„plan_code“ fehlt";
    else if (!sv->file_per ||
             (strcmp(sv->file_per, "applicant") && strcmp(sv->file_per, "service_year")))
        bad = "„file_per“ muss „applicant“ oder „service_year“ sein";
    else if (!json_is_integer(lvl) || json_integer_value(lvl) < 3 || json_integer_value(lvl) > 4)
        bad = "„ozg_level“ muss 3 oder 4 sein";
    else if (!sv->process || !*sv->process || strstr(sv->process, ".."))
        bad = "„process“ fehlt";
    else if (!json_is_object(json_object_get(def, "form")))
        bad = "„form“ fehlt";
    if (bad) {
        if (why)
            str_addf(why, "%s: %s", file, bad);
        return ERR_INVALID;
    }
    if (!sv->topic)
        sv->topic = "";
    if (!sv->description)
        sv->description = "";
    if (!sv->legal_basis)
        sv->legal_basis = "";
    if (!sv->fee)
        sv->fee = "";
    sv->office = (int)json_integer_value(office);
    sv->ozg_level = (int)json_integer_value(lvl);
    sv->processing_days = json_is_integer(days) ? (int)json_integer_value(days) : 0;
    struct str fwhy;
    str_init(&fwhy, 1024);
    int rc = form_def_parse(json_object_get(def, "form"), &sv->form, &fwhy);
    if (rc && why)
        str_addf(why, "%s: Formular: %s", file, fwhy.len ? fwhy.buf : err_message(rc));
    str_release(&fwhy);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    const struct portal_service *x = a, *y = b;
    return strcmp(x->name, y->name);
}

int portal_catalog_load(const struct embed_file *files, size_t n, struct portal_catalog **ret,
                        struct str *why)
{
    struct portal_catalog *cat = calloc(1, sizeof *cat);
    if (!cat)
        return ERR_NOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *name = files[i].name;
        size_t len = strlen(name);
        if (strncmp(name, SERVICES_DIR, strlen(SERVICES_DIR)) != 0 || len < 6 ||
            strcmp(name + len - 5, ".json") != 0 || strchr(name + strlen(SERVICES_DIR), '/'))
            continue;
        if (cat->n >= PORTAL_MAX_SERVICES) {
            rc = ERR_TOOBIG;
            if (why)
                str_addf(why, "mehr als %d Leistungen", PORTAL_MAX_SERVICES);
            break;
        }
        if (files[i].len > PORTAL_MAX_DEF_BYTES) {
            rc = ERR_TOOBIG;
            if (why)
                str_addf(why, "data/%s: größer als %zu Bytes", name, PORTAL_MAX_DEF_BYTES);
            break;
        }
        json_error_t jerr;
        json_t *def =
            json_loadb((const char *)files[i].data, files[i].len, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(def)) {
            json_decref(def);
            rc = ERR_INVALID;
            if (why)
                str_addf(why, "data/%s, Zeile %d: %s", name, jerr.line, jerr.text);
            break;
        }
        char stem[128];
        snprintf(stem, sizeof stem, "%.*s", (int)(len - strlen(SERVICES_DIR) - 5),
                 name + strlen(SERVICES_DIR));
        struct portal_service *items = realloc(cat->items, (cat->n + 1) * sizeof *items);
        if (!items) {
            json_decref(def);
            rc = ERR_NOMEM;
            break;
        }
        cat->items = items;
        char file[256];
        snprintf(file, sizeof file, "data/%s", name);
        struct portal_service *sv = &cat->items[cat->n];
        rc = service_load(file, def, stem, sv, why);
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, files[i].data, files[i].len);
        sodium_bin2hex(sv->sha256, sizeof sv->sha256, h, sizeof h);
        cat->n++; /* released below on error as well */
    }
    if (rc) {
        portal_catalog_free(cat);
        return rc;
    }
    if (cat->n)
        qsort(cat->items, cat->n, sizeof *cat->items, by_name);
    *ret = cat;
    return 0;
}

void portal_catalog_free(struct portal_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n; i++)
        service_release(&cat->items[i]);
    free(cat->items);
    free(cat);
}

size_t portal_catalog_count(const struct portal_catalog *cat)
{
    return cat ? cat->n : 0;
}

const struct portal_service *portal_service_find(const struct portal_catalog *cat, const char *slug)
{
    if (!cat || !slug)
        return NULL;
    for (size_t i = 0; i < cat->n; i++)
        if (strcmp(cat->items[i].slug, slug) == 0)
            return &cat->items[i];
    return NULL;
}

int portal_catalog_json(const struct portal_catalog *cat, json_t **ret)
{
    json_t *arr = json_array();
    if (!arr)
        return ERR_NOMEM;
    for (size_t i = 0; cat && i < cat->n; i++) {
        const struct portal_service *sv = &cat->items[i];
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:s, s:b}", "slug", sv->slug,
            "name", sv->name, "leika", sv->leika, "topic", sv->topic, "office", sv->office,
            "plan_code", sv->plan_code, "file_per", sv->file_per, "fee", sv->fee, "processing_days",
            sv->processing_days, "ozg_level", sv->ozg_level, "process", sv->process, "online", 1);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return ERR_NOMEM;
        }
    }
    *ret = arr;
    return 0;
}

/* Writes the services table in one transaction; journals what changed. */
static int mirror(struct store *s, const struct portal_catalog *cat)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    char at[32];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    json_t *changed = json_array();
    if (!changed) {
        rc = ERR_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < cat->n && !rc; i++) {
        const struct portal_service *sv = &cat->items[i];
        int64_t same = 0;
        rc = store_query_int(c, &same,
                             "SELECT COUNT(*) FROM services WHERE slug = ? AND online = 1"
                             " AND definition_sha256 = ?",
                             "tt", sv->slug, sv->sha256);
        if (rc || same)
            continue;
        rc = store_run(c,
                       "INSERT INTO services (slug, name, leika, topic, office, plan_code,"
                       " file_per, ozg_level, processing_days, online, definition_sha256,"
                       " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
                       " ON CONFLICT (slug) DO UPDATE SET name = excluded.name,"
                       " leika = excluded.leika, topic = excluded.topic, office = excluded.office,"
                       " plan_code = excluded.plan_code, file_per = excluded.file_per,"
                       " ozg_level = excluded.ozg_level,"
                       " processing_days = excluded.processing_days, online = 1,"
                       " definition_sha256 = excluded.definition_sha256,"
                       " updated_at = excluded.updated_at",
                       "ttttittiitt", sv->slug, sv->name, sv->leika, sv->topic, (int64_t)sv->office,
                       sv->plan_code, sv->file_per, (int64_t)sv->ozg_level,
                       (int64_t)sv->processing_days, sv->sha256, at);
        if (!rc && json_array_append_new(changed, json_string(sv->slug)))
            rc = ERR_NOMEM;
    }
    /* services that left the catalogue go offline (their cases stay) */
    struct store_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(c, "SELECT slug FROM services WHERE online = 1", &st);
    json_t *gone = json_array();
    while (!rc && gone && (rc = store_step(st)) == STORE_ROW) {
        if (!portal_service_find(cat, store_col_text(st, 0)))
            json_array_append_new(gone, json_string(store_col_text(st, 0)));
        rc = 0;
    }
    if (st)
        store_done(st);
    if (rc == STORE_DONE)
        rc = 0;
    if (!gone && !rc)
        rc = ERR_NOMEM;
    size_t k;
    json_t *v;
    json_array_foreach(gone, k, v)
    {
        if (!rc)
            rc = store_run(c, "UPDATE services SET online = 0, updated_at = ? WHERE slug = ?", "tt",
                           at, json_string_value(v));
    }
    if (!rc && (json_array_size(changed) || json_array_size(gone))) {
        /* journal_append borrows its details */
        json_t *d = json_pack("{s:O, s:O}", "changed", changed, "offline", gone);
        rc = d ? journal_append(c, "system", "service.sync", "services", d, NULL) : ERR_NOMEM;
        json_decref(d);
    }
    json_decref(gone);
    json_decref(changed);
    if (!rc) {
        rc = store_commit(c);
        goto done;
    }
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}

/* The hex SHA-256 of the model deployed for service ("" when none) and who
 * deployed it ("system" for the shipped models). */
static int deployed_sha(struct store *s, const char *service, char out[PORTAL_HASH_LEN],
                        char by[PORTAL_BY_LEN])
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    out[0] = by[0] = '\0';
    rc = store_prepare(c,
                       "SELECT m.bpmn_sha256, m.deployed_by FROM deployments d"
                       " JOIN process_models m ON m.id = d.model_id WHERE d.service_key = ?",
                       &st);
    if (!rc) {
        rc = store_bind(st, "t", service);
        if (!rc && (rc = store_step(st)) == STORE_ROW) {
            snprintf(out, PORTAL_HASH_LEN, "%s", store_col_text(st, 0));
            snprintf(by, PORTAL_BY_LEN, "%s", store_col_text(st, 1));
        }
        rc = rc < 0 ? rc : 0;
        store_done(st);
    }
    store_put(s, c);
    return rc;
}

int portal_catalog_sync(struct store *s, const struct portal_catalog *cat,
                        const struct embed_file *files, size_t n, int *ret_deployed,
                        struct str *why)
{
    int rc = mirror(s, cat);
    if (rc)
        return rc;
    int deployed = 0, first = 0;
    for (size_t i = 0; i < cat->n; i++) {
        const struct portal_service *sv = &cat->items[i];
        char path[300];
        snprintf(path, sizeof path, "bpmn/%s", sv->process);
        char shown[320];
        snprintf(shown, sizeof shown, "data/%s", path);
        const struct embed_file *f = NULL;
        for (size_t j = 0; j < n; j++)
            if (strcmp(files[j].name, path) == 0)
                f = &files[j];
        if (!f) {
            if (why)
                str_addf(why, "%sdata/%s fehlt (Leistung %s)", why->len ? "; " : "", path,
                         sv->slug);
            first = first ? first : ERR_INVALID;
            continue;
        }
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[PORTAL_HASH_LEN], have[PORTAL_HASH_LEN], by[PORTAL_BY_LEN];
        crypto_hash_sha256(h, f->data, f->len);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        if ((rc = deployed_sha(s, sv->slug, have, by)))
            return rc;
        /* the same model, or one the city deployed itself (never overwritten) */
        if (strcmp(have, hex) == 0 || (*have && strcmp(by, "system") != 0))
            continue;
        struct wf_deployment dep;
        struct str err;
        str_init(&err, 2048);
        json_t *problems = NULL;
        rc = wf_deploy(s, "system", (const char *)f->data, f->len, shown, sv->slug, &dep, &problems,
                       &err);
        if (rc && why) {
            str_addf(why, "%s%s", why->len ? "; " : "", err.len ? err.buf : err_message(rc));
            size_t k;
            json_t *p;
            json_array_foreach(problems, k, p)
            {
                str_addf(why, " (%s: %s)", sget(p, "id") ? sget(p, "id") : "?",
                         sget(p, "reason") ? sget(p, "reason") : "");
            }
        }
        json_decref(problems);
        str_release(&err);
        if (rc == ERR_INVALID) {
            first = first ? first : rc;
            continue;
        }
        if (rc)
            return rc;
        deployed++;
    }
    if (ret_deployed)
        *ret_deployed = deployed;
    return first;
}

int portal_services_online(struct store *s, int min_level, int *ret_count)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    int64_t n = 0;
    rc = store_query_int(c, &n, "SELECT COUNT(*) FROM services WHERE online = 1 AND ozg_level >= ?",
                         "i", (int64_t)min_level);
    store_put(s, c);
    if (!rc)
        *ret_count = (int)n;
    return rc;
}
