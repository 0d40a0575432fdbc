/* libFuzzer driver for the BPMN 2.0 reader: any input is parsed as a BPMN
 * file; a model that parses is counted as `rathaus bpmn inspect` does and
 * checked as a deploy checks it (executable subset, task forms, action
 * attributes), so the model walk, the counting and the deploy check see the
 * same hostile trees. Errors must come
 * back as codes with a message, never as a crash or a leak. */
#include <jansson.h>
#include <libxml/parser.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/str.h"
#include "workflow/bpmn.h"
#include "workflow/deploy.h"

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
    struct bpmn_model *m = NULL;
    struct str err;
    str_init(&err, 4096);
    if (bpmn_parse((const char *)data, size, "fuzz.bpmn", &m, &err) == 0) {
        json_t *j = NULL;
        if (bpmn_count_json(m, &j) == 0)
            json_decref(j);
        j = NULL;
        if (wf_validate(m, &j, NULL) == 0)
            json_decref(j);
        bpmn_free(m);
    } else if (err.len == 0) {
        abort(); /* every refusal must say why */
    }
    str_release(&err);
    return 0;
}
