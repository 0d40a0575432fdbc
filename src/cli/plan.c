/* `rathaus plan list|import|export`: the file plan (Aktenplan) from the
 * command line. list and export print the plan (text, CSV or JSON); import
 * reads a CSV or JSON file (by its extension) and applies it all or nothing,
 * journaled with the actor "cli". */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "records/records.h"

/* Bytes of a plan file the import reads. */
#define CLI_PLAN_MAX_FILE ((size_t)16 * 1024 * 1024)

static void help(void)
{
    printf("Aufruf:\n"
           "  rathaus plan list --data DIR [--json]\n"
           "  rathaus plan export --data DIR [--json]\n"
           "  rathaus plan import --data DIR DATEI.csv|DATEI.json\n\n"
           "list zeigt den Aktenplan (mit --json als Liste von Objekten mit code, title,\n"
           "retention_years, archive_decision, active, parent_code). export schreibt ihn im\n"
           "Importformat (CSV „code;title;retention_years;archive_decision;active“ oder\n"
           "JSON). import legt Einheiten an oder ändert sie – ganz oder gar nicht.\n");
}

/* Reads the whole file at path into out. */
static int read_file(const char *path, struct str *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ERR_NOTFOUND;
    char buf[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rc = str_add(out, buf, n);
    if (!rc && ferror(f))
        rc = ERR_IO;
    fclose(f);
    return rc;
}

static int do_list(struct store *s, bool json)
{
    json_t *list;
    int rc = rec_plan_list(s, &list);
    if (rc)
        return cli_fail("plan list", "%s", err_message(rc));
    if (json) {
        json_t *out = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(list, i, o)
        {
            json_t *e = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "code",
                                  json_object_get(o, "code"), "title", json_object_get(o, "title"),
                                  "retention_years", json_object_get(o, "retention_years"),
                                  "archive_decision", json_object_get(o, "archive_decision"),
                                  "active", json_object_get(o, "active"), "parent_code",
                                  json_object_get(o, "parent_code"));
            if (!out || !e || json_array_append_new(out, e))
                rc = ERR_NOMEM;
        }
        if (!rc && json_dumpf(out, stdout, JSON_INDENT(2)) == 0)
            putchar('\n');
        json_decref(out);
    } else {
        size_t i;
        json_t *o;
        printf("%-12s %5s %-5s %-6s %s\n", "Kennzeichen", "Frist", "A/B/V", "aktiv", "Titel");
        json_array_foreach(list, i, o)
        {
            int depth = (int)json_integer_value(json_object_get(o, "depth"));
            printf("%-12s %5d %-5s %-6s %*s%s\n", json_string_value(json_object_get(o, "code")),
                   (int)json_integer_value(json_object_get(o, "retention_years")),
                   json_string_value(json_object_get(o, "archive_decision")),
                   json_is_true(json_object_get(o, "active")) ? "ja" : "nein", depth * 2, "",
                   json_string_value(json_object_get(o, "title")));
        }
    }
    json_decref(list);
    if (rc)
        return cli_fail("plan list", "%s", err_message(rc));
    return 0;
}

static int do_export(struct store *s, bool json)
{
    struct str out;
    str_init(&out, 0);
    int rc = rec_plan_export(s, json, &out);
    if (!rc)
        fwrite(out.buf, 1, out.len, stdout);
    str_release(&out);
    return rc ? cli_fail("plan export", "%s", err_message(rc)) : 0;
}

static int do_import(struct store *s, const char *path)
{
    size_t n = strlen(path);
    bool json;
    if (n > 5 && strcasecmp(path + n - 5, ".json") == 0)
        json = true;
    else if (n > 4 && strcasecmp(path + n - 4, ".csv") == 0)
        json = false;
    else
        return cli_fail("plan import", "„%s“: die Datei muss auf .csv oder .json enden", path);
    struct str data, why;
    str_init(&data, CLI_PLAN_MAX_FILE);
    str_init(&why, 4096);
    int rc = read_file(path, &data);
    if (rc == ERR_NOTFOUND)
        cli_fail("plan import", "„%s“ kann nicht gelesen werden: %s", path, strerror(errno));
    else if (rc)
        cli_fail("plan import", "„%s“: %s", path,
                 rc == ERR_TOOBIG ? "die Datei ist zu groß (höchstens 16 MB)" : err_message(rc));
    int count = 0;
    struct rec_actor cli = rec_actor_system("cli");
    if (!rc && (rc = rec_plan_import(s, &cli, data.buf, data.len, json, &count, &why)))
        cli_fail("plan import", "%s: %s", path, why.len ? why.buf : err_message(rc));
    if (!rc)
        printf("%d Aktenplaneinheiten aus %s übernommen.\n", count, path);
    str_release(&data);
    str_release(&why);
    return rc ? 1 : 0;
}

int cmd_plan(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL;
    bool json = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'j': json = true; break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    int rest = argc - 1 - optind;
    char **args = argv + 1 + optind;
    bool is_import = strcmp(sub, "import") == 0;
    if (strcmp(sub, "list") && strcmp(sub, "export") && !is_import)
        return cli_fail("plan", "unbekannter Unterbefehl „%s“ (list, import, export)", sub);
    if (is_import && rest != 1)
        return cli_fail("plan import", "genau eine Datei (.csv oder .json) angeben");
    if (!is_import && rest != 0)
        return cli_fail("plan", "unerwartetes Argument „%s“ (siehe --help)", args[0]);
    struct store *s;
    if (cli_open(cli_data_dir(data), &s))
        return 1;
    int rc = is_import                  ? do_import(s, args[0])
             : strcmp(sub, "list") == 0 ? do_list(s, json)
                                        : do_export(s, json);
    store_close(s);
    return rc;
}
