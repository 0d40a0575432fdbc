/* The KPI "services online at OZG level 3 or higher". It needs the portal's
 * public header (src/portal/portal.h, branch h/portal), which is not merged
 * yet: until then the KPI reports that it cannot be computed.
 * TODO(portal): when portal.h with portal_services_online() is merged, call
 * it here (see kpi_portal.c.todo beside this file) and delete this stand-in. */
#include <stdio.h>

#include "strategy_int.h"

/* Declared in kpi.c; fills *ret_value or returns ERR_NOTFOUND with a German
 * reason in detail. */
int strat__kpi_services(struct store *s, double *ret_value, char *detail, size_t n);

int strat__kpi_services(struct store *s, double *ret_value, char *detail, size_t n)
{
    (void)s;
    (void)ret_value;
    snprintf(detail, n,
             "Das Portal (Leistungskatalog) ist in dieser Version noch nicht "
             "verfügbar; der Wert folgt mit ihm.");
    return ERR_NOTFOUND;
}
