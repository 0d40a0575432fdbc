/* A small Mustache-style template engine that escapes by default, with jansson
 * values as the data. Templates are parsed once into a flat node array and
 * rendered many times without re-parsing and without allocating beyond the
 * output string, so the citizen pages stay fast and HTML only ever leaves
 * rathaus escaped unless a template asks for raw output on purpose.
 *
 * Syntax:
 *   {{name}}          value, HTML-escaped (& < > " ')
 *   {{{name}}}        value, raw: only for HTML our own code produced
 *   {{&name}}         same as {{{name}}}
 *   {{a.b.c}}         dotted name: a is looked up on the context stack, b and c
 *                     strictly inside it
 *   {{.}}             the current (innermost) context
 *   {{#name}}…{{/name}}  section: an array renders the body once per element
 *                     with the element as context; any other truthy value
 *                     renders it once with the value as context
 *   {{^name}}…{{/name}}  inverted section: renders when the value is falsy
 *   {{! comment }}    nothing
 *   {{> name}}        partial, resolved through a callback at render time
 *
 * Falsy are: missing, null, false, 0, 0.0, "" and []. Everything else,
 * including {} is truthy. A value renders as: a string as is, an integer in
 * decimal, a real as an integer when it is integral, else with %g; true,
 * false, null, objects and arrays render nothing (write {{#x}}ja{{/x}} to
 * show a boolean). Names consist of ASCII letters, digits, '_' and '-',
 * joined by '.'; partial names may also contain '/' and '.' (not "..").
 * Whitespace inside the braces is ignored. Delimiter changes ({{=<% %>=}})
 * are not supported.
 *
 * A line that holds nothing but one section, inverted, closing, comment or
 * partial tag and blanks is "standalone": the line break after the tag is
 * dropped, and for all but partials also the blanks before it, so block tags
 * on their own lines leave no empty lines behind. Unlike the Mustache spec,
 * a standalone partial's indentation is kept only before its first line. */
#ifndef RATHAUS_VIEW_TMPL_H
#define RATHAUS_VIEW_TMPL_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"
#include "base/str.h"

/* Deepest nesting of sections, inverted sections and partials together, at
 * parse time (sections) and at render time (sections plus partials); this
 * also stops partial recursion such as a → b → a. */
#define TMPL_MAX_DEPTH 32

/* Largest template source in bytes. */
#define TMPL_MAX_SIZE ((size_t)1024 * 1024)

/* Longest tag name in bytes, dots included. */
#define TMPL_MAX_NAME 128

/* Most nodes one render may visit (loop iterations and partial expansions
 * count), so a template cannot make the server work exponentially long. */
#define TMPL_MAX_STEPS ((size_t)1 << 22)

/* A compiled template; immutable after tmpl_parse, so any number of threads
 * may render it at the same time. */
struct tmpl;

/* Resolves a partial name as written in {{> name}} to a compiled template,
 * or returns NULL when there is none. ctx is the pointer given to the render
 * call. Called concurrently when templates are rendered concurrently. */
typedef const struct tmpl *(*tmpl_partial_fn)(const void *ctx, const char *name);

/* Parses len bytes at src into a compiled template. name (may be NULL) is
 * used in error messages and kept for tmpl_name(); src is copied, so the
 * caller keeps ownership of both. On success *ret is a new template that the
 * caller frees with tmpl_free(). Errors: ERR_INVALID for a syntax error
 * (unclosed tag, unclosed or mismatched section, empty name, bad character,
 * delimiter change), ERR_TOOBIG when TMPL_MAX_SIZE, TMPL_MAX_NAME or
 * TMPL_MAX_DEPTH is exceeded, ERR_NOMEM. On an error other than ERR_NOMEM,
 * errmsg (may be NULL) is reset to a German message with the template's
 * name, line and column, e.g. "Vorlage „a.html“, Zeile 3, Spalte 7:
 * Abschnitt „user“ wird nicht geschlossen". */
int tmpl_parse(const char *name, const char *src, size_t len, struct tmpl **ret,
               struct str *errmsg) WUR;

/* Frees a template; accepts NULL. */
void tmpl_free(struct tmpl *t);

/* Returns the name given to tmpl_parse ("" if none); owned by the template. */
const char *tmpl_name(const struct tmpl *t);

/* Returns the name of the i-th partial tag in the template in source order,
 * or NULL when i is past the last; owned by the template. Lets a registry
 * check at start-up that every partial exists. */
const char *tmpl_partial_name(const struct tmpl *t, size_t i);

/* Renders t with data as the only context and appends the result to out.
 * data may be NULL (every name is then missing). partials (may be NULL)
 * resolves {{> name}} with pctx passed through. Errors: ERR_NOTFOUND when a
 * partial cannot be resolved, ERR_TOOBIG when TMPL_MAX_DEPTH or
 * TMPL_MAX_STEPS is exceeded or out reaches its cap, ERR_NOMEM. On error out
 * holds part of the output, which the caller discards. */
int tmpl_render(const struct tmpl *t, const json_t *data, tmpl_partial_fn partials,
                const void *pctx, struct str *out) WUR;

/* Like tmpl_render, with a prepared context stack of n values: stack[0] is
 * the outermost, stack[n - 1] the innermost that names are looked up in
 * first. Used to lay extra values over a caller's data without changing it.
 * n must be between 1 and TMPL_MAX_DEPTH (else ERR_INVALID); entries may be
 * NULL. Errors as tmpl_render. */
int tmpl_render_stack(const struct tmpl *t, const json_t *const *stack, size_t n,
                      tmpl_partial_fn partials, const void *pctx, struct str *out) WUR;

#endif
