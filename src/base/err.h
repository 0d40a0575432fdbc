/* The one error enum of rathaus. Every fallible function returns 0 or one of
 * these negative codes; the HTTP layer maps them to statuses in one place
 * (http/status.c) and the CLI maps them to messages with err_message(). */
#ifndef RATHAUS_BASE_ERR_H
#define RATHAUS_BASE_ERR_H

/* Marks a function whose result must be checked. */
#define WUR __attribute__((warn_unused_result))

enum err {
    ERR_OK = 0,
    ERR_NOMEM = -1,      /* out of memory */
    ERR_INVALID = -2,    /* bad input from a user or a file */
    ERR_NOTFOUND = -3,   /* the object does not exist (or may not be seen) */
    ERR_EXISTS = -4,     /* conflict: already exists, or changed meanwhile */
    ERR_TOOBIG = -5,     /* a named limit was exceeded */
    ERR_DENIED = -6,     /* logged in but not permitted */
    ERR_AUTH = -7,       /* not logged in, or wrong credentials */
    ERR_CSRF = -8,       /* missing or wrong CSRF token */
    ERR_IO = -9,         /* file system error */
    ERR_DB = -10,        /* database error */
    ERR_CORRUPT = -11,   /* stored data failed an integrity check */
    ERR_MEDIATYPE = -12, /* content type not accepted */
    ERR_BUSY = -13,      /* resource busy, try again */
    ERR_THROTTLED = -14, /* too many attempts */
    ERR_VERSION = -15,   /* database written by a newer rathaus */
    ERR_METHOD = -16,    /* HTTP method not allowed on this path */
    ERR_INTERNAL = -17,  /* a bug: should not happen */
};

/* Returns a short English identifier of the code ("ERR_NOTFOUND"); static memory. */
const char *err_name(int e);

/* Returns a German sentence for users describing the code; static memory. */
const char *err_message(int e);

#endif
