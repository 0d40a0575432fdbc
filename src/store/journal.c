/* The hash-chained journal of journal.h. SHA-256 comes from libsodium; the
 * table refuses UPDATE and DELETE through triggers, so altering history
 * needs deliberate tampering, which `verify` then detects. */
#include "journal.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"

/* clang-format off */
static const char journal_v1[] =
    "CREATE TABLE journal ("
    " seq INTEGER PRIMARY KEY,"
    " at TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " object TEXT NOT NULL,"
    " details TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL);"
    "CREATE INDEX journal_object ON journal(object);"
    "CREATE INDEX journal_action ON journal(action);"
    "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"
    " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
    "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
    " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
    "CREATE TABLE blobs ("
    " sha256 TEXT PRIMARY KEY,"
    " size INTEGER NOT NULL,"
    " refs INTEGER NOT NULL DEFAULT 0,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE settings ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);";
/* clang-format on */

const struct store_migration journal_migrations[] = {
    {1, "journal, blobs, settings", journal_v1},
};
const size_t journal_migrations_count = sizeof journal_migrations / sizeof journal_migrations[0];

static void put_field(crypto_hash_sha256_state *h, const char *z)
{
    char len[24];
    size_t n = strlen(z);
    int k = snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)k);
    crypto_hash_sha256_update(h, (const unsigned char *)z, n);
    crypto_hash_sha256_update(h, (const unsigned char *)"\n", 1);
}

void journal_hash(const char *prev_hash, int64_t seq, const char *at, const char *actor,
                  const char *action, const char *object, const char *details, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char md[crypto_hash_sha256_BYTES];
    char seqs[24];
    snprintf(seqs, sizeof seqs, "%" PRId64, seq);
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)prev_hash, strlen(prev_hash));
    put_field(&h, seqs);
    put_field(&h, at);
    put_field(&h, actor);
    put_field(&h, action);
    put_field(&h, object);
    put_field(&h, details);
    crypto_hash_sha256_final(&h, md);
    sodium_bin2hex(out, 65, md, sizeof md);
}

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

int journal_append(struct store_conn *c, const char *actor, const char *action, const char *object,
                   json_t *details, int64_t *ret_seq)
{
    struct store_stmt *st;
    char prev[65];
    int64_t seq = 1;
    char *dj = NULL;
    int rc = store_prepare(c, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", &st);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        seq = store_col_int(st, 0) + 1;
        snprintf(prev, sizeof prev, "%s", store_col_text(st, 1));
        rc = 0;
    } else if (rc == STORE_DONE) {
        memcpy(prev, zero_hash, sizeof prev);
        rc = 0;
    }
    store_done(st);
    if (rc)
        return rc;
    if (details) {
        dj = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        if (!dj)
            return ERR_NOMEM;
    }
    char at[32];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    char hash[65];
    const char *d = dj ? dj : "{}";
    journal_hash(prev, seq, at, actor, action, object, d, hash);
    rc = store_run(c,
                   "INSERT INTO journal (seq, at, actor, action, object, details, prev_hash, hash)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   "ittttttt", seq, at, actor, action, object, d, prev, hash);
    free(dj);
    if (rc == 0 && ret_seq)
        *ret_seq = seq;
    return rc;
}

int journal_verify(struct store_conn *c, int64_t *ret_count, int64_t *ret_bad_seq, struct str *msg)
{
    struct store_stmt *st;
    char prev[65];
    int64_t count = 0, expect_seq = 1;
    memcpy(prev, zero_hash, sizeof prev);
    int rc = store_prepare(c,
                           "SELECT seq, at, actor, action, object, details, prev_hash, hash"
                           " FROM journal ORDER BY seq",
                           &st);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t seq = store_col_int(st, 0);
        char h[65];
        const char *why = NULL;
        if (seq != expect_seq) {
            why = "Lücke in der Nummernfolge (Eintrag fehlt)";
        } else if (strcmp(store_col_text(st, 6), prev) != 0) {
            why = "Verweis auf den vorigen Eintrag stimmt nicht";
        } else {
            journal_hash(prev, seq, store_col_text(st, 1), store_col_text(st, 2),
                         store_col_text(st, 3), store_col_text(st, 4), store_col_text(st, 5), h);
            if (strcmp(h, store_col_text(st, 7)) != 0)
                why = "Prüfsumme stimmt nicht (Eintrag wurde verändert)";
        }
        if (why) {
            str_addf(msg, "Protokolleintrag %" PRId64 " ist beschädigt: %s", seq, why);
            *ret_bad_seq = seq;
            store_done(st);
            return ERR_CORRUPT;
        }
        snprintf(prev, sizeof prev, "%s", store_col_text(st, 7));
        count++;
        expect_seq++;
    }
    store_done(st);
    if (rc != STORE_DONE)
        return rc;
    *ret_count = count;
    /* the head, for recording outside the database (see journal.h) */
    str_addf(msg, "%s", prev);
    return 0;
}
