/* The KPI "services online at OZG level 3 or higher", computed by the
 * portal (src/portal/portal.h): the services it publishes with an OZG
 * maturity level of at least 3. Kept apart from kpi.c, which needs no portal. */
#include <stdio.h>

#include "portal/portal.h"
#include "strategy_int.h"

int strat__kpi_services(struct store *s, double *ret_value, char *detail, size_t n);

int strat__kpi_services(struct store *s, double *ret_value, char *detail, size_t n)
{
    int count = 0;
    int rc = portal_services_online(s, 3, &count);
    if (rc) {
        snprintf(detail, n, "Die Leistungen des Portals sind nicht lesbar.");
        return rc;
    }
    *ret_value = (double)count;
    snprintf(detail, n, "%d Leistungen im Portal mit OZG-Reifegrad 3 oder 4.", count);
    return 0;
}
