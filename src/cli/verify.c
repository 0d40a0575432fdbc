/* `rathaus verify`: recomputes the journal's hash chain and the hash of every
 * blob. Exit 0 with "OK: N journal entries, M blobs", else exit 1 naming the
 * first broken entry or damaged blob. Safe to run while the server runs. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store/blob.h"
#include "store/journal.h"

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"head", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *data = NULL, *head_opt = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'H': head_opt = optarg; break;
        case 'h':
            printf("Aufruf: rathaus verify [--data VERZEICHNIS] [--head EINTRAG:SHA256]\n\n"
                   "Prüft die Hash-Kette des Protokolls und die Prüfsumme jeder Datei der\n"
                   "Ablage. Exit-Code 0: alles unversehrt; 1: Beschädigung gefunden.\n"
                   "--head prüft zusätzlich, dass ein früher notierter Kopf der Kette\n"
                   "(Ausgabe „Kopf der Protokollkette“) noch mit derselben Prüfsumme enthalten\n"
                   "ist, dass also niemand das Ende des Protokolls abgeschnitten hat.\n");
            return 0;
        default: return 2;
        }
    }
    long head_seq = 0;
    char head_want[65] = "";
    if (head_opt) {
        const char *colon = strchr(head_opt, ':');
        char num[24];
        size_t n = colon ? (size_t)(colon - head_opt) : 0;
        if (!colon || n == 0 || n >= sizeof num || strlen(colon + 1) != 64)
            return cli_fail("verify", "--head: „%s“ hat nicht die Form EINTRAG:SHA256", head_opt);
        memcpy(num, head_opt, n);
        num[n] = '\0';
        if (str_to_long(num, 1, 0x7fffffffffffffffL, &head_seq))
            return cli_fail("verify", "--head: „%s“ ist keine Eintragsnummer", num);
        snprintf(head_want, sizeof head_want, "%s", colon + 1);
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
    char head[65] = "";
    if (!rc)
        rc = journal_verify(c, &nj, &bad, &msg);
    if (!rc) { /* on success msg holds the head hash */
        snprintf(head, sizeof head, "%s", msg.buf);
        str_reset(&msg);
    }
    if (!rc && head_opt) {
        struct store_stmt *q;
        rc = store_prepare(c, "SELECT hash FROM journal WHERE seq = ?", &q);
        if (!rc && !(rc = store_bind(q, "i", (int64_t)head_seq))) {
            int step = store_step(q);
            if (step != STORE_ROW || strcmp(store_col_text(q, 0), head_want) != 0) {
                str_addf(&msg,
                         "Protokolleintrag %ld fehlt oder hat eine andere Prüfsumme als notiert: "
                         "das Protokoll wurde gekürzt oder ersetzt",
                         head_seq);
                rc = ERR_CORRUPT;
            }
        }
        if (!rc || rc == ERR_CORRUPT)
            store_done(q);
    }
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
    printf("OK: %" PRId64 " journal entries, %" PRId64 " blobs\n", nj, nb);
    /* the head lets an administrator notice a cut-off tail next time */
    if (nj > 0)
        printf("Kopf der Protokollkette: Eintrag %" PRId64 ", SHA-256 %s\n", nj, head);
    str_release(&msg);
    return 0;
}
