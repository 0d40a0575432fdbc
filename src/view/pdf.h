/* PDF documents for citizens and staff: notices (Bescheide), receipts,
 * readable renderings of form data and reports. A document is a list of
 * blocks laid out on A4 pages by pango (DejaVu Sans, German hyphenation
 * left to pango) and written by cairo's PDF surface; libqrencode draws QR
 * codes. Nothing is fetched from elsewhere; the same blocks and date give
 * the same bytes, so a report is reproducible from the database. */
#ifndef RATHAUS_VIEW_PDF_H
#define RATHAUS_VIEW_PDF_H

#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

#define PDF_MAX_BLOCKS 20000             /* blocks of one document */
#define PDF_MAX_TEXT ((size_t)256 << 10) /* bytes of one block's text */
#define PDF_MAX_QR 1000                  /* bytes encoded in one QR code */

struct pdf_doc;

/* Creates an empty document. title and subject go into the PDF metadata and
 * the running header; created is the creation date written into the file
 * (Unix seconds; 0 = now); letterhead (may be NULL) is printed at the top of
 * the first page, e.g. "Stadt Musterstadt · Amt 32 Ordnungsamt". ERR_NOMEM. */
int pdf_new(const char *title, const char *letterhead, int64_t created, struct pdf_doc **ret) WUR;

/* Frees the document. Accepts NULL. */
void pdf_free(struct pdf_doc *d);

/* Appends a heading (level 1 or 2). Text is UTF-8, taken as plain text
 * (never pango markup). ERR_TOOBIG past PDF_MAX_BLOCKS or PDF_MAX_TEXT,
 * ERR_INVALID for text that is not UTF-8; the same for every append. */
int pdf_heading(struct pdf_doc *d, int level, const char *text) WUR;

/* Appends a paragraph; line breaks in text are kept. */
int pdf_para(struct pdf_doc *d, const char *text) WUR;

/* Appends a row of a two-column table: label left, value right (wrapped). */
int pdf_field(struct pdf_doc *d, const char *label, const char *value) WUR;

/* Appends an item of a bulleted list. */
int pdf_item(struct pdf_doc *d, const char *text) WUR;

/* Appends a QR code of text (e.g. the status link) with a caption below. */
int pdf_qr(struct pdf_doc *d, const char *text, const char *caption) WUR;

/* Appends a table: ncols column titles and rows of ncols cells each
 * (cells[r * ncols + c]). Long tables continue on the next page with the
 * titles repeated. */
int pdf_table(struct pdf_doc *d, size_t ncols, const char *const *titles, size_t nrows,
              const char *const *cells) WUR;

/* Starts a new page. */
int pdf_page_break(struct pdf_doc *d) WUR;

/* Lays out and writes the PDF into out (appended). Page numbers "Seite n
 * von m" in the footer. ERR_NOMEM, ERR_IO when cairo fails. */
int pdf_render(struct pdf_doc *d, struct str *out) WUR;

#endif
