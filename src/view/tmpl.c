/* The template engine: a one-pass parser that turns template source into a
 * flat array of nodes (sections know where their body ends), and a renderer
 * that walks that array with a fixed-size context stack on the C stack.
 * All names and text live in one pool per template, so rendering touches
 * only two arrays and allocates nothing but the output. */
#include "view/tmpl.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(TMPL_MAX_NAME < 256, "segment lengths are stored in one byte");

enum node_kind {
    NODE_TEXT,     /* literal text: pool[a .. a + b) */
    NODE_VAR,      /* {{name}}: escaped value */
    NODE_RAW,      /* {{{name}}} or {{&name}}: raw value */
    NODE_SECTION,  /* {{#name}}: body is nodes (i, end) */
    NODE_INVERTED, /* {{^name}}: body is nodes (i, end) */
    NODE_PARTIAL,  /* {{> name}}: name at pool[a], NUL-terminated */
};

/* For values and sections, pool[a] holds the b segments of the dotted name
 * one after another, each as a length byte and that many bytes, so lookups
 * need no strlen; b == 0 means "." (the current context). */
struct node {
    uint32_t kind; /* enum node_kind */
    uint32_t a;    /* pool offset of the text or the name */
    uint32_t b;    /* text length or number of name segments */
    uint32_t end;  /* sections: index of the first node after the body */
};

struct tmpl {
    char *name;         /* from tmpl_parse, never NULL */
    char *pool;         /* text and names */
    struct node *nodes; /* the template, in source order */
    size_t n_nodes;     /* entries in nodes */
    uint32_t *partials; /* pool offsets of the partial names, source order */
    size_t n_partials;  /* entries in partials */
};

/* ------------------------------------------------------------------ parse */

/* One open section while parsing. */
struct open_section {
    size_t node;     /* index of the section node */
    size_t tag_pos;  /* source offset of its "{{", for error messages */
    size_t name_pos; /* source offset of its name */
    size_t name_len; /* length of its name */
};

struct parser {
    const char *name;                         /* template name for messages */
    const char *src;                          /* source */
    size_t len;                               /* source length */
    struct str pool;                          /* grows into tmpl.pool */
    struct node *nodes;                       /* grows into tmpl.nodes */
    size_t n_nodes;                           /* entries used in nodes */
    size_t alloc_nodes;                       /* entries allocated in nodes */
    uint32_t *partials;                       /* grows into tmpl.partials */
    size_t n_partials;                        /* entries used in partials */
    size_t alloc_partials;                    /* entries allocated in partials */
    struct open_section open[TMPL_MAX_DEPTH]; /* stack of open sections */
    size_t n_open;                            /* entries in open */
    struct str *errmsg;                       /* caller's, may be NULL */
};

/* Writes "Vorlage „name“, Zeile L, Spalte C: <message>" into the caller's
 * errmsg and returns code. Columns count UTF-8 characters, not bytes. */
__attribute__((format(printf, 4, 5))) static int perr(struct parser *p, size_t pos, int code,
                                                      const char *fmt, ...)
{
    size_t line = 1;
    size_t col = 1;
    va_list ap;

    if (!p->errmsg)
        return code;
    for (size_t i = 0; i < pos && i < p->len; i++) {
        unsigned char c = (unsigned char)p->src[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    str_reset(p->errmsg);
    str_addf(p->errmsg, "Vorlage „%s“, Zeile %zu, Spalte %zu: ", p->name, line, col);
    va_start(ap, fmt);
    str_vaddf(p->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

static int grow(void **arr, size_t *alloc, size_t need, size_t size)
{
    size_t n;
    void *q;

    if (need <= *alloc)
        return 0;
    n = *alloc ? *alloc * 2 : 16;
    while (n < need)
        n *= 2;
    q = realloc(*arr, n * size);
    if (!q)
        return ERR_NOMEM;
    *arr = q;
    *alloc = n;
    return 0;
}

static int add_node(struct parser *p, enum node_kind kind, uint32_t a, uint32_t b)
{
    void *arr = p->nodes;
    int rc = grow(&arr, &p->alloc_nodes, p->n_nodes + 1, sizeof(struct node));

    p->nodes = arr;
    if (rc < 0)
        return rc;
    p->nodes[p->n_nodes++] = (struct node){.kind = kind, .a = a, .b = b, .end = 0};
    return 0;
}

static int add_text(struct parser *p, size_t from, size_t to)
{
    uint32_t off = (uint32_t)p->pool.len;

    if (from >= to)
        return 0;
    if (str_add(&p->pool, p->src + from, to - from) < 0)
        return p->pool.err;
    return add_node(p, NODE_TEXT, off, (uint32_t)(to - from));
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Checks the name at src[pos .. pos + n) and stores it in the pool: as
 * length-prefixed segments for values and sections, as one NUL-terminated
 * string for partials. Sets *ret_off and *ret_nseg. */
static int store_name(struct parser *p, size_t pos, size_t n, bool partial, uint32_t *ret_off,
                      uint32_t *ret_nseg)
{
    const char *s = p->src + pos;
    uint32_t nseg = 1;
    uint32_t off = (uint32_t)p->pool.len;

    if (n == 0)
        return perr(p, pos, ERR_INVALID, "leerer Name");
    if (n > TMPL_MAX_NAME)
        return perr(p, pos, ERR_TOOBIG, "Name länger als %d Bytes", TMPL_MAX_NAME);
    if (!partial && n == 1 && s[0] == '.') {
        *ret_off = off;
        *ret_nseg = 0;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_name_char(c) || (partial && c == '/' && i > 0))
            continue;
        if (c == '.') {
            /* No leading, doubled or (in values) trailing dots: "a..b" and
             * "../x" must not reach a partial resolver. */
            if (i == 0 || s[i - 1] == '.' || (!partial && i + 1 == n))
                return perr(p, pos + i, ERR_INVALID, "ungültiger Punkt im Namen „%.*s“", (int)n, s);
            nseg++;
            continue;
        }
        if ((unsigned char)c >= 0x21 && (unsigned char)c < 0x7F)
            return perr(p, pos + i, ERR_INVALID, "ungültiges Zeichen „%c“ im Namen", c);
        return perr(p, pos + i, ERR_INVALID, "ungültiges Zeichen (Byte 0x%02X) im Namen",
                    (unsigned)(unsigned char)c);
    }
    if (partial) {
        nseg = 1;
        str_add(&p->pool, s, n);
        str_addc(&p->pool, '\0');
    } else {
        /* TMPL_MAX_NAME < 256, so every segment length fits its byte. */
        for (size_t i = 0; i < n;) {
            size_t k = i;
            while (k < n && s[k] != '.')
                k++;
            str_addc(&p->pool, (char)(unsigned char)(k - i));
            str_add(&p->pool, s + i, k - i);
            i = k + 1;
        }
    }
    if (p->pool.err)
        return p->pool.err;
    *ret_off = off;
    *ret_nseg = nseg;
    return 0;
}

/* Finds the first occurrence of needle (n bytes) in src[from .. len). */
static bool find(const char *src, size_t len, size_t from, const char *needle, size_t n,
                 size_t *ret)
{
    while (from + n <= len) {
        const char *q = memchr(src + from, needle[0], len - from - n + 1);
        if (!q)
            return false;
        from = (size_t)(q - src);
        if (memcmp(q, needle, n) == 0) {
            *ret = from;
            return true;
        }
        from++;
    }
    return false;
}

/* Decides whether the tag src[open .. tag_end) stands alone on its line,
 * given that the text since the previous tag starts at text_start. If so,
 * sets *ret_left to where the blanks before the tag begin and *ret_next to
 * the first byte after the line break following it. */
static bool standalone(const struct parser *p, size_t text_start, size_t open, size_t tag_end,
                       size_t *ret_left, size_t *ret_next)
{
    const char *s = p->src;
    size_t l = open;
    size_t r = tag_end;

    while (l > text_start && (s[l - 1] == ' ' || s[l - 1] == '\t'))
        l--;
    if (l > 0 && s[l - 1] != '\n')
        return false;
    while (r < p->len && (s[r] == ' ' || s[r] == '\t'))
        r++;
    if (r < p->len) {
        if (s[r] == '\n')
            r++;
        else if (s[r] == '\r' && r + 1 < p->len && s[r + 1] == '\n')
            r += 2;
        else
            return false;
    }
    *ret_left = l;
    *ret_next = r;
    return true;
}

static int parse(struct parser *p)
{
    size_t text_start = 0; /* first byte of text not yet emitted */
    size_t pos = 0;        /* where to look for the next tag */
    size_t open;
    int rc;

    while (find(p->src, p->len, pos, "{{", 2, &open)) {
        size_t q = open + 2;
        size_t close, tag_end, name_pos, name_end;
        char sigil = 0;
        const char *closer = "}}";
        enum node_kind kind = NODE_VAR;
        size_t left, next;

        if (q < p->len && p->src[q] != '\0' && strchr("{&#^/!>=", p->src[q]))
            sigil = p->src[q++];
        if (sigil == '{') {
            closer = "}}}";
            kind = NODE_RAW;
        } else if (sigil == '&') {
            kind = NODE_RAW;
        } else if (sigil == '#') {
            kind = NODE_SECTION;
        } else if (sigil == '^') {
            kind = NODE_INVERTED;
        } else if (sigil == '>') {
            kind = NODE_PARTIAL;
        } else if (sigil == '=') {
            return perr(p, open, ERR_INVALID, "Wechsel der Begrenzer wird nicht unterstützt");
        }
        if (!find(p->src, p->len, q, closer, strlen(closer), &close))
            return perr(p, open, ERR_INVALID, "Tag wird nicht geschlossen (fehlendes „%s“)",
                        closer);
        tag_end = close + strlen(closer);

        /* Block tags on a line of their own take the line with them. */
        left = open;
        next = tag_end;
        if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!' || sigil == '>') {
            if (standalone(p, text_start, open, tag_end, &left, &next) && sigil == '>')
                left = open;
        }
        rc = add_text(p, text_start, left);
        if (rc < 0)
            return rc;
        text_start = pos = next;
        if (sigil == '!')
            continue;

        name_pos = q;
        name_end = close;
        while (name_pos < name_end && is_blank(p->src[name_pos]))
            name_pos++;
        while (name_end > name_pos && is_blank(p->src[name_end - 1]))
            name_end--;

        if (sigil == '/') {
            const struct open_section *os;
            size_t n = name_end - name_pos;
            if (p->n_open == 0)
                return perr(p, open, ERR_INVALID, "„{{/%.*s}}“ ohne öffnenden Abschnitt",
                            (int)(n > TMPL_MAX_NAME ? TMPL_MAX_NAME : n), p->src + name_pos);
            os = &p->open[p->n_open - 1];
            if (n != os->name_len || memcmp(p->src + name_pos, p->src + os->name_pos, n) != 0)
                return perr(p, open, ERR_INVALID, "„{{/%.*s}}“ schließt den Abschnitt „%.*s“ nicht",
                            (int)(n > TMPL_MAX_NAME ? TMPL_MAX_NAME : n), p->src + name_pos,
                            (int)os->name_len, p->src + os->name_pos);
            p->nodes[os->node].end = (uint32_t)p->n_nodes;
            p->n_open--;
            continue;
        }

        uint32_t off = 0;
        uint32_t nseg = 0;
        rc = store_name(p, name_pos, name_end - name_pos, kind == NODE_PARTIAL, &off, &nseg);
        if (rc < 0)
            return rc;
        if (kind == NODE_SECTION || kind == NODE_INVERTED) {
            if (p->n_open == TMPL_MAX_DEPTH)
                return perr(p, open, ERR_TOOBIG, "Abschnitte tiefer als %d Ebenen verschachtelt",
                            TMPL_MAX_DEPTH);
            p->open[p->n_open++] = (struct open_section){
                .node = p->n_nodes,
                .tag_pos = open,
                .name_pos = name_pos,
                .name_len = name_end - name_pos,
            };
        }
        if (kind == NODE_PARTIAL) {
            void *arr = p->partials;
            rc = grow(&arr, &p->alloc_partials, p->n_partials + 1, sizeof(uint32_t));
            p->partials = arr;
            if (rc < 0)
                return rc;
            p->partials[p->n_partials++] = off;
        }
        rc = add_node(p, kind, off, nseg);
        if (rc < 0)
            return rc;
    }
    rc = add_text(p, text_start, p->len);
    if (rc < 0)
        return rc;
    if (p->n_open > 0) {
        const struct open_section *os = &p->open[p->n_open - 1];
        return perr(p, os->tag_pos, ERR_INVALID, "Abschnitt „%.*s“ wird nicht geschlossen",
                    (int)os->name_len, p->src + os->name_pos);
    }
    return 0;
}

static char *dup_string(const char *z)
{
    size_t n = strlen(z) + 1;
    char *d = malloc(n);

    if (d)
        memcpy(d, z, n);
    return d;
}

int tmpl_parse(const char *name, const char *src, size_t len, struct tmpl **ret, struct str *errmsg)
{
    struct parser p = {
        .name = name ? name : "",
        .src = src,
        .len = len,
        .errmsg = errmsg,
    };
    struct tmpl *t = NULL;
    int rc;

    str_init(&p.pool, TMPL_MAX_SIZE * 2);
    if (len > TMPL_MAX_SIZE) {
        rc = perr(&p, 0, ERR_TOOBIG, "Vorlage größer als %zu Bytes", TMPL_MAX_SIZE);
        goto done;
    }
    rc = parse(&p);
    if (rc < 0)
        goto done;

    rc = ERR_NOMEM;
    t = calloc(1, sizeof(*t));
    if (!t)
        goto done;
    t->name = dup_string(p.name);
    t->pool = str_detach(&p.pool, NULL);
    if (!t->name || !t->pool)
        goto done;
    t->nodes = p.nodes;
    t->n_nodes = p.n_nodes;
    t->partials = p.partials;
    t->n_partials = p.n_partials;
    p.nodes = NULL;
    p.partials = NULL;
    *ret = t;
    t = NULL;
    rc = 0;
done:
    tmpl_free(t);
    free(p.nodes);
    free(p.partials);
    str_release(&p.pool);
    return rc;
}

void tmpl_free(struct tmpl *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->pool);
    free(t->nodes);
    free(t->partials);
    free(t);
}

const char *tmpl_name(const struct tmpl *t)
{
    return t->name;
}

const char *tmpl_partial_name(const struct tmpl *t, size_t i)
{
    return i < t->n_partials ? t->pool + t->partials[i] : NULL;
}

/* ----------------------------------------------------------------- render */

struct render {
    tmpl_partial_fn partials;                    /* resolver, may be NULL */
    const void *pctx;                            /* its context */
    struct str *out;                             /* output */
    const json_t *stack[2 * TMPL_MAX_DEPTH + 1]; /* contexts, innermost last */
    size_t sp;                                   /* entries in stack */
    size_t depth;                                /* sections and partials entered */
    size_t steps;                                /* nodes visited */
};

/* Looks a name up Mustache-style: the first segment on the context stack
 * from the innermost outwards, the others strictly inside what it found. */
static const json_t *lookup(const struct render *r, const char *name, uint32_t nseg)
{
    const unsigned char *seg = (const unsigned char *)name;
    const json_t *v = NULL;

    if (nseg == 0)
        return r->stack[r->sp - 1];
    for (size_t k = r->sp; k-- > 0;) {
        if (json_is_object(r->stack[k]) &&
            (v = json_object_getn(r->stack[k], (const char *)seg + 1, seg[0])) != NULL)
            break;
    }
    while (--nseg > 0 && v) {
        if (!json_is_object(v))
            return NULL;
        seg += 1 + seg[0];
        v = json_object_getn(v, (const char *)seg + 1, seg[0]);
    }
    return v;
}

static bool truthy(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
    case JSON_TRUE: return true;
    case JSON_ARRAY: return json_array_size(v) > 0;
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0.0;
    case JSON_FALSE:
    case JSON_NULL:
    default: return false;
    }
}

static void emit(struct str *out, const json_t *v, bool escape)
{
    double d;

    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        if (escape)
            str_add_html(out, json_string_value(v), json_string_length(v));
        else
            str_add(out, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER: str_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL:
        /* Integral values within the exact range of a double print as integers. */
        d = json_real_value(v);
        if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(long long)d)
            str_addf(out, "%lld", (long long)d);
        else
            str_addf(out, "%g", d);
        break;
    default: break;
    }
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to);

/* Renders the body of a section or a whole partial one level deeper, with v
 * pushed as context unless it is NULL. */
static int enter(struct render *r, const struct tmpl *t, size_t from, size_t to, const json_t *v)
{
    int rc;

    if (r->depth >= TMPL_MAX_DEPTH)
        return ERR_TOOBIG;
    r->depth++;
    if (v)
        r->stack[r->sp++] = v;
    rc = render_nodes(r, t, from, to);
    if (v)
        r->sp--;
    r->depth--;
    return rc;
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
    size_t i = from;
    int rc = 0;

    while (i < to) {
        const struct node *n = &t->nodes[i];
        const json_t *v;
        const struct tmpl *part;

        if (++r->steps > TMPL_MAX_STEPS)
            return ERR_TOOBIG;
        switch ((enum node_kind)n->kind) {
        case NODE_TEXT:
            str_add(r->out, t->pool + n->a, n->b);
            i++;
            break;
        case NODE_VAR:
        case NODE_RAW:
            emit(r->out, lookup(r, t->pool + n->a, n->b), n->kind == NODE_VAR);
            i++;
            break;
        case NODE_SECTION:
            v = lookup(r, t->pool + n->a, n->b);
            if (json_is_array(v)) {
                size_t len = json_array_size(v);
                for (size_t k = 0; k < len && rc == 0; k++) {
                    if (++r->steps > TMPL_MAX_STEPS)
                        return ERR_TOOBIG;
                    rc = enter(r, t, i + 1, n->end, json_array_get(v, k));
                }
            } else if (truthy(v)) {
                rc = enter(r, t, i + 1, n->end, v);
            }
            i = n->end;
            break;
        case NODE_INVERTED:
            v = lookup(r, t->pool + n->a, n->b);
            if (!truthy(v))
                rc = enter(r, t, i + 1, n->end, NULL);
            i = n->end;
            break;
        case NODE_PARTIAL:
            part = r->partials ? r->partials(r->pctx, t->pool + n->a) : NULL;
            if (!part)
                return ERR_NOTFOUND;
            rc = enter(r, part, 0, part->n_nodes, NULL);
            i++;
            break;
        }
        if (rc < 0)
            return rc;
        if (r->out->err)
            return r->out->err;
    }
    return 0;
}

int tmpl_render_stack(const struct tmpl *t, const json_t *const *stack, size_t n,
                      tmpl_partial_fn partials, const void *pctx, struct str *out)
{
    struct render r;

    if (n < 1 || n > TMPL_MAX_DEPTH)
        return ERR_INVALID;
    r.partials = partials;
    r.pctx = pctx;
    r.out = out;
    r.sp = n;
    r.depth = 0;
    r.steps = 0;
    memcpy(r.stack, stack, n * sizeof(*stack));
    return render_nodes(&r, t, 0, t->n_nodes);
}

int tmpl_render(const struct tmpl *t, const json_t *data, tmpl_partial_fn partials,
                const void *pctx, struct str *out)
{
    return tmpl_render_stack(t, &data, 1, partials, pctx, out);
}
