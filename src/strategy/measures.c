/* The action plan: measures 001–010 with their Soll per year, the actuals
 * (Ist) and statuses the Digitalisierung staff enter, the deviation, and the
 * budget plan, personnel figures, blocks and recommendations as stated in the
 * strategy. */
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "strategy_int.h"

static const char SQL_MEASURES[] =
    "SELECT nr, block, title, description, status, oneoff_soll, running_soll, breakdown"
    " FROM strat_measures ORDER BY nr";

static const char SQL_MEASURE_YEARS[] =
    "SELECT p.year, p.oneoff_soll, p.running_soll, a.oneoff_ist, a.running_ist, a.note,"
    " a.updated_at, a.updated_by, a.measure IS NOT NULL"
    " FROM strat_measure_plan p LEFT JOIN strat_actuals a"
    " ON a.measure = p.measure AND a.year = p.year"
    " WHERE p.measure = ? AND (? = 0 OR p.year = ?) ORDER BY p.year";

static int measure_years(struct store_conn *c, const char *nr, int year, json_t *list)
{
    struct store_stmt *st;
    int rc = store_prepare(c, SQL_MEASURE_YEARS, &st);
    if (rc)
        return rc;
    rc = store_bind(st, "tii", nr, (int64_t)year, (int64_t)year);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        bool has = store_col_int(st, 8) != 0;
        int64_t os = store_col_int(st, 1), rs = store_col_int(st, 2);
        int64_t oi = store_col_int(st, 3), ri = store_col_int(st, 4);
        json_t *y = json_pack("{s:i, s:I, s:I, s:I}", "year", (int)store_col_int(st, 0), "soll",
                              (json_int_t)(os + rs), "oneoff_soll", (json_int_t)os, "running_soll",
                              (json_int_t)rs);
        if (!y)
            rc = ERR_NOMEM;
        else {
            json_object_set_new(y, "ist", has ? json_integer(oi + ri) : json_null());
            json_object_set_new(y, "oneoff_ist", has ? json_integer(oi) : json_null());
            json_object_set_new(y, "running_ist", has ? json_integer(ri) : json_null());
            json_object_set_new(y, "note", json_string(has ? store_col_text(st, 5) : ""));
            json_object_set_new(y, "updated_at", json_string(has ? store_col_text(st, 6) : ""));
            strat__deviation(y, os + rs, has, oi + ri);
            if (json_array_append_new(list, y))
                rc = ERR_NOMEM;
        }
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    return rc;
}

int strat_measures(struct store *s, int year, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *list = json_array();
    struct store_stmt *st;
    if (!list) {
        rc = ERR_NOMEM;
        goto done;
    }
    if ((rc = store_prepare(c, SQL_MEASURES, &st)))
        goto done;
    while ((rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        json_t *m = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:[]}", "nr", store_col_text(st, 0), "block",
            store_col_text(st, 1), "title", store_col_text(st, 2), "description",
            store_col_text(st, 3), "status", store_col_text(st, 4), "oneoff_soll",
            (json_int_t)store_col_int(st, 5), "running_soll", (json_int_t)store_col_int(st, 6),
            "breakdown", json_loads(store_col_text(st, 7), 0, NULL), "years");
        if (!m || json_array_append_new(list, m)) {
            rc = ERR_NOMEM;
            break;
        }
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        if (!rc)
            rc = measure_years(c, json_string_value(json_object_get(m, "nr")), year,
                               json_object_get(m, "years"));
    }
done:
    store_put(s, c);
    if (rc)
        json_decref(list);
    else
        *ret = list;
    return rc;
}

int strat_years(struct store *s, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *list = json_array();
    struct store_stmt *st;
    if (!list)
        rc = ERR_NOMEM;
    else if (!(rc = store_prepare(c, "SELECT year FROM strat_years ORDER BY year", &st))) {
        while ((rc = store_step(st)) == STORE_ROW)
            rc = json_array_append_new(list, json_integer(store_col_int(st, 0))) ? ERR_NOMEM : 0;
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

int strat_actual_set(struct store *s, const char *actor, const char *nr, int year,
                     int64_t oneoff_cents, int64_t running_cents, const char *note, struct str *why)
{
    if (oneoff_cents < 0 || running_cents < 0 || oneoff_cents > STRAT_MAX_MONEY ||
        running_cents > STRAT_MAX_MONEY)
        return strat__invalid(why, "Beträge dürfen nicht negativ sein.");
    if (!note)
        note = "";
    if (!strat__text_ok(note, STRAT_MAX_TEXT))
        return strat__invalid(why, "Die Bemerkung ist zu lang (höchstens 4000 Zeichen) oder "
                                   "enthält Steuerzeichen.");
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    int64_t n = 0;
    if ((rc = store_query_int(c, &n, "SELECT count(*) FROM strat_measures WHERE nr = ?", "t", nr)))
        goto done;
    if (!n) {
        rc = ERR_NOTFOUND;
        goto done;
    }
    if ((rc = store_query_int(c, &n,
                              "SELECT count(*) FROM strat_measure_plan WHERE measure = ? AND"
                              " year = ?",
                              "ti", nr, (int64_t)year)))
        goto done;
    if (!n) {
        rc = strat__invalid(why, "Für dieses Jahr enthält der Maßnahmenplan keine Werte.");
        goto done;
    }
    char now[32];
    rtime_iso_utc(rtime_now(), now, sizeof now);
    rc = store_run(c,
                   "INSERT INTO strat_actuals (measure, year, oneoff_ist, running_ist, note,"
                   " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
                   " ON CONFLICT (measure, year) DO UPDATE SET oneoff_ist = excluded.oneoff_ist,"
                   " running_ist = excluded.running_ist, note = excluded.note,"
                   " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                   "tiiitt"
                   "t",
                   nr, (int64_t)year, oneoff_cents, running_cents, note, now, actor);
    if (!rc) {
        char obj[64];
        snprintf(obj, sizeof obj, "measure:%s", nr);
        rc = strat__journal(c, actor, "strategy.actual.set", obj,
                            json_pack("{s:s, s:i, s:I, s:I, s:s}", "measure", nr, "year", year,
                                      "oneoff_ist", (json_int_t)oneoff_cents, "running_ist",
                                      (json_int_t)running_cents, "note", note));
    }
done:
    return strat__end(s, c, rc);
}

int strat_status_set(struct store *s, const char *actor, const char *nr, const char *status,
                     struct str *why)
{
    static const char *const ok[] = {"geplant", "begonnen", "umgesetzt", "verzögert"};
    bool known = false;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        known = known || (status && strcmp(status, ok[i]) == 0);
    if (!known)
        return strat__invalid(why, "Der Status muss geplant, begonnen, umgesetzt oder verzögert "
                                   "sein.");
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    char now[32];
    rtime_iso_utc(rtime_now(), now, sizeof now);
    rc = store_run(c, "UPDATE strat_measures SET status = ?, status_at = ? WHERE nr = ?", "ttt",
                   status, now, nr);
    if (!rc && store_changes(c) == 0)
        rc = ERR_NOTFOUND;
    if (!rc) {
        char obj[64];
        snprintf(obj, sizeof obj, "measure:%s", nr);
        rc = strat__journal(c, actor, "strategy.measure.status", obj,
                            json_pack("{s:s, s:s}", "measure", nr, "status", status));
    }
    return strat__end(s, c, rc);
}

/* Replaces the JSON text of member key in every object of list by its
 * value (null when it does not parse). */
static int parse_member(json_t *list, const char *key)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        json_t *v = json_loads(json_string_value(json_object_get(o, key)), 0, NULL);
        if (json_object_set_new(o, key, v ? v : json_null()))
            return ERR_NOMEM;
    }
    return 0;
}

static const char *category_label(const char *cat)
{
    if (strcmp(cat, "einmal") == 0)
        return "Einmalige Aufwände";
    if (strcmp(cat, "laufend") == 0)
        return "Laufende Aufwände";
    return "Schulungsmaßnahmen";
}

static int budget(struct store_conn *c, json_t *list)
{
    struct store_stmt *st;
    int rc = store_prepare(
        c,
        "SELECT b.year, b.category, b.soll, b.source,"
        " (SELECT count(*) FROM strat_actuals a WHERE a.year = b.year),"
        " (SELECT coalesce(sum(CASE b.category WHEN 'einmal' THEN a.oneoff_ist"
        "  WHEN 'laufend' THEN a.running_ist END), 0) FROM strat_actuals a WHERE a.year = b.year)"
        " FROM strat_budget b ORDER BY b.year,"
        " CASE b.category WHEN 'einmal' THEN 1 WHEN 'laufend' THEN 2 ELSE 3 END",
        &st);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        const char *cat = store_col_text(st, 1);
        bool has = store_col_int(st, 4) > 0 && strcmp(cat, "schulung") != 0;
        int64_t soll = store_col_int(st, 2), ist = store_col_int(st, 5);
        json_t *o = json_pack("{s:i, s:s, s:s, s:I, s:s}", "year", (int)store_col_int(st, 0),
                              "category", cat, "label", category_label(cat), "soll",
                              (json_int_t)soll, "source", store_col_text(st, 3));
        if (!o || json_array_append_new(list, o)) {
            rc = ERR_NOMEM;
            break;
        }
        json_object_set_new(o, "ist", has ? json_integer(ist) : json_null());
        strat__deviation(o, soll, has, ist);
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    return rc;
}

int strat_plan(struct store *s, json_t **ret)
{
    json_t *o =
        json_pack("{s:[], s:[], s:[], s:[]}", "blocks", "budget", "personnel", "recommendations");
    if (!o)
        return ERR_NOMEM;
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc) {
        json_decref(o);
        return rc;
    }
    rc = store_query_rows(
        c, json_object_get(o, "blocks"),
        "SELECT code, title, description, responsible, oneoff_stated, running_stated,"
        " (SELECT coalesce(sum(oneoff_soll), 0) FROM strat_measures m WHERE m.block = b.code)"
        " AS oneoff_measures,"
        " (SELECT coalesce(sum(running_soll), 0) FROM strat_measures m WHERE m.block = b.code)"
        " AS running_measures"
        " FROM strat_blocks b ORDER BY code",
        "");
    if (!rc)
        rc = budget(c, json_object_get(o, "budget"));
    if (!rc)
        rc = store_query_rows(c, json_object_get(o, "personnel"),
                              "SELECT scope, kind, fte_centi, label FROM strat_personnel"
                              " ORDER BY id",
                              "");
    json_t *recs = json_object_get(o, "recommendations");
    if (!rc)
        rc = store_query_rows(c, recs,
                              "SELECT nr, measures, kpis, kpi_ids FROM strat_recommendations"
                              " ORDER BY nr",
                              "");
    for (size_t k = 0; !rc && k < 3; k++)
        rc = parse_member(recs, (const char *[]){"measures", "kpis", "kpi_ids"}[k]);
    store_put(s, c);
    if (rc)
        json_decref(o);
    else
        *ret = o;
    return rc;
}
