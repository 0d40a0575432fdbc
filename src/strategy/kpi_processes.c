/* The KPI "documented processes" from the process library: every process in
 * the register counts as documented; the detail names the statuses. */
#include <stdio.h>

#include "processes/processes.h"
#include "strategy_int.h"

int strat__kpi_processes(struct store *s, double *ret_value, char *detail, size_t n);

int strat__kpi_processes(struct store *s, double *ret_value, char *detail, size_t n)
{
    json_t *st = NULL;
    int rc = proc_stats(s, &st);
    if (rc) {
        snprintf(detail, n, "Die Prozessbibliothek ist nicht lesbar.");
        return rc;
    }
    const json_t *by = json_object_get(st, "by_status");
    *ret_value = (double)json_integer_value(json_object_get(st, "total"));
    snprintf(detail, n,
             "%lld Prozesse im Prozessregister, %lld mit BPMN-Modell; erfasst %lld, modelliert "
             "%lld, optimiert %lld, digitalisiert %lld.",
             (long long)json_integer_value(json_object_get(st, "total")),
             (long long)json_integer_value(json_object_get(st, "with_model")),
             (long long)json_integer_value(json_object_get(by, "erfasst")),
             (long long)json_integer_value(json_object_get(by, "modelliert")),
             (long long)json_integer_value(json_object_get(by, "optimiert")),
             (long long)json_integer_value(json_object_get(by, "digitalisiert")));
    json_decref(st);
    return 0;
}
