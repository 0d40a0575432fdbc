/* Internals of the form engine shared by its files: the parsed definition
 * (form_def.c builds it, form_check.c checks Antragsdaten against it,
 * form_render.c turns it into HTML) and the few helpers they share. */
#ifndef RATHAUS_PORTAL_FORM_INT_H
#define RATHAUS_PORTAL_FORM_INT_H

#include <regex.h>

#include "portal/form.h"

/* Field types, in the order of docs/formulare.md. */
enum form__type {
    FORM__TEXT,
    FORM__TEXTAREA,
    FORM__NUMBER,
    FORM__DATE,
    FORM__EMAIL,
    FORM__PHONE,
    FORM__IBAN,
    FORM__POSTCODE,
    FORM__SELECT,
    FORM__RADIO,
    FORM__CHECKBOX,
    FORM__YESNO,
    FORM__FILE,
};

/* "No index": a field outside any group, a condition that is not there. */
#define FORM__NONE ((size_t)-1)

/* A show_if condition or the condition of a required_if rule. */
struct form__cond {
    size_t field;         /* index of the field it reads; FORM__NONE = no condition */
    const json_t *equals; /* the one accepted value, or NULL */
    const json_t *in;     /* array of accepted values, or NULL */
};

/* One option of a select, radio or checkbox field. */
struct form__option {
    const char *value; /* value in the Antragsdaten and the HTML */
    const char *label; /* text shown */
};

/* A date bound: a fixed ISO date or today's date at the time of checking. */
struct form__datebound {
    bool set;     /* a bound is there */
    bool today;   /* "today" (Europe/Berlin) */
    char iso[11]; /* the fixed date when !today */
};

struct form__field {
    const char *id;                    /* [a-z0-9_]{1,64}, unique in the form */
    const char *label;                 /* label text */
    const char *help;                  /* help text or NULL */
    const char *autocomplete;          /* HTML autocomplete value or NULL */
    const char *pattern_message;       /* message when pattern fails, or NULL */
    enum form__type type;              /* the field type */
    bool required;                     /* must be filled (when visible) */
    bool has_min, has_max;             /* min / max given */
    double min, max;                   /* characters (text), value (number), ticks (checkbox) */
    struct form__datebound dmin, dmax; /* date bounds */
    double numstep;                    /* number step, 0 = any */
    bool has_re;                       /* re is compiled */
    regex_t re;                        /* "^(pattern)$", REG_EXTENDED|REG_NOSUB */
    struct form__option *opts;         /* options (malloc'd), n_opts of them */
    size_t n_opts;                     /* options */
    const char **accept;               /* accepted MIME types of a file (malloc'd) */
    size_t n_accept;                   /* entries in accept */
    double max_bytes;                  /* largest file in bytes, 0 = no limit of its own */
    struct form__cond cond;            /* show_if of the field */
    size_t group;                      /* index of its group */
    bool ambiguous;                    /* another field has the same label */
    size_t step;                       /* index of its step */
};

struct form__group {
    const char *id;         /* unique id; the data key of a repeatable group */
    const char *legend;     /* legend text or NULL (then no fieldset) */
    const char *help;       /* help text or NULL */
    const char *item;       /* name of one entry of a repeatable group */
    bool repeat;            /* repeatable */
    size_t rmin, rmax;      /* entries allowed (repeatable groups) */
    struct form__cond cond; /* show_if of the group */
    size_t step;            /* index of its step */
    size_t first, n;        /* its fields: fields[first .. first+n) */
};

struct form__step {
    const char *id;    /* unique id */
    const char *title; /* title shown in the step indicator */
    const char *help;  /* introduction or NULL */
    size_t first, n;   /* its groups: groups[first .. first+n) */
};

enum form__rule_type {
    FORM__BEFORE,
    FORM__NOT_AFTER,
    FORM__REQUIRED_IF,
};

struct form__rule {
    enum form__rule_type type; /* what it checks */
    size_t a, b;               /* field indices */
    struct form__cond cond;    /* required_if: b's accepted values (cond.field == b) */
    const char *message;       /* German message or NULL (a default is used) */
};

struct form_def {
    json_t *src;                /* deep copy of the definition; all strings point into it */
    struct form__step *steps;   /* n_steps of them */
    size_t n_steps;             /* steps */
    struct form__group *groups; /* n_groups of them */
    size_t n_groups;            /* groups */
    struct form__field *fields; /* n_fields of them, in document order */
    size_t n_fields;            /* fields */
    struct form__rule *rules;   /* n_rules of them */
    size_t n_rules;             /* rules */
    json_t *index;              /* field id -> index (json integer), for lookups */
};

/* Returns the field called id, or FORM__NONE. */
size_t form__field_find(const struct form_def *d, const char *id);

/* Today's date in Europe/Berlin as ISO "JJJJ-MM-TT" (RATHAUS_CLOCK_OFFSET applies). */
void form__today(char out[11]);

/* The value of field f in the context of one entry (entry NULL outside a
 * repeatable group): from entry when f belongs to a repeatable group, else from
 * data. NULL when absent. */
const json_t *form__value(const struct form_def *d, const json_t *data, const json_t *entry,
                          size_t f);

/* Whether the field f is visible (its group's and its own show_if hold). */
bool form__field_visible(const struct form_def *d, const json_t *data, const json_t *entry,
                         size_t f);

/* Whether the group g is visible. */
bool form__group_visible(const struct form_def *d, const json_t *data, size_t g);

/* Whether v (a value from the Antragsdaten) satisfies the accepted values of c. */
bool form__cond_match(const struct form__cond *c, const json_t *v);

/* Sets label (reset first) to field f's label for messages and summaries:
 * "Vorname (Kind 2)" in entry i of a repeatable group, "Straße (Baugrundstück)"
 * when another field has the same label, else the label. */
void form__label(const struct form_def *d, size_t f, size_t i, struct str *label);

/* Runs the checks of step (0-based, -1 = all) over data into a new array
 * *ret_errors of {field, label, message}; strict_keys reports keys the form
 * does not know. ERR_NOMEM. */
int form__check_run(const struct form_def *d, int step, const json_t *data, bool strict_keys,
                    json_t **ret_errors) WUR;

/* Upper-cases z and drops spaces and tabs into out (at most outsz-1 bytes);
 * false when it does not fit. */
bool form__iban_canonical(const char *z, char *out, size_t outsz);

/* Appends v as German text (as in the summary and the review page) to out. */
int form__value_text(const struct form_def *d, size_t f, const json_t *v, struct str *out) WUR;

/* Appends a number in German notation ("12,5") to out (errors recorded in out->err). */
void form__add_number(struct str *out, double v);

#endif
