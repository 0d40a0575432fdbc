/* `rathaus bpmn inspect FILE [--json]`: reads a BPMN 2.0 file and prints, per
 * process, how many elements of each kind it holds (the MIWG test compares
 * these counts with XPath), and `rathaus bpmn deploy --data DIR FILE --service
 * KEY`: checks a model against the executable subset and stores it as the
 * workflow of a service. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "workflow/bpmn.h"
#include "workflow/deploy.h"

/* Reads the whole file (at most BPMN_MAX_BYTES) into *ret (free it). Prints
 * the German message and returns non-zero on failure. */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cli_fail("bpmn", "%s: Datei kann nicht gelesen werden: %s", path,
                        errno == ENOENT   ? "nicht vorhanden"
                        : errno == EACCES ? "keine Leseberechtigung"
                                          : strerror(errno));
    struct str s;
    str_init(&s, BPMN_MAX_BYTES);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (str_add(&s, buf, n))
            break;
    int bad = ferror(f);
    fclose(f);
    if (bad || s.err) {
        str_release(&s);
        if (bad)
            return cli_fail("bpmn", "%s: Datei kann nicht gelesen werden", path);
        return cli_fail("bpmn", "%s: die Datei ist größer als %zu MiB", path, BPMN_MAX_BYTES >> 20);
    }
    *ret = str_detach(&s, ret_len);
    if (!*ret)
        return cli_fail("bpmn", "%s", err_message(ERR_NOMEM));
    return 0;
}

static void print_table(const json_t *procs)
{
    size_t i;
    const json_t *p;
    json_array_foreach(procs, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        const char *name = json_string_value(json_object_get(p, "name"));
        printf("%sProzess %s%s%s(%s)\n", i ? "\n" : "", *name ? "„" : "", name, *name ? "“ " : "",
               id);
        printf("  %-32s %6s\n", "Elementtyp", "Anzahl");
        const char *k;
        const json_t *v;
        json_int_t sum = 0;
        json_object_foreach((json_t *)json_object_get(p, "elements"), k, v)
        {
            printf("  %-32s %6" JSON_INTEGER_FORMAT "\n", k, json_integer_value(v));
            sum += json_integer_value(v);
        }
        printf("  %-32s %6" JSON_INTEGER_FORMAT "\n", "Summe", sum);
    }
    if (!json_array_size(procs))
        printf("Die Datei enthält keinen Prozess.\n");
}

static int inspect(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    bool as_json = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'j': as_json = true; break;
        case 'h':
            printf(
                "Aufruf: rathaus bpmn inspect DATEI [--json]\n\n"
                "Liest ein BPMN-2.0-Modell und zählt je Prozess die Elemente jedes Typs\n"
                "(alles im BPMN-Namensraum unterhalb des Prozesses, ohne den Inhalt von\n"
                "extensionElements). --json: {\"processes\":[{\"id\",\"name\",\"elements\"}]}.\n");
            return 0;
        default: return 2;
        }
    }
    if (optind != argc - 1)
        return cli_fail("bpmn", "inspect erwartet genau eine Datei (--help zeigt den Aufruf)");
    const char *path = argv[optind];
    char *data = NULL;
    size_t len = 0;
    if (read_file(path, &data, &len))
        return 1;
    struct bpmn_model *m = NULL;
    struct str err;
    str_init(&err, 4096);
    int rc = bpmn_parse(data, len, path, &m, &err);
    free(data);
    if (rc) {
        cli_fail("bpmn", "%s", err.len ? err.buf : err_message(rc));
        str_release(&err);
        return 1;
    }
    str_release(&err);
    json_t *counts = NULL;
    rc = bpmn_count_json(m, &counts);
    bpmn_free(m);
    if (rc)
        return cli_fail("bpmn", "%s", err_message(rc));
    if (as_json) {
        json_dumpf(counts, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        print_table(json_object_get(counts, "processes"));
    }
    json_decref(counts);
    return 0;
}

static int deploy(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"service", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data_opt = NULL, *service = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data_opt = optarg; break;
        case 's': service = optarg; break;
        case 'h':
            printf("Aufruf: rathaus bpmn deploy [--data VERZEICHNIS] DATEI --service SCHLÜSSEL\n\n"
                   "Prüft das Modell gegen den ausführbaren Umfang und speichert es als neue\n"
                   "Version seines Prozesses; die Leistung SCHLÜSSEL läuft dann danach.\n"
                   "Nicht ausführbare Elemente werden mit id und Grund gelistet (Status 1).\n");
            return 0;
        default: return 2;
        }
    }
    if (optind != argc - 1 || !service)
        return cli_fail("bpmn",
                        "deploy erwartet eine Datei und --service (--help zeigt den Aufruf)");
    const char *path = argv[optind];
    char *data = NULL;
    size_t len = 0;
    if (read_file(path, &data, &len))
        return 1;
    struct store *s;
    if (cli_open(cli_data_dir(data_opt), &s)) {
        free(data);
        return 1;
    }
    struct wf_deployment d;
    json_t *problems = NULL;
    struct str err;
    str_init(&err, 4096);
    int rc = wf_deploy(s, "cli", data, len, path, service, &d, &problems, &err);
    free(data);
    store_close(s);
    if (rc) {
        cli_fail("bpmn", "%s", err.len ? err.buf : err_message(rc));
        size_t i;
        json_t *p;
        json_array_foreach(problems, i, p)
        {
            fprintf(stderr, "  %s: %s\n", json_string_value(json_object_get(p, "id")),
                    json_string_value(json_object_get(p, "reason")));
        }
        json_decref(problems);
        str_release(&err);
        return 1;
    }
    str_release(&err);
    printf("Prozess %s als Version %d für Leistung %s bereitgestellt.\n", d.process_id, d.version,
           service);
    return 0;
}

int cmd_bpmn(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "Aufruf: rathaus bpmn inspect DATEI [--json]\n"
                "        rathaus bpmn deploy [--data VERZEICHNIS] DATEI --service SCHLÜSSEL\n\n"
                "  inspect   BPMN-2.0-Modell lesen und Elemente je Prozess zählen\n"
                "  deploy    Modell prüfen und als Ablauf einer Leistung bereitstellen\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "inspect") == 0)
        return inspect(argc - 1, argv + 1);
    if (strcmp(argv[1], "deploy") == 0)
        return deploy(argc - 1, argv + 1);
    return cli_fail("bpmn", "unbekannter Unterbefehl „%s“ (bekannt: inspect, deploy)", argv[1]);
}
