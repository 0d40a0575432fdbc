/* Staff sessions and login. A session id is 256 random bits in an HttpOnly,
 * SameSite=Strict cookie; the database keeps only its SHA-256, so a copy of
 * the database does not let anyone log in. Failed logins are throttled per
 * login name and per client address in memory. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/rtime.h"
#include "store/journal.h"
#include "web_int.h"

/* Throttling: after THROTTLE_FREE failures for one login name (or
 * THROTTLE_FREE_ADDR from one client address, so that a single client
 * cannot lock out a whole office behind one proxy address) within
 * THROTTLE_WINDOW_S, each further attempt waits 2^(n-free) × THROTTLE_BASE_S
 * seconds, at most THROTTLE_MAX_S. Entries live in a small table that
 * forgets the oldest. */
#define THROTTLE_SLOTS 1024
#define THROTTLE_FREE 5
#define THROTTLE_FREE_ADDR 30
#define THROTTLE_WINDOW_S (15 * 60)
#define THROTTLE_BASE_S 30
#define THROTTLE_MAX_S (15 * 60)
/* Seconds between updates of sessions.seen_at (saves a write per request). */
#define SESSION_TOUCH_S 60

struct throttle_slot {
    char key[96];         /* "l:<login>" or "a:<address>" */
    int fails;            /* failures in the window */
    int64_t first;        /* time of the first failure in the window */
    int64_t locked_until; /* no attempts before this time */
};

static struct throttle_slot throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

static struct throttle_slot *slot_for(const char *key, bool create)
{
    struct throttle_slot *oldest = &throttle[0];
    for (int i = 0; i < THROTTLE_SLOTS; i++) {
        if (strcmp(throttle[i].key, key) == 0)
            return &throttle[i];
        if (throttle[i].first < oldest->first)
            oldest = &throttle[i];
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof *oldest);
    snprintf(oldest->key, sizeof oldest->key, "%s", key);
    return oldest;
}

/* Returns seconds to wait before the next attempt for key, 0 if allowed. */
static int64_t throttle_wait(const char *key)
{
    int64_t now = rtime_now(), wait = 0;
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = slot_for(key, false);
    if (s && s->locked_until > now)
        wait = s->locked_until - now;
    pthread_mutex_unlock(&throttle_lock);
    return wait;
}

static void throttle_fail(const char *key, int free_attempts)
{
    int64_t now = rtime_now();
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = slot_for(key, true);
    if (now - s->first > THROTTLE_WINDOW_S) {
        s->fails = 0;
        s->first = now;
    }
    s->fails++;
    if (s->fails >= free_attempts) {
        int64_t d = THROTTLE_BASE_S;
        for (int i = free_attempts; i < s->fails && d < THROTTLE_MAX_S; i++)
            d *= 2;
        s->locked_until = now + (d > THROTTLE_MAX_S ? THROTTLE_MAX_S : d);
    }
    pthread_mutex_unlock(&throttle_lock);
}

static void throttle_ok(const char *key)
{
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = slot_for(key, false);
    if (s)
        memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&throttle_lock);
}

static void sid_hash(const char *sid, char out[65])
{
    unsigned char md[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(md, (const unsigned char *)sid, strlen(sid));
    sodium_bin2hex(out, 65, md, sizeof md);
}

int web_session_hook(struct http_req *req, struct http_resp *resp)
{
    (void)resp;
    struct app *app = req->app;
    char sid[HTTP_ID_LEN];
    if (form_cookie_get(http_header(req, "Cookie"), HTTP_SESSION_COOKIE, sid, sizeof sid) != 0 ||
        strlen(sid) != HTTP_ID_LEN - 1)
        return 0;
    char h[65];
    sid_hash(sid, h);
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    struct store_stmt *st;
    int64_t now = rtime_now(), seen = 0;
    rc = store_prepare(c,
                       "SELECT u.id, u.login, u.name, u.unit_nr, u.roles, s.created_at, s.seen_at"
                       " FROM sessions s JOIN users u ON u.id = s.user_id"
                       " WHERE s.id_hash = ? AND u.disabled = 0",
                       &st);
    if (rc)
        goto done;
    rc = store_bind(st, "t", h);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        int64_t created = store_col_int(st, 5);
        seen = store_col_int(st, 6);
        if (now - seen <= WEB_SESSION_IDLE_S && now - created <= WEB_SESSION_MAX_S) {
            req->user.id = store_col_int(st, 0);
            req->user.login = arena_strdup(req->arena, store_col_text(st, 1));
            req->user.name = arena_strdup(req->arena, store_col_text(st, 2));
            req->user.unit_nr = (int)store_col_int(st, 3);
            req->user.roles = (unsigned)store_col_int(st, 4);
            req->sid = arena_strdup(req->arena, sid);
            if (!req->user.login || !req->user.name || !req->sid) {
                req->user.id = 0;
                req->sid = NULL;
                rc = ERR_NOMEM;
            }
        }
    }
    store_done(st);
    if (rc == STORE_ROW || rc == STORE_DONE)
        rc = 0;
    if (!rc && req->user.id && now - seen > SESSION_TOUCH_S) {
        /* best effort: a failed touch only shortens the session */
        if (store_run(c, "UPDATE sessions SET seen_at = ? WHERE id_hash = ?", "it", now, h))
            log_msg(LOG_WARN, "session touch failed: %s", store_errmsg(c));
    }
done:
    store_put(app->store, c);
    return rc;
}

int web_require(const struct http_req *req, unsigned mask)
{
    if (!req->user.id)
        return ERR_AUTH;
    if (mask && !(req->user.roles & mask))
        return ERR_DENIED;
    return 0;
}

static int login_page(struct http_req *req, struct http_resp *resp, int status, const char *error,
                      const char *login)
{
    const char *next = http_query(req, "weiter");
    if (!next)
        next = form_get(&req->form, "weiter");
    const char *info = http_query(req, "abgemeldet") ? "Sie haben sich abgemeldet." : NULL;
    json_t *d =
        json_pack("{s:s, s:s?, s:s?, s:s?, s:s}", "title", "Anmeldung", "error", error, "info",
                  info, "login", login, "weiter", http_local_path(next) ? next : "/");
    if (!d)
        return ERR_NOMEM;
    int rc = web_page(req, resp, "web/login.html", d);
    if (!rc)
        resp->status = status;
    return rc;
}

static int get_login(struct http_req *req, struct http_resp *resp)
{
    if (req->user.id) {
        const char *next = http_query(req, "weiter");
        return http_redirect(req, resp, http_local_path(next) ? next : "/");
    }
    int rc = login_page(req, resp, 200, NULL, NULL);
    return rc;
}

static int post_login(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    const char *login = form_get(&req->form, "login");
    const char *pw = form_get(&req->form, "passwort");
    if (!login || !*login || !pw || !*pw)
        return login_page(req, resp, 400, "Bitte geben Sie Anmeldename und Passwort ein.", login);
    if (strlen(login) > WEB_MAX_LOGIN || strlen(pw) > WEB_MAX_PASSWORD)
        return login_page(req, resp, 401, "Anmeldename oder Passwort ist falsch.", NULL);
    char kl[96], ka[96];
    snprintf(kl, sizeof kl, "l:%s", login);
    snprintf(ka, sizeof ka, "a:%s", req->remote);
    int64_t wait = throttle_wait(kl);
    int64_t wa = throttle_wait(ka);
    if (wa > wait)
        wait = wa;
    if (wait > 0) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "Zu viele Fehlversuche. Bitte warten Sie %lld Sekunden und versuchen Sie es "
                 "dann erneut.",
                 (long long)wait);
        return login_page(req, resp, 429, msg, login);
    }
    /* read the hash, then let the connection go: Argon2 takes a while */
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    int64_t uid = 0;
    bool ok = false, found = false;
    char hash[crypto_pwhash_STRBYTES] = "";
    struct store_stmt *st = NULL;
    rc = store_prepare(c, "SELECT id, pw_hash FROM users WHERE login = ? AND disabled = 0", &st);
    if (!rc)
        rc = store_bind(st, "t", login);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        uid = store_col_int(st, 0);
        const char *z = store_col_text(st, 1);
        found = z && strlen(z) < sizeof hash;
        if (found)
            memcpy(hash, z, strlen(z) + 1);
        rc = 0;
    } else if (rc == STORE_DONE) {
        rc = 0;
    }
    if (st)
        store_done(st);
    store_put(app->store, c);
    c = NULL;
    if (rc)
        return rc;
    if (found) {
        ok = web__pw_verify(hash, pw);
    } else {
        /* spend the same time as a real check so logins cannot be probed */
        char dummy[crypto_pwhash_STRBYTES];
        if (web__pw_hash(pw, dummy))
            log_msg(LOG_WARN, "dummy hash failed");
    }
    if ((rc = store_get(app->store, &c)))
        return rc;
    if (!ok) {
        throttle_fail(kl, THROTTLE_FREE);
        throttle_fail(ka, THROTTLE_FREE_ADDR);
        rc = store_begin(c, true);
        if (!rc) {
            json_t *d = json_pack("{s:s, s:s}", "login", login, "remote", req->remote);
            rc = d ? journal_append(c, "anonym", "auth.login_failed", "auth", d, NULL) : ERR_NOMEM;
            json_decref(d);
            rc = rc ? (store_rollback(c), rc) : store_commit(c);
        }
        store_put(app->store, c);
        if (rc)
            return rc;
        return login_page(req, resp, 401, "Anmeldename oder Passwort ist falsch.", login);
    }
    throttle_ok(kl);
    throttle_ok(ka);
    char sid[HTTP_ID_LEN], h[65];
    http_random_id(sid);
    sid_hash(sid, h);
    int64_t now = rtime_now();
    if ((rc = store_begin(c, true)))
        goto done;
    rc = store_run(c,
                   "INSERT INTO sessions (id_hash, user_id, created_at, seen_at) VALUES (?,?,?,?)",
                   "tiii", h, uid, now, now);
    /* forget sessions that ended long ago */
    if (!rc)
        rc = store_run(c, "DELETE FROM sessions WHERE seen_at < ?", "i", now - WEB_SESSION_MAX_S);
    if (!rc) {
        json_t *d = json_pack("{s:s}", "remote", req->remote);
        char obj[32];
        snprintf(obj, sizeof obj, "user:%lld", (long long)uid);
        rc = d ? journal_append(c, login, "auth.login", obj, d, NULL) : ERR_NOMEM;
        json_decref(d);
    }
    if (rc) {
        store_rollback(c);
        goto done;
    }
    if ((rc = store_commit(c)))
        goto done;
    if ((rc = http_set_cookie(req, resp, HTTP_SESSION_COOKIE, sid, -1)))
        goto done;
    const char *next = form_get(&req->form, "weiter");
    rc = http_redirect(req, resp, http_local_path(next) ? next : "/");
done:
    store_put(app->store, c);
    return rc;
}

static int post_logout(struct http_req *req, struct http_resp *resp)
{
    struct app *app = req->app;
    if (req->sid) {
        char h[65];
        sid_hash(req->sid, h);
        struct store_conn *c;
        int rc = store_get(app->store, &c);
        if (rc)
            return rc;
        rc = store_begin(c, true);
        if (!rc)
            rc = store_run(c, "DELETE FROM sessions WHERE id_hash = ?", "t", h);
        if (!rc) {
            char obj[32];
            snprintf(obj, sizeof obj, "user:%lld", (long long)req->user.id);
            rc = journal_append(c, req->user.login, "auth.logout", obj, NULL, NULL);
        }
        rc = rc ? (store_rollback(c), rc) : store_commit(c);
        store_put(app->store, c);
        if (rc)
            return rc;
    }
    int rc = http_set_cookie(req, resp, HTTP_SESSION_COOKIE, "", 0);
    if (rc)
        return rc;
    return http_redirect(req, resp, "/login?abgemeldet=1");
}

static int get_session_api(struct http_req *req, struct http_resp *resp)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:i}", "login", req->user.login, "name", req->user.name,
                          "csrf", http_csrf(req, resp), "office", req->user.unit_nr);
    if (!j)
        return ERR_NOMEM;
    int rc = http_json(resp, 200, j);
    json_decref(j);
    return rc;
}

const struct http_route web_session_routes[] = {
    {"GET", "/login", get_login, 0},
    {"POST", "/login", post_login, 0},
    {"POST", "/logout", post_logout, 0},
    {"GET", "/api/v1/session", get_session_api, HTTP_AUTH},
};
const size_t web_session_routes_count = sizeof web_session_routes / sizeof web_session_routes[0];
