/* `rathaus kpi`: computes the strategy's KPIs from the data directory, prints
 * them as a table or as JSON (a list of objects with id, name, target, value
 * and unit) and stores the day's values as the KPIs' daily history. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strategy/strategy.h"

static void help(void)
{
    printf("Aufruf: rathaus kpi [--data VERZEICHNIS] [--json] [--date JJJJ-MM-TT] [--no-save]\n\n"
           "Berechnet die Kennzahlen der Digitalisierungsstrategie aus den Daten von rathaus\n"
           "und speichert die Werte des Tages (Tagesverlauf der Kennzahlen).\n\n"
           "  --json      als JSON-Liste mit id, name, target, value, unit, …\n"
           "  --date D    Stichtag (Vorgabe: heute, UTC) für die Zählungen des Jahres\n"
           "  --no-save   nur anzeigen, keinen Tageswert speichern\n");
}

int cmd_kpi(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
        {"date", required_argument, NULL, 't'}, {"no-save", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},       {0, 0, 0, 0},
    };
    const char *data = NULL, *date = NULL;
    bool json = false, save = true;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'j': json = true; break;
        case 't': date = optarg; break;
        case 'n': save = false; break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (optind != argc)
        return cli_fail("kpi", "unerwartetes Argument „%s“ (siehe --help)", argv[optind]);
    char day[11];
    if (date) {
        if (strlen(date) != 10)
            return cli_fail("kpi", "--date: „%s“ ist kein Datum der Form 2026-12-31", date);
        memcpy(day, date, 11);
    } else {
        strat_today(day);
    }
    struct store *s;
    if (cli_open(cli_data_dir(data), &s))
        return 1;
    json_t *list = NULL;
    int rc = strat_kpis(s, "system", day, save, &list);
    store_close(s);
    if (rc == ERR_INVALID)
        return cli_fail("kpi", "--date: „%s“ ist kein Datum der Form 2026-12-31", day);
    if (rc)
        return cli_fail("kpi", "Kennzahlen nicht berechenbar: %s", err_message(rc));
    if (json) {
        char *z = json_dumps(list, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (z)
            printf("%s\n", z);
        free(z);
        rc = z ? 0 : ERR_NOMEM;
    } else {
        printf("Kennzahlen der Digitalisierungsstrategie, Stichtag %s\n\n", day);
        size_t i;
        json_t *k;
        json_array_foreach(list, i, k)
        {
            const json_t *v = json_object_get(k, "value"), *t = json_object_get(k, "target");
            const char *unit = json_string_value(json_object_get(k, "unit"));
            printf("%-22s %s\n", json_string_value(json_object_get(k, "id")),
                   json_string_value(json_object_get(k, "name")));
            char num[32];
            if (json_is_number(v)) {
                strat_number(json_number_value(v), num, sizeof num);
                printf("%-22s Wert: %s %s", "", num, strat_unit(unit, json_number_value(v)));
            } else
                printf("%-22s Wert: nicht berechenbar", "");
            if (json_is_number(t)) {
                strat_number(json_number_value(t), num, sizeof num);
                printf(" (Ziel: %s %s)\n", num, strat_unit(unit, json_number_value(t)));
            } else
                printf(" (keine Zielzahl)\n");
            printf("%-22s %s\n\n", "", json_string_value(json_object_get(k, "detail")));
        }
    }
    json_decref(list);
    return rc ? cli_fail("kpi", "%s", err_message(rc)) : 0;
}
