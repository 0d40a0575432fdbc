/* A growable string that is never NULL, always NUL-terminated and has a size
 * cap (git's strbuf with curl's dynbuf cap). Appends record the first failure
 * in the struct, so a long rendering can check once at the end. */
#ifndef RATHAUS_BASE_STR_H
#define RATHAUS_BASE_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Default cap: no single string in rathaus grows beyond this. */
#define STR_DEFAULT_CAP ((size_t)256 * 1024 * 1024)

struct str {
    char *buf;    /* contents, NUL-terminated; points to a static "" until first growth */
    size_t len;   /* bytes used, without the NUL */
    size_t alloc; /* bytes allocated (0 while buf is the static "") */
    size_t cap;   /* maximum len this string may reach */
    int err;      /* first error of an append (ERR_TOOBIG, ERR_NOMEM), else 0 */
};

/* Initializes an empty string with maximum length cap (0 = STR_DEFAULT_CAP). */
void str_init(struct str *s, size_t cap);

/* Frees the contents; the string is empty and usable again afterwards. */
void str_release(struct str *s);

/* Empties the string but keeps its memory; also clears a recorded error. */
void str_reset(struct str *s);

/* Appends n bytes at p. Returns 0, ERR_TOOBIG past the cap or ERR_NOMEM; on
 * error the string is unchanged and s->err is set. */
int str_add(struct str *s, const char *p, size_t n);

/* Appends a NUL-terminated string. Errors as str_add. */
int str_adds(struct str *s, const char *z);

/* Appends one byte. Errors as str_add. */
int str_addc(struct str *s, char c);

/* Appends printf-formatted text. Errors as str_add. */
int str_addf(struct str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* va_list form of str_addf. */
int str_vaddf(struct str *s, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends text with &, <, >, ", ' replaced by HTML entities. Errors as str_add. */
int str_add_html(struct str *s, const char *p, size_t n);

/* Flags of str_add_csv. */
#define STR_CSV_GUARD 1u /* quote a field starting with = + - @ and prefix it with ' */

/* Appends z as one CSV field for the separator sep (',' or ';'): quoted when
 * it holds sep, '"', CR or LF, with '"' doubled (RFC 4180). STR_CSV_GUARD
 * keeps spreadsheets from running a field as a formula; use it for exports
 * meant for people, not for files that are read back in. */
int str_add_csv(struct str *s, const char *z, char sep, unsigned flags);

/* Makes sure at least n more bytes fit without reallocation. Errors as str_add. */
int str_grow(struct str *s, size_t n);

/* Hands the buffer to the caller (free() it) and leaves s empty. Never returns
 * NULL: an empty string yields a fresh malloc'd "" (NULL only on ERR_NOMEM).
 * ret_len may be NULL. */
char *str_detach(struct str *s, size_t *ret_len);

/* Returns true when p[0..n) equals the NUL-terminated z. */
bool str_eq(const char *p, size_t n, const char *z);

/* Parses a decimal integer in [min, max] from the whole NUL-terminated z.
 * Returns 0 and sets *ret, or ERR_INVALID. The replacement for atoi. */
int str_to_long(const char *z, long min, long max, long *ret) WUR;

#endif
