/* Import of FIM XDatenfelder 2.0 and 3.0.0 (Stammdatenschema, Datenfeldgruppe
 * and Datenfeld messages) into the form definition of docs/formulare.md. The
 * file is checked first (well-formed XML, known namespace and message, known
 * elements, no doubled single elements, required identifiers, valid codes);
 * then groups, fields and rules are mapped as far as the format reaches, and
 * every part that could not be mapped is named in a report. */
#ifndef RATHAUS_PORTAL_XDF_H
#define RATHAUS_PORTAL_XDF_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

#define XDF_MAX_BYTES ((size_t)32 * 1024 * 1024) /* largest XDatenfelder file accepted */
#define XDF_MAX_DEPTH 40                         /* nesting of groups in groups */
#define XDF_MAX_REPEAT 50                        /* "n" in an anzahl becomes this maximum */

#define XDF_NS_2 "urn:xoev-de:fim:standard:xdatenfelder_2"
#define XDF_NS_3 "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"

/* Imports the XDatenfelder file data[0..len). On success *ret_form is a new
 * JSON form object ({"steps": […], "rules": […]}, docs/formulare.md) and
 * *ret_report a new JSON object: {"standard": "XDatenfelder 2.0"|"… 3.0.0",
 * "message": root element name, "source": {"id", "version", "name"},
 * "counts": {"steps", "groups", "fields", "rules"}, "unmapped": [{"line",
 * "element", "message"}]} where each message is a German sentence naming what
 * was not (or only partly) carried over. The caller owns both.
 * ERR_INVALID when the file is refused: why gets a German reason, as
 * "Zeile L, Spalte C: …" when a place in the file is to blame (the column is
 * where the parser stood: the end of the element's start tag). ERR_TOOBIG
 * above XDF_MAX_BYTES, ERR_NOMEM. why may be NULL. */
int xdf_import(const char *data, size_t len, json_t **ret_form, json_t **ret_report,
               struct str *why) WUR;

/* Appends the report as German lines, one per unmapped part, each "NAME:L: …"
 * (NAME is the file name for messages), after a summary line. */
int xdf_report_text(const json_t *report, const char *name, struct str *out) WUR;

/* Translates an XML Schema regular expression (the pattern of a
 * praezisierung, implicitly anchored) into an anchored POSIX extended regular
 * expression as the form engine uses it, appended to out. ERR_INVALID with a
 * German reason in why for constructs POSIX cannot express (\p{…}, class
 * subtraction, \i, \c) or a result regcomp refuses. */
int xdf_pattern_to_ere(const char *xsd, struct str *out, struct str *why) WUR;

#endif
