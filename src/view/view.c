/* The template registry: a sorted array of (key, compiled template) where the
 * key is the file name without ".html", searched by binary search. After
 * view_init nothing changes, which is what makes concurrent rendering safe. */
#include "view/view.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "view/tmpl.h"

#define HTML_SUFFIX ".html"
#define HTML_SUFFIX_LEN (sizeof(HTML_SUFFIX) - 1)

struct view_entry {
    char *key;      /* file name without ".html", NUL-terminated */
    size_t key_len; /* length of key */
    struct tmpl *t; /* compiled template */
};

struct view {
    struct view_entry *entries; /* sorted by key in byte order */
    size_t n;                   /* entries used */
    const struct tmpl *layout;  /* VIEW_LAYOUT, or NULL when the table has none */
};

static bool has_html_suffix(const char *name, size_t len)
{
    return len >= HTML_SUFFIX_LEN &&
           memcmp(name + len - HTML_SUFFIX_LEN, HTML_SUFFIX, HTML_SUFFIX_LEN) == 0;
}

static int cmp_key(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int cmp_entries(const void *a, const void *b)
{
    const struct view_entry *x = a;
    const struct view_entry *y = b;

    return cmp_key(x->key, x->key_len, y->key, y->key_len);
}

const struct tmpl *view_get(const struct view *v, const char *name)
{
    size_t len = strlen(name);
    size_t lo = 0;
    size_t hi = v->n;

    if (has_html_suffix(name, len))
        len -= HTML_SUFFIX_LEN;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct view_entry *e = &v->entries[mid];
        int c = cmp_key(name, len, e->key, e->key_len);
        if (c == 0)
            return e->t;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static const struct tmpl *resolve_partial(const void *ctx, const char *name)
{
    return view_get(ctx, name);
}

void view_free(struct view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->entries[i].key);
        tmpl_free(v->entries[i].t);
    }
    free(v->entries);
    free(v);
}

/* Fails when a key appears twice or a partial names no template. */
static int check(const struct view *v, struct str *errmsg)
{
    for (size_t i = 0; i < v->n; i++) {
        const struct view_entry *e = &v->entries[i];
        const char *pname;

        if (i > 0 && cmp_entries(&v->entries[i - 1], e) == 0) {
            if (errmsg) {
                str_reset(errmsg);
                str_addf(errmsg, "Vorlage „%s“ ist doppelt vorhanden", tmpl_name(e->t));
            }
            return ERR_INVALID;
        }
        for (size_t k = 0; (pname = tmpl_partial_name(e->t, k)) != NULL; k++) {
            if (view_get(v, pname))
                continue;
            if (errmsg) {
                str_reset(errmsg);
                str_addf(errmsg, "Vorlage „%s“ bindet die unbekannte Teilvorlage „%s“ ein",
                         tmpl_name(e->t), pname);
            }
            return ERR_INVALID;
        }
    }
    return 0;
}

int view_init(struct view **ret, const struct embed_file *files, size_t n, struct str *errmsg)
{
    struct view *v = calloc(1, sizeof(*v));
    size_t n_html = 0;
    int rc = ERR_NOMEM;

    if (!v)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (has_html_suffix(files[i].name, strlen(files[i].name)))
            n_html++;
    v->entries = calloc(n_html ? n_html : 1, sizeof(*v->entries));
    if (!v->entries)
        goto done;

    for (size_t i = 0; i < n; i++) {
        const struct embed_file *f = &files[i];
        size_t len = strlen(f->name);
        struct view_entry *e = &v->entries[v->n];

        if (!has_html_suffix(f->name, len))
            continue;
        e->key_len = len - HTML_SUFFIX_LEN;
        e->key = malloc(e->key_len + 1);
        if (!e->key)
            goto done;
        memcpy(e->key, f->name, e->key_len);
        e->key[e->key_len] = '\0';
        v->n++;
        rc = tmpl_parse(f->name, (const char *)f->data, f->len, &e->t, errmsg);
        if (rc < 0)
            goto done;
    }
    qsort(v->entries, v->n, sizeof(*v->entries), cmp_entries);
    rc = check(v, errmsg);
    if (rc < 0)
        goto done;
    v->layout = view_get(v, VIEW_LAYOUT);
    *ret = v;
    v = NULL;
    rc = 0;
done:
    view_free(v);
    return rc;
}

int view_render(const struct view *v, const char *name, const json_t *data, struct str *out)
{
    const struct tmpl *t = view_get(v, name);

    if (!t)
        return ERR_NOTFOUND;
    return tmpl_render(t, data, resolve_partial, v, out);
}

int view_render_page(const struct view *v, const char *name, const json_t *data, struct str *out)
{
    struct str body;
    json_t *over = NULL;
    json_t *content;
    const json_t *stack[2];
    int rc;

    str_init(&body, out->cap);
    if (!v->layout) {
        rc = ERR_NOTFOUND;
        goto done;
    }
    rc = view_render(v, name, data, &body);
    if (rc < 0)
        goto done;

    /* The page goes into a small object laid over data, so the caller's data
     * stays untouched and shareable between threads. */
    rc = ERR_NOMEM;
    over = json_object();
    content = json_stringn_nocheck(body.buf, body.len);
    if (!over || json_object_set_new_nocheck(over, "content", content) < 0)
        goto done;
    stack[0] = data;
    stack[1] = over;
    rc = tmpl_render_stack(v->layout, stack, 2, resolve_partial, v, out);
done:
    json_decref(over);
    str_release(&body);
    return rc;
}
