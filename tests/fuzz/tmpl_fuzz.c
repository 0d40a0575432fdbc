/* libFuzzer target for the template parser and renderer (view/tmpl.c). The
 * input is parsed as a template; if it parses it is rendered against a small
 * fixed context, with every partial resolving to the template itself so that
 * recursion, depth and step limits are exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "view/tmpl.h"

static json_t *data;

/* Any partial name resolves to the template being rendered. */
static const struct tmpl *self_partial(const void *ctx, const char *name)
{
    (void)name;
    return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
    struct tmpl *t = NULL;
    struct str err;
    struct str out;
    int rc;

    if (!data) {
        data = json_loads("{\"a\": \"<&\\\"'>\", \"n\": 42, \"r\": 2.5, \"t\": true, \"f\": false,"
                          " \"z\": null, \"e\": \"\", \"l\": [1, \"x\", {\"a\": \"inner\"}, [], "
                          "{\"l\": [true]}], \"o\": {\"a\": {\"b\": {\"c\": \"deep\"}}, "
                          "\"l\": []}, \"content\": \"<p>raw</p>\"}",
                          0, NULL);
        if (!data)
            abort();
    }
    str_init(&err, 4096);
    str_init(&out, (size_t)64 << 10); /* small cap: fan-out stops early */
    rc = tmpl_parse("fuzz", (const char *)buf, size, &t, &err);
    if (rc == 0) {
        rc = tmpl_render(t, data, self_partial, t, &out);
        if (rc != 0 && rc != ERR_TOOBIG && rc != ERR_NOMEM)
            abort();
        /* The name list must be walkable. */
        for (size_t i = 0; tmpl_partial_name(t, i); i++)
            ;
        tmpl_free(t);
    } else if (t || (rc != ERR_INVALID && rc != ERR_TOOBIG) || err.len == 0) {
        abort(); /* every parse error is a known code and explains itself */
    }
    str_release(&out);
    str_release(&err);
    return 0;
}
