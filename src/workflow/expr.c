/* The condition language of exclusive gateways: a hand-written lexer and
 * recursive-descent parser into a small tree, and its evaluation over the
 * case data. No allocation happens during evaluation. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

enum node_kind {
    N_OR,
    N_AND,
    N_NOT,
    N_CMP,
    N_NUM,
    N_STR,
    N_BOOL,
    N_PATH,
};

enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct node {
    enum node_kind kind; /* what it is */
    enum cmp_op op;      /* N_CMP: the comparison */
    struct node *a, *b;  /* operands (N_NOT: a only) */
    double num;          /* N_NUM: value; N_BOOL: 0 or 1 */
    char *str;           /* N_STR: value; N_PATH: the dotted path */
};

struct wf_expr {
    struct node *root; /* the tree */
};

struct parser {
    const char *p;   /* the condition */
    size_t n;        /* its length */
    size_t i;        /* read position */
    size_t base;     /* offset of p in the original text (after "${") */
    int depth;       /* current nesting */
    int rc;          /* first error, 0 while fine */
    struct str *err; /* message target, may be NULL */
};

static void node_free(struct node *n)
{
    if (!n)
        return;
    node_free(n->a);
    node_free(n->b);
    free(n->str);
    free(n);
}

static void fail(struct parser *ps, int rc, const char *what)
{
    if (ps->rc)
        return;
    ps->rc = rc;
    if (ps->err) {
        str_reset(ps->err);
        (void)str_addf(ps->err, "Bedingung: %s an Stelle %zu", what, ps->base + ps->i + 1);
    }
}

static struct node *mk(struct parser *ps, enum node_kind k)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        fail(ps, ERR_NOMEM, "zu wenig Speicher");
    else
        n->kind = k;
    return n;
}

static void skip_ws(struct parser *ps)
{
    while (ps->i < ps->n && isspace((unsigned char)ps->p[ps->i]))
        ps->i++;
}

static bool is_name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* True when the word w stands at the read position (not followed by a name
 * character); consumes it then. */
static bool accept_word(struct parser *ps, const char *w)
{
    skip_ws(ps);
    size_t k = strlen(w);
    if (ps->n - ps->i < k || memcmp(ps->p + ps->i, w, k) != 0)
        return false;
    if (ps->i + k < ps->n && is_name_char(ps->p[ps->i + k]))
        return false;
    ps->i += k;
    return true;
}

/* True when the symbol s stands at the read position; consumes it then. */
static bool accept_sym(struct parser *ps, const char *s)
{
    skip_ws(ps);
    size_t k = strlen(s);
    if (ps->n - ps->i < k || memcmp(ps->p + ps->i, s, k) != 0)
        return false;
    ps->i += k;
    return true;
}

static bool is_keyword(const char *p, size_t k)
{
    static const char *const kw[] = {"and", "or", "not", "true", "false", "date"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == k && memcmp(kw[i], p, k) == 0)
            return true;
    return false;
}

static struct node *parse_or(struct parser *ps);

static char *parse_string(struct parser *ps)
{
    char q = ps->p[ps->i++];
    struct str s;
    str_init(&s, WF_EXPR_MAX_LEN + 1);
    for (;;) {
        if (ps->i >= ps->n) {
            str_release(&s);
            fail(ps, ERR_INVALID, "Zeichenkette ohne schließendes Anführungszeichen");
            return NULL;
        }
        char c = ps->p[ps->i++];
        if (c == q)
            break;
        if (c == '\\' && ps->i < ps->n)
            c = ps->p[ps->i++];
        if (str_addc(&s, c)) {
            str_release(&s);
            fail(ps, ERR_NOMEM, "zu wenig Speicher");
            return NULL;
        }
    }
    char *z = str_detach(&s, NULL);
    if (!z)
        fail(ps, ERR_NOMEM, "zu wenig Speicher");
    return z;
}

static bool valid_date(const char *z)
{
    if (strlen(z) != 10 || z[4] != '-' || z[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)z[i]))
            return false;
    int mon = (z[5] - '0') * 10 + (z[6] - '0');
    int day = (z[8] - '0') * 10 + (z[9] - '0');
    return mon >= 1 && mon <= 12 && day >= 1 && day <= 31;
}

static struct node *parse_operand(struct parser *ps)
{
    skip_ws(ps);
    if (ps->i >= ps->n) {
        fail(ps, ERR_INVALID, "Wert oder Variable erwartet, aber die Bedingung endet");
        return NULL;
    }
    char c = ps->p[ps->i];
    if (c == '(') {
        ps->i++;
        if (++ps->depth > WF_EXPR_MAX_DEPTH) {
            fail(ps, ERR_TOOBIG, "zu tief geschachtelt");
            return NULL;
        }
        struct node *n = parse_or(ps);
        ps->depth--;
        if (n && !accept_sym(ps, ")")) {
            fail(ps, ERR_INVALID, "„)“ erwartet");
            node_free(n);
            return NULL;
        }
        return n;
    }
    if (c == '\'' || c == '"') {
        char *z = parse_string(ps);
        if (!z)
            return NULL;
        struct node *n = mk(ps, N_STR);
        if (!n) {
            free(z);
            return NULL;
        }
        n->str = z;
        return n;
    }
    if (isdigit((unsigned char)c) ||
        (c == '-' && ps->i + 1 < ps->n && isdigit((unsigned char)ps->p[ps->i + 1]))) {
        size_t j = ps->i + 1;
        while (j < ps->n && (isdigit((unsigned char)ps->p[j]) || ps->p[j] == '.'))
            j++;
        char buf[64];
        if (j - ps->i >= sizeof buf) {
            fail(ps, ERR_INVALID, "Zahl zu lang");
            return NULL;
        }
        memcpy(buf, ps->p + ps->i, j - ps->i);
        buf[j - ps->i] = '\0';
        char *end;
        double v = strtod(buf, &end);
        if (*end || !isfinite(v)) {
            fail(ps, ERR_INVALID, "ungültige Zahl");
            return NULL;
        }
        if (j < ps->n && is_name_char(ps->p[j])) {
            ps->i = j;
            fail(ps, ERR_INVALID, "ungültige Zahl");
            return NULL;
        }
        ps->i = j;
        struct node *n = mk(ps, N_NUM);
        if (n)
            n->num = v;
        return n;
    }
    bool is_true = accept_word(ps, "true");
    if (is_true || accept_word(ps, "false")) {
        struct node *n = mk(ps, N_BOOL);
        if (n)
            n->num = is_true ? 1 : 0;
        return n;
    }
    if (accept_word(ps, "date")) {
        if (!accept_sym(ps, "(")) {
            fail(ps, ERR_INVALID, "„(“ nach date erwartet");
            return NULL;
        }
        skip_ws(ps);
        if (ps->i >= ps->n || (ps->p[ps->i] != '\'' && ps->p[ps->i] != '"')) {
            fail(ps, ERR_INVALID, "Datum in Anführungszeichen erwartet ('JJJJ-MM-TT')");
            return NULL;
        }
        size_t at = ps->i;
        char *z = parse_string(ps);
        if (!z)
            return NULL;
        if (!valid_date(z)) {
            free(z);
            ps->i = at;
            fail(ps, ERR_INVALID, "ungültiges Datum, erwartet 'JJJJ-MM-TT'");
            return NULL;
        }
        if (!accept_sym(ps, ")")) {
            free(z);
            fail(ps, ERR_INVALID, "„)“ erwartet");
            return NULL;
        }
        struct node *n = mk(ps, N_STR);
        if (!n) {
            free(z);
            return NULL;
        }
        n->str = z;
        return n;
    }
    if (is_name_start(c)) {
        size_t start = ps->i;
        int parts = 0;
        for (;;) {
            size_t w = ps->i;
            if (ps->i >= ps->n || !is_name_start(ps->p[ps->i])) {
                fail(ps, ERR_INVALID, "Name nach „.“ erwartet");
                return NULL;
            }
            while (ps->i < ps->n && is_name_char(ps->p[ps->i]))
                ps->i++;
            if (is_keyword(ps->p + w, ps->i - w)) {
                ps->i = w;
                fail(ps, ERR_INVALID, "Schlüsselwort an Stelle eines Namens");
                return NULL;
            }
            if (++parts > WF_EXPR_MAX_PATH) {
                fail(ps, ERR_TOOBIG, "Variablenpfad zu lang");
                return NULL;
            }
            if (ps->i < ps->n && ps->p[ps->i] == '.')
                ps->i++;
            else
                break;
        }
        struct node *n = mk(ps, N_PATH);
        if (!n)
            return NULL;
        n->str = malloc(ps->i - start + 1);
        if (n->str) {
            memcpy(n->str, ps->p + start, ps->i - start);
            n->str[ps->i - start] = '\0';
        } else {
            node_free(n);
            fail(ps, ERR_NOMEM, "zu wenig Speicher");
            return NULL;
        }
        return n;
    }
    fail(ps, ERR_INVALID, "Wert oder Variable erwartet");
    return NULL;
}

static struct node *parse_cmp(struct parser *ps)
{
    struct node *a = parse_operand(ps);
    if (!a)
        return NULL;
    static const struct {
        const char *sym;
        enum cmp_op op;
    } ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE},
               {">=", OP_GE}, {"<", OP_LT},  {">", OP_GT}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (!accept_sym(ps, ops[i].sym))
            continue;
        struct node *b = parse_operand(ps);
        struct node *n = b ? mk(ps, N_CMP) : NULL;
        if (!n) {
            node_free(a);
            node_free(b);
            return NULL;
        }
        n->op = ops[i].op;
        n->a = a;
        n->b = b;
        return n;
    }
    return a;
}

static struct node *parse_not(struct parser *ps)
{
    skip_ws(ps);
    bool neg = false;
    if (ps->i < ps->n && ps->p[ps->i] == '!' && !(ps->i + 1 < ps->n && ps->p[ps->i + 1] == '=')) {
        ps->i++;
        neg = true;
    } else if (accept_word(ps, "not")) {
        neg = true;
    }
    if (!neg)
        return parse_cmp(ps);
    if (++ps->depth > WF_EXPR_MAX_DEPTH) {
        fail(ps, ERR_TOOBIG, "zu tief geschachtelt");
        return NULL;
    }
    struct node *a = parse_not(ps);
    ps->depth--;
    struct node *n = a ? mk(ps, N_NOT) : NULL;
    if (!n) {
        node_free(a);
        return NULL;
    }
    n->a = a;
    return n;
}

static struct node *parse_and(struct parser *ps)
{
    struct node *a = parse_not(ps);
    while (a && (accept_sym(ps, "&&") || accept_word(ps, "and"))) {
        struct node *b = parse_not(ps);
        struct node *n = b ? mk(ps, N_AND) : NULL;
        if (!n) {
            node_free(a);
            node_free(b);
            return NULL;
        }
        n->a = a;
        n->b = b;
        a = n;
    }
    return a;
}

static struct node *parse_or(struct parser *ps)
{
    struct node *a = parse_and(ps);
    while (a && (accept_sym(ps, "||") || accept_word(ps, "or"))) {
        struct node *b = parse_and(ps);
        struct node *n = b ? mk(ps, N_OR) : NULL;
        if (!n) {
            node_free(a);
            node_free(b);
            return NULL;
        }
        n->a = a;
        n->b = b;
        a = n;
    }
    return a;
}

int wf_expr_parse(const char *src, size_t len, struct wf_expr **ret, struct str *err)
{
    struct parser ps = {.p = src, .n = len, .err = err};
    if (len > WF_EXPR_MAX_LEN) {
        fail(&ps, ERR_TOOBIG, "länger als erlaubt");
        return ERR_TOOBIG;
    }
    if (memchr(src, '\0', len)) {
        ps.i = (size_t)((const char *)memchr(src, '\0', len) - src);
        fail(&ps, ERR_INVALID, "unzulässiges Nullzeichen");
        return ERR_INVALID;
    }
    /* Strip a Camunda "${ … }" wrapper; positions stay those of the text. */
    size_t a = 0, b = len;
    while (a < b && isspace((unsigned char)src[a]))
        a++;
    while (b > a && isspace((unsigned char)src[b - 1]))
        b--;
    if (b - a >= 3 && src[a] == '$' && src[a + 1] == '{' && src[b - 1] == '}') {
        a += 2;
        b -= 1;
    }
    ps.p = src + a;
    ps.n = b - a;
    ps.base = a;
    struct node *root = parse_or(&ps);
    if (root) {
        skip_ws(&ps);
        if (ps.i < ps.n)
            fail(&ps, ERR_INVALID, "unerwartetes Zeichen");
    } else if (!ps.rc) {
        fail(&ps, ERR_INVALID, "leere Bedingung");
    }
    if (ps.rc) {
        node_free(root);
        return ps.rc;
    }
    struct wf_expr *e = malloc(sizeof *e);
    if (!e) {
        node_free(root);
        return ERR_NOMEM;
    }
    e->root = root;
    *ret = e;
    return 0;
}

void wf_expr_free(struct wf_expr *e)
{
    if (!e)
        return;
    node_free(e->root);
    free(e);
}

/* A value during evaluation: borrowed from the tree or the variables. */
struct val {
    enum { V_NONE, V_NUM, V_STR, V_BOOL } t; /* V_NONE: missing, null, array, object */
    double num;                              /* V_NUM value, V_BOOL 0/1 */
    const char *str;                         /* V_STR value */
    size_t len;                              /* V_STR length */
};

static struct val lookup(const char *path, const json_t *vars)
{
    struct val v = {.t = V_NONE};
    const json_t *cur = vars;
    const char *p = path;
    char seg[WF_EXPR_MAX_LEN + 1];
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t k = dot ? (size_t)(dot - p) : strlen(p);
        memcpy(seg, p, k);
        seg[k] = '\0';
        cur = json_is_object(cur) ? json_object_get(cur, seg) : NULL;
        p += k + (dot ? 1 : 0);
    }
    if (!cur)
        return v;
    if (json_is_number(cur)) {
        v.t = V_NUM;
        v.num = json_number_value(cur);
    } else if (json_is_string(cur)) {
        v.t = V_STR;
        v.str = json_string_value(cur);
        v.len = json_string_length(cur);
    } else if (json_is_boolean(cur)) {
        v.t = V_BOOL;
        v.num = json_is_true(cur) ? 1 : 0;
    }
    return v;
}

static struct val value_of(const struct node *n, const json_t *vars);
static bool truth(const struct node *n, const json_t *vars);

static struct val value_of(const struct node *n, const json_t *vars)
{
    struct val v = {.t = V_NONE};
    switch (n->kind) {
    case N_NUM:
        v.t = V_NUM;
        v.num = n->num;
        break;
    case N_STR:
        v.t = V_STR;
        v.str = n->str;
        v.len = strlen(n->str);
        break;
    case N_BOOL:
        v.t = V_BOOL;
        v.num = n->num;
        break;
    case N_PATH: v = lookup(n->str, vars); break;
    default:
        v.t = V_BOOL;
        v.num = truth(n, vars) ? 1 : 0;
        break;
    }
    return v;
}

static bool compare(enum cmp_op op, struct val a, struct val b)
{
    if (a.t == V_NONE || b.t == V_NONE || a.t != b.t)
        return false;
    int c;
    if (a.t == V_STR) {
        size_t k = a.len < b.len ? a.len : b.len;
        c = memcmp(a.str, b.str, k);
        if (c == 0)
            c = a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
    } else {
        if (a.t == V_BOOL && op != OP_EQ && op != OP_NE)
            return false;
        c = a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
    }
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    }
    return false;
}

static bool truth(const struct node *n, const json_t *vars)
{
    switch (n->kind) {
    case N_OR: return truth(n->a, vars) || truth(n->b, vars);
    case N_AND: return truth(n->a, vars) && truth(n->b, vars);
    case N_NOT: return !truth(n->a, vars);
    case N_CMP: return compare(n->op, value_of(n->a, vars), value_of(n->b, vars));
    default: {
        struct val v = value_of(n, vars);
        if (v.t == V_STR)
            return v.len > 0;
        return (v.t == V_NUM || v.t == V_BOOL) && v.num != 0;
    }
    }
}

bool wf_expr_eval(const struct wf_expr *e, const json_t *vars)
{
    return truth(e->root, vars);
}
