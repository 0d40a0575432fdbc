/* Files compiled into the rathaus binary: templates for the view layer and
 * static assets for the HTTP layer. scripts/embed.py generates the tables at
 * build time, so a deployed binary needs no files beside it. */
#ifndef RATHAUS_VIEW_EMBED_H
#define RATHAUS_VIEW_EMBED_H

#include <stddef.h>

/* One embedded file. Tables from embed.py are sorted by name in byte order
 * and end with a {NULL, NULL, 0} entry that the count leaves out. */
struct embed_file {
    const char *name;          /* path relative to the base folder, '/'-separated */
    const unsigned char *data; /* contents, followed by a NUL that len leaves out */
    size_t len;                /* bytes in data */
};

/* Declares the table SYM and its length SYM_count as embed.py defines them:
 * EMBED_DECLARE(rathaus_templates); */
#define EMBED_DECLARE(sym)                                                                         \
    extern const struct embed_file sym[];                                                          \
    extern const size_t sym##_count

#endif
