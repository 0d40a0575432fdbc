/* Loading the strategy's default data: data/strategy/strategie.json (embedded
 * in the binary) goes into the strat_* tables at `rathaus init`. Amounts in
 * the file are euros; the tables keep cents. Each measure's Soll is spread
 * evenly over the plan's years (remainder in the last year), as the file's
 * README explains. */
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "store/journal.h"
#include "strategy.h"
#include "web/web.h"

static int64_t cents(const json_t *v)
{
    if (!json_is_number(v))
        return 0;
    double d = json_number_value(v) * 100.0;
    return (int64_t)(d + (d < 0 ? -0.5 : 0.5));
}

static int64_t sum_cents(const json_t *obj)
{
    const char *k;
    json_t *v;
    int64_t sum = 0;
    json_object_foreach((json_t *)obj, k, v) sum += cents(v);
    return sum;
}

static const char *text(const json_t *o, const char *key)
{
    const char *z = json_string_value(json_object_get(o, key));
    return z ? z : "";
}

static int seed_measures(struct store_conn *c, const json_t *doc)
{
    const json_t *years = json_object_get(doc, "jahre");
    size_t ny = json_array_size(years);
    if (!ny)
        return ERR_CORRUPT;
    int rc = 0;
    size_t i;
    json_t *v;
    json_array_foreach(years, i, v)
    {
        if (!rc)
            rc = store_run(c, "INSERT INTO strat_years (year) VALUES (?)", "i",
                           (int64_t)json_integer_value(v));
    }
    json_array_foreach(json_object_get(doc, "bausteine"), i, v)
    {
        if (!rc)
            rc = store_run(c,
                           "INSERT INTO strat_blocks (code, title, description, responsible,"
                           " oneoff_stated, running_stated) VALUES (?, ?, ?, ?, ?, ?)",
                           "ttttii", text(v, "code"), text(v, "titel"), text(v, "beschreibung"),
                           text(v, "verantwortlich"),
                           cents(json_object_get(v, "einmal_soll_laut_strategie")),
                           cents(json_object_get(v, "laufend_soll_laut_strategie")));
    }
    json_array_foreach(json_object_get(doc, "massnahmen"), i, v)
    {
        if (rc)
            break;
        int64_t one = sum_cents(json_object_get(v, "einmal"));
        int64_t run = sum_cents(json_object_get(v, "laufend"));
        json_t *bd = json_pack("{s:O?, s:O?}", "einmal", json_object_get(v, "einmal"), "laufend",
                               json_object_get(v, "laufend"));
        char *bds = bd ? json_dumps(bd, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(bd);
        if (!bds)
            return ERR_NOMEM;
        rc = store_run(c,
                       "INSERT INTO strat_measures (nr, block, title, description, oneoff_soll,"
                       " running_soll, breakdown) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       "ttttiit", text(v, "nr"), text(v, "baustein"), text(v, "titel"),
                       text(v, "beschreibung"), one, run, bds);
        free(bds);
        size_t j;
        json_t *y;
        json_array_foreach(years, j, y)
        {
            if (rc)
                break;
            int64_t n = (int64_t)ny;
            bool last = j + 1 == ny;
            int64_t o = one / n + (last ? one % n : 0), r = run / n + (last ? run % n : 0);
            rc = store_run(c,
                           "INSERT INTO strat_measure_plan (measure, year, oneoff_soll,"
                           " running_soll) VALUES (?, ?, ?, ?)",
                           "tiii", text(v, "nr"), (int64_t)json_integer_value(y), o, r);
        }
    }
    return rc;
}

static int seed_rest(struct store_conn *c, const json_t *doc)
{
    int rc = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "rahmenfinanzplan"), i, v)
    {
        if (!rc)
            rc = store_run(c,
                           "INSERT INTO strat_budget (year, category, soll, source)"
                           " VALUES (?, ?, ?, ?)",
                           "itit", (int64_t)json_integer_value(json_object_get(v, "jahr")),
                           text(v, "kategorie"), cents(json_object_get(v, "soll")),
                           text(v, "quelle"));
    }
    json_array_foreach(json_object_get(doc, "personal"), i, v)
    {
        if (!rc)
            rc = store_run(c,
                           "INSERT INTO strat_personnel (scope, kind, fte_centi, label)"
                           " VALUES (?, ?, ?, ?)",
                           "ttit", text(v, "bereich"), text(v, "art"),
                           cents(json_object_get(v, "vza")), text(v, "text"));
    }
    json_array_foreach(json_object_get(doc, "empfehlungen"), i, v)
    {
        if (rc)
            break;
        char *m = json_dumps(json_object_get(v, "massnahmen"), JSON_COMPACT);
        char *k = json_dumps(json_object_get(v, "kennzahlen"), JSON_COMPACT);
        char *ids = json_dumps(json_object_get(v, "kpis"), JSON_COMPACT);
        rc = m && k && ids
                 ? store_run(c,
                             "INSERT INTO strat_recommendations (nr, measures, kpis,"
                             " kpi_ids) VALUES (?, ?, ?, ?)",
                             "ittt", (int64_t)json_integer_value(json_object_get(v, "nr")), m, k,
                             ids)
                 : ERR_CORRUPT;
        free(m);
        free(k);
        free(ids);
    }
    json_array_foreach(json_object_get(doc, "reifegrad_bereiche"), i, v)
    {
        if (!rc)
            rc = store_run(c,
                           "INSERT INTO strat_maturity_areas (code, pos, name, baseline)"
                           " VALUES (?, ?, ?, ?)",
                           "titt", text(v, "code"), (int64_t)i, text(v, "name"),
                           text(v, "ausgangslage"));
    }
    return rc;
}

int strat_seed_store(struct store *s)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    int64_t n = 0;
    rc = store_query_int(c, &n, "SELECT count(*) FROM strat_measures", "");
    store_put(s, c);
    if (rc || n > 0)
        return rc; /* the usual case: no write transaction at all */
    if ((rc = store_get(s, &c)))
        return rc;
    if ((rc = store_begin(c, true))) {
        store_put(s, c);
        return rc;
    }
    rc = strat_seed(c, "system");
    if (rc)
        store_rollback(c);
    else
        rc = store_commit(c);
    store_put(s, c);
    return rc;
}

int strat_seed(struct store_conn *c, const char *actor)
{
    int64_t n = 0;
    int rc = store_query_int(c, &n, "SELECT count(*) FROM strat_measures", "");
    if (rc || n > 0)
        return rc;
    const struct embed_file *f = NULL;
    for (size_t i = 0; i < rathaus_data_count; i++)
        if (strcmp(rathaus_data[i].name, "strategy/strategie.json") == 0)
            f = &rathaus_data[i];
    if (!f)
        return ERR_INTERNAL;
    json_t *doc = json_loadb((const char *)f->data, f->len, 0, NULL);
    if (!doc)
        return ERR_CORRUPT;
    rc = seed_measures(c, doc);
    if (!rc)
        rc = seed_rest(c, doc);
    if (!rc) {
        json_t *d = json_pack("{s:s, s:i}", "source", "data/strategy/strategie.json", "measures",
                              (int)json_array_size(json_object_get(doc, "massnahmen")));
        rc = d ? journal_append(c, actor, "strategy.seed", "strategy", d, NULL) : ERR_NOMEM;
        json_decref(d);
    }
    json_decref(doc);
    return rc;
}
