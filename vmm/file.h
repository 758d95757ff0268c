/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the files ursa is given (stubs, kernels, initrds). */
#ifndef URSA_VMM_FILE_H
#define URSA_VMM_FILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Open path, which must be a regular file of at most max bytes; its size
 * goes to *size. Returns the fd, or -1 with "WHAT 'path': reason" in err.
 */
int file_open(const char *what, const char *path, uint64_t max,
	      uint64_t *size, char *err, size_t errlen);

/* Read exactly size bytes from the start of fd into buf. 0, or -1 with err. */
int file_read(const char *what, const char *path, int fd, void *buf,
	      uint64_t size, char *err, size_t errlen);

#endif
