/* Taking an applicant's POST body into the Antragsdaten (form_collect):
 * values are normalised field by field (dates to ISO, IBANs without spaces,
 * numbers written the German way to JSON numbers), repeatable groups are
 * rebuilt from "<group>.<i>.<field>" names with their add and remove
 * buttons, hidden fields are dropped, and the step is checked. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/form_int.h"

/* ---- collecting a POST body ------------------------------------------------------- */

/* The POST body's text fields sorted by name, for lookups in O(log n). */
struct post {
    const struct form_field **f; /* text fields sorted by (name, position) */
    size_t n;                    /* entries in f */
};

static int post_cmp(const void *a, const void *b)
{
    const struct form_field *x = *(const struct form_field *const *)a;
    const struct form_field *y = *(const struct form_field *const *)b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x < y ? -1 : x > y;
}

static int post_init(struct post *p, const struct form *in)
{
    p->n = 0;
    p->f = malloc((in && in->n ? in->n : 1) * sizeof *p->f);
    if (!p->f)
        return ERR_NOMEM;
    for (size_t i = 0; in && i < in->n; i++)
        if (!in->fields[i].is_file && in->fields[i].value)
            p->f[p->n++] = &in->fields[i];
    qsort(p->f, p->n, sizeof *p->f, post_cmp);
    return 0;
}

/* Index of the first entry whose name is >= name. */
static size_t post_lower(const struct post *p, const char *name)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->f[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const char *post_get(const struct post *p, const char *name)
{
    size_t i = post_lower(p, name);
    return i < p->n && strcmp(p->f[i]->name, name) == 0 ? p->f[i]->value : NULL;
}

static const struct form_upload *upload_get(const struct form_upload *u, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (u[i].field && strcmp(u[i].field, name) == 0)
            return &u[i];
    return NULL;
}

/* Copies z without leading/trailing whitespace; single-line fields get line
 * breaks and tabs as spaces, textareas get CRLF as LF. */
static json_t *clean_text(const char *z, bool multiline)
{
    while (*z == ' ' || *z == '\t' || *z == '\r' || *z == '\n')
        z++;
    size_t n = strlen(z);
    while (n && (z[n - 1] == ' ' || z[n - 1] == '\t' || z[n - 1] == '\r' || z[n - 1] == '\n'))
        n--;
    if (n == 0)
        return NULL;
    char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = z[i];
        if (ch == '\r') {
            if (i + 1 < n && z[i + 1] == '\n')
                continue;
            ch = '\n';
        }
        if (!multiline && (ch == '\n' || ch == '\t'))
            ch = ' ';
        buf[k++] = ch;
    }
    json_t *v = json_stringn(buf, k);
    free(buf);
    return v;
}

/* Parses a number written the German or the English way: "12", "-3,5",
 * "1.234,56", "1234.5". NULL when it is not a number. */
static json_t *parse_number(const char *z)
{
    char buf[64];
    size_t n = 0, commas = 0, dots = 0, len = strlen(z);
    char last = 0;
    /* A trailing euro sign is what people write after an amount. */
    while (len && z[len - 1] == ' ')
        len--;
    if (len >= 3 && memcmp(z + len - 3, "\xe2\x82\xac", 3) == 0)
        len -= 3;
    for (const char *p = z; p < z + len; p++) {
        if (*p == ' ')
            continue;
        if (n + 1 >= sizeof buf)
            return NULL;
        if (*p == ',' || *p == '.') {
            *p == ',' ? commas++ : dots++;
            last = *p;
        } else if (!isdigit((unsigned char)*p) && !((*p == '-' || *p == '+') && n == 0)) {
            return NULL;
        }
        buf[n++] = *p;
    }
    buf[n] = '\0';
    /* Which character separates the decimals: the last of two kinds, or the
     * only one when it appears once; several of one kind group thousands. */
    char dec = 0;
    if (commas && dots)
        dec = last;
    else if (commas == 1)
        dec = ',';
    else if (dots == 1)
        dec = '.';
    /* German writing: one point before exactly three digits groups thousands
     * ("250.000" is 250000), unless the number starts with "0." or a sign and
     * "0.". Decimals are then written with a comma. */
    if (dec == '.' && !commas) {
        const char *dot = strchr(buf, '.');
        const char *int_part = buf + (buf[0] == '-' || buf[0] == '+');
        if (strlen(dot + 1) == 3 && dot > int_part && *int_part != '0')
            dec = 0;
    }
    if ((dec == ',' && commas > 1) || (dec == '.' && dots > 1))
        return NULL;
    char num[64];
    size_t k = 0;
    bool digit = false, frac = false;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c == dec) {
            num[k++] = '.';
            frac = true;
        } else if (c == ',' || c == '.') {
            /* A grouping character stands before the decimals and exactly
             * three digits, and after at least one. */
            if (frac || i == 0 || !isdigit((unsigned char)buf[i - 1]))
                return NULL;
            for (size_t j = 1; j <= 3; j++)
                if (i + j >= n || !isdigit((unsigned char)buf[i + j]))
                    return NULL;
            if (i + 4 < n && isdigit((unsigned char)buf[i + 4]))
                return NULL;
        } else {
            digit |= isdigit((unsigned char)c) != 0;
            num[k++] = c;
        }
    }
    num[k] = '\0';
    if (!digit)
        return NULL;
    char *end;
    double x = strtod(num, &end);
    if (*end || !isfinite(x) || fabs(x) > FORM_NUMBER_MAX)
        return NULL;
    if (x == floor(x))
        return json_integer((json_int_t)x);
    return json_real(x);
}

/* The new value of field f (HTML name name) from the POST body; old is the
 * value kept so far (files stay when nothing new was uploaded). NULL means
 * absent; *ret_nomem is set when memory ran out. */
static json_t *new_value(const struct form__field *f, const char *name, const struct post *p,
                         const struct form_upload *up, size_t nup, const json_t *old,
                         bool *ret_nomem)
{
    json_t *v = NULL;
    const char *raw = NULL;
    char iso[11];
    switch (f->type) {
    case FORM__FILE: {
        const struct form_upload *u = upload_get(up, nup, name);
        if (u) {
            v = json_pack("{s:s, s:s, s:I, s:s}", "name", u->name ? u->name : "", "mime",
                          u->mime ? u->mime : "application/octet-stream", "size",
                          (json_int_t)u->size, "sha256", u->sha256 ? u->sha256 : "");
        } else if (old) {
            v = json_deep_copy(old);
        } else {
            return NULL;
        }
        break;
    }
    case FORM__CHECKBOX:
        if (f->n_opts == 0) {
            raw = post_get(p, name);
            v = (raw && *raw) ? json_true() : json_false();
            break;
        }
        v = json_array();
        for (size_t i = post_lower(p, name); v && i < p->n && strcmp(p->f[i]->name, name) == 0;
             i++) {
            const char *z = p->f[i]->value;
            bool dup = false;
            size_t k;
            json_t *e;
            if (!*z)
                continue;
            json_array_foreach(v, k, e)
            {
                dup = dup || strcmp(json_string_value(e), z) == 0;
            }
            if (!dup && json_array_append_new(v, json_string(z))) {
                json_decref(v);
                v = NULL;
            }
        }
        if (v && json_array_size(v) == 0) {
            json_decref(v);
            return NULL;
        }
        break;
    default:
        raw = post_get(p, name);
        if (!raw)
            return NULL;
        v = clean_text(raw, f->type == FORM__TEXTAREA);
        if (!v) {
            /* Empty after trimming (or out of memory: told apart below). */
            const char *z = raw;
            while (*z == ' ' || *z == '\t' || *z == '\r' || *z == '\n')
                z++;
            if (*z)
                *ret_nomem = true;
            return NULL;
        }
        const char *z = json_string_value(v);
        json_t *typed = NULL;
        if (f->type == FORM__NUMBER) {
            typed = parse_number(z);
        } else if (f->type == FORM__DATE) {
            if (form_date_parse(z, iso))
                typed = json_string(iso);
        } else if (f->type == FORM__IBAN) {
            char canon[64];
            if (form__iban_canonical(z, canon, sizeof canon))
                typed = json_string(canon);
        } else if (f->type == FORM__YESNO) {
            if (strcmp(z, "ja") == 0 || strcmp(z, "true") == 0)
                typed = json_true();
            else if (strcmp(z, "nein") == 0 || strcmp(z, "false") == 0)
                typed = json_false();
        }
        if (typed) {
            json_decref(v);
            v = typed;
        }
        break;
    }
    if (!v)
        *ret_nomem = true;
    return v;
}

/* Whether an entry of a repeatable group holds nothing the applicant entered
 * (an unticked single checkbox does not count). */
static bool entry_empty(const json_t *entry)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)entry, key, v)
    {
        (void)key;
        if (!json_is_false(v))
            return false;
    }
    return true;
}

/* The entry index in name "<group>.<i>.<field>" (prefix = "<group>."),
 * or -1. */
static long entry_index(const char *name, const char *prefix, size_t plen)
{
    if (!name || strncmp(name, prefix, plen) != 0)
        return -1;
    long idx = 0;
    int nd = 0;
    const char *q = name + plen;
    while (isdigit((unsigned char)*q) && nd < 4) {
        idx = idx * 10 + (*q++ - '0');
        nd++;
    }
    return nd == 0 || *q != '.' || idx >= FORM_MAX_REPEAT ? -1 : idx;
}

/* The largest entry index + 1 named in the body or the uploads for group g
 * ("g.<i>.<field>"), at most FORM_MAX_REPEAT. */
static size_t entries_sent(const struct form__group *g, const struct post *p,
                           const struct form_upload *up, size_t nup)
{
    char prefix[80];
    size_t plen = (size_t)snprintf(prefix, sizeof prefix, "%s.", g->id), n = 0;
    long idx;
    for (size_t i = post_lower(p, prefix); i < p->n; i++) {
        if (strncmp(p->f[i]->name, prefix, plen) != 0)
            break; /* sorted: no more names with this prefix */
        if ((idx = entry_index(p->f[i]->name, prefix, plen)) >= 0 && (size_t)idx + 1 > n)
            n = (size_t)idx + 1;
    }
    for (size_t i = 0; i < nup; i++)
        if ((idx = entry_index(up[i].field, prefix, plen)) >= 0 && (size_t)idx + 1 > n)
            n = (size_t)idx + 1;
    return n;
}

/* Takes the values of group g from the body into data. */
static int collect_group(const struct form_def *d, size_t g, const struct post *p,
                         const struct form_upload *up, size_t nup, json_t *data)
{
    const struct form__group *gr = &d->groups[g];
    bool nomem = false;
    if (!gr->repeat) {
        for (size_t k = 0; k < gr->n; k++) {
            const struct form__field *f = &d->fields[gr->first + k];
            json_t *v = new_value(f, f->id, p, up, nup, json_object_get(data, f->id), &nomem);
            if (nomem)
                return ERR_NOMEM;
            if (v ? json_object_set_new(data, f->id, v) : (json_object_del(data, f->id), 0))
                return ERR_NOMEM;
        }
        return 0;
    }
    const json_t *old = json_object_get(data, gr->id);
    size_t n = entries_sent(gr, p, up, nup);
    json_t *arr = json_array();
    struct str name;
    int rc = 0;
    str_init(&name, 0);
    if (!arr)
        return ERR_NOMEM;
    /* The remove button names the entry as it was shown, so it is skipped
     * here, before empty entries close up the indices. */
    long skip = -1;
    const char *rm = post_get(p, FORM_REMOVE_BUTTON);
    size_t len = strlen(gr->id);
    if (rm && strncmp(rm, gr->id, len) == 0 && rm[len] == '.' &&
        str_to_long(rm + len + 1, 0, FORM_MAX_REPEAT - 1, &skip))
        skip = -1;
    for (size_t i = 0; i < n; i++) {
        if ((long)i == skip)
            continue;
        json_t *entry = json_object();
        const json_t *old_entry = json_array_get(old, i);
        if (!entry) {
            rc = ERR_NOMEM;
            goto done;
        }
        for (size_t k = 0; k < gr->n; k++) {
            const struct form__field *f = &d->fields[gr->first + k];
            str_reset(&name);
            str_addf(&name, "%s.%zu.%s", gr->id, i, f->id);
            json_t *v =
                new_value(f, name.buf, p, up, nup, json_object_get(old_entry, f->id), &nomem);
            if (nomem || name.err || (v && json_object_set_new(entry, f->id, v))) {
                json_decref(entry);
                rc = ERR_NOMEM;
                goto done;
            }
        }
        if (entry_empty(entry)) {
            json_decref(entry);
            continue;
        }
        if (json_array_append_new(arr, entry)) {
            rc = ERR_NOMEM;
            goto done;
        }
    }
    while (json_array_size(arr) < gr->rmin)
        if (json_array_append_new(arr, json_object())) {
            rc = ERR_NOMEM;
            goto done;
        }
    if (json_array_size(arr) == 0)
        json_object_del(data, gr->id);
    else if (json_object_set(data, gr->id, arr))
        rc = ERR_NOMEM;
done:
    json_decref(arr);
    str_release(&name);
    return rc;
}

/* The add button of repeatable groups (FORM_ADD_BUTTON); the remove button
 * is handled by collect_group. */
static int collect_add(const struct form_def *d, int step, const struct post *p, json_t *data)
{
    const char *add = post_get(p, FORM_ADD_BUTTON);
    for (size_t g = 0; add && g < d->n_groups; g++) {
        const struct form__group *gr = &d->groups[g];
        if (!gr->repeat || (step >= 0 && gr->step != (size_t)step) || strcmp(add, gr->id) != 0)
            continue;
        json_t *arr = json_object_get(data, gr->id);
        if (!json_is_array(arr)) {
            arr = json_array();
            if (!arr || json_object_set_new(data, gr->id, arr))
                return ERR_NOMEM;
        }
        if (json_array_size(arr) < gr->rmax && json_array_append_new(arr, json_object()))
            return ERR_NOMEM;
    }
    return 0;
}

/* Drops hidden fields, hidden groups and keys the form does not know. */
static void drop_hidden(const struct form_def *d, json_t *data)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(data, tmp, key, v)
    {
        size_t f = form__field_find(d, key);
        bool keep = f != FORM__NONE && !d->groups[d->fields[f].group].repeat;
        for (size_t g = 0; g < d->n_groups && !keep && f == FORM__NONE; g++)
            keep = d->groups[g].repeat && strcmp(d->groups[g].id, key) == 0;
        if (!keep)
            json_object_del(data, key);
    }
    for (size_t g = 0; g < d->n_groups; g++) {
        const struct form__group *gr = &d->groups[g];
        if (!gr->repeat) {
            for (size_t k = 0; k < gr->n; k++)
                if (!form__field_visible(d, data, NULL, gr->first + k))
                    json_object_del(data, d->fields[gr->first + k].id);
            continue;
        }
        json_t *arr = json_object_get(data, gr->id);
        if (!form__group_visible(d, data, g) || !json_is_array(arr)) {
            json_object_del(data, gr->id);
            continue;
        }
        size_t i;
        json_t *entry;
        json_array_foreach(arr, i, entry)
        {
            if (!json_is_object(entry))
                continue;
            for (size_t k = 0; k < gr->n; k++)
                if (!form__field_visible(d, data, entry, gr->first + k))
                    json_object_del(entry, d->fields[gr->first + k].id);
        }
    }
}

int form_collect(const struct form_def *d, int step, const struct form *in,
                 const struct form_upload *uploads, size_t n, json_t *data, json_t **ret_errors)
{
    struct post p = {0};
    int rc;
    if (step < -1 || (step >= 0 && (size_t)step >= d->n_steps) || !json_is_object(data))
        return ERR_INVALID;
    if ((rc = post_init(&p, in)))
        goto done;
    for (size_t g = 0; g < d->n_groups; g++) {
        if (step >= 0 && d->groups[g].step != (size_t)step)
            continue;
        if ((rc = collect_group(d, g, &p, uploads, n, data)))
            goto done;
    }
    if ((rc = collect_add(d, step, &p, data)))
        goto done;
    drop_hidden(d, data);
    rc = form__check_run(d, step, data, false, ret_errors);
done:
    free(p.f);
    return rc;
}
