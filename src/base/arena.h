/* A per-request bump allocator (h2o pools, PostgreSQL memory contexts):
 * everything a request allocates is freed at once when the response is sent.
 * The arena has a cap so one request cannot take the server's memory. */
#ifndef RATHAUS_BASE_ARENA_H
#define RATHAUS_BASE_ARENA_H

#include <stddef.h>

/* Default cap of an arena. */
#define ARENA_DEFAULT_CAP ((size_t)64 * 1024 * 1024)

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block; older ones linked behind it */
    size_t total;             /* bytes allocated in all blocks */
    size_t cap;               /* maximum total */
};

/* Initializes an empty arena with a byte cap (0 = ARENA_DEFAULT_CAP). */
void arena_init(struct arena *a, size_t cap);

/* Returns n bytes aligned for any type, or NULL when the cap is reached or
 * memory is out. The memory lives until arena_reset or arena_release. */
void *arena_alloc(struct arena *a, size_t n);

/* Like arena_alloc but zeroed. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* Copies n bytes of p and adds a NUL; NULL on failure. */
char *arena_strndup(struct arena *a, const char *p, size_t n);

/* Copies a NUL-terminated string; NULL on failure. */
char *arena_strdup(struct arena *a, const char *z);

/* Returns a printf-formatted string in the arena; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees everything but the first block, so a reused arena does not go back
 * to malloc for small requests. */
void arena_reset(struct arena *a);

/* Frees all memory of the arena. */
void arena_release(struct arena *a);

#endif
