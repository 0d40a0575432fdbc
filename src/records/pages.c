/* The staff pages of the E-Akte: office dashboard, file and case views with
 * their forms, viewing and downloading versions, the file plan browser, the
 * disposal list, search and the access log. Handlers stay thin: they read the
 * form, call a function of records.h and render a template of
 * templates/records/ or redirect; a form error re-renders the page with the
 * message next to its field. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/rtime.h"
#include "records_int.h"
#include "web/web.h"

/* Named limits of the pages. */
#define PAGES_MAX_FILTER 200             /* bytes of a filter or query text */
#define PAGES_MAX_PAGE 100000            /* highest page number accepted */
#define PAGES_MAX_REASON 500             /* bytes of a hold reason */
#define PAGES_MAX_PLAN_IMPORT (4u << 20) /* bytes of an uploaded file plan */
#define PAGES_MAX_DEPTH_CLASS 6          /* indentation steps of the plan table */
#define PAGES_SEARCH_PER_PAGE 20         /* hits per page of /suche */

/* Roles that keep the plan and decide disposal (records managers), and
 * roles that may read the access log. */
#define ROLES_PLAN (WEB_ROLE_REGISTRY | WEB_ROLE_ADMIN)
#define ROLES_LOG (WEB_ROLE_HEAD | WEB_ROLE_ADMIN)

/* ---- small helpers ---------------------------------------------------- */

static bool has_role(const struct http_req *req, unsigned mask)
{
    return (req->user.roles & mask) != 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copies z without surrounding white space into the arena; "" for NULL. */
static const char *trimmed(struct http_req *req, const char *z)
{
    if (!z)
        return "";
    while (is_space(*z))
        z++;
    size_t n = strlen(z);
    while (n && is_space(z[n - 1]))
        n--;
    const char *r = arena_strndup(req->arena, z, n);
    return r ? r : "";
}

/* The trimmed text field name of the body, "" when absent. */
static const char *field(struct http_req *req, const char *name)
{
    return trimmed(req, form_get(&req->form, name));
}

/* The trimmed query parameter name, "" when absent. */
static const char *qfield(struct http_req *req, const char *name)
{
    return trimmed(req, http_query(req, name));
}

/* An integer query parameter in [min, max], def when absent or malformed. */
static long qint(struct http_req *req, const char *name, long min, long max, long def)
{
    long v;
    const char *z = qfield(req, name);
    return *z && str_to_long(z, min, max, &v) == 0 ? v : def;
}

/* Returns z when it is one of the NULL-terminated list, else NULL. */
static const char *one_of(const char *z, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(z, *list) == 0)
            return z;
    return NULL;
}

static const char *const FILE_STATUSES[] = {"open", "closed", "offered", "disposed", NULL};
static const char *const DIRECTIONS[] = {"in", "out", "internal", NULL};

/* Appends z percent-encoded as one URL component. */
static void url_add(struct str *s, const char *z)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            str_addc(s, (char)*p);
        } else {
            str_addc(s, '%');
            str_addc(s, hex[*p >> 4]);
            str_addc(s, hex[*p & 15]);
        }
    }
}

/* Moves a built string into the arena (NULL when out of memory). */
static const char *arena_str(struct http_req *req, struct str *s)
{
    const char *r = s->err ? NULL : arena_strndup(req->arena, s->buf, s->len);
    str_release(s);
    return r;
}

/* "/akten/<file ref>" or, with n > 0, "/akten/<file ref>/vorgaenge/<n>". */
static const char *file_href(struct http_req *req, const char *file_ref, long n)
{
    struct str s;
    str_init(&s, 1024);
    str_adds(&s, "/akten/");
    url_add(&s, file_ref);
    if (n > 0)
        str_addf(&s, "/vorgaenge/%ld", n);
    return arena_str(req, &s);
}

/* Splits a case reference "<file ref>/<n>" into its parts. */
static int case_ref_split(struct http_req *req, const char *case_ref, const char **ret_file,
                          long *ret_n)
{
    const char *slash = strrchr(case_ref, '/');
    long n;
    if (!slash || str_to_long(slash + 1, 1, 1000000000L, &n) != 0)
        return ERR_INVALID;
    const char *f = arena_strndup(req->arena, case_ref, (size_t)(slash - case_ref));
    if (!f)
        return ERR_NOMEM;
    *ret_file = f;
    *ret_n = n;
    return 0;
}

/* Sets key to a new JSON value, dropping it when the value is NULL. */
static void set(json_t *o, const char *key, json_t *v)
{
    if (v)
        json_object_set_new(o, key, v);
}

/* Records a form error: o.fehler[key] = msg, and an entry {id, text} of the
 * summary o.fehler_liste linking to the field with id field_id. */
static void add_error(json_t *o, const char *key, const char *field_id, const char *msg)
{
    json_t *e = json_object_get(o, "fehler");
    if (!e) {
        e = json_object();
        set(o, "fehler", e);
    }
    json_t *l = json_object_get(o, "fehler_liste");
    if (!l) {
        l = json_array();
        set(o, "fehler_liste", l);
    }
    if (e)
        set(e, key, json_string(msg));
    if (l)
        json_array_append_new(l, json_pack("{s:s, s:s}", "id", field_id, "text", msg));
    json_object_set_new(o, "hat_fehler", json_true());
}

static bool has_errors(const json_t *o)
{
    return json_is_true(json_object_get(o, "hat_fehler"));
}

/* ---- German labels for stored values ------------------------------------ */

static const char *status_label(const char *s)
{
    if (strcmp(s, "open") == 0)
        return "offen";
    if (strcmp(s, "closed") == 0)
        return "zdA (abgeschlossen)";
    if (strcmp(s, "offered") == 0)
        return "dem Archiv angeboten";
    if (strcmp(s, "disposed") == 0)
        return "vernichtet";
    return s;
}

static const char *direction_label(const char *d)
{
    if (strcmp(d, "in") == 0)
        return "Eingang";
    if (strcmp(d, "out") == 0)
        return "Ausgang";
    if (strcmp(d, "internal") == 0)
        return "intern";
    return d;
}

static const char *archive_label(const char *a)
{
    switch (a[0]) {
    case 'A': return "A – archivwürdig";
    case 'B': return "B – bewerten";
    case 'V': return "V – vernichten";
    default: return a;
    }
}

/* Names of journal actions in the access log. */
static const char *action_label(const char *a)
{
    static const struct {
        const char *action, *label;
    } names[] = {
        {"doc.read", "Dokument gelesen"},        {"doc.create", "Dokument angelegt"},
        {"doc.version", "Version gespeichert"},  {"doc.extract", "Text für die Suche erschlossen"},
        {"file.create", "Akte angelegt"},        {"file.close", "Akte zdA verfügt"},
        {"file.share", "Akte freigegeben"},      {"file.hold", "Sperre gesetzt"},
        {"file.release", "Sperre aufgehoben"},   {"file.offer", "dem Archiv angeboten"},
        {"file.destroy", "Akte vernichtet"},     {"case.create", "Vorgang angelegt"},
        {"case.close", "Vorgang abgeschlossen"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(a, names[i].action) == 0)
            return names[i].label;
    return a;
}

/* "Dokument Nr. 14" for a journal object "doc:14". */
static const char *object_label(struct http_req *req, const char *obj)
{
    static const struct {
        const char *kind, *label;
    } kinds[] = {
        {"file:", "Akte"}, {"case:", "Vorgang"}, {"doc:", "Dokument"}, {"version:", "Version"}};
    if (!obj)
        return "";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].kind);
        if (strncmp(obj, kinds[i].kind, n) == 0) {
            const char *r = arena_printf(req->arena, "%s Nr. %s", kinds[i].label, obj + n);
            return r ? r : obj;
        }
    }
    return obj;
}

/* "12 Byte", "3,4 KB", "1,2 MB" (German decimal comma). */
static void size_text(json_int_t n, char *buf, size_t len)
{
    if (n < 1024) {
        snprintf(buf, len, "%lld Byte", (long long)n);
        return;
    }
    const char *unit = "KB";
    long long tenths = (long long)n * 10 / 1024;
    if (n >= 1024 * 1024) {
        unit = "MB";
        tenths = (long long)n * 10 / (1024 * 1024);
    }
    snprintf(buf, len, "%lld,%lld %s", tenths / 10, tenths % 10, unit);
}

/* Adds "<key>_text" with the Berlin display form of an ISO time or date. */
static void add_time_text(json_t *o, const char *key)
{
    const char *iso = json_string_value(json_object_get(o, key));
    if (!iso || !*iso)
        return;
    char buf[40], k[64];
    int64_t t;
    if (rtime_parse_iso(iso, &t) != 0)
        snprintf(buf, sizeof buf, "%s", iso);
    else if (strlen(iso) <= 10)
        rtime_display_date(t, buf, sizeof buf);
    else
        rtime_display(t, buf, sizeof buf);
    snprintf(k, sizeof k, "%s_text", key);
    set(o, k, json_string(buf));
}

/* Adds German display fields ("status_text", "created_at_text", …) to every
 * object inside v, so templates never see stored codes or ISO times. */
static void add_labels(json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) add_labels(e);
        return;
    }
    if (!json_is_object(v))
        return;
    static const char *const times[] = {"created_at", "closed_at", "retention_until", "at",
                                        "dated"};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        add_time_text(v, times[i]);
    const char *z;
    if ((z = json_string_value(json_object_get(v, "status"))))
        set(v, "status_text", json_string(status_label(z)));
    if ((z = json_string_value(json_object_get(v, "direction"))))
        set(v, "direction_text", json_string(direction_label(z)));
    if ((z = json_string_value(json_object_get(v, "archive_decision"))) && *z)
        set(v, "archive_text", json_string(archive_label(z)));
    if ((z = json_string_value(json_object_get(v, "action"))))
        set(v, "action_text", json_string(action_label(z)));
    json_t *size = json_object_get(v, "size");
    if (json_is_integer(size)) {
        char buf[32];
        size_text(json_integer_value(size), buf, sizeof buf);
        set(v, "size_text", json_string(buf));
    }
    const char *key;
    json_t *child;
    json_object_foreach(v, key, child)
    {
        if (json_is_array(child) || json_is_object(child))
            add_labels(child);
    }
}

/* ---- option lists and paging ------------------------------------------ */

/* The offices as [{nr, label, selected}] for a select; exclude is left out. */
static int unit_options(struct http_req *req, int selected, int exclude, json_t **ret)
{
    struct app *app = req->app;
    struct store_conn *c;
    json_t *arr = json_array();
    if (!arr)
        return ERR_NOMEM;
    int rc = store_get(app->store, &c);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    struct store_stmt *st;
    rc = store_prepare(c, "SELECT nr, name FROM units ORDER BY nr", &st);
    if (!rc) {
        int r;
        while ((r = store_step(st)) == STORE_ROW) {
            int nr = (int)store_col_int(st, 0);
            if (nr == exclude)
                continue;
            char label[WEB_MAX_NAME + 16];
            snprintf(label, sizeof label, "%02d – %s", nr, store_col_text(st, 1));
            json_array_append_new(arr, json_pack("{s:i, s:s, s:b}", "nr", nr, "label", label,
                                                 "selected", nr == selected));
        }
        store_done(st);
        if (r != STORE_DONE)
            rc = r < 0 ? r : ERR_DB;
    }
    store_put(app->store, c);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *ret = arr;
    return 0;
}

/* The plan nodes as [{code, label, selected}] for a select of new files. */
static int plan_options(struct http_req *req, const char *selected, json_t **ret)
{
    struct app *app = req->app;
    json_t *plan = NULL;
    int rc = rec_plan_list(app->store, &plan);
    if (rc)
        return rc;
    json_t *arr = json_array();
    size_t i;
    json_t *n;
    json_array_foreach(plan, i, n)
    {
        if (!json_is_true(json_object_get(n, "active")))
            continue;
        const char *code = json_string_value(json_object_get(n, "code"));
        const char *title = json_string_value(json_object_get(n, "title"));
        if (!code || !title)
            continue;
        char label[REC_MAX_CODE + REC_MAX_TITLE + 8];
        snprintf(label, sizeof label, "%s – %s", code, title);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "code", code, "label", label,
                                             "selected", strcmp(code, selected) == 0));
    }
    json_decref(plan);
    if (!arr)
        return ERR_NOMEM;
    *ret = arr;
    return 0;
}

/* Select options [{value, label, selected}] of value/label pairs. */
static json_t *options(const char *const (*pairs)[2], size_t n, const char *selected)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", pairs[i][0], "label",
                                             pairs[i][1], "selected",
                                             strcmp(pairs[i][0], selected) == 0));
    return arr;
}

/* The pager of a list: {aktuell, anzahl, zurueck, weiter} with links that
 * keep the query parameters in keep; NULL when everything fits on one page. */
static json_t *pager(struct http_req *req, const char *path, const char *const *keep,
                     const json_t *list)
{
    json_int_t total = json_integer_value(json_object_get(list, "total"));
    json_int_t page = json_integer_value(json_object_get(list, "page"));
    json_int_t per = json_integer_value(json_object_get(list, "per_page"));
    if (per <= 0 || total <= per)
        return NULL;
    json_int_t pages = (total + per - 1) / per;
    if (page < 1)
        page = 1;
    json_t *p = json_pack("{s:I, s:I}", "aktuell", page, "anzahl", pages);
    for (int dir = -1; p && dir <= 1; dir += 2) {
        json_int_t to = page + dir;
        if (to < 1 || to > pages)
            continue;
        struct str s;
        str_init(&s, 4096);
        str_adds(&s, path);
        char sep = '?';
        for (const char *const *k = keep; *k; k++) {
            const char *v = qfield(req, *k);
            if (!*v)
                continue;
            str_addc(&s, sep);
            sep = '&';
            str_adds(&s, *k);
            str_addc(&s, '=');
            url_add(&s, v);
        }
        str_addf(&s, "%cseite=%lld", sep, (long long)to);
        const char *href = arena_str(req, &s);
        set(p, dir < 0 ? "zurueck" : "weiter", href ? json_string(href) : NULL);
    }
    return p;
}

/* Merges extra (stolen, may be NULL) into d. */
static void merge(json_t *d, json_t *extra)
{
    if (extra) {
        json_object_update(d, extra);
        json_decref(extra);
    }
}

/* ---- /akten: the office dashboard ------------------------------------- */

static const char *const STATUS_FILTER[][2] = {
    {"open", "offen"},
    {"closed", "zdA (abgeschlossen)"},
    {"offered", "dem Archiv angeboten"},
    {"disposed", "vernichtet"},
    {"alle", "alle"},
};

/* The dashboard with the filtered list and the form for a new file; neu
 * (stolen, may be NULL) holds the values and errors of that form. */
static int files_page(struct http_req *req, struct http_resp *resp, int status, json_t *neu)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const char *st = qfield(req, "status");
    if (!*st)
        st = "open";
    else if (strcmp(st, "alle") != 0 && !one_of(st, FILE_STATUSES))
        st = "open";
    const char *text = qfield(req, "text");
    if (strlen(text) > PAGES_MAX_FILTER)
        text = "";
    bool all = strcmp(qfield(req, "bereich"), "alle") == 0;
    struct rec_file_query q = {
        .unit_nr = all ? 0 : req->user.unit_nr,
        .year = (int)qint(req, "jahr", 1900, 9999, 0),
        .status = strcmp(st, "alle") == 0 ? NULL : st,
        .text = *text ? text : NULL,
        .page = (int)qint(req, "seite", 1, PAGES_MAX_PAGE, 1),
        .per_page = REC_PAGE_DEFAULT,
    };
    json_t *list = NULL, *plans = NULL;
    int rc = rec_file_list(app->store, &a, &q, &list);
    const char *plan = json_string_value(json_object_get(neu, "plan"));
    if (!rc)
        rc = plan_options(req, plan ? plan : "", &plans);
    if (rc) {
        json_decref(list);
        json_decref(neu);
        return rc;
    }
    add_labels(list);
    static const char *const keep[] = {"status", "jahr", "text", "bereich", NULL};
    json_t *d = json_pack(
        "{s:s, s:O, s:O, s:o, s:o, s:{s:s, s:s, s:b}, s:i}", "title", "Akten", "akten",
        json_object_get(list, "items"), "total", json_object_get(list, "total"), "status_optionen",
        options(STATUS_FILTER, 5, st), "plan_optionen", plans, "filter", "text", text, "jahr",
        q.year ? qfield(req, "jahr") : "", "alle", all, "amt", req->user.unit_nr);
    if (d) {
        set(d, "seiten", pager(req, "/akten", keep, list));
        set(d, "mehr_als", json_boolean(json_is_true(json_object_get(list, "total_capped"))));
        set(d, "hat_akten", json_boolean(json_array_size(json_object_get(list, "items")) > 0));
        set(d, "gefiltert", json_boolean(*text || q.year || strcmp(st, "open") != 0 || all));
        set(d, "neu", neu ? neu : json_object());
    } else {
        json_decref(neu);
    }
    json_decref(list);
    return web_page_status(req, resp, status, "records/akten.html", d);
}

static int get_files(struct http_req *req, struct http_resp *resp)
{
    return files_page(req, resp, 200, NULL);
}

static int post_files(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const char *plan = field(req, "plan"), *title = field(req, "titel");
    const char *parties = field(req, "beteiligte");
    json_t *neu = json_pack("{s:s, s:s, s:s}", "plan", plan, "titel", title, "beteiligte", parties);
    if (!neu)
        return ERR_NOMEM;
    if (!*plan)
        add_error(neu, "plan", "akte-plan", "Bitte wählen Sie eine Aktenplaneinheit.");
    if (!*title)
        add_error(neu, "titel", "akte-titel", "Bitte geben Sie einen Titel an.");
    else if (strlen(title) > REC_MAX_TITLE)
        add_error(neu, "titel", "akte-titel", "Der Titel darf höchstens 300 Zeichen lang sein.");
    if (strlen(parties) > REC_MAX_PARTIES)
        add_error(neu, "beteiligte", "akte-beteiligte",
                  "Die Angabe der Beteiligten darf höchstens 1000 Zeichen lang sein.");
    if (has_errors(neu))
        return files_page(req, resp, 400, neu);
    char ref[REC_REF_MAX];
    int64_t id;
    struct str why;
    str_init(&why, 1024);
    int rc =
        rec_file_create(app->store, &a, plan, req->user.unit_nr, title, parties, ref, &id, &why);
    if (rc == ERR_INVALID || rc == ERR_NOTFOUND) {
        if (rc == ERR_NOTFOUND)
            add_error(neu, "plan", "akte-plan",
                      "Diese Aktenplaneinheit gibt es nicht oder sie ist nicht mehr aktiv.");
        else
            add_error(neu, "titel", "akte-titel", why.len ? why.buf : err_message(rc));
        str_release(&why);
        return files_page(req, resp, 400, neu);
    }
    str_release(&why);
    json_decref(neu);
    if (rc)
        return rc;
    const char *href = file_href(req, ref, 0);
    const char *to = href ? arena_printf(req->arena, "%s?angelegt=1", href) : NULL;
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

/* ---- /akten/:ref: one file -------------------------------------------- */

/* Notices after a redirect to the file page. */
static const char *file_flash(struct http_req *req)
{
    if (http_query(req, "angelegt"))
        return "Die Akte wurde angelegt.";
    if (http_query(req, "abgeschlossen"))
        return "Die Akte wurde zu den Akten verfügt (zdA). Die Aufbewahrungsfrist läuft.";
    if (http_query(req, "gesperrt"))
        return "Die Sperre wurde gesetzt. Die Akte kann nicht ausgesondert werden.";
    if (http_query(req, "entsperrt"))
        return "Die Sperre wurde aufgehoben.";
    if (http_query(req, "freigegeben"))
        return "Die Akte wurde für das Amt freigegeben.";
    return NULL;
}

/* The file page; extra (stolen, may be NULL) carries form values and errors. */
static int file_page(struct http_req *req, struct http_resp *resp, int status, json_t *extra)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const char *ref = req->param[0];
    json_t *f = NULL, *units = NULL;
    int rc = rec_file_get(app->store, &a, ref, &f);
    int office = (int)json_integer_value(json_object_get(f, "office"));
    if (!rc)
        rc = unit_options(req, 0, office, &units);
    if (rc) {
        json_decref(f);
        json_decref(extra);
        return rc;
    }
    add_labels(f);
    /* the offices it is shared with, by name */
    json_t *shares = json_object_get(f, "shares");
    json_t *share_names = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(shares, i, s)
    {
        json_int_t nr = json_integer_value(s);
        size_t j;
        json_t *u;
        const char *label = NULL;
        json_array_foreach(units, j, u)
        {
            if (json_integer_value(json_object_get(u, "nr")) == nr)
                label = json_string_value(json_object_get(u, "label"));
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%02lld", (long long)nr);
        json_array_append_new(share_names, json_string(label ? label : buf));
    }
    /* offer only offices it is not shared with yet */
    for (size_t j = json_array_size(units); j-- > 0;) {
        json_int_t nr = json_integer_value(json_object_get(json_array_get(units, j), "nr"));
        json_array_foreach(shares, i, s)
        {
            if (json_integer_value(s) == nr) {
                json_array_remove(units, j);
                break;
            }
        }
    }
    const char *st = json_string_value(json_object_get(f, "status"));
    bool open = st && strcmp(st, "open") == 0;
    bool disposed = st && strcmp(st, "disposed") == 0;
    bool own = office == req->user.unit_nr;
    /* the rules of file.c: contents change only in the own office; holds
     * and shares are for records managers and the own office's head */
    bool manager = has_role(req, ROLES_PLAN);
    bool own_head = own && has_role(req, WEB_ROLE_HEAD);
    char title[REC_REF_MAX + 8];
    snprintf(title, sizeof title, "Akte %s", ref);
    json_t *d =
        json_pack("{s:s, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:b, s:s?}", "title", title, "akte", f,
                  "amt_optionen", units, "freigaben", share_names, "offen", open && own,
                  "darf_sperren", !disposed && (manager || own_head), "darf_freigeben",
                  !disposed && (manager || own_head), "darf_protokoll", has_role(req, ROLES_LOG),
                  "gesperrt", json_is_true(json_object_get(f, "hold")), "flash", file_flash(req));
    if (d && open && !own)
        set(d, "nur_lesen", json_true());
    if (d) {
        json_t *cases = json_object_get(json_object_get(d, "akte"), "cases");
        set(d, "hat_vorgaenge", json_boolean(json_array_size(cases) > 0));
        json_t *y = json_object_get(json_object_get(d, "akte"), "retention_years");
        if (json_is_integer(y)) {
            char buf[32];
            snprintf(buf, sizeof buf, "%lld %s", (long long)json_integer_value(y),
                     json_integer_value(y) == 1 ? "Jahr" : "Jahre");
            set(d, "aufbewahrung", json_string(buf));
        }
        merge(d, extra);
    } else {
        json_decref(extra);
    }
    return web_page_status(req, resp, status, "records/akte.html", d);
}

static int get_file(struct http_req *req, struct http_resp *resp)
{
    return file_page(req, resp, 200, NULL);
}

/* Re-renders the file page with one form error: {form: {fehler…}}. */
static int file_error(struct http_req *req, struct http_resp *resp, int status, const char *form,
                      json_t *values, const char *key, const char *id, const char *msg)
{
    json_t *o = values ? values : json_object();
    if (!o)
        return ERR_NOMEM;
    add_error(o, key, id, msg);
    json_t *extra = json_object();
    if (!extra) {
        json_decref(o);
        return ERR_NOMEM;
    }
    json_object_set_new(extra, form, o);
    return file_page(req, resp, status, extra);
}

/* Redirects to the file page of req->param[0] with a notice parameter. */
static int to_file(struct http_req *req, struct http_resp *resp, const char *notice)
{
    const char *href = file_href(req, req->param[0], 0);
    const char *to = href ? arena_printf(req->arena, "%s?%s", href, notice) : NULL;
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int post_case(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const char *title = field(req, "titel");
    json_t *v = json_pack("{s:s}", "titel", title);
    if (!*title)
        return file_error(req, resp, 400, "vorgang_neu", v, "titel", "vorgang-titel",
                          "Bitte geben Sie einen Titel für den Vorgang an.");
    if (strlen(title) > REC_MAX_TITLE)
        return file_error(req, resp, 400, "vorgang_neu", v, "titel", "vorgang-titel",
                          "Der Titel darf höchstens 300 Zeichen lang sein.");
    char cref[REC_REF_MAX];
    int64_t id;
    int rc = rec_case_create(app->store, &a, req->param[0], title, NULL, cref, &id);
    if (rc == ERR_INVALID || rc == ERR_EXISTS)
        return file_error(req, resp, rc == ERR_EXISTS ? 409 : 400, "vorgang_neu", v, "titel",
                          "vorgang-titel",
                          rc == ERR_EXISTS ? "In einer abgeschlossenen Akte können keine "
                                             "Vorgänge mehr angelegt werden."
                                           : "Der Titel ist ungültig.");
    json_decref(v);
    if (rc)
        return rc;
    const char *fref;
    long n;
    if ((rc = case_ref_split(req, cref, &fref, &n)))
        return rc;
    const char *href = file_href(req, fref, n);
    const char *to = href ? arena_printf(req->arena, "%s?angelegt=1", href) : NULL;
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int post_file_close(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    if (strcmp(field(req, "bestaetigt"), "ja") != 0)
        return file_error(req, resp, 400, "zda", NULL, "bestaetigt", "zda-bestaetigt",
                          "Bitte bestätigen Sie, dass die Akte abgeschlossen werden soll.");
    int rc = rec_file_close(app->store, &a, req->param[0]);
    if (rc == ERR_EXISTS)
        return file_error(req, resp, 409, "zda", NULL, "bestaetigt", "zda-bestaetigt",
                          "Die Akte ist bereits abgeschlossen.");
    return rc ? rc : to_file(req, resp, "abgeschlossen=1");
}

static int post_file_hold(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    bool on = strcmp(field(req, "aktion"), "setzen") == 0;
    const char *reason = field(req, "grund");
    json_t *v = json_pack("{s:s}", "grund", reason);
    if (on && !*reason)
        return file_error(req, resp, 400, "sperre", v, "grund", "sperre-grund",
                          "Bitte geben Sie den Grund der Sperre an (z. B. das Aktenzeichen "
                          "des Rechtsstreits).");
    if (strlen(reason) > PAGES_MAX_REASON)
        return file_error(req, resp, 400, "sperre", v, "grund", "sperre-grund",
                          "Der Grund darf höchstens 500 Zeichen lang sein.");
    json_decref(v);
    int rc = rec_file_hold(app->store, &a, req->param[0], on, on ? reason : NULL);
    return rc ? rc : to_file(req, resp, on ? "gesperrt=1" : "entsperrt=1");
}

static int post_file_share(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    long nr;
    if (str_to_long(field(req, "amt"), 1, 9999, &nr) != 0)
        return file_error(req, resp, 400, "freigabe", NULL, "amt", "freigabe-amt",
                          "Bitte wählen Sie ein Amt.");
    int rc = rec_file_share(app->store, &a, req->param[0], (int)nr);
    if (rc == ERR_INVALID)
        return file_error(req, resp, 400, "freigabe", NULL, "amt", "freigabe-amt",
                          "Für dieses Amt kann die Akte nicht freigegeben werden.");
    return rc ? rc : to_file(req, resp, "freigegeben=1");
}

static int get_access_log(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    json_t *f = NULL, *log = NULL;
    int rc = rec_file_get(app->store, &a, req->param[0], &f);
    if (!rc)
        rc = rec_access_log(app->store, &a, req->param[0], &log);
    if (rc) {
        json_decref(f);
        return rc;
    }
    add_labels(log);
    size_t i;
    json_t *e;
    json_array_foreach(log, i, e)
    {
        const char *action = json_string_value(json_object_get(e, "action"));
        const char *mode =
            json_string_value(json_object_get(json_object_get(e, "details"), "mode"));
        if (action && mode && strcmp(action, "doc.read") == 0)
            set(e, "action_text",
                json_string(strcmp(mode, "download") == 0 ? "Dokument heruntergeladen"
                                                          : "Dokument angesehen"));
        set(e, "object_text",
            json_string(object_label(req, json_string_value(json_object_get(e, "object")))));
    }
    char title[REC_REF_MAX + 32];
    snprintf(title, sizeof title, "Zugriffsprotokoll %s", req->param[0]);
    return web_page_status(
        req, resp, 200, "records/zugriffe.html",
        json_pack("{s:s, s:o, s:o}", "title", title, "akte", f, "eintraege", log));
}

/* ---- /akten/:ref/vorgaenge/:n: one case -------------------------------- */

/* The case reference of the path "<file ref>/<n>" in the arena. */
static int case_ref_of(struct http_req *req, const char **ret)
{
    long n;
    if (str_to_long(req->param[1], 1, 1000000000L, &n) != 0)
        return ERR_NOTFOUND;
    const char *r = arena_printf(req->arena, "%s/%ld", req->param[0], n);
    if (!r)
        return ERR_NOMEM;
    *ret = r;
    return 0;
}

static const char *case_flash(struct http_req *req)
{
    if (http_query(req, "angelegt"))
        return "Der Vorgang wurde angelegt.";
    if (http_query(req, "hochgeladen"))
        return "Das Dokument wurde gespeichert. Sein Text wird im Hintergrund für die Suche "
               "erschlossen.";
    if (http_query(req, "version"))
        return "Die neue Version wurde gespeichert.";
    if (http_query(req, "abgeschlossen"))
        return "Der Vorgang wurde abgeschlossen (zdA).";
    return NULL;
}

/* The case page. extra (stolen, may be NULL) carries form values and errors;
 * doc_error puts msg next to the version upload of document doc_id. */
static int case_page(struct http_req *req, struct http_resp *resp, int status, json_t *extra,
                     int64_t doc_id, const char *doc_error)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const char *cref;
    json_t *c = NULL;
    int rc = case_ref_of(req, &cref);
    if (!rc)
        rc = rec_case_get(app->store, &a, cref, &c);
    if (rc) {
        json_decref(extra);
        return rc;
    }
    add_labels(c);
    size_t i;
    json_t *doc;
    json_array_foreach(json_object_get(c, "documents"), i, doc)
    {
        if (doc_error && json_integer_value(json_object_get(doc, "id")) == doc_id)
            set(doc, "version_fehler", json_string(doc_error));
    }
    const char *st = json_string_value(json_object_get(c, "status"));
    const char *fst = json_string_value(json_object_get(c, "file_status"));
    bool own = json_integer_value(json_object_get(c, "office")) == req->user.unit_nr;
    bool open = st && strcmp(st, "open") == 0 && (!fst || strcmp(fst, "open") == 0);
    char title[REC_REF_MAX + 16];
    snprintf(title, sizeof title, "Vorgang %s", cref);
    json_t *d = json_pack("{s:s, s:o, s:s, s:s, s:b, s:b, s:s?}", "title", title, "vorgang", c,
                          "akte_ref", req->param[0], "vorgang_n", req->param[1], "offen",
                          open && own, "nur_lesen", open && !own, "flash", case_flash(req));
    if (d) {
        if (!json_object_get(extra, "dok_neu"))
            set(d, "dok_neu", json_pack("{s:b}", "in", true));
        merge(d, extra);
    } else {
        json_decref(extra);
    }
    return web_page_status(req, resp, status, "records/vorgang.html", d);
}

static int get_case(struct http_req *req, struct http_resp *resp)
{
    return case_page(req, resp, 200, NULL, 0, NULL);
}

/* Redirects to the case page with a notice and an optional anchor. */
static int to_case(struct http_req *req, struct http_resp *resp, const char *notice, int64_t doc_id)
{
    long n;
    if (str_to_long(req->param[1], 1, 1000000000L, &n) != 0)
        return ERR_NOTFOUND;
    const char *href = file_href(req, req->param[0], n);
    const char *to =
        !href        ? NULL
        : doc_id > 0 ? arena_printf(req->arena, "%s?%s#dok-%lld", href, notice, (long long)doc_id)
                     : arena_printf(req->arena, "%s?%s", href, notice);
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

/* The uploaded file field as version content; NULL when none was sent. */
static const struct form_field *upload(struct http_req *req, const char *name,
                                       struct rec_content *ret)
{
    const struct form_field *f = form_field(&req->form, name);
    if (!f || !f->is_file)
        return NULL;
    memset(ret, 0, sizeof *ret);
    ret->path = f->tmp_path;
    ret->data = f->tmp_path ? NULL : f->value;
    ret->len = f->tmp_path ? 0 : f->value_len;
    ret->filename = f->filename && *f->filename ? f->filename : "dokument";
    return f;
}

static const char MSG_MEDIATYPE[] =
    "Dieser Dateityp wird nicht angenommen: Programme und Skripte können nicht abgelegt "
    "werden. Bitte laden Sie z. B. ein PDF, ein Bild oder eine Textdatei hoch.";

static int post_document(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const char *title = field(req, "titel"), *dir = field(req, "richtung");
    const char *dated = field(req, "datum"), *party = field(req, "partei");
    json_t *v = json_pack("{s:s, s:s, s:s}", "titel", title, "datum", dated, "partei", party);
    if (!v)
        return ERR_NOMEM;
    if (one_of(dir, DIRECTIONS))
        set(v, dir, json_true()); /* the radio button to check again */
    struct rec_content content;
    const struct form_field *file = upload(req, "datei", &content);
    int64_t t;
    if (!*title)
        add_error(v, "titel", "dok-titel", "Bitte geben Sie einen Titel an.");
    else if (strlen(title) > REC_MAX_TITLE)
        add_error(v, "titel", "dok-titel", "Der Titel darf höchstens 300 Zeichen lang sein.");
    if (!one_of(dir, DIRECTIONS))
        add_error(
            v, "richtung", "dok-richtung-in",
            "Bitte wählen Sie, ob es ein Eingang, ein Ausgang oder ein internes Dokument ist.");
    if (*dated && (strlen(dated) != 10 || rtime_parse_iso(dated, &t) != 0))
        add_error(v, "datum", "dok-datum", "Bitte geben Sie ein gültiges Datum an (JJJJ-MM-TT).");
    if (strlen(party) > REC_MAX_TITLE)
        add_error(v, "partei", "dok-partei", "Die Angabe darf höchstens 300 Zeichen lang sein.");
    if (!file)
        add_error(v, "datei", "dok-datei", "Bitte wählen Sie die Datei des Dokuments aus.");
    else if (file->size == 0)
        add_error(v, "datei", "dok-datei", "Die ausgewählte Datei ist leer.");
    json_t *extra = json_pack("{s:o}", "dok_neu", v);
    if (!extra)
        return ERR_NOMEM;
    if (has_errors(v))
        return case_page(req, resp, 400, extra, 0, NULL);
    const char *cref;
    int rc = case_ref_of(req, &cref);
    int64_t doc_id = 0, vid;
    struct rec_doc_new dn = {title, dir, *dated ? dated : NULL, *party ? party : NULL};
    const char *mime;
    /* refuse a wrong file before the document exists, so nothing half is left */
    if (!rc)
        rc = rec_content_type(&content, &mime);
    if (!rc)
        rc = rec_doc_create(app->store, &a, cref, &dn, &doc_id);
    if (!rc)
        rc = rec_version_add(app->store, &a, doc_id, &content, &vid, NULL);
    if (rc == ERR_MEDIATYPE || rc == ERR_EXISTS || rc == ERR_INVALID) {
        if (rc == ERR_MEDIATYPE)
            add_error(v, "datei", "dok-datei", MSG_MEDIATYPE);
        else if (rc == ERR_EXISTS)
            add_error(v, "titel", "dok-titel",
                      "Der Vorgang ist abgeschlossen; es können keine Dokumente mehr "
                      "hinzugefügt werden.");
        else
            add_error(v, "titel", "dok-titel", "Die Angaben zum Dokument sind ungültig.");
        return case_page(req, resp,
                         rc == ERR_MEDIATYPE ? 415
                         : rc == ERR_EXISTS  ? 409
                                             : 400,
                         extra, 0, NULL);
    }
    json_decref(extra);
    return rc ? rc : to_case(req, resp, "hochgeladen=1", doc_id);
}

static int post_version(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    long id;
    if (str_to_long(req->param[2], 1, LONG_MAX, &id) != 0)
        return ERR_NOTFOUND;
    struct rec_content content;
    const struct form_field *file = upload(req, "datei", &content);
    if (!file || file->size == 0)
        return case_page(req, resp, 400, NULL, id,
                         file ? "Die ausgewählte Datei ist leer."
                              : "Bitte wählen Sie die Datei der neuen Version aus.");
    int64_t vid;
    int rc = rec_version_add(app->store, &a, id, &content, &vid, NULL);
    if (rc == ERR_MEDIATYPE)
        return case_page(req, resp, 415, NULL, id, MSG_MEDIATYPE);
    if (rc == ERR_EXISTS)
        return case_page(req, resp, 409, NULL, id,
                         "Der Vorgang ist abgeschlossen; es können keine Versionen mehr "
                         "hinzugefügt werden.");
    return rc ? rc : to_case(req, resp, "version=1", id);
}

static int post_case_close(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    if (strcmp(field(req, "bestaetigt"), "ja") != 0) {
        json_t *v = json_object();
        if (!v)
            return ERR_NOMEM;
        add_error(v, "bestaetigt", "vzda-bestaetigt",
                  "Bitte bestätigen Sie, dass der Vorgang abgeschlossen werden soll.");
        return case_page(req, resp, 400, json_pack("{s:o}", "vzda", v), 0, NULL);
    }
    const char *cref;
    int rc = case_ref_of(req, &cref);
    if (!rc)
        rc = rec_case_close(app->store, &a, cref);
    return rc ? rc : to_case(req, resp, "abgeschlossen=1", 0);
}

/* ---- /dokumente/version/:id: content ----------------------------------- */

/* Types a browser shows itself; everything else is only downloaded. Text is
 * always sent as text/plain, so an uploaded HTML file never runs as a page. */
static bool shows_inline(const char *mime)
{
    return strncmp(mime, "text/", 5) == 0 || strcmp(mime, "application/pdf") == 0 ||
           strcmp(mime, "image/png") == 0 || strcmp(mime, "image/jpeg") == 0 ||
           strcmp(mime, "image/gif") == 0 || strcmp(mime, "image/webp") == 0;
}

/* Content-Disposition with an ASCII fallback name and the UTF-8 name
 * (RFC 6266, RFC 8187); path parts and control characters are dropped. */
static const char *disposition(struct http_req *req, bool attachment, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    if (!*base)
        base = "dokument";
    struct str s;
    str_init(&s, 4096);
    str_adds(&s, attachment ? "attachment; filename=\"" : "inline; filename=\"");
    for (const unsigned char *p = (const unsigned char *)base; *p; p++) {
        if (*p >= 0x80) {
            while ((p[1] & 0xC0) == 0x80)
                p++;
            str_addc(&s, '_');
        } else if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '%' || *p == ';') {
            str_addc(&s, '_');
        } else {
            str_addc(&s, (char)*p);
        }
    }
    str_adds(&s, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)base; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p)) {
            str_addc(&s, (char)*p);
        } else if (*p >= 0x20 && *p != 0x7f) {
            str_addc(&s, '%');
            str_addc(&s, hex[*p >> 4]);
            str_addc(&s, hex[*p & 15]);
        }
    }
    return arena_str(req, &s);
}

static int send_version(struct http_req *req, struct http_resp *resp, bool download)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    long id;
    if (str_to_long(req->param[0], 1, LONG_MAX, &id) != 0)
        return ERR_NOTFOUND;
    struct rec_version_file vf;
    int rc = rec_version_open(app->store, &a, id, download, &vf);
    if (rc)
        return rc;
    bool inline_ = !download && shows_inline(vf.mime);
    /* text goes out as text/plain; a type shown neither inline nor asked for
     * as a download is sent as plain bytes to save */
    const char *type = strncmp(vf.mime, "text/", 5) == 0 ? "text/plain; charset=utf-8"
                       : inline_ || download             ? arena_strdup(req->arena, vf.mime)
                                                         : "application/octet-stream";
    const char *disp = disposition(req, !inline_, vf.filename);
    if (!type || !disp)
        return ERR_NOMEM;
    int fd = open(vf.path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log_msg(LOG_ERROR, "version %ld: %s cannot be opened", id, vf.path);
        return ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ERR_IO;
    }
    if ((rc = http_resp_header(req, resp, "Content-Disposition", disp)) ||
        (rc = http_resp_header(req, resp, "Cache-Control", "private, no-store"))) {
        close(fd);
        return rc;
    }
    resp->content_type = type;
    resp->fd = fd;
    resp->fd_size = (uint64_t)st.st_size;
    return 0;
}

static int get_version_view(struct http_req *req, struct http_resp *resp)
{
    return send_version(req, resp, false);
}

static int get_version_download(struct http_req *req, struct http_resp *resp)
{
    return send_version(req, resp, true);
}

/* ---- /aktenplan: the file plan ----------------------------------------- */

static const char *plan_flash(struct http_req *req)
{
    /* the notice repeats only what looks like a code or a count, so a
     * crafted link cannot put other words into the page */
    const char *z;
    long n;
    if ((z = http_query(req, "gespeichert")) && rec__code_valid(z))
        return arena_printf(req->arena, "Die Aktenplaneinheit %s wurde gespeichert.", z);
    if ((z = http_query(req, "importiert")) && str_to_long(z, 0, 1000000, &n) == 0)
        return n == 1 ? "Eine Aktenplaneinheit wurde eingelesen."
                      : arena_printf(req->arena, "%ld Aktenplaneinheiten wurden eingelesen.", n);
    return NULL;
}

/* The plan page. form (stolen, may be NULL) holds the values and errors of
 * the edit form, imp (stolen, may be NULL) those of the import form. */
static int plan_page(struct http_req *req, struct http_resp *resp, int status, json_t *form,
                     json_t *imp)
{
    struct app *app = req->app;
    json_t *plan = NULL;
    int rc = rec_plan_list(app->store, &plan);
    if (rc) {
        json_decref(form);
        json_decref(imp);
        return rc;
    }
    add_labels(plan);
    const char *want = qfield(req, "code");
    json_t *groups = json_array();
    size_t i;
    json_t *n;
    json_array_foreach(plan, i, n)
    {
        json_int_t depth = json_integer_value(json_object_get(n, "depth"));
        if (depth == 0 && groups)
            json_array_append_new(groups,
                                  json_pack("{s:O, s:O}", "code", json_object_get(n, "code"),
                                            "title", json_object_get(n, "title")));
        set(n, "tiefe",
            json_integer(depth < 0                       ? 0
                         : depth > PAGES_MAX_DEPTH_CLASS ? PAGES_MAX_DEPTH_CLASS
                                                         : depth));
        const char *code = json_string_value(json_object_get(n, "code"));
        if (!form && *want && code && strcmp(code, want) == 0) {
            const char *ad = json_string_value(json_object_get(n, "archive_decision"));
            form = json_pack("{s:s, s:O, s:O, s:b, s:b, s:b, s:b, s:b}", "code", code, "titel",
                             json_object_get(n, "title"), "jahre",
                             json_object_get(n, "retention_years"), "ist_a", ad && *ad == 'A',
                             "ist_b", ad && *ad == 'B', "ist_v", ad && *ad == 'V', "aktiv",
                             json_is_true(json_object_get(n, "active")), "vorhanden", true);
        }
    }
    if (!form)
        form = json_pack("{s:b, s:b}", "aktiv", true, "ist_b", true);
    json_t *d = json_pack(
        "{s:s, s:o, s:o?, s:I, s:b, s:o?, s:o?, s:s?}", "title", "Aktenplan", "knoten", plan,
        "gruppen", groups, "anzahl", (json_int_t)json_array_size(plan), "darf_bearbeiten",
        has_role(req, ROLES_PLAN), "bearbeiten", form, "import", imp, "flash", plan_flash(req));
    return web_page_status(req, resp, status, "records/aktenplan.html", d);
}

static int get_plan(struct http_req *req, struct http_resp *resp)
{
    return plan_page(req, resp, 200, NULL, NULL);
}

static int post_plan(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    int rc = web_require(req, ROLES_PLAN);
    if (rc)
        return rc;
    const char *code = field(req, "code"), *title = field(req, "titel");
    const char *years = field(req, "jahre"), *ad = field(req, "entscheidung");
    bool active = strcmp(field(req, "aktiv"), "ja") == 0;
    json_t *v = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "code", code, "titel", title,
                          "jahre", years, "aktiv", active, "ist_a", strcmp(ad, "A") == 0, "ist_b",
                          strcmp(ad, "B") == 0, "ist_v", strcmp(ad, "V") == 0);
    if (!v)
        return ERR_NOMEM;
    long y = 0;
    if (!*code)
        add_error(v, "code", "plan-code", "Bitte geben Sie das Kennzeichen an, z. B. 32.10.05.");
    else if (strlen(code) >= REC_MAX_CODE || !rec__code_valid(code))
        add_error(v, "code", "plan-code",
                  "Das Kennzeichen besteht aus bis zu fünf Zahlen mit je höchstens vier Ziffern, "
                  "getrennt durch Punkte, z. B. 32.10.05.");
    if (!*title)
        add_error(v, "titel", "plan-titel", "Bitte geben Sie die Bezeichnung an.");
    else if (strlen(title) > REC_MAX_TITLE)
        add_error(v, "titel", "plan-titel",
                  "Die Bezeichnung darf höchstens 300 Zeichen lang sein.");
    if (str_to_long(years, 0, 200, &y) != 0)
        add_error(v, "jahre", "plan-jahre",
                  "Bitte geben Sie die Aufbewahrungsfrist als ganze Zahl von 0 bis 200 Jahren an.");
    if (strlen(ad) != 1 || !strchr("ABV", ad[0]))
        add_error(v, "entscheidung", "plan-entscheidung-a",
                  "Bitte wählen Sie die Archiventscheidung.");
    if (has_errors(v))
        return plan_page(req, resp, 400, v, NULL);
    struct rec_plan_node node = {code, title, (int)y, ad[0], active};
    struct str why;
    str_init(&why, 1024);
    rc = rec_plan_save(app->store, &a, &node, &why);
    if (rc == ERR_INVALID || rc == ERR_NOTFOUND) {
        add_error(v, "code", "plan-code",
                  rc == ERR_NOTFOUND ? "Die übergeordnete Aktenplaneinheit gibt es nicht. "
                                       "Legen Sie zuerst sie an."
                  : why.len          ? why.buf
                                     : err_message(rc));
        str_release(&why);
        return plan_page(req, resp, 400, v, NULL);
    }
    str_release(&why);
    json_decref(v);
    if (rc)
        return rc;
    struct str to;
    str_init(&to, 1024);
    str_adds(&to, "/aktenplan?gespeichert=");
    url_add(&to, code);
    const char *loc = arena_str(req, &to);
    return loc ? http_redirect(req, resp, loc) : ERR_NOMEM;
}

static int post_plan_import(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    int rc = web_require(req, ROLES_PLAN);
    if (rc)
        return rc;
    json_t *v = json_object();
    if (!v)
        return ERR_NOMEM;
    const struct form_field *f = form_field(&req->form, "datei");
    if (!f || !f->is_file) {
        add_error(v, "datei", "import-datei", "Bitte wählen Sie eine CSV- oder JSON-Datei aus.");
        return plan_page(req, resp, 400, NULL, v);
    }
    struct str body, why;
    str_init(&body, PAGES_MAX_PLAN_IMPORT + 1);
    str_init(&why, 2048);
    rc = form_field_read(f, PAGES_MAX_PLAN_IMPORT, &body);
    if (rc == ERR_TOOBIG) {
        add_error(v, "datei", "import-datei", "Die Datei darf höchstens 4 MB groß sein.");
        str_release(&body);
        return plan_page(req, resp, 413, NULL, v);
    }
    const char *p = body.buf;
    while (is_space(*p))
        p++;
    bool json = *p == '[' || *p == '{';
    int count = 0;
    if (!rc)
        rc = rec_plan_import(app->store, &a, body.buf, body.len, json, &count, &why);
    str_release(&body);
    if (rc == ERR_INVALID || rc == ERR_NOTFOUND) {
        add_error(v, "datei", "import-datei",
                  why.len ? why.buf : "Die Datei entspricht nicht dem Format des Aktenplans.");
        str_release(&why);
        return plan_page(req, resp, 400, NULL, v);
    }
    str_release(&why);
    json_decref(v);
    if (rc)
        return rc;
    const char *to = arena_printf(req->arena, "/aktenplan?importiert=%d", count);
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int plan_export(struct http_req *req, struct http_resp *resp, bool json)
{
    struct app *app = req->app;
    str_reset(&resp->body);
    int rc = rec_plan_export(app->store, json, &resp->body);
    if (rc)
        return rc;
    resp->content_type = json ? "application/json" : "text/csv; charset=utf-8";
    return http_resp_header(req, resp, "Content-Disposition",
                            json ? "attachment; filename=\"aktenplan.json\""
                                 : "attachment; filename=\"aktenplan.csv\"");
}

static int get_plan_csv(struct http_req *req, struct http_resp *resp)
{
    return plan_export(req, resp, false);
}

static int get_plan_json(struct http_req *req, struct http_resp *resp)
{
    return plan_export(req, resp, true);
}

/* ---- /aussonderung: disposal ------------------------------------------- */

/* True for text made of the characters of an Aktenzeichen only. */
static bool looks_like_ref(const char *z)
{
    size_t n = strlen(z);
    return n > 0 && n < REC_REF_MAX && strspn(z, "0123456789.-") == n;
}

static const char *disposal_flash(struct http_req *req)
{
    const char *z;
    if ((z = http_query(req, "vernichtet")) && looks_like_ref(z))
        return arena_printf(req->arena,
                            "Die Akte %s wurde vernichtet. Ein Nachweis bleibt im Protokoll.", z);
    if ((z = http_query(req, "angeboten")) && looks_like_ref(z))
        return arena_printf(req->arena, "Die Akte %s wurde dem Archiv angeboten.", z);
    return NULL;
}

static int disposal_page(struct http_req *req, struct http_resp *resp, int status,
                         const char *error)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    int rc = web_require(req, ROLES_PLAN);
    json_t *due = NULL;
    if (!rc)
        rc = rec_disposal_due(app->store, &a, &due);
    if (rc)
        return rc;
    add_labels(due);
    /* which action each row offers (the rules of dispose.c): A and B files
     * are offered first, V files and files the archive declined destroyed */
    size_t i;
    json_t *f;
    json_array_foreach(due, i, f)
    {
        const char *fs = json_string_value(json_object_get(f, "status"));
        const char *ad = json_string_value(json_object_get(f, "archive_decision"));
        bool closed = fs && strcmp(fs, "closed") == 0;
        bool v = ad && strcmp(ad, "V") == 0;
        set(f, "darf_anbieten", json_boolean(closed && !v));
        set(f, "darf_vernichten", json_boolean(!closed || v));
    }
    size_t n = json_array_size(due);
    return web_page_status(req, resp, status, "records/aussonderung.html",
                           json_pack("{s:s, s:o, s:b, s:I, s:s?, s:s?}", "title", "Aussonderung",
                                     "akten", due, "hat_akten", n > 0, "anzahl", (json_int_t)n,
                                     "fehler", error, "flash", disposal_flash(req)));
}

static int get_disposal(struct http_req *req, struct http_resp *resp)
{
    return disposal_page(req, resp, 200, NULL);
}

/* Finds the due file ref in the disposal list (a new reference). */
static int due_file(struct http_req *req, const char *ref, json_t **ret)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    json_t *due = NULL;
    int rc = rec_disposal_due(app->store, &a, &due);
    if (rc)
        return rc;
    size_t i;
    json_t *f;
    rc = ERR_NOTFOUND;
    json_array_foreach(due, i, f)
    {
        const char *r = json_string_value(json_object_get(f, "reference"));
        if (r && strcmp(r, ref) == 0) {
            *ret = json_incref(f);
            rc = 0;
            break;
        }
    }
    json_decref(due);
    return rc;
}

static int confirm_page(struct http_req *req, struct http_resp *resp, int status,
                        const char *action, const char *error)
{
    int rc = web_require(req, ROLES_PLAN);
    json_t *f = NULL;
    if (!rc)
        rc = due_file(req, req->param[0], &f);
    if (rc)
        return rc;
    add_labels(f);
    bool destroy = strcmp(action, "vernichten") == 0;
    char title[REC_REF_MAX + 40];
    snprintf(title, sizeof title, destroy ? "Akte %s vernichten" : "Akte %s dem Archiv anbieten",
             req->param[0]);
    return web_page_status(req, resp, status, "records/aussonderung-bestaetigen.html",
                           json_pack("{s:s, s:o, s:s, s:b, s:s?}", "title", title, "akte", f,
                                     "aktion", action, "vernichten", destroy, "fehler", error));
}

static const char *const DISPOSAL_ACTIONS[] = {"vernichten", "anbieten", NULL};

static int get_disposal_confirm(struct http_req *req, struct http_resp *resp)
{
    const char *action = one_of(qfield(req, "aktion"), DISPOSAL_ACTIONS);
    return confirm_page(req, resp, 200, action ? action : "anbieten", NULL);
}

static int post_disposal(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    int rc = web_require(req, ROLES_PLAN);
    if (rc)
        return rc;
    const char *action = one_of(field(req, "aktion"), DISPOSAL_ACTIONS);
    if (!action)
        return ERR_INVALID;
    if (strcmp(field(req, "bestaetigt"), "ja") != 0)
        return confirm_page(req, resp, 400, action,
                            "Bitte bestätigen Sie die Aussonderung mit dem Auswahlfeld.");
    bool destroy = strcmp(action, "vernichten") == 0;
    struct str why;
    str_init(&why, 1024);
    rc = rec__dispose(app->store, &a, req->param[0], destroy, &why);
    if (rc == ERR_EXISTS) {
        const char *msg = arena_strdup(req->arena, why.len ? why.buf
                                                           : "Die Akte kann nicht ausgesondert "
                                                             "werden.");
        str_release(&why);
        return msg ? disposal_page(req, resp, 409, msg) : ERR_NOMEM;
    }
    str_release(&why);
    if (rc)
        return rc;
    struct str to;
    str_init(&to, 1024);
    str_adds(&to, destroy ? "/aussonderung?vernichtet=" : "/aussonderung?angeboten=");
    url_add(&to, req->param[0]);
    const char *loc = arena_str(req, &to);
    return loc ? http_redirect(req, resp, loc) : ERR_NOMEM;
}

/* ---- /suche: full-text search ----------------------------------------- */

static const char *const DIRECTION_FILTER[][2] = {
    {"", "alle"},
    {"in", "Eingang"},
    {"out", "Ausgang"},
    {"internal", "intern"},
};

static const char *const STATUS_SEARCH[][2] = {
    {"", "alle"},
    {"open", "offen"},
    {"closed", "zdA (abgeschlossen)"},
    {"offered", "dem Archiv angeboten"},
};

/* Adds the links of a hit: case page and inline view. */
static void hit_links(struct http_req *req, json_t *hit)
{
    const char *cref = json_string_value(json_object_get(hit, "case_reference"));
    const char *fref;
    long n;
    if (cref && case_ref_split(req, cref, &fref, &n) == 0) {
        const char *href = file_href(req, fref, n);
        set(hit, "vorgang_href", href ? json_string(href) : NULL);
    }
}

static int get_search(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_actor a = rec_actor_of(&req->user);
    const char *q = qfield(req, "q");
    const char *dir = qfield(req, "richtung"), *st = qfield(req, "status");
    if (*dir && !one_of(dir, DIRECTIONS))
        dir = "";
    if (*st && !one_of(st, FILE_STATUSES))
        st = "";
    int unit = (int)qint(req, "amt", 1, 9999, 0);
    int year = (int)qint(req, "jahr", 1900, 9999, 0);
    json_t *units = NULL, *res = NULL, *err = NULL;
    int status = 200;
    int rc = unit_options(req, unit, 0, &units);
    if (rc)
        return rc;
    if (strlen(q) > PAGES_MAX_FILTER) {
        err = json_string("Der Suchbegriff darf höchstens 200 Zeichen lang sein.");
        status = 400;
    } else if (*q) {
        struct rec_search_query sq = {
            .q = q,
            .unit_nr = unit,
            .year = year,
            .status = *st ? st : NULL,
            .direction = *dir ? dir : NULL,
            .page = (int)qint(req, "seite", 1, PAGES_MAX_PAGE, 1),
            .per_page = PAGES_SEARCH_PER_PAGE,
        };
        rc = rec_search(app->store, &a, &sq, &res);
        if (rc == ERR_INVALID && rec_search_short_prefix(q)) {
            err = json_string(REC_SEARCH_MSG_SHORT_PREFIX);
            status = 400;
        } else if (rc == ERR_INVALID) {
            err = json_string("Diese Suchanfrage kann nicht ausgeführt werden. Bitte verwenden "
                              "Sie Wörter ohne Sonderzeichen.");
            status = 400;
        } else if (rc) {
            json_decref(units);
            return rc;
        }
    }
    size_t i;
    json_t *hit;
    json_array_foreach(json_object_get(res, "items"), i, hit) hit_links(req, hit);
    static const char *const keep[] = {"q", "amt", "jahr", "status", "richtung", NULL};
    json_t *d = json_pack(
        "{s:s, s:s, s:b, s:o, s:o, s:o, s:s, s:O?, s:O?, s:o?}", "title",
        *q ? "Suchergebnisse" : "Suche", "q", q, "gesucht", res != NULL, "amt_optionen", units,
        "richtung_optionen", options(DIRECTION_FILTER, 4, dir), "status_optionen",
        options(STATUS_SEARCH, 4, st), "jahr", year ? qfield(req, "jahr") : "", "treffer",
        json_object_get(res, "items"), "total", json_object_get(res, "total"), "fehler", err);
    if (d && res)
        set(d, "seiten", pager(req, "/suche", keep, res));
    json_decref(res);
    return web_page_status(req, resp, status, "records/suche.html", d);
}

/* ---- the route table --------------------------------------------------- */

const struct http_route rec_page_routes[] = {
    {"GET", "/akten", get_files, HTTP_AUTH},
    {"POST", "/akten", post_files, HTTP_AUTH},
    {"GET", "/akten/:ref", get_file, HTTP_AUTH},
    {"POST", "/akten/:ref/vorgaenge", post_case, HTTP_AUTH},
    {"POST", "/akten/:ref/abschliessen", post_file_close, HTTP_AUTH},
    {"POST", "/akten/:ref/sperre", post_file_hold, HTTP_AUTH},
    {"POST", "/akten/:ref/freigabe", post_file_share, HTTP_AUTH},
    {"GET", "/akten/:ref/zugriffe", get_access_log, HTTP_AUTH},
    {"GET", "/akten/:ref/vorgaenge/:n", get_case, HTTP_AUTH},
    {"POST", "/akten/:ref/vorgaenge/:n/dokumente", post_document, HTTP_AUTH | HTTP_UPLOAD},
    {"POST", "/akten/:ref/vorgaenge/:n/dokumente/:id/versionen", post_version,
     HTTP_AUTH | HTTP_UPLOAD},
    {"POST", "/akten/:ref/vorgaenge/:n/abschliessen", post_case_close, HTTP_AUTH},
    {"GET", "/dokumente/version/:id", get_version_view, HTTP_AUTH},
    {"GET", "/dokumente/version/:id/download", get_version_download, HTTP_AUTH},
    {"GET", "/aktenplan", get_plan, HTTP_AUTH},
    {"POST", "/aktenplan", post_plan, HTTP_AUTH},
    {"POST", "/aktenplan/import", post_plan_import, HTTP_AUTH | HTTP_UPLOAD},
    {"GET", "/aktenplan/export.csv", get_plan_csv, HTTP_AUTH},
    {"GET", "/aktenplan/export.json", get_plan_json, HTTP_AUTH},
    {"GET", "/aussonderung", get_disposal, HTTP_AUTH},
    {"GET", "/aussonderung/:ref", get_disposal_confirm, HTTP_AUTH},
    {"POST", "/aussonderung/:ref", post_disposal, HTTP_AUTH},
    {"GET", "/suche", get_search, HTTP_AUTH},
};
const size_t rec_page_routes_count = sizeof rec_page_routes / sizeof rec_page_routes[0];
