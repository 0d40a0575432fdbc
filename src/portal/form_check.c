/* Checking Antragsdaten: the validators of the field types (IBAN, dates,
 * postcodes …), visibility by show_if, and the checker of steps and rules
 * behind form_validate and form_collect (form_collect.c), so a value that
 * passed a step passes the final check too. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "portal/form_int.h"

/* ---- validators of single values ---------------------------------------- */

/* IBAN lengths by country (SWIFT IBAN registry). */
static const struct {
    char cc[3];
    unsigned char len;
} IBAN_LEN[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

enum iban_result { IBAN_OK, IBAN_FORMAT, IBAN_LENGTH, IBAN_CHECKSUM };

/* Checks a canonical IBAN (upper case, no spaces); *ret_want gets the
 * country's length when known. */
static enum iban_result iban_check(const char *z, size_t *ret_want)
{
    size_t n = strlen(z), want = 0;
    *ret_want = 0;
    if (n < 5 || n > 34 || !isupper((unsigned char)z[0]) || !isupper((unsigned char)z[1]) ||
        !isdigit((unsigned char)z[2]) || !isdigit((unsigned char)z[3]))
        return IBAN_FORMAT;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)z[i]) && !isupper((unsigned char)z[i]))
            return IBAN_FORMAT;
    for (size_t i = 0; i < sizeof IBAN_LEN / sizeof IBAN_LEN[0]; i++)
        if (z[0] == IBAN_LEN[i].cc[0] && z[1] == IBAN_LEN[i].cc[1])
            want = IBAN_LEN[i].len;
    if (!want)
        return IBAN_FORMAT;
    *ret_want = want;
    if (n != want)
        return IBAN_LENGTH;
    /* ISO 7064 mod 97-10 over BBAN + country + check digits, letters as 10..35. */
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        char c = z[(k + 4) % n];
        if (isdigit((unsigned char)c))
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        else
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return rem == 1 ? IBAN_OK : IBAN_CHECKSUM;
}

bool form__iban_canonical(const char *z, char *out, size_t outsz)
{
    size_t n = 0;
    for (; *z; z++) {
        if (*z == ' ' || *z == '\t')
            continue;
        if (n + 1 >= outsz)
            return false;
        out[n++] = (char)toupper((unsigned char)*z);
    }
    out[n] = '\0';
    return true;
}

bool form_iban_valid(const char *iban)
{
    char buf[40];
    size_t want;
    return iban && form__iban_canonical(iban, buf, sizeof buf) && iban_check(buf, &want) == IBAN_OK;
}

bool form_postcode_valid(const char *plz)
{
    if (!plz || strlen(plz) != 5)
        return false;
    for (int i = 0; i < 5; i++)
        if (!isdigit((unsigned char)plz[i]))
            return false;
    return !(plz[0] == '0' && plz[1] == '0'); /* German postcodes run from 01001 */
}

bool form_email_valid(const char *email)
{
    static const char LOCAL_EXTRA[] = "!#$%&'*+-/=?^_`{|}~.";
    if (!email)
        return false;
    size_t n = strlen(email);
    const char *at = strrchr(email, '@');
    if (n > 254 || !at || at == email || (size_t)(at - email) > 64)
        return false;
    /* Local part: atext and single dots, not at either end. */
    for (const char *p = email; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(isalnum(c) || c >= 0x80 || (c && strchr(LOCAL_EXTRA, c))))
            return false;
        if (c == '.' && (p == email || p + 1 == at || p[1] == '.'))
            return false;
    }
    /* Domain: two or more labels of letters, digits and '-', no '-' at a label's
     * ends; the last label has at least two characters and no digits only. */
    const char *d = at + 1;
    size_t labels = 0, label_len = 0;
    bool tld_alpha = false;
    for (const char *p = d;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.' || c == '\0') {
            if (label_len == 0 || label_len > 63 || p[-1] == '-')
                return false;
            labels++;
            if (c == '\0')
                break;
            label_len = 0;
            tld_alpha = false;
            continue;
        }
        if (!(isalnum(c) || c == '-' || c >= 0x80))
            return false;
        if (c == '-' && label_len == 0)
            return false;
        if (!isdigit(c))
            tld_alpha = true;
        label_len++;
    }
    return labels >= 2 && label_len >= 2 && tld_alpha;
}

bool form_phone_valid(const char *phone)
{
    if (!phone)
        return false;
    size_t digits = 0;
    for (const char *p = phone; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p == '+') {
            if (p != phone)
                return false;
        } else if (!strchr(" /-()", *p)) {
            return false;
        }
    }
    return digits >= 6 && digits <= 20;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads 1..maxd digits at *p into *ret. */
static bool digits(const char **p, int mind, int maxd, int *ret)
{
    int v = 0, n = 0;
    while (n < maxd && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *ret = v;
    return n >= mind;
}

bool form_date_parse(const char *in, char out[11])
{
    int y, m, d;
    const char *p = in;
    if (!in)
        return false;
    if (strlen(in) == 10 && in[4] == '-') {
        if (!digits(&p, 4, 4, &y) || *p++ != '-' || !digits(&p, 2, 2, &m) || *p++ != '-' ||
            !digits(&p, 2, 2, &d) || *p)
            return false;
    } else {
        if (!digits(&p, 1, 2, &d) || *p++ != '.' || !digits(&p, 1, 2, &m) || *p++ != '.' ||
            !digits(&p, 4, 4, &y) || *p)
            return false;
    }
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || m < 1 || m > 12 || d < 1)
        return false;
    if (d > DAYS[m - 1] + (m == 2 && leap(y)))
        return false;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
    return true;
}

void form__today(char out[11])
{
    char de[16];
    rtime_display_date(rtime_now(), de, sizeof de);
    if (!form_date_parse(de, out))
        snprintf(out, 11, "1970-01-01");
}

/* ---- visibility ------------------------------------------------------------ */

const json_t *form__value(const struct form_def *d, const json_t *data, const json_t *entry,
                          size_t f)
{
    const struct form__field *fd = &d->fields[f];
    if (d->groups[fd->group].repeat)
        return entry ? json_object_get(entry, fd->id) : NULL;
    return json_object_get(data, fd->id);
}

static bool match_one(const json_t *v, const json_t *w)
{
    if (json_is_string(v) && json_is_string(w))
        return strcmp(json_string_value(v), json_string_value(w)) == 0;
    if (json_is_number(v) && json_is_number(w))
        return json_number_value(v) == json_number_value(w);
    if (json_is_boolean(v)) {
        if (json_is_boolean(w))
            return json_is_true(v) == json_is_true(w);
        if (json_is_string(w)) {
            const char *z = json_string_value(w);
            bool t = strcmp(z, "ja") == 0 || strcmp(z, "true") == 0;
            bool f = strcmp(z, "nein") == 0 || strcmp(z, "false") == 0;
            return json_is_true(v) ? t : f;
        }
    }
    return false;
}

static bool match_any(const struct form__cond *c, const json_t *v)
{
    if (c->equals)
        return match_one(v, c->equals);
    size_t i;
    json_t *w;
    json_array_foreach(c->in, i, w)
    {
        if (match_one(v, w))
            return true;
    }
    return false;
}

bool form__cond_match(const struct form__cond *c, const json_t *v)
{
    if (!v)
        return false;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (match_any(c, e))
                return true;
        }
        return false;
    }
    return match_any(c, v);
}

/* Whether the condition c holds (its field visible and one of its values). */
static bool cond_holds(const struct form_def *d, const json_t *data, const json_t *entry,
                       const struct form__cond *c)
{
    if (c->field == FORM__NONE)
        return true;
    if (!d->groups[d->fields[c->field].group].repeat)
        entry = NULL;
    return form__field_visible(d, data, entry, c->field) &&
           form__cond_match(c, form__value(d, data, entry, c->field));
}

bool form__group_visible(const struct form_def *d, const json_t *data, size_t g)
{
    return cond_holds(d, data, NULL, &d->groups[g].cond);
}

bool form__field_visible(const struct form_def *d, const json_t *data, const json_t *entry,
                         size_t f)
{
    const struct form__field *fd = &d->fields[f];
    return form__group_visible(d, data, fd->group) && cond_holds(d, data, entry, &fd->cond);
}

/* ---- German numbers and sizes ------------------------------------------------ */

void form__add_number(struct str *out, double v)
{
    char buf[400];
    if (!isfinite(v) || fabs(v) >= 1e18) {
        snprintf(buf, sizeof buf, "%g", v);
        str_adds(out, buf);
        return;
    }
    /* Up to six decimals without trailing zeros, a decimal comma, and points
     * between groups of three digits from 10.000 on (DIN 5008). */
    snprintf(buf, sizeof buf, "%.6f", v);
    char *dot = strchr(buf, '.');
    size_t end = strlen(buf);
    while (end > 0 && buf[end - 1] == '0' && dot && buf + end - 1 > dot)
        end--;
    if (dot && buf + end - 1 == dot)
        end--;
    buf[end] = '\0';
    if (dot && dot >= buf + end)
        dot = NULL;
    const char *digits = buf + (buf[0] == '-');
    size_t int_len = dot ? (size_t)(dot - digits) : strlen(digits);
    if (buf[0] == '-')
        str_addc(out, '-');
    for (size_t i = 0; i < int_len; i++) {
        if (int_len > 4 && i > 0 && (int_len - i) % 3 == 0)
            str_addc(out, '.');
        str_addc(out, digits[i]);
    }
    if (dot && dot[1]) {
        str_addc(out, ',');
        str_adds(out, dot + 1);
    }
}

static void add_size(struct str *out, double bytes)
{
    if (bytes >= 1024.0 * 1024.0) {
        form__add_number(out, round(bytes / 1024.0 / 1024.0 * 10) / 10);
        (void)str_adds(out, " MB");
    } else {
        form__add_number(out, ceil(bytes / 1024.0));
        (void)str_adds(out, " KB");
    }
}

static const char *mime_name(const char *mime)
{
    static const struct {
        const char *mime, *name;
    } NAMES[] = {
        {"application/pdf", "PDF"},
        {"image/jpeg", "JPEG"},
        {"image/png", "PNG"},
        {"image/tiff", "TIFF"},
        {"image/gif", "GIF"},
        {"image/webp", "WebP"},
        {"image/*", "Bilder"},
        {"text/plain", "Text"},
        {"text/csv", "CSV"},
        {"application/vnd.oasis.opendocument.text", "ODT"},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"},
        {"application/msword", "DOC"},
        {"application/xml", "XML"},
    };
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strcmp(mime, NAMES[i].mime) == 0)
            return NAMES[i].name;
    return mime;
}

/* Appends "PDF, JPEG, PNG" for a file field's accepted types. */
static void add_accept(struct str *out, const struct form__field *f)
{
    for (size_t i = 0; i < f->n_accept; i++) {
        if (i)
            (void)str_adds(out, ", ");
        (void)str_adds(out, mime_name(f->accept[i]));
    }
}

/* ---- checking one value ------------------------------------------------------ */

static bool empty_value(const struct form__field *f, const json_t *v)
{
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v))
        return json_string_length(v) == 0;
    if (json_is_array(v))
        return json_array_size(v) == 0;
    if (f->type == FORM__CHECKBOX && f->n_opts == 0)
        return json_is_false(v);
    return false;
}

static size_t utf8_chars(const char *z)
{
    size_t n = 0;
    for (; *z; z++)
        if (((unsigned char)*z & 0xC0) != 0x80)
            n++;
    return n;
}

static void required_message(const struct form__field *f, struct str *m)
{
    switch (f->type) {
    case FORM__SELECT:
    case FORM__RADIO: str_addf(m, "Bitte wählen Sie bei „%s“ eine Antwort aus.", f->label); break;
    case FORM__CHECKBOX:
        if (f->n_opts)
            str_addf(m, "Bitte wählen Sie bei „%s“ mindestens eine Möglichkeit aus.", f->label);
        else
            str_addf(m, "Bitte setzen Sie den Haken bei „%s“.", f->label);
        break;
    case FORM__YESNO: str_addf(m, "Bitte beantworten Sie „%s“ mit Ja oder Nein.", f->label); break;
    case FORM__FILE: str_addf(m, "Bitte laden Sie „%s“ hoch.", f->label); break;
    default: str_addf(m, "Bitte geben Sie „%s“ an.", f->label); break;
    }
}

/* Checks text-like values: type, length, control characters, pattern. */
static bool check_text(const struct form__field *f, const json_t *v, struct str *m)
{
    if (!json_is_string(v)) {
        str_addf(m, "Bitte geben Sie bei „%s“ einen Text an.", f->label);
        return false;
    }
    const char *z = json_string_value(v);
    size_t bytes = json_string_length(v);
    if (bytes > FORM_MAX_VALUE) {
        str_addf(m, "Die Angabe bei „%s“ ist zu lang: höchstens %d Zeichen.", f->label,
                 FORM_MAX_VALUE);
        return false;
    }
    for (size_t i = 0; i < bytes; i++) {
        unsigned char c = (unsigned char)z[i];
        if ((c < 0x20 && !(f->type == FORM__TEXTAREA && (c == '\n' || c == '\t'))) || c == 0x7f) {
            str_addf(m, "Die Angabe bei „%s“ enthält unzulässige Steuerzeichen.", f->label);
            return false;
        }
    }
    size_t chars = utf8_chars(z);
    if (f->has_min && (double)chars < f->min) {
        str_addf(m, "Bitte geben Sie bei „%s“ mindestens %.0f Zeichen an.", f->label, f->min);
        return false;
    }
    if (f->has_max && (double)chars > f->max) {
        str_addf(m, "Bitte geben Sie bei „%s“ höchstens %.0f Zeichen an (jetzt: %zu).", f->label,
                 f->max, chars);
        return false;
    }
    if (f->has_re && regexec(&f->re, z, 0, NULL, 0) != 0) {
        if (f->pattern_message)
            str_adds(m, f->pattern_message);
        else
            str_addf(m, "Die Angabe bei „%s“ hat nicht die erwartete Form. Bitte prüfen Sie sie.",
                     f->label);
        return false;
    }
    return true;
}

static bool check_number(const struct form__field *f, const json_t *v, struct str *m)
{
    if (!json_is_number(v)) {
        str_addf(m, "Bitte geben Sie bei „%s“ eine Zahl an, zum Beispiel 12 oder 12,5.", f->label);
        return false;
    }
    double x = json_number_value(v);
    if (!isfinite(x) || fabs(x) > FORM_NUMBER_MAX) {
        str_addf(m, "Die Zahl bei „%s“ ist zu groß.", f->label);
        return false;
    }
    if (f->numstep > 0) {
        double q = x / f->numstep;
        if (fabs(q - round(q)) > 1e-9 * fmax(1.0, fabs(q))) {
            if (f->numstep == 1) {
                str_addf(m, "Bitte geben Sie bei „%s“ eine ganze Zahl an.", f->label);
            } else {
                str_addf(m, "Bitte geben Sie bei „%s“ ein Vielfaches von ", f->label);
                form__add_number(m, f->numstep);
                str_adds(m, " an.");
            }
            return false;
        }
    }
    if ((f->has_min && x < f->min) || (f->has_max && x > f->max)) {
        str_addf(m, "Bitte geben Sie bei „%s“ eine Zahl ", f->label);
        if (f->has_min && f->has_max) {
            str_adds(m, "von ");
            form__add_number(m, f->min);
            str_adds(m, " bis ");
            form__add_number(m, f->max);
        } else if (f->has_min) {
            str_adds(m, "ab ");
            form__add_number(m, f->min);
        } else {
            str_adds(m, "bis ");
            form__add_number(m, f->max);
        }
        str_adds(m, " an.");
        return false;
    }
    return true;
}

static void add_date_de(struct str *m, const char *iso)
{
    str_addf(m, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

static bool check_date(const struct form__field *f, const json_t *v, const char *today,
                       struct str *m)
{
    char iso[11];
    if (!json_is_string(v) || !form_date_parse(json_string_value(v), iso) ||
        strcmp(iso, json_string_value(v)) != 0) {
        str_addf(m, "Bitte geben Sie bei „%s“ ein gültiges Datum an, zum Beispiel 31.12.2026.",
                 f->label);
        return false;
    }
    const char *lo = f->dmin.set ? (f->dmin.today ? today : f->dmin.iso) : NULL;
    const char *hi = f->dmax.set ? (f->dmax.today ? today : f->dmax.iso) : NULL;
    if (lo && strcmp(iso, lo) < 0) {
        if (f->dmin.today) {
            str_addf(m, "Das Datum bei „%s“ darf nicht in der Vergangenheit liegen.", f->label);
        } else {
            str_addf(m, "Das Datum bei „%s“ darf nicht vor dem ", f->label);
            add_date_de(m, lo);
            str_adds(m, " liegen.");
        }
        return false;
    }
    if (hi && strcmp(iso, hi) > 0) {
        if (f->dmax.today) {
            str_addf(m, "Das Datum bei „%s“ darf nicht in der Zukunft liegen.", f->label);
        } else {
            str_addf(m, "Das Datum bei „%s“ darf nicht nach dem ", f->label);
            add_date_de(m, hi);
            str_adds(m, " liegen.");
        }
        return false;
    }
    return true;
}

static bool check_iban(const struct form__field *f, const json_t *v, struct str *m)
{
    const char *z = json_string_value(v);
    size_t want = 0;
    enum iban_result r = IBAN_FORMAT;
    if (z && strlen(z) <= 34) {
        char canon[40];
        if (form__iban_canonical(z, canon, sizeof canon) && strcmp(canon, z) != 0) {
            str_addf(m,
                     "Bitte geben Sie die IBAN bei „%s“ ohne Leerzeichen und in Großbuchstaben an.",
                     f->label);
            return false;
        }
        r = iban_check(z, &want);
    }
    switch (r) {
    case IBAN_OK: return true;
    case IBAN_LENGTH:
        str_addf(m,
                 "Die IBAN bei „%s“ hat %zu Zeichen; eine IBAN aus %.2s hat %zu Zeichen. Bitte "
                 "prüfen Sie die Angabe.",
                 f->label, strlen(z), z, want);
        return false;
    case IBAN_CHECKSUM:
        str_addf(m,
                 "Die IBAN bei „%s“ ist nicht gültig: die Prüfziffer passt nicht. Bitte prüfen Sie "
                 "die Angabe.",
                 f->label);
        return false;
    default:
        str_addf(m,
                 "Bitte geben Sie bei „%s“ eine IBAN an, die mit dem Ländercode beginnt, zum "
                 "Beispiel DE89 3704 0044 0532 0130 00.",
                 f->label);
        return false;
    }
}

static bool has_option(const struct form__field *f, const json_t *v)
{
    if (!json_is_string(v))
        return false;
    for (size_t i = 0; i < f->n_opts; i++)
        if (strcmp(f->opts[i].value, json_string_value(v)) == 0)
            return true;
    return false;
}

static bool check_checkbox(const struct form__field *f, const json_t *v, struct str *m)
{
    if (f->n_opts == 0) {
        if (!json_is_boolean(v)) {
            str_addf(m, "Bitte setzen Sie den Haken bei „%s“ oder lassen Sie ihn weg.", f->label);
            return false;
        }
        return true;
    }
    size_t i, k;
    json_t *e;
    if (!json_is_array(v)) {
        str_addf(m, "Bitte wählen Sie bei „%s“ aus den angebotenen Möglichkeiten aus.", f->label);
        return false;
    }
    json_array_foreach(v, i, e)
    {
        bool dup = false;
        for (k = 0; k < i && !dup; k++)
            dup = json_equal(e, json_array_get(v, k));
        if (!has_option(f, e) || dup) {
            str_addf(m, "Bitte wählen Sie bei „%s“ nur aus den angebotenen Möglichkeiten aus.",
                     f->label);
            return false;
        }
    }
    double n = (double)json_array_size(v);
    if (f->has_min && n < f->min) {
        str_addf(m, "Bitte wählen Sie bei „%s“ mindestens %.0f Möglichkeiten aus.", f->label,
                 f->min);
        return false;
    }
    if (f->has_max && n > f->max) {
        str_addf(m, "Bitte wählen Sie bei „%s“ höchstens %.0f Möglichkeiten aus.", f->label,
                 f->max);
        return false;
    }
    return true;
}

static bool mime_accepted(const struct form__field *f, const char *mime)
{
    for (size_t i = 0; i < f->n_accept; i++) {
        const char *a = f->accept[i];
        size_t n = strlen(a);
        if (strcmp(a, mime) == 0)
            return true;
        if (n >= 2 && a[n - 1] == '*' && a[n - 2] == '/' && strncmp(a, mime, n - 1) == 0)
            return true;
    }
    return false;
}

static bool check_file(const struct form__field *f, const json_t *v, struct str *m)
{
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *mime = json_string_value(json_object_get(v, "mime"));
    json_t *size = json_object_get(v, "size");
    if (!json_is_object(v) || !name || !mime || !json_is_integer(size) ||
        json_integer_value(size) < 0) {
        str_addf(
            m, "Die Datei bei „%s“ fehlt oder ist unvollständig. Bitte laden Sie sie erneut hoch.",
            f->label);
        return false;
    }
    if (!mime_accepted(f, mime)) {
        str_addf(m, "Die Datei „%s“ hat ein Format, das hier nicht erlaubt ist. Erlaubt: ", name);
        add_accept(m, f);
        str_adds(m, ".");
        return false;
    }
    if (f->max_bytes > 0 && (double)json_integer_value(size) > f->max_bytes) {
        str_addf(m, "Die Datei „%s“ ist zu groß. Erlaubt sind höchstens ", name);
        add_size(m, f->max_bytes);
        str_adds(m, ".");
        return false;
    }
    return true;
}

/* Checks the value v of a visible field; appends a message to m and returns
 * false when it is not acceptable. */
static bool check_value(const struct form__field *f, const json_t *v, const char *today,
                        struct str *m)
{
    if (empty_value(f, v)) {
        if (!f->required)
            return true;
        required_message(f, m);
        return false;
    }
    switch (f->type) {
    case FORM__TEXT:
    case FORM__TEXTAREA: return check_text(f, v, m);
    case FORM__EMAIL:
        if (!check_text(f, v, m))
            return false;
        if (!form_email_valid(json_string_value(v))) {
            str_addf(
                m, "Bitte geben Sie bei „%s“ eine E-Mail-Adresse in der Form name@beispiel.de an.",
                f->label);
            return false;
        }
        return true;
    case FORM__PHONE:
        if (!check_text(f, v, m))
            return false;
        if (!form_phone_valid(json_string_value(v))) {
            str_addf(
                m,
                "Bitte geben Sie bei „%s“ eine Telefonnummer an, zum Beispiel 0211 123456 oder "
                "+49 211 123456.",
                f->label);
            return false;
        }
        return true;
    case FORM__POSTCODE:
        if (!form_postcode_valid(json_string_value(v))) {
            str_addf(m, "Bitte geben Sie bei „%s“ eine Postleitzahl mit fünf Ziffern an.",
                     f->label);
            return false;
        }
        return true;
    case FORM__NUMBER: return check_number(f, v, m);
    case FORM__DATE: return check_date(f, v, today, m);
    case FORM__IBAN: return check_iban(f, v, m);
    case FORM__SELECT:
    case FORM__RADIO:
        if (!has_option(f, v)) {
            str_addf(m, "Bitte wählen Sie bei „%s“ eine der angebotenen Antworten aus.", f->label);
            return false;
        }
        return true;
    case FORM__CHECKBOX: return check_checkbox(f, v, m);
    case FORM__YESNO:
        if (!json_is_boolean(v)) {
            str_addf(m, "Bitte beantworten Sie „%s“ mit Ja oder Nein.", f->label);
            return false;
        }
        return true;
    case FORM__FILE: return check_file(f, v, m);
    }
    return true;
}

/* ---- checking steps and rules --------------------------------------------------- */

/* State of one check run. */
struct check {
    const struct form_def *d;
    const json_t *data; /* the Antragsdaten */
    int step;           /* step checked, -1 = all */
    char today[11];     /* today's date for "today" bounds */
    json_t *errors;     /* array of {field, label, message} */
    struct str name;    /* scratch: HTML field name */
    struct str label;   /* scratch: label */
    struct str msg;     /* scratch: message */
    int err;            /* ERR_NOMEM seen */
};

static bool in_step(const struct check *c, size_t step)
{
    return c->step < 0 || (size_t)c->step == step;
}

/* Sets c->name to the HTML name of field f (in entry i of its group when the
 * group is repeatable) and c->label to its label. */
static void name_of(struct check *c, size_t f, size_t i)
{
    const struct form__field *fd = &c->d->fields[f];
    const struct form__group *g = &c->d->groups[fd->group];
    str_reset(&c->name);
    if (g->repeat)
        str_addf(&c->name, "%s.%zu.%s", g->id, i, fd->id);
    else
        str_adds(&c->name, fd->id);
    form__label(c->d, f, i, &c->label);
}

void form__label(const struct form_def *d, size_t f, size_t i, struct str *label)
{
    const struct form__field *fd = &d->fields[f];
    const struct form__group *g = &d->groups[fd->group];
    str_reset(label);
    if (g->repeat)
        str_addf(label, "%s (%s %zu)", fd->label, g->item, i + 1);
    else if (fd->ambiguous && g->legend)
        str_addf(label, "%s (%s)", fd->label, g->legend);
    else
        str_adds(label, fd->label);
}

static bool has_error(const struct check *c, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(c->errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "field")), name) == 0)
            return true;
    }
    return false;
}

/* Appends {field: c->name, label: c->label, message: c->msg}. */
static void add_error(struct check *c)
{
    if (c->name.err || c->label.err || c->msg.err) {
        c->err = ERR_NOMEM;
        return;
    }
    json_t *e = json_pack("{s:s, s:s, s:s}", "field", c->name.buf, "label", c->label.buf, "message",
                          c->msg.buf);
    if (!e || json_array_append_new(c->errors, e))
        c->err = ERR_NOMEM;
}

static void check_field(struct check *c, size_t f, const json_t *entry, size_t i)
{
    const struct form__field *fd = &c->d->fields[f];
    if (!form__field_visible(c->d, c->data, entry, f))
        return;
    str_reset(&c->msg);
    if (check_value(fd, form__value(c->d, c->data, entry, f), c->today, &c->msg))
        return;
    name_of(c, f, i);
    add_error(c);
}

static void check_group(struct check *c, size_t g)
{
    const struct form__group *gr = &c->d->groups[g];
    if (!form__group_visible(c->d, c->data, g))
        return;
    if (!gr->repeat) {
        for (size_t k = 0; k < gr->n; k++)
            check_field(c, gr->first + k, NULL, 0);
        return;
    }
    const json_t *arr = json_object_get(c->data, gr->id);
    size_t n = json_array_size(arr);
    str_reset(&c->name);
    str_reset(&c->label);
    str_reset(&c->msg);
    str_adds(&c->name, gr->id);
    str_adds(&c->label, gr->legend);
    if (arr && !json_is_array(arr)) {
        str_addf(&c->msg, "Die Angaben bei „%s“ sind ungültig.", gr->legend);
        add_error(c);
        return;
    }
    if (n < gr->rmin) {
        if (gr->rmin == 1)
            str_addf(&c->msg, "Bitte geben Sie bei „%s“ mindestens einen Eintrag an.", gr->legend);
        else
            str_addf(&c->msg, "Bitte geben Sie bei „%s“ mindestens %zu Einträge an.", gr->legend,
                     gr->rmin);
        add_error(c);
    } else if (n > gr->rmax) {
        str_addf(&c->msg, "Bei „%s“ sind höchstens %zu Einträge möglich.", gr->legend, gr->rmax);
        add_error(c);
    }
    for (size_t i = 0; i < n && i < FORM_MAX_REPEAT; i++) {
        const json_t *entry = json_array_get(arr, i);
        if (!json_is_object(entry)) {
            str_reset(&c->msg);
            str_addf(&c->msg, "Eintrag %zu bei „%s“ ist ungültig.", i + 1, gr->legend);
            add_error(c);
            continue;
        }
        for (size_t k = 0; k < gr->n; k++)
            check_field(c, gr->first + k, entry, i);
    }
}

/* Checks rule r in one context (entry i of a repeatable group, or entry NULL). */
static void check_rule_at(struct check *c, const struct form__rule *r, const json_t *entry,
                          size_t i)
{
    const struct form_def *d = c->d;
    const struct form__field *fa = &d->fields[r->a];
    const json_t *ea = d->groups[fa->group].repeat ? entry : NULL;
    const json_t *eb = d->groups[d->fields[r->b].group].repeat ? entry : NULL;
    bool va = form__field_visible(d, c->data, ea, r->a);
    bool vb = form__field_visible(d, c->data, eb, r->b);
    const json_t *a = va ? form__value(d, c->data, ea, r->a) : NULL;
    const json_t *b = vb ? form__value(d, c->data, eb, r->b) : NULL;
    bool bad = false;
    str_reset(&c->msg);
    if (r->type == FORM__REQUIRED_IF) {
        if (!va || !vb || !empty_value(fa, a) || !form__cond_match(&r->cond, b))
            return;
        bad = true;
        if (r->message)
            str_adds(&c->msg, r->message);
        else
            required_message(fa, &c->msg);
    } else {
        if (empty_value(fa, a) || empty_value(&d->fields[r->b], b))
            return;
        int cmp;
        if (fa->type == FORM__DATE) {
            if (!json_is_string(a) || !json_is_string(b))
                return;
            cmp = strcmp(json_string_value(a), json_string_value(b));
        } else {
            if (!json_is_number(a) || !json_is_number(b))
                return;
            double x = json_number_value(a), y = json_number_value(b);
            cmp = x < y ? -1 : x > y;
        }
        bad = r->type == FORM__BEFORE ? cmp >= 0 : cmp > 0;
        if (!bad)
            return;
        if (r->message)
            str_adds(&c->msg, r->message);
        else if (r->type == FORM__BEFORE)
            str_addf(&c->msg, "„%s“ muss vor „%s“ liegen.", fa->label, d->fields[r->b].label);
        else
            str_addf(&c->msg, "„%s“ darf nicht nach „%s“ liegen.", fa->label,
                     d->fields[r->b].label);
    }
    /* Shown at a when a is on the page being checked, else at b. */
    size_t at = in_step(c, fa->step) ? r->a : r->b;
    name_of(c, at, i);
    if (!has_error(c, c->name.buf))
        add_error(c);
}

static void check_rules(struct check *c)
{
    const struct form_def *d = c->d;
    for (size_t k = 0; k < d->n_rules; k++) {
        const struct form__rule *r = &d->rules[k];
        if (!in_step(c, d->fields[r->a].step) && !in_step(c, d->fields[r->b].step))
            continue;
        size_t g = d->fields[r->a].group;
        if (!d->groups[g].repeat) {
            check_rule_at(c, r, NULL, 0);
            continue;
        }
        if (!form__group_visible(d, c->data, g))
            continue;
        const json_t *arr = json_object_get(c->data, d->groups[g].id);
        for (size_t i = 0; i < json_array_size(arr) && i < FORM_MAX_REPEAT; i++)
            if (json_is_object(json_array_get(arr, i)))
                check_rule_at(c, r, json_array_get(arr, i), i);
    }
}

/* Runs the checks of step (or all) over data; *ret_errors as form_collect. */
int form__check_run(const struct form_def *d, int step, const json_t *data, bool strict_keys,
                    json_t **ret_errors)
{
    struct check c = {.d = d, .data = data, .step = step};
    int rc = 0;
    str_init(&c.name, 0);
    str_init(&c.label, 0);
    str_init(&c.msg, 0);
    c.errors = json_array();
    if (!c.errors) {
        rc = ERR_NOMEM;
        goto done;
    }
    form__today(c.today);
    for (size_t g = 0; g < d->n_groups; g++)
        if (in_step(&c, d->groups[g].step))
            check_group(&c, g);
    check_rules(&c);
    if (strict_keys) {
        /* Keys the form does not know (API input): named, not silently kept. */
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)data, key, v)
        {
            size_t f = form__field_find(d, key);
            bool known = f != FORM__NONE && !d->groups[d->fields[f].group].repeat;
            for (size_t g = 0; g < d->n_groups && !known; g++)
                known = d->groups[g].repeat && strcmp(d->groups[g].id, key) == 0;
            if (known)
                continue;
            str_reset(&c.name);
            str_reset(&c.label);
            str_reset(&c.msg);
            str_adds(&c.name, key);
            str_adds(&c.label, key);
            str_adds(&c.msg, "Diese Angabe gehört nicht zum Formular.");
            add_error(&c);
        }
    }
    if (c.err) {
        rc = c.err;
        goto done;
    }
    *ret_errors = c.errors;
    c.errors = NULL;
done:
    json_decref(c.errors);
    str_release(&c.name);
    str_release(&c.label);
    str_release(&c.msg);
    return rc;
}

int form_validate(const struct form_def *d, const json_t *data, json_t **ret_errors)
{
    if (!json_is_object(data)) {
        json_t *e = json_pack("[{s:s, s:s, s:s}]", "field", "", "label", "", "message",
                              "Die Antragsdaten müssen ein JSON-Objekt sein.");
        if (!e)
            return ERR_NOMEM;
        *ret_errors = e;
        return 0;
    }
    return form__check_run(d, -1, data, true, ret_errors);
}
