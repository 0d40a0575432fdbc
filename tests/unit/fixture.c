/* The shared data-directory fixture of the domain unit tests (fixture.h),
 * so each test file states only what it tests. */
#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "portal/portal.h"
#include "processes/processes.h"
#include "records/records.h"
#include "store/journal.h"
#include "web/web.h"
#include "workflow/deploy.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int fx_migrate_all(struct store *s)
{
    const struct {
        const struct store_migration *list;
        size_t n;
    } parts[] = {
        {journal_migrations, journal_migrations_count},
        {web_migrations, web_migrations_count},
        {records_migrations, records_migrations_count},
        {records_search_migrations, records_search_migrations_count},
        {wf_migrations, wf_migrations_count},
        {proc_migrations, proc_migrations_count},
        {portal_migrations, portal_migrations_count},
    };
    struct store_migration all[64];
    size_t k = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (size_t j = 0; j < parts[i].n && k < 64; j++)
            all[k++] = parts[i].list[j];
    return store_migrate(s, all, k, NULL);
}

int fx_open(const char *prefix, struct fx **ret)
{
    unsetenv("RATHAUS_CLOCK_OFFSET");
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->tmp, sizeof f->tmp, "/tmp/rathaus-%s-XXXXXX", prefix);
    snprintf(f->dir, sizeof f->dir, "%s/data", mkdtemp(f->tmp) ? f->tmp : "/nonexistent");
    struct store_conn *c;
    if (store_open(f->dir, STORE_CREATE, &f->s) || fx_migrate_all(f->s) || store_get(f->s, &c)) {
        fx_close(f);
        return -1;
    }
    int rc = store_begin(c, true);
    if (!rc)
        rc = web_units_seed(c, "test");
    if (!rc)
        rc = rec_plan_seed(c, "test");
    rc = rc ? (store_rollback(c), rc) : store_commit(c);
    store_put(f->s, c);
    if (rc) {
        fx_close(f);
        return -1;
    }
    *ret = f;
    return 0;
}

void fx_close(struct fx *f)
{
    if (!f)
        return;
    store_close(f->s);
    if (f->tmp[0])
        nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    unsetenv("RATHAUS_CLOCK_OFFSET");
}
