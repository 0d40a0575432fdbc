/* XDatenfelder import (xdf.h). libxml2 builds the tree without network, DTD
 * or entities (a DOCTYPE stops the parser) and records each element's line
 * and column; a table per element type then checks the file the way the
 * standard describes it, and a second walk maps the checked tree onto steps,
 * groups, fields and rules, noting in the report whatever does not fit. */
#include "xdf.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <assert.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "form.h"
#include "view/xmlread.h"

/* ---------------------------------------------------------------------------
 * The import's state
 * ------------------------------------------------------------------------- */

/* A growable list of element pointers (the rules met during the walk). */
struct nodes {
    const xmlNode **v; /* elements */
    size_t n;          /* used */
    size_t alloc;      /* allocated */
};

/* One import: the checked tree and what the mapping has produced so far. */
struct imp {
    const char *ns;     /* namespace of the file (XDF_NS_2 or XDF_NS_3) */
    int v;              /* 2 or 3 */
    struct str *why;    /* reason of a refusal (may be NULL) */
    int rc;             /* first failure: ERR_INVALID or ERR_NOMEM */
    json_t *unmapped;   /* report entries */
    json_t *used;       /* form ids in use: id → true */
    json_t *fields;     /* XDatenfelder field id → its first form field */
    json_t *seen;       /* "id:version" of rules and notes already reported */
    json_t *rules;      /* the form's rules */
    struct nodes regel; /* regel elements in document order */
};

static void nomem(struct imp *im)
{
    if (!im->rc)
        im->rc = ERR_NOMEM;
}

/* Checks a jansson result: a NULL or -1 marks the import out of memory. */
static void need(struct imp *im, int jrc)
{
    if (jrc)
        nomem(im);
}

static void refuse(struct imp *im, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the reason of a refusal (the first one wins) at n's position. */
static void refuse(struct imp *im, const xmlNode *n, const char *fmt, ...)
{
    if (im->rc)
        return;
    im->rc = ERR_INVALID;
    if (!im->why)
        return;
    str_reset(im->why);
    if (n)
        (void)str_addf(im->why, "Zeile %ld, Spalte %ld: ", xmlread_line(n), xmlread_col(n));
    va_list ap;
    va_start(ap, fmt);
    (void)str_vaddf(im->why, fmt, ap);
    va_end(ap);
}

static void note(struct imp *im, const xmlNode *n, const char *element, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a report entry: what at n (element: its XDatenfelder id) was not or
 * only partly carried over. */
static void note(struct imp *im, const xmlNode *n, const char *element, const char *fmt, ...)
{
    struct str s;
    str_init(&s, 64 * 1024);
    va_list ap;
    va_start(ap, fmt);
    (void)str_vaddf(&s, fmt, ap);
    va_end(ap);
    if (s.err) {
        str_release(&s);
        nomem(im);
        return;
    }
    json_t *e = json_pack("{s:I,s:s,s:s}", "line", (json_int_t)(n ? xmlread_line(n) : 0), "element",
                          element ? element : "", "message", s.buf);
    str_release(&s);
    if (!e || json_array_append_new(im->unmapped, e))
        nomem(im);
}

static bool nodes_add(struct nodes *l, const xmlNode *n)
{
    if (l->n == l->alloc) {
        size_t a = l->alloc ? l->alloc * 2 : 16;
        const xmlNode **v = realloc(l->v, a * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        l->alloc = a;
    }
    l->v[l->n++] = n;
    return true;
}

/* ---------------------------------------------------------------------------
 * Small tree helpers
 * ------------------------------------------------------------------------- */

static bool is_el(const xmlNode *n)
{
    return n && n->type == XML_ELEMENT_NODE;
}

static bool in_ns(const struct imp *im, const xmlNode *n)
{
    return is_el(n) && n->ns && n->ns->href && strcmp((const char *)n->ns->href, im->ns) == 0;
}

static bool is_xdf(const struct imp *im, const xmlNode *n, const char *local)
{
    return in_ns(im, n) && strcmp((const char *)n->name, local) == 0;
}

/* Writes "<xdf:name>" (with the prefix the file uses) into b. */
static const char *tag(const xmlNode *n, char *b, size_t size)
{
    if (n->ns && n->ns->prefix)
        snprintf(b, size, "<%s:%s>", (const char *)n->ns->prefix, (const char *)n->name);
    else
        snprintf(b, size, "<%s>", (const char *)n->name);
    return b;
}

/* True when n has no element child, no attribute and only blank text. */
static bool is_blank(const xmlNode *n)
{
    if (n->properties)
        return false;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return false;
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            for (const xmlChar *p = c->content; *p; p++)
                if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                    return false;
    }
    return true;
}

/* The child element local of n in the file's namespace: the first one with
 * content, else the first one, else NULL. */
static const xmlNode *kid(const struct imp *im, const xmlNode *n, const char *local)
{
    const xmlNode *first = NULL;
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (!is_xdf(im, c, local))
            continue;
        if (!is_blank(c))
            return c;
        if (!first)
            first = c;
    }
    return first;
}

/* The text of n with runs of white space made one blank and both ends
 * trimmed, as a new string (free it); NULL for no n or no memory. */
static char *norm_text(const xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *raw = xmlNodeGetContent(n);
    if (!raw)
        return NULL;
    size_t len = strlen((const char *)raw);
    char *out = malloc(len + 1);
    if (out) {
        size_t o = 0;
        bool space = false;
        for (const xmlChar *p = raw; *p; p++) {
            if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                space = o > 0;
                continue;
            }
            if (space)
                out[o++] = ' ';
            space = false;
            out[o++] = (char)*p;
        }
        out[o] = '\0';
    }
    xmlFree(raw);
    return out;
}

/* Normalized text of n's child local; NULL when absent or empty (free it). */
static char *kid_text(struct imp *im, const xmlNode *n, const char *local)
{
    const xmlNode *k = kid(im, n, local);
    if (!k)
        return NULL;
    char *t = norm_text(k);
    if (!t) {
        nomem(im);
        return NULL;
    }
    if (!*t) {
        free(t);
        return NULL;
    }
    return t;
}

/* The <code> of n's child local (a code list value); NULL when absent. */
static char *kid_code(struct imp *im, const xmlNode *n, const char *local)
{
    const xmlNode *k = kid(im, n, local);
    for (const xmlNode *c = k ? k->children : NULL; c; c = c->next)
        if (is_el(c) && strcmp((const char *)c->name, "code") == 0) {
            char *t = norm_text(c);
            if (!t)
                nomem(im);
            return t;
        }
    return NULL;
}

/* The id of an element (from its identifikation); "" when missing. */
static const char *elem_id(struct imp *im, const xmlNode *n, char *buf, size_t size)
{
    char *t = kid_text(im, kid(im, n, "identifikation"), "id");
    snprintf(buf, size, "%s", t ? t : "");
    free(t);
    return buf;
}

/* Copies at most max bytes of z into buf, cut at a UTF-8 boundary, with "…"
 * when shortened. */
static const char *clip(const char *z, size_t max, char *buf, size_t size)
{
    size_t n = strlen(z);
    if (n <= max || max + 4 > size) {
        snprintf(buf, size, "%s", z);
        return buf;
    }
    while (max > 0 && ((unsigned char)z[max] & 0xC0) == 0x80)
        max--;
    memcpy(buf, z, max);
    memcpy(buf + max, "…", sizeof "…");
    return buf;
}

/* Shortens a malloc'd text in place to what the form engine takes for one
 * text (FORM_DEF_MAX_TEXT bytes), cut at a UTF-8 boundary, ending in "…". */
static char *fit(char *t)
{
    size_t max = FORM_DEF_MAX_TEXT - 8;
    if (!t || strlen(t) < FORM_DEF_MAX_TEXT)
        return t;
    while (max > 0 && ((unsigned char)t[max] & 0xC0) == 0x80)
        max--;
    memcpy(t + max, "…", sizeof "…");
    return t;
}

/* ---------------------------------------------------------------------------
 * Checking the file against the structure of the standard
 * ------------------------------------------------------------------------- */

enum content {
    C_ELEMS, /* element children from a list */
    C_TEXT,  /* text only */
    C_CODE,  /* one unqualified <code> child with a value from a list */
    C_ANY,   /* not looked into */
};

struct spec;

/* An allowed child: its local name, how often it may occur (max 0: any
 * number) and what it must look like. */
struct kid {
    const char *name;      /* local name in the file's namespace */
    unsigned char min;     /* at least */
    unsigned char max;     /* at most; 0 = unbounded */
    const struct spec *sp; /* its own structure */
};

/* The structure of one element type. */
struct spec {
    enum content content;     /* kind of content */
    const struct kid *kids;   /* C_ELEMS: allowed children, ending with {NULL} */
    const char *const *codes; /* C_CODE: allowed values, NULL-terminated (NULL: any) */
    const char *allowed;      /* C_CODE: the allowed values for messages */
    bool nonempty;            /* C_TEXT: must have text */
    bool choice;              /* C_ELEMS: exactly one child in all */
    bool anzahl;              /* C_TEXT: a cardinality "min:max" */
};

static const struct spec S_TEXT = {.content = C_TEXT};
static const struct spec S_NONEMPTY = {.content = C_TEXT, .nonempty = true};
static const struct spec S_ANZAHL = {.content = C_TEXT, .nonempty = true, .anzahl = true};
static const struct spec S_ANY = {.content = C_ANY};
static const struct spec S_CODE = {.content = C_CODE};

static const char *const status2[] = {"aktiv", "inaktiv", "inVorbereitung", NULL};
static const char *const freigabe3[] = {"1", "2", "3", "4", "5", "6", "7", "8", NULL};
static const char *const feldart2[] = {"input", "select", "label", NULL};
static const char *const feldart3[] = {"input", "select", "label", "hidden", "locked", NULL};
static const char *const datentyp2[] = {"text",         "date", "bool", "num", "num_int",
                                        "num_currency", "file", "obj",  NULL};
static const char *const datentyp3[] = {"text",         "text_latin", "date", "time",
                                        "datetime",     "bool",       "num",  "num_int",
                                        "num_currency", "file",       "obj",  NULL};
static const char *const sea[] = {"ABS", "HAR", "RNG", NULL};
static const char *const vorbef3[] = {"keine", "optional", "verpflichtend", NULL};
static const char *const regeltyp3[] = {"K", "M", "V", "B", NULL};

static const struct spec S_STATUS2 = {C_CODE, NULL,  status2, "aktiv, inaktiv, inVorbereitung",
                                      false,  false, false};
static const struct spec S_FREIGABE3 = {C_CODE, NULL, freigabe3, "1 bis 8", false, false, false};
static const struct spec S_FELDART2 = {C_CODE, NULL,  feldart2, "input, select, label",
                                       false,  false, false};
static const struct spec S_FELDART3 = {
    C_CODE, NULL, feldart3, "input, select, label, hidden, locked", false, false, false};
static const struct spec S_DATENTYP2 = {
    C_CODE, NULL,  datentyp2, "text, date, bool, num, num_int, num_currency, file, obj",
    false,  false, false};
static const struct spec S_DATENTYP3 = {C_CODE,
                                        NULL,
                                        datentyp3,
                                        "text, text_latin, date, time, datetime, bool, num, "
                                        "num_int, num_currency, file, obj",
                                        false,
                                        false,
                                        false};
static const struct spec S_SEA = {C_CODE, NULL, sea, "ABS, HAR, RNG", false, false, false};
static const struct spec S_VORBEF3 = {C_CODE, NULL,  vorbef3, "keine, optional, verpflichtend",
                                      false,  false, false};
static const struct spec S_REGELTYP3 = {C_CODE, NULL, regeltyp3, "K, M, V, B", false, false, false};

static const struct kid K_HEADER[] = {
    {"nachrichtID", 0, 1, &S_TEXT},
    {"erstellungszeitpunkt", 0, 1, &S_TEXT},
    {"referenzID", 0, 1, &S_TEXT},
    {NULL, 0, 0, NULL},
};
static const struct spec S_HEADER = {.content = C_ELEMS, .kids = K_HEADER};

static const struct kid K_IDENT[] = {
    {"id", 1, 1, &S_NONEMPTY},
    {"version", 0, 1, &S_TEXT},
    {NULL, 0, 0, NULL},
};
static const struct spec S_IDENT = {.content = C_ELEMS, .kids = K_IDENT};

/* XDatenfelder 2.0 */

static const struct spec S_GROUP2, S_FIELD2, S_STRUKTUR2, S_REGEL2;

#define COMMON2                                                                                    \
    {"identifikation", 1, 1, &S_IDENT}, {"name", 1, 1, &S_NONEMPTY},                               \
        {"bezeichnungEingabe", 0, 1, &S_TEXT}, {"bezeichnungAusgabe", 0, 1, &S_TEXT},              \
        {"beschreibung", 0, 1, &S_TEXT}, {"definition", 0, 1, &S_TEXT}, {"bezug", 0, 1, &S_TEXT},  \
        {"status", 0, 1, &S_STATUS2}, {"gueltigAb", 0, 1, &S_TEXT}, {"gueltigBis", 0, 1, &S_TEXT}, \
        {"fachlicherErsteller", 0, 1, &S_TEXT}, {"versionshinweis", 0, 1, &S_TEXT},                \
        {"freigabedatum", 0, 1, &S_TEXT},                                                          \
    {                                                                                              \
        "veroeffentlichungsdatum", 0, 1, &S_TEXT                                                   \
    }

static const struct kid K_SCHEMA2[] = {
    COMMON2,
    {"hilfetext", 0, 1, &S_TEXT},
    {"ableitungsmodifikationenStruktur", 0, 1, &S_CODE},
    {"ableitungsmodifikationenRepraesentation", 0, 1, &S_CODE},
    {"regel", 0, 0, &S_REGEL2},
    {"struktur", 0, 0, &S_STRUKTUR2},
    {NULL, 0, 0, NULL},
};
static const struct spec S_SCHEMA2 = {.content = C_ELEMS, .kids = K_SCHEMA2};

static const struct kid K_GROUP2[] = {
    COMMON2,
    {"schemaelementart", 0, 1, &S_SEA},
    {"hilfetextEingabe", 0, 1, &S_TEXT},
    {"hilfetextAusgabe", 0, 1, &S_TEXT},
    {"regel", 0, 0, &S_REGEL2},
    {"struktur", 0, 0, &S_STRUKTUR2},
    {NULL, 0, 0, NULL},
};
static const struct spec S_GROUP2 = {.content = C_ELEMS, .kids = K_GROUP2};

static const struct kid K_GCID[] = {
    {"canonicalIdentification", 0, 1, &S_TEXT},
    {"version", 0, 1, &S_TEXT},
    {"canonicalVersionUri", 0, 1, &S_TEXT},
    {NULL, 0, 0, NULL},
};
static const struct spec S_GCID = {.content = C_ELEMS, .kids = K_GCID};

static const struct kid K_CLREF2[] = {
    {"identifikation", 0, 1, &S_IDENT},
    {"genericodeIdentification", 0, 1, &S_GCID},
    {NULL, 0, 0, NULL},
};
static const struct spec S_CLREF2 = {.content = C_ELEMS, .kids = K_CLREF2};

static const struct kid K_FIELD2[] = {
    COMMON2,
    {"schemaelementart", 0, 1, &S_SEA},
    {"hilfetextEingabe", 0, 1, &S_TEXT},
    {"hilfetextAusgabe", 0, 1, &S_TEXT},
    {"feldart", 1, 1, &S_FELDART2},
    {"datentyp", 1, 1, &S_DATENTYP2},
    {"praezisierung", 0, 1, &S_TEXT},
    {"inhalt", 0, 1, &S_TEXT},
    {"codelisteReferenz", 0, 1, &S_CLREF2},
    {"regel", 0, 0, &S_REGEL2},
    {NULL, 0, 0, NULL},
};
static const struct spec S_FIELD2 = {.content = C_ELEMS, .kids = K_FIELD2};

static const struct kid K_REGEL2[] = {
    COMMON2,
    {"script", 0, 1, &S_TEXT},
    {NULL, 0, 0, NULL},
};
static const struct spec S_REGEL2 = {.content = C_ELEMS, .kids = K_REGEL2};

static const struct kid K_ENTHAELT2[] = {
    {"datenfeld", 0, 1, &S_FIELD2},
    {"datenfeldgruppe", 0, 1, &S_GROUP2},
    {NULL, 0, 0, NULL},
};
static const struct spec S_ENTHAELT2 = {.content = C_ELEMS, .kids = K_ENTHAELT2, .choice = true};

static const struct kid K_STRUKTUR2[] = {
    {"anzahl", 1, 1, &S_ANZAHL},
    {"bezug", 0, 1, &S_TEXT},
    {"enthaelt", 1, 1, &S_ENTHAELT2},
    {NULL, 0, 0, NULL},
};
static const struct spec S_STRUKTUR2 = {.content = C_ELEMS, .kids = K_STRUKTUR2};

/* XDatenfelder 3.0.0 */

static const struct spec S_GROUP3, S_FIELD3, S_STRUKTUR3, S_REGEL3;

static const struct kid K_RELATION3[] = {
    {"praedikat", 1, 1, &S_CODE},
    {"objekt", 1, 1, &S_IDENT},
    {NULL, 0, 0, NULL},
};
static const struct spec S_RELATION3 = {.content = C_ELEMS, .kids = K_RELATION3};

#define COMMON3                                                                                    \
    {"identifikation", 1, 1, &S_IDENT}, {"name", 1, 1, &S_NONEMPTY},                               \
        {"beschreibung", 0, 1, &S_TEXT}, {"definition", 0, 1, &S_TEXT}, {"bezug", 0, 0, &S_TEXT},  \
        {"freigabestatus", 0, 1, &S_FREIGABE3}, {"statusGesetztAm", 0, 1, &S_TEXT},                \
        {"statusGesetztDurch", 0, 1, &S_TEXT}, {"gueltigAb", 0, 1, &S_TEXT},                       \
        {"gueltigBis", 0, 1, &S_TEXT}, {"versionshinweis", 0, 1, &S_TEXT},                         \
        {"veroeffentlichungsdatum", 0, 1, &S_TEXT}, {"letzteAenderung", 0, 1, &S_TEXT},            \
        {"relation", 0, 0, &S_RELATION3},                                                          \
    {                                                                                              \
        "stichwort", 0, 0, &S_TEXT                                                                 \
    }

#define ELEM3                                                                                      \
    COMMON3, {"bezeichnungEingabe", 0, 1, &S_TEXT}, {"bezeichnungAusgabe", 0, 1, &S_TEXT},         \
        {"schemaelementart", 0, 1, &S_SEA}, {"hilfetextEingabe", 0, 1, &S_TEXT},                   \
    {                                                                                              \
        "hilfetextAusgabe", 0, 1, &S_TEXT                                                          \
    }

static const struct kid K_SCHEMA3[] = {
    COMMON3,
    {"bezeichnung", 0, 1, &S_TEXT},
    {"hilfetext", 0, 1, &S_TEXT},
    {"ableitungsmodifikationenStruktur", 0, 1, &S_CODE},
    {"ableitungsmodifikationenRepraesentation", 0, 1, &S_CODE},
    {"dokumentsteckbrief", 0, 1, &S_ANY},
    {"regel", 0, 0, &S_REGEL3},
    {"struktur", 0, 0, &S_STRUKTUR3},
    {NULL, 0, 0, NULL},
};
static const struct spec S_SCHEMA3 = {.content = C_ELEMS, .kids = K_SCHEMA3};

static const struct kid K_GROUP3[] = {
    ELEM3,
    {"art", 0, 1, &S_CODE},
    {"regel", 0, 0, &S_REGEL3},
    {"struktur", 0, 0, &S_STRUKTUR3},
    {NULL, 0, 0, NULL},
};
static const struct spec S_GROUP3 = {.content = C_ELEMS, .kids = K_GROUP3};

static const struct kid K_WERT3[] = {
    {"code", 1, 1, &S_NONEMPTY},
    {"name", 1, 1, &S_NONEMPTY},
    {"hilfe", 0, 1, &S_TEXT},
    {NULL, 0, 0, NULL},
};
static const struct spec S_WERT3 = {.content = C_ELEMS, .kids = K_WERT3};

static const struct kid K_WERTE3[] = {
    {"wert", 0, 0, &S_WERT3},
    {NULL, 0, 0, NULL},
};
static const struct spec S_WERTE3 = {.content = C_ELEMS, .kids = K_WERTE3};

static const struct spec S_CLREF3 = {.content = C_ELEMS, .kids = K_GCID};

static const struct kid K_FIELD3[] = {
    ELEM3,
    {"feldart", 1, 1, &S_FELDART3},
    {"datentyp", 1, 1, &S_DATENTYP3},
    {"praezisierung", 0, 1, &S_TEXT},
    {"inhalt", 0, 1, &S_TEXT},
    {"vorbefuellung", 0, 1, &S_VORBEF3},
    {"werte", 0, 1, &S_WERTE3},
    {"codelisteReferenz", 0, 1, &S_CLREF3},
    {"codeKey", 0, 1, &S_TEXT},
    {"nameKey", 0, 1, &S_TEXT},
    {"helpKey", 0, 1, &S_TEXT},
    {"maxSize", 0, 1, &S_TEXT},
    {"mediaType", 0, 0, &S_TEXT},
    {"regel", 0, 0, &S_REGEL3},
    {NULL, 0, 0, NULL},
};
static const struct spec S_FIELD3 = {.content = C_ELEMS, .kids = K_FIELD3};

static const struct kid K_REGEL3[] = {
    {"identifikation", 1, 1, &S_IDENT},
    {"name", 1, 1, &S_NONEMPTY},
    {"beschreibung", 0, 1, &S_TEXT},
    {"freitextRegel", 0, 1, &S_TEXT},
    {"bezug", 0, 0, &S_TEXT},
    {"stichwort", 0, 0, &S_TEXT},
    {"fachlicherErsteller", 0, 1, &S_TEXT},
    {"letzteAenderung", 0, 1, &S_TEXT},
    {"typ", 0, 1, &S_REGELTYP3},
    {"param", 0, 0, &S_ANY},
    {"ziel", 0, 0, &S_ANY},
    {"skript", 0, 1, &S_TEXT},
    {"fehler", 0, 0, &S_ANY},
    {NULL, 0, 0, NULL},
};
static const struct spec S_REGEL3 = {.content = C_ELEMS, .kids = K_REGEL3};

static const struct kid K_ENTHAELT3[] = {
    {"datenfeld", 0, 1, &S_FIELD3},
    {"datenfeldgruppe", 0, 1, &S_GROUP3},
    {NULL, 0, 0, NULL},
};
static const struct spec S_ENTHAELT3 = {.content = C_ELEMS, .kids = K_ENTHAELT3, .choice = true};

static const struct kid K_STRUKTUR3[] = {
    {"anzahl", 1, 1, &S_ANZAHL},
    {"bezug", 0, 0, &S_TEXT},
    {"enthaelt", 1, 1, &S_ENTHAELT3},
    {NULL, 0, 0, NULL},
};
static const struct spec S_STRUKTUR3 = {.content = C_ELEMS, .kids = K_STRUKTUR3};

/* A cardinality: min and max occurrences; max -1 for "n". */
struct anz {
    long min; /* at least */
    long max; /* at most, -1 = unbounded */
};

/* Parses "min:max" (max a number, "n" or "*"); false when malformed. */
static bool parse_anzahl(const char *z, struct anz *ret)
{
    const char *colon = strchr(z, ':');
    if (!colon || colon == z || colon - z > 9)
        return false;
    char a[12];
    memcpy(a, z, (size_t)(colon - z));
    a[colon - z] = '\0';
    long lo, hi;
    if (str_to_long(a, 0, 100000000, &lo))
        return false;
    const char *b = colon + 1;
    if (strcmp(b, "n") == 0 || strcmp(b, "*") == 0)
        hi = -1;
    else if (str_to_long(b, 0, 100000000, &hi) || hi < lo || hi == 0)
        return false;
    ret->min = lo;
    ret->max = hi;
    return true;
}

static int check(struct imp *im, const xmlNode *n, const struct spec *sp, int depth);

static void check_text(struct imp *im, const xmlNode *n, const struct spec *sp)
{
    char t0[160], t1[160];
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is_el(c)) {
            refuse(im, c, "unerwartetes Element %s in %s (dort ist nur Text erlaubt)",
                   tag(c, t0, sizeof t0), tag(n, t1, sizeof t1));
            return;
        }
    if (!sp->nonempty)
        return;
    char *t = norm_text(n);
    if (!t) {
        nomem(im);
        return;
    }
    if (!*t)
        refuse(im, n, "das Element %s ist leer", tag(n, t0, sizeof t0));
    else if (sp->anzahl) {
        struct anz a;
        if (!parse_anzahl(t, &a))
            refuse(im, n, "ungültige Anzahl „%s“ in %s (erwartet „min:max“, z. B. 1:1, 0:1, 0:n)",
                   t, tag(n, t0, sizeof t0));
    }
    free(t);
}

static void check_code(struct imp *im, const xmlNode *n, const struct spec *sp)
{
    char t0[160], t1[160];
    const xmlNode *code = NULL;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is_el(c))
            continue;
        if ((c->ns && !in_ns(im, c)) || strcmp((const char *)c->name, "code") != 0) {
            refuse(im, c, "unerwartetes Element %s in %s (erwartet <code>)", tag(c, t0, sizeof t0),
                   tag(n, t1, sizeof t1));
            return;
        }
        if (code) {
            refuse(im, c, "das Element <code> steht doppelt in %s (erstes in Zeile %ld)",
                   tag(n, t0, sizeof t0), xmlread_line(code));
            return;
        }
        code = c;
    }
    if (!code) {
        refuse(im, n, "in %s fehlt <code>", tag(n, t0, sizeof t0));
        return;
    }
    char *t = norm_text(code);
    if (!t) {
        nomem(im);
        return;
    }
    if (!*t)
        refuse(im, code, "das Element <code> in %s ist leer", tag(n, t0, sizeof t0));
    else if (sp->codes) {
        bool ok = false;
        for (size_t i = 0; sp->codes[i] && !ok; i++)
            ok = strcmp(t, sp->codes[i]) == 0;
        if (!ok)
            refuse(im, code, "ungültiger Wert „%s“ in %s (erlaubt: %s)", t, tag(n, t0, sizeof t0),
                   sp->allowed);
    }
    free(t);
}

static void check_elems(struct imp *im, const xmlNode *n, const struct spec *sp, int depth)
{
    char t0[160], t1[160];
    size_t nk = 0;
    while (sp->kids[nk].name)
        nk++;
    assert(nk <= 64);
    unsigned count[64] = {0};
    const xmlNode *first[64] = {0};
    size_t total = 0;
    for (const xmlNode *c = n->children; c && !im->rc; c = c->next) {
        if (!is_el(c))
            continue;
        size_t k = nk;
        if (in_ns(im, c))
            for (k = 0; k < nk; k++)
                if (strcmp((const char *)c->name, sp->kids[k].name) == 0)
                    break;
        if (k == nk) {
            refuse(im, c, "unerwartetes Element %s in %s", tag(c, t0, sizeof t0),
                   tag(n, t1, sizeof t1));
            return;
        }
        total++;
        count[k]++;
        if (!first[k])
            first[k] = c;
        else if (sp->kids[k].max && count[k] > sp->kids[k].max) {
            /* One empty placeholder before the filled element is tolerated
             * (some editors write both); anything else doubled is refused. */
            if (sp->kids[k].max == 1 && count[k] == 2 && is_blank(first[k]) && !is_blank(c)) {
                char key[64];
                snprintf(key, sizeof key, "dup:%ld", xmlread_line(c));
                if (!json_object_get(im->seen, key)) {
                    need(im, json_object_set_new(im->seen, key, json_true()));
                    note(im, c, "",
                         "Element %s steht doppelt in %s: die leere Angabe in Zeile %ld wurde "
                         "übergangen",
                         tag(c, t0, sizeof t0), tag(n, t1, sizeof t1), xmlread_line(first[k]));
                }
                first[k] = c;
            } else {
                refuse(im, c, "das Element %s steht doppelt in %s (erstes in Zeile %ld)",
                       tag(c, t0, sizeof t0), tag(n, t1, sizeof t1), xmlread_line(first[k]));
                return;
            }
        }
        if (check(im, c, sp->kids[k].sp, depth + 1))
            return;
    }
    if (im->rc)
        return;
    for (size_t k = 0; k < nk; k++)
        if (count[k] < sp->kids[k].min) {
            refuse(im, n, "in %s fehlt das Element <%s%s%s>", tag(n, t0, sizeof t0),
                   n->ns && n->ns->prefix ? (const char *)n->ns->prefix : "",
                   n->ns && n->ns->prefix ? ":" : "", sp->kids[k].name);
            return;
        }
    if (sp->choice && total != 1)
        refuse(im, n, "%s muss genau ein Datenfeld oder eine Datenfeldgruppe enthalten, nicht %zu",
               tag(n, t0, sizeof t0), total);
}

/* Checks n against sp; 0 or the import's rc (the reason is in im->why). */
static int check(struct imp *im, const xmlNode *n, const struct spec *sp, int depth)
{
    if (depth > 4 * XDF_MAX_DEPTH) {
        refuse(im, n, "die Datei ist tiefer als %d Ebenen verschachtelt", 4 * XDF_MAX_DEPTH);
        return im->rc;
    }
    switch (sp->content) {
    case C_ANY: break;
    case C_TEXT: check_text(im, n, sp); break;
    case C_CODE: check_code(im, n, sp); break;
    case C_ELEMS: check_elems(im, n, sp, depth); break;
    }
    return im->rc;
}

/* ---------------------------------------------------------------------------
 * XML Schema patterns to POSIX EREs
 * ------------------------------------------------------------------------- */

static void pat_fail(struct str *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pat_fail(struct str *why, const char *fmt, ...)
{
    if (!why)
        return;
    va_list ap;
    va_start(ap, fmt);
    str_reset(why);
    (void)str_vaddf(why, fmt, ap);
    va_end(ap);
}

/* Translates one bracket expression starting at p ('['); *end gets the
 * position after its ']'. */
static int pat_bracket(const char *p, const char **end, struct str *out, struct str *why)
{
    const char *q = p + 1;
    bool neg = false, dash = false, caret = false, rbracket = false;
    struct str items;
    str_init(&items, 4096);
    int rc = 0;
    if (*q == '^') {
        neg = true;
        q++;
    }
    for (;; q++) {
        if (!*q) {
            pat_fail(why, "„[“ ohne schließende „]“");
            rc = ERR_INVALID;
            goto done;
        }
        if (*q == ']')
            break;
        if (*q == '\\') {
            q++;
            switch (*q) {
            case 'd': (void)str_adds(&items, "0-9"); break;
            case 's': (void)str_adds(&items, "[:space:]"); break;
            case 'w': (void)str_adds(&items, "[:alnum:]_"); break;
            case 'n': (void)str_addc(&items, '\n'); break;
            case 't': (void)str_addc(&items, '\t'); break;
            case 'r': (void)str_addc(&items, '\r'); break;
            case '-': dash = true; break;
            case ']': rbracket = true; break;
            case '^': caret = true; break;
            case '\0':
                pat_fail(why, "„\\“ am Ende");
                rc = ERR_INVALID;
                goto done;
            default:
                if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')) {
                    pat_fail(why, "„\\%c“ in einer Zeichenklasse hat in POSIX keine Entsprechung",
                             *q);
                    rc = ERR_INVALID;
                    goto done;
                }
                (void)str_addc(&items, *q);
            }
            continue;
        }
        if (*q == '-' && q[1] == '[') {
            pat_fail(why, "Zeichenklassen-Subtraktion „-[…]“ hat in POSIX keine Entsprechung");
            rc = ERR_INVALID;
            goto done;
        }
        if (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
            pat_fail(why, "„[%c“ in einer Zeichenklasse ist nicht übertragbar", q[1]);
            rc = ERR_INVALID;
            goto done;
        }
        if (*q == '^' && items.len == 0 && !rbracket) {
            caret = true;
            continue;
        }
        (void)str_addc(&items, *q);
    }
    *end = q + 1;
    if (!neg && !rbracket && items.len == 0 && caret && !dash) {
        (void)str_adds(out, "\\^");
        goto done;
    }
    (void)str_addc(out, '[');
    if (neg)
        (void)str_addc(out, '^');
    if (rbracket)
        (void)str_addc(out, ']');
    if (!neg && !rbracket && items.len == 0 && dash) {
        (void)str_adds(out, caret ? "-^]" : "-]");
        goto done;
    }
    (void)str_add(out, items.buf, items.len);
    if (caret)
        (void)str_addc(out, '^');
    if (dash)
        (void)str_addc(out, '-');
    (void)str_addc(out, ']');
done:
    if (!rc && items.err)
        rc = items.err;
    str_release(&items);
    return rc;
}

int xdf_pattern_to_ere(const char *xsd, struct str *out, struct str *why)
{
    struct str e;
    str_init(&e, 64 * 1024);
    int rc = 0;
    (void)str_adds(&e, "^(");
    for (const char *p = xsd; *p;) {
        char c = *p;
        if (c == '\\') {
            char d = p[1];
            switch (d) {
            case 'd': (void)str_adds(&e, "[0-9]"); break;
            case 'D': (void)str_adds(&e, "[^0-9]"); break;
            case 's': (void)str_adds(&e, "[[:space:]]"); break;
            case 'S': (void)str_adds(&e, "[^[:space:]]"); break;
            case 'w': (void)str_adds(&e, "[^[:punct:][:space:][:cntrl:]]"); break;
            case 'W': (void)str_adds(&e, "[[:punct:][:space:][:cntrl:]]"); break;
            case 'n': (void)str_addc(&e, '\n'); break;
            case 't': (void)str_addc(&e, '\t'); break;
            case 'r': (void)str_addc(&e, '\r'); break;
            case '\0':
                pat_fail(why, "„\\“ am Ende");
                rc = ERR_INVALID;
                goto done;
            default:
                if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')) {
                    pat_fail(why, "„\\%c“ hat in POSIX-Ausdrücken keine Entsprechung", d);
                    rc = ERR_INVALID;
                    goto done;
                }
                if (strchr(".[]\\()*+?{}|^$", d))
                    (void)str_addc(&e, '\\');
                (void)str_addc(&e, d);
            }
            p += 2;
            continue;
        }
        if (c == '[') {
            const char *end = NULL;
            rc = pat_bracket(p, &end, &e, why);
            if (rc)
                goto done;
            p = end;
            continue;
        }
        if (c == '^' || c == '$') /* no anchors in XML Schema: literal */
            (void)str_addc(&e, '\\');
        (void)str_addc(&e, c);
        p++;
    }
    (void)str_adds(&e, ")$");
    if (e.err) {
        rc = e.err;
        goto done;
    }
    regex_t re;
    int r = regcomp(&re, e.buf, REG_EXTENDED | REG_NOSUB);
    if (r) {
        char msg[128];
        regerror(r, &re, msg, sizeof msg);
        pat_fail(why, "der übersetzte Ausdruck ist ungültig (%s)", msg);
        rc = ERR_INVALID;
        goto done;
    }
    regfree(&re);
    rc = str_add(out, e.buf, e.len);
done:
    str_release(&e);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Mapping: ids, labels, fields
 * ------------------------------------------------------------------------- */

/* A new form id from an XDatenfelder id: [a-z0-9_], at most 64 characters,
 * unique in the form (a suffix _2, _3 … when taken); into buf. */
static const char *make_id(struct imp *im, const char *prefix, const char *from, char *buf,
                           size_t size)
{
    char base[65];
    size_t o = 0;
    for (const char *p = prefix; *p && o < 56; p++)
        base[o++] = *p;
    for (const char *p = from; *p && o < 56; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            base[o++] = c;
        else if (o && base[o - 1] != '_')
            base[o++] = '_';
    }
    while (o && base[o - 1] == '_')
        o--;
    if (!o) {
        memcpy(base, "feld", 4);
        o = 4;
    }
    base[o] = '\0';
    snprintf(buf, size, "%s", base);
    for (int k = 2; json_object_get(im->used, buf); k++)
        snprintf(buf, size, "%s_%d", base, k);
    need(im, json_object_set_new(im->used, buf, json_true()));
    return buf;
}

/* The label of a group or field: bezeichnungEingabe, else name (free it). */
static char *label_of(struct imp *im, const xmlNode *n)
{
    char *t = kid_text(im, n, "bezeichnungEingabe");
    if (!t)
        t = kid_text(im, n, "bezeichnung");
    if (!t)
        t = kid_text(im, n, "name");
    if (!t)
        t = strdup("ohne Bezeichnung");
    if (!t)
        nomem(im);
    return fit(t);
}

static struct anz anzahl_of(struct imp *im, const xmlNode *struktur)
{
    struct anz a = {1, 1};
    char *t = kid_text(im, struktur, "anzahl");
    if (t && !parse_anzahl(t, &a)) {
        a.min = 1;
        a.max = 1;
    }
    free(t);
    return a;
}

/* The datenfeld or datenfeldgruppe of a struktur element. */
static const xmlNode *struktur_elem(struct imp *im, const xmlNode *s)
{
    const xmlNode *e = kid(im, s, "enthaelt");
    for (const xmlNode *c = e ? e->children : NULL; c; c = c->next)
        if (is_xdf(im, c, "datenfeld") || is_xdf(im, c, "datenfeldgruppe"))
            return c;
    return NULL;
}

static void anz_text(struct anz a, char *buf, size_t size)
{
    if (a.max < 0)
        snprintf(buf, size, "%ld:n", a.min);
    else
        snprintf(buf, size, "%ld:%ld", a.min, a.max);
}

/* Remembers the regel children of n for the rule pass. */
static void collect_rules(struct imp *im, const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is_xdf(im, c, "regel") && !nodes_add(&im->regel, c))
            nomem(im);
}

/* A repeat object for a; caps "n" and large maxima at XDF_MAX_REPEAT. */
static json_t *repeat_of(struct imp *im, const xmlNode *n, const char *xid, struct anz a,
                         const char *item)
{
    long max = a.max;
    if (max < 0 || max > XDF_MAX_REPEAT) {
        char t[48];
        anz_text(a, t, sizeof t);
        if (max > XDF_MAX_REPEAT)
            note(im, n, xid, "%s: Anzahl %s auf höchstens %d Einträge begrenzt", xid, t,
                 XDF_MAX_REPEAT);
        max = XDF_MAX_REPEAT;
    }
    long min = a.min > max ? max : a.min;
    json_t *r =
        json_pack("{s:I,s:I,s:s}", "min", (json_int_t)min, "max", (json_int_t)max, "item", item);
    if (!r)
        nomem(im);
    return r;
}

/* A praezisierung as an object of strings: v3 attributes, v2 JSON text. */
static json_t *praez_of(struct imp *im, const xmlNode *f, const char *xid, const char *label)
{
    json_t *p = json_object();
    if (!p) {
        nomem(im);
        return NULL;
    }
    const xmlNode *k = kid(im, f, "praezisierung");
    if (!k)
        return p;
    static const char *const keys[] = {"minLength", "maxLength", "minValue",
                                       "maxValue",  "pattern",   NULL};
    if (im->v == 3) {
        for (size_t i = 0; keys[i]; i++) {
            xmlChar *v = xmlGetNoNsProp(k, (const xmlChar *)keys[i]);
            if (v) {
                need(im, json_object_set_new(p, keys[i], json_string((const char *)v)));
                xmlFree(v);
            }
        }
        char *t = norm_text(k);
        if (t && *t)
            note(im, k, xid, "Feld %s (%s): Präzisierung als Text „%s“ nicht übertragen", xid,
                 label, t);
        free(t);
        return p;
    }
    char *t = norm_text(k);
    if (!t) {
        nomem(im);
        return p;
    }
    if (*t) {
        json_error_t jerr;
        json_t *j = json_loads(t, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(j)) {
            note(im, k, xid,
                 "Feld %s (%s): Präzisierung „%s“ ist kein lesbares JSON-Objekt, nicht "
                 "übertragen",
                 xid, label, t);
        } else {
            const char *key;
            json_t *v;
            json_object_foreach(j, key, v)
            {
                bool known = false;
                for (size_t i = 0; keys[i] && !known; i++)
                    known = strcmp(key, keys[i]) == 0;
                if (!known) {
                    note(im, k, xid, "Feld %s (%s): Präzisierung „%s“ nicht übertragen", xid, label,
                         key);
                    continue;
                }
                if (json_is_string(v))
                    need(im, json_object_set(p, key, v));
                else if (json_is_integer(v)) {
                    char b[32];
                    snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                    need(im, json_object_set_new(p, key, json_string(b)));
                } else if (json_is_real(v)) {
                    char b[48];
                    snprintf(b, sizeof b, "%.17g", json_real_value(v));
                    need(im, json_object_set_new(p, key, json_string(b)));
                }
            }
        }
        json_decref(j);
    }
    free(t);
    return p;
}

/* Parses a decimal number ("1,5" or "1.5"); false when it is none. */
static bool parse_num(const char *z, double *ret)
{
    char b[64];
    size_t n = strlen(z);
    if (!n || n >= sizeof b)
        return false;
    for (size_t i = 0; i <= n; i++)
        b[i] = z[i] == ',' ? '.' : z[i];
    char *end = NULL;
    double d = strtod(b, &end);
    if (!end || *end)
        return false;
    *ret = d;
    return true;
}

static bool is_iso_date(const char *z)
{
    if (strlen(z) != 10 || z[4] != '-' || z[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (z[i] < '0' || z[i] > '9'))
            return false;
    return true;
}

/* Sets min/max of field fj from a praezisierung value pair. */
static void set_num_limit(struct imp *im, json_t *fj, const char *key, const json_t *p,
                          const char *pkey, const xmlNode *f, const char *xid, const char *label)
{
    const char *v = json_string_value(json_object_get(p, pkey));
    if (!v || !*v)
        return;
    double d;
    if (!parse_num(v, &d)) {
        note(im, f, xid, "Feld %s (%s): %s „%s“ ist keine Zahl, nicht übertragen", xid, label, pkey,
             v);
        return;
    }
    if (d == (double)(json_int_t)d && d > -1e15 && d < 1e15)
        need(im, json_object_set_new(fj, key, json_integer((json_int_t)d)));
    else
        need(im, json_object_set_new(fj, key, json_real(d)));
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* Applies the text limits (length and pattern) of p to the text field fj. */
static void text_limits(struct imp *im, json_t *fj, const json_t *p, const xmlNode *f,
                        const char *xid, const char *label)
{
    static const char *const pairs[][2] = {{"min", "minLength"}, {"max", "maxLength"}};
    for (size_t i = 0; i < 2; i++) {
        const char *v = json_string_value(json_object_get(p, pairs[i][1]));
        if (!v || !*v)
            continue;
        long l;
        if (str_to_long(v, 0, 1000000000, &l)) {
            note(im, f, xid, "Feld %s (%s): %s „%s“ ist keine Zahl, nicht übertragen", xid, label,
                 pairs[i][1], v);
            continue;
        }
        need(im, json_object_set_new(fj, pairs[i][0], json_integer(l)));
    }
    for (size_t i = 0; i < 2; i++) {
        const char *key = i ? "maxValue" : "minValue";
        const char *v = json_string_value(json_object_get(p, key));
        if (v && *v)
            note(im, f, xid, "Feld %s (%s): %s „%s“ gilt nicht für Text, nicht übertragen", xid,
                 label, key, v);
    }
    const char *pat = json_string_value(json_object_get(p, "pattern"));
    if (pat && *pat) {
        struct str ere, why;
        str_init(&ere, 0);
        str_init(&why, 1024);
        int rc = xdf_pattern_to_ere(pat, &ere, &why);
        if (rc == ERR_NOMEM)
            nomem(im);
        else if (rc)
            note(im, f, xid, "Feld %s (%s): Muster „%s“ nicht übertragen: %s", xid, label, pat,
                 why.len ? why.buf : err_message(rc));
        else {
            need(im, json_object_set_new(fj, "pattern", json_string(ere.buf)));
            need(im, json_object_set_new(fj, "pattern_message",
                                         json_string("Bitte prüfen Sie das Format Ihrer Angabe.")));
        }
        str_release(&ere);
        str_release(&why);
    }
}

/* The options of a v3 werte list; NULL when there are none. */
static json_t *options_of(struct imp *im, const xmlNode *f)
{
    const xmlNode *w = kid(im, f, "werte");
    if (!w)
        return NULL;
    json_t *opts = json_array();
    json_t *seen = json_object();
    if (!opts || !seen) {
        json_decref(opts);
        json_decref(seen);
        nomem(im);
        return NULL;
    }
    for (const xmlNode *c = w->children; c; c = c->next) {
        if (!is_xdf(im, c, "wert"))
            continue;
        char *code = fit(kid_text(im, c, "code"));
        char *name = fit(kid_text(im, c, "name"));
        if (code && name && !json_object_get(seen, code)) {
            need(im, json_object_set_new(seen, code, json_true()));
            json_t *o = json_pack("{s:s,s:s}", "value", code, "label", name);
            if (!o || json_array_append_new(opts, o))
                nomem(im);
        }
        free(code);
        free(name);
    }
    json_decref(seen);
    if (!json_array_size(opts)) {
        json_decref(opts);
        return NULL;
    }
    return opts;
}

/* Appends help text to the "help" of j. */
static void add_help(struct imp *im, json_t *j, const char *text)
{
    const char *old = json_string_value(json_object_get(j, "help"));
    if (!old || !*old) {
        need(im, json_object_set_new(j, "help", json_string(text)));
        return;
    }
    struct str s;
    str_init(&s, 0);
    (void)str_addf(&s, "%s %s", old, text);
    char *t = s.err ? NULL : fit(str_detach(&s, NULL));
    if (!t)
        nomem(im);
    else
        need(im, json_object_set_new(j, "help", json_string(t)));
    free(t);
    str_release(&s);
}

/* Where the fields of the walk go: the step's group list, the current group
 * and whether that group repeats. */
struct place {
    json_t *groups; /* the step's groups (new groups are appended) */
    json_t *group;  /* the group receiving fields */
    bool repeat;    /* group (or an ancestor in the file) repeats */
    bool optional;  /* an ancestor merged into group may be left out entirely */
};

/* Asks the form engine whether field fj is acceptable on its own (in a
 * one-field form); *why gets its reason when not. */
static bool engine_accepts(struct imp *im, const json_t *fj, struct str *why)
{
    json_t *form =
        json_pack("{s:[{s:s,s:s,s:[{s:s,s:s,s:[O]}]}],s:[]}", "steps", "id", "xdf__s", "title", "t",
                  "groups", "id", "xdf__g", "legend", "l", "fields", fj, "rules");
    if (!form) {
        nomem(im);
        return false;
    }
    struct form_def *d = NULL;
    str_reset(why);
    int rc = form_def_parse(form, &d, why);
    json_decref(form);
    form_def_free(d);
    if (rc == ERR_NOMEM)
        nomem(im);
    return rc == 0;
}

/* Makes fj acceptable to the form engine: drops the pattern, then the
 * limits, with a note each; false (with a note) when the field itself is
 * refused. */
static bool field_fits(struct imp *im, json_t *fj, const xmlNode *f, const char *xid,
                       const char *label)
{
    static const char *const strip[][3] = {
        {"pattern", "pattern_message", NULL},
        {"min", "max", "step"},
    };
    struct str why;
    str_init(&why, 4096);
    bool ok = engine_accepts(im, fj, &why);
    for (size_t i = 0; !ok && !im->rc && i < 2; i++) {
        bool had = false;
        for (size_t k = 0; k < 3 && strip[i][k]; k++)
            had |= json_object_del(fj, strip[i][k]) == 0;
        if (!had)
            continue;
        note(im, f, xid, "Feld %s (%s): %s nicht übertragen, die Formular-Engine lehnt sie ab: %s",
             xid, label, i ? "Grenzen (min/max)" : "Muster", why.buf);
        ok = engine_accepts(im, fj, &why);
    }
    if (!ok && !im->rc)
        note(im, f, xid, "Feld %s (%s) nicht übertragen, die Formular-Engine lehnt es ab: %s", xid,
             label, why.buf);
    str_release(&why);
    return ok;
}

/* Maps one datenfeld with cardinality a into pl (or reports why not). */
static void map_field(struct imp *im, struct place *pl, const xmlNode *f, struct anz a)
{
    char xid[128], idbuf[80];
    elem_id(im, f, xid, sizeof xid);
    char *label = label_of(im, f);
    char *help = fit(kid_text(im, f, "hilfetextEingabe"));
    char *feldart = kid_code(im, f, "feldart");
    char *datentyp = kid_code(im, f, "datentyp");
    char *inhalt = kid_text(im, f, "inhalt");
    json_t *p = NULL, *fj = NULL;
    if (!label || !feldart || !datentyp)
        goto done;
    collect_rules(im, f);

    if (strcmp(feldart, "label") == 0) {
        const char *text = inhalt ? fit(inhalt) : label;
        add_help(im, pl->group, text);
        note(im, f, xid,
             "Feld %s (%s): statischer Text (Feldart label) als Hilfetext der Gruppe übernommen",
             xid, label);
        goto done;
    }
    if (strcmp(feldart, "hidden") == 0 || strcmp(feldart, "locked") == 0) {
        note(im, f, xid, "Feld %s (%s) nicht übertragen: Feldart %s (%s) kennt das Format nicht",
             xid, label, feldart,
             strcmp(feldart, "hidden") == 0 ? "verborgen" : "gesperrt, nur zur Anzeige");
        goto done;
    }

    p = praez_of(im, f, xid, label);
    make_id(im, "", xid, idbuf, sizeof idbuf);
    fj = json_pack("{s:s,s:s,s:s}", "id", idbuf, "type", "text", "label", label);
    if (!p || !fj) {
        nomem(im);
        goto done;
    }
    const char *type = "text";
    bool text_like = false;
    if (strcmp(feldart, "select") == 0) {
        json_t *opts = options_of(im, f);
        if (opts) {
            type = json_array_size(opts) <= 4 ? "radio" : "select";
            need(im, json_object_set_new(fj, "options", opts));
        } else {
            const xmlNode *cl = kid(im, f, "codelisteReferenz");
            char *uri = NULL, *ver = NULL;
            if (cl) {
                const xmlNode *g = kid(im, cl, "genericodeIdentification");
                uri = kid_text(im, g ? g : cl, "canonicalIdentification");
                ver = kid_text(im, g ? g : cl, "version");
                if (!uri)
                    uri = kid_text(im, kid(im, cl, "identifikation"), "id");
            }
            if (uri)
                note(im, f, xid,
                     "Feld %s (%s): Codeliste %s%s%s ist nicht in der Datei enthalten, als "
                     "Textfeld übernommen (Auswahlwerte bitte ergänzen)",
                     xid, label, uri, ver ? ", Version " : "", ver ? ver : "");
            else
                note(im, f, xid,
                     "Feld %s (%s): Auswahlfeld ohne Werte und ohne Codeliste, als Textfeld "
                     "übernommen",
                     xid, label);
            free(uri);
            free(ver);
            text_like = true;
        }
    } else if (!strcmp(datentyp, "text") || !strcmp(datentyp, "text_latin")) {
        const char *ml = json_string_value(json_object_get(p, "maxLength"));
        long maxlen = 0;
        if (ml && !str_to_long(ml, 0, 1000000000, &maxlen) && maxlen >= 500)
            type = "textarea";
        else if (contains_ci(label, "E-Mail"))
            type = "email";
        else if (contains_ci(label, "IBAN"))
            type = "iban";
        else if (contains_ci(label, "Telefon") || contains_ci(label, "Mobilfunknummer"))
            type = "phone";
        text_like = strcmp(type, "iban") != 0;
    } else if (!strcmp(datentyp, "date")) {
        type = "date";
        static const char *const lim[][2] = {{"min", "minValue"}, {"max", "maxValue"}};
        for (size_t i = 0; i < 2; i++) {
            const char *v = json_string_value(json_object_get(p, lim[i][1]));
            if (!v || !*v)
                continue;
            if (is_iso_date(v))
                need(im, json_object_set_new(fj, lim[i][0], json_string(v)));
            else
                note(im, f, xid, "Feld %s (%s): %s „%s“ ist kein Datum, nicht übertragen", xid,
                     label, lim[i][1], v);
        }
    } else if (!strcmp(datentyp, "time") || !strcmp(datentyp, "datetime")) {
        bool time = !strcmp(datentyp, "time");
        need(im, json_object_set_new(
                     fj, "pattern",
                     json_string(time ? "^([01][0-9]|2[0-3]):[0-5][0-9]$"
                                      : "^[0-9]{2}\\.[0-9]{2}\\.[0-9]{4} ([01][0-9]|2[0-3]):[0-5]"
                                        "[0-9]$")));
        need(im, json_object_set_new(
                     fj, "pattern_message",
                     json_string(time ? "Bitte die Uhrzeit als SS:MM angeben, z. B. 14:30."
                                      : "Bitte als TT.MM.JJJJ SS:MM angeben.")));
        note(im, f, xid, "Feld %s (%s): Datentyp %s als Textfeld mit Muster übernommen", xid, label,
             datentyp);
    } else if (!strcmp(datentyp, "bool")) {
        type = "yesno";
    } else if (!strcmp(datentyp, "num") || !strcmp(datentyp, "num_int") ||
               !strcmp(datentyp, "num_currency")) {
        type = "number";
        if (!strcmp(datentyp, "num_int"))
            need(im, json_object_set_new(fj, "step", json_integer(1)));
        else if (!strcmp(datentyp, "num_currency"))
            need(im, json_object_set_new(fj, "step", json_real(0.01)));
        set_num_limit(im, fj, "min", p, "minValue", f, xid, label);
        set_num_limit(im, fj, "max", p, "maxValue", f, xid, label);
    } else if (!strcmp(datentyp, "file") || !strcmp(datentyp, "obj")) {
        type = "file";
        if (!strcmp(datentyp, "obj"))
            note(im, f, xid, "Feld %s (%s): Datentyp obj (Objekt) als Datei-Upload übernommen", xid,
                 label);
        json_t *acc = json_array();
        if (!acc)
            nomem(im);
        for (const xmlNode *c = f->children; c && acc; c = c->next) {
            if (!is_xdf(im, c, "mediaType"))
                continue;
            char *mt = norm_text(c);
            if (mt && *mt && strchr(mt, '/'))
                need(im, json_array_append_new(acc, json_string(mt)));
            free(mt);
        }
        if (json_array_size(acc))
            need(im, json_object_set_new(fj, "accept", acc));
        else
            json_decref(acc);
        char *ms = kid_text(im, f, "maxSize");
        long bytes;
        if (ms && !str_to_long(ms, 1, LONG_MAX, &bytes))
            need(im, json_object_set_new(fj, "max_bytes", json_integer((json_int_t)bytes)));
        else if (ms)
            note(im, f, xid, "Feld %s (%s): maxSize „%s“ nicht übertragen", xid, label, ms);
        free(ms);
    }
    if (text_like)
        text_limits(im, fj, p, f, xid, label);
    else if (strcmp(type, "number") != 0 && strcmp(type, "date") != 0) {
        const char *k;
        json_t *v;
        json_object_foreach(p, k, v)
        {
            if (strcmp(type, "text") == 0 && !strcmp(k, "pattern"))
                continue;
            note(im, f, xid,
                 "Feld %s (%s): Präzisierung %s „%s“ passt nicht zum Typ %s, nicht "
                 "übertragen",
                 xid, label, k, json_string_value(v), type);
        }
    }
    if (inhalt)
        note(im, f, xid, "Feld %s (%s): Vorbelegung „%s“ nicht übertragen", xid, label, inhalt);
    char *vb = kid_code(im, f, "vorbefuellung");
    if (vb && strcmp(vb, "keine") != 0)
        note(im, f, xid, "Feld %s (%s): Vorbefüllung „%s“ (aus einem Nutzerkonto) nicht übertragen",
             xid, label, vb);
    free(vb);

    need(im, json_object_set_new(fj, "type", json_string(type)));
    if (help)
        need(im, json_object_set_new(fj, "help", json_string(help)));
    bool many = a.max < 0 || a.max > 1;
    need(im, json_object_set_new(fj, "required", json_boolean(a.min >= 1 && !pl->optional)));
    if (pl->optional && a.min >= 1)
        note(im, f, xid,
             "Feld %s (%s): Pflichtfeld in einer zusammengeführten optionalen Gruppe, als "
             "freiwillig übernommen",
             xid, label);
    if (!field_fits(im, fj, f, xid, label))
        goto done;
    if (!json_object_get(im->fields, xid))
        need(im, json_object_set(im->fields, xid, fj));

    char at[48];
    anz_text(a, at, sizeof at);
    if (many && !pl->repeat) {
        /* a repeatable field becomes a repeatable group of its own */
        char gid[80], from[96];
        snprintf(from, sizeof from, "%s_liste", idbuf);
        make_id(im, "", from, gid, sizeof gid);
        json_t *g = json_pack("{s:s,s:s,s:o,s:[O]}", "id", gid, "legend", label, "repeat",
                              repeat_of(im, f, xid, a, label), "fields", fj);
        if (!g || json_array_append_new(pl->groups, g))
            nomem(im);
        need(im, json_object_set_new(fj, "required", json_true()));
        note(im, f, xid,
             "Feld %s (%s): wiederholbar (Anzahl %s), als wiederholbare Gruppe mit einem Feld "
             "übernommen",
             xid, label, at);
    } else {
        if (many)
            note(im, f, xid,
                 "Feld %s (%s): Wiederholung (Anzahl %s) innerhalb einer wiederholbaren Gruppe "
                 "nicht übertragbar, als einzelnes Feld übernommen",
                 xid, label, at);
        if (json_array_append(json_object_get(pl->group, "fields"), fj))
            nomem(im);
    }
done:
    json_decref(p);
    json_decref(fj);
    free(label);
    free(help);
    free(feldart);
    free(datentyp);
    free(inhalt);
}

/* A new group for element g (id from its identifier plus suffix), with its
 * legend, help and repeat (stolen, may be NULL) before its empty field list. */
static json_t *group_new(struct imp *im, const xmlNode *g, const char *suffix, json_t *repeat)
{
    char xid[128], idbuf[80], from[160];
    elem_id(im, g, xid, sizeof xid);
    snprintf(from, sizeof from, "%s%s", xid, suffix ? suffix : "");
    char *label = label_of(im, g);
    char *help = fit(kid_text(im, g, "hilfetextEingabe"));
    make_id(im, "", from, idbuf, sizeof idbuf);
    json_t *j = json_pack("{s:s,s:s}", "id", idbuf, "legend", label ? label : "");
    if (!j)
        nomem(im);
    if (j && help && !suffix)
        need(im, json_object_set_new(j, "help", json_string(help)));
    if (j && repeat)
        need(im, json_object_set(j, "repeat", repeat));
    if (j)
        need(im, json_object_set_new(j, "fields", json_array()));
    json_decref(repeat);
    free(label);
    free(help);
    return j;
}

static void fill_group(struct imp *im, struct place *pl, const xmlNode *g, int depth);

/* Maps group g (cardinality a) below step level: its own group in the step
 * when nothing around it repeats, else its fields merged into pl's group. */
static void map_group(struct imp *im, struct place *pl, const xmlNode *g, struct anz a, int depth,
                      const char *parent_id, const char *parent_label)
{
    char xid[128];
    elem_id(im, g, xid, sizeof xid);
    if (depth > XDF_MAX_DEPTH) {
        note(im, g, xid, "Gruppe %s tiefer als %d Ebenen verschachtelt: nicht übertragen", xid,
             XDF_MAX_DEPTH);
        return;
    }
    char *label = label_of(im, g);
    if (!label)
        return;
    if (pl->repeat) {
        /* a group that may be left out makes its fields optional here */
        struct place in = *pl;
        in.optional = in.optional || a.min == 0;
        note(im, g, xid,
             "Gruppe %s (%s) in der wiederholbaren Gruppe %s (%s): ihre Felder wurden in diese "
             "Gruppe übernommen (keine Gruppen in Gruppen)%s",
             xid, label, parent_id, parent_label,
             a.max < 0 || a.max > 1 ? "; ihre eigene Wiederholung geht verloren" : "");
        collect_rules(im, g);
        fill_group(im, &in, g, depth + 1);
        free(label);
        return;
    }
    if (depth > 2 && parent_id)
        note(im, g, xid,
             "Gruppe %s (%s) in Gruppe %s (%s): als eigene Gruppe im Schritt übernommen (das "
             "Format kennt keine Gruppen in Gruppen)",
             xid, label, parent_id, parent_label);
    bool rep = a.min != 1 || a.max != 1;
    json_t *gj = group_new(im, g, NULL, rep ? repeat_of(im, g, xid, a, label) : NULL);
    if (!gj || json_array_append_new(pl->groups, gj)) {
        nomem(im);
        free(label);
        return;
    }
    struct place in = {pl->groups, gj, rep, false};
    collect_rules(im, g);
    fill_group(im, &in, g, depth + 1);
    free(label);
}

/* Walks the struktur children of g into pl. */
static void fill_group(struct imp *im, struct place *pl, const xmlNode *g, int depth)
{
    char xid[128];
    elem_id(im, g, xid, sizeof xid);
    char *label = label_of(im, g);
    for (const xmlNode *s = g->children; s && !im->rc; s = s->next) {
        if (!is_xdf(im, s, "struktur"))
            continue;
        const xmlNode *e = struktur_elem(im, s);
        struct anz a = anzahl_of(im, s);
        if (!e)
            continue;
        if (is_xdf(im, e, "datenfeld"))
            map_field(im, pl, e, a);
        else
            map_group(im, pl, e, a, depth, xid, label ? label : "");
    }
    free(label);
}

/* One step from a top-level group g with cardinality a. */
static void map_step(struct imp *im, json_t *steps, const xmlNode *g, struct anz a)
{
    char xid[128], sid[80], at[48];
    elem_id(im, g, xid, sizeof xid);
    char *label = label_of(im, g);
    if (!label)
        return;
    make_id(im, "schritt_", xid, sid, sizeof sid);
    json_t *step = json_pack("{s:s,s:s,s:[]}", "id", sid, "title", label, "groups");
    if (!step || json_array_append_new(steps, step)) {
        nomem(im);
        free(label);
        return;
    }
    json_t *groups = json_object_get(step, "groups");
    collect_rules(im, g);
    if (a.min != 1 || a.max != 1) {
        /* a step cannot repeat or be left out: one group holds everything */
        anz_text(a, at, sizeof at);
        json_t *gj = group_new(im, g, NULL, repeat_of(im, g, xid, a, label));
        if (!gj || json_array_append_new(groups, gj)) {
            nomem(im);
            free(label);
            return;
        }
        struct place in = {groups, gj, true, false};
        fill_group(im, &in, g, 2);
        free(label);
        return;
    }
    /* runs of direct fields form groups named after g; child groups follow
     * in their order */
    json_t *run = NULL;
    int runs = 0;
    for (const xmlNode *s = g->children; s && !im->rc; s = s->next) {
        if (!is_xdf(im, s, "struktur"))
            continue;
        const xmlNode *e = struktur_elem(im, s);
        struct anz ea = anzahl_of(im, s);
        if (!e)
            continue;
        if (is_xdf(im, e, "datenfeld")) {
            if (!run) {
                run = group_new(im, g, runs++ ? "_felder" : NULL, NULL);
                if (!run || json_array_append_new(groups, run)) {
                    nomem(im);
                    break;
                }
            }
            struct place in = {groups, run, false, false};
            map_field(im, &in, e, ea);
        } else {
            run = NULL;
            struct place in = {groups, NULL, false, false};
            map_group(im, &in, e, ea, 2, xid, label);
        }
    }
    free(label);
}

/* ---------------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------------- */

static const char *field_type(const json_t *f)
{
    return json_string_value(json_object_get(f, "type"));
}

/* Tries to read "A < B", "A <= B", "A > B", "A >= B" over two fields of the
 * form (by their XDatenfelder ids) from a script; adds the rule when it can. */
static bool map_compare(struct imp *im, const char *script, const char *message)
{
    regex_t re;
    if (regcomp(&re,
                "^[[:space:]]*(return[[:space:]]+)?[$]?([A-Za-z][A-Za-z0-9_]*)[[:space:]]*(<=|<|>="
                "|>)[[:space:]]*[$]?([A-Za-z][A-Za-z0-9_]*)[[:space:]]*;?[[:space:]]*$",
                REG_EXTENDED))
        return false;
    regmatch_t m[5];
    bool ok = regexec(&re, script, 5, m, 0) == 0;
    regfree(&re);
    if (!ok)
        return false;
    char a[128], b[128], op[3];
    int la = m[2].rm_eo - m[2].rm_so, lb = m[4].rm_eo - m[4].rm_so, lo = m[3].rm_eo - m[3].rm_so;
    if (la >= (int)sizeof a || lb >= (int)sizeof b || lo >= (int)sizeof op)
        return false;
    memcpy(a, script + m[2].rm_so, (size_t)la);
    a[la] = '\0';
    memcpy(b, script + m[4].rm_so, (size_t)lb);
    b[lb] = '\0';
    memcpy(op, script + m[3].rm_so, (size_t)lo);
    op[lo] = '\0';
    const json_t *fa = json_object_get(im->fields, a), *fb = json_object_get(im->fields, b);
    if (!fa || !fb)
        return false;
    const char *ta = field_type(fa), *tb = field_type(fb);
    if (!ta || !tb || strcmp(ta, tb) != 0 || (strcmp(ta, "date") && strcmp(ta, "number")))
        return false;
    bool swap = op[0] == '>';
    const json_t *first = swap ? fb : fa, *second = swap ? fa : fb;
    const char *type = op[1] == '=' ? "not_after" : "before";
    struct str msg;
    str_init(&msg, 0);
    if (message)
        (void)str_adds(&msg, message);
    else
        (void)str_addf(&msg, "„%s“ muss %s „%s“ liegen.",
                       json_string_value(json_object_get(first, "label")),
                       op[1] == '=' ? "am selben Tag oder vor" : "vor",
                       json_string_value(json_object_get(second, "label")));
    json_t *r = json_pack("{s:s,s:O,s:O,s:s}", "type", type, "a", json_object_get(first, "id"), "b",
                          json_object_get(second, "id"), "message", msg.buf);
    str_release(&msg);
    if (!r || json_array_append_new(im->rules, r))
        nomem(im);
    return true;
}

static void map_rules(struct imp *im)
{
    for (size_t i = 0; i < im->regel.n && !im->rc; i++) {
        const xmlNode *r = im->regel.v[i];
        const xmlNode *ident = kid(im, r, "identifikation");
        char *id = kid_text(im, ident, "id");
        char *ver = kid_text(im, ident, "version");
        char key[300];
        snprintf(key, sizeof key, "regel:%s:%s", id ? id : "", ver ? ver : "");
        if (json_object_get(im->seen, key)) {
            free(id);
            free(ver);
            continue;
        }
        need(im, json_object_set_new(im->seen, key, json_true()));
        char *name = kid_text(im, r, "name");
        char *script = kid_text(im, r, im->v == 3 ? "skript" : "script");
        char *free_text = kid_text(im, r, im->v == 3 ? "freitextRegel" : "definition");
        char *desc = fit(kid_text(im, r, "beschreibung"));
        if (!(script && map_compare(im, script, desc))) {
            char c1[256], c2[256];
            if (free_text && script)
                note(im, r, id,
                     "Regel %s (%s) nicht übertragen: Freitext „%s“ und Skript „%s“ sind nicht "
                     "maschinell übertragbar; bitte als Regel (before, not_after, required_if) "
                     "oder Sichtbarkeitsbedingung (show_if) nachbilden",
                     id ? id : "?", name ? name : "", clip(free_text, 200, c1, sizeof c1),
                     clip(script, 120, c2, sizeof c2));
            else if (free_text || script)
                note(im, r, id,
                     "Regel %s (%s) nicht übertragen: %s „%s“ ist nicht maschinell übertragbar; "
                     "bitte als Regel (before, not_after, required_if) oder "
                     "Sichtbarkeitsbedingung (show_if) nachbilden",
                     id ? id : "?", name ? name : "", free_text ? "Freitext" : "Skript",
                     clip(free_text ? free_text : script, 200, c1, sizeof c1));
            else
                note(im, r, id,
                     "Regel %s (%s) nicht übertragen: sie enthält weder Skript noch Text",
                     id ? id : "?", name ? name : "");
        }
        free(id);
        free(ver);
        free(name);
        free(script);
        free(free_text);
        free(desc);
    }
}

/* ---------------------------------------------------------------------------
 * Pruning and counting
 * ------------------------------------------------------------------------- */

/* Drops groups without fields and steps without groups (with a note). */
static void prune(struct imp *im, json_t *steps)
{
    for (size_t i = 0; i < json_array_size(steps);) {
        json_t *st = json_array_get(steps, i);
        json_t *groups = json_object_get(st, "groups");
        for (size_t k = 0; k < json_array_size(groups);) {
            json_t *g = json_array_get(groups, k);
            if (json_array_size(json_object_get(g, "fields"))) {
                k++;
                continue;
            }
            const char *help = json_string_value(json_object_get(g, "help"));
            note(im, NULL, json_string_value(json_object_get(g, "id")),
                 "Gruppe „%s“ enthält keine Eingabefelder und wurde ausgelassen%s",
                 json_string_value(json_object_get(g, "legend")),
                 help ? "; ihr Hinweistext geht verloren" : "");
            need(im, json_array_remove(groups, k));
        }
        if (json_array_size(groups)) {
            i++;
            continue;
        }
        need(im, json_array_remove(steps, i));
    }
}

/* A report entry with its position, for sorting. */
struct ranked {
    json_t *e;  /* the entry (borrowed) */
    long line;  /* its line, LONG_MAX when it has none */
    size_t pos; /* its place before sorting (keeps the sort stable) */
};

static int ranked_cmp(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Orders the report by line (stable; entries without a line last). */
static void sort_notes(struct imp *im, json_t *a)
{
    size_t n = json_array_size(a);
    if (n < 2)
        return;
    struct ranked *r = calloc(n, sizeof *r);
    if (!r) {
        nomem(im);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        r[i].e = json_incref(json_array_get(a, i));
        long l = (long)json_integer_value(json_object_get(r[i].e, "line"));
        r[i].line = l > 0 ? l : LONG_MAX;
        r[i].pos = i;
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    need(im, json_array_clear(a));
    for (size_t i = 0; i < n; i++)
        need(im, json_array_append_new(a, r[i].e));
    free(r);
}

static json_t *counts_of(const json_t *form)
{
    size_t ng = 0, nf = 0, i, k;
    json_t *st, *g;
    const json_t *steps = json_object_get(form, "steps");
    json_array_foreach(steps, i, st)
    {
        json_array_foreach(json_object_get(st, "groups"), k, g)
        {
            ng++;
            nf += json_array_size(json_object_get(g, "fields"));
        }
    }
    return json_pack("{s:I,s:I,s:I,s:I}", "steps", (json_int_t)json_array_size(steps), "groups",
                     (json_int_t)ng, "fields", (json_int_t)nf, "rules",
                     (json_int_t)json_array_size(json_object_get(form, "rules")));
}

/* ---------------------------------------------------------------------------
 * The import
 * ------------------------------------------------------------------------- */

/* Maps the checked content element c (schema, group or field) to steps. */
static void map_root(struct imp *im, const xmlNode *c, json_t *steps)
{
    const struct anz one = {1, 1};
    if (is_xdf(im, c, "datenfeldgruppe")) {
        map_step(im, steps, c, one);
        return;
    }
    char xid[128], sid[80];
    elem_id(im, c, xid, sizeof xid);
    char *title = label_of(im, c);
    if (!title)
        return;
    if (is_xdf(im, c, "datenfeld")) {
        make_id(im, "schritt_", xid, sid, sizeof sid);
        json_t *gj = json_pack("{s:s,s:s,s:[]}", "id", "angaben", "legend", title, "fields");
        json_t *step = json_pack("{s:s,s:s,s:[o]}", "id", sid, "title", title, "groups", gj);
        if (!step || json_array_append_new(steps, step)) {
            nomem(im);
        } else {
            need(im, json_object_set_new(im->used, "angaben", json_true()));
            struct place in = {json_object_get(step, "groups"), gj, false, false};
            map_field(im, &in, c, one);
        }
        free(title);
        return;
    }
    /* a Stammdatenschema: a step per top-level group, runs of top-level
     * fields in steps of their own named after the schema */
    collect_rules(im, c);
    json_t *run = NULL;
    int runs = 0;
    for (const xmlNode *s = c->children; s && !im->rc; s = s->next) {
        if (!is_xdf(im, s, "struktur"))
            continue;
        const xmlNode *e = struktur_elem(im, s);
        struct anz a = anzahl_of(im, s);
        if (!e)
            continue;
        if (is_xdf(im, e, "datenfeldgruppe")) {
            run = NULL;
            map_step(im, steps, e, a);
            continue;
        }
        if (!run) {
            char gid[80];
            make_id(im, "schritt_", runs ? "angaben" : xid, sid, sizeof sid);
            make_id(im, "", runs ? "weitere_angaben" : "angaben", gid, sizeof gid);
            runs++;
            run = json_pack("{s:s,s:s,s:[]}", "id", gid, "legend", title, "fields");
            json_t *step = json_pack("{s:s,s:s,s:[O]}", "id", sid, "title", title, "groups", run);
            json_decref(run);
            if (!step || json_array_append_new(steps, step)) {
                nomem(im);
                break;
            }
        }
        struct place in = {
            json_object_get(json_array_get(steps, json_array_size(steps) - 1), "groups"), run,
            false, false};
        map_field(im, &in, e, a);
    }
    free(title);
}

int xdf_import(const char *data, size_t len, json_t **ret_form, json_t **ret_report,
               struct str *why)
{
    int rc = 0;
    char t0[160];
    xmlDocPtr doc = NULL;
    struct imp im = {0};
    json_t *form = NULL, *report = NULL;
    im.why = why;
    if (len > XDF_MAX_BYTES || len > (size_t)INT_MAX) {
        if (why) {
            str_reset(why);
            (void)str_addf(why, "die Datei ist größer als %zu MiB", XDF_MAX_BYTES >> 20);
        }
        rc = ERR_TOOBIG;
        goto done;
    }
    if (len == 0) {
        if (why) {
            str_reset(why);
            (void)str_adds(why, "die Datei ist leer");
        }
        rc = ERR_INVALID;
        goto done;
    }
    if ((rc = xmlread_doc(data, len, "XDatenfelder", true, &doc, why)))
        goto done;
    xmlNode *root = xmlDocGetRootElement(doc);
    const char *href = root && root->ns && root->ns->href ? (const char *)root->ns->href : "";
    if (!root) {
        rc = ERR_INVALID;
        if (why) {
            str_reset(why);
            (void)str_adds(why, "die Datei enthält kein Element");
        }
        goto done;
    }
    if (strcmp(href, XDF_NS_2) == 0) {
        im.ns = XDF_NS_2;
        im.v = 2;
    } else if (strcmp(href, XDF_NS_3) == 0) {
        im.ns = XDF_NS_3;
        im.v = 3;
    } else {
        if (strncmp(href, "urn:xoev-de:fim:standard:xdatenfelder", 37) == 0)
            refuse(&im, root,
                   "unbekannter XDatenfelder-Namensraum „%s“ – unterstützt sind XDatenfelder 2.0 "
                   "(%s) und 3.0.0 (%s)",
                   href, XDF_NS_2, XDF_NS_3);
        else
            refuse(&im, root,
                   "keine XDatenfelder-Datei: das Wurzelelement %s steht im Namensraum „%s“, "
                   "erwartet %s oder %s",
                   tag(root, t0, sizeof t0), href, XDF_NS_2, XDF_NS_3);
        rc = im.rc;
        goto done;
    }
    im.unmapped = json_array();
    im.used = json_object();
    im.fields = json_object();
    im.seen = json_object();
    im.rules = json_array();
    if (!im.unmapped || !im.used || !im.fields || !im.seen || !im.rules) {
        rc = ERR_NOMEM;
        goto done;
    }

    /* the message: header and one content element */
    static const struct {
        const char *root;  /* local name of the message element */
        const char *child; /* its content element */
    } messages[] = {
        {"xdatenfelder.stammdatenschema.0102", "stammdatenschema"},
        {"xdatenfelder.datenfeldgruppe.0103", "datenfeldgruppe"},
        {"xdatenfelder.datenfeld.0104", "datenfeld"},
    };
    const char *want = NULL;
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
        if (strcmp((const char *)root->name, messages[i].root) == 0)
            want = messages[i].child;
    if (!want) {
        refuse(&im, root,
               "die Nachricht %s enthält kein Formular – unterstützt sind "
               "xdatenfelder.stammdatenschema.0102, xdatenfelder.datenfeldgruppe.0103 und "
               "xdatenfelder.datenfeld.0104",
               tag(root, t0, sizeof t0));
        rc = im.rc;
        goto done;
    }
    const struct spec *content_spec =
        !strcmp(want, "stammdatenschema")  ? (im.v == 2 ? &S_SCHEMA2 : &S_SCHEMA3)
        : !strcmp(want, "datenfeldgruppe") ? (im.v == 2 ? &S_GROUP2 : &S_GROUP3)
                                           : (im.v == 2 ? &S_FIELD2 : &S_FIELD3);
    const struct kid root_kids[] = {
        {"header", 0, 1, &S_HEADER},
        {want, 1, 1, content_spec},
        {NULL, 0, 0, NULL},
    };
    const struct spec root_spec = {.content = C_ELEMS, .kids = root_kids};
    if (check(&im, root, &root_spec, 0)) {
        rc = im.rc;
        goto done;
    }
    const xmlNode *content = kid(&im, root, want);

    json_t *steps = json_array();
    form = json_pack("{s:o,s:O}", "steps", steps, "rules", im.rules);
    if (!form) {
        rc = ERR_NOMEM;
        goto done;
    }
    map_root(&im, content, steps);
    if (!im.rc)
        map_rules(&im);
    if (!im.rc)
        prune(&im, steps);
    if (im.rc) {
        rc = im.rc;
        goto done;
    }
    sort_notes(&im, im.unmapped);
    if (!json_array_size(steps)) {
        /* valid XDatenfelder, but nothing to fill in: the engine wants a step */
        if (why) {
            str_reset(why);
            (void)str_adds(why,
                           "die Datei enthält keine übertragbaren Datenfelder, daraus entsteht "
                           "kein Formular");
            size_t i;
            json_t *e;
            json_array_foreach(im.unmapped, i, e)
            {
                json_int_t l = json_integer_value(json_object_get(e, "line"));
                if (l > 0)
                    (void)str_addf(why, "\n  Zeile %" JSON_INTEGER_FORMAT ": %s", l,
                                   json_string_value(json_object_get(e, "message")));
                else
                    (void)str_addf(why, "\n  %s", json_string_value(json_object_get(e, "message")));
            }
        }
        rc = ERR_INVALID;
        goto done;
    }
    struct form_def *def = NULL;
    struct str ewhy;
    str_init(&ewhy, 4096);
    rc = form_def_parse(form, &def, &ewhy);
    form_def_free(def);
    if (rc && rc != ERR_NOMEM && why) {
        str_reset(why);
        (void)str_addf(why,
                       "das übersetzte Formular übersteigt die Grenzen der Formular-Engine: %s",
                       ewhy.buf);
    }
    str_release(&ewhy);
    if (rc)
        goto done;
    char xid[128];
    char *sname = label_of(&im, content);
    char *sver = kid_text(&im, kid(&im, content, "identifikation"), "version");
    report = json_pack("{s:s,s:s,s:{s:s,s:s,s:s},s:o,s:O}", "standard",
                       im.v == 2 ? "XDatenfelder 2.0" : "XDatenfelder 3.0.0", "message",
                       (const char *)root->name, "source", "id",
                       elem_id(&im, content, xid, sizeof xid), "version", sver ? sver : "", "name",
                       sname ? sname : "", "counts", counts_of(form), "unmapped", im.unmapped);
    free(sname);
    free(sver);
    if (!report || im.rc) {
        rc = im.rc ? im.rc : ERR_NOMEM;
        goto done;
    }
done:
    if (rc) {
        json_decref(form);
        json_decref(report);
    } else {
        *ret_form = form;
        *ret_report = report;
    }
    json_decref(im.unmapped);
    json_decref(im.used);
    json_decref(im.fields);
    json_decref(im.seen);
    json_decref(im.rules);
    free(im.regel.v);
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}

int xdf_report_text(const json_t *report, const char *name, struct str *out)
{
    const json_t *c = json_object_get(report, "counts");
    const json_t *u = json_object_get(report, "unmapped");
    json_int_t ns = json_integer_value(json_object_get(c, "steps")),
               ng = json_integer_value(json_object_get(c, "groups")),
               nf = json_integer_value(json_object_get(c, "fields")),
               nr = json_integer_value(json_object_get(c, "rules"));
    (void)str_addf(out,
                   "%s: %s „%s“ (%s): %" JSON_INTEGER_FORMAT " %s, %" JSON_INTEGER_FORMAT
                   " %s, %" JSON_INTEGER_FORMAT " %s, %" JSON_INTEGER_FORMAT " %s übernommen; %zu "
                   "%s\n",
                   name, json_string_value(json_object_get(report, "standard")),
                   json_string_value(json_object_get(json_object_get(report, "source"), "name")),
                   json_string_value(json_object_get(json_object_get(report, "source"), "id")), ns,
                   ns == 1 ? "Schritt" : "Schritte", ng, ng == 1 ? "Gruppe" : "Gruppen", nf,
                   nf == 1 ? "Feld" : "Felder", nr, nr == 1 ? "Regel" : "Regeln",
                   json_array_size(u), json_array_size(u) == 1 ? "Hinweis" : "Hinweise");
    size_t i;
    const json_t *e;
    json_array_foreach(u, i, e)
    {
        json_int_t line = json_integer_value(json_object_get(e, "line"));
        if (line > 0)
            (void)str_addf(out, "%s:%" JSON_INTEGER_FORMAT ": %s\n", name, line,
                           json_string_value(json_object_get(e, "message")));
        else
            (void)str_addf(out, "%s: %s\n", name, json_string_value(json_object_get(e, "message")));
    }
    return out->err;
}
