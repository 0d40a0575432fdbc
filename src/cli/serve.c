/* `rathaus serve`: opens the data directory, applies pending migrations,
 * compiles the embedded templates and runs the web server until SIGTERM or
 * SIGINT, then drains running requests and exits cleanly. */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "cli.h"
#include "http/http.h"
#include "processes/mining.h"
#include "processes/processes.h"
#include "portal/portal.h"
#include "records/records.h"
#include "strategy/strategy.h"
#include "web/web.h"
#include "workflow/engine.h"

EMBED_DECLARE(rathaus_templates);
EMBED_DECLARE(rathaus_static);
EMBED_DECLARE(rathaus_vendor);

/* The files under /static/: the project's own and the npm assets (vendor/),
 * joined into one table for the server. */
static struct embed_file *join_statics(size_t *ret_n)
{
    size_t n = rathaus_static_count + rathaus_vendor_count;
    struct embed_file *all = calloc(n + 1, sizeof *all);
    if (!all)
        return NULL;
    memcpy(all, rathaus_static, rathaus_static_count * sizeof *all);
    memcpy(all + rathaus_static_count, rathaus_vendor, rathaus_vendor_count * sizeof *all);
    *ret_n = n;
    return all;
}

/* How long running requests may take to finish after SIGTERM. */
#define SERVE_DRAIN_MS 10000
/* Bytes of one text field of a form (files go to disk and have their own limit). */
#define SERVE_MAX_TEXT_VALUE ((size_t)256 * 1024)
/* Default worker threads. */
#define SERVE_THREADS_DEFAULT 4

static void help(void)
{
    printf("Aufruf: rathaus serve [--data VERZEICHNIS] [--listen ADRESSE:PORT] [--threads N]\n\n"
           "Startet den Webserver (Vorgabe: 127.0.0.1:8080, %d Threads). SIGTERM oder Strg+C\n"
           "beenden ihn sauber: laufende Anfragen werden noch beantwortet.\n",
           SERVE_THREADS_DEFAULT);
}

/* Splits "ADDR:PORT", "[v6]:PORT" or ":PORT". */
static int parse_listen(const char *z, char *addr, size_t n, int *port)
{
    const char *colon = strrchr(z, ':');
    if (!colon)
        return ERR_INVALID;
    long p;
    if (str_to_long(colon + 1, 0, 65535, &p))
        return ERR_INVALID;
    const char *a = z;
    size_t len = (size_t)(colon - z);
    if (len >= 2 && a[0] == '[' && a[len - 1] == ']') {
        a++;
        len -= 2;
    }
    if (len == 0) {
        a = "0.0.0.0";
        len = 7;
    }
    if (len >= n)
        return ERR_INVALID;
    memcpy(addr, a, len);
    addr[len] = '\0';
    *port = (int)p;
    return 0;
}

/* Removes leftovers of a crash: temp uploads and unfinished blob writes. */
static void clean_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

static int load_csrf_key(struct store *s, unsigned char key[32])
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    struct str v;
    str_init(&v, 128);
    rc = web_setting_get(c, "csrf_key", &v);
    store_put(s, c);
    if (!rc && (v.len != 64 || sodium_hex2bin(key, 32, v.buf, v.len, NULL, NULL, NULL) != 0))
        rc = ERR_CORRUPT;
    str_release(&v);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL, *listen = "127.0.0.1:8080";
    long threads = SERVE_THREADS_DEFAULT;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'l': listen = optarg; break;
        case 't':
            if (str_to_long(optarg, 1, 256, &threads))
                return cli_fail("serve", "--threads: „%s“ ist keine Zahl von 1 bis 256", optarg);
            break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    char addr[128];
    int port;
    if (parse_listen(listen, addr, sizeof addr, &port))
        return cli_fail("serve", "--listen: „%s“ ist keine Adresse der Form 127.0.0.1:8080",
                        listen);
    const char *dir = cli_data_dir(data);
    struct app app = {0};
    struct http_router *router = NULL;
    struct http_server *srv = NULL;
    struct portal_catalog *cat = NULL;
    int status = 1;
    size_t nstatics = 0;
    struct embed_file *statics = join_statics(&nstatics);
    if (!statics)
        return cli_fail("serve", "%s", err_message(ERR_NOMEM));
    if (cli_open(dir, &app.store)) {
        free(statics);
        return 1;
    }
    app.version = RATHAUS_VERSION;
    struct str err;
    str_init(&err, 4096);
    int rc = view_init(&app.view, rathaus_templates, rathaus_templates_count, &err);
    if (rc) {
        cli_fail("serve", "Vorlagen fehlerhaft: %s", err.buf);
        goto done;
    }
    if ((rc = web_app_load(&app))) {
        cli_fail("serve", "Einstellungen nicht lesbar: %s", err_message(rc));
        goto done;
    }
    if ((rc = strat_seed_store(app.store))) /* the strategy's plan, for older data dirs */
        log_msg(LOG_WARN, "Strategie-Vorgabedaten nicht geladen: %s", err_message(rc));
    if ((rc = portal_catalog_load(rathaus_data, rathaus_data_count, &cat, &err))) {
        cli_fail("serve", "Leistungskatalog fehlerhaft: %s", err.len ? err.buf : err_message(rc));
        goto done;
    }
    str_reset(&err);
    rc = portal_catalog_sync(app.store, cat, rathaus_data, rathaus_data_count, NULL, &err);
    if (rc == ERR_INVALID)
        log_msg(LOG_WARN, "Leistungen: %s", err.buf);
    else if (rc) {
        cli_fail("serve", "Leistungskatalog: %s", err_message(rc));
        goto done;
    }
    if ((rc = http_router_new(&router)) || (rc = web_register(router)) ||
        (rc = records_register(router)) || (rc = wf_register(router)) ||
        /* mining first: its /prozesse/analyse… precede the library's /prozesse/:key */
        (rc = mining_register(router)) || (rc = proc_register(router)) ||
        (rc = portal_register(router, cat)) || (rc = strat_register(router))) {
        cli_fail("serve", "%s", err_message(rc));
        goto done;
    }
    char tmpdir[4096], blobtmp[4096];
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", dir);
    snprintf(blobtmp, sizeof blobtmp, "%s/blobs/tmp", dir);
    mkdir(tmpdir, 0700);
    clean_dir(tmpdir);
    clean_dir(blobtmp);
    struct http_server_opts o = {
        .address = addr,
        .port = port,
        .threads = (int)threads,
        .app = &app,
        .hooks = {web_session_hook, web_error_page},
        .router = router,
        .statics = statics,
        .nstatics = nstatics,
        .tmpdir = tmpdir,
        .limits = FORM_LIMITS_DEFAULT,
    };
    /* text values live in the request arena: 200 fields × 256 KiB stay below its cap */
    o.limits.max_value = SERVE_MAX_TEXT_VALUE;
    if ((rc = load_csrf_key(app.store, o.csrf_key))) {
        cli_fail("serve", "Schlüssel für Formulare fehlt oder ist beschädigt: %s", err_message(rc));
        goto done;
    }
    /* block the signals before threads start, so only sigwait below sees them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* today's KPI snapshot before the first request, then one each new day */
    if ((rc = strat_loop_start(app.store)))
        log_msg(LOG_WARN, "Kennzahlen-Tagesstand nicht gestartet: %s", err_message(rc));
    if ((rc = http_server_start(&o, &srv))) {
        cli_fail("serve", "kann nicht auf %s lauschen (Port belegt?)", listen);
        goto done;
    }
    const char *shown =
        strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0 ? "127.0.0.1" : addr;
    log_msg(LOG_INFO, "rathaus %s läuft auf http://%s%s%s:%d/ (Daten: %s)", RATHAUS_VERSION,
            strchr(shown, ':') ? "[" : "", shown, strchr(shown, ':') ? "]" : "",
            http_server_port(srv), dir);
    if ((rc = rec_extract_start(app.store, 0))) /* text extraction for the search */
        log_msg(LOG_WARN, "Textauslese nicht gestartet: %s", err_message(rc));
    if ((rc = wf_loop_start(app.store))) /* timers and resumption of the workflow */
        log_msg(LOG_WARN, "Workflow-Zeitgeber nicht gestartet: %s", err_message(rc));
    int sig = 0;
    sigwait(&set, &sig);
    log_msg(LOG_INFO, "Signal %d: beende nach laufenden Anfragen", sig);
    http_server_stop(srv, SERVE_DRAIN_MS);
    srv = NULL;
    status = 0;
done:
    str_release(&err);
    http_router_free(router);
    free(statics);
    view_free(app.view);
    rec_extract_stop();
    wf_loop_stop();
    strat_loop_stop();
    store_close(app.store);
    portal_catalog_free(cat);
    if (status == 0)
        log_msg(LOG_INFO, "beendet");
    return status;
}
