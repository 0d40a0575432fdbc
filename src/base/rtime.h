/* Time: rathaus stores UTC (Unix seconds and ISO 8601 "Z" strings) and shows
 * Europe/Berlin to people. The clock can be moved in tests through the
 * environment variable RATHAUS_CLOCK_OFFSET (seconds added to the real time). */
#ifndef RATHAUS_BASE_RTIME_H
#define RATHAUS_BASE_RTIME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Returns the current UTC time in seconds, with the test offset applied. */
int64_t rtime_now(void);

/* Returns a monotonic clock in microseconds, for measuring durations. */
int64_t rtime_mono_us(void);

/* Writes t as "2026-11-29T08:58:43Z" into buf (at least 21 bytes). */
void rtime_iso_utc(int64_t t, char *buf, size_t n);

/* Writes t in Berlin time as "29.11.2026, 09:58" into buf (at least 18 bytes). */
void rtime_display(int64_t t, char *buf, size_t n);

/* Writes t in Berlin time as "29.11.2026" into buf (at least 11 bytes). */
void rtime_display_date(int64_t t, char *buf, size_t n);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (as UTC midnight).
 * Returns 0 and sets *ret, or ERR_INVALID. */
int rtime_parse_iso(const char *z, int64_t *ret) WUR;

/* Returns the UTC calendar year of t. */
int rtime_year(int64_t t);

#endif
