/* Logging for handlers and main (library code does not log): one line per
 * event on stderr, with a UTC timestamp. Requests get exactly one line each. */
#ifndef RATHAUS_BASE_LOG_H
#define RATHAUS_BASE_LOG_H

#include <stddef.h>
#include <stdint.h>

/* Log levels in increasing severity. */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level that is written (default LOG_INFO). */
void log_set_level(enum log_level lv);

/* Writes one line "<time> <LEVEL> <message>". */
void log_msg(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes the request line: method, path, status, bytes sent, microseconds. */
void log_request(const char *method, const char *path, int status, uint64_t bytes, int64_t micros);

#endif
