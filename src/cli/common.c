/* Helpers shared by the subcommands, and the list of every schema migration
 * of rathaus: each module owns its migrations, this file only joins them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "portal/portal.h"
#include "processes/processes.h"
#include "records/records.h"
#include "store/journal.h"
#include "web/web.h"
#include "workflow/deploy.h"

const char *cli_data_dir(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("RATHAUS_DATA");
    if (env && *env)
        return env;
    return "./data";
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "rathaus %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int cli_migrate(struct store *s, int *ret_applied)
{
    struct {
        const struct store_migration *list;
        size_t n;
    } parts[] = {
        {journal_migrations, journal_migrations_count},
        {web_migrations, web_migrations_count},
        {records_migrations, records_migrations_count},
        {records_search_migrations, records_search_migrations_count},
        {wf_migrations, wf_migrations_count},
        {portal_migrations, portal_migrations_count},
        {proc_migrations, proc_migrations_count},
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        total += parts[i].n;
    struct store_migration *all = calloc(total, sizeof *all);
    if (!all)
        return ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (size_t j = 0; j < parts[i].n; j++)
            all[k++] = parts[i].list[j];
    int rc = store_migrate(s, all, total, ret_applied);
    free(all);
    return rc;
}

int cli_open(const char *dir, struct store **ret)
{
    struct store *s;
    int rc = store_open(dir, 0, &s);
    if (rc == ERR_NOTFOUND) {
        fprintf(stderr,
                "rathaus: im Datenverzeichnis %s gibt es keine Datenbank (rathaus.db). "
                "Legen Sie es mit „rathaus init --data %s“ an.\n",
                dir, dir);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "rathaus: Datenverzeichnis %s kann nicht geöffnet werden: %s\n", dir,
                err_message(rc));
        return 1;
    }
    rc = cli_migrate(s, NULL);
    if (rc == ERR_VERSION) {
        fprintf(stderr,
                "rathaus: die Datenbank in %s wurde von einer neueren rathaus-Version "
                "geschrieben. Bitte installieren Sie diese Version (rathaus %s ist älter).\n",
                dir, RATHAUS_VERSION);
        store_close(s);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "rathaus: Schema-Aktualisierung in %s fehlgeschlagen: %s\n", dir,
                err_message(rc));
        store_close(s);
        return 1;
    }
    *ret = s;
    return 0;
}

int cli_read_line(char *buf, size_t n)
{
    if (!fgets(buf, (int)n, stdin))
        return ERR_INVALID;
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (len == n - 1)
        return ERR_TOOBIG;
    if (len && buf[len - 1] == '\r')
        buf[--len] = '\0';
    return 0;
}
