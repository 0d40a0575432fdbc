/* The small, safe condition language of exclusive gateways. A condition is
 * evaluated over the case data (a JSON object of variables) and yields true
 * or false; nothing else can be run. Parsed once at deploy time (errors name
 * the position) and again when the gateway is reached.
 *
 * Syntax (an optional Camunda wrapper "${ … }" is stripped first):
 *   expr    := or
 *   or      := and (("or" | "||") and)*
 *   and     := not (("and" | "&&") not)*
 *   not     := ("not" | "!") not | cmp
 *   cmp     := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
 *   operand := "(" expr ")" | number | 'string' | "string" | true | false
 *            | date('YYYY-MM-DD') | path
 *   path    := name ("." name)*     (a name: letters, digits, _, not a keyword)
 * Numbers compare as numbers, strings bytewise (so ISO dates 'YYYY-MM-DD'
 * compare in calendar order; date('…') only checks the form at parse time
 * and is then a string), booleans only with == and !=. A comparison with a
 * missing or null variable, or of two different types, is false (also !=).
 * An operand standing alone is true when it is true, a non-zero number or a
 * non-empty string. Keywords are case-sensitive. */
#ifndef RATHAUS_WORKFLOW_EXPR_H
#define RATHAUS_WORKFLOW_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/err.h"
#include "base/str.h"

#define WF_EXPR_MAX_LEN 4096 /* bytes of one condition */
#define WF_EXPR_MAX_DEPTH 32 /* nesting of parentheses and not */
#define WF_EXPR_MAX_PATH 8   /* names of one dotted path */

struct wf_expr; /* a parsed condition */

/* Parses len bytes of a condition. On success *ret is the condition, to free
 * with wf_expr_free. ERR_INVALID for a syntax error (err gets a German message
 * with the 1-based byte position, err may be NULL), ERR_TOOBIG above
 * WF_EXPR_MAX_LEN or WF_EXPR_MAX_DEPTH, ERR_NOMEM. */
int wf_expr_parse(const char *src, size_t len, struct wf_expr **ret, struct str *err) WUR;

/* Frees a condition; accepts NULL. */
void wf_expr_free(struct wf_expr *e);

/* Evaluates the condition over vars (a JSON object, or NULL for none).
 * Never fails: the result is the truth value. */
bool wf_expr_eval(const struct wf_expr *e, const json_t *vars);

#endif
