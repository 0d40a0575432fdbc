/* Figures of the workflow for other modules (the strategy cockpit counts
 * documented processes from the deployed models until the process library
 * exists): read-only counts. */
#include "deploy.h"

int wf_models_count(struct store *s, int64_t *ret_processes, int64_t *ret_services)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    int64_t p = 0, v = 0;
    rc = store_query_int(c, &p, "SELECT count(DISTINCT process_id) FROM process_models", "");
    if (!rc)
        rc = store_query_int(c, &v, "SELECT count(*) FROM deployments", "");
    store_put(s, c);
    if (!rc) {
        *ret_processes = p;
        *ret_services = v;
    }
    return rc;
}
