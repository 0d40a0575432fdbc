/* German tokenizer: UTF-8 decoding, a small character classification (what
 * separates words, what is ignorable inside one), folding of case and
 * diacritics, and Snowball stemming through libstemmer. Folding happens
 * before stemming; the Snowball German stemmer treats the folded vowels like
 * any other, and its own output never holds umlauts, so every spelling
 * variant of a word ends in the same stem. No locale is consulted: the
 * result must be the same on every machine and in every thread. */
#include "stem.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct stem {
    struct sb_stemmer *sb; /* libstemmer's German stemmer (UTF-8) */
};

int stem_new(struct stem **ret)
{
    struct stem *st = calloc(1, sizeof *st);
    if (!st)
        return ERR_NOMEM;
    st->sb = sb_stemmer_new("german", "UTF_8");
    if (!st->sb) {
        free(st);
        return ERR_NOMEM;
    }
    *ret = st;
    return 0;
}

void stem_free(struct stem *st)
{
    if (!st)
        return;
    sb_stemmer_delete(st->sb);
    free(st);
}

/* ---- UTF-8 ------------------------------------------------------------- */

/* Decodes one code point at p[0..n) (n > 0). Sets *len to the bytes used;
 * returns -1 for an invalid or overlong sequence (then *len is 1). */
static int32_t utf8_decode(const unsigned char *p, size_t n, size_t *len)
{
    unsigned char c = p[0];
    *len = 1;
    if (c < 0x80)
        return c;
    size_t need;
    int32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        cp = c & 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        cp = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return -1;
    }
    if (n < need)
        return -1;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *len = need;
    return cp;
}

/* Encodes cp into out (at least 4 bytes); returns the bytes written. */
static size_t utf8_encode(int32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- classification ---------------------------------------------------- */

enum cls {
    CLS_SEP,    /* separates words */
    CLS_WORD,   /* part of a word */
    CLS_IGNORE, /* dropped without separating (soft hyphen, combining marks) */
};

static enum cls classify(int32_t cp)
{
    if (cp < 0)
        return CLS_SEP;
    if (cp < 0x80)
        return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') || (cp >= '0' && cp <= '9') ? CLS_WORD
                                                                                      : CLS_SEP;
    if (cp == 0xad || (cp >= 0x300 && cp <= 0x36f) || cp == 0x200c || cp == 0x200d ||
        cp == 0xfeff || (cp >= 0xfe00 && cp <= 0xfe0f))
        return CLS_IGNORE;
    if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7)
        return CLS_SEP; /* Latin-1 punctuation and symbols: NBSP, §, «, », °, ² … */
    if ((cp >= 0x2000 && cp <= 0x2bff) || /* punctuation, symbols, arrows, math, boxes */
        (cp >= 0x2e00 && cp <= 0x2e7f) || /* supplemental punctuation */
        (cp >= 0x3000 && cp <= 0x303f) || /* CJK punctuation */
        (cp >= 0xe000 && cp <= 0xf8ff) || /* private use: unmapped PDF glyphs */
        (cp >= 0xfe10 && cp <= 0xfe6f) || /* vertical and small forms */
        (cp >= 0xff00 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
        (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65) ||
        cp >= 0xfff0 || /* specials, emoji and the rest of the planes */
        cp == 0x37e || cp == 0x387 || (cp >= 0x55a && cp <= 0x55f) || cp == 0x589)
        return CLS_SEP;
    return CLS_WORD;
}

/* Base letters of U+00C0–U+00FF; '1' marks ß, '2' æ/Æ, '3' þ/Þ, '.' × and ÷. */
static const char latin1_fold[65] =
    "aaaaaa2ceeeeiiiidnooooo.ouuuuy31aaaaaa2ceeeeiiiidnooooo.ouuuuy3y";
/* Base letters of U+0100–U+017F, in groups of one base letter; '4' marks
 * Ĳ/ĳ, '5' Œ/œ. */
#define LATIN_EXT_FOLD                                                                             \
    "aaaaaa"                                                                                       \
    "cccccccc"                                                                                     \
    "dddd"                                                                                         \
    "eeeeeeeeee"                                                                                   \
    "gggggggg"                                                                                     \
    "hhhh"                                                                                         \
    "iiiiiiiiii"                                                                                   \
    "44"                                                                                           \
    "jj"                                                                                           \
    "kkk"                                                                                          \
    "llllllllll"                                                                                   \
    "nnnnnnnnn"                                                                                    \
    "oooooo"                                                                                       \
    "55"                                                                                           \
    "rrrrrr"                                                                                       \
    "ssssssss"                                                                                     \
    "tttttt"                                                                                       \
    "uuuuuuuuuuuu"                                                                                 \
    "ww"                                                                                           \
    "yyy"                                                                                          \
    "zzzzzz"                                                                                       \
    "s"
_Static_assert(sizeof LATIN_EXT_FOLD == 129, "one letter per code point U+0100–U+017F");
static const char latin_ext_fold[] = LATIN_EXT_FOLD;

/* Appends the folded form of a word character cp to out[*len] (cap bytes in
 * all); a character that does not fit is dropped, and so is the rest of the
 * token (*full is set). Reports digits through *digit. */
static void fold_char(int32_t cp, char *out, size_t *len, size_t cap, bool *full, bool *digit)
{
    char buf[8];
    size_t n = 0;
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if (cp >= '0' && cp <= '9')
            *digit = true;
        buf[n++] = (char)cp;
    } else if (cp >= 0xc0 && cp <= 0xff) {
        char b = latin1_fold[cp - 0xc0];
        switch (b) {
        case '1':
            buf[n++] = 's';
            buf[n++] = 's';
            break;
        case '2':
            buf[n++] = 'a';
            buf[n++] = 'e';
            break;
        case '3':
            buf[n++] = 't';
            buf[n++] = 'h';
            break;
        default: buf[n++] = b; break;
        }
    } else if (cp >= 0x100 && cp <= 0x17f) {
        char b = latin_ext_fold[cp - 0x100];
        switch (b) {
        case '4':
            buf[n++] = 'i';
            buf[n++] = 'j';
            break;
        case '5':
            buf[n++] = 'o';
            buf[n++] = 'e';
            break;
        default: buf[n++] = b; break;
        }
    } else if (cp == 0x1e9e) { /* ẞ capital sharp s */
        buf[n++] = 's';
        buf[n++] = 's';
    } else if (cp >= 0xfb00 && cp <= 0xfb06) { /* ligatures ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ */
        static const char *const lig[] = {"ff", "fi", "fl", "ffi", "ffl", "st", "st"};
        const char *z = lig[cp - 0xfb00];
        while (*z)
            buf[n++] = *z++;
    } else if (cp >= 0xff10 && cp <= 0xff19) { /* fullwidth digits */
        buf[n++] = (char)('0' + (cp - 0xff10));
        *digit = true;
    } else if ((cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) {
        buf[n++] = (char)('a' + ((cp - 0xff21) & 0x1f));
    } else {
        if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) /* Greek capitals */
            cp += 0x20;
        else if (cp >= 0x410 && cp <= 0x42f) /* Cyrillic capitals */
            cp += 0x20;
        else if (cp >= 0x400 && cp <= 0x40f)
            cp += 0x50;
        n = utf8_encode(cp, buf);
    }
    if (*full || *len + n > cap) {
        *full = true;
        return;
    }
    memcpy(out + *len, buf, n);
    *len += n;
}

/* ---- tokenizing -------------------------------------------------------- */

int stem_tokenize(struct stem *st, const char *p, size_t n, unsigned flags, stem_token_fn fn,
                  void *ctx)
{
    const unsigned char *u = (const unsigned char *)p;
    char tok[STEM_MAX_TOKEN];
    size_t i = 0;
    while (i < n) {
        size_t len;
        int32_t cp = utf8_decode(u + i, n - i, &len);
        if (classify(cp) != CLS_WORD) {
            i += len;
            continue;
        }
        /* a word: fold its characters until the first separator */
        size_t start = i, end = i, tlen = 0;
        bool full = false, digit = false;
        while (i < n) {
            cp = utf8_decode(u + i, n - i, &len);
            enum cls c = classify(cp);
            if (c == CLS_SEP)
                break;
            if (c == CLS_WORD) {
                fold_char(cp, tok, &tlen, sizeof tok, &full, &digit);
                end = i + len;
            }
            i += len;
        }
        const char *out = tok;
        size_t olen = tlen;
        if (!digit && !(flags & STEM_PREFIX)) {
            const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)tok, (int)tlen);
            int slen = s ? sb_stemmer_length(st->sb) : 0;
            if (slen > 0) {
                out = (const char *)s;
                olen = (size_t)slen;
            }
        }
        int rc = fn(ctx, out, olen, start, end, false);
        if (rc)
            return rc;
        if ((flags & STEM_DOCUMENT) && digit && tlen > 1 && tok[0] == '0') {
            size_t z = 0;
            while (z + 1 < tlen && tok[z] == '0')
                z++;
            bool all_digits = true;
            for (size_t k = z; k < tlen; k++)
                if (tok[k] < '0' || tok[k] > '9')
                    all_digits = false;
            if (all_digits) {
                rc = fn(ctx, tok + z, tlen - z, start, end, true);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* Collects tokens for stem_text(). */
struct text_ctx {
    struct str *out; /* where tokens go */
    bool first;      /* no token written yet */
};

static int text_cb(void *ctx, const char *tok, size_t n, size_t start, size_t end, bool colocated)
{
    (void)start;
    (void)end;
    struct text_ctx *t = ctx;
    if (!t->first)
        str_addc(t->out, colocated ? '|' : ' ');
    t->first = false;
    str_add(t->out, tok, n);
    return t->out->err;
}

int stem_text(struct stem *st, const char *p, size_t n, unsigned flags, struct str *out)
{
    struct text_ctx t = {out, true};
    return stem_tokenize(st, p, n, flags, text_cb, &t);
}

size_t stem_count(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0, count = 0;
    bool in_word = false;
    while (i < n) {
        size_t len;
        enum cls c = classify(utf8_decode(u + i, n - i, &len));
        if (c == CLS_WORD && !in_word)
            count++;
        if (c != CLS_IGNORE)
            in_word = c == CLS_WORD;
        i += len;
    }
    return count;
}
