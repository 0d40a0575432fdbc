/* Reading untrusted XML (BPMN models, XDatenfelder schemas) with libxml2 the
 * one safe way: no network, no entity substitution, no DTD loading, a
 * DOCTYPE refused outright (XXE, billion laughs), and the first error
 * reported with line and column in German. */
#ifndef RATHAUS_VIEW_XMLREAD_H
#define RATHAUS_VIEW_XMLREAD_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

/* Parses len bytes (at most INT_MAX; callers check their own size limits
 * first) into a new document for the caller to free with xmlFreeDoc. kind
 * names the format in messages ("BPMN", "XDatenfelder"). With positions,
 * every element remembers where its start tag ended (xmlread_line,
 * xmlread_col; libxml2 alone keeps only the line). ERR_INVALID with "Zeile L,
 * Spalte C: …" in why (replaced; may be NULL) for a DOCTYPE or XML that is
 * not well-formed; ERR_NOMEM; ERR_INTERNAL when libxml2 refuses the options. */
int xmlread_doc(const char *data, size_t len, const char *kind, bool positions, xmlDoc **ret,
                struct str *why) WUR;

/* Line and column of an element of a document read with positions; the
 * line falls back to libxml2's own, the column to 0. */
long xmlread_line(const xmlNode *n);
long xmlread_col(const xmlNode *n);

#endif
