/* libFuzzer driver for the XDatenfelder import: any input is imported as an
 * XDatenfelder file, and a successful import is rendered as the report text
 * `rathaus forms import-xdf` prints, so the check, the mapping and the report
 * see the same hostile trees. A refusal must say why; nothing may crash or
 * leak. */
#include <jansson.h>
#include <libxml/parser.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/str.h"
#include "portal/xdf.h"

/* Silences libxml2's default error printing once. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        xmlInitParser();
        xmlSetGenericErrorFunc(NULL, quiet);
        init = 1;
    }
    json_t *form = NULL, *report = NULL;
    struct str why;
    str_init(&why, 8192);
    int rc = xdf_import((const char *)data, size, &form, &report, &why);
    if (rc == 0) {
        struct str out;
        str_init(&out, 0);
        if (xdf_report_text(report, "fuzz.xml", &out) != 0 && out.err != ERR_NOMEM)
            abort();
        str_release(&out);
        json_decref(form);
        json_decref(report);
    } else if (why.len == 0 && rc != ERR_NOMEM) {
        abort(); /* every refusal must say why */
    }
    str_release(&why);
    return 0;
}
