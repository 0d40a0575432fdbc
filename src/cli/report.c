/* `rathaus report strategy`: the annual report of the digitalisation
 * strategy as HTML, PDF or CSV, to standard output or a file. It only reads
 * the database, so the same database gives the same bytes. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "strategy/strategy.h"
#include "view/view.h"

EMBED_DECLARE(rathaus_templates);

static void help(void)
{
    printf("Aufruf: rathaus report strategy [--data VERZEICHNIS] --year JAHR\n"
           "                      [--format html|pdf|csv] [--output DATEI]\n\n"
           "Schreibt den Jahresbericht zur Digitalisierungsstrategie (Zusammenfassung,\n"
           "Maßnahmen Soll/Ist, Budget, Kennzahlen, Reifegrad, Schulungen,\n"
           "Strategiegespräche). Ohne --output auf die Standardausgabe. Vorgabe: html.\n");
}

/* Writes out to path through a temporary file and rename, so a reader never
 * sees half a report. */
static int write_file(const char *path, const struct str *out)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return ERR_INVALID;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ERR_IO;
    size_t off = 0;
    while (off < out->len) {
        ssize_t w = write(fd, out->buf + off, out->len - off);
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return ERR_IO;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return ERR_IO;
    }
    return 0;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},   {"year", required_argument, NULL, 'y'},
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {0, 0, 0, 0},
    };
    const char *data = NULL, *format = "html", *output = NULL, *ys = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'y': ys = optarg; break;
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (optind >= argc || strcmp(argv[optind], "strategy") != 0) {
        help();
        return cli_fail("report", "welcher Bericht? Bekannt ist: strategy");
    }
    if (optind + 1 != argc)
        return cli_fail("report", "unerwartetes Argument „%s“ (siehe --help)", argv[optind + 1]);
    long year;
    if (!ys || str_to_long(ys, STRAT_YEAR_MIN, STRAT_YEAR_MAX, &year))
        return cli_fail("report", "--year: bitte ein Jahr von %d bis %d angeben", STRAT_YEAR_MIN,
                        STRAT_YEAR_MAX);
    if (strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0 && strcmp(format, "csv") != 0)
        return cli_fail("report", "--format: „%s“ ist unbekannt (html, pdf oder csv)", format);
    struct store *s;
    if (cli_open(cli_data_dir(data), &s))
        return 1;
    json_t *d = NULL;
    struct str out, err;
    str_init(&out, 0);
    str_init(&err, 4096);
    struct view *v = NULL;
    int rc = strat_report_data(s, (int)year, &d);
    store_close(s);
    if (!rc && strcmp(format, "html") == 0) {
        rc = view_init(&v, rathaus_templates, rathaus_templates_count, &err);
        if (!rc)
            rc = strat_report_html(v, d, &out);
    } else if (!rc && strcmp(format, "pdf") == 0) {
        rc = strat_report_pdf(d, &out);
    } else if (!rc) {
        rc = strat_report_csv(d, &out);
    }
    if (!rc) {
        if (output)
            rc = write_file(output, &out);
        else if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
            rc = ERR_IO;
    }
    int status = 0;
    if (rc == ERR_IO && output)
        status = cli_fail("report", "%s kann nicht geschrieben werden", output);
    else if (rc)
        status = cli_fail("report", "Bericht nicht erstellbar: %s%s%s", err_message(rc),
                          err.len ? " – " : "", err.buf);
    json_decref(d);
    view_free(v);
    str_release(&out);
    str_release(&err);
    return status;
}
