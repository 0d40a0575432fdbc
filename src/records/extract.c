/* Text extraction off the request path: a version's content becomes text
 * for the search index. PDFs give their text layer through poppler-glib;
 * pages without one are rendered with cairo at 300 dpi and recognized by
 * tesseract (German); PNG, JPEG and TIFF images are read with leptonica and
 * recognized; plain text is taken as is after a charset check.
 *
 * Jobs live in the jobs table (kind 'extract', object = version id), queued
 * by rec_version_add in the transaction of the version. Workers claim a job
 * in a short write transaction, extract outside any transaction, and store
 * text, index and job state in one more write transaction. A job counts an
 * attempt when it is claimed, so a file that crashes the process is given
 * up after REC_EXTRACT_ATTEMPTS restarts instead of crashing it forever. */
#include <assert.h>
#include <cairo.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <leptonica/allheaders.h>
#include <magic.h>
#include <fontconfig/fontconfig.h>
#include <poppler.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tesseract/capi.h>
#include <time.h>
#include <unistd.h>

#include "base/rtime.h"
#include "records_int.h"
#include "store/blob.h"

/* How often an idle server worker looks for new jobs. */
#define EXTRACT_POLL_MS 300
/* An idle server worker unloads its OCR engine after this long. */
#define EXTRACT_IDLE_UNLOAD_S 30
/* Jobs 'running' for longer than this without a change count as crashed
 * for rec_extract_drain (a server resets them at its start anyway). */
#define EXTRACT_STALE_S 3600
/* Longest recognition of one page or image before it is given up. */
#define EXTRACT_OCR_PAGE_MS (3 * 60 * 1000)
/* A PDF page with fewer visible characters in its text layer is recognized. */
#define EXTRACT_MIN_LAYER_CHARS 20
/* Resolution assumed for images that do not state a plausible one. */
#define EXTRACT_IMAGE_DPI 300

struct rec_extractor {
    TessBaseAPI *tess;         /* OCR engine, loaded at first use */
    ETEXT_DESC *monitor;       /* cancel hook and deadline of recognition */
    magic_t magic;             /* content sniffer, opened at first use */
    const atomic_bool *cancel; /* set when the worker pool stops, or NULL */
};

/* ---- libraries -------------------------------------------------------- */

static pthread_once_t libs_once = PTHREAD_ONCE_INIT;
/* Tesseract's initialization touches shared parameters: one at a time. */
static pthread_mutex_t tess_init_lock = PTHREAD_MUTEX_INITIALIZER;

/* omp_set_max_active_levels of the OpenMP runtime tesseract links, if any. */
static void (*omp_max_levels)(int);

/* Library code does not log: leptonica's messages go nowhere. */
static void libs_init(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
    *(void **)&omp_max_levels = dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
}

/* Keeps tesseract's OpenMP loops in the calling thread. Its parallel
 * regions ask for four threads each; next to our own workers on few cores
 * they spin against each other (a page took 18 s instead of 6 s on two
 * cores). OMP_THREAD_LIMIT would do it too, but libgomp reads it when it is
 * loaded, before main; max-active-levels is per thread and settable. */
static void ocr_single_thread(void)
{
    if (omp_max_levels)
        omp_max_levels(0);
}

static bool cancelled(const struct rec_extractor *x)
{
    return x->cancel && atomic_load(x->cancel);
}

static bool ocr_cancel_cb(void *self, int words)
{
    (void)words;
    return cancelled(self);
}

int rec_extractor_new(struct rec_extractor **ret)
{
    pthread_once(&libs_once, libs_init);
    struct rec_extractor *x = calloc(1, sizeof *x);
    if (!x)
        return ERR_NOMEM;
    *ret = x;
    return 0;
}

void rec_extractor_idle(struct rec_extractor *x)
{
    if (!x || !x->tess)
        return;
    TessBaseAPIEnd(x->tess);
    TessBaseAPIDelete(x->tess);
    TessMonitorDelete(x->monitor);
    x->tess = NULL;
    x->monitor = NULL;
}

void rec_extractor_free(struct rec_extractor *x)
{
    if (!x)
        return;
    rec_extractor_idle(x);
    if (x->magic)
        magic_close(x->magic);
    free(x);
}

/* Loads the German OCR engine. */
static int ocr_load(struct rec_extractor *x, struct str *why)
{
    if (x->tess)
        return 0;
    pthread_mutex_lock(&tess_init_lock);
    TessBaseAPI *t = TessBaseAPICreate();
    int rc = t ? TessBaseAPIInit3(t, NULL, "deu") : -1;
    if (t && rc == 0) /* a global parameter: tesseract prints nothing */
        TessBaseAPISetVariable(t, "debug_file", "/dev/null");
    pthread_mutex_unlock(&tess_init_lock);
    ETEXT_DESC *m = rc == 0 ? TessMonitorCreate() : NULL;
    if (rc != 0 || !m) {
        if (t) {
            TessBaseAPIEnd(t);
            TessBaseAPIDelete(t);
        }
        if (why)
            str_adds(why, "Texterkennung nicht verfügbar: die deutschen Sprachdaten von "
                          "tesseract (Paket tesseract-ocr-deu) fehlen");
        return ERR_INTERNAL;
    }
    TessMonitorSetCancelFunc(m, ocr_cancel_cb);
    TessMonitorSetCancelThis(m, x);
    x->tess = t;
    x->monitor = m;
    return 0;
}

int rec_extract_sniff(struct rec_extractor *x, const char *path, char mime[100])
{
    if (!x->magic) {
        x->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
        if (!x->magic)
            return ERR_NOMEM;
        if (magic_load(x->magic, NULL) != 0) {
            magic_close(x->magic);
            x->magic = NULL;
            return ERR_INTERNAL;
        }
    }
    const char *m = magic_file(x->magic, path);
    if (!m)
        return ERR_IO;
    snprintf(mime, 100, "%s", m);
    return 0;
}

/* Compares the type part of mime ("text/plain; charset=…") with z. */
static bool mime_is(const char *mime, const char *z)
{
    size_t n = strlen(z);
    return strncmp(mime, z, n) == 0 && (mime[n] == '\0' || mime[n] == ';' || mime[n] == ' ');
}

static bool mime_image(const char *mime)
{
    return mime_is(mime, "image/png") || mime_is(mime, "image/jpeg") || mime_is(mime, "image/tiff");
}

static bool mime_text(const char *mime)
{
    return mime_is(mime, "text/plain") || mime_is(mime, "text/csv");
}

bool rec_extract_supported(const char *mime)
{
    return mime && (mime_is(mime, "application/pdf") || mime_image(mime) || mime_text(mime));
}

/* ---- cleaning text ----------------------------------------------------- */

/* Length of a valid UTF-8 sequence at p (n bytes left) and its code point,
 * or 0 when the bytes are not valid UTF-8. */
static size_t utf8_next(const unsigned char *p, size_t n, unsigned *cp)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80, c &= 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800, c &= 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000, c &= 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Appends p[0..n) to out as clean UTF-8: invalid bytes and NULs dropped,
 * line ends as \n, form feeds as a blank line, other control characters
 * (which would also disturb the snippet markers) as spaces. Stops at
 * REC_EXTRACT_MAX_TEXT bytes on a character boundary and then sets
 * *truncated. */
static void text_append(struct str *out, const char *p, size_t n, bool *truncated)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned cp;
        size_t len = utf8_next(u + i, n - i, &cp);
        if (!len) {
            i++;
            continue;
        }
        const char *emit = p + i;
        size_t elen = len;
        if (cp == '\r') {
            emit = "\n";
            if (i + 1 < n && u[i + 1] == '\n')
                len++;
        } else if (cp == '\f' || cp == '\v') {
            emit = "\n\n";
            elen = 2;
        } else if (cp == 0 || cp == 0xfffd) {
            elen = 0;
        } else if ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0)) {
            emit = " ";
        }
        if (out->len + elen > REC_EXTRACT_MAX_TEXT) {
            *truncated = true;
            return;
        }
        str_add(out, emit, elen);
        i += len;
    }
}

/* True when the UTF-8 sequence at p starts a lowercase German letter. */
static bool lower_start(const unsigned char *p, size_t n)
{
    if (n >= 1 && p[0] >= 'a' && p[0] <= 'z')
        return true;
    return n >= 2 && p[0] == 0xc3 && (p[1] == 0xa4 || p[1] == 0xb6 || p[1] == 0xbc || p[1] == 0x9f);
}

/* Joins words hyphenated at a line end ("Straßen-\nreinigung") in place, so
 * the index sees the whole word. A hyphen before a capital stays ("Hin-\n
 * und" is rare, "Bau-\nAmt" keeps its hyphen). */
static void text_dehyphenate(struct str *t)
{
    unsigned char *b = (unsigned char *)t->buf;
    size_t r = 0, w = 0, n = t->len;
    while (r < n) {
        if (b[r] == '-' && r > 0 && r + 1 < n && b[r + 1] == '\n' &&
            ((b[r - 1] | 0x20) >= 'a' && (b[r - 1] | 0x20) <= 'z' ? true : b[r - 1] >= 0x80)) {
            size_t k = r + 2;
            while (k < n && b[k] == ' ')
                k++;
            if (lower_start(b + k, n - k)) {
                r = k;
                continue;
            }
        }
        b[w++] = b[r++];
    }
    t->len = w;
    if (t->alloc)
        t->buf[w] = '\0';
}

/* Counts characters that are not white space (bytes of UTF-8 sequences
 * count once each; good enough for "is there a text layer"). */
static size_t visible_chars(const char *z)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)z; *p; p++)
        if (*p > ' ' && (*p & 0xc0) != 0x80)
            n++;
    return n;
}

/* ---- OCR -------------------------------------------------------------- */

/* Recognizes the image last given to x->tess and appends its text. */
static int ocr_run(struct rec_extractor *x, struct str *text, bool *truncated, struct str *why)
{
    ocr_single_thread();
    TessMonitorSetDeadlineMSecs(x->monitor, EXTRACT_OCR_PAGE_MS);
    int rc = TessBaseAPIRecognize(x->tess, x->monitor);
    if (cancelled(x)) {
        TessBaseAPIClear(x->tess);
        return ERR_BUSY;
    }
    if (rc != 0) {
        TessBaseAPIClear(x->tess);
        if (why)
            str_adds(why, "Texterkennung fehlgeschlagen (Zeitlimit oder unlesbares Bild)");
        return ERR_INVALID;
    }
    char *t = TessBaseAPIGetUTF8Text(x->tess);
    TessBaseAPIClear(x->tess);
    if (!t)
        return ERR_NOMEM;
    if (text->len)
        text_append(text, "\n\n", 2, truncated);
    text_append(text, t, strlen(t), truncated);
    TessDeleteText(t);
    return text->err;
}

/* Recognizes one leptonica image. */
static int ocr_pix(struct rec_extractor *x, PIX *pix, struct str *text, bool *truncated,
                   struct str *why)
{
    int rc = ocr_load(x, why);
    if (rc)
        return rc;
    int dpi = pixGetXRes(pix);
    TessBaseAPISetImage2(x->tess, pix);
    TessBaseAPISetSourceResolution(x->tess, dpi >= 70 && dpi <= 2400 ? dpi : EXTRACT_IMAGE_DPI);
    return ocr_run(x, text, truncated, why);
}

/* ---- PDF -------------------------------------------------------------- */

/* Renders a page to 8-bit grey at up to REC_EXTRACT_DPI (less for pages so
 * large that they would pass REC_EXTRACT_MAX_PIXELS) and recognizes it. */
static int ocr_pdf_page(struct rec_extractor *x, PopplerPage *page, struct str *text,
                        bool *truncated, struct str *why)
{
    double wpt, hpt;
    poppler_page_get_size(page, &wpt, &hpt);
    if (!(wpt > 1 && hpt > 1 && wpt < 1e5 && hpt < 1e5))
        return 0; /* nothing sensible to render */
    double scale = REC_EXTRACT_DPI / 72.0;
    while (scale > 0.2 && wpt * scale * hpt * scale > (double)REC_EXTRACT_MAX_PIXELS)
        scale *= 0.9;
    int w = (int)(wpt * scale), h = (int)(hpt * scale);
    if (w < 1 || h < 1)
        return 0;
    int rc = ocr_load(x, why);
    if (rc)
        return rc;
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        return ERR_NOMEM;
    }
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    poppler_page_render(page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    unsigned char *grey = malloc((size_t)w * (size_t)h);
    if (!grey) {
        cairo_surface_destroy(surf);
        return ERR_NOMEM;
    }
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        unsigned char *g = grey + (size_t)y * (size_t)w;
        for (int i = 0; i < w; i++) {
            uint32_t px = row[i];
            unsigned r = (px >> 16) & 0xff, gr = (px >> 8) & 0xff, b = px & 0xff;
            g[i] = (unsigned char)((r * 299 + gr * 587 + b * 114) / 1000);
        }
    }
    cairo_surface_destroy(surf);
    TessBaseAPISetImage(x->tess, grey, w, h, 1, w);
    TessBaseAPISetSourceResolution(x->tess, (int)(scale * 72.0 + 0.5));
    rc = ocr_run(x, text, truncated, why);
    free(grey);
    return rc;
}

/* Share of the page covered by images (0–1), to tell scans from text pages. */
static double image_cover(PopplerPage *page)
{
    double wpt, hpt, area = 0;
    poppler_page_get_size(page, &wpt, &hpt);
    GList *list = poppler_page_get_image_mapping(page);
    for (GList *l = list; l; l = l->next) {
        PopplerImageMapping *m = l->data;
        area += (m->area.x2 - m->area.x1) * (m->area.y2 - m->area.y1);
    }
    poppler_page_free_image_mapping(list);
    return wpt > 0 && hpt > 0 ? area / (wpt * hpt) : 0;
}

static int extract_pdf(struct rec_extractor *x, const char *path, struct str *text,
                       struct rec_extract_stats *st, struct str *why)
{
    GError *err = NULL;
    char *abs = g_canonicalize_filename(path, NULL);
    char *uri = g_filename_to_uri(abs, NULL, &err);
    g_free(abs);
    PopplerDocument *doc = uri ? poppler_document_new_from_file(uri, NULL, &err) : NULL;
    g_free(uri);
    if (!doc) {
        if (why) {
            if (err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED)
                str_adds(why, "das PDF ist verschlüsselt (Kennwort nötig)");
            else
                str_addf(why, "das PDF ist beschädigt oder unlesbar (%s)",
                         err ? err->message : "unbekannter Fehler");
        }
        g_clear_error(&err);
        return ERR_INVALID;
    }
    int rc = 0;
    int n = poppler_document_get_n_pages(doc);
    if (n <= 0) {
        if (why)
            str_adds(why, "das PDF ist beschädigt (es hat keine Seiten)");
        g_object_unref(doc);
        return ERR_INVALID;
    }
    for (int i = 0; i < n && i < REC_EXTRACT_MAX_PAGES && !st->truncated; i++) {
        if (cancelled(x)) {
            rc = ERR_BUSY;
            break;
        }
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (!page)
            continue;
        st->pages++;
        char *t = poppler_page_get_text(page);
        size_t vis = t ? visible_chars(t) : 0;
        bool scan = vis < EXTRACT_MIN_LAYER_CHARS ||
                    (vis < 10 * EXTRACT_MIN_LAYER_CHARS && image_cover(page) > 0.5);
        if (t && vis) {
            if (text->len)
                text_append(text, "\n\n", 2, &st->truncated);
            text_append(text, t, strlen(t), &st->truncated);
        }
        g_free(t);
        if (scan && st->ocr_pages < REC_EXTRACT_MAX_OCR_PAGES) {
            rc = ocr_pdf_page(x, page, text, &st->truncated, why);
            st->ocr_pages++;
        }
        g_object_unref(page);
        if (rc)
            break;
    }
    g_object_unref(doc);
    return rc;
}

/* ---- images ----------------------------------------------------------- */

static int extract_image(struct rec_extractor *x, const char *path, const char *mime,
                         struct str *text, struct rec_extract_stats *st, struct str *why)
{
    l_int32 fmt, w, h, bps, spp, cmap;
    if (pixReadHeader(path, &fmt, &w, &h, &bps, &spp, &cmap) != 0 || w <= 0 || h <= 0) {
        if (why)
            str_adds(why, "das Bild ist beschädigt oder unlesbar");
        return ERR_INVALID;
    }
    if ((int64_t)w * h > REC_EXTRACT_MAX_PIXELS) {
        if (why)
            str_addf(why, "das Bild ist mit %d × %d Pixeln zu groß für die Texterkennung", w, h);
        return ERR_TOOBIG;
    }
    if (!mime_is(mime, "image/tiff")) {
        PIX *pix = pixRead(path);
        if (!pix) {
            if (why)
                str_adds(why, "das Bild ist beschädigt oder unlesbar");
            return ERR_INVALID;
        }
        st->pages = 1;
        st->ocr_pages = 1;
        int rc = ocr_pix(x, pix, text, &st->truncated, why);
        pixDestroy(&pix);
        return rc;
    }
    /* a TIFF may hold many pages: read them one at a time */
    size_t offset = 0;
    int rc = 0;
    do {
        if (cancelled(x))
            return ERR_BUSY;
        PIX *pix = pixReadFromMultipageTiff(path, &offset);
        if (!pix) {
            if (st->pages == 0) {
                if (why)
                    str_adds(why, "das TIFF-Bild ist beschädigt oder unlesbar");
                return ERR_INVALID;
            }
            break;
        }
        st->pages++;
        if ((int64_t)pixGetWidth(pix) * pixGetHeight(pix) <= REC_EXTRACT_MAX_PIXELS &&
            st->ocr_pages < REC_EXTRACT_MAX_OCR_PAGES) {
            st->ocr_pages++;
            rc = ocr_pix(x, pix, text, &st->truncated, why);
        }
        pixDestroy(&pix);
    } while (!rc && offset != 0 && st->pages < REC_EXTRACT_MAX_PAGES && !st->truncated);
    return rc;
}

/* ---- plain text ------------------------------------------------------- */

static int extract_plain(const char *path, struct str *text, struct rec_extract_stats *st,
                         struct str *why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (why)
            str_addf(why, "die Datei ist nicht lesbar (%s)", strerror(errno));
        return ERR_IO;
    }
    struct str raw;
    str_init(&raw, REC_EXTRACT_MAX_INPUT);
    int rc = str_grow(&raw, 64 * 1024);
    while (!rc) {
        char buf[64 * 1024];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = ERR_IO;
            break;
        }
        if (n == 0)
            break;
        size_t room = raw.cap - raw.len;
        if ((size_t)n > room) {
            str_add(&raw, buf, room);
            st->truncated = true;
            break;
        }
        rc = str_add(&raw, buf, (size_t)n);
    }
    close(fd);
    if (rc) {
        str_release(&raw);
        if (why && rc == ERR_IO)
            str_adds(why, "die Datei ist nicht lesbar");
        return rc;
    }
    st->pages = 1;
    const char *p = raw.buf;
    size_t n = raw.len;
    const char *from = NULL;
    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
        p += 3;
        n -= 3;
    } else if (n >= 2 && memcmp(p, "\xff\xfe", 2) == 0) {
        from = "UTF-16LE";
        p += 2;
        n -= 2;
    } else if (n >= 2 && memcmp(p, "\xfe\xff", 2) == 0) {
        from = "UTF-16BE";
        p += 2;
        n -= 2;
    } else if (!g_utf8_validate(p, (gssize)n, NULL)) {
        from = "WINDOWS-1252";
    }
    if (!from) {
        text_append(text, p, n, &st->truncated);
    } else {
        gsize out_len = 0;
        gchar *conv = g_convert(p, (gssize)n, "UTF-8", from, NULL, &out_len, NULL);
        if (!conv && strcmp(from, "WINDOWS-1252") == 0) /* bytes 0x81, 0x8d … are undefined */
            conv = g_convert(p, (gssize)n, "UTF-8", "ISO-8859-1", NULL, &out_len, NULL);
        if (conv)
            text_append(text, conv, out_len, &st->truncated);
        g_free(conv);
        if (!conv) {
            if (why)
                str_adds(why, "die Zeichenkodierung des Textes ist nicht lesbar");
            rc = ERR_INVALID;
        }
    }
    str_release(&raw);
    return rc ? rc : text->err;
}

int rec_extract_file(struct rec_extractor *x, const char *path, const char *mime, struct str *text,
                     struct rec_extract_stats *stats, struct str *why)
{
    memset(stats, 0, sizeof *stats);
    int64_t t0 = rtime_mono_us();
    int rc;
    if (mime_is(mime, "application/pdf")) {
        rc = extract_pdf(x, path, text, stats, why);
    } else if (mime_image(mime)) {
        rc = extract_image(x, path, mime, text, stats, why);
    } else if (mime_text(mime)) {
        rc = extract_plain(path, text, stats, why);
    } else {
        stats->skipped = true;
        rc = 0;
    }
    if (!rc)
        rc = text->err;
    if (!rc)
        text_dehyphenate(text);
    stats->ms = (rtime_mono_us() - t0) / 1000;
    return rc;
}

/* ---- storing results -------------------------------------------------- */

/* The clock as the jobs table keeps it. */
static void now_iso(char out[32])
{
    rec__now_iso(out);
}

/* Stores a result in one write transaction: text (when has_text) for a
 * version that still has its content, the document's index row, the job
 * state, and the journal entry. */
static int save_result(struct store *s, int64_t version_id, const char *text, size_t len,
                       bool has_text, const struct rec_extract_stats *stats)
{
    assert(!has_text || text);
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    char now[32];
    if ((rc = store_begin(c, true))) {
        store_put(s, c); /* nothing of ours to roll back (nor a caller's level) */
        return rc;
    }
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "SELECT v.document_id, v.blob_sha256 IS NULL, c.file_id FROM versions v"
                            " JOIN documents d ON d.id = v.document_id"
                            " JOIN cases c ON c.id = d.case_id WHERE v.id = ?",
                            &st)))
        goto done;
    rc = store_bind(st, "i", version_id);
    if (!rc)
        rc = store_step(st);
    int64_t doc_id = 0, file_id = 0;
    bool disposed = true;
    if (rc == STORE_ROW) {
        doc_id = store_col_int(st, 0);
        disposed = store_col_int(st, 1) != 0;
        file_id = store_col_int(st, 2);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = 0; /* the version is gone: only the job is finished */
    }
    store_done(st);
    if (rc)
        goto done;
    if (doc_id && !disposed && has_text) {
        rc = store_run(c,
                       "INSERT INTO doc_text (version_id, text) VALUES (?, ?)"
                       " ON CONFLICT (version_id) DO UPDATE SET text = excluded.text",
                       "it", version_id, text ? text : "");
        if (!rc)
            rc = rec__index_document(c, doc_id);
        if (rc)
            goto done;
    }
    now_iso(now);
    if ((rc = store_run(c,
                        "UPDATE jobs SET state = 'done', error = NULL, updated_at = ?"
                        " WHERE kind = 'extract' AND object = ? AND state <> 'done'",
                        "ti", now, version_id)))
        goto done;
    if (doc_id && !disposed) {
        json_t *d =
            json_pack("{s:I, s:I, s:I, s:i, s:i, s:I, s:b, s:b}", "doc", (json_int_t)doc_id,
                      "version", (json_int_t)version_id, "chars", (json_int_t)(has_text ? len : 0),
                      "pages", stats->pages, "ocr_pages", stats->ocr_pages, "ms",
                      (json_int_t)stats->ms, "truncated", stats->truncated, "skipped", !has_text);
        if (!d) {
            rc = ERR_NOMEM;
            goto done;
        }
        struct rec_actor sys = rec_actor_system("system");
        rc = rec__journal(c, &sys, "doc.extract", "version", version_id, file_id, d);
        if (rc)
            goto done;
    }
    rc = store_commit(c);
done:
    if (rc)
        store_rollback(c);
    store_put(s, c);
    return rc;
}

int rec_extract_save(struct store *s, int64_t version_id, const char *text, size_t len,
                     const struct rec_extract_stats *stats)
{
    return save_result(s, version_id, text, len, !stats->skipped, stats);
}

/* ---- jobs ------------------------------------------------------------- */

/* One claimed job. */
struct job {
    int64_t id;      /* jobs.id */
    int64_t version; /* versions.id */
    int attempts;    /* attempts including this one */
};

/* Claims the oldest queued extraction job. ERR_NOTFOUND when none is queued. */
static int job_claim(struct store *s, struct job *ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    /* a cheap look first, so an idle poll never takes the write lock */
    int64_t any;
    rc = store_query_int(c, &any,
                         "SELECT id FROM jobs WHERE state = 'queued' AND kind = 'extract'"
                         " ORDER BY id LIMIT 1",
                         "");
    if (rc)
        goto done;
    char now[32];
    now_iso(now);
    if ((rc = store_begin(c, true)))
        goto done;
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "UPDATE jobs SET state = 'running', attempts = attempts + 1,"
                            " updated_at = ? WHERE id = (SELECT id FROM jobs"
                            " WHERE state = 'queued' AND kind = 'extract' ORDER BY id LIMIT 1)"
                            " RETURNING id, object, attempts",
                            &st)))
        goto done;
    rc = store_bind(st, "t", now);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        ret->id = store_col_int(st, 0);
        ret->version = store_col_int(st, 1);
        ret->attempts = (int)store_col_int(st, 2);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (!rc)
        rc = store_commit(c);
done:
    if (rc)
        store_rollback(c);
    store_put(s, c);
    return rc;
}

/* Puts a job back (cancelled by a stop): the attempt does not count. */
static int job_requeue(struct store *s, const struct job *j)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    char now[32];
    now_iso(now);
    rc = store_run(c,
                   "UPDATE jobs SET state = 'queued', attempts = max(attempts - 1, 0),"
                   " updated_at = ? WHERE id = ? AND state = 'running'",
                   "ti", now, j->id);
    store_put(s, c);
    return rc;
}

/* Records a failed attempt: queued again, or 'failed' after the last one
 * (then journaled as doc.extract.failed with the reason). */
static int job_fail(struct store *s, const struct job *j, const char *why)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    char now[32];
    now_iso(now);
    bool final = j->attempts >= REC_EXTRACT_ATTEMPTS;
    if ((rc = store_begin(c, true)))
        goto done;
    if ((rc = store_run(c, "UPDATE jobs SET state = ?, error = ?, updated_at = ? WHERE id = ?",
                        "ttti", final ? "failed" : "queued", why, now, j->id)))
        goto done;
    if (final) {
        int64_t file_id;
        rc = store_query_int(c, &file_id,
                             "SELECT c.file_id FROM versions v JOIN documents d"
                             " ON d.id = v.document_id JOIN cases c ON c.id = d.case_id"
                             " WHERE v.id = ?",
                             "i", j->version);
        if (rc == 0) {
            json_t *d = json_pack("{s:I, s:s, s:i}", "version", (json_int_t)j->version, "error",
                                  why, "attempts", j->attempts);
            struct rec_actor sys = rec_actor_system("system");
            rc = rec__journal(c, &sys, "doc.extract.failed", "version", j->version, file_id, d);
        } else if (rc == ERR_NOTFOUND) {
            rc = 0;
        }
        if (rc)
            goto done;
    }
    rc = store_commit(c);
done:
    if (rc)
        store_rollback(c);
    store_put(s, c);
    return rc;
}

/* Looks up what to extract for a version: its blob file and type.
 * ERR_NOTFOUND when the version or its content is gone. */
static int version_source(struct store *s, int64_t version_id, struct str *path, char mime[100])
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    if ((rc = store_prepare(c, "SELECT blob_sha256, mime FROM versions WHERE id = ?", &st)))
        goto done;
    rc = store_bind(st, "i", version_id);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        if (store_col_null(st, 0)) {
            rc = ERR_NOTFOUND;
        } else {
            snprintf(mime, 100, "%s", store_col_text(st, 1));
            rc = blob_path(s, store_col_text(st, 0), path);
        }
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
done:
    store_put(s, c);
    return rc;
}

/* Runs one claimed job to its end state. Returns only database errors. */
static int job_run(struct store *s, struct rec_extractor *x, const struct job *j)
{
    struct str path, text, why;
    str_init(&path, 4200);
    str_init(&text, REC_EXTRACT_MAX_TEXT + 16);
    str_init(&why, 1024);
    char mime[100];
    struct rec_extract_stats stats = {0};
    int rc = version_source(s, j->version, &path, mime);
    if (rc == ERR_NOTFOUND) { /* deleted or disposed meanwhile: nothing to do */
        stats.skipped = true;
        rc = save_result(s, j->version, NULL, 0, false, &stats);
        goto done;
    }
    if (rc)
        goto done;
    rc = rec_extract_file(x, path.buf, mime, &text, &stats, &why);
    if (rc == ERR_BUSY && cancelled(x)) {
        rc = job_requeue(s, j);
    } else if (rc) {
        if (!why.len)
            str_adds(&why, err_message(rc));
        rc = job_fail(s, j, why.buf);
    } else {
        rc = save_result(s, j->version, text.buf, text.len, !stats.skipped, &stats);
        if (rc) {
            str_reset(&why);
            str_addf(&why, "Text nicht gespeichert: %s", err_message(rc));
            rc = job_fail(s, j, why.buf);
        }
    }
done:
    str_release(&path);
    str_release(&text);
    str_release(&why);
    return rc;
}

/* ---- worker pools ----------------------------------------------------- */

/* A set of worker threads: the server's (waits for new jobs until stopped)
 * or a drain (ends when the queue is empty). */
struct pool {
    struct store *store;                        /* borrowed */
    bool wait;                                  /* keep polling when idle */
    atomic_bool stop;                           /* stop now (cancels running work) */
    pthread_mutex_t lock;                       /* guards the sleep below */
    pthread_cond_t wake;                        /* signalled on stop */
    int nthreads;                               /* threads started */
    pthread_t threads[REC_EXTRACT_MAX_THREADS]; /* the workers */
    int rc;                                     /* first error a drain worker hit */
};

/* Sleeps up to ms unless the pool is stopped meanwhile. */
static void pool_sleep(struct pool *p, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&p->lock);
    if (!atomic_load(&p->stop))
        pthread_cond_timedwait(&p->wake, &p->lock, &ts);
    pthread_mutex_unlock(&p->lock);
}

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    struct rec_extractor *x;
    if (rec_extractor_new(&x)) {
        pthread_mutex_lock(&p->lock);
        p->rc = p->rc ? p->rc : ERR_NOMEM;
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    x->cancel = &p->stop;
    int64_t last_job = rtime_mono_us();
    int errors = 0;
    while (!atomic_load(&p->stop)) {
        struct job j;
        int rc = job_claim(p->store, &j);
        if (rc == 0) {
            rc = job_run(p->store, x, &j);
            last_job = rtime_mono_us();
        }
        if (rc == 0) {
            errors = 0;
            continue;
        }
        if (rc == ERR_NOTFOUND && !p->wait)
            break;
        if (rc != ERR_NOTFOUND && !p->wait && ++errors >= 3) {
            pthread_mutex_lock(&p->lock);
            p->rc = p->rc ? p->rc : rc;
            pthread_mutex_unlock(&p->lock);
            break;
        }
        if (x->tess && rtime_mono_us() - last_job > (int64_t)EXTRACT_IDLE_UNLOAD_S * 1000000)
            rec_extractor_idle(x);
        pool_sleep(p, rc == ERR_NOTFOUND ? EXTRACT_POLL_MS : 1000);
    }
    rec_extractor_free(x);
    return NULL;
}

static struct pool *pool_new(struct store *s, bool wait)
{
    struct pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->store = s;
    p->wait = wait;
    atomic_init(&p->stop, false);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    return p;
}

/* Starts n threads (clamped to 1 … REC_EXTRACT_MAX_THREADS). */
static int pool_start(struct pool *p, int n)
{
    if (n < 1)
        n = 1;
    if (n > REC_EXTRACT_MAX_THREADS)
        n = REC_EXTRACT_MAX_THREADS;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, pool_worker, p) != 0)
            return p->nthreads ? 0 : ERR_NOMEM;
        p->nthreads++;
    }
    return 0;
}

/* Stops (when stop) or awaits the workers, then frees the pool. */
static int pool_finish(struct pool *p, bool stop)
{
    if (stop) {
        pthread_mutex_lock(&p->lock);
        atomic_store(&p->stop, true);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    int rc = p->rc;
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
    return rc;
}

/* Queues again the jobs left 'running' by a crash (all of them, or only
 * those unchanged since stale_before when it is given); those out of
 * attempts fail. */
static int requeue_running(struct store *s, const char *stale_before)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    char now[32];
    now_iso(now);
    rc =
        store_run(c,
                  "UPDATE jobs SET updated_at = ?,"
                  " state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' END,"
                  " error = CASE WHEN attempts >= ? THEN"
                  "  'Textauslese wiederholt abgebrochen (Absturz oder Neustart)' ELSE error END"
                  " WHERE kind = 'extract' AND state = 'running' AND (? IS NULL OR updated_at < ?)",
                  "tiitt", now, (int64_t)REC_EXTRACT_ATTEMPTS, (int64_t)REC_EXTRACT_ATTEMPTS,
                  stale_before, stale_before);
    store_put(s, c);
    return rc;
}

static pthread_mutex_t server_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool *server_pool; /* the server's workers, guarded by server_lock */

int rec_extract_start(struct store *s, int threads)
{
    if (threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus >= 2 ? (int)(cpus / 2) : 1;
    }
    pthread_mutex_lock(&server_lock);
    int rc = server_pool ? ERR_EXISTS : 0;
    if (!rc)
        rc = requeue_running(s, NULL);
    struct pool *p = NULL;
    if (!rc && !(p = pool_new(s, true)))
        rc = ERR_NOMEM;
    if (!rc && (rc = pool_start(p, threads)) != 0)
        pool_finish(p, true);
    else if (!rc)
        server_pool = p;
    pthread_mutex_unlock(&server_lock);
    return rc;
}

void rec_extract_stop(void)
{
    pthread_mutex_lock(&server_lock);
    struct pool *p = server_pool;
    server_pool = NULL;
    pthread_mutex_unlock(&server_lock);
    if (p)
        pool_finish(p, true);
    /* poppler and cairo load fontconfig's cache; free it once no worker runs */
    cairo_debug_reset_static_data();
    FcFini();
}

int rec_extract_drain(struct store *s, int threads)
{
    char stale[32];
    rtime_iso_utc(rtime_now() - EXTRACT_STALE_S, stale, sizeof stale);
    int rc = requeue_running(s, stale);
    if (rc)
        return rc;
    struct pool *p = pool_new(s, false);
    if (!p)
        return ERR_NOMEM;
    if ((rc = pool_start(p, threads)) != 0) {
        pool_finish(p, true);
        return rc;
    }
    return pool_finish(p, false);
}

/* ---- import support --------------------------------------------------- */

int rec_import_known(struct store *s, const char *case_ref, const char *sha, const char *filename,
                     const char *title, int64_t *ret_doc_id)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    int64_t id;
    rc = store_query_int(c, &id,
                         "SELECT d.id FROM versions v JOIN documents d ON d.id = v.document_id"
                         " JOIN cases k ON k.id = d.case_id"
                         " WHERE v.blob_sha256 = ? AND k.reference = ?"
                         " AND (v.filename = ? OR d.title = ?) LIMIT 1",
                         "tttt", sha, case_ref, filename, title);
    store_put(s, c);
    if (!rc)
        *ret_doc_id = id;
    return rc;
}
