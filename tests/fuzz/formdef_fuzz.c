/* libFuzzer driver for the form engine: the input is JSON, either a form
 * definition or {"form": definition, "data": Antragsdaten, "post": {name:
 * value or [values]}}. A definition that parses is used for everything a
 * hostile applicant can reach: form_validate over data, form_collect of the
 * post body into data, and the renderings of every step, the errors, the
 * review and the summary. Refusals must say why; nothing may crash or leak. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "portal/form.h"

/* Builds a POST body from {name: value | [values]}; fields point into post. */
static struct form_field *make_post(const json_t *post, struct form *f)
{
    size_t n = 0, cap = 64;
    struct form_field *fields = calloc(cap, sizeof *fields);
    const char *key;
    json_t *v;
    if (!fields)
        return NULL;
    json_object_foreach((json_t *)post, key, v)
    {
        size_t m = json_is_array(v) ? json_array_size(v) : 1;
        for (size_t i = 0; i < m && n < cap; i++) {
            const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
            if (!json_is_string(e))
                continue;
            fields[n++] = (struct form_field){.name = key,
                                              .value = json_string_value(e),
                                              .value_len = json_string_length(e),
                                              .size = json_string_length(e)};
        }
    }
    f->fields = fields;
    f->n = n;
    f->alloc = cap;
    return fields;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!in)
        return 0;
    const json_t *def = json_object_get(in, "form") ? json_object_get(in, "form") : in;
    json_t *values = json_object_get(in, "data");
    json_t *work = json_is_object(values) ? json_deep_copy(values) : json_object();
    struct form_def *d = NULL;
    struct str why, out;
    str_init(&why, 4096);
    str_init(&out, 0);
    if (form_def_parse(def, &d, &why) != 0) {
        if (why.len == 0)
            abort(); /* every refusal must say why */
        goto done;
    }
    json_t *errors = NULL;
    if (form_validate(d, values ? values : work, &errors) == 0) {
        (void)form_render_errors(errors, &out);
        json_decref(errors);
    }
    struct form post = {0};
    struct form_field *fields = make_post(json_object_get(in, "post"), &post);
    struct form_upload up = {
        .field = "datei", .name = "a.pdf", .mime = "application/pdf", .size = 10, .sha256 = "00"};
    for (int step = -1; step < (int)form_def_steps(d) && work; step++) {
        errors = NULL;
        if (form_collect(d, step, &post, &up, 1, work, &errors) != 0)
            continue;
        if (step >= 0)
            (void)form_render_step(d, step, work, errors, &out);
        json_decref(errors);
    }
    free(fields);
    (void)form_render_review(d, work, &out);
    json_t *sum = NULL;
    if (form_summary(d, work, &sum) == 0)
        json_decref(sum);
done:
    form_def_free(d);
    json_decref(work);
    json_decref(in);
    str_release(&why);
    str_release(&out);
    return 0;
}
