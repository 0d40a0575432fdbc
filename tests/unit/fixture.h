/* A data directory for unit tests of the domains: a temp directory with a
 * store carrying every migration of rathaus, the offices and the default
 * file plan, as `rathaus init` leaves it (without accounts). */
#ifndef RATHAUS_TESTS_UNIT_FIXTURE_H
#define RATHAUS_TESTS_UNIT_FIXTURE_H

#include "store/store.h"

struct fx {
    char tmp[64];    /* mkdtemp directory */
    char dir[96];    /* data directory inside tmp */
    struct store *s; /* the opened store */
};

/* Applies every migration of rathaus to s (cli_migrate of src/cli/common.c,
 * which meson links into each unit test). */
int fx_migrate_all(struct store *s);

/* Creates the directory /tmp/rathaus-<prefix>-XXXXXX/data with the schema,
 * the offices and the file plan; clears RATHAUS_CLOCK_OFFSET. Returns 0 and
 * *ret (free with fx_close), or -1. */
int fx_open(const char *prefix, struct fx **ret);

/* Closes the store, removes the directory and clears RATHAUS_CLOCK_OFFSET. */
void fx_close(struct fx *f);

#endif
