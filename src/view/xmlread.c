/* The safe XML reader (xmlread.h): a parser context with libxml2's
 * structured error callback keeping the first error, a SAX hook that stops at
 * any DOCTYPE, and optionally one that stores each element's position. */
#include "xmlread.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bits of an element's _private that hold its column (the rest: its line). */
#define POS_COLBITS (sizeof(uintptr_t) >= 8 ? 24u : 10u)

/* State of one parse, reached from the callbacks via ctxt->_private. */
struct parse_state {
    bool doctype;  /* a DOCTYPE was seen and refused */
    bool have_err; /* first error recorded below */
    int line;      /* line of the first error */
    int col;       /* column of the first error */
    char msg[256]; /* libxml2's message of the first error, without newline */
};

/* libxml2's structured error callback: keeps the first error's position. */
static void on_error(void *data, xmlErrorPtr e)
{
    (void)data;
    if (!e || !e->ctxt)
        return;
    struct parse_state *st = ((xmlParserCtxtPtr)e->ctxt)->_private;
    if (!st || st->have_err)
        return;
    st->have_err = true;
    st->line = e->line;
    st->col = e->int2;
    snprintf(st->msg, sizeof st->msg, "%s", e->message ? e->message : "");
    size_t n = strlen(st->msg);
    while (n && (st->msg[n - 1] == '\n' || st->msg[n - 1] == ' '))
        st->msg[--n] = '\0';
}

/* SAX hook for <!DOCTYPE …>: refusing it here means no entity is ever
 * declared, expanded or loaded. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id, const xmlChar *sys_id)
{
    (void)name;
    (void)ext_id;
    (void)sys_id;
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;
    st->doctype = true;
    if (!st->have_err) {
        st->have_err = true;
        st->line = xmlSAX2GetLineNumber(ctxt);
        st->col = xmlSAX2GetColumnNumber(ctxt);
        snprintf(st->msg, sizeof st->msg, "DOCTYPE nicht erlaubt");
    }
    xmlStopParser(ctxt);
}

/* SAX hook for start tags with positions: builds the element as usual, then
 * stores the parser's position (line and the column after the start tag) in
 * its _private. */
static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
    if (!ctxt->node)
        return;
    uintptr_t line = (uintptr_t)xmlSAX2GetLineNumber(ctxt);
    uintptr_t col = (uintptr_t)xmlSAX2GetColumnNumber(ctxt);
    uintptr_t colmax = ((uintptr_t)1 << POS_COLBITS) - 1;
    if (col > colmax)
        col = colmax;
    ctxt->node->_private = (void *)((line << POS_COLBITS) | col);
}

long xmlread_line(const xmlNode *n)
{
    uintptr_t v = (uintptr_t)n->_private;
    if (v)
        return (long)(v >> POS_COLBITS);
    return xmlGetLineNo(n);
}

long xmlread_col(const xmlNode *n)
{
    return (long)((uintptr_t)n->_private & (((uintptr_t)1 << POS_COLBITS) - 1));
}

int xmlread_doc(const char *data, size_t len, const char *kind, bool positions, xmlDoc **ret,
                struct str *why)
{
    if (len > (size_t)INT_MAX)
        return ERR_TOOBIG;
    struct parse_state st = {0};
    xmlDocPtr doc = NULL;
    int rc = 0;
    xmlInitParser();
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
    if (!ctxt)
        return ERR_NOMEM;
    /* no NOENT and no DTDLOAD: entities are never substituted or fetched */
    if (xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                    XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES)) {
        rc = ERR_INTERNAL;
        goto done;
    }
    ctxt->_private = &st;
    ctxt->sax->serror = on_error;
    ctxt->sax->internalSubset = on_doctype;
    if (positions)
        ctxt->sax->startElementNs = on_start;
    (void)xmlParseDocument(ctxt);
    doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    rc = ERR_INVALID;
    if (why)
        str_reset(why);
    if (st.doctype) {
        if (why)
            (void)str_addf(why,
                           "Zeile %d, Spalte %d: DOCTYPE-Deklarationen sind in %s-Dateien nicht "
                           "erlaubt",
                           st.line, st.col, kind);
    } else if (!doc || !ctxt->wellFormed) {
        if (why && st.have_err)
            (void)str_addf(why, "Zeile %d, Spalte %d: kein wohlgeformtes XML (%s)", st.line, st.col,
                           st.msg);
        else if (why)
            (void)str_adds(why, "kein wohlgeformtes XML");
    } else {
        rc = 0;
    }
done:
    xmlFreeParserCtxt(ctxt);
    if (rc) {
        if (doc)
            xmlFreeDoc(doc);
        return rc;
    }
    *ret = doc;
    return 0;
}
