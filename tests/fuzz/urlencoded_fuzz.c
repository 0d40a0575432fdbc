/* libFuzzer driver for the urlencoded parser (query strings and form bodies)
 * and, since it reads the same kind of outside input, the Cookie header
 * lookup. A successful parse is re-encoded and parsed again and must give the
 * same fields, so decoding neither loses nor invents bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "http/form.h"

/* Small limits, so fuzzed inputs reach every ERR_TOOBIG path. */
static const struct form_limits fuzz_limits = {
    .max_fields = 16,
    .max_name = 16,
    .max_value = 64,
    .max_files = 0,
    .max_file_bytes = 0,
    .max_total = 1024,
};

/* Percent-encodes everything but unreserved characters. */
static void encode(struct str *s, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            str_addc(s, (char)c);
        } else {
            str_addc(s, '%');
            str_addc(s, hex[c >> 4]);
            str_addc(s, hex[c & 15]);
        }
    }
}

static void check(struct arena *a, const struct form *f, const struct form_limits *lim)
{
    struct str s;
    struct form g = {0};

    if (f->n > lim->max_fields)
        abort();
    str_init(&s, 0);
    for (size_t i = 0; i < f->n; i++) {
        const struct form_field *x = &f->fields[i];
        size_t nlen = strlen(x->name);
        if (nlen > lim->max_name || strlen(x->value) != x->value_len ||
            x->value_len > lim->max_value || x->size != x->value_len || x->is_file || x->filename ||
            x->tmp_path || x->content_type)
            abort();
        if (i)
            str_addc(&s, '&');
        encode(&s, x->name, nlen);
        str_addc(&s, '=');
        encode(&s, x->value, x->value_len);
    }
    if (s.err)
        abort();
    struct form_limits big = FORM_LIMITS_DEFAULT;
    big.max_total = s.len;
    if (form_urlencoded_parse(a, s.buf, s.len, &big, &g) != 0 || g.n != f->n)
        abort();
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->fields[i].name, g.fields[i].name) != 0 ||
            f->fields[i].value_len != g.fields[i].value_len ||
            memcmp(f->fields[i].value, g.fields[i].value, f->fields[i].value_len) != 0)
            abort();
    }
    str_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct arena a;
    struct form f = {0};
    int r;

    arena_init(&a, 0);
    r = form_urlencoded_parse(&a, p, size, NULL, &f);
    if (r == 0)
        check(&a, &f, &(struct form_limits)FORM_LIMITS_DEFAULT);
    else if (r != ERR_INVALID && r != ERR_TOOBIG)
        abort();

    r = form_urlencoded_parse(&a, p, size, &fuzz_limits, &f);
    if (r == 0)
        check(&a, &f, &fuzz_limits);
    else if (r != ERR_INVALID && r != ERR_TOOBIG)
        abort();
    arena_release(&a);

    /* the same bytes as a Cookie header */
    char *z = malloc(size + 1);
    char buf[32];
    if (!z)
        return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    static const char *names[] = {"a", "rh_session", ""};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        r = form_cookie_get(z, names[i], buf, sizeof buf);
        if (r == 0 ? strlen(buf) >= sizeof buf : (r != ERR_NOTFOUND && r != ERR_TOOBIG))
            abort();
    }
    free(z);
    return 0;
}
