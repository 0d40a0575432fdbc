/* Request body parsers of the HTTP layer: query strings and
 * application/x-www-form-urlencoded bodies, a streaming multipart/form-data
 * parser (RFC 7578) and the Cookie header. We parse ourselves instead of using
 * libmicrohttpd's post processor so the parsers are fuzzable and every
 * resource a client controls has a named limit (struct form_limits). */
#ifndef RATHAUS_HTTP_FORM_H
#define RATHAUS_HTTP_FORM_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* Default limits; each one is a field of struct form_limits. */
#define FORM_MAX_FIELDS_DEFAULT 200                            /* fields (text and file) per form */
#define FORM_MAX_NAME_DEFAULT 256                              /* bytes of a field name */
#define FORM_MAX_VALUE_DEFAULT ((size_t)1024 * 1024)           /* bytes of one text value */
#define FORM_MAX_FILES_DEFAULT 20                              /* file parts per form */
#define FORM_MAX_FILE_BYTES_DEFAULT ((size_t)25 * 1024 * 1024) /* bytes of one file */
#define FORM_MAX_TOTAL_DEFAULT ((size_t)100 * 1024 * 1024)     /* raw body bytes */

/* Fixed limits of the multipart syntax (not configurable). */
#define FORM_MAX_BOUNDARY 70                /* RFC 2046: a boundary has 1 to 70 characters */
#define FORM_MAX_PART_HEADER ((size_t)8192) /* bytes of one part's header block incl. CRLFs */

/* Limits of one parse; exceeding any of them yields ERR_TOOBIG (HTTP 413). */
struct form_limits {
    size_t max_fields;     /* entries in the resulting form, text and file parts together */
    size_t max_name;       /* bytes of a (decoded) field name */
    size_t max_value;      /* bytes of a (decoded) text value */
    size_t max_files;      /* file parts (counted in max_fields too) */
    size_t max_file_bytes; /* bytes of one uploaded file */
    size_t max_total;      /* raw bytes of the whole input (query string or body) */
};

/* Initializer with the defaults: `struct form_limits lim = FORM_LIMITS_DEFAULT;`. */
#define FORM_LIMITS_DEFAULT                                                                        \
    {                                                                                              \
        .max_fields = FORM_MAX_FIELDS_DEFAULT, .max_name = FORM_MAX_NAME_DEFAULT,                  \
        .max_value = FORM_MAX_VALUE_DEFAULT, .max_files = FORM_MAX_FILES_DEFAULT,                  \
        .max_file_bytes = FORM_MAX_FILE_BYTES_DEFAULT, .max_total = FORM_MAX_TOTAL_DEFAULT,        \
    }

/* One field of a parsed form. All strings are NUL-terminated and live in the
 * arena given to the parser. Names, text values and filenames are valid UTF-8
 * without NUL bytes; file contents are arbitrary bytes. */
struct form_field {
    const char *name;         /* field name, taken literally (no %22 undoing for multipart) */
    const char *value;        /* text value; in-memory file content (NUL appended); NULL when the
                                 file content is in tmp_path */
    size_t value_len;         /* bytes in value (0 when value is NULL) */
    const char *filename;     /* file parts: the client's filename as sent (may be ""); else NULL */
    const char *content_type; /* the part's Content-Type as sent; file parts without one get
                                 "application/octet-stream"; NULL for urlencoded fields */
    const char *tmp_path;     /* file parts streamed to disk: the temp file; NULL when in memory */
    size_t size;              /* bytes of the content (text or file) */
    int is_file;              /* 1 for a part with a filename parameter, else 0 */
};

/* A parsed form: fields in the order they were sent; names may repeat
 * (checkboxes, multi-selects). Initialize with `struct form f = {0};`. */
struct form {
    struct form_field *fields; /* array in the arena */
    size_t n;                  /* fields used */
    size_t alloc;              /* fields allocated */
};

/* Returns the value of the first text field called name, or NULL when there is
 * none (file parts are not returned). The string belongs to the form's arena. */
const char *form_get(const struct form *f, const char *name);

/* Returns the first field (text or file) called name, or NULL. The field
 * belongs to the form. */
const struct form_field *form_field(const struct form *f, const char *name);

/* Reads the content of field f (a text value, or a file part in memory or in
 * its temp file) into out. ERR_TOOBIG when it holds more than max bytes
 * (nothing useful is left in out then), ERR_IO when the temp file cannot be
 * read. */
int form_field_read(const struct form_field *f, size_t max, struct str *out) WUR;

/* Parses a query string (without the '?') or an application/x-www-form-
 * urlencoded body p[0..n) into *out, replacing its contents; *out is set only
 * on success. Pairs are separated by '&'; empty pairs are skipped; a pair
 * without '=' yields an empty value; "=x" yields the name "". '+' decodes to a
 * space and %XX to a byte. lim NULL means FORM_LIMITS_DEFAULT (max_files and
 * max_file_bytes do not apply). All memory comes from a.
 * Errors: ERR_INVALID for a '%' not followed by two hex digits, or a name or
 * value that is not valid UTF-8 or contains a NUL byte; ERR_TOOBIG when n
 * exceeds max_total, there are more than max_fields fields, or a decoded name
 * or value is longer than max_name / max_value; ERR_NOMEM when the arena is
 * exhausted. */
int form_urlencoded_parse(struct arena *a, const char *p, size_t n, const struct form_limits *lim,
                          struct form *out) WUR;

/* The state of one streaming multipart/form-data parse; owns its temp files. */
struct form_multipart;

/* Starts a multipart parse for a request whose Content-Type header value is
 * content_type ("multipart/form-data; boundary=..."; the parameter name is
 * case-insensitive, the value may be quoted). lim NULL means
 * FORM_LIMITS_DEFAULT; the limits are copied. File parts are streamed into
 * temp files "rathaus-upload-XXXXXX" in tmpdir (created with mode 0600 and
 * O_CLOEXEC, never held in memory); with tmpdir NULL file contents are kept in
 * the arena instead (tests, fuzzing). Fields, names and values are allocated
 * in a, which must outlive every use of the resulting form; the parser state
 * itself is malloc'd and released with form_multipart_free, which does not
 * touch a (so the order of freeing the two does not matter).
 * Errors: ERR_MEDIATYPE when content_type is NULL or not multipart/form-data;
 * ERR_INVALID when the parameters are malformed or the boundary is missing,
 * repeated, empty, longer than FORM_MAX_BOUNDARY or has characters outside
 * RFC 2046's bchars;
 * ERR_NOMEM. On error *ret is untouched and nothing needs freeing. */
int form_multipart_new(const char *content_type, const struct form_limits *lim, const char *tmpdir,
                       struct arena *a, struct form_multipart **ret) WUR;

/* Feeds the next n bytes of the body; chunks may be split anywhere (inside a
 * boundary, a header or a CRLF). Errors are sticky: after the first one every
 * later feed and finish returns it again.
 * Errors: ERR_TOOBIG as soon as a limit is exceeded (total body bytes, fields,
 * files, name, text value or file bytes, or a part header block larger than
 * FORM_MAX_PART_HEADER); ERR_INVALID for malformed syntax (bad delimiter line,
 * part header without ':' or with control characters or folding, missing or
 * repeated Content-Disposition, a disposition other than form-data, a missing
 * name, a name/filename/text value that is not UTF-8 or contains NUL);
 * ERR_IO when a temp file cannot be created or written; ERR_NOMEM. */
int form_multipart_feed(struct form_multipart *m, const char *p, size_t n) WUR;

/* Ends the body and stores the parsed form in *out (replacing its contents;
 * set only on success). An empty file input (filename="" and no content) is
 * skipped: it does not appear in the form and counts toward no limit, so an
 * optional file left empty looks like an absent field. A file part with a
 * filename and no content is kept with size 0 (and an empty temp file).
 * The temp files stay owned by m until claimed (see form_multipart_claim).
 * Errors: ERR_INVALID when the closing delimiter "--boundary--" was not seen;
 * or the sticky error of an earlier feed. */
int form_multipart_finish(struct form_multipart *m, struct form *out) WUR;

/* Takes the temp file of field f (a field of this parse with tmp_path set)
 * away from m: form_multipart_free will no longer unlink it, and the file at
 * tmp_path is the caller's. Call it right after the file was moved (linked,
 * copied) into its final place, so a failed move still gets cleaned up; a
 * moved file must be claimed before form_multipart_free, which would otherwise
 * unlink tmp_path, a name mkostemp may meanwhile have given to another
 * request. Prefer form_multipart_rename, which does both in one call.
 * Errors: ERR_NOTFOUND when f has no tmp_path, it is not a temp file of m, or
 * it was already claimed. */
int form_multipart_claim(struct form_multipart *m, const struct form_field *f) WUR;

/* Renames the temp file of field f to dest (rename(2): same file system,
 * replaces an existing dest) and claims it (see form_multipart_claim). On
 * error the file stays at tmp_path, owned by m.
 * Errors: ERR_NOTFOUND as form_multipart_claim; ERR_IO when rename fails. */
int form_multipart_rename(struct form_multipart *m, const struct form_field *f,
                          const char *dest) WUR;

/* Closes an open temp file, unlinks every temp file that was not claimed and
 * frees m. Accepts NULL. The form's strings in the arena stay valid. */
void form_multipart_free(struct form_multipart *m);

/* Finds the cookie called name (case-sensitive) in the value of a Cookie
 * header ("a=1; b=2") and copies its value, without surrounding double
 * quotes, NUL-terminated into buf[0..bufsz). The first match wins; pairs
 * without '=' are ignored. buf is written only on success.
 * Errors: ERR_NOTFOUND when header is NULL or has no such cookie;
 * ERR_TOOBIG when the value plus NUL does not fit in bufsz. */
int form_cookie_get(const char *header, const char *name, char *buf, size_t bufsz) WUR;

#endif
