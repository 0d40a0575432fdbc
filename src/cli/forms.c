/* `rathaus forms import-xdf FILE [--output FILE] [--json-report]`: converts a
 * FIM XDatenfelder 2.0/3.0 file into the form definition of docs/formulare.md
 * (portal/xdf.h), prints it or writes it atomically, and reports on stderr
 * what could not be carried over. Refused files exit 1 with the reason. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "portal/xdf.h"

#define CMD "forms import-xdf"

/* Reads the whole file (at most XDF_MAX_BYTES) into *ret (free it). Prints
 * the German message and returns non-zero on failure. */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cli_fail(CMD, "%s: Datei kann nicht gelesen werden: %s", path,
                        errno == ENOENT   ? "nicht vorhanden"
                        : errno == EACCES ? "keine Leseberechtigung"
                                          : strerror(errno));
    struct str s;
    str_init(&s, XDF_MAX_BYTES);
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
            return cli_fail(CMD, "%s: Datei kann nicht gelesen werden", path);
        return cli_fail(CMD, "%s: die Datei ist größer als %zu MiB", path, XDF_MAX_BYTES >> 20);
    }
    *ret = str_detach(&s, ret_len);
    if (!*ret)
        return cli_fail(CMD, "%s", err_message(ERR_NOMEM));
    return 0;
}

/* Writes text to path through a temporary file and rename, so a reader
 * never sees half a definition. */
static int write_atomic(const char *path, const char *text, size_t len)
{
    struct str tmp;
    str_init(&tmp, 8192);
    (void)str_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    if (tmp.err) {
        str_release(&tmp);
        return cli_fail(CMD, "%s", err_message(ERR_NOMEM));
    }
    FILE *f = fopen(tmp.buf, "wb");
    if (!f) {
        int e = errno;
        str_release(&tmp);
        return cli_fail(CMD, "%s: kann nicht geschrieben werden: %s", path, strerror(e));
    }
    bool ok = fwrite(text, 1, len, f) == len;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp.buf, path) != 0) {
        int e = errno;
        (void)unlink(tmp.buf);
        str_release(&tmp);
        return cli_fail(CMD, "%s: kann nicht geschrieben werden: %s", path, strerror(e));
    }
    str_release(&tmp);
    return 0;
}

static int import_xdf(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"json-report", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *output = NULL;
    bool json_report = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': output = optarg; break;
        case 'j': json_report = true; break;
        case 'h':
            printf(
                "Aufruf: rathaus forms import-xdf DATEI [--output DATEI] [--json-report]\n\n"
                "Übersetzt ein FIM-XDatenfelder-Schema (Version 2.0 oder 3.0.0: Stammdaten-\n"
                "schema, Datenfeldgruppe oder Datenfeld) in das Formularformat der Leistungen\n"
                "(docs/formulare.md, Abschnitt „Import aus XDatenfelder“). Das Formular geht\n"
                "als JSON auf die Standardausgabe oder mit --output in eine Datei.\n\n"
                "Auf der Fehlerausgabe steht, was nicht oder nur teilweise übernommen werden\n"
                "konnte (Regeln, externe Codelisten, Verschachtelungen …), je Zeile mit der\n"
                "Zeilennummer der Quelldatei; --json-report gibt diesen Bericht als JSON aus.\n\n"
                "Ungültige Dateien (kein wohlgeformtes XML, kein XDatenfelder, unbekannte\n"
                "Version, fehlende oder doppelte Pflichtangaben, ungültige Codes) werden mit\n"
                "dem Grund abgelehnt (Rückgabewert 1).\n");
            return 0;
        default: return 2;
        }
    }
    if (optind != argc - 1)
        return cli_fail(CMD, "erwartet genau eine Datei (--help zeigt den Aufruf)");
    const char *path = argv[optind];
    char *data = NULL;
    size_t len = 0;
    if (read_file(path, &data, &len))
        return 1;
    json_t *form = NULL, *report = NULL;
    struct str why;
    str_init(&why, 8192);
    int rc = xdf_import(data, len, &form, &report, &why);
    free(data);
    if (rc) {
        cli_fail(CMD, "%s: %s", path, why.len ? why.buf : err_message(rc));
        str_release(&why);
        return 1;
    }
    str_release(&why);
    int status = 1;
    char *text = json_dumps(form, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        cli_fail(CMD, "%s", err_message(ERR_NOMEM));
        goto done;
    }
    if (output) {
        size_t n = strlen(text);
        text[n] = '\n';
        int w = write_atomic(output, text, n + 1);
        text[n] = '\0';
        if (w)
            goto done;
    } else {
        fputs(text, stdout);
        fputc('\n', stdout);
        if (fflush(stdout) != 0) {
            cli_fail(CMD, "Standardausgabe: %s", strerror(errno));
            goto done;
        }
    }
    if (json_report) {
        json_dumpf(report, stderr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stderr);
    } else {
        struct str out;
        str_init(&out, 0);
        if (xdf_report_text(report, path, &out) == 0)
            fputs(out.buf, stderr);
        str_release(&out);
    }
    status = 0;
done:
    free(text);
    json_decref(form);
    json_decref(report);
    return status;
}

int cmd_forms(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf(out, "Aufruf: rathaus forms import-xdf DATEI [--output DATEI] [--json-report]\n\n"
                     "  import-xdf  FIM-XDatenfelder 2.0/3.0 in das Formularformat übersetzen\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "import-xdf") == 0)
        return import_xdf(argc - 1, argv + 1);
    return cli_fail("forms", "unbekannter Unterbefehl „%s“ (--help zeigt die Befehle)", argv[1]);
}
