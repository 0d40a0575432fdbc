/* formbench: the form engine's part of `make bench` (bench/run): the
 * server-side validation time of a 700-field form. It generates a definition
 * of 700 fields in memory (every field type, show_if conditions, a
 * repeatable group with three entries, date rules), valid Antragsdaten and
 * the POST body an applicant would send, then times form_validate over the
 * data, form_collect of the whole body and form_render_step of one step, and
 * beside them json_loads of the same data as a reference measured in the same
 * run. It prints median and p99 in microseconds and asserts nothing (it exits
 * 1 only when its own data does not validate).
 *
 *   formbench [--iterations N] [--quick]      (default 2000, --quick 200)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "base/str.h"
#include "portal/form.h"

#define STEPS 10
#define GROUPS_PER_STEP 7
#define FIELDS_PER_GROUP 10 /* 10 × 7 × 10 = 700 fields */
#define REPEAT_ENTRIES 3    /* entries of the one repeatable group (step 10, last group) */
#define TYPES 14

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "formbench: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

/* The type of the k-th field of a group; k == 0 is a yes/no that the last
 * field of the group depends on (show_if). */
static const char *type_of(size_t n)
{
    static const char *const T[TYPES] = {"yesno", "text",     "textarea", "number",   "date",
                                         "email", "phone",    "iban",     "postcode", "select",
                                         "radio", "checkbox", "text",     "number"};
    return T[n % TYPES];
}

/* One field's definition (JSON) and its valid value both as data and as the
 * text an applicant types. */
static json_t *make_field(size_t step, size_t group, size_t k, const char *id, json_t **ret_value,
                          const char **ret_raw, bool *ret_multi)
{
    const char *type = k == 0 ? "yesno" : type_of(step * 7 + group + k);
    json_t *f = json_pack("{s:s, s:s, s:s}", "id", id, "type", type, "label", id);
    *ret_multi = false;
    json_object_set_new(f, "help", json_string("Ein Hilfetext, wie ihn viele Felder haben."));
    if (k % 3 == 1)
        json_object_set_new(f, "required", json_true());
    if (strcmp(type, "yesno") == 0) {
        *ret_value = json_true();
        *ret_raw = "ja";
    } else if (strcmp(type, "text") == 0) {
        json_object_set_new(f, "max", json_integer(100));
        if (k % 2 == 0)
            json_object_set_new(f, "pattern", json_string("[A-Za-zÄÖÜäöüß .-]*"));
        *ret_value = json_string("Musterstraße");
        *ret_raw = "Musterstraße";
    } else if (strcmp(type, "textarea") == 0) {
        *ret_value = json_string("Eine längere Begründung\nin zwei Zeilen.");
        *ret_raw = "Eine längere Begründung\r\nin zwei Zeilen.";
    } else if (strcmp(type, "number") == 0) {
        json_object_set_new(f, "min", json_integer(0));
        json_object_set_new(f, "max", json_integer(100000));
        *ret_value = json_real(1234.5);
        *ret_raw = "1.234,5";
    } else if (strcmp(type, "date") == 0) {
        json_object_set_new(f, "max", json_string("today"));
        *ret_value = json_string("2001-02-28");
        *ret_raw = "28.02.2001";
    } else if (strcmp(type, "email") == 0) {
        *ret_value = json_string("erika.muster@example.org");
        *ret_raw = *ret_value ? json_string_value(*ret_value) : "";
    } else if (strcmp(type, "phone") == 0) {
        *ret_value = json_string("+49 211 123456");
        *ret_raw = "+49 211 123456";
    } else if (strcmp(type, "iban") == 0) {
        *ret_value = json_string("DE89370400440532013000");
        *ret_raw = "DE89 3704 0044 0532 0130 00";
    } else if (strcmp(type, "postcode") == 0) {
        *ret_value = json_string("40213");
        *ret_raw = "40213";
    } else if (strcmp(type, "select") == 0 || strcmp(type, "radio") == 0) {
        json_object_set_new(f, "options",
                            json_pack("[s, s, s, s, s]", "eins", "zwei", "drei", "vier", "fünf"));
        *ret_value = json_string("drei");
        *ret_raw = "drei";
    } else { /* checkbox with options */
        json_object_set_new(f, "options", json_pack("[s, s, s, s]", "a", "b", "c", "d"));
        *ret_value = json_pack("[s]", "b");
        *ret_raw = "b";
        *ret_multi = true;
    }
    return f;
}

/* Everything one run needs. */
struct bench {
    json_t *def;      /* the definition */
    json_t *data;     /* valid Antragsdaten */
    struct form post; /* the POST body */
    char **names;     /* names of the body's fields (owned) */
    size_t fields;    /* fields defined */
};

static void add_post(struct bench *b, const char *name, const char *value)
{
    if (b->post.n == b->post.alloc) {
        b->post.alloc = b->post.alloc ? 2 * b->post.alloc : 256;
        b->post.fields = realloc(b->post.fields, b->post.alloc * sizeof *b->post.fields);
        b->names = realloc(b->names, b->post.alloc * sizeof *b->names);
        if (!b->post.fields || !b->names)
            die("out of memory", NULL);
    }
    b->names[b->post.n] = strdup(name);
    b->post.fields[b->post.n] = (struct form_field){.name = b->names[b->post.n],
                                                    .value = value,
                                                    .value_len = strlen(value),
                                                    .size = strlen(value)};
    b->post.n++;
}

static void generate(struct bench *b)
{
    json_t *steps = json_array(), *rules = json_array();
    char id[64], name[160];
    b->data = json_object();
    for (size_t s = 0; s < STEPS; s++) {
        json_t *groups = json_array();
        for (size_t g = 0; g < GROUPS_PER_STEP; g++) {
            bool repeat = s == STEPS - 1 && g == GROUPS_PER_STEP - 1;
            json_t *fields = json_array(), *entries = repeat ? json_array() : NULL;
            char gid[32], first[64] = "";
            snprintf(gid, sizeof gid, "g%zu_%zu", s, g);
            for (size_t e = 0; e < (repeat ? REPEAT_ENTRIES : 1); e++)
                if (repeat)
                    json_array_append_new(entries, json_object());
            for (size_t k = 0; k < FIELDS_PER_GROUP; k++) {
                json_t *value;
                const char *raw;
                bool multi;
                snprintf(id, sizeof id, "f%zu_%zu_%zu", s, g, k);
                json_t *f = make_field(s, g, k, id, &value, &raw, &multi);
                if (k == 0)
                    snprintf(first, sizeof first, "%s", id);
                if (k == FIELDS_PER_GROUP - 1) /* the last field shows only after "ja" */
                    json_object_set_new(f, "show_if",
                                        json_pack("{s:s, s:b}", "field", first, "equals", 1));
                json_array_append_new(fields, f);
                b->fields++;
                if (repeat) {
                    for (size_t e = 0; e < REPEAT_ENTRIES; e++) {
                        json_object_set(json_array_get(entries, e), id, value);
                        snprintf(name, sizeof name, "%s.%zu.%s", gid, e, id);
                        add_post(b, name, raw);
                    }
                    json_decref(value);
                } else {
                    json_object_set_new(b->data, id, value);
                    add_post(b, id, raw);
                }
                (void)multi;
            }
            json_t *group =
                json_pack("{s:s, s:s, s:o}", "id", gid, "legend", gid, "fields", fields);
            if (repeat) {
                json_object_set_new(
                    group, "repeat",
                    json_pack("{s:i, s:i, s:s}", "min", 1, "max", 5, "item", "Eintrag"));
                json_object_set_new(b->data, gid, entries);
            }
            json_array_append_new(groups, group);
        }
        char sid[16], title[32];
        snprintf(sid, sizeof sid, "s%zu", s);
        snprintf(title, sizeof title, "Schritt %zu", s + 1);
        json_array_append_new(
            steps, json_pack("{s:s, s:s, s:o}", "id", sid, "title", title, "groups", groups));
    }
    /* Date rules between pairs of date fields outside the repeatable group. */
    const char *prev = NULL, *key;
    json_t *v;
    size_t nrules = 0;
    void *it;
    for (it = json_object_iter(b->data); it && nrules < 20;
         it = json_object_iter_next(b->data, it)) {
        key = json_object_iter_key(it);
        v = json_object_iter_value(it);
        if (!json_is_string(v) || strcmp(json_string_value(v), "2001-02-28") != 0)
            continue;
        if (prev) {
            json_array_append_new(
                rules, json_pack("{s:s, s:s, s:s}", "type", "not_after", "a", prev, "b", key));
            nrules++;
        }
        prev = key;
    }
    b->def = json_pack("{s:o, s:o}", "steps", steps, "rules", rules);
    if (!b->def || !b->data)
        die("out of memory", NULL);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Prints median and p99 of t[0..n) (microseconds) and returns the median. */
static double report(const char *what, int64_t *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_i64);
    double med = (double)t[n / 2];
    size_t i99 = (n * 99 + 99) / 100;
    if (i99 >= n)
        i99 = n - 1;
    printf("%-46s median %8.0f µs   p99 %8.0f µs\n", what, med, (double)t[i99]);
    return med;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"iterations", required_argument, NULL, 'n'},
        {"quick", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    long iterations = 2000;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            if (str_to_long(optarg, 1, 10000000, &iterations))
                die("--iterations wants a positive number", optarg);
            break;
        case 'q': iterations = 200; break;
        default: fprintf(stderr, "usage: formbench [--iterations N] [--quick]\n"); return 2;
        }
    }
    struct bench b = {0};
    generate(&b);
    struct form_def *d = NULL;
    struct str why, out;
    str_init(&why, 0);
    str_init(&out, 0);
    if (form_def_parse(b.def, &d, &why))
        die("definition refused", why.buf);
    json_t *errors = NULL;
    if (form_validate(d, b.data, &errors) || json_array_size(errors)) {
        char *s = json_dumps(json_array_get(errors, 0), 0);
        die("the generated data does not validate", s);
    }
    json_decref(errors);
    char *text = json_dumps(b.data, JSON_COMPACT);
    size_t text_len = strlen(text);
    int64_t *t_val = calloc((size_t)iterations, sizeof *t_val);
    int64_t *t_col = calloc((size_t)iterations, sizeof *t_col);
    int64_t *t_step = calloc((size_t)iterations, sizeof *t_step);
    int64_t *t_ren = calloc((size_t)iterations, sizeof *t_ren);
    int64_t *t_ref = calloc((size_t)iterations, sizeof *t_ref);
    if (!t_val || !t_col || !t_step || !t_ren || !t_ref)
        die("out of memory", NULL);

    /* Interleaved, so a busy moment on the shared machine hits every figure. */
    for (long i = 0; i < iterations; i++) {
        int64_t t0 = rtime_mono_us();
        if (form_validate(d, b.data, &errors))
            die("form_validate failed", NULL);
        t_val[i] = rtime_mono_us() - t0;
        json_decref(errors);

        json_t *work = json_object();
        t0 = rtime_mono_us();
        if (form_collect(d, -1, &b.post, NULL, 0, work, &errors))
            die("form_collect failed", NULL);
        t_col[i] = rtime_mono_us() - t0;
        if (i == 0 && json_array_size(errors))
            die("the generated POST body has errors",
                json_string_value(json_object_get(json_array_get(errors, 0), "message")));
        json_decref(errors);

        t0 = rtime_mono_us();
        if (form_collect(d, 3, &b.post, NULL, 0, work, &errors))
            die("form_collect failed", NULL);
        t_step[i] = rtime_mono_us() - t0;
        json_decref(errors);
        json_decref(work);

        str_reset(&out);
        t0 = rtime_mono_us();
        if (form_render_step(d, 3, b.data, NULL, &out))
            die("form_render_step failed", NULL);
        t_ren[i] = rtime_mono_us() - t0;

        t0 = rtime_mono_us();
        json_t *j = json_loadb(text, text_len, 0, NULL);
        t_ref[i] = rtime_mono_us() - t0;
        if (!j)
            die("json_loads failed", NULL);
        json_decref(j);
    }

    printf("form engine: %zu fields in %d steps (one repeatable group × %d entries, show_if in "
           "every group, %zu rules), %ld iterations\n",
           b.fields, STEPS, REPEAT_ENTRIES, json_array_size(json_object_get(b.def, "rules")),
           iterations);
    double v = report("form_validate (whole form)", t_val, (size_t)iterations);
    report("form_collect (whole POST body, all steps)", t_col, (size_t)iterations);
    report("form_collect (one step, 70 fields)", t_step, (size_t)iterations);
    report("form_render_step (one step, 70 fields)", t_ren, (size_t)iterations);
    char label[80];
    snprintf(label, sizeof label, "reference: json_loads of the data (%zu KB)", text_len / 1024);
    double r = report(label, t_ref, (size_t)iterations);
    printf("form_validate / json_loads: %.1fx\n", r > 0 ? v / r : 0.0);

    free(text);
    free(t_val);
    free(t_col);
    free(t_step);
    free(t_ren);
    free(t_ref);
    form_def_free(d);
    json_decref(b.def);
    json_decref(b.data);
    for (size_t i = 0; i < b.post.n; i++)
        free(b.names[i]);
    free(b.names);
    free(b.post.fields);
    str_release(&why);
    str_release(&out);
    return 0;
}
