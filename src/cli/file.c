/* `rathaus file create`: creates a file (Akte) from the command line and
 * prints only its Aktenzeichen on stdout, so scripts can capture it. The
 * command acts as the system actor "cli" (any office). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "records/records.h"

static void help(void)
{
    printf("Aufruf: rathaus file create --data DIR --plan KENNZEICHEN --office NR --title TITEL\n"
           "                           [--parties BETEILIGTE]\n\n"
           "Legt eine Akte unter der Aktenplaneinheit KENNZEICHEN (z. B. 32.30.01) für das\n"
           "Amt NR an und gibt ihr Aktenzeichen aus (z. B. 32.30.01-2026-0001).\n");
}

int cmd_file(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "create") != 0)
        return cli_fail("file", "unbekannter Unterbefehl „%s“ (create)", argv[1]);
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"plan", required_argument, NULL, 'p'},
        {"office", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'},
        {"parties", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL, *plan = NULL, *office = NULL, *title = NULL, *parties = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'p': plan = optarg; break;
        case 'o': office = optarg; break;
        case 't': title = optarg; break;
        case 'P': parties = optarg; break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (optind != argc - 1)
        return cli_fail("file create", "unerwartetes Argument „%s“ (siehe --help)",
                        argv[1 + optind]);
    if (!plan || !office || !title)
        return cli_fail("file create", "--plan, --office und --title sind nötig");
    long nr;
    if (str_to_long(office, 1, 9999, &nr))
        return cli_fail("file create", "--office: „%s“ ist keine Amtsnummer", office);
    struct store *s;
    if (cli_open(cli_data_dir(data), &s))
        return 1;
    struct rec_actor cli = rec_actor_system("cli");
    char ref[REC_REF_MAX];
    struct str why;
    str_init(&why, 1024);
    int rc = rec_file_create(s, &cli, plan, (int)nr, title, parties, ref, NULL, &why);
    store_close(s);
    if (rc) {
        cli_fail("file create", "%s", why.len ? why.buf : err_message(rc));
        str_release(&why);
        return 1;
    }
    str_release(&why);
    printf("%s\n", ref);
    return 0;
}
