/* The staff pages of the strategy cockpit under /strategie: overview, the
 * measures' Soll/Ist with the forms for actuals and status, KPIs with their
 * history and chart, maturity, trainings, review meetings, the paper
 * baseline, the budget plan and the printable annual report. Only the
 * Digitalisierung role and Admin see them; every form is CSRF protected by
 * the server and every write goes through a journaled strat_* function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy_int.h"
#include "view/chart.h"
#include "web/web.h"

/* Roles that may see and change the cockpit. */
#define STRAT_ROLES (WEB_ROLE_DIGITAL | WEB_ROLE_ADMIN)

static void set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v);
}

/* Renders page tmpl with data (stolen) and status. */
static int page(struct http_req *req, struct http_resp *resp, int status, const char *tmpl,
                json_t *data)
{
    if (!data)
        return ERR_NOMEM;
    int rc = web_page(req, resp, tmpl, data);
    if (!rc)
        resp->status = status;
    return rc;
}

/* The year shown when none is asked for: today's, clamped to the plan. */
static int default_year(struct store *s)
{
    char day[11];
    strat_today(day);
    long y = 0;
    char ys[5] = {day[0], day[1], day[2], day[3], 0};
    if (str_to_long(ys, 0, 9999, &y))
        y = 2026;
    json_t *years = NULL;
    if (strat_years(s, &years) == 0 && json_array_size(years)) {
        long first = (long)json_integer_value(json_array_get(years, 0));
        long last = (long)json_integer_value(json_array_get(years, json_array_size(years) - 1));
        y = y < first ? first : y > last ? last : y;
    }
    json_decref(years);
    return (int)y;
}

static json_t *year_options(struct store *s, int selected)
{
    json_t *years = NULL, *out = json_array();
    if (!out || strat_years(s, &years)) {
        json_decref(out);
        return NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(years, i, v)
    {
        int y = (int)json_integer_value(v);
        json_array_append_new(out, json_pack("{s:i, s:b}", "year", y, "selected", y == selected));
    }
    json_decref(years);
    return out;
}

/* ---- Overview ----------------------------------------------------------- */

static int get_cockpit(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    char day[11];
    strat_today(day);
    int year = default_year(app->store);
    json_t *kpis = NULL, *measures = NULL, *maturity = NULL;
    int rc = strat_kpis(app->store, req->user.login, day, true, &kpis);
    if (!rc)
        rc = strat_measures(app->store, year, &measures);
    if (!rc)
        rc = strat_maturity(app->store, NULL, &maturity);
    if (rc)
        goto fail;
    strat__decorate_kpis(kpis);
    strat__decorate_measures(measures);
    /* status counts and the year's sums */
    int counts[4] = {0};
    static const char *const names[] = {"geplant", "begonnen", "umgesetzt", "verzögert"};
    int64_t soll = 0, ist = 0;
    bool any_ist = false;
    size_t i;
    json_t *m;
    json_array_foreach(measures, i, m)
    {
        const char *st = json_string_value(json_object_get(m, "status"));
        for (int k = 0; k < 4; k++)
            counts[k] += st && strcmp(st, names[k]) == 0;
        json_t *y = json_array_get(json_object_get(m, "years"), 0);
        soll += json_integer_value(json_object_get(y, "soll"));
        if (json_is_integer(json_object_get(y, "ist"))) {
            any_ist = true;
            ist += json_integer_value(json_object_get(y, "ist"));
        }
    }
    json_t *sum = json_pack("{s:i, s:I}", "year", year, "soll", (json_int_t)soll);
    if (sum) {
        set(sum, "ist", any_ist ? json_integer(ist) : json_null());
        strat__deviation(sum, soll, any_ist, ist);
        json_t *one = json_array();
        json_array_append(one, sum);
        strat__decorate_budget(one);
        json_decref(one);
    }
    json_decref(measures);
    json_t *status = json_array();
    for (int k = 0; k < 4 && status; k++)
        json_array_append_new(status, json_pack("{s:s, s:i}", "name", names[k], "n", counts[k]));
    return page(req, resp, 200, "strategy/cockpit.html",
                json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:i}", "title", "Strategie-Cockpit",
                          "kennzahlen", kpis, "status", status, "summe", sum, "reifegrad", maturity,
                          "stand", day, "jahr", year));
fail:
    json_decref(kpis);
    json_decref(measures);
    json_decref(maturity);
    return rc;
}

/* ---- Measures ------------------------------------------------------------ */

static int year_param(struct http_req *req, const char *v, int *ret)
{
    long y;
    if (!v || !*v) {
        *ret = default_year(((struct app *)req->app)->store);
        return 0;
    }
    if (str_to_long(v, STRAT_YEAR_MIN, STRAT_YEAR_MAX, &y))
        return ERR_INVALID;
    *ret = (int)y;
    return 0;
}

static int get_measures(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int year;
    if (year_param(req, http_query(req, "jahr"), &year))
        return ERR_INVALID;
    json_t *measures = NULL;
    int rc = strat_measures(app->store, year, &measures);
    if (rc)
        return rc;
    strat__decorate_measures(measures);
    size_t i;
    json_t *m;
    json_array_foreach(measures, i, m)
    {
        set(m, "jahr", json_incref(json_array_get(json_object_get(m, "years"), 0)));
    }
    return page(req, resp, 200, "strategy/massnahmen.html",
                json_pack("{s:s, s:o, s:i, s:o*, s:b}", "title", "Maßnahmen: Soll und Ist",
                          "massnahmen", measures, "jahr", year, "jahre",
                          year_options(app->store, year), "gespeichert",
                          http_query(req, "gespeichert") != NULL));
}

static int measure_page(struct http_req *req, struct http_resp *resp, int status, const char *error)
{
    struct app *app = req->app;
    json_t *measures = NULL;
    int rc = strat_measures(app->store, 0, &measures);
    if (rc)
        return rc;
    strat__decorate_measures(measures);
    json_t *found = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(measures, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "nr")), req->param[0]) == 0)
            found = json_incref(m);
    }
    json_decref(measures);
    if (!found)
        return ERR_NOTFOUND;
    static const char *const names[] = {"geplant", "begonnen", "umgesetzt", "verzögert"};
    json_t *opts = json_array();
    const char *cur = json_string_value(json_object_get(found, "status"));
    for (int k = 0; k < 4 && opts; k++)
        json_array_append_new(opts, json_pack("{s:s, s:b}", "value", names[k], "selected",
                                              cur && strcmp(cur, names[k]) == 0));
    const char *fy = form_get(&req->form, "jahr");
    int year = default_year(app->store);
    long y;
    if (fy && !str_to_long(fy, STRAT_YEAR_MIN, STRAT_YEAR_MAX, &y))
        year = (int)y;
    json_t *input =
        json_pack("{s:s, s:s, s:s}", "einmal", error ? form_get(&req->form, "einmal") ?: "" : "",
                  "laufend", error ? form_get(&req->form, "laufend") ?: "" : "", "bemerkung",
                  error ? form_get(&req->form, "bemerkung") ?: "" : "");
    char title[64];
    snprintf(title, sizeof title, "Maßnahme %s", req->param[0]);
    return page(req, resp, status, "strategy/massnahme.html",
                json_pack("{s:s, s:o, s:o, s:o*, s:o, s:s?, s:b}", "title", title, "massnahme",
                          found, "status_optionen", opts, "jahre", year_options(app->store, year),
                          "eingabe", input, "fehler", error, "gespeichert",
                          http_query(req, "gespeichert") != NULL));
}

static int get_measure(struct http_req *req, struct http_resp *resp)
{
    if (web_require(req, STRAT_ROLES))
        return web_require(req, STRAT_ROLES);
    return measure_page(req, resp, 200, NULL);
}

/* After a write to measure req->param[0]: its page again with the reason
 * (422) when the input was refused, else back to it with "gespeichert".
 * Releases why. */
static int measure_saved(struct http_req *req, struct http_resp *resp, int rc, struct str *why)
{
    if (rc == ERR_INVALID) {
        rc = measure_page(req, resp, 422, why->buf);
        str_release(why);
        return rc;
    }
    str_release(why);
    if (rc)
        return rc;
    const char *to =
        arena_printf(req->arena, "/strategie/massnahmen/%s?gespeichert=1", req->param[0]);
    return to ? http_redirect(req, resp, to) : ERR_NOMEM;
}

static int post_actual(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    long year;
    int64_t one, run;
    const char *fy = form_get(&req->form, "jahr");
    if (!fy || str_to_long(fy, STRAT_YEAR_MIN, STRAT_YEAR_MAX, &year))
        return measure_page(req, resp, 422, "Bitte wählen Sie ein Jahr.");
    const char *fo = form_get(&req->form, "einmal"), *fr = form_get(&req->form, "laufend");
    if (!fo || !*fo)
        fo = "0";
    if (!fr || !*fr)
        fr = "0";
    if (strat_money_parse(fo, &one) || strat_money_parse(fr, &run))
        return measure_page(req, resp, 422,
                            "Bitte geben Sie die Beträge in Euro an, z. B. 12.500,00.");
    struct str why;
    str_init(&why, 512);
    int rc = strat_actual_set(app->store, req->user.login, req->param[0], (int)year, one, run,
                              form_get(&req->form, "bemerkung"), &why);
    return measure_saved(req, resp, rc, &why);
}

static int post_status(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct str why;
    str_init(&why, 512);
    int rc = strat_status_set(app->store, req->user.login, req->param[0],
                              form_get(&req->form, "status"), &why);
    return measure_saved(req, resp, rc, &why);
}

/* ---- KPIs ---------------------------------------------------------------- */

/* Adds "chart" (SVG) and "history" (with texts) to kpi k. */
static int kpi_history(struct store *s, json_t *k)
{
    json_t *h = NULL;
    int rc = strat_kpi_history(s, json_string_value(json_object_get(k, "id")), NULL, &h);
    if (rc)
        return rc;
    size_t n = json_array_size(h), i;
    struct chart_point *pts = n ? calloc(n, sizeof *pts) : NULL;
    if (n && !pts) {
        json_decref(h);
        return ERR_NOMEM;
    }
    json_t *e;
    json_array_foreach(h, i, e)
    {
        char num[32];
        strat_number(json_number_value(json_object_get(e, "value")), num, sizeof num);
        set(e, "value_text", json_string(num));
        pts[i].label = json_string_value(json_object_get(e, "day"));
        pts[i].value = json_number_value(json_object_get(e, "value"));
    }
    if (n) {
        struct str svg;
        str_init(&svg, (size_t)4 << 20);
        json_t *t = json_object_get(k, "target");
        struct chart_spec spec = {
            .title = json_string_value(json_object_get(k, "name")),
            .desc = "Tageswerte der Kennzahl; die gestrichelte Linie ist das Ziel. Die Werte "
                    "stehen auch in der Tabelle darunter.",
            .unit = json_string_value(json_object_get(k, "unit")),
            .target = json_is_number(t) ? json_number_value(t) : 0,
            .has_target = json_is_number(t),
        };
        rc = chart_line(&svg, &spec, pts, n);
        if (!rc)
            set(k, "chart", json_string(svg.buf));
        str_release(&svg);
    }
    free(pts);
    set(k, "history", h);
    return rc;
}

static int get_kpis(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    char day[11];
    strat_today(day);
    json_t *kpis = NULL, *plan = NULL;
    int rc = strat_kpis(app->store, req->user.login, day, true, &kpis);
    if (!rc)
        rc = strat_plan(app->store, &plan);
    size_t i;
    json_t *k;
    json_array_foreach(kpis, i, k)
    {
        if (!rc)
            rc = kpi_history(app->store, k);
    }
    if (rc) {
        json_decref(kpis);
        json_decref(plan);
        return rc;
    }
    strat__decorate_kpis(kpis);
    json_t *recs = json_incref(json_object_get(plan, "recommendations"));
    json_decref(plan);
    return page(req, resp, 200, "strategy/kennzahlen.html",
                json_pack("{s:s, s:o, s:o, s:s}", "title", "Kennzahlen", "kennzahlen", kpis,
                          "empfehlungen", recs, "stand", day));
}

/* ---- Maturity ------------------------------------------------------------- */

static int maturity_page(struct http_req *req, struct http_resp *resp, int status,
                         const char *error)
{
    struct app *app = req->app;
    json_t *areas = NULL;
    int rc = strat_maturity(app->store, NULL, &areas);
    if (rc)
        return rc;
    char day[11];
    strat_today(day);
    json_t *levels = json_array();
    for (int l = 0; l <= 5 && levels; l++)
        json_array_append_new(levels, json_pack("{s:i}", "level", l));
    return page(req, resp, status, "strategy/reifegrad.html",
                json_pack("{s:s, s:o, s:o, s:s, s:s?, s:b}", "title", "Reifegrad", "bereiche",
                          areas, "stufen", levels, "heute", day, "fehler", error, "gespeichert",
                          http_query(req, "gespeichert") != NULL));
}

static int get_maturity(struct http_req *req, struct http_resp *resp)
{
    return maturity_page(req, resp, 200, NULL);
}

static int post_maturity(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    long level;
    const char *fl = form_get(&req->form, "stufe");
    if (!fl || str_to_long(fl, 0, 5, &level))
        return maturity_page(req, resp, 422, "Die Stufe muss zwischen 0 und 5 liegen.");
    const char *area = form_get(&req->form, "bereich");
    struct str why;
    str_init(&why, 512);
    int rc =
        strat_maturity_set(app->store, req->user.login, area ? area : "", (int)level,
                           form_get(&req->form, "nachweis"), form_get(&req->form, "datum"), &why);
    if (rc == ERR_INVALID || rc == ERR_NOTFOUND) {
        rc = maturity_page(req, resp, 422,
                           rc == ERR_NOTFOUND ? "Diesen Bereich gibt es nicht." : why.buf);
        str_release(&why);
        return rc;
    }
    str_release(&why);
    return rc ? rc : http_redirect(req, resp, "/strategie/reifegrad?gespeichert=1");
}

/* ---- Trainings ------------------------------------------------------------- */

static json_t *unit_options(struct store *s, int selected)
{
    struct store_conn *c;
    if (store_get(s, &c))
        return NULL;
    json_t *out = json_array();
    struct store_stmt *st;
    if (out && !store_prepare(c, "SELECT nr, name FROM units ORDER BY nr", &st)) {
        while (store_step(st) == STORE_ROW) {
            int nr = (int)store_col_int(st, 0);
            json_array_append_new(out,
                                  json_pack("{s:i, s:s, s:b}", "nr", nr, "name",
                                            store_col_text(st, 1), "selected", nr == selected));
        }
        store_done(st);
    }
    store_put(s, c);
    return out;
}

static int trainings_page(struct http_req *req, struct http_resp *resp, int status,
                          const char *error, json_t *edit)
{
    struct app *app = req->app;
    json_t *list = NULL;
    int rc = strat_trainings(app->store, 0, &list);
    if (rc) {
        json_decref(edit);
        return rc;
    }
    int unit = edit ? (int)json_integer_value(json_object_get(edit, "unit_nr")) : 0;
    const char *tmpl = edit && json_integer_value(json_object_get(edit, "id"))
                           ? "strategy/schulung.html"
                           : "strategy/schulungen.html";
    return page(req, resp, status, tmpl,
                json_pack("{s:s, s:b, s:o, s:o*, s:o*, s:s?, s:b, s:b}", "title", "Schulungen",
                          "hat_schulungen", json_array_size(list) > 0, "schulungen", list, "aemter",
                          unit_options(app->store, unit), "eingabe", edit, "fehler", error,
                          "gespeichert", http_query(req, "gespeichert") != NULL, "geloescht",
                          http_query(req, "geloescht") != NULL));
}

static int get_trainings(struct http_req *req, struct http_resp *resp)
{
    return trainings_page(req, resp, 200, NULL, NULL);
}

static int64_t id_param(const struct http_req *req)
{
    long id;
    return str_to_long(req->param[0], 1, INT32_MAX, &id) ? 0 : (int64_t)id;
}

static int get_training(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int64_t id = id_param(req);
    json_t *list = NULL;
    int rc = strat_trainings(app->store, 0, &list);
    if (rc)
        return rc;
    json_t *found = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t)
    {
        if (json_integer_value(json_object_get(t, "id")) == id)
            found = json_incref(t);
    }
    json_decref(list);
    if (!found)
        return ERR_NOTFOUND;
    set(found, "participants_text",
        json_string(arena_printf(req->arena, "%d",
                                 (int)json_integer_value(json_object_get(found, "participants")))));
    return trainings_page(req, resp, 200, NULL, found);
}

static int save_training(struct http_req *req, struct http_resp *resp, int64_t id)
{
    struct app *app = req->app;
    const char *fu = form_get(&req->form, "amt"), *fp = form_get(&req->form, "teilnehmende");
    long unit = 0, n = 0;
    struct strat_training t = {
        .id = id,
        .course = form_get(&req->form, "kurs"),
        .held_on = form_get(&req->form, "datum"),
        .elearning = form_get(&req->form, "elearning"),
    };
    struct str why;
    str_init(&why, 512);
    int rc;
    if (!fu || str_to_long(fu, 1, 9999, &unit))
        rc = strat__invalid(&why, "Bitte wählen Sie ein Amt.");
    else if (!fp || str_to_long(fp, 1, STRAT_MAX_PARTICIPANTS, &n))
        rc = strat__invalid(&why, "Die Zahl der Teilnehmenden muss zwischen 1 und 100000 liegen.");
    else {
        t.unit_nr = (int)unit;
        t.participants = (int)n;
        rc = strat_training_save(app->store, req->user.login, &t, NULL, &why);
    }
    if (rc == ERR_INVALID) {
        json_t *edit = json_pack("{s:I, s:s, s:s, s:i, s:s, s:s}", "id", (json_int_t)id, "course",
                                 t.course ? t.course : "", "held_on", t.held_on ? t.held_on : "",
                                 "unit_nr", (int)unit, "participants_text", fp ? fp : "",
                                 "elearning", t.elearning ? t.elearning : "");
        rc = trainings_page(req, resp, 422, why.buf, edit);
        str_release(&why);
        return rc;
    }
    str_release(&why);
    return rc ? rc : http_redirect(req, resp, "/strategie/schulungen?gespeichert=1");
}

static int post_training_new(struct http_req *req, struct http_resp *resp)
{
    return save_training(req, resp, 0);
}

static int post_training(struct http_req *req, struct http_resp *resp)
{
    int64_t id = id_param(req);
    return id ? save_training(req, resp, id) : ERR_NOTFOUND;
}

static int post_training_delete(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = strat_training_delete(app->store, req->user.login, id_param(req));
    return rc ? rc : http_redirect(req, resp, "/strategie/schulungen?geloescht=1");
}

/* ---- Review meetings ------------------------------------------------------- */

static int reviews_page(struct http_req *req, struct http_resp *resp, int status, const char *error)
{
    struct app *app = req->app;
    json_t *list = NULL;
    int rc = strat_reviews(app->store, 0, &list);
    if (rc)
        return rc;
    json_t *input =
        json_pack("{s:s, s:s, s:s}", "datum", error ? form_get(&req->form, "datum") ?: "" : "",
                  "titel", error ? form_get(&req->form, "titel") ?: "" : "", "notizen",
                  error ? form_get(&req->form, "notizen") ?: "" : "");
    return page(req, resp, status, "strategy/gespraeche.html",
                json_pack("{s:s, s:o, s:o, s:s?, s:b}", "title", "Strategiegespräche", "gespraeche",
                          list, "eingabe", input, "fehler", error, "gespeichert",
                          http_query(req, "gespeichert") != NULL));
}

static int get_reviews(struct http_req *req, struct http_resp *resp)
{
    return reviews_page(req, resp, 200, NULL);
}

static int post_review(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct str why;
    str_init(&why, 512);
    int rc = strat_review_add(app->store, req->user.login, form_get(&req->form, "datum"),
                              form_get(&req->form, "titel"), form_get(&req->form, "notizen"), NULL,
                              &why);
    if (rc == ERR_INVALID) {
        rc = reviews_page(req, resp, 422, why.buf);
        str_release(&why);
        return rc;
    }
    str_release(&why);
    return rc ? rc : http_redirect(req, resp, "/strategie/gespraeche?gespeichert=1");
}

static int post_review_delete(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int rc = strat_review_delete(app->store, req->user.login, id_param(req));
    return rc ? rc : http_redirect(req, resp, "/strategie/gespraeche?gespeichert=1");
}

/* ---- Paper baseline -------------------------------------------------------- */

static int baseline_page(struct http_req *req, struct http_resp *resp, int status,
                         const char *error)
{
    struct app *app = req->app;
    bool isset = false;
    int64_t paper = 0;
    struct str note;
    str_init(&note, STRAT_MAX_TEXT + 1);
    int rc = strat_baseline_get(app->store, &isset, &paper, &note);
    if (rc) {
        str_release(&note);
        return rc;
    }
    const char *pv = error ? form_get(&req->form, "papier") : NULL;
    const char *nv = error ? form_get(&req->form, "erlaeuterung") : NULL;
    json_t *d = json_pack("{s:s, s:b, s:s, s:s, s:s?, s:b}", "title", "Papier-Basiswert", "gesetzt",
                          isset, "papier",
                          pv      ? pv
                          : isset ? arena_printf(req->arena, "%lld", (long long)paper)
                                  : "",
                          "erlaeuterung", nv ? nv : note.buf, "fehler", error, "gespeichert",
                          http_query(req, "gespeichert") != NULL);
    str_release(&note);
    return page(req, resp, status, "strategy/basiswert.html", d);
}

static int get_baseline(struct http_req *req, struct http_resp *resp)
{
    return baseline_page(req, resp, 200, NULL);
}

static int post_baseline(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const char *fp = form_get(&req->form, "papier");
    long n;
    if (!fp || str_to_long(fp, 0, 2000000000, &n))
        return baseline_page(req, resp, 422,
                             "Bitte geben Sie die Zahl der Papierdokumente als ganze Zahl an.");
    struct str why;
    str_init(&why, 512);
    int rc = strat_baseline_set(app->store, req->user.login, n,
                                form_get(&req->form, "erlaeuterung"), &why);
    if (rc == ERR_INVALID) {
        rc = baseline_page(req, resp, 422, why.buf);
        str_release(&why);
        return rc;
    }
    str_release(&why);
    return rc ? rc : http_redirect(req, resp, "/strategie/basiswert?gespeichert=1");
}

/* ---- Budget plan ------------------------------------------------------------ */

static int get_budget(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    json_t *plan = NULL;
    int rc = strat_plan(app->store, &plan);
    if (rc)
        return rc;
    strat__decorate_budget(json_object_get(plan, "budget"));
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(plan, "blocks"), i, b)
    {
        json_int_t a = json_integer_value(json_object_get(b, "oneoff_stated"));
        json_int_t m = json_integer_value(json_object_get(b, "oneoff_measures"));
        set(b, "oneoff_stated_text", strat__money_json(a));
        set(b, "oneoff_measures_text", strat__money_json(m));
        set(b, "running_stated_text",
            strat__money_json(json_integer_value(json_object_get(b, "running_stated"))));
        set(b, "running_measures_text",
            strat__money_json(json_integer_value(json_object_get(b, "running_measures"))));
        set(b, "abweichend", json_boolean(a != m));
    }
    json_array_foreach(json_object_get(plan, "personnel"), i, b)
    {
        char num[32];
        snprintf(num, sizeof num, "%lld,%02lld VZÄ",
                 (long long)(json_integer_value(json_object_get(b, "fte_centi")) / 100),
                 (long long)(json_integer_value(json_object_get(b, "fte_centi")) % 100));
        set(b, "fte_text", json_string(num));
    }
    set(plan, "title", json_string("Budget und Personal"));
    return page(req, resp, 200, "strategy/budget.html", plan);
}

/* ---- Annual report ---------------------------------------------------------- */

static int report_year(struct http_req *req, int *ret)
{
    long y;
    if (str_to_long(req->param[0], STRAT_YEAR_MIN, STRAT_YEAR_MAX, &y))
        return ERR_NOTFOUND;
    *ret = (int)y;
    return 0;
}

static int get_report(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    int year;
    json_t *d = NULL;
    int rc = report_year(req, &year);
    if (!rc)
        rc = strat_report_data(app->store, year, &d);
    if (rc)
        return rc;
    return page(req, resp, 200, "strategy/bericht-seite.html", d);
}

static int send_download(struct http_req *req, struct http_resp *resp, const char *type,
                         const char *ext)
{
    struct app *app = req->app;
    int year;
    json_t *d = NULL;
    int rc = report_year(req, &year);
    if (!rc)
        rc = strat_report_data(app->store, year, &d);
    if (rc)
        return rc;
    str_reset(&resp->body);
    rc = strcmp(ext, "pdf") == 0 ? strat_report_pdf(d, &resp->body)
                                 : strat_report_csv(d, &resp->body);
    json_decref(d);
    if (rc)
        return rc;
    resp->content_type = type;
    const char *cd =
        arena_printf(req->arena, "attachment; filename=\"strategiebericht-%d.%s\"", year, ext);
    return cd ? http_resp_header(req, resp, "Content-Disposition", cd) : ERR_NOMEM;
}

static int get_report_pdf(struct http_req *req, struct http_resp *resp)
{
    return send_download(req, resp, "application/pdf", "pdf");
}

static int get_report_csv(struct http_req *req, struct http_resp *resp)
{
    return send_download(req, resp, "text/csv; charset=utf-8", "csv");
}

/* Every page checks the role first: others get 403. */
#define GUARDED(name)                                                                              \
    static int g_##name(struct http_req *req, struct http_resp *resp)                              \
    {                                                                                              \
        int rc = web_require(req, STRAT_ROLES);                                                    \
        return rc ? rc : name(req, resp);                                                          \
    }

GUARDED(get_cockpit)
GUARDED(get_measures)
GUARDED(post_actual)
GUARDED(post_status)
GUARDED(get_kpis)
GUARDED(get_maturity)
GUARDED(post_maturity)
GUARDED(get_trainings)
GUARDED(get_training)
GUARDED(post_training_new)
GUARDED(post_training)
GUARDED(post_training_delete)
GUARDED(get_reviews)
GUARDED(post_review)
GUARDED(post_review_delete)
GUARDED(get_baseline)
GUARDED(post_baseline)
GUARDED(get_budget)
GUARDED(get_report)
GUARDED(get_report_pdf)
GUARDED(get_report_csv)

static const struct http_route strat_routes[] = {
    {"GET", "/strategie", g_get_cockpit, HTTP_AUTH},
    {"GET", "/strategie/massnahmen", g_get_measures, HTTP_AUTH},
    {"GET", "/strategie/massnahmen/:nr", get_measure, HTTP_AUTH},
    {"POST", "/strategie/massnahmen/:nr/ist", g_post_actual, HTTP_AUTH},
    {"POST", "/strategie/massnahmen/:nr/status", g_post_status, HTTP_AUTH},
    {"GET", "/strategie/kennzahlen", g_get_kpis, HTTP_AUTH},
    {"GET", "/strategie/reifegrad", g_get_maturity, HTTP_AUTH},
    {"POST", "/strategie/reifegrad", g_post_maturity, HTTP_AUTH},
    {"GET", "/strategie/schulungen", g_get_trainings, HTTP_AUTH},
    {"POST", "/strategie/schulungen", g_post_training_new, HTTP_AUTH},
    {"GET", "/strategie/schulungen/:id", g_get_training, HTTP_AUTH},
    {"POST", "/strategie/schulungen/:id", g_post_training, HTTP_AUTH},
    {"POST", "/strategie/schulungen/:id/loeschen", g_post_training_delete, HTTP_AUTH},
    {"GET", "/strategie/gespraeche", g_get_reviews, HTTP_AUTH},
    {"POST", "/strategie/gespraeche", g_post_review, HTTP_AUTH},
    {"POST", "/strategie/gespraeche/:id/loeschen", g_post_review_delete, HTTP_AUTH},
    {"GET", "/strategie/basiswert", g_get_baseline, HTTP_AUTH},
    {"POST", "/strategie/basiswert", g_post_baseline, HTTP_AUTH},
    {"GET", "/strategie/budget", g_get_budget, HTTP_AUTH},
    {"GET", "/strategie/bericht/:year", g_get_report, HTTP_AUTH},
    {"GET", "/strategie/bericht/:year/pdf", g_get_report_pdf, HTTP_AUTH},
    {"GET", "/strategie/bericht/:year/csv", g_get_report_csv, HTTP_AUTH},
};

int strat_register(struct http_router *r)
{
    return http_routes_add(r, strat_routes, sizeof strat_routes / sizeof strat_routes[0]);
}
