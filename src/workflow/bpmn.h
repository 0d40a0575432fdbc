/* The BPMN 2.0 model read from XML (libxml2): processes with their flow nodes,
 * sequence flows, lanes and nested subprocesses, collaborations with pools and
 * message flows, and the diagram interchange (shapes, edges) so a model can be
 * drawn again. The engine and the process library both start from here. */
#ifndef RATHAUS_WORKFLOW_BPMN_H
#define RATHAUS_WORKFLOW_BPMN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/str.h"

/* Largest BPMN file accepted (the biggest MIWG model is 240 KB). */
#define BPMN_MAX_BYTES ((size_t)16 * 1024 * 1024)

/* Cap of the arena holding one parsed model. */
#define BPMN_MAX_MODEL_BYTES ((size_t)64 * 1024 * 1024)

/* The namespaces a BPMN 2.0 file is read in. */
#define BPMN_NS_MODEL "http://www.omg.org/spec/BPMN/20100524/MODEL"
#define BPMN_NS_BPMNDI "http://www.omg.org/spec/BPMN/20100524/DI"
#define BPMN_NS_DC "http://www.omg.org/spec/DD/20100524/DC"
#define BPMN_NS_DI "http://www.omg.org/spec/DD/20100524/DI"

/* What a flow node is; its exact element name is in bpmn_node.type. */
enum bpmn_kind {
    BPMN_KIND_TASK,       /* task, userTask, serviceTask, scriptTask, sendTask, … */
    BPMN_KIND_EVENT,      /* start, end, intermediate catch/throw and boundary events */
    BPMN_KIND_GATEWAY,    /* exclusive, inclusive, parallel, event-based, complex */
    BPMN_KIND_SUBPROCESS, /* subProcess, transaction, adHocSubProcess (nodes in .inner) */
    BPMN_KIND_CALL,       /* callActivity */
};

/* An event definition of an event (timer, message, error, …): inline, or a
 * top-level one the event names in an eventDefinitionRef. */
struct bpmn_event_def {
    struct bpmn_event_def *next; /* next definition of the same event */
    const char *type;            /* local name: "timerEventDefinition", … */
    const char *id;              /* id attribute, "" if absent */
    const char *timer_kind;      /* "timeDate", "timeDuration", "timeCycle" or NULL */
    const char *timer_value;     /* text of that timer element, or NULL */
    const char *ref;             /* messageRef, signalRef, errorRef, escalationRef, … or NULL */
    const char *condition;       /* conditionalEventDefinition: text of its condition, or NULL */
};

struct bpmn_scope;

/* A flow node of a process or subprocess. */
struct bpmn_node {
    struct bpmn_node *next;            /* next node of the same scope, document order */
    enum bpmn_kind kind;               /* the family of .type */
    const char *type;                  /* local name: "userTask", "boundaryEvent", … */
    const char *id;                    /* id attribute, "" if absent */
    const char *name;                  /* name attribute, "" if absent */
    struct bpmn_node *parent;          /* enclosing subprocess, NULL at process level */
    struct bpmn_event_def *event_defs; /* events: their definitions, NULL for none */
    size_t n_event_defs;               /* length of event_defs */
    const char *attached_to;           /* boundaryEvent: attachedToRef, else NULL */
    bool cancel_activity;              /* boundaryEvent: interrupting (default true) */
    bool triggered_by_event;           /* subProcess: an event subprocess */
    const char *default_flow;          /* gateways/activities: default attribute or NULL */
    const char *called_element;        /* callActivity: calledElement or NULL */
    struct bpmn_scope *inner;          /* subprocesses: their contents, else NULL */
    void *ext;                         /* its bpmn:extensionElements as an xmlNodePtr, or NULL */
};

/* A sequence flow. */
struct bpmn_flow {
    struct bpmn_flow *next; /* next flow of the same scope */
    const char *id;         /* id attribute, "" if absent */
    const char *name;       /* name attribute, "" if absent */
    const char *source;     /* sourceRef, "" if absent */
    const char *target;     /* targetRef, "" if absent */
    const char *condition;  /* text of conditionExpression, or NULL */
    void *ext;              /* extensionElements as an xmlNodePtr, or NULL */
};

/* A lane; nested lanes (childLaneSet) are in .children. */
struct bpmn_lane {
    struct bpmn_lane *next;     /* next lane of the same lane set */
    const char *id;             /* id attribute, "" if absent */
    const char *name;           /* name attribute, "" if absent */
    const char **refs;          /* ids of its flowNodeRef elements */
    size_t n_refs;              /* length of refs */
    struct bpmn_lane *children; /* lanes of its childLaneSet, NULL if none */
    void *ext;                  /* extensionElements as an xmlNodePtr, or NULL */
};

/* Any other model element of a scope kept generically: dataObject,
 * dataObjectReference, dataStoreReference, textAnnotation, association, … */
struct bpmn_element {
    struct bpmn_element *next; /* next element of the same scope */
    const char *type;          /* local name */
    const char *id;            /* id attribute, "" if absent */
    const char *name;          /* name attribute, "" if absent */
    void *xml;                 /* the element as an xmlNodePtr */
};

/* The contents of a process or subprocess. */
struct bpmn_scope {
    struct bpmn_node *nodes;     /* flow nodes, document order */
    size_t n_nodes;              /* length of nodes */
    struct bpmn_flow *flows;     /* sequence flows */
    size_t n_flows;              /* length of flows */
    struct bpmn_lane *lanes;     /* top-level lanes of all its laneSets */
    size_t n_lanes;              /* length of lanes (top level only) */
    struct bpmn_element *others; /* everything else in the model namespace */
    size_t n_others;             /* length of others */
};

/* A process (bpmn:process directly below definitions). */
struct bpmn_process {
    struct bpmn_process *next; /* next process, document order */
    const char *id;            /* id attribute, "" if absent */
    const char *name;          /* name attribute, "" if absent */
    bool executable;           /* isExecutable="true" */
    struct bpmn_scope scope;   /* its nodes, flows, lanes */
    void *ext;                 /* extensionElements as an xmlNodePtr, or NULL */
    void *xml;                 /* the process element as an xmlNodePtr */
};

/* A pool of a collaboration. */
struct bpmn_participant {
    struct bpmn_participant *next; /* next participant */
    const char *id;                /* id attribute, "" if absent */
    const char *name;              /* name attribute, "" if absent */
    const char *process_ref;       /* processRef, or NULL for a black-box pool */
};

/* A message flow between pools or their nodes. */
struct bpmn_message_flow {
    struct bpmn_message_flow *next; /* next message flow */
    const char *id;                 /* id attribute, "" if absent */
    const char *name;               /* name attribute, "" if absent */
    const char *source;             /* sourceRef */
    const char *target;             /* targetRef */
};

/* A collaboration: pools and the message flows between them. */
struct bpmn_collaboration {
    struct bpmn_collaboration *next;         /* next collaboration */
    const char *id;                          /* id attribute, "" if absent */
    const char *name;                        /* name attribute, "" if absent */
    struct bpmn_participant *participants;   /* pools */
    size_t n_participants;                   /* length of participants */
    struct bpmn_message_flow *message_flows; /* message flows */
    size_t n_message_flows;                  /* length of message_flows */
};

/* A BPMNShape: where an element is drawn. */
struct bpmn_shape {
    struct bpmn_shape *next; /* next shape, document order */
    const char *id;          /* id attribute, "" if absent */
    const char *element;     /* bpmnElement: id of the model element */
    double x, y, w, h;       /* dc:Bounds; all 0 when missing */
    bool has_bounds;         /* a dc:Bounds was there */
    bool is_expanded;        /* isExpanded="true" */
    bool is_horizontal;      /* isHorizontal="true" (pools and lanes) */
};

/* A point of an edge. */
struct bpmn_point {
    double x, y; /* di:waypoint coordinates */
};

/* A BPMNEdge: how a flow or association is drawn. */
struct bpmn_edge {
    struct bpmn_edge *next;    /* next edge, document order */
    const char *id;            /* id attribute, "" if absent */
    const char *element;       /* bpmnElement: id of the model element */
    struct bpmn_point *points; /* waypoints, in order */
    size_t n_points;           /* length of points */
};

/* A parsed BPMN file. All memory belongs to the model (bpmn_free). */
struct bpmn_model {
    struct arena arena;                        /* strings and structs of the model */
    void *doc;                                 /* the xmlDocPtr, kept for extensionElements */
    const char *id;                            /* definitions id, "" if absent */
    const char *name;                          /* definitions name, "" if absent */
    const char *target_namespace;              /* targetNamespace, "" if absent */
    struct bpmn_process *processes;            /* processes, document order */
    size_t n_processes;                        /* length of processes */
    struct bpmn_collaboration *collaborations; /* collaborations */
    size_t n_collaborations;                   /* length of collaborations */
    struct bpmn_shape *shapes;                 /* all BPMNShapes of all diagrams */
    size_t n_shapes;                           /* length of shapes */
    struct bpmn_edge *edges;                   /* all BPMNEdges of all diagrams */
    size_t n_edges;                            /* length of edges */
};

/* Parses len bytes of BPMN 2.0 XML. name (a file name) prefixes messages.
 * DTDs are refused (no entities, no external loads), vendor elements and
 * attributes are skipped, DI is optional. On success *ret is a model to free
 * with bpmn_free. Errors: ERR_TOOBIG above BPMN_MAX_BYTES; ERR_INVALID for
 * malformed XML (err gets a German message with line and column) or a root
 * that is not bpmn:definitions; ERR_NOMEM. err may be NULL. */
int bpmn_parse(const char *data, size_t len, const char *name, struct bpmn_model **ret,
               struct str *err) WUR;

/* Frees the model and its XML document; accepts NULL. */
void bpmn_free(struct bpmn_model *m);

/* Finds a flow node by id in all processes and subprocesses; NULL if none. */
struct bpmn_node *bpmn_find_node(const struct bpmn_model *m, const char *id);

/* Finds the shape drawn for the element id; NULL if none. */
const struct bpmn_shape *bpmn_find_shape(const struct bpmn_model *m, const char *id);

/* Counts, per process, the elements of the model namespace below the process
 * element by local name: {"processes":[{"id","name","elements":{name:n}}]}.
 * Everything is counted except what lies inside a bpmn:extensionElements
 * (the extensionElements element itself is counted; vendor elements are
 * looked through, not counted). *ret is a new reference. ERR_NOMEM. */
int bpmn_count_json(const struct bpmn_model *m, json_t **ret) WUR;

#endif
