/* Log lines on stderr. One write() per line so concurrent threads never
 * interleave within a line; journald or a file redirect collects them. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "rtime.h"
#include "str.h"

static enum log_level log_min = LOG_INFO;

void log_set_level(enum log_level lv)
{
    log_min = lv;
}

static const char *level_name(enum log_level lv)
{
    switch (lv) {
    case LOG_DEBUG: return "DEBUG";
    case LOG_INFO: return "INFO";
    case LOG_WARN: return "WARN";
    case LOG_ERROR: return "ERROR";
    }
    return "?";
}

__attribute__((format(printf, 2, 0))) static void log_write(enum log_level lv, const char *fmt,
                                                            va_list ap)
{
    char tbuf[32];
    char line[2048];
    rtime_iso_utc(rtime_now(), tbuf, sizeof tbuf);
    int n = snprintf(line, sizeof line, "%s %s ", tbuf, level_name(lv));
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void log_msg(enum log_level lv, const char *fmt, ...)
{
    if (lv < log_min)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_write(lv, fmt, ap);
    va_end(ap);
}

void log_request(const char *method, const char *path, int status, uint64_t bytes, int64_t micros)
{
    log_msg(LOG_INFO, "%s %s %d %llu %lldus", method, path, status, (unsigned long long)bytes,
            (long long)micros);
}
