/* Demo content of the process library for `rathaus init --demo`: one
 * documented process per shipped online service (data/services/<slug>.json, its
 * BPMN from data/bpmn/ as version 1), the co-signature pattern, and a few
 * internal processes that are only captured so far, so the register shows
 * every status. Existing keys are left alone. */
#include <stdio.h>
#include <string.h>

#include "processes.h"
#include "web/web.h"

/* Processes without an online service: key, name, office, status, description. */
static const struct {
    const char *key, *name;
    int unit;
    const char *status, *description, *checklist, *pitfalls;
} internal[] = {
    {"posteingang-scannen", "Posteingang scannen und zuordnen", 10, "modelliert",
     "Die Poststelle öffnet die Eingangspost, scannt sie nach TR-RESISCAN und ordnet sie der "
     "E-Akte des zuständigen Amtes zu. Das Papier wird nach der Qualitätskontrolle drei Monate "
     "aufbewahrt und dann vernichtet.",
     "Umschläge öffnen, Eingangsstempel digital setzen\nScannen mit 300 dpi, Graustufen\n"
     "Qualitätskontrolle: Seitenzahl und Lesbarkeit\nAktenzeichen zuordnen oder Amt ermitteln\n"
     "Papier in die Frist-Box legen",
     "Anlagen mit Heftklammern vor dem Scannen lösen; Farbe nur, wenn sie Bedeutung trägt."},
    {"rechnungseingang", "Eingangsrechnungen prüfen und freigeben", 20, "erfasst",
     "Eingehende Rechnungen (XRechnung oder Papier) werden sachlich und rechnerisch geprüft, "
     "angeordnet und zur Zahlung an die Stadtkasse gegeben.",
     "Rechnung einem Auftrag zuordnen\nSachlich richtig zeichnen\nRechnerisch richtig zeichnen\n"
     "Anordnung durch Anordnungsbefugte",
     "Skontofristen beachten."},
    {"ratssitzung-vorbereiten", "Ratssitzung vorbereiten", 10, "erfasst",
     "Vorlagen der Ämter sammeln, Tagesordnung abstimmen, Einladung fristgerecht versenden und "
     "das Ratsinformationssystem pflegen.",
     "Vorlagenschluss mitteilen\nTagesordnung mit der Leitung abstimmen\nEinladungsfrist prüfen",
     "Die Einladungsfrist der Geschäftsordnung ist eine Ausschlussfrist."},
};

static const struct embed_file *data_file(const char *name)
{
    for (size_t i = 0; i < rathaus_data_count; i++)
        if (strcmp(rathaus_data[i].name, name) == 0)
            return &rathaus_data[i];
    return NULL;
}

static bool exists(struct store *s, const char *key)
{
    json_t *p = NULL;
    int rc = proc_get(s, key, &p);
    json_decref(p);
    return rc == 0;
}

/* Checklist lines from the service's evidence list. */
static void evidence_checklist(const json_t *svc, struct str *out)
{
    str_adds(out, "Antrag auf Vollständigkeit prüfen\n");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(svc, "evidence"), i, e) if (json_is_string(e))
        str_addf(out, "Nachweis prüfen: %s\n", json_string_value(e));
    str_adds(out, "Entscheidung begründen und Bescheid erstellen\nAntragsteller benachrichtigen");
}

/* Documents one service: the entry and its model as version 1. */
static int seed_service(struct store *s, const struct rec_actor *a, const struct embed_file *f)
{
    json_error_t jerr;
    json_t *svc = json_loadb((const char *)f->data, f->len, 0, &jerr);
    if (!svc)
        return ERR_INVALID;
    const char *slug = json_string_value(json_object_get(svc, "slug"));
    const char *name = json_string_value(json_object_get(svc, "name"));
    int rc = 0;
    if (!slug || !name || exists(s, slug))
        goto done;
    int unit = (int)json_integer_value(json_object_get(svc, "office"));
    int days = (int)json_integer_value(json_object_get(svc, "processing_days"));
    struct str check, who, deputies, pitfalls;
    str_init(&check, 8192);
    str_init(&who, 2048);
    str_init(&deputies, 1024);
    str_init(&pitfalls, 2048);
    evidence_checklist(svc, &check);
    str_addf(&who,
             "Amt %02d bearbeitet die Anträge im Posteingang „Meine Aufgaben“; die Leitung "
             "entscheidet über Widersprüche und Ausnahmen.",
             unit);
    str_addf(&deputies,
             "Vertretung innerhalb von Amt %02d nach dem Geschäftsverteilungsplan; bei Abwesenheit "
             "bleiben Aufgaben im Amtspostfach sichtbar.",
             unit);
    str_addf(&pitfalls,
             "Die erwartete Bearbeitungszeit beträgt %d Arbeitstage; Wiedervorlagen setzen, wenn "
             "Nachweise fehlen, und Antragsteller über die Statusseite informieren.",
             days > 0 ? days : 10);
    char owner[64];
    snprintf(owner, sizeof owner, "Leitung Amt %02d", unit);
    const char *process = json_string_value(json_object_get(svc, "process"));
    char path[300];
    snprintf(path, sizeof path, "bpmn/%s", process ? process : "");
    const struct embed_file *model = process ? data_file(path) : NULL;
    struct proc_entry e = {
        .key = slug,
        .name = name,
        .unit_nr = unit,
        .leika = json_string_value(json_object_get(svc, "leika")),
        .service_key = slug,
        .owner_role = owner,
        .status = model ? "digitalisiert" : "erfasst",
        .legal_basis = json_string_value(json_object_get(svc, "legal_basis")),
        .description = json_string_value(json_object_get(svc, "description")),
        .checklist = check.buf,
        .responsibilities = who.buf,
        .deputies = deputies.buf,
        .pitfalls = pitfalls.buf,
    };
    rc = proc_save(s, a, &e, NULL);
    if (!rc && model)
        rc = proc_model_add(s, a, slug, (const char *)model->data, model->len,
                            "Ausgeliefertes Modell der Online-Leistung", NULL, NULL);
    if (!rc && model)
        rc = proc_save(s, a, &e, NULL); /* keep "digitalisiert" after the model */
    str_release(&check);
    str_release(&who);
    str_release(&deputies);
    str_release(&pitfalls);
done:
    json_decref(svc);
    return rc;
}

int proc_demo_seed(struct store *s)
{
    struct rec_actor a = rec_actor_system("demo");
    int rc = 0;
    for (size_t i = 0; !rc && i < rathaus_data_count; i++) {
        const char *n = rathaus_data[i].name;
        size_t len = strlen(n);
        if (strncmp(n, "services/", 9) == 0 && len > 5 && strcmp(n + len - 5, ".json") == 0)
            rc = seed_service(s, &a, &rathaus_data[i]);
    }
    const struct embed_file *m = data_file("bpmn/mitzeichnung.bpmn");
    if (!rc && m && !exists(s, "mitzeichnung")) {
        struct proc_entry e = {
            .key = "mitzeichnung",
            .name = "Mitzeichnung durch mehrere Ämter",
            .unit_nr = 10,
            .service_key = "demo-mitzeichnung",
            .owner_role = "Leitung Amt 10",
            .status = "digitalisiert",
            .description = "Muster für Vorgänge, die mehrere Ämter gleichzeitig mitzeichnen: "
                           "der Vorgang geht parallel an die beteiligten Ämter und wird erst "
                           "weitergeführt, wenn alle gezeichnet haben.",
            .checklist = "Beteiligte Ämter festlegen\nFrist für die Mitzeichnung setzen\n"
                         "Stellungnahmen zusammenführen",
            .responsibilities = "Das federführende Amt steuert; jedes beteiligte Amt zeichnet "
                                "in seinem Amtspostfach.",
            .deputies = "Vertretung nach Geschäftsverteilungsplan der beteiligten Ämter.",
            .pitfalls = "Fristen der Mitzeichnung als Wiedervorlage setzen, damit nichts liegen "
                        "bleibt.",
        };
        rc = proc_save(s, &a, &e, NULL);
        if (!rc)
            rc = proc_model_add(s, &a, "mitzeichnung", (const char *)m->data, m->len,
                                "Muster Mitzeichnung", NULL, NULL);
        if (!rc)
            rc = proc_save(s, &a, &e, NULL);
    }
    for (size_t i = 0; !rc && i < sizeof internal / sizeof internal[0]; i++) {
        if (exists(s, internal[i].key))
            continue;
        char owner[64];
        snprintf(owner, sizeof owner, "Leitung Amt %02d", internal[i].unit);
        struct proc_entry e = {
            .key = internal[i].key,
            .name = internal[i].name,
            .unit_nr = internal[i].unit,
            .owner_role = owner,
            .status = internal[i].status,
            .description = internal[i].description,
            .checklist = internal[i].checklist,
            .pitfalls = internal[i].pitfalls,
        };
        rc = proc_save(s, &a, &e, NULL);
    }
    return rc;
}
