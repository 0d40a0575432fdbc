/* Figures of the E-Akte for other modules (the strategy cockpit's KPIs):
 * read-only counts, kept apart from the write paths. */
#include "records.h"

int rec_doc_count(struct store *s, int64_t *ret_count)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    int64_t n = 0;
    rc = store_query_int(c, &n, "SELECT count(*) FROM documents", "");
    store_put(s, c);
    if (!rc)
        *ret_count = n;
    return rc;
}
