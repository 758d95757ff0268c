// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/stub_abi.h"
#include "vmm/file.h"
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
	uint64_t size;
	int fd = file_open("stub", path, STUB_FILE_MAX, &size, err, errlen);

	if (fd < 0)
		return -1;
	img->owned = malloc(size ? size : 1);
	if (!img->owned) {
		set_error(err, errlen, "stub '%s': out of memory", path);
	} else if (file_read("stub", path, fd, img->owned, size, err, errlen)) {
		free(img->owned);
		img->owned = NULL;
	} else {
		img->data = img->owned;
		img->size = size;
	}
	close(fd);
	return img->owned ? 0 : -1;
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
