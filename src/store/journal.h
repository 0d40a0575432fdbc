/* The journal: the one append-only, hash-chained event log of rathaus. Every
 * change and every read of personal data appends one entry in the same
 * transaction as the change; `rathaus verify` recomputes the chain.
 *
 * hash = SHA-256(prev_hash ‖ canonical entry), both as lowercase hex, where the
 * canonical entry is the fields seq, at, actor, action, object, details, each
 * written as "<byte length>:<bytes>\n". details is compact JSON with sorted
 * keys, so the same content always gives the same bytes. */
#ifndef RATHAUS_STORE_JOURNAL_H
#define RATHAUS_STORE_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

#include "base/str.h"
#include "store.h"

/* The schema migration of the journal and blob tables (ids 1–9 are store's). */
extern const struct store_migration journal_migrations[];
extern const size_t journal_migrations_count;

/* Appends an entry. Must run inside a write transaction (store_begin(c, true))
 * so the chain head cannot change underneath. actor is a login or "system";
 * action a dotted name ("user.create"); object an id such as "user:7";
 * details may be NULL (stored as {}), it is borrowed. *ret_seq may be NULL. */
int journal_append(struct store_conn *c, const char *actor, const char *action, const char *object,
                   json_t *details, int64_t *ret_seq) WUR;

/* Recomputes the whole chain. Returns 0 with *ret_count entries when intact
 * and appends the hash of the newest entry (the chain's head) to msg;
 * ERR_CORRUPT when an entry's hash or link is wrong, with *ret_bad_seq set
 * to the first broken entry and a German description in msg.
 * The chain cannot show that its newest entries were cut off: compare the
 * head with one recorded elsewhere (verify prints it for that). */
int journal_verify(struct store_conn *c, int64_t *ret_count, int64_t *ret_bad_seq,
                   struct str *msg) WUR;

/* Computes the hash of one entry into out (65 bytes, hex + NUL). Exposed for
 * tests and for engines that verify on their own. */
void journal_hash(const char *prev_hash, int64_t seq, const char *at, const char *actor,
                  const char *action, const char *object, const char *details, char out[65]);

#endif
