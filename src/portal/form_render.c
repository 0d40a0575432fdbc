/* HTML and text renderings of a form: one step's fieldsets with labels, help,
 * condition hints and errors wired by aria-describedby; the error summary;
 * the review page; and the readable summary for the PDF and the staff view.
 * Every text from a definition or an applicant goes through str_add_html. */
#include <stdio.h>
#include <string.h>

#include "portal/form_int.h"

/* Appends NUL-terminated z escaped. */
static void esc(struct str *out, const char *z)
{
    (void)str_add_html(out, z, strlen(z));
}

/* ---- values as text -------------------------------------------------------- */

static const char *option_label(const struct form__field *f, const char *value)
{
    for (size_t i = 0; i < f->n_opts; i++)
        if (strcmp(f->opts[i].value, value) == 0)
            return f->opts[i].label;
    return value;
}

/* Appends a canonical IBAN in groups of four ("DE89 3704 …"). */
static void add_iban(struct str *out, const char *z)
{
    for (size_t i = 0; z[i]; i++) {
        if (i && i % 4 == 0)
            (void)str_addc(out, ' ');
        (void)str_addc(out, z[i]);
    }
}

/* Appends an ISO date as "TT.MM.JJJJ" (other strings as they are). */
static void add_date(struct str *out, const char *z)
{
    char iso[11];
    if (form_date_parse(z, iso) && strcmp(iso, z) == 0)
        str_addf(out, "%.2s.%.2s.%.4s", z + 8, z + 5, z);
    else
        (void)str_adds(out, z);
}

static void add_size(struct str *out, json_int_t bytes)
{
    if (bytes >= 1024 * 1024) {
        form__add_number(out, (double)((bytes * 10 + 512 * 1024) / (1024 * 1024)) / 10.0);
        (void)str_adds(out, " MB");
    } else {
        form__add_number(out, (double)((bytes + 1023) / 1024));
        (void)str_adds(out, " KB");
    }
}

int form__value_text(const struct form_def *d, size_t f, const json_t *v, struct str *out)
{
    const struct form__field *fd = &d->fields[f];
    if (!v || json_is_null(v))
        return out->err;
    if (json_is_boolean(v)) {
        (void)str_adds(out, json_is_true(v) ? "ja" : "nein");
    } else if (json_is_number(v)) {
        form__add_number(out, json_number_value(v));
    } else if (json_is_string(v)) {
        const char *z = json_string_value(v);
        switch (fd->type) {
        case FORM__DATE: add_date(out, z); break;
        case FORM__IBAN: add_iban(out, z); break;
        case FORM__SELECT:
        case FORM__RADIO: (void)str_adds(out, option_label(fd, z)); break;
        default: (void)str_adds(out, z); break;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e))
                continue;
            if (i)
                (void)str_adds(out, ", ");
            (void)str_adds(out, option_label(fd, json_string_value(e)));
        }
    } else if (json_is_object(v)) {
        const char *name = json_string_value(json_object_get(v, "name"));
        json_t *size = json_object_get(v, "size");
        (void)str_adds(out, name ? name : "Datei");
        if (json_is_integer(size)) {
            (void)str_adds(out, " (");
            add_size(out, json_integer_value(size));
            (void)str_adds(out, ")");
        }
    }
    return out->err;
}

/* The value as it goes back into an input: dates as TT.MM.JJJJ, IBANs in
 * groups, numbers with a decimal comma, anything else as entered. */
static void add_input_value(struct str *out, const struct form__field *f, const json_t *v)
{
    struct str t;
    str_init(&t, 0);
    if (json_is_string(v)) {
        if (f->type == FORM__DATE)
            add_date(&t, json_string_value(v));
        else if (f->type == FORM__IBAN)
            add_iban(&t, json_string_value(v));
        else
            (void)str_adds(&t, json_string_value(v));
    } else if (json_is_number(v)) {
        form__add_number(&t, json_number_value(v));
    }
    (void)str_add_html(out, t.buf, t.len);
    if (t.err && !out->err)
        out->err = t.err;
    str_release(&t);
}

/* ---- pieces of a field ---------------------------------------------------------- */

/* What one field needs to be drawn. */
struct fctx {
    const struct form_def *d;
    const json_t *data;  /* all Antragsdaten (for condition hints) */
    size_t f;            /* field index */
    const char *name;    /* HTML name and id */
    const json_t *value; /* current value or NULL */
    const char *error;   /* error message or NULL */
};

/* Appends the condition hint text of c: "Nur ausfüllen, wenn Sie bei „X“
 * „Ja“ angegeben haben." */
static void add_cond_text(struct str *out, const struct form_def *d, const struct form__cond *c)
{
    const struct form__field *rf = &d->fields[c->field];
    size_t n = c->equals ? 1 : json_array_size(c->in);
    (void)str_adds(out, "Nur ausfüllen, wenn Sie bei „");
    esc(out, rf->label);
    (void)str_adds(out, "“ ");
    for (size_t i = 0; i < n; i++) {
        const json_t *w = c->equals ? c->equals : json_array_get(c->in, i);
        if (i)
            (void)str_adds(out, i + 1 == n ? " oder " : ", ");
        (void)str_adds(out, "„");
        if (json_is_boolean(w)) {
            (void)str_adds(out, json_is_true(w) ? "Ja" : "Nein");
        } else if (json_is_number(w)) {
            form__add_number(out, json_number_value(w));
        } else if (rf->type == FORM__YESNO || (rf->type == FORM__CHECKBOX && !rf->n_opts)) {
            const char *z = json_string_value(w);
            (void)str_adds(out, strcmp(z, "ja") == 0 || strcmp(z, "true") == 0 ? "Ja" : "Nein");
        } else {
            esc(out, option_label(rf, json_string_value(w)));
        }
        (void)str_adds(out, "“");
    }
    (void)str_adds(out, rf->type == FORM__CHECKBOX && !rf->n_opts ? " gewählt haben."
                                                                  : " angegeben haben.");
}

/* Appends the ids for aria-describedby (without the attribute). */
static void add_describedby(struct str *out, const struct fctx *c, bool hint)
{
    const struct form__field *f = &c->d->fields[c->f];
    const char *sep = "";
    if (f->help) {
        str_addf(out, "%s%s-hilfe", sep, c->name);
        sep = " ";
    }
    if (hint) {
        str_addf(out, "%s%s-format", sep, c->name);
        sep = " ";
    }
    if (f->cond.field != FORM__NONE) {
        str_addf(out, "%s%s-bedingung", sep, c->name);
        sep = " ";
    }
    if (c->error)
        str_addf(out, "%s%s-fehler", sep, c->name);
}

static bool has_describedby(const struct fctx *c, bool hint)
{
    const struct form__field *f = &c->d->fields[c->f];
    return f->help || hint || f->cond.field != FORM__NONE || c->error;
}

/* Appends the attributes every control of the field carries. */
static void add_aria(struct str *out, const struct fctx *c, bool hint, bool required)
{
    if (has_describedby(c, hint)) {
        (void)str_adds(out, " aria-describedby=\"");
        add_describedby(out, c, hint);
        (void)str_adds(out, "\"");
    }
    if (c->error)
        (void)str_adds(out, " aria-invalid=\"true\"");
    if (required && c->d->fields[c->f].required)
        (void)str_adds(out, " aria-required=\"true\"");
}

static void add_required(struct str *out, const struct form__field *f)
{
    if (f->required)
        (void)str_adds(out, " <span class=\"pflicht\">(Pflichtfeld)</span>");
}

/* The format hint of a field (id "<name>-format"), or nothing. */
static bool add_hint(struct str *out, const struct fctx *c)
{
    const struct form__field *f = &c->d->fields[c->f];
    switch (f->type) {
    case FORM__DATE:
        str_addf(
            out,
            "<p class=\"hilfe\" id=\"%s-format\">Format: TT.MM.JJJJ, zum Beispiel 31.12.2026</p>\n",
            c->name);
        return true;
    case FORM__IBAN:
        str_addf(
            out,
            "<p class=\"hilfe\" id=\"%s-format\">Zum Beispiel DE89 3704 0044 0532 0130 00</p>\n",
            c->name);
        return true;
    case FORM__FILE: {
        str_addf(out, "<p class=\"hilfe\" id=\"%s-format\">Erlaubt: ", c->name);
        for (size_t i = 0; i < f->n_accept; i++) {
            static const struct {
                const char *mime, *name;
            } NAMES[] = {{"application/pdf", "PDF"},
                         {"image/jpeg", "JPEG"},
                         {"image/png", "PNG"},
                         {"image/tiff", "TIFF"},
                         {"image/*", "Bilder"}};
            const char *nm = f->accept[i];
            for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; k++)
                if (strcmp(nm, NAMES[k].mime) == 0)
                    nm = NAMES[k].name;
            if (i)
                (void)str_adds(out, ", ");
            esc(out, nm);
        }
        if (f->max_bytes > 0) {
            (void)str_adds(out, "; höchstens ");
            add_size(out, (json_int_t)f->max_bytes);
        }
        (void)str_adds(out, ".");
        const json_t *v = c->value;
        if (json_is_object(v) && json_string_value(json_object_get(v, "name"))) {
            (void)str_adds(out, " Bereits hochgeladen: ");
            struct str t;
            str_init(&t, 0);
            if (form__value_text(c->d, c->f, v, &t))
                out->err = out->err ? out->err : ERR_NOMEM;
            (void)str_add_html(out, t.buf, t.len);
            str_release(&t);
            (void)str_adds(out, ". Wenn Sie eine andere Datei wählen, ersetzt sie diese.");
        }
        (void)str_adds(out, "</p>\n");
        return true;
    }
    default: return false;
    }
}

/* Help, condition and error paragraphs (in this order, before the control). */
static bool add_texts(struct str *out, const struct fctx *c)
{
    const struct form__field *f = &c->d->fields[c->f];
    if (f->help) {
        str_addf(out, "<p class=\"hilfe\" id=\"%s-hilfe\">", c->name);
        esc(out, f->help);
        (void)str_adds(out, "</p>\n");
    }
    bool hint = add_hint(out, c);
    if (f->cond.field != FORM__NONE) {
        str_addf(out, "<p class=\"hilfe bedingung\" id=\"%s-bedingung\">", c->name);
        add_cond_text(out, c->d, &f->cond);
        (void)str_adds(out, "</p>\n");
    }
    if (c->error) {
        str_addf(
            out,
            "<p class=\"fehler\" id=\"%s-fehler\"><span class=\"nur-vorlesen\">Fehler: </span>",
            c->name);
        esc(out, c->error);
        (void)str_adds(out, "</p>\n");
    }
    return hint;
}

static bool value_is(const json_t *v, const char *option)
{
    if (json_is_string(v))
        return strcmp(json_string_value(v), option) == 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (json_is_string(e) && strcmp(json_string_value(e), option) == 0)
                return true;
        }
    }
    return false;
}

/* Radio buttons, checkboxes with options and yes/no: a fieldset of choices. */
static void render_choices(struct str *out, const struct fctx *c)
{
    const struct form__field *f = &c->d->fields[c->f];
    bool radio = f->type != FORM__CHECKBOX;
    str_addf(out, "<fieldset class=\"feld\"");
    if (has_describedby(c, false)) {
        (void)str_adds(out, " aria-describedby=\"");
        add_describedby(out, c, false);
        (void)str_adds(out, "\"");
    }
    (void)str_adds(out, ">\n<legend>");
    esc(out, f->label);
    add_required(out, f);
    (void)str_adds(out, "</legend>\n");
    (void)add_texts(out, c);
    size_t n = f->type == FORM__YESNO ? 2 : f->n_opts;
    for (size_t i = 0; i < n; i++) {
        const char *value, *label;
        bool checked;
        if (f->type == FORM__YESNO) {
            value = i == 0 ? "ja" : "nein";
            label = i == 0 ? "Ja" : "Nein";
            checked = json_is_boolean(c->value) && json_is_true(c->value) == (i == 0);
        } else {
            value = f->opts[i].value;
            label = f->opts[i].label;
            checked = value_is(c->value, value);
        }
        (void)str_adds(out, "<div class=\"wahl\"><input type=\"");
        (void)str_adds(out, radio ? "radio" : "checkbox");
        if (i == 0)
            str_addf(out, "\" id=\"%s\"", c->name);
        else
            str_addf(out, "\" id=\"%s-%zu\"", c->name, i + 1);
        str_addf(out, " name=\"%s\" value=\"", c->name);
        esc(out, value);
        (void)str_adds(out, "\"");
        if (checked)
            (void)str_adds(out, " checked");
        if (c->error)
            (void)str_adds(out, " aria-invalid=\"true\"");
        if (i == 0)
            str_addf(out, "><label for=\"%s\">", c->name);
        else
            str_addf(out, "><label for=\"%s-%zu\">", c->name, i + 1);
        esc(out, label);
        (void)str_adds(out, "</label></div>\n");
    }
    (void)str_adds(out, "</fieldset>\n");
}

static void render_field(struct str *out, const struct fctx *c)
{
    const struct form__field *f = &c->d->fields[c->f];
    if (f->type == FORM__RADIO || f->type == FORM__YESNO ||
        (f->type == FORM__CHECKBOX && f->n_opts)) {
        render_choices(out, c);
        return;
    }
    str_addf(out, "<div class=\"feld\">\n");
    if (f->type == FORM__CHECKBOX) {
        /* A single checkbox: texts first, then the box with its label beside it. */
        bool hint = add_texts(out, c);
        str_addf(out,
                 "<div class=\"wahl\"><input type=\"checkbox\" id=\"%s\" name=\"%s\" value=\"ja\"",
                 c->name, c->name);
        if (json_is_true(c->value))
            (void)str_adds(out, " checked");
        add_aria(out, c, hint, true);
        str_addf(out, "><label for=\"%s\">", c->name);
        esc(out, f->label);
        add_required(out, f);
        (void)str_adds(out, "</label></div>\n</div>\n");
        return;
    }
    str_addf(out, "<label for=\"%s\">", c->name);
    esc(out, f->label);
    add_required(out, f);
    (void)str_adds(out, "</label>\n");
    bool hint = add_texts(out, c);
    const char *ac = f->autocomplete;
    switch (f->type) {
    case FORM__TEXTAREA: (void)str_adds(out, "<textarea rows=\"5\""); break;
    case FORM__SELECT:
        str_addf(out, "<select id=\"%s\" name=\"%s\"", c->name, c->name);
        if (ac) {
            (void)str_adds(out, " autocomplete=\"");
            esc(out, ac);
            (void)str_adds(out, "\"");
        }
        add_aria(out, c, hint, true);
        (void)str_adds(out, ">\n<option value=\"\">Bitte auswählen</option>\n");
        for (size_t i = 0; i < f->n_opts; i++) {
            (void)str_adds(out, "<option value=\"");
            esc(out, f->opts[i].value);
            (void)str_adds(out, "\"");
            if (value_is(c->value, f->opts[i].value))
                (void)str_adds(out, " selected");
            (void)str_adds(out, ">");
            esc(out, f->opts[i].label);
            (void)str_adds(out, "</option>\n");
        }
        (void)str_adds(out, "</select>\n</div>\n");
        return;
    case FORM__FILE:
        str_addf(out, "<input type=\"file\" id=\"%s\" name=\"%s\" accept=\"", c->name, c->name);
        for (size_t i = 0; i < f->n_accept; i++) {
            if (i)
                (void)str_addc(out, ',');
            esc(out, f->accept[i]);
        }
        (void)str_adds(out, "\"");
        add_aria(out, c, hint, true);
        (void)str_adds(out, ">\n</div>\n");
        return;
    case FORM__NUMBER:
        str_addf(out, "<input type=\"text\" inputmode=\"%s\" class=\"kurz\"",
                 f->numstep == 1 ? "numeric" : "decimal");
        break;
    case FORM__DATE: (void)str_adds(out, "<input type=\"text\" class=\"kurz\""); break;
    case FORM__EMAIL: (void)str_adds(out, "<input type=\"email\" spellcheck=\"false\""); break;
    case FORM__PHONE: (void)str_adds(out, "<input type=\"tel\""); break;
    case FORM__POSTCODE:
        (void)str_adds(out, "<input type=\"text\" inputmode=\"numeric\" class=\"kurz\"");
        break;
    case FORM__IBAN: (void)str_adds(out, "<input type=\"text\" spellcheck=\"false\""); break;
    default: (void)str_adds(out, "<input type=\"text\""); break;
    }
    str_addf(out, " id=\"%s\" name=\"%s\"", c->name, c->name);
    if (f->type != FORM__TEXTAREA) {
        (void)str_adds(out, " value=\"");
        add_input_value(out, f, c->value);
        (void)str_adds(out, "\"");
    }
    if (ac) {
        (void)str_adds(out, " autocomplete=\"");
        esc(out, ac);
        (void)str_adds(out, "\"");
    }
    add_aria(out, c, hint, true);
    if (f->type == FORM__TEXTAREA) {
        (void)str_adds(out, ">");
        add_input_value(out, f, c->value);
        (void)str_adds(out, "</textarea>\n</div>\n");
        return;
    }
    (void)str_adds(out, ">\n</div>\n");
}

/* ---- steps ------------------------------------------------------------------------ */

static const char *error_for(const json_t *errors, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *f = json_string_value(json_object_get(e, "field"));
        if (f && strcmp(f, name) == 0)
            return json_string_value(json_object_get(e, "message"));
    }
    return NULL;
}

/* The HTML id of group g: its id, or "gruppe-nr<n>" ('-' keeps it apart from
 * field ids). */
static void group_html_id(const struct form_def *d, size_t g, char *buf, size_t n)
{
    if (d->groups[g].id)
        snprintf(buf, n, "%s", d->groups[g].id);
    else
        snprintf(buf, n, "gruppe-nr%zu", g + 1);
}

/* Opens a group: fieldset and legend (or a div without legend), help,
 * condition and error. */
static void open_group(struct str *out, const struct form_def *d, size_t g, const char *error)
{
    const struct form__group *gr = &d->groups[g];
    char hid[80];
    group_html_id(d, g, hid, sizeof hid);
    bool described = gr->help || gr->cond.field != FORM__NONE || error;
    str_addf(out, "<%s class=\"gruppe\" id=\"%s\"", gr->legend ? "fieldset" : "div", hid);
    if (described && gr->legend) {
        const char *sep = "";
        (void)str_adds(out, " aria-describedby=\"");
        if (gr->help) {
            str_addf(out, "%s-hilfe", hid);
            sep = " ";
        }
        if (gr->cond.field != FORM__NONE) {
            str_addf(out, "%s%s-bedingung", sep, hid);
            sep = " ";
        }
        if (error)
            str_addf(out, "%s%s-fehler", sep, hid);
        (void)str_adds(out, "\"");
    }
    (void)str_adds(out, ">\n");
    if (gr->legend) {
        (void)str_adds(out, "<legend>");
        esc(out, gr->legend);
        (void)str_adds(out, "</legend>\n");
    }
    if (gr->help) {
        str_addf(out, "<p class=\"hilfe\" id=\"%s-hilfe\">", hid);
        esc(out, gr->help);
        (void)str_adds(out, "</p>\n");
    }
    if (gr->cond.field != FORM__NONE) {
        str_addf(out, "<p class=\"hilfe bedingung\" id=\"%s-bedingung\">", hid);
        add_cond_text(out, d, &gr->cond);
        (void)str_adds(out, "</p>\n");
    }
    if (error) {
        str_addf(
            out,
            "<p class=\"fehler\" id=\"%s-fehler\"><span class=\"nur-vorlesen\">Fehler: </span>",
            hid);
        esc(out, error);
        (void)str_adds(out, "</p>\n");
    }
}

static void render_group(struct str *out, const struct form_def *d, size_t g, const json_t *data,
                         const json_t *errors)
{
    const struct form__group *gr = &d->groups[g];
    char hid[80];
    group_html_id(d, g, hid, sizeof hid);
    open_group(out, d, g, gr->repeat ? error_for(errors, gr->id) : NULL);
    if (!gr->repeat) {
        for (size_t k = 0; k < gr->n; k++) {
            size_t f = gr->first + k;
            struct fctx c = {.d = d,
                             .data = data,
                             .f = f,
                             .name = d->fields[f].id,
                             .value = json_object_get(data, d->fields[f].id),
                             .error = error_for(errors, d->fields[f].id)};
            render_field(out, &c);
        }
        str_addf(out, "</%s>\n", gr->legend ? "fieldset" : "div");
        return;
    }
    const json_t *arr = json_object_get(data, gr->id);
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (n < gr->rmin)
        n = gr->rmin;
    if (n > FORM_MAX_REPEAT)
        n = FORM_MAX_REPEAT;
    struct str name;
    str_init(&name, 0);
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(arr, i);
        str_addf(out, "<fieldset class=\"eintrag\" id=\"%s.%zu\">\n<legend>", gr->id, i);
        esc(out, gr->item);
        str_addf(out, " %zu</legend>\n", i + 1);
        for (size_t k = 0; k < gr->n; k++) {
            size_t f = gr->first + k;
            str_reset(&name);
            str_addf(&name, "%s.%zu.%s", gr->id, i, d->fields[f].id);
            struct fctx c = {.d = d,
                             .data = data,
                             .f = f,
                             .name = name.buf,
                             .value = json_object_get(entry, d->fields[f].id),
                             .error = error_for(errors, name.buf)};
            render_field(out, &c);
        }
        if (n > gr->rmin) {
            str_addf(out,
                     "<button type=\"submit\" class=\"knopf-leise\" name=\"%s\" value=\"%s.%zu\">",
                     FORM_REMOVE_BUTTON, gr->id, i);
            esc(out, gr->item);
            str_addf(out, " %zu entfernen</button>\n", i + 1);
        }
        (void)str_adds(out, "</fieldset>\n");
    }
    if (name.err && !out->err)
        out->err = name.err;
    str_release(&name);
    if (n == 0)
        (void)str_adds(out, "<p class=\"leer\">Noch kein Eintrag.</p>\n");
    if (n < gr->rmax) {
        str_addf(out, "<button type=\"submit\" class=\"knopf-leise\" name=\"%s\" value=\"%s\">",
                 FORM_ADD_BUTTON, gr->id);
        (void)str_adds(out, "Weiteren Eintrag hinzufügen<span class=\"nur-vorlesen\">: ");
        esc(out, gr->item);
        (void)str_adds(out, "</span></button>\n");
    }
    (void)str_adds(out, "</fieldset>\n");
}

int form_render_step(const struct form_def *d, int step, const json_t *data, const json_t *errors,
                     struct str *out)
{
    if (step < 0 || (size_t)step >= d->n_steps)
        return ERR_INVALID;
    const struct form__step *st = &d->steps[step];
    if (st->help) {
        (void)str_adds(out, "<p class=\"hilfe\">");
        esc(out, st->help);
        (void)str_adds(out, "</p>\n");
    }
    for (size_t g = st->first; g < st->first + st->n; g++)
        render_group(out, d, g, data, errors);
    return out->err;
}

int form_render_errors(const json_t *errors, struct str *out)
{
    size_t n = json_array_size(errors), i;
    json_t *e;
    if (n == 0)
        return out->err;
    (void)str_adds(out, "<div class=\"fehler-liste\" role=\"alert\" tabindex=\"-1\" "
                        "aria-labelledby=\"fehler-liste-titel\" id=\"fehler-liste\">\n"
                        "<h2 id=\"fehler-liste-titel\">");
    if (n == 1)
        (void)str_adds(out, "Bitte prüfen Sie eine Angabe");
    else
        str_addf(out, "Bitte prüfen Sie %zu Angaben", n);
    (void)str_adds(out, "</h2>\n<ul>\n");
    json_array_foreach(errors, i, e)
    {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *label = json_string_value(json_object_get(e, "label"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (!msg)
            continue;
        (void)str_adds(out, "<li>");
        if (field && *field) {
            (void)str_adds(out, "<a href=\"#");
            esc(out, field);
            (void)str_adds(out, "\">");
        }
        /* The label in front unless the message names it already. */
        if (label && *label && !strstr(msg, label)) {
            esc(out, label);
            (void)str_adds(out, ": ");
        }
        esc(out, msg);
        if (field && *field)
            (void)str_adds(out, "</a>");
        (void)str_adds(out, "</li>\n");
    }
    (void)str_adds(out, "</ul>\n</div>\n");
    return out->err;
}

/* ---- review and summary --------------------------------------------------------------- */

/* Whether field f has a value worth showing (visible and filled). */
static const json_t *shown_value(const struct form_def *d, const json_t *data, const json_t *entry,
                                 size_t f)
{
    const json_t *v = form__value(d, data, entry, f);
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
        (json_is_array(v) && json_array_size(v) == 0))
        return NULL;
    return form__field_visible(d, data, entry, f) ? v : NULL;
}

/* Appends <dl> with the shown fields of group g (in entry, or top level);
 * returns how many it wrote (none: no <dl>). */
static size_t review_fields(struct str *out, const struct form_def *d, const json_t *data,
                            const json_t *entry, size_t g)
{
    const struct form__group *gr = &d->groups[g];
    size_t n = 0;
    for (size_t k = 0; k < gr->n; k++) {
        size_t f = gr->first + k;
        const json_t *v = shown_value(d, data, entry, f);
        if (!v)
            continue;
        struct str t;
        str_init(&t, 0);
        if (form__value_text(d, f, v, &t) && !out->err)
            out->err = ERR_NOMEM;
        (void)str_adds(out, n++ ? "<dt>" : "<dl class=\"daten\">\n<dt>");
        esc(out, d->fields[f].label);
        (void)str_adds(out, d->fields[f].type == FORM__TEXTAREA ? "</dt>\n<dd class=\"mehrzeilig\">"
                                                                : "</dt>\n<dd>");
        (void)str_add_html(out, t.buf, t.len);
        (void)str_adds(out, "</dd>\n");
        str_release(&t);
    }
    if (n)
        (void)str_adds(out, "</dl>\n");
    return n;
}

int form_render_review(const struct form_def *d, const json_t *data, struct str *out)
{
    for (size_t s = 0; s < d->n_steps; s++) {
        const struct form__step *st = &d->steps[s];
        size_t count = 0;
        (void)str_adds(out, "<h2>");
        esc(out, st->title);
        (void)str_adds(out, "</h2>\n");
        for (size_t g = st->first; g < st->first + st->n; g++) {
            const struct form__group *gr = &d->groups[g];
            if (!form__group_visible(d, data, g))
                continue;
            if (!gr->repeat) {
                /* The legend goes first, so write into a scratch string and
                 * keep it only when the group shows anything. */
                struct str part;
                str_init(&part, 0);
                size_t n = review_fields(&part, d, data, NULL, g);
                if (n && gr->legend) {
                    (void)str_adds(out, "<h3>");
                    esc(out, gr->legend);
                    (void)str_adds(out, "</h3>\n");
                }
                (void)str_add(out, part.buf, part.len);
                if (part.err && !out->err)
                    out->err = part.err;
                str_release(&part);
                count += n;
                continue;
            }
            const json_t *arr = json_object_get(data, gr->id);
            if (json_array_size(arr) == 0)
                continue;
            (void)str_adds(out, "<h3>");
            esc(out, gr->legend);
            (void)str_adds(out, "</h3>\n");
            for (size_t i = 0; i < json_array_size(arr) && i < FORM_MAX_REPEAT; i++) {
                (void)str_adds(out, "<h4>");
                esc(out, gr->item);
                str_addf(out, " %zu</h4>\n", i + 1);
                size_t n = review_fields(out, d, data, json_array_get(arr, i), g);
                if (n == 0)
                    (void)str_adds(out, "<p class=\"leer\">Keine Angaben.</p>\n");
                count += n + 1;
            }
        }
        if (count == 0)
            (void)str_adds(out, "<p class=\"leer\">Keine Angaben.</p>\n");
    }
    return out->err;
}

/* Appends one {step, label, value} to list. */
static int summary_add(const struct form_def *d, size_t s, const char *label, size_t f,
                       const json_t *v, json_t *list)
{
    struct str t;
    int rc = 0;
    str_init(&t, 0);
    if (form__value_text(d, f, v, &t)) {
        rc = ERR_NOMEM;
    } else {
        json_t *e =
            json_pack("{s:s, s:s, s:s}", "step", d->steps[s].title, "label", label, "value", t.buf);
        if (!e || json_array_append_new(list, e))
            rc = ERR_NOMEM;
    }
    str_release(&t);
    return rc;
}

int form_summary(const struct form_def *d, const json_t *data, json_t **ret)
{
    json_t *list = json_array();
    struct str label;
    int rc = 0;
    str_init(&label, 0);
    if (!list)
        return ERR_NOMEM;
    for (size_t g = 0; g < d->n_groups && !rc; g++) {
        const struct form__group *gr = &d->groups[g];
        if (!form__group_visible(d, data, g))
            continue;
        const json_t *arr = gr->repeat ? json_object_get(data, gr->id) : NULL;
        size_t entries = gr->repeat ? json_array_size(arr) : 1;
        for (size_t i = 0; i < entries && i < FORM_MAX_REPEAT && !rc; i++) {
            const json_t *entry = gr->repeat ? json_array_get(arr, i) : NULL;
            for (size_t k = 0; k < gr->n && !rc; k++) {
                size_t f = gr->first + k;
                const json_t *v = shown_value(d, data, entry, f);
                if (!v)
                    continue;
                form__label(d, f, i, &label);
                rc = label.err ? label.err : summary_add(d, gr->step, label.buf, f, v, list);
            }
        }
    }
    str_release(&label);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *ret = list;
    return 0;
}
