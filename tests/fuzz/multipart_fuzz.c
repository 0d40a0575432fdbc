/* libFuzzer driver for the streaming multipart/form-data parser. The input's
 * first line (up to '\n') is the Content-Type header value, the rest is the
 * body. The body is parsed twice, in one piece and in chunks whose sizes come
 * from the input bytes, and the two results must be identical: the parser
 * must not depend on where the network splits a request. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "http/form.h"

/* Small limits, so fuzzed inputs reach every ERR_TOOBIG path. max_total stays
 * above any input: it is checked per chunk and would make the splits differ. */
static const struct form_limits fuzz_limits = {
    .max_fields = 8,
    .max_name = 32,
    .max_value = 512,
    .max_files = 3,
    .max_file_bytes = 1024,
    .max_total = (size_t)1 << 30,
};

static int parse(struct arena *a, const char *ctype, const uint8_t *body, size_t n, int chunked,
                 struct form *out)
{
    struct form_multipart *m = NULL;
    int r = form_multipart_new(ctype, &fuzz_limits, NULL, a, &m);
    size_t i = 0;

    while (!r && i < n) {
        size_t c = n - i;
        if (chunked && c > 1) {
            size_t want = 1 + (body[i] & 0x1f);
            c = want < c ? want : c;
        }
        r = form_multipart_feed(m, (const char *)body + i, c);
        i += c;
    }
    if (!r)
        r = form_multipart_finish(m, out);
    form_multipart_free(m);
    return r;
}

static int same_str(const char *x, const char *y)
{
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Checks what form.h promises about a parsed field. */
static void check_field(const struct form_field *f)
{
    if (!f->name || strlen(f->name) > fuzz_limits.max_name)
        abort();
    if (!f->value || f->value[f->value_len] != '\0' || f->size != f->value_len || f->tmp_path)
        abort();
    if (f->is_file != (f->filename != NULL))
        abort();
    if (f->is_file) {
        if (!f->content_type || f->size > fuzz_limits.max_file_bytes)
            abort();
        if (!*f->filename && f->size == 0)
            abort(); /* an empty file input is skipped */
    } else if (strlen(f->value) != f->value_len || f->size > fuzz_limits.max_value) {
        abort();
    }
}

static void check_same(const struct form *x, const struct form *y)
{
    if (x->n != y->n || x->n > fuzz_limits.max_fields)
        abort();
    size_t files = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct form_field *p = &x->fields[i], *q = &y->fields[i];
        check_field(p);
        if (strcmp(p->name, q->name) != 0 || p->value_len != q->value_len ||
            memcmp(p->value, q->value, p->value_len) != 0 || !same_str(p->filename, q->filename) ||
            !same_str(p->content_type, q->content_type) || p->is_file != q->is_file)
            abort();
        files += (size_t)p->is_file;
    }
    if (files > fuzz_limits.max_files)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t clen = nl ? (size_t)(nl - data) : size;
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t blen = size - (size_t)(body - data);
    char *ctype = malloc(clen + 1);
    struct arena a;
    struct form f1 = {0}, f2 = {0};

    if (!ctype)
        return 0;
    memcpy(ctype, data, clen);
    ctype[clen] = '\0';
    arena_init(&a, 0);

    int r1 = parse(&a, ctype, body, blen, 0, &f1);
    int r2 = parse(&a, ctype, body, blen, 1, &f2);
    if (r1 != r2)
        abort();
    if (r1 == 0)
        check_same(&f1, &f2);
    else if (r1 != ERR_INVALID && r1 != ERR_TOOBIG && r1 != ERR_MEDIATYPE)
        abort();

    arena_release(&a);
    free(ctype);
    return 0;
}
