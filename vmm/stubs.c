// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/stub_abi.h"
#include "vmm/log.h"
#include "vmm/stubs.h"

/* Far more than any stub needs; keeps a wrong file from eating memory. */
#define STUB_FILE_MAX	(64u << 20)

const struct builtin_stub *builtin_stub_find(const char *name)
{
	for (size_t i = 0; i < builtin_stubs_count; i++)
		if (!strcmp(builtin_stubs[i].name, name))
			return &builtin_stubs[i];
	return NULL;
}

static int read_file(const char *path, struct stub_image *img, char *err,
		     size_t errlen)
{
	struct stat st;
	ssize_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_error(err, errlen, "stub '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > STUB_FILE_MAX) {
		set_error(err, errlen, "stub '%s': not a regular file of at most %u MiB",
			  path, STUB_FILE_MAX >> 20);
		goto fail;
	}
	img->owned = malloc(st.st_size ? st.st_size : 1);
	if (!img->owned) {
		set_error(err, errlen, "stub '%s': out of memory", path);
		goto fail;
	}
	while (got < st.st_size) {
		ssize_t n = read(fd, img->owned + got, st.st_size - got);

		if (n <= 0) {
			set_error(err, errlen, "stub '%s': %s", path,
				  n ? strerror(errno) : "file shrank while reading");
			free(img->owned);
			img->owned = NULL;
			goto fail;
		}
		got += n;
	}
	close(fd);
	img->data = img->owned;
	img->size = got;
	return 0;
fail:
	close(fd);
	return -1;
}

int stub_image_open(const struct builtin_stub *builtin, const char *path,
		    struct stub_image *img, char *err, size_t errlen)
{
	*img = (struct stub_image){ 0 };
	if (builtin) {
		img->data = builtin->data;
		img->size = builtin->size;
		return 0;
	}
	return read_file(path, img, err, errlen);
}

void stub_image_close(struct stub_image *img)
{
	free(img->owned);
	*img = (struct stub_image){ 0 };
}
