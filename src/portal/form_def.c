/* Parsing and checking of form definitions (docs/formulare.md): every key is
 * checked here once, with a German reason naming the step, group or field, so
 * that collecting, checking and rendering can trust the definition. Unknown
 * keys are refused (a typo like "requried" must not silently make a field
 * optional); keys starting with "x_" are left for notes and importers. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/form_int.h"

#define ID_MAX 64
#define COND_MAX_VALUES 100 /* values of a show_if/required_if "in" list */
#define PATTERN_MAX 500     /* bytes of a pattern */
#define BOUND_MAX 100       /* largest {n,m} repetition bound in a pattern */
#define BOUND_PRODUCT 10000 /* product of all repetition bounds of a pattern */

/* Where an error is: "Feld „vorname“" and so on; built per object. */
struct where {
    char text[160];
};

static int fail(struct str *why, const struct where *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "<where>: <message>" to why (when given) and returns ERR_INVALID. */
static int fail(struct str *why, const struct where *w, const char *fmt, ...)
{
    if (why) {
        va_list ap;
        str_reset(why);
        if (w && w->text[0])
            (void)str_addf(why, "%s: ", w->text);
        va_start(ap, fmt);
        (void)str_vaddf(why, fmt, ap);
        va_end(ap);
    }
    return ERR_INVALID;
}

static void where_set(struct where *w, const char *kind, const char *id, size_t nr)
{
    if (id)
        snprintf(w->text, sizeof w->text, "%s „%.64s“", kind, id);
    else
        snprintf(w->text, sizeof w->text, "%s %zu", kind, nr + 1);
}

static bool id_valid(const char *z)
{
    size_t n = strlen(z);
    if (n == 0 || n > ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((z[i] >= 'a' && z[i] <= 'z') || (z[i] >= '0' && z[i] <= '9') || z[i] == '_'))
            return false;
    return true;
}

/* Refuses keys of o that are not in allowed (NULL-terminated) and do not
 * start with "x_". */
static int check_keys(const json_t *o, const char *const *allowed, struct str *why,
                      const struct where *w)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        (void)v;
        if (strncmp(key, "x_", 2) == 0)
            continue;
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0) {
                ok = true;
                break;
            }
        if (!ok)
            return fail(why, w, "unbekannter Schlüssel „%.64s“.", key);
    }
    return 0;
}

/* Reads an optional (or, with need, required) text key; empty counts as absent
 * for optional keys. Texts longer than FORM_DEF_MAX_TEXT are refused. */
static int get_text(const json_t *o, const char *key, bool need, const char **ret, struct str *why,
                    const struct where *w)
{
    json_t *v = json_object_get(o, key);
    *ret = NULL;
    if (!v || json_is_null(v)) {
        if (need)
            return fail(why, w, "„%s“ fehlt.", key);
        return 0;
    }
    if (!json_is_string(v))
        return fail(why, w, "„%s“ muss ein Text sein.", key);
    if (json_string_length(v) > FORM_DEF_MAX_TEXT)
        return fail(why, w, "„%s“ ist länger als %d Zeichen.", key, FORM_DEF_MAX_TEXT);
    if (json_string_length(v) == 0) {
        if (need)
            return fail(why, w, "„%s“ ist leer.", key);
        return 0;
    }
    if (strlen(json_string_value(v)) != json_string_length(v))
        return fail(why, w, "„%s“ enthält ein NUL-Zeichen.", key);
    *ret = json_string_value(v);
    return 0;
}

/* Reads an optional whole number in [lo, hi]. */
static int get_count(const json_t *o, const char *key, double lo, double hi, bool *ret_has,
                     double *ret, struct str *why, const struct where *w)
{
    json_t *v = json_object_get(o, key);
    *ret_has = false;
    if (!v || json_is_null(v))
        return 0;
    double x = json_number_value(v);
    if (!json_is_number(v) || x != floor(x) || x < lo || x > hi)
        return fail(why, w, "„%s“ muss eine ganze Zahl von %.0f bis %.0f sein.", key, lo, hi);
    *ret_has = true;
    *ret = x;
    return 0;
}

static const struct {
    const char *name;
    enum form__type type;
} TYPES[] = {
    {"text", FORM__TEXT},   {"textarea", FORM__TEXTAREA}, {"number", FORM__NUMBER},
    {"date", FORM__DATE},   {"email", FORM__EMAIL},       {"phone", FORM__PHONE},
    {"iban", FORM__IBAN},   {"postcode", FORM__POSTCODE}, {"select", FORM__SELECT},
    {"radio", FORM__RADIO}, {"checkbox", FORM__CHECKBOX}, {"yesno", FORM__YESNO},
    {"file", FORM__FILE},
};

/* The autocomplete field names of the HTML standard (4.10.18.7.1). */
static const char *const AUTOCOMPLETE[] = {
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "username",
    "new-password",
    "current-password",
    "one-time-code",
    "organization-title",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level4",
    "address-level3",
    "address-level2",
    "address-level1",
    "country",
    "country-name",
    "postal-code",
    "cc-name",
    "cc-given-name",
    "cc-additional-name",
    "cc-family-name",
    "cc-number",
    "cc-exp",
    "cc-exp-month",
    "cc-exp-year",
    "cc-csc",
    "cc-type",
    "transaction-currency",
    "transaction-amount",
    "language",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "sex",
    "url",
    "photo",
    "tel",
    "tel-country-code",
    "tel-national",
    "tel-area-code",
    "tel-local",
    "tel-local-prefix",
    "tel-local-suffix",
    "tel-extension",
    "email",
    "impp",
    NULL,
};

static bool word_in(const char *p, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (str_eq(p, n, list[i]))
            return true;
    return false;
}

/* Whether z is a valid autocomplete value: "on", "off" or
 * [section-x] [shipping|billing] [home|work|mobile|fax|pager] field-name. */
static bool autocomplete_valid(const char *z)
{
    static const char *const ONOFF[] = {"on", "off", NULL};
    static const char *const ADDR[] = {"shipping", "billing", NULL};
    static const char *const CONTACT[] = {"home", "work", "mobile", "fax", "pager", NULL};
    static const char *const CONTACT_FIELDS[] = {"tel",
                                                 "tel-country-code",
                                                 "tel-national",
                                                 "tel-area-code",
                                                 "tel-local",
                                                 "tel-local-prefix",
                                                 "tel-local-suffix",
                                                 "tel-extension",
                                                 "email",
                                                 "impp",
                                                 NULL};
    const char *tok[4];
    size_t len[4], n = 0;
    const char *p = z;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        if (n == 4)
            return false;
        tok[n] = s;
        len[n++] = (size_t)(p - s);
    }
    if (n == 0)
        return false;
    if (n == 1 && word_in(tok[0], len[0], ONOFF))
        return true;
    size_t i = 0;
    if (len[i] > 8 && strncmp(tok[i], "section-", 8) == 0)
        i++;
    if (i < n && word_in(tok[i], len[i], ADDR))
        i++;
    bool contact = false;
    if (i < n && word_in(tok[i], len[i], CONTACT)) {
        contact = true;
        i++;
    }
    if (i != n - 1)
        return false;
    if (contact)
        return word_in(tok[i], len[i], CONTACT_FIELDS);
    return word_in(tok[i], len[i], AUTOCOMPLETE);
}

/* Refuses patterns whose compiled form could grow huge: glibc expands every
 * bounded repetition, so (a{100}){100}){100} would take gigabytes. */
static bool pattern_bounded(const char *p)
{
    double product = 1;
    for (const char *q = p; *q; q++) {
        if (*q == '\\' && q[1]) {
            q++;
            continue;
        }
        if (*q != '{')
            continue;
        long biggest = 0, cur = -1;
        for (q++; *q && *q != '}'; q++) {
            if (*q >= '0' && *q <= '9') {
                cur = (cur < 0 ? 0 : cur) * 10 + (*q - '0');
                if (cur > BOUND_MAX)
                    return false;
            } else if (*q == ',') {
                if (cur > biggest)
                    biggest = cur;
                cur = -1;
            } else {
                break;
            }
        }
        if (cur > biggest)
            biggest = cur;
        if (biggest > 1)
            product *= (double)biggest;
        if (product > BOUND_PRODUCT)
            return false;
        if (!*q)
            break;
    }
    return true;
}

static int parse_pattern(struct form__field *f, const char *pat, struct str *why,
                         const struct where *w)
{
    if (strlen(pat) > PATTERN_MAX)
        return fail(why, w, "„pattern“ ist länger als %d Zeichen.", PATTERN_MAX);
    /* Escapes of other regex dialects (\d, \p{L}) mean a plain letter in
     * glibc's ERE, and back references (\1) can take exponential time: both
     * are refused instead of silently matching something else. */
    for (const char *q = pat; *q; q++) {
        if (*q != '\\')
            continue;
        q++;
        if (!*q)
            return fail(why, w, "„pattern“ endet mit einem einzelnen „\\“.");
        if (isalnum((unsigned char)*q) && !strchr("wWsSbB", *q))
            return fail(why, w,
                        "„pattern“ enthält „\\%c“, das POSIX ERE nicht kennt (statt \\d bitte "
                        "[0-9] schreiben).",
                        *q);
    }
    if (!pattern_bounded(pat))
        return fail(why, w,
                    "„pattern“ hat zu große Wiederholungen ({n,m} höchstens %d, zusammen höchstens "
                    "%d).",
                    BOUND_MAX, BOUND_PRODUCT);
    struct str anchored;
    str_init(&anchored, 0);
    (void)str_adds(&anchored, "^(");
    (void)str_adds(&anchored, pat);
    (void)str_adds(&anchored, ")$");
    if (anchored.err) {
        int rc = anchored.err;
        str_release(&anchored);
        return rc;
    }
    int rc = regcomp(&f->re, anchored.buf, REG_EXTENDED | REG_NOSUB);
    str_release(&anchored);
    if (rc == REG_ESPACE)
        return ERR_NOMEM;
    if (rc != 0) {
        char msg[128];
        regerror(rc, NULL, msg, sizeof msg);
        return fail(why, w, "„pattern“ ist kein gültiger regulärer Ausdruck (%s).", msg);
    }
    f->has_re = true;
    return 0;
}

static int parse_datebound(const json_t *o, const char *key, struct form__datebound *b,
                           struct str *why, const struct where *w)
{
    json_t *v = json_object_get(o, key);
    memset(b, 0, sizeof *b);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v) && strcmp(json_string_value(v), "today") == 0) {
        b->set = b->today = true;
        return 0;
    }
    if (!json_is_string(v) || !form_date_parse(json_string_value(v), b->iso))
        return fail(why, w, "„%s“ muss ein Datum („JJJJ-MM-TT“) oder „today“ sein.", key);
    b->set = true;
    return 0;
}

static int parse_options(const json_t *o, struct form__field *f, struct str *why,
                         const struct where *w)
{
    json_t *opts = json_object_get(o, "options");
    bool need = f->type == FORM__SELECT || f->type == FORM__RADIO;
    if (!opts || json_is_null(opts)) {
        if (need)
            return fail(why, w, "„options“ fehlt.");
        return 0;
    }
    if (f->type != FORM__SELECT && f->type != FORM__RADIO && f->type != FORM__CHECKBOX)
        return fail(why, w, "„options“ gibt es nur bei select, radio und checkbox.");
    if (!json_is_array(opts) || json_array_size(opts) == 0)
        return fail(why, w, "„options“ muss eine nicht leere Liste sein.");
    if (json_array_size(opts) > FORM_DEF_MAX_OPTIONS)
        return fail(why, w, "mehr als %d Optionen.", FORM_DEF_MAX_OPTIONS);
    f->opts = calloc(json_array_size(opts), sizeof *f->opts);
    if (!f->opts)
        return ERR_NOMEM;
    size_t i;
    json_t *opt;
    json_array_foreach(opts, i, opt)
    {
        static const char *const KEYS[] = {"value", "label", NULL};
        struct form__option *op = &f->opts[i];
        struct where ow;
        snprintf(ow.text, sizeof ow.text, "%.120s, Option %zu", w->text, i + 1);
        int rc;
        if (json_is_string(opt)) {
            op->value = op->label = json_string_value(opt);
            if (!*op->value || json_string_length(opt) > FORM_DEF_MAX_TEXT ||
                strlen(op->value) != json_string_length(opt))
                return fail(why, &ow, "der Wert muss ein nicht leerer Text sein.");
        } else if (json_is_object(opt)) {
            if ((rc = check_keys(opt, KEYS, why, &ow)) ||
                (rc = get_text(opt, "value", true, &op->value, why, &ow)) ||
                (rc = get_text(opt, "label", false, &op->label, why, &ow)))
                return rc;
            if (!op->label)
                op->label = op->value;
        } else {
            return fail(why, &ow, "eine Option ist ein Objekt {\"value\", \"label\"}.");
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(f->opts[k].value, op->value) == 0)
                return fail(why, &ow, "der Wert „%.64s“ kommt doppelt vor.", op->value);
        f->n_opts = i + 1;
    }
    return 0;
}

static int parse_file(const json_t *o, struct form__field *f, struct str *why,
                      const struct where *w)
{
    static const char *const DEFAULT_ACCEPT[] = {"application/pdf", "image/jpeg", "image/png"};
    json_t *acc = json_object_get(o, "accept");
    json_t *mb = json_object_get(o, "max_bytes");
    if (f->type != FORM__FILE) {
        if ((acc && !json_is_null(acc)) || (mb && !json_is_null(mb)))
            return fail(why, w, "„accept“ und „max_bytes“ gibt es nur bei file.");
        return 0;
    }
    size_t n = acc && !json_is_null(acc) ? json_array_size(acc) : 3;
    if (acc && !json_is_null(acc) && (!json_is_array(acc) || n == 0 || n > 50))
        return fail(why, w, "„accept“ muss eine Liste von 1 bis 50 MIME-Typen sein.");
    f->accept = calloc(n, sizeof *f->accept);
    if (!f->accept)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!acc || json_is_null(acc)) {
            f->accept[i] = DEFAULT_ACCEPT[i];
        } else {
            json_t *v = json_array_get(acc, i);
            const char *z = json_string_value(v);
            const char *slash = z ? strchr(z, '/') : NULL;
            if (!slash || slash == z || !slash[1] || strlen(z) > 100 || strchr(z, ' '))
                return fail(why, w, "„accept“: „%.64s“ ist kein MIME-Typ (wie application/pdf).",
                            z ? z : "?");
            f->accept[i] = z;
        }
        f->n_accept = i + 1;
    }
    if (mb && !json_is_null(mb)) {
        double x = json_number_value(mb);
        if (!json_is_number(mb) || x != floor(x) || x < 1 || x > 1e12)
            return fail(why, w, "„max_bytes“ muss eine positive ganze Zahl sein.");
        f->max_bytes = x;
    }
    return 0;
}

static int parse_minmax(const json_t *o, struct form__field *f, struct str *why,
                        const struct where *w)
{
    json_t *mn = json_object_get(o, "min"), *mx = json_object_get(o, "max");
    json_t *st = json_object_get(o, "step");
    bool any = (mn && !json_is_null(mn)) || (mx && !json_is_null(mx));
    if (st && !json_is_null(st)) {
        if (f->type != FORM__NUMBER)
            return fail(why, w, "„step“ gibt es nur bei number.");
        if (!json_is_number(st) || json_number_value(st) <= 0 || json_number_value(st) > 1e12)
            return fail(why, w, "„step“ muss eine positive Zahl sein.");
        f->numstep = json_number_value(st);
    }
    int rc;
    switch (f->type) {
    case FORM__TEXT:
    case FORM__TEXTAREA:
    case FORM__EMAIL:
    case FORM__PHONE:
        if ((rc = get_count(o, "min", 0, FORM_MAX_VALUE, &f->has_min, &f->min, why, w)) ||
            (rc = get_count(o, "max", 1, FORM_MAX_VALUE, &f->has_max, &f->max, why, w)))
            return rc;
        break;
    case FORM__CHECKBOX:
        if (any && f->n_opts == 0)
            return fail(why, w, "„min“/„max“ gibt es bei checkbox nur mit „options“.");
        if ((rc = get_count(o, "min", 0, FORM_DEF_MAX_OPTIONS, &f->has_min, &f->min, why, w)) ||
            (rc = get_count(o, "max", 1, FORM_DEF_MAX_OPTIONS, &f->has_max, &f->max, why, w)))
            return rc;
        break;
    case FORM__NUMBER:
        if (mn && !json_is_null(mn)) {
            if (!json_is_number(mn) || fabs(json_number_value(mn)) > FORM_NUMBER_MAX)
                return fail(why, w, "„min“ muss eine Zahl sein.");
            f->has_min = true;
            f->min = json_number_value(mn);
        }
        if (mx && !json_is_null(mx)) {
            if (!json_is_number(mx) || fabs(json_number_value(mx)) > FORM_NUMBER_MAX)
                return fail(why, w, "„max“ muss eine Zahl sein.");
            f->has_max = true;
            f->max = json_number_value(mx);
        }
        break;
    case FORM__DATE:
        if ((rc = parse_datebound(o, "min", &f->dmin, why, w)) ||
            (rc = parse_datebound(o, "max", &f->dmax, why, w)))
            return rc;
        if (f->dmin.set && f->dmax.set && !f->dmin.today && !f->dmax.today &&
            strcmp(f->dmin.iso, f->dmax.iso) > 0)
            return fail(why, w, "„min“ liegt nach „max“.");
        return 0;
    default:
        if (any)
            return fail(why, w, "„min“/„max“ gibt es bei diesem Typ nicht.");
        return 0;
    }
    if (f->has_min && f->has_max && f->min > f->max)
        return fail(why, w, "„min“ ist größer als „max“.");
    return 0;
}

/* Registers id as used (steps, groups and fields share one namespace). */
static int claim_id(json_t *seen, const char *id, struct str *why, const struct where *w)
{
    if (!id_valid(id))
        return fail(why, w, "die id „%.64s“ darf nur a–z, 0–9 und _ enthalten (1 bis %d Zeichen).",
                    id, ID_MAX);
    if (json_object_get(seen, id))
        return fail(why, w, "die id „%.64s“ kommt doppelt vor.", id);
    if (json_object_set_new(seen, id, json_true()))
        return ERR_NOMEM;
    return 0;
}

static int parse_field(struct form_def *d, json_t *seen, const json_t *o, struct form__field *f,
                       struct str *why, struct where *w)
{
    static const char *const KEYS[] = {
        "id",        "type", "label",        "required", "min",     "max",    "step",
        "pattern",   "help", "autocomplete", "show_if",  "options", "accept", "pattern_message",
        "max_bytes", NULL};
    const char *type = NULL, *pattern = NULL;
    int rc;
    f->cond.field = FORM__NONE;
    if (!json_is_object(o))
        return fail(why, w, "ein Feld muss ein Objekt sein.");
    if ((rc = get_text(o, "id", true, &f->id, why, w)))
        return rc;
    where_set(w, "Feld", f->id, 0);
    if ((rc = claim_id(seen, f->id, why, w)) || (rc = check_keys(o, KEYS, why, w)) ||
        (rc = get_text(o, "type", true, &type, why, w)) ||
        (rc = get_text(o, "label", true, &f->label, why, w)) ||
        (rc = get_text(o, "help", false, &f->help, why, w)) ||
        (rc = get_text(o, "autocomplete", false, &f->autocomplete, why, w)) ||
        (rc = get_text(o, "pattern", false, &pattern, why, w)) ||
        (rc = get_text(o, "pattern_message", false, &f->pattern_message, why, w)))
        return rc;
    size_t t;
    for (t = 0; t < sizeof TYPES / sizeof TYPES[0]; t++)
        if (strcmp(type, TYPES[t].name) == 0)
            break;
    if (t == sizeof TYPES / sizeof TYPES[0])
        return fail(why, w,
                    "unbekannter Typ „%.64s“ (erlaubt: text, textarea, number, date, email, "
                    "phone, iban, postcode, select, radio, checkbox, yesno, file).",
                    type);
    f->type = TYPES[t].type;
    json_t *req = json_object_get(o, "required");
    if (req && !json_is_boolean(req) && !json_is_null(req))
        return fail(why, w, "„required“ muss true oder false sein.");
    f->required = json_is_true(req);
    if (f->autocomplete && !autocomplete_valid(f->autocomplete))
        return fail(why, w, "„autocomplete“: „%.64s“ ist kein Wert aus dem HTML-Standard.",
                    f->autocomplete);
    if ((rc = parse_options(o, f, why, w)) || (rc = parse_file(o, f, why, w)) ||
        (rc = parse_minmax(o, f, why, w)))
        return rc;
    if (pattern) {
        if (f->type != FORM__TEXT && f->type != FORM__TEXTAREA && f->type != FORM__EMAIL &&
            f->type != FORM__PHONE)
            return fail(why, w, "„pattern“ gibt es nur bei text, textarea, email und phone.");
        if ((rc = parse_pattern(f, pattern, why, w)))
            return rc;
    } else if (f->pattern_message) {
        return fail(why, w, "„pattern_message“ ohne „pattern“.");
    }
    json_t *idx = json_integer((json_int_t)(f - d->fields));
    if (!idx || json_object_set_new(d->index, f->id, idx))
        return ERR_NOMEM;
    return 0;
}

static int parse_group(json_t *seen, const json_t *o, struct form__group *g, size_t nr,
                       struct str *why, struct where *w)
{
    static const char *const KEYS[] = {"id", "legend", "help", "show_if", "repeat", "fields", NULL};
    int rc;
    g->cond.field = FORM__NONE;
    where_set(w, "Gruppe", NULL, nr);
    if (!json_is_object(o))
        return fail(why, w, "eine Gruppe muss ein Objekt sein.");
    if ((rc = get_text(o, "id", false, &g->id, why, w)))
        return rc;
    if (g->id) {
        where_set(w, "Gruppe", g->id, nr);
        if ((rc = claim_id(seen, g->id, why, w)))
            return rc;
    }
    if ((rc = check_keys(o, KEYS, why, w)) ||
        (rc = get_text(o, "legend", false, &g->legend, why, w)) ||
        (rc = get_text(o, "help", false, &g->help, why, w)))
        return rc;
    json_t *rep = json_object_get(o, "repeat");
    if (rep && !json_is_null(rep)) {
        static const char *const RKEYS[] = {"min", "max", "item", NULL};
        bool has;
        double x;
        if (!json_is_object(rep))
            return fail(why, w, "„repeat“ muss ein Objekt {\"min\", \"max\", \"item\"} sein.");
        if (!g->id)
            return fail(why, w, "eine wiederholbare Gruppe braucht eine „id“.");
        if (!g->legend)
            return fail(why, w, "eine wiederholbare Gruppe braucht eine „legend“.");
        if ((rc = check_keys(rep, RKEYS, why, w)) ||
            (rc = get_text(rep, "item", false, &g->item, why, w)))
            return rc;
        g->repeat = true;
        g->rmin = 0;
        g->rmax = FORM_MAX_REPEAT;
        if ((rc = get_count(rep, "min", 0, FORM_MAX_REPEAT, &has, &x, why, w)))
            return rc;
        if (has)
            g->rmin = (size_t)x;
        if ((rc = get_count(rep, "max", 1, FORM_MAX_REPEAT, &has, &x, why, w)))
            return rc;
        if (has)
            g->rmax = (size_t)x;
        if (g->rmin > g->rmax)
            return fail(why, w, "„repeat“: „min“ ist größer als „max“.");
        if (!g->item)
            g->item = "Eintrag";
    }
    json_t *fields = json_object_get(o, "fields");
    if (!json_is_array(fields) || json_array_size(fields) == 0)
        return fail(why, w, "„fields“ muss eine nicht leere Liste sein.");
    return 0;
}

/* Reads a show_if object (or the condition part of a required_if rule: then
 * field_key is "b") into c; the field is looked up later by resolve_cond. */
static int parse_cond(const struct form_def *d, const json_t *o, const char *field_key,
                      struct form__cond *c, struct str *why, const struct where *w)
{
    const char *fid = json_string_value(json_object_get(o, field_key));
    if (!fid)
        return fail(why, w, "„%s“ fehlt.", field_key);
    c->field = form__field_find(d, fid);
    if (c->field == FORM__NONE)
        return fail(why, w, "„%s“ nennt das unbekannte Feld „%.64s“.", field_key, fid);
    json_t *eq = json_object_get(o, "equals"), *in = json_object_get(o, "in");
    if ((eq != NULL) == (in != NULL))
        return fail(why, w, "genau eines von „equals“ und „in“ angeben.");
    if (eq) {
        if (!json_is_string(eq) && !json_is_number(eq) && !json_is_boolean(eq))
            return fail(why, w, "„equals“ muss ein Text, eine Zahl, true oder false sein.");
        c->equals = eq;
    } else {
        size_t i;
        json_t *v;
        if (!json_is_array(in) || json_array_size(in) == 0 || json_array_size(in) > COND_MAX_VALUES)
            return fail(why, w, "„in“ muss eine Liste mit 1 bis %d Werten sein.", COND_MAX_VALUES);
        json_array_foreach(in, i, v)
        {
            if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v))
                return fail(why, w, "„in“ darf nur Texte, Zahlen, true oder false enthalten.");
        }
        c->in = in;
    }
    /* A value that the field can never have is a typo in the definition. */
    const struct form__field *rf = &d->fields[c->field];
    if (rf->n_opts) {
        size_t n = eq ? 1 : json_array_size(in);
        for (size_t i = 0; i < n; i++) {
            const json_t *v = eq ? eq : json_array_get(in, i);
            bool found = false;
            for (size_t k = 0; k < rf->n_opts && !found; k++)
                found = json_is_string(v) && strcmp(json_string_value(v), rf->opts[k].value) == 0;
            if (!found)
                return fail(why, w, "Feld „%s“ hat keine Option mit diesem Wert.", rf->id);
        }
    }
    return 0;
}

/* Checks that the condition's field can be seen from where the condition
 * stands: inside a repeatable group the same group or a field outside any
 * repeatable group; elsewhere only fields outside repeatable groups. */
static int cond_scope(const struct form_def *d, const struct form__cond *c, size_t own_group,
                      struct str *why, const struct where *w)
{
    const struct form__group *rg = &d->groups[d->fields[c->field].group];
    if (!rg->repeat)
        return 0;
    if (own_group != FORM__NONE && d->groups[own_group].repeat &&
        d->fields[c->field].group == own_group)
        return 0;
    return fail(why, w,
                "die Bedingung nennt Feld „%s“ aus der wiederholbaren Gruppe „%s“; das geht nur "
                "innerhalb dieser Gruppe.",
                d->fields[c->field].id, rg->id);
}

/* Depth-first search for a show_if cycle from field f (colour: 0 new,
 * 1 on the path, 2 done). */
static bool cond_cycle(const struct form_def *d, size_t f, unsigned char *colour)
{
    if (colour[f] == 2)
        return false;
    if (colour[f] == 1)
        return true;
    colour[f] = 1;
    size_t next[2] = {d->fields[f].cond.field, d->groups[d->fields[f].group].cond.field};
    for (int i = 0; i < 2; i++)
        if (next[i] != FORM__NONE && cond_cycle(d, next[i], colour))
            return true;
    colour[f] = 2;
    return false;
}

static int parse_rule(struct form_def *d, const json_t *o, struct form__rule *r, size_t nr,
                      struct str *why)
{
    static const char *const KEYS[] = {"type", "a", "b", "equals", "in", "message", NULL};
    struct where w;
    const char *type = NULL, *a = NULL, *b = NULL;
    int rc;
    where_set(&w, "Regel", NULL, nr);
    r->cond.field = FORM__NONE;
    if (!json_is_object(o))
        return fail(why, &w, "eine Regel muss ein Objekt sein.");
    if ((rc = check_keys(o, KEYS, why, &w)) || (rc = get_text(o, "type", true, &type, why, &w)) ||
        (rc = get_text(o, "a", true, &a, why, &w)) || (rc = get_text(o, "b", true, &b, why, &w)) ||
        (rc = get_text(o, "message", false, &r->message, why, &w)))
        return rc;
    if (strcmp(type, "before") == 0)
        r->type = FORM__BEFORE;
    else if (strcmp(type, "not_after") == 0)
        r->type = FORM__NOT_AFTER;
    else if (strcmp(type, "required_if") == 0)
        r->type = FORM__REQUIRED_IF;
    else
        return fail(why, &w,
                    "unbekannter Regeltyp „%.64s“ (erlaubt: before, not_after, required_if).",
                    type);
    r->a = form__field_find(d, a);
    r->b = form__field_find(d, b);
    if (r->a == FORM__NONE)
        return fail(why, &w, "„a“ nennt das unbekannte Feld „%.64s“.", a);
    if (r->b == FORM__NONE)
        return fail(why, &w, "„b“ nennt das unbekannte Feld „%.64s“.", b);
    if (r->a == r->b)
        return fail(why, &w, "„a“ und „b“ sind dasselbe Feld.");
    const struct form__field *fa = &d->fields[r->a], *fb = &d->fields[r->b];
    const struct form__group *ga = &d->groups[fa->group], *gb = &d->groups[fb->group];
    if (ga->repeat && gb->repeat && fa->group != fb->group)
        return fail(why, &w, "„a“ und „b“ liegen in verschiedenen wiederholbaren Gruppen.");
    if (ga->repeat != gb->repeat && gb->repeat)
        return fail(why, &w,
                    "„b“ darf nur dann in einer wiederholbaren Gruppe liegen, wenn „a“ "
                    "in derselben Gruppe liegt.");
    if (r->type == FORM__REQUIRED_IF) {
        if ((rc = parse_cond(d, o, "b", &r->cond, why, &w)))
            return rc;
    } else {
        if (json_object_get(o, "equals") || json_object_get(o, "in"))
            return fail(why, &w, "„equals“/„in“ gibt es nur bei required_if.");
        bool dates = fa->type == FORM__DATE && fb->type == FORM__DATE;
        bool numbers = fa->type == FORM__NUMBER && fb->type == FORM__NUMBER;
        if (!dates && !numbers)
            return fail(why, &w, "„a“ und „b“ müssen beide Datums- oder beide Zahlenfelder sein.");
    }
    return 0;
}

size_t form__field_find(const struct form_def *d, const char *id)
{
    json_t *v = json_object_get(d->index, id);
    return v ? (size_t)json_integer_value(v) : FORM__NONE;
}

void form_def_free(struct form_def *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_fields; i++) {
        if (d->fields[i].has_re)
            regfree(&d->fields[i].re);
        free(d->fields[i].opts);
        free(d->fields[i].accept);
    }
    free(d->fields);
    free(d->groups);
    free(d->steps);
    free(d->rules);
    json_decref(d->index);
    json_decref(d->src);
    free(d);
}

/* Counts groups and fields up front (so the arrays are allocated once and
 * the limits are checked before anything big is built). */
static int count_all(const json_t *steps, size_t *ret_groups, size_t *ret_fields, struct str *why)
{
    size_t ng = 0, nf = 0, i, k;
    json_t *s, *g;
    json_array_foreach(steps, i, s)
    {
        struct where w;
        where_set(&w, "Schritt", NULL, i);
        json_t *groups = json_object_get(s, "groups");
        if (!json_is_object(s) || !json_is_array(groups) || json_array_size(groups) == 0)
            return fail(why, &w,
                        "ein Schritt ist ein Objekt mit einer nicht leeren Liste „groups“.");
        json_array_foreach(groups, k, g)
        {
            ng++;
            nf += json_array_size(json_object_get(g, "fields"));
        }
        if (ng > FORM_DEF_MAX_GROUPS)
            return fail(why, NULL, "Das Formular hat mehr als %d Gruppen.", FORM_DEF_MAX_GROUPS);
        if (nf > FORM_DEF_MAX_FIELDS)
            return fail(why, NULL, "Das Formular hat mehr als %d Felder.", FORM_DEF_MAX_FIELDS);
    }
    *ret_groups = ng;
    *ret_fields = nf;
    return 0;
}

static int parse_all(struct form_def *d, json_t *seen, struct str *why)
{
    static const char *const KEYS[] = {"steps", "rules", NULL};
    static const char *const SKEYS[] = {"id", "title", "help", "groups", NULL};
    json_t *steps = json_object_get(d->src, "steps");
    json_t *rules = json_object_get(d->src, "rules");
    size_t ng = 0, nf = 0, i, k, m;
    json_t *s, *g, *f;
    int rc;
    if ((rc = check_keys(d->src, KEYS, why, NULL)))
        return rc;
    if (!json_is_array(steps) || json_array_size(steps) == 0)
        return fail(why, NULL, "Das Formular braucht eine nicht leere Liste „steps“.");
    if (json_array_size(steps) > FORM_DEF_MAX_STEPS)
        return fail(why, NULL, "Das Formular hat mehr als %d Schritte.", FORM_DEF_MAX_STEPS);
    if (rules && !json_is_null(rules) && !json_is_array(rules))
        return fail(why, NULL, "„rules“ muss eine Liste sein.");
    if (json_array_size(rules) > FORM_DEF_MAX_RULES)
        return fail(why, NULL, "Das Formular hat mehr als %d Regeln.", FORM_DEF_MAX_RULES);
    if ((rc = count_all(steps, &ng, &nf, why)))
        return rc;
    d->steps = calloc(json_array_size(steps), sizeof *d->steps);
    d->groups = calloc(ng, sizeof *d->groups);
    d->fields = calloc(nf ? nf : 1, sizeof *d->fields);
    d->rules = calloc(json_array_size(rules) + 1, sizeof *d->rules);
    if (!d->steps || !d->groups || !d->fields || !d->rules)
        return ERR_NOMEM;

    /* Pass 1: steps, groups and fields with everything but conditions. */
    json_array_foreach(steps, i, s)
    {
        struct form__step *st = &d->steps[i];
        struct where w;
        where_set(&w, "Schritt", NULL, i);
        if ((rc = get_text(s, "id", false, &st->id, why, &w)))
            return rc;
        if (st->id) {
            where_set(&w, "Schritt", st->id, i);
            if ((rc = claim_id(seen, st->id, why, &w)))
                return rc;
        }
        if ((rc = check_keys(s, SKEYS, why, &w)) ||
            (rc = get_text(s, "title", true, &st->title, why, &w)) ||
            (rc = get_text(s, "help", false, &st->help, why, &w)))
            return rc;
        st->first = d->n_groups;
        d->n_steps++;
        json_array_foreach(json_object_get(s, "groups"), k, g)
        {
            struct form__group *gr = &d->groups[d->n_groups];
            if ((rc = parse_group(seen, g, gr, d->n_groups, why, &w)))
                return rc;
            gr->step = i;
            gr->first = d->n_fields;
            d->n_groups++;
            st->n++;
            json_array_foreach(json_object_get(g, "fields"), m, f)
            {
                struct form__field *fd = &d->fields[d->n_fields];
                struct where fw;
                where_set(&fw, "Feld", NULL, d->n_fields);
                fd->group = d->n_groups - 1;
                fd->step = i;
                d->n_fields++;
                gr->n++;
                if ((rc = parse_field(d, seen, f, fd, why, &fw)))
                    return rc;
            }
        }
    }

    /* Labels used more than once get their group's legend in messages. */
    json_t *labels = json_object();
    if (!labels)
        return ERR_NOMEM;
    for (i = 0; i < d->n_fields; i++) {
        json_t *first = json_object_get(labels, d->fields[i].label);
        if (first) {
            d->fields[i].ambiguous = true;
            d->fields[json_integer_value(first)].ambiguous = true;
        } else if (json_object_set_new(labels, d->fields[i].label, json_integer((json_int_t)i))) {
            json_decref(labels);
            return ERR_NOMEM;
        }
    }
    json_decref(labels);

    /* Pass 2: conditions, now that every field is known. */
    for (i = 0; i < d->n_groups; i++) {
        struct form__group *gr = &d->groups[i];
        json_t *go = json_array_get(json_object_get(json_array_get(steps, gr->step), "groups"),
                                    i - d->steps[gr->step].first);
        json_t *c = json_object_get(go, "show_if");
        struct where w;
        where_set(&w, "Gruppe", gr->id, i);
        if (c && !json_is_null(c)) {
            static const char *const CKEYS[] = {"field", "equals", "in", NULL};
            if (!json_is_object(c))
                return fail(why, &w, "„show_if“ muss ein Objekt sein.");
            if ((rc = check_keys(c, CKEYS, why, &w)) ||
                (rc = parse_cond(d, c, "field", &gr->cond, why, &w)) ||
                (rc = cond_scope(d, &gr->cond, FORM__NONE, why, &w)))
                return rc;
            if (d->fields[gr->cond.field].group == i)
                return fail(why, &w, "„show_if“ nennt ein Feld der eigenen Gruppe.");
        }
        for (k = 0; k < gr->n; k++) {
            struct form__field *fd = &d->fields[gr->first + k];
            json_t *fc =
                json_object_get(json_array_get(json_object_get(go, "fields"), k), "show_if");
            if (!fc || json_is_null(fc))
                continue;
            static const char *const CKEYS[] = {"field", "equals", "in", NULL};
            where_set(&w, "Feld", fd->id, 0);
            if (!json_is_object(fc))
                return fail(why, &w, "„show_if“ muss ein Objekt sein.");
            if ((rc = check_keys(fc, CKEYS, why, &w)) ||
                (rc = parse_cond(d, fc, "field", &fd->cond, why, &w)) ||
                (rc = cond_scope(d, &fd->cond, i, why, &w)))
                return rc;
            if (fd->cond.field == gr->first + k)
                return fail(why, &w, "„show_if“ nennt das Feld selbst.");
        }
    }
    unsigned char *colour = calloc(d->n_fields + 1, 1);
    if (!colour)
        return ERR_NOMEM;
    for (i = 0; i < d->n_fields; i++) {
        if (cond_cycle(d, i, colour)) {
            struct where w;
            where_set(&w, "Feld", d->fields[i].id, 0);
            free(colour);
            return fail(why, &w, "die Bedingungen („show_if“) bilden einen Kreis.");
        }
    }
    free(colour);

    /* Rules. */
    json_array_foreach(rules, i, s)
    {
        if ((rc = parse_rule(d, s, &d->rules[i], i, why)))
            return rc;
        d->n_rules++;
    }
    return 0;
}

int form_def_parse(const json_t *form, struct form_def **ret, struct str *why)
{
    struct form_def *d = NULL;
    json_t *seen = NULL;
    int rc;
    if (!json_is_object(form)) {
        rc = fail(why, NULL, "Das Formular („form“) muss ein JSON-Objekt sein.");
        goto done;
    }
    d = calloc(1, sizeof *d);
    seen = json_object();
    if (!d || !seen) {
        rc = ERR_NOMEM;
        goto done;
    }
    d->src = json_deep_copy(form);
    d->index = json_object();
    if (!d->src || !d->index) {
        rc = ERR_NOMEM;
        goto done;
    }
    if ((rc = parse_all(d, seen, why)))
        goto done;
    *ret = d;
    d = NULL;
done:
    if (rc == ERR_NOMEM && why) {
        str_reset(why);
        (void)str_adds(why, "Nicht genug Speicher.");
    }
    json_decref(seen);
    form_def_free(d);
    return rc;
}

size_t form_def_steps(const struct form_def *d)
{
    return d->n_steps;
}

const char *form_def_step_title(const struct form_def *d, size_t i)
{
    return i < d->n_steps ? d->steps[i].title : NULL;
}

size_t form_def_fields(const struct form_def *d)
{
    return d->n_fields;
}

bool form_def_step_has_files(const struct form_def *d, int step)
{
    if (step < -1 || (step >= 0 && (size_t)step >= d->n_steps))
        return false;
    for (size_t i = 0; i < d->n_fields; i++)
        if (d->fields[i].type == FORM__FILE && (step < 0 || d->fields[i].step == (size_t)step))
            return true;
    return false;
}

int form_def_field_step(const struct form_def *d, const char *name)
{
    size_t f = form__field_find(d, name);
    if (f != FORM__NONE && !d->groups[d->fields[f].group].repeat)
        return (int)d->fields[f].step;
    /* "<group>" or "<group>.<i>.<field>" of a repeatable group. */
    const char *dot = strchr(name, '.');
    size_t len = dot ? (size_t)(dot - name) : strlen(name);
    for (size_t g = 0; g < d->n_groups; g++) {
        const struct form__group *gr = &d->groups[g];
        if (!gr->repeat || strlen(gr->id) != len || strncmp(gr->id, name, len) != 0)
            continue;
        if (dot) {
            const char *field = strchr(dot + 1, '.');
            f = field ? form__field_find(d, field + 1) : FORM__NONE;
            if (f == FORM__NONE || d->fields[f].group != g)
                return -1;
        }
        return (int)gr->step;
    }
    return -1;
}
