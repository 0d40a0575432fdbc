/* The strategy cockpit (LBS-003): the city's digitalisation strategy as data
 * (solution blocks, measures 001–010, budget plan, personnel, recommendations
 * 1–9), the actuals (Ist) that the Digitalisierung staff enter, KPIs computed
 * live from the other domains' data, the maturity model, training records,
 * review meetings and the annual report. Other domains are only read, through
 * their public headers. Results are JSON (jansson) so pages, CLI and report
 * share one shape. */
#ifndef RATHAUS_STRATEGY_STRATEGY_H
#define RATHAUS_STRATEGY_STRATEGY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"
#include "http/http.h"
#include "store/store.h"
#include "view/view.h"

/* Named limits of user input. */
#define STRAT_MAX_TEXT 4000                      /* bytes of a note, evidence or description */
#define STRAT_MAX_TITLE 300                      /* bytes of a course or meeting title */
#define STRAT_MAX_URL 1000                       /* bytes of an e-learning link */
#define STRAT_MAX_MONEY ((int64_t)1000000000000) /* cents of one amount (10 bn €) */
#define STRAT_MAX_PARTICIPANTS 100000            /* participants of one training */
#define STRAT_MAX_ROWS 5000                      /* rows of one list (trainings, reviews) */
#define STRAT_YEAR_MIN 2000                      /* years accepted for actuals and reports */
#define STRAT_YEAR_MAX 2100

/* Schema migrations of the strategy (ids 500–599). */
extern const struct store_migration strat_migrations[];
extern const size_t strat_migrations_count;

/* Loads the default data (data/strategy/strategie.json, embedded) into the
 * strat_* tables, inside the caller's write transaction, journaled as
 * strategy.seed. Does nothing when the measures are already there.
 * ERR_CORRUPT when the embedded file is malformed. */
int strat_seed(struct store_conn *c, const char *actor) WUR;

/* strat_seed in its own write transaction, by "system": `rathaus serve`
 * calls it at start so a data directory made before the cockpit existed
 * gets the default data too. */
int strat_seed_store(struct store *s) WUR;

/* Adds the /strategie pages to r. */
int strat_register(struct http_router *r) WUR;

/* ---- Parsing and formatting -------------------------------------------- */

/* Parses an amount in euros ("1.234,56", "1234,5", "1234.56", "12 €") into
 * cents. Empty text is ERR_INVALID. Bounded by ±STRAT_MAX_MONEY. */
int strat_money_parse(const char *z, int64_t *ret) WUR;

/* Appends cents as "1.234,56 €" to out. */
void strat_money_format(int64_t cents, struct str *out);

/* Writes v rounded to one decimal in German ("12", "9,1", "-0,5") into buf. */
void strat_number(double v, char *buf, size_t n);

/* Returns a KPI's unit as it reads after v: "Termin" after 1, else unit
 * ("Termine"); "" for NULL. */
const char *strat_unit(const char *unit, double v);

/* Writes today's UTC date "YYYY-MM-DD" into day (11 bytes). */
void strat_today(char day[11]);

/* ---- Measures, Soll/Ist ------------------------------------------------- */

/* Statuses of a measure, in the UI's words. */
#define STRAT_STATUSES "geplant, begonnen, umgesetzt, verzögert"

/* Lists the measures as a new JSON array of {nr, block, title, description,
 * status, oneoff_soll, running_soll (cents, whole period), years: [{year,
 * soll, ist (null when not entered), oneoff_soll, running_soll, oneoff_ist,
 * running_ist, deviation, deviation_pct (null when soll is 0 or ist
 * missing), note}]}. year > 0 keeps only that year in years. */
int strat_measures(struct store *s, int year, json_t **ret) WUR;

/* Enters the actuals of measure nr for year (replacing earlier ones),
 * journaled as strategy.actual.set. ERR_NOTFOUND for an unknown measure,
 * ERR_INVALID (German reason in why, may be NULL) for a year outside the
 * plan's years, a negative amount or a too long note. */
int strat_actual_set(struct store *s, const char *actor, const char *nr, int year,
                     int64_t oneoff_cents, int64_t running_cents, const char *note,
                     struct str *why) WUR;

/* Sets the status of measure nr (one of STRAT_STATUSES), journaled as
 * strategy.measure.status. ERR_NOTFOUND, ERR_INVALID as above. */
int strat_status_set(struct store *s, const char *actor, const char *nr, const char *status,
                     struct str *why) WUR;

/* The years of the plan as a new JSON array of integers. */
int strat_years(struct store *s, json_t **ret) WUR;

/* ---- Budget, personnel, blocks, recommendations ------------------------- */

/* Returns a new JSON object {blocks: [...], budget: [{year, category, label,
 * soll, ist, deviation, deviation_pct, source}], personnel: [...],
 * recommendations: [{nr, measures[], kpis[], kpi_ids[]}]}. Budget Ist is the
 * sum of the measures' actuals of that year (one-off and running); training
 * costs have no Ist of their own (null). */
int strat_plan(struct store *s, json_t **ret) WUR;

/* ---- Trainings, review meetings, maturity, baseline --------------------- */

/* A training record. */
struct strat_training {
    int64_t id;            /* 0 for a new record */
    const char *course;    /* course title, 1–STRAT_MAX_TITLE bytes */
    const char *held_on;   /* "YYYY-MM-DD" */
    int unit_nr;           /* office that took part (must exist) */
    int participants;      /* 1–STRAT_MAX_PARTICIPANTS */
    const char *elearning; /* http(s) link or "" */
};

/* Creates (id 0) or updates a training, journaled as strategy.training.save.
 * ERR_INVALID with a German reason in why; ERR_NOTFOUND for an unknown id.
 * *ret_id (may be NULL) gets the id. */
int strat_training_save(struct store *s, const char *actor, const struct strat_training *t,
                        int64_t *ret_id, struct str *why) WUR;

/* Deletes a training, journaled as strategy.training.delete. ERR_NOTFOUND. */
int strat_training_delete(struct store *s, const char *actor, int64_t id) WUR;

/* Lists trainings (year 0 = all) newest first as a new JSON array of {id,
 * course, held_on, unit_nr, participants, elearning}. */
int strat_trainings(struct store *s, int year, json_t **ret) WUR;

/* Adds a review meeting (recommendation 9) on held_on with title and notes,
 * journaled as strategy.review.add. ERR_INVALID with a reason in why. */
int strat_review_add(struct store *s, const char *actor, const char *held_on, const char *title,
                     const char *notes, int64_t *ret_id, struct str *why) WUR;

/* Deletes a review meeting, journaled. ERR_NOTFOUND. */
int strat_review_delete(struct store *s, const char *actor, int64_t id) WUR;

/* Lists review meetings (year 0 = all), newest first: [{id, held_on, title,
 * notes}]. */
int strat_reviews(struct store *s, int year, json_t **ret) WUR;

/* Records a maturity level (0–5) of area with evidence as a new dated row,
 * journaled as strategy.maturity.set. ERR_NOTFOUND for an unknown area. */
int strat_maturity_set(struct store *s, const char *actor, const char *area, int level,
                       const char *evidence, const char *dated, struct str *why) WUR;

/* Lists the maturity areas: [{code, name, baseline, level (null when never
 * rated), evidence, dated, history: [{level, evidence, dated, by}]}]. With
 * until (may be NULL, "YYYY-MM-DD"), rows dated after it are left out. */
int strat_maturity(struct store *s, const char *until, json_t **ret) WUR;

/* Sets the paper baseline of the digital-share KPI: paper documents handled
 * in the same period as the documents in the E-Akte, journaled. */
int strat_baseline_set(struct store *s, const char *actor, int64_t paper_docs, const char *note,
                       struct str *why) WUR;

/* Reads the baseline: *ret_set false when never entered. */
int strat_baseline_get(struct store *s, bool *ret_set, int64_t *ret_paper, struct str *note) WUR;

/* ---- KPIs ---------------------------------------------------------------- */

/* Computes every KPI as of day ("YYYY-MM-DD", the year for per-year counts)
 * into a new JSON array of {id, name, definition, formula, target (number
 * or null), value (number or null when it cannot be computed), unit, detail,
 * recommendations}. With save, values are stored as the day's snapshot
 * (journaled as strategy.kpi.snapshot when a value is new or changed). */
int strat_kpis(struct store *s, const char *actor, const char *day, bool save, json_t **ret) WUR;

/* Takes the KPI snapshot of today (strat_kpis with save, by "system") when
 * last_day ("YYYY-MM-DD" or "") is another day, then sets last_day to today.
 * *ret_taken (may be NULL) tells whether it did. */
int strat_snapshot_day(struct store *s, char last_day[11], bool *ret_taken) WUR;

/* For `rathaus serve`: takes today's snapshot at once (a failure is logged,
 * not returned), then starts a thread that takes the next one when the date
 * changes. s is borrowed until strat_loop_stop. ERR_EXISTS: already running;
 * ERR_NOMEM: no thread. */
int strat_loop_start(struct store *s) WUR;

/* Joins the snapshot thread (a no-op when none runs); call before closing
 * the store. */
void strat_loop_stop(void);

/* The daily history of one KPI: a new array of {day, value}, oldest first.
 * until (may be NULL) leaves out later days. */
int strat_kpi_history(struct store *s, const char *kpi_id, const char *until, json_t **ret) WUR;

/* ---- Annual report -------------------------------------------------------- */

/* Collects everything of the report for year from the database only (KPIs
 * from the year's last snapshots), so the same database gives the same
 * report: a new JSON object with title, year, city, stand, summary,
 * measures, budget, kpis, maturity, trainings, reviews. */
int strat_report_data(struct store *s, int year, json_t **ret) WUR;

/* Renders the report data as a standalone HTML document (own print CSS). */
int strat_report_html(const struct view *v, const json_t *data, struct str *out) WUR;

/* Renders the report data as CSV (section;…) with a header line. */
int strat_report_csv(const json_t *data, struct str *out) WUR;

/* Renders the report data as PDF (view/pdf.h) with the creation date fixed
 * to the end of the report's year. */
int strat_report_pdf(const json_t *data, struct str *out) WUR;

#endif
