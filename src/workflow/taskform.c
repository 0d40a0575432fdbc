/* Task forms: reads rathaus:form and camunda:formData from the extension
 * elements of a user task into one JSON description, reporting every fault
 * of the definition for the deploy check, and checks and types the values a
 * user submits before they become case data. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "base/rtime.h"
#include "deploy.h"
#include "taskform.h"

/* The field types of the rathaus format. */
static const char *const TYPES[] = {"text", "textarea", "number", "date", "select", "yesno"};

/* Identifiers the condition language reserves (expr.c); a field so named
 * could not be used in a gateway condition. */
static const char *const RESERVED[] = {"and", "or", "not", "true", "false", "date", "bemerkung"};

struct reader {
    const struct bpmn_node *n; /* the task */
    json_t *problems;          /* where problems go, or NULL */
    json_t *fields;            /* the result */
    int rc;                    /* ERR_NOMEM once out of memory */
};

static void problem(struct reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct reader *rd, const char *fmt, ...)
{
    if (!rd->problems)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s, s:s}", "id", *rd->n->id ? rd->n->id : "(ohne id)", "reason", buf);
    if (!o || json_array_append_new(rd->problems, o))
        rd->rc = ERR_NOMEM;
}

static bool is_el(xmlNodePtr x, const char *ns, const char *name)
{
    return x->type == XML_ELEMENT_NODE && x->ns && x->ns->href &&
           strcmp((const char *)x->ns->href, ns) == 0 && strcmp((const char *)x->name, name) == 0;
}

/* The unqualified attribute name of x, or NULL. Memory of the document. */
static const char *attr(xmlNodePtr x, const char *name)
{
    xmlAttrPtr a = xmlHasNsProp(x, (const xmlChar *)name, NULL);
    if (!a)
        return NULL;
    return a->children && a->children->content ? (const char *)a->children->content : "";
}

static bool valid_utf8_len(const char *z, size_t max)
{
    return strlen(z) <= max;
}

/* Checks a field id: usable as a variable in conditions. */
static const char *id_problem(const char *id)
{
    if (!id || !*id)
        return "Formularfeld ohne id";
    if (strlen(id) > WF_FORM_MAX_ID)
        return "id eines Formularfelds ist zu lang";
    if (!isalpha((unsigned char)id[0]) && id[0] != '_')
        return "id eines Formularfelds muss mit einem Buchstaben beginnen";
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return "id eines Formularfelds darf nur Buchstaben, Ziffern und _ enthalten";
    for (size_t i = 0; i < sizeof RESERVED / sizeof RESERVED[0]; i++)
        if (strcmp(id, RESERVED[i]) == 0)
            return "diese id ist reserviert";
    return NULL;
}

/* Adds a checked field; options (stolen, may be NULL) for select. */
static void add_field(struct reader *rd, const char *id, const char *type, const char *label,
                      const char *required, const char *help, json_t *options)
{
    const char *why = id_problem(id);
    bool ok = true;
    if (why) {
        problem(rd, "%s%s%s", why, id && *id ? ": " : "", id ? id : "");
        ok = false;
    }
    for (size_t i = 0; ok && i < json_array_size(rd->fields); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(rd->fields, i), "id")), id) ==
            0) {
            problem(rd, "Formularfeld „%s“ ist doppelt", id);
            ok = false;
        }
    bool known = false;
    for (size_t i = 0; type && i < sizeof TYPES / sizeof TYPES[0]; i++)
        known |= strcmp(type, TYPES[i]) == 0;
    if (ok && !known) {
        problem(rd,
                "Formularfeld „%s“: unbekannter Typ „%s“ (bekannt: text, textarea, number, "
                "date, select, yesno)",
                id, type ? type : "");
        ok = false;
    }
    if (ok && (!label || !*label)) {
        problem(rd, "Formularfeld „%s“ ohne Beschriftung (label)", id);
        ok = false;
    }
    if (ok && (!valid_utf8_len(label, WF_FORM_MAX_LABEL) ||
               (help && !valid_utf8_len(help, WF_FORM_MAX_LABEL)))) {
        problem(rd, "Formularfeld „%s“: Beschriftung oder Hilfe zu lang", id);
        ok = false;
    }
    if (ok && required && strcmp(required, "true") != 0 && strcmp(required, "false") != 0) {
        problem(rd, "Formularfeld „%s“: required muss true oder false sein", id);
        ok = false;
    }
    bool select = ok && strcmp(type, "select") == 0;
    if (select && !json_array_size(options)) {
        problem(rd, "Auswahlfeld „%s“ ohne Optionen", id);
        ok = false;
    }
    if (ok && !select && json_array_size(options)) {
        problem(rd, "Formularfeld „%s“: Optionen nur bei type=\"select\"", id);
        ok = false;
    }
    if (ok && json_array_size(rd->fields) >= WF_FORM_MAX_FIELDS) {
        problem(rd, "mehr als %d Formularfelder", WF_FORM_MAX_FIELDS);
        ok = false;
    }
    if (!ok) {
        json_decref(options);
        return;
    }
    json_t *f = json_pack("{s:s, s:s, s:s, s:b}", "id", id, "type", type, "label", label,
                          "required", required && strcmp(required, "true") == 0);
    if (f && help && *help && json_object_set_new(f, "help", json_string(help)))
        rd->rc = ERR_NOMEM;
    if (f && select && json_object_set(f, "options", options))
        rd->rc = ERR_NOMEM;
    json_decref(options);
    if (!f || json_array_append_new(rd->fields, f))
        rd->rc = ERR_NOMEM;
}

/* Appends an option; false (and a problem) when it is faulty. */
static bool add_option(struct reader *rd, json_t *options, const char *field, const char *value,
                       const char *label)
{
    if (!value || !*value) {
        problem(rd, "Auswahlfeld „%s“: Option ohne Wert", field ? field : "");
        return false;
    }
    if (!valid_utf8_len(value, WF_FORM_MAX_LABEL) ||
        (label && !valid_utf8_len(label, WF_FORM_MAX_LABEL))) {
        problem(rd, "Auswahlfeld „%s“: Option zu lang", field ? field : "");
        return false;
    }
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "value")), value) == 0) {
            problem(rd, "Auswahlfeld „%s“: Option „%s“ ist doppelt", field ? field : "", value);
            return false;
        }
    }
    if (json_array_size(options) >= WF_FORM_MAX_OPTIONS) {
        problem(rd, "Auswahlfeld „%s“: mehr als %d Optionen", field ? field : "",
                WF_FORM_MAX_OPTIONS);
        return false;
    }
    o = json_pack("{s:s, s:s}", "value", value, "label", label && *label ? label : value);
    if (!o || json_array_append_new(options, o))
        rd->rc = ERR_NOMEM;
    return true;
}

static void read_rathaus(struct reader *rd, xmlNodePtr form)
{
    for (xmlNodePtr x = form->children; x; x = x->next) {
        if (x->type != XML_ELEMENT_NODE)
            continue;
        if (!is_el(x, WF_NS, "field")) {
            problem(rd, "unbekanntes Element rathaus:%s im Formular (erlaubt: rathaus:field)",
                    (const char *)x->name);
            continue;
        }
        const char *id = attr(x, "id");
        json_t *options = json_array();
        bool bad = false;
        for (xmlNodePtr o = x->children; o && options; o = o->next) {
            if (o->type != XML_ELEMENT_NODE)
                continue;
            if (!is_el(o, WF_NS, "option")) {
                problem(rd, "Formularfeld „%s“: unbekanntes Element %s (erlaubt: rathaus:option)",
                        id ? id : "", (const char *)o->name);
                bad = true;
                continue;
            }
            bad |= !add_option(rd, options, id, attr(o, "value"), attr(o, "label"));
        }
        if (!options) {
            rd->rc = ERR_NOMEM;
            return;
        }
        if (bad) {
            json_decref(options);
            continue;
        }
        add_field(rd, id, attr(x, "type"), attr(x, "label"), attr(x, "required"), attr(x, "help"),
                  options);
    }
}

/* Camunda's types mapped to ours; NULL for an unsupported one. */
static const char *camunda_type(const char *t)
{
    static const char *const map[][2] = {
        {"string", "text"}, {"long", "number"}, {"boolean", "yesno"},
        {"date", "date"},   {"enum", "select"},
    };
    for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(t, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static void read_camunda(struct reader *rd, xmlNodePtr data)
{
    for (xmlNodePtr x = data->children; x; x = x->next) {
        if (!is_el(x, WF_NS_CAMUNDA, "formField"))
            continue;
        const char *id = attr(x, "id");
        const char *ct = attr(x, "type");
        const char *type = camunda_type(ct);
        const char *required = "false";
        json_t *options = json_array();
        bool bad = false;
        if (!options) {
            rd->rc = ERR_NOMEM;
            return;
        }
        if (!type) {
            problem(rd,
                    "Formularfeld „%s“: Camunda-Typ „%s“ wird nicht unterstützt (string, long, "
                    "boolean, date, enum)",
                    id ? id : "", ct ? ct : "");
            bad = true;
        }
        for (xmlNodePtr o = x->children; o && !bad; o = o->next) {
            if (is_el(o, WF_NS_CAMUNDA, "value"))
                bad |= !add_option(rd, options, id, attr(o, "id"), attr(o, "name"));
            if (!is_el(o, WF_NS_CAMUNDA, "validation"))
                continue;
            for (xmlNodePtr k = o->children; k; k = k->next)
                if (is_el(k, WF_NS_CAMUNDA, "constraint") && attr(k, "name") &&
                    strcmp(attr(k, "name"), "required") == 0)
                    required = "true";
        }
        if (bad) {
            json_decref(options);
            continue;
        }
        const char *label = attr(x, "label");
        add_field(rd, id, type, label && *label ? label : id, required, NULL, options);
    }
}

int wf_form_read(const struct bpmn_node *n, json_t *problems, json_t **ret)
{
    struct reader rd = {.n = n, .problems = problems, .fields = json_array()};
    if (!rd.fields)
        return ERR_NOMEM;
    bool is_user = strcmp(n->type, "userTask") == 0;
    int forms = 0;
    for (xmlNodePtr x = n->ext ? ((xmlNodePtr)n->ext)->children : NULL; x && !rd.rc; x = x->next) {
        bool ours = is_el(x, WF_NS, "form");
        bool camunda = is_el(x, WF_NS_CAMUNDA, "formData");
        if (!ours && !camunda)
            continue;
        if (!is_user) {
            problem(&rd, "Formulare nur an Benutzeraufgaben");
            continue;
        }
        if (forms++) {
            problem(&rd, "mehr als ein Formular an einer Aufgabe");
            continue;
        }
        if (ours)
            read_rathaus(&rd, x);
        else
            read_camunda(&rd, x);
    }
    if (rd.rc) {
        json_decref(rd.fields);
        return rd.rc;
    }
    *ret = rd.fields;
    return 0;
}

/* ---- values ------------------------------------------------------------ */

/* Parses a decimal number "-12", "3.5" or "3,5" (German comma). */
static json_t *number_of(const char *z)
{
    char buf[40];
    size_t k = strlen(z);
    if (!k || k >= sizeof buf)
        return NULL;
    size_t i = 0, digits = 0, seps = 0;
    if (z[0] == '-' || z[0] == '+')
        i++;
    for (; i < k; i++) {
        if (isdigit((unsigned char)z[i]))
            digits++;
        else if ((z[i] == ',' || z[i] == '.') && digits && !seps && i + 1 < k)
            seps++;
        else
            return NULL;
    }
    if (!digits)
        return NULL;
    memcpy(buf, z, k + 1);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    char *end;
    if (!seps && digits <= 15)
        return json_integer((json_int_t)strtoll(buf, &end, 10));
    double v = strtod(buf, &end);
    return *end ? NULL : json_real(v);
}

/* Parses "YYYY-MM-DD" or "TT.MM.JJJJ" into out (ISO); false if not a date. */
static bool date_of(const char *z, char out[11])
{
    char iso[11];
    size_t k = strlen(z);
    if (k == 10 && z[4] == '-' && z[7] == '-') {
        memcpy(iso, z, 11);
    } else if (k == 10 && z[2] == '.' && z[5] == '.') {
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", z + 6, z + 3, z);
    } else {
        return false;
    }
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)iso[i]))
            return false;
    int64_t t;
    char back[32];
    if (rtime_parse_iso(iso, &t))
        return false;
    rtime_iso_utc(t, back, sizeof back);
    if (strncmp(back, iso, 10) != 0)
        return false;
    memcpy(out, iso, 11);
    return true;
}

/* The value of field f in input as text ("" when missing); JSON numbers and
 * booleans are written out in buf. */
static const char *text_of(const json_t *v, char buf[64])
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, 64, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, 64, "%.15g", json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "ja" : "nein";
    return "";
}

static bool blank(const char *z)
{
    while (isspace((unsigned char)*z))
        z++;
    return !*z;
}

/* Types one value; NULL and *why set when it is wrong. */
static json_t *typed(const json_t *f, const char *z, const char **why)
{
    const char *type = json_string_value(json_object_get(f, "type"));
    if (strcmp(type, "text") == 0 || strcmp(type, "textarea") == 0) {
        size_t max = strcmp(type, "text") == 0 ? WF_FORM_MAX_TEXT : WF_FORM_MAX_TEXTAREA;
        if (strlen(z) > max) {
            *why = max == WF_FORM_MAX_TEXT ? "Der Text ist zu lang (höchstens 1000 Zeichen)."
                                           : "Der Text ist zu lang (höchstens 8000 Zeichen).";
            return NULL;
        }
        return json_string(z);
    }
    if (strcmp(type, "number") == 0) {
        json_t *v = number_of(z);
        if (!v)
            *why = "Bitte eine Zahl eingeben, z. B. 12 oder 12,5.";
        return v;
    }
    if (strcmp(type, "date") == 0) {
        char iso[11];
        if (date_of(z, iso))
            return json_string(iso);
        *why = "Bitte ein gültiges Datum eingeben (TT.MM.JJJJ).";
        return NULL;
    }
    if (strcmp(type, "yesno") == 0) {
        if (strcmp(z, "ja") == 0 || strcmp(z, "true") == 0)
            return json_true();
        if (strcmp(z, "nein") == 0 || strcmp(z, "false") == 0)
            return json_false();
        *why = "Bitte „Ja“ oder „Nein“ wählen.";
        return NULL;
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(f, "options"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "value")), z) == 0)
            return json_string(z);
    }
    *why = "Bitte eine der angebotenen Möglichkeiten wählen.";
    return NULL;
}

int wf_form_apply(const json_t *fields, const json_t *input, json_t *vars, json_t **ret_errors)
{
    json_t *values = json_object(), *errors = json_object();
    int rc = values && errors ? 0 : ERR_NOMEM;
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        if (rc)
            break;
        const char *id = json_string_value(json_object_get(f, "id"));
        const char *type = json_string_value(json_object_get(f, "type"));
        char buf[64];
        const char *z = text_of(json_object_get(input, id), buf);
        const char *why = NULL;
        json_t *v = NULL;
        if (blank(z)) {
            if (json_is_true(json_object_get(f, "required")))
                why = strcmp(type, "select") == 0 || strcmp(type, "yesno") == 0
                          ? "Bitte eine Auswahl treffen."
                          : "Bitte füllen Sie dieses Feld aus.";
        } else {
            v = typed(f, z, &why);
        }
        if (why)
            rc = json_object_set_new(errors, id, json_string(why)) ? ERR_NOMEM : 0;
        else if (v)
            rc = json_object_set_new(values, id, v) ? ERR_NOMEM : 0;
    }
    if (!rc && json_object_size(errors)) {
        rc = ERR_INVALID;
        if (ret_errors) {
            *ret_errors = errors;
            errors = NULL;
        }
    }
    if (!rc && json_object_update(vars, values))
        rc = ERR_NOMEM;
    json_decref(values);
    json_decref(errors);
    return rc;
}
