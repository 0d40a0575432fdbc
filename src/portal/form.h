/* The form engine of the online services: parses a form definition (the
 * "form" object of a service, docs/formulare.md), checks what an applicant
 * entered step by step, and renders steps, the review page and a readable
 * summary. Everything is decided on the server; the pages work without
 * JavaScript. Field names in HTML are the field ids; an entry of a
 * repeatable group uses "<group>.<index>.<field>" (index from 0). */
#ifndef RATHAUS_PORTAL_FORM_H
#define RATHAUS_PORTAL_FORM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"
#include "http/form.h"

#define FORM_DEF_MAX_FIELDS 2000 /* fields of one definition (repeat items not counted) */
#define FORM_DEF_MAX_STEPS 50    /* steps of one definition */
#define FORM_MAX_REPEAT 50       /* entries of a repeatable group */
#define FORM_DEF_MAX_GROUPS 1000 /* groups of one definition */
#define FORM_DEF_MAX_OPTIONS 500 /* options of one select/radio/checkbox field */
#define FORM_DEF_MAX_RULES 500   /* cross-field rules of one definition */
#define FORM_DEF_MAX_TEXT 4000   /* bytes of one text of a definition (label, help, message) */
#define FORM_MAX_VALUE 20000 /* bytes of one entered value (text fields: also the default max) */
#define FORM_NUMBER_MAX 1e15 /* largest magnitude of a number field's value */

/* The server-side buttons of a repeatable group (they work without
 * JavaScript). form_render_step writes, per repeatable group g,
 *   <button type="submit" name="form-add" value="g">Weiteren Eintrag hinzufügen</button>
 * and per entry i (when more than repeat.min entries exist)
 *   <button type="submit" name="form-remove" value="g.i">… entfernen</button>.
 * form_collect sees them in the POST body and appends an empty entry to
 * data["g"] (up to repeat.max), or leaves out entry i (numbered as shown)
 * while collecting. A caller
 * that finds either name in the body (form_get(in, FORM_ADD_BUTTON)) should
 * show the same step again instead of moving on, usually without errors. The
 * names contain '-', which field ids cannot, so they never clash. */
#define FORM_ADD_BUTTON "form-add"
#define FORM_REMOVE_BUTTON "form-remove"

struct form_def;

/* Parses and checks a definition (borrowed; the result keeps its own
 * reference). ERR_INVALID with a German reason naming the step/group/field
 * id in why (may be NULL): unknown type, duplicate id, show_if naming an
 * unknown field, bad pattern, rule over unknown fields … ERR_NOMEM. */
int form_def_parse(const json_t *form, struct form_def **ret, struct str *why) WUR;

/* Frees a definition. Accepts NULL. */
void form_def_free(struct form_def *d);

/* Number of steps; the title of step i (0-based). */
size_t form_def_steps(const struct form_def *d);
const char *form_def_step_title(const struct form_def *d, size_t i);

/* Number of fields (a repeatable group's fields counted once). */
size_t form_def_fields(const struct form_def *d);

/* Whether step (0-based; -1 = any step) has a file field, so its <form>
 * needs enctype="multipart/form-data". False for a step out of range. */
bool form_def_step_has_files(const struct form_def *d, int step);

/* The step (0-based) of an error's field as form_collect names it: a field
 * id ("vorname"), an entry's field ("kinder.0.name") or a repeatable group's
 * id ("kinder"); -1 when the form has no such field. For sending the
 * applicant to the first step with an error after form_validate. */
int form_def_field_step(const struct form_def *d, const char *name);

/* An uploaded file already checked and kept by the caller: the caller
 * decides the type with libmagic (rec_content_type) before calling collect. */
struct form_upload {
    const char *field;  /* HTML field name, e.g. "nachweis" or "kinder.0.urkunde" */
    const char *name;   /* client's file name */
    const char *mime;   /* type from the content */
    size_t size;        /* bytes */
    const char *sha256; /* hex */
};

/* Takes the fields of step (0-based; -1 = all steps) from in (the parsed
 * POST body) and uploads (n of them, may be 0) into data (a JSON object of
 * Antragsdaten, updated in place: the step's old values are replaced, other
 * steps' values stay). Values are normalised (dates to ISO, IBAN without
 * spaces, numbers as numbers). Checks the step's fields and every rule whose
 * fields are all known; *ret_errors gets a new JSON array of {field, label,
 * message} (HTML field name, label, German message), empty when all is well.
 * Hidden fields (show_if false) are dropped from data. Returns 0 also when
 * there are errors; ERR_NOMEM; ERR_INVALID for step out of range.
 * Details: a value that cannot be normalised (a number "zwölf", a date
 * "31.04.2026") is kept as typed, so the page shows it again, and reported.
 * A file field without a new upload keeps the file it has in data (so
 * earlier uploads need not be passed again; after entries closed up or one
 * was removed, an old upload passed under its old name would land in the
 * wrong entry). Entries of a
 * repeatable group that come back completely empty are dropped (indices close
 * up), then empty entries are added up to repeat.min. A rule's message goes to
 * field a when a is on the collected step, else to b. Keys of data that the
 * form does not know are dropped. See FORM_ADD_BUTTON for the add/remove
 * buttons. */
int form_collect(const struct form_def *d, int step, const struct form *in,
                 const struct form_upload *uploads, size_t n, json_t *data,
                 json_t **ret_errors) WUR;

/* Checks complete Antragsdaten (e.g. from the API or a resumed draft) against
 * every step and rule, like form_collect(d, -1, …) without input:
 * *ret_errors as there. Values must be in their normalised form (a number as
 * a JSON number, a date as "JJJJ-MM-TT", an IBAN without spaces); keys the
 * form does not know are reported ("Diese Angabe gehört nicht zum
 * Formular."); hidden fields are ignored. */
int form_validate(const struct form_def *d, const json_t *data, json_t **ret_errors) WUR;

/* Appends the HTML of step (its fieldsets with labels, help texts, current
 * values from data, and per-field errors from errors as produced by
 * form_collect, with aria-describedby and aria-invalid) to out. The caller
 * writes <form>, the CSRF field, the error summary (form_render_errors) and
 * the buttons. All text escaped. HTML ids: a field's id is its name (the
 * first option of a radio/checkbox group; the others "<name>-2", …); its
 * texts are "<name>-hilfe", "-format", "-bedingung" and "-fehler"; a group's
 * fieldset has the group id (or "gruppe-nr<n>"), an entry "<group>.<i>". Ids
 * with '-' cannot clash with field ids. */
int form_render_step(const struct form_def *d, int step, const json_t *data, const json_t *errors,
                     struct str *out) WUR;

/* Appends the error summary (role=alert, heading, list of links to #field
 * ids) for errors; nothing when errors is empty. The summary is
 * <div id="fehler-liste" tabindex="-1">, so a page may focus it. */
int form_render_errors(const json_t *errors, struct str *out) WUR;

/* Appends the review page's content: per step a heading and a <dl> of
 * label/value (visible, filled fields only). Headings: <h2> per step, <h3>
 * per group with a legend, <h4> per entry of a repeatable group ("Kind 1");
 * a step without entries says "Keine Angaben.". */
int form_render_review(const struct form_def *d, const json_t *data, struct str *out) WUR;

/* The readable summary for the PDF rendering and the staff view: a new JSON
 * array of {step, label, value} with values as German text ("ja", "12.03.2026",
 * "DE89 3704 …", file names). step is the step's title; inside a
 * repeatable group label reads "Vorname (Kind 2)", and a label that two
 * fields share gets its group's legend: "Straße (Baugrundstück)" (so do the
 * labels of errors). */
int form_summary(const struct form_def *d, const json_t *data, json_t **ret) WUR;

/* Unit helpers, exported for tests and the XDatenfelder import. */
bool form_iban_valid(const char *iban);    /* ISO 13616 length + mod 97; spaces, lower case ok */
bool form_postcode_valid(const char *plz); /* five digits, not 00… */
bool form_email_valid(const char *email);
bool form_phone_valid(const char *phone);
/* Parses "JJJJ-MM-TT" or "TT.MM.JJJJ" into ISO out; false for no real date. */
bool form_date_parse(const char *in, char out[11]);

#endif
