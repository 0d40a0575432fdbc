/* `rathaus init`: creates a data directory with the database, the blob
 * store, the offices of the seed, a secret for CSRF tokens and an admin
 * account whose random password is printed once. --demo adds one demo
 * account per office, writes their common password to DIR/demo-zugang.txt
 * and fills the E-Akte with demo files. */
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "processes/processes.h"
#include "portal/portal.h"
#include "records/records.h"
#include "store/journal.h"
#include "processes/mining.h"
#include "strategy/strategy.h"
#include "web/web.h"
#include "workflow/deploy.h"
#include "workflow/engine.h"

/* Paper documents of the demo's baseline (the digital-share KPI): a made-up count,
 * shown as such in its note. */
#define DEMO_PAPER_DOCS 120
/* The service whose cases of the past months fill the process analysis. */
#define DEMO_HISTORY_SERVICE "mitzeichnung-verlauf"

static void help(void)
{
    printf("Aufruf: rathaus init [--data VERZEICHNIS] [--demo] [--city NAME]\n\n"
           "Legt ein neues Datenverzeichnis an: Datenbank (VERZEICHNIS/rathaus.db),\n"
           "Dateiablage (VERZEICHNIS/blobs/), die Ämter und ein Konto „admin“ mit einem\n"
           "Zufallspasswort, das nur einmal angezeigt wird.\n\n"
           "  --demo       zusätzlich Demo-Konten amt01 … amt70 (ein Konto je Amt)\n"
           "  --city NAME  Name der Kommune (Vorgabe: Stadt Dorsten)\n");
}

/* Creates one account; prints the reason on failure. */
static int add_user(struct store *s, const char *login, const char *name, int unit, unsigned roles,
                    const char *pw)
{
    struct web_user_new u = {login, name, unit, roles, pw};
    struct str why;
    str_init(&why, 512);
    int rc = web_user_add(s, "system", &u, NULL, &why);
    if (rc)
        fprintf(stderr, "rathaus init: Konto %s: %s\n", login, why.len ? why.buf : err_message(rc));
    str_release(&why);
    return rc;
}

static int setup(struct store *s, const char *city)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    rc = web_units_seed(c, "system");
    if (!rc)
        rc = rec_plan_seed(c, "system");
    if (!rc)
        rc = web_setting_set(c, "system", "city", city);
    if (!rc)
        rc = strat_seed(c, "system"); /* the strategy's plan as default data */
    if (!rc) {
        /* the CSRF secret: stored, but never written into the journal */
        unsigned char key[32];
        char hex[65];
        randombytes_buf(key, sizeof key);
        sodium_bin2hex(hex, sizeof hex, key, sizeof key);
        rc = store_run(c, "INSERT INTO settings (key, value) VALUES ('csrf_key', ?)", "t", hex);
        if (!rc)
            rc = journal_append(c, "system", "settings.secret", "settings", NULL, NULL);
    }
    rc = rc ? (store_rollback(c), rc) : store_commit(c);
done:
    store_put(s, c);
    return rc;
}

/* Appends p (n bytes) to out with every pairs[i][0] replaced by pairs[i][1]. */
static int copy_replacing(const char *p, size_t n, const char *const pairs[][2], size_t np,
                          struct str *out)
{
    size_t i = 0;
    while (i < n) {
        size_t k = 0;
        for (; k < np; k++) {
            size_t len = strlen(pairs[k][0]);
            if (len <= n - i && memcmp(p + i, pairs[k][0], len) == 0)
                break;
        }
        if (k < np) {
            str_adds(out, pairs[k][1]);
            i += strlen(pairs[k][0]);
        } else {
            str_addc(out, p[i++]);
        }
    }
    return out->err;
}

/* Demo only: deploys the co-signature model for the service key
 * "demo-mitzeichnung" and starts it on the first open case of Amt 32, so the
 * inbox of amt32 is not empty at first start; deploys it once more as
 * DEMO_HISTORY_SERVICE with the cases of the past months (mining_demo_seed). */
static int demo_workflow(struct store *s)
{
    const struct embed_file *f = NULL;
    for (size_t i = 0; i < rathaus_data_count; i++)
        if (strcmp(rathaus_data[i].name, "bpmn/mitzeichnung.bpmn") == 0)
            f = &rathaus_data[i];
    if (!f)
        return ERR_INTERNAL;
    struct wf_deployment dep;
    int rc = wf_deploy(s, "system", (const char *)f->data, f->len, "mitzeichnung.bpmn",
                       "demo-mitzeichnung", &dep, NULL, NULL);
    /* the same model as a process of its own (its event log apart from the
     * demo case's), with eleven months of cases for the process analysis */
    static const char *const rename[][2] = {
        {"\"Mitzeichnung\"", "\"Mitzeichnung_Verlauf\""},
        {"\"Mitzeichnung durch zwei Ämter\"", "\"Mitzeichnung durch zwei Ämter (Demo-Verlauf)\""},
    };
    struct str xml;
    str_init(&xml, f->len + 256);
    if (!rc)
        rc = copy_replacing((const char *)f->data, f->len, rename, 2, &xml);
    if (!rc)
        rc = wf_deploy(s, "system", xml.buf, xml.len, "mitzeichnung.bpmn", DEMO_HISTORY_SERVICE,
                       &dep, NULL, NULL);
    str_release(&xml);
    if (!rc)
        rc = mining_demo_seed(s, DEMO_HISTORY_SERVICE);
    if (rc)
        return rc;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    struct store_stmt *q;
    char ref[256] = "";
    if (!(rc = store_prepare(c,
                             "SELECT c.reference FROM cases c JOIN files f ON f.id = c.file_id"
                             " WHERE f.unit_nr = 32 AND f.status = 'open' AND c.status = 'open'"
                             " ORDER BY c.id LIMIT 1",
                             &q))) {
        if (store_step(q) == STORE_ROW)
            snprintf(ref, sizeof ref, "%s", store_col_text(q, 0));
        store_done(q);
    }
    store_put(s, c);
    if (!rc && *ref)
        rc = wf_start(s, "system", "demo-mitzeichnung", ref, NULL, NULL);
    return rc;
}

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"demo", no_argument, NULL, 'D'},
        {"city", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL, *city = "Stadt Dorsten";
    bool demo = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'D': demo = true; break;
        case 'c': city = optarg; break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (optind != argc)
        return cli_fail("init", "unerwartetes Argument „%s“ (siehe --help)", argv[optind]);
    if (strlen(city) == 0 || strlen(city) >= WEB_MAX_CITY)
        return cli_fail("init", "--city: der Name muss 1 bis %d Zeichen lang sein",
                        WEB_MAX_CITY - 1);
    const char *dir = cli_data_dir(data);
    char dbp[4096];
    snprintf(dbp, sizeof dbp, "%s/rathaus.db", dir);
    struct stat st;
    if (stat(dbp, &st) == 0)
        return cli_fail("init", "%s enthält bereits eine Datenbank; nichts verändert.", dir);
    struct store *s = NULL;
    int rc = store_open(dir, STORE_CREATE, &s);
    if (rc)
        return cli_fail("init", "%s kann nicht angelegt werden: %s", dir, err_message(rc));
    char blobs[4096];
    snprintf(blobs, sizeof blobs, "%s/blobs", dir);
    if (mkdir(blobs, 0750) != 0 && access(blobs, W_OK) != 0) {
        store_close(s);
        return cli_fail("init", "%s kann nicht angelegt werden", blobs);
    }
    if ((rc = cli_migrate(s, NULL)) || (rc = setup(s, city))) {
        store_close(s);
        return cli_fail("init", "Einrichtung fehlgeschlagen: %s", err_message(rc));
    }
    char pw[17];
    web_password_random(pw);
    if (add_user(s, "admin", "Administration", 16, WEB_ROLE_ADMIN | WEB_ROLE_HEAD, pw)) {
        store_close(s);
        return 1;
    }
    /* the online services: catalogue mirrored, their processes deployed */
    struct portal_catalog *cat = NULL;
    struct str why;
    str_init(&why, 8192);
    rc = portal_catalog_load(rathaus_data, rathaus_data_count, &cat, &why);
    if (!rc) {
        str_reset(&why);
        rc = portal_catalog_sync(s, cat, rathaus_data, rathaus_data_count, NULL, &why);
    }
    portal_catalog_free(cat);
    if (rc == ERR_INVALID)
        fprintf(stderr, "rathaus init: Warnung, Leistungen: %s\n", why.buf);
    str_release(&why);
    if (rc && rc != ERR_INVALID) {
        store_close(s);
        return cli_fail("init", "Leistungskatalog: %s", err_message(rc));
    }
    printf("Datenverzeichnis %s angelegt.\n", dir);
    printf("Konto „admin“ (Amt 16), Passwort: %s\n", pw);
    printf("Das Passwort wird nur jetzt angezeigt. Ändern mit: rathaus user passwd --data %s "
           "--login admin\n",
           dir);
    if (demo) {
        char dpw[17];
        web_password_random(dpw);
        struct store_conn *c;
        if ((rc = store_get(s, &c))) {
            store_close(s);
            return cli_fail("init", "%s", err_message(rc));
        }
        struct store_stmt *q;
        int nrs[128], n = 0;
        rc = store_prepare(c, "SELECT nr FROM units ORDER BY nr", &q);
        while (!rc && n < 128 && store_step(q) == STORE_ROW)
            nrs[n++] = (int)store_col_int(q, 0);
        if (!rc)
            store_done(q);
        store_put(s, c);
        for (int i = 0; i < n && !rc; i++) {
            char login[16], name[64];
            snprintf(login, sizeof login, "amt%02d", nrs[i]);
            snprintf(name, sizeof name, "Sachbearbeitung Amt %02d", nrs[i]);
            unsigned roles = WEB_ROLE_CASEWORKER;
            if (nrs[i] == 10)
                roles |= WEB_ROLE_REGISTRY; /* Amt 10 keeps the registry */
            rc = add_user(s, login, name, nrs[i], roles, dpw);
        }
        if (!rc) {
            char leit[16] = "leitung32";
            rc = add_user(s, leit, "Amtsleitung 32", 32, WEB_ROLE_HEAD | WEB_ROLE_CASEWORKER, dpw);
        }
        if (!rc) /* the strategy cockpit (Stabsstelle Digitalisierung, kept with Amt 10) */
            rc = add_user(s, "digital", "Stabsstelle Digitalisierung", 10, WEB_ROLE_DIGITAL, dpw);
        if (!rc && (rc = rec_demo_seed(s)))
            fprintf(stderr, "rathaus init: Demo-Akten: %s\n", err_message(rc));
        if (!rc && (rc = demo_workflow(s)))
            fprintf(stderr, "rathaus init: Demo-Prozess: %s\n", err_message(rc));
        if (!rc && (rc = proc_demo_seed(s)))
            fprintf(stderr, "rathaus init: Demo-Prozessbibliothek: %s\n", err_message(rc));
        if (!rc) { /* so the demo cockpit can show the digital share */
            struct str bwhy;
            str_init(&bwhy, 128);
            if ((rc = strat_baseline_set(s, "system", DEMO_PAPER_DOCS,
                                         "Demo-Wert: durch die Zählung der Stadt ersetzen", &bwhy)))
                fprintf(stderr, "rathaus init: Demo-Basiswert: %s\n",
                        bwhy.len ? bwhy.buf : err_message(rc));
            str_release(&bwhy);
        }
        /* extract the demo documents now, so they are searchable at first start */
        if (!rc && (rc = rec_extract_drain(s, 2)))
            fprintf(stderr, "rathaus init: Texterkennung der Demo-Dokumente: %s\n",
                    err_message(rc));
        if (rc) {
            store_close(s);
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/demo-zugang.txt", dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (f) {
            fprintf(f,
                    "Demo-Zugänge (nur für Test und Schulung)\n"
                    "Administration: admin / %s\n"
                    "Sachbearbeitung: amt01 … amt70 (je Amt ein Konto), Leitung: leitung32\n"
                    "Digitalisierung (Strategie-Cockpit): digital\n"
                    "Passwort der Demo-Konten: %s\n",
                    pw, dpw);
            fclose(f);
        }
        printf(
            "Demo-Konten: amt01 … amt70 (je Amt ein Konto), leitung32 und digital, Passwort: %s\n",
            dpw);
    }
    store_close(s);
    return 0;
}
