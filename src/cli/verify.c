/* `rathaus verify`: recomputes the journal's hash chain and the hash of every
 * blob. Exit 0 with "OK: N journal entries, M blobs", else exit 1 naming the
 * first broken entry or damaged blob. Safe to run while the server runs. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "store/blob.h"
#include "store/journal.h"

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'h':
            printf("Aufruf: rathaus verify [--data VERZEICHNIS]\n\n"
                   "Prüft die Hash-Kette des Protokolls und die Prüfsumme jeder Datei der\n"
                   "Ablage. Exit-Code 0: alles unversehrt; 1: Beschädigung gefunden.\n");
            return 0;
        default: return 2;
        }
    }
    struct store *s;
    if (cli_open(cli_data_dir(data), &s))
        return 1;
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc) {
        store_close(s);
        return cli_fail("verify", "%s", err_message(rc));
    }
    int64_t nj = 0, nb = 0, bad = 0;
    struct str msg;
    str_init(&msg, 4096);
    /* one read transaction: journal and blob table from the same snapshot */
    rc = store_begin(c, false);
    if (!rc)
        rc = journal_verify(c, &nj, &bad, &msg);
    if (!rc)
        rc = blob_verify_all(s, c, &nb, &msg);
    store_rollback(c);
    store_put(s, c);
    store_close(s);
    if (rc) {
        fprintf(stderr, "FEHLER: %s\n", msg.len ? msg.buf : err_message(rc));
        str_release(&msg);
        return 1;
    }
    str_release(&msg);
    printf("OK: %" PRId64 " journal entries, %" PRId64 " blobs\n", nj, nb);
    return 0;
}
