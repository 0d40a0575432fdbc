/* `rathaus services list --data DIR [--json]`: prints every service of the
 * catalogue compiled into this binary with its LeiKa key, office and OZG
 * maturity level, after mirroring the catalogue into the data directory
 * (as serve does), so the list and the database agree. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "portal/portal.h"
#include "web/web.h"

static void help(void)
{
    printf("Aufruf: rathaus services list [--data VERZEICHNIS] [--json]\n\n"
           "Listet die Online-Leistungen mit LeiKa-Schlüssel, zuständigem Amt und\n"
           "OZG-Reifegrad. --json gibt eine Liste von Objekten aus (slug, name, leika,\n"
           "office, ozg_level …).\n");
}

int cmd_services(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL;
    bool as_json = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'j': as_json = true; break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (optind >= argc || strcmp(argv[optind], "list") != 0) {
        help();
        return 2;
    }
    if (optind + 1 != argc)
        return cli_fail("services", "unerwartetes Argument „%s“ (siehe --help)", argv[optind + 1]);
    struct store *s = NULL;
    struct portal_catalog *cat = NULL;
    json_t *list = NULL;
    int status = 1;
    struct str why;
    str_init(&why, 8192);
    int rc = portal_catalog_load(rathaus_data, rathaus_data_count, &cat, &why);
    if (rc) {
        cli_fail("services", "Leistungskatalog fehlerhaft: %s",
                 why.len ? why.buf : err_message(rc));
        goto done;
    }
    if (cli_open(cli_data_dir(data), &s))
        goto done;
    str_reset(&why);
    rc = portal_catalog_sync(s, cat, rathaus_data, rathaus_data_count, NULL, &why);
    if (rc == ERR_INVALID)
        fprintf(stderr, "rathaus services: Warnung: %s\n", why.buf);
    else if (rc) {
        cli_fail("services", "%s", err_message(rc));
        goto done;
    }
    if ((rc = portal_catalog_json(cat, &list))) {
        cli_fail("services", "%s", err_message(rc));
        goto done;
    }
    if (as_json) {
        char *z = json_dumps(list, JSON_INDENT(2));
        if (!z) {
            cli_fail("services", "%s", err_message(ERR_NOMEM));
            goto done;
        }
        puts(z);
        free(z);
    } else {
        printf("%-32s %-14s %4s %5s  %s\n", "Kürzel", "LeiKa", "Amt", "Stufe", "Name");
        size_t i;
        json_t *o;
        json_array_foreach(list, i, o)
        {
            const char *leika = json_string_value(json_object_get(o, "leika"));
            printf("%-32s %-14s %4d %5d  %s\n", json_string_value(json_object_get(o, "slug")),
                   *leika ? leika : "–", (int)json_integer_value(json_object_get(o, "office")),
                   (int)json_integer_value(json_object_get(o, "ozg_level")),
                   json_string_value(json_object_get(o, "name")));
        }
        printf("%zu Leistungen\n", json_array_size(list));
    }
    status = 0;
done:
    json_decref(list);
    portal_catalog_free(cat);
    store_close(s);
    str_release(&why);
    return status;
}
