/* `rathaus case create`: creates a case (Vorgang) in a file from the command
 * line and prints only its reference ("<Aktenzeichen>/<n>") on stdout. The
 * command acts as the system actor "cli". */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "records/records.h"

static void help(void)
{
    printf("Aufruf: rathaus case create --data DIR --file AKTENZEICHEN --title TITEL\n"
           "                           [--service SCHLÜSSEL]\n\n"
           "Legt in der Akte AKTENZEICHEN einen Vorgang an und gibt sein Zeichen aus\n"
           "(z. B. 32.30.01-2026-0001/1).\n");
}

int cmd_case(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "create") != 0)
        return cli_fail("case", "unbekannter Unterbefehl „%s“ (create)", argv[1]);
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},  {"file", required_argument, NULL, 'f'},
        {"title", required_argument, NULL, 't'}, {"service", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},        {0, 0, 0, 0},
    };
    const char *data = NULL, *file = NULL, *title = NULL, *service = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'f': file = optarg; break;
        case 't': title = optarg; break;
        case 's': service = optarg; break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (optind != argc - 1)
        return cli_fail("case create", "unerwartetes Argument „%s“ (siehe --help)",
                        argv[1 + optind]);
    if (!file || !title)
        return cli_fail("case create", "--file und --title sind nötig");
    struct store *s;
    if (cli_open(cli_data_dir(data), &s))
        return 1;
    struct rec_actor cli = rec_actor_system("cli");
    char ref[REC_REF_MAX];
    int rc = rec_case_create(s, &cli, file, title, service, ref, NULL);
    store_close(s);
    switch (rc) {
    case 0: printf("%s\n", ref); return 0;
    case ERR_NOTFOUND: return cli_fail("case create", "die Akte „%s“ gibt es nicht", file);
    case ERR_EXISTS:
        return cli_fail("case create",
                        "die Akte „%s“ ist geschlossen; neue Vorgänge sind nicht "
                        "möglich",
                        file);
    case ERR_INVALID:
        return cli_fail("case create",
                        "--title: „%s“ ist kein gültiger Titel (1 bis %d Zeichen, keine "
                        "Steuerzeichen)%s",
                        title, REC_MAX_TITLE,
                        service ? " oder --service ist ungültig (höchstens 64 Zeichen)" : "");
    default: return cli_fail("case create", "%s", err_message(rc));
    }
}
