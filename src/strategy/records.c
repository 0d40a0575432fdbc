/* What the city records beside the plan: training records (course, date,
 * office, participants, e-learning link), strategic review meetings
 * (recommendation 9), maturity ratings per area with their history, and the
 * paper baseline of the digital-share KPI. Every write is journaled. */
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "strategy_int.h"

static bool url_ok(const char *z)
{
    if (!*z)
        return true;
    if (strncmp(z, "https://", 8) != 0 && strncmp(z, "http://", 7) != 0)
        return false;
    for (const char *p = z; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>')
            return false;
    return strlen(z) <= STRAT_MAX_URL;
}

int strat_training_save(struct store *s, const char *actor, const struct strat_training *t,
                        int64_t *ret_id, struct str *why)
{
    const char *course = t->course ? t->course : "";
    const char *url = t->elearning ? t->elearning : "";
    if (!*course || !strat__text_ok(course, STRAT_MAX_TITLE) || strchr(course, '\n'))
        return strat__invalid(why, "Bitte geben Sie den Kurs an (eine Zeile, höchstens 300 "
                                   "Zeichen).");
    if (!strat__is_date(t->held_on))
        return strat__invalid(why, "Bitte geben Sie das Datum als JJJJ-MM-TT an.");
    if (t->participants < 1 || t->participants > STRAT_MAX_PARTICIPANTS)
        return strat__invalid(why, "Die Zahl der Teilnehmenden muss zwischen 1 und 100000 "
                                   "liegen.");
    if (!url_ok(url))
        return strat__invalid(why, "Der E-Learning-Link muss mit https:// oder http:// beginnen "
                                   "und darf keine Leerzeichen enthalten.");
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    int64_t n = 0, id = t->id;
    if ((rc = store_query_int(c, &n, "SELECT count(*) FROM units WHERE nr = ?", "i",
                              (int64_t)t->unit_nr)))
        goto done;
    if (!n) {
        rc = strat__invalid(why, "Dieses Amt gibt es nicht.");
        goto done;
    }
    char now[32];
    rtime_iso_utc(rtime_now(), now, sizeof now);
    if (id) {
        rc = store_run(c,
                       "UPDATE strat_trainings SET course = ?, held_on = ?, unit_nr = ?,"
                       " participants = ?, elearning = ? WHERE id = ?",
                       "ttiiti", course, t->held_on, (int64_t)t->unit_nr, (int64_t)t->participants,
                       url, id);
        if (!rc && store_changes(c) == 0)
            rc = ERR_NOTFOUND;
    } else {
        rc = store_query_int(c, &id,
                             "INSERT INTO strat_trainings (course, held_on, unit_nr, participants,"
                             " elearning, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
                             " RETURNING id",
                             "ttiittt", course, t->held_on, (int64_t)t->unit_nr,
                             (int64_t)t->participants, url, now, actor);
    }
    if (!rc) {
        char obj[48];
        snprintf(obj, sizeof obj, "training:%lld", (long long)id);
        rc = strat__journal(c, actor, "strategy.training.save", obj,
                            json_pack("{s:s, s:s, s:i, s:i, s:s, s:b}", "course", course, "held_on",
                                      t->held_on, "unit", t->unit_nr, "participants",
                                      t->participants, "elearning", url, "new", t->id == 0));
    }
done:
    rc = strat__end(s, c, rc);
    if (!rc && ret_id)
        *ret_id = id;
    return rc;
}

static int delete_row(struct store *s, const char *actor, const char *sql, const char *action,
                      const char *kind, int64_t id)
{
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    rc = store_run(c, sql, "i", id);
    if (!rc && store_changes(c) == 0)
        rc = ERR_NOTFOUND;
    if (!rc) {
        char obj[48];
        snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)id);
        rc = strat__journal(c, actor, action, obj, json_pack("{s:I}", "id", (json_int_t)id));
    }
    return strat__end(s, c, rc);
}

int strat_training_delete(struct store *s, const char *actor, int64_t id)
{
    return delete_row(s, actor, "DELETE FROM strat_trainings WHERE id = ?",
                      "strategy.training.delete", "training", id);
}

/* The rows of sql (a literal with the parameters "? = 0 OR <year of a
 * date> = ?") for year (0: all years) as a new array of objects. */
static int year_list(struct store *s, int year, const char *sql, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    char y[8];
    snprintf(y, sizeof y, "%04d", year);
    json_t *list = json_array();
    rc = list ? store_query_rows(c, list, sql, "it", (int64_t)year, y) : ERR_NOMEM;
    store_put(s, c);
    if (rc)
        json_decref(list);
    else
        *ret = list;
    return rc;
}

int strat_trainings(struct store *s, int year, json_t **ret)
{
    return year_list(s, year,
                     "SELECT t.id, t.course, t.held_on, t.unit_nr, t.participants,"
                     " t.elearning, coalesce(u.name, '') AS unit_name"
                     " FROM strat_trainings t LEFT JOIN units u ON u.nr = t.unit_nr"
                     " WHERE ? = 0 OR substr(t.held_on, 1, 4) = ?"
                     " ORDER BY t.held_on DESC, t.id DESC LIMIT 5000",
                     ret);
}

int strat_review_add(struct store *s, const char *actor, const char *held_on, const char *title,
                     const char *notes, int64_t *ret_id, struct str *why)
{
    title = title ? title : "";
    notes = notes ? notes : "";
    if (!strat__is_date(held_on))
        return strat__invalid(why, "Bitte geben Sie das Datum als JJJJ-MM-TT an.");
    if (!*title || !strat__text_ok(title, STRAT_MAX_TITLE) || strchr(title, '\n'))
        return strat__invalid(why, "Bitte geben Sie einen Titel an (eine Zeile, höchstens 300 "
                                   "Zeichen).");
    if (!strat__text_ok(notes, STRAT_MAX_TEXT))
        return strat__invalid(why, "Die Notizen sind zu lang (höchstens 4000 Zeichen).");
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    char now[32];
    rtime_iso_utc(rtime_now(), now, sizeof now);
    int64_t id = 0;
    rc = store_query_int(c, &id,
                         "INSERT INTO strat_reviews (held_on, title, notes, created_at,"
                         " created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
                         "ttttt", held_on, title, notes, now, actor);
    if (!rc) {
        char obj[48];
        snprintf(obj, sizeof obj, "review:%lld", (long long)id);
        rc = strat__journal(
            c, actor, "strategy.review.add", obj,
            json_pack("{s:s, s:s, s:s}", "held_on", held_on, "title", title, "notes", notes));
    }
    rc = strat__end(s, c, rc);
    if (!rc && ret_id)
        *ret_id = id;
    return rc;
}

int strat_review_delete(struct store *s, const char *actor, int64_t id)
{
    return delete_row(s, actor, "DELETE FROM strat_reviews WHERE id = ?", "strategy.review.delete",
                      "review", id);
}

int strat_reviews(struct store *s, int year, json_t **ret)
{
    return year_list(s, year,
                     "SELECT id, held_on, title, notes FROM strat_reviews"
                     " WHERE ? = 0 OR substr(held_on, 1, 4) = ?"
                     " ORDER BY held_on DESC, id DESC LIMIT 5000",
                     ret);
}

int strat_maturity_set(struct store *s, const char *actor, const char *area, int level,
                       const char *evidence, const char *dated, struct str *why)
{
    evidence = evidence ? evidence : "";
    if (level < 0 || level > 5)
        return strat__invalid(why, "Die Stufe muss zwischen 0 und 5 liegen.");
    if (!strat__is_date(dated))
        return strat__invalid(why, "Bitte geben Sie das Datum als JJJJ-MM-TT an.");
    if (!*evidence || !strat__text_ok(evidence, STRAT_MAX_TEXT))
        return strat__invalid(why, "Bitte begründen Sie die Stufe (Nachweis, höchstens 4000 "
                                   "Zeichen).");
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    int64_t n = 0;
    if (!(rc = store_query_int(c, &n, "SELECT count(*) FROM strat_maturity_areas WHERE code = ?",
                               "t", area)) &&
        !n)
        rc = ERR_NOTFOUND;
    char now[32];
    rtime_iso_utc(rtime_now(), now, sizeof now);
    if (!rc)
        rc = store_run(c,
                       "INSERT INTO strat_maturity (area, level, evidence, dated, created_at,"
                       " created_by) VALUES (?, ?, ?, ?, ?, ?)",
                       "titttt", area, (int64_t)level, evidence, dated, now, actor);
    if (!rc) {
        char obj[64];
        snprintf(obj, sizeof obj, "maturity:%s", area);
        rc = strat__journal(c, actor, "strategy.maturity.set", obj,
                            json_pack("{s:s, s:i, s:s, s:s}", "area", area, "level", level,
                                      "evidence", evidence, "dated", dated));
    }
    return strat__end(s, c, rc);
}

int strat_maturity(struct store *s, const char *until, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    const char *lim = until ? until : "9999-12-31";
    json_t *list = json_array();
    struct store_stmt *st;
    if (!list)
        rc = ERR_NOMEM;
    else if (!(rc = store_prepare(c,
                                  "SELECT code, name, baseline FROM strat_maturity_areas"
                                  " ORDER BY pos",
                                  &st))) {
        while ((rc = store_step(st)) == STORE_ROW) {
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:n, s:s, s:s, s:[]}", "code", store_col_text(st, 0),
                          "name", store_col_text(st, 1), "baseline", store_col_text(st, 2), "level",
                          "evidence", "", "dated", "", "history");
            rc = !o || json_array_append_new(list, o) ? ERR_NOMEM : 0;
            if (rc)
                break;
        }
        if (rc == STORE_DONE)
            rc = 0;
        store_done(st);
    }
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        if (rc)
            break;
        if ((rc = store_prepare(c,
                                "SELECT level, evidence, dated, created_by FROM strat_maturity"
                                " WHERE area = ? AND dated <= ? ORDER BY dated, id",
                                &st)))
            break;
        rc = store_bind(st, "tt", json_string_value(json_object_get(a, "code")), lim);
        json_t *h = json_object_get(a, "history");
        while (!rc && (rc = store_step(st)) == STORE_ROW) {
            json_t *e = json_pack("{s:i, s:s, s:s, s:s}", "level", (int)store_col_int(st, 0),
                                  "evidence", store_col_text(st, 1), "dated", store_col_text(st, 2),
                                  "by", store_col_text(st, 3));
            rc = !e || json_array_append_new(h, e) ? ERR_NOMEM : 0;
            if (!rc) {
                json_object_set_new(a, "level", json_integer(store_col_int(st, 0)));
                json_object_set_new(a, "evidence", json_string(store_col_text(st, 1)));
                json_object_set_new(a, "dated", json_string(store_col_text(st, 2)));
            }
        }
        if (rc == STORE_DONE)
            rc = 0;
        store_done(st);
    }
    store_put(s, c);
    if (rc)
        json_decref(list);
    else
        *ret = list;
    return rc;
}

int strat_baseline_set(struct store *s, const char *actor, int64_t paper_docs, const char *note,
                       struct str *why)
{
    note = note ? note : "";
    if (paper_docs < 0 || paper_docs > (int64_t)1000000000000)
        return strat__invalid(why, "Die Zahl der Papierdokumente muss 0 oder größer sein.");
    if (!strat__text_ok(note, STRAT_MAX_TEXT))
        return strat__invalid(why, "Die Erläuterung ist zu lang (höchstens 4000 Zeichen).");
    struct store_conn *c;
    int rc = strat__begin(s, &c);
    if (rc)
        return rc;
    char now[32];
    rtime_iso_utc(rtime_now(), now, sizeof now);
    rc = store_run(c,
                   "INSERT INTO strat_baseline (id, paper_docs, note, updated_at, updated_by)"
                   " VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                   " paper_docs = excluded.paper_docs, note = excluded.note,"
                   " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                   "itt"
                   "t",
                   paper_docs, note, now, actor);
    if (!rc)
        rc = strat__journal(
            c, actor, "strategy.baseline.set", "strategy:baseline",
            json_pack("{s:I, s:s}", "paper_docs", (json_int_t)paper_docs, "note", note));
    return strat__end(s, c, rc);
}

int strat_baseline_get(struct store *s, bool *ret_set, int64_t *ret_paper, struct str *note)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    bool set = false;
    int64_t paper = 0;
    if (!(rc = store_prepare(c, "SELECT paper_docs, note FROM strat_baseline WHERE id = 1", &st))) {
        if ((rc = store_step(st)) == STORE_ROW) {
            set = true;
            paper = store_col_int(st, 0);
            if (note)
                str_adds(note, store_col_text(st, 1));
        }
        rc = rc < 0 ? rc : 0;
        store_done(st);
    }
    store_put(s, c);
    if (!rc) {
        *ret_set = set;
        *ret_paper = paper;
    }
    return rc;
}
