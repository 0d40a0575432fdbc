/* Unit tests of http/form: urlencoded decoding and its errors, the streaming
 * multipart parser under every chunk split (the result must not depend on
 * where libmicrohttpd cuts the body), its limits, temp files and the Cookie
 * header. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* mkdtemp, readlink */
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/str.h"
#include "http/form.h"

#define BOUNDARY "----rathausBoundary7MA4YWxk"
#define CTYPE "multipart/form-data; boundary=" BOUNDARY
#define DELIM "--" BOUNDARY
#define CD "Content-Disposition: form-data; "

/* ---- helpers ------------------------------------------------------------- */

static int setup_arena(void **state)
{
    struct arena *a = malloc(sizeof *a);
    if (!a)
        return -1;
    arena_init(a, 0);
    *state = a;
    return 0;
}

static int teardown_arena(void **state)
{
    arena_release(*state);
    free(*state);
    return 0;
}

static uint64_t rng_state = 1; /* xorshift state; never 0 */

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

enum split { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_RANDOM };

/* Feeds body in pieces as split says; returns the first error. */
static int feed(struct form_multipart *m, const char *body, size_t n, enum split how, size_t maxc)
{
    size_t i = 0;
    while (i < n) {
        size_t c = n - i;
        if (how == SPLIT_BYTES)
            c = 1;
        else if (how == SPLIT_RANDOM && c > 1)
            c = 1 + rng() % (maxc < c ? maxc : c);
        int r = form_multipart_feed(m, body + i, c);
        if (r)
            return r;
        i += c;
    }
    return form_multipart_feed(m, body + n, 0);
}

/* Parses body completely; returns the first error of new, feed or finish. */
static int mp_parse(struct arena *a, const char *ctype, const char *body, size_t n, enum split how,
                    size_t maxc, const struct form_limits *lim, const char *tmpdir,
                    struct form *out, struct form_multipart **ret_m)
{
    struct form_multipart *m = NULL;
    int r = form_multipart_new(ctype, lim, tmpdir, a, &m);
    if (!r)
        r = feed(m, body, n, how, maxc);
    if (!r)
        r = form_multipart_finish(m, out);
    if (ret_m)
        *ret_m = m;
    else
        form_multipart_free(m);
    return r;
}

static int mp_parse_s(struct arena *a, const char *body, const struct form_limits *lim,
                      struct form *out)
{
    return mp_parse(a, CTYPE, body, strlen(body), SPLIT_WHOLE, 0, lim, NULL, out, NULL);
}

/* A canonical text form of a parsed form, to compare results of splits. */
static void dump_bytes(struct str *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            str_addc(s, (char)c);
        else
            str_addf(s, "\\x%02x", c);
    }
}

static char *dump(const struct form *f)
{
    struct str s;
    str_init(&s, 0);
    for (size_t i = 0; i < f->n; i++) {
        const struct form_field *x = &f->fields[i];
        str_addf(&s, "[%s] file=%d size=%zu len=%zu fn=%s ct=%s val=", x->name, x->is_file, x->size,
                 x->value_len, x->filename ? x->filename : "(null)",
                 x->content_type ? x->content_type : "(null)");
        if (x->value)
            dump_bytes(&s, x->value, x->value_len);
        str_addc(&s, '\n');
    }
    assert_int_equal(s.err, 0);
    return str_detach(&s, NULL);
}

/* Reads a whole file into malloc'd memory. */
static char *slurp(const char *path, size_t *ret_len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    struct str s;
    str_init(&s, 0);
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
        assert_int_equal(str_add(&s, buf, k), 0);
    fclose(fp);
    return str_detach(&s, ret_len);
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void make_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/form_test.XXXXXX");
    assert_non_null(mkdtemp(buf));
}

/* ---- urlencoded ---------------------------------------------------------- */

static void test_url_basic(void **state)
{
    struct arena *a = *state;
    struct form f = {0};
    const char *q = "vorname=J%C3%BCrgen&nachname=M%c3%bcller+Schulz&plz=12345&x=a%2Bb%3D%26";
    assert_int_equal(form_urlencoded_parse(a, q, strlen(q), NULL, &f), 0);
    assert_int_equal(f.n, 4);
    assert_string_equal(form_get(&f, "vorname"), "J\xc3\xbcrgen");
    assert_string_equal(form_get(&f, "nachname"), "M\xc3\xbcller Schulz");
    assert_string_equal(form_get(&f, "plz"), "12345");
    assert_string_equal(form_get(&f, "x"), "a+b=&");
    assert_int_equal(f.fields[1].value_len, strlen("M\xc3\xbcller Schulz"));
    assert_int_equal(f.fields[1].size, f.fields[1].value_len);
    assert_null(f.fields[0].filename);
    assert_null(f.fields[0].tmp_path);
    assert_int_equal(f.fields[0].is_file, 0);
    assert_null(form_get(&f, "fehlt"));
    assert_null(form_field(&f, "fehlt"));
    assert_ptr_equal(form_field(&f, "plz"), &f.fields[2]);
}

static void test_url_edges(void **state)
{
    struct arena *a = *state;
    struct form f = {0};

    assert_int_equal(form_urlencoded_parse(a, "", 0, NULL, &f), 0);
    assert_int_equal(f.n, 0);
    assert_int_equal(form_urlencoded_parse(a, NULL, 0, NULL, &f), 0);
    assert_int_equal(f.n, 0);
    assert_int_equal(form_urlencoded_parse(a, "&&&", 3, NULL, &f), 0);
    assert_int_equal(f.n, 0);

    const char *q = "&flag&leer=&=ohne&a=1&a=2&%41%62=c&eq==x=y&plus=+%20+&";
    assert_int_equal(form_urlencoded_parse(a, q, strlen(q), NULL, &f), 0);
    assert_int_equal(f.n, 8);
    assert_string_equal(f.fields[0].name, "flag");
    assert_string_equal(f.fields[0].value, "");
    assert_int_equal(f.fields[0].value_len, 0);
    assert_string_equal(form_get(&f, "leer"), "");
    assert_string_equal(form_get(&f, ""), "ohne");
    assert_string_equal(form_get(&f, "a"), "1"); /* the first of repeated names */
    assert_string_equal(f.fields[4].value, "2");
    assert_string_equal(form_get(&f, "Ab"), "c");
    assert_string_equal(form_get(&f, "eq"), "=x=y");
    assert_string_equal(form_get(&f, "plus"), "   ");

    /* p need not be NUL-terminated: only n bytes are read */
    assert_int_equal(form_urlencoded_parse(a, "k=v&zzz", 3, NULL, &f), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(form_get(&f, "k"), "v");

    /* 4-byte UTF-8 and the highest code point are fine */
    q = "e=%F0%9F%98%80&m=%F4%8F%BF%BF";
    assert_int_equal(form_urlencoded_parse(a, q, strlen(q), NULL, &f), 0);
    assert_string_equal(form_get(&f, "e"), "\xf0\x9f\x98\x80");
}

static void test_url_errors(void **state)
{
    struct arena *a = *state;
    static const char *bad[] = {
        "%",
        "a=%",
        "a=%4",
        "a=%4g",
        "a=%g4",
        "a=b&%zz=1",
        "a=100%",
        "a=%00",
        "a%00=1",
        "a=%FF",
        "%FF=1",
        "a=%C3",
        "a=%C3%28",
        "a=%C0%AF",
        "a=%E0%80%AF",
        "a=%ED%A0%80",
        "a=%F4%90%80%80",
        "a=%80",
        "a=%F8%88%80%80%80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct form f = {.n = 99};
        int r = form_urlencoded_parse(a, bad[i], strlen(bad[i]), NULL, &f);
        if (r != ERR_INVALID)
            fail_msg("\"%s\": got %d, want ERR_INVALID", bad[i], r);
        assert_int_equal(f.n, 99); /* out untouched on error */
    }
    /* a raw NUL byte in the input is rejected as well */
    struct form f = {0};
    assert_int_equal(form_urlencoded_parse(a, "a=b\0c", 5, NULL, &f), ERR_INVALID);
}

static void test_url_limits(void **state)
{
    struct arena *a = *state;
    struct form_limits lim = FORM_LIMITS_DEFAULT;
    struct form f = {0};

    lim.max_fields = 2;
    assert_int_equal(form_urlencoded_parse(a, "a=1&&b=2&", 9, &lim, &f), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(form_urlencoded_parse(a, "a=1&b=2&c", 9, &lim, &f), ERR_TOOBIG);

    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_name = 3;
    assert_int_equal(form_urlencoded_parse(a, "abc=1", 5, &lim, &f), 0);
    assert_int_equal(form_urlencoded_parse(a, "%41%42%43=1", 11, &lim, &f), 0); /* decoded size */
    assert_int_equal(form_urlencoded_parse(a, "abcd=1", 6, &lim, &f), ERR_TOOBIG);
    assert_int_equal(form_urlencoded_parse(a, "abcd", 4, &lim, &f), ERR_TOOBIG);

    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_value = 4;
    assert_int_equal(form_urlencoded_parse(a, "a=%C3%A4%C3%A4", 14, &lim, &f), 0);
    assert_int_equal(form_urlencoded_parse(a, "a=12345", 7, &lim, &f), ERR_TOOBIG);

    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_total = 5;
    assert_int_equal(form_urlencoded_parse(a, "a=123", 5, &lim, &f), 0);
    assert_int_equal(form_urlencoded_parse(a, "a=1234", 6, &lim, &f), ERR_TOOBIG);

    /* the defaults are what form.h promises */
    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    assert_int_equal(lim.max_fields, 200);
    assert_int_equal(lim.max_value, 1024 * 1024);
    assert_int_equal(lim.max_file_bytes, 25 * 1024 * 1024);
}

/* ---- multipart: syntax --------------------------------------------------- */

/* The reference body: text fields, a file with boundary-like content and
 * NUL bytes, an empty file input and some preamble and epilogue. */
static const char tricky_file[] = "%PDF-1.7\r\n"
                                  "\r\n--" /* delimiter prefixes of growing length */
                                  "\r\n---"
                                  "\r\n----rathaus"
                                  "\r\n----rathausBoundary7MA4YWx" /* all but the last byte */
                                  "\r\n-" BOUNDARY                 /* one dash short */
                                  "\n--" BOUNDARY                  /* LF without CR before it */
                                  "\r--" BOUNDARY                  /* CR without LF */
                                  " --" BOUNDARY " no CRLF\r\n"    /* no line break before it */
                                  "\r\r\n\r\n-\r\n--\r"
                                  "\0\0\xff\xfe binary \x00 end";

static char *reference_body(size_t *ret_len)
{
    struct str s;
    str_init(&s, 0);
    str_adds(&s, "This is the preamble; it is ignored.\r\n" DELIM "\r\n");
    str_adds(&s, CD "name=\"titel\"\r\n\r\nAntrag auf Baugenehmigung\r\n" DELIM "\r\n");
    str_adds(&s, CD "name=\"text\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    "Zeile 1\r\nZeile 2 \xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\r\n\r\n" DELIM "\r\n");
    str_adds(&s, "Content-Type: application/pdf\r\n"
                 "content-disposition: Form-Data; NAME=\"plan\"; filename=\"Plan \xc3\x9c"
                 "bersicht M\xc3\xa4rz.pdf\"\r\nX-Other: ignored\r\n\r\n");
    str_add(&s, tricky_file, sizeof tricky_file - 1);
    str_adds(&s, "\r\n" DELIM "\r\n");
    str_adds(&s, CD "name=\"leer\"; filename=\"\"\r\nContent-Type: application/octet-stream"
                    "\r\n\r\n\r\n" DELIM "\r\n");
    str_adds(&s, CD "name=\"empty\"\r\n\r\n\r\n" DELIM "--\r\nEpilogue, ignored too.\r\n");
    assert_int_equal(s.err, 0);
    return str_detach(&s, ret_len);
}

static void check_reference(const struct form *f)
{
    assert_int_equal(f->n, 4); /* "leer" is an empty file input: skipped */
    assert_string_equal(form_get(f, "titel"), "Antrag auf Baugenehmigung");
    assert_string_equal(form_get(f, "text"),
                        "Zeile 1\r\nZeile 2 \xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\r\n");
    assert_string_equal(form_field(f, "text")->content_type, "text/plain; charset=utf-8");
    assert_null(form_field(f, "titel")->content_type);
    assert_string_equal(form_get(f, "empty"), "");

    const struct form_field *p = form_field(f, "plan");
    assert_non_null(p);
    assert_null(form_get(f, "plan")); /* form_get returns text fields only */
    assert_int_equal(p->is_file, 1);
    assert_string_equal(p->filename, "Plan \xc3\x9c"
                                     "bersicht M\xc3\xa4rz.pdf");
    assert_string_equal(p->content_type, "application/pdf");
    assert_null(p->tmp_path);
    assert_int_equal(p->size, sizeof tricky_file - 1);
    assert_int_equal(p->value_len, sizeof tricky_file - 1);
    assert_memory_equal(p->value, tricky_file, sizeof tricky_file - 1);
    assert_int_equal(p->value[p->value_len], '\0');
    assert_null(form_field(f, "leer"));
}

static void test_mp_reference(void **state)
{
    struct arena *a = *state;
    size_t n;
    char *body = reference_body(&n);
    struct form f = {0};
    assert_int_equal(mp_parse(a, CTYPE, body, n, SPLIT_WHOLE, 0, NULL, NULL, &f, NULL), 0);
    check_reference(&f);
    free(body);
}

/* Every split of the body gives the same form: byte by byte, at every single
 * cut position, and in random chunk sizes. */
static void test_mp_splits(void **state)
{
    struct arena *a = *state;
    size_t n;
    char *body = reference_body(&n);
    struct form f = {0};
    assert_int_equal(mp_parse(a, CTYPE, body, n, SPLIT_WHOLE, 0, NULL, NULL, &f, NULL), 0);
    char *want = dump(&f);

    assert_int_equal(mp_parse(a, CTYPE, body, n, SPLIT_BYTES, 0, NULL, NULL, &f, NULL), 0);
    char *got = dump(&f);
    assert_string_equal(got, want);
    free(got);

    for (size_t cut = 0; cut <= n; cut++) {
        struct form_multipart *m;
        assert_int_equal(form_multipart_new(CTYPE, NULL, NULL, a, &m), 0);
        assert_int_equal(form_multipart_feed(m, body, cut), 0);
        assert_int_equal(form_multipart_feed(m, body + cut, n - cut), 0);
        assert_int_equal(form_multipart_finish(m, &f), 0);
        form_multipart_free(m);
        got = dump(&f);
        assert_string_equal(got, want);
        free(got);
        arena_reset(a);
    }

    rng_state = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < 300; round++) {
        size_t maxc = 1 + rng() % 40;
        assert_int_equal(mp_parse(a, CTYPE, body, n, SPLIT_RANDOM, maxc, NULL, NULL, &f, NULL), 0);
        check_reference(&f);
        got = dump(&f);
        assert_string_equal(got, want);
        free(got);
        arena_reset(a);
    }
    free(want);
    free(body);
}

static void test_mp_content_type(void **state)
{
    struct arena *a = *state;
    struct form_multipart *m = NULL;
    static const struct {
        const char *ct;
        int want;
    } cases[] = {
        {"multipart/form-data; boundary=abc", 0},
        {"Multipart/Form-Data;BOUNDARY=abc", 0},
        {"multipart/form-data ; charset=utf-8 ; Boundary = \"a b'c()+_,-./:=?\" ;", 0},
        {"multipart/form-data; boundary=\"a\\\"b\"", ERR_INVALID}, /* '"' is no bchar */
        {"multipart/form-data; boundary=1234567890123456789012345678901234567890"
         "123456789012345678901234567890",
         0}, /* 70 */
        {"multipart/form-data; boundary=1234567890123456789012345678901234567890"
         "1234567890123456789012345678901",
         ERR_INVALID}, /* 71 */
        {NULL, ERR_MEDIATYPE},
        {"", ERR_MEDIATYPE},
        {"text/plain; boundary=abc", ERR_MEDIATYPE},
        {"multipart/mixed; boundary=abc", ERR_MEDIATYPE},
        {"multipart/form-data", ERR_INVALID},
        {"multipart/form-data; charset=utf-8", ERR_INVALID},
        {"multipart/form-data; boundary=", ERR_INVALID},
        {"multipart/form-data; boundary=\"\"", ERR_INVALID},
        {"multipart/form-data; boundary=\"abc", ERR_INVALID},
        {"multipart/form-data; boundary=\"abc \"", ERR_INVALID}, /* ends in a space */
        {"multipart/form-data; boundary=a@b", ERR_INVALID},
        {"multipart/form-data; boundary=\"a\r\nb\"", ERR_INVALID},
        {"multipart/form-data; boundary=a; boundary=b", ERR_INVALID},
        {"multipart/form-data; boundary", ERR_INVALID},
        {"multipart/form-data; =abc", ERR_INVALID},
        {"multipart/form-data boundary=abc", ERR_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        m = NULL;
        int r = form_multipart_new(cases[i].ct, NULL, NULL, a, &m);
        if (r != cases[i].want)
            fail_msg("case %zu \"%s\": got %d, want %d", i, cases[i].ct ? cases[i].ct : "(null)", r,
                     cases[i].want);
        if (r)
            assert_null(m);
        form_multipart_free(m);
    }

    /* a quoted boundary with a space in the middle is used as such */
    struct form f = {0};
    const char *body = "--a b\r\n" CD "name=x\r\n\r\n1\r\n--a b--";
    assert_int_equal(mp_parse(a, "multipart/form-data; boundary=\"a b\"", body, strlen(body),
                              SPLIT_BYTES, 0, NULL, NULL, &f, NULL),
                     0);
    assert_string_equal(form_get(&f, "x"), "1");
}

static void test_mp_framing(void **state)
{
    struct arena *a = *state;
    struct form f = {0};

    /* no preamble, padding after delimiters, no CRLF after the close delimiter */
    const char *ok = DELIM " \t\r\n" CD "name=a\r\n\r\nx\r\n" DELIM "--";
    assert_int_equal(mp_parse_s(a, ok, NULL, &f), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(form_get(&f, "a"), "x");

    /* a CRLF before the first delimiter, close delimiter with padding and epilogue */
    ok = "\r\n" DELIM "\r\n" CD "name=a\r\n\r\n\r\n" DELIM "--  \r\nrest";
    assert_int_equal(mp_parse_s(a, ok, NULL, &f), 0);
    assert_string_equal(form_get(&f, "a"), "");

    /* no parts at all */
    assert_int_equal(mp_parse_s(a, DELIM "--\r\n", NULL, &f), 0);
    assert_int_equal(f.n, 0);

    /* a delimiter prefix right before the real delimiter */
    ok = DELIM "\r\n" CD "name=a\r\n\r\n\r\n--"
               "----rathaus\r\n" DELIM "--";
    assert_int_equal(mp_parse_s(a, ok, NULL, &f), 0);
    assert_string_equal(form_get(&f, "a"), "\r\n------rathaus");

    static const char *bad[] = {
        "",                                                             /* empty body */
        "no boundary here",                                             /* never a delimiter */
        DELIM "\r\n" CD "name=a\r\n\r\nx",                              /* missing final boundary */
        DELIM "\r\n" CD "name=a\r\n\r\nx\r\n" DELIM "\r\n",             /* no "--" at the end */
        DELIM "\r\n" CD "name=a\r\n\r\nx\r\n" DELIM "-",                /* half a close delimiter */
        DELIM "\r\n" CD "name=a\r\n\r\nx\r\n" DELIM,                    /* ends in the delimiter */
        DELIM "\r\n" CD "name=a\r\n",                                   /* ends in the headers */
        DELIM "\n" CD "name=a\n\nx\n" DELIM "--\n",                     /* LF line ends */
        DELIM "\r\n" CD "name=a\n\nx\r\n" DELIM "--",                   /* LF in the headers */
        DELIM "\r\n" CD "name=a\r\n\r\nx\r\n" DELIM "X\r\n" DELIM "--", /* boundary in content */
        DELIM "\r\n" CD "name=a\r\n\r\nx\r\n" DELIM "-X",
        DELIM " x\r\n" CD "name=a\r\n\r\nx\r\n" DELIM "--", /* junk after padding */
        DELIM "\rx" CD "name=a\r\n\r\nx\r\n" DELIM "--",    /* CR without LF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        for (int how = SPLIT_WHOLE; how <= SPLIT_BYTES; how++) {
            int r = mp_parse(a, CTYPE, bad[i], strlen(bad[i]), (enum split)how, 0, NULL, NULL, &f,
                             NULL);
            if (r != ERR_INVALID)
                fail_msg("bad[%zu] split %d: got %d, want ERR_INVALID", i, how, r);
        }
    }
}

static void test_mp_headers(void **state)
{
    struct arena *a = *state;
    struct form f = {0};

    const char *ok = DELIM "\r\n"
                           "Content-Disposition:form-data;name=\"q\\\"x\\\\y\";"
                           "filename=\"a \\\"quoted\\\" name.txt\"; filename*=UTF-8''ignored\r\n"
                           "\r\nQ\r\n" DELIM "\r\n" CD "name=\"p\"; filename=\"C:\\dir\\f.txt\"\r\n"
                           "Content-Type:   image/png   \r\n\r\nP\r\n" DELIM "\r\n"
                           "Content-Disposition: form-data; name=\"semi;colon\"\r\n"
                           "X-Empty:\r\n\r\nS\r\n" DELIM "--";
    assert_int_equal(mp_parse_s(a, ok, NULL, &f), 0);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.fields[0].name, "q\"x\\y");
    assert_string_equal(f.fields[0].filename, "a \"quoted\" name.txt");
    assert_string_equal(f.fields[0].content_type, "application/octet-stream");
    assert_string_equal(f.fields[1].filename, "C:\\dir\\f.txt"); /* backslash kept literally */
    assert_string_equal(f.fields[1].content_type, "image/png");
    assert_string_equal(form_get(&f, "semi;colon"), "S");

    static const char *bad[] = {
        "\r\n",                                               /* no headers */
        "Content-Type: text/plain\r\n\r\n",                   /* no Content-Disposition */
        "Content-Disposition: attachment; name=a\r\n\r\n",    /* not form-data */
        "Content-Disposition: form-data\r\n\r\n",             /* no name */
        "Content-Disposition: form-data; filename=x\r\n\r\n", /* no name */
        CD "name=a; name=b\r\n\r\n",                          /* repeated name */
        CD "name=a; filename=x; filename=y\r\n\r\n",          /* repeated filename */
        CD "name=a\r\n" CD "name=b\r\n\r\n",                  /* repeated header */
        CD "name=a\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n",
        CD "name=\"a\r\n\r\n", /* unterminated quote */
        CD "name=a b\r\n\r\n", /* junk after a value */
        CD "name=a\r\nNo colon here\r\n\r\n",
        CD "name=a\r\n: empty name\r\n\r\n",
        CD "name=a\r\nBad Name: x\r\n\r\n",
        CD "name=a\r\n folded: x\r\n\r\n", /* obsolete folding */
        CD "name=a\r\nX-Ctl: a\x01"
           "b\r\n\r\n",                         /* control character */
        CD "name=a\r\nX-Cr: a\rb\r\n\r\n",      /* bare CR */
        CD "name=\"\xff\"\r\n\r\n",             /* name not UTF-8 */
        CD "name=a; filename=\"\xc3\"\r\n\r\n", /* filename not UTF-8 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct str s;
        str_init(&s, 0);
        str_adds(&s, DELIM "\r\n");
        str_adds(&s, bad[i]);
        str_adds(&s, "x\r\n" DELIM "--");
        int r = mp_parse(a, CTYPE, s.buf, s.len, SPLIT_BYTES, 0, NULL, NULL, &f, NULL);
        if (r != ERR_INVALID)
            fail_msg("bad[%zu]: got %d, want ERR_INVALID", i, r);
        str_release(&s);
    }

    /* a raw NUL byte in a header */
    static const char nul[] = DELIM "\r\n" CD "name=a\r\nX: \0\r\n\r\nx\r\n" DELIM "--";
    assert_int_equal(mp_parse(a, CTYPE, nul, sizeof nul - 1, SPLIT_WHOLE, 0, NULL, NULL, &f, NULL),
                     ERR_INVALID);

    /* text values must be UTF-8 without NUL; file contents may be anything */
    assert_int_equal(
        mp_parse_s(a, DELIM "\r\n" CD "name=a\r\n\r\n\xc3\x28\r\n" DELIM "--", NULL, &f),
        ERR_INVALID);
    static const char tnul[] = DELIM "\r\n" CD "name=a\r\n\r\na\0b\r\n" DELIM "--";
    assert_int_equal(
        mp_parse(a, CTYPE, tnul, sizeof tnul - 1, SPLIT_WHOLE, 0, NULL, NULL, &f, NULL),
        ERR_INVALID);
    static const char fnul[] = DELIM "\r\n" CD "name=a; filename=b\r\n\r\na\0\xff\r\n" DELIM "--";
    assert_int_equal(
        mp_parse(a, CTYPE, fnul, sizeof fnul - 1, SPLIT_WHOLE, 0, NULL, NULL, &f, NULL), 0);
    assert_int_equal(f.fields[0].size, 3);
    assert_memory_equal(f.fields[0].value, "a\0\xff", 3);

    /* the header block limit: exactly FORM_MAX_PART_HEADER bytes pass, one more does not */
    for (int extra = 0; extra <= 1; extra++) {
        struct str s;
        str_init(&s, 0);
        str_adds(&s, DELIM "\r\n" CD "name=a\r\nX-Pad: ");
        size_t fixed = strlen(CD "name=a\r\nX-Pad: ") + 4;
        for (size_t i = fixed; i < FORM_MAX_PART_HEADER + (size_t)extra; i++)
            str_addc(&s, 'p');
        str_adds(&s, "\r\n\r\nx\r\n" DELIM "--");
        int r = mp_parse(a, CTYPE, s.buf, s.len, SPLIT_RANDOM, 300, NULL, NULL, &f, NULL);
        assert_int_equal(r, extra ? ERR_TOOBIG : 0);
        str_release(&s);
    }
}

/* Many fields: the field array grows and keeps the order. */
static void test_many_fields(void **state)
{
    struct arena *a = *state;
    struct form f = {0};
    struct str s;
    char name[16], value[16];

    str_init(&s, 0);
    for (int i = 0; i < 200; i++)
        str_addf(&s, "%sf%d=v%d", i ? "&" : "", i, i);
    assert_int_equal(form_urlencoded_parse(a, s.buf, s.len, NULL, &f), 0);
    assert_int_equal(f.n, 200);
    for (int i = 0; i < 200; i += 37) {
        snprintf(name, sizeof name, "f%d", i);
        snprintf(value, sizeof value, "v%d", i);
        assert_string_equal(f.fields[i].name, name);
        assert_string_equal(form_get(&f, name), value);
    }
    str_addf(&s, "&one=more");
    assert_int_equal(form_urlencoded_parse(a, s.buf, s.len, NULL, &f), ERR_TOOBIG);

    str_reset(&s);
    for (int i = 0; i < 50; i++)
        str_addf(&s, DELIM "\r\n" CD "name=\"m%d\"\r\n\r\n%d\r\n", i, i * i);
    str_adds(&s, DELIM "--");
    assert_int_equal(mp_parse(a, CTYPE, s.buf, s.len, SPLIT_WHOLE, 0, NULL, NULL, &f, NULL), 0);
    assert_int_equal(f.n, 50);
    assert_string_equal(form_get(&f, "m0"), "0");
    assert_string_equal(form_get(&f, "m49"), "2401");
    assert_string_equal(f.fields[17].name, "m17");
    str_release(&s);
}

/* ---- multipart: limits --------------------------------------------------- */

static void test_mp_limits(void **state)
{
    struct arena *a = *state;
    struct form_limits lim = FORM_LIMITS_DEFAULT;
    struct form f = {0};
    const char *file10 = DELIM "\r\n" CD "name=f; filename=a\r\n\r\n0123456789\r\n" DELIM "--";
    const char *text5 = DELIM "\r\n" CD "name=t\r\n\r\n12345\r\n" DELIM "--";
    const char *three = DELIM "\r\n" CD "name=a\r\n\r\n1\r\n" DELIM "\r\n" CD
                              "name=b; filename=b\r\n\r\n2\r\n" DELIM "\r\n" CD
                              "name=c; filename=c\r\n\r\n3\r\n" DELIM "--";

    lim.max_file_bytes = 10;
    assert_int_equal(mp_parse_s(a, file10, &lim, &f), 0);
    lim.max_file_bytes = 9;
    assert_int_equal(mp_parse_s(a, file10, &lim, &f), ERR_TOOBIG);

    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_value = 5;
    assert_int_equal(mp_parse_s(a, text5, &lim, &f), 0);
    lim.max_value = 4;
    assert_int_equal(mp_parse_s(a, text5, &lim, &f), ERR_TOOBIG);
    lim.max_value = 0;
    assert_int_equal(mp_parse_s(a, DELIM "\r\n" CD "name=t\r\n\r\n\r\n" DELIM "--", &lim, &f), 0);

    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_fields = 3;
    assert_int_equal(mp_parse_s(a, three, &lim, &f), 0);
    assert_int_equal(f.n, 3);
    lim.max_fields = 2;
    assert_int_equal(mp_parse_s(a, three, &lim, &f), ERR_TOOBIG);

    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_files = 2;
    assert_int_equal(mp_parse_s(a, three, &lim, &f), 0);
    lim.max_files = 1;
    assert_int_equal(mp_parse_s(a, three, &lim, &f), ERR_TOOBIG);

    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_name = 1;
    assert_int_equal(mp_parse_s(a, three, &lim, &f), 0);
    lim.max_name = 0;
    assert_int_equal(mp_parse_s(a, three, &lim, &f), ERR_TOOBIG);

    /* max_total counts raw body bytes, however they are split */
    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_total = strlen(three);
    assert_int_equal(mp_parse(a, CTYPE, three, strlen(three), SPLIT_BYTES, 0, &lim, NULL, &f, NULL),
                     0);
    lim.max_total--;
    assert_int_equal(mp_parse(a, CTYPE, three, strlen(three), SPLIT_BYTES, 0, &lim, NULL, &f, NULL),
                     ERR_TOOBIG);

    /* ERR_TOOBIG comes as soon as the limit is passed, not at the end, and sticks */
    struct form_multipart *m;
    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_file_bytes = 4;
    assert_int_equal(form_multipart_new(CTYPE, &lim, NULL, a, &m), 0);
    const char *head = DELIM "\r\n" CD "name=f; filename=a\r\n\r\n";
    assert_int_equal(form_multipart_feed(m, head, strlen(head)), 0);
    assert_int_equal(form_multipart_feed(m, "1234", 4), 0);
    assert_int_equal(form_multipart_feed(m, "5", 1), ERR_TOOBIG);
    assert_int_equal(form_multipart_feed(m, "\r\n" DELIM "--", strlen(DELIM) + 4), ERR_TOOBIG);
    f.n = 77;
    assert_int_equal(form_multipart_finish(m, &f), ERR_TOOBIG);
    assert_int_equal(f.n, 77);
    form_multipart_free(m);

    /* an empty file input counts toward no limit */
    const char *empty = DELIM "\r\n" CD "name=e; filename=\"\"\r\n\r\n\r\n" DELIM "\r\n" CD
                              "name=f; filename=x\r\n\r\nX\r\n" DELIM "--";
    lim = (struct form_limits)FORM_LIMITS_DEFAULT;
    lim.max_files = 1;
    lim.max_fields = 1;
    assert_int_equal(mp_parse_s(a, empty, &lim, &f), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.fields[0].name, "f");
}

static void test_mp_empty_files(void **state)
{
    struct arena *a = *state;
    struct form f = {0};
    /* filename="" with content is kept; a named file without content is kept with size 0 */
    const char *body = DELIM "\r\n" CD "name=e; filename=\"\"\r\n\r\nabc\r\n" DELIM "\r\n" CD
                             "name=z; filename=\"zero.txt\"\r\n\r\n\r\n" DELIM "--";
    assert_int_equal(mp_parse_s(a, body, NULL, &f), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.fields[0].filename, "");
    assert_int_equal(f.fields[0].size, 3);
    assert_string_equal(f.fields[1].filename, "zero.txt");
    assert_int_equal(f.fields[1].size, 0);
    assert_string_equal(f.fields[1].value, "");
}

/* ---- multipart: temp files ----------------------------------------------- */

static void test_mp_tmpfiles(void **state)
{
    struct arena *a = *state;
    char dir[64];
    make_tmpdir(dir, sizeof dir);

    /* a file larger than the write buffer, with delimiter prefixes inside */
    struct str big;
    str_init(&big, 0);
    rng_state = 12345;
    while (big.len < 300 * 1024) {
        uint32_t x = rng();
        if (x % 97 == 0)
            str_adds(&big, "\r\n--"
                           "----rathausBound");
        else
            str_addc(&big, (char)(x & 0xff));
    }
    struct str body;
    str_init(&body, 0);
    str_adds(&body,
             DELIM "\r\n" CD "name=\"doc\"; filename=\"Bescheid f\xc3\xbcr M\xc3\xbcller.bin\"\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n");
    str_add(&body, big.buf, big.len);
    str_adds(&body, "\r\n" DELIM "\r\n" CD "name=\"t\"\r\n\r\ntext\r\n" DELIM "\r\n" CD
                    "name=\"zero\"; filename=\"0.txt\"\r\n\r\n\r\n" DELIM "\r\n" CD
                    "name=\"e\"; filename=\"\"\r\n\r\n\r\n" DELIM "--\r\n");
    assert_int_equal(body.err, 0);

    struct form f = {0};
    struct form_multipart *m;
    rng_state = 777;
    assert_int_equal(
        mp_parse(a, CTYPE, body.buf, body.len, SPLIT_RANDOM, 100000, NULL, dir, &f, &m), 0);
    assert_int_equal(f.n, 3);
    assert_int_equal(dir_entries(dir), 2); /* the empty file input made no file */

    const struct form_field *doc = form_field(&f, "doc");
    assert_non_null(doc);
    assert_string_equal(doc->filename, "Bescheid f\xc3\xbcr M\xc3\xbcller.bin");
    assert_null(doc->value);
    assert_int_equal(doc->value_len, 0);
    assert_int_equal(doc->size, big.len);
    assert_non_null(doc->tmp_path);
    assert_int_equal(strncmp(doc->tmp_path, dir, strlen(dir)), 0);
    assert_non_null(strstr(doc->tmp_path, "/rathaus-upload-"));
    struct stat st;
    assert_int_equal(stat(doc->tmp_path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal((size_t)st.st_size, big.len);
    size_t len;
    char *got = slurp(doc->tmp_path, &len);
    assert_int_equal(len, big.len);
    assert_memory_equal(got, big.buf, len);
    free(got);

    const struct form_field *zero = form_field(&f, "zero");
    assert_non_null(zero->tmp_path);
    assert_int_equal(stat(zero->tmp_path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_null(form_field(&f, "t")->tmp_path);
    assert_string_equal(form_get(&f, "t"), "text");

    /* claiming: the caller moves "doc" away, then claims it; "zero" stays unclaimed */
    char kept[128];
    snprintf(kept, sizeof kept, "%s/kept", dir);
    assert_int_equal(rename(doc->tmp_path, kept), 0);
    assert_int_equal(form_multipart_claim(m, doc), 0);
    assert_int_equal(form_multipart_claim(m, doc), ERR_NOTFOUND); /* only once */
    assert_int_equal(form_multipart_claim(m, form_field(&f, "t")), ERR_NOTFOUND);
    assert_int_equal(form_multipart_claim(m, NULL), ERR_NOTFOUND);
    struct form_field fake = {.tmp_path = "/tmp/not-ours"};
    assert_int_equal(form_multipart_claim(m, &fake), ERR_NOTFOUND);
    char zero_path[128];
    snprintf(zero_path, sizeof zero_path, "%s", zero->tmp_path);
    form_multipart_free(m);
    assert_int_equal(access(zero_path, F_OK), -1); /* unclaimed: deleted */
    assert_int_equal(access(kept, F_OK), 0);       /* claimed: the caller's */
    assert_int_equal(dir_entries(dir), 1);
    assert_int_equal(unlink(kept), 0);

    /* form_multipart_rename moves and claims in one step */
    assert_int_equal(mp_parse(a, CTYPE, body.buf, body.len, SPLIT_WHOLE, 0, NULL, dir, &f, &m), 0);
    snprintf(kept, sizeof kept, "%s/nested/x", dir);
    assert_int_equal(form_multipart_rename(m, form_field(&f, "doc"), kept), ERR_IO);
    snprintf(kept, sizeof kept, "%s/renamed", dir);
    assert_int_equal(form_multipart_rename(m, form_field(&f, "t"), kept), ERR_NOTFOUND);
    assert_int_equal(form_multipart_rename(m, form_field(&f, "doc"), kept), 0);
    assert_int_equal(form_multipart_rename(m, form_field(&f, "doc"), kept), ERR_NOTFOUND);
    assert_int_equal(form_multipart_claim(m, form_field(&f, "doc")), ERR_NOTFOUND);
    form_multipart_free(m);
    assert_int_equal(dir_entries(dir), 1);
    got = slurp(kept, &len);
    assert_int_equal(len, big.len);
    assert_memory_equal(got, big.buf, len);
    free(got);
    assert_int_equal(unlink(kept), 0);

    /* a claimed file that is still at tmp_path is left alone too */
    assert_int_equal(mp_parse(a, CTYPE, body.buf, body.len, SPLIT_WHOLE, 0, NULL, dir, &f, &m), 0);
    assert_int_equal(form_multipart_claim(m, form_field(&f, "zero")), 0);
    snprintf(zero_path, sizeof zero_path, "%s", form_field(&f, "zero")->tmp_path);
    form_multipart_free(m);
    assert_int_equal(dir_entries(dir), 1);
    assert_int_equal(unlink(zero_path), 0);

    /* an upload that fails halfway leaves nothing behind */
    struct form_limits lim = FORM_LIMITS_DEFAULT;
    lim.max_file_bytes = 100 * 1024;
    assert_int_equal(mp_parse(a, CTYPE, body.buf, body.len, SPLIT_RANDOM, 5000, &lim, dir, &f, &m),
                     ERR_TOOBIG);
    assert_int_equal(dir_entries(dir), 1); /* the open temp file of the failing part */
    form_multipart_free(m);
    assert_int_equal(dir_entries(dir), 0);

    /* ... and so does one with a missing final boundary */
    assert_int_equal(mp_parse(a, CTYPE, body.buf, body.len - 12, SPLIT_WHOLE, 0, NULL, dir, &f, &m),
                     ERR_INVALID);
    form_multipart_free(m);
    assert_int_equal(dir_entries(dir), 0);

    /* temp files are created with O_CLOEXEC */
    assert_int_equal(form_multipart_new(CTYPE, NULL, dir, a, &m), 0);
    const char *head = DELIM "\r\n" CD "name=f; filename=a\r\n\r\n";
    assert_int_equal(form_multipart_feed(m, head, strlen(head)), 0);
    assert_int_equal(form_multipart_feed(m, big.buf, 70000), 0); /* more than the write buffer */
    int found = 0;
    for (int fd = 3; fd < 1024; fd++) {
        char link[64], target[256];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (k < 0)
            continue;
        target[k] = '\0';
        if (strncmp(target, dir, strlen(dir)) == 0) {
            assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
            found++;
        }
    }
    assert_int_equal(found, 1);
    form_multipart_free(m);
    assert_int_equal(dir_entries(dir), 0);

    /* a long run without CR is written straight from the input, past the buffer */
    struct str plain;
    str_init(&plain, 0);
    str_adds(&plain, DELIM "\r\n" CD "name=f; filename=a\r\n\r\n");
    size_t start = plain.len;
    for (size_t i = 0; i < 200000; i++)
        str_addc(&plain, (char)('a' + i % 26));
    size_t stop = plain.len;
    str_adds(&plain, "\r\n" DELIM "--");
    assert_int_equal(mp_parse(a, CTYPE, plain.buf, plain.len, SPLIT_WHOLE, 0, NULL, dir, &f, &m),
                     0);
    got = slurp(f.fields[0].tmp_path, &len);
    assert_int_equal(len, stop - start);
    assert_memory_equal(got, plain.buf + start, len);
    free(got);
    form_multipart_free(m);
    str_release(&plain);
    assert_int_equal(dir_entries(dir), 0);

    /* a temp dir that does not exist is an I/O error */
    char nodir[128];
    snprintf(nodir, sizeof nodir, "%s/missing", dir);
    assert_int_equal(mp_parse(a, CTYPE, body.buf, body.len, SPLIT_WHOLE, 0, NULL, nodir, &f, NULL),
                     ERR_IO);

    assert_int_equal(rmdir(dir), 0);
    str_release(&body);
    str_release(&big);
}

/* ---- Cookie header -------------------------------------------------------- */

static void test_cookie(void **state)
{
    (void)state;
    char buf[16];
    const char *h = "theme=dark; rh_session=abc123;  lang = de ;q=\"quoted v\"; flag; e=; "
                    "rh_session=second";

    assert_int_equal(form_cookie_get(h, "rh_session", buf, sizeof buf), 0);
    assert_string_equal(buf, "abc123"); /* the first match wins */
    assert_int_equal(form_cookie_get(h, "theme", buf, sizeof buf), 0);
    assert_string_equal(buf, "dark");
    assert_int_equal(form_cookie_get(h, "lang", buf, sizeof buf), 0);
    assert_string_equal(buf, "de");
    assert_int_equal(form_cookie_get(h, "q", buf, sizeof buf), 0);
    assert_string_equal(buf, "quoted v");
    assert_int_equal(form_cookie_get(h, "e", buf, sizeof buf), 0);
    assert_string_equal(buf, "");

    snprintf(buf, sizeof buf, "untouched");
    assert_int_equal(form_cookie_get(h, "flag", buf, sizeof buf), ERR_NOTFOUND);
    assert_int_equal(form_cookie_get(h, "rh", buf, sizeof buf), ERR_NOTFOUND);
    assert_int_equal(form_cookie_get(h, "Theme", buf, sizeof buf), ERR_NOTFOUND);
    assert_int_equal(form_cookie_get(h, "dark", buf, sizeof buf), ERR_NOTFOUND);
    assert_int_equal(form_cookie_get("", "a", buf, sizeof buf), ERR_NOTFOUND);
    assert_int_equal(form_cookie_get(";;", "a", buf, sizeof buf), ERR_NOTFOUND);
    assert_int_equal(form_cookie_get(NULL, "a", buf, sizeof buf), ERR_NOTFOUND);
    assert_string_equal(buf, "untouched");

    /* the value and its NUL must fit */
    assert_int_equal(form_cookie_get("a=12345678", "a", buf, 8), ERR_TOOBIG);
    assert_string_equal(buf, "untouched");
    assert_int_equal(form_cookie_get("a=12345678", "a", buf, 9), 0);
    assert_string_equal(buf, "12345678");
    assert_int_equal(form_cookie_get("a=", "a", buf, 0), ERR_TOOBIG);
    assert_int_equal(form_cookie_get("a=\"", "a", buf, sizeof buf), 0);
    assert_string_equal(buf, "\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_url_basic, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_url_edges, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_url_errors, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_url_limits, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_reference, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_splits, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_content_type, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_framing, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_headers, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_many_fields, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_limits, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_empty_files, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mp_tmpfiles, setup_arena, teardown_arena),
        cmocka_unit_test(test_cookie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
