/* Notices (Bescheide) from text templates: data/notices/<name>.txt is
 * embedded in the binary; "{{var}}" takes a case variable, "{{case}}" the
 * case reference, "{{date}}" today's date; "# " starts a heading, "- " a
 * list item, blank lines separate paragraphs; a line whose variables are
 * all missing is left out, so one template serves several services. The result is laid out as a
 * PDF by view/pdf.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "view/pdf.h"
#include "web/web.h"
#include "workflow_int.h"

#define WF_NOTICE_MAX_NAME 64 /* bytes of a template name */
#define WF_NOTICE_MAX_VAR 64  /* bytes of a variable name in {{…}} */

const struct embed_file *wf__notice_template(const char *name)
{
    if (!name || !*name || strlen(name) > WF_NOTICE_MAX_NAME)
        return NULL;
    for (const char *p = name; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '-')
            return NULL;
    char path[WF_NOTICE_MAX_NAME + 16];
    snprintf(path, sizeof path, "notices/%s.txt", name);
    for (size_t i = 0; i < rathaus_data_count; i++)
        if (strcmp(rathaus_data[i].name, path) == 0)
            return &rathaus_data[i];
    return NULL;
}

/* Appends the value of variable name as text: strings as they are, numbers
 * in German notation, booleans as ja/nein; *ret_filled tells whether
 * anything non-empty was there. */
static int add_value(struct str *out, const json_t *v, bool *ret_filled)
{
    *ret_filled =
        (json_is_string(v) && *json_string_value(v)) || json_is_number(v) || json_is_boolean(v);
    if (json_is_string(v))
        return str_adds(out, json_string_value(v));
    if (json_is_integer(v))
        return str_addf(out, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", json_real_value(v));
        for (char *p = buf; *p; p++)
            if (*p == '.')
                *p = ',';
        return str_adds(out, buf);
    }
    if (json_is_boolean(v))
        return str_adds(out, json_is_true(v) ? "ja" : "nein");
    return 0;
}

int wf__subst(const char *p, size_t n, const json_t *vars, const char *case_ref, int64_t now,
              bool drop_empty, struct str *out)
{
    int rc = 0;
    size_t line_start = out->len;
    int vars_in_line = 0, vars_filled = 0;
    for (size_t i = 0; i < n && !rc;) {
        if (p[i] == '\n') {
            /* a line whose variables are all missing or empty is left out */
            if (drop_empty && vars_in_line && !vars_filled) {
                out->len = line_start;
                out->buf[out->len] = '\0';
                i++;
            } else {
                rc = str_addc(out, p[i++]);
            }
            line_start = out->len;
            vars_in_line = vars_filled = 0;
            continue;
        }
        const char *close = NULL;
        if (i + 1 < n && p[i] == '{' && p[i + 1] == '{')
            close = memmem(p + i + 2, n - i - 2, "}}", 2);
        size_t k = close ? (size_t)(close - (p + i + 2)) : 0;
        if (!close || k == 0 || k > WF_NOTICE_MAX_VAR || memchr(p + i + 2, '\n', k)) {
            rc = str_addc(out, p[i++]);
            continue;
        }
        char name[WF_NOTICE_MAX_VAR + 1];
        size_t a = 0;
        for (size_t j = 0; j < k; j++)
            if (!isspace((unsigned char)p[i + 2 + j]))
                name[a++] = p[i + 2 + j];
        name[a] = '\0';
        if (strcmp(name, "case") == 0) {
            rc = str_adds(out, case_ref);
        } else if (strcmp(name, "date") == 0) {
            char day[16];
            rtime_display_date(now, day, sizeof day);
            rc = str_adds(out, day);
        } else {
            bool filled;
            rc = add_value(out, json_object_get(vars, name), &filled);
            vars_in_line++;
            vars_filled += filled;
        }
        i += k + 4;
    }
    if (!rc && drop_empty && vars_in_line && !vars_filled) {
        out->len = line_start;
        out->buf[out->len] = '\0';
    }
    return rc;
}

/* Emits the paragraph collected in para, if any. */
static int flush_para(struct pdf_doc *d, struct str *para)
{
    if (!para->len)
        return 0;
    int rc = pdf_para(d, para->buf);
    str_reset(para);
    return rc;
}

int wf__notice_pdf(const char *text, const char *title, const char *letterhead, int64_t now,
                   struct str *out)
{
    struct pdf_doc *d = NULL;
    struct str para;
    str_init(&para, PDF_MAX_TEXT);
    int rc = pdf_new(title, letterhead, now, &d);
    for (const char *line = text; !rc && *line;) {
        const char *nl = strchr(line, '\n');
        size_t k = nl ? (size_t)(nl - line) : strlen(line);
        char *z = NULL;
        struct str l;
        str_init(&l, PDF_MAX_TEXT);
        rc = str_add(&l, line, k && line[k - 1] == '\r' ? k - 1 : k);
        z = l.buf;
        bool blank = true;
        for (const char *q = z; *q; q++)
            blank &= isspace((unsigned char)*q) != 0;
        if (rc) {
            /* nothing */
        } else if (blank) {
            rc = flush_para(d, &para);
        } else if (strncmp(z, "## ", 3) == 0) {
            if (!(rc = flush_para(d, &para)))
                rc = pdf_heading(d, 2, z + 3);
        } else if (strncmp(z, "# ", 2) == 0) {
            if (!(rc = flush_para(d, &para)))
                rc = pdf_heading(d, 1, z + 2);
        } else if (strncmp(z, "- ", 2) == 0) {
            if (!(rc = flush_para(d, &para)))
                rc = pdf_item(d, z + 2);
        } else {
            if (para.len)
                rc = str_addc(&para, '\n');
            if (!rc)
                rc = str_adds(&para, z);
        }
        str_release(&l);
        line = nl ? nl + 1 : line + k;
    }
    if (!rc)
        rc = flush_para(d, &para);
    if (!rc)
        rc = pdf_render(d, out);
    pdf_free(d);
    str_release(&para);
    return rc;
}
