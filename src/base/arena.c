/* The bump allocator of arena.h. Blocks grow with the request; a reset keeps
 * the first block so the common small request never calls malloc again. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN 8192
#define ARENA_ALIGN 16

struct arena_block {
    struct arena_block *next; /* older block */
    size_t size;              /* usable bytes in data */
    size_t used;              /* bytes handed out */
    _Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t cap)
{
    a->head = NULL;
    a->total = 0;
    a->cap = cap ? cap : ARENA_DEFAULT_CAP;
}

void *arena_alloc(struct arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t sz = b ? b->size * 2 : ARENA_BLOCK_MIN;
        if (sz < n)
            sz = n;
        if (a->total >= a->cap || n > a->cap - a->total)
            return NULL;
        if (sz > a->cap - a->total)
            sz = a->cap - a->total;
        b = malloc(sizeof *b + sz);
        if (!b)
            return NULL;
        b->next = a->head;
        b->size = sz;
        b->used = 0;
        a->head = b;
        a->total += sz;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *r = arena_alloc(a, n + 1);
    if (!r)
        return NULL;
    if (n)
        memcpy(r, p, n);
    r[n] = '\0';
    return r;
}

char *arena_strdup(struct arena *a, const char *z)
{
    return arena_strndup(a, z, strlen(z));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *r = arena_alloc(a, (size_t)n + 1);
    if (!r)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return r;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->head;
    if (!b)
        return;
    /* keep the oldest (first) block, free the rest */
    while (b->next) {
        struct arena_block *next = b->next;
        a->total -= b->size;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
