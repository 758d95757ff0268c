// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/file.h"
#include "vmm/log.h"

int file_open(const char *what, const char *path, uint64_t max,
	      uint64_t *size, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		set_error(err, errlen, "%s '%s': %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		set_error(err, errlen, "%s '%s': not a regular file", what, path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		set_error(err, errlen, "%s '%s': %" PRIu64 " MiB is more than the %" PRIu64
			  " MiB ursa accepts", what, path, (uint64_t)st.st_size >> 20,
			  max >> 20);
		goto fail;
	}
	*size = st.st_size;
	return fd;
fail:
	close(fd);
	return -1;
}

int file_read(const char *what, const char *path, int fd, void *buf,
	      uint64_t size, char *err, size_t errlen)
{
	uint64_t got = 0;

	while (got < size) {
		ssize_t n = pread(fd, (uint8_t *)buf + got, size - got, got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			set_error(err, errlen, "%s '%s': %s", what, path,
				  n ? strerror(errno) : "file shrank while reading");
			return -1;
		}
		got += n;
	}
	return 0;
}
