/* UTC storage and Europe/Berlin display. The Berlin offset is computed from the
 * EU summer-time rule (last Sunday of March to last Sunday of October, at 01:00
 * UTC) so display does not depend on the TZ variable or the host's tzdata. */
#include "rtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "str.h"

int64_t rtime_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t t = (int64_t)ts.tv_sec;
    const char *z = getenv("RATHAUS_CLOCK_OFFSET");
    long off;
    if (z && str_to_long(z, -4000000000L, 4000000000L, &off) == 0)
        t += off;
    return t;
}

int64_t rtime_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void rtime_iso_utc(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* UTC second at which summer time starts/ends in the EU in year y. */
static int64_t last_sunday_0100(int year, int mon)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon + 1; /* first day of the next month ... */
    tm.tm_mday = 1;
    if (tm.tm_mon == 12) {
        tm.tm_mon = 0;
        tm.tm_year++;
    }
    time_t first_next = timegm(&tm);
    time_t last = first_next - 86400; /* ... minus a day = last day of mon */
    struct tm lt;
    gmtime_r(&last, &lt);
    last -= (time_t)lt.tm_wday * 86400; /* back to Sunday */
    return (int64_t)last + 3600;
}

static int64_t berlin_offset(int64_t t)
{
    int y = rtime_year(t);
    int64_t start = last_sunday_0100(y, 2); /* March */
    int64_t end = last_sunday_0100(y, 9);   /* October */
    return (t >= start && t < end) ? 7200 : 3600;
}

void rtime_display(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)(t + berlin_offset(t));
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%d.%m.%Y, %H:%M", &tm);
}

void rtime_display_date(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)(t + berlin_offset(t));
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%d.%m.%Y", &tm);
}

/* True when z has exactly the shape of pat, where 'd' stands for one digit. */
static bool iso_shape(const char *z, const char *pat)
{
    for (; *pat; z++, pat++)
        if (*pat == 'd' ? !(*z >= '0' && *z <= '9') : *z != *pat)
            return false;
    return *z == '\0';
}

int rtime_parse_iso(const char *z, int64_t *ret)
{
    /* strptime alone accepts " 2026-1-1" and "T1:2:3Z"; only the two
     * documented forms may pass */
    if (!iso_shape(z, "dddd-dd-dd") && !iso_shape(z, "dddd-dd-ddTdd:dd:ddZ"))
        return ERR_INVALID;
    struct tm tm = {0};
    const char *end = strptime(z, "%Y-%m-%d", &tm);
    if (!end)
        return ERR_INVALID;
    if (*end == 'T') {
        end = strptime(end + 1, "%H:%M:%S", &tm);
        if (!end || *end != 'Z')
            return ERR_INVALID;
        end++;
    }
    if (*end)
        return ERR_INVALID;
    int mday = tm.tm_mday, mon = tm.tm_mon;
    time_t t = timegm(&tm);
    if (tm.tm_mday != mday || tm.tm_mon != mon) /* 2026-02-31 normalised away */
        return ERR_INVALID;
    *ret = (int64_t)t;
    return 0;
}

int rtime_year(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}
