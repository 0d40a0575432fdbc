/* The annual report of the strategy: one JSON model collected from the
 * database only (KPIs from the year's last daily snapshots, maturity as of
 * the year's end), rendered as standalone HTML, CSV or PDF. Nothing depends
 * on the clock, so the same database gives the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "strategy_int.h"
#include "view/pdf.h"
#include "web/web.h"

static void set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v);
}

/* The KPIs as of the year's last snapshot of each. */
static int report_kpis(struct store *s, const char *until, json_t **ret)
{
    /* the catalogue comes from a computation whose values are replaced */
    json_t *list = NULL;
    int rc = strat_kpis(s, "system", until, false, &list);
    if (rc)
        return rc;
    size_t i;
    json_t *k;
    json_array_foreach(list, i, k)
    {
        json_t *h = NULL;
        if ((rc = strat_kpi_history(s, json_string_value(json_object_get(k, "id")), until, &h)))
            break;
        size_t n = json_array_size(h);
        json_t *last = n ? json_array_get(h, n - 1) : NULL;
        char year[5];
        memcpy(year, until, 4);
        year[4] = '\0';
        const char *day = last ? json_string_value(json_object_get(last, "day")) : NULL;
        if (day && strncmp(day, year, 4) == 0) {
            set(k, "value", json_real(json_number_value(json_object_get(last, "value"))));
            set(k, "day", json_string(day));
        } else {
            set(k, "value", json_null());
            set(k, "day", json_string(""));
        }
        set(k, "detail", json_string(""));
        json_decref(h);
    }
    if (rc) {
        json_decref(list);
        return rc;
    }
    strat__decorate_kpis(list);
    *ret = list;
    return 0;
}

static int city_name(struct store *s, json_t *d)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct str v;
    str_init(&v, WEB_MAX_CITY + 1);
    rc = web_setting_get(c, "city", &v);
    store_put(s, c);
    if (rc == ERR_NOTFOUND)
        rc = 0;
    set(d, "city", json_string(v.len ? v.buf : "Stadt"));
    str_release(&v);
    return rc;
}

static void summary(json_t *d)
{
    int64_t soll = 0, ist = 0;
    bool any = false;
    int counts[4] = {0};
    static const char *const names[] = {"geplant", "begonnen", "umgesetzt", "verzögert"};
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(d, "measures"), i, m)
    {
        json_t *y = json_object_get(m, "jahr");
        soll += json_integer_value(json_object_get(y, "soll"));
        if (json_is_integer(json_object_get(y, "ist"))) {
            any = true;
            ist += json_integer_value(json_object_get(y, "ist"));
        }
        const char *st = json_string_value(json_object_get(m, "status"));
        for (int k = 0; k < 4; k++)
            counts[k] += st && strcmp(st, names[k]) == 0;
    }
    int reached = 0, targets = 0;
    json_t *k;
    json_array_foreach(json_object_get(d, "kpis"), i, k)
    {
        targets += json_is_number(json_object_get(k, "target"));
        reached += json_is_true(json_object_get(k, "reached"));
    }
    int participants = 0;
    json_array_foreach(json_object_get(d, "trainings"), i, k)
    {
        participants += (int)json_integer_value(json_object_get(k, "participants"));
    }
    json_t *s = json_pack(
        "{s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "soll", (json_int_t)soll, "measures",
        (int)json_array_size(json_object_get(d, "measures")), "geplant", counts[0], "begonnen",
        counts[1], "umgesetzt", counts[2], "verzoegert", counts[3], "kpis_reached", reached,
        "kpis_with_target", targets, "trainings",
        (int)json_array_size(json_object_get(d, "trainings")), "participants", participants);
    if (!s)
        return;
    set(s, "reviews", json_integer((json_int_t)json_array_size(json_object_get(d, "reviews"))));
    set(s, "ist", any ? json_integer(ist) : json_null());
    strat__deviation(s, soll, any, ist);
    json_t *one = json_array();
    json_array_append(one, s);
    strat__decorate_budget(one);
    json_decref(one);
    set(d, "summary", s);
}

int strat_report_data(struct store *s, int year, json_t **ret)
{
    if (year < STRAT_YEAR_MIN || year > STRAT_YEAR_MAX)
        return ERR_INVALID;
    char until[16], title[128];
    snprintf(until, sizeof until, "%04d-12-31", year);
    /* a soft hyphen lets the long word break on narrow screens */
    snprintf(title, sizeof title, "Jahresbericht %d zur Digitalisierungs\u00adstrategie", year);
    json_t *d = json_pack("{s:s, s:i, s:s}", "title", title, "year", year, "stand", until);
    if (!d)
        return ERR_NOMEM;
    json_t *v = NULL;
    int rc = city_name(s, d);
    if (!rc && !(rc = strat_measures(s, year, &v))) {
        strat__decorate_measures(v);
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            json_t *y = json_array_get(json_object_get(m, "years"), 0);
            set(m, "jahr", y ? json_incref(y) : json_object());
        }
        set(d, "measures", v);
    }
    if (!rc && !(rc = strat_plan(s, &v))) {
        json_t *all = json_object_get(v, "budget"), *mine = json_array();
        size_t i;
        json_t *b;
        json_array_foreach(all, i, b)
        {
            if (json_integer_value(json_object_get(b, "year")) == year)
                json_array_append(mine, b);
        }
        strat__decorate_budget(mine);
        set(d, "budget", mine);
        json_decref(v);
    }
    if (!rc && !(rc = report_kpis(s, until, &v)))
        set(d, "kpis", v);
    if (!rc && !(rc = strat_maturity(s, until, &v)))
        set(d, "maturity", v);
    if (!rc && !(rc = strat_trainings(s, year, &v))) {
        /* oldest first in a report */
        json_t *rev = json_array();
        for (size_t i = json_array_size(v); i > 0; i--)
            json_array_append(rev, json_array_get(v, i - 1));
        json_decref(v);
        set(d, "trainings", rev);
    }
    if (!rc && !(rc = strat_reviews(s, year, &v))) {
        json_t *rev = json_array();
        for (size_t i = json_array_size(v); i > 0; i--)
            json_array_append(rev, json_array_get(v, i - 1));
        json_decref(v);
        set(d, "reviews", rev);
    }
    if (rc) {
        json_decref(d);
        return rc;
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(d, "maturity"), i, e)
    {
        json_t *l = json_object_get(e, "level");
        char buf[32];
        snprintf(buf, sizeof buf, "%d", (int)json_integer_value(l));
        set(e, "level_text", json_string(json_is_integer(l) ? buf : "nicht bewertet"));
    }
    json_array_foreach(json_object_get(d, "trainings"), i, e)
    {
        char buf[32];
        snprintf(buf, sizeof buf, "Amt %d", (int)json_integer_value(json_object_get(e, "unit_nr")));
        set(e, "unit_text", json_string(buf));
        snprintf(buf, sizeof buf, "%d",
                 (int)json_integer_value(json_object_get(e, "participants")));
        set(e, "participants_text", json_string(buf));
    }
    /* the newest KPI snapshot of the year tells how current the report is */
    const char *kday = "";
    json_array_foreach(json_object_get(d, "kpis"), i, e)
    {
        const char *day = json_string_value(json_object_get(e, "day"));
        if (day && strcmp(day, kday) > 0)
            kday = day;
    }
    set(d, "kpi_stand", json_string(*kday ? kday : "keine Tageswerte"));
    summary(d);
    *ret = d;
    return 0;
}

int strat_report_html(const struct view *v, const json_t *data, struct str *out)
{
    return view_render(v, "strategy/bericht-dokument.html", data, out);
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_field(struct str *out, const char *z, bool last)
{
    str_add_csv(out, z, ';', 0); /* amounts may be negative: no guard */
    str_addc(out, last ? '\n' : ';');
}

/* Cents as "1234,56" (no thousands separator), "" for null. */
static void csv_money(char *buf, size_t n, const json_t *v)
{
    if (!json_is_integer(v)) {
        snprintf(buf, n, "%s", "");
        return;
    }
    long long c = (long long)json_integer_value(v);
    snprintf(buf, n, "%s%lld,%02lld", c < 0 ? "-" : "", (c < 0 ? -c : c) / 100,
             (c < 0 ? -c : c) % 100);
}

static void csv_num(char *buf, size_t n, const json_t *v)
{
    if (json_is_number(v))
        strat_number(json_number_value(v), buf, n);
    else
        snprintf(buf, n, "%s", "");
}

/* One line: section, key, name, year, soll, ist, deviation, pct, value,
 * target, unit, date, text. */
static void csv_row(struct str *out, const char *const f[13])
{
    for (int i = 0; i < 13; i++)
        csv_field(out, f[i] ? f[i] : "", i == 12);
}

int strat_report_csv(const json_t *d, struct str *out)
{
    static const char *const head[13] = {
        "abschnitt", "schluessel", "bezeichnung",    "jahr",
        "soll_eur",  "ist_eur",    "abweichung_eur", "abweichung_prozent",
        "wert",      "ziel",       "einheit",        "datum",
        "text"};
    csv_row(out, head);
    char year[8], a[32], b[32], c[32], p[32];
    snprintf(year, sizeof year, "%d", (int)json_integer_value(json_object_get(d, "year")));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(d, "measures"), i, m)
    {
        json_t *y = json_object_get(m, "jahr");
        csv_money(a, sizeof a, json_object_get(y, "soll"));
        csv_money(b, sizeof b, json_object_get(y, "ist"));
        csv_money(c, sizeof c, json_object_get(y, "deviation"));
        csv_num(p, sizeof p, json_object_get(y, "deviation_pct"));
        const char *f[13] = {"massnahme",
                             json_string_value(json_object_get(m, "nr")),
                             json_string_value(json_object_get(m, "title")),
                             year,
                             a,
                             b,
                             c,
                             p,
                             json_string_value(json_object_get(m, "status")),
                             "",
                             "",
                             "",
                             json_string_value(json_object_get(y, "note"))};
        csv_row(out, f);
    }
    json_array_foreach(json_object_get(d, "budget"), i, m)
    {
        csv_money(a, sizeof a, json_object_get(m, "soll"));
        csv_money(b, sizeof b, json_object_get(m, "ist"));
        csv_money(c, sizeof c, json_object_get(m, "deviation"));
        csv_num(p, sizeof p, json_object_get(m, "deviation_pct"));
        const char *f[13] = {"budget",
                             json_string_value(json_object_get(m, "category")),
                             json_string_value(json_object_get(m, "label")),
                             year,
                             a,
                             b,
                             c,
                             p,
                             "",
                             "",
                             "",
                             "",
                             json_string_value(json_object_get(m, "source"))};
        csv_row(out, f);
    }
    json_array_foreach(json_object_get(d, "kpis"), i, m)
    {
        csv_num(a, sizeof a, json_object_get(m, "value"));
        csv_num(b, sizeof b, json_object_get(m, "target"));
        const char *f[13] = {"kennzahl",
                             json_string_value(json_object_get(m, "id")),
                             json_string_value(json_object_get(m, "name")),
                             year,
                             "",
                             "",
                             "",
                             "",
                             a,
                             b,
                             json_string_value(json_object_get(m, "unit")),
                             json_string_value(json_object_get(m, "day")),
                             json_string_value(json_object_get(m, "formula"))};
        csv_row(out, f);
    }
    json_array_foreach(json_object_get(d, "maturity"), i, m)
    {
        csv_num(a, sizeof a, json_object_get(m, "level"));
        const char *f[13] = {"reifegrad",
                             json_string_value(json_object_get(m, "code")),
                             json_string_value(json_object_get(m, "name")),
                             year,
                             "",
                             "",
                             "",
                             "",
                             a,
                             "5",
                             "Stufe",
                             json_string_value(json_object_get(m, "dated")),
                             json_string_value(json_object_get(m, "evidence"))};
        csv_row(out, f);
    }
    json_array_foreach(json_object_get(d, "trainings"), i, m)
    {
        char id[24], unit[16], n[16];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
        snprintf(unit, sizeof unit, "Amt %d",
                 (int)json_integer_value(json_object_get(m, "unit_nr")));
        snprintf(n, sizeof n, "%d", (int)json_integer_value(json_object_get(m, "participants")));
        const char *f[13] = {"schulung",
                             id,
                             json_string_value(json_object_get(m, "course")),
                             year,
                             "",
                             "",
                             "",
                             "",
                             n,
                             "",
                             "Teilnehmende",
                             json_string_value(json_object_get(m, "held_on")),
                             unit};
        csv_row(out, f);
    }
    json_array_foreach(json_object_get(d, "reviews"), i, m)
    {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
        const char *f[13] = {"strategiegespraech",
                             id,
                             json_string_value(json_object_get(m, "title")),
                             year,
                             "",
                             "",
                             "",
                             "",
                             "",
                             "",
                             "",
                             json_string_value(json_object_get(m, "held_on")),
                             json_string_value(json_object_get(m, "notes"))};
        csv_row(out, f);
    }
    return out->err;
}

/* ---- PDF ------------------------------------------------------------------- */

static const char *js(const json_t *o, const char *k)
{
    const char *z = json_string_value(json_object_get(o, k));
    return z ? z : "";
}

/* Looks up key in r, where "a.b" looks one level down. */
static const json_t *lookup(const json_t *r, const char *key)
{
    const char *dot = strchr(key, '.');
    char head[64];
    if (!dot || (size_t)(dot - key) >= sizeof head)
        return json_object_get(r, key);
    memcpy(head, key, (size_t)(dot - key));
    head[dot - key] = '\0';
    return json_object_get(json_object_get(r, head), dot + 1);
}

/* A table from an array: for each row, the string cells named by keys. */
static int pdf_rows(struct pdf_doc *doc, const json_t *arr, size_t ncols, const char *const *titles,
                    const char *const *keys)
{
    size_t n = json_array_size(arr);
    if (!n)
        return pdf_para(doc, "Keine Einträge.");
    const char **cells = calloc(n * ncols, sizeof *cells);
    if (!cells)
        return ERR_NOMEM;
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        for (size_t c = 0; c < ncols; c++) {
            const char *z = json_string_value(lookup(r, keys[c]));
            cells[i * ncols + c] = z && *z ? z : "—";
        }
    }
    int rc = pdf_table(doc, ncols, titles, n, cells);
    free(cells);
    return rc;
}

/* The report's tables after its summary: heading, list in the report data,
 * column titles and the keys of their values (see lookup). */
static const struct section {
    const char *heading;
    const char *list;
    size_t ncols;
    const char *titles[6];
    const char *keys[6];
} SECTIONS[] = {
    {"Maßnahmen Soll/Ist",
     "measures",
     6,
     {"Nr.", "Maßnahme", "Status", "Soll", "Ist", "Abweichung"},
     {"nr", "title", "status", "jahr.soll_text", "jahr.ist_text", "jahr.deviation_full"}},
    {"Budget",
     "budget",
     4,
     {"Kategorie", "Soll", "Ist", "Abweichung"},
     {"label", "soll_text", "ist_text", "deviation_full"}},
    {"Kennzahlen",
     "kpis",
     4,
     {"Kennzahl", "Wert", "Ziel", "Stand"},
     {"name", "value_text", "target_text", "day"}},
    {"Reifegrad",
     "maturity",
     4,
     {"Bereich", "Stufe (0–5)", "Nachweis", "Datum"},
     {"name", "level_text", "evidence", "dated"}},
    {"Schulungen",
     "trainings",
     4,
     {"Datum", "Kurs", "Amt", "Teilnehmende"},
     {"held_on", "course", "unit_text", "participants_text"}},
    {"Strategiegespräche",
     "reviews",
     3,
     {"Datum", "Titel", "Notizen"},
     {"held_on", "title", "notes"}},
};

int strat_report_pdf(const json_t *d, struct str *out)
{
    int year = (int)json_integer_value(json_object_get(d, "year"));
    char end[32];
    snprintf(end, sizeof end, "%04d-12-31T23:59:59Z", year);
    int64_t created = 0;
    if (rtime_parse_iso(end, &created))
        return ERR_INVALID;
    struct pdf_doc *doc = NULL;
    char head[256];
    snprintf(head, sizeof head, "%s · Digitalisierung", js(d, "city"));
    int rc = pdf_new(js(d, "title"), head, created, &doc);
    if (rc)
        return rc;
    struct str line;
    str_init(&line, 4096);
    const json_t *s = json_object_get(d, "summary");
    rc = pdf_heading(doc, 1, js(d, "title"));
    if (!rc)
        rc = pdf_heading(doc, 2, "Zusammenfassung");
    if (!rc) {
        str_addf(&line,
                 "Von %d Maßnahmen sind %d umgesetzt, %d begonnen, %d geplant und %d verzögert. "
                 "Soll %d: %s, Ist: %s, Abweichung: %s (%s). Kennzahlen mit Ziel erreicht: %d "
                 "von %d. Schulungen: %d mit %d Teilnehmenden. Strategiegespräche: %d.",
                 (int)json_integer_value(json_object_get(s, "measures")),
                 (int)json_integer_value(json_object_get(s, "umgesetzt")),
                 (int)json_integer_value(json_object_get(s, "begonnen")),
                 (int)json_integer_value(json_object_get(s, "geplant")),
                 (int)json_integer_value(json_object_get(s, "verzoegert")), year,
                 js(s, "soll_text"), js(s, "ist_text"), js(s, "deviation_text"), js(s, "pct_text"),
                 (int)json_integer_value(json_object_get(s, "kpis_reached")),
                 (int)json_integer_value(json_object_get(s, "kpis_with_target")),
                 (int)json_integer_value(json_object_get(s, "trainings")),
                 (int)json_integer_value(json_object_get(s, "participants")),
                 (int)json_integer_value(json_object_get(s, "reviews")));
        rc = line.err ? line.err : pdf_para(doc, line.buf);
    }
    for (size_t i = 0; !rc && i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) {
        const struct section *sec = &SECTIONS[i];
        if (!(rc = pdf_heading(doc, 2, sec->heading)))
            rc = pdf_rows(doc, json_object_get(d, sec->list), sec->ncols, sec->titles, sec->keys);
    }
    if (!rc)
        rc = pdf_render(doc, out);
    str_release(&line);
    pdf_free(doc);
    return rc;
}
