/* Private to src/web/: the route tables of its files, joined by web_register. */
#ifndef RATHAUS_WEB_WEB_INT_H
#define RATHAUS_WEB_WEB_INT_H

#include "web.h"

/* Login, logout and the session API (session.c). */
extern const struct http_route web_session_routes[];
extern const size_t web_session_routes_count;

/* Password hashing with Argon2id (libsodium, interactive limits: 64 MiB each).
 * At most WEB_PWHASH_PARALLEL run at once in the process, so a burst of
 * logins costs bounded memory; others wait their turn (account.c). */
#define WEB_PWHASH_PARALLEL 2

/* Hashes pw into out. ERR_NOMEM when libsodium cannot allocate. */
int web__pw_hash(const char *pw, char out[128]) WUR;

/* True when pw matches hash (a libsodium "$argon2id$…" string). */
bool web__pw_verify(const char *hash, const char *pw);

/* The most hashes that ran at the same time since the start (for tests). */
int web__pw_peak(void);

#endif
