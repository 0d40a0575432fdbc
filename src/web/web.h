/* The web shell shared by all domains: the application context handed to
 * every handler, page rendering inside the layout (city, navigation, user,
 * CSRF token), the offices (Ämter), staff accounts, sessions and login, the
 * start page, settings and /healthz. Domains include this header only. */
#ifndef RATHAUS_WEB_WEB_H
#define RATHAUS_WEB_WEB_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "http/http.h"
#include "store/store.h"
#include "view/embed.h"
#include "view/view.h"

/* Roles of staff users (bits of http_user.roles). */
#define WEB_ROLE_CASEWORKER 1u /* Sachbearbeitung */
#define WEB_ROLE_HEAD 2u       /* Leitung */
#define WEB_ROLE_REGISTRY 4u   /* Registratur */
#define WEB_ROLE_ADMIN 8u      /* Admin */
#define WEB_ROLE_DIGITAL 16u   /* Digitalisierung: strategy cockpit, actuals, KPIs */

/* Named limits. */
#define WEB_MAX_CITY 120                 /* bytes of the city name */
#define WEB_MAX_LOGIN 64                 /* bytes of a login name */
#define WEB_MAX_NAME 200                 /* bytes of a display or office name */
#define WEB_MIN_PASSWORD 10              /* characters of a password */
#define WEB_MAX_PASSWORD 200             /* bytes of a password */
#define WEB_MAX_LOGO ((size_t)1 << 20)   /* bytes of the city's logo */
#define WEB_SESSION_IDLE_S (60 * 60)     /* session ends after an idle hour */
#define WEB_SESSION_MAX_S (12 * 60 * 60) /* and after twelve hours in any case */

/* The application context: req->app of every request. */
struct app {
    struct store *store;     /* the data directory */
    struct view *view;       /* compiled templates */
    const char *version;     /* rathaus version */
    char city[WEB_MAX_CITY]; /* the municipality's name, from settings */
};

/* Schema migrations of this module (ids 10–19). */
extern const struct store_migration web_migrations[];
extern const size_t web_migrations_count;

/* Adds the routes of this module to r. */
int web_register(struct http_router *r) WUR;

/* Embedded default data (data/ folder): units.csv. */
EMBED_DECLARE(rathaus_data);

/* Reads the settings of the store into app (city name). */
int web_app_load(struct app *app) WUR;

/* Renders template tmpl (e.g. "web/home.html") inside the layout with status
 * 200 into resp. data is stolen (decref'd here); the page title is data.title.
 * Adds city, user, csrf and navigation to data. */
int web_page(struct http_req *req, struct http_resp *resp, const char *tmpl, json_t *data) WUR;

/* web_page with the response status set (a form page answering 400 with
 * its errors, say). data is stolen; NULL (a failed json_pack) gives
 * ERR_NOMEM. */
int web_page_status(struct http_req *req, struct http_resp *resp, int status, const char *tmpl,
                    json_t *data) WUR;

/* The session hook for the HTTP server: loads req->user from the session
 * cookie and keeps the session alive. */
int web_session_hook(struct http_req *req, struct http_resp *resp);

/* The error page hook for the HTTP server. */
void web_error_page(struct http_req *req, struct http_resp *resp, int status, const char *message);

/* ERR_AUTH unless someone is logged in; ERR_DENIED unless they have one of
 * the roles in mask. */
int web_require(const struct http_req *req, unsigned mask) WUR;

/* Parses "Sachbearbeitung,Admin" (German or English names, any case) into a
 * role mask. ERR_INVALID for an unknown name or an empty list. */
int web_roles_parse(const char *z, unsigned *ret) WUR;

/* Writes the German names of the roles in mask, comma-separated, into out. */
void web_roles_format(unsigned mask, struct str *out);

/* Loads the offices of data/units.csv into the units table (inside a write
 * transaction; existing numbers are kept). */
int web_units_seed(struct store_conn *c, const char *actor) WUR;

/* Creates an office. ERR_EXISTS for a used number, ERR_INVALID for a number
 * outside 1–9999 or an empty/too long name. Opens its own transaction. */
int web_unit_add(struct store *s, const char *actor, int nr, const char *name) WUR;

/* A new staff account. */
struct web_user_new {
    const char *login;    /* [a-z0-9._-], 2–64 bytes */
    const char *name;     /* display name */
    int unit_nr;          /* office number (must exist) */
    unsigned roles;       /* WEB_ROLE_* bits, at least one */
    const char *password; /* at least WEB_MIN_PASSWORD characters */
};

/* Creates a user with an argon2id password hash, journaled as user.create.
 * ERR_EXISTS for a taken login, ERR_INVALID for bad fields (a German reason
 * goes into why when non-NULL), ERR_NOTFOUND for an unknown office. */
int web_user_add(struct store *s, const char *actor, const struct web_user_new *u, int64_t *ret_id,
                 struct str *why) WUR;

/* Sets a new password (ERR_NOTFOUND for an unknown login); ends the user's
 * sessions. */
int web_user_passwd(struct store *s, const char *actor, const char *login,
                    const char *password) WUR;

/* Disables a user and ends their sessions (ERR_NOTFOUND for an unknown login). */
int web_user_disable(struct store *s, const char *actor, const char *login) WUR;

/* Lists users as a JSON array of {login, name, office, roles, disabled}. */
int web_user_list(struct store *s, json_t **ret) WUR;

/* Writes a random password of 16 characters (no look-alike characters). */
void web_password_random(char out[17]);

/* Reads a setting (ERR_NOTFOUND when unset) into out. */
int web_setting_get(struct store_conn *c, const char *key, struct str *out) WUR;

/* Writes a setting inside the caller's write transaction, journaled. */
int web_setting_set(struct store_conn *c, const char *actor, const char *key,
                    const char *value) WUR;

#endif
