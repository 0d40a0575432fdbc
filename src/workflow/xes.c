/* The event log of a process as XES (IEEE 1849-2016), the exchange format
 * of process-mining tools: one trace per instance, one event per workflow
 * step with activity, lifecycle transition, resource and timestamp. Written
 * with libxml2's text writer, so every value is escaped by the library. */
#include <string.h>

#include <libxml/xmlwriter.h>

#include "workflow_int.h"

/* The XES lifecycle transition of a journal action; NULL for events that
 * are not a step of an activity (instance start and end). */
static const char *transition(const char *action)
{
    static const char *const map[][2] = {
        {"wf.task.create", "schedule"},  {"wf.task.claim", "assign"},
        {"wf.task.unclaim", "reassign"}, {"wf.task.complete", "complete"},
        {"wf.task.cancel", "ate_abort"}, {"wf.gateway.stuck", "pi_abort"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(action, map[i][0]) == 0)
            return map[i][1];
    return strcmp(action, "wf.instance.start") == 0 || strcmp(action, "wf.instance.end") == 0
               ? NULL
               : "complete";
}

static int attr(xmlTextWriterPtr w, const char *type, const char *key, const char *value)
{
    if (xmlTextWriterStartElement(w, (const xmlChar *)type) < 0 ||
        xmlTextWriterWriteAttribute(w, (const xmlChar *)"key", (const xmlChar *)key) < 0 ||
        xmlTextWriterWriteAttribute(w, (const xmlChar *)"value", (const xmlChar *)value) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return ERR_NOMEM;
    return 0;
}

static int extension(xmlTextWriterPtr w, const char *name, const char *prefix)
{
    char uri[128];
    size_t k = strlen(name);
    if (k > 40)
        return ERR_INVALID;
    memcpy(uri, "http://www.xes-standard.org/", 28);
    for (size_t i = 0; i < k; i++)
        uri[28 + i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    memcpy(uri + 28 + k, ".xesext", 8);
    if (xmlTextWriterStartElement(w, (const xmlChar *)"extension") < 0 ||
        xmlTextWriterWriteAttribute(w, (const xmlChar *)"name", (const xmlChar *)name) < 0 ||
        xmlTextWriterWriteAttribute(w, (const xmlChar *)"prefix", (const xmlChar *)prefix) < 0 ||
        xmlTextWriterWriteAttribute(w, (const xmlChar *)"uri", (const xmlChar *)uri) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return ERR_NOMEM;
    return 0;
}

/* Writes the events of one instance as a trace. */
static int trace(xmlTextWriterPtr w, const char *inst, const json_t *events)
{
    int rc = xmlTextWriterStartElement(w, (const xmlChar *)"trace") < 0 ? ERR_NOMEM : 0;
    const char *kase = json_string_value(json_object_get(json_array_get(events, 0), "case"));
    if (!rc)
        rc = attr(w, "string", "concept:name", inst);
    if (!rc && kase)
        rc = attr(w, "string", "rathaus:case", kase);
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *action = json_string_value(json_object_get(e, "event"));
        const char *activity = json_string_value(json_object_get(e, "activity"));
        const char *lc = transition(action);
        if (rc || !lc || !activity)
            continue;
        if (xmlTextWriterStartElement(w, (const xmlChar *)"event") < 0)
            rc = ERR_NOMEM;
        if (!rc)
            rc = attr(w, "string", "concept:name", activity);
        if (!rc)
            rc = attr(w, "string", "lifecycle:transition", lc);
        if (!rc)
            rc = attr(w, "string", "org:resource", json_string_value(json_object_get(e, "actor")));
        if (!rc)
            rc = attr(w, "date", "time:timestamp", json_string_value(json_object_get(e, "time")));
        if (!rc)
            rc = attr(w, "string", "rathaus:event", action);
        if (!rc && json_is_string(json_object_get(e, "branch")))
            rc = attr(w, "string", "rathaus:branch",
                      json_string_value(json_object_get(e, "branch")));
        if (!rc && xmlTextWriterEndElement(w) < 0)
            rc = ERR_NOMEM;
    }
    if (!rc && xmlTextWriterEndElement(w) < 0)
        rc = ERR_NOMEM;
    return rc;
}

int wf__xes(const char *process, const json_t *events, struct str *out)
{
    json_t *traces = json_object();
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    int rc = traces && w ? 0 : ERR_NOMEM;
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        char key[32];
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(json_object_get(e, "instance")));
        json_t *t = json_object_get(traces, key);
        if (!rc && !t && json_object_set_new(traces, key, t = json_array()))
            rc = ERR_NOMEM;
        if (!rc && (!t || json_array_append(t, e)))
            rc = ERR_NOMEM;
    }
    if (!rc && (xmlTextWriterSetIndent(w, 1) < 0 ||
                xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
                xmlTextWriterStartElement(w, (const xmlChar *)"log") < 0 ||
                xmlTextWriterWriteAttribute(w, (const xmlChar *)"xes.version",
                                            (const xmlChar *)"1.0") < 0 ||
                xmlTextWriterWriteAttribute(w, (const xmlChar *)"xmlns",
                                            (const xmlChar *)"http://www.xes-standard.org/") < 0))
        rc = ERR_NOMEM;
    if (!rc)
        rc = extension(w, "Concept", "concept");
    if (!rc)
        rc = extension(w, "Time", "time");
    if (!rc)
        rc = extension(w, "Lifecycle", "lifecycle");
    if (!rc)
        rc = extension(w, "Org", "org");
    if (!rc &&
        (xmlTextWriterStartElement(w, (const xmlChar *)"classifier") < 0 ||
         xmlTextWriterWriteAttribute(w, (const xmlChar *)"name", (const xmlChar *)"Aktivität") <
             0 ||
         xmlTextWriterWriteAttribute(w, (const xmlChar *)"keys",
                                     (const xmlChar *)"concept:name lifecycle:transition") < 0 ||
         xmlTextWriterEndElement(w) < 0))
        rc = ERR_NOMEM;
    if (!rc)
        rc = attr(w, "string", "concept:name", process);
    const char *key;
    json_t *t;
    json_object_foreach(traces, key, t)
    {
        if (!rc)
            rc = trace(w, key, t);
    }
    if (!rc && (xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndDocument(w) < 0))
        rc = ERR_NOMEM;
    if (w)
        xmlFreeTextWriter(w);
    if (!rc)
        rc = str_add(out, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
    if (buf)
        xmlBufferFree(buf);
    json_decref(traces);
    return rc;
}
