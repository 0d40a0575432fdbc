/* libFuzzer driver for the gateway condition language: any input is parsed
 * as a condition; one that parses is evaluated over a fixed set of variables.
 * Errors must come back as codes with a message, never as a crash or a leak. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/str.h"
#include "workflow/expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *vars;
    if (!vars)
        vars = json_loads("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":{\"e\":2.5},\"n\":null}", 0, NULL);
    struct wf_expr *e = NULL;
    struct str err;
    str_init(&err, 4096);
    if (wf_expr_parse((const char *)data, size, &e, &err) == 0) {
        (void)wf_expr_eval(e, vars);
        wf_expr_free(e);
    }
    str_release(&err);
    return 0;
}
