/* German display texts for the cockpit pages and the annual report: amounts
 * as "1.234,56 €", numbers with a decimal comma, deviations with their sign.
 * The figures stay in the JSON as numbers; the texts are added beside them,
 * so HTML, CSV and PDF show the same words. */
#include <stdio.h>
#include <string.h>

#include "strategy_int.h"

json_t *strat__money_json(int64_t cents)
{
    struct str s;
    str_init(&s, 64);
    strat_money_format(cents, &s);
    json_t *j = json_string(s.buf);
    str_release(&s);
    return j;
}

void strat_number(double v, char *buf, size_t n)
{
    long long tenths = (long long)(v * 10.0 + (v < 0 ? -0.5 : 0.5));
    long long whole = tenths / 10, frac = tenths % 10;
    if (frac < 0)
        frac = -frac;
    if (frac == 0)
        snprintf(buf, n, "%lld", whole);
    else
        snprintf(buf, n, "%s%lld,%lld", tenths < 0 && whole == 0 ? "-" : "", whole, frac);
}

static void money_text(json_t *o, const char *from, const char *to, bool sign)
{
    json_t *v = json_object_get(o, from);
    if (!json_is_integer(v)) {
        json_object_set_new(o, to, json_string("—"));
        return;
    }
    json_int_t c = json_integer_value(v);
    json_t *t = strat__money_json(c);
    if (sign && c > 0 && t) {
        char buf[64];
        snprintf(buf, sizeof buf, "+%s", json_string_value(t));
        json_decref(t);
        t = json_string(buf);
    }
    json_object_set_new(o, to, t);
}

static void pct_text(json_t *o)
{
    json_t *v = json_object_get(o, "deviation_pct");
    char buf[32], num[24];
    if (!json_is_number(v)) {
        json_object_set_new(o, "pct_text", json_string("—"));
        return;
    }
    double d = json_number_value(v);
    strat_number(d, num, sizeof num);
    snprintf(buf, sizeof buf, "%s%s\u00a0%%", d > 0 ? "+" : "", num);
    json_object_set_new(o, "pct_text", json_string(buf));
    json_object_set_new(o, "over", json_boolean(d > 0));
}

static void decorate_row(json_t *o)
{
    money_text(o, "soll", "soll_text", false);
    money_text(o, "ist", "ist_text", false);
    money_text(o, "deviation", "deviation_text", true);
    pct_text(o);
    const char *d = json_string_value(json_object_get(o, "deviation_text"));
    const char *p = json_string_value(json_object_get(o, "pct_text"));
    char buf[128];
    if (d && p && strcmp(p, "—") != 0)
        snprintf(buf, sizeof buf, "%s (%s)", d, p);
    else
        snprintf(buf, sizeof buf, "%s", d ? d : "—");
    json_object_set_new(o, "deviation_full", json_string(buf));
}

void strat__decorate_measures(json_t *measures)
{
    size_t i, j;
    json_t *m, *y;
    json_array_foreach(measures, i, m)
    {
        money_text(m, "oneoff_soll", "oneoff_soll_text", false);
        money_text(m, "running_soll", "running_soll_text", false);
        json_array_foreach(json_object_get(m, "years"), j, y)
        {
            decorate_row(y);
            money_text(y, "oneoff_ist", "oneoff_ist_text", false);
            money_text(y, "running_ist", "running_ist_text", false);
        }
    }
}

void strat__decorate_budget(json_t *budget)
{
    size_t i;
    json_t *b;
    json_array_foreach(budget, i, b) decorate_row(b);
}

const char *strat_unit(const char *unit, double v)
{
    static const char *const singular[][2] = {
        {"Leistungen", "Leistung"}, {"Prozesse", "Prozess"}, {"Schulungen", "Schulung"},
        {"Personen", "Person"},     {"Termine", "Termin"},
    };
    if (!unit)
        return "";
    if (v < 0.95 || v >= 1.05) /* what strat_number shows as "1" */
        return unit;
    for (size_t i = 0; i < sizeof singular / sizeof singular[0]; i++)
        if (strcmp(unit, singular[i][0]) == 0)
            return singular[i][1];
    return unit;
}

void strat__decorate_kpis(json_t *kpis)
{
    size_t i;
    json_t *k;
    json_array_foreach(kpis, i, k)
    {
        const char *unit = json_string_value(json_object_get(k, "unit"));
        char num[32], buf[96];
        json_t *v = json_object_get(k, "value"), *t = json_object_get(k, "target");
        if (json_is_number(v)) {
            strat_number(json_number_value(v), num, sizeof num);
            snprintf(buf, sizeof buf, "%s\u00a0%s", num, strat_unit(unit, json_number_value(v)));
            json_object_set_new(k, "value_text", json_string(buf));
        } else {
            json_object_set_new(k, "value_text", json_string("nicht berechenbar"));
        }
        json_object_set_new(k, "has_target", json_boolean(json_is_number(t)));
        if (json_is_number(t)) {
            strat_number(json_number_value(t), num, sizeof num);
            snprintf(buf, sizeof buf, "%s\u00a0%s", num, strat_unit(unit, json_number_value(t)));
            json_object_set_new(k, "target_text", json_string(buf));
            /* the deviation KPI's target is 0: reached within ±5 %; all others: at least */
            bool reached = false;
            if (json_is_number(v)) {
                double dv = json_number_value(v), dt = json_number_value(t);
                reached =
                    strcmp(json_string_value(json_object_get(k, "id")), "budget_abweichung") == 0
                        ? dv >= -5.0 && dv <= 5.0
                        : dv >= dt;
            }
            json_object_set_new(k, "reached", json_boolean(reached));
        } else {
            json_object_set_new(k, "target_text", json_string("keine Zielzahl"));
        }
    }
}
