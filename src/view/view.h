/* The registry of compiled page templates: built once at start-up from the
 * embedded template table, then shared read-only by all request threads.
 * It resolves partials by name and wraps pages in the common layout. */
#ifndef RATHAUS_VIEW_VIEW_H
#define RATHAUS_VIEW_VIEW_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"
#include "base/str.h"
#include "view/embed.h"

/* The layout every page is wrapped in by view_render_page. */
#define VIEW_LAYOUT "layout.html"

/* A set of compiled templates; immutable after view_init. */
struct view;

/* Compiles every file in files[0 .. n) whose name ends in ".html" (other
 * files are skipped) and checks that every partial they include exists.
 * A template is known by its file name with or without ".html": the page
 * "auth/login.html" renders as "auth/login.html" or "auth/login", and
 * {{> auth/field}} includes "auth/field.html". The file data is copied, so
 * the table need not outlive the registry. On success *ret is a new registry that the caller
 * frees with view_free(). Errors: ERR_INVALID or ERR_TOOBIG when a template
 * does not parse, includes an unknown partial or appears twice, ERR_NOMEM;
 * except for ERR_NOMEM, errmsg (may be NULL) then holds a German message
 * naming the file, line and column. */
int view_init(struct view **ret, const struct embed_file *files, size_t n, struct str *errmsg) WUR;

/* Frees a registry and its templates; accepts NULL. */
void view_free(struct view *v);

/* Returns the compiled template called name (see view_init), or NULL. The
 * template belongs to the registry. */
const struct tmpl *view_get(const struct view *v, const char *name);

/* Renders the template called name with data (may be NULL) as context and
 * appends it to out. Safe to call from many threads at once. Errors:
 * ERR_NOTFOUND for an unknown name, otherwise as tmpl_render (ERR_TOOBIG,
 * ERR_NOMEM); on error out holds partial output, which the caller discards. */
int view_render(const struct view *v, const char *name, const json_t *data, struct str *out) WUR;

/* Renders the page called name with data, then appends VIEW_LAYOUT rendered
 * with the same data plus the page as the raw value "content" (so the layout
 * writes {{{content}}}). data is not changed; the page is rendered into a
 * temporary buffer bounded by out's cap. Errors as view_render; ERR_NOTFOUND
 * also when there is no layout. */
int view_render_page(const struct view *v, const char *name, const json_t *data,
                     struct str *out) WUR;

#endif
