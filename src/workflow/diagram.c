/* The process diagram of the task page, drawn on the server from the model's
 * BPMNDI: pools and lanes with their names, activities with their names
 * wrapped inside the shape, gateways with their marker, events (boundary
 * timers on their host, non-interrupting dashed), sequence flows with
 * arrows, and the steps where the instance currently is marked. Produces the
 * data for the SVG in templates/workflow/aufgabe.html; no markup here. */
#include <stdio.h>
#include <string.h>

#include "workflow_int.h"

#define DIA_LINE 12.0     /* line height of labels, px */
#define DIA_CHAR 5.6      /* average width of a character at font size 10, px */
#define DIA_MAX_LINES 6   /* lines of one label */
#define DIA_MAX_LABEL 400 /* bytes of a label considered */

static json_t *num(double v)
{
    return json_real(v);
}

/* Characters (UTF-8 code points) of z[0..n). */
static size_t chars(const char *z, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)z[i] & 0xC0) != 0x80;
    return k;
}

/* Wraps name into lines of at most width characters (a longer word gets a
 * line of its own), at most max lines, the last ending in "…" when cut.
 * Returns a new array of {text, dy}, the first dy 0, the others DIA_LINE. */
static json_t *wrap(const char *name, size_t width, size_t max)
{
    json_t *lines = json_array();
    char line[DIA_MAX_LABEL + 8];
    size_t len = 0;
    const char *p = name;
    bool cut = false;
    if (width < 4)
        width = 4;
    while (lines && *p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        if (w > DIA_MAX_LABEL)
            w = DIA_MAX_LABEL;
        bool fits = len + (len ? 1 : 0) + w <= DIA_MAX_LABEL &&
                    chars(line, len) + (len ? 1 : 0) + chars(p, w) <= width;
        if (len && !fits) {
            if (json_array_size(lines) + 1 >= max) {
                cut = true;
                break;
            }
            line[len] = '\0';
            json_array_append_new(lines, json_string(line));
            len = 0;
        }
        if (len)
            line[len++] = ' ';
        memcpy(line + len, p, w);
        len += w;
        p += w;
    }
    if (lines && len) {
        if (cut && len + 3 < sizeof line) {
            memcpy(line + len, "…", 3);
            len += 3;
        }
        line[len] = '\0';
        json_array_append_new(lines, json_string(line));
    }
    json_t *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        if (out)
            json_array_append_new(out,
                                  json_pack("{s:O, s:o}", "text", l, "dy", num(i ? DIA_LINE : 0)));
    }
    json_decref(lines);
    return out;
}

/* The name of a pool (participant) or lane with id, "" if none. */
static const char *lane_name(const struct bpmn_lane *l, const char *id)
{
    for (; l; l = l->next) {
        if (strcmp(l->id, id) == 0)
            return l->name;
        const char *inner = lane_name(l->children, id);
        if (inner)
            return inner;
    }
    return NULL;
}

static const char *area_name(const struct bpmn_model *m, const char *id)
{
    for (const struct bpmn_collaboration *c = m->collaborations; c; c = c->next)
        for (const struct bpmn_participant *p = c->participants; p; p = p->next)
            if (strcmp(p->id, id) == 0)
                return p->name;
    for (const struct bpmn_process *p = m->processes; p; p = p->next) {
        const char *n = lane_name(p->scope.lanes, id);
        if (n)
            return n;
    }
    return "";
}

static bool in_list(const json_t *ids, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (strcmp(json_string_value(v), id) == 0)
            return true;
    }
    return false;
}

/* Layers, drawn in this order so boundary events lie on their host. */
enum layer { L_AREA, L_ACTIVITY, L_GATEWAY, L_EVENT, L_COUNT };

/* One shape as template data; NULL for a shape of nothing we draw. */
static json_t *shape(const struct bpmn_model *m, const struct bpmn_shape *s, const char *current,
                     const json_t *active, enum layer *ret_layer)
{
    const struct bpmn_node *n = bpmn_find_node(m, s->element);
    double x = s->x, y = s->y, w = s->w, h = s->h;
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "x", num(x), "y", num(y), "w", num(w),
                          "h", num(h), "cx", num(x + w / 2), "cy", num(y + h / 2));
    if (!o)
        return NULL;
    if (!n) {
        const char *name = area_name(m, s->element);
        *ret_layer = L_AREA;
        json_object_set_new(o, "ist_bereich", json_true());
        /* the name runs upwards along the left edge of a horizontal pool or
         * lane, wrapped to its height in at most two lines */
        json_t *lines = wrap(name, (size_t)((h - 10) / (DIA_CHAR * 1.1)), 2);
        size_t k = json_array_size(lines);
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "zeilen", lines);
        json_object_set_new(o, "lx", num(x + 19 - (double)(k - 1) * DIA_LINE / 2));
        json_object_set_new(o, "ly", num(y + h / 2));
        return o;
    }
    bool cur = current && strcmp(n->id, current) == 0;
    bool act = !cur && in_list(active, n->id);
    json_object_set_new(o, "name", json_string(n->name));
    json_object_set_new(o, "aktuell", json_boolean(cur));
    json_object_set_new(o, "aktiv", json_boolean(act));
    json_object_set_new(o, "rand", num(cur ? 5 : act ? 3 : 1));
    if (n->kind == BPMN_KIND_TASK || n->kind == BPMN_KIND_SUBPROCESS || n->kind == BPMN_KIND_CALL) {
        *ret_layer = L_ACTIVITY;
        bool sub = n->kind == BPMN_KIND_SUBPROCESS && s->is_expanded;
        size_t max = (size_t)((h - 6) / DIA_LINE);
        json_t *lines = wrap(n->name, (size_t)((w - 10) / DIA_CHAR),
                             sub                   ? 1
                             : max < 1             ? 1
                             : max > DIA_MAX_LINES ? DIA_MAX_LINES
                                                   : max);
        size_t k = json_array_size(lines);
        json_object_set_new(o, "ist_aufgabe", json_true());
        json_object_set_new(o, "zeilen", lines);
        /* expanded subprocess: name at the top; task: centred block of lines */
        json_object_set_new(o, "tx", num(sub ? x + 8 : x + w / 2));
        json_object_set_new(o, "ty",
                            num(sub ? y + 14 : y + h / 2 - (double)(k - 1) * DIA_LINE / 2 + 3.5));
        json_object_set_new(o, "anker", json_string(sub ? "start" : "middle"));
        return o;
    }
    json_t *lines = wrap(n->name, (size_t)((w + 40) / DIA_CHAR), 3);
    json_object_set_new(o, "zeilen", lines);
    json_object_set_new(o, "tx", num(x + w / 2));
    json_object_set_new(o, "ty", num(y + h + DIA_LINE));
    json_object_set_new(o, "anker", json_string("middle"));
    if (n->kind == BPMN_KIND_GATEWAY) {
        *ret_layer = L_GATEWAY;
        char pts[200];
        snprintf(pts, sizeof pts, "%g,%g %g,%g %g,%g %g,%g", x + w / 2, y, x + w, y + h / 2,
                 x + w / 2, y + h, x, y + h / 2);
        json_object_set_new(o, "ist_raute", json_true());
        json_object_set_new(o, "punkte", json_string(pts));
        const char *mark = strcmp(n->type, "parallelGateway") == 0    ? "+"
                           : strcmp(n->type, "exclusiveGateway") == 0 ? "×"
                           : strcmp(n->type, "inclusiveGateway") == 0 ? "○"
                                                                      : "";
        json_object_set_new(o, "zeichen", json_string(mark));
        return o;
    }
    *ret_layer = L_EVENT;
    double r = (w < h ? w : h) / 2;
    bool boundary = strcmp(n->type, "boundaryEvent") == 0;
    bool inter = boundary || strncmp(n->type, "intermediate", 12) == 0;
    json_object_set_new(o, "ist_rund", json_true());
    json_object_set_new(o, "r", num(r));
    json_object_set_new(o, "r_innen", num(r - 3));
    json_object_set_new(o, "doppelt", json_boolean(inter));
    json_object_set_new(o, "ende", json_boolean(strcmp(n->type, "endEvent") == 0));
    json_object_set_new(o, "gestrichelt", json_boolean(boundary && !n->cancel_activity));
    if (wf__timer_of(n)) {
        /* a clock: a circle with two hands */
        char hands[200];
        double cx = x + w / 2, cy = y + h / 2, cr = r * 0.55;
        snprintf(hands, sizeof hands, "%g,%g %g,%g %g,%g", cx, cy - cr * 0.8, cx, cy, cx + cr * 0.6,
                 cy);
        json_object_set_new(o, "uhr", json_true());
        json_object_set_new(o, "uhr_r", num(cr));
        json_object_set_new(o, "zeiger", json_string(hands));
    }
    if (boundary) /* a boundary event's label would cover its host: below and smaller */
        json_object_set_new(o, "angeheftet", json_true());
    return o;
}

json_t *wf__diagram(const struct bpmn_model *m, const char *current, const json_t *active)
{
    json_t *layers[L_COUNT], *edges = json_array(), *d = NULL;
    double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
    for (int i = 0; i < L_COUNT; i++)
        layers[i] = json_array();
    for (const struct bpmn_shape *s = m->shapes; s; s = s->next) {
        if (!s->has_bounds)
            continue;
        enum layer l = L_AREA;
        json_t *o = shape(m, s, current, active, &l);
        if (o && layers[l])
            json_array_append_new(layers[l], o);
        else
            json_decref(o);
        if (s->x < minx)
            minx = s->x;
        if (s->y < miny)
            miny = s->y;
        if (s->x + s->w > maxx)
            maxx = s->x + s->w;
        if (s->y + s->h + 3 * DIA_LINE > maxy) /* room for labels below */
            maxy = s->y + s->h + 3 * DIA_LINE;
    }
    for (const struct bpmn_edge *e = m->edges; e && edges; e = e->next) {
        struct str pts;
        str_init(&pts, 4096);
        for (size_t i = 0; i < e->n_points; i++)
            (void)str_addf(&pts, "%s%g,%g", i ? " " : "", e->points[i].x, e->points[i].y);
        json_array_append_new(edges, json_pack("{s:s}", "punkte", pts.buf));
        str_release(&pts);
    }
    json_t *shapes = json_array();
    for (int i = 0; i < L_COUNT; i++)
        if (shapes && layers[i])
            json_array_extend(shapes, layers[i]);
    if (shapes && edges && json_array_size(shapes))
        d = json_pack("{s:O, s:O, s:o, s:o, s:o, s:o}", "formen", shapes, "kanten", edges, "links",
                      num(minx - 10), "oben", num(miny - 20), "breite", num(maxx - minx + 20),
                      "hoehe", num(maxy - miny + 30));
    for (int i = 0; i < L_COUNT; i++)
        json_decref(layers[i]);
    json_decref(shapes);
    json_decref(edges);
    return d;
}
