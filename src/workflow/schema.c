/* The tables of the workflow: deployed models and which service runs which,
 * and the running state of instances (tokens, tasks, timers). Everything an
 * instance needs to continue after a crash lives here (migrations 200–209), and the messages for
 * the applicant. */
#include "deploy.h"

static const char wf_v200[] = "CREATE TABLE process_models ("
                              " id INTEGER PRIMARY KEY,"
                              " process_id TEXT NOT NULL,"
                              " version INTEGER NOT NULL,"
                              " bpmn_sha256 TEXT NOT NULL,"
                              " name TEXT NOT NULL DEFAULT '',"
                              " deployed_at TEXT NOT NULL,"
                              " deployed_by TEXT NOT NULL,"
                              " UNIQUE (process_id, version));"
                              "CREATE TABLE deployments ("
                              " service_key TEXT PRIMARY KEY,"
                              " model_id INTEGER NOT NULL REFERENCES process_models(id));"
                              "CREATE TABLE instances ("
                              " id INTEGER PRIMARY KEY,"
                              " case_id INTEGER NOT NULL,"
                              " case_ref TEXT NOT NULL,"
                              " service_key TEXT NOT NULL,"
                              " model_id INTEGER NOT NULL REFERENCES process_models(id),"
                              " state TEXT NOT NULL DEFAULT 'running',"
                              " vars TEXT NOT NULL DEFAULT '{}',"
                              " started_at TEXT NOT NULL,"
                              " ended_at TEXT);"
                              "CREATE INDEX instances_case ON instances(case_id);"
                              "CREATE TABLE tokens ("
                              " id INTEGER PRIMARY KEY,"
                              " instance_id INTEGER NOT NULL REFERENCES instances(id),"
                              " parent_id INTEGER REFERENCES tokens(id),"
                              " node_id TEXT NOT NULL,"
                              " state TEXT NOT NULL,"
                              " created_at TEXT NOT NULL);"
                              "CREATE INDEX tokens_instance ON tokens(instance_id, state);"
                              "CREATE TABLE tasks ("
                              " id INTEGER PRIMARY KEY,"
                              " instance_id INTEGER NOT NULL REFERENCES instances(id),"
                              " token_id INTEGER NOT NULL REFERENCES tokens(id),"
                              " node_id TEXT NOT NULL,"
                              " name TEXT NOT NULL DEFAULT '',"
                              " unit_nr INTEGER,"
                              " role TEXT,"
                              " assignee TEXT,"
                              " due TEXT,"
                              " state TEXT NOT NULL DEFAULT 'open',"
                              " created_at TEXT NOT NULL,"
                              " completed_at TEXT,"
                              " completed_by TEXT);"
                              "CREATE INDEX tasks_inbox ON tasks(state, unit_nr, due);"
                              "CREATE INDEX tasks_assignee ON tasks(assignee, state);"
                              "CREATE TABLE timers ("
                              " id INTEGER PRIMARY KEY,"
                              " instance_id INTEGER NOT NULL REFERENCES instances(id),"
                              " token_id INTEGER NOT NULL REFERENCES tokens(id),"
                              " node_id TEXT NOT NULL,"
                              " due INTEGER NOT NULL,"
                              " boundary INTEGER NOT NULL DEFAULT 0,"
                              " interrupting INTEGER NOT NULL DEFAULT 0,"
                              " state TEXT NOT NULL DEFAULT 'pending');"
                              "CREATE INDEX timers_due ON timers(state, due);";

/* Messages for the applicant (status page of the portal): information and
 * requests for evidence (Nachweise). */
static const char wf_v201[] = "CREATE TABLE wf_messages ("
                              " id INTEGER PRIMARY KEY,"
                              " case_id INTEGER NOT NULL,"
                              " at TEXT NOT NULL,"
                              " kind TEXT NOT NULL CHECK (kind IN ('info', 'evidence')),"
                              " text TEXT NOT NULL,"
                              " by TEXT NOT NULL);"
                              "CREATE INDEX wf_messages_case ON wf_messages(case_id, id);";

const struct store_migration wf_migrations[] = {
    {200, "workflow: process models, deployments, instances, tokens, tasks, timers", wf_v200},
    {201, "workflow: messages for the applicant", wf_v201},
};
const size_t wf_migrations_count = sizeof wf_migrations / sizeof wf_migrations[0];
