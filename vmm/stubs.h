/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest stub images: the ones built into ursa, or a file. */
#ifndef URSA_VMM_STUBS_H
#define URSA_VMM_STUBS_H

#include <stddef.h>
#include <stdint.h>

struct builtin_stub {
	const char *name;
	const char *description;
	const unsigned char *data;
	size_t size;
};

/* Generated from guest/meson.build by guest/embed.py. */
extern const struct builtin_stub builtin_stubs[];
extern const size_t builtin_stubs_count;

const struct builtin_stub *builtin_stub_find(const char *name);

struct stub_image {
	const uint8_t *data;
	size_t size;
	uint8_t *owned;		/* non-NULL when read from a file */
};

/* A built-in stub (no I/O) or the file at path. Returns 0, or -1 with err. */
int stub_image_open(const struct builtin_stub *builtin, const char *path,
		    struct stub_image *img, char *err, size_t errlen);
void stub_image_close(struct stub_image *img);

#endif
