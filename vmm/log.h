/* SPDX-License-Identifier: GPL-2.0-only */
/* Messages to stderr, one whole line per call, prefixed "ursa: ". */
#ifndef URSA_VMM_LOG_H
#define URSA_VMM_LOG_H

#include <stddef.h>

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* snprintf into an error buffer; used by functions that report rather
 * than print, so that callers (and tests) decide what to do. The result
 * is one line: control characters (from quoted arguments or file names)
 * become '?'. */
void set_error(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
