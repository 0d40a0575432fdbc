/* Private to src/strategy/: helpers its files share (write transactions,
 * text checks, JSON from rows) and the page table of pages.c. Other modules
 * use strategy.h. */
#ifndef RATHAUS_STRATEGY_STRATEGY_INT_H
#define RATHAUS_STRATEGY_STRATEGY_INT_H

#include "strategy.h"

/* Takes a connection and begins a write transaction. */
int strat__begin(struct store *s, struct store_conn **ret) WUR;

/* Commits when rc is 0, else rolls back; returns the connection to the pool
 * and the final code. */
int strat__end(struct store *s, struct store_conn *c, int rc) WUR;

/* Appends a journal entry with details d (stolen, may be NULL on ERR_NOMEM). */
int strat__journal(struct store_conn *c, const char *actor, const char *action, const char *object,
                   json_t *d) WUR;

/* True when z is a real calendar date "YYYY-MM-DD". */
bool strat__is_date(const char *z);

/* True when z is valid UTF-8 of at most max bytes without control
 * characters other than newline and tab. */
bool strat__text_ok(const char *z, size_t max);

/* Sets why (may be NULL) to msg and returns ERR_INVALID. */
int strat__invalid(struct str *why, const char *msg);

/* Deviation of ist from soll: sets o's "deviation" and "deviation_pct"
 * (null when soll is 0 or ist is missing). */
void strat__deviation(json_t *o, int64_t soll, bool has_ist, int64_t ist);

/* The KPI catalogue entry for id, as {id, name, definition, formula, target,
 * unit}, new reference; NULL for an unknown id. */
json_t *strat__kpi_def(const char *id);

/* Adds German display texts to the JSON of strat_measures (per year:
 * soll_text, ist_text, deviation_text, pct_text; per measure: the period
 * sums), strat_kpis (value_text, target_text, reached) and the budget of
 * strat_plan (soll_text, ist_text, deviation_text, pct_text). Amounts stay
 * as numbers beside the texts. */
void strat__decorate_measures(json_t *measures);
void strat__decorate_kpis(json_t *kpis);
void strat__decorate_budget(json_t *budget);

/* Returns cents as "1.234,56 €" in a new JSON string. */
json_t *strat__money_json(int64_t cents);

#endif
