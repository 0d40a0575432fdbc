/* PDF documents (view/pdf.h): the appends only check and copy the blocks;
 * pdf_render lays them out twice with pango on cairo's PDF surface, first to
 * count the pages (nothing is drawn), then for real with "Seite n von m" in
 * every footer. Sizes are in PDF points (1/72 inch) throughout. */
#include "view/pdf.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#define PDF_MAX_COLS 20 /* columns of one table */

/* A4 and its layout, in points. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 56.693 /* 20 mm */
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define TOP MARGIN
#define BOTTOM (PAGE_H - MARGIN)
#define HEADER_Y 28.0          /* top of the running header line */
#define FOOTER_Y (BOTTOM + 16) /* top of the footer line */
#define LABEL_W (CONTENT_W * 0.35)
#define BULLET_W 14.0
#define COL_GAP 8.0
#define CELL_PAD 3.0
#define QR_MAX_W 113.0 /* 40 mm: a QR code's preferred size */

#define FONT "DejaVu Sans"

enum blk_kind { BLK_HEADING, BLK_PARA, BLK_FIELD, BLK_ITEM, BLK_QR, BLK_TABLE, BLK_BREAK };

struct blk {
    enum blk_kind kind; /* what the block is */
    int level;          /* headings: 1 or 2 */
    char *a;            /* heading, paragraph, label, item or QR caption */
    char *b;            /* field value */
    QRcode *qr;         /* QR code modules */
    size_t ncols;       /* tables: columns */
    size_t nrows;       /* tables: rows without the titles */
    char **cells;       /* tables: ncols titles, then nrows * ncols cells */
};

struct pdf_doc {
    char *title;      /* metadata and running header */
    char *letterhead; /* first page's head, or NULL */
    int64_t created;  /* creation date, Unix seconds */
    struct blk *blks; /* blocks in order */
    size_t n, alloc;  /* blocks used and allocated */
    size_t weight;    /* blocks plus table rows, against PDF_MAX_BLOCKS */
};

/* The state of one layout pass. */
struct lay {
    struct pdf_doc *d;
    cairo_surface_t *surf;
    cairo_t *cr;
    PangoContext *pc;
    PangoFontDescription *body, *bold, *h1, *h2, *small, *cell, *cellb;
    bool dry;       /* counting pass: lay out, draw nothing */
    int page;       /* current page, from 1 */
    int total;      /* pages of the document (0 in the counting pass) */
    double y;       /* top of the free space on the page */
    bool fresh;     /* nothing placed on this page yet */
    int outline_h1; /* outline id of the last level-1 heading */
};

/* Checks one string of a block: NULL counts as empty. */
static int check_text(const char *s, size_t *sum)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n > PDF_MAX_TEXT || *sum + n > PDF_MAX_TEXT)
        return ERR_TOOBIG;
    if (!g_utf8_validate(s, (gssize)n, NULL))
        return ERR_INVALID;
    *sum += n;
    return 0;
}

static char *dup_text(const char *s)
{
    return strdup(s ? s : "");
}

int pdf_new(const char *title, const char *letterhead, int64_t created, struct pdf_doc **ret)
{
    size_t sum = 0;
    int rc = check_text(title, &sum);
    if (!rc)
        rc = check_text(letterhead, &sum);
    if (rc)
        return rc;
    struct pdf_doc *d = calloc(1, sizeof *d);
    if (!d)
        return ERR_NOMEM;
    d->title = dup_text(title);
    d->letterhead = letterhead && *letterhead ? strdup(letterhead) : NULL;
    d->created = created ? created : (int64_t)time(NULL);
    if (!d->title || (letterhead && *letterhead && !d->letterhead)) {
        pdf_free(d);
        return ERR_NOMEM;
    }
    *ret = d;
    return 0;
}

static void blk_release(struct blk *b)
{
    free(b->a);
    free(b->b);
    if (b->qr)
        QRcode_free(b->qr);
    if (b->cells) {
        for (size_t i = 0; i < (b->nrows + 1) * b->ncols; i++)
            free(b->cells[i]);
        free(b->cells);
    }
}

void pdf_free(struct pdf_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        blk_release(&d->blks[i]);
    free(d->blks);
    free(d->title);
    free(d->letterhead);
    free(d);
}

/* Reserves the next block (weight counts against PDF_MAX_BLOCKS) and
 * returns it zeroed; the caller fills it or calls unadd(). */
static int add(struct pdf_doc *d, size_t weight, struct blk **ret)
{
    if (d->weight + weight > PDF_MAX_BLOCKS || weight > PDF_MAX_BLOCKS)
        return ERR_TOOBIG;
    if (d->n == d->alloc) {
        size_t na = d->alloc ? 2 * d->alloc : 16;
        struct blk *nb = realloc(d->blks, na * sizeof *nb);
        if (!nb)
            return ERR_NOMEM;
        d->blks = nb;
        d->alloc = na;
    }
    struct blk *b = &d->blks[d->n];
    memset(b, 0, sizeof *b);
    *ret = b;
    return 0;
}

/* Keeps the block reserved by add() when ok, else frees what it holds. */
static int commit(struct pdf_doc *d, struct blk *b, size_t weight, int rc)
{
    if (rc) {
        blk_release(b);
        return rc;
    }
    d->n++;
    d->weight += weight;
    return 0;
}

static int add_text(struct pdf_doc *d, enum blk_kind kind, int level, const char *a, const char *bv)
{
    size_t sum = 0;
    struct blk *b;
    int rc = check_text(a, &sum);
    if (!rc)
        rc = check_text(bv, &sum);
    if (!rc)
        rc = add(d, 1, &b);
    if (rc)
        return rc;
    b->kind = kind;
    b->level = level;
    b->a = dup_text(a);
    b->b = dup_text(bv);
    return commit(d, b, 1, b->a && b->b ? 0 : ERR_NOMEM);
}

int pdf_heading(struct pdf_doc *d, int level, const char *text)
{
    if (level != 1 && level != 2)
        return ERR_INVALID;
    return add_text(d, BLK_HEADING, level, text, NULL);
}

int pdf_para(struct pdf_doc *d, const char *text)
{
    return add_text(d, BLK_PARA, 0, text, NULL);
}

int pdf_field(struct pdf_doc *d, const char *label, const char *value)
{
    return add_text(d, BLK_FIELD, 0, label, value);
}

int pdf_item(struct pdf_doc *d, const char *text)
{
    return add_text(d, BLK_ITEM, 0, text, NULL);
}

int pdf_page_break(struct pdf_doc *d)
{
    return add_text(d, BLK_BREAK, 0, NULL, NULL);
}

int pdf_qr(struct pdf_doc *d, const char *text, const char *caption)
{
    size_t sum = 0;
    struct blk *b;
    if (!text || !*text)
        return ERR_INVALID;
    if (strlen(text) > PDF_MAX_QR)
        return ERR_TOOBIG;
    int rc = check_text(text, &sum);
    if (!rc)
        rc = check_text(caption, &sum);
    if (!rc)
        rc = add(d, 1, &b);
    if (rc)
        return rc;
    b->kind = BLK_QR;
    b->a = dup_text(caption);
    b->qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    return commit(d, b, 1, b->a && b->qr ? 0 : ERR_NOMEM);
}

int pdf_table(struct pdf_doc *d, size_t ncols, const char *const *titles, size_t nrows,
              const char *const *cells)
{
    struct blk *b;
    if (ncols == 0 || !titles || (nrows && !cells))
        return ERR_INVALID;
    if (ncols > PDF_MAX_COLS || nrows >= PDF_MAX_BLOCKS)
        return ERR_TOOBIG;
    /* every row, the titles too, is one block of text */
    for (size_t r = 0; r <= nrows; r++) {
        size_t sum = 0;
        for (size_t c = 0; c < ncols; c++) {
            int rc = check_text(r ? cells[(r - 1) * ncols + c] : titles[c], &sum);
            if (rc)
                return rc;
        }
    }
    int rc = add(d, 1 + nrows, &b);
    if (rc)
        return rc;
    b->kind = BLK_TABLE;
    b->ncols = ncols;
    b->cells = calloc((nrows + 1) * ncols, sizeof *b->cells);
    if (!b->cells)
        return commit(d, b, 0, ERR_NOMEM);
    b->nrows = nrows; /* only now: blk_release frees nrows + 1 rows */
    for (size_t i = 0; i < (nrows + 1) * ncols; i++) {
        b->cells[i] = dup_text(i < ncols ? titles[i] : cells[i - ncols]);
        if (!b->cells[i])
            return commit(d, b, 0, ERR_NOMEM);
    }
    return commit(d, b, 1 + nrows, 0);
}

/* ---- layout ---- */

/* Pango breaks a word longer than a line by trying one character after the
 * other, in time quadratic in the word's length (a 32 KB "word" took 5 s);
 * a zero-width space after every LONG_RUN characters without a space bounds
 * that. Pango also slows down quadratically with the number of paragraphs
 * in one layout, so text that flows over pages is laid out a paragraph at a
 * time (flow_text), and layouts that show a few lines at most get only the
 * first CUT_BYTES of their text. */
#define LONG_RUN 200
#define CUT_BYTES 8192

/* Sets at most max bytes of text (cut at a character) as the text of lo,
 * with breaks in long words. */
static void set_text(PangoLayout *lo, const char *text, size_t max)
{
    size_t run = 0, len = strlen(text);
    bool need = len > max;
    for (const char *p = text; *p && !need; p = g_utf8_next_char(p)) {
        run = g_unichar_isspace(g_utf8_get_char(p)) ? 0 : run + 1;
        need = run > LONG_RUN;
    }
    if (!need) {
        pango_layout_set_text(lo, text, (int)len);
        return;
    }
    GString *g = g_string_sized_new(len + len / LONG_RUN * 3 + 1);
    run = 0;
    for (const char *p = text; *p && (size_t)(p - text) < max; p = g_utf8_next_char(p)) {
        if (g_unichar_isspace(g_utf8_get_char(p))) {
            run = 0;
        } else if (++run > LONG_RUN) {
            g_string_append(g, "\u200B");
            run = 1;
        }
        g_string_append_len(g, p, g_utf8_next_char(p) - p);
    }
    pango_layout_set_text(lo, g->str, (int)g->len);
    g_string_free(g, TRUE);
}

static PangoLayout *layout_max(struct lay *l, const PangoFontDescription *fd, const char *text,
                               double width, size_t max)
{
    PangoLayout *lo = pango_layout_new(l->pc);
    pango_layout_set_font_description(lo, fd);
    pango_layout_set_wrap(lo, PANGO_WRAP_WORD_CHAR);
    if (width > 0)
        pango_layout_set_width(lo, (int)(width * PANGO_SCALE));
    set_text(lo, text, max);
    return lo;
}

/* A layout for a few lines (headings, labels, cells): CUT_BYTES of text. */
static PangoLayout *layout(struct lay *l, const PangoFontDescription *fd, const char *text,
                           double width)
{
    return layout_max(l, fd, text, width, CUT_BYTES);
}

/* Height of a layout, in points. */
static double height_of(PangoLayout *lo)
{
    int w, h;
    pango_layout_get_size(lo, &w, &h);
    return (double)h / PANGO_SCALE;
}

static double width_of(PangoLayout *lo)
{
    int w, h;
    pango_layout_get_size(lo, &w, &h);
    return (double)w / PANGO_SCALE;
}

/* Height of a layout's first line, in points. */
static double first_line(PangoLayout *lo)
{
    PangoRectangle r;
    PangoLayoutIter *it = pango_layout_get_iter(lo);
    pango_layout_iter_get_line_extents(it, NULL, &r);
    pango_layout_iter_free(it);
    return (double)r.height / PANGO_SCALE;
}

static void draw(struct lay *l, PangoLayout *lo, double x, double y)
{
    if (l->dry)
        return;
    cairo_move_to(l->cr, x, y);
    pango_cairo_show_layout(l->cr, lo);
}

/* A single line of small grey text in the margin, aligned left or right. */
static void margin_text(struct lay *l, const char *text, double y, bool right)
{
    if (l->dry || !*text)
        return;
    PangoLayout *lo = layout(l, l->small, text, CONTENT_W);
    pango_layout_set_ellipsize(lo, PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment(lo, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    cairo_set_source_rgb(l->cr, 0.27, 0.27, 0.27);
    draw(l, lo, MARGIN, y);
    cairo_set_source_rgb(l->cr, 0, 0, 0);
    g_object_unref(lo);
}

static void rule(struct lay *l, double y, double grey, double width)
{
    if (l->dry)
        return;
    cairo_set_source_rgb(l->cr, grey, grey, grey);
    cairo_set_line_width(l->cr, width);
    cairo_move_to(l->cr, MARGIN, y);
    cairo_line_to(l->cr, PAGE_W - MARGIN, y);
    cairo_stroke(l->cr);
    cairo_set_source_rgb(l->cr, 0, 0, 0);
}

static void footer(struct lay *l)
{
    char buf[64];
    snprintf(buf, sizeof buf, "Seite %d von %d", l->page, l->total);
    margin_text(l, buf, FOOTER_Y, true);
}

/* The page head: the letterhead on the first page (when there is one), else
 * the title as a running header. */
static void page_head(struct lay *l)
{
    l->y = TOP;
    l->fresh = true;
    if (l->page == 1 && l->d->letterhead) {
        PangoLayout *lo = layout(l, l->bold, l->d->letterhead, CONTENT_W);
        pango_layout_set_height(lo, -3); /* at most three lines */
        pango_layout_set_ellipsize(lo, PANGO_ELLIPSIZE_END);
        draw(l, lo, MARGIN, l->y);
        l->y += height_of(lo) + 4;
        g_object_unref(lo);
        rule(l, l->y, 0.2, 0.8);
        l->y += 18;
        return;
    }
    margin_text(l, l->d->title, HEADER_Y, false);
}

static void new_page(struct lay *l)
{
    footer(l);
    if (!l->dry)
        cairo_show_page(l->cr);
    l->page++;
    page_head(l);
}

/* Starts a new page unless h more points fit on this one (or it is empty). */
static void need(struct lay *l, double h)
{
    if (!l->fresh && l->y + h > BOTTOM)
        new_page(l);
}

/* Places a layout line by line from l->y at x, breaking pages between lines. */
static void flow(struct lay *l, PangoLayout *lo, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(lo);
    do {
        PangoRectangle r;
        pango_layout_iter_get_line_extents(it, NULL, &r);
        double h = (double)r.height / PANGO_SCALE;
        need(l, h);
        if (!l->dry) {
            double base = (double)(pango_layout_iter_get_baseline(it) - r.y) / PANGO_SCALE;
            cairo_move_to(l->cr, x + (double)r.x / PANGO_SCALE, l->y + base);
            pango_cairo_show_layout_line(l->cr, pango_layout_iter_get_line_readonly(it));
        }
        l->y += h;
        l->fresh = false;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

/* Flows text over pages a paragraph (line of text) at a time, from l->y at
 * x in a column of width. */
static void flow_text(struct lay *l, const PangoFontDescription *fd, const char *text, double x,
                      double width)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n && p[n - 1] == '\r')
            n--;
        char *para = g_strndup(p, n);
        PangoLayout *lo = layout_max(l, fd, para, width, SIZE_MAX);
        flow(l, lo, x);
        g_object_unref(lo);
        g_free(para);
        if (!nl)
            break;
        p = nl + 1;
    }
}

static void do_heading(struct lay *l, const struct blk *b)
{
    PangoLayout *lo = layout(l, b->level == 1 ? l->h1 : l->h2, b->a, CONTENT_W);
    pango_layout_set_height(lo, -6);
    pango_layout_set_ellipsize(lo, PANGO_ELLIPSIZE_END);
    double h = height_of(lo);
    if (!l->fresh)
        l->y += b->level == 1 ? 12 : 8;
    need(l, h + 40); /* keep the heading with about three lines of what follows */
    draw(l, lo, MARGIN, l->y);
    if (!l->dry) {
        char attr[64];
        snprintf(attr, sizeof attr, "page=%d pos=[%d %d]", l->page, (int)MARGIN, (int)l->y);
        int id = cairo_pdf_surface_add_outline(
            l->surf, b->level == 1 ? CAIRO_PDF_OUTLINE_ROOT : l->outline_h1, b->a, attr, 0);
        if (b->level == 1)
            l->outline_h1 = id;
    }
    l->y += h + 6;
    l->fresh = false;
    g_object_unref(lo);
}

/* Two columns: left (a label or bullet, at most five lines, kept on the
 * first page of the row) and right, which flows over pages. */
static void two_col(struct lay *l, const char *left, const PangoFontDescription *lfd, double lw,
                    const char *right)
{
    PangoLayout *a = layout(l, lfd, left, lw - COL_GAP);
    pango_layout_set_height(a, -5);
    pango_layout_set_ellipsize(a, PANGO_ELLIPSIZE_END);
    /* the first line of the value must fit beside the label */
    PangoLayout *v = layout(l, l->body, right, CONTENT_W - lw);
    need(l, fmax(first_line(v), height_of(a)));
    g_object_unref(v);
    int page = l->page;
    double top = l->y;
    draw(l, a, MARGIN, top);
    flow_text(l, l->body, right, MARGIN + lw, CONTENT_W - lw);
    if (l->page == page)
        l->y = fmax(l->y, top + height_of(a));
    l->y += 4;
    l->fresh = false;
    g_object_unref(a);
}

static void do_qr(struct lay *l, const struct blk *b)
{
    const QRcode *q = b->qr;
    int n = q->width + 8; /* four modules of quiet zone each side */
    double m = fmax(1.0, fmin(3.0, QR_MAX_W / n));
    PangoLayout *cap = layout(l, l->small, b->a, CONTENT_W);
    pango_layout_set_height(cap, -4);
    pango_layout_set_ellipsize(cap, PANGO_ELLIPSIZE_END);
    double h = m * n + (*b->a ? height_of(cap) : 0);
    need(l, h);
    if (!l->dry) {
        /* the quiet zone lies inside the box, which is aligned with the text */
        double x0 = MARGIN + 4 * m, y0 = l->y + 4 * m;
        /* one rectangle per run of dark modules in a row */
        for (int r = 0; r < q->width; r++) {
            int c = 0;
            while (c < q->width) {
                if (!(q->data[r * q->width + c] & 1)) {
                    c++;
                    continue;
                }
                int s = c;
                while (c < q->width && (q->data[r * q->width + c] & 1))
                    c++;
                cairo_rectangle(l->cr, x0 + s * m, y0 + r * m, (c - s) * m, m);
            }
        }
        cairo_set_source_rgb(l->cr, 0, 0, 0);
        cairo_fill(l->cr);
    }
    l->y += m * n;
    if (*b->a) {
        draw(l, cap, MARGIN, l->y);
        l->y += height_of(cap);
    }
    l->y += 8;
    l->fresh = false;
    g_object_unref(cap);
}

/* Column widths: natural widths when they fit, else each column gets its
 * fair share and the columns that want more split what the narrow ones
 * leave. */
static void table_widths(struct lay *l, const struct blk *b, double *w)
{
    size_t nc = b->ncols;
    PangoLayout *lo = layout(l, l->cell, "", 0);
    PangoLayout *lb = layout(l, l->cellb, "", 0);
    for (size_t c = 0; c < nc; c++) {
        w[c] = 0;
        for (size_t r = 0; r <= b->nrows; r++) {
            PangoLayout *x = r ? lo : lb;
            set_text(x, b->cells[r * nc + c], CUT_BYTES);
            w[c] = fmax(w[c], width_of(x) + 2 * CELL_PAD + 1);
            if (w[c] >= CONTENT_W)
                break;
        }
    }
    g_object_unref(lo);
    g_object_unref(lb);
    double sum = 0;
    for (size_t c = 0; c < nc; c++)
        sum += w[c];
    if (sum <= CONTENT_W) {
        for (size_t c = 0; c < nc; c++)
            w[c] += (CONTENT_W - sum) * w[c] / sum;
        return;
    }
    double fair = CONTENT_W / (double)nc, rest = CONTENT_W, want = 0;
    for (size_t c = 0; c < nc; c++) {
        if (w[c] <= fair)
            rest -= w[c];
        else
            want += w[c];
    }
    for (size_t c = 0; c < nc; c++)
        if (w[c] > fair)
            w[c] = rest * w[c] / want;
}

/* Lays out row r (0 = titles) into the column layouts; returns its height. */
static double table_row(struct lay *l, const struct blk *b, size_t r, PangoLayout **cols)
{
    double h = 0;
    for (size_t c = 0; c < b->ncols; c++) {
        pango_layout_set_font_description(cols[c], r ? l->cell : l->cellb);
        set_text(cols[c], b->cells[r * b->ncols + c], CUT_BYTES);
        h = fmax(h, height_of(cols[c]));
    }
    return h + 2 * CELL_PAD;
}

static void draw_row(struct lay *l, const struct blk *b, PangoLayout **cols, const double *w,
                     double h, bool head)
{
    if (!l->dry) {
        if (head) {
            cairo_set_source_rgb(l->cr, 0.9, 0.9, 0.9);
            cairo_rectangle(l->cr, MARGIN, l->y, CONTENT_W, h);
            cairo_fill(l->cr);
            cairo_set_source_rgb(l->cr, 0, 0, 0);
        }
        double x = MARGIN;
        for (size_t c = 0; c < b->ncols; c++) {
            draw(l, cols[c], x + CELL_PAD, l->y + CELL_PAD);
            x += w[c];
        }
        rule(l, l->y + h, head ? 0.2 : 0.6, head ? 0.8 : 0.4);
    }
    l->y += h;
    l->fresh = false;
}

static void do_table(struct lay *l, const struct blk *b)
{
    double w[PDF_MAX_COLS];
    PangoLayout *cols[PDF_MAX_COLS];
    table_widths(l, b, w);
    PangoLayout *head[PDF_MAX_COLS];
    /* a row never grows past what a page holds below the titles */
    double max_h = (BOTTOM - TOP) / 2;
    for (size_t c = 0; c < b->ncols; c++) {
        cols[c] = layout(l, l->cell, "", w[c] - 2 * CELL_PAD);
        head[c] = layout(l, l->cellb, "", w[c] - 2 * CELL_PAD);
        pango_layout_set_ellipsize(cols[c], PANGO_ELLIPSIZE_END);
        pango_layout_set_ellipsize(head[c], PANGO_ELLIPSIZE_END);
        pango_layout_set_height(cols[c], (int)(max_h * PANGO_SCALE));
        pango_layout_set_height(head[c], (int)(max_h / 2 * PANGO_SCALE));
    }
    double hh = table_row(l, b, 0, head);
    double h = b->nrows ? table_row(l, b, 1, cols) : 0;
    if (!l->fresh)
        l->y += 4;
    need(l, hh + h);
    draw_row(l, b, head, w, hh, true);
    for (size_t r = 1; r <= b->nrows; r++) {
        if (r > 1)
            h = table_row(l, b, r, cols);
        if (l->y + h > BOTTOM) {
            new_page(l);
            draw_row(l, b, head, w, hh, true);
        }
        draw_row(l, b, cols, w, h, false);
    }
    l->y += 8;
    for (size_t c = 0; c < b->ncols; c++) {
        g_object_unref(cols[c]);
        g_object_unref(head[c]);
    }
}

static PangoFontDescription *font(double size, bool bold)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, FONT);
    pango_font_description_set_size(fd, (int)(size * PANGO_SCALE));
    if (bold)
        pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    return fd;
}

/* One pass over the blocks on surf; *ret_pages is the number of pages. */
static void pass(struct pdf_doc *d, PangoFontMap *fm, cairo_surface_t *surf, bool dry, int total,
                 int *ret_pages)
{
    struct lay l = {.d = d, .surf = surf, .dry = dry, .total = total, .page = 1};
    l.cr = cairo_create(surf);
    l.pc = pango_font_map_create_context(fm);
    pango_cairo_update_context(l.cr, l.pc);
    /* unhinted metrics, so both passes and every surface break lines alike */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(l.pc, fo);
    cairo_font_options_destroy(fo);
    pango_cairo_context_set_resolution(l.pc, 72.0); /* font sizes in points */
    pango_context_set_round_glyph_positions(l.pc, FALSE);
    pango_context_set_language(l.pc, pango_language_from_string("de-de"));
    l.body = font(10.5, false);
    l.bold = font(10.5, true);
    l.h1 = font(15, true);
    l.h2 = font(12.5, true);
    l.small = font(8.5, false);
    l.cell = font(9, false);
    l.cellb = font(9, true);
    l.outline_h1 = CAIRO_PDF_OUTLINE_ROOT;

    page_head(&l);
    for (size_t i = 0; i < d->n; i++) {
        const struct blk *b = &d->blks[i];
        switch (b->kind) {
        case BLK_HEADING: do_heading(&l, b); break;
        case BLK_PARA:
            flow_text(&l, l.body, b->a, MARGIN, CONTENT_W);
            l.y += 6;
            break;
        case BLK_FIELD: two_col(&l, b->a, l.bold, LABEL_W, b->b); break;
        case BLK_ITEM: two_col(&l, "•", l.body, BULLET_W, b->a); break;
        case BLK_QR: do_qr(&l, b); break;
        case BLK_TABLE: do_table(&l, b); break;
        case BLK_BREAK:
            if (!l.fresh)
                new_page(&l);
            break;
        }
    }
    footer(&l);
    if (!dry)
        cairo_show_page(l.cr);
    *ret_pages = l.page;

    PangoFontDescription *fds[] = {l.body, l.bold, l.h1, l.h2, l.small, l.cell, l.cellb};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        pango_font_description_free(fds[i]);
    g_object_unref(l.pc);
    cairo_destroy(l.cr);
}

struct sink {
    struct str *out;
    int err; /* first failure of an append */
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int n)
{
    struct sink *s = closure;
    int rc = str_add(s->out, (const char *)data, n);
    if (rc) {
        if (!s->err)
            s->err = rc;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

int pdf_render(struct pdf_doc *d, struct str *out)
{
    size_t len0 = out->len;
    struct sink sink = {.out = out};
    int pages = 0, rc = 0;
    /* a font map of our own, not the thread's default one, so that nothing
     * outlives the call in the server's threads */
    PangoFontMap *fm = pango_cairo_font_map_new();
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(NULL, NULL, PAGE_W, PAGE_H);
    pass(d, fm, surf, true, 0, &pages);
    cairo_surface_destroy(surf);

    surf = cairo_pdf_surface_create_for_stream(sink_write, &sink, PAGE_W, PAGE_H);
    if (cairo_surface_status(surf)) {
        rc = ERR_NOMEM;
        goto done;
    }
    char date[80];
    struct tm tm;
    time_t t = (time_t)d->created;
    if (!gmtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    snprintf(date, sizeof date, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "rathaus");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, date);
    int pages2 = 0;
    pass(d, fm, surf, false, pages, &pages2);
    cairo_surface_finish(surf);
    if (cairo_surface_status(surf))
        rc = sink.err ? sink.err : ERR_IO;
    else if (pages2 != pages)
        rc = ERR_INTERNAL;
done:
    cairo_surface_destroy(surf);
    g_object_unref(fm);
    if (rc && out->alloc) {
        out->len = len0;
        out->buf[len0] = '\0';
    }
    return rc;
}
