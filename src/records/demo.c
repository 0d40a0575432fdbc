/* Demo content for `rathaus init --demo`: files with cases and short German
 * text documents in the offices 32, 50 and 63 (one shared with another
 * office), and a few files closed in past years, so that the staff pages,
 * the search and the disposal list are not empty in a fresh installation.
 * Everything goes through the functions of records.h; only the backdating
 * of the old files writes rows directly, and journals that it did. */
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "records_int.h"
#include "store/journal.h"

/* One demo document with its text content. */
struct demo_doc {
    const char *title;     /* document title */
    const char *direction; /* "in", "out", "internal" */
    const char *dated;     /* ISO date or NULL */
    const char *party;     /* sender or recipient or NULL */
    const char *filename;  /* shown file name */
    const char *text;      /* the content (plain text, UTF-8) */
};

/* One demo case: a title and up to four documents. */
struct demo_case {
    const char *title;       /* case title */
    struct demo_doc docs[4]; /* documents, ended by a NULL title */
};

/* One demo file. */
struct demo_file {
    int office;                /* owning office */
    const char *plan;          /* plan code (skipped when the plan lacks it) */
    const char *title;         /* file title */
    const char *parties;       /* parties or NULL */
    struct demo_case cases[3]; /* cases, ended by a NULL title */
    int share;                 /* office it is shared with, or 0 */
    int closed_year;           /* > 0: closed in that (past) year */
    const char *hold;          /* reason of a legal hold, or NULL */
};

/* The table reads best as written; clang-format would put every field on its own line. */
/* clang-format off */
static const struct demo_file demo_files[] = {
    {32, "32.20.01", "Sondernutzung Marktplatz – Wochenmarkt und Stadtfest",
     "Werbegemeinschaft Altstadt e. V.\nMarktgilde Dorsten GmbH",
     {{"Stadtfest im September",
       {{"Antrag auf Sondernutzungserlaubnis", "in", "2026-03-02", "Werbegemeinschaft Altstadt e. V.",
         "antrag-sondernutzung.txt",
         "Sehr geehrte Damen und Herren,\n\nhiermit beantragen wir die Sondernutzung des "
         "Marktplatzes und der angrenzenden Straße „Am Markt“ für das Stadtfest vom 12. bis "
         "14. September. Geplant sind 40 Verkaufsstände, eine Bühne und ein Kinderkarussell.\n"
         "Frühere Anträge der Werbegemeinschaft wurden stets genehmigt. Die Haftpflichtversicherung "
         "liegt bei.\n\nMit freundlichen Grüßen\nWerbegemeinschaft Altstadt e. V.\n"},
        {"Stellungnahme der Feuerwehr", "internal", "2026-03-10", "Amt 37",
         "stellungnahme-feuerwehr.txt",
         "Vermerk: Gegen die Sondernutzung bestehen aus Sicht des vorbeugenden Brandschutzes keine "
         "Bedenken, wenn die Feuerwehrzufahrt über die Lippestraße in einer Breite von 3,50 Metern "
         "freigehalten wird. Die Bühne ist standsicher aufzustellen.\n"},
        {"Sondernutzungserlaubnis", "out", "2026-03-18", "Werbegemeinschaft Altstadt e. V.",
         "erlaubnis-sondernutzung.txt",
         "Bescheid\n\nAuf Ihren Antrag vom 2. März erteilen wir die Erlaubnis zur Sondernutzung "
         "des Marktplatzes für das Stadtfest. Auflagen: Die Feuerwehrzufahrt bleibt frei; die "
         "Nachtruhe ab 22 Uhr ist einzuhalten. Die Gebühr beträgt 480 Euro.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {"Wochenmarkt, Standplätze 2026",
       {{"Anmeldung der Marktbeschicker", "in", "2026-01-15", "Marktgilde Dorsten GmbH",
         "marktbeschicker.txt",
         "Liste der Marktbeschicker für das Jahr 2026: Obst und Gemüse (6 Stände), Blumen (2), "
         "Käse (1), Fisch (1), Backwaren (2). Die Standplätze bleiben wie im Vorjahr.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {NULL, {{NULL, NULL, NULL, NULL, NULL, NULL}}}},
     0, 0, NULL},
    {32, "32.30.01", "Bewohnerparken Altstadt, Zone A", NULL,
     {{"Antrag Bewohnerparkausweis Kemper",
       {{"Antrag auf einen Bewohnerparkausweis", "in", "2026-02-20", "Jana Kemper",
         "antrag-parkausweis.txt",
         "Ich beantrage einen Bewohnerparkausweis für die Zone A. Ich wohne seit dem 1. Februar "
         "in der Kirchstraße 7. Kennzeichen: RE-JK 412. Meldebescheinigung und Fahrzeugschein "
         "sind beigefügt.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {NULL, {{NULL, NULL, NULL, NULL, NULL, NULL}}}},
     0, 0, NULL},
    {50, "50.40", "Wohngeld Haushalt Schneider", "Familie Schneider, Bahnhofstraße 21",
     {{"Wohngeldantrag 2026",
       {{"Antrag auf Mietzuschuss", "in", "2026-01-08", "Thomas Schneider", "wohngeldantrag.txt",
         "Antrag auf Wohngeld als Mietzuschuss. Haushalt mit zwei Erwachsenen und zwei Kindern. "
         "Gesamtmiete 890 Euro monatlich, Bruttoeinkommen des Haushalts 2.950 Euro. "
         "Mietbescheinigung des Vermieters und Einkommensnachweise liegen bei.\n"},
        {"Anforderung fehlender Unterlagen", "out", "2026-01-20", "Thomas Schneider",
         "nachforderung.txt",
         "Zur Bearbeitung Ihres Antrages benötigen wir noch die Lohnabrechnungen der letzten drei "
         "Monate sowie den Bescheid über das Kindergeld. Bitte reichen Sie die Unterlagen bis "
         "zum 15. Februar ein.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {NULL, {{NULL, NULL, NULL, NULL, NULL, NULL}}}},
     32, 0, NULL},
    {63, "63.10.01", "Bauantrag Einfamilienhaus Lindenweg 12", "Familie Öztürk\nArchitekturbüro Brand",
     {{"Baugenehmigungsverfahren",
       {{"Bauantrag mit Bauvorlagen", "in", "2026-02-03", "Architekturbüro Brand",
         "bauantrag.txt",
         "Bauantrag für die Errichtung eines Einfamilienhauses mit Garage auf dem Grundstück "
         "Lindenweg 12, Gemarkung Holsterhausen, Flur 4, Flurstück 218. Zweigeschossig, "
         "Satteldach, Grundfläche 112 Quadratmeter. Die Bauvorlagen sind vollständig.\n"},
        {"Stellungnahme Planungsamt", "internal", "2026-02-17", "Amt 61",
         "stellungnahme-planung.txt",
         "Das Vorhaben liegt im Geltungsbereich des Bebauungsplans Nr. 112. Die Festsetzungen zu "
         "Dachform und Baugrenzen werden eingehalten. Keine Bedenken.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {"Abnahme und Schlussabnahme",
       {{NULL, NULL, NULL, NULL, NULL, NULL}}},
      {NULL, {{NULL, NULL, NULL, NULL, NULL, NULL}}}},
     0, 0, NULL},
    /* closed long ago: due for disposal */
    {32, "32.10.02", "Gaststättenerlaubnis Zum Anker, Hafenweg 3", "Gaststätte Zum Anker",
     {{"Erlaubnis nach dem Gaststättengesetz",
       {{"Antrag auf Gaststättenerlaubnis", "in", NULL, "Gaststätte Zum Anker",
         "gaststaette.txt",
         "Antrag auf Erteilung einer Gaststättenerlaubnis für den Betrieb einer Schankwirtschaft "
         "im Hafenweg 3. Der Betrieb wurde im Jahr 2012 aufgegeben.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {NULL, {{NULL, NULL, NULL, NULL, NULL, NULL}}}},
     0, 2012, NULL},
    {32, "32.30.01", "Bewohnerparken Neustadt, Zone C (2019)", NULL,
     {{"Widerspruch gegen die Zoneneinteilung",
       {{"Widerspruch", "in", NULL, "Anwohnerinitiative Neustadt", "widerspruch.txt",
         "Gegen die Einteilung der Zone C legen wir Widerspruch ein. Über die Klage ist noch "
         "nicht entschieden.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {NULL, {{NULL, NULL, NULL, NULL, NULL, NULL}}}},
     0, 2019, "Klage vor dem Verwaltungsgericht Gelsenkirchen, Az. 14 K 2211/20"},
    {63, "63.10.03", "Sonderbau Stadthalle, Brandschutzkonzept", "Stadt Dorsten, Gebäudemanagement",
     {{"Genehmigung Brandschutzkonzept",
       {{"Brandschutzkonzept", "in", NULL, "Ingenieurbüro Wessel", "brandschutz.txt",
         "Brandschutzkonzept für die Stadthalle mit 800 Besucherplätzen: zwei bauliche "
         "Rettungswege je Geschoss, Rauchabzug über das Dach, Brandmeldeanlage mit Aufschaltung "
         "zur Feuerwehr.\n"},
        {NULL, NULL, NULL, NULL, NULL, NULL}}},
      {NULL, {{NULL, NULL, NULL, NULL, NULL, NULL}}}},
     0, 1990, NULL},
};
/* clang-format on */

/* Moves file ref into year: a new reference of that year, creation and
 * closing dates in it and the retention end computed from them. Journaled
 * as demo.backdate, so the chain says what happened. */
static int backdate(struct store *s, const char *ref, int year)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    int64_t id = 0, node = 0, years = 0, seq = 0;
    char code[REC_MAX_CODE] = "";
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "SELECT f.id, f.plan_node_id, p.code, p.retention_years FROM files f"
                            " JOIN plan_nodes p ON p.id = f.plan_node_id WHERE f.reference = ?",
                            &st)))
        goto fail;
    if (!(rc = store_bind(st, "t", ref)) && (rc = store_step(st)) == STORE_ROW) {
        rc = 0;
        id = store_col_int(st, 0);
        node = store_col_int(st, 1);
        snprintf(code, sizeof code, "%s", store_col_text(st, 2));
        years = store_col_int(st, 3);
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    if (rc)
        goto fail;
    if ((rc = store_query_int(c, &seq,
                              "SELECT coalesce(max(seq), 0) + 1 FROM files"
                              " WHERE plan_node_id = ? AND year = ?",
                              "ii", node, (int64_t)year)))
        goto fail;
    char nref[REC_REF_MAX], created[32], closed[32], until[11];
    snprintf(nref, sizeof nref, "%s-%04d-%04d", code, year, (int)seq);
    snprintf(created, sizeof created, "%04d-02-01T09:00:00Z", year);
    snprintf(closed, sizeof closed, "%04d-11-30T15:00:00Z", year);
    int64_t t = 0;
    if ((rc = rtime_parse_iso(closed, &t)))
        goto fail;
    rec_retention_until(t, (int)years, until);
    if ((rc = store_run(c,
                        "UPDATE files SET year = ?, seq = ?, reference = ?, created_at = ?,"
                        " closed_at = ?, retention_until = ? WHERE id = ?",
                        "iitttti", (int64_t)year, seq, nref, created, closed, until, id)) ||
        (rc = store_run(c,
                        "UPDATE cases SET reference = ? || substr(reference, ?),"
                        " created_at = ?, closed_at = ? WHERE file_id = ?",
                        "titti", nref, (int64_t)strlen(ref) + 1, created, closed, id)))
        goto fail;
    json_t *d = json_pack("{s:s, s:s, s:s}", "from", ref, "reference", nref, "closed_at", closed);
    char obj[32];
    snprintf(obj, sizeof obj, "file:%lld", (long long)id);
    rc = d ? journal_append(c, "system", "demo.backdate", obj, d, NULL) : ERR_NOMEM;
    json_decref(d);
    if (rc)
        goto fail;
    rc = store_commit(c);
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}

/* Creates one demo file with its cases and documents. A plan code the plan
 * does not have skips the file (ERR_NOTFOUND is not an error here). */
static int demo_file(struct store *s, const struct rec_actor *a, const struct demo_file *df)
{
    char ref[REC_REF_MAX], cref[REC_REF_MAX];
    int64_t id;
    int rc = rec_file_create(s, a, df->plan, df->office, df->title, df->parties, ref, &id, NULL);
    if (rc == ERR_NOTFOUND)
        return 0;
    for (const struct demo_case *dc = df->cases; !rc && dc->title; dc++) {
        rc = rec_case_create(s, a, ref, dc->title, NULL, cref, &id);
        for (const struct demo_doc *dd = dc->docs; !rc && dd->title; dd++) {
            struct rec_doc_new dn = {dd->title, dd->direction, dd->dated, dd->party};
            int64_t doc_id;
            rc = rec_doc_create(s, a, cref, &dn, &doc_id);
            struct rec_content content = {
                .data = dd->text, .len = strlen(dd->text), .filename = dd->filename};
            if (!rc)
                rc = rec_version_add(s, a, doc_id, &content, NULL, NULL);
        }
    }
    if (!rc && df->share)
        rc = rec_file_share(s, a, ref, df->share);
    if (!rc && df->hold)
        rc = rec_file_hold(s, a, ref, true, df->hold);
    if (!rc && df->closed_year > 0) {
        rc = rec_file_close(s, a, ref);
        if (!rc)
            rc = backdate(s, ref, df->closed_year);
    }
    return rc;
}

int rec_demo_seed(struct store *s)
{
    struct rec_actor a = rec_actor_system("system");
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof demo_files / sizeof demo_files[0]; i++)
        rc = demo_file(s, &a, &demo_files[i]);
    return rc;
}
