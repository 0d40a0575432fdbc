/* SVG bar and line charts (view/chart.h). Every string from outside goes
 * through one XML escaper that also repairs bad UTF-8, numbers are written
 * the German way ("1.234,5"), and the colours keep WCAG AA contrast on
 * white: text 4.5:1 or more, bars, lines and the target line 3:1 or more. */
#include "view/chart.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#define INK "#1a1a1a"    /* text: 17.4:1 on white */
#define AXIS "#595959"   /* axis lines and tick labels: 7.0:1 */
#define GRID "#d9d9d9"   /* grid lines (decorative) */
#define SERIES "#1f5f99" /* bars and the line: 6.9:1 */
#define TARGET "#b3261e" /* the dashed target line and its label: 6.5:1 */
/* a white outline under text that may cross lines or bars */
#define HALO "stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\""
#define FONT "DejaVu Sans, Verdana, sans-serif"

#define VALUE_MAX 1e15 /* larger values are not drawn (nor overflow the scale) */

#define PAD_LEFT 64.0
#define PAD_RIGHT 16.0
#define PAD_TOP 48.0
#define PAD_BOTTOM 40.0

/* A value that is drawn: finite and at most VALUE_MAX in size. */
static bool usable(double v)
{
    return isfinite(v) && fabs(v) <= VALUE_MAX;
}

/* Appends text XML-escaped; bad UTF-8 becomes U+FFFD and characters XML 1.0
 * forbids (controls other than tab and newline) become spaces. */
static void xml_text(struct str *out, const char *s)
{
    if (!s)
        return;
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            str_adds(out, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        switch (c) {
        case '&': str_adds(out, "&amp;"); break;
        case '<': str_adds(out, "&lt;"); break;
        case '>': str_adds(out, "&gt;"); break;
        case '"': str_adds(out, "&quot;"); break;
        case '\'': str_adds(out, "&#39;"); break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0xFFFE || c == 0xFFFF)
                str_addc(out, ' ');
            else
                str_add(out, p, (size_t)(next - p));
        }
        p = next;
    }
}

/* As xml_text, but at most max characters, cut with "…". */
static void xml_text_cut(struct str *out, const char *s, long max)
{
    if (!s)
        return;
    if (!g_utf8_validate(s, -1, NULL) || g_utf8_strlen(s, -1) <= max || max < 2) {
        xml_text(out, s);
        return;
    }
    char *cut = g_utf8_substring(s, 0, max - 1);
    xml_text(out, cut);
    g_free(cut);
    str_adds(out, "…");
}

/* Appends v with the given number of decimals in German notation: "." groups
 * thousands, "," separates decimals ("-1.234,50"). */
static void num_de(struct str *out, double v, int decimals)
{
    char buf[64];
    if (!usable(v)) {
        str_adds(out, "–");
        return;
    }
    int n = snprintf(buf, sizeof buf, "%.*f", decimals, fabs(v));
    if (n < 0 || (size_t)n >= sizeof buf) {
        str_adds(out, "–");
        return;
    }
    size_t digits = strspn(buf, "0123456789");
    bool zero = strspn(buf, "0.,") == (size_t)n;
    if (v < 0 && !zero)
        str_adds(out, "−"); /* U+2212, the minus sign */
    for (size_t i = 0; i < digits; i++) {
        if (i && (digits - i) % 3 == 0)
            str_addc(out, '.');
        str_addc(out, buf[i]);
    }
    if (buf[digits]) {
        str_addc(out, ',');
        str_adds(out, buf + digits + 1);
    }
}

/* Decimals needed to show values of step distinct; at most 4. */
static int decimals_for(double step)
{
    int d = 0;
    while (d < 4 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6)
        d++;
    return d;
}

/* A value with the unit: "12,5 %", "3 Tage". */
static void value_unit(struct str *out, double v, int decimals, const char *unit)
{
    num_de(out, v, decimals);
    if (unit && *unit) {
        str_adds(out, "\xC2\xA0"); /* no-break space */
        xml_text(out, unit);
    }
}

/* A "nice" step (1, 2, 2.5 or 5 times a power of ten) near x. */
static double nice_step(double x)
{
    double e = pow(10, floor(log10(x)));
    double f = x / e;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * e;
}

struct frame {
    double w, h;                     /* the whole picture */
    double left, right, top, bottom; /* the plot area */
    double lo, hi, step;             /* y range and tick step */
    int dec;                         /* decimals of values and ticks */
    char id[32];                     /* prefix of the ids, unique per content */
};

static double ys(const struct frame *f, double v)
{
    return f->bottom - (v - f->lo) / (f->hi - f->lo) * (f->bottom - f->top);
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static uint32_t fnv_s(uint32_t h, const char *s)
{
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

/* Sizes, the y range with its ticks and the id of the chart. */
static void frame_init(struct frame *f, const struct chart_spec *spec,
                       const struct chart_point *pts, size_t n, const char *kind)
{
    f->w = spec->width > 0 ? spec->width : 640;
    f->h = spec->height > 0 ? spec->height : 280;
    f->w = fmin(fmax(f->w, 200), 4000);
    f->h = fmin(fmax(f->h, 140), 4000);
    f->left = PAD_LEFT;
    f->right = f->w - PAD_RIGHT;
    f->top = PAD_TOP;
    f->bottom = f->h - PAD_BOTTOM;

    double lo = 0, hi = 0, maxabs = 0;
    for (size_t i = 0; i < n; i++) {
        double v = pts[i].value;
        if (!usable(v))
            continue;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        maxabs = fmax(maxabs, fabs(v));
    }
    if (spec->has_target && usable(spec->target)) {
        lo = fmin(lo, spec->target);
        hi = fmax(hi, spec->target);
    }
    if (hi - lo < 1e-9)
        hi = lo + 1;
    f->step = nice_step((hi - lo) / 4);
    f->lo = floor(lo / f->step) * f->step;
    f->hi = ceil(hi / f->step) * f->step;
    f->dec = decimals_for(f->step);
    /* values may need more decimals than the ticks */
    for (size_t i = 0; i < n && i < 1000; i++)
        if (usable(pts[i].value))
            f->dec = f->dec > decimals_for(pts[i].value) ? f->dec : decimals_for(pts[i].value);
    f->dec = f->dec > 2 && maxabs >= 10 ? 2 : f->dec;

    uint32_t h = 2166136261u;
    h = fnv_s(h, kind);
    h = fnv_s(h, spec->title);
    h = fnv_s(h, spec->desc);
    h = fnv_s(h, spec->unit);
    h = fnv(h, &n, sizeof n);
    for (size_t i = 0; i < n; i++) {
        h = fnv_s(h, pts[i].label);
        h = fnv(h, &pts[i].value, sizeof pts[i].value);
    }
    snprintf(f->id, sizeof f->id, "chart-%08x", (unsigned)h);
}

/* The opening: svg element, title, desc, the visible title, grid and y axis. */
static void head(struct str *o, const struct frame *f, const struct chart_spec *spec)
{
    str_addf(o,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%.0f\" "
             "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
             "aria-labelledby=\"%s-t %s-d\" font-family=\"%s\">",
             f->w, f->h, f->w, f->h, f->id, f->id, FONT);
    str_addf(o, "<title id=\"%s-t\">", f->id);
    xml_text(o, spec->title);
    str_addf(o, "</title><desc id=\"%s-d\">", f->id);
    xml_text(o, spec->desc);
    str_adds(o, "</desc>");
    str_addf(o, "<text x=\"%.1f\" y=\"20\" font-size=\"15\" font-weight=\"bold\" fill=\"" INK "\">",
             f->left);
    xml_text_cut(o, spec->title, (long)((f->w - f->left) / 8.5));
    str_adds(o, "</text>");
    if (spec->unit && *spec->unit) {
        str_addf(
            o, "<text x=\"%.1f\" y=\"38\" font-size=\"11\" text-anchor=\"end\" fill=\"" AXIS "\">",
            f->left - 6);
        xml_text_cut(o, spec->unit, 12);
        str_adds(o, "</text>");
    }
    /* grid and tick labels */
    str_adds(o, "<g font-size=\"11\" fill=\"" AXIS "\" text-anchor=\"end\">");
    int ticks = (int)lround((f->hi - f->lo) / f->step);
    for (int i = 0; i <= ticks && i <= 50; i++) {
        double v = f->lo + i * f->step, y = ys(f, v);
        str_addf(o,
                 "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" GRID
                 "\" stroke-width=\"1\"/>",
                 f->left, f->right, y, y);
        str_addf(o, "<text x=\"%.1f\" y=\"%.1f\">", f->left - 6, y + 4);
        num_de(o, v, decimals_for(f->step));
        str_adds(o, "</text>");
    }
    str_adds(o, "</g>");
    str_addf(o,
             "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS
             "\" stroke-width=\"1\"/>",
             f->left, f->left, f->top, f->bottom);
}

/* The zero line, x labels (thinned to fit), the target line and the end. */
static void tail(struct str *o, const struct frame *f, const struct chart_spec *spec,
                 const struct chart_point *pts, size_t n, bool centred_slots)
{
    double y0 = ys(f, fmax(f->lo, fmin(0, f->hi)));
    str_addf(o,
             "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS
             "\" stroke-width=\"1\"/>",
             f->left, f->right, y0, y0);
    double pw = f->right - f->left;
    if (n == 0) {
        str_addf(o,
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" fill=\"" INK
                 "\">Keine Daten</text>",
                 f->left + pw / 2, (f->top + f->bottom) / 2);
    } else {
        size_t fit = (size_t)fmax(1, pw / 70);
        size_t every = (n + fit - 1) / fit;
        double room = pw / (double)n * (double)every;
        str_adds(o, "<g font-size=\"11\" fill=\"" INK "\" text-anchor=\"middle\">");
        for (size_t i = 0; i < n; i += every) {
            double x = centred_slots ? f->left + pw * ((double)i + 0.5) / (double)n
                       : n == 1      ? f->left + pw / 2
                                     : f->left + 12 + (pw - 24) * (double)i / (double)(n - 1);
            str_addf(o, "<text x=\"%.1f\" y=\"%.1f\">", x, f->bottom + 18);
            xml_text_cut(o, pts[i].label, (long)fmax(3, room / 7));
            str_adds(o, "</text>");
        }
        str_adds(o, "</g>");
    }
    if (spec->has_target && usable(spec->target)) {
        double y = ys(f, spec->target);
        str_addf(o,
                 "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" TARGET
                 "\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
                 f->left, f->right, y, y);
        str_addf(o,
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"" TARGET
                 "\" " HALO ">Ziel: ",
                 f->right, y - 5);
        value_unit(o, spec->target, f->dec, spec->unit);
        str_adds(o, "</text>");
    }
    str_adds(o, "</svg>");
}

/* The tooltip of a point: "label: value unit". */
static void point_title(struct str *o, const struct frame *f, const struct chart_spec *spec,
                        const struct chart_point *p)
{
    str_adds(o, "<title>");
    xml_text(o, p->label);
    str_adds(o, ": ");
    value_unit(o, p->value, f->dec, spec->unit);
    str_adds(o, "</title>");
}

/* Appends tmp to out when it was built without error. */
static int finish(struct str *out, struct str *tmp)
{
    int rc = tmp->err;
    if (!rc)
        rc = str_add(out, tmp->buf, tmp->len);
    str_release(tmp);
    return rc;
}

int chart_bars(struct str *out, const struct chart_spec *spec, const struct chart_point *pts,
               size_t n)
{
    assert(spec && (pts || n == 0));
    if (n > CHART_MAX_POINTS)
        return ERR_TOOBIG;
    struct frame f;
    frame_init(&f, spec, pts, n, "bars");
    if (out->len >= out->cap)
        return ERR_TOOBIG;
    struct str o;
    str_init(&o, out->cap - out->len);
    head(&o, &f, spec);

    double pw = f.right - f.left, slot = n ? pw / (double)n : pw;
    double bw = fmax(slot * 0.7, fmin(slot, 1));
    double y0 = ys(&f, fmax(f.lo, fmin(0, f.hi)));
    bool labels = n <= 16 && slot >= 36;
    str_adds(&o, "<g fill=\"" SERIES "\">");
    for (size_t i = 0; i < n && !o.err; i++) {
        double v = pts[i].value;
        if (!usable(v))
            continue;
        double y = ys(&f, v), x = f.left + slot * (double)i + (slot - bw) / 2;
        str_addf(&o, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">", x, fmin(y, y0),
                 bw, fabs(y0 - y));
        point_title(&o, &f, spec, &pts[i]);
        str_adds(&o, "</rect>");
    }
    str_adds(&o, "</g>");
    if (labels) {
        str_adds(&o, "<g font-size=\"11\" fill=\"" INK "\" text-anchor=\"middle\" " HALO ">");
        for (size_t i = 0; i < n; i++) {
            double v = pts[i].value;
            if (!usable(v))
                continue;
            double y = ys(&f, v);
            str_addf(&o, "<text x=\"%.1f\" y=\"%.1f\">", f.left + slot * ((double)i + 0.5),
                     v >= 0 ? y - 4 : y + 13);
            num_de(&o, v, f.dec);
            str_adds(&o, "</text>");
        }
        str_adds(&o, "</g>");
    }
    tail(&o, &f, spec, pts, n, true);
    return finish(out, &o);
}

int chart_line(struct str *out, const struct chart_spec *spec, const struct chart_point *pts,
               size_t n)
{
    assert(spec && (pts || n == 0));
    if (n > CHART_MAX_POINTS)
        return ERR_TOOBIG;
    struct frame f;
    frame_init(&f, spec, pts, n, "line");
    if (out->len >= out->cap)
        return ERR_TOOBIG;
    struct str o;
    str_init(&o, out->cap - out->len);
    head(&o, &f, spec);

    double pw = f.right - f.left;
    /* the path, broken where a value is missing */
    bool pen = false, any = false;
    for (size_t i = 0; i < n && !o.err; i++) {
        double v = pts[i].value;
        if (!usable(v)) {
            pen = false;
            continue;
        }
        if (!any)
            str_adds(&o, "<path fill=\"none\" stroke=\"" SERIES
                         "\" stroke-width=\"2\" stroke-linejoin=\"round\" d=\"");
        double x = n == 1 ? f.left + pw / 2 : f.left + 12 + (pw - 24) * (double)i / (double)(n - 1);
        str_addf(&o, "%s%.2f %.2f", pen ? " L" : any ? " M" : "M", x, ys(&f, v));
        pen = any = true;
    }
    if (any)
        str_adds(&o, "\"/>");
    if (n <= 60) {
        str_adds(&o, "<g fill=\"" SERIES "\">");
        for (size_t i = 0; i < n; i++) {
            double v = pts[i].value;
            if (!usable(v))
                continue;
            double x =
                n == 1 ? f.left + pw / 2 : f.left + 12 + (pw - 24) * (double)i / (double)(n - 1);
            str_addf(&o, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\">", x, ys(&f, v));
            point_title(&o, &f, spec, &pts[i]);
            str_adds(&o, "</circle>");
        }
        str_adds(&o, "</g>");
    }
    tail(&o, &f, spec, pts, n, false);
    return finish(out, &o);
}
