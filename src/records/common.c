/* Helpers shared by the files of the E-Akte: the actors, checks of texts and
 * plan codes users type, German calendar dates and the journal entry about
 * an object of a file (which always names the file, see records_int.h). */
#include <stdio.h>
#include <string.h>

#include "base/rtime.h"
#include "records_int.h"
#include "store/journal.h"
#include "web/web.h"

struct rec_actor rec_actor_of(const struct http_user *u)
{
    struct rec_actor a = {
        .login = u->login && *u->login ? u->login : "anonym",
        .unit_nr = u->unit_nr,
        .roles = u->roles,
        .system = false,
    };
    return a;
}

struct rec_actor rec_actor_system(const char *login)
{
    struct rec_actor a = {
        .login = login && *login ? login : "system",
        .unit_nr = 0,
        .roles = WEB_ROLE_ADMIN | WEB_ROLE_REGISTRY | WEB_ROLE_HEAD | WEB_ROLE_CASEWORKER,
        .system = true,
    };
    return a;
}

bool rec__is_manager(const struct rec_actor *a)
{
    return a->system || (a->roles & (WEB_ROLE_REGISTRY | WEB_ROLE_ADMIN));
}

/* Length of the UTF-8 sequence starting at p (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int rec__check_text(const char *z, size_t max, unsigned flags, const char *label, struct str *why)
{
    if (!z)
        z = "";
    size_t n = strlen(z);
    bool blank = true;
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)z + i;
        size_t k = utf8_seq(p, n - i);
        if (!k) {
            if (why)
                str_addf(why, "%s enthält ungültige Zeichen (kein UTF-8).", label);
            return ERR_INVALID;
        }
        bool line_break = p[0] == '\n' || (p[0] == '\r' && i + 1 < n && p[1] == '\n');
        if (k == 1 && (p[0] < 0x20 || p[0] == 0x7F) &&
            !(line_break && (flags & REC__TEXT_MULTILINE))) {
            if (why)
                str_addf(why, "%s enthält Steuerzeichen (z. B. Zeilenumbrüche).", label);
            return ERR_INVALID;
        }
        if (k > 1 || (p[0] != ' ' && !line_break))
            blank = false;
        i += k;
    }
    if ((flags & REC__TEXT_REQUIRED) && blank) {
        if (why)
            str_addf(why, "%s fehlt.", label);
        return ERR_INVALID;
    }
    if (n > max) {
        if (why)
            str_addf(why, "%s ist zu lang (höchstens %zu Zeichen).", label, max);
        return ERR_INVALID;
    }
    return 0;
}

bool rec__code_valid(const char *code)
{
    if (!code || !*code || strlen(code) >= REC_MAX_CODE)
        return false;
    int digits = 0, parts = 1;
    for (const char *p = code; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 4)
                return false;
        } else if (*p == '.') {
            if (!digits || ++parts > 5)
                return false;
            digits = 0;
        } else {
            return false;
        }
    }
    return digits > 0;
}

int rec__local_year(int64_t t)
{
    char d[16];
    rtime_display_date(t, d, sizeof d); /* "29.11.2026" in Berlin time */
    long y;
    if (strlen(d) != 10 || str_to_long(d + 6, 1, 9999, &y))
        return rtime_year(t);
    return (int)y;
}

void rec__local_today(char out[11])
{
    char d[16];
    rtime_display_date(rtime_now(), d, sizeof d);
    if (strlen(d) == 10)
        snprintf(out, 11, "%.4s-%.2s-%.2s", d + 6, d + 3, d);
    else
        snprintf(out, 11, "0000-00-00");
}

void rec__now_iso(char out[32])
{
    rtime_iso_utc(rtime_now(), out, 32);
}

int rec__journal(struct store_conn *c, const struct rec_actor *a, const char *action,
                 const char *kind, int64_t id, int64_t file_id, json_t *details)
{
    char obj[48];
    snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)id);
    json_t *d = details; /* stolen: a failed json_pack arrives as NULL */
    if (!d)
        return ERR_NOMEM;
    int rc = json_object_set_new(d, "file", json_integer(file_id)) ? ERR_NOMEM : 0;
    if (!rc)
        rc = journal_append(c, a->login, action, obj, d, NULL);
    json_decref(d);
    return rc;
}
