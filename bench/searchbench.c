/* searchbench: the tool behind bench/search (`make bench`). It prints figures
 * and asserts nothing.
 *
 *   searchbench search --data DIR --docs N [--pg CONNINFO] [--reps R]
 *                      [--words FILE] [--seed S]
 *       Generates N German documents (a word list with Zipf-distributed
 *       frequencies, inflected forms, umlauts and ß), bulk-loads them into
 *       the data directory DIR (made by `rathaus init`) through the E-Akte's
 *       tables and its index function, and, with --pg, into PostgreSQL
 *       (to_tsvector('german') + GIN) through COPY; then runs 32 queries in
 *       five classes R times on each side and prints latencies, build rates,
 *       sizes and the ratio rathaus/PostgreSQL. --reuse skips the rathaus
 *       load: DIR holds the N documents of an earlier run (same seed).
 *   searchbench pdfs --out DIR --count N [--words FILE] [--seed S]
 *       Writes N small one-page PDFs with a German text layer for the ingest
 *       benchmark (`rathaus import`).
 *
 * The documents are the same on both sides: one generator, one seed, read
 * twice. rathaus gets files, cases, documents, versions and extracted text
 * as its own write paths would store them, and each document is indexed by
 * rec__index_document(), the function the extraction calls; what is left
 * out is the journal and the blobs (a version names a made-up SHA-256), which
 * the search does not read. PostgreSQL gets one row per document whose body
 * is everything rathaus indexes for it (title, case reference, names, text). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef SEARCHBENCH_PQ
#include <libpq-fe.h>
#endif

#include "base/str.h"
#include "benchutil.h"
#include "records/records.h"
#include "records/records_int.h"
#include "store/stem.h"
#include "store/store.h"

/* Documents per write transaction of the rathaus build. */
#define BATCH_DOCS 5000
/* Results per page, as the search page and the CLI ask for. */
#define PAGE 20
/* Queries per class and classes, and the prefixes of other lengths added
 * to the prefix class (after the first 30 queries, whose order stays). */
#define PER_CLASS 6
#define CLASSES 5
#define EXTRA_PREFIXES 2
#define QUERIES (PER_CLASS * CLASSES + EXTRA_PREFIXES)
/* Mean words of a document body (uniform 100–300). */
#define MEAN_WORDS 200.0
/* First and last year of the generated files. */
#define YEAR_FIRST 2015
#define YEAR_LAST 2026

/* ---- small helpers ------------------------------------------------------ */

static char *xstrdup(const char *z)
{
    char *p = strdup(z);
    if (!p)
        bench_die("out of memory");
    return p;
}

static double mib(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

/* A deterministic random stream (splitmix64). */
struct rng {
    uint64_t s; /* state */
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* A number in [lo, hi]. */
static int rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

#define PICK(r, list) ((list)[rng_next(r) % (sizeof(list) / sizeof((list)[0]))])

/* ---- the vocabulary ----------------------------------------------------- */

/* The most frequent words, in rank order: function words first (the only
 * ranks a content word never gets), then the vocabulary of a town hall's
 * files. Ranks past these come from the word list in a seeded random order. */
static const char *const function_words[] = {
    "der",       "die",     "und",    "in",       "den",    "von",          "zu",     "das",
    "mit",       "sich",    "des",    "auf",      "für",    "ist",          "im",     "dem",
    "nicht",     "ein",     "eine",   "als",      "auch",   "es",           "an",     "werden",
    "aus",       "er",      "hat",    "dass",     "sie",    "nach",         "wird",   "bei",
    "einer",     "um",      "am",     "sind",     "noch",   "wie",          "einem",  "über",
    "einen",     "so",      "zum",    "war",      "haben",  "nur",          "oder",   "aber",
    "vor",       "zur",     "bis",    "mehr",     "durch",  "man",          "sein",   "wurde",
    "sei",       "Ihnen",   "können", "seine",    "unter",  "kann",         "gegen",  "diese",
    "dieser",    "sowie",   "ihre",   "zwischen", "wenn",   "ohne",         "wir",    "nun",
    "da",        "wieder",  "hier",   "sehr",     "alle",   "ab",           "schon",  "worden",
    "gibt",      "muss",    "dann",   "soll",     "keine",  "seit",         "also",   "jedoch",
    "bereits",   "hatte",   "würde",  "damit",    "ob",     "weil",         "gemäß",  "bzw",
    "Sie",       "Ihr",     "Ihre",   "hiermit",  "daher",  "insbesondere", "dort",   "sowohl",
    "ebenfalls", "jeweils", "dabei",  "hierzu",   "wurden", "diesem",       "dieses", "ihrer",
};

static const char *const content_words[] = {
    "Antrag",
    "Stadt",
    "Verwaltung",
    "Bescheid",
    "Straße",
    "Gebühr",
    "Jahr",
    "Frist",
    "Unterlagen",
    "Genehmigung",
    "Bürger",
    "Amt",
    "Verfahren",
    "Grundstück",
    "Euro",
    "Gemeinde",
    "Antragsteller",
    "Schreiben",
    "Entscheidung",
    "Prüfung",
    "Maßnahme",
    "Satzung",
    "Datum",
    "Anlage",
    "Behörde",
    "Widerspruch",
    "Kosten",
    "Zeitraum",
    "Betrag",
    "Auskunft",
    "Nachweis",
    "Mitteilung",
    "Anhörung",
    "Stellungnahme",
    "Vorgang",
    "Akte",
    "Aktenzeichen",
    "Bearbeitung",
    "Zustimmung",
    "Vorschrift",
    "Gesetz",
    "Absatz",
    "Ordnung",
    "Sicherheit",
    "Verkehr",
    "Baugenehmigung",
    "Bauantrag",
    "Bebauungsplan",
    "Nutzung",
    "Gebäude",
    "Fläche",
    "Eigentümer",
    "Mieter",
    "Wohnung",
    "Zahlung",
    "Rechnung",
    "Förderung",
    "Zuschuss",
    "Verein",
    "Schule",
    "Kinder",
    "Betreuung",
    "Feuerwehr",
    "Einsatz",
    "Umwelt",
    "Abfall",
    "Entsorgung",
    "Wasser",
    "Kanal",
    "Sanierung",
    "Planung",
    "Ausschuss",
    "Rat",
    "Sitzung",
    "Beschluss",
    "Haushalt",
    "Steuer",
    "Gewerbe",
    "Anmeldung",
    "Erlaubnis",
    "Ausweis",
    "Gesundheit",
    "Parkplatz",
    "Anwohner",
    "Lärm",
    "Beschwerde",
    "Hinweis",
    "Zuständigkeit",
    "Termin",
    "Grüße",
    "freundlichen",
    "geehrte",
    "geehrter",
    "Damen",
    "Herren",
    "Ortsteil",
    "Verkehrsfläche",
    "Baum",
    "Spielplatz",
    "Friedhof",
    "Gewerbeanmeldung",
    "Sondernutzung",
    "Parkausweis",
    "Wohngeld",
    "Kindergarten",
    "Bauvorhaben",
    "Abwasser",
    "Beitrag",
    "Vertrag",
    "Angebot",
    "Auftrag",
    "Vergabe",
    "Personal",
    "Stelle",
    "Bewerbung",
};

/* Inflected forms, put at fixed ranks so that a stem gathers a realistic
 * share ("Antrag" 60, "Anträge" 200, …) and "Strasse" exists beside "Straße". */
struct placed {
    const char *word; /* the form */
    size_t rank;      /* its rank (0-based) */
};

static const struct placed placed_words[] = {
    {"Anträge", 200},     {"Straßen", 250},       {"Maßnahmen", 300},         {"Gebühren", 320},
    {"Antrags", 500},     {"Bescheide", 700},     {"Bürgern", 800},           {"Anträgen", 900},
    {"Grundstücks", 900}, {"Grundstücke", 1100},  {"Gebührenbescheid", 1200}, {"Größe", 1400},
    {"Antrages", 1500},   {"Bürgerinnen", 1600},  {"Genehmigungen", 1800},    {"Fristen", 2000},
    {"Städte", 2200},     {"Bescheides", 2500},   {"Widerspruchs", 2600},     {"Bescheiden", 3000},
    {"Bürgerin", 3000},   {"Widersprüche", 4000}, {"Grundstückes", 5000},     {"Ämter", 6000},
    {"Straßenbau", 7000}, {"Strasse", 20000},     {"Strassen", 60000},
};

/* The words by rank and the cumulative Zipf distribution over them. */
struct vocab {
    char **w;        /* words, rank 0 first */
    size_t n;        /* words */
    size_t nfunc;    /* leading function words */
    double *cdf;     /* cdf[i]: probability of a rank ≤ i */
    double *p;       /* p[i]: probability of rank i */
    bool from_list;  /* the word list was read (else syllables) */
    char source[64]; /* where the words came from */
};

/* An open-addressing set of strings (dedupes the word list). */
struct strset {
    const char **slot; /* NULL = empty */
    size_t cap;        /* power of two */
};

static uint64_t hash_str(const char *z)
{
    uint64_t h = 1469598103934665603ull;
    for (; *z; z++)
        h = (h ^ (unsigned char)*z) * 1099511628211ull;
    return h;
}

/* Adds z; false when it was there already. */
static bool strset_add(struct strset *s, const char *z)
{
    size_t i = hash_str(z) & (s->cap - 1);
    while (s->slot[i]) {
        if (strcmp(s->slot[i], z) == 0)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->slot[i] = z;
    return true;
}

static bool strset_has(const struct strset *s, const char *z)
{
    size_t i = hash_str(z) & (s->cap - 1);
    while (s->slot[i]) {
        if (strcmp(s->slot[i], z) == 0)
            return true;
        i = (i + 1) & (s->cap - 1);
    }
    return false;
}

/* True for a word of the list worth using: letters only (UTF-8 bytes count
 * as letters), 2–30 bytes, no abbreviation in capitals. */
static bool usable_word(const char *w, size_t n)
{
    if (n < 2 || n > 30)
        return false;
    size_t upper = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c < 0x80 && !isalpha(c))
            return false;
        if (c < 0x80 && isupper(c))
            upper++;
    }
    return upper <= 1;
}

/* Words made of German syllables, for a machine without a word list. */
static char **syllable_words(size_t n, struct rng *r)
{
    static const char *const pre[] = {"",    "",    "",   "ver", "be", "ge",   "an",    "auf",
                                      "aus", "ein", "ab", "vor", "zu", "über", "unter", "nach"};
    static const char *const mid[] = {"trag",  "stadt", "bau",  "haus", "straß", "weg",
                                      "amt",   "recht", "plan", "ord",  "wald",  "feld",
                                      "grund", "schul", "hof",  "land", "mark",  "brück",
                                      "wohn",  "kauf",  "zahl", "steu", "räum",  "füh"};
    static const char *const suf[] = {"",    "ung",    "ungen", "e",    "en",  "er",
                                      "es",  "keit",   "heit",  "lich", "ig",  "isch",
                                      "nis", "schaft", "s",     "ern",  "äge", "ös"};
    struct strset seen = {bench_xcalloc(4 * n, sizeof(char *)), 1};
    while (seen.cap < 4 * n)
        seen.cap <<= 1;
    free(seen.slot);
    seen.slot = bench_xcalloc(seen.cap, sizeof(char *));
    char **out = bench_xcalloc(n, sizeof(char *));
    size_t k = 0;
    while (k < n) {
        char w[64];
        int parts = rng_range(r, 1, 3);
        size_t len = 0;
        len += (size_t)snprintf(w + len, sizeof w - len, "%s", PICK(r, pre));
        for (int i = 0; i < parts && len < 40; i++)
            len += (size_t)snprintf(w + len, sizeof w - len, "%s", PICK(r, mid));
        snprintf(w + len, sizeof w - len, "%s", PICK(r, suf));
        if (rng_chance(r, 0.5) && w[0] >= 'a' && w[0] <= 'z')
            w[0] = (char)(w[0] - 'a' + 'A');
        char *d = xstrdup(w);
        if (strset_add(&seen, d))
            out[k++] = d;
        else
            free(d);
    }
    free(seen.slot);
    return out;
}

/* Builds the vocabulary: function words, town-hall words, then the word
 * list (or syllable words) shuffled with the seed, with the inflected forms
 * put at their ranks; Zipf weights 1/(rank+1)^s. */
static void vocab_build(struct vocab *v, const char *path, uint64_t seed, double s)
{
    struct rng r = {seed ^ 0x5eedf00dull};
    size_t nf = sizeof function_words / sizeof function_words[0];
    size_t nc = sizeof content_words / sizeof content_words[0];
    size_t np = sizeof placed_words / sizeof placed_words[0];

    /* the candidates of the tail */
    char **tail = NULL;
    size_t ntail = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f) {
        size_t cap = 1 << 16;
        tail = bench_xcalloc(cap, sizeof(char *));
        char line[256];
        while (fgets(line, sizeof line, f)) {
            size_t n = strcspn(line, "\r\n");
            line[n] = 0;
            if (!usable_word(line, n))
                continue;
            if (ntail == cap) {
                cap *= 2;
                tail = realloc(tail, cap * sizeof(char *));
                if (!tail)
                    bench_die("out of memory");
            }
            tail[ntail++] = xstrdup(line);
        }
        fclose(f);
        v->from_list = true;
        snprintf(v->source, sizeof v->source, "%s", path);
    }
    if (ntail < 1000) {
        ntail = 200000;
        tail = syllable_words(ntail, &r);
        v->from_list = false;
        snprintf(v->source, sizeof v->source, "German syllables (no word list)");
    }

    size_t total = nf + nc + np + ntail;
    struct strset seen = {NULL, 1};
    while (seen.cap < 2 * total)
        seen.cap <<= 1;
    seen.slot = bench_xcalloc(seen.cap, sizeof(char *));
    char **head = bench_xcalloc(nf + nc, sizeof(char *));
    size_t nhead = 0;
    for (size_t i = 0; i < nf; i++)
        if (strset_add(&seen, function_words[i]))
            head[nhead++] = (char *)function_words[i];
    v->nfunc = nhead;
    for (size_t i = 0; i < nc; i++)
        if (strset_add(&seen, content_words[i]))
            head[nhead++] = (char *)content_words[i];
    for (size_t i = 0; i < np; i++)
        strset_add(&seen, placed_words[i].word);
    /* drop the tail's copies of head and placed words, then shuffle */
    size_t keep = 0;
    for (size_t i = 0; i < ntail; i++) {
        if (strset_has(&seen, tail[i]) || !strset_add(&seen, tail[i])) {
            free(tail[i]);
            continue;
        }
        tail[keep++] = tail[i];
    }
    ntail = keep;
    for (size_t i = ntail; i > 1; i--) {
        size_t j = (size_t)(rng_next(&r) % i);
        char *t = tail[i - 1];
        tail[i - 1] = tail[j];
        tail[j] = t;
    }

    v->n = nhead + ntail + np;
    v->w = bench_xcalloc(v->n, sizeof(char *));
    size_t hi = 0, ti = 0, pi = 0;
    for (size_t rank = 0; rank < v->n; rank++) {
        if (hi == nhead && pi < np && placed_words[pi].rank <= rank)
            v->w[rank] = (char *)placed_words[pi++].word;
        else if (hi < nhead)
            v->w[rank] = head[hi++];
        else if (ti < ntail)
            v->w[rank] = tail[ti++];
        else
            v->w[rank] = (char *)placed_words[pi++].word;
    }
    free(head);
    free(tail);
    free(seen.slot);

    v->cdf = bench_xcalloc(v->n, sizeof(double));
    v->p = bench_xcalloc(v->n, sizeof(double));
    double sum = 0;
    for (size_t i = 0; i < v->n; i++) {
        v->p[i] = 1.0 / pow((double)(i + 1), s);
        sum += v->p[i];
    }
    double acc = 0;
    for (size_t i = 0; i < v->n; i++) {
        v->p[i] /= sum;
        acc += v->p[i];
        v->cdf[i] = acc;
    }
    v->cdf[v->n - 1] = 1.0;
}

/* A rank drawn from the Zipf distribution. */
static size_t vocab_rank(const struct vocab *v, struct rng *r)
{
    double u = rng_unit(r);
    size_t lo = 0, hi = v->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A content word (never a function word), for titles. */
static const char *vocab_content(const struct vocab *v, struct rng *r)
{
    size_t k;
    do
        k = vocab_rank(v, r);
    while (k < v->nfunc);
    return v->w[k];
}

/* Appends w with its first letter in capitals (ASCII and ä/ö/ü). */
static void add_capitalized(struct str *out, const char *w)
{
    unsigned char c0 = (unsigned char)w[0], c1 = (unsigned char)w[1];
    if (c0 >= 'a' && c0 <= 'z') {
        str_addc(out, (char)(c0 - 'a' + 'A'));
        str_adds(out, w + 1);
    } else if (c0 == 0xC3 && (c1 == 0xA4 || c1 == 0xB6 || c1 == 0xBC)) {
        str_addc(out, (char)c0);
        str_addc(out, (char)(c1 - 0x20));
        str_adds(out, w + 2);
    } else {
        str_adds(out, w);
    }
}

/* ---- the corpus --------------------------------------------------------- */

static const char *const surnames[] = {
    "Müller",    "Schmidt", "Schneider", "Fischer",    "Weber",     "Meyer",   "Wagner",
    "Becker",    "Schulz",  "Hoffmann",  "Schäfer",    "Koch",      "Bauer",   "Richter",
    "Klein",     "Wolf",    "Schröder",  "Neumann",    "Schwarz",   "Braun",   "Krüger",
    "Hartmann",  "Lange",   "Schmitz",   "Krause",     "Lehmann",   "Köhler",  "König",
    "Walter",    "Huber",   "Kaiser",    "Fuchs",      "Peters",    "Scholz",  "Möller",
    "Weiß",      "Jung",    "Hahn",      "Vogel",      "Friedrich", "Günther", "Keller",
    "Groß",      "Roth",    "Beck",      "Lorenz",     "Baumann",   "Franke",  "Albrecht",
    "Böhm",      "Winter",  "Kraus",     "Schumacher", "Vogt",      "Stein",   "Jäger",
    "Otto",      "Sommer",  "Groß",      "Seidel",     "Heinrich",  "Brandt",  "Haas",
    "Schreiber",
};
static const char *const given_names[] = {
    "Anna",     "Jürgen", "Ursula", "Thomas", "Sabine", "Michael", "Petra",  "Andreas",
    "Monika",   "Stefan", "Jörg",   "Birgit", "Klaus",  "Renate",  "Frank",  "Gisela",
    "Sören",    "Maria",  "Uwe",    "Karin",  "Günter", "Heike",   "Björn",  "Claudia",
    "Matthias", "Doris",  "Jan",    "Lea",    "Mehmet", "Ayşe",    "Łukasz", "Zoë",
};
static const char *const streets[] = {
    "Hauptstraße", "Bahnhofstraße", "Kirchweg",  "Schulstraße", "Gartenstraße",
    "Am Markt",    "Lindenallee",   "Mühlenweg", "Ringstraße",  "Dorfstraße",
    "Bergstraße",  "Waldweg",       "Jahnplatz", "Rosenstraße", "Goethestraße",
};
static const char *const doc_types[] = {
    "Antrag",     "Antrag",    "Bescheid",    "Bescheid", "Schreiben", "Stellungnahme",
    "Vermerk",    "Protokoll", "Widerspruch", "Anhörung", "Rechnung",  "Gutachten",
    "Mitteilung", "Einladung", "Genehmigung", "Nachweis", "Quittung",  "Änderungsantrag",
};

/* A leaf node of the file plan and the office its files belong to. */
struct node {
    int64_t id;    /* plan_nodes.id */
    char code[32]; /* "63.10" */
    char *title;   /* its title */
    int unit;      /* owning office */
};

/* One generated document with the file and case around it. */
struct gdoc {
    int64_t no;                 /* 1-based number of the document */
    bool new_file, new_case;    /* starts a file / a case */
    const struct node *node;    /* plan node of the file */
    int unit, share_unit;       /* owning office; office it is shared with or 0 */
    int year, seq;              /* Aktenzeichen parts */
    char file_ref[REC_REF_MAX]; /* Aktenzeichen */
    char case_ref[REC_REF_MAX]; /* Vorgang reference */
    int case_n;                 /* number of the case in its file */
    struct str file_title;      /* file title */
    struct str parties;         /* file parties ("" for none) */
    struct str case_title;      /* case title */
    struct str title;           /* document title */
    const char *direction;      /* in, out, internal */
    char dated[11];             /* ISO date */
    struct str party;           /* sender/recipient ("" for none) */
    struct str meta;            /* what the index shows as names (doc_search_src.meta) */
    struct str body;            /* extracted text */
    int words;                  /* words of the body */
};

/* The generator: the same seed gives the same documents in the same order. */
struct corpus {
    const struct vocab *v; /* words */
    struct rng r;          /* state */
    const struct node *nodes;
    size_t nnodes;    /* leaf plan nodes */
    const int *units; /* all offices */
    size_t nunits;    /* offices */
    int *seq;         /* next Aktenzeichen number per node and year */
    int cases_left;   /* cases still to come in the current file */
    int docs_left;    /* documents still to come in the current case */
    struct gdoc d;    /* the current document */
    double gen_s;     /* seconds spent generating */
};

static void corpus_init(struct corpus *g, const struct vocab *v, uint64_t seed,
                        const struct node *nodes, size_t nnodes, const int *units, size_t nunits)
{
    memset(g, 0, sizeof *g);
    g->v = v;
    g->r.s = seed;
    g->nodes = nodes;
    g->nnodes = nnodes;
    g->units = units;
    g->nunits = nunits;
    g->seq = bench_xcalloc(nnodes * (YEAR_LAST - YEAR_FIRST + 1), sizeof(int));
    struct str *s[] = {&g->d.file_title, &g->d.parties, &g->d.case_title, &g->d.title,
                       &g->d.party,      &g->d.meta,    &g->d.body};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        str_init(s[i], 1 << 20);
}

static void corpus_free(struct corpus *g)
{
    struct str *s[] = {&g->d.file_title, &g->d.parties, &g->d.case_title, &g->d.title,
                       &g->d.party,      &g->d.meta,    &g->d.body};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        str_release(s[i]);
    free(g->seq);
}

static void add_person(struct rng *r, struct str *out, bool surname_first)
{
    const char *gn = PICK(r, given_names), *sn = PICK(r, surnames);
    if (surname_first)
        str_addf(out, "%s, %s", sn, gn);
    else
        str_addf(out, "%s %s", gn, sn);
}

/* The body: sentences of 6–18 words, the first capitalized, a comma now
 * and then, dates, amounts and numbers with leading zeros here and there,
 * paragraphs of about five sentences. */
static void gen_body(struct corpus *g, struct str *out)
{
    struct rng *r = &g->r;
    int n = rng_range(r, 100, 300), in_sentence = 0, len = 0, sentences = 0;
    g->d.words = n;
    for (int i = 0; i < n; i++) {
        const char *w = g->v->w[vocab_rank(g->v, r)];
        if (in_sentence == 0) {
            len = rng_range(r, 6, 18);
            if (out->len)
                str_adds(out, sentences % 5 == 0 ? "\n\n" : " ");
            add_capitalized(out, w);
        } else {
            str_addc(out, ' ');
            str_adds(out, w);
            if (in_sentence + 1 < len && rng_chance(r, 0.04))
                str_addc(out, ',');
        }
        in_sentence++;
        if (in_sentence == len || i == n - 1) {
            double x = rng_unit(r);
            if (x < 0.03)
                str_addf(out, " am %02d.%02d.%d", rng_range(r, 1, 28), rng_range(r, 1, 12),
                         rng_range(r, YEAR_FIRST, YEAR_LAST));
            else if (x < 0.05)
                str_addf(out, " über %d.%03d,%02d Euro", rng_range(r, 1, 99), rng_range(r, 0, 999),
                         rng_range(r, 0, 99));
            else if (x < 0.06)
                str_addf(out, " (Nr. %04d)", rng_range(r, 1, 999));
            str_addc(out, '.');
            in_sentence = 0;
            sentences++;
        }
    }
}

/* Generates the next document (and its file and case when they start). */
static const struct gdoc *corpus_next(struct corpus *g)
{
    double t0 = bench_now_s();
    struct gdoc *d = &g->d;
    struct rng *r = &g->r;
    d->no++;
    d->new_file = d->new_case = false;
    if (g->docs_left == 0 && g->cases_left == 0) {
        /* a new file: ~10 cases of ~5 documents */
        d->new_file = true;
        g->cases_left = rng_range(r, 1, 19);
        d->node = &g->nodes[rng_next(r) % g->nnodes];
        d->unit = d->node->unit;
        d->share_unit = 0;
        if (rng_chance(r, 0.03)) {
            int u = g->units[rng_next(r) % g->nunits];
            d->share_unit = u != d->unit ? u : 0;
        }
        size_t slot = 0;
        do {
            d->year = rng_range(r, YEAR_FIRST, YEAR_LAST);
            slot = (size_t)(d->node - g->nodes) * (YEAR_LAST - YEAR_FIRST + 1) +
                   (size_t)(d->year - YEAR_FIRST);
        } while (g->seq[slot] >= REC_MAX_FILE_SEQ);
        d->seq = ++g->seq[slot];
        snprintf(d->file_ref, sizeof d->file_ref, "%s-%d-%04d", d->node->code, d->year, d->seq);
        str_reset(&d->file_title);
        str_addf(&d->file_title, "%s – %s %d", d->node->title, PICK(r, streets),
                 rng_range(r, 1, 120));
        str_reset(&d->parties);
        if (rng_chance(r, 0.6))
            add_person(r, &d->parties, true);
        d->case_n = 0;
    }
    if (g->docs_left == 0) {
        d->new_case = true;
        g->cases_left--;
        g->docs_left = rng_range(r, 1, 9);
        d->case_n++;
        snprintf(d->case_ref, sizeof d->case_ref, "%.80s/%d", d->file_ref, d->case_n);
        str_reset(&d->case_title);
        switch (rng_range(r, 0, 3)) {
        case 0:
            str_addf(&d->case_title, "%s von ", vocab_content(g->v, r));
            add_person(r, &d->case_title, false);
            break;
        case 1: str_addf(&d->case_title, "Beschwerde %s", PICK(r, streets)); break;
        case 2: str_addf(&d->case_title, "Verfahren %s", vocab_content(g->v, r)); break;
        default: str_addf(&d->case_title, "%s %d", d->node->title, d->year); break;
        }
    }
    g->docs_left--;
    str_reset(&d->title);
    str_addf(&d->title, "%s %s", PICK(r, doc_types), vocab_content(g->v, r));
    int x = rng_range(r, 0, 19);
    d->direction = x < 10 ? "in" : x < 17 ? "out" : "internal";
    snprintf(d->dated, sizeof d->dated, "%d-%02d-%02d", d->year, rng_range(r, 1, 12),
             rng_range(r, 1, 28));
    str_reset(&d->party);
    if (rng_chance(r, 0.5)) {
        if (rng_chance(r, 0.3))
            str_addf(&d->party, "%s %s GmbH", PICK(r, surnames), vocab_content(g->v, r));
        else
            add_person(r, &d->party, false);
    }
    str_reset(&d->meta);
    str_addf(&d->meta, "%s · %s", d->file_title.buf, d->case_title.buf);
    if (d->parties.len)
        str_addf(&d->meta, " · %s", d->parties.buf);
    if (d->party.len)
        str_addf(&d->meta, " · %s", d->party.buf);
    str_reset(&d->body);
    gen_body(g, &d->body);
    if (d->body.err || d->meta.err || d->title.err)
        bench_die("document %" PRId64 " too big", d->no);
    g->gen_s += bench_now_s() - t0;
    return d;
}

/* ---- the queries -------------------------------------------------------- */

static const char *const class_names[CLASSES] = {"common", "rare", "inflected", "two-term",
                                                 "prefix"};

/* One query of the benchmark and its measurements. */
struct query {
    int cls;          /* index into class_names */
    char text[160];   /* what the user types */
    char fts[400];    /* the FTS5 expression rec_search builds for it */
    char pg[160];     /* the PostgreSQL query text */
    bool pg_prefix;   /* pg is for to_tsquery (prefix), else websearch_to_tsquery */
    double expect_df; /* expected matches from the Zipf weights (rare class) */
    int64_t df;       /* matches in rathaus (all documents) */
    int64_t df_user;  /* matches the normal user may see (capped count of rec_search) */
    int64_t df_pg;    /* matches in PostgreSQL */
    double *t_sys;    /* ms per repetition: rec_search as the system */
    double *t_user;   /* ms per repetition: rec_search as a normal user */
    double *t_pg;     /* ms per repetition: PostgreSQL */
};

/* A stem and the summed probability of its words. */
struct stem_p {
    char *stem; /* NULL = empty slot */
    double p;   /* summed Zipf probability */
};

/* Sums the Zipf probabilities per stem (the German tokenizer's stem). */
static struct stem_p *stem_weights(const struct vocab *v, struct stem *st, size_t *ret_cap,
                                   char ***ret_word_stem)
{
    size_t cap = 1;
    while (cap < 2 * v->n)
        cap <<= 1;
    struct stem_p *t = bench_xcalloc(cap, sizeof *t);
    char **word_stem = bench_xcalloc(v->n, sizeof(char *));
    struct str out;
    str_init(&out, 1024);
    for (size_t i = 0; i < v->n; i++) {
        str_reset(&out);
        bench_check(stem_text(st, v->w[i], strlen(v->w[i]), 0, &out), "stem");
        size_t k = hash_str(out.buf) & (cap - 1);
        while (t[k].stem && strcmp(t[k].stem, out.buf) != 0)
            k = (k + 1) & (cap - 1);
        if (!t[k].stem)
            t[k].stem = xstrdup(out.buf);
        t[k].p += v->p[i];
        word_stem[i] = t[k].stem;
    }
    str_release(&out);
    *ret_cap = cap;
    *ret_word_stem = word_stem;
    return t;
}

static double stem_p_of(const struct stem_p *t, size_t cap, const char *stem)
{
    size_t k = hash_str(stem) & (cap - 1);
    while (t[k].stem && strcmp(t[k].stem, stem) != 0)
        k = (k + 1) & (cap - 1);
    return t[k].stem ? t[k].p : 0;
}

/* Expected number of documents (of ndocs) holding a stem of probability p. */
static double expected_df(double p, int64_t ndocs)
{
    return (double)ndocs * (1.0 - exp(-MEAN_WORDS * p));
}

/* Picks a rare query word: a capitalized word of 7–14 bytes past rank 2000
 * whose stem's expected document frequency is closest to target. */
static size_t pick_rare(const struct vocab *v, const struct stem_p *t, size_t cap, char **word_stem,
                        double target, int64_t ndocs, const bool *used)
{
    size_t best = 0;
    double best_d = INFINITY;
    for (size_t i = 2000; i < v->n; i++) {
        const char *w = v->w[i];
        size_t n = strlen(w);
        if (n < 7 || n > 14 || !(w[0] >= 'A' && w[0] <= 'Z') || used[i])
            continue;
        double df = expected_df(stem_p_of(t, cap, word_stem[i]), ndocs);
        double dist = fabs(log(df / target));
        if (dist < best_d) {
            best_d = dist;
            best = i;
        }
        if (dist < 0.02)
            break;
    }
    return best;
}

/* Sets the FTS5 expression of q->text as rec_search's build_match writes it
 * (words quoted and joined by AND; "w*" as ("w" * OR "w")), for the
 * diagnostic queries that bypass rec_search. */
static void set_fts(struct query *q)
{
    char buf[sizeof q->text];
    snprintf(buf, sizeof buf, "%s", q->text);
    size_t len = 0;
    q->fts[0] = 0;
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        size_t n = strlen(w);
        bool prefix = n && w[n - 1] == '*';
        if (prefix)
            w[n - 1] = 0;
        len += (size_t)snprintf(q->fts + len, sizeof q->fts - len,
                                prefix ? "%s(\"%s\" * OR \"%s\")" : "%s\"%s\"", len ? " AND " : "",
                                w, w);
    }
}

/* Builds the 32 queries (six per class, eight prefixes). The rare words depend on the word list and
 * the number of documents: their stems' expected frequencies are 0.5 %, 0.1 %, 0.03 %, 0.01 %,
 * 0.003 % and 0.001 % of the documents. */
static void queries_build(struct query *qs, const struct vocab *v, int64_t ndocs, int reps)
{
    struct stem *st;
    bench_check(stem_new(&st), "stem_new");
    size_t cap;
    char **word_stem;
    struct stem_p *t = stem_weights(v, st, &cap, &word_stem);
    bool *used = bench_xcalloc(v->n, sizeof(bool));
    static const double rare_share[PER_CLASS] = {5e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5};
    size_t rare[PER_CLASS];
    for (int i = 0; i < PER_CLASS; i++) {
        rare[i] = pick_rare(v, t, cap, word_stem, rare_share[i] * (double)ndocs, ndocs, used);
        used[rare[i]] = true;
    }
    static const char *const common[PER_CLASS] = {"Antrag",   "Stadt",  "Verwaltung",
                                                  "Bescheid", "Straße", "Gebühr"};
    static const char *const inflected[PER_CLASS] = {"Anträge",  "Strasse",      "Bescheides",
                                                     "Gebühren", "Widersprüche", "Grundstücks"};
    static const char *const prefix[PER_CLASS + EXTRA_PREFIXES] = {
        "Antr*", "Geneh*", "Straß*", "Gebühr*", "Bau*", "Wohng*",
        /* longer than the prefix indexes (3 to 6 letters): expanded into words */
        "Genehmig*", "Verwaltungs*"};
    int k = 0;
    for (int c = 0; c < CLASSES; c++) {
        /* the prefix class is the last: its extra queries are 31 and 32 */
        int per = c == CLASSES - 1 ? PER_CLASS + EXTRA_PREFIXES : PER_CLASS;
        for (int i = 0; i < per; i++, k++) {
            struct query *q = &qs[k];
            q->cls = c;
            switch (c) {
            case 0: snprintf(q->text, sizeof q->text, "%s", common[i]); break;
            case 1:
                snprintf(q->text, sizeof q->text, "%s", v->w[rare[i]]);
                q->expect_df = expected_df(stem_p_of(t, cap, word_stem[rare[i]]), ndocs);
                break;
            case 2: snprintf(q->text, sizeof q->text, "%s", inflected[i]); break;
            case 3:
                switch (i) {
                case 0: snprintf(q->text, sizeof q->text, "Antrag Genehmigung"); break;
                case 1: snprintf(q->text, sizeof q->text, "Bescheid Widerspruch"); break;
                case 2: snprintf(q->text, sizeof q->text, "Straßen Sanierung"); break;
                case 3: snprintf(q->text, sizeof q->text, "Gebühren Satzung"); break;
                case 4: snprintf(q->text, sizeof q->text, "Stadt %s", v->w[rare[0]]); break;
                default: snprintf(q->text, sizeof q->text, "%s %s", v->w[rare[1]], "Verwaltung");
                }
                break;
            default: snprintf(q->text, sizeof q->text, "%s", prefix[i]);
            }
            set_fts(q);
            if (c == 4) {
                size_t n = strlen(q->text);
                snprintf(q->pg, sizeof q->pg, "%.*s:*", (int)(n - 1), q->text);
                q->pg_prefix = true;
            } else {
                snprintf(q->pg, sizeof q->pg, "%s", q->text);
            }
            q->t_sys = bench_xcalloc((size_t)reps, sizeof(double));
            q->t_user = bench_xcalloc((size_t)reps, sizeof(double));
            q->t_pg = bench_xcalloc((size_t)reps, sizeof(double));
            q->df = q->df_user = q->df_pg = -1;
        }
    }
    for (size_t i = 0; i < cap; i++)
        free(t[i].stem);
    free(t);
    free(word_stem);
    free(used);
    stem_free(st);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-th quantile (nearest rank) of v[0..n), which it sorts. */
static double quantile(double *v, size_t n, double p)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = (size_t)ceil(p * (double)n);
    return v[k ? k - 1 : 0];
}

/* Latencies of a class (cls ≥ 0) or of all queries (cls < 0) of one side:
 * which = 0 system, 1 user, 2 PostgreSQL. */
static void class_stats(const struct query *qs, int cls, int which, int reps, double *p50,
                        double *p99)
{
    double *all = bench_xcalloc((size_t)QUERIES * (size_t)reps, sizeof(double));
    size_t n = 0;
    for (int i = 0; i < QUERIES; i++) {
        if (cls >= 0 && qs[i].cls != cls)
            continue;
        const double *t = which == 0 ? qs[i].t_sys : which == 1 ? qs[i].t_user : qs[i].t_pg;
        for (int r = 0; r < reps; r++)
            all[n++] = t[r];
    }
    *p50 = quantile(all, n, 0.50);
    *p99 = quantile(all, n, 0.99);
    free(all);
}

/* ---- rathaus: build ----------------------------------------------------- */

/* Figures of one side's build. */
struct build {
    double seconds;       /* wall time without generating the documents */
    double gen_seconds;   /* time spent generating */
    double index_seconds; /* of seconds: building the index after the load (PostgreSQL) */
    int64_t docs;         /* documents */
    int64_t words;        /* body words */
    double text_bytes;    /* bytes of text handed to the index */
    double db_bytes;      /* database size on disk */
    double index_bytes;   /* the inverted index alone */
    double text_copy;     /* stored text (FTS content, doc_text; heap + TOAST) */
    bool done;            /* measured */
};

/* Loads the leaf plan nodes and the offices; a node's office is the office
 * numbered like its first code part, else one picked by the node's id. */
static void load_plan(struct store *s, struct node **ret_nodes, size_t *ret_n, int **ret_units,
                      size_t *ret_nu)
{
    struct store_conn *c;
    bench_check(store_get(s, &c), "store_get");
    struct store_stmt *st;
    int *units = bench_xcalloc(1000, sizeof(int));
    size_t nu = 0;
    bench_check(store_prepare(c, "SELECT nr FROM units ORDER BY nr", &st), "units");
    while (nu < 1000 && store_step(st) == STORE_ROW)
        units[nu++] = (int)store_col_int(st, 0);
    store_done(st);
    if (!nu)
        bench_die("no offices in the data directory (run rathaus init first)");
    size_t cap = 1024, n = 0;
    struct node *nodes = bench_xcalloc(cap, sizeof *nodes);
    bench_check(
        store_prepare(c,
                      "SELECT p.id, p.code, p.title FROM plan_nodes p WHERE p.active"
                      " AND NOT EXISTS (SELECT 1 FROM plan_nodes k WHERE k.parent_id = p.id)"
                      " ORDER BY p.code",
                      &st),
        "plan");
    while (n < cap && store_step(st) == STORE_ROW) {
        struct node *x = &nodes[n++];
        x->id = store_col_int(st, 0);
        snprintf(x->code, sizeof x->code, "%s", store_col_text(st, 1));
        x->title = xstrdup(store_col_text(st, 2));
        int top = (int)strtol(x->code, NULL, 10);
        x->unit = units[(size_t)x->id % nu];
        for (size_t i = 0; i < nu; i++)
            if (units[i] == top)
                x->unit = top;
    }
    store_done(st);
    store_put(s, c);
    if (!n)
        bench_die("no plan nodes in the data directory");
    *ret_nodes = nodes;
    *ret_n = n;
    *ret_units = units;
    *ret_nu = nu;
}

static int64_t insert_id(struct store_conn *c, const char *what, int rc, int64_t id)
{
    if (rc)
        bench_die("insert %s: %s (%s)", what, err_message(rc), store_errmsg(c));
    return id;
}

/* Loads ndocs documents into the data directory of s, BATCH_DOCS per write
 * transaction, each indexed by rec__index_document as the extraction does. */
static void rathaus_build(struct store *s, struct corpus *g, int64_t ndocs, struct build *b)
{
    struct store_conn *c;
    bench_check(store_get(s, &c), "store_get");
    const char *at = "2026-01-15T09:00:00Z", *by = "bench";
    int64_t file_id = 0, case_id = 0;
    double t0 = bench_now_s(), last = t0;
    bench_check(store_begin(c, true), "begin");
    for (int64_t i = 0; i < ndocs; i++) {
        const struct gdoc *d = corpus_next(g);
        int rc;
        if (d->new_file) {
            rc = store_query_int(c, &file_id,
                                 "INSERT INTO files (reference, plan_node_id, unit_nr, title,"
                                 " parties, year, seq, status, created_at, created_by)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                                 "tiittiitt", d->file_ref, d->node->id, (int64_t)d->unit,
                                 d->file_title.buf, d->parties.buf, (int64_t)d->year,
                                 (int64_t)d->seq, at, by);
            insert_id(c, "file", rc, file_id);
            if (d->share_unit) {
                rc = store_run(c, "INSERT INTO file_shares (file_id, unit_nr) VALUES (?, ?)", "ii",
                               file_id, (int64_t)d->share_unit);
                insert_id(c, "share", rc, 0);
            }
        }
        if (d->new_case) {
            rc = store_query_int(c, &case_id,
                                 "INSERT INTO cases (file_id, n, reference, title, status,"
                                 " service_key, created_at, created_by)"
                                 " VALUES (?, ?, ?, ?, 'open', NULL, ?, ?) RETURNING id",
                                 "iittt"
                                 "t",
                                 file_id, (int64_t)d->case_n, d->case_ref, d->case_title.buf, at,
                                 by);
            insert_id(c, "case", rc, case_id);
        }
        int64_t doc_id = 0, version_id = 0;
        rc = store_query_int(c, &doc_id,
                             "INSERT INTO documents (case_id, title, direction, dated, party,"
                             " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             "itttttt", case_id, d->title.buf, d->direction, d->dated, d->party.buf,
                             at, by);
        insert_id(c, "document", rc, doc_id);
        char sha[65], name[48];
        snprintf(sha, sizeof sha, "%064" PRIx64, (uint64_t)doc_id);
        snprintf(name, sizeof name, "scan-%08" PRId64 ".pdf", d->no);
        rc = store_query_int(c, &version_id,
                             "INSERT INTO versions (document_id, n, blob_sha256, size, mime,"
                             " filename, created_by, created_at, capture)"
                             " VALUES (?, 1, ?, ?, 'application/pdf', ?, ?, ?, '{}') RETURNING id",
                             "itittt", doc_id, sha, (int64_t)(d->body.len * 3), name, by, at);
        insert_id(c, "version", rc, version_id);
        rc = store_run(c, "INSERT INTO doc_text (version_id, text) VALUES (?, ?)", "it", version_id,
                       d->body.buf);
        insert_id(c, "text", rc, 0);
        insert_id(c, "index", rec__index_document(c, doc_id), 0);
        b->words += d->words;
        b->text_bytes += (double)(d->title.len + strlen(d->case_ref) + d->meta.len + d->body.len);
        if ((i + 1) % BATCH_DOCS == 0 || i + 1 == ndocs) {
            bench_check(store_commit(c), "commit");
            if (i + 1 < ndocs)
                bench_check(store_begin(c, true), "begin");
            double t = bench_now_s();
            if (t - last >= 30 || i + 1 == ndocs) {
                double el = t - t0 - g->gen_s;
                fprintf(stderr, "  rathaus: %" PRId64 " documents, %.0f/s, %.0f s\n", i + 1,
                        (double)(i + 1) / el, t - t0);
                last = t;
            }
        }
    }
    bench_check(store_exec(c, "PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");
    b->gen_seconds = g->gen_s;
    b->seconds = bench_now_s() - t0 - g->gen_s;
    b->docs = ndocs;
    store_put(s, c);
    b->done = true;
}

/* Sizes: the database file and, from dbstat, the inverted index (FTS5's
 * segments) and the stored text (the index's own copy and doc_text). */
static void rathaus_sizes(struct store *s, struct build *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/rathaus.db", store_dir(s));
    struct stat sb;
    if (stat(path, &sb) == 0)
        b->db_bytes = (double)sb.st_size;
    struct store_conn *c;
    bench_check(store_get(s, &c), "store_get");
    struct store_stmt *st;
    if (store_prepare(c, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name", &st) == 0) {
        while (store_step(st) == STORE_ROW) {
            const char *name = store_col_text(st, 0);
            double bytes = (double)store_col_int(st, 1);
            if (strcmp(name, "doc_search_data") == 0 || strcmp(name, "doc_search_idx") == 0)
                b->index_bytes += bytes;
            else if (strcmp(name, "doc_search_content") == 0 || strcmp(name, "doc_text") == 0)
                b->text_copy += bytes;
        }
        store_done(st);
    }
    store_put(s, c);
}

/* Statistics of the inverted index (fts5vocab): distinct terms, postings
 * (term-document pairs), token occurrences, and how much of it belongs to
 * the terms in at least 1 % of the documents: what a top-k side structure
 * over the postings would have to hold. */
static void rathaus_index_stats(struct store *s, int64_t ndocs)
{
    struct store_conn *c;
    bench_check(store_get(s, &c), "store_get");
    bench_check(store_exec(c, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab"
                              " USING fts5vocab('main', 'doc_search', 'row')"),
                "fts5vocab");
    struct store_stmt *st;
    double t0 = bench_now_s();
    bench_check(store_prepare(c,
                              "SELECT count(*), sum(doc), sum(cnt),"
                              " count(CASE WHEN doc >= ? THEN 1 END),"
                              " coalesce(sum(CASE WHEN doc >= ? THEN doc END), 0),"
                              " count(CASE WHEN doc = 1 THEN 1 END), max(doc)"
                              " FROM temp.bench_vocab",
                              &st),
                "vocab");
    int64_t big = ndocs / 100 > 0 ? ndocs / 100 : 1;
    bench_check(store_bind(st, "ii", big, big), "bind");
    if (store_step(st) == STORE_ROW) {
        double terms = (double)store_col_int(st, 0), postings = (double)store_col_int(st, 1);
        double tokens = (double)store_col_int(st, 2), nbig = (double)store_col_int(st, 3);
        double pbig = (double)store_col_int(st, 4), once = (double)store_col_int(st, 5);
        printf("\nInverted index (fts5vocab, %.0f s to read): %.0f terms (%.0f in one document "
               "only), %.0f postings (term, document), %.0f token occurrences;\n"
               "  %.0f terms in >= 1 %% of the documents hold %.0f postings (%.1f %%); the "
               "longest posting list has %" PRId64 " documents.\n",
               bench_now_s() - t0, terms, once, postings, tokens, nbig, pbig,
               postings > 0 ? 100.0 * pbig / postings : 0, store_col_int(st, 6));
    }
    store_done(st);
    store_put(s, c);
}

/* ---- rathaus: queries --------------------------------------------------- */

/* Runs rec_search for q as actor a (page 1, PAGE hits); its total in *total. */
static double rathaus_query(struct store *s, const struct rec_actor *a, const char *text,
                            int64_t *total)
{
    struct rec_search_query q = {.q = text, .page = 1, .per_page = PAGE};
    json_t *res = NULL;
    double t0 = bench_now_s();
    int rc = rec_search(s, a, &q, &res);
    double ms = (bench_now_s() - t0) * 1000.0;
    if (rc)
        bench_die("rec_search(%s): %s", text, err_message(rc));
    if (total)
        *total = (int64_t)json_integer_value(json_object_get(res, "total"));
    json_decref(res);
    return ms;
}

/* Runs one diagnostic statement (one text parameter, the FTS5 expression;
 * none when fts is "-")
 * to its end; returns ms and the first column of the last row in *ret. */
static double timed_sql(struct store_conn *c, const char *sql, const char *fts, int64_t *ret)
{
    struct store_stmt *st;
    double t0 = bench_now_s();
    bench_check(store_prepare(c, sql, &st), "prepare");
    if (strcmp(fts, "-") != 0)
        bench_check(store_bind(st, "t", fts), "bind");
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        if (ret)
            *ret = store_col_int(st, 0);
    store_done(st);
    if (rc != STORE_DONE)
        bench_die("%s: %s", sql, store_errmsg(c));
    return (bench_now_s() - t0) * 1000.0;
}

/* The stages of the rathaus query for the system actor, found by taking
 * pieces away: matching alone, FTS5's own bm25 over all matches (what
 * ranking every match costs), a capped count alone, rec_search's one pass
 * over the newest 10,001 matches (count, rec_rank, and whether the words
 * are in the title or reference), the newest 2,000 ranked by rec_rank (the
 * ranked window of rec_search before), the details and snippets of the 20 hits (the
 * statement of search.c's hit_details, with and without the snippets), and
 * rec_search (which ranks all matches when there are at most 2,000). */
#define STAGES 8
static const char *const stage_names[STAGES] = {"match all", "bm25 top20",  "count 10001",
                                                "one pass",  "newest 2000", "details+snip",
                                                "details",   "rec_search"};
static const char *const stage_sql[5] = {
    "SELECT count(*) FROM doc_search WHERE doc_search MATCH ?",
    "SELECT rowid FROM doc_search WHERE doc_search MATCH ?"
    " ORDER BY bm25(doc_search, 8.0, 4.0, 2.0, 1.0, 0.0, 0.0) LIMIT 20",
    "SELECT count(*) FROM (SELECT 1 FROM doc_search WHERE doc_search MATCH ? LIMIT 10001)",
    /* search.c's search_indexed for words without "-" (one group per phrase) */
    "SELECT count(*) FROM (SELECT rowid, rec_rank(doc_search, 8.0, 4.0, 2.0, 1.0, 0.0, 0.0),"
    " CASE WHEN rec_titled(doc_search, 'abcdefghijklmnop', 3)"
    "  THEN rec_rank(doc_search, 8.0, 4.0, 0.0, 0.0, 0.0, 0.0) END"
    " FROM doc_search WHERE doc_search MATCH ? ORDER BY rowid DESC LIMIT 10001)",
    "SELECT rowid FROM (SELECT rowid, rec_rank(doc_search, 8.0, 4.0, 2.0, 1.0, 0.0, 0.0) AS r"
    " FROM doc_search WHERE doc_search MATCH ? ORDER BY rowid DESC LIMIT 2000)"
    " ORDER BY r, rowid DESC LIMIT 20",
};
/* search.c's SEARCH_DETAILS for words, and the same without snippets */
static const char details_sql[] =
    "SELECT s.rowid, c.reference, f.reference, d.title, d.direction, d.dated, f.title,"
    " f.unit_nr, (SELECT max(v.id) FROM versions v WHERE v.document_id = d.id"
    "  AND v.blob_sha256 IS NOT NULL),"
    " snippet(doc_search, 3, char(1), char(2), '…', 24)"
    " FROM doc_search s JOIN documents d ON d.id = s.rowid"
    " JOIN cases c ON c.id = d.case_id JOIN files f ON f.id = c.file_id"
    " WHERE doc_search MATCH ? AND s.rowid IN (SELECT value FROM json_each(?))";
static const char details_plain_sql[] =
    "SELECT s.rowid, c.reference, f.reference, d.title, d.direction, d.dated, f.title,"
    " f.unit_nr, (SELECT max(v.id) FROM versions v WHERE v.document_id = d.id"
    "  AND v.blob_sha256 IS NOT NULL)"
    " FROM doc_search s JOIN documents d ON d.id = s.rowid"
    " JOIN cases c ON c.id = d.case_id JOIN files f ON f.id = c.file_id"
    " WHERE doc_search MATCH ? AND s.rowid IN (SELECT value FROM json_each(?))";

/* The ids of the page query as a JSON array. */
static void page_ids(struct store_conn *c, const char *fts, struct str *out)
{
    struct store_stmt *st;
    bench_check(store_prepare(c, stage_sql[4], &st), "prepare");
    bench_check(store_bind(st, "t", fts), "bind");
    str_reset(out);
    str_addc(out, '[');
    while (store_step(st) == STORE_ROW)
        str_addf(out, "%s%lld", out->len > 1 ? "," : "", (long long)store_col_int(st, 0));
    str_addc(out, ']');
    store_done(st);
}

static double timed_details(struct store_conn *c, const char *sql, const char *fts, const char *ids)
{
    struct store_stmt *st;
    double t0 = bench_now_s();
    bench_check(store_prepare(c, sql, &st), "prepare");
    bench_check(store_bind(st, "tt", fts, ids), "bind");
    int rc;
    size_t bytes = 0;
    while ((rc = store_step(st)) == STORE_ROW)
        bytes += store_col_len(st, store_col_count(st) - 1);
    store_done(st);
    if (rc != STORE_DONE)
        bench_die("details: %s", store_errmsg(c));
    (void)bytes;
    return (bench_now_s() - t0) * 1000.0;
}

static void rathaus_stages(struct store *s, struct query *qs, const struct rec_actor *sys)
{
    static const int pick[] = {0, 1, 6, 7, 12, 18, 24, 28};
    enum { REPS = 3 };
    printf("\nWhere rathaus spends the time (system actor, median of %d, ms):\n", REPS);
    printf("  %-30s %8s", "query", "matches");
    for (int k = 0; k < STAGES; k++)
        printf(" %12s", stage_names[k]);
    printf("\n");
    struct store_conn *c;
    bench_check(store_get(s, &c), "store_get");
    struct str ids;
    str_init(&ids, 4096);
    for (size_t i = 0; i < sizeof pick / sizeof pick[0]; i++) {
        struct query *q = &qs[pick[i]];
        if (q->pg_prefix)
            continue; /* the details of a prefix query use another plan ("+s.rowid") */
        double t[STAGES][REPS];
        int64_t n = 0;
        for (int r = 0; r < REPS; r++) {
            bench_check(store_begin(c, false), "begin");
            for (int k = 0; k < 5; k++)
                t[k][r] = timed_sql(c, stage_sql[k], q->fts, k == 0 ? &n : NULL);
            page_ids(c, q->fts, &ids);
            t[5][r] = timed_details(c, details_sql, q->fts, ids.buf);
            t[6][r] = timed_details(c, details_plain_sql, q->fts, ids.buf);
            store_rollback(c);
            t[7][r] = rathaus_query(s, sys, q->text, NULL);
        }
        char label[200];
        snprintf(label, sizeof label, "%s: %s", class_names[q->cls], q->text);
        printf("  %-30.30s %8" PRId64, label, n);
        for (int k = 0; k < STAGES; k++)
            printf(" %12.1f", quantile(t[k], REPS, 0.5));
        printf("\n");
    }
    str_release(&ids);
    store_put(s, c);
    printf("  match all: count(*) of the MATCH; bm25 top20: FTS5's bm25 with rec_search's column\n"
           "  weights over all matches; count 10001: a capped count alone; one pass: rec_search's\n"
           "  statement (the newest 10,001 with rec_rank and title flag); newest 2000: those\n"
           "  ranked by rec_rank; details(+snip): its details of the 20 hits with (and without)\n"
           "  snippets; rec_search: all of it.\n");
}

/* Counts the matches of each query in the whole index. */
static void rathaus_df(struct store *s, struct query *qs)
{
    struct store_conn *c;
    bench_check(store_get(s, &c), "store_get");
    bench_check(store_begin(c, false), "begin");
    for (int i = 0; i < QUERIES; i++)
        timed_sql(c, stage_sql[0], qs[i].fts, &qs[i].df);
    store_rollback(c);
    store_put(s, c);
}

/* Share of the documents the normal user may see. */
static double visible_share(struct store *s, int unit)
{
    struct store_conn *c;
    bench_check(store_get(s, &c), "store_get");
    int64_t all = 0, seen = 0;
    bench_check(store_query_int(c, &all, "SELECT count(*) FROM documents", ""), "count");
    bench_check(store_query_int(c, &seen,
                                "SELECT count(*) FROM documents d JOIN cases k ON k.id = d.case_id"
                                " JOIN files f ON f.id = k.file_id WHERE f.unit_nr = ? OR EXISTS"
                                " (SELECT 1 FROM file_shares sh WHERE sh.file_id = f.id"
                                "  AND sh.unit_nr = ?)",
                                "ii", (int64_t)unit, (int64_t)unit),
                "count");
    store_put(s, c);
    return all ? (double)seen / (double)all : 0;
}

/* Runs every query reps times as the system and as the user, in rounds over
 * all queries (after one warm-up round). */
static void rathaus_queries(struct store *s, struct query *qs, int reps,
                            const struct rec_actor *sys, const struct rec_actor *user)
{
    for (int i = 0; i < QUERIES; i++) {
        rathaus_query(s, sys, qs[i].text, NULL);
        rathaus_query(s, user, qs[i].text, &qs[i].df_user);
    }
    double t0 = bench_now_s();
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < QUERIES; i++) {
            qs[i].t_sys[r] = rathaus_query(s, sys, qs[i].text, NULL);
            qs[i].t_user[r] = rathaus_query(s, user, qs[i].text, NULL);
        }
        if (bench_now_s() - t0 > 60)
            fprintf(stderr, "  rathaus queries: round %d of %d, %.0f s\n", r + 1, reps,
                    bench_now_s() - t0);
    }
}

/* ---- PostgreSQL ---------------------------------------------------------- */

#ifdef SEARCHBENCH_PQ
static void pg_ok(PGconn *pg, PGresult *res, ExecStatusType want, const char *what)
{
    if (PQresultStatus(res) != want)
        bench_die("PostgreSQL %s: %s", what, PQerrorMessage(pg));
}

static void pg_exec(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    pg_ok(pg, res, PGRES_COMMAND_OK, sql);
    PQclear(res);
}

static double pg_double(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    pg_ok(pg, res, PGRES_TUPLES_OK, sql);
    double v = PQntuples(res) ? strtod(PQgetvalue(res, 0, 0), NULL) : 0;
    PQclear(res);
    return v;
}

/* Appends z to out in COPY text format (backslash, tab and line ends escaped). */
static void copy_escape(struct str *out, const char *z)
{
    for (; *z; z++) {
        switch (*z) {
        case '\\': str_adds(out, "\\\\"); break;
        case '\t': str_adds(out, "\\t"); break;
        case '\n': str_adds(out, "\\n"); break;
        case '\r': str_adds(out, "\\r"); break;
        default: str_addc(out, *z);
        }
    }
}

/* Loads the same documents with COPY into docs(id, body, tsv generated by
 * to_tsvector('german', body)), then builds the GIN index and analyzes. */
static void pg_build(PGconn *pg, struct corpus *g, int64_t ndocs, struct build *b)
{
    double t0 = bench_now_s(), last = t0;
    pg_exec(pg, "BEGIN");
    pg_exec(pg, "CREATE TABLE docs (id bigint NOT NULL, body text NOT NULL,"
                " tsv tsvector GENERATED ALWAYS AS (to_tsvector('german', body)) STORED)");
    PGresult *res = PQexec(pg, "COPY docs (id, body) FROM STDIN");
    pg_ok(pg, res, PGRES_COPY_IN, "COPY");
    PQclear(res);
    struct str buf;
    str_init(&buf, 64u << 20);
    for (int64_t i = 0; i < ndocs; i++) {
        const struct gdoc *d = corpus_next(g);
        str_addf(&buf, "%" PRId64 "\t", d->no);
        copy_escape(&buf, d->title.buf);
        str_addc(&buf, ' ');
        copy_escape(&buf, d->case_ref);
        str_addc(&buf, ' ');
        copy_escape(&buf, d->meta.buf);
        str_adds(&buf, "\\n");
        copy_escape(&buf, d->body.buf);
        str_addc(&buf, '\n');
        b->words += d->words;
        b->text_bytes += (double)(d->title.len + strlen(d->case_ref) + d->meta.len + d->body.len);
        if (buf.err)
            bench_die("COPY buffer: %s", err_message(buf.err));
        if (buf.len > (1u << 20) || i + 1 == ndocs) {
            if (PQputCopyData(pg, buf.buf, (int)buf.len) != 1)
                bench_die("COPY: %s", PQerrorMessage(pg));
            str_reset(&buf);
        }
        double t = bench_now_s();
        if (t - last >= 30) {
            fprintf(stderr, "  PostgreSQL: %" PRId64 " documents, %.0f/s, %.0f s\n", i + 1,
                    (double)(i + 1) / (t - t0 - g->gen_s), t - t0);
            last = t;
        }
    }
    str_release(&buf);
    if (PQputCopyEnd(pg, NULL) != 1)
        bench_die("COPY end: %s", PQerrorMessage(pg));
    res = PQgetResult(pg);
    pg_ok(pg, res, PGRES_COMMAND_OK, "COPY");
    PQclear(res);
    while ((res = PQgetResult(pg)))
        PQclear(res);
    pg_exec(pg, "COMMIT");
    double t1 = bench_now_s();
    fprintf(stderr, "  PostgreSQL: COPY done in %.0f s, building the GIN index\n", t1 - t0);
    pg_exec(pg, "CREATE INDEX docs_tsv ON docs USING gin (tsv)");
    pg_exec(pg, "VACUUM ANALYZE docs");
    pg_exec(pg, "CHECKPOINT");
    double t2 = bench_now_s();
    b->gen_seconds = g->gen_s;
    b->index_seconds = t2 - t1;
    b->seconds = t2 - t0 - g->gen_s;
    b->docs = ndocs;
    b->db_bytes = pg_double(pg, "SELECT pg_database_size(current_database())");
    b->index_bytes = pg_double(pg, "SELECT pg_relation_size('docs_tsv')");
    b->text_copy = pg_double(pg, "SELECT pg_table_size('docs')");
    b->done = true;
}

static const char pg_web_sql[] =
    "SELECT id, ts_rank(tsv, q) r FROM docs, websearch_to_tsquery('german', $1) q"
    " WHERE tsv @@ q ORDER BY r DESC LIMIT 20";
static const char pg_prefix_sql[] =
    "SELECT id, ts_rank(tsv, q) r FROM docs, to_tsquery('german', $1) q"
    " WHERE tsv @@ q ORDER BY r DESC LIMIT 20";

static double pg_query(PGconn *pg, const struct query *q)
{
    const char *params[1] = {q->pg};
    double t0 = bench_now_s();
    PGresult *res = PQexecPrepared(pg, q->pg_prefix ? "prefix" : "web", 1, params, NULL, NULL, 0);
    double ms = (bench_now_s() - t0) * 1000.0;
    pg_ok(pg, res, PGRES_TUPLES_OK, q->pg);
    PQclear(res);
    return ms;
}

static void pg_queries(PGconn *pg, struct query *qs, int reps)
{
    PGresult *res = PQprepare(pg, "web", pg_web_sql, 1, NULL);
    pg_ok(pg, res, PGRES_COMMAND_OK, "prepare");
    PQclear(res);
    res = PQprepare(pg, "prefix", pg_prefix_sql, 1, NULL);
    pg_ok(pg, res, PGRES_COMMAND_OK, "prepare");
    PQclear(res);
    for (int i = 0; i < QUERIES; i++) {
        const char *params[1] = {qs[i].pg};
        res = PQexecParams(pg,
                           qs[i].pg_prefix
                               ? "SELECT count(*) FROM docs WHERE tsv @@ to_tsquery('german', $1)"
                               : "SELECT count(*) FROM docs WHERE tsv @@"
                                 " websearch_to_tsquery('german', $1)",
                           1, NULL, params, NULL, NULL, 0);
        pg_ok(pg, res, PGRES_TUPLES_OK, "count");
        qs[i].df_pg = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        pg_query(pg, &qs[i]); /* warm-up */
    }
    double t0 = bench_now_s();
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < QUERIES; i++)
            qs[i].t_pg[r] = pg_query(pg, &qs[i]);
        if (bench_now_s() - t0 > 60)
            fprintf(stderr, "  PostgreSQL queries: round %d of %d, %.0f s\n", r + 1, reps,
                    bench_now_s() - t0);
    }
}
#endif

/* ---- report -------------------------------------------------------------- */

static void fmt_ratio(char *out, size_t n, double a, double b)
{
    if (isnan(a) || isnan(b) || b <= 0)
        snprintf(out, n, "–");
    else
        snprintf(out, n, "%.3f", a / b);
}

static void report(const struct query *qs, int reps, const struct build *rb, const struct build *pb,
                   double share, int unit)
{
    bool pg = pb->done;
    printf("\nQueries (%d repetitions each, ms; user = office %d, sees %.1f %% of the "
           "documents):\n",
           reps, unit, 100.0 * share);
    printf("  %-10s %-30s %9s %9s %9s | %8s %8s | %8s %8s | %9s %9s\n", "class", "query", "matches",
           "user", "PG", "sys p50", "sys p99", "user p50", "user p99", "PG p50", "PG p99");
    for (int i = 0; i < QUERIES; i++) {
        const struct query *q = &qs[i];
        double *a = bench_xcalloc((size_t)reps, sizeof(double));
        double v[6];
        const double *src[3] = {q->t_sys, q->t_user, q->t_pg};
        for (int k = 0; k < 3; k++) {
            memcpy(a, src[k], (size_t)reps * sizeof(double));
            v[2 * k] = quantile(a, (size_t)reps, 0.5);
            v[2 * k + 1] = quantile(a, (size_t)reps, 0.99);
        }
        free(a);
        char user[24], pgdf[24];
        snprintf(user, sizeof user, "%s%" PRId64, q->df_user >= 10000 ? "≥" : "", q->df_user);
        snprintf(pgdf, sizeof pgdf, "%" PRId64, q->df_pg);
        printf("  %-10s %-30.30s %9" PRId64 " %9s %9s | %8.1f %8.1f | %8.1f %8.1f | %9.1f %9.1f\n",
               class_names[q->cls], q->text, q->df, user, pg ? pgdf : "–", v[0], v[1], v[2], v[3],
               pg ? v[4] : NAN, pg ? v[5] : NAN);
    }

    printf("\nSummary per class (ms; ratio = rathaus / PostgreSQL, below 1 is faster; "
           "target p99 ≤ 20 ms):\n");
    printf("  %-10s | %8s %8s | %8s %8s | %9s %9s | %9s %9s %9s\n", "class", "sys p50", "sys p99",
           "user p50", "user p99", "PG p50", "PG p99", "p50 ratio", "p99 ratio", "user p99/PG");
    for (int c = -1; c < CLASSES; c++) {
        double s50, s99, u50, u99, p50 = NAN, p99 = NAN;
        class_stats(qs, c, 0, reps, &s50, &s99);
        class_stats(qs, c, 1, reps, &u50, &u99);
        if (pg)
            class_stats(qs, c, 2, reps, &p50, &p99);
        char r50[16], r99[16], ru[16];
        fmt_ratio(r50, sizeof r50, s50, p50);
        fmt_ratio(r99, sizeof r99, s99, p99);
        fmt_ratio(ru, sizeof ru, u99, p99);
        printf("  %-10s | %8.1f %8.1f | %8.1f %8.1f | %9.1f %9.1f | %9s %9s %9s\n",
               c < 0 ? "overall" : class_names[c], s50, s99, u50, u99, p50, p99, r50, r99, ru);
    }

    printf("\nBuild (%" PRId64 " documents, %.0f body words on average, %.1f MiB of text):\n",
           rb->docs, rb->docs ? (double)rb->words / (double)rb->docs : 0, mib(rb->text_bytes));
    printf("  %-34s %16s %16s %10s\n", "", "rathaus", "PostgreSQL 15", "ratio");
    struct {
        const char *label;
        double a, b;
        const char *fmt;
    } rows[] = {
        {"build rate (documents/s)", rb->docs / rb->seconds, pb->docs / pb->seconds, "%16.0f"},
        {"build time (s)", rb->seconds, pb->seconds, "%16.1f"},
        {"  of it: index after load (s)", 0, pb->index_seconds, "%16.1f"},
        {"database on disk (MiB)", mib(rb->db_bytes), mib(pb->db_bytes), "%16.1f"},
        {"inverted index (MiB)", mib(rb->index_bytes), mib(pb->index_bytes), "%16.1f"},
        {"stored text (MiB)", mib(rb->text_copy), mib(pb->text_copy), "%16.1f"},
        {"inverted index bytes per document", rb->index_bytes / (double)rb->docs,
         pb->done ? pb->index_bytes / (double)pb->docs : NAN, "%16.0f"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char a[32], b[32], r[16];
        snprintf(a, sizeof a, "%16.1f", rows[i].a);
        if (strcmp(rows[i].fmt, "%16.0f") == 0)
            snprintf(a, sizeof a, "%16.0f", rows[i].a);
        if (pg && strcmp(rows[i].fmt, "%16.0f") == 0)
            snprintf(b, sizeof b, "%16.0f", rows[i].b);
        else if (pg)
            snprintf(b, sizeof b, "%16.1f", rows[i].b);
        else
            snprintf(b, sizeof b, "%16s", "–");
        fmt_ratio(r, sizeof r, rows[i].a, pg ? rows[i].b : NAN);
        if (i == 2)
            snprintf(a, sizeof a, "%16s", "–");
        printf("  %-34s %s %s %10s\n", rows[i].label, a, b, i == 2 ? "" : r);
    }
    printf("  (generating the documents took %.1f s per side, not counted)\n", rb->gen_seconds);
}

/* ---- PDFs for the ingest benchmark ---------------------------------------- */

/* Appends UTF-8 text as a PDF string body in WinAnsi (Latin-1) encoding;
 * characters outside Latin-1 become '?'. */
static void pdf_text(struct str *out, const char *z)
{
    const unsigned char *u = (const unsigned char *)z;
    while (*u) {
        unsigned cp = *u++;
        if (cp >= 0xC0 && cp < 0xE0 && (*u & 0xC0) == 0x80)
            cp = ((cp & 0x1F) << 6) | (*u++ & 0x3F);
        else if (cp >= 0x80) {
            while ((*u & 0xC0) == 0x80)
                u++;
            cp = '?';
        }
        if (cp == '(' || cp == ')' || cp == '\\')
            str_addf(out, "\\%c", (char)cp);
        else if (cp < 0x80 && cp >= 0x20)
            str_addc(out, (char)cp);
        else if (cp >= 0xA0 && cp <= 0xFF)
            str_addf(out, "\\%03o", cp);
        else
            str_addc(out, ' ');
    }
}

/* Writes one PDF: a title line and the body in lines of about 80 bytes. */
static void pdf_write(const char *path, const char *title, const char *body)
{
    struct str content, out;
    str_init(&content, 1 << 20);
    str_init(&out, 1 << 20);
    str_adds(&content, "BT /F1 14 Tf 16 TL 56 790 Td (");
    pdf_text(&content, title);
    str_adds(&content, ") Tj /F1 10 Tf 13 TL T* T*");
    const char *p = body;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        if (!*p)
            break;
        const char *end = p, *cut = NULL;
        while (*end && *end != '\n' && end - p < 80) {
            if (*end == ' ')
                cut = end;
            end++;
        }
        if (*end && *end != '\n' && cut)
            end = cut;
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(end - p), p);
        str_adds(&content, " (");
        pdf_text(&content, line);
        str_adds(&content, ") Tj T*");
        p = end;
    }
    str_adds(&content, " ET");
    const char *objs[5] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        NULL,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    };
    size_t off[5];
    str_adds(&out, "%PDF-1.4\n");
    for (int i = 0; i < 5; i++) {
        off[i] = out.len;
        str_addf(&out, "%d 0 obj\n", i + 1);
        if (objs[i]) {
            str_adds(&out, objs[i]);
        } else {
            str_addf(&out, "<< /Length %zu >>\nstream\n", content.len);
            str_add(&out, content.buf, content.len);
            str_adds(&out, "\nendstream");
        }
        str_adds(&out, "\nendobj\n");
    }
    size_t xref = out.len;
    str_adds(&out, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 0; i < 5; i++)
        str_addf(&out, "%010zu 00000 n \n", off[i]);
    str_addf(&out, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    if (out.err || content.err)
        bench_die("PDF too big");
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f) != 0)
        bench_die("%s: %s", path, strerror(errno));
    str_release(&content);
    str_release(&out);
}

static int cmd_pdfs(const char *out, int64_t count, const struct vocab *v, uint64_t seed)
{
    static const struct node node = {1, "63.10", "Baugenehmigungen", 63};
    static const int units[] = {63};
    struct corpus g;
    corpus_init(&g, v, seed, &node, 1, units, 1);
    if (mkdir(out, 0755) != 0 && errno != EEXIST)
        bench_die("%s: %s", out, strerror(errno));
    double bytes = 0;
    for (int64_t i = 0; i < count; i++) {
        const struct gdoc *d = corpus_next(&g);
        /* small scans: the first ~120 words of a generated text */
        char *body = xstrdup(d->body.buf);
        size_t words = 0;
        for (char *p = body; *p; p++)
            if (*p == ' ' && ++words == 120) {
                *p = 0;
                break;
            }
        char path[4096];
        snprintf(path, sizeof path, "%s/scan-%06" PRId64 ".pdf", out, i + 1);
        pdf_write(path, d->title.buf, body);
        free(body);
        struct stat sb;
        if (stat(path, &sb) == 0)
            bytes += (double)sb.st_size;
    }
    corpus_free(&g);
    printf("%" PRId64 " PDFs, %.0f bytes on average, in %s\n", count,
           count ? bytes / (double)count : 0, out);
    return 0;
}

/* ---- main ----------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: searchbench search --data DIR --docs N [--pg CONNINFO] [--reps R]\n"
          "                          [--words FILE] [--seed S] [--zipf S] [--unit NR]\n"
          "                          [--reuse]\n"
          "       searchbench query --data DIR [--unit NR] TEXT\n"
          "       searchbench sql --data DIR SQL ARG (SEARCHBENCH_PRE: statements before)\n"
          "       searchbench hits --data DIR [--unit NR] TEXT...\n"
          "       searchbench pdfs --out DIR --count N [--words FILE] [--seed S]\n",
          stderr);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1];
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"docs", required_argument, NULL, 'n'},
        {"pg", required_argument, NULL, 'p'},
        {"reps", required_argument, NULL, 'r'},
        {"words", required_argument, NULL, 'w'},
        {"seed", required_argument, NULL, 's'},
        {"zipf", required_argument, NULL, 'z'},
        {"unit", required_argument, NULL, 'u'},
        {"out", required_argument, NULL, 'o'},
        {"count", required_argument, NULL, 'c'},
        {"reuse", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL, *pgconn = NULL, *words = "/usr/share/dict/ngerman", *out = NULL;
    int64_t ndocs = 50000, count = 1000;
    int reps = 20, unit = 63;
    bool reuse = false, unit_given = false;
    uint64_t seed = 20260101;
    double zipf = 1.0;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'n': ndocs = strtoll(optarg, NULL, 10); break;
        case 'p': pgconn = optarg; break;
        case 'r': reps = (int)strtol(optarg, NULL, 10); break;
        case 'w': words = optarg; break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'z': zipf = strtod(optarg, NULL); break;
        case 'u':
            unit = (int)strtol(optarg, NULL, 10);
            unit_given = true;
            break;
        case 'o': out = optarg; break;
        case 'c': count = strtoll(optarg, NULL, 10); break;
        case 'R': reuse = true; break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (ndocs < 1000 || reps < 1 || reps > 1000 || count < 1 || zipf <= 0.5 || zipf > 3)
        bench_die("--docs must be ≥ 1000, --reps 1–1000, --count ≥ 1, --zipf 0.5–3");

    double t0 = bench_now_s();
    struct vocab v = {0};
    vocab_build(&v, words, seed, zipf);
    fprintf(stderr, "  vocabulary: %zu words from %s, Zipf s = %.2f (%.1f s)\n", v.n, v.source,
            zipf, bench_now_s() - t0);

    if (strcmp(cmd, "pdfs") == 0) {
        if (!out)
            bench_die("pdfs: --out DIR is missing");
        return cmd_pdfs(out, count, &v, seed + 7);
    }
    if (strcmp(cmd, "sql") == 0) {
        /* searchbench sql --data DIR SQL ARG: times SQL with the text ARG
         * bound (the best of ten runs, ms, and the first column of the last
         * row); the environment variable SEARCHBENCH_PRE may hold statements
         * to run once before, on the same connection */
        if (!data || optind + 2 > argc)
            bench_die("sql: --data DIR SQL ARG");
        struct store *s;
        bench_check(store_open(data, 0, &s), data);
        struct store_conn *c;
        bench_check(store_get(s, &c), "store_get");
        /* SEARCHBENCH_PRE: statements run once before (a temp table, say) */
        const char *pre = getenv("SEARCHBENCH_PRE");
        if (pre && *pre && store_exec(c, pre))
            bench_die("SEARCHBENCH_PRE: %s", store_errmsg(c));
        double best = INFINITY;
        int64_t last = -1;
        for (int r = 0; r < 10; r++) {
            double ms = timed_sql(c, argv[optind], argv[optind + 1], &last);
            if (r == 0)
                printf("first: %.2f ms; ", ms);
            best = ms < best ? ms : best;
        }
        printf("best of 10: %.2f ms, last %" PRId64 "\n", best, last);
        store_put(s, c);
        store_close(s);
        return 0;
    }
    if (strcmp(cmd, "query") == 0) {
        /* searchbench query --data DIR [--unit NR] TEXT: rec_search as the
         * system (or a user of office NR) 200 times (median and first, ms),
         * for profiling */
        if (!data || optind + 1 > argc)
            bench_die("query: --data DIR TEXT");
        struct store *s;
        bench_check(store_open(data, 0, &s), data);
        struct rec_actor a = unit_given && unit > 0
                                 ? (struct rec_actor){.login = "bench-user", .unit_nr = unit}
                                 : rec_actor_system("bench");
        double t[200];
        int64_t total = 0;
        for (int r = 0; r < 200; r++)
            t[r] = rathaus_query(s, &a, argv[optind], &total);
        double first = t[0];
        printf("%s: %" PRId64 " matches, median %.2f ms, first %.2f ms\n", argv[optind], total,
               quantile(t, 200, 0.5), first);
        store_close(s);
        return 0;
    }
    if (strcmp(cmd, "hits") == 0) {
        /* searchbench hits --data DIR [--unit NR] TEXT...: for each text
         * and the pages 1, 2 and 101 (20 per page), the total and the
         * document ids in rank order as the system (--unit 0, the default
         * here) or a user of office NR: for comparing two versions */
        if (!data || optind + 1 > argc)
            bench_die("hits: --data DIR [--unit NR] TEXT...");
        struct store *s;
        bench_check(store_open(data, 0, &s), data);
        int hunit = unit_given ? unit : 0;
        struct rec_actor a = hunit ? (struct rec_actor){.login = "bench-user", .unit_nr = hunit}
                                   : rec_actor_system("bench");
        for (int k = optind; k < argc; k++) {
            static const int pages[] = {1, 2, 101};
            for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
                struct rec_search_query q = {.q = argv[k], .page = pages[p], .per_page = PAGE};
                json_t *res = NULL;
                int rc = rec_search(s, &a, &q, &res);
                printf("%s p%d:", argv[k], pages[p]);
                if (rc) {
                    printf(" error %s\n", err_message(rc));
                    continue;
                }
                printf(" %lld", (long long)json_integer_value(json_object_get(res, "total")));
                size_t i;
                json_t *it;
                json_array_foreach(json_object_get(res, "items"), i, it) printf(
                    " %lld", (long long)json_integer_value(json_object_get(it, "document_id")));
                printf("\n");
                json_decref(res);
            }
        }
        store_close(s);
        return 0;
    }
    if (strcmp(cmd, "search") != 0) {
        usage();
        return 2;
    }
    if (!data)
        bench_die("search: --data DIR is missing (make it with rathaus init)");
#ifndef SEARCHBENCH_PQ
    if (pgconn)
        bench_die("--pg: this searchbench was built without libpq");
#endif

    struct store *s;
    bench_check(store_open(data, 0, &s), data);
    struct node *nodes;
    int *units;
    size_t nnodes, nunits;
    load_plan(s, &nodes, &nnodes, &units, &nunits);
    struct rec_actor sys = rec_actor_system("bench");
    struct rec_actor user = {.login = "bench-user", .unit_nr = unit, .roles = 0, .system = false};

    struct query qs[QUERIES];
    memset(qs, 0, sizeof qs);
    queries_build(qs, &v, ndocs, reps);

    struct build rb = {0}, pb = {0};
    fprintf(stderr, "  rathaus: loading %" PRId64 " documents into %s\n", ndocs, data);
    struct corpus g;
    if (reuse) {
        /* the documents of an earlier run with the same --docs and --seed */
        struct store_conn *c;
        bench_check(store_get(s, &c), "store_get");
        bench_check(store_query_int(c, &rb.docs, "SELECT count(*) FROM documents", ""), "count");
        store_put(s, c);
        if (rb.docs != ndocs)
            bench_die("--reuse: %s holds %" PRId64 " documents, not %" PRId64, data, rb.docs,
                      ndocs);
        rb.seconds = NAN;
    } else {
        corpus_init(&g, &v, seed, nodes, nnodes, units, nunits);
        rathaus_build(s, &g, ndocs, &rb);
        corpus_free(&g);
    }
    rathaus_sizes(s, &rb);
    double share = visible_share(s, unit);

#ifdef SEARCHBENCH_PQ
    PGconn *pg = NULL;
    char pg_version[128] = "";
    if (pgconn) {
        pg = PQconnectdb(pgconn);
        if (PQstatus(pg) != CONNECTION_OK)
            bench_die("PostgreSQL: %s", PQerrorMessage(pg));
        PGresult *res = PQexec(pg, "SHOW server_version");
        pg_ok(pg, res, PGRES_TUPLES_OK, "version");
        snprintf(pg_version, sizeof pg_version, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        fprintf(stderr, "  PostgreSQL %s: loading the same documents\n", pg_version);
        corpus_init(&g, &v, seed, nodes, nnodes, units, nunits);
        pg_build(pg, &g, ndocs, &pb);
        corpus_free(&g);
    }
#endif

    fprintf(stderr, "  rathaus: %d queries × %d repetitions × 2 actors\n", QUERIES, reps);
    double tq = bench_now_s();
    rathaus_df(s, qs);
    rathaus_queries(s, qs, reps, &sys, &user);
    double rathaus_query_s = bench_now_s() - tq;
    double pg_query_s = 0;
#ifdef SEARCHBENCH_PQ
    if (pg) {
        fprintf(stderr, "  PostgreSQL: %d queries × %d repetitions\n", QUERIES, reps);
        tq = bench_now_s();
        pg_queries(pg, qs, reps);
        pg_query_s = bench_now_s() - tq;
    }
#endif

    printf("Search benchmark: %" PRId64 " documents, words from %s (%zu words, Zipf s = %.2f, "
           "seed %" PRIu64 "), %ld CPUs\n",
           ndocs, v.source, v.n, zipf, seed, sysconf(_SC_NPROCESSORS_ONLN));
    printf("rathaus: %s, FTS5 tokenizer \"german\", rec_search() page of %d with count and "
           "snippets",
           store_engine_name(s), PAGE);
#ifdef SEARCHBENCH_PQ
    if (pg)
        printf("; PostgreSQL %s: websearch_to_tsquery/to_tsquery('german'), ts_rank, GIN, "
               "LIMIT %d",
               pg_version, PAGE);
#endif
    printf("\n");
    report(qs, reps, &rb, &pb, share, unit);
    rathaus_stages(s, qs, &sys);
    rathaus_index_stats(s, ndocs);
    printf("\nQuery phases took %.0f s (rathaus, both actors) and %.0f s (PostgreSQL).\n",
           rathaus_query_s, pg_query_s);
    printf("Expected matches of the rare words from the Zipf weights:");
    for (int i = 0; i < QUERIES; i++)
        if (qs[i].cls == 1)
            printf(" %s %.0f", qs[i].text, qs[i].expect_df);
    printf("\n");

#ifdef SEARCHBENCH_PQ
    if (pg)
        PQfinish(pg);
#endif
    for (int i = 0; i < QUERIES; i++) {
        free(qs[i].t_sys);
        free(qs[i].t_user);
        free(qs[i].t_pg);
    }
    store_close(s);
    return 0;
}
