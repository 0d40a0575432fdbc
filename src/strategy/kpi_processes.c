/* The KPI "documented processes". The process library (src/processes/,
 * not merged into this branch) will be its source; until then it counts the
 * BPMN models deployed as workflows (src/workflow/deploy.h). The file
 * kpi_processes.c.todo beside this one asks proc_stats() instead. */
#include <stdio.h>

#include "strategy_int.h"
#include "workflow/deploy.h"

int strat__kpi_processes(struct store *s, double *ret_value, char *detail, size_t n);

int strat__kpi_processes(struct store *s, double *ret_value, char *detail, size_t n)
{
    int64_t p = 0, svc = 0;
    int rc = wf_models_count(s, &p, &svc);
    if (rc) {
        snprintf(detail, n, "Die bereitgestellten Prozessmodelle sind nicht lesbar.");
        return rc;
    }
    *ret_value = (double)p;
    snprintf(detail, n,
             "%lld Prozessmodelle bereitgestellt, %lld davon laufen als Ablauf einer Leistung "
             "(Status „digitalisiert“). Quelle bis zur Prozessbibliothek: bereitgestellte "
             "Workflow-Modelle.",
             (long long)p, (long long)svc);
    return 0;
}
