/* SVG charts rendered on the server for the mining and cockpit pages: no
 * script, text escaped, a <title> and <desc> for screen readers and the
 * numbers also given as a table by the page that embeds the chart. */
#ifndef RATHAUS_VIEW_CHART_H
#define RATHAUS_VIEW_CHART_H

#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

#define CHART_MAX_POINTS 10000 /* points or bars of one chart */

/* One bar or point: a label on the x axis and its value. */
struct chart_point {
    const char *label; /* "2026-03", "Antrag prüfen" */
    double value;      /* y value */
};

/* What every chart has. */
struct chart_spec {
    const char *title; /* <title>, also shown above the plot */
    const char *desc;  /* <desc>: one sentence for screen readers */
    const char *unit;  /* y axis unit ("Tage", "%", "Fälle"), may be NULL */
    double target;     /* a dashed target line when has_target */
    int has_target;    /* draw target */
    int width;         /* px, 0 = 640 */
    int height;        /* px, 0 = 280 */
};

/* Appends an SVG bar chart of n points to out. ERR_TOOBIG past
 * CHART_MAX_POINTS, ERR_NOMEM. */
int chart_bars(struct str *out, const struct chart_spec *spec, const struct chart_point *pts,
               size_t n) WUR;

/* Appends an SVG line chart (e.g. a KPI's daily history) of n points. */
int chart_line(struct str *out, const struct chart_spec *spec, const struct chart_point *pts,
               size_t n) WUR;

#endif
