/* records_register: joins the route tables of the E-Akte (JSON API, staff
 * pages, search) into the server's router. No weak stand-ins here: rathaus
 * links a static library, where a weak definition in this file would keep
 * the linker from pulling in pages.o or search.o at all. */
#include "records_int.h"

int records_register(struct http_router *r)
{
    int rc = http_routes_add(r, rec_api_routes, rec_api_routes_count);
    if (!rc && rec_page_routes_count)
        rc = http_routes_add(r, rec_page_routes, rec_page_routes_count);
    if (!rc && rec_search_routes_count)
        rc = http_routes_add(r, rec_search_routes, rec_search_routes_count);
    return rc;
}
