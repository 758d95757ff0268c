// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "vmm/log.h"

void log_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "ursa: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write() so that lines from different threads never mix. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void set_error(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	/* A reason is one line, whatever it quotes: an argument or a file
	 * name may hold a newline or another control character. */
	for (; len && *err; err++, len--)
		if ((unsigned char)*err < 0x20 || *err == 0x7f)
			*err = '?';
}
