/* The growable string of str.h. Growth doubles the allocation; every append
 * checks the cap first, so a string never holds more than its owner allowed. */
#include "str.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char str_slop[1];

void str_init(struct str *s, size_t cap)
{
    s->buf = str_slop;
    s->len = 0;
    s->alloc = 0;
    s->cap = cap ? cap : STR_DEFAULT_CAP;
    s->err = 0;
}

void str_release(struct str *s)
{
    if (s->alloc)
        free(s->buf);
    size_t cap = s->cap;
    str_init(s, cap);
}

void str_reset(struct str *s)
{
    s->len = 0;
    if (s->alloc)
        s->buf[0] = '\0';
    s->err = 0;
}

int str_grow(struct str *s, size_t n)
{
    if (n > s->cap || s->len > s->cap - n) {
        if (!s->err)
            s->err = ERR_TOOBIG;
        return ERR_TOOBIG;
    }
    size_t need = s->len + n + 1;
    if (need <= s->alloc)
        return 0;
    size_t na = s->alloc ? s->alloc : 64;
    while (na < need)
        na = na > SIZE_MAX / 2 ? need : na * 2;
    char *nb = realloc(s->alloc ? s->buf : NULL, na);
    if (!nb) {
        if (!s->err)
            s->err = ERR_NOMEM;
        return ERR_NOMEM;
    }
    if (!s->alloc)
        nb[0] = '\0';
    s->buf = nb;
    s->alloc = na;
    return 0;
}

int str_add(struct str *s, const char *p, size_t n)
{
    int rc = str_grow(s, n);
    if (rc)
        return rc;
    if (n)
        memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return 0;
}

int str_adds(struct str *s, const char *z)
{
    return str_add(s, z, strlen(z));
}

int str_addc(struct str *s, char c)
{
    return str_add(s, &c, 1);
}

int str_vaddf(struct str *s, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, cp);
    va_end(cp);
    if (n < 0) {
        if (!s->err)
            s->err = ERR_INVALID;
        return ERR_INVALID;
    }
    if ((size_t)n < sizeof small)
        return str_add(s, small, (size_t)n);
    int rc = str_grow(s, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    s->len += (size_t)n;
    return 0;
}

int str_addf(struct str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = str_vaddf(s, fmt, ap);
    va_end(ap);
    return rc;
}

int str_add_html(struct str *s, const char *p, size_t n)
{
    size_t start = 0, len0 = s->len;
    int rc;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (p[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        rc = str_add(s, p + start, i - start);
        if (!rc)
            rc = str_adds(s, rep);
        if (rc)
            goto done;
        start = i + 1;
    }
    rc = str_add(s, p + start, n - start);
done:
    if (rc) { /* as str_add: on error the string is unchanged, not half-escaped */
        s->len = len0;
        s->buf[len0] = '\0';
    }
    return rc;
}

char *str_detach(struct str *s, size_t *ret_len)
{
    char *r;
    if (s->alloc) {
        r = s->buf;
    } else {
        r = malloc(1);
        if (!r)
            return NULL;
        r[0] = '\0';
    }
    if (ret_len)
        *ret_len = s->len;
    size_t cap = s->cap;
    str_init(s, cap);
    return r;
}

bool str_eq(const char *p, size_t n, const char *z)
{
    return strlen(z) == n && memcmp(p, z, n) == 0;
}

int str_to_long(const char *z, long min, long max, long *ret)
{
    if (!z || !*z)
        return ERR_INVALID;
    char *end;
    errno = 0;
    long v = strtol(z, &end, 10);
    if (errno || *end || v < min || v > max)
        return ERR_INVALID;
    *ret = v;
    return 0;
}

int str_add_csv(struct str *s, const char *z, char sep, unsigned flags)
{
    bool formula = (flags & STR_CSV_GUARD) && *z && strchr("=+-@", *z);
    bool quote = formula;
    for (const char *p = z; *p && !quote; p++)
        quote = *p == sep || *p == '"' || *p == '\r' || *p == '\n';
    if (!quote)
        return str_adds(s, z);
    int rc = str_addc(s, '"');
    if (!rc && formula)
        rc = str_addc(s, '\'');
    for (; *z && !rc; z++)
        rc = *z == '"' ? str_add(s, "\"\"", 2) : str_addc(s, *z);
    return rc ? rc : str_addc(s, '"');
}
