/* Offices (Ämter), staff accounts, roles, passwords and settings. Passwords
 * are hashed with argon2id through libsodium; every change is journaled in
 * the transaction that makes it. */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/rtime.h"
#include "store/journal.h"
#include "web_int.h"

static const struct {
    unsigned bit;
    const char *de, *en;
} roles[] = {
    /* clang-format off */
    {WEB_ROLE_CASEWORKER, "Sachbearbeitung", "caseworker"},
    {WEB_ROLE_HEAD, "Leitung", "head"},
    {WEB_ROLE_REGISTRY, "Registratur", "registry"},
    {WEB_ROLE_ADMIN, "Admin", "admin"},
    {WEB_ROLE_DIGITAL, "Digitalisierung", "digital"},
    /* clang-format on */
};

int web_roles_parse(const char *z, unsigned *ret)
{
    unsigned mask = 0;
    const char *p = z;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        bool found = false;
        for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
            if ((strlen(roles[i].de) == n && strncasecmp(p, roles[i].de, n) == 0) ||
                (strlen(roles[i].en) == n && strncasecmp(p, roles[i].en, n) == 0)) {
                mask |= roles[i].bit;
                found = true;
            }
        }
        if (!found)
            return ERR_INVALID;
        p += n;
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
    if (!mask)
        return ERR_INVALID;
    *ret = mask;
    return 0;
}

void web_roles_format(unsigned mask, struct str *out)
{
    bool first = true;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (!(mask & roles[i].bit))
            continue;
        if (!first)
            str_adds(out, ", ");
        str_adds(out, roles[i].de);
        first = false;
    }
}

int web_setting_get(struct store_conn *c, const char *key, struct str *out)
{
    struct store_stmt *st;
    int rc = store_prepare(c, "SELECT value FROM settings WHERE key = ?", &st);
    if (rc)
        return rc;
    rc = store_bind(st, "t", key);
    if (!rc)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        str_add(out, store_col_text(st, 0), store_col_len(st, 0));
        rc = out->err;
    } else if (rc == STORE_DONE) {
        rc = ERR_NOTFOUND;
    }
    store_done(st);
    return rc;
}

int web_setting_set(struct store_conn *c, const char *actor, const char *key, const char *value)
{
    int rc = store_run(c,
                       "INSERT INTO settings (key, value) VALUES (?, ?)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       "tt", key, value);
    if (rc)
        return rc;
    json_t *d = json_pack("{s:s, s:s}", "key", key, "value", value);
    if (!d)
        return ERR_NOMEM;
    const char *obj = "settings";
    rc = journal_append(c, actor, "settings.set", obj, d, NULL);
    json_decref(d);
    return rc;
}

int web_app_load(struct app *app)
{
    struct store_conn *c;
    int rc = store_get(app->store, &c);
    if (rc)
        return rc;
    struct str v;
    str_init(&v, WEB_MAX_CITY);
    rc = web_setting_get(c, "city", &v);
    if (rc == 0)
        snprintf(app->city, sizeof app->city, "%s", v.buf);
    else if (rc == ERR_NOTFOUND) {
        snprintf(app->city, sizeof app->city, "%s", "Stadtverwaltung");
        rc = 0;
    }
    str_release(&v);
    store_put(app->store, c);
    return rc;
}

static int unit_insert(struct store_conn *c, const char *actor, int nr, const char *name)
{
    int rc = store_run(c, "INSERT INTO units (nr, name) VALUES (?, ?)", "it", (int64_t)nr, name);
    if (rc)
        return rc;
    json_t *d = json_pack("{s:i, s:s}", "nr", nr, "name", name);
    if (!d)
        return ERR_NOMEM;
    char obj[32];
    snprintf(obj, sizeof obj, "unit:%d", nr);
    rc = journal_append(c, actor, "unit.create", obj, d, NULL);
    json_decref(d);
    return rc;
}

static const struct embed_file *data_file(const char *name)
{
    for (size_t i = 0; i < rathaus_data_count; i++)
        if (strcmp(rathaus_data[i].name, name) == 0)
            return &rathaus_data[i];
    return NULL;
}

int web_units_seed(struct store_conn *c, const char *actor)
{
    const struct embed_file *f = data_file("units.csv");
    if (!f)
        return ERR_INTERNAL;
    const char *p = (const char *)f->data, *end = p + f->len;
    int line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        line++;
        if (line > 1 && nl > p) {
            char buf[256];
            size_t n = (size_t)(nl - p);
            if (n >= sizeof buf)
                return ERR_INVALID;
            memcpy(buf, p, n);
            buf[n] = '\0';
            char *semi = strchr(buf, ';');
            if (!semi)
                return ERR_INVALID;
            *semi = '\0';
            long nr;
            if (str_to_long(buf, 1, 9999, &nr))
                return ERR_INVALID;
            int64_t have = 0;
            int rc = store_query_int(c, &have, "SELECT count(*) FROM units WHERE nr = ?", "i",
                                     (int64_t)nr);
            if (rc)
                return rc;
            if (!have && (rc = unit_insert(c, actor, (int)nr, semi + 1)))
                return rc;
        }
        p = nl + 1;
    }
    return 0;
}

int web_unit_add(struct store *s, const char *actor, int nr, const char *name)
{
    if (nr < 1 || nr > 9999 || !name || !*name || strlen(name) > WEB_MAX_NAME)
        return ERR_INVALID;
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    rc = store_begin(c, true);
    if (rc)
        goto done;
    rc = unit_insert(c, actor, nr, name);
    if (rc) {
        store_rollback(c);
        goto done;
    }
    rc = store_commit(c);
done:
    store_put(s, c);
    return rc;
}

void web_password_random(char out[17])
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 16; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[16] = '\0';
}

static bool valid_login(const char *z)
{
    size_t n = strlen(z);
    if (n < 2 || n > WEB_MAX_LOGIN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = z[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return false;
    }
    return true;
}

/* Counts UTF-8 characters (not bytes) of z. */
static size_t utf8_chars(const char *z)
{
    size_t n = 0;
    for (; *z; z++)
        if (((unsigned char)*z & 0xC0) != 0x80)
            n++;
    return n;
}

static pthread_mutex_t pw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pw_cond = PTHREAD_COND_INITIALIZER; /* a slot was freed */
static int pw_running;                                    /* hashes now, guarded by pw_lock */
static int pw_peak;                                       /* the most at once, guarded by pw_lock */

static void pw_enter(void)
{
    pthread_mutex_lock(&pw_lock);
    while (pw_running >= WEB_PWHASH_PARALLEL)
        pthread_cond_wait(&pw_cond, &pw_lock);
    if (++pw_running > pw_peak)
        pw_peak = pw_running;
    pthread_mutex_unlock(&pw_lock);
}

static void pw_leave(void)
{
    pthread_mutex_lock(&pw_lock);
    pw_running--;
    pthread_cond_signal(&pw_cond);
    pthread_mutex_unlock(&pw_lock);
}

int web__pw_peak(void)
{
    pthread_mutex_lock(&pw_lock);
    int n = pw_peak;
    pthread_mutex_unlock(&pw_lock);
    return n;
}

_Static_assert(crypto_pwhash_STRBYTES == 128, "web__pw_hash's buffer size");

int web__pw_hash(const char *pw, char out[128])
{
    pw_enter();
    int rc = crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0
                 ? ERR_NOMEM
                 : 0;
    pw_leave();
    return rc;
}

bool web__pw_verify(const char *hash, const char *pw)
{
    pw_enter();
    bool ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
    pw_leave();
    return ok;
}

static int check_password(const char *pw, struct str *why)
{
    if (utf8_chars(pw) < WEB_MIN_PASSWORD || strlen(pw) > WEB_MAX_PASSWORD) {
        if (why)
            str_addf(why, "Das Passwort muss mindestens %d Zeichen lang sein.", WEB_MIN_PASSWORD);
        return ERR_INVALID;
    }
    return 0;
}

int web_user_add(struct store *s, const char *actor, const struct web_user_new *u, int64_t *ret_id,
                 struct str *why)
{
    if (!u->login || !valid_login(u->login)) {
        if (why)
            str_adds(why, "Der Anmeldename darf nur a–z, 0–9, Punkt, Unterstrich und Bindestrich "
                          "enthalten (2 bis 64 Zeichen).");
        return ERR_INVALID;
    }
    if (!u->name || !*u->name || strlen(u->name) > WEB_MAX_NAME) {
        if (why)
            str_adds(why, "Bitte geben Sie einen Namen an (höchstens 200 Zeichen).");
        return ERR_INVALID;
    }
    if (!u->roles) {
        if (why)
            str_adds(why, "Bitte geben Sie mindestens eine Rolle an.");
        return ERR_INVALID;
    }
    int rc = check_password(u->password ? u->password : "", why);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = web__pw_hash(u->password, hash)))
        return rc;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    int64_t have = 0;
    rc = store_query_int(c, &have, "SELECT count(*) FROM units WHERE nr = ?", "i",
                         (int64_t)u->unit_nr);
    if (!rc && !have) {
        if (why)
            str_addf(why, "Das Amt %d gibt es nicht.", u->unit_nr);
        rc = ERR_NOTFOUND;
    }
    char at[32];
    rtime_iso_utc(rtime_now(), at, sizeof at);
    int64_t id = 0;
    if (!rc)
        rc = store_query_int(c, &id,
                             "INSERT INTO users (login, name, unit_nr, roles, pw_hash, created_at)"
                             " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             "ttiitt", u->login, u->name, (int64_t)u->unit_nr, (int64_t)u->roles,
                             hash, at);
    if (rc == ERR_EXISTS && why)
        str_addf(why, "Der Anmeldename „%s“ ist bereits vergeben.", u->login);
    if (!rc) {
        json_t *d = json_pack("{s:s, s:s, s:i, s:i}", "login", u->login, "name", u->name, "unit",
                              u->unit_nr, "roles", (int)u->roles);
        char obj[32];
        snprintf(obj, sizeof obj, "user:%lld", (long long)id);
        rc = d ? journal_append(c, actor, "user.create", obj, d, NULL) : ERR_NOMEM;
        json_decref(d);
    }
    if (rc) {
        store_rollback(c);
        goto done;
    }
    rc = store_commit(c);
    if (!rc && ret_id)
        *ret_id = id;
done:
    store_put(s, c);
    return rc;
}

/* Runs one user update plus session removal and journal entry. */
static int user_change(struct store *s, const char *actor, const char *login, const char *sql,
                       const char *arg, const char *action)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, true)))
        goto done;
    int64_t id = 0;
    rc = store_query_int(c, &id, "SELECT id FROM users WHERE login = ?", "t", login);
    if (!rc)
        rc = arg ? store_run(c, sql, "ti", arg, id) : store_run(c, sql, "i", id);
    if (!rc)
        rc = store_run(c, "DELETE FROM sessions WHERE user_id = ?", "i", id);
    if (!rc) {
        json_t *d = json_pack("{s:s}", "login", login);
        char obj[32];
        snprintf(obj, sizeof obj, "user:%lld", (long long)id);
        rc = d ? journal_append(c, actor, action, obj, d, NULL) : ERR_NOMEM;
        json_decref(d);
    }
    if (rc) {
        store_rollback(c);
        goto done;
    }
    rc = store_commit(c);
done:
    store_put(s, c);
    return rc;
}

int web_user_passwd(struct store *s, const char *actor, const char *login, const char *password)
{
    int rc = check_password(password, NULL);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = web__pw_hash(password, hash)))
        return rc;
    return user_change(s, actor, login, "UPDATE users SET pw_hash = ? WHERE id = ?", hash,
                       "user.passwd");
}

int web_user_disable(struct store *s, const char *actor, const char *login)
{
    return user_change(s, actor, login, "UPDATE users SET disabled = 1 WHERE id = ?", NULL,
                       "user.disable");
}

int web_user_list(struct store *s, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t *arr = json_array();
    struct store_stmt *st;
    struct str roles_s;
    str_init(&roles_s, 256);
    if (!arr) {
        rc = ERR_NOMEM;
        goto done;
    }
    rc = store_prepare(c,
                       "SELECT u.login, u.name, u.unit_nr, n.name, u.roles, u.disabled"
                       " FROM users u JOIN units n ON n.nr = u.unit_nr ORDER BY u.login",
                       &st);
    if (rc)
        goto done;
    while ((rc = store_step(st)) == STORE_ROW) {
        str_reset(&roles_s);
        web_roles_format((unsigned)store_col_int(st, 4), &roles_s);
        json_t *o = json_pack(
            "{s:s, s:s, s:I, s:s, s:s, s:b}", "login", store_col_text(st, 0), "name",
            store_col_text(st, 1), "office", (json_int_t)store_col_int(st, 2), "office_name",
            store_col_text(st, 3), "roles", roles_s.buf, "disabled", (int)store_col_int(st, 5));
        if (!o || json_array_append_new(arr, o)) {
            rc = ERR_NOMEM;
            break;
        }
    }
    store_done(st);
    if (rc == STORE_DONE)
        rc = 0;
done:
    str_release(&roles_s);
    store_put(s, c);
    if (rc)
        json_decref(arr);
    else
        *ret = arr;
    return rc;
}
