/* The strategy's KPIs, computed live from rathaus' own data: documents in
 * the E-Akte against the paper baseline, services online at OZG level 3 or
 * higher, documented processes, trainings and participants, review meetings
 * and the Soll/Ist deviation of the measures. Each computation can store the
 * day's values as a snapshot, which gives every KPI its daily history. */
#include <stdio.h>
#include <string.h>

#include "records/records.h"
#include "strategy_int.h"

/* The catalogue: what each KPI means (shown on the KPI page and in the
 * report). target < 0 means the strategy names no number. */
static const struct kpi_def {
    const char *id;
    const char *name;
    const char *definition;
    const char *formula;
    double target;
    const char *unit;
    const char *recommendations;
    const char *heading; /* the name with soft hyphens for narrow screens, or NULL */
} KPIS[] = {
    {"digitalanteil", "Anteil digital bearbeiteter Dokumente",
     "Dokumente in der E-Akte im Verhältnis zu allen Dokumenten, also einschließlich der auf "
     "Papier bearbeiteten, deren Zahl die Stadt als Basiswert einträgt (Lösungsbaustein 1, "
     "Empfehlung 7).",
     "Dokumente in der E-Akte ÷ (Dokumente in der E-Akte + Papierdokumente laut Basiswert) × 100",
     30, "%", "7"},
    {"leistungen_online", "Leistungen online ab OZG-Reifegrad 3",
     "Verwaltungsleistungen im Portal, die vollständig online beantragt werden können "
     "(OZG-Reifegrad 3 oder 4) (Lösungsbaustein 2, Empfehlungen 4 und 7).",
     "Anzahl der veröffentlichten Leistungen mit OZG-Reifegrad ≥ 3", 20, "Leistungen", "4, 7"},
    {"prozesse_dokumentiert", "Dokumentierte Prozesse",
     "Prozesse, die in der Prozessbibliothek mit Zuständigkeit, Beschreibung und Wissensnotizen "
     "erfasst sind, mit ihrem Status erfasst, modelliert, optimiert oder digitalisiert "
     "(Lösungsbaustein 4, Empfehlungen 5 und 7). Ziel: ein dokumentierter Prozess je "
     "Online-Leistung.",
     "Anzahl der Prozesse im Prozessregister", 20, "Prozesse", "5, 7"},
    {"schulungen", "Schulungen im laufenden Jahr",
     "Durchgeführte Schulungen und Sensibilisierungsmaßnahmen des Jahres bis zum Stichtag "
     "(Empfehlungen 3, 5 und 6). Die Strategie nennt keine Zielzahl.",
     "Anzahl der Schulungen mit Datum im Jahr des Stichtags und nicht nach dem Stichtag", -1,
     "Schulungen", "3, 5, 6"},
    {"schulung_teilnehmende", "Teilnehmende an Schulungen im laufenden Jahr",
     "Summe der Teilnehmenden dieser Schulungen (Empfehlung 6: Aus- und Weiterbildung der "
     "Beschäftigten). Die Strategie nennt keine Zielzahl.",
     "Summe der Teilnehmenden der Schulungen im Jahr des Stichtags bis zum Stichtag", -1,
     "Personen", "6"},
    {"strategiegespraeche", "Strategische Abstimmungstermine im laufenden Jahr",
     "Termine, in denen Inhalte und Fortschritte der Strategie mit dem Verwaltungsvorstand "
     "abgestimmt wurden; mindestens einmal jährlich (Empfehlungen 1 und 9).",
     "Anzahl der Strategiegespräche im Jahr des Stichtags bis zum Stichtag", 1, "Termine", "1, 9",
     "Strategische Abstimmungs\u00adtermine im laufenden Jahr"},
    {"budget_abweichung", "Soll-Ist-Abweichung der Maßnahmen im laufenden Jahr",
     "Abweichung der erfassten Ist-Ausgaben aller Maßnahmen vom Soll des Jahres "
     "(Empfehlungen 8 und 9: Nachweis der Mittelverwendung). Ohne erfasste Ist-Werte gibt es "
     "keinen Wert.",
     "(Summe Ist − Summe Soll) ÷ Summe Soll × 100, über alle Maßnahmen des Jahres", 0, "%", "8, 9"},
};

#define NKPIS (sizeof KPIS / sizeof KPIS[0])

json_t *strat__kpi_def(const char *id)
{
    for (size_t i = 0; i < NKPIS; i++) {
        const struct kpi_def *k = &KPIS[i];
        if (strcmp(k->id, id) != 0)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", k->id, "name", k->name,
                              "definition", k->definition, "formula", k->formula, "unit", k->unit,
                              "recommendations", k->recommendations);
        if (o) {
            json_object_set_new(o, "target", k->target < 0 ? json_null() : json_real(k->target));
            json_object_set_new(o, "heading", json_string(k->heading ? k->heading : k->name));
        }
        return o;
    }
    return NULL;
}

static double round1(double v)
{
    return (double)(long long)(v * 10.0 + (v < 0 ? -0.5 : 0.5)) / 10.0;
}

/* One computed value. */
struct kpi_val {
    bool has;         /* value could be computed */
    double value;     /* the value */
    char detail[400]; /* German explanation of the figures behind it */
};

static int kpi_digital(struct store *s, struct kpi_val *v)
{
    int64_t docs = 0, paper = 0;
    bool set = false;
    int rc = rec_doc_count(s, &docs);
    if (!rc)
        rc = strat_baseline_get(s, &set, &paper, NULL);
    if (rc)
        return rc;
    if (!set) {
        snprintf(v->detail, sizeof v->detail,
                 "%lld Dokumente in der E-Akte; der Papier-Basiswert ist noch nicht "
                 "eingetragen.",
                 (long long)docs);
        return 0;
    }
    v->has = true;
    v->value = docs + paper > 0 ? round1(100.0 * (double)docs / (double)(docs + paper)) : 0;
    snprintf(v->detail, sizeof v->detail,
             "%lld Dokumente in der E-Akte, %lld Papierdokumente laut Basiswert.", (long long)docs,
             (long long)paper);
    return 0;
}

static int kpi_counts(struct store_conn *c, const char *day, struct kpi_val *trainings,
                      struct kpi_val *people, struct kpi_val *reviews)
{
    char year[5];
    memcpy(year, day, 4);
    year[4] = '\0';
    int64_t n = 0, sum = 0, r = 0;
    int rc = store_query_int(c, &n,
                             "SELECT count(*) FROM strat_trainings WHERE substr(held_on, 1, 4) = ?"
                             " AND held_on <= ?",
                             "tt", year, day);
    if (!rc)
        rc = store_query_int(c, &sum,
                             "SELECT coalesce(sum(participants), 0) FROM strat_trainings"
                             " WHERE substr(held_on, 1, 4) = ? AND held_on <= ?",
                             "tt", year, day);
    if (!rc)
        rc = store_query_int(c, &r,
                             "SELECT count(*) FROM strat_reviews WHERE substr(held_on, 1, 4) = ?"
                             " AND held_on <= ?",
                             "tt", year, day);
    if (rc)
        return rc;
    trainings->has = people->has = reviews->has = true;
    trainings->value = (double)n;
    people->value = (double)sum;
    reviews->value = (double)r;
    snprintf(trainings->detail, sizeof trainings->detail, "Schulungen vom 1.1.%s bis %s.", year,
             day);
    snprintf(people->detail, sizeof people->detail,
             "Teilnehmende der %lld Schulungen vom 1.1.%s bis %s.", (long long)n, year, day);
    snprintf(reviews->detail, sizeof reviews->detail,
             "Strategiegespräche vom 1.1.%s bis %s; die Empfehlungen 1 und 9 verlangen "
             "mindestens eines im Jahr.",
             year, day);
    return 0;
}

static int kpi_budget(struct store_conn *c, const char *day, struct kpi_val *v)
{
    long year;
    char y[5];
    memcpy(y, day, 4);
    y[4] = '\0';
    if (str_to_long(y, 0, 9999, &year))
        return ERR_INVALID;
    int64_t soll = 0, ist = 0, n = 0;
    int rc = store_query_int(c, &soll,
                             "SELECT coalesce(sum(oneoff_soll + running_soll), 0)"
                             " FROM strat_measure_plan WHERE year = ?",
                             "i", (int64_t)year);
    if (!rc)
        rc = store_query_int(c, &n, "SELECT count(*) FROM strat_actuals WHERE year = ?", "i",
                             (int64_t)year);
    if (!rc)
        rc = store_query_int(c, &ist,
                             "SELECT coalesce(sum(oneoff_ist + running_ist), 0)"
                             " FROM strat_actuals WHERE year = ?",
                             "i", (int64_t)year);
    if (rc)
        return rc;
    struct str a, b;
    str_init(&a, 64);
    str_init(&b, 64);
    strat_money_format(soll, &a);
    strat_money_format(ist, &b);
    if (n == 0 || soll == 0) {
        snprintf(v->detail, sizeof v->detail,
                 "Soll %ld: %s; für %ld sind noch keine Ist-Werte erfasst.", year, a.buf, year);
    } else {
        v->has = true;
        v->value = round1((double)(ist - soll) * 100.0 / (double)soll);
        snprintf(v->detail, sizeof v->detail, "Soll %ld: %s, Ist: %s (%lld Maßnahmen erfasst).",
                 year, a.buf, b.buf, (long long)n);
    }
    str_release(&a);
    str_release(&b);
    return 0;
}

/* The KPIs that ask other domains live in their own files: kpi_portal.c
 * (src/portal/portal.h) and kpi_processes.c (src/processes/processes.h).
 * Both fill *ret_value or return an error with a German reason in detail. */
int strat__kpi_services(struct store *s, double *ret_value, char *detail, size_t n);
int strat__kpi_processes(struct store *s, double *ret_value, char *detail, size_t n);

static int save_snapshots(struct store *s, const char *actor, const char *day,
                          const struct kpi_val *vals)
{
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    json_t *changed = json_object();
    if (!changed)
        rc = ERR_NOMEM;
    for (size_t i = 0; !rc && i < NKPIS; i++) {
        if (!vals[i].has)
            continue;
        rc = store_run(c,
                       "INSERT INTO strat_kpi_snapshots (kpi, day, value) VALUES (?, ?, ?)"
                       " ON CONFLICT (kpi, day) DO UPDATE SET value = excluded.value"
                       " WHERE value <> excluded.value",
                       "ttd", KPIS[i].id, day, vals[i].value);
        if (!rc && store_changes(c) > 0)
            json_object_set_new(changed, KPIS[i].id, json_real(vals[i].value));
    }
    if (!rc && json_object_size(changed) > 0) {
        json_t *d = json_pack("{s:s, s:O}", "day", day, "values", changed);
        rc = strat__journal(c, actor, "strategy.kpi.snapshot", "strategy:kpi", d);
    }
    json_decref(changed);
    return strat__end(s, c, rc);
}

int strat_kpis(struct store *s, const char *actor, const char *day, bool save, json_t **ret)
{
    if (!strat__is_date(day))
        return ERR_INVALID;
    struct kpi_val vals[NKPIS];
    memset(vals, 0, sizeof vals);
    int rc = kpi_digital(s, &vals[0]);
    if (!rc) {
        vals[1].has =
            strat__kpi_services(s, &vals[1].value, vals[1].detail, sizeof vals[1].detail) == 0;
        vals[2].has =
            strat__kpi_processes(s, &vals[2].value, vals[2].detail, sizeof vals[2].detail) == 0;
    }
    if (!rc) {
        struct store_conn *c;
        if (!(rc = store_get(s, &c))) {
            rc = kpi_counts(c, day, &vals[3], &vals[4], &vals[5]);
            if (!rc)
                rc = kpi_budget(c, day, &vals[6]);
            store_put(s, c);
        }
    }
    if (!rc && save)
        rc = save_snapshots(s, actor, day, vals);
    if (rc)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; list && i < NKPIS; i++) {
        json_t *o = strat__kpi_def(KPIS[i].id);
        if (!o || json_array_append_new(list, o)) {
            json_decref(list);
            return ERR_NOMEM;
        }
        json_object_set_new(o, "value", vals[i].has ? json_real(vals[i].value) : json_null());
        json_object_set_new(o, "detail", json_string(vals[i].detail));
        json_object_set_new(o, "day", json_string(day));
    }
    if (!list)
        return ERR_NOMEM;
    *ret = list;
    return 0;
}

int strat_kpi_history(struct store *s, const char *kpi_id, const char *until, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *list = json_array();
    struct store_stmt *st;
    if (!list)
        rc = ERR_NOMEM;
    else if (!(rc = store_prepare(c,
                                  "SELECT day, value FROM strat_kpi_snapshots WHERE kpi = ?"
                                  " AND day <= ? ORDER BY day",
                                  &st)) &&
             !(rc = store_bind(st, "tt", kpi_id, until ? until : "9999-12-31"))) {
        while ((rc = store_step(st)) == STORE_ROW) {
            json_t *o = json_pack("{s:s, s:f}", "day", store_col_text(st, 0), "value",
                                  store_col_double(st, 1));
            rc = !o || json_array_append_new(list, o) ? ERR_NOMEM : 0;
            if (rc)
                break;
        }
        if (rc == STORE_DONE)
            rc = 0;
        store_done(st);
    }
    store_put(s, c);
    if (rc)
        json_decref(list);
    else
        *ret = list;
    return rc;
}
