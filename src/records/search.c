/* Full-text search of the E-Akte: the user's words become a safe FTS5
 * expression (every word quoted, never raw query syntax), to which the
 * access terms of the actor are added (the index holds the owning and the
 * sharing offices of every document as tokens, see search_schema.c), so the
 * index alone counts the visible matches (up to 10,000) and ranks them: all
 * of them when there are few, else the newest matches in titles and
 * references first and then the newest others, by rec_rank (a bm25 without
 * document frequencies and lengths) with titles weighted over text; only
 * the filters plan node, year, status and direction join documents, cases
 * and files (ranked by bm25). Each hit of the page gets a snippet that is
 * HTML-escaped here with <mark> around the matched words. Also the index
 * maintenance the other files call, and GET /api/v1/search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records_int.h"
#include "store/stem.h"
#include "web/web.h"

/* Bytes of a query. */
#define REC_SEARCH_MAX_QUERY 1000
/* Words of a query that are used; more are ignored. */
#define REC_SEARCH_MAX_TERMS 16
/* The deepest result a page may start at (page × per_page). */
#define REC_SEARCH_MAX_OFFSET 10000
/* Hits counted at most; more are reported as total_capped. */
#define REC_SEARCH_MAX_COUNT 10000
/* Tokens of a snippet. */
#define REC_SEARCH_SNIPPET_TOKENS 24

/* bm25 weights of the columns title, refs, meta, body, version_id, acl. */
#define REC_SEARCH_BM25 "bm25(doc_search, 8.0, 4.0, 2.0, 1.0, 0.0, 0.0)"
/* The same weights for rec_rank (store/sqlite_fts.c), the bm25 without
 * document frequencies and lengths that ranks the matches when no join is
 * needed: bm25 counts the matches of every phrase of the query in the whole
 * index (the access terms' too) and looks up the length of every row. */
#define REC_SEARCH_RANK "rec_rank(doc_search, 8.0, 4.0, 2.0, 1.0, 0.0, 0.0)"
/* rec_rank of the title and reference alone: how the matches with the
 * words in them are ranked among themselves (with an excluded word, plus
 * REC_SEARCH_RANK: what the statement with a column filter that selected
 * them before gave). */
#define REC_SEARCH_RANK_TITLE "rec_rank(doc_search, 8.0, 4.0, 0.0, 0.0, 0.0, 0.0)"
/* The longest prefix with an index of its own (migration 103 indexes 3 to 6
 * characters; REC_SEARCH_PREFIX_MIN in records.h is the shortest a query
 * may hold). */
#define REC_SEARCH_PREFIX_MAX 6
/* Matches up to which every match is ranked; of more, only this
 * many of the newest (highest document ids) are, so that a common word
 * costs as much as this many matches, not as its hundred thousands. */
#define REC_SEARCH_RANKED 2000

/* ---- index maintenance ------------------------------------------------- */

int rec_index_forget_file(struct store_conn *c, int64_t file_id)
{
    return store_run(c,
                     "DELETE FROM doc_search WHERE rowid IN (SELECT d.id FROM documents d"
                     " JOIN cases k ON k.id = d.case_id WHERE k.file_id = ?)",
                     "i", file_id);
}

int rec__index_document(struct store_conn *c, int64_t doc_id)
{
    int rc = store_run(c, "DELETE FROM doc_search WHERE rowid = ?", "i", doc_id);
    if (rc)
        return rc;
    return store_run(
        c,
        "INSERT INTO doc_search (rowid, title, refs, meta, body, version_id, acl)"
        " SELECT s.doc_id, s.title, s.refs, s.meta, coalesce(t.text, ''), t.version_id,"
        "  s.acl FROM doc_search_src s"
        " LEFT JOIN doc_text t ON t.version_id = (SELECT v.id FROM versions v"
        "  JOIN doc_text x ON x.version_id = v.id WHERE v.document_id = s.doc_id"
        "  AND v.blob_sha256 IS NOT NULL ORDER BY v.n DESC LIMIT 1)"
        " WHERE s.doc_id = ?",
        "i", doc_id);
}

int rec_search_verify(struct store *s, int64_t *ret_rows, struct str *msg)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    int64_t rows = 0, missing = 0, stray = 0;
    /* the 'integrity-check' command is an INSERT: it needs the write lock */
    if ((rc = store_begin(c, true)))
        goto done;
    rc = store_run(c, "INSERT INTO doc_search (doc_search) VALUES ('integrity-check')", "");
    if (rc == ERR_CORRUPT || rc == ERR_DB) {
        str_addf(msg, "Suchindex beschädigt: %s", store_errmsg(c));
        rc = ERR_CORRUPT;
        goto done;
    }
    if (!rc)
        rc = store_query_int(c, &rows, "SELECT count(*) FROM doc_search", "");
    if (!rc)
        rc = store_query_int(c, &missing,
                             "SELECT count(*) FROM documents d JOIN cases k ON k.id = d.case_id"
                             " JOIN files f ON f.id = k.file_id WHERE f.status <> 'disposed'"
                             " AND NOT EXISTS (SELECT 1 FROM doc_search s WHERE s.rowid = d.id)",
                             "");
    if (!rc)
        rc = store_query_int(c, &stray,
                             "SELECT count(*) FROM doc_search s WHERE NOT EXISTS (SELECT 1"
                             " FROM documents d JOIN cases k ON k.id = d.case_id"
                             " JOIN files f ON f.id = k.file_id"
                             " WHERE d.id = s.rowid AND f.status <> 'disposed')",
                             "");
    if (!rc && (missing || stray)) {
        str_addf(msg,
                 "Suchindex unvollständig: %lld Dokumente fehlen, %lld Einträge gehören zu keinem "
                 "sichtbaren Dokument",
                 (long long)missing, (long long)stray);
        rc = ERR_CORRUPT;
    }
    if (!rc && ret_rows)
        *ret_rows = rows;
done:
    store_rollback(c);
    store_put(s, c);
    return rc;
}

/* ---- the query --------------------------------------------------------- */

/* One word or phrase of the user's query. */
struct term {
    const char *p; /* its text in the query (may hold '"' and '*', dropped on output) */
    size_t n;      /* bytes */
    bool prefix;   /* ended in '*' */
    bool negated;  /* started with '-' */
};

/* Appends t as an FTS5 string: the bytes without '"', '*' and control bytes
 * (0x1F starts the access tokens of the index, which no typed word may
 * match), quoted. */
static void add_quoted(struct str *out, const struct term *t)
{
    str_addc(out, '"');
    for (size_t i = 0; i < t->n; i++)
        if (t->p[i] != '"' && t->p[i] != '*' && (unsigned char)t->p[i] >= 0x20)
            str_addc(out, t->p[i]);
        else
            str_addc(out, ' ');
    str_addc(out, '"');
}

/* The last folded (not stemmed) token of a prefix term: the part the
 * prefix applies to. */
struct last_token {
    char buf[STEM_MAX_TOKEN]; /* its bytes */
    size_t n;                 /* their number */
    size_t tokens;            /* tokens of the term */
};

static int last_token_cb(void *ctx, const char *tok, size_t n, size_t start, size_t end,
                         bool colocated)
{
    (void)start;
    (void)end;
    struct last_token *l = ctx;
    if (colocated)
        return 0;
    memcpy(l->buf, tok, n < sizeof l->buf ? n : sizeof l->buf);
    l->n = n < sizeof l->buf ? n : sizeof l->buf;
    l->tokens++;
    return 0;
}

/* Characters (not bytes) of the UTF-8 text p[0..n). */
static size_t utf8_chars(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)p[i] & 0xc0) != 0x80;
    return k;
}

static void last_token_of(const struct term *t, struct last_token *l)
{
    memset(l, 0, sizeof *l);
    (void)stem_tokenize(NULL, t->p, t->n, STEM_PREFIX, last_token_cb, l);
}

/* Appends one term: a prefix term matches words that begin with it (folded,
 * not stemmed) or are an inflection of it ("Straße*" finds "Straßenreinigung"
 * and "Straße", whose stem "strass" is shorter than the prefix). A prefix of
 * 3 to REC_SEARCH_PREFIX_MAX characters has an index of its own, which FTS5
 * reads newest first and only as far as needed; a longer one FTS5 expands by
 * merging the posting lists of all words that begin with it, in every
 * statement anew (*merged). */
static int add_term(struct str *out, const struct term *t, bool *merged)
{
    if (!t->prefix) {
        add_quoted(out, t);
        return out->err;
    }
    struct last_token l;
    last_token_of(t, &l);
    if (utf8_chars(l.buf, l.n) > REC_SEARCH_PREFIX_MAX)
        *merged = true;
    str_addc(out, '(');
    add_quoted(out, t);
    str_adds(out, " * OR ");
    add_quoted(out, t);
    str_addc(out, ')');
    return out->err;
}

/* True when t holds at least one token (else FTS5 would get an empty
 * phrase, which matches nothing). */
static bool term_useful(const struct term *t)
{
    return stem_count(t->p, t->n) > 0;
}

/* The user's query as terms: words separated by white space must all match
 * (AND); "…" keeps a phrase; a trailing * makes a prefix; a leading -
 * excludes a word. Everything else the user types is only text inside
 * quoted strings. */
struct parsed {
    struct term pos[REC_SEARCH_MAX_TERMS]; /* terms that must match */
    struct term neg[REC_SEARCH_MAX_TERMS]; /* excluded terms (only with pos) */
    int npos, nneg;                        /* their numbers */
    bool prefix;                           /* a prefix term is among them */
    bool short_prefix;                     /* one has fewer than REC_SEARCH_PREFIX_MIN letters */
};

static void parse_query(const char *q, struct parsed *r)
{
    memset(r, 0, sizeof *r);
    size_t n = strlen(q), i = 0;
    while (i < n && r->npos + r->nneg < REC_SEARCH_MAX_TERMS) {
        while (i < n && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r'))
            i++;
        if (i >= n)
            break;
        struct term t = {0};
        if (q[i] == '-' && i + 1 < n && q[i + 1] != ' ') {
            t.negated = true;
            i++;
        }
        if (q[i] == '"') {
            size_t end = i + 1;
            while (end < n && q[end] != '"')
                end++;
            t.p = q + i + 1;
            t.n = end - i - 1;
            i = end < n ? end + 1 : end;
            if (i < n && q[i] == '*') {
                t.prefix = true;
                while (i < n && q[i] != ' ' && q[i] != '\t' && q[i] != '\n' && q[i] != '\r')
                    i++;
            }
        } else {
            size_t end = i;
            while (end < n && q[end] != ' ' && q[end] != '\t' && q[end] != '\n' && q[end] != '\r')
                end++;
            t.p = q + i;
            t.n = end - i;
            i = end;
            while (t.n && t.p[t.n - 1] == '*') {
                t.prefix = true;
                t.n--;
            }
        }
        if (!term_useful(&t))
            continue;
        if (t.negated)
            r->neg[r->nneg++] = t;
        else
            r->pos[r->npos++] = t;
    }
    if (!r->npos)
        r->nneg = 0;
    for (int k = 0; k < r->npos + r->nneg; k++) {
        const struct term *t = k < r->npos ? &r->pos[k] : &r->neg[k - r->npos];
        if (!t->prefix)
            continue;
        r->prefix = true;
        struct last_token l;
        last_token_of(t, &l);
        if (utf8_chars(l.buf, l.n) < REC_SEARCH_PREFIX_MIN)
            r->short_prefix = true;
    }
}

/* Writes the FTS5 expression of the parsed query to out, and to groups
 * (2 * REC_SEARCH_MAX_TERMS + 1 bytes) a letter per phrase of it: the term
 * the phrase belongs to, '-' for an excluded one (for rec_titled, see
 * store/sqlite_fts.c). *ret_merged tells
 * whether a prefix term has no index of its own, so that FTS5 merges the
 * posting lists of its words in every statement (then the details of the
 * hits scan the match once rather than looking up each hit, which would
 * merge them again for every hit). */
static int build_match(const struct parsed *r, struct str *out, char groups[], bool *ret_merged)
{
    int rc = 0;
    size_t g = 0;
    *ret_merged = false;
    for (int k = 0; !rc && k < r->npos + r->nneg; k++) {
        bool neg = k >= r->npos;
        const struct term *t = neg ? &r->neg[k - r->npos] : &r->pos[k];
        if (k)
            str_adds(out, neg ? " NOT " : " AND ");
        rc = add_term(out, t, ret_merged);
        /* the phrases of the term, in the order FTS5 numbers them: a prefix
         * term has two (the prefix and the word) */
        for (int p = 0; p < (t->prefix ? 2 : 1); p++)
            groups[g++] = neg ? '-' : (char)('a' + k);
    }
    groups[g] = '\0';
    return rc ? rc : out->err;
}

bool rec_search_short_prefix(const char *q)
{
    struct parsed r;
    parse_query(q ? q : "", &r);
    return r.short_prefix;
}

/* ---- snippets ---------------------------------------------------------- */

/* Appends an FTS5 snippet (marks as \x01 … \x02) to out as HTML: the text
 * escaped, runs of white space as one space, the marks as <mark>…</mark>
 * (balanced even if the text itself held stray marker bytes). */
static void snippet_html(struct str *out, const char *p, size_t n)
{
    bool open = false, space = false;
    size_t start = out->len;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\x01') {
            if (space && out->len > start)
                str_addc(out, ' ');
            space = false;
            if (!open)
                str_adds(out, "<mark>");
            open = true;
            continue;
        }
        if (c == '\x02') {
            if (open)
                str_adds(out, "</mark>");
            open = false;
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = true;
            continue;
        }
        if (space && out->len > start)
            str_addc(out, ' ');
        space = false;
        str_add_html(out, &p[i], 1);
    }
    if (open)
        str_adds(out, "</mark>");
}

/* ---- rec_search -------------------------------------------------------- */

static bool one_of(const char *z, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(z, *list) == 0)
            return true;
    return false;
}

/* Bound parameters of the filters, shared by the count and the page query. */
struct filters {
    int64_t system;                 /* 1: sees everything */
    int64_t unit;                   /* the actor's office */
    int64_t office;                 /* filter: office or 0 */
    const char *plan;               /* filter: node code or NULL */
    char plan_lo[REC_MAX_CODE + 2]; /* code + "." (children start after it) */
    char plan_hi[REC_MAX_CODE + 2]; /* code + "/" (the byte after '.') */
    int64_t year;                   /* filter: year or 0 */
    const char *status;             /* filter or NULL */
    const char *direction;          /* filter or NULL */
};

/* The FROM and WHERE clauses of both queries: 16 parameters, MATCH first. */
#define SEARCH_FROM_WHERE                                                                          \
    " FROM doc_search s"                                                                           \
    " JOIN documents d ON d.id = s.rowid"                                                          \
    " JOIN cases c ON c.id = d.case_id"                                                            \
    " JOIN files f ON f.id = c.file_id"                                                            \
    " JOIN plan_nodes p ON p.id = f.plan_node_id"                                                  \
    " WHERE doc_search MATCH ? AND f.status <> 'disposed'"                                         \
    " AND (? OR f.unit_nr = ? OR EXISTS (SELECT 1 FROM file_shares sh"                             \
    "  WHERE sh.file_id = f.id AND sh.unit_nr = ?))"                                               \
    " AND (? = 0 OR f.unit_nr = ?)"                                                                \
    " AND (? IS NULL OR p.code = ? OR (p.code > ? AND p.code < ?))"                                \
    " AND (? = 0 OR f.year = ?)"                                                                   \
    " AND (? IS NULL OR f.status = ?)"                                                             \
    " AND (? IS NULL OR d.direction = ?)"

/* One hit of the ranked page query. */
struct hit {
    int64_t doc;  /* documents.id */
    double score; /* bm25 (lower is better) */
};

/* The details of the hits of a page (ids as a JSON array in ?2). snippet()
 * is evaluated for every row a query produces, before ORDER BY and LIMIT, so
 * it cannot be part of the ranked query: it would cost as much as the whole
 * match list. Two plans: look up each id (cheap for words), or scan the
 * match once and keep the ids ("+" keeps SQLite from the lookups, which
 * would expand a prefix term again for every id), between the smallest and
 * the largest id (SCAN_RANGE: FTS5 reads only that part of the lists, not
 * every match of a common word OR-ed with the prefix). The snippet is of the
 * text; a hit whose text holds no match gets one of its title, reference
 * or names in a second step (snippet() is not cheap enough to compute all
 * for every hit). */
#define SEARCH_DETAILS(ROWID)                                                                      \
    "SELECT s.rowid, c.reference, f.reference, d.title, d.direction, d.dated, f.title,"            \
    " f.unit_nr, (SELECT max(v.id) FROM versions v WHERE v.document_id = d.id"                     \
    "  AND v.blob_sha256 IS NOT NULL),"                                                            \
    " snippet(doc_search, 3, char(1), char(2), '…', 24)"                                         \
    " FROM doc_search s JOIN documents d ON d.id = s.rowid"                                        \
    " JOIN cases c ON c.id = d.case_id JOIN files f ON f.id = c.file_id"                           \
    " WHERE doc_search MATCH ? AND " ROWID " IN (SELECT value FROM json_each(?))"

/* Appended to the statements for the scan plan: ?3 and ?4 the smallest
 * and the largest id of the hits. */
#define SCAN_RANGE " AND s.rowid BETWEEN ? AND ?"

/* The snippets of the title, reference and names of the hits whose ids
 * are the JSON array in ?2 (see SEARCH_DETAILS for ROWID). */
#define SEARCH_SHORT_SNIPPETS(ROWID)                                                               \
    "SELECT s.rowid, snippet(doc_search, 0, char(1), char(2), '…', 24),"                         \
    " snippet(doc_search, 1, char(1), char(2), '…', 24),"                                        \
    " snippet(doc_search, 2, char(1), char(2), '…', 24)"                                         \
    " FROM doc_search s WHERE doc_search MATCH ? AND " ROWID                                       \
    " IN (SELECT value FROM json_each(?))"

/* The smallest and largest document id of hits[0..n). */
static void hit_range(const struct hit *hits, size_t n, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        *lo = hits[i].doc < *lo ? hits[i].doc : *lo;
        *hi = hits[i].doc > *hi ? hits[i].doc : *hi;
    }
}

/* Gives the hits among slots[0..n) whose snippet of the text holds no match
 * the snippet of their title, else of their reference, else of their names
 * (the first of them with a match), in one statement for all of them. */
static int short_snippets(struct store_conn *c, const char *match, bool scan,
                          const struct hit *hits, size_t n, json_t **slots, struct str *snip)
{
    struct str ids;
    str_init(&ids, 32 * REC_PAGE_MAX);
    str_addc(&ids, '[');
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (slots[i] && !strstr(json_string_value(json_object_get(slots[i], "snippet")), "<mark>"))
            str_addf(&ids, "%s%lld", k++ ? "," : "", (long long)hits[i].doc);
    str_addc(&ids, ']');
    int rc = ids.err;
    struct store_stmt *st = NULL;
    if (!rc && k)
        rc = store_prepare(c,
                           scan ? SEARCH_SHORT_SNIPPETS("+s.rowid") SCAN_RANGE
                                : SEARCH_SHORT_SNIPPETS("s.rowid"),
                           &st);
    int64_t lo, hi;
    hit_range(hits, n, &lo, &hi);
    if (!rc && k)
        rc = scan ? store_bind(st, "ttii", match, ids.buf, lo, hi)
                  : store_bind(st, "tt", match, ids.buf);
    while (!rc && k && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        int64_t id = store_col_int(st, 0);
        size_t i = 0;
        while (i < n && hits[i].doc != id)
            i++;
        int col = 1;
        while (col < 3 && !memchr(store_col_text(st, col), '\x01', store_col_len(st, col)))
            col++;
        if (i == n || !slots[i] || !memchr(store_col_text(st, col), '\x01', store_col_len(st, col)))
            continue;
        str_reset(snip);
        snippet_html(snip, store_col_text(st, col), store_col_len(st, col));
        if (json_object_set_new(slots[i], "snippet", json_string(snip->err ? "" : snip->buf)))
            rc = ERR_NOMEM;
    }
    if (rc == STORE_DONE)
        rc = 0;
    if (st)
        store_done(st);
    str_release(&ids);
    return rc;
}

/* Fetches the details and snippets of hits[0..n) into slots[0..n). */
static int hit_details(struct store_conn *c, const char *match, bool scan, const struct hit *hits,
                       size_t n, json_t **slots)
{
    struct str ids;
    str_init(&ids, 32 * REC_PAGE_MAX);
    str_addc(&ids, '[');
    for (size_t i = 0; i < n; i++)
        str_addf(&ids, "%s%lld", i ? "," : "", (long long)hits[i].doc);
    str_addc(&ids, ']');
    struct store_stmt *st;
    int rc = ids.err;
    if (!rc)
        rc = store_prepare(
            c, scan ? SEARCH_DETAILS("+s.rowid") SCAN_RANGE : SEARCH_DETAILS("s.rowid"), &st);
    if (rc) {
        str_release(&ids);
        return rc;
    }
    int64_t lo, hi;
    hit_range(hits, n, &lo, &hi);
    rc = scan ? store_bind(st, "ttii", match, ids.buf, lo, hi)
              : store_bind(st, "tt", match, ids.buf);
    struct str snip;
    str_init(&snip, 64 * 1024);
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        int64_t id = store_col_int(st, 0);
        size_t i = 0;
        while (i < n && hits[i].doc != id)
            i++;
        if (i == n || slots[i])
            continue;
        str_reset(&snip);
        snippet_html(&snip, store_col_text(st, 9), store_col_len(st, 9));
        slots[i] = json_pack(
            "{s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:s, s:f}", "document_id",
            (json_int_t)id, "version_id",
            store_col_null(st, 8) ? json_null() : json_integer(store_col_int(st, 8)),
            "case_reference", store_col_text(st, 1), "file_reference", store_col_text(st, 2),
            "title", store_col_text(st, 3), "direction", store_col_text(st, 4), "dated",
            store_col_null(st, 5) ? json_null() : json_string(store_col_text(st, 5)), "file_title",
            store_col_text(st, 6), "office", (int)store_col_int(st, 7), "snippet",
            snip.err ? "" : snip.buf, "score", -hits[i].score);
        if (!slots[i])
            rc = ERR_NOMEM;
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    if (!rc)
        rc = short_snippets(c, match, scan, hits, n, slots, &snip);
    str_release(&snip);
    str_release(&ids);
    return rc;
}

/* Collects the ranked hits of st (columns id, score) into hits (at most
 * max); *n gets their number. Finishes st. */
static int collect_hits(struct store_stmt *st, int rc, struct hit *hits, size_t max, size_t *n)
{
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        if (*n < max)
            hits[(*n)++] = (struct hit){store_col_int(st, 0), store_col_double(st, 1)};
    }
    if (rc == STORE_DONE)
        rc = 0;
    store_done(st);
    return rc;
}

/* The ranked page with the filters that need the joins (plan node, year,
 * status, direction); visibility and office are in the match already. */
static int page_joined(struct store_conn *c, const char *match, const struct filters *f,
                       int64_t limit, int64_t offset, struct hit *hits, size_t *n)
{
    struct store_stmt *st;
    int rc = store_prepare(
        c, "SELECT d.id, " REC_SEARCH_BM25 SEARCH_FROM_WHERE " ORDER BY 2, 1 DESC LIMIT ? OFFSET ?",
        &st);
    if (rc)
        return rc;
    rc = store_bind(st,
                    "tiiiiittttiitttt"
                    "ii",
                    match, f->system, f->unit, f->unit, f->office, f->office, f->plan, f->plan,
                    f->plan_lo, f->plan_hi, f->year, f->year, f->status, f->status, f->direction,
                    f->direction, limit, offset);
    return collect_hits(st, rc, hits, (size_t)limit, n);
}

/* Fetches the details of hits[0..n) (user_match: the words alone, for the
 * snippets) and appends them to items in that order. */
static int emit_hits(struct store_conn *c, const char *user_match, bool prefix,
                     const struct hit *hits, size_t n, json_t *items)
{
    json_t *slots[REC_PAGE_MAX] = {0};
    int rc = n ? hit_details(c, user_match, prefix, hits, n, slots) : 0;
    for (size_t i = 0; i < n; i++) {
        /* a hit without details cannot happen inside the read transaction */
        if (!rc && slots[i] && json_array_append_new(items, slots[i]))
            rc = ERR_NOMEM;
        else if (rc || !slots[i])
            json_decref(slots[i]);
        slots[i] = NULL;
    }
    return rc;
}

static int hit_cmp(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return x->doc > y->doc ? -1 : x->doc < y->doc;
}

/* A match of search_indexed. */
struct match {
    struct hit hit;     /* document and rec_rank */
    double title_score; /* rec_rank of the title and reference alone */
    bool titled;        /* the words match in its title or reference */
};

/* Counts and ranks from the index alone (no joined filters; visibility is
 * in match) in one statement: the newest REC_SEARCH_MAX_COUNT + 1 matches
 * (an exact count of a common word would visit every match, which no page
 * needs; FTS5 yields matches by document id, so SQLite stops after them),
 * each with its rec_rank and whether the words match in its title or
 * reference (rec_titled with groups, see build_match). With at most
 * REC_SEARCH_RANKED matches all are ranked by rec_rank; with more, ranking
 * them all would cost as much as their hundred thousands, so two windows
 * are: first the newest REC_SEARCH_RANKED (or as many as the page reaches)
 * of those with the words in a title or reference, by the rank of these
 * columns (with negated words: plus the whole rank), then the newest as
 * many of the others by rec_rank. One pass instead of a count and a statement per window,
 * which read the same posting lists three times (a user's query with a few
 * thousand visible matches read them to their end each time); and a prefix
 * that FTS5 expands by merging posting lists is expanded once. */
static int search_indexed(struct store_conn *c, const char *match, const char *groups, bool negated,
                          const char *user_match, bool merged, int64_t limit, int64_t offset,
                          json_t *items, int64_t *ret_total)
{
    if (limit > REC_PAGE_MAX)
        limit = REC_PAGE_MAX;
    if (offset > REC_SEARCH_MAX_OFFSET)
        limit = offset = 0; /* nothing so deep is shown, only counted */
    size_t counted = REC_SEARCH_MAX_COUNT + 1;
    size_t window =
        (size_t)(offset + limit > REC_SEARCH_RANKED ? offset + limit : REC_SEARCH_RANKED);
    /* a deep page may need more of the newest matches than are counted */
    size_t max = window > counted ? window : counted, n = 0;
    struct match *all = malloc(max * sizeof *all);
    struct hit *ranked = malloc(2 * window * sizeof *ranked);
    if (!all || !ranked) {
        free(all);
        free(ranked);
        return ERR_NOMEM;
    }
    struct store_stmt *st;
    int rc = store_prepare(c,
                           "SELECT rowid, " REC_SEARCH_RANK ", CASE WHEN"
                           " rec_titled(doc_search, ?, 3) THEN " REC_SEARCH_RANK_TITLE " END"
                           " FROM doc_search WHERE doc_search MATCH ? ORDER BY rowid DESC LIMIT ?",
                           &st);
    if (!rc) {
        rc = store_bind(st, "tti", groups, match, (int64_t)max);
        while (!rc && (rc = store_step(st)) == STORE_ROW) {
            rc = 0;
            if (n < max)
                all[n++] = (struct match){{store_col_int(st, 0), store_col_double(st, 1)},
                                          store_col_double(st, 2),
                                          !store_col_null(st, 2)};
        }
        if (rc == STORE_DONE)
            rc = 0;
        store_done(st);
    }
    size_t m = 0, first = 0;
    if (!rc) {
        *ret_total = (int64_t)(n < counted ? n : counted);
        if (n <= REC_SEARCH_RANKED) {
            for (size_t i = 0; i < n; i++)
                ranked[m++] = all[i].hit;
            qsort(ranked, m, sizeof *ranked, hit_cmp);
        } else {
            /* titled among the counted matches, then the others of the newest */
            for (size_t i = 0; i < n && i < counted && first < window; i++)
                if (all[i].titled)
                    ranked[first++] = (struct hit){
                        all[i].hit.doc, all[i].title_score + (negated ? all[i].hit.score : 0)};
            m = first;
            for (size_t i = 0; i < n && i < window; i++)
                if (!all[i].titled || i >= counted)
                    ranked[m++] = all[i].hit;
            qsort(ranked, first, sizeof *ranked, hit_cmp);
            qsort(ranked + first, m - first, sizeof *ranked, hit_cmp);
        }
        size_t from = (size_t)offset < m ? (size_t)offset : m;
        size_t k = m - from < (size_t)limit ? m - from : (size_t)limit;
        rc = emit_hits(c, user_match, merged, ranked + from, k, items);
    }
    free(all);
    free(ranked);
    return rc;
}

/* With the filters that need the joins (plan node, year, status,
 * direction; visibility and office are in the match already): counts the
 * hits up to REC_SEARCH_MAX_COUNT + 1, then ranks them by bm25 and fetches
 * the details of the page. */
static int search_joined(struct store_conn *c, const char *match, const char *user_match,
                         bool merged, const struct filters *f, int64_t limit, int64_t offset,
                         json_t *items, int64_t *ret_total)
{
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT count(*) FROM (SELECT 1" SEARCH_FROM_WHERE " LIMIT ?)", &st);
    if (rc)
        return rc;
    rc = store_bind(st,
                    "tiiiiittttiitttt"
                    "i",
                    match, f->system, f->unit, f->unit, f->office, f->office, f->plan, f->plan,
                    f->plan_lo, f->plan_hi, f->year, f->year, f->status, f->status, f->direction,
                    f->direction, (int64_t)REC_SEARCH_MAX_COUNT + 1);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        *ret_total = store_col_int(st, 0);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_DB;
    }
    store_done(st);
    if (rc || *ret_total <= offset || offset > REC_SEARCH_MAX_OFFSET)
        return rc;
    struct hit hits[REC_PAGE_MAX];
    size_t n = 0;
    if (limit > REC_PAGE_MAX)
        limit = REC_PAGE_MAX;
    rc = page_joined(c, match, f, limit, offset, hits, &n);
    if (!rc)
        rc = emit_hits(c, user_match, merged, hits, n, items);
    return rc;
}

/* Appends "(user) AND <access terms>" to full: the actor's office or an
 * office sharing the file (unless the actor is the system), and the office
 * filter. The terms are strings that start with 0x1F, as the index's acl
 * column; they come after the words, so their phrases are numbered last. */
static int access_match(const char *user, const struct filters *f, struct str *full)
{
    str_addc(full, '(');
    str_adds(full, user);
    str_addc(full, ')');
    if (!f->system)
        str_addf(full, " AND (\"\x1f o%lld\" OR \"\x1f s%lld\")", (long long)f->unit,
                 (long long)f->unit);
    if (f->office)
        str_addf(full, " AND \"\x1f o%lld\"", (long long)f->office);
    return full->err;
}

int rec_search(struct store *s, const struct rec_actor *a, const struct rec_search_query *q,
               json_t **ret)
{
    static const char *const statuses[] = {"open", "closed", "offered", NULL};
    static const char *const directions[] = {"in", "out", "internal", NULL};
    const char *text = q->q ? q->q : "";
    if (strlen(text) > REC_SEARCH_MAX_QUERY)
        return ERR_TOOBIG;
    struct filters f = {
        .system = a->system ? 1 : 0,
        .unit = a->unit_nr,
        .office = q->unit_nr > 0 ? q->unit_nr : 0,
        .plan = q->plan_code && *q->plan_code ? q->plan_code : NULL,
        .year = q->year > 0 ? q->year : 0,
        .status = q->status && *q->status ? q->status : NULL,
        .direction = q->direction && *q->direction ? q->direction : NULL,
    };
    if ((f.plan && !rec__code_valid(f.plan)) || (f.status && !one_of(f.status, statuses)) ||
        (f.direction && !one_of(f.direction, directions)) || q->unit_nr < 0 || q->year < 0 ||
        q->page < 0 || q->per_page < 0)
        return ERR_INVALID;
    if (f.plan) {
        snprintf(f.plan_lo, sizeof f.plan_lo, "%s.", f.plan);
        snprintf(f.plan_hi, sizeof f.plan_hi, "%s/", f.plan);
    }
    int64_t page = q->page > 0 ? q->page : 1;
    int64_t per_page = q->per_page > 0 ? q->per_page : REC_PAGE_DEFAULT;
    if (per_page > REC_PAGE_MAX)
        per_page = REC_PAGE_MAX;
    int64_t offset = (page - 1) * per_page;
    struct parsed r;
    parse_query(text, &r);
    if (r.short_prefix)
        return ERR_INVALID;
    struct str match, full;
    str_init(&match, 64 * 1024);
    str_init(&full, 64 * 1024);
    /* visibility and office are in the match: the joins, when the other
     * filters need them, no longer check them */
    bool joined = f.plan || f.year || f.status || f.direction;
    struct filters fj = f;
    fj.system = 1;
    fj.office = 0;
    json_t *items = json_array();
    int rc = items ? 0 : ERR_NOMEM;
    int64_t total = 0;
    char groups[2 * REC_SEARCH_MAX_TERMS + 1];
    bool merged = false;
    if (!rc && r.npos > 0)
        rc = build_match(&r, &match, groups, &merged);
    if (!rc && r.npos > 0)
        rc = access_match(match.buf, &f, &full);
    struct store_conn *c = NULL;
    if (!rc && r.npos > 0 && (rc = store_get(s, &c)) == 0) {
        /* one read transaction: the count and the page see the same data */
        rc = store_begin(c, false);
        if (!rc && joined)
            rc =
                search_joined(c, full.buf, match.buf, merged, &fj, per_page, offset, items, &total);
        else if (!rc)
            rc = search_indexed(c, full.buf, groups, r.nneg > 0, match.buf, merged, per_page,
                                offset, items, &total);
        store_rollback(c);
        store_put(s, c);
    }
    str_release(&match);
    str_release(&full);
    json_t *res = NULL;
    if (!rc) {
        bool capped = total > REC_SEARCH_MAX_COUNT;
        res = json_pack("{s:I, s:b, s:I, s:I, s:o}", "total",
                        (json_int_t)(capped ? REC_SEARCH_MAX_COUNT : total), "total_capped", capped,
                        "page", (json_int_t)page, "per_page", (json_int_t)per_page, "items", items);
        items = NULL;
        if (!res)
            rc = ERR_NOMEM;
    }
    json_decref(items);
    if (!rc)
        *ret = res;
    return rc;
}

/* ---- GET /api/v1/search ------------------------------------------------ */

/* Answers a bad parameter with {"status": 400, "error": msg}. */
static int bad_param(struct http_resp *resp, const char *msg)
{
    json_t *j = json_pack("{s:i, s:s}", "status", 400, "error", msg);
    if (!j)
        return ERR_NOMEM;
    int rc = http_json(resp, 400, j);
    json_decref(j);
    return rc;
}

/* Reads an optional numeric query parameter in [min, max] into *out. */
static bool num_param(struct http_req *req, const char *name, long min, long max, int *out)
{
    const char *z = http_query(req, name);
    long v;
    if (!z || !*z)
        return true;
    if (str_to_long(z, min, max, &v))
        return false;
    *out = (int)v;
    return true;
}

static int api_search(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    struct rec_search_query q = {
        .q = http_query(req, "q"),
        .plan_code = http_query(req, "plan"),
        .status = http_query(req, "status"),
        .direction = http_query(req, "direction"),
    };
    if (!num_param(req, "office", 1, 9999, &q.unit_nr))
        return bad_param(resp, "office: eine Amtsnummer von 1 bis 9999 angeben");
    if (!num_param(req, "year", 1900, 9999, &q.year))
        return bad_param(resp, "year: ein Jahr wie 2026 angeben");
    if (!num_param(req, "page", 1, REC_SEARCH_MAX_OFFSET, &q.page))
        return bad_param(resp, "page: eine Seitenzahl ab 1 angeben");
    if (!num_param(req, "per_page", 1, REC_PAGE_MAX, &q.per_page))
        return bad_param(resp, "per_page: eine Zahl von 1 bis 100 angeben");
    struct rec_actor a = rec_actor_of(&req->user);
    json_t *res;
    int rc = rec_search(app->store, &a, &q, &res);
    if (rc == ERR_TOOBIG)
        return bad_param(resp, "Die Suchanfrage ist zu lang (höchstens 1000 Zeichen).");
    if (rc == ERR_INVALID && rec_search_short_prefix(q.q))
        return bad_param(resp, REC_SEARCH_MSG_SHORT_PREFIX);
    if (rc == ERR_INVALID)
        return bad_param(resp, "Unbekannter Filter: plan ist ein Aktenplan-Kennzeichen wie "
                               "32.10, status open/closed/offered, direction in/out/internal.");
    if (rc)
        return rc;
    rc = http_json(resp, 200, res);
    json_decref(res);
    return rc;
}

const struct http_route rec_search_routes[] = {
    {"GET", "/api/v1/search", api_search, HTTP_AUTH},
};
const size_t rec_search_routes_count = sizeof rec_search_routes / sizeof rec_search_routes[0];
