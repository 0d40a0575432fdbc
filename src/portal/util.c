/* Small helpers of the portal: capability tokens (128 bits from libsodium,
 * stored only as hashes), the derived status token of a submission, the
 * per-address rate limit of submissions (in memory, like the login
 * throttle) and the route registration. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "portal_int.h"

const struct portal_catalog *portal_cat;

void portal_token_new(char out[PORTAL_TOKEN_LEN])
{
    unsigned char b[PORTAL_TOKEN_BYTES];
    randombytes_buf(b, sizeof b);
    sodium_bin2base64(out, PORTAL_TOKEN_LEN, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void portal_hash(const char *prefix, const char *z, char out[PORTAL_HASH_LEN])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)prefix, strlen(prefix));
    crypto_hash_sha256_update(&st, (const unsigned char *)z, strlen(z));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, PORTAL_HASH_LEN, h, sizeof h);
}

void portal_status_token(const char *secret, char out[PORTAL_TOKEN_LEN])
{
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret),
                       (const unsigned char *)"rathaus-status", 14);
    sodium_bin2base64(out, PORTAL_TOKEN_LEN, h, PORTAL_TOKEN_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- rate limit --------------------------------------------------------- */

#define RATE_SLOTS 1024    /* addresses remembered */
#define RATE_WINDOW_S 3600 /* one hour */
#define RATE_ADDR_MAX 64   /* bytes of an address */

struct rate_slot {
    char addr[RATE_ADDR_MAX]; /* client address, "" when free */
    int64_t start;            /* start of the window */
    int count;                /* submissions in the window */
};

static struct rate_slot rate[RATE_SLOTS];
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;

static int rate_max(void)
{
    long v;
    const char *z = getenv("RATHAUS_PORTAL_RATE");
    if (z && str_to_long(z, 1, 1000000, &v) == 0)
        return (int)v;
    return PORTAL_RATE_DEFAULT;
}

int portal_rate_check(const char *addr)
{
    int64_t now = rtime_now();
    int rc = 0;
    pthread_mutex_lock(&rate_lock);
    struct rate_slot *slot = NULL, *oldest = &rate[0];
    for (int i = 0; i < RATE_SLOTS; i++) {
        if (strncmp(rate[i].addr, addr, RATE_ADDR_MAX - 1) == 0 && rate[i].addr[0]) {
            slot = &rate[i];
            break;
        }
        if (rate[i].start < oldest->start)
            oldest = &rate[i];
    }
    if (!slot) {
        slot = oldest;
        memset(slot, 0, sizeof *slot);
        snprintf(slot->addr, sizeof slot->addr, "%s", addr);
        slot->start = now;
    }
    if (now - slot->start >= RATE_WINDOW_S) {
        slot->start = now;
        slot->count = 0;
    }
    if (slot->count >= rate_max())
        rc = ERR_THROTTLED;
    else
        slot->count++;
    pthread_mutex_unlock(&rate_lock);
    return rc;
}

int portal_register(struct http_router *r, const struct portal_catalog *cat)
{
    portal_cat = cat;
    int rc = http_routes_add(r, portal_page_routes, portal_page_routes_count);
    if (!rc)
        rc = http_routes_add(r, portal_antrag_routes, portal_antrag_routes_count);
    if (!rc)
        rc = http_routes_add(r, portal_status_routes, portal_status_routes_count);
    return rc;
}
