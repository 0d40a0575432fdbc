/* The body parsers of form.h. The multipart parser is a byte-level state
 * machine that keeps only a partial delimiter match and one part's header
 * block between chunks, so a chunk may end anywhere and uploads stream to disk
 * through a small write buffer instead of being held in memory. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* mkostemp, to create temp files with O_CLOEXEC atomically */
#endif

#include "http/form.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/str.h"

#define FORM_WBUF_SIZE ((size_t)64 * 1024)                /* write buffer for file parts on disk */
#define FORM_TMP_TEMPLATE "/rathaus-upload-XXXXXX"        /* appended to tmpdir for mkostemp */
#define FORM_FILE_TYPE_DEFAULT "application/octet-stream" /* RFC 7578 4.4 */
#define FORM_DELIM_MAX (4 + FORM_MAX_BOUNDARY)            /* "\r\n--" + boundary */

static const struct form_limits form_limits_default = FORM_LIMITS_DEFAULT;

/* ---- shared helpers ---------------------------------------------------- */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* True when p[0..n) equals the lower-case ASCII z, ignoring ASCII case. */
static bool span_ieq(const char *p, size_t n, const char *z)
{
    size_t zn = strlen(z);
    if (n != zn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(p[i]) != z[i])
            return false;
    return true;
}

/* RFC 7230 tchar: the characters of a header name or parameter name. */
static bool is_tchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 bchars: the characters a multipart boundary may use. */
static bool is_bchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

/* True when p[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF) without NUL bytes: what we promise for every
 * name and text value, so templates and the database never see broken text. */
static bool text_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0)
                return false;
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            unsigned cc = s[i + k];
            if ((cc & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* Appends a copy of fld to f, growing the array in the arena. */
static int form_push(struct arena *a, struct form *f, const struct form_field *fld)
{
    if (f->n == f->alloc) {
        size_t na = f->alloc ? f->alloc * 2 : 16;
        struct form_field *nf = arena_calloc(a, na, sizeof *nf);
        if (!nf)
            return ERR_NOMEM;
        if (f->n)
            memcpy(nf, f->fields, f->n * sizeof *nf);
        f->fields = nf;
        f->alloc = na;
    }
    f->fields[f->n++] = *fld;
    return 0;
}

const struct form_field *form_field(const struct form *f, const char *name)
{
    assert(f && name);
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return &f->fields[i];
    return NULL;
}

const char *form_get(const struct form *f, const char *name)
{
    assert(f && name);
    for (size_t i = 0; i < f->n; i++)
        if (!f->fields[i].is_file && strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

/* ---- application/x-www-form-urlencoded ---------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes p[0..n) ('+' and %XX) into a fresh arena string. Returns 0,
 * ERR_INVALID for a bad escape, ERR_TOOBIG when longer than max, ERR_NOMEM. */
static int url_decode(struct arena *a, const char *p, size_t n, size_t max, char **ret,
                      size_t *ret_len)
{
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    if (!out)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = n - i >= 3 ? hex_value(p[i + 1]) : -1;
            int lo = n - i >= 3 ? hex_value(p[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return ERR_INVALID;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        out[j++] = c;
    }
    out[j] = '\0';
    if (j > max)
        return ERR_TOOBIG;
    if (!text_valid(out, j))
        return ERR_INVALID;
    *ret = out;
    *ret_len = j;
    return 0;
}

/* Decodes one non-empty "name=value" pair and appends it to f. */
static int url_pair(struct arena *a, const char *p, size_t n, const struct form_limits *lim,
                    struct form *f)
{
    struct form_field fld = {0};
    const char *eq = memchr(p, '=', n);
    size_t nlen = eq ? (size_t)(eq - p) : n;
    size_t unused;
    char *name, *value;
    int r;

    if (f->n >= lim->max_fields)
        return ERR_TOOBIG;
    r = url_decode(a, p, nlen, lim->max_name, &name, &unused);
    if (r)
        return r;
    if (eq)
        r = url_decode(a, eq + 1, n - nlen - 1, lim->max_value, &value, &fld.value_len);
    else
        r = url_decode(a, "", 0, lim->max_value, &value, &fld.value_len);
    if (r)
        return r;
    fld.name = name;
    fld.value = value;
    fld.size = fld.value_len;
    return form_push(a, f, &fld);
}

int form_urlencoded_parse(struct arena *a, const char *p, size_t n, const struct form_limits *lim,
                          struct form *out)
{
    struct form f = {0};
    size_t i = 0;
    int r = 0;

    assert(a && out && (p || n == 0));
    if (!lim)
        lim = &form_limits_default;
    if (n > lim->max_total) {
        r = ERR_TOOBIG;
        goto done;
    }
    while (i < n) {
        const char *amp = memchr(p + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - p) : n;
        if (end > i) {
            r = url_pair(a, p + i, end - i, lim, &f);
            if (r)
                goto done;
        }
        i = end + 1;
    }
    *out = f;
done:
    return r;
}

/* ---- header parameters ("; name=value") ---------------------------------- */

/* One parameter of a header value, pointing into the header. */
struct param {
    const char *name; /* parameter name (a token) */
    size_t nlen;      /* bytes in name */
    const char *val;  /* raw value, without the quotes of a quoted string */
    size_t vlen;      /* bytes in val */
    bool quoted;      /* val is the inside of a quoted string (escapes not yet undone) */
};

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

/* In a quoted string, a backslash escapes only '"' and '\\'; before anything
 * else it is literal, because old browsers send "C:\dir\file" unescaped. */
static bool is_escape(const char *p, const char *end)
{
    return *p == '\\' && end - p >= 2 && (p[1] == '"' || p[1] == '\\');
}

/* Reads the next parameter at *pp. Returns 1 and fills *ret, 0 at the end of
 * the value, or ERR_INVALID on bad syntax. */
static int param_next(const char **pp, const char *end, struct param *ret)
{
    const char *p = skip_ws(*pp, end);
    struct param pm = {0};

    if (p == end)
        return 0;
    if (*p != ';')
        return ERR_INVALID;
    p = skip_ws(p + 1, end);
    if (p == end) { /* a trailing ';' is harmless */
        *pp = p;
        return 0;
    }
    pm.name = p;
    while (p < end && is_tchar(*p))
        p++;
    pm.nlen = (size_t)(p - pm.name);
    if (pm.nlen == 0)
        return ERR_INVALID;
    p = skip_ws(p, end);
    if (p == end || *p != '=')
        return ERR_INVALID;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '"') {
        pm.val = ++p;
        while (p < end && *p != '"')
            p += is_escape(p, end) ? 2 : 1;
        if (p == end)
            return ERR_INVALID;
        pm.vlen = (size_t)(p - pm.val);
        pm.quoted = true;
        p++;
    } else {
        pm.val = p;
        while (p < end && *p != ';' && *p != '"' && !is_ws(*p))
            p++;
        pm.vlen = (size_t)(p - pm.val);
    }
    *ret = pm;
    *pp = p;
    return 1;
}

/* Writes the value of pm without quoting into out[0..cap) (no NUL). Returns 0
 * and the length, or ERR_TOOBIG when it needs more than cap bytes. */
static int param_value(const struct param *pm, char *out, size_t cap, size_t *ret_len)
{
    const char *p = pm->val, *end = pm->val + pm->vlen;
    size_t j = 0;
    while (p < end) {
        if (pm->quoted && is_escape(p, end))
            p++;
        if (j == cap)
            return ERR_TOOBIG;
        out[j++] = *p++;
    }
    *ret_len = j;
    return 0;
}

/* Copies the value of pm into a fresh arena string. */
static int param_dup(struct arena *a, const struct param *pm, char **ret, size_t *ret_len)
{
    char *s = arena_alloc(a, pm->vlen + 1);
    size_t len;
    if (!s)
        return ERR_NOMEM;
    if (param_value(pm, s, pm->vlen, &len))
        return ERR_INTERNAL; /* unquoting never grows a value */
    s[len] = '\0';
    *ret = s;
    *ret_len = len;
    return 0;
}

/* ---- multipart/form-data ------------------------------------------------- */

enum mp_state {
    MP_PREAMBLE,   /* before the first delimiter; bytes are discarded */
    MP_DELIM_END,  /* right after a delimiter: "--", transport padding or CRLF follows */
    MP_DELIM_DASH, /* saw the first '-' of a close delimiter */
    MP_DELIM_PAD,  /* in transport padding (spaces, tabs) before the CRLF */
    MP_DELIM_CR,   /* saw the CR ending a delimiter line */
    MP_HEADERS,    /* collecting a part's header block in hbuf */
    MP_BODY,       /* a part's content, up to the next delimiter */
    MP_EPILOGUE,   /* after the close delimiter; bytes are ignored */
};

/* A temp file created by the parser. */
struct mp_tmp {
    char *path;   /* malloc'd, so cleanup does not depend on the arena */
    bool claimed; /* the caller took it over: do not unlink */
};

struct form_multipart {
    struct form_limits lim;     /* copied from the caller */
    struct arena *a;            /* for the results only */
    char *tmpdir;               /* malloc'd copy; NULL keeps files in memory */
    char delim[FORM_DELIM_MAX]; /* "\r\n--" boundary; '\r' occurs only at index 0 */
    size_t dlen;                /* bytes in delim */
    enum mp_state state;        /* where in the syntax the next byte is */
    size_t match;               /* bytes of delim matched and held back from the content */
    int err;                    /* first error; sticky */
    size_t total;               /* body bytes fed so far */
    size_t nfields;             /* parts counted toward max_fields */
    size_t nfiles;              /* parts counted toward max_files */
    struct form form;           /* finished parts, in the arena */

    char hbuf[FORM_MAX_PART_HEADER]; /* the current part's header block */
    size_t hlen;                     /* bytes in hbuf */
    struct form_field part;          /* the current part: name, filename, type, size */
    bool counted;                    /* the current part counts toward the limits */
    struct str val;                  /* text value or in-memory file content */
    int fd;                          /* open temp file of the current part, or -1 */
    char wbuf[FORM_WBUF_SIZE];       /* file bytes not yet written to fd */
    size_t wlen;                     /* bytes in wbuf */

    struct mp_tmp *tmps; /* every temp file created, in order */
    size_t ntmps;        /* entries used in tmps */
    size_t atmps;        /* entries allocated in tmps */
};

int form_multipart_new(const char *content_type, const struct form_limits *lim, const char *tmpdir,
                       struct arena *a, struct form_multipart **ret)
{
    struct form_multipart *m = NULL;
    char boundary[FORM_MAX_BOUNDARY];
    size_t blen = 0;
    bool have = false;
    struct param pm;
    const char *p, *end, *type;
    int r;

    assert(a && ret);
    if (!content_type) {
        r = ERR_MEDIATYPE;
        goto done;
    }
    p = content_type;
    end = p + strlen(p);
    type = p = skip_ws(p, end);
    while (p < end && *p != ';' && !is_ws(*p))
        p++;
    if (!span_ieq(type, (size_t)(p - type), "multipart/form-data")) {
        r = ERR_MEDIATYPE;
        goto done;
    }
    while ((r = param_next(&p, end, &pm)) == 1) {
        if (!span_ieq(pm.name, pm.nlen, "boundary"))
            continue;
        if (have || param_value(&pm, boundary, sizeof boundary, &blen)) {
            r = ERR_INVALID;
            goto done;
        }
        have = true;
    }
    if (r < 0)
        goto done;
    if (!have || blen == 0 || boundary[blen - 1] == ' ') {
        r = ERR_INVALID;
        goto done;
    }
    for (size_t i = 0; i < blen; i++) {
        if (!is_bchar(boundary[i])) {
            r = ERR_INVALID;
            goto done;
        }
    }

    m = calloc(1, sizeof *m);
    if (!m) {
        r = ERR_NOMEM;
        goto done;
    }
    m->fd = -1;
    str_init(&m->val, 0);
    if (tmpdir) {
        m->tmpdir = strdup(tmpdir);
        if (!m->tmpdir) {
            r = ERR_NOMEM;
            goto done;
        }
    }
    m->lim = lim ? *lim : form_limits_default;
    m->a = a;
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, boundary, blen);
    m->dlen = 4 + blen;
    m->state = MP_PREAMBLE;
    m->match = 2; /* the body may start with "--boundary": pretend a CRLF came before */
    *ret = m;
    m = NULL;
    r = 0;
done:
    form_multipart_free(m);
    return r;
}

/* Counts the current part toward max_fields and max_files. Parts are counted
 * when they are known to be kept, so an empty file input costs nothing. */
static int part_count(struct form_multipart *m)
{
    if (m->nfields >= m->lim.max_fields)
        return ERR_TOOBIG;
    if (m->part.is_file) {
        if (m->nfiles >= m->lim.max_files)
            return ERR_TOOBIG;
        m->nfiles++;
    }
    m->nfields++;
    m->counted = true;
    return 0;
}

/* Writes all of p[0..n) to fd, retrying after interrupts and short writes. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return ERR_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Creates the temp file of the current part and records it for cleanup. */
static int tmp_open(struct form_multipart *m)
{
    char *path = NULL;
    size_t len;
    int fd, r = 0;

    if (m->ntmps == m->atmps) {
        size_t na = m->atmps ? m->atmps * 2 : 4;
        struct mp_tmp *nt = realloc(m->tmps, na * sizeof *nt);
        if (!nt) {
            r = ERR_NOMEM;
            goto done;
        }
        m->tmps = nt;
        m->atmps = na;
    }
    len = strlen(m->tmpdir) + sizeof FORM_TMP_TEMPLATE;
    path = malloc(len);
    if (!path) {
        r = ERR_NOMEM;
        goto done;
    }
    snprintf(path, len, "%s%s", m->tmpdir, FORM_TMP_TEMPLATE);
    fd = mkostemp(path, O_CLOEXEC); /* mode 0600 */
    if (fd < 0) {
        r = ERR_IO;
        goto done;
    }
    m->tmps[m->ntmps].path = path;
    m->tmps[m->ntmps].claimed = false;
    m->ntmps++;
    m->fd = fd;
    path = NULL;
done:
    free(path);
    return r;
}

/* Writes the buffered file bytes, creating the temp file on first use. */
static int file_flush(struct form_multipart *m)
{
    int r = 0;
    if (m->fd < 0) {
        r = tmp_open(m);
        if (r)
            return r;
    }
    r = write_all(m->fd, m->wbuf, m->wlen);
    m->wlen = 0;
    return r;
}

static int file_write(struct form_multipart *m, const char *p, size_t n)
{
    int r;
    if (n > sizeof m->wbuf - m->wlen) {
        r = file_flush(m);
        if (r)
            return r;
        if (n >= sizeof m->wbuf)
            return write_all(m->fd, p, n);
    }
    memcpy(m->wbuf + m->wlen, p, n);
    m->wlen += n;
    return 0;
}

/* Takes n content bytes of the current part, enforcing its limits. */
static int part_data(struct form_multipart *m, const char *p, size_t n)
{
    size_t max = m->part.is_file ? m->lim.max_file_bytes : m->lim.max_value;
    int r;

    if (n == 0)
        return 0;
    if (!m->counted) {
        r = part_count(m);
        if (r)
            return r;
    }
    if (m->part.size > max || n > max - m->part.size)
        return ERR_TOOBIG;
    m->part.size += n;
    if (m->part.is_file && m->tmpdir)
        return file_write(m, p, n);
    return str_add(&m->val, p, n);
}

/* Finishes the current part at its closing delimiter and appends it to the
 * form (unless it is an empty file input). */
static int part_end(struct form_multipart *m)
{
    struct form_field *f = &m->part;
    int r = 0;

    if (f->is_file && !m->counted)
        goto done; /* filename="" and no content: skipped, see form.h */
    if (f->is_file && m->tmpdir) {
        r = file_flush(m);
        if (close(m->fd) != 0 && !r)
            r = ERR_IO;
        m->fd = -1;
        if (r)
            goto done;
        f->tmp_path = arena_strdup(m->a, m->tmps[m->ntmps - 1].path);
        if (!f->tmp_path) {
            r = ERR_NOMEM;
            goto done;
        }
    } else {
        if (!f->is_file && !text_valid(m->val.buf, m->val.len)) {
            r = ERR_INVALID;
            goto done;
        }
        f->value = arena_strndup(m->a, m->val.buf, m->val.len);
        if (!f->value) {
            r = ERR_NOMEM;
            goto done;
        }
        f->value_len = m->val.len;
    }
    r = form_push(m->a, &m->form, f);
done:
    str_reset(&m->val);
    memset(&m->part, 0, sizeof m->part);
    m->counted = false;
    return r;
}

/* Passes bytes that turned out not to be a delimiter to the current part. */
static int mp_emit(struct form_multipart *m, const char *p, size_t n)
{
    return m->state == MP_BODY ? part_data(m, p, n) : 0;
}

/* Scans preamble or part content for the delimiter. Stops after a complete
 * delimiter (ending the part) or at the end of p; *ret_used says how far. A
 * partial match at the end of p is held in m->match: since delim has its only
 * '\r' at index 0, a mismatch means the held bytes are plain content and the
 * scan restarts at the mismatching byte, without backtracking. */
static int mp_scan(struct form_multipart *m, const char *p, size_t n, size_t *ret_used)
{
    size_t i = 0;
    int r = 0;

    while (i < n) {
        if (m->match == 0) {
            const char *cr = memchr(p + i, '\r', n - i);
            size_t stop = cr ? (size_t)(cr - p) : n;
            r = mp_emit(m, p + i, stop - i);
            if (r || !cr) {
                i = stop;
                break;
            }
            m->match = 1;
            i = stop + 1;
            continue;
        }
        if (p[i] != m->delim[m->match]) {
            r = mp_emit(m, m->delim, m->match);
            m->match = 0;
            if (r)
                break;
            continue; /* look at p[i] again: it may start a delimiter */
        }
        i++;
        if (++m->match == m->dlen) {
            m->match = 0;
            if (m->state == MP_BODY)
                r = part_end(m);
            m->state = MP_DELIM_END;
            break;
        }
    }
    *ret_used = i;
    return r;
}

/* Parses Content-Disposition: form-data; name="..."; filename="..." of the
 * current part. filename* (RFC 5987) is ignored: browsers send filename. */
static int part_disposition(struct form_multipart *m, const char *p, const char *end)
{
    struct form_field *f = &m->part;
    const char *type = p;
    struct param pm;
    char *s;
    size_t len;
    int r;

    while (p < end && *p != ';' && !is_ws(*p))
        p++;
    if (!span_ieq(type, (size_t)(p - type), "form-data"))
        return ERR_INVALID;
    while ((r = param_next(&p, end, &pm)) == 1) {
        bool is_name = span_ieq(pm.name, pm.nlen, "name");
        if (!is_name && !span_ieq(pm.name, pm.nlen, "filename"))
            continue;
        if (is_name ? f->name != NULL : f->filename != NULL)
            return ERR_INVALID; /* a repeated parameter makes the part ambiguous */
        r = param_dup(m->a, &pm, &s, &len);
        if (r)
            return r;
        if (is_name && len > m->lim.max_name)
            return ERR_TOOBIG;
        if (!text_valid(s, len))
            return ERR_INVALID;
        if (is_name)
            f->name = s;
        else
            f->filename = s;
    }
    return r;
}

/* Parses the complete header block in hbuf and starts the part. */
static int part_begin(struct form_multipart *m)
{
    struct form_field *f = &m->part;
    const char *p = m->hbuf;
    const char *end = m->hbuf + m->hlen - 2; /* without the empty line */
    bool have_cd = false;
    int r;

    while (p < end) {
        const char *q = p, *colon = NULL, *v, *ve;
        if (is_ws(*p))
            return ERR_INVALID; /* obsolete line folding */
        for (; *q != '\r'; q++) {
            unsigned char c = (unsigned char)*q;
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return ERR_INVALID; /* includes NUL and a bare LF */
            if (c == ':' && !colon)
                colon = q;
        }
        /* every line in [hbuf, end) ends in "\r\n", so q < end here */
        if (q[1] != '\n')
            return ERR_INVALID;
        if (!colon || colon == p)
            return ERR_INVALID;
        for (const char *k = p; k < colon; k++)
            if (!is_tchar(*k))
                return ERR_INVALID;
        v = skip_ws(colon + 1, q);
        ve = q;
        while (ve > v && is_ws(ve[-1]))
            ve--;
        if (span_ieq(p, (size_t)(colon - p), "content-disposition")) {
            if (have_cd)
                return ERR_INVALID;
            have_cd = true;
            r = part_disposition(m, v, ve);
            if (r)
                return r;
        } else if (span_ieq(p, (size_t)(colon - p), "content-type")) {
            if (f->content_type || !text_valid(v, (size_t)(ve - v)))
                return ERR_INVALID;
            f->content_type = arena_strndup(m->a, v, (size_t)(ve - v));
            if (!f->content_type)
                return ERR_NOMEM;
        }
        p = q + 2;
    }
    if (!have_cd || !f->name)
        return ERR_INVALID;
    f->is_file = f->filename != NULL;
    if (f->is_file && (!f->content_type || !*f->content_type))
        f->content_type = FORM_FILE_TYPE_DEFAULT;
    if (!f->is_file || *f->filename)
        return part_count(m);
    return 0; /* filename="": counted with its first content byte */
}

/* Collects header bytes until the empty line; then starts the part. */
static int mp_headers(struct form_multipart *m, const char *p, size_t n, size_t *ret_used)
{
    size_t i = 0;
    int r = 0;

    while (i < n) {
        char c = p[i++];
        size_t h;
        if (m->hlen == sizeof m->hbuf) {
            r = ERR_TOOBIG;
            break;
        }
        m->hbuf[m->hlen++] = c;
        h = m->hlen;
        if (c != '\n' || h < 2 || m->hbuf[h - 2] != '\r')
            continue;
        /* the block ends at the first empty line: "\r\n" alone or "\r\n\r\n" */
        if (h == 2 || (h >= 4 && m->hbuf[h - 3] == '\n' && m->hbuf[h - 4] == '\r')) {
            r = part_begin(m);
            m->state = MP_BODY;
            m->match = 0;
            break;
        }
    }
    *ret_used = i;
    return r;
}

int form_multipart_feed(struct form_multipart *m, const char *p, size_t n)
{
    size_t i = 0, used;
    int r = m->err;

    assert(p || n == 0);
    if (r)
        return r;
    if (n > m->lim.max_total - m->total) {
        r = ERR_TOOBIG;
        goto done;
    }
    m->total += n;
    while (i < n && !r) {
        char c = p[i];
        switch (m->state) {
        case MP_PREAMBLE:
        case MP_BODY:
            r = mp_scan(m, p + i, n - i, &used);
            i += used;
            break;
        case MP_HEADERS:
            r = mp_headers(m, p + i, n - i, &used);
            i += used;
            break;
        case MP_DELIM_END:
            i++;
            if (c == '-')
                m->state = MP_DELIM_DASH;
            else if (is_ws(c))
                m->state = MP_DELIM_PAD;
            else if (c == '\r')
                m->state = MP_DELIM_CR;
            else
                r = ERR_INVALID; /* "--boundaryX": the boundary occurs in content */
            break;
        case MP_DELIM_DASH:
            i++;
            if (c == '-')
                m->state = MP_EPILOGUE;
            else
                r = ERR_INVALID;
            break;
        case MP_DELIM_PAD:
            i++;
            if (c == '\r')
                m->state = MP_DELIM_CR;
            else if (!is_ws(c))
                r = ERR_INVALID;
            break;
        case MP_DELIM_CR:
            i++;
            if (c == '\n') {
                m->state = MP_HEADERS;
                m->hlen = 0;
            } else {
                r = ERR_INVALID;
            }
            break;
        case MP_EPILOGUE: i = n; break;
        }
    }
done:
    if (r)
        m->err = r;
    return r;
}

int form_multipart_finish(struct form_multipart *m, struct form *out)
{
    if (!m->err && m->state != MP_EPILOGUE)
        m->err = ERR_INVALID;
    if (m->err)
        return m->err;
    *out = m->form;
    return 0;
}

/* Returns the unclaimed temp file record of f, or NULL. */
static struct mp_tmp *tmp_find(struct form_multipart *m, const struct form_field *f)
{
    if (!f || !f->tmp_path)
        return NULL;
    for (size_t i = 0; i < m->ntmps; i++)
        if (!m->tmps[i].claimed && strcmp(m->tmps[i].path, f->tmp_path) == 0)
            return &m->tmps[i];
    return NULL;
}

int form_multipart_claim(struct form_multipart *m, const struct form_field *f)
{
    struct mp_tmp *t = tmp_find(m, f);
    if (!t)
        return ERR_NOTFOUND;
    t->claimed = true;
    return 0;
}

int form_multipart_rename(struct form_multipart *m, const struct form_field *f, const char *dest)
{
    struct mp_tmp *t = tmp_find(m, f);
    assert(dest);
    if (!t)
        return ERR_NOTFOUND;
    if (rename(t->path, dest) != 0)
        return ERR_IO;
    t->claimed = true;
    return 0;
}

void form_multipart_free(struct form_multipart *m)
{
    if (!m)
        return;
    if (m->fd >= 0)
        close(m->fd);
    for (size_t i = 0; i < m->ntmps; i++) {
        if (!m->tmps[i].claimed)
            unlink(m->tmps[i].path);
        free(m->tmps[i].path);
    }
    free(m->tmps);
    str_release(&m->val);
    free(m->tmpdir);
    free(m);
}

/* ---- Cookie header ------------------------------------------------------- */

int form_cookie_get(const char *header, const char *name, char *buf, size_t bufsz)
{
    size_t nlen;
    const char *p = header;

    assert(name && (buf || bufsz == 0));
    if (!header)
        return ERR_NOTFOUND;
    nlen = strlen(name);
    for (;;) {
        const char *semi = strchr(p, ';');
        const char *end = semi ? semi : p + strlen(p);
        const char *s = skip_ws(p, end);
        const char *eq = memchr(s, '=', (size_t)(end - s));
        if (eq) {
            const char *ne = eq;
            while (ne > s && is_ws(ne[-1]))
                ne--;
            if ((size_t)(ne - s) == nlen && memcmp(s, name, nlen) == 0) {
                const char *v = skip_ws(eq + 1, end), *ve = end;
                size_t vlen;
                while (ve > v && is_ws(ve[-1]))
                    ve--;
                if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
                    v++;
                    ve--;
                }
                vlen = (size_t)(ve - v);
                if (vlen >= bufsz)
                    return ERR_TOOBIG;
                memcpy(buf, v, vlen);
                buf[vlen] = '\0';
                return 0;
            }
        }
        if (!semi)
            return ERR_NOTFOUND;
        p = semi + 1;
    }
}

int form_field_read(const struct form_field *f, size_t max, struct str *out)
{
    if (f->size > max)
        return ERR_TOOBIG;
    if (!f->tmp_path)
        return str_add(out, f->value ? f->value : "", f->value_len);
    FILE *fp = fopen(f->tmp_path, "rb");
    if (!fp)
        return ERR_IO;
    char buf[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        rc = out->len + n > max ? ERR_TOOBIG : str_add(out, buf, n);
    if (!rc && ferror(fp))
        rc = ERR_IO;
    fclose(fp);
    return rc;
}
