/* The staff pages of process mining: /prozesse/analyse lists the services
 * with a deployed process and their case counts, /prozesse/analyse/<service>
 * shows every figure as tables with SVG bar charts beside them (the charts
 * repeat the tables and are hidden from screen readers), and
 * /prozesse/analyse/<service>.csv?table=summary|steps|variants|months gives
 * one table as CSV with durations in seconds. Both take ?version=: one model
 * version (default: the deployed one), whose cases alone are counted and
 * replayed against it, or "alle" (every case, no replay). Leitung and Admin
 * only, as the event log the figures come from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "http/http.h"
#include "mining.h"
#include "view/chart.h"
#include "web/web.h"
#include "workflow/events.h"

#define MINING_ROLES (WEB_ROLE_HEAD | WEB_ROLE_ADMIN) /* who sees the pages */
#define MINING_MAX_CSV ((size_t)16 << 20)             /* bytes of one CSV answer */
#define MINING_MAX_CHART ((size_t)1 << 20)            /* bytes of one SVG chart */

static const char *const MONTHS[12] = {"Januar",    "Februar", "März",     "April",
                                       "Mai",       "Juni",    "Juli",     "August",
                                       "September", "Oktober", "November", "Dezember"};

/* A number with one decimal and a German decimal comma, in the arena. */
static const char *decimal(struct http_req *req, double v, const char *unit)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.1f", v);
    char *dot = strchr(buf, '.');
    if (dot)
        *dot = ',';
    return arena_printf(req->arena, "%s%s%s", buf, unit ? " " : "", unit ? unit : "");
}

/* A duration for people: days from one day on, hours from one hour, else
 * minutes. */
static const char *duration(struct http_req *req, int64_t s)
{
    if (s >= 86400)
        return decimal(req, (double)s / 86400.0, s == 86400 ? "Tag" : "Tage");
    if (s >= 3600)
        return decimal(req, (double)s / 3600.0, "Std.");
    return arena_printf(req->arena, "%lld Min.", (long long)((s + 30) / 60));
}

/* A duration of n measured values, or a dash when there were none. */
static const char *measured(struct http_req *req, int64_t s, int64_t n)
{
    return n ? duration(req, s) : "–";
}

/* The service key percent-encoded for a path (unreserved characters kept). */
static const char *path_escape(struct http_req *req, const char *z)
{
    struct str s;
    str_init(&s, 4096);
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            str_addc(&s, (char)*p);
        else
            str_addf(&s, "%%%02X", *p);
    }
    const char *out = s.err ? NULL : arena_strdup(req->arena, s.buf);
    str_release(&s);
    return out ? out : "";
}

/* ---- /prozesse/analyse ----------------------------------------------------- */

static int get_list(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = web_require(req, MINING_ROLES);
    if (rc)
        return rc;
    struct wf_service_info *list;
    size_t n;
    if ((rc = wf_services_list(app->store, &list, &n)))
        return rc;
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < n; i++) {
        const struct wf_service_info *s = &list[i];
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:i, s:I, s:I}", "key", s->key, "href",
            arena_printf(req->arena, "/prozesse/analyse/%s", path_escape(req, s->key)), "name",
            *s->name ? s->name : s->process_id, "process_id", s->process_id, "version", s->version,
            "instances", (json_int_t)s->instances, "running", (json_int_t)s->running);
        if (!o || json_array_append_new(rows, o)) {
            json_decref(rows);
            rows = NULL;
        }
    }
    free(list);
    if (!rows)
        return ERR_NOMEM;
    json_t *d = json_pack("{s:s, s:o}", "title", "Prozessanalyse", "leistungen", rows);
    return d ? web_page(req, resp, "processes/mining-liste.html", d) : ERR_NOMEM;
}

/* ---- the version selection ----------------------------------------------- */

#define ALL_VERSIONS "alle" /* ?version= value of every case, without replay */

/* Which cases the figures are for: one model version, or all (v = NULL). */
struct pick {
    const struct wf_model_version *v;    /* the version chosen, NULL: all versions */
    const struct wf_model_version *cur;  /* the deployed version */
    const struct wf_model_version *list; /* every version of the service */
    size_t n;                            /* length of list */
    int64_t total;                       /* cases of the service */
};

/* Whether another version of the list has the same number as v (another
 * process id, after the service changed its process). */
static bool ambiguous(const struct pick *k, const struct wf_model_version *v)
{
    for (size_t i = 0; i < k->n; i++)
        if (&k->list[i] != v && k->list[i].version == v->version)
            return true;
    return false;
}

/* The ?version= value of v: its number, or "<process id>:<number>" when the
 * number alone is ambiguous (process ids are XML names, without ':'). */
static const char *version_value(struct http_req *req, const struct pick *k,
                                 const struct wf_model_version *v)
{
    if (!v)
        return ALL_VERSIONS;
    if (ambiguous(k, v))
        return arena_printf(req->arena, "%s:%d", v->process_id, v->version);
    return arena_printf(req->arena, "%d", v->version);
}

/* "Version 2" or "Version 2 des Prozesses P" when the number is ambiguous. */
static const char *version_name(struct http_req *req, const struct pick *k,
                                const struct wf_model_version *v)
{
    if (ambiguous(k, v))
        return arena_printf(req->arena, "Version %d des Prozesses %s", v->version, v->process_id);
    return arena_printf(req->arena, "Version %d", v->version);
}

/* "Fall" or "Fälle" after n. */
static const char *cases_word(int64_t n)
{
    return n == 1 ? "Fall" : "Fälle";
}

/* The deployment date of v for people, "" when unreadable. */
static const char *deployed_on(struct http_req *req, const struct wf_model_version *v)
{
    int64_t t;
    char buf[32];
    if (rtime_parse_iso(v->deployed_at, &t))
        return "";
    rtime_display_date(t, buf, sizeof buf);
    return arena_printf(req->arena, ", bereitgestellt am %s", buf);
}

/* Parses the ?version= value z into k->v (NULL for "alle"). Returns 0, or
 * 400/404 with a German message in *ret_msg. */
static int version_parse(struct http_req *req, struct pick *k, const char *z, const char **ret_msg)
{
    k->v = k->cur;
    if (!z || !*z)
        return 0;
    if (strcmp(z, ALL_VERSIONS) == 0) {
        k->v = NULL;
        return 0;
    }
    const char *num = strrchr(z, ':');
    size_t plen = num ? (size_t)(num - z) : 0;
    num = num ? num + 1 : z;
    int n = 0;
    size_t digits = strspn(num, "0123456789");
    if (!digits || num[digits] || digits > 6 || (num != z && plen == 0)) {
        *ret_msg = arena_printf(req->arena,
                                "Ungültige Modellversion: erlaubt sind eine Versionsnummer "
                                "(z. B. version=2), Prozess:Nummer oder version=%s.",
                                ALL_VERSIONS);
        return 400;
    }
    for (size_t i = 0; i < digits; i++)
        n = n * 10 + (num[i] - '0');
    const struct wf_model_version *found = NULL;
    size_t hits = 0;
    for (size_t i = 0; i < k->n; i++) {
        const struct wf_model_version *v = &k->list[i];
        if (v->version != n ||
            (plen && (strlen(v->process_id) != plen || strncmp(v->process_id, z, plen) != 0)))
            continue;
        found = v;
        hits++;
    }
    if (hits == 1) {
        k->v = found;
        return 0;
    }
    if (hits > 1) {
        *ret_msg = arena_printf(req->arena,
                                "Version %d gibt es für mehrere Prozesse dieser Leistung: "
                                "bitte als Prozess:Nummer angeben, z. B. version=%s:%d.",
                                n, found->process_id, n);
        return 400;
    }
    *ret_msg = arena_printf(req->arena,
                            "Für diese Leistung gibt es keine Modellversion %d mit Fällen. "
                            "Die Auswahl auf der Seite der Leistung nennt alle Versionen.",
                            n);
    return 404;
}

/* The options of the version form: every version with its case count, then
 * all versions. */
static json_t *version_options(struct http_req *req, const struct pick *k)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i <= k->n; i++) {
        const struct wf_model_version *v = i < k->n ? &k->list[i] : NULL;
        const char *label =
            v ? arena_printf(req->arena, "%s%s – %lld %s%s", version_name(req, k, v),
                             v->current ? " (aktuell)" : "", (long long)v->instances,
                             cases_word(v->instances), deployed_on(req, v))
              : arena_printf(req->arena, "alle Versionen – %lld %s (ohne Modelltreue)",
                             (long long)k->total, cases_word(k->total));
        json_t *o = json_pack("{s:s, s:s, s:b}", "value", version_value(req, k, v), "label",
                              label ? label : "", "selected", v == k->v);
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* What the page says the figures are for. */
static const char *version_scope(struct http_req *req, const struct pick *k)
{
    if (!k->v)
        return arena_printf(req->arena, "alle Modellversionen (%zu) – %s", k->n,
                            k->total == 1 ? "den einen Fall der Leistung"
                                          : arena_printf(req->arena, "alle %lld Fälle der Leistung",
                                                         (long long)k->total));
    const char *which =
        k->v->instances == 0 ? "noch kein Fall lief unter dieser Version"
        : k->v->instances == 1
            ? "nur der eine Fall, der unter dieser Version lief"
            : arena_printf(req->arena, "nur die %lld Fälle, die unter dieser Version liefen",
                           (long long)k->v->instances);
    return arena_printf(req->arena, "%s%s%s – %s", version_name(req, k, k->v),
                        k->v->current ? " (aktuell)" : "", deployed_on(req, k->v),
                        which ? which : "");
}

/* ---- /prozesse/analyse/<service> ------------------------------------------- */

/* Appends the bar chart of n points to the page data as key (raw SVG). A
 * chart that cannot be drawn is left out: the table holds the numbers. */
static void add_chart(json_t *d, const char *key, const struct chart_spec *spec,
                      const struct chart_point *pts, size_t n)
{
    struct str svg;
    str_init(&svg, MINING_MAX_CHART);
    if (n && !chart_bars(&svg, spec, pts, n) && !svg.err)
        json_object_set_new(d, key, json_string(svg.buf));
    str_release(&svg);
}

/* The variant's step names joined by arrows, in the arena. */
static const char *variant_text(struct http_req *req, const struct mining_result *r,
                                const struct mining_variant *v, const char *sep, bool ids)
{
    struct str s;
    str_init(&s, 1 << 20);
    for (size_t k = 0; k < v->n_steps; k++) {
        const struct mining_step *st = &r->steps[v->steps[k]];
        if (k)
            str_adds(&s, sep);
        str_adds(&s, ids ? st->id : st->name);
    }
    if (!v->n_steps && !ids)
        str_adds(&s, "(keine Aufgabe erledigt)");
    const char *out = s.err ? "" : arena_strdup(req->arena, s.buf);
    str_release(&s);
    return out ? out : "";
}

static int page(struct http_req *req, struct http_resp *resp, const char *key, const struct pick *k,
                const struct mining_result *r)
{
    const struct wf_model_version *mv = k->v ? k->v : k->cur;
    const char *outside =
        k->v ? "nicht im Modell"
             : arena_printf(req->arena, "nicht in %s", version_name(req, k, k->cur));
    json_t *sum = json_pack(
        "{s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:b}", "events", (json_int_t)r->events,
        "cases", (json_int_t)r->cases, "closed", (json_int_t)r->closed, "open", (json_int_t)r->open,
        "cycle_median", measured(req, r->cycle_median_s, r->closed), "cycle_p90",
        measured(req, r->cycle_p90_s, r->closed), "cycle_mean",
        measured(req, r->cycle_mean_s, r->closed), "fitting", (json_int_t)r->fitting, "fitness",
        decimal(req, mining_percent(r->fitting, r->cases), NULL), "has_model", r->has_model);
    json_t *steps = json_array(), *vars = json_array(), *months = json_array();
    struct chart_point *pts = calloc(r->n_steps + r->n_months + 1, sizeof *pts);
    size_t n_pts = 0;
    int rc = ERR_NOMEM;
    if (!sum || !steps || !vars || !months || !pts)
        goto fail;
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct mining_step *s = &r->steps[i];
        if (!s->visible || (!s->executions && !s->in_model))
            continue;
        int64_t both = s->wait_sum_s + s->work_sum_s;
        json_t *o = json_pack(
            "{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "id", s->id,
            "name", s->name, "executions", (json_int_t)s->executions, "cases", (json_int_t)s->cases,
            "median", measured(req, s->median_s, s->timed), "p90",
            measured(req, s->p90_s, s->timed), "wait_median",
            measured(req, s->wait_median_s, s->timed), "work_median",
            measured(req, s->work_median_s, s->timed), "wait_share",
            s->timed ? decimal(req, mining_percent(s->wait_sum_s, both), "%") : "–", "deviations",
            r->has_model ? arena_printf(req->arena, "%lld", (long long)s->deviations) : "–", "task",
            s->task, "outside", !s->in_model, "outside_text", outside ? outside : "");
        if (!o || json_array_append_new(steps, o))
            goto fail;
        if (s->task && s->timed)
            pts[n_pts++] = (struct chart_point){s->name, (double)s->median_s / 3600.0};
    }
    json_t *d = json_pack("{s:s}", "title", "Prozessanalyse");
    if (!d)
        goto fail;
    struct chart_spec spec = {.title = "Median der Dauer je Schritt",
                              .desc = "Balken je Aufgabe: Median der Zeit von der Erstellung bis "
                                      "zur Erledigung in Stunden; die Zahlen stehen in der "
                                      "Tabelle Schritte.",
                              .unit = "Std."};
    add_chart(d, "chart_steps", &spec, pts, n_pts);
    for (size_t i = 0; i < r->n_variants; i++) {
        const struct mining_variant *v = &r->variants[i];
        json_t *o = json_pack("{s:i, s:s, s:I, s:s}", "rank", (int)i + 1, "text",
                              variant_text(req, r, v, " → ", false), "cases", (json_int_t)v->cases,
                              "share", decimal(req, mining_percent(v->cases, r->closed), NULL));
        if (!o || json_array_append_new(vars, o))
            goto fail_d;
    }
    n_pts = 0;
    for (size_t i = 0; i < r->n_months; i++) {
        const struct mining_month *m = &r->months[i];
        const char *label = arena_printf(req->arena, "%s %d", MONTHS[m->month - 1], m->year);
        const char *mkey = arena_printf(req->arena, "%04d-%02d", m->year, m->month);
        json_t *o = json_pack("{s:s, s:s, s:I}", "label", label, "key", mkey, "completed",
                              (json_int_t)m->completed);
        if (!o || json_array_append_new(months, o))
            goto fail_d;
        pts[n_pts++] = (struct chart_point){mkey, (double)m->completed};
    }
    struct chart_spec mspec = {.title = "Abgeschlossene Fälle je Monat",
                               .desc = "Balken je Kalendermonat: Zahl der abgeschlossenen Fälle; "
                                       "die Zahlen stehen in der Tabelle darüber.",
                               .unit = "Fälle"};
    add_chart(d, "chart_months", &mspec, pts, n_pts);
    free(pts);
    const char *name = *mv->name ? mv->name : mv->process_id;
    const char *href = arena_printf(req->arena, "/prozesse/analyse/%s", path_escape(req, key));
    const char *csv = arena_printf(req->arena, "%s.csv?version=%s", href ? href : "",
                                   path_escape(req, version_value(req, k, k->v)));
    const char *scope = version_scope(req, k);
    json_t *opts = version_options(req, k);
    rc = !opts || json_object_set_new(d, "versionen", opts) ||
                 json_object_set_new(d, "key", json_string(key)) ||
                 json_object_set_new(d, "href", json_string(href ? href : "")) ||
                 json_object_set_new(d, "name", json_string(name)) ||
                 json_object_set_new(d, "process_id", json_string(mv->process_id)) ||
                 json_object_set_new(d, "umfang", json_string(scope ? scope : "")) ||
                 json_object_set_new(d, "alle", json_boolean(!k->v)) ||
                 json_object_set_new(d, "aktuell", json_string(version_name(req, k, k->cur))) ||
                 json_object_set_new(d, "csv", json_string(csv ? csv : "")) ||
                 json_object_set_new(d, "distinct", json_integer(r->distinct_variants)) ||
                 json_object_set_new(d, "summary", sum) ||
                 json_object_set_new(d, "schritte", steps) ||
                 json_object_set_new(d, "varianten", vars) ||
                 json_object_set_new(d, "monate", months)
             ? ERR_NOMEM
             : 0;
    if (rc) {
        json_decref(d);
        return rc;
    }
    return web_page(req, resp, "processes/mining-leistung.html", d);
fail_d:
    json_decref(d);
fail:
    json_decref(sum);
    json_decref(steps);
    json_decref(vars);
    json_decref(months);
    free(pts);
    return rc;
}

/* ---- CSV ------------------------------------------------------------------- */

/* Appends z as one CSV field: quoted when needed, and with a leading
 * apostrophe when a spreadsheet would take it for a formula. */
static void csv_text(struct str *s, const char *z, bool last)
{
    str_add_csv(s, z, ',', STR_CSV_GUARD);
    str_adds(s, last ? "\r\n" : ",");
}

static void csv_int(struct str *s, int64_t v, bool last)
{
    str_addf(s, "%lld%s", (long long)v, last ? "\r\n" : ",");
}

static void csv_pct(struct str *s, double v, bool last)
{
    str_addf(s, "%.1f%s", v, last ? "\r\n" : ",");
}

/* The summary; version is the ?version= value the figures are for. Without
 * a replay (all versions) fitting and fitness_percent stay empty. */
static void csv_summary(struct str *s, const struct mining_result *r, const char *version)
{
    str_adds(s, "figure,value\r\n");
    csv_text(s, "version", false);
    csv_text(s, version, true);
    static const char *const keys[] = {"events",       "cases",          "closed",
                                       "open",         "cycle_median_s", "cycle_p90_s",
                                       "cycle_mean_s", "fitting",        "distinct_variants"};
    const int64_t vals[] = {r->events,       r->cases,          r->closed,
                            r->open,         r->cycle_median_s, r->cycle_p90_s,
                            r->cycle_mean_s, r->fitting,        r->distinct_variants};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        csv_text(s, keys[i], false);
        if (!r->has_model && strcmp(keys[i], "fitting") == 0)
            str_adds(s, "\r\n");
        else
            csv_int(s, vals[i], true);
    }
    csv_text(s, "fitness_percent", false);
    if (r->has_model)
        csv_pct(s, mining_percent(r->fitting, r->cases), true);
    else
        str_adds(s, "\r\n");
}

static void csv_steps(struct str *s, const struct mining_result *r)
{
    str_adds(s, "step,name,in_model,executions,cases,median_s,p90_s,wait_median_s,"
                "work_median_s,wait_sum_s,work_sum_s,deviations\r\n");
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct mining_step *st = &r->steps[i];
        if (!st->visible || (!st->executions && !st->in_model))
            continue;
        csv_text(s, st->id, false);
        csv_text(s, st->name, false);
        csv_int(s, st->in_model, false);
        csv_int(s, st->executions, false);
        csv_int(s, st->cases, false);
        csv_int(s, st->median_s, false);
        csv_int(s, st->p90_s, false);
        csv_int(s, st->wait_median_s, false);
        csv_int(s, st->work_median_s, false);
        csv_int(s, st->wait_sum_s, false);
        csv_int(s, st->work_sum_s, false);
        if (r->has_model)
            csv_int(s, st->deviations, true);
        else
            str_adds(s, "\r\n");
    }
}

static void csv_variants(struct http_req *req, struct str *s, const struct mining_result *r)
{
    str_adds(s, "rank,cases,share_percent,steps,names\r\n");
    for (size_t i = 0; i < r->n_variants; i++) {
        const struct mining_variant *v = &r->variants[i];
        csv_int(s, (int64_t)i + 1, false);
        csv_int(s, v->cases, false);
        csv_pct(s, mining_percent(v->cases, r->closed), false);
        csv_text(s, variant_text(req, r, v, ">", true), false);
        csv_text(s, variant_text(req, r, v, " → ", false), true);
    }
}

static void csv_months(struct str *s, const struct mining_result *r)
{
    str_adds(s, "month,completed\r\n");
    for (size_t i = 0; i < r->n_months; i++)
        str_addf(s, "%04d-%02d,%lld\r\n", r->months[i].year, r->months[i].month,
                 (long long)r->months[i].completed);
}

static int csv(struct http_req *req, struct http_resp *resp, const char *key, const struct pick *k,
               const struct mining_result *r, const char *table)
{
    struct str out;
    const char *version = version_value(req, k, k->v);
    if (!version)
        return ERR_NOMEM;
    str_init(&out, MINING_MAX_CSV);
    if (strcmp(table, "summary") == 0)
        csv_summary(&out, r, version);
    else if (strcmp(table, "steps") == 0)
        csv_steps(&out, r);
    else if (strcmp(table, "variants") == 0)
        csv_variants(req, &out, r);
    else
        csv_months(&out, r);
    int rc = out.err ? ERR_TOOBIG : 0;
    char name[128];
    size_t n = 0;
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    for (const char *p = key; *p && n < 60; p++)
        name[n++] = strchr(safe, *p) ? *p : '_';
    name[n++] = '-';
    if (k->v)
        name[n++] = 'v';
    for (const char *p = version; *p && n < 120; p++)
        name[n++] = strchr(safe, *p) ? *p : '_';
    name[n] = '\0';
    if (!rc)
        rc = http_resp_header(req, resp, "Content-Disposition",
                              arena_printf(req->arena,
                                           "attachment; filename=\"prozessanalyse-%s-%s.csv\"",
                                           name, table));
    if (!rc) {
        resp->content_type = "text/csv; charset=utf-8";
        str_reset(&resp->body);
        rc = str_add(&resp->body, out.buf, out.len);
    }
    str_release(&out);
    return rc;
}

static int get_service(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = web_require(req, MINING_ROLES);
    if (rc)
        return rc;
    const char *key = req->param[0];
    size_t len = strlen(key);
    bool as_csv = len > 4 && strcmp(key + len - 4, ".csv") == 0;
    const char *table = http_query(req, "table");
    if (as_csv) {
        key = arena_strndup(req->arena, key, len - 4);
        if (!key)
            return ERR_NOMEM;
        if (!table)
            table = "steps";
        if (strcmp(table, "summary") && strcmp(table, "steps") && strcmp(table, "variants") &&
            strcmp(table, "months")) {
            web_error_page(req, resp, 400,
                           "Unbekannte Tabelle: erlaubt sind table=summary, steps, variants "
                           "und months.");
            resp->status = 400;
            return 0;
        }
    }
    struct wf_model_version *list;
    struct pick k = {0};
    if ((rc = wf_service_versions(app->store, key, &list, &k.n)))
        return rc;
    k.list = list;
    for (size_t i = 0; i < k.n; i++) {
        k.total += list[i].instances;
        if (list[i].current)
            k.cur = &list[i];
    }
    const char *msg = NULL;
    int status = version_parse(req, &k, http_query(req, "version"), &msg);
    struct mining_result *r = NULL;
    if (status) {
        web_error_page(req, resp, status, msg ? msg : "Ungültige Modellversion.");
        resp->status = status;
    } else if (!(rc = mining_service(app->store, key, k.v ? k.v->model : 0, &r))) {
        rc = as_csv ? csv(req, resp, key, &k, r, table) : page(req, resp, key, &k, r);
    }
    mining_result_free(r);
    free(list);
    return rc;
}

static const struct http_route mining_routes[] = {
    {"GET", "/prozesse/analyse", get_list, HTTP_AUTH},
    {"GET", "/prozesse/analyse/:service", get_service, HTTP_AUTH},
};

int mining_register(struct http_router *router)
{
    return http_routes_add(router, mining_routes, sizeof mining_routes / sizeof mining_routes[0]);
}
