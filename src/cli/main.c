/* The rathaus binary: a table of subcommands, one file each (git's builtin/
 * pattern). main() initializes libsodium and dispatches. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"init", cmd_init, "Datenverzeichnis anlegen (--demo: mit Demo-Daten)"},
    {"serve", cmd_serve, "Webserver starten"},
    {"user", cmd_user, "Benutzerkonten: add, list, passwd, disable"},
    {"verify", cmd_verify, "Protokollkette und alle Dateien prüfen"},
    {"backup", cmd_backup, "konsistente Sicherung in eine Datei schreiben (auch im Betrieb)"},
    {"restore", cmd_restore, "Sicherung in ein neues Datenverzeichnis zurückspielen"},
    {"plan", cmd_plan, "Aktenplan: list, import, export"},
    {"file", cmd_file, "Akte anlegen (file create)"},
    {"case", cmd_case, "Vorgang in einer Akte anlegen (case create)"},
    {"search", cmd_search, "Volltextsuche in den Akten (mit den Rechten eines Kontos)"},
    {"import", cmd_import, "Scans und Dateien in einen Vorgang übernehmen (Texte durchsuchbar)"},
    {"bpmn", cmd_bpmn,
     "BPMN-2.0-Modelle: inspect (Elemente zählen), deploy (als Ablauf bereitstellen)"},
    {"services", cmd_services, "Online-Leistungen auflisten (services list [--json])"},
    {"forms", cmd_forms, "Formulare: import-xdf (FIM XDatenfelder 2.0/3.0 übersetzen)"},
};

static void usage(FILE *out)
{
    fprintf(out, "rathaus %s – digitales Rathaus\n\nAufruf: rathaus BEFEHL [OPTIONEN]\n\n",
            RATHAUS_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\nJeder Befehl kennt --help. Das Datenverzeichnis wählt --data VERZEICHNIS\n"
                 "(sonst $RATHAUS_DATA, sonst ./data).\n");
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "rathaus: libsodium kann nicht initialisiert werden\n");
        return 1;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("rathaus %s\n", RATHAUS_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "rathaus: unbekannter Befehl „%s“\n\n", argv[1]);
    usage(stderr);
    return 2;
}
