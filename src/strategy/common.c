/* Helpers shared by the files of the strategy cockpit: write transactions
 * with their journal entry, checks of user text and dates, amounts in
 * euros and cents, and the Soll/Ist deviation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rtime.h"
#include "store/journal.h"
#include "strategy_int.h"

int strat__begin(struct store *s, struct store_conn **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    if ((rc = store_begin(c, true))) {
        store_put(s, c);
        return rc;
    }
    *ret = c;
    return 0;
}

int strat__end(struct store *s, struct store_conn *c, int rc)
{
    if (rc)
        store_rollback(c);
    else
        rc = store_commit(c);
    store_put(s, c);
    return rc;
}

int strat__journal(struct store_conn *c, const char *actor, const char *action, const char *object,
                   json_t *d)
{
    if (!d)
        return ERR_NOMEM;
    int rc = journal_append(c, actor, action, object, d, NULL);
    json_decref(d);
    return rc;
}

bool strat__is_date(const char *z)
{
    int64_t t;
    if (!z || strlen(z) != 10 || rtime_parse_iso(z, &t))
        return false;
    char back[32];
    rtime_iso_utc(t, back, sizeof back);
    return strncmp(back, z, 10) == 0;
}

bool strat__text_ok(const char *z, size_t max)
{
    size_t n = strlen(z);
    if (n > max)
        return false;
    const unsigned char *p = (const unsigned char *)z, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
                return false;
            if (c == 0x7f)
                return false;
            p++;
            continue;
        }
        int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (!len || c == 0xc0 || c == 0xc1 || c > 0xf4 || end - p < len)
            return false;
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += len;
    }
    return true;
}

int strat__invalid(struct str *why, const char *msg)
{
    if (why) {
        str_reset(why);
        str_adds(why, msg);
    }
    return ERR_INVALID;
}

void strat__deviation(json_t *o, int64_t soll, bool has_ist, int64_t ist)
{
    if (!has_ist) {
        json_object_set_new(o, "deviation", json_null());
        json_object_set_new(o, "deviation_pct", json_null());
        return;
    }
    json_object_set_new(o, "deviation", json_integer(ist - soll));
    if (soll == 0) {
        json_object_set_new(o, "deviation_pct", json_null());
        return;
    }
    /* one decimal, rounded half away from zero, so reports are stable */
    double pct = (double)(ist - soll) * 100.0 / (double)soll;
    double r = (double)(long long)(pct * 10.0 + (pct < 0 ? -0.5 : 0.5)) / 10.0;
    json_object_set_new(o, "deviation_pct", json_real(r));
}

void strat_today(char day[11])
{
    char iso[32];
    rtime_iso_utc(rtime_now(), iso, sizeof iso);
    memcpy(day, iso, 10);
    day[10] = '\0';
}

int strat_money_parse(const char *z, int64_t *ret)
{
    /* digits with "." or " " as thousands separators and "," or "." before
     * one or two decimals; a trailing "€" or "EUR" is allowed */
    char raw[64], buf[64];
    size_t len = strlen(z), n = 0;
    if (len >= sizeof raw)
        return ERR_INVALID;
    memcpy(raw, z, len + 1);
    while (len && raw[len - 1] == ' ')
        raw[--len] = '\0';
    static const char euro[] = "\u20ac";
    if (len >= strlen(euro) && strcmp(raw + len - strlen(euro), euro) == 0)
        raw[len -= strlen(euro)] = '\0';
    else if (len >= 3 && strcmp(raw + len - 3, "EUR") == 0)
        raw[len -= 3] = '\0';
    bool neg = false;
    const char *p = raw;
    while (*p == ' ')
        p++;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p; p++)
        if (*p != ' ')
            buf[n++] = *p;
    buf[n] = '\0';
    if (!n)
        return ERR_INVALID;
    /* the decimal separator is the last "," or a "." followed by 1–2 digits at the end */
    char *dec = strrchr(buf, ',');
    if (!dec) {
        char *dot = strrchr(buf, '.');
        size_t tail = dot ? strlen(dot + 1) : 0;
        if (dot && (tail == 1 || tail == 2))
            dec = dot;
    }
    int64_t euros = 0, frac = 0;
    int digits = 0;
    for (char *q = buf; *q && q != dec; q++) {
        if (*q == '.')
            continue;
        if (*q < '0' || *q > '9')
            return ERR_INVALID;
        euros = euros * 10 + (*q - '0');
        if (++digits > 12)
            return ERR_INVALID;
    }
    if (dec) {
        size_t fl = strlen(dec + 1);
        if (fl < 1 || fl > 2)
            return ERR_INVALID;
        for (char *q = dec + 1; *q; q++) {
            if (*q < '0' || *q > '9')
                return ERR_INVALID;
            frac = frac * 10 + (*q - '0');
        }
        if (fl == 1)
            frac *= 10;
        if (!digits)
            return ERR_INVALID;
    } else if (!digits) {
        return ERR_INVALID;
    }
    int64_t v = euros * 100 + frac;
    if (v > STRAT_MAX_MONEY)
        return ERR_INVALID;
    *ret = neg ? -v : v;
    return 0;
}

void strat_money_format(int64_t cents, struct str *out)
{
    bool neg = cents < 0;
    uint64_t v = neg ? (uint64_t)(-cents) : (uint64_t)cents;
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / 100));
    if (neg)
        str_addc(out, '-');
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            str_addc(out, '.');
        str_addc(out, digits[i]);
    }
    str_addf(out, ",%02u\u00a0€", (unsigned)(v % 100)); /* no break before the sign */
}
